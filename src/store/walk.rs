//! The one walk of the vault: which files are notes (by
//! [`vault::NoteFilter`]'s rules) and each one's [`Stamp`]. The model and the
//! search index both start from it, so they always agree on the notes.
//!
//! It is the whole cost of a freshness check without a watcher, so it is
//! written for speed: names are filtered as bytes before any path is built
//! (one allocation per note, none per skipped entry), each file is stat'ed
//! relative to its folder's descriptor (`fstatat`: one name lookup, not one
//! per path component), in inode order (see `imp::stamps`), ignored folders
//! are never entered, folders are walked on every core and a large
//! folder's files stat'ed on every core, and each folder's files are
//! sorted by name on their own (one run per folder, merged at the end).

use super::{Stamp, path_order};
use crate::diag::Diagnostic;
use crate::vault;
use std::path::{Path, PathBuf};

/// Every note under `root` with its stamp, sorted by [`path_order`]. The
/// rules of [`vault::NoteFilter`]: `*.md` (any case), hidden names and
/// `node_modules` skipped, ignored paths (config `ignore:`, Obsidian's
/// templates folder) skipped and their folders not entered, symlinked
/// folders not followed, symlinked notes read through.
///
/// A path named like a note that is not a regular file once symlinks are
/// followed (a folder, a FIFO or device, a dangling symlink) is listed with
/// [`Stamp::default()`], so reading it reports the problem; nothing with that
/// stamp is ever trusted as unchanged, and the search index leaves it out.
pub fn walk(root: &Path) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>) {
    let filter = vault::NoteFilter::for_vault(root);
    let (notes, diags, _) = walk_by(root, &filter);
    (notes, diags)
}

type FolderList = Vec<(Vec<u8>, Stamp)>;

fn walk_by(
    root: &Path,
    filter: &vault::NoteFilter,
) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>, Option<FolderList>) {
    let (mut notes, diags, folders) = imp::scan(root, filter);
    let order = |a: &(PathBuf, Stamp), b: &(PathBuf, Stamp)| path_order(&a.0).cmp(path_order(&b.0));
    // On Unix the walk hands over sorted runs, one per folder, usually
    // sorted as a whole already; a stable sort merges what interleaves.
    if !notes.is_sorted_by(|a, b| order(a, b).is_le()) {
        notes.sort_by(order);
    }
    (notes, diags, folders)
}

/// The folders a walk entered, each with its stamp: while none of them
/// moved (a name added, removed or renamed in a folder moves its time),
/// the same walk finds the same notes, so only the notes themselves need
/// a look (see the search index's freshness check).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Folders {
    /// Vault-relative, the vault itself as the empty path, sorted by bytes.
    pub list: Vec<(Vec<u8>, Stamp)>,
    /// [`rules_key`] of the filter the walk used.
    pub rules: u64,
}

/// A key of the rules that decide which files are notes (the config's
/// `ignore:` patterns, Obsidian's templates folder): a walk's
/// [`Folders`] vouch for its notes only under the same rules.
pub fn rules_key(filter: &vault::NoteFilter) -> u64 {
    crate::text::content_hash(format!("{filter:?}").as_bytes())
}

/// [`Walked::now`] and the folders it entered, unless the walk met what
/// a look at the notes alone cannot follow (a folder it could not read, a
/// note-named entry that is not a regular file once symlinks are
/// followed, an entry gone while it was listed): then `None`.
pub fn walk_recorded(root: &Path) -> (Walked, Option<Folders>) {
    let as_of_ns = super::now_ns();
    let filter = vault::NoteFilter::for_vault(root);
    let (notes, _, folders) = walk_by(root, &filter);
    let folders = folders.map(|list| Folders {
        list,
        rules: rules_key(&filter),
    });
    (Walked { as_of_ns, notes }, folders)
}

/// One walk of the vault and when it was taken: what a freshness pass
/// hands on, so the search index can use the model's walk instead of
/// walking again.
#[derive(Debug, Default)]
pub struct Walked {
    /// Taken just before the walk started: every stamp is at least this
    /// recent (see [`Stamp::doubtful`]).
    pub as_of_ns: i64,
    /// As [`walk`] returns them.
    pub notes: Vec<(PathBuf, Stamp)>,
}

impl Walked {
    /// Walks `root` now (its warnings are the model's to report).
    pub fn now(root: &Path) -> Walked {
        let as_of_ns = super::now_ns();
        let (notes, _) = walk(root);
        Walked { as_of_ns, notes }
    }
}

/// A stat's [`Stamp`], whatever the kind of file (the walk's own for a
/// regular file).
#[cfg(unix)]
pub fn stat_stamp(st: &libc::stat) -> Stamp {
    imp::any_stamp(st)
}

/// What a scan found: the notes, warnings, and the folders entered (see
/// [`walk_recorded`]).
type Scanned = (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>, Option<FolderList>);

/// The warning for a folder (or the vault itself, `.`) that could not be read.
fn unreadable(rel: &Path, e: &std::io::Error) -> Diagnostic {
    let shown = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    Diagnostic::warning(shown, 1, 1, format!("could not read: {e}"))
        .hint("check the permissions of this file or folder")
}

/// `x.md` in any case, as bytes: a name ending in an emoji or invalid UTF-8
/// is simply not a note.
fn is_md_name(name: &[u8]) -> bool {
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(b".md")
}

#[cfg(unix)]
mod imp {
    use super::{Stamp, is_md_name, unreadable};
    use crate::diag::Diagnostic;
    use crate::vault::NoteFilter;
    use rayon::prelude::*;
    use std::ffi::{CStr, CString, OsString};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Files stat'ed per task: big enough that a task is worth stealing,
    /// small enough that a 100k-file folder keeps both cores busy.
    const BATCH: usize = 1024;

    /// Below this many entries a folder's sorts stay on one core: waking
    /// the other (a context switch each way) cost more than it saved.
    const PAR_SORT: usize = 50_000;

    /// A name's bytes kept in its [`Ent`]: most names fit.
    const INLINE: usize = 32;

    /// A listed file, small and self-contained so that sorting moves it
    /// along with its keys: reading another array at random per file (a
    /// cache miss each, about 100 ns here) cost more than the sorts.
    #[derive(Clone, Copy)]
    struct Ent {
        /// The name's first [`INLINE`] bytes, zero-padded, as two
        /// big-endian numbers: ordered as the bytes are (a name holds no
        /// NUL, so a shorter one sorts first).
        key: (u128, u128),
        /// As the listing gave it: the order to stat in.
        ino: u64,
        /// Where the whole name is in the folder's name buffer (each name
        /// followed by a NUL).
        at: u32,
        /// The name's length, or `u16::MAX` when longer.
        len: u16,
        how: How,
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum How {
        /// `fstatat` without following a symlink.
        Stat,
        /// A symlink: stat'ed through.
        Follow,
        /// Already known: the listing had to stat it (see `folder`).
        Known,
    }

    impl Ent {
        fn new(name: &[u8], ino: u64, at: u32, how: How) -> Ent {
            let mut b = [0u8; INLINE];
            let n = name.len().min(INLINE);
            b[..n].copy_from_slice(&name[..n]);
            let (hi, lo) = b.split_at(16);
            let num = |h: &[u8]| u128::from_be_bytes(h.try_into().unwrap_or([0; 16]));
            Ent {
                key: (num(hi), num(lo)),
                ino,
                at,
                len: u16::try_from(name.len()).unwrap_or(u16::MAX),
                how,
            }
        }

        fn inline(&self) -> bool {
            usize::from(self.len) <= INLINE
        }

        /// Appends the name, from the entry itself when it fits.
        fn push_name(&self, names: &[u8], out: &mut Vec<u8>) {
            if self.inline() {
                let mut b = [0u8; INLINE];
                b[..16].copy_from_slice(&self.key.0.to_be_bytes());
                b[16..].copy_from_slice(&self.key.1.to_be_bytes());
                out.extend_from_slice(&b[..usize::from(self.len)]);
            } else {
                out.extend_from_slice(name_at(names, self.at));
            }
        }

        /// By name: the inline bytes, then the whole names on a tie.
        fn cmp_name(&self, other: &Ent, names: &[u8]) -> std::cmp::Ordering {
            self.key.cmp(&other.key).then_with(|| {
                if self.inline() && other.inline() {
                    self.len.cmp(&other.len)
                } else {
                    name_at(names, self.at).cmp(name_at(names, other.at))
                }
            })
        }
    }

    /// The NUL-terminated name at `at` of a folder's name buffer.
    fn c_name(names: &[u8], at: u32) -> Option<&CStr> {
        CStr::from_bytes_until_nul(names.get(at as usize..)?).ok()
    }

    fn name_at(names: &[u8], at: u32) -> &[u8] {
        c_name(names, at).map_or(&[], CStr::to_bytes)
    }

    /// What every folder adds to: its notes (sorted by name) and warnings.
    #[derive(Default)]
    struct Out {
        runs: Mutex<Vec<Vec<(PathBuf, Stamp)>>>,
        diags: Mutex<Vec<Diagnostic>>,
        /// Every folder entered, with its stamp.
        folders: Mutex<Vec<(Vec<u8>, Stamp)>>,
        /// Met something a look at the notes alone cannot follow (see
        /// `walk_recorded`).
        odd: AtomicBool,
    }

    impl Out {
        fn run(&self, run: Vec<(PathBuf, Stamp)>) {
            if !run.is_empty() {
                lock(&self.runs).push(run);
            }
        }

        fn warn(&self, rel: &[u8], e: &std::io::Error) {
            self.odd();
            let rel = Path::new(std::ffi::OsStr::from_bytes(rel));
            lock(&self.diags).push(unreadable(rel, e));
        }

        fn odd(&self) {
            self.odd.store(true, Ordering::Relaxed);
        }
    }

    /// A poisoned lock only means another task panicked; its data is whole.
    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The notes in folder runs, each run sorted, the runs in the order of
    /// their first path: sorted as a whole unless a folder's files and a
    /// subfolder's interleave (`a.md`, `b/x.md`, `c.md`), which the
    /// caller's sort mends.
    pub fn scan(root: &Path, filter: &NoteFilter) -> super::Scanned {
        let out = Out::default();
        match open_root(root) {
            Ok(fd) => rayon::scope(|s| folder(s, fd, Vec::new(), filter, &out)),
            Err(e) => out.warn(b"", &e),
        }
        let runs = out
            .runs
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let diags = out
            .diags
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut folders = out
            .folders
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        folders.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let folders = (!out.odd.into_inner()).then_some(folders);
        (join(runs), diags, folders)
    }

    /// The runs one after the other, in the order of their first paths.
    /// The largest is kept and grown in place, the others copied around it:
    /// copying it into fresh memory cost a page fault per 4 KiB.
    fn join(mut runs: Vec<Vec<(PathBuf, Stamp)>>) -> Vec<(PathBuf, Stamp)> {
        runs.sort_unstable_by(|a, b| a[0].0.as_os_str().cmp(b[0].0.as_os_str()));
        let Some(big) = (0..runs.len()).max_by_key(|&i| runs[i].len()) else {
            return Vec::new();
        };
        let after: Vec<Vec<(PathBuf, Stamp)>> = runs.split_off(big + 1);
        let mut all = runs.pop().unwrap_or_default();
        let before: Vec<(PathBuf, Stamp)> = runs.into_iter().flatten().collect();
        all.reserve_exact(before.len() + after.iter().map(Vec::len).sum::<usize>());
        all.splice(0..0, before);
        for run in after {
            all.extend(run);
        }
        all
    }

    fn open_root(root: &Path) -> std::io::Result<OwnedFd> {
        let c = CString::new(root.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        // SAFETY: `c` is a valid C string; the descriptor returned is ours.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor nobody else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// Opens the folder `name` inside the folder `dir`, never through a
    /// symlink (a symlinked folder is not walked: no loops, no escaping).
    fn open_sub(dir: RawFd, name: &CStr) -> std::io::Result<OwnedFd> {
        // SAFETY: `name` is a valid C string and `dir` an open descriptor.
        let fd = unsafe {
            libc::openat(
                dir,
                name.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor nobody else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// A folder's listing; closes its own descriptor (a duplicate of the
    /// folder's, which stays open for the stats) when dropped.
    struct Listing(*mut libc::DIR);

    impl Listing {
        fn of(fd: &OwnedFd) -> std::io::Result<Listing> {
            // SAFETY: duplicating an open descriptor; the copy is handed to
            // fdopendir, which owns it from then on (closedir closes it).
            let dup = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) };
            if dup < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // SAFETY: `dup` is an open folder descriptor we own.
            let d = unsafe { libc::fdopendir(dup) };
            if d.is_null() {
                let e = std::io::Error::last_os_error();
                // SAFETY: fdopendir failed, so `dup` is still ours to close.
                unsafe { libc::close(dup) };
                return Err(e);
            }
            Ok(Listing(d))
        }

        /// The next entry's name, type (`DT_*`) and inode number, or `None`
        /// at the end (a read error ends the listing too, as
        /// `read_dir().flatten()` did).
        #[allow(clippy::unnecessary_cast)] // `d_ino`'s type differs by platform
        fn next(&mut self) -> Option<(&CStr, u8, u64)> {
            // SAFETY: `self.0` is an open DIR used by this thread only; the
            // entry stays valid until the next call, which borrows `self`
            // mutably, so the returned name cannot outlive it.
            unsafe {
                let e = libc::readdir(self.0);
                if e.is_null() {
                    return None;
                }
                let name = CStr::from_ptr((*e).d_name.as_ptr());
                Some((name, (*e).d_type, (*e).d_ino as u64))
            }
        }
    }

    impl Drop for Listing {
        fn drop(&mut self) {
            // SAFETY: opened by fdopendir, closed exactly once.
            unsafe { libc::closedir(self.0) };
        }
    }

    /// `fstatat` relative to a folder: follows a symlink only when asked.
    fn stat_at(dir: RawFd, name: &CStr, follow: bool) -> Option<libc::stat> {
        // SAFETY: zeroed is a valid `stat`; fstatat only writes into it.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let flags = if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW };
        // SAFETY: `name` is a valid C string, `dir` an open descriptor and
        // `st` a writable stat buffer.
        let r = unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, flags) };
        (r == 0).then_some(st)
    }

    fn kind(st: &libc::stat) -> libc::mode_t {
        st.st_mode & libc::S_IFMT
    }

    /// A regular file's stamp; anything else (a folder, FIFO, device) the
    /// empty one, so reading it reports what it is.
    fn stamp(st: &libc::stat) -> Stamp {
        if kind(st) != libc::S_IFREG {
            return Stamp::default();
        }
        any_stamp(st)
    }

    /// A folder's stamp: its times, size and inode whatever its kind.
    #[allow(clippy::unnecessary_cast)] // the field types differ by platform
    pub(super) fn any_stamp(st: &libc::stat) -> Stamp {
        Stamp {
            size: st.st_size as u64,
            mtime_ns: (st.st_mtime as i64)
                .saturating_mul(1_000_000_000)
                .saturating_add(st.st_mtime_nsec as i64),
            ctime_ns: (st.st_ctime as i64)
                .saturating_mul(1_000_000_000)
                .saturating_add(st.st_ctime_nsec as i64),
            ino: st.st_ino as u64,
        }
    }

    /// `fstat` of an open descriptor.
    fn fstat(fd: RawFd) -> Option<libc::stat> {
        // SAFETY: zeroed is a valid `stat`; fstat only writes into it.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `fd` is an open descriptor and `st` a writable buffer.
        let r = unsafe { libc::fstat(fd, &mut st) };
        (r == 0).then_some(st)
    }

    fn into_path(bytes: Vec<u8>) -> PathBuf {
        PathBuf::from(OsString::from_vec(bytes))
    }

    /// One file's stamp. A dangling symlink, or a file gone since the
    /// listing, gets the empty stamp, so reading it says what is wrong.
    fn stat_name(dir: RawFd, name: Option<&CStr>, follow: bool) -> Stamp {
        name.and_then(|name| stat_at(dir, name, follow))
            .map_or_else(Stamp::default, |st| stamp(&st))
    }

    /// Fills in the stamp of every file of `run` (`ents` in the same
    /// order), stat'ing them in inode order: the kernel's name and inode
    /// caches were filled in about that order (by the files' creation, or
    /// by a first walk that read them so), so each `fstatat` finds its
    /// neighbour's cache lines warm, where in listing order (a hash order
    /// on ext4) every one missed: a quarter less system time at 100k
    /// notes. On disk, inode order is the inode table's order too.
    ///
    /// The names are first copied out in that order, so the loop around
    /// the system calls reads its memory in order: a cache miss per name
    /// there cost more than the copy (where the misses overlap). A large
    /// folder is stat'ed in runs of [`BATCH`] on every core.
    fn stamps(
        dir: RawFd,
        ents: &[Ent],
        names: &[u8],
        known: &[(u32, Stamp)],
        run: &mut [(PathBuf, Stamp)],
    ) {
        // (inode, position in `run` and `ents`, follow?)
        let mut order: Vec<(u64, u32, bool)> = Vec::with_capacity(ents.len());
        let mut queue: Vec<u8> = Vec::with_capacity(names.len());
        for (e, k) in ents.iter().zip(0u32..) {
            match e.how {
                How::Known => {
                    if let Ok(i) = known.binary_search_by_key(&e.at, |k| k.0) {
                        run[k as usize].1 = known[i].1;
                    }
                }
                how => order.push((e.ino, k, how == How::Follow)),
            }
        }
        if order.len() > PAR_SORT {
            order.par_sort_unstable_by_key(|o| o.0);
        } else {
            order.sort_unstable_by_key(|o| o.0);
        }
        // The names in that order, each followed by a NUL, and where each
        // starts.
        let mut starts: Vec<u32> = Vec::with_capacity(order.len());
        for o in &order {
            // Within `names`, whose offsets fit (see `folder`).
            starts.push(u32::try_from(queue.len()).unwrap_or(u32::MAX));
            ents[o.1 as usize].push_name(names, &mut queue);
            queue.push(0);
        }
        let one = |(o, at): (&(u64, u32, bool), &u32)| stat_name(dir, c_name(&queue, *at), o.2);
        let got: Vec<Stamp> = if order.len() > BATCH {
            // Indexed, so collected in place: no copies, no page faults.
            order
                .par_iter()
                .zip(starts.par_iter())
                .with_min_len(BATCH)
                .map(one)
                .collect()
        } else {
            order.iter().zip(&starts).map(one).collect()
        };
        for (o, st) in order.iter().zip(got) {
            run[o.1 as usize].1 = st;
        }
    }

    /// Lists one folder (`rel`: its vault-relative path with a trailing `/`,
    /// empty for the root): its folders are walked, each as a task of its
    /// own, then its files stat'ed and handed on as one run sorted by name.
    fn folder<'s>(
        s: &rayon::Scope<'s>,
        fd: OwnedFd,
        rel: Vec<u8>,
        filter: &'s NoteFilter,
        out: &'s Out,
    ) {
        let mut listing = match Listing::of(&fd) {
            Ok(l) => l,
            Err(e) => {
                out.warn(rel.strip_suffix(b"/").unwrap_or(&rel), &e);
                return;
            }
        };
        // Its stamp before its listing: a name added meanwhile moves it
        // past what is recorded.
        match fstat(fd.as_raw_fd()) {
            Some(st) => {
                let path = rel.strip_suffix(b"/").unwrap_or(&rel).to_vec();
                lock(&out.folders).push((path, any_stamp(&st)));
            }
            None => out.odd(),
        }
        let mut names: Vec<u8> = Vec::new();
        let mut ents: Vec<Ent> = Vec::new();
        // Stamps the listing learned, by name position (so sorted).
        let mut known: Vec<(u32, Stamp)> = Vec::new();
        // An entry's vault-relative path, for the ignore rules, built in
        // place (nothing allocated per entry).
        let mut path: Vec<u8> = Vec::new();
        while let Some((name, mut t, ino)) = listing.next() {
            let n = name.to_bytes();
            if n.first() == Some(&b'.') {
                continue;
            }
            let mut st = None;
            if t == libc::DT_UNKNOWN {
                // Some file systems do not say: ask.
                st = stat_at(fd.as_raw_fd(), name, false);
                t = match st.as_ref().map(kind) {
                    Some(libc::S_IFDIR) => libc::DT_DIR,
                    Some(libc::S_IFLNK) => libc::DT_LNK,
                    Some(_) => libc::DT_REG,
                    None => {
                        out.odd();
                        continue;
                    }
                };
            }
            let md = is_md_name(n);
            if t != libc::DT_DIR && !md {
                continue;
            }
            path.clear();
            path.extend_from_slice(&rel);
            path.extend_from_slice(n);
            if filter.skips_entry(&path, n) {
                continue;
            }
            // A folder named like a note is listed too (with the empty
            // stamp), so reading it reports it, rather than silently
            // passed over.
            if md && let Ok(at) = u32::try_from(names.len()) {
                let how = match st {
                    _ if t == libc::DT_DIR => {
                        known.push((at, Stamp::default()));
                        How::Known
                    }
                    _ if t == libc::DT_LNK => How::Follow,
                    // DT_UNKNOWN already stat'ed it.
                    Some(st) => {
                        known.push((at, stamp(&st)));
                        How::Known
                    }
                    None => How::Stat,
                };
                ents.push(Ent::new(n, ino, at, how));
                names.extend_from_slice(name.to_bytes_with_nul());
            }
            if t != libc::DT_DIR || !vault_walks(n) {
                continue;
            }
            match open_sub(fd.as_raw_fd(), name) {
                Ok(sub) => {
                    let mut sub_rel = Vec::with_capacity(path.len() + 1);
                    sub_rel.extend_from_slice(&path);
                    sub_rel.push(b'/');
                    s.spawn(move |s| folder(s, sub, sub_rel, filter, out));
                }
                Err(e) => out.warn(&path, &e),
            }
        }
        drop(listing);
        if ents.is_empty() {
            return;
        }
        // By name, which is by path within one folder: the heads first
        // (most names differ there), whole names on a tie.
        let by_name = |a: &Ent, b: &Ent| a.cmp_name(b, &names);
        if ents.len() > PAR_SORT {
            ents.par_sort_unstable_by(by_name);
        } else {
            ents.sort_unstable_by(by_name);
        }
        let mut run: Vec<(PathBuf, Stamp)> = ents
            .iter()
            .map(|e| {
                let mut p = Vec::with_capacity(rel.len() + usize::from(e.len));
                p.extend_from_slice(&rel);
                e.push_name(&names, &mut p);
                (into_path(p), Stamp::default())
            })
            .collect();
        stamps(fd.as_raw_fd(), &ents, &names, &known, &mut run);
        if run.iter().any(|(_, st)| *st == Stamp::default()) {
            out.odd();
        }
        out.run(run);
    }

    /// Is a folder of this name walked? (Hidden names never reach here.)
    fn vault_walks(name: &[u8]) -> bool {
        std::str::from_utf8(name).map_or(true, crate::vault::is_walked_dir)
    }
}

#[cfg(not(unix))]
mod imp {
    use super::{Stamp, unreadable};
    use crate::diag::Diagnostic;
    use crate::vault::{self, NoteFilter};
    use rayon::prelude::*;
    use std::path::{Path, PathBuf};

    type Found = (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>);

    /// No folders recorded: a folder's time is not known to move here.
    pub fn scan(root: &Path, filter: &NoteFilter) -> super::Scanned {
        let (notes, diags) = folder(root, Path::new(""), filter);
        (notes, diags, None)
    }

    fn folder(root: &Path, rel: &Path, filter: &NoteFilter) -> Found {
        let rd = match std::fs::read_dir(root.join(rel)) {
            Ok(rd) => rd,
            Err(e) => return (Vec::new(), vec![unreadable(rel, &e)]),
        };
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        let mut mine = Vec::new();
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let child = rel.join(e.file_name());
            if ft.is_dir() {
                if filter.skips(&child) {
                    continue;
                }
                if filter.is_note(&child) {
                    mine.push((child.clone(), Stamp::default()));
                }
                if vault::is_walked_dir(&e.file_name().to_string_lossy()) {
                    dirs.push(child);
                }
            } else if filter.is_note(&child) {
                files.push(child);
            }
        }
        mine.par_extend(files.into_par_iter().map(|child| {
            let st = match std::fs::metadata(root.join(&child)) {
                Ok(m) if m.is_file() => Stamp::of(&m),
                _ => Stamp::default(),
            };
            (child, st)
        }));
        let mut diags = Vec::new();
        let nested: Vec<Found> = dirs.par_iter().map(|d| folder(root, d, filter)).collect();
        for (mut v, mut d) in nested {
            mine.append(&mut v);
            diags.append(&mut d);
        }
        (mine, diags)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs;

    /// The walk against the plain answer, on a vault whose big folder takes
    /// the parallel paths (more than a batch of files), with names longer
    /// than an entry holds inline (two sharing their first 40 bytes), a
    /// folder's files interleaved with its subfolders' in path order, a
    /// folder named like a note, symlinks good and dangling, and what is
    /// skipped (hidden, not `.md`, `node_modules`).
    #[test]
    fn the_walk_lists_every_note_sorted_with_its_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut want: Vec<&str> = Vec::new();
        let mut names: Vec<String> = (0..1500).map(|i| format!("people/p{i}.md")).collect();
        let long = "x".repeat(40);
        names.push(format!("people/{long}1.md"));
        names.push(format!("people/{long}2.md"));
        names.push(format!("people/{long}.md"));
        for n in [
            "a.md",
            "a/y.md",
            "a-b.md",
            "b/x.md",
            "c.MD",
            "d.md/inner.md",
            "node_modules/n.md",
            ".hidden/h.md",
            "people/.h.md",
            "people/notes.txt",
        ] {
            names.push(n.to_string());
        }
        for n in &names {
            let p = root.join(n);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, format!("text of {n}")).unwrap();
        }
        std::os::unix::fs::symlink("a.md", root.join("link.md")).unwrap();
        std::os::unix::fs::symlink("gone.md", root.join("dangling.md")).unwrap();
        for n in &names {
            let skipped = n.starts_with("node_modules")
                || n.contains("/.")
                || n.starts_with('.')
                || n.ends_with(".txt");
            if !skipped {
                want.push(n);
            }
        }
        want.extend(["link.md", "dangling.md", "d.md"]);
        let mut want: Vec<(PathBuf, Stamp)> = want
            .into_iter()
            .map(|n| {
                let st = match fs::metadata(root.join(n)) {
                    Ok(m) if m.is_file() => Stamp::of(&m),
                    _ => Stamp::default(),
                };
                (PathBuf::from(n), st)
            })
            .collect();
        want.sort_by(|a, b| path_order(&a.0).cmp(path_order(&b.0)));
        let (got, diags) = walk(root);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w);
        }
        assert_ne!(got[0].1, Stamp::default(), "a regular file has a stamp");
    }
}
