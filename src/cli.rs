//! The command line as clap sees it: raw arguments, nothing validated yet.
//! [`crate::ctx::Ctx`] turns the global ones into a validated context.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The help heading of the flags every command takes, apart from its own.
const GLOBAL: &str = "Global options";

/// What bare `kith` prints: the four commands to start with.
pub const START_HERE: &str = "kith keeps the people you know as Markdown notes. Start here:\n  \
    kith init ~/people        make a vault (then cd there)\n  \
    kith new \"Lena Fischer\"   someone you met\n  \
    kith log lena \"Coffee…\"   what happened, promises as `- [ ] …`\n  \
    kith digest               today's follow-ups, check-ins, promises\n\
    All commands: kith --help; the manual: kith man | man -l -\n";

#[derive(Debug, Parser)]
#[command(
    name = "kith",
    version,
    about = "Give-first networking kept as plain text",
    long_about = "kith keeps the people you know as a folder of Markdown notes and turns them into \
                  action: search past conversations, reminders to follow up and keep in touch, \
                  introductions worth making.",
    propagate_version = true,
    after_help = "Examples:\n  kith init ~/people\n  kith new \"Lena Fischer\" --org Acme --met-at \"Rust Meetup\"\n  kith log lena \"- [ ] send the guide 📅 friday\"\n  kith digest"
)]
pub struct Cli {
    /// The vault folder (default: the nearest folder above holding `.kith/`).
    #[arg(
        long,
        global = true,
        env = "KITH_VAULT",
        value_name = "DIR",
        help_heading = GLOBAL
    )]
    pub vault: Option<PathBuf>,

    /// Colour output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", help_heading = GLOBAL)]
    pub color: ColorChoice,

    /// Print machine-readable JSON instead of text, where a command prints data.
    #[arg(long, global = true, help_heading = GLOBAL)]
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
    #[command(
        after_help = "Examples:\n  kith init ~/people\n  kith init            # the working folder"
    )]
    Init(crate::cmd::init::Args),
    /// Create a person note.
    #[command(
        after_help = "Examples:\n  kith new \"Lena Fischer\" --org \"Acme Robotics\" --met-at \"Rust Meetup\" --circle active\n  kith new \"Omar Haddad\" --need \"a first sales hire\" --offer \"intros to climate VCs\"\n  kith new \"Ana Costa\" --email ana@example.com --phone +4712345678 --birthday --03-14"
    )]
    New(Box<crate::cmd::new::Args>),
    /// Append a dated entry to a person's log.
    #[command(
        after_help = "Examples:\n  kith log lena \"Coffee. She is hiring. #asked\" --title coffee\n  kith log lena \"- [ ] send the guide 📅 friday\"\n  kith log \"tomas m\" --date yesterday < notes.txt"
    )]
    Log(crate::cmd::log::Args),
    /// Tick an open promise to a person: `- [ ]` becomes `- [x] … ✅ DATE`.
    #[command(
        after_help = "Examples:\n  kith done lena            # her only open promise\n  kith done lena guide      # the one whose text has `guide`"
    )]
    Done(crate::cmd::done::Args),
    /// Open a person's note in $VISUAL or $EDITOR, at the end of its log.
    #[command(after_help = "Examples:\n  kith edit lena\n  EDITOR=nano kith edit \"tomas m\"")]
    Edit(crate::cmd::edit::Args),
    /// Who is in the vault, filtered by circle, tag, location or overdue check-in.
    #[command(
        visible_alias = "people",
        after_help = "Examples:\n  kith list --circle close\n  kith people --tag rust --location Berlin\n  kith list --overdue --as-of +7d --json"
    )]
    List(crate::cmd::list::Args),
    /// Show a person: fields, last contact, open promises, recent entries.
    #[command(
        after_help = "Examples:\n  kith show lena\n  kith show \"tomas m\" --entries 10\n  kith show \"Rust Meetup\"   # an event"
    )]
    Show(crate::cmd::show::Args),
    /// Validate every note and report problems with file:line:column.
    #[command(
        after_help = "Examples:\n  kith check\n  kith check people/lena-fischer.md\n  kith check --json"
    )]
    Check(crate::cmd::check::Args),
    /// Full-text search over every note and log entry.
    #[command(
        after_help = "Examples:\n  kith search \"structured interviews\"\n  kith search hiring --person lena --since 2026-01-01\n  kith search tag:rust --kind person"
    )]
    Search(crate::cmd::search::Args),
    /// Build or refresh the search index (kith does this by itself).
    #[command(after_help = "Examples:\n  kith index\n  kith index --rebuild")]
    Index(crate::cmd::index::Args),
    /// Today's generous actions: follow-ups, check-ins, promises, introductions.
    #[command(
        after_help = "Examples:\n  kith digest\n  kith digest --as-of +7d --all\n  kith digest --out digest.md"
    )]
    Digest(crate::cmd::digest::Args),
    /// Introduction suggestions, and dismissing them.
    #[command(
        after_help = "Examples:\n  kith intros\n  kith intros --for lena\n  kith intros dismiss lena \"tomas m\""
    )]
    Intros(crate::cmd::intros::Args),
    /// Before an event: who you know there, what to ask, whom to introduce.
    #[command(
        after_help = "Examples:\n  kith brief \"Rust Meetup\"\n  kith brief startup --as-of 2026-12-01"
    )]
    Brief(crate::cmd::brief::Args),
    /// Who helped you and has not heard back; whose needs you can meet now.
    #[command(after_help = "Examples:\n  kith give\n  kith give --days 30 --limit 5")]
    Give(crate::cmd::give::Args),
    /// Your circles: people, cadences, who is overdue, and the load.
    #[command(after_help = "Examples:\n  kith circle\n  kith circle --as-of +30d --json")]
    Circle(crate::cmd::circle::Args),
    /// Who knows whom, as a Mermaid or Graphviz picture.
    #[command(
        after_help = "Examples:\n  kith graph > graph.md\n  kith graph --around lena --depth 1 --format dot | dot -Tsvg > lena.svg"
    )]
    Graph(crate::cmd::graph::Args),
    /// Record a step of an introduction in both notes (proposed, asked, agreed, made, followed-up).
    #[command(
        after_help = "Examples:\n  kith intro lena omar --note \"both hiring Rust people\"\n  kith intro priya zoe --state asked\n  kith intro lena omar --state made --date yesterday"
    )]
    Intro(crate::cmd::intro::Args),
    /// The git history of a person's note.
    #[command(after_help = "Examples:\n  kith history lena\n  kith history lena --json")]
    History(crate::cmd::history::Args),
    /// What changed in people's front matter, from git history.
    #[command(after_help = "Examples:\n  kith news\n  kith news --since 2026-01-01")]
    News(crate::cmd::news::Args),
    /// The git pre-commit hook: install it, or run it.
    #[command(after_help = "Examples:\n  kith hook install\n  kith hook run pre-commit")]
    Hook(crate::cmd::hook::Args),
    /// Plugins: list, trust, run.
    #[command(after_help = "Examples:\n  kith plugin list\n  kith plugin trust word-count")]
    Plugin(crate::cmd::plugin::Args),
    /// Import contacts (vCard, LinkedIn, Google CSV).
    #[command(
        after_help = "Examples:\n  kith import vcard contacts.vcf --dry-run\n  kith import linkedin Connections.csv --merge"
    )]
    Import(crate::cmd::import::Args),
    /// Export people as vCard, reminders as iCalendar.
    #[command(
        after_help = "Examples:\n  kith export vcard --out people.vcf\n  kith export ics --as-events --out reminders.ics"
    )]
    Export(crate::cmd::export::Args),
    /// Keep the index (and a digest file) fresh while you edit.
    #[command(after_help = "Examples:\n  kith watch\n  kith watch --digest digest.md --quiet")]
    Watch(crate::cmd::watch::Args),
    /// Migrate notes so Obsidian reads them as kith does (dry-run unless --write).
    #[command(
        after_help = "Examples:\n  kith fix links\n  kith fix links --write\n  kith fix properties --write"
    )]
    Fix(crate::cmd::fix::Args),
    /// Create an event note (`kith event new`).
    #[command(
        after_help = "Examples:\n  kith event new \"Rust Meetup\" --date friday --location \"Berlin, c-base\"\n  kith event new \"Climate Breakfast\" --date 2026-12-01 --attendee lena --attendee \"Ravi Patel\""
    )]
    Event(crate::cmd::event::Args),
    /// Create a resource note: something worth sharing (`kith resource new`).
    #[command(
        after_help = "Examples:\n  kith resource new \"Async Rust\" --url https://example.com/async --tag rust\n  kith resource new \"Hiring guide\" --tag hiring --tag interviews"
    )]
    Resource(crate::cmd::resource::Args),
    /// Print shell completions (person names included).
    #[command(
        after_help = "Examples:\n  kith completions bash > ~/.local/share/bash-completion/completions/kith\n  kith completions fish > ~/.config/fish/completions/kith.fish\n  kith completions zsh > ~/.zfunc/_kith"
    )]
    Completions(crate::cmd::completions::Args),
    /// Print the manual page (roff): `kith man | man -l -`.
    #[command(hide = true)]
    Man(crate::cmd::completions::ManArgs),
}

impl Command {
    /// `--json` is global, so clap accepts it everywhere; a command with no
    /// data to give as JSON (it opens an editor, prints a script or a file
    /// format, runs until stopped) refuses it rather than ignore it: this is
    /// its name and why. Every shape is in docs/cli.md, "JSON".
    pub fn without_json(&self) -> Option<(&'static str, &'static str)> {
        match self {
            Command::Init(_) => Some(("init", "it prints what it created; `ls -a` shows the rest")),
            Command::Edit(_) => Some(("edit", "it opens an editor")),
            Command::Completions(_) => Some(("completions", "it prints a shell script")),
            Command::Man(_) => Some(("man", "it prints a manual page")),
            Command::Watch(_) => Some(("watch", "it runs until stopped; use `kith digest --json`")),
            Command::Export(_) => Some((
                "export",
                "vCard and iCalendar are its formats; `kith list --json` gives people as JSON",
            )),
            Command::Hook(h) if matches!(h.action, crate::cmd::hook::Action::Install) => {
                Some(("hook install", "it only installs the hooks"))
            }
            Command::Plugin(p) if matches!(p.action, crate::cmd::plugin::Action::Trust { .. }) => {
                Some((
                    "plugin trust",
                    "`kith plugin list --json` shows trust as JSON",
                ))
            }
            Command::Intros(a) if a.action.is_some() => Some((
                "intros dismiss",
                "it only records the pair; `kith intros --json` lists suggestions",
            )),
            _ => None,
        }
    }
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
