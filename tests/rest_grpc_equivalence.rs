//! The same request over gRPC and over REST gives the same answer, and the
//! REST JSON of any request decodes back to the same message (properties
//! over generated requests, reference §6).

use std::sync::Arc;

use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::rest::decode_body;
use autopilot_mock::scenario::target::{Outcome, Target};
use autopilot_mock::scenario::Transport;
use autopilot_mock::wire::litd_json::to_litd_json;
use autopilot_mock::MockServer;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

/// 2030-01-01T00:00:00Z.
const T0: u64 = 1_893_456_000;

fn rate() -> impl Strategy<Value = p::Rate> {
    (0u32..2000, 0u32..3).prop_map(|(iterations, num_hours)| p::Rate {
        iterations,
        num_hours,
    })
}

fn rule_value() -> impl Strategy<Value = p::RuleValue> {
    use p::rule_value::Value as V;
    prop_oneof![
        (proptest::option::of(rate()), proptest::option::of(rate())).prop_map(|(r, w)| {
            V::RateLimit(p::RateLimit {
                read_limit: r,
                write_limit: w,
            })
        }),
        (0u64..5, 0u64..5).prop_map(|(start_time, duration)| V::HistoryLimit(p::HistoryLimit {
            start_time,
            duration
        })),
        proptest::collection::vec(any::<u64>(), 0..3)
            .prop_map(|channel_ids| V::ChannelRestrict(p::ChannelRestrict { channel_ids })),
        proptest::collection::vec("[0-9a-f]{66}", 0..3)
            .prop_map(|peer_ids| V::PeerRestrict(p::PeerRestrict { peer_ids })),
        (any::<u64>(), any::<u64>()).prop_map(|(a, b)| V::OnChainBudget(p::OnChainBudget {
            absolute_amt_sats: a,
            max_sat_per_v_byte: b
        })),
    ]
    .prop_map(|v| p::RuleValue { value: Some(v) })
}

fn feature_config() -> impl Strategy<Value = p::FeatureConfig> {
    let rules = proptest::collection::btree_map(
        prop_oneof![
            Just("rate-limit".to_string()),
            Just("history-limit".to_string()),
            Just("channel-restriction".to_string()),
            Just("peer-restriction".to_string()),
            Just("on-chain-budget".to_string()),
            Just("teleport".to_string()),
        ],
        rule_value(),
        0..2,
    );
    let config = prop_oneof![
        Just(Vec::new()),
        Just(b"{}".to_vec()),
        Just(
            br#"{"peers":["0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"]}"#
                .to_vec()
        ),
        Just(b"[1]".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    (proptest::option::weighted(0.3, rules), config).prop_map(|(rules, config)| p::FeatureConfig {
        rules: rules.map(|rules| p::RulesMap { rules }),
        config,
    })
}

fn request() -> impl Strategy<Value = p::AddAutopilotSessionRequest> {
    let features = proptest::collection::btree_map(
        prop_oneof![
            3 => Just("HealthCheck".to_string()),
            3 => Just("AutoFees".to_string()),
            1 => Just("Nope".to_string()),
        ],
        feature_config(),
        0..3,
    );
    (
        "[a-z ]{0,8}",
        prop_oneof![
            1 => Just(0u64),
            1 => Just(T0 - 1),
            6 => Just(T0 + 86_400),
            1 => any::<u64>()
        ],
        features,
        any::<bool>(),
        prop_oneof![Just(0u64), Just(3u64), Just(256u64)],
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |(label, expiry, features, no_privacy_mapper, privacy_flags, privacy_flags_set)| {
                p::AddAutopilotSessionRequest {
                    label,
                    expiry_timestamp_seconds: expiry,
                    mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
                    dev_server: false,
                    features,
                    session_rules: None,
                    no_privacy_mapper,
                    linked_group_id: Vec::new(),
                    privacy_flags,
                    privacy_flags_set,
                }
            },
        )
}

proptest! {
    #[test]
    fn rest_json_decodes_back_to_the_same_request(req in request()) {
        let json = to_litd_json("litrpc.AddAutopilotSessionRequest", &req);
        let back: p::AddAutopilotSessionRequest = decode_body(json.to_string().as_bytes())
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(back, req);
    }
}

/// The remote server's key comes from the remote, not the mock: drop it.
fn comparable(o: Outcome) -> (i32, String, Option<Value>) {
    let response = o.response.map(|mut v| {
        if let Some(s) = v.get_mut("session").and_then(Value::as_object_mut) {
            s.remove("remote_public_key");
        }
        if let Some(list) = v.get_mut("sessions").and_then(Value::as_array_mut) {
            for s in list.iter_mut().filter_map(Value::as_object_mut) {
                s.remove("remote_public_key");
            }
        }
        v
    });
    (o.code, o.message, response)
}

/// The same AddAutopilotSession, over gRPC to one twin and REST to the other.
fn add_over_both(
    rt: &tokio::runtime::Runtime,
    over_grpc: &Target,
    over_rest: &Target,
    req: &p::AddAutopilotSessionRequest,
) -> (Outcome, Outcome) {
    let json = to_litd_json("litrpc.AddAutopilotSessionRequest", req);
    let rpc = autopilot_mock::rpc::Rpc::AddAutopilotSession;
    let (mac_a, mac_b) = (
        [hex::encode(&over_grpc.macaroon)],
        [hex::encode(&over_rest.macaroon)],
    );
    let (g, r) = rt.block_on(async {
        (
            over_grpc.call(Transport::Grpc, rpc, &json, &mac_a).await,
            over_rest.call(Transport::Rest, rpc, &json, &mac_b).await,
        )
    });
    (g.expect("gRPC call made"), r.expect("REST call made"))
}

async fn twin(seed: u64) -> (MockServer, Target) {
    let server = MockServer::builder()
        .clock(Arc::new(ManualClock::at_unix(T0)))
        .seed(seed)
        .start()
        .await;
    let macaroon = hex::decode(server.macaroon_hex()).expect("hex");
    let target = Target::connect(server.addr(), server.tls_cert_pem(), macaroon)
        .await
        .expect("target");
    (server, target)
}

#[test]
fn grpc_and_rest_answer_alike() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // Two mocks with the same seed and clock: the same calls draw the same keys.
    let ((_a, over_grpc), (_b, over_rest)) = rt.block_on(async { (twin(5).await, twin(5).await) });
    // A fixed seed: the same cases every run (the two mocks must see the
    // same calls anyway), and no failure file (no source file to sit by).
    let config = Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    // One request known to succeed, so the final comparison never compares
    // two empty lists.
    let valid = {
        let mut r = p::AddAutopilotSessionRequest {
            expiry_timestamp_seconds: T0 + 86_400,
            ..Default::default()
        };
        r.features
            .insert("HealthCheck".into(), p::FeatureConfig::default());
        r
    };
    let (g, r) = add_over_both(&rt, &over_grpc, &over_rest, &valid);
    assert_eq!(g.code, 0, "{}", g.message);
    assert_eq!(comparable(g), comparable(r));
    let outcome = runner.run(&request(), |req| {
        let (g, r) = add_over_both(&rt, &over_grpc, &over_rest, &req);
        prop_assert_eq!(comparable(g), comparable(r));
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // And the stores agree at the end.
    let (g, r) = rt.block_on(async {
        let rpc = autopilot_mock::rpc::Rpc::ListAutopilotSessions;
        let empty = Value::Object(Default::default());
        let (mac_a, mac_b) = (
            [hex::encode(&over_grpc.macaroon)],
            [hex::encode(&over_rest.macaroon)],
        );
        (
            over_grpc.call(Transport::Grpc, rpc, &empty, &mac_a).await,
            over_rest.call(Transport::Rest, rpc, &empty, &mac_b).await,
        )
    });
    let (g, r) = (g.expect("grpc list"), r.expect("rest list"));
    let listed = g
        .response
        .as_ref()
        .and_then(|v| v["sessions"].as_array().map(Vec::len));
    // The known-valid request plus generated ones: the properties above
    // compared real sessions, not only errors.
    assert!(
        listed.unwrap_or(0) >= 5,
        "too few generated requests succeeded: {listed:?}"
    );
    assert_eq!(comparable(g), comparable(r));
}
