//! `diff`'s results: every compared call, its differences grouped by kind
//! (the call and what differs) with the smallest request showing each; as
//! text for people, JSON for tools, and JUnit XML (through the scenario
//! harness's writer) for CI.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{json, Value};

use super::compare::{Answer, Difference};
use crate::rpc::Transport;
use crate::scenario::matcher::abbreviate;
use crate::scenario::runner::{ScenarioReport, StepReport, Verdict};

/// One call sent to both servers, and how their answers compared.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Compared {
    /// Where the call came from: a scenario file, or `generated (seed S)`.
    pub(crate) source: String,
    pub(crate) transport: Transport,
    /// The call: an RPC name, or `METHOD /path` for what is not one.
    pub(crate) call: String,
    /// The step or input it was (`#2 no features`, `iteration 17`).
    pub(crate) label: String,
    /// The request as sent (proto3 JSON, or a raw request's description).
    pub(crate) request: Value,
    /// The request's size in bytes (what "smallest" means).
    pub(crate) size: usize,
    pub(crate) reference: Answer,
    pub(crate) candidate: Answer,
    pub(crate) differences: Vec<Difference>,
}

/// The differences of one kind.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Kind {
    /// `AddAutopilotSession code Unknown vs InvalidArgument`.
    pub(crate) kind: String,
    /// How many compared calls showed it.
    pub(crate) count: usize,
    pub(crate) transports: Vec<Transport>,
    /// The smallest request showing it.
    pub(crate) smallest: Compared,
    /// That request's difference of this kind.
    pub(crate) detail: String,
}

/// Every kind of difference, in order of first appearance by name.
pub(crate) fn kinds(compared: &[Compared]) -> Vec<Kind> {
    let mut by_kind: BTreeMap<String, Kind> = BTreeMap::new();
    for c in compared {
        for d in &c.differences {
            let name = format!("{} {}", c.call, d.aspect);
            let entry = by_kind.entry(name.clone()).or_insert_with(|| Kind {
                kind: name,
                count: 0,
                transports: Vec::new(),
                smallest: c.clone(),
                detail: d.detail.clone(),
            });
            entry.count += 1;
            if !entry.transports.contains(&c.transport) {
                entry.transports.push(c.transport);
            }
            if c.size < entry.smallest.size {
                entry.smallest = c.clone();
                entry.detail = d.detail.clone();
            }
        }
    }
    by_kind.into_values().collect()
}

/// The totals line's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub(crate) calls: usize,
    pub(crate) differing_calls: usize,
    /// Distinct kinds of difference (one per RPC, field and rule).
    pub kinds: usize,
}

/// Counts the calls compared, those that differ and the kinds of difference.
pub fn totals(compared: &[Compared]) -> Totals {
    Totals {
        calls: compared.len(),
        differing_calls: compared
            .iter()
            .filter(|c| !c.differences.is_empty())
            .count(),
        kinds: kinds(compared).len(),
    }
}

fn show_answer(a: &Answer) -> String {
    let status = a
        .http_status
        .map(|s| format!(" (HTTP {s})"))
        .unwrap_or_default();
    match (&a.response, a.message.is_empty()) {
        (Some(r), true) => format!("{}{status} {}", a.code, abbreviate(r)),
        (_, _) => format!("{}{status} {:?}", a.code, a.message),
    }
}

/// One block per kind, then the totals.
pub fn text(compared: &[Compared]) -> String {
    let mut out = String::new();
    for k in kinds(compared) {
        let transports: Vec<&str> = k.transports.iter().map(|t| t.as_str()).collect();
        let s = &k.smallest;
        let _ = writeln!(
            out,
            "DIFF {} ({} call(s); {})",
            k.kind,
            k.count,
            transports.join(", ")
        );
        let _ = writeln!(
            out,
            "     smallest: {} {} [{}]: {}",
            s.source,
            s.label,
            s.transport,
            abbreviate(&s.request)
        );
        let _ = writeln!(out, "     {}", k.detail);
        let _ = writeln!(out, "     reference: {}", show_answer(&s.reference));
        let _ = writeln!(out, "     candidate: {}", show_answer(&s.candidate));
    }
    let t = totals(compared);
    if t.kinds == 0 {
        let _ = writeln!(out, "no differences in {} calls", t.calls);
    } else {
        let _ = writeln!(
            out,
            "differences: {} kind(s) in {} of {} calls",
            t.kinds, t.differing_calls, t.calls
        );
    }
    out
}

/// The JSON report: totals, how many calls of each method were compared,
/// every kind with its smallest request, and every differing call.
pub fn json(compared: &[Compared]) -> Value {
    let differing: Vec<&Compared> = compared
        .iter()
        .filter(|c| !c.differences.is_empty())
        .collect();
    let mut by_call: BTreeMap<&str, usize> = BTreeMap::new();
    for c in compared {
        *by_call.entry(c.call.as_str()).or_default() += 1;
    }
    json!({
        "totals": totals(compared),
        "calls": by_call,
        "kinds": kinds(compared),
        "differing_calls": differing,
    })
}

/// JUnit XML: a suite per source and transport, a test case per compared
/// call, failing with its differences.
pub fn junit(compared: &[Compared]) -> String {
    let mut suites: Vec<ScenarioReport> = Vec::new();
    for c in compared {
        let at = suites
            .iter()
            .position(|r| r.file == c.source && r.transport == c.transport);
        let suite = match at {
            Some(i) => &mut suites[i],
            None => {
                suites.push(ScenarioReport {
                    scenario: format!("diff {}", c.source),
                    file: c.source.clone(),
                    transport: c.transport,
                    steps: Vec::new(),
                });
                let last = suites.len() - 1;
                &mut suites[last]
            }
        };
        let verdict = if c.differences.is_empty() {
            Verdict::Pass
        } else {
            let lines: Vec<String> = c
                .differences
                .iter()
                .map(|d| format!("{}: {}", d.aspect, d.detail))
                .collect();
            Verdict::Fail(lines.join("; "))
        };
        suite.steps.push(StepReport {
            step: c.label.clone(),
            verdict,
            millis: 0,
        });
    }
    crate::scenario::report::junit(&suites)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: &str, message: &str) -> Answer {
        Answer {
            code: code.into(),
            message: message.into(),
            response: None,
            http_status: None,
        }
    }

    fn compared(label: &str, size: usize, differs: bool) -> Compared {
        let (r, c) = (answer("Unknown", "a"), answer("InvalidArgument", "b"));
        Compared {
            source: "f.json".into(),
            transport: Transport::Grpc,
            call: "AddAutopilotSession".into(),
            label: label.into(),
            request: json!({"label": label}),
            size,
            differences: if differs {
                super::super::compare::differences(&r, &c)
            } else {
                vec![]
            },
            reference: r,
            candidate: c,
        }
    }

    #[test]
    fn kinds_group_and_keep_the_smallest_request() {
        let all = [
            compared("#1", 50, true),
            compared("#2", 10, true),
            compared("#3", 5, false),
        ];
        let k = kinds(&all);
        assert_eq!(k.len(), 1);
        assert_eq!(
            k[0].kind,
            "AddAutopilotSession code Unknown vs InvalidArgument"
        );
        assert_eq!((k[0].count, k[0].smallest.label.as_str()), (2, "#2"));
        let t = text(&all);
        assert!(
            t.contains(
                "DIFF AddAutopilotSession code Unknown vs InvalidArgument (2 call(s); grpc)"
            ),
            "{t}"
        );
        assert!(
            t.ends_with("differences: 1 kind(s) in 2 of 3 calls\n"),
            "{t}"
        );
        assert_eq!(json(&all)["totals"]["kinds"], 1);
        let x = junit(&all);
        assert!(x.contains("tests=\"3\" failures=\"2\""), "{x}");
    }

    #[test]
    fn nothing_to_report_says_so() {
        assert_eq!(
            text(&[compared("#1", 1, false)]),
            "no differences in 1 calls\n"
        );
    }
}
