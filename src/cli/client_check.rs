//! `serve --scenario`: judge a client against a scenario file.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use autopilot_mock::scenario::client_mode::ClientCheck;
use autopilot_mock::scenario::{report, Scenario};
use autopilot_mock::server::ServerConfig;
use autopilot_mock::MockServer;

#[derive(Args, Default)]
pub struct ScenarioArgs {
    /// Judge the client against this scenario: its call steps are what the
    /// client must send, in order. Prints a JSON verdict line when the client
    /// is done (every step met, or SIGTERM) and exits 0 only if it conformed.
    /// A `scenarios/client/...` path that is not there is the built-in copy.
    #[arg(long, env = "AUTOPILOT_MOCK_SCENARIO", value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// With --scenario: write a JUnit XML report here.
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_JUNIT",
        value_name = "FILE",
        requires = "scenario"
    )]
    pub junit: Option<PathBuf>,
    /// With --scenario: write a JSON report here.
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_JSON",
        value_name = "FILE",
        requires = "scenario"
    )]
    pub json: Option<PathBuf>,
}

/// A client check set up for a server about to start.
pub struct Judge {
    pub check: Arc<ClientCheck>,
    /// The scenario's `setup.actions` (checked), seeded once serving.
    actions: Vec<serde_json::Value>,
    junit: Option<PathBuf>,
    json: Option<PathBuf>,
}

impl ScenarioArgs {
    /// Loads the scenario and installs it as the server's observer, with its
    /// setup (clock, stub script) applied to the configuration; its actions
    /// are checked here and seeded by [`Judge::attach`].
    /// A scenario that cannot be used is exit 2, as for `check`: the run
    /// cannot judge the client (1 means the client failed the scenario).
    pub fn prepare(self, config: &mut ServerConfig) -> anyhow::Result<Option<Judge>> {
        self.prepare_scenario(config)
            .map_err(|e| super::Exit::with(2, &e).into())
    }

    fn prepare_scenario(self, config: &mut ServerConfig) -> anyhow::Result<Option<Judge>> {
        let Some(path) = self.scenario else {
            return Ok(None);
        };
        // `scenarios/client/...` outside a checkout (the GitHub Action's
        // `args` in another repository): the built-in copy.
        let built_in = super::check::built_in(&path).and_then(|files| match files.as_slice() {
            [(rel, text)] => Some((format!("scenarios/{rel} (built in)"), *text)),
            _ => None,
        });
        let (scenario, file) = match built_in {
            Some((origin, text)) => (Scenario::parse(text, &origin)?, origin),
            None => (Scenario::load(&path)?, path.display().to_string()),
        };
        if let Some(at) = &scenario.setup.clock {
            let t = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .with_context(|| format!("{file}: setup.clock {at:?} is not RFC 3339"))?;
            let nanos = u64::try_from(t.unix_timestamp_nanos())
                .with_context(|| format!("{file}: setup.clock {at:?} is before 1970"))?;
            config
                .clock
                .set(std::time::UNIX_EPOCH + std::time::Duration::from_nanos(nanos));
        }
        if let Some(script) = &scenario.setup.stub {
            let script = autopilot_mock::stub::Script::from_value(
                script.clone(),
                &format!("{file} setup.stub"),
            )?;
            match config.remote.script_mut() {
                Some(in_process) => *in_process = script,
                None => anyhow::bail!(
                    "{file}: setup.stub scripts the in-process stub, which --autopilot-addr replaces"
                ),
            }
        }
        let actions = match &scenario.setup.actions {
            Some(list) => {
                autopilot_mock::admin::parse_action_list(list)
                    .map_err(|e| anyhow::anyhow!("{file}: setup.{e}"))?;
                list.clone()
            }
            None => Vec::new(),
        };
        let check = ClientCheck::new(scenario, &file, config.clock.clone());
        config.observer = Some(check.clone());
        Ok(Some(Judge {
            check,
            actions,
            junit: self.junit,
            json: self.json,
        }))
    }
}

impl Judge {
    /// Connects the check to the running server's stub journal and seeds
    /// the scenario's actions, before the ready line.
    pub fn attach(&self, mock: &MockServer) {
        if !self.actions.is_empty() {
            // Checked in `prepare`, so this stores them.
            let _ = mock.seed_actions(&self.actions);
        }
        if let Some(stub) = mock.stub() {
            self.check.attach_stub(stub.clone());
        }
    }

    /// Waits until every step is met or a signal comes.
    pub async fn wait(&self, signals: &mut super::Signals) {
        let mut finished = self.check.finished();
        tokio::select! {
            _ = signals.recv() => {}
            _ = finished.wait_for(|done| *done) => {}
        }
    }

    /// Prints the verdict line, writes the reports; `Ok(true)` if the client conformed.
    pub fn conclude(&self) -> anyhow::Result<bool> {
        let line = self.check.verdict_line();
        println!("{line}");
        let reports = [self.check.scenario_report()];
        if let Some(path) = &self.junit {
            std::fs::write(path, report::junit(&reports))
                .with_context(|| format!("cannot write --junit {}", path.display()))?;
        }
        if let Some(path) = &self.json {
            let text = serde_json::to_string_pretty(&report::json(&reports))?;
            std::fs::write(path, text)
                .with_context(|| format!("cannot write --json {}", path.display()))?;
        }
        Ok(line["verdict"] == "pass")
    }
}
