use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::admin::{router, AdminState};
use crate::auth::ui_password::{BasicAuth, UiPassword};
use crate::auth::Authenticator;
use crate::domain::clock::ManualClock;
use crate::domain::AutopilotCore;
use crate::remote::catalogue::Catalogue;
use crate::rpc::{Dispatcher, RequestJournal};
use crate::stub::{Script, Stub};

const PASSWORD: &str = "console-password";

struct Admin {
    router: axum::Router,
    lit_hex: String,
}

fn admin(stub: bool) -> Admin {
    let clock = Arc::new(ManualClock::at_unix(1_893_456_000));
    let catalogue = Catalogue::default_catalogue().expect("the embedded catalogue");
    let the_stub = Stub::new(Script::from_catalogue(catalogue), clock.clone());
    let core = Arc::new(AutopilotCore::new(Arc::new(the_stub.clone()), clock));
    let auth = Arc::new(Authenticator::new([7; 32]));
    let lit = auth.bake_lit_macaroon();
    let basic = BasicAuth::new(Some(UiPassword::new(PASSWORD).expect("long enough")), &lit);
    let dispatcher =
        Dispatcher::new(core, auth, None, Arc::new(RequestJournal::new(10))).with_basic_auth(basic);
    Admin {
        router: router(AdminState {
            dispatcher: Arc::new(dispatcher),
            stub: stub.then_some(the_stub),
            max_body_bytes: 1 << 16,
        }),
        lit_hex: hex::encode(lit),
    }
}

async fn send(
    admin: &Admin,
    method: &str,
    path: &str,
    header: Option<(&str, String)>,
    body: &str,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    let response = admin
        .router
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).expect("a request"))
        .await
        .expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    (status, serde_json::from_slice(&bytes).expect("JSON"))
}

fn basic(password: &str) -> Option<(&'static str, String)> {
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{password}:{password}"));
    Some(("authorization", format!("Basic {token}")))
}

#[tokio::test]
async fn info_needs_a_credential_and_takes_the_ui_password_or_a_macaroon() {
    let a = admin(true);
    let (status, body) = send(&a, "GET", "/info", None, "").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["message"], "expected 1 macaroon, got 0");
    // A wrong password is as if no header came (litd has no error of its own).
    let (_, body) = send(&a, "GET", "/info", basic("not-the-password"), "").await;
    assert_eq!(body["message"], "expected 1 macaroon, got 0");
    for header in [
        basic(PASSWORD),
        Some(("grpc-metadata-macaroon", a.lit_hex.clone())),
    ] {
        let (status, body) = send(&a, "GET", "/info", header, "").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["stub"], true);
        assert_eq!(body["client_mode"], false);
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
        let methods = body["methods"].as_array().expect("methods");
        let add = methods
            .iter()
            .find(|m| m["method"] == "/litrpc.Autopilot/AddAutopilotSession")
            .expect("AddAutopilotSession");
        assert_eq!(add["service"], "litrpc.Autopilot");
        assert_eq!(
            add["rest"],
            serde_json::json!([{"method": "POST", "path": "/v1/autopilot/sessions"}])
        );
        assert_eq!(methods.len(), crate::rpc::Rpc::ALL.len());
    }
    let (_, body) = send(&admin(false), "GET", "/info", basic(PASSWORD), "").await;
    assert_eq!(body["stub"], false);
}

#[tokio::test]
async fn validate_reads_a_script_without_applying_it() {
    let a = admin(true);
    let (status, body) = send(&a, "POST", "/script/validate", None, "{}").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["message"], "expected 1 macaroon, got 0");

    let (_, before) = send(&a, "GET", "/script", basic(PASSWORD), "").await;
    let bad = r#"{"responses": {"Nope": []}}"#;
    let (status, verdict) = send(&a, "POST", "/script/validate", basic(PASSWORD), bad).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verdict["valid"], false);
    // The same text PUT /script answers for it.
    let (put_status, put) = send(&a, "PUT", "/script", basic(PASSWORD), bad).await;
    assert_eq!(put_status, StatusCode::BAD_REQUEST);
    assert_eq!(verdict["message"], put["message"]);
    let (_, verdict) = send(&a, "POST", "/script/validate", basic(PASSWORD), "not json").await;
    assert_eq!(verdict["valid"], false);
    assert!(
        verdict["message"]
            .as_str()
            .unwrap()
            .contains("from the admin API"),
        "{verdict}"
    );

    let good = r#"{"responses": {}}"#;
    let (_, verdict) = send(&a, "POST", "/script/validate", basic(PASSWORD), good).await;
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["script"]["responses"], serde_json::json!({}));
    // Nothing was applied.
    let (_, after) = send(&a, "GET", "/script", basic(PASSWORD), "").await;
    assert_eq!(before, after);
}
