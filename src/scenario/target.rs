//! A server under test, reached over gRPC, REST or grpc-web, with litd's answers
//! brought to one form: a gRPC code, a message and the response in litd's
//! REST JSON.

use std::net::SocketAddr;

use base64::Engine;
use serde_json::Value;
use tonic::transport::Channel;

use super::model::{Rpc, Transport};
use crate::domain::Code;

/// What a call gave back.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// gRPC code (0 = OK). Over REST, the `code` of the error body.
    pub code: i32,
    /// The error's text; empty on success.
    pub message: String,
    /// The response (litd's REST JSON form) when the call succeeded.
    pub response: Option<Value>,
    /// The HTTP status, over REST.
    pub(crate) http_status: Option<u16>,
}

/// A raw HTTP answer: status, headers (lower-case names) and body.
#[derive(Debug, Clone)]
pub(crate) struct HttpAnswer {
    pub(crate) status: u16,
    pub(crate) headers: std::collections::BTreeMap<String, String>,
    pub(crate) body: Value,
}

/// A server to check.
pub struct Target {
    /// gRPC (and grpc-web's HTTP/2) to the target, certificate pinned.
    pub channel: Channel,
    /// HTTP client for REST and the admin API, certificate pinned.
    pub http: reqwest::Client,
    /// `https://localhost:<port>` (or `http://` for a plaintext target).
    pub base_url: String,
    /// The target's lit.macaroon.
    pub macaroon: Vec<u8>,
}

impl Target {
    /// A TLS target at `addr` whose certificate is `cert_pem`, called with
    /// `macaroon`. Connects lazily: an unreachable target fails its first
    /// call, not here.
    pub async fn connect(
        addr: SocketAddr,
        cert_pem: &str,
        macaroon: Vec<u8>,
    ) -> Result<Target, String> {
        let channel = crate::client::connect_lazy(addr, cert_pem).map_err(|e| e.to_string())?;
        let tls = crate::tls::client_config(cert_pem).map_err(|e| e.to_string())?;
        let mut tls = (*tls).clone();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Target {
            channel,
            http,
            base_url: format!("https://localhost:{}", addr.port()),
            macaroon,
        })
    }

    /// A target without TLS (a test double or a server behind a TLS
    /// terminator). litd itself always speaks TLS.
    pub fn plaintext(addr: SocketAddr, macaroon: Vec<u8>) -> Result<Target, String> {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| e.to_string())?
            .connect_lazy();
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Target {
            channel,
            http,
            base_url: format!("http://{addr}"),
            macaroon,
        })
    }

    /// Calls `rpc` over `transport` with these macaroon values.
    pub async fn call(
        &self,
        transport: Transport,
        rpc: Rpc,
        request: &Value,
        macaroons: &[String],
    ) -> Result<Outcome, String> {
        self.call_authorized(transport, rpc, request, macaroons, None)
            .await
    }

    /// [`Self::call`] with, if given, an `authorization` value too (litd's
    /// UI password).
    pub(crate) async fn call_authorized(
        &self,
        transport: Transport,
        rpc: Rpc,
        request: &Value,
        macaroons: &[String],
        authorization: Option<&str>,
    ) -> Result<Outcome, String> {
        let mut headers: Vec<(String, String)> = macaroons
            .iter()
            .map(|m| ("macaroon".to_string(), m.clone()))
            .collect();
        if let Some(a) = authorization {
            headers.push(("authorization".to_string(), a.to_string()));
        }
        super::calls::call(self, transport, rpc, request, &headers).await
    }

    /// A raw REST request; returns the status and the body (JSON if it
    /// parses, else a string).
    pub(crate) async fn http(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        headers: &[(String, String)],
    ) -> Result<(u16, Value), String> {
        self.http_with_headers(method, path, body, headers)
            .await
            .map(|r| (r.status, r.body))
    }

    /// A raw REST request; the whole answer.
    pub(crate) async fn http_with_headers(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        headers: &[(String, String)],
    ) -> Result<HttpAnswer, String> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| format!("bad HTTP method {method:?}"))?;
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("HTTP request failed: {}", error_chain(&e)))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let text = resp
            .text()
            .await
            .map_err(|e| format!("reading the body: {}", error_chain(&e)))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(HttpAnswer {
            status,
            headers,
            body,
        })
    }
}

/// An error and its causes (`error sending request for url (...): client
/// error (Connect): tcp connect error: Connection refused`), each cause once.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A status's message; for one the channel made itself (the call did not
/// reach a server), with its causes.
pub(crate) fn status_text(status: &tonic::Status) -> String {
    use std::error::Error;
    match status.source() {
        Some(cause) if status.metadata().is_empty() => {
            let causes = error_chain(cause);
            if status.message().contains(&causes) {
                status.message().to_string()
            } else {
                format!("{}: {causes}", status.message())
            }
        }
        _ => status.message().to_string(),
    }
}

pub(crate) fn rest_outcome(status: u16, body: Value) -> Outcome {
    if status == 200 {
        return Outcome {
            code: 0,
            message: String::new(),
            response: Some(body),
            http_status: Some(status),
        };
    }
    let code = body.get("code").and_then(Value::as_i64).unwrap_or(-1) as i32;
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("(no error message; body {body})"));
    Outcome {
        code,
        message,
        response: None,
        http_status: Some(status),
    }
}

/// Standard or URL-safe base64, padded or not.
pub(crate) fn decode_any_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

/// A gRPC code by its Go name as scenarios write them (case-insensitive).
pub(crate) fn code_by_name(name: &str) -> Option<i32> {
    Code::from_go_name(name).map(|c| c as i32)
}

/// The Go name of a gRPC code, for reports (`code N` for other numbers).
pub(crate) fn code_name(code: i32) -> String {
    Code::known(code).map_or_else(|| format!("code {code}"), |c| c.go_name().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_round_trip() {
        for n in 0..=16 {
            assert_eq!(code_by_name(&code_name(n)), Some(n));
        }
        assert_eq!(code_by_name("unknown"), Some(2));
        assert_eq!(code_by_name("Nope"), None);
    }

    #[test]
    fn rest_errors_become_outcomes() {
        let o = rest_outcome(
            500,
            serde_json::json!({"code":2,"message":"boom","details":[]}),
        );
        assert_eq!(
            (o.code, o.message.as_str(), o.http_status),
            (2, "boom", Some(500))
        );
        let o = rest_outcome(502, Value::String("bad gateway".into()));
        assert_eq!(o.code, -1);
    }
}
