//! `kith show PERSON`

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Result, exit};
use crate::vault::TouchSource;
use serde_json::json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Name, alias, email or file name of the person.
    pub person: String,
    /// How many recent entries to show.
    #[arg(long, default_value_t = 5)]
    pub entries: usize,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    // The person is looked up in the model's directory; the vault holds
    // only them, the notes linking to them (all that is shown comes from
    // those) and the names those link to.
    let mut model = ctx.load_model()?;
    ctx.warm_index(model.root());
    let found = match model.find_person(&args.person) {
        Some(i) => i,
        None => {
            // No one, or several: the whole vault's stand-ins say why in
            // words (the same rules, so the same answer). Not a person: an
            // event is shown briefly, pointing to its brief.
            let mut vault = model.focused();
            match vault.find_person(&args.person) {
                Ok(i) => i,
                Err(e) => {
                    return match crate::digest::brief::find_event(&vault, &args.person) {
                        Ok(ev) => {
                            model.widen(&mut vault, &[ev], false);
                            show_event(ctx, &vault, ev)
                        }
                        Err(_) => Err(e),
                    };
                }
            }
        }
    };
    let (vault, at) = model.focused_on(&[found], true);
    drop(model);
    let Some(&idx) = at.first() else {
        return Ok(exit::ERROR);
    };
    let note = &vault.notes[idx];
    let Some(p) = note.person.as_ref() else {
        return Ok(exit::ERROR);
    };
    let today = ctx.today();
    let last = vault.last_contact(idx, today);
    let promises: Vec<_> = vault
        .promises()
        .into_iter()
        .filter(|(who, _, pr)| *who == idx && !pr.done)
        .collect();
    let touches = vault.touches(idx);
    let recent: Vec<_> = touches.iter().rev().take(args.entries).collect();
    // When the note last changed in git: an extra, so any git trouble leaves it out.
    let last_commit = crate::git::VaultRepo::try_open(&vault.root)
        .and_then(|r| r.last_commits(&vault.root).ok())
        .and_then(|mut m| m.remove(&note.path));
    let shown = |rel: &std::path::Path| ctx.shown(&vault.root, rel).display().to_string();
    // The touch's own entry: by its line, date and title, as a line alone
    // is shared by every entry of a note with CR-only line ends.
    let entry_text = |t: &crate::vault::Touch| -> String {
        vault
            .note_index(&t.path)
            .and_then(|i| {
                let e = vault.notes[i].entries.iter().find(|e| {
                    e.line as usize == t.line && e.date == t.date && *e.title == *t.title
                })?;
                Some(vault.entry_text(i, e))
            })
            .unwrap_or_default()
    };
    let prose = crate::cmd::show_more::prose(&vault, idx);
    let backlinks = crate::cmd::show_more::backlinks(&vault, idx);
    let intros = crate::cmd::show_more::intros(&vault, idx);
    if ctx.json {
        let v = json!({
            "name": p.name,
            "path": note.path.to_string_lossy(),
            "person": p,
            "prose": prose,
            "backlinks": backlinks,
            "intros": intros,
            "last_contact": last,
            "last_commit": last_commit,
            "promises": promises.iter().map(|(_, n, pr)| json!({
                "text": pr.text, "due": pr.due, "path": vault.notes[*n].path.to_string_lossy(), "line": pr.line,
            })).collect::<Vec<_>>(),
            "entries": recent.iter().map(|t| json!({
                "date": t.date, "title": &*t.title, "path": t.path.to_string_lossy(), "line": t.line,
                "text": entry_text(t),
            })).collect::<Vec<_>>(),
        });
        emit_json(&v)?;
        return Ok(exit::OK);
    }
    let mut o = String::new();
    o.push_str(&ctx.paint("1", &p.name));
    o.push_str(&format!("  ({})\n", shown(&note.path)));
    let work = match (&p.role, &p.org) {
        (Some(r), Some(org)) => Some(format!("{r} at {org}")),
        (Some(r), None) => Some(r.clone()),
        (None, Some(org)) => Some(org.clone()),
        _ => None,
    };
    let mut field = |k: &str, v: String| {
        if !v.is_empty() {
            o.push_str(&format!("  {:<14}{v}\n", format!("{k}:")));
        }
    };
    field("work", work.unwrap_or_default());
    field("location", p.location.clone().unwrap_or_default());
    field("aliases", p.aliases.join(", "));
    field("emails", p.emails.join(", "));
    field("phones", p.phones.join(", "));
    field(
        "circle",
        p.circle.map(|c| c.as_str().to_string()).unwrap_or_default(),
    );
    field(
        "cadence",
        p.cadence.map(|c| c.to_string()).unwrap_or_default(),
    );
    field(
        "birthday",
        p.birthday.map(|b| b.to_string()).unwrap_or_default(),
    );
    field("tags", p.tags.join(", "));
    field("interests", p.interests.join(", "));
    field("values", p.values.join(", "));
    field("needs", p.needs.join("; "));
    field("offers", p.offers.join("; "));
    if let Some(m) = &p.met {
        let mut s = m.date.map(|d| d.to_string()).unwrap_or_default();
        if let Some(e) = &m.event {
            // The link's target is a file name (`rust-meetup`); people read the
            // event note's name.
            let name = vault
                .resolve_one(e)
                .map_or(e.as_str(), |i| vault.notes[i].title.as_str());
            s.push_str(&format!(" at {name}"));
        }
        field("met", s.trim().to_string());
    }
    if let Some(by) = &p.introduced_by {
        field("introduced by", by.clone());
    }
    match &last {
        Some(t) => {
            let days = (today - t.date).num_days();
            let ago = match days {
                0 => "today".to_string(),
                d if d < 0 => format!(
                    "in {}",
                    crate::text::plural(d.unsigned_abs() as usize, "day")
                ),
                d => format!("{} ago", crate::text::plural(d as usize, "day")),
            };
            let from = match t.source {
                TouchSource::Log => "a log entry".to_string(),
                TouchSource::Mention => format!(
                    "a mention in {}",
                    vault
                        .notes
                        .iter()
                        .find(|n| n.path == t.path)
                        .map_or(String::new(), |n| n.title.clone())
                ),
                TouchSource::LastContact => "`last_contact`".to_string(),
                TouchSource::Met => "`met`".to_string(),
            };
            field(
                "last contact",
                format!(
                    "{} ({ago}; from {from}, {}:{})",
                    t.date,
                    shown(&t.path),
                    t.line
                ),
            );
        }
        None => field("last contact", "never logged".to_string()),
    }
    if let Some(c) = &last_commit {
        field(
            "in git",
            format!(
                "last changed {} ({} {})",
                c.date,
                c.commit.get(..7).unwrap_or(&c.commit),
                c.message
            ),
        );
    }
    if let Some(text) = &prose {
        o.push('\n');
        for l in text.lines() {
            o.push_str(&format!("  {l}\n").replace("  \n", "\n"));
        }
    }
    if !promises.is_empty() {
        o.push_str(&format!("\n{}\n", ctx.paint("1", "Open promises")));
        for (_, n, pr) in &promises {
            let due = pr
                .due
                .filter(|d| !pr.text.contains(&d.to_string()))
                .map(|d| format!(" (due {d})"))
                .unwrap_or_default();
            o.push_str(&format!(
                "  - [ ] {}{due}  {}:{}\n",
                pr.text,
                shown(&vault.notes[*n].path),
                pr.line
            ));
        }
    }
    if !recent.is_empty() {
        o.push_str(&format!("\n{}\n", ctx.paint("1", "Recent")));
        for t in &recent {
            let title = if t.title.is_empty() {
                String::new()
            } else {
                format!(" · {}", t.title)
            };
            o.push_str(&format!(
                "  {}{title}  {}:{}\n",
                t.date,
                shown(&t.path),
                t.line
            ));
            let text = entry_text(t);
            let first: String = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .chars()
                .take(100)
                .collect();
            if !first.is_empty() {
                o.push_str(&format!("    {}\n", first.trim()));
            }
        }
    }
    if !intros.is_empty() {
        o.push_str(&format!("\n{}\n", ctx.paint("1", "Introductions")));
        for i in &intros {
            let with = if i.with.is_empty() {
                String::new()
            } else {
                format!(" with {}", i.with.join(", "))
            };
            let title = if i.title.is_empty() {
                String::new()
            } else {
                format!(" · {}", i.title)
            };
            o.push_str(&format!(
                "  {}{title}{with} (#{})  {}:{}\n",
                i.date,
                i.tag,
                shown(&i.path),
                i.line
            ));
        }
    }
    if !backlinks.is_empty() {
        o.push_str(&format!("\n{}\n", ctx.paint("1", "Mentioned in")));
        for b in &backlinks {
            let date = b.date.map(|d| format!("{d} · ")).unwrap_or_default();
            o.push_str(&format!(
                "  {date}{}  {}:{}\n",
                b.title,
                shown(&b.path),
                b.line
            ));
        }
    }
    emit(&o)?;
    Ok(exit::OK)
}

/// `kith show EVENT`: the event's fields and who goes, and the brief to run.
fn show_event(ctx: &Ctx, vault: &crate::vault::Vault, ev: usize) -> Result<u8> {
    let n = &vault.notes[ev];
    let e = n.event.clone().unwrap_or_default();
    let brief = format!("kith brief \"{}\"", n.title);
    if ctx.json {
        emit_json(&json!({
            "name": n.title, "path": n.path.to_string_lossy(), "kind": "event", "event": e, "brief": brief,
        }))?;
        return Ok(exit::OK);
    }
    let mut o = String::new();
    o.push_str(&ctx.paint("1", &n.title));
    o.push_str(&format!(
        "  ({})\n",
        ctx.shown(&vault.root, &n.path).display()
    ));
    if let Some(d) = e.date.or(n.date) {
        o.push_str(&format!("  {:<14}{d}\n", "date:"));
    }
    if let Some(l) = &e.location {
        o.push_str(&format!("  {:<14}{l}\n", "location:"));
    }
    if !e.attendees.is_empty() {
        o.push_str(&format!(
            "  {:<14}{}\n",
            "attendees:",
            e.attendees.join(", ")
        ));
    }
    o.push_str(&format!("\nBefore you go: `{brief}`\n"));
    emit(&o)?;
    Ok(exit::OK)
}
