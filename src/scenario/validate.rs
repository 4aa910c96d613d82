//! Checks a scenario's content when it is loaded, so a typo is a bad file
//! (exit 2) and not a failing step (exit 1): every `$operator` in a matcher
//! tree is one the matcher knows, with an argument it can use, and every
//! field a request names exists in that RPC's request message.
//! `scenarios/schema.json` rejects the same mistakes for editors.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::DescriptorProto;
use serde_json::Value;

use super::matcher::SHAPES;
use super::model::Rpc;

/// The operators the matcher understands.
pub(crate) const OPERATORS: &[&str] = &[
    "$shape",
    "$absent",
    "$present",
    "$any",
    "$prefix",
    "$regex",
    "$len",
    "$contains",
    "$exact",
    "$bytes",
    "$gt",
    "$ge",
    "$lt",
    "$le",
];

/// Checks a matcher tree; the error names the place (`response.session.x`).
pub(crate) fn matcher(tree: &Value, at: &str) -> Result<(), String> {
    match tree {
        Value::Object(map) => {
            let dollar: Vec<&String> = map.keys().filter(|k| k.starts_with('$')).collect();
            if let Some(op) = dollar.first() {
                if map.len() > 1 {
                    return Err(format!(
                        "{at}: an operator object holds only its operator, found {op} beside other keys"
                    ));
                }
                return operator(op, &map[op.as_str()], at);
            }
            map.iter()
                .try_for_each(|(k, v)| matcher(v, &format!("{at}.{k}")))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| matcher(v, &format!("{at}.{i}"))),
        _ => Ok(()),
    }
}

/// A placeholder (`${now}`, `${key}`) is only known at run time.
fn has_placeholder(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.contains("${"))
}

fn operator(op: &str, arg: &Value, at: &str) -> Result<(), String> {
    let bad = |what: &str| Err(format!("{at}: {op} needs {what}, got {arg}"));
    match op {
        "$absent" | "$present" | "$any" | "$exact" => Ok(()),
        "$prefix" if !arg.is_string() => bad("a string"),
        "$regex" => match arg.as_str() {
            None => bad("a string"),
            Some(_) if has_placeholder(arg) => Ok(()),
            Some(p) => match regex::Regex::new(p) {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("{at}: bad $regex {p:?}: {e}")),
            },
        },
        "$len" if !arg.is_u64() => bad("a non-negative integer"),
        "$contains" => matcher(arg, &format!("{at}.$contains")),
        "$gt" | "$ge" | "$lt" | "$le" => {
            let number = arg.is_number()
                || has_placeholder(arg)
                || arg.as_str().is_some_and(|s| s.parse::<i128>().is_ok());
            if number {
                Ok(())
            } else {
                bad("a number or a decimal string")
            }
        }
        "$bytes" => {
            let readable = arg.as_str().is_some_and(|s| {
                has_placeholder(arg)
                    || hex::decode(s).is_ok()
                    || super::target::decode_any_base64(s).is_some()
            });
            if readable {
                Ok(())
            } else {
                bad("hex or base64")
            }
        }
        "$shape" => match arg.as_str() {
            Some(s) if SHAPES.contains(&s) => Ok(()),
            _ => Err(format!(
                "{at}: unknown $shape {arg} (known: {})",
                SHAPES.join(", ")
            )),
        },
        "$prefix" | "$len" => Ok(()),
        _ => Err(format!(
            "{at}: unknown matcher {op} (known: {})",
            OPERATORS.join(", ")
        )),
    }
}

/// Checks that every field the request names exists in the RPC's request
/// message (proto names or lowerCamelCase JSON names, at any depth).
/// Matcher operators (client mode) are allowed where a value goes.
pub(crate) fn request(rpc: Rpc, request: &Value, at: &str) -> Result<(), String> {
    let name = format!("litrpc.{}Request", rpc.name());
    fields(&name, request, at)
}

fn fields(message: &str, value: &Value, at: &str) -> Result<(), String> {
    let Value::Object(map) = value else {
        return Ok(()); // A placeholder, null or a wrong type: the server judges values.
    };
    if map.keys().any(|k| k.starts_with('$')) {
        return matcher(value, at);
    }
    let Some(known) = messages().get(message) else {
        return Ok(());
    };
    for (key, v) in map {
        let Some(field) = known.iter().find(|f| f.name == *key || f.json_name == *key) else {
            let names: Vec<&str> = known.iter().map(|f| f.name.as_str()).collect();
            return Err(format!(
                "{at}: unknown field {key:?} in {message} (fields: {})",
                names.join(", ")
            ));
        };
        let here = format!("{at}.{key}");
        match (&field.message, field.shape) {
            (Some(m), Shape::Single) => fields(m, v, &here)?,
            (Some(m), Shape::Repeated) => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        fields(m, item, &format!("{here}.{i}"))?;
                    }
                }
                other => fields(m, other, &here)?,
            },
            (Some(m), Shape::Map) => {
                if let Value::Object(entries) = v {
                    for (k, item) in entries {
                        fields(m, item, &format!("{here}.{k}"))?;
                    }
                }
            }
            (None, _) => matcher(v, &here)?,
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Single,
    Repeated,
    Map,
}

struct Field {
    name: String,
    json_name: String,
    /// The message type of the field (for a map: of its values), if any.
    message: Option<String>,
    shape: Shape,
}

/// Every message of the crate's protos by full name (`litrpc.RuleValue`).
fn messages() -> &'static HashMap<String, Vec<Field>> {
    static MESSAGES: OnceLock<HashMap<String, Vec<Field>>> = OnceLock::new();
    MESSAGES.get_or_init(|| {
        let all = &crate::proto::Descriptors::get().messages;
        all.iter()
            .map(|(name, msg)| (name.clone(), fields_of(msg, all)))
            .collect()
    })
}

fn fields_of(msg: &DescriptorProto, all: &HashMap<String, DescriptorProto>) -> Vec<Field> {
    msg.field
        .iter()
        .map(|f| {
            let type_name = f.type_name().trim_start_matches('.').to_string();
            let entry = all
                .get(&type_name)
                .filter(|m| m.options.as_ref().is_some_and(|o| o.map_entry()));
            let (message, shape) = match entry {
                Some(entry) => {
                    let value = entry.field.iter().find(|v| v.number() == 2);
                    let value_message = value
                        .filter(|v| v.r#type() == Type::Message)
                        .map(|v| v.type_name().trim_start_matches('.').to_string());
                    (value_message, Shape::Map)
                }
                None => {
                    let message = (f.r#type() == Type::Message).then_some(type_name);
                    let shape = if f.label() == Label::Repeated {
                        Shape::Repeated
                    } else {
                        Shape::Single
                    };
                    (message, shape)
                }
            };
            Field {
                name: f.name().to_string(),
                json_name: f.json_name().to_string(),
                message,
                shape,
            }
        })
        .collect()
}

/// The JSON Schema of every message a request can reach, for
/// `scenarios/schema.json`'s `$defs.messages` (a test keeps them equal).
/// Where a value goes, a matcher operator may stand (client mode), and a
/// `${...}` string for a message or map (a captured value).
#[cfg(test)]
fn message_schemas() -> Value {
    use serde_json::json;
    let mut out = serde_json::Map::new();
    // Every RPC a step can call whose request the loader checks.
    let mut todo: Vec<String> = Rpc::ALL
        .iter()
        .map(|r| format!("litrpc.{}Request", r.name()))
        .filter(|name| messages().contains_key(name))
        .collect();
    let reference = |m: &str| json!({"anyOf": [{"$ref": format!("#/$defs/messages/{m}")}, {"$ref": "#/$defs/operator"}, {"type": "string"}]});
    while let Some(name) = todo.pop() {
        if out.contains_key(&name) {
            continue;
        }
        let mut properties = serde_json::Map::new();
        for field in messages().get(&name).map(Vec::as_slice).unwrap_or_default() {
            let schema = match (&field.message, field.shape) {
                (Some(m), Shape::Single) => reference(m),
                (Some(m), Shape::Repeated) => json!({"anyOf": [
                    {"type": "array", "items": reference(m)}, {"$ref": "#/$defs/operator"}]}),
                (Some(m), Shape::Map) => json!({"anyOf": [
                    {"type": "object", "additionalProperties": reference(m)}, {"$ref": "#/$defs/operator"}]}),
                (None, _) => json!({"$ref": "#/$defs/matcher"}),
            };
            if let Some(m) = &field.message {
                todo.push(m.clone());
            }
            properties.insert(field.name.clone(), schema.clone());
            properties.insert(field.json_name.clone(), schema);
        }
        out.insert(
            name,
            json!({"type": "object", "additionalProperties": false, "properties": properties}),
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schema_knows_the_same_request_fields_and_operators() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/schema.json");
        let text = std::fs::read_to_string(path).expect("schema.json");
        let schema: Value = serde_json::from_str(&text).expect("JSON");
        let want = message_schemas();
        assert!(
            schema["$defs"]["messages"] == want,
            "scenarios/schema.json $defs.messages differs from the protos; it should be:\n{}",
            serde_json::to_string(&want).unwrap_or_default()
        );
        let operators: Vec<&str> = schema["$defs"]["operator"]["properties"]
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut known = OPERATORS.to_vec();
        known.sort_unstable();
        let mut operators = operators;
        operators.sort_unstable();
        assert_eq!(operators, known);
        let shapes = &schema["$defs"]["operator"]["properties"]["$shape"]["enum"];
        assert_eq!(shapes, &json!(SHAPES));
    }

    #[test]
    fn unknown_operators_and_bad_arguments_are_named() {
        assert_eq!(
            matcher(
                &json!({"session": {"k": {"$shap": "pubkey33"}}}),
                "response"
            ),
            Err(format!(
                "response.session.k: unknown matcher $shap (known: {})",
                OPERATORS.join(", ")
            ))
        );
        let err = matcher(&json!({"k": {"$shape": "pubkey"}}), "response").unwrap_err();
        assert!(
            err.starts_with("response.k: unknown $shape \"pubkey\""),
            "{err}"
        );
        assert!(matcher(&json!({"$regex": "("}), "message").is_err());
        assert!(matcher(&json!({"$len": "2"}), "x").is_err());
        assert!(matcher(&json!({"$contains": {"a": {"$nope": 1}}}), "x").is_err());
        assert!(matcher(&json!({"$bytes": "not base64 !"}), "x").is_err());
        assert!(matcher(&json!({"$shape": "u64", "x": 1}), "x").is_err());
        for ok in [
            json!({"a": [{"$shape": "bytes33"}, {"$absent": true}], "b": {"$bytes": "${key}"}}),
            json!({"$gt": "${now}"}),
            json!({"$exact": {"$anything": 1}}),
            json!({"$regex": "^a.*b$"}),
        ] {
            assert_eq!(matcher(&ok, "x"), Ok(()), "{ok}");
        }
    }

    #[test]
    fn unknown_request_fields_are_named_at_any_depth() {
        let rpc = Rpc::AddAutopilotSession;
        let err = request(rpc, &json!({"expiry_timestamp_secs": "1"}), "request").unwrap_err();
        assert!(
            err.starts_with("request: unknown field \"expiry_timestamp_secs\" in litrpc.AddAutopilotSessionRequest (fields: "),
            "{err}"
        );
        let deep = json!({"features": {"HealthCheck": {"rules": {"rules": {"rate-limit": {"rate_limt": {}}}}}}});
        let err = request(rpc, &deep, "request").unwrap_err();
        assert!(
            err.starts_with(
                "request.features.HealthCheck.rules.rules.rate-limit: unknown field \"rate_limt\""
            ),
            "{err}"
        );
        for ok in [
            json!({"expiry_timestamp_seconds": "${now+60}", "features": {"HealthCheck": {}}, "privacyFlagsSet": true}),
            json!({"features": {"HealthCheck": {"rules": {"rules": {"rate-limit": {"rate_limit": {"read_limit": {"iterations": 1}}}}}}}}),
            json!({"label": {"$prefix": "a"}, "features": {"$present": true}}),
        ] {
            assert_eq!(request(rpc, &ok, "request"), Ok(()), "{ok}");
        }
        let revoke = json!({"local_public_key": {"$shape": "bytes33"}});
        assert_eq!(request(Rpc::RevokeAutopilotSession, &revoke, "r"), Ok(()));
        assert!(request(Rpc::RevokeAutopilotSession, &json!({"key": "x"}), "r").is_err());
    }
}
