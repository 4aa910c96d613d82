//! protobuf-go's JSON decoder and protojson's unmarshal walk, giving
//! protojson's texts and a JSON tree pbjson always accepts.

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use prost_types::field_descriptor_proto::Type;
use serde_json::{Map, Value};

use super::error_prefix;
use super::schema::{kind_name, schema, Field};
use super::values::*;
use crate::gocompat::fmt::quote as go_quote;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool(bool),
    Number,
    String,
    Name,
    ObjectOpen,
    ObjectClose,
    ArrayOpen,
    ArrayClose,
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    pos: usize,
    end: usize,
    /// The decoded text of a string or name.
    text: String,
}

/// protobuf-go's `internal/encoding/json` decoder over input that
/// encoding/json already found well formed, so only protojson's own
/// string checks can fail here.
pub(super) struct Decoder<'a> {
    orig: &'a [u8],
    i: usize,
    peeked: Option<Result<Token, String>>,
}

impl<'a> Decoder<'a> {
    pub(super) fn new(orig: &'a [u8]) -> Self {
        Decoder {
            orig,
            i: 0,
            peeked: None,
        }
    }

    /// Line and column as protobuf-go counts them (runes, 1-based).
    fn position(&self, pos: usize) -> (usize, usize) {
        let before = &self.orig[..pos.min(self.orig.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let from = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = before[from..].utf8_chunks().fold(0, |n, chunk| {
            n + chunk.valid().chars().count() + chunk.invalid().len()
        }) + 1;
        (line, column)
    }

    fn error(&self, pos: usize, message: &str) -> String {
        let (line, column) = self.position(pos);
        format!("{}(line {line}:{column}): {message}", error_prefix())
    }

    fn syntax_error(&self, pos: usize, message: &str) -> String {
        let (line, column) = self.position(pos);
        format!(
            "{}syntax error (line {line}:{column}): {message}",
            error_prefix()
        )
    }

    fn unexpected(&self, tok: &Token) -> String {
        self.syntax_error(tok.pos, &format!("unexpected token {}", self.raw(tok)))
    }

    fn raw(&self, tok: &Token) -> String {
        String::from_utf8_lossy(&self.orig[tok.pos..tok.end]).into_owned()
    }

    fn skip_ws(&mut self) {
        while matches!(self.orig.get(self.i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Result<Token, String> {
        if self.peeked.is_none() {
            let next = self.next_token();
            self.peeked = Some(next);
        }
        self.peeked.clone().unwrap_or_else(|| Err(String::new()))
    }

    fn read(&mut self) -> Result<Token, String> {
        match self.peeked.take() {
            Some(t) => t,
            None => self.next_token(),
        }
    }

    fn next_token(&mut self) -> Result<Token, String> {
        loop {
            self.skip_ws();
            let pos = self.i;
            let Some(&c) = self.orig.get(pos) else {
                return Ok(self.token(Kind::Eof, pos, pos));
            };
            let simple = |kind| Some((kind, 1));
            let found = match c {
                b',' | b':' => {
                    self.i += 1;
                    continue;
                }
                b'{' => simple(Kind::ObjectOpen),
                b'}' => simple(Kind::ObjectClose),
                b'[' => simple(Kind::ArrayOpen),
                b']' => simple(Kind::ArrayClose),
                b'n' => Some((Kind::Null, 4)),
                b't' => Some((Kind::Bool(true), 4)),
                b'f' => Some((Kind::Bool(false), 5)),
                b'"' => None,
                _ => {
                    let len = self.orig[pos..]
                        .iter()
                        .take_while(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                        .count();
                    Some((Kind::Number, len.max(1)))
                }
            };
            if let Some((kind, len)) = found {
                self.i = (pos + len).min(self.orig.len());
                return Ok(self.token(kind, pos, self.i));
            }
            let text = self.string(pos)?;
            let end = self.i;
            // A string followed by `:` is an object name.
            self.skip_ws();
            let kind = if self.orig.get(self.i) == Some(&b':') {
                self.i += 1;
                Kind::Name
            } else {
                Kind::String
            };
            return Ok(Token {
                kind,
                pos,
                end,
                text,
            });
        }
    }

    fn token(&self, kind: Kind, pos: usize, end: usize) -> Token {
        Token {
            kind,
            pos,
            end,
            text: String::new(),
        }
    }

    /// `parseString`: escapes decoded; invalid UTF-8 and bad surrogate
    /// escapes are errors at the string's start.
    fn string(&mut self, pos: usize) -> Result<String, String> {
        let eof = || format!("{}unexpected EOF", error_prefix());
        let mut out = String::new();
        let mut i = pos + 1;
        let s = self.orig;
        loop {
            let Some(&b) = s.get(i) else {
                return Err(eof());
            };
            match b {
                b'"' => {
                    self.i = i + 1;
                    return Ok(out);
                }
                b'\\' => {
                    let Some(&e) = s.get(i + 1) else {
                        return Err(eof());
                    };
                    let simple = match e {
                        b'"' | b'\\' | b'/' => Some(char::from(e)),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        _ => None,
                    };
                    if let Some(c) = simple {
                        out.push(c);
                        i += 2;
                        continue;
                    }
                    let bad = |from: usize, len: usize| {
                        let end = (from + len).min(s.len());
                        self.syntax_error(
                            pos,
                            &format!("invalid escape code {} in string", go_quote(&s[from..end])),
                        )
                    };
                    if e != b'u' {
                        return Err(bad(i, 2));
                    }
                    let hex4 = |at: usize| {
                        s.get(at..at + 4)
                            .and_then(|h| std::str::from_utf8(h).ok())
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                    };
                    if s.len() < i + 6 {
                        return Err(eof());
                    }
                    let Some(r) = hex4(i + 2) else {
                        return Err(bad(i, 6));
                    };
                    i += 6;
                    let c = if (0xd800..0xe000).contains(&r) {
                        if s.len() < i + 6 {
                            return Err(eof());
                        }
                        let low = hex4(i + 2);
                        let pair = match low {
                            Some(lo)
                                if s[i] == b'\\'
                                    && s[i + 1] == b'u'
                                    && r < 0xdc00
                                    && (0xdc00..0xe000).contains(&lo) =>
                            {
                                char::from_u32(0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00))
                            }
                            _ => None,
                        };
                        let Some(c) = pair else {
                            return Err(bad(i, 6));
                        };
                        i += 6;
                        c
                    } else {
                        char::from_u32(r).unwrap_or('\u{fffd}')
                    };
                    out.push(c);
                }
                b if b < 0x20 => {
                    let message = format!("invalid character {} in string", go_quote_rune(b));
                    return Err(self.syntax_error(pos, &message));
                }
                _ => {
                    let rest = &s[i..];
                    let run = rest
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                        .unwrap_or(rest.len());
                    match std::str::from_utf8(&rest[..run]) {
                        Ok(text) => out.push_str(text),
                        Err(_) => {
                            return Err(self.syntax_error(pos, "invalid UTF-8 in string"));
                        }
                    }
                    i += run;
                }
            }
        }
    }

    /// `unmarshalMessage` for the message `name`, read from the next token.
    pub(super) fn message(&mut self, name: &str) -> Result<Value, String> {
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
