//! Macaroons already verified, so a client that sends the same macaroon on
//! every call pays for the hex decoding, parsing and HMAC chain once.
//!
//! Only what does not depend on the time is kept: the decoded, signature-
//! checked operations and caveats ([`Init::Valid`] without init errors,
//! which only login macaroons have and which depend on the time). Caveats
//! are still checked on every call, against that call's time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::verify::Init;

/// Macaroons kept at most; the memo starts over when full (a client sends
/// one macaroon, a test suite a handful).
const CAPACITY: usize = 64;

/// Verified macaroons by their header text (hex, as sent).
#[derive(Default)]
pub(crate) struct VerifiedMemo {
    entries: Mutex<HashMap<Vec<u8>, Arc<Init>>>,
}

impl VerifiedMemo {
    fn lock(&self) -> MutexGuard<'_, HashMap<Vec<u8>, Arc<Init>>> {
        // Each critical section is one lookup or insert: a poisoned lock
        // still guards a valid map.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, header: &[u8]) -> Option<Arc<Init>> {
        self.lock().get(header).cloned()
    }

    /// Keeps `init` if it does not depend on the time; returns it shared.
    pub(crate) fn keep(&self, header: &[u8], init: Init) -> Arc<Init> {
        let init = Arc::new(init);
        if matches!(&*init, Init::Valid { init_errors, .. } if init_errors.is_empty()) {
            let mut entries = self.lock();
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(header.to_vec(), init.clone());
        }
        init
    }

    #[cfg(test)]
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::super::{Authenticator, URI_ENTITY};

    const LIST: &str = "/litrpc.Autopilot/ListAutopilotSessions";
    const ADD: &str = "/litrpc.Autopilot/AddAutopilotSession";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn check(a: &Authenticator, raw: &[u8], method: &str, now: SystemTime) -> Result<(), String> {
        a.check(&[&hex::encode(raw)], method, now)
            .map_err(|e| e.message)
    }

    #[test]
    fn a_remembered_macaroon_answers_as_a_fresh_check_does() {
        let a = Authenticator::new([7; 32]);
        let cases = [
            a.bake(&[("autopilot", &["read"])], &[]),
            a.bake(&[("autopilot", &["read", "write"])], &[]),
            a.bake(&[(URI_ENTITY, &[LIST])], &["ipaddr 1.2.3.4"]),
            a.bake(&[("login", &["login"])], &[]),
            Authenticator::new([8; 32]).bake(&[("autopilot", &["read"])], &[]),
        ];
        for raw in &cases {
            for method in [LIST, ADD] {
                let fresh = check(&Authenticator::new([7; 32]), raw, method, at(1));
                assert_eq!(check(&a, raw, method, at(1)), fresh);
                assert_eq!(check(&a, raw, method, at(1)), fresh, "second check");
            }
        }
        // The two valid non-login macaroons and the ipaddr one are kept;
        // the login one (time-dependent) and the foreign one are not.
        assert_eq!(a.verified.len(), 3);
    }

    #[test]
    fn caveats_are_checked_at_each_calls_time() {
        let a = Authenticator::new([7; 32]);
        let raw = a.bake(
            &[(URI_ENTITY, &[LIST])],
            &["time-before 2030-01-01T00:00:00Z"],
        );
        assert_eq!(check(&a, &raw, LIST, at(1_800_000_000)), Ok(()));
        let later = check(&a, &raw, LIST, at(1_900_000_000));
        assert!(
            later
                .as_ref()
                .is_err_and(|e| e.contains("macaroon has expired")),
            "{later:?}"
        );
    }

    #[test]
    fn a_new_root_key_forgets_what_was_verified() {
        let mut a = Authenticator::new([7; 32]);
        let raw = a.bake(&[("autopilot", &["read"])], &[]);
        assert_eq!(check(&a, &raw, LIST, at(1)), Ok(()));
        a.insert_root_key(b"0", [9; 32]);
        assert!(check(&a, &raw, LIST, at(1)).is_err());
    }
}
