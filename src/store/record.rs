//! The cached form of one parsed note.
//!
//! These mirror the domain types field by field instead of deriving
//! `Deserialize` on them: the domain's serde attributes are shaped for JSON
//! output (`skip_serializing_if`, display strings), which a non-self-describing
//! format like postcard cannot read back, and a field added to the domain then
//! fails to compile here, which is the reminder to bump [`super::FORMAT`].
//! Entry texts are not stored: only their byte range in the file.

use crate::date::{Birthday, Cadence, Date};
use crate::diag::{Diagnostic, Severity};
use crate::model::{
    Circle, Event, Link, LogEntry, Met, NoteKind, Person, Promise, Resource, TaskStatus,
};
use crate::note::{FrontMatter, Keep, Note};
use crate::yaml::{KeySpan, Yaml};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::PathBuf;

/// Days since 0001-01-01: four bytes instead of a date string.
type Day = i32;

fn day(d: Date) -> Day {
    use chrono::Datelike;
    d.num_days_from_ce()
}

fn date(d: Day) -> Date {
    Date::from_num_days_from_ce_opt(d).unwrap_or(Date::MIN)
}

#[derive(Serialize, Deserialize)]
pub(super) struct CNote<'a> {
    /// First, so [`CLinks`] can read just these from a record.
    links: Vec<CLink>,
    kind: u8,
    has_bom: bool,
    crlf: bool,
    #[serde(borrow)]
    front: Option<CFront<'a>>,
    title: String,
    aliases: Vec<String>,
    person: Option<CPerson>,
    event: Option<CEvent>,
    resource: Option<CResource>,
    date: Option<Day>,
    entries: Entries<'a>,
    promises: Vec<CPromise>,
    tags: Vec<String>,
    body_line: u32,
    diagnostics: Vec<CDiag>,
}

/// The first field of a [`CNote`] record alone: the link targets, all that
/// resolving links needs, read without decoding the rest.
#[derive(Deserialize)]
pub(super) struct CLinks {
    links: Vec<CLink>,
}

impl CLinks {
    pub(super) fn targets(&self) -> impl Iterator<Item = &str> {
        self.links.iter().map(|l| l.target.as_str())
    }
}

#[derive(Serialize, Deserialize)]
enum CYaml {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    List(Vec<CYaml>),
    Map(Vec<(String, CYaml)>),
}

/// The front matter as the top-level pairs of its map (front matter that
/// is not a map is no front matter), each value encoded on its own, and
/// its keys' positions. Keys are borrowed from the record and each value is
/// a slice of it, so a vault that keeps a few keys ([`Keep`]) decodes only
/// those values and allocates only those keys.
#[derive(Serialize, Deserialize)]
struct CFront<'a> {
    #[serde(borrow)]
    pairs: Vec<(&'a str, Blob<'a>)>,
    #[serde(borrow)]
    spans: Vec<(&'a str, u32, u32)>,
    first_line: u32,
    close_line: u32,
}

/// Bytes written as one length-prefixed run (serde's `[u8]` is a sequence
/// of numbers) and read back as a slice of the record.
struct Blob<'a>(Cow<'a, [u8]>);

impl Serialize for Blob<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Blob<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Blob<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Blob<'de>, E> {
                Ok(Blob(Cow::Borrowed(v)))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Blob<'de>, E> {
                Ok(Blob(Cow::Owned(v.to_vec())))
            }
        }
        d.deserialize_bytes(V)
    }
}

#[derive(Serialize, Deserialize)]
struct CPerson {
    name: String,
    aliases: Vec<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    org: Option<String>,
    role: Option<String>,
    location: Option<String>,
    tags: Vec<String>,
    interests: Vec<String>,
    values: Vec<String>,
    needs: Vec<String>,
    offers: Vec<String>,
    met: Option<(Option<Day>, Option<String>)>,
    introduced_by: Option<String>,
    circle: Option<u8>,
    /// (0 = days, 1 = months, n)
    cadence: Option<(u8, u32)>,
    birthday: Option<(Option<i32>, u32, u32)>,
    last_contact: Option<Day>,
    intro_ok: bool,
    snooze_until: Option<Day>,
    links: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct CEvent {
    name: String,
    date: Option<Day>,
    location: Option<String>,
    attendees: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct CResource {
    title: String,
    url: Option<String>,
    tags: Vec<String>,
    added: Option<Day>,
}

#[derive(Serialize, Deserialize)]
struct CEntry<'a> {
    date: Day,
    /// Borrowed from the record as it is read (the domain's title is kept
    /// inline when short): the same bytes as a `String` in the record.
    #[serde(borrow)]
    title: Cow<'a, str>,
    line: u32,
    level: u8,
    end_line: u32,
    span: (u32, u32),
    /// Borrowed from the entry when written, and from the record when read
    /// (then packed into the entry's one buffer of both).
    #[serde(borrow)]
    links: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    tags: Vec<Cow<'a, str>>,
    tasks_only: bool,
}

impl<'a> CEntry<'a> {
    fn of(e: &'a LogEntry) -> CEntry<'a> {
        CEntry {
            date: day(e.date),
            title: Cow::Borrowed(e.title.as_str()),
            line: e.line,
            level: e.level,
            end_line: e.end_line,
            span: e.span,
            links: e.links().iter().map(Cow::Borrowed).collect(),
            tags: e.tags().iter().map(Cow::Borrowed).collect(),
            tasks_only: e.tasks_only,
        }
    }

    /// The entry as the domain sees it, its text left on disk.
    fn into_entry(self) -> LogEntry {
        let title = match self.title {
            Cow::Borrowed(t) => t.into(),
            Cow::Owned(t) => t.into(),
        };
        let mut e = LogEntry::new(date(self.date), title, self.line, self.end_line, self.level);
        e.tasks_only = self.tasks_only;
        e.span = self.span;
        e.set_refs(&self.links, &self.tags);
        e
    }
}

/// A record's log entries: written from the note's own, each as a
/// [`CEntry`] (the bytes of a `Vec<CEntry>`), and read straight into
/// [`LogEntry`]s, without a vector of `CEntry` to fill and then copy (1.3
/// million entries at 100k people).
struct Entries<'a>(Cow<'a, [LogEntry]>);

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(CEntry::of))
    }
}

impl<'de> Deserialize<'de> for Entries<'_> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seq;
        impl<'de> serde::de::Visitor<'de> for Seq {
            type Value = Vec<LogEntry>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("log entries")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<LogEntry>, A::Error> {
                // Room for at most a few thousand up front: a damaged
                // length must not allocate the memory it claims.
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(e) = seq.next_element::<CEntry<'de>>()? {
                    out.push(e.into_entry());
                }
                out.shrink_to_fit();
                Ok(out)
            }
        }
        d.deserialize_seq(Seq).map(|v| Entries(Cow::Owned(v)))
    }
}

#[derive(Serialize, Deserialize)]
struct CPromise {
    text: String,
    done: bool,
    /// 0 open, 1 in progress, 2 done, 3 cancelled.
    status: u8,
    due: Option<Day>,
    scheduled: Option<Day>,
    start: Option<Day>,
    completed: Option<Day>,
    created: Option<Day>,
    line: u32,
    links: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct CLink {
    target: String,
    line: u32,
    column: u32,
    entry: Option<u32>,
    key: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CDiag {
    line: u32,
    column: u32,
    error: bool,
    message: String,
    hint: Option<String>,
}

// Lines, columns and counts in a note are far below 2^32 (notes are capped
// well below 4 GB); saturating keeps a conversion from ever panicking.
fn n32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn us(v: u32) -> usize {
    v as usize
}

pub(super) fn kind_code(k: NoteKind) -> u8 {
    match k {
        NoteKind::Person => 0,
        NoteKind::Event => 1,
        NoteKind::Resource => 2,
        NoteKind::Journal => 3,
        NoteKind::Other => 4,
    }
}

pub(super) fn kind_of(c: u8) -> NoteKind {
    match c {
        0 => NoteKind::Person,
        1 => NoteKind::Event,
        2 => NoteKind::Resource,
        3 => NoteKind::Journal,
        _ => NoteKind::Other,
    }
}

fn circle_code(c: Circle) -> u8 {
    match c {
        Circle::Close => 0,
        Circle::Active => 1,
        Circle::Acquaintance => 2,
        Circle::Dormant => 3,
    }
}

fn circle_of(c: u8) -> Circle {
    match c {
        0 => Circle::Close,
        1 => Circle::Active,
        2 => Circle::Acquaintance,
        _ => Circle::Dormant,
    }
}

impl CYaml {
    fn from(y: &Yaml) -> CYaml {
        match y {
            Yaml::Null => CYaml::Null,
            Yaml::Bool(b) => CYaml::Bool(*b),
            Yaml::Number(s) => CYaml::Number(s.clone()),
            Yaml::String(s) => CYaml::String(s.clone()),
            Yaml::List(v) => CYaml::List(v.iter().map(CYaml::from).collect()),
            Yaml::Map(m) => {
                CYaml::Map(m.iter().map(|(k, v)| (k.clone(), CYaml::from(v))).collect())
            }
        }
    }

    fn into_yaml(self) -> Yaml {
        match self {
            CYaml::Null => Yaml::Null,
            CYaml::Bool(b) => Yaml::Bool(b),
            CYaml::Number(s) => Yaml::Number(s),
            CYaml::String(s) => Yaml::String(s),
            CYaml::List(v) => Yaml::List(v.into_iter().map(CYaml::into_yaml).collect()),
            CYaml::Map(m) => Yaml::Map(m.into_iter().map(|(k, v)| (k, v.into_yaml())).collect()),
        }
    }
}

impl<'a> CNote<'a> {
    pub(super) fn from_note(n: &'a Note) -> CNote<'a> {
        CNote {
            kind: kind_code(n.kind),
            has_bom: n.has_bom,
            crlf: n.crlf,
            front: n.front.as_ref().map(|f| CFront {
                pairs: match &f.value {
                    Yaml::Map(pairs) => pairs
                        .iter()
                        .map(|(k, v)| {
                            // As `encode_record`: cannot fail.
                            let v = postcard::to_allocvec(&CYaml::from(v)).unwrap_or_default();
                            (k.as_str(), Blob(Cow::Owned(v)))
                        })
                        .collect(),
                    _ => Vec::new(),
                },
                spans: f
                    .spans
                    .iter()
                    .map(|s| (s.key.as_str(), n32(s.line), n32(s.value_column)))
                    .collect(),
                first_line: n32(f.first_line),
                close_line: n32(f.close_line),
            }),
            title: n.title.clone(),
            aliases: n.aliases.clone(),
            person: n.person.as_ref().map(|p| CPerson {
                name: p.name.clone(),
                aliases: p.aliases.clone(),
                emails: p.emails.clone(),
                phones: p.phones.clone(),
                org: p.org.clone(),
                role: p.role.clone(),
                location: p.location.clone(),
                tags: p.tags.clone(),
                interests: p.interests.clone(),
                values: p.values.clone(),
                needs: p.needs.clone(),
                offers: p.offers.clone(),
                met: p.met.as_ref().map(|m| (m.date.map(day), m.event.clone())),
                introduced_by: p.introduced_by.clone(),
                circle: p.circle.map(circle_code),
                cadence: p.cadence.map(|c| match c {
                    Cadence::Days(n) => (0, n),
                    Cadence::Months(n) => (1, n),
                }),
                birthday: p.birthday.map(|b| (b.year, b.month, b.day)),
                last_contact: p.last_contact.map(day),
                intro_ok: p.intro_ok,
                snooze_until: p.snooze_until.map(day),
                links: p.links.clone(),
            }),
            event: n.event.as_ref().map(|e| CEvent {
                name: e.name.clone(),
                date: e.date.map(day),
                location: e.location.clone(),
                attendees: e.attendees.clone(),
            }),
            resource: n.resource.as_ref().map(|r| CResource {
                title: r.title.clone(),
                url: r.url.clone(),
                tags: r.tags.clone(),
                added: r.added.map(day),
            }),
            date: n.date.map(day),
            entries: Entries(Cow::Borrowed(&n.entries)),
            promises: n
                .promises
                .iter()
                .map(|p| CPromise {
                    text: p.text.clone(),
                    done: p.done,
                    status: match p.status {
                        TaskStatus::Open => 0,
                        TaskStatus::InProgress => 1,
                        TaskStatus::Done => 2,
                        TaskStatus::Cancelled => 3,
                    },
                    due: p.due.map(day),
                    scheduled: p.scheduled.map(day),
                    start: p.start.map(day),
                    completed: p.completed.map(day),
                    created: p.created.map(day),
                    line: n32(p.line),
                    links: p.links.clone(),
                })
                .collect(),
            links: n
                .links
                .iter()
                .map(|l| CLink {
                    target: l.target.clone(),
                    line: l.line,
                    column: l.column,
                    entry: l.entry,
                    key: l.key.as_deref().map(str::to_string),
                })
                .collect(),
            tags: n.tags.clone(),
            body_line: n32(n.body_line),
            diagnostics: n
                .diagnostics
                .iter()
                .map(|d| CDiag {
                    line: n32(d.line),
                    column: n32(d.column),
                    error: d.is_error(),
                    message: d.message.clone(),
                    hint: d.hint.clone(),
                })
                .collect(),
        }
    }

    /// The note as the domain sees it, entry texts left empty (read them with
    /// [`crate::vault::Vault::entry_text`]); with `keep`, only what it keeps
    /// of the front matter and the findings (as [`Keep::apply`] would cut
    /// it, without decoding the rest). `Err` when a front-matter value does
    /// not decode (a damaged record).
    pub(super) fn into_note(self, path: PathBuf, keep: Option<&Keep>) -> Result<Note, ()> {
        let front = match self.front {
            Some(f) => {
                let mut pairs = Vec::with_capacity(
                    f.pairs
                        .iter()
                        .filter(|(k, _)| keep.is_none_or(|keep| keep.values.contains(k)))
                        .count(),
                );
                for (k, v) in f.pairs {
                    if keep.is_none_or(|keep| keep.values.contains(&k)) {
                        let v: CYaml = postcard::from_bytes(&v.0).map_err(|_| ())?;
                        pairs.push((k.to_string(), v.into_yaml()));
                    }
                }
                // Counted first: a filtered collect would leave spare room.
                let kept = |k: &&str| keep.is_none_or(|keep| keep.positions.contains(k));
                let mut spans = Vec::with_capacity(f.spans.iter().filter(|s| kept(&s.0)).count());
                for (key, line, col) in f.spans.into_iter().filter(|s| kept(&s.0)) {
                    spans.push(KeySpan {
                        key: key.to_string(),
                        line: us(line),
                        value_column: us(col),
                    });
                }
                Some(FrontMatter::new(
                    Yaml::Map(pairs),
                    spans,
                    us(f.first_line),
                    us(f.close_line),
                ))
            }
            None => None,
        };
        let warnings = keep.is_none_or(|k| k.warnings);
        let diagnostics = self
            .diagnostics
            .into_iter()
            .filter(|d| d.error || warnings)
            .map(|d| Diagnostic {
                path: path.clone(),
                line: us(d.line),
                column: us(d.column),
                severity: if d.error {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: d.message,
                hint: d.hint,
            })
            .collect();
        // A link's entry indexes the note's entries (`n.entries[k]` in the
        // readers): one out of range is a damaged (or crafted) record, refused
        // here like any other, never a panic later.
        let n_entries = self.entries.0.len();
        let mut links = Vec::with_capacity(self.links.len());
        for l in self.links {
            if l.entry.is_some_and(|e| e as usize >= n_entries) {
                return Err(());
            }
            links.push(Link {
                target: l.target,
                line: l.line,
                column: l.column,
                entry: l.entry,
                key: l.key.map(String::into_boxed_str),
            });
        }
        Ok(Note {
            kind: kind_of(self.kind),
            has_bom: self.has_bom,
            crlf: self.crlf,
            front,
            title: self.title,
            aliases: self.aliases,
            person: self.person.map(|p| Person {
                name: p.name,
                aliases: p.aliases,
                emails: p.emails,
                phones: p.phones,
                org: p.org,
                role: p.role,
                location: p.location,
                tags: p.tags,
                interests: p.interests,
                values: p.values,
                needs: p.needs,
                offers: p.offers,
                met: p.met.map(|(d, event)| Met {
                    date: d.map(date),
                    event,
                }),
                introduced_by: p.introduced_by,
                circle: p.circle.map(circle_of),
                cadence: p.cadence.map(|(u, n)| {
                    if u == 0 {
                        Cadence::Days(n)
                    } else {
                        Cadence::Months(n)
                    }
                }),
                birthday: p
                    .birthday
                    .map(|(year, month, day)| Birthday { year, month, day }),
                last_contact: p.last_contact.map(date),
                intro_ok: p.intro_ok,
                snooze_until: p.snooze_until.map(date),
                links: p.links,
            }),
            event: self.event.map(|e| {
                Box::new(Event {
                    name: e.name,
                    date: e.date.map(date),
                    location: e.location,
                    attendees: e.attendees,
                })
            }),
            resource: self.resource.map(|r| {
                Box::new(Resource {
                    title: r.title,
                    url: r.url,
                    tags: r.tags,
                    added: r.added.map(date),
                })
            }),
            date: self.date.map(date),
            entries: self.entries.0.into_owned(),
            promises: self
                .promises
                .into_iter()
                .map(|p| Promise {
                    text: p.text,
                    done: p.done,
                    status: match p.status {
                        1 => TaskStatus::InProgress,
                        2 => TaskStatus::Done,
                        3 => TaskStatus::Cancelled,
                        _ => TaskStatus::Open,
                    },
                    due: p.due.map(date),
                    scheduled: p.scheduled.map(date),
                    start: p.start.map(date),
                    completed: p.completed.map(date),
                    created: p.created.map(date),
                    line: us(p.line),
                    links: p.links,
                })
                .collect(),
            links,
            tags: self.tags,
            body_line: us(self.body_line),
            diagnostics,
            text: None,
            path,
        })
    }
}
