//! A model-based test of litrpc.Sessions and litrpc.Autopilot on one store:
//! random sequences of adds (both services), revocations (through either)
//! and listings (through both) against a plain model of what litd keeps.

use std::sync::Arc;

use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::domain::session::{SessionState, SessionType};
use autopilot_mock::domain::{
    AddLitSessionRequest, AddSessionRequest, AutopilotCore, CoreConfig, FeatureRequest,
};
use autopilot_mock::remote::{Catalogue, InProcessRemote};
use proptest::prelude::*;

const T0: u64 = 1_893_456_000;

#[derive(Debug, Clone)]
enum Op {
    AddMacaroon(bool),
    AddAutopilot,
    /// Revoke the n-th session (mod count) through Sessions.RevokeSession.
    RevokeViaSessions(usize),
    /// ... through Autopilot.RevokeAutopilotSession.
    RevokeViaAutopilot(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<bool>().prop_map(Op::AddMacaroon),
        Just(Op::AddAutopilot),
        any::<usize>().prop_map(Op::RevokeViaSessions),
        any::<usize>().prop_map(Op::RevokeViaAutopilot),
    ]
}

/// What litd keeps of each session: its key, type and state, oldest first.
type Model = Vec<(Vec<u8>, SessionType, SessionState)>;

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let catalogue = Catalogue::default_catalogue().expect("catalogue");
    let core = AutopilotCore::with_config(
        Arc::new(InProcessRemote::new(catalogue)),
        Arc::new(ManualClock::at_unix(T0)),
        CoreConfig::default(),
        Some(11),
    );
    let mut model: Model = Vec::new();
    for op in ops {
        match op {
            Op::AddMacaroon(admin) => {
                let kind = if admin {
                    SessionType::MacaroonAdmin
                } else {
                    SessionType::MacaroonReadonly
                };
                let s = core
                    .add_lit_session(AddLitSessionRequest {
                        session_type: kind as i32,
                        expiry_timestamp_seconds: T0 + 600,
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| TestCaseError::fail(e.message))?;
                model.push((s.local_public_key, kind, SessionState::Created));
            }
            Op::AddAutopilot => {
                let features = [("HealthCheck".to_string(), FeatureRequest::default())];
                let s = core
                    .add_session(AddSessionRequest {
                        expiry_timestamp_seconds: T0 + 600,
                        features: features.into_iter().collect(),
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| TestCaseError::fail(e.message))?;
                model.push((
                    s.local_public_key,
                    SessionType::Autopilot,
                    SessionState::Created,
                ));
            }
            Op::RevokeViaSessions(n) if !model.is_empty() => {
                let i = n % model.len();
                let got = core.revoke_lit_session(&model[i].0).await;
                prop_assert!(got.is_ok(), "{got:?}");
                model[i].2 = SessionState::Revoked;
            }
            Op::RevokeViaAutopilot(n) if !model.is_empty() => {
                let i = n % model.len();
                let got = core
                    .revoke_session(&model[i].0)
                    .await
                    .map_err(|e| e.message);
                if model[i].1 == SessionType::Autopilot {
                    prop_assert_eq!(got, Ok(()));
                    model[i].2 = SessionState::Revoked;
                } else {
                    prop_assert_eq!(got, Err("session not found".to_string()));
                }
            }
            _ => {}
        }
        // Both listings agree with the model and with each other.
        let all = core
            .list_all_sessions()
            .await
            .map_err(|e| TestCaseError::fail(e.message))?;
        let seen: Model = all
            .iter()
            .map(|s| (s.local_public_key.clone(), s.session_type, s.state))
            .collect();
        prop_assert_eq!(&seen, &model);
        let autopilot = core
            .list_sessions()
            .await
            .map_err(|e| TestCaseError::fail(e.message))?;
        let from_all: Vec<_> = all
            .into_iter()
            .filter(|s| s.session_type == SessionType::Autopilot)
            .collect();
        prop_assert_eq!(autopilot, from_all);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sessions_and_autopilot_share_one_store(ops in proptest::collection::vec(op(), 1..24)) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(run(ops))?;
    }
}
