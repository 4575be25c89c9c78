//! Exporting people as vCard and reminders as iCalendar, for real clients.
//!
//! Written by hand (both formats are small line protocols): CRLF line ends,
//! lines folded at 75 octets without splitting a UTF-8 character, RFC
//! escaping of `\`, `,`, `;` and newlines. No value can break out of its
//! line: text values are escaped, control characters are dropped from every
//! value, and URIs (links, UIDs) lose any whitespace control character, so a
//! crafted link, name or file name never injects a property or a card.

use crate::date::{Birthday, Date};
use crate::digest::{self, ReminderKind};
use crate::model::{Person, Promise};
use crate::note::Note;
use crate::vault::Vault;
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// Folds one content line at 75 octets (RFC 6350 §3.2, RFC 5545 §3.1):
/// continuation lines start with one space; a UTF-8 character is never split.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let w = c.len_utf8();
        if width + w > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += w;
    }
    out.push_str("\r\n");
    out
}

/// Escapes a TEXT value (RFC 6350 §3.4, RFC 5545 §3.3.11): `\`, `,`, `;` and
/// line breaks (`\r\n`, `\r` and `\n` all become `\n`); every other control
/// character is dropped (tab becomes a space), since no client reads them back.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => o.push_str("\\\\"),
            ',' => o.push_str("\\,"),
            ';' => o.push_str("\\;"),
            '\n' => o.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    o.push_str("\\n");
                }
            }
            '\t' => o.push(' '),
            // U+2028/2029 are line breaks to some readers too.
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {}
            c => o.push(c),
        }
    }
    o
}

/// A URI value (links): a URI holds no whitespace or control characters, so
/// they are dropped — a newline can never end the property.
pub fn uri(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

/// A vCard UID unique per note path and stable across exports:
/// `people/lena.md` → `kith-lena` (what earlier versions wrote),
/// `people/team/lena.md` → `kith-team/lena`, a person note elsewhere
/// (`contacts/x.md`) → `kith-/contacts/x`. Everything outside
/// `A-Za-z0-9._~/-` is percent-encoded, so different paths never share a
/// UID and a file name can never carry a line break into the card.
pub fn vcard_uid(rel: &Path) -> String {
    let p = rel.to_string_lossy().replace('\\', "/");
    let p = p.strip_suffix(".md").unwrap_or(&p);
    let p = match p.strip_prefix("people/") {
        Some(rest) => rest.to_string(),
        None => format!("/{p}"),
    };
    let mut out = String::from("kith-");
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'/' | b'-') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The note's bio: the text between the front matter and the first heading.
pub fn bio(note: &Note, text: &str) -> String {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if i + 1 < note.body_line {
            continue;
        }
        if l.trim_start().starts_with('#') {
            break;
        }
        out.push(l.trim_end());
    }
    out.join("\n").trim().to_string()
}

/// The five parts of a vCard `N`: family; given; additional; prefixes; suffixes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    pub family: String,
    pub given: String,
    pub additional: String,
    pub prefix: String,
    pub suffix: String,
}

/// Particles that belong to the family name ("Ludwig van Beethoven").
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la", "le",
    "ten", "ter", "zu", "af", "al", "bin", "ibn", "st.",
];
const PREFIXES: &[&str] = &[
    "dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.",
];
const SUFFIXES: &[&str] = &[
    "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d.", "esq", "esq.",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// Splits a display name into vCard `N` parts: "Family, Given; Suffix"
/// (written that way on purpose), family-first for Chinese, Japanese and
/// Korean names ("山田 太郎"), particles kept with the family name
/// ("Ludwig van Beethoven"), honorifics and suffixes set apart.
pub fn split_name(name: &str) -> NameParts {
    let name = name.trim();
    let mut parts = NameParts::default();
    if let Some((family, rest)) = name.split_once(',') {
        let (given, suffix) = rest.split_once(';').unwrap_or((rest, ""));
        parts.family = family.trim().to_string();
        parts.given = given.trim().to_string();
        parts.suffix = suffix.trim().to_string();
        return parts;
    }
    let mut words: Vec<&str> = name.split_whitespace().collect();
    if words.is_empty() {
        return parts;
    }
    if name.chars().any(is_cjk) {
        if words.len() == 1 {
            parts.family = name.to_string();
        } else {
            parts.family = words[0].to_string();
            parts.given = words[1..].join(" ");
        }
        return parts;
    }
    let mut prefix = Vec::new();
    while words.len() > 1 && PREFIXES.contains(&words[0].to_lowercase().as_str()) {
        prefix.push(words.remove(0));
    }
    let mut suffix = Vec::new();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| SUFFIXES.contains(&w.trim_end_matches(',').to_lowercase().as_str()))
    {
        if let Some(w) = words.pop() {
            suffix.insert(0, w);
        }
    }
    if let Some(last) = words.last_mut() {
        *last = last.trim_end_matches(',');
    }
    parts.prefix = prefix.join(" ");
    parts.suffix = suffix.join(" ");
    if words.len() == 1 {
        parts.given = words[0].to_string();
        return parts;
    }
    // The family name starts at the first lowercase particle after the first word.
    let mut start = words.len() - 1;
    while start > 1 && PARTICLES.contains(&words[start - 1].to_lowercase().as_str()) {
        start -= 1;
    }
    parts.given = words[0].to_string();
    parts.additional = words[1..start].join(" ");
    parts.family = words[start..].join(" ");
    parts
}

/// vCard version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VcardVersion {
    V3,
    V4,
}

/// What a vCard export leaves out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Redact {
    /// Emails, phone numbers and the note's private prose (its bio).
    pub private: bool,
}

/// One vCard per person.
pub fn vcards(vault: &Vault, version: VcardVersion, redact: Redact) -> String {
    let mut out = String::new();
    for (_, n, p) in vault.people() {
        let bio = if redact.private {
            String::new()
        } else {
            let text = read_note_text(&vault.root.join(&n.path));
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            bio(n, text)
        };
        card(&mut out, n, p, &bio, version, redact);
    }
    out
}

/// A note's text for its bio: only a regular file of a sane size (a note
/// swapped for a FIFO or a device since the vault was read must not hang or
/// flood the export).
fn read_note_text(path: &Path) -> String {
    const MAX: u64 = 16 * 1024 * 1024;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() <= MAX => std::fs::read_to_string(path).unwrap_or_default(),
        _ => String::new(),
    }
}

fn card(out: &mut String, n: &Note, p: &Person, bio: &str, version: VcardVersion, redact: Redact) {
    let v4 = version == VcardVersion::V4;
    let mut line = |s: String| out.push_str(&fold(&s));
    line("BEGIN:VCARD".into());
    line(format!("VERSION:{}", if v4 { "4.0" } else { "3.0" }));
    line(format!("UID:{}", vcard_uid(&n.path)));
    line(format!("FN:{}", escape(&p.name)));
    let np = split_name(&p.name);
    line(format!(
        "N:{};{};{};{};{}",
        escape(&np.family),
        escape(&np.given),
        escape(&np.additional),
        escape(&np.prefix),
        escape(&np.suffix)
    ));
    if !p.aliases.is_empty() {
        line(format!("NICKNAME:{}", join_escaped(&p.aliases)));
    }
    if !redact.private {
        for e in &p.emails {
            line(if v4 {
                format!("EMAIL:{}", escape(e))
            } else {
                format!("EMAIL;TYPE=INTERNET:{}", escape(e))
            });
        }
        for t in &p.phones {
            line(format!("TEL:{}", escape(t)));
        }
    }
    if let Some(o) = &p.org {
        line(format!("ORG:{}", escape(o)));
    }
    if let Some(r) = &p.role {
        line(format!("TITLE:{}", escape(r)));
    }
    if let Some(l) = &p.location {
        // Free text: the locality, so clients show it as the city.
        line(format!("ADR:;;;{};;;", escape(l)));
    }
    if let Some(b) = p.birthday {
        line(bday(b, version));
    }
    if !p.tags.is_empty() {
        line(format!("CATEGORIES:{}", join_escaped(&p.tags)));
    }
    for (i, (label, url)) in p.links.iter().enumerate() {
        line(format!("item{}.URL:{}", i + 1, uri(url)));
        line(format!("item{}.X-ABLabel:{}", i + 1, escape(label)));
    }
    if !bio.is_empty() {
        line(format!("NOTE:{}", escape(bio)));
    }
    line("END:VCARD".into());
}

/// A birthday. A year-less one is `--MMDD` in both versions: khard, vobject
/// and DAVx5 read it as year-less, while Apple's 3.0 form
/// (`BDAY;X-APPLE-OMIT-YEAR=1604:1604-MM-DD`) shows up in khard as born in
/// 1604 (still read on import).
fn bday(b: Birthday, version: VcardVersion) -> String {
    match (b.year, version) {
        (Some(y), VcardVersion::V4) => format!("BDAY:{y:04}{:02}{:02}", b.month, b.day),
        (Some(y), VcardVersion::V3) => format!("BDAY:{y:04}-{:02}-{:02}", b.month, b.day),
        (None, _) => format!("BDAY:--{:02}{:02}", b.month, b.day),
    }
}

fn join_escaped(items: &[String]) -> String {
    items
        .iter()
        .map(|t| escape(t))
        .collect::<Vec<_>>()
        .join(",")
}

fn uid(parts: &[&str]) -> String {
    // NUL-separated as in earlier versions, so birthday and follow-up UIDs
    // stay what calendars already hold (no part can contain a NUL).
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let hex: String = h
        .finalize()
        .iter()
        .take(10)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{hex}@kith")
}

fn ics_date(d: Date) -> String {
    d.format("%Y%m%d").to_string()
}

/// Done promises stay in the calendar (as completed) this long after they
/// were done or due, so an app that imported the to-do sees it ticked.
pub const DONE_KEPT_DAYS: i64 = 90;

/// An undated promise becomes a to-do once this old (the digest's default).
const UNDATED_PROMISE_DAYS: usize = 14;

/// The date after a marker such as `✅` or `📅` in a task's text.
fn marker(text: &str, mark: &str) -> Option<Date> {
    let at = text.find(mark)? + mark.len();
    let rest = text[at..].trim_start();
    crate::date::parse_date(rest.get(..10)?).ok()
}

/// A task's text without its date markers, `[[`/`]]`, and Dataview fields.
fn task_text(t: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut skip = false;
    for w in t.split_whitespace() {
        if skip {
            skip = false;
            continue;
        }
        if matches!(w, "📅" | "➕" | "⏳" | "🛫" | "✅" | "❌") {
            skip = true;
            continue;
        }
        if w.starts_with("due:") {
            continue;
        }
        words.push(w);
    }
    words.join(" ").replace("[[", "").replace("]]", "")
}

/// What identifies a promise across edits: its text without dates, case or
/// spacing, so ticking it, adding `✅ date`, moving its due date or adding a
/// log entry above it keeps its UID.
fn promise_identity(t: &str) -> String {
    task_text(t)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One promise as the calendar shows it.
struct PromiseItem<'a> {
    names: Vec<String>,
    path: &'a Path,
    pr: &'a Promise,
    /// How many earlier promises in the same note read the same.
    ordinal: usize,
}

fn promise_items(vault: &Vault) -> Vec<PromiseItem<'_>> {
    let mut out: Vec<PromiseItem<'_>> = Vec::new();
    let mut at_of: std::collections::HashMap<(usize, usize), usize> =
        std::collections::HashMap::new();
    for (who, at, pr) in vault.promises() {
        let name = vault.notes[who].title.clone();
        match at_of.get(&(at, pr.line)) {
            Some(&k) => out[k].names.push(name),
            None => {
                at_of.insert((at, pr.line), out.len());
                let id = promise_identity(&pr.text);
                let ordinal = vault.notes[at]
                    .promises
                    .iter()
                    .filter(|q| q.line < pr.line && promise_identity(&q.text) == id)
                    .count();
                out.push(PromiseItem {
                    names: vec![name],
                    path: &vault.notes[at].path,
                    pr,
                    ordinal,
                });
            }
        }
    }
    out
}

/// One calendar entry, before it is written as a VTODO or VEVENT.
struct Item {
    /// What it is about, for the UID: never a date or a display string.
    key: Vec<String>,
    due: Date,
    summary: String,
    description: String,
    /// Done (a completed to-do), and on which day when the task says so.
    done: Option<Option<Date>>,
}

fn items(vault: &Vault, as_of: Date) -> Vec<Item> {
    let mut out = Vec::new();
    let person_of = |path: &Path, name: &str| {
        vault
            .note_index(path)
            .filter(|&i| vault.notes[i].person.is_some())
            .or_else(|| {
                vault
                    .people()
                    .find(|(_, _, p)| p.name == name)
                    .map(|(i, _, _)| i)
            })
    };
    for r in digest::reminders(vault, as_of) {
        let kind = r.kind;
        if !matches!(kind, ReminderKind::FollowUp | ReminderKind::CheckIn) {
            // Promises are read below (done ones too); birthdays are yearly
            // events; events are already in the user's calendar.
            continue;
        }
        let Some(i) = person_of(&r.path, &r.name) else {
            continue;
        };
        let n = &vault.notes[i];
        let Some(p) = n.person.as_ref() else { continue };
        let path = n.path.to_string_lossy().into_owned();
        let (summary, what) = if kind == ReminderKind::FollowUp {
            let met = p.met.as_ref();
            let event = met.and_then(|m| m.event.as_ref()).map(|e| {
                vault
                    .resolve_one(e)
                    .map_or_else(|| e.clone(), |j| vault.notes[j].title.clone())
            });
            let when = met
                .and_then(|m| m.date)
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            let at = event.map(|e| format!(" at {e}")).unwrap_or_default();
            (
                format!("Follow up with {}", p.name),
                format!("met{when}{at}; no follow-up logged since"),
            )
        } else {
            let cadence = p
                .cadence
                .or_else(|| p.circle.and_then(|c| vault.config.circle_cadence(c)))
                .map(|c| format!("every {c}"))
                .unwrap_or_default();
            let circle = p
                .circle
                .map(|c| format!("{} circle, ", c.as_str()))
                .unwrap_or_default();
            let last = vault
                .last_contact(i, as_of)
                .map(|t| format!("; last contact {}", t.date))
                .unwrap_or_default();
            (
                format!("Check in with {}", p.name),
                format!("{circle}{cadence}{last}"),
            )
        };
        out.push(Item {
            key: vec![format!("{kind:?}"), path.clone(), String::new()],
            due: r.due,
            summary,
            description: format!("{what}\n{path}:{}", r.line),
            done: None,
        });
    }
    let ahead_undated = vault
        .config
        .usize_or("digest.undated_promise_days", UNDATED_PROMISE_DAYS)
        as i64;
    for it in promise_items(vault) {
        let pr = it.pr;
        let done_on = pr.done.then(|| marker(&pr.text, "✅"));
        let due = match (pr.due, pr.created) {
            (Some(d), _) => d,
            (None, Some(c)) => c
                .checked_add_signed(chrono::Duration::days(ahead_undated))
                .unwrap_or(c),
            (None, None) => match done_on {
                Some(Some(d)) => d,
                _ => continue,
            },
        };
        if pr.due.is_none() && !pr.done && due > as_of {
            // An undated promise is a reminder only once it has waited a while.
            continue;
        }
        if let Some(done) = done_on {
            let last = done.unwrap_or(due).max(due);
            if (as_of - last).num_days() > DONE_KEPT_DAYS {
                continue;
            }
        }
        let path = it.path.to_string_lossy().into_owned();
        let mut what = format!("you promised: {}", task_text(&pr.text));
        match (pr.due, pr.created) {
            (Some(d), _) => what.push_str(&format!(" (due {d})")),
            (None, Some(c)) => what.push_str(&format!(" (open since {c})")),
            (None, None) => {}
        }
        if let Some(d) = done_on {
            what.push_str(&match d {
                Some(d) => format!("; done {d}"),
                None => "; done".into(),
            });
        }
        out.push(Item {
            key: vec![
                "Promise".into(),
                path.clone(),
                promise_identity(&pr.text),
                it.ordinal.to_string(),
            ],
            due,
            summary: format!("Promise to {}", it.names.join(" & ")),
            description: format!("{what}\n{path}:{}", pr.line),
            // A done task without `✅ date` has no known day: claiming the
            // export's day would move the completion date every day.
            done: done_on,
        });
    }
    out
}

/// The digest's reminders as iCalendar: follow-ups, check-ins and promises
/// as VTODO with DUE (or all-day VEVENTs with `as_events`, since Google
/// Calendar shows no VTODO), and every birthday as a yearly all-day VEVENT.
///
/// It stays true when a calendar app re-reads it later: descriptions carry
/// dates, never "in 3 days"; done promises are `STATUS:COMPLETED`; overdue
/// events sit on `as_of`, not in the past; UIDs depend on what a reminder is
/// about (kind, note path, a promise's text without dates), never on dates or
/// display strings, so a newer export updates entries instead of duplicating
/// them. `DTSTAMP` is the start of `now_utc`'s day, so exports on one day are
/// byte-identical (and `--out` rewrites the file only when something changed).
pub fn ics(
    vault: &Vault,
    as_of: Date,
    as_events: bool,
    now_utc: chrono::DateTime<chrono::Utc>,
) -> String {
    let stamp = now_utc.format("%Y%m%dT000000Z").to_string();
    let mut o = String::new();
    let mut line = |s: String| o.push_str(&fold(&s));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//kith//kith reminders//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("X-WR-CALNAME:kith".into());
    for it in items(vault, as_of) {
        let key: Vec<&str> = it.key.iter().map(String::as_str).collect();
        if as_events {
            if it.done.is_some() {
                // An event cannot be ticked: a done promise leaves the calendar.
                continue;
            }
            // Overdue is today's job, not a day in the past nobody looks at.
            let day = it.due.max(as_of);
            let mut parts = vec!["event"];
            parts.extend(&key);
            line("BEGIN:VEVENT".into());
            line(format!("UID:{}", uid(&parts)));
            line(format!("DTSTAMP:{stamp}"));
            line(format!("DTSTART;VALUE=DATE:{}", ics_date(day)));
            line(format!(
                "DTEND;VALUE=DATE:{}",
                ics_date(crate::date::add_days(day, 1))
            ));
            line(format!("SUMMARY:{}", escape(&it.summary)));
            line(format!("DESCRIPTION:{}", escape(&it.description)));
            line("TRANSP:TRANSPARENT".into());
            line("END:VEVENT".into());
        } else {
            let mut parts = vec!["todo"];
            parts.extend(&key);
            line("BEGIN:VTODO".into());
            line(format!("UID:{}", uid(&parts)));
            line(format!("DTSTAMP:{stamp}"));
            line(format!("DUE;VALUE=DATE:{}", ics_date(it.due)));
            line(format!("SUMMARY:{}", escape(&it.summary)));
            line(format!("DESCRIPTION:{}", escape(&it.description)));
            match it.done {
                Some(d) => {
                    line("STATUS:COMPLETED".into());
                    // COMPLETED must be UTC; noon UTC is the same calendar day
                    // from UTC-11 to UTC+11, where midnight UTC showed the day
                    // before in every zone west of Greenwich.
                    if let Some(d) = d {
                        line(format!("COMPLETED:{}T120000Z", ics_date(d)));
                    }
                    line("PERCENT-COMPLETE:100".into());
                }
                None => line("STATUS:NEEDS-ACTION".into()),
            }
            line("END:VTODO".into());
        }
    }
    for (_, n, p) in vault.people() {
        let Some(b) = p.birthday else { continue };
        birthday_event(&mut line, n, p, b, &stamp);
    }
    line("END:VCALENDAR".into());
    o
}

fn birthday_event(line: &mut impl FnMut(String), n: &Note, p: &Person, b: Birthday, stamp: &str) {
    // A year-less birthday starts in 2000, a leap year, so 29 February exists.
    let year = b.year.unwrap_or(2000);
    let start = chrono::NaiveDate::from_ymd_opt(year, b.month, b.day)
        .or_else(|| chrono::NaiveDate::from_ymd_opt(2000, b.month, b.day))
        .unwrap_or_default();
    let path = n.path.to_string_lossy();
    line("BEGIN:VEVENT".into());
    line(format!("UID:{}", uid(&["birthday", &path])));
    line(format!("DTSTAMP:{stamp}"));
    line(format!("DTSTART;VALUE=DATE:{}", ics_date(start)));
    line(format!(
        "DTEND;VALUE=DATE:{}",
        ics_date(crate::date::add_days(start, 1))
    ));
    // 29 February still reminds every year: on the last day of February.
    line(if b.month == 2 && b.day == 29 {
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1".into()
    } else {
        "RRULE:FREQ=YEARLY".into()
    });
    line(format!(
        "SUMMARY:{}",
        escape(&format!("{}'s birthday", p.name))
    ));
    let born = b.year.map(|_| format!("born {b}\n")).unwrap_or_default();
    line(format!(
        "DESCRIPTION:{}",
        escape(&format!("{born}{path}:1"))
    ));
    line("TRANSP:TRANSPARENT".into());
    line("END:VEVENT".into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_never_splits_utf8_and_keeps_75_octets() {
        let long = format!("NOTE:{}", "é".repeat(100));
        let folded = fold(&long);
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
            assert!(std::str::from_utf8(l.as_bytes()).is_ok());
        }
        let back: String = folded.replace("\r\n ", "").replace("\r\n", "");
        assert_eq!(back, long);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        // Every kind of line break is one escaped newline; other controls go.
        assert_eq!(escape("a\r\nb\rc\u{7}\u{1b}d\u{2028}"), "a\\nb\\ncd");
        assert_eq!(
            uri("https://x.example/\r\nEND:VCARD a"),
            "https://x.example/END:VCARDa"
        );
    }

    #[test]
    fn uids_are_one_per_path_and_one_line() {
        assert_eq!(vcard_uid(Path::new("people/lena.md")), "kith-lena");
        assert_eq!(
            vcard_uid(Path::new("people/team/lena.md")),
            "kith-team/lena"
        );
        assert_eq!(
            vcard_uid(Path::new("contacts/lena.md")),
            "kith-/contacts/lena"
        );
        assert_eq!(
            vcard_uid(Path::new("people/a\nb 🎉.md")),
            "kith-a%0Ab%20%F0%9F%8E%89"
        );
        assert_ne!(
            vcard_uid(Path::new("people/a b.md")),
            vcard_uid(Path::new("people/a%20b.md"))
        );
    }

    fn n(name: &str) -> [String; 5] {
        let p = split_name(name);
        [p.family, p.given, p.additional, p.prefix, p.suffix]
    }

    #[test]
    fn names_split_the_way_clients_expect() {
        assert_eq!(
            n("Ludwig van Beethoven"),
            ["van Beethoven", "Ludwig", "", "", ""]
        );
        assert_eq!(
            n("Vincent van der Berg"),
            ["van der Berg", "Vincent", "", "", ""]
        );
        assert_eq!(n("山田 太郎"), ["山田", "太郎", "", "", ""]);
        assert_eq!(n("山田太郎"), ["山田太郎", "", "", "", ""]);
        assert_eq!(n("Smith, John; Jr."), ["Smith", "John", "", "", "Jr."]);
        assert_eq!(n("Smith, Jane; PhD"), ["Smith", "Jane", "", "", "PhD"]);
        assert_eq!(n("Madonna"), ["", "Madonna", "", "", ""]);
        assert_eq!(
            n("Anna Maria Schmidt"),
            ["Schmidt", "Anna", "Maria", "", ""]
        );
        assert_eq!(n("Dr. Jane Doe III"), ["Doe", "Jane", "", "Dr.", "III"]);
        assert_eq!(n("  "), ["", "", "", "", ""]);
    }

    #[test]
    fn promise_identity_ignores_dates_ticks_and_spacing() {
        let open = promise_identity("send the article 📅 2026-11-19");
        assert_eq!(
            open,
            promise_identity("Send  the article 📅 2026-12-01 ✅ 2026-11-21")
        );
        assert_ne!(open, promise_identity("send the article (the short one)"));
    }
}
