//! The vault as data, kept fresh: one walk with stamps decides which notes
//! changed since the last run; only those are read and parsed again (in
//! parallel), the rest come from the persisted model in `.kith/cache/`.
//!
//! The model file is disposable like the search index: deleting it loses
//! nothing, and a truncated, damaged or old-format file is rebuilt once, with
//! one line on stderr saying why.
//!
//! # The freshness pass, shared
//! [`walk`] lists the notes with their [`Stamp`]s; [`diff`] compares them with
//! what a cache knows and says which notes are certainly the same, which must
//! be looked at (new, stamp moved, or stamped too close to the cache's own
//! time to trust) and which were removed; [`settle`] reads a looked-at note
//! once and tells a touch (same bytes, new stamp) from a change (the bytes,
//! ready to parse). The search index can run the same three steps against its
//! own stamp log, or take the changed notes this module parsed.
//!
//! # File format (`model.bin`)
//! `KITHMDL\n`, format version (u32 LE), kith version (u8 length + bytes), the
//! walk time the stamps were taken at (i64 LE, ns), the number of records (u64
//! LE); then per note: length (u32 LE), checksum of the payload (u64 LE), and
//! the payload: postcard of ([`Stamp`], content hash, [`record::CNote`]).
//! Postcard because it is compact (varints, no field names), fast, serde-derived
//! and plain data in and out; rkyv's zero-copy would save the decode but ties
//! every domain type to its archived twin. Each record carries its own checksum
//! so records decode in parallel and garbage is caught per record.

mod record;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::note::Note;
use crate::vault::{self, Vault};
use rayon::prelude::*;
use record::CNote;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Bump when the record layout or what the parser extracts changes.
pub const FORMAT: u32 = 3;
const MAGIC: &[u8; 8] = b"KITHMDL\n";
/// A note stamped this close to the walk that recorded it may have changed
/// again within the file system's time granularity: hash it to be sure.
const DOUBT_NS: i64 = 2_000_000_000;

/// The persisted model's file.
pub fn model_file(root: &Path) -> PathBuf {
    vault::cache_dir(root).join("model.bin")
}

/// A note file's change key: any difference means "look closer".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
}

impl Stamp {
    pub fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stamp {
                size: m.size(),
                mtime_ns: m.mtime().saturating_mul(1_000_000_000) + m.mtime_nsec(),
                ctime_ns: m.ctime().saturating_mul(1_000_000_000) + m.ctime_nsec(),
                ino: m.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let mtime_ns = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i64);
            Stamp {
                size: m.len(),
                mtime_ns,
                ctime_ns: 0,
                ino: 0,
            }
        }
    }
}

/// A fast 64-bit hash of a file's bytes, eight at a time. Only has to tell
/// "same bytes" from "changed"; never 0 (0 means unknown).
pub fn content_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    for b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(*b)).wrapping_mul(K);
    }
    (h ^ (h >> 29)).max(1)
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Every note under `root` with its stamp, sorted by path; folders walked in
/// parallel, each file stat'ed relative to its folder. The rules of
/// [`vault::NoteFilter`]: `*.md`, hidden folders, `node_modules` and ignored
/// paths skipped,
/// symlinked folders not followed, symlinked notes read through (a dangling
/// one is listed with an empty stamp so reading it reports the problem).
pub fn walk(root: &Path) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>) {
    type Found = (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>);
    fn scan(root: &Path, rel: &Path, filter: &vault::NoteFilter) -> Found {
        let mut diags = Vec::new();
        let rd = match std::fs::read_dir(root.join(rel)) {
            Ok(rd) => rd,
            Err(e) => {
                let shown = if rel.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    rel
                };
                diags.push(
                    Diagnostic::warning(shown, 1, 1, format!("could not read: {e}"))
                        .hint("check the permissions of this file or folder"),
                );
                return (Vec::new(), diags);
            }
        };
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        let mut odd = Vec::new();
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let child = rel.join(e.file_name());
            if ft.is_dir() {
                if filter.is_note(&child) {
                    // A folder named like a note: listed so reading it
                    // reports it, rather than silently passed over.
                    odd.push(child.clone());
                }
                if vault::is_walked_dir(&e.file_name().to_string_lossy()) {
                    dirs.push(child);
                }
            } else if filter.is_note(&child) {
                files.push((e, child, ft.is_symlink()));
            }
        }
        let mut mine: Vec<(PathBuf, Stamp)> = files
            .into_par_iter()
            .filter_map(|(e, child, link)| {
                let m = if link {
                    std::fs::metadata(e.path())
                } else {
                    e.metadata()
                };
                match m {
                    // A symlink to a folder, named like a note: listed so
                    // reading it reports it.
                    Ok(m) if m.is_dir() => Some((child, Stamp::default())),
                    Ok(m) => Some((child, Stamp::of(&m))),
                    Err(_) => Some((child, Stamp::default())),
                }
            })
            .collect();
        mine.extend(odd.into_iter().map(|p| (p, Stamp::default())));
        let nested: Vec<Found> = dirs.par_iter().map(|d| scan(root, d, filter)).collect();
        for (mut v, mut d) in nested {
            mine.append(&mut v);
            diags.append(&mut d);
        }
        (mine, diags)
    }
    // The one rule of which files are notes (ignore globs, Obsidian's
    // templates folder) is the vault's; the walk only applies it.
    let filter = vault::NoteFilter::for_vault(root);
    let (mut paths, diags) = scan(root, Path::new(""), &filter);
    paths.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (paths, diags)
}

/// What a walk says against what a cache knows.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Indexes into the walk of notes certainly unchanged.
    pub same: Vec<usize>,
    /// Indexes into the walk of notes to read: new, stamp moved, or doubtful.
    pub look: Vec<usize>,
    /// Known paths the walk did not find.
    pub removed: Vec<PathBuf>,
}

/// Compares a walk with known stamps. `as_of_ns` is when the known stamps were
/// taken: a note modified within [`DOUBT_NS`] of it is looked at even when its
/// stamp matches, since a second write in the same clock tick keeps the stamp.
pub fn diff(walked: &[(PathBuf, Stamp)], known: &FxHashMap<&Path, Stamp>, as_of_ns: i64) -> Diff {
    let mut d = Diff::default();
    let mut seen = 0usize;
    for (i, (rel, st)) in walked.iter().enumerate() {
        match known.get(rel.as_path()) {
            Some(old) => {
                seen += 1;
                let doubtful = st.mtime_ns >= as_of_ns.saturating_sub(DOUBT_NS)
                    || st.ctime_ns >= as_of_ns.saturating_sub(DOUBT_NS);
                if old == st && *st != Stamp::default() && !doubtful {
                    d.same.push(i);
                } else {
                    d.look.push(i);
                }
            }
            None => d.look.push(i),
        }
    }
    if seen < known.len() {
        let walked_set: rustc_hash::FxHashSet<&Path> =
            walked.iter().map(|(p, _)| p.as_path()).collect();
        d.removed = known
            .keys()
            .filter(|p| !walked_set.contains(*p))
            .map(|p| p.to_path_buf())
            .collect();
        d.removed.sort();
    }
    d
}

/// One looked-at note, read once.
pub enum Settled {
    /// Same bytes as known: only the stamp moved.
    Same { hash: u64 },
    /// New or changed bytes.
    Changed { hash: u64, bytes: Vec<u8> },
    /// Could not be read (the parser reports why).
    Unreadable,
}

/// Reads a looked-at note and compares its content hash with the known one.
pub fn settle(root: &Path, rel: &Path, known_hash: Option<u64>) -> Settled {
    // The capped, FIFO-safe reader: a FIFO or device must never block a
    // command, and what it refuses is reported by the parser below.
    match vault::read_note_bytes(&root.join(rel)) {
        Ok(bytes) => {
            let hash = content_hash(&bytes);
            if known_hash == Some(hash) {
                Settled::Same { hash }
            } else {
                Settled::Changed { hash, bytes }
            }
        }
        Err(_) => Settled::Unreadable,
    }
}

/// One note as the model keeps it.
struct Entry {
    stamp: Stamp,
    hash: u64,
    note: Note,
    /// Where this record sits, unchanged, in the model file as read: saved
    /// again by copying those bytes instead of encoding the note.
    raw: Option<std::ops::Range<usize>>,
}

/// A decoded model file.
struct Cached {
    as_of_ns: i64,
    entries: Vec<Entry>,
}

fn header(as_of_ns: i64, count: usize) -> Vec<u8> {
    let mut h = Vec::with_capacity(64);
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&FORMAT.to_le_bytes());
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    h.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
    h.extend_from_slice(&v[..v.len().min(255)]);
    h.extend_from_slice(&as_of_ns.to_le_bytes());
    h.extend_from_slice(&(count as u64).to_le_bytes());
    h
}

/// Why a model file cannot be used, in words for the "rebuilt because" line.
fn decode(bytes: &[u8]) -> std::result::Result<Cached, String> {
    let damaged = || "it was damaged (truncated or overwritten)".to_string();
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(damaged)?;
    let take = |r: &mut &[u8], n: usize| -> std::result::Result<Vec<u8>, String> {
        if r.len() < n {
            return Err(damaged());
        }
        let (a, b) = r.split_at(n);
        *r = b;
        Ok(a.to_vec())
    };
    let mut r = rest;
    let mut four = [0u8; 4];
    four.copy_from_slice(&take(&mut r, 4)?);
    let format = u32::from_le_bytes(four);
    if format != FORMAT {
        return Err(format!(
            "it was written in an older format ({format}, now {FORMAT})"
        ));
    }
    let vlen = take(&mut r, 1)?[0] as usize;
    let version = take(&mut r, vlen)?;
    if version != env!("CARGO_PKG_VERSION").as_bytes() {
        return Err(format!(
            "it was written by kith {}",
            String::from_utf8_lossy(&version)
        ));
    }
    let mut eight = [0u8; 8];
    eight.copy_from_slice(&take(&mut r, 8)?);
    let as_of_ns = i64::from_le_bytes(eight);
    eight.copy_from_slice(&take(&mut r, 8)?);
    let count = usize::try_from(u64::from_le_bytes(eight)).map_err(|_| damaged())?;
    // Split into records first (cheap), then decode them in parallel.
    let mut spans: Vec<(u64, &[u8], std::ops::Range<usize>)> =
        Vec::with_capacity(count.min(r.len() / 12));
    for _ in 0..count {
        if r.len() < 12 {
            return Err(damaged());
        }
        let mut l = [0u8; 4];
        l.copy_from_slice(&r[..4]);
        let len = u32::from_le_bytes(l) as usize;
        eight.copy_from_slice(&r[4..12]);
        let sum = u64::from_le_bytes(eight);
        let body = r.get(12..12 + len).ok_or_else(damaged)?;
        let at = bytes.len() - r.len();
        spans.push((sum, body, at..at + 12 + len));
        r = &r[12 + len..];
    }
    if !r.is_empty() {
        return Err(damaged());
    }
    let entries: std::result::Result<Vec<Entry>, String> = spans
        .par_iter()
        .map(|(sum, body, raw)| {
            if content_hash(body) != *sum {
                return Err(damaged());
            }
            let (stamp, hash, note): (Stamp, u64, CNote) =
                postcard::from_bytes(body).map_err(|_| damaged())?;
            Ok(Entry {
                stamp,
                hash,
                note: note.into_note(),
                raw: Some(raw.clone()),
            })
        })
        .collect();
    Ok(Cached {
        as_of_ns,
        entries: entries?,
    })
}

fn encode_record(e: &Entry) -> Vec<u8> {
    // Serialising plain owned data into a Vec cannot fail; an empty record
    // would fail its checksum and rebuild, never mislead.
    let body =
        postcard::to_allocvec(&(e.stamp, e.hash, CNote::from_note(&e.note))).unwrap_or_default();
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(0).to_le_bytes());
    out.extend_from_slice(&content_hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// Writes the model atomically (temp file + rename): a killed writer leaves
/// the old file or none, never half of one.
fn save(root: &Path, as_of_ns: i64, entries: &[Entry], old: &[u8]) -> std::io::Result<()> {
    let dir = vault::cache_dir(root);
    std::fs::create_dir_all(&dir)?;
    let records: Vec<std::borrow::Cow<'_, [u8]>> = entries
        .par_iter()
        .map(|e| match e.raw.clone().and_then(|r| old.get(r)) {
            Some(b) => std::borrow::Cow::Borrowed(b),
            None => std::borrow::Cow::Owned(encode_record(e)),
        })
        .collect();
    let mut tmp = tempfile::Builder::new()
        .prefix(".model-")
        .tempfile_in(&dir)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        w.write_all(&header(as_of_ns, entries.len()))?;
        for r in &records {
            w.write_all(r.as_ref())?;
        }
        w.flush()?;
    }
    tmp.persist(model_file(root)).map_err(|e| e.error)?;
    Ok(())
}

fn trace(msg: impl FnOnce() -> String) {
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!("trace: {}", msg());
    }
}

/// What one freshness pass did.
#[derive(Debug, Default)]
pub struct Report {
    /// Notes parsed again (new or changed).
    pub parsed: Vec<PathBuf>,
    /// Notes gone since the last pass.
    pub removed: Vec<PathBuf>,
    /// Why the model was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
}

/// Parses a note's bytes, keeping entry texts out of memory.
fn parse_lean(rel: &Path, bytes: &[u8]) -> Note {
    parse_lean_note(crate::note::parse(rel, bytes))
}

fn parse_lean_note(mut n: Note) -> Note {
    for e in &mut n.entries {
        e.text = String::new();
    }
    n
}

/// The vault, fresh: walk, compare stamps with the persisted model, re-parse
/// what changed (in parallel), save the model if anything moved.
pub fn load(root: &Path) -> Result<Vault> {
    load_with_report(root).map(|(v, _)| v)
}

/// [`load`], saying what it did.
pub fn load_with_report(root: &Path) -> Result<(Vault, Report)> {
    if !root.is_dir() {
        return Err(Error::VaultMissing(root.to_path_buf()));
    }
    let t0 = std::time::Instant::now();
    let as_of_ns = now_ns();
    let file = model_file(root);
    let ((walked, mut problems), cached) = rayon::join(
        || walk(root),
        || match std::fs::read(&file) {
            Ok(bytes) => {
                let t = std::time::Instant::now();
                let d = decode(&bytes);
                trace(|| format!("model: decode {:?} ({} bytes)", t.elapsed(), bytes.len()));
                Some((d, bytes))
            }
            Err(_) => None,
        },
    );
    let t_read = t0.elapsed();
    let mut report = Report::default();
    let (cached, old_bytes) = match cached {
        Some((Ok(c), b)) => (c, b),
        Some((Err(why), _)) => {
            eprintln!("kith: rebuilt the note cache because {why}");
            report.rebuilt = Some(why);
            (
                Cached {
                    as_of_ns: 0,
                    entries: Vec::new(),
                },
                Vec::new(),
            )
        }
        None => (
            Cached {
                as_of_ns: 0,
                entries: Vec::new(),
            },
            Vec::new(),
        ),
    };
    let old_as_of = cached.as_of_ns;
    let mut old: Vec<Option<Entry>> = cached.entries.into_iter().map(Some).collect();
    let (d, prev_of) = {
        let known: FxHashMap<&Path, Stamp> = old
            .iter()
            .flatten()
            .map(|e| (e.note.path.as_path(), e.stamp))
            .collect();
        let pos: FxHashMap<&Path, usize> = old
            .iter()
            .enumerate()
            .filter_map(|(j, e)| e.as_ref().map(|e| (e.note.path.as_path(), j)))
            .collect();
        let d = diff(&walked, &known, old_as_of);
        let prev_of: Vec<Option<usize>> = walked
            .iter()
            .map(|(p, _)| pos.get(p.as_path()).copied())
            .collect();
        (d, prev_of)
    };
    let mut slots: Vec<Option<Entry>> = (0..walked.len()).map(|_| None).collect();
    for &i in &d.same {
        if let Some(j) = prev_of[i] {
            slots[i] = old[j].take();
        }
    }
    let n_looked = d.look.len();
    let looked: Vec<(usize, Option<Entry>)> = d
        .look
        .iter()
        .map(|&i| (i, prev_of[i].and_then(|j| old[j].take())))
        .collect();
    drop(old);
    let fresh: Vec<(usize, Entry, bool)> = looked
        .into_par_iter()
        .map(|(i, prev)| {
            let (rel, stamp) = &walked[i];
            match (settle(root, rel, prev.as_ref().map(|e| e.hash)), prev) {
                (Settled::Same { hash }, Some(p)) => (
                    i,
                    Entry {
                        stamp: *stamp,
                        hash,
                        note: p.note,
                        raw: None,
                    },
                    false,
                ),
                (Settled::Changed { hash, bytes }, _) => (
                    i,
                    Entry {
                        stamp: *stamp,
                        hash,
                        note: parse_lean(rel, &bytes),
                        raw: None,
                    },
                    true,
                ),
                // Unreadable (or a known hash without its note): let the
                // reader report it, and never trust its stamp next time.
                _ => (
                    i,
                    Entry {
                        stamp: Stamp::default(),
                        hash: 0,
                        note: parse_lean_note(vault::load_note(root, rel)),
                        raw: None,
                    },
                    true,
                ),
            }
        })
        .collect();
    let dirty = !fresh.is_empty() || !d.removed.is_empty() || report.rebuilt.is_some();
    for (i, e, parsed) in fresh {
        if parsed {
            report.parsed.push(walked[i].0.clone());
        }
        slots[i] = Some(e);
    }
    report.removed = d.removed;
    let entries: Vec<Entry> = slots.into_iter().flatten().collect();
    let t_fresh = t0.elapsed();
    if dirty && let Err(e) = save(root, as_of_ns, &entries, &old_bytes) {
        // A read-only vault still answers; it just parses again next time.
        trace(|| format!("note cache not saved: {e}"));
    }
    drop(old_bytes);
    let t_save = t0.elapsed();
    let (config, cfg_diag) = Config::load(root);
    problems.extend(cfg_diag);
    let mut hashes = Vec::with_capacity(entries.len());
    let notes: Vec<Note> = entries
        .into_iter()
        .map(|e| {
            hashes.push(e.hash);
            e.note
        })
        .collect();
    let mut v = Vault::from_notes(root.to_path_buf(), config, notes, problems);
    v.set_sources(hashes);
    trace(|| {
        format!(
            "model: walk+read {t_read:?}, fresh {:?} ({} looked at, {} parsed, {} removed), save {:?}, facts {:?}",
            t_fresh - t_read,
            n_looked,
            report.parsed.len(),
            report.removed.len(),
            t_save - t_fresh,
            t0.elapsed() - t_save
        )
    });
    Ok((v, report))
}

/// The text under a log entry, read from the note's bytes by its byte range
/// (the same slicing the parser does), or `None` when the bytes are not the
/// ones the model was built from (`expect_hash`, 0 = do not check).
pub fn entry_text_from(bytes: &[u8], span: (usize, usize), expect_hash: u64) -> Option<String> {
    if expect_hash != 0 && content_hash(bytes) != expect_hash {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Some(vault::slice_entry(&String::from_utf8_lossy(bytes), span))
}

#[cfg(test)]
mod tests;
