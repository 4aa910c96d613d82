//! Client mode (`serve --scenario`): the scenario's call steps become
//! expectations on what a client sends, in order. Each incoming call is
//! matched against the next unmet step (RPC, transport, credentials, request
//! fields); the step may script the answer. Clock steps are applied and stub
//! steps checked as the client reaches them. The verdict names every step a
//! client skipped, broke or sent out of turn.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::SystemTime;

use serde_json::{json, Value};
use tokio::sync::watch;

use super::matcher;
use super::model::{Credentials, Scenario, Step};
use super::report;
use super::runner::{ScenarioReport, StepReport, Verdict};
use super::target::{code_by_name, code_name};
use crate::domain::clock::{unix_secs, Clock};
use crate::domain::{AutopilotError, Code};
use crate::rpc::{CallObserver, ObservedCall, Rpc, Scripted, Transport};

/// Watches a client against a scenario.
pub struct ClientCheck {
    scenario: Scenario,
    file: String,
    clock: Arc<dyn Clock>,
    /// The in-process stub, for `stub_received` steps (set once serving).
    stub: OnceLock<crate::stub::Stub>,
    state: Mutex<State>,
    /// Becomes `true` once every step is met.
    done: watch::Sender<bool>,
}

#[derive(Default)]
struct State {
    /// The first step not yet met.
    next: usize,
    /// Per step: `None` until reached.
    verdicts: Vec<Option<Verdict>>,
    /// The step whose call is in flight.
    pending: Option<usize>,
    /// Calls that matched no step, with the step they broke.
    problems: Vec<(usize, String)>,
    vars: BTreeMap<String, Value>,
    /// The transport of the client's last call, for the report's label.
    transport: Option<Transport>,
}

impl State {
    /// Records a failure of step `at`, after any it already has.
    fn fail(&mut self, at: usize, why: String) {
        self.problems.push((at, why.clone()));
        if let Some(slot) = self.verdicts.get_mut(at) {
            slot.get_or_insert(Verdict::Fail(why));
        }
    }
}

impl ClientCheck {
    /// Judges the calls a client makes against `scenario` (from `file`,
    /// named in the report), timing steps by `clock` (the server's).
    pub fn new(scenario: Scenario, file: &str, clock: Arc<dyn Clock>) -> Arc<ClientCheck> {
        let steps = scenario.steps.len();
        let (done, _) = watch::channel(false);
        let check = Arc::new(ClientCheck {
            scenario,
            file: file.to_string(),
            clock,
            stub: OnceLock::new(),
            state: Mutex::new(State {
                verdicts: vec![None; steps],
                ..State::default()
            }),
            done,
        });
        check.advance_passive(&mut check.lock());
        check
    }

    /// Gives the check the in-process stub for its journal.
    pub fn attach_stub(&self, stub: crate::stub::Stub) {
        let _ = self.stub.set(stub);
    }

    /// Resolves once every step is met.
    pub fn finished(&self) -> watch::Receiver<bool> {
        self.done.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now(&self) -> i64 {
        unix_secs(self.clock.now())
    }

    /// The verdict so far; steps not reached count as missing.
    pub fn scenario_report(&self) -> ScenarioReport {
        let state = self.lock();
        let mut steps = Vec::new();
        for (i, step) in self.scenario.steps.iter().enumerate() {
            let problems: Vec<&String> = state
                .problems
                .iter()
                .filter(|(at, _)| *at == i)
                .map(|(_, why)| why)
                .collect();
            // Every failure of the step, first one first: a later one
            // never hides what went wrong first.
            let verdict = match (&state.verdicts[i], problems.is_empty()) {
                (_, false) => Verdict::Fail(
                    problems
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join("; then "),
                ),
                (Some(v), true) => v.clone(),
                (None, true) => Verdict::Fail(missing(step)),
            };
            steps.push(StepReport {
                step: step.label(i),
                verdict,
                millis: 0,
            });
        }
        for (at, why) in state
            .problems
            .iter()
            .filter(|(at, _)| *at >= self.scenario.steps.len())
        {
            steps.push(StepReport {
                step: format!("#{} after the last step", at + 1),
                verdict: Verdict::Fail(why.clone()),
                millis: 0,
            });
        }
        ScenarioReport {
            scenario: self.scenario.name.clone(),
            file: self.file.clone(),
            transport: state.transport.unwrap_or(Transport::Grpc),
            steps,
        }
    }

    /// The one-line verdict `serve --scenario` prints.
    pub fn verdict_line(&self) -> Value {
        let report = self.scenario_report();
        let totals = report::totals(std::slice::from_ref(&report));
        let failures: Vec<Value> = report
            .steps
            .iter()
            .filter_map(|s| match &s.verdict {
                Verdict::Fail(why) => Some(json!({"step": s.step, "reason": why})),
                _ => None,
            })
            .collect();
        json!({
            "verdict": if totals.failed == 0 { "pass" } else { "fail" },
            "scenario": report.scenario,
            "steps": report.steps.len(),
            "met": totals.passed,
            "failures": failures,
        })
    }

    /// Applies clock steps and judges stub steps from `next` on, up to the
    /// next call step; signals when the scenario is complete.
    fn advance_passive(&self, state: &mut State) {
        while let Some(step) = self.scenario.steps.get(state.next) {
            let verdict = if step.call.is_some() {
                break;
            } else if let Some(c) = &step.clock {
                self.apply_clock(c)
            } else if let Some(want) = &step.stub_received {
                self.check_stub(want, state)
            } else if step.restart {
                Verdict::Skip("restart steps are for `check`, not for client mode".into())
            } else {
                Verdict::Skip("raw http steps are for `check`, not for client mode".into())
            };
            let at = state.next;
            match verdict {
                Verdict::Fail(why) => state.fail(at, why),
                other => state.verdicts[at] = Some(other),
            }
            state.next += 1;
        }
        if state.next >= self.scenario.steps.len() {
            let _ = self.done.send(true);
        }
    }

    fn apply_clock(&self, c: &super::model::ClockMove) -> Verdict {
        if let Some(secs) = c.advance_secs {
            self.clock.advance_nanos(i128::from(secs) * 1_000_000_000);
        } else if let Some(at) = &c.set {
            match time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339) {
                Ok(t) => {
                    let to = SystemTime::UNIX_EPOCH
                        + std::time::Duration::from_nanos(t.unix_timestamp_nanos().max(0) as u64);
                    self.clock.set(to);
                }
                Err(e) => return Verdict::Fail(format!("clock {at:?}: {e}")),
            }
        }
        Verdict::Pass
    }

    fn check_stub(&self, want: &super::model::StubExpect, state: &State) -> Verdict {
        let Some(stub) = self.stub.get() else {
            return Verdict::Skip("no in-process stub (--autopilot-addr is set)".into());
        };
        let calls: Vec<Value> = stub
            .journal()
            .iter()
            .map(|e| e.to_json())
            .filter(|e| e.get("rpc").and_then(Value::as_str) == Some(want.rpc.as_str()))
            .collect();
        if let Some(count) = want.count {
            if calls.len() != count {
                return Verdict::Fail(format!(
                    "expected the stub to have received {count} {} call(s), got {}",
                    want.rpc,
                    calls.len()
                ));
            }
        }
        if let Some(m) = &want.last_request {
            let Some(last) = calls.last() else {
                return Verdict::Fail(format!("the stub received no {} call", want.rpc));
            };
            let m = match matcher::substitute(m, &state.vars, self.now()) {
                Ok(m) => m,
                Err(e) => return Verdict::Fail(e),
            };
            if let Err(e) = matcher::check(&m, last.get("request"), "request") {
                return Verdict::Fail(e);
            }
        }
        Verdict::Pass
    }

    /// Why `call` does not meet `step`, if it does not.
    fn mismatch(
        &self,
        step: &Step,
        call: &ObservedCall,
        vars: &BTreeMap<String, Value>,
    ) -> Option<String> {
        match step.credentials.as_ref() {
            Some(Credentials::Named(n)) if n == "none" => {
                let refused = call.auth.as_ref().err().map(|e| e.message.as_str());
                if refused != Some("expected 1 macaroon, got 0") {
                    return Some("expected the call without a macaroon".into());
                }
            }
            None | Some(Credentials::Named(_)) => {
                if let Err(e) = &call.auth {
                    return Some(format!("the client's macaroon was refused: {e}"));
                }
            }
            // Other credentials are for `check`; any macaroon will do here.
            Some(_) => {}
        }
        let want = step.request.as_ref()?;
        let want = match matcher::substitute(want, vars, self.now()) {
            Ok(w) => w,
            Err(e) => return Some(e),
        };
        matcher::check(&want, Some(&call.request), "request").err()
    }
}

fn missing(step: &Step) -> String {
    match step.call {
        Some(rpc) => format!("missing: the client never sent {}", rpc.name()),
        None => "not reached".to_string(),
    }
}

fn scripted(respond: &Value) -> Option<Scripted> {
    if let Some(response) = respond.get("response") {
        return Some(Scripted::Response(response.clone()));
    }
    let code = match respond.get("code") {
        Some(Value::String(s)) => code_by_name(s).unwrap_or(2),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(2) as i32,
        _ => 2,
    };
    let message = respond
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Some(Scripted::Error {
        code: Code::from_i32(code),
        message,
    })
}

impl CallObserver for ClientCheck {
    fn before(&self, call: &ObservedCall) -> Option<Scripted> {
        let mut state = self.lock();
        state.transport = Some(call.transport);
        let at = state.next;
        let Some(step) = self.scenario.steps.get(at) else {
            state.problems.push((
                at,
                format!(
                    "unexpected {} {} after the scenario's last step",
                    call.transport,
                    call.rpc.name()
                ),
            ));
            return None;
        };
        let expected = step.call.unwrap_or(Rpc::ListAutopilotFeatures);
        let transport_ok = step.transport.is_none_or(|t| t == call.transport);
        if expected != call.rpc || !transport_ok {
            let want = match step.transport {
                Some(t) => format!("{t} {}", expected.name()),
                None => expected.name().to_string(),
            };
            state.problems.push((
                at,
                format!(
                    "unexpected {} {}: expected {want}",
                    call.transport,
                    call.rpc.name()
                ),
            ));
            return None;
        }
        // The right call: this step is decided by it.
        if let Some(why) = self.mismatch(step, call, &state.vars) {
            state.fail(at, why);
        }
        state.pending = Some(at);
        step.respond.as_ref().and_then(scripted)
    }

    fn after(&self, _call: &ObservedCall, result: &Result<Value, AutopilotError>) {
        let mut state = self.lock();
        let Some(at) = state.pending.take() else {
            return;
        };
        let step = &self.scenario.steps[at];
        if state.verdicts[at].is_none() {
            let verdict = match (&step.expect, result) {
                (None, _) => Verdict::Pass,
                (Some(expect), result) => judge_answer(expect, result, &state.vars, self.now()),
            };
            match verdict {
                Verdict::Fail(why) => state.fail(at, why),
                other => state.verdicts[at] = Some(other),
            }
        }
        if let Ok(response) = result {
            for (name, path) in &step.capture {
                if let Some(v) = matcher::lookup(response, path) {
                    state.vars.insert(name.clone(), v.clone());
                }
            }
        }
        state.next = at + 1;
        self.advance_passive(&mut state);
    }

    fn report(&self) -> Option<Value> {
        let mut line = self.verdict_line();
        if let Some(obj) = line.as_object_mut() {
            // Before the client is done, unmet steps are pending, not failed.
            obj.insert("finished".into(), Value::Bool(*self.done.borrow()));
            obj.insert("report".into(), report::json(&[self.scenario_report()]));
        }
        Some(line)
    }

    fn malformed(&self, transport: Transport, rpc: Rpc, error: &str) {
        let mut state = self.lock();
        let at = state.next;
        state.problems.push((
            at,
            format!("malformed {transport} {} request: {error}", rpc.name()),
        ));
    }
}

/// Whether the answer the client got is what the step expected.
fn judge_answer(
    expect: &super::model::Expect,
    result: &Result<Value, AutopilotError>,
    vars: &BTreeMap<String, Value>,
    now: i64,
) -> Verdict {
    let (code, message) = match result {
        Ok(_) => (0, String::new()),
        Err(e) => (e.code as i32, e.message.clone()),
    };
    let want = match &expect.code {
        None => 0,
        Some(Value::String(s)) => code_by_name(s).unwrap_or(-1),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1) as i32,
        Some(_) => -1,
    };
    if want != code {
        return Verdict::Fail(format!(
            "the client got {} ({message:?}); the step expected {}",
            code_name(code),
            code_name(want)
        ));
    }
    if let (Some(m), Ok(response)) = (&expect.response, result) {
        match matcher::substitute(m, vars, now) {
            Ok(m) => {
                if let Err(e) = matcher::check(&m, Some(response), "") {
                    return Verdict::Fail(e);
                }
            }
            Err(e) => return Verdict::Fail(e),
        }
    }
    Verdict::Pass
}

#[cfg(test)]
#[path = "client_mode_tests.rs"]
mod tests;
