//! REST decoding: the JSON body of every request type (every registry
//! method's, through `decode_as_every_request`) and the
//! `local_public_key` path parameter (percent-decoded, then base64).
#![no_main]

use autopilot_mock::proto::litrpc as p;
use autopilot_mock::rest::{decode_body, decode_key_param, percent_decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_body::<p::AddAutopilotSessionRequest>(data);
    let _ = decode_body::<p::ListAutopilotSessionsRequest>(data);
    let _ = decode_body::<p::ListAutopilotFeaturesRequest>(data);
    let _ = decode_body::<p::RevokeAutopilotSessionRequest>(data);
    // Every other method's body too (Sessions, Firewall, Proxy, Status).
    autopilot_mock::fuzz::any_request::decode_as_every_request(data);
    let _ = decode_key_param(data);
    let _ = decode_key_param(percent_decode(&String::from_utf8_lossy(data)));
});
