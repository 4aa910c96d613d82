//! Servers under test as separate processes (the real binary, the echo
//! ceiling, the grpc-js peer), so the load generator never shares a runtime
//! with the server it measures; their ready lines, RSS and startup time.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::calls::{self, Caller, Rpc, Target, Transport};

/// How long a server may take to print its ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A server process; killed when dropped.
pub(crate) struct Proc {
    pub(crate) child: Child,
    pub(crate) ready: serde_json::Value,
    /// Kept open so a later line on stdout cannot kill the server with EPIPE.
    _stdout: BufReader<tokio::process::ChildStdout>,
}

impl Proc {
    /// Spawns `cmd` and waits for its one-line JSON ready message.
    pub(crate) async fn spawn(mut cmd: Command) -> Result<Proc, String> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| format!("spawning {cmd:?}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        let mut stdout = BufReader::new(stdout);
        let read = stdout.read_line(&mut line);
        match tokio::time::timeout(READY_TIMEOUT, read).await {
            Ok(Ok(n)) if n > 0 => {}
            Ok(Ok(_)) => return Err(format!("{cmd:?} exited before its ready line")),
            Ok(Err(e)) => return Err(format!("reading {cmd:?}: {e}")),
            Err(_) => return Err(format!("{cmd:?} printed no ready line in time")),
        }
        let ready = serde_json::from_str(line.trim())
            .map_err(|e| format!("ready line {line:?} is not JSON: {e}"))?;
        Ok(Proc {
            child,
            ready,
            _stdout: stdout,
        })
    }

    pub(crate) fn addr(&self) -> Result<SocketAddr, String> {
        self.ready["listen"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no listen address in {}", self.ready))
    }

    /// Resident set size, from `/proc` (Linux only; `None` elsewhere).
    pub(crate) fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    pub(crate) async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// `autopilot-mock serve` on a free port with `lit_dir`.
pub(crate) fn serve_command(exe: &Path, lit_dir: &Path) -> Command {
    let mut cmd = Command::new(exe);
    // Default logging, as users run it (one access-log line per call).
    cmd.arg("serve")
        .arg("--lit-dir")
        .arg(lit_dir)
        .arg("--listen")
        .arg("127.0.0.1:0")
        .env_remove("RUST_LOG");
    cmd
}

/// The echo ceiling, reusing `lit_dir`'s certificate.
pub(crate) fn echo_command(exe: &Path, lit_dir: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.arg("bench")
        .arg("--serve-echo")
        .arg("--lit-dir")
        .arg(lit_dir)
        .arg("--listen")
        .arg("127.0.0.1:0")
        .env("RUST_LOG", "warn");
    cmd
}

/// The grpc-js peer (`node server.js`) with `lit_dir`'s certificate.
pub(crate) fn grpc_js_command(node: &Path, script: &Path, lit_dir: &Path) -> Command {
    let mut cmd = Command::new(node);
    cmd.arg(script)
        .env("CERT", lit_dir.join("tls.cert"))
        .env("KEY", lit_dir.join("tls.key"))
        .env("LISTEN", "127.0.0.1:0");
    cmd
}

/// The credentials a client of `lit_dir` uses, aimed at `addr`.
pub fn target(addr: SocketAddr, lit_dir: &Path, network: &str) -> Result<Target, String> {
    let cert = lit_dir.join("tls.cert");
    let macaroon = lit_dir.join(network).join("lit.macaroon");
    Ok(Target {
        addr,
        cert_pem: std::fs::read_to_string(&cert)
            .map_err(|e| format!("reading {}: {e}", cert.display()))?,
        macaroon_hex: hex::encode(
            std::fs::read(&macaroon).map_err(|e| format!("reading {}: {e}", macaroon.display()))?,
        ),
        echo_reply_len: 0,
    })
}

/// One startup: spawn `serve`, wait for the ready line, connect, answer one
/// ListAutopilotSessions. Returns (ms to ready line, ms to first answer),
/// both from just before the spawn, as a user's test harness sees it.
pub(crate) async fn startup_once(exe: &Path, lit_dir: &Path) -> Result<(f64, f64), String> {
    let began = Instant::now();
    let server = Proc::spawn(serve_command(exe, lit_dir)).await?;
    let ready_ms = began.elapsed().as_secs_f64() * 1e3;
    let target = target(server.addr()?, lit_dir, "regtest")?;
    let conn = calls::connect(&target, Transport::Grpc).await?;
    let caller = std::sync::Arc::new(Caller::new(Rpc::ListSessions, &target, Vec::new())?);
    caller.call(conn).await?;
    let answered_ms = began.elapsed().as_secs_f64() * 1e3;
    server.stop().await;
    Ok((ready_ms, answered_ms))
}

/// A fresh, empty directory under the system temp dir, removed on drop.
pub(crate) struct ScratchDir(pub(crate) PathBuf);

impl ScratchDir {
    pub(crate) fn new(tag: &str) -> Result<ScratchDir, String> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "autopilot-mock-bench-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| format!("creating {}: {e}", path.display()))?;
        Ok(ScratchDir(path))
    }

    /// A path inside that does not exist yet (a cold lit dir).
    pub(crate) fn child(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
