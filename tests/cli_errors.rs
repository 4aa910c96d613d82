//! `serve` refuses what it cannot use with one clear line on stderr and a
//! non-zero exit, before printing any ready line; file errors name the flag
//! and the file; `--listen` says what it expects (`check`'s errors:
//! `tests/check_errors.rs`).

mod common;

use std::process::Command;

use common::{binary, MockProcess};

fn serve(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(binary())
        .arg("serve")
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_lit_dir_that_is_a_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let file = file.display().to_string();
    let (code, stdout, stderr) = serve(&["--listen", "127.0.0.1:0", "--lit-dir", &file]);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty(), "no ready line: {stdout}");
    assert!(
        stderr.contains("autopilot-mock: error: lit dir") && stderr.contains(&file),
        "{stderr}"
    );
}

#[test]
fn bad_flag_values_are_refused_by_name() {
    let (code, _, stderr) = serve(&["--listen", "not-an-address"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("invalid value 'not-an-address' for '--listen <LISTEN>'"),
        "{stderr}"
    );
    let (code, _, stderr) = serve(&["--no-such-flag"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--no-such-flag"), "{stderr}");
}

#[test]
fn a_busy_port_is_refused() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let lit = dir.path().display().to_string();
    let (code, stdout, stderr) = serve(&["--listen", &addr, "--lit-dir", &lit]);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.trim_end(),
        format!("autopilot-mock: error: cannot listen on {addr}: Address already in use (os error 98) (another server holds the port: stop it, or pick a free one with --listen 127.0.0.1:0)")
    );
}

#[test]
fn a_bad_features_file_names_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let features = dir.path().join("f.json");
    std::fs::write(&features, b"{\"features\": 3}").expect("write");
    let lit = dir.path().join("lit").display().to_string();
    let f = features.display().to_string();
    let (code, _, stderr) = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--lit-dir",
        &lit,
        "--features",
        &f,
    ]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(&f) && stderr.contains("invalid"),
        "{stderr}"
    );
}

fn lit_dir_args(dir: &tempfile::TempDir) -> Vec<String> {
    vec![
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--lit-dir".into(),
        dir.path().join("lit").display().to_string(),
    ]
}

#[test]
fn file_flags_name_the_flag_and_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.json").display().to_string();
    let not_json = dir.path().join("tls.cert");
    std::fs::write(&not_json, "hello").expect("write");
    let not_json = not_json.display().to_string();
    let enoent = "No such file or directory (os error 2)";
    for (flags, line) in [
        (
            vec!["--features", &missing],
            format!("--features {missing}: cannot read catalogue {missing}: {enoent}"),
        ),
        (
            vec!["--script", &missing],
            format!("--script {missing}: cannot read script {missing}: {enoent}"),
        ),
        (
            vec!["--script", &not_json],
            format!(
                "--script {not_json}: invalid script {not_json}: expected value at line 1 column 1"
            ),
        ),
        (
            vec!["--ui-password-file", &missing],
            format!(
                "--ui-password-file {missing}: could not read UI password: could not read file {missing}: {enoent}"
            ),
        ),
        (
            vec!["--autopilot-addr", "127.0.0.1:1", "--autopilot-tls-cert", &not_json],
            format!(
                "--autopilot-tls-cert {not_json} is not a PEM certificate (no \"-----BEGIN CERTIFICATE-----\" line); give the server's tls.cert"
            ),
        ),
    ] {
        let mut args = lit_dir_args(&dir);
        args.extend(flags.iter().map(|f| f.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = serve(&args);
        assert_eq!(code, Some(1), "{flags:?}: {stderr}");
        assert!(stdout.is_empty(), "no ready line: {stdout}");
        assert_eq!(stderr.trim_end(), format!("autopilot-mock: error: {line}"));
    }
}

#[test]
fn listen_says_what_it_expects_on_every_subcommand() {
    let hint = "expected IP:PORT or localhost:PORT, e.g. 127.0.0.1:8443, 0.0.0.0:8443, [::1]:8443 or 127.0.0.1:0 for a free port";
    for sub in ["serve", "stub", "record"] {
        let out = Command::new(binary())
            .args([sub, "--listen", "9000"])
            .output()
            .expect("binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{sub}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "invalid value '9000' for '--listen <LISTEN>': {hint} (for port 9000 on this machine only: 127.0.0.1:9000)"
            )),
            "{sub}: {stderr}"
        );
    }
    // localhost:PORT is taken, as 127.0.0.1.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut mock = MockProcess::start([
        "serve",
        "--listen",
        "localhost:0",
        "--lit-dir",
        &dir.path().display().to_string(),
    ]);
    assert!(mock.listen().starts_with("127.0.0.1:"), "{}", mock.listen());
    assert!(mock.terminate().success());
}
