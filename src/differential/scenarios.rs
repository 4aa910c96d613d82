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
    pub target: &'a Target,
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
        let reference = r.map_or_else(|| not_sent(&r_report, i), answer);
        let candidate = c.map_or_else(|| not_sent(&c_report, i), answer);
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

/// A step that reached one server but not the other (its request could not
/// be made there, e.g. a capture the earlier step did not give).
fn not_sent(report: &ScenarioReport, step: usize) -> Answer {
    let why = report
        .steps
        .iter()
        .filter(|s| s.step.starts_with(&format!("#{} ", step + 1)))
        .find_map(|s| match &s.verdict {
            Verdict::Fail(why) | Verdict::Skip(why) => Some(why.clone()),
            Verdict::Pass => None,
        })
        .unwrap_or_default();
    Answer {
        code: "not sent".into(),
        message: why,
        response: None,
        http_status: None,
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
