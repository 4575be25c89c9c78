//! Writing notes without harming them.
//!
//! Every edit of an existing note follows one protocol (docs/reliability.md):
//! under an advisory lock on the note's real folder, read the note through a
//! descriptor kept open; refuse if it is not writable; write the new content
//! to a temporary file beside it with the note's owner, group and mode; check
//! that the note is still the file and the bytes that were read; swap the two
//! atomically (`renameat2(RENAME_EXCHANGE)` on Linux); then check the old file
//! once more — an editor that truncated it before the swap and writes into it
//! now would lose its save — and swap back if it changed. Edits are byte
//! splices: everything kith did not mean to change stays byte-identical.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::markdown;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a write waits for another kith process writing in the same folder.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// How long a note held open by another process (another kith reading it,
/// most likely) is waited for before the write is refused.
#[cfg(any(target_os = "linux", target_os = "android"))]
const LEASE_WAIT: Duration = Duration::from_millis(500);

/// An exclusive advisory lock on a folder, held until dropped.
///
/// The lock is taken on the folder itself, not on the note: the note's inode
/// is replaced by every write, so a lock on it would not exclude the next
/// writer, who opens the new inode. The folder's inode outlives any number of
/// renames inside it, is the same whichever symlink led to the note, exists
/// for vaults without `.kith/`, and cannot be removed by deleting the cache.
#[derive(Debug)]
pub struct FolderLock {
    _dir: File,
}

impl FolderLock {
    /// Waits (up to [`LOCK_WAIT`]) for the lock on `dir`.
    pub fn acquire(dir: &Path) -> Result<FolderLock> {
        let f = File::open(dir).map_err(|e| Error::io(dir, e))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            let started = Instant::now();
            let mut pause = Duration::from_millis(1);
            loop {
                // SAFETY: flock on a descriptor we own; no memory is passed.
                let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
                if r == 0 {
                    break;
                }
                let e = std::io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EWOULDBLOCK) | Some(libc::EINTR) => {}
                    // No flock here (some network file systems): say so, do not guess.
                    _ => return Err(Error::io(dir, e)),
                }
                if started.elapsed() >= LOCK_WAIT {
                    return Err(Error::WriteRefused {
                        path: dir.to_path_buf(),
                        why: format!(
                            "another kith process has been writing in this folder for {} s",
                            LOCK_WAIT.as_secs()
                        ),
                        hint: "run the command again when the other kith command has finished"
                            .into(),
                    });
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(16));
            }
        }
        #[cfg(not(unix))]
        let _ = Instant::now();
        sweep_leftovers(dir, LEFTOVER_AGE);
        Ok(FolderLock { _dir: f })
    }
}

/// The folder a file lives in ("." for a bare file name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A temporary file in `dir` with `bytes`, synced, with `perms` (or the usual
/// 0644 for new files, not tempfile's private 0600). Removed on drop.
fn temp_with(
    dir: &Path,
    bytes: &[u8],
    perms: Option<fs::Permissions>,
) -> Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".kith-tmp-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    let perms = match perms {
        Some(p) => p,
        #[cfg(unix)]
        None => {
            use std::os::unix::fs::PermissionsExt;
            fs::Permissions::from_mode(0o644)
        }
        #[cfg(not(unix))]
        None => fs::metadata(tmp.path())
            .map_err(|e| Error::io(tmp.path(), e))?
            .permissions(),
    };
    tmp.as_file()
        .set_permissions(perms)
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    Ok(tmp)
}

/// What identifies one version of a file: the inode, and its size and mtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
}

impl Stamp {
    #[cfg(unix)]
    fn of(m: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
        }
    }

    #[cfg(not(unix))]
    fn of(m: &fs::Metadata) -> Stamp {
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos() as i64));
        Stamp {
            dev: 0,
            ino: 0,
            size: m.len(),
            mtime,
        }
    }
}

/// A note opened for an edit: its folder locked, the file open, its bytes read
/// through that descriptor. Plan the edit from [`LockedNote::bytes`] and hand
/// the result to [`LockedNote::replace`]: the bytes planned from are the bytes
/// compared before the write. The lock is released on drop.
#[derive(Debug)]
pub struct LockedNote {
    /// The real file (symlinks resolved, so a symlinked note stays a symlink).
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    file: File,
    meta: fs::Metadata,
    _lock: FolderLock,
}

/// Locks the folder of the note at `path` (its real folder) and reads it.
/// Refuses a note that is not a regular file or is not writable by this user.
pub fn lock_note(path: &Path) -> Result<LockedNote> {
    let real = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let lock = FolderLock::acquire(folder_of(&real))?;
    // Non-blocking: a FIFO put in the note's place after the vault was read
    // must not hang kith while it holds the folder's lock.
    let mut file = open_nonblocking(&real).map_err(|e| Error::io(&real, e))?;
    let meta = file.metadata().map_err(|e| Error::io(&real, e))?;
    if !meta.is_file() {
        return Err(Error::WriteRefused {
            path: real,
            why: "is not a regular file".into(),
            hint: "kith only writes into plain files".into(),
        });
    }
    check_writable(&real, &meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| Error::io(&real, e))?;
    Ok(LockedNote {
        path: real,
        bytes,
        file,
        meta,
        _lock: lock,
    })
}

fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// Refuses a note the user may not write, or that nobody may write (mode
/// without any `w` bit) — the latter even for root, who could: a read-only
/// note says "do not change me" to every program, as it does to `rm` and vim.
fn check_writable(path: &Path, meta: &fs::Metadata) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        let mut ok = mode & 0o222 != 0;
        if ok && let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) {
            // SAFETY: a valid NUL-terminated path; faccessat only reads it.
            ok = unsafe {
                libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS)
            } == 0;
        }
        if !ok {
            return Err(Error::WriteRefused {
                path: path.to_path_buf(),
                why: format!("is write-protected (mode {mode:04o})"),
                hint: format!(
                    "make it writable if kith may change it: chmod u+w '{}'",
                    path.display()
                ),
            });
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return Err(Error::WriteRefused {
            path: path.to_path_buf(),
            why: "is read-only".into(),
            hint: "clear the read-only flag if kith may change it".into(),
        });
    }
    Ok(())
}

impl LockedNote {
    /// The note's bytes as read under the lock.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Replaces the note with `new` (see the module docs for the protocol).
    /// Refuses with [`Error::ChangedUnderUs`], writing nothing, if the note
    /// changed since it was read, including during the swap.
    pub fn replace(&self, new: &[u8]) -> Result<()> {
        let dir = folder_of(&self.path);
        let tmp = temp_with(dir, new, Some(self.meta.permissions()))?;
        keep_owner(&self.path, &self.meta, tmp.as_file())?;
        // Re-apply the mode: a chown may clear set-id bits.
        tmp.as_file()
            .set_permissions(self.meta.permissions())
            .map_err(|e| Error::io(tmp.path(), e))?;
        // From here the temporary path may hold the note's old inode: remove
        // it only when it is known to hold nothing anyone wrote.
        let (tmp_file, tmp_path) = tmp.into_parts();
        let tmp_path = tmp_path.keep().map_err(|e| Error::io(dir, e.error))?;
        let mut guard = RemoveOnDrop(Some(tmp_path.clone()));
        self.unchanged()?;
        // A probe only, given up at once: held across the swap, it would make
        // an editor's truncating open wait and then land in the removed file.
        drop(self.nobody_else_has_it_open()?);
        test_hooks::before_swap(&self.path);
        let swapped = if test_hooks::no_exchange() {
            Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
        } else {
            swap(&tmp_path, &self.path)
        };
        match swapped {
            Ok(()) => {
                // The note's old file should now be at `tmp_path`, our content
                // at the note's path. If another file is at `tmp_path`, a
                // program renamed its save over the note (vim, sed -i,
                // JetBrains) after the last check: deleting `tmp_path` would
                // delete that save. If the old file changed, an editor wrote
                // into it during the swap. Either way: give it back.
                if !self.displaced_is_ours(&tmp_path) || self.unchanged_inode().is_err() {
                    if let Err(e) = swap(&tmp_path, &self.path) {
                        // `tmp_path` may hold someone's save: never delete it.
                        guard.0 = None;
                        let kept = keep_aside(&self.path, &tmp_path);
                        return Err(Error::WriteRefused {
                            path: self.path.clone(),
                            why: format!(
                                "was saved by another program while kith wrote it, and kith could not put that save back ({e}); it is kept as {}",
                                kept.display()
                            ),
                            hint: "compare the two files and keep what you want".into(),
                        });
                    }
                    if std::env::var_os("KITH_TRACE").is_some() {
                        eprintln!(
                            "trace: {} was written into during the swap; swapped back",
                            self.path.display()
                        );
                    }
                    if !same_as(&tmp_file, new) {
                        // Someone saved into our version in the moment it was
                        // visible: keep it for the user rather than delete it.
                        guard.0 = None;
                        let kept = keep_aside(&self.path, &tmp_path);
                        return Err(Error::WriteRefused {
                            path: self.path.clone(),
                            why: format!(
                                "was saved by another program twice while kith wrote it; the other save is kept as {}",
                                kept.display()
                            ),
                            hint: "compare the two files and keep what you want".into(),
                        });
                    }
                    return Err(Error::ChangedUnderUs(self.path.clone()));
                }
            }
            Err(e) if exchange_unsupported(&e) => self.replace_by_rename(&tmp_path)?,
            Err(e) => return Err(Error::io(&self.path, e)),
        }
        drop(guard);
        // The new name must survive a crash too.
        let _ = File::open(dir).and_then(|d| d.sync_all());
        Ok(())
    }

    /// Where the file system cannot exchange two names: keep the old inode
    /// under a second name (a hard link), rename the new file over the note,
    /// check the old one, and put it back if it changed.
    fn replace_by_rename(&self, tmp_path: &Path) -> Result<()> {
        let dir = folder_of(&self.path);
        let backup = dir.join(format!(
            ".kith-old-{}",
            tmp_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let linked = fs::hard_link(&self.path, &backup).is_ok();
        let backup_guard = RemoveOnDrop(linked.then(|| backup.clone()));
        self.unchanged()?;
        test_hooks::before_swap(&self.path);
        fs::rename(tmp_path, &self.path).map_err(|e| Error::io(&self.path, e))?;
        if self.unchanged_inode().is_err() {
            if linked {
                fs::rename(&backup, &self.path).map_err(|e| Error::io(&self.path, e))?;
            } else {
                // No second name to restore: write back what the old file holds now.
                let now = read_all(&self.file).map_err(|e| Error::io(&self.path, e))?;
                let back = temp_with(dir, &now, Some(self.meta.permissions()))?;
                back.persist(&self.path)
                    .map_err(|e| Error::io(&self.path, e.error))?;
            }
            return Err(Error::ChangedUnderUs(self.path.clone()));
        }
        drop(backup_guard);
        Ok(())
    }

    /// Refuses when another process holds the note open (a program that
    /// keeps one descriptor for many saves — `ftruncate` plus `pwrite` — would
    /// write every later save into the file kith replaces, where nobody sees
    /// it). Asked with a write lease (Linux), which the kernel grants only to
    /// the sole opener.
    /// Where leases are not available (other systems, NFS, FUSE, a note owned
    /// by another user) nothing is asked.
    fn nobody_else_has_it_open(&self) -> Result<Option<Lease<'_>>> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use std::os::fd::AsRawFd;
            /// `F_SETSIG` from <fcntl.h> (Linux), which the libc crate lacks.
            const F_SETSIG: libc::c_int = 10;
            let fd = self.file.as_raw_fd();
            // A lease break is announced by a signal (SIGIO by default, which
            // would kill kith): announce it with one ignored by default.
            // SAFETY: fcntl on a descriptor we own; no memory is passed.
            unsafe { libc::fcntl(fd, F_SETSIG, libc::SIGWINCH) };
            // Another kith (a watcher parsing the note, a `show` reading
            // it) holds it open for a moment: asked again for a short
            // while before refusing; a program that keeps it open still
            // holds it when the window ends.
            let until = Instant::now() + LEASE_WAIT;
            let e = loop {
                // SAFETY: as above.
                let r = unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_WRLCK) };
                if r == 0 {
                    return Ok(Some(Lease(&self.file)));
                }
                let e = std::io::Error::last_os_error();
                let busy = matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EBUSY));
                if !busy || Instant::now() >= until {
                    break e;
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            if matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EBUSY)) {
                return Err(Error::WriteRefused {
                    path: self.path.clone(),
                    why: "is open in another program, which may save into it".into(),
                    hint: "run the command again; if it keeps failing, close the note in the program that has it open (`fuser` names it)".into(),
                });
            }
        }
        Ok(None)
    }

    /// The file now at `displaced` (after the exchange) is the note's file
    /// that was read, not one another program renamed into the note's place.
    fn displaced_is_ours(&self, displaced: &Path) -> bool {
        let Ok(m) = fs::symlink_metadata(displaced) else {
            return false;
        };
        let (a, b) = (Stamp::of(&m), Stamp::of(&self.meta));
        (a.dev, a.ino) == (b.dev, b.ino)
    }

    /// The note's path still names the file that was read, and that file
    /// still holds the bytes that were read.
    fn unchanged(&self) -> Result<()> {
        let at_path = fs::symlink_metadata(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let (a, b) = (Stamp::of(&at_path), Stamp::of(&self.meta));
        if (a.dev, a.ino) != (b.dev, b.ino) {
            return Err(Error::ChangedUnderUs(self.path.clone()));
        }
        self.unchanged_inode()
    }

    /// The file that was read (wherever its name is now) has the same size,
    /// mtime and bytes as when it was read.
    fn unchanged_inode(&self) -> Result<()> {
        let now = self.file.metadata().map_err(|e| Error::io(&self.path, e))?;
        if Stamp::of(&now) != Stamp::of(&self.meta) || !same_as(&self.file, &self.bytes) {
            return Err(Error::ChangedUnderUs(self.path.clone()));
        }
        Ok(())
    }
}

/// A write lease on the note's old file, given up on drop.
struct Lease<'a>(#[allow(dead_code)] &'a File);

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: fcntl on a descriptor still open (borrowed).
            unsafe { libc::fcntl(self.0.as_raw_fd(), libc::F_SETLEASE, libc::F_UNLCK) };
        }
    }
}

/// Seams for unit tests to act in the moment between the last check and the
/// swap, which real races hit only now and then. No-ops outside tests.
mod test_hooks {
    use std::path::Path;

    #[cfg(test)]
    pub type Hook = Option<Box<dyn Fn(&Path)>>;

    #[cfg(test)]
    thread_local! {
        pub static BEFORE_SWAP: std::cell::RefCell<Hook> = std::cell::RefCell::new(None);
        pub static NO_EXCHANGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    pub fn before_swap(_path: &Path) {
        #[cfg(test)]
        BEFORE_SWAP.with(|h| {
            if let Some(f) = &*h.borrow() {
                f(_path)
            }
        });
    }

    pub fn no_exchange() -> bool {
        #[cfg(test)]
        return NO_EXCHANGE.with(|c| c.get());
        #[cfg(not(test))]
        false
    }
}

/// Gives a file that may hold someone's save a visible name beside the note
/// (`NOTE.kith-kept-…`, not a `.md`, so not a second note) that the sweep of
/// stale temporary files leaves alone. Returns where it is.
fn keep_aside(note: &Path, file: &Path) -> PathBuf {
    let stem = note
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix = file
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_start_matches(".kith-tmp-")
                .to_string()
        })
        .unwrap_or_default();
    let kept = folder_of(note).join(format!("{stem}.kith-kept-{suffix}"));
    match fs::rename(file, &kept) {
        Ok(()) => kept,
        Err(_) => file.to_path_buf(),
    }
}

/// How old a leftover temporary file must be (since its last rename) before a
/// write in its folder removes it.
const LEFTOVER_AGE: Duration = Duration::from_secs(10);

/// Removes the temporary files (`.kith-tmp-…`, `.kith-old-…`) a kith process
/// killed in the middle of a write left in `dir`. Called under the folder's
/// lock, so no kith process is using them; the age is a margin for older kiths.
/// Such a file holds either content kith never reported as written or the
/// note's previous version, which a finished write would have removed too.
fn sweep_leftovers(dir: &Path, age: Duration) {
    let Ok(rd) = fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let n = name.as_encoded_bytes();
        if !(n.starts_with(b".kith-tmp-") || n.starts_with(b".kith-old-")) {
            continue;
        }
        let Ok(m) = e.path().symlink_metadata() else {
            continue;
        };
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            std::time::UNIX_EPOCH + Duration::new(m.ctime().max(0) as u64, 0)
        };
        #[cfg(not(unix))]
        let changed = m.modified().unwrap_or(std::time::SystemTime::now());
        let old = changed.elapsed().is_ok_and(|a| a >= age);
        if m.is_file() && old {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Removes a path on drop unless disarmed (`.0 = None`).
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// The whole content of an open file, read from its start.
fn read_all(f: &File) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = f;
    f.seek(SeekFrom::Start(0))?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)?;
    Ok(out)
}

fn same_as(f: &File, bytes: &[u8]) -> bool {
    read_all(f).is_ok_and(|b| b == bytes)
}

/// Gives the new file the note's owner and group; refuses rather than take
/// a note over from another user (or drop its group) when that is not allowed.
#[cfg(unix)]
fn keep_owner(path: &Path, meta: &fs::Metadata, tmp: &File) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mine = tmp.metadata().map_err(|e| Error::io(path, e))?;
    if (mine.uid(), mine.gid()) == (meta.uid(), meta.gid()) {
        return Ok(());
    }
    match std::os::unix::fs::fchown(tmp, Some(meta.uid()), Some(meta.gid())) {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EINVAL)) => {
            let why = if mine.uid() != meta.uid() {
                format!(
                    "belongs to user {} and kith runs as user {}: rewriting it would take it over",
                    meta.uid(),
                    mine.uid()
                )
            } else {
                format!(
                    "belongs to group {}, which kith (user {}) cannot give a new file",
                    meta.gid(),
                    mine.uid()
                )
            };
            Err(Error::WriteRefused {
                path: path.to_path_buf(),
                why,
                hint: "run kith as the note's owner, or change its owner (chown) first".into(),
            })
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(not(unix))]
fn keep_owner(_: &Path, _: &fs::Metadata, _: &File) -> Result<()> {
    Ok(())
}

/// Exchanges two names in one step: both always exist, each naming the other's file.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn swap(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; the kernel only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn swap(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The file system or kernel has no `RENAME_EXCHANGE` (old kernels, some
/// network and FUSE file systems): fall back to link-and-rename.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    if matches!(
        e.raw_os_error(),
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
    ) {
        return true;
    }
    e.kind() == std::io::ErrorKind::Unsupported
}

/// A note as read before an edit, to detect changes made meanwhile. Prefer
/// [`lock_note`], which reads under the lock; this is for callers that read
/// first and decide later.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The real file (symlinks resolved, so a symlinked note stays a symlink).
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl Snapshot {
    pub fn read(path: &Path) -> Result<Snapshot> {
        let real = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        let bytes = fs::read(&real).map_err(|e| Error::io(&real, e))?;
        Ok(Snapshot { path: real, bytes })
    }

    /// Replaces the file with `new` if it still holds `self.bytes`, by the
    /// locked protocol of [`LockedNote::replace`].
    pub fn replace(&self, new: &[u8]) -> Result<()> {
        let locked = lock_note(&self.path)?;
        if locked.bytes != self.bytes {
            return Err(Error::ChangedUnderUs(self.path.clone()));
        }
        locked.replace(new)
    }
}

/// Creates a new file atomically; refuses (without touching it) if one exists.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = folder_of(path);
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let _lock = FolderLock::acquire(dir)?;
    let tmp = temp_with(dir, bytes, None)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Refused(format!(
                "{} already exists; nothing was written",
                path.display()
            ))
        } else {
            Error::io(path, e.error)
        }
    })?;
    Ok(())
}

/// Writes a whole file atomically (for files kith owns, like a digest).
/// Returns false, without writing, when the content is already `bytes`.
/// An existing file is replaced only if it may be written (as `>` would
/// refuse a 0444 file, kith refuses instead of renaming over it), keeps its
/// mode, owner and group, and a symlink stays a symlink: the file it names is
/// written.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    // The lock and temporary file are kith's business: a failure names the
    // file the user asked for, not `.kith-tmp-…` (which tempfile's errors carry).
    let user_path = |e: Error| match e {
        Error::Io { source, .. } => Error::io(
            path,
            source.raw_os_error().map_or_else(
                || std::io::Error::from(source.kind()),
                std::io::Error::from_raw_os_error,
            ),
        ),
        other => other,
    };
    let path = &fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = folder_of(path);
    let _lock = FolderLock::acquire(dir).map_err(user_path)?;
    let meta = fs::metadata(path).ok();
    if let Some(m) = &meta {
        if !m.is_file() {
            return Err(Error::WriteRefused {
                path: path.clone(),
                why: "is not a regular file".into(),
                hint: "give kith the name of a plain file to write".into(),
            });
        }
        check_writable(path, m)?;
    }
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    let tmp = temp_with(dir, bytes, meta.as_ref().map(|m| m.permissions())).map_err(user_path)?;
    if let Some(m) = &meta {
        keep_owner(path, m, tmp.as_file())?;
        tmp.as_file()
            .set_permissions(m.permissions())
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(true)
}

/// Where and what to insert to append a log entry: the byte offset and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub offset: usize,
    pub insert: String,
    /// 1-based line of the new entry's heading after the splice.
    pub heading_line: usize,
}

impl Splice {
    pub fn apply(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() + self.insert.len());
        out.extend_from_slice(&bytes[..self.offset]);
        out.extend_from_slice(self.insert.as_bytes());
        out.extend_from_slice(&bytes[self.offset..]);
        out
    }
}

/// Plans appending a dated entry at the end of the note's `Log` section
/// (a top-level heading whose text is `Log`, ATX or setext), creating `## Log`
/// at the end if absent. `bytes` is the whole file (BOM included); the file's
/// line ending (`\n`, `\r\n` or `\r`) is kept.
pub fn plan_log_append(bytes: &[u8], date: Date, title: Option<&str>, body: &str) -> Splice {
    let nl = markdown::line_ending(bytes);
    let md = markdown::structure(bytes);
    let headings = &md.headings;
    let log = headings
        .iter()
        .enumerate()
        .find(|(_, h)| h.text.eq_ignore_ascii_case("log"));
    let (offset, level, create) = match log {
        Some((i, h)) => {
            let end = headings[i + 1..]
                .iter()
                .find(|n| n.level <= h.level)
                .map_or(bytes.len(), |n| n.range.start);
            (end, (h.level + 1).min(6), false)
        }
        None => (bytes.len(), 3, true),
    };
    let before = &bytes[..offset];
    let mut insert = String::new();
    // A fence left open at the end of the file would swallow the new entry.
    let open_fence = if offset == bytes.len() {
        md.open_fence
    } else {
        None
    };
    // Make sure what comes before ends with a blank line.
    let breaks = markdown::trailing_breaks(before);
    if !(before.is_empty() || before == b"\xEF\xBB\xBF" || breaks >= 2) {
        for _ in breaks..2 {
            insert.push_str(nl);
        }
    }
    if let Some(fence) = open_fence {
        insert.push_str(&fence);
        insert.push_str(nl);
        insert.push_str(nl);
    }
    if create {
        insert.push_str("## Log");
        insert.push_str(nl);
        insert.push_str(nl);
    }
    let mut upto = before.to_vec();
    upto.extend_from_slice(insert.as_bytes());
    let heading_line = markdown::count_breaks(&upto) + 1;
    insert.push_str(&"#".repeat(level as usize));
    insert.push(' ');
    insert.push_str(&date.format("%Y-%m-%d").to_string());
    if let Some(t) = title.map(str::trim).filter(|t| !t.is_empty()) {
        insert.push_str(" · ");
        insert.push_str(&t.replace(['\r', '\n'], " "));
    }
    insert.push_str(nl);
    let body = body.trim_matches(['\r', '\n']);
    if !body.is_empty() {
        insert.push_str(nl);
        for (s, e, _) in markdown::lines(body) {
            insert.push_str(&body[s..e]);
            insert.push_str(nl);
        }
    }
    if offset < bytes.len() {
        insert.push_str(nl);
    }
    Splice {
        offset,
        insert,
        heading_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::date::parse_date(s).unwrap()
    }

    #[test]
    fn appends_at_end_of_log_section() {
        let src = "---\nname: A\n---\n\n## Log\n\n### 2026-01-01 · one\n\nhi\n\n## Notes\n\nx\n";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), Some("two"), "hello");
        let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
        assert_eq!(
            out,
            "---\nname: A\n---\n\n## Log\n\n### 2026-01-01 · one\n\nhi\n\n### 2026-02-01 · two\n\nhello\n\n## Notes\n\nx\n"
        );
        assert_eq!(s.heading_line, 11);
    }

    #[test]
    fn creates_log_section_and_keeps_crlf_and_bom() {
        let src = "\u{feff}---\r\nname: A # c\r\n---\r\nbio";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), None, "met");
        let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
        assert_eq!(
            out,
            "\u{feff}---\r\nname: A # c\r\n---\r\nbio\r\n\r\n## Log\r\n\r\n### 2026-02-01\r\n\r\nmet\r\n"
        );
        assert!(out.starts_with(src));
    }

    #[test]
    fn ignores_headings_in_code_and_front_matter() {
        let src = "---\nx: 1\n---\n```\n## Log\n```\n";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), None, "t");
        assert!(s.insert.contains("## Log"));
        assert_eq!(s.offset, src.len());
    }

    #[test]
    fn setext_log_heading_is_the_log_section() {
        // Entries sit one level below the `Log` heading, as with ATX headings.
        for (underline, entry) in [("===", "##"), ("---", "###")] {
            let src =
                format!("---\nname: A\n---\n\nLog\n{underline}\n\n### 2026-01-01 · one\n\nhi\n");
            let s = plan_log_append(src.as_bytes(), d("2026-02-01"), None, "two");
            let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
            assert_eq!(out.matches("Log").count(), 1, "{out}");
            let tail = format!("hi\n\n{entry} 2026-02-01\n\ntwo\n");
            assert!(out.ends_with(&tail), "{out}");
            assert_eq!(s.heading_line, 12);
        }
        // Inside a section: before the next heading of the same level (setext too).
        let src = "Log\n---\n\n### 2026-01-01\n\nNotes\n-----\nx\n";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), None, "two");
        let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
        assert_eq!(
            out,
            "Log\n---\n\n### 2026-01-01\n\n### 2026-02-01\n\ntwo\n\nNotes\n-----\nx\n"
        );
    }

    #[test]
    fn cr_only_note_keeps_its_line_ending_and_log_section() {
        let src = "---\rname: A\r---\rbio\r\r## Log\r\r### 2026-01-01\r\rhi\r";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), Some("t"), "a\nb");
        let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
        assert_eq!(
            out,
            "---\rname: A\r---\rbio\r\r## Log\r\r### 2026-01-01\r\rhi\r\r### 2026-02-01 · t\r\ra\rb\r"
        );
        assert!(!out.contains('\n'));
        assert_eq!(s.heading_line, 12);
    }

    #[test]
    fn closes_an_unclosed_fence_before_appending() {
        let src = "---\nname: A\n---\n## Log\n\n~~~~\ncode\n";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), None, "t");
        let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
        assert_eq!(
            out,
            "---\nname: A\n---\n## Log\n\n~~~~\ncode\n\n~~~~\n\n### 2026-02-01\n\nt\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn read_only_note_is_refused_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "one").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        let err = lock_note(&p).unwrap_err();
        assert!(matches!(err, Error::WriteRefused { .. }), "{err}");
        assert!(err.to_string().contains("write-protected (mode 0444)"));
        assert_eq!(fs::read_to_string(&p).unwrap(), "one");
    }

    #[cfg(unix)]
    #[test]
    fn a_write_into_the_old_file_after_the_read_is_not_lost() {
        // The editor's save lands in the inode kith read (as with open(O_TRUNC)
        // then write): the pre-swap check refuses and the save stays.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "one").unwrap();
        let locked = lock_note(&p).unwrap();
        fs::write(&p, "editor").unwrap();
        assert!(matches!(
            locked.replace(b"kith"),
            Err(Error::ChangedUnderUs(_))
        ));
        drop(locked);
        assert_eq!(fs::read_to_string(&p).unwrap(), "editor");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files left behind");
    }

    /// An editor truncates the note (open with O_TRUNC) after kith's last
    /// check but before the swap, and writes its save into that same inode
    /// after kith's swap: the save must end up in the note, by exchange and by
    /// the link-and-rename fallback alike.
    #[cfg(unix)]
    #[test]
    fn an_editor_save_landing_during_the_swap_is_swapped_back() {
        use std::cell::RefCell;
        use std::rc::Rc;
        for fallback in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("a.md");
            fs::write(&p, "---\nname: A\n---\nold\n").unwrap();
            let editor: Rc<RefCell<Option<File>>> = Rc::new(RefCell::new(None));
            let e = editor.clone();
            test_hooks::BEFORE_SWAP.with(|h| {
                *h.borrow_mut() = Some(Box::new(move |path: &Path| {
                    *e.borrow_mut() = Some(File::create(path).unwrap());
                }))
            });
            test_hooks::NO_EXCHANGE.with(|c| c.set(fallback));
            let locked = lock_note(&p).unwrap();
            let r = locked.replace(b"---\nname: A\n---\nold\nkith\n");
            test_hooks::BEFORE_SWAP.with(|h| *h.borrow_mut() = None);
            test_hooks::NO_EXCHANGE.with(|c| c.set(false));
            assert!(matches!(r, Err(Error::ChangedUnderUs(_))), "{r:?}");
            drop(locked);
            // The editor's write, after the swap, into the inode it opened.
            let mut f = editor.borrow_mut().take().unwrap();
            f.write_all(b"---\nname: A\n---\nsaved\n").unwrap();
            drop(f);
            assert_eq!(
                fs::read_to_string(&p).unwrap(),
                "---\nname: A\n---\nsaved\n",
                "fallback: {fallback}"
            );
            let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
            assert_eq!(left.len(), 1, "temporary files left behind");
        }
    }

    /// A program saves by renaming its own file over the note (vim, `sed -i`,
    /// JetBrains) after kith's last check but before the swap: the exchange
    /// then moves that save, not the file kith read, to the temporary name.
    /// It must be put back, not deleted with the temporary file.
    #[cfg(unix)]
    #[test]
    fn a_save_renamed_over_the_note_before_the_swap_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "---\nname: A\n---\nold\n").unwrap();
        test_hooks::BEFORE_SWAP.with(|h| {
            *h.borrow_mut() = Some(Box::new(|path: &Path| {
                let t = path.with_extension("md.swp");
                fs::write(&t, "---\nname: A\n---\nold\nvim save\n").unwrap();
                fs::rename(&t, path).unwrap();
            }))
        });
        let locked = lock_note(&p).unwrap();
        let r = locked.replace(b"---\nname: A\n---\nold\nkith\n");
        test_hooks::BEFORE_SWAP.with(|h| *h.borrow_mut() = None);
        drop(locked);
        assert!(matches!(r, Err(Error::ChangedUnderUs(_))), "{r:?}");
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "---\nname: A\n---\nold\nvim save\n"
        );
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files left behind");
    }

    /// A FIFO put in the note's place after the vault was read must not block
    /// kith (which would hold the folder's lock, stalling every other write).
    #[cfg(unix)]
    #[test]
    fn a_fifo_in_the_notes_place_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid path; mkfifo only reads it.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let (tx, rx) = std::sync::mpsc::channel();
        let q = p.clone();
        std::thread::spawn(move || {
            let _ = tx.send(lock_note(&q).map(|_| ()).map_err(|e| e.to_string()));
        });
        let r = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("lock_note blocked on a FIFO");
        assert!(r.unwrap_err().contains("not a regular file"));
    }

    /// A program that keeps one descriptor for many saves (`ftruncate` plus
    /// `pwrite`) would write every later save into the file kith replaced:
    /// while it holds the note open, kith refuses.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_note_held_open_by_another_program_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "---\nname: A\n---\nold\n").unwrap();
        let held = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&p)
            .unwrap();
        let locked = lock_note(&p).unwrap();
        let r = locked.replace(b"---\nname: A\n---\nold\nkith\n");
        drop(locked);
        let err = r.unwrap_err().to_string();
        assert!(err.contains("is open in another program"), "{err}");
        drop(held);
        lock_note(&p)
            .unwrap()
            .replace(b"---\nname: A\n---\nnew\n")
            .unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "---\nname: A\n---\nnew\n");
    }

    /// Another kith reading the note for a moment (a watcher parsing it, a
    /// `show`) is waited for, not taken for a program that saves into it:
    /// concurrent `kith log` calls were refused about one time in thirty.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_note_read_for_a_moment_by_another_process_is_written_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "---\nname: A\n---\nold\n").unwrap();
        let reader = fs::File::open(&p).unwrap();
        let locked = lock_note(&p).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let closer = std::thread::spawn(move || {
            // Closed once the write has started asking.
            let _ = rx.recv();
            std::thread::sleep(Duration::from_millis(50));
            drop(reader);
        });
        tx.send(()).unwrap();
        locked
            .replace(b"---\nname: A\n---\nnew\n")
            .expect("a brief reader is waited for");
        closer.join().unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "---\nname: A\n---\nnew\n");
    }

    #[cfg(unix)]
    #[test]
    fn leftovers_of_a_killed_write_are_swept_and_kept_saves_are_not() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            ".kith-tmp-abc",
            ".kith-old-.kith-tmp-x",
            "a.md.kith-kept-abc",
            "a.md",
        ] {
            fs::write(dir.path().join(n), n).unwrap();
        }
        sweep_leftovers(dir.path(), Duration::from_secs(3600));
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            4,
            "too young to sweep"
        );
        sweep_leftovers(dir.path(), Duration::ZERO);
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["a.md", "a.md.kith-kept-abc"]);
    }

    #[cfg(unix)]
    #[test]
    fn write_if_changed_refuses_a_write_protected_file_and_follows_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.md");
        fs::write(&p, "mine").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        assert!(matches!(
            write_if_changed(&p, b"digest"),
            Err(Error::WriteRefused { .. })
        ));
        assert_eq!(fs::read_to_string(&p).unwrap(), "mine");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert!(write_if_changed(&link, b"digest").unwrap());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&p).unwrap(), "digest");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_fallback_without_exchange_writes_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "one").unwrap();
        test_hooks::NO_EXCHANGE.with(|c| c.set(true));
        let r = lock_note(&p).unwrap().replace(b"two");
        test_hooks::NO_EXCHANGE.with(|c| c.set(false));
        r.unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files left behind");
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_note_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.md");
        let link = dir.path().join("link.md");
        fs::write(&real, "one").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        lock_note(&link).unwrap().replace(b"two").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "two");
    }

    #[test]
    fn write_refuses_when_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "one").unwrap();
        let snap = Snapshot::read(&p).unwrap();
        fs::write(&p, "two").unwrap();
        assert!(matches!(
            snap.replace(b"three"),
            Err(Error::ChangedUnderUs(_))
        ));
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
    }

    #[cfg(unix)]
    #[test]
    fn write_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "one").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        Snapshot::read(&p).unwrap().replace(b"two").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
    }
}
