//! What the README states that `tests/readme.rs` does not run, checked
//! against the code: the versions its install lines pin, the ready line, the
//! flags in its synopses and the `AUTOPILOT_MOCK_*` variables it names, the
//! scenario matchers, the cargo-fuzz targets and seeds, and the Rust quick
//! start (which is `tests/readme_rust.rs`, verbatim).

mod common;
mod readme_blocks;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{binary, MockProcess};

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

const SUBCOMMANDS: [&str; 8] = [
    "serve",
    "stub",
    "check",
    "fuzz",
    "record",
    "diff",
    "bench",
    "scenarios",
];

/// `--help` of `autopilot-mock SUB` (top level for `None`).
fn help(sub: Option<&str>) -> String {
    let out = Command::new(binary())
        .args(sub)
        .arg("--help")
        .output()
        .expect("help runs");
    assert!(out.status.success(), "{sub:?} --help");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_flag_in_a_readme_command_exists() {
    let top = help(None);
    let mut helps: BTreeMap<String, String> = BTreeMap::new();
    let mut checked = 0;
    let mut seen = BTreeSet::new();
    let readme = readme_blocks::readme();
    for block in readme_blocks::blocks(&readme) {
        if block.lang != "sh" {
            continue;
        }
        for line in readme_blocks::shell_lines(&block.text) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(start) = words.iter().position(|w| *w == "autopilot-mock") else {
                continue;
            };
            let mut rest = words[start + 1..]
                .iter()
                .take_while(|w| !w.starts_with('#'));
            // Global flags come before the subcommand.
            let sub = loop {
                match rest.next() {
                    Some(w) if w.starts_with("--") => {
                        assert!(top.contains(*w), "README line {}: {w}", block.line)
                    }
                    Some(w) => break Some(*w),
                    None => break None,
                }
            };
            // Not a subcommand: `docker build -t autopilot-mock .` and the like.
            let Some(sub) = sub.filter(|s| SUBCOMMANDS.contains(s)) else {
                continue;
            };
            seen.insert(sub.to_string());
            let text = helps
                .entry(sub.to_string())
                .or_insert_with(|| help(Some(sub)));
            for word in rest {
                let flag = word
                    .trim_start_matches('[')
                    .split(['=', ']'])
                    .next()
                    .unwrap_or_default();
                if flag.starts_with("--") {
                    checked += 1;
                    assert!(
                        text.contains(&format!("{flag} ")) || text.contains(&format!("{flag}\n")),
                        "README line {}: `autopilot-mock {sub}` has no {flag}:\n{line}",
                        block.line
                    );
                }
            }
        }
    }
    assert!(
        checked > 30,
        "only {checked} flags found in the README's commands"
    );
    // `bench` is named in prose only (benches/run.sh drives it).
    let unseen: Vec<&&str> = SUBCOMMANDS
        .iter()
        .filter(|s| **s != "bench" && !seen.contains(**s))
        .collect();
    assert!(unseen.is_empty(), "no README command runs {unseen:?}");
}

#[test]
fn every_autopilot_mock_variable_the_readme_names_exists() {
    // Variables of scripts and packages, not of the binary's flags.
    let not_flags = [
        "AUTOPILOT_MOCK_SKIP_FUZZ",
        "AUTOPILOT_MOCK_SKIP_PACKAGES",
        "AUTOPILOT_MOCK_FUZZ_SECS",
        "AUTOPILOT_MOCK_BIN",
    ];
    let helps: String = std::iter::once(help(None))
        .chain(SUBCOMMANDS.iter().map(|s| help(Some(s))))
        .collect();
    let readme = readme_blocks::readme();
    let mut named = BTreeSet::new();
    for (i, _) in readme.match_indices("AUTOPILOT_MOCK_") {
        let name: String = readme[i..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        // `AUTOPILOT_MOCK_DIFF_*` and the like name a family.
        if !name.ends_with('_') && !not_flags.contains(&name.as_str()) {
            named.insert(name);
        }
    }
    let missing: Vec<&String> = named
        .iter()
        .filter(|n| {
            // `[env: NAME]` when clap hides the value (the UI password).
            !helps.contains(&format!("[env: {n}=")) && !helps.contains(&format!("[env: {n}]"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "README names variables no flag reads: {missing:?}"
    );
    assert!(named.len() > 20, "{named:?}");
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
