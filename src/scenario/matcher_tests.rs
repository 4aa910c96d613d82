use super::*;
use serde_json::json;

#[test]
fn partial_objects_and_exact_arrays() {
    let got = json!({"a": 1, "b": [1, 2], "c": "x"});
    assert!(check(&json!({"a": 1}), Some(&got), "").is_ok());
    assert_eq!(
        check(&json!({"b": [1]}), Some(&got), ""),
        Err("b: expected 1 elements, got 2: [1,2]".into())
    );
    assert_eq!(
        check(&json!({"c": "y"}), Some(&got), ""),
        Err("c: expected \"y\", got \"x\"".into())
    );
    assert_eq!(
        check(&json!({"d": 1}), Some(&got), ""),
        Err("d: expected 1, but it is absent".into())
    );
}

#[test]
fn operators() {
    let key = base64::engine::general_purpose::STANDARD.encode(
        secp256k1::SecretKey::from_secret_bytes([5; 32])
            .expect("scalar")
            .public_key()
            .serialize(),
    );
    let got = json!({"h": "000102", "n": "100", "k": key, "m": "abandon amount liar amount expire adjust cage candy arch gather", "l": [{"x": 1}, {"x": 2}], "s": "proxy error: boom"});
    for ok in [
        json!({"k": {"$shape": "pubkey33"}}),
        json!({"m": {"$shape": "mnemonic10"}}),
        json!({"l": {"$contains": {"x": 2}}}),
        json!({"l": {"$len": 2}}),
        json!({"s": {"$prefix": "proxy error"}}),
        json!({"s": {"$regex": "^proxy .*boom$"}}),
        json!({"z": {"$absent": true}}),
        json!({"k": {"$present": true}}),
        json!({"n": {"$gt": "99"}}),
        json!({"n": {"$le": 100}}),
        json!({"h": {"$bytes": "AAEC"}}),
    ] {
        assert_eq!(check(&ok, Some(&got), ""), Ok(()), "{ok}");
    }
    assert!(check(&json!({"k": {"$shape": "bytes4"}}), Some(&got), "").is_err());
    assert_eq!(
        check(&json!({"n": {"$gt": "100"}}), Some(&got), ""),
        Err("n: expected $gt 100, got 100".into())
    );
    assert!(check(&json!({"l": {"$contains": {"x": 3}}}), Some(&got), "").is_err());
    assert!(check(&json!({"k": {"$shape": "nope"}}), Some(&got), "")
        .is_err_and(|e| e.contains("unknown shape")));
}

#[test]
fn captures_and_now() {
    let vars = BTreeMap::from([
        ("key".to_string(), json!("AAEC")),
        ("n".to_string(), json!(5)),
    ]);
    assert_eq!(substitute_str("${key}", &vars, 100), Ok(json!("AAEC")));
    assert_eq!(substitute_str("${n}", &vars, 100), Ok(json!(5)));
    assert_eq!(
        substitute_str("/x/${key}/y", &vars, 100),
        Ok(json!("/x/AAEC/y"))
    );
    assert_eq!(substitute_str("${now+60}", &vars, 100), Ok(json!("160")));
    assert_eq!(substitute_str("${now-1}", &vars, 100), Ok(json!("99")));
    assert!(substitute_str("${missing}", &vars, 100).is_err());
    assert_eq!(lookup(&json!({"a": [{"b": 7}]}), "a.0.b"), Some(&json!(7)));
}
