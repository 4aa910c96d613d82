//! `litrpc.Status.SubServerStatus` (front-door reference §4): litd's seven
//! status entries, filled in truthfully for the mock.
//!
//! What the mock is: a litd in remote mode whose lnd is connected (`lnd`
//! running; the mock answers for it), whose own sub-servers (`lit`: Sessions,
//! Firewall, Autopilot, Proxy, Status) run unless the start sequence failed
//! ([`Readiness`]), and which runs none of the other sub-servers: `accounts`,
//! `faraday`, `loop`, `pool` and `taproot-assets` are reported as litd
//! reports a sub-server switched off (`disabled: true`, not running), the
//! shape of litd's itest run C.

use std::collections::BTreeMap;

use super::readiness::Readiness;

/// litd's seven keys (`subservers/subserver.go`). There is no `autopilot`.
pub(crate) const SUB_SERVERS: [&str; 7] = [
    "lnd",
    "lit",
    "accounts",
    "faraday",
    "loop",
    "pool",
    "taproot-assets",
];

/// One entry of `SubServerStatusResp.sub_servers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SubServerState {
    pub(crate) disabled: bool,
    pub(crate) running: bool,
    pub(crate) error: String,
    pub(crate) custom_status: String,
}

impl SubServerState {
    fn running() -> Self {
        Self {
            running: true,
            ..Self::default()
        }
    }

    fn disabled() -> Self {
        Self {
            disabled: true,
            ..Self::default()
        }
    }

    /// litd's "errored": not running, with the error.
    fn errored(error: String) -> Self {
        Self {
            error,
            ..Self::default()
        }
    }
}

/// The whole answer: every key, sorted (as litd's REST body has them).
/// Autopilot being off (`--autopilot-disabled`) changes nothing here, as in
/// litd.
pub(crate) fn sub_server_status(readiness: &Readiness) -> BTreeMap<&'static str, SubServerState> {
    SUB_SERVERS
        .iter()
        .map(|&name| {
            let state = match name {
                "lnd" => SubServerState::running(),
                "lit" => match readiness.lit_error() {
                    None => SubServerState::running(),
                    Some(error) => SubServerState::errored(error),
                },
                _ => SubServerState::disabled(),
            };
            (name, state)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_entries_and_no_autopilot() {
        let status = sub_server_status(&Readiness::new());
        assert_eq!(
            status.keys().copied().collect::<Vec<_>>(),
            [
                "accounts",
                "faraday",
                "lit",
                "lnd",
                "loop",
                "pool",
                "taproot-assets"
            ]
        );
        assert!(!status.contains_key("autopilot"));
        assert_eq!(status["lit"], SubServerState::running());
        assert_eq!(status["lnd"], SubServerState::running());
        for off in ["accounts", "faraday", "loop", "pool", "taproot-assets"] {
            assert_eq!(
                status[off],
                SubServerState {
                    disabled: true,
                    running: false,
                    error: String::new(),
                    custom_status: String::new()
                },
                "{off}"
            );
        }
    }

    #[test]
    fn a_failed_start_shows_in_lit_only() {
        let r = Readiness::new();
        r.record_lit_failure(crate::domain::lifecycle::lit_start_error(
            "could not start the autopilot client: rpc error: code = Unavailable desc = down",
        ));
        let status = sub_server_status(&r);
        assert_eq!(
            status["lit"],
            SubServerState {
                disabled: false,
                running: false,
                error: "could not start Lit: could not start litd sub-servers: could not start \
                        the autopilot client: rpc error: code = Unavailable desc = down"
                    .to_string(),
                custom_status: String::new(),
            }
        );
        assert_eq!(status["lnd"], SubServerState::running());
    }
}
