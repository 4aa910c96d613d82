//! REST request bodies read as litd's gateway reads them (reference §6 and
//! Correction 6): grpc-gateway's `decodeJSONPb` takes the first JSON value
//! of the body with `encoding/json` (so trailing data is ignored and a
//! malformed prefix gets encoding/json's text), then protojson (the
//! hex-display fork of protobuf-go v1.36.11) unmarshals that value, walking
//! the message descriptors: names in proto or JSON form, unknown and
//! duplicate fields refused, `null` skipped, integers as JSON numbers in any
//! integral form (`1.0`, `1e1`) or as such strings, bytes in either base64
//! alphabet. Its errors read `proto: (line L:C): ...` or
//! `proto: syntax error (line L:C): ...`, where the character after
//! `proto:` is a space or a no-break space, chosen once per process.
//!
//! The result is a normalised JSON tree that the generated pbjson
//! deserialisers always accept, so they never produce a text of their own.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use base64::Engine as _;
use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::FileDescriptorSet;
use serde_json::{Map, Value};

use crate::gocompat::fmt::quote as go_quote;
use crate::gocompat::json as go_json;
use crate::proto::FILE_DESCRIPTOR_SET;

/// 0: not chosen yet; 1: space; 2: no-break space.
static PREFIX_SPACE: AtomicU8 = AtomicU8::new(0);

/// protobuf-go's error prefix, `proto:` and a space or a no-break space
/// (U+00A0), the same for the whole process (Go picks it per binary; the
/// reference says per process, which is what a client can observe).
pub(crate) fn error_prefix() -> &'static str {
    let mut v = PREFIX_SPACE.load(Ordering::Relaxed);
    if v == 0 {
        let pick = if rand::random::<bool>() { 2 } else { 1 };
        v = match PREFIX_SPACE.compare_exchange(0, pick, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => pick,
            Err(current) => current,
        };
    }
    if v == 2 {
        "proto:\u{a0}"
    } else {
        "proto: "
    }
}

/// Makes the prefix choice follow `seed` (`serve --seed`), when no error was
/// written yet in this process.
pub(crate) fn seed_error_prefix(seed: u64) {
    let pick = if seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63 == 1 {
        2
    } else {
        1
    };
    let _ = PREFIX_SPACE.compare_exchange(0, pick, Ordering::Relaxed, Ordering::Relaxed);
}

/// Decodes `body` into the request message `T` as litd's gateway does; an
/// empty (or all white space) body is the empty request.
pub(crate) fn decode<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, String> {
    let Some(range) = go_json::first_value(body)? else {
        return Ok(T::default());
    };
    let Some(name) = message_name::<T>() else {
        return serde_json::from_slice(&body[range]).map_err(|e| e.to_string());
    };
    let value = Decoder::new(&body[range]).message(&name)?;
    serde_json::from_value(value).map_err(|e| format!("{}{e}", error_prefix()))
}

/// The proto name a pbjson message type gives serde (`litrpc.Session`),
/// read by asking it to deserialise from a recorder.
fn message_name<T: serde::de::DeserializeOwned>() -> Option<String> {
    struct Recorder(Option<String>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> serde::Deserializer<'de> for &mut Recorder {
        type Error = Stop;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            name: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = Some(name.to_string());
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
            enum identifier ignored_any
        }
    }
    let mut recorder = Recorder(None);
    let _ = T::deserialize(&mut recorder);
    recorder.0
}

/// One field as protojson sees it.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    json_name: String,
    number: i32,
    kind: Type,
    repeated: bool,
    /// Message or enum type, without the leading dot.
    type_name: String,
    oneof: Option<String>,
    /// Key and value of a map field.
    map: Option<Box<(Field, Field)>>,
}

#[derive(Debug, Default)]
struct Schema {
    messages: HashMap<String, Vec<Field>>,
    enums: HashMap<String, Vec<(String, i32)>>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        // Our own build script wrote the set; an empty schema (every body an
        // unknown-field error) is the fallback rather than a panic.
        let set = FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).unwrap_or_default();
        let mut schema = Schema::default();
        for file in &set.file {
            for m in &file.message_type {
                collect(file.package(), m, &mut schema);
            }
            for e in &file.enum_type {
                collect_enum(file.package(), e, &mut schema);
            }
        }
        schema
    })
}

fn collect_enum(scope: &str, e: &prost_types::EnumDescriptorProto, schema: &mut Schema) {
    let values = e
        .value
        .iter()
        .map(|v| (v.name().to_string(), v.number()))
        .collect();
    schema.enums.insert(format!("{scope}.{}", e.name()), values);
}

/// `strs.JSONCamelCase`, what protoc writes as `json_name`.
fn json_camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut after_underscore = false;
    for c in name.chars() {
        if c != '_' {
            out.push(if after_underscore {
                c.to_ascii_uppercase()
            } else {
                c
            });
        }
        after_underscore = c == '_';
    }
    out
}

fn collect(scope: &str, m: &prost_types::DescriptorProto, schema: &mut Schema) {
    let full = format!("{scope}.{}", m.name());
    let entries: HashMap<String, &prost_types::DescriptorProto> = m
        .nested_type
        .iter()
        .filter(|n| n.options.as_ref().is_some_and(|o| o.map_entry()))
        .map(|n| (format!("{full}.{}", n.name()), n))
        .collect();
    let field_of = |f: &prost_types::FieldDescriptorProto| Field {
        name: f.name().to_string(),
        json_name: f
            .json_name
            .clone()
            .unwrap_or_else(|| json_camel_case(f.name())),
        number: f.number(),
        kind: f.r#type(),
        repeated: f.label() == Label::Repeated,
        type_name: f.type_name().trim_start_matches('.').to_string(),
        oneof: f
            .oneof_index
            .and_then(|i| m.oneof_decl.get(usize::try_from(i).ok()?))
            .map(|o| format!("{full}.{}", o.name())),
        map: None,
    };
    let fields = m
        .field
        .iter()
        .map(|f| {
            let mut field = field_of(f);
            if let Some(entry) = entries.get(&field.type_name) {
                let key = entry.field.iter().find(|v| v.number() == 1);
                let value = entry.field.iter().find(|v| v.number() == 2);
                if let (Some(k), Some(v)) = (key, value) {
                    let kv = (field_of(k), field_of(v));
                    field.map = Some(Box::new(kv));
                }
            }
            field
        })
        .collect();
    schema.messages.insert(full.clone(), fields);
    for nested in &m.nested_type {
        collect(&full, nested, schema);
    }
    for e in &m.enum_type {
        collect_enum(&full, e, schema);
    }
}

/// protoreflect's `Kind.String()`.
fn kind_name(kind: Type) -> &'static str {
    match kind {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
}

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
struct Decoder<'a> {
    orig: &'a [u8],
    i: usize,
    peeked: Option<Result<Token, String>>,
}

impl<'a> Decoder<'a> {
    fn new(orig: &'a [u8]) -> Self {
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
    fn message(&mut self, name: &str) -> Result<Value, String> {
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

/// Go's `%q` of a rune (control characters only reach here).
fn go_quote_rune(b: u8) -> String {
    match b {
        b'\n' => r"'\n'".into(),
        b'\t' => r"'\t'".into(),
        b'\r' => r"'\r'".into(),
        0x07 => r"'\a'".into(),
        0x08 => r"'\b'".into(),
        0x0c => r"'\f'".into(),
        0x0b => r"'\v'".into(),
        _ => format!(r"'\x{b:02x}'"),
    }
}

/// `unmarshalMapKey`: Go's `strconv.ParseInt` takes a sign, `ParseUint`
/// does not.
fn map_key(name: &str, kind: Type) -> Option<String> {
    let unsigned = || !name.starts_with(['+', '-']);
    match kind {
        Type::String => Some(name.to_string()),
        Type::Bool => matches!(name, "true" | "false").then(|| name.to_string()),
        Type::Int32 | Type::Sint32 | Type::Sfixed32 => {
            name.parse::<i32>().ok().map(|n| n.to_string())
        }
        Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
            name.parse::<i64>().ok().map(|n| n.to_string())
        }
        Type::Uint32 | Type::Fixed32 if unsigned() => {
            name.parse::<u32>().ok().map(|n| n.to_string())
        }
        Type::Uint64 | Type::Fixed64 if unsigned() => {
            name.parse::<u64>().ok().map(|n| n.to_string())
        }
        _ => None,
    }
}

/// protojson's `unmarshalBytes`: URL-safe alphabet when the text has `-` or
/// `_`, unpadded when its length is not a multiple of 4; Go's decoder skips
/// `\r` and `\n` and accepts non-zero trailing bits.
fn decode_bytes(text: &str) -> Option<Vec<u8>> {
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let alphabet = if text.contains(['-', '_']) {
        URL_SAFE
    } else {
        STANDARD
    };
    let padding = if text.len() % 4 == 0 {
        DecodePaddingMode::RequireCanonical
    } else {
        DecodePaddingMode::RequireNone
    };
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(padding)
        .with_decode_allow_trailing_bits(true);
    let cleaned: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    GeneralPurpose::new(&alphabet, config).decode(cleaned).ok()
}

/// The integer a token stands for, as decimal text: a JSON number in any
/// integral form, or a string holding one. For a string, protobuf-go
/// v1.36.11 reads only the first number token of its text, so trailing
/// content after a delimiter (`"7 days"`, `"7,x"`) is ignored, as it is in
/// litd (fixed upstream after that release).
fn integer_text(text: &str, quoted: bool) -> Option<String> {
    if !quoted {
        return normalize_integer(text);
    }
    if text.trim() != text {
        return None;
    }
    normalize_integer(leading_number(text)?)
}

/// The number token at the start of `s` (protobuf-go's `parseNumber`):
/// JSON number syntax followed by the end or a delimiter.
fn leading_number(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut n = 0;
    if b.first() == Some(&b'-') {
        n += 1;
    }
    match b.get(n) {
        Some(b'0') => n += 1,
        Some(b'1'..=b'9') => {
            n += 1;
            while b.get(n).is_some_and(u8::is_ascii_digit) {
                n += 1;
            }
        }
        _ => return None,
    }
    if b.get(n) == Some(&b'.') && b.get(n + 1).is_some_and(u8::is_ascii_digit) {
        n += 2;
        while b.get(n).is_some_and(u8::is_ascii_digit) {
            n += 1;
        }
    }
    if matches!(b.get(n), Some(b'e' | b'E')) && b.len() >= n + 2 {
        n += 1;
        if matches!(b.get(n), Some(b'+' | b'-')) {
            n += 1;
            if n >= b.len() {
                return None;
            }
        }
        while b.get(n).is_some_and(u8::is_ascii_digit) {
            n += 1;
        }
    }
    let delimiter = |c: u8| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.' | b'_'));
    match b.get(n) {
        Some(&c) if !delimiter(c) => None,
        _ => Some(&s[..n]),
    }
}

/// protobuf-go's `normalizeToIntString` over a JSON number: the integer it
/// denotes, without exponent, or `None` when it is not integral (trailing
/// zeros of the fraction do not count) or has more than 20 digits.
fn normalize_integer(number: &str) -> Option<String> {
    let (neg, rest) = match number.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, number),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    let int = if int == "0" { "" } else { int };
    let frac = frac.trim_end_matches('0');
    if int.is_empty() && frac.is_empty() {
        return Some("0".into());
    }
    // Go reads an exponent only when a character follows the `e`.
    let exp: i64 = match exp {
        Some("") | None => 0,
        Some(e) => i64::from(e.parse::<i32>().ok()?),
    };
    let digits = if exp >= 0 {
        let exp = usize::try_from(exp).ok()?;
        if frac.len() > exp || int.len() + exp > 20 {
            return None;
        }
        format!("{int}{frac}{}", "0".repeat(exp - frac.len()))
    } else {
        if !frac.is_empty() {
            return None;
        }
        let index = usize::try_from(int.len() as i64 + exp).ok()?;
        if int[index..].bytes().any(|d| d != b'0') {
            return None;
        }
        int[..index].to_string()
    };
    Some(if neg { format!("-{digits}") } else { digits })
}

/// The integer in the JSON form pbjson reads for this kind (64-bit as a
/// string), if it fits (`strconv.ParseInt`/`ParseUint` with the bit size).
fn integer_value(n: &str, kind: Type) -> Option<Value> {
    let empty_is_zero = n;
    Some(match kind {
        Type::Uint64 | Type::Fixed64 => {
            Value::String(empty_is_zero.parse::<u64>().ok()?.to_string())
        }
        Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
            Value::String(empty_is_zero.parse::<i64>().ok()?.to_string())
        }
        Type::Uint32 | Type::Fixed32 => Value::from(empty_is_zero.parse::<u32>().ok()?),
        Type::Int32 | Type::Sint32 | Type::Sfixed32 => {
            Value::from(empty_is_zero.parse::<i32>().ok()?)
        }
        _ => return None,
    })
}

/// `unmarshalFloat`: a number, or a string holding `NaN`, `Infinity`,
/// `-Infinity` or a number; out of range for the width is refused.
fn float_value(text: &str, quoted: bool, is_f32: bool) -> Option<Value> {
    if quoted && matches!(text, "NaN" | "Infinity" | "-Infinity") {
        return Some(Value::String(text.to_string()));
    }
    let number = if quoted {
        if text.trim() != text {
            return None;
        }
        leading_number(text)?
    } else {
        text
    };
    let f: f64 = number.parse().ok()?;
    let fits = if is_f32 {
        (f as f32).is_finite()
    } else {
        f.is_finite()
    };
    fits.then(|| serde_json::Number::from_f64(f).map(Value::Number))
        .flatten()
}

#[cfg(test)]
#[path = "protojson_in_tests.rs"]
mod tests;
