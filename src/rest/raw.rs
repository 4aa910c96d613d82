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

/// How much of a body the gateway ignores is read before answering: Go's
/// net/http discards up to this much after a handler that did not read it
/// (`maxPostHandlerReadBytes`), so the connection is not reset under the
/// client while it still sends.
pub(crate) const DRAIN_LIMIT: usize = 256 * 1024;

/// How long the drain waits for the next piece of an ignored body.
const DRAIN_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Reads (and drops) the body of a request whose handler ignores it (any
/// request but one routed to a registry route with a body: GET and DELETE
/// bodies, the form POST served as a GET, unknown paths), up to
/// [`DRAIN_LIMIT`], before the handler answers. Without it, hyper closes an
/// HTTP/1.1 connection with the unread body still in the socket, the kernel
/// resets it and the client loses the tail of the answer (a 200 KB List cut
/// at 48 KB). A body that stalls for a second is left as it is.
pub(crate) async fn drain_ignored_body(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use http_body::Body as _;
    use http_body_util::BodyExt as _;
    let path = req.uri().path();
    let reads_body = crate::rpc::Rpc::ALL.iter().any(|rpc| {
        rpc.spec().rest.iter().any(|route| {
            route.method.as_http() == req.method()
                && matches!(route.body, crate::rpc::spec::RestBody::All)
                && route.matches_path(path)
        })
    });
    if reads_body || req.body().is_end_stream() {
        return next.run(req).await;
    }
    let (parts, mut body) = req.into_parts();
    let mut read = 0usize;
    while read <= DRAIN_LIMIT {
        match tokio::time::timeout(DRAIN_IDLE, body.frame()).await {
            Ok(Some(Ok(frame))) => read += frame.data_ref().map_or(0, |d| d.len()),
            _ => break,
        }
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::empty(),
    ))
    .await
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
