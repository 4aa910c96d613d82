//! The README cannot drift: every fenced block whose info string carries the
//! word `test` (```` ```sh test ````, ```` ```js test ````, ```` ```python test ````)
//! is taken from README.md itself and run, in order, in one directory, as a
//! reader would after "Get the tools": HOME is a fresh directory, `serve`
//! runs with its defaults there (on a free port, written into the snippets
//! in place of 8443), and `autopilot-mock`, `grpcurl` and `python` are on
//! PATH (the binary under test and the clients scripts/test.sh installs).

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{binary, wait_timeout, MockProcess, CLIENT_TIMEOUT};

/// A block of the README to run: its language and text.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

fn tested_blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in readme.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or_default().to_string();
                if words.any(|w| w == "test") {
                    current = Some(Block {
                        lang,
                        text: String::new(),
                        line: i + 1,
                    });
                } else if !info.trim().is_empty() {
                    // An untested block: skip to its end.
                    current = Some(Block {
                        lang: String::new(),
                        text: String::new(),
                        line: 0,
                    });
                }
            }
            (Some(_), Some("")) => {
                if let Some(b) = current.take().filter(|b| b.line > 0) {
                    blocks.push(b);
                }
            }
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run ./scripts/test.sh"))
}

fn link(dir: &Path, name: &str, to: &str) {
    std::os::unix::fs::symlink(to, dir.join(name)).expect("symlink");
}

#[test]
fn every_tested_readme_block_runs_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let blocks = tested_blocks(&readme);
    let langs: Vec<&str> = blocks.iter().map(|b| b.lang.as_str()).collect();
    for want in ["sh", "js", "python"] {
        assert!(langs.contains(&want), "no tested {want} block: {langs:?}");
    }

    let home = tempfile::tempdir().expect("home");
    let work = home.path().join("work");
    std::fs::create_dir(&work).expect("work dir");
    // What "Get the tools" installs: the binary, grpcurl, python; the protos.
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    link(&bin, "autopilot-mock", binary());
    link(&bin, "grpcurl", &env("AUTOPILOT_MOCK_GRPCURL"));
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
    let protos = node_clients.join("node_modules/@lightningpolar/litd-api/protos");
    for proto in ["lit-autopilot.proto", "lit-sessions.proto"] {
        std::fs::copy(protos.join(proto), work.join(proto)).expect("copy proto");
    }
    let path = format!("{}:{}", bin.display(), env("PATH"));

    let mut serve = Command::new(binary());
    serve
        .env("HOME", home.path())
        .env_remove("AUTOPILOT_MOCK_LIT_DIR")
        .args(["serve", "--listen", "127.0.0.1:0"]);
    let mut mock = MockProcess::start_command(serve);
    let port = mock.port().to_string();

    // The CI snippets' "your suite": litd's Node sample, which reads the
    // LIT_* variables they export.
    let sample = format!(
        "'{}' '{}'",
        std::env::var("AUTOPILOT_MOCK_NODE").unwrap_or_else(|_| "node".into()),
        common::clients_dir().join("node/litd-sample.js").display()
    );
    for block in &blocks {
        let text = block
            .text
            .replace("8443", &port)
            .replace("npm test", &sample);
        let mut command = match block.lang.as_str() {
            "sh" => {
                let mut c = Command::new("bash");
                c.args(["-euo", "pipefail", "-c", &text])
                    .env("NODE_PATH", node_clients.join("node_modules"));
                c
            }
            "js" => {
                std::fs::write(work.join("quickstart.js"), &text).expect("write js");
                let mut c = Command::new(
                    std::env::var("AUTOPILOT_MOCK_NODE").unwrap_or_else(|_| "node".into()),
                );
                c.arg("quickstart.js")
                    .env("NODE_PATH", node_clients.join("node_modules"));
                c
            }
            "python" => {
                std::fs::write(work.join("quickstart.py"), &text).expect("write py");
                let mut c = Command::new(env("AUTOPILOT_MOCK_PYTHON"));
                c.arg("quickstart.py");
                c
            }
            other => panic!("README line {}: no runner for {other} blocks", block.line),
        };
        let output = command
            .current_dir(&work)
            .env("HOME", home.path())
            .env("PATH", &path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            // Its own process group, so whatever the block started in the
            // background (a mock) goes with it and cannot hold the pipes.
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
            .expect("block runs");
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
}
