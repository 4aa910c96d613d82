//! protobuf-go's error prefix, which every protobuf-go error litd passes on
//! begins with: its binary decoder's (`protobuf_in.rs`) and protojson's
//! (`protojson_in/`).

use std::sync::atomic::{AtomicU8, Ordering};

/// 0: not chosen yet; 1: space; 2: no-break space.
static PREFIX_SPACE: AtomicU8 = AtomicU8::new(0);

/// protobuf-go's error prefix, `proto:` and a space or a no-break space
/// (U+00A0), the same for the whole process (Go picks it per binary; the
/// reference says per process, which is what a client can observe).
pub(crate) fn error_prefix() -> &'static str {
    let mut v = PREFIX_SPACE.load(Ordering::Relaxed);
    if v == 0 {
        let pick = if rand::random::<bool>() { 2 } else { 1 };
        v = match PREFIX_SPACE.compare_exchange(0, pick, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => pick,
            Err(current) => current,
        };
    }
    if v == 2 {
        "proto:\u{a0}"
    } else {
        "proto: "
    }
}

/// Makes the prefix choice follow `seed` (`serve --seed`), when no error was
/// written yet in this process.
pub(crate) fn seed_error_prefix(seed: u64) {
    let pick = if seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63 == 1 {
        2
    } else {
        1
    };
    let _ = PREFIX_SPACE.compare_exchange(0, pick, Ordering::Relaxed, Ordering::Relaxed);
}
