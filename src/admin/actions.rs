//! `POST /actions` and `DELETE /actions`: seed and empty the firewall's
//! action log, so clients can test their action views (litd writes actions
//! only for calls through lnd, which the mock never sees). The body of a
//! POST is `{"actions":[...]}`, each a `litrpc.Action` in litd's REST JSON
//! (`"state":"STATE_DONE"`, bytes base64, uint64 as strings or numbers).

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::{ok, read_body, AdminState, WRITE};
use crate::domain::actions::Action;
use crate::domain::Code;
use crate::proto::litrpc as p;
use crate::rest::error_response;

/// The body's actions, in order, or what is wrong with the first bad one.
pub(crate) fn parse_actions(body: &[u8]) -> Result<Vec<Action>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("actions: the body is not JSON: {e}"))?;
    let Some(list) = value.get("actions").and_then(Value::as_array) else {
        return Err(r#"actions: the body must be {"actions":[...]}"#.to_string());
    };
    parse_action_list(list)
}

/// Actions given as `litrpc.Action`s in litd's REST JSON (the admin API's
/// body, a scenario's `setup.actions`), in order, or what is wrong with the
/// first bad one.
pub fn parse_action_list(list: &[Value]) -> Result<Vec<Action>, String> {
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let action: p::Action = serde_json::from_value(a.clone())
                .map_err(|e| format!("actions[{i}] is not a litrpc.Action: {e}"))?;
            crate::wire::services::action_in(action).map_err(|e| format!("actions[{i}]: {e}"))
        })
        .collect()
}

pub(super) async fn add_actions(
    State(s): State<AdminState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/actions") {
        return r;
    }
    let body = match read_body(body, s.max_body_bytes).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match parse_actions(&body) {
        Ok(actions) => {
            let added = actions.len();
            s.core().add_actions(actions);
            ok(json!({"added": added, "total": s.core().action_count()}))
        }
        Err(e) => error_response(Code::InvalidArgument, &e),
    }
}

pub(super) async fn clear_actions(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/actions") {
        return r;
    }
    s.core().clear_actions();
    ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actions::ActionState;

    #[test]
    fn actions_come_in_litds_rest_json() {
        let body = br#"{"actions":[{"actor_name":"a","rpc_method":"/lnrpc.Lightning/GetInfo",
            "timestamp":"1700000000","state":"STATE_DONE","session_id":"AQIDBA=="},
            {"state":3}]}"#;
        let actions = parse_actions(body).expect("parses");
        assert_eq!(actions.len(), 2);
        assert_eq!(actions[0].session_id, [1, 2, 3, 4]);
        assert_eq!(actions[0].timestamp, 1_700_000_000);
        assert_eq!(actions[0].state, ActionState::Done);
        assert_eq!(
            (actions[1].state, actions[1].session_id),
            (ActionState::Error, [0; 4])
        );
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        let cases: [(&[u8], &str); 4] = [
            (b"[", "actions: the body is not JSON"),
            (b"{}", r#"actions: the body must be {"actions":[...]}"#),
            (
                br#"{"actions":[{"nope":1}]}"#,
                "actions[0] is not a litrpc.Action",
            ),
            (
                br#"{"actions":[{"session_id":"AQI="}]}"#,
                "actions[0]: session_id must be 4 bytes (or empty), got 2",
            ),
        ];
        for (body, want) in cases {
            let got = parse_actions(body).expect_err("refused");
            assert!(got.starts_with(want), "{got}");
        }
    }
}
