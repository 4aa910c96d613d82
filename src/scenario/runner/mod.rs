//! Runs scenarios against a target and says, step by step, what held.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use serde_json::{json, Value};

use super::admin::Admin;
use super::matcher::{self, abbreviate};
use super::model::{Scenario, Step, Transport};
use super::target::{Outcome, Target};
use crate::domain::clock::unix_secs;

mod call;

/// How a step ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "lowercase")]
pub enum Verdict {
    /// Every expectation held.
    Pass,
    /// The first expectation that did not hold, and why.
    Fail(String),
    /// Not run, and why (e.g. the target has no admin API for this step).
    Skip(String),
}

/// One step's result in a report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepReport {
    /// What the step is (`AddAutopilotSession`, `advance_clock 3600`, ...).
    pub step: String,
    /// How it ended.
    #[serde(flatten)]
    pub verdict: Verdict,
    pub(crate) millis: u128,
}

/// One scenario's run over one transport: its steps' verdicts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScenarioReport {
    pub(crate) scenario: String,
    pub(crate) file: String,
    pub(crate) transport: Transport,
    /// Every step, in order.
    pub steps: Vec<StepReport>,
}

impl ScenarioReport {
    pub(crate) fn failed(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s.verdict, Verdict::Fail(_)))
            .count()
    }
}

/// Optional powers the runner has over the target.
pub struct Powers<'a> {
    /// The target's admin API (the mock's): reset, clock, stub script, journal.
    pub admin: Option<&'a Admin<'a>>,
    /// The target's macaroon root key, to bake read-only and `uri:` macaroons.
    pub root_key: Option<[u8; 32]>,
}

/// What one call or raw HTTP step sent and got back (for `diff`, which
/// runs a scenario on two servers and compares these).
#[derive(Debug, Clone)]
pub(crate) struct Observed {
    /// The step's index in the scenario.
    pub(crate) step: usize,
    /// The request as sent (`${...}` substituted): the call's proto3 JSON,
    /// or `{"method","path","body"}` for a raw HTTP step.
    pub(crate) request: Value,
    pub(crate) answer: Answer,
}

/// A call's outcome, or a raw HTTP step's answer.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A call step's outcome.
    Call(Outcome),
    /// A raw HTTP step's answer.
    Http {
        /// The HTTP status.
        status: u16,
        /// The body as JSON (a string when it is not JSON).
        body: Value,
    },
}

struct Run<'a> {
    target: &'a Target,
    /// Every call and raw HTTP exchange, in step order.
    observed: Vec<Observed>,
    step_index: usize,
    powers: &'a Powers<'a>,
    transport: Transport,
    vars: BTreeMap<String, Value>,
    /// Seconds the target's clock is ahead of this machine's.
    clock_offset: i64,
    /// The last journal sequence number before the scenario: later
    /// entries are the scenario's (the journal may drop old entries).
    journal_seq: u64,
}

/// Runs `scenario`'s setup and steps over `transport` against `target`,
/// using what `powers` allows, and reports every step. It never fails: a
/// setup that cannot be done fails the first step with the reason.
pub async fn run(
    scenario: &Scenario,
    file: &str,
    transport: Transport,
    target: &Target,
    powers: &Powers<'_>,
) -> ScenarioReport {
    run_observed(scenario, file, transport, target, powers)
        .await
        .0
}

/// [`run`], also returning what each call and raw HTTP step sent and got.
pub(crate) async fn run_observed(
    scenario: &Scenario,
    file: &str,
    transport: Transport,
    target: &Target,
    powers: &Powers<'_>,
) -> (ScenarioReport, Vec<Observed>) {
    let mut report = ScenarioReport {
        scenario: scenario.name.clone(),
        file: file.to_string(),
        transport,
        steps: Vec::new(),
    };
    let mut run = Run {
        target,
        observed: Vec::new(),
        step_index: 0,
        powers,
        transport,
        vars: BTreeMap::new(),
        clock_offset: 0,
        journal_seq: 0,
    };
    let started = Instant::now();
    if let Err(problem) = run.setup(scenario).await {
        report.steps.push(StepReport {
            step: "setup".into(),
            verdict: problem,
            millis: started.elapsed().as_millis(),
        });
        return (report, run.observed);
    }
    for (i, step) in scenario.steps.iter().enumerate() {
        let started = Instant::now();
        run.step_index = i;
        let verdict = match step.transport {
            Some(only) if only != transport => Verdict::Skip(format!("{only} only")),
            _ => match run.step(step).await {
                Ok(v) => v,
                Err(e) => Verdict::Fail(e),
            },
        };
        report.steps.push(StepReport {
            step: step.label(i),
            verdict,
            millis: started.elapsed().as_millis(),
        });
    }
    (report, run.observed)
}

fn needs_admin(what: &str) -> Verdict {
    Verdict::Skip(format!(
        "{what} needs the mock's admin API (the target is not an autopilot-mock, or --no-admin)"
    ))
}

impl Run<'_> {
    fn now(&self) -> i64 {
        unix_secs(SystemTime::now()) + self.clock_offset
    }

    async fn setup(&mut self, scenario: &Scenario) -> Result<(), Verdict> {
        let s = &scenario.setup;
        // `${now}` follows the target's clock, which earlier runs may have moved.
        if let Some(admin) = self.powers.admin {
            if let Ok(server_now) = admin.clock_now().await {
                self.clock_offset = server_now - unix_secs(SystemTime::now());
            }
        }
        let demands_admin = s.reset == Some(true)
            || s.stub.is_some()
            || s.clock.is_some()
            || s.actions.is_some()
            || s.restart;
        let admin = match (self.powers.admin, demands_admin) {
            (Some(a), _) => a,
            (None, false) => return self.snapshot_journal().await,
            (None, true) => return Err(needs_admin("this scenario's setup")),
        };
        let fail = |e: String| Verdict::Fail(format!("setup: {e}"));
        // A known state unless the scenario opts out: no sessions, and the
        // stub script the target started with (a reset restores it) or the
        // one the scenario names.
        if s.reset != Some(false) {
            admin.reset().await.map_err(fail)?;
        }
        if let Some(script) = &s.stub {
            admin.set_script(script).await.map_err(fail)?;
        }
        if let Some(actions) = &s.actions {
            admin.seed_actions(actions).await.map_err(fail)?;
        }
        if let Some(at) = &s.clock {
            let target =
                time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| fail(format!("clock {at:?}: {e}")))?;
            admin.set_clock(at).await.map_err(fail)?;
            self.clock_offset = target.unix_timestamp() - unix_secs(SystemTime::now());
        }
        if s.restart {
            admin.restart().await.map_err(fail)?;
        }
        self.snapshot_journal().await
    }

    async fn snapshot_journal(&mut self) -> Result<(), Verdict> {
        if let Some(admin) = self.powers.admin {
            if let Ok(journal) = admin.journal().await {
                self.journal_seq = entries(&journal).filter_map(seq).max().unwrap_or(0);
            }
        }
        Ok(())
    }

    fn subst(&self, v: &Value) -> Result<Value, String> {
        matcher::substitute(v, &self.vars, self.now())
    }

    async fn step(&mut self, step: &Step) -> Result<Verdict, String> {
        if let Some(rpc) = step.call {
            return self.call(step, rpc).await;
        }
        if let Some(h) = &step.http {
            if self.transport == Transport::Grpc {
                // Raw REST steps check REST; they run once, in the REST pass.
                return Ok(Verdict::Skip("REST-only step".into()));
            }
            let path = match self.subst(&Value::String(h.path.clone()))? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let body = match &h.body {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(v) => Some(self.subst(v)?.to_string()),
            };
            let mut headers: Vec<(String, String)> = h
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("grpc-metadata-macaroon"))
            {
                headers.push((
                    "Grpc-Metadata-Macaroon".into(),
                    hex::encode(&self.target.macaroon),
                ));
            }
            let answer = self
                .target
                .http_with_headers(&h.method, &path, body.clone(), &headers)
                .await?;
            self.observed.push(Observed {
                step: self.step_index,
                request: json!({"method": h.method, "path": path, "body": body}),
                answer: Answer::Http {
                    status: answer.status,
                    body: answer.body.clone(),
                },
            });
            let (status, body) = (answer.status, answer.body);
            let expect = step.expect.clone().unwrap_or_default();
            for (name, want) in &expect.headers {
                let got = answer
                    .headers
                    .get(&name.to_ascii_lowercase())
                    .map(|v| Value::String(v.clone()));
                if let Err(e) =
                    matcher::check(&self.subst(want)?, got.as_ref(), &format!("header {name}"))
                {
                    return Ok(Verdict::Fail(e));
                }
            }
            if let Some(want) = expect.status {
                if want != status {
                    return Ok(Verdict::Fail(format!(
                        "expected HTTP {want}, got HTTP {status}: {}",
                        abbreviate(&body)
                    )));
                }
            }
            if let Some(want) = &expect.body {
                if let Err(e) = matcher::check(&self.subst(want)?, Some(&body), "body") {
                    return Ok(Verdict::Fail(e));
                }
            }
            return Ok(Verdict::Pass);
        }
        if let Some(c) = &step.clock {
            let Some(admin) = self.powers.admin else {
                return Ok(needs_admin("a clock move"));
            };
            if let Some(secs) = c.advance_secs {
                admin.advance_clock(secs).await?;
                self.clock_offset += secs;
            } else if let Some(at) = &c.set {
                let t =
                    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                        .map_err(|e| format!("clock {at:?}: {e}"))?;
                admin.set_clock(at).await?;
                self.clock_offset = t.unix_timestamp() - unix_secs(SystemTime::now());
            }
            return Ok(Verdict::Pass);
        }
        if step.restart {
            let Some(admin) = self.powers.admin else {
                return Ok(needs_admin("a restart"));
            };
            admin.restart().await?;
            return Ok(Verdict::Pass);
        }
        if let Some(want) = &step.stub_received {
            let Some(admin) = self.powers.admin else {
                return Ok(needs_admin("an expectation on the stub"));
            };
            let journal = admin.journal().await?;
            let calls: Vec<&Value> = entries(&journal)
                .filter(|e| seq(e).is_some_and(|n| n > self.journal_seq))
                .filter(|e| e.get("rpc").and_then(Value::as_str) == Some(want.rpc.as_str()))
                .collect();
            if let Some(count) = want.count {
                if calls.len() != count {
                    return Ok(Verdict::Fail(format!(
                        "expected the stub to have received {count} {} call(s), got {}",
                        want.rpc,
                        calls.len()
                    )));
                }
            }
            if let Some(m) = &want.last_request {
                let Some(last) = calls.last() else {
                    return Ok(Verdict::Fail(format!(
                        "the stub received no {} call",
                        want.rpc
                    )));
                };
                if let Err(e) = matcher::check(&self.subst(m)?, last.get("request"), "request") {
                    return Ok(Verdict::Fail(e));
                }
            }
            return Ok(Verdict::Pass);
        }
        Err("empty step".into())
    }
}

fn entries(journal: &Value) -> impl Iterator<Item = &Value> {
    journal
        .get("entries")
        .or(Some(journal))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn seq(entry: &Value) -> Option<u64> {
    entry.get("seq").and_then(Value::as_u64)
}
