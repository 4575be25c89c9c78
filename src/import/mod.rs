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
    /// Other names (vCard `NICKNAME`, Google's `Nickname`).
    pub aliases: Vec<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub org: Option<String>,
    pub role: Option<String>,
    /// Free text: a city, or an address on one line.
    pub location: Option<String>,
    /// The card describes an organisation (Apple's `X-ABShowAs:COMPANY`).
    pub is_org: bool,
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
    /// Contacts that could not be written, with the reason.
    pub failed: Vec<Outcome>,
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
    if !c.aliases.is_empty() && !has("aliases") {
        v.push(("aliases".into(), format!("aliases:{}", list(&c.aliases))));
    }
    if !c.emails.is_empty() && !has("emails") {
        v.push(("emails".into(), format!("emails:{}", list(&c.emails))));
    }
    if !c.phones.is_empty() && !has("phones") {
        v.push(("phones".into(), format!("phones:{}", list(&c.phones))));
    }
    for (k, val) in [
        ("org", &c.org),
        ("role", &c.role),
        ("location", &c.location),
    ] {
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
            // Quoted when another YAML reader would retype it: a label
            // `null`, `true` or `123` must stay a string key.
            s.push_str(&format!("\n  {}: {}", quote(&k), quote(url)));
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

/// The text of an organisation's note (`orgs/…`): not a person, so it gets
/// a `title:` (the note's name for links) and no person fields kith would
/// check as one; contact details stay in the front matter.
pub fn org_note_text(c: &Contact) -> String {
    let mut s = format!("---\ntitle: {}\ntype: other\n", quote(c.name.trim()));
    let d = Contact {
        org: None,
        role: None,
        ..c.clone()
    };
    for (_, l) in field_lines(&d, &|k| k == "birthday" || k == "met") {
        s.push_str(&l);
        s.push('\n');
    }
    s.push_str("---\n\n");
    if let Some(bio) = &c.bio {
        s.push_str(bio.trim());
        s.push('\n');
    }
    s
}

/// Group labels exporters add to every contact (Google's `myContacts`,
/// `starred`): not the user's tags.
pub fn is_system_label(l: &str) -> bool {
    let l = l.trim().trim_start_matches("* ").trim().to_lowercase();
    matches!(
        l.as_str(),
        "mycontacts" | "my contacts" | "starred" | "other contacts" | "othercontacts" | ""
    )
}

/// One line of text: line-breaking control characters (a newline from a
/// crafted card among them, tab, NEL) become a space, every other control
/// character (NUL, ESC…) goes, runs of spaces collapse, so a value can never
/// carry a line break into a note or, later, an export — and a stray NUL
/// does not split a name or an email address in two.
pub fn one_line(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}' | '\u{85}' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A URL: no whitespace or control character at all.
fn clean_url(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

/// Strips what no note should hold from every value of a contact.
pub fn sanitize(c: &mut Contact) {
    let lines = |v: &mut Vec<String>| {
        for x in v.iter_mut() {
            *x = one_line(x);
        }
        v.retain(|x| !x.is_empty());
    };
    c.name = one_line(&c.name);
    lines(&mut c.aliases);
    lines(&mut c.emails);
    lines(&mut c.phones);
    lines(&mut c.tags);
    for f in [
        &mut c.org,
        &mut c.role,
        &mut c.location,
        &mut c.birthday,
        &mut c.met,
    ] {
        *f = f.as_deref().map(one_line).filter(|s| !s.is_empty());
    }
    for (label, url) in c.links.iter_mut() {
        *label = one_line(label);
        *url = clean_url(url);
    }
    c.links.retain(|(_, u)| !u.is_empty());
    if let Some(b) = c.bio.as_mut() {
        // Prose keeps its line breaks, nothing else invisible.
        *b = b
            .replace("\r\n", "\n")
            .chars()
            .filter(|&ch| ch == '\n' || ch == '\t' || !ch.is_control())
            .collect();
    }
    let alias_of_name = fold(&c.name);
    c.aliases.retain(|a| fold(a) != alias_of_name);
}

/// The largest file kith imports (256 MiB): real exports with photos stay
/// well below it, and an unbounded read of `/dev/zero` would eat all memory.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads an export to import: a regular file only (after following a
/// symlink), never blocking on a FIFO, at most [`MAX_IMPORT_BYTES`].
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let not_regular = |ft: std::fs::FileType| {
        let kind = if ft.is_dir() {
            "a folder"
        } else {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                if ft.is_fifo() {
                    "a named pipe (FIFO)"
                } else if ft.is_char_device() || ft.is_block_device() {
                    "a device file"
                } else if ft.is_socket() {
                    "a socket"
                } else {
                    "not a regular file"
                }
            }
            #[cfg(not(unix))]
            "not a regular file"
        };
        Error::Usage(format!(
            "{}: is {kind}, not an exported file; nothing was imported\n  hint: save the export to a file first, then import that file",
            path.display()
        ))
    };
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a FIFO since the look above, it must not block.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_IMPORT_BYTES) as usize + 1);
    file.take(MAX_IMPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(Error::Usage(format!(
            "{}: larger than the {} MiB kith imports; nothing was imported\n  hint: split the export into smaller files",
            path.display(),
            MAX_IMPORT_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// Windows-1252, what Windows exporters mean by "ANSI" and by Latin-1:
/// 0x80–0x9F are typographic characters (’ “ ” – — €), not C1 controls
/// (read as Latin-1, "O’Brien" became "O Brien").
pub fn cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[(b - 0x80) as usize],
            b => b as char,
        })
        .collect()
}

/// UTF-16 text (with a byte-order mark, or the NULs every other byte of
/// ASCII leaves without one), as Windows tools and older Google CSV exports
/// write it; `None` when the bytes are not UTF-16.
pub fn utf16(bytes: &[u8]) -> Option<String> {
    let (le, body) = if let Some(b) = bytes.strip_prefix(b"\xFF\xFE") {
        (true, b)
    } else if let Some(b) = bytes.strip_prefix(b"\xFE\xFF") {
        (false, b)
    } else {
        // No BOM: ASCII as UTF-16 has a NUL in every other byte.
        let head = &bytes[..bytes.len().min(64) & !1];
        if head.len() < 8 {
            return None;
        }
        let odd = head.iter().skip(1).step_by(2).all(|&b| b == 0);
        let even = head.iter().step_by(2).all(|&b| b == 0);
        match (odd, even) {
            (true, false) => (true, bytes),
            (false, true) => (false, bytes),
            _ => return None,
        }
    };
    let units = body.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// A whole file's text: UTF-16 when it is that, UTF-8 (BOM dropped) when it
/// is valid, else Windows-1252 (never U+FFFD in place of a name's letters).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(s) = utf16(bytes) {
        return s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s);
    }
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => cp1252(b),
    }
}

/// Longest file-name stem kith makes from a name (file systems allow 255
/// bytes; a 300-character name must still import).
const MAX_SLUG: usize = 80;

fn short_slug(name: &str) -> String {
    let slug = slugify(name);
    if slug.len() <= MAX_SLUG {
        return slug;
    }
    // slugify's output is ASCII, so any byte index is a character boundary.
    let cut = &slug[..MAX_SLUG];
    cut.rsplit_once('-')
        .map_or(cut, |(a, _)| a)
        .trim_end_matches('-')
        .to_string()
}

/// A path for a new note that nothing occupies — not a file, not a folder,
/// not a symlink (dangling ones included).
fn free_path(root: &std::path::Path, folder: &str, base: &str) -> PathBuf {
    let taken = |rel: &PathBuf| root.join(rel).symlink_metadata().is_ok();
    let mut rel = PathBuf::from(folder).join(format!("{base}.md"));
    let mut n = 2;
    while taken(&rel) {
        rel = PathBuf::from(folder).join(format!("{base}-{n}.md"));
        n += 1;
    }
    rel
}

/// Why kith will not create notes in `folder`: it is a symbolic link. The
/// vault does not follow linked folders, so a note written through one lands
/// outside the vault (anywhere the link points), is never read back, and every
/// later import of the same file would create it again.
fn linked_folder(root: &std::path::Path, folder: &str) -> Option<String> {
    let meta = root.join(folder).symlink_metadata().ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let target = std::fs::read_link(root.join(folder))
        .map(|t| t.display().to_string())
        .unwrap_or_else(|_| "?".into());
    Some(format!(
        "{folder}/ is a symbolic link (to {target}); kith creates notes only inside the vault and does not follow linked folders — make {folder}/ a real folder"
    ))
}

/// Imports contacts into the vault. A contact that cannot be written (a
/// folder that is not writable, a path taken meanwhile) is reported under
/// `failed` with the reason, and the rest are still imported.
pub fn import(vault: &Vault, contacts: Vec<Contact>, opts: Options) -> Result<Report> {
    let mut by_email: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut orgs: HashMap<String, usize> = HashMap::new();
    for (i, _, p) in vault.people() {
        for e in &p.emails {
            by_email.insert(e.to_lowercase(), i);
        }
        for n in std::iter::once(&p.name).chain(&p.aliases) {
            by_name.insert(fold(n), i);
        }
    }
    for (i, n) in vault.notes.iter().enumerate() {
        if n.person.is_none() && n.path.starts_with("orgs") {
            orgs.insert(fold(&n.title), i);
        }
    }
    // Contacts created in this run, so a file listing someone twice makes one note.
    let (contacts, absorbed) = fold_duplicates(contacts);
    let mut report = Report::default();
    for (c, twins) in contacts.into_iter().zip(absorbed) {
        let lens = [
            report.created.len(),
            report.merged.len(),
            report.skipped.len(),
        ];
        import_one(vault, &c, opts, &by_email, &by_name, &orgs, &mut report);
        // The same contact listed again in the file: its fields went into
        // this one; say where it ended up.
        let first = [&report.created, &report.merged, &report.skipped]
            .into_iter()
            .zip(lens)
            .find_map(|(l, n)| l.get(n))
            .and_then(|o| o.path.clone());
        for (name, why) in twins {
            report.skipped.push(Outcome {
                name,
                path: first.clone(),
                reason: why,
            });
        }
    }
    Ok(report)
}

/// Folds contacts listed more than once in one import (the same email, or
/// the same name where one of them has no email) into the first, keeping
/// every value: the second card's phone or email was dropped ("the first was
/// used"). Two people who share a name but have different emails stay two.
/// Linear: one look-up per email and name.
fn fold_duplicates(contacts: Vec<Contact>) -> (Vec<Contact>, Vec<Vec<(String, String)>>) {
    let mut out: Vec<Contact> = Vec::new();
    let mut twins: Vec<Vec<(String, String)>> = Vec::new();
    let mut by_email: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<(bool, String), usize> = HashMap::new();
    let mut no_email: HashMap<(bool, String), usize> = HashMap::new();
    for mut c in contacts {
        sanitize(&mut c);
        let key = (c.is_org, fold(c.name.trim()));
        let named = !key.1.is_empty();
        let first = c
            .emails
            .iter()
            .find_map(|e| by_email.get(&e.to_lowercase()).copied())
            .or_else(|| {
                if !named {
                    None
                } else if c.emails.is_empty() {
                    by_name.get(&key).copied()
                } else {
                    no_email.get(&key).copied()
                }
            });
        let i = match first {
            Some(i) => {
                let added = absorb(&mut out[i], &c);
                let why = if added.is_empty() {
                    format!("listed twice in the import; nothing new ({})", c.source)
                } else {
                    format!(
                        "listed twice in the import; its {} went into the first ({})",
                        added.join(", "),
                        c.source
                    )
                };
                twins[i].push((c.name.trim().to_string(), why));
                i
            }
            None => {
                out.push(c);
                twins.push(Vec::new());
                out.len() - 1
            }
        };
        let c = &out[i];
        for e in &c.emails {
            by_email.entry(e.to_lowercase()).or_insert(i);
        }
        if named {
            by_name.entry(key.clone()).or_insert(i);
            if c.emails.is_empty() {
                no_email.entry(key).or_insert(i);
            } else if no_email.get(&key) == Some(&i) {
                no_email.remove(&key);
            }
        }
    }
    (out, twins)
}

/// Adds what `b` has and `a` lacks to `a`; the names of the fields that grew.
fn absorb(a: &mut Contact, b: &Contact) -> Vec<&'static str> {
    let mut added = Vec::new();
    let mut union = |what: &'static str, xs: &mut Vec<String>, ys: &[String]| {
        let mut grew = false;
        for y in ys {
            if !xs.iter().any(|x| fold(x) == fold(y)) {
                xs.push(y.clone());
                grew = true;
            }
        }
        if grew {
            added.push(what);
        }
    };
    union("emails", &mut a.emails, &b.emails);
    union("phones", &mut a.phones, &b.phones);
    union("aliases", &mut a.aliases, &b.aliases);
    union("tags", &mut a.tags, &b.tags);
    let mut links = false;
    for l in &b.links {
        if !a.links.iter().any(|x| x.1 == l.1) {
            a.links.push(l.clone());
            links = true;
        }
    }
    if links {
        added.push("links");
    }
    for (what, x, y) in [
        ("org", &mut a.org, &b.org),
        ("role", &mut a.role, &b.role),
        ("location", &mut a.location, &b.location),
        ("birthday", &mut a.birthday, &b.birthday),
        ("bio", &mut a.bio, &b.bio),
        ("met", &mut a.met, &b.met),
    ] {
        if x.is_none() && y.is_some() {
            x.clone_from(y);
            added.push(what);
        }
    }
    added
}

#[allow(clippy::too_many_arguments)]
fn import_one(
    vault: &Vault,
    c: &Contact,
    opts: Options,
    by_email: &HashMap<String, usize>,
    by_name: &HashMap<String, usize>,
    orgs: &HashMap<String, usize>,
    report: &mut Report,
) {
    {
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
            return;
        }
        if c.is_org {
            if let Some(&i) = orgs.get(&fold(&name)) {
                report.skipped.push(Outcome {
                    name,
                    path: Some(vault.notes[i].path.clone()),
                    reason: "organisation already in the vault (same name)".into(),
                });
                return;
            }
        } else {
            let existing = c
                .emails
                .iter()
                .find_map(|e| by_email.get(&e.to_lowercase()).map(|i| (*i, "email")))
                .or_else(|| by_name.get(&fold(&name)).map(|i| (*i, "name")));
            if let Some((i, how)) = existing {
                if let Err(e) = report_existing(vault, i, how, c, opts, report) {
                    report.failed.push(Outcome {
                        name,
                        path: Some(vault.notes[i].path.clone()),
                        reason: e.to_string(),
                    });
                }
                return;
            }
        }
        let (folder, text, what) = if c.is_org {
            (
                "orgs",
                org_note_text(c),
                "new organisation (a company card: a note in orgs/, not a person)",
            )
        } else {
            ("people", note_text(c), "new")
        };
        if let Some(why) = linked_folder(&vault.root, folder) {
            report.failed.push(Outcome {
                name,
                path: None,
                reason: format!("{why} ({})", c.source),
            });
            return;
        }
        let rel = free_path(&vault.root, folder, &short_slug(&name));
        if !opts.dry_run
            && let Err(e) = write::create_new(&vault.root.join(&rel), text.as_bytes())
        {
            report.failed.push(Outcome {
                name,
                path: Some(rel),
                reason: format!("{e} ({})", c.source),
            });
            return;
        }
        report.created.push(Outcome {
            name,
            path: Some(rel),
            reason: format!("{what} ({})", c.source),
        });
    }
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
    for (what, mine, theirs) in [
        ("org", &p.org, &c.org),
        ("role", &p.role, &c.role),
        ("location", &p.location, &c.location),
    ] {
        if let (Some(mine), Some(theirs)) = (mine, theirs)
            && fold(mine) != fold(theirs)
        {
            extra.push(format!("{what} {theirs:?} (the note has {mine:?})"));
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
