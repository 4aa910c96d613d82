//! The scenario file format, as written (serde), and its checked form.
//!
//! A scenario is a name, a description, a setup and steps. A step is one of:
//! a call (`call` + `request` + `expect` + `capture`), a raw REST request
//! (`http`), a clock move (`clock`), or an expectation on what the remote
//! stub received (`stub_received`). `scenarios/schema.json` describes the
//! same format for editors.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// A scenario file as parsed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Accepted for editors (`"$schema": "schema.json"`); not used.
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    pub(crate) name: String,
    /// For the reader of the file; not used.
    #[serde(rename = "description", default)]
    _description: String,
    /// What is prepared before the steps run.
    #[serde(default)]
    pub setup: Setup,
    pub(crate) steps: Vec<Step>,
}

/// What to prepare before the steps run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// Whether to start from a clean mock: no sessions, the stub's clients
    /// and journal cleared, and the target's own script (or `stub`). Absent:
    /// yes when the target has the admin API, else the scenario runs on
    /// whatever state the target has. `true` demands the admin API (the
    /// scenario is skipped without it); `false` keeps what earlier scenarios
    /// left.
    #[serde(default)]
    pub(crate) reset: Option<bool>,
    /// A stub script for the remote autopilot server (mock targets only).
    #[serde(default)]
    pub stub: Option<Value>,
    /// Set the mock's clock to this RFC 3339 time first (mock targets only).
    #[serde(default)]
    pub clock: Option<String>,
    /// Firewall actions to seed (each a `litrpc.Action` in litd's REST
    /// JSON), after a reset (mock targets only).
    #[serde(default)]
    pub actions: Option<Vec<Value>>,
    /// Restart litd over the same store last (mock targets only): the
    /// admin API's `POST restart`, so the Terms check runs against `stub`.
    #[serde(default)]
    pub(crate) restart: bool,
    /// The transports this scenario is meant for (default: both).
    #[serde(default)]
    pub(crate) transports: Option<Vec<Transport>>,
}

pub use crate::rpc::{Rpc, Transport};

/// The macaroon a call carries.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub(crate) enum Credentials {
    /// `"lit"` (the target's lit.macaroon, the default), `"none"`,
    /// `"tampered"` (lit with a flipped signature byte), `"twice"` (two
    /// macaroon values), `"read-only"` (autopilot:read only; needs the
    /// mock's root key).
    Named(String),
    /// The lit macaroon with extra first-party caveats (attenuation needs no
    /// root key, so this works against any server).
    Caveats { caveats: Vec<String> },
    /// A macaroon with only these `uri:` ops (needs the mock's root key).
    Uri { uri: Vec<String> },
    /// A raw value for the macaroon header.
    Hex { hex: String },
}

/// One step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A short name; defaults to the RPC or step kind.
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) call: Option<Rpc>,
    /// Only run this step over this transport.
    #[serde(default)]
    pub(crate) transport: Option<Transport>,
    #[serde(default)]
    pub(crate) credentials: Option<Credentials>,
    /// An `authorization` value sent with the call (litd's UI password:
    /// `Basic <base64(pw:pw)>`), on every transport.
    #[serde(default)]
    pub(crate) authorization: Option<String>,
    /// The request as proto3 JSON (snake_case names; bytes as base64).
    #[serde(default)]
    pub(crate) request: Option<Value>,
    #[serde(default)]
    pub(crate) expect: Option<Expect>,
    /// name -> dot path into the response (`session.local_public_key`).
    #[serde(default)]
    pub(crate) capture: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) http: Option<HttpRequest>,
    #[serde(default)]
    pub(crate) clock: Option<ClockMove>,
    #[serde(default)]
    pub(crate) stub_received: Option<StubExpect>,
    /// `true`: restart litd over the same store here (mock targets only):
    /// sessions so far are resumed as from litd's database.
    #[serde(default)]
    pub(crate) restart: bool,
    /// Client mode (`serve --scenario`): answer with this instead of the
    /// in-memory implementation: `{"code":"Unknown","message":"..."}` or
    /// `{"response":{...}}`.
    #[serde(default)]
    pub(crate) respond: Option<Value>,
}

/// What a call or HTTP request must give back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expect {
    /// gRPC code by name (`OK`, `Unknown`, `Unavailable`, ...) or number. Default `OK`.
    #[serde(default)]
    pub(crate) code: Option<Value>,
    /// The status message: a string (exact) or a matcher object.
    #[serde(default)]
    pub(crate) message: Option<Value>,
    /// A matcher tree over the response in litd's REST JSON form.
    #[serde(default)]
    pub(crate) response: Option<Value>,
    /// HTTP status (raw `http` steps).
    #[serde(default)]
    pub(crate) status: Option<u16>,
    /// A matcher tree over the JSON body (raw `http` steps).
    #[serde(default)]
    pub(crate) body: Option<Value>,
    /// Header name -> matcher (raw `http` steps).
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, Value>,
}

/// A raw REST request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HttpRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Sent as is (a JSON value is sent as its text).
    #[serde(default)]
    pub(crate) body: Option<Value>,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
}

/// Moves the mock's clock.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClockMove {
    /// Seconds to move forward (negative: back).
    #[serde(default)]
    pub(crate) advance_secs: Option<i64>,
    /// RFC 3339 time to set.
    #[serde(default)]
    pub(crate) set: Option<String>,
}

/// An expectation on the stub's journal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StubExpect {
    /// `RegisterSession`, `RevokeSession`, ...
    pub(crate) rpc: String,
    /// How many such calls the journal holds (since setup).
    #[serde(default)]
    pub(crate) count: Option<usize>,
    /// A matcher tree over the last such request.
    #[serde(default)]
    pub(crate) last_request: Option<Value>,
}

/// A scenario file that cannot be run (`check` exits 2 on it).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        /// The file as given.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not a scenario (JSON syntax, unknown or missing fields).
    #[error("invalid scenario {path}: {source}")]
    Parse {
        /// The file as given.
        path: String,
        /// serde_json's error, with line and column.
        source: serde_json::Error,
    },
    /// A setup the mock would refuse (the message names the file).
    #[error("{0}")]
    Setup(String),
    /// A step the loader refuses (unknown matcher, unknown request field).
    #[error("invalid scenario {path}: step {step}: {problem}")]
    Step {
        /// The file as given.
        path: String,
        /// The step's number, from 1.
        step: usize,
        /// What is wrong with it.
        problem: String,
    },
}

impl Step {
    /// What the step is, for reports.
    pub(crate) fn label(&self, index: usize) -> String {
        let kind = if let Some(rpc) = self.call {
            rpc.name().to_string()
        } else if let Some(h) = &self.http {
            format!("{} {}", h.method, h.path)
        } else if self.clock.is_some() {
            "clock".to_string()
        } else if self.restart {
            "restart".to_string()
        } else if let Some(s) = &self.stub_received {
            format!("stub received {}", s.rpc)
        } else {
            "step".to_string()
        };
        match &self.name {
            Some(name) => format!("#{} {name} ({kind})", index + 1),
            None => format!("#{} {kind}", index + 1),
        }
    }

    fn check(&self) -> Result<(), String> {
        let kinds = [
            self.call.is_some(),
            self.http.is_some(),
            self.clock.is_some(),
            self.stub_received.is_some(),
            self.restart,
        ];
        match kinds.iter().filter(|k| **k).count() {
            1 => {}
            0 => {
                return Err(
                    "needs one of `call`, `http`, `clock`, `stub_received`, `restart`".into(),
                )
            }
            _ => {
                return Err(
                    "has more than one of `call`, `http`, `clock`, `stub_received`, `restart`"
                        .into(),
                )
            }
        }
        if self.call.is_none() && (self.request.is_some() || self.credentials.is_some()) {
            return Err("`request` and `credentials` belong to a `call` step".into());
        }
        if let Some(c) = &self.clock {
            if c.advance_secs.is_some() == c.set.is_some() {
                return Err("`clock` needs exactly one of `advance_secs`, `set`".into());
            }
        }
        self.check_content()?;
        if let Some(Credentials::Named(n)) = &self.credentials {
            if !["lit", "none", "tampered", "twice", "read-only"].contains(&n.as_str()) {
                return Err(format!(
                    "unknown credentials {n:?} (lit, none, tampered, twice, read-only, {{\"caveats\":[..]}}, {{\"uri\":[..]}}, {{\"hex\":\"..\"}})"
                ));
            }
        }
        Ok(())
    }
}

impl Step {
    /// Matchers and request fields (see [`super::validate`]).
    fn check_content(&self) -> Result<(), String> {
        use super::validate;
        if let (Some(rpc), Some(request)) = (self.call, &self.request) {
            if !request.is_object() {
                return Err("`request` must be an object".into());
            }
            validate::request(rpc, request, "request")?;
        }
        if let Some(expect) = &self.expect {
            if let Some(code) = &expect.code {
                let known = match code {
                    Value::String(s) => super::target::code_by_name(s).is_some(),
                    Value::Number(n) => n.as_u64().is_some_and(|n| n <= 16),
                    _ => false,
                };
                if !known {
                    return Err(format!(
                        "expect.code: {code} is not a gRPC code (a name such as \"Unknown\", or 0-16)"
                    ));
                }
            }
            if let Some(m @ Value::Object(_)) = &expect.message {
                validate::matcher(m, "expect.message")?;
            }
            if let Some(m) = &expect.response {
                validate::matcher(m, "expect.response")?;
            }
            if let Some(m) = &expect.body {
                validate::matcher(m, "expect.body")?;
            }
            for (name, m) in &expect.headers {
                validate::matcher(m, &format!("expect.headers.{name}"))?;
            }
        }
        if let Some(m) = self
            .stub_received
            .as_ref()
            .and_then(|s| s.last_request.as_ref())
        {
            validate::matcher(m, "stub_received.last_request")?;
        }
        Ok(())
    }
}

impl Scenario {
    /// Reads and validates the scenario file at `path`.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: shown.clone(),
            source,
        })?;
        Scenario::parse(&text, &shown)
    }

    /// Parses and validates a scenario's JSON text; `origin` names it in
    /// errors (a path, or `<embedded>/name.json`).
    pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            serde_json::from_str(text).map_err(|source| ScenarioError::Parse {
                path: origin.to_string(),
                source,
            })?;
        for (i, step) in scenario.steps.iter().enumerate() {
            step.check().map_err(|problem| ScenarioError::Step {
                path: origin.to_string(),
                step: i + 1,
                problem,
            })?;
        }
        if let Some(script) = &scenario.setup.stub {
            crate::stub::Script::from_value(script.clone(), &format!("{origin} setup.stub"))
                .map_err(|e| ScenarioError::Setup(e.to_string()))?;
        }
        Ok(scenario)
    }

    /// Whether the scenario is meant for this transport.
    pub fn runs_over(&self, transport: Transport) -> bool {
        self.setup
            .transports
            .as_ref()
            .is_none_or(|t| t.contains(&transport))
    }
}

/// Every `*.json` scenario directly in the given directories (not their
/// sub-directories: `scenarios/client/` holds client-mode scenarios), and
/// the given files, sorted; `schema.json` is skipped.
pub fn collect_paths(
    inputs: &[std::path::PathBuf],
) -> Result<Vec<std::path::PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input).map_err(|source| ScenarioError::Read {
                path: input.display().to_string(),
                source,
            })?;
            let mut found: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .filter(|p| p.file_name().is_some_and(|n| n != "schema.json"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
