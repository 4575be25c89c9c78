//! The command line as clap sees it: raw arguments, nothing validated yet.
//! [`crate::ctx::Ctx`] turns the global ones into a validated context.

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    Init(InitArgs),
    /// Create a person note.
    #[command(
        after_help = "Examples:\n  kith new \"Lena Fischer\" --org \"Acme Robotics\" --met-at \"Rust Meetup\" --circle active\n  kith new \"Omar Haddad\" --need \"a first sales hire\" --offer \"intros to climate VCs\"\n  kith new \"Ana Costa\" --email ana@example.com --phone +4712345678 --birthday --03-14"
    )]
    New(Box<NewArgs>),
    /// Append a dated entry to a person's log.
    #[command(
        after_help = "Examples:\n  kith log lena \"Coffee. She is hiring. #asked\" --title coffee\n  kith log lena \"- [ ] send the guide 📅 friday\"\n  kith log \"tomas m\" --date yesterday < notes.txt"
    )]
    Log(LogArgs),
    /// Tick an open promise to a person: `- [ ]` becomes `- [x] … ✅ DATE`.
    #[command(
        after_help = "Examples:\n  kith done lena            # her only open promise\n  kith done lena guide      # the one whose text has `guide`"
    )]
    Done(DoneArgs),
    /// Open a person's note in $VISUAL or $EDITOR, at the end of its log.
    #[command(after_help = "Examples:\n  kith edit lena\n  EDITOR=nano kith edit \"tomas m\"")]
    Edit(EditArgs),
    /// Who is in the vault, filtered by circle, tag, location or overdue check-in.
    #[command(
        visible_alias = "people",
        after_help = "Examples:\n  kith list --circle close\n  kith people --tag rust --location Berlin\n  kith list --overdue --as-of +7d --json"
    )]
    List(ListArgs),
    /// Show a person: fields, last contact, open promises, recent entries.
    #[command(
        after_help = "Examples:\n  kith show lena\n  kith show \"tomas m\" --entries 10\n  kith show \"Rust Meetup\"   # an event"
    )]
    Show(ShowArgs),
    /// Validate every note and report problems with file:line:column.
    #[command(
        after_help = "Examples:\n  kith check\n  kith check people/lena-fischer.md\n  kith check --json"
    )]
    Check(CheckArgs),
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
    Event(EventArgs),
    /// Create a resource note: something worth sharing (`kith resource new`).
    #[command(
        after_help = "Examples:\n  kith resource new \"Async Rust\" --url https://example.com/async --tag rust\n  kith resource new \"Hiring guide\" --tag hiring --tag interviews"
    )]
    Resource(ResourceArgs),
    /// Print shell completions (person names included).
    #[command(
        after_help = "Examples:\n  kith completions bash > ~/.local/share/bash-completion/completions/kith\n  kith completions fish > ~/.config/fish/completions/kith.fish\n  kith completions zsh > ~/.zfunc/_kith"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `kith man | man -l -`.
    #[command(hide = true)]
    Man(ManArgs),
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
    /// Where they work (organisation or company).
    #[arg(long)]
    pub org: Option<String>,
    /// What they do there (job title).
    #[arg(long)]
    pub role: Option<String>,
    /// Where they live or work (city, region).
    #[arg(long, value_name = "PLACE")]
    pub location: Option<String>,
    /// A tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// An email address (repeatable).
    #[arg(long = "email", value_name = "EMAIL")]
    pub emails: Vec<String>,
    /// A phone number, kept as text (repeatable).
    #[arg(long = "phone", value_name = "PHONE")]
    pub phones: Vec<String>,
    /// Something they are looking for (repeatable).
    #[arg(long = "need", value_name = "NEED")]
    pub needs: Vec<String>,
    /// Something they can give (repeatable).
    #[arg(long = "offer", value_name = "OFFER")]
    pub offers: Vec<String>,
    /// An interest (repeatable).
    #[arg(long = "interest", value_name = "INTEREST")]
    pub interests: Vec<String>,
    /// Something they care about (repeatable).
    #[arg(long = "value", value_name = "VALUE")]
    pub values: Vec<String>,
    /// Their birthday: YYYY-MM-DD, or --MM-DD without the year.
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub birthday: Option<String>,
    /// Keep-in-touch interval (14d, 6w, 3m, 1y); overrides the circle's.
    #[arg(long, value_name = "EVERY")]
    pub cadence: Option<String>,
    /// The event where you met, as a note name (written as a link; the event
    /// note is created when there is none).
    #[arg(long, value_name = "EVENT")]
    pub met_at: Option<String>,
    /// With --met-at: only link the event, do not create its note.
    #[arg(long, requires = "met_at")]
    pub no_create_event: bool,
    /// The day you met (YYYY-MM-DD, yesterday, friday, -2d…).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
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
    /// What happened; may start with `- [ ]`. `-` or none: read standard
    /// input, or open $VISUAL/$EDITOR on a terminal.
    #[arg(allow_hyphen_values = true)]
    pub text: Option<String>,
    /// The entry's date (default: today; also yesterday, friday, -2d…).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// A short title for the entry's heading.
    #[arg(long)]
    pub title: Option<String>,
    /// Commit the note to git.
    #[arg(long)]
    pub commit: bool,
}

#[derive(Debug, Args)]
pub struct DoneArgs {
    /// Name, alias, email or file name of the person.
    pub person: String,
    /// Part of the promise's text (case ignored); needed when there are several.
    pub text: Option<String>,
    /// The day it was kept (default: today).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// Commit the note to git (through `git commit`, so hooks run).
    #[arg(long)]
    pub commit: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Name, alias, email or file name of the person.
    pub person: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only people in this circle (close, active, acquaintance, dormant).
    #[arg(long)]
    pub circle: Option<String>,
    /// Only people with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only people whose location contains this (case and accents ignored).
    #[arg(long, value_name = "PLACE")]
    pub location: Option<String>,
    /// Only people whose check-in is due (the digest's rule).
    #[arg(long)]
    pub overdue: bool,
    /// Compute --overdue as of this date (default: today).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub as_of: Option<String>,
    /// One name a line, nothing else (for shell completion).
    #[arg(long, hide = true)]
    pub names: bool,
}

#[derive(Debug, Args)]
pub struct EventArgs {
    #[command(subcommand)]
    pub action: EventAction,
}

#[derive(Debug, Subcommand)]
pub enum EventAction {
    /// Create `events/<slug>.md`.
    New(EventNewArgs),
}

#[derive(Debug, Args)]
pub struct EventNewArgs {
    /// The event's name.
    pub name: String,
    /// The day of the event (YYYY-MM-DD, friday, +7d…).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// Where it takes place.
    #[arg(long, value_name = "PLACE")]
    pub location: Option<String>,
    /// Someone who attends (repeatable): people you know become links.
    #[arg(long = "attendee", value_name = "NAME")]
    pub attendees: Vec<String>,
    /// A tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Commit the new note to git.
    #[arg(long)]
    pub commit: bool,
}

#[derive(Debug, Args)]
pub struct ResourceArgs {
    #[command(subcommand)]
    pub action: ResourceAction,
}

#[derive(Debug, Subcommand)]
pub enum ResourceAction {
    /// Create `resources/<slug>.md`.
    New(ResourceNewArgs),
}

#[derive(Debug, Args)]
pub struct ResourceNewArgs {
    /// The resource's title.
    pub title: String,
    /// Where it lives.
    #[arg(long)]
    pub url: Option<String>,
    /// A tag (repeatable): the digest shares it with people who need or like it.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Commit the new note to git.
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
pub struct ManArgs {
    /// A command's own page (`kith man log`); default: kith's page.
    pub command: Option<String>,
    /// Write every page (kith.1, kith-new.1, …) into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
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
