use super::*;

fn err(s: &str) -> String {
    parse(s.as_bytes()).unwrap_err()
}

#[test]
fn syntax_errors_match_go_scanner() {
    let cases = [
        ("", "unexpected end of JSON input"),
        ("{", "unexpected end of JSON input"),
        ("[1,", "unexpected end of JSON input"),
        ("\"abc", "unexpected end of JSON input"),
        ("x", "invalid character 'x' looking for beginning of value"),
        (
            "{1:2}",
            "invalid character '1' looking for beginning of object key string",
        ),
        ("{\"a\" 1}", "invalid character '1' after object key"),
        (
            "{\"a\":1 \"b\"}",
            "invalid character '\"' after object key:value pair",
        ),
        ("[1 2]", "invalid character '2' after array element"),
        ("{} {}", "invalid character '{' after top-level value"),
        ("01", "invalid character '1' after top-level value"),
        ("-", "invalid character ' ' in numeric literal"),
        ("-a", "invalid character 'a' in numeric literal"),
        (
            "1.",
            "invalid character ' ' after decimal point in numeric literal",
        ),
        (
            "1.e5",
            "invalid character 'e' after decimal point in numeric literal",
        ),
        ("1e", "invalid character ' ' in exponent of numeric literal"),
        (
            "1e+x",
            "invalid character 'x' in exponent of numeric literal",
        ),
        (
            "tru",
            "invalid character ' ' in literal true (expecting 'e')",
        ),
        (
            "nul!",
            "invalid character '!' in literal null (expecting 'l')",
        ),
        (
            "fx",
            "invalid character 'x' in literal false (expecting 'a')",
        ),
        ("\"\\x\"", "invalid character 'x' in string escape code"),
        (
            "\"\\u12g4\"",
            "invalid character 'g' in \\u hexadecimal character escape",
        ),
        ("\"\\", "invalid character ' ' in string escape code"),
        ("\"a\nb\"", "invalid character '\\n' in string literal"),
        ("\"\u{1}\"", "invalid character '\\x01' in string literal"),
        (
            "'a'",
            "invalid character '\\'' looking for beginning of value",
        ),
        (
            "\u{e9}",
            "invalid character '\u{c3}' looking for beginning of value",
        ),
        (
            "\u{a0}",
            "invalid character '\u{c2}' looking for beginning of value",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(err(input), want, "input {input:?}");
    }
    assert_eq!(
        parse(&[0x80]).unwrap_err(),
        "invalid character '\\u0080' looking for beginning of value"
    );
}

#[test]
fn strings_decode_like_go() {
    let text = |s: &[u8]| match parse(s).unwrap() {
        Json::String { ref text, .. } => text.clone(),
        _ => panic!("not a string"),
    };
    assert_eq!(text(br#""a\"\\\/\b\f\n\r\t""#), "a\"\\/\u{8}\u{c}\n\r\t");
    assert_eq!(text(br#""\u00e9\ud83d\ude00""#), "\u{e9}\u{1f600}");
    assert_eq!(text(br#""\ud83dx\ude00""#), "\u{fffd}x\u{fffd}");
    assert_eq!(text(br#""\ude00\ud83d""#), "\u{fffd}\u{fffd}");
    // Each invalid byte becomes its own replacement character.
    assert_eq!(text(b"\"\xe2\x82A\xff\""), "\u{fffd}\u{fffd}A\u{fffd}");
    let v = parse(br#""a\u0041""#).unwrap();
    let Json::String { raw, .. } = &v else {
        panic!()
    };
    assert_eq!(raw.as_slice(), br"a\u0041");
}

#[test]
fn values_reencode_like_go() {
    let enc = |s: &str| {
        let v = parse(s.as_bytes()).unwrap();
        check_floats(&v).unwrap();
        let mut out = String::new();
        write_value(&mut out, &v);
        out
    };
    assert_eq!(
        enc(
            r#" {"b":[1.0, 2.50, -0, 1e21, 1e20, 0.000001, 1.5e-7, 123456789012345678901],"a":{"z":null,"y":true,"z":false}} "#
        ),
        r#"{"a":{"y":true,"z":false},"b":[1,2.5,-0,1e+21,100000000000000000000,0.000001,1.5e-7,123456789012345680000]}"#
    );
    assert_eq!(enc(r#""<&>\u2029""#), r#""\u003c\u0026\u003e\u2029""#);
    assert_eq!(enc("1e-10"), "1e-10");
    assert_eq!(enc("-1.7976931348623157e308"), "-1.7976931348623157e+308");
    let v = parse(b"[1, [1e400]]").unwrap();
    assert_eq!(
        check_floats(&v).unwrap_err(),
        "json: cannot unmarshal number 1e400 into Go value of type float64"
    );
}

#[test]
fn deep_documents_parse_and_drop() {
    let deep = format!("{}1{}", "[{\"a\":".repeat(4_999), "}]".repeat(4_999));
    let v = parse(deep.as_bytes()).unwrap();
    let mut out = String::new();
    write_value(&mut out, &v);
    assert_eq!(out.len(), deep.len());
    check_floats(&v).unwrap();
    drop(v);
    // A syntax error deep inside drops the partial tree safely too.
    let broken = format!("{}x", "[".repeat(9_999));
    assert_eq!(
        parse(broken.as_bytes()).unwrap_err(),
        "invalid character 'x' looking for beginning of value"
    );
}
