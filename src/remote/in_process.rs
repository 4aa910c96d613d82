//! The default remote autopilot server, in process: litd's Go test server's
//! behaviour (reference §4.1) over a [`Catalogue`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use rand::rngs::StdRng;
use rand::SeedableRng;
use secp256k1::PublicKey;

use super::catalogue::Catalogue;
use crate::domain::keys::{verify_group_link, KeySequence};
use crate::domain::remote::{
    BoxFuture, Registration, RemoteAutopilot, RemoteError, RemoteFeature, RemoteKey, Version,
};

/// What the test server remembers of a registered client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    /// Registered, or activated again by a ping.
    Active,
    /// Told by `RevokeSession` that the session is revoked.
    Revoked,
}

#[derive(Debug, Clone)]
struct Client {
    state: ClientState,
    privacy_flags: u64,
}

/// The in-process server. Cheap to share (`Arc` inside).
#[derive(Clone)]
pub struct InProcessRemote {
    inner: Arc<Inner>,
}

struct Inner {
    catalogue: Mutex<Catalogue>,
    clients: Mutex<HashMap<Vec<u8>, Client>>,
    /// The test server's side of each session. Only the public key is ever
    /// used: no one holds it privately, litd stores and shows it.
    keys: Mutex<KeySequence>,
}

impl InProcessRemote {
    /// A server whose keys are drawn from the OS's randomness.
    pub fn new(catalogue: Catalogue) -> Self {
        Self::with_seed(catalogue, None)
    }

    /// `seed`: the same seed and the same registrations give the same
    /// initiator keys (`serve --seed` derives this server's seed from its own).
    pub(crate) fn with_seed(catalogue: Catalogue, seed: Option<u64>) -> Self {
        let mut rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Self {
            inner: Arc::new(Inner {
                catalogue: Mutex::new(catalogue),
                clients: Mutex::new(HashMap::new()),
                keys: Mutex::new(KeySequence::new(&mut rng)),
            }),
        }
    }

    /// A fresh initiator key, as a registration gets one (see
    /// [`KeySequence`]: a point addition); also a stub script's `random` key.
    pub(crate) fn draw_key(&self) -> PublicKey {
        lock(&self.inner.keys).next_pair().1
    }

    /// Replaces the catalogue (features and Terms version).
    pub(crate) fn set_catalogue(&self, catalogue: Catalogue) {
        *lock(&self.inner.catalogue) = catalogue;
    }

    /// Forgets every registered client.
    pub fn reset_clients(&self) {
        lock(&self.inner.clients).clear();
    }

    /// The state and privacy flags the server holds for a responder key.
    pub fn client(&self, responder_key: &[u8]) -> Option<(ClientState, u64)> {
        lock(&self.inner.clients)
            .get(responder_key)
            .map(|c| (c.state, c.privacy_flags))
    }

    /// Knows again the sessions of a restored store that it had registered
    /// before the restart (a real server would still know them), so a
    /// session linking to a restored group is not refused with "unknown
    /// group key".
    pub(crate) fn know_restored(&self, snapshot: &crate::domain::StoreSnapshot) {
        for s in snapshot
            .sessions
            .iter()
            .filter(|s| s.remote_public_key.is_some())
        {
            self.force_register(&s.local_public_key, s.privacy_flags);
        }
    }

    /// Records `responder_key` as an active client without the test server's
    /// checks: a scripted successful registration, so later default answers
    /// (activate, revoke, a linked registration) know the key.
    pub(crate) fn force_register(&self, responder_key: &[u8], privacy_flags: u64) {
        lock(&self.inner.clients).insert(
            responder_key.to_vec(),
            Client {
                state: ClientState::Active,
                privacy_flags,
            },
        );
    }

    fn register(&self, r: &Registration) -> Result<RemoteKey, RemoteError> {
        let mut clients = lock(&self.inner.clients);
        if clients.contains_key(&r.responder_pub_key) {
            return Err(RemoteError::unknown("client already registered"));
        }
        if !r.group_responder_key.is_empty() {
            if !clients.contains_key(&r.group_responder_key) {
                return Err(RemoteError::unknown("unknown group key"));
            }
            verify_group_link(
                &r.group_responder_key,
                &r.responder_pub_key,
                &r.group_responder_sig,
            )
            .map_err(RemoteError::unknown)?;
        }
        let initiator_key = RemoteKey::Made(self.draw_key());
        clients.insert(
            r.responder_pub_key.clone(),
            Client {
                state: ClientState::Active,
                privacy_flags: r.privacy_flags,
            },
        );
        Ok(initiator_key)
    }
}

/// The in-process server's seed in a mock seeded with `seed`: its own
/// stream, apart from the domain's (a splitmix64 step of `seed`, so nearby
/// seeds do not give related streams).
pub(crate) fn remote_seed(seed: u64) -> u64 {
    let mut z = seed ^ 0x7265_6d6f_7465_6b79; // "remoteky"
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl RemoteAutopilot for InProcessRemote {
    fn terms(&self) -> BoxFuture<'_, Result<Version, RemoteError>> {
        let version = lock(&self.inner.catalogue).min_required_version;
        Box::pin(async move { Ok(version) })
    }

    fn list_features(&self) -> BoxFuture<'_, Result<BTreeMap<String, RemoteFeature>, RemoteError>> {
        let features = lock(&self.inner.catalogue).features.clone();
        Box::pin(async move { Ok(features) })
    }

    fn register_session(
        &self,
        registration: Registration,
    ) -> BoxFuture<'_, Result<RemoteKey, RemoteError>> {
        let result = self.register(&registration);
        Box::pin(async move { result })
    }

    fn activate_session(
        &self,
        responder_pub_key: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, RemoteError>> {
        let result = match lock(&self.inner.clients).get_mut(&responder_pub_key) {
            None => Err(RemoteError::unknown("no such client")),
            Some(client) => {
                client.state = ClientState::Active;
                // The test server answers with an empty response.
                Ok(Vec::new())
            }
        };
        Box::pin(async move { result })
    }

    fn revoke_session(&self, responder_pub_key: Vec<u8>) -> BoxFuture<'_, Result<(), RemoteError>> {
        if let Some(client) = lock(&self.inner.clients).get_mut(&responder_pub_key) {
            client.state = ClientState::Revoked;
        }
        // Unknown keys: an empty success, as litd's test server answers.
        Box::pin(async move { Ok(()) })
    }
}

impl std::fmt::Debug for InProcessRemote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessRemote").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::keys::sign_group_link;
    use secp256k1::SecretKey;

    fn remote() -> InProcessRemote {
        InProcessRemote::new(Catalogue::default_catalogue().expect("default parses"))
    }

    fn key(b: u8) -> (SecretKey, Vec<u8>) {
        let sk = SecretKey::from_secret_bytes([b; 32]).expect("valid scalar");
        let pk = sk.public_key().serialize().to_vec();
        (sk, pk)
    }

    fn run<T>(f: BoxFuture<'_, T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn register_checks_in_test_server_order() {
        let r = remote();
        let (first_sk, first) = key(1);
        let reg = Registration {
            responder_pub_key: first.clone(),
            privacy_flags: 5,
            ..Default::default()
        };
        let initiator = run(r.register_session(reg.clone())).expect("first registers");
        assert!(matches!(initiator, RemoteKey::Made(_)), "{initiator:?}");
        assert_eq!(initiator.to_bytes().len(), 33);
        assert_eq!(r.client(&first), Some((ClientState::Active, 5)));
        assert_eq!(
            run(r.register_session(reg)),
            Err(RemoteError::unknown("client already registered"))
        );

        let (_, second) = key(2);
        let second_arr: [u8; 33] = second.clone().try_into().expect("33 bytes");
        let linked = |group: Vec<u8>, sig: Vec<u8>| Registration {
            responder_pub_key: second.clone(),
            group_responder_key: group,
            group_responder_sig: sig,
            ..Default::default()
        };
        let (_, stranger) = key(3);
        let good_sig = sign_group_link(&first_sk, &second_arr);
        assert_eq!(
            run(r.register_session(linked(stranger, good_sig.clone()))),
            Err(RemoteError::unknown("unknown group key"))
        );
        let bad_sig = sign_group_link(&first_sk, &[2u8; 33]);
        assert_eq!(
            run(r.register_session(linked(first.clone(), bad_sig))),
            Err(RemoteError::unknown("invalid signature"))
        );
        assert!(run(r.register_session(linked(first, good_sig))).is_ok());
    }

    #[test]
    fn seeded_servers_answer_the_same_keys() {
        let catalogue = || Catalogue::default_catalogue().expect("default parses");
        let (a, b) = (
            InProcessRemote::with_seed(catalogue(), Some(4)),
            InProcessRemote::with_seed(catalogue(), Some(4)),
        );
        for n in 10..20 {
            let reg = Registration {
                responder_pub_key: key(n).1,
                ..Default::default()
            };
            let (ka, kb) = (
                run(a.register_session(reg.clone())).expect("registers"),
                run(b.register_session(reg)).expect("registers"),
            );
            assert_eq!(ka, kb);
        }
    }

    #[test]
    fn activate_and_revoke() {
        let r = remote();
        let (_, k) = key(4);
        assert_eq!(
            run(r.activate_session(k.clone())),
            Err(RemoteError::unknown("no such client"))
        );
        assert_eq!(run(r.revoke_session(k.clone())), Ok(()));
        run(r.register_session(Registration {
            responder_pub_key: k.clone(),
            ..Default::default()
        }))
        .expect("registers");
        assert_eq!(run(r.revoke_session(k.clone())), Ok(()));
        assert_eq!(r.client(&k).map(|c| c.0), Some(ClientState::Revoked));
        assert_eq!(run(r.activate_session(k.clone())), Ok(vec![]));
        assert_eq!(r.client(&k).map(|c| c.0), Some(ClientState::Active));
    }
}
