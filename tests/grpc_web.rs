//! litd's front door against the real binary: grpc-web (binary and text,
//! HTTP/1.1 and HTTP/2) through curl and two real grpc-web client libraries
//! from npm, the UI password on every transport, litrpc.Status, litd's
//! dispatch order and the itest matrix scenarios over all three transports.

mod common;

use std::path::Path;
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{binary, node_client, run_json_client, MockProcess};
use serde_json::{json, Value};

const PASSWORD: &str = "itest-ui-password";
const NO_MACAROON: &str = "expected 1 macaroon, got 0";

fn basic() -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{PASSWORD}:{PASSWORD}"))
    )
}

fn lit_hex(server: &MockProcess) -> String {
    hex::encode(std::fs::read(server.macaroon()).expect("lit.macaroon"))
}

use common::curl::Answer;

/// `curl -X POST` with these headers and body bytes.
fn curl(server: &MockProcess, http2: bool, path: &str, headers: &[&str], body: &[u8]) -> Answer {
    curl_method(server, http2, "POST", path, headers, body)
}

fn curl_method(
    server: &MockProcess,
    http2: bool,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &[u8],
) -> Answer {
    let mut request = common::curl::Request::new(method, path).http2(http2);
    for h in headers {
        request = request.header(*h);
    }
    if method == "POST" {
        request = request.body(body);
    }
    common::curl::send(server, request)
}

/// grpc-message is percent-encoded on the wire.
fn percent_decoded(raw: &str) -> Vec<u8> {
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

const EMPTY_FRAME: &[u8] = &[0, 0, 0, 0, 0];
const STATUS: &str = "/litrpc.Status/SubServerStatus";
const FEATURES: &str = "/litrpc.Autopilot/ListAutopilotFeatures";

#[test]
fn grpc_web_binary_and_text_over_both_http_versions() {
    let server = MockProcess::serve_temp(["--ui-password", PASSWORD]);
    for http2 in [false, true] {
        // W1s: Status needs no credentials; the status is in the trailer frame.
        let a = curl(
            &server,
            http2,
            STATUS,
            &["content-type: application/grpc-web+proto", "x-grpc-web: 1"],
            EMPTY_FRAME,
        );
        assert_eq!(a.status, 200);
        assert_eq!(a.header("grpc-status"), None);
        assert_eq!(a.header("content-type"), Some("application/grpc-web+proto"));
        assert_eq!(a.header("vary"), Some("Origin"));
        assert!(a
            .header("access-control-expose-headers")
            .is_some_and(|v| v.ends_with("grpc-status, grpc-message")));
        assert_eq!(a.header("access-control-allow-origin"), None);
        assert_eq!(a.body[0], 0x00);
        assert!(a.body.ends_with(b"\x80\x00\x00\x00\x10grpc-status: 0\r\n"));

        // W1: no macaroon, trailers-only.
        let a = curl(
            &server,
            http2,
            FEATURES,
            &[
                "content-type: application/grpc-web+proto",
                "origin: https://elsewhere.example",
            ],
            EMPTY_FRAME,
        );
        assert_eq!(a.status, 200);
        assert_eq!(a.header("grpc-status"), Some("2"));
        assert_eq!(a.header("grpc-message"), Some(NO_MACAROON));
        assert!(a.body.is_empty());
        assert_eq!(a.header("access-control-allow-origin"), None);

        // W2: the UI password.
        let auth = format!("authorization: {}", basic());
        let a = curl(
            &server,
            http2,
            FEATURES,
            &["content-type: application/grpc-web", &auth],
            EMPTY_FRAME,
        );
        assert_eq!(a.header("grpc-status"), None);
        assert!(String::from_utf8_lossy(&a.body).contains("grpc-status: 0"));

        // Text mode: one padded base64 chunk per frame.
        let a = curl(
            &server,
            http2,
            STATUS,
            &["content-type: application/grpc-web-text"],
            b"AAAAAAA=",
        );
        assert_eq!(a.header("content-type"), Some("application/grpc-web-text"));
        let text = String::from_utf8(a.body).expect("base64 text");
        let trailer = STANDARD.encode(b"\x80\x00\x00\x00\x10grpc-status: 0\r\n");
        assert!(text.ends_with(&trailer), "{text}");
        let first = STANDARD
            .decode(&text[..text.len() - trailer.len()])
            .expect("the message chunk is padded base64 on its own");
        assert_eq!(first[0], 0);
    }
}

#[test]
fn bad_grpc_web_bodies_get_grpc_gos_answers_and_the_server_stays_up() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let mac = format!("macaroon: {}", lit_hex(&server));
    let web = "content-type: application/grpc-web+proto";
    let text = "content-type: application/grpc-web-text";
    let cases: [(&str, &[u8], &str, &str); 6] = [
        (web, b"", "2", "EOF"),
        (web, b"\x00\x00\x00", "2", "unexpected EOF"),
        (web, b"\x00\x00\x00\x00\x09\x01", "2", "unexpected EOF"),
        (
            web,
            b"\x07\x00\x00\x00\x00",
            "13",
            "grpc: received unexpected payload format 7",
        ),
        (
            web,
            b"\x00\xff\xff\xff\xff",
            "8",
            "grpc: received message larger than max (4294967295 vs. 4194304)",
        ),
        (
            text,
            b"AA*AAAA=",
            "2",
            "connection error: desc = \"illegal base64 data at input byte 2\"",
        ),
    ];
    for (ct, body, code, message) in cases {
        let a = curl(&server, true, FEATURES, &[ct, &mac], body);
        assert_eq!(a.status, 200, "{body:?}");
        assert_eq!(a.header("grpc-status"), Some(code), "{body:?}");
        let got = String::from_utf8_lossy(&percent_decoded(a.header("grpc-message").unwrap_or("")))
            .into_owned();
        assert_eq!(got, message, "{body:?}");
        assert!(a.body.is_empty());
    }
    // Text sent as binary: grpc-go reads `AAAA` as the length first.
    let a = curl(&server, false, FEATURES, &[web, &mac], b"AAAAAAA=");
    assert_eq!(a.header("grpc-status"), Some("8"));
    // A content type grpc-go refuses after the conversion.
    let a = curl(
        &server,
        false,
        FEATURES,
        &["content-type: application/grpc-webby"],
        EMPTY_FRAME,
    );
    assert_eq!(a.status, 415);
    assert_eq!(
        String::from_utf8_lossy(&a.body),
        "invalid gRPC request content-type \"application/grpcby\"\n"
    );
    // Unknown methods, on gRPC-web: litd's `unknown request`.
    let a = curl(
        &server,
        true,
        "/litrpc.Sessions/Nope",
        &[web, &mac],
        EMPTY_FRAME,
    );
    assert_eq!(a.header("grpc-message"), Some("unknown request"));
    // Still serving.
    let a = curl(&server, true, FEATURES, &[web, &mac], EMPTY_FRAME);
    assert_eq!(a.header("grpc-status"), None);
    assert!(a.body.ends_with(b"grpc-status: 0\r\n"));
}

#[test]
fn rest_status_basic_auth_and_the_other_paths() {
    let server = MockProcess::serve_temp(["--ui-password", PASSWORD]);
    let get = |path: &str, headers: &[&str]| curl_method(&server, true, "GET", path, headers, b"");
    // R1 for Status: no credentials needed; litd's JSON (no space after ':').
    let a = get("/v1/status", &[]);
    assert_eq!(a.status, 200);
    let body = String::from_utf8_lossy(&a.body);
    assert!(body.contains("\"sub_servers\":"), "{body}");
    assert!(body.contains(
        "\"lit\":{\"disabled\":false,\"running\":true,\"error\":\"\",\"custom_status\":\"\"}"
    ));
    // R1, R2, R3.
    let a = get("/v1/autopilot/features", &[]);
    assert_eq!(a.status, 500);
    assert!(String::from_utf8_lossy(&a.body).contains(NO_MACAROON));
    let auth = format!("Authorization: {}", basic());
    let a = get("/v1/autopilot/features", &[&auth]);
    assert!(String::from_utf8_lossy(&a.body).contains("\"features\":{"));
    // I1: litd's UI page for /index.html and client-side routes.
    for path in ["/index.html", "/loop"] {
        let a = get(path, &[]);
        assert!(String::from_utf8_lossy(&a.body).contains("<title>Lightning Terminal</title>"));
    }
    // A grpc-web preflight never reaches grpc-web (litd's dispatcher).
    let a = curl_method(
        &server,
        false,
        "OPTIONS",
        STATUS,
        &["origin: https://x.example"],
        b"",
    );
    assert_eq!(a.header("access-control-allow-origin"), None);

    // Without a UI password: Basic is off and other paths are 401.
    let plain = MockProcess::serve_temp(Vec::<String>::new());
    let a = curl_method(&plain, true, "GET", "/v1/autopilot/features", &[&auth], b"");
    assert!(String::from_utf8_lossy(&a.body).contains(NO_MACAROON));
    let a = curl_method(&plain, true, "GET", "/index.html", &[], b"");
    assert_eq!(a.status, 401);
    assert!(a.body.is_empty());
}

#[test]
fn the_ui_password_flag_follows_litds_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        Command::new(binary())
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--lit-dir"])
            .arg(dir.path())
            .args(args)
            .env_remove("AUTOPILOT_MOCK_UI_PASSWORD")
            .output()
            .expect("serve runs")
    };
    let out = run(&["--ui-password", " 1234567 "]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("please set a strong password for the UI, at least 8 characters long"));
    let out = run(&["--ui-password", "   "]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "could not read UI password: mandatory password for UI not configured. specify either a \
         password directly or a file or environment variable that contains the password"
    ));
    // From a file, trimmed; then the password works over gRPC-web.
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("  {PASSWORD}\n")).expect("write");
    let server = MockProcess::serve_temp([Path::new("--ui-password-file"), &file]);
    let auth = format!("authorization: {}", basic());
    let a = curl(
        &server,
        true,
        FEATURES,
        &["content-type: application/grpc-web", &auth],
        EMPTY_FRAME,
    );
    assert_eq!(a.header("grpc-status"), None);
}

/// The itest matrix and every shipped scenario, through `check`, over
/// grpc-web (gRPC and REST run in scenarios_check.rs), and run A of the
/// matrix (UI password set) over all three transports.
#[test]
fn shipped_scenarios_pass_over_grpc_web_and_the_ui_password_matrix_over_all() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let check = |server: &MockProcess, transport: &str, what: &Path| {
        let out = common::check_command(server)
            .args(["--transport", transport])
            .arg("--root-key")
            .arg(server.lit_dir().join("regtest").join("macaroons.key"))
            .arg(what)
            .output()
            .expect("check runs");
        common::succeeded("check", &out)
    };
    let plain = MockProcess::serve_temp(Vec::<String>::new());
    let out = check(&plain, "grpc-web", &scenarios);
    assert!(out.contains("ok   litd-itest-matrix [grpc-web]"), "{out}");
    assert!(out.contains("ok   status [grpc-web]"), "{out}");
    assert!(out.contains("0 failed"), "{out}");

    let ui = MockProcess::serve_temp(["--ui-password", PASSWORD]);
    let out = check(&ui, "all", &scenarios.join("ui-password"));
    for t in ["grpc", "rest", "grpc-web"] {
        assert!(
            out.contains(&format!("ok   litd-itest-matrix-ui-password [{t}]")),
            "{out}"
        );
    }
}

/// litd's UI library (@improbable-eng/grpc-web over Node's HTTP/1.1) and
/// connect-node's grpc-web transport (HTTP/1.1 and HTTP/2), unchanged.
#[test]
fn real_grpc_web_clients_from_npm() {
    let server = MockProcess::serve_temp(["--ui-password", PASSWORD]);
    let dir = tempfile::tempdir().expect("temp dir");
    let descriptors = dir.path().join("descriptors.bin");
    std::fs::write(&descriptors, autopilot_mock::proto::FILE_DESCRIPTOR_SET).expect("write");
    let mac = lit_hex(&server);
    let mut calls = Vec::new();
    for client in ["improbable", "connect-h1", "connect-h2"] {
        calls.push(
            json!({"client": client, "method": "litrpc.Status/SubServerStatus", "request": {}}),
        );
        calls.push(json!({"client": client, "method": "litrpc.Autopilot/ListAutopilotFeatures", "request": {}}));
        calls.push(json!({"client": client, "method": "litrpc.Autopilot/ListAutopilotFeatures", "request": {},
                          "headers": {"macaroon": mac}}));
        calls.push(json!({"client": client, "method": "litrpc.Autopilot/ListAutopilotSessions", "request": {},
                          "headers": {"authorization": basic()}}));
    }
    let plan = dir.path().join("plan.json");
    let base_url = format!("https://localhost:{}", server.port());
    std::fs::write(
        &plan,
        json!({"base_url": base_url, "descriptor_set": descriptors, "calls": calls}).to_string(),
    )
    .expect("write plan");
    let mut command = node_client("grpc-web.js");
    command
        .arg(&plan)
        .env("NODE_EXTRA_CA_CERTS", server.tls_cert());
    let out = run_json_client(command);
    let results = out["results"].as_array().expect("results");
    assert_eq!(results.len(), 12, "{out}");
    for chunk in results.chunks(4) {
        let client = &chunk[0]["client"];
        let [status, none, lit, basic] = chunk else {
            unreachable!()
        };
        assert_eq!(status["code"], 0, "{client}: {status}");
        let subs = &status["response"]["sub_servers"];
        assert_eq!(
            subs.as_object().map(|o| o.len()),
            Some(7),
            "{client}: {status}"
        );
        assert_eq!(subs["lit"]["running"], true, "{client}");
        assert_eq!(none["code"], 2, "{client}: {none}");
        assert_eq!(none["message"], NO_MACAROON, "{client}");
        assert_eq!(lit["code"], 0, "{client}: {lit}");
        assert!(lit["response"]["features"].is_object(), "{client}: {lit}");
        assert_eq!(basic["code"], 0, "{client}: {basic}");
        assert!(
            basic["response"]["sessions"].is_array(),
            "{client}: {basic}"
        );
    }
    // The libraries saw litd's response headers.
    let headers: &Value = &results[2]["headers"];
    assert_eq!(headers["vary"], "Origin", "{headers}");
}
