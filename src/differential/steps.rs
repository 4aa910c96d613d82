//! Turning a recorded call into a scenario step: the request (with
//! `${capture}` where it repeats an earlier answer's per-run value, and
//! `${now+N}` for times), and the answer as matchers: exact values, a
//! `$shape` for each per-run value, captures so later steps can refer to it.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::normalise::{is_per_run_name, normalise_message, per_run_shape};
use crate::scenario::matcher::SHAPES;
use crate::scenario::target::{code_name, Outcome};

/// A per-run value an earlier step's answer gave, and where.
#[derive(Debug, Clone)]
struct Source {
    value: String,
    /// Index of the step (in the draft) that answered it.
    step: usize,
    /// Dot path into that step's response.
    path: String,
    /// The capture's name once a later step used it.
    name: Option<String>,
}

/// What a scenario being recorded knows of earlier answers.
#[derive(Debug, Default)]
pub(crate) struct Captures {
    sources: Vec<Source>,
    /// Captures that later steps use: step index -> name -> path.
    pub(crate) used: BTreeMap<usize, BTreeMap<String, String>>,
}

impl Captures {
    /// `${name}` for a value the answer of a step before `step` gave,
    /// naming the capture on first use (a step's own captures are only
    /// taken once it is done).
    fn reference(&mut self, value: &str, step: usize) -> Option<String> {
        let at = self
            .sources
            .iter()
            .position(|s| s.value == value && s.step < step)?;
        let source = &mut self.sources[at];
        let name = match &source.name {
            Some(n) => n.clone(),
            None => {
                let field = source.path.rsplit('.').next().unwrap_or("value");
                let name = format!("{field}_{}", source.step + 1);
                source.name = Some(name.clone());
                self.used
                    .entry(source.step)
                    .or_default()
                    .insert(name.clone(), source.path.clone());
                name
            }
        };
        Some(format!("${{{name}}}"))
    }

    fn remember(&mut self, value: &str, step: usize, path: &str) {
        if !self.sources.iter().any(|s| s.value == value) {
            self.sources.push(Source {
                value: value.to_string(),
                step,
                path: path.to_string(),
                name: None,
            });
        }
    }
}

/// How far from "now" a request's time may be to be written as `${now±N}`.
const TIME_WINDOW_SECS: i64 = 20 * 365 * 86_400;

/// A request as a step sends it: earlier answers' values as captures, unix
/// times in per-run fields relative to the target's clock (`now` is the
/// recorded server's unix time when the call was made).
pub(crate) fn request(request: &Value, now: i64, captures: &mut Captures) -> Value {
    request_at(None, request, now, captures)
}

fn request_at(field: Option<&str>, v: &Value, now: i64, captures: &mut Captures) -> Value {
    // Every answer known so far came before this request.
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), request_at(Some(k), v, now, captures)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| request_at(field, v, now, captures))
                .collect(),
        ),
        Value::String(s) if !s.is_empty() => {
            if let Some(r) = captures.reference(s, usize::MAX) {
                return Value::String(r);
            }
            match (field.is_some_and(is_per_run_name), s.parse::<i64>()) {
                (true, Ok(t)) if t > 1_000_000_000 && (t - now).abs() < TIME_WINDOW_SECS => {
                    let delta = t - now;
                    Value::String(match delta {
                        0 => "${now}".to_string(),
                        d if d > 0 => format!("${{now+{d}}}"),
                        d => format!("${{now-{}}}", -d),
                    })
                }
                _ => v.clone(),
            }
        }
        other => other.clone(),
    }
}

/// The `expect` of a call step: the code, the message (exact, or a regex
/// where it holds per-run values), the response as matchers. Remembers the
/// response's per-run values as capture sources of step `step`.
pub(crate) fn expect(outcome: &Outcome, step: usize, captures: &mut Captures) -> Value {
    let mut expect = Map::new();
    expect.insert("code".into(), Value::String(code_name(outcome.code)));
    if !outcome.message.is_empty() {
        expect.insert("message".into(), message_matcher(&outcome.message));
    }
    if let Some(response) = &outcome.response {
        expect.insert(
            "response".into(),
            matcher(None, response, "", step, captures),
        );
    }
    Value::Object(expect)
}

/// Whether a per-run field holds a time (`created_at`, `revoked_at`,
/// `expiry_timestamp_seconds`, ...): its value is matched by shape, never
/// captured.
fn is_time_name(name: &str) -> bool {
    name.ends_with("_at") || name.contains("timestamp")
}

/// A matcher tree for a response: exact scalars, `$shape` (or a capture of
/// an earlier step) for per-run values.
pub(crate) fn matcher(
    field: Option<&str>,
    v: &Value,
    path: &str,
    step: usize,
    captures: &mut Captures,
) -> Value {
    if let (Some(shape), Value::String(s)) = (per_run_shape(field, v), v) {
        // Two answers in the same second give the same time: a coincidence
        // of the recording, not a fact a replay would repeat.
        if !field.is_some_and(is_time_name) {
            if let Some(r) = captures.reference(s, step) {
                return Value::String(r);
            }
            captures.remember(s, step, path);
        }
        return match shape {
            s if SHAPES.contains(&s) => json!({"$shape": s}),
            "pubkey33hex" => json!({"$regex": "^0[23][0-9a-f]{64}$"}),
            _ => json!({"$present": true}),
        };
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), matcher(Some(k), v, &join(k), step, captures)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| matcher(field, v, &join(&i.to_string()), step, captures))
                .collect(),
        ),
        // An error text in a body: as a call's message is matched.
        Value::String(s) if matches!(field, Some("message" | "error")) => message_matcher(s),
        // A text the runner would read as `${...}` must not be one.
        Value::String(s) if s.contains("${") => json!({"$present": true}),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => v.clone(),
    }
}

/// A message as a matcher: exact, or (where it holds per-run hex values, or
/// the space Go's protojson varies) a regex.
fn message_matcher(message: &str) -> Value {
    let normalised = normalise_message(message);
    let varies = normalised != message || message.contains("proto:");
    if !varies {
        return Value::String(message.to_string());
    }
    let mut pattern = String::from("^");
    for (i, timeless) in normalised.split("<time>").enumerate() {
        if i > 0 {
            pattern.push_str(".+?");
        }
        for (j, part) in timeless.split("<hex>").enumerate() {
            if j > 0 {
                pattern.push_str("[0-9a-fA-F]+");
            }
            for c in part.chars() {
                if c == ' ' {
                    pattern.push_str("[ \\x{a0}]");
                } else {
                    pattern.push_str(&regex::escape(&c.to_string()));
                }
            }
        }
    }
    pattern.push('$');
    json!({"$regex": pattern})
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn key(n: u8) -> String {
        base64::engine::general_purpose::STANDARD.encode(
            secp256k1::SecretKey::from_secret_bytes([n; 32])
                .expect("scalar")
                .public_key()
                .serialize(),
        )
    }

    fn ok(response: Value) -> Outcome {
        Outcome {
            code: 0,
            message: String::new(),
            response: Some(response),
            http_status: None,
        }
    }

    #[test]
    fn answers_become_shapes_and_later_requests_captures() {
        let mut c = Captures::default();
        // group_id repeats id within the step: a shape, as captures come after.
        let add = ok(
            json!({"session": {"id": "AQIDBA==", "group_id": "AQIDBA==", "label": "x", "local_public_key": key(1),
            "revoked_at": "0", "created_at": "1700000000"}}),
        );
        let e = expect(&add, 0, &mut c);
        assert_eq!(
            e,
            json!({"code": "OK", "response": {"session": {"id": {"$shape": "bytes4"},
                "group_id": {"$shape": "bytes4"}, "label": "x",
                "local_public_key": {"$shape": "pubkey33"}, "revoked_at": "0",
                "created_at": {"$shape": "u64"}}}})
        );
        let r = request(
            &json!({"local_public_key": key(1), "other": key(2)}),
            0,
            &mut c,
        );
        assert_eq!(
            r,
            json!({"local_public_key": "${local_public_key_1}", "other": key(2)})
        );
        assert_eq!(
            c.used[&0],
            BTreeMap::from([(
                "local_public_key_1".to_string(),
                "session.local_public_key".to_string()
            )])
        );
        // A later answer with the same key refers to the capture too.
        let list = ok(json!({"sessions": [{"local_public_key": key(1)}]}));
        assert_eq!(
            expect(&list, 2, &mut c)["response"],
            json!({"sessions": [{"local_public_key": "${local_public_key_1}"}]})
        );
    }

    #[test]
    fn equal_times_in_two_answers_are_shapes_not_captures() {
        let mut c = Captures::default();
        let at = |id: &str| {
            ok(json!({"session": {"id": id, "created_at": "1796197310",
                "expiry_timestamp_seconds": "1796283710"}}))
        };
        expect(&at("AQIDBA=="), 0, &mut c);
        assert_eq!(
            expect(&at("BQYHCA=="), 1, &mut c)["response"],
            json!({"session": {"id": {"$shape": "bytes4"}, "created_at": {"$shape": "u64"},
                "expiry_timestamp_seconds": {"$shape": "u64"}}})
        );
        assert!(c.used.is_empty(), "{:?}", c.used);
    }

    #[test]
    fn request_times_follow_the_clock_and_nulls_go() {
        let mut c = Captures::default();
        let r = request(
            &json!({"expiry_timestamp_seconds": "1700086400", "label": "1700086400", "session_rules": null}),
            1_700_000_000,
            &mut c,
        );
        assert_eq!(
            r,
            json!({"expiry_timestamp_seconds": "${now+86400}", "label": "1700086400"})
        );
    }

    #[test]
    fn messages_with_per_run_parts_become_regexes() {
        assert_eq!(
            message_matcher("must include at least one feature"),
            json!("must include at least one feature")
        );
        let m = message_matcher("linked session(a3eee4a6) is still active");
        let pattern = m["$regex"].as_str().expect("regex");
        let re = regex::Regex::new(pattern).expect("valid");
        assert!(
            re.is_match("linked session(0badf00d) is still active"),
            "{pattern}"
        );
        assert!(!re.is_match("linked session(x) is still active"));
        let p = message_matcher("proto: (line 1:10): bad");
        let re = regex::Regex::new(p["$regex"].as_str().expect("regex")).expect("valid");
        assert!(re.is_match("proto:\u{a0}(line 1:10): bad"));
    }
}
