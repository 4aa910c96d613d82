//! `diff` over scenarios: the scenario runner runs each scenario on both
//! servers (each with its own captures, credentials and admin powers), and
//! every call and raw HTTP step it made is compared step by step. The
//! scenario's own expectations do not matter here: only whether the two
//! servers answered alike.

use std::collections::BTreeMap;

use serde_json::Value;

use super::compare::{differences, Answer};
use super::report::Compared;
use crate::rpc::Transport;
use crate::scenario::runner::{self, Observed, Powers, ScenarioReport, Verdict};
use crate::scenario::target::{code_name, Target};
use crate::scenario::Scenario;

/// One server of the pair.
pub struct Side<'a> {
    /// Where its calls go.
    pub target: &'a Target,
    /// What the harness may do to it (admin API, root key, stub script).
    pub powers: Powers<'a>,
}

/// Runs `scenario` over `transport` on both sides and compares each step's
/// answers.
pub async fn diff_scenario(
    scenario: &Scenario,
    file: &str,
    transport: Transport,
    reference: &Side<'_>,
    candidate: &Side<'_>,
) -> Vec<Compared> {
    let (r_report, r_seen) = runner::run_observed(
        scenario,
        file,
        transport,
        reference.target,
        &reference.powers,
    )
    .await;
    let (c_report, c_seen) = runner::run_observed(
        scenario,
        file,
        transport,
        candidate.target,
        &candidate.powers,
    )
    .await;
    // A scenario one server cannot run (its setup needs the mock's admin
    // API, which litd has not) says nothing about how the two differ.
    if skipped_setup(&r_report) || skipped_setup(&c_report) {
        tracing::info!(
            "{file} [{transport}]: not compared (its setup needs powers a server lacks)"
        );
        return Vec::new();
    }
    let r_by_step = by_step(r_seen);
    let c_by_step = by_step(c_seen);
    let mut steps: Vec<usize> = r_by_step.keys().chain(c_by_step.keys()).copied().collect();
    steps.sort_unstable();
    steps.dedup();
    let mut out = Vec::new();
    for i in steps {
        let Some(step) = scenario.steps.get(i) else {
            continue;
        };
        let r = r_by_step.get(&i);
        let c = c_by_step.get(&i);
        let request = r.or(c).map(|o| o.request.clone()).unwrap_or(Value::Null);
        let (reference, candidate) = match (r, c) {
            (Some(r), Some(c)) => (answer(r), answer(c)),
            // Skipped on one side (credentials that need its root key):
            // not comparable. Failed before sending: a difference.
            (Some(r), None) => match not_sent(&c_report, i) {
                Some(c) => (answer(r), c),
                None => continue,
            },
            (None, Some(c)) => match not_sent(&r_report, i) {
                Some(r) => (r, answer(c)),
                None => continue,
            },
            (None, None) => continue,
        };
        let call = match (step.call, &step.http) {
            (Some(rpc), _) => rpc.name().to_string(),
            (None, Some(h)) => format!("{} {}", h.method, h.path),
            (None, None) => "step".to_string(),
        };
        out.push(Compared {
            source: file.to_string(),
            transport,
            call,
            label: step.label(i),
            size: request.to_string().len(),
            request,
            differences: differences(&reference, &candidate),
            reference,
            candidate,
        });
    }
    out
}

fn by_step(seen: Vec<Observed>) -> BTreeMap<usize, Observed> {
    seen.into_iter().map(|o| (o.step, o)).collect()
}

fn skipped_setup(report: &ScenarioReport) -> bool {
    report
        .steps
        .first()
        .is_some_and(|s| s.step == "setup" && matches!(s.verdict, Verdict::Skip(_)))
}

/// A step that reached one server but not the other because its request
/// could not be made there (a capture the earlier step did not give); `None`
/// when it was skipped there (a power that server lacks).
fn not_sent(report: &ScenarioReport, step: usize) -> Option<Answer> {
    let verdict = report
        .steps
        .iter()
        .find(|s| s.step.starts_with(&format!("#{} ", step + 1)))
        .map(|s| &s.verdict)?;
    match verdict {
        Verdict::Fail(why) => Some(Answer {
            code: "not sent".into(),
            message: why.clone(),
            response: None,
            http_status: None,
        }),
        Verdict::Skip(_) | Verdict::Pass => None,
    }
}

fn answer(o: &Observed) -> Answer {
    match &o.answer {
        runner::Answer::Call(outcome) => Answer {
            code: code_name(outcome.code),
            message: outcome.message.clone(),
            response: outcome.response.clone(),
            http_status: outcome.http_status,
        },
        runner::Answer::Http { status, body } => Answer {
            code: format!("http-{status}"),
            message: String::new(),
            response: Some(body.clone()),
            http_status: Some(*status),
        },
    }
}
