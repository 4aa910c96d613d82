//! `autopilot-mock stub` as a separate process on a real socket: `serve
//! --autopilot-addr` registers with it as litd's client does, a grpcio
//! client generated from our autopilotserver proto calls it, and start-up
//! failures read as litd's.

mod common;

use std::process::Command;
use std::time::Duration;

use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use common::{python_client, run_json_client, wait_timeout, MockProcess};
use serde_json::{json, Value};

fn stub(extra: &[&str], dir: &tempfile::TempDir) -> MockProcess {
    let mut args = vec!["stub", "--listen", "127.0.0.1:0"];
    let lit_dir = dir.path().join("stub");
    let lit_dir = lit_dir.to_str().expect("utf-8 temp path");
    args.extend(["--lit-dir", lit_dir]);
    args.extend(extra);
    MockProcess::start(args)
}

fn write_script(dir: &tempfile::TempDir, json: &str) -> String {
    let path = dir.path().join("script.json");
    std::fs::write(&path, json).expect("write script");
    path.to_str().expect("utf-8").to_string()
}

/// Runs the binary to completion (it must fail to start); returns stderr.
fn failing_start(args: &[&str]) -> String {
    let mut child = Command::new(common::binary())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let status = wait_timeout(&mut child, Duration::from_secs(30)).expect("exits");
    assert!(!status.success(), "{args:?} must fail");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    stderr
}

mod common_client {
    use super::*;
    use tonic::service::interceptor::InterceptedService;
    use tonic::transport::Channel;

    #[derive(Clone)]
    pub struct Mac(String);
    impl tonic::service::Interceptor for Mac {
        fn call(&mut self, mut r: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
            let v = self.0.parse().map_err(|_| tonic::Status::internal("hex"))?;
            r.metadata_mut().insert("macaroon", v);
            Ok(r)
        }
    }
    pub type Client = AutopilotClient<InterceptedService<Channel, Mac>>;

    pub async fn connect(serve: &MockProcess) -> Client {
        let pem = std::fs::read_to_string(serve.tls_cert()).expect("serve cert");
        let addr = serve.listen().parse().expect("listen addr");
        let channel = autopilot_mock::client::connect(addr, &pem)
            .await
            .expect("connect to serve");
        let mac = hex::encode(std::fs::read(serve.macaroon()).expect("macaroon"));
        AutopilotClient::with_interceptor(channel, Mac(mac))
    }
}

fn add_request() -> p::AddAutopilotSessionRequest {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    p::AddAutopilotSessionRequest {
        label: "over the wire".into(),
        expiry_timestamp_seconds: now + 86_400,
        mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
        features: [("HealthCheck".to_string(), p::FeatureConfig::default())].into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn serve_registers_with_a_standalone_stub_over_tls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_script(
        &dir,
        r#"{"responses":{"RegisterSession":[
            {"reply":"default"},
            {"reply":{"error":{"code":"Unavailable","message":"registration closed"}}}]}}"#,
    );
    let mut stub = stub(&["--script", &script], &dir);
    let cert = stub.ready_str("tls_cert").to_string();
    assert!(cert.ends_with("stub/tls.cert"), "{}", stub.ready);
    let serve = MockProcess::serve_temp([
        "--autopilot-addr",
        stub.listen(),
        "--autopilot-tls-cert",
        &cert,
    ]);
    let mut c = common_client::connect(&serve).await;

    let features = c
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect("features from the stub")
        .into_inner()
        .features;
    assert_eq!(
        features.keys().collect::<Vec<_>>(),
        ["AutoFees", "HealthCheck"]
    );
    let session = c
        .add_autopilot_session(add_request())
        .await
        .expect("registered over the wire")
        .into_inner()
        .session
        .expect("session");
    assert_eq!(session.remote_public_key.len(), 33);
    let status = c
        .add_autopilot_session(add_request())
        .await
        .expect_err("scripted refusal");
    assert_eq!(status.code(), tonic::Code::Unknown);
    assert_eq!(
        status.message(),
        "error registering session with autopilot server: registration closed"
    );
    c.revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
        local_public_key: session.local_public_key,
    })
    .await
    .expect("revoked");

    // The stub goes away: ListFeatures errors keep their code.
    assert!(stub.terminate().success());
    let status = c
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect_err("nobody listens");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    assert!(
        status.message().starts_with("connection error: desc = "),
        "{status:?}"
    );
}

/// A failed Terms check (too old, or nobody listening) leaves serve up:
/// litrpc.Autopilot answers `lit is not ready for: <method>`, as litd does.
#[tokio::test]
async fn terms_check_and_unreachable_server_leave_serve_up_but_not_ready() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_script(
        &dir,
        r#"{"terms":{"min_required_version":{"major":1,"minor":0,"patch":0}}}"#,
    );
    let stub = stub(&["--insecure", "--script", &script], &dir);
    assert!(stub.ready.get("tls_cert").is_none(), "{}", stub.ready);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let nobody = format!("127.0.0.1:{port}");
    let cases = [
        (
            stub.listen().to_string(),
            "lit must be on at least version v1.0.0 to be compatile with the autopilot server",
        ),
        (
            nobody,
            "rpc error: code = Unavailable desc = connection error",
        ),
    ];
    for (addr, reason) in cases {
        let mut serve =
            MockProcess::serve_temp(["--autopilot-addr", &addr, "--autopilot-insecure"]);
        let mut c = common_client::connect(&serve).await;
        let status = c
            .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
            .await
            .expect_err("not ready");
        assert_eq!(status.code(), tonic::Code::Unknown);
        assert_eq!(
            status.message(),
            "lit is not ready for: /litrpc.Autopilot/ListAutopilotSessions"
        );
        drop(c);
        assert!(serve.terminate().success());
        let stderr = serve.stderr();
        assert!(
            stderr.contains(&format!(
                "could not start Lit: could not start litd sub-servers: could not start the autopilot client: {reason}"
            )),
            "{stderr}"
        );
    }
    let lit = dir.path().join("lit");
    let lit = lit.to_str().expect("utf-8");
    let stderr = failing_start(&["serve", "--lit-dir", lit, "--autopilot-addr", "127.0.0.1:1"]);
    assert!(
        stderr.contains("--autopilot-insecure or --autopilot-tls-cert"),
        "{stderr}"
    );
}

#[test]
fn bad_script_files_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_script(
        &dir,
        r#"{"responses":{"RegisterSession":[{"reply":"sometimes"}]}}"#,
    );
    let stderr = failing_start(&[
        "stub",
        "--listen",
        "127.0.0.1:0",
        "--insecure",
        "--script",
        &script,
    ]);
    assert!(
        stderr.contains(&format!(
            "invalid script {script}: responses.RegisterSession[0]: reply:"
        )),
        "{stderr}"
    );
}

#[test]
fn python_grpcio_client_calls_the_standalone_stub() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stub = stub(&[], &dir);
    let cert = stub.ready_str("tls_cert").to_string();
    let target = format!("localhost:{}", stub.port());
    let mut command = python_client("stub_client.py");
    command.args([&target, &cert]);
    let out = run_json_client(command);
    assert_eq!(
        out["terms"],
        serde_json::json!({"min_required_version": {"major": 0, "minor": 0, "patch": 0}})
    );
    let features = out["features"]["features"]
        .as_object()
        .expect("features map");
    // Python's map order is not the wire order: compare as a set.
    let mut names: Vec<&String> = features.keys().collect();
    names.sort();
    assert_eq!(names, ["AutoFees", "HealthCheck"]);
    assert_eq!(
        features["HealthCheck"]["permissions_list"][0]["method"],
        "/lnrpc.Lightning/GetInfo"
    );
    let key = out["registered"]["initiator_pub_key"]
        .as_str()
        .expect("base64 key");
    assert_eq!(key.len(), 44, "33 bytes in base64: {key}");
    assert_eq!(
        out["registered_again_error"],
        serde_json::json!({"code": 2, "details": "client already registered"})
    );
    assert_eq!(
        out["activated"],
        serde_json::json!({"initiator_pub_key": ""})
    );
    assert_eq!(out["revoked"], serde_json::json!({}));
    assert_eq!(
        out["activate_unknown_error"],
        serde_json::json!({"code": 2, "details": "no such client"})
    );
}

/// curl against the stub's own port: its admin API.
fn stub_admin(stub: &MockProcess, cert: Option<&str>, args: &[&str], path: &str) -> (u16, Value) {
    let scheme = if cert.is_some() { "https" } else { "http" };
    let mut command = Command::new("curl");
    command.args(["-sS", "-w", "\n%{http_code}"]);
    if let Some(cert) = cert {
        command.args(["--cacert", cert]);
    }
    let port = stub.listen().rsplit(':').next().expect("port").to_string();
    let out = command
        .args(args)
        .arg(format!(
            "{scheme}://localhost:{port}/_autopilot-mock/v1{path}"
        ))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').expect("status line");
    let value = serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON from {path}: {text}"));
    (code.trim().parse().expect("HTTP status"), value)
}

/// `autopilot-mock stub` serves script, journal and reset on its port, so a
/// `serve --autopilot-addr` set-up is scriptable while it runs; reset brings
/// the stub's start-up script back.
#[tokio::test]
async fn the_standalone_stubs_admin_api_scripts_it_while_serve_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut stub = stub(&[], &dir);
    let cert = stub.ready_str("tls_cert").to_string();
    let serve = MockProcess::serve_temp([
        "--autopilot-addr",
        stub.listen(),
        "--autopilot-tls-cert",
        &cert,
    ]);
    let mut c = common_client::connect(&serve).await;

    let (code, startup) = stub_admin(&stub, Some(&cert), &[], "/script");
    assert_eq!(code, 200, "{startup}");
    let closed = json!({"responses": {"RegisterSession": [
        {"reply": {"error": {"code": "Unavailable", "message": "closed for the test"}}}]}});
    let put = ["-X", "PUT", "-H", "content-type: application/json", "-d"];
    let body = closed.to_string();
    let args: Vec<&str> = put.iter().copied().chain([body.as_str()]).collect();
    let (code, echoed) = stub_admin(&stub, Some(&cert), &args, "/script");
    assert_eq!((code, &echoed), (200, &closed));
    let status = c
        .add_autopilot_session(add_request())
        .await
        .expect_err("the scripted refusal");
    assert_eq!(
        status.message(),
        "error registering session with autopilot server: closed for the test"
    );
    let (code, journal) = stub_admin(&stub, Some(&cert), &[], "/journal");
    assert_eq!(code, 200);
    let rpcs: Vec<&str> = journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["rpc"].as_str())
        .collect();
    assert!(rpcs.contains(&"RegisterSession"), "{journal}");

    // A bad script is refused and changes nothing.
    let args: Vec<&str> = put.iter().copied().chain(["{\"responses\":7}"]).collect();
    let (code, refused) = stub_admin(&stub, Some(&cert), &args, "/script");
    assert_eq!(
        (code, refused["code"].clone()),
        (400, json!(3)),
        "{refused}"
    );

    let (code, _) = stub_admin(&stub, Some(&cert), &["-X", "POST"], "/reset");
    assert_eq!(code, 200);
    let (_, after) = stub_admin(&stub, Some(&cert), &[], "/script");
    assert_eq!(after, startup);
    let (_, journal) = stub_admin(&stub, Some(&cert), &[], "/journal");
    assert_eq!(journal["entries"], json!([]));
    c.add_autopilot_session(add_request())
        .await
        .expect("the start-up script registers again");
    let (code, missing) = stub_admin(&stub, Some(&cert), &[], "/nope");
    assert_eq!(code, 404, "{missing}");
    assert!(stub.terminate().success());

    // Plaintext (`--insecure`, as litd's Go test server): HTTP/1.1 too.
    let mut plain = self::stub(&["--insecure"], &dir);
    let (code, script) = stub_admin(&plain, None, &["--http1.1"], "/script");
    assert_eq!((code, script), (200, startup));
    assert!(plain.terminate().success());
}
