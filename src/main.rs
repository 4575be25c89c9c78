use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = kith::cli::Cli::parse();
    match kith::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
