//! `autopilot-mock`: a thin CLI over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    cli::logging::init(cli.log_format);
    // Before anything draws randomness (the runtime, keys, TLS).
    if let Err(message) = cli::entropy::check_os_random() {
        eprintln!("autopilot-mock: error: {message}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("autopilot-mock: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli.command.run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<cli::Exit>() {
            Some(exit) => {
                if !exit.message.is_empty() {
                    eprintln!("autopilot-mock: error: {}", exit.message);
                }
                ExitCode::from(exit.code)
            }
            None => {
                eprintln!("autopilot-mock: error: {}", cli::describe(&e));
                ExitCode::FAILURE
            }
        },
    }
}
