//! A call step: the request sent over the scenario's transport with the
//! step's credentials, and its outcome checked against `expect`.

use serde_json::{json, Value};

use super::super::matcher;
use super::super::model::{Credentials, Expect, Rpc, Step};
use super::super::target::{code_by_name, code_name, Outcome};
use super::{Answer, Observed, Run, Verdict};
use crate::auth;

impl Run<'_> {
    pub(super) async fn call(&mut self, step: &Step, rpc: Rpc) -> Result<Verdict, String> {
        let request = match &step.request {
            Some(r) => self.subst(r)?,
            None => json!({}),
        };
        let macaroons = match self.macaroons(step.credentials.as_ref()) {
            Ok(m) => m,
            Err(skip) => return Ok(skip),
        };
        let outcome = self
            .target
            .call_authorized(
                self.transport,
                rpc,
                &request,
                &macaroons,
                step.authorization.as_deref(),
            )
            .await?;
        let expect = step.expect.clone().unwrap_or_default();
        let judged = self.check_outcome(&expect, &outcome);
        // Captures are taken even when the step failed (a later step may
        // still run), but a missing one is only the verdict of a held step.
        if let Some(response) = &outcome.response {
            for (name, path) in &step.capture {
                match matcher::lookup(response, path) {
                    Some(v) => {
                        self.vars.insert(name.clone(), v.clone());
                    }
                    None if judged.is_ok() => {
                        return Err(format!("capture {name}: nothing at {path}"));
                    }
                    None => {}
                }
            }
        }
        self.observed.push(Observed {
            step: self.step_index,
            request,
            answer: Answer::Call(outcome),
        });
        if let Err(e) = judged {
            return Ok(Verdict::Fail(e));
        }
        Ok(Verdict::Pass)
    }

    fn check_outcome(&self, expect: &Expect, got: &Outcome) -> Result<(), String> {
        let want_code = match &expect.code {
            None => 0,
            Some(Value::Number(n)) => n.as_i64().unwrap_or(-1) as i32,
            Some(Value::String(s)) => code_by_name(s).ok_or(format!("unknown code name {s:?}"))?,
            Some(other) => return Err(format!("bad expected code {other}")),
        };
        if want_code != got.code {
            let http = got
                .http_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default();
            return Err(format!(
                "expected {}, got {}{http}: {:?}",
                code_name(want_code),
                code_name(got.code),
                got.message
            ));
        }
        if let (Some(status), 0) = (got.http_status, got.code) {
            if status != 200 {
                return Err(format!("expected HTTP 200, got {status}"));
            }
        }
        if let Some(want) = &expect.message {
            let want = match self.subst(want)? {
                Value::String(s) => json!({"$exact": s}),
                other => other,
            };
            matcher::check(&want, Some(&Value::String(got.message.clone())), "message")?;
        }
        if let Some(want) = &expect.response {
            matcher::check(&self.subst(want)?, got.response.as_ref(), "")?;
        }
        Ok(())
    }

    /// The macaroon header values a step sends; a skip if they cannot be made.
    fn macaroons(&self, creds: Option<&Credentials>) -> Result<Vec<String>, Verdict> {
        let lit = &self.target.macaroon;
        let need_key = || {
            self.powers
                .root_key
                .map(auth::Authenticator::new)
                .ok_or_else(|| {
                    Verdict::Skip(
                        "these credentials need the target's root key (--root-key)".into(),
                    )
                })
        };
        Ok(match creds {
            None => vec![hex::encode(lit)],
            Some(Credentials::Named(n)) => match n.as_str() {
                "none" => vec![],
                "twice" => vec![hex::encode(lit), hex::encode(lit)],
                "tampered" => vec![hex::encode(auth::tamper_signature(lit))],
                "read-only" => vec![hex::encode(need_key()?.bake_read_only())],
                _ => vec![hex::encode(lit)],
            },
            Some(Credentials::Caveats { caveats }) => {
                let mut mac = lit.clone();
                for c in caveats {
                    let c = match matcher::substitute_str(c, &self.vars, self.now()) {
                        Ok(Value::String(s)) => s,
                        Ok(other) => other.to_string(),
                        Err(e) => return Err(Verdict::Fail(e)),
                    };
                    mac = auth::add_first_party_caveat(&mac, &c)
                        .map_err(|e| Verdict::Fail(format!("adding caveat {c:?}: {e}")))?;
                }
                vec![hex::encode(mac)]
            }
            Some(Credentials::Uri { uri }) => {
                let methods: Vec<&str> = uri.iter().map(String::as_str).collect();
                vec![hex::encode(need_key()?.bake_uri(&methods))]
            }
            // `${capture}` works here too (e.g. a baked super macaroon).
            Some(Credentials::Hex { hex }) => {
                match matcher::substitute_str(hex, &self.vars, self.now()) {
                    Ok(Value::String(s)) => vec![s],
                    Ok(other) => vec![other.to_string()],
                    Err(e) => return Err(Verdict::Fail(e)),
                }
            }
        })
    }
}
