use super::*;

const MAX: usize = 1024;

fn failed(code: u8, message: &str) -> Decoded {
    Decoded::Failed(FrameError {
        code,
        message: message.to_string(),
    })
}

#[test]
fn recognition_is_post_and_a_case_sensitive_prefix() {
    let post = http::Method::POST;
    assert!(is_grpc_web(&post, Some(b"application/grpc-web")));
    assert!(is_grpc_web(&post, Some(b"application/grpc-web+proto")));
    assert!(is_grpc_web(&post, Some(b"application/grpc-web-text")));
    assert!(is_grpc_web(&post, Some(b"application/grpc-webanything")));
    assert!(!is_grpc_web(&post, Some(b"application/grpc")));
    assert!(!is_grpc_web(&post, Some(b"application/grpc+proto")));
    assert!(!is_grpc_web(&post, Some(b"Application/grpc-web")));
    assert!(!is_grpc_web(&post, None));
    assert!(!is_grpc_web(
        &http::Method::GET,
        Some(b"application/grpc-web")
    ));
    assert!(!is_grpc_web(
        &http::Method::OPTIONS,
        Some(b"application/grpc-web")
    ));
}

#[test]
fn content_types_convert_as_the_wrapper_does() {
    let cases = [
        (
            "application/grpc-web",
            Mode::Binary,
            "application/grpc",
            "application/grpc-web",
        ),
        (
            "application/grpc-web+proto",
            Mode::Binary,
            "application/grpc+proto",
            "application/grpc-web+proto",
        ),
        (
            "application/grpc-web-text",
            Mode::Text,
            "application/grpc",
            "application/grpc-web-text",
        ),
        (
            "application/grpc-web-text+proto",
            Mode::Text,
            "application/grpc+proto",
            "application/grpc-web-text+proto",
        ),
        (
            "application/grpc-web;charset=utf-8",
            Mode::Binary,
            "application/grpc;charset=utf-8",
            "application/grpc-web+charset=utf-8",
        ),
    ];
    for (sent, mode, grpc, answered) in cases {
        let ct = WebContentType::parse(sent.as_bytes()).unwrap();
        assert_eq!(ct.mode, mode, "{sent}");
        assert_eq!(ct.grpc, grpc, "{sent}");
        assert!(ct.subtype().is_ok(), "{sent}");
        assert_eq!(ct.response(), answered, "{sent}");
    }
    assert_eq!(WebContentType::parse(b"application/json"), None);
    assert_eq!(WebContentType::parse(b"application/grpc-web\xff"), None);
    let odd = WebContentType::parse(b"application/grpc-web-textual").unwrap();
    assert_eq!(odd.grpc, "application/grpcual");
    assert!(odd.subtype().is_err());
}

#[test]
fn one_frame_decodes_in_both_modes() {
    assert_eq!(
        decode_request(Mode::Binary, &[0, 0, 0, 0, 0], true, MAX),
        Decoded::Message(Vec::new())
    );
    assert_eq!(
        decode_request(Mode::Text, b"AAAAAAA=", true, MAX),
        Decoded::Message(Vec::new())
    );
    let body = message_frame(b"\x08\x01");
    assert_eq!(
        decode_request(Mode::Binary, &body, true, MAX),
        Decoded::Message(b"\x08\x01".to_vec())
    );
    let text = STANDARD.encode(&body);
    assert_eq!(
        decode_request(Mode::Text, text.as_bytes(), true, MAX),
        Decoded::Message(b"\x08\x01".to_vec())
    );
    // Go's decoder skips line breaks.
    let wrapped = format!("{}\r\n{}", &text[..4], &text[4..]);
    assert_eq!(
        decode_request(Mode::Text, wrapped.as_bytes(), true, MAX),
        Decoded::Message(b"\x08\x01".to_vec())
    );
}

#[test]
fn what_follows_the_first_frame_is_not_read() {
    let mut body = message_frame(b"ab");
    body.extend_from_slice(b"trailing garbage");
    assert_eq!(
        decode_request(Mode::Binary, &body, false, MAX),
        Decoded::Message(b"ab".to_vec())
    );
}

#[test]
fn short_bodies_wait_until_they_end_then_fail_like_grpc_go() {
    assert_eq!(
        decode_request(Mode::Binary, &[], false, MAX),
        Decoded::NeedMore
    );
    assert_eq!(
        decode_request(Mode::Binary, &[], true, MAX),
        failed(2, "EOF")
    );
    assert_eq!(
        decode_request(Mode::Binary, &[0, 0, 0], true, MAX),
        failed(2, "unexpected EOF")
    );
    assert_eq!(
        decode_request(Mode::Binary, &[0, 0, 0, 0, 9, 1], false, MAX),
        Decoded::NeedMore
    );
    assert_eq!(
        decode_request(Mode::Binary, &[0, 0, 0, 0, 9, 1], true, MAX),
        failed(2, "unexpected EOF")
    );
    assert_eq!(decode_request(Mode::Text, b"", true, MAX), failed(2, "EOF"));
    // A partial base64 quantum at the end.
    assert_eq!(
        decode_request(Mode::Text, b"AAAAAAA", true, MAX),
        failed(2, "unexpected EOF")
    );
    assert_eq!(
        decode_request(Mode::Text, b"AAAAAAA", false, MAX),
        Decoded::NeedMore
    );
}

#[test]
fn flags_other_than_zero_are_internal() {
    assert_eq!(
        decode_request(Mode::Binary, &[1, 0, 0, 0, 0], true, MAX),
        failed(
            13,
            "grpc: compressed flag set with identity or empty encoding"
        )
    );
    assert_eq!(
        decode_request(Mode::Binary, &[0x80, 0, 0, 0, 0], true, MAX),
        failed(13, "grpc: received unexpected payload format 128")
    );
    // Text sent with the binary content type: grpc-go checks the length
    // (`AAAA` = 0x41414141) before the flag (`A` = 65).
    assert_eq!(
        decode_request(Mode::Binary, b"AAAAAAA=", true, MAX),
        failed(
            8,
            "grpc: received message larger than max (1094795585 vs. 1024)"
        )
    );
    assert_eq!(
        decode_request(Mode::Binary, b"A\0\0\0\0", true, MAX),
        failed(13, "grpc: received unexpected payload format 65")
    );
}

#[test]
fn a_length_over_the_limit_fails_before_the_payload_arrives() {
    let mut body = vec![0];
    body.extend_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        decode_request(Mode::Binary, &body, false, MAX),
        failed(
            8,
            "grpc: received message larger than max (4294967295 vs. 1024)"
        )
    );
    let text = STANDARD.encode([0, 0, 0, 4, 1, 0]);
    assert_eq!(
        decode_request(Mode::Text, text.as_bytes(), false, MAX),
        failed(8, "grpc: received message larger than max (1025 vs. 1024)")
    );
}

#[test]
fn bad_base64_fails_only_where_the_frame_needs_it() {
    let bad = "connection error: desc = \"illegal base64 data at input byte";
    let got = decode_request(Mode::Text, b"AA*AAAA=", true, MAX);
    assert_eq!(got, failed(2, &format!("{bad} 2\"")));
    // Padding in the middle ends the stream: the next quantum is corrupt.
    assert_eq!(
        decode_request(Mode::Text, b"AA==AAAA", true, MAX),
        failed(2, &format!("{bad} 4\""))
    );
    // A good first frame followed by garbage: the garbage is never needed.
    let good = STANDARD.encode(message_frame(b"xyz"));
    let body = format!("{good}!!!!");
    assert_eq!(
        decode_request(Mode::Text, body.as_bytes(), true, MAX),
        Decoded::Message(b"xyz".to_vec())
    );
    // Non-zero trailing bits are fine for Go's (non-strict) StdEncoding.
    assert!(matches!(
        decode_request(Mode::Text, b"AAAAAAB=", true, MAX),
        Decoded::Message(_)
    ));
    // URL-safe alphabet is not the standard one.
    assert_eq!(
        decode_request(Mode::Text, b"AAAAAA-_", true, MAX),
        failed(2, &format!("{bad} 6\""))
    );
}

#[test]
fn response_frames_are_litds() {
    // §2.4's example: Proxy/GetInfo with version 0.17.2-alpha.
    let message = b"\x0a\x0c0.17.2-alpha";
    let body = success_body(Mode::Binary, message);
    let mut expected = vec![0, 0, 0, 0, 0x0e];
    expected.extend_from_slice(message);
    expected.extend_from_slice(&[0x80, 0, 0, 0, 0x10]);
    expected.extend_from_slice(b"grpc-status: 0\r\n");
    assert_eq!(body, expected);
    assert_eq!(
        String::from_utf8(success_body(Mode::Text, message)).unwrap(),
        "AAAAAA4KDDAuMTcuMi1hbHBoYQ==gAAAABBncnBjLXN0YXR1czogMA0K"
    );
    assert_eq!(
        trailer_frame(2, "bad 100%"),
        [
            &[0x80, 0, 0, 0, 0x2a][..],
            b"grpc-message: bad 100%25\r\ngrpc-status: 2\r\n"
        ]
        .concat()
    );
}

#[test]
fn the_body_budget_holds_a_maximal_frame() {
    assert_eq!(body_bytes_needed(Mode::Binary, 10), 15);
    let text = STANDARD.encode(message_frame(&[7; 10]));
    assert!(body_bytes_needed(Mode::Text, 10) >= text.len());
    assert_eq!(body_bytes_needed(Mode::Binary, usize::MAX), usize::MAX);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any bytes, either mode, ended or not: an answer, never a panic;
        /// a complete body never asks for more.
        #[test]
        fn any_body_gets_an_answer(body in proptest::collection::vec(any::<u8>(), 0..64), text: bool, ended: bool) {
            let mode = if text { Mode::Text } else { Mode::Binary };
            let got = decode_request(mode, &body, ended, 32);
            if ended {
                prop_assert_ne!(got, Decoded::NeedMore);
            }
        }

        /// A frame split anywhere decodes once all of it is there.
        #[test]
        fn split_frames_reassemble(payload in proptest::collection::vec(any::<u8>(), 0..40), cut in 0usize..64, text: bool) {
            let frame = message_frame(&payload);
            let (mode, body) = if text {
                (Mode::Text, STANDARD.encode(&frame).into_bytes())
            } else {
                (Mode::Binary, frame)
            };
            let cut = cut.min(body.len());
            let partial = decode_request(mode, &body[..cut], false, 64);
            if cut < body.len() {
                prop_assert_eq!(partial, Decoded::NeedMore);
            }
            prop_assert_eq!(decode_request(mode, &body, true, 64), Decoded::Message(payload));
        }
    }
}
