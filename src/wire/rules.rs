//! Rule values between litrpc's `RuleValue` oneof and the domain's.

use crate::domain::rules as d;
use crate::proto::litrpc as p;
use p::rule_value::Value as V;

fn rate_in(r: Option<p::Rate>) -> Option<d::Rate> {
    r.map(|r| d::Rate {
        iterations: r.iterations,
        num_hours: r.num_hours,
    })
}

fn rate_out(r: Option<d::Rate>) -> Option<p::Rate> {
    r.map(|r| p::Rate {
        iterations: r.iterations,
        num_hours: r.num_hours,
    })
}

/// A litrpc `RuleValue` in the domain's form; `None` when no oneof member is
/// set (litd then says `incorrect RuleValue type`).
pub fn rule_value_in(v: p::RuleValue) -> Option<d::RuleValue> {
    Some(match v.value? {
        V::RateLimit(r) => d::RuleValue::RateLimit(d::RateLimit {
            read_limit: rate_in(r.read_limit),
            write_limit: rate_in(r.write_limit),
        }),
        V::ChanPolicyBounds(b) => d::RuleValue::ChanPolicyBounds(d::ChannelPolicyBounds {
            min_base_msat: b.min_base_msat,
            max_base_msat: b.max_base_msat,
            min_rate_ppm: b.min_rate_ppm,
            max_rate_ppm: b.max_rate_ppm,
            min_cltv_delta: b.min_cltv_delta,
            max_cltv_delta: b.max_cltv_delta,
            min_htlc_msat: b.min_htlc_msat,
            max_htlc_msat: b.max_htlc_msat,
        }),
        V::HistoryLimit(h) => d::RuleValue::HistoryLimit(d::HistoryLimit {
            start_time: h.start_time,
            duration: h.duration,
        }),
        V::OffChainBudget(b) => d::RuleValue::OffChainBudget(d::OffChainBudget {
            max_amt_msat: b.max_amt_msat,
            max_fees_msat: b.max_fees_msat,
        }),
        V::OnChainBudget(b) => d::RuleValue::OnChainBudget(d::OnChainBudget {
            absolute_amt_sats: b.absolute_amt_sats,
            max_sat_per_v_byte: b.max_sat_per_v_byte,
        }),
        V::SendToSelf(_) => d::RuleValue::SendToSelf,
        V::ChannelRestrict(c) => d::RuleValue::ChannelRestrict(d::ChannelRestrict {
            channel_ids: c.channel_ids,
        }),
        V::PeerRestrict(c) => d::RuleValue::PeerRestrict(d::PeerRestrict {
            peer_ids: c.peer_ids,
        }),
        V::ChannelConstraint(c) => d::RuleValue::ChannelConstraint(d::ChannelConstraint {
            min_capacity_sat: c.min_capacity_sat,
            max_capacity_sat: c.max_capacity_sat,
            max_push_sat: c.max_push_sat,
            private_allowed: c.private_allowed,
            public_allowed: c.public_allowed,
        }),
    })
}

/// A domain rule value as litrpc's `RuleValue`, with the same oneof member
/// set.
pub fn rule_value_out(v: d::RuleValue) -> p::RuleValue {
    let value = match v {
        d::RuleValue::RateLimit(r) => V::RateLimit(p::RateLimit {
            read_limit: rate_out(r.read_limit),
            write_limit: rate_out(r.write_limit),
        }),
        d::RuleValue::ChanPolicyBounds(b) => V::ChanPolicyBounds(p::ChannelPolicyBounds {
            min_base_msat: b.min_base_msat,
            max_base_msat: b.max_base_msat,
            min_rate_ppm: b.min_rate_ppm,
            max_rate_ppm: b.max_rate_ppm,
            min_cltv_delta: b.min_cltv_delta,
            max_cltv_delta: b.max_cltv_delta,
            min_htlc_msat: b.min_htlc_msat,
            max_htlc_msat: b.max_htlc_msat,
        }),
        d::RuleValue::HistoryLimit(h) => V::HistoryLimit(p::HistoryLimit {
            start_time: h.start_time,
            duration: h.duration,
        }),
        d::RuleValue::OffChainBudget(b) => V::OffChainBudget(p::OffChainBudget {
            max_amt_msat: b.max_amt_msat,
            max_fees_msat: b.max_fees_msat,
        }),
        d::RuleValue::OnChainBudget(b) => V::OnChainBudget(p::OnChainBudget {
            absolute_amt_sats: b.absolute_amt_sats,
            max_sat_per_v_byte: b.max_sat_per_v_byte,
        }),
        d::RuleValue::SendToSelf => V::SendToSelf(p::SendToSelf {}),
        d::RuleValue::ChannelRestrict(c) => V::ChannelRestrict(p::ChannelRestrict {
            channel_ids: c.channel_ids,
        }),
        d::RuleValue::PeerRestrict(c) => V::PeerRestrict(p::PeerRestrict {
            peer_ids: c.peer_ids,
        }),
        d::RuleValue::ChannelConstraint(c) => V::ChannelConstraint(p::ChannelConstraint {
            min_capacity_sat: c.min_capacity_sat,
            max_capacity_sat: c.max_capacity_sat,
            max_push_sat: c.max_push_sat,
            private_allowed: c.private_allowed,
            public_allowed: c.public_allowed,
        }),
    };
    p::RuleValue { value: Some(value) }
}
