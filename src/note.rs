//! Parsing one note: front matter, typed fields, log entries, promises, links, tags.
//!
//! [`parse`] takes any bytes and always returns a [`Note`]: what could not be
//! understood becomes a [`Diagnostic`] with its line and column, never a panic.

use crate::date::{self, Birthday, Cadence, Date};
use crate::diag::Diagnostic;
use crate::model::{Circle, Event, Link, LogEntry, Met, NoteKind, Person, Promise, Resource};
use crate::text::{self, line_col, line_starts};
use crate::yaml::{self, KeySpan, Yaml};
use pulldown_cmark::{Event as Md, LinkType, Options, Parser, Tag, TagEnd};
use std::path::{Path, PathBuf};

/// Front-matter keys of a person note (docs/format.md).
pub const PERSON_KEYS: &[&str] = &[
    "name",
    "aliases",
    "emails",
    "phones",
    "org",
    "role",
    "location",
    "tags",
    "interests",
    "values",
    "needs",
    "offers",
    "met",
    "introduced_by",
    "circle",
    "cadence",
    "birthday",
    "last_contact",
    "intro_ok",
    "snooze_until",
    "links",
    "type",
];

/// The parsed front matter: the value plus where each top-level key sits.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    pub value: Yaml,
    pub spans: Vec<KeySpan>,
    /// 1-based file line of the first YAML line (the line after `---`).
    pub first_line: usize,
    /// 1-based file line of the closing `---`.
    pub close_line: usize,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.value.get(key)
    }

    /// 1-based file line and column of a key's value (line 1 if the key is absent).
    pub fn pos(&self, key: &str) -> (usize, usize) {
        self.spans
            .iter()
            .find(|s| s.key == key)
            .map_or((self.first_line.saturating_sub(1).max(1), 1), |s| {
                (self.first_line + s.line, s.value_column)
            })
    }
}

/// One parsed note.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Path relative to the vault root.
    pub path: PathBuf,
    pub kind: NoteKind,
    pub has_bom: bool,
    pub crlf: bool,
    pub front: Option<FrontMatter>,
    /// Display name: person name, event name, resource title, `title:`, or file stem.
    pub title: String,
    /// `aliases` of any note (Obsidian's property), used to resolve links.
    pub aliases: Vec<String>,
    pub person: Option<Person>,
    pub event: Option<Event>,
    pub resource: Option<Resource>,
    /// The date of a journal note (from its file name) or an event.
    pub date: Option<Date>,
    pub entries: Vec<LogEntry>,
    pub promises: Vec<Promise>,
    pub links: Vec<Link>,
    /// Front-matter tags and `#tags` in the body, without `#`, in order, deduplicated.
    pub tags: Vec<String>,
    /// 1-based line where the body starts.
    pub body_line: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Note {
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The date of the latest log entry, if any.
    pub fn last_entry(&self) -> Option<&LogEntry> {
        self.entries.iter().max_by_key(|e| (e.date, e.line))
    }
}

/// Kind of a note from its path alone.
pub fn kind_from_path(rel: &Path) -> NoteKind {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase());
    if rel.components().count() > 1 {
        match first.as_deref() {
            Some("people") => return NoteKind::Person,
            Some("events") => return NoteKind::Event,
            Some("resources") => return NoteKind::Resource,
            _ => {}
        }
    }
    if journal_date(rel).is_some() {
        NoteKind::Journal
    } else {
        NoteKind::Other
    }
}

/// A journal note's date: its file name starts with `YYYY-MM-DD`.
pub fn journal_date(rel: &Path) -> Option<Date> {
    let name = rel.file_name()?.to_string_lossy();
    date::leading_date(&name).map(|(d, _)| d)
}

/// The line-ending style to write into a file that has `text`.
pub fn uses_crlf(text: &str) -> bool {
    text.find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r')
}

/// Splits off a front matter block. Returns (yaml text, first yaml line, close
/// line, body byte offset) — lines 1-based — or an error diagnostic when the
/// opening fence is never closed.
/// (yaml text, first yaml line, closing line, body offset)
type FrontSplit<'a> = (&'a str, usize, usize, usize);

fn split_front(text: &str) -> Result<Option<FrontSplit<'_>>, (usize, usize)> {
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_end].trim_end_matches('\r');
    if first.trim_end_matches([' ', '\t']) != "---" {
        return Ok(None);
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut pos = yaml_start;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let l = text[pos..end].trim_end_matches('\r');
        let t = l.trim_end_matches([' ', '\t']);
        if t == "---" || t == "..." {
            let body = (end + 1).min(text.len());
            return Ok(Some((&text[yaml_start..pos], 2, line, body)));
        }
        pos = end + 1;
        line += 1;
    }
    Err((1, 1))
}

/// Parses a note. `rel` is the path relative to the vault root; `bytes` the file.
pub fn parse(rel: &Path, bytes: &[u8]) -> Note {
    let mut diags = Vec::new();
    let (has_bom, bytes) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    if bytes.iter().take(8192).any(|b| *b == 0) {
        diags.push(
            Diagnostic::error(
                rel,
                1,
                1,
                "this looks like a binary file, not a Markdown note",
            )
            .hint("move it out of the vault or give it another extension than .md"),
        );
        return empty_note(rel, has_bom, diags);
    }
    let owned;
    let text: &str = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let col =
                valid.len() - valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1) + 1;
            diags.push(
                Diagnostic::error(rel, line, col, "the file is not valid UTF-8 text")
                    .hint("save the note as UTF-8 in your editor; kith read the rest with the bad bytes replaced"),
            );
            owned = String::from_utf8_lossy(bytes).into_owned();
            &owned
        }
    };
    let crlf = uses_crlf(text);
    let mut kind = kind_from_path(rel);
    let mut front = None;
    let mut has_block = false;
    let mut body_offset = 0;
    let mut body_line = 1;
    match split_front(text) {
        Ok(None) => {}
        Err((l, c)) => {
            has_block = true;
            diags.push(
                Diagnostic::error(rel, l, c, "the front matter opened here is never closed")
                    .hint("add a line `---` after the last property"),
            );
        }
        Ok(Some((yaml_text, first_line, close_line, body))) => {
            has_block = true;
            body_offset = body;
            body_line = close_line + 1;
            match yaml::parse(yaml_text) {
                Err(e) => diags.push(
                    Diagnostic::error(
                        rel,
                        // An error found at the end of input points at the last YAML line.
                        (first_line + e.line - 1).min(close_line.saturating_sub(1).max(first_line)),
                        e.column,
                        format!("front matter is not valid YAML: {}", e.message),
                    )
                    .hint(yaml_hint(&e.message)),
                ),
                Ok(value) => {
                    let value = match value {
                        Yaml::Null => Some(Yaml::Map(Vec::new())),
                        v @ Yaml::Map(_) => Some(v),
                        other => {
                            diags.push(
                                Diagnostic::error(
                                    rel,
                                    first_line,
                                    1,
                                    format!(
                                        "front matter must be a set of `key: value` properties, not {}",
                                        other.type_name()
                                    ),
                                )
                                .hint("write one property per line, like `name: Lena Fischer`"),
                            );
                            None
                        }
                    };
                    if let Some(value) = value {
                        front = Some(FrontMatter {
                            spans: yaml::key_spans(yaml_text),
                            value,
                            first_line,
                            close_line,
                        });
                    }
                }
            }
        }
    }
    if let Some(fm) = &front
        && let Some(t) = fm.get("type")
    {
        match t.as_scalar().as_deref().and_then(NoteKind::parse) {
            Some(k) => kind = k,
            None => {
                let (l, c) = fm.pos("type");
                diags.push(
                    Diagnostic::error(rel, l, c, "unknown `type`")
                        .hint("use person, event, resource or journal"),
                );
            }
        }
    }

    let mut note = Note {
        path: rel.to_path_buf(),
        kind,
        has_bom,
        crlf,
        title: String::new(),
        aliases: Vec::new(),
        person: None,
        event: None,
        resource: None,
        date: None,
        entries: Vec::new(),
        promises: Vec::new(),
        links: Vec::new(),
        tags: Vec::new(),
        body_line,
        diagnostics: Vec::new(),
        front,
    };
    let stem = note.stem();
    let mut fields = Fields {
        rel,
        front: note.front.as_ref(),
        diags: &mut diags,
    };
    note.aliases = fields.list("aliases");
    let mut tags = fields.list("tags");
    match kind {
        NoteKind::Person => {
            let p = fields.person(&stem, has_block);
            note.title = p.name.clone();
            tags = p.tags.clone();
            note.aliases = p.aliases.clone();
            note.person = Some(p);
        }
        NoteKind::Event => {
            let e = Event {
                name: fields
                    .text("name")
                    .or_else(|| fields.text("title"))
                    .unwrap_or(stem.clone()),
                date: fields.date("date"),
                location: fields.text("location"),
                attendees: fields.links_list("attendees"),
            };
            note.title = e.name.clone();
            note.date = e.date;
            note.event = Some(e);
        }
        NoteKind::Resource => {
            let r = Resource {
                title: fields
                    .text("title")
                    .or_else(|| fields.text("name"))
                    .unwrap_or(stem.clone()),
                url: fields.text("url"),
                tags: tags.clone(),
                added: fields.date("added"),
            };
            note.title = r.title.clone();
            note.resource = Some(r);
        }
        NoteKind::Journal => {
            note.date = fields.date("date").or_else(|| journal_date(rel));
            note.title = fields.text("title").unwrap_or(stem.clone());
        }
        NoteKind::Other => {
            note.title = fields
                .text("title")
                .or_else(|| fields.text("name"))
                .unwrap_or(stem.clone());
        }
    }
    if let Some(fm) = &note.front {
        front_links(fm, &mut note.links);
    }
    let starts = line_starts(text);
    scan_body(text, body_offset, &starts, &mut note);
    for t in tags.into_iter().rev() {
        let t = t.trim_start_matches('#').to_string();
        if !t.is_empty() && !note.tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            note.tags.insert(0, t);
        }
    }
    diags.sort_by_key(|d| (d.line, d.column));
    note.diagnostics = diags;
    note
}

fn empty_note(rel: &Path, has_bom: bool, diags: Vec<Diagnostic>) -> Note {
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Note {
        path: rel.to_path_buf(),
        kind: NoteKind::Other,
        has_bom,
        crlf: false,
        front: None,
        title: stem,
        aliases: Vec::new(),
        person: None,
        event: None,
        resource: None,
        date: None,
        entries: Vec::new(),
        promises: Vec::new(),
        links: Vec::new(),
        tags: Vec::new(),
        body_line: 1,
        diagnostics: diags,
    }
}

fn yaml_hint(msg: &str) -> &'static str {
    if msg.contains("duplicate") {
        "each property may appear only once; merge the two"
    } else if msg.contains("recursion limit") || msg.contains("repetition limit") {
        "the front matter nests or repeats too deeply; keep properties flat"
    } else if msg.contains("tab") {
        "indent with spaces, not tabs"
    } else {
        "check quotes, colons and indentation on this line; quote values that contain `: ` or start with `[`, `{`, `*`, `&` or `#`"
    }
}

/// Typed access to front-matter fields, reporting type errors as diagnostics.
struct Fields<'a> {
    rel: &'a Path,
    front: Option<&'a FrontMatter>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Yaml> {
        self.front?.get(key)
    }

    fn err(&mut self, key: &str, message: String, hint: &str) {
        let (l, c) = self.front.map_or((1, 1), |f| f.pos(key));
        self.diags
            .push(Diagnostic::error(self.rel, l, c, message).hint(hint));
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Yaml::Null => None,
            v @ (Yaml::String(_) | Yaml::Number(_) | Yaml::Bool(_)) => v
                .as_scalar()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            other => {
                let t = other.type_name();
                self.err(
                    key,
                    format!("`{key}` must be text, not {t}"),
                    &format!("write it on one line: `{key}: …`"),
                );
                None
            }
        }
    }

    fn list(&mut self, key: &str) -> Vec<String> {
        match self.get(key) {
            None | Some(Yaml::Null) => Vec::new(),
            Some(Yaml::List(items)) => {
                let mut out = Vec::new();
                let mut bad = None;
                for it in items {
                    match it.as_scalar() {
                        Some(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                        Some(_) | None if matches!(it, Yaml::Null) => {}
                        Some(_) => {}
                        None => bad = Some(it.type_name()),
                    }
                }
                if let Some(t) = bad {
                    self.err(
                        key,
                        format!("`{key}` must be a list of text; one item is {t}"),
                        "write each item as `- text` on its own line",
                    );
                }
                out
            }
            Some(v @ (Yaml::String(_) | Yaml::Number(_) | Yaml::Bool(_))) => v
                .as_scalar()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .into_iter()
                .collect(),
            Some(Yaml::Map(_)) => {
                self.err(
                    key,
                    format!("`{key}` must be a list of text, not a map"),
                    "write each item as `- text` on its own line",
                );
                Vec::new()
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<Date> {
        let v = self.get(key)?.clone();
        match v {
            Yaml::Null => None,
            Yaml::String(s) | Yaml::Number(s) => match date::parse_date(&s) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.err(
                        key,
                        format!("`{key}`: {e}"),
                        "write dates as YYYY-MM-DD, e.g. 2026-11-21",
                    );
                    None
                }
            },
            other => {
                self.err(
                    key,
                    format!("`{key}` must be a date, not {}", other.type_name()),
                    "write dates as YYYY-MM-DD, e.g. 2026-11-21",
                );
                None
            }
        }
    }

    fn link(&mut self, key: &str) -> Option<String> {
        let s = self.text(key)?;
        Some(first_link(&s).unwrap_or(s))
    }

    fn links_list(&mut self, key: &str) -> Vec<String> {
        self.list(key)
            .into_iter()
            .map(|s| first_link(&s).unwrap_or(s))
            .collect()
    }

    fn person(&mut self, stem: &str, has_front: bool) -> Person {
        let name = match self.text("name") {
            Some(n) => n,
            None => {
                if has_front && self.front.is_none() {
                    // The front matter did not parse; that error is reported already.
                } else if has_front && self.get("name").is_none() {
                    self.err(
                        "name",
                        "this person note has no `name`".into(),
                        "add `name: Full Name` to the front matter",
                    );
                } else if !has_front {
                    self.diags.push(
                        Diagnostic::error(self.rel, 1, 1, "this person note has no front matter")
                            .hint("start the file with `---`, `name: Full Name`, `---`"),
                    );
                } else if matches!(self.get("name"), Some(Yaml::Null)) {
                    self.err(
                        "name",
                        "`name` is empty".into(),
                        "write the person's full name",
                    );
                }
                stem.to_string()
            }
        };
        let met = self.met();
        let circle = self.text("circle").and_then(|c| {
            let parsed = Circle::parse(&c);
            if parsed.is_none() {
                self.err(
                    "circle",
                    format!("unknown circle `{c}`"),
                    &format!("use {}", Circle::NAMES),
                );
            }
            parsed
        });
        let cadence = match self.get("cadence").cloned() {
            None | Some(Yaml::Null) => None,
            Some(Yaml::Number(n)) => {
                self.err(
                    "cadence",
                    format!("`cadence: {n}` has no unit"),
                    &format!("add a unit: {n}d (days), {n}w, {n}m or {n}y"),
                );
                None
            }
            Some(v) => match v.as_scalar().map(|s| Cadence::parse(&s)) {
                Some(Ok(c)) => Some(c),
                Some(Err(e)) => {
                    self.err("cadence", e.0, "for example 14d, 2w, 3m or 1y");
                    None
                }
                None => {
                    self.err(
                        "cadence",
                        format!("`cadence` must be text like 3m, not {}", v.type_name()),
                        "for example 14d, 2w, 3m or 1y",
                    );
                    None
                }
            },
        };
        let birthday = match self.get("birthday").cloned() {
            None | Some(Yaml::Null) => None,
            Some(v) => match v.as_scalar().map(|s| Birthday::parse(&s)) {
                Some(Ok(b)) => Some(b),
                Some(Err(e)) => {
                    self.err(
                        "birthday",
                        e.0,
                        "write YYYY-MM-DD, or --MM-DD without the year",
                    );
                    None
                }
                None => {
                    self.err(
                        "birthday",
                        "`birthday` must be a date".into(),
                        "write YYYY-MM-DD, or --MM-DD without the year",
                    );
                    None
                }
            },
        };
        let intro_ok = match self.get("intro_ok").cloned() {
            None | Some(Yaml::Null) => true,
            Some(Yaml::Bool(b)) => b,
            Some(other) => {
                let shown = other
                    .as_scalar()
                    .unwrap_or_else(|| other.type_name().into());
                self.err(
                    "intro_ok",
                    format!("`intro_ok` must be true or false, not `{shown}`"),
                    "write `intro_ok: false` to never be suggested for introductions",
                );
                true
            }
        };
        let links = match self.get("links").cloned() {
            None | Some(Yaml::Null) => Vec::new(),
            Some(Yaml::Map(m)) => m
                .into_iter()
                .filter_map(|(k, v)| v.as_scalar().map(|u| (k, u)))
                .collect(),
            Some(other) => {
                self.err(
                    "links",
                    format!(
                        "`links` must be a map of label to URL, not {}",
                        other.type_name()
                    ),
                    "write `links:` then lines like `  linkedin: https://…`",
                );
                Vec::new()
            }
        };
        let mut tags = self.list("tags");
        for t in &mut tags {
            *t = t.trim_start_matches('#').to_string();
        }
        let p = Person {
            name,
            aliases: self.list("aliases"),
            emails: self.list("emails"),
            phones: self.list("phones"),
            org: self.text("org"),
            role: self.text("role"),
            location: self.text("location"),
            tags,
            interests: self.list("interests"),
            values: self.list("values"),
            needs: self.list("needs"),
            offers: self.list("offers"),
            met,
            introduced_by: self.link("introduced_by"),
            circle,
            cadence,
            birthday,
            last_contact: self.date("last_contact"),
            intro_ok,
            snooze_until: self.date("snooze_until"),
            links,
        };
        self.unknown_keys();
        p
    }

    fn met(&mut self) -> Option<Met> {
        match self.get("met").cloned()? {
            Yaml::Null => None,
            Yaml::String(s) => match date::parse_date(&s) {
                Ok(d) => Some(Met {
                    date: Some(d),
                    event: None,
                }),
                Err(e) => {
                    self.err("met", format!("`met`: {e}"), "write `met: YYYY-MM-DD` or `met: {date: YYYY-MM-DD, event: \"[[Event]]\"}`");
                    None
                }
            },
            Yaml::Map(m) => {
                let get = |k: &str| {
                    m.iter()
                        .find(|(key, _)| key == k)
                        .and_then(|(_, v)| v.as_scalar())
                };
                let date = match get("date") {
                    Some(s) => match date::parse_date(&s) {
                        Ok(d) => Some(d),
                        Err(e) => {
                            self.err(
                                "met",
                                format!("`met.date`: {e}"),
                                "write dates as YYYY-MM-DD",
                            );
                            None
                        }
                    },
                    None => None,
                };
                let event = get("event").map(|s| first_link(&s).unwrap_or(s));
                Some(Met { date, event })
            }
            other => {
                self.err(
                    "met",
                    format!("`met` must be a date or a map, not {}", other.type_name()),
                    "write `met: YYYY-MM-DD` or `met: {date: YYYY-MM-DD, event: \"[[Event]]\"}`",
                );
                None
            }
        }
    }

    /// Warns about keys that look like a misspelt known key (`intrests`).
    fn unknown_keys(&mut self) {
        let Some(fm) = self.front else { return };
        let mut found = Vec::new();
        for span in &fm.spans {
            if PERSON_KEYS.contains(&span.key.as_str()) || span.key.len() < 4 {
                continue;
            }
            let k = span.key.to_ascii_lowercase();
            if let Some(best) = PERSON_KEYS
                .iter()
                .filter(|known| !fm.spans.iter().any(|s| s.key == **known))
                .filter_map(|known| text::edit_distance(&k, known, 2).map(|d| (d, *known)))
                .min()
            {
                found.push((fm.first_line + span.line, span.key.clone(), best.1));
            }
        }
        for (line, key, known) in found {
            self.diags.push(
                Diagnostic::warning(
                    self.rel,
                    line,
                    1,
                    format!("unknown key `{key}`; did you mean `{known}`?"),
                )
                .hint(format!(
                    "rename it to `{known}`, or ignore this if it is your own property"
                )),
            );
        }
    }
}

/// The target of the first `[[wikilink]]` in `s`.
pub fn first_link(s: &str) -> Option<String> {
    wikilinks(s).into_iter().next().map(|(t, _)| t)
}

/// Every `[[target]]` in raw text, with its byte offset.
pub fn wikilinks(s: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = s[from..].find("[[") {
        let start = from + i + 2;
        let Some(j) = s[start..].find("]]") else {
            break;
        };
        let inner = &s[start..start + j];
        if !inner.contains('\n') && !inner.contains("[[") {
            let t = link_target(inner);
            if !t.is_empty() {
                out.push((t, from + i));
            }
        }
        from = start + j + 2;
    }
    out
}

/// `Name|label` and `Name#heading` → `Name`.
pub fn link_target(inner: &str) -> String {
    let t = inner.split('|').next().unwrap_or("");
    let t = t.split('#').next().unwrap_or("");
    let t = t.trim();
    let t = t.strip_suffix(".md").unwrap_or(t);
    t.to_string()
}

fn front_links(fm: &FrontMatter, out: &mut Vec<Link>) {
    fn walk(v: &Yaml, key: &str, fm: &FrontMatter, out: &mut Vec<Link>) {
        match v {
            Yaml::String(s) => {
                for (t, _) in wikilinks(s) {
                    let (line, column) = fm.pos(key);
                    out.push(Link {
                        target: t,
                        line,
                        column,
                        entry: None,
                        key: Some(key.to_string()),
                    });
                }
            }
            Yaml::List(items) => items.iter().for_each(|i| walk(i, key, fm, out)),
            Yaml::Map(m) => m.iter().for_each(|(_, i)| walk(i, key, fm, out)),
            _ => {}
        }
    }
    if let Yaml::Map(m) = &fm.value {
        for (k, v) in m {
            walk(v, k, fm, out);
        }
    }
}

struct Heading {
    level: u8,
    text: String,
    start: usize,
    /// Offset just past the heading's line.
    content_start: usize,
}

struct Item {
    start: usize,
    task: Option<bool>,
    text: String,
    links: Vec<String>,
}

fn scan_body(text: &str, body_offset: usize, starts: &[usize], note: &mut Note) {
    let body = &text[body_offset..];
    let opts = Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH;
    let mut headings: Vec<Heading> = Vec::new();
    let mut heading: Option<Heading> = None;
    let mut items: Vec<Item> = Vec::new();
    let mut promises: Vec<(Promise, usize)> = Vec::new();
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut tags: Vec<(String, usize)> = Vec::new();
    let mut in_code = 0usize;
    let mut in_wikilink = false;
    for (ev, range) in Parser::new_ext(body, opts).into_offset_iter() {
        let at = body_offset + range.start;
        match ev {
            Md::Start(Tag::Heading { level, .. }) => {
                heading = Some(Heading {
                    level: level as u8,
                    text: String::new(),
                    start: at,
                    content_start: body_offset + range.end,
                });
            }
            Md::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    headings.push(h);
                }
            }
            Md::Start(Tag::CodeBlock(_)) => in_code += 1,
            Md::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Md::Start(Tag::Item) => items.push(Item {
                start: at,
                task: None,
                text: String::new(),
                links: Vec::new(),
            }),
            Md::TaskListMarker(done) => {
                if let Some(it) = items.last_mut() {
                    it.task = Some(done);
                }
            }
            Md::End(TagEnd::Item) => {
                if let Some(it) = items.pop()
                    && let Some(done) = it.task
                {
                    let (line, _) = line_col(starts, it.start);
                    let text = it.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let due = marker_date(&text, &["📅", "due:"]);
                    let created = marker_date(&text, &["➕"]);
                    promises.push((
                        Promise {
                            text,
                            done,
                            due,
                            created,
                            line,
                            links: it.links,
                        },
                        it.start,
                    ));
                }
            }
            Md::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                dest_url,
                ..
            }) => {
                in_wikilink = true;
                let t = link_target(&dest_url);
                if !t.is_empty() {
                    if let Some(it) = items.last_mut() {
                        it.links.push(t.clone());
                    }
                    links.push((t, at));
                }
            }
            Md::End(TagEnd::Link) => in_wikilink = false,
            Md::Text(t) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                }
                if let Some(it) = items.last_mut() {
                    it.text.push_str(&t);
                }
                if in_code == 0 && !in_wikilink {
                    for (tag, off) in hashtags(&t) {
                        tags.push((tag, at + off.min(range.len())));
                    }
                }
            }
            Md::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                }
                if let Some(it) = items.last_mut() {
                    it.text.push('`');
                    it.text.push_str(&t);
                    it.text.push('`');
                }
            }
            Md::SoftBreak | Md::HardBreak => {
                if let Some(it) = items.last_mut() {
                    it.text.push(' ');
                }
            }
            _ => {}
        }
    }

    // Log entries: dated headings, each running to the next heading of the same
    // or a higher level.
    let mut entry_ranges: Vec<(usize, usize)> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        let Some((date, rest)) = date::leading_date(h.text.trim_start()) else {
            continue;
        };
        let end = headings[i + 1..]
            .iter()
            .find(|n| n.level <= h.level)
            .map_or(text.len(), |n| n.start);
        let body_text = text
            .get(h.content_start.min(end)..end)
            .unwrap_or("")
            .trim()
            .to_string();
        let (line, _) = line_col(starts, h.start);
        let end_line = if end >= text.len() {
            starts.len() + 1
        } else {
            line_col(starts, end).0
        };
        note.entries.push(LogEntry {
            date,
            title: entry_title(rest),
            line,
            level: h.level,
            end_line,
            text: body_text,
            span: (h.content_start.min(end), end),
            links: Vec::new(),
            tags: Vec::new(),
        });
        entry_ranges.push((h.start, end));
    }
    let entry_of = |off: usize| -> Option<usize> {
        // Innermost (latest-starting) entry containing the offset.
        entry_ranges
            .iter()
            .enumerate()
            .filter(|(_, (s, e))| *s <= off && off < *e)
            .max_by_key(|(_, (s, _))| *s)
            .map(|(i, _)| i)
    };
    for (t, off) in links {
        let (line, column) = line_col(starts, off);
        let entry = entry_of(off);
        if let Some(i) = entry
            && !note.entries[i].links.contains(&t)
        {
            note.entries[i].links.push(t.clone());
        }
        note.links.push(Link {
            target: t,
            line,
            column,
            entry,
            key: None,
        });
    }
    for (t, off) in tags {
        if let Some(i) = entry_of(off)
            && !note.entries[i].tags.contains(&t)
        {
            note.entries[i].tags.push(t.clone());
        }
        if !note.tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            note.tags.push(t);
        }
    }
    for (mut p, off) in promises {
        if p.created.is_none() {
            // Else the entry it sits in, else the journal's own date.
            p.created =
                entry_of(off)
                    .map(|i| note.entries[i].date)
                    .or(if note.kind == NoteKind::Journal {
                        note.date
                    } else {
                        None
                    });
        }
        note.promises.push(p);
    }
    note.promises.sort_by_key(|p| p.line);
}

fn entry_title(rest: &str) -> String {
    let r = rest.trim_start();
    let r = r
        .strip_prefix('·')
        .or_else(|| r.strip_prefix('—'))
        .or_else(|| r.strip_prefix('–'))
        .or_else(|| r.strip_prefix('-'))
        .or_else(|| r.strip_prefix(':'))
        .or_else(|| r.strip_prefix('|'))
        .unwrap_or(r);
    r.trim().to_string()
}

/// The date after the first of `markers` in `text` (`📅 2026-11-30`, `due:2026-11-30`).
fn marker_date(text: &str, markers: &[&str]) -> Option<Date> {
    for m in markers {
        let mut from = 0;
        while let Some(i) = text[from..].find(m) {
            let after = text[from + i + m.len()..].trim_start();
            if let Some((d, _)) = date::leading_date(after) {
                return Some(d);
            }
            from += i + m.len();
        }
    }
    None
}

/// `#tags` in a run of text, with byte offsets. A tag starts after whitespace or
/// punctuation and has at least one non-digit (`#1` is not a tag).
pub fn hashtags(t: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in t.char_indices() {
        let boundary = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | ',' | ';'));
        if c == '#' && boundary {
            let rest = &t[i + 1..];
            let len: usize = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/'))
                .map(char::len_utf8)
                .sum();
            let tag = rest[..len].trim_end_matches(['-', '/']);
            if !tag.is_empty() && tag.chars().any(|c| !c.is_ascii_digit()) {
                out.push((tag.to_string(), i));
            }
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests;
