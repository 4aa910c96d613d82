//! Arbitrary input must never panic; request values survive a JSON round trip.

use proptest::prelude::*;

use super::*;

fn any_rate() -> impl Strategy<Value = Option<Rate>> {
    proptest::option::of((any::<u32>(), any::<u32>()).prop_map(|(i, h)| Rate {
        iterations: i,
        num_hours: h,
    }))
}

fn any_value() -> impl Strategy<Value = Option<RuleValue>> {
    let u = any::<u64>;
    let v = prop_oneof![
        (any_rate(), any_rate()).prop_map(|(r, w)| RuleValue::RateLimit(RateLimit {
            read_limit: r,
            write_limit: w
        })),
        (u(), u()).prop_map(|(s, d)| RuleValue::HistoryLimit(HistoryLimit {
            start_time: s,
            duration: d
        })),
        (u(), u()).prop_map(|(a, b)| RuleValue::OnChainBudget(OnChainBudget {
            absolute_amt_sats: a,
            max_sat_per_v_byte: b
        })),
        proptest::collection::vec(u(), 0..4)
            .prop_map(|c| RuleValue::ChannelRestrict(ChannelRestrict { channel_ids: c })),
        proptest::collection::vec(".*", 0..3)
            .prop_map(|p| RuleValue::PeerRestrict(PeerRestrict { peer_ids: p })),
        (u(), u(), u(), any::<bool>(), any::<bool>()).prop_map(|(a, b, c, d, e)| {
            RuleValue::ChannelConstraint(ChannelConstraint {
                min_capacity_sat: a,
                max_capacity_sat: b,
                max_push_sat: c,
                private_allowed: d,
                public_allowed: e,
            })
        }),
        Just(RuleValue::SendToSelf),
    ];
    proptest::option::of(v)
}

proptest! {
    #[test]
    fn from_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64),
                              idx in 0usize..7) {
        let _ = Rule::from_json(KNOWN_RULE_NAMES[idx], &bytes);
    }

    #[test]
    fn from_json_text_never_panics(s in r#"[\[\]{}":,0-9a-z_. \-\\tfnule+]{0,48}"#,
                                   idx in 0usize..7) {
        if let Ok(r) = Rule::from_json(KNOWN_RULE_NAMES[idx], s.as_bytes()) {
            let _ = (r.to_json(), r.to_value(), r.go_dump());
        }
    }

    #[test]
    fn request_values_never_panic(a in any_value(), b in any_value(), c in any_value(),
                                  idx in 0usize..7, now in any::<u64>()) {
        let name = KNOWN_RULE_NAMES[idx];
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now >> 20);
        let rules: Vec<Rule> = [a, b, c]
            .iter()
            .filter_map(|v| Rule::from_request(name, v.as_ref()).ok())
            .collect();
        for v in &rules {
            let (json, value, dump) = (v.to_json(), v.to_value(), v.go_dump());
            let _ = (value, dump);
            if v.try_to_json().is_ok() {
                prop_assert_eq!(&Rule::from_json(name, json.as_bytes()).unwrap(), v);
            }
            for lo in &rules {
                for hi in &rules {
                    let _ = v.check_bounds(lo, hi, now);
                }
            }
        }
    }
}
