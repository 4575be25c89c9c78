//! Matching a need against what people offer and what they are, on meaning.
//!
//! Pure domain code (no search engine): words are folded, stemmed (Snowball
//! English) and stripped of stop and filler words. A need is met by a person
//! when enough of the need's content words — weighted by rarity in the vault
//! — are covered by the person's offers, role, org, tags, interests or note
//! prose, exactly, by a shared stem prefix, or through a concept of the
//! lexicon (need side ↔ offer side). Candidates come from postings lists,
//! never from all pairs.
//!
//! A need's score of one profile reads only that profile and the need as
//! [`Prepared`] at some [`Rarity`] (the profile count, the df of the need's
//! stems, the offer count of its concepts): the index is one rarity, the
//! table the kept answers hold is another (`answers.rs`), so a changed
//! profile is scored again without building the index.

use super::lexicon::Lexicon;
use std::collections::HashSet;
// Keys are the vault's own words, hashed millions of times per build; no
// answer depends on a map's order.
type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
use std::sync::OnceLock;

/// Words that never make a match on their own: English function words plus
/// the filler of how people phrase asks ("someone", "looking", "our"…).
const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "into",
    "onto",
    "about",
    "as",
    "is",
    "are",
    "was",
    "be",
    "been",
    "being",
    "am",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "who",
    "whom",
    "which",
    "what",
    "when",
    "where",
    "why",
    "how",
    "i",
    "me",
    "my",
    "mine",
    "we",
    "us",
    "our",
    "ours",
    "you",
    "your",
    "he",
    "him",
    "his",
    "she",
    "her",
    "they",
    "them",
    "their",
    "do",
    "does",
    "did",
    "done",
    "have",
    "has",
    "had",
    "can",
    "could",
    "would",
    "should",
    "will",
    "shall",
    "may",
    "might",
    "must",
    "not",
    "no",
    "yes",
    "so",
    "if",
    "then",
    "than",
    "too",
    "very",
    "just",
    "also",
    "all",
    "any",
    "some",
    "more",
    "most",
    "much",
    "many",
    "few",
    "each",
    "other",
    "own",
    "same",
    "such",
    "only",
    "up",
    "out",
    "over",
    "off",
    "again",
    "once",
    "before",
    "after",
    "while",
    "during",
    "since",
    "because",
    "until",
    "via",
    "per",
    "etc",
    "re",
    "ve",
    "ll",
    "were",
    "please",
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "people",
    "person",
    "folks",
    "looking",
    "look",
    "find",
    "finding",
    "need",
    "needs",
    "needed",
    "want",
    "wants",
    "wanted",
    "get",
    "getting",
    "got",
    "good",
    "great",
    "nice",
    "new",
    "first",
    "second",
    "two",
    "three",
    "one",
    "four",
    "five",
    "time",
    "times",
    "senior",
    "junior",
    "little",
    "small",
    "big",
    "happy",
    "currently",
    "well",
    "enough",
    "really",
    "knows",
    "know",
    "who",
    "make",
    "like",
    "way",
    "ways",
    "thing",
    "things",
    "lot",
    "lots",
    "bit",
    "able",
    "soon",
    "next",
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "pre",
    "de",
    "den",
    "der",
    "die",
    "das",
    "und",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "spring",
    "summer",
    "autumn",
    "winter",
];

/// What kind of help is asked, rather than about what: weighted low.
const SERVICE: &[&str] = &[
    "advice",
    "help",
    "feedback",
    "review",
    "reviews",
    "support",
    "tips",
    "intro",
    "intros",
    "introduction",
    "introductions",
    "contact",
    "contacts",
    "check",
    "work",
    "working",
    "experience",
    "team",
    "company",
    "startup",
    "business",
    "project",
    "projects",
    "setup",
    "process",
    "stuff",
    "question",
    "questions",
    "issue",
    "issues",
    "problem",
    "problems",
];

/// After these words the need says what it is for, not what it is.
const CONTEXT_MARKERS: &[&str] = &[
    "in", "before", "while", "during", "since", "because", "at", "by", "as",
];

/// "for" starts the context only before one of these.
const POSSESSIVE: &[&str] = &[
    "our", "my", "us", "me", "his", "her", "their", "the", "your",
];

/// A word nobody in the vault has cannot tell candidates apart: weighted low.
const UNSEEN_WEIGHT: f64 = 0.5;

const CONTEXT_WEIGHT: f64 = 0.5;
const SERVICE_WEIGHT: f64 = 0.3;
/// Covered by a concept rather than the same word.
const CONCEPT_FACTOR: f64 = 0.8;
/// Covered through a concept when a narrower concept also holds the word.
const BROAD_FACTOR: f64 = 0.5;
/// Covered by a word sharing a stem prefix ("photograph"/"photography").
const PREFIX_FACTOR: f64 = 0.9;
const MIN_PREFIX: usize = 6;
/// A need is met when this share of its weighted content words is covered.
pub const MIN_COVERAGE: f64 = 0.5;

fn stemmer() -> &'static frostem::Stemmer {
    static S: OnceLock<frostem::Stemmer> = OnceLock::new();
    S.get_or_init(|| frostem::Stemmer::new(frostem::Algorithm::English))
}

fn stop_set() -> &'static HashSet<&'static str> {
    static S: OnceLock<HashSet<&'static str>> = OnceLock::new();
    S.get_or_init(|| STOP.iter().copied().collect())
}

/// One word of a text.
#[derive(Debug, Clone)]
pub struct Token {
    pub stem: String,
    /// The word as written.
    pub word: String,
    pub stop: bool,
    /// Capitalised mid-sentence or an acronym: a name (Rust, GDPR, Lisbon).
    pub key: bool,
}

pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut first = true;
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.is_empty() {
            continue;
        }
        let lower = crate::text::fold(raw);
        let lower: String = lower
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        if lower.is_empty() {
            continue;
        }
        let caps = raw.chars().filter(|c| c.is_uppercase()).count();
        let key = (caps >= 2 && raw.chars().count() >= 2)
            || (!first && caps >= 1 && raw.chars().next().is_some_and(char::is_uppercase));
        first = false;
        let stop = stop_set().contains(lower.as_str())
            || lower.chars().all(|c| c.is_ascii_digit())
            || lower.len() < 2;
        let stem = stem_of(&lower);
        out.push(Token {
            stem,
            word: raw.to_string(),
            stop,
            key: key && !stop,
        });
    }
    out
}

/// The stem of a folded word, remembered per thread: a vault says the same
/// few thousand words over and over, and stemming each again was a tenth of
/// building the matcher.
fn stem_of(lower: &str) -> String {
    use std::cell::RefCell;
    thread_local! {
        static STEMS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::default());
    }
    /// Past this many words the memo starts again (bounded memory).
    const MAX_STEMS: usize = 100_000;
    STEMS.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(s) = m.get(lower) {
            return s.clone();
        }
        let s = stemmer().stem(lower).into_owned();
        if m.len() >= MAX_STEMS {
            m.clear();
        }
        m.insert(lower.to_string(), s.clone());
        s
    })
}

/// The stems of a phrase, stop words included (phrases match word for word).
pub fn stem_words(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.stem).collect()
}

/// Where a person's matching text comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum FieldKind {
    Offer,
    Role,
    Org,
    Tag,
    Interest,
    Prose,
}

impl FieldKind {
    pub fn weight(self) -> f64 {
        match self {
            FieldKind::Offer | FieldKind::Role => 1.0,
            FieldKind::Org => 0.8,
            FieldKind::Tag | FieldKind::Interest | FieldKind::Prose => 0.7,
        }
    }
}

/// One piece of a person's text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    pub kind: FieldKind,
    pub text: String,
}

/// Best field holding a stem or concept: (weight, field index).
type Hit = (f64, usize);

fn better(map: &mut HashMap<String, Hit>, k: &str, hit: Hit) {
    // Looked up by reference first: most words and prefixes of a profile
    // are seen again, and a key is allocated only when new.
    match map.get_mut(k) {
        Some(e) if hit.0 > e.0 => *e = hit,
        Some(_) => {}
        None => {
            map.insert(k.to_string(), hit);
        }
    }
}

/// Adds profile `i` to the postings of `k`, allocating the key only once.
fn push_posting(map: &mut HashMap<String, Vec<usize>>, k: &str, i: usize) {
    match map.get_mut(k) {
        Some(v) => v.push(i),
        None => {
            map.insert(k.to_string(), vec![i]);
        }
    }
}

/// What one person offers and is, ready to match.
#[derive(Debug, Default)]
pub struct Profile {
    pub fields: Vec<Field>,
    /// Each stem with its best field, sorted by stem: a word's proper
    /// prefixes are found as a range, not kept as keys of their own (they
    /// were most of the matcher's memory at 100k people).
    words: Vec<(String, Hit)>,
    /// Offer-side concepts: concept → (weight, field, phrase text).
    concepts: HashMap<usize, (f64, usize, String)>,
}

impl Profile {
    pub fn new(fields: Vec<Field>, lex: &Lexicon, firsts: &PhraseStarts) -> Profile {
        let mut p = Profile {
            fields,
            ..Default::default()
        };
        let mut words: HashMap<String, Hit> = HashMap::default();
        for (fi, f) in p.fields.iter().enumerate() {
            let w = f.kind.weight();
            let toks = tokens(&f.text);
            for t in toks.iter().filter(|t| !t.stop) {
                better(&mut words, &t.stem, (w, fi));
            }
            for (c, _, text) in firsts.find(&toks, lex, Side::Offer) {
                let e = p.concepts.entry(c).or_insert((w, fi, text.clone()));
                if w > e.0 {
                    *e = (w, fi, text);
                }
            }
        }
        p.words = words.into_iter().collect();
        p.words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        p
    }

    /// The best field holding this exact stem.
    fn word(&self, stem: &str) -> Option<Hit> {
        self.words
            .binary_search_by(|(w, _)| w.as_str().cmp(stem))
            .ok()
            .map(|k| self.words[k].1)
    }

    /// The best field holding a longer word that starts with `stem`: the
    /// heaviest, and of those the first field (the order fields were
    /// scanned in, as when each prefix was a key of its own).
    fn longer(&self, stem: &str) -> Option<Hit> {
        let from = self.words.partition_point(|(w, _)| w.as_str() < stem);
        let mut best: Option<Hit> = None;
        for (w, hit) in self.words[from..]
            .iter()
            .take_while(|(w, _)| w.starts_with(stem))
        {
            if w.len() > stem.len()
                && best.is_none_or(|b| hit.0 > b.0 || (hit.0 == b.0 && hit.1 < b.1))
            {
                best = Some(*hit);
            }
        }
        best
    }

    fn cover(&self, stem: &str) -> Option<(f64, usize)> {
        if let Some((w, f)) = self.word(stem) {
            return Some((w, f));
        }
        // Stems are ASCII (folded), so byte prefixes are char prefixes.
        let mut best: Option<(f64, usize)> = None;
        if stem.len() >= MIN_PREFIX && stem.is_ascii() {
            if let Some((w, f)) = self.longer(stem) {
                best = Some((w * PREFIX_FACTOR, f));
            }
            for n in MIN_PREFIX..stem.len() {
                if let Some((w, f)) = self.word(&stem[..n])
                    && best.is_none_or(|b| w * PREFIX_FACTOR > b.0)
                {
                    best = Some((w * PREFIX_FACTOR, f));
                }
            }
        }
        best
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Need,
    Offer,
}

/// Lexicon phrases by first stem, per side, for one scan of a text.
#[derive(Debug, Clone, Default)]
pub struct PhraseStarts {
    need: HashMap<String, Vec<(usize, usize)>>,
    offer: HashMap<String, Vec<(usize, usize)>>,
}

impl PhraseStarts {
    pub fn new(lex: &Lexicon) -> PhraseStarts {
        let mut s = PhraseStarts::default();
        for (c, con) in lex.concepts.iter().enumerate() {
            for (i, p) in con.need.iter().enumerate() {
                s.need.entry(p.stems[0].clone()).or_default().push((c, i));
            }
            for (i, p) in con.offer.iter().enumerate() {
                s.offer.entry(p.stems[0].clone()).or_default().push((c, i));
            }
        }
        s
    }

    /// Concepts whose phrases of one side occur in the tokens: (concept,
    /// token positions covered, phrase as written in the lexicon).
    pub fn find(
        &self,
        toks: &[Token],
        lex: &Lexicon,
        side: Side,
    ) -> Vec<(usize, Vec<usize>, String)> {
        let map = match side {
            Side::Need => &self.need,
            Side::Offer => &self.offer,
        };
        let mut out: Vec<(usize, Vec<usize>, String)> = Vec::new();
        for (at, t) in toks.iter().enumerate() {
            let Some(list) = map.get(&t.stem) else {
                continue;
            };
            for &(c, i) in list {
                let con = &lex.concepts[c];
                let p = match side {
                    Side::Need => &con.need[i],
                    Side::Offer => &con.offer[i],
                };
                let n = p.stems.len();
                if at + n <= toks.len()
                    && toks[at..at + n]
                        .iter()
                        .zip(&p.stems)
                        .all(|(t, s)| &t.stem == s)
                {
                    let pos: Vec<usize> = (at..at + n).collect();
                    match out.iter_mut().find(|o| o.0 == c) {
                        Some(o) => o.1.extend(pos),
                        None => out.push((c, pos, p.text.clone())),
                    }
                }
            }
        }
        out
    }
}

/// Keeps the best `limit` matches (coverage, then profile), best first, and
/// returns the coverage a newcomer must reach to stay in.
fn top(out: &mut Vec<NeedMatch>, limit: usize) -> f64 {
    out.sort_by(rank);
    out.truncate(limit);
    if out.len() == limit {
        out.last().map_or(0.0, |m| m.coverage)
    } else {
        0.0
    }
}

/// The lexicon ready to scan texts: what a profile is made of, and a
/// need's words and concepts, with no other profile in sight.
#[derive(Debug, Clone)]
pub struct Lexed {
    pub lexicon: Lexicon,
    starts: PhraseStarts,
}

/// How rare each word and concept is among the profiles: all a need's
/// weights depend on besides its own text (see [`Lexed::prepare`]).
pub trait Rarity {
    /// How many profiles there are.
    fn profiles(&self) -> usize;
    /// How many profiles hold this stem (exactly); `None` when not known.
    fn df(&self, stem: &str) -> Option<usize>;
    /// How many profiles offer this concept; `None` when not known.
    fn offered(&self, concept: usize) -> Option<usize>;
}

/// A need's rarity asked of a [`Rarity`] that does not know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unknown;

impl Lexed {
    pub fn new(lexicon: Lexicon) -> Lexed {
        Lexed {
            starts: PhraseStarts::new(&lexicon),
            lexicon,
        }
    }

    /// A profile of these fields: it depends on nothing else.
    pub fn profile(&self, fields: Vec<Field>) -> Profile {
        Profile::new(fields, &self.lexicon, &self.starts)
    }

    /// A need's words, weights and concepts, ready to score profiles, at
    /// the rarity `r` gives; `Ok(None)` for a need without content words.
    ///
    /// Everything a need's answers depend on besides the profiles scored is
    /// asked here: the profile count, and the count of each content stem
    /// and of each need-side concept the need holds (the scoring itself
    /// reads them from the [`Prepared`]). Which counts are asked depends on
    /// the need's text and the lexicon alone, so a table of the counts a
    /// set of needs asked answers exactly those needs again.
    pub fn prepare(&self, r: &dyn Rarity, need: &str) -> Result<Option<Prepared>, Unknown> {
        let toks = tokens(need);
        let concepts = self.starts.find(&toks, &self.lexicon, Side::Need);
        let offered = concepts
            .iter()
            .map(|c| r.offered(c.0))
            .collect::<Option<Vec<usize>>>()
            .ok_or(Unknown)?;
        let n = r.profiles();
        let mut context = false;
        // (token position, weight, key)
        let mut words: Vec<(usize, f64, bool)> = Vec::new();
        let mut dfs: Vec<usize> = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            let lower = t.word.to_ascii_lowercase();
            // "for our wedding" says what it is for; "for German documents"
            // still says what is needed.
            let marker = if lower == "for" {
                toks.get(i + 1)
                    .is_some_and(|n| POSSESSIVE.contains(&n.word.to_ascii_lowercase().as_str()))
            } else {
                CONTEXT_MARKERS.contains(&lower.as_str())
            };
            if marker && !words.is_empty() {
                context = true;
            }
            if t.stop || words.iter().any(|&(j, _, _)| toks[j].stem == t.stem) {
                continue;
            }
            let df = r.df(&t.stem).ok_or(Unknown)?;
            let mut w = idf(n, df);
            if SERVICE.contains(&t.word.to_ascii_lowercase().as_str()) {
                w *= SERVICE_WEIGHT;
            }
            if context {
                w *= CONTEXT_WEIGHT;
            }
            // Nor can a concept nobody offers.
            let offered = concepts
                .iter()
                .zip(&offered)
                .any(|(c, &o)| c.1.contains(&i) && o > 0);
            if df == 0 && !offered {
                w *= UNSEEN_WEIGHT;
            }
            words.push((i, w, t.key && !context));
            dfs.push(df);
        }
        let total: f64 = words.iter().map(|w| w.1).sum();
        if words.is_empty() || total <= 0.0 {
            return Ok(None);
        }
        Ok(Some(Prepared {
            toks,
            words,
            dfs,
            total,
            concepts,
            offered,
            n,
        }))
    }
}

/// Rarity of a stem held by `df` of `n` profiles: rare words say more about
/// what is asked.
fn idf(n: usize, df: usize) -> f64 {
    let n = n as f64 + 1.0;
    let df = df as f64;
    ((n / (df + 1.0)).ln()).max(0.1) + 0.5
}

/// What a profile's holding a stem adds to its mark (see [`Profile::mark`]).
pub fn word_mark(stem: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    0u8.hash(&mut h);
    stem.hash(&mut h);
    h.finish()
}

/// What a profile's offering a concept adds to its mark.
pub fn concept_mark(concept: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    1u8.hash(&mut h);
    concept.hash(&mut h);
    h.finish()
}

impl Profile {
    /// Which of `words` (sorted stems) it holds and which of `concepts`
    /// (sorted) it offers, as one number: the sum of their marks, so that
    /// the index gets everyone's from its postings in one pass
    /// ([`Index::marks`]). Two profiles of one mark hold the same of them
    /// (up to a 64-bit collision, as for the fields hashes).
    pub fn mark(&self, words: &[String], concepts: &[usize]) -> u64 {
        let mut m = 0u64;
        for (w, _) in &self.words {
            if words.binary_search(w).is_ok() {
                m = m.wrapping_add(word_mark(w));
            }
        }
        for c in self.concepts.keys() {
            if concepts.binary_search(c).is_ok() {
                m = m.wrapping_add(concept_mark(*c));
            }
        }
        m
    }
}

/// Everyone's profiles with postings, and the vault's word rarity.
pub struct Index {
    pub lexed: Lexed,
    pub profiles: Vec<Profile>,
    /// Stem → profiles holding the word.
    postings: HashMap<String, Vec<usize>>,
    /// The stems of `postings`, sorted: the words a stem is a proper
    /// prefix of are a range of it.
    vocabulary: Vec<String>,
    /// Concept → profiles offering it.
    concept_postings: HashMap<usize, Vec<usize>>,
}

/// A need ready to score: tokens, (position, weight, key) per content word,
/// their total weight, and the need-side concepts found; with the rarity
/// the scoring reads (each word's df, each concept's offer count, the
/// profile count), so that a profile is scored without the index.
#[derive(Debug, Clone)]
pub struct Prepared {
    toks: Vec<Token>,
    words: Vec<(usize, f64, bool)>,
    /// Per word of `words`: how many profiles hold its stem.
    dfs: Vec<usize>,
    total: f64,
    concepts: Vec<(usize, Vec<usize>, String)>,
    /// Per concept of `concepts`: how many profiles offer it.
    offered: Vec<usize>,
    /// How many profiles there are.
    n: usize,
}

/// One content word of a need and how it was covered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Covered {
    pub word: String,
    /// The field that covered it.
    pub field: usize,
    /// The concept phrase pair, when covered through the lexicon.
    pub concept: Option<(String, String)>,
}

/// A person who can meet a need, with the evidence.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NeedMatch {
    pub profile: usize,
    /// Share of the need's weighted content words covered (0–1).
    pub coverage: f64,
    pub covered: Vec<Covered>,
}

/// The order of a need's answer: coverage, then profile.
pub fn rank(a: &NeedMatch, b: &NeedMatch) -> std::cmp::Ordering {
    b.coverage
        .total_cmp(&a.coverage)
        .then(a.profile.cmp(&b.profile))
}

impl Rarity for Index {
    fn profiles(&self) -> usize {
        self.profiles.len()
    }
    fn df(&self, stem: &str) -> Option<usize> {
        Some(Index::df(self, stem))
    }
    fn offered(&self, concept: usize) -> Option<usize> {
        Some(self.concept_postings.get(&concept).map_or(0, Vec::len))
    }
}

impl Index {
    pub fn new(lexicon: Lexicon, profiles: Vec<Vec<Field>>) -> Index {
        let lexed = Lexed::new(lexicon);
        use rayon::prelude::*;
        let profiles: Vec<Profile> = profiles.into_par_iter().map(|f| lexed.profile(f)).collect();
        let mut postings: HashMap<String, Vec<usize>> = HashMap::default();
        let mut concept_postings: HashMap<usize, Vec<usize>> = HashMap::default();
        for (i, p) in profiles.iter().enumerate() {
            for (k, _) in &p.words {
                push_posting(&mut postings, k, i);
            }
            for &c in p.concepts.keys() {
                concept_postings.entry(c).or_default().push(i);
            }
        }
        Index {
            lexed,
            profiles,
            vocabulary: {
                let mut v: Vec<String> = postings.keys().cloned().collect();
                v.sort_unstable();
                v
            },
            postings,
            concept_postings,
        }
    }

    /// How many profiles hold a stem (exact): each profile is in a word's
    /// postings once, so no separate count is kept.
    fn df(&self, stem: &str) -> usize {
        self.postings.get(stem).map_or(0, Vec::len)
    }

    /// Every profile's [`Profile::mark`] of these words and concepts, from
    /// their postings.
    pub fn marks(&self, words: &[String], concepts: &[usize]) -> Vec<u64> {
        let mut marks = vec![0u64; self.profiles.len()];
        for w in words {
            let m = word_mark(w);
            for &k in self.postings.get(w.as_str()).into_iter().flatten() {
                marks[k] = marks[k].wrapping_add(m);
            }
        }
        for &c in concepts {
            let m = concept_mark(c);
            for &k in self.concept_postings.get(&c).into_iter().flatten() {
                marks[k] = marks[k].wrapping_add(m);
            }
        }
        marks
    }

    /// The people whose profile meets a need, best first (at most `limit`).
    /// `skip` leaves out a profile (the one asking).
    ///
    /// Bounded like MaxScore: the need's words are taken heaviest (rarest)
    /// first and each word's postings are scored once; the best `limit`
    /// coverages so far raise the floor, and the scan stops as soon as the
    /// words not yet taken could not lift an unseen profile to that floor.
    /// A need with a rare word thus costs about the postings of its rare
    /// words, not of every common word or broad concept it also holds. The
    /// answer is exactly the top `limit` of scoring every profile.
    pub fn meet(&self, need: &str, skip: Option<usize>, limit: usize) -> Vec<NeedMatch> {
        let Some(q) = self.prepare(need) else {
            return Vec::new();
        };
        if limit == 0 {
            return Vec::new();
        }
        let Prepared {
            toks,
            words,
            total,
            concepts,
            ..
        } = &q;
        let (toks, words, total) = (toks.as_slice(), words.as_slice(), *total);
        // A word's best contribution: its weight, covered in a full-weight
        // field (concepts and prefixes only ever count less).
        let mut order: Vec<usize> = (0..words.len()).collect();
        order.sort_by(|&a, &b| words[b].1.total_cmp(&words[a].1).then(a.cmp(&b)));
        let mut left: f64 = total;
        let mut floor = MIN_COVERAGE;
        let mut seen: HashSet<usize> = HashSet::new();
        let mut out: Vec<NeedMatch> = Vec::new();
        // Slack for float sums in another order: never prune a tie.
        const EPS: f64 = 1e-9;
        for &wi in &order {
            // A profile none of the words taken so far covers holds at most
            // the weight still left.
            if left / total < floor - EPS {
                break;
            }
            let (pos, w, _) = words[wi];
            left -= w;
            let stem = toks[pos].stem.as_str();
            let mut lists: Vec<&Vec<usize>> = Vec::new();
            lists.extend(self.postings.get(stem));
            if stem.is_ascii() && stem.len() >= MIN_PREFIX {
                let from = self.vocabulary.partition_point(|w| w.as_str() < stem);
                for w in self.vocabulary[from..]
                    .iter()
                    .take_while(|w| w.starts_with(stem))
                    .filter(|w| w.len() > stem.len())
                {
                    lists.extend(self.postings.get(w.as_str()));
                }
                for n in MIN_PREFIX..stem.len() {
                    lists.extend(self.postings.get(&stem[..n]));
                }
            }
            for (c, ps, _) in concepts {
                if ps.contains(&pos) {
                    lists.extend(self.concept_postings.get(c));
                }
            }
            for list in lists {
                for &c in list {
                    if Some(c) == skip || !seen.insert(c) {
                        continue;
                    }
                    if let Some(mut m) = q.score(&self.profiles[c], floor) {
                        m.profile = c;
                        out.push(m);
                        if out.len() >= 2 * limit {
                            floor = floor.max(top(&mut out, limit));
                        }
                    }
                }
            }
            if out.len() >= limit {
                floor = floor.max(top(&mut out, limit));
            }
        }
        top(&mut out, limit);
        out
    }

    /// A need's words, weights and concepts, ready to score profiles.
    pub fn prepare(&self, need: &str) -> Option<Prepared> {
        // The index knows every count: never `Unknown`.
        self.lexed.prepare(self, need).ok().flatten()
    }

    /// What a need is about, to tell when two people ask for the same thing:
    /// its need-side concepts and its heaviest content word.
    pub fn need_keys(&self, need: &str) -> Vec<String> {
        let Some(q) = self.prepare(need) else {
            return Vec::new();
        };
        let mut keys: Vec<String> = q
            .concepts
            .iter()
            .map(|(c, _, _)| format!("concept:{c}"))
            .collect();
        if let Some(&(pos, _, _)) = q.words.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
            keys.push(format!("word:{}", q.toks[pos].stem));
        }
        keys
    }

    /// A profile built outside the index (e.g. a resource), on this
    /// vault's rarity and lexicon.
    pub fn profile(&self, fields: Vec<Field>) -> Profile {
        self.lexed.profile(fields)
    }

    /// Whether a profile meets a prepared need; `profile` in the answer is 0.
    pub fn score(&self, p: &Profile, q: &Prepared) -> Option<NeedMatch> {
        q.score(p, MIN_COVERAGE)
    }

    /// Like [`score`](Self::score) with another coverage floor.
    pub fn score_at(&self, p: &Profile, q: &Prepared, min: f64) -> Option<NeedMatch> {
        q.score(p, min)
    }
}

impl Prepared {
    /// Whether a profile meets this need at coverage floor `min` (see
    /// [`Index::score`]); `profile` in the answer is 0. Reads nothing but
    /// the profile and the rarity the need was prepared at.
    pub fn score(&self, p: &Profile, min: f64) -> Option<NeedMatch> {
        let Prepared {
            toks,
            words,
            dfs,
            total,
            concepts,
            offered,
            n,
        } = self;
        // First without allocating: most candidates fall short.
        // Per word: (factor, field, concept index into `concepts`).
        let mut best_of: Vec<Option<(f64, usize, Option<usize>)>> = Vec::with_capacity(words.len());
        let mut got = 0.0;
        let mut gate = 0.0;
        let mut any_key = false;
        let mut key_covered = false;
        let mut specific = false;
        for (wi, &(pos, w, key)) in words.iter().enumerate() {
            any_key |= key;
            let t = &toks[pos];
            let mut best = p.cover(&t.stem).map(|(f, fi)| (f, fi, None));
            for (k, (ci, ps, need_text)) in concepts.iter().enumerate() {
                if !ps.contains(&pos) {
                    continue;
                }
                if let Some((fw, fi, _)) = p.concepts.get(ci) {
                    // "employment contract" is asked of an employment lawyer
                    // more than of any lawyer: through a broader concept (more
                    // people offer it) than another that holds the same word,
                    // the word counts less.
                    let narrower = concepts.iter().zip(offered).any(|((c2, ps2, _), &o2)| {
                        c2 != ci && ps2.contains(&pos) && o2 < offered[k]
                    });
                    let f = fw * CONCEPT_FACTOR * if narrower { BROAD_FACTOR } else { 1.0 };
                    // On a tie the narrower (longer) phrase is the better evidence.
                    let longer = |b: &(f64, usize, Option<usize>)| {
                        b.2.is_some_and(|o: usize| need_text.len() > concepts[o].2.len())
                    };
                    if best
                        .as_ref()
                        .is_none_or(|b| f > b.0 || (f == b.0 && longer(b)))
                    {
                        best = Some((f, *fi, Some(k)));
                    }
                }
            }
            if let Some((f, _, concept)) = best {
                got += w * f;
                // A concept says the two words mean the same thing: whether
                // the need is met does not hold that against it; only the
                // ranking prefers the same word.
                gate += w * if concept.is_some() {
                    f / CONCEPT_FACTOR
                } else {
                    f
                };
                key_covered |= key;
                // A word most people have is no evidence on its own.
                let df = dfs[wi];
                // Nor is a concept most people offer ("developer", "design").
                let broad = |k: usize| offered[k] * 5 > (*n).max(10);
                specific |= concept.is_some_and(|k| !broad(k)) || df * 5 <= (*n).max(10);
            }
            best_of.push(best);
        }
        let coverage = got / *total;
        // Met: enough of the need covered (`min`, up to MIN_COVERAGE); a
        // higher `min` is the floor of the best matches so far, on coverage.
        let met = if min > MIN_COVERAGE {
            coverage >= min && gate / *total >= MIN_COVERAGE
        } else {
            gate / *total >= min
        };
        if !(met && specific && (key_covered || !any_key)) {
            return None;
        }
        let covered = words
            .iter()
            .zip(best_of)
            .filter_map(|(&(pos, _, _), best)| {
                let (_, fi, k) = best?;
                let concept = k.and_then(|k| {
                    let (ci, _, need_text) = &concepts[k];
                    let offer = &p.concepts.get(ci)?.2;
                    Some((need_text.clone(), offer.clone()))
                });
                Some(Covered {
                    word: toks[pos].word.to_lowercase(),
                    field: fi,
                    concept,
                })
            })
            .collect();
        Some(NeedMatch {
            profile: 0,
            coverage,
            covered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn index(people: &[&[(FieldKind, &str)]]) -> Index {
        let profiles = people
            .iter()
            .map(|p| {
                p.iter()
                    .map(|(k, t)| Field {
                        kind: *k,
                        text: t.to_string(),
                    })
                    .collect()
            })
            .collect();
        Index::new(Lexicon::load(&Config::default()), profiles)
    }

    #[test]
    fn filler_words_never_match() {
        let ix = index(&[
            &[(FieldKind::Offer, "our first time at a desk, two of us")],
            &[(FieldKind::Offer, "Rust backend work")],
        ]);
        let m = ix.meet("our first two desk ideas for a Rust team", None, 5);
        assert!(m.iter().all(|m| m.profile != 0), "{m:?}");
    }

    #[test]
    fn a_named_word_must_be_met() {
        let ix = index(&[
            &[(
                FieldKind::Offer,
                "senior Python backend engineer, open to offers",
            )],
            &[(FieldKind::Offer, "Rust backend engineer, open to new roles")],
        ]);
        let m = ix.meet("hiring a senior Rust backend engineer", None, 5);
        assert_eq!(m.iter().map(|m| m.profile).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn concepts_bridge_words_that_share_no_stem() {
        let ix = index(&[
            &[(
                FieldKind::Offer,
                "freelance accountant taking small clients",
            )],
            &[(FieldKind::Offer, "book cover design")],
        ]);
        let m = ix.meet("looking for a bookkeeper", None, 5);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].profile, 0);
        assert!(m[0].covered[0].concept.is_some());
    }

    #[test]
    fn a_qualifier_does_not_unmeet_a_need_met_through_a_concept() {
        // The head of each need is met only through a concept; the rest says
        // where, when or what for, and is a word someone else in the vault
        // has. Counted at 0.8, the concept fell short of half the need.
        let ix = index(&[
            &[(FieldKind::Offer, "subletting my apartment over the winter")],
            &[(FieldKind::Offer, "a spare desk in our office")],
            &[(FieldKind::Role, "immigration attorney")],
            &[(FieldKind::Offer, "portrait photography")],
            &[(FieldKind::Offer, "help moving house")],
            &[(FieldKind::Offer, "team lunches, a page of recipes")],
            &[(FieldKind::Interest, "running")],
            &[(FieldKind::Interest, "cooking")],
        ]);
        for (need, who) in [
            ("a flat to rent near the office", 0),
            ("a work permit sorted for my move to Canada", 2),
            ("someone to shoot headshots for our team page", 3),
        ] {
            let m = ix.meet(need, None, 5);
            assert!(m.iter().any(|m| m.profile == who), "{need}: {m:?}");
            // Still weaker than the same words: ranked by coverage at 0.8.
            assert!(m.iter().all(|m| m.coverage < 0.8), "{need}: {m:?}");
        }
    }

    #[test]
    fn role_and_prose_count_too() {
        let ix = index(&[
            &[(FieldKind::Role, "Privacy lawyer")],
            &[(FieldKind::Prose, "Likes to set up home networks.")],
        ]);
        let m = ix.meet("someone to review our GDPR setup", None, 5);
        assert_eq!(m.iter().map(|m| m.profile).collect::<Vec<_>>(), vec![0]);
    }

    /// The bounded scan answers exactly what scoring everyone would.
    #[test]
    fn bounded_meet_equals_scoring_everyone() {
        let words = [
            "rust",
            "engineer",
            "engineering",
            "lawyer",
            "privacy",
            "design",
            "designer",
            "mobile",
            "investor",
            "angel",
            "climate",
            "photography",
            "berlin",
            "flat",
            "freelance",
            "accountant",
            "tax",
            "coaching",
            "managers",
            "sales",
        ];
        let mut people: Vec<Vec<(FieldKind, String)>> = Vec::new();
        let mut x: u64 = 7;
        for _ in 0..400 {
            let mut f = Vec::new();
            for kind in [FieldKind::Offer, FieldKind::Role, FieldKind::Prose] {
                let mut t = Vec::new();
                for _ in 0..3 {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    t.push(words[(x >> 33) as usize % words.len()]);
                }
                f.push((kind, t.join(" ")));
            }
            people.push(f);
        }
        let refs: Vec<Vec<(FieldKind, &str)>> = people
            .iter()
            .map(|p| p.iter().map(|(k, t)| (*k, t.as_str())).collect())
            .collect();
        let slices: Vec<&[(FieldKind, &str)]> = refs.iter().map(|p| p.as_slice()).collect();
        let ix = index(&slices);
        for need in [
            "hiring a Rust engineer",
            "a privacy lawyer",
            "angel investor for a climate startup",
            "a bookkeeper for tax",
            "designer for a mobile app",
            "coaching for new engineering managers in Berlin",
            "a flat",
        ] {
            let q = ix.prepare(need).expect("content words");
            let mut all: Vec<NeedMatch> = (0..ix.profiles.len())
                .filter_map(|c| {
                    let mut m = ix.score(&ix.profiles[c], &q)?;
                    m.profile = c;
                    Some(m)
                })
                .collect();
            top(&mut all, 7);
            let got = ix.meet(need, None, 7);
            let key = |v: &[NeedMatch]| -> Vec<(usize, String)> {
                v.iter()
                    .map(|m| (m.profile, format!("{:.9}", m.coverage)))
                    .collect()
            };
            assert_eq!(key(&got), key(&all), "{need}");
            // What the kept answers rely on (`answers::Memo::meet`): a
            // smaller limit is a prefix of a larger one's answer, and an
            // answer shorter than its limit is every match.
            let big = ix.meet(need, None, 40);
            for l in [1, 3, 7, 21] {
                assert_eq!(
                    ix.meet(need, None, l),
                    big[..big.len().min(l)],
                    "{need} {l}"
                );
            }
            if big.len() < 40 {
                assert_eq!(ix.meet(need, None, 400), big, "{need}");
            }
        }
    }

    #[test]
    fn a_narrower_concept_beats_a_broad_one() {
        let ix = index(&[
            &[(FieldKind::Role, "Real estate lawyer")],
            &[(FieldKind::Role, "Commercial lawyer")],
            &[
                (FieldKind::Role, "Attorney"),
                (FieldKind::Offer, "labour law advice"),
            ],
        ]);
        let m = ix.meet("a lawyer to check my employment contract", None, 5);
        assert_eq!(m.first().map(|m| m.profile), Some(2), "{m:?}");
    }
}
