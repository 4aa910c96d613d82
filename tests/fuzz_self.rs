//! `fuzz` against our own server, bounded: zero anomalies. Runs the library
//! in process (the figures are printed for the record) and the CLI once,
//! to check its flags, JSON summary and exit status.

mod support;

use std::time::Duration;

use autopilot_mock::fuzz::{self, Budget, FuzzConfig, Target, Transport};
use support::TestServer;

/// Inputs per transport mix: enough for every generator and mutation to
/// fire many times, a few seconds on a debug build.
const ITERATIONS: u64 = 3_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzing_our_own_server_finds_no_anomaly() {
    let server = TestServer::start().await;
    let out = tempfile::tempdir().expect("temp dir");
    let target = Target::new(
        server.running.local_addr,
        &server.running.tls_cert_pem,
        server.macaroon_hex.clone(),
        Duration::from_secs(10),
    )
    .expect("target");
    let config = FuzzConfig {
        target,
        transports: vec![Transport::Grpc, Transport::Rest],
        budget: Budget::Iterations(ITERATIONS),
        seed: 1,
        out: Some(out.path().to_path_buf()),
        max_message_bytes: autopilot_mock::server::defaults::MAX_MESSAGE_BYTES,
        max_connect_failures: 3,
    };
    let summary = fuzz::run(&config, |_| {}).await.expect("run");
    eprintln!(
        "fuzz figures: {}",
        serde_json::to_string(&summary).expect("json")
    );
    for path in &summary.reproducers {
        eprintln!("{}", std::fs::read_to_string(path).unwrap_or_default());
    }
    assert_eq!(summary.anomalies, 0, "{:?}", summary.outcomes);
    assert_eq!(summary.inputs_tried, ITERATIONS);
    assert!(summary.executions > ITERATIONS * 9 / 10, "{summary:?}");
    assert!(summary.aborted.is_none());
    // Both transports and both verdicts were exercised.
    assert!(
        summary.outcomes.get("ok").copied().unwrap_or(0) > 0,
        "{:?}",
        summary.outcomes
    );
    assert!(
        summary.outcomes.keys().any(|k| k == "error:internal"),
        "{:?}",
        summary.outcomes
    );
    assert!(
        summary
            .outcomes
            .keys()
            .any(|k| k == "error:invalid_argument"),
        "{:?}",
        summary.outcomes
    );
    // The server is still whole afterwards.
    let listed = server.running.core.list_all_sessions().await.expect("list");
    assert_eq!(listed.len(), server.running.core.session_count());
    server.running.shutdown().await;
}

#[tokio::test]
async fn the_cli_fuzzes_replays_and_reports_json() {
    let server = TestServer::start().await;
    let out = tempfile::tempdir().expect("temp dir");
    let cert = out.path().join("tls.cert");
    std::fs::write(&cert, &server.running.tls_cert_pem).expect("cert");
    let bin = env!("CARGO_BIN_EXE_autopilot-mock");
    let target = server.running.local_addr.to_string();
    let mac = server.running.paths.macaroon.clone();
    let run = tokio::process::Command::new(bin)
        .args(["fuzz", "--target", &target, "--tls-cert"])
        .arg(&cert)
        .arg("--macaroon")
        .arg(&mac)
        .args([
            "--iterations",
            "200",
            "--seed",
            "5",
            "--transport",
            "grpc",
            "--out",
        ])
        .arg(out.path())
        .output()
        .await
        .expect("runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON summary");
    assert_eq!(summary["inputs_tried"], 200);
    assert_eq!(summary["anomalies"], 0);
    assert_eq!(summary["seed"], 5);

    // A reproducer replays (here: a hand-made one that is not an anomaly).
    let repro = fuzz::Reproducer {
        seed: 5,
        iteration: 0,
        outcome: fuzz::Outcome::Timeout,
        case: fuzz::case::generate(5, 0, &[Transport::Grpc], 1 << 22),
    };
    let file = out.path().join("repro.json");
    std::fs::write(&file, serde_json::to_string(&repro).expect("json")).expect("write");
    let replay = tokio::process::Command::new(bin)
        .args(["fuzz", "--target", &target, "--tls-cert"])
        .arg(&cert)
        .arg("--macaroon")
        .arg(&mac)
        .arg("--replay")
        .arg(&file)
        .output()
        .await
        .expect("runs");
    let stdout = String::from_utf8_lossy(&replay.stdout);
    assert!(replay.status.success(), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON report");
    assert_eq!(report["anomaly"], false);
    assert_eq!(report["recorded"]["kind"], "timeout");

    let bad = tokio::process::Command::new(bin)
        .args(["fuzz", "--target", "127.0.0.1:1", "--tls-cert"])
        .arg(&cert)
        .arg("--macaroon")
        .arg(&mac)
        .args(["--iterations", "5"])
        .output()
        .await
        .expect("runs");
    assert_eq!(
        bad.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    server.running.shutdown().await;
}
