//! A server under test, reached over gRPC or REST, with litd's answers
//! brought to one form: a gRPC code, a message and the response in litd's
//! REST JSON.

use std::net::SocketAddr;

use base64::Engine;
use serde_json::Value;
use tonic::transport::Channel;

use futures_util::future::BoxFuture;

use super::model::{Rpc, Transport};
use crate::rpc::{Call, Reply, RestBody, VisitCalls};
use crate::wire::litd_json::Shapes;

/// What a call gave back.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// gRPC code (0 = OK). Over REST, the `code` of the error body.
    pub code: i32,
    pub message: String,
    /// The response (litd's REST JSON form) when the call succeeded.
    pub response: Option<Value>,
    /// The HTTP status, over REST.
    pub http_status: Option<u16>,
}

/// A raw HTTP answer: status, headers (lower-case names) and body.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    pub headers: std::collections::BTreeMap<String, String>,
    pub body: Value,
}

/// A server to check.
pub struct Target {
    pub addr: SocketAddr,
    pub channel: Channel,
    pub http: reqwest::Client,
    pub base_url: String,
    /// The target's lit.macaroon.
    pub macaroon: Vec<u8>,
}

impl Target {
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
            addr,
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
            addr,
            channel,
            http,
            base_url: format!("http://{addr}"),
            macaroon,
        })
    }

    pub async fn call(
        &self,
        transport: Transport,
        rpc: Rpc,
        request: &Value,
        macaroons: &[String],
    ) -> Result<Outcome, String> {
        match transport {
            Transport::Grpc => self.grpc_call(rpc, request, macaroons).await,
            Transport::Rest => self.rest_call(rpc, request, macaroons).await,
        }
    }

    async fn grpc_call(
        &self,
        rpc: Rpc,
        request: &Value,
        macaroons: &[String],
    ) -> Result<Outcome, String> {
        let mut call = GrpcCall {
            rpc,
            channel: &self.channel,
            request,
            macaroons,
            call: None,
        };
        crate::rpc::visit_all(&mut call);
        match call.call {
            Some(call) => call.await,
            None => Err(format!("{rpc} is not in the registry")),
        }
    }

    async fn rest_call(
        &self,
        rpc: Rpc,
        request: &Value,
        macaroons: &[String],
    ) -> Result<Outcome, String> {
        let spec = rpc.spec();
        let route = spec
            .rest
            .first()
            .ok_or_else(|| format!("{rpc} has no REST route"))?;
        let mut path = route.path.to_string();
        for (_, name) in route.params() {
            let value = request
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let is_bytes = Shapes::get().field_type(&(spec.request_message)(), name)
                == Some(prost_types::field_descriptor_proto::Type::Bytes);
            let value = if is_bytes {
                let raw = decode_any_base64(value)
                    .ok_or_else(|| format!("{name} {value:?} is not base64"))?;
                // litd's REST routes take bytes as base64url in the path.
                base64::engine::general_purpose::URL_SAFE.encode(raw)
            } else {
                value.to_string()
            };
            path = path.replace(&format!("{{{name}}}"), &value);
        }
        let body = (route.body == RestBody::All).then(|| request.to_string());
        let method = route.method.as_http();
        let headers: Vec<(String, String)> = macaroons
            .iter()
            .map(|m| ("Grpc-Metadata-Macaroon".to_string(), m.clone()))
            .collect();
        let (status, body) = self.http(method.as_str(), &path, body, &headers).await?;
        Ok(rest_outcome(status, body))
    }

    /// A raw REST request; returns the status and the body (JSON if it
    /// parses, else a string).
    pub async fn http(
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
    pub async fn http_with_headers(
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
            .map_err(|e| format!("HTTP request failed: {e}"))?;
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
            .map_err(|e| format!("reading the body: {e}"))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(HttpAnswer {
            status,
            headers,
            body,
        })
    }
}

fn rest_outcome(status: u16, body: Value) -> Outcome {
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
pub fn decode_any_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

/// gRPC code names, by number.
const CODE_NAMES: [&str; 17] = [
    "OK",
    "Canceled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
];

/// A gRPC code by name as scenarios write them (case-insensitive).
pub fn code_by_name(name: &str) -> Option<i32> {
    CODE_NAMES
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name))
        .map(|i| i as i32)
}

/// The name of a gRPC code, for reports.
pub fn code_name(code: i32) -> String {
    usize::try_from(code)
        .ok()
        .and_then(|i| CODE_NAMES.get(i))
        .map_or_else(|| format!("code {code}"), |n| n.to_string())
}

/// One gRPC call of a registry method, typed by its entry.
struct GrpcCall<'a> {
    rpc: Rpc,
    channel: &'a Channel,
    request: &'a Value,
    macaroons: &'a [String],
    call: Option<BoxFuture<'a, Result<Outcome, String>>>,
}

impl<'a> VisitCalls for GrpcCall<'a> {
    fn visit<C: Call>(&mut self) {
        if C::RPC == self.rpc {
            let (channel, request, macaroons) =
                (self.channel.clone(), self.request, self.macaroons);
            self.call = Some(Box::pin(grpc_unary::<C>(channel, request, macaroons)));
        }
    }
}

async fn grpc_unary<C: Call>(
    channel: Channel,
    request: &Value,
    macaroons: &[String],
) -> Result<Outcome, String> {
    let name = C::RPC.name();
    let message: C::Request = serde_json::from_value(request.clone())
        .map_err(|e| format!("the step's request is not valid for {name}: {e}"))?;
    let mut r = tonic::Request::new(message);
    for m in macaroons {
        let value = m.parse().map_err(|_| {
            "a macaroon value that is not ASCII cannot go in gRPC metadata".to_string()
        })?;
        r.metadata_mut().append("macaroon", value);
    }
    let mut grpc = tonic::client::Grpc::new(channel);
    let answer = match grpc.ready().await {
        Err(e) => Err(tonic::Status::unknown(format!(
            "Service was not ready: {e}"
        ))),
        Ok(()) => {
            let codec = tonic_prost::ProstCodec::<C::Request, C::Reply>::default();
            let path = http::uri::PathAndQuery::from_static(C::RPC.full_method());
            grpc.unary(r, path, codec).await
        }
    };
    Ok(match answer {
        Ok(resp) => Outcome {
            code: 0,
            message: String::new(),
            response: Some(resp.get_ref().to_litd_json()),
            http_status: None,
        },
        Err(status) => Outcome {
            code: status.code() as i32,
            message: status.message().to_string(),
            response: None,
            http_status: None,
        },
    })
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
