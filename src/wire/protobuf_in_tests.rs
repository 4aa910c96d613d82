//! protobuf-go's reading of binary requests: what it skips that prost
//! refuses, and its exact texts; properties against prost.

use std::collections::BTreeMap;

use proptest::prelude::*;
use prost::Message;

use super::*;
use crate::fuzz::mutate::{key, varint};
use crate::gocompat::protowire::{END_GROUP, START_GROUP};
use crate::proto::litrpc as p;

fn length_delimited(out: &mut Vec<u8>, number: u32, value: &[u8]) {
    key(out, number, LEN);
    varint(out, value.len() as u64);
    out.extend_from_slice(value);
}

fn wire_format() -> String {
    format!("{}cannot parse invalid wire-format data", error_prefix())
}

fn add(bytes: &[u8]) -> Result<p::AddAutopilotSessionRequest, String> {
    decode::<p::AddAutopilotSessionRequest>(bytes)
}

/// An Add request using every kind of field: strings, varints, bools,
/// bytes, a map of messages, nested maps, a oneof and a packed list.
fn full_request() -> p::AddAutopilotSessionRequest {
    let restrict = p::RuleValue {
        value: Some(p::rule_value::Value::ChannelRestrict(p::ChannelRestrict {
            channel_ids: vec![1, 300, u64::MAX],
        })),
    };
    let peers = p::RuleValue {
        value: Some(p::rule_value::Value::PeerRestrict(p::PeerRestrict {
            peer_ids: vec!["02aa".into(), "03bb".into()],
        })),
    };
    let rules = p::RulesMap {
        rules: BTreeMap::from([
            ("channel-restriction".to_string(), restrict),
            ("peer-restriction".to_string(), peers),
        ]),
    };
    p::AddAutopilotSessionRequest {
        label: "every kind".into(),
        expiry_timestamp_seconds: 1_900_000_000,
        mailbox_server_addr: "mailbox.example:443".into(),
        dev_server: true,
        features: BTreeMap::from([(
            "AutoFees".to_string(),
            p::FeatureConfig {
                rules: Some(rules.clone()),
                config: b"{\"x\":1}".to_vec(),
            },
        )]),
        session_rules: Some(rules),
        no_privacy_mapper: true,
        linked_group_id: vec![1, 2, 3, 4],
        privacy_flags: 7,
        privacy_flags_set: true,
    }
}

#[test]
fn well_formed_requests_are_read_whole_and_not_copied() {
    let bytes = full_request().encode_to_vec();
    assert!(matches!(
        as_go_keeps("litrpc.AddAutopilotSessionRequest", &bytes),
        Ok(Cow::Borrowed(_))
    ));
    assert_eq!(add(&bytes), Ok(full_request()));
    assert_eq!(add(&[]), Ok(p::AddAutopilotSessionRequest::default()));
}

#[test]
fn a_known_field_with_another_wire_type_is_skipped_as_unknown() {
    let mut bytes = full_request().encode_to_vec();
    // label (a string) as a varint, dev_server (a bool) as fixed32, the
    // features map as a varint, session_rules (a message) as fixed64.
    key(&mut bytes, 1, VARINT);
    varint(&mut bytes, 5);
    key(&mut bytes, 4, FIXED32);
    bytes.extend([0; 4]);
    key(&mut bytes, 5, VARINT);
    varint(&mut bytes, 1);
    key(&mut bytes, 6, FIXED64);
    bytes.extend([0; 8]);
    // prost refuses what protobuf-go skips.
    assert!(p::AddAutopilotSessionRequest::decode(bytes.as_slice()).is_err());
    assert_eq!(add(&bytes), Ok(full_request()));
}

#[test]
fn skipped_fields_inside_nested_messages_and_map_entries_keep_the_rest() {
    // features {"AutoFees": FeatureConfig{config: "c", rules: <a varint>}},
    // and in the entry a key sent as a varint before the real key.
    let mut config = Vec::new();
    length_delimited(&mut config, 2, b"c");
    key(&mut config, 1, VARINT);
    varint(&mut config, 9);
    let mut entry = Vec::new();
    key(&mut entry, 1, VARINT);
    varint(&mut entry, 3);
    length_delimited(&mut entry, 1, b"AutoFees");
    length_delimited(&mut entry, 2, &config);
    key(&mut entry, 7, FIXED32);
    entry.extend([1; 4]);
    let mut bytes = Vec::new();
    length_delimited(&mut bytes, 5, &entry);
    length_delimited(&mut bytes, 1, b"after");
    assert!(p::AddAutopilotSessionRequest::decode(bytes.as_slice()).is_err());
    let got = add(&bytes).expect("protobuf-go reads it");
    assert_eq!(got.label, "after");
    assert_eq!(
        got.features,
        BTreeMap::from([(
            "AutoFees".to_string(),
            p::FeatureConfig {
                rules: None,
                config: b"c".to_vec()
            }
        )])
    );
}

#[test]
fn packed_and_unpacked_lists_both_read() {
    let mut restrict = Vec::new();
    key(&mut restrict, 1, VARINT);
    varint(&mut restrict, 5);
    let mut packed = Vec::new();
    varint(&mut packed, 6);
    varint(&mut packed, 7);
    length_delimited(&mut restrict, 1, &packed);
    let got = decode::<p::ChannelRestrict>(&restrict).expect("reads");
    assert_eq!(got.channel_ids, vec![5, 6, 7]);
    // A packed list cut inside its last varint.
    let mut cut = Vec::new();
    length_delimited(&mut cut, 1, &[0x80]);
    assert_eq!(decode::<p::ChannelRestrict>(&cut), Err(wire_format()));
}

#[test]
fn unknown_groups_nest_as_deep_as_protobuf_go_allows() {
    let nested = |levels: usize| {
        let mut b = Vec::new();
        for _ in 0..levels {
            key(&mut b, 99, START_GROUP);
        }
        for _ in 0..levels {
            key(&mut b, 99, END_GROUP);
        }
        length_delimited(&mut b, 1, b"kept");
        b
    };
    let deep = nested(150);
    assert!(p::AddAutopilotSessionRequest::decode(deep.as_slice()).is_err());
    assert_eq!(add(&deep).map(|r| r.label), Ok("kept".to_string()));
    assert_eq!(
        add(&nested(10_001)).map(|r| r.label),
        Ok("kept".to_string())
    );
    assert_eq!(add(&nested(10_002)), Err(wire_format()));
}

#[test]
fn malformed_input_gets_protobuf_gos_texts() {
    let utf8 = "string field contains invalid UTF-8".to_string();
    let mut bad_label = Vec::new();
    length_delimited(&mut bad_label, 1, &[0xff, 0xfe]);
    assert_eq!(add(&bad_label), Err(utf8.clone()));
    // A map key is a proto3 string too.
    let mut entry = Vec::new();
    length_delimited(&mut entry, 1, &[0xc3]);
    let mut bad_key = Vec::new();
    length_delimited(&mut bad_key, 5, &entry);
    assert_eq!(add(&bad_key), Err(utf8));
    // bytes are never checked.
    let mut raw = Vec::new();
    length_delimited(&mut raw, 8, &[0xff]);
    assert_eq!(add(&raw).map(|r| r.linked_group_id), Ok(vec![0xff]));

    let mut mismatched_end = Vec::new();
    key(&mut mismatched_end, 20, START_GROUP);
    key(&mut mismatched_end, 21, END_GROUP);
    let mut field_zero = Vec::new();
    key(&mut field_zero, 0, VARINT);
    varint(&mut field_zero, 1);
    let mut too_big = Vec::new();
    key(&mut too_big, 1 << 29, VARINT); // one past MAX_FIELD_NUMBER
    varint(&mut too_big, 1);
    let mut end_at_top = Vec::new();
    key(&mut end_at_top, 3, END_GROUP);
    let mut reserved = Vec::new();
    key(&mut reserved, 3, 6);
    let mut truncated = Vec::new();
    key(&mut truncated, 1, LEN);
    varint(&mut truncated, 10);
    truncated.extend(b"short");
    let overlong_varint = {
        let mut b = Vec::new();
        key(&mut b, 2, VARINT);
        b.extend([0xff; 9]);
        b.push(0x02);
        b
    };
    for (name, bytes) in [
        ("garbage", vec![0xff; 40]),
        ("mismatched end group", mismatched_end),
        ("field 0", field_zero),
        ("field over 2^29-1", too_big),
        ("end group with none open", end_at_top),
        ("reserved wire type 6", reserved),
        ("truncated string", truncated),
        ("10-byte varint over 64 bits", overlong_varint),
        ("a tag cut short", vec![0x80]),
    ] {
        assert_eq!(add(&bytes), Err(wire_format()), "{name}");
    }
}

fn arbitrary_request() -> impl Strategy<Value = p::AddAutopilotSessionRequest> {
    (
        ".{0,8}",
        any::<u64>(),
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..6),
        proptest::collection::btree_map(
            "[A-Za-z]{1,6}",
            proptest::collection::vec(any::<u8>(), 0..4),
            0..3,
        ),
        proptest::collection::vec(any::<u64>(), 0..4),
    )
        .prop_map(|(label, expiry, dev, group, features, channels)| {
            let rules = p::RulesMap {
                rules: BTreeMap::from([(
                    "channel-restriction".to_string(),
                    p::RuleValue {
                        value: Some(p::rule_value::Value::ChannelRestrict(p::ChannelRestrict {
                            channel_ids: channels,
                        })),
                    },
                )]),
            };
            p::AddAutopilotSessionRequest {
                label,
                expiry_timestamp_seconds: expiry,
                dev_server: dev,
                linked_group_id: group,
                features: features
                    .into_iter()
                    .map(|(k, config)| {
                        let rules = Some(rules.clone());
                        (k, p::FeatureConfig { rules, config })
                    })
                    .collect(),
                ..Default::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever prost reads, protobuf-go reads the same; and arbitrary bytes
    /// never panic the walk.
    #[test]
    fn what_prost_reads_reads_the_same(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let go = add(&bytes);
        if let Ok(prost_read) = p::AddAutopilotSessionRequest::decode(bytes.as_slice()) {
            prop_assert_eq!(go, Ok(prost_read));
        }
    }

    /// A well-formed request with a field of the wrong wire type after it
    /// (where a field read would win) reads as the request alone.
    #[test]
    fn a_spliced_wrong_type_field_changes_nothing(
        request in arbitrary_request(),
        number in 1u32..=10,
        wire in prop::sample::select(vec![VARINT, FIXED32, FIXED64]),
    ) {
        let mut bytes = request.encode_to_vec();
        // The varint fields (2, 4, 7, 9, 10) get a fixed width; the others
        // (strings, bytes, messages, the map) any of the three.
        let wire = match (number, wire) {
            (2 | 4 | 7 | 9 | 10, VARINT) => FIXED32,
            (_, w) => w,
        };
        key(&mut bytes, number, wire);
        match wire {
            VARINT => varint(&mut bytes, 1),
            FIXED32 => bytes.extend([0; 4]),
            _ => bytes.extend([0; 8]),
        }
        prop_assert_eq!(add(&bytes), Ok(request));
    }
}
