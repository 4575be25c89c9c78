//! The domain: people, their log entries, promises, events and resources.
//!
//! These types are plain data, free of any adapter crate (tantivy, git2,
//! notify, processes), so every other module can build on them.

use crate::date::{Birthday, Cadence, Date};
use serde::Serialize;
use std::fmt;

/// What a note is about, from its folder or its `type:` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    Person,
    Event,
    Resource,
    Journal,
    Other,
}

impl NoteKind {
    pub fn parse(s: &str) -> Option<NoteKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" | "people" => Some(NoteKind::Person),
            "event" | "events" => Some(NoteKind::Event),
            "resource" | "resources" => Some(NoteKind::Resource),
            "journal" => Some(NoteKind::Journal),
            "other" | "note" => Some(NoteKind::Other),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Person => "person",
            NoteKind::Event => "event",
            NoteKind::Resource => "resource",
            NoteKind::Journal => "journal",
            NoteKind::Other => "other",
        }
    }
}

impl fmt::Display for NoteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How close someone is; sets the default keep-in-touch cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Circle {
    Close,
    Active,
    Acquaintance,
    Dormant,
}

impl Circle {
    pub const NAMES: &'static str = "close, active, acquaintance or dormant";

    pub fn parse(s: &str) -> Option<Circle> {
        match s.trim().to_ascii_lowercase().as_str() {
            "close" => Some(Circle::Close),
            "active" => Some(Circle::Active),
            "acquaintance" => Some(Circle::Acquaintance),
            "dormant" => Some(Circle::Dormant),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Circle::Close => "close",
            Circle::Active => "active",
            Circle::Acquaintance => "acquaintance",
            Circle::Dormant => "dormant",
        }
    }
}

/// `met: 2026-11-14` or `met: {date: 2026-11-14, event: "[[Rust Meetup]]"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Met {
    pub date: Option<Date>,
    /// The event's link target, without brackets.
    pub event: Option<String>,
}

/// A person note's typed front matter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Person {
    pub name: String,
    pub aliases: Vec<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub org: Option<String>,
    pub role: Option<String>,
    pub location: Option<String>,
    pub tags: Vec<String>,
    pub interests: Vec<String>,
    pub values: Vec<String>,
    pub needs: Vec<String>,
    pub offers: Vec<String>,
    pub met: Option<Met>,
    /// Link target of `introduced_by`, without brackets.
    pub introduced_by: Option<String>,
    pub circle: Option<Circle>,
    #[serde(serialize_with = "ser_display_opt")]
    pub cadence: Option<Cadence>,
    #[serde(serialize_with = "ser_display_opt")]
    pub birthday: Option<Birthday>,
    pub last_contact: Option<Date>,
    pub intro_ok: bool,
    pub snooze_until: Option<Date>,
    pub links: Vec<(String, String)>,
}

fn ser_display_opt<T: fmt::Display, S: serde::Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&v.to_string()),
        None => s.serialize_none(),
    }
}

/// An event note's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Event {
    pub name: String,
    pub date: Option<Date>,
    pub location: Option<String>,
    /// Link targets of `attendees`.
    pub attendees: Vec<String>,
}

/// A resource note's fields: something worth sharing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub title: String,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub added: Option<Date>,
}

/// A dated heading and the text under it: one conversation, one touch.
///
/// Laid out small (u32 lines, boxed lists, the title inline, no text): a
/// vault of a hundred thousand people holds over a million of these, 64
/// bytes each instead of 112, and no allocation for a short title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub date: Date,
    /// 1-based line of the heading.
    pub line: u32,
    /// 1-based line just past the entry (the next heading of the same or a
    /// higher level, or the line after the end of the file).
    pub end_line: u32,
    /// Heading level (1–6).
    pub level: u8,
    /// Nothing but task lines (`- [ ] …`): a plan, not something done with
    /// anyone, so not a contact. Kept apart from the text, which the cached
    /// model leaves on disk.
    pub tasks_only: bool,
    /// Byte range of the text under the heading (before trimming) in the
    /// note's text after any BOM; how the cached model finds the text again.
    pub span: (u32, u32),
    /// The heading after the date. The text under the heading is not kept
    /// here: read it with [`crate::note::Note::entry_text`] (a note parsed
    /// in this run) or `Vault::entry_text` (any note, cached or not).
    pub title: ShortStr,
    /// The link targets mentioned in the entry and its tags, packed in one
    /// buffer (see [`Refs`]; read with [`LogEntry::links`] and
    /// [`LogEntry::tags`], set with [`LogEntry::set_refs`]): two boxed lists
    /// of strings were 16 bytes more in each of a million entries and an
    /// allocation per link and tag.
    refs: Box<[u8]>,
}

impl LogEntry {
    /// An entry with no links or tags yet (see [`LogEntry::set_refs`]).
    pub fn new(date: Date, title: ShortStr, line: u32, end_line: u32, level: u8) -> LogEntry {
        LogEntry {
            date,
            line,
            end_line,
            level,
            tasks_only: false,
            span: (0, 0),
            title,
            refs: Box::default(),
        }
    }

    /// Link targets mentioned in the entry.
    pub fn links(&self) -> Refs<'_> {
        let mut at = 0;
        let n = varint(&self.refs, &mut at);
        let _tags = varint(&self.refs, &mut at);
        Refs {
            bytes: self.refs.get(at..).unwrap_or_default(),
            n,
        }
    }

    /// The entry's tags, without `#`.
    pub fn tags(&self) -> Refs<'_> {
        let mut at = 0;
        let links = varint(&self.refs, &mut at);
        let n = varint(&self.refs, &mut at);
        // Most entries have no tag, and every rule asks: no links skipped
        // then, and the links are stepped over by length, not read.
        if n == 0 {
            return Refs { bytes: &[], n };
        }
        for _ in 0..links {
            let len = varint(&self.refs, &mut at);
            at = at.saturating_add(len);
        }
        Refs {
            bytes: self.refs.get(at..).unwrap_or_default(),
            n,
        }
    }

    /// Sets the entry's links and tags.
    pub fn set_refs<S: AsRef<str>>(&mut self, links: &[S], tags: &[S]) {
        if links.is_empty() && tags.is_empty() {
            self.refs = Box::default();
            return;
        }
        let len: usize = links.iter().chain(tags).map(|s| s.as_ref().len() + 2).sum();
        let mut out = Vec::with_capacity(len + 4);
        put_varint(&mut out, links.len());
        put_varint(&mut out, tags.len());
        for s in links.iter().chain(tags) {
            put_varint(&mut out, s.as_ref().len());
            out.extend_from_slice(s.as_ref().as_bytes());
        }
        self.refs = out.into_boxed_slice();
    }
}

/// LEB128, as the entries' packed links and tags count and measure.
fn put_varint(out: &mut Vec<u8>, mut v: usize) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads what [`put_varint`] wrote at `*at`, moving past it; 0 past the
/// end (an empty buffer: no links, no tags).
fn varint(b: &[u8], at: &mut usize) -> usize {
    let mut v = 0usize;
    let mut shift = 0;
    while let Some(&x) = b.get(*at) {
        *at += 1;
        if shift < usize::BITS {
            v |= usize::from(x & 0x7f) << shift;
        }
        shift += 7;
        if x & 0x80 == 0 {
            break;
        }
    }
    v
}

/// An entry's links or tags, read in place from its packed buffer: a list
/// of strings that iterates as `&str`s.
#[derive(Clone, Copy)]
pub struct Refs<'a> {
    bytes: &'a [u8],
    n: usize,
}

impl<'a> Refs<'a> {
    pub fn iter(&self) -> RefsIter<'a> {
        RefsIter {
            rest: self.bytes,
            left: self.n,
        }
    }
    pub fn len(&self) -> usize {
        self.n
    }
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl<'a> IntoIterator for Refs<'a> {
    type Item = &'a str;
    type IntoIter = RefsIter<'a>;
    fn into_iter(self) -> RefsIter<'a> {
        self.iter()
    }
}

pub struct RefsIter<'a> {
    rest: &'a [u8],
    left: usize,
}

impl<'a> Iterator for RefsIter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut at = 0;
        let len = varint(self.rest, &mut at);
        let end = at.saturating_add(len).min(self.rest.len());
        let s = self.rest.get(at..end).unwrap_or_default();
        self.rest = self.rest.get(end..).unwrap_or_default();
        // Written from `str`s by `set_refs`: always whole UTF-8.
        Some(std::str::from_utf8(s).unwrap_or_default())
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for RefsIter<'_> {}

/// As the `[String]` it replaced (length, then each string): hashes of
/// entries kept in the introductions' cache keep their values.
impl std::hash::Hash for Refs<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_usize(self.n);
        for s in self.iter() {
            s.hash(h);
        }
    }
}

impl fmt::Debug for Refs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Refs<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n && self.iter().eq(other.iter())
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Refs<'_> {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.n == N && self.iter().eq(other.iter().copied())
    }
}

impl Serialize for Refs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// A string of up to [`ShortStr::INLINE`] bytes kept inline, a longer one
/// boxed: entry titles are short, and a million of them, each its own
/// allocation, were a tenth of the decoded vault. Reads as a `str`.
#[derive(Clone)]
pub struct ShortStr(Repr);

#[derive(Clone)]
enum Repr {
    Inline {
        len: u8,
        bytes: [u8; ShortStr::INLINE],
    },
    Heap(Box<str>),
}

impl ShortStr {
    /// The longest string kept without an allocation: what fits beside the
    /// length and the variant's tag in the 24 bytes of a `String`.
    pub const INLINE: usize = 22;

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always a whole `str`'s bytes (see `From<&str>`), so this
            // cannot fail; an empty string would be the harmless answer.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default()
            }
            Repr::Heap(s) => s,
        }
    }
}

impl Default for ShortStr {
    fn default() -> Self {
        ShortStr(Repr::Inline {
            len: 0,
            bytes: [0; ShortStr::INLINE],
        })
    }
}

impl From<&str> for ShortStr {
    fn from(s: &str) -> Self {
        if s.len() <= ShortStr::INLINE {
            let mut bytes = [0; ShortStr::INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            ShortStr(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            ShortStr(Repr::Heap(s.into()))
        }
    }
}

impl From<String> for ShortStr {
    fn from(s: String) -> Self {
        if s.len() <= ShortStr::INLINE {
            ShortStr::from(s.as_str())
        } else {
            ShortStr(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl std::ops::Deref for ShortStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ShortStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for ShortStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ShortStr {}

/// As a `str` (and so as the `Box<str>` it replaced: hashes of titles
/// written in caches keep their values).
impl std::hash::Hash for ShortStr {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl PartialEq<str> for ShortStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ShortStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ShortStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

const _: () = assert!(std::mem::size_of::<ShortStr>() == 24);

/// Whether an entry's text is nothing but task lines (and is not empty).
pub fn only_tasks(text: &str) -> bool {
    let mut any = false;
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let t = l.trim_start_matches(['-', '*', '+']).trim_start();
        if !(t.starts_with("[ ]")
            || t.starts_with("[x]")
            || t.starts_with("[X]")
            || t.starts_with("[/]")
            || t.starts_with("[-]"))
        {
            return false;
        }
        any = true;
    }
    any
}

impl LogEntry {
    pub fn gave(&self) -> bool {
        self.tags().iter().any(|t| t.eq_ignore_ascii_case("gave"))
    }
    pub fn asked(&self) -> bool {
        self.tags().iter().any(|t| t.eq_ignore_ascii_case("asked"))
    }
}

/// The state of a task item, as the Obsidian Tasks plugin writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// `- [ ]`
    Open,
    /// `- [/]`: started, still owed.
    InProgress,
    /// `- [x]` or `- [X]`
    Done,
    /// `- [-]`: dropped; no longer owed, and not something given.
    Cancelled,
}

/// A task item `- [ ] …`: something promised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Promise {
    pub text: String,
    /// Closed: done or cancelled (see `status`).
    pub done: bool,
    pub status: TaskStatus,
    /// `📅 YYYY-MM-DD`, `due:YYYY-MM-DD` or `[due:: YYYY-MM-DD]`.
    pub due: Option<Date>,
    /// `⏳ YYYY-MM-DD` or `[scheduled:: …]`: not to be worked on before.
    pub scheduled: Option<Date>,
    /// `🛫 YYYY-MM-DD` or `[start:: …]`: cannot start before.
    pub start: Option<Date>,
    /// `✅ YYYY-MM-DD` or `[completion:: …]`: when it was done.
    pub completed: Option<Date>,
    /// `➕ YYYY-MM-DD` or `[created:: …]`, else the date of the log entry it sits in.
    pub created: Option<Date>,
    pub line: usize,
    /// Link targets in the item.
    pub links: Vec<String>,
}

impl Promise {
    /// Still owed: open or in progress.
    pub fn is_open(&self) -> bool {
        matches!(self.status, TaskStatus::Open | TaskStatus::InProgress)
    }

    /// The first day it may be asked for: the later of its scheduled and
    /// start dates (the Tasks plugin hides a task until then too).
    pub fn not_before(&self) -> Option<Date> {
        self.scheduled.max(self.start)
    }
}

/// A `[[wikilink]]`, in the body or in a front-matter value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Target without `|label` or `#heading`, trimmed.
    pub target: String,
    /// 1-based line and byte column (u32, like the entries' lines: a vault
    /// holds hundreds of thousands of links, 56 bytes each instead of 80).
    pub line: u32,
    pub column: u32,
    /// Index into the note's entries when the link sits inside one.
    pub entry: Option<u32>,
    /// The front-matter key holding it, when it is a property.
    pub key: Option<Box<str>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn entry() -> LogEntry {
        LogEntry::new(Date::MIN, "t".into(), 1, 2, 2)
    }

    fn strs(n: usize, p: &str) -> Vec<String> {
        (0..n).map(|i| format!("{p}{i}")).collect()
    }

    #[test]
    fn links_and_tags_come_back_apart() {
        for (l, t) in [(0, 0), (2, 0), (0, 3), (2, 3), (200, 1)] {
            let mut e = entry();
            e.set_refs(&strs(l, "l"), &strs(t, "t"));
            assert_eq!(
                (e.links().to_vec(), e.tags().to_vec()),
                (strs(l, "l"), strs(t, "t"))
            );
            assert_eq!((e.links().len(), e.tags().len()), (l, t));
        }
        let mut e = entry();
        let long = ["x".repeat(300), "ü".into(), String::new()];
        e.set_refs(&long, &[]);
        assert_eq!(e.links().to_vec(), long);
        assert!(e.tags().is_empty());
    }

    /// Hashed as the boxed lists they replaced were.
    #[test]
    fn packed_lists_hash_as_lists_of_strings() {
        let h = std::collections::hash_map::RandomState::new();
        let mut e = entry();
        e.set_refs(&strs(3, "l"), &strs(1, "t"));
        let old: Box<[String]> = strs(3, "l").into();
        assert_eq!(h.hash_one(e.links()), h.hash_one(&old));
        assert_ne!(h.hash_one(e.tags()), h.hash_one(&old));
    }

    #[test]
    fn an_entry_of_very_many_links_keeps_them_all() {
        let mut e = entry();
        e.set_refs(&strs(70_000, "l"), &strs(2, "t"));
        assert_eq!(e.links().len(), 70_000);
        assert_eq!(e.links().iter().last(), Some("l69999"));
        assert_eq!(e.tags().to_vec(), strs(2, "t"));
    }

    #[test]
    fn short_strings_read_back_inline_or_boxed() {
        let h = std::collections::hash_map::RandomState::new();
        for s in [
            "",
            "a",
            "ümlaut · 22 bytes!!",
            "exactly twenty-two by",
            "twenty-three bytes, one more",
        ] {
            let t = ShortStr::from(s);
            assert_eq!((t.as_str(), &*t), (s, s));
            assert_eq!(ShortStr::from(s.to_string()), t);
            // Hashed as the `str` (the `Box<str>` it replaced) is.
            let one = |x: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
                let mut st = h.build_hasher();
                x(&mut st);
                std::hash::Hasher::finish(&st)
            };
            assert_eq!(
                one(&|st| t.hash(st)),
                one(&|st| Box::<str>::from(s).hash(st))
            );
            assert_eq!(format!("{t:?}/{t}"), format!("{s:?}/{s}"));
        }
        assert!(matches!(
            ShortStr::from("x".repeat(22).as_str()).0,
            Repr::Inline { .. }
        ));
        assert!(matches!(
            ShortStr::from("x".repeat(23).as_str()).0,
            Repr::Heap(_)
        ));
    }
}
