//! Rule values as the domain sees them: one variant per member of litrpc's
//! `RuleValue` oneof. These mirror the wire shape (a request may carry any
//! member for any rule name); [`super::Rule`] is the checked, per-rule form.

/// A rate: `iterations` calls per `num_hours` hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Rate {
    pub(crate) iterations: u32,
    pub(crate) num_hours: u32,
}

/// Read and write rate limits. Either may be missing on the wire; litd would
/// dereference nil and crash, the mock rejects it instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    pub(crate) read_limit: Option<Rate>,
    pub(crate) write_limit: Option<Rate>,
}

/// litrpc's `ChannelPolicyBounds`: the fee policy range a channel policy
/// update must stay in (base fee and HTLC sizes in msat, rate in ppm, CLTV
/// delta in blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelPolicyBounds {
    pub(crate) min_base_msat: u64,
    pub(crate) max_base_msat: u64,
    pub(crate) min_rate_ppm: u32,
    pub(crate) max_rate_ppm: u32,
    pub(crate) min_cltv_delta: u32,
    pub(crate) max_cltv_delta: u32,
    pub(crate) min_htlc_msat: u64,
    pub(crate) max_htlc_msat: u64,
}

/// `start_time` is unix seconds; `duration` is seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryLimit {
    pub(crate) start_time: u64,
    pub(crate) duration: u64,
}

/// litrpc's `OffChainBudget` (amounts and fees in msat); no litd rule uses
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OffChainBudget {
    pub(crate) max_amt_msat: u64,
    pub(crate) max_fees_msat: u64,
}

/// litrpc's `OnChainBudget`: an absolute amount in sats and a fee rate cap
/// in sat/vbyte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OnChainBudget {
    pub(crate) absolute_amt_sats: u64,
    pub(crate) max_sat_per_v_byte: u64,
}

/// litrpc's `ChannelRestrict`: the channel IDs (short channel IDs as
/// integers) the autopilot must not act on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelRestrict {
    pub(crate) channel_ids: Vec<u64>,
}

/// litrpc's `PeerRestrict`: the peers (hex public keys) the autopilot must not
/// act on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerRestrict {
    pub(crate) peer_ids: Vec<String>,
}

/// litrpc's `ChannelConstraint`: capacity and push bounds in sats and
/// whether private and public channels may be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelConstraint {
    pub(crate) min_capacity_sat: u64,
    pub(crate) max_capacity_sat: u64,
    pub(crate) max_push_sat: u64,
    pub(crate) private_allowed: bool,
    pub(crate) public_allowed: bool,
}

/// The member set in a litrpc `RuleValue` oneof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleValue {
    /// `rate_limit`: the value of a `rate-limit` rule.
    RateLimit(RateLimit),
    /// `chan_policy_bounds`: the value of a `channel-policy-bounds` rule.
    ChanPolicyBounds(ChannelPolicyBounds),
    /// `history_limit`: the value of a `history-limit` rule.
    HistoryLimit(HistoryLimit),
    /// `off_chain_budget`, which no litd rule accepts.
    OffChainBudget(OffChainBudget),
    /// `on_chain_budget`: the value of an `on-chain-budget` rule.
    OnChainBudget(OnChainBudget),
    /// `send_to_self` (no fields), which no litd rule accepts.
    SendToSelf,
    /// `channel_restrict`: the value of a `channel-restriction` rule.
    ChannelRestrict(ChannelRestrict),
    /// `peer_restrict`: the value of a `peer-restriction` rule.
    PeerRestrict(PeerRestrict),
    /// `channel_constraint`: the value of a `channel-constraint` rule.
    ChannelConstraint(ChannelConstraint),
}

impl RuleValue {
    /// The Go type name litd prints for this oneof member in
    /// `incorrect RuleValue type <Go type>` errors.
    pub(crate) fn go_type_name(&self) -> &'static str {
        match self {
            RuleValue::RateLimit(_) => "*litrpc.RuleValue_RateLimit",
            RuleValue::ChanPolicyBounds(_) => "*litrpc.RuleValue_ChanPolicyBounds",
            RuleValue::HistoryLimit(_) => "*litrpc.RuleValue_HistoryLimit",
            RuleValue::OffChainBudget(_) => "*litrpc.RuleValue_OffChainBudget",
            RuleValue::OnChainBudget(_) => "*litrpc.RuleValue_OnChainBudget",
            RuleValue::SendToSelf => "*litrpc.RuleValue_SendToSelf",
            RuleValue::ChannelRestrict(_) => "*litrpc.RuleValue_ChannelRestrict",
            RuleValue::PeerRestrict(_) => "*litrpc.RuleValue_PeerRestrict",
            RuleValue::ChannelConstraint(_) => "*litrpc.RuleValue_ChannelConstraint",
        }
    }
}
