//! Rule JSON (what a remote server's rule defaults and bounds are parsed
//! from): the first byte picks the rule, the rest is the document; a parsed
//! rule must re-encode.
#![no_main]

use autopilot_mock::domain::rules::{Rule, KNOWN_RULE_NAMES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let name = KNOWN_RULE_NAMES[usize::from(pick) % KNOWN_RULE_NAMES.len()];
    if let Ok(rule) = Rule::from_json(name, json) {
        let _ = (rule.try_to_json(), rule.to_value(), rule.go_dump());
    }
});
