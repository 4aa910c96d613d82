//! Two servers' answers to the same call, compared after the same
//! normalisation: each difference is named by its kind (what differs, where)
//! so differences of one kind group together.

use serde_json::Value;

use super::normalise::{normalise, normalise_message};
use crate::scenario::matcher::abbreviate;
use crate::scenario::target::code_name;

/// What one server answered, in the form both transports share.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Answer {
    /// `OK`, a gRPC code name, or for what has no code: `reset`, `timeout`,
    /// `no_status`, `http-<status>`.
    pub(crate) code: String,
    pub(crate) message: String,
    /// The response (litd's REST JSON), when there is one.
    pub(crate) response: Option<Value>,
    /// The HTTP status, over REST and raw HTTP steps.
    pub(crate) http_status: Option<u16>,
}

impl Answer {
    pub(crate) fn from_code(code: i32) -> String {
        code_name(code)
    }
}

/// One difference between the two answers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Difference {
    /// What differs, without the call: `code`, `message`, `http status`,
    /// `response features.X.rules` (list indices as `*`).
    pub(crate) aspect: String,
    /// The exact place (`response sessions.0.label`) and both sides.
    pub(crate) detail: String,
}

/// Every difference between `reference` and `candidate`, after normalising
/// both. An empty list: the servers agree.
pub(crate) fn differences(reference: &Answer, candidate: &Answer) -> Vec<Difference> {
    let mut out = Vec::new();
    if reference.code != candidate.code {
        out.push(Difference {
            aspect: format!("code {} vs {}", reference.code, candidate.code),
            detail: format!(
                "reference {} {:?}, candidate {} {:?}",
                reference.code, reference.message, candidate.code, candidate.message
            ),
        });
        return out;
    }
    if reference.http_status != candidate.http_status {
        out.push(Difference {
            aspect: "http status".into(),
            detail: format!(
                "reference HTTP {}, candidate HTTP {}",
                show_status(reference.http_status),
                show_status(candidate.http_status)
            ),
        });
    }
    let (rm, cm) = (
        normalise_message(&reference.message),
        normalise_message(&candidate.message),
    );
    if rm != cm {
        out.push(Difference {
            aspect: "message".into(),
            detail: format!(
                "reference {:?}, candidate {:?}",
                reference.message, candidate.message
            ),
        });
    }
    match (&reference.response, &candidate.response) {
        (Some(r), Some(c)) => json_differences(&normalise(r), &normalise(c), "", &mut out),
        (None, None) => {}
        (r, c) => out.push(Difference {
            aspect: "response".into(),
            detail: format!(
                "reference {}, candidate {}",
                r.as_ref().map_or("none".into(), abbreviate),
                c.as_ref().map_or("none".into(), abbreviate)
            ),
        }),
    }
    out
}

fn show_status(s: Option<u16>) -> String {
    s.map_or_else(|| "none".into(), |s| s.to_string())
}

/// Walks both trees; a difference per place where they part.
fn json_differences(r: &Value, c: &Value, path: &str, out: &mut Vec<Difference>) {
    let here = |kind: &str| {
        let shown = if path.is_empty() { "response" } else { path };
        let generic = generic_path(path);
        let aspect = if generic.is_empty() {
            format!("response {kind}")
        } else {
            format!("response {generic} {kind}")
        };
        (aspect, shown.to_string())
    };
    match (r, c) {
        (Value::Object(rm), Value::Object(cm)) => {
            for (k, rv) in rm {
                let sub = join(path, k);
                match cm.get(k) {
                    Some(cv) => json_differences(rv, cv, &sub, out),
                    None => out.push(Difference {
                        aspect: format!(
                            "response {} missing from the candidate",
                            generic_path(&sub)
                        ),
                        detail: format!("{sub}: reference {}, candidate absent", abbreviate(rv)),
                    }),
                }
            }
            for (k, cv) in cm {
                if !rm.contains_key(k) {
                    let sub = join(path, k);
                    out.push(Difference {
                        aspect: format!("response {} only in the candidate", generic_path(&sub)),
                        detail: format!("{sub}: reference absent, candidate {}", abbreviate(cv)),
                    });
                }
            }
        }
        (Value::Array(ra), Value::Array(ca)) if ra.len() != ca.len() => {
            let (aspect, shown) = here("length");
            out.push(Difference {
                aspect,
                detail: format!(
                    "{shown}: reference {} elements, candidate {}",
                    ra.len(),
                    ca.len()
                ),
            });
        }
        (Value::Array(ra), Value::Array(ca)) => {
            for (i, (rv, cv)) in ra.iter().zip(ca).enumerate() {
                json_differences(rv, cv, &join(path, &i.to_string()), out);
            }
        }
        (rv, cv) if rv == cv => {}
        (rv, cv) => {
            let (aspect, shown) = here("value");
            out.push(Difference {
                aspect,
                detail: format!(
                    "{shown}: reference {}, candidate {}",
                    abbreviate(rv),
                    abbreviate(cv)
                ),
            });
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A path with its list indices as `*` (`sessions.*.label`).
fn generic_path(path: &str) -> String {
    path.split('.')
        .map(|p| if p.parse::<usize>().is_ok() { "*" } else { p })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(response: Value) -> Answer {
        Answer {
            code: "OK".into(),
            message: String::new(),
            response: Some(response),
            http_status: None,
        }
    }

    #[test]
    fn equal_after_normalising_is_no_difference() {
        let r = ok(json!({"session": {"id": "AQIDBA==", "label": "a"}}));
        let c = ok(json!({"session": {"id": "BQYHCA==", "label": "a"}}));
        assert_eq!(differences(&r, &c), vec![]);
    }

    #[test]
    fn differences_are_named_by_kind_and_place() {
        let r = ok(
            json!({"features": {"HealthCheck": {"name": "HealthCheck"}, "AutoFees": {}},
            "sessions": [{"label": "a"}, {"label": "b"}]}),
        );
        let c = ok(json!({"features": {"HealthCheck": {"name": "Health"}},
            "sessions": [{"label": "a"}, {"label": "c"}]}));
        let d = differences(&r, &c);
        let aspects: Vec<&str> = d.iter().map(|d| d.aspect.as_str()).collect();
        assert_eq!(
            aspects,
            [
                "response features.HealthCheck.name value",
                "response features.AutoFees missing from the candidate",
                "response sessions.*.label value",
            ]
        );
        assert_eq!(
            d[2].detail,
            "sessions.1.label: reference \"b\", candidate \"c\""
        );
    }

    #[test]
    fn a_code_difference_says_both_codes_and_messages() {
        let r = Answer {
            code: "Unknown".into(),
            message: "must include at least one feature".into(),
            response: None,
            http_status: Some(500),
        };
        let c = Answer {
            code: "InvalidArgument".into(),
            message: "features must not be empty".into(),
            response: None,
            http_status: Some(400),
        };
        let d = differences(&r, &c);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].aspect, "code Unknown vs InvalidArgument");
        let mut c2 = r.clone();
        c2.message = "other".into();
        assert_eq!(differences(&r, &c2)[0].aspect, "message");
    }
}
