//! Introduction and share suggestions.
//!
//! Each open need is matched on meaning against everyone's offers and what
//! they are (role, org, tags, interests, the prose of their note) — see
//! [`super::matcher`]. People are also paired on a shared interest or value
//! when it is rare. A need met ranks above shared hobbies; every reason quotes
//! the fields and names the words or concepts that matched. Pairs who already
//! know each other (from evidence: [`connections`]) are never suggested.

use super::ShareSuggestion;
use super::lifecycle::{self, IntroState};
use super::matcher::{Field, FieldKind, NeedMatch};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{Circle, NoteKind};
use crate::text::fold;
use crate::vault::Vault;
use crate::yaml::{self, Yaml};
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

#[derive(Default)]
struct Cand {
    score: f64,
    /// Need reasons: (asker, text, what was met).
    needs: Vec<(usize, String, NeedMet)>,
    /// Shared topics with how many people hold each (rarest are quoted).
    topics: Vec<(usize, String)>,
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

/// Lines of a note that are task items (`- [ ]`, `- [x]`).
fn task_lines(n: &crate::note::Note) -> HashSet<usize> {
    n.promises.iter().map(|p| p.line).collect()
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
    let mut set = k.certain.clone();
    set.extend(k.by_entry.keys().filter(|p| k.connected(**p)));
    set
}

/// An entry linking both of a pair: they know each other unless a link is
/// all plans ("will ask [[Ben]] first"). The links (indexes into the note's
/// links) to each person; none for the note's own person.
struct Shared {
    note: usize,
    links: [Vec<usize>; 2],
}

/// Who knows whom: the evidence that needs no reading (`introduced_by`,
/// `knows:`, same org, a made intro), and the entries linking both, whose
/// lines are read only when a pair is asked about: telling a plan means
/// reading the note, and most pairs never come up.
pub(crate) struct Known<'v> {
    vault: &'v Vault,
    certain: HashSet<Pair>,
    by_entry: HashMap<Pair, Vec<Shared>>,
}

impl<'v> Known<'v> {
    /// Whether the two know each other.
    pub(crate) fn connected(&self, p: Pair) -> bool {
        if self.certain.contains(&p) {
            return true;
        }
        let Some(shared) = self.by_entry.get(&p) else {
            return false;
        };
        shared.iter().any(|sh| {
            let lines = super::plans::NoteLines::new(self.vault, sh.note);
            let links = &self.vault.notes[sh.note].links;
            sh.links
                .iter()
                .all(|ls| ls.is_empty() || ls.iter().any(|&k| !lines.is_plan(&links[k])))
        })
    }

    pub(crate) fn new(vault: &'v Vault) -> Known<'v> {
        let mut set = HashSet::new();
        let is_person = |i: usize| vault.notes[i].person.is_some();
        let mut by_org: HashMap<String, Vec<usize>> = HashMap::new();
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
        for r in lifecycle::records(vault) {
            if r.state.is_made() {
                set.insert(pair(r.ia, r.ib));
            }
        }
        let mut by_entry: HashMap<Pair, Vec<Shared>> = HashMap::new();
        // Each entry's links (indexes into the note's links, in order),
        // gathered in one pass over the links: scanning every link for
        // every entry cost entries × links per note.
        let mut of_entry: Vec<Vec<usize>> = Vec::new();
        for (i, n) in vault.notes.iter().enumerate() {
            // No entry links anyone: at most the note's own person, no pair.
            if n.links.iter().all(|l| l.entry.is_none()) {
                continue;
            }
            let tasks = task_lines(n);
            of_entry.clear();
            of_entry.resize_with(n.entries.len(), Vec::new);
            for (k, l) in n.links.iter().enumerate() {
                if let Some(ei) = l.entry
                    && let Some(ls) = of_entry.get_mut(ei)
                    && !tasks.contains(&l.line)
                {
                    ls.push(k);
                }
            }
            for (ei, e) in n.entries.iter().enumerate() {
                if e.tags.iter().any(|t| IntroState::from_tag(t).is_some()) {
                    continue;
                }
                // Person → the entry's links to them.
                let mut who: Vec<(usize, Vec<usize>)> = Vec::new();
                for &k in &of_entry[ei] {
                    let l = &n.links[k];
                    let Some(j) = vault.resolve_one(&l.target) else {
                        continue;
                    };
                    if j == i || !is_person(j) {
                        continue;
                    }
                    if let Some(w) = who.iter_mut().find(|w| w.0 == j) {
                        w.1.push(k);
                    } else if who.len() < 20 {
                        who.push((j, vec![k]));
                    }
                }
                if n.person.is_some() {
                    who.push((i, Vec::new()));
                }
                who.sort_unstable_by_key(|w| w.0);
                for (x, (a, la)) in who.iter().enumerate() {
                    for (b, lb) in &who[x + 1..] {
                        let p = pair(*a, *b);
                        if set.contains(&p) {
                            continue;
                        }
                        by_entry.entry(p).or_default().push(Shared {
                            note: i,
                            links: [la.clone(), lb.clone()],
                        });
                    }
                }
            }
        }
        Known {
            vault,
            certain: set,
            by_entry,
        }
    }
}

/// Task lines in one person's note that mention another person: planned
/// introductions or promises, keyed by pair.
fn planned(vault: &Vault) -> HashMap<Pair, Vec<String>> {
    let mut out: HashMap<Pair, Vec<String>> = HashMap::new();
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
    let n = &vault.notes[i];
    // Never read what the note loader refused (a FIFO, /dev/zero, a huge file).
    let Some(bytes) = vault.note_bytes_now(i) else {
        return String::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let tasks = task_lines(n);
    let mut out = String::new();
    for (k, line) in text.lines().enumerate() {
        let ln = k + 1;
        if ln < n.body_line
            || tasks.contains(&ln)
            || n.entries.iter().any(|e| ln >= e.line && ln < e.end_line)
        {
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
    suggestions_known(vault, as_of, m, Known::new(vault))
}

/// [`suggestions_with`], with who knows whom already worked out (it does
/// not need the matcher: the two are built side by side).
fn suggestions_known(
    vault: &Vault,
    as_of: Date,
    m: &Matching,
    conn: Known<'_>,
) -> Result<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    let t = std::time::Instant::now();
    let dismissed = dismissed(&vault.root);
    let in_progress: HashSet<Pair> = lifecycle::records(vault)
        .iter()
        .map(|r| pair(r.ia, r.ib))
        .collect();
    let name_key = |i: usize| fold(&vault.notes[i].title);
    let excluded = |a: usize, b: usize| {
        let p = pair(a, b);
        if in_progress.contains(&p) || conn.connected(p) {
            return true;
        }
        if dismissed.is_empty() {
            return false;
        }
        let (x, y) = (name_key(a), name_key(b));
        dismissed.contains(&if x < y { (x, y) } else { (y, x) })
    };
    let mut cands: HashMap<Pair, Cand> = HashMap::new();

    // 1. A's need is met by B's offers or by what B is.
    // Per distinct need: who meets it, and for each of them the reason after
    // the asker's name and the offer quoted, made once (they do not depend
    // on who asks).
    type Said = Option<(String, String)>;
    let mut cache: HashMap<&str, (Vec<NeedMatch>, Vec<Said>)> = HashMap::new();
    // Per helper: what each need they meet added, to spread the top.
    let mut by_helper: HashMap<usize, Vec<(f64, Pair)>> = HashMap::new();
    for (ai, &a) in m.people.iter().enumerate() {
        let Some(pa) = vault.person(a) else { continue };
        for need in &pa.needs {
            let mut taken = 0;
            // Many people ask for the same thing in the same words: match
            // each distinct need once.
            let (found, said) = cache.entry(need.as_str()).or_insert_with(|| {
                let found = m.meet(need, None, OFFERS_PER_NEED * 4 + 1);
                let said = vec![None; found.len()];
                (found, said)
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
                let (tail, offer) = said[k].get_or_insert_with(|| {
                    let tail = need_reason_tail(need, first_name(&vault.notes[b].title), nm, |f| {
                        m.field(nm.profile, f)
                    });
                    let offer = nm
                        .covered
                        .first()
                        .and_then(|cv| m.field(nm.profile, cv.field))
                        .map(|f| f.text.clone())
                        .unwrap_or_default();
                    (tail, offer)
                });
                let reason = format!("{}{tail}", first_name(&pa.name));
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
                c.needs.push((
                    a,
                    reason,
                    NeedMet {
                        need: need.clone(),
                        offer: offer.clone(),
                    },
                ));
            }
        }
    }

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
    trace("needs matched", t);
    // 2. Rare shared interests and values (tags half), weighted by rarity.
    let n = m.people.len().max(2) as f64;
    let common = ((n * COMMON_SHARE) as usize).clamp(3, COMMON_TOPIC);
    let mut holders: HashMap<String, (String, &'static str, Vec<usize>)> = HashMap::new();
    let mut everyone: HashMap<String, usize> = HashMap::new();
    for (i, _, p) in vault.people() {
        let eligible = m.people.binary_search(&i).is_ok();
        for (list, what) in [
            (&p.interests, "interest"),
            (&p.values, "value"),
            (&p.tags, "tag"),
        ] {
            for v in list {
                let k = format!("{what}:{}", fold(v));
                *everyone.entry(k.clone()).or_default() += 1;
                if eligible {
                    let e = holders
                        .entry(k)
                        .or_insert_with(|| (v.clone(), what, Vec::new()));
                    if !e.2.contains(&i) {
                        e.2.push(i);
                    }
                }
            }
        }
    }
    for (k, (shown, what, who)) in &holders {
        let held = who.len();
        if !(2..=common).contains(&held) {
            continue;
        }
        let all = everyone.get(k).copied().unwrap_or(held);
        let rarity = (n / held as f64).ln() / n.ln().max(1.0);
        let weight = if *what == "tag" {
            rarity * TAG_FACTOR
        } else {
            rarity
        };
        for (x, &a) in who.iter().enumerate() {
            for &b in &who[x + 1..] {
                let c = cands.entry(pair(a, b)).or_default();
                c.score += weight;
                let verb = match *what {
                    "interest" => "are into",
                    "value" => "value",
                    _ => "are tagged",
                };
                c.topics
                    .push((all, format!("both {verb} “{shown}” (only {all} people do)")));
            }
        }
    }

    trace("topics paired", t);
    // 3. Exclusions, location, and the reasons in order.
    let plans = planned(vault);
    // Two people who need the same thing (both raising from angels) cannot
    // meet it for each other: a shared need never makes an introduction, so
    // a pair found through topics alone is dropped when they share one.
    let mut need_keys: HashMap<usize, HashSet<String>> = HashMap::new();
    let mut keys_of = |i: usize| -> HashSet<String> {
        need_keys
            .entry(i)
            .or_insert_with(|| {
                vault
                    .person(i)
                    .map(|p| p.needs.iter().flat_map(|n| m.need_keys(n)).collect())
                    .unwrap_or_default()
            })
            .clone()
    };
    let mut out: Vec<IntroSuggestion> = Vec::new();
    for ((a, b), mut c) in cands {
        if excluded(a, b) {
            continue;
        }
        let (Some(pa), Some(pb)) = (vault.person(a), vault.person(b)) else {
            continue;
        };
        if c.needs.is_empty() && c.score < TOPICS_ALONE {
            continue;
        }
        if c.needs.is_empty() && !keys_of(a).is_disjoint(&keys_of(b)) {
            continue;
        }
        c.topics.sort();
        let mut reasons: Vec<String> = c.needs.iter().map(|(_, r, _)| r.clone()).collect();
        reasons.extend(c.topics.iter().take(2).map(|(_, t)| t.clone()));
        if let (Some(la), Some(lb)) = (&pa.location, &pb.location)
            && fold(la) == fold(lb)
        {
            // Help can travel; company for a rare hobby mostly cannot.
            c.score += if c.needs.is_empty() {
                LOCATION_WEIGHT
            } else {
                NEED_LOCATION_WEIGHT
            };
            reasons.push(format!("both in {la}"));
        }
        // The one whose need is met comes first.
        let asker = c.needs.first().map(|(x, _, _)| *x);
        let need = c.needs.first().map(|(_, _, n)| n.clone());
        let (a, b) = if asker == Some(b) { (b, a) } else { (a, b) };
        out.push(IntroSuggestion {
            a: vault.notes[a].title.clone(),
            b: vault.notes[b].title.clone(),
            a_path: vault.notes[a].path.clone(),
            b_path: vault.notes[b].path.clone(),
            score: (c.score * 100.0).round() / 100.0,
            reasons,
            need,
            planned: plans.get(&pair(a, b)).cloned().unwrap_or_default(),
        });
    }
    out.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let shares = shares(vault, as_of, m);
    Ok((out, shares))
}

/// Picks suggestions best first, each person in at most `per_person` of them.
pub fn select(
    all: Vec<IntroSuggestion>,
    limit: usize,
    per_person: usize,
) -> (Vec<IntroSuggestion>, usize) {
    let mut count: HashMap<String, usize> = HashMap::new();
    let mut picked = Vec::new();
    let mut left = 0;
    for s in all {
        let ok = count.get(&s.a).copied().unwrap_or(0) < per_person
            && count.get(&s.b).copied().unwrap_or(0) < per_person;
        if ok && picked.len() < limit {
            *count.entry(s.a.clone()).or_default() += 1;
            *count.entry(s.b.clone()).or_default() += 1;
            picked.push(s);
        } else if ok {
            left += 1;
        }
    }
    (picked, left)
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
    let key = super::cached::vault_key_of(vault);
    let matching = std::sync::OnceLock::new();
    let (list, _) = all_with(vault, as_of, key, &|| {
        matching.get_or_init(|| Matching::build(vault))
    })?;
    let name = person.map(|i| vault.notes[i].title.as_str());
    Ok(pick(list, name, limit, all))
}

/// The suggestions with one person (by note title), limited unless `all`.
pub fn pick(
    mut list: Vec<IntroSuggestion>,
    person: Option<&str>,
    limit: usize,
    all: bool,
) -> Vec<IntroSuggestion> {
    if let Some(name) = person {
        list.retain(|s| s.a == name || s.b == name);
    }
    if all { list } else { select(list, limit, 2).0 }
}

/// Every introduction candidate (ranked) and share suggestion for a vault
/// key and date, from the introductions cache; `None` when it holds
/// something else (a damaged file is said on stderr).
pub fn cached_all(
    root: &Path,
    key: Option<u64>,
    as_of: Date,
) -> Option<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    use super::cached;
    let t = std::time::Instant::now();
    let g = cached::intros_generation(key?, as_of);
    match cached::read::<cached::AllIntros>(&cached::intros_file(root), g) {
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
    key: Option<u64>,
    matching: &(dyn Fn() -> &'m Matching<'m> + Sync),
) -> Result<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    if let Some(found) = cached_all(&vault.root, key, as_of) {
        return Ok(found);
    }
    compute_all(vault, as_of, key, matching)
}

/// Every introduction candidate and share, computed (the matcher and who
/// knows whom side by side) and stored under `key` for the next run.
pub fn compute_all<'m>(
    vault: &Vault,
    as_of: Date,
    key: Option<u64>,
    matching: &(dyn Fn() -> &'m Matching<'m> + Sync),
) -> Result<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    use super::cached;
    let t = std::time::Instant::now();
    let (m, conn) = rayon::join(matching, || Known::new(vault));
    trace("matcher and connections", t);
    let (intros, shares) = suggestions_known(vault, as_of, m, conn)?;
    // A note saved since the model read it was read for its prose, or the
    // dismissals changed since the key read them: the result is not that
    // key's, so it is not stored under it.
    if let Some(k) = key.filter(|k| cached::still_keyed(vault, *k))
        && let Err(e) = cached::write(
            &cached::intros_file(&vault.root),
            cached::intros_generation(k, as_of),
            &cached::AllIntros::of(&intros, &shares),
        )
        && std::env::var_os("KITH_TRACE").is_some()
    {
        // A read-only vault still answers; it computes again next time.
        eprintln!("trace: introductions cache not saved: {e}");
    }
    Ok((intros, shares))
}

/// Open and done promises about a resource, per (person, resource): a task
/// item that links (or names) the resource and sits in the person's note or
/// links the person.
fn promises_about(vault: &Vault, resources: &[usize]) -> (HashSet<Pair>, HashMap<Pair, String>) {
    let mut done = HashSet::new();
    let mut open: HashMap<Pair, String> = HashMap::new();
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
    let is_resource: HashSet<usize> = ids.iter().copied().collect();
    // Resource–person pairs already linked: the resource note links the
    // person or the person's note links it, or one log entry links both.
    let mut linked: HashSet<Pair> = HashSet::new();
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
            if e.links.is_empty() {
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
