//! The same request over gRPC and over REST gives the same answer, and the
//! REST JSON of any request decodes back to the same message (properties
//! over generated requests, reference §6).
//!
//! The two sides are encoded independently: REST's JSON is the mock's
//! encoder; the gRPC answer is the prost message as it came off the wire,
//! turned into JSON by protobuf's own Python library over litd's official
//! protos (`tests/clients/python/to_json.py`). Nothing is stripped: the two
//! twins share a seed, so even the remote server's keys must agree.

mod common;

use std::cell::RefCell;
use std::sync::Arc;

use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
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

/// What one call answered over gRPC: the code and message, and on success
/// the response's protobuf bytes and its full type name.
#[derive(Debug)]
struct GrpcOutcome {
    code: i32,
    message: String,
    response: Option<(&'static str, Vec<u8>)>,
}

/// `type_name`: the response's full protobuf name, as the Python side
/// looks it up in the official protos.
fn grpc_outcome<T: prost::Message>(
    type_name: &'static str,
    r: Result<tonic::Response<T>, tonic::Status>,
) -> GrpcOutcome {
    match r {
        Ok(resp) => GrpcOutcome {
            code: 0,
            message: String::new(),
            response: Some((type_name, resp.get_ref().encode_to_vec())),
        },
        Err(status) => GrpcOutcome {
            code: status.code() as i32,
            message: status.message().to_string(),
            response: None,
        },
    }
}

fn with_macaroon<T>(message: T, macaroon: &[u8]) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut().insert(
        "macaroon",
        hex::encode(macaroon).parse().expect("hex is ASCII"),
    );
    r
}

/// The calls both sides answered with a message: the gRPC bytes, REST's
/// JSON, and what was asked (to name a failure).
#[derive(Default)]
struct ToCompare {
    answers: Vec<(&'static str, Vec<u8>, Value, String)>,
}

impl ToCompare {
    /// Codes and messages must agree now; messages are compared later, all
    /// at once, by [`ToCompare::check`].
    fn push(&mut self, what: String, g: GrpcOutcome, r: Outcome) -> Result<(), TestCaseError> {
        prop_assert_eq!((g.code, &g.message), (r.code, &r.message), "{}", what);
        match (g.response, r.response) {
            (Some((name, bytes)), Some(json)) => self.answers.push((name, bytes, json, what)),
            (None, None) => {}
            (g, r) => return Err(TestCaseError::fail(format!("{what}: {g:?} vs {r:?}"))),
        }
        Ok(())
    }

    /// Decodes every gRPC answer with the official protos (one Python run)
    /// and requires REST's JSON to equal it exactly.
    fn check(self) {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("grpc-answers.jsonl");
        let lines: Vec<String> = self
            .answers
            .iter()
            .map(|(name, bytes, _, _)| {
                serde_json::json!({"type": name, "base64": base64_std(bytes)}).to_string()
            })
            .collect();
        std::fs::write(&input, lines.join("\n") + "\n").expect("write input");
        let mut python = common::python_client("to_json.py");
        python.arg(&input);
        let decoded = common::run_json_client(python);
        let decoded = decoded.as_array().expect("a list");
        assert_eq!(decoded.len(), self.answers.len());
        for ((_, _, rest, what), grpc) in self.answers.iter().zip(decoded) {
            assert_eq!(
                rest, grpc,
                "{what}: REST's JSON (left) vs the gRPC answer (right)"
            );
        }
    }
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The same AddAutopilotSession, over gRPC to one twin and REST to the other.
fn add_over_both(
    rt: &tokio::runtime::Runtime,
    over_grpc: &Target,
    over_rest: &Target,
    req: &p::AddAutopilotSessionRequest,
) -> (GrpcOutcome, Outcome) {
    let json = to_litd_json("litrpc.AddAutopilotSessionRequest", req);
    let rpc = autopilot_mock::rpc::Rpc::AddAutopilotSession;
    let mac = [hex::encode(&over_rest.macaroon)];
    let mut client = AutopilotClient::new(over_grpc.channel.clone());
    let (g, r) = rt.block_on(async {
        (
            client
                .add_autopilot_session(with_macaroon(req.clone(), &over_grpc.macaroon))
                .await,
            over_rest.call(Transport::Rest, rpc, &json, &mac).await,
        )
    });
    (
        grpc_outcome("litrpc.AddAutopilotSessionResponse", g),
        r.expect("REST call made"),
    )
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
    // Two mocks with the same seed and clock: the same calls draw the same
    // keys, the remote server's included.
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
    let compare = RefCell::new(ToCompare::default());
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
    compare
        .borrow_mut()
        .push(format!("{valid:?}"), g, r)
        .expect("the valid request agrees");
    let outcome = runner.run(&request(), |req| {
        let (g, r) = add_over_both(&rt, &over_grpc, &over_rest, &req);
        compare.borrow_mut().push(format!("{req:?}"), g, r)
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // And the stores agree at the end.
    let (g, r) = rt.block_on(async {
        let rpc = autopilot_mock::rpc::Rpc::ListAutopilotSessions;
        let empty = Value::Object(Default::default());
        let mac = [hex::encode(&over_rest.macaroon)];
        let mut client = AutopilotClient::new(over_grpc.channel.clone());
        (
            client
                .list_autopilot_sessions(with_macaroon(
                    p::ListAutopilotSessionsRequest::default(),
                    &over_grpc.macaroon,
                ))
                .await,
            over_rest.call(Transport::Rest, rpc, &empty, &mac).await,
        )
    });
    let r = r.expect("rest list");
    let listed = r
        .response
        .as_ref()
        .and_then(|v| v["sessions"].as_array().map(Vec::len));
    // The known-valid request plus generated ones: the properties above
    // compared real sessions, not only errors.
    assert!(
        listed.unwrap_or(0) >= 5,
        "too few generated requests succeeded: {listed:?}"
    );
    let mut compare = compare.into_inner();
    compare
        .push(
            "the final List".into(),
            grpc_outcome("litrpc.ListAutopilotSessionsResponse", g),
            r,
        )
        .expect("the Lists agree");
    compare.check();
}
