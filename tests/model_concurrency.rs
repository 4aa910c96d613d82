//! Model-based concurrency test: random interleavings of Add, List, Revoke
//! and clock moves from several concurrent clients against one in-process
//! core with a manual clock, checked against a simple reference model:
//! - no lost session: every completed Add is in every later List, and the
//!   final List holds exactly the sessions added;
//! - only legal states: RESERVED (an Add still registering), CREATED,
//!   REVOKED (the in-process remote never fails a registration) or EXPIRED;
//!   REVOKED only after a Revoke was issued; EXPIRED only when the clock
//!   passed the expiry while the Add ran (Correction 4); states only move
//!   forward;
//! - a passed expiry changes nothing: sessions added in this run stay
//!   CREATED (Correction 3); lists are sorted by created_at.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use autopilot_mock::domain::add_session::{AddSessionRequest, FeatureRequest};
use autopilot_mock::domain::clock::{unix_secs, Clock, ManualClock};
use autopilot_mock::domain::{AutopilotCore, SessionState};
use autopilot_mock::remote::{Catalogue, InProcessRemote};
use proptest::prelude::*;

const T0: u64 = 1_893_456_000;

#[derive(Debug, Clone)]
enum Op {
    Add { expires_in: u64 },
    List,
    Revoke { pick: prop::sample::Index },
    Advance { secs: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u64..600).prop_map(|expires_in| Op::Add { expires_in }),
        3 => Just(Op::List),
        2 => any::<prop::sample::Index>().prop_map(|pick| Op::Revoke { pick }),
        1 => (0u64..300).prop_map(|secs| Op::Advance { secs }),
    ]
}

/// What every client can see of the others' completed work.
#[derive(Default)]
struct Shared {
    /// id -> (local key, expiry) of every completed Add.
    added: BTreeMap<[u8; 4], (Vec<u8>, u64)>,
    /// Keys a Revoke was issued for (recorded before the call).
    revoke_issued: BTreeSet<Vec<u8>>,
    /// Keys whose Add answered EXPIRED.
    expired_at_add: BTreeSet<Vec<u8>>,
}

fn request(expiry: u64) -> AddSessionRequest {
    AddSessionRequest {
        label: "model".into(),
        expiry_timestamp_seconds: expiry,
        mailbox_server_addr: "mailbox.example:443".into(),
        features: [("HealthCheck".to_string(), FeatureRequest::default())].into(),
        ..Default::default()
    }
}

/// States only move forward: RESERVED -> CREATED -> REVOKED.
fn rank(s: SessionState) -> u8 {
    match s {
        SessionState::Reserved => 0,
        SessionState::Created | SessionState::InUse => 1,
        SessionState::Revoked | SessionState::Expired => 2,
    }
}

fn now_secs(clock: &ManualClock) -> u64 {
    unix_secs(clock.now()) as u64
}

async fn client(
    core: Arc<AutopilotCore>,
    clock: Arc<ManualClock>,
    shared: Arc<Mutex<Shared>>,
    ops: Vec<Op>,
) {
    let mut last_state: BTreeMap<[u8; 4], SessionState> = BTreeMap::new();
    for op in ops {
        tokio::task::yield_now().await;
        match op {
            Op::Add { expires_in } => {
                let expiry = now_secs(&clock) + expires_in;
                match core.add_session(request(expiry)).await {
                    Ok(view) => {
                        let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                        match view.state {
                            SessionState::Created => {}
                            SessionState::Expired => {
                                assert!(expiry < now_secs(&clock), "EXPIRED before its expiry");
                                s.expired_at_add.insert(view.local_public_key.clone());
                            }
                            other => panic!("Add answered {other:?}"),
                        }
                        assert!(
                            s.added
                                .insert(view.id, (view.local_public_key, expiry))
                                .is_none(),
                            "id reused"
                        );
                    }
                    // The clock may move past the expiry between reading it and adding.
                    Err(e) => assert_eq!(e.message, "expiry must be in the future"),
                }
            }
            Op::Revoke { pick } => {
                let key = {
                    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                    if s.added.is_empty() {
                        continue;
                    }
                    let key = s
                        .added
                        .values()
                        .nth(pick.index(s.added.len()))
                        .map(|(k, _)| k.clone());
                    let Some(key) = key else { continue };
                    s.revoke_issued.insert(key.clone());
                    key
                };
                if let Err(e) = core.revoke_session(&key).await {
                    let s = shared.lock().unwrap_or_else(|e| e.into_inner());
                    assert!(s.expired_at_add.contains(&key), "revoke failed: {e:?}");
                    assert_eq!(
                        e.message,
                        "error revoking session: illegal session state transition from 3 to 2"
                    );
                }
            }
            Op::Advance { secs } => clock.advance(Duration::from_secs(secs)),
            Op::List => {
                let before = {
                    let s = shared.lock().unwrap_or_else(|e| e.into_inner());
                    s.added.clone()
                };
                let listed = core.list_sessions().await.expect("list works");
                let clock_after = now_secs(&clock);
                let s = shared.lock().unwrap_or_else(|e| e.into_inner());
                assert!(
                    listed
                        .windows(2)
                        .all(|w| w[0].created_at <= w[1].created_at),
                    "sorted"
                );
                let ids: BTreeSet<[u8; 4]> = listed.iter().map(|v| v.id).collect();
                assert_eq!(ids.len(), listed.len(), "no duplicates");
                for id in before.keys() {
                    assert!(ids.contains(id), "session {id:?} lost");
                }
                for v in &listed {
                    // From the view: an Add still in flight is not in `added` yet.
                    let (key, expiry) = (v.local_public_key.clone(), v.expiry_timestamp_seconds);
                    match v.state {
                        SessionState::Created => {}
                        SessionState::Revoked => {
                            assert!(s.revoke_issued.contains(&key), "REVOKED without a revoke")
                        }
                        // Listed before its Add returned, or after.
                        SessionState::Expired => {
                            assert!(expiry < clock_after, "EXPIRED before its expiry")
                        }
                        // An Add still registering with the remote, as in litd.
                        SessionState::Reserved => {
                            assert!(!before.contains_key(&v.id), "a completed Add is RESERVED")
                        }
                        other => panic!("illegal state {other:?}"),
                    }
                    if let Some(prev) = last_state.insert(v.id, v.state) {
                        assert!(rank(prev) <= rank(v.state), "{prev:?} -> {:?}", v.state);
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn concurrent_clients_agree_with_the_model(clients in prop::collection::vec(prop::collection::vec(op(), 1..16), 2..5)) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("runtime");
        rt.block_on(async {
            let clock = Arc::new(ManualClock::at_unix(T0));
            let catalogue = Catalogue::default_catalogue().expect("catalogue");
            let core = Arc::new(AutopilotCore::with_config(
                Arc::new(InProcessRemote::new(catalogue)),
                clock.clone(),
                Default::default(),
                Some(9),
            ));
            let shared = Arc::new(Mutex::new(Shared::default()));
            let tasks: Vec<_> = clients
                .into_iter()
                .map(|ops| tokio::spawn(client(core.clone(), clock.clone(), shared.clone(), ops)))
                .collect();
            for t in tasks {
                if let Err(e) = t.await {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
            let listed = core.list_sessions().await.expect("list works");
            let s = shared.lock().unwrap_or_else(|e| e.into_inner());
            let ids: BTreeSet<[u8; 4]> = listed.iter().map(|v| v.id).collect();
            let added: BTreeSet<[u8; 4]> = s.added.keys().copied().collect();
            assert_eq!(ids, added, "exactly the added sessions");
            assert_eq!(core.session_count(), added.len());
            let now = now_secs(&clock);
            for v in &listed {
                let (key, expiry) = &s.added[&v.id];
                let expected = if s.expired_at_add.contains(key) {
                    assert!(*expiry < now);
                    SessionState::Expired
                } else if s.revoke_issued.contains(key) {
                    SessionState::Revoked
                } else {
                    SessionState::Created
                };
                assert_eq!(v.state, expected, "final state of {:?}", v.id);
            }
        });
    }
}
