//! Importing contacts: vCard files, LinkedIn and Google CSV exports.
//!
//! An import never clobbers a note and never creates a duplicate: every
//! contact is matched against the vault by email, then by name and aliases
//! (case and accents ignored). An existing person is never overwritten; what
//! is new is reported, and `--merge` adds the fields the note lacks with a
//! surgical front-matter edit. Notes are created atomically, so importing the
//! same file twice changes nothing.

pub mod csv;
pub mod vcard;

use crate::error::{Error, Result};
use crate::text::{fold, slugify};
use crate::vault::Vault;
use crate::write::{self, Snapshot};
use crate::yaml::quote;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// A contact read from an export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub org: Option<String>,
    pub role: Option<String>,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub birthday: Option<String>,
    pub bio: Option<String>,
    /// (label, URL).
    pub links: Vec<(String, String)>,
    pub tags: Vec<String>,
    /// The day you connected (`met`).
    pub met: Option<String>,
    /// Where in the file it came from, for the report.
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub name: String,
    pub path: Option<PathBuf>,
    pub reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub created: Vec<Outcome>,
    pub merged: Vec<Outcome>,
    pub skipped: Vec<Outcome>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub dry_run: bool,
    pub merge: bool,
}

/// Front-matter lines for the fields of `c` that `has` says are missing.
fn field_lines(c: &Contact, has: &dyn Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut v = Vec::new();
    let list = |items: &[String]| {
        items
            .iter()
            .map(|e| format!("\n  - {}", quote(e)))
            .collect::<String>()
    };
    if !c.emails.is_empty() && !has("emails") {
        v.push(("emails".into(), format!("emails:{}", list(&c.emails))));
    }
    if !c.phones.is_empty() && !has("phones") {
        v.push(("phones".into(), format!("phones:{}", list(&c.phones))));
    }
    for (k, val) in [("org", &c.org), ("role", &c.role)] {
        if let Some(val) = val
            && !has(k)
        {
            v.push((k.into(), format!("{k}: {}", quote(val))));
        }
    }
    if !c.tags.is_empty() && !has("tags") {
        v.push(("tags".into(), format!("tags:{}", list(&c.tags))));
    }
    if let Some(b) = &c.birthday
        && !has("birthday")
    {
        // Dates stay plain so Obsidian sees a date; `--MM-DD` must be quoted.
        let b = if b.starts_with("--") {
            quote(b)
        } else {
            b.clone()
        };
        v.push(("birthday".into(), format!("birthday: {b}")));
    }
    if let Some(m) = &c.met
        && !has("met")
    {
        v.push(("met".into(), format!("met: {m}")));
    }
    if !c.links.is_empty() && !has("links") {
        let mut s = String::from("links:");
        let mut seen = Vec::new();
        for (label, url) in &c.links {
            let mut key = slugify(label).replace('-', "_");
            if key == "person" {
                key = "website".into();
            }
            let mut k = key.clone();
            let mut n = 2;
            while seen.contains(&k) {
                k = format!("{key}_{n}");
                n += 1;
            }
            seen.push(k.clone());
            s.push_str(&format!("\n  {k}: {}", quote(url)));
        }
        v.push(("links".into(), s));
    }
    v
}

/// The text of a new person note.
pub fn note_text(c: &Contact) -> String {
    let mut s = format!("---\nname: {}\n", quote(c.name.trim()));
    for (_, l) in field_lines(c, &|_| false) {
        s.push_str(&l);
        s.push('\n');
    }
    s.push_str("---\n\n");
    if let Some(bio) = &c.bio {
        s.push_str(bio.trim());
        s.push_str("\n\n");
    }
    s.push_str("## Log\n");
    s
}

/// Imports contacts into the vault.
pub fn import(vault: &Vault, contacts: Vec<Contact>, opts: Options) -> Result<Report> {
    let mut by_email: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, _, p) in vault.people() {
        for e in &p.emails {
            by_email.insert(e.to_lowercase(), i);
        }
        for n in std::iter::once(&p.name).chain(&p.aliases) {
            by_name.insert(fold(n), i);
        }
    }
    // Contacts created in this run, so a file listing someone twice makes one note.
    let mut made_email: HashMap<String, PathBuf> = HashMap::new();
    let mut made_name: HashMap<String, PathBuf> = HashMap::new();
    let mut report = Report::default();
    for c in contacts {
        let name = c.name.trim().to_string();
        if name.is_empty() {
            report.skipped.push(Outcome {
                name: c
                    .emails
                    .first()
                    .cloned()
                    .unwrap_or_else(|| c.source.clone()),
                path: None,
                reason: format!("no name ({})", c.source),
            });
            continue;
        }
        let existing = c
            .emails
            .iter()
            .find_map(|e| by_email.get(&e.to_lowercase()).map(|i| (*i, "email")))
            .or_else(|| by_name.get(&fold(&name)).map(|i| (*i, "name")));
        if let Some((i, how)) = existing {
            report_existing(vault, i, how, &c, opts, &mut report)?;
            continue;
        }
        let dup = c
            .emails
            .iter()
            .find_map(|e| made_email.get(&e.to_lowercase()))
            .or_else(|| made_name.get(&fold(&name)));
        if let Some(p) = dup {
            report.skipped.push(Outcome {
                name,
                path: Some(p.clone()),
                reason: "listed twice in the import; the first was used".into(),
            });
            continue;
        }
        let base = slugify(&name);
        let mut rel = PathBuf::from("people").join(format!("{base}.md"));
        let mut n = 2;
        while vault.root.join(&rel).exists() {
            rel = PathBuf::from("people").join(format!("{base}-{n}.md"));
            n += 1;
        }
        if !opts.dry_run {
            write::create_new(&vault.root.join(&rel), note_text(&c).as_bytes())?;
        }
        for e in &c.emails {
            made_email.insert(e.to_lowercase(), rel.clone());
        }
        made_name.insert(fold(&name), rel.clone());
        report.created.push(Outcome {
            name,
            path: Some(rel),
            reason: format!("new ({})", c.source),
        });
    }
    Ok(report)
}

fn report_existing(
    vault: &Vault,
    i: usize,
    how: &str,
    c: &Contact,
    opts: Options,
    report: &mut Report,
) -> Result<()> {
    let note = &vault.notes[i];
    let Some(p) = note.person.as_ref() else {
        return Ok(());
    };
    let has = |k: &str| note.front.as_ref().is_some_and(|f| f.get(k).is_some());
    let missing = field_lines(c, &has);
    // New values for fields the note already has are reported, never merged.
    let mut extra = Vec::new();
    for e in &c.emails {
        if has("emails") && !p.emails.iter().any(|x| x.eq_ignore_ascii_case(e)) {
            extra.push(format!("email {e}"));
        }
    }
    for ph in &c.phones {
        if has("phones") && !p.phones.contains(ph) {
            extra.push(format!("phone {ph}"));
        }
    }
    let keys: Vec<&str> = missing.iter().map(|(k, _)| k.as_str()).collect();
    let mut reason = format!("already in the vault (same {how})");
    if !keys.is_empty() && !opts.merge {
        reason.push_str(&format!("; new: {} (use --merge to add)", keys.join(", ")));
    }
    if !extra.is_empty() {
        reason.push_str(&format!(
            "; also differs: {} (add by hand)",
            extra.join(", ")
        ));
    }
    if keys.is_empty() && extra.is_empty() {
        reason.push_str("; nothing new");
    }
    if opts.merge && !keys.is_empty() {
        if !opts.dry_run {
            merge_into(vault, i, &missing)?;
        }
        report.merged.push(Outcome {
            name: p.name.clone(),
            path: Some(note.path.clone()),
            reason: format!(
                "added {}{}",
                keys.join(", "),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!("; also differs: {} (add by hand)", extra.join(", "))
                }
            ),
        });
    } else {
        report.skipped.push(Outcome {
            name: p.name.clone(),
            path: Some(note.path.clone()),
            reason,
        });
    }
    Ok(())
}

/// Inserts front-matter lines just before the closing `---`, in the file's own
/// line ending; every other byte stays as it was.
fn merge_into(vault: &Vault, i: usize, lines: &[(String, String)]) -> Result<()> {
    let note = &vault.notes[i];
    let Some(fm) = &note.front else {
        return Err(Error::Refused(format!(
            "{} has no front matter to merge into",
            note.path.display()
        )));
    };
    let path = vault.root.join(&note.path);
    let snap = Snapshot::read(&path)?;
    let text = String::from_utf8(snap.bytes.clone()).map_err(|_| {
        Error::Refused(format!(
            "{} is not valid UTF-8; kith will not write into it",
            note.path.display()
        ))
    })?;
    let nl = if note.crlf { "\r\n" } else { "\n" };
    // Byte offset of the start of the closing fence's line.
    let mut offset = 0;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == fm.close_line {
            break;
        }
        offset += l.len();
    }
    let mut insert = String::new();
    for (_, l) in lines {
        insert.push_str(&l.replace('\n', nl));
        insert.push_str(nl);
    }
    let mut new = snap.bytes[..offset].to_vec();
    new.extend_from_slice(insert.as_bytes());
    new.extend_from_slice(&snap.bytes[offset..]);
    snap.replace(&new)
}
