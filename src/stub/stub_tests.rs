use super::*;
use crate::domain::clock::ManualClock;
use crate::domain::Code;

fn stub(responses: &str) -> Stub {
    let script = Script::parse(&format!(r#"{{"responses":{responses}}}"#), "t").expect("script");
    Stub::new(script, Arc::new(ManualClock::at_unix(1_893_456_000)))
}

fn reg(key: u8) -> Registration {
    Registration {
        responder_pub_key: vec![2, key],
        privacy_flags: 1,
        ..Default::default()
    }
}

#[tokio::test]
async fn steps_are_used_in_order_then_the_default_answers() {
    let s = stub(
        r#"{"RegisterSession":[
            {"reply":{"error":{"code":"Unavailable","message":"busy"}},"times":2},
            {"reply":{"ok":{"initiator_pub_key":"0203"}}}]}"#,
    );
    for _ in 0..2 {
        let e = s
            .register_session(reg(1))
            .await
            .expect_err("scripted error");
        assert_eq!(e, RemoteError::new(Code::Unavailable, "busy"));
    }
    assert_eq!(
        s.register_session(reg(1)).await,
        Ok(RemoteKey::Sent(vec![2, 3]))
    );
    // The scripted success registered the key: the default now refuses it.
    assert_eq!(
        s.register_session(reg(1)).await,
        Err(RemoteError::unknown("client already registered"))
    );
    let journal = s.journal();
    assert_eq!(journal.len(), 4);
    assert_eq!(
        journal.iter().map(|e| e.step).collect::<Vec<_>>(),
        [Some(0), Some(0), Some(1), None]
    );
    assert_eq!(journal[2].answer, Answer::Key(vec![2, 3]));
    assert_eq!(journal[3].request, StubRequest::RegisterSession(reg(1)));
    assert_eq!(
        journal.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(
        journal[3].to_json()["answer"],
        serde_json::json!({"error": {"code": "Unknown", "code_number": 2, "message": "client already registered"}})
    );
}

#[tokio::test]
async fn default_keys_come_from_the_seed_and_reach_the_journal() {
    let seeded = |seed| {
        Stub::with_seed(
            Script::parse(r#"{"responses":{"RegisterSession":[{"when":{"responder_pub_key":"0209"},"reply":{"ok":{"initiator_pub_key":"random"}}}]}}"#, "t").expect("script"),
            Arc::new(ManualClock::at_unix(1_893_456_000)),
            Some(seed),
        )
    };
    async fn keys(s: &Stub) -> Vec<RemoteKey> {
        let mut keys = Vec::new();
        for n in [1, 9, 2] {
            keys.push(s.register_session(reg(n)).await.expect("registers"));
        }
        keys
    }
    let (a, b, c) = (seeded(1), seeded(1), seeded(2));
    let (ka, kb, kc) = (keys(&a).await, keys(&b).await, keys(&c).await);
    assert_eq!(ka, kb);
    assert_ne!(ka, kc);
    // The default answers hand the made key over; the scripted `random`
    // one travels as bytes. Either way the journal holds its bytes.
    assert!(matches!(ka[0], RemoteKey::Made(_)), "{:?}", ka[0]);
    assert!(matches!(ka[1], RemoteKey::Sent(_)), "{:?}", ka[1]);
    for (entry, key) in a.journal().iter().zip(&ka) {
        assert_eq!(entry.answer, Answer::Key(key.to_bytes()));
        assert_eq!(key.parse().map(|k| k.to_vec()), Ok(key.to_bytes()));
    }
}

#[tokio::test]
async fn matching_steps_skip_other_calls_and_always_repeats() {
    let s = stub(
        r#"{"RevokeSession":[{"when":{"responder_pub_key":"0207"},"times":"always",
             "reply":{"error":{"code":"Internal","message":"no"}}}]}"#,
    );
    assert_eq!(s.revoke_session(vec![2, 1]).await, Ok(()));
    for _ in 0..3 {
        assert!(s.revoke_session(vec![2, 7]).await.is_err());
    }
    assert_eq!(s.calls(Rpc::RevokeSession).len(), 4);
}

#[tokio::test]
async fn hang_never_answers_and_the_journal_says_so() {
    let s = stub(r#"{"ActivateSession":[{"reply":"hang"}]}"#);
    let r = tokio::time::timeout(Duration::from_millis(50), s.activate_session(vec![2])).await;
    assert!(r.is_err(), "a hang must not answer");
    assert_eq!(s.journal()[0].answer, Answer::NoAnswer);
    assert_eq!(s.journal()[0].to_json()["answer"], "no_answer");
}

#[tokio::test]
async fn delays_hold_the_answer() {
    let s = stub(r#"{"Terms":[{"delay_ms":150,"reply":"default"}]}"#);
    let started = tokio::time::Instant::now();
    assert_eq!(s.terms().await, Ok(Version::default()));
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(s.journal()[0].delay, Duration::from_millis(150));
}

#[tokio::test]
async fn scripted_features_and_reset() {
    let s = stub(r#"{"ListFeatures":[{"reply":{"ok":{"features":{"Z":{"description":"z"}}}}}]}"#);
    let f = s.list_features().await.expect("scripted");
    assert_eq!(f.keys().collect::<Vec<_>>(), ["Z"]);
    let f = s.list_features().await.expect("default");
    assert_eq!(f.keys().collect::<Vec<_>>(), ["AutoFees", "HealthCheck"]);
    s.register_session(reg(9)).await.expect("registers");
    s.reset();
    assert!(s.journal().is_empty());
    assert!(s.in_process().client(&[2, 9]).is_none());
    // Re-armed: the scripted answer comes back.
    let f = s.list_features().await.expect("scripted again");
    assert_eq!(f.keys().collect::<Vec<_>>(), ["Z"]);
}

#[tokio::test]
async fn reset_restores_the_start_up_script_not_one_set_since() {
    let s = stub(r#"{"ListFeatures":[{"reply":{"ok":{"features":{"Z":{"description":"z"}}}}}]}"#);
    let later = Script::parse(
        r#"{"responses":{"ListFeatures":[{"reply":{"error":{"code":"Unavailable","message":"down"}}}]}}"#,
        "later",
    )
    .expect("script");
    s.set_script(later);
    assert!(s.list_features().await.is_err());
    s.reset();
    let f = s
        .list_features()
        .await
        .expect("the start-up script's answer");
    assert_eq!(f.keys().collect::<Vec<_>>(), ["Z"]);
    assert_eq!(s.journal().len(), 1);
}

#[test]
fn journal_json_shows_what_litd_sent() {
    let entry = JournalEntry {
        seq: 3,
        at: std::time::UNIX_EPOCH + Duration::from_secs(1_893_456_000),
        request: StubRequest::RegisterSession(Registration {
            responder_pub_key: vec![2, 0xab],
            feature_configs: [("HealthCheck".to_string(), b"{}".to_vec())].into(),
            group_responder_key: vec![3, 1],
            group_responder_sig: vec![0x30, 0x44],
            privacy_flags: 4,
            ..Default::default()
        }),
        step: None,
        delay: Duration::ZERO,
        answer: Answer::Key(vec![2, 2]),
    };
    let json = entry.to_json();
    assert_eq!(json["time"], "2030-01-01T00:00:00Z");
    assert_eq!(json["rpc"], "RegisterSession");
    assert_eq!(json["request"]["group_responder_key"], "0301");
    assert_eq!(json["request"]["group_responder_sig"], "3044");
    assert_eq!(json["request"]["feature_configs"]["HealthCheck"], "{}");
    assert_eq!(json["request"]["privacy_flags"], 4);
    assert_eq!(json["answer"]["ok"]["initiator_pub_key"], "0202");
}

#[tokio::test]
async fn the_journal_keeps_only_the_newest_calls() {
    let s = stub("{}");
    s.set_journal_limit(2);
    for key in 1..=3 {
        s.register_session(reg(key)).await.expect("default answer");
    }
    let seqs: Vec<u64> = s.journal().iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        [2, 3],
        "the oldest call is dropped, numbers keep counting"
    );
    // The answer still lands on its own entry after drops (found by seq).
    assert!(matches!(s.journal()[0].answer, Answer::Key(_)));
    assert!(matches!(s.journal()[1].answer, Answer::Key(_)));
    s.clear_journal();
    s.register_session(reg(4)).await.expect("default answer");
    assert!(
        matches!(s.journal()[0].answer, Answer::Key(_)),
        "after a clear"
    );
    s.set_journal_limit(1);
    assert_eq!(s.journal().len(), 1);
}
