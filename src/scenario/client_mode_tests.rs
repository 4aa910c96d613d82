use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::domain::clock::ManualClock;

fn call(rpc: Rpc, request: Value) -> ObservedCall {
    ObservedCall {
        transport: Transport::Grpc,
        rpc,
        request,
        auth: Ok(()),
    }
}

#[test]
fn a_steps_first_failure_is_kept_and_named_first() {
    let scenario = Scenario::parse(
        r#"{"name":"n","steps":[{"name":"add","call":"AddAutopilotSession",
            "request":{"label":"wanted"},"expect":{"code":"OK"}}]}"#,
        "inline",
    )
    .expect("parses");
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let check = ClientCheck::new(scenario, "inline", clock);
    // Out of turn first, then the right RPC with the wrong label, whose
    // answer is also wrong: three failures, in that order.
    let list = call(Rpc::ListAutopilotSessions, json!({}));
    assert_eq!(check.before(&list), None);
    let add = call(Rpc::AddAutopilotSession, json!({"label": "other"}));
    check.before(&add);
    check.after(&add, &Err(AutopilotError::unknown("boom")));
    let report = check.scenario_report();
    let Verdict::Fail(why) = &report.steps[0].verdict else {
        panic!("{:?}", report.steps[0]);
    };
    assert!(
        why.starts_with(
            "unexpected grpc ListAutopilotSessions: expected AddAutopilotSession; then request.label:"
        ),
        "{why}"
    );
}
