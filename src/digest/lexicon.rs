//! The concept lexicon: need-side and offer-side phrases of what people ask
//! for and offer in a network (jobs, funding, housing, legal, …). The
//! built-in list is `lexicon.yaml` (compiled in); `.kith/config.yaml` can add
//! concepts under `intros.concepts` with the same shape.

use super::matcher::stem_words;
use crate::config::Config;
use crate::yaml::{self, Yaml};

const BUILTIN: &str = include_str!("lexicon.yaml");

/// One phrase: its stemmed words and how it reads.
#[derive(Debug, Clone)]
pub struct Phrase {
    pub stems: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Concept {
    pub name: String,
    pub need: Vec<Phrase>,
    pub offer: Vec<Phrase>,
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub concepts: Vec<Concept>,
}

fn phrases(v: Option<&Yaml>) -> Vec<Phrase> {
    match v {
        Some(Yaml::List(items)) => items
            .iter()
            .filter_map(Yaml::as_scalar)
            .filter_map(|t| {
                let stems = stem_words(&t);
                (!stems.is_empty()).then_some(Phrase { stems, text: t })
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Lexicon {
    /// The built-in lexicon plus the concepts in config.
    pub fn load(config: &Config) -> Lexicon {
        let mut lex = Lexicon::default();
        // The built-in file is part of the program; a parse failure is a
        // build-time mistake caught by the unit test below.
        if let Ok(y) = yaml::parse(BUILTIN) {
            lex.add(y.get("concepts"));
        }
        lex.add(config_concepts(config));
        // The older `synonyms:` groups: each is a concept on both sides.
        for group in config.synonyms() {
            let ps: Vec<Phrase> = group
                .iter()
                .filter_map(|t| {
                    let stems = stem_words(t);
                    (!stems.is_empty()).then(|| Phrase {
                        stems,
                        text: t.clone(),
                    })
                })
                .collect();
            if ps.len() >= 2 {
                lex.concepts.push(Concept {
                    name: ps[0].text.clone(),
                    need: ps.clone(),
                    offer: ps,
                });
            }
        }
        lex
    }

    /// Adds concepts from a YAML list of `{name, need, offer, both}` maps.
    pub fn add(&mut self, list: Option<&Yaml>) {
        let Some(Yaml::List(items)) = list else {
            return;
        };
        for it in items {
            let both = phrases(it.get("both"));
            let mut need = phrases(it.get("need"));
            let mut offer = phrases(it.get("offer"));
            need.extend(both.iter().cloned());
            offer.extend(both);
            if need.is_empty() || offer.is_empty() {
                continue;
            }
            let name = it
                .get("name")
                .and_then(Yaml::as_scalar)
                .unwrap_or_else(|| need[0].text.clone());
            self.concepts.push(Concept { name, need, offer });
        }
    }
}

/// The one place that reads the lexicon extension from config.
fn config_concepts(config: &Config) -> Option<&Yaml> {
    config.get("intros.concepts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_every_concept_has_both_sides() {
        let y = yaml::parse(BUILTIN).expect("lexicon.yaml parses");
        let Some(Yaml::List(items)) = y.get("concepts") else {
            panic!("no concepts")
        };
        let lex = Lexicon::load(&Config::default());
        assert_eq!(lex.concepts.len(), items.len());
        assert!(lex.concepts.len() >= 25);
    }

    #[test]
    fn config_extends_the_lexicon() {
        let (cfg, _) = Config::parse(
            std::path::Path::new("config.yaml"),
            "intros:\n  concepts:\n    - name: beekeeping\n      need: [bees, hive]\n      offer: [beekeeper]\n",
        );
        let lex = Lexicon::load(&cfg);
        assert!(lex.concepts.iter().any(|c| c.name == "beekeeping"));
    }
}
