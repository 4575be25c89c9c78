//! Before an event: who will be there, how you know them, what to ask, what
//! you owe them, whom to introduce, who you do not know yet, and what you
//! could bring up. Pure: the introduction suggestions are passed in.

use super::IntroSuggestion;
use super::reciprocity::topic;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::NoteKind;
use crate::note::first_link;
use crate::text::fold;
use crate::vault::Vault;
use crate::yaml::Yaml;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// At most this many introductions in a brief.
pub const BRIEF_INTROS: usize = 8;
/// At most this many resources in a brief.
pub const BRIEF_RESOURCES: usize = 5;
/// At most this many hints per attendee you do not know.
const HINTS: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Brief {
    pub event: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub date: Option<Date>,
    pub location: Option<String>,
    pub as_of: Date,
    pub known: Vec<Known>,
    pub intros: Vec<BriefIntro>,
    pub unknown: Vec<Unknown>,
    pub resources: Vec<BriefResource>,
}

/// Where a fact was read: a note and a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct At {
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Known {
    pub name: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    /// How you know them: met, introduced by, circle.
    pub how: Vec<String>,
    pub last_contact: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_contact_at: Option<At>,
    pub needs: Vec<String>,
    pub offers: Vec<String>,
    pub questions: Vec<String>,
    pub promises: Vec<BriefPromise>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefPromise {
    pub text: String,
    pub due: Option<Date>,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefIntro {
    pub a: String,
    pub b: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub a_path: PathBuf,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub b_path: PathBuf,
    /// Both attend the event.
    pub both_there: bool,
    pub reasons: Vec<String>,
}

/// An attendee with no person note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unknown {
    pub name: String,
    /// Org or field written next to the name (`"Ravi Patel (Ferrous Systems)"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// What the vault already says: people at that org or in that field,
    /// notes mentioning the name or the org.
    pub hints: Vec<Hint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hint {
    pub text: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefResource {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    /// "for Amara (into “rust”)".
    pub why: Vec<String>,
}

/// Finds an event note by name, alias, file name or a unique start of its name.
pub fn find_event(vault: &Vault, query: &str) -> Result<usize> {
    let events: Vec<usize> = (0..vault.notes.len())
        .filter(|i| vault.notes[*i].kind == NoteKind::Event)
        .collect();
    if let crate::vault::Resolved::One(i) = vault.resolve(query)
        && vault.notes[i].kind == NoteKind::Event
    {
        return Ok(i);
    }
    let q = fold(query);
    let mut hits: Vec<usize> = events
        .iter()
        .copied()
        .filter(|i| fold(&vault.notes[*i].title) == q || fold(&vault.notes[*i].stem()) == q)
        .collect();
    if hits.is_empty() && !q.is_empty() {
        hits = events
            .iter()
            .copied()
            .filter(|i| fold(&vault.notes[*i].title).contains(&q))
            .collect();
    }
    if hits.is_empty() {
        // The people's rule too: the starts of the name's words, in order
        // (`rust meetup` is Rust Berlin Meetup November).
        let stems: Vec<String> = events.iter().map(|i| vault.notes[*i].stem()).collect();
        let found = crate::lookup::find(
            query,
            events
                .iter()
                .zip(&stems)
                .map(|(i, stem)| crate::lookup::Candidate {
                    id: *i,
                    name: &vault.notes[*i].title,
                    aliases: &vault.notes[*i].aliases,
                    emails: &[],
                    stem,
                }),
        );
        hits = match found {
            crate::lookup::Lookup::One(i) => vec![i],
            crate::lookup::Lookup::Many(v) => v,
            crate::lookup::Lookup::None => Vec::new(),
        };
    }
    match hits.len() {
        1 => Ok(hits[0]),
        0 => {
            let mut names: Vec<&str> = events
                .iter()
                .map(|i| vault.notes[*i].title.as_str())
                .collect();
            names.sort_unstable();
            let list = if names.is_empty() {
                "there are no event notes (in `events/`)".to_string()
            } else {
                format!("events: {}", names.join(", "))
            };
            Err(Error::Usage(format!(
                "no event matches `{query}`\n  hint: {list}"
            )))
        }
        _ => Err(Error::Usage(format!(
            "`{query}` matches several events: {}\n  hint: use the full name or the file name",
            hits.iter()
                .map(|i| vault.notes[*i].title.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// One `attendees:` item split into the name and what follows it:
/// `"[[Ravi Patel]] (Ferrous Systems)"`, `"Ravi Patel, Ferrous Systems"`.
pub fn split_attendee(raw: &str) -> (String, Option<String>) {
    let raw = raw.trim();
    let (name, rest) = match first_link(raw) {
        Some(t) => {
            let rest = raw.find("]]").map_or("", |i| &raw[i + 2..]).to_string();
            (t, rest)
        }
        // A name with a trailing `(…)`: that is what follows it, whatever
        // commas the name holds ("Smith, John (ACME)").
        None if trailing_paren(raw).is_some_and(|i| i > 0) => {
            let i = trailing_paren(raw).unwrap_or(0);
            (raw[..i].trim().to_string(), raw[i..].to_string())
        }
        None => match raw
            .find(['(', ','])
            .or_else(|| raw.find(" — "))
            .or_else(|| raw.find(" - "))
        {
            Some(i) => (raw[..i].trim().to_string(), raw[i..].to_string()),
            None => (raw.to_string(), String::new()),
        },
    };
    let rest = rest.trim();
    // One pair of brackets around it goes, nested ones stay: "(ACME (EU))".
    let about = match trailing_paren(rest) {
        Some(0) => &rest[1..rest.len() - 1],
        _ => rest.trim_start_matches([',', '—', '-', '(']),
    }
    .trim()
    .to_string();
    (name, (!about.is_empty()).then_some(about))
}

/// Where the `(` matching a final `)` is, if the text ends with one.
fn trailing_paren(s: &str) -> Option<usize> {
    if !s.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in s.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The raw `attendees` items, as written (links and plain names).
fn raw_attendees(vault: &Vault, ev: usize) -> Vec<String> {
    let n = &vault.notes[ev];
    match n.front.as_ref().and_then(|f| f.get("attendees")) {
        Some(Yaml::List(items)) => items.iter().filter_map(Yaml::as_scalar).collect(),
        Some(y) => y.as_scalar().into_iter().collect(),
        None => n
            .event
            .as_ref()
            .map(|e| e.attendees.clone())
            .unwrap_or_default(),
    }
}

/// The brief for event note `ev` as of a date. `intros` are the ranked
/// introduction suggestions (all of them); only pairs with an attendee are kept.
pub fn brief(vault: &Vault, ev: usize, as_of: Date, intros: &[IntroSuggestion]) -> Brief {
    let note = &vault.notes[ev];
    let event = note.event.clone().unwrap_or_default();
    let mut known_idx: Vec<usize> = Vec::new();
    let mut unknown: Vec<Unknown> = Vec::new();
    let mut seen_unknown: HashSet<String> = HashSet::new();
    for raw in raw_attendees(vault, ev) {
        let (name, about) = split_attendee(&raw);
        if name.is_empty() {
            continue;
        }
        match vault
            .resolve_one(&name)
            .filter(|i| vault.notes[*i].person.is_some())
        {
            Some(i) => known_idx.push(i),
            None => {
                if seen_unknown.insert(fold(&name)) {
                    let hints = hints(vault, &name, about.as_deref());
                    unknown.push(Unknown { name, about, hints });
                }
            }
        }
    }
    // People the event note links, and people whose notes link the event, go too.
    known_idx.extend(
        vault.out_links[ev]
            .iter()
            .copied()
            .filter(|i| vault.notes[*i].person.is_some()),
    );
    known_idx.extend(
        vault
            .linked_from(ev)
            .iter()
            .copied()
            .filter(|i| vault.notes[*i].person.is_some()),
    );
    let mut seen = HashSet::new();
    known_idx.retain(|i| seen.insert(*i));

    let known: Vec<Known> = known_idx
        .iter()
        .map(|&i| known_one(vault, i, as_of))
        .collect();
    let there: HashSet<&Path> = known.iter().map(|k| k.path.as_path()).collect();
    let mut brief_intros: Vec<BriefIntro> = intros
        .iter()
        .filter(|s| there.contains(s.a_path.as_path()) || there.contains(s.b_path.as_path()))
        .map(|s| BriefIntro {
            a: s.a.clone(),
            b: s.b.clone(),
            a_path: s.a_path.clone(),
            b_path: s.b_path.clone(),
            both_there: there.contains(s.a_path.as_path()) && there.contains(s.b_path.as_path()),
            reasons: s.reasons.clone(),
        })
        .collect();
    // Both there first; the ranking otherwise kept.
    brief_intros.sort_by_key(|x| !x.both_there);
    brief_intros.truncate(BRIEF_INTROS);

    Brief {
        event: note.title.clone(),
        path: note.path.clone(),
        date: event.date.or(note.date),
        location: event.location,
        as_of,
        resources: resources(vault, ev, &known_idx),
        known,
        intros: brief_intros,
        unknown,
    }
}

fn known_one(vault: &Vault, i: usize, as_of: Date) -> Known {
    let n = &vault.notes[i];
    let p = n.person.clone().unwrap_or_default();
    let mut how = Vec::new();
    if let Some(m) = &p.met {
        let at = m
            .event
            .as_ref()
            .map(|e| {
                let t = vault
                    .resolve_one(e)
                    .map_or(e.clone(), |j| vault.notes[j].title.clone());
                format!(" at {t}")
            })
            .unwrap_or_default();
        let when = m.date.map(|d| format!(" on {d}")).unwrap_or_default();
        how.push(format!("met{when}{at}"));
    }
    if let Some(by) = &p.introduced_by {
        let t = vault
            .resolve_one(by)
            .map_or(by.clone(), |j| vault.notes[j].title.clone());
        how.push(format!("introduced by {t}"));
    }
    if let Some(c) = p.circle {
        how.push(format!("{} circle", c.as_str()));
    }
    if let Some(org) = &p.org {
        how.push(match &p.role {
            Some(r) => format!("{r} at {org}"),
            None => format!("at {org}"),
        });
    }
    let last = vault.last_contact(i, as_of);
    let mut questions = Vec::new();
    if let Some(e) = n.last_entry().filter(|e| e.date <= as_of) {
        let what = topic(&vault.entry_text(i, e), e);
        let kind = if e.title.is_empty() || *what == *e.title {
            String::new()
        } else {
            format!(", {}", e.title)
        };
        if !what.is_empty() {
            questions.push(format!(
                "Last time ({}{kind}): “{what}” — what happened since?",
                e.date
            ));
        }
    }
    if let Some(need) = p.needs.first() {
        questions.push(format!("How is “{need}” going — what would help?"));
    } else if let Some(x) = p.interests.first() {
        questions.push(format!("What's new with {x}?"));
    }
    questions.truncate(2);
    let promises = vault
        .promises()
        .into_iter()
        .filter(|(who, _, pr)| *who == i && !pr.done)
        .map(|(_, at, pr)| BriefPromise {
            text: crate::note::links_as_text(&pr.text),
            due: pr.due,
            path: vault.notes[at].path.clone(),
            line: pr.line,
        })
        .collect();
    Known {
        name: p.name.clone(),
        path: n.path.clone(),
        how,
        last_contact: last.as_ref().map(|t| t.date),
        last_contact_at: last.map(|t| At {
            path: t.path,
            line: t.line,
        }),
        needs: p.needs.clone(),
        offers: p.offers.clone(),
        questions,
        promises,
    }
}

/// What the vault says about an attendee you do not know: people at the same
/// org or in that field, and notes that mention the name or the org.
fn hints(vault: &Vault, name: &str, about: Option<&str>) -> Vec<Hint> {
    let mut out: Vec<Hint> = Vec::new();
    let about_f = about.map(fold).filter(|a| !a.is_empty());
    if let Some(a) = &about_f {
        for (_, n, p) in vault.people() {
            let same_org = p.org.as_ref().is_some_and(|o| {
                let o = fold(o);
                !o.is_empty() && (o == *a || o.contains(a.as_str()) || a.contains(o.as_str()))
            });
            let field = p.tags.iter().chain(&p.interests).find(|t| fold(t) == *a);
            let text = if same_org {
                format!(
                    "you know {} at {}",
                    p.name,
                    p.org.as_deref().unwrap_or_default()
                )
            } else if let Some(t) = field {
                format!("{} is into “{t}” too", p.name)
            } else {
                continue;
            };
            if out.len() < HINTS {
                out.push(Hint {
                    text,
                    path: n.path.clone(),
                    line: 1,
                });
            }
        }
    }
    let name_f = fold(name);
    for (ni, n) in vault.notes.iter().enumerate() {
        for e in &n.entries {
            if out.len() >= HINTS * 2 {
                return out;
            }
            let t = fold(&vault.entry_text(ni, e));
            let what = if t.contains(&name_f) {
                format!("{name} is mentioned in {} ({})", n.title, e.date)
            } else if let Some(a) = about_f
                .as_ref()
                .filter(|a| a.len() >= 3 && t.contains(a.as_str()))
            {
                let _ = a;
                format!(
                    "{} is mentioned in {} ({})",
                    about.unwrap_or_default(),
                    n.title,
                    e.date
                )
            } else {
                continue;
            };
            out.push(Hint {
                text: what,
                path: n.path.clone(),
                line: e.line as usize,
            });
        }
    }
    out
}

/// Resources whose tags an attendee holds as a tag or interest, or the event
/// has as a tag; any age, newest first.
fn resources(vault: &Vault, ev: usize, known: &[usize]) -> Vec<BriefResource> {
    let ev_tags: HashSet<String> = vault.notes[ev].tags.iter().map(|t| fold(t)).collect();
    let mut found: Vec<(Option<Date>, BriefResource)> = Vec::new();
    for n in &vault.notes {
        let (NoteKind::Resource, Some(r)) = (n.kind, &n.resource) else {
            continue;
        };
        let tags: Vec<String> = r.tags.iter().map(|t| fold(t)).collect();
        let mut why = Vec::new();
        for &i in known {
            let Some(p) = vault.person(i) else { continue };
            if let Some(x) = p
                .interests
                .iter()
                .chain(&p.tags)
                .find(|x| tags.contains(&fold(x)))
            {
                let first = p.name.split_whitespace().next().unwrap_or(&p.name);
                why.push(format!("for {first} (into “{x}”)"));
            }
        }
        if why.is_empty()
            && let Some(t) = r.tags.iter().find(|t| ev_tags.contains(&fold(t)))
        {
            why.push(format!("the event is about “{t}”"));
        }
        if !why.is_empty() {
            found.push((
                r.added,
                BriefResource {
                    title: r.title.clone(),
                    url: r.url.clone(),
                    path: n.path.clone(),
                    why,
                },
            ));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.title.cmp(&b.1.title)));
    found
        .into_iter()
        .take(BRIEF_RESOURCES)
        .map(|(_, r)| r)
        .collect()
}

/// The brief as Markdown, each fact with its `path:line`.
pub fn markdown(b: &Brief, shown: &dyn Fn(&Path) -> String) -> String {
    let mut o = String::new();
    let when = b.date.map(|d| format!(" — {d}")).unwrap_or_default();
    let place = b
        .location
        .as_ref()
        .map(|l| format!(", {l}"))
        .unwrap_or_default();
    let _ = writeln!(o, "# Brief: {}{when}{place}\n", b.event);
    let _ = writeln!(o, "As of {} — {}:1\n", b.as_of, shown(&b.path));
    if !b.known.is_empty() {
        let _ = writeln!(o, "## People you know\n");
        for k in &b.known {
            let _ = writeln!(o, "### {} — {}:1\n", k.name, shown(&k.path));
            if !k.how.is_empty() {
                let _ = writeln!(o, "- How you know them: {}", k.how.join("; "));
            }
            match (&k.last_contact, &k.last_contact_at) {
                (Some(d), Some(at)) => {
                    let ago = (b.as_of - *d).num_days().max(0) as usize;
                    let ago = match ago {
                        0 => "today".to_string(),
                        n => format!("{} ago", crate::text::plural(n, "day")),
                    };
                    let _ = writeln!(
                        o,
                        "- Last contact: {d} ({ago}) — {}:{}",
                        shown(&at.path),
                        at.line
                    );
                }
                _ => {
                    let _ = writeln!(o, "- Last contact: never logged");
                }
            }
            if !k.needs.is_empty() {
                let _ = writeln!(o, "- Needs: {}", k.needs.join("; "));
            }
            if !k.offers.is_empty() {
                let _ = writeln!(o, "- Offers: {}", k.offers.join("; "));
            }
            for q in &k.questions {
                let _ = writeln!(o, "- Ask: {q}");
            }
            for p in &k.promises {
                let _ = writeln!(
                    o,
                    "- You promised: {} — {}:{}",
                    p.text,
                    shown(&p.path),
                    p.line
                );
            }
            o.push('\n');
        }
    }
    if !b.intros.is_empty() {
        let _ = writeln!(o, "## Introductions to make there\n");
        for s in &b.intros {
            let there = if s.both_there {
                "both there"
            } else {
                "one there"
            };
            let _ = writeln!(
                o,
                "- **{}** ↔ **{}** ({there}) — {} — {}:1, {}:1",
                s.a,
                s.b,
                s.reasons.join("; "),
                shown(&s.a_path),
                shown(&s.b_path)
            );
        }
        o.push('\n');
    }
    if !b.unknown.is_empty() {
        let _ = writeln!(o, "## People you don't know yet\n");
        for u in &b.unknown {
            let about = u
                .about
                .as_ref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            if u.hints.is_empty() {
                let _ = writeln!(o, "- **{}**{about} — nothing in your notes yet", u.name);
            } else {
                let _ = writeln!(o, "- **{}**{about}", u.name);
                for h in &u.hints {
                    let _ = writeln!(o, "  - {} — {}:{}", h.text, shown(&h.path), h.line);
                }
            }
        }
        o.push('\n');
    }
    if !b.resources.is_empty() {
        let _ = writeln!(o, "## Things you could bring up\n");
        for r in &b.resources {
            let url = r
                .url
                .as_ref()
                .map(|u| format!(" <{u}>"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "- **{}**{url} — {} — {}:1",
                r.title,
                r.why.join(", "),
                shown(&r.path)
            );
        }
        o.push('\n');
    }
    if b.known.is_empty() && b.unknown.is_empty() {
        o.push_str(
            "No attendees yet: add `attendees: [\"[[Name]]\", \"New Person (Org)\"]` to the event note.\n",
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::reciprocity::tests::vault;

    fn d(s: &str) -> Date {
        crate::date::parse_date(s).unwrap()
    }

    #[test]
    fn attendee_items_split_into_name_and_org() {
        assert_eq!(
            split_attendee("[[Ravi Patel]] (Ferrous Systems)"),
            ("Ravi Patel".into(), Some("Ferrous Systems".into()))
        );
        assert_eq!(
            split_attendee("Ravi Patel, Ferrous Systems"),
            ("Ravi Patel".into(), Some("Ferrous Systems".into()))
        );
        assert_eq!(split_attendee("[[Ann]]"), ("Ann".into(), None));
    }

    #[test]
    fn known_unknown_and_resources() {
        let v = vault(&[
            (
                "events/meetup.md",
                "---\nname: Meetup\ndate: 2026-12-01\ntags: [rust]\nattendees: [\"[[Ann A]]\", \"Ravi Patel (Ferrous)\", \"[[Zed Z]]\"]\n---\n",
            ),
            (
                "people/a.md",
                "---\nname: Ann A\nneeds: [a Rust mentor]\nintroduced_by: \"[[Bo B]]\"\ncircle: active\n---\n## Log\n### 2026-10-01 · coffee\nTalked.\n- [ ] send the book\n",
            ),
            ("people/b.md", "---\nname: Bo B\norg: Ferrous\n---\n"),
            (
                "resources/old.md",
                "---\ntitle: Old Rust book\ntags: [rust]\nadded: 2020-01-01\n---\n",
            ),
        ]);
        let b = brief(&v, 0, d("2026-11-25"), &[]);
        assert_eq!(b.known.len(), 1);
        let k = &b.known[0];
        assert!(k.how.iter().any(|h| h == "introduced by Bo B"), "{k:?}");
        assert_eq!(k.last_contact, Some(d("2026-10-01")));
        assert_eq!(k.questions.len(), 2);
        assert!(k.questions[1].contains("a Rust mentor"));
        assert_eq!(k.promises.len(), 1);
        let names: Vec<&str> = b.unknown.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Ravi Patel", "Zed Z"]);
        assert!(
            b.unknown[0].hints[0]
                .text
                .contains("you know Bo B at Ferrous")
        );
        assert_eq!(b.resources.len(), 1);
        assert_eq!(b.resources[0].title, "Old Rust book");
        let md = markdown(&b, &|p| p.display().to_string());
        assert!(md.contains("## People you don't know yet"), "{md}");
    }
}
