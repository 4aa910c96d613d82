//! `diff` end to end: the built binary against real servers over TLS. The
//! mock against another mock agrees over 1,000 generated requests; a mock
//! with another feature catalogue, and a deliberately wrong server, are
//! reported by name.

mod common;
#[path = "common/wrong_servers.rs"]
mod wrong_servers;

use std::path::Path;
use std::process::{Command, Output};

use autopilot_mock::proto::litrpc::autopilot_server::AutopilotServer;
use common::MockProcess;

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

/// `autopilot-mock diff` with the reference and candidate flags of two
/// servers (address, certificate file, macaroon file), then `extra`.
fn diff(reference: [&str; 3], candidate: [&str; 3], extra: &[&str]) -> Output {
    let mut command = Command::new(common::binary());
    command
        .arg("diff")
        .args(["--reference", reference[0]])
        .args(["--reference-tls-cert", reference[1]])
        .args(["--reference-macaroon", reference[2]])
        .args(["--candidate", candidate[0]])
        .args(["--candidate-tls-cert", candidate[1]])
        .args(["--candidate-macaroon", candidate[2]])
        .args(extra);
    command.output().expect("run autopilot-mock diff")
}

fn flags(mock: &MockProcess) -> [String; 3] {
    [
        mock.listen().to_string(),
        mock.tls_cert().display().to_string(),
        mock.macaroon().display().to_string(),
    ]
}

fn refs(f: &[String; 3]) -> [&str; 3] {
    [&f[0], &f[1], &f[2]]
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_mock_against_another_mock_differs_nowhere_over_1000_generated_requests() {
    let (a, b) = (
        MockProcess::serve_temp::<_, &str>([]),
        MockProcess::serve_temp::<_, &str>([]),
    );
    let (fa, fb) = (flags(&a), flags(&b));
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("diff.json");
    let json_arg = json.display().to_string();
    let out = diff(
        refs(&fa),
        refs(&fb),
        &[
            "--generate",
            "1000",
            "--seed",
            "11",
            "--transport",
            "all",
            "--json",
            &json_arg,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json report")).expect("json");
    let calls = report["totals"]["calls"].as_u64().expect("calls");
    // Inputs the HTTP client refuses to send to either server are not calls.
    assert!(calls >= 990, "{}", report["totals"]);
    assert_eq!(report["totals"]["kinds"], 0);
    assert_eq!(stdout, format!("no differences in {calls} calls\n"));
}

#[test]
fn a_mock_with_another_feature_catalogue_is_reported_by_feature_name() {
    let a = MockProcess::serve_temp::<_, &str>([]);
    let b = MockProcess::serve_temp(["--features", &fixture("fixtures/all-rules-features.json")]);
    let (fa, fb) = (flags(&a), flags(&b));
    let dir = tempfile::tempdir().expect("temp dir");
    let junit = dir.path().join("diff.xml");
    let junit_arg = junit.display().to_string();
    let out = diff(
        refs(&fa),
        refs(&fb),
        &[&fixture("scenarios/features.json"), "--junit", &junit_arg],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for kind in [
        "DIFF ListAutopilotFeatures response features.HealthCheck missing from the candidate",
        "DIFF ListAutopilotFeatures response features.Liquidity only in the candidate",
        "DIFF ListAutopilotFeatures response features.AutoFees.rules.channel-policy-bounds only in the candidate",
    ] {
        assert!(stdout.contains(kind), "{kind:?} not in:\n{stdout}");
    }
    let xml = std::fs::read_to_string(&junit).expect("junit report");
    assert!(xml.contains("failures=\"2\""), "{xml}");
    assert!(
        xml.contains("response features.HealthCheck missing from the candidate"),
        "{xml}"
    );
    // diff put both mocks back: the candidate still offers its own catalogue.
    let again = diff(refs(&fb), refs(&fb), &[&fixture("scenarios/features.json")]);
    let (stdout, stderr) = text(&again);
    assert_eq!(
        again.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_server_is_reported_call_by_call() {
    let router =
        tonic::service::Routes::new(AutopilotServer::new(wrong_servers::Naive)).into_axum_router();
    let (addr, cert_pem, _stop) = wrong_servers::serve_tls(router).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let cert = dir.path().join("wrong.cert");
    std::fs::write(&cert, cert_pem).expect("write cert");
    let mock = MockProcess::serve_temp::<_, &str>([]);
    let reference = flags(&mock);
    let candidate = [
        addr.to_string(),
        cert.display().to_string(),
        reference[2].clone(),
    ];
    let scenario = fixture("scenarios/add-session.json");
    let out = tokio::task::spawn_blocking(move || {
        diff(
            refs(&reference),
            refs(&candidate),
            &["--transport", "grpc", &scenario],
        )
    })
    .await
    .expect("diff ran");
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for kind in [
        "DIFF AddAutopilotSession code OK vs InvalidArgument",
        "DIFF RevokeAutopilotSession code",
    ] {
        assert!(stdout.contains(kind), "{kind:?} not in:\n{stdout}");
    }
    assert!(
        stdout.contains("\"features must not be empty\""),
        "{stdout}"
    );
}

#[test]
fn a_server_that_cannot_be_reached_exits_2() {
    let a = MockProcess::serve_temp::<_, &str>([]);
    let fa = flags(&a);
    let out = diff(
        refs(&fa),
        ["127.0.0.1:1", &fa[1], &fa[2]],
        &["--generate", "5"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.contains("candidate: cannot connect to --target 127.0.0.1:1"),
        "{stderr}"
    );
}
