use super::*;
use crate::domain::Code;
use crate::stub::steps::code_from_name;

fn parse(text: &str) -> Result<Script, ScriptError> {
    Script::parse(text, "test.json")
}

fn problem(text: &str) -> String {
    parse(text).expect_err("must be rejected").to_string()
}

#[test]
fn default_script_is_the_default_catalogue_with_nothing_scripted() {
    let script = Script::default_script().expect("embedded script parses");
    let catalogue = Catalogue::default_catalogue().expect("default catalogue");
    assert_eq!(script.catalogue, catalogue);
    assert!(script.steps.values().all(Vec::is_empty));
}

#[test]
fn missing_catalogue_parts_fall_back_to_the_default() {
    let script = parse(r#"{"terms":{"min_required_version":{"major":1}}}"#).expect("parses");
    assert_eq!(script.catalogue.min_required_version.major, 1);
    assert_eq!(
        script.catalogue.features.keys().collect::<Vec<_>>(),
        ["AutoFees", "HealthCheck"]
    );
    let script = parse(r#"{"features":{"Only":{}}}"#).expect("parses");
    assert_eq!(
        script.catalogue.features.keys().collect::<Vec<_>>(),
        ["Only"]
    );
}

#[test]
fn every_reply_kind_parses_into_typed_steps() {
    let script = parse(
        r#"{"responses":{
          "Terms":[{"reply":{"ok":{"min_required_version":{"major":0,"minor":18,"patch":0}}}}],
          "ListFeatures":[{"reply":{"error":{"code":"UNAVAILABLE","message":"down"}},"times":2},
                          {"reply":{"ok":{"features":{"X":{"privacy_flags":256}}}}}],
          "RegisterSession":[
            {"when":{"features":["HealthCheck"],"privacy_flags":3,"linked":false},"reply":{"ok":{}}},
            {"reply":{"ok":{"initiator_pub_key":""}},"times":"always"},
            {"delay_ms":1500,"reply":"default"}],
          "ActivateSession":[{"when":{"responder_pub_key":"02aa"},"reply":"hang"}],
          "RevokeSession":[{"reply":{"error":{"code":14,"message":"gone"}}}]
        }}"#,
    )
    .expect("parses");
    let steps = |rpc| script.steps[&rpc].clone();
    assert_eq!(
        steps(Rpc::Terms)[0].reply,
        Reply::Ok(Success::Terms(Version {
            major: 0,
            minor: 18,
            patch: 0
        }))
    );
    let list = steps(Rpc::ListFeatures);
    assert_eq!(
        list[0].reply,
        Reply::Error(RemoteError::new(Code::Unavailable, "down"))
    );
    assert_eq!(list[0].times, Some(2));
    let Reply::Ok(Success::Features(f)) = &list[1].reply else {
        panic!("features reply: {:?}", list[1].reply)
    };
    assert_eq!(f["X"].privacy_flags, 256);
    assert_eq!(f["X"].name, "X");
    let reg = steps(Rpc::RegisterSession);
    assert_eq!(reg[0].reply, Reply::Ok(Success::Key(KeyChoice::Random)));
    assert_eq!(reg[0].when.features, Some(vec!["HealthCheck".to_string()]));
    assert_eq!(reg[0].when.linked, Some(false));
    assert_eq!(
        reg[1].reply,
        Reply::Ok(Success::Key(KeyChoice::Given(vec![])))
    );
    assert_eq!(reg[1].times, None);
    assert_eq!(reg[2].delay, Duration::from_millis(1500));
    assert_eq!(reg[2].reply, Reply::Default);
    let act = steps(Rpc::ActivateSession);
    assert_eq!(act[0].when.responder_pub_key, Some(vec![0x02, 0xaa]));
    assert_eq!(act[0].reply, Reply::Hang);
    assert_eq!(
        steps(Rpc::RevokeSession)[0].reply,
        Reply::Error(RemoteError::new(Code::Unavailable, "gone"))
    );
}

#[test]
fn bad_scripts_name_the_file_and_the_place() {
    let cases = [
        (r#"[]"#, "must be a JSON object"),
        (r#"{"responses":{"Register":[]}}"#, "unknown RPC `Register`"),
        (
            r#"{"responses":{"Terms":{}}}"#,
            "responses.Terms must be a list",
        ),
        (
            r#"{"responses":{"Terms":[{"reply":"later"}]}}"#,
            "responses.Terms[0]: reply:",
        ),
        (
            r#"{"responses":{"Terms":[{"reply":"hang","delay":1}]}}"#,
            "unknown field `delay`",
        ),
        (
            r#"{"responses":{"Terms":[{"reply":{"error":{"code":0}}}]}}"#,
            "is not a gRPC error code",
        ),
        (
            r#"{"responses":{"Terms":[{"reply":{"error":{"code":"NOPE"}}}]}}"#,
            "is not a gRPC error code",
        ),
        (
            r#"{"responses":{"RevokeSession":[{"when":{"features":["A"]},"reply":"default"}]}}"#,
            "apply only to RegisterSession",
        ),
        (
            r#"{"responses":{"Terms":[{"when":{"responder_pub_key":"02"},"reply":"default"}]}}"#,
            "Terms has no responder key",
        ),
        (
            r#"{"responses":{"RegisterSession":[{"reply":{"ok":{"initiator_pub_key":"zz"}}}]}}"#,
            "responses.RegisterSession[0]: reply.ok.initiator_pub_key: not hex",
        ),
        (
            r#"{"responses":{"RevokeSession":[{"reply":{"ok":{"initiator_pub_key":"02"}}}]}}"#,
            "unknown field `initiator_pub_key` for RevokeSession",
        ),
        (
            r#"{"responses":{"Terms":[{"reply":"hang","times":0}]}}"#,
            "times: 0",
        ),
        (r#"{"featurs":{}}"#, "unknown field `featurs`"),
        (r#"{"responses":"#, "EOF"),
    ];
    for (text, want) in cases {
        let got = problem(text);
        assert!(got.starts_with("invalid script test.json: "), "{got}");
        assert!(got.contains(want), "{text}: {got}");
    }
}

#[test]
fn missing_files_say_which() {
    let err = Script::load(Path::new("/nonexistent/script.json")).expect_err("no file");
    assert!(
        err.to_string()
            .starts_with("cannot read script /nonexistent/script.json: "),
        "{err}"
    );
}

#[test]
fn code_names_follow_go_and_the_proto() {
    assert_eq!(code_from_name("Unavailable"), Some(Code::Unavailable));
    assert_eq!(
        code_from_name("DEADLINE_EXCEEDED"),
        Some(Code::DeadlineExceeded)
    );
    assert_eq!(code_from_name("cancelled"), Some(Code::Canceled));
    assert_eq!(code_from_name("OK"), None);
    assert_eq!(Code::ResourceExhausted.go_name(), "ResourceExhausted");
}

#[test]
fn matching_on_registration_fields() {
    let reg = Registration {
        responder_pub_key: vec![2, 1],
        feature_configs: [("A".to_string(), vec![]), ("B".to_string(), vec![])].into(),
        privacy_flags: 5,
        group_responder_key: vec![3],
        ..Default::default()
    };
    let m = |json: &str| {
        let step = parse(&format!(
            r#"{{"responses":{{"RegisterSession":[{{"when":{json},"reply":"default"}}]}}}}"#
        ))
        .expect("parses");
        step.steps[&Rpc::RegisterSession][0].when.clone()
    };
    assert!(m("{}").matches(&reg.responder_pub_key, Some(&reg)));
    assert!(m(r#"{"features":["B"],"privacy_flags":5,"linked":true}"#)
        .matches(&reg.responder_pub_key, Some(&reg)));
    assert!(!m(r#"{"features":["C"]}"#).matches(&reg.responder_pub_key, Some(&reg)));
    assert!(!m(r#"{"privacy_flags":4}"#).matches(&reg.responder_pub_key, Some(&reg)));
    assert!(!m(r#"{"linked":false}"#).matches(&reg.responder_pub_key, Some(&reg)));
    assert!(m(r#"{"responder_pub_key":"0201"}"#).matches(&reg.responder_pub_key, Some(&reg)));
    assert!(!m(r#"{"responder_pub_key":"0202"}"#).matches(&reg.responder_pub_key, Some(&reg)));
}
