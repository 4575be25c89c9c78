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

/// How well the query words fit one name: 2 when each is a whole word of it,
/// in order; 1 when each starts a word, in order; 0 otherwise.
fn fit(query: &[&str], name: &str) -> u8 {
    let folded = fold(name);
    let name_words = words(&folded);
    let mut whole = true;
    let mut at = 0;
    for q in query {
        match name_words[at..].iter().position(|w| w.starts_with(q)) {
            Some(i) => {
                whole &= name_words[at + i] == *q;
                at += i + 1;
            }
            None => return 0,
        }
    }
    if whole { 2 } else { 1 }
}

/// Finds the person a query means. Tiers, the first with any hit deciding:
/// exact name, alias, email or file name; every query word a whole word of
/// the name or an alias; every query word the start of one. Case and accents
/// never matter. Cost: one pass over the people.
pub fn find<'a>(query: &str, people: impl IntoIterator<Item = Candidate<'a>>) -> Lookup {
    let q = fold(query);
    let q_words = words(&q);
    let raw = query.trim().to_lowercase();
    let q_slug = crate::text::slugify(query);
    if q_words.is_empty() && !raw.contains('@') {
        return Lookup::None;
    }
    let mut tiers: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for c in people {
        let names = || std::iter::once(c.name).chain(c.aliases.iter().map(String::as_str));
        let exact = names().any(|n| fold(n) == q)
            || c.emails.iter().any(|e| e.trim().to_lowercase() == raw)
            || c.stem.to_lowercase() == raw
            || c.stem == q_slug;
        if exact {
            tiers[0].push(c.id);
            continue;
        }
        match names().map(|n| fit(&q_words, n)).max().unwrap_or(0) {
            2 => tiers[1].push(c.id),
            1 => tiers[2].push(c.id),
            _ => {}
        }
    }
    for mut t in tiers {
        t.dedup();
        match t.len() {
            0 => continue,
            1 => return Lookup::One(t[0]),
            _ => return Lookup::Many(t),
        }
    }
    Lookup::None
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
