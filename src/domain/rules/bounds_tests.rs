//! Step 6g: each rule's bounds check, the type checks on min and max, and
//! the message litd builds from them.

use super::tests::{at, hl, json, rl};
use super::*;

#[test]
fn bounds_rate_limit() {
    let (min, max) = (rl((1, 1), (0, 1)), rl((1000, 1), (10, 1)));
    let now = at(0);
    assert_eq!(rl((10, 1), (1, 1)).check_bounds(&min, &max, now), Ok(()));
    assert_eq!(
        rl((0, 1), (1, 1))
            .check_bounds(&min, &max, now)
            .unwrap_err(),
        "read limit is not between the min and max"
    );
    assert_eq!(
        rl((10, 1), (11, 1))
            .check_bounds(&min, &max, now)
            .unwrap_err(),
        "write limit is not between the min and max"
    );
    // 2 per 2 hours equals 1 per hour.
    assert_eq!(rl((2000, 2), (20, 2)).check_bounds(&min, &max, now), Ok(()));
    // 0/0 is NaN, which compares false and so passes; 1/0 is Inf.
    assert_eq!(rl((0, 0), (1, 1)).check_bounds(&min, &max, now), Ok(()));
    assert_eq!(
        rl((1, 0), (1, 1))
            .check_bounds(&min, &max, now)
            .unwrap_err(),
        "read limit is not between the min and max"
    );
    let no_read = json(
        RATE_LIMIT,
        r#"{"write_limit":{"iterations":1,"num_hours":1}}"#,
    )
    .unwrap();
    assert_eq!(
        rl((1, 1), (1, 1))
            .check_bounds(&no_read, &max, now)
            .unwrap_err(),
        "cannot check rate-limit: a read limit is missing"
    );
}

#[test]
fn bounds_channel_policy() {
    let lo = ChannelPolicyBounds::default();
    let hi = ChannelPolicyBounds {
        min_base_msat: 10,
        max_base_msat: 10,
        min_rate_ppm: 10,
        max_rate_ppm: 10,
        min_cltv_delta: 10,
        max_cltv_delta: 10,
        min_htlc_msat: 10,
        max_htlc_msat: 10,
    };
    let (min, max) = (Rule::ChanPolicyBounds(lo), Rule::ChanPolicyBounds(hi));
    assert_eq!(
        Rule::ChanPolicyBounds(hi).check_bounds(&min, &max, at(0)),
        Ok(())
    );
    let texts = [
        "invalid min base fee",
        "invalid max base fee",
        "invalid min proportional fee",
        "invalid max proportional fee",
        "invalid min cltv delta",
        "invalid max cltv delta",
        "invalid min htlc msat amt",
        "invalid max htlc msat amt",
    ];
    for (i, text) in texts.iter().enumerate() {
        let mut v = hi;
        match i {
            0 => v.min_base_msat = 11,
            1 => v.max_base_msat = 11,
            2 => v.min_rate_ppm = 11,
            3 => v.max_rate_ppm = 11,
            4 => v.min_cltv_delta = 11,
            5 => v.max_cltv_delta = 11,
            6 => v.min_htlc_msat = 11,
            _ => v.max_htlc_msat = 11,
        }
        let got = Rule::ChanPolicyBounds(v).check_bounds(&min, &max, at(0));
        assert_eq!(got.unwrap_err(), *text);
    }
}

#[test]
fn bounds_history_limit() {
    let now = at(1_700_000_000);
    let min = hl(0, 86_400);
    let max = json(HISTORY_LIMIT, "{}").unwrap();
    assert_eq!(hl(0, 2 * 86_400).check_bounds(&min, &max, now), Ok(()));
    // An equal duration passes, as it does in litd.
    assert_eq!(hl(0, 86_400).check_bounds(&min, &max, now), Ok(()));
    assert_eq!(hl(1_600_000_000, 0).check_bounds(&min, &max, now), Ok(()));
    assert_eq!(
        hl(0, 3600).check_bounds(&min, &max, now).unwrap_err(),
        "history-limit start date not valid for given the minimum required start date. \
         Start date should at least be 2023-11-13 22:13:20 +0000 UTC m=-86400.000000000 or the \
         duration should at least be 24h0m0s"
    );
    // litd's monotonic reading: the time since its start, 5 minutes here.
    let later = crate::gocompat::time::GoNow {
        wall: now,
        monotonic_nanos: 300_000_000_007,
    };
    assert_eq!(
        hl(0, 3600).check_bounds(&min, &max, later).unwrap_err(),
        "history-limit start date not valid for given the minimum required start date. \
         Start date should at least be 2023-11-13 22:13:20 +0000 UTC m=-86099.999999993 or the \
         duration should at least be 24h0m0s"
    );
    let min = hl(1_699_999_000, 0);
    assert_eq!(
        hl(1_699_999_000, 0)
            .check_bounds(&min, &max, now)
            .unwrap_err(),
        "history-limit start date not valid for given the minimum required start date. \
         Start date should at least be 2023-11-14 21:56:40 +0000 UTC or the duration should \
         at least be 16m40s"
    );
}

#[test]
fn bounds_on_chain_budget() {
    let b = |a, f| {
        Rule::OnChainBudget(OnChainBudget {
            absolute_amt_sats: a,
            max_sat_per_v_byte: f,
        })
    };
    let (min, max) = (b(10, 10), b(0, 0));
    assert_eq!(b(10, 10).check_bounds(&min, &max, at(0)), Ok(()));
    assert_eq!(
        b(9, 10).check_bounds(&min, &max, at(0)).unwrap_err(),
        "on-chain budget is below the minimum required amount"
    );
    assert_eq!(
        b(10, 9).check_bounds(&min, &max, at(0)).unwrap_err(),
        "on-chain fee rate limit is below the minimum required amount"
    );
    // Max is never looked at, whatever it is.
    assert_eq!(
        b(10, 10).check_bounds(&min, &rl((1, 1), (1, 1)), at(0)),
        Ok(())
    );
}

#[test]
fn bounds_channel_constraint() {
    let c = |lo, hi, push, private, public| {
        Rule::ChannelConstraint(ChannelConstraint {
            min_capacity_sat: lo,
            max_capacity_sat: hi,
            max_push_sat: push,
            private_allowed: private,
            public_allowed: public,
        })
    };
    let min = c(10, 10, 10, false, false);
    let max = c(20, 20, 20, true, true);
    assert_eq!(
        c(15, 15, 15, true, true).check_bounds(&min, &max, at(0)),
        Ok(())
    );
    let cases = [
        (c(9, 15, 15, true, true), &min, &max, "invalid min capacity"),
        (
            c(21, 15, 15, true, true),
            &min,
            &max,
            "invalid min capacity",
        ),
        (
            c(15, 21, 15, true, true),
            &min,
            &max,
            "invalid max capacity",
        ),
        (
            c(15, 15, 9, true, true),
            &min,
            &max,
            "invalid max push amount",
        ),
    ];
    for (v, lo, hi, text) in cases {
        assert_eq!(v.check_bounds(lo, hi, at(0)).unwrap_err(), text);
    }
    let max_no = c(20, 20, 20, false, false);
    let min_yes = c(10, 10, 10, true, true);
    let v = |p, q| c(15, 15, 15, p, q);
    let e = |v: Rule, lo: &Rule, hi: &Rule| v.check_bounds(lo, hi, at(0)).unwrap_err();
    assert_eq!(
        e(v(true, false), &min, &max_no),
        "private channels not allowed"
    );
    assert_eq!(
        e(v(false, true), &min, &max_no),
        "public channels not allowed"
    );
    assert_eq!(
        e(v(false, true), &min_yes, &max),
        "private channels must be allowed"
    );
    assert_eq!(
        e(v(true, false), &min_yes, &max),
        "public channels must be allowed"
    );
    assert_eq!(
        e(v(false, false), &min, &max),
        "at least one channel type must be allowed"
    );
}

#[test]
fn bounds_mismatched_types_and_restrictions() {
    let r = rl((1, 1), (1, 1));
    let other = hl(0, 1);
    assert_eq!(
        r.check_bounds(&other, &r, at(0)).unwrap_err(),
        "min value is not of type RateLimit"
    );
    assert_eq!(
        r.check_bounds(&r, &other, at(0)).unwrap_err(),
        "max value is not of type RateLimit"
    );
    assert_eq!(
        other.check_bounds(&r, &r, at(0)).unwrap_err(),
        "min value is not of type HistoryLimit"
    );
    let cr = json(CHANNEL_RESTRICTION, "{}").unwrap();
    let pr = json(PEER_RESTRICTION, "{}").unwrap();
    assert_eq!(cr.check_bounds(&r, &other, at(0)), Ok(()));
    assert_eq!(pr.check_bounds(&r, &other, at(0)), Ok(()));
}

#[test]
fn go_dumps_and_bounds_message() {
    let min = json(RATE_LIMIT, r#"{"write_limit":{"iterations":0,"num_hours":1},"read_limit":{"iterations":1,"num_hours":1}}"#).unwrap();
    let max = json(RATE_LIMIT, r#"{"write_limit":{"iterations":10,"num_hours":1},"read_limit":{"iterations":1000,"num_hours":1}}"#).unwrap();
    let v = rl((2000, 1), (1, 1));
    let specific = v.check_bounds(&min, &max, at(0)).unwrap_err();
    assert_eq!(
        bounds_error(RATE_LIMIT, "HealthCheck", &min, &max, &v, &specific),
        "rule value for rate-limit not valid for feature HealthCheck. Expected rule value \
         between &{%!s(*rules.Rate=&{0 1}) %!s(*rules.Rate=&{1 1})} and \
         &{%!s(*rules.Rate=&{10 1}) %!s(*rules.Rate=&{1000 1})}. Got \
         &{%!s(*rules.Rate=&{1 1}) %!s(*rules.Rate=&{2000 1})}. read limit is not between \
         the min and max"
    );
    assert_eq!(
        json(RATE_LIMIT, "{}").unwrap().go_dump(),
        "&{%!s(*rules.Rate=<nil>) %!s(*rules.Rate=<nil>)}"
    );
    assert_eq!(
        json(CHANNEL_RESTRICTION, r#"{"channel_deny_list":[1,2]}"#)
            .unwrap()
            .go_dump(),
        "&{[%!s(uint64=1) %!s(uint64=2)]}"
    );
    assert_eq!(
        json(PEER_RESTRICTION, r#"{"peer_deny_list":["a","b"]}"#)
            .unwrap()
            .go_dump(),
        "&{[a b]}"
    );
    assert_eq!(
        json(CHANNEL_POLICY_BOUNDS, r#"{"min_rate_ppm":3}"#)
            .unwrap()
            .go_dump(),
        "&{%!s(uint64=0) %!s(uint64=0) %!s(uint32=3) %!s(uint32=0) %!s(uint32=0) \
         %!s(uint32=0) %!s(uint64=0) %!s(uint64=0)}"
    );
    assert_eq!(
        json(ON_CHAIN_BUDGET, "{}").unwrap().go_dump(),
        "&{%!s(uint64=0) %!s(uint64=0)}"
    );
    assert_eq!(
        json(CHANNEL_CONSTRAINT, r#"{"public_allowed":true}"#)
            .unwrap()
            .go_dump(),
        "&{%!s(uint64=0) %!s(uint64=0) %!s(uint64=0) %!s(bool=false) %!s(bool=true)}"
    );
    assert_eq!(
        hl(0, 90).go_dump(),
        "&{0001-01-01 00:00:00 +0000 UTC 1m30s}"
    );
}
