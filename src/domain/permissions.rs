//! litd's permission knowledge that session recipes and super macaroons are
//! made from: the "active" entity:action set (lnd's and lit's, with no
//! sub-daemon enabled: the mock runs none) and the method URIs litd knows.
//!
//! litd knows every URI of lnd, lit and its enabled sub-daemons (hundreds).
//! The mock knows lit's own and a list of lnd's common ones (below); a URI
//! outside it is treated as litd treats an unknown one: as a regular
//! expression, which matches what it matches among the known URIs
//! (litd-front-door.md §5.3).

use super::session::Permission;

/// lnd's entity for per-method permissions.
pub(crate) const URI_ENTITY: &str = "uri";

/// The custom-permission keyword for "every read permission".
pub(crate) const READONLY_KEYWORD: &str = "***readonly***";

/// Every entity:action pair litd's macaroon service holds with no
/// sub-daemon: lnd's read and write permissions, then lit's
/// (`perms/permissions.go`). Sorted by entity.
pub(crate) const ACTIVE_PERMISSIONS: &[(&str, &[&str])] = &[
    ("account", &["read", "write"]),
    ("actions", &["read"]),
    ("address", &["read", "write"]),
    ("autopilot", &["read", "write"]),
    ("info", &["read", "write"]),
    ("invoices", &["read", "write"]),
    ("macaroon", &["generate", "read", "write"]),
    ("message", &["read", "write"]),
    ("offchain", &["read", "write"]),
    ("onchain", &["read", "write"]),
    ("peers", &["read", "write"]),
    ("privacymap", &["read"]),
    ("proxy", &["read", "write"]),
    ("sessions", &["read", "write"]),
    ("signer", &["generate", "read"]),
    ("supermacaroon", &["write"]),
];

/// The method URIs the mock knows litd to know: lit's own and a subset of
/// lnd's and the sub-daemons'. Sorted.
pub(crate) const KNOWN_URIS: &[&str] = &[
    "/frdrpc.FaradayServer/ChannelInsights",
    "/frdrpc.FaradayServer/ExchangeRate",
    "/frdrpc.FaradayServer/NodeAudit",
    "/frdrpc.FaradayServer/OutlierRecommendations",
    "/frdrpc.FaradayServer/RevenueReport",
    "/frdrpc.FaradayServer/ThresholdRecommendations",
    "/litrpc.Accounts/AccountInfo",
    "/litrpc.Accounts/CreateAccount",
    "/litrpc.Accounts/ListAccounts",
    "/litrpc.Accounts/RemoveAccount",
    "/litrpc.Accounts/UpdateAccount",
    "/litrpc.Autopilot/AddAutopilotSession",
    "/litrpc.Autopilot/ListAutopilotFeatures",
    "/litrpc.Autopilot/ListAutopilotSessions",
    "/litrpc.Autopilot/RevokeAutopilotSession",
    "/litrpc.Firewall/ListActions",
    "/litrpc.Firewall/PrivacyMapConversion",
    "/litrpc.Proxy/BakeSuperMacaroon",
    "/litrpc.Proxy/GetInfo",
    "/litrpc.Proxy/StopDaemon",
    "/litrpc.Sessions/AddSession",
    "/litrpc.Sessions/ListSessions",
    "/litrpc.Sessions/RevokeSession",
    "/lnrpc.Lightning/AddInvoice",
    "/lnrpc.Lightning/ChannelBalance",
    "/lnrpc.Lightning/CloseChannel",
    "/lnrpc.Lightning/ClosedChannels",
    "/lnrpc.Lightning/ConnectPeer",
    "/lnrpc.Lightning/DecodePayReq",
    "/lnrpc.Lightning/DescribeGraph",
    "/lnrpc.Lightning/DisconnectPeer",
    "/lnrpc.Lightning/EstimateFee",
    "/lnrpc.Lightning/FeeReport",
    "/lnrpc.Lightning/ForwardingHistory",
    "/lnrpc.Lightning/GetChanInfo",
    "/lnrpc.Lightning/GetInfo",
    "/lnrpc.Lightning/GetNetworkInfo",
    "/lnrpc.Lightning/GetNodeInfo",
    "/lnrpc.Lightning/GetTransactions",
    "/lnrpc.Lightning/ListChannels",
    "/lnrpc.Lightning/ListInvoices",
    "/lnrpc.Lightning/ListPayments",
    "/lnrpc.Lightning/ListPeers",
    "/lnrpc.Lightning/ListUnspent",
    "/lnrpc.Lightning/LookupInvoice",
    "/lnrpc.Lightning/NewAddress",
    "/lnrpc.Lightning/OpenChannel",
    "/lnrpc.Lightning/OpenChannelSync",
    "/lnrpc.Lightning/PendingChannels",
    "/lnrpc.Lightning/QueryRoutes",
    "/lnrpc.Lightning/SendCoins",
    "/lnrpc.Lightning/SendPaymentSync",
    "/lnrpc.Lightning/SignMessage",
    "/lnrpc.Lightning/SubscribeChannelEvents",
    "/lnrpc.Lightning/SubscribeInvoices",
    "/lnrpc.Lightning/UpdateChannelPolicy",
    "/lnrpc.Lightning/VerifyMessage",
    "/lnrpc.Lightning/WalletBalance",
    "/routerrpc.Router/SendPaymentV2",
    "/routerrpc.Router/TrackPaymentV2",
];

/// What one custom `uri:<action>` permission stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UriRule {
    /// `***readonly***`: every read permission.
    ReadOnly,
    /// These known URIs (one for an exact match, any number, none
    /// included, for a regular expression).
    Uris(Vec<&'static str>),
    /// Neither a known URI nor a regular expression.
    Unknown,
}

/// litd's reading of a custom `uri` permission: the keyword, a known URI,
/// else a regular expression matched (unanchored) against every known URI.
/// Go's RE2 syntax and the `regex` crate's agree on everything but corner
/// cases (e.g. `\C`, which the crate refuses).
pub(crate) fn resolve_uri(action: &str) -> UriRule {
    if action == READONLY_KEYWORD {
        return UriRule::ReadOnly;
    }
    if let Ok(i) = KNOWN_URIS.binary_search(&action) {
        return UriRule::Uris(vec![KNOWN_URIS[i]]);
    }
    match regex::Regex::new(action) {
        Ok(re) => UriRule::Uris(
            KNOWN_URIS
                .iter()
                .copied()
                .filter(|u| re.is_match(u))
                .collect(),
        ),
        Err(_) => UriRule::Unknown,
    }
}

/// Every `entity:read` pair of the active set.
pub(crate) fn active_read_permissions() -> impl Iterator<Item = Permission> {
    ACTIVE_PERMISSIONS
        .iter()
        .filter(|(_, actions)| actions.contains(&"read"))
        .map(|(entity, _)| Permission {
            entity: (*entity).to_string(),
            action: "read".to_string(),
        })
}

/// The ops a super macaroon gets (§7.2): every pair of the active set, or
/// with `read_only` those whose action is `read`.
pub(crate) fn super_macaroon_ops(read_only: bool) -> Vec<(&'static str, Vec<&'static str>)> {
    ACTIVE_PERMISSIONS
        .iter()
        .map(|(entity, actions)| {
            let actions = actions
                .iter()
                .copied()
                .filter(|a| !read_only || *a == "read")
                .collect::<Vec<_>>();
            (*entity, actions)
        })
        .filter(|(_, actions)| !actions.is_empty())
        .collect()
}

/// Go's `%#U` of one byte read as a rune: `U+0067 'g'`, without the quoted
/// character when it is not printable.
pub(crate) fn go_sharp_u(b: u8) -> String {
    let c = char::from(b);
    if c.is_control() || (0x7f..=0xa0).contains(&b) || b == 0xad {
        format!("U+{:04X}", u32::from(b))
    } else {
        format!("U+{:04X} '{c}'", u32::from(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_lookup() {
        assert!(KNOWN_URIS.windows(2).all(|w| w[0] < w[1]));
        assert!(ACTIVE_PERMISSIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn uris_resolve_as_litd_resolves_them() {
        assert_eq!(resolve_uri("***readonly***"), UriRule::ReadOnly);
        assert_eq!(
            resolve_uri("/lnrpc.Lightning/GetInfo"),
            UriRule::Uris(vec!["/lnrpc.Lightning/GetInfo"])
        );
        assert_eq!(
            resolve_uri("/frdrpc.FaradayServer/RevenueReport"),
            UriRule::Uris(vec!["/frdrpc.FaradayServer/RevenueReport"])
        );
        // Unknown but a regex: matches nothing, silently.
        assert_eq!(
            resolve_uri("/lnrpc.Lightning/GetInfoX"),
            UriRule::Uris(vec![])
        );
        assert_eq!(
            resolve_uri("^/litrpc.Sessions/"),
            UriRule::Uris(vec![
                "/litrpc.Sessions/AddSession",
                "/litrpc.Sessions/ListSessions",
                "/litrpc.Sessions/RevokeSession",
            ])
        );
        assert_eq!(resolve_uri("("), UriRule::Unknown);
    }

    #[test]
    fn super_macaroon_ops_are_the_active_set() {
        let read_only = super_macaroon_ops(true);
        assert!(read_only.iter().all(|(_, a)| a == &["read"]));
        assert!(!read_only.iter().any(|(e, _)| *e == "supermacaroon"));
        assert!(read_only.iter().any(|(e, _)| *e == "sessions"));
        let all = super_macaroon_ops(false);
        assert_eq!(all.len(), ACTIVE_PERMISSIONS.len());
    }

    #[test]
    fn go_sharp_u_quotes_printable_bytes_only() {
        assert_eq!(go_sharp_u(b'g'), "U+0067 'g'");
        assert_eq!(go_sharp_u(0), "U+0000");
        assert_eq!(go_sharp_u(0xc3), "U+00C3 'Ã'");
    }
}
