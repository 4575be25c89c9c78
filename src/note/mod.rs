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
use pulldown_cmark::{Event as Md, LinkType, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

mod body;
mod fields;
mod front;
mod links;

use body::scan_body;
use fields::Fields;
pub use fields::{PERSON_KEYS, url_label};
pub use front::{FrontMatter, yaml11_type};
use front::{yaml_hint, yaml11_warnings};
pub use links::{
    first_link, hashtags, link_target, links_as_text, markdown_link_target, wikilinks,
};
use links::{front_links, is_attachment};

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
    /// Boxed, as `resource`: one note in fifty has one, and inline they
    /// made every note 160 bytes wider.
    pub event: Option<Box<Event>>,
    pub resource: Option<Box<Resource>>,
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
    /// The text the note was parsed from (after any BOM; invalid UTF-8
    /// replaced), where the entries' spans point: kept by [`parse`], so a
    /// note parsed in this run answers [`Note::entry_text`] by itself;
    /// `None` in a note of the cached model, whose texts stay on disk (read
    /// them with `Vault::entry_text`).
    pub text: Option<Box<str>>,
}

impl Note {
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The text under one of this note's log entries (trimmed), when the
    /// note holds its text ([`Note::text`]): the parser's own slicing, so
    /// the same text a cached note's span gives back from the file.
    pub fn entry_text(&self, e: &LogEntry) -> Option<String> {
        self.text.as_deref().map(|t| slice_entry(t, e.span))
    }

    /// The note without its text, as the cached model holds it.
    pub fn lean(mut self) -> Note {
        self.text = None;
        self
    }

    /// The date of the latest log entry, if any.
    pub fn last_entry(&self) -> Option<&LogEntry> {
        self.entries.iter().max_by_key(|e| (e.date, e.line))
    }
}

/// What a command over the whole vault reads of each note besides its
/// typed fields, entries, links and promises: the values of a few
/// front-matter keys, the positions of a few others, and whether it reports
/// warnings. A vault loaded for it leaves the rest out (every key of a
/// hundred thousand notes, twice, was a fifth of the digest's memory).
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    /// Front-matter keys whose values are kept.
    pub values: &'static [&'static str],
    /// Front-matter keys whose positions ([`FrontMatter::pos`]) are kept.
    pub positions: &'static [&'static str],
    /// Whether warnings are kept (errors always are: every command warns
    /// that notes have errors).
    pub warnings: bool,
}

impl Keep {
    /// Cuts a note down to what this keeps (as a vault loaded with it
    /// decodes it).
    pub fn apply(&self, n: &mut Note) {
        if let Some(f) = n.front.take() {
            let FrontMatter {
                value,
                spans,
                first_line,
                close_line,
                ..
            } = f;
            let value = match value {
                Yaml::Map(mut pairs) => {
                    pairs.retain(|(k, _)| self.values.contains(&k.as_str()));
                    pairs.shrink_to_fit();
                    Yaml::Map(pairs)
                }
                other => other,
            };
            let mut spans: Vec<KeySpan> = spans
                .into_iter()
                .filter(|s| self.positions.contains(&s.key.as_str()))
                .collect();
            spans.shrink_to_fit();
            n.front = Some(FrontMatter::new(value, spans, first_line, close_line));
        }
        if !self.warnings {
            n.diagnostics.retain(Diagnostic::is_error);
            n.diagnostics.shrink_to_fit();
        }
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
    match crate::markdown::split_front(text) {
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
        kind,
        crlf,
        front,
        // Each kind sets its display name below.
        title: String::new(),
        body_line,
        ..empty_note(rel, has_bom, Vec::new())
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
            note.event = Some(Box::new(e));
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
            note.resource = Some(Box::new(r));
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
    note.text = Some(text.into());
    note
}

/// The text under an entry, by its byte range in the note's text (after any
/// BOM): the parser's own slicing.
pub fn slice_entry(text: &str, span: (u32, u32)) -> String {
    let (start, end) = (span.0 as usize, span.1 as usize);
    text.get(start.min(end)..end)
        .unwrap_or("")
        .trim()
        .to_string()
}

fn empty_note(rel: &Path, has_bom: bool, diags: Vec<Diagnostic>) -> Note {
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Note {
        has_bom,
        diagnostics: diags,
        ..Note::bare(rel.to_path_buf(), NoteKind::Other, stem)
    }
}

impl Note {
    /// A note with a path, kind and title and nothing else: no front
    /// matter, entries, links or findings. The start of a stand-in or of a
    /// note that could not be read.
    pub fn bare(path: PathBuf, kind: NoteKind, title: String) -> Note {
        Note {
            path,
            kind,
            has_bom: false,
            crlf: false,
            front: None,
            title,
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
            diagnostics: Vec::new(),
            text: None,
        }
    }
}

#[cfg(test)]
mod tests;
