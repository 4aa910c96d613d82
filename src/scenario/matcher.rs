//! Matching responses against a scenario's expectations, captures, and
//! `${...}` substitution.
//!
//! A matcher tree is JSON: objects match partially (every expected key must
//! match, extra keys are fine), arrays match element-wise with equal
//! length, scalars match exactly. An object whose only key starts with `$`
//! is an operator: `$shape`, `$absent`, `$present`, `$any`, `$prefix`,
//! `$regex`, `$len`, `$contains`, `$exact`, `$bytes` (the same bytes, as
//! hex or base64 on either side), and the numeric comparisons
//! `$gt`, `$ge`, `$lt`, `$le` (numbers or decimal strings, as uint64 values
//! travel in JSON).

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::Value;

/// Shapes `$shape` knows.
pub(crate) const SHAPES: &[&str] = &[
    "bytes4",
    "bytes14",
    "bytes33",
    "pubkey33",
    "empty",
    "mnemonic10",
    "u64",
    "non-empty",
];

/// Checks `actual` against `expected`; on a mismatch, says where and how.
pub(crate) fn check(expected: &Value, actual: Option<&Value>, path: &str) -> Result<(), String> {
    if let Some((op, arg)) = operator(expected) {
        return check_operator(op, arg, actual, path);
    }
    let Some(actual) = actual else {
        return Err(format!(
            "{}: expected {expected}, but it is absent",
            show(path)
        ));
    };
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, want) in want {
                check(want, got.get(key), &join(path, key))?;
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Err(format!(
                    "{}: expected {} elements, got {}: {}",
                    show(path),
                    want.len(),
                    got.len(),
                    abbreviate(actual)
                ));
            }
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                check(w, Some(g), &join(path, &i.to_string()))?;
            }
            Ok(())
        }
        (want, got) if want == got => Ok(()),
        (want, got) => Err(format!(
            "{}: expected {want}, got {}",
            show(path),
            abbreviate(got)
        )),
    }
}

fn operator(v: &Value) -> Option<(&str, &Value)> {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next()?;
            k.starts_with('$').then_some((k.as_str(), v))
        }
        _ => None,
    }
}

fn check_operator(op: &str, arg: &Value, actual: Option<&Value>, path: &str) -> Result<(), String> {
    let at = show(path);
    match op {
        "$absent" => match actual {
            None | Some(Value::Null) => Ok(()),
            Some(v) => Err(format!("{at}: expected absent, got {}", abbreviate(v))),
        },
        "$present" | "$any" => match actual {
            Some(_) => Ok(()),
            None => Err(format!("{at}: expected a value, but it is absent")),
        },
        _ => {
            let Some(actual) = actual else {
                return Err(format!("{at}: expected {op} {arg}, but it is absent"));
            };
            match op {
                "$exact" if arg == actual => Ok(()),
                "$exact" => Err(format!(
                    "{at}: expected exactly {arg}, got {}",
                    abbreviate(actual)
                )),
                "$prefix" => text_op(arg, actual, &at, "to start with", |a, p| a.starts_with(p)),
                "$regex" => {
                    let pattern = arg.as_str().ok_or(format!("{at}: $regex needs a string"))?;
                    let re = regex::Regex::new(pattern)
                        .map_err(|e| format!("{at}: bad $regex {pattern:?}: {e}"))?;
                    text_op(arg, actual, &at, "to match", |a, _| re.is_match(a))
                }
                "$len" => {
                    let want = arg.as_u64().ok_or(format!("{at}: $len needs a number"))?;
                    let got = match actual {
                        Value::Array(a) => a.len(),
                        Value::Object(o) => o.len(),
                        Value::String(s) => s.chars().count(),
                        other => return Err(format!("{at}: $len of {}", abbreviate(other))),
                    };
                    if got as u64 == want {
                        Ok(())
                    } else {
                        Err(format!("{at}: expected length {want}, got {got}"))
                    }
                }
                "$contains" => match actual {
                    Value::Array(items)
                        if items.iter().any(|i| check(arg, Some(i), "").is_ok()) =>
                    {
                        Ok(())
                    }
                    Value::Array(_) => Err(format!(
                        "{at}: no element matches {arg}; got {}",
                        abbreviate(actual)
                    )),
                    other => Err(format!("{at}: expected a list, got {}", abbreviate(other))),
                },
                "$gt" | "$ge" | "$lt" | "$le" => {
                    let (Some(got), Some(bound)) = (as_number(actual), as_number(arg)) else {
                        return Err(format!(
                            "{at}: {op} compares numbers; got {} against {arg}",
                            abbreviate(actual)
                        ));
                    };
                    let ok = match op {
                        "$gt" => got > bound,
                        "$ge" => got >= bound,
                        "$lt" => got < bound,
                        _ => got <= bound,
                    };
                    if ok {
                        Ok(())
                    } else {
                        Err(format!("{at}: expected {op} {bound}, got {got}"))
                    }
                }
                "$bytes" => {
                    let want = arg.as_str().map(decodings).unwrap_or_default();
                    let got = actual.as_str().map(decodings).unwrap_or_default();
                    if want.is_empty() {
                        return Err(format!("{at}: $bytes needs hex or base64, got {arg}"));
                    }
                    // A text such as "AAEC" is both hex and base64: any
                    // reading of one side that equals a reading of the other.
                    if want.iter().any(|w| got.contains(w)) {
                        Ok(())
                    } else {
                        Err(format!(
                            "{at}: expected the bytes of {arg}, got {}",
                            abbreviate(actual)
                        ))
                    }
                }
                "$shape" => {
                    let shape = arg.as_str().unwrap_or_default();
                    if has_shape(shape, actual)? {
                        Ok(())
                    } else {
                        Err(format!(
                            "{at}: expected {shape}, got {}",
                            abbreviate(actual)
                        ))
                    }
                }
                other => Err(format!("{at}: unknown matcher {other}")),
            }
        }
    }
}

/// Every reading of a text as bytes: as hex and as base64.
fn decodings(s: &str) -> Vec<Vec<u8>> {
    hex::decode(s)
        .ok()
        .into_iter()
        .chain(super::target::decode_any_base64(s))
        .collect()
}

/// A JSON number or a decimal string (uint64 values are strings in litd's JSON).
fn as_number(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text_op(
    arg: &Value,
    actual: &Value,
    at: &str,
    verb: &str,
    ok: impl Fn(&str, &str) -> bool,
) -> Result<(), String> {
    let want = arg.as_str().unwrap_or_default();
    match actual.as_str() {
        Some(got) if ok(got, want) => Ok(()),
        _ => Err(format!(
            "{at}: expected {} {verb} {want:?}",
            abbreviate(actual)
        )),
    }
}

fn has_shape(shape: &str, v: &Value) -> Result<bool, String> {
    let bytes = || {
        v.as_str()
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
    };
    Ok(match shape {
        "bytes4" => bytes().is_some_and(|b| b.len() == 4),
        "bytes14" => bytes().is_some_and(|b| b.len() == 14),
        "bytes33" => bytes().is_some_and(|b| b.len() == 33),
        "pubkey33" => bytes()
            .is_some_and(|b| crate::domain::keys::parse_public_key(&b).is_ok() && b.len() == 33),
        "empty" => matches!(v, Value::String(s) if s.is_empty()),
        "mnemonic10" => v.as_str().is_some_and(|s| {
            let list = bip39::Language::English.word_list();
            let words: Vec<&str> = s.split(' ').collect();
            words.len() == 10 && words.iter().all(|w| list.contains(w))
        }),
        "u64" => v.as_str().is_some_and(|s| s.parse::<u64>().is_ok()),
        "non-empty" => match v {
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::Null => false,
            _ => true,
        },
        other => {
            return Err(format!(
                "unknown shape {other:?} (known: {})",
                SHAPES.join(", ")
            ))
        }
    })
}

/// The value at a dot path (`sessions.0.local_public_key`).
pub(crate) fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .filter(|p| !p.is_empty())
        .try_fold(v, |v, part| match v {
            Value::Object(m) => m.get(part),
            Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        })
}

/// Replaces `${name}` with captured values and `${now}`, `${now+N}`,
/// `${now-N}` with unix seconds (as decimal strings). A string that is
/// exactly `${name}` becomes the captured JSON value itself.
pub(crate) fn substitute(
    v: &Value,
    vars: &BTreeMap<String, Value>,
    now: i64,
) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => substitute_str(s, vars, now)?,
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|e| substitute(e, vars, now))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, e)| Ok((k.clone(), substitute(e, vars, now)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

pub(crate) fn substitute_str(
    s: &str,
    vars: &BTreeMap<String, Value>,
    now: i64,
) -> Result<Value, String> {
    if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        if !name.contains("${") {
            return resolve(name, vars, now);
        }
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or(format!("unclosed ${{ in {s:?}"))?;
        match resolve(&after[..end], vars, now)? {
            Value::String(text) => out.push_str(&text),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

fn resolve(name: &str, vars: &BTreeMap<String, Value>, now: i64) -> Result<Value, String> {
    if let Some(offset) = name.strip_prefix("now") {
        let delta = match offset.chars().next() {
            None => 0,
            Some('+') => offset[1..]
                .parse::<i64>()
                .map_err(|e| format!("${{{name}}}: {e}"))?,
            Some('-') => -offset[1..]
                .parse::<i64>()
                .map_err(|e| format!("${{{name}}}: {e}"))?,
            Some(_) => return Err(format!("unknown variable ${{{name}}}")),
        };
        return Ok(Value::String(now.saturating_add(delta).to_string()));
    }
    vars.get(name)
        .cloned()
        .ok_or_else(|| format!("${{{name}}} was never captured"))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn show(path: &str) -> String {
    if path.is_empty() {
        "response".to_string()
    } else {
        path.to_string()
    }
}

/// A value's JSON, cut short for messages.
pub(crate) fn abbreviate(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 160 {
        let cut: String = text.chars().take(157).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
