//! protojson's unmarshal walk over the decoder's tokens: each message's
//! fields by descriptor, lists, maps and scalars, with protojson's texts.

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use prost_types::field_descriptor_proto::Type;
use serde_json::{Map, Value};

use super::super::values::*;
use super::{Decoder, Kind, Token};
use crate::wire::schema::{kind_name, schema, Field};
impl Decoder<'_> {
    /// `unmarshalMessage` for the message `name`, read from the next token.
    pub(in crate::wire::protojson_in) fn message(&mut self, name: &str) -> Result<Value, String> {
        let tok = self.read()?;
        if tok.kind != Kind::ObjectOpen {
            return Err(self.unexpected(&tok));
        }
        let fields = schema()
            .messages
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut out = Map::new();
        let mut seen: HashSet<i32> = HashSet::new();
        let mut seen_oneofs: HashSet<&str> = HashSet::new();
        loop {
            let tok = self.read()?;
            match tok.kind {
                Kind::ObjectClose => return Ok(Value::Object(out)),
                Kind::Name => {}
                _ => return Err(self.unexpected(&tok)),
            }
            let field = fields
                .iter()
                .find(|f| f.json_name == tok.text)
                .or_else(|| fields.iter().find(|f| f.name == tok.text));
            let Some(field) = field else {
                let message = format!("unknown field {}", self.raw(&tok));
                return Err(self.error(tok.pos, &message));
            };
            if !seen.insert(field.number) {
                let message = format!("duplicate field {}", self.raw(&tok));
                return Err(self.error(tok.pos, &message));
            }
            if self.peek().is_ok_and(|t| t.kind == Kind::Null) {
                self.read()?;
                continue;
            }
            let value = if let Some(kv) = &field.map {
                self.map(&kv.0, &kv.1)?
            } else if field.repeated {
                self.list(field)?
            } else {
                if let Some(oneof) = &field.oneof {
                    if !seen_oneofs.insert(oneof.as_str()) {
                        let message = format!(
                            "error parsing {}, oneof {oneof} is already set",
                            self.raw(&tok)
                        );
                        return Err(self.error(tok.pos, &message));
                    }
                }
                self.singular(field)?
            };
            if let Some(value) = value {
                out.insert(field.name.clone(), value);
            }
        }
    }

    fn singular(&mut self, field: &Field) -> Result<Option<Value>, String> {
        if matches!(field.kind, Type::Message | Type::Group) {
            return self.message(&field.type_name).map(Some);
        }
        self.scalar(field)
    }

    fn list(&mut self, field: &Field) -> Result<Option<Value>, String> {
        let tok = self.read()?;
        if tok.kind != Kind::ArrayOpen {
            return Err(self.unexpected(&tok));
        }
        let mut items = Vec::new();
        loop {
            if self.peek()?.kind == Kind::ArrayClose {
                self.read()?;
                return Ok(Some(Value::Array(items)));
            }
            if let Some(v) = self.singular(field)? {
                items.push(v);
            }
        }
    }

    fn map(&mut self, key: &Field, value: &Field) -> Result<Option<Value>, String> {
        let tok = self.read()?;
        if tok.kind != Kind::ObjectOpen {
            return Err(self.unexpected(&tok));
        }
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        loop {
            let tok = self.read()?;
            match tok.kind {
                Kind::ObjectClose => return Ok(Some(Value::Object(out.into_iter().collect()))),
                Kind::Name => {}
                _ => return Err(self.unexpected(&tok)),
            }
            let pkey = map_key(&tok.text, key.kind).ok_or_else(|| {
                let message = format!(
                    "invalid value for {} key: {}",
                    kind_name(key.kind),
                    self.raw(&tok)
                );
                self.error(tok.pos, &message)
            })?;
            if out.contains_key(&pkey) {
                let message = format!("duplicate map key {}", self.raw(&tok));
                return Err(self.error(tok.pos, &message));
            }
            if let Some(v) = self.singular(value)? {
                out.insert(pkey, v);
            }
        }
    }

    /// `unmarshalScalar`: the value in the form pbjson reads, or litd's
    /// `invalid value for <kind> field <jsonName>: <raw>`.
    fn scalar(&mut self, field: &Field) -> Result<Option<Value>, String> {
        let tok = self.read()?;
        let raw = self.raw(&tok);
        let text = match tok.kind {
            Kind::Number => Some(raw.as_str()),
            Kind::String => Some(tok.text.as_str()),
            _ => None,
        };
        let value = match field.kind {
            Type::Bool => match tok.kind {
                Kind::Bool(b) => Some(Value::Bool(b)),
                _ => None,
            },
            Type::String => (tok.kind == Kind::String).then(|| Value::String(tok.text.clone())),
            Type::Bytes => (tok.kind == Kind::String)
                .then(|| decode_bytes(&tok.text))
                .flatten()
                .map(|b| Value::String(base64::engine::general_purpose::STANDARD.encode(b))),
            Type::Enum => self.enum_value(&tok, field),
            Type::Float | Type::Double => text
                .filter(|_| matches!(tok.kind, Kind::Number | Kind::String))
                .and_then(|t| float_value(t, tok.kind == Kind::String, field.kind == Type::Float)),
            kind => text
                .and_then(|t| integer_text(t, tok.kind == Kind::String))
                .and_then(|n| integer_value(&n, kind)),
        };
        match value {
            Some(v) => Ok(Some(v)),
            None => {
                let message = format!(
                    "invalid value for {} field {}: {raw}",
                    kind_name(field.kind),
                    field.json_name
                );
                Err(self.error(tok.pos, &message))
            }
        }
    }

    fn enum_value(&self, tok: &Token, field: &Field) -> Option<Value> {
        let values = schema().enums.get(&field.type_name)?;
        match tok.kind {
            Kind::String => values
                .iter()
                .any(|(n, _)| *n == tok.text)
                .then(|| Value::String(tok.text.clone())),
            Kind::Number => {
                let n: i32 = normalize_integer(&self.raw(tok))?.parse().ok()?;
                Some(match values.iter().find(|(_, v)| *v == n) {
                    Some((name, _)) => Value::String(name.clone()),
                    None => Value::from(n),
                })
            }
            _ => None,
        }
    }
}
