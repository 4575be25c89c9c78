//! `kith watch`: keep the index (and a digest file) fresh while notes change.
//!
//! Every file-system event is only a hint that a path *may* have changed: the
//! watcher collects dirty paths, waits for a quiet moment (the debounce), and
//! hands them to a [`Sink`] that re-stats and re-reads them. Event kinds and
//! order are never trusted (a vim save is a rename plus a create, VS Code
//! truncates then writes, `git checkout` unlinks and recreates). An overflow,
//! a watcher error or a change to a folder falls back to a full walk-and-compare.
//!
//! While it runs and is healthy, the watcher advertises it in
//! `.kith/cache/watch.json` (pid, heartbeat, sequence number). Another command
//! may then skip its own stat walk, after a *flush handshake*: it drops a cookie
//! file into `.kith/cache/cookies/`; the watcher, on seeing it, has by then
//! received every earlier event (inotify keeps one ordered queue), syncs what is
//! pending at once, and deletes the cookie. A dead, stale or slow watcher is
//! ignored and the command walks, as git does with an fsmonitor.

pub mod filter;
mod symlinks;

use crate::error::{Error, Result};
use filter::{Relevance, classify};
use notify::{RecursiveMode, Watcher};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the watcher's changes go: normally the search index.
pub trait Sink {
    /// Re-reads these vault-relative note paths (present or gone) and commits
    /// once. Returns how many documents changed.
    fn sync_paths(&mut self, paths: &[PathBuf]) -> Result<usize>;
    /// Walks the whole vault and brings the index level with it.
    fn full_sync(&mut self) -> Result<usize>;
    /// Called after a batch that changed something (e.g. rewrite a digest file).
    fn after_change(&mut self) -> Result<()> {
        Ok(())
    }
    /// The model file the watcher just left level with the notes (`None`:
    /// none it can vouch for), told before [`Sink::after_change`].
    fn model_refreshed(&mut self, id: Option<crate::store::FileId>) {
        let _ = id;
    }
    /// Called once on shutdown (e.g. wait for merges).
    fn shutdown(&mut self) -> Result<()> {
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Poll the file system instead of native events (network and synced folders).
    pub poll: bool,
    pub poll_interval: Duration,
    /// Quiet time after the last event before a batch is synced.
    pub debounce: Duration,
    /// A batch is synced at the latest this long after its first event, even
    /// while events keep coming.
    pub max_delay: Duration,
    /// Absolute paths whose events are ignored (our own digest file).
    pub ignore: Vec<PathBuf>,
    pub quiet: bool,
    /// Warm today's digest cache on a thread after each batch. Off when the
    /// sink keeps a digest file itself (`kith watch --digest`), which
    /// computes and stores the same digest: two at once would double the
    /// work and the memory at the moment both miss.
    pub warm_digest: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            poll: false,
            poll_interval: Duration::from_millis(500),
            debounce: Duration::from_millis(200),
            max_delay: Duration::from_millis(800),
            ignore: Vec::new(),
            quiet: false,
            warm_digest: true,
        }
    }
}

/// The watcher's advertisement, `.kith/cache/watch.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Status {
    pub pid: u32,
    /// Milliseconds since the Unix epoch of the last heartbeat.
    pub heartbeat_ms: u64,
    /// Incremented after every synced batch.
    pub seq: u64,
    /// False while recovering from an overflow or error, and in poll mode.
    pub healthy: bool,
    pub mode: String,
    /// The model file (`model.bin`) this watcher keeps level with the notes:
    /// a command reads it without walking only while it is still this file.
    #[serde(default)]
    pub model: Option<crate::store::FileId>,
}

/// How old a heartbeat may be before the watcher counts as dead.
const STALE_AFTER: Duration = Duration::from_secs(3);
/// How long a command waits for the watcher to answer a flush.
const FLUSH_WAIT: Duration = Duration::from_millis(500);
/// The same under `KITH_TEST_TRUST_WATCHER=1`.
const TEST_FLUSH_WAIT: Duration = Duration::from_secs(5);
/// A file seen empty is re-read once after this delay (truncate-then-write saves).
const EMPTY_RETRY: Duration = Duration::from_millis(250);

pub fn status_path(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("watch.json")
}

fn cookie_dir(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("cookies")
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // Signal 0 checks existence; EPERM still means "alive".
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        false
    }
}

/// Reads the watcher's status, if a live, recent, healthy watcher wrote it.
pub fn live_status(root: &Path) -> Option<Status> {
    // The cache's safe reader: a FIFO or a symlink to /dev/zero put here must
    // not hang every command that asks whether a watcher runs.
    let text = crate::vault::read_cache_file(&status_path(root)).ok()?;
    let s: Status = serde_json::from_slice(&text).ok()?;
    let age = now_ms().saturating_sub(s.heartbeat_ms);
    (s.healthy && age <= STALE_AFTER.as_millis() as u64 && pid_alive(s.pid)).then_some(s)
}

/// For tests only (see `KITH_TEST_TRUST_WATCHER` in docs/watch.md): read
/// the note cache as the watcher left it, even when it did not answer.
pub fn trust_watcher_only() -> bool {
    std::env::var_os("KITH_TEST_TRUST_WATCHER").is_some_and(|v| v == "1")
}

/// How fresh the model file is known to be: [`Freshness::Vouched`] after a
/// flush answered by a healthy watcher that advertises the model file it
/// keeps (the load still checks it is that file); otherwise walk.
pub fn model_freshness(root: &Path) -> crate::store::Freshness {
    use crate::store::Freshness;
    if trust_watcher_only() {
        if !flush(root) {
            eprintln!("kith: no watcher answered the flush; the note cache was read as it is");
        }
        return crate::store::model_id(root).map_or(Freshness::Walk, Freshness::Vouched);
    }
    if !flush(root) {
        return Freshness::Walk;
    }
    live_status(root)
        .and_then(|s| s.model)
        .map_or(Freshness::Walk, Freshness::Vouched)
}

/// The vault (every note whole) from the model a healthy watcher keeps,
/// without a walk; `None` means "walk" (no watcher, no answer in time, or
/// another process replaced the file since).
pub fn vouched_vault(root: &Path) -> Option<crate::vault::Vault> {
    match model_freshness(root) {
        crate::store::Freshness::Vouched(id) => crate::store::load_vouched(root, id),
        crate::store::Freshness::Walk => None,
    }
}

/// Called by the watcher after every refresh of the model (`report` says
/// what changed), before the flush that waits on it is answered. The place
/// for caches derived from the model to bring themselves up to date: the
/// digest cache is warmed for today on a thread of its own
/// ([`warm_digest`]), so the flush never waits for it (a digest computed
/// afresh decodes every note: seconds at 100k).
pub fn after_refresh(root: &Path, report: &crate::store::Report, warm: bool) {
    let _ = report;
    if warm {
        warm_in_background(root);
    }
}

/// One warming thread at a time; a refresh while it runs asks it to go
/// round once more (the batches in between are covered by that round).
static WARMING: std::sync::Mutex<(bool, bool)> = std::sync::Mutex::new((false, false));

fn warm_in_background(root: &Path) {
    {
        let Ok(mut w) = WARMING.lock() else { return };
        if w.0 {
            w.1 = true;
            return;
        }
        *w = (true, false);
    }
    let root = root.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("kith-warm-digest".into())
        .spawn(move || {
            loop {
                warm_digest(&root);
                let Ok(mut w) = WARMING.lock() else { return };
                if !w.1 {
                    w.0 = false;
                    return;
                }
                w.1 = false;
            }
        });
    if spawned.is_err()
        && let Ok(mut w) = WARMING.lock()
    {
        *w = (false, false);
    }
}

/// Brings today's digest cache level with the model file this watcher has
/// just written: nothing when it already holds it (only the directory is
/// read), else every note decoded and the digest computed and stored.
/// Reads that file only as it is (no walk, nothing saved: a model written
/// here would look foreign to the watcher); best-effort, silent.
pub fn warm_digest(root: &Path) {
    let t = std::time::Instant::now();
    let Some(id) = crate::store::model_id(root) else {
        return;
    };
    let Some(model) = crate::store::open_vouched(root, id) else {
        return;
    };
    let today = chrono::Local::now().date_naive();
    let limits = crate::digest::Limits::of(model.config(), false);
    // No key (a note unreadable, the dismissals file broken): nothing could
    // be stored, and the warnings are the next digest's to print.
    let Some(key) = crate::digest::cached::vault_key(model.root(), model.config(), model.sources())
    else {
        return;
    };
    let key = Some(key);
    if let crate::digest::Lookup::Miss = crate::digest::lookup(root, key, today, limits)
        && let Ok(vault) = model.into_vault_keeping(Some(crate::digest::FRONT_KEYS))
    {
        let _ = crate::digest::compute(&vault, today, limits, key);
    }
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!("trace: digest cache warmed in {:?}", t.elapsed());
    }
}

/// The watcher's hold on the model file.
struct ModelKeeper {
    root: PathBuf,
    /// [`Options::warm_digest`].
    warm: bool,
    /// The model as this watcher last left it (what it vouches for).
    held: Option<crate::store::Held>,
    /// What the files deciding which paths are notes (config, Obsidian's
    /// template settings) looked like at the last walk: a change means walk.
    filter_key: Vec<Option<crate::store::FileId>>,
}

impl ModelKeeper {
    fn filter_key(root: &Path) -> Vec<Option<crate::store::FileId>> {
        [
            crate::config::Config::rel_path(),
            Path::new(".obsidian/templates.json"),
            Path::new(".obsidian/plugins/templater-obsidian/data.json"),
        ]
        .iter()
        .map(|p| crate::store::file_id(&root.join(p)))
        .collect()
    }

    fn vouched(&self) -> Option<crate::store::FileId> {
        self.held.as_ref().map(crate::store::Held::id)
    }

    /// A full walk-and-compare (at start, after a rescan, or when another
    /// process replaced the file).
    fn walk(&mut self) {
        self.held = None;
        self.filter_key = Self::filter_key(&self.root);
        match crate::store::Model::open(&self.root) {
            Ok((m, report)) => {
                self.held = crate::store::Held::of(m);
                after_refresh(&self.root, &report, self.warm);
            }
            Err(e) => eprintln!("warning: the note cache could not be refreshed ({e})"),
        }
    }

    fn refresh(&mut self, paths: &[PathBuf]) {
        let Some(held) = self.held.take() else {
            return self.walk();
        };
        if crate::store::model_id(&self.root) != Some(held.id())
            || Self::filter_key(&self.root) != self.filter_key
        {
            return self.walk();
        }
        match held.refresh(paths) {
            Ok((held, report)) => {
                self.held = held;
                after_refresh(&self.root, &report, self.warm);
            }
            Err(e) => eprintln!("warning: the note cache could not be refreshed ({e})"),
        }
    }

    /// Before answering a flush: the file must still be ours, else walk.
    fn check(&mut self) {
        if crate::store::model_id(&self.root) != self.vouched()
            || Self::filter_key(&self.root) != self.filter_key
        {
            self.walk();
        }
    }
}

/// True when a healthy watcher has just synced every change made before this
/// call, so the index may be trusted without a walk.
pub fn flush(root: &Path) -> bool {
    if live_status(root).is_none() {
        return false;
    }
    let dir = cookie_dir(root);
    if std::fs::create_dir_all(&dir).is_err() {
        return false;
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let cookie = dir.join(format!("{}-{nanos}", std::process::id()));
    if std::fs::write(&cookie, b"").is_err() {
        return false;
    }
    // Test mode waits longer: it must tell a slow watcher on a loaded
    // machine from one that does nothing, and it never walks anyway.
    let wait = if trust_watcher_only() {
        TEST_FLUSH_WAIT
    } else {
        FLUSH_WAIT
    };
    let start = Instant::now();
    while start.elapsed() < wait {
        if !cookie.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let _ = std::fs::remove_file(&cookie);
    false
}

struct Advert {
    root: PathBuf,
    status: Status,
    last: Instant,
    /// A folder holding a symlinked note's target could not be watched:
    /// the watcher is told nothing of it, so it vouches for nothing (it
    /// says it is not healthy) until it can.
    blind: bool,
}

impl Advert {
    fn write(&mut self) {
        self.status.heartbeat_ms = now_ms();
        self.last = Instant::now();
        let mut shown = self.status.clone();
        shown.healthy &= !self.blind;
        if let Ok(bytes) = serde_json::to_vec(&shown) {
            let _ = crate::write::write_if_changed(&status_path(&self.root), &bytes);
        }
    }

    fn remove(&self) {
        let _ = std::fs::remove_file(status_path(&self.root));
    }
}

fn say(opts: &Options, msg: &str) {
    if !opts.quiet {
        eprintln!("{msg}");
    }
}

const LIMIT_HINT: &str = "the system's inotify limits are too low to watch this vault\n  hint: raise them, e.g. `sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512` (add the same to /etc/sysctl.d/ to keep it), or run `kith watch --poll`";

type Events = mpsc::Receiver<notify::Result<notify::Event>>;

/// What delivers change hints: native events, or (polling) nothing — the
/// loop then walks and compares every `poll_interval` by itself. notify's
/// own poller is not used: it compares modification times in whole seconds
/// and not sizes, so an edit within a second of its last scan is never seen.
enum Source {
    Native {
        watcher: Box<dyn Watcher>,
        /// Folders outside the vault watched for the targets of symlinked
        /// notes (see [`symlinks`]).
        outside: BTreeSet<PathBuf>,
        /// One of those could not be watched (inotify's limit reached, no
        /// permission): its changes would go unseen.
        blind: bool,
    },
    /// Keeps the channel open; no events come.
    Polling {
        _open: mpsc::Sender<notify::Result<notify::Event>>,
    },
}

fn start_watcher(root: &Path, opts: &mut Options) -> Result<(Source, Events)> {
    let (tx, rx) = mpsc::channel();
    if !opts.poll {
        let native = notify::recommended_watcher(tx.clone()).and_then(|mut w| {
            w.watch(root, RecursiveMode::Recursive)?;
            Ok(w)
        });
        match native {
            Ok(w) => {
                return Ok((
                    Source::Native {
                        watcher: Box::new(w),
                        outside: BTreeSet::new(),
                        blind: false,
                    },
                    rx,
                ));
            }
            Err(e) => {
                if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                    eprintln!("warning: {LIMIT_HINT}\nwarning: falling back to polling");
                } else {
                    eprintln!(
                        "warning: native file watching failed ({e}); falling back to polling"
                    );
                }
                opts.poll = true;
            }
        }
    }
    Ok((Source::Polling { _open: tx }, rx))
}

/// The symlinked notes among the walk's, with the folders outside the
/// vault their targets are in watched (polling needs none of it: its walk
/// reads every note through its link).
fn follow_links(root: &Path, source: &mut Source) -> symlinks::Symlinked {
    if !matches!(source, Source::Native { .. }) {
        return symlinks::Symlinked::default();
    }
    let links = symlinks::Symlinked::of(root, crate::store::walk(root).0.into_iter().map(|n| n.0));
    // A walk follows: nothing to catch up on when sight comes back here.
    let _ = watch_outside(root, source, &links);
    links
}

/// Watches the folders outside the vault that `links` reach and are not
/// watched yet; stops watching those no link reaches any more. One that
/// cannot be watched makes the watcher blind (said once); true when it
/// has just stopped being blind: what changed meanwhile went unseen.
fn watch_outside(root: &Path, source: &mut Source, links: &symlinks::Symlinked) -> bool {
    let Source::Native {
        watcher,
        outside,
        blind,
    } = source
    else {
        return false;
    };
    let want = links.folders_outside(root);
    for gone in outside.difference(&want) {
        let _ = watcher.unwatch(gone);
    }
    let mut now = BTreeSet::new();
    let mut failed = None;
    for dir in want {
        if outside.contains(&dir) {
            now.insert(dir);
            continue;
        }
        match watcher.watch(&dir, RecursiveMode::NonRecursive) {
            Ok(()) => {
                now.insert(dir);
            }
            // Gone meanwhile: the note's link dangles, and the folder
            // holding it (watched) tells when it comes back.
            Err(e) if dir.exists() => {
                failed.get_or_insert((dir, e));
            }
            Err(_) => {}
        }
    }
    *outside = now;
    let was = std::mem::replace(blind, failed.is_some());
    if let Some((dir, e)) = failed
        && !was
    {
        if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
            eprintln!("warning: {LIMIT_HINT}");
        }
        eprintln!(
            "warning: {} (holding a symlinked note's target) cannot be watched ({e}); commands walk the vault until it can",
            dir.display()
        );
    }
    was && !*blind
}

fn is_blind(source: &Source) -> bool {
    matches!(source, Source::Native { blind: true, .. })
}

/// An event naming a watched folder outside the vault itself (moved,
/// removed, made again): its watch may be on a folder no longer at that
/// path (inotify watches inodes, and drops a removed folder's), so it is
/// dropped, and the batch this event starts (it names a path deciding
/// where a link leads) watches whatever is there now.
fn unwatch_replaced(source: &mut Source, ev: &notify::Event) {
    let Source::Native {
        watcher, outside, ..
    } = source
    else {
        return;
    };
    if matches!(ev.kind, notify::EventKind::Access(_)) {
        return;
    }
    for p in &ev.paths {
        if outside.remove(p) {
            let _ = watcher.unwatch(p);
        }
    }
}

/// Runs until `stop` is set (SIGINT/SIGTERM), then syncs what is pending,
/// shuts the sink down and withdraws the advertisement.
pub fn run(
    root: &Path,
    mut opts: Options,
    sink: &mut dyn Sink,
    stop: Arc<AtomicBool>,
) -> Result<()> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let cookies = cookie_dir(&root);
    std::fs::create_dir_all(&cookies).map_err(|e| Error::io(&cookies, e))?;
    // Stale cookies from a crashed command are removed.
    if let Ok(rd) = std::fs::read_dir(&cookies) {
        for e in rd.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let (mut watcher, rx) = start_watcher(&root, &mut opts)?;
    let started = Instant::now();
    // Before the first sync: an edit to a link's target from then on is seen.
    let mut links = follow_links(&root, &mut watcher);
    // Another command may be syncing right now: never die of it, retry later.
    let (n, mut rescan) = match sink.full_sync() {
        Ok(n) => (n, false),
        Err(e) => {
            eprintln!("warning: first sync failed ({e}); will re-check the whole vault");
            (0, true)
        }
    };
    let mut model = ModelKeeper {
        root: root.clone(),
        warm: opts.warm_digest,
        held: None,
        filter_key: Vec::new(),
    };
    model.walk();
    sink.model_refreshed(model.vouched());
    if let Err(e) = sink.after_change() {
        eprintln!("warning: {e}");
    }
    let mut advert = Advert {
        root: root.clone(),
        status: Status {
            pid: std::process::id(),
            heartbeat_ms: 0,
            seq: 0,
            healthy: !opts.poll && !rescan,
            mode: if opts.poll { "poll" } else { "native" }.into(),
            model: model.vouched(),
        },
        last: Instant::now(),
        blind: is_blind(&watcher),
    };
    advert.write();
    say(
        &opts,
        &format!(
            "watching {} ({}; {n} changes synced at start in {} ms); Ctrl-C to stop",
            root.display(),
            if opts.poll {
                "polling"
            } else {
                "native events"
            },
            started.elapsed().as_millis()
        ),
    );

    let mut dirty: BTreeSet<PathBuf> = BTreeSet::new();
    let mut first_event: Option<Instant> = None;
    let mut last_event = Instant::now();
    let mut pending_cookies: Vec<PathBuf> = Vec::new();
    // `.kith/config.yaml` or `.kith/intros.yaml` changed: the digest may
    // differ though no note did.
    let mut settings = false;
    let mut retry_empty: HashMap<PathBuf, Instant> = HashMap::new();
    let mut last_poll = Instant::now();
    let result = loop {
        if stop.load(Ordering::Relaxed) {
            break Ok(());
        }
        if matches!(watcher, Source::Polling { .. }) && last_poll.elapsed() >= opts.poll_interval {
            last_poll = Instant::now();
            rescan = true;
            first_event.get_or_insert_with(Instant::now);
        }
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(Ok(ev)) => {
                if ev.need_rescan() {
                    advert.status.healthy = false;
                }
                unwatch_replaced(&mut watcher, &ev);
                if absorb(
                    &ev,
                    &Around {
                        root: &root,
                        opts: &opts,
                        links: &links,
                    },
                    &mut dirty,
                    &mut rescan,
                    &mut settings,
                    &mut pending_cookies,
                ) {
                    first_event.get_or_insert_with(Instant::now);
                    last_event = Instant::now();
                }
            }
            Ok(Err(e)) => {
                if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                    eprintln!("warning: {LIMIT_HINT}");
                } else {
                    say(
                        &opts,
                        &format!("warning: watcher error ({e}); re-checking the whole vault"),
                    );
                }
                rescan = true;
                advert.status.healthy = false;
                first_event.get_or_insert_with(Instant::now);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Err(Error::Other("the file watcher stopped unexpectedly".into()));
            }
        }
        // Files seen empty get one more look after a short delay.
        let now = Instant::now();
        let due: Vec<PathBuf> = retry_empty
            .iter()
            .filter(|(_, t)| now >= **t)
            .map(|(p, _)| p.clone())
            .collect();
        for p in due {
            retry_empty.remove(&p);
            dirty.insert(p);
            first_event.get_or_insert_with(Instant::now);
        }
        let quiet = last_event.elapsed() >= opts.debounce;
        let overdue = first_event.is_some_and(|t| t.elapsed() >= opts.max_delay);
        let flush = !pending_cookies.is_empty();
        if (!dirty.is_empty() || rescan || settings) && (quiet || overdue || flush) {
            let mut batch: Vec<PathBuf> = std::mem::take(&mut dirty).into_iter().collect();
            // A note that is empty right now may be mid-save (truncate, then write):
            // keep the indexed version and look again shortly, once.
            batch.retain(|rel| {
                let empty = std::fs::metadata(root.join(rel)).is_ok_and(|m| m.len() == 0);
                if empty && !retry_empty.contains_key(rel) && !flush {
                    retry_empty.insert(rel.clone(), Instant::now() + EMPTY_RETRY);
                    false
                } else {
                    true
                }
            });
            // Which notes are links, and to what, before they are read: an
            // edit to a target from then on is an event.
            if rescan {
                links = follow_links(&root, &mut watcher);
            } else if !batch.is_empty() && matches!(watcher, Source::Native { .. }) {
                for rel in &batch {
                    links.update(&root, rel);
                }
                // Seeing again after being blind: what changed meanwhile
                // is found by a walk, now.
                if watch_outside(&root, &mut watcher, &links) {
                    rescan = true;
                }
            }
            advert.blind = is_blind(&watcher);
            let changed = if rescan {
                rescan = false;
                model.walk();
                let r = sink.full_sync();
                if r.is_ok() {
                    advert.status.healthy = !opts.poll;
                }
                r
            } else if batch.is_empty() {
                Ok(0)
            } else {
                model.refresh(&batch);
                sink.sync_paths(&batch)
            };
            sink.model_refreshed(model.vouched());
            let settings_changed = std::mem::take(&mut settings);
            match changed {
                Ok(n) => {
                    if n > 0 || settings_changed {
                        if let Err(e) = sink.after_change() {
                            eprintln!("warning: {e}");
                        }
                        if !opts.quiet && n > 0 {
                            eprintln!("synced {n} change{}", if n == 1 { "" } else { "s" });
                        }
                    }
                }
                Err(e) => {
                    eprintln!("warning: sync failed ({e}); will re-check the whole vault");
                    rescan = true;
                    advert.status.healthy = false;
                }
            }
            first_event = None;
            advert.status.seq += 1;
            advert.status.model = model.vouched();
            advert.write();
        }
        if !pending_cookies.is_empty() && dirty.is_empty() && !rescan {
            // Another command may have saved the model since (its own walk):
            // vouch only for a file this watcher has checked.
            model.check();
            if advert.status.model != model.vouched() {
                advert.status.model = model.vouched();
                advert.write();
            }
            for c in pending_cookies.drain(..) {
                let _ = std::fs::remove_file(c);
            }
        }
        if advert.last.elapsed() >= Duration::from_secs(1) {
            advert.write();
        }
    };
    // Shut down: withdraw the advert first so no command trusts a stopping watcher.
    advert.status.healthy = false;
    advert.write();
    // Changes made before the stop may still be on their way from the kernel:
    // a last cookie marks the end of them (one ordered queue), bounded.
    let last_cookie = cookies.join(format!("stop-{}", std::process::id()));
    if std::fs::write(&last_cookie, b"").is_ok() {
        let until = Instant::now() + FLUSH_WAIT;
        let mut seen = Vec::new();
        while Instant::now() < until && !seen.contains(&last_cookie) {
            if let Ok(Ok(ev)) = rx.recv_timeout(Duration::from_millis(20)) {
                absorb(
                    &ev,
                    &Around {
                        root: &root,
                        opts: &opts,
                        links: &links,
                    },
                    &mut dirty,
                    &mut rescan,
                    &mut settings,
                    &mut seen,
                );
            }
        }
        let _ = std::fs::remove_file(&last_cookie);
    }
    drop(watcher);
    // The last sync's failure is the command's failure: the index is then
    // not known to be consistent.
    let last = if rescan {
        sink.full_sync().map(|_| ())
    } else if !dirty.is_empty() || !retry_empty.is_empty() {
        let batch: Vec<PathBuf> = dirty.into_iter().chain(retry_empty.into_keys()).collect();
        sink.sync_paths(&batch).map(|_| ())
    } else {
        Ok(())
    };
    let shut = sink.shutdown();
    advert.remove();
    result.and(last).and(shut)
}

/// Notes what one event says may have changed; true if it concerned the
/// vault (not only a cookie or an ignored path).
/// What an event is read against.
struct Around<'a> {
    root: &'a Path,
    opts: &'a Options,
    links: &'a symlinks::Symlinked,
}

fn absorb(
    ev: &notify::Event,
    at: &Around<'_>,
    dirty: &mut BTreeSet<PathBuf>,
    rescan: &mut bool,
    settings: &mut bool,
    cookies_seen: &mut Vec<PathBuf>,
) -> bool {
    // Reading a file or listing a folder changes nothing (and our own walks
    // cause such events: reacting to them would loop). Closing a file that
    // was open for writing does count.
    if let notify::EventKind::Access(a) = ev.kind
        && a != notify::event::AccessKind::Close(notify::event::AccessMode::Write)
    {
        return false;
    }
    if ev.need_rescan() {
        *rescan = true;
    }
    let Around { root, opts, links } = *at;
    let cookies = cookie_dir(root);
    let mut relevant = false;
    for p in &ev.paths {
        if p.starts_with(&cookies) {
            if p.parent() == Some(cookies.as_path()) && p.exists() {
                cookies_seen.push(p.clone());
            }
            continue;
        }
        if opts.ignore.iter().any(|i| i == p) {
            continue;
        }
        // The file a symlinked note reaches (inside the vault or out), a
        // folder on its way, or a watched folder moved or removed whole.
        for n in links.notes_reaching(p).chain(links.notes_within(p)) {
            dirty.insert(n.clone());
            relevant = true;
        }
        let Ok(rel) = p.strip_prefix(root) else {
            continue;
        };
        // Hidden, but they change the digest (cadences, dismissed
        // introductions) and, for the config, which paths are notes: a
        // digest file left as it was until some note changed was stale.
        let config = rel == crate::config::Config::rel_path() || names_templates(rel);
        if config || rel == Path::new(".kith/intros.yaml") {
            *rescan |= config;
            *settings = true;
            relevant = true;
            continue;
        }
        match classify(rel) {
            // A folder named like a note (`x.md/`) moved in or renamed to:
            // the walk reads the notes inside it.
            Relevance::Note if std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()) => {
                *rescan = true
            }
            Relevance::Note => {
                dirty.insert(rel.to_path_buf());
            }
            Relevance::Folder => *rescan = true,
            // A folder named like a file (`proj.v1`) moved in, or one
            // renamed or removed (nothing left to look at): walk.
            Relevance::Ignore
                if filter::named_like_a_file(rel)
                    && std::fs::symlink_metadata(p).map_or(true, |m| m.is_dir()) =>
            {
                *rescan = true
            }
            Relevance::Ignore => continue,
        }
        relevant = true;
    }
    relevant
}

/// Is `rel` one of Obsidian's template settings, which decide which paths
/// are notes, or a folder holding one (`.obsidian` moved in whole names no
/// file of it)? Hidden, so `classify` ignores it; but the index must walk
/// again, as the model does (see `ModelKeeper::filter_key`).
fn names_templates(rel: &Path) -> bool {
    [
        Path::new(".obsidian/templates.json"),
        Path::new(".obsidian/plugins/templater-obsidian/data.json"),
    ]
    .iter()
    .any(|p| !rel.as_os_str().is_empty() && p.starts_with(rel))
}

/// A stop flag set by SIGINT or SIGTERM.
pub fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Error::Other(format!("cannot handle signals: {e}")))?;
    }
    Ok(stop)
}
