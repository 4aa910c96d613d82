//! The README's commands against `--help`: every flag in its synopses and
//! examples exists on that subcommand, each row of its flag tables (serve,
//! record, stub) gives the flag's `AUTOPILOT_MOCK_*` variable and default as
//! `--help` has them, and every such variable it names is one a flag reads.

mod common;
mod readme_blocks;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::binary;

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

/// `--help`'s options: flag -> (env, default).
fn options(help: &str) -> BTreeMap<String, (Option<String>, Option<String>)> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    // Only the Options section: the examples after it hold flags too.
    let section = help
        .lines()
        .skip_while(|l| *l != "Options:")
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '));
    for line in section {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if (2..=6).contains(&indent) && trimmed.starts_with('-') {
            current = trimmed
                .split([' ', ','])
                .find(|w| w.starts_with("--"))
                .map(str::to_string);
            if let Some(flag) = &current {
                out.insert(flag.clone(), (None, None));
            }
            continue;
        }
        let Some(entry) = current.as_ref().and_then(|f| out.get_mut(f)) else {
            continue;
        };
        if let Some(env) = trimmed.strip_prefix("[env: ") {
            entry.0 = Some(env.trim_end_matches(']').trim_end_matches('=').to_string());
        } else if let Some(default) = trimmed.strip_prefix("[default: ") {
            entry.1 = Some(default.trim_end_matches(']').to_string());
        }
    }
    out
}

#[test]
fn the_flag_tables_give_each_flag_its_variable_and_default() {
    let readme = readme_blocks::readme();
    let mut sub: Option<String> = None;
    let mut rows = 0;
    let mut in_block = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            // The table after a command's synopsis is that command's.
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["autopilot-mock", s, ..] = words.as_slice() {
                if SUBCOMMANDS.contains(s) {
                    sub = Some(s.to_string());
                }
            }
            continue;
        }
        if !line.starts_with("| `--") {
            continue;
        }
        let sub = sub.as_deref().expect("a flag table after a command");
        let opts = options(&help(Some(sub)));
        let cells: Vec<String> = line
            .replace("\\|", "/")
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        let code = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let flags: Vec<String> = code(&cells[1])
            .iter()
            .filter_map(|c| c.split_whitespace().next().map(str::to_string))
            .collect();
        let mut envs: Vec<String> = Vec::new();
        for env in code(&cells[2]) {
            // `AUTOPILOT_MOCK_UI_PASSWORD`, `_FILE`: the suffix of the one before.
            let full = match (env.starts_with('_'), envs.first()) {
                (true, Some(base)) => format!("{base}{env}"),
                _ => env,
            };
            envs.push(full);
        }
        assert_eq!(flags.len(), envs.len(), "{line}");
        for (flag, env) in flags.iter().zip(&envs) {
            rows += 1;
            let (want_env, default) = opts
                .get(flag)
                .unwrap_or_else(|| panic!("`autopilot-mock {sub}` has no {flag}: {line}"));
            assert_eq!(
                want_env.as_deref(),
                Some(env.as_str()),
                "{sub} {flag}: {line}"
            );
            if let Some(default) = default {
                assert!(
                    cells[3].contains(default.as_str()),
                    "{sub} {flag} defaults to {default}: {line}"
                );
            }
        }
    }
    assert!(rows > 20, "only {rows} table rows");
}
