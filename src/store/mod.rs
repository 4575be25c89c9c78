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
//! length and checksum (u64 LE each), then the directory itself, laid out
//! flat (see `store/flat.rs`): a fixed-width row per note (stamp, content hash,
//! kind, error count, where its record sits), each note's names (path,
//! title, aliases, a person's name and emails), the name keys as
//! [`KeyIndex`] holds them, and out- and in-links as CSR arrays.
//! `records-<generation>.bin` holds the per-note records (postcard of
//! [`record::CNote`]), each checksummed in the directory and decoded only
//! when a command needs that note: `show` reads a few, the digest all.
//! Changed notes' records are appended; a new generation is written when
//! over half the file is dead. Replaced generations and killed writers'
//! temporaries are swept once nobody can still be reading them.
//!
//! Why the directory is flat: `show`, `log` and `new` at 100k notes need
//! every note's path and stamp, every person's names and who links to
//! whom, and then a handful of records. Decoding a postcard directory into
//! owned entries, then building a stand-in note and a link list per note,
//! cost them more than their walk (a quarter of a second, hundreds of
//! thousands of allocations and as many frees at exit, 290 MB). Read in
//! place, a run that changed nothing copies no row at all; the lookup reads
//! the names where they lie ([`Model::find_person`]), and
//! [`Model::focused_on`] builds a vault of only the notes the command
//! reads. The records stay postcard: compact, serde-derived, decoded a few
//! at a time or all in parallel; rkyv's zero-copy would tie every domain
//! type to an archived twin.

mod flat;
mod record;
mod walk;

#[cfg(unix)]
pub use walk::stat_stamp;
pub use walk::{Folders, Walked, rules_key, walk, walk_recorded};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::note::Keep;
use crate::note::Note;
use crate::vault::{self, KeyIndex, Vault};
use flat::{Buf, Dir, Ent, Links, NamesSrc, Row};
use rayon::prelude::*;
use record::{CLinks, CNote};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Bump when the record layout or what the parser extracts changes.
pub const FORMAT: u32 = 8;
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

    /// Could the file have changed again since this stamp was taken, as of
    /// `as_of_ns`, without the stamp moving? Yes when it was modified (or
    /// its inode changed) within [`DOUBT_NS`] of that time, since a second
    /// write in the same clock tick keeps size and times; and always for the
    /// empty stamp (not a regular file, or not read).
    pub fn doubtful(&self, as_of_ns: i64) -> bool {
        let since = as_of_ns.saturating_sub(DOUBT_NS);
        *self == Stamp::default() || self.mtime_ns >= since || self.ctime_ns >= since
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
    known: &Dir,
    as_of_ns: i64,
) -> (Diff, Vec<Option<usize>>) {
    let mut d = Diff::default();
    let mut prev_of = vec![None; walked.len()];
    let mut j = 0;
    let n = known.len();
    for (i, (rel, st)) in walked.iter().enumerate() {
        let key = path_order(rel);
        while j < n && known.path_bytes(j) < key {
            d.removed.push(PathBuf::from(known.path(j)));
            j += 1;
        }
        if j < n && known.path_bytes(j) == key {
            prev_of[i] = Some(j);
            let old = known.row(j).stamp;
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
        .extend((j..n).map(|k| PathBuf::from(known.path(k))));
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
    let mut seen = None;
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
        if seen == Some(id) {
            break;
        }
        seen = Some(id);
        let h = match decode_head(bytes) {
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

/// The bytes before the directory's body: magic, format, version, as-of
/// time, generation, the body's length and checksum.
fn header(as_of_ns: i64, generation: u64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    let v = env!("CARGO_PKG_VERSION").as_bytes();
    out.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&v[..v.len().min(255)]);
    out.extend_from_slice(&as_of_ns.to_le_bytes());
    out.extend_from_slice(&generation.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body_sum(body).to_le_bytes());
    out
}

/// The directory body's checksum: the hashes of its MiB chunks, taken in
/// parallel, hashed. Each chunk is hashed in four lanes at once, 32 bytes a
/// step: with one lane (as [`content_hash`]) the multiplications wait on
/// each other, and checking a 30 MB directory was a sixth of `show`'s CPU
/// with a watcher.
fn body_sum(body: &[u8]) -> u64 {
    let sums: Vec<u8> = body
        .par_chunks(1 << 20)
        .flat_map_iter(|c| wide_hash(c).to_le_bytes())
        .collect();
    content_hash(&sums)
}

fn wide_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let mut h = [bytes.len() as u64, 1, 2, 3];
    let mut chunks = bytes.chunks_exact(32);
    for c in &mut chunks {
        for (l, h) in h.iter_mut().enumerate() {
            *h = (h.rotate_left(5) ^ word(&c[8 * l..8 * l + 8])).wrapping_mul(K);
        }
    }
    let mut tail = Vec::with_capacity(64);
    for l in h {
        tail.extend_from_slice(&l.to_le_bytes());
    }
    tail.extend_from_slice(chunks.remainder());
    content_hash(&tail)
}

#[cfg(test)]
fn encode_head(h: &Head) -> Vec<u8> {
    let mut out = header(h.as_of_ns, h.generation, h.dir.body());
    out.extend_from_slice(h.dir.body());
    out
}

/// Why a model file cannot be used, in words for the "rebuilt because" line.
fn decode_head(bytes: Vec<u8>) -> std::result::Result<Head, String> {
    decode_head_as(Buf::Heap(bytes), true)
}

/// [`decode_head`], with `sum` false for a file a watcher vouched for: the
/// very file it wrote (same inode, size and time, checked on the open
/// handle), so the checksum could only catch what the structural checks
/// already refuse, at the cost of hashing 30 MB at 100k notes.
fn decode_head_as(bytes: Buf, sum_it: bool) -> std::result::Result<Head, String> {
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
        let age = if format < FORMAT {
            "an older"
        } else {
            "a newer"
        };
        return Err(format!(
            "it was written in {age} format ({format}, this kith reads {FORMAT})"
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
    if !r.is_empty() || (sum_it && body_sum(body) != sum) {
        return Err(damaged());
    }
    let at = bytes.len() - len;
    // Used in place: checked through, never decoded (see `flat`).
    let dir = Dir::parse(bytes, at)?;
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
fn record_in<'a>(all: &'a [u8], d: &Row) -> std::result::Result<&'a [u8], String> {
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
fn read_record(file: &std::fs::File, d: &Row) -> std::result::Result<Vec<u8>, String> {
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
    decode_kept(body, path, None)
}

/// [`decode_note`] with only what `keep` keeps (see [`Keep`]).
fn decode_kept(
    body: &[u8],
    path: PathBuf,
    keep: Option<&Keep>,
) -> std::result::Result<Note, String> {
    let c: CNote = postcard::from_bytes(body).map_err(|_| damaged())?;
    c.into_note(path, keep).map_err(|()| damaged())
}

/// Notes decoded together from one read of the records file.
const DECODE_CHUNK: usize = 2048;

/// One chunk of the directory's notes whole, written into `out` (the slots
/// of notes `start..`): those parsed in this pass (`fresh`, by directory
/// index) as they are, the others decoded from one read of the span of the
/// records file their records lie in (or one read each, when that span is
/// much larger than the records: a records file rewritten in pieces).
fn decode_chunk(
    records: Option<&std::fs::File>,
    fresh: Vec<(usize, Note)>,
    out: &mut [Note],
    dir: &Dir,
    start: usize,
    keep: Option<&Keep>,
) -> std::result::Result<(), String> {
    let is_fresh = |i: usize| fresh.iter().any(|(j, _)| *j == i);
    let rows: Vec<Row> = (start..start + out.len()).map(|i| dir.row(i)).collect();
    let (mut lo, mut hi, mut sum) = (u64::MAX, 0u64, 0u64);
    for (_, d) in rows
        .iter()
        .enumerate()
        .filter(|(k, _)| !is_fresh(start + k))
    {
        lo = lo.min(d.at);
        hi = hi.max(d.at.saturating_add(u64::from(d.len)));
        sum += u64::from(d.len);
    }
    let mut fresh = fresh;
    SPAN.with_borrow_mut(|buf| {
        let span = match records {
            Some(f) if sum > 0 && hi - lo <= sum.saturating_mul(2) => {
                buf.clear();
                buf.resize(usize::try_from(hi - lo).map_err(|_| damaged())?, 0);
                read_at(f, buf, lo)?;
                Some(&buf[..])
            }
            _ => None,
        };
        for (k, (d, slot)) in rows.iter().zip(out.iter_mut()).enumerate() {
            let parsed = fresh
                .iter()
                .position(|(j, _)| *j == start + k)
                .map(|at| fresh.swap_remove(at).1);
            *slot = match (parsed, span) {
                (Some(mut note), _) => {
                    if let Some(keep) = keep {
                        keep.apply(&mut note);
                    }
                    note
                }
                (None, Some(buf)) => {
                    let at = usize::try_from(d.at - lo).map_err(|_| damaged())?;
                    let body = buf
                        .get(at..at.saturating_add(d.len as usize))
                        .ok_or_else(damaged)?;
                    if content_hash(body) != d.sum {
                        return Err(damaged());
                    }
                    decode_kept(body, PathBuf::from(dir.path(start + k)), keep)?
                }
                (None, None) => {
                    let f = records.ok_or_else(damaged)?;
                    decode_kept(
                        &read_record(f, d)?,
                        PathBuf::from(dir.path(start + k)),
                        keep,
                    )?
                }
            };
        }
        Ok(())
    })
}

thread_local! {
    /// Each decoding thread's buffer for a chunk's span of the records
    /// file, kept from chunk to chunk: a megabyte or two allocated and
    /// freed per chunk made glibc consolidate its free lists each time
    /// (a tenth of the decoding's CPU at 100k notes).
    static SPAN: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
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

/// Reads a records file from its start up to `need` bytes (the end of the
/// last record the caller will look up, [`records_extent`]), or says it is
/// damaged. Never its whole length: a records file grown in place (a
/// sparse `truncate -s 1T`, junk appended) would otherwise be allocated
/// whole and abort every command until the cache is deleted. By position,
/// never from the handle's offset: one run reads the records file more than
/// once (links for the facts, then the notes, then a new generation), and a
/// second `read_to_end` would start at the end and find nothing.
fn read_all(file: &std::fs::File, need: u64) -> std::result::Result<Vec<u8>, String> {
    let len = file.metadata().map_err(|_| damaged())?.len();
    if need > len {
        return Err(damaged());
    }
    let mut bytes = vec![0u8; usize::try_from(need).map_err(|_| damaged())?];
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

/// Where the last of these records ends in the records file: all a whole
/// read needs (rows not yet written have length 0 and count for nothing).
fn records_extent(rows: impl Iterator<Item = Row>) -> u64 {
    rows.map(|r| r.at.saturating_add(u64::from(r.len)))
        .max()
        .unwrap_or(0)
}

fn trace(msg: impl FnOnce() -> String) {
    if std::env::var_os("KITH_TRACE").is_some() {
        static T0: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let t0 = T0.get_or_init(std::time::Instant::now);
        eprintln!("trace: [{:?}] {}", t0.elapsed(), msg());
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
    /// The walk this pass compared the model with (for a watcher's
    /// refresh, the walk as it would be): the search index reuses it
    /// rather than walking again.
    pub walked: Option<Walked>,
}

/// Parses a note's bytes, keeping entry texts out of memory.
fn parse_lean(rel: &Path, bytes: &[u8]) -> Note {
    parse_lean_note(crate::note::parse(rel, bytes))
}

fn parse_lean_note(n: Note) -> Note {
    n.lean()
}

/// Every note walked and parsed afresh, no cache read or written: for a
/// caller that must not trust or touch `.kith/cache/` (a fixture measured
/// by a benchmark).
pub fn load_uncached(root: &Path) -> Result<Vault> {
    if !root.is_dir() {
        return Err(Error::VaultMissing(root.to_path_buf()));
    }
    let (walked, mut problems) = walk(root);
    let loaded: Vec<std::result::Result<Note, Diagnostic>> = walked
        .par_iter()
        .map(|(rel, _)| vault::try_load_note(root, rel))
        .collect();
    let mut notes = Vec::with_capacity(loaded.len());
    for l in loaded {
        match l {
            Ok(n) => notes.push(n),
            Err(d) => problems.push(d),
        }
    }
    let (config, cfg_diag) = Config::load(root);
    problems.extend(cfg_diag);
    Ok(Vault::from_notes(
        root.to_path_buf(),
        config,
        notes,
        problems,
    ))
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

/// [`whole`] with each note cut down to what `keep` keeps (see
/// [`Model::into_vault_keeping`]).
pub fn whole_keeping(model: Model, keep: Option<&Keep>) -> Result<Vault> {
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
    /// Notes parsed in this pass, by directory index: never read back. A
    /// map, not a slot per note: a slot is a whole `Note` wide, 88 MB at
    /// 100k notes for the one note `kith log` changed.
    fresh: FxHashMap<usize, Note>,
    /// The records file the directory points into.
    records: Option<std::fs::File>,
    /// Notes parsed in this pass, once moved into a focused vault
    /// (ascending).
    parsed: Vec<usize>,
    /// The model file this model is, if it is one (read unchanged, or
    /// saved): what a watcher holds and vouches for (see [`Held`]).
    on_disk: Option<OnDisk>,
    /// A damaged record had the model rebuilt (for the next command):
    /// this model still points into the damaged file, so a later decode
    /// that fails again must not rebuild (and say so) a second time.
    rebuilt_after_damage: std::sync::atomic::AtomicBool,
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
    ent: Ent,
    /// The note parsed again, when its bytes changed (or could not be read).
    parsed: Option<Note>,
}

/// A parsed note's directory entry (record position still unknown).
fn ent_of(n: &Note, stamp: Stamp, hash: u64) -> Ent {
    Ent {
        row: Row {
            stamp,
            hash,
            errors: u32::try_from(n.diagnostics.iter().filter(|d| d.is_error()).count())
                .unwrap_or(u32::MAX),
            kind: record::kind_code(n.kind),
            ..Row::default()
        },
        names: NamesSrc::New(flat::encode_names(n)),
    }
}

/// A stand-in for a note: its identity and name keys, nothing else (no
/// entries, links, promises or diagnostics). Commands that need one person
/// answer from these plus the few whole notes they need.
fn stub(names: flat::Names<'_>, kind: u8) -> Note {
    let title = names.title.to_string();
    let aliases = names.aliases.to_vec();
    let person = names.person.map(|p| crate::model::Person {
        name: p.name.map_or_else(|| title.clone(), str::to_string),
        aliases: p
            .aliases
            .map_or_else(|| aliases.clone(), flat::Strs::to_vec),
        emails: p.emails.to_vec(),
        ..crate::model::Person::default()
    });
    Note {
        aliases,
        person,
        ..Note::bare(PathBuf::from(names.path), record::kind_of(kind), title)
    }
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
        let (d, prev_of) = diff_sorted(&walked, &old_dir, old_as_of);
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
    /// the model, as of `as_of_ns`, if anything moved. Nothing moved, the
    /// directory read is the model as it is: no row is copied.
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
            dir: old_dir,
            records,
        } = base;
        let looked: Vec<Looked> = d
            .look
            .par_iter()
            .map(|&i| {
                let (rel, stamp) = &walked[i];
                let prev = prev_of[i];
                let prev_hash = prev.map(|j| old_dir.row(j).hash);
                match (settle(root, rel, prev_hash), prev) {
                    (Settled::Same { hash }, Some(j)) => Looked {
                        at: i,
                        ent: Ent {
                            row: Row {
                                stamp: *stamp,
                                hash,
                                ..old_dir.row(j)
                            },
                            names: NamesSrc::Old(j),
                        },
                        parsed: None,
                    },
                    (Settled::Changed { hash, bytes }, _) => {
                        let n = parse_lean(rel, &bytes);
                        Looked {
                            at: i,
                            ent: ent_of(&n, *stamp, hash),
                            parsed: Some(n),
                        }
                    }
                    // Unreadable (or a known hash without its note): let the
                    // reader report it, and never trust its stamp next time.
                    _ => {
                        let n = parse_lean_note(vault::load_note(root, rel));
                        Looked {
                            at: i,
                            ent: ent_of(&n, Stamp::default(), 0),
                            parsed: Some(n),
                        }
                    }
                }
            })
            .collect();
        let n_looked = looked.len();
        // A doubtful note read again and found as it was (same stamp, same
        // bytes) changes nothing: saving would rewrite the whole directory
        // on every run until the as-of time moved past it. Unsaved, it is
        // doubtful (and hashed) again next run, which costs one read.
        let moved = looked.iter().any(|l| {
            l.parsed.is_some()
                || prev_of[l.at].is_none_or(|j| {
                    let old = old_dir.row(j);
                    old.stamp != l.ent.row.stamp || old.hash != l.ent.row.hash
                })
        });
        let dirty = moved || !d.removed.is_empty() || report.rebuilt.is_some();
        let mut model = Model {
            root: root.to_path_buf(),
            config: Config::default(),
            problems: Vec::new(),
            dir: Dir::default(),
            fresh: FxHashMap::default(),
            records,
            parsed: Vec::new(),
            rebuilt_after_damage: std::sync::atomic::AtomicBool::new(false),
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
        let (t_fresh, t_facts);
        if dirty {
            let mut names_moved = walked.len() != old_dir.len() || !d.removed.is_empty();
            let mut ents: Vec<Option<Ent>> = (0..walked.len()).map(|_| None).collect();
            for &i in &d.same {
                if let Some(j) = prev_of[i] {
                    ents[i] = Some(Ent {
                        row: old_dir.row(j),
                        names: NamesSrc::Old(j),
                    });
                }
            }
            let mut fresh: FxHashMap<usize, Note> = FxHashMap::default();
            for l in looked {
                if let Some(n) = l.parsed {
                    let prev = prev_of[l.at];
                    names_moved |= prev.is_none_or(|j| {
                        let old = old_dir.names(j);
                        old_dir.row(j).kind != l.ent.row.kind
                            || old.title != n.title
                            || !old.aliases.iter().eq(n.aliases.iter().map(String::as_str))
                    });
                    report.parsed.push(walked[l.at].0.clone());
                    fresh.insert(l.at, n);
                }
                ents[l.at] = Some(l.ent);
            }
            report.removed = d.removed;
            // Every walked note has an entry: a same note had a previous one.
            let mut ents: Vec<Ent> = ents.into_iter().flatten().collect();
            if ents.len() != walked.len() {
                // Cannot happen (see above); rather than trust a misaligned
                // directory, build it from the notes.
                return Self::rebuild(root, &damaged());
            }
            model.fresh = fresh;
            t_fresh = t0.elapsed();
            let (keys, out) = match model.derive_facts(&old_dir, &ents, names_moved) {
                Ok(f) => f,
                Err(why) => return Self::rebuild(root, &why),
            };
            t_facts = t0.elapsed();
            let ts = std::time::Instant::now();
            let saved = model.save_records(&mut ents, old_gen);
            let t_records = ts.elapsed();
            model.dir = Dir::build(&old_dir, &ents, keys.as_ref(), &out);
            let t_build = ts.elapsed();
            drop(old_dir);
            let t_drop = ts.elapsed();
            if let Err(e) = saved.and_then(|g| model.save_dir(as_of_ns, g)) {
                // A read-only vault still answers; it just parses again next time.
                trace(|| format!("note cache not saved: {e}"));
            }
            trace(|| {
                format!(
                    "model: records {t_records:?}, directory built {:?}, old one freed {:?}, written {:?}",
                    t_build - t_records,
                    t_drop - t_build,
                    ts.elapsed() - t_drop
                )
            });
        } else {
            model.dir = old_dir;
            t_fresh = t0.elapsed();
            t_facts = t_fresh;
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
        report.walked = Some(Walked {
            as_of_ns,
            notes: walked,
        });
        Ok((model, report))
    }

    /// The name keys and resolved links of the directory `ents` makes.
    /// When no note was added, removed or renamed, the old keys hold and
    /// only the parsed notes' links are resolved again; otherwise all are,
    /// reading just the link targets of the unchanged notes' records.
    fn derive_facts(
        &self,
        old: &Dir,
        ents: &[Ent],
        names_moved: bool,
    ) -> std::result::Result<(Option<KeyIndex>, Links), String> {
        let n = ents.len();
        let fresh_links = |i: usize| self.fresh.get(&i);
        let person = record::kind_code(crate::model::NoteKind::Person);
        let is_person = |j: usize| ents.get(j).is_some_and(|e| e.row.kind == person);
        if !names_moved {
            // Same notes in the same places: the old numbering, keys and
            // links hold; the parsed notes' links are resolved against the
            // saved keys where they lie (`KeyIndex::out_links`' rule).
            let mut changed = FxHashMap::default();
            for (&i, note) in &self.fresh {
                let mut out: Vec<u32> = note
                    .links
                    .iter()
                    .filter_map(|l| {
                        let v = old.key_get(&crate::text::fold(&l.target));
                        v.iter()
                            .copied()
                            .find(|j| is_person(*j))
                            .or(v.first().copied())
                    })
                    .filter(|j| *j != i)
                    .map(|j| j as u32)
                    .collect();
                out.sort_unstable();
                out.dedup();
                changed.insert(i, out);
            }
            return Ok((None, Links::OldBut(changed)));
        }
        let names: Vec<flat::Names<'_>> = ents
            .iter()
            .map(|e| match &e.names {
                NamesSrc::Old(j) => old.names(*j),
                NamesSrc::New(b) => flat::parse_names(b).unwrap_or_default(),
            })
            .collect();
        let keys = KeyIndex::build(
            names
                .iter()
                .enumerate()
                .map(|(i, d)| (i, d.title, d.path, d.aliases.iter())),
        );
        let all = match (&self.records, self.fresh.len() < n) {
            (Some(f), true) => read_all(f, records_extent(ents.iter().map(|e| e.row)))?,
            _ => Vec::new(),
        };
        let out: std::result::Result<Vec<Vec<u32>>, String> = (0..n)
            .into_par_iter()
            .map(|i| match fresh_links(i) {
                Some(note) => {
                    Ok(keys.out_links(i, note.links.iter().map(|l| l.target.as_str()), is_person))
                }
                None => {
                    let body = record_in(&all, &ents[i].row)?;
                    let links: CLinks = postcard::from_bytes(body).map_err(|_| damaged())?;
                    Ok(keys.out_links(i, links.targets(), is_person))
                }
            })
            .collect();
        Ok((Some(keys), Links::All(out?)))
    }

    /// Writes the parsed notes' records, setting their positions in `ents`,
    /// and says which generation they are in. Records go to the end of the
    /// records file (a killed writer leaves bytes nobody points at); when
    /// more than half of the file is such dead weight, or there is no file
    /// yet, a new generation is written whole.
    fn save_records(&mut self, ents: &mut [Ent], old_gen: Option<u64>) -> std::io::Result<u64> {
        use std::io::Seek;
        let dir = vault::cache_dir(&self.root);
        std::fs::create_dir_all(&dir)?;
        let pending: Vec<(usize, Vec<u8>)> = self
            .fresh
            .par_iter()
            .map(|(i, n)| (*i, encode_record(n)))
            .collect();
        let fresh_bytes: u64 = pending.iter().map(|(_, b)| b.len() as u64).sum();
        let live: u64 = ents
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.fresh.contains_key(i))
            .map(|(_, e)| u64::from(e.row.len))
            .sum::<u64>()
            + fresh_bytes;
        let file_len = match (&self.records, old_gen) {
            (Some(f), Some(_)) => Some(f.metadata()?.len()),
            _ => None,
        };
        let append = file_len.is_some_and(|len| len + fresh_bytes <= 2 * live + (1 << 20));
        if append && let Some(g) = old_gen {
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
                if let Some(e) = ents.get_mut(i) {
                    e.row.at = start + off;
                    e.row.len = u32::try_from(len).unwrap_or(u32::MAX);
                    e.row.sum = sum;
                }
            }
            return Ok(g);
        }
        // Now, not the as-of time: a watcher saves many times as of its
        // last walk, and a new generation must never reuse a name.
        let generation = (now_ns() as u64) ^ u64::from(std::process::id()).rotate_left(40);
        let old = match &self.records {
            Some(f) if self.fresh.len() < ents.len() => {
                read_all(f, records_extent(ents.iter().map(|e| e.row)))
                    .map_err(std::io::Error::other)?
            }
            _ => Vec::new(),
        };
        let mut by_note: Vec<Option<Vec<u8>>> = vec![None; ents.len()];
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
            for (i, e) in ents.iter_mut().enumerate() {
                let body: &[u8] = match &by_note[i] {
                    Some(b) => b,
                    None => record_in(&old, &e.row).map_err(std::io::Error::other)?,
                };
                w.write_all(body)?;
                e.row.sum = content_hash(body);
                e.row.len = u32::try_from(body.len()).unwrap_or(u32::MAX);
                e.row.at = at;
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
        Ok(generation)
    }

    /// Writes the directory, pointing at records `generation`, atomically
    /// (temp file + rename): a reader sees the old model or the new one,
    /// never half of one.
    fn save_dir(&mut self, as_of_ns: i64, generation: u64) -> std::io::Result<()> {
        let dir = vault::cache_dir(&self.root);
        let body = self.dir.body();
        remove_dead_temporaries(&dir);
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".model-{}-", std::process::id()))
            .tempfile_in(&dir)?;
        tmp.as_file_mut()
            .write_all(&header(as_of_ns, generation, body))?;
        tmp.as_file_mut().write_all(body)?;
        vault::clear_cache_slot(&model_file(&self.root));
        let file = tmp.persist(model_file(&self.root)).map_err(|e| e.error)?;
        // Taken on our own handle after the rename (which moves the ctime):
        // a file put in its place since is not this one.
        let id = FileId::of(&file.metadata()?);
        self.on_disk = Some(OnDisk {
            id,
            generation,
            as_of_ns,
        });
        // Replaced generations are swept once nobody can be reading them
        // (another process may still hold the one just replaced).
        sweep(&self.root, generation);
        Ok(())
    }

    /// How many notes the vault has.
    pub fn len(&self) -> usize {
        self.dir.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dir.len() == 0
    }

    fn hashes(&self) -> Vec<u64> {
        (0..self.dir.len()).map(|i| self.dir.row(i).hash).collect()
    }

    /// Each note's path (as bytes) and content hash, in the directory's
    /// order (0: unknown): what caches derived from the whole vault key on,
    /// known without decoding a record.
    pub fn sources(&self) -> impl Iterator<Item = (&[u8], u64)> {
        (0..self.dir.len()).map(|i| (self.dir.path_bytes(i), self.dir.row(i).hash))
    }

    /// What every command warns about, without a vault: the config's and
    /// the walk's problems, and the notes with errors, whole (only their
    /// records decoded). For a command answering from a cache.
    pub fn warnings(&self) -> (&[Diagnostic], Vec<Note>) {
        let notes = self
            .dir
            .broken()
            .into_iter()
            .filter_map(|i| {
                if let Some(n) = self.fresh.get(&i) {
                    return Some(n.clone());
                }
                let f = self.records.as_ref()?;
                read_record(f, &self.dir.row(i))
                    .and_then(|b| decode_note(&b, PathBuf::from(self.dir.path(i))))
                    .ok()
            })
            .collect();
        (&self.problems, notes)
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
    /// front matter and findings cut down to what `keep` keeps: for a
    /// command that reads the typed fields and these only. Each record is
    /// cut as it is decoded (what is cut is never decoded), so the cut
    /// values never sit in memory.
    pub fn into_vault_keeping(mut self, keep: Option<&Keep>) -> std::result::Result<Vault, String> {
        let t = std::time::Instant::now();
        let n = self.dir.len();
        // The notes parsed in this pass (one, after an edit), by chunk.
        let mut fresh: Vec<Vec<(usize, Note)>> =
            (0..n.div_ceil(DECODE_CHUNK)).map(|_| Vec::new()).collect();
        for (i, note) in std::mem::take(&mut self.fresh) {
            if let Some(c) = fresh.get_mut(i / DECODE_CHUNK) {
                c.push((i, note));
            }
        }
        let records = self.records.as_ref();
        let dir = &self.dir;
        // Each note decoded straight into its slot of the vault's notes (a
        // `Note` is 856 bytes: a slot per note for the parsed ones and
        // vectors per chunk copied into the vault's were 190 MB to fill
        // and free at 100k notes). Placeholders allocate nothing.
        let mut notes: Vec<Note> = (0..n)
            .map(|_| Note::bare(PathBuf::new(), crate::model::NoteKind::Other, String::new()))
            .collect();
        // Decoded a chunk of records at a time, each chunk's span read by
        // position: never the whole records file in memory at once (116 MB
        // at 100k people, on top of the decoded notes).
        notes
            .par_chunks_mut(DECODE_CHUNK)
            .zip(fresh.into_par_iter())
            .enumerate()
            .try_for_each(|(c, (out, fs))| {
                decode_chunk(records, fs, out, dir, c * DECODE_CHUNK, keep)
            })?;
        let hashes = self.hashes();
        let out_links = (0..n)
            .map(|i| self.dir.out_links(i).map(|j| j as usize).collect())
            .collect();
        let keys = self.dir.keys().ok_or_else(damaged)?;
        let (off, to) = self.dir.in_links_csr();
        let mut v = Vault::from_parts(
            self.root,
            self.config,
            notes,
            self.problems,
            keys,
            out_links,
        );
        v.set_linked_from(off, to);
        v.set_sources(hashes);
        trace(|| format!("model: decoded {n} notes in {:?}", t.elapsed()));
        Ok(v)
    }

    /// The vault with stand-ins for notes (identity and name keys only, see
    /// [`stub`]), except the notes parsed in this pass and those with
    /// errors (whose diagnostics every command warns about), which are
    /// whole. Lookups, link resolution and `linked_from` answer for the
    /// whole vault (the last straight from the directory's in-links); the
    /// out-links only for whole notes. Widen it with [`Model::widen`]
    /// before reading a note.
    pub fn focused(&mut self) -> Vault {
        let t = std::time::Instant::now();
        let n = self.dir.len();
        let mut parsed = std::mem::take(&mut self.fresh);
        self.parsed = parsed.keys().copied().collect();
        self.parsed.sort_unstable();
        let fresh: Vec<Option<Note>> = (0..n).map(|i| parsed.remove(&i)).collect();
        let dir = &self.dir;
        let notes: Vec<Note> = fresh
            .into_par_iter()
            .enumerate()
            .map(|(i, f)| match f {
                Some(note) => note,
                None => stub(dir.names(i), dir.row(i).kind),
            })
            .collect();
        trace(|| format!("model: stand-ins {:?}", t.elapsed()));
        let mut out_links = vec![Vec::new(); n];
        for &i in &self.parsed {
            out_links[i] = self.dir.out_links(i).map(|j| j as usize).collect();
        }
        let (off, to) = self.dir.in_links_csr();
        let mut v = Vault::from_parts(
            self.root.clone(),
            self.config.clone(),
            notes,
            std::mem::take(&mut self.problems),
            self.dir.keys().unwrap_or_default(),
            out_links,
        );
        v.set_linked_from(off, to);
        v.set_sources(self.hashes());
        trace(|| format!("model: vault {:?}", t.elapsed()));
        let broken = self.dir.broken();
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
                want.extend(self.dir.in_links(i).map(|j| j as usize));
            }
        }
        want.sort_unstable();
        want.dedup();
        // Notes parsed in this pass are whole already (and may have no
        // record, when the model could not be saved).
        want.retain(|i| *i < self.dir.len() && self.parsed.binary_search(i).is_err());
        if want.is_empty() {
            return;
        }
        let notes = self.decode(&want);
        for (i, _) in &notes {
            if let Some(slot) = v.out_links.get_mut(*i) {
                *slot = self.dir.out_links(*i).map(|j| j as usize).collect();
            }
        }
        v.replace_notes(notes);
    }
}

/// A person note as the directory names it (see [`Model::people`]).
pub struct PersonRef<'a> {
    pub idx: usize,
    pub path: &'a Path,
    pub name: &'a str,
    aliases: flat::Strs<'a>,
    emails: flat::Strs<'a>,
}

impl<'a> PersonRef<'a> {
    pub fn aliases(&self) -> impl Iterator<Item = &'a str> {
        self.aliases.iter()
    }

    pub fn emails(&self) -> impl Iterator<Item = &'a str> {
        self.emails.iter()
    }

    /// The note's file name without `.md`.
    pub fn stem(&self) -> &'a str {
        self.path.file_stem().and_then(|s| s.to_str()).unwrap_or("")
    }
}

impl Model {
    /// The vault folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every person note's names, from the directory (no note decoded).
    pub fn people(&self) -> impl Iterator<Item = PersonRef<'_>> {
        let dir = &self.dir;
        (0..dir.len()).filter_map(move |i| {
            let n = dir.names(i);
            let p = n.person?;
            Some(PersonRef {
                idx: i,
                path: n.path,
                name: p.name.unwrap_or(n.title),
                aliases: p.aliases.unwrap_or(n.aliases),
                emails: p.emails,
            })
        })
    }

    /// The kind of note `i`.
    pub fn kind(&self, i: usize) -> crate::model::NoteKind {
        record::kind_of(self.dir.row(i).kind)
    }

    /// The notes a name resolves to ([`Vault::resolve`]'s rule), from the
    /// directory's name keys.
    pub fn resolve(&self, target: &str) -> Vec<usize> {
        self.dir.key_get(&crate::text::fold(target))
    }

    /// The one person `query` means (the rules of [`crate::lookup::find`]),
    /// from the directory; `None` when no one or several fit: the caller
    /// then asks [`Model::focused`]'s vault, which says why in words.
    pub fn find_person(&self, query: &str) -> Option<usize> {
        use crate::lookup::{Candidate, Hits, Lookup, Query};
        let t = std::time::Instant::now();
        let q = Query::new(query)?;
        // In parts, in parallel, merged in order: one pass's answer.
        let hits = (0..self.dir.len())
            .into_par_iter()
            .chunks(4096)
            .map(|part| {
                let people: Vec<(PersonRef<'_>, Vec<String>, Vec<String>)> = part
                    .into_iter()
                    .filter_map(|i| {
                        // Most notes are ruled out on their raw bytes,
                        // without reading them as text.
                        if !q.may_match_raw(self.dir.names_bytes(i)) {
                            return None;
                        }
                        let n = self.dir.names(i);
                        let p = n.person?;
                        let aliases = p.aliases.unwrap_or(n.aliases);
                        let name = p.name.unwrap_or(n.title);
                        let stem = Path::new(n.path)
                            .file_stem()
                            .and_then(|s| s.to_str())
                            .unwrap_or("");
                        // Most people cannot be a hit: skip building them.
                        if !q.may_match(
                            std::iter::once(name).chain(aliases.iter()),
                            p.emails.iter(),
                            stem,
                        ) {
                            return None;
                        }
                        Some((
                            PersonRef {
                                idx: i,
                                path: n.path,
                                name: p.name.unwrap_or(n.title),
                                aliases,
                                emails: p.emails,
                            },
                            aliases.to_vec(),
                            p.emails.to_vec(),
                        ))
                    })
                    .collect();
                q.scan(people.iter().map(|(p, aliases, emails)| Candidate {
                    id: p.idx,
                    name: p.name,
                    aliases,
                    emails,
                    stem: p.stem(),
                }))
            })
            .reduce(Hits::default, Hits::merge);
        trace(|| format!("model: looked up `{query}` in {:?}", t.elapsed()));
        match Query::decide(hits) {
            Lookup::One(i) => Some(i),
            _ => None,
        }
    }

    /// A vault of only what a command about notes `want` reads: them whole,
    /// with `linkers` every note linking to them whole too, every note with
    /// errors whole (commands warn about them), and stand-ins (names only,
    /// see [`stub`]) for every note those link to. Returns it and where each
    /// of `want` is in it.
    ///
    /// Within it, a link target of a whole note resolves as in the whole
    /// vault: the note it resolves to there is among the stand-ins, and
    /// keeping the vault's order keeps the choice among equal names the
    /// same. A name typed by the user is looked up with
    /// [`Model::find_person`] or [`Model::resolve`] instead.
    pub fn focused_on(&self, want: &[usize], linkers: bool) -> (Vault, Vec<usize>) {
        let t = std::time::Instant::now();
        let n = self.dir.len();
        let mut whole: Vec<usize> = want.iter().copied().filter(|i| *i < n).collect();
        if linkers {
            for &i in want {
                whole.extend(self.dir.in_links(i).map(|j| j as usize));
            }
        }
        whole.extend(self.dir.broken());
        whole.sort_unstable();
        whole.dedup();
        let mut all = whole.clone();
        for &w in &whole {
            all.extend(self.dir.out_links(w).map(|j| j as usize));
        }
        all.sort_unstable();
        all.dedup();
        let local = |g: usize| all.binary_search(&g).ok();
        let need: Vec<usize> = whole
            .iter()
            .copied()
            .filter(|g| !self.fresh.contains_key(g))
            .collect();
        let mut decoded: FxHashMap<usize, Note> = self.decode(&need).into_iter().collect();
        let mut notes = Vec::with_capacity(all.len());
        for &g in &all {
            let is_whole = whole.binary_search(&g).is_ok();
            // A note parsed in this pass is kept (copied) for the next
            // call; one not asked for is a stand-in like the others: its
            // links' targets are not all here to resolve to.
            let note = match self.fresh.get(&g) {
                Some(f) if is_whole => f.clone(),
                _ => match decoded.remove(&g) {
                    Some(d) => d,
                    None => stub(self.dir.names(g), self.dir.row(g).kind),
                },
            };
            notes.push(note);
        }
        let out_links: Vec<Vec<usize>> = all
            .iter()
            .map(|&g| {
                if whole.binary_search(&g).is_ok() {
                    self.dir
                        .out_links(g)
                        .filter_map(|j| local(j as usize))
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        let keys = KeyIndex::build(notes.iter().enumerate().map(|(i, n)| {
            (
                i,
                n.title.as_str(),
                n.path.as_path(),
                n.aliases.iter().map(String::as_str),
            )
        }));
        let hashes = all.iter().map(|&g| self.dir.row(g).hash).collect();
        let mut v = Vault::from_parts(
            self.root.clone(),
            self.config.clone(),
            notes,
            self.problems.clone(),
            keys,
            out_links,
        );
        v.set_sources(hashes);
        let at: Vec<usize> = want.iter().filter_map(|g| local(*g)).collect();
        trace(|| {
            format!(
                "model: focused on {} notes ({} whole) in {:?}",
                all.len(),
                whole.len(),
                t.elapsed()
            )
        });
        (v, at)
    }

    /// Notes `idxs` decoded from their records; a record that cannot be
    /// read has the model rebuilt for the next command and its note parsed
    /// from the file for this one.
    fn decode(&self, idxs: &[usize]) -> Vec<(usize, Note)> {
        let decoded: Vec<(usize, std::result::Result<Note, String>)> = idxs
            .par_iter()
            .map(|&i| {
                let path = PathBuf::from(self.dir.path(i));
                let note = match &self.records {
                    Some(f) => read_record(f, &self.dir.row(i)).and_then(|b| decode_note(&b, path)),
                    None => Err(damaged()),
                };
                (i, note)
            })
            .collect();
        let mut notes = Vec::with_capacity(decoded.len());
        for (i, r) in decoded {
            match r {
                Ok(n) => notes.push((i, n)),
                Err(why) => {
                    // Once per model: a command that decodes twice (`show`)
                    // met the same damage again and rebuilt it again.
                    if !self
                        .rebuilt_after_damage
                        .swap(true, std::sync::atomic::Ordering::Relaxed)
                    {
                        // This answer reads the note itself; the model is
                        // built again for the next command.
                        let _ = Self::rebuild(&self.root, &why);
                    }
                    let rel = PathBuf::from(self.dir.path(i));
                    notes.push((i, parse_lean_note(vault::load_note(&self.root, &rel))));
                }
            }
        }
        notes
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
    /// The inode's change time: unlike the mtime, nobody can set it back,
    /// so a file rewritten in place with its mtime restored (`touch -r`,
    /// `rsync -t --inplace`, a backup tool) is not the one vouched for.
    #[serde(default)]
    pub ctime_ns: i64,
}

impl FileId {
    fn of(m: &std::fs::Metadata) -> FileId {
        let s = Stamp::of(m);
        FileId {
            size: s.size,
            mtime_ns: s.mtime_ns,
            ino: s.ino,
            ctime_ns: s.ctime_ns,
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
    // The header first: a file whose length is not the one its header
    // gives (grown in place: a sparse `truncate -s 100G`, junk appended) is
    // refused from its header alone, never read whole into memory.
    let mut head = Vec::new();
    (&f).take(HEAD_MAX).read_to_end(&mut head)?;
    if head.len() as u64 == len || expected_len(&head).is_some_and(|want| want != len) {
        return Ok(Some((head, id)));
    }
    Ok(Some((vault::read_opened_cache_file(f, len)?, id)))
}

/// The longest header of a model file (see [`header`]).
const HEAD_MAX: u64 = 8 + 4 + 1 + 255 + 8 + 8 + 8 + 8;

/// The whole length of the model file whose first bytes are `head`, as
/// its header gives it; `None` when the header does not read (the whole
/// file is then read and refused as damaged, or as of another format).
fn expected_len(head: &[u8]) -> Option<u64> {
    let r = head.strip_prefix(MAGIC.as_slice())?;
    let format = u32::from_le_bytes(r.get(..4)?.try_into().ok()?);
    if format != FORMAT {
        return None;
    }
    let vlen = *r.get(4)? as usize;
    let at = 5 + vlen + 16;
    let body = u64::from_le_bytes(r.get(at..at + 8)?.try_into().ok()?);
    let header = (MAGIC.len() + at + 16) as u64;
    Some(header.saturating_add(body))
}

/// The model file a watcher vouched for, read whole but not checked
/// again (the watcher wrote it and checked it). Read, not mapped: a mapped
/// file truncated in place by anyone (a backup tool, `truncate`, a disk
/// cleaner) kills the command with SIGBUS, with no message, and the
/// watcher's warming thread with it; a read only ever sees a short file,
/// refused like any damaged one. `None` when it is not that file.
fn read_vouched(file: &Path, want: FileId) -> Option<(Buf, FileId)> {
    let (bytes, id) = read_model(file, Some(want)).ok()??;
    Some((Buf::Heap(bytes), id))
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
        let (bytes, id) = read_vouched(&model_file(root), id)?;
        let head = decode_head_as(bytes, false).ok()?;
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
            fresh: FxHashMap::default(),
            records: Some(records),
            parsed: Vec::new(),
            rebuilt_after_damage: std::sync::atomic::AtomicBool::new(false),
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
        let dir = &self.dir;
        let mut walked: Vec<(PathBuf, Stamp)> = (0..dir.len())
            .filter(|j| !asked.contains(dir.path(*j)))
            .map(|j| (PathBuf::from(dir.path(j)), dir.row(j).stamp))
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
        let (mut d, prev_of) = diff_sorted(&walked, &self.dir, i64::MAX);
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
pub fn entry_text_from(bytes: &[u8], span: (u32, u32), expect_hash: u64) -> Option<String> {
    if expect_hash != 0 && content_hash(bytes) != expect_hash {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Some(vault::slice_entry(&String::from_utf8_lossy(bytes), span))
}

#[cfg(test)]
mod tests;
