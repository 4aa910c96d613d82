//! Macaroon checking: the bytes as a binary macaroon (hex-encoded, as the
//! metadata carries it) and as the raw header bytes themselves.
#![no_main]

use std::sync::OnceLock;
use std::time::SystemTime;

use autopilot_mock::auth::Authenticator;
use libfuzzer_sys::fuzz_target;

const ADD: &str = "/litrpc.Autopilot/AddAutopilotSession";

fn auth() -> &'static Authenticator {
    static AUTH: OnceLock<Authenticator> = OnceLock::new();
    AUTH.get_or_init(|| Authenticator::new([0x42; 32]))
}

fuzz_target!(|data: &[u8]| {
    let now = SystemTime::now();
    let _ = auth().check(&[&hex::encode(data)], ADD, now);
    let _ = auth().check(&[data], ADD, now);
    let _ = auth().check(&[data, data], ADD, now);
});
