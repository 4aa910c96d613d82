//! Which values in an answer differ on every run (keys, secrets, IDs,
//! timestamps), and the one normalisation `diff` applies to both servers'
//! answers and `record` turns into `$shape` matchers.
//!
//! A value is per-run when its field says so (a name litd gives per-run
//! values: `id`, `*_public_key`, `pairing_secret`, `created_at`, ...) or its
//! value does (a valid compressed public key, a 10-word mnemonic). Unset
//! values (`""`, `"0"`) are never per-run: that a field is unset is a fact
//! to compare.

use base64::Engine;
use serde_json::{Map, Value};

/// Field names whose values litd draws anew on every run.
const PER_RUN_NAMES: &[&str] = &[
    "id",
    "group_id",
    "linked_group_id",
    "pairing_secret",
    "pairing_secret_mnemonic",
    "local_public_key",
    "remote_public_key",
    "created_at",
    "revoked_at",
    "expiry_timestamp_seconds",
    "mac_root_key",
    "macaroon",
    "nonce",
    "session_id",
    "account_id",
    // litrpc.Firewall's PrivacyMapConversion: a pseudo value (or the real
    // one it stands for), drawn per run.
    "output",
];

/// Endings of per-run field names (`*_pub_key`, `*_timestamp`, ...).
const PER_RUN_SUFFIXES: &[&str] = &[
    "_public_key",
    "_pub_key",
    "_at",
    "_timestamp",
    "_timestamp_seconds",
    "_secret",
    "_macaroon",
    "_id",
];

/// Whether a field with this name holds per-run values.
pub(crate) fn is_per_run_name(name: &str) -> bool {
    PER_RUN_NAMES.contains(&name) || PER_RUN_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The shape of a per-run value (a name `$shape` knows, or `non-empty`),
/// or `None` when the value is to be compared exactly. `field` is the name
/// of the field holding it (`None`: an array element or the root).
pub(crate) fn per_run_shape(field: Option<&str>, value: &Value) -> Option<&'static str> {
    let Value::String(text) = value else {
        return None;
    };
    if text.is_empty() || text == "0" {
        return None;
    }
    let by_value = value_shape(text);
    if matches!(by_value, Some("pubkey33" | "pubkey33hex" | "mnemonic10")) {
        return by_value;
    }
    if !field.is_some_and(is_per_run_name) {
        return None;
    }
    Some(by_value.unwrap_or("non-empty"))
}

/// What a text looks like: `pubkey33`, `pubkey33hex` (a public key as
/// hex, as the privacy mapper's pseudo keys are), `bytes4`, `bytes14`,
/// `bytes33`, `mnemonic10`, `u64`, or nothing in particular.
fn value_shape(text: &str) -> Option<&'static str> {
    if text.parse::<u64>().is_ok() {
        return Some("u64");
    }
    if text.len() == 66 {
        if let Ok(raw) = hex::decode(text) {
            if crate::domain::keys::parse_public_key(&raw).is_ok() {
                return Some("pubkey33hex");
            }
        }
    }
    let words: Vec<&str> = text.split(' ').collect();
    if words.len() == 10 {
        let list = bip39::Language::English.word_list();
        if words.iter().all(|w| list.contains(w)) {
            return Some("mnemonic10");
        }
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    match bytes.len() {
        33 if crate::domain::keys::parse_public_key(&bytes).is_ok() => Some("pubkey33"),
        33 => Some("bytes33"),
        4 => Some("bytes4"),
        14 => Some("bytes14"),
        _ => None,
    }
}

/// `value` with every per-run value replaced by `"<shape>"`, so two
/// servers' answers compare equal when they differ only in those.
pub(crate) fn normalise(value: &Value) -> Value {
    normalise_at(None, value)
}

fn normalise_at(field: Option<&str>, value: &Value) -> Value {
    if let Some(shape) = per_run_shape(field, value) {
        return Value::String(format!("<{shape}>"));
    }
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalise_at(Some(k), v)))
                .collect::<Map<_, _>>(),
        ),
        // Elements of a per-run list (`peer_ids`) are per-run too.
        Value::Array(items) => Value::Array(items.iter().map(|v| normalise_at(field, v)).collect()),
        other => other.clone(),
    }
}

/// A status message with per-run values (hex keys and IDs: runs of 8 hex
/// digits or more, such as a 4-byte session ID; also long numbers such as
/// unix times) replaced by `<hex>`. A no-break space counts as a space:
/// Go's protojson picks one or the other per binary on purpose (`detrand`),
/// so two litd builds differ there too.
pub(crate) fn normalise_message(message: &str) -> String {
    let message = go_times(message);
    let message = message.as_str();
    let mut out = String::with_capacity(message.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 8 {
            out.push_str("<hex>");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in message.chars() {
        let c = if c == '\u{a0}' { ' ' } else { c };
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Go's `time.Time` as `%v` prints it (`2026-12-01 01:38:03.5 +0000 UTC
/// m=-78957.1`): the time a message was made, so `<time>`.
fn go_times(message: &str) -> String {
    static GO_TIME: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = GO_TIME.get_or_init(|| {
        regex::Regex::new(
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?( [+-]\d{4})?( [A-Z]+)?( m=[+-]\d+(\.\d+)?)?",
        )
        .ok()
    });
    match re {
        Some(re) => re.replace_all(message, "<time>").into_owned(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> String {
        base64::engine::general_purpose::STANDARD.encode(
            secp256k1::SecretKey::from_secret_bytes([9; 32])
                .expect("scalar")
                .public_key()
                .serialize(),
        )
    }

    #[test]
    fn per_run_values_are_known_by_name_or_by_value() {
        assert_eq!(
            per_run_shape(Some("local_public_key"), &json!(key())),
            Some("pubkey33")
        );
        // A public key anywhere is per-run; a plain label is not.
        assert_eq!(
            per_run_shape(Some("label"), &json!(key())),
            Some("pubkey33")
        );
        assert_eq!(per_run_shape(Some("label"), &json!("conformance")), None);
        assert_eq!(
            per_run_shape(Some("id"), &json!("AQIDBA==")),
            Some("bytes4")
        );
        assert_eq!(
            per_run_shape(Some("created_at"), &json!("1700000000")),
            Some("u64")
        );
        assert_eq!(
            per_run_shape(Some("pairing_secret"), &json!("AAECAwQFBgcICQoLDA0=")),
            Some("bytes14")
        );
        // Unset is a fact, not a per-run value.
        assert_eq!(per_run_shape(Some("revoked_at"), &json!("0")), None);
        assert_eq!(per_run_shape(Some("group_id"), &json!("")), None);
        // Numbers and other fields compare exactly.
        assert_eq!(per_run_shape(Some("privacy_flags"), &json!("3")), None);
        assert_eq!(per_run_shape(Some("id"), &json!(7)), None);
        assert_eq!(
            per_run_shape(Some("account_id"), &json!("abc")),
            Some("non-empty")
        );
    }

    #[test]
    fn normalising_keeps_what_is_compared() {
        let a = json!({"session": {"id": "AQIDBA==", "label": "x", "local_public_key": key(),
            "revoked_at": "0", "macaroon_recipe": {"caveats": ["a"]}},
            "features": {"HealthCheck": {"privacy_flags": "0"}}});
        let n = normalise(&a);
        assert_eq!(
            n,
            json!({"session": {"id": "<bytes4>", "label": "x", "local_public_key": "<pubkey33>",
                "revoked_at": "0", "macaroon_recipe": {"caveats": ["a"]}},
                "features": {"HealthCheck": {"privacy_flags": "0"}}})
        );
        let b = json!({"session": {"id": "BQYHCA==", "label": "x", "local_public_key": key(),
            "revoked_at": "0", "macaroon_recipe": {"caveats": ["a"]}},
            "features": {"HealthCheck": {"privacy_flags": "0"}}});
        assert_eq!(normalise(&b), n);
    }

    #[test]
    fn messages_lose_hex_ids_only() {
        assert_eq!(
            normalise_message("session 02abcdef0123456789abcdef not found (code 42)"),
            "session <hex> not found (code 42)"
        );
        assert_eq!(
            normalise_message("expected 1 macaroon, got 0"),
            "expected 1 macaroon, got 0"
        );
    }
}
