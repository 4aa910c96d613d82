//! Scalar values as protojson reads them: integers in any integral form,
//! floats, bytes in either base64 alphabet, map keys.

use base64::Engine as _;
use prost_types::field_descriptor_proto::Type;
use serde_json::Value;

/// Go's `%q` of a rune (control characters only reach here).
pub(super) fn go_quote_rune(b: u8) -> String {
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
pub(super) fn map_key(name: &str, kind: Type) -> Option<String> {
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
pub(super) fn decode_bytes(text: &str) -> Option<Vec<u8>> {
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
pub(super) fn integer_text(text: &str, quoted: bool) -> Option<String> {
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
pub(super) fn leading_number(s: &str) -> Option<&str> {
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
pub(super) fn normalize_integer(number: &str) -> Option<String> {
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
pub(super) fn integer_value(n: &str, kind: Type) -> Option<Value> {
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
pub(super) fn float_value(text: &str, quoted: bool, is_f32: bool) -> Option<Value> {
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
