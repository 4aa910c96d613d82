//! The remote autopilot server litd registers sessions with, as the domain
//! sees it: a trait, so the in-process default, the scriptable stub and a
//! real gRPC client all plug in the same way. No wire types here.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use super::error::Code;
pub use super::keys::RemoteKey;

/// A boxed future, so the trait stays object safe (`Arc<dyn RemoteAutopilot>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An error from the remote server: a gRPC code and its message. litd passes
/// ListFeatures errors through unchanged and wraps RegisterSession errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteError {
    pub(crate) code: Code,
    pub(crate) message: String,
}

impl RemoteError {
    /// An error with a gRPC `code` and the server's `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// A plain error, as litd's Go test server returns them (code Unknown).
    pub(crate) fn unknown(message: impl Into<String>) -> Self {
        Self::new(Code::Unknown, message)
    }
}

impl std::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `major.minor.patch`, compared lexicographically as litd does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Version {
    pub(crate) major: u32,
    /// The minor number (17 in litd 0.17.2).
    pub minor: u32,
    pub(crate) patch: u32,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// One rule a remote feature offers: JSON texts of the rule value (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteRule {
    pub(crate) name: String,
    pub(crate) default: Vec<u8>,
    pub(crate) min_value: Vec<u8>,
    pub(crate) max_value: Vec<u8>,
}

/// An entity:action pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Operation {
    pub(crate) entity: String,
    pub(crate) action: String,
}

/// The operations a feature needs on one RPC method.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MethodPermissions {
    pub(crate) method: String,
    pub(crate) operations: Vec<Operation>,
}

/// A feature as the remote server describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteFeature {
    pub(crate) name: String,
    pub(crate) description: String,
    /// The rules the feature offers, by rule name (the server's map key).
    pub rules: BTreeMap<String, RemoteRule>,
    pub(crate) permissions_list: Vec<MethodPermissions>,
    pub(crate) default_config: Vec<u8>,
    /// The privacy flag bits the feature asks for, unknown bits (8 and up)
    /// included.
    pub privacy_flags: u64,
}

/// What litd sends in `RegisterSession` (§2.2.7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registration {
    /// The new session's 33-byte compressed local key.
    pub responder_pub_key: Vec<u8>,
    /// The request's `mailbox_server_addr`, as given.
    pub mailbox_addr: String,
    pub(crate) dev_server: bool,
    /// One config per requested feature, by name: obfuscated with the
    /// privacy mapper on, else raw; may be empty.
    pub feature_configs: BTreeMap<String, Vec<u8>>,
    /// litd's version: 0.17.2, the release the mock follows.
    pub lit_version: Version,
    pub(crate) lnd_version: Version,
    /// Linked sessions only: the group's first session's compressed local
    /// key; empty otherwise.
    pub group_responder_key: Vec<u8>,
    /// Linked sessions only: a DER ECDSA signature by that first key over
    /// SHA-256 of `responder_pub_key`; empty otherwise.
    pub group_responder_sig: Vec<u8>,
    /// The session's privacy flag bits, sent even when the privacy mapper
    /// is off.
    pub privacy_flags: u64,
}

/// The remote autopilot server (`autopilotserverrpc.Autopilot`).
pub trait RemoteAutopilot: Send + Sync + 'static {
    /// `Terms`: the minimum litd version the server requires.
    fn terms(&self) -> BoxFuture<'_, Result<Version, RemoteError>>;

    /// `ListFeatures`: the server's features, by the server's map key.
    fn list_features(&self) -> BoxFuture<'_, Result<BTreeMap<String, RemoteFeature>, RemoteError>>;

    /// Returns the initiator (autopilot) public key: as sent, which litd
    /// parses, or as the in-process server made it (already parsed).
    fn register_session(
        &self,
        registration: Registration,
    ) -> BoxFuture<'_, Result<RemoteKey, RemoteError>>;

    /// Returns the (possibly empty) initiator key from the response.
    fn activate_session(
        &self,
        responder_pub_key: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, RemoteError>>;

    /// `RevokeSession` for the session with this local (responder) key.
    fn revoke_session(&self, responder_pub_key: Vec<u8>) -> BoxFuture<'_, Result<(), RemoteError>>;
}
