//! What the index holds, note by note: the [`Stamp`] each note had when it
//! was indexed and the content hash of the bytes indexed, saved beside the
//! index after every commit (`kith-stamps`) and labelled with that commit.
//! A sync compares a walk of the vault with it; only a note whose stamp
//! moved (or is too recent to trust, see [`Stamp::doubtful`]) is read.
//!
//! The file is read on every search without a watcher, so it is laid out to
//! be compared, not parsed: `KITHSTP1`, the index commit (u64 LE), the time
//! the stamps were taken as of (i64 LE, ns), the number of notes and the
//! checksum of what follows (u64 LE each), then per note, sorted by
//! [`store::path_order`] like the walk: the path's length (u32 LE) and
//! bytes, size, mtime, ctime, inode and content hash (u64/i64 LE). One merge
//! of two sorted lists, no hashing of paths. It is rewritten whole after a
//! change (a few MB at 100k notes; a write into the page cache).

use crate::store::{self, Stamp};
use std::path::Path;

/// The file's name inside the index folder.
pub const FILE: &str = "kith-stamps";
const MAGIC: &[u8; 8] = b"KITHSTP1";
const HEAD: usize = 8 + 8 + 8 + 8 + 8;
const FIXED: usize = 4 + 5 * 8;

/// One indexed note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known<'a> {
    pub path: &'a [u8],
    pub stamp: Stamp,
    /// [`store::content_hash`] of the bytes indexed; 0 when not known.
    pub hash: u64,
}

/// A stamp file as read (borrowing its bytes), or as rebuilt from the
/// index's own fields.
#[derive(Debug, Default)]
pub struct Stamps<'a> {
    /// The index commit these stamps describe.
    pub opstamp: u64,
    /// When the stamps were taken (at the latest): see [`Stamp::doubtful`].
    pub as_of_ns: i64,
    /// Sorted by path bytes, no path twice.
    pub notes: Vec<Known<'a>>,
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The commit and as-of time a stamp file's header names, without reading
/// the rest.
pub fn decode_head(bytes: &[u8]) -> Option<(u64, i64)> {
    if bytes.get(..8)? != MAGIC {
        return None;
    }
    Some((u64_at(bytes, 8)?, u64_at(bytes, 16)? as i64))
}

/// Reads a stamp file; `None` if it is damaged in any way (wrong magic,
/// truncated, checksum, unsorted), so it is simply not trusted.
pub fn decode(bytes: &[u8]) -> Option<Stamps<'_>> {
    if bytes.get(..8)? != MAGIC {
        return None;
    }
    let opstamp = u64_at(bytes, 8)?;
    let as_of_ns = u64_at(bytes, 16)? as i64;
    let count = usize::try_from(u64_at(bytes, 24)?).ok()?;
    let sum = u64_at(bytes, 32)?;
    let body = &bytes[HEAD..];
    if store::content_hash(body) != sum || count > body.len() / FIXED {
        return None;
    }
    let mut notes = Vec::with_capacity(count);
    let mut at = 0;
    for _ in 0..count {
        let len = u32::from_le_bytes(body.get(at..at + 4)?.try_into().ok()?) as usize;
        let path = body.get(at + 4..at + 4 + len)?;
        let f = at + 4 + len;
        let stamp = Stamp {
            size: u64_at(body, f)?,
            mtime_ns: u64_at(body, f + 8)? as i64,
            ctime_ns: u64_at(body, f + 16)? as i64,
            ino: u64_at(body, f + 24)?,
        };
        let hash = u64_at(body, f + 32)?;
        if notes.last().is_some_and(|k: &Known| k.path >= path) {
            return None;
        }
        notes.push(Known { path, stamp, hash });
        at = f + 40;
    }
    (at == body.len()).then_some(Stamps {
        opstamp,
        as_of_ns,
        notes,
    })
}

/// The bytes of a stamp file (`notes` sorted by path bytes).
pub fn encode(opstamp: u64, as_of_ns: i64, notes: &[Known<'_>]) -> Vec<u8> {
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
    let mut out = Vec::with_capacity(HEAD + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&opstamp.to_le_bytes());
    out.extend_from_slice(&as_of_ns.to_le_bytes());
    out.extend_from_slice(&(notes.len() as u64).to_le_bytes());
    out.extend_from_slice(&store::content_hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// A walk against what the index holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Walk positions of notes to read: new, stamp moved, or doubtful; with
    /// their position in `known`, when indexed.
    pub look: Vec<(usize, Option<usize>)>,
    /// Positions in `known` of notes the walk did not find.
    pub removed: Vec<usize>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.look.is_empty() && self.removed.is_empty()
    }
}

/// Compares a walk (sorted by path bytes; entries `wanted` says no to are
/// left out, as if absent) with what the index holds, in one merge.
pub fn plan(
    walked: &[(std::path::PathBuf, Stamp)],
    wanted: impl Fn(&Path, &Stamp) -> bool,
    known: &Stamps<'_>,
) -> Plan {
    let mut p = Plan::default();
    let mut j = 0;
    let notes = &known.notes;
    for (i, (rel, st)) in walked.iter().enumerate() {
        if !wanted(rel, st) {
            continue;
        }
        let key = store::path_order(rel);
        while j < notes.len() && notes[j].path < key {
            p.removed.push(j);
            j += 1;
        }
        if j < notes.len() && notes[j].path == key {
            j += 1;
            if notes[j - 1].stamp == *st && !st.doubtful(known.as_of_ns) {
                continue;
            }
            p.look.push((i, Some(j - 1)));
        } else {
            p.look.push((i, None));
        }
    }
    p.removed.extend(j..notes.len());
    p
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

    #[test]
    fn a_stamp_file_round_trips_and_damage_is_refused() {
        let notes = [k("a.md", st(1, 10)), k("people/b.md", st(2, 20))];
        let bytes = encode(5, 99, &notes);
        let s = decode(&bytes).expect("a file just written decodes");
        assert_eq!((s.opstamp, s.as_of_ns), (5, 99));
        assert_eq!(s.notes, notes);
        // Truncated, flipped, wrong magic, unsorted: none is trusted.
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(decode(&flipped).is_none());
        assert!(decode(b"1\t10\t7\tpeople/a.md\n@3\n").is_none());
        assert!(decode(b"").is_none());
        let unsorted = encode(5, 99, &[notes[1], notes[0]]);
        assert!(decode(&unsorted).is_none());
        let twice = encode(5, 99, &[notes[0], notes[0]]);
        assert!(decode(&twice).is_none());
        assert!(decode(&encode(1, 2, &[])).is_some_and(|s| s.notes.is_empty()));
    }

    #[test]
    fn a_plan_names_new_moved_doubtful_and_removed_notes() {
        let known = Stamps {
            opstamp: 1,
            as_of_ns: 100_000_000_000,
            notes: vec![
                k("a.md", st(1, 10)),
                k("b.md", st(2, 20)),
                k("c.md", st(3, 30)),
                k("d.md", st(4, 99_000_000_000)),
            ],
        };
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
        assert_eq!(plan(&same, all, &known).look, vec![(3, Some(3))]);
        let later = Stamps {
            as_of_ns: 200_000_000_000,
            ..known
        };
        assert!(plan(&same, all, &later).is_empty());
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
        let p = plan(&w, all, &later);
        assert_eq!(p.look, vec![(1, None), (2, Some(1)), (4, None)]);
        assert_eq!(p.removed, vec![2]);
        // What the caller leaves out counts as gone.
        let p = plan(&w, |p, _| p != Path::new("a.md"), &later);
        assert_eq!(p.removed, vec![0, 2]);
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
