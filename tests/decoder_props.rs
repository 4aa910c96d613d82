//! Properties over every decoder a request reaches that the unit proptests
//! do not already cover (macaroons: `src/auth/proptests.rs`; rule JSON:
//! `src/domain/rules/prop_tests.rs`; raw config bytes:
//! `src/domain/privacy/config_tests.rs`): protobuf decoding of each request
//! type and the whole add flow, REST bodies and path parameters, feature
//! configs shaped like real ones, and the catalogue file. Whatever the input:
//! no panic, and an error of the documented shape.

use std::sync::Arc;

use arbitrary::Unstructured;
use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::domain::privacy::{obfuscate_config, PrivacyFlags, PrivacyMap};
use autopilot_mock::domain::{AutopilotCore, Code};
use autopilot_mock::fuzz::{gen, mutate};
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::remote::{Catalogue, InProcessRemote};
use autopilot_mock::rest::{decode_body, decode_key_param};
use autopilot_mock::wire::add_request_in;
use proptest::prelude::*;
use prost::Message;
use rand::rngs::StdRng;
use rand::SeedableRng;

const T0: u64 = 1_893_456_000;

fn core() -> AutopilotCore {
    let catalogue = Catalogue::default_catalogue().expect("embedded catalogue parses");
    AutopilotCore::new(
        Arc::new(InProcessRemote::new(catalogue)),
        Arc::new(ManualClock::at_unix(T0)),
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

/// Runs the add flow on `req` and checks the result: a new listed session,
/// or a litd error (Unknown) that left no session behind but possibly a
/// RESERVED one, as litd does when registration fails.
fn add_and_check(
    rt: &tokio::runtime::Runtime,
    core: &AutopilotCore,
    req: p::AddAutopilotSessionRequest,
) {
    let before = core.session_count();
    let result = rt.block_on(core.add_session(add_request_in(req)));
    let after = core.session_count();
    match result {
        Ok(view) => {
            assert_eq!(after, before + 1);
            let listed = rt.block_on(core.list_sessions()).expect("list works");
            assert!(
                listed.iter().any(|s| s.id == view.id),
                "added session is listed"
            );
        }
        Err(e) => {
            assert_eq!(e.code, Code::Unknown, "{e:?}");
            assert!(
                is_litd_add_error(&e.message),
                "not one of litd's texts: {e:?}"
            );
            assert!(after <= before + 1);
        }
    }
}

/// Whether `message` is one of the texts litd's add flow can give
/// (reference §2.2's table, the rule checks of §3.2 including each rule's
/// own request checks, Go's JSON texts).
fn is_litd_add_error(message: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "must include at least one feature",
        "expiry must be in the future",
        "session not found",
        "can not link to session ",
        "privacy flags can only be set when the privacy mapper is enabled",
        "error deserializing privacy flags (",
        "unknown rule ",
        "incorrect RuleValue type",
        "autopilot did not specify ",
        "rule value for ",
        "error creating new session: ",
        "error registering session with autopilot server: ",
        "error setting remote pubkey: ",
        "rate-limit needs both read_limit and write_limit",
        "cant set both start time and duration",
        "an entry with the given pseudo value already exists",
        "invalid config, expected list of only strings for key ",
        "invalid character ",
        "json: ",
        "unexpected end of JSON input",
        "pseudo channel id ",
        "channel restrict list cannot be empty. ",
        "peer restrict list cannot be empty. ",
    ];
    PREFIXES.iter().any(|p| message.starts_with(p))
        || message.ends_with(" is not a features provided by the Autopilot server")
}

/// The error shapes of a REST body: encoding/json's texts for the first
/// value, protojson's (`proto:` + space or no-break space, then a position).
fn is_gateway_body_error(e: &str) -> bool {
    if e == "unexpected EOF" || e.starts_with("invalid character ") {
        return true;
    }
    let Some(rest) = e
        .strip_prefix("proto: ")
        .or_else(|| e.strip_prefix("proto:\u{a0}"))
    else {
        return false;
    };
    rest == "unexpected EOF"
        || rest.starts_with("(line ")
        || rest.starts_with("syntax error (line ")
}

/// Every rule's own request check (6b) answers a text the oracle above
/// knows: CI once drew an empty channel-restriction list, whose text was
/// missing from it.
#[test]
fn each_rules_request_check_is_a_known_litd_text() {
    use p::rule_value::Value as V;
    let cases = [
        (
            "channel-restriction",
            V::ChannelRestrict(p::ChannelRestrict::default()),
            "channel restrict list cannot be empty. If no channel restrictions should be applied then there is no need to add the rule",
        ),
        (
            "peer-restriction",
            V::PeerRestrict(p::PeerRestrict::default()),
            "peer restrict list cannot be empty. If no channel restrictions should be applied then there is no need to add the rule",
        ),
        (
            "history-limit",
            V::HistoryLimit(p::HistoryLimit { start_time: 1, duration: 1 }),
            "cant set both start time and duration",
        ),
    ];
    let rt = runtime();
    for (rule, value, text) in cases {
        let rules = p::RulesMap {
            rules: [(rule.to_string(), p::RuleValue { value: Some(value) })].into(),
        };
        let req = p::AddAutopilotSessionRequest {
            expiry_timestamp_seconds: T0 + 3_600,
            features: [(
                "HealthCheck".to_string(),
                p::FeatureConfig {
                    rules: Some(rules),
                    config: Vec::new(),
                },
            )]
            .into(),
            ..Default::default()
        };
        let e = rt
            .block_on(core().add_session(add_request_in(req)))
            .expect_err(rule);
        assert_eq!((e.code, e.message.as_str()), (Code::Unknown, text));
        assert!(is_litd_add_error(&e.message), "{rule}: {e:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_request_type_decodes_or_errs(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = p::AddAutopilotSessionRequest::decode(&bytes[..]);
        let _ = p::ListAutopilotSessionsRequest::decode(&bytes[..]);
        let _ = p::ListAutopilotFeaturesRequest::decode(&bytes[..]);
        let _ = p::RevokeAutopilotSessionRequest::decode(&bytes[..]);
    }

    /// Mutated valid encodings (wrong wire types, huge lengths, deep group
    /// nesting...) either fail to decode or run through the add flow.
    #[test]
    fn mutated_add_requests_decode_or_err(raw in prop::collection::vec(any::<u8>(), 0..512), seed in any::<u64>()) {
        let mut u = Unstructured::new(&raw);
        let valid = gen::add_request(&mut u).unwrap_or_default().encode_to_vec();
        let (bytes, _) = mutate::proto(&mut StdRng::seed_from_u64(seed), &valid);
        if let Ok(req) = p::AddAutopilotSessionRequest::decode(&bytes[..]) {
            add_and_check(&runtime(), &core(), req);
        }
        let _ = p::RevokeAutopilotSessionRequest::decode(&bytes[..]);
    }

    /// The add flow on structure-aware arbitrary requests, several against
    /// one core so linking and privacy maps see earlier sessions.
    #[test]
    fn add_flow_on_arbitrary_requests(raws in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..400), 1..4)) {
        let rt = runtime();
        let core = core();
        for raw in raws {
            let mut req = gen::add_request(&mut Unstructured::new(&raw)).unwrap_or_default();
            if req.expiry_timestamp_seconds % 2 == 0 {
                // Half the time past the expiry check, so later steps run.
                req.expiry_timestamp_seconds = T0 + 3_600;
            }
            add_and_check(&rt, &core, req);
        }
        let listed = rt.block_on(core.list_sessions()).expect("list works");
        assert!(listed.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    }

    #[test]
    fn rest_bodies_decode_or_err_with_gateway_text(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for result in [
            decode_body::<p::AddAutopilotSessionRequest>(&bytes).map(|_| ()),
            decode_body::<p::ListAutopilotSessionsRequest>(&bytes).map(|_| ()),
            decode_body::<p::ListAutopilotFeaturesRequest>(&bytes).map(|_| ()),
            decode_body::<p::RevokeAutopilotSessionRequest>(&bytes).map(|_| ()),
        ] {
            if let Err(e) = result {
                prop_assert!(is_gateway_body_error(&e), "{e}");
            }
        }
    }

    #[test]
    fn mutated_rest_bodies_decode_or_err(raw in prop::collection::vec(any::<u8>(), 0..512), seed in any::<u64>()) {
        let req = gen::add_request(&mut Unstructured::new(&raw)).unwrap_or_default();
        let json = serde_json::to_vec(&req).expect("a message serializes");
        let back: p::AddAutopilotSessionRequest = decode_body(&json).expect("own JSON decodes");
        prop_assert_eq!(back, req);
        let (bytes, _) = mutate::json(&mut StdRng::seed_from_u64(seed), &json);
        if let Err(e) = decode_body::<p::AddAutopilotSessionRequest>(&bytes) {
            prop_assert!(is_gateway_body_error(&e), "{e}");
        }
    }

    #[test]
    fn key_params_decode_or_err_with_gateway_text(s in "\\PC{0,80}") {
        if let Err(e) = decode_key_param(&s) {
            prop_assert!(e.starts_with("type mismatch, parameter: local_public_key, error: illegal base64 data at input byte "), "{e}");
        }
    }

    #[test]
    fn feature_configs_obfuscate_or_err(raw in prop::collection::vec(any::<u8>(), 0..400), flags in any::<u64>()) {
        let mut u = Unstructured::new(&raw);
        let config = gen::config_bytes(&mut u).unwrap_or_default();
        let flags = PrivacyFlags::parse(flags & 0xff).unwrap_or_else(|_| PrivacyFlags::parse(0).expect("0 is valid"));
        let mut map = PrivacyMap::new();
        let mut rng = StdRng::seed_from_u64(1);
        if let Ok(out) = obfuscate_config(&config, flags, &mut map, &mut rng) {
            // What it produces is JSON litd would accept again.
            if !out.is_empty() {
                prop_assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok());
            }
        }
    }

    #[test]
    fn catalogue_files_parse_or_err(text in "\\PC{0,200}") {
        let _ = Catalogue::parse(&text, "prop");
    }

    #[test]
    fn mutated_catalogues_parse_or_err(cut in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), insert in "\\PC{0,8}") {
        let text = include_str!("../fixtures/default-features.json");
        let mut s: String = text.chars().take(cut.index(text.len() + 1)).collect();
        let i = s.char_indices().map(|(i, _)| i).nth(at.index(s.chars().count() + 1)).unwrap_or(s.len());
        s.insert_str(i, &insert);
        if let Err(e) = Catalogue::parse(&s, "mutated") {
            prop_assert!(e.to_string().contains("mutated"), "{e}");
        }
    }
}

#[test]
fn deeply_nested_configs_and_bodies_do_not_overflow_the_stack() {
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let flags = PrivacyFlags::parse(0).expect("0 is valid");
    let mut rng = StdRng::seed_from_u64(1);
    let _ = obfuscate_config(deep.as_bytes(), flags, &mut PrivacyMap::new(), &mut rng);
    let err = decode_body::<p::AddAutopilotSessionRequest>(deep.as_bytes()).expect_err("too deep");
    // encoding/json's scanner refuses it while reading the first value.
    assert_eq!(err, "invalid character '[' exceeded max depth");
    let mut groups = Vec::new();
    for _ in 0..100_000 {
        mutate::key(&mut groups, 99, 3);
    }
    assert!(p::AddAutopilotSessionRequest::decode(&groups[..]).is_err());
}
