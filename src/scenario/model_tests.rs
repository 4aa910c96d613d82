use super::*;

#[test]
fn a_minimal_scenario_parses() {
    let s = Scenario::parse(
        r#"{"name":"n","steps":[{"call":"ListAutopilotSessions","expect":{"code":"OK"}}]}"#,
        "t",
    )
    .expect("parses");
    assert_eq!(s.steps[0].call, Some(Rpc::ListAutopilotSessions));
    assert!(s.runs_over(Transport::Rest));
}

#[test]
fn mistakes_name_the_step() {
    let err = Scenario::parse(
        r#"{"name":"n","steps":[{"call":"ListAutopilotSessions"},{"clock":{"advance_secs":1},"call":"ListAutopilotSessions"}]}"#,
        "f.json",
    )
    .expect_err("two kinds in one step");
    assert_eq!(
        err.to_string(),
        "invalid scenario f.json: step 2: has more than one of `call`, `http`, `clock`, `stub_received`, `restart`"
    );
    let err = Scenario::parse(r#"{"name":"n","steps":[{"cal":"X"}]}"#, "f.json").expect_err("typo");
    assert!(err.to_string().contains("unknown field `cal`"), "{err}");
    let err = Scenario::parse(
        r#"{"name":"n","steps":[{"call":"ListAutopilotSessions","credentials":"admin"}]}"#,
        "f.json",
    )
    .expect_err("bad credentials");
    assert!(
        err.to_string().contains("unknown credentials \"admin\""),
        "{err}"
    );
}
