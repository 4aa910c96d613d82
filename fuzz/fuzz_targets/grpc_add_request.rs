//! The gRPC AddAutopilotSession path: protobuf decode of the raw bytes and,
//! when they decode, the whole add flow; plus the same flow on a
//! structure-aware request built from the bytes with `arbitrary`.
#![no_main]

use std::sync::{Arc, OnceLock};

use arbitrary::Unstructured;
use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::domain::AutopilotCore;
use autopilot_mock::fuzz::gen;
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::remote::{Catalogue, InProcessRemote};
use autopilot_mock::wire::add_request_in;
use libfuzzer_sys::fuzz_target;
use prost::Message;

struct World {
    rt: tokio::runtime::Runtime,
    core: AutopilotCore,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let catalogue = Catalogue::default_catalogue().expect("embedded catalogue");
        World {
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime"),
            core: AutopilotCore::new(
                Arc::new(InProcessRemote::new(catalogue)),
                Arc::new(ManualClock::at_unix(1_893_456_000)),
            ),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let _ = p::RevokeAutopilotSessionRequest::decode(data);
    let _ = p::ListAutopilotSessionsRequest::decode(data);
    // Every other method's request decoders too (protobuf and REST JSON).
    autopilot_mock::fuzz::any_request::decode_as_every_request(data);
    if let Ok(req) = p::AddAutopilotSessionRequest::decode(data) {
        let _ = w.rt.block_on(w.core.add_session(add_request_in(req)));
    }
    if let Ok(req) = gen::add_request(&mut Unstructured::new(data)) {
        let _ = w.rt.block_on(w.core.add_session(add_request_in(req)));
    }
    // Keep memory bounded over a long run.
    if w.core.session_count() > 10_000 {
        w.core.reset();
    }
});
