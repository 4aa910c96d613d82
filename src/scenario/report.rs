//! Scenario results for people (text), for CI (JUnit XML) and for tools
//! (JSON).

use std::fmt::Write;

use super::runner::{ScenarioReport, Verdict};

/// Totals over every report.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub(crate) passed: usize,
    /// Steps that failed (any makes `check` exit 1).
    pub failed: usize,
    pub(crate) skipped: usize,
}

/// Counts the steps passed, failed and skipped over every report.
pub fn totals(reports: &[ScenarioReport]) -> Totals {
    let mut t = Totals::default();
    for step in reports.iter().flat_map(|r| &r.steps) {
        match step.verdict {
            Verdict::Pass => t.passed += 1,
            Verdict::Fail(_) => t.failed += 1,
            Verdict::Skip(_) => t.skipped += 1,
        }
    }
    t
}

/// One block per scenario and transport; failures show expected vs actual.
pub fn text(reports: &[ScenarioReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let mark = if r.failed() == 0 { "ok  " } else { "FAIL" };
        let _ = writeln!(out, "{mark} {} [{}] ({})", r.scenario, r.transport, r.file);
        for s in &r.steps {
            match &s.verdict {
                Verdict::Pass => {}
                Verdict::Fail(why) => {
                    let _ = writeln!(out, "     FAIL {}: {why}", s.step);
                }
                Verdict::Skip(why) => {
                    let _ = writeln!(out, "     skip {}: {why}", s.step);
                }
            }
        }
    }
    let t = totals(reports);
    let _ = writeln!(
        out,
        "steps: {} passed, {} failed, {} skipped",
        t.passed, t.failed, t.skipped
    );
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a test suite per scenario and transport, a test case per step.
pub fn junit(reports: &[ScenarioReport]) -> String {
    let t = totals(reports);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"autopilot-mock\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        t.passed + t.failed + t.skipped,
        t.failed,
        t.skipped
    );
    for r in reports {
        let suite = totals(std::slice::from_ref(r));
        let _ = writeln!(
            out,
            "  <testsuite name=\"{} [{}]\" file=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            xml_escape(&r.scenario),
            r.transport,
            xml_escape(&r.file),
            r.steps.len(),
            suite.failed,
            suite.skipped
        );
        for s in &r.steps {
            let secs = s.millis as f64 / 1000.0;
            let name = xml_escape(&s.step);
            let class = xml_escape(&format!("{}.{}", r.scenario, r.transport));
            match &s.verdict {
                Verdict::Pass => {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{name}\" classname=\"{class}\" time=\"{secs:.3}\"/>"
                    );
                }
                Verdict::Fail(why) => {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{name}\" classname=\"{class}\" time=\"{secs:.3}\"><failure message=\"{}\"/></testcase>",
                        xml_escape(why)
                    );
                }
                Verdict::Skip(why) => {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{name}\" classname=\"{class}\" time=\"{secs:.3}\"><skipped message=\"{}\"/></testcase>",
                        xml_escape(why)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The JSON report: totals and every step.
pub fn json(reports: &[ScenarioReport]) -> serde_json::Value {
    serde_json::json!({
        "totals": totals(reports),
        "scenarios": reports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::Transport;
    use crate::scenario::runner::StepReport;

    fn report() -> ScenarioReport {
        ScenarioReport {
            scenario: "s<1>".into(),
            file: "f.json".into(),
            transport: Transport::Grpc,
            steps: vec![
                StepReport {
                    step: "#1 a".into(),
                    verdict: Verdict::Pass,
                    millis: 3,
                },
                StepReport {
                    step: "#2 b".into(),
                    verdict: Verdict::Fail("expected \"x\" & y".into()),
                    millis: 1,
                },
                StepReport {
                    step: "#3 c".into(),
                    verdict: Verdict::Skip("rest only".into()),
                    millis: 0,
                },
            ],
        }
    }

    #[test]
    fn text_names_the_failing_step() {
        let t = text(&[report()]);
        assert!(t.contains("FAIL s<1> [grpc] (f.json)"), "{t}");
        assert!(t.contains("FAIL #2 b: expected \"x\" & y"), "{t}");
        assert!(t.ends_with("steps: 1 passed, 1 failed, 1 skipped\n"), "{t}");
    }

    #[test]
    fn junit_is_escaped_and_counts() {
        let x = junit(&[report()]);
        assert!(
            x.contains("tests=\"3\" failures=\"1\" skipped=\"1\""),
            "{x}"
        );
        assert!(
            x.contains("<failure message=\"expected &quot;x&quot; &amp; y\"/>"),
            "{x}"
        );
        assert!(x.contains("name=\"s&lt;1&gt; [grpc]\""), "{x}");
    }

    #[test]
    fn json_has_totals() {
        let j = json(&[report()]);
        assert_eq!(j["totals"]["failed"], 1);
        assert_eq!(j["scenarios"][0]["steps"][1]["status"], "fail");
    }
}
