//! What the index holds, note by note: the [`Stamp`] each note had when it
//! was indexed and the content hash of the bytes indexed, saved beside the
//! index after every commit (`kith-stamps`) and labelled with that commit.
//! A sync compares a walk of the vault with it; only a note whose stamp
//! moved (or is too recent to trust, see [`Stamp::doubtful`]) is read.
//!
//! The file is read on every search without a watcher, so it is laid out to
//! be compared, not parsed: `KITHSTP3`, the index commit (u64 LE), the time
//! the stamps were taken as of (i64 LE, ns), the number of notes, the
//! length in bytes of the folders' record and the key of the note rules
//! (u64 LE each); then the folders the walk entered ([`store::Folders`]:
//! path length (u32 LE) and bytes, size, mtime, ctime and inode), empty
//! when the walk could not vouch for its notes; then per note, sorted by
//! [`store::path_order`] like the walk: the path's length (u32 LE) and
//! bytes, size, mtime, ctime, inode and content hash (u64/i64 LE). While
//! the folders keep their stamps, a search checks the notes' stamps
//! without walking ([`Check`]). One merge of two sorted lists, no hashing of paths,
//! nothing allocated when nothing changed. It is rewritten whole after a
//! change (a few MB at 100k notes; a write into the page cache).
//!
//! No checksum: damage that keeps the structure (lengths, order, count)
//! can only make a stamp or hash differ from the live note's, which means
//! one more read, never a stale answer; damage to the structure is found
//! while reading, and the index's own fields are used instead.

use crate::store::{self, Stamp};
use std::path::Path;

/// The file's name inside the index folder.
pub const FILE: &str = "kith-stamps";
const MAGIC: &[u8; 8] = b"KITHSTP3";
const MAGIC_NO_FOLDERS: &[u8; 8] = b"KITHSTP2";
const HEAD: usize = 8 + 8 + 8 + 8 + 8 + 8;
/// A folder's record: path length, then size, mtime, ctime and inode.
const FOLDER: usize = 4 + 4 * 8;
const FIXED: usize = 4 + 5 * 8;

/// One indexed note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known<'a> {
    pub path: &'a [u8],
    pub stamp: Stamp,
    /// [`store::content_hash`] of the bytes indexed; 0 when not known.
    pub hash: u64,
}

/// A stamp file as read: its header, and its notes read as they are
/// walked over (borrowing the bytes).
#[derive(Debug, Clone, Copy)]
pub struct Stamps<'a> {
    /// The index commit these stamps describe.
    pub opstamp: u64,
    /// When the stamps were taken (at the latest): see [`Stamp::doubtful`].
    pub as_of_ns: i64,
    /// How many notes the file holds.
    pub count: usize,
    body: &'a [u8],
    /// The walk's folders ([`store::Folders`]), as written; empty when
    /// the walk that wrote the file could not vouch for its notes.
    folders: &'a [u8],
    /// [`store::Folders::rules`].
    pub rules: u64,
}

/// The record at `at` of a note or a folder: its path (u32 LE length, then
/// the bytes), its stamp (size, mtime, ctime, inode), and where that stamp
/// begins; `None` when the record runs past the end.
fn path_and_stamp(b: &[u8], at: usize) -> Option<(&[u8], Stamp, usize)> {
    let len = u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize;
    let path = b.get(at + 4..at + 4 + len)?;
    let f = at + 4 + len;
    let stamp = Stamp {
        size: u64_at(b, f)?,
        mtime_ns: u64_at(b, f + 8)? as i64,
        ctime_ns: u64_at(b, f + 16)? as i64,
        ino: u64_at(b, f + 24)?,
    };
    Some((path, stamp, f))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Reads a stamp file's header; `None` if it is not one. The notes are
/// checked as they are read ([`Stamps::all`], [`plan`]).
pub fn open(bytes: &[u8]) -> Option<Stamps<'_>> {
    // The previous layout (no folders) still reads: upgrading kith must
    // not cost a read of every note.
    let (head, folders_len, rules) = match bytes.get(..8)? {
        m if m == MAGIC => (
            HEAD,
            usize::try_from(u64_at(bytes, 32)?).ok()?,
            u64_at(bytes, 40)?,
        ),
        m if m == MAGIC_NO_FOLDERS => (32, 0, 0),
        _ => return None,
    };
    let folders = bytes.get(head..head.checked_add(folders_len)?)?;
    let body = bytes.get(head + folders_len..)?;
    let count = usize::try_from(u64_at(bytes, 24)?).ok()?;
    (count <= body.len() / FIXED).then_some(Stamps {
        opstamp: u64_at(bytes, 8)?,
        as_of_ns: u64_at(bytes, 16)? as i64,
        count,
        body,
        folders,
        rules,
    })
}

impl<'a> Stamps<'a> {
    /// The notes in order, each checked: `None` for the first one that does
    /// not read (truncated, out of order, a path twice).
    fn notes(&self) -> impl Iterator<Item = Option<Known<'a>>> + use<'a> {
        let body = self.body;
        let mut at = 0;
        let mut prev: Option<&'a [u8]> = None;
        (0..self.count).map(move |_| {
            let (path, stamp, f) = path_and_stamp(body, at)?;
            let hash = u64_at(body, f + 32)?;
            if prev.is_some_and(|p| p >= path) {
                return None;
            }
            prev = Some(path);
            at = f + 40;
            Some(Known { path, stamp, hash })
        })
    }

    /// The recorded folders in order, or `None` when there are none or
    /// their record does not read.
    pub fn folders(&self) -> Option<Vec<(&'a [u8], Stamp)>> {
        let b = self.folders;
        let mut out = Vec::new();
        let mut at = 0;
        while at < b.len() {
            let (path, stamp, f) = path_and_stamp(b, at)?;
            if out.last().is_some_and(|(p, _): &(&[u8], Stamp)| *p >= path) {
                return None;
            }
            out.push((path, stamp));
            at = f + FOLDER - 4;
        }
        (!out.is_empty()).then_some(out)
    }

    /// Every note, or `None` if the file is damaged.
    pub fn all(&self) -> Option<Vec<Known<'a>>> {
        let all: Vec<Known<'a>> = self.notes().collect::<Option<_>>()?;
        let size: usize = all.iter().map(|k| FIXED + k.path.len()).sum();
        (size == self.body.len()).then_some(all)
    }
}

/// The bytes of a stamp file (`notes` sorted by path bytes), with the
/// folders of the walk the notes' stamps come from, when it vouches for
/// them.
pub fn encode(
    opstamp: u64,
    as_of_ns: i64,
    notes: &[Known<'_>],
    folders: Option<&store::Folders>,
) -> Vec<u8> {
    let mut dirs = Vec::new();
    for (path, st) in folders.map_or(&[][..], |f| &f.list[..]) {
        dirs.extend_from_slice(&(path.len() as u32).to_le_bytes());
        dirs.extend_from_slice(path);
        for n in [st.size, st.mtime_ns as u64, st.ctime_ns as u64, st.ino] {
            dirs.extend_from_slice(&n.to_le_bytes());
        }
    }
    let size: usize = notes.iter().map(|k| FIXED + k.path.len()).sum();
    let mut body = Vec::with_capacity(size);
    for k in notes {
        body.extend_from_slice(&(k.path.len() as u32).to_le_bytes());
        body.extend_from_slice(k.path);
        body.extend_from_slice(&k.stamp.size.to_le_bytes());
        body.extend_from_slice(&k.stamp.mtime_ns.to_le_bytes());
        body.extend_from_slice(&k.stamp.ctime_ns.to_le_bytes());
        body.extend_from_slice(&k.stamp.ino.to_le_bytes());
        body.extend_from_slice(&k.hash.to_le_bytes());
    }
    let mut out = Vec::with_capacity(HEAD + dirs.len() + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&opstamp.to_le_bytes());
    out.extend_from_slice(&as_of_ns.to_le_bytes());
    out.extend_from_slice(&(notes.len() as u64).to_le_bytes());
    out.extend_from_slice(&(dirs.len() as u64).to_le_bytes());
    out.extend_from_slice(&folders.map_or(0, |f| f.rules).to_le_bytes());
    out.extend_from_slice(&dirs);
    out.extend_from_slice(&body);
    out
}

/// Would a walk now find exactly the notes a stamp file holds, with the
/// same stamps, none of them too recent to trust? Checked without listing
/// a folder: every recorded folder still has its stamp (so it holds the
/// same names: adding, removing or renaming one moves a folder's times),
/// and every note still has its stamp, read through symlinks as the walk
/// reads it. Anything that cannot be said (no folders recorded, other
/// rules, anything moved or doubtful) is a no: the caller then walks.
///
/// The notes are looked at in chunks that any number of threads take in
/// turn ([`Check::help`]), so a thread done with other work joins in.
pub struct Check<'a> {
    notes: Vec<Known<'a>>,
    as_of_ns: i64,
    #[cfg(unix)]
    root: std::os::fd::OwnedFd,
    next: std::sync::atomic::AtomicUsize,
    failed: std::sync::atomic::AtomicBool,
}

/// Notes per chunk of a [`Check`].
const CHUNK: usize = 512;

impl<'a> Check<'a> {
    /// The check of `known` under the filter `rules` (see
    /// [`store::rules_key`]), its folders already looked at; `None` when
    /// that already says no.
    #[cfg(unix)]
    pub fn new(root: &Path, known: &Stamps<'a>, rules: u64) -> Option<Check<'a>> {
        use std::os::fd::FromRawFd;
        use std::os::unix::ffi::OsStrExt;
        if known.rules != rules {
            return None;
        }
        let folders = known.folders()?;
        let c = std::ffi::CString::new(root.as_os_str().as_bytes()).ok()?;
        // SAFETY: a valid C string; the descriptor is owned below.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return None;
        }
        let check = Check {
            notes: known.all()?,
            as_of_ns: known.as_of_ns,
            // SAFETY: a fresh descriptor nobody else owns.
            root: unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) },
            next: Default::default(),
            failed: Default::default(),
        };
        let mut buf = Vec::new();
        folders
            .iter()
            .all(|(p, st)| check.same(&mut buf, p, st, true))
            .then_some(check)
    }

    #[cfg(not(unix))]
    pub fn new(_root: &Path, _known: &Stamps<'a>, _rules: u64) -> Option<Check<'a>> {
        None
    }

    /// Looks at chunks of notes until none is left (or one moved).
    pub fn help(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        let mut buf = Vec::with_capacity(256);
        while !self.failed.load(Relaxed) {
            let at = self.next.fetch_add(CHUNK, Relaxed);
            let Some(chunk) = self.notes.get(at..(at + CHUNK).min(self.notes.len())) else {
                return;
            };
            if chunk.is_empty() {
                return;
            }
            if !chunk
                .iter()
                .all(|k| self.same(&mut buf, k.path, &k.stamp, false))
            {
                self.failed.store(true, Relaxed);
            }
        }
    }

    /// Once every helper has returned: did every note keep its stamp?
    pub fn passed(&self) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        !self.failed.load(Relaxed) && self.next.load(Relaxed) >= self.notes.len()
    }

    /// Does the file or folder at `path` (vault-relative; the vault itself
    /// when empty) still have the stamp `want`, one not too recent to
    /// trust? `buf`: room for the path and its NUL, reused.
    #[cfg(unix)]
    fn same(&self, buf: &mut Vec<u8>, path: &[u8], want: &Stamp, folder: bool) -> bool {
        use std::os::fd::AsRawFd;
        if want.doubtful(self.as_of_ns) {
            return false;
        }
        buf.clear();
        buf.extend_from_slice(path);
        buf.push(0);
        let Ok(name) = std::ffi::CStr::from_bytes_with_nul(buf) else {
            return false;
        };
        let fd = self.root.as_raw_fd();
        // SAFETY: zeroed is a valid `stat`; the calls only write into it.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `fd` is open, `name` a valid C string, `st` writable.
        let r = unsafe {
            if path.is_empty() {
                libc::fstat(fd, &mut st)
            } else if folder {
                libc::fstatat(fd, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW)
            } else {
                libc::fstatat(fd, name.as_ptr(), &mut st, 0)
            }
        };
        if r != 0 {
            return false;
        }
        let kind = st.st_mode & libc::S_IFMT;
        let want_kind = if folder { libc::S_IFDIR } else { libc::S_IFREG };
        kind == want_kind && store::stat_stamp(&st) == *want
    }

    #[cfg(not(unix))]
    fn same(&self, _: &mut Vec<u8>, _: &[u8], _: &Stamp, _: bool) -> bool {
        false
    }
}

/// A walk against what the index holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan<'a> {
    /// Walk positions of notes to read: new, stamp moved, or doubtful; with
    /// what the index holds for them, if anything.
    pub look: Vec<(usize, Option<Known<'a>>)>,
    /// Indexed notes the walk did not find.
    pub removed: Vec<&'a [u8]>,
}

impl Plan<'_> {
    pub fn is_empty(&self) -> bool {
        self.look.is_empty() && self.removed.is_empty()
    }
}

/// Compares a walk (sorted by path bytes; entries `wanted` says no to are
/// left out, as if absent) with what the index holds, in one merge; `None`
/// when the stamp file turns out damaged.
pub fn plan<'a>(
    walked: &[(std::path::PathBuf, Stamp)],
    wanted: impl Fn(&Path, &Stamp) -> bool,
    known: &Stamps<'a>,
) -> Option<Plan<'a>> {
    let mut p = Plan::default();
    let mut notes = known.notes();
    let mut size = 0;
    // The next indexed note: `Err` when the file is damaged there.
    let mut next = || match notes.next() {
        None => Ok(None),
        Some(Some(k)) => {
            size += FIXED + k.path.len();
            Ok(Some(k))
        }
        Some(None) => Err(()),
    };
    let mut k = next().ok()?;
    for (i, (rel, st)) in walked.iter().enumerate() {
        if !wanted(rel, st) {
            continue;
        }
        let key = store::path_order(rel);
        while let Some(old) = k.filter(|old| old.path < key) {
            p.removed.push(old.path);
            k = next().ok()?;
        }
        match k.filter(|old| old.path == key) {
            Some(old) => {
                k = next().ok()?;
                if old.stamp != *st || st.doubtful(known.as_of_ns) {
                    p.look.push((i, Some(old)));
                }
            }
            None => p.look.push((i, None)),
        }
    }
    while let Some(old) = k {
        p.removed.push(old.path);
        k = next().ok()?;
    }
    (size == known.body.len()).then_some(p)
}

/// What a sync learned about one note: its stamp and hash now, or `None`
/// when it is gone from the index.
pub type Update<'a> = (&'a [u8], Option<(Stamp, u64)>);

/// `known` with `updates` applied (`Some`: this note now, `None`: gone),
/// sorted by path bytes as the file wants them.
pub fn apply<'a>(known: &[Known<'a>], mut updates: Vec<Update<'a>>) -> Vec<Known<'a>> {
    updates.sort_by(|a, b| a.0.cmp(b.0));
    // The last word on a path counts.
    updates.reverse();
    updates.dedup_by(|a, b| a.0 == b.0);
    updates.reverse();
    let mut out = Vec::with_capacity(known.len() + updates.len());
    let mut u = updates.into_iter().peekable();
    for k in known {
        while let Some((path, now)) = u.next_if(|(p, _)| *p < k.path) {
            if let Some((stamp, hash)) = now {
                out.push(Known { path, stamp, hash });
            }
        }
        match u.next_if(|(p, _)| *p == k.path) {
            Some((path, Some((stamp, hash)))) => out.push(Known { path, stamp, hash }),
            Some((_, None)) => {}
            None => out.push(*k),
        }
    }
    for (path, now) in u {
        if let Some((stamp, hash)) = now {
            out.push(Known { path, stamp, hash });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn st(size: u64, mtime_ns: i64) -> Stamp {
        Stamp {
            size,
            mtime_ns,
            ctime_ns: mtime_ns,
            ino: 9,
        }
    }

    fn k(path: &str, stamp: Stamp) -> Known<'_> {
        Known {
            path: path.as_bytes(),
            stamp,
            hash: 7,
        }
    }

    fn decode(bytes: &[u8]) -> Option<(u64, i64, Vec<Known<'_>>)> {
        let s = open(bytes)?;
        Some((s.opstamp, s.as_of_ns, s.all()?))
    }

    #[test]
    fn a_stamp_file_round_trips_and_damage_is_refused() {
        let notes = [k("a.md", st(1, 10)), k("people/b.md", st(2, 20))];
        let bytes = encode(5, 99, &notes, None);
        let (op, as_of, read) = decode(&bytes).expect("a file just written reads back");
        assert_eq!((op, as_of, read.as_slice()), (5, 99, notes.as_slice()));
        // Truncated, longer, wrong magic, unsorted, a path twice: refused.
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(decode(&[bytes.as_slice(), b"x"].concat()).is_none());
        assert!(decode(b"1\t10\t7\tpeople/a.md\n@3\n").is_none());
        assert!(decode(b"").is_none());
        assert!(decode(&encode(5, 99, &[notes[1], notes[0]], None)).is_none());
        assert!(decode(&encode(5, 99, &[notes[0], notes[0]], None)).is_none());
        assert!(decode(&encode(1, 2, &[], None)).is_some_and(|(.., n)| n.is_empty()));
        // A flipped bit in a hash is a different hash: one more read.
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let (.., read) = decode(&flipped).expect("the structure is whole");
        assert_ne!(read[1].hash, notes[1].hash);
        // The plan checks the structure as it goes.
        let walk = vec![(PathBuf::from("a.md"), st(1, 10))];
        let cut = open(&bytes[..bytes.len() - 1]).expect("the header is whole");
        assert!(plan(&walk, |_, _| true, &cut).is_none());
    }

    #[test]
    fn folders_round_trip_and_the_layout_without_them_still_reads() {
        let notes = [k("a.md", st(1, 10)), k("people/b.md", st(2, 20))];
        let f = store::Folders {
            list: vec![(b"".to_vec(), st(0, 5)), (b"people".to_vec(), st(0, 6))],
            rules: 42,
        };
        let bytes = encode(5, 99, &notes, Some(&f));
        let s = open(&bytes).expect("just written");
        assert_eq!(s.rules, 42);
        let want = vec![(b"".as_slice(), st(0, 5)), (b"people".as_slice(), st(0, 6))];
        assert_eq!(s.folders(), Some(want));
        assert_eq!(s.all().expect("whole"), notes);
        let none = encode(5, 99, &notes, None);
        assert!(open(&none).expect("whole").folders().is_none());
        // The layout before folders: its notes read, it has no folders.
        let old = [b"KITHSTP2".as_slice(), &none[8..32], &none[48..]].concat();
        let s = open(&old).expect("the old layout reads");
        assert_eq!((s.opstamp, s.as_of_ns), (5, 99));
        assert_eq!(s.all().expect("whole"), notes);
        assert!(s.folders().is_none());
        // Folders out of order are not trusted.
        let swapped = store::Folders {
            list: vec![f.list[1].clone(), f.list[0].clone()],
            rules: 42,
        };
        assert!(
            open(&encode(5, 99, &notes, Some(&swapped)))
                .expect("whole")
                .folders()
                .is_none()
        );
    }

    #[test]
    fn a_plan_names_new_moved_doubtful_and_removed_notes() {
        let notes = [
            k("a.md", st(1, 10)),
            k("b.md", st(2, 20)),
            k("c.md", st(3, 30)),
            k("d.md", st(4, 99_000_000_000)),
        ];
        let early = encode(1, 100_000_000_000, &notes, None);
        let known = open(&early).expect("just written");
        let walk = |v: &[(&str, Stamp)]| -> Vec<(PathBuf, Stamp)> {
            v.iter().map(|(p, s)| (PathBuf::from(p), *s)).collect()
        };
        let all = |_: &Path, _: &Stamp| true;
        // Nothing moved, but d.md was written a second before the stamps
        // were taken: a second write in the same tick would keep its stamp.
        let same = walk(&[
            ("a.md", st(1, 10)),
            ("b.md", st(2, 20)),
            ("c.md", st(3, 30)),
            ("d.md", st(4, 99_000_000_000)),
        ]);
        let p = plan(&same, all, &known).expect("whole");
        assert_eq!(p.look, vec![(3, Some(notes[3]))]);
        let later = encode(1, 200_000_000_000, &notes, None);
        let later = open(&later).expect("just written");
        assert!(plan(&same, all, &later).expect("whole").is_empty());
        // b.md moved (ctime only), c.md gone, aa.md and e.md new.
        let mut moved = st(2, 20);
        moved.ctime_ns += 1;
        let w = walk(&[
            ("a.md", st(1, 10)),
            ("aa.md", st(5, 50)),
            ("b.md", moved),
            ("d.md", st(4, 99_000_000_000)),
            ("e.md", st(6, 60)),
        ]);
        let p = plan(&w, all, &later).expect("whole");
        assert_eq!(p.look, vec![(1, None), (2, Some(notes[1])), (4, None)]);
        assert_eq!(p.removed, vec![b"c.md".as_slice()]);
        // What the caller leaves out counts as gone.
        let p = plan(&w, |p, _| p != Path::new("a.md"), &later).expect("whole");
        assert_eq!(p.removed, vec![b"a.md".as_slice(), b"c.md"]);
    }

    #[test]
    fn updates_apply_in_path_order_the_last_one_winning() {
        let known = [k("b.md", st(2, 20)), k("d.md", st(4, 40))];
        let out = apply(
            &known,
            vec![
                (b"e.md".as_slice(), Some((st(5, 50), 1))),
                (b"a.md".as_slice(), Some((st(1, 10), 1))),
                (b"d.md".as_slice(), None),
                (b"b.md".as_slice(), Some((st(2, 21), 2))),
                (b"c.md".as_slice(), Some((st(3, 30), 1))),
                (b"c.md".as_slice(), None),
            ],
        );
        let paths: Vec<&[u8]> = out.iter().map(|k| k.path).collect();
        assert_eq!(paths, [b"a.md".as_slice(), b"b.md", b"e.md"]);
        assert_eq!(out[1].stamp, st(2, 21));
        assert_eq!(out[1].hash, 2);
    }
}
