//! The cargo-fuzz seed corpus in `fixtures/fuzz-corpus/<target>/`: every
//! file runs through its target's decoders here on stable (a regression
//! suite of its own), and `AUTOPILOT_MOCK_WRITE_CORPUS=1 cargo test --test
//! fuzz_corpus` regenerates the seeds from the library's own encoders.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use arbitrary::Unstructured;
use autopilot_mock::auth::Authenticator;
use autopilot_mock::domain::privacy::{obfuscate_config, PrivacyFlags, PrivacyMap};
use autopilot_mock::domain::rules::{Rule, KNOWN_RULE_NAMES};
use autopilot_mock::fuzz::gen;
use autopilot_mock::grpc_web::codec::{decode_request, message_frame, Decoded, Mode};
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::rest::{decode_body, decode_key_param, percent_decode};
use autopilot_mock::wire::rule_value_in;
use base64::Engine;
use prost::Message;
use rand::rngs::StdRng;
use rand::SeedableRng;

const TARGETS: [&str; 6] = [
    "grpc_add_request",
    "rest_body",
    "macaroon",
    "rule_json",
    "feature_config",
    "grpc_web_body",
];

fn dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz-corpus")
        .join(target)
}

fn requests() -> Vec<p::AddAutopilotSessionRequest> {
    let mut out = vec![p::AddAutopilotSessionRequest {
        label: "seed".into(),
        expiry_timestamp_seconds: 1_893_542_400,
        mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
        features: [("HealthCheck".to_string(), p::FeatureConfig::default())].into(),
        ..Default::default()
    }];
    for seed in 0..4u8 {
        let raw: Vec<u8> = (0..600u32)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed * 17))
            .collect();
        if let Ok(r) = gen::add_request(&mut Unstructured::new(&raw)) {
            out.push(r);
        }
    }
    out
}

/// One valid JSON document per rule, prefixed with the rule's index byte.
fn rule_seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, name) in KNOWN_RULE_NAMES.iter().enumerate() {
        for seed in 0..2_000u32 {
            let raw: Vec<u8> = seed
                .to_le_bytes()
                .iter()
                .cycle()
                .take(64)
                .copied()
                .collect();
            let Ok(value) = gen::rule_value(&mut Unstructured::new(&raw)) else {
                continue;
            };
            let Some(value) = rule_value_in(value) else {
                continue;
            };
            if let Ok(rule) = Rule::from_request(name, Some(&value)) {
                if let Ok(json) = rule.try_to_json() {
                    let mut seed_file = vec![i as u8];
                    seed_file.extend(json.into_bytes());
                    out.push(seed_file);
                    break;
                }
            }
        }
    }
    out
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "grpc_add_request" => requests().iter().map(Message::encode_to_vec).collect(),
        "rest_body" => {
            let mut v: Vec<Vec<u8>> = requests()
                .iter()
                .map(|r| serde_json::to_vec(r).unwrap_or_default())
                .collect();
            v.push(br#"{"local_public_key":"AxISNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze"}"#.to_vec());
            v.push(b"A_-xISNA%3D%3D".to_vec());
            v
        }
        "macaroon" => {
            let raw = Authenticator::new([0x42; 32]).bake_lit_macaroon();
            vec![raw.clone(), hex::encode(raw).into_bytes()]
        }
        "rule_json" => rule_seeds(),
        "feature_config" => vec![
            b"\x00{\"peers\":[\"02abababababababababababababababababababababababababababababababab\", \"123456789012345\"]}".to_vec(),
            b"\x00{\"points\":[\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd:1\"],\"n\":1.5}".to_vec(),
            b"\x03null".to_vec(),
        ],
        "grpc_web_body" => grpc_web_seeds(),
        _ => Vec::new(),
    }
}

/// Selector byte (bit 0: text, bit 1: ended) + a grpc-web body.
fn grpc_web_seeds() -> Vec<Vec<u8>> {
    let frame = message_frame(&p::ListAutopilotSessionsRequest {}.encode_to_vec());
    let add = message_frame(&requests()[0].encode_to_vec());
    let text = |b: &[u8]| {
        base64::engine::general_purpose::STANDARD
            .encode(b)
            .into_bytes()
    };
    let with = |selector: u8, body: Vec<u8>| [vec![selector], body].concat();
    vec![
        with(2, frame.clone()),
        with(2, add.clone()),
        with(3, text(&add)),
        with(3, b"AAAAAAA=".to_vec()),
        with(2, vec![1, 0, 0, 0, 0]),
        with(2, vec![0, 0xff, 0xff, 0xff, 0xff]),
        with(3, b"AA*AAAA=".to_vec()),
        with(0, add[..add.len() / 2].to_vec()),
        with(3, [text(&frame), b"\r\n!!".to_vec()].concat()),
    ]
}

/// Runs one input through the decoders its cargo-fuzz target exercises.
fn exercise(target: &str, data: &[u8]) {
    match target {
        "grpc_add_request" => {
            let _ = p::AddAutopilotSessionRequest::decode(data);
        }
        "rest_body" => {
            let _ = decode_body::<p::AddAutopilotSessionRequest>(data);
            let _ = decode_key_param(percent_decode(&String::from_utf8_lossy(data)));
        }
        "macaroon" => {
            let auth = Authenticator::new([0x42; 32]);
            let _ = auth.check(
                &[&hex::encode(data)],
                "/litrpc.Autopilot/ListAutopilotSessions",
                SystemTime::now(),
            );
        }
        "rule_json" => {
            if let Some((&i, json)) = data.split_first() {
                let _ = Rule::from_json(KNOWN_RULE_NAMES[usize::from(i) % 7], json);
            }
        }
        "feature_config" => {
            if let Some((&f, config)) = data.split_first() {
                if let Ok(flags) = PrivacyFlags::parse(u64::from(f)) {
                    let mut rng = StdRng::seed_from_u64(1);
                    let _ = obfuscate_config(config, flags, &mut PrivacyMap::new(), &mut rng);
                }
            }
        }
        "grpc_web_body" => {
            if let Some((&selector, body)) = data.split_first() {
                let mode = if selector & 1 == 0 {
                    Mode::Binary
                } else {
                    Mode::Text
                };
                let ended = selector & 2 != 0;
                let got = decode_request(mode, body, ended, 4096);
                assert!(!(ended && got == Decoded::NeedMore));
            }
        }
        other => panic!("unknown target {other}"),
    }
}

#[test]
fn seed_corpus_exists_and_runs_through_the_decoders() {
    if std::env::var_os("AUTOPILOT_MOCK_WRITE_CORPUS").is_some() {
        for target in TARGETS {
            std::fs::create_dir_all(dir(target)).expect("corpus dir");
            for (i, seed) in seeds(target).iter().enumerate() {
                std::fs::write(dir(target).join(format!("seed-{i:02}")), seed).expect("write seed");
            }
        }
    }
    for target in TARGETS {
        let entries: Vec<_> = std::fs::read_dir(dir(target))
            .unwrap_or_else(|e| panic!("{}: {e}", dir(target).display()))
            .filter_map(Result::ok)
            .collect();
        assert!(!entries.is_empty(), "{target} has no seeds");
        for entry in entries {
            let data = std::fs::read(entry.path()).expect("read seed");
            exercise(target, &data);
        }
    }
    // The rule seeds parse: one valid document for every rule.
    assert_eq!(rule_seeds().len(), KNOWN_RULE_NAMES.len());
}
