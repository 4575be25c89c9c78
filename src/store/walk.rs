//! The one walk of the vault: which files are notes (by
//! [`vault::NoteFilter`]'s rules) and each one's [`Stamp`]. The model and the
//! search index both start from it, so they always agree on the notes.
//!
//! It is the whole cost of a freshness check without a watcher, so it is
//! written for speed: names are filtered as bytes before any path is built
//! (one allocation per note, none per skipped entry), each file is stat'ed
//! relative to its folder's descriptor (`fstatat`: one name lookup, not one
//! per path component), ignored folders are never entered, and the files of
//! a large folder are stat'ed in batches on every core while the folder is
//! still being listed.

use super::{Stamp, path_order};
use crate::diag::Diagnostic;
use crate::vault;
use rayon::prelude::*;
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
    let (mut notes, diags) = imp::scan(root, &filter);
    // Most paths differ in their first 16 bytes: compare those as one
    // number, and whole paths only on a tie.
    notes.par_sort_unstable_by(|a, b| {
        let (a, b) = (path_order(&a.0), path_order(&b.0));
        head(a).cmp(&head(b)).then_with(|| a.cmp(b))
    });
    (notes, diags)
}

/// A path's first 16 bytes as a big-endian number, zero-padded: ordered as
/// the bytes are (a path holds no NUL, so a shorter one sorts first).
fn head(p: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = p.len().min(16);
    b[..n].copy_from_slice(&p[..n]);
    u128::from_be_bytes(b)
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
    use std::ffi::{CStr, CString, OsString};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};

    /// Files stat'ed per task: big enough that a task is worth stealing,
    /// small enough that a 100k-file folder keeps both cores busy while it
    /// is still being listed.
    const BATCH: usize = 512;

    /// A listed file: its vault-relative path (`/`-separated), where its
    /// name starts, and whether to follow it (a symlink) when stat'ing.
    struct File {
        path: Vec<u8>,
        name_at: usize,
        follow: bool,
    }

    /// What every task adds to: notes (in no order) and warnings.
    #[derive(Default)]
    struct Out {
        notes: Mutex<Vec<Vec<(PathBuf, Stamp)>>>,
        diags: Mutex<Vec<Diagnostic>>,
    }

    impl Out {
        fn notes(&self, batch: Vec<(PathBuf, Stamp)>) {
            if !batch.is_empty() {
                lock(&self.notes).push(batch);
            }
        }

        fn warn(&self, rel: &[u8], e: &std::io::Error) {
            let rel = Path::new(std::ffi::OsStr::from_bytes(rel));
            lock(&self.diags).push(unreadable(rel, e));
        }
    }

    /// A poisoned lock only means another task panicked; its data is whole.
    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn scan(root: &Path, filter: &NoteFilter) -> (Vec<(PathBuf, Stamp)>, Vec<Diagnostic>) {
        let out = Out::default();
        match open_root(root) {
            Ok(fd) => rayon::scope(|s| folder(s, fd, Vec::new(), filter, &out)),
            Err(e) => out.warn(b"", &e),
        }
        let notes = out
            .notes
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut all = Vec::with_capacity(notes.iter().map(Vec::len).sum());
        for mut batch in notes {
            all.append(&mut batch);
        }
        let diags = out
            .diags
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (all, diags)
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

        /// The next entry's name and type (`DT_*`), or `None` at the end (a
        /// read error ends the listing too, as `read_dir().flatten()` did).
        fn next(&mut self) -> Option<(&CStr, u8)> {
            // SAFETY: `self.0` is an open DIR used by this thread only; the
            // entry stays valid until the next call, which borrows `self`
            // mutably, so the returned name cannot outlive it.
            unsafe {
                let e = libc::readdir(self.0);
                if e.is_null() {
                    return None;
                }
                Some((CStr::from_ptr((*e).d_name.as_ptr()), (*e).d_type))
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
    #[allow(clippy::unnecessary_cast)] // the field types differ by platform
    fn stamp(st: &libc::stat) -> Stamp {
        if kind(st) != libc::S_IFREG {
            return Stamp::default();
        }
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

    fn into_path(bytes: Vec<u8>) -> PathBuf {
        PathBuf::from(OsString::from_vec(bytes))
    }

    /// Stats a batch of one folder's files and hands their stamps to `out`.
    fn stat_batch(dir: &OwnedFd, files: Vec<File>, out: &Out) {
        let mut found = Vec::with_capacity(files.len());
        for File {
            mut path,
            name_at,
            follow,
        } in files
        {
            // The path was allocated one byte longer for this terminator:
            // the name is passed to fstatat in place, without a copy.
            path.push(0);
            let st = CStr::from_bytes_with_nul(&path[name_at..])
                .ok()
                .and_then(|name| stat_at(dir.as_raw_fd(), name, follow));
            path.pop();
            // A dangling symlink, or a file gone since the listing: listed
            // with the empty stamp, so reading it says what is wrong.
            let st = st.map_or_else(Stamp::default, |st| stamp(&st));
            found.push((into_path(path), st));
        }
        out.notes(found);
    }

    /// Lists one folder (`rel`: its vault-relative path with a trailing `/`,
    /// empty for the root): its files are stat'ed in batches and its
    /// folders walked, each as a task of its own.
    fn folder<'s>(
        s: &rayon::Scope<'s>,
        fd: OwnedFd,
        rel: Vec<u8>,
        filter: &'s NoteFilter,
        out: &'s Out,
    ) {
        let fd = Arc::new(fd);
        let mut listing = match Listing::of(&fd) {
            Ok(l) => l,
            Err(e) => {
                out.warn(rel.strip_suffix(b"/").unwrap_or(&rel), &e);
                return;
            }
        };
        let mut batch: Vec<File> = Vec::new();
        let mut known: Vec<(PathBuf, Stamp)> = Vec::new();
        while let Some((name, mut t)) = listing.next() {
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
                    None => continue,
                };
            }
            let md = is_md_name(n);
            if t != libc::DT_DIR && !md {
                continue;
            }
            let mut path = Vec::with_capacity(rel.len() + n.len() + 1);
            path.extend_from_slice(&rel);
            path.extend_from_slice(n);
            if filter.skips_entry(&path, n) {
                continue;
            }
            if t == libc::DT_DIR {
                if md {
                    // A folder named like a note: listed so reading it
                    // reports it, rather than silently passed over.
                    known.push((into_path(path.clone()), Stamp::default()));
                }
                if !vault_walks(n) {
                    continue;
                }
                match open_sub(fd.as_raw_fd(), name) {
                    Ok(sub) => {
                        path.push(b'/');
                        s.spawn(move |s| folder(s, sub, path, filter, out));
                    }
                    Err(e) => out.warn(&path, &e),
                }
                continue;
            }
            let name_at = rel.len();
            if let (Some(st), false) = (&st, t == libc::DT_LNK) {
                // DT_UNKNOWN already stat'ed it.
                known.push((into_path(path), stamp(st)));
                continue;
            }
            batch.push(File {
                path,
                name_at,
                follow: t == libc::DT_LNK,
            });
            if batch.len() == BATCH {
                let files = std::mem::take(&mut batch);
                let fd = Arc::clone(&fd);
                s.spawn(move |_| stat_batch(&fd, files, out));
            }
        }
        drop(listing);
        out.notes(known);
        stat_batch(&fd, batch, out);
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

    pub fn scan(root: &Path, filter: &NoteFilter) -> Found {
        folder(root, Path::new(""), filter)
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
