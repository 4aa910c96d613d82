//! Go's `encoding/json` string decoding (`unquote`), apart from the
//! scanner in `json.rs` that first checks a string is well formed.

fn hex4(b: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(b.get(..4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Go's `unquote` on an already validated string body: escapes decoded,
/// surrogate pairs joined, lone surrogates and each invalid UTF-8 byte
/// replaced by U+FFFD.
pub(super) fn unquote(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'\\' {
            let end = raw[i..]
                .iter()
                .position(|&c| c == b'\\')
                .map_or(raw.len(), |p| i + p);
            push_utf8_go(&mut out, &raw[i..end]);
            i = end;
            continue;
        }
        let esc = raw.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let c = match esc {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let r = hex4(raw.get(i..).unwrap_or_default()).unwrap_or(0xfffd);
                i += 4;
                if (0xd800..0xe000).contains(&r) {
                    let low = (raw.get(i..i + 2) == Some(b"\\u"))
                        .then(|| hex4(raw.get(i + 2..).unwrap_or_default()))
                        .flatten();
                    match low {
                        Some(lo) if r < 0xdc00 && (0xdc00..0xe000).contains(&lo) => {
                            i += 6;
                            char::from_u32(0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00))
                                .unwrap_or('\u{fffd}')
                        }
                        _ => '\u{fffd}',
                    }
                } else {
                    char::from_u32(r).unwrap_or('\u{fffd}')
                }
            }
            other => char::from(other),
        };
        out.push(c);
    }
    out
}

/// Appends bytes as Go decodes them: each invalid byte becomes one U+FFFD.
fn push_utf8_go(out: &mut String, mut b: &[u8]) {
    while !b.is_empty() {
        match std::str::from_utf8(b) {
            Ok(s) => {
                out.push_str(s);
                return;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&b[..good]).unwrap_or_default());
                out.push('\u{fffd}');
                b = &b[good + 1..];
            }
        }
    }
}
