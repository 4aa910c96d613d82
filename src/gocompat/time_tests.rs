use super::*;

#[test]
fn duration_strings_match_go() {
    let cases = [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (2_000_000, "2ms"),
        (1_500_000_000, "1.5s"),
        (90 * NANOS, "1m30s"),
        (3600 * NANOS, "1h0m0s"),
        (86_400 * NANOS, "24h0m0s"),
        (-90 * NANOS, "-1m30s"),
        (i64::MAX, "2562047h47m16.854775807s"),
        (i64::MIN, "-2562047h47m16.854775808s"),
    ];
    for (d, s) in cases {
        assert_eq!(duration_string(d), s, "{d}");
    }
}

#[test]
fn zero_time_and_unix() {
    assert!(GoTime::ZERO.is_zero());
    assert_eq!(GoTime::ZERO.unix(), -62_135_596_800);
    assert_eq!(GoTime::ZERO.unix() as u64, 18_446_744_011_573_954_816);
    assert!(GoTime::from_unix(-62_135_596_800).is_zero());
    assert_eq!(GoTime::ZERO.go_string(), "0001-01-01 00:00:00 +0000 UTC");
    assert_eq!(
        GoTime::ZERO.marshal_json().unwrap(),
        "\"0001-01-01T00:00:00Z\""
    );
    assert_eq!(
        GoTime::from_unix(-1).go_string(),
        "1969-12-31 23:59:59 +0000 UTC"
    );
}

#[test]
fn marshal_refuses_years_outside_range() {
    let before_year_zero = GoTime::from_unix(-62_167_219_201);
    let refused = Err("json: error calling MarshalJSON for type time.Time: \
                       Time.MarshalJSON: year outside of range [0,9999]"
        .to_string());
    assert_eq!(before_year_zero.marshal_json(), refused);
    assert_eq!(
        before_year_zero.go_string(),
        "-0001-12-31 23:59:59 +0000 UTC"
    );
    assert_eq!(
        GoTime::from_unix(-62_167_219_200).marshal_json(),
        Ok("\"0000-01-01T00:00:00Z\"".to_string())
    );
    assert_eq!(
        GoTime::from_unix(253_402_300_799).marshal_json(),
        Ok("\"9999-12-31T23:59:59Z\"".to_string())
    );
    assert_eq!(GoTime::from_unix(253_402_300_800).marshal_json(), refused);
}

#[test]
fn add_and_sub_saturate_like_go() {
    let now = GoTime::from_unix(1_700_000_000);
    assert_eq!(now.add(-NANOS).unix(), 1_699_999_999);
    assert_eq!(now.add(1).sub(&now), 1);
    assert_eq!(now.sub(&GoTime::ZERO), i64::MAX);
    assert_eq!(GoTime::ZERO.sub(&now), i64::MIN);
    assert!(now.before(&now.add(1)));
    assert!(!now.before(&now));
    // time.Unix wraps its internal seconds; Add saturates them.
    assert!(GoTime::from_unix(i64::MAX).sec < 0);
    let late = GoTime {
        sec: i64::MAX - 5,
        ..GoTime::ZERO
    };
    // The monotonic reading moves with Add and prints as Go's m=.
    let now = GoTime::now(GoNow {
        wall: SystemTime::UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 123_456_789),
        monotonic_nanos: 431,
    });
    assert_eq!(
        now.add(-86_400 * NANOS).go_string(),
        "2023-11-13 22:13:20.123456789 +0000 UTC m=-86399.999999569"
    );
    assert_eq!(
        now.add(2 * NANOS).go_string(),
        "2023-11-14 22:13:22.123456789 +0000 UTC m=+2.000000431"
    );
    assert_eq!(
        GoTime::from_unix(1_700_000_000).go_string(),
        "2023-11-14 22:13:20 +0000 UTC"
    );
    assert_eq!(late.add(i64::MAX).sec, i64::MAX);
    let early = GoTime {
        sec: -i64::MAX + 5,
        ..GoTime::ZERO
    };
    assert_eq!(early.add(i64::MIN).sec, -i64::MAX);
}

#[test]
fn parse_accepts_strict_rfc3339() {
    let t = GoTime::parse_rfc3339(b"2023-01-01T00:00:00Z").unwrap();
    assert_eq!(t.unix(), 1_672_531_200);
    let t = GoTime::parse_rfc3339(b"2024-02-29T23:59:59.123456789123-01:30").unwrap();
    assert_eq!(t.unix(), 1_709_251_199 + 5400);
    assert_eq!(t.nsec, 123_456_789);
    assert_eq!(
        t.marshal_json().unwrap(),
        "\"2024-02-29T23:59:59.123456789-01:30\""
    );
    assert_eq!(t.go_string(), "2024-02-29 23:59:59.123456789 -0130 -0130");
    let t = GoTime::parse_rfc3339(b"2023-01-01T00:00:00+00:00").unwrap();
    assert_eq!(t.go_string(), "2023-01-01 00:00:00 +0000 UTC");
}

#[test]
fn parse_errors_match_go() {
    let q = |s: &str| GoTime::parse_rfc3339(s.as_bytes()).unwrap_err();
    let layout = r#""2006-01-02T15:04:05Z07:00""#;
    assert_eq!(
        q("abc"),
        format!(r#"parsing time "abc" as {layout}: cannot parse "abc" as "2006""#)
    );
    assert_eq!(
        q("2023/01/01"),
        format!(r#"parsing time "2023/01/01" as {layout}: cannot parse "/01/01" as "-""#)
    );
    assert_eq!(
        q("2023-13-01T00:00:00Z"),
        r#"parsing time "2023-13-01T00:00:00Z": month out of range"#
    );
    assert_eq!(
        q("2023-02-30T00:00:00Z"),
        r#"parsing time "2023-02-30T00:00:00Z": day out of range"#
    );
    assert_eq!(
        q("2023-01-01T24:00:00Z"),
        r#"parsing time "2023-01-01T24:00:00Z": hour out of range"#
    );
    assert_eq!(
        q("2023-01-01T00:00:00Zjunk"),
        r#"parsing time "2023-01-01T00:00:00Zjunk": extra text: "junk""#
    );
    assert_eq!(
        q("2023-01-01T00:00:00"),
        format!(r#"parsing time "2023-01-01T00:00:00" as {layout}: cannot parse "" as "Z07:00""#)
    );
    assert_eq!(
        q("2023-01-01T5:00:00Z"),
        format!(r#"parsing time "2023-01-01T5:00:00Z" as {layout}: cannot parse "5" as "15""#)
    );
    assert_eq!(
        q("2023-01-01T05:00:00,5Z"),
        format!(r#"parsing time "2023-01-01T05:00:00,5Z" as {layout}: cannot parse "," as ".""#)
    );
    assert_eq!(
        q("2023-01-01T05:00:00+24:00"),
        r#"parsing time "2023-01-01T05:00:00+24:00": timezone hour out of range"#
    );
    assert_eq!(
        q("2023-01-01T05:00:00+25:00"),
        r#"parsing time "2023-01-01T05:00:00+25:00": time zone offset hour out of range"#
    );
    assert_eq!(
        q("2023-01-01T05:00:00+01:60"),
        r#"parsing time "2023-01-01T05:00:00+01:60": timezone minute out of range"#
    );
    assert_eq!(
        q("\u{e9}"),
        format!(r#"parsing time "\xc3\xa9" as {layout}: cannot parse "\xc3\xa9" as "2006""#)
    );
}

#[test]
fn system_time_conversion() {
    use std::time::{Duration, UNIX_EPOCH};
    let t = GoTime::from_system(UNIX_EPOCH + Duration::new(5, 7));
    assert_eq!((t.unix(), t.nsec), (5, 7));
    let t = GoTime::from_system(UNIX_EPOCH - Duration::new(0, 1));
    assert_eq!((t.unix(), t.nsec), (-1, 999_999_999));
}

mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn parse_never_panics(b in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = GoTime::parse_rfc3339(&b);
        }

        #[test]
        fn near_misses_never_panic(s in "[0-9]{1,4}[-/][0-9]{1,2}-[0-9]{1,3}[Tt ][0-9]{1,2}:[0-9]{2}:[0-9]{2}([.,][0-9]{0,12})?(Z|[+-][0-9]{2}:?[0-9]{2})?.?") {
            if let Ok(t) = GoTime::parse_rfc3339(s.as_bytes()) {
                // Whatever parses writes back out and parses to the same instant.
                let out = t.marshal_json().unwrap();
                let again = GoTime::parse_rfc3339(out.trim_matches('"').as_bytes()).unwrap();
                prop_assert_eq!(again, t);
            }
        }
    }
}

/// `time.Parse(time.RFC3339Nano, ..)`, as the `time-before` checker uses it.
mod rfc3339_nano {
    use super::super::time_parse::parse_rfc3339_nano;
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn err(s: &str) -> String {
        parse_rfc3339_nano(s.as_bytes()).unwrap_err()
    }

    #[test]
    fn parses_what_go_accepts() {
        let base = parse_rfc3339_nano(b"2024-01-02T03:04:05Z").unwrap();
        assert_eq!(base, 1_704_164_645 * 1_000_000_000);
        assert_eq!(
            parse_rfc3339_nano(b"2024-01-02T03:04:05.5Z").unwrap(),
            base + 500_000_000
        );
        assert_eq!(
            parse_rfc3339_nano(b"2024-01-02T03:04:05,1234567891234Z").unwrap(),
            base + 123_456_789
        );
        assert_eq!(
            parse_rfc3339_nano(b"2024-01-02T05:04:05+02:00").unwrap(),
            base
        );
        // Go's general parser takes a one-digit hour.
        assert_eq!(parse_rfc3339_nano(b"2024-01-02T3:04:05Z").unwrap(), base);
    }

    #[test]
    fn errors_match_go() {
        assert_eq!(
            err("x"),
            "parsing time \"x\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"x\" as \"2006\""
        );
        assert_eq!(
            err("2024/01"),
            "parsing time \"2024/01\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"/01\" as \"-\""
        );
        assert_eq!(
            err("2024-13-01T00:00:00Z"),
            "parsing time \"2024-13-01T00:00:00Z\": month out of range"
        );
        assert_eq!(
            err("2023-02-29T00:00:00Z"),
            "parsing time \"2023-02-29T00:00:00Z\": day out of range"
        );
        assert_eq!(
            err("2024-01-01T24:00:00Z"),
            "parsing time \"2024-01-01T24:00:00Z\": hour out of range"
        );
        assert_eq!(
            err("2024-01-01T00:00:00"),
            "parsing time \"2024-01-01T00:00:00\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"\" as \"Z07:00\""
        );
        assert_eq!(
            err("2024-01-01T00:00:00Zjunk"),
            "parsing time \"2024-01-01T00:00:00Zjunk\": extra text: \"junk\""
        );
        assert_eq!(
            err("2024-01-01T00:00:00+25:00"),
            "parsing time \"2024-01-01T00:00:00+25:00\": time zone offset hour out of range"
        );
    }

    #[test]
    fn formats_like_go() {
        let t = UNIX_EPOCH + Duration::new(1_704_164_645, 120_000_000);
        assert_eq!(format_rfc3339_nano(t), "2024-01-02T03:04:05.12Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_704_164_645);
        assert_eq!(format_rfc3339_nano(t), "2024-01-02T03:04:05Z");
        assert_eq!(
            parse_rfc3339_nano(format_rfc3339_nano(t).as_bytes()).unwrap(),
            unix_nanos(t)
        );
    }
}
