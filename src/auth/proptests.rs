//! `check`, `inspect` and `add_first_party_caveat` never panic, whatever
//! the metadata value or the macaroon bytes.

use std::time::SystemTime;

use proptest::prelude::*;

use super::*;

const LIST: &str = "/litrpc.Autopilot/ListAutopilotFeatures";
const ADD: &str = "/litrpc.Autopilot/AddAutopilotSession";

fn auth() -> Authenticator {
    Authenticator::new([0x42; 32])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn check_never_panics_on_text(s in ".*", method in prop::sample::select(vec![LIST, ADD, "/x"])) {
        let _ = auth().check(&[&s], method, SystemTime::now());
    }

    #[test]
    fn check_never_panics_on_bytes(raw in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = auth().check(&[&to_hex(&raw)], LIST, SystemTime::now());
        let _ = inspect(&raw);
        let _ = add_first_party_caveat(&raw, "x");
    }

    #[test]
    fn check_never_panics_on_mutated_macaroons(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        caveat in ".{0,40}",
    ) {
        let mut raw = auth().bake(&[(URI_ENTITY, &[LIST]), ("autopilot", &["read"])], &[&caveat]);
        for (i, b) in edits {
            let i = i.index(raw.len());
            raw[i] = b;
        }
        raw.truncate(cut.index(raw.len() + 1));
        let _ = auth().check(&[&to_hex(&raw)], LIST, SystemTime::now());
        let _ = inspect(&raw);
    }
}
