//! The independent cross-check: nghttp2's `h2load` posting gRPC frames.
//! h2load knows nothing of gRPC: it counts HTTP 2xx as success, so a gRPC
//! error (HTTP 200 with `grpc-status` != 0 in the trailers) would pass; the
//! bench's own client checks that, h2load only checks the rate.

use std::path::Path;

use serde::Serialize;
use tokio::process::Command;

use super::load::Shape;

/// What h2load reported.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub(crate) struct H2loadStats {
    pub(crate) rps: f64,
    pub(crate) succeeded: u64,
    pub(crate) failed: u64,
    pub(crate) mean_us: f64,
}

/// One h2load run against `https://<addr><path>` with `body_file` (a gRPC
/// frame) as the body: `connections` connections (`-c`), `streams` requests
/// in flight on each (`-m`).
pub(crate) async fn run(
    h2load: &Path,
    body_file: &Path,
    url: &str,
    macaroon_hex: &str,
    (connections, streams): (usize, usize),
    shape: Shape,
) -> Result<H2loadStats, String> {
    let (connections, streams) = (connections.max(1), streams.max(1));
    let output = Command::new(h2load)
        .arg("-c")
        .arg(connections.to_string())
        .arg("-m")
        .arg(streams.to_string())
        .arg("-t")
        .arg("1")
        .arg("-D")
        .arg(format!("{}", shape.duration.as_secs().max(1)))
        .arg("--warm-up-time")
        .arg(format!("{}", shape.warmup.as_secs().max(1)))
        .arg("-d")
        .arg(body_file)
        .args(["-H", "content-type: application/grpc", "-H", "te: trailers"])
        .arg("-H")
        .arg(format!("macaroon: {macaroon_hex}"))
        .arg(url)
        .output()
        .await
        .map_err(|e| format!("running {}: {e}", h2load.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse(&text).ok_or_else(|| format!("unexpected h2load output: {text}"))
}

/// Reads req/s, succeeded/failed and the mean request time from h2load's
/// summary.
pub(crate) fn parse(text: &str) -> Option<H2loadStats> {
    let mut stats = H2loadStats::default();
    let finished = text.lines().find(|l| l.starts_with("finished in"))?;
    stats.rps = finished
        .split(',')
        .find(|p| p.contains("req/s"))?
        .trim()
        .trim_end_matches("req/s")
        .trim()
        .parse()
        .ok()?;
    let requests = text.lines().find(|l| l.starts_with("requests:"))?;
    for part in requests.trim_start_matches("requests:").split(',') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        match what {
            "succeeded" => stats.succeeded = n.parse().ok()?,
            "failed" => stats.failed = n.parse().ok()?,
            _ => {}
        }
    }
    let times = text.lines().find(|l| l.starts_with("time for request:"))?;
    let mean = times
        .trim_start_matches("time for request:")
        .split_whitespace()
        .nth(2)?;
    stats.mean_us = duration_us(mean)?;
    Some(stats)
}

fn duration_us(s: &str) -> Option<f64> {
    let (number, scale) = if let Some(v) = s.strip_suffix("us") {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1e3)
    } else {
        (s.strip_suffix('s')?, 1e6)
    };
    number.parse::<f64>().ok().map(|v| v * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_h2load_summary() {
        let text = "finished in 5.00s, 12345.60 req/s, 1.23MB/s\n\
            requests: 61728 total, 61728 started, 61728 done, 61720 succeeded, 8 failed, 0 errored, 0 timeout\n\
            status codes: 61728 2xx, 0 3xx, 0 4xx, 0 5xx\n\
            \x20                    min         max         mean         sd        +/- sd\n\
            time for request:      123us     12.34ms      1.23ms       456us    78.90%\n";
        let s = parse(text).expect("parses");
        assert_eq!(s.rps, 12345.60);
        assert_eq!((s.succeeded, s.failed), (61720, 8));
        assert!((s.mean_us - 1230.0).abs() < 1e-6);
    }
}
