//! The stub's script: the catalogue it offers (the catalogue file format of
//! [`crate::remote::catalogue`]) plus, per RPC, an ordered list of scripted
//! answers. Parsed once into typed steps so a bad file fails at load time
//! with its name and the offending place, never in the middle of a test.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::domain::remote::{Registration, RemoteError, RemoteFeature, Version};
use crate::remote::catalogue::{Catalogue, DEFAULT_CATALOGUE_JSON};

/// The default script: litd's test-server catalogue, no scripted answers.
pub(crate) const DEFAULT_SCRIPT_JSON: &str = include_str!("../../fixtures/stub-script.json");

/// The five RPCs of `autopilotserverrpc.Autopilot`, named as in the proto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rpc {
    /// `Terms`: the minimum litd version the server requires.
    Terms,
    /// `ListFeatures`: the features the server offers.
    ListFeatures,
    /// `RegisterSession`: litd registers a new autopilot session (§2.2.7).
    RegisterSession,
    /// `ActivateSession`: litd's activation ping of a registered session
    /// (every ping cadence, and at start-up).
    ActivateSession,
    /// `RevokeSession`: litd tells the server a session was revoked.
    RevokeSession,
}

impl Rpc {
    pub(crate) const ALL: [Rpc; 5] = [
        Rpc::Terms,
        Rpc::ListFeatures,
        Rpc::RegisterSession,
        Rpc::ActivateSession,
        Rpc::RevokeSession,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Rpc::Terms => "Terms",
            Rpc::ListFeatures => "ListFeatures",
            Rpc::RegisterSession => "RegisterSession",
            Rpc::ActivateSession => "ActivateSession",
            Rpc::RevokeSession => "RevokeSession",
        }
    }

    fn from_name(name: &str) -> Option<Rpc> {
        Rpc::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Which key a scripted success answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChoice {
    /// A fresh valid secp256k1 key per call, from the in-process server's
    /// key sequence (reproducible with `--seed`).
    Random,
    /// Exactly these bytes (may be empty or malformed, on purpose).
    Given(Vec<u8>),
}

/// A scripted success, shaped by the RPC it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Success {
    /// Terms: this `min_required_version`.
    Terms(Version),
    /// ListFeatures: these features, by the server's map key.
    Features(BTreeMap<String, RemoteFeature>),
    /// RegisterSession and ActivateSession: the `initiator_pub_key`.
    Key(KeyChoice),
    /// RevokeSession.
    Empty,
}

/// What a step answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// litd's Go test server (the in-process default), checks included.
    Default,
    /// Never answers: the caller's deadline (or cancellation) ends the call.
    Hang,
    /// Fails the call with this gRPC code and message.
    Error(RemoteError),
    /// Answers with this success instead of the test server's answer (a
    /// RegisterSession answered so is still recorded as a registered client).
    Ok(Success),
}

/// Request fields a step can require. Absent fields match anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) responder_pub_key: Option<Vec<u8>>,
    /// Every listed feature must be among the registration's features.
    pub(crate) features: Option<Vec<String>>,
    pub(crate) privacy_flags: Option<u64>,
    /// Whether the registration links to a group (has a group key).
    pub(crate) linked: Option<bool>,
}

impl Match {
    /// Whether a call with this responder key (and, for RegisterSession,
    /// registration) matches.
    pub(crate) fn matches(
        &self,
        responder_pub_key: &[u8],
        registration: Option<&Registration>,
    ) -> bool {
        if let Some(key) = &self.responder_pub_key {
            if key.as_slice() != responder_pub_key {
                return false;
            }
        }
        let Some(r) = registration else {
            return true;
        };
        let features_ok = self
            .features
            .as_ref()
            .is_none_or(|fs| fs.iter().all(|f| r.feature_configs.contains_key(f)));
        let flags_ok = self.privacy_flags.is_none_or(|f| f == r.privacy_flags);
        let linked = !r.group_responder_key.is_empty();
        let linked_ok = self.linked.is_none_or(|l| l == linked);
        features_ok && flags_ok && linked_ok
    }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub(crate) when: Match,
    pub(crate) delay: Duration,
    /// Moves the stub's clock forward by this much once the delay is over,
    /// before answering. In process the stub shares the mock's clock, so a
    /// test can make time pass during a call (an expiry passing while
    /// RegisterSession runs) without waiting.
    pub(crate) advance_clock: Duration,
    pub(crate) reply: Reply,
    /// How many matching calls it answers; `None`: every one.
    pub(crate) times: Option<u32>,
}

/// A parsed script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The terms and features the stub offers: the script's `terms` and
    /// `features`, each the default catalogue's when the script leaves it
    /// out.
    pub catalogue: Catalogue,
    pub(crate) steps: BTreeMap<Rpc, Vec<Step>>,
    /// The JSON it was parsed from, for the admin API's `GET script`.
    pub(crate) source: Value,
}

/// Why a script could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The script file could not be read.
    #[error("cannot read script {path}: {source}")]
    Read {
        /// The file, as given.
        path: String,
        /// The I/O error reading it.
        source: std::io::Error,
    },
    /// The script is not valid JSON or not a valid script.
    #[error("invalid script {origin}: {problem}")]
    Invalid {
        /// Where the script came from: its file, or e.g. `from the admin API`.
        origin: String,
        /// What is wrong, and where.
        problem: String,
    },
}

impl Script {
    /// The embedded default (`fixtures/stub-script.json`).
    pub fn default_script() -> Result<Script, ScriptError> {
        Script::parse(DEFAULT_SCRIPT_JSON, "fixtures/stub-script.json")
    }

    /// A script that offers this catalogue and scripts nothing.
    pub fn from_catalogue(catalogue: Catalogue) -> Script {
        // The catalogue's own JSON plus no responses: what `GET script`
        // shows, and what a `PUT` of it restores (catalogue included).
        let mut source = match &catalogue.source {
            Value::Object(top) => top.clone(),
            _ => serde_json::Map::new(),
        };
        source.insert("responses".into(), serde_json::json!({}));
        Script {
            catalogue,
            steps: BTreeMap::new(),
            source: Value::Object(source),
        }
    }

    /// Reads and parses the script file at `path`.
    pub fn load(path: &Path) -> Result<Script, ScriptError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: origin.clone(),
            source,
        })?;
        Script::parse(&text, &origin)
    }

    /// Parses a script's JSON text; `origin` names it in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Script, ScriptError> {
        let value: Value = serde_json::from_str(text).map_err(|e| invalid(origin, e))?;
        Script::from_value(value, origin)
    }

    /// Parses a script's JSON value; `origin` names where it came from (the
    /// file, or e.g. `from the admin API`) in error messages.
    pub fn from_value(value: Value, origin: &str) -> Result<Script, ScriptError> {
        let Value::Object(mut top) = value.clone() else {
            return Err(invalid(origin, "the script must be a JSON object"));
        };
        let responses = top.remove("responses").unwrap_or(Value::Null);
        // Missing catalogue parts fall back to the default catalogue's.
        let mut catalogue: serde_json::Map<String, Value> =
            serde_json::from_str(DEFAULT_CATALOGUE_JSON).map_err(|e| invalid(origin, e))?;
        for (key, v) in top {
            catalogue.insert(key, v);
        }
        let catalogue = Catalogue::from_value(Value::Object(catalogue), origin)
            .map_err(|e| invalid(origin, source_text(&e)))?;
        let steps = parse_responses(responses, origin)?;
        Ok(Script {
            catalogue,
            steps,
            source: value,
        })
    }
}

/// The catalogue error without its own "invalid catalogue <origin>:" prefix.
pub(super) fn source_text(e: &crate::remote::catalogue::CatalogueError) -> String {
    use crate::remote::catalogue::CatalogueError;
    match e {
        CatalogueError::Parse { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

fn invalid(origin: &str, problem: impl std::fmt::Display) -> ScriptError {
    ScriptError::Invalid {
        origin: origin.to_string(),
        problem: problem.to_string(),
    }
}

fn parse_responses(value: Value, origin: &str) -> Result<BTreeMap<Rpc, Vec<Step>>, ScriptError> {
    let map = match value {
        Value::Null => return Ok(BTreeMap::new()),
        Value::Object(map) => map,
        _ => {
            return Err(invalid(
                origin,
                "`responses` must be an object keyed by RPC name",
            ))
        }
    };
    let mut steps = BTreeMap::new();
    for (name, list) in map {
        let rpc = Rpc::from_name(&name).ok_or_else(|| {
            invalid(
                origin,
                format!(
                    "responses: unknown RPC `{name}` (expected Terms, ListFeatures, \
                     RegisterSession, ActivateSession or RevokeSession)"
                ),
            )
        })?;
        let Value::Array(list) = list else {
            return Err(invalid(origin, format!("responses.{name} must be a list")));
        };
        let parsed = list
            .into_iter()
            .enumerate()
            .map(|(i, step)| {
                super::steps::parse_step(rpc, step)
                    .map_err(|problem| invalid(origin, format!("responses.{name}[{i}]: {problem}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        steps.insert(rpc, parsed);
    }
    Ok(steps)
}

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
