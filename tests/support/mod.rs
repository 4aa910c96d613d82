//! In-process servers on real TLS sockets for end-to-end tests, with a
//! manual clock and a remote server the test can script and inspect.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::domain::remote::{
    BoxFuture, Registration, RemoteAutopilot, RemoteError, RemoteFeature, RemoteKey, Version,
};
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use autopilot_mock::remote::{Catalogue, InProcessRemote};
use autopilot_mock::server::{self, RunningServer, ServerConfig};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// 2030-01-01T00:00:00Z: where test clocks start.
pub const T0: u64 = 1_893_456_000;

pub type Client = AutopilotClient<InterceptedService<Channel, MacaroonHeader>>;

/// Adds `macaroon` metadata values (none, one, or several) to every call.
#[derive(Clone)]
pub struct MacaroonHeader(pub Vec<String>);

impl tonic::service::Interceptor for MacaroonHeader {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        for v in &self.0 {
            let value = v
                .parse()
                .map_err(|_| tonic::Status::internal("test macaroon is not ASCII"))?;
            req.metadata_mut().append("macaroon", value);
        }
        Ok(req)
    }
}

/// A remote that delegates to litd's test-server behaviour but records every
/// registration and revocation, and can be told to fail.
#[derive(Clone)]
pub struct RecordingRemote {
    pub inner: InProcessRemote,
    pub registrations: Arc<Mutex<Vec<Registration>>>,
    pub revocations: Arc<Mutex<Vec<Vec<u8>>>>,
    pub fail_register: Arc<Mutex<Option<RemoteError>>>,
    pub register_answer: Arc<Mutex<Option<Vec<u8>>>>,
    pub fail_list: Arc<Mutex<Option<RemoteError>>>,
}

impl RecordingRemote {
    pub fn new(catalogue: Catalogue) -> Self {
        Self {
            inner: InProcessRemote::new(catalogue),
            registrations: Arc::default(),
            revocations: Arc::default(),
            fail_register: Arc::default(),
            register_answer: Arc::default(),
            fail_list: Arc::default(),
        }
    }

    pub fn registrations(&self) -> Vec<Registration> {
        self.registrations.lock().expect("not poisoned").clone()
    }

    pub fn revocations(&self) -> Vec<Vec<u8>> {
        self.revocations.lock().expect("not poisoned").clone()
    }
}

impl RemoteAutopilot for RecordingRemote {
    fn terms(&self) -> BoxFuture<'_, Result<Version, RemoteError>> {
        self.inner.terms()
    }

    fn list_features(&self) -> BoxFuture<'_, Result<BTreeMap<String, RemoteFeature>, RemoteError>> {
        if let Some(e) = self.fail_list.lock().expect("not poisoned").clone() {
            return Box::pin(async move { Err(e) });
        }
        self.inner.list_features()
    }

    fn register_session(&self, r: Registration) -> BoxFuture<'_, Result<RemoteKey, RemoteError>> {
        self.registrations
            .lock()
            .expect("not poisoned")
            .push(r.clone());
        if let Some(e) = self.fail_register.lock().expect("not poisoned").clone() {
            return Box::pin(async move { Err(e) });
        }
        if let Some(key) = self.register_answer.lock().expect("not poisoned").clone() {
            return Box::pin(async move { Ok(RemoteKey::Sent(key)) });
        }
        self.inner.register_session(r)
    }

    fn activate_session(&self, k: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, RemoteError>> {
        self.inner.activate_session(k)
    }

    fn revoke_session(&self, k: Vec<u8>) -> BoxFuture<'_, Result<(), RemoteError>> {
        self.revocations
            .lock()
            .expect("not poisoned")
            .push(k.clone());
        self.inner.revoke_session(k)
    }
}

pub struct TestServer {
    pub running: RunningServer,
    pub clock: Arc<ManualClock>,
    pub remote: RecordingRemote,
    pub channel: Channel,
    pub macaroon_hex: String,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::with_catalogue(Catalogue::default_catalogue().expect("default catalogue")).await
    }

    pub async fn with_catalogue(catalogue: Catalogue) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::at_unix(T0));
        let remote = RecordingRemote::new(catalogue.clone());
        let listen = "127.0.0.1:0".parse().expect("addr");
        let mut config = ServerConfig::new(dir.path().join("lit"), "regtest", listen, catalogue);
        config.clock = clock.clone();
        config.remote = autopilot_mock::server::RemoteConfig::External(Arc::new(remote.clone()));
        config.seed = Some(7);
        let running = server::start(config).await.expect("server starts");
        let channel = tls_channel(&running).await;
        let macaroon = std::fs::read(&running.paths.macaroon).expect("lit.macaroon written");
        TestServer {
            running,
            clock,
            remote,
            channel,
            macaroon_hex: hex::encode(macaroon),
            dir,
        }
    }

    /// A client sending the lit macaroon.
    pub fn client(&self) -> Client {
        self.client_with(vec![self.macaroon_hex.clone()])
    }

    /// A client sending these `macaroon` values.
    pub fn client_with(&self, values: Vec<String>) -> Client {
        AutopilotClient::with_interceptor(self.channel.clone(), MacaroonHeader(values))
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

pub async fn tls_channel(running: &RunningServer) -> Channel {
    autopilot_mock::client::connect(running.local_addr, &running.tls_cert_pem)
        .await
        .expect("TLS connect")
}

/// A rate-limit RuleValue.
pub fn rate_limit(read: (u32, u32), write: (u32, u32)) -> p::RuleValue {
    p::RuleValue {
        value: Some(p::rule_value::Value::RateLimit(p::RateLimit {
            read_limit: Some(p::Rate {
                iterations: read.0,
                num_hours: read.1,
            }),
            write_limit: Some(p::Rate {
                iterations: write.0,
                num_hours: write.1,
            }),
        })),
    }
}

/// A feature request with these rule overrides.
pub fn feature(rules: Vec<(&str, p::RuleValue)>) -> p::FeatureConfig {
    p::FeatureConfig {
        rules: Some(p::RulesMap {
            rules: rules.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }),
        config: Vec::new(),
    }
}

/// A valid request for `HealthCheck` expiring a day after T0.
pub fn add_request(features: Vec<(&str, p::FeatureConfig)>) -> p::AddAutopilotSessionRequest {
    p::AddAutopilotSessionRequest {
        label: "test".into(),
        expiry_timestamp_seconds: T0 + 86_400,
        mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
        features: features
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        ..Default::default()
    }
}

pub fn health_check() -> p::AddAutopilotSessionRequest {
    add_request(vec![("HealthCheck", feature(vec![]))])
}

/// Asserts a call failed with code Unknown and exactly this message.
#[track_caller]
pub fn assert_unknown<T: std::fmt::Debug>(result: Result<T, tonic::Status>, message: &str) {
    let status = result.expect_err("the call must fail");
    assert_eq!(status.message(), message);
    assert_eq!(status.code(), tonic::Code::Unknown, "{status:?}");
}
