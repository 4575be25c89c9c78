//! The search index: a tantivy index in `.kith/cache/index/`, a disposable cache.
//!
//! One document per note and one per log entry. Every read command syncs it
//! first: a walk of the vault is compared with the indexed (size, mtime) of
//! each note, and only what changed is re-parsed (in parallel) and re-added,
//! in one commit. The index is never a problem the user has to fix: missing,
//! built by an older schema, or corrupt, it is rebuilt (and kith says so once).
//! If another process holds the writer (e.g. `kith watch`), commands answer
//! from the index as it is.
//!
//! This is the only module that imports tantivy.

mod lifecycle;
mod schema;
pub mod search;
mod snippet;

use crate::error::{Error, Result};
use crate::note::{self, Note};
use crate::vault;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use schema::Fields;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::{Index as TIndex, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use search::{Hit, SearchQuery};

/// Bump when the schema or what goes into documents changes: the index is
/// then rebuilt on next use.
pub const SCHEMA_VERSION: u32 = 3;

/// Writer memory for large builds; small syncs use the minimum.
const BIG_WRITER_BYTES: usize = 64_000_000;
const SMALL_WRITER_BYTES: usize = 20_000_000;

pub fn index_dir(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("index")
}

const VERSION_FILE: &str = "kith-schema-version";
/// A fresh id written into every index kith builds: a process that found the
/// index damaged rebuilds it only if nobody replaced it meanwhile.
const BUILD_FILE: &str = "kith-build";

fn read_build(root: &Path) -> Option<String> {
    std::fs::read_to_string(index_dir(root).join(BUILD_FILE)).ok()
}

/// How long a command waits for another process's index write before it
/// answers from the index as it is (and says the results may be stale).
const COMMAND_WAIT: Duration = Duration::from_secs(3);
/// The watcher waits longer: it has nobody waiting on it.
pub const WATCHER_WAIT: Duration = Duration::from_secs(30);

/// For tests only: `KITH_TEST_TRUST_WATCHER=1` makes commands skip their own
/// freshness walk and read the index as the watcher left it, so a test can
/// tell a working watcher from one that does nothing.
fn trust_watcher_only() -> bool {
    std::env::var_os("KITH_TEST_TRUST_WATCHER").is_some_and(|v| v == "1")
}

/// What a sync did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SyncReport {
    /// Notes walked.
    pub notes: usize,
    /// Notes (re-)indexed.
    pub indexed: usize,
    /// Notes removed from the index.
    pub removed: usize,
    /// Notes whose size or time changed but whose content did not (not re-indexed).
    pub touched: usize,
    /// Documents (notes and entries) written.
    pub documents: usize,
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
    /// The writer was held by another process: the index was read as it is.
    pub locked: bool,
    /// Notes that could not be read: their previous version (if any) stays.
    pub unreadable: Vec<PathBuf>,
    pub millis: u128,
}

impl SyncReport {
    /// Says on stderr what a user of the answer should know.
    fn tell(&self) {
        if let Some(why) = &self.rebuilt {
            eprintln!("kith: rebuilt the search index because {why}");
        }
        if self.locked {
            eprintln!(
                "kith: another kith process is still updating the search index; these results may be stale"
            );
        }
    }
}

/// One indexed note's change key: (size, mtime) decide whether to look
/// closer; the content hash whether it really changed.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    size: u64,
    mtime_ns: i64,
    /// FNV-1a of the file's bytes; 0 when not known.
    hash: u64,
}

impl Stamp {
    fn same_file(&self, other: &Stamp) -> bool {
        self.size == other.size && self.mtime_ns == other.mtime_ns
    }
}

/// FNV-1a, 64 bits: fast, and only has to tell "same bytes" from "changed".
fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

pub struct Index {
    root: PathBuf,
    index: TIndex,
    reader: IndexReader,
    fields: Fields,
    /// Set when the index had to be rebuilt on open.
    rebuilt: Option<String>,
    /// Vault-relative paths never indexed (e.g. the watcher's own digest file).
    skip: std::collections::HashSet<PathBuf>,
    /// The build id of the folder opened (see [`BUILD_FILE`]).
    build: Option<String>,
    /// The commit the reader was opened at, when known for sure.
    opened_at: Option<u64>,
}

impl Index {
    /// Opens the vault's index, creating or rebuilding it when missing, built by
    /// another schema version, or unreadable (a panic inside tantivy included).
    pub fn open(root: &Path) -> Result<Index> {
        let build = read_build(root);
        match lifecycle::quietly(|| Index::try_open(root)) {
            Ok(Ok(i)) => Ok(i),
            Ok(Err(reason)) => Index::recreate(root, reason, build),
            Err(panic) => Index::recreate(root, format!("it was damaged ({panic})"), build),
        }
    }

    fn try_open(root: &Path) -> std::result::Result<Index, String> {
        let cache = vault::cache_dir(root);
        if std::fs::symlink_metadata(&cache).is_ok() && !cache.is_dir() {
            return Err(format!("{} was not a folder", cache.display()));
        }
        let dir = index_dir(root);
        if std::fs::symlink_metadata(&dir).is_ok() && !dir.is_dir() {
            return Err("its folder was a file or a dangling symlink".into());
        }
        if !dir.join("meta.json").exists() {
            return Err(if dir.exists() {
                "its meta.json was missing".into()
            } else {
                String::new()
            });
        }
        let version = std::fs::read_to_string(dir.join(VERSION_FILE)).unwrap_or_default();
        if version.trim() != SCHEMA_VERSION.to_string() {
            return Err("it was built by another version of kith".into());
        }
        let mmap =
            MmapDirectory::open(&dir).map_err(|e| format!("it could not be opened ({e})"))?;
        let index = TIndex::open(mmap).map_err(|e| format!("it could not be opened ({e})"))?;
        let fields = Fields::from_schema(&index.schema()).ok_or("its schema was unexpected")?;
        schema::register_tokenizer(&index);
        let opened_at = index.load_metas().ok().map(|m| m.opstamp);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| format!("it could not be read ({e})"))?;
        Ok(Index {
            root: root.to_path_buf(),
            index,
            reader,
            fields,
            rebuilt: None,
            skip: Default::default(),
            build: read_build(root),
            opened_at,
        })
    }

    /// Builds an empty index in a private folder and renames it into place,
    /// under a lock, so no process ever sees a half-made index and two
    /// processes never rebuild at once. `damaged` is the build id of the
    /// index judged unusable: if another process replaced it meanwhile, that
    /// one is used instead.
    fn recreate(root: &Path, reason: String, damaged: Option<String>) -> Result<Index> {
        let cache = vault::cache_dir(root);
        lifecycle::ensure_dir(&cache)?;
        let _lock = lifecycle::FileLock::exclusive(&cache.join("index.lock"))?;
        let now = read_build(root);
        if now.is_some()
            && now != damaged
            && let Ok(Ok(i)) = lifecycle::quietly(|| Index::try_open(root))
        {
            return Ok(i);
        }
        lifecycle::remove_leftovers(&cache);
        let tmp = cache.join(lifecycle::unique("index.new-"));
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        {
            let (schema, _) = schema::build();
            let mmap = MmapDirectory::open(&tmp).map_err(|e| Error::Index(e.to_string()))?;
            TIndex::create(mmap, schema, tantivy::IndexSettings::default()).map_err(tantivy_err)?;
        }
        for (name, text) in [
            (VERSION_FILE, SCHEMA_VERSION.to_string()),
            (BUILD_FILE, lifecycle::unique("")),
        ] {
            std::fs::write(tmp.join(name), text).map_err(|e| Error::io(tmp.join(name), e))?;
        }
        let dir = index_dir(root);
        lifecycle::remove_aside(&dir, &cache)?;
        std::fs::rename(&tmp, &dir).map_err(|e| Error::io(&dir, e))?;
        let mut i = Index::try_open(root).map_err(Error::Index)?;
        i.rebuilt = (!reason.is_empty()).then_some(reason);
        Ok(i)
    }

    /// Throws the index away and builds it again from the notes.
    pub fn rebuild(root: &Path) -> Result<Index> {
        Index::recreate(root, String::new(), read_build(root))
    }

    /// Opens the index and brings it level with the vault, unless a healthy
    /// `kith watch` has just flushed (then the walk is skipped). A damaged
    /// index (an error or a panic while syncing) is rebuilt once; the reason is
    /// printed once. If another process keeps the writer longer than a
    /// command waits, the index is read as it is and stderr says so.
    ///
    /// `flush` asks a running watcher to commit what it has seen (the
    /// caller passes `watch::flush`): the watcher drives the index, so the
    /// index must not call back into the watcher itself.
    pub fn open_synced(
        root: &Path,
        progress: bool,
        flush: impl Fn(&Path) -> bool,
    ) -> Result<(Index, SyncReport)> {
        let t0 = Instant::now();
        let idx = Index::open(root)?;
        let t_open = t0.elapsed();
        if trust_watcher_only() {
            if !flush(root) {
                eprintln!("kith: no watcher answered the flush; the index was read as it is");
            }
            idx.reader.reload().map_err(tantivy_err)?;
            return Ok((idx, SyncReport::default()));
        }
        let flushed = idx.rebuilt.is_none() && flush(root);
        if std::env::var_os("KITH_TRACE").is_some() {
            eprintln!(
                "trace: open {t_open:?}, flush {:?} ({flushed})",
                t0.elapsed() - t_open
            );
        }
        if flushed {
            // The watcher committed what was pending: read its latest commit.
            idx.reader.reload().map_err(tantivy_err)?;
            return Ok((idx, SyncReport::default()));
        }
        let (idx, report) = idx.sync_or_rebuild(root, progress)?;
        report.tell();
        Ok((idx, report))
    }

    /// Syncs; a tantivy error or panic on the way means the index is damaged,
    /// and it is rebuilt once (saying why) instead.
    fn sync_or_rebuild(mut self, root: &Path, progress: bool) -> Result<(Index, SyncReport)> {
        let why = match lifecycle::quietly(|| self.sync(progress)) {
            Ok(Ok(r)) => return Ok((self, r)),
            Ok(Err(e)) => e.to_string(),
            Err(panic) => panic,
        };
        let build = self.build.take();
        drop(self);
        Index::rebuild_synced(root, format!("it was damaged ({why})"), build, progress)
    }

    /// For `kith index`: syncs by walking (never trusting a watcher), then
    /// checks the whole index while holding the writer (so no other process
    /// changes files under the check); a damaged index is rebuilt once. Never
    /// reports success on a broken index.
    pub fn sync_verified(
        root: &Path,
        rebuild: bool,
        progress: bool,
    ) -> Result<(Index, SyncReport)> {
        let mut idx = if rebuild {
            Index::rebuild(root)?
        } else {
            Index::open(root)?
        };
        let mut report;
        (idx, report) = idx.sync_or_rebuild(root, progress)?;
        if !report.locked {
            let problem = match idx.wait_writer(COMMAND_WAIT)? {
                Some(guard) => {
                    idx.opened_at = idx.opstamp();
                    idx.reader.reload().map_err(tantivy_err)?;
                    let r = idx.verify();
                    drop(guard);
                    r.err()
                }
                None => {
                    report.locked = true;
                    None
                }
            };
            if let Some(e) = problem {
                let build = idx.build.take();
                drop(idx);
                let (fresh, mut r) =
                    Index::rebuild_synced(root, format!("it was damaged ({e})"), build, progress)?;
                fresh.verify()?;
                r.rebuilt
                    .get_or_insert_with(|| format!("it was damaged ({e})"));
                report = r;
                idx = fresh;
            }
        }
        report.tell();
        Ok((idx, report))
    }

    /// Rebuilds a damaged index (unless another process already did) and syncs it.
    fn rebuild_synced(
        root: &Path,
        reason: String,
        damaged: Option<String>,
        progress: bool,
    ) -> Result<(Index, SyncReport)> {
        let mut fresh = Index::recreate(root, reason, damaged)?;
        let r = lifecycle::quietly(|| fresh.sync(progress))
            .map_err(|p| Error::Index(format!("even a fresh index failed ({p})")))??;
        Ok((fresh, r))
    }

    /// The writer, or `None` at once if another process holds it.
    fn try_writer(&self, bytes: usize) -> Result<Option<IndexWriter<TantivyDocument>>> {
        let threads = if bytes >= BIG_WRITER_BYTES { 2 } else { 1 };
        match self.index.writer_with_num_threads(threads, bytes) {
            Ok(w) => Ok(Some(w)),
            Err(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            )) => Ok(None),
            Err(e) => Err(tantivy_err(e)),
        }
    }

    /// The writer, waiting (with back-off) at most `wait` for another process
    /// to release it.
    fn wait_writer(&self, wait: Duration) -> Result<Option<IndexWriter<TantivyDocument>>> {
        lifecycle::with_backoff(wait, || self.try_writer(SMALL_WRITER_BYTES))
    }

    /// Searches, and if the index turns out damaged while answering (an error
    /// or a panic inside tantivy), rebuilds it once, says so and answers again.
    pub fn search_repairing(self, q: &SearchQuery, progress: bool) -> Result<Vec<Hit>> {
        let first = lifecycle::quietly(|| self.search(q));
        let reason = match first {
            Ok(Ok(hits)) => return Ok(hits),
            Ok(Err(e)) => format!("it was damaged ({e})"),
            Err(panic) => format!("it was damaged ({panic})"),
        };
        let root = self.root.clone();
        let build = self.build.clone();
        drop(self);
        let (fresh, report) = Index::rebuild_synced(&root, reason, build, progress)?;
        report.tell();
        lifecycle::quietly(|| fresh.search(q))
            .map_err(|p| Error::Index(format!("even a fresh index failed ({p})")))?
    }

    /// Checks every file of the index against its checksum and the number of
    /// notes against the stamp log; an error names what is wrong. For
    /// `kith index`, which must never report success on a broken index.
    pub fn verify(&self) -> Result<()> {
        let bad = lifecycle::quietly(|| self.index.validate_checksum())
            .map_err(Error::Index)?
            .map_err(tantivy_err)?;
        if let Some(f) = bad.iter().next() {
            return Err(Error::Index(format!("{} failed its checksum", f.display())));
        }
        let text = self.stamp_log();
        if let Some(log) = text.as_deref().and_then(parse_stamp_log) {
            self.check_complete(&log, self.opstamp())?;
        }
        // Read every segment once: a missing or unreadable file shows here.
        let searcher = self.reader.searcher();
        lifecycle::quietly(|| -> Result<()> {
            for seg in searcher.segment_readers() {
                for (field, entry) in self.index.schema().fields() {
                    if entry.is_indexed() {
                        seg.inverted_index(field).map_err(tantivy_err)?;
                    }
                }
                if seg.max_doc() > 0 {
                    let store = seg
                        .get_store_reader(1)
                        .map_err(|e| Error::io(index_dir(&self.root), e))?;
                    store
                        .get::<TantivyDocument>(seg.max_doc() - 1)
                        .map_err(tantivy_err)?;
                }
            }
            Ok(())
        })
        .map_err(Error::Index)??;
        Ok(())
    }

    /// When the stamp log and the reader are at the same commit, the index must
    /// hold one note document per logged note; fewer (a `meta.json` that lost
    /// segments) would silently answer with nothing.
    fn check_complete(&self, log: &StampLog<'_>, now: Option<u64>) -> Result<()> {
        if self.opened_at.is_none() || now != self.opened_at || Some(log.opstamp) != now {
            return Ok(());
        }
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.doc, "note"),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let n = searcher
            .search(&q, &tantivy::collector::Count)
            .map_err(tantivy_err)?;
        if n != log.map.len() {
            return Err(Error::Index(format!(
                "it holds {n} notes where {} were indexed",
                log.map.len()
            )));
        }
        Ok(())
    }

    /// The (size, mtime) of every indexed note, read from fast fields.
    fn stamps(&self) -> Result<HashMap<PathBuf, Stamp>> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let sizes = ff.u64("size").map_err(tantivy_err)?;
            let mtimes = ff.i64("mtime").map_err(tantivy_err)?;
            let hashes = ff.u64("hash").map_err(tantivy_err)?;
            let Some(paths) = ff.str("path").map_err(tantivy_err)? else {
                continue;
            };
            // Read the path dictionary once, in ordinal order.
            let mut names: Vec<String> = Vec::with_capacity(paths.num_terms());
            let mut stream = paths
                .dictionary()
                .stream()
                .map_err(|e| Error::Index(e.to_string()))?;
            while stream.advance() {
                names.push(String::from_utf8_lossy(stream.key()).into_owned());
            }
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let (Some(size), Some(mtime), Some(ord)) =
                    (sizes.first(doc), mtimes.first(doc), paths.ords().first(doc))
                else {
                    continue;
                };
                if let Some(p) = names.get(ord as usize) {
                    out.insert(
                        PathBuf::from(p),
                        Stamp {
                            size,
                            mtime_ns: mtime,
                            hash: hashes.first(doc).unwrap_or(0),
                        },
                    );
                }
            }
        }
        Ok(out)
    }

    fn stamp_file(&self) -> PathBuf {
        index_dir(&self.root).join("kith-stamps")
    }

    /// The change keys as saved after the last commit, if they belong to the
    /// commit the index is at now (else `None`, and fast fields are read).
    /// The file is a log: `size\tmtime\thash\tpath` adds or updates,
    /// `-\tpath` removes, `@opstamp` marks a commit; it is compacted when it
    /// grows. Returns the text; [`parse_stamp_log`] borrows from it.
    fn stamp_log(&self) -> Option<String> {
        std::fs::read_to_string(self.stamp_file()).ok()
    }

    fn cached_stamps(&self) -> Option<(HashMap<PathBuf, Stamp>, usize)> {
        let text = self.stamp_log()?;
        let log = parse_stamp_log(&text)?;
        (log.opstamp == self.opstamp()?).then(|| (log.owned(), log.lines))
    }

    fn opstamp(&self) -> Option<u64> {
        self.index.load_metas().ok().map(|m| m.opstamp)
    }

    /// Rewrites the whole stamp log.
    fn save_stamps(&self, map: &HashMap<PathBuf, Stamp>, op: Option<u64>) {
        let Some(op) = op else { return };
        let mut out = String::with_capacity(map.len() * 64);
        for (p, st) in map {
            push_stamp(&mut out, p, *st);
        }
        out.push_str(&format!("@{op}\n"));
        // A cache of a cache, checked against the index's commit when read:
        // no fsync, and failing to write it only costs speed.
        let file = self.stamp_file();
        let tmp = file.with_file_name(lifecycle::unique("kith-stamps.tmp-"));
        if std::fs::write(&tmp, out).is_err() || std::fs::rename(&tmp, &file).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Appends one commit's changes to a stamp log that was valid before it.
    fn append_stamps(
        &self,
        changed: &HashMap<PathBuf, Stamp>,
        changed_paths: &[PathBuf],
        removed: &[PathBuf],
        op: Option<u64>,
    ) {
        use std::io::Write as _;
        let Some(op) = op else { return };
        let mut out = String::new();
        for p in removed {
            out.push_str(&format!("-\t{}\n", p.to_string_lossy()));
        }
        for p in changed_paths {
            if let Some(st) = changed.get(p) {
                push_stamp(&mut out, p, *st);
            }
        }
        out.push_str(&format!("@{op}\n"));
        let ok = std::fs::OpenOptions::new()
            .append(true)
            .open(self.stamp_file())
            .and_then(|mut f| f.write_all(out.as_bytes()));
        if ok.is_err() {
            let _ = std::fs::remove_file(self.stamp_file());
        }
    }

    /// Records the stamps after commit `op` (the one this process made, or
    /// the one its reader saw: a log labelled with another process's later
    /// commit is then simply not trusted): appended when the log was valid and
    /// the change small, else rewritten (which also compacts it).
    fn record_stamps(
        &self,
        all: &HashMap<PathBuf, Stamp>,
        log_lines: Option<usize>,
        new: &HashMap<PathBuf, Stamp>,
        changed: &[PathBuf],
        removed: &[PathBuf],
        op: Option<u64>,
    ) {
        match log_lines {
            Some(lines) if lines + changed.len() + removed.len() < 2 * all.len() + 1000 => {
                self.append_stamps(new, changed, removed, op)
            }
            _ => self.save_stamps(all, op),
        }
    }

    fn current_stamps(&self) -> Result<(HashMap<PathBuf, Stamp>, Option<usize>)> {
        match self.cached_stamps() {
            Some((m, lines)) => Ok((m, Some(lines))),
            None => Ok((self.stamps()?, None)),
        }
    }

    /// Walks the vault and re-indexes what changed since the last sync. If
    /// another process holds the writer, waits for it (a command briefly, see
    /// [`COMMAND_WAIT`]) and looks again: that process has usually done the
    /// work already.
    pub fn sync(&mut self, progress: bool) -> Result<SyncReport> {
        self.sync_waiting(progress, COMMAND_WAIT)
    }

    /// [`Index::sync`] with a chosen wait for the writer.
    pub fn sync_waiting(&mut self, progress: bool, wait: Duration) -> Result<SyncReport> {
        let started = Instant::now();
        let mut held = None;
        loop {
            let mut r = self.sync_once(progress, &mut held)?;
            if r.locked {
                let left = wait.saturating_sub(started.elapsed());
                if let Some(w) = self.wait_writer(left)? {
                    // The other process committed: read its commit, then look again.
                    held = Some(w);
                    self.opened_at = self.opstamp();
                    self.reader.reload().map_err(tantivy_err)?;
                    continue;
                }
            }
            r.millis = started.elapsed().as_millis();
            return Ok(r);
        }
    }

    fn sync_once(
        &mut self,
        progress: bool,
        held: &mut Option<IndexWriter<TantivyDocument>>,
    ) -> Result<SyncReport> {
        let held = held.take();
        let started = Instant::now();
        let mut walked = walk_stamps(&self.root);
        walked.retain(|(p, _)| !self.skip.contains(p));
        let t_walk = started.elapsed();
        // The common case, nothing changed: compare with the saved log as
        // read, borrowing its paths, and stop there.
        let text = self.stamp_log();
        let now = self.opstamp();
        let log = text
            .as_deref()
            .and_then(parse_stamp_log)
            .filter(|log| Some(log.opstamp) == now);
        let trace = std::env::var_os("KITH_TRACE").is_some();
        if trace {
            eprintln!(
                "trace: walk {:?}, stamps {:?}",
                t_walk,
                started.elapsed() - t_walk
            );
        }
        if let Some(log) = &log {
            self.check_complete(log, now)?;
        }
        if self.rebuilt.is_none() && log.as_ref().is_some_and(|l| l.matches(&walked)) {
            return Ok(SyncReport {
                notes: walked.len(),
                ..SyncReport::default()
            });
        }
        let (mut indexed, cached) = match log {
            Some(log) => (log.owned(), Some(log.lines)),
            None => (self.stamps()?, None),
        };
        drop(text);
        let candidates: Vec<PathBuf> = walked
            .iter()
            .filter(|(rel, st)| indexed.get(rel).is_none_or(|old| !old.same_file(st)))
            .map(|(rel, _)| rel.clone())
            .collect();
        // Size or time changed: hash the content (in parallel) to see whether
        // it really did; a touched-but-identical note is not re-indexed.
        let (hashes, unreadable) = self.hash_files(&candidates);
        let mut changed: Vec<PathBuf> = Vec::new();
        let mut touched: Vec<PathBuf> = Vec::new();
        for rel in candidates {
            let Some(h) = hashes.get(&rel).copied() else {
                // Unreadable (or gone since the walk): keep what is indexed.
                continue;
            };
            match indexed.get(&rel) {
                Some(old) if old.hash != 0 && old.hash == h => touched.push(rel),
                _ => changed.push(rel),
            }
        }
        for (rel, st) in walked.iter_mut() {
            if let Some(h) = hashes.get(rel) {
                st.hash = *h;
            }
        }
        let walked_set: std::collections::HashSet<&PathBuf> =
            walked.iter().map(|(p, _)| p).collect();
        let removed: Vec<PathBuf> = indexed
            .keys()
            .filter(|p| !walked_set.contains(p))
            .cloned()
            .collect();
        let mut report = SyncReport {
            notes: walked.len(),
            rebuilt: self.rebuilt.take(),
            touched: touched.len(),
            unreadable,
            ..SyncReport::default()
        };
        if changed.is_empty() && removed.is_empty() && !touched.is_empty() {
            // Only times moved: record the new stamps, no index write.
            let stamps: HashMap<PathBuf, Stamp> = walked.into_iter().collect();
            for p in &touched {
                if let Some(st) = stamps.get(p) {
                    indexed.insert(p.clone(), *st);
                }
            }
            self.record_stamps(&indexed, cached, &stamps, &touched, &[], self.opened_at);
        } else if !changed.is_empty() || !removed.is_empty() {
            let big = changed.len() > 2000;
            let stamps: HashMap<PathBuf, Stamp> = walked.into_iter().collect();
            let n = self.write_changes(held, &changed, &removed, &stamps, progress && big, big)?;
            match n {
                None => report.locked = true,
                Some(w) => {
                    report.indexed = changed.len() - w.skipped.len();
                    report.removed = removed.len();
                    report.documents = w.docs;
                    report.unreadable.extend(w.skipped.iter().cloned());
                    for p in &removed {
                        indexed.remove(p);
                    }
                    let mut updated: Vec<PathBuf> = changed
                        .iter()
                        .filter(|p| !w.skipped.contains(p))
                        .cloned()
                        .collect();
                    updated.extend(touched.iter().cloned());
                    for p in &updated {
                        if let Some(st) = stamps.get(p) {
                            indexed.insert(p.clone(), *st);
                        }
                    }
                    self.record_stamps(&indexed, cached, &stamps, &updated, &removed, w.opstamp);
                }
            }
        } else if cached.is_none() {
            self.save_stamps(&indexed, self.opened_at);
        }
        Ok(report)
    }

    /// Re-indexes just these vault-relative paths (present: re-read; gone:
    /// removed), in one commit. For the watcher, which waits up to
    /// [`WATCHER_WAIT`] for a command holding the writer. Returns the number of
    /// paths changed, or `None` if the writer stayed busy.
    pub fn sync_paths(&mut self, rels: &[PathBuf]) -> Result<Option<usize>> {
        let Some(writer) = self.wait_writer(WATCHER_WAIT)? else {
            return Ok(None);
        };
        // Holding the writer, the reader and stamp log are those of the last commit.
        self.opened_at = self.opstamp();
        self.reader.reload().map_err(tantivy_err)?;
        let mut present = Vec::new();
        let mut gone = Vec::new();
        let mut stamps = HashMap::new();
        for rel in rels {
            match std::fs::metadata(self.root.join(rel)) {
                Ok(m) if m.is_file() && vault::is_note_path(rel) && !self.skip.contains(rel) => {
                    stamps.insert(rel.clone(), stamp_of(&m));
                    present.push(rel.clone());
                }
                _ => gone.push(rel.clone()),
            }
        }
        let (hashes, unreadable) = self.hash_files(&present);
        present.retain(|p| !unreadable.contains(p));
        for (rel, h) in hashes {
            if let Some(st) = stamps.get_mut(&rel) {
                st.hash = h;
            }
        }
        let (mut indexed, log) = self.current_stamps()?;
        let written = self.write_changes(Some(writer), &present, &gone, &stamps, false, false)?;
        if let Some(w) = &written {
            present.retain(|p| !w.skipped.contains(p));
            for p in &gone {
                indexed.remove(p);
            }
            for p in &present {
                if let Some(s) = stamps.get(p) {
                    indexed.insert(p.clone(), *s);
                }
            }
            self.record_stamps(&indexed, log, &stamps, &present, &gone, w.opstamp);
        }
        Ok(written.map(|_| present.len() + gone.len()))
    }

    /// Deletes and re-adds documents, with `held` or a writer taken now;
    /// `None` when another process holds it. A note that cannot be read is
    /// left as indexed (reported in `skipped`), never indexed as empty.
    fn write_changes(
        &mut self,
        held: Option<IndexWriter<TantivyDocument>>,
        changed: &[PathBuf],
        removed: &[PathBuf],
        stamps: &HashMap<PathBuf, Stamp>,
        progress: bool,
        big: bool,
    ) -> Result<Option<Written>> {
        let writer = match held {
            Some(w) => Some(w),
            None => self.try_writer(if big {
                BIG_WRITER_BYTES
            } else {
                SMALL_WRITER_BYTES
            })?,
        };
        let Some(mut writer) = writer else {
            return Ok(None);
        };
        let bar = progress.then(|| {
            let b = indicatif::ProgressBar::new(changed.len() as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "indexing {bar:40} {pos}/{len} notes {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        let path_term =
            |rel: &Path| Term::from_field_text(self.fields.path, &rel.to_string_lossy());
        for rel in removed {
            writer.delete_term(path_term(rel));
        }
        let f = &self.fields;
        let root = &self.root;
        let mut docs = 0usize;
        let mut skipped = Vec::new();
        // Parse in parallel, in chunks, so memory stays bounded on big builds.
        for chunk in changed.chunks(4096) {
            let built: Vec<std::io::Result<Vec<TantivyDocument>>> = chunk
                .par_iter()
                .map(|rel| {
                    let bytes = crate::vault::read_note_bytes(&root.join(rel))?;
                    let note = note::parse(rel, &bytes);
                    let text = String::from_utf8_lossy(&bytes);
                    Ok(schema::documents(
                        f,
                        &note,
                        &text,
                        stamps
                            .get(rel)
                            .copied()
                            .map(|s| (s.size, s.mtime_ns, s.hash)),
                    ))
                })
                .collect();
            for (rel, ds) in chunk.iter().zip(built) {
                match ds {
                    Ok(ds) => {
                        writer.delete_term(path_term(rel));
                        for d in ds {
                            writer.add_document(d).map_err(tantivy_err)?;
                            docs += 1;
                        }
                    }
                    Err(e) => {
                        warn_unreadable(rel, &e);
                        skipped.push(rel.clone());
                    }
                }
            }
            if let Some(b) = &bar {
                b.inc(chunk.len() as u64);
            }
        }
        let t = Instant::now();
        let opstamp = writer.commit().map_err(tantivy_err)?;
        let t_commit = t.elapsed();
        // Let the merges it scheduled finish, so segments do not pile up.
        writer.wait_merging_threads().map_err(tantivy_err)?;
        if std::env::var_os("KITH_TRACE").is_some() {
            eprintln!(
                "trace: commit {t_commit:?}, merges {:?}",
                t.elapsed() - t_commit
            );
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        self.opened_at = Some(opstamp);
        self.reader.reload().map_err(tantivy_err)?;
        Ok(Some(Written {
            docs,
            skipped,
            opstamp: Some(opstamp),
        }))
    }

    /// Content hashes of these notes, read in parallel, and the notes that
    /// could not be read (warned about; a note gone since the walk is not).
    fn hash_files(&self, rels: &[PathBuf]) -> (HashMap<PathBuf, u64>, Vec<PathBuf>) {
        let read: Vec<(PathBuf, std::io::Result<u64>)> = rels
            .par_iter()
            .map(|rel| {
                let h = crate::vault::read_note_bytes(&self.root.join(rel))
                    .map(|b| content_hash(&b))
                    .map_err(std::io::Error::from);
                (rel.clone(), h)
            })
            .collect();
        let mut hashes = HashMap::with_capacity(read.len());
        let mut unreadable = Vec::new();
        for (rel, h) in read {
            match h {
                Ok(h) => {
                    hashes.insert(rel, h);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    warn_unreadable(&rel, &e);
                    unreadable.push(rel);
                }
            }
        }
        (hashes, unreadable)
    }

    /// Never index this vault-relative path (it is removed if indexed).
    pub fn skip(&mut self, rel: PathBuf) {
        self.skip.insert(rel);
    }

    /// Person notes holding a duplicate-check key (see `identity::keys`).
    pub fn paths_with_key(&self, key: &str) -> Result<Vec<PathBuf>> {
        use tantivy::collector::TopDocs;
        use tantivy::query::TermQuery;
        use tantivy::schema::{IndexRecordOption, Value};
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.key, key),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&q, &TopDocs::with_limit(50).order_by_score())
            .map_err(tantivy_err)?;
        let mut out = Vec::new();
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(tantivy_err)?;
            if let Some(p) = d.get_first(self.fields.path).and_then(|v| v.as_str()) {
                out.push(PathBuf::from(p));
            }
        }
        Ok(out)
    }

    /// Number of documents (notes and entries) in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// What one index write did.
struct Written {
    docs: usize,
    /// Notes that could not be read, left as they were indexed.
    skipped: Vec<PathBuf>,
    opstamp: Option<u64>,
}

fn warn_unreadable(rel: &Path, e: &std::io::Error) {
    eprintln!(
        "warning: cannot read {} ({e}); the search index keeps its previous version\n  hint: check the file's permissions",
        rel.display()
    );
}

fn push_stamp(out: &mut String, p: &Path, st: Stamp) {
    use std::fmt::Write as _;
    let p = p.to_string_lossy();
    if !p.contains('\n') {
        let _ = writeln!(out, "{}\t{}\t{}\t{p}", st.size, st.mtime_ns, st.hash);
    }
}

fn stamp_of(m: &std::fs::Metadata) -> Stamp {
    let mtime_ns = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    Stamp {
        size: m.len(),
        mtime_ns,
        hash: 0,
    }
}

/// A stamp log as read: the latest stamp of each path, borrowing the text.
struct StampLog<'a> {
    map: FxHashMap<&'a str, Stamp>,
    opstamp: u64,
    lines: usize,
}

impl StampLog<'_> {
    /// Whether this walk found exactly the logged notes, none changed.
    fn matches(&self, walked: &[(PathBuf, Stamp)]) -> bool {
        walked.len() == self.map.len()
            && walked.iter().all(|(rel, st)| {
                rel.to_str()
                    .and_then(|p| self.map.get(p))
                    .is_some_and(|old| old.same_file(st))
            })
    }

    fn owned(&self) -> HashMap<PathBuf, Stamp> {
        self.map
            .iter()
            .map(|(p, st)| (PathBuf::from(p), *st))
            .collect()
    }
}

/// Parses a stamp log; `None` if any line is malformed or no commit is marked.
fn parse_stamp_log(text: &str) -> Option<StampLog<'_>> {
    let mut map = FxHashMap::with_capacity_and_hasher(text.len() / 64, Default::default());
    let mut opstamp = None;
    let mut lines = 0;
    for l in text.lines() {
        lines += 1;
        if let Some(op) = l.strip_prefix('@') {
            opstamp = op.parse::<u64>().ok();
        } else if let Some(p) = l.strip_prefix("-\t") {
            map.remove(p);
        } else {
            let mut parts = l.splitn(4, '\t');
            let size = parts.next()?.parse().ok()?;
            let mtime_ns = parts.next()?.parse().ok()?;
            let hash = parts.next()?.parse().ok()?;
            map.insert(
                parts.next()?,
                Stamp {
                    size,
                    mtime_ns,
                    hash,
                },
            );
        }
    }
    Some(StampLog {
        map,
        opstamp: opstamp?,
        lines,
    })
}

/// Every note with its change key, walking folders in parallel. Each file is
/// stat'ed relative to its folder's handle (`fstatat`), the cheap way; the
/// rules are those of [`vault::walk`] (hidden folders skipped, symlinked
/// folders not followed, symlinked notes read through).
fn walk_stamps(root: &Path) -> Vec<(PathBuf, Stamp)> {
    let filter = vault::NoteFilter::for_vault(root);
    let mut out = Vec::new();
    scan(root, Path::new(""), &filter, &mut out);
    return out;

    fn scan(root: &Path, rel: &Path, filter: &vault::NoteFilter, out: &mut Vec<(PathBuf, Stamp)>) {
        let Ok(rd) = std::fs::read_dir(root.join(rel)) else {
            return;
        };
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        for e in rd.flatten() {
            let name = e.file_name();
            let n = name.to_string_lossy();
            if n.starts_with('.') || filter.skips(&rel.join(&name)) {
                continue;
            }
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if n != "node_modules" {
                    dirs.push(rel.join(&*name));
                }
            } else if is_md_name(name.as_encoded_bytes()) {
                files.push((e, ft.is_symlink()));
            }
        }
        let mut mine: Vec<(PathBuf, Stamp)> = files
            .par_iter()
            .filter_map(|(e, link)| {
                let m = if *link {
                    std::fs::metadata(e.path()).ok()?
                } else {
                    e.metadata().ok()?
                };
                m.is_file().then(|| (rel.join(e.file_name()), stamp_of(&m)))
            })
            .collect();
        out.append(&mut mine);
        let nested: Vec<Vec<(PathBuf, Stamp)>> = dirs
            .par_iter()
            .map(|d| {
                let mut v = Vec::new();
                scan(root, d, filter, &mut v);
                v
            })
            .collect();
        for mut v in nested {
            out.append(&mut v);
        }
    }
}

/// `x.md` (any case): compared as bytes, so a name ending in an emoji or
/// in invalid UTF-8 is simply not a note (slicing text there would panic).
fn is_md_name(name: &[u8]) -> bool {
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(b".md")
}

fn tantivy_err(e: tantivy::TantivyError) -> Error {
    Error::Index(e.to_string())
}

/// Note kind of a parsed note, as stored.
fn kind_str(n: &Note) -> &'static str {
    n.kind.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(size: u64, mtime_ns: i64) -> Stamp {
        Stamp {
            size,
            mtime_ns,
            hash: 7,
        }
    }

    #[test]
    fn stamp_log_replays_updates_and_removals() -> Result<(), &'static str> {
        let text = "1\t10\t7\tpeople/a.md\n2\t20\t7\tpeople/b.md\n@5\n\
                    -\tpeople/b.md\n3\t30\t7\tpeople/a.md\n4\t40\t7\tpeople/c.md\n@6\n";
        let log = parse_stamp_log(text).ok_or("a well-formed log must parse")?;
        assert_eq!(log.opstamp, 6);
        assert_eq!(log.lines, 7);
        let walked = |v: &[(&str, Stamp)]| -> Vec<(PathBuf, Stamp)> {
            v.iter().map(|(p, s)| (PathBuf::from(p), *s)).collect()
        };
        let now = [("people/a.md", st(3, 30)), ("people/c.md", st(4, 40))];
        assert!(log.matches(&walked(&now)));
        // One note touched, one swapped for another, one more: not unchanged.
        assert!(!log.matches(&walked(&[now[0], ("people/c.md", st(4, 41))])));
        assert!(!log.matches(&walked(&[now[0], ("people/b.md", st(4, 40))])));
        assert!(!log.matches(&walked(&[now[0], now[1], ("people/d.md", st(1, 1))])));
        assert_eq!(log.owned().len(), 2);
        Ok(())
    }

    #[test]
    fn a_malformed_or_unmarked_stamp_log_is_not_trusted() {
        assert!(parse_stamp_log("1\t10\tpeople/a.md\n@3\n").is_none());
        assert!(parse_stamp_log("1\t10\t7\tpeople/a.md\n").is_none());
        assert!(parse_stamp_log("").is_none());
    }
}
