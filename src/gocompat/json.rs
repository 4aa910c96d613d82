//! Just enough of Go's `encoding/json` for litd's rule values, feature
//! configs and REST bodies. litd reads the remote server's rule bytes and the
//! caller's feature configs with `json.Unmarshal` and writes them back with
//! `json.Marshal`, grpc-gateway takes a body's first value with a
//! `json.Decoder`, and their error texts come straight from that package, so
//! the mock needs: a reader that accepts and refuses exactly what Go's
//! scanner does, with its messages; decoding helpers that follow Go's rules
//! for struct fields (case-insensitive keys, unknown keys ignored, the first
//! type mismatch reported once the whole value was read); and a writer with
//! Go's escaping and number forms.
//!
//! Nothing here recurses on the input's nesting: Go accepts 10 000 levels,
//! which would overflow a small thread stack if walked recursively.

pub(crate) use super::json_codec::*;
use super::json_unquote::unquote;

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;
pub(crate) const EOF: &str = "unexpected end of JSON input";

/// A JSON value as read, before Go would decode it into a typed target.
#[derive(Debug)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The literal text; Go parses it according to the target type.
    Number(String),
    /// `raw` is the bytes between the quotes, escapes untouched (what Go
    /// hands to a type's own `UnmarshalJSON`); `text` is the decoded string.
    String {
        raw: Vec<u8>,
        text: String,
    },
    Array(Vec<Json>),
    /// Members in input order, duplicates kept (on decode the last wins).
    Object(Vec<(String, Json)>),
}

impl Drop for Json {
    /// Tears the tree down with a work list instead of recursion.
    fn drop(&mut self) {
        let mut work = Vec::new();
        take_children(self, &mut work);
        while let Some(mut v) = work.pop() {
            take_children(&mut v, &mut work);
        }
    }
}

fn take_children(v: &mut Json, out: &mut Vec<Json>) {
    match v {
        Json::Array(items) => out.append(items),
        Json::Object(members) => out.extend(members.drain(..).map(|(_, v)| v)),
        _ => {}
    }
}

impl Json {
    /// The word Go uses for this kind of value in `cannot unmarshal <word>`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String { .. } => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

/// Go's `quoteChar`, used in every scanner error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_string(),
        b'"' => "'\"'".to_string(),
        b'\\' => r"'\\'".to_string(),
        0x07 => r"'\a'".to_string(),
        0x08 => r"'\b'".to_string(),
        0x0c => r"'\f'".to_string(),
        b'\n' => r"'\n'".to_string(),
        b'\r' => r"'\r'".to_string(),
        b'\t' => r"'\t'".to_string(),
        0x0b => r"'\v'".to_string(),
        c if c < 0x20 || c == 0x7f => format!(r"'\x{c:02x}'"),
        // A byte above 0x7f is shown as the Latin-1 rune of that value.
        c if (0x80..=0xa0).contains(&c) || c == 0xad => format!(r"'\u{c:04x}'"),
        c => format!("'{}'", char::from(c)),
    }
}

fn syntax(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

struct Scan<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// The next byte, or the space Go feeds its scanner at the end of input.
    fn peek_or_space(&self) -> u8 {
        self.peek().unwrap_or(b' ')
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek_or_space() {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            c => return Err(syntax(c, "in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let c = self.peek_or_space();
            if !c.is_ascii_digit() {
                return Err(syntax(c, "after decimal point in numeric literal"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let c = self.peek_or_space();
            if !c.is_ascii_digit() {
                return Err(syntax(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        let text = self.s.get(start..self.i).unwrap_or_default();
        Ok(Json::Number(String::from_utf8_lossy(text).into_owned()))
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        for &w in word.as_bytes().iter().skip(1) {
            self.i += 1;
            let c = self.peek_or_space();
            if c != w {
                let why = format!("in literal {word} (expecting {})", quote_char(w));
                return Err(syntax(c, &why));
            }
        }
        self.i += 1;
        Ok(value)
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<Json, String> {
        self.i += 1;
        let start = self.i;
        loop {
            let c = self.peek().ok_or(EOF)?;
            match c {
                b'"' => break,
                b'\\' => {
                    self.i += 1;
                    match self.peek_or_space() {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => self.i += 1,
                        b'u' => {
                            for _ in 0..4 {
                                self.i += 1;
                                let h = self.peek_or_space();
                                if !h.is_ascii_hexdigit() {
                                    let why = r"in \u hexadecimal character escape";
                                    return Err(syntax(h, why));
                                }
                            }
                            self.i += 1;
                        }
                        e => return Err(syntax(e, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(syntax(c, "in string literal")),
                _ => self.i += 1,
            }
        }
        let raw = self.s.get(start..self.i).unwrap_or_default().to_vec();
        self.i += 1;
        Ok(Json::String {
            text: unquote(&raw),
            raw,
        })
    }

    /// An object key and the colon after it.
    fn key(&mut self) -> Result<String, String> {
        let text = match &mut self.string()? {
            Json::String { text, .. } => std::mem::take(text),
            _ => String::new(),
        };
        self.ws();
        match self.peek() {
            None => Err(EOF.to_string()),
            Some(b':') => {
                self.i += 1;
                Ok(text)
            }
            Some(c) => Err(syntax(c, "after object key")),
        }
    }
}

enum Frame {
    Array(Vec<Json>),
    Object(Vec<(String, Json)>, String),
}

/// Reads a whole document the way `json.Unmarshal`'s validity check does.
pub(crate) fn parse(input: &[u8]) -> Result<Json, String> {
    parse_value(&mut Scan { s: input, i: 0 }, true)
}

/// What `json.NewDecoder(body).Decode(&raw)` reads into a `json.RawMessage`
/// (grpc-gateway's `decodeJSONPb`): the first JSON value of `input`, as the
/// byte range it spans without the white space around it; trailing data is
/// never looked at. `Ok(None)` for an input that is empty or only white
/// space (Go's `io.EOF`); an input that ends inside the value is
/// `unexpected EOF`, whatever the scanner would have said of the end.
pub(crate) fn first_value(input: &[u8]) -> Result<Option<std::ops::Range<usize>>, String> {
    let mut sc = Scan { s: input, i: 0 };
    sc.ws();
    let start = sc.i;
    if sc.peek().is_none() {
        return Ok(None);
    }
    match parse_value(&mut sc, false) {
        Ok(_) => Ok(Some(start..sc.i)),
        Err(_) if sc.i >= input.len() => Err("unexpected EOF".to_string()),
        Err(e) => Err(e),
    }
}

/// The scanner over one value; `whole` refuses anything but white space
/// after it, otherwise the scan stops at the value's end.
fn parse_value(sc: &mut Scan<'_>, whole: bool) -> Result<Json, String> {
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        sc.ws();
        let c = sc.peek().ok_or(EOF)?;
        let mut value = match c {
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(c, "exceeded max depth"));
                }
                sc.i += 1;
                sc.ws();
                match (c, sc.peek()) {
                    (_, None) => return Err(EOF.to_string()),
                    (b'[', Some(b']')) => {
                        sc.i += 1;
                        Json::Array(Vec::new())
                    }
                    (b'[', Some(_)) => {
                        stack.push(Frame::Array(Vec::new()));
                        continue 'value;
                    }
                    (_, Some(b'}')) => {
                        sc.i += 1;
                        Json::Object(Vec::new())
                    }
                    (_, Some(b'"')) => {
                        let key = sc.key()?;
                        stack.push(Frame::Object(Vec::new(), key));
                        continue 'value;
                    }
                    (_, Some(c)) => {
                        return Err(syntax(c, "looking for beginning of object key string"))
                    }
                }
            }
            b'"' => sc.string()?,
            b'-' | b'0'..=b'9' => sc.number()?,
            b't' => sc.literal("true", Json::Bool(true))?,
            b'f' => sc.literal("false", Json::Bool(false))?,
            b'n' => sc.literal("null", Json::Null)?,
            c => return Err(syntax(c, "looking for beginning of value")),
        };
        // A value is complete: hand it to its container and see what follows.
        loop {
            let end = sc.i;
            sc.ws();
            let Some(frame) = stack.pop() else {
                if !whole {
                    sc.i = end;
                    return Ok(value);
                }
                return match sc.peek() {
                    None => Ok(value),
                    Some(c) => Err(syntax(c, "after top-level value")),
                };
            };
            match frame {
                Frame::Array(mut items) => {
                    items.push(value);
                    match sc.peek() {
                        None => return Err(EOF.to_string()),
                        Some(b',') => {
                            sc.i += 1;
                            stack.push(Frame::Array(items));
                            continue 'value;
                        }
                        Some(b']') => {
                            sc.i += 1;
                            value = Json::Array(items);
                        }
                        Some(c) => return Err(syntax(c, "after array element")),
                    }
                }
                Frame::Object(mut members, key) => {
                    members.push((key, value));
                    match sc.peek() {
                        None => return Err(EOF.to_string()),
                        Some(b',') => {
                            sc.i += 1;
                            sc.ws();
                            match sc.peek() {
                                None => return Err(EOF.to_string()),
                                Some(b'"') => {
                                    let key = sc.key()?;
                                    stack.push(Frame::Object(members, key));
                                    continue 'value;
                                }
                                Some(c) => {
                                    let why = "looking for beginning of object key string";
                                    return Err(syntax(c, why));
                                }
                            }
                        }
                        Some(b'}') => {
                            sc.i += 1;
                            value = Json::Object(members);
                        }
                        Some(c) => return Err(syntax(c, "after object key:value pair")),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
