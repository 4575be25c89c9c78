//! Reciprocity without a ledger: who helped you and has not heard back, and
//! whose open needs your network can meet. Nothing here counts favours: each
//! rule looks only at the *latest* deed, so no tally or balance ever exists.
//!
//! Directions (docs/give.md): `#gave` = you gave or helped them; `#received`
//! (alias `#helped-me`) = they helped you; `#asked` = you asked them for
//! something; `#thanks` = you thanked them.

use super::IntroSuggestion;
use crate::date::Date;
use crate::model::LogEntry;
use crate::vault::Vault;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// Someone who helped you this recently and has not heard back counts.
pub const GIVE_BACK_DAYS: i64 = 90;
/// The check-in boosts look back this far.
pub const BOOST_DAYS: i64 = 365;
/// Added to a check-in's overdue ratio when they helped you (within BOOST_DAYS).
pub const HELPED_YOU_BOOST: f64 = 0.2;
/// Added to a check-in's overdue ratio when you helped them (within BOOST_DAYS).
pub const YOU_HELPED_BOOST: f64 = 0.2;

/// Which way a deed went, from the entry's tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deed {
    /// `#gave`: you gave or helped them.
    Gave,
    /// `#received` or `#helped-me`: they helped you.
    Received,
    /// `#asked`: you asked them for something.
    Asked,
    /// `#thanks`: you thanked them.
    Thanks,
}

impl Deed {
    fn from_tag(tag: &str) -> Option<Deed> {
        // Compared without a lowered copy: every tag of every recent entry
        // passes here.
        let is = |w: &str| tag.eq_ignore_ascii_case(w);
        if is("gave") {
            Some(Deed::Gave)
        } else if is("received") || is("helped-me") {
            Some(Deed::Received)
        } else if is("asked") {
            Some(Deed::Asked)
        } else if is("thanks") {
            Some(Deed::Thanks)
        } else {
            None
        }
    }
}

/// The deeds a log entry marks, in a fixed order.
pub fn deeds(e: &LogEntry) -> Vec<Deed> {
    let mut out: Vec<Deed> = e.tags().iter().filter_map(Deed::from_tag).collect();
    out.sort_by_key(|d| *d as u8);
    out.dedup();
    out
}

/// One marked entry with one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub deed: Deed,
    pub date: Date,
    pub path: PathBuf,
    pub line: usize,
    /// The entry's title, else its first sentence.
    pub what: String,
}

/// Every marked entry per person note: entries in their own note, and entries
/// in other notes (journal, event, …) that link them. Oldest first.
pub fn exchanges(vault: &Vault) -> HashMap<usize, Vec<Exchange>> {
    let mut out: HashMap<usize, Vec<Exchange>> = HashMap::new();
    for (i, n) in vault.notes.iter().enumerate() {
        for e in &n.entries {
            let ds = deeds(e);
            if ds.is_empty() {
                continue;
            }
            // In a person note the deed is with that person; elsewhere with
            // each person the entry links.
            let who: Vec<usize> = if n.person.is_some() {
                vec![i]
            } else {
                vault
                    .entry_links(i, e, 20, false)
                    .into_iter()
                    .filter(|j| vault.notes[*j].person.is_some())
                    .collect()
            };
            for j in who {
                for d in &ds {
                    out.entry(j).or_default().push(Exchange {
                        deed: *d,
                        date: e.date,
                        path: n.path.clone(),
                        line: e.line as usize,
                        what: {
                            let text = vault.entry_text(i, e);
                            tagged_sentence(&text, *d).unwrap_or_else(|| topic(&text, e))
                        },
                    });
                }
            }
        }
        // A journal note written as plain text (no dated headings) marks the
        // journal's day with each person it links.
        if n.entries.is_empty()
            && n.kind == crate::model::NoteKind::Journal
            && let Some(date) = n.date
        {
            let ds: Vec<Deed> = n.tags.iter().filter_map(|t| Deed::from_tag(t)).collect();
            for &j in &vault.out_links[i] {
                if vault.notes[j].person.is_none() {
                    continue;
                }
                for d in &ds {
                    out.entry(j).or_default().push(Exchange {
                        deed: *d,
                        date,
                        path: n.path.clone(),
                        line: n.body_line,
                        what: n.title.clone(),
                    });
                }
            }
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| (a.date, &a.path, a.line).cmp(&(b.date, &b.path, b.line)));
        list.dedup_by(|a, b| a.deed == b.deed && a.path == b.path && a.line == b.line);
    }
    out
}

/// The sentence that carries the deed's tag, without its tags and link
/// brackets: "He reviewed my parser code. #helped-me" → "He reviewed my parser code."
fn tagged_sentence(text: &str, d: Deed) -> Option<String> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut start = 0;
    let mut sentences = Vec::new();
    for (i, c) in flat.char_indices() {
        if matches!(c, '.' | '!' | '?') && flat[i + 1..].starts_with(' ') {
            sentences.push(&flat[start..=i]);
            start = i + 2;
        }
    }
    sentences.push(&flat[start.min(flat.len())..]);
    // A tag right after a full stop belongs to the sentence before it.
    let mut prev = "";
    for s in sentences {
        let has = crate::note::hashtags(s)
            .iter()
            .any(|(t, _)| Deed::from_tag(t) == Some(d));
        if has {
            let body = if s.starts_with('#') && !prev.is_empty() {
                prev
            } else {
                s
            };
            let clean: String = body
                .split_whitespace()
                .filter(|w| !w.starts_with('#'))
                .collect::<Vec<_>>()
                .join(" ");
            let clean = crate::note::links_as_text(&clean);
            let clean = crate::digest::graph::cut_at_word(&clean, 100);
            return (!clean.is_empty()).then_some(clean);
        }
        prev = s;
    }
    None
}

/// What an entry was about: its first sentence (task items and link brackets
/// left out, at most 100 characters, cut at a word), else its title. The
/// title is often only the kind of meeting ("lunch"). `text` is the entry's
/// text as [`Vault::entry_text`] reads it (from the file for a note of the
/// cached model), so a note parsed now and one decoded from the cache give
/// the same topic.
pub fn topic(text: &str, e: &LogEntry) -> String {
    let flat: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("- ["))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ");
    let flat = crate::note::links_as_text(&flat);
    let end = flat.find(['.', '!', '?']).map_or(flat.len(), |i| i + 1);
    let s = crate::digest::graph::cut_at_word(&flat[..end], 100);
    if s.is_empty() { e.title.to_string() } else { s }
}

/// Someone who helped you recently and has not heard back since.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GiveBack {
    pub name: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    /// The entry where they helped you.
    pub line: usize,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub entry_path: PathBuf,
    pub received: Date,
    pub what: String,
    /// The generous action, in words.
    pub action: String,
}

/// People with a `#received` entry in the last `days` days (up to `as_of`) and
/// no `#gave` or `#thanks` entry on or after it. Most recent help first.
pub fn give_back(vault: &Vault, as_of: Date, days: i64) -> Vec<GiveBack> {
    let ex = exchanges(vault);
    // A promise to them you have kept is a return favour too, dated by its
    // creation (`➕`, its entry) or the journal note it sits in.
    let mut kept: HashMap<usize, Vec<Date>> = HashMap::new();
    for (who, at, pr) in vault.promises() {
        if let Some(d) = pr
            .created
            .or(vault.notes[at].date)
            .filter(|_| pr.status == crate::model::TaskStatus::Done)
        {
            kept.entry(who).or_default().push(d);
        }
    }
    let mut out = Vec::new();
    for (i, n, p) in vault.people() {
        let Some(list) = ex.get(&i) else { continue };
        let past: Vec<&Exchange> = list.iter().filter(|x| x.date <= as_of).collect();
        let Some(got) = past.iter().rev().find(|x| x.deed == Deed::Received) else {
            continue;
        };
        if (as_of - got.date).num_days() >= days {
            continue;
        }
        let answered = past
            .iter()
            .any(|x| matches!(x.deed, Deed::Gave | Deed::Thanks) && x.date >= got.date)
            || kept
                .get(&i)
                .is_some_and(|ds| ds.iter().any(|d| *d >= got.date && *d <= as_of));
        if answered {
            continue;
        }
        let first = first_name(&p.name);
        let mut action = format!("thank {first} for this");
        if let Some(need) = p.needs.first() {
            action.push_str(&format!(", or return the favour: they need “{need}”"));
        } else {
            action.push_str(", or ask what you can do for them");
        }
        out.push(GiveBack {
            name: p.name.clone(),
            path: n.path.clone(),
            line: got.line,
            entry_path: got.path.clone(),
            received: got.date,
            what: got.what.clone(),
            action,
        });
    }
    out.sort_by(|a, b| b.received.cmp(&a.received).then(a.name.cmp(&b.name)));
    out
}

/// Someone whose open need a person in your vault can meet now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanHelp {
    pub name: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub need: String,
    pub helper: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub helper_path: PathBuf,
    pub offer: String,
    pub action: String,
}

/// From one introduction suggestion, the need it meets: (who needs, need,
/// who offers, offer). The reason reads `A needs “N”; B offers “O”`.
pub fn need_met(s: &IntroSuggestion) -> Option<(bool, String, String)> {
    // `a` is always the one whose need is met (intros put the asker first).
    s.need
        .as_ref()
        .map(|n| (true, n.need.clone(), n.offer.clone()))
}

/// The needs the intro suggestions can meet, one line per (person, need),
/// best suggestion first.
pub fn can_help(suggestions: &[IntroSuggestion]) -> Vec<CanHelp> {
    let mut out: Vec<CanHelp> = Vec::new();
    for s in suggestions {
        let Some((a_needs, need, offer)) = need_met(s) else {
            continue;
        };
        let (name, path, helper, helper_path) = if a_needs {
            (&s.a, &s.a_path, &s.b, &s.b_path)
        } else {
            (&s.b, &s.b_path, &s.a, &s.a_path)
        };
        if out.iter().any(|c| &c.name == name && c.need == need) {
            continue;
        }
        out.push(CanHelp {
            name: name.clone(),
            path: path.clone(),
            need: need.clone(),
            helper: helper.clone(),
            helper_path: helper_path.clone(),
            offer: offer.clone(),
            action: format!(
                "introduce {} to {helper}, who offers “{offer}”",
                first_name(name)
            ),
        });
    }
    out
}

/// The check-in ranking boost per note (by index): HELPED_YOU_BOOST when
/// they helped you, YOU_HELPED_BOOST when you helped them, within
/// BOOST_DAYS up to `as_of`; 0 for everyone else.
pub fn boosts(vault: &Vault, as_of: Date) -> Vec<f64> {
    use rayon::prelude::*;
    // Only deeds of the last BOOST_DAYS count: those entries alone are
    // looked at (and their links resolved), and no entry text is read. The
    // people are those of [`exchanges`].
    let recent = |d: Date| d <= as_of && (as_of - d).num_days() < BOOST_DAYS;
    let counts = |ds: &[Deed]| ds.contains(&Deed::Received) || ds.contains(&Deed::Gave);
    // (note, helped you, you helped) per deed, in note order: the flags are
    // or-ed, so the parts may be searched on every core.
    let marks = |i: usize, n: &crate::note::Note| -> Vec<(usize, bool, bool)> {
        let mut out = Vec::new();
        let mut mark = |j: usize, ds: &[Deed]| {
            out.push((j, ds.contains(&Deed::Received), ds.contains(&Deed::Gave)));
        };
        for e in n.entries.iter().filter(|e| recent(e.date)) {
            let ds = deeds(e);
            if !counts(&ds) {
                continue;
            }
            if n.person.is_some() {
                mark(i, &ds);
                continue;
            }
            for j in vault.entry_links(i, e, 20, false) {
                if vault.notes[j].person.is_some() {
                    mark(j, &ds);
                }
            }
        }
        if n.entries.is_empty()
            && n.kind == crate::model::NoteKind::Journal
            && n.date.is_some_and(recent)
        {
            let ds: Vec<Deed> = n.tags.iter().filter_map(|t| Deed::from_tag(t)).collect();
            if counts(&ds) {
                for &j in &vault.out_links[i] {
                    if vault.notes[j].person.is_some() {
                        mark(j, &ds);
                    }
                }
            }
        }
        out
    };
    let found: Vec<Vec<(usize, bool, bool)>> = vault
        .notes
        .par_iter()
        .enumerate()
        .map(|(i, n)| marks(i, n))
        .collect();
    let mut flags = vec![(false, false); vault.notes.len()];
    for (j, helped_you, you_helped) in found.into_iter().flatten() {
        if let Some(f) = flags.get_mut(j) {
            f.0 |= helped_you;
            f.1 |= you_helped;
        }
    }
    flags
        .into_iter()
        .map(|(helped_you, you_helped)| {
            let b = if helped_you { HELPED_YOU_BOOST } else { 0.0 };
            b + if you_helped { YOU_HELPED_BOOST } else { 0.0 }
        })
        .collect()
}

fn first_name(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    pub(crate) fn vault(notes: &[(&str, &str)]) -> Vault {
        let notes = notes
            .iter()
            .map(|(p, t)| crate::note::parse(Path::new(p), t.as_bytes()))
            .collect();
        Vault::from_notes(PathBuf::from("/v"), Config::default(), notes, Vec::new())
    }

    fn d(s: &str) -> Date {
        crate::date::parse_date(s).unwrap()
    }

    #[test]
    fn tags_give_the_direction() {
        let v = vault(&[(
            "people/a.md",
            "---\nname: Ann A\n---\n## Log\n### 2026-01-01 · x\nShe helped me. #helped-me #asked\n",
        )]);
        assert_eq!(
            deeds(&v.notes[0].entries[0]),
            vec![Deed::Received, Deed::Asked]
        );
    }

    #[test]
    fn help_received_waits_for_a_thank_you_or_a_return_favour() {
        let v = vault(&[
            (
                "people/a.md",
                "---\nname: Ann A\nneeds: [a flat]\n---\n## Log\n### 2026-03-01 · intro to Bo\nIntroduced me to an investor. #received\n",
            ),
            (
                "people/b.md",
                "---\nname: Bo B\n---\n## Log\n### 2026-03-01 · advice\nGreat advice. #received\n### 2026-03-05 · sent flowers\n#thanks\n",
            ),
            (
                "people/c.md",
                "---\nname: Cy C\n---\n## Log\n### 2025-01-01 · long ago\n#received\n",
            ),
            (
                "journal/2026-03-02.md",
                "Dee [[Dee D]] reviewed my deck. #helped-me\n",
            ),
            ("people/d.md", "---\nname: Dee D\n---\n"),
        ]);
        let g = give_back(&v, d("2026-03-10"), GIVE_BACK_DAYS);
        let names: Vec<&str> = g.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["Dee D", "Ann A"]);
        assert_eq!(g[1].what, "Introduced me to an investor.");
        assert!(g[1].action.contains("thank Ann for this"), "{g:?}");
        assert!(g[1].action.contains("they need “a flat”"));
        // Before the help happened, nothing.
        assert!(give_back(&v, d("2026-02-28"), GIVE_BACK_DAYS).is_empty());
        // Outside the window, gone.
        assert!(give_back(&v, d("2026-06-01"), 90).is_empty());
    }

    #[test]
    fn the_tagged_sentence_says_what_happened() {
        assert_eq!(
            tagged_sentence(
                "Tired. He reviewed my [[parser]] code. #helped-me Then beer.",
                Deed::Received
            ),
            Some("He reviewed my parser code.".into())
        );
        assert_eq!(
            tagged_sentence("Gave a talk. I offered help. #gave", Deed::Gave),
            Some("I offered help.".into())
        );
        assert_eq!(tagged_sentence("Nothing here.", Deed::Gave), None);
    }

    #[test]
    fn a_kept_promise_after_the_help_answers_it() {
        let v = vault(&[
            (
                "people/a.md",
                "---\nname: Ann A\n---\n## Log\n### 2026-02-01 · help\nShe helped. #received\n",
            ),
            (
                "journal/2026-02-03.md",
                "- [x] thank [[Ann A]] with a book\n",
            ),
        ]);
        assert!(give_back(&v, d("2026-02-10"), 90).is_empty());
        assert_eq!(give_back(&v, d("2026-02-02"), 90).len(), 1);
    }

    #[test]
    fn a_gift_before_the_help_does_not_answer_it() {
        let v = vault(&[(
            "people/a.md",
            "---\nname: Ann A\n---\n## Log\n### 2026-01-01 · gift\n#gave\n### 2026-02-01 · help\n#received\n",
        )]);
        assert_eq!(give_back(&v, d("2026-02-10"), 90).len(), 1);
        let b = boosts(&v, d("2026-02-10"));
        assert_eq!(b, vec![HELPED_YOU_BOOST + YOU_HELPED_BOOST]);
        assert_eq!(boosts(&v, d("2025-12-01")), vec![0.0]);
    }

    #[test]
    fn need_met_reads_the_structured_need_not_the_reason_text() {
        let s = IntroSuggestion {
            a: "Lena Fischer".into(),
            b: "Omar Haddad".into(),
            a_path: "people/l.md".into(),
            b_path: "people/o.md".into(),
            score: 4.0,
            // The reason is for people; a reworded reason must not matter.
            reasons: vec!["reworded for people".into()],
            need: Some(crate::digest::intros::NeedMet {
                need: "a Rust engineer".into(),
                offer: "Rust engineer".into(),
            }),
            planned: Vec::new(),
        };
        let c = can_help(std::slice::from_ref(&s));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].name, "Lena Fischer");
        assert_eq!(c[0].helper, "Omar Haddad");
        assert_eq!(c[0].need, "a Rust engineer");
    }
}
