//! The scenarios a recording writes: every exchange the proxy forwarded
//! becomes a step of the scenario being recorded, written out after each
//! one (so a recording stopped at any moment is a valid file).
//!
//! Calls to the mock's admin API shape the recording rather than being
//! steps (this is how a `check` run through the proxy becomes one scenario
//! per scenario and transport): a reset starts the next scenario, a stub
//! script put before the first call is its `setup.stub` (unless it is the
//! mock's own, read with `GET script`), a clock set before it is its
//! `setup.clock`, firewall actions seeded before it are its `setup.actions`,
//! a restart before it is its `setup.restart`, and later clock moves and
//! restarts are `clock` and `restart` steps.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::exchange::{recognise, Exchange, Recognised};
use super::steps::{self, Captures};
use crate::domain::clock::unix_secs;
use crate::rpc::Transport;
use crate::scenario::model::ScenarioError;
use crate::scenario::target::Outcome;
use crate::scenario::Scenario;

/// The scenario being recorded.
struct Draft {
    path: PathBuf,
    name: String,
    transports: Vec<Transport>,
    stub: Option<Value>,
    clock: Option<String>,
    actions: Option<Value>,
    /// `POST restart` before the first step: `setup.restart`.
    restart: bool,
    steps: Vec<Value>,
    calls: usize,
    captures: Captures,
}

/// Writes recorded exchanges as scenario files in a directory.
pub struct Recorder {
    out: PathBuf,
    upstream: String,
    draft: Option<Draft>,
    home_script: Option<Value>,
    /// Seconds the recorded server's clock is ahead of this machine's (a
    /// mock's clock, as its admin API shows it).
    clock_offset: i64,
    written: Vec<PathBuf>,
}

impl Recorder {
    /// Records into `out` (created if missing); `upstream` is named in
    /// each scenario's description.
    pub(crate) fn new(out: &Path, upstream: &str) -> std::io::Result<Recorder> {
        std::fs::create_dir_all(out)?;
        Ok(Recorder {
            out: out.to_path_buf(),
            upstream: upstream.to_string(),
            draft: None,
            home_script: None,
            clock_offset: 0,
            written: Vec::new(),
        })
    }

    /// The scenario files written so far.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    /// Records one exchange; an error is a file that could not be written.
    pub(crate) fn record(&mut self, e: &Exchange) -> Result<(), String> {
        match recognise(e) {
            Recognised::Admin {
                method,
                path,
                request,
                status,
                response,
            } => {
                if status == 200 {
                    self.admin(&method, &path, request, &response);
                }
                Ok(())
            }
            Recognised::Call {
                rpc,
                transport,
                request,
                macaroons,
                authorization,
                outcome,
            } => {
                let now = unix_secs(SystemTime::now()) + self.clock_offset;
                let draft = self.draft();
                let index = draft.steps.len();
                let mut step = Map::new();
                step.insert("name".into(), json!(format!("{rpc} over {transport}")));
                step.insert("call".into(), json!(rpc.name()));
                if let Some(c) = credentials(&macaroons, &outcome) {
                    step.insert("credentials".into(), c);
                }
                if let Some(a) = authorization {
                    step.insert("authorization".into(), json!(a));
                }
                step.insert(
                    "request".into(),
                    steps::request(&request, now, &mut draft.captures),
                );
                step.insert(
                    "expect".into(),
                    steps::expect(&outcome, index, &mut draft.captures),
                );
                if !draft.transports.contains(&transport) {
                    draft.transports.push(transport);
                }
                self.push(Value::Object(step), true)
            }
            Recognised::Http {
                method,
                path,
                body,
                content_type,
                status,
                response,
            } => {
                let draft = self.draft();
                let index = draft.steps.len();
                let mut http = json!({"method": method, "path": path});
                if let Some(b) = body {
                    http["body"] = json!(b);
                }
                if let Some(ct) = content_type {
                    http["headers"] = json!({"content-type": ct});
                }
                let body = steps::matcher(None, &response, "", index, &mut draft.captures);
                let step = json!({"name": format!("{method} {}", path.split('?').next().unwrap_or_default()),
                    "http": http, "expect": {"status": status, "body": body}});
                if !draft.transports.contains(&Transport::Rest) {
                    draft.transports.push(Transport::Rest);
                }
                self.push(step, true)
            }
            Recognised::Skipped(why) => {
                tracing::warn!("not recorded: {why}");
                Ok(())
            }
        }
    }

    fn admin(&mut self, method: &str, path: &str, request: Value, response: &Value) {
        if let Some(nanos) = response
            .get("unix_nanos")
            .and_then(Value::as_str)
            .and_then(|n| n.parse::<i128>().ok())
        {
            let secs = i64::try_from(nanos / 1_000_000_000).unwrap_or(i64::MAX);
            self.clock_offset = secs.saturating_sub(unix_secs(SystemTime::now()));
        }
        match (method, path) {
            ("POST", "v1/reset") => self.draft = None,
            ("GET", "v1/script") if self.home_script.is_none() => {
                self.home_script = Some(response.clone());
            }
            ("PUT", "v1/script") => {
                let home = self.home_script.clone();
                let draft = self.draft();
                if draft.steps.is_empty() {
                    draft.stub = (Some(&request) != home.as_ref()).then_some(request);
                }
            }
            ("POST", "v1/actions") => {
                let draft = self.draft();
                if draft.steps.is_empty() {
                    draft.actions = request.get("actions").cloned();
                }
            }
            ("POST", "v1/restart") => {
                let draft = self.draft();
                if draft.steps.is_empty() {
                    draft.restart = true;
                } else {
                    let _ = self.push(json!({"restart": true}), false);
                }
            }
            ("POST", "v1/clock") => {
                let at = request.get("set_unix_seconds").and_then(Value::as_i64);
                let advance = request
                    .get("advance_seconds")
                    .and_then(Value::as_i64)
                    .or_else(|| {
                        let nanos = request.get("advance_nanos").and_then(Value::as_i64)?;
                        Some(nanos / 1_000_000_000)
                    });
                let draft = self.draft();
                match (at.and_then(rfc3339), advance, draft.steps.is_empty()) {
                    (Some(t), _, true) => draft.clock = Some(t),
                    (Some(t), _, false) => {
                        let _ = self.push(json!({"clock": {"set": t}}), false);
                    }
                    (None, Some(secs), _) => {
                        let _ = self.push(json!({"clock": {"advance_secs": secs}}), false);
                    }
                    (None, None, _) => {}
                }
            }
            _ => {}
        }
    }

    /// The draft, started if none is.
    fn draft(&mut self) -> &mut Draft {
        let next = self.next_path();
        self.draft.get_or_insert_with(|| {
            let name = next
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "recorded".into());
            Draft {
                path: next,
                name,
                transports: Vec::new(),
                stub: None,
                clock: None,
                actions: None,
                restart: false,
                steps: Vec::new(),
                calls: 0,
                captures: Captures::default(),
            }
        })
    }

    /// The first `recorded-NNN.json` not yet in the directory.
    fn next_path(&self) -> PathBuf {
        if let Some(d) = &self.draft {
            return d.path.clone();
        }
        (1..)
            .map(|n| self.out.join(format!("recorded-{n:03}.json")))
            .find(|p| !p.exists())
            .unwrap_or_else(|| self.out.join("recorded.json"))
    }

    /// Adds a step and writes the draft out. A step the scenario format
    /// would refuse is dropped (and said so) so the file stays valid.
    fn push(&mut self, step: Value, is_call: bool) -> Result<(), String> {
        let upstream = self.upstream.clone();
        let draft = self.draft();
        draft.steps.push(step);
        if is_call {
            draft.calls += 1;
        }
        if draft.calls == 0 {
            return Ok(());
        }
        let text = scenario_text(draft, &upstream);
        let shown = draft.path.display().to_string();
        if let Err(e) = Scenario::parse(&text, &shown) {
            draft.steps.pop();
            if is_call {
                draft.calls -= 1;
            }
            let problem = match e {
                ScenarioError::Step { problem, .. } => problem,
                other => other.to_string(),
            };
            tracing::warn!("not recorded (the scenario format refuses it): {problem}");
            return Ok(());
        }
        let path = draft.path.clone();
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text + "\n")
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if !self.written.contains(&path) {
            tracing::info!(file = %path.display(), "recording");
            self.written.push(path);
        }
        Ok(())
    }
}

/// The draft as a scenario file.
fn scenario_text(d: &Draft, upstream: &str) -> String {
    let mut setup = Map::new();
    if let Some(s) = &d.stub {
        setup.insert("stub".into(), s.clone());
    }
    if let Some(c) = &d.clock {
        setup.insert("clock".into(), json!(c));
    }
    if let Some(a) = &d.actions {
        setup.insert("actions".into(), a.clone());
    }
    if d.restart {
        setup.insert("restart".into(), json!(true));
    }
    if !d.transports.is_empty() {
        setup.insert("transports".into(), json!(d.transports));
    }
    let steps: Vec<Value> = d
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| match d.captures.used.get(&i) {
            Some(captures) => {
                let mut s = s.clone();
                s["capture"] = json!(captures);
                s
            }
            None => s.clone(),
        })
        .collect();
    let scenario = json!({
        "name": d.name,
        "description": format!("Recorded by `autopilot-mock record` from {upstream}: each step is one exchange, its answer as matchers (exact values, shapes for per-run keys, secrets, IDs and times, captures between steps)."),
        "setup": setup,
        "steps": steps,
    });
    serde_json::to_string_pretty(&scenario).unwrap_or_default()
}

fn rfc3339(unix: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// The step's `credentials` for the macaroon values a call carried (`None`:
/// the default, the lit macaroon). Never the macaroon itself: recordings
/// are meant to be sent to us. A value that is no macaroon at all is kept.
fn credentials(values: &[String], outcome: &Outcome) -> Option<Value> {
    let value = match values {
        [] => return Some(json!("none")),
        [_, _, ..] => return Some(json!("twice")),
        [v] => v,
    };
    let Some(info) = hex::decode(value.trim())
        .ok()
        .and_then(|raw| crate::auth::inspect(&raw).ok())
    else {
        return Some(json!({"hex": value}));
    };
    if outcome.message.contains("signature mismatch") {
        return Some(json!("tampered"));
    }
    if !info.first_party_caveats.is_empty() {
        return Some(json!({"caveats": info.first_party_caveats}));
    }
    let ops = info.id.op_pairs();
    let uri: Vec<String> = ops
        .iter()
        .filter(|(entity, _)| entity == "uri")
        .map(|(_, action)| action.clone())
        .collect();
    if !uri.is_empty() && uri.len() == ops.len() {
        return Some(json!({"uri": uri}));
    }
    if !ops.is_empty() && ops.iter().all(|(_, action)| action == "read") {
        return Some(json!("read-only"));
    }
    None
}

#[cfg(test)]
#[path = "recorder_tests.rs"]
mod tests;
