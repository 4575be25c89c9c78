//! kith: give-first networking kept as plain text.
//!
//! A vault is a folder of Markdown notes with YAML front matter. The library is
//! split by concept: the note format ([`note`], [`model`], [`yaml`], [`date`]),
//! the vault ([`vault`], [`config`]), careful writes ([`write`]), and the
//! adapters (`git`, …). [`run`] is the whole command line; `main.rs` only calls it.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod ctx;
pub mod date;
pub mod diag;
pub mod digest;
pub mod error;
pub mod export;
pub mod git;
pub mod hook;
pub mod import;
pub mod index;
pub mod model;
pub mod note;
pub mod plugin;
pub mod store;
pub mod text;
pub mod vault;
pub mod watch;
pub mod write;
pub mod yaml;

use clap::CommandFactory;
use cli::{Cli, Command};
pub use error::{Error, Result};

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let ctx = ctx::Ctx::new(&cli)?;
    match &cli.command {
        Command::Init(a) => cmd::init::run(&ctx, a),
        Command::New(a) => cmd::new::run(&ctx, a),
        Command::Log(a) => cmd::log::run(&ctx, a),
        Command::Show(a) => cmd::show::run(&ctx, a),
        Command::Check(a) => cmd::check::run(&ctx, a),
        Command::Search(a) => cmd::search::run(&ctx, a),
        Command::Index(a) => cmd::index::run(&ctx, a),
        Command::Digest(a) => cmd::digest::run(&ctx, a),
        Command::Intros(a) => cmd::intros::run(&ctx, a),
        Command::History(a) => cmd::history::run(&ctx, a),
        Command::News(a) => cmd::news::run(&ctx, a),
        Command::Hook(a) => cmd::hook::run(&ctx, a),
        Command::Plugin(a) => cmd::plugin::run(&ctx, a),
        Command::Import(a) => cmd::import::run(&ctx, a),
        Command::Export(a) => cmd::export::run(&ctx, a),
        Command::Watch(a) => cmd::watch::run(&ctx, a),
        Command::Completions(a) => {
            let mut out = Vec::new();
            clap_complete::generate(a.shell, &mut Cli::command(), "kith", &mut out);
            ctx::emit(&String::from_utf8_lossy(&out))?;
            Ok(error::exit::OK)
        }
    }
}
