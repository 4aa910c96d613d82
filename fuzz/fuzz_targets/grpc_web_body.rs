//! grpc-web request bodies: the first byte picks binary or text mode and
//! whether the body has ended; the rest is the body. Every prefix of it is
//! decoded too (the entry point decodes as bytes arrive). The content type
//! converter and the UI password matcher read the same bytes.
#![no_main]

use autopilot_mock::auth::ui_password::UiPassword;
use autopilot_mock::grpc_web::codec::{decode_request, Decoded, Mode, WebContentType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let mode = if selector & 1 == 0 { Mode::Binary } else { Mode::Text };
    let ended = selector & 2 != 0;
    let max = 1 + usize::from(selector >> 2) * 64;
    for cut in 0..=body.len().min(64) {
        let _ = decode_request(mode, &body[..cut], false, max);
    }
    let whole = decode_request(mode, body, ended, max);
    assert!(!(ended && whole == Decoded::NeedMore), "an ended body needs no more bytes");
    if let Some(ct) = WebContentType::parse(body) {
        let _ = ct.subtype();
        let _ = ct.response();
    }
    if let Ok(p) = UiPassword::new("fuzzing-password") {
        let _ = p.matches([body]);
    }
});
