//! `.kith/config.yaml`: optional settings with documented defaults.
//!
//! Every key is optional. Each module reads its own section from [`Config::raw`]
//! through the typed getters here, so a new feature adds a getter, not a parser.

use crate::date::Cadence;
use crate::diag::Diagnostic;
use crate::model::Circle;
use crate::yaml::{self, Yaml};
use std::collections::HashMap;
use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;

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

/// The settings kith knows, by section, with the largest value each accepts.
/// A count is how many items a list shows; days are a span of days.
const DIGEST_KEYS: &[(&str, Kind)] = &[
    ("check_in_budget", Kind::Count),
    ("intros", Kind::Count),
    ("shares", Kind::Count),
    ("follow_up_due_days", Kind::Days),
    ("follow_up_expire_days", Kind::Days),
    ("promise_ahead_days", Kind::Days),
    ("undated_promise_days", Kind::Days),
    ("intro_opt_in_days", Kind::Days),
    ("intro_follow_up_days", Kind::Days),
];
const TOP_KEYS: &[&str] = &[
    "cadence", "digest", "synonyms", "plugins", "ignore", "intros",
];
const INTROS_KEYS: &[&str] = &["same_org_connected", "concepts"];
const CONCEPT_KEYS: &[&str] = &["name", "need", "offer", "both"];
const CIRCLES: &[&str] = &["close", "active", "acquaintance", "dormant"];

/// The most a count setting may be: far more than a digest can show.
pub const MAX_COUNT: usize = 100_000;
/// The most a days setting may be: a hundred years.
pub const MAX_DAYS: usize = 36_500;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Count,
    Days,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The whole file, for sections owned by other modules.
    pub raw: Yaml,
    /// Dotted paths whose value was rejected: their getters give the
    /// default, the rest of the file still counts.
    rejected: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            raw: Yaml::Map(Vec::new()),
            rejected: Vec::new(),
        }
    }
}

impl Config {
    /// The config file, relative to the vault root.
    pub fn rel_path() -> &'static Path {
        Path::new(".kith/config.yaml")
    }

    /// Reads `.kith/config.yaml` under `root`. A missing file is the defaults;
    /// a broken one is the defaults plus diagnostics; a bad value is the
    /// default for that value only, plus a diagnostic.
    pub fn load(root: &Path) -> (Config, Vec<Diagnostic>) {
        let rel = Config::rel_path();
        let path = root.join(rel);
        if std::fs::symlink_metadata(&path).is_err() {
            return (Config::default(), Vec::new());
        }
        let bytes = match crate::vault::read_note_bytes(&path) {
            Ok(b) => b,
            Err(e) => {
                let why = match e {
                    crate::vault::NoteReadError::NotRegular(kind) => format!("it is {kind}"),
                    crate::vault::NoteReadError::TooBig => "it is far too big".to_string(),
                    crate::vault::NoteReadError::Io(e) => e.to_string(),
                };
                return (
                    Config::default(),
                    vec![
                        Diagnostic::error(
                            rel,
                            1,
                            1,
                            format!("could not read the config ({why}); using defaults"),
                        )
                        .hint("make .kith/config.yaml a readable text file, or remove it"),
                    ],
                );
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return (
                    Config::default(),
                    vec![
                        Diagnostic::error(rel, 1, 1, "config is not UTF-8 text; using defaults")
                            .hint("save .kith/config.yaml as UTF-8"),
                    ],
                );
            }
        };
        Config::parse(rel, &text)
    }

    pub fn parse(rel: &Path, text: &str) -> (Config, Vec<Diagnostic>) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        match yaml::parse(text) {
            Ok(Yaml::Null) => (Config::default(), Vec::new()),
            Ok(raw @ Yaml::Map(_)) => {
                let mut c = Config {
                    raw,
                    rejected: Vec::new(),
                };
                let diags = c.validate(rel, text);
                (c, diags)
            }
            Ok(_) => (
                Config::default(),
                vec![
                    Diagnostic::error(
                        rel,
                        1,
                        1,
                        "config must be a map of settings; using defaults",
                    )
                    .hint("compare with the commented defaults that `kith init` writes"),
                ],
            ),
            Err(e) => (
                Config::default(),
                vec![
                    Diagnostic::error(
                        rel,
                        e.line,
                        e.column,
                        format!("config is not valid YAML: {}; using defaults", e.message),
                    )
                    .hint("compare with the commented defaults that `kith init` writes"),
                ],
            ),
        }
    }

    /// Checks every known key's type and range; unknown keys are warnings
    /// (a typo is the likely cause), bad values errors that reject that
    /// value only.
    fn validate(&mut self, rel: &Path, text: &str) -> Vec<Diagnostic> {
        let pos = Positions::new(text);
        let mut out = Vec::new();
        let reject = |path: String, out: &mut Vec<Diagnostic>, msg: String, hint: &str| {
            let (l, c) = pos.value(&path);
            out.push(
                Diagnostic::error(rel, l, c, format!("{msg}; using the default"))
                    .hint(hint.to_string()),
            );
            path
        };
        let mut rejected = Vec::new();
        let Yaml::Map(top) = &self.raw else {
            return out;
        };
        for (k, v) in top {
            match k.as_str() {
                "digest" => match v {
                    Yaml::Null => {}
                    Yaml::Map(m) => {
                        for (dk, dv) in m {
                            let path = format!("digest.{dk}");
                            let Some((_, kind)) = DIGEST_KEYS.iter().find(|(n, _)| n == dk) else {
                                out.push(unknown(
                                    rel,
                                    &pos,
                                    &path,
                                    dk,
                                    DIGEST_KEYS.iter().map(|(n, _)| *n),
                                ));
                                continue;
                            };
                            let (max, what) = match kind {
                                Kind::Count => (MAX_COUNT, "a count"),
                                Kind::Days => (MAX_DAYS, "a number of days"),
                            };
                            // As written: YAML spells `1e9` back as `1000000000.0`.
                            let shown = pos
                                .raw(&path)
                                .or_else(|| dv.as_scalar())
                                .unwrap_or_else(|| dv.type_name().to_string());
                            let n = match dv {
                                Yaml::Number(s) | Yaml::String(s) => s.trim().parse::<usize>().ok(),
                                _ => None,
                            };
                            match n {
                                Some(n) if n <= max => {}
                                Some(_) => rejected.push(reject(
                                    path.clone(),
                                    &mut out,
                                    format!("`{path}: {shown}` is too large: at most {max}"),
                                    &format!("{path} is {what}; write a whole number from 0 to {max}"),
                                )),
                                None => rejected.push(reject(
                                    path.clone(),
                                    &mut out,
                                    format!("`{path}` must be a whole number, not `{shown}`"),
                                    &format!("{path} is {what}; write a whole number from 0 to {max}, like `{path}: 5`"),
                                )),
                            }
                        }
                    }
                    other => rejected.push(reject(
                        "digest".into(),
                        &mut out,
                        format!(
                            "`digest` must be a map of settings, not {}",
                            other.type_name()
                        ),
                        "write `digest:` then indented lines like `  intros: 5`",
                    )),
                },
                "cadence" => match v {
                    Yaml::Null => {}
                    Yaml::Map(m) => {
                        for (ck, cv) in m {
                            let path = format!("cadence.{ck}");
                            if !CIRCLES.contains(&ck.as_str()) {
                                out.push(unknown(rel, &pos, &path, ck, CIRCLES.iter().copied()));
                                continue;
                            }
                            let ok = match cv {
                                Yaml::Null => true,
                                Yaml::String(s) if s.trim().eq_ignore_ascii_case("none") => true,
                                Yaml::String(s) => Cadence::parse(s).is_ok(),
                                _ => false,
                            };
                            if !ok {
                                let shown =
                                    cv.as_scalar().unwrap_or_else(|| cv.type_name().to_string());
                                rejected.push(reject(
                                    path.clone(),
                                    &mut out,
                                    format!("`{path}: {shown}` is not a cadence"),
                                    "write a whole number and a unit (14d, 2w, 3m, 1y), or `none`",
                                ));
                            }
                        }
                    }
                    other => rejected.push(reject(
                        "cadence".into(),
                        &mut out,
                        format!(
                            "`cadence` must be a map of circle to cadence, not {}",
                            other.type_name()
                        ),
                        "write `cadence:` then indented lines like `  close: 30d`",
                    )),
                },
                "synonyms" => {
                    let ok = match v {
                        Yaml::Null => true,
                        Yaml::List(groups) => groups.iter().all(|g| match g {
                            Yaml::List(items) => items.iter().all(|i| i.as_scalar().is_some()),
                            _ => false,
                        }),
                        _ => false,
                    };
                    if !ok {
                        rejected.push(reject(
                            "synonyms".into(),
                            &mut out,
                            "`synonyms` must be a list of lists of words".into(),
                            "write lines like `  - [hiring, open to new roles]`",
                        ));
                    }
                }
                "intros" => match v {
                    Yaml::Null => {}
                    Yaml::Map(m) => {
                        for (ik, iv) in m {
                            let path = format!("intros.{ik}");
                            match ik.as_str() {
                                "same_org_connected" => {
                                    if !matches!(iv.as_scalar().as_deref(), Some("true" | "false"))
                                    {
                                        rejected.push(reject(
                                            path.clone(),
                                            &mut out,
                                            format!("`{path}` must be true or false"),
                                            "write `same_org_connected: false` to stop counting colleagues as connected",
                                        ));
                                    }
                                }
                                "concepts" => check_concepts(rel, &pos, text, iv, &mut out),
                                _ => out.push(unknown(
                                    rel,
                                    &pos,
                                    &path,
                                    ik,
                                    INTROS_KEYS.iter().copied(),
                                )),
                            }
                        }
                    }
                    other => rejected.push(reject(
                        "intros".into(),
                        &mut out,
                        format!(
                            "`intros` must be a map of settings, not {}",
                            other.type_name()
                        ),
                        "write `intros:` then indented lines like `  same_org_connected: false`",
                    )),
                },
                "ignore" => {
                    let ok = match v {
                        Yaml::Null | Yaml::String(_) => true,
                        Yaml::List(items) => items.iter().all(|i| matches!(i, Yaml::String(_))),
                        _ => false,
                    };
                    if !ok {
                        rejected.push(reject(
                            "ignore".into(),
                            &mut out,
                            "`ignore` must be a list of file patterns".into(),
                            "write lines like `  - \"templates/\"` or `  - \"**/*.excalidraw.md\"`",
                        ));
                    }
                }
                "plugins" => {
                    if !matches!(v, Yaml::Null | Yaml::Map(_)) {
                        rejected.push(reject(
                            "plugins".into(),
                            &mut out,
                            format!(
                                "`plugins` must be a map of plugin name to settings, not {}",
                                v.type_name()
                            ),
                            "write `plugins:` then indented lines like `  stale-needs: {days: 60}`",
                        ));
                    }
                }
                _ => out.push(unknown(rel, &pos, k, k, TOP_KEYS.iter().copied())),
            }
        }
        self.rejected = rejected;
        out
    }

    fn is_rejected(&self, path: &str) -> bool {
        self.rejected.iter().any(|r| {
            r == path
                || path
                    .strip_prefix(r.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// A value at a dotted path, e.g. `digest.intros`.
    pub fn get(&self, path: &str) -> Option<&Yaml> {
        if self.is_rejected(path) {
            return None;
        }
        path.split('.').try_fold(&self.raw, |v, k| v.get(k))
    }

    /// A whole-number setting, or `default` when absent or rejected.
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

    /// `ignore:` patterns: files and folders the vault walk skips.
    pub fn ignore(&self) -> Vec<String> {
        match self.get("ignore") {
            Some(Yaml::String(s)) => vec![s.clone()],
            Some(Yaml::List(items)) => items.iter().filter_map(Yaml::as_scalar).collect(),
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

/// `intros.concepts`: a list of `{name, need, offer, both}` maps whose
/// phrases are lists of text. A bad concept is an error and is left out (the
/// others still count); a misspelt key is a warning.
fn check_concepts(rel: &Path, pos: &Positions, text: &str, v: &Yaml, out: &mut Vec<Diagnostic>) {
    const HINT: &str = "each concept is a map like `- name: beekeeping` with `need: [bees, hive]`, `offer: [beekeeper]` and/or `both: [beekeeping]` (see docs/digest.md)";
    let (l0, c0) = pos.value("intros.concepts");
    // Where each `- ` item of a block list starts, to point at the concept
    // itself; a flow list `[…]` points at `concepts:`.
    let mut starts: Vec<(usize, usize)> = Vec::new();
    let mut indent = None;
    for (k, line) in text.lines().enumerate().skip(l0) {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let ind = line.len() - body.len();
        if body.starts_with("- ") || body == "-" {
            if indent.is_none_or(|i| i == ind) {
                indent = Some(ind);
                starts.push((k + 1, ind + 1));
            }
        } else if indent.is_none_or(|i| ind <= i) {
            break;
        }
    }
    let at = |n: usize| starts.get(n).copied().unwrap_or((l0, c0));
    let err = |n: usize, msg: String| {
        let (l, c) = at(n);
        Diagnostic::error(rel, l, c, msg).hint(HINT)
    };
    let items = match v {
        Yaml::Null => return,
        Yaml::List(items) => items,
        other => {
            out.push(err(usize::MAX, format!(
                "`intros.concepts` must be a list of concepts, not {}; no concepts from config are used",
                other.type_name()
            )));
            return;
        }
    };
    for (k, it) in items.iter().enumerate() {
        let n = k + 1;
        let Yaml::Map(m) = it else {
            out.push(err(
                k,
                format!(
                    "concept {n} in `intros.concepts` must be a map, not {}; it is left out",
                    it.type_name()
                ),
            ));
            continue;
        };
        let name = it.get("name").and_then(Yaml::as_scalar).map_or_else(
            || format!("concept {n}"),
            |s| format!("concept {n} (`{s}`)"),
        );
        let mut sides = (false, false);
        for (key, val) in m {
            if !CONCEPT_KEYS.contains(&key.as_str()) {
                let near = CONCEPT_KEYS
                    .iter()
                    .filter(|x| !m.iter().any(|(have, _)| have == *x))
                    .filter_map(|x| {
                        crate::text::edit_distance(&key.to_ascii_lowercase(), x, 3).map(|d| (d, *x))
                    })
                    .min();
                let hint = match near {
                    Some((_, x)) => format!("did you mean `{x}`?"),
                    None => HINT.to_string(),
                };
                let (l, c) = at(k);
                out.push(
                    Diagnostic::warning(
                        rel,
                        l,
                        c,
                        format!(
                            "{name} in `intros.concepts` has an unknown key `{key}`; it is ignored"
                        ),
                    )
                    .hint(hint),
                );
                continue;
            }
            if key == "name" {
                if val.as_scalar().is_none() {
                    out.push(err(k, format!("{name}: `name` must be text")));
                }
                continue;
            }
            let ok = match val {
                Yaml::List(xs) => xs.iter().all(|x| x.as_scalar().is_some()),
                Yaml::Null => true,
                _ => false,
            };
            if !ok {
                out.push(err(k, format!(
                    "{name}: `{key}` must be a list of phrases, like `{key}: [a phrase, another]`"
                )));
                continue;
            }
            let has = matches!(val, Yaml::List(xs) if !xs.is_empty());
            match key.as_str() {
                "need" => sides.0 |= has,
                "offer" => sides.1 |= has,
                _ => {
                    sides.0 |= has;
                    sides.1 |= has;
                }
            }
        }
        if !(sides.0 && sides.1) {
            out.push(err(
                k,
                format!(
                    "{name} in `intros.concepts` has no {} phrases; it is left out",
                    if sides.0 {
                        "offer-side (`offer` or `both`)"
                    } else {
                        "need-side (`need` or `both`)"
                    }
                ),
            ));
        }
    }
}

/// An unknown key: a warning, with the nearest known key when there is one.
fn unknown<'a>(
    rel: &Path,
    pos: &Positions,
    path: &str,
    key: &str,
    known: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    let (l, c) = pos.key(path);
    let near = known
        .filter_map(|k| crate::text::edit_distance(&key.to_ascii_lowercase(), k, 3).map(|d| (d, k)))
        .min();
    let hint = match near {
        Some((_, k)) => format!("did you mean `{k}`? kith ignores keys it does not know"),
        None => "kith ignores keys it does not know; see docs/digest.md for the settings".into(),
    };
    Diagnostic::warning(rel, l, c, format!("unknown setting `{path}`")).hint(hint)
}

/// Where keys sit in the config text, for `section.key` paths written in
/// block style (a flow map `{…}` points at its section).
///
/// Every key's place is found in one pass when the config is read: a scan
/// per key is quadratic in the number of keys (100,000 unknown keys took
/// minutes).
struct Positions<'a> {
    lines: Vec<&'a str>,
    spans: Vec<yaml::KeySpan>,
    /// Each top-level key's first span.
    top: HashMap<String, usize>,
    /// (span, key written below it) → (0-based line, key column, value column),
    /// the first line in the section that writes that key.
    subs: HashMap<(usize, String), (usize, usize, usize)>,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let spans = yaml::key_spans(text);
        let mut top = HashMap::with_capacity(spans.len());
        for (i, s) in spans.iter().enumerate() {
            top.entry(s.key.clone()).or_insert(i);
        }
        let mut subs = HashMap::new();
        for (i, span) in spans.iter().enumerate() {
            let end = spans.get(i + 1).map_or(lines.len(), |s| s.line);
            for (n, line) in lines.iter().enumerate().take(end).skip(span.line + 1) {
                let t = line.trim_start();
                let indent = line.len() - t.len();
                let t = t.trim_start_matches(['"', '\'']);
                // The key ends at the first colon followed by a blank or the
                // line's end, as YAML reads it. One key per line: every
                // colon of a long line as a key would be quadratic again.
                let colon = t
                    .match_indices(':')
                    .map(|(c, _)| c)
                    .find(|c| t[c + 1..].is_empty() || t[c + 1..].starts_with([' ', '\t']));
                let Some(colon) = colon else { continue };
                let key = t[..colon].trim_end_matches(['"', '\'']);
                if key.is_empty() {
                    continue;
                }
                let after = &t[colon + 1..];
                let lead = after.len() - after.trim_start().len();
                let value_col = line.len() - after.len() + lead + 1;
                subs.entry((i, key.to_string()))
                    .or_insert((n, indent + 1, value_col));
            }
        }
        Positions {
            lines,
            spans,
            top,
            subs,
        }
    }

    /// (0-based line, 1-based key column, 1-based value column) of a path.
    fn find(&self, path: &str) -> (usize, usize, usize) {
        let mut parts = path.splitn(2, '.');
        let top = parts.next().unwrap_or("");
        let Some(&i) = self.top.get(top) else {
            return (0, 1, 1);
        };
        let span = &self.spans[i];
        let Some(sub) = parts.next() else {
            return (span.line, 1, span.value_column);
        };
        self.subs
            .get(&(i, sub.to_string()))
            .copied()
            .unwrap_or((span.line, 1, span.value_column))
    }

    /// The value text written on the path's own line, without a comment.
    fn raw(&self, path: &str) -> Option<String> {
        let (l, _, c) = self.find(path);
        let line = self.lines.get(l)?.get(c - 1..)?;
        let line = line.split(" #").next().unwrap_or(line).trim();
        (!line.is_empty() && !line.starts_with(['{', '[', '|', '>'])).then(|| line.to_string())
    }

    fn key(&self, path: &str) -> (usize, usize) {
        let (l, c, _) = self.find(path);
        (l + 1, c)
    }

    fn value(&self, path: &str) -> (usize, usize) {
        let (l, _, c) = self.find(path);
        (l + 1, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vault(config: Config) -> crate::vault::Vault {
        let note = crate::note::parse(
            Path::new("people/ann.md"),
            b"---\nname: Ann\ncircle: close\nmet: 2026-11-20\nbirthday: --02-29\n---\n### 2026-01-01 x\n- [ ] call [[Ann]] \xF0\x9F\x93\x85 2026-11-25\n- [ ] undated\n",
        );
        crate::vault::Vault::from_notes(PathBuf::from("/nonexistent"), config, vec![note], vec![])
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (0usize..=MAX_DAYS + 1).prop_map(|n| n.to_string()),
            Just("99999999999999999999999".to_string()),
            Just("five".to_string()),
            Just("1e9".to_string()),
            Just("[1, 2]".to_string()),
            Just("{a: 1}".to_string()),
            Just("~".to_string()),
            Just("\"7\"".to_string()),
            "[0-9]{1,6}[dwmy]",
            Just("none".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever the settings, loading them and computing every reminder
        /// (the date arithmetic they feed) never panics, and every bad value
        /// has a diagnostic on a real line.
        #[test]
        fn any_setting_values_never_panic(
            vals in proptest::collection::vec(value(), 11),
            as_of in (-300_000i64..300_000).prop_map(|n| crate::date::add_days(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(), n)),
        ) {
            let mut text = String::from("digest:\n");
            for ((k, _), v) in DIGEST_KEYS.iter().zip(&vals) {
                text.push_str(&format!("  {k}: {v}\n"));
            }
            text.push_str("cadence:\n");
            for (c, v) in CIRCLES.iter().zip(&vals[7..]) {
                text.push_str(&format!("  {c}: {v}\n"));
            }
            let lines = text.lines().count();
            let (config, diags) = Config::parse(Config::rel_path(), &text);
            for d in &diags {
                prop_assert!(d.line >= 1 && d.line <= lines && d.column >= 1, "{d:?}");
            }
            for (k, _) in DIGEST_KEYS {
                let n = config.usize_or(&format!("digest.{k}"), 1);
                prop_assert!(n <= MAX_COUNT, "{} = {}", k, n);
            }
            let v = vault(config);
            let _ = crate::digest::reminders(&v, as_of);
            let _ = crate::export::ics(&v, as_of, true, chrono::Utc::now());
        }

        #[test]
        fn any_config_text_never_panics(s in "(digest:\n|cadence:\n|  |intros: |close: |-|\\[|\\]|\\{|\\}|[a-z0-9]{0,6}|: |\n|#|'|\"){0,40}") {
            let _ = Config::parse(Config::rel_path(), &s);
        }
    }
}
