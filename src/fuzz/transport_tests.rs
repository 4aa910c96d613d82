use super::*;

#[test]
fn rest_answers_are_classified_by_json_code() {
    let err = classify_rest("POST", 400, br#"{"code":3,"message":"bad"}"#);
    assert!(matches!(err, Outcome::Error { code: 3, .. }));
    assert!(classify_rest("GET", 500, b"panic").is_anomaly());
    assert!(classify_rest("GET", 200, b"<html>").is_anomaly());
    assert!(!classify_rest("HEAD", 500, b"").is_anomaly());
    assert_eq!(classify_rest("GET", 200, b"{}"), Outcome::Ok);
}

#[test]
fn grpc_messages_are_percent_decoded_and_a_missing_status_is_an_anomaly() {
    let (mut parts, ()) = http::Response::new(()).into_parts();
    assert!(classify_grpc(&parts, None).is_anomaly());
    parts
        .headers
        .insert("grpc-status", http::HeaderValue::from_static("13"));
    parts
        .headers
        .insert("grpc-message", http::HeaderValue::from_static("a%20b"));
    match classify_grpc(&parts, None) {
        Outcome::Error { code, message, .. } => {
            assert_eq!((code, message.as_str()), (13, "a b"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(code_name(16), "unauthenticated");
    assert_eq!(code_name(431), "http-431");
}
