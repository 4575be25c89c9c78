//! Identity keys: what makes two person notes the same person. Two person
//! notes must not share a name, an alias (compared folded: case, accents and
//! spacing do not count) or an email (compared case-insensitively).
//!
//! The one owner of that rule: `kith check` (vault), the pre-commit hook and
//! the search index's duplicate lookup all take their keys from here.

use crate::model::Person;
use crate::text::fold;

/// One identity key of a person, with the property it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityKey {
    /// `n:` and a folded name or alias, or `e:` and a lowercased email.
    pub key: String,
    /// The front-matter property holding it: `name`, `aliases` or `emails`.
    pub field: &'static str,
    /// The value as written, to quote back to the user.
    pub shown: String,
}

impl IdentityKey {
    /// What kind of value is duplicated, in words: `name` or `email`.
    pub fn what(&self) -> &'static str {
        if self.key.starts_with("e:") {
            "email"
        } else {
            "name"
        }
    }
}

/// Every identity key of a person, sorted by key, each once; a name and an
/// alias that fold alike count as the name.
pub fn keys(p: &Person) -> Vec<IdentityKey> {
    let key = |k: String, field, shown: &String| IdentityKey {
        key: k,
        field,
        shown: shown.clone(),
    };
    let mut v: Vec<IdentityKey> =
        std::iter::once(key(format!("n:{}", fold(&p.name)), "name", &p.name))
            .chain(
                p.aliases
                    .iter()
                    .map(|a| key(format!("n:{}", fold(a)), "aliases", a)),
            )
            .chain(
                p.emails
                    .iter()
                    .map(|e| key(format!("e:{}", e.to_lowercase()), "emails", e)),
            )
            .collect();
    // Stable: of equal keys the first written (the name) stays.
    v.sort_by(|a, b| a.key.cmp(&b.key));
    v.dedup_by(|a, b| a.key == b.key);
    v
}

/// The keys alone, as the search index stores them.
pub fn key_strings(p: &Person) -> Vec<String> {
    keys(p).into_iter().map(|k| k.key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_emails_lowercase_and_the_name_wins_a_tie() {
        let p = Person {
            name: "Léna Fischer".into(),
            aliases: vec!["lena  fischer".into(), "Lenchen".into()],
            emails: vec!["Lena@X.org".into()],
            ..Person::default()
        };
        let k = keys(&p);
        let got: Vec<(&str, &str, &str)> = k
            .iter()
            .map(|k| (k.key.as_str(), k.field, k.shown.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("e:lena@x.org", "emails", "Lena@X.org"),
                ("n:lena fischer", "name", "Léna Fischer"),
                ("n:lenchen", "aliases", "Lenchen"),
            ]
        );
        assert_eq!(k[0].what(), "email");
        assert_eq!(k[1].what(), "name");
    }
}
