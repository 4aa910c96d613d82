//! The README cannot drift: every fenced block whose info string carries the
//! word `test` (```` ```sh test ````, ```` ```js test ````, ```` ```python test ````)
//! is taken from README.md itself and run, in order, in one directory, as a
//! reader would after "Get the tools": HOME is a fresh directory, `serve`
//! (and, for the standalone stub's example, `stub`) runs with its defaults
//! there, on a free port written into the snippets in place of 8443 (12010),
//! and `autopilot-mock`, `grpcurl` and `python` are on PATH (the binary under
//! test and the clients scripts/test.sh installs). Shell blocks run under
//! `bash -euo pipefail`, as CI runners run steps.
//!
//! What a reader installs (`cargo install`, `npm install`/`npm ci`, `pip
//! install` lines) is not installed again: those lines are skipped, the rest
//! of their blocks runs (`node_modules/` in the directory is the installed
//! one), and `tests/readme_facts.rs` checks that they pin what the suite
//! installs. `npm test` in the CI snippets is litd's Node sample; each CI
//! snippet is also run with a suite that fails, and the judge snippet with a
//! client that sends nothing, and then must fail.
//!
//! Blocks not run here, and why: the opening commands (`cargo run --release
//! -- serve` is the `serve` with defaults started here; `./scripts/test.sh` is
//! what runs this test); flag synopses, JSON and log examples (their flags,
//! variables, ready line and matchers are checked by `tests/readme_facts.rs`);
//! the Rust quick start (it is `tests/readme_rust.rs`, compared there); the
//! packages' quick starts, the build-from-checkout, container and GitHub
//! Action blocks (run by `tests/packages/run.sh` from the same README text or
//! the same scripts); `record`, `diff` and the replay (they need a litd and a
//! recording; `tests/record.rs` and `tests/differential.rs` run the same
//! commands against mocks); `cargo fuzz` (its own workspace and target dir,
//! several minutes to build: `scripts/test.sh` runs the same command per
//! target, and `tests/readme_facts.rs` checks the targets and seed paths).

mod common;
mod readme_blocks;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{binary, wait_timeout, MockProcess, CLIENT_TIMEOUT};
use readme_blocks::Block;

/// Install commands a reader runs once; the test environment has what they
/// install (scripts/test.sh), so these lines are skipped.
const INSTALLS: [&str; 4] = ["cargo install ", "npm install ", "npm ci ", "pip install "];

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run ./scripts/test.sh"))
}

fn link(dir: &Path, name: &str, to: impl AsRef<Path>) {
    std::os::unix::fs::symlink(to, dir.join(name)).expect("symlink");
}

/// The block's text as run: ports, the suite, install lines skipped.
fn runnable(block: &Block, port: &str, stub_port: &str, suite: &str) -> String {
    let mut text = String::new();
    for line in block.text.lines() {
        if INSTALLS.iter().any(|i| line.trim_start().starts_with(i)) {
            assert!(
                !line.ends_with('\\'),
                "README line {}: an install line that continues: {line}",
                block.line
            );
            text.push_str("true  # installed by scripts/test.sh\n");
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    text.replace("8443", port)
        .replace("12010", stub_port)
        .replace("npm test", suite)
}

/// Everything a block needs around it.
struct Reader {
    home: PathBuf,
    work: PathBuf,
    path: String,
    node_clients: PathBuf,
}

impl Reader {
    fn command(&self, lang: &str, text: &str, line: usize) -> Command {
        let node = std::env::var("AUTOPILOT_MOCK_NODE").unwrap_or_else(|_| "node".into());
        let mut command = match lang {
            "sh" => {
                let mut c = Command::new("bash");
                c.args(["-euo", "pipefail", "-c", text]);
                c
            }
            "js" => {
                std::fs::write(self.work.join("quickstart.js"), text).expect("write js");
                let mut c = Command::new(node);
                c.arg("quickstart.js");
                c
            }
            "python" => {
                std::fs::write(self.work.join("quickstart.py"), text).expect("write py");
                let mut c = Command::new(env("AUTOPILOT_MOCK_PYTHON"));
                c.arg("quickstart.py");
                c
            }
            other => panic!("README line {line}: no runner for {other} blocks"),
        };
        command
            .current_dir(&self.work)
            .env("HOME", &self.home)
            .env("PATH", &self.path)
            .env("NODE_PATH", self.node_clients.join("node_modules"))
            .env_remove("AUTOPILOT_MOCK_LIT_DIR");
        command
    }

    /// Runs it in its own process group, so whatever it started in the
    /// background (a mock) goes with it and cannot hold the pipes.
    fn run(&self, lang: &str, text: &str, line: usize) -> Output {
        self.command(lang, text, line)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .process_group(0)
            .spawn()
            .and_then(|mut child| {
                let timed_out = wait_timeout(&mut child, CLIENT_TIMEOUT).is_none();
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .stderr(std::process::Stdio::null())
                    .status();
                if timed_out {
                    let _ = child.kill();
                }
                child.wait_with_output()
            })
            .expect("block runs")
    }
}

/// HOME, the work directory and PATH as "Get the tools" leaves them.
fn reader(home: &Path) -> Reader {
    let work = home.join("work");
    std::fs::create_dir(&work).expect("work dir");
    let bin = home.join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    link(&bin, "autopilot-mock", binary());
    link(&bin, "grpcurl", env("AUTOPILOT_MOCK_GRPCURL"));
    // A venv's python finds its packages only when run by its own path.
    let python = bin.join("python");
    let wrapper = format!(
        "#!/bin/sh\nexec '{}' \"$@\"\n",
        env("AUTOPILOT_MOCK_PYTHON")
    );
    std::fs::write(&python, wrapper).expect("python wrapper");
    std::fs::set_permissions(&python, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let node_clients = PathBuf::from(env("AUTOPILOT_MOCK_NODE_CLIENTS"));
    // What `npm install` leaves in the directory; and the checkout's tests/
    // for the blocks that run from a clone (litd's Node sample).
    link(&work, "node_modules", node_clients.join("node_modules"));
    link(
        &work,
        "tests",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
    );
    Reader {
        home: home.to_path_buf(),
        path: format!("{}:{}", bin.display(), env("PATH")),
        work,
        node_clients,
    }
}

fn defaults_in(home: &Path, args: &[&str]) -> MockProcess {
    let mut command = Command::new(binary());
    command
        .env("HOME", home)
        .env_remove("AUTOPILOT_MOCK_LIT_DIR")
        .env_remove("AUTOPILOT_MOCK_STUB_LIT_DIR")
        .args(args);
    MockProcess::start_command(command)
}

#[test]
fn every_tested_readme_block_runs_as_written() {
    let blocks: Vec<Block> = readme_blocks::blocks(&readme_blocks::readme())
        .into_iter()
        .filter(|b| b.tested)
        .collect();
    let langs: Vec<&str> = blocks.iter().map(|b| b.lang.as_str()).collect();
    for want in ["sh", "js", "python"] {
        assert!(langs.contains(&want), "no tested {want} block: {langs:?}");
    }

    let home = tempfile::tempdir().expect("home");
    let reader = reader(home.path());
    let mut mock = defaults_in(home.path(), &["serve", "--listen", "127.0.0.1:0"]);
    let mut stub = defaults_in(home.path(), &["stub", "--listen", "127.0.0.1:0"]);
    let port = mock.port().to_string();
    let stub_port = stub.port().to_string();

    // The CI snippets' "your suite": litd's Node sample, which reads the
    // LIT_* variables they export.
    let sample = format!(
        "'{}' '{}'",
        std::env::var("AUTOPILOT_MOCK_NODE").unwrap_or_else(|_| "node".into()),
        common::clients_dir().join("node/litd-sample.js").display()
    );
    for block in &blocks {
        let text = runnable(block, &port, &stub_port, &sample);
        let output = reader.run(&block.lang, &text, block.line);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "README line {} ({}) failed ({:?}):\n{text}\nstdout:\n{stdout}\nstderr:\n{stderr}\nmock:\n{}",
            block.line,
            block.lang,
            output.status,
            mock.stderr()
        );
        // A quick start that "works" but prints an error is no quick start.
        assert!(
            !stdout.contains("Error") && !stderr.contains("rror:"),
            "README line {}: {stdout}\n{stderr}",
            block.line
        );
    }
    assert!(mock.terminate().success());
    assert!(stub.terminate().success());
}

#[test]
fn the_ci_snippets_fail_when_the_suite_or_the_client_fails() {
    let blocks: Vec<Block> = readme_blocks::blocks(&readme_blocks::readme())
        .into_iter()
        .filter(|b| b.tested && b.text.contains("npm test"))
        .collect();
    assert_eq!(blocks.len(), 2, "the two CI snippets");
    let home = tempfile::tempdir().expect("home");
    let reader = reader(home.path());
    for block in &blocks {
        let judge = block.text.contains("--scenario");
        // A failing suite fails the step; a client that passes its own
        // tests but never sends the scenario's calls fails the judge.
        let suites: &[&str] = if judge {
            &["false", "true"]
        } else {
            &["false"]
        };
        for suite in suites {
            let text = runnable(block, "8443", "12010", suite);
            let output = reader.run("sh", &text, block.line);
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(
                output.status.code(),
                Some(1),
                "README line {} with `npm test` = `{suite}`:\n{stdout}\n{}",
                block.line,
                String::from_utf8_lossy(&output.stderr)
            );
            if judge {
                let verdict: serde_json::Value =
                    serde_json::from_str(stdout.lines().last().unwrap_or_default())
                        .unwrap_or_else(|e| panic!("no verdict line ({e}):\n{stdout}"));
                assert_eq!(verdict["verdict"], "fail", "{verdict}");
                assert_eq!(verdict["met"], 0, "{verdict}");
            }
        }
    }
}
