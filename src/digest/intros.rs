//! Introduction and share suggestions.
//!
//! Candidate pairs come from an index, never from all pairs of people: each
//! need is queried against everyone's offers (BM25 with stemming, widened by
//! the synonyms in config), and people are paired on a shared interest, value
//! or tag only when it is rare (held by few people). Scores add up; rarer
//! shared topics count more; the same location adds a little.

use super::ShareSuggestion;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::index::matcher::{Matcher, Profile};
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
    pub a: String,
    pub b: String,
    pub a_path: PathBuf,
    pub b_path: PathBuf,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// A shared topic held by more people than this is too common to pair on.
const COMMON_TOPIC: usize = 50;
/// Offers considered per need.
const OFFERS_PER_NEED: usize = 8;
const NEED_MATCH_WEIGHT: f64 = 3.0;
const LOCATION_WEIGHT: f64 = 0.5;
/// A tag is how you file someone ("friends", "investor") more than what they
/// care about: it counts half as much as a shared interest or value.
const TAG_FACTOR: f64 = 0.5;
/// A pair found only through shared topics needs at least this much from
/// them (before location): one rare interest, or several shared topics.
const TOPICS_ALONE: f64 = 0.6;
/// Share suggestions look at resources added within this many days.
pub const SHARE_DAYS: i64 = 30;
/// At most this many people per resource, so several resources get a turn.
const SHARES_PER_RESOURCE: usize = 2;

pub const DISMISSED_FILE: &str = ".kith/intros.yaml";

type Pair = (usize, usize);

fn pair(a: usize, b: usize) -> Pair {
    if a < b { (a, b) } else { (b, a) }
}

#[derive(Default)]
struct Cand {
    score: f64,
    reasons: Vec<String>,
    need_match: bool,
    /// Shared topics with how many people hold each (rarest are quoted).
    topics: Vec<(usize, String)>,
}

/// The dismissed pairs, as folded names.
fn dismissed(root: &Path) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    let Ok(text) = std::fs::read_to_string(root.join(DISMISSED_FILE)) else {
        return out;
    };
    if let Ok(y) = yaml::parse(&text)
        && let Some(Yaml::List(items)) = y.get("dismissed")
    {
        for it in items {
            if let Yaml::List(two) = it
                && let [a, b] = &two[..]
                && let (Some(a), Some(b)) = (a.as_scalar(), b.as_scalar())
            {
                let (a, b) = (fold(&a), fold(&b));
                out.insert(if a < b { (a, b) } else { (b, a) });
            }
        }
    }
    out
}

/// Pairs already connected: either note links the other, `introduced_by`, or
/// both linked from one log entry.
fn connected(vault: &Vault) -> HashSet<Pair> {
    let mut set = HashSet::new();
    let is_person = |i: usize| vault.notes[i].person.is_some();
    for (i, _, p) in vault.people() {
        for &j in &vault.out_links[i] {
            if is_person(j) {
                set.insert(pair(i, j));
            }
        }
        if let Some(by) = &p.introduced_by
            && let Some(j) = vault.resolve_one(by)
            && j != i
        {
            set.insert(pair(i, j));
        }
    }
    for (i, n) in vault.notes.iter().enumerate() {
        for e in &n.entries {
            let who: Vec<usize> = vault
                .entry_links(i, e, 20, false)
                .into_iter()
                .filter(|j| is_person(*j))
                .collect();
            for (x, &a) in who.iter().enumerate() {
                for &b in &who[x + 1..] {
                    set.insert(pair(a, b));
                }
            }
        }
    }
    set
}

fn first_name(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}

/// The need with the phrases of every synonym group it mentions added.
fn widen(need: &str, synonyms: &[Vec<String>]) -> (String, Vec<usize>) {
    let f = fold(need);
    let mut out = need.to_string();
    let mut groups = Vec::new();
    for (g, group) in synonyms.iter().enumerate() {
        if group.iter().any(|p| contains_phrase(&f, &fold(p))) {
            groups.push(g);
            for p in group {
                out.push(' ');
                out.push_str(p);
            }
        }
    }
    (out, groups)
}

fn contains_phrase(hay: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let words: Vec<&str> = hay
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let pw: Vec<&str> = phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    !pw.is_empty() && words.windows(pw.len()).any(|w| w == pw.as_slice())
}

/// All introduction candidates (ranked, unlimited) and share suggestions.
pub fn suggestions(
    vault: &Vault,
    as_of: Date,
) -> Result<(Vec<IntroSuggestion>, Vec<ShareSuggestion>)> {
    let eligible: Vec<usize> = vault
        .people()
        .filter(|(_, _, p)| p.intro_ok && p.circle != Some(Circle::Dormant))
        .map(|(i, _, _)| i)
        .collect();
    let profiles: Vec<Profile<'_>> = eligible
        .iter()
        .filter_map(|&i| {
            let p = vault.notes[i].person.as_ref()?;
            let topics = p
                .interests
                .iter()
                .chain(&p.values)
                .chain(&p.tags)
                .map(String::as_str)
                .collect();
            Some(Profile {
                id: i,
                offers: &p.offers,
                needs: &p.needs,
                topics,
            })
        })
        .collect();
    let t = std::time::Instant::now();
    let trace = std::env::var_os("KITH_TRACE").is_some();
    let mut matcher = Matcher::build(&profiles)?;
    if trace {
        eprintln!("trace: matcher built in {:?}", t.elapsed());
    }
    let synonyms = vault.config.synonyms();
    let mut cands: HashMap<Pair, Cand> = HashMap::new();

    // 1. A's need meets B's offer.
    for &a in &eligible {
        let Some(pa) = vault.notes[a].person.as_ref() else {
            continue;
        };
        for need in &pa.needs {
            let (wide, groups) = widen(need, &synonyms);
            let need_terms = matcher.stems(need).len();
            for m in matcher.offers_for(&wide, OFFERS_PER_NEED)? {
                if m.id == a {
                    continue;
                }
                let Some(pb) = vault.notes[m.id].person.as_ref() else {
                    continue;
                };
                let Some(offer) = pb.offers.get(m.item) else {
                    continue;
                };
                let shared = matcher.shared_stems(need, offer).len();
                let syn = groups.iter().any(|&g| {
                    synonyms[g]
                        .iter()
                        .any(|p| contains_phrase(&fold(offer), &fold(p)))
                });
                let enough = shared >= need_terms.clamp(1, 2)
                    || (syn && shared >= 1)
                    || (syn && need_terms <= 3);
                if !enough {
                    continue;
                }
                let c = cands.entry(pair(a, m.id)).or_default();
                let head = format!("{} needs “{need}”;", first_name(&pa.name));
                let reason = format!("{head} {} offers “{offer}”", first_name(&pb.name));
                // The best offer per need only (results come best first).
                if !c.reasons.iter().any(|r| r.starts_with(&head)) {
                    c.score += NEED_MATCH_WEIGHT + f64::from(m.score).min(10.0) / 5.0;
                    c.reasons.insert(0, reason);
                    c.need_match = true;
                }
            }
        }
    }

    if trace {
        eprintln!("trace: needs matched at {:?}", t.elapsed());
    }
    // 2. Rare shared interests, values and tags, weighted by rarity.
    let n = eligible.len().max(2) as f64;
    let mut holders: HashMap<String, (String, &'static str, Vec<usize>)> = HashMap::new();
    for &i in &eligible {
        let Some(p) = vault.notes[i].person.as_ref() else {
            continue;
        };
        for (list, what) in [
            (&p.interests, "interest"),
            (&p.values, "value"),
            (&p.tags, "tag"),
        ] {
            for v in list {
                let e = holders
                    .entry(format!("{what}:{}", fold(v)))
                    .or_insert_with(|| (v.clone(), what, Vec::new()));
                if !e.2.contains(&i) {
                    e.2.push(i);
                }
            }
        }
    }
    for (shown, what, who) in holders.values() {
        let k = who.len();
        if !(2..=COMMON_TOPIC).contains(&k) {
            continue;
        }
        let rarity = (n / k as f64).ln() / n.ln().max(1.0);
        let weight = if *what == "tag" {
            rarity * TAG_FACTOR
        } else {
            rarity
        };
        for (x, &a) in who.iter().enumerate() {
            for &b in &who[x + 1..] {
                let c = cands.entry(pair(a, b)).or_default();
                c.score += weight;
                c.topics.push((
                    k,
                    format!(
                        "both {} “{shown}”",
                        match *what {
                            "interest" => "are into",
                            "value" => "value",
                            _ => "are tagged",
                        }
                    ),
                ));
            }
        }
    }

    // 3. Same location adds a little; then exclusions.
    let conn = connected(vault);
    let dismissed = dismissed(&vault.root);
    let mut out: Vec<IntroSuggestion> = Vec::new();
    for ((a, b), mut c) in cands {
        if conn.contains(&(a, b)) {
            continue;
        }
        let (Some(pa), Some(pb)) = (vault.person(a), vault.person(b)) else {
            continue;
        };
        let key = {
            let (x, y) = (fold(&pa.name), fold(&pb.name));
            if x < y { (x, y) } else { (y, x) }
        };
        if dismissed.contains(&key) {
            continue;
        }
        c.topics.sort();
        for (k, t) in c.topics.iter().take(2) {
            let rare = if *k <= 3 {
                format!(" (only {k} people do)")
            } else {
                String::new()
            };
            c.reasons.push(format!("{t}{rare}"));
        }
        // Shared topics alone must be strong enough; a shared city only adds.
        if !c.need_match && c.score < TOPICS_ALONE {
            continue;
        }
        if let (Some(la), Some(lb)) = (&pa.location, &pb.location)
            && fold(la) == fold(lb)
        {
            c.score += LOCATION_WEIGHT;
            c.reasons.push(format!("both in {la}"));
        }
        // Put the one with the need first.
        let (a, b, pa, pb) = if c
            .reasons
            .first()
            .is_some_and(|r| r.starts_with(first_name(&pb.name)) && c.need_match)
        {
            (b, a, pb, pa)
        } else {
            (a, b, pa, pb)
        };
        out.push(IntroSuggestion {
            a: pa.name.clone(),
            b: pb.name.clone(),
            a_path: vault.notes[a].path.clone(),
            b_path: vault.notes[b].path.clone(),
            score: (c.score * 100.0).round() / 100.0,
            reasons: c.reasons,
        });
    }
    out.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    if trace {
        eprintln!("trace: pairs scored at {:?}", t.elapsed());
    }
    let shares = shares(vault, as_of, &mut matcher)?;
    if trace {
        eprintln!("trace: shares at {:?}", t.elapsed());
    }
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
/// person; `all` lifts the limits.
pub fn intro_suggestions(
    vault: &Vault,
    as_of: Date,
    person: Option<usize>,
    limit: usize,
    all: bool,
) -> Result<Vec<IntroSuggestion>> {
    let (mut list, _) = suggestions(vault, as_of)?;
    if let Some(i) = person {
        let name = vault.notes[i].title.clone();
        list.retain(|s| s.a == name || s.b == name);
    }
    Ok(if all { list } else { select(list, limit, 2).0 })
}

fn shares(vault: &Vault, as_of: Date, matcher: &mut Matcher) -> Result<Vec<ShareSuggestion>> {
    let mut out = Vec::new();
    // Resource–person pairs already linked, found once.
    let mut linked: HashSet<Pair> = HashSet::new();
    for (i, n) in vault.notes.iter().enumerate() {
        for &j in &vault.out_links[i] {
            linked.insert(pair(i, j));
        }
        for e in &n.entries {
            let who = vault.entry_links(i, e, 20, true);
            for (x, &a) in who.iter().enumerate() {
                for &b in &who[x + 1..] {
                    linked.insert(pair(a, b));
                }
            }
        }
    }
    for (r, n) in vault.notes.iter().enumerate() {
        let (NoteKind::Resource, Some(res)) = (n.kind, &n.resource) else {
            continue;
        };
        let Some(added) = res.added else { continue };
        if added > as_of || (as_of - added).num_days() > SHARE_DAYS {
            continue;
        }
        let text = format!("{} {}", res.title, res.tags.join(" "));
        let mut seen = HashSet::new();
        let tags: Vec<String> = res.tags.iter().map(|t| fold(t)).collect();
        let mut found: Vec<(f32, usize, String)> = Vec::new();
        for m in matcher.needs_for(&text, 10)? {
            let Some(p) = vault.person(m.id) else {
                continue;
            };
            let Some(need) = p.needs.get(m.item) else {
                continue;
            };
            if matcher.shared_stems(need, &text).len() >= 2.min(matcher.stems(need).len()) {
                found.push((m.score + 5.0, m.id, format!("needs “{need}”")));
            }
        }
        for m in matcher.topics_for(&res.tags.join(" "), 10)? {
            let Some(p) = vault.person(m.id) else {
                continue;
            };
            let hit = p
                .interests
                .iter()
                .chain(&p.tags)
                .find(|x| tags.contains(&fold(x)));
            if let Some(x) = hit {
                found.push((m.score, m.id, format!("is into “{x}”")));
            }
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut taken = 0;
        for (_, who, why) in found {
            if linked.contains(&pair(r, who)) || !seen.insert(who) || taken >= SHARES_PER_RESOURCE {
                continue;
            }
            taken += 1;
            let p = &vault.notes[who];
            out.push(ShareSuggestion {
                resource: res.title.clone(),
                resource_path: n.path.clone(),
                name: p.title.clone(),
                path: p.path.clone(),
                reason: format!("{} {why}", first_name(&p.title)),
            });
        }
    }
    Ok(out)
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
