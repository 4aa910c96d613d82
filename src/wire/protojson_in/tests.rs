//! litd's exact texts for REST bodies (grpc-gateway + protojson v1.36.11),
//! and the integer forms it accepts.

use super::*;
use crate::proto::litrpc as p;

type Add = p::AddAutopilotSessionRequest;

/// The error with the `proto:` prefix's space normalised, after checking
/// that the prefix is one of the two forms protobuf-go writes.
fn err(body: &str) -> String {
    let e = decode::<Add>(body.as_bytes()).expect_err(body);
    normalise(&e)
}

fn normalise(e: &str) -> String {
    if let Some(rest) = e.strip_prefix("proto:") {
        assert!(
            rest.starts_with(' ') || rest.starts_with('\u{a0}'),
            "prefix is `proto:` and a space or U+00A0: {e:?}"
        );
        let mut chars = rest.chars();
        chars.next();
        return format!("proto: {}", chars.as_str());
    }
    e.to_string()
}

fn ok(body: &str) -> Add {
    decode::<Add>(body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"))
}

#[test]
fn protojson_texts() {
    let cases = [
        (
            "null",
            "proto: syntax error (line 1:1): unexpected token null",
        ),
        (
            "  null  ",
            "proto: syntax error (line 1:1): unexpected token null",
        ),
        ("1", "proto: syntax error (line 1:1): unexpected token 1"),
        ("[]", "proto: syntax error (line 1:1): unexpected token ["),
        (
            r#"{"label":"a","label":"b"}"#,
            r#"proto: (line 1:14): duplicate field "label""#,
        ),
        (
            r#"{"label":null,"label":"b"}"#,
            r#"proto: (line 1:15): duplicate field "label""#,
        ),
        (
            r#"{"nope":1}"#,
            r#"proto: (line 1:2): unknown field "nope""#,
        ),
        (
            "{\n  \"nope\": 1}",
            r#"proto: (line 2:3): unknown field "nope""#,
        ),
        (
            r#"{"expiry_timestamp_seconds":1.5}"#,
            "proto: (line 1:29): invalid value for uint64 field expiryTimestampSeconds: 1.5",
        ),
        (
            r#"{"expiry_timestamp_seconds":"x"}"#,
            r#"proto: (line 1:29): invalid value for uint64 field expiryTimestampSeconds: "x""#,
        ),
        (
            r#"{"privacy_flags":"-1"}"#,
            r#"proto: (line 1:18): invalid value for uint64 field privacyFlags: "-1""#,
        ),
        (
            r#"{"privacy_flags":1e20}"#,
            "proto: (line 1:18): invalid value for uint64 field privacyFlags: 1e20",
        ),
        (
            r#"{"dev_server":"true"}"#,
            r#"proto: (line 1:15): invalid value for bool field devServer: "true""#,
        ),
        (
            r#"{"label":5}"#,
            "proto: (line 1:10): invalid value for string field label: 5",
        ),
        (
            r#"{"linked_group_id":"!!"}"#,
            r#"proto: (line 1:20): invalid value for bytes field linkedGroupId: "!!""#,
        ),
        (
            r#"{"features":[]}"#,
            "proto: syntax error (line 1:13): unexpected token [",
        ),
        (
            r#"{"session_rules":5}"#,
            "proto: syntax error (line 1:18): unexpected token 5",
        ),
        (
            r#"{"features":{"F":null}}"#,
            "proto: syntax error (line 1:18): unexpected token null",
        ),
        (
            "{\"label\":\"\u{e9}\\ud800abcdef\"}",
            r#"proto: syntax error (line 1:10): invalid escape code "abcdef" in string"#,
        ),
        (r#"{"label":"\ud800"}"#, "proto: unexpected EOF"),
        // encoding/json reads the first value; its errors carry no prefix.
        (r#"{"label":"#, "unexpected EOF"),
        ("tru", "unexpected EOF"),
        (
            "{x",
            "invalid character 'x' looking for beginning of object key string",
        ),
        ("}", "invalid character '}' looking for beginning of value"),
    ];
    for (body, want) in cases {
        assert_eq!(err(body), want, "{body}");
    }
    let bad_utf8 = b"{\"label\":\"\xff\"}";
    let e = decode::<Add>(bad_utf8).expect_err("invalid UTF-8");
    assert_eq!(
        normalise(&e),
        "proto: syntax error (line 1:10): invalid UTF-8 in string"
    );
}

#[test]
fn a_second_oneof_member_is_refused() {
    let body =
        r#"{"features":{"F":{"rules":{"rules":{"r":{"rate_limit":{},"history_limit":{}}}}}}}"#;
    let col = body.find("\"history_limit\"").expect("in body") + 1;
    assert_eq!(
        err(body),
        format!(
            "proto: (line 1:{col}): error parsing \"history_limit\", oneof litrpc.RuleValue.value is already set"
        )
    );
}

#[test]
fn only_the_first_json_value_is_read() {
    assert_eq!(ok(r#"{"label":"x"} trailing {"#).label, "x");
    assert_eq!(ok(r#"{"label":"x"}{"label":"y"}"#).label, "x");
    assert_eq!(ok(" \n\t").label, "");
    assert_eq!(ok("").label, "");
}

#[test]
fn integral_numbers_in_any_form() {
    let expiry =
        |v: &str| ok(&format!(r#"{{"expiry_timestamp_seconds":{v}}}"#)).expiry_timestamp_seconds;
    assert_eq!(expiry("1796235490.0"), 1_796_235_490);
    assert_eq!(expiry("1.79623549e9"), 1_796_235_490);
    assert_eq!(expiry("1e1"), 10);
    assert_eq!(expiry("100e-2"), 1);
    assert_eq!(expiry("-0"), 0);
    assert_eq!(expiry("1e19"), 10_000_000_000_000_000_000);
    assert_eq!(expiry(r#""1.0""#), 1);
    assert_eq!(expiry(r#""1e3""#), 1000);
    assert_eq!(expiry(r#""18446744073709551615""#), u64::MAX);
    // protobuf-go v1.36.11 reads only the first number in a string.
    assert_eq!(expiry(r#""7 days""#), 7);
    for bad in [
        "1.25",
        "1e-1",
        r#""1.5""#,
        r#"" 1""#,
        r#""+1""#,
        r#""01""#,
        r#""""#,
        "18446744073709551616",
    ] {
        let body = format!(r#"{{"expiry_timestamp_seconds":{bad}}}"#);
        assert_eq!(
            err(&body),
            format!(
                "proto: (line 1:29): invalid value for uint64 field expiryTimestampSeconds: {bad}"
            ),
        );
    }
    let rate = ok(
        r#"{"features":{"F":{"rules":{"rules":{"rate-limit":{"rateLimit":{"readLimit":{"iterations":2.0,"numHours":"1"}}}}}}}}"#,
    );
    let rule = &rate.features["F"].rules.as_ref().expect("rules").rules["rate-limit"];
    let Some(p::rule_value::Value::RateLimit(r)) = &rule.value else {
        panic!("rate limit: {rule:?}")
    };
    let read = r.read_limit.as_ref().expect("read limit");
    assert_eq!((read.iterations, read.num_hours), (2, 1));
}

#[test]
fn bytes_in_both_alphabets_and_nulls_skipped() {
    let r = ok(r#"{"linked_group_id":"-_-_","label":null,"session_rules":null}"#);
    assert_eq!(r.linked_group_id, vec![0xfb, 0xff, 0xbf]);
    assert_eq!(ok(r#"{"linkedGroupId":"AQI"}"#).linked_group_id, vec![1, 2]);
    assert_eq!(
        ok(r#"{"linkedGroupId":"AQI="}"#).linked_group_id,
        vec![1, 2]
    );
}

#[test]
fn the_prefix_follows_the_seed_and_is_one_of_two_forms() {
    let prefix = error_prefix();
    assert!(
        prefix == "proto: " || prefix == "proto:\u{a0}",
        "{prefix:?}"
    );
    // Once chosen, it stays for the process.
    seed_error_prefix(1);
    seed_error_prefix(2);
    assert_eq!(error_prefix(), prefix);
}
