//! Go standard-library text, reproduced byte for byte.
//!
//! litd's macaroon errors are built by lnd, the macaroon bakery and Go's
//! standard library (`encoding/hex`, `strconv.Quote` behind `%q`, `%#U`, the
//! `time` package's own quoting). A test double must print the same bytes, so
//! the few formatting rules those messages rely on live here.

use std::fmt::Write as _;

/// Go's `hex.DecodeString`, including its error texts and the order in which
/// it reports them (an invalid byte before an odd length).
pub(crate) fn hex_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(src.len() / 2);
    for pair in src.chunks_exact(2) {
        let hi = hex_value(pair[0]).ok_or_else(|| invalid_hex_byte(pair[0]))?;
        let lo = hex_value(pair[1]).ok_or_else(|| invalid_hex_byte(pair[1]))?;
        out.push((hi << 4) | lo);
    }
    if let [.., last] = src {
        if src.len() % 2 == 1 {
            if hex_value(*last).is_none() {
                return Err(invalid_hex_byte(*last));
            }
            return Err("encoding/hex: odd length hex string".to_string());
        }
    }
    Ok(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `hex.InvalidByteError`: `encoding/hex: invalid byte: %#U`.
fn invalid_hex_byte(b: u8) -> String {
    format!("encoding/hex: invalid byte: {}", sharp_u(char::from(b)))
}

/// Go's `%#U` verb: `U+0067 'g'`, or just `U+0000` for unprintable runes.
pub(crate) fn sharp_u(c: char) -> String {
    let mut s = format!("U+{:04X}", u32::from(c));
    if is_print(c) {
        let _ = write!(s, " '{c}'");
    }
    s
}

/// Go's `strconv.IsPrint`. Exact for Latin-1 (all that hex errors can show);
/// above U+00FF it approximates Go's Unicode tables (letters, marks, numbers,
/// punctuation and symbols) by excluding controls, separators, format
/// characters, private use and non-characters.
pub(crate) fn is_print(c: char) -> bool {
    let u = u32::from(c);
    if u <= 0xFF {
        return (0x20..=0x7E).contains(&u) || ((0xA1..=0xFF).contains(&u) && u != 0xAD);
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(
        u,
        0x061C
            | 0x070F
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0xFFFE
            | 0xFFFF
            | 0xE000..=0xF8FF
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001..=0xE007F
            | 0xF0000..=0x10FFFF
    )
}

/// Go's `strconv.Quote` (the `%q` verb) over raw bytes: invalid UTF-8 bytes
/// become `\xNN`, unprintable runes `\a`…`\v`, `\xNN`, `\uNNNN` or
/// `\UNNNNNNNN`.
pub(crate) fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_escaped(&mut out, c);
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

fn push_escaped(out: &mut String, c: char) {
    if c == '"' || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    let u = u32::from(c);
    let _ = match c {
        '\u{7}' => write!(out, "\\a"),
        '\u{8}' => write!(out, "\\b"),
        '\u{c}' => write!(out, "\\f"),
        '\n' => write!(out, "\\n"),
        '\r' => write!(out, "\\r"),
        '\t' => write!(out, "\\t"),
        '\u{b}' => write!(out, "\\v"),
        _ if u < 0x20 || u == 0x7F => write!(out, "\\x{u:02x}"),
        _ if u < 0x10000 => write!(out, "\\u{u:04x}"),
        _ => write!(out, "\\U{u:08x}"),
    };
}

/// The `time` package's private `quote`, used in `time.ParseError` texts:
/// every byte outside printable ASCII becomes `\xNN`; `"` and `\` are
/// backslash-escaped.
pub(crate) fn time_quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        if !(b' '..0x80).contains(&b) {
            let _ = write!(out, "\\x{b:02x}");
        } else {
            if b == b'"' || b == b'\\' {
                out.push('\\');
            }
            out.push(char::from(b));
        }
    }
    out.push('"');
    out
}

/// Go's `%s` of a byte string: the bytes as they are. Invalid UTF-8 cannot be
/// carried in a Rust `String`, so it becomes U+FFFD here.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_errors_match_go() {
        assert_eq!(hex_decode(b"0a0B").unwrap(), vec![0x0a, 0x0b]);
        assert_eq!(
            hex_decode(b"0g").unwrap_err(),
            "encoding/hex: invalid byte: U+0067 'g'"
        );
        assert_eq!(
            hex_decode(b"abc").unwrap_err(),
            "encoding/hex: odd length hex string"
        );
        // An invalid trailing byte is reported before the odd length.
        assert_eq!(
            hex_decode(b"abz").unwrap_err(),
            "encoding/hex: invalid byte: U+007A 'z'"
        );
        assert_eq!(
            hex_decode(b"\x00\x00").unwrap_err(),
            "encoding/hex: invalid byte: U+0000"
        );
        // Go walks bytes, so UTF-8 text shows its first byte as a Latin-1 rune.
        assert_eq!(
            hex_decode("é0".as_bytes()).unwrap_err(),
            "encoding/hex: invalid byte: U+00C3 'Ã'"
        );
        assert_eq!(hex_decode(b"").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn quote_matches_go() {
        assert_eq!(quote(b"time-before x"), "\"time-before x\"");
        assert_eq!(quote(b"a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote(b"\n\t\x01\x7f"), "\"\\n\\t\\x01\\x7f\"");
        assert_eq!(quote(b"\xff\xe2\x82"), "\"\\xff\\xe2\\x82\"");
        assert_eq!(quote("é€".as_bytes()), "\"é€\"");
        assert_eq!(quote("\u{a0}\u{200b}".as_bytes()), "\"\\u00a0\\u200b\"");
        assert_eq!(time_quote("a\"é".as_bytes()), "\"a\\\"\\xc3\\xa9\"");
    }
}
