//! `autopilot-mock scenarios`: the scenarios built into the binary.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use autopilot_mock::scenario::shipped;

#[derive(Subcommand)]
#[command(after_help = "Examples:
  autopilot-mock scenarios export ./my-scenarios
  autopilot-mock scenarios list")]
pub enum ScenariosCommand {
    /// Write every shipped scenario (and schema.json, client/) into DIR, to edit and run with `check DIR`.
    #[command(after_help = "Examples:
  autopilot-mock scenarios export ./my-scenarios
  autopilot-mock check --target localhost:8443 --tls-cert ~/.autopilot-mock/tls.cert \\
      --macaroon ~/.autopilot-mock/regtest/lit.macaroon ./my-scenarios")]
    Export(ExportArgs),
    /// Print the path of every shipped scenario file.
    #[command(after_help = "Examples:
  autopilot-mock scenarios list")]
    List,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The directory to write to (created if missing).
    pub dir: PathBuf,
    /// Overwrite files that exist with other contents (by default they are kept and the export stops).
    #[arg(long, env = "AUTOPILOT_MOCK_EXPORT_FORCE")]
    pub force: bool,
}

impl ScenariosCommand {
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            ScenariosCommand::List => {
                for (path, _) in shipped::files() {
                    println!("{path}");
                }
                Ok(())
            }
            ScenariosCommand::Export(args) => {
                let written = shipped::export(&args.dir, args.force).map_err(|e| super::Exit {
                    code: 2,
                    message: e,
                })?;
                for path in &written {
                    println!("{}", path.display());
                }
                eprintln!(
                    "{} file(s) written to {} ({} already up to date)",
                    written.len(),
                    args.dir.display(),
                    shipped::files().len() - written.len()
                );
                Ok(())
            }
        }
    }
}
