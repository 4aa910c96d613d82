//! Every error text of `Authenticator::check`; the cross-checks against
//! libmacaroon, an independent implementation, are `libmacaroon_tests.rs`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

use super::*;

const LIST: &str = "/litrpc.Autopilot/ListAutopilotFeatures";
const ADD: &str = "/litrpc.Autopilot/AddAutopilotSession";
const ROOT: [u8; 32] = [0x42; 32];

fn auth() -> Authenticator {
    Authenticator::new(ROOT)
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// The message for a check of `raw` on `method`.
fn err_of(raw: &[u8], method: &str) -> String {
    match auth().check(&[&to_hex(raw)], method, now()) {
        Ok(()) => "OK".to_string(),
        Err(e) => e.message,
    }
}

fn invalid(reason: &str) -> String {
    format!("{INVALID_MACAROON_PREFIX}{reason}")
}

fn uri_list_with(caveats: &[&str]) -> Vec<u8> {
    auth().bake(&[(URI_ENTITY, &[LIST])], caveats)
}

/// A macaroon with an arbitrary identifier, correctly signed with `ROOT`.
fn signed_with_id(id: Vec<u8>) -> Vec<u8> {
    let mut m = wire::WireMacaroon {
        version: 2,
        location: b"litd".to_vec(),
        id,
        caveats: vec![],
        sig: [0; 32],
    };
    m.sig = wire::chain(&wire::derive_key(&ROOT), &m, 0);
    wire::encode_v2(&m)
}

#[test]
fn permission_table() {
    let read: &[(&str, &str)] = &[("autopilot", "read")];
    let write: &[(&str, &str)] = &[("autopilot", "write")];
    assert_eq!(required_permissions(LIST), Some(read));
    assert_eq!(
        required_permissions("/litrpc.Autopilot/ListAutopilotSessions"),
        Some(read)
    );
    assert_eq!(required_permissions(ADD), Some(write));
    assert_eq!(
        required_permissions("/litrpc.Autopilot/RevokeAutopilotSession"),
        Some(write)
    );
    assert_eq!(required_permissions("/litrpc.Autopilot/Nope"), None);
}

#[test]
fn lit_macaroon_allows_everything() {
    let lit = auth().bake_lit_macaroon();
    for m in [
        LIST,
        ADD,
        "/litrpc.Autopilot/ListAutopilotSessions",
        "/litrpc.Autopilot/RevokeAutopilotSession",
    ] {
        assert_eq!(err_of(&lit, m), "OK", "{m}");
    }
    // Metadata hex may be upper case: Go's decoder accepts it.
    let upper = to_hex(&lit).to_uppercase();
    assert!(auth().check(&[&upper], LIST, now()).is_ok());
}

#[test]
fn count_and_table_errors() {
    let lit = to_hex(&auth().bake_lit_macaroon());
    let a = auth();
    let msg = |v: &[&str], m: &str| a.check(v, m, now()).unwrap_err().message;
    assert_eq!(msg(&[&lit], "/litrpc.Autopilot/Nope"), "unknown request");
    assert_eq!(msg(&[], "/litrpc.Sessions/ListSessionz"), "unknown request");
    assert_eq!(
        msg(&[], "/litrpc.Sessions/ListSessions"),
        "expected 1 macaroon, got 0"
    );
    assert_eq!(msg(&[], LIST), "expected 1 macaroon, got 0");
    assert_eq!(msg(&[&lit, &lit], LIST), "expected 1 macaroon, got 2");
}

#[test]
fn hex_and_format_errors() {
    let a = auth();
    let msg = |v: &str| a.check(&[v], LIST, now()).unwrap_err().message;
    assert_eq!(msg("0g"), invalid("encoding/hex: invalid byte: U+0067 'g'"));
    assert_eq!(msg("abc"), invalid("encoding/hex: odd length hex string"));
    assert_eq!(msg(""), invalid("empty macaroon data"));
    assert_eq!(
        msg("ff"),
        invalid("cannot determine data format of binary-encoded macaroon")
    );
    assert_eq!(
        msg("02"),
        invalid("unmarshal v2: section extends past end of buffer")
    );
}

#[test]
fn v1_macaroon_is_an_unknown_version() {
    let lm = libmacaroon::Macaroon::create(
        Some("litd"),
        &libmacaroon::MacaroonKey::generate(&ROOT),
        b"id",
    )
    .unwrap();
    let b64 = lm.serialize(libmacaroon::Format::V1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE
        .decode(b64)
        .unwrap();
    assert_eq!(err_of(&raw, LIST), invalid("unknown macaroon version: v1"));
}

#[test]
fn identifier_errors() {
    assert_eq!(
        err_of(&signed_with_id(vec![2, 0, 0]), LIST),
        invalid("invalid ID")
    );
    assert_eq!(err_of(&signed_with_id(vec![]), LIST), invalid("invalid ID"));
    assert_eq!(
        err_of(&signed_with_id(vec![3, 0x0a, 9, 1]), LIST),
        invalid(&format!(
            "cannot retrieve macaroon: cannot unmarshal macaroon id: {}",
            crate::gocompat::protowire::wire_format_error()
        ))
    );
    assert_eq!(
        err_of(&auth().bake(&[], &[]), LIST),
        invalid("cannot retrieve macaroon: no operations found in macaroon")
    );
    let other_id = bake_raw(&ROOT, b"1234", LIT_MACAROON_OPS, &[]);
    assert_eq!(
        err_of(&other_id, LIST),
        invalid(
            "cannot retrieve macaroon: cannot get macaroon: root key with id 1234 doesn't exist"
        )
    );
    let mut with_key = auth();
    with_key.insert_root_key(b"1234", ROOT);
    assert!(with_key.check(&[&to_hex(&other_id)], LIST, now()).is_ok());
}

#[test]
fn signature_errors() {
    let mismatch = invalid("verification failed: signature mismatch after caveat verification");
    let foreign = Authenticator::new([7; 32]).bake_lit_macaroon();
    assert_eq!(err_of(&foreign, LIST), mismatch);
    assert_eq!(
        err_of(&tamper_signature(&auth().bake_lit_macaroon()), ADD),
        mismatch
    );
}

#[test]
fn missing_op_is_permission_denied() {
    let ro = auth().bake_read_only();
    assert_eq!(err_of(&ro, LIST), "OK");
    assert_eq!(err_of(&ro, ADD), invalid("permission denied"));
    let uri = auth().bake_uri(&[ADD]);
    assert_eq!(err_of(&uri, ADD), "OK");
    assert_eq!(err_of(&uri, LIST), invalid("permission denied"));
}

#[test]
fn time_before() {
    let past = time_before_caveat(now() - Duration::from_secs(1));
    let future = time_before_caveat(now() + Duration::from_secs(60));
    assert_eq!(err_of(&uri_list_with(&[&future]), LIST), "OK");
    assert_eq!(
        err_of(&uri_list_with(&[&past]), LIST),
        invalid(&format!(
            "caveat \"{past}\" not satisfied: macaroon has expired"
        ))
    );
    // Exactly at the deadline is already expired (Go: !now.Before(t)).
    let at = time_before_caveat(now());
    assert!(err_of(&uri_list_with(&[&at]), LIST).ends_with("macaroon has expired"));
    // The bakery checks the caveats on both of lnd's attempts, so an
    // entity:action macaroon that expired reads the caveat's text too.
    let lit = add_first_party_caveat(&auth().bake_lit_macaroon(), &past).unwrap();
    assert_eq!(
        err_of(&lit, LIST),
        invalid(&format!(
            "caveat \"{past}\" not satisfied: macaroon has expired"
        ))
    );
    assert_eq!(
        err_of(&uri_list_with(&["time-before soon"]), LIST),
        invalid(
            "caveat \"time-before soon\" not satisfied: parsing time \"soon\" as \
             \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"soon\" as \"2006\""
        )
    );
}

#[test]
fn standard_and_unknown_caveats() {
    let sat = |c: &str| {
        format!(
            "caveat {} not satisfied: ",
            crate::gocompat::fmt::quote(c.as_bytes())
        )
    };
    let cases: &[(&[&str], String)] = &[
        (
            &["ipaddr 127.0.0.1"],
            invalid(&format!("{}caveat not recognized", sat("ipaddr 127.0.0.1"))),
        ),
        (
            &["lnd-custom lit-mac-fw x"],
            invalid(&format!(
                "{}caveat not recognized",
                sat("lnd-custom lit-mac-fw x")
            )),
        ),
        (
            &["error oops"],
            invalid(&format!("{}bad caveat", sat("error oops"))),
        ),
        (&["declared user bob"], "OK".into()),
        (
            &["declared a x", "declared a y"],
            invalid(&format!(
                "{}got a=null, expected \"x\"",
                sat("declared a x")
            )),
        ),
        (
            &["declared nokey"],
            invalid(&format!(
                "{}declared caveat has no value",
                sat("declared nokey")
            )),
        ),
        // Only time-before, declared and error are registered checkers.
        (
            &[&format!("allow x {LIST}")],
            invalid(&format!(
                "{}caveat not recognized",
                sat(&format!("allow x {LIST}"))
            )),
        ),
        (
            &["deny write"],
            invalid(&format!("{}caveat not recognized", sat("deny write"))),
        ),
        (&[""], invalid("cannot parse caveat \"\": empty caveat")),
        (
            &[" x"],
            invalid("cannot parse caveat \" x\": caveat starts with space character"),
        ),
        (
            &["bad\u{1}\"q"],
            invalid("caveat \"bad\\x01\\\"q\" not satisfied: caveat not recognized"),
        ),
    ];
    for (caveats, want) in cases {
        assert_eq!(&err_of(&uri_list_with(caveats), LIST), want, "{caveats:?}");
    }
    // On lit.macaroon (entity ops) the caveat's text wins as well.
    let lit = auth().bake(LIT_MACAROON_OPS, &["ipaddr 1.2.3.4"]);
    assert_eq!(
        err_of(&lit, LIST),
        invalid("caveat \"ipaddr 1.2.3.4\" not satisfied: caveat not recognized")
    );
    let ro = auth().bake(&[("autopilot", &["read"])], &["allow read"]);
    assert_eq!(
        err_of(&ro, LIST),
        invalid("caveat \"allow read\" not satisfied: caveat not recognized")
    );
}

#[test]
fn a_failing_caveat_wins_over_a_missing_op_and_the_first_one_counts() {
    // Missing op (read-only asked to add) and a failing caveat: the caveat.
    let ro = auth().bake(&[("autopilot", &["read"])], &["ipaddr 1.2.3.4"]);
    assert_eq!(
        err_of(&ro, ADD),
        invalid("caveat \"ipaddr 1.2.3.4\" not satisfied: caveat not recognized")
    );
    // Several failing caveats: the first, as is.
    let past = time_before_caveat(now() - Duration::from_secs(1));
    let two = auth().bake(LIT_MACAROON_OPS, &[&past, "ipaddr 1.2.3.4"]);
    assert_eq!(
        err_of(&two, LIST),
        invalid(&format!(
            "caveat \"{past}\" not satisfied: macaroon has expired"
        ))
    );
    let swapped = auth().bake(LIT_MACAROON_OPS, &["ipaddr 1.2.3.4", &past]);
    assert_eq!(
        err_of(&swapped, LIST),
        invalid("caveat \"ipaddr 1.2.3.4\" not satisfied: caveat not recognized")
    );
    // No caveat fails and no op matches: permission denied.
    let future = time_before_caveat(now() + Duration::from_secs(60));
    let ro = auth().bake(&[("autopilot", &["read"])], &[&future]);
    assert_eq!(err_of(&ro, ADD), invalid("permission denied"));
}

#[test]
fn header_bytes_are_hex_decoded_as_go_does() {
    // A raw 0xFF byte (obs-text) is reported as that byte, not as U+FFFD.
    let err = auth()
        .check(&[b"\xff0".as_slice()], LIST, now())
        .unwrap_err();
    assert_eq!(
        err.message,
        invalid("encoding/hex: invalid byte: U+00FF '\u{ff}'")
    );
    let err = auth()
        .check(&[b"ab\x80\x80".as_slice()], LIST, now())
        .unwrap_err();
    assert_eq!(err.message, invalid("encoding/hex: invalid byte: U+0080"));
    assert_eq!(
        decode_header_hex(b"0a\xc3\xa9"),
        Err("encoding/hex: invalid byte: U+00C3 '\u{c3}'".to_string())
    );
}

#[test]
fn inspect_describes_lit_macaroon() {
    let raw = auth().bake_lit_macaroon();
    assert_eq!(raw[0], 2);
    let info = inspect(&raw).unwrap();
    assert_eq!(info.location, "litd");
    assert_eq!(info.identifier[0], 3);
    assert_eq!(info.id.nonce.len(), 16);
    assert_eq!(info.id.storage_id, b"0");
    assert_eq!(info.id.ops, macaroon_id::canonical_ops(LIT_MACAROON_OPS));
    let entities: Vec<&str> = info.id.ops.iter().map(|o| o.entity.as_str()).collect();
    assert_eq!(
        entities,
        [
            "account",
            "actions",
            "autopilot",
            "privacymap",
            "proxy",
            "sessions",
            "supermacaroon"
        ]
    );
    assert!(info.first_party_caveats.is_empty());
    assert!(auth().verify_signature(&raw).is_ok());
    assert!(Authenticator::new([1; 32]).verify_signature(&raw).is_err());
    // Two bakes differ only by nonce (and so by signature).
    assert_ne!(raw, auth().bake_lit_macaroon());
    let with_cav = add_first_party_caveat(&raw, "declared a b").unwrap();
    assert_eq!(
        inspect(&with_cav).unwrap().first_party_caveats,
        ["declared a b"]
    );
}

#[test]
fn login_ops_add_an_init_error() {
    let login = auth().bake(&[("login", &["login"]), ("autopilot", &["read"])], &[]);
    assert_eq!(err_of(&login, LIST), "OK");
    assert_eq!(
        err_of(&login, ADD),
        invalid("cannot decode declared identity: no identity declared or possible: no identity declared or possible")
    );
}

#[path = "libmacaroon_tests.rs"]
mod libmacaroon_cross_checks;
