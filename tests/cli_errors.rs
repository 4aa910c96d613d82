//! `serve` refuses what it cannot use with one clear line on stderr and a
//! non-zero exit, before printing any ready line.

mod common;

use std::process::Command;

use common::binary;

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
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
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
