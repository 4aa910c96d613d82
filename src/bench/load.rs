//! The closed-loop load driver: M workers share N connections, each worker
//! issues one call, waits for its answer, and issues the next. Closed loop
//! (rather than a fixed arrival rate) because the question is "how many
//! calls a second can this server answer", and it needs no tuning per target.
//!
//! Calls that start during the warm-up are made but not counted, so TLS
//! handshakes, HTTP/2 window growth and allocator warm-up stay out of the
//! figures.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

/// How hard and how long to drive one target.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Requests in flight at once, spread over the connections.
    pub in_flight: usize,
    /// Uncounted calls before measuring.
    pub warmup: Duration,
    /// Measured time.
    pub duration: Duration,
    /// Stop after this many measured calls, whichever comes first (smoke runs).
    pub max_calls: Option<u64>,
}

/// What one run measured.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Stats {
    /// Measured calls, answered or not.
    pub(crate) calls: u64,
    pub(crate) errors: u64,
    pub(crate) seconds: f64,
    /// Answered calls per second.
    pub(crate) rps: f64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    /// The first error seen, to say why `errors` is not zero.
    pub(crate) first_error: Option<String>,
}

/// One worker's tally; merged at the end so workers share nothing hot.
#[derive(Default)]
struct Tally {
    latencies_ns: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
}

/// Drives `call` with `shape.in_flight` workers; worker `i` uses
/// `connections[i % len]`. `call` gets the connection and a call number.
pub(crate) async fn drive<C, F, Fut>(connections: &[C], shape: Shape, call: F) -> Stats
where
    C: Clone + Send + 'static,
    F: Fn(C, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    if connections.is_empty() || shape.in_flight == 0 {
        return Stats::default();
    }
    let call = Arc::new(call);
    let start = Instant::now() + shape.warmup;
    let end = start + shape.duration;
    let budget = Arc::new(AtomicU64::new(shape.max_calls.unwrap_or(u64::MAX)));
    let counter = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(shape.in_flight);
    for i in 0..shape.in_flight {
        let conn = connections[i % connections.len()].clone();
        let call = Arc::clone(&call);
        let budget = Arc::clone(&budget);
        let counter = Arc::clone(&counter);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let began = Instant::now();
                if began >= end {
                    break;
                }
                let measured = began >= start;
                if measured && !take_one(&budget) {
                    break;
                }
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let outcome = call(conn.clone(), n).await;
                if !measured {
                    continue;
                }
                match outcome {
                    Ok(()) => tally.latencies_ns.push(began.elapsed().as_nanos() as u64),
                    Err(e) => {
                        tally.errors += 1;
                        tally.first_error.get_or_insert(e);
                    }
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for worker in workers {
        match worker.await {
            Ok(t) => {
                all.latencies_ns.extend(t.latencies_ns);
                all.errors += t.errors;
                if all.first_error.is_none() {
                    all.first_error = t.first_error;
                }
            }
            Err(e) => {
                all.errors += 1;
                all.first_error.get_or_insert(format!("worker failed: {e}"));
            }
        }
    }
    let finished = Instant::now();
    let seconds = finished
        .min(end)
        .saturating_duration_since(start)
        .as_secs_f64();
    summarize(all, seconds)
}

/// Takes one call from the budget; false when it is spent.
fn take_one(budget: &AtomicU64) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

fn summarize(mut tally: Tally, seconds: f64) -> Stats {
    tally.latencies_ns.sort_unstable();
    let ok = tally.latencies_ns.len() as u64;
    Stats {
        calls: ok + tally.errors,
        errors: tally.errors,
        seconds,
        rps: if seconds > 0.0 {
            ok as f64 / seconds
        } else {
            0.0
        },
        p50_us: percentile_us(&tally.latencies_ns, 0.50),
        p99_us: percentile_us(&tally.latencies_ns, 0.99),
        first_error: tally.first_error,
    }
}

/// Nearest-rank percentile of sorted nanosecond samples, in microseconds.
pub(crate) fn percentile_us(sorted_ns: &[u64], q: f64) -> f64 {
    if sorted_ns.is_empty() {
        return 0.0;
    }
    let rank = ((sorted_ns.len() as f64 * q).ceil() as usize).clamp(1, sorted_ns.len());
    sorted_ns[rank - 1] as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_us(&v, 0.50), 50.0);
        assert_eq!(percentile_us(&v, 0.99), 99.0);
        assert_eq!(percentile_us(&[], 0.5), 0.0);
    }

    #[tokio::test]
    async fn budget_stops_the_run_and_errors_are_counted() {
        let shape = Shape {
            in_flight: 4,
            warmup: Duration::ZERO,
            duration: Duration::from_secs(10),
            max_calls: Some(100),
        };
        let stats = drive(&[()], shape, |(), n| async move {
            if n % 10 == 0 {
                Err(format!("call {n}"))
            } else {
                Ok(())
            }
        })
        .await;
        assert_eq!(stats.calls, 100);
        assert_eq!(stats.errors, 10);
        assert!(stats.first_error.is_some());
        assert!(stats.rps > 0.0);
    }
}
