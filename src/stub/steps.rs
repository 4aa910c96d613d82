//! The steps of a script file: `when`, `delay_ms`, `advance_clock_secs`,
//! `times` and `reply`,
//! checked per RPC (a reply or match field an RPC cannot have is an error,
//! not silently ignored).

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::script::{source_text, KeyChoice, Match, Reply, Rpc, Step, Success};
use crate::domain::remote::RemoteError;
use crate::domain::Code;
use crate::remote::catalogue::Catalogue;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    #[serde(default)]
    when: Option<MatchFile>,
    #[serde(default)]
    delay_ms: u64,
    #[serde(default)]
    advance_clock_secs: u64,
    #[serde(default)]
    times: Option<Value>,
    reply: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchFile {
    #[serde(default)]
    responder_pub_key: Option<String>,
    #[serde(default)]
    features: Option<Vec<String>>,
    #[serde(default)]
    privacy_flags: Option<u64>,
    #[serde(default)]
    linked: Option<bool>,
}

pub(super) fn parse_step(rpc: Rpc, value: Value) -> Result<Step, String> {
    let file: StepFile = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let when = match file.when {
        None => Match::default(),
        Some(m) => parse_match(rpc, m)?,
    };
    let times = match file.times {
        None => Some(1),
        Some(Value::String(s)) if s == "always" => None,
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(0) | None => return Err(format!("times: {n} is not a count of at least 1")),
            Some(n) => Some(n),
        },
        Some(other) => {
            return Err(format!(
                "times: expected a number or \"always\", got {other}"
            ))
        }
    };
    Ok(Step {
        when,
        delay: Duration::from_millis(file.delay_ms),
        advance_clock: Duration::from_secs(file.advance_clock_secs),
        reply: parse_reply(rpc, file.reply)?,
        times,
    })
}

fn parse_match(rpc: Rpc, m: MatchFile) -> Result<Match, String> {
    let key_rpc = matches!(
        rpc,
        Rpc::RegisterSession | Rpc::ActivateSession | Rpc::RevokeSession
    );
    if m.responder_pub_key.is_some() && !key_rpc {
        return Err(format!(
            "when.responder_pub_key: {} has no responder key",
            rpc.name()
        ));
    }
    let register_only = m.features.is_some() || m.privacy_flags.is_some() || m.linked.is_some();
    if register_only && rpc != Rpc::RegisterSession {
        return Err(
            "when.features, when.privacy_flags and when.linked apply only to RegisterSession"
                .into(),
        );
    }
    let responder_pub_key = m
        .responder_pub_key
        .map(|h| hex::decode(&h).map_err(|e| format!("when.responder_pub_key: not hex: {e}")))
        .transpose()?;
    Ok(Match {
        responder_pub_key,
        features: m.features,
        privacy_flags: m.privacy_flags,
        linked: m.linked,
    })
}

fn parse_reply(rpc: Rpc, value: Value) -> Result<Reply, String> {
    const EXPECTED: &str =
        r#"expected "default", "hang", {"ok": {...}} or {"error": {"code": ..., "message": ...}}"#;
    match value {
        Value::String(s) if s == "default" => Ok(Reply::Default),
        Value::String(s) if s == "hang" => Ok(Reply::Hang),
        Value::Object(map) if map.len() == 1 => {
            let (kind, body) = map.into_iter().next().ok_or(EXPECTED)?;
            match kind.as_str() {
                "error" => parse_error(body).map(Reply::Error),
                "ok" => parse_success(rpc, body).map(Reply::Ok),
                _ => Err(format!("reply: unknown kind `{kind}`; {EXPECTED}")),
            }
        }
        other => Err(format!("reply: {other} is not a reply; {EXPECTED}")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorFile {
    code: Value,
    #[serde(default)]
    message: String,
}

fn parse_error(body: Value) -> Result<RemoteError, String> {
    let e: ErrorFile = serde_json::from_value(body).map_err(|e| format!("reply.error: {e}"))?;
    let code = match &e.code {
        Value::Number(n) => n
            .as_i64()
            .filter(|n| (1..=16).contains(n))
            .map(|n| Code::from_i32(n as i32)),
        Value::String(s) => code_from_name(s),
        _ => None,
    }
    .ok_or_else(|| {
        format!(
            "reply.error.code: {} is not a gRPC error code (1..16 or a name such as \"UNAVAILABLE\")",
            e.code
        )
    })?;
    Ok(RemoteError::new(code, e.message))
}

fn parse_success(rpc: Rpc, body: Value) -> Result<Success, String> {
    let Value::Object(mut map) = body else {
        return Err("reply.ok must be an object".into());
    };
    let allowed: &[&str] = match rpc {
        Rpc::Terms => &["min_required_version"],
        Rpc::ListFeatures => &["features"],
        Rpc::RegisterSession | Rpc::ActivateSession => &["initiator_pub_key"],
        Rpc::RevokeSession => &[],
    };
    if let Some(bad) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!(
            "reply.ok: unknown field `{bad}` for {} (allowed: {allowed:?})",
            rpc.name()
        ));
    }
    Ok(match rpc {
        Rpc::Terms => {
            let v = map.remove("min_required_version").unwrap_or(Value::Null);
            let wrapped = serde_json::json!({"features": {}, "terms": {"min_required_version": v}});
            let cat = Catalogue::from_value(wrapped, "")
                .map_err(|e| format!("reply.ok: {}", source_text(&e)))?;
            Success::Terms(cat.min_required_version)
        }
        Rpc::ListFeatures => {
            let features = map
                .remove("features")
                .unwrap_or_else(|| Value::Object(Default::default()));
            let cat = Catalogue::from_value(serde_json::json!({"features": features}), "")
                .map_err(|e| format!("reply.ok.features: {}", source_text(&e)))?;
            Success::Features(cat.features)
        }
        Rpc::RegisterSession | Rpc::ActivateSession => match map.remove("initiator_pub_key") {
            None if rpc == Rpc::ActivateSession => Success::Key(KeyChoice::Given(Vec::new())),
            None => Success::Key(KeyChoice::Random),
            Some(Value::String(s)) if s == "random" => Success::Key(KeyChoice::Random),
            Some(Value::String(s)) => Success::Key(KeyChoice::Given(
                hex::decode(&s).map_err(|e| format!("reply.ok.initiator_pub_key: not hex: {e}"))?,
            )),
            Some(other) => {
                return Err(format!(
                    "reply.ok.initiator_pub_key: expected hex or \"random\", got {other}"
                ))
            }
        },
        Rpc::RevokeSession => Success::Empty,
    })
}

/// Accepts Go's names and the proto's UPPER_SNAKE ones, in any case
/// ("Unavailable", "UNAVAILABLE", "deadline_exceeded"; "Cancelled" too).
/// OK is not an error code.
pub(crate) fn code_from_name(name: &str) -> Option<Code> {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let folded = if folded == "cancelled" {
        "canceled".to_string()
    } else {
        folded
    };
    Code::ALL
        .into_iter()
        .find(|c| *c != Code::Ok && c.go_name().to_ascii_lowercase() == folded)
}
