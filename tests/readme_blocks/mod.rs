//! README.md's fenced blocks, for the tests that run them (`tests/readme.rs`)
//! and check them against the code (`tests/readme_facts.rs`).
// Each of the two test crates uses part of it.
#![allow(dead_code)]

use std::path::Path;

/// One fenced block of the README.
pub struct Block {
    /// The first word of the info string (`sh`, `js`, `json`, ...; empty if none).
    pub lang: String,
    /// The info string carries the word `test`: `tests/readme.rs` runs it.
    pub tested: bool,
    /// The lines between the fences, each ending in `\n`.
    pub text: String,
    /// The README line of the opening fence (1-based).
    pub line: usize,
}

pub fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

pub fn blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in readme.lines().enumerate() {
        match (current.as_mut(), line.strip_prefix("```")) {
            (None, Some(info)) => {
                let mut words = info.split_whitespace();
                current = Some(Block {
                    lang: words.next().unwrap_or_default().to_string(),
                    tested: words.any(|w| w == "test"),
                    text: String::new(),
                    line: i + 1,
                });
            }
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "README.md ends inside a fenced block");
    blocks
}

/// A block's lines with `\`-continuations joined, as the shell reads them.
pub fn shell_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut joined = String::new();
    for line in text.lines() {
        match line.strip_suffix('\\') {
            Some(head) => {
                joined.push_str(head);
                joined.push(' ');
            }
            None => {
                joined.push_str(line);
                lines.push(std::mem::take(&mut joined));
            }
        }
    }
    if !joined.is_empty() {
        lines.push(joined);
    }
    lines
}
