//! protobuf-go's JSON decoder: tokens with their line and column, and
//! protojson's string checks and texts. The unmarshal walk over them is
//! `walk.rs`; together they give a JSON tree pbjson always accepts.

use super::error_prefix;
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
}

#[path = "walk.rs"]
mod walk;
