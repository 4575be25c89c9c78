//! Derived digest results kept between runs in `.kith/cache/`:
//!
//! - `digest.bin`: the whole digest for one date and one set of limits
//!   (reminders, introductions, shares, the weekly notice; plugin sections
//!   are the command's and always run), so a digest with nothing changed
//!   since the last one decodes no note record at all;
//! - `intros.bin`: every introduction candidate and share suggestion for
//!   one date, unlimited, which `kith intros` (any `--for`, `--limit`,
//!   `--all`), `give`, `brief` and a digest whose own entry missed select
//!   from. The candidates are stored as the computation holds them
//!   ([`Ranked`]: tables of the people who appear and of the strings the
//!   reasons are made of, numbers per candidate), self-contained, so a
//!   command reads them without decoding a note and makes whole only what
//!   it shows.
//!
//! They depend only on the notes, the config, the dismissals in
//! `.kith/intros.yaml`, the date, the limits and the kith binary, so each is
//! stored under a *generation*: a hash of all of those (each note by its path
//! and content hash, as the model's directory has them — no record needs
//! decoding to tell). Anything changed, and the generation differs: the
//! results are computed again. Answers are therefore always as fresh as a
//! computation from the notes.
//!
//! The files are disposable like the rest of `.kith/cache/`: a different
//! generation is simply recomputed; a damaged or old-format file is
//! recomputed and rewritten with one line on stderr; they are written
//! atomically and opened without waiting on a FIFO or following a link.
//!
//! # File format (`digest.bin`, `intros.bin`)
//! `KITHDGS\n`, format version (u32 LE), generation (u64 LE), checksum of the
//! payload (u64 LE; Fx over 64 KiB blocks, so it is summed as it is written), payload length (u64 LE), then the payload: postcard of
//! [`Whole`] or [`AllIntros`]. `intros.bin` has a format number of its own
//! ([`INTROS_FORMAT`]), so changing its form rebuilds it alone. Postcard, like the note model (`store`):
//! compact and plain. The stored types mirror the domain's field by field:
//! the domain's serde attributes are shaped for JSON (`skip_serializing_if`),
//! which postcard cannot read back.

use super::ShareSuggestion;
use super::intros::{NeedMet, Ranked};
use super::matcher::{Field, FieldKind};
use super::{Digest, IntroSuggestion, Limits, Reminder, ReminderKind, Section, SectionItem};
use crate::date::Date;
use crate::vault::Vault;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bump when [`Whole`], [`AllIntros`] or what goes into a result changes.
/// 3: the checksum is Fx. 4: Fx over blocks of [`BLOCK`] bytes, so the
/// payload can be written as it is serialized.
const FORMAT: u32 = 4;
/// The checksum's block: a file is written through a buffer this size.
const BLOCK: usize = 64 * 1024;
const MAGIC: &[u8; 8] = b"KITHDGS\n";
const HEADER: usize = 8 + 4 + 8 + 8 + 8;

/// The whole digest's cache file.
pub fn file(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("digest.bin")
}

/// Every introduction candidate's cache file.
pub fn intros_file(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("intros.bin")
}

/// The digest as stored (plugin sections left out: the command adds them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Whole {
    as_of: Date,
    reminders: Vec<CReminder>,
    intros: Vec<Intro>,
    shares: Vec<Share>,
    more_check_ins: usize,
    more_intros: usize,
    sections: Vec<CSection>,
}

/// Every introduction candidate (ranked, in the compact form of
/// [`Ranked`]: tables of the people and strings, numbers per candidate) and
/// share suggestion, unlimited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AllIntros {
    intros: Ranked,
    shares: Vec<Share>,
}

/// [`AllIntros`] borrowed from the results in hand, for writing: the same
/// bytes, without a copy.
#[derive(Serialize)]
pub struct AllIntrosRef<'a> {
    intros: &'a Ranked,
    shares: Lazy<'a, ShareSuggestion, ShareRef<'a>>,
}

impl AllIntros {
    pub fn of<'a>(intros: &'a Ranked, shares: &'a [ShareSuggestion]) -> AllIntrosRef<'a> {
        AllIntrosRef {
            intros,
            shares: Lazy::of(shares),
        }
    }

    pub fn into_parts(self) -> (Ranked, Vec<ShareSuggestion>) {
        (
            self.intros,
            self.shares.into_iter().map(ShareSuggestion::from).collect(),
        )
    }
}

/// `intros.bin`'s own format, apart from [`FORMAT`]: 5, the candidates in
/// the compact form of [`Ranked`] (4 stored each one whole, 45 MB at 100k
/// people). An older file is rebuilt once, saying so.
pub const INTROS_FORMAT: u32 = 5;

/// [`read`] of `intros.bin` (its format is [`INTROS_FORMAT`]).
pub fn read_intros(path: &Path, generation: u64) -> Result<AllIntros, Miss> {
    let all: AllIntros = read_as(path, INTROS_FORMAT, generation)?;
    // The checksum tells damage, not a file made to pass it: indexes that
    // point past the file's own tables would panic or blank a name.
    if !all.intros.is_sound() {
        return Err(Miss::Bad("it is damaged (an index out of range)".into()));
    }
    Ok(all)
}

/// [`write`] of `intros.bin` (its format is [`INTROS_FORMAT`]).
pub fn write_intros(path: &Path, generation: u64, s: &AllIntrosRef<'_>) -> std::io::Result<()> {
    write_as(path, INTROS_FORMAT, generation, s)
}

/// [`Whole`] borrowed from the digest in hand, for writing (the same bytes).
#[derive(Serialize)]
pub struct WholeRef<'a> {
    as_of: Date,
    reminders: Lazy<'a, Reminder, CReminderRef<'a>>,
    intros: Lazy<'a, IntroSuggestion, IntroRef<'a>>,
    shares: Lazy<'a, ShareSuggestion, ShareRef<'a>>,
    more_check_ins: usize,
    more_intros: usize,
    sections: Vec<CSection>,
}

/// A slice written as a sequence of its borrowed forms `R`, made one at a
/// time while writing: the same bytes as a `Vec<R>`, without a vector of
/// them (10 MB for the 70k reminders of a 100k-people vault, at the
/// digest's peak).
pub struct Lazy<'a, T, R> {
    items: &'a [T],
    as_ref: std::marker::PhantomData<fn() -> R>,
}

impl<'a, T, R> Lazy<'a, T, R> {
    fn of(items: &'a [T]) -> Self {
        Lazy {
            items,
            as_ref: std::marker::PhantomData,
        }
    }
}

impl<'a, T, R: From<&'a T> + Serialize> Serialize for Lazy<'a, T, R> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.items.iter().map(R::from))
    }
}

impl Whole {
    pub fn of(d: &Digest) -> WholeRef<'_> {
        WholeRef {
            as_of: d.as_of,
            reminders: Lazy::of(&d.reminders),
            intros: Lazy::of(&d.intros),
            shares: Lazy::of(&d.shares),
            more_check_ins: d.more_check_ins,
            more_intros: d.more_intros,
            sections: d.sections.iter().map(CSection::from).collect(),
        }
    }

    pub fn into_digest(self) -> Digest {
        Digest {
            as_of: self.as_of,
            reminders: self.reminders.into_iter().map(Reminder::from).collect(),
            intros: self.intros.into_iter().map(IntroSuggestion::from).collect(),
            shares: self.shares.into_iter().map(ShareSuggestion::from).collect(),
            more_check_ins: self.more_check_ins,
            more_intros: self.more_intros,
            sections: self.sections.into_iter().map(Section::from).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CReminder {
    /// [`ReminderKind`] in declaration order.
    kind: u8,
    name: String,
    path: PathBuf,
    line: usize,
    due: Date,
    reason: String,
    starters: Vec<String>,
    group: Option<String>,
    people: Vec<String>,
    urgency: f64,
    note: Option<usize>,
}

const KINDS: [ReminderKind; 6] = [
    ReminderKind::FollowUp,
    ReminderKind::CheckIn,
    ReminderKind::Promise,
    ReminderKind::Birthday,
    ReminderKind::Event,
    ReminderKind::Intro,
];

/// [`CReminder`] borrowed.
#[derive(Serialize)]
struct CReminderRef<'a> {
    kind: u8,
    name: &'a str,
    path: &'a Path,
    line: usize,
    due: Date,
    reason: &'a str,
    starters: &'a [String],
    group: Option<&'a str>,
    people: &'a [String],
    urgency: f64,
    note: Option<usize>,
}

impl<'a> From<&'a Reminder> for CReminderRef<'a> {
    fn from(r: &'a Reminder) -> CReminderRef<'a> {
        CReminderRef {
            kind: KINDS.iter().position(|k| *k == r.kind).unwrap_or(0) as u8,
            name: &r.name,
            path: &r.path,
            line: r.line,
            due: r.due,
            reason: &r.reason,
            starters: &r.starters,
            group: r.group.as_deref(),
            people: &r.people,
            urgency: r.urgency,
            note: r.note,
        }
    }
}

impl From<CReminder> for Reminder {
    fn from(r: CReminder) -> Reminder {
        Reminder {
            kind: KINDS
                .get(usize::from(r.kind))
                .copied()
                .unwrap_or(ReminderKind::FollowUp),
            name: r.name,
            path: r.path,
            line: r.line,
            due: r.due,
            reason: r.reason,
            starters: r.starters,
            group: r.group,
            people: r.people,
            urgency: r.urgency,
            note: r.note,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Share {
    resource: String,
    resource_path: PathBuf,
    url: Option<String>,
    name: String,
    path: PathBuf,
    reason: String,
    promise: Option<String>,
}

/// [`Share`] borrowed.
#[derive(Serialize)]
struct ShareRef<'a> {
    resource: &'a str,
    resource_path: &'a Path,
    url: Option<&'a str>,
    name: &'a str,
    path: &'a Path,
    reason: &'a str,
    promise: Option<&'a str>,
}

impl<'a> From<&'a ShareSuggestion> for ShareRef<'a> {
    fn from(s: &'a ShareSuggestion) -> ShareRef<'a> {
        ShareRef {
            resource: &s.resource,
            resource_path: &s.resource_path,
            url: s.url.as_deref(),
            name: &s.name,
            path: &s.path,
            reason: &s.reason,
            promise: s.promise.as_deref(),
        }
    }
}

impl From<Share> for ShareSuggestion {
    fn from(s: Share) -> ShareSuggestion {
        ShareSuggestion {
            resource: s.resource,
            resource_path: s.resource_path,
            url: s.url,
            name: s.name,
            path: s.path,
            reason: s.reason,
            promise: s.promise,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CSection {
    title: String,
    items: Vec<(String, Option<PathBuf>, Option<usize>)>,
}

impl From<&Section> for CSection {
    fn from(s: &Section) -> CSection {
        CSection {
            title: s.title.clone(),
            items: s
                .items
                .iter()
                .map(|i| (i.text.clone(), i.path.clone(), i.line))
                .collect(),
        }
    }
}

impl From<CSection> for Section {
    fn from(s: CSection) -> Section {
        Section {
            title: s.title,
            items: s
                .items
                .into_iter()
                .map(|(text, path, line)| SectionItem { text, path, line })
                .collect(),
        }
    }
}

/// [`IntroSuggestion`] as stored (its own type stays serialize-only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intro {
    a: String,
    b: String,
    a_path: PathBuf,
    b_path: PathBuf,
    score: f64,
    reasons: Vec<String>,
    need: Option<(String, String)>,
    planned: Vec<String>,
}

/// [`Intro`] borrowed.
#[derive(Serialize)]
struct IntroRef<'a> {
    a: &'a str,
    b: &'a str,
    a_path: &'a Path,
    b_path: &'a Path,
    score: f64,
    reasons: &'a [String],
    need: Option<(&'a str, &'a str)>,
    planned: &'a [String],
}

impl<'a> From<&'a IntroSuggestion> for IntroRef<'a> {
    fn from(s: &'a IntroSuggestion) -> IntroRef<'a> {
        IntroRef {
            a: &s.a,
            b: &s.b,
            a_path: &s.a_path,
            b_path: &s.b_path,
            score: s.score,
            reasons: &s.reasons,
            need: s.need.as_ref().map(|n| (n.need.as_str(), n.offer.as_str())),
            planned: &s.planned,
        }
    }
}

impl From<Intro> for IntroSuggestion {
    fn from(s: Intro) -> IntroSuggestion {
        IntroSuggestion {
            a: s.a,
            b: s.b,
            a_path: s.a_path,
            b_path: s.b_path,
            score: s.score,
            reasons: s.reasons,
            need: s.need.map(|(need, offer)| NeedMet { need, offer }),
            planned: s.planned,
        }
    }
}

/// What every derived result depends on besides the date and the limits:
/// each note's path and content hash (in the model's order), the config
/// (as loaded, the one the computation uses: the file read again here could
/// be a newer save, and a result of the older config stored under it),
/// the dismissals and the kith binary. `None` when it cannot be told (a
/// note's content is unknown, or the dismissals file has problems the fresh
/// computation must report).
pub fn vault_key<'a>(
    root: &Path,
    config: &crate::config::Config,
    sources: impl Iterator<Item = (&'a [u8], u64)>,
) -> Option<u64> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    binary_identity(&mut h);
    let mut n = 0usize;
    for (path, src) in sources {
        if src == 0 {
            return None;
        }
        path.hash(&mut h);
        src.hash(&mut h);
        n += 1;
    }
    n.hash(&mut h);
    settings_into(&mut h, root, config)?;
    Some(h.finish())
}

/// What every derived result depends on besides the notes, the date and
/// the limits: the kith binary, the config in use and the dismissals.
/// `None` when it cannot be told (see [`vault_key`]).
pub fn settings_key(root: &Path, config: &crate::config::Config) -> Option<u64> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    binary_identity(&mut h);
    settings_into(&mut h, root, config)?;
    Some(h.finish())
}

/// The config as loaded and the dismissals file as it reads now, into `h`.
fn settings_into(h: &mut impl Hasher, root: &Path, config: &crate::config::Config) -> Option<()> {
    // The capped reader that never opens a FIFO; a file kith cannot read
    // means no cache: the fresh computation reports it.
    let read = |rel: &Path| match crate::vault::read_note_bytes(&root.join(rel))
        .map_err(std::io::Error::from)
    {
        Ok(b) => Some(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(None),
        Err(_) => None,
    };
    format!("{:?}", config.raw).hash(h);
    let dismissed = read(Path::new(super::DISMISSED_FILE))?;
    if let Some(b) = &dismissed
        && !dismissals_clean(b)
    {
        return None;
    }
    dismissed.hash(h);
    Some(())
}

/// The kith binary (and this file's format), hashed into every key: a
/// rebuilt kith may match or rank differently.
pub fn binary_identity(h: &mut impl Hasher) {
    FORMAT.hash(h);
    env!("CARGO_PKG_VERSION").hash(h);
    if let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) {
        m.len().hash(h);
        m.modified().ok().hash(h);
    }
}

/// [`vault_key`] of a loaded vault.
pub fn vault_key_of(vault: &Vault) -> Option<u64> {
    let sources = vault.source_hashes();
    if sources.len() != vault.notes.len() {
        return None;
    }
    vault_key(
        &vault.root,
        &vault.config,
        vault
            .notes
            .iter()
            .zip(sources)
            .map(|(n, s)| (n.path.as_os_str().as_encoded_bytes(), *s)),
    )
}

/// Whether a result computed from `vault` may be stored under `key`: no
/// note read for its text had changed since the model read it, and the
/// key's inputs read from disk (the dismissals, which the computation reads
/// again) are still those the key was made of.
pub fn still_keyed(vault: &Vault, key: u64) -> bool {
    !vault.read_changed() && vault_key_of(vault) == Some(key)
}

/// The generation of the whole digest for a vault key, date and limits.
pub fn digest_generation(key: u64, as_of: Date, limits: Limits) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ("digest", key, as_of).hash(&mut h);
    (limits.check_ins, limits.intros, limits.shares).hash(&mut h);
    h.finish()
}

/// The generation of every introduction candidate for an introductions
/// key ([`super::introfacts`]) and date.
pub fn intros_generation(key: u64, as_of: Date) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ("intros", key, as_of).hash(&mut h);
    h.finish()
}

/// The digest's own pick of the introductions and shares: a few KB, so a
/// digest after an edit that leaves the introductions alone does not read
/// every candidate back (hundreds of thousands at 100k people).
pub fn pick_file(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("intropick.bin")
}

/// The generation of the digest's pick for an introductions key, date and
/// the limits it applies.
pub fn pick_generation(key: u64, as_of: Date, limits: Limits) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ("pick", key, as_of).hash(&mut h);
    (limits.intros, limits.shares).hash(&mut h);
    h.finish()
}

/// What the digest shows of the introductions: `select(all, limits.intros,
/// 2)`, the first `limits.shares` shares, and how many were left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    intros: Vec<Intro>,
    shares: Vec<Share>,
    more_intros: usize,
}

/// [`Pick`] borrowed, for writing (the same bytes).
#[derive(Serialize)]
pub struct PickRef<'a> {
    intros: Vec<IntroRef<'a>>,
    shares: Vec<ShareRef<'a>>,
    more_intros: usize,
}

impl Pick {
    pub fn of<'a>(
        intros: &'a [IntroSuggestion],
        shares: &'a [ShareSuggestion],
        more_intros: usize,
    ) -> PickRef<'a> {
        PickRef {
            intros: intros.iter().map(IntroRef::from).collect(),
            shares: shares.iter().map(ShareRef::from).collect(),
            more_intros,
        }
    }

    pub fn into_parts(self) -> (Vec<IntroSuggestion>, Vec<ShareSuggestion>, usize) {
        (
            self.intros.into_iter().map(IntroSuggestion::from).collect(),
            self.shares.into_iter().map(ShareSuggestion::from).collect(),
            self.more_intros,
        )
    }
}

/// The matcher's per-person fields cache file.
pub fn fields_file(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("fields.bin")
}

/// What the matcher reads of one person (offers, role, org, tags, interests
/// and the sentences of their note's prose), stored by note path and content
/// hash: the prose is read from the note itself, so without this every
/// matcher build read every person's note from disk (2.8 s of `intros --all`
/// at 100k people).
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredFields {
    people: Vec<(String, u64, StoredPerson)>,
}

/// [`StoredFields`] borrowed from the fields in hand, for writing.
#[derive(Serialize)]
struct StoredFieldsRef<'a> {
    people: Vec<(std::borrow::Cow<'a, str>, u64, StoredPersonRef<'a>)>,
}

/// [`StoredPerson`] borrowed.
type StoredPersonRef<'a> = Vec<(u8, &'a str)>;

/// One person's fields: ([`FieldKind`] in declaration order, text).
type StoredPerson = Vec<(u8, String)>;

const FIELD_KINDS: [FieldKind; 6] = [
    FieldKind::Offer,
    FieldKind::Role,
    FieldKind::Org,
    FieldKind::Tag,
    FieldKind::Interest,
    FieldKind::Prose,
];

/// The fields of each of `people` (note indexes): from the fields cache for
/// every note whose path and content hash it holds, from `make` (which
/// reads the note) for the others; the cache is written again when anything
/// was made or dropped. A damaged cache is said on stderr and made again.
pub fn person_fields(
    vault: &Vault,
    people: &[usize],
    make: &(dyn Fn(usize) -> Vec<Field> + Sync),
) -> Vec<Vec<Field>> {
    use rayon::prelude::*;
    let sources = vault.source_hashes();
    let hash_of = |i: usize| sources.get(i).copied().unwrap_or(0);
    let path_of = |i: usize| vault.notes[i].path.to_string_lossy();
    let file = fields_file(&vault.root);
    let stored = if sources.is_empty() {
        StoredFields::default()
    } else {
        match read::<StoredFields>(&file, FIELDS_GENERATION) {
            Ok(s) => s,
            Err(Miss::Absent) => StoredFields::default(),
            Err(Miss::Bad(why)) => {
                eprintln!("kith: rebuilt the matcher's cache because {why}");
                StoredFields::default()
            }
        }
    };
    // The stored fields are moved out, not cloned: at 100k people they are
    // a few hundred thousand strings.
    let mut known: std::collections::HashMap<String, (u64, StoredPerson)> =
        std::collections::HashMap::with_capacity(stored.people.len());
    let stored_len = stored.people.len();
    for (p, h, f) in stored.people {
        known.insert(p, (h, f));
    }
    let kind = |k: u8| {
        FIELD_KINDS
            .get(usize::from(k))
            .copied()
            .unwrap_or(FieldKind::Prose)
    };
    let mut fields: Vec<(bool, Vec<Field>)> = people
        .iter()
        .map(|&i| {
            let h = hash_of(i);
            match known.remove(path_of(i).as_ref()) {
                Some((stored, f)) if stored == h && h != 0 => (
                    false,
                    f.into_iter()
                        .map(|(k, text)| Field {
                            kind: kind(k),
                            text,
                        })
                        .collect(),
                ),
                _ => (true, Vec::new()),
            }
        })
        .collect();
    drop(known);
    fields
        .par_iter_mut()
        .zip(people.par_iter())
        .filter(|((made, _), _)| *made)
        .for_each(|((_, f), &i)| *f = make(i));
    let made = fields.iter().filter(|(m, _)| *m).count();
    // Fields made from a note saved since the model read it would be kept
    // under the older content hash: then nothing is stored this time.
    if !sources.is_empty() && (made > 0 || stored_len != people.len()) && !vault.read_changed() {
        // Serialised from borrows: the same bytes as [`StoredFields`].
        let out = StoredFieldsRef {
            people: people
                .iter()
                .zip(&fields)
                .filter(|(i, _)| hash_of(**i) != 0)
                .map(|(&i, (_, f))| {
                    (
                        path_of(i),
                        hash_of(i),
                        f.iter()
                            .map(|f| {
                                let k = FIELD_KINDS.iter().position(|k| *k == f.kind);
                                (k.unwrap_or(5) as u8, f.text.as_str())
                            })
                            .collect(),
                    )
                })
                .collect(),
        };
        if let Err(e) = write(&file, FIELDS_GENERATION, &out)
            && std::env::var_os("KITH_TRACE").is_some()
        {
            eprintln!("trace: matcher's cache not saved: {e}");
        }
    }
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!(
            "trace: matcher fields: {} from the cache, {made} read from the notes",
            fields.len() - made
        );
    }
    fields.into_iter().map(|(_, f)| f).collect()
}

/// The fields cache holds one generation: what it stores depends on each
/// note alone, checked entry by entry.
const FIELDS_GENERATION: u64 = 1;

/// Whether the dismissals file reads without a warning: `dismissed:` absent,
/// empty, or a list of pairs.
fn dismissals_clean(bytes: &[u8]) -> bool {
    use crate::yaml::Yaml;
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let Ok(y) = crate::yaml::parse(text) else {
        return false;
    };
    match y.get("dismissed") {
        None | Some(Yaml::Null) => true,
        Some(Yaml::List(items)) => items.iter().all(|it| {
            matches!(it, Yaml::List(two) if two.len() == 2 && two.iter().all(|x| x.as_scalar().is_some()))
        }),
        Some(_) => false,
    }
}

/// Of the whole payload (tens of MB for `intros.bin` at 100k people): Fx,
/// eight bytes a step, several times faster than the default SipHash and
/// as good at telling a damaged file.
fn checksum(payload: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for block in payload.chunks(BLOCK) {
        h.write(block);
    }
    h.write_usize(payload.len());
    h.finish()
}

/// Writes the payload to the file in blocks of [`BLOCK`] bytes as it is
/// serialized, summing each block as [`checksum`] does: a whole digest at
/// 100k people is megabytes that need never be held at once.
struct Blocks<'f> {
    file: &'f mut std::fs::File,
    buf: Vec<u8>,
    sum: rustc_hash::FxHasher,
    len: usize,
}

impl Blocks<'_> {
    fn flush_block(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            self.sum.write(&self.buf);
            self.file.write_all(&self.buf)?;
            self.len += self.buf.len();
            self.buf.clear();
        }
        Ok(())
    }

    /// The payload's length and checksum, once all of it is written.
    fn finish(mut self) -> std::io::Result<(usize, u64)> {
        self.flush_block()?;
        self.sum.write_usize(self.len);
        Ok((self.len, self.sum.finish()))
    }
}

impl Write for Blocks<'_> {
    fn write(&mut self, mut bytes: &[u8]) -> std::io::Result<usize> {
        let n = bytes.len();
        while !bytes.is_empty() {
            let take = (BLOCK - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() == BLOCK {
                self.flush_block()?;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a cache file could not be used.
#[derive(Debug, PartialEq)]
pub enum Miss {
    /// No file, or one of another generation: recompute, nothing to say.
    Absent,
    /// A damaged or old-format file: recompute and say so.
    Bad(String),
}

/// What the cache file `path` holds for `generation`.
pub fn read<T: DeserializeOwned>(path: &Path, generation: u64) -> Result<T, Miss> {
    read_as(path, FORMAT, generation)
}

/// [`read`] of a file of format `format`.
fn read_as<T: DeserializeOwned>(path: &Path, format: u32, generation: u64) -> Result<T, Miss> {
    // Never a plain read: a FIFO here would block the digest, a symlink to
    // /dev/zero would never end. What cannot be read is recomputed, saying so.
    let unread = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Miss::Absent
        } else {
            Miss::Bad(format!("it could not be read ({e})"))
        }
    };
    let (file, len) = crate::vault::open_cache_file(path).map_err(unread)?;
    // The header first: a file of another generation is not read further,
    // and one whose length is not its header's (grown in place: a sparse
    // `truncate -s 100G`, junk appended) is refused before its bytes are
    // read into memory.
    {
        use std::os::unix::fs::FileExt;
        let mut head = [0u8; HEADER];
        if len < HEADER as u64 || file.read_exact_at(&mut head, 0).is_err() {
            return Err(Miss::Bad("it is damaged (no header)".into()));
        }
        let (_, want) = check_header(&head, format, generation)?;
        if want != len - HEADER as u64 {
            return Err(Miss::Bad(
                "it is damaged (its length is not the one its header gives)".into(),
            ));
        }
    }
    let bytes = crate::vault::read_opened_cache_file(file, len).map_err(unread)?;
    decode_as(&bytes, format, generation)
}

/// A cache file's header checked: its checksum and payload length.
fn check_header(bytes: &[u8], want: u32, generation: u64) -> Result<(u64, u64), Miss> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(Miss::Bad("it is damaged (no header)".into()));
    }
    let u64_at = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let mut v = [0u8; 4];
    v.copy_from_slice(&bytes[8..12]);
    let format = u32::from_le_bytes(v);
    if format != want {
        return Err(Miss::Bad(format!(
            "it has format {format}, this kith writes {want}"
        )));
    }
    if u64_at(12) != generation {
        return Err(Miss::Absent);
    }
    Ok((u64_at(20), u64_at(28)))
}

#[cfg(test)]
fn decode<T: DeserializeOwned>(bytes: &[u8], generation: u64) -> Result<T, Miss> {
    decode_as(bytes, FORMAT, generation)
}

fn decode_as<T: DeserializeOwned>(bytes: &[u8], want: u32, generation: u64) -> Result<T, Miss> {
    let bad = |why: &str| Miss::Bad(why.to_string());
    let (sum, len) = check_header(bytes, want, generation)?;
    let payload = &bytes[HEADER..];
    if payload.len() as u64 != len || checksum(payload) != sum {
        return Err(bad("it is damaged (checksum)"));
    }
    postcard::from_bytes(payload).map_err(|e| Miss::Bad(format!("it is damaged ({e})")))
}

/// Writes the cache file `path` atomically (a temporary file renamed over it).
pub fn write<T: Serialize>(path: &Path, generation: u64, s: &T) -> std::io::Result<()> {
    write_as(path, FORMAT, generation, s)
}

/// [`write`] in format `format`.
fn write_as<T: Serialize>(path: &Path, format: u32, generation: u64, s: &T) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".digest-")
        .tempfile_in(dir)?;
    {
        let f = tmp.as_file_mut();
        f.write_all(MAGIC)?;
        f.write_all(&format.to_le_bytes())?;
        f.write_all(&generation.to_le_bytes())?;
        // The checksum and the length, known once the payload is written.
        f.write_all(&[0; 16])?;
        let mut out = Blocks {
            file: f,
            buf: Vec::with_capacity(BLOCK),
            sum: rustc_hash::FxHasher::default(),
            len: 0,
        };
        postcard::to_io(s, &mut out).map_err(std::io::Error::other)?;
        let (len, sum) = out.finish()?;
        let at = (MAGIC.len() + 4 + 8) as u64;
        f.write_all_at(&sum.to_le_bytes(), at)?;
        f.write_all_at(&(len as u64).to_le_bytes(), at + 8)?;
    }
    crate::vault::clear_cache_slot(path);
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty vault: its `.kith` and `people` folders.
    fn vault_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".kith")).unwrap();
        std::fs::create_dir_all(dir.path().join("people")).unwrap();
        dir
    }

    fn ann_needs_kayak_lessons(root: &std::path::Path) {
        std::fs::write(
            root.join("people/ann.md"),
            "---\nname: Ann\nneeds: [kayak lessons for her kids]\n---\n",
        )
        .unwrap();
    }

    /// A payload of several blocks, written as it is serialized, reads back
    /// whole, and one flipped byte in any block is damage.
    #[test]
    fn a_payload_of_many_blocks_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.bin");
        let big: Vec<u32> = (0..100_000).collect();
        write(&f, 7, &big).unwrap();
        assert_eq!(read::<Vec<u32>>(&f, 7), Ok(big));
        let mut bytes = std::fs::read(&f).unwrap();
        assert!(bytes.len() > 2 * BLOCK + HEADER);
        bytes[HEADER + BLOCK + 17] ^= 1;
        std::fs::write(&f, &bytes).unwrap();
        assert!(matches!(read::<Vec<u32>>(&f, 7), Err(Miss::Bad(_))));
    }

    #[test]
    fn round_trips_and_refuses_damage() {
        let dir = tempfile::tempdir().unwrap();
        let f = file(dir.path());
        let s = AllIntros {
            intros: Ranked::default(),
            shares: vec![Share {
                resource: "Guide".into(),
                resource_path: "resources/guide.md".into(),
                url: None,
                name: "Ann".into(),
                path: "people/ann.md".into(),
                reason: "Ann needs “x”".into(),
                promise: Some("you promised".into()),
            }],
        };
        write(&f, 42, &s).unwrap();
        assert_eq!(read(&f, 42), Ok(s));
        assert_eq!(read::<AllIntros>(&f, 43), Err(Miss::Absent));
        let mut bytes = std::fs::read(&f).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&f, &bytes).unwrap();
        assert!(matches!(read::<AllIntros>(&f, 42), Err(Miss::Bad(_))));
        bytes[8] = 99;
        assert!(
            matches!(decode::<AllIntros>(&bytes, 42), Err(Miss::Bad(w)) if w.contains("format 99"))
        );
        assert!(matches!(
            decode::<AllIntros>(b"junk", 42),
            Err(Miss::Bad(_))
        ));
    }

    /// The caches are written from borrows and read into owned mirrors: the
    /// two must be the same bytes, field for field.
    #[test]
    fn what_is_written_from_borrows_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let intro = IntroSuggestion {
            a: "Ann".into(),
            b: "Bo".into(),
            a_path: "people/ann.md".into(),
            b_path: "people/bo.md".into(),
            score: 7.25,
            reasons: vec!["Ann needs “x”; Bo offers “x”".into(), "both in Oslo".into()],
            need: Some(NeedMet {
                need: "x".into(),
                offer: "x".into(),
            }),
            planned: vec!["planned: “ask Bo” (people/ann.md:9)".into()],
        };
        let bare = IntroSuggestion {
            need: None,
            planned: Vec::new(),
            ..intro.clone()
        };
        let share = ShareSuggestion {
            resource: "Guide".into(),
            resource_path: "resources/guide.md".into(),
            url: Some("https://example.org".into()),
            name: "Ann".into(),
            path: "people/ann.md".into(),
            reason: "Ann needs “x”".into(),
            promise: None,
        };
        let f = intros_file(dir.path());
        let (intros, shares) = (vec![intro, bare], vec![share]);
        let ranked = Ranked::of(&intros);
        write_intros(&f, 7, &AllIntros::of(&ranked, &shares)).unwrap();
        let (r, s) = read_intros(&f, 7).unwrap().into_parts();
        assert_eq!((r.all(), s), (intros.clone(), shares.clone()));
        let d = Digest {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            reminders: vec![Reminder {
                kind: ReminderKind::Event,
                name: "Meetup".into(),
                path: "events/m.md".into(),
                line: 3,
                due: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                reason: "tomorrow".into(),
                starters: vec!["Ann: needs x".into()],
                group: Some("Meetup".into()),
                people: vec!["Ann".into()],
                urgency: -1.0,
                note: Some(4),
            }],
            intros,
            shares,
            more_check_ins: 3,
            more_intros: 2,
            sections: vec![Section {
                title: "Your circles".into(),
                items: vec![SectionItem {
                    text: "t".into(),
                    path: None,
                    line: Some(1),
                }],
            }],
        };
        write(&file(dir.path()), 8, &Whole::of(&d)).unwrap();
        let back = read::<Whole>(&file(dir.path()), 8).unwrap().into_digest();
        assert_eq!(format!("{back:?}"), format!("{d:?}"));
    }

    #[test]
    fn broken_dismissals_bypass_the_cache() {
        assert!(dismissals_clean(b"dismissed:\n  - [A, B]\n"));
        assert!(dismissals_clean(b"# nothing yet\n"));
        assert!(!dismissals_clean(b"dismissed: [A, B]\n"));
        assert!(!dismissals_clean(b"dismissed:\n  - [A]\n"));
        assert!(!dismissals_clean(b"dismissed: [\n"));
    }

    /// The key names the config the computation used: one saved between a
    /// command's load and its key must not label the older config's result.
    #[test]
    fn the_key_is_of_the_config_in_use_not_the_file_read_again() {
        let dir = vault_dir();
        let root = dir.path();
        std::fs::write(root.join("people/ann.md"), "---\nname: Ann\n---\n").unwrap();
        let cfg = root.join(".kith/config.yaml");
        std::fs::write(&cfg, "intros:\n  same_org_connected: true\n").unwrap();
        let old = crate::store::load(root).unwrap();
        std::fs::write(&cfg, "intros:\n  same_org_connected: false\n").unwrap();
        let new = crate::store::load(root).unwrap();
        let (k_old, k_new) = (vault_key_of(&old), vault_key_of(&new));
        assert!(k_old.is_some() && k_new.is_some());
        assert_ne!(k_old, k_new);
        assert_eq!(k_new, vault_key_of(&crate::store::load(root).unwrap()));
    }

    /// A note saved while the digest computes (the model read it before):
    /// the prose the matcher reads then is the newer text, which must not be
    /// kept under the older content hash: undoing the save would bring that
    /// text back as the cached answer for a note that no longer says it.
    #[test]
    fn text_read_after_an_edit_is_not_cached_under_the_older_hash() {
        let dir = vault_dir();
        let root = dir.path();
        ann_needs_kayak_lessons(root);
        let bo = root.join("people/bo.md");
        let before = "---\nname: Bo\n---\nBo grows tomatoes.\n";
        std::fs::write(&bo, before).unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let v = crate::store::load(root).unwrap();
        let limits = crate::digest::Limits::of(&v.config, true);
        std::fs::write(
            &bo,
            "---\nname: Bo\n---\nBo gives kayak lessons for kids.\n",
        )
        .unwrap();
        let during = crate::digest::compute(&v, as_of, limits, vault_key_of(&v)).unwrap();
        let says = |d: &crate::digest::Digest| serde_json::to_string(&d.intros).unwrap();
        std::fs::write(&bo, before).unwrap();
        let v = crate::store::load(root).unwrap();
        let after = crate::digest::build(&v, as_of, limits).unwrap();
        assert!(
            !says(&after).contains("kayak lessons for kids"),
            "Bo's note no longer says it: {} (computed during the save: {})",
            says(&after),
            says(&during)
        );
    }

    /// A dismissal saved between the key's read of `.kith/intros.yaml` and
    /// the computation's: the result without the pair must not be stored
    /// under the key of the file without the dismissal.
    #[test]
    fn a_dismissal_saved_during_the_computation_is_not_stored_under_the_older_key() {
        let dir = vault_dir();
        let root = dir.path();
        ann_needs_kayak_lessons(root);
        std::fs::write(
            root.join("people/bo.md"),
            "---\nname: Bo\noffers: [kayak lessons for kids]\n---\n",
        )
        .unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let v = crate::store::load(root).unwrap();
        let limits = crate::digest::Limits::of(&v.config, true);
        let key = vault_key_of(&v);
        let dismissals = root.join(super::super::DISMISSED_FILE);
        std::fs::write(&dismissals, "dismissed:\n  - [Ann, Bo]\n").unwrap();
        let during = crate::digest::compute(&v, as_of, limits, key).unwrap();
        assert!(during.intros.is_empty());
        std::fs::remove_file(&dismissals).unwrap();
        let v = crate::store::load(root).unwrap();
        assert_eq!(vault_key_of(&v), key);
        let after = crate::digest::build(&v, as_of, limits).unwrap();
        assert_eq!(after.intros.len(), 1, "the pair is no longer dismissed");
        let ikey = crate::digest::introfacts::of_vault(&v);
        let (intros, _) = crate::digest::cached_all(root, ikey, as_of).unwrap_or_default();
        assert_eq!(intros.len(), 1, "the candidates cache agrees");
    }
}
