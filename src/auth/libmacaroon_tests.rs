//! `Authenticator` against libmacaroon, an independent implementation:
//! byte-for-byte agreement on what both bake, and litd's texts for the
//! third-party caveats only libmacaroon can add.

use base64::Engine as _;

use super::*;

#[test]
fn third_party_caveats_are_rejected() {
    let key = libmacaroon::MacaroonKey::generate(&ROOT);
    let ident = libmacaroon_ident();
    let mut lm = libmacaroon::Macaroon::create(Some("litd"), &key, &ident).unwrap();
    lm.add_third_party_caveat(
        "https://tp",
        &libmacaroon::MacaroonKey::generate(b"tp"),
        b"cav-id",
    )
    .unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE
        .decode(lm.serialize(libmacaroon::Format::V2).unwrap())
        .unwrap();
    assert_eq!(
        err_of(&raw, LIST),
        invalid(&format!(
            "verification failed: cannot find discharge macaroon for caveat {}",
            hex::encode(b"cav-id")
        ))
    );
    // The same caveat under a foreign key cannot be decrypted.
    assert_eq!(
        Authenticator::new([9; 32])
            .check(&[&to_hex(&raw)], LIST, now())
            .unwrap_err()
            .message,
        invalid("verification failed: failed to decrypt caveat 0 signature: decryption failure")
    );
    let mut m = wire::parse(&auth().bake_lit_macaroon()).unwrap();
    m.caveats.push(wire::WireCaveat {
        id: b"c".to_vec(),
        vid: vec![1; 10],
        location: vec![],
    });
    assert_eq!(
        err_of(&wire::encode_v2(&m), LIST),
        invalid("verification failed: failed to decrypt caveat 0 signature: message too short")
    );
}

/// A version-3 identifier for the lit ops with root key "0".
fn libmacaroon_ident() -> Vec<u8> {
    let id = MacaroonId {
        nonce: vec![1; 16],
        storage_id: DEFAULT_ROOT_KEY_ID.to_vec(),
        ops: macaroon_id::canonical_ops(LIT_MACAROON_OPS),
    };
    let mut out = vec![3];
    out.extend(id.encode());
    out
}

#[test]
fn libmacaroon_agrees_byte_for_byte() {
    let ident = libmacaroon_ident();
    let key = libmacaroon::MacaroonKey::generate(&ROOT);
    let mut lm = libmacaroon::Macaroon::create(Some("litd"), &key, &ident).unwrap();
    lm.add_first_party_caveat("time-before 2100-01-01T00:00:00Z")
        .unwrap();
    let theirs = base64::engine::general_purpose::URL_SAFE
        .decode(lm.serialize(libmacaroon::Format::V2).unwrap())
        .unwrap();
    let mut ours_m = wire::WireMacaroon {
        version: 2,
        location: b"litd".to_vec(),
        id: ident,
        caveats: vec![],
        sig: [0; 32],
    };
    ours_m.sig = wire::chain(&wire::derive_key(&ROOT), &ours_m, 0);
    let ours = add_first_party_caveat(
        &wire::encode_v2(&ours_m),
        "time-before 2100-01-01T00:00:00Z",
    )
    .unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(err_of(&theirs, ADD), "OK");

    // libmacaroon verifies what we bake.
    let baked = auth().bake_lit_macaroon();
    let parsed = libmacaroon::Macaroon::deserialize_binary(&baked).unwrap();
    libmacaroon::Verifier::default()
        .verify(&parsed, &key, &[])
        .unwrap();
}
