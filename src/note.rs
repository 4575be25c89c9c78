//! Parsing one note: front matter, typed fields, log entries, promises, links, tags.
//!
//! [`parse`] takes any bytes and always returns a [`Note`]: what could not be
//! understood becomes a [`Diagnostic`] with its line and column, never a panic.

use crate::date::{self, Birthday, Cadence, Date};
use crate::diag::Diagnostic;
use crate::model::{
    Circle, Event, Link, LogEntry, Met, NoteKind, Person, Promise, Resource, TaskStatus,
};
use crate::text::{self, line_col, line_starts};
use crate::yaml::{self, KeySpan, Yaml};
use pulldown_cmark::{Event as Md, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
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
    "met_at",
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
    /// Each key's first span in `spans`, so a position is found without a
    /// scan (a scan per key is quadratic in the number of keys).
    key_index: HashMap<String, usize>,
}

impl FrontMatter {
    pub fn new(value: Yaml, spans: Vec<KeySpan>, first_line: usize, close_line: usize) -> Self {
        let mut key_index = HashMap::with_capacity(spans.len());
        for (i, s) in spans.iter().enumerate() {
            key_index.entry(s.key.clone()).or_insert(i);
        }
        FrontMatter {
            value,
            spans,
            first_line,
            close_line,
            key_index,
        }
    }

    /// Is this key written at the top level?
    pub fn has_key(&self, key: &str) -> bool {
        self.key_index.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.value.get(key)
    }

    /// 1-based file line and column of a key's value (line 1 if the key is absent).
    pub fn pos(&self, key: &str) -> (usize, usize) {
        self.key_index
            .get(key)
            .and_then(|i| self.spans.get(*i))
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
    let mut body_offset = 0;
    let mut body_line = 1;
    match split_front(text) {
        Ok(None) => {
            let first = text.lines().next().unwrap_or("").trim_end();
            if first.len() > 3 && first.bytes().all(|b| b == b'-') {
                diags.push(
                    Diagnostic::warning(
                        rel,
                        1,
                        1,
                        format!("`{first}` is not front matter, which opens with exactly `---`"),
                    )
                    .hint("make the first line `---` if this block is meant as properties"),
                );
            }
        }
        Err((l, c)) => {
            diags.push(
                Diagnostic::error(rel, l, c, "the front matter opened here is never closed")
                    .hint("add a line `---` after the last property"),
            );
        }
        Ok(Some((yaml_text, first_line, close_line, body))) => {
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
                        diags.extend(yaml11_warnings(rel, yaml_text, first_line));
                        front = Some(FrontMatter::new(
                            value,
                            yaml::key_spans(yaml_text),
                            first_line,
                            close_line,
                        ));
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
            let p = fields.person(&stem);
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
    diags.append(&mut note.diagnostics);
    // Front-matter tags go first, unless the body has them already; of a tag
    // written twice in the front matter the last one counts.
    let mut seen: HashSet<String> = note.tags.iter().map(|t| t.to_ascii_lowercase()).collect();
    let mut front_tags: Vec<String> = Vec::new();
    for t in tags.into_iter().rev() {
        let t = t.trim_start_matches('#').to_string();
        if !t.is_empty() && seen.insert(t.to_ascii_lowercase()) {
            front_tags.push(t);
        }
    }
    front_tags.reverse();
    front_tags.append(&mut note.tags);
    note.tags = front_tags;
    diags.sort_by_key(|d| (d.line, d.column));
    note.diagnostics = diags;
    note
}

/// Properties kith reads as text: a value other YAML readers type as a
/// number, a truth value or a date is mangled there (`+4712345678` loses its
/// `+`, `01234` becomes 668).
const TEXT_KEYS: &[&str] = &[
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
    "introduced_by",
    "met_at",
    "circle",
    "title",
    "url",
    "attendees",
    "links",
];

/// What a YAML 1.1 reader (PyYAML, so python-frontmatter; js-yaml 3, so
/// gray-matter) makes of a plain scalar, when not text: the resolvers of
/// PyYAML's `resolver.py`.
pub fn yaml11_type(raw: &str) -> Option<&'static str> {
    let s = raw;
    if matches!(
        s,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) {
        return Some("true/false");
    }
    if matches!(s, "~" | "null" | "Null" | "NULL") {
        return Some("empty (null)");
    }
    let b = s.as_bytes();
    let digits = |t: &[u8], extra: &[u8]| {
        !t.is_empty() && t.iter().all(|c| c.is_ascii_digit() || extra.contains(c))
    };
    // Timestamp: YYYY-MM-DD, alone or followed by a time.
    if b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && matches!(b.get(10), None | Some(b'T' | b't' | b' ' | b'\t'))
    {
        return Some("a date");
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let u = unsigned.as_bytes();
    if u.is_empty() {
        return None;
    }
    if let Some(bin) = unsigned.strip_prefix("0b")
        && digits(bin.as_bytes(), b"_")
        && bin.bytes().all(|c| matches!(c, b'0' | b'1' | b'_'))
    {
        return Some("a number");
    }
    if let Some(hex) = unsigned.strip_prefix("0x")
        && !hex.is_empty()
        && hex.bytes().all(|c| c.is_ascii_hexdigit() || c == b'_')
    {
        return Some("a number");
    }
    if u[0] == b'0' && u.len() > 1 && u[1..].iter().all(|c| matches!(c, b'0'..=b'7' | b'_')) {
        return Some("an octal number");
    }
    if unsigned == "0" || (u[0] != b'0' && digits(u, b"_")) {
        return Some("a number");
    }
    // Base 60: 1:20, 190:20:30 (and with a fraction).
    if u[0] != b'0' && unsigned.contains(':') {
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let mut parts = int.split(':');
        let head = parts.next().unwrap_or("");
        let segment = |p: &str| match p.as_bytes() {
            [a] => a.is_ascii_digit(),
            [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
            _ => false,
        };
        let ok = digits(head.as_bytes(), b"_")
            && parts.all(segment)
            && (frac.is_empty() || digits(frac.as_bytes(), b"_"));
        if ok {
            return Some("a number in base 60");
        }
    }
    // Floats need a dot in YAML 1.1.
    if let Some((int, frac)) = unsigned.split_once('.') {
        let (frac, exp) = match frac.find(['e', 'E']) {
            Some(i) => (&frac[..i], Some(&frac[i + 1..])),
            None => (frac, None),
        };
        let int_ok = (int.is_empty() && !frac.is_empty() && unsigned.len() == s.len())
            || (!int.is_empty()
                && int.as_bytes()[0].is_ascii_digit()
                && digits(int.as_bytes(), b"_"));
        let frac_ok = frac.is_empty() || digits(frac.as_bytes(), b"_");
        let exp_ok = exp.is_none_or(|e| {
            e.len() > 1 && matches!(e.as_bytes()[0], b'+' | b'-') && digits(&e.as_bytes()[1..], b"")
        });
        if int_ok && frac_ok && exp_ok {
            return Some("a number");
        }
        if int.is_empty() && matches!(frac, "inf" | "Inf" | "INF" | "nan" | "NaN" | "NAN") {
            return Some("a number");
        }
    }
    None
}

/// Warnings for plain values a YAML 1.1 reader types differently from kith:
/// in a text property any typed value, elsewhere the values YAML 1.1 and
/// YAML 1.2 disagree on (`yes`/`no`/`on`/`off`, `0123`, `1_000`, `1:20`).
fn yaml11_warnings(rel: &Path, yaml_text: &str, first_line: usize) -> Vec<Diagnostic> {
    let lines: Vec<&str> = yaml_text.lines().collect();
    let spans = yaml::key_spans(yaml_text);
    let mut out = Vec::new();
    let mut check = |key: &str, line0: usize, col0: usize, raw: &str| {
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!']) {
            return;
        }
        let Some(kind11) = yaml11_type(raw) else {
            return;
        };
        let text_key = TEXT_KEYS.contains(&key);
        let disagree = matches!(kind11, "an octal number" | "a number in base 60")
            || (kind11 == "true/false"
                && !matches!(raw.to_ascii_lowercase().as_str(), "true" | "false"))
            || (kind11 == "a number" && raw.contains('_'));
        if !(text_key && kind11 != "empty (null)" || disagree) {
            return;
        }
        out.push(
            Diagnostic::warning(
                rel,
                first_line + line0,
                col0 + 1,
                format!(
                    "`{raw}` is read as {kind11} by YAML 1.1 readers (PyYAML, python-frontmatter, gray-matter), not as the text kith reads"
                ),
            )
            .hint(format!("quote it: `\"{raw}\"`, so every tool reads the same text")),
        );
    };
    for (k, span) in spans.iter().enumerate() {
        let Some(line) = lines.get(span.line) else {
            continue;
        };
        let start = (span.value_column - 1).min(line.len());
        let value = strip_comment(&line[start..]);
        let t = value.trim();
        if t.starts_with('[') && t.ends_with(']') {
            // A one-line flow list: its items.
            let inner_start = start + value.find('[').unwrap_or(0) + 1;
            let inner = &t[1..t.len() - 1];
            let mut off = 0;
            for item in inner.split(',') {
                let lead = item.len() - item.trim_start().len();
                check(&span.key, span.line, inner_start + off + lead, item);
                off += item.len() + 1;
            }
        } else if !t.is_empty() {
            check(&span.key, span.line, start, t);
        } else {
            let end = spans.get(k + 1).map_or(lines.len(), |s| s.line);
            for (i, l) in lines.iter().enumerate().take(end).skip(span.line + 1) {
                let trimmed = l.trim_start();
                if let Some(item) = trimmed.strip_prefix("- ") {
                    let col = l.len() - trimmed.len() + 2;
                    check(&span.key, i, col, strip_comment(item));
                }
            }
        }
    }
    out
}

/// A YAML line without its ` # comment` (a `#` inside quotes is text).
fn strip_comment(s: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t') => return &s[..i],
            None => {}
        }
        prev = c;
    }
    s
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
    } else if msg.contains("recursion limit")
        || msg.contains("repetition limit")
        || msg.contains("levels deep")
    {
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

    fn person(&mut self, stem: &str) -> Person {
        // A note made in Obsidian has no `name:` (often no front matter at
        // all): its name is its file name, as Obsidian shows it.
        let name = self.text("name").unwrap_or_else(|| stem.to_string());
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
        let links = self.links();
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
        // `met_at: "[[Event]]"` (a flat text property Obsidian can show)
        // names the event; the old nested `met: {date, event}` still reads.
        let met_at = self.link("met_at");
        let met =
            match self.get("met").cloned() {
                None | Some(Yaml::Null) => None,
                Some(Yaml::String(s)) => match date::parse_date(&s) {
                    Ok(d) => Some(Met {
                        date: Some(d),
                        event: None,
                    }),
                    Err(e) => {
                        self.err(
                            "met",
                            format!("`met`: {e}"),
                            "write `met: YYYY-MM-DD`, and the event as `met_at: \"[[Event]]\"`",
                        );
                        None
                    }
                },
                Some(Yaml::Map(m)) => {
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
                    let (l, c) = self.front.map_or((1, 1), |f| f.pos("met"));
                    let mut fix = String::new();
                    if let Some(d) = date {
                        fix.push_str(&format!("`met: {d}`"));
                    }
                    if let Some(e) = &event {
                        if !fix.is_empty() {
                            fix.push_str(" and ");
                        }
                        fix.push_str(&format!("`met_at: \"[[{e}]]\"`"));
                    }
                    self.diags.push(
                    Diagnostic::warning(
                        self.rel,
                        l,
                        c,
                        "`met` is a nested map, which Obsidian cannot show or edit as a property",
                    )
                    .hint(format!(
                        "write {} instead, or run `kith fix properties --write`",
                        if fix.is_empty() { "`met: YYYY-MM-DD`".to_string() } else { fix }
                    )),
                );
                    Some(Met { date, event })
                }
                Some(other) => {
                    self.err(
                        "met",
                        format!("`met` must be a date, not {}", other.type_name()),
                        "write `met: YYYY-MM-DD`, and the event as `met_at: \"[[Event]]\"`",
                    );
                    None
                }
            };
        match (met, met_at) {
            (Some(mut m), Some(at)) => {
                m.event = Some(at);
                Some(m)
            }
            (None, Some(at)) => Some(Met {
                date: None,
                event: Some(at),
            }),
            (m, None) => m,
        }
    }

    /// `links:` as a list of URLs (the shape Obsidian's help uses), labelled
    /// by their site; the old map of label to URL still reads, with a warning.
    fn links(&mut self) -> Vec<(String, String)> {
        match self.get("links").cloned() {
            None | Some(Yaml::Null) => Vec::new(),
            Some(Yaml::Map(m)) => {
                let (l, c) = self.front.map_or((1, 1), |f| f.pos("links"));
                self.diags.push(
                    Diagnostic::warning(
                        self.rel,
                        l,
                        c,
                        "`links` is a map, which Obsidian cannot show or edit as a property",
                    )
                    .hint("write it as a list of URLs (`links:` then lines `  - https://…`), or run `kith fix properties --write`"),
                );
                m.into_iter()
                    .filter_map(|(k, v)| v.as_scalar().map(|u| (k, u)))
                    .collect()
            }
            Some(_) => self
                .list("links")
                .into_iter()
                .map(|u| (url_label(&u), u))
                .collect(),
        }
    }

    /// Warns about keys that look like a misspelt known key (`intrests`).
    fn unknown_keys(&mut self) {
        let Some(fm) = self.front else { return };
        let mut found = Vec::new();
        // The known keys this note does not use, computed once.
        let absent: Vec<&str> = PERSON_KEYS
            .iter()
            .copied()
            .filter(|known| !fm.has_key(known))
            .collect();
        for span in &fm.spans {
            if PERSON_KEYS.contains(&span.key.as_str()) || span.key.len() < 4 {
                continue;
            }
            let k = span.key.to_ascii_lowercase();
            if let Some(best) = absent
                .iter()
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

/// A short label for a URL: its site without `www.` and the top-level
/// domain (`https://www.linkedin.com/in/x` → `linkedin`), else the URL.
pub fn url_label(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    let label = match host.rsplit_once('.') {
        Some((site, _)) => site.rsplit('.').next().unwrap_or(site),
        None => host,
    };
    if label.is_empty() {
        url.to_string()
    } else {
        label.to_ascii_lowercase()
    }
}

/// Text with each `[[link]]` as a reader sees it: the label of
/// `[[target|label]]` (table-escaped `\|` too), else the target;
/// `![[embed]]` likewise. Used where prose is quoted back to the user.
pub fn links_as_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("[[") {
        let Some(j) = rest[i + 2..].find("]]") else {
            break;
        };
        let inner = &rest[i + 2..i + 2 + j];
        let before = rest[..i].strip_suffix('!').unwrap_or(&rest[..i]);
        out.push_str(before);
        let shown = match inner.split_once('|') {
            Some((_, label)) => label,
            None => inner,
        };
        out.push_str(shown);
        rest = &rest[i + 2 + j + 2..];
    }
    out.push_str(rest);
    out
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

enum EvKind {
    Image,
    Other,
}

/// `[/]` (in progress) or `[-]` (cancelled) at the start of a list item, the
/// Tasks plugin's statuses beyond GitHub's `[ ]` and `[x]`.
fn tasks_status(text: &str) -> Option<TaskStatus> {
    let rest = text.get(3..)?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    match text.get(..3)? {
        "[/]" => Some(TaskStatus::InProgress),
        "[-]" => Some(TaskStatus::Cancelled),
        _ => None,
    }
}

/// Does an embed name a file that is not a note (`photo.png`, `cv.pdf`)?
fn is_attachment(target: &str) -> bool {
    let t = target.split(['|', '#']).next().unwrap_or("").trim();
    let name = t.rsplit('/').next().unwrap_or(t);
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && !ext.eq_ignore_ascii_case("md")
        }
        None => false,
    }
}

/// The note a Markdown link `[x](dest)` points at, as a link target: `dest`
/// percent-decoded, without `#anchor` and `.md`; `./` and `../` are relative
/// to the note's folder, a leading `/` is the vault root. Links with a scheme
/// (`https:`, `mailto:`), pure anchors and links to other files are not notes.
pub fn markdown_link_target(dest: &str, from: &Path) -> Option<String> {
    let dest = dest.split('#').next().unwrap_or("").trim();
    if dest.is_empty() || dest.starts_with("//") {
        return None;
    }
    if let Some(colon) = dest.find(':') {
        let scheme = &dest[..colon];
        if !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return None;
        }
    }
    let decoded = percent_decode(dest);
    let last = decoded.rsplit('/').next().unwrap_or("");
    if last.contains('.') && is_attachment(last) {
        return None;
    }
    let path = if let Some(abs) = decoded.strip_prefix('/') {
        abs.to_string()
    } else if decoded.starts_with("./") || decoded.starts_with("../") {
        let mut parts: Vec<&str> = from
            .parent()
            .map(|p| {
                p.to_str()
                    .unwrap_or("")
                    .split('/')
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for c in decoded.split('/') {
            match c {
                "." | "" => {}
                ".." => {
                    parts.pop()?;
                }
                c => parts.push(c),
            }
        }
        parts.join("/")
    } else {
        decoded
    };
    let t = link_target(&path);
    (!t.is_empty()).then_some(t)
}

/// `%20` → space; malformed escapes stay as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = b.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Name|label` and `Name#heading` → `Name`. In a table the `|` is escaped
/// (`[[Name\|label]]`); the backslash belongs to the table, not the name.
pub fn link_target(inner: &str) -> String {
    let t = inner.split('|').next().unwrap_or("");
    let t = t.strip_suffix('\\').unwrap_or(t);
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
    task: Option<TaskStatus>,
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
        let ev_kind = if matches!(ev, Md::Start(Tag::Image { .. })) {
            EvKind::Image
        } else {
            EvKind::Other
        };
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
                    it.task = Some(if done {
                        TaskStatus::Done
                    } else {
                        TaskStatus::Open
                    });
                }
            }
            Md::End(TagEnd::Item) => {
                if let Some(mut it) = items.pop() {
                    // The Tasks plugin's `[/]` and `[-]` are not GitHub task
                    // markers, so pulldown-cmark leaves them as text.
                    if it.task.is_none() {
                        it.task = tasks_status(&it.text);
                        if it.task.is_some() {
                            it.text.drain(..3);
                        }
                    }
                    if let Some(status) = it.task {
                        let (line, _) = line_col(starts, it.start);
                        let text = it.text.split_whitespace().collect::<Vec<_>>().join(" ");
                        promises.push((
                            Promise {
                                done: matches!(status, TaskStatus::Done | TaskStatus::Cancelled),
                                status,
                                due: marker_date(&text, &["📅", "due:", "[due::", "(due::"]),
                                scheduled: marker_date(
                                    &text,
                                    &["⏳", "[scheduled::", "(scheduled::"],
                                ),
                                start: marker_date(&text, &["🛫", "[start::", "(start::"]),
                                completed: marker_date(
                                    &text,
                                    &["✅", "[completion::", "(completion::"],
                                ),
                                created: marker_date(&text, &["➕", "[created::", "(created::"]),
                                text,
                                line,
                                links: it.links,
                            },
                            it.start,
                        ));
                    }
                }
            }
            Md::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) => {
                in_wikilink = true;
                let is_image = matches!(ev_kind, EvKind::Image);
                let t = match link_type {
                    LinkType::WikiLink { .. } if !(is_image && is_attachment(&dest_url)) => {
                        link_target(&dest_url)
                    }
                    LinkType::Inline
                    | LinkType::Reference
                    | LinkType::Collapsed
                    | LinkType::Shortcut
                        if !is_image =>
                    {
                        markdown_link_target(&dest_url, &note.path).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                if !t.is_empty() {
                    if let Some(it) = items.last_mut() {
                        it.links.push(t.clone());
                    }
                    links.push((t, at));
                }
            }
            Md::End(TagEnd::Link | TagEnd::Image) => in_wikilink = false,
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
    // or a higher level. That next heading is found for all headings in one
    // backward pass with a stack (a forward search per heading is quadratic).
    let mut ends = vec![text.len(); headings.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, h) in headings.iter().enumerate().rev() {
        while stack.last().is_some_and(|&j| headings[j].level > h.level) {
            stack.pop();
        }
        if let Some(&j) = stack.last() {
            ends[i] = headings[j].start;
        }
        stack.push(i);
    }
    let mut entry_ranges: Vec<(usize, usize)> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        let head = h.text.trim_start();
        let Some((date, rest)) = date::leading_date(head) else {
            if let Some(shaped) = date_shaped(head)
                && let Err(e) = date::parse_date(shaped)
            {
                // Looks like a dated entry but the date does not exist: say
                // so rather than silently not counting it.
                let line_end = text[h.start..]
                    .find('\n')
                    .map_or(text.len(), |k| h.start + k);
                let at = text[h.start..line_end]
                    .find(shaped)
                    .map_or(h.start, |k| h.start + k);
                let (line, column) = line_col(starts, at);
                note.diagnostics.push(
                    Diagnostic::error(
                        &note.path,
                        line,
                        column,
                        format!("log entry heading: {e}"),
                    )
                    .hint("fix the date (YYYY-MM-DD, a day that exists); until then this is not a log entry"),
                );
            }
            continue;
        };
        let end = ends[i];
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
            tasks_only: crate::model::only_tasks(&body_text),
            text: body_text,
            span: (h.content_start.min(end), end),
            links: Vec::new(),
            tags: Vec::new(),
        });
        entry_ranges.push((h.start, end));
    }
    // Entry ranges are sorted by start and nest (one ends no later than any
    // entry that contains it), so each one's parent is found with a stack, and
    // the innermost entry holding an offset is the last one starting at or
    // before it, or one of its few (at most six levels of) parents.
    let mut parent: Vec<Option<usize>> = vec![None; entry_ranges.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, (s, _)) in entry_ranges.iter().enumerate() {
        while open.last().is_some_and(|&j| entry_ranges[j].1 <= *s) {
            open.pop();
        }
        parent[i] = open.last().copied();
        open.push(i);
    }
    let entry_of = |off: usize| -> Option<usize> {
        let after = entry_ranges.partition_point(|(s, _)| *s <= off);
        let mut cur = after.checked_sub(1);
        while let Some(i) = cur {
            if off < entry_ranges[i].1 {
                return Some(i);
            }
            cur = parent[i];
        }
        None
    };
    let mut entry_links: Vec<HashSet<String>> = vec![HashSet::new(); note.entries.len()];
    for (t, off) in links {
        let (line, column) = line_col(starts, off);
        let entry = entry_of(off);
        if let Some(i) = entry
            && entry_links[i].insert(t.clone())
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
    let mut entry_tags: Vec<HashSet<String>> = vec![HashSet::new(); note.entries.len()];
    let mut note_tags: HashSet<String> = note.tags.iter().map(|t| t.to_ascii_lowercase()).collect();
    for (t, off) in tags {
        if let Some(i) = entry_of(off)
            && entry_tags[i].insert(t.clone())
        {
            note.entries[i].tags.push(t.clone());
        }
        if note_tags.insert(t.to_ascii_lowercase()) {
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

/// The `YYYY-MM-DD` a heading starts with, by shape only (digits and dashes,
/// not followed by another digit), whether or not that day exists.
fn date_shaped(s: &str) -> Option<&str> {
    let head = s.get(..10)?;
    let b = head.as_bytes();
    let shaped = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    let digit_next = s.as_bytes().get(10).is_some_and(u8::is_ascii_digit);
    (shaped && !digit_next).then_some(head)
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

/// The date after the first of `markers` in `text` (`📅 2026-11-30`,
/// `due:2026-11-30`, `[due:: 2026-11-30]`). An emoji may carry the
/// variation selector U+FE0F, as some keyboards type it.
fn marker_date(text: &str, markers: &[&str]) -> Option<Date> {
    for m in markers {
        let mut from = 0;
        while let Some(i) = text[from..].find(m) {
            let after = text[from + i + m.len()..]
                .trim_start_matches('\u{fe0f}')
                .trim_start();
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
