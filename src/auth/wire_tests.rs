//! go-macaroon parse texts for the V2 and V1 binary formats.

use super::*;

fn sample() -> WireMacaroon {
    WireMacaroon {
        version: 2,
        location: b"litd".to_vec(),
        id: vec![3, 1, 2],
        caveats: vec![WireCaveat {
            id: b"a b".to_vec(),
            vid: vec![],
            location: vec![],
        }],
        sig: [9; 32],
    }
}

#[test]
fn v2_round_trip() {
    let m = sample();
    assert_eq!(parse(&encode_v2(&m)).unwrap(), m);
}

#[test]
fn v2_errors_match_go_macaroon() {
    let e = |b: &[u8]| parse(b).unwrap_err();
    assert_eq!(e(b""), "empty macaroon data");
    assert_eq!(
        e(b"\x07"),
        "cannot determine data format of binary-encoded macaroon"
    );
    assert_eq!(
        e(b"\x02"),
        "unmarshal v2: section extends past end of buffer"
    );
    assert_eq!(
        e(b"\x02\x02\x05ab"),
        "unmarshal v2: field data extends past end of buffer"
    );
    assert_eq!(e(b"\x02\x00"), "unmarshal v2: invalid macaroon header");
    assert_eq!(
        e(b"\x02\x02\x01x\x01\x01y\x00"),
        "unmarshal v2: fields out of order"
    );
    assert_eq!(
        e(b"\x02\x02\x01x\x00\x00"),
        "unmarshal v2: varint value extends past end of buffer"
    );
    assert_eq!(
        e(b"\x02\x02\x01x\x00\x00\x06\x01z"),
        "unmarshal v2: signature has unexpected length"
    );
    assert_eq!(
        e(b"\x02\x02\x01x\x00\x00\x02\x00"),
        "unmarshal v2: unexpected field found instead of signature"
    );
    assert_eq!(
        e(b"\x02\x02\x01x\x00\x01\x01l\x00"),
        "unmarshal v2: no identifier in caveat"
    );
    assert_eq!(
        e(b"\x02\x02\x01x\x00\x01\x01l\x02\x01c\x00"),
        "unmarshal v2: location not allowed in first party caveat"
    );
    assert_eq!(
        e(b"\x02\xff\xff\xff\xff\x7f"),
        "unmarshal v2: varint value out of range"
    );
}

#[test]
fn v1_is_parsed_for_its_version() {
    let mut v1 = Vec::new();
    for (name, value) in [
        ("location", &b"litd"[..]),
        ("identifier", b"id"),
        ("signature", &[1u8; 32]),
    ] {
        let len = 4 + name.len() + 1 + value.len() + 1;
        v1.extend(format!("{len:04x}{name} ").as_bytes());
        v1.extend(value);
        v1.push(b'\n');
    }
    assert_eq!(parse(&v1).unwrap().version, 1);
    assert_eq!(
        parse(b"0006x").unwrap_err(),
        "unmarshal v1: packet too short"
    );
    assert_eq!(
        parse(b"0009ident\n").unwrap_err(),
        "unmarshal v1: cannot parse field name"
    );
    assert_eq!(
        parse(b"000cfoo bar\n").unwrap_err(),
        "unmarshal v1: unexpected field \"foo\"; expected location"
    );
}
