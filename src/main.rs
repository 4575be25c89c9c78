use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match kith::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // Bare `kith` (or only global flags): where to start, not clap's error.
        Err(e)
            if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                && std::env::args_os().len() <= 1 =>
        {
            print!("{}", kith::cli::START_HERE);
            return ExitCode::SUCCESS;
        }
        Err(e) => e.exit(),
    };
    match kith::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
