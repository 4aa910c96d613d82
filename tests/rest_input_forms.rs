//! The REST gateway accepts request JSON as protojson does (reference §6):
//! snake_case or lowerCamelCase names, uint64 as string or number, bytes in
//! standard or URL-safe base64 with or without padding; unknown fields are
//! refused.

use autopilot_mock::proto::litrpc as p;
use autopilot_mock::rest::decode_body;

fn linked(json: &str) -> Result<Vec<u8>, String> {
    decode_body::<p::AddAutopilotSessionRequest>(json.as_bytes()).map(|r| r.linked_group_id)
}

#[test]
fn bytes_in_every_base64_form() {
    // 0xfb 0xff 0xbf: '+' and '/' in standard base64, '-' and '_' in URL-safe.
    let want = vec![0xfb, 0xff, 0xbf];
    for text in ["+/+/", "-_-_"] {
        assert_eq!(
            linked(&format!(r#"{{"linked_group_id":"{text}"}}"#)),
            Ok(want.clone()),
            "{text}"
        );
    }
    // Two bytes need padding in the padded forms.
    for text in ["AQI=", "AQI"] {
        assert_eq!(
            linked(&format!(r#"{{"linked_group_id":"{text}"}}"#)),
            Ok(vec![1, 2]),
            "{text}"
        );
    }
}

#[test]
fn names_and_numbers() {
    for json in [
        r#"{"expiry_timestamp_seconds":"7","privacy_flags_set":true}"#,
        r#"{"expiryTimestampSeconds":7,"privacyFlagsSet":true}"#,
    ] {
        let r: p::AddAutopilotSessionRequest = decode_body(json.as_bytes()).expect(json);
        assert_eq!(r.expiry_timestamp_seconds, 7);
        assert!(r.privacy_flags_set);
    }
    let err =
        decode_body::<p::AddAutopilotSessionRequest>(br#"{"expiry":1}"#).expect_err("unknown");
    assert_eq!(
        err.replacen("proto:\u{a0}", "proto: ", 1),
        r#"proto: (line 1:2): unknown field "expiry""#
    );
}

#[test]
fn integral_floats_and_their_strings_are_integers() {
    // Correction 6: what a Python client's float expiry looks like.
    for (json, want) in [
        (
            r#"{"expiry_timestamp_seconds":1796235490.0}"#,
            1_796_235_490,
        ),
        (
            r#"{"expiry_timestamp_seconds":1.79623549e9}"#,
            1_796_235_490,
        ),
        (
            r#"{"expiry_timestamp_seconds":"1796235490.0"}"#,
            1_796_235_490,
        ),
        (r#"{"expiry_timestamp_seconds":"1e1"}"#, 10),
    ] {
        let r: p::AddAutopilotSessionRequest = decode_body(json.as_bytes()).expect(json);
        assert_eq!(r.expiry_timestamp_seconds, want, "{json}");
    }
    let err = decode_body::<p::AddAutopilotSessionRequest>(
        br#"{"expiry_timestamp_seconds":1796235490.25}"#,
    )
    .expect_err("not integral");
    assert_eq!(
        err.replacen("proto:\u{a0}", "proto: ", 1),
        "proto: (line 1:29): invalid value for uint64 field expiryTimestampSeconds: 1796235490.25"
    );
}
