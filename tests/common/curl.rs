//! curl against a running mock: one place that builds the command, pins
//! the certificate, sends the body from a file and splits the answer.

use std::process::Command;

use super::MockProcess;

/// One request.
pub struct Request<'a> {
    /// `GET`, `POST`, `DELETE`...
    pub method: &'a str,
    /// Path and query, e.g. `/v1/autopilot/features`.
    pub path: &'a str,
    /// Whole header lines (`name: value`).
    pub headers: Vec<String>,
    /// Sent with `--data-binary` when present.
    pub body: Option<&'a [u8]>,
    /// `--http2` instead of `--http1.1`.
    pub http2: bool,
}

impl<'a> Request<'a> {
    /// `method path` over HTTP/1.1 with no headers and no body.
    pub fn new(method: &'a str, path: &'a str) -> Self {
        Request {
            method,
            path,
            headers: Vec::new(),
            body: None,
            http2: false,
        }
    }

    /// Adds the server's lit.macaroon as `Grpc-Metadata-Macaroon`.
    pub fn macaroon(mut self, server: &MockProcess) -> Self {
        let hex = hex::encode(std::fs::read(server.macaroon()).expect("lit.macaroon"));
        self.headers.push(format!("Grpc-Metadata-Macaroon: {hex}"));
        self
    }

    /// Adds a header line.
    pub fn header(mut self, line: impl Into<String>) -> Self {
        self.headers.push(line.into());
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }

    /// Chooses HTTP/2 (`true`) or HTTP/1.1.
    pub fn http2(mut self, http2: bool) -> Self {
        self.http2 = http2;
        self
    }
}

/// The answer: status, headers (lower-case names, in order) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Sends `request` to `https://localhost:<port>` of `server`, trusting its
/// tls.cert. Panics when curl itself fails (no answer at all).
pub fn send(server: &MockProcess, request: Request<'_>) -> Answer {
    let dir = tempfile::tempdir().expect("temp dir");
    let head_file = dir.path().join("head");
    let mut command = Command::new("curl");
    command
        .args(["-s", "-S", "-X", request.method])
        .arg(if request.http2 {
            "--http2"
        } else {
            "--http1.1"
        })
        .arg("--cacert")
        .arg(server.tls_cert())
        .arg("-D")
        .arg(&head_file);
    for h in &request.headers {
        command.args(["-H", h]);
    }
    if let Some(body) = request.body {
        let body_file = dir.path().join("body");
        std::fs::write(&body_file, body).expect("write body");
        command
            .arg("--data-binary")
            .arg(format!("@{}", body_file.display()));
    }
    let out = command
        .arg(format!(
            "https://localhost:{}{}",
            server.port(),
            request.path
        ))
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl {} {} ({:?}): {}",
        request.method,
        request.path,
        request.headers,
        String::from_utf8_lossy(&out.stderr)
    );
    let head = std::fs::read_to_string(&head_file).expect("headers");
    // From the final status line (past any `100 Continue`); later header
    // blocks (HTTP/2 trailers) count as headers too.
    let lines: Vec<&str> = head.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| {
            l.starts_with("HTTP/")
                && !l
                    .split_whitespace()
                    .nth(1)
                    .is_some_and(|c| c.starts_with('1'))
        })
        .expect("a final status line");
    let status = lines[start]
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers = lines[start + 1..]
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: out.stdout,
    }
}
