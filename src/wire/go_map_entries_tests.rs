use std::collections::BTreeMap;

use prost::Message;

use super::*;
use crate::proto::litrpc as p;

#[test]
fn an_empty_value_and_an_empty_key_are_written_as_go_writes_them() {
    let rules = p::RulesMap {
        rules: BTreeMap::from([(String::new(), p::RuleValue::default())]),
    };
    // prost: the entry with neither field.
    assert_eq!(rules.encode_to_vec(), [0x0a, 0x00]);
    // Go: key "" (0a 00), then value {} (12 00).
    assert_eq!(go_encode(&rules), [0x0a, 0x04, 0x0a, 0x00, 0x12, 0x00]);
}

#[test]
fn a_feature_with_no_rules_keeps_its_value_inside_a_session() {
    let session = p::Session {
        label: "a".into(),
        autopilot_feature_info: BTreeMap::from([(
            "HealthCheck".to_string(),
            p::RulesMap::default(),
        )]),
        ..Default::default()
    };
    let prost_bytes = session.encode_to_vec();
    let go = go_encode(&session);
    // The map entry (field 15: tag 0x7a) grows by the value's `12 00`.
    assert_eq!(go.len(), prost_bytes.len() + 2);
    let entry = [&[0x7a, 0x0f, 0x0a, 0x0b][..], b"HealthCheck", &[0x12, 0x00]].concat();
    assert!(
        go.windows(entry.len()).any(|w| w == entry.as_slice()),
        "{go:02x?}"
    );
    // Same message for any decoder; already Go's form stays as it is.
    assert_eq!(p::Session::decode(go.as_slice()).ok(), Some(session));
    assert_eq!(
        go_encoding("litrpc.Session", &go).as_deref(),
        Some(go.as_slice())
    );
}

#[test]
fn nested_lists_and_status_maps_are_rewritten() {
    let list = p::ListAutopilotSessionsResponse {
        sessions: vec![p::Session {
            autopilot_feature_info: BTreeMap::from([("f".to_string(), p::RulesMap::default())]),
            ..Default::default()
        }],
    };
    let go = go_encode(&list);
    assert_eq!(go.len(), list.encode_to_vec().len() + 2);
    let status = p::SubServerStatusResp {
        sub_servers: BTreeMap::from([("x".to_string(), p::SubServerStatus::default())]),
    };
    assert_eq!(
        go_encode(&status),
        [0x0a, 0x05, 0x0a, 0x01, b'x', 0x12, 0x00]
    );
}

#[test]
fn scalar_map_values_get_their_zero() {
    let session = p::Session {
        feature_configs: BTreeMap::from([("f".to_string(), String::new())]),
        ..Default::default()
    };
    // Field 18 (tag 0x92 0x01): key "f", value "" written.
    let go = go_encode(&session);
    assert!(
        go.ends_with(&[0x92, 0x01, 0x05, 0x0a, 0x01, b'f', 0x12, 0x00]),
        "{go:02x?}"
    );
}

#[test]
fn types_without_maps_and_bytes_that_do_not_parse_are_left_alone() {
    assert_eq!(
        go_encoding("litrpc.RevokeAutopilotSessionResponse", &[]),
        None
    );
    assert_eq!(go_encoding("litrpc.Session", &[0x7a, 0x05, 0x01]), None);
    assert_eq!(go_encoding("litrpc.Session", &[0xff; 11]), None);
    let unknown = p::Session::default();
    assert_eq!(go_encode(&unknown), unknown.encode_to_vec());
}
