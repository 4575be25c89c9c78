//! The directory, flat: used in place, never decoded as a whole.
//!
//! A command about one person needs every note's path and stamp (to know
//! what changed), every person's names (to find the one asked for), the name
//! keys (to resolve links) and who links to whom, and then a few records.
//! Decoding all of that into owned structures cost more than the rest of
//! `kith show` together at 100k notes (a postcard decode, hundreds of
//! thousands of allocations and as many frees at exit). Here the directory
//! is one byte buffer, laid out in sections of fixed-width rows and raw
//! arrays, and every accessor reads the bytes it needs where they lie. After
//! a walk it is read with one `read` (alongside the walk) and checksummed;
//! a directory a running watcher vouched for is read without the checksum
//! (the watcher checked it; [`super::read_vouched`] says why it is not
//! mapped).
//!
//! The buffer is hostile input: [`Dir::parse`] checks every section's
//! bounds, every row's names record, every link and key before anything is
//! used, and the accessors still never index without a check (a bad value
//! reads as empty, never as a panic). All numbers are little-endian.
//!
//! Body layout, after the header `model.bin` starts with (see the parent
//! module): five u64 counts (notes `n`, keys `k`, names bytes, key bytes,
//! link edges `e`), then
//! - `n` rows of [`ROW`] bytes: stamp (size, mtime, ctime, inode), content
//!   hash, record offset, record checksum, record length, error count,
//!   names offset, names length, kind;
//! - the names records (per note: path, title, aliases, and for a person
//!   its name and aliases when they differ from the note's, and emails;
//!   each string a u32 length and its bytes, each list a u32 count);
//! - the name keys as [`KeyIndex`] holds them: the folded keys' bytes, `k`
//!   key ends (u32), `k` note numbers (u32);
//! - out-links and in-links as CSR arrays: `n + 1` offsets (u32) and `e`
//!   note numbers (u32) each, so `show` finds the notes linking to a person
//!   without inverting every note's links.

use super::Stamp;
use crate::vault::{KeyIndex, partition};
use std::path::Path;

/// Bytes per note row.
pub(super) const ROW: usize = 80;
/// The counts before the sections.
const COUNTS: usize = 5 * 8;

/// One note's fixed-width row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Row {
    pub stamp: Stamp,
    pub hash: u64,
    /// The record: byte offset in the records file, checksum, length.
    pub at: u64,
    pub sum: u64,
    pub len: u32,
    /// How many error diagnostics the note has: commands warn about them
    /// without decoding every record.
    pub errors: u32,
    pub kind: u8,
}

/// A directory file's bytes, read into memory (never mapped: see
/// [`super::read_vouched`]).
pub(super) enum Buf {
    Heap(Vec<u8>),
}

impl Default for Buf {
    fn default() -> Buf {
        Buf::Heap(Vec::new())
    }
}

impl std::fmt::Debug for Buf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Buf({} bytes)", self.len())
    }
}

impl std::ops::Deref for Buf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Buf::Heap(v) => v,
        }
    }
}

/// A directory: the whole file's bytes and where its sections start.
#[derive(Debug, Default)]
pub(super) struct Dir {
    buf: Buf,
    n: usize,
    rows: usize,
    names: usize,
    names_len: usize,
    kblob: usize,
    kblob_len: usize,
    kends: usize,
    knotes: usize,
    nkeys: usize,
    out_off: usize,
    out_to: usize,
    in_off: usize,
    in_to: usize,
    edges: usize,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at.saturating_add(4))
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at.saturating_add(8))
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

fn damaged() -> String {
    super::damaged()
}

/// A list of strings in a names record.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Strs<'a> {
    count: u32,
    bytes: &'a [u8],
}

impl<'a> Strs<'a> {
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let mut r = Reader(self.bytes);
        (0..self.count).map_while(move |_| r.str())
    }

    pub fn to_vec(self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// A person's names as the directory has them.
#[derive(Debug, Clone, Copy)]
pub(super) struct PersonNames<'a> {
    /// `None`: the note's title.
    pub name: Option<&'a str>,
    /// `None`: the note's aliases.
    pub aliases: Option<Strs<'a>>,
    pub emails: Strs<'a>,
}

/// A note's names as the directory has them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Names<'a> {
    pub path: &'a Path,
    pub title: &'a str,
    pub aliases: Strs<'a>,
    pub person: Option<PersonNames<'a>>,
}

impl Default for Names<'_> {
    fn default() -> Self {
        Names {
            path: Path::new(""),
            title: "",
            aliases: Strs::default(),
            person: None,
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.bytes(n)?).ok()
    }
    fn path(&mut self) -> Option<&'a Path> {
        let n = self.u32()? as usize;
        path_of(self.bytes(n)?)
    }
    /// A string's bytes, passed over without checking them.
    fn skip_str(&mut self) -> Option<()> {
        let n = self.u32()? as usize;
        self.bytes(n).map(drop)
    }
    fn skip_strs(&mut self) -> Option<()> {
        for _ in 0..self.u32()? {
            self.skip_str()?;
        }
        Some(())
    }
    fn strs(&mut self) -> Option<Strs<'a>> {
        let count = self.u32()?;
        let start = self.0;
        for _ in 0..count {
            self.str()?;
        }
        let used = start.len() - self.0.len();
        Some(Strs {
            count,
            bytes: &start[..used],
        })
    }
}

/// Is a names record whole (every length inside it)? Its strings' UTF-8 is
/// checked when they are read: a lookup reads them all anyway.
fn names_whole(b: &[u8]) -> bool {
    let mut r = Reader(b);
    let ok = (|| {
        r.skip_str()?;
        r.skip_str()?;
        r.skip_strs()?;
        let flags = r.u8()?;
        if flags != 0 {
            if flags & 2 != 0 {
                r.skip_str()?;
            }
            if flags & 4 != 0 {
                r.skip_strs()?;
            }
            r.skip_strs()?;
        }
        Some(())
    })();
    ok.is_some() && r.0.is_empty()
}

pub(super) fn parse_names(b: &[u8]) -> Option<Names<'_>> {
    let mut r = Reader(b);
    let path = r.path()?;
    let title = r.str()?;
    let aliases = r.strs()?;
    let person = match r.u8()? {
        0 => None,
        flags => {
            let name = if flags & 2 != 0 { Some(r.str()?) } else { None };
            let aliases = if flags & 4 != 0 {
                Some(r.strs()?)
            } else {
                None
            };
            Some(PersonNames {
                name,
                aliases,
                emails: r.strs()?,
            })
        }
    };
    r.0.is_empty().then_some(Names {
        path,
        title,
        aliases,
        person,
    })
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(b);
}

/// A stored path's bytes as a path: any bytes on Unix (as the walk found
/// them), UTF-8 elsewhere.
fn path_of(b: &[u8]) -> Option<&Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(Path::new(std::ffi::OsStr::from_bytes(b)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(b).ok().map(Path::new)
    }
}

fn put_strs(out: &mut Vec<u8>, v: &[String]) {
    out.extend_from_slice(&u32::try_from(v.len()).unwrap_or(u32::MAX).to_le_bytes());
    for s in v {
        put_str(out, s);
    }
}

/// A parsed note's names record.
pub(super) fn encode_names(n: &crate::note::Note) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + n.title.len() * 2);
    // The path's own bytes, not UTF-8: a file name that is not UTF-8
    // (allowed on Linux) must match the walk again, or the note would be
    // taken for removed and new, and parsed and saved, on every run.
    put_bytes(&mut out, n.path.as_os_str().as_encoded_bytes());
    put_str(&mut out, &n.title);
    put_strs(&mut out, &n.aliases);
    match &n.person {
        None => out.push(0),
        Some(p) => {
            let own_name = p.name != n.title;
            let own_aliases = p.aliases != n.aliases;
            out.push(1 | if own_name { 2 } else { 0 } | if own_aliases { 4 } else { 0 });
            if own_name {
                put_str(&mut out, &p.name);
            }
            if own_aliases {
                put_strs(&mut out, &p.aliases);
            }
            put_strs(&mut out, &p.emails);
        }
    }
    out
}

/// Where a new directory's note takes its names from.
pub(super) enum NamesSrc {
    /// The same note's names in the directory built from.
    Old(usize),
    /// Encoded with [`encode_names`].
    New(Vec<u8>),
}

/// The resolved out-links of a directory being built.
pub(super) enum Links {
    /// Every note's (numbered as the new directory).
    All(Vec<Vec<u32>>),
    /// The old directory's, numbered the same, except these notes'.
    OldBut(rustc_hash::FxHashMap<usize, Vec<u32>>),
}

/// One note of a directory being built.
pub(super) struct Ent {
    pub row: Row,
    pub names: NamesSrc,
}

impl Dir {
    /// How many notes.
    pub fn len(&self) -> usize {
        self.n
    }

    /// The directory in `buf` from byte `at` on (the body after the
    /// file's header), checked through and through; `Err` says why not.
    pub fn parse(buf: Buf, at: usize) -> Result<Dir, String> {
        let d = Self::lay_out(buf, at)?;
        d.check().then_some(d).ok_or_else(damaged)
    }

    /// The sections of a directory, their bounds checked (not their
    /// contents: [`Dir::build`]'s own output needs no more).
    fn lay_out(buf: Buf, at: usize) -> Result<Dir, String> {
        let c = |i: usize| usize::try_from(u64_at(&buf, at + 8 * i)).map_err(|_| damaged());
        if buf.len() < at.saturating_add(COUNTS) {
            return Err(damaged());
        }
        let (n, nkeys, names_len, kblob_len, edges) = (c(0)?, c(1)?, c(2)?, c(3)?, c(4)?);
        let mut end = at + COUNTS;
        let mut section = |len: Option<usize>| -> Result<usize, String> {
            let start = end;
            end = len
                .and_then(|l| end.checked_add(l))
                .filter(|e| *e <= buf.len())
                .ok_or_else(damaged)?;
            Ok(start)
        };
        let rows = section(n.checked_mul(ROW))?;
        let names = section(Some(names_len))?;
        let kblob = section(Some(kblob_len))?;
        let kends = section(nkeys.checked_mul(4))?;
        let knotes = section(nkeys.checked_mul(4))?;
        let offs = n.checked_add(1).and_then(|m| m.checked_mul(4));
        let out_off = section(offs)?;
        let out_to = section(edges.checked_mul(4))?;
        let in_off = section(offs)?;
        let in_to = section(edges.checked_mul(4))?;
        if end != buf.len() {
            return Err(damaged());
        }
        Ok(Dir {
            buf,
            n,
            rows,
            names,
            names_len,
            kblob,
            kblob_len,
            kends,
            knotes,
            nkeys,
            out_off,
            out_to,
            in_off,
            in_to,
            edges,
        })
    }

    /// Every row's names record readable, every link and key inside.
    fn check(&self) -> bool {
        use rayon::prelude::*;
        let names_ok = (0..self.n).into_par_iter().all(|i| {
            self.names_range(i)
                .and_then(|r| self.buf.get(r))
                .is_some_and(names_whole)
        });
        let csr_ok = |off: usize, to: usize| {
            let mut prev = 0u32;
            (0..=self.n).all(|i| {
                let o = u32_at(&self.buf, off + 4 * i);
                let ok = o >= prev && (i > 0 || o == 0) && (o as usize) <= self.edges;
                prev = o;
                ok
            }) && prev as usize == self.edges
                && (0..self.edges).all(|k| (u32_at(&self.buf, to + 4 * k) as usize) < self.n)
        };
        names_ok && csr_ok(self.out_off, self.out_to) && csr_ok(self.in_off, self.in_to)
    }

    /// The notes with errors (every command warns about them).
    pub fn broken(&self) -> Vec<usize> {
        (0..self.n)
            .filter(|i| u32_at(&self.buf, self.rows + ROW * i + 60) > 0)
            .collect()
    }

    pub fn row(&self, i: usize) -> Row {
        let b = &self.buf;
        let at = self.rows + ROW * i;
        if i >= self.n {
            return Row::default();
        }
        Row {
            stamp: Stamp {
                size: u64_at(b, at),
                mtime_ns: u64_at(b, at + 8) as i64,
                ctime_ns: u64_at(b, at + 16) as i64,
                ino: u64_at(b, at + 24),
            },
            hash: u64_at(b, at + 32),
            at: u64_at(b, at + 40),
            sum: u64_at(b, at + 48),
            len: u32_at(b, at + 56),
            errors: u32_at(b, at + 60),
            kind: b.get(at + 72).copied().unwrap_or(u8::MAX),
        }
    }

    fn names_range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        if i >= self.n {
            return None;
        }
        let at = self.rows + ROW * i;
        let off = u32_at(&self.buf, at + 64) as usize;
        let len = u32_at(&self.buf, at + 68) as usize;
        let end = off.checked_add(len).filter(|e| *e <= self.names_len)?;
        Some(self.names + off..self.names + end)
    }

    /// Note `i`'s names record, encoded.
    pub fn names_bytes(&self, i: usize) -> &[u8] {
        self.names_range(i)
            .and_then(|r| self.buf.get(r))
            .unwrap_or_default()
    }

    /// Note `i`'s names (empty when out of range; [`Dir::parse`] checked
    /// every record).
    pub fn names(&self, i: usize) -> Names<'_> {
        parse_names(self.names_bytes(i)).unwrap_or_default()
    }

    pub fn path(&self, i: usize) -> &Path {
        path_of(self.path_bytes(i)).unwrap_or(Path::new(""))
    }

    /// Note `i`'s path as bytes, read alone (the walk's merge compares
    /// every one): the names record starts with it.
    pub fn path_bytes(&self, i: usize) -> &[u8] {
        let b = self.names_bytes(i);
        let len = u32_at(b, 0) as usize;
        b.get(4..4usize.saturating_add(len)).unwrap_or_default()
    }

    /// The name keys, as the vault holds them (a copy of three arrays).
    pub fn keys(&self) -> Option<KeyIndex> {
        let blob = self.buf.get(self.kblob..self.kblob + self.kblob_len)?;
        let blob = std::str::from_utf8(blob).ok()?.to_string();
        let arr = |at: usize| -> Vec<u32> {
            (0..self.nkeys)
                .map(|k| u32_at(&self.buf, at + 4 * k))
                .collect()
        };
        KeyIndex::from_raw(blob, arr(self.kends), arr(self.knotes), self.n)
    }

    /// The notes holding an already folded name key, ascending: a binary
    /// search over the saved keys where they lie ([`KeyIndex::get`]).
    pub fn key_get(&self, folded: &str) -> Vec<usize> {
        let k = self.nkeys;
        let end = |i: usize| u32_at(&self.buf, self.kends + 4 * i) as usize;
        let key = |i: usize| -> &[u8] {
            let start = if i == 0 { 0 } else { end(i - 1) };
            let stop = end(i).min(self.kblob_len);
            self.buf
                .get(self.kblob + start.min(stop)..self.kblob + stop)
                .unwrap_or_default()
        };
        let want = folded.as_bytes();
        let lo = partition(k, |i| key(i) < want);
        let hi = lo + partition(k - lo, |i| key(lo + i) == want);
        (lo..hi)
            .map(|i| u32_at(&self.buf, self.knotes + 4 * i) as usize)
            .filter(|i| *i < self.n)
            .collect()
    }

    fn csr(&self, off: usize, to: usize, i: usize) -> impl Iterator<Item = u32> + '_ {
        let (a, b) = if i < self.n {
            (
                u32_at(&self.buf, off + 4 * i) as usize,
                u32_at(&self.buf, off + 4 * (i + 1)) as usize,
            )
        } else {
            (0, 0)
        };
        (a..b.max(a)).map(move |k| u32_at(&self.buf, to + 4 * k))
    }

    /// The notes note `i` links to (resolved, sorted).
    pub fn out_links(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        self.csr(self.out_off, self.out_to, i)
    }

    /// The notes linking to note `i` (ascending).
    pub fn in_links(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        self.csr(self.in_off, self.in_to, i)
    }

    /// Every note's in-links as one CSR pair (offsets, notes).
    pub fn in_links_csr(&self) -> (Vec<usize>, Vec<usize>) {
        let off = (0..=self.n)
            .map(|i| u32_at(&self.buf, self.in_off + 4 * i) as usize)
            .collect();
        let to = (0..self.edges)
            .map(|k| u32_at(&self.buf, self.in_to + 4 * k) as usize)
            .collect();
        (off, to)
    }

    /// A directory of `ents` (names from `old` or their own), with these
    /// keys (`None`: `old`'s, copied as bytes) and resolved out-links;
    /// in-links derived.
    pub fn build(old: &Dir, ents: &[Ent], keys: Option<&KeyIndex>, out: &Links) -> Dir {
        fn names_src<'a>(old: &'a Dir, e: &'a Ent) -> &'a [u8] {
            match &e.names {
                NamesSrc::Old(j) => old.names_bytes(*j),
                NamesSrc::New(b) => b,
            }
        }
        let n = ents.len();
        let each = |i: usize, f: &mut dyn FnMut(u32)| match out {
            Links::All(v) => v.get(i).into_iter().flatten().for_each(|j| f(*j)),
            Links::OldBut(m) => match m.get(&i) {
                Some(v) => v.iter().for_each(|j| f(*j)),
                None => old.out_links(i).for_each(f),
            },
        };
        let names_len: usize = ents.iter().map(|e| names_src(old, e).len()).sum();
        let (blob, ends, knotes): (&[u8], Vec<u8>, Vec<u8>) = match keys {
            Some(k) => {
                let (blob, ends, notes) = k.raw();
                let m = ends.len().min(notes.len());
                let le = |v: &[u32]| v[..m].iter().flat_map(|x| x.to_le_bytes()).collect();
                (blob.as_bytes(), le(ends), le(notes))
            }
            None => {
                let sec = |at: usize, len: usize| old.buf.get(at..at + len).unwrap_or_default();
                (
                    sec(old.kblob, old.kblob_len),
                    sec(old.kends, 4 * old.nkeys).to_vec(),
                    sec(old.knotes, 4 * old.nkeys).to_vec(),
                )
            }
        };
        let nkeys = ends.len() / 4;
        let mut edges = 0usize;
        for i in 0..n {
            each(i, &mut |_| edges += 1);
        }
        let total = COUNTS + n * ROW + names_len + blob.len() + nkeys * 8 + (n + 1) * 8 + edges * 8;
        let mut b = Vec::with_capacity(total);
        for c in [n, nkeys, names_len, blob.len(), edges] {
            b.extend_from_slice(&(c as u64).to_le_bytes());
        }
        let mut off = 0usize;
        for e in ents {
            let r = &e.row;
            let len = names_src(old, e).len();
            for v in [
                r.stamp.size,
                r.stamp.mtime_ns as u64,
                r.stamp.ctime_ns as u64,
                r.stamp.ino,
                r.hash,
                r.at,
                r.sum,
            ] {
                b.extend_from_slice(&v.to_le_bytes());
            }
            for v in [r.len, r.errors, off as u32, len as u32] {
                b.extend_from_slice(&v.to_le_bytes());
            }
            b.push(r.kind);
            b.extend_from_slice(&[0u8; ROW - 73]);
            off += len;
        }
        for e in ents {
            b.extend_from_slice(names_src(old, e));
        }
        b.extend_from_slice(blob);
        b.extend_from_slice(&ends);
        b.extend_from_slice(&knotes);
        let mut at = 0u32;
        b.extend_from_slice(&at.to_le_bytes());
        for i in 0..n {
            each(i, &mut |_| at += 1);
            b.extend_from_slice(&at.to_le_bytes());
        }
        // The inverse, by counting: linkers come out ascending.
        let mut count = vec![0u32; n + 1];
        for i in 0..n {
            each(i, &mut |j| {
                b.extend_from_slice(&j.to_le_bytes());
                if let Some(c) = count.get_mut(j as usize + 1) {
                    *c += 1;
                }
            });
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        for c in &count {
            b.extend_from_slice(&c.to_le_bytes());
        }
        let mut to = vec![0u32; edges];
        let mut next = count;
        for i in 0..n {
            each(i, &mut |j| {
                if let Some(slot) = next.get_mut(j as usize)
                    && let Some(t) = to.get_mut(*slot as usize)
                {
                    *t = i as u32;
                    *slot += 1;
                }
            });
        }
        for j in &to {
            b.extend_from_slice(&j.to_le_bytes());
        }
        // Built from checked parts, laid out as parsing expects: this cannot
        // fail, but if it ever did, an empty directory makes the next run
        // rebuild.
        Dir::lay_out(Buf::Heap(b), 0).unwrap_or_default()
    }

    /// The body's bytes (what the file's header checksums).
    pub fn body(&self) -> &[u8] {
        self.buf
            .get(self.rows.saturating_sub(COUNTS)..)
            .unwrap_or_default()
    }
}
