//! Shared helpers for integration tests that run the real `autopilot-mock`
//! binary and real litd clients against it.
//!
//! * [`MockProcess`] spawns `autopilot-mock` and waits for its one-line JSON
//!   ready message on stdout. Dropping it kills the server; [`MockProcess::terminate`]
//!   sends SIGTERM and returns the exit status instead.
//! * [`node_client`] / [`python_client`] build commands for the client
//!   scripts under `tests/clients/`, and [`run_json_client`] runs one with a
//!   timeout and parses its single JSON output line.
//!
//! The client tools are found through the variables `scripts/test.sh` exports
//! (`AUTOPILOT_MOCK_NODE_CLIENTS`, `AUTOPILOT_MOCK_PYTHON`, ...). When they are
//! missing, the helpers panic with a message saying to run that script: a test
//! never passes without its client.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod curl;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long the server may take to print its ready line.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the server may take to exit after SIGTERM.
/// Longer than the server's shutdown grace (10 s), so a connection a test left open
/// cannot turn a graceful exit into a timeout.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one client script may run.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// The path of the binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_autopilot-mock")
}

/// A running `autopilot-mock` process.
pub struct MockProcess {
    /// The parsed ready line (`listen`, `lit_dir`, `tls_cert`, `tls_key`, `macaroon`, ...).
    pub ready: serde_json::Value,
    /// The server process. Dropping the `MockProcess` kills it.
    pub child: Child,
    /// Everything the server printed on stdout after the ready line.
    extra_stdout: Arc<Mutex<Vec<String>>>,
    /// Everything the server printed on stderr so far (its logs).
    stderr: Arc<Mutex<String>>,
    /// The threads draining stdout and stderr; they end when the pipes close.
    readers: Vec<thread::JoinHandle<()>>,
    /// A temporary lit dir owned by this process, removed on drop.
    temp_dir: Option<tempfile::TempDir>,
}

impl MockProcess {
    /// Spawns `autopilot-mock ARGS...` and waits (up to [`READY_TIMEOUT`]) for
    /// the ready line. Panics with the server's stderr if it exits first, prints
    /// something that is not a JSON object, or is too slow.
    pub fn start<I, S>(args: I) -> MockProcess
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(binary());
        command.args(args);
        Self::start_command(command)
    }

    /// `autopilot-mock serve --listen 127.0.0.1:0 --lit-dir <new temp dir> EXTRA...`.
    /// The temporary directory lives as long as the returned process.
    pub fn serve_temp<I, S>(extra: I) -> MockProcess
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let dir = tempfile::Builder::new()
            .prefix("autopilot-mock-test-")
            .tempdir()
            .expect("create a temporary lit dir");
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--lit-dir")
            .arg(dir.path())
            .args(extra);
        let mut process = Self::start_command(command);
        process.temp_dir = Some(dir);
        process
    }

    /// Spawns a prepared command (stdout and stderr are piped here).
    pub fn start_command(mut command: Command) -> MockProcess {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let description = format!("{command:?}");
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {description}: {e}"));

        let stderr = Arc::new(Mutex::new(String::new()));
        let child_stderr = child.stderr.take().expect("piped stderr");
        let mut readers = Vec::new();
        {
            let stderr = Arc::clone(&stderr);
            readers.push(thread::spawn(move || {
                let mut reader = BufReader::new(child_stderr);
                let mut line = String::new();
                while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                    if let Ok(mut all) = stderr.lock() {
                        all.push_str(&line);
                    }
                    line.clear();
                }
            }));
        }

        let extra_stdout = Arc::new(Mutex::new(Vec::new()));
        let (first_line_tx, first_line_rx) = mpsc::channel::<String>();
        let child_stdout = child.stdout.take().expect("piped stdout");
        {
            let extra_stdout = Arc::clone(&extra_stdout);
            readers.push(thread::spawn(move || {
                let mut lines = BufReader::new(child_stdout).lines();
                if let Some(Ok(first)) = lines.next() {
                    let _ = first_line_tx.send(first);
                }
                // Keep draining so the server never blocks on a full pipe.
                for line in lines.map_while(Result::ok) {
                    if let Ok(mut extra) = extra_stdout.lock() {
                        extra.push(line);
                    }
                }
            }));
        }

        let logs =
            |stderr: &Arc<Mutex<String>>| stderr.lock().map(|s| s.clone()).unwrap_or_default();
        let first = match first_line_rx.recv_timeout(READY_TIMEOUT) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = wait_timeout(&mut child, Duration::from_secs(5));
                // Give the stderr thread a moment to collect the last lines.
                thread::sleep(Duration::from_millis(100));
                panic!(
                    "{description} closed stdout without a ready line (exit: {status:?}); stderr:\n{}",
                    logs(&stderr)
                );
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{description} printed no ready line within {READY_TIMEOUT:?}; stderr:\n{}",
                    logs(&stderr)
                );
            }
        };
        let ready: serde_json::Value = match serde_json::from_str(&first) {
            Ok(value @ serde_json::Value::Object(_)) => value,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "ready line is not a JSON object ({other:?}): {first:?}; stderr:\n{}",
                    logs(&stderr)
                );
            }
        };
        MockProcess {
            ready,
            child,
            extra_stdout,
            stderr,
            readers,
            temp_dir: None,
        }
    }

    /// A string field of the ready line; panics if it is absent.
    pub fn ready_str(&self, key: &str) -> &str {
        self.ready
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_else(|| panic!("ready line has no string `{key}`: {}", self.ready))
    }

    /// The real listen address, e.g. `127.0.0.1:41234`.
    pub fn listen(&self) -> &str {
        self.ready_str("listen")
    }

    /// The port of [`Self::listen`].
    pub fn port(&self) -> u16 {
        let listen = self.listen();
        listen
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or_else(|| panic!("listen address {listen:?} has no port"))
    }

    /// `localhost:<port>`, for clients that should check the `localhost` SAN.
    pub fn localhost_target(&self) -> String {
        format!("localhost:{}", self.port())
    }

    pub fn tls_cert(&self) -> PathBuf {
        PathBuf::from(self.ready_str("tls_cert"))
    }

    pub fn tls_key(&self) -> PathBuf {
        PathBuf::from(self.ready_str("tls_key"))
    }

    pub fn macaroon(&self) -> PathBuf {
        PathBuf::from(self.ready_str("macaroon"))
    }

    pub fn lit_dir(&self) -> PathBuf {
        PathBuf::from(self.ready_str("lit_dir"))
    }

    /// The temporary lit dir created by [`Self::serve_temp`], if any.
    pub fn temp_dir(&self) -> Option<&Path> {
        self.temp_dir.as_ref().map(tempfile::TempDir::path)
    }

    /// The server's stderr (logs) so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Lines the server printed on stdout after the ready line (there should be none).
    pub fn extra_stdout(&self) -> Vec<String> {
        self.extra_stdout
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    /// Sends SIGTERM (through the `kill` command) and waits up to
    /// [`EXIT_TIMEOUT`] for the process to exit. Panics if it does not exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run `kill -TERM`");
        assert!(sent.success(), "`kill -TERM {pid}` failed: {sent}");
        match wait_timeout(&mut self.child, EXIT_TIMEOUT) {
            Some(status) => {
                self.finish_readers();
                status
            }
            None => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "server did not exit within {EXIT_TIMEOUT:?} of SIGTERM; stderr:\n{}",
                    self.stderr()
                );
            }
        }
    }
}

impl MockProcess {
    /// After the process has exited: waits (briefly) until everything it wrote
    /// to stdout and stderr has been collected.
    fn finish_readers(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        for reader in std::mem::take(&mut self.readers) {
            while !reader.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
            if reader.is_finished() {
                let _ = reader.join();
            }
        }
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits for `child` to exit, polling, for at most `timeout`.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            _ => return None,
        }
    }
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the real-client tests need the clients that ./scripts/test.sh \
             installs. Run ./scripts/test.sh (or eval \"$(./scripts/test.sh --env)\" before \
             cargo test)."
        )
    })
}

/// `tests/clients/` in this repository.
pub fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// `node <tests/clients/node/SCRIPT>`, run inside `$AUTOPILOT_MOCK_NODE_CLIENTS`
/// so that `require` finds the installed packages.
pub fn node_client(script: &str) -> Command {
    let node_dir = PathBuf::from(required_env("AUTOPILOT_MOCK_NODE_CLIENTS"));
    assert!(
        node_dir.join("node_modules/@grpc/grpc-js").is_dir(),
        "{} has no node_modules; run ./scripts/test.sh",
        node_dir.display()
    );
    let node = std::env::var("AUTOPILOT_MOCK_NODE").unwrap_or_else(|_| "node".to_string());
    let mut command = Command::new(node);
    command
        .arg(clients_dir().join("node").join(script))
        .current_dir(&node_dir)
        .env("NODE_PATH", node_dir.join("node_modules"));
    command
}

/// `<venv python> tests/clients/python/SCRIPT`, with the generated modules from
/// `$AUTOPILOT_MOCK_PYTHON_GEN`.
pub fn python_client(script: &str) -> Command {
    let python = required_env("AUTOPILOT_MOCK_PYTHON");
    let gen = required_env("AUTOPILOT_MOCK_PYTHON_GEN");
    let mut command = Command::new(python);
    command
        .arg(clients_dir().join("python").join(script))
        .env("AUTOPILOT_MOCK_PYTHON_GEN", gen);
    command
}

/// Runs a client to completion (killing it after [`CLIENT_TIMEOUT`]), requires
/// exit status 0 and exactly one stdout line holding a JSON value, and returns
/// that value. Panics with the client's stderr otherwise.
pub fn run_json_client(mut command: Command) -> serde_json::Value {
    let description = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {description}: {e}"));
    let mut stdout_pipe = child.stdout.take().expect("piped stdout");
    let mut stderr_pipe = child.stderr.take().expect("piped stderr");
    let out = thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout_pipe.read_to_string(&mut s);
        s
    });
    let err = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr_pipe.read_to_string(&mut s);
        s
    });
    let status = wait_timeout(&mut child, CLIENT_TIMEOUT);
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let Some(status) = status else {
        panic!("{description} did not finish within {CLIENT_TIMEOUT:?}; stdout:\n{stdout}\nstderr:\n{stderr}");
    };
    assert!(
        status.success(),
        "{description} failed ({status}); stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "{description} must print exactly one JSON line; stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    serde_json::from_str(lines[0])
        .unwrap_or_else(|e| panic!("{description} printed invalid JSON ({e}): {}", lines[0]))
}

/// `autopilot-mock check --target TARGET --tls-cert CERT --macaroon MACAROON`;
/// add the transport, the scenario paths and the rest.
pub fn check_with(target: &str, cert: &Path, macaroon: &Path) -> Command {
    let mut command = Command::new(binary());
    command
        .arg("check")
        .args(["--target", target])
        .arg("--tls-cert")
        .arg(cert)
        .arg("--macaroon")
        .arg(macaroon);
    command
}

/// [`check_with`] `server`'s own address, certificate and macaroon.
pub fn check_command(server: &MockProcess) -> Command {
    check_with(
        &server.localhost_target(),
        &server.tls_cert(),
        &server.macaroon(),
    )
}

/// litd's documented Node sample (add, list, revoke) against `server`, as
/// the README runs it; its JSON line.
pub fn run_litd_sample(server: &MockProcess) -> serde_json::Value {
    let mut sample = node_client("litd-sample.js");
    sample
        .arg(server.localhost_target())
        .arg(server.tls_cert())
        .arg(server.macaroon())
        .env("GRPC_SSL_CIPHER_SUITES", "HIGH+ECDSA");
    run_json_client(sample)
}

/// The stdout of a command that must have succeeded; `what` names it in
/// the failure, which shows the exit status, stdout and stderr.
pub fn succeeded(what: &str, output: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({:?}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
