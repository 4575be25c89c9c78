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
pub mod editor;
pub mod error;
pub mod export;
pub mod git;
pub mod hook;
pub mod identity;
pub mod import;
pub mod index;
pub mod logtext;
pub mod lookup;
pub mod machine;
pub mod markdown;
pub mod model;
pub mod note;
pub mod obsidian;
pub mod plugin;
pub mod section;
pub mod store;
pub mod template;
pub mod term;
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
    if cli.json
        && let Some((name, why)) = cli.command.without_json()
    {
        return Err(Error::Usage(format!(
            "`kith {name}` has no JSON output: {why}\n  hint: drop --json (docs/cli.md, \"JSON\", lists every command's shape)"
        )));
    }
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
        Command::Brief(a) => cmd::brief::run(&ctx, a),
        Command::Give(a) => cmd::give::run(&ctx, a),
        Command::Circle(a) => cmd::circle::run(&ctx, a),
        Command::Graph(a) => cmd::graph::run(&ctx, a),
        Command::Intro(a) => cmd::intro::run(&ctx, a),
        Command::History(a) => cmd::history::run(&ctx, a),
        Command::News(a) => cmd::news::run(&ctx, a),
        Command::Hook(a) => cmd::hook::run(&ctx, a),
        Command::Plugin(a) => cmd::plugin::run(&ctx, a),
        Command::Import(a) => cmd::import::run(&ctx, a),
        Command::Export(a) => cmd::export::run(&ctx, a),
        Command::Watch(a) => cmd::watch::run(&ctx, a),
        Command::Fix(a) => cmd::fix::run(&ctx, a),
        Command::Done(a) => cmd::done::run(&ctx, a),
        Command::Edit(a) => cmd::edit::run(&ctx, a),
        Command::List(a) => cmd::list::run(&ctx, a),
        Command::Event(a) => cmd::event::run(&ctx, a),
        Command::Resource(a) => cmd::resource::run(&ctx, a),
        Command::Completions(a) => cmd::completions::run(a, Cli::command()),
        Command::Man(a) => cmd::completions::man(a, Cli::command()),
    }
}
