//! `kith event new "Name" [--date D] [--location L] [--attendee NAME…]`

use crate::ctx::{Ctx, arg_date};
use crate::error::{Error, Result, exit};
use crate::model::NoteKind;
use crate::template::{self, Attendee, EventNote};
use crate::text::fold;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Create `events/<slug>.md`.
    New(NewArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
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

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let Action::New(a) = &args.action;
    let name = a.name.trim();
    if name.is_empty() || name.contains(['\n', '\r', '[', ']', '|']) {
        return Err(Error::Usage(
            "the event's name must be one non-empty line without [ ] or |\n  hint: give the name in quotes: `kith event new \"Rust Meetup\"`".into(),
        ));
    }
    let date = a
        .date
        .as_deref()
        .map(|d| arg_date(d, "--date"))
        .transpose()?;
    let vault = ctx.load()?;
    let rel = template::event_path(name);
    if let Some(n) = vault
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::Event && fold(&n.title) == fold(name))
        .or_else(|| vault.notes.iter().find(|n| n.path == rel))
    {
        return Err(Error::Refused(format!(
            "`{name}` is taken: {} ({})\n  hint: see it with `kith show \"{}\"`, or pick a distinct name",
            n.title,
            ctx.shown(&vault.root, &n.path).display(),
            n.title
        )));
    }
    // People you know become links; anyone else is written as text, which
    // `kith brief` reads as someone you have yet to meet. A name that fits
    // several people is an error, not a guess.
    let mut attendees = Vec::new();
    let mut unknown = Vec::new();
    for raw in &a.attendees {
        let who = raw.trim();
        if who.is_empty() {
            continue;
        }
        match crate::lookup::find(
            who,
            vault.people().map(|(i, n, p)| crate::lookup::Candidate {
                id: i,
                name: &p.name,
                aliases: &p.aliases,
                emails: &p.emails,
                stem: n.path.file_stem().and_then(|s| s.to_str()).unwrap_or(""),
            }),
        ) {
            crate::lookup::Lookup::One(i) => {
                attendees.push(Attendee::Linked(vault.notes[i].title.clone()))
            }
            crate::lookup::Lookup::Many(_) => {
                vault.find_person(who)?;
            }
            crate::lookup::Lookup::None => {
                unknown.push(who.to_string());
                attendees.push(Attendee::Text(who.to_string()));
            }
        }
    }
    let text = template::event_note(&EventNote {
        name: name.to_string(),
        date,
        location: a.location.clone(),
        attendees,
        tags: a.tags.clone(),
    });
    crate::write::create_new(&vault.root.join(&rel), text.as_bytes())?;
    let mut out = format!("created {}\n", ctx.shown(&vault.root, &rel).display());
    if !unknown.is_empty() {
        out.push_str(&format!(
            "not in your vault yet (written as text): {}\n",
            unknown.join(", ")
        ));
    }
    let commit = if a.commit {
        Some(crate::cmd::commit::commit_written(
            &vault.root,
            std::slice::from_ref(&rel),
            &crate::cmd::commit::message("event", name, None),
        )?)
    } else {
        None
    };
    crate::cmd::commit::report(
        ctx,
        &out,
        serde_json::json!({"created": [rel], "name": name, "not_in_vault": unknown}),
        commit,
    )?;
    Ok(exit::OK)
}
