//! `.kith/config.yaml`: optional settings with documented defaults.
//!
//! Every key is optional. Each module reads its own section from [`Config::raw`]
//! through the typed getters here, so a new feature adds a getter, not a parser.

use crate::date::Cadence;
use crate::diag::Diagnostic;
use crate::model::Circle;
use crate::yaml::{self, Yaml};
use std::path::Path;

/// The file written by `kith init`: every default, commented.
pub const DEFAULT_CONFIG: &str = "\
# kith settings. Every key is optional; the values shown are the defaults.
# See docs/format.md and docs/digest.md.

# Keep-in-touch cadence for each circle when a note has no `cadence:`
# (none = no check-in reminders for that circle).
# cadence:
#   close: 30d
#   active: 90d
#   acquaintance: none
#   dormant: none

# digest:
#   check_in_budget: 5     # check-ins shown before \"and N more\"
#   intros: 5              # introduction suggestions shown
#   follow_up_due_days: 2  # follow up within this many days of meeting
#   follow_up_expire_days: 14

# Words that mean the same thing when matching needs with offers.
# synonyms:
#   - [hiring, open to new roles, job search]
#   - [investor, raising, fundraising]

# Settings passed to plugins, by plugin name.
# plugins:
#   stale-needs:
#     days: 60
";

#[derive(Debug, Clone)]
pub struct Config {
    /// The whole file, for sections owned by other modules.
    pub raw: Yaml,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            raw: Yaml::Map(Vec::new()),
        }
    }
}

impl Config {
    /// Reads `.kith/config.yaml` under `root`. A missing file is the defaults; a
    /// broken one is the defaults plus a diagnostic.
    pub fn load(root: &Path) -> (Config, Option<Diagnostic>) {
        let rel = Path::new(".kith/config.yaml");
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
            return (Config::default(), None);
        };
        Config::parse(rel, &text)
    }

    pub fn parse(rel: &Path, text: &str) -> (Config, Option<Diagnostic>) {
        match yaml::parse(text) {
            Ok(Yaml::Null) => (Config::default(), None),
            Ok(raw @ Yaml::Map(_)) => (Config { raw }, None),
            Ok(_) => (
                Config::default(),
                Some(Diagnostic::error(
                    rel,
                    1,
                    1,
                    "config must be a map of settings; using defaults",
                )),
            ),
            Err(e) => (
                Config::default(),
                Some(
                    Diagnostic::error(
                        rel,
                        e.line,
                        e.column,
                        format!("config is not valid YAML: {}; using defaults", e.message),
                    )
                    .hint("compare with the commented defaults that `kith init` writes"),
                ),
            ),
        }
    }

    /// A value at a dotted path, e.g. `digest.intros`.
    pub fn get(&self, path: &str) -> Option<&Yaml> {
        path.split('.').try_fold(&self.raw, |v, k| v.get(k))
    }

    pub fn usize_or(&self, path: &str, default: usize) -> usize {
        self.get(path)
            .and_then(Yaml::as_scalar)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    }

    /// Default cadence for a circle: close 30d, active 90d, others none.
    pub fn circle_cadence(&self, circle: Circle) -> Option<Cadence> {
        let key = format!("cadence.{}", circle.as_str());
        if let Some(v) = self.get(&key).and_then(Yaml::as_scalar) {
            if v.trim().eq_ignore_ascii_case("none") {
                return None;
            }
            if let Ok(c) = Cadence::parse(&v) {
                return Some(c);
            }
        }
        match circle {
            Circle::Close => Some(Cadence::Days(30)),
            Circle::Active => Some(Cadence::Days(90)),
            Circle::Acquaintance | Circle::Dormant => None,
        }
    }

    /// Synonym groups: each a list of phrases that mean the same thing.
    pub fn synonyms(&self) -> Vec<Vec<String>> {
        match self.get("synonyms") {
            Some(Yaml::List(groups)) => groups
                .iter()
                .filter_map(|g| match g {
                    Yaml::List(items) => Some(items.iter().filter_map(Yaml::as_scalar).collect()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A plugin's settings (`plugins.<name>`), as JSON.
    pub fn plugin_settings(&self, name: &str) -> serde_json::Value {
        self.get("plugins")
            .and_then(|p| p.get(name))
            .map_or(serde_json::Value::Null, Yaml::to_json)
    }
}
