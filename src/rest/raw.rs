//! Raw request pieces the REST handlers read below axum's extractors, so
//! that malformed input gets litd's JSON errors instead of axum's plain-text
//! rejections.

/// Percent-decodes a path segment to bytes, as Go does before routing:
/// the result need not be UTF-8 (`%FF` is a byte, and then bad base64, not
/// a rejected URL). An invalid escape stays as written.
pub fn percent_decode(raw: &str) -> Vec<u8> {
    let raw = raw.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (raw[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Whether reading a body failed because it passed the size limit.
pub(super) fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_decode_to_bytes() {
        assert_eq!(percent_decode("%FFa%2f%zz%"), b"\xffa/%zz%".to_vec());
        let err = super::super::decode_key_param(percent_decode("%FF")).expect_err("not base64");
        assert!(
            err.ends_with("illegal base64 data at input byte 0"),
            "{err}"
        );
    }
}
