//! A server under test, reached over gRPC or REST, with litd's answers
//! brought to one form: a gRPC code, a message and the response in litd's
//! REST JSON.

use std::net::SocketAddr;

use base64::Engine;
use serde_json::Value;
use tonic::transport::Channel;

use super::model::{Rpc, Transport};
use crate::proto::litrpc as p;
use crate::proto::litrpc::autopilot_client::AutopilotClient;
use crate::proto::litrpc::firewall_client::FirewallClient;
use crate::proto::litrpc::proxy_client::ProxyClient;
use crate::proto::litrpc::sessions_client::SessionsClient;
use crate::wire::litd_json::to_litd_json;

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
        let mut client = AutopilotClient::new(self.channel.clone());
        let mut sessions = SessionsClient::new(self.channel.clone());
        let mut firewall = FirewallClient::new(self.channel.clone());
        let mut proxy = ProxyClient::new(self.channel.clone());
        fn req<T: serde::de::DeserializeOwned>(
            rpc: Rpc,
            v: &Value,
            macaroons: &[String],
        ) -> Result<tonic::Request<T>, String> {
            let msg: T = serde_json::from_value(v.clone())
                .map_err(|e| format!("the step's request is not valid for {}: {e}", rpc.name()))?;
            let mut r = tonic::Request::new(msg);
            for m in macaroons {
                let value = m.parse().map_err(|_| {
                    "a macaroon value that is not ASCII cannot go in gRPC metadata".to_string()
                })?;
                r.metadata_mut().append("macaroon", value);
            }
            Ok(r)
        }
        fn done<T: serde::Serialize>(
            name: &str,
            r: Result<tonic::Response<T>, tonic::Status>,
        ) -> Outcome {
            match r {
                Ok(resp) => Outcome {
                    code: 0,
                    message: String::new(),
                    response: Some(to_litd_json(name, resp.get_ref())),
                    http_status: None,
                },
                Err(status) => Outcome {
                    code: status.code() as i32,
                    message: status.message().to_string(),
                    response: None,
                    http_status: None,
                },
            }
        }
        // One arm per RPC: request type, client method, response name.
        macro_rules! unary {
            ($req:ty, $method:ident) => {
                unary!($req, client, $method)
            };
            ($req:ty, $client:ident, $method:ident) => {{
                let r = req::<$req>(rpc, request, macaroons)?;
                let name = (rpc.spec().response_message)();
                done(&name, $client.$method(r).await)
            }};
        }
        Ok(match rpc {
            Rpc::ListAutopilotFeatures => {
                unary!(p::ListAutopilotFeaturesRequest, list_autopilot_features)
            }
            Rpc::AddAutopilotSession => {
                unary!(p::AddAutopilotSessionRequest, add_autopilot_session)
            }
            Rpc::ListAutopilotSessions => {
                unary!(p::ListAutopilotSessionsRequest, list_autopilot_sessions)
            }
            Rpc::RevokeAutopilotSession => {
                unary!(p::RevokeAutopilotSessionRequest, revoke_autopilot_session)
            }
            Rpc::AddSession => unary!(p::AddSessionRequest, sessions, add_session),
            Rpc::ListSessions => unary!(p::ListSessionsRequest, sessions, list_sessions),
            Rpc::RevokeSession => unary!(p::RevokeSessionRequest, sessions, revoke_session),
            Rpc::ListActions => unary!(p::ListActionsRequest, firewall, list_actions),
            Rpc::PrivacyMapConversion => {
                unary!(
                    p::PrivacyMapConversionRequest,
                    firewall,
                    privacy_map_conversion
                )
            }
            Rpc::GetInfo => unary!(p::GetInfoRequest, proxy, get_info),
            Rpc::StopDaemon => unary!(p::StopDaemonRequest, proxy, stop_daemon),
            Rpc::BakeSuperMacaroon => {
                unary!(p::BakeSuperMacaroonRequest, proxy, bake_super_macaroon)
            }
        })
    }

    async fn rest_call(
        &self,
        rpc: Rpc,
        request: &Value,
        macaroons: &[String],
    ) -> Result<Outcome, String> {
        // The method's first REST route, as litd's gateway maps it: path
        // parameters (bytes, given as base64) go into the path as base64url;
        // a `body: "*"` route sends the whole request.
        let route = rpc
            .spec()
            .rest
            .first()
            .ok_or_else(|| format!("{} has no REST route", rpc.name()))?;
        let mut path = route.path.to_string();
        for (_, field) in route.params() {
            let value = request
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let raw = decode_any_base64(value)
                .ok_or_else(|| format!("{field} {value:?} is not base64"))?;
            let url = base64::engine::general_purpose::URL_SAFE.encode(raw);
            path = path.replace(&format!("{{{field}}}"), &url);
        }
        let body = match route.body {
            crate::rpc::RestBody::All => Some(request.to_string()),
            crate::rpc::RestBody::None => None,
        };
        let method = route.method.as_http();
        let method = method.as_str();
        let headers: Vec<(String, String)> = macaroons
            .iter()
            .map(|m| ("Grpc-Metadata-Macaroon".to_string(), m.clone()))
            .collect();
        let (status, body) = self.http(method, &path, body, &headers).await?;
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
