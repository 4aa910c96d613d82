//! Optional persistence (`serve --state FILE`): the store survives restarts.
//!
//! Outside the domain on purpose: the domain hands out plain snapshots
//! ([`AutopilotCore::snapshot`]) and counts its changes; this module owns
//! the file format ([`format`]), the atomic write and the background task
//! that writes after each change, off the request path.
//!
//! Durability: each write goes to a temporary file in the same directory,
//! is fsynced, renamed over the state file, and the directory is fsynced,
//! so a crash at any point leaves either the old or the new complete file.
//! Writes are coalesced: a burst of changes costs one write of the latest
//! state, and the state is written once more at shutdown.

mod format;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use crate::domain::{AutopilotCore, StoreSnapshot};

pub(crate) use format::FORMAT;

/// Why the state file could not be used. Never "start empty": a file that
/// exists but cannot be read is left alone and reported.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// The state file exists but could not be read.
    #[error("cannot read state file {path}: {source}")]
    Read {
        /// The state file.
        path: PathBuf,
        /// The I/O error reading it.
        source: std::io::Error,
    },
    /// The file is not JSON, has no numeric `format`, an unknown older
    /// format, or content that format does not allow.
    #[error(
        "state file {path} is corrupt ({reason}); it was left untouched: fix it, \
         or move it away to start with no sessions"
    )]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The file's `format` is newer than this build reads.
    #[error(
        "state file {path} has format {found}, newer than this autopilot-mock reads \
         (format {FORMAT}); run a newer autopilot-mock, or move the file away"
    )]
    Newer {
        /// The state file.
        path: PathBuf,
        /// The format number it declares.
        found: u64,
    },
    /// The snapshot could not be turned into JSON (not expected to happen);
    /// nothing is written.
    #[error("cannot encode the state: {0}")]
    Encode(String),
    /// Writing, syncing or renaming the new state file failed.
    #[error("cannot write state file {path}: {source}")]
    Write {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Reads the state file. `Ok(None)` only when there is no file at all.
pub(crate) fn load(path: &Path) -> Result<Option<StoreSnapshot>, PersistError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(PersistError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    decode(&bytes)
        .map(Some)
        .map_err(|e| e.at(path.to_path_buf()))
}

/// A decoding failure before the path is known.
#[derive(Debug)]
enum DecodeError {
    Corrupt(String),
    Newer(u64),
}

impl DecodeError {
    fn at(self, path: PathBuf) -> PersistError {
        match self {
            DecodeError::Corrupt(reason) => PersistError::Corrupt { path, reason },
            DecodeError::Newer(found) => PersistError::Newer { path, found },
        }
    }
}

fn decode(bytes: &[u8]) -> Result<StoreSnapshot, DecodeError> {
    // The version is read first, so a newer file is reported as newer
    // rather than as whatever its unknown layout fails on.
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| DecodeError::Corrupt(format!("not JSON: {e}")))?;
    let found = value
        .get("format")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| DecodeError::Corrupt("no numeric \"format\" field".into()))?;
    if found > FORMAT {
        return Err(DecodeError::Newer(found));
    }
    if found != FORMAT {
        return Err(DecodeError::Corrupt(format!("unknown format {found}")));
    }
    let file: format::StateFile = serde_json::from_value(value)
        .map_err(|e| DecodeError::Corrupt(format!("format {FORMAT}: {e}")))?;
    format::decode(file).map_err(DecodeError::Corrupt)
}

/// The file's bytes for a snapshot (pretty JSON: people read these).
/// Cannot fail for the types involved; if it ever did, nothing is written
/// rather than an empty file.
pub(crate) fn encode(snapshot: &StoreSnapshot) -> Result<Vec<u8>, PersistError> {
    let mut out = serde_json::to_vec_pretty(&format::encode(snapshot))
        .map_err(|e| PersistError::Encode(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// Writes `bytes` to `path` atomically and durably (see the module docs).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PersistError> {
    let err = |source| PersistError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "state".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        // The rename itself is durable only once the directory is synced.
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Loads `path` into `core` (applying litd's start-up rules) and writes it
/// straight back, so an unwritable location fails at start, not at the
/// first change. Returns the restore report.
pub(crate) fn open(
    core: &AutopilotCore,
    path: &Path,
) -> Result<crate::domain::RestoreReport, PersistError> {
    let report = match load(path)? {
        Some(snapshot) => core.restore(snapshot, core.clock().now()),
        None => crate::domain::RestoreReport::default(),
    };
    let (snapshot, _) = core.snapshot();
    write_atomic(path, &encode(&snapshot)?)?;
    Ok(report)
}

/// The background writer. [`Persister::finish`] writes the final state.
pub(crate) struct Persister {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Persister {
    /// Starts writing `core` to `path` after every change.
    pub(crate) fn spawn(core: Arc<AutopilotCore>, path: PathBuf) -> Persister {
        let notify = Arc::new(Notify::new());
        let wake = notify.clone();
        core.changes()
            .set_listener(Some(Arc::new(move |_| wake.notify_one())));
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(run(core, path, notify, stop_rx));
        Persister { stop, task }
    }

    /// Stops the writer after one last write of the current state.
    pub(crate) async fn finish(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn run(
    core: Arc<AutopilotCore>,
    path: PathBuf,
    notify: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    // `open` wrote the state as restored; changes before this task ran
    // still left a Notify permit, so nothing is missed.
    let mut written = None;
    loop {
        let stopping = tokio::select! {
            _ = notify.notified() => false,
            _ = stop.changed() => true,
        };
        written = flush(&core, &path, written).await;
        if stopping {
            break;
        }
    }
    core.changes().set_listener(None);
}

/// Writes the current state unless the change number `written` is current.
/// A failed write is logged and retried at the next change or shutdown:
/// requests keep working, and the file keeps its last good content.
async fn flush(core: &Arc<AutopilotCore>, path: &Path, written: Option<u64>) -> Option<u64> {
    let (snapshot, count) = core.snapshot();
    if written == Some(count) {
        return written;
    }
    let target = path.to_path_buf();
    let outcome =
        tokio::task::spawn_blocking(move || write_atomic(&target, &encode(&snapshot)?)).await;
    match outcome {
        Ok(Ok(())) => Some(count),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "state not saved; will retry at the next change");
            written
        }
        Err(e) => {
            tracing::error!(error = %e, "state writer failed; will retry at the next change");
            written
        }
    }
}

#[cfg(test)]
mod tests;
