//! `autopilot-mock fuzz`: structure-aware fuzzing of any `litrpc.Autopilot`
//! server's request decoding, over gRPC and REST.
//!
//! - [`gen`]: requests drawn with `arbitrary`, biased to edge values;
//! - [`mutate`]: protobuf, gRPC framing and JSON mutations of valid encodings;
//! - [`case`]: one input, a pure function of (seed, iteration), serializable;
//! - `transport`: sends a case over TLS/HTTP2 and classifies the answer.
//!
//! A run is sequential (one request in flight), so a reset or timeout is
//! attributable to the input that caused it; every anomaly (reset, timeout,
//! answer without status) is written as a reproducer that
//! [`replay`] sends again.

pub mod any_request;
pub mod case;
pub mod gen;
pub mod mutate;
pub(crate) mod transport;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use case::{Case, MacaroonUse, Transport};
pub use transport::{Outcome, Target};

/// When a run stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// After this many inputs.
    Iterations(u64),
    /// After this much wall-clock time.
    Duration(Duration),
}

/// A fuzz run against one server (`autopilot-mock fuzz`).
pub struct FuzzConfig {
    /// The server and its credentials.
    pub target: Target,
    /// The entry points inputs are spread over.
    pub transports: Vec<Transport>,
    /// When the run stops.
    pub budget: Budget,
    /// Seeds every input: the same seed and budget give the same inputs.
    pub seed: u64,
    /// Where reproducers go; `None`: not written.
    pub out: Option<PathBuf>,
    /// The server's message size limit, for the "just over the limit" frames.
    pub max_message_bytes: usize,
    /// Give up after this many consecutive failed connects (server gone).
    pub max_connect_failures: u32,
}

/// The end-of-run figures (the CLI prints them as JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub(crate) seed: u64,
    /// Inputs generated.
    pub inputs_tried: u64,
    /// Inputs actually sent (inputs minus those the client refused).
    pub executions: u64,
    /// Inputs whose outcome is an anomaly ([`Outcome::is_anomaly`]).
    pub anomalies: u64,
    /// Count per outcome (`ok`, `error:<code>`, `reset`, `timeout`, `no_status`, `skipped`).
    pub outcomes: BTreeMap<String, u64>,
    /// The reproducer files written, one per anomaly.
    pub reproducers: Vec<PathBuf>,
    pub(crate) elapsed_secs: f64,
    /// Set when the run ended before its budget (the server went away).
    pub aborted: Option<String>,
}

/// A reproducer file: the input, what happened, and where it came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reproducer {
    /// The run's seed.
    pub seed: u64,
    /// The input's index in the run (0-based).
    pub iteration: u64,
    /// What the server did with it.
    pub outcome: Outcome,
    /// The input itself.
    pub case: Case,
}

/// A reproducer file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// Writing a reproducer failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A reproducer could not be read or parsed.
    #[error("cannot read reproducer {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (I/O or JSON).
        reason: String,
    },
}

/// Runs until the budget is spent. `progress` is called about once a second
/// with the figures so far.
pub async fn run(
    config: &FuzzConfig,
    mut progress: impl FnMut(&Summary),
) -> Result<Summary, FuzzError> {
    let started = Instant::now();
    let mut summary = Summary {
        seed: config.seed,
        ..Summary::default()
    };
    if let Some(dir) = &config.out {
        std::fs::create_dir_all(dir).map_err(|source| FuzzError::Write {
            path: dir.clone(),
            source,
        })?;
    }
    let mut conn = None;
    let mut connect_failures = 0;
    let mut last_report = Instant::now();
    for iteration in 0.. {
        let done = match config.budget {
            Budget::Iterations(n) => iteration >= n,
            Budget::Duration(d) => started.elapsed() >= d,
        };
        if done {
            break;
        }
        let case = case::generate(
            config.seed,
            iteration,
            &config.transports,
            config.max_message_bytes,
        );
        let outcome = config.target.send(&mut conn, &case).await;
        summary.inputs_tried += 1;
        *summary.outcomes.entry(outcome.bucket()).or_default() += 1;
        if !matches!(outcome, Outcome::Skipped { .. }) {
            summary.executions += 1;
        }
        // A failed connect (not a reset mid-call) means the server is gone.
        let connect_failed = matches!(&outcome, Outcome::Reset { detail }
            if detail.starts_with(transport::CONNECT_FAILED));
        connect_failures = if connect_failed {
            connect_failures + 1
        } else {
            0
        };
        if outcome.is_anomaly() {
            summary.anomalies += 1;
            if let Some(dir) = &config.out {
                let path = dir.join(format!("anomaly-seed{}-iter{iteration}.json", config.seed));
                let repro = Reproducer {
                    seed: config.seed,
                    iteration,
                    outcome,
                    case,
                };
                write_json(&path, &repro)?;
                summary.reproducers.push(path);
            }
        }
        if connect_failures >= config.max_connect_failures.max(1) {
            summary.aborted = Some(format!(
                "{connect_failures} consecutive connects to {} failed",
                config.target.addr
            ));
            break;
        }
        if last_report.elapsed() >= Duration::from_secs(1) {
            summary.elapsed_secs = started.elapsed().as_secs_f64();
            progress(&summary);
            last_report = Instant::now();
        }
    }
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), FuzzError> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    std::fs::write(path, text + "\n").map_err(|source| FuzzError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a reproducer file.
pub fn read_reproducer(path: &Path) -> Result<Reproducer, FuzzError> {
    let read_err = |reason: String| FuzzError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| read_err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| read_err(e.to_string()))
}

/// Sends a reproducer's case once more, on a fresh connection.
pub async fn replay(target: &Target, repro: &Reproducer) -> Outcome {
    target.send(&mut None, &repro.case).await
}

/// One progress line for stderr.
pub fn progress_line(s: &Summary) -> String {
    let rate = s.executions as f64 / s.elapsed_secs.max(0.001);
    let outcomes: Vec<String> = s.outcomes.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "fuzz: {:.0}s {} execs ({rate:.0}/s), {} anomalies [{}]",
        s.elapsed_secs,
        s.executions,
        s.anomalies,
        outcomes.join(" ")
    )
}
