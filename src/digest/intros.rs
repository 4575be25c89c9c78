//! Introduction and share suggestions.
//!
//! Each open need is matched on meaning against everyone's offers and what
//! they are (role, org, tags, interests, the prose of their note) — see
//! [`super::matcher`]. People are also paired on a shared interest or value
//! when it is rare. A need met ranks above shared hobbies; every reason quotes
//! the fields and names the words or concepts that matched. Pairs who already
//! know each other (from evidence: [`connections`]) are never suggested.
//!
//! The candidates are computed as numbers ([`Ranked`]: a pair of indexes
//! into a table of the people who appear, the score, and the reasons as
//! indexes into a table of strings made once each — a need's reason once
//! per need and helper, a topic's once per topic); only the suggestions
//! shown are made into [`IntroSuggestion`]s. At 100k people that is 125k
//! candidates, of which the digest shows five.

use super::ShareSuggestion;
use super::lifecycle::{self, IntroState};
use super::matcher::{Field, FieldKind, NeedMatch};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{Circle, NoteKind};
use crate::text::fold;
use crate::vault::Vault;
use crate::yaml::{self, Yaml};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A pair of people who ought to meet, with the reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntroSuggestion {
    /// The one with the need when a need is met.
    pub a: String,
    pub b: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub a_path: PathBuf,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub b_path: PathBuf,
    pub score: f64,
    pub reasons: Vec<String>,
    /// When `a`'s need is met by `b`: the need and the field of `b` that
    /// meets it, as structured data (the reasons are for people to read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need: Option<NeedMet>,
    /// A task or plan in one note that mentions the other: not a connection,
    /// shown so you see you meant to do it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub planned: Vec<String>,
}

impl IntroSuggestion {
    /// A placeholder left where one was moved out.
    fn empty() -> IntroSuggestion {
        IntroSuggestion {
            a: String::new(),
            b: String::new(),
            a_path: PathBuf::new(),
            b_path: PathBuf::new(),
            score: 0.0,
            reasons: Vec::new(),
            need: None,
            planned: Vec::new(),
        }
    }
}

/// A need of the suggestion's `a`, and what of `b` meets it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NeedMet {
    pub need: String,
    /// The text of `b`'s best matching field (an offer, role, org, …).
    pub offer: String,
}

/// Offers considered per need (after leaving out connected pairs).
const OFFERS_PER_NEED: usize = 5;
const NEED_MATCH_WEIGHT: f64 = 3.0;
/// How well the need is met decides the order among needs met.
const COVERAGE_WEIGHT: f64 = 4.0;
/// Subtracted from a need met only through the lexicon's related words
/// counting in full (its coverage, where they count 0.8, is under half).
const RELATED_ONLY_PENALTY: f64 = 0.5;
/// Subtracted per helper already found for the same need (best first).
const SAME_NEED_DECAY: f64 = 0.6;
/// Subtracted per need already met by the same helper (best first), up to
/// `HELPER_DECAY_STEPS` times.
const SAME_HELPER_DECAY: f64 = 0.3;
const HELPER_DECAY_STEPS: usize = 3;
const LOCATION_WEIGHT: f64 = 0.5;
/// The same city only breaks ties between needs met.
const NEED_LOCATION_WEIGHT: f64 = 0.1;
/// A tag is how you file someone ("friends", "investor") more than what they
/// care about: it counts half as much as a shared interest or value.
const TAG_FACTOR: f64 = 0.5;
/// A pair found only through shared topics needs at least this much from
/// them (before location): one rare interest, or several shared topics.
const TOPICS_ALONE: f64 = 0.6;
/// A topic held by more than this share of people (and never more than
/// `COMMON_TOPIC` people) is too common to pair on.
const COMMON_SHARE: f64 = 0.1;
const COMMON_TOPIC: usize = 50;
/// A resource need not meet the whole need, only speak to it (a guide to
/// structured interviews for "hiring engineers with structured interviews").
const SHARE_COVERAGE: f64 = 0.35;

pub const DISMISSED_FILE: &str = ".kith/intros.yaml";

type Pair = (usize, usize);

fn pair(a: usize, b: usize) -> Pair {
    if a < b { (a, b) } else { (b, a) }
}

/// A pair found so far: its score and, as (first, last) links of chains
/// in [`Chains`], its needs met in the order found and its shared topics
/// (indexes into the topics of step 2; the rarest are quoted). Chains, not
/// a vector per pair: 125k pairs at 100k people, each with a list or two,
/// were a quarter of the introductions' memory.
struct Cand {
    score: f64,
    needs: (u32, u32),
    topics: (u32, u32),
}

impl Default for Cand {
    fn default() -> Cand {
        Cand {
            score: 0.0,
            needs: (NONE, NONE),
            topics: (NONE, NONE),
        }
    }
}

/// Lists of many pairs in one vector: each item links to the next of its
/// list (`NONE` ends it).
struct Chains<T> {
    items: Vec<(T, u32)>,
}

impl<T: Copy> Chains<T> {
    fn new() -> Chains<T> {
        Chains { items: Vec::new() }
    }

    /// Appends `x` to the list `(first, last)`.
    fn push(&mut self, list: &mut (u32, u32), x: T) {
        let at = self.items.len() as u32;
        self.items.push((x, NONE));
        if list.1 == NONE {
            list.0 = at;
        } else {
            self.items[list.1 as usize].1 = at;
        }
        list.1 = at;
    }

    /// The list `(first, _)` in order.
    fn iter(&self, list: (u32, u32)) -> impl Iterator<Item = T> + '_ {
        let mut at = list.0;
        std::iter::from_fn(move || {
            let (x, next) = *self.items.get(at as usize)?;
            at = next;
            Some(x)
        })
    }
}

/// The dismissed pairs, as folded names. A file kith cannot read is a
/// warning, never a silent "nothing dismissed".
fn dismissed(root: &Path) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    let path = root.join(DISMISSED_FILE);
    // The capped, FIFO-safe reader: a FIFO here must not hang the digest.
    let text = match crate::vault::read_note_bytes(&path)
        .map_err(std::io::Error::from)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
    {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => {
            eprintln!(
                "warning: {DISMISSED_FILE}: {e}; dismissed introductions may be suggested again"
            );
            return out;
        }
    };
    let y = match yaml::parse(&text) {
        Ok(y) => y,
        Err(e) => {
            eprintln!(
                "warning: {DISMISSED_FILE}:{}:{}: {}; dismissed introductions may be suggested again\n  hint: fix the YAML; it should be `dismissed:` with a list of [A, B] pairs",
                e.line, e.column, e.message
            );
            return out;
        }
    };
    match y.get("dismissed") {
        Some(Yaml::List(items)) => {
            for it in items {
                if let Yaml::List(two) = it
                    && let [a, b] = &two[..]
                    && let (Some(a), Some(b)) = (a.as_scalar(), b.as_scalar())
                {
                    let (a, b) = (fold(&a), fold(&b));
                    out.insert(if a < b { (a, b) } else { (b, a) });
                } else {
                    eprintln!(
                        "warning: {DISMISSED_FILE}: an item of `dismissed` is not a pair [A, B]; it is ignored"
                    );
                }
            }
        }
        None | Some(Yaml::Null) => {}
        Some(_) => eprintln!(
            "warning: {DISMISSED_FILE}: `dismissed` is not a list; dismissed introductions may be suggested again"
        ),
    }
    out
}

/// Lines of a note that are task items (`- [ ]`, `- [x]`), ascending.
fn task_lines(n: &crate::note::Note) -> Vec<usize> {
    let mut v: Vec<usize> = n.promises.iter().map(|p| p.line).collect();
    v.sort_unstable();
    v
}

/// Whether a line is among [`task_lines`].
fn is_task(tasks: &[usize], line: usize) -> bool {
    tasks.binary_search(&line).is_ok()
}

/// Whether the same org makes two people colleagues (default yes).
fn same_org_connects(vault: &Vault) -> bool {
    vault
        .config
        .get("intros.same_org_connected")
        .and_then(Yaml::as_scalar)
        .is_none_or(|v| v != "false")
}

/// Pairs who know each other, from evidence: `introduced_by`, `knows:`, a log
/// entry (not a task line, not an `#intro/…` entry) that records both, an
/// introduction recorded as made, and colleagues at the same org. A task or
/// plan that mentions someone is not a connection.
pub fn connections(vault: &Vault) -> HashSet<Pair> {
    let k = Known::new(vault);
    let mut set: HashSet<Pair> = k.certain.iter().copied().collect();
    let mut x = 0;
    while x < k.shared.len() {
        let q = k.shared[x].pair;
        let p = (q.0 as usize, q.1 as usize);
        if k.connected(p) {
            set.insert(p);
        }
        x += k.shared[x..].iter().take_while(|s| s.pair == q).count();
    }
    set
}

/// An entry linking both of a pair: they know each other unless a link is
/// all plans ("will ask [[Ben]] first"). The links to each person (ranges
/// of [`Known::links`], which hold indexes into the note's links); an empty
/// one for the note's own person. The pair as two u32 (28 bytes, not 40:
/// a few hundred thousand of them at 100k people).
struct Shared {
    pair: (u32, u32),
    note: u32,
    links: [(u32, u32); 2],
}

/// Who knows whom: the evidence that needs no reading (`introduced_by`,
/// `knows:`, same org, a made intro), and the entries linking both, whose
/// lines are read only when a pair is asked about: telling a plan means
/// reading the note, and most pairs never come up.
pub(crate) struct Known<'v> {
    vault: &'v Vault,
    /// Every pair with an introduction recorded, in any state.
    in_progress: FxHashSet<Pair>,
    certain: FxHashSet<Pair>,
    /// Sorted by pair (entries of one pair in note and entry order): flat,
    /// not a map of lists, which at 100k people cost more to build and to
    /// free than to search.
    shared: Vec<Shared>,
    links: Vec<u32>,
}

impl<'v> Known<'v> {
    /// Whether the two know each other.
    pub(crate) fn connected(&self, p: Pair) -> bool {
        if self.certain.contains(&p) {
            return true;
        }
        let q = (p.0 as u32, p.1 as u32);
        let lo = self.shared.partition_point(|s| s.pair < q);
        let hi = lo + self.shared[lo..].partition_point(|s| s.pair == q);
        self.shared[lo..hi].iter().any(|sh| {
            let note = sh.note as usize;
            let lines = super::plans::NoteLines::new(self.vault, note);
            let links = &self.vault.notes[note].links;
            sh.links.iter().all(|&(from, to)| {
                let ls = &self.links[from as usize..to as usize];
                ls.is_empty() || ls.iter().any(|&k| !lines.is_plan(&links[k as usize]))
            })
        })
    }

    pub(crate) fn new(vault: &'v Vault) -> Known<'v> {
        let mut set = FxHashSet::default();
        let is_person = |i: usize| vault.notes[i].person.is_some();
        let mut by_org: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, n, p) in vault.people() {
            if let Some(by) = &p.introduced_by
                && let Some(j) = vault.resolve_one(by)
                && j != i
                && is_person(j)
            {
                set.insert(pair(i, j));
            }
            if let Some(k) = n.front.as_ref().and_then(|f| f.get("knows")) {
                let names: Vec<String> = match k {
                    Yaml::List(xs) => xs.iter().filter_map(Yaml::as_scalar).collect(),
                    other => other.as_scalar().into_iter().collect(),
                };
                for name in names {
                    let target = crate::note::first_link(&name).unwrap_or(name);
                    if let Some(j) = vault.resolve_one(&target)
                        && j != i
                        && is_person(j)
                    {
                        set.insert(pair(i, j));
                    }
                }
            }
            if let Some(org) = &p.org {
                let o = fold(org);
                if !o.is_empty() {
                    by_org.entry(o).or_default().push(i);
                }
            }
        }
        if same_org_connects(vault) {
            for who in by_org.values().filter(|w| w.len() <= 200) {
                for (x, &a) in who.iter().enumerate() {
                    for &b in &who[x + 1..] {
                        set.insert(pair(a, b));
                    }
                }
            }
        }
        // Every recorded introduction: made ones connect their pair, and
        // none is suggested again (kept for [`suggestions_known`], which
        // asked for the records a second time).
        let mut in_progress = FxHashSet::default();
        for r in lifecycle::records(vault) {
            if r.state.is_made() {
                set.insert(pair(r.ia, r.ib));
            }
            in_progress.insert(pair(r.ia, r.ib));
        }
        let mut shared: Vec<Shared> = Vec::new();
        let mut links: Vec<u32> = Vec::new();
        // Each entry's links (indexes into the note's links, in order),
        // gathered in one pass over the links: scanning every link for
        // every entry cost entries × links per note.
        let mut of_entry: Vec<Vec<usize>> = Vec::new();
        // One entry's people (first seen first, at most 20 besides the
        // note's own) and (person, link) in link order.
        let mut people: Vec<usize> = Vec::new();
        let mut by_person: Vec<(usize, usize)> = Vec::new();
        for (i, n) in vault.notes.iter().enumerate() {
            // No entry links anyone: at most the note's own person, no pair.
            if n.links.iter().all(|l| l.entry.is_none()) {
                continue;
            }
            let tasks = task_lines(n);
            for ls in &mut of_entry {
                ls.clear();
            }
            if of_entry.len() < n.entries.len() {
                of_entry.resize_with(n.entries.len(), Vec::new);
            }
            for (k, l) in n.links.iter().enumerate() {
                if let Some(ei) = l.entry.map(|e| e as usize)
                    && ei < n.entries.len()
                    && !is_task(&tasks, l.line as usize)
                {
                    of_entry[ei].push(k);
                }
            }
            for (ei, e) in n.entries.iter().enumerate() {
                if of_entry[ei].is_empty() && n.person.is_none() {
                    continue;
                }
                if e.tags().iter().any(|t| IntroState::from_tag(t).is_some()) {
                    continue;
                }
                people.clear();
                by_person.clear();
                for &k in &of_entry[ei] {
                    let Some(j) = vault.link_target(i, k) else {
                        continue;
                    };
                    if j == i || !is_person(j) {
                        continue;
                    }
                    if people.contains(&j) {
                        by_person.push((j, k));
                    } else if people.len() < 20 {
                        people.push(j);
                        by_person.push((j, k));
                    }
                }
                if people.is_empty() {
                    continue;
                }
                // Stable: each person's links stay in link order.
                by_person.sort_by_key(|w| w.0);
                let base = links.len();
                links.extend(by_person.iter().map(|w| w.1 as u32));
                // (person, range of their links in `links`), ascending.
                let mut groups: Vec<(usize, (u32, u32))> = Vec::with_capacity(people.len() + 1);
                let mut x = 0;
                while x < by_person.len() {
                    let j = by_person[x].0;
                    let len = by_person[x..].iter().take_while(|w| w.0 == j).count();
                    groups.push((j, ((base + x) as u32, (base + x + len) as u32)));
                    x += len;
                }
                if n.person.is_some() {
                    let at = groups.partition_point(|g| g.0 < i);
                    groups.insert(at, (i, (0, 0)));
                }
                for (x, &(a, la)) in groups.iter().enumerate() {
                    for &(b, lb) in &groups[x + 1..] {
                        let p = pair(a, b);
                        if set.contains(&p) {
                            continue;
                        }
                        shared.push(Shared {
                            pair: (p.0 as u32, p.1 as u32),
                            note: i as u32,
                            links: [la, lb],
                        });
                    }
                }
            }
        }
        // Stable: a pair's entries stay in note and entry order.
        shared.sort_by_key(|s| s.pair);
        Known {
            vault,
            in_progress,
            certain: set,
            shared,
            links,
        }
    }
}

/// Task lines in one person's note that mention another person: planned
/// introductions or promises, keyed by pair.
fn planned(vault: &Vault) -> FxHashMap<Pair, Vec<String>> {
    let mut out: FxHashMap<Pair, Vec<String>> = FxHashMap::default();
    for (i, n, _) in vault.people() {
        for p in n.promises.iter().filter(|p| !p.done) {
            for t in &p.links {
                if let Some(j) = vault.resolve_one(t)
                    && j != i
                    && vault.notes[j].person.is_some()
                {
                    out.entry(pair(i, j)).or_default().push(format!(
                        "planned: “{}” ({}:{})",
                        p.text.replace("[[", "").replace("]]", ""),
                        n.path.display(),
                        p.line
                    ));
                }
            }
        }
    }
    out
}

fn trace(what: &str, since: std::time::Instant) {
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!("trace: {what} at {:?}{}", since.elapsed(), super::rss());
    }
}

fn first_name(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}

/// The prose of a person note: body lines outside log entries, headings and
/// task items, with links removed (a name is not what someone is).
fn prose(vault: &Vault, i: usize) -> String {
    // Never read what the note loader refused (a FIFO, /dev/zero, a huge file).
    let Some(bytes) = vault.note_bytes_now(i) else {
        return String::new();
    };
    prose_of(&vault.notes[i], &bytes)
}

/// [`prose`] of note `n` whose file holds `bytes`: the one rule, which the
/// introductions key hashes too (see [`super::introfacts`]).
pub(crate) fn prose_of(n: &crate::note::Note, bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let tasks = task_lines(n);
    // The lines inside log entries, marked once: asking every entry about
    // every line cost lines × entries (seconds over a vault of long logs).
    let lines = text.lines().count() + 1;
    let mut in_entry: Vec<bool> = Vec::new();
    for e in &n.entries {
        let end = (e.end_line as usize).min(lines);
        if in_entry.len() < end {
            in_entry.resize(end, false);
        }
        for x in in_entry.iter_mut().take(end).skip(e.line as usize) {
            *x = true;
        }
    }
    let mut out = String::new();
    for (k, line) in text.lines().enumerate() {
        let ln = k + 1;
        if ln < n.body_line || is_task(&tasks, ln) || in_entry.get(ln).copied().unwrap_or(false) {
            continue;
        }
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut rest = t;
        while let Some(s) = rest.find("[[") {
            out.push_str(&rest[..s]);
            rest = rest[s..].find("]]").map_or("", |e| &rest[s + e + 2..]);
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

fn fields_of(vault: &Vault, i: usize) -> Vec<Field> {
    let Some(p) = vault.person(i) else {
        return Vec::new();
    };
    let mut f: Vec<Field> = p
        .offers
        .iter()
        .map(|o| Field {
            kind: FieldKind::Offer,
            text: o.clone(),
        })
        .collect();
    let one = |kind, t: &Option<String>| {
        t.as_ref().map(|t| Field {
            kind,
            text: t.clone(),
        })
    };
    f.extend(one(FieldKind::Role, &p.role));
    f.extend(one(FieldKind::Org, &p.org));
    for (kind, list) in [
        (FieldKind::Tag, &p.tags),
        (FieldKind::Interest, &p.interests),
    ] {
        f.extend(list.iter().map(|t| Field {
            kind,
            text: t.clone(),
        }));
    }
    let pr = prose(vault, i);
    for s in pr.split_inclusive(['.', '!', '?', '\n']) {
        let s = s.trim();
        if !s.is_empty() {
            f.push(Field {
                kind: FieldKind::Prose,
                text: s.to_string(),
            });
        }
    }
    f
}

/// How a matched field is quoted in a reason.
fn quote(name: &str, f: &Field) -> String {
    let t = if f.text.chars().count() > 90 {
        let s: String = f.text.chars().take(87).collect();
        format!("{s}…")
    } else {
        f.text.clone()
    };
    match f.kind {
        FieldKind::Offer => format!("{name} offers “{t}”"),
        FieldKind::Role => format!("{name} is “{t}”"),
        FieldKind::Org => format!("{name} works at “{t}”"),
        FieldKind::Tag => format!("{name} is tagged “{t}”"),
        FieldKind::Interest => format!("{name} is into “{t}”"),
        FieldKind::Prose => format!("{name}'s note says “{t}”"),
    }
}

/// A met need's reason after the asker's name, " needs “…”; Omar offers
/// “…” — matched: hiring ↔ open to new roles; rust": the same for everyone
/// who asks for the same thing in the same words.
fn need_reason_tail<'f>(
    need: &str,
    helper: &str,
    m: &NeedMatch,
    field: impl Fn(usize) -> Option<&'f Field>,
) -> String {
    let mut used: Vec<usize> = Vec::new();
    for c in &m.covered {
        if !used.contains(&c.field) {
            used.push(c.field);
        }
    }
    let quoted: Vec<String> = used
        .iter()
        .filter_map(|&fi| field(fi))
        .take(3)
        .map(|f| quote(helper, f))
        .collect();
    let words: Vec<String> = m
        .covered
        .iter()
        .map(|c| match &c.concept {
            Some((n, o)) if fold(n) == fold(o) => n.clone(),
            Some((n, o)) => format!("{n} ↔ {o}"),
            None => c.word.clone(),
        })
        .fold(Vec::new(), |mut v, w| {
            if !v.contains(&w) {
                v.push(w);
            }
            v
        });
    format!(
        " needs “{need}”; {} — matched: {}",
        quoted.join(", "),
        words.join("; ")
    )
}

pub use super::answers::Matching;

impl<'v> Matching<'v> {
    /// The matcher over every eligible person (open to introductions, not
    /// dormant), answering from the kept answers (see [`super::answers`]).
    pub fn build(vault: &'v Vault) -> Matching<'v> {
        let people: Vec<usize> = vault
            .people()
            .filter(|(_, _, p)| p.intro_ok && p.circle != Some(Circle::Dormant))
            .map(|(i, _, _)| i)
            .collect();
        Matching::new(vault, people, fields_of, OFFERS_PER_NEED * 4 + 1)
    }

    /// Up to `max` people who could meet a need of person `who`, as short
    /// lines with the evidence (for help in context).
    /// `found` is what the index found for `need` (with room for `who`).
    pub fn helpers(
        &self,
        vault: &Vault,
        who: usize,
        need: &str,
        found: &[NeedMatch],
        max: usize,
    ) -> Vec<String> {
        found
            .iter()
            .filter(|m| self.people[m.profile] != who)
            .take(max)
            .map(|m| {
                let j = self.people[m.profile];
                let name = &vault.notes[j].title;
                let mut used: Vec<usize> = m.covered.iter().map(|c| c.field).collect();
                used.dedup();
                let q = used
                    .first()
                    .and_then(|&f| self.field(m.profile, f))
                    .map(|f| quote(first_name(name), f))
                    .unwrap_or_default();
                format!(
                    "{name} could help with “{need}”: {q} ({})",
                    vault.notes[j].path.display()
                )
            })
            .collect()
    }
}

/// All introduction candidates (ranked, unlimited) and share suggestions,
/// with the matcher `m` over everyone.
pub fn suggestions_with(
    vault: &Vault,
    as_of: Date,
    m: &Matching,
) -> Result<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    let (ranked, shares) = suggestions_known(vault, as_of, m, Known::new(vault))?;
    Ok((ranked.all(), shares))
}

/// One need of a candidate met: who asked, and the strings of the reason
/// and of [`NeedMet`] (ids in [`Ranked`]'s string table).
#[derive(Clone, Copy)]
struct NeedRec {
    asker: u32,
    /// The asker's first name, then the reason's tail (" needs “…”; …").
    first: u32,
    tail: u32,
    need: u32,
    offer: u32,
}

/// No string: a reason made of one part.
const NONE: u32 = u32::MAX;

/// Every introduction candidate, ranked, in a compact form: a table of the
/// people who appear (title, path), a table of the strings the reasons are
/// made of, and per candidate indexes into them and its score. What is
/// shown is made into [`IntroSuggestion`]s ([`Ranked::get`]); the rest stays
/// numbers (at 100k people, 125k candidates whose strings were a few
/// hundred MB of allocations and 45 MB of `intros.bin`). Self-contained: it
/// is stored as it is (`intros.bin`, [`super::cached`]) and read back by
/// commands that decode no note.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Ranked {
    /// (title, path) of each person who appears, once each: a person is
    /// told by their index here (one note, one path).
    people: Vec<(String, PathBuf)>,
    strings: Vec<String>,
    /// Best first.
    cands: Vec<Rec>,
    /// Every candidate's reasons in order: each is its strings' ids joined
    /// (the second `NONE` for a reason of one part).
    reasons: Vec<(u32, u32)>,
    /// Every candidate's planned lines (string ids).
    planned: Vec<u32>,
}

/// One candidate of [`Ranked`]: its two people, its score, where its
/// reasons and planned lines end (each begins where the previous
/// candidate's end), and its need met as (need, offer) string ids.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
struct Rec {
    a: u32,
    b: u32,
    score: f64,
    reasons_end: u32,
    planned_end: u32,
    need: Option<(u32, u32)>,
}

impl Ranked {
    /// How many candidates.
    pub fn len(&self) -> usize {
        self.cands.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cands.is_empty()
    }

    /// Whether every index points into its own table and each candidate's
    /// reasons and planned lines begin where the previous ones end: a
    /// crafted or damaged `intros.bin` that decodes is refused by this,
    /// not by a panic (or names left blank) when a candidate is shown.
    pub fn is_sound(&self) -> bool {
        let (people, strings) = (self.people.len(), self.strings.len());
        let string = |x: u32| (x as usize) < strings;
        let (mut r0, mut p0) = (0u32, 0u32);
        for r in &self.cands {
            if (r.a as usize) >= people
                || (r.b as usize) >= people
                || r.reasons_end < r0
                || r.planned_end < p0
                || r.need.is_some_and(|(n, o)| !string(n) || !string(o))
            {
                return false;
            }
            (r0, p0) = (r.reasons_end, r.planned_end);
        }
        (r0 as usize) <= self.reasons.len()
            && (p0 as usize) <= self.planned.len()
            && self
                .reasons
                .iter()
                .all(|&(x, y)| string(x) && (y == NONE || string(y)))
            && self.planned.iter().all(|&x| string(x))
    }

    fn string(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", String::as_str)
    }

    /// Candidate `k` made whole.
    pub fn get(&self, k: usize) -> IntroSuggestion {
        let r = &self.cands[k];
        let (r0, p0) = match k.checked_sub(1) {
            Some(j) => (self.cands[j].reasons_end, self.cands[j].planned_end),
            None => (0, 0),
        };
        let person = |x: u32| self.people.get(x as usize);
        let (a, a_path) = person(r.a).cloned().unwrap_or_default();
        let (b, b_path) = person(r.b).cloned().unwrap_or_default();
        let reasons = self.reasons[r0 as usize..r.reasons_end as usize]
            .iter()
            .map(|&(x, y)| {
                let mut s = self.string(x).to_string();
                if y != NONE {
                    s.push_str(self.string(y));
                }
                s
            })
            .collect();
        let planned = self.planned[p0 as usize..r.planned_end as usize]
            .iter()
            .map(|&x| self.string(x).to_string())
            .collect();
        IntroSuggestion {
            a,
            b,
            a_path,
            b_path,
            score: r.score,
            reasons,
            need: r.need.map(|(n, o)| NeedMet {
                need: self.string(n).to_string(),
                offer: self.string(o).to_string(),
            }),
            planned,
        }
    }

    /// Every candidate made whole, best first.
    pub fn all(&self) -> Vec<IntroSuggestion> {
        (0..self.cands.len()).map(|k| self.get(k)).collect()
    }

    /// [`select`] on the compact form: the indexes picked among `among`
    /// (candidate indexes, best first), and how many more were eligible.
    fn select_in(
        &self,
        among: impl Iterator<Item = usize>,
        limit: usize,
        per_person: usize,
    ) -> (Vec<usize>, usize) {
        let mut count = vec![0usize; self.people.len()];
        let mut picked = Vec::new();
        let mut left = 0;
        for k in among {
            let r = &self.cands[k];
            let (a, b) = (r.a as usize, r.b as usize);
            let ok = count.get(a).is_some_and(|&c| c < per_person)
                && count.get(b).is_some_and(|&c| c < per_person);
            if ok && picked.len() < limit {
                count[a] += 1;
                count[b] += 1;
                picked.push(k);
            } else if ok {
                left += 1;
            }
        }
        (picked, left)
    }

    /// `select(self.all(), limit, per_person)`, making whole only the
    /// candidates picked.
    pub fn select(&self, limit: usize, per_person: usize) -> (Vec<IntroSuggestion>, usize) {
        let (picked, left) = self.select_in(0..self.cands.len(), limit, per_person);
        (picked.into_iter().map(|k| self.get(k)).collect(), left)
    }

    /// `pick(self.all(), person, limit, all)`, making whole only what it
    /// returns.
    pub fn pick(&self, person: Option<&Path>, limit: usize, all: bool) -> Vec<IntroSuggestion> {
        let ks = self.pick_indexes(person, limit, all);
        ks.into_iter().map(|k| self.get(k)).collect()
    }

    /// The indexes of the candidates [`Ranked::pick`] returns, best first:
    /// to make each whole only as it is printed (`intros --all` at 100k
    /// people is 125k of them).
    pub fn pick_indexes(&self, person: Option<&Path>, limit: usize, all: bool) -> Vec<usize> {
        let who = person.map(|p| self.people.iter().position(|(_, q)| q == p));
        let among: Vec<usize> = match who {
            None => (0..self.cands.len()).collect(),
            // Nobody with that path appears: no candidate has them.
            Some(None) => Vec::new(),
            Some(Some(x)) => {
                let x = x as u32;
                (0..self.cands.len())
                    .filter(|&k| self.cands[k].a == x || self.cands[k].b == x)
                    .collect()
            }
        };
        if all {
            among
        } else {
            self.select_in(among.into_iter(), limit, 2).0
        }
    }

    /// The compact form of `list` (best first), for tests and callers
    /// holding whole suggestions: [`Ranked::all`] gives `list` back.
    pub fn of(list: &[IntroSuggestion]) -> Ranked {
        let mut r = Ranked::default();
        let mut who: HashMap<(&str, &Path), u32> = HashMap::new();
        for s in list {
            let mut id = |r: &mut Ranked, name, path| {
                *who.entry((name, path)).or_insert_with(|| {
                    r.people.push((String::from(name), Path::to_path_buf(path)));
                    (r.people.len() - 1) as u32
                })
            };
            let a = id(&mut r, s.a.as_str(), s.a_path.as_path());
            let b = id(&mut r, s.b.as_str(), s.b_path.as_path());
            for x in &s.reasons {
                let id = r.push(x.clone());
                r.reasons.push((id, NONE));
            }
            for x in &s.planned {
                let id = r.push(x.clone());
                r.planned.push(id);
            }
            let need = s
                .need
                .as_ref()
                .map(|n| (r.push(n.need.clone()), r.push(n.offer.clone())));
            r.cands.push(Rec {
                a,
                b,
                score: s.score,
                reasons_end: r.reasons.len() as u32,
                planned_end: r.planned.len() as u32,
                need,
            });
        }
        r
    }

    fn push(&mut self, s: String) -> u32 {
        self.strings.push(s);
        (self.strings.len() - 1) as u32
    }
}

/// [`suggestions_with`], with who knows whom already worked out (it does
/// not need the matcher: the two are built side by side), the candidates in
/// their compact form.
fn suggestions_known(
    vault: &Vault,
    as_of: Date,
    m: &Matching,
    conn: Known<'_>,
) -> Result<(Ranked, Vec<ShareSuggestion>)> {
    let t = std::time::Instant::now();
    let dismissed = dismissed(&vault.root);
    let in_progress = &conn.in_progress;
    let name_key = |i: usize| fold(&vault.notes[i].title);
    let excluded = |a: usize, b: usize| {
        let p = pair(a, b);
        if in_progress.contains(&p) || conn.connected(p) {
            return true;
        }
        if dismissed.is_empty() {
            return false;
        }
        // Each side by its name, or by its note's path (without `.md`),
        // which `kith intros dismiss` writes when people share the name.
        let keys = |i: usize| {
            let stem = vault.notes[i].path.with_extension("");
            [name_key(i), fold(&stem.to_string_lossy())]
        };
        let (ka, kb) = (keys(a), keys(b));
        ka.iter().any(|x| {
            kb.iter().any(|y| {
                dismissed.contains(&if x < y {
                    (x.clone(), y.clone())
                } else {
                    (y.clone(), x.clone())
                })
            })
        })
    };
    let mut out = Ranked::default();
    let mut cands: FxHashMap<Pair, Cand> = FxHashMap::default();
    let mut need_chains: Chains<NeedRec> = Chains::new();
    let mut topic_chains: Chains<u32> = Chains::new();

    // 1. A's need is met by B's offers or by what B is.
    // Per distinct need: who meets it, its text's id, and for each of them
    // the reason after the asker's name and the offer quoted, made once
    // (they do not depend on who asks).
    type Said = Option<(u32, u32)>;
    let mut cache: FxHashMap<&str, (Vec<NeedMatch>, u32, Vec<Said>)> = FxHashMap::default();
    // Per helper: what each need they meet added, to spread the top.
    let mut by_helper: FxHashMap<usize, Vec<(f64, Pair)>> = FxHashMap::default();
    for (ai, &a) in m.people.iter().enumerate() {
        let Some(pa) = vault.person(a) else { continue };
        // The asker's first name, once they meet anyone.
        let mut first = NONE;
        for need in &pa.needs {
            let mut taken = 0;
            // Many people ask for the same thing in the same words: match
            // each distinct need once.
            let (found, need_id, said) = cache.entry(need.as_str()).or_insert_with(|| {
                let found = m.meet(need, None, OFFERS_PER_NEED * 4 + 1);
                let said = vec![None; found.len()];
                (found, NONE, said)
            });
            for (k, nm) in found.iter().enumerate() {
                if nm.profile == ai {
                    continue;
                }
                let b = m.people[nm.profile];
                if excluded(a, b) {
                    continue;
                }
                if taken >= OFFERS_PER_NEED {
                    break;
                }
                // One need met by five lawyers should not fill the top of the
                // list: each further helper for the same need ranks lower.
                let rank = taken as f64;
                taken += 1;
                let c = cands.entry(pair(a, b)).or_default();
                let (tail, offer) = *said[k].get_or_insert_with(|| {
                    let tail = need_reason_tail(need, first_name(&vault.notes[b].title), nm, |f| {
                        m.field(nm.profile, f)
                    });
                    let offer = nm
                        .covered
                        .first()
                        .and_then(|cv| m.field(nm.profile, cv.field))
                        .map(|f| f.text.clone())
                        .unwrap_or_default();
                    (out.push(tail), out.push(offer))
                });
                if *need_id == NONE {
                    *need_id = out.push(need.clone());
                }
                if first == NONE {
                    first = out.push(first_name(&pa.name).to_string());
                }
                // Met only because related words count in full: short of
                // half the need at the ranking's weights, it ranks lower.
                let related_only = if nm.coverage < super::matcher::MIN_COVERAGE {
                    RELATED_ONLY_PENALTY
                } else {
                    0.0
                };
                let gain = NEED_MATCH_WEIGHT + COVERAGE_WEIGHT * nm.coverage
                    - SAME_NEED_DECAY * rank
                    - related_only;
                c.score += gain;
                by_helper.entry(b).or_default().push((gain, pair(a, b)));
                need_chains.push(
                    &mut c.needs,
                    NeedRec {
                        asker: a as u32,
                        first,
                        tail,
                        need: *need_id,
                        offer,
                    },
                );
            }
        }
    }
    drop(cache);

    // One helper who meets many needs (a loft for rent meets every ask for
    // a room) should not fill the top: each further need they meet, weakest
    // last, ranks a little lower.
    for list in by_helper.values_mut() {
        list.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        for (k, (_, p)) in list.iter().enumerate().skip(1) {
            if let Some(c) = cands.get_mut(p) {
                c.score -= SAME_HELPER_DECAY * k.min(HELPER_DECAY_STEPS) as f64;
            }
        }
    }
    drop(by_helper);
    trace("needs matched", t);
    // 2. Rare shared interests and values (tags half), weighted by rarity.
    let n = m.people.len().max(2) as f64;
    let common = ((n * COMMON_SHARE) as usize).clamp(3, COMMON_TOPIC);
    let topics = Topics::of(vault, &m.people);
    for (id, t) in topics.list.iter().enumerate() {
        let held = t.who.len();
        if !(2..=common).contains(&held) {
            continue;
        }
        let rarity = (n / held as f64).ln() / n.ln().max(1.0);
        let weight = if t.what == 2 {
            rarity * TAG_FACTOR
        } else {
            rarity
        };
        for (x, &a) in t.who.iter().enumerate() {
            for &b in &t.who[x + 1..] {
                let c = cands.entry(pair(a, b)).or_default();
                c.score += weight;
                topic_chains.push(&mut c.topics, id as u32);
            }
        }
    }

    trace(&format!("topics paired ({} pairs)", cands.len()), t);
    // 3. Exclusions, location, and the reasons in order.
    let plans = planned(vault);
    // Two people who need the same thing (both raising from angels) cannot
    // meet it for each other: a shared need never makes an introduction, so
    // a pair found through topics alone is dropped when they share one.
    // Each person's need keys, sorted, worked out once.
    let mut need_keys: FxHashMap<usize, Vec<String>> = FxHashMap::default();
    let keys_of = |i: usize| {
        let mut k: Vec<String> = vault
            .person(i)
            .map(|p| p.needs.iter().flat_map(|n| m.need_keys(n)).collect())
            .unwrap_or_default();
        k.sort_unstable();
        k.dedup();
        k
    };
    // Each person's location, folded once.
    let mut places: FxHashMap<usize, Option<String>> = FxHashMap::default();
    // Per note: its index among the people who appear, its "both in …",
    // its planned lines' and topics' reasons' string ids, made once.
    let mut person_id: FxHashMap<usize, u32> = FxHashMap::default();
    let mut both_in: FxHashMap<usize, u32> = FxHashMap::default();
    let mut topic_id: FxHashMap<u32, u32> = FxHashMap::default();
    let mut plan_ids: FxHashMap<Pair, Vec<u32>> = FxHashMap::default();
    // Notes ranked by title, so the order is sorted on numbers.
    let rank = title_ranks(vault, &m.people);
    let rank_of = |i: usize| rank.get(i).copied().unwrap_or(u32::MAX);
    // (score, ranks, the candidate with its reasons and planned lines in
    // `out`'s flat lists from these starts).
    struct Kept {
        score: f64,
        ra: u32,
        rb: u32,
        rec: Rec,
        reasons: u32,
        planned: u32,
    }
    let mut keyed: Vec<Kept> = Vec::with_capacity(cands.len());
    // Gathered unordered, then moved into rank order below.
    let mut reasons: Vec<(u32, u32)> = Vec::new();
    let mut planned_ids: Vec<u32> = Vec::new();
    let mut shared_topics: Vec<u32> = Vec::new();
    for ((a, b), c) in cands {
        if excluded(a, b) {
            continue;
        }
        let (Some(pa), Some(pb)) = (vault.person(a), vault.person(b)) else {
            continue;
        };
        let met = c.needs.0 != NONE;
        if !met && c.score < TOPICS_ALONE {
            continue;
        }
        if !met {
            for i in [a, b] {
                need_keys.entry(i).or_insert_with(|| keys_of(i));
            }
            let (ka, kb) = (&need_keys[&a], &need_keys[&b]);
            if !sorted_disjoint(ka, kb) {
                continue;
            }
        }
        shared_topics.clear();
        shared_topics.extend(topic_chains.iter(c.topics));
        shared_topics.sort_by(|&x, &y| {
            let (x, y) = (&topics.list[x as usize], &topics.list[y as usize]);
            x.all.cmp(&y.all).then_with(|| x.reason.cmp(&y.reason))
        });
        // The one whose need is met comes first.
        let asker = need_chains.iter(c.needs).next().map(|x| x.asker as usize);
        let r0 = reasons.len() as u32;
        let mut need = None;
        for nr in need_chains.iter(c.needs) {
            reasons.push((nr.first, nr.tail));
            if need.is_none() {
                need = Some((nr.need, nr.offer));
            }
        }
        for &x in shared_topics.iter().take(2) {
            let id = *topic_id
                .entry(x)
                .or_insert_with(|| out.push(topics.list[x as usize].reason.clone()));
            reasons.push((id, NONE));
        }
        let mut score = c.score;
        if let (Some(la), Some(_)) = (&pa.location, &pb.location) {
            for i in [a, b] {
                places.entry(i).or_insert_with(|| {
                    let p = vault.person(i).and_then(|p| p.location.as_ref());
                    p.map(|l| fold(l))
                });
            }
            if places[&a] == places[&b] {
                // Help can travel; company for a rare hobby mostly cannot.
                score += if !met {
                    LOCATION_WEIGHT
                } else {
                    NEED_LOCATION_WEIGHT
                };
                let id = *both_in
                    .entry(a)
                    .or_insert_with(|| out.push(format!("both in {la}")));
                reasons.push((id, NONE));
            }
        }
        let p0 = planned_ids.len() as u32;
        if let Some(lines) = plans.get(&pair(a, b)) {
            let ids = plan_ids
                .entry(pair(a, b))
                .or_insert_with(|| lines.iter().map(|l| out.push(l.clone())).collect());
            planned_ids.extend_from_slice(ids);
        }
        let (a, b) = if asker == Some(b) { (b, a) } else { (a, b) };
        let score = (score * 100.0).round() / 100.0;
        let mut id_of = |i: usize| {
            *person_id.entry(i).or_insert_with(|| {
                out.people
                    .push((vault.notes[i].title.clone(), vault.notes[i].path.clone()));
                (out.people.len() - 1) as u32
            })
        };
        let rec = Rec {
            a: id_of(a),
            b: id_of(b),
            score,
            reasons_end: reasons.len() as u32,
            planned_end: planned_ids.len() as u32,
            need,
        };
        keyed.push(Kept {
            score,
            ra: rank_of(a),
            rb: rank_of(b),
            rec,
            reasons: r0,
            planned: p0,
        });
    }
    // Best first, then by the names: the ranks sort as the titles do.
    keyed.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.ra.cmp(&y.ra))
            .then(x.rb.cmp(&y.rb))
    });
    out.cands.reserve_exact(keyed.len());
    out.reasons.reserve_exact(reasons.len());
    out.planned.reserve_exact(planned_ids.len());
    for k in keyed {
        let mut rec = k.rec;
        out.reasons
            .extend_from_slice(&reasons[k.reasons as usize..rec.reasons_end as usize]);
        out.planned
            .extend_from_slice(&planned_ids[k.planned as usize..rec.planned_end as usize]);
        rec.reasons_end = out.reasons.len() as u32;
        rec.planned_end = out.planned.len() as u32;
        out.cands.push(rec);
    }
    trace("candidates", t);
    let shares = shares(vault, as_of, m);
    trace("shares", t);
    Ok((out, shares))
}

/// One interest, value or tag (folded) of the people, for pairing on it.
struct Topic {
    /// 0 interest, 1 value, 2 tag.
    what: u8,
    /// The eligible people holding it, ascending, once each.
    who: Vec<usize>,
    /// How many times anyone lists it.
    all: usize,
    /// The reason quoted for a pair holding it (only for a topic rare
    /// enough to pair on).
    reason: String,
}

/// Every topic of the people, in the order first met.
struct Topics {
    list: Vec<Topic>,
}

impl Topics {
    /// The topics of everyone, with their holders among `eligible`
    /// (ascending note indexes).
    fn of(vault: &Vault, eligible: &[usize]) -> Topics {
        // Many people write a topic the same way: the text as written is
        // looked up first, folded only when new.
        let mut as_written: [FxHashMap<&str, u32>; 3] = Default::default();
        let mut folded: [FxHashMap<String, u32>; 3] = Default::default();
        let mut list: Vec<Topic> = Vec::new();
        let mut shown: Vec<Option<&str>> = Vec::new();
        for (i, _, p) in vault.people() {
            let ok = eligible.binary_search(&i).is_ok();
            for (what, items) in [(0u8, &p.interests), (1, &p.values), (2, &p.tags)] {
                let w = usize::from(what);
                for v in items {
                    let id = match as_written[w].get(v.as_str()) {
                        Some(&id) => id,
                        None => {
                            let id = *folded[w].entry(fold(v)).or_insert_with(|| {
                                list.push(Topic {
                                    what,
                                    who: Vec::new(),
                                    all: 0,
                                    reason: String::new(),
                                });
                                shown.push(None);
                                (list.len() - 1) as u32
                            });
                            as_written[w].insert(v.as_str(), id);
                            id
                        }
                    };
                    let t = &mut list[id as usize];
                    t.all += 1;
                    if ok {
                        shown[id as usize].get_or_insert(v.as_str());
                        // People come in ascending order: a repeat is last.
                        if t.who.last() != Some(&i) {
                            t.who.push(i);
                        }
                    }
                }
            }
        }
        for (t, shown) in list.iter_mut().zip(shown) {
            if let Some(shown) = shown.filter(|_| t.who.len() >= 2) {
                let verb = match t.what {
                    0 => "are into",
                    1 => "value",
                    _ => "are tagged",
                };
                t.reason = format!("both {verb} “{shown}” (only {} people do)", t.all);
            }
        }
        Topics { list }
    }
}

/// Per note index, the rank of its title among `people`'s (equal titles,
/// equal ranks; `u32::MAX` for others): comparing ranks orders as comparing
/// the titles, without reading the strings at each comparison.
fn title_ranks(vault: &Vault, people: &[usize]) -> Vec<u32> {
    use rayon::prelude::*;
    let title = |i: usize| vault.notes[i].title.as_str();
    let mut order: Vec<usize> = people.to_vec();
    order.par_sort_by(|&x, &y| title(x).cmp(title(y)));
    let mut rank = vec![u32::MAX; vault.notes.len()];
    let mut r = 0u32;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && title(order[k - 1]) != title(i) {
            r += 1;
        }
        rank[i] = r;
    }
    rank
}

/// Whether two sorted lists have nothing in common.
fn sorted_disjoint(a: &[String], b: &[String]) -> bool {
    let (mut x, mut y) = (0, 0);
    while x < a.len() && y < b.len() {
        match a[x].cmp(&b[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => return false,
        }
    }
    true
}

/// Picks suggestions best first, each person in at most `per_person` of them.
pub fn select(
    all: Vec<IntroSuggestion>,
    limit: usize,
    per_person: usize,
) -> (Vec<IntroSuggestion>, usize) {
    // Counted by borrowed note paths (two people may share a name: each
    // has their own two), and only the picked ones moved out: the whole
    // list is a few hundred thousand candidates at 100k people.
    let mut count: FxHashMap<&Path, usize> = FxHashMap::default();
    let mut picked: Vec<usize> = Vec::new();
    let mut left = 0;
    for (k, s) in all.iter().enumerate() {
        let ok = count.get(s.a_path.as_path()).copied().unwrap_or(0) < per_person
            && count.get(s.b_path.as_path()).copied().unwrap_or(0) < per_person;
        if ok && picked.len() < limit {
            *count.entry(s.a_path.as_path()).or_default() += 1;
            *count.entry(s.b_path.as_path()).or_default() += 1;
            picked.push(k);
        } else if ok {
            left += 1;
        }
    }
    drop(count);
    let mut all = all;
    let mut out = Vec::with_capacity(picked.len());
    for &k in &picked {
        out.push(std::mem::replace(&mut all[k], IntroSuggestion::empty()));
    }
    super::drop_aside(all);
    (out, left)
}

/// Introduction suggestions for `kith intros`: optionally only those with one
/// person; `all` lifts the limits. From the introductions cache when it
/// holds this vault and date (see [`super::cached`]).
pub fn intro_suggestions(
    vault: &Vault,
    as_of: Date,
    person: Option<usize>,
    limit: usize,
    all: bool,
) -> Result<Vec<IntroSuggestion>> {
    let key = super::introfacts::of_vault(vault);
    let matching = std::sync::OnceLock::new();
    let (ranked, _) = ranked_with(vault, as_of, key, &|| {
        matching.get_or_init(|| Matching::build(vault))
    })?;
    let path = person.map(|i| vault.notes[i].path.as_path());
    Ok(ranked.pick(path, limit, all))
}

/// The suggestions with one person (by note path: two people may share a
/// name), limited unless `all`.
pub fn pick(
    mut list: Vec<IntroSuggestion>,
    person: Option<&Path>,
    limit: usize,
    all: bool,
) -> Vec<IntroSuggestion> {
    if let Some(path) = person {
        list.retain(|s| s.a_path == path || s.b_path == path);
    }
    if all { list } else { select(list, limit, 2).0 }
}

/// Every introduction candidate (ranked) and share suggestion for an
/// introductions key ([`super::introfacts`]) and date, from the
/// introductions cache; `None` when it holds something else (a damaged file
/// is said on stderr).
pub fn cached_all(
    root: &Path,
    key: Option<super::introfacts::Key>,
    as_of: Date,
) -> Option<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    cached_ranked(root, key, as_of).map(|(r, s)| (r.all(), s))
}

/// [`cached_all`], the candidates in their compact form.
pub fn cached_ranked(
    root: &Path,
    key: Option<super::introfacts::Key>,
    as_of: Date,
) -> Option<(Ranked, Vec<ShareSuggestion>)> {
    use super::cached;
    let t = std::time::Instant::now();
    let g = cached::intros_generation(key?.key, as_of);
    match cached::read_intros(&cached::intros_file(root), g) {
        Ok(all) => {
            trace("intros cache: hit", t);
            Some(all.into_parts())
        }
        Err(miss) => {
            if let cached::Miss::Bad(why) = miss {
                eprintln!("kith: rebuilt the introductions cache because {why}");
            }
            trace("intros cache: miss", t);
            None
        }
    }
}

/// [`cached_all`], or computed with the matcher `matching` gives (built
/// only then) and stored under `key` for the next run.
pub fn all_with<'m>(
    vault: &Vault,
    as_of: Date,
    key: Option<super::introfacts::Key>,
    matching: &(dyn Fn() -> &'m Matching<'m> + Sync),
) -> Result<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    let (r, s) = ranked_with(vault, as_of, key, matching)?;
    Ok((r.all(), s))
}

/// [`all_with`], the candidates in their compact form.
pub fn ranked_with<'m>(
    vault: &Vault,
    as_of: Date,
    key: Option<super::introfacts::Key>,
    matching: &(dyn Fn() -> &'m Matching<'m> + Sync),
) -> Result<(Ranked, Vec<ShareSuggestion>)> {
    if let Some(found) = cached_ranked(&vault.root, key, as_of) {
        return Ok(found);
    }
    compute_ranked(vault, as_of, key, matching)
}

/// Every introduction candidate and share, computed (the matcher and who
/// knows whom side by side) and stored under `key` for the next run.
pub fn compute_all<'m>(
    vault: &Vault,
    as_of: Date,
    key: Option<super::introfacts::Key>,
    matching: &(dyn Fn() -> &'m Matching<'m> + Sync),
) -> Result<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    let (r, s) = compute_ranked(vault, as_of, key, matching)?;
    Ok((r.all(), s))
}

/// [`compute_all`], the candidates in their compact form.
pub fn compute_ranked<'m>(
    vault: &Vault,
    as_of: Date,
    key: Option<super::introfacts::Key>,
    matching: &(dyn Fn() -> &'m Matching<'m> + Sync),
) -> Result<(Ranked, Vec<ShareSuggestion>)> {
    use super::cached;
    let t = std::time::Instant::now();
    vault.resolve_links();
    let (m, conn) = rayon::join(
        || {
            let m = matching();
            trace("matcher", t);
            m
        },
        || {
            let k = Known::new(vault);
            trace("connections", t);
            k
        },
    );
    trace("matcher and connections", t);
    let (intros, shares) = suggestions_known(vault, as_of, m, conn)?;
    // A note saved since the model read it was read for its prose, or the
    // dismissals changed since the key read them: the result is not that
    // key's, so it is not stored under it.
    if let Some(k) = key.filter(|k| k.still(vault))
        && let Err(e) = cached::write_intros(
            &cached::intros_file(&vault.root),
            cached::intros_generation(k.key, as_of),
            &cached::AllIntros::of(&intros, &shares),
        )
        && std::env::var_os("KITH_TRACE").is_some()
    {
        // A read-only vault still answers; it computes again next time.
        eprintln!("trace: introductions cache not saved: {e}");
    }
    trace("introductions cache written", t);
    Ok((intros, shares))
}

/// Open and done promises about a resource, per (person, resource): a task
/// item that links (or names) the resource and sits in the person's note or
/// links the person.
fn promises_about(
    vault: &Vault,
    resources: &[usize],
) -> (FxHashSet<Pair>, FxHashMap<Pair, String>) {
    let mut done = FxHashSet::default();
    let mut open: FxHashMap<Pair, String> = FxHashMap::default();
    let titles: Vec<(usize, String)> = resources
        .iter()
        .filter_map(|&r| Some((r, fold(&vault.notes[r].resource.as_ref()?.title))))
        .filter(|(_, t)| t.chars().count() >= 4)
        .collect();
    for (i, n) in vault.notes.iter().enumerate() {
        for p in &n.promises {
            let linked: Vec<usize> = p
                .links
                .iter()
                .filter_map(|t| vault.resolve_one(t))
                .collect();
            let mut people: Vec<usize> = linked
                .iter()
                .copied()
                .filter(|&j| vault.notes[j].person.is_some())
                .collect();
            if n.person.is_some() {
                people.push(i);
            }
            if people.is_empty() {
                continue;
            }
            let text = fold(&p.text);
            let about: Vec<usize> = titles
                .iter()
                .filter(|(r, t)| linked.contains(r) || text.contains(t.as_str()))
                .map(|(r, _)| *r)
                .collect();
            for &r in &about {
                for &who in &people {
                    if p.done {
                        done.insert((r, who));
                    } else {
                        open.entry((r, who)).or_insert_with(|| {
                            format!(
                                "you promised: “{}” ({}:{})",
                                p.text.replace("[[", "").replace("]]", ""),
                                n.path.display(),
                                p.line
                            )
                        });
                    }
                }
            }
        }
    }
    (done, open)
}

/// Resources worth sending to someone, matched with the introduction matcher
/// (title, tags and the resource's own text against each open need; a tag
/// equal to an interest or tag counts less). Any age, recent ones first;
/// people already sent it (a log entry linking both, the resource note
/// linking them, or a done promise about it) are skipped, and an open promise
/// about it is shown instead of a new suggestion.
fn shares(vault: &Vault, as_of: Date, m: &Matching) -> Vec<ShareSuggestion> {
    let mut resources: Vec<(Option<Date>, usize)> = vault
        .notes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NoteKind::Resource)
        .filter_map(|(i, n)| {
            let added = n.resource.as_ref()?.added;
            // A resource dated in the future is not there yet.
            (added.is_none_or(|a| a <= as_of)).then_some((added, i))
        })
        .collect();
    if resources.is_empty() {
        return Vec::new();
    }
    // Recent first; undated last; then by path for a stable order.
    resources.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(vault.notes[a.1].path.cmp(&vault.notes[b.1].path))
    });
    let ids: Vec<usize> = resources.iter().map(|r| r.1).collect();
    // Membership asked once per link of every note: a set, not a scan.
    let is_resource: FxHashSet<usize> = ids.iter().copied().collect();
    // Resource–person pairs already linked: the resource note links the
    // person or the person's note links it, or one log entry links both.
    let mut linked: FxHashSet<Pair> = FxHashSet::default();
    for &r in &ids {
        for &j in &vault.out_links[r] {
            linked.insert(pair(r, j));
        }
    }
    for (i, n) in vault.notes.iter().enumerate() {
        if n.person.is_some() {
            for &j in &vault.out_links[i] {
                if is_resource.contains(&j) {
                    linked.insert(pair(i, j));
                }
            }
        }
        for e in &n.entries {
            // Without links an entry has at most its note's person: no pair.
            if e.links().is_empty() {
                continue;
            }
            let who = vault.entry_links(i, e, 20, true);
            if !who.iter().any(|w| is_resource.contains(w)) {
                continue;
            }
            for (x, &a) in who.iter().enumerate() {
                for &b in &who[x + 1..] {
                    linked.insert(pair(a, b));
                }
            }
        }
    }
    let (done, open) = promises_about(vault, &ids);
    let profiles: Vec<(usize, super::answers::Resource)> = ids
        .iter()
        .filter_map(|&r| {
            let res = vault.notes[r].resource.as_ref()?;
            let mut f = vec![Field {
                kind: FieldKind::Offer,
                text: res.title.clone(),
            }];
            f.extend(res.tags.iter().map(|t| Field {
                kind: FieldKind::Tag,
                text: t.clone(),
            }));
            let text = prose(vault, r);
            f.extend(
                text.split_inclusive(['.', '!', '?', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Field {
                        kind: FieldKind::Prose,
                        text: s.to_string(),
                    }),
            );
            Some((r, m.resource(f)))
        })
        .collect();
    // Per resource: (score, person, why).
    let mut found: HashMap<usize, Vec<(f64, usize, String)>> = HashMap::new();
    for &i in &m.people {
        let Some(p) = vault.person(i) else { continue };
        for need in &p.needs {
            for (r, prof) in &profiles {
                if let Some(nm) = m.score(need, prof, SHARE_COVERAGE) {
                    found.entry(*r).or_default().push((
                        5.0 + nm.coverage,
                        i,
                        format!("needs “{need}”"),
                    ));
                }
            }
        }
        for (r, _) in &profiles {
            let Some(res) = vault.notes[*r].resource.as_ref() else {
                continue;
            };
            let tags: Vec<String> = res.tags.iter().map(|t| fold(t)).collect();
            if let Some(x) = p
                .interests
                .iter()
                .chain(&p.tags)
                .find(|x| tags.contains(&fold(x)))
            {
                found
                    .entry(*r)
                    .or_default()
                    .push((1.0, i, format!("is into “{x}”")));
            }
        }
    }
    // Each resource's people best first; then one round per rank, recent
    // resources first, so every resource gets a turn before any gets a second.
    let mut per: Vec<Vec<ShareSuggestion>> = Vec::new();
    for &r in &ids {
        let Some(mut list) = found.remove(&r) else {
            continue;
        };
        let Some(res) = vault.notes[r].resource.as_ref() else {
            continue;
        };
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut seen = HashSet::new();
        let mut mine = Vec::new();
        for (_, who, why) in list {
            // An open promise links the resource too: it is shown, not
            // taken for "already sent".
            let promise = open.get(&(r, who)).cloned();
            let sent =
                done.contains(&(r, who)) || (promise.is_none() && linked.contains(&pair(r, who)));
            if sent || !seen.insert(who) {
                continue;
            }
            let p = &vault.notes[who];
            let reason = match &promise {
                Some(pr) => pr.clone(),
                None => format!("{} {why}", first_name(&p.title)),
            };
            mine.push(ShareSuggestion {
                resource: res.title.clone(),
                resource_path: vault.notes[r].path.clone(),
                url: res.url.clone(),
                name: p.title.clone(),
                path: p.path.clone(),
                reason,
                promise,
            });
        }
        per.push(mine);
    }
    let mut out = Vec::new();
    let mut round = 0;
    loop {
        let mut any = false;
        for list in &per {
            if let Some(s) = list.get(round) {
                out.push(s.clone());
                any = true;
            }
        }
        if !any {
            break;
        }
        round += 1;
    }
    out
}

/// Records a dismissed pair in `.kith/intros.yaml` (a tracked file), keeping
/// what is there. Returns false if the pair was already dismissed.
pub fn dismiss(root: &Path, a: &str, b: &str) -> Result<bool> {
    let key = {
        let (x, y) = (fold(a), fold(b));
        if x < y { (x, y) } else { (y, x) }
    };
    if dismissed(root).contains(&key) {
        return Ok(false);
    }
    let path = root.join(DISMISSED_FILE);
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let item = format!("  - [{}, {}]\n", q(a), q(b));
    if !path.exists() {
        let text = format!(
            "# Introductions you dismissed (`kith intros dismiss A B`). Keep it in git.\ndismissed:\n{item}"
        );
        crate::write::create_new(&path, text.as_bytes())?;
        return Ok(true);
    }
    let snap = crate::write::Snapshot::read(&path)?;
    let text = String::from_utf8_lossy(&snap.bytes).into_owned();
    if let Err(e) = yaml::parse(&text) {
        return Err(Error::Refused(format!(
            "{DISMISSED_FILE}:{}:{}: {}\n  hint: fix the YAML first; kith will not append to a file it cannot read",
            e.line, e.column, e.message
        )));
    }
    let spans = yaml::key_spans(&text);
    let last_is_dismissed = spans.last().is_some_and(|s| s.key == "dismissed");
    let mut new = snap.bytes.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        new.push(b'\n');
    }
    if !last_is_dismissed {
        if spans.iter().any(|s| s.key == "dismissed") {
            return Err(Error::Refused(format!(
                "{} has `dismissed:` before other keys; move it to the end so kith can add to it",
                DISMISSED_FILE
            )));
        }
        new.extend_from_slice(b"dismissed:\n");
    }
    new.extend_from_slice(item.as_bytes());
    snap.replace(&new)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> (tempfile::TempDir, Vault) {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for e in std::fs::read_dir(from).unwrap() {
                let e = e.unwrap();
                let t = to.join(e.file_name());
                if e.file_type().unwrap().is_dir() {
                    if e.file_name() != ".kith" {
                        copy(&e.path(), &t);
                    }
                } else {
                    std::fs::copy(e.path(), t).unwrap();
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("v");
        copy(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-vault"),
            &root,
        );
        // Two people of one name: told apart by their notes.
        for who in ["a", "b"] {
            std::fs::write(
                root.join(format!("people/same-{who}.md")),
                "---\nname: Sam Same\nneeds: [pitch deck feedback, book recommendations]\ninterests: [crime fiction, sailing]\n---\n",
            )
            .unwrap();
        }
        let v = crate::store::load(&root).unwrap();
        (dir, v)
    }

    /// The compact form is the whole suggestions in other words: made
    /// whole it is what `Ranked::of` was given, and picking on it picks
    /// what picking on the whole list does, for everyone and every limit.
    #[test]
    fn the_compact_candidates_pick_as_the_whole_ones_do() {
        let (_dir, v) = example();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let m = Matching::build(&v);
        let (ranked, _) = compute_ranked(&v, as_of, None, &|| &m).unwrap();
        let all = ranked.all();
        assert!(all.len() > 10, "{}", all.len());
        assert!(
            all.iter().any(|s| s.a == "Sam Same" || s.b == "Sam Same"),
            "the namesakes appear"
        );
        assert_eq!(Ranked::of(&all).all(), all);
        for limit in [0, 1, 2, 5, 1000] {
            assert_eq!(ranked.select(limit, 2), select(all.clone(), limit, 2));
            for (_, n, _) in v.people() {
                for every in [false, true] {
                    assert_eq!(
                        ranked.pick(Some(&n.path), limit, every),
                        pick(all.clone(), Some(&n.path), limit, every),
                        "{}",
                        n.path.display()
                    );
                }
            }
            assert_eq!(
                ranked.pick(None, limit, false),
                pick(all.clone(), None, limit, false)
            );
        }
        assert_eq!(
            ranked.pick(Some(Path::new("people/nobody.md")), 5, true),
            Vec::new()
        );
    }

    /// What `intros.bin` stores reads back as the same candidates.
    #[test]
    fn the_compact_candidates_round_trip_through_their_file() {
        let (dir, v) = example();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let m = Matching::build(&v);
        let (ranked, shares) = compute_ranked(&v, as_of, None, &|| &m).unwrap();
        let f = dir.path().join("intros.bin");
        super::super::cached::write_intros(
            &f,
            9,
            &super::super::cached::AllIntros::of(&ranked, &shares),
        )
        .unwrap();
        let (back, back_shares) = super::super::cached::read_intros(&f, 9)
            .unwrap()
            .into_parts();
        assert_eq!(back, ranked);
        assert_eq!(back.all(), ranked.all());
        assert_eq!(back_shares, shares);
    }
}
