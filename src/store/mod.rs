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
//! # File format: two tiers
//! `model.bin` is the directory, always read: `KITHMDL\n`, [`FORMAT`] (u32
//! LE), kith version (u8 length + bytes), the walk time the stamps were taken
//! at (i64 LE, ns), the records file's generation (u64 LE), the directory's
//! length and checksum (u64 LE each), then the directory (postcard of `Dir`):
//! per note its path, [`Stamp`], content hash, kind, name keys and where its
//! record sits, plus the saved cross-note facts (name-key index, resolved
//! links). `records-<generation>.bin` holds the per-note records (postcard of
//! [`record::CNote`]), each checksummed in the directory and decoded only when
//! a command needs that note: `show` reads a few, the digest all. Changed
//! notes' records are appended; a new generation is written when over half
//! the file is dead. Replaced generations and killed writers' temporaries
//! are swept once nobody can still be reading them.
//! Postcard because it is compact (varints, no field names), fast, serde-derived
//! and plain data in and out; rkyv's zero-copy would save the decode but ties
//! every domain type to its archived twin.

mod record;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::note::Note;
use crate::vault::{self, KeyIndex, Vault};
use rayon::prelude::*;
use record::{CLinks, CNote, DirNote};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Bump when the record layout or what the parser extracts changes.
pub const FORMAT: u32 = 5;
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

pub use crate::text::content_hash;

/// The order of the walk and the directory: by bytes, not by path
/// components, which costs a component parse per comparison (a sixth of
/// `show` at 100k notes went to sorting and merging by `Path::cmp`).
pub fn path_order(p: &Path) -> &[u8] {
    p.as_os_str().as_encoded_bytes()
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
    paths.par_sort_unstable_by(|a, b| path_order(&a.0).cmp(path_order(&b.0)));
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

/// [`diff`] for a walk and a directory both sorted by path, with each
/// walked note's position in the directory.
fn diff_sorted(
    walked: &[(PathBuf, Stamp)],
    known: &[DirNote],
    as_of_ns: i64,
) -> (Diff, Vec<Option<usize>>) {
    let mut d = Diff::default();
    let mut prev_of = vec![None; walked.len()];
    let mut j = 0;
    for (i, (rel, st)) in walked.iter().enumerate() {
        let key = path_order(rel);
        while j < known.len() && known[j].path.as_bytes() < key {
            d.removed.push(PathBuf::from(&known[j].path));
            j += 1;
        }
        if j < known.len() && known[j].path.as_bytes() == key {
            prev_of[i] = Some(j);
            let old = known[j].stamp;
            j += 1;
            let doubtful = st.mtime_ns >= as_of_ns.saturating_sub(DOUBT_NS)
                || st.ctime_ns >= as_of_ns.saturating_sub(DOUBT_NS);
            if old == *st && *st != Stamp::default() && !doubtful {
                d.same.push(i);
                continue;
            }
        }
        d.look.push(i);
    }
    d.removed
        .extend(known[j..].iter().map(|k| PathBuf::from(&k.path)));
    (d, prev_of)
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

/// The always-read part of the model: every note's directory entry, and the
/// cross-note facts derived from all of them, saved so a run that changed
/// nothing (or no name) does not derive them again.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Dir {
    notes: Vec<DirNote>,
    /// Name keys → notes.
    keys: KeyIndex,
    /// Per note, the notes it links to (resolved, sorted).
    out_links: Vec<Vec<u32>>,
}

/// The records file of one generation (see the module docs).
fn records_file(root: &Path, generation: u64) -> PathBuf {
    vault::cache_dir(root).join(format!("records-{generation:016x}.bin"))
}

/// How long a records file nobody points at is kept: another kith may have
/// just written it and not yet renamed its directory over `model.bin`, or
/// be appending to the one it read.
const SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// The saved directory and its records file, opened; `None` when there is
/// no model yet, `Err` saying why it cannot be used.
fn read_head(root: &Path) -> Option<std::result::Result<(Head, std::fs::File, FileId), String>> {
    let file = model_file(root);
    let mut seen = 0u64;
    // Another kith may replace the directory and remove the generation it
    // named between our two opens: read the directory again, a few times.
    for _ in 0..4 {
        // Never a plain read: a FIFO put here would block every command, a
        // symlink to /dev/zero would never end.
        let (bytes, id) = match read_model(&file, None) {
            Ok(Some(b)) => b,
            Ok(None) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => return Some(Err(format!("it could not be read ({e})"))),
        };
        let sum = content_hash(&bytes);
        if sum == seen {
            break;
        }
        seen = sum;
        let h = match decode_head(&bytes) {
            Ok(h) => h,
            Err(why) => return Some(Err(why)),
        };
        match vault::open_cache_file(&records_file(root, h.generation)) {
            Ok((f, _)) => return Some(Ok((h, f, id))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Some(Err(format!("its records file could not be read ({e})"))),
        }
    }
    Some(Err("its records file is missing".to_string()))
}

/// The generation `model.bin` names now, from its header alone.
fn current_generation(root: &Path) -> Option<u64> {
    use std::io::Read;
    let (f, _) = vault::open_cache_file(&model_file(root)).ok()?;
    let mut head = Vec::new();
    f.take(8 + 4 + 1 + 255 + 16).read_to_end(&mut head).ok()?;
    let r = head.strip_prefix(MAGIC.as_slice())?.get(4..)?;
    let vlen = *r.first()? as usize;
    let g = r.get(1 + vlen + 8..1 + vlen + 16)?;
    Some(u64::from_le_bytes(g.try_into().ok()?))
}

/// Removes the records files nobody points at: not `keep` (this run's),
/// not the one `model.bin` names now, and none written within
/// [`SWEEP_GRACE`]. Replaced generations, and those of writers killed or
/// outrun by another kith, go here rather than piling up.
fn sweep(root: &Path, keep: u64) {
    let Ok(rd) = std::fs::read_dir(vault::cache_dir(root)) else {
        return;
    };
    let current = current_generation(root);
    let now = SystemTime::now();
    for e in rd.flatten() {
        let name = e.file_name();
        let name = name.to_str().unwrap_or_default();
        // The temporary files of a writer killed before its rename (a
        // whole records file each): nobody's once older than the grace.
        let temp = [".records-", ".model-", ".digest-", ".git-last-commits-"]
            .iter()
            .any(|p| name.starts_with(p));
        let generation = name
            .strip_prefix("records-")
            .and_then(|n| n.strip_suffix(".bin"))
            .and_then(|h| u64::from_str_radix(h, 16).ok());
        match generation {
            Some(g) if g == keep || Some(g) == current => continue,
            None if !temp => continue,
            _ => {}
        }
        // Only a regular file can be another kith's work in progress; a
        // folder or FIFO in a records file's place goes at once.
        let fresh = e.path().symlink_metadata().is_ok_and(|m| {
            m.is_file()
                && m.modified()
                    .is_ok_and(|t| now.duration_since(t).unwrap_or_default() < SWEEP_GRACE)
        });
        if !fresh {
            vault::clear_cache_slot(&e.path());
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A decoded `model.bin`.
#[derive(Debug)]
struct Head {
    as_of_ns: i64,
    generation: u64,
    dir: Dir,
}

fn damaged() -> String {
    "it was damaged (truncated or overwritten)".to_string()
}

fn encode_head(h: &Head) -> Vec<u8> {
    // Serialising plain owned data into a Vec cannot fail; an empty
    // directory would fail its checksum and rebuild, never mislead.
    let dir = postcard::to_allocvec(&h.dir).unwrap_or_default();
    let mut out = Vec::with_capacity(dir.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    out.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&v[..v.len().min(255)]);
    out.extend_from_slice(&h.as_of_ns.to_le_bytes());
    out.extend_from_slice(&h.generation.to_le_bytes());
    out.extend_from_slice(&(dir.len() as u64).to_le_bytes());
    out.extend_from_slice(&content_hash(&dir).to_le_bytes());
    out.extend_from_slice(&dir);
    out
}

/// Why a model file cannot be used, in words for the "rebuilt because" line.
fn decode_head(bytes: &[u8]) -> std::result::Result<Head, String> {
    let mut r = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(damaged)?;
    let mut take = |n: usize| -> std::result::Result<&[u8], String> {
        if r.len() < n {
            return Err(damaged());
        }
        let (a, b) = r.split_at(n);
        r = b;
        Ok(a)
    };
    let u64_of = |b: &[u8]| {
        let mut e = [0u8; 8];
        e.copy_from_slice(b);
        u64::from_le_bytes(e)
    };
    let mut four = [0u8; 4];
    four.copy_from_slice(take(4)?);
    let format = u32::from_le_bytes(four);
    if format != FORMAT {
        return Err(format!(
            "it was written in an older format ({format}, now {FORMAT})"
        ));
    }
    let vlen = take(1)?[0] as usize;
    let version = take(vlen)?;
    if version != env!("CARGO_PKG_VERSION").as_bytes() {
        return Err(format!(
            "it was written by kith {}",
            String::from_utf8_lossy(version)
        ));
    }
    let as_of_ns = u64_of(take(8)?) as i64;
    let generation = u64_of(take(8)?);
    let len = usize::try_from(u64_of(take(8)?)).map_err(|_| damaged())?;
    let sum = u64_of(take(8)?);
    let body = take(len)?;
    if !r.is_empty() || content_hash(body) != sum {
        return Err(damaged());
    }
    let dir: Dir = postcard::from_bytes(body).map_err(|_| damaged())?;
    let n = dir.notes.len();
    if dir.out_links.len() != n
        || dir.out_links.iter().flatten().any(|j| *j as usize >= n)
        || !dir.keys.points_below(n)
    {
        return Err(damaged());
    }
    Ok(Head {
        as_of_ns,
        generation,
        dir,
    })
}

fn encode_record(n: &Note) -> Vec<u8> {
    // As above: cannot fail; an empty record fails its checksum.
    postcard::to_allocvec(&CNote::from_note(n)).unwrap_or_default()
}

/// One record's bytes from a whole records file, checked.
fn record_in<'a>(all: &'a [u8], d: &DirNote) -> std::result::Result<&'a [u8], String> {
    let at = usize::try_from(d.at).map_err(|_| damaged())?;
    let body = all
        .get(at..at.saturating_add(d.len as usize))
        .ok_or_else(damaged)?;
    if content_hash(body) != d.sum {
        return Err(damaged());
    }
    Ok(body)
}

/// One record read from the records file by its position, checked.
fn read_record(file: &std::fs::File, d: &DirNote) -> std::result::Result<Vec<u8>, String> {
    let mut buf = vec![0u8; d.len as usize];
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(&mut buf, d.at).map_err(|_| damaged())?;
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut f = file;
        f.seek(std::io::SeekFrom::Start(d.at))
            .and_then(|_| f.read_exact(&mut buf))
            .map_err(|_| damaged())?;
    }
    if content_hash(&buf) != d.sum {
        return Err(damaged());
    }
    Ok(buf)
}

fn decode_note(body: &[u8], path: PathBuf) -> std::result::Result<Note, String> {
    let c: CNote = postcard::from_bytes(body).map_err(|_| damaged())?;
    Ok(c.into_note(path))
}

/// Cuts a note's front-matter values down to the keys `keep`.
fn keep_front(n: &mut Note, keep: &[&str]) {
    if let Some(f) = &mut n.front
        && let crate::yaml::Yaml::Map(pairs) = &mut f.value
    {
        pairs.retain(|(k, _)| keep.contains(&k.as_str()));
        pairs.shrink_to_fit();
    }
}

/// Notes decoded together from one read of the records file.
const DECODE_CHUNK: usize = 2048;

/// One chunk of the directory's notes whole: those parsed in this pass as
/// they are, the others decoded from one read of the span of the records
/// file their records lie in (or one read each, when that span is much
/// larger than the records: a records file rewritten in pieces).
fn decode_chunk(
    records: Option<&std::fs::File>,
    fresh: &mut [Option<Note>],
    dir: &[DirNote],
) -> std::result::Result<Vec<Note>, String> {
    let wanted = || dir.iter().zip(fresh.iter()).filter(|(_, f)| f.is_none());
    let (mut lo, mut hi, mut sum) = (u64::MAX, 0u64, 0u64);
    for (d, _) in wanted() {
        lo = lo.min(d.at);
        hi = hi.max(d.at.saturating_add(u64::from(d.len)));
        sum += u64::from(d.len);
    }
    let span = match records {
        Some(f) if sum > 0 && hi - lo <= sum.saturating_mul(2) => {
            let mut buf = vec![0u8; usize::try_from(hi - lo).map_err(|_| damaged())?];
            read_at(f, &mut buf, lo)?;
            Some(buf)
        }
        _ => None,
    };
    let mut out = Vec::with_capacity(dir.len());
    for (d, f) in dir.iter().zip(fresh.iter_mut()) {
        let note = match (f.take(), &span) {
            (Some(note), _) => note,
            (None, Some(buf)) => {
                let at = usize::try_from(d.at - lo).map_err(|_| damaged())?;
                let body = buf
                    .get(at..at.saturating_add(d.len as usize))
                    .ok_or_else(damaged)?;
                if content_hash(body) != d.sum {
                    return Err(damaged());
                }
                decode_note(body, PathBuf::from(&d.path))?
            }
            (None, None) => {
                let f = records.ok_or_else(damaged)?;
                decode_note(&read_record(f, d)?, PathBuf::from(&d.path))?
            }
        };
        out.push(note);
    }
    Ok(out)
}

/// Fills `buf` from `file` at byte `at`, or says the file is damaged.
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::result::Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buf, at).map_err(|_| damaged())
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut f = file;
        f.seek(std::io::SeekFrom::Start(at))
            .and_then(|_| f.read_exact(buf))
            .map_err(|_| damaged())
    }
}

/// Reads a whole file from its start, or says it is damaged. By position,
/// never from the handle's offset: one run reads the records file more than
/// once (links for the facts, then the notes, then a new generation), and a
/// second `read_to_end` would start at the end and find nothing.
fn read_all(file: &std::fs::File) -> std::result::Result<Vec<u8>, String> {
    let len = file.metadata().map_err(|_| damaged())?.len();
    let mut bytes = vec![0u8; usize::try_from(len).map_err(|_| damaged())?];
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(&mut bytes, 0).map_err(|_| damaged())?;
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut f = file;
        f.seek(std::io::SeekFrom::Start(0))
            .and_then(|_| f.read_exact(&mut bytes))
            .map_err(|_| damaged())?;
    }
    Ok(bytes)
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

/// [`load`], saying what it did: every note whole (decoded in parallel).
pub fn load_with_report(root: &Path) -> Result<(Vault, Report)> {
    let (model, mut report) = Model::open(root)?;
    match model.into_vault() {
        Ok(v) => Ok((v, report)),
        Err(why) => {
            // A record that fails its checksum: the model cannot be trusted
            // as a whole, so it is built again from the notes.
            let (model, r2) = Model::rebuild(root, &why)?;
            report.parsed = r2.parsed;
            report.rebuilt = Some(why);
            // Nothing is read from a records file after a rebuild: every
            // note was just parsed.
            let v = model
                .into_vault()
                .map_err(|_| Error::VaultMissing(root.to_path_buf()))?;
            Ok((v, report))
        }
    }
}

/// Every note of an opened model whole ([`Model::into_vault`]); a record
/// that fails its checksum builds the model again from the notes, as
/// [`load_with_report`] does.
pub fn whole(model: Model) -> Result<Vault> {
    whole_keeping(model, None)
}

/// [`whole`] with the front-matter values cut down to the keys `keep`
/// (see [`Model::into_vault_keeping`]).
pub fn whole_keeping(model: Model, keep: Option<&[&str]>) -> Result<Vault> {
    let root = model.root.clone();
    match model.into_vault_keeping(keep) {
        Ok(v) => Ok(v),
        Err(why) => {
            let (model, _) = Model::rebuild(&root, &why)?;
            model
                .into_vault_keeping(keep)
                .map_err(|_| Error::VaultMissing(root.clone()))
        }
    }
}

/// The persisted model after one freshness pass: the directory of every
/// note (its name keys) and the cross-note facts, always; whole notes
/// decoded only when asked, so a command about one person reads a few
/// records instead of all of them.
pub struct Model {
    root: PathBuf,
    config: Config,
    problems: Vec<Diagnostic>,
    dir: Dir,
    /// Notes parsed in this pass, by directory index: never read back.
    fresh: Vec<Option<Note>>,
    /// The records file the directory points into.
    records: Option<std::fs::File>,
    /// Notes parsed in this pass, once moved into a focused vault.
    parsed: Vec<usize>,
    /// The model file this model is, if it is one (read unchanged, or
    /// saved): what a watcher holds and vouches for (see [`Held`]).
    on_disk: Option<OnDisk>,
}

/// Which model file a model is, and what its head says.
#[derive(Debug, Clone, Copy)]
struct OnDisk {
    id: FileId,
    generation: u64,
    as_of_ns: i64,
}

/// The model a freshness pass starts from.
struct Base {
    as_of_ns: i64,
    generation: Option<u64>,
    id: Option<FileId>,
    dir: Dir,
    records: Option<std::fs::File>,
}

/// The result of settling one looked-at note.
struct Looked {
    at: usize,
    dir: DirNote,
    /// The note parsed again, when its bytes changed (or could not be read).
    parsed: Option<Note>,
}

impl Model {
    /// Walks the vault, compares stamps with the saved directory, parses
    /// what changed (in parallel), brings the cross-note facts level and
    /// saves the model if anything moved.
    pub fn open(root: &Path) -> Result<(Model, Report)> {
        Self::open_inner(root, None)
    }

    /// Builds the model from the notes alone, saying why on stderr.
    fn rebuild(root: &Path, why: &str) -> Result<(Model, Report)> {
        Self::open_inner(root, Some(why))
    }

    fn open_inner(root: &Path, rebuild: Option<&str>) -> Result<(Model, Report)> {
        if !root.is_dir() {
            return Err(Error::VaultMissing(root.to_path_buf()));
        }
        let t0 = std::time::Instant::now();
        let as_of_ns = now_ns();
        let ((walked, problems), head) = rayon::join(
            || walk(root),
            || {
                if rebuild.is_some() {
                    return None;
                }
                let t = std::time::Instant::now();
                let h = read_head(root);
                trace(|| format!("model: directory {:?}", t.elapsed()));
                h
            },
        );
        let t_read = t0.elapsed();
        let mut report = Report::default();
        let why = match &head {
            Some(Err(why)) => Some(why.clone()),
            _ => rebuild.map(str::to_string),
        };
        if let Some(why) = why {
            eprintln!("kith: rebuilt the note cache because {why}");
            report.rebuilt = Some(why);
        }
        let (old, records) = match head {
            Some(Ok((h, f, id))) => (Some((h, id)), Some(f)),
            _ => (None, None),
        };
        let (old_as_of, old_gen, old_dir, old_id) = match old {
            Some((h, id)) => (h.as_of_ns, Some(h.generation), h.dir, Some(id)),
            None => (0, None, Dir::default(), None),
        };
        // Both lists are sorted by path (the directory is saved in walk
        // order): one merge pairs them, without hashing every path.
        let (d, prev_of) = diff_sorted(&walked, &old_dir.notes, old_as_of);
        let base = Base {
            as_of_ns: old_as_of,
            generation: old_gen,
            id: old_id,
            dir: old_dir,
            records,
        };
        Self::level(
            root,
            walked,
            problems,
            report,
            base,
            (d, prev_of),
            as_of_ns,
            t0,
            t_read,
        )
    }

    /// Brings `base` level with `walked` as `d` says (the second half of a
    /// freshness pass, shared with the watcher's [`Held::refresh`]): settles
    /// and parses the looked-at notes, derives the cross-note facts and saves
    /// the model, as of `as_of_ns`, if anything moved.
    #[allow(clippy::too_many_arguments)]
    fn level(
        root: &Path,
        walked: Vec<(PathBuf, Stamp)>,
        mut problems: Vec<Diagnostic>,
        mut report: Report,
        base: Base,
        (d, prev_of): (Diff, Vec<Option<usize>>),
        as_of_ns: i64,
        t0: std::time::Instant,
        t_read: std::time::Duration,
    ) -> Result<(Model, Report)> {
        let Base {
            as_of_ns: old_as_of,
            generation: old_gen,
            id: old_id,
            dir: mut old_dir,
            records,
        } = base;
        let looked: Vec<Looked> = d
            .look
            .par_iter()
            .map(|&i| {
                let (rel, stamp) = &walked[i];
                let prev = prev_of[i].and_then(|j| old_dir.notes.get(j));
                match (settle(root, rel, prev.map(|e| e.hash)), prev) {
                    (Settled::Same { hash }, Some(p)) => Looked {
                        at: i,
                        dir: DirNote {
                            stamp: *stamp,
                            hash,
                            ..p.clone()
                        },
                        parsed: None,
                    },
                    (Settled::Changed { hash, bytes }, _) => {
                        let n = parse_lean(rel, &bytes);
                        Looked {
                            at: i,
                            dir: DirNote::of(&n, *stamp, hash),
                            parsed: Some(n),
                        }
                    }
                    // Unreadable (or a known hash without its note): let the
                    // reader report it, and never trust its stamp next time.
                    _ => {
                        let n = parse_lean_note(vault::load_note(root, rel));
                        Looked {
                            at: i,
                            dir: DirNote::of(&n, Stamp::default(), 0),
                            parsed: Some(n),
                        }
                    }
                }
            })
            .collect();
        let n_looked = looked.len();
        let dirty = n_looked > 0 || !d.removed.is_empty() || report.rebuilt.is_some();
        let mut notes: Vec<Option<DirNote>> = vec![None; walked.len()];
        let mut names_moved = walked.len() != old_dir.notes.len() || !d.removed.is_empty();
        let looked_prev: Vec<Option<(u8, String, Vec<String>)>> = looked
            .iter()
            .map(|l| {
                let p = prev_of[l.at].and_then(|j| old_dir.notes.get(j))?;
                l.parsed.as_ref()?;
                Some((p.kind, p.title.clone(), p.aliases.clone()))
            })
            .collect();
        let mut old_notes: Vec<Option<DirNote>> = std::mem::take(&mut old_dir.notes)
            .into_iter()
            .map(Some)
            .collect();
        for &i in &d.same {
            if let Some(j) = prev_of[i] {
                notes[i] = old_notes.get_mut(j).and_then(Option::take);
            }
        }
        drop(old_notes);
        let mut fresh: Vec<Option<Note>> = Vec::new();
        for (l, prev) in looked.into_iter().zip(looked_prev) {
            if let Some(n) = l.parsed {
                names_moved |= prev.is_none_or(|(kind, title, aliases)| {
                    (kind, &title, &aliases) != (l.dir.kind, &l.dir.title, &l.dir.aliases)
                });
                report.parsed.push(walked[l.at].0.clone());
                if fresh.is_empty() {
                    fresh = (0..walked.len()).map(|_| None).collect();
                }
                fresh[l.at] = Some(n);
            }
            notes[l.at] = Some(l.dir);
        }
        report.removed = d.removed;
        // Every walked note has an entry: a same note had a previous one.
        let notes: Vec<DirNote> = notes.into_iter().flatten().collect();
        if notes.len() != walked.len() {
            // Cannot happen (see above); rather than trust a misaligned
            // directory, build it from the notes.
            return Self::rebuild(root, &damaged());
        }
        let t_fresh = t0.elapsed();
        let mut model = Model {
            root: root.to_path_buf(),
            config: Config::default(),
            problems: Vec::new(),
            dir: Dir {
                notes,
                keys: KeyIndex::default(),
                out_links: Vec::new(),
            },
            fresh,
            records,
            parsed: Vec::new(),
            // Unchanged, the file read is this model; saved, the new one.
            on_disk: match (dirty, old_gen, old_id) {
                (false, Some(generation), Some(id)) => Some(OnDisk {
                    id,
                    generation,
                    as_of_ns: old_as_of,
                }),
                _ => None,
            },
        };
        if dirty {
            if let Err(why) = model.derive_facts(old_dir, names_moved) {
                return Self::rebuild(root, &why);
            }
        } else {
            model.dir.keys = old_dir.keys;
            model.dir.out_links = old_dir.out_links;
        }
        let t_facts = t0.elapsed();
        if dirty && let Err(e) = model.save(as_of_ns, old_gen) {
            // A read-only vault still answers; it just parses again next time.
            trace(|| format!("note cache not saved: {e}"));
        }
        let (config, cfg_diag) = Config::load(root);
        problems.extend(cfg_diag);
        model.config = config;
        model.problems = problems;
        trace(|| {
            format!(
                "model: walk+read {t_read:?}, fresh {:?} ({} looked at, {} parsed, {} removed), facts {:?}, save {:?}",
                t_fresh - t_read,
                n_looked,
                report.parsed.len(),
                report.removed.len(),
                t_facts - t_fresh,
                t0.elapsed() - t_facts
            )
        });
        Ok((model, report))
    }

    fn is_person(&self, j: usize) -> bool {
        self.dir
            .notes
            .get(j)
            .is_some_and(|d| d.kind() == crate::model::NoteKind::Person)
    }

    /// Brings the name keys and resolved links level with the directory.
    /// When no note was added, removed or renamed, the old keys hold and
    /// only the parsed notes' links are resolved again; otherwise all are,
    /// reading just the link targets of the unchanged notes' records.
    fn derive_facts(&mut self, old: Dir, names_moved: bool) -> std::result::Result<(), String> {
        let n = self.dir.notes.len();
        let fresh_links = |i: usize| self.fresh.get(i).and_then(Option::as_ref);
        if !names_moved {
            let keys = old.keys;
            let mut out = old.out_links;
            for (i, slot) in out.iter_mut().enumerate() {
                if let Some(note) = fresh_links(i) {
                    *slot = keys.out_links(i, note.links.iter().map(|l| l.target.as_str()), |j| {
                        self.is_person(j)
                    });
                }
            }
            self.dir.keys = keys;
            self.dir.out_links = out;
            return Ok(());
        }
        let keys = KeyIndex::build(self.dir.notes.iter().enumerate().map(|(i, d)| {
            (
                i,
                d.title.as_str(),
                Path::new(d.path.as_str()),
                d.aliases.as_slice(),
            )
        }));
        let all = match (&self.records, self.fresh.iter().flatten().count() < n) {
            (Some(f), true) => read_all(f)?,
            _ => Vec::new(),
        };
        let out: std::result::Result<Vec<Vec<u32>>, String> = (0..n)
            .into_par_iter()
            .map(|i| match fresh_links(i) {
                Some(note) => Ok(keys.out_links(
                    i,
                    note.links.iter().map(|l| l.target.as_str()),
                    |j| self.is_person(j),
                )),
                None => {
                    let body = record_in(&all, &self.dir.notes[i])?;
                    let links: CLinks = postcard::from_bytes(body).map_err(|_| damaged())?;
                    Ok(keys.out_links(i, links.targets(), |j| self.is_person(j)))
                }
            })
            .collect();
        self.dir.keys = keys;
        self.dir.out_links = out?;
        Ok(())
    }

    /// Writes the parsed notes' records and the directory. Records go to the
    /// end of the records file (a killed writer leaves bytes nobody points
    /// at); when more than half of the file is such dead weight, or there is
    /// no file yet, a new generation is written whole. The directory is
    /// written last, atomically (temp file + rename): a reader sees the old
    /// model or the new one, never half of one.
    fn save(&mut self, as_of_ns: i64, old_gen: Option<u64>) -> std::io::Result<()> {
        use std::io::Seek;
        let dir = vault::cache_dir(&self.root);
        std::fs::create_dir_all(&dir)?;
        let pending: Vec<(usize, Vec<u8>)> = self
            .fresh
            .par_iter()
            .enumerate()
            .filter_map(|(i, n)| n.as_ref().map(|n| (i, encode_record(n))))
            .collect();
        let fresh_bytes: u64 = pending.iter().map(|(_, b)| b.len() as u64).sum();
        let live: u64 = self
            .dir
            .notes
            .iter()
            .enumerate()
            .filter(|(i, _)| self.fresh.get(*i).is_none_or(Option::is_none))
            .map(|(_, d)| u64::from(d.len))
            .sum::<u64>()
            + fresh_bytes;
        let file_len = match (&self.records, old_gen) {
            (Some(f), Some(_)) => Some(f.metadata()?.len()),
            _ => None,
        };
        let append = file_len.is_some_and(|len| len + fresh_bytes <= 2 * live + (1 << 20));
        let generation;
        if append && let Some(g) = old_gen {
            generation = g;
            let mut opts = std::fs::OpenOptions::new();
            opts.append(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                // As when reading: never wait on a FIFO, never follow a link.
                opts.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
            }
            let mut w = opts.open(records_file(&self.root, g))?;
            if !w.metadata()?.is_file() {
                return Err(std::io::Error::other("the records file is not a file"));
            }
            // Where this write lands: the end, which another kith may have
            // moved; so one write, its position taken after.
            let mut buf = Vec::with_capacity(fresh_bytes as usize);
            let mut spans = Vec::with_capacity(pending.len());
            for (i, b) in &pending {
                spans.push((*i, buf.len() as u64, b.len(), content_hash(b)));
                buf.extend_from_slice(b);
            }
            w.write_all(&buf)?;
            let end = w.stream_position()?;
            let start = end - buf.len() as u64;
            for (i, off, len, sum) in spans {
                let d = &mut self.dir.notes[i];
                d.at = start + off;
                d.len = u32::try_from(len).unwrap_or(u32::MAX);
                d.sum = sum;
            }
        } else {
            // Now, not the as-of time: a watcher saves many times as of its
            // last walk, and a new generation must never reuse a name.
            generation = (now_ns() as u64) ^ u64::from(std::process::id()).rotate_left(40);
            let old = match &self.records {
                Some(f) if self.fresh.iter().flatten().count() < self.dir.notes.len() => {
                    read_all(f).map_err(std::io::Error::other)?
                }
                _ => Vec::new(),
            };
            let mut by_note: Vec<Option<Vec<u8>>> = vec![None; self.dir.notes.len()];
            for (i, b) in pending {
                by_note[i] = Some(b);
            }
            remove_dead_temporaries(&dir);
            let mut tmp = tempfile::Builder::new()
                .prefix(&format!(".records-{}-", std::process::id()))
                .tempfile_in(&dir)?;
            {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
                let mut at = 0u64;
                for (i, d) in self.dir.notes.iter_mut().enumerate() {
                    let body: &[u8] = match &by_note[i] {
                        Some(b) => b,
                        None => record_in(&old, d).map_err(std::io::Error::other)?,
                    };
                    w.write_all(body)?;
                    d.sum = content_hash(body);
                    d.len = u32::try_from(body.len()).unwrap_or(u32::MAX);
                    d.at = at;
                    at += body.len() as u64;
                }
                w.flush()?;
            }
            vault::clear_cache_slot(&records_file(&self.root, generation));
            tmp.persist(records_file(&self.root, generation))
                .map_err(|e| e.error)?;
            self.records = vault::open_cache_file(&records_file(&self.root, generation))
                .ok()
                .map(|(f, _)| f);
        }
        let head = Head {
            as_of_ns,
            generation,
            dir: std::mem::take(&mut self.dir),
        };
        let bytes = encode_head(&head);
        self.dir = head.dir;
        remove_dead_temporaries(&dir);
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".model-{}-", std::process::id()))
            .tempfile_in(&dir)?;
        tmp.as_file_mut().write_all(&bytes)?;
        // Taken before the rename, which keeps it: a file put in its place
        // after the rename is not this one.
        let id = FileId::of(&tmp.as_file().metadata()?);
        vault::clear_cache_slot(&model_file(&self.root));
        tmp.persist(model_file(&self.root)).map_err(|e| e.error)?;
        self.on_disk = Some(OnDisk {
            id,
            generation,
            as_of_ns,
        });
        // Replaced generations are swept once nobody can be reading them
        // (another process may still hold the one just replaced).
        let _ = old_gen;
        sweep(&self.root, generation);
        Ok(())
    }

    /// How many notes the vault has.
    pub fn len(&self) -> usize {
        self.dir.notes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dir.notes.is_empty()
    }

    fn hashes(&self) -> Vec<u64> {
        self.dir.notes.iter().map(|d| d.hash).collect()
    }

    fn out_links(&self) -> Vec<Vec<usize>> {
        self.dir
            .out_links
            .iter()
            .map(|v| v.iter().map(|j| *j as usize).collect())
            .collect()
    }

    /// Each note's path (as bytes) and content hash, in the directory's
    /// order (0: unknown): what caches derived from the whole vault key on,
    /// known without decoding a record.
    pub fn sources(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.dir.notes.iter().map(|d| (d.path.as_bytes(), d.hash))
    }

    /// What every command warns about, without a vault: the config's and
    /// the walk's problems, and the notes with errors, whole (only their
    /// records decoded). For a command answering from a cache.
    pub fn warnings(&self) -> (&[Diagnostic], Vec<Note>) {
        let notes = self
            .dir
            .notes
            .iter()
            .enumerate()
            .filter(|(_, d)| d.errors > 0)
            .filter_map(|(i, d)| {
                if let Some(Some(n)) = self.fresh.get(i) {
                    return Some(n.clone());
                }
                let f = self.records.as_ref()?;
                read_record(f, d)
                    .and_then(|b| decode_note(&b, PathBuf::from(&d.path)))
                    .ok()
            })
            .collect();
        (&self.problems, notes)
    }

    /// The vault folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The vault's config, as loaded with the model.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Every note whole, decoded in parallel: what the digest, check and
    /// the other commands over the whole vault read. `Err` says why the
    /// model cannot be used (a record failed its checksum).
    pub fn into_vault(self) -> std::result::Result<Vault, String> {
        self.into_vault_keeping(None)
    }

    /// [`into_vault`](Self::into_vault) with each note's front-matter
    /// *values* cut down to the keys `keep` (their positions all stay):
    /// for a command that reads the typed fields and these keys only. Each
    /// chunk is cut as it is decoded, so the values never all sit in memory.
    pub fn into_vault_keeping(
        mut self,
        keep: Option<&[&str]>,
    ) -> std::result::Result<Vault, String> {
        let t = std::time::Instant::now();
        let n = self.dir.notes.len();
        let mut fresh = std::mem::take(&mut self.fresh);
        fresh.resize_with(n, || None);
        let records = self.records.as_ref();
        // Decoded a chunk of records at a time, each chunk's span read by
        // position: never the whole records file in memory at once (116 MB
        // at 100k people, on top of the decoded notes).
        let notes: std::result::Result<Vec<Vec<Note>>, String> = fresh
            .par_chunks_mut(DECODE_CHUNK)
            .zip(self.dir.notes.par_chunks(DECODE_CHUNK))
            .map(|(fs, ds)| {
                let mut notes = decode_chunk(records, fs, ds)?;
                if let Some(keep) = keep {
                    notes.iter_mut().for_each(|n| keep_front(n, keep));
                }
                Ok(notes)
            })
            .collect();
        let notes: Vec<Note> = notes?.into_iter().flatten().collect();
        let hashes = self.hashes();
        let out_links = self.out_links();
        let dir = std::mem::take(&mut self.dir);
        let mut v = Vault::from_parts(
            self.root,
            self.config,
            notes,
            self.problems,
            dir.keys,
            out_links,
        );
        v.set_sources(hashes);
        trace(|| format!("model: decoded {n} notes in {:?}", t.elapsed()));
        Ok(v)
    }

    /// The vault with stand-ins for notes (identity and name keys only, see
    /// [`DirNote::stub`]), except the notes parsed in this pass and those
    /// with errors (whose diagnostics every command warns about), which are
    /// whole. Lookups, link resolution and `linked_from` answer for the
    /// whole vault; widen it with [`Model::widen`] before reading a note.
    /// The directory's names move into the stand-ins: after this the model
    /// only widens (the records' positions stay).
    pub fn focused(&mut self) -> Vault {
        let t = std::time::Instant::now();
        let mut fresh = std::mem::take(&mut self.fresh);
        fresh.resize_with(self.dir.notes.len(), || None);
        self.parsed = (0..fresh.len()).filter(|i| fresh[*i].is_some()).collect();
        let notes: Vec<Note> = self
            .dir
            .notes
            .par_iter_mut()
            .zip(fresh.into_par_iter())
            .map(|(d, f)| match f {
                Some(n) => n,
                None => d.stub(),
            })
            .collect();
        let mut v = Vault::from_parts(
            self.root.clone(),
            self.config.clone(),
            notes,
            std::mem::take(&mut self.problems),
            std::mem::take(&mut self.dir.keys),
            self.out_links(),
        );
        v.set_sources(self.hashes());
        let broken: Vec<usize> = (0..self.dir.notes.len())
            .filter(|i| self.dir.notes[*i].errors > 0)
            .collect();
        self.widen(&mut v, &broken, false);
        trace(|| format!("model: focused vault in {:?}", t.elapsed()));
        v
    }

    /// Makes notes `idxs` whole in a [`focused`](Self::focused) vault, and
    /// with `linkers` every note linking to them too (what `show` reads:
    /// mentions, backlinks, promises owed, introductions).
    pub fn widen(&self, v: &mut Vault, idxs: &[usize], linkers: bool) {
        let mut want: Vec<usize> = idxs.to_vec();
        if linkers {
            for &i in idxs {
                want.extend_from_slice(v.linked_from(i));
            }
        }
        want.sort_unstable();
        want.dedup();
        want.retain(|i| {
            *i < self.dir.notes.len() && self.fresh.get(*i).is_none_or(Option::is_none)
        });
        if want.is_empty() {
            return;
        }
        let decoded: Vec<(usize, std::result::Result<Note, String>)> = want
            .par_iter()
            .map(|&i| {
                let d = &self.dir.notes[i];
                let path = v.notes[i].path.clone();
                let note = match &self.records {
                    Some(f) => read_record(f, d).and_then(|b| decode_note(&b, path)),
                    None => Err(damaged()),
                };
                (i, note)
            })
            .collect();
        let mut rebuilt = false;
        let mut notes = Vec::with_capacity(decoded.len());
        for (i, r) in decoded {
            match r {
                Ok(n) => notes.push((i, n)),
                Err(why) => {
                    if !rebuilt {
                        rebuilt = true;
                        // This answer reads the note itself; the model is
                        // built again for the next command.
                        let _ = Self::rebuild(&self.root, &why);
                    }
                    let rel = v.notes[i].path.clone();
                    notes.push((i, parse_lean_note(vault::load_note(&self.root, &rel))));
                }
            }
        }
        v.replace_notes(notes);
    }
}

/// How far a load may trust the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Walk the vault and compare every note's stamp (always correct).
    Walk,
    /// A healthy `kith watch` has just answered a flush and vouched for this
    /// model file (see [`FileId`]): read it as it is, no walk. A file that is
    /// not that one, or unusable, falls back to [`Freshness::Walk`].
    Vouched(FileId),
}

/// Which model file a watcher refreshed last: a command trusts the file
/// without walking only if it is still that one (another command's walk may
/// have replaced it with an older view since).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileId {
    pub size: u64,
    pub mtime_ns: i64,
    pub ino: u64,
}

impl FileId {
    fn of(m: &std::fs::Metadata) -> FileId {
        let s = Stamp::of(m);
        FileId {
            size: s.size,
            mtime_ns: s.mtime_ns,
            ino: s.ino,
        }
    }
}

/// The identity of the model file as it is now, if there is one.
pub fn model_id(root: &Path) -> Option<FileId> {
    file_id(&model_file(root))
}

/// The identity of any file as it is now, if there is one.
pub fn file_id(path: &Path) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|m| FileId::of(&m))
}

/// A model file's bytes and identity, taken on the open handle (so a rename
/// over it in between cannot slip through); `None` when missing, or when
/// `want` names another file.
fn read_model(file: &Path, want: Option<FileId>) -> std::io::Result<Option<(Vec<u8>, FileId)>> {
    use std::io::Read;
    // The cache's safe opener: no FIFO waited on, no symlink followed, no
    // more read than the file's length.
    let (f, len) = vault::open_cache_file(file)?;
    let id = FileId::of(&f.metadata()?);
    if want.is_some_and(|w| w != id) {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.take(len).read_to_end(&mut bytes)?;
    Ok(Some((bytes, id)))
}

/// Removes the temporary files (`.model-PID-*`, `.records-PID-*`) of saves
/// whose process is gone: a writer killed mid-save leaves a records file's
/// size each (100 MB at 100k notes), never cleaned up otherwise. Files of
/// live processes, and names not ours, are left alone.
fn remove_dead_temporaries(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| {
                n.strip_prefix(".model-")
                    .or_else(|| n.strip_prefix(".records-"))
            })
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !process_alive(pid) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 only checks that the process exists; EPERM still
        // means it does.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

impl Model {
    /// [`Model::open`], or with [`Freshness::Vouched`] the model file as a
    /// watcher left it: no walk, nothing saved, only the directory read.
    pub fn open_with(root: &Path, freshness: Freshness) -> Result<(Model, Report)> {
        if let Freshness::Vouched(id) = freshness
            && let Some(m) = Self::open_vouched(root, id)
        {
            return Ok((m, Report::default()));
        }
        Self::open(root)
    }

    fn open_vouched(root: &Path, id: FileId) -> Option<Model> {
        let t0 = std::time::Instant::now();
        let (bytes, id) = read_model(&model_file(root), Some(id)).ok()??;
        let head = decode_head(&bytes).ok()?;
        drop(bytes);
        let (records, _) = vault::open_cache_file(&records_file(root, head.generation)).ok()?;
        let (config, problems) = Config::load(root);
        trace(|| {
            format!(
                "model: vouched by the watcher, directory read in {:?}",
                t0.elapsed()
            )
        });
        Some(Model {
            root: root.to_path_buf(),
            config,
            problems,
            fresh: Vec::new(),
            records: Some(records),
            parsed: Vec::new(),
            on_disk: Some(OnDisk {
                id,
                generation: head.generation,
                as_of_ns: head.as_of_ns,
            }),
            dir: head.dir,
        })
    }
}

/// The model file as a watcher left it, no record decoded: no walk, nothing
/// saved (so never a `model.bin` written behind the watcher's back). `None`
/// when the file is not the one `id` names, or unusable.
pub fn open_vouched(root: &Path, id: FileId) -> Option<Model> {
    Model::open_vouched(root, id)
}

/// The vault from the model file as a watcher left it (every note whole):
/// no walk, nothing saved. `None` when the file is not the one `id` names,
/// or unusable (the caller then walks: [`load_with_report`]).
pub fn load_vouched(root: &Path, id: FileId) -> Option<Vault> {
    Model::open_vouched(root, id)?.into_vault().ok()
}

/// The model kept by a long-running process (the watcher): the directory
/// decoded, the records file open, so a batch of changed paths costs their
/// parse, an append of their records and one directory write, no walk.
pub struct Held {
    root: PathBuf,
    dir: Dir,
    records: std::fs::File,
    on_disk: OnDisk,
}

impl Held {
    /// What a freshness pass left, if it is a model file on disk (read
    /// unchanged or saved); `None` when it could not be saved.
    pub fn of(m: Model) -> Option<Held> {
        Some(Held {
            on_disk: m.on_disk?,
            records: m.records?,
            root: m.root,
            dir: m.dir,
        })
    }

    /// The model file this is, as it was written (what the watcher vouches for).
    pub fn id(&self) -> FileId {
        self.on_disk.id
    }

    /// Brings the model level with the vault for just these vault-relative
    /// paths (present: read again; gone or no longer a note: dropped) and
    /// saves it if anything moved: where a walk would end, since every other
    /// note is as its stamp last said (the watcher saw no event for it).
    /// `None` in the result when the model could not be saved (the caller
    /// then walks again later).
    pub fn refresh(self, rels: &[PathBuf]) -> Result<(Option<Held>, Report)> {
        let t0 = std::time::Instant::now();
        let root = self.root;
        let filter = vault::NoteFilter::for_vault(&root);
        let asked: rustc_hash::FxHashSet<&Path> = rels.iter().map(|p| p.as_path()).collect();
        // The walk as it would be: every known note with its known stamp,
        // the asked paths with a fresh one (or not at all when gone).
        let mut walked: Vec<(PathBuf, Stamp)> = self
            .dir
            .notes
            .iter()
            .filter(|d| !asked.contains(Path::new(d.path.as_str())))
            .map(|d| (PathBuf::from(&d.path), d.stamp))
            .collect();
        for rel in &asked {
            if !filter.is_note(rel) || under_symlink(&root, rel) {
                continue;
            }
            match std::fs::metadata(root.join(rel)) {
                Ok(m) if m.is_file() => walked.push((rel.to_path_buf(), Stamp::of(&m))),
                // A folder named like a note, or unreadable: listed so
                // reading it reports it, as the walk does.
                Ok(_) => walked.push((rel.to_path_buf(), Stamp::default())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(_) => walked.push((rel.to_path_buf(), Stamp::default())),
            }
        }
        walked.par_sort_unstable_by(|a, b| path_order(&a.0).cmp(path_order(&b.0)));
        // A stamp can stay put across a write in the same clock tick: every
        // asked path is looked at, whatever its stamp says.
        let (mut d, prev_of) = diff_sorted(&walked, &self.dir.notes, i64::MAX);
        let (forced, same): (Vec<usize>, Vec<usize>) = d
            .same
            .into_iter()
            .partition(|i| asked.contains(walked[*i].0.as_path()));
        d.same = same;
        d.look.extend(forced);
        let t_read = t0.elapsed();
        let base = Base {
            // The as-of time stays the last walk's: notes the watcher did
            // not look at are doubtful to a later walk exactly as before.
            as_of_ns: self.on_disk.as_of_ns,
            generation: Some(self.on_disk.generation),
            id: Some(self.on_disk.id),
            dir: self.dir,
            records: Some(self.records),
        };
        let as_of = self.on_disk.as_of_ns;
        let (m, report) = Model::level(
            &root,
            walked,
            Vec::new(),
            Report::default(),
            base,
            (d, prev_of),
            as_of,
            t0,
            t_read,
        )?;
        trace(|| {
            format!(
                "model: refreshed {} paths in {:?} ({} parsed, {} removed)",
                rels.len(),
                t0.elapsed(),
                report.parsed.len(),
                report.removed.len()
            )
        });
        Ok((Held::of(m), report))
    }
}

/// Is a folder on the way to `rel` a symlink? The walk does not follow
/// symlinked folders, so neither does a refresh.
fn under_symlink(root: &Path, rel: &Path) -> bool {
    let mut at = root.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for c in &parts[..parts.len().saturating_sub(1)] {
        at.push(c);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
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
