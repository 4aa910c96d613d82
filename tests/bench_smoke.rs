//! The benchmark runs (a benchmark is not a test: no speed is asserted).
//! A few hundred calls through `autopilot-mock bench --target` over gRPC and
//! REST, and a very short whole suite, must answer with zero errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_autopilot-mock")
}

fn bench(args: &[&str]) -> serde_json::Value {
    let out = Command::new(bin())
        .arg("bench")
        .args(args)
        .output()
        .expect("bench runs");
    assert!(
        out.status.success(),
        "bench {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("bench prints JSON")
}

fn assert_ran(stats: &serde_json::Value, what: &str) {
    assert_eq!(stats["errors"], 0, "{what}: {stats}");
    assert!(stats["calls"].as_u64().unwrap_or(0) > 0, "{what}: {stats}");
    assert!(
        stats["rps"].as_f64().unwrap_or(0.0) > 0.0,
        "{what}: {stats}"
    );
}

#[test]
fn bench_drives_a_running_mock_over_grpc_and_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lit = dir.path().join("lit");
    let mut server = Command::new(bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
        .arg(&lit)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("ready JSON");
    let addr = ready["listen"].as_str().expect("listen").to_string();
    let lit = lit.to_str().expect("utf-8 path");
    for (rpc, transport) in [
        ("list-sessions", "grpc"),
        ("add-session", "grpc"),
        ("list-features", "rest"),
        ("revoke-session", "rest"),
    ] {
        let stats = bench(&[
            "--target",
            &addr,
            "--lit-dir",
            lit,
            "--rpc",
            rpc,
            "--transport",
            transport,
            "--sessions",
            "3",
            "--calls",
            "200",
            "--warmup",
            "0",
            "--duration",
            "20",
            "-c",
            "2",
            "-m",
            "4",
        ]);
        assert_ran(&stats, &format!("{rpc} over {transport}"));
        assert_eq!(stats["calls"], 200, "{rpc}: {stats}");
    }
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn the_whole_suite_runs_briefly() {
    let report = bench(&[
        "--duration",
        "0.3",
        "--warmup",
        "0",
        "--rounds",
        "1",
        "--scale",
        "20,40",
        "--startup-runs",
        "1",
        "-c",
        "1",
        "-m",
        "2",
        "--format",
        "json",
    ]);
    let rows = report["rows"].as_array().expect("rows");
    assert!(rows.len() >= 10, "{report}");
    for row in rows {
        assert_ran(&row["stats"], &format!("{} {}", row["server"], row["rpc"]));
    }
    assert!(report["warm"]["answered_ms"].as_f64().unwrap_or(0.0) > 0.0);
    assert!(report["rss_idle_kb"].as_u64().unwrap_or(0) > 0);
    assert_eq!(report["scale"].as_array().map(Vec::len), Some(2));
}
