//! Heap bytes per stored session, by owner: the domain store, the in-process
//! remote server's client table and the stub's journal. Counts every
//! allocation (a counting global allocator), so the figures are exact heap
//! use, not RSS. Also prints what an Add costs with no transport (the
//! domain and the in-process stub on one thread).
//!
//! ```sh
//! cargo run --release --example session_memory -- 100000
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;

use autopilot_mock::domain::clock::SystemClock;
use autopilot_mock::domain::{AddSessionRequest, AutopilotCore, FeatureRequest};
use autopilot_mock::remote::catalogue::Catalogue;
use autopilot_mock::stub::{Script, Stub};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn request() -> AddSessionRequest {
    AddSessionRequest {
        label: "bench".into(),
        expiry_timestamp_seconds: 4_000_000_000,
        mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
        dev_server: false,
        features: [(
            "HealthCheck".to_string(),
            FeatureRequest {
                rules: Default::default(),
                config: Vec::new(),
            },
        )]
        .into(),
        no_privacy_mapper: false,
        linked_group_id: Vec::new(),
        privacy_flags: 0,
        privacy_flags_set: false,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let clock = Arc::new(SystemClock);
    let stub = Stub::new(
        Script::from_catalogue(Catalogue::default_catalogue()?),
        clock.clone(),
    );
    stub.set_journal_limit(10_000); // serve's default (--journal-limit)
    let core = AutopilotCore::new(Arc::new(stub.clone()), clock);
    // One Add first, so one-off allocations (catalogue caches, the RNG) are
    // not counted per session.
    core.add_session(request()).await?;
    let before = live();
    let journal_before = stub.journal().len();
    let started = std::time::Instant::now();
    for _ in 0..n {
        core.add_session(request()).await?;
    }
    let add_micros = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    let total = live() - before;
    let journal_entries = stub.journal().len() - journal_before;
    stub.clear_journal();
    let without_journal = live() - before;
    stub.in_process().reset_clients();
    let store_only = live() - before;
    let per = |b: isize| b as f64 / n as f64;
    println!("sessions added:          {n}");
    println!("Add, no transport:       {add_micros:.1} µs each");
    println!("heap per session, all:   {:.0} B", per(total));
    println!(
        "  stub journal ({journal_entries} calls kept): {:.0} B",
        per(total - without_journal)
    );
    println!(
        "  remote client table:   {:.0} B",
        per(without_journal - store_only)
    );
    println!("  domain store:          {:.0} B", per(store_only));
    Ok(())
}
