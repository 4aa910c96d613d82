//! AddAutopilotSession over a real TLS socket: the response, and every
//! validation step of reference §2.2 in litd's order, with exact texts.

mod support;

use autopilot_mock::domain::remote::RemoteError;
use autopilot_mock::domain::Code;
use autopilot_mock::proto::litrpc as p;
use support::*;

#[tokio::test]
async fn new_session_is_created_with_litd_shapes() {
    let s = TestServer::start().await;
    let mut req = add_request(vec![(
        "HealthCheck",
        feature(vec![("rate-limit", rate_limit((20, 2), (3, 1)))]),
    )]);
    req.label = "my bot".into();
    let session = s
        .client()
        .add_autopilot_session(req)
        .await
        .expect("add succeeds")
        .into_inner()
        .session
        .expect("session present");

    assert_eq!(session.label, "my bot");
    assert_eq!(session.session_state, p::SessionState::StateCreated as i32);
    assert_eq!(session.session_type, p::SessionType::TypeAutopilot as i32);
    assert_eq!(session.expiry_timestamp_seconds, T0 + 86_400);
    assert_eq!(
        session.mailbox_server_addr,
        "mailbox.terminal.lightning.today:443"
    );
    assert_eq!(session.local_public_key.len(), 33);
    assert!(matches!(session.local_public_key[0], 2 | 3));
    assert_eq!(session.id, session.local_public_key[1..5].to_vec());
    assert_eq!(session.group_id, session.id);
    assert_eq!(session.remote_public_key.len(), 33);
    assert_eq!(session.pairing_secret.len(), 14);
    assert_eq!(session.pairing_secret[13] & 0b11, 0);
    let words: Vec<&str> = session.pairing_secret_mnemonic.split(' ').collect();
    assert_eq!(words.len(), 10);
    let list = bip39::Language::English.word_list();
    assert!(words.iter().all(|w| list.contains(w)));
    assert_eq!(session.created_at, T0);
    assert_eq!(session.revoked_at, 0);
    assert_eq!(session.account_id, "");
    assert_eq!(session.privacy_flags, 0);
    assert_eq!(
        session.feature_configs,
        [("HealthCheck".to_string(), String::new())].into()
    );

    let recipe = session.macaroon_recipe.expect("recipe");
    assert_eq!(
        recipe.permissions,
        vec![p::MacaroonPermission {
            entity: "uri".into(),
            action: "/lnrpc.Lightning/GetInfo".into()
        }]
    );
    assert_eq!(
        recipe.caveats,
        vec![
            r#"lnd-custom lit-mac-fw rules:{"session_rules":null,"feature_rules":{"HealthCheck":{"rate-limit":"{\"write_limit\":{\"iterations\":3,\"num_hours\":1},\"read_limit\":{\"iterations\":20,\"num_hours\":2}}"}}}"#.to_string(),
            "lnd-custom privacy".to_string(),
        ]
    );
    let info = &session.autopilot_feature_info["HealthCheck"].rules["rate-limit"];
    assert_eq!(info, &rate_limit((20, 2), (3, 1)));

    // The server got what litd sends.
    let regs = s.remote.registrations();
    assert_eq!(regs.len(), 1);
    assert_eq!(regs[0].responder_pub_key, session.local_public_key);
    assert_eq!(regs[0].mailbox_addr, "mailbox.terminal.lightning.today:443");
    assert_eq!(regs[0].lit_version.to_string(), "v0.17.2");
    assert!(regs[0].group_responder_key.is_empty());
    assert_eq!(
        regs[0].feature_configs,
        [("HealthCheck".to_string(), vec![])].into()
    );
}

#[tokio::test]
async fn defaults_fill_every_server_rule_and_configs_echo_as_strings() {
    let s = TestServer::start().await;
    let mut req = add_request(vec![
        ("HealthCheck", feature(vec![])),
        (
            "AutoFees",
            p::FeatureConfig {
                rules: None,
                config: br#"{"channels":["not-a-channel"],"x":1}"#.to_vec(),
            },
        ),
    ]);
    req.no_privacy_mapper = true;
    let session = s
        .client()
        .add_autopilot_session(req)
        .await
        .expect("add succeeds")
        .into_inner()
        .session
        .expect("session");
    for f in ["HealthCheck", "AutoFees"] {
        assert_eq!(
            session.autopilot_feature_info[f].rules["rate-limit"],
            rate_limit((10, 1), (1, 1)),
            "{f} gets the server default"
        );
    }
    assert_eq!(session.feature_configs["HealthCheck"], "");
    assert_eq!(
        session.feature_configs["AutoFees"],
        r#"{"channels":["not-a-channel"],"x":1}"#
    );
    let recipe = session.macaroon_recipe.expect("recipe");
    assert_eq!(
        recipe.caveats.len(),
        1,
        "no privacy caveat without the mapper"
    );
    let actions: Vec<&str> = recipe
        .permissions
        .iter()
        .map(|p| p.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "/lnrpc.Lightning/FeeReport",
            "/lnrpc.Lightning/GetInfo",
            "/lnrpc.Lightning/ListChannels",
            "/lnrpc.Lightning/UpdateChannelPolicy"
        ]
    );
    // Privacy off: the raw config went to the server.
    assert_eq!(
        s.remote.registrations()[0].feature_configs["AutoFees"],
        br#"{"channels":["not-a-channel"],"x":1}"#.to_vec()
    );
}

#[tokio::test]
async fn validation_order_and_texts() {
    let s = TestServer::start().await;
    let mut c = s.client();

    // 1 before 2: no features wins over a past expiry.
    let mut r = health_check();
    r.features.clear();
    r.expiry_timestamp_seconds = 0;
    assert_unknown(
        c.add_autopilot_session(r).await,
        "must include at least one feature",
    );

    // 2: expiry 0, past, and >= 2^63 (wraps negative).
    for expiry in [0, T0 - 1, 1u64 << 63, u64::MAX] {
        let mut r = health_check();
        r.expiry_timestamp_seconds = expiry;
        assert_unknown(
            c.add_autopilot_session(r).await,
            "expiry must be in the future",
        );
    }
    // Expiry exactly now is not "after now" on a clock at a whole second.
    let mut r = health_check();
    r.expiry_timestamp_seconds = T0;
    assert!(c.add_autopilot_session(r).await.is_ok());

    // 3a before 4: an unknown linked ID fails before features are fetched.
    let mut r = health_check();
    r.linked_group_id = vec![1, 2, 3, 4, 5, 6];
    r.features = [("NoSuchFeature".to_string(), feature(vec![]))].into();
    assert_unknown(c.add_autopilot_session(r).await, "session not found");

    // 5a, 5b.
    let mut r = health_check();
    r.privacy_flags_set = true;
    r.no_privacy_mapper = true;
    assert_unknown(
        c.add_autopilot_session(r).await,
        "privacy flags can only be set when the privacy mapper is enabled",
    );
    let mut r = health_check();
    r.privacy_flags_set = true;
    r.privacy_flags = (1 << 9) | (1 << 12) | 1;
    assert_unknown(
        c.add_autopilot_session(r).await,
        "error deserializing privacy flags (4609) from request: unknown privacy flag: Unknown: 9",
    );

    // 5c / 6a.
    let r = add_request(vec![("NoSuchFeature", feature(vec![]))]);
    assert_unknown(
        c.add_autopilot_session(r).await,
        "NoSuchFeature is not a features provided by the Autopilot server",
    );
    let mut r = add_request(vec![("NoSuchFeature", feature(vec![]))]);
    r.privacy_flags_set = true;
    assert_unknown(
        c.add_autopilot_session(r).await,
        "NoSuchFeature is not a features provided by the Autopilot server",
    );

    // 6b: unknown rule, wrong member, unset member.
    let r = add_request(vec![(
        "HealthCheck",
        feature(vec![("foo", rate_limit((1, 1), (1, 1)))]),
    )]);
    assert_unknown(
        c.add_autopilot_session(r).await,
        "unknown rule foo, please upgrade",
    );
    let history = p::RuleValue {
        value: Some(p::rule_value::Value::HistoryLimit(p::HistoryLimit {
            start_time: 0,
            duration: 60,
        })),
    };
    let r = add_request(vec![(
        "HealthCheck",
        feature(vec![("rate-limit", history)]),
    )]);
    assert_unknown(c.add_autopilot_session(r).await, "incorrect RuleValue type");
    let r = add_request(vec![(
        "HealthCheck",
        feature(vec![("on-chain-budget", rate_limit((1, 1), (1, 1)))]),
    )]);
    assert_unknown(
        c.add_autopilot_session(r).await,
        "incorrect RuleValue type *litrpc.RuleValue_RateLimit",
    );
    let r = add_request(vec![(
        "HealthCheck",
        feature(vec![("channel-constraint", p::RuleValue { value: None })]),
    )]);
    assert_unknown(
        c.add_autopilot_session(r).await,
        "incorrect RuleValue type <nil>",
    );

    // 6e: a known rule the server does not offer for this feature.
    let budget = p::RuleValue {
        value: Some(p::rule_value::Value::OnChainBudget(p::OnChainBudget {
            absolute_amt_sats: 1,
            max_sat_per_v_byte: 1,
        })),
    };
    let r = add_request(vec![(
        "HealthCheck",
        feature(vec![("on-chain-budget", budget)]),
    )]);
    assert_unknown(
        c.add_autopilot_session(r).await,
        "autopilot did not specify on-chain-budget as a rule for feature HealthCheck",
    );

    // 6g: out of bounds; only the prefix and the suffix are stable in litd.
    let r = add_request(vec![(
        "HealthCheck",
        feature(vec![("rate-limit", rate_limit((2000, 1), (1, 1)))]),
    )]);
    let err = c.add_autopilot_session(r).await.expect_err("out of bounds");
    assert_eq!(err.code(), tonic::Code::Unknown);
    assert!(
        err.message().starts_with(
            "rule value for rate-limit not valid for feature HealthCheck. Expected rule value between "
        ),
        "{}",
        err.message()
    );
    assert!(err
        .message()
        .ends_with(". read limit is not between the min and max"));
    let r = add_request(vec![(
        "HealthCheck",
        feature(vec![("rate-limit", rate_limit((5, 1), (11, 1)))]),
    )]);
    let err = c.add_autopilot_session(r).await.expect_err("out of bounds");
    assert!(err
        .message()
        .ends_with(". write limit is not between the min and max"));

    // Nothing failed above was stored, except the one session that passed.
    let listed = c
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.sessions.len(), 1);
}

#[tokio::test]
async fn remote_list_features_errors_keep_their_code() {
    let s = TestServer::start().await;
    *s.remote.fail_list.lock().expect("lock") = Some(RemoteError::new(
        Code::Unavailable,
        "connection error: desc = \"transport: Error while dialing\"",
    ));
    let err = s
        .client()
        .add_autopilot_session(health_check())
        .await
        .expect_err("remote down");
    assert_eq!(err.code(), tonic::Code::Unavailable);
    assert_eq!(
        err.message(),
        "connection error: desc = \"transport: Error while dialing\""
    );
    let err = s
        .client()
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect_err("remote down");
    assert_eq!(err.code(), tonic::Code::Unavailable);
}

#[tokio::test]
async fn failed_registration_leaves_a_reserved_session_that_cannot_be_revoked() {
    let s = TestServer::start().await;
    *s.remote.fail_register.lock().expect("lock") = Some(RemoteError::new(Code::Internal, "boom"));
    let mut c = s.client();
    assert_unknown(
        c.add_autopilot_session(health_check()).await,
        "error registering session with autopilot server: boom",
    );
    let sessions = c
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("list")
        .into_inner()
        .sessions;
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sessions[0].session_state,
        p::SessionState::StateReserved as i32
    );
    assert!(sessions[0].remote_public_key.is_empty());
    assert_unknown(
        c.revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
            local_public_key: sessions[0].local_public_key.clone(),
        })
        .await,
        "error revoking session: illegal session state transition from 4 to 2",
    );
}

#[tokio::test]
async fn malformed_initiator_key_is_a_registration_error() {
    let s = TestServer::start().await;
    *s.remote.register_answer.lock().expect("lock") = Some(vec![]);
    assert_unknown(
        s.client().add_autopilot_session(health_check()).await,
        "error registering session with autopilot server: malformed public key: invalid length: 0",
    );
}
