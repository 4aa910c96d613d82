use std::sync::Arc;
use autopilot_mock::domain::clock::OffsetClock;
use autopilot_mock::domain::{AddSessionRequest, AutopilotCore, FeatureRequest};
use autopilot_mock::remote::{Catalogue, InProcessRemote};
fn rss() -> u64 { std::fs::read_to_string("/proc/self/status").unwrap().lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap().trim().trim_end_matches("kB").trim().parse().unwrap() }
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let stub = std::env::args().nth(1).as_deref() == Some("stub");
    let cat = Catalogue::default_catalogue().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let remote: Arc<dyn autopilot_mock::domain::remote::RemoteAutopilot> = if stub {
        Arc::new(autopilot_mock::stub::Stub::new(autopilot_mock::stub::Script::from_catalogue(cat), clock.clone()))
    } else { Arc::new(InProcessRemote::new(cat)) };
    let core = AutopilotCore::new(remote, clock);
    let req = AddSessionRequest { label: "bench".into(), expiry_timestamp_seconds: 4_000_000_000, mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(), features: [("HealthCheck".to_string(), FeatureRequest::default())].into(), ..Default::default() };
    core.add_session(req.clone()).await.unwrap();
    let r0 = rss();
    let n = 50_000;
    let t = std::time::Instant::now();
    for _ in 0..n { core.add_session(req.clone()).await.unwrap(); }
    let el = t.elapsed();
    let r1 = rss();
    println!("stub={stub} bytes/session={} us/add={:.1}", (r1 - r0) * 1024 / n, el.as_secs_f64() * 1e6 / n as f64);
}
