//! The grpc-web responses litd sends (front-door reference §2.4-§2.6), as
//! plain `http::Response`s: HTTP 200 for every outcome of a call, a message
//! frame and the lower-case trailer frame on success, trailers-only errors
//! (`Grpc-Status`/`Grpc-Message` headers, empty body), `Vary: Origin` and
//! `Access-Control-Expose-Headers` on every answer, and never an
//! `Access-Control-Allow-Origin` (litd's grpc-web origin function denies
//! every origin).

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, VARY};
use http::{Response, StatusCode};

use super::codec::{self, WebContentType};

/// The header names grpc-go's transport has set when it flushes, in the
/// order the mock lists them (litd lists them in Go map order, which is
/// random; `Date` is listed although grpc-go suppresses the header itself).
const SUCCESS_HEADERS: &str = "Vary, Date, Content-Type";
const TRAILERS_ONLY_HEADERS: &str = "Vary, Date, Content-Type, Grpc-Status";
/// The wrapper appends these to every list [exact].
const EXPOSE_TAIL: &str = "grpc-status, grpc-message";

/// A successful unary call: the response message `payload` (protobuf bytes).
pub(crate) fn success(content_type: &WebContentType, payload: &[u8]) -> Response<Bytes> {
    let body = codec::success_body(content_type.mode, payload);
    let mut response = Response::new(Bytes::from(body));
    set_common(&mut response, &content_type.response(), SUCCESS_HEADERS);
    response
}

/// A call that failed before any message: status in the HTTP headers
/// (message percent-encoded as grpc-go does), empty body, HTTP 200.
pub(crate) fn trailers_only(
    content_type: &WebContentType,
    code: u8,
    message: &str,
) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    let listed = if message.is_empty() {
        TRAILERS_ONLY_HEADERS.to_string()
    } else {
        format!("{TRAILERS_ONLY_HEADERS}, Grpc-Message")
    };
    set_common(&mut response, &content_type.response(), &listed);
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("grpc-status"),
        HeaderValue::from(u32::from(code)),
    );
    if !message.is_empty() {
        // Percent-encoding leaves only visible ASCII, always a valid value.
        if let Ok(v) = HeaderValue::from_str(&codec::percent_encode(message)) {
            headers.insert(HeaderName::from_static("grpc-message"), v);
        }
    }
    response
}

/// grpc-go refuses a converted content type that is not `application/grpc`
/// (optionally followed by `+` or `;`) with HTTP 415 and a text body, which
/// the wrapper passes on with its CORS headers.
pub(crate) fn unsupported_media_type(body: String) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    set_common(
        &mut response,
        "text/plain; charset=utf-8",
        "Vary, Content-Type, X-Content-Type-Options",
    );
    response.headers_mut().insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn set_common(response: &mut Response<Bytes>, content_type: &str, listed: &str) {
    let headers = response.headers_mut();
    // The content type came from a valid header value with a fixed prefix
    // swapped, so it is a valid value too; if not, it is left out.
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    headers.insert(VARY, HeaderValue::from_static("Origin"));
    if let Ok(v) = HeaderValue::from_str(&format!("{listed}, {EXPOSE_TAIL}")) {
        headers.insert(http::header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary() -> WebContentType {
        WebContentType::parse(b"application/grpc-web+proto").unwrap()
    }

    fn header<'a>(r: &'a Response<Bytes>, name: &str) -> Option<&'a str> {
        r.headers().get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn success_has_the_frames_and_no_status_headers() {
        let r = success(&binary(), b"\x0a\x0c0.17.2-alpha");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            header(&r, "content-type"),
            Some("application/grpc-web+proto")
        );
        assert_eq!(header(&r, "vary"), Some("Origin"));
        assert_eq!(
            header(&r, "access-control-expose-headers"),
            Some("Vary, Date, Content-Type, grpc-status, grpc-message")
        );
        assert_eq!(header(&r, "grpc-status"), None);
        assert_eq!(header(&r, "grpc-message"), None);
        assert_eq!(header(&r, "access-control-allow-origin"), None);
        assert!(r
            .body()
            .ends_with(b"\x80\x00\x00\x00\x10grpc-status: 0\r\n"));
    }

    #[test]
    fn trailers_only_has_the_status_in_headers_and_an_empty_body() {
        let r = trailers_only(&binary(), 2, "expected 1 macaroon, got 0");
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.body().is_empty());
        assert_eq!(header(&r, "grpc-status"), Some("2"));
        assert_eq!(
            header(&r, "grpc-message"),
            Some("expected 1 macaroon, got 0")
        );
        assert_eq!(
            header(&r, "access-control-expose-headers"),
            Some("Vary, Date, Content-Type, Grpc-Status, Grpc-Message, grpc-status, grpc-message")
        );
        assert_eq!(header(&r, "access-control-allow-origin"), None);

        let r = trailers_only(&binary(), 12, "");
        assert_eq!(header(&r, "grpc-message"), None);
        assert_eq!(
            header(&r, "access-control-expose-headers"),
            Some("Vary, Date, Content-Type, Grpc-Status, grpc-status, grpc-message")
        );
    }

    #[test]
    fn messages_are_percent_encoded_like_grpc_go() {
        let r = trailers_only(&binary(), 2, "caveat \"a\" 100% ünlikely\n");
        assert_eq!(
            header(&r, "grpc-message"),
            Some("caveat \"a\" 100%25 %C3%BCnlikely%0A")
        );
    }

    #[test]
    fn text_mode_answers_in_text() {
        let ct = WebContentType::parse(b"application/grpc-web-text").unwrap();
        let r = success(&ct, b"");
        assert_eq!(
            header(&r, "content-type"),
            Some("application/grpc-web-text")
        );
        assert_eq!(&r.body()[..], b"AAAAAAA=gAAAABBncnBjLXN0YXR1czogMA0K");
    }

    #[test]
    fn a_bad_content_type_is_415_with_grpc_gos_text() {
        let ct = WebContentType::parse(b"application/grpc-webby").unwrap();
        let body = ct.subtype().unwrap_err();
        assert_eq!(
            body,
            "invalid gRPC request content-type \"application/grpcby\"\n"
        );
        let r = unsupported_media_type(body);
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(header(&r, "vary"), Some("Origin"));
    }
}
