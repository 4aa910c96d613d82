//! The journal of received calls, end to end: every litd call on gRPC and
//! REST (accepted, refused, undecodable; gRPC bytes that do not decode) is in `GET /_autopilot-mock/v1/requests`
//! and `MockServer::requests()`, filtered and cleared over the admin API,
//! limited by `serve --requests-limit`, and never shows a macaroon.

mod common;

use autopilot_mock::domain::Code;
use autopilot_mock::fuzz::{Case, MacaroonUse, Outcome, Target, Transport as FuzzTransport};
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use autopilot_mock::rpc::{AuthOutcome, CredentialKind, Rpc, Transport};
use autopilot_mock::MockServer;
use serde_json::{json, Value};

const REQUESTS: &str = "/_autopilot-mock/v1/requests";

fn https_client(cert_pem: &str) -> reqwest::Client {
    let tls = autopilot_mock::tls::client_config(cert_pem).expect("client TLS config");
    let mut tls = (*tls).clone();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client")
}

struct Rest {
    http: reqwest::Client,
    base: String,
    macaroon: String,
}

impl Rest {
    fn for_server(server: &MockServer) -> Rest {
        Rest {
            http: https_client(server.tls_cert_pem()),
            base: format!("https://localhost:{}", server.addr().port()),
            macaroon: server.macaroon_hex(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        macaroon: Option<&[u8]>,
        body: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(m) = macaroon {
            let value = reqwest::header::HeaderValue::from_bytes(m).expect("header bytes");
            req = req.header("Grpc-Metadata-Macaroon", value);
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn requests(&self, query: &str) -> Vec<Value> {
        let path = format!("{REQUESTS}{query}");
        let (status, body) = self
            .send(
                reqwest::Method::GET,
                &path,
                Some(self.macaroon.as_bytes()),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["entries"].as_array().cloned().expect("entries")
    }
}

#[tokio::test]
async fn every_call_on_both_transports_is_journaled() {
    let server = MockServer::start().await;
    let rest = Rest::for_server(&server);
    let lit = server.macaroon_hex();

    // gRPC: an accepted Add, then a List without a macaroon (refused).
    let mut client = server.client().await.expect("client");
    let added = client
        .add_autopilot_session(p::AddAutopilotSessionRequest {
            label: "journaled".into(),
            expiry_timestamp_seconds: server.now_unix() as u64 + 3600,
            mailbox_server_addr: "mailbox.example:443".into(),
            features: [("HealthCheck".to_string(), p::FeatureConfig::default())].into(),
            ..Default::default()
        })
        .await
        .expect("added")
        .into_inner();
    let mut bare = AutopilotClient::new(server.channel().await.expect("channel"));
    let refused = bare
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect_err("no macaroon");
    assert_eq!(refused.message(), "expected 1 macaroon, got 0");

    // REST: an accepted List, a body that does not decode, and a macaroon
    // header whose bytes are not UTF-8.
    let (status, listed) = rest
        .send(
            reqwest::Method::GET,
            "/v1/autopilot/sessions",
            Some(lit.as_bytes()),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = rest
        .send(
            reqwest::Method::POST,
            "/v1/autopilot/sessions",
            Some(lit.as_bytes()),
            Some("{not json"),
        )
        .await;
    assert_eq!(status, 400);
    let (status, bad_bytes) = rest
        .send(
            reqwest::Method::GET,
            "/v1/autopilot/features",
            Some(&[0x30, 0xff, 0x31]),
            None,
        )
        .await;
    assert_eq!(status, 500);

    let entries = rest.requests("").await;
    assert_eq!(entries.len(), 5, "{entries:#?}");
    let seqs: Vec<u64> = entries
        .iter()
        .map(|e| e["seq"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);

    let add = &entries[0];
    assert_eq!(add["method"], "/litrpc.Autopilot/AddAutopilotSession");
    assert_eq!(add["transport"], "grpc");
    assert_eq!(add["credential"], "macaroon");
    assert_eq!(add["auth"], json!({"result": "ok"}));
    assert_eq!(add["request"]["label"], "journaled");
    assert_eq!(add["error"], Value::Null);
    let session = added.session.expect("session");
    assert_eq!(
        add["response"]["session"]["pairing_secret_mnemonic"],
        session.pairing_secret_mnemonic
    );
    assert!(add["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(add["time"].as_str().is_some_and(|t| t.ends_with('Z')));

    let list_refused = &entries[1];
    assert_eq!(list_refused["credential"], "none");
    assert_eq!(
        list_refused["auth"],
        json!({"result": "refused", "message": "expected 1 macaroon, got 0"})
    );
    assert_eq!(
        list_refused["error"],
        json!({"code": "Unknown", "code_number": 2, "message": "expected 1 macaroon, got 0"})
    );
    assert_eq!(list_refused["request"], json!({}));

    let list = &entries[2];
    assert_eq!(list["transport"], "rest");
    assert_eq!(list["response"], listed);

    let undecodable = &entries[3];
    assert_eq!(
        undecodable["method"],
        "/litrpc.Autopilot/AddAutopilotSession"
    );
    assert_eq!(undecodable["auth"], json!({"result": "not_checked"}));
    assert_eq!(undecodable["request"], Value::Null);
    assert_eq!(undecodable["error"]["code"], "InvalidArgument");
    // grpc-gateway reads the first JSON value with encoding/json first.
    assert_eq!(
        undecodable["error"]["message"],
        "invalid character 'n' looking for beginning of object key string"
    );

    let raw = &entries[4];
    assert_eq!(raw["credential"], "macaroon");
    assert_eq!(raw["error"]["message"], bad_bytes["message"]);
    assert_eq!(raw["auth"]["result"], "refused");

    // No macaroon anywhere in the journal.
    let text = Value::Array(entries.clone()).to_string();
    assert!(!text.contains(&lit), "the journal shows the macaroon");
    assert!(!text.contains(&lit[..32]));

    // The same entries through the library.
    let calls = server.requests();
    assert_eq!(calls.len(), 5);
    assert_eq!(calls[0].rpc, Rpc::AddAutopilotSession);
    assert_eq!(calls[1].transport, Transport::Grpc);
    assert_eq!(calls[1].credential, CredentialKind::None);
    assert_eq!(
        calls[1].auth,
        AuthOutcome::Refused("expected 1 macaroon, got 0".into())
    );
    assert_eq!(
        calls[3].response,
        Err((
            Code::InvalidArgument,
            entries[3]["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        ))
    );
    assert_eq!(calls[2].to_json()["response"], listed);
}

/// Raw gRPC bytes to `path`, with or without the server's macaroon.
fn raw_grpc(path: &str, message: &[u8], macaroon: bool) -> Case {
    Case {
        transport: FuzzTransport::Grpc,
        method: "POST".into(),
        path: path.into(),
        headers: vec![
            ("content-type".into(), "application/grpc".into()),
            ("te".into(), "trailers".into()),
        ],
        macaroon: if macaroon {
            MacaroonUse::Valid
        } else {
            MacaroonUse::Omit
        },
        body_hex: hex::encode(autopilot_mock::fuzz::mutate::frame(message)),
        what: "journal".into(),
    }
}

#[tokio::test]
async fn grpc_requests_that_do_not_decode_are_journaled_with_grpc_gos_text() {
    let server = MockServer::start().await;
    let rest = Rest::for_server(&server);
    let target = Target::new(
        server.addr(),
        server.tls_cert_pem(),
        server.macaroon_hex(),
        std::time::Duration::from_secs(10),
    )
    .expect("target");
    let add = Rpc::AddAutopilotSession.full_method();
    // Garbage with the macaroon; a label that is not UTF-8 without one
    // (litd decodes before it authenticates, so the decoder answers).
    let garbage = target
        .send(&mut None, &raw_grpc(add, &[0xff; 40], true))
        .await;
    let not_utf8 = target
        .send(&mut None, &raw_grpc(add, &[0x0a, 0x02, 0xff, 0xfe], false))
        .await;
    let texts: Vec<String> = [garbage, not_utf8]
        .into_iter()
        .map(|outcome| match outcome {
            Outcome::Error { code, message, .. } => {
                assert_eq!(code, Code::Internal as i32, "{message}");
                message
            }
            other => panic!("expected Internal, got {other:?}"),
        })
        .collect();
    let prefix = texts[0]
        .strip_suffix("cannot parse invalid wire-format data")
        .expect("protobuf-go's text");
    assert!(
        [
            "grpc: error unmarshalling request: proto: ",
            "grpc: error unmarshalling request: proto:\u{a0}"
        ]
        .contains(&prefix),
        "{:?}",
        texts[0]
    );
    assert_eq!(
        texts[1],
        "grpc: error unmarshalling request: string field contains invalid UTF-8"
    );

    let entries = rest.requests("").await;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    for (entry, (text, credential)) in entries
        .iter()
        .zip([(&texts[0], "macaroon"), (&texts[1], "none")])
    {
        assert_eq!(entry["method"], add);
        assert_eq!(entry["transport"], "grpc");
        assert_eq!(entry["credential"], credential);
        assert_eq!(entry["auth"], json!({"result": "not_checked"}));
        assert_eq!(entry["request"], Value::Null);
        assert_eq!(
            entry["error"],
            json!({"code": "Internal", "code_number": 13, "message": text})
        );
    }
}

#[tokio::test]
async fn the_admin_api_filters_and_clears_the_journal() {
    let server = MockServer::start().await;
    let rest = Rest::for_server(&server);
    let lit = server.macaroon_hex();
    for path in [
        "/v1/autopilot/features",
        "/v1/autopilot/sessions",
        "/v1/autopilot/features",
    ] {
        let (status, _) = rest
            .send(reqwest::Method::GET, path, Some(lit.as_bytes()), None)
            .await;
        assert_eq!(status, 200);
    }
    let features = rest
        .requests("?method=%2Flitrpc.Autopilot%2FListAutopilotFeatures")
        .await;
    assert_eq!(features.len(), 2);
    assert_eq!(
        rest.requests("?method=ListAutopilotSessions").await.len(),
        1
    );
    let later = rest
        .requests("?since_seq=1&method=/litrpc.Autopilot/ListAutopilotFeatures")
        .await;
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["seq"], 3);

    // Reading needs autopilot:read, clearing autopilot:write; bad filters
    // are InvalidArgument.
    let (status, body) = rest.send(reqwest::Method::GET, REQUESTS, None, None).await;
    assert_eq!(
        (status, body["message"].clone()),
        (500, json!("expected 1 macaroon, got 0"))
    );
    let (status, body) = rest
        .send(
            reqwest::Method::GET,
            &format!("{REQUESTS}?since_seq=x"),
            Some(lit.as_bytes()),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "requests: since_seq \"x\" is not a number");
    let (status, body) = rest
        .send(
            reqwest::Method::GET,
            &format!("{REQUESTS}?method=Nope"),
            Some(lit.as_bytes()),
            None,
        )
        .await;
    assert_eq!(
        (status, body["message"].clone()),
        (400, json!("requests: no method \"Nope\""))
    );

    let (status, _) = rest
        .send(
            reqwest::Method::DELETE,
            REQUESTS,
            Some(lit.as_bytes()),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // Reading the journal is not a litd call: it is empty now.
    assert!(rest.requests("").await.is_empty());
    assert!(server.requests().is_empty());
    // Numbering goes on.
    rest.send(
        reqwest::Method::GET,
        "/v1/autopilot/features",
        Some(lit.as_bytes()),
        None,
    )
    .await;
    assert_eq!(rest.requests("").await[0]["seq"], 4);
}

#[test]
fn serve_requests_limit_keeps_the_newest_calls() {
    let mut mock = common::MockProcess::serve_temp(["--requests-limit", "2"]);
    let cert = std::fs::read_to_string(mock.tls_cert()).expect("cert");
    let macaroon = hex::encode(std::fs::read(mock.macaroon()).expect("macaroon"));
    let port = mock.port();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let entries = runtime.block_on(async {
        let rest = Rest {
            http: https_client(&cert),
            base: format!("https://localhost:{port}"),
            macaroon,
        };
        for _ in 0..3 {
            let (status, _) = rest
                .send(
                    reqwest::Method::GET,
                    "/v1/autopilot/features",
                    Some(rest.macaroon.as_bytes()),
                    None,
                )
                .await;
            assert_eq!(status, 200);
        }
        rest.requests("").await
    });
    let seqs: Vec<&Value> = entries.iter().map(|e| &e["seq"]).collect();
    assert_eq!(seqs, [&json!(2), &json!(3)]);
    mock.terminate();
}
