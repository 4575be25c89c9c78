//! Exporting people as vCard and reminders as iCalendar, for real clients.
//!
//! Written by hand (both formats are small line protocols): CRLF line ends,
//! lines folded at 75 octets without splitting a UTF-8 character, RFC
//! escaping of `\`, `,`, `;` and newlines.

use crate::date::{Birthday, Date};
use crate::digest::{self, ReminderKind};
use crate::model::Person;
use crate::note::Note;
use crate::vault::Vault;
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;

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

/// Escapes a TEXT value.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            ',' => o.push_str("\\,"),
            ';' => o.push_str("\\;"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o
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

fn split_name(name: &str) -> (String, String) {
    match name.trim().rsplit_once(' ') {
        Some((given, family)) => (family.to_string(), given.to_string()),
        None => (name.trim().to_string(), String::new()),
    }
}

/// One vCard per person, version 3 or 4; `redact` leaves out emails and phones.
pub fn vcards(vault: &Vault, version: u8, redact: bool) -> String {
    let mut out = String::new();
    for (_, n, p) in vault.people() {
        let text = std::fs::read_to_string(vault.root.join(&n.path)).unwrap_or_default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        card(&mut out, n, p, &bio(n, text), version, redact);
    }
    out
}

fn card(out: &mut String, n: &Note, p: &Person, bio: &str, version: u8, redact: bool) {
    let mut line = |s: String| out.push_str(&fold(&s));
    line("BEGIN:VCARD".into());
    line(format!(
        "VERSION:{}",
        if version == 4 { "4.0" } else { "3.0" }
    ));
    line(format!("UID:kith-{}", n.stem()));
    line(format!("FN:{}", escape(&p.name)));
    let (family, given) = split_name(&p.name);
    line(format!("N:{};{};;;", escape(&family), escape(&given)));
    if !redact {
        for e in &p.emails {
            line(if version == 4 {
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
    if let Some(b) = p.birthday {
        line(match (b.year, version) {
            (Some(y), 4) => format!("BDAY:{y:04}{:02}{:02}", b.month, b.day),
            (Some(y), _) => format!("BDAY:{y:04}-{:02}-{:02}", b.month, b.day),
            (None, 4) => format!("BDAY:--{:02}{:02}", b.month, b.day),
            // vCard 3.0 has no year-less date; Apple's convention is read everywhere.
            (None, _) => format!(
                "BDAY;X-APPLE-OMIT-YEAR=1604:1604-{:02}-{:02}",
                b.month, b.day
            ),
        });
    }
    if !p.tags.is_empty() {
        line(format!(
            "CATEGORIES:{}",
            p.tags
                .iter()
                .map(|t| escape(t))
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    for (i, (label, url)) in p.links.iter().enumerate() {
        line(format!("item{}.URL:{}", i + 1, url));
        line(format!("item{}.X-ABLabel:{}", i + 1, escape(label)));
    }
    if !bio.is_empty() {
        line(format!("NOTE:{}", escape(bio)));
    }
    line("END:VCARD".into());
}

fn uid(parts: &[&str]) -> String {
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

/// The digest's reminders as iCalendar: follow-ups, check-ins and promises
/// as VTODO with DUE (or all-day VEVENTs with `as_events`, since Google
/// Calendar shows no VTODO), and every birthday as a yearly all-day VEVENT.
/// UIDs depend on what a reminder is about, not on its dates, so a re-import
/// updates rather than duplicates.
pub fn ics(
    vault: &Vault,
    as_of: Date,
    as_events: bool,
    now_utc: chrono::DateTime<chrono::Utc>,
) -> String {
    let stamp = now_utc.format("%Y%m%dT%H%M%SZ").to_string();
    let mut o = String::new();
    let mut line = |s: String| o.push_str(&fold(&s));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//kith//kith reminders//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("X-WR-CALNAME:kith".into());
    for r in digest::reminders(vault, as_of) {
        let (summary, key) = match r.kind {
            ReminderKind::FollowUp => (format!("Follow up with {}", r.name), String::new()),
            ReminderKind::CheckIn => (format!("Check in with {}", r.name), String::new()),
            ReminderKind::Promise => (format!("Promise to {}", r.name), r.reason.clone()),
            // Birthdays are exported as yearly events below; events are already events.
            ReminderKind::Birthday | ReminderKind::Event | ReminderKind::Intro => continue,
        };
        let kind = format!("{:?}", r.kind);
        let path = r.path.to_string_lossy();
        let key = if r.kind == ReminderKind::Promise {
            // A promise is its note and its text (minus the changing "due in N days").
            key.split(" (").next().unwrap_or(&key).to_string()
        } else {
            key
        };
        let desc = format!("{}\n{}:{}", r.reason, path, r.line);
        if as_events {
            line("BEGIN:VEVENT".into());
            line(format!("UID:{}", uid(&["event", &kind, &path, &key])));
            line(format!("DTSTAMP:{stamp}"));
            line(format!("DTSTART;VALUE=DATE:{}", ics_date(r.due)));
            line(format!(
                "DTEND;VALUE=DATE:{}",
                ics_date(r.due + chrono::Duration::days(1))
            ));
            line(format!("SUMMARY:{}", escape(&summary)));
            line(format!("DESCRIPTION:{}", escape(&desc)));
            line("TRANSP:TRANSPARENT".into());
            line("END:VEVENT".into());
        } else {
            line("BEGIN:VTODO".into());
            line(format!("UID:{}", uid(&["todo", &kind, &path, &key])));
            line(format!("DTSTAMP:{stamp}"));
            line(format!("DUE;VALUE=DATE:{}", ics_date(r.due)));
            line(format!("SUMMARY:{}", escape(&summary)));
            line(format!("DESCRIPTION:{}", escape(&desc)));
            line("STATUS:NEEDS-ACTION".into());
            line("END:VTODO".into());
        }
    }
    for (_, n, p) in vault.people() {
        let Some(b) = p.birthday else { continue };
        let _ = birthday_event(&mut line, n, p, b, &stamp);
    }
    line("END:VCALENDAR".into());
    o
}

fn birthday_event(
    line: &mut impl FnMut(String),
    n: &Note,
    p: &Person,
    b: Birthday,
    stamp: &str,
) -> std::fmt::Result {
    // A year-less birthday starts in 2000, a leap year, so 29 February exists.
    let year = b.year.unwrap_or(2000);
    let start = chrono::NaiveDate::from_ymd_opt(year, b.month, b.day)
        .or_else(|| chrono::NaiveDate::from_ymd_opt(2000, b.month, b.day))
        .unwrap_or_default();
    let mut desc = String::new();
    write!(desc, "{}:1", n.path.display())?;
    line("BEGIN:VEVENT".into());
    line(format!(
        "UID:{}",
        uid(&["birthday", &n.path.to_string_lossy()])
    ));
    line(format!("DTSTAMP:{stamp}"));
    line(format!("DTSTART;VALUE=DATE:{}", ics_date(start)));
    line(format!(
        "DTEND;VALUE=DATE:{}",
        ics_date(start + chrono::Duration::days(1))
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
    line(format!("DESCRIPTION:{}", escape(&desc)));
    line("TRANSP:TRANSPARENT".into());
    line("END:VEVENT".into());
    Ok(())
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
    }
}
