//! The admin HTTP JSON API on the mock's port (`/_autopilot-mock/v1/...`):
//! macaroon-protected, replaces the script of a running server, reads the
//! journal, resets state and moves the clock, over a real TLS socket.

mod support;

use std::sync::Arc;

use autopilot_mock::domain::clock::OffsetClock;
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use autopilot_mock::server::{self, ServerConfig};
use autopilot_mock::stub::Rpc;
use serde_json::{json, Value};
use support::*;

const PREFIX: &str = "/_autopilot-mock/v1";

fn https_client(cert_pem: &str) -> reqwest::Client {
    let tls = autopilot_mock::tls::client_config(cert_pem).expect("client TLS config");
    let mut tls = (*tls).clone();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client")
}

struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        macaroon: Option<&str>,
        body: Option<String>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(m) = macaroon {
            req = req.header("Grpc-Metadata-Macaroon", m);
        }
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body: {text}"));
        (status, value)
    }
}

#[tokio::test]
async fn admin_api_scripts_a_running_server() {
    use reqwest::Method;
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = autopilot_mock::remote::Catalogue::default_catalogue().expect("catalogue");
    let listen = "127.0.0.1:0".parse().expect("addr");
    // The server's default clock: real time from a movable offset.
    let mut config = ServerConfig::new(dir.path().join("lit"), "regtest", listen, catalogue);
    config.clock = Arc::new(OffsetClock::new());
    let running = server::start(config).await.expect("starts");
    let stub = running.stub.clone().expect("in-process stub");
    let lit = hex::encode(std::fs::read(&running.paths.macaroon).expect("macaroon"));
    let read_only = hex::encode(running.auth.bake_read_only());
    let admin = Admin {
        http: https_client(&running.tls_cert_pem),
        base: format!("https://localhost:{}{PREFIX}", running.local_addr.port()),
    };
    let mut client = AutopilotClient::with_interceptor(
        tls_channel(&running).await,
        MacaroonHeader(vec![lit.clone()]),
    );

    // Auth: the lit macaroon's rules, with lnd's texts.
    let (status, body) = admin.call(Method::GET, "/journal", None, None).await;
    assert_eq!(
        (status, body["message"].clone()),
        (500, json!("expected 1 macaroon, got 0"))
    );
    let script = json!({"responses": {"RegisterSession": [
        {"reply": {"error": {"code": "ResourceExhausted", "message": "too many sessions"}}}]}});
    let (status, body) = admin
        .call(
            Method::PUT,
            "/script",
            Some(&read_only),
            Some(script.to_string()),
        )
        .await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(
        body["message"], "proxy error with context lit: invalid macaroon: permission denied",
        "{body}"
    );
    let (status, _) = admin
        .call(Method::GET, "/journal", Some(&read_only), None)
        .await;
    assert_eq!(status, 200, "reads need only autopilot:read");

    // Replace the script; the next registration follows it.
    let (status, body) = admin
        .call(Method::PUT, "/script", Some(&lit), Some(script.to_string()))
        .await;
    assert_eq!((status, &body), (200, &script));
    let (_, got) = admin.call(Method::GET, "/script", Some(&lit), None).await;
    assert_eq!(got, script);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let mut req = health_check();
    req.expiry_timestamp_seconds = now + 3600;
    assert_unknown(
        client.add_autopilot_session(req.clone()).await,
        "error registering session with autopilot server: too many sessions",
    );
    let session = client
        .add_autopilot_session(req)
        .await
        .expect("default answer after the step")
        .into_inner()
        .session
        .expect("session");

    let (status, journal) = admin.call(Method::GET, "/journal", Some(&lit), None).await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("admin_journal", journal, {
        ".entries[].time" => "[time]",
        ".entries[].unix_nanos" => "[nanos]",
        ".entries[].request.responder_pub_key" => "[key]",
        ".entries[].answer.ok.initiator_pub_key" => "[key]",
    });

    // A bad script is refused and the old one stays.
    let (status, body) = admin
        .call(
            Method::PUT,
            "/script",
            Some(&lit),
            Some(r#"{"responses":{"Nope":[]}}"#.into()),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], 3);
    assert!(body["message"].as_str().is_some_and(
        |m| m.starts_with("invalid script from the admin API: responses: unknown RPC `Nope`")
    ));

    // Moving the clock two hours: past the expiry, which changes nothing
    // for a session added in this run (Correction 3), and through two
    // ping-loop ticks, of which the second pings it (front door §8.3): seen
    // in the journal as soon as the move returns.
    let (status, clock) = admin
        .call(
            Method::POST,
            "/clock",
            Some(&lit),
            Some(json!({"advance_seconds": 7200}).to_string()),
        )
        .await;
    assert_eq!(status, 200, "{clock}");
    let pings = stub.calls(Rpc::ActivateSession);
    assert_eq!(pings.len(), 1, "{pings:?}");
    assert_eq!(
        pings[0].request.responder_pub_key(),
        &session.local_public_key[..]
    );
    let listed = client
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("list")
        .into_inner()
        .sessions;
    let still = listed
        .iter()
        .find(|s| s.local_public_key == session.local_public_key)
        .expect("listed");
    assert_eq!(still.session_state, p::SessionState::StateCreated as i32);
    assert_eq!(still.revoked_at, 0);
    assert!(stub.calls(Rpc::RevokeSession).is_empty());
    let (status, body) = admin
        .call(
            Method::POST,
            "/clock",
            Some(&lit),
            Some(json!({"advance_seconds": 1, "set_unix_seconds": 2}).to_string()),
        )
        .await;
    assert_eq!((status, body["code"].clone()), (400, json!(3)));

    // Reset: sessions, stub clients and journal, and the start-up script
    // back (the one PUT above is gone).
    let (_, startup) = admin.call(Method::GET, "/script", Some(&lit), None).await;
    assert_eq!(startup, script, "still the script PUT above");
    let (status, _) = admin.call(Method::POST, "/reset", Some(&lit), None).await;
    assert_eq!(status, 200);
    assert_eq!(running.core.session_count(), 0);
    assert!(stub.journal().is_empty());
    assert!(stub
        .in_process()
        .client(&session.local_public_key)
        .is_none());
    let (_, after) = admin.call(Method::GET, "/script", Some(&lit), None).await;
    assert_ne!(after, script);
    assert_eq!(after["responses"], json!({}), "{after}");
    let mut req = health_check();
    // The clock was moved above: an hour past the server's now.
    let server_now = autopilot_mock::domain::clock::unix_secs(running.core.clock().now());
    req.expiry_timestamp_seconds = u64::try_from(server_now).unwrap_or(0) + 3600;
    let added = client.add_autopilot_session(req).await;
    assert!(added.is_ok(), "the start-up script registers: {added:?}");
    let (status, _) = admin.call(Method::POST, "/reset", Some(&lit), None).await;
    assert_eq!(status, 200);

    // Unknown admin paths are 404s; litd's REST routes are untouched.
    let (status, _) = admin.call(Method::GET, "/nope", Some(&lit), None).await;
    assert_eq!(status, 404);
    let features = admin
        .http
        .get(format!(
            "https://localhost:{}/v1/autopilot/features",
            running.local_addr.port()
        ))
        .header("Grpc-Metadata-Macaroon", &lit)
        .send()
        .await
        .expect("REST call");
    assert_eq!(features.status().as_u16(), 200);
}
