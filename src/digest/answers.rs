//! The matcher's answers kept between runs (`.kith/cache/answers.bin`).
//!
//! The matcher's index is a pure function of the lexicon and of the ordered
//! fields of everyone eligible (offers, role, org, tags, interests and the
//! prose outside log entries and task lines). Logging a conversation or a
//! promise changes a note, so every cache keyed on note content misses,
//! but it leaves those fields alone: the index built again would be the
//! same, and so would every answer it gives. So each answer is kept under a
//! *matcher key* (the kith binary, the lexicon, and every eligible person's
//! fields in order); a run whose key is the stored one answers from here
//! and never builds the index (1.3 s at 100k people).
//!
//! What is kept is what a run asked: [`Index::meet`](super::matcher::Index::meet)
//! per need, the need keys, each share's score per (need, resource fields,
//! coverage floor), and the fields the answers' reasons quote. To tell the
//! key without reading everyone's fields, the file also holds each eligible
//! person's fields hash by note path and content hash: only the notes that
//! changed are read.
//!
//! The file follows [`super::cached`]'s discipline (its header, checksum,
//! atomic write, a damaged file said once on stderr and recomputed); the
//! header's generation is [`GENERATION`], and the key is in the payload, so
//! a key that moved still leaves the fields hashes usable.

use super::cached;
use super::lexicon::Lexicon;
use super::matcher::{Field, Index, NeedMatch, Profile};
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// Bump when [`Stored`] or what goes into an answer changes.
const GENERATION: u64 = 1;

/// The answers' cache file.
pub fn file(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("answers.bin")
}

/// The file's payload.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Stored {
    /// Per eligible person: (path hash, content hash, fields hash).
    pub sums: Vec<(u64, u64, u64)>,
    /// The matcher key the answers below are of.
    pub key: u64,
    /// (need, skip, limit asked, answer).
    meets: Vec<(String, Option<usize>, usize, Vec<NeedMatch>)>,
    need_keys: Vec<(String, Vec<String>)>,
    /// (need, resource fields hash, coverage floor's bits, answer).
    scores: Vec<(String, u64, u64, Option<NeedMatch>)>,
    /// (profile, field index, field): what the meets' reasons quote.
    quoted: Vec<(usize, usize, Field)>,
}

/// The stored answers, or none (a damaged file is said on stderr).
pub fn load(root: &Path) -> Stored {
    match cached::read::<Stored>(&file(root), GENERATION) {
        Ok(s) => s,
        Err(cached::Miss::Absent) => Stored::default(),
        Err(cached::Miss::Bad(why)) => {
            eprintln!("kith: rebuilt the matcher's answers because {why}");
            Stored::default()
        }
    }
}

/// A hash of one person's (or resource's) fields, in order.
pub fn fields_hash(fields: &[Field]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    fields.len().hash(&mut h);
    for f in fields {
        f.kind.hash(&mut h);
        f.text.hash(&mut h);
    }
    h.finish()
}

/// A hash of a note's path, to find its fields hash again.
pub fn path_hash(path: &Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.as_os_str().as_encoded_bytes().hash(&mut h);
    h.finish()
}

/// The matcher key: equal keys mean identical indexes, so identical answers.
pub fn key(lexicon: &Lexicon, fields: impl Iterator<Item = u64>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    GENERATION.hash(&mut h);
    // The matcher's rules and weights are the program's.
    cached::binary_identity(&mut h);
    // Every concept and phrase, stems included: the lexicon as loaded.
    format!("{lexicon:?}").hash(&mut h);
    let mut n = 0usize;
    for f in fields {
        f.hash(&mut h);
        n += 1;
    }
    n.hash(&mut h);
    h.finish()
}

/// One kept `meet` answer: (skip, limit asked, answer).
type Met = (Option<usize>, usize, Vec<NeedMatch>);

/// Answers by question, to look up and to record.
#[derive(Debug, Default)]
pub struct Memo {
    /// Need → (skip, limit asked, answer).
    meets: HashMap<String, Vec<Met>>,
    need_keys: HashMap<String, Vec<String>>,
    /// Need → (resource fields hash, floor's bits) → answer.
    scores: HashMap<String, HashMap<(u64, u64), Option<NeedMatch>>>,
    quoted: HashMap<(usize, usize), Field>,
}

impl Memo {
    /// The answers of `s`, when they are of `key` and whole: every profile
    /// they name is one of the `people` profiles and every field their
    /// reasons quote is kept. `Err` says why a file of this key is not used.
    pub fn of(s: Stored, key: u64, people: usize) -> Result<Memo, &'static str> {
        if s.key != key {
            return Ok(Memo::default());
        }
        let mut m = Memo::default();
        for (k, fi, f) in s.quoted {
            m.quoted.insert((k, fi), f);
        }
        for (need, skip, limit, found) in s.meets {
            for nm in &found {
                if nm.profile >= people {
                    return Err("it names a person the matcher does not have");
                }
                if nm
                    .covered
                    .iter()
                    .any(|c| !m.quoted.contains_key(&(nm.profile, c.field)))
                {
                    return Err("it lacks a field a reason quotes");
                }
            }
            m.record_meet(&need, skip, limit, found);
        }
        m.need_keys.extend(s.need_keys);
        for (need, res, min, found) in s.scores {
            m.scores.entry(need).or_default().insert((res, min), found);
        }
        Ok(m)
    }

    /// How many answers are held.
    pub fn len(&self) -> usize {
        self.meets.values().map(Vec::len).sum::<usize>()
            + self.need_keys.len()
            + self.scores.values().map(HashMap::len).sum::<usize>()
    }

    /// The kept answer that tells `meet(need, skip, limit)`: (the limit it
    /// was asked with, the whole answer); the answer is its first `limit`.
    /// An answer to a larger limit holds it: `meet` is exactly the best
    /// `limit` of scoring everyone (coverage, then profile), so the best 3
    /// are the first 3 of the best 21. An answer shorter than its limit is
    /// every profile that meets the need, so it answers any larger limit.
    pub fn meet(
        &self,
        need: &str,
        skip: Option<usize>,
        limit: usize,
    ) -> Option<(usize, &[NeedMatch])> {
        self.meets
            .get(need)?
            .iter()
            .find(|(s, l, found)| *s == skip && (*l >= limit || found.len() < *l))
            .map(|(_, l, found)| (*l, found.as_slice()))
    }

    /// Keeps an answer of `meet`: per need and skip, the one of the
    /// largest limit (it holds the smaller ones).
    pub fn record_meet(
        &mut self,
        need: &str,
        skip: Option<usize>,
        limit: usize,
        found: Vec<NeedMatch>,
    ) {
        let list = match self.meets.get_mut(need) {
            Some(l) => l,
            None => self.meets.entry(need.to_string()).or_default(),
        };
        match list.iter_mut().find(|(s, _, _)| *s == skip) {
            Some(e) if e.1 >= limit => {}
            Some(e) => *e = (skip, limit, found),
            None => list.push((skip, limit, found)),
        }
    }

    /// Whether `meet` and `need_keys` of this need were answered.
    pub fn knows(&self, need: &str) -> bool {
        self.meets.contains_key(need) && self.need_keys.contains_key(need)
    }

    pub fn need_keys(&self, need: &str) -> Option<&Vec<String>> {
        self.need_keys.get(need)
    }

    pub fn record_need_keys(&mut self, need: &str, keys: Vec<String>) {
        if !self.need_keys.contains_key(need) {
            self.need_keys.insert(need.to_string(), keys);
        }
    }

    pub fn score(&self, need: &str, resource: u64, min: f64) -> Option<&Option<NeedMatch>> {
        self.scores.get(need)?.get(&(resource, min.to_bits()))
    }

    pub fn record_score(&mut self, need: &str, resource: u64, min: f64, found: Option<NeedMatch>) {
        let m = match self.scores.get_mut(need) {
            Some(m) => m,
            None => self.scores.entry(need.to_string()).or_default(),
        };
        m.entry((resource, min.to_bits())).or_insert(found);
    }

    /// A field a kept answer's reason quotes.
    pub fn quoted(&self, profile: usize, field: usize) -> Option<&Field> {
        self.quoted.get(&(profile, field))
    }

    /// Adds the answers of `old` this memo lacks whose need is still asked
    /// by someone (`current`); the scores only when this run asked none
    /// (a run that scored resources asked every pair it needs). Returns how
    /// many of `old`'s answers were left out.
    pub fn keep_from(&mut self, old: &Memo, current: &dyn Fn(&str) -> bool) -> usize {
        let mut dropped = 0;
        for (need, list) in &old.meets {
            for (skip, limit, found) in list {
                if current(need) {
                    self.record_meet(need, *skip, *limit, found.clone());
                } else {
                    dropped += 1;
                }
            }
        }
        for (need, keys) in &old.need_keys {
            if current(need) {
                self.record_need_keys(need, keys.clone());
            } else {
                dropped += 1;
            }
        }
        let scored = !self.scores.is_empty();
        for (need, m) in &old.scores {
            for (&(res, min), found) in m {
                if scored || !current(need) {
                    dropped += usize::from(self.score(need, res, f64::from_bits(min)).is_none());
                } else {
                    self.record_score(need, res, f64::from_bits(min), found.clone());
                }
            }
        }
        dropped
    }

    /// The stored form, with the fields `quote` gives for every (profile,
    /// field) a kept meet's reasons may quote.
    pub fn into_stored(
        self,
        key: u64,
        sums: Vec<(u64, u64, u64)>,
        quote: &dyn Fn(usize, usize) -> Option<Field>,
    ) -> Stored {
        let mut quoted: Vec<(usize, usize, Field)> = Vec::new();
        let mut seen: std::collections::HashSet<(usize, usize)> = Default::default();
        let mut meets = Vec::new();
        for (need, list) in self.meets {
            for (skip, limit, found) in list {
                for nm in &found {
                    for c in &nm.covered {
                        if seen.insert((nm.profile, c.field))
                            && let Some(f) = quote(nm.profile, c.field)
                        {
                            quoted.push((nm.profile, c.field, f));
                        }
                    }
                }
                meets.push((need.clone(), skip, limit, found));
            }
        }
        let mut scores = Vec::new();
        for (need, m) in self.scores {
            for ((res, min), found) in m {
                scores.push((need.clone(), res, min, found));
            }
        }
        Stored {
            sums,
            key,
            meets,
            need_keys: self.need_keys.into_iter().collect(),
            scores,
            quoted,
        }
    }
}

/// Writes the answers; a read-only vault still answers (it computes again
/// next time).
pub fn save(root: &Path, stored: &Stored) {
    if let Err(e) = cached::write(&file(root), GENERATION, stored)
        && std::env::var_os("KITH_TRACE").is_some()
    {
        eprintln!("trace: matcher's answers not saved: {e}");
    }
}

/// Past this many changed people the key's fields are read through the
/// fields cache (all of them) rather than note by note.
const READ_AT_MOST: usize = 256;

/// The matcher over every eligible person, asked through the kept answers:
/// the index is built only for a question they do not hold (or at once when
/// they hold nothing of this key), and what this run asked is kept when it
/// is dropped.
pub struct Matching<'v> {
    vault: &'v Vault,
    /// Note index of each profile.
    pub people: Vec<usize>,
    /// Reads a person's fields from their note.
    fields_of: fn(&Vault, usize) -> Vec<Field>,
    /// The limit the introductions ask `meet` with: every need is answered
    /// to it whenever the index is built (see [`Drop`]).
    prime: usize,
    /// Whether answers are kept at all (the vault knows its notes' content
    /// hashes).
    keep: bool,
    key: u64,
    /// (path hash, content hash, fields hash) of each eligible person with
    /// a content hash, for the file.
    sums: Vec<(u64, u64, u64)>,
    /// Whether the file's key or fields hashes are not these.
    changed: bool,
    /// Fields read to tell the key, by note, for the index if it is built.
    made: Mutex<HashMap<usize, Vec<Field>>>,
    /// Everyone's fields, when all were read to tell the key.
    all: Mutex<Option<Vec<Vec<Field>>>>,
    /// The answers kept under this key.
    memo: Memo,
    /// Answers computed this run, and the shares' scores asked.
    asked: Mutex<Memo>,
    missed: AtomicBool,
    index: OnceLock<Index>,
}

fn trace(what: &str, since: std::time::Instant) {
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!("trace: {what} at {:?}{}", since.elapsed(), super::rss());
    }
}

impl<'v> Matching<'v> {
    /// The matcher over `people` (note indexes, in order) of `vault`.
    pub(super) fn new(
        vault: &'v Vault,
        people: Vec<usize>,
        fields_of: fn(&Vault, usize) -> Vec<Field>,
        prime: usize,
    ) -> Matching<'v> {
        let t = std::time::Instant::now();
        let sources = vault.source_hashes();
        let mut m = Matching {
            vault,
            people,
            fields_of,
            prime,
            keep: !sources.is_empty() && sources.len() == vault.notes.len(),
            key: 0,
            sums: Vec::new(),
            changed: true,
            made: Mutex::default(),
            all: Mutex::default(),
            memo: Memo::default(),
            asked: Mutex::default(),
            missed: AtomicBool::new(false),
            index: OnceLock::new(),
        };
        if !m.keep {
            m.index();
            return m;
        }
        let stored = load(&vault.root);
        let known: HashMap<(u64, u64), u64> =
            stored.sums.iter().map(|&(p, c, f)| ((p, c), f)).collect();
        let mut sums: Vec<(u64, u64, Option<u64>)> = m
            .people
            .iter()
            .map(|&i| {
                let p = path_hash(&vault.notes[i].path);
                let c = sources[i];
                let f = if c == 0 {
                    None
                } else {
                    known.get(&(p, c)).copied()
                };
                (p, c, f)
            })
            .collect();
        drop(known);
        let misses: Vec<usize> = (0..sums.len()).filter(|&k| sums[k].2.is_none()).collect();
        if misses.len() > READ_AT_MOST {
            // The first run, or a checkout that changed many notes: the
            // fields cache holds most of them.
            let all = cached::person_fields(vault, &m.people, &|i| fields_of(vault, i));
            for (s, f) in sums.iter_mut().zip(&all) {
                s.2 = Some(fields_hash(f));
            }
            m.all = Mutex::new(Some(all));
        } else {
            use rayon::prelude::*;
            let made: HashMap<usize, Vec<Field>> = misses
                .par_iter()
                .map(|&k| (m.people[k], fields_of(vault, m.people[k])))
                .collect();
            for &k in &misses {
                sums[k].2 = made.get(&m.people[k]).map(|f| fields_hash(f));
            }
            m.made = Mutex::new(made);
        }
        let lexicon = Lexicon::load(&vault.config);
        m.key = key(&lexicon, sums.iter().map(|s| s.2.unwrap_or(0)));
        m.sums = sums
            .iter()
            .filter(|s| s.1 != 0)
            .map(|s| (s.0, s.1, s.2.unwrap_or(0)))
            .collect();
        m.changed = stored.key != m.key || stored.sums != m.sums;
        let mut eager = stored.key != m.key;
        m.memo = match Memo::of(stored, m.key, m.people.len()) {
            Ok(memo) => memo,
            Err(why) => {
                eprintln!("kith: rebuilt the matcher's answers because {why}");
                m.changed = true;
                eager = true;
                Memo::default()
            }
        };
        if std::env::var_os("KITH_TRACE").is_some() {
            eprintln!(
                "trace: matcher answers: {} kept for this key, {} people's fields read",
                m.memo.len(),
                misses.len()
            );
        }
        trace("matcher key", t);
        // Nothing kept of this key, or a need nobody asked before (the
        // introductions ask every need): a question will build the index;
        // built now, it is built beside whatever the caller runs alongside.
        eager = eager
            || vault
                .people()
                .any(|(_, _, p)| p.needs.iter().any(|n| !m.memo.knows(n)));
        if eager {
            m.index();
        }
        m
    }

    /// The index, built on first need.
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let t = std::time::Instant::now();
            let all = lock(&self.all).take();
            let fields = match all {
                Some(all) => all,
                None => {
                    let made = std::mem::take(&mut *lock(&self.made));
                    let vault = self.vault;
                    let fields_of = self.fields_of;
                    cached::person_fields(vault, &self.people, &|i| match made.get(&i) {
                        Some(f) => f.clone(),
                        None => fields_of(vault, i),
                    })
                }
            };
            trace("matcher: fields", t);
            // The profiles keep the fields: one copy, not a clone beside them.
            let index = Index::new(Lexicon::load(&self.vault.config), fields);
            trace("matcher built", t);
            index
        })
    }

    fn miss(&self) -> &Index {
        self.missed.store(true, Ordering::Relaxed);
        self.index()
    }

    /// [`Index::meet`], answered from the kept answers when they hold it.
    pub fn meet(&self, need: &str, skip: Option<usize>, limit: usize) -> Vec<NeedMatch> {
        if let Some((_, found)) = self.memo.meet(need, skip, limit) {
            return found[..found.len().min(limit)].to_vec();
        }
        let found = self.miss().meet(need, skip, limit);
        lock(&self.asked).record_meet(need, skip, limit, found.clone());
        found
    }

    /// [`meet`](Self::meet) of each of `needs`, in parallel. The index is
    /// built first when one is not kept: never inside the parallel loop,
    /// where a thread waiting on the build could be handed another need of
    /// the same loop and wait on itself.
    pub fn meet_all<'n>(
        &self,
        needs: &[&'n str],
        limit: usize,
    ) -> HashMap<&'n str, Vec<NeedMatch>> {
        use rayon::prelude::*;
        if needs
            .iter()
            .any(|n| self.memo.meet(n, None, limit).is_none())
        {
            self.miss();
        }
        needs
            .par_iter()
            .map(|&n| (n, self.meet(n, None, limit)))
            .collect()
    }

    /// [`Index::need_keys`], answered from the kept answers when they hold it.
    pub fn need_keys(&self, need: &str) -> Vec<String> {
        if let Some(k) = self.memo.need_keys(need) {
            return k.clone();
        }
        let keys = self.miss().need_keys(need);
        lock(&self.asked).record_need_keys(need, keys.clone());
        keys
    }

    /// A resource's fields, to score needs against (its profile is made
    /// only if the index is).
    pub fn resource(&self, fields: Vec<Field>) -> Resource {
        Resource {
            hash: fields_hash(&fields),
            fields,
            profile: OnceLock::new(),
        }
    }

    /// Whether the resource meets the need at coverage floor `min`
    /// ([`Index::score_at`] of the need prepared; `profile` is 0).
    pub fn score(&self, need: &str, r: &Resource, min: f64) -> Option<NeedMatch> {
        let found = match self.memo.score(need, r.hash, min) {
            Some(found) => found.clone(),
            None => {
                let ix = self.miss();
                let p = r.profile.get_or_init(|| ix.profile(r.fields.clone()));
                ix.prepare(need).and_then(|q| ix.score_at(p, &q, min))
            }
        };
        // Kept even when known: a run that scores resources asks every
        // pair it needs, and those are what the file keeps.
        lock(&self.asked).record_score(need, r.hash, min, found.clone());
        found
    }

    /// Field `field` of profile `k`, for the answers' reasons to quote.
    pub fn field(&self, k: usize, field: usize) -> Option<&Field> {
        match self.index.get() {
            Some(ix) => ix.profiles.get(k)?.fields.get(field),
            None => self.memo.quoted(k, field),
        }
    }
}

/// A resource to score needs against ([`Matching::score`]).
pub struct Resource {
    fields: Vec<Field>,
    hash: u64,
    profile: OnceLock<Profile>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere leaves the data whole (each update is one insert).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps what this run asked, with the kept answers still asked by someone,
/// when anything changed.
impl Drop for Matching<'_> {
    fn drop(&mut self) {
        self.keep_answers();
        // The index is millions of small allocations: freed on a thread of
        // its own, not on the way to the answer.
        if let Some(ix) = self.index.take() {
            super::drop_aside(ix);
        }
    }
}

impl Matching<'_> {
    /// Writes what this run asked (and, with the index built, every need
    /// anyone has) under the matcher key, when it is still that key's.
    fn keep_answers(&mut self) {
        // A note saved since the model read it was read for its fields:
        // they are not those of the content hash the file would say.
        if !self.keep || self.vault.read_changed() {
            return;
        }
        let mut now = std::mem::take(&mut *lock(&self.asked));
        let current: std::collections::HashSet<&str> = self
            .vault
            .people()
            .flat_map(|(_, _, p)| p.needs.iter().map(String::as_str))
            .collect();
        let dropped = now.keep_from(&self.memo, &|n| current.contains(n));
        // With the index at hand, every need anyone has is answered (the
        // people not open to introductions are asked about for help in
        // context only, and who needs keys changes with who pairs on topics
        // alone): a later run asks nothing it does not hold unless someone
        // writes a new need.
        let mut primed = 0;
        if let Some(ix) = self.index.get() {
            use rayon::prelude::*;
            let prime = self.prime;
            let todo: Vec<&str> = current.iter().copied().filter(|n| !now.knows(n)).collect();
            let found: Vec<_> = todo
                .par_iter()
                .map(|&n| {
                    let meet = now
                        .meet(n, None, prime)
                        .is_none()
                        .then(|| ix.meet(n, None, prime));
                    let keys = now.need_keys(n).is_none().then(|| ix.need_keys(n));
                    (n, meet, keys)
                })
                .collect();
            primed = found.len();
            for (n, meet, keys) in found {
                if let Some(found) = meet {
                    now.record_meet(n, None, prime, found);
                }
                if let Some(keys) = keys {
                    now.record_need_keys(n, keys);
                }
            }
        }
        let missed = self.missed.load(Ordering::Relaxed);
        if !(self.changed || missed || dropped > 0 || primed > 0) {
            return;
        }
        let this = &*self;
        let stored = now.into_stored(this.key, this.sums.clone(), &|k, f| {
            this.field(k, f).cloned()
        });
        save(&this.vault.root, &stored);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::matcher::{Covered, FieldKind};

    fn found(n: usize) -> Vec<NeedMatch> {
        (0..n)
            .map(|k| NeedMatch {
                profile: k,
                coverage: 1.0 - k as f64 / 100.0,
                covered: vec![Covered {
                    word: "tax".into(),
                    field: 0,
                    concept: None,
                }],
            })
            .collect()
    }

    #[test]
    fn a_kept_meet_answers_smaller_limits_and_whole_answers_any() {
        let mut m = Memo::default();
        m.record_meet("a tax advisor", None, 21, found(21));
        m.record_meet("knitting", None, 21, found(4));
        m.record_meet("rust", None, 3, found(3));
        fn got(m: &Memo, need: &str, limit: usize) -> Option<usize> {
            m.meet(need, None, limit).map(|(_, f)| f.len().min(limit))
        }
        assert_eq!(got(&m, "a tax advisor", 3), Some(3));
        assert_eq!(got(&m, "a tax advisor", 22), None, "the 22nd is not known");
        assert_eq!(got(&m, "knitting", 400), Some(4), "four is everyone");
        assert_eq!(got(&m, "rust", 21), None);
        assert_eq!(m.meet("rust", Some(0), 3), None, "another skip");
        // A larger limit replaces a smaller one, never the other way.
        m.record_meet("rust", None, 21, found(21));
        m.record_meet("rust", None, 3, found(3));
        assert_eq!(got(&m, "rust", 21), Some(21));
    }

    #[test]
    fn answers_of_needs_nobody_has_are_not_kept() {
        let mut old = Memo::default();
        old.record_meet("gone", None, 21, found(2));
        old.record_meet("still", None, 21, found(2));
        old.record_need_keys("gone", vec!["word:gone".into()]);
        old.record_score("still", 7, 0.35, None);
        let mut now = Memo::default();
        let dropped = now.keep_from(&old, &|n| n == "still");
        assert_eq!(dropped, 2);
        assert!(now.meet("still", None, 21).is_some() && now.score("still", 7, 0.35).is_some());
        assert!(now.meet("gone", None, 1).is_none() && now.need_keys("gone").is_none());
        // A run that scored resources keeps only the scores it asked.
        let mut scored = Memo::default();
        scored.record_score("still", 8, 0.35, None);
        assert_eq!(scored.keep_from(&old, &|_| true), 1);
        assert!(scored.score("still", 7, 0.35).is_none());
    }

    #[test]
    fn a_file_naming_what_it_lacks_is_refused() {
        let quote = |k: usize, f: usize| {
            (k < 2 && f == 0).then(|| Field {
                kind: FieldKind::Offer,
                text: format!("tax advice {k}"),
            })
        };
        let stored = |n: usize| {
            let mut m = Memo::default();
            m.record_meet("a tax advisor", None, 21, found(n));
            m.into_stored(9, Vec::new(), &quote)
        };
        let m = Memo::of(stored(2), 9, 2).unwrap();
        assert_eq!(
            m.quoted(1, 0).map(|f| f.text.as_str()),
            Some("tax advice 1")
        );
        assert!(Memo::of(stored(2), 9, 1).is_err(), "profile 1 of one");
        assert!(Memo::of(stored(3), 9, 5).is_err(), "profile 2 unquoted");
        assert_eq!(
            Memo::of(stored(3), 8, 5).map(|m| m.len()),
            Ok(0),
            "another key"
        );
    }
}
