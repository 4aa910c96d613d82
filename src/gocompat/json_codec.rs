//! Decoding into litd's rule structs and writing JSON, the way Go's
//! `encoding/json` does it. Reading the text is in [`super::json`].

use std::collections::BTreeMap;

use super::json::Json;

/// Where a value sits, for Go's `UnmarshalTypeError` text: the innermost
/// struct and the dotted path of JSON field names (empty at the root).
#[derive(Debug, Clone, Default)]
pub(crate) struct At {
    strukt: &'static str,
    path: String,
}

impl At {
    /// A field of struct `strukt` (Go's short type name, e.g. `Rate`).
    pub(crate) fn field(&self, strukt: &'static str, name: &str) -> At {
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        At { strukt, path }
    }
}

/// Collects the first type mismatch, as Go's decoder does: decoding goes on
/// after one, and the first is reported at the end.
#[derive(Debug, Default)]
pub(crate) struct Dec {
    saved: Option<String>,
}

impl Dec {
    /// Records `json: cannot unmarshal <what> into Go ... of type <ty>`.
    pub(crate) fn mismatch(&mut self, what: &str, ty: &str, at: &At) {
        if self.saved.is_some() {
            return;
        }
        self.saved = Some(if at.path.is_empty() {
            format!("json: cannot unmarshal {what} into Go value of type {ty}")
        } else {
            format!(
                "json: cannot unmarshal {what} into Go struct field {}.{} of type {ty}",
                at.strukt, at.path
            )
        });
    }

    /// The saved mismatch, if any.
    pub(crate) fn finish(self) -> Result<(), String> {
        self.saved.map_or(Ok(()), Err)
    }

    /// An unsigned integer of `bits` bits. `None` leaves the target as it
    /// is (null, or a mismatch that was recorded).
    pub(crate) fn uint(&mut self, v: &Json, bits: u32, ty: &str, at: &At) -> Option<u64> {
        match v {
            Json::Null => None,
            Json::Number(lit) => {
                let n = lit
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| bits >= 64 || n >> bits == 0);
                if n.is_none() || lit.starts_with('+') {
                    self.mismatch(&format!("number {lit}"), ty, at);
                    return None;
                }
                n
            }
            other => {
                self.mismatch(other.kind(), ty, at);
                None
            }
        }
    }

    /// A signed 64-bit integer (Go's `time.Duration`).
    pub(crate) fn int(&mut self, v: &Json, ty: &str, at: &At) -> Option<i64> {
        match v {
            Json::Null => None,
            Json::Number(lit) => {
                let n = lit.parse::<i64>().ok();
                if n.is_none() {
                    self.mismatch(&format!("number {lit}"), ty, at);
                }
                n
            }
            other => {
                self.mismatch(other.kind(), ty, at);
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, v: &Json, at: &At) -> Option<bool> {
        match v {
            Json::Null => None,
            Json::Bool(b) => Some(*b),
            other => {
                self.mismatch(other.kind(), "bool", at);
                None
            }
        }
    }

    pub(crate) fn string(&mut self, v: &Json, at: &At) -> Option<String> {
        match v {
            Json::Null => None,
            Json::String { text, .. } => Some(text.clone()),
            other => {
                self.mismatch(other.kind(), "string", at);
                None
            }
        }
    }

    /// The members of an object decoded into a struct of Go type `ty`;
    /// `None` for null (Go leaves the struct alone) or a mismatch.
    pub(crate) fn object<'a>(
        &mut self,
        v: &'a Json,
        ty: &str,
        at: &At,
    ) -> Option<&'a [(String, Json)]> {
        match v {
            Json::Null => None,
            Json::Object(members) => Some(members),
            other => {
                self.mismatch(other.kind(), ty, at);
                None
            }
        }
    }

    /// Go decoding a JSON array into an existing slice of type `ty`: null
    /// makes it nil, `[]` makes it empty, elements already in the slice are
    /// decoded over (so a null element keeps the old value).
    pub(crate) fn slice<T: Default + Clone>(
        &mut self,
        v: &Json,
        ty: &str,
        at: &At,
        old: Option<Vec<T>>,
        mut elem: impl FnMut(&mut Dec, &Json, &mut T),
    ) -> Option<Vec<T>> {
        match v {
            Json::Null => None,
            Json::Array(items) => {
                let old = old.unwrap_or_default();
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let mut x = old.get(i).cloned().unwrap_or_default();
                    elem(self, item, &mut x);
                    out.push(x);
                }
                Some(out)
            }
            other => {
                self.mismatch(other.kind(), ty, at);
                old
            }
        }
    }
}

/// Go's key folding for case-insensitive field matching (`foldName`):
/// ASCII upper case, plus the few non-ASCII runes that fold onto ASCII.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => c.to_ascii_uppercase(),
            '\u{212a}' => 'K',
            '\u{17f}' => 'S',
            '\u{130}' | '\u{131}' => 'I',
            c => c,
        })
        .collect()
}

/// Calls `f(index, value)` for each member naming one of `fields`, in input
/// order: an exact name first, else a case-insensitive one. Others are
/// ignored, as Go ignores unknown keys.
pub(crate) fn each_field<'a>(
    members: &'a [(String, Json)],
    fields: &[&str],
    mut f: impl FnMut(usize, &'a Json),
) {
    for (key, value) in members {
        let idx = fields.iter().position(|n| n == key).or_else(|| {
            let k = fold(key);
            fields.iter().position(|n| fold(n) == k)
        });
        if let Some(i) = idx {
            f(i, value);
        }
    }
}

/// Appends `s` as a JSON string with Go's escaping: HTML characters, U+2028
/// and U+2029 as `\u` escapes, `\b` `\f` `\n` `\r` `\t` short forms.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '<' || c == '>' || c == '&' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `s` as a JSON string, Go style.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_string(&mut out, s);
    out
}

/// A float64 as Go's encoder writes it: shortest round-trip digits, plain
/// notation between 1e-6 and 1e21, otherwise `1e+21` / `1.5e-7`.
pub(crate) fn format_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    } else {
        format!("{f}")
    }
}

/// The first number (in document order) Go could not hold in a float64,
/// which is the error Go reports decoding into `interface{}`.
pub(crate) fn check_floats(v: &Json) -> Result<(), String> {
    let mut work = vec![v];
    while let Some(v) = work.pop() {
        match v {
            Json::Number(lit) if !lit.parse::<f64>().is_ok_and(f64::is_finite) => {
                return Err(format!(
                    "json: cannot unmarshal number {lit} into Go value of type float64"
                ));
            }
            Json::Array(items) => work.extend(items.iter().rev()),
            Json::Object(members) => work.extend(members.iter().rev().map(|(_, v)| v)),
            _ => {}
        }
    }
    Ok(())
}

enum Piece<'a> {
    Value(&'a Json),
    Key(&'a str),
    Text(&'static str),
}

/// Appends `v` as Go re-encodes a value it decoded into `interface{}`:
/// object keys sorted (a repeated key keeps its last value), numbers through
/// float64, strings re-escaped. Call [`check_floats`] first.
pub(crate) fn write_value(out: &mut String, v: &Json) {
    let mut work = vec![Piece::Value(v)];
    while let Some(p) = work.pop() {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Key(k) => {
                write_string(out, k);
                out.push(':');
            }
            Piece::Value(v) => match v {
                Json::Null => out.push_str("null"),
                Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Json::Number(lit) => out.push_str(&format_float(lit.parse().unwrap_or(0.0))),
                Json::String { text, .. } => write_string(out, text),
                Json::Array(items) => {
                    out.push('[');
                    work.push(Piece::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        work.push(Piece::Value(item));
                        if i > 0 {
                            work.push(Piece::Text(","));
                        }
                    }
                }
                Json::Object(members) => {
                    let sorted: BTreeMap<&str, &Json> =
                        members.iter().map(|(k, v)| (k.as_str(), v)).collect();
                    out.push('{');
                    work.push(Piece::Text("}"));
                    for (i, (k, v)) in sorted.into_iter().enumerate().rev() {
                        work.push(Piece::Value(v));
                        work.push(Piece::Key(k));
                        if i > 0 {
                            work.push(Piece::Text(","));
                        }
                    }
                }
            },
        }
    }
}

/// The Go type of one field of a flat struct.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field {
    U64(&'static str),
    U32(&'static str),
    Bool(&'static str),
}

impl Field {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::U64(n) | Field::U32(n) | Field::Bool(n) => n,
        }
    }
}

/// Decodes a struct made only of unsigned integers and bools (Go type
/// `ty`, short name `strukt`) into its field values in declaration order,
/// bools as 0/1, absent fields 0, as Go fills a zero struct.
pub(crate) fn flat_struct(
    dec: &mut Dec,
    v: &Json,
    ty: &str,
    strukt: &'static str,
    fields: &[Field],
) -> Vec<u64> {
    let mut out = vec![0u64; fields.len()];
    let root = At::default();
    let names: Vec<&str> = fields.iter().map(|f| f.name()).collect();
    if let Some(members) = dec.object(v, ty, &root) {
        each_field(members, &names, |i, fv| {
            let (Some(field), Some(slot)) = (fields.get(i), out.get_mut(i)) else {
                return;
            };
            let at = root.field(strukt, field.name());
            let got = match field {
                Field::U64(_) => dec.uint(fv, 64, "uint64", &at),
                Field::U32(_) => dec.uint(fv, 32, "uint32", &at),
                Field::Bool(_) => dec.boolean(fv, &at).map(u64::from),
            };
            if let Some(n) = got {
                *slot = n;
            }
        });
    }
    out
}
