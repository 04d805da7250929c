use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = host::cli::Args::parse();
    match host::app::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("host: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
