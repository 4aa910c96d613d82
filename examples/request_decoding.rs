//! What reading a binary request as litd's protobuf-go does costs
//! (`wire::protobuf_in::decode`: the descriptor walk, then prost) against
//! prost's decoder alone, on the same bytes in the same run: an Add request
//! as litd's Node sample sends it, and the same request with a field of
//! another wire type (which the walk drops, so it copies).
//!
//! ```sh
//! cargo run --release --example request_decoding -- 200000
//! ```

use std::hint::black_box;
use std::time::Instant;

use autopilot_mock::proto::litrpc as p;
use autopilot_mock::wire::protobuf_in;
use prost::Message;

fn sample_request() -> p::AddAutopilotSessionRequest {
    let budget = p::RuleValue {
        value: Some(p::rule_value::Value::OffChainBudget(p::OffChainBudget {
            max_amt_msat: 1_000_000,
            max_fees_msat: 100_000,
        })),
    };
    let rules = p::RulesMap {
        rules: [("off-chain-budget".to_string(), budget)].into(),
    };
    p::AddAutopilotSessionRequest {
        label: "sample".into(),
        expiry_timestamp_seconds: 1_900_000_000,
        mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
        features: [
            ("HealthCheck".to_string(), p::FeatureConfig::default()),
            (
                "AutoFees".to_string(),
                p::FeatureConfig {
                    rules: Some(rules),
                    config: Vec::new(),
                },
            ),
        ]
        .into(),
        ..Default::default()
    }
}

/// Nanoseconds per call of `f` over `n` calls.
fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let whole = sample_request().encode_to_vec();
    // label sent again as a varint: protobuf-go skips it, prost refuses.
    let mut skipped = whole.clone();
    skipped.extend([0x08, 0x05]);
    let expected = sample_request();
    let check = |bytes: &[u8]| {
        protobuf_in::decode::<p::AddAutopilotSessionRequest>(bytes).map(|r| r == expected)
    };
    if check(&whole) != Ok(true) || check(&skipped) != Ok(true) {
        eprintln!("request_decoding: the walk does not read the sample as expected");
        std::process::exit(1);
    }
    for round in 1..=3 {
        let prost_ns = per_call(n, || {
            black_box(p::AddAutopilotSessionRequest::decode(black_box(whole.as_slice())).ok());
        });
        let go_ns = per_call(n, || {
            black_box(protobuf_in::decode::<p::AddAutopilotSessionRequest>(black_box(&whole)).ok());
        });
        let copy_ns = per_call(n, || {
            black_box(
                protobuf_in::decode::<p::AddAutopilotSessionRequest>(black_box(&skipped)).ok(),
            );
        });
        println!(
            "round {round}: {} bytes; prost alone {prost_ns:.0} ns; as protobuf-go reads it \
             {go_ns:.0} ns ({:.2}x); with a skipped field (copied) {copy_ns:.0} ns ({:.2}x)",
            whole.len(),
            go_ns / prost_ns,
            copy_ns / prost_ns
        );
    }
}
