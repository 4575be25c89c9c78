//! `kith new "Full Name" …`

use crate::ctx::{Ctx, arg_date};
use crate::date::{Birthday, Cadence};
use crate::error::{Error, Result, exit};
use crate::model::{Circle, NoteKind};
use crate::template::{self, Attendee, EventNote, PersonNote};
use crate::text::{fold, slugify};

#[derive(Debug, clap::Args)]
pub struct Args {
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

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let name = args.name.trim();
    if name.is_empty() || name.contains(['\n', '\r']) {
        return Err(Error::Usage("the name must be one non-empty line\n  hint: give the full name in quotes: `kith new \"Lena Fischer\"`".into()));
    }
    let circle = match &args.circle {
        Some(c) => Some(Circle::parse(c).ok_or_else(|| {
            Error::Usage(format!(
                "--circle: unknown circle `{c}`\n  hint: use {}",
                Circle::NAMES
            ))
        })?),
        None => None,
    };
    let cadence = args
        .cadence
        .as_deref()
        .map(|c| {
            Cadence::parse(c).map_err(|e| {
                Error::Usage(format!(
                    "--cadence: {e}\n  hint: a number and d, w, m or y: 14d, 6w, 3m, 1y"
                ))
            })
        })
        .transpose()?;
    let birthday = args
        .birthday
        .as_deref()
        .map(|b| {
            Birthday::parse(b).map_err(|e| {
                Error::Usage(format!(
                    "--birthday: {e}\n  hint: YYYY-MM-DD, or --MM-DD without the year"
                ))
            })
        })
        .transpose()?;
    let met_on = args
        .met_on
        .as_deref()
        .map(|d| arg_date(d, "--met-on"))
        .transpose()?;
    // The duplicate check needs only every person's name keys.
    // From the model's directory: no note is decoded for it.
    let model = ctx.load_model()?;
    let root = model.root().to_path_buf();
    let slug = slugify(name);
    let rel = template::person_path(name);
    let folded = fold(name);
    for p in model.people() {
        // An email is an identity key too (`check` reports two people
        // sharing one): the same person, under another name.
        let email = args
            .emails
            .iter()
            .map(|e| e.trim())
            .find(|e| !e.is_empty() && p.emails().any(|k| k.trim().eq_ignore_ascii_case(e)));
        let taken = if fold(p.name) == folded {
            Some((name, "the name"))
        } else if p.aliases().any(|a| fold(a) == folded) {
            Some((name, "an alias"))
        } else if p.stem().eq_ignore_ascii_case(&slug) {
            Some((name, "the file name"))
        } else {
            email.map(|e| (e, "the email"))
        };
        if let Some((what, whose)) = taken {
            return Err(Error::Refused(format!(
                "`{what}` is taken: {whose} of {} ({})\n  hint: add to that note with `kith log \"{}\" …`, or {}",
                p.name,
                ctx.shown(&root, p.path).display(),
                p.name,
                if whose == "the email" {
                    "check the address"
                } else {
                    "pick a distinct name"
                }
            )));
        }
    }
    if root.join(&rel).exists() {
        return Err(Error::Refused(format!(
            "{} already exists",
            ctx.shown(&root, &rel).display()
        )));
    }
    // The event where you met: an existing note (its name and date), or a
    // new one made alongside, unless --no-create-event.
    let mut new_event = None;
    let met = match &args.met_at {
        Some(ev) => {
            let ev = ev.trim();
            if ev.is_empty() || ev.contains(['\n', '\r', '[', ']', '|']) {
                return Err(Error::Usage(
                    "--met-at: the event must be one line without [ ] or |".into(),
                ));
            }
            // [`crate::vault::Vault::resolve`]'s rule, on the directory.
            let found = model.resolve(ev);
            let existing = found
                .iter()
                .copied()
                .find(|i| found.len() == 1 || model.kind(*i) == NoteKind::Event)
                .or(found.first().copied());
            let event = existing.map(|i| model.focused_on(&[i], false));
            match event.as_ref().and_then(|(v, at)| Some((v, *at.first()?))) {
                Some((vault, i)) => {
                    let n = &vault.notes[i];
                    let date = met_on.or(n.date).unwrap_or_else(|| ctx.today());
                    Some((date, Some(n.title.clone())))
                }
                None => {
                    let date = met_on.unwrap_or_else(|| ctx.today());
                    if !args.no_create_event {
                        let ev_rel = template::event_path(ev);
                        if root.join(&ev_rel).exists() {
                            return Err(Error::Refused(format!(
                                "{} exists but is not the event `{ev}`\n  hint: pass the event's name as written in that note, or --no-create-event",
                                ctx.shown(&root, &ev_rel).display()
                            )));
                        }
                        new_event = Some((
                            ev_rel,
                            template::event_note(&EventNote {
                                name: ev.to_string(),
                                date: Some(date),
                                attendees: vec![Attendee::Linked(name.to_string())],
                                ..Default::default()
                            }),
                        ));
                    }
                    Some((date, Some(ev.to_string())))
                }
            }
        }
        None => met_on.map(|d| (d, None)),
    };
    let person = PersonNote {
        name: name.to_string(),
        org: args.org.clone(),
        role: args.role.clone(),
        location: args.location.clone(),
        emails: args.emails.clone(),
        phones: args.phones.clone(),
        tags: args.tags.clone(),
        interests: args.interests.clone(),
        values: args.values.clone(),
        needs: args.needs.clone(),
        offers: args.offers.clone(),
        met,
        circle,
        cadence,
        birthday,
        ..Default::default()
    };
    let mut written = Vec::new();
    if let Some((ev_rel, text)) = &new_event {
        crate::write::create_new(&root.join(ev_rel), text.as_bytes())?;
        written.push(ev_rel.clone());
    }
    crate::write::create_new(&root.join(&rel), template::person_note(&person).as_bytes())?;
    written.push(rel.clone());
    let mut out = String::new();
    if let Some((ev_rel, _)) = &new_event {
        out.push_str(&format!(
            "created {} (the event `{}` had no note yet)\n",
            ctx.shown(&root, ev_rel).display(),
            args.met_at.as_deref().unwrap_or("").trim()
        ));
    }
    out.push_str(&format!("created {}\n", ctx.shown(&root, &rel).display()));
    let commit = if args.commit {
        Some(crate::cmd::commit::commit_written(
            &root,
            &written,
            &crate::cmd::commit::message("new", name, None),
        )?)
    } else {
        None
    };
    crate::cmd::commit::report(
        ctx,
        &out,
        serde_json::json!({"created": written, "name": name}),
        commit,
    )?;
    Ok(exit::OK)
}
