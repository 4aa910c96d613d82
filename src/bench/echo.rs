//! The ceiling: a bare tonic unary echo service served by the mock's own
//! accept loop ([`crate::server::spawn_serving`]: same rustls config, same
//! hyper settings, same tonic-to-axum routing), with no content-type dispatch,
//! no macaroon check and no domain. Whatever the mock costs beyond this is
//! the mock's own work; nothing served this way can be faster.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use tokio::sync::watch;
use tonic::codegen::{Body, BoxFuture, StdError};

use crate::litdir::LitDir;
use crate::server::defaults;
use crate::tls;

/// The echo method's path.
pub(crate) const ECHO_PATH: &str = "/bench.Echo/Echo";

/// The echoed message: bytes in, the same bytes out; or, with `reply_len`,
/// that many bytes out, so the ceiling can answer with as many bytes as the
/// mock's ListAutopilotSessions does (a fair ceiling for a large response).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct EchoMessage {
    #[prost(bytes = "vec", tag = "1")]
    pub(crate) payload: Vec<u8>,
    #[prost(uint32, tag = "2")]
    pub(crate) reply_len: u32,
}

/// Answers with the request (or `reply_len` bytes), as fast as tonic can.
struct EchoUnary;

impl tonic::server::UnaryService<EchoMessage> for EchoUnary {
    type Response = EchoMessage;
    type Future = std::future::Ready<Result<tonic::Response<EchoMessage>, tonic::Status>>;

    fn call(&mut self, request: tonic::Request<EchoMessage>) -> Self::Future {
        let mut message = request.into_inner();
        if message.reply_len > 0 {
            message = EchoMessage {
                payload: vec![0x5a; message.reply_len as usize],
                reply_len: 0,
            };
        }
        std::future::ready(Ok(tonic::Response::new(message)))
    }
}

/// The tonic service, hand-written as tonic's generated servers are.
#[derive(Clone, Default)]
pub(crate) struct EchoServer;

impl tonic::server::NamedService for EchoServer {
    const NAME: &'static str = "bench.Echo";
}

impl<B> tower_service::Service<http::Request<B>> for EchoServer
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        Box::pin(async move {
            if req.uri().path() != ECHO_PATH {
                return Ok(tonic::Status::unimplemented("").into_http());
            }
            let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default());
            Ok(grpc.unary(EchoUnary, req).await)
        })
    }
}

/// A running ceiling server.
pub struct RunningEcho {
    /// The address actually bound.
    pub local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningEcho {
    /// Stops it and waits for its connections to close.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

/// Serves the echo service on `listen` with the lit dir's TLS credentials
/// (created if missing, reused otherwise, like `serve`).
pub async fn start(
    lit_dir: &Path,
    network: &str,
    listen: SocketAddr,
) -> anyhow::Result<RunningEcho> {
    let dir = LitDir::open(lit_dir, network)?;
    let files = tls::load_or_create(&dir.tls_cert(), &dir.tls_key())?;
    let tls_config = tls::server_config(&files)?;
    let router = tonic::service::Routes::new(EchoServer).into_axum_router();
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let local_addr = listener.local_addr()?;
    let (shutdown, rx) = watch::channel(false);
    let task = crate::server::spawn_serving(
        listener,
        tls_config,
        router,
        defaults::MAX_CONCURRENT_STREAMS,
        defaults::MAX_HEADER_LIST_BYTES,
        rx,
    );
    Ok(RunningEcho {
        local_addr,
        shutdown,
        task,
    })
}
