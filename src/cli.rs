//! The command line as clap sees it: raw arguments, nothing validated yet.
//! [`crate::ctx::Ctx`] turns the global ones into a validated context.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kith",
    version,
    about = "Give-first networking kept as plain text",
    long_about = "kith keeps the people you know as a folder of Markdown notes and turns them into \
                  action: search past conversations, reminders to follow up and keep in touch, \
                  introductions worth making.",
    propagate_version = true
)]
pub struct Cli {
    /// The vault folder (default: the nearest folder above holding `.kith/`).
    #[arg(long, global = true, env = "KITH_VAULT", value_name = "DIR")]
    pub vault: Option<PathBuf>,

    /// Colour output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print machine-readable JSON instead of text, where a command prints data.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a vault: folders, .kith/config.yaml, .gitignore, and `git init`.
    Init(InitArgs),
    /// Create a person note.
    New(NewArgs),
    /// Append a dated entry to a person's log.
    Log(LogArgs),
    /// Show a person: fields, last contact, open promises, recent entries.
    Show(ShowArgs),
    /// Validate every note and report problems with file:line:column.
    Check(CheckArgs),
    /// Full-text search over every note and log entry.
    Search(crate::cmd::search::Args),
    /// Build or refresh the search index (kith does this by itself).
    Index(crate::cmd::index::Args),
    /// Today's generous actions: follow-ups, check-ins, promises, introductions.
    Digest(crate::cmd::digest::Args),
    /// Introduction suggestions, and dismissing them.
    Intros(crate::cmd::intros::Args),
    /// Before an event: who you know there, what to ask, whom to introduce.
    Brief(crate::cmd::brief::Args),
    /// Who helped you and has not heard back; whose needs you can meet now.
    Give(crate::cmd::give::Args),
    /// Your circles: people, cadences, who is overdue, and the load.
    Circle(crate::cmd::circle::Args),
    /// Who knows whom, as a Mermaid or Graphviz picture.
    Graph(crate::cmd::graph::Args),
    /// The git history of a person's note.
    History(crate::cmd::history::Args),
    /// What changed in people's front matter, from git history.
    News(crate::cmd::news::Args),
    /// The git pre-commit hook: install it, or run it.
    Hook(crate::cmd::hook::Args),
    /// Plugins: list, trust, run.
    Plugin(crate::cmd::plugin::Args),
    /// Import contacts (vCard, LinkedIn, Google CSV).
    Import(crate::cmd::import::Args),
    /// Export people as vCard, reminders as iCalendar.
    Export(crate::cmd::export::Args),
    /// Keep the index (and a digest file) fresh while you edit.
    Watch(crate::cmd::watch::Args),
    /// Migrate notes so Obsidian reads them as kith does (dry-run unless --write).
    Fix(crate::cmd::fix::Args),
    /// Print shell completions.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to make a vault of (default: the current folder).
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The person's full name.
    pub name: String,
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long)]
    pub role: Option<String>,
    #[arg(long)]
    pub location: Option<String>,
    /// A tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// An email address (repeatable).
    #[arg(long = "email", value_name = "EMAIL")]
    pub emails: Vec<String>,
    /// The event where you met, as a note name (written as a link).
    #[arg(long, value_name = "EVENT")]
    pub met_at: Option<String>,
    /// The day you met (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub met_on: Option<String>,
    /// close, active, acquaintance or dormant.
    #[arg(long)]
    pub circle: Option<String>,
    /// Commit the new note to git.
    #[arg(long)]
    pub commit: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Name, alias, email or file name of the person.
    pub person: String,
    /// What happened (use `-` to read it from standard input).
    pub text: String,
    /// The entry's date (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// A short title for the entry's heading.
    #[arg(long)]
    pub title: Option<String>,
    /// Commit the note to git.
    #[arg(long)]
    pub commit: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Name, alias, email or file name of the person.
    pub person: String,
    /// How many recent entries to show.
    #[arg(long, default_value_t = 5)]
    pub entries: usize,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only report on these notes or folders (the whole vault is still read).
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// clap's own consistency checks over every command and flag.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
