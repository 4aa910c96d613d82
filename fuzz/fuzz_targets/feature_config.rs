//! Feature config obfuscation (the privacy mapper over a request's config
//! JSON): the first byte is the privacy flags, the rest the config.
#![no_main]

use autopilot_mock::domain::privacy::{obfuscate_config, PrivacyFlags, PrivacyMap};
use libfuzzer_sys::fuzz_target;
use rand::rngs::StdRng;
use rand::SeedableRng;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, config)) = data.split_first() else {
        return;
    };
    let Ok(flags) = PrivacyFlags::parse(u64::from(flags)) else {
        return;
    };
    let mut map = PrivacyMap::new();
    let mut rng = StdRng::seed_from_u64(1);
    let _ = obfuscate_config(config, flags, &mut map, &mut rng);
});
