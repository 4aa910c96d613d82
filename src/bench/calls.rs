//! One call of each RPC, over gRPC (a tonic channel per connection) and over
//! REST (a hyper HTTP/2 connection per connection), exactly as a client
//! would make it: TLS pinned to the server's certificate, macaroon attached.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::Channel;

use super::echo::{EchoMessage, ECHO_PATH};
use crate::proto::litrpc as p;
use crate::proto::litrpc::autopilot_client::AutopilotClient;
use crate::rpc::{RestBody, Rpc as RpcName};

/// The RPCs the bench drives; `Echo` is the ceiling's only method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Rpc {
    /// The ceiling server's empty call: the stack's cost with no work.
    Echo,
    /// `ListAutopilotFeatures`.
    ListFeatures,
    /// `AddAutopilotSession` (each call adds a session).
    AddSession,
    /// `ListAutopilotSessions` over the stored sessions.
    ListSessions,
    /// `RevokeAutopilotSession` of sessions added beforehand.
    RevokeSession,
}

impl Rpc {
    /// The registry method it calls (`None`: the echo ceiling's own).
    pub(crate) fn method(self) -> Option<RpcName> {
        match self {
            Rpc::Echo => None,
            Rpc::ListFeatures => Some(RpcName::ListAutopilotFeatures),
            Rpc::AddSession => Some(RpcName::AddAutopilotSession),
            Rpc::ListSessions => Some(RpcName::ListAutopilotSessions),
            Rpc::RevokeSession => Some(RpcName::RevokeAutopilotSession),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        self.method().map_or("Echo", RpcName::name)
    }
}

/// How the bench calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Transport {
    /// gRPC over HTTP/2 (tonic client).
    Grpc,
    /// litd's REST gateway (reqwest over HTTP/1.1).
    Rest,
}

/// Where to call and with what credentials.
#[derive(Clone)]
pub struct Target {
    pub(crate) addr: SocketAddr,
    pub(crate) cert_pem: String,
    pub(crate) macaroon_hex: String,
    /// Bytes Echo asks the ceiling to answer with (0: echo the request).
    pub(crate) echo_reply_len: u32,
}

/// One open connection of either transport.
#[derive(Clone)]
pub(crate) enum Conn {
    Grpc(Channel),
    Rest(SendRequest<Full<Bytes>>),
}

/// Opens one connection (one TCP + TLS session).
pub(crate) async fn connect(target: &Target, transport: Transport) -> Result<Conn, String> {
    match transport {
        Transport::Grpc => crate::client::connect(target.addr, &target.cert_pem)
            .await
            .map(Conn::Grpc)
            .map_err(|e| e.to_string()),
        Transport::Rest => rest_connect(target).await.map(Conn::Rest),
    }
}

async fn rest_connect(target: &Target) -> Result<SendRequest<Full<Bytes>>, String> {
    let config = crate::tls::client_config(&target.cert_pem).map_err(|e| e.to_string())?;
    let tcp = tokio::net::TcpStream::connect(target.addr)
        .await
        .map_err(|e| format!("connecting to {}: {e}", target.addr))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let name = rustls::pki_types::ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    let (send, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
            .await
            .map_err(|e| format!("HTTP/2 handshake: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "bench REST connection ended");
        }
    });
    Ok(send)
}

/// Everything a call needs, prepared once so the loop measures the server,
/// not request building.
pub(crate) struct Caller {
    rpc: Rpc,
    macaroon: MetadataValue<Ascii>,
    macaroon_hex: String,
    authority: String,
    add: p::AddAutopilotSessionRequest,
    add_json: Bytes,
    /// Key of the session Revoke revokes again and again (idempotent).
    revoke_key: Vec<u8>,
    echo_reply_len: u32,
}

impl Caller {
    pub(crate) fn new(rpc: Rpc, target: &Target, revoke_key: Vec<u8>) -> Result<Caller, String> {
        let expiry = unix_now_secs() + 365 * 86_400;
        let add = add_request(expiry);
        let add_json = serde_json::json!({
            "label": add.label,
            "expiry_timestamp_seconds": expiry.to_string(),
            "mailbox_server_addr": add.mailbox_server_addr,
            "features": {"HealthCheck": {}},
        })
        .to_string();
        Ok(Caller {
            rpc,
            macaroon: MetadataValue::from_str(&target.macaroon_hex)
                .map_err(|e| format!("macaroon is not ASCII: {e}"))?,
            macaroon_hex: target.macaroon_hex.clone(),
            authority: format!("localhost:{}", target.addr.port()),
            add,
            add_json: Bytes::from(add_json),
            revoke_key,
            echo_reply_len: target.echo_reply_len,
        })
    }

    /// Makes one call; `Err` carries the status or the transport error.
    pub(crate) async fn call(self: Arc<Self>, conn: Conn) -> Result<(), String> {
        match conn {
            Conn::Grpc(channel) => self.grpc(channel).await,
            Conn::Rest(send) => self.rest(send).await,
        }
    }

    fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(message);
        req.metadata_mut().insert("macaroon", self.macaroon.clone());
        req
    }

    /// The answer is read whole and its status checked, but not built into
    /// a message (as REST answers are not parsed, and as h2load does): the
    /// client spends its CPU, which it shares with the server, on calling.
    async fn grpc(&self, channel: Channel) -> Result<(), String> {
        let Some(method) = self.rpc.method() else {
            let message = EchoMessage {
                payload: Vec::new(),
                reply_len: self.echo_reply_len,
            };
            return self.unary(channel, ECHO_PATH, message).await;
        };
        let path = method.full_method();
        match method {
            RpcName::ListAutopilotFeatures => {
                self.unary(channel, path, p::ListAutopilotFeaturesRequest {})
                    .await
            }
            RpcName::AddAutopilotSession => self.unary(channel, path, self.add.clone()).await,
            RpcName::ListAutopilotSessions => {
                self.unary(channel, path, p::ListAutopilotSessionsRequest {})
                    .await
            }
            RpcName::RevokeAutopilotSession => {
                let message = p::RevokeAutopilotSessionRequest {
                    local_public_key: self.revoke_key.clone(),
                };
                self.unary(channel, path, message).await
            }
            other => Err(format!("bench has no call for {}", other.full_method())),
        }
    }

    async fn unary<M>(&self, channel: Channel, path: &'static str, message: M) -> Result<(), String>
    where
        M: prost::Message + Send + Sync + 'static,
    {
        let mut grpc = tonic::client::Grpc::new(channel).max_decoding_message_size(usize::MAX);
        grpc.ready().await.map_err(|e| e.to_string())?;
        let codec = tonic_prost::ProstCodec::<M, UnparsedReply>::default();
        grpc.unary(
            self.request(message),
            http::uri::PathAndQuery::from_static(path),
            codec,
        )
        .await
        .map(drop)
        .map_err(|s| format!("{:?}: {}", s.code(), s.message()))
    }

    async fn rest(&self, mut send: SendRequest<Full<Bytes>>) -> Result<(), String> {
        let Some(route) = self.rpc.method().and_then(|m| m.spec().rest.first()) else {
            return Err("the echo ceiling has no REST route".into());
        };
        // The one path parameter the bench's methods have is Revoke's key,
        // as base64url (litd's REST route takes it that way).
        let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.revoke_key);
        let path = route.path.replace("{local_public_key}", &key);
        let method = route.method.as_http();
        let body = (route.body == RestBody::All).then(|| self.add_json.clone());
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("https://{}{path}", self.authority))
            .header("grpc-metadata-macaroon", &self.macaroon_hex);
        if body.is_some() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        let req = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| e.to_string())?;
        send.ready().await.map_err(|e| e.to_string())?;
        let response = send.send_request(req).await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if status != http::StatusCode::OK {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
        }
        Ok(())
    }
}

/// Any reply, its fields skipped over rather than decoded.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct UnparsedReply;

impl prost::Message for UnparsedReply {
    fn encode_raw(&self, _buf: &mut impl bytes::BufMut) {}

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: prost::encoding::WireType,
        buf: &mut impl bytes::Buf,
        ctx: prost::encoding::DecodeContext,
    ) -> Result<(), prost::DecodeError> {
        prost::encoding::skip_field(wire_type, tag, buf, ctx)
    }

    fn encoded_len(&self) -> usize {
        0
    }

    fn clear(&mut self) {}
}

/// A valid AddAutopilotSession request for the default catalogue's
/// `HealthCheck` feature (the server's default rules). The empty `rules`
/// is set so the map value is on the wire: protobufjs (the grpc-js peer)
/// fails to decode a map entry whose message value is omitted, as prost
/// omits an all-default one.
pub(crate) fn add_request(expiry_timestamp_seconds: u64) -> p::AddAutopilotSessionRequest {
    let feature = p::FeatureConfig {
        rules: Some(p::RulesMap::default()),
        config: Vec::new(),
    };
    p::AddAutopilotSessionRequest {
        label: "bench".into(),
        expiry_timestamp_seconds,
        mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
        features: [("HealthCheck".to_string(), feature)].into(),
        ..Default::default()
    }
}

pub(crate) fn unix_now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Adds `n` sessions over gRPC (sequentially on one channel, pipelined by
/// `in_flight`), returning the last session's local key.
pub(crate) async fn add_sessions(
    target: &Target,
    channel: &Channel,
    n: usize,
    in_flight: usize,
) -> Result<Vec<u8>, String> {
    let caller = Arc::new(Caller::new(Rpc::AddSession, target, Vec::new())?);
    let mut last = Vec::new();
    let mut done = 0;
    while done < n {
        let batch = in_flight.max(1).min(n - done);
        let mut calls = Vec::with_capacity(batch);
        for _ in 0..batch {
            let caller = Arc::clone(&caller);
            let mut client =
                AutopilotClient::new(channel.clone()).max_decoding_message_size(usize::MAX);
            calls.push(tokio::spawn(async move {
                let req = caller.request(caller.add.clone());
                client
                    .add_autopilot_session(req)
                    .await
                    .map(|r| r.into_inner().session.map(|s| s.local_public_key))
                    .map_err(|s| format!("AddAutopilotSession: {}", s.message()))
            }));
        }
        for call in calls {
            let key = call.await.map_err(|e| e.to_string())??;
            last = key.unwrap_or_default();
        }
        done += batch;
    }
    Ok(last)
}

/// Bytes of the ListAutopilotSessions response the server at `target`
/// gives now (protobuf encoding, without gRPC framing).
pub(crate) async fn list_response_len(target: &Target) -> Result<usize, String> {
    let channel = crate::client::connect(target.addr, &target.cert_pem)
        .await
        .map_err(|e| e.to_string())?;
    let caller = Caller::new(Rpc::ListSessions, target, Vec::new())?;
    let response = AutopilotClient::new(channel)
        .max_decoding_message_size(usize::MAX)
        .list_autopilot_sessions(caller.request(p::ListAutopilotSessionsRequest {}))
        .await
        .map_err(|s| format!("ListAutopilotSessions: {}", s.message()))?;
    Ok(prost::Message::encoded_len(response.get_ref()))
}
