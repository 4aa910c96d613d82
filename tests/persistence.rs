//! `serve --state FILE` end to end on the real binary: restarts keep
//! sessions, litd's start-up rules apply, bad files stop the start with a
//! clear error, and SIGKILL during a burst of writes never leaves a file
//! that does not load.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use autopilot_mock::client::{self, AuthedAutopilotClient, MacaroonInterceptor};
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use common::{binary, MockProcess};

struct Dir {
    _temp: tempfile::TempDir,
    lit: PathBuf,
    state: PathBuf,
}

fn dir() -> Dir {
    let temp = tempfile::tempdir().expect("temp dir");
    Dir {
        lit: temp.path().join("lit"),
        state: temp.path().join("state.json"),
        _temp: temp,
    }
}

fn serve_command(d: &Dir) -> Command {
    let mut command = Command::new(binary());
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
        .arg(&d.lit)
        .arg("--state")
        .arg(&d.state);
    command
}

fn serve(d: &Dir) -> MockProcess {
    MockProcess::start_command(serve_command(d))
}

async fn connect(mock: &MockProcess) -> AuthedAutopilotClient {
    let macaroon = std::fs::read(mock.macaroon()).expect("lit.macaroon");
    let cert = std::fs::read_to_string(mock.tls_cert()).expect("tls.cert");
    let addr = mock.listen().parse().expect("listen address");
    let channel = client::connect(addr, &cert).await.expect("connect");
    AutopilotClient::with_interceptor(channel, MacaroonInterceptor::new(&macaroon))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

fn request(linked: Vec<u8>) -> p::AddAutopilotSessionRequest {
    p::AddAutopilotSessionRequest {
        label: "kept".into(),
        expiry_timestamp_seconds: now() + 86_400,
        mailbox_server_addr: "mailbox.example:443".into(),
        features: [(
            "AutoFees".to_string(),
            p::FeatureConfig {
                rules: None,
                config: br#"{"target":1}"#.to_vec(),
            },
        )]
        .into_iter()
        .collect(),
        linked_group_id: linked,
        ..Default::default()
    }
}

async fn add(c: &mut AuthedAutopilotClient, linked: Vec<u8>) -> p::Session {
    c.add_autopilot_session(request(linked))
        .await
        .expect("add")
        .into_inner()
        .session
        .expect("session")
}

async fn list(c: &mut AuthedAutopilotClient) -> Vec<p::Session> {
    c.list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("list")
        .into_inner()
        .sessions
}

fn edit_state(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("state file")).expect("state JSON");
    f(&mut v);
    std::fs::write(path, serde_json::to_vec(&v).expect("encode")).expect("write state");
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_keeps_sessions_keys_states_and_groups() {
    let d = dir();
    let mut mock = serve(&d);
    let mut c = connect(&mock).await;
    let first = add(&mut c, vec![]).await;
    c.revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
        local_public_key: first.local_public_key.clone(),
    })
    .await
    .expect("revoke");
    let linked = add(&mut c, first.group_id.clone()).await;
    add(&mut c, vec![]).await;
    let before = list(&mut c).await;
    assert!(mock.terminate().success());
    let file_before = std::fs::read(&d.state).expect("state file");

    let mock = serve(&d);
    // Rewritten at start from what was loaded.
    let file_after = std::fs::read(&d.state).expect("state file");
    let mut c = connect(&mock).await;
    assert_eq!(
        list(&mut c).await,
        before,
        "same sessions, keys, states, groups"
    );
    // The group link survives: the revoked first session still anchors it,
    // and its live member blocks another link (litd's rule).
    assert_eq!(linked.group_id, first.group_id);
    let blocked = c
        .add_autopilot_session(request(first.group_id.clone()))
        .await
        .expect_err("group has an active session");
    assert!(blocked.message().contains("is still active"), "{blocked:?}");
    // Once the live member is revoked, the restored group takes a new link:
    // the remote server still knows the group's key.
    c.revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
        local_public_key: linked.local_public_key.clone(),
    })
    .await
    .expect("revoke the live member");
    let relinked = add(&mut c, first.group_id.clone()).await;
    assert_eq!(relinked.group_id, first.group_id);
    // Privacy maps and secret keys round-trip byte for byte.
    let maps = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b).expect("json")["privacy_maps"].clone()
    };
    assert_eq!(maps(&file_before), maps(&file_after));
    assert!(!maps(&file_after).as_array().expect("array").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn start_up_drops_reserved_and_keeps_expired_created() {
    let d = dir();
    let mut mock = serve(&d);
    let mut c = connect(&mock).await;
    let reserved = add(&mut c, vec![]).await;
    let expired = add(&mut c, vec![]).await;
    let live = add(&mut c, vec![]).await;
    assert!(mock.terminate().success());

    // As if the mock died mid-add, and `expired` ran out while it was down.
    let hex_of = |s: &p::Session| hex::encode(&s.local_public_key);
    let (r, e) = (hex_of(&reserved), hex_of(&expired));
    edit_state(&d.state, |v| {
        for s in v["sessions"].as_array_mut().expect("sessions") {
            if s["local_public_key"] == r.as_str() {
                s["state"] = "STATE_RESERVED".into();
            }
            if s["local_public_key"] == e.as_str() {
                s["expiry_timestamp_seconds"] = (now() - 10).into();
            }
        }
    });

    let mock = serve(&d);
    let mut c = connect(&mock).await;
    let after = list(&mut c).await;
    let keys: Vec<&[u8]> = after
        .iter()
        .map(|s| s.local_public_key.as_slice())
        .collect();
    assert_eq!(
        keys,
        [&expired.local_public_key[..], &live.local_public_key[..]]
    );
    // Still CREATED now, and not revoked by the running-expiry logic later.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let again = list(&mut c).await;
    assert_eq!(again[0].session_state(), p::SessionState::StateCreated);
    assert_eq!(again[0].revoked_at, 0);
    assert_eq!(again[1].session_state(), p::SessionState::StateCreated);
}

fn start_fails(d: &Dir) -> String {
    let out = serve_command(d).output().expect("run");
    assert!(!out.status.success(), "started on a bad state file");
    assert!(out.stdout.is_empty(), "no ready line");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_corrupt_file_is_a_clear_error_and_left_alone() {
    let d = dir();
    std::fs::write(&d.state, b"{\"format\":1,\"sessions\":[{\"id\":").expect("write");
    let err = start_fails(&d);
    assert!(err.contains("is corrupt"), "{err}");
    assert!(err.contains(&d.state.display().to_string()), "{err}");
    assert_eq!(
        std::fs::read(&d.state).expect("still there"),
        b"{\"format\":1,\"sessions\":[{\"id\":"
    );
}

#[test]
fn a_newer_format_is_a_clear_error() {
    let d = dir();
    std::fs::write(&d.state, b"{\"format\":7,\"sessions\":\"new layout\"}").expect("write");
    let err = start_fails(&d);
    assert!(
        err.contains("format 7, newer than this autopilot-mock reads"),
        "{err}"
    );
}

#[test]
fn an_unwritable_location_fails_at_start() {
    let d = dir();
    let out = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
        .arg(&d.lit)
        .env("AUTOPILOT_MOCK_STATE", d.lit.join("no/such/dir/state.json"))
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write state file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Adds sessions one after another for `for_how_long`, then SIGKILLs the
/// server mid-burst. Returns the keys whose add was acknowledged, in order.
async fn hammer_then_kill(mut mock: MockProcess, for_how_long: Duration) -> Vec<Vec<u8>> {
    let mut c = connect(&mock).await;
    let mut acked = Vec::new();
    let until = Instant::now() + for_how_long;
    while Instant::now() < until {
        acked.push(add(&mut c, vec![]).await.local_public_key);
    }
    // Kill while the persister is still catching up with the burst.
    mock.child.kill().expect("SIGKILL");
    let _ = mock.child.wait();
    acked
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_mid_write_leaves_a_loadable_consistent_prefix() {
    let d = dir();
    let mut history: Vec<Vec<u8>> = Vec::new();
    for round in 0..3u64 {
        let acked = hammer_then_kill(serve(&d), Duration::from_millis(400 + 200 * round)).await;
        assert!(!acked.is_empty());
        history.extend(acked);

        let mock = serve(&d);
        let mut c = connect(&mock).await;
        let loaded: Vec<Vec<u8>> = list(&mut c)
            .await
            .into_iter()
            .map(|s| s.local_public_key)
            .collect();
        // Every loaded session was acknowledged or in flight at the kill,
        // in order: a prefix of the history, plus at most the one add that
        // was cut off.
        eprintln!(
            "round {round}: {} adds acknowledged in all, {} sessions loaded",
            history.len(),
            loaded.len()
        );
        let known = loaded.len().min(history.len());
        assert_eq!(
            loaded[..known],
            history[..known],
            "round {round}: not a prefix"
        );
        assert!(
            loaded.len() <= history.len() + 1,
            "round {round}: sessions from nowhere"
        );
        // What the next round builds on is what was kept.
        history.truncate(known);
        history.extend(loaded.into_iter().skip(known));
        drop(mock);
    }
}
