//! What the README states that `tests/readme.rs` does not run, checked
//! against the code: the versions its install lines pin, the ready line and
//! the JSON access log line, the
//! scenario matchers, the cargo-fuzz targets and seeds, and the Rust quick
//! start (which is `tests/readme_rust.rs`, verbatim). Its flags, tables and
//! variables: `tests/readme_flags.rs`.

mod common;
mod readme_blocks;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{binary, curl, MockProcess};

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `name@version` (npm, scoped names too) or `name==version` (pip).
fn pinned(token: &str) -> Option<(&str, &str)> {
    if let Some(pair) = token.split_once("==") {
        return Some(pair);
    }
    let at = token.rfind('@').filter(|&i| i > 0)?;
    Some((&token[..at], &token[at + 1..]))
}

#[test]
fn install_lines_pin_the_versions_the_suite_installs() {
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/clients/node/package.json")).expect("package.json"),
    )
    .expect("JSON");
    let requirements: BTreeMap<String, String> =
        std::fs::read_to_string(repo("tests/clients/python/requirements.txt"))
            .expect("requirements.txt")
            .lines()
            .filter_map(|l| l.split_once("=="))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
    let (mut npm, mut pip) = (0, 0);
    for line in readme_blocks::readme().lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words
            .windows(2)
            .position(|w| matches!(w, ["npm", "install"] | ["pip", "install"]))
        else {
            continue;
        };
        for token in words[at + 2..].iter().take_while(|t| !t.starts_with('#')) {
            let Some((name, version)) = pinned(token) else {
                continue;
            };
            let want = if words[at] == "npm" {
                npm += 1;
                package["dependencies"][name].as_str().map(str::to_string)
            } else {
                pip += 1;
                requirements.get(name).cloned()
            };
            assert_eq!(
                want.as_deref(),
                Some(version),
                "README pins {name} {version}; the suite installs {want:?}: {line}"
            );
        }
    }
    assert!(
        npm >= 3 && pip >= 3,
        "pinned installs found: npm {npm}, pip {pip}"
    );
}

#[test]
fn the_ready_line_has_the_fields_the_readme_shows() {
    let readme = readme_blocks::readme();
    let blocks = readme_blocks::blocks(&readme);
    let shown = blocks
        .iter()
        .find(|b| b.lang == "json" && b.text.starts_with("{\"listen\":"))
        .expect("the ready line example");
    let shown: serde_json::Value = serde_json::from_str(&shown.text).expect("JSON");
    let keys = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_object().expect("object").keys().cloned().collect()
    };
    let mock = MockProcess::serve_temp(Vec::<String>::new());
    assert_eq!(keys(&shown), keys(&mock.ready), "{}", mock.ready);
}

#[test]
fn the_readme_lists_every_matcher_the_loader_knows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("typo.json");
    std::fs::write(
        &scenario,
        r#"{"name":"t","steps":[{"call":"ListAutopilotSessions","expect":{"response":{"sessions":{"$shap":"u64"}}}}]}"#,
    )
    .expect("write");
    let out = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
        .arg(dir.path().join("lit"))
        .arg("--scenario")
        .arg(&scenario)
        .output()
        .expect("serve runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let known = stderr
        .split_once("(known: ")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(list, _)| list)
        .unwrap_or_else(|| panic!("{stderr}"));
    let known: BTreeSet<&str> = known.split(", ").collect();

    let readme = readme_blocks::readme();
    let paragraph = readme
        .split("\n\n")
        .find(|p| p.starts_with("Matchers:"))
        .expect("the README's Matchers paragraph");
    let listed: BTreeSet<&str> = paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|code| code.split('/'))
        .filter(|code| code.starts_with('$'))
        .collect();
    assert_eq!(listed, known, "README:\n{paragraph}");
}

#[test]
fn the_fuzz_section_names_every_cargo_fuzz_target_and_its_seeds() {
    let mut targets: Vec<String> = std::fs::read_dir(repo("fuzz/fuzz_targets"))
        .expect("fuzz/fuzz_targets")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    targets.sort();
    let readme = readme_blocks::readme();
    let paragraph = readme
        .split("\n\n")
        .find(|p| p.starts_with("Targets:"))
        .expect("the README's fuzz Targets paragraph");
    let mut listed: Vec<String> = paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    listed.sort();
    assert_eq!(listed, targets, "README:\n{paragraph}");
    for target in &targets {
        let seeds = repo("fixtures/fuzz-corpus").join(target);
        assert!(seeds.is_dir(), "{} missing", seeds.display());
    }
    // The command as written: from fuzz/, a corpus it creates and the seeds.
    let command = readme_blocks::blocks(&readme)
        .into_iter()
        .find(|b| b.text.contains("cargo fuzz run"))
        .expect("the cargo fuzz block");
    let line = readme_blocks::shell_lines(&command.text)
        .into_iter()
        .find(|l| l.contains("cargo fuzz run"))
        .expect("the run line");
    assert!(line.starts_with("cd fuzz && mkdir -p corpus/"), "{line}");
    let words: Vec<&str> = line.split_whitespace().collect();
    let seeds = words.last().expect("seed dir");
    assert!(repo("fuzz").join(seeds).is_dir(), "{seeds} from fuzz/");
    let fuzz_toml = std::fs::read_to_string(repo("fuzz/Cargo.toml")).expect("fuzz/Cargo.toml");
    for target in &targets {
        assert!(
            fuzz_toml.contains(&format!("name = \"{target}\"")),
            "{target}"
        );
    }
}

#[test]
fn the_rust_quick_start_is_tests_readme_rust_rs() {
    let readme = readme_blocks::readme();
    let block = readme_blocks::blocks(&readme)
        .into_iter()
        .find(|b| b.lang == "rust")
        .expect("the Rust quick start");
    let file = std::fs::read_to_string(repo("tests/readme_rust.rs")).expect("tests/readme_rust.rs");
    let body: String = file
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .filter(|l| l.trim() != "#[rustfmt::skip]")
        .flat_map(|l| [l, "\n"])
        .collect();
    assert_eq!(block.text, body, "README line {}", block.line);
}

#[test]
fn the_access_log_line_has_the_fields_the_readme_shows() {
    let readme = readme_blocks::readme();
    let shown = readme_blocks::blocks(&readme)
        .into_iter()
        .find(|b| b.lang == "json" && b.text.contains("\"target\":\"autopilot_mock::access\""))
        .expect("the access log example");
    let shown: serde_json::Value = serde_json::from_str(&shown.text).expect("JSON");
    let mut mock = MockProcess::serve_temp(["--log-format", "json"]);
    let answer = curl::send(
        &mock,
        curl::Request::new("GET", "/v1/autopilot/features").macaroon(&mock),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(mock.terminate().success());
    let logs = mock.stderr();
    let line: serde_json::Value = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["target"] == "autopilot_mock::access")
        .unwrap_or_else(|| panic!("no access line in:\n{logs}"));
    let keys = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_object().expect("object").keys().cloned().collect()
    };
    assert_eq!(keys(&shown), keys(&line), "{line}");
}
