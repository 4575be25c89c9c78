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
mod sigbus;
mod snippet;
mod stamps;

use crate::error::{Error, Result};
use crate::note::{self, Note};
use crate::store::{self, Stamp, Walked};
use crate::vault;
use rayon::prelude::*;
use schema::Fields;
use stamps::{Known, Stamps};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::{Index as TIndex, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use search::{Hit, SearchQuery};
pub use sigbus::Allocator;
pub use sigbus::guard as guard_sigbus;

/// Bump when the schema or what goes into documents changes: the index is
/// then rebuilt on next use.
pub const SCHEMA_VERSION: u32 = 6;

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

/// The last commit of the index in `dir`, from its `meta.json`: only that
/// number is decoded (tantivy's own `load_metas` builds the whole schema,
/// a tenth of a millisecond each time, and a search asks two or three
/// times).
fn read_opstamp(dir: &Path) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Meta {
        opstamp: u64,
    }
    let bytes = vault::read_cache_file(&dir.join("meta.json")).ok()?;
    serde_json::from_slice::<Meta>(&bytes)
        .ok()
        .map(|m| m.opstamp)
}

fn read_build(root: &Path) -> Option<String> {
    read_small(&index_dir(root).join(BUILD_FILE))
}

/// One of kith's own small files in the index folder, read by the cache's
/// rules: a FIFO, symlink or huge sparse file in its place is no answer,
/// never waited on or read whole.
fn read_small(path: &Path) -> Option<String> {
    String::from_utf8(vault::read_cache_file(path).ok()?).ok()
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

/// For tests only: `KITH_TEST_HOLD_INDEX=DIR` makes a command that has
/// just opened (and mapped) the index create `DIR/opened` and wait, at most
/// 10 s, for `DIR/go`, so a test can change the index's files in between.
fn hold_for_test() {
    let Some(dir) = std::env::var_os("KITH_TEST_HOLD_INDEX").map(PathBuf::from) else {
        return;
    };
    let _ = std::fs::write(dir.join("opened"), "");
    let until = Instant::now() + Duration::from_secs(10);
    while !dir.join("go").exists() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
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
    /// The folders of the walk a sync compares against, when that walk
    /// recorded them: saved with the stamps for the next search's check.
    folders: Option<store::Folders>,
}

impl Index {
    /// Opens the vault's index, creating or rebuilding it when missing, built by
    /// another schema version, or unreadable (a panic inside tantivy included).
    pub fn open(root: &Path) -> Result<Index> {
        // Its files are mapped: one truncated in place by another program
        // must not kill the process without a word.
        sigbus::guard(false);
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
        // The files tantivy reads whole or opens to write (its locks) must
        // be plain files: a FIFO there blocked every search and every digest
        // (which brings the index level) for good, and a sparse 100 GB
        // meta.json was read whole into memory.
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-meta.lock",
            ".tantivy-writer.lock",
            BUILD_FILE,
        ] {
            if let Ok(m) = std::fs::symlink_metadata(dir.join(name))
                && (!m.is_file() || m.len() > vault::cache_read_limit())
            {
                return Err(format!("its {name} was not a plain file of kith's"));
            }
        }
        let version = read_small(&dir.join(VERSION_FILE)).unwrap_or_default();
        if version.trim() != SCHEMA_VERSION.to_string() {
            return Err("it was built by another version of kith".into());
        }
        let mmap =
            MmapDirectory::open(&dir).map_err(|e| format!("it could not be opened ({e})"))?;
        let index = TIndex::open(mmap).map_err(|e| format!("it could not be opened ({e})"))?;
        let fields = Fields::from_schema(&index.schema()).ok_or("its schema was unexpected")?;
        schema::register_tokenizer(&index);
        let opened_at = read_opstamp(&dir);
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
            folders: None,
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
        Index::open_synced_by(root, None, progress, flush)
    }

    /// [`open_synced`](Self::open_synced) with a walk already taken (the
    /// model's freshness pass): one walk serves both caches.
    pub fn open_synced_with(
        root: &Path,
        walked: &Walked,
        flush: impl Fn(&Path) -> bool,
    ) -> Result<(Index, SyncReport)> {
        Index::open_synced_by(root, Some(walked), false, flush)
    }

    fn open_synced_by(
        root: &Path,
        walked: Option<&Walked>,
        progress: bool,
        flush: impl Fn(&Path) -> bool,
    ) -> Result<(Index, SyncReport)> {
        let idx = match Index::open_flushed(root, flush)? {
            Ok(idx) => return Ok((idx, SyncReport::default())),
            Err(idx) => idx,
        };
        let mut own = None;
        let walked = walked_or_now(root, walked, &mut own);
        let (idx, report) = idx.sync_or_rebuild(walked, progress)?;
        report.tell();
        Ok((idx, report))
    }

    /// Opens the index and asks a healthy watcher to flush: `Ok` when it did
    /// (the index is level, read its latest commit), `Err` with the index
    /// when the caller must sync it itself.
    fn open_flushed(
        root: &Path,
        flush: impl Fn(&Path) -> bool,
    ) -> Result<std::result::Result<Index, Index>> {
        let t0 = Instant::now();
        let idx = Index::open(root)?;
        let t_open = t0.elapsed();
        hold_for_test();
        if trust_watcher_only() {
            if !flush(root) {
                eprintln!("kith: no watcher answered the flush; the index was read as it is");
            }
            idx.reader.reload().map_err(tantivy_err)?;
            return Ok(Ok(idx));
        }
        let flushed = idx.rebuilt.is_none() && flush(root);
        trace(|| {
            format!(
                "open {t_open:?}, flush {:?} ({flushed})",
                t0.elapsed() - t_open
            )
        });
        if flushed {
            // The watcher committed what was pending: read its latest commit.
            idx.reader.reload().map_err(tantivy_err)?;
            return Ok(Ok(idx));
        }
        Ok(Err(idx))
    }

    /// Answers a query with a fresh index, for `kith search`. Without a
    /// watcher the walk is the cost, so it starts first, on its own thread,
    /// and the index is opened and asked while the vault is walked: when
    /// the walk finds nothing changed (the common case) that answer stands;
    /// otherwise the index is brought level and asked again.
    pub fn search_fresh(
        root: &Path,
        q: &SearchQuery,
        progress: bool,
        flush: impl Fn(&Path) -> bool,
    ) -> Result<Vec<Hit>> {
        if sigbus::is_rerun() {
            // Run again after a fault: the index is checked whole first.
            let idx = Index::open(root)?;
            if let Some(why) = &idx.rebuilt {
                // Found damaged on opening (a file cut short): rebuilt
                // already, and said here, as the walk below finds it level.
                SyncReport {
                    rebuilt: Some(why.clone()),
                    ..SyncReport::default()
                }
                .tell();
            } else if let Some(why) = idx.damaged_file().unwrap_or_else(|e| Some(e.to_string())) {
                let build = idx.build.clone();
                drop(idx);
                let (_, report) = Index::rebuild_synced(
                    root,
                    format!("it was damaged ({why})"),
                    build,
                    None,
                    progress,
                )?;
                report.tell();
            }
        }
        if trust_watcher_only() {
            let (Ok(idx) | Err(idx)) = Index::open_flushed(root, flush)?;
            return idx.search_repairing(q, progress);
        }
        let t0 = Instant::now();
        // Asked before the index is opened (the reader then holds the
        // watcher's last commit), so that without a watcher the walk need
        // not wait for the open.
        if flush(root) {
            trace(|| format!("flush {:?} (true)", t0.elapsed()));
            let idx = Index::open(root)?;
            hold_for_test();
            if idx.rebuilt.is_none() {
                idx.reader.reload().map_err(tantivy_err)?;
                return idx.search_repairing(q, progress);
            }
            // Rebuilt: empty, so the watcher's word says nothing of it.
            let walked = Walked::now(root);
            let (idx, report) = idx.sync_or_rebuild(&walked, progress)?;
            report.tell();
            return idx.search_repairing(q, progress);
        }
        trace(|| format!("flush {:?} (false)", t0.elapsed()));
        // The stamp file says what a walk would find; its check (a stat
        // per note, no listing) runs here while another thread opens the
        // index and asks it, then joins in.
        let bytes = map_stamps(&index_dir(root).join(stamps::FILE));
        let known = bytes.as_deref().and_then(stamps::open);
        let check = known.as_ref().and_then(|k| {
            let rules = store::rules_key(&vault::NoteFilter::for_vault(root));
            stamps::Check::new(root, k, rules)
        });
        let (opened, early) = std::thread::scope(|s| {
            let asking = s.spawn(|| {
                let opened = Index::open(root);
                trace(|| format!("open {:?}", t0.elapsed()));
                hold_for_test();
                let early = match &opened {
                    Ok(idx) if idx.rebuilt.is_none() => {
                        let t = Instant::now();
                        let hits = lifecycle::quietly(|| idx.search(q))
                            .ok()
                            .and_then(Result::ok);
                        trace(|| format!("search (during the check) {:?}", t.elapsed()));
                        hits
                    }
                    _ => None,
                };
                if let Some(c) = &check {
                    c.help();
                }
                (opened, early)
            });
            if let Some(c) = &check {
                c.help();
            }
            match asking.join() {
                Ok(r) => r,
                Err(_) => (Index::open(root), None),
            }
        });
        let passed = check.as_ref().is_some_and(stamps::Check::passed);
        trace(|| format!("check {:?} ({passed})", t0.elapsed()));
        let mut idx = opened?;
        if let Some(k) = known.filter(|_| passed)
            && early.is_some()
            && idx.rebuilt.is_none()
            && idx.opened_at == Some(k.opstamp)
            && idx.opstamp() == Some(k.opstamp)
            && idx.notes_held().ok() == Some(k.count as u64)
            && let Some(hits) = early
        {
            return idx.confirmed(hits, q, progress);
        }
        // Something moved, or the check could not tell: walk.
        let t = Instant::now();
        let (walked, folders) = store::walk_recorded(root);
        trace(|| format!("walk {:?}", t.elapsed()));
        idx.folders = folders;
        let before = idx.opened_at;
        let (idx, report) = idx.sync_or_rebuild(&walked, progress)?;
        report.tell();
        let unchanged = report.indexed == 0
            && report.removed == 0
            && report.rebuilt.is_none()
            && !report.locked
            && idx.opened_at == before;
        if unchanged && let Some(hits) = early {
            return idx.confirmed(hits, q, progress);
        }
        let t = Instant::now();
        let hits = idx.search_repairing(q, progress);
        trace(|| format!("search {:?}", t.elapsed()));
        hits
    }

    /// Syncs; a tantivy error or panic on the way means the index is damaged,
    /// and it is rebuilt once (saying why) instead.
    fn sync_or_rebuild(mut self, walked: &Walked, progress: bool) -> Result<(Index, SyncReport)> {
        let why = match lifecycle::quietly(|| self.sync_with(walked, progress, COMMAND_WAIT)) {
            Ok(Ok(r)) => return Ok((self, r)),
            Ok(Err(e)) => e.to_string(),
            Err(panic) => panic,
        };
        let build = self.build.take();
        let root = self.root.clone();
        drop(self);
        Index::rebuild_synced(
            &root,
            format!("it was damaged ({why})"),
            build,
            Some(walked),
            progress,
        )
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
        let walked = Walked::now(root);
        let mut report;
        (idx, report) = idx.sync_or_rebuild(&walked, progress)?;
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
                let (fresh, mut r) = Index::rebuild_synced(
                    root,
                    format!("it was damaged ({e})"),
                    build,
                    Some(&walked),
                    progress,
                )?;
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

    /// Rebuilds a damaged index (unless another process already did) and
    /// syncs it, with `walked` or a walk taken now.
    fn rebuild_synced(
        root: &Path,
        reason: String,
        damaged: Option<String>,
        walked: Option<&Walked>,
        progress: bool,
    ) -> Result<(Index, SyncReport)> {
        let mut fresh = Index::recreate(root, reason, damaged)?;
        let mut own = None;
        let walked = walked_or_now(root, walked, &mut own);
        let r = lifecycle::quietly(|| fresh.sync_with(walked, progress, COMMAND_WAIT))
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
            Ok(Ok(hits)) => return self.confirmed(hits, q, progress),
            Ok(Err(e)) => format!("it was damaged ({e})"),
            Err(panic) => format!("it was damaged ({panic})"),
        };
        self.rebuilt_and_asked(reason, q, progress)
    }

    /// Checks every file of the index against its checksum and the number of
    /// notes against the stamp file; an error names what is wrong. For
    /// `kith index`, which must never report success on a broken index.
    pub fn verify(&self) -> Result<()> {
        if let Some(why) = self.damaged_file()? {
            return Err(Error::Index(why));
        }
        if let Some(bytes) = self.stamp_bytes()
            && let Some(known) = stamps::open(&bytes)
            && known.all().is_some()
        {
            self.check_complete(&known, self.opstamp())?;
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

    /// The first file of the index that fails its checksum, said as the
    /// reason to rebuild (reads every file: for `kith index`, and for a
    /// search with no answer or run again after a fault).
    fn damaged_file(&self) -> Result<Option<String>> {
        let bad = lifecycle::quietly(|| self.index.validate_checksum())
            .map_err(Error::Index)?
            .map_err(tantivy_err)?;
        let mut bad: Vec<_> = bad.into_iter().collect();
        bad.sort();
        Ok(bad
            .first()
            .map(|f| format!("{} failed its checksum", f.display())))
    }

    /// `hits` as the answer, unless there are none and a file of the index
    /// fails its checksum: a flipped bit in a term dictionary answers
    /// "nothing" without an error. Then the index is rebuilt (said once)
    /// and asked again. Only an empty answer pays for reading every file.
    fn confirmed(self, hits: Vec<Hit>, q: &SearchQuery, progress: bool) -> Result<Vec<Hit>> {
        if !hits.is_empty() {
            return Ok(hits);
        }
        // A file that cannot be read for the check may be one another
        // process's commit just retired: only a checksum that fails counts.
        let Ok(Some(why)) = self.damaged_file() else {
            return Ok(hits);
        };
        self.rebuilt_and_asked(format!("it was damaged ({why})"), q, progress)
    }

    /// Rebuilds this index (saying `reason`) and asks it `q`.
    fn rebuilt_and_asked(
        self,
        reason: String,
        q: &SearchQuery,
        progress: bool,
    ) -> Result<Vec<Hit>> {
        let root = self.root.clone();
        let build = self.build.clone();
        drop(self);
        let (fresh, report) = Index::rebuild_synced(&root, reason, build, None, progress)?;
        report.tell();
        lifecycle::quietly(|| fresh.search(q))
            .map_err(|p| Error::Index(format!("even a fresh index failed ({p})")))?
    }

    /// When the stamp file and the reader are at the same commit, the index
    /// must hold one note document per recorded note; fewer (a `meta.json`
    /// that lost segments) would silently answer with nothing.
    fn check_complete(&self, known: &Stamps<'_>, now: Option<u64>) -> Result<()> {
        if self.opened_at.is_none() || now != self.opened_at || Some(known.opstamp) != now {
            return Ok(());
        }
        let n = self.notes_held()?;
        if n != known.count as u64 {
            return Err(Error::Index(format!(
                "it holds {n} notes where {} were indexed",
                known.count
            )));
        }
        Ok(())
    }

    /// How many note documents the reader's commit holds.
    fn notes_held(&self) -> Result<u64> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.doc, "note"),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let n = self
            .reader
            .searcher()
            .search(&q, &tantivy::collector::Count)
            .map_err(tantivy_err)?;
        Ok(n as u64)
    }

    /// What the index's own fields say it holds, in the stamp file's form:
    /// sizes, times and hashes, but no change times or inodes, so every
    /// note's stamp looks moved and its hash decides. For when the stamp
    /// file is missing, damaged or of another commit.
    fn stamps_from_fields(&self, opstamp: Option<u64>) -> Result<Vec<u8>> {
        let searcher = self.reader.searcher();
        let mut out: Vec<(Vec<u8>, Stamp, u64)> = Vec::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let sizes = ff.u64("size").map_err(tantivy_err)?;
            let mtimes = ff.i64("mtime").map_err(tantivy_err)?;
            let hashes = ff.u64("hash").map_err(tantivy_err)?;
            let Some(paths) = ff.str("path").map_err(tantivy_err)? else {
                continue;
            };
            // Read the path dictionary once, in ordinal order.
            let mut names: Vec<Vec<u8>> = Vec::with_capacity(paths.num_terms());
            let mut stream = paths
                .dictionary()
                .stream()
                .map_err(|e| Error::Index(e.to_string()))?;
            while stream.advance() {
                names.push(schema::path_bytes_of_text(stream.key()).into_owned());
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
                    let stamp = Stamp {
                        size,
                        mtime_ns: mtime,
                        ..Stamp::default()
                    };
                    out.push((p.clone(), stamp, hashes.first(doc).unwrap_or(0)));
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        let known: Vec<Known<'_>> = out
            .iter()
            .map(|(path, stamp, hash)| Known {
                path,
                stamp: *stamp,
                hash: *hash,
            })
            .collect();
        // As of the beginning of time: nothing here is trusted unread.
        Ok(stamps::encode(opstamp.unwrap_or(0), 0, &known, None))
    }

    fn stamp_file(&self) -> PathBuf {
        index_dir(&self.root).join(stamps::FILE)
    }

    /// The stamp file's bytes (see [`map_stamps`]).
    fn stamp_bytes(&self) -> Option<memmap2::Mmap> {
        map_stamps(&self.stamp_file())
    }

    /// The stamp file's bytes, when its header says it describes commit `at`.
    fn stamp_bytes_at(&self, at: Option<u64>) -> Option<memmap2::Mmap> {
        let bytes = self.stamp_bytes()?;
        (at.is_some() && stamps::open(&bytes).map(|k| k.opstamp) == at).then_some(bytes)
    }

    /// Does the stamp file `known` miss what the walk's folders say: they
    /// moved, or were too recent to trust as of the file and are not as
    /// of this walk (`as_of_ns`)?
    fn folders_learned(&self, known: &Stamps<'_>, as_of_ns: i64) -> bool {
        let Some(f) = &self.folders else {
            return false;
        };
        let Some(had) = known.folders().filter(|_| known.rules == f.rules) else {
            return true;
        };
        let moved = had.len() != f.list.len()
            || had
                .iter()
                .zip(&f.list)
                .any(|((p, s), (q, t))| *p != q.as_slice() || s != t);
        let settled = had.iter().any(|(_, s)| s.doubtful(known.as_of_ns))
            && !f.list.iter().any(|(_, s)| s.doubtful(as_of_ns));
        moved || settled
    }

    /// A note that could not be read is not in the stamp file (or keeps
    /// its old stamp there), so the walk's folders cannot vouch for the
    /// notes: made readable again, it moves no folder. The next search
    /// walks (and tries it) again.
    fn forget_folders_if(&mut self, unreadable: bool) {
        if unreadable {
            self.folders = None;
        }
    }

    fn opstamp(&self) -> Option<u64> {
        read_opstamp(&index_dir(&self.root))
    }

    /// Replaces the stamp file with these notes' stamps after commit `op`.
    /// A cache of a cache, checked against the index's commit when read: no
    /// fsync, and failing to write it only costs speed. Not written when
    /// another process committed meanwhile: its file is the one to keep.
    fn save_stamps(&self, op: Option<u64>, as_of_ns: i64, notes: &[Known<'_>]) {
        let Some(op) = op else { return };
        let bytes = stamps::encode(op, as_of_ns, notes, self.folders.as_ref());
        let file = self.stamp_file();
        let tmp = file.with_file_name(lifecycle::unique("kith-stamps.tmp-"));
        if std::fs::write(&tmp, bytes).is_err()
            || self.opstamp() != Some(op)
            || std::fs::rename(&tmp, &file).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
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
        let walked = Walked::now(&self.root);
        self.sync_with(&walked, progress, wait)
    }

    /// [`Index::sync_waiting`] against a walk already taken.
    pub fn sync_with(
        &mut self,
        walked: &Walked,
        progress: bool,
        wait: Duration,
    ) -> Result<SyncReport> {
        let started = Instant::now();
        let mut held = None;
        loop {
            let mut r = self.sync_once(walked, progress, &mut held)?;
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

    /// One comparison of `walked` with the stamp file, and the index write
    /// it calls for; `locked` in the report when the writer was busy (or
    /// another process committed first, so the comparison must be redone).
    fn sync_once(
        &mut self,
        walked: &Walked,
        progress: bool,
        held: &mut Option<IndexWriter<TantivyDocument>>,
    ) -> Result<SyncReport> {
        let held = held.take();
        let t0 = Instant::now();
        let now = self.opstamp();
        if now != self.opened_at {
            // Another process committed since this one opened the index (a
            // second search, a command's warm-up): the comparison below is
            // against its commit, so when nothing is left to do the reader
            // must hold that commit too, or the answer misses its edits.
            self.reader.reload().map_err(tantivy_err)?;
            // Committed again meanwhile: which commit the reader holds is not
            // known, so no early answer may stand (see `search_fresh`).
            self.opened_at = if self.opstamp() == now { now } else { None };
        }
        let skip = &self.skip;
        // Only regular files are indexed: the empty stamp is a folder, FIFO
        // or dangling symlink named like a note, which the model reports.
        let wanted = |p: &Path, st: &Stamp| {
            *st != Stamp::default() && (skip.is_empty() || !skip.contains(p))
        };
        // What the index holds, compared with the walk in one merge: the
        // stamp file of this commit, else the same from the index's own
        // fields (slower: every note is read once).
        let file = self.stamp_bytes_at(now);
        let from_file = file
            .as_deref()
            .and_then(stamps::open)
            .and_then(|k| Some((k, stamps::plan(&walked.notes, wanted, &k)?)));
        let fields;
        let (known, plan, trusted) = match from_file {
            Some((k, plan)) => (k, plan, true),
            None => {
                // A file one commit behind (two processes racing) is only
                // slower; one that does not read is damage, said once: the
                // file is written again below, from every note read now.
                let damaged = match &file {
                    Some(_) => true,
                    None => self
                        .stamp_bytes()
                        .is_some_and(|b| stamps::open(&b).is_none()),
                };
                if damaged {
                    eprintln!(
                        "kith: rebuilt the search index's stamp file because it was damaged (every note is read once)"
                    );
                }
                fields = self.stamps_from_fields(now)?;
                let k = stamps::open(&fields).ok_or_else(unreadable_fields)?;
                let plan = stamps::plan(&walked.notes, wanted, &k).ok_or_else(unreadable_fields)?;
                (k, plan, false)
            }
        };
        if trusted {
            self.check_complete(&known, now)?;
        }
        let notes = walked.notes.iter().filter(|(p, s)| wanted(p, s)).count();
        trace(|| {
            format!(
                "stamps {:?} ({} to look at, {} removed{})",
                t0.elapsed(),
                plan.look.len(),
                plan.removed.len(),
                if trusted { "" } else { ", from the index" }
            )
        });
        if plan.is_empty() && trusted && self.rebuilt.is_none() {
            // Nothing to read, but the file learns the walk's folders when
            // they moved, or settles ones too recent to trust before.
            if self.folders_learned(&known, walked.as_of_ns) {
                let all = known.all().ok_or_else(unreadable_fields)?;
                self.save_stamps(now, walked.as_of_ns, &all);
            }
            return Ok(SyncReport {
                notes,
                ..SyncReport::default()
            });
        }
        // A note whose indexed hash is known is read first: same bytes (a
        // touch, a checkout) means a new stamp, not a re-index.
        let root = &self.root;
        let looked: Vec<Looked> = plan
            .look
            .par_iter()
            .map(|&(i, old)| {
                let Some(old) = old.map(|k| k.hash).filter(|h| *h != 0) else {
                    return Looked::Changed;
                };
                match vault::read_note_bytes(&root.join(&walked.notes[i].0)) {
                    Ok(b) if store::content_hash(&b) == old => Looked::Same(old),
                    Ok(_) => Looked::Changed,
                    Err(e) => Looked::Unreadable(std::io::Error::from(e)),
                }
            })
            .collect();
        let mut report = SyncReport {
            notes,
            rebuilt: self.rebuilt.take(),
            ..SyncReport::default()
        };
        let mut updates: Vec<stamps::Update<'_>> = Vec::new();
        let mut changed: Vec<&(PathBuf, Stamp)> = Vec::new();
        // Whether the stamp file learns anything: a stamp that moved, or a
        // doubtful note that the later walk time settles. (A note dated in
        // the future stays doubtful and is read each time; the file is not
        // rewritten for it.)
        let mut learned = !trusted || self.folders_learned(&known, walked.as_of_ns);
        for (&(i, old), l) in plan.look.iter().zip(looked) {
            let (rel, st) = &walked.notes[i];
            match l {
                Looked::Same(hash) => {
                    let was = old.map(|k| k.stamp);
                    if was != Some(*st) {
                        report.touched += 1;
                        learned = true;
                    } else if !st.doubtful(walked.as_of_ns) {
                        learned = true;
                    }
                    updates.push((store::path_order(rel), Some((*st, hash))));
                }
                Looked::Changed => changed.push(&walked.notes[i]),
                // Gone since the walk: the next sync removes it.
                Looked::Unreadable(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                // Keep what is indexed (and its stamp: read again next time).
                Looked::Unreadable(e) => {
                    warn_unreadable(rel, &e);
                    report.unreadable.push(rel.clone());
                }
            }
        }
        let removed: Vec<PathBuf> = plan.removed.iter().map(|p| path_of(p)).collect();
        // Checked whole by the plan.
        let all = known.all().ok_or_else(unreadable_fields)?;
        if changed.is_empty() && removed.is_empty() {
            // Only stamps moved, or doubtful notes were read: record them
            // (and the later walk time), without an index write.
            if learned {
                self.forget_folders_if(!report.unreadable.is_empty());
                self.save_stamps(now, walked.as_of_ns, &stamps::apply(&all, updates));
            }
            return Ok(report);
        }
        let big = changed.len() > 2000;
        let Some(w) = self.write_changes(held, now, &changed, &removed, progress && big, big)?
        else {
            report.locked = true;
            return Ok(report);
        };
        report.indexed = changed.len() - w.skipped.len();
        report.removed = removed.len();
        report.documents = w.docs;
        for ((rel, st), hash) in changed.iter().map(|c| (&c.0, c.1)).zip(&w.hashes) {
            if let Some(hash) = hash {
                updates.push((store::path_order(rel), Some((st, *hash))));
            }
        }
        report.unreadable.extend(w.skipped);
        updates.extend(plan.removed.iter().map(|p| (*p, None)));
        self.forget_folders_if(!report.unreadable.is_empty());
        self.save_stamps(w.opstamp, walked.as_of_ns, &stamps::apply(&all, updates));
        Ok(report)
    }

    /// Re-indexes just these vault-relative paths (present: re-read; gone or
    /// no longer a note: removed), in one commit. For the watcher, which
    /// waits up to [`WATCHER_WAIT`] for a command holding the writer.
    /// Returns the number of paths changed, or `None` if the writer stayed
    /// busy.
    pub fn sync_paths(&mut self, rels: &[PathBuf]) -> Result<Option<usize>> {
        let Some(writer) = self.wait_writer(WATCHER_WAIT)? else {
            return Ok(None);
        };
        // Holding the writer, the reader and stamp file are those of the last commit.
        self.opened_at = self.opstamp();
        self.reader.reload().map_err(tantivy_err)?;
        let file = self.stamp_bytes_at(self.opened_at);
        let fields;
        fn read(bytes: &[u8]) -> Option<(i64, Vec<Known<'_>>)> {
            let k = stamps::open(bytes)?;
            Some((k.as_of_ns, k.all()?))
        }
        let (as_of_ns, known) = match file.as_deref().and_then(read) {
            Some(k) => k,
            None => {
                fields = self.stamps_from_fields(self.opened_at)?;
                read(&fields).ok_or_else(unreadable_fields)?
            }
        };
        // The walk's rules, for a path at a time.
        let filter = vault::NoteFilter::for_vault(&self.root);
        let mut present: Vec<(PathBuf, Stamp)> = Vec::new();
        let mut gone = Vec::new();
        // A note read through a symlink (or a hard link) has the stamp of
        // the file it reaches, but an event names only that file: every
        // note recorded with the inode of a path named is looked at too.
        let named: std::collections::HashSet<&[u8]> =
            rels.iter().map(|r| store::path_order(r)).collect();
        let inodes: std::collections::HashSet<u64> = known
            .iter()
            .filter(|k| k.stamp.ino != 0 && named.contains(k.path))
            .map(|k| k.stamp.ino)
            .collect();
        // A path named may have been a folder (one named like a note,
        // `x.md/`, renamed away or removed): the notes held below it are
        // looked at too.
        let maybe_folders: Vec<&[u8]> = rels
            .iter()
            .filter(|r| !self.root.join(r).is_file())
            .map(|r| store::path_order(r))
            .collect();
        let below = |k: &Known<'_>| {
            maybe_folders
                .iter()
                .any(|r| k.path.len() > r.len() && k.path.starts_with(r) && k.path[r.len()] == b'/')
        };
        let aliases: Vec<PathBuf> = known
            .iter()
            .filter(|k| !named.contains(k.path) && (inodes.contains(&k.stamp.ino) || below(k)))
            .map(|k| path_of(k.path))
            .collect();
        for rel in rels.iter().chain(&aliases) {
            match std::fs::metadata(self.root.join(rel)) {
                Ok(m)
                    if m.is_file()
                        && filter.is_note(rel)
                        && !self.skip.contains(rel)
                        && !under_symlink(&self.root, rel) =>
                {
                    present.push((rel.clone(), Stamp::of(&m)));
                }
                _ => gone.push(rel.clone()),
            }
        }
        let changed: Vec<&(PathBuf, Stamp)> = present.iter().collect();
        let at = self.opened_at;
        let Some(w) = self.write_changes(Some(writer), at, &changed, &gone, false, false)? else {
            return Ok(None);
        };
        let mut updates: Vec<stamps::Update<'_>> = Vec::new();
        for ((rel, st), hash) in present.iter().zip(&w.hashes) {
            if let Some(hash) = hash {
                updates.push((store::path_order(rel), Some((*st, *hash))));
            }
        }
        updates.extend(gone.iter().map(|p| (store::path_order(p), None)));
        // The walk time stays the last walk's: notes the watcher did not
        // look at are doubtful to a later walk exactly as before. No walk,
        // so no folders: the next search without a watcher walks.
        self.folders = None;
        self.save_stamps(w.opstamp, as_of_ns, &stamps::apply(&known, updates));
        Ok(Some(present.len() - w.skipped.len() + gone.len()))
    }

    /// Deletes and re-adds documents, with `held` or a writer taken now;
    /// `None` when another process holds it, or committed since commit `at`
    /// (what the caller compared against): the caller then looks again. A
    /// note that cannot be read is left as indexed (reported in `skipped`),
    /// never indexed as empty.
    fn write_changes(
        &mut self,
        held: Option<IndexWriter<TantivyDocument>>,
        at: Option<u64>,
        changed: &[&(PathBuf, Stamp)],
        removed: &[PathBuf],
        progress: bool,
        big: bool,
    ) -> Result<Option<Written>> {
        let writer = match held {
            Some(w) => Some(w),
            None => match self.try_writer(if big {
                BIG_WRITER_BYTES
            } else {
                SMALL_WRITER_BYTES
            })? {
                // Another process committed between our look and our lock:
                // what we compared against is no longer the index.
                Some(_) if self.opstamp() != at => None,
                w => w,
            },
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
            |rel: &Path| Term::from_field_text(self.fields.path, &schema::path_text(rel));
        for rel in removed {
            writer.delete_term(path_term(rel));
        }
        let f = &self.fields;
        let root = &self.root;
        let mut docs = 0usize;
        let mut skipped = Vec::new();
        let mut hashes = Vec::with_capacity(changed.len());
        // Parse in parallel, in chunks, so memory stays bounded on big builds.
        for chunk in changed.chunks(4096) {
            type Built = std::io::Result<(Vec<TantivyDocument>, u64)>;
            let built: Vec<Built> = chunk
                .par_iter()
                .map(|(rel, st)| {
                    let bytes = vault::read_note_bytes(&root.join(rel))?;
                    let hash = store::content_hash(&bytes);
                    let note = note::parse(rel, &bytes);
                    let text = String::from_utf8_lossy(&bytes);
                    let ds = schema::documents(f, &note, &text, Some((st.size, st.mtime_ns, hash)));
                    Ok((ds, hash))
                })
                .collect();
            for ((rel, _), ds) in chunk.iter().zip(built) {
                match ds {
                    Ok((ds, hash)) => {
                        writer.delete_term(path_term(rel));
                        for d in ds {
                            writer.add_document(d).map_err(tantivy_err)?;
                            docs += 1;
                        }
                        hashes.push(Some(hash));
                    }
                    Err(e) => {
                        if e.kind() != std::io::ErrorKind::NotFound {
                            warn_unreadable(rel, &e);
                        }
                        skipped.push(rel.clone());
                        hashes.push(None);
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
        trace(|| format!("commit {t_commit:?}, merges {:?}", t.elapsed() - t_commit));
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        self.opened_at = Some(opstamp);
        self.reader.reload().map_err(tantivy_err)?;
        Ok(Some(Written {
            docs,
            skipped,
            hashes,
            opstamp: Some(opstamp),
        }))
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
                out.push(schema::path_of_text(p));
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
    /// Per changed note, the content hash of the bytes indexed (`None`:
    /// skipped).
    hashes: Vec<Option<u64>>,
    opstamp: Option<u64>,
}

/// What reading a looked-at note said.
enum Looked {
    /// The bytes indexed: only the stamp moved.
    Same(u64),
    /// New or changed: index it.
    Changed,
    Unreadable(std::io::Error),
}

fn warn_unreadable(rel: &Path, e: &std::io::Error) {
    eprintln!(
        "warning: cannot read {} ({e}); the search index keeps its previous version\n  hint: check the file's permissions",
        rel.display()
    );
}

/// Is some folder above `rel` (inside the vault) not a real folder — a
/// symlink, or gone? The walk never enters a symlinked folder, but the
/// watcher's events follow one (a note written in its target arrives as
/// `link/x.md`): such a path is no note, or search would know a note that
/// `show` and a fresh index do not.
fn under_symlink(root: &Path, rel: &Path) -> bool {
    rel.ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .any(|a| std::fs::symlink_metadata(root.join(a)).map_or(true, |m| !m.file_type().is_dir()))
}

/// A path as the stamp file holds it (the walk's bytes).
fn path_of(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// A stamp file's bytes, opened by the cache's rules (a FIFO or symlink in
/// its place is refused, never waited on) and mapped: the file is read on
/// every search, and copying a few MB into fresh memory cost more than
/// comparing them.
fn map_stamps(path: &Path) -> Option<memmap2::Mmap> {
    let (file, len) = vault::open_cache_file(path).ok()?;
    // Mapped with every page read in: a sparse file of 100 GB (grown in
    // place) read in for minutes. Larger than kith writes: no stamps.
    let len = usize::try_from(len)
        .ok()
        .filter(|n| *n > 0 && *n as u64 <= vault::cache_read_limit())?;
    // SAFETY: kith only ever replaces this file by a rename, never
    // writes or truncates it in place, so the mapping stays valid (the
    // exposure tantivy's own mapped segment files have).
    unsafe {
        memmap2::MmapOptions::new()
            .len(len)
            .populate()
            .map(&file)
            .ok()
    }
}

/// The stamps rebuilt from the index's fields did not read back: cannot
/// happen unless memory is corrupt; the index is rebuilt.
fn unreadable_fields() -> Error {
    Error::Index("its record of indexed notes could not be read back".into())
}

fn trace(msg: impl FnOnce() -> String) {
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!("trace: {}", msg());
    }
}

fn tantivy_err(e: tantivy::TantivyError) -> Error {
    Error::Index(e.to_string())
}

/// Note kind of a parsed note, as stored.
fn kind_str(n: &Note) -> &'static str {
    n.kind.as_str()
}

/// `walked` when the caller has walked the vault already, else a walk made
/// now (kept in `own` for as long as the answer is used).
fn walked_or_now<'a>(
    root: &Path,
    walked: Option<&'a Walked>,
    own: &'a mut Option<Walked>,
) -> &'a Walked {
    match walked {
        Some(w) => w,
        None => own.insert(Walked::now(root)),
    }
}

#[cfg(test)]
mod attack_tests {
    use super::*;

    fn hits(idx: &Index, text: &str) -> usize {
        idx.search(&SearchQuery {
            text: text.into(),
            limit: 10,
            ..SearchQuery::default()
        })
        .unwrap()
        .len()
    }

    /// Another process (a second search, `kith log`'s warm-up) may commit an
    /// edit between this one's open and its sync; the sync then has nothing
    /// to do, but this process's reader is still at the older commit.
    #[test]
    fn a_commit_by_another_process_between_open_and_sync_is_searched() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".kith")).unwrap();
        std::fs::create_dir_all(root.join("people")).unwrap();
        let ann = root.join("people/ann.md");
        std::fs::write(&ann, "---\nname: Ann\n---\nlikes tea\n").unwrap();
        Index::open(root).unwrap().sync(false).unwrap();
        let mut a = Index::open(root).unwrap();
        let before = a.opened_at;
        std::fs::write(&ann, "---\nname: Ann\n---\nlikes kayaking now\n").unwrap();
        let mut b = Index::open(root).unwrap();
        let r = b.sync(false).unwrap();
        assert_eq!(r.indexed, 1);
        drop(b);
        let r = a.sync(false).unwrap();
        assert_eq!(r.indexed, 0, "the other process indexed it");
        assert_eq!(hits(&a, "kayaking"), 1, "the edit is searchable");
        assert_eq!(hits(&a, "tea"), 0, "the old text is gone");
        assert_ne!(
            a.opened_at, before,
            "search_fresh must not let its early answer stand"
        );
    }
}
