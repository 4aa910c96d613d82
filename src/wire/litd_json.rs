//! litd's JSON (its REST gateway's marshaler), from the generated proto3
//! JSON mapping (pbjson): the wire form REST, the observer, the journal and
//! the scenario harness share.
//!
//! pbjson with "preserve proto field names" and "emit fields" already writes
//! snake_case names, u64 as strings, enums as names and standard base64. It
//! leaves out unset message fields, which litd's marshaler (`EmitUnpopulated`)
//! writes as `null`; `Shapes` puts them back, in declaration order, using
//! the compiled descriptors rather than per-message code.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost::Message;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::FileDescriptorSet;
use serde_json::{Map, Value};

use crate::proto::FILE_DESCRIPTOR_SET;

/// What one field of a message looks like on the JSON side.
#[derive(Debug, Clone)]
struct FieldShape {
    json_name: String,
    /// Fully qualified message type of a singular message field, a repeated
    /// message field or a map's message value.
    message: Option<String>,
    kind: Kind,
    /// The field's protobuf type (for a map: `Message`, its entry).
    proto_type: Type,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A singular message outside any oneof: `null` when unset.
    Message,
    /// A member of a oneof: left out when unset, as litd does.
    OneofMember,
    Repeated,
    Map,
    Scalar,
}

/// Field shapes of every message, keyed by fully qualified name (`litrpc.Session`).
pub(crate) struct Shapes {
    messages: HashMap<String, Vec<FieldShape>>,
}

impl Shapes {
    /// The shapes of the crate's own protos.
    pub(crate) fn get() -> &'static Shapes {
        static SHAPES: OnceLock<Shapes> = OnceLock::new();
        SHAPES.get_or_init(|| Shapes::from_descriptor_set(FILE_DESCRIPTOR_SET))
    }

    fn from_descriptor_set(bytes: &[u8]) -> Shapes {
        // The set is produced by our own build script; an undecodable one
        // would be a build bug, so an empty table (no null filling) is a safe
        // fallback rather than a panic.
        let set = FileDescriptorSet::decode(bytes).unwrap_or_default();
        let mut messages = HashMap::new();
        for file in &set.file {
            let package = file.package();
            for msg in &file.message_type {
                collect(package, msg, &mut messages);
            }
        }
        Shapes { messages }
    }

    /// The protobuf type of a message's field (by its proto name), e.g. for
    /// decoding a REST path parameter.
    pub(crate) fn field_type(&self, message: &str, field: &str) -> Option<Type> {
        self.messages
            .get(message)?
            .iter()
            .find(|f| f.json_name == field)
            .map(|f| f.proto_type)
    }

    /// Adds `null` for unset singular message fields and orders every object
    /// as the .proto declares it, recursively.
    pub(crate) fn fill(&self, type_name: &str, value: Value) -> Value {
        let Some(fields) = self.messages.get(type_name) else {
            return value;
        };
        let Value::Object(mut obj) = value else {
            return value;
        };
        let mut out = Map::new();
        for field in fields {
            match obj.remove(&field.json_name) {
                Some(v) => {
                    let v = match (&field.message, field.kind) {
                        (Some(t), Kind::Message | Kind::OneofMember) => self.fill(t, v),
                        (Some(t), Kind::Repeated) => map_array(v, |e| self.fill(t, e)),
                        (Some(t), Kind::Map) => map_object(v, |e| self.fill(t, e)),
                        _ => v,
                    };
                    out.insert(field.json_name.clone(), v);
                }
                None if field.kind == Kind::Message => {
                    out.insert(field.json_name.clone(), Value::Null);
                }
                None => {}
            }
        }
        // Anything unexpected stays, after the declared fields.
        out.extend(obj);
        Value::Object(out)
    }
}

fn map_array(v: Value, f: impl Fn(Value) -> Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.into_iter().map(f).collect()),
        other => other,
    }
}

fn map_object(v: Value, f: impl Fn(Value) -> Value) -> Value {
    match v {
        Value::Object(entries) => {
            // Map keys sorted, as litd writes them.
            let mut sorted: Vec<(String, Value)> = entries.into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(sorted.into_iter().map(|(k, v)| (k, f(v))).collect())
        }
        other => other,
    }
}

fn collect(
    scope: &str,
    msg: &prost_types::DescriptorProto,
    out: &mut HashMap<String, Vec<FieldShape>>,
) {
    let full = format!("{scope}.{}", msg.name());
    // Map entry types: their value field decides what a map holds.
    let entries: HashMap<String, &prost_types::DescriptorProto> = msg
        .nested_type
        .iter()
        .filter(|n| n.options.as_ref().is_some_and(|o| o.map_entry()))
        .map(|n| (format!(".{full}.{}", n.name()), n))
        .collect();
    let fields = msg
        .field
        .iter()
        .map(|f| {
            let is_message = f.r#type() == Type::Message;
            let type_name = f.type_name().to_string();
            let (kind, message) = if let Some(entry) = entries.get(&type_name) {
                let value = entry.field.iter().find(|v| v.number() == 2);
                let message = value
                    .filter(|v| v.r#type() == Type::Message)
                    .map(|v| v.type_name().trim_start_matches('.').to_string());
                (Kind::Map, message)
            } else {
                let message = is_message.then(|| type_name.trim_start_matches('.').to_string());
                let kind = if f.label() == Label::Repeated {
                    Kind::Repeated
                } else if f.oneof_index.is_some() && !f.proto3_optional() {
                    Kind::OneofMember
                } else if is_message {
                    Kind::Message
                } else {
                    Kind::Scalar
                };
                (kind, message)
            };
            FieldShape {
                json_name: f.name().to_string(),
                message,
                kind,
                proto_type: f.r#type(),
            }
        })
        .collect();
    out.insert(full.clone(), fields);
    for nested in &msg.nested_type {
        collect(&full, nested, out);
    }
}

/// Serializes a response message as litd's REST gateway does.
pub fn to_litd_json<T: serde::Serialize>(type_name: &str, message: &T) -> Value {
    match serde_json::to_value(message) {
        Ok(v) => Shapes::get().fill(type_name, v),
        Err(e) => Value::String(format!("cannot encode response: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::litrpc as p;

    #[test]
    fn unset_messages_are_null_and_oneofs_absent() {
        let values = p::RuleValues {
            known: false,
            ..Default::default()
        };
        let v = to_litd_json("litrpc.RuleValues", &values);
        assert_eq!(
            v.to_string(),
            r#"{"known":false,"defaults":null,"min_value":null,"max_value":null}"#
        );
        let rule = p::RuleValue {
            value: Some(p::rule_value::Value::HistoryLimit(p::HistoryLimit {
                start_time: 0,
                duration: 5,
            })),
        };
        assert_eq!(
            to_litd_json("litrpc.RuleValue", &rule).to_string(),
            r#"{"history_limit":{"start_time":"0","duration":"5"}}"#
        );
    }

    #[test]
    fn session_is_written_in_declaration_order_with_every_field() {
        let session = p::Session {
            id: vec![1, 2, 3, 4],
            ..Default::default()
        };
        let v = to_litd_json("litrpc.Session", &session);
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(
            keys,
            [
                "id",
                "label",
                "session_state",
                "session_type",
                "expiry_timestamp_seconds",
                "mailbox_server_addr",
                "dev_server",
                "pairing_secret",
                "pairing_secret_mnemonic",
                "local_public_key",
                "remote_public_key",
                "created_at",
                "macaroon_recipe",
                "account_id",
                "autopilot_feature_info",
                "revoked_at",
                "group_id",
                "feature_configs",
                "privacy_flags"
            ]
        );
        assert_eq!(v["id"], "AQIDBA==");
        assert_eq!(v["macaroon_recipe"], Value::Null);
        assert_eq!(v["session_state"], "STATE_CREATED");
        assert_eq!(v["created_at"], "0");
        assert_eq!(v["privacy_flags"], "0");
        assert_eq!(v["autopilot_feature_info"], serde_json::json!({}));
    }
}
