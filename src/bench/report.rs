//! The suite's figures as Markdown: every throughput as a ratio to the
//! ceiling (and to grpc-js where it answers the same RPC), the targets of
//! issue #7 with measured values, the h2load cross-check, startup, memory
//! and scaling.

use std::fmt::Write;

use super::calls::{Rpc, Transport};
use super::suite::{Row, Server, SuiteReport};

fn server_name(s: Server) -> &'static str {
    match s {
        Server::Mock => "autopilot-mock",
        Server::MockQuiet => "autopilot-mock, access log off",
        Server::Ceiling => "ceiling (tonic echo)",
        Server::CeilingSized => "ceiling, List-sized reply",
        Server::GrpcJs => "grpc-js peer",
    }
}

fn transport_name(t: Transport) -> &'static str {
    match t {
        Transport::Grpc => "gRPC",
        Transport::Rest => "REST",
    }
}

impl SuiteReport {
    fn row(&self, server: Server, transport: Transport, rpc: Rpc) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.server == server && r.transport == transport && r.rpc == rpc)
    }

    fn ceiling_rps(&self) -> Option<f64> {
        self.row(Server::Ceiling, Transport::Grpc, Rpc::Echo)
            .map(|r| r.stats.rps)
    }

    fn ratio(&self, row: &Row, to: Server) -> Option<f64> {
        let base = match to {
            Server::Ceiling => self.ceiling_rps()?,
            Server::CeilingSized => self.row(to, Transport::Grpc, Rpc::Echo)?.stats.rps,
            _ => self.row(to, Transport::Grpc, row.rpc)?.stats.rps,
        };
        (base > 0.0).then(|| row.stats.rps / base)
    }

    /// The report body (the runner script adds the machine and commands).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) -> std::fmt::Result {
        writeln!(
            out,
            "Load: {} connections, {} requests in flight, {:.0} s measured per row after a warm-up, \
             {} round(s), each row's median round. List runs with {} sessions stored \
             ({} bytes of response). Load average (1 min) {:.2} before, {:.2} after.\n",
            self.connections, self.in_flight, self.seconds, self.rounds, self.list_sessions,
            self.list_response_bytes,
            self.load_before, self.load_after
        )?;
        self.write_targets(out)?;
        writeln!(out, "\n## Throughput and latency (bench client)\n")?;
        writeln!(out, "| server | transport | RPC | req/s | p50 µs | p99 µs | errors | × ceiling | × grpc-js |")?;
        writeln!(out, "|---|---|---|---:|---:|---:|---:|---:|---:|")?;
        for row in &self.rows {
            let s = &row.stats;
            writeln!(
                out,
                "| {} | {} | {} | {:.0} | {:.0} | {:.0} | {} | {} | {} |",
                server_name(row.server),
                transport_name(row.transport),
                row.rpc.name(),
                s.rps,
                s.p50_us,
                s.p99_us,
                s.errors,
                fmt_ratio(self.ratio(row, Server::Ceiling)),
                if row.server == Server::Mock {
                    fmt_ratio(self.ratio(row, Server::GrpcJs))
                } else {
                    "".into()
                },
            )?;
        }
        if !self.h2load.is_empty() {
            writeln!(out, "\n## Cross-check with h2load\n")?;
            writeln!(
                out,
                "`h2load -c {} -m {}` over TLS, one thread, the gRPC frame of each request as the body.\n",
                self.connections, self.h2load_streams
            )?;
            writeln!(
                out,
                "| server | RPC | req/s | mean µs | failed | × ceiling | × List-sized ceiling | × grpc-js |"
            )?;
            writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|")?;
            let rps_of = |server: Server| {
                self.h2load
                    .iter()
                    .find(|r| r.server == server)
                    .map(|r| r.stats.rps)
                    .filter(|rps| *rps > 0.0)
            };
            let (ceiling, sized) = (rps_of(Server::Ceiling), rps_of(Server::CeilingSized));
            for r in &self.h2load {
                let to_sized = match r.rpc {
                    Rpc::ListSessions => sized.map(|c| r.stats.rps / c),
                    _ => None,
                };
                let to_js = match r.server {
                    Server::Mock => self.h2load_vs_grpc_js(r.rpc),
                    _ => None,
                };
                writeln!(
                    out,
                    "| {} | {} | {:.0} | {:.0} | {} | {} | {} | {} |",
                    server_name(r.server),
                    r.rpc.name(),
                    r.stats.rps,
                    r.stats.mean_us,
                    r.stats.failed,
                    fmt_ratio(ceiling.map(|c| r.stats.rps / c)),
                    fmt_ratio(to_sized),
                    fmt_ratio(to_js),
                )?;
            }
        }
        writeln!(
            out,
            "\n## Startup (spawn to first answered ListAutopilotSessions)\n"
        )?;
        writeln!(out, "| lit dir | runs | ready line ms (median) | first answer ms (median) | first answer ms (min) |")?;
        writeln!(out, "|---|---:|---:|---:|---:|")?;
        for (name, s) in [
            ("cold (absent)", &self.cold),
            ("warm (credentials exist)", &self.warm),
        ] {
            writeln!(
                out,
                "| {name} | {} | {:.1} | {:.1} | {:.1} |",
                s.runs, s.ready_ms, s.answered_ms, s.answered_min_ms
            )?;
        }
        writeln!(out, "\n## Memory and scaling\n")?;
        writeln!(
            out,
            "Idle RSS (after the first answered call): {:.1} MB.\n",
            self.rss_idle_kb as f64 / 1024.0
        )?;
        writeln!(out, "| sessions stored | RSS MB | bytes per session over idle | Add req/s (next {}) | Add p50 µs | List ms | List µs per session |", super::startup_scale::SCALE_ADDS)?;
        writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|")?;
        for p in &self.scale {
            writeln!(
                out,
                "| {} | {:.1} | {:.0} | {:.0} | {:.0} | {:.2} | {:.2} |",
                p.sessions,
                p.rss_kb as f64 / 1024.0,
                self.bytes_per_session(p.sessions, p.rss_kb),
                p.add.rps,
                p.add.p50_us,
                p.list_ms,
                p.list_ms * 1000.0 / p.sessions.max(1) as f64,
            )?;
        }
        Ok(())
    }

    /// The mock's h2load req/s for `rpc` over the grpc-js peer's.
    fn h2load_vs_grpc_js(&self, rpc: Rpc) -> Option<f64> {
        let rps = |server: Server| {
            self.h2load
                .iter()
                .find(|r| r.server == server && r.rpc == rpc)
                .map(|r| r.stats.rps)
        };
        let (mock, js) = (rps(Server::Mock)?, rps(Server::GrpcJs)?);
        (js > 0.0).then(|| mock / js)
    }

    fn bytes_per_session(&self, sessions: usize, rss_kb: u64) -> f64 {
        rss_kb.saturating_sub(self.rss_idle_kb) as f64 * 1024.0 / sessions.max(1) as f64
    }

    fn write_targets(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "## Targets (issue #7)\n")?;
        writeln!(out, "| target | measured | met |")?;
        writeln!(out, "|---|---|---|")?;
        let grpc = |rpc| self.row(Server::Mock, Transport::Grpc, rpc);
        let mut line = |name: &str, value: Option<f64>, unit: &str, ok: fn(f64) -> bool| {
            let (text, met) = match value {
                Some(v) => (format!("{v:.2}{unit}"), if ok(v) { "yes" } else { "no" }),
                None => ("not measured".into(), "-"),
            };
            writeln!(out, "| {name} | {text} | {met} |")
        };
        let list = grpc(Rpc::ListSessions);
        let add = grpc(Rpc::AddSession);
        line(
            "ListAutopilotSessions (10 sessions) >= 0.9x ceiling",
            list.and_then(|r| self.ratio(r, Server::Ceiling)),
            "x",
            |v| v >= 0.9,
        )?;
        line(
            "ListAutopilotSessions (10 sessions) vs the ceiling answering as many bytes",
            list.and_then(|r| self.ratio(r, Server::CeilingSized)),
            "x",
            |v| v >= 0.9,
        )?;
        line(
            "ListAutopilotSessions (10 sessions), access log off, vs the ceiling answering as many bytes",
            self.row(Server::MockQuiet, Transport::Grpc, Rpc::ListSessions)
                .and_then(|r| self.ratio(r, Server::CeilingSized)),
            "x",
            |v| v >= 0.9,
        )?;
        line(
            "AddAutopilotSession >= 0.5x ceiling",
            add.and_then(|r| self.ratio(r, Server::Ceiling)),
            "x",
            |v| v >= 0.5,
        )?;
        line(
            "ListAutopilotSessions >= 3x grpc-js",
            list.and_then(|r| self.ratio(r, Server::GrpcJs)),
            "x",
            |v| v >= 3.0,
        )?;
        line(
            "AddAutopilotSession >= 3x grpc-js",
            add.and_then(|r| self.ratio(r, Server::GrpcJs)),
            "x",
            |v| v >= 3.0,
        )?;
        line(
            "warm startup to first answer < 20 ms",
            Some(self.warm.answered_ms),
            " ms",
            |v| v < 20.0,
        )?;
        line(
            "cold startup to first answer < 100 ms",
            Some(self.cold.answered_ms),
            " ms",
            |v| v < 100.0,
        )?;
        line(
            "idle RSS < 15 MB",
            Some(self.rss_idle_kb as f64 / 1024.0),
            " MB",
            |v| v < 15.0,
        )?;
        let largest = self.scale.iter().max_by_key(|p| p.sessions);
        line(
            "< 2 KB per stored session (largest point)",
            largest.map(|p| self.bytes_per_session(p.sessions, p.rss_kb) / 1024.0),
            " KB",
            |v| v < 2.0,
        )?;
        let (first, last) = (self.scale.first(), largest);
        line(
            "Add cost independent of sessions stored (req/s at most / at fewest)",
            first
                .zip(last)
                .and_then(|(a, b)| (a.add.rps > 0.0).then(|| b.add.rps / a.add.rps)),
            "x",
            |v| v >= 0.8,
        )?;
        writeln!(out, "\n## Targets (issue #12)\n")?;
        writeln!(out, "| target | measured | met |")?;
        writeln!(out, "|---|---|---|")?;
        let m = self.h2load_streams;
        let mut line = |name: String, value: Option<f64>, ok: fn(f64) -> bool| {
            let (text, met) = match value {
                Some(v) => (format!("{v:.2}x"), if ok(v) { "yes" } else { "no" }),
                None => ("not measured".into(), "-"),
            };
            writeln!(out, "| {name} | {text} | {met} |")
        };
        line(
            format!(
                "h2load -c {} -m {m}: AddAutopilotSession >= 1.5x grpc-js",
                self.connections
            ),
            self.h2load_vs_grpc_js(Rpc::AddSession),
            |v| v >= 1.5,
        )?;
        line(
            format!(
                "h2load -c {} -m {m}: ListAutopilotSessions >= 3x grpc-js",
                self.connections
            ),
            self.h2load_vs_grpc_js(Rpc::ListSessions),
            |v| v >= 3.0,
        )?;
        Ok(())
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map(|v| format!("{v:.2}")).unwrap_or_default()
}
