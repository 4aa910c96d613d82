use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

const HEALTHCHECK_DEFAULT: &str = r#"{"write_limit":{"iterations":1,"num_hours":1},"read_limit":{"iterations":10,"num_hours":1}}"#;

pub(super) fn rate(iterations: u32, num_hours: u32) -> Option<Rate> {
    Some(Rate {
        iterations,
        num_hours,
    })
}

pub(super) fn rl(read: (u32, u32), write: (u32, u32)) -> Rule {
    Rule::RateLimit(RateLimit {
        read_limit: rate(read.0, read.1),
        write_limit: rate(write.0, write.1),
    })
}

pub(super) fn json(name: &str, s: &str) -> Result<Rule, String> {
    Rule::from_json(name, s.as_bytes())
}

pub(super) fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn known_names_are_sorted_and_complete() {
    let mut sorted = KNOWN_RULE_NAMES;
    sorted.sort();
    assert_eq!(sorted, KNOWN_RULE_NAMES);
    assert!(KNOWN_RULE_NAMES.iter().all(|n| is_known(n)));
    assert!(!is_known("off-chain-budget"));
}

#[test]
fn from_request_errors() {
    let rv = |v: RuleValue| Some(v);
    let e = |n: &str, v: Option<RuleValue>| Rule::from_request(n, v.as_ref()).unwrap_err();
    assert_eq!(e("nope", None), "unknown rule nope, please upgrade");
    for name in [
        RATE_LIMIT,
        CHANNEL_POLICY_BOUNDS,
        HISTORY_LIMIT,
        CHANNEL_RESTRICTION,
        PEER_RESTRICTION,
    ] {
        assert_eq!(
            e(name, rv(RuleValue::SendToSelf)),
            "incorrect RuleValue type"
        );
        assert_eq!(e(name, None), "incorrect RuleValue type");
    }
    let off = rv(RuleValue::OffChainBudget(OffChainBudget::default()));
    assert_eq!(
        e(ON_CHAIN_BUDGET, off.clone()),
        "incorrect RuleValue type *litrpc.RuleValue_OffChainBudget"
    );
    assert_eq!(e(ON_CHAIN_BUDGET, None), "incorrect RuleValue type <nil>");
    assert_eq!(
        e(
            CHANNEL_CONSTRAINT,
            rv(RuleValue::RateLimit(RateLimit::default()))
        ),
        "incorrect RuleValue type *litrpc.RuleValue_RateLimit"
    );
    assert_eq!(
        e(CHANNEL_CONSTRAINT, None),
        "incorrect RuleValue type <nil>"
    );
    let both = HistoryLimit {
        start_time: 1,
        duration: 1,
    };
    assert_eq!(
        e(HISTORY_LIMIT, rv(RuleValue::HistoryLimit(both))),
        "cant set both start time and duration"
    );
    assert_eq!(
        e(
            CHANNEL_RESTRICTION,
            rv(RuleValue::ChannelRestrict(ChannelRestrict::default()))
        ),
        "channel restrict list cannot be empty. If no channel restrictions should be applied \
         then there is no need to add the rule"
    );
    assert_eq!(
        e(
            PEER_RESTRICTION,
            rv(RuleValue::PeerRestrict(PeerRestrict::default()))
        ),
        "peer restrict list cannot be empty. If no channel restrictions should be applied \
         then there is no need to add the rule"
    );
    let half = RateLimit {
        read_limit: rate(1, 1),
        write_limit: None,
    };
    assert_eq!(
        e(RATE_LIMIT, rv(RuleValue::RateLimit(half))),
        "rate-limit needs both read_limit and write_limit"
    );
}

#[test]
fn healthcheck_default_round_trips() {
    let r = json(RATE_LIMIT, HEALTHCHECK_DEFAULT).unwrap();
    assert_eq!(r, rl((10, 1), (1, 1)));
    assert_eq!(r.to_json(), HEALTHCHECK_DEFAULT);
    let from_req = Rule::from_request(RATE_LIMIT, Some(&r.to_value())).unwrap();
    assert_eq!(from_req.to_json(), HEALTHCHECK_DEFAULT);
}

#[test]
fn caveat_quoting_of_the_healthcheck_default() {
    // The rules caveat holds each rule's JSON as a JSON string (§2.2.4).
    let r = json(RATE_LIMIT, HEALTHCHECK_DEFAULT).unwrap();
    assert_eq!(
        go_json_quote(&r.try_to_json().unwrap()),
        r#""{\"write_limit\":{\"iterations\":1,\"num_hours\":1},\"read_limit\":{\"iterations\":10,\"num_hours\":1}}""#
    );
    // Go 1.22+ writes \b and \f short; DEL is not escaped.
    assert_eq!(
        go_json_quote("\u{8}\u{c}\u{1f}\u{7f}"),
        "\"\\b\\f\\u001f\u{7f}\""
    );
}

#[test]
fn json_keys_fold_and_unknown_keys_are_ignored() {
    let r = json(
        RATE_LIMIT,
        r#" {"WRITE_LIMIT":{"Iterations":2,"NUM_HOURS":3,"x":[1]},"extra":{},"read_limit":null}"#,
    )
    .unwrap();
    assert_eq!(
        r.to_json(),
        r#"{"write_limit":{"iterations":2,"num_hours":3},"read_limit":null}"#
    );
    // Go folds the Kelvin sign onto K and the long s onto S.
    let r = json(ON_CHAIN_BUDGET, "{\"absolute_amt_\u{17f}ats\":5}").unwrap();
    assert_eq!(
        r.to_json(),
        r#"{"absolute_amt_sats":5,"max_sat_per_v_byte":0}"#
    );
    // A repeated pointer field is decoded into the same struct.
    let r = json(
        RATE_LIMIT,
        r#"{"read_limit":{"iterations":4},"read_limit":{"num_hours":2}}"#,
    )
    .unwrap();
    assert_eq!(
        r,
        Rule::RateLimit(RateLimit {
            read_limit: rate(4, 2),
            write_limit: None
        })
    );
    assert_eq!(
        json(RATE_LIMIT, "null").unwrap(),
        Rule::RateLimit(RateLimit::default())
    );
}

#[test]
fn json_errors_in_go_words() {
    assert_eq!(
        json(RATE_LIMIT, "").unwrap_err(),
        "unexpected end of JSON input"
    );
    assert_eq!(
        json(RATE_LIMIT, "  ").unwrap_err(),
        "unexpected end of JSON input"
    );
    assert_eq!(
        json("x", "{}").unwrap_err(),
        "unknown rule x, please upgrade"
    );
    assert_eq!(
        json(RATE_LIMIT, "[]").unwrap_err(),
        "json: cannot unmarshal array into Go value of type rules.RateLimit"
    );
    assert_eq!(
        json(RATE_LIMIT, r#"{"write_limit":{"iterations":"1"}}"#).unwrap_err(),
        "json: cannot unmarshal string into Go struct field Rate.write_limit.iterations of type uint32"
    );
    assert_eq!(
        json(RATE_LIMIT, r#"{"read_limit":5}"#).unwrap_err(),
        "json: cannot unmarshal number into Go struct field RateLimit.read_limit of type rules.Rate"
    );
    assert_eq!(
        json(RATE_LIMIT, r#"{"read_limit":{"num_hours":4294967296}}"#).unwrap_err(),
        "json: cannot unmarshal number 4294967296 into Go struct field Rate.read_limit.num_hours of type uint32"
    );
    // The first mismatch wins, even when a later one exists.
    assert_eq!(
        json(ON_CHAIN_BUDGET, r#"{"absolute_amt_sats":-1,"max_sat_per_v_byte":1.5}"#).unwrap_err(),
        "json: cannot unmarshal number -1 into Go struct field OnChainBudget.absolute_amt_sats of type uint64"
    );
    assert_eq!(
        json(CHANNEL_CONSTRAINT, r#"{"private_allowed":1}"#).unwrap_err(),
        "json: cannot unmarshal number into Go struct field ChannelConstraint.private_allowed of type bool"
    );
    assert_eq!(
        json(CHANNEL_RESTRICTION, r#"{"channel_deny_list":[1,"2"]}"#).unwrap_err(),
        "json: cannot unmarshal string into Go struct field ChannelRestrict.channel_deny_list of type uint64"
    );
    assert_eq!(
        json(PEER_RESTRICTION, r#"{"peer_deny_list":"a"}"#).unwrap_err(),
        "json: cannot unmarshal string into Go struct field PeerRestrict.peer_deny_list of type []string"
    );
    assert_eq!(
        json(HISTORY_LIMIT, r#"{"duration":"1h"}"#).unwrap_err(),
        "json: cannot unmarshal string into Go struct field HistoryLimit.duration of type time.Duration"
    );
    // A time error stops decoding and beats an earlier mismatch.
    assert_eq!(
        json(HISTORY_LIMIT, r#"{"duration":"1h","start_date":5}"#).unwrap_err(),
        "Time.UnmarshalJSON: input is not a JSON string"
    );
    assert_eq!(
        json(HISTORY_LIMIT, r#"{"start_date":"2023-13-01T00:00:00Z"}"#).unwrap_err(),
        r#"parsing time "2023-13-01T00:00:00Z": month out of range"#
    );
    assert_eq!(
        json(RATE_LIMIT, "{\"a\":1,}").unwrap_err(),
        "invalid character '}' looking for beginning of object key string"
    );
}

#[test]
fn json_forms() {
    let cpb = ChannelPolicyBounds {
        min_base_msat: 1,
        max_base_msat: 2,
        min_rate_ppm: 3,
        max_rate_ppm: 4,
        min_cltv_delta: 5,
        max_cltv_delta: 6,
        min_htlc_msat: 7,
        max_htlc_msat: 8,
    };
    let r = Rule::from_request(
        CHANNEL_POLICY_BOUNDS,
        Some(&RuleValue::ChanPolicyBounds(cpb)),
    )
    .unwrap();
    let text = r#"{"min_base_msat":1,"max_base_msat":2,"min_rate_ppm":3,"max_rate_ppm":4,"min_cltv_delta":5,"max_cltv_delta":6,"min_htlc_msat":7,"max_htlc_msat":8}"#;
    assert_eq!(r.to_json(), text);
    assert_eq!(json(CHANNEL_POLICY_BOUNDS, text).unwrap(), r);

    let cc = ChannelConstraint {
        min_capacity_sat: 1,
        max_capacity_sat: 2,
        max_push_sat: 3,
        private_allowed: true,
        public_allowed: false,
    };
    let r =
        Rule::from_request(CHANNEL_CONSTRAINT, Some(&RuleValue::ChannelConstraint(cc))).unwrap();
    let text = r#"{"min_capacity_msat":1,"max_capacity_msat":2,"max_push_sat":3,"private_allowed":true,"public_allowed":false}"#;
    assert_eq!(r.to_json(), text);
    assert_eq!(json(CHANNEL_CONSTRAINT, text).unwrap(), r);

    let r = json(CHANNEL_RESTRICTION, "{}").unwrap();
    assert_eq!(r.to_json(), r#"{"channel_deny_list":null}"#);
    let r = json(CHANNEL_RESTRICTION, r#"{"channel_deny_list":[]}"#).unwrap();
    assert_eq!(r.to_json(), r#"{"channel_deny_list":[]}"#);
    let ids = ChannelRestrict {
        channel_ids: vec![1, u64::MAX],
    };
    let r =
        Rule::from_request(CHANNEL_RESTRICTION, Some(&RuleValue::ChannelRestrict(ids))).unwrap();
    assert_eq!(
        r.to_json(),
        r#"{"channel_deny_list":[1,18446744073709551615]}"#
    );

    let peers = PeerRestrict {
        peer_ids: vec!["a<b>&\"c".into(), "\u{2028}".into()],
    };
    let r = Rule::from_request(PEER_RESTRICTION, Some(&RuleValue::PeerRestrict(peers))).unwrap();
    assert_eq!(
        r.to_json(),
        r#"{"peer_deny_list":["a\u003cb\u003e\u0026\"c","\u2028"]}"#
    );
    assert_eq!(json(PEER_RESTRICTION, &r.to_json()).unwrap(), r);

    let ocb = OnChainBudget {
        absolute_amt_sats: 9,
        max_sat_per_v_byte: 10,
    };
    let r = Rule::from_request(ON_CHAIN_BUDGET, Some(&RuleValue::OnChainBudget(ocb))).unwrap();
    assert_eq!(
        r.to_json(),
        r#"{"absolute_amt_sats":9,"max_sat_per_v_byte":10}"#
    );
    assert_eq!(r.to_value(), RuleValue::OnChainBudget(ocb));
}

pub(super) fn hl(start_time: u64, duration: u64) -> Rule {
    let v = RuleValue::HistoryLimit(HistoryLimit {
        start_time,
        duration,
    });
    Rule::from_request(HISTORY_LIMIT, Some(&v)).unwrap()
}

#[test]
fn history_limit_forms() {
    let r = hl(0, 86_400);
    assert_eq!(
        r.to_json(),
        r#"{"start_date":"0001-01-01T00:00:00Z","duration":86400000000000}"#
    );
    let wrapped = RuleValue::HistoryLimit(HistoryLimit {
        start_time: 18_446_744_011_573_954_816,
        duration: 86_400,
    });
    assert_eq!(r.to_value(), wrapped);
    assert_eq!(json(HISTORY_LIMIT, &r.to_json()).unwrap(), r);

    let r = hl(1_672_531_200, 0);
    assert_eq!(r.to_json(), r#"{"start_date":"2023-01-01T00:00:00Z"}"#);
    let v = RuleValue::HistoryLimit(HistoryLimit {
        start_time: 1_672_531_200,
        duration: 0,
    });
    assert_eq!(r.to_value(), v);

    // Both zero is allowed: the zero time and no duration.
    assert_eq!(
        hl(0, 0).to_json(),
        r#"{"start_date":"0001-01-01T00:00:00Z"}"#
    );

    // A start time past year 9999 cannot be written by Go.
    let far = hl(300_000_000_000, 0);
    assert_eq!(
        far.try_to_json().unwrap_err(),
        "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]"
    );
    assert_eq!(far.to_json(), r#"{"start_date":"11476-08-15T05:20:00Z"}"#);

    // Offsets and fractions survive a round trip as Go keeps them.
    let r = json(
        HISTORY_LIMIT,
        r#"{"start_date":"2023-01-01T02:00:00.5+02:00"}"#,
    )
    .unwrap();
    assert_eq!(
        r.to_json(),
        r#"{"start_date":"2023-01-01T02:00:00.5+02:00"}"#
    );
    assert_eq!(r.go_dump(), "&{2023-01-01 02:00:00.5 +0200 +0200 0s}");
    let v = RuleValue::HistoryLimit(HistoryLimit {
        start_time: 1_672_531_200,
        duration: 0,
    });
    assert_eq!(r.to_value(), v);

    // A duration beyond int64 nanoseconds wraps, and comes back as Go's
    // amd64 conversion of a negative float does.
    let r = hl(0, 10_000_000_000);
    let Rule::HistoryLimit(h) = &r else { panic!() };
    assert_eq!(h.duration, 10_000_000_000i64.wrapping_mul(1_000_000_000));
    let RuleValue::HistoryLimit(p) = r.to_value() else {
        panic!()
    };
    assert_eq!(p.duration, (h.duration / 1_000_000_000) as u64);
}

#[test]
fn names() {
    for name in KNOWN_RULE_NAMES {
        assert_eq!(json(name, "{}").unwrap().name(), name);
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        json(RATE_LIMIT, &deep).unwrap_err(),
        "json: cannot unmarshal array into Go value of type rules.RateLimit"
    );
    let deeper = format!("{}{}", "[".repeat(10_001), "]".repeat(10_001));
    assert_eq!(
        json(RATE_LIMIT, &deeper).unwrap_err(),
        "invalid character '[' exceeded max depth"
    );
    let inner = format!(
        "{{\"read_limit\":{}1{}}}",
        "[".repeat(9_999),
        "]".repeat(9_999)
    );
    assert_eq!(
        json(RATE_LIMIT, &inner).unwrap_err(),
        "json: cannot unmarshal array into Go struct field RateLimit.read_limit of type rules.Rate"
    );
}
