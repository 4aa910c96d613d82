//! `check` says why a run could not be judged (exit 2), with the cause, over
//! every transport (a target that is down, another certificate, TLS under
//! `--plaintext`, a certificate given as the macaroon, a directory without
//! scenarios), warns about a target without litrpc.Autopilot, and finds the
//! shipped scenarios' paths outside a checkout (the built-in copies).

mod common;

use std::process::Command;

use common::{binary, check_command, succeeded, MockProcess};

/// `check` against `target` with these files, over one transport.
fn check(
    target: &str,
    cert: &std::path::Path,
    macaroon: &std::path::Path,
    transport: &str,
) -> (Option<i32>, String) {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/features.json");
    let out = Command::new(binary())
        .args([
            "check",
            "--target",
            target,
            "--transport",
            transport,
            "--tls-cert",
        ])
        .arg(cert)
        .arg("--macaroon")
        .arg(macaroon)
        .arg(scenario)
        .output()
        .expect("check runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_names_an_unreachable_target_or_a_wrong_certificate_over_every_transport() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let other = MockProcess::serve_temp(Vec::<String>::new());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let target = server.localhost_target();
    for transport in ["grpc", "rest", "grpc-web"] {
        let (code, stderr) = check(
            &format!("localhost:{port}"),
            &server.tls_cert(),
            &server.macaroon(),
            transport,
        );
        assert_eq!(code, Some(2), "{transport}: {stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!("autopilot-mock: error: cannot connect to --target localhost:{port} (127.0.0.1:{port}): Connection refused (os error 111) (is the server running there?)"),
            "{transport}"
        );
        let (code, stderr) = check(&target, &other.tls_cert(), &server.macaroon(), transport);
        assert_eq!(code, Some(2), "{transport}: {stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!("autopilot-mock: error: TLS handshake with --target {target} (127.0.0.1:{}) failed: invalid peer certificate: UnknownIssuer (is --tls-cert this server's tls.cert? does it speak TLS?)", server.port()),
            "{transport}"
        );
    }
}

#[test]
fn check_on_a_directory_without_scenarios_exits_2() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(dir.path().join("sub/a.json"), "{}").expect("write");
    let out = check_command(&server)
        .arg(dir.path())
        .output()
        .expect("check runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!(
            "autopilot-mock: error: no scenario files in {} (a directory's *.json files are read, not its sub-directories)",
            dir.path().display()
        )
    );
    assert!(out.stdout.is_empty());
}

/// Outside a checkout (here: a directory without `scenarios/`), the paths
/// the README and the GitHub Action write are the built-in copies.
#[test]
fn shipped_scenario_paths_work_outside_a_checkout() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let out = check_command(&server)
        .current_dir(elsewhere.path())
        .args(["--transport", "grpc"])
        .args(["scenarios/features.json", "./scenarios/"])
        .output()
        .expect("check runs");
    let stdout = succeeded("check", &out);
    assert!(
        stdout.starts_with("ok   list-features [grpc] (scenarios/features.json (built in))\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok   add-validation [grpc] (scenarios/add-validation.json (built in))")
    );
    // A shipped sub-directory: its files (litd's itest matrix with a UI password).
    let ui = MockProcess::serve_temp(["--ui-password", "itest-ui-password"]);
    let out = check_command(&ui)
        .current_dir(elsewhere.path())
        .args(["--transport", "grpc"])
        .arg("scenarios/ui-password/")
        .output()
        .expect("check runs");
    let stdout = succeeded("check", &out);
    assert!(
        stdout.contains("(scenarios/ui-password/litd-itest-matrix.json (built in))"),
        "{stdout}"
    );
    // A name no shipped file has is still a missing file (exit 2).
    let out = Command::new(binary())
        .current_dir(elsewhere.path())
        .args(["check", "--target", "127.0.0.1:1", "--tls-cert"])
        .arg(server.tls_cert())
        .arg("--macaroon")
        .arg(server.macaroon())
        .arg("scenarios/no-such.json")
        .output()
        .expect("check runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "autopilot-mock: error: cannot read scenario scenarios/no-such.json: No such file or directory (os error 2)"
    );

    // The client judge: the GitHub Action's `--scenario scenarios/client/...`.
    let mut judge = Command::new(binary());
    judge
        .current_dir(elsewhere.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
        .arg(elsewhere.path().join("lit"))
        .args(["--scenario", "scenarios/client/add-list-revoke.json"]);
    let mut judge = MockProcess::start_command(judge);
    let status = judge.terminate();
    assert_eq!(status.code(), Some(1), "nothing was sent: steps missing");
    let verdict: serde_json::Value =
        serde_json::from_str(judge.extra_stdout().last().expect("verdict line")).expect("JSON");
    assert_eq!(verdict["scenario"], "client-add-list-revoke", "{verdict}");
    assert_eq!(verdict["verdict"], "fail", "{verdict}");
}

#[test]
fn check_with_plaintext_against_a_tls_server_says_so() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    for transport in ["grpc", "rest"] {
        let out = Command::new(binary())
            .args(["check", "--plaintext", "--transport", transport, "--target"])
            .arg(server.localhost_target())
            .arg("--macaroon")
            .arg(server.macaroon())
            .output()
            .expect("check runs");
        assert_eq!(out.status.code(), Some(2), "{transport}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim_end(),
            format!(
                "autopilot-mock: error: --target {} (127.0.0.1:{}) speaks TLS, but --plaintext was given: give --tls-cert (the server's tls.cert) instead",
                server.localhost_target(),
                server.port()
            ),
            "{transport}"
        );
    }
    // A plaintext server (the standalone stub, which is no litd) is not
    // taken for TLS: the run goes on to the credentials check.
    let dir = tempfile::tempdir().expect("temp dir");
    let stub = MockProcess::start([
        "stub",
        "--listen",
        "127.0.0.1:0",
        "--insecure",
        "--lit-dir",
        &dir.path().display().to_string(),
    ]);
    let out = Command::new(binary())
        .args([
            "check",
            "--plaintext",
            "--transport",
            "rest",
            "--target",
            stub.listen(),
        ])
        .arg("--macaroon")
        .arg(server.macaroon())
        .output()
        .expect("check runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("speaks TLS"), "{stderr}");

    // The certificate given as the macaroon is named for what it is.
    let out = Command::new(binary())
        .args([
            "check",
            "--target",
            &server.localhost_target(),
            "--tls-cert",
        ])
        .arg(server.tls_cert())
        .arg("--macaroon")
        .arg(server.tls_cert())
        .output()
        .expect("check runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!(
            "autopilot-mock: error: --macaroon {} is a PEM file (a certificate or key), not a macaroon; give the server's <lit-dir>/<network>/lit.macaroon",
            server.tls_cert().display()
        )
    );
}

#[test]
fn check_warns_when_the_target_does_not_serve_autopilot() {
    let server = MockProcess::serve_temp(["--autopilot-disabled"]);
    let out = check_command(&server)
        .args(["--transport", "grpc"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/features.json"))
        .output()
        .expect("check runs");
    // Judged (litd with autopilot.disable fails the Autopilot steps), and said why.
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "the target does not serve litrpc.Autopilot (ListAutopilotSessions: Unimplemented \"unknown service litrpc.Autopilot\"): litd with autopilot.disable, or is --target not litd's port?"
        ),
        "{stderr}"
    );
}
