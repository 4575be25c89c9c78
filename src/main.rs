use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: kith::index::Allocator = kith::index::Allocator;

fn main() -> ExitCode {
    let cli = match kith::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // Bare `kith` (or only global flags): where to start, not clap's error.
        Err(e)
            if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                && std::env::args_os().len() <= 1 =>
        {
            kith::ctx::emit(kith::cli::START_HERE).ok();
            return ExitCode::SUCCESS;
        }
        Err(e) => e.exit(),
    };
    // `eprintln!`/`println!` panic when their pipe is closed (`kith … 2>&1 |
    // head -1`). kith's own output goes through `ctx::emit` and
    // `ctx::eprint_line`, which never panic; this net catches any print left
    // elsewhere: such a panic stays silent and ends the run with exit 0.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_closed_pipe_panic(info.payload()) {
            return;
        }
        default_hook(info);
    }));
    let outcome = std::panic::catch_unwind(|| kith::run(cli));
    let code = match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            kith::ctx::eprint_line(&format!("error: {e}"));
            e.exit_code()
        }
        Err(payload) if is_closed_pipe_panic(payload.as_ref()) => 0,
        Err(payload) => std::panic::resume_unwind(payload),
    };
    if kith::ctx::pipe_closed() {
        return ExitCode::SUCCESS;
    }
    ExitCode::from(code)
}

/// The panic of `print!`/`eprint!` on a closed pipe.
fn is_closed_pipe_panic(payload: &(dyn std::any::Any + Send)) -> bool {
    let msg = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    msg.starts_with("failed printing to std") && msg.contains("Broken pipe")
}
