//! The browser console (`/_autopilot-mock/console/`) against the real
//! binary: its files over the front door next to litd's own paths (curl),
//! and the whole console in Debian's chromium driven by puppeteer-core
//! (tests/clients/browser/console.js): log in with the UI password, add a
//! session through the form, see it listed and in the journal of received
//! calls, revoke it, advance the clock, validate and apply the stub script;
//! and in client mode the console as the client a scenario judges. A
//! screenshot of each view is kept under target/console-screenshots/.

mod common;
mod console;

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{wait_timeout, MockProcess};
use console::{
    basic, browser, clock_seconds, curl, curl_json, drive, screenshots, CONSOLE, PASSWORD,
};
use serde_json::{json, Value};

#[test]
fn the_console_is_served_beside_litds_own_paths() {
    let server = MockProcess::serve_temp(["--ui-password", PASSWORD]);
    let (status, head, body) = curl(&server, &[], CONSOLE);
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("<title>autopilot-mock console</title>"));
    let (status, head, _) = curl(&server, &["--http1.1"], "/_autopilot-mock/console/app.js");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/javascript; charset=utf-8"),
        "{head}"
    );
    let (status, _, body) = curl(&server, &[], "/_autopilot-mock/console/nope.js");
    assert_eq!((status, body.as_str()), (404, "404 page not found\n"));
    let (status, head, _) = curl(&server, &[], "/_autopilot-mock/console");
    assert_eq!(status, 308);
    assert!(
        head.contains("location: /_autopilot-mock/console/"),
        "{head}"
    );

    // litd's own doors answer as before: its UI page, REST with litd's texts.
    let (status, _, body) = curl(&server, &[], "/");
    assert_eq!(status, 200);
    assert!(body.contains("<title>Lightning Terminal</title>"));
    let (status, _, body) = curl(&server, &[], "/v1/autopilot/features");
    assert_eq!(status, 500);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("JSON")["message"],
        "expected 1 macaroon, got 0"
    );
    // The console's admin route takes the UI password as the RPCs do.
    let info = curl_json(&server, &["-H", &basic()], "/_autopilot-mock/v1/info");
    assert_eq!(info["stub"], true);
    let (status, _, body) = curl(&server, &[], "/_autopilot-mock/v1/info");
    assert_eq!(status, 500, "{body}");

    // Without the UI password litd's UI door is shut; the console's files are not.
    let bare = MockProcess::serve_temp(Vec::<String>::new());
    assert_eq!(curl(&bare, &[], "/").0, 401);
    assert_eq!(curl(&bare, &[], CONSOLE).0, 200);
}

#[test]
fn the_console_in_chromium() {
    let server = MockProcess::serve_temp(["--ui-password", PASSWORD]);
    let auth = basic();
    let auth = ["-H", auth.as_str()];
    if browser().is_none() {
        return;
    }
    add_readonly_session(&server);
    let shots = screenshots("serve");
    let seen = drive(&server, "serve", &shots);
    assert_eq!(
        seen["screenshots"].as_array().map(Vec::len),
        Some(7),
        "{seen:#}"
    );
    assert_eq!(seen["login_error"], "expected 1 macaroon, got 0");
    // The wrong login and the invalid add: one failed request each.
    assert_eq!(
        seen["expected_errors"].as_array().map(Vec::len),
        Some(2),
        "{seen:#}"
    );
    assert_eq!(seen["whoami"], "UI password");
    assert_eq!(seen["mode"], "in-process stub");

    // The catalogue as litd's REST route gives it.
    let features = curl_json(&server, &auth, "/v1/autopilot/features");
    let rule = &features["features"]["HealthCheck"]["rules"]["rate-limit"];
    let shown = |v: &Value| format!("rate_limit: {}", v["rate_limit"]);
    assert_eq!(
        seen["health_check_rate_limit"]["default"],
        shown(&rule["defaults"])
    );
    assert_eq!(
        seen["health_check_rate_limit"]["min"],
        shown(&rule["min_value"])
    );
    assert_eq!(
        seen["health_check_rate_limit"]["max"],
        shown(&rule["max_value"])
    );
    assert_eq!(seen["features"], json!(["AutoFees", "HealthCheck"]));

    // litd's text for the invalid add, then the session the form added.
    assert_eq!(seen["add_error"], "must include at least one feature");
    let listed = &seen["listed"];
    assert_eq!(listed["state"], "STATE_CREATED");
    assert_eq!(listed["type"], "TYPE_AUTOPILOT");
    assert_eq!(listed["privacy"], "ClearPubkeys");
    assert!(
        listed["until"]
            .as_str()
            .is_some_and(|u| u.starts_with("in 59m")),
        "{listed}"
    );
    let sessions = curl_json(&server, &auth, "/v1/autopilot/sessions");
    let labels: Vec<&Value> = sessions["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| &s["label"])
        .collect();
    assert_eq!(labels, [&json!("browser-test"), &json!("browser-linked")]);
    let ours = &sessions["sessions"][0];
    let linked = &sessions["sessions"][1];
    let key = STANDARD
        .decode(ours["local_public_key"].as_str().expect("key"))
        .expect("base64");
    assert_eq!(listed["key"], hex::encode(key));
    assert_eq!(ours["privacy_flags"], "1");
    assert_eq!(
        ours["autopilot_feature_info"]["HealthCheck"]["rules"]["rate-limit"]["rate_limit"]
            ["read_limit"]["iterations"],
        7
    );
    let info = curl_json(&server, &auth, "/_autopilot-mock/v1/info");
    let serves_sessions = info["methods"]
        .as_array()
        .expect("methods")
        .iter()
        .any(|m| m["method"] == "/litrpc.Sessions/ListSessions");
    assert!(serves_sessions, "{info}");
    assert_eq!(seen["listed_in_all"], true);
    assert_eq!(
        seen["readonly"],
        json!({"in_autopilot_list": false, "type": "TYPE_MACAROON_READONLY",
               "state_before": "STATE_CREATED", "state_after": "STATE_REVOKED"})
    );
    let every = curl_json(&server, &auth, "/v1/sessions");
    let readonly = every["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["label"] == "readonly-test")
        .expect("the read-only session");
    assert_eq!(readonly["session_state"], "STATE_REVOKED");

    // The journal of received calls as the console showed it.
    let call = &seen["journal_add"];
    assert_eq!(call["transport"], "rest");
    assert_eq!(call["credential"], "ui_password");
    assert_eq!(call["auth"], "ok");
    assert_eq!(
        call["results"],
        json!(["OK", "Unknown: must include at least one feature"])
    );
    assert_eq!(call["request"]["label"], "browser-test");
    assert_eq!(call["request"]["privacy_flags_set"], true);
    assert_eq!(
        call["response"]["session"]["local_public_key"],
        ours["local_public_key"]
    );

    // Revoked through the button, and the clock moved a day.
    assert_eq!(seen["revoked_state"], "STATE_REVOKED");
    // The linked add, in the revoked session's group.
    let group = hex::encode(
        STANDARD
            .decode(ours["group_id"].as_str().expect("group"))
            .expect("base64"),
    );
    assert_eq!(seen["group_options"], json!([group]));
    assert_eq!(
        seen["linked"],
        json!({"group_of_first": group, "group": group, "state": "STATE_CREATED"})
    );
    assert_eq!(linked["group_id"], ours["group_id"]);
    assert_ne!(linked["id"], ours["id"]);
    assert_eq!(seen["revoke_button_left"], false);
    assert_eq!(
        curl_json(&server, &auth, "/v1/autopilot/sessions")["sessions"][0]["session_state"],
        "STATE_REVOKED"
    );
    let before = clock_seconds(seen["clock_before"].as_str().expect("text"));
    let after = clock_seconds(seen["clock_after"].as_str().expect("text"));
    assert!(
        (86_399..=86_403).contains(&(after - before)),
        "{before} -> {after}"
    );
    let now = curl_json(&server, &auth, "/_autopilot-mock/v1/clock");
    assert!(clock_seconds(now["now"].as_str().expect("now")) >= after);
    assert!(
        seen["until_after_advance"]
            .as_str()
            .is_some_and(|u| u.starts_with("23h ") && u.ends_with(" ago")),
        "{seen:#}"
    );

    // The clock runs on from where it was set.
    let set = &seen["clock_set"];
    let result = set["result"].as_str().expect("text");
    let shown = clock_seconds(result.strip_prefix("set: now ").expect("a set result"));
    let target = clock_seconds(set["target"].as_str().expect("text"));
    assert!((0..=2).contains(&(shown - target)), "{set}");

    // The stub: its journal, and the script's check with PUT's own text.
    let rpcs = seen["stub_rpcs"].as_array().expect("rpcs");
    for rpc in ["Terms", "ListFeatures", "RegisterSession", "RevokeSession"] {
        assert!(rpcs.iter().any(|r| r == rpc), "{rpc} not in {rpcs:?}");
    }
    let (status, _, put) = curl(
        &server,
        &[
            auth[0],
            auth[1],
            "-X",
            "PUT",
            "--data-binary",
            r#"{"responses": {"Nope": []}}"#,
        ],
        "/_autopilot-mock/v1/script",
    );
    assert_eq!(status, 400);
    let put: Value = serde_json::from_str(&put).expect("JSON");
    assert_eq!(seen["script_invalid"], put["message"]);
    assert_eq!(seen["script_valid"], "valid: nothing applied yet");
    assert_eq!(
        seen["script_applied"],
        "applied: the stub answers by this script now"
    );
    assert!(seen["scenario"]
        .as_str()
        .is_some_and(|s| s.contains("start serve with --scenario FILE")));
    assert_eq!(seen["after_reload"], "UI password");
    assert_eq!(seen["stored_after_logout"], 0);
}

#[test]
fn the_console_as_the_client_a_scenario_judges() {
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/client/add-list-revoke.json");
    let scenario = scenario.to_str().expect("a UTF-8 path").to_string();
    let mut server = MockProcess::serve_temp(["--ui-password", PASSWORD, "--scenario", &scenario]);
    let shots = screenshots("client-mode");
    let seen = drive(&server, "client", &shots);
    if seen.is_null() {
        return;
    }
    assert_eq!(seen["mode"], "client mode");
    assert_eq!(seen["whoami"], "macaroon");
    assert_eq!(seen["client_mode_note"], true);
    assert_eq!(
        seen["steps_at_start"],
        json!(["pending", "pending", "pending", "pending", "pending"])
    );
    assert_eq!(seen["verdict_midway"], "pass so far");
    // While the scenario ran: the first three steps met, the rest pending.
    assert_eq!(
        seen["steps_midway"],
        json!(["pass", "pass", "pass", "pending", "pending"]),
        "{seen:#}"
    );
    // The console's revoke and list finished the scenario: serve exits 0
    // with a passing verdict line.
    let status = wait_timeout(&mut server.child, common::EXIT_TIMEOUT).expect("serve exits");
    let mut stdout = server.extra_stdout();
    for _ in 0..100 {
        if !stdout.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        stdout = server.extra_stdout();
    }
    assert!(
        status.success(),
        "{status}: {stdout:?}\n{}",
        server.stderr()
    );
    let verdict: Value =
        serde_json::from_str(stdout.last().expect("a verdict line")).expect("JSON");
    assert_eq!(verdict["verdict"], "pass", "{verdict}");
    assert_eq!(verdict["met"], 5);
}

/// A litrpc.Sessions session of another type than autopilot, over REST.
fn add_readonly_session(server: &MockProcess) {
    let expiry = (std::time::SystemTime::now() + std::time::Duration::from_secs(3600))
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let body = json!({"label": "readonly-test", "session_type": "TYPE_MACAROON_READONLY",
        "expiry_timestamp_seconds": expiry.to_string(), "mailbox_server_addr": "mailbox.example:443"})
    .to_string();
    let auth = basic();
    let args = ["-H", auth.as_str(), "-X", "POST", "--data-binary", &body];
    curl_json(server, &args, "/v1/sessions");
}

#[test]
fn the_console_with_autopilot_disabled() {
    // Polar starts litd so: litrpc.Sessions lists, litrpc.Autopilot answers 501.
    let server = MockProcess::serve_temp(["--ui-password", PASSWORD, "--autopilot-disabled"]);
    if browser().is_none() {
        return;
    }
    add_readonly_session(&server);
    let shots = screenshots("autopilot-disabled");
    let seen = drive(&server, "disabled", &shots);
    let unknown = "unknown service litrpc.Autopilot";
    assert_eq!(seen["features_error"], unknown);
    assert_eq!(seen["autopilot_list_error"], unknown);
    assert_eq!(seen["add_features_error"], format!("features: {unknown}"));
    assert_eq!(seen["readonly_type"], "TYPE_MACAROON_READONLY");
    assert_eq!(
        seen["reset_result"],
        "reset: a fresh mock (the clock and the journal of received calls kept)"
    );
    assert_eq!(seen["listed_after_reset"], 0);
    let auth = basic();
    let listed = curl_json(&server, &["-H", auth.as_str()], "/v1/sessions");
    assert_eq!(listed["sessions"], json!([]), "{listed}");
    // Each failed call of litrpc.Autopilot, and nothing else, logged an
    // error: the features (view, form) and the list (twice: before and after
    // the reset).
    let errors = seen["expected_errors"].as_array().expect("expected_errors");
    let mut paths: Vec<&str> = errors
        .iter()
        .filter_map(|e| e["url"].as_str())
        .filter_map(|u| {
            u.split_once("://")
                .and_then(|(_, r)| r.find('/').map(|i| &r[i..]))
        })
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/v1/autopilot/features",
            "/v1/autopilot/features",
            "/v1/autopilot/sessions",
            "/v1/autopilot/sessions"
        ],
        "{seen:#}"
    );
}
