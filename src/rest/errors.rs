//! grpc-gateway's answers: the status mapping, the `{code, message,
//! details}` error body and litd's JSON responses.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::domain::{AutopilotError, Code};
use crate::rpc::CallError;

/// HTTP status for a gRPC code, as grpc-gateway maps them.
pub(crate) fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Canceled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// `{"code":N,"message":"...","details":[]}` with the mapped HTTP status.
pub(crate) fn error_response(code: Code, message: &str) -> Response {
    let body = json!({"code": code as i32, "message": message, "details": []});
    let mut response = json_response(http_status(code), &body);
    if code == Code::Unauthenticated {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// A REST call's error: a gRPC code and litd's text, answered in
/// grpc-gateway's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RestError {
    pub(crate) code: Code,
    pub(crate) message: String,
    /// The error came back from litd's gRPC server (auth or the handler):
    /// grpc-gateway forwards that call's header metadata on errors too, so
    /// the response carries `Grpc-Metadata-Content-Type: application/grpc`
    /// as litd's does (its itest asserts it on the no-macaroon error). The
    /// gateway's own errors (routing, body and path decoding) have none.
    pub(crate) from_call: bool,
}

impl RestError {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            from_call: false,
        }
    }

    /// No route has this path (grpc-gateway's 404).
    pub(crate) fn not_found() -> Self {
        Self::new(Code::NotFound, "Not Found")
    }

    /// A route has the path, not the method (grpc-gateway answers 501).
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(Code::Unimplemented, "Method Not Allowed")
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let mut response = error_response(self.code, &self.message);
        if self.from_call {
            response.headers_mut().insert(
                "grpc-metadata-content-type",
                HeaderValue::from_static("application/grpc"),
            );
        }
        response
    }
}

impl From<AutopilotError> for RestError {
    fn from(e: AutopilotError) -> Self {
        Self::new(e.code, e.message)
    }
}

impl From<CallError> for RestError {
    fn from(e: CallError) -> Self {
        Self {
            from_call: true,
            ..Self::from(AutopilotError::from(e))
        }
    }
}

/// A JSON body with this status.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    json_text_response(status, body.to_string())
}

fn json_text_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A successful call's response from its JSON text.
pub(crate) fn ok_json_text(body: String) -> Response {
    let mut response = json_text_response(StatusCode::OK, body);
    // Carried over from the gRPC response headers, as grpc-gateway does.
    response.headers_mut().insert(
        "grpc-metadata-content-type",
        HeaderValue::from_static("application/grpc"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping_matches_grpc_gateway() {
        assert_eq!(
            http_status(Code::Unknown),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(http_status(Code::InvalidArgument), StatusCode::BAD_REQUEST);
        assert_eq!(
            http_status(Code::Unimplemented),
            StatusCode::NOT_IMPLEMENTED
        );
        assert_eq!(
            http_status(Code::Unavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(http_status(Code::Canceled).as_u16(), 499);
    }
}
