//! Finding the one person a few typed letters mean, as docs/cli.md promises:
//! `tomas m`, `lena f`, `len` and `Tomás` find the one person they fit.
//!
//! Pure rules over names; [`crate::vault::Vault::find_person`] turns the
//! answer into the error every command shows.

use crate::text::fold;

/// What a query matched, best tier first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    One(usize),
    /// Several people fit equally well: a real ambiguity.
    Many(Vec<usize>),
    None,
}

/// One person as the lookup sees them.
pub struct Candidate<'a> {
    pub id: usize,
    pub name: &'a str,
    pub aliases: &'a [String],
    pub emails: &'a [String],
    /// The note's file name without `.md`.
    pub stem: &'a str,
}

/// Words of a folded name: runs of letters and digits (`o'brien-smith` is
/// `o`, `brien`, `smith`).
fn words(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// How well the query words fit one name, in order: 0 when some query word
/// starts no word of it, else 1 + how many are whole words, so a whole word
/// beats a mere start word by word (`tom m` is Tom Mayer, not Tomás Müller).
fn fit(query: &[&str], name: &str) -> usize {
    let folded = fold(name);
    let name_words = words(&folded);
    // Greedy either way: taking the nearest start may miss a whole word
    // further on, and taking a whole word first may leave later query words
    // nothing to start; the better of the two.
    fit_greedy(query, &name_words, true).max(fit_greedy(query, &name_words, false))
}

fn fit_greedy(query: &[&str], name_words: &[&str], whole_first: bool) -> usize {
    let mut whole = 0;
    let mut at = 0;
    for q in query {
        let rest = &name_words[at..];
        let exact = if whole_first {
            rest.iter().position(|w| w == q)
        } else {
            None
        };
        let i = match exact.or_else(|| rest.iter().position(|w| w.starts_with(q))) {
            Some(i) => i,
            None => return 0,
        };
        if rest[i] == *q {
            whole += 1;
        }
        at += i + 1;
    }
    1 + whole
}

/// Finds the person a query means. Tiers, the first with any hit deciding:
/// exact name, alias, email, file name or note path (`people/lena.md`, as tab
/// completion writes it); then every query word the start of a word of the
/// name or an alias, in order, the most whole words winning. Case and accents
/// never matter. Cost: one pass over the people.
pub fn find<'a>(query: &str, people: impl IntoIterator<Item = Candidate<'a>>) -> Lookup {
    match Query::new(query) {
        Some(q) => Query::decide(q.scan(people)),
        None => Lookup::None,
    }
}

/// A query prepared once, so that [`find`]'s one pass can be split: each
/// part of the people scanned on its own (in parallel), the parts' [`Hits`]
/// merged in order, then [`Query::decide`] — the same answer as one pass.
pub struct Query {
    q: String,
    q_words: Vec<String>,
    raw: String,
    q_slug: String,
    q_stem: Option<String>,
}

/// What a scan of some people found, tier by tier.
#[derive(Debug, Default)]
pub struct Hits {
    exacts: Vec<usize>,
    /// The candidates with the best fit so far, and that fit.
    fits: Vec<usize>,
    best: usize,
}

impl Hits {
    /// The hits of two parts scanned one after the other.
    pub fn merge(mut self, mut later: Hits) -> Hits {
        self.exacts.append(&mut later.exacts);
        if later.best > self.best {
            self.fits = later.fits;
            self.best = later.best;
        } else if later.best == self.best {
            self.fits.append(&mut later.fits);
        }
        self
    }
}

impl Query {
    /// `None` when the query names nobody (no words, no email).
    pub fn new(query: &str) -> Option<Query> {
        let q = fold(query);
        let q_words: Vec<String> = words(&q).into_iter().map(str::to_string).collect();
        let raw = query.trim().to_lowercase();
        let q_slug = crate::text::slugify(query);
        // A path to the note (`people/lena-fischer.md`) means its file name.
        let q_stem = std::path::Path::new(query.trim())
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|_| query.trim().to_lowercase().ends_with(".md"))
            .map(str::to_lowercase);
        if q_words.is_empty() && !raw.contains('@') {
            return None;
        }
        Some(Query {
            q,
            q_words,
            raw,
            q_slug,
            q_stem,
        })
    }

    /// Could this person be a hit at all? A quick necessary condition, with
    /// no allocation, so a caller can skip building most candidates (the
    /// model's lookup over 100k people). Sound because a hit needs, for an
    /// ASCII name or alias, the first query word inside it (a fit: that word
    /// starts one of its words; an exact name: it is one of them), or an
    /// email or file name equal to the query; anything not ASCII is always
    /// let through, since folding may turn `ß` into `ss`.
    pub fn may_match<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
        emails: impl IntoIterator<Item = &'a str>,
        stem: &str,
    ) -> bool {
        let Some(first) = self.q_words.first() else {
            return true;
        };
        let has = |hay: &str| {
            !hay.is_ascii()
                || hay
                    .as_bytes()
                    .windows(first.len())
                    .any(|w| w.eq_ignore_ascii_case(first.as_bytes()))
        };
        let same = |s: &str, want: &str| !s.is_ascii() || s.eq_ignore_ascii_case(want);
        names.into_iter().any(has)
            || emails.into_iter().any(|e| same(e.trim(), &self.raw))
            || same(stem, &self.raw)
            || stem == self.q_slug
            || self.q_stem.as_deref().is_some_and(|q| same(stem, q))
    }

    /// [`Query::may_match`] on raw bytes holding every string of a person
    /// (names, aliases, emails, the note's path) in any framing: false only
    /// when they are ASCII and the first query word is nowhere in them,
    /// which rules out every tier for the same reasons (an email or file
    /// name equal to the query, or the query's slug, holds that word too).
    /// Not for a query naming a note file (`….md`), whose stem need not
    /// hold it.
    pub fn may_match_raw(&self, bytes: &[u8]) -> bool {
        let Some(first) = self.q_words.first() else {
            return true;
        };
        if self.q_stem.is_some() || !bytes.is_ascii() {
            return true;
        }
        let f = first.as_bytes();
        bytes
            .windows(f.len())
            .any(|w| w[0].eq_ignore_ascii_case(&f[0]) && w.eq_ignore_ascii_case(f))
    }

    /// One pass over some people.
    pub fn scan<'a>(&self, people: impl IntoIterator<Item = Candidate<'a>>) -> Hits {
        let (q, raw, q_slug, q_stem) = (&self.q, &self.raw, &self.q_slug, &self.q_stem);
        let q_words: Vec<&str> = self.q_words.iter().map(String::as_str).collect();
        let mut h = Hits::default();
        for c in people {
            let names = || std::iter::once(c.name).chain(c.aliases.iter().map(String::as_str));
            let exact = names().any(|n| fold(n) == *q)
                || c.emails.iter().any(|e| e.trim().to_lowercase() == *raw)
                || c.stem.to_lowercase() == *raw
                || c.stem == q_slug
                || q_stem.as_deref() == Some(c.stem.to_lowercase().as_str());
            if exact {
                h.exacts.push(c.id);
                continue;
            }
            let score = names().map(|n| fit(&q_words, n)).max().unwrap_or(0);
            if score > 0 && score >= h.best {
                if score > h.best {
                    h.best = score;
                    h.fits.clear();
                }
                h.fits.push(c.id);
            }
        }
        h
    }

    /// The answer: the first tier with any hit decides.
    pub fn decide(h: Hits) -> Lookup {
        for mut t in [h.exacts, h.fits] {
            t.dedup();
            match t.len() {
                0 => continue,
                1 => return Lookup::One(t[0]),
                _ => return Lookup::Many(t),
            }
        }
        Lookup::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<(&'static str, Vec<String>, &'static str)> {
        vec![
            ("Tomás Müller", vec![], "tomas-muller"),
            ("Tomás Moreno", vec![], "tomas-moreno"),
            ("Lena Fischer", vec!["Lenny".into()], "lena-fischer"),
            ("Lennart Berg", vec![], "lennart-berg"),
            ("Zoë O'Brien-Smith", vec![], "zoe-o-brien-smith"),
        ]
    }

    fn find_in(q: &str) -> Lookup {
        let p = people();
        let none: Vec<String> = vec!["lena@example.com".into()];
        find(
            q,
            p.iter().enumerate().map(|(i, (n, a, s))| Candidate {
                id: i,
                name: n,
                aliases: a,
                emails: if i == 2 { &none } else { &[] },
                stem: s,
            }),
        )
    }

    /// The people scanned in two parts, at every split, merged: the same
    /// answer as one pass (what the model's parallel lookup relies on).
    #[test]
    fn a_scan_in_parts_answers_as_one_pass() {
        let p = people();
        let none: Vec<String> = vec!["lena@example.com".into()];
        let cands = || {
            p.iter().enumerate().map(|(i, (n, a, s))| Candidate {
                id: i,
                name: n,
                aliases: a,
                emails: if i == 2 { &none } else { &[] },
                stem: s,
            })
        };
        for q in [
            "tomas",
            "tomas mu",
            "Tomás Müller",
            "lena",
            "len",
            "LENNY",
            "lena@example.com",
            "lena-fischer.md",
            "people/lena-fischer.md",
            "zoe-o-brien-smith",
            "zoe smith",
            "brien",
            "berg",
            "x",
            "t",
        ] {
            let query = Query::new(q).expect("words");
            // The quick check lets every hit through.
            let kept: Vec<usize> = cands()
                .filter(|c| {
                    query.may_match(
                        std::iter::once(c.name).chain(c.aliases.iter().map(String::as_str)),
                        c.emails.iter().map(String::as_str),
                        c.stem,
                    )
                })
                .map(|c| c.id)
                .collect();
            let raw_kept: Vec<usize> = cands()
                .filter(|c| {
                    let mut all = format!("{}|{}", c.name, c.stem);
                    for s in c.aliases.iter().chain(c.emails) {
                        all.push_str(s);
                    }
                    query.may_match_raw(all.as_bytes())
                })
                .map(|c| c.id)
                .collect();
            let raw = Query::decide(query.scan(cands().filter(|c| raw_kept.contains(&c.id))));
            assert_eq!(raw, find_in(q), "{q} filtered raw to {raw_kept:?}");
            let filtered = Query::decide(query.scan(cands().filter(|c| kept.contains(&c.id))));
            assert_eq!(filtered, find_in(q), "{q} filtered to {kept:?}");
            for at in 0..=p.len() {
                let hits = query
                    .scan(cands().take(at))
                    .merge(query.scan(cands().skip(at)));
                assert_eq!(Query::decide(hits), find_in(q), "{q} split at {at}");
            }
        }
    }

    #[test]
    fn prefixes_of_name_parts_find_one_person() {
        assert_eq!(find_in("tomas mu"), Lookup::One(0));
        assert_eq!(find_in("Tomás Mo"), Lookup::One(1));
        assert_eq!(find_in("lena f"), Lookup::One(2));
        assert_eq!(
            find_in("lena"),
            Lookup::One(2),
            "a whole word beats a prefix"
        );
        assert_eq!(find_in("LENNY"), Lookup::One(2));
        assert_eq!(find_in("lena@example.com"), Lookup::One(2));
        assert_eq!(find_in("zoe-o-brien-smith"), Lookup::One(4));
        assert_eq!(find_in("zoe smith"), Lookup::One(4));
        assert_eq!(find_in("berg"), Lookup::One(3));
    }

    #[test]
    fn a_whole_word_beats_a_start_word_by_word() {
        let p = [("Tom Mayer", "tom-mayer"), ("Tomás Müller", "tomas-muller")];
        let f = |q: &str| {
            find(
                q,
                p.iter().enumerate().map(|(i, (n, s))| Candidate {
                    id: i,
                    name: n,
                    aliases: &[],
                    emails: &[],
                    stem: s,
                }),
            )
        };
        assert_eq!(f("tom"), Lookup::One(0));
        assert_eq!(
            f("tom m"),
            Lookup::One(0),
            "`tom` is whole in Tom Mayer only"
        );
        assert_eq!(f("tomas m"), Lookup::One(1));
        assert_eq!(f("people/tomas-muller.md"), Lookup::One(1));
        assert_eq!(f("t m"), Lookup::Many(vec![0, 1]));
    }

    #[test]
    fn only_a_real_ambiguity_is_many() {
        assert_eq!(find_in("tomas m"), Lookup::Many(vec![0, 1]));
        assert_eq!(find_in("Tomás"), Lookup::Many(vec![0, 1]));
        assert_eq!(find_in("len"), Lookup::Many(vec![2, 3]));
        assert_eq!(find_in("nobody"), Lookup::None);
        assert_eq!(find_in("  "), Lookup::None);
        assert_eq!(
            find_in("fischer lena"),
            Lookup::None,
            "words keep their order"
        );
    }
}
