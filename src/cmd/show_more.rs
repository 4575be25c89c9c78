//! What `kith show PERSON` adds beyond the front matter: the note's own prose
//! (before its log), who mentions the person (backlinks), and the
//! introductions made for them (entries tagged `#intro` or `#intro/…`).

use crate::vault::Vault;
use serde::Serialize;
use std::path::PathBuf;

/// A place another note mentions the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backlink {
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub line: usize,
    /// The mentioning entry's heading title, else the note's title.
    pub title: String,
    /// The entry's date, when the mention sits in a dated entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<crate::date::Date>,
}

/// An introduction logged with `#intro` (or `#intro/made`, `#intro/asked`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntroMade {
    pub date: crate::date::Date,
    pub title: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub line: usize,
    /// The tag as written, without `#`: `intro` or `intro/…`.
    pub tag: String,
    /// The other people the entry links.
    pub with: Vec<String>,
}

/// The text of a note between its front matter and its log (an imported
/// vCard NOTE, a description written by hand), trimmed; `None` when blank.
/// Read from the file, since parsed notes keep only their entries.
pub fn prose(vault: &Vault, idx: usize) -> Option<String> {
    let n = &vault.notes[idx];
    let first = |n: &crate::note::Note| {
        n.entries
            .iter()
            .map(|e| e.line as usize)
            .min()
            .unwrap_or(usize::MAX)
    };
    // The text the model was built from, cut by the model's lines; a note
    // changed since is cut by the lines of a parse of it as it is now (the
    // model's lines cut another text's front matter or entries as prose).
    let (text, body_line, first_entry) = match vault.note_text(idx) {
        Some(t) => (t.to_string(), n.body_line, first(n)),
        None => {
            let bytes = vault.note_bytes_now(idx)?;
            let again = crate::note::parse(&n.path, &bytes);
            let t = again.text.as_deref().unwrap_or_default().to_string();
            (t, again.body_line, first(&again))
        }
    };
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let no = i + 1;
        if no < body_line {
            continue;
        }
        // A setext `Log` (the line under it all `=` or `-`) starts the log
        // as `## Log` does: it is not the person's prose.
        let setext_log = line.trim().eq_ignore_ascii_case("log")
            && lines.peek().is_some_and(|(_, u)| is_setext_underline(u));
        if no >= first_entry || is_log_heading(line) || setext_log {
            break;
        }
        out.push(line.trim_end());
    }
    let s = out.join("\n");
    let s = s.trim_matches(['\n', ' ', '\t', '\u{feff}']);
    (!s.is_empty()).then(|| s.to_string())
}

fn is_setext_underline(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && (t.bytes().all(|b| b == b'=') || t.bytes().all(|b| b == b'-'))
}

fn is_log_heading(line: &str) -> bool {
    let t = line.trim_start();
    let hashes = t.len() - t.trim_start_matches('#').len();
    (1..=6).contains(&hashes) && t[hashes..].trim().eq_ignore_ascii_case("log")
}

/// Every link to the person from another note, in vault order.
pub fn backlinks(vault: &Vault, idx: usize) -> Vec<Backlink> {
    let mut out: Vec<Backlink> = Vec::new();
    // (note, line) already listed: a set, since a journal may link someone on
    // every one of its lines; and only the first few are shown, so a huge
    // title is never copied thousands of times.
    let mut seen: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for (j, n) in vault.notes.iter().enumerate() {
        if j == idx {
            continue;
        }
        for l in &n.links {
            if out.len() >= MAX_BACKLINKS {
                return out;
            }
            if !seen.insert((j, l.line as usize)) || vault.resolve_one(&l.target) != Some(idx) {
                continue;
            }
            let entry = l.entry.and_then(|e| n.entries.get(e as usize));
            let title = match entry {
                Some(e) if !e.title.is_empty() => e.title.to_string(),
                _ => n.title.clone(),
            };
            out.push(Backlink {
                path: n.path.clone(),
                line: l.line as usize,
                title,
                date: entry.map(|e| e.date),
            });
        }
    }
    out
}

/// How many backlinks `kith show` lists (`kith search --person` finds all).
const MAX_BACKLINKS: usize = 50;

/// Entries tagged `#intro…` in the person's own note, or anywhere else
/// linking them, oldest first.
pub fn intros(vault: &Vault, idx: usize) -> Vec<IntroMade> {
    let mut out = Vec::new();
    for (j, n) in vault.notes.iter().enumerate() {
        for e in &n.entries {
            let Some(tag) = e.tags().iter().find(|t| {
                t.eq_ignore_ascii_case("intro") || t.to_ascii_lowercase().starts_with("intro/")
            }) else {
                continue;
            };
            let linked = vault.entry_links(j, e, 64, false);
            if j != idx && !linked.contains(&idx) {
                continue;
            }
            let mut with: Vec<String> = linked
                .iter()
                .filter(|k| **k != idx && vault.notes[**k].person.is_some())
                .map(|k| vault.notes[*k].title.clone())
                .collect();
            if j != idx && n.person.is_some() {
                with.insert(0, n.title.clone());
            }
            out.push(IntroMade {
                date: e.date,
                title: e.title.to_string(),
                path: n.path.clone(),
                line: e.line as usize,
                tag: tag.to_string(),
                with,
            });
        }
    }
    out.sort_by(|a, b| (a.date, &a.path, a.line).cmp(&(b.date, &b.path, b.line)));
    out
}
