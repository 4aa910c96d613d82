//! The seven rules litd knows (`rules/manager_set.go`), in the checked form
//! litd's rule managers hold them, with everything `AddAutopilotSession`,
//! `ListAutopilotSessions` and `ListAutopilotFeatures` do with them:
//! parsing a request's value (step 6b), parsing the remote server's JSON
//! (steps 6f/6h and the feature list), the bounds check (step 6g), the JSON
//! that goes into the rules caveat, and the proto form shown to callers.
//!
//! litd's texts come from Go's `encoding/json`, `time` and `fmt` packages,
//! reproduced in [`crate::gocompat`].

mod value;
pub(crate) use value::*;

mod channel_constraint;
mod channel_policy_bounds;
mod channel_restrict;
mod history_limit;
mod on_chain_budget;
mod peer_restrict;
mod rate_limit;

use crate::gocompat::json as go_json;
pub(crate) use crate::gocompat::json::quote as go_json_quote;
pub(crate) use channel_restrict::ChannelRestrictRule;
pub(crate) use history_limit::HistoryLimitRule;
pub(crate) use peer_restrict::PeerRestrictRule;

pub(crate) const RATE_LIMIT: &str = "rate-limit";
pub(crate) const CHANNEL_POLICY_BOUNDS: &str = "channel-policy-bounds";
pub(crate) const HISTORY_LIMIT: &str = "history-limit";
pub(crate) const ON_CHAIN_BUDGET: &str = "on-chain-budget";
pub(crate) const CHANNEL_RESTRICTION: &str = "channel-restriction";
pub(crate) const PEER_RESTRICTION: &str = "peer-restriction";
pub(crate) const CHANNEL_CONSTRAINT: &str = "channel-constraint";

/// Every rule name litd has a manager for, sorted.
pub const KNOWN_RULE_NAMES: [&str; 7] = [
    CHANNEL_CONSTRAINT,
    CHANNEL_POLICY_BOUNDS,
    CHANNEL_RESTRICTION,
    HISTORY_LIMIT,
    ON_CHAIN_BUDGET,
    PEER_RESTRICTION,
    RATE_LIMIT,
];

pub(crate) fn is_known(name: &str) -> bool {
    KNOWN_RULE_NAMES.contains(&name)
}

fn unknown(name: &str) -> String {
    format!("unknown rule {name}, please upgrade")
}

/// A checked value of one of the 7 known rules (the form litd's rule
/// managers hold). The `off_chain_budget` and `send_to_self` members of
/// the proto oneof have no manager, so they have no variant.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `rate-limit`. Both limits are set for a request value; from the
    /// server's JSON a limit may be missing (Go's nil pointer).
    RateLimit(RateLimit),
    /// `channel-policy-bounds`.
    ChanPolicyBounds(ChannelPolicyBounds),
    /// `history-limit`: a fixed start date or a duration back from now.
    HistoryLimit(HistoryLimitRule),
    /// `on-chain-budget`.
    OnChainBudget(OnChainBudget),
    /// `channel-restriction`: channel IDs the autopilot must not act on.
    ChannelRestrict(ChannelRestrictRule),
    /// `peer-restriction`: peers the autopilot must not act on.
    PeerRestrict(PeerRestrictRule),
    /// `channel-constraint`.
    ChannelConstraint(ChannelConstraint),
}

impl Rule {
    /// Step 6b: parse a request's value for rule `name` (`None` = oneof not
    /// set). Errors are litd's: `unknown rule <name>, please upgrade`,
    /// `incorrect RuleValue type` (with the Go type for on-chain-budget and
    /// channel-constraint), and the rule-specific checks. A rate-limit
    /// without both limits would crash litd; the mock refuses it with
    /// `rate-limit needs both read_limit and write_limit`.
    pub fn from_request(name: &str, value: Option<&RuleValue>) -> Result<Rule, String> {
        match name {
            RATE_LIMIT => rate_limit::from_value(value).map(Rule::RateLimit),
            CHANNEL_POLICY_BOUNDS => {
                channel_policy_bounds::from_value(value).map(Rule::ChanPolicyBounds)
            }
            HISTORY_LIMIT => history_limit::from_value(value).map(Rule::HistoryLimit),
            ON_CHAIN_BUDGET => on_chain_budget::from_value(value).map(Rule::OnChainBudget),
            CHANNEL_RESTRICTION => channel_restrict::from_value(value).map(Rule::ChannelRestrict),
            PEER_RESTRICTION => peer_restrict::from_value(value).map(Rule::PeerRestrict),
            CHANNEL_CONSTRAINT => {
                channel_constraint::from_value(value).map(Rule::ChannelConstraint)
            }
            _ => Err(unknown(name)),
        }
    }

    /// Parse JSON bytes from the remote server (`Rule.default`, `min_value`,
    /// `max_value`) as litd's `json.Unmarshal` into the rule's struct would:
    /// syntax errors first, in Go's words; keys matched case-insensitively,
    /// unknown keys ignored; the first type mismatch reported after the
    /// whole value was read.
    pub fn from_json(name: &str, json: &[u8]) -> Result<Rule, String> {
        if !is_known(name) {
            return Err(unknown(name));
        }
        let doc = go_json::parse(json)?;
        let mut dec = go_json::Dec::default();
        let rule = match name {
            RATE_LIMIT => Rule::RateLimit(rate_limit::decode(&mut dec, &doc)),
            CHANNEL_POLICY_BOUNDS => {
                Rule::ChanPolicyBounds(channel_policy_bounds::decode(&mut dec, &doc))
            }
            HISTORY_LIMIT => Rule::HistoryLimit(history_limit::decode(&mut dec, &doc)?),
            ON_CHAIN_BUDGET => Rule::OnChainBudget(on_chain_budget::decode(&mut dec, &doc)),
            CHANNEL_RESTRICTION => Rule::ChannelRestrict(channel_restrict::decode(&mut dec, &doc)),
            PEER_RESTRICTION => Rule::PeerRestrict(peer_restrict::decode(&mut dec, &doc)),
            _ => Rule::ChannelConstraint(channel_constraint::decode(&mut dec, &doc)),
        };
        dec.finish()?;
        Ok(rule)
    }

    #[cfg(test)]
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Rule::RateLimit(_) => RATE_LIMIT,
            Rule::ChanPolicyBounds(_) => CHANNEL_POLICY_BOUNDS,
            Rule::HistoryLimit(_) => HISTORY_LIMIT,
            Rule::OnChainBudget(_) => ON_CHAIN_BUDGET,
            Rule::ChannelRestrict(_) => CHANNEL_RESTRICTION,
            Rule::PeerRestrict(_) => PEER_RESTRICTION,
            Rule::ChannelConstraint(_) => CHANNEL_CONSTRAINT,
        }
    }

    /// The Go struct name, as litd's "min value is not of type X" says it.
    fn go_struct(&self) -> &'static str {
        match self {
            Rule::RateLimit(_) => "RateLimit",
            Rule::ChanPolicyBounds(_) => "ChanPolicyBounds",
            Rule::HistoryLimit(_) => "HistoryLimit",
            Rule::OnChainBudget(_) => "OnChainBudget",
            Rule::ChannelRestrict(_) => "ChannelRestrict",
            Rule::PeerRestrict(_) => "PeerRestrict",
            Rule::ChannelConstraint(_) => "ChannelConstraint",
        }
    }

    /// Compact JSON exactly as Go's `json.Marshal` writes litd's struct.
    /// The one value Go cannot write is a history-limit start date outside
    /// years 0..=9999 (a request `start_time` beyond year 9999); litd then
    /// fails the call with [`Rule::try_to_json`]'s error. This method writes
    /// the year anyway so it never fails; use `try_to_json` where litd
    /// would marshal (the rules caveat).
    pub(crate) fn to_json(&self) -> String {
        match self {
            Rule::HistoryLimit(v) => history_limit::to_json_unchecked(v),
            other => other.try_to_json().unwrap_or_default(),
        }
    }

    /// `Rule::to_json`, failing where Go's marshaller fails, with its text
    /// (`json: error calling MarshalJSON for type time.Time: ...`).
    pub fn try_to_json(&self) -> Result<String, String> {
        Ok(match self {
            Rule::RateLimit(v) => rate_limit::to_json(v),
            Rule::ChanPolicyBounds(v) => channel_policy_bounds::to_json(v),
            Rule::HistoryLimit(v) => return history_limit::try_to_json(v),
            Rule::OnChainBudget(v) => on_chain_budget::to_json(v),
            Rule::ChannelRestrict(v) => channel_restrict::to_json(v),
            Rule::PeerRestrict(v) => peer_restrict::to_json(v),
            Rule::ChannelConstraint(v) => channel_constraint::to_json(v),
        })
    }

    /// Back to the proto form (litd's `ToProto`). history-limit: start_time
    /// is Go's `StartDate.Unix()` as u64 (the zero time wraps to
    /// 18446744011573954816), duration in whole seconds. A rate-limit limit
    /// missing from server JSON stays unset (litd would crash on it).
    pub fn to_value(&self) -> RuleValue {
        match self {
            Rule::RateLimit(v) => RuleValue::RateLimit(*v),
            Rule::ChanPolicyBounds(v) => RuleValue::ChanPolicyBounds(*v),
            Rule::HistoryLimit(v) => history_limit::to_value(v),
            Rule::OnChainBudget(v) => RuleValue::OnChainBudget(*v),
            Rule::ChannelRestrict(v) => channel_restrict::to_value(v),
            Rule::PeerRestrict(v) => peer_restrict::to_value(v),
            Rule::ChannelConstraint(v) => RuleValue::ChannelConstraint(*v),
        }
    }

    /// Step 6g: the rule's own check against the server's min and max
    /// (litd's `VerifySane`); `Err` is the specific text for
    /// [`bounds_error`]. Like litd, a min (then max) of another rule type is
    /// refused with `min value is not of type <X>`, and only where litd
    /// looks at it: history-limit and on-chain-budget ignore max, the two
    /// restriction rules check nothing.
    pub(crate) fn check_bounds(
        &self,
        min: &Rule,
        max: &Rule,
        now: impl Into<crate::gocompat::time::GoNow>,
    ) -> Result<(), String> {
        let now = now.into();
        use std::mem::discriminant as kind;
        let uses_max = matches!(
            self,
            Rule::RateLimit(_) | Rule::ChanPolicyBounds(_) | Rule::ChannelConstraint(_)
        );
        let uses_min = uses_max || matches!(self, Rule::HistoryLimit(_) | Rule::OnChainBudget(_));
        if uses_min && kind(self) != kind(min) {
            return Err(format!("min value is not of type {}", self.go_struct()));
        }
        if uses_max && kind(self) != kind(max) {
            return Err(format!("max value is not of type {}", self.go_struct()));
        }
        match (self, min, max) {
            (Rule::RateLimit(v), Rule::RateLimit(lo), Rule::RateLimit(hi)) => {
                rate_limit::check(v, lo, hi)
            }
            (Rule::ChanPolicyBounds(v), Rule::ChanPolicyBounds(lo), Rule::ChanPolicyBounds(hi)) => {
                channel_policy_bounds::check(v, lo, hi)
            }
            (Rule::HistoryLimit(v), Rule::HistoryLimit(lo), _) => history_limit::check(v, lo, now),
            (Rule::OnChainBudget(v), Rule::OnChainBudget(lo), _) => on_chain_budget::check(v, lo),
            (
                Rule::ChannelConstraint(v),
                Rule::ChannelConstraint(lo),
                Rule::ChannelConstraint(hi),
            ) => channel_constraint::check(v, lo, hi),
            // channel-restriction and peer-restriction: litd checks nothing.
            _ => Ok(()),
        }
    }

    /// The value as Go's `fmt` prints it with `%s` (litd's step-6g message
    /// formats the min, max and value that way): `&{...}`. No pointer
    /// addresses appear: with `%s`, fmt prints pointer fields through its
    /// bad-verb path, which shows the value behind them, e.g.
    /// `&{%!s(*rules.Rate=&{1 1}) %!s(*rules.Rate=&{10 1})}`.
    pub fn go_dump(&self) -> String {
        match self {
            Rule::RateLimit(v) => rate_limit::go_dump(v),
            Rule::ChanPolicyBounds(v) => channel_policy_bounds::go_dump(v),
            Rule::HistoryLimit(v) => history_limit::go_dump(v),
            Rule::OnChainBudget(v) => on_chain_budget::go_dump(v),
            Rule::ChannelRestrict(v) => channel_restrict::go_dump(v),
            Rule::PeerRestrict(v) => peer_restrict::go_dump(v),
            Rule::ChannelConstraint(v) => channel_constraint::go_dump(v),
        }
    }
}

/// Step 6g's full message.
pub(crate) fn bounds_error(
    rule: &str,
    feature: &str,
    min: &Rule,
    max: &Rule,
    value: &Rule,
    specific: &str,
) -> String {
    format!(
        "rule value for {rule} not valid for feature {feature}. Expected rule value between \
         {} and {}. Got {}. {specific}",
        min.go_dump(),
        max.go_dump(),
        value.go_dump()
    )
}

#[cfg(test)]
mod bounds_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
