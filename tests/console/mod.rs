//! What the console's end-to-end tests share: curl against the mock, and
//! the browser run (puppeteer-core driving Debian's chromium).

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::common::{self, run_json_client, MockProcess};

pub const PASSWORD: &str = "console-ui-password";
pub const CONSOLE: &str = "/_autopilot-mock/console/";

pub fn basic() -> String {
    format!(
        "authorization: Basic {}",
        STANDARD.encode(format!("{PASSWORD}:{PASSWORD}"))
    )
}

/// `curl` once: (HTTP status, lower-case headers text, body).
pub fn curl(server: &MockProcess, args: &[&str], path: &str) -> (u16, String, String) {
    let out = Command::new("curl")
        .args(["-s", "-S", "-D", "-", "--cacert"])
        .arg(server.tls_cert())
        .args(args)
        .arg(format!("https://localhost:{}{path}", server.port()))
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, head.to_ascii_lowercase(), body.to_string())
}

pub fn curl_json(server: &MockProcess, args: &[&str], path: &str) -> Value {
    let (status, _, body) = curl(server, args, path);
    let value: Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    assert_eq!(status, 200, "{path}: {value}");
    value
}

/// puppeteer-core's install and Debian's chromium, or `None` (skip) when
/// scripts/test.sh has not set them up.
pub fn browser() -> Option<(PathBuf, String)> {
    let Some(dir) = std::env::var_os("AUTOPILOT_MOCK_BROWSER_CLIENTS") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "AUTOPILOT_MOCK_BROWSER_CLIENTS is not set in CI: scripts/test.sh sets it"
        );
        eprintln!(
            "SKIPPED: AUTOPILOT_MOCK_BROWSER_CLIENTS is not set (puppeteer-core and chromium, \
             installed by ./scripts/test.sh; or eval \"$(./scripts/test.sh --env)\")"
        );
        return None;
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("node_modules/puppeteer-core").is_dir(),
        "{} has no puppeteer-core; run ./scripts/test.sh",
        dir.display()
    );
    let chromium =
        std::env::var("AUTOPILOT_MOCK_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(Path::new(&chromium).exists(), "no chromium at {chromium}");
    Some((dir, chromium))
}

pub fn screenshots(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/console-screenshots")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs the browser script on a plan; returns what it saw.
pub fn drive(server: &MockProcess, mode: &str, shots: &Path) -> Value {
    let Some((dir, chromium)) = browser() else {
        return Value::Null;
    };
    let plan_dir = tempfile::tempdir().expect("temp dir");
    let plan = plan_dir.path().join("plan.json");
    let base_url = format!("https://localhost:{}", server.port());
    std::fs::write(
        &plan,
        json!({"base_url": base_url, "password": PASSWORD, "chromium": chromium,
               "macaroon_hex": hex::encode(std::fs::read(server.macaroon()).expect("lit.macaroon")),
               "screenshots": shots, "mode": mode})
        .to_string(),
    )
    .expect("write plan");
    let node = std::env::var("AUTOPILOT_MOCK_NODE").unwrap_or_else(|_| "node".into());
    let mut command = Command::new(node);
    command
        .arg(common::clients_dir().join("browser/console.js"))
        .arg(&plan)
        .current_dir(&dir)
        .env("NODE_PATH", dir.join("node_modules"));
    let seen = run_json_client(command);
    assert!(
        seen["failed"].is_null(),
        "the browser run failed: {:#}",
        seen["failed"]
    );
    assert_eq!(
        seen["unexpected"],
        json!([]),
        "browser console errors: {seen:#}"
    );
    // The only ones tolerated: the failed request of each step that expects
    // an error answer, which chromium logs as a console error.
    for error in seen["expected_errors"].as_array().expect("expected_errors") {
        let text = error["text"].as_str().unwrap_or_default();
        assert!(
            text.starts_with("Failed to load resource: the server responded with a status of 50"),
            "{error}"
        );
    }
    for file in seen["screenshots"].as_array().expect("screenshots") {
        let bytes = std::fs::read(file.as_str().expect("a path")).expect("a screenshot file");
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{file} is not a PNG"
        );
    }
    seen
}

pub fn clock_seconds(text: &str) -> i64 {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    t.unix_timestamp()
}
