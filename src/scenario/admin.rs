//! The mock's admin API as the scenario runner uses it: reset state, load a
//! stub script, move the clock, read the stub's journal.

use serde_json::{json, Value};

use super::target::Target;

/// Paths under the mock's reserved admin prefix.
pub(crate) mod paths {
    pub(crate) const RESET: &str = "/_autopilot-mock/v1/reset";
    pub(crate) const SCRIPT: &str = "/_autopilot-mock/v1/script";
    pub(crate) const CLOCK: &str = "/_autopilot-mock/v1/clock";
    pub(crate) const JOURNAL: &str = "/_autopilot-mock/v1/journal";
    pub(crate) const ACTIONS: &str = "/_autopilot-mock/v1/actions";
    pub(crate) const RESTART: &str = "/_autopilot-mock/v1/restart";
}

/// An admin client over the target's HTTPS port, with its lit macaroon.
pub struct Admin<'a> {
    target: &'a Target,
}

impl<'a> Admin<'a> {
    /// The admin API of `target` (answers only if it is the mock).
    pub fn new(target: &'a Target) -> Admin<'a> {
        Admin { target }
    }

    /// Whether the target answers the admin API at all.
    pub async fn available(&self) -> bool {
        self.journal().await.is_ok()
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let headers = vec![(
            "Grpc-Metadata-Macaroon".to_string(),
            hex::encode(&self.target.macaroon),
        )];
        let (status, body) = self
            .target
            .http(method, path, body.map(|b| b.to_string()), &headers)
            .await?;
        if status == 200 {
            Ok(body)
        } else {
            Err(format!("admin {method} {path}: HTTP {status}: {body}"))
        }
    }

    /// litd restarted over the same store (`POST restart`).
    pub(crate) async fn restart(&self) -> Result<(), String> {
        self.send("POST", paths::RESTART, Some(json!({})))
            .await
            .map(drop)
    }

    /// Back to the start-up state (`POST reset`): no sessions, the start-up
    /// stub script and readiness.
    pub async fn reset(&self) -> Result<(), String> {
        self.send("POST", paths::RESET, Some(json!({})))
            .await
            .map(drop)
    }

    /// Empties the firewall's action log, then adds these actions.
    pub(crate) async fn seed_actions(&self, actions: &[Value]) -> Result<(), String> {
        self.send("DELETE", paths::ACTIONS, None).await?;
        self.send("POST", paths::ACTIONS, Some(json!({ "actions": actions })))
            .await
            .map(drop)
    }

    /// Replaces the stub's script (`PUT script`).
    pub async fn set_script(&self, script: &Value) -> Result<(), String> {
        self.send("PUT", paths::SCRIPT, Some(script.clone()))
            .await
            .map(drop)
    }

    pub(crate) async fn advance_clock(&self, secs: i64) -> Result<(), String> {
        self.send(
            "POST",
            paths::CLOCK,
            Some(json!({ "advance_seconds": secs })),
        )
        .await
        .map(drop)
    }

    pub(crate) async fn set_clock(&self, rfc3339: &str) -> Result<(), String> {
        let t =
            time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
                .map_err(|e| format!("clock {rfc3339:?}: {e}"))?;
        self.send(
            "POST",
            paths::CLOCK,
            Some(json!({ "set_unix_seconds": t.unix_timestamp() })),
        )
        .await
        .map(drop)
    }

    /// Sets the target's clock to this unix time, in seconds (`POST clock`).
    pub async fn set_clock_unix(&self, unix_seconds: i64) -> Result<(), String> {
        self.send(
            "POST",
            paths::CLOCK,
            Some(json!({ "set_unix_seconds": unix_seconds })),
        )
        .await
        .map(drop)
    }

    /// The target clock's unix seconds.
    pub async fn clock_now(&self) -> Result<i64, String> {
        let v = self.send("GET", paths::CLOCK, None).await?;
        v.get("unix_nanos")
            .and_then(|n| {
                n.as_i64()
                    .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
            })
            .map(|n| n.div_euclid(1_000_000_000))
            .ok_or_else(|| format!("admin clock: no unix_nanos in {v}"))
    }

    /// The stub script the target runs now.
    pub async fn script(&self) -> Result<Value, String> {
        self.send("GET", paths::SCRIPT, None).await
    }

    pub(crate) async fn journal(&self) -> Result<Value, String> {
        self.send("GET", paths::JOURNAL, None).await
    }
}
