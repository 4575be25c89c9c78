//! The one place new notes are shaped: front matter and body of a new person,
//! event or resource note, and where it goes in the vault.
//!
//! `kith new`, `kith event new` and `kith resource new` write through these;
//! importers should too, so every note kith creates reads the same. Every
//! value goes through [`crate::yaml::quote`], so YAML never retypes it
//! (`NO`, `+4712345678`, `1.10` stay text).

use crate::date::{Birthday, Cadence, Date};
use crate::model::Circle;
use crate::model::NoteKind;
use crate::obsidian::{new_note_link, note_file_name};
use crate::yaml::quote;
use std::fmt::Write;
use std::path::PathBuf;

/// A new person note's fields; empty ones are left out.
#[derive(Debug, Clone, Default)]
pub struct PersonNote {
    pub name: String,
    pub aliases: Vec<String>,
    pub org: Option<String>,
    pub role: Option<String>,
    pub location: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub tags: Vec<String>,
    pub interests: Vec<String>,
    pub values: Vec<String>,
    pub needs: Vec<String>,
    pub offers: Vec<String>,
    /// When you met, and the event's name (written as a link).
    pub met: Option<(Date, Option<String>)>,
    pub circle: Option<Circle>,
    pub cadence: Option<Cadence>,
    pub birthday: Option<Birthday>,
    /// Prose before the log (e.g. an imported vCard NOTE).
    pub body: Option<String>,
}

/// A new event note's fields.
#[derive(Debug, Clone, Default)]
pub struct EventNote {
    pub name: String,
    pub date: Option<Date>,
    pub location: Option<String>,
    /// Attendees: names of people in the vault become links, others stay text.
    pub attendees: Vec<Attendee>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attendee {
    /// A person note's name, written as `"[[Name]]"`.
    Linked(String),
    /// Someone without a note, written as plain text.
    Text(String),
}

/// A new resource note's fields.
#[derive(Debug, Clone, Default)]
pub struct ResourceNote {
    pub title: String,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub added: Option<Date>,
}

/// `people/lena-fischer.md`, `events/rust-meetup.md`, `resources/….md`
/// (the policy lives in [`crate::obsidian::note_file_name`]).
pub fn person_path(name: &str) -> PathBuf {
    note_file_name(NoteKind::Person, name)
}

pub fn event_path(name: &str) -> PathBuf {
    note_file_name(NoteKind::Event, name)
}

pub fn resource_path(title: &str) -> PathBuf {
    note_file_name(NoteKind::Resource, title)
}

fn scalar(out: &mut String, key: &str, v: Option<&str>) {
    if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
        let _ = writeln!(out, "{key}: {}", quote(v));
    }
}

fn list(out: &mut String, key: &str, items: &[String], strip_hash: bool) {
    let items: Vec<&str> = items
        .iter()
        .map(|t| {
            let t = t.trim();
            if strip_hash {
                t.trim_start_matches('#').trim()
            } else {
                t
            }
        })
        .filter(|t| !t.is_empty())
        .collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{key}:");
    for t in items {
        let _ = writeln!(out, "  - {}", quote(t));
    }
}

/// A link to the note a new note for `name` gets, which Obsidian opens:
/// `[[lena-fischer|Lena Fischer]]`.
fn link(name: &str) -> String {
    quote(&new_note_link(name))
}

/// The whole text of a new person note: front matter, then an empty `## Log`.
pub fn person_note(p: &PersonNote) -> String {
    let mut s = String::from("---\n");
    scalar(&mut s, "name", Some(&p.name));
    list(&mut s, "aliases", &p.aliases, false);
    scalar(&mut s, "org", p.org.as_deref());
    scalar(&mut s, "role", p.role.as_deref());
    scalar(&mut s, "location", p.location.as_deref());
    list(&mut s, "emails", &p.emails, false);
    list(&mut s, "phones", &p.phones, false);
    list(&mut s, "tags", &p.tags, true);
    list(&mut s, "interests", &p.interests, false);
    list(&mut s, "values", &p.values, false);
    list(&mut s, "needs", &p.needs, false);
    list(&mut s, "offers", &p.offers, false);
    match &p.met {
        Some((d, Some(ev))) => {
            // Flat, typed properties: Obsidian has no nested-map property.
            let _ = write!(s, "met: {d}\nmet_at: {}\n", link(ev));
        }
        Some((d, None)) => {
            let _ = writeln!(s, "met: {d}");
        }
        None => {}
    }
    if let Some(c) = p.circle {
        let _ = writeln!(s, "circle: {}", c.as_str());
    }
    if let Some(c) = p.cadence {
        let _ = writeln!(s, "cadence: {c}");
    }
    if let Some(b) = p.birthday {
        // `--MM-DD` starts like a YAML document marker only at column 0; as a
        // value it is plain text, but quoting keeps every reader safe.
        let _ = writeln!(s, "birthday: {}", quote(&b.to_string()));
    }
    s.push_str("---\n");
    if let Some(body) = p.body.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        s.push('\n');
        s.push_str(body);
        s.push('\n');
    }
    s.push_str("\n## Log\n");
    s
}

/// The whole text of a new event note.
pub fn event_note(e: &EventNote) -> String {
    let mut s = String::from("---\n");
    scalar(&mut s, "name", Some(&e.name));
    if let Some(d) = e.date {
        let _ = writeln!(s, "date: {d}");
    }
    scalar(&mut s, "location", e.location.as_deref());
    if !e.attendees.is_empty() {
        s.push_str("attendees:\n");
        for a in &e.attendees {
            let v = match a {
                Attendee::Linked(n) => link(n),
                Attendee::Text(t) => quote(t.trim()),
            };
            let _ = writeln!(s, "  - {v}");
        }
    }
    list(&mut s, "tags", &e.tags, true);
    s.push_str("---\n");
    s
}

/// The whole text of a new resource note.
pub fn resource_note(r: &ResourceNote) -> String {
    let mut s = String::from("---\n");
    scalar(&mut s, "title", Some(&r.title));
    scalar(&mut s, "url", r.url.as_deref());
    list(&mut s, "tags", &r.tags, true);
    if let Some(d) = r.added {
        let _ = writeln!(s, "added: {d}");
    }
    s.push_str("---\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn d(s: &str) -> Date {
        crate::date::parse_date(s).unwrap()
    }

    /// What the templates write reads back as exactly what was given.
    #[test]
    fn notes_read_back_as_written() {
        let p = PersonNote {
            name: "Zoë Ångström".into(),
            org: Some("NO".into()),
            phones: vec!["+4712345678".into()],
            tags: vec!["#rust".into(), " ".into()],
            needs: vec!["a co-founder: technical".into()],
            offers: vec!["yes".into()],
            met: Some((d("2026-11-20"), Some("Rust Meetup".into()))),
            circle: Some(Circle::Active),
            cadence: Some(Cadence::parse("6w").unwrap()),
            birthday: Some(Birthday::parse("--02-29").unwrap()),
            ..Default::default()
        };
        let text = person_note(&p);
        let n = crate::note::parse(Path::new("people/zoe.md"), text.as_bytes());
        assert!(n.diagnostics.is_empty(), "{:?}\n{text}", n.diagnostics);
        let got = n.person.unwrap();
        assert_eq!(got.org.as_deref(), Some("NO"));
        assert_eq!(got.phones, ["+4712345678"]);
        assert_eq!(got.tags, ["rust"]);
        assert_eq!(got.needs, ["a co-founder: technical"]);
        assert_eq!(got.offers, ["yes"]);
        // The link names the event's file, so Obsidian opens it too.
        assert_eq!(got.met.unwrap().event.as_deref(), Some("rust-meetup"));
        assert_eq!(got.cadence.unwrap().to_string(), "6w");
        assert_eq!(got.birthday.unwrap().to_string(), "--02-29");
        assert!(text.ends_with("---\n\n## Log\n"), "{text}");

        let e = event_note(&EventNote {
            name: "Rust Meetup".into(),
            date: Some(d("2026-11-20")),
            location: Some("Berlin: c-base".into()),
            attendees: vec![
                Attendee::Linked("Zoë Ångström".into()),
                Attendee::Text("Ravi (Ferrous)".into()),
            ],
            tags: vec![],
        });
        let n = crate::note::parse(Path::new("events/rust-meetup.md"), e.as_bytes());
        assert!(n.diagnostics.is_empty(), "{:?}", n.diagnostics);
        let ev = n.event.unwrap();
        assert_eq!(ev.location.as_deref(), Some("Berlin: c-base"));
        assert_eq!(ev.attendees[0], "zoe-angstrom");

        let r = resource_note(&ResourceNote {
            title: "Async: the book".into(),
            url: Some("https://example.com/a#b".into()),
            tags: vec!["rust".into()],
            added: Some(d("2026-11-20")),
        });
        let n = crate::note::parse(Path::new("resources/async.md"), r.as_bytes());
        assert!(n.diagnostics.is_empty(), "{:?}", n.diagnostics);
        assert_eq!(
            n.resource.unwrap().url.as_deref(),
            Some("https://example.com/a#b")
        );
    }
}
