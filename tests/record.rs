//! `record` end to end: the built binary as a proxy in front of the mock,
//! driven by a `check` run over every shipped scenario and by litd's
//! documented Node sample; the scenarios it writes pass against a fresh mock
//! and fail against a deliberately wrong server.

mod common;
#[path = "common/wrong_servers.rs"]
mod wrong_servers;

use std::path::{Path, PathBuf};
use std::process::Output;

use autopilot_mock::proto::litrpc::autopilot_server::AutopilotServer;
use autopilot_mock::scenario::Scenario;
use common::MockProcess;

/// `autopilot-mock record` in front of `upstream`, writing to `out`.
fn record(upstream: &MockProcess, out: &Path) -> MockProcess {
    MockProcess::start([
        "record".to_string(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--upstream".into(),
        upstream.listen().to_string(),
        "--upstream-tls-cert".into(),
        upstream.tls_cert().display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ])
}

fn check(target: &str, cert: &Path, macaroon: &Path, extra: &[&str]) -> Output {
    common::check_with(target, cert, macaroon)
        .args(extra)
        .output()
        .expect("run autopilot-mock check")
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The recorded scenario files, each loaded (so each passes the checks a
/// scenario file gets when it is loaded: fields, matchers, requests).
fn recorded(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the out dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for f in &files {
        Scenario::load(f).unwrap_or_else(|e| panic!("{e}"));
    }
    files
}

#[test]
fn a_check_run_through_the_proxy_records_scenarios_that_pass_on_a_fresh_mock() {
    let upstream = MockProcess::serve_temp::<_, &str>([]);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("recorded");
    let mut proxy = record(&upstream, &out);
    // The ready line has serve's shape: where to connect, which certificate.
    let proxy_cert = proxy.tls_cert();
    assert!(proxy_cert.starts_with(&out), "{}", proxy.ready);
    // Every shipped scenario over gRPC, REST and grpc-web.
    let through = check(
        proxy.listen(),
        &proxy_cert,
        &upstream.macaroon(),
        &["--transport", "all"],
    );
    assert_eq!(through.status.code(), Some(0), "{}", text(&through));
    assert!(proxy.terminate().success(), "{}", proxy.stderr());
    let files = recorded(&out);
    // One file per shipped scenario and transport (each check run resets the mock).
    assert!(files.len() >= 45, "{}", files.len());
    let web = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("over grpc-web")))
        .count();
    assert!(web >= 15, "{web} grpc-web recordings");
    let sample = std::fs::read_to_string(&files[1]).expect("read a recording");
    assert!(sample.contains("\"$shape\": \"pubkey33\""), "{sample}");
    assert!(!sample.contains(&hex::encode(
        std::fs::read(upstream.macaroon()).expect("macaroon")
    )));

    let fresh = MockProcess::serve_temp::<_, &str>([]);
    let replay = check(
        fresh.listen(),
        &fresh.tls_cert(),
        &fresh.macaroon(),
        &["--transport", "all", &out.display().to_string()],
    );
    let shown = text(&replay);
    assert_eq!(replay.status.code(), Some(0), "{shown}");
    assert!(shown.contains(" 0 failed"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_scenarios_fail_against_a_wrong_server() {
    let upstream = MockProcess::serve_temp::<_, &str>([]);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("recorded");
    let mut proxy = record(&upstream, &out);
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/add-session.json");
    let through = check(
        proxy.listen(),
        &proxy.tls_cert(),
        &upstream.macaroon(),
        &["--transport", "grpc", &scenario.display().to_string()],
    );
    assert_eq!(through.status.code(), Some(0), "{}", text(&through));
    assert!(proxy.terminate().success(), "{}", proxy.stderr());
    assert!(!recorded(&out).is_empty());

    let router =
        tonic::service::Routes::new(AutopilotServer::new(wrong_servers::Naive)).into_axum_router();
    let (addr, cert_pem, _stop) = wrong_servers::serve_tls(router).await;
    let cert = dir.path().join("wrong.cert");
    std::fs::write(&cert, cert_pem).expect("write cert");
    let macaroon = upstream.macaroon();
    let out_arg = out.display().to_string();
    let replay = tokio::task::spawn_blocking(move || {
        check(
            &addr.to_string(),
            &cert,
            &macaroon,
            &["--transport", "grpc", &out_arg],
        )
    })
    .await
    .expect("check ran");
    let shown = text(&replay);
    assert_eq!(replay.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("FAIL #1 AddAutopilotSession over grpc (AddAutopilotSession): expected OK, got InvalidArgument: \"features must not be empty\""),
        "{shown}"
    );
}

#[test]
fn litds_node_sample_through_the_proxy_records_a_scenario_that_replays() {
    let upstream = MockProcess::serve_temp::<_, &str>([]);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("recorded");
    let mut proxy = record(&upstream, &out);
    let mut sample = common::node_client("litd-sample.js");
    sample
        .arg(format!("localhost:{}", proxy.port()))
        .arg(proxy.tls_cert())
        .arg(upstream.macaroon())
        .env("GRPC_SSL_CIPHER_SUITES", "HIGH+ECDSA");
    let flow = common::run_json_client(sample);
    assert!(flow["added"]["session"].is_object(), "{flow}");
    assert!(proxy.terminate().success(), "{}", proxy.stderr());
    let files = recorded(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    let text_of = std::fs::read_to_string(&files[0]).expect("read");
    // The sample revokes the session it added: the revoke refers to it.
    assert!(
        text_of.contains("\"local_public_key\": \"${local_public_key_"),
        "{text_of}"
    );

    let fresh = MockProcess::serve_temp::<_, &str>([]);
    let replay = check(
        fresh.listen(),
        &fresh.tls_cert(),
        &fresh.macaroon(),
        &[&files[0].display().to_string()],
    );
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay));
}
