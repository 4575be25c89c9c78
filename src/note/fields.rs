//! Typed fields of the front matter (person, event, resource), with a
//! diagnostic for each value of the wrong type and each misspelt key.

use super::*;

/// Front-matter keys of a person note (docs/format.md).
pub const PERSON_KEYS: &[&str] = &[
    "name",
    "aliases",
    "emails",
    "phones",
    "org",
    "role",
    "location",
    "tags",
    "interests",
    "values",
    "needs",
    "offers",
    "met",
    "introduced_by",
    "circle",
    "cadence",
    "birthday",
    "last_contact",
    "intro_ok",
    "snooze_until",
    "links",
    "type",
    "met_at",
];

/// Typed access to front-matter fields, reporting type errors as diagnostics.
pub(super) struct Fields<'a> {
    pub(super) rel: &'a Path,
    pub(super) front: Option<&'a FrontMatter>,
    pub(super) diags: &'a mut Vec<Diagnostic>,
}

impl Fields<'_> {
    pub(super) fn get(&self, key: &str) -> Option<&Yaml> {
        self.front?.get(key)
    }

    pub(super) fn err(&mut self, key: &str, message: String, hint: &str) {
        let (l, c) = self.front.map_or((1, 1), |f| f.pos(key));
        self.diags
            .push(Diagnostic::error(self.rel, l, c, message).hint(hint));
    }

    pub(super) fn text(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Yaml::Null => None,
            v @ (Yaml::String(_) | Yaml::Number(_) | Yaml::Bool(_)) => v
                .as_scalar()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            other => {
                let t = other.type_name();
                self.err(
                    key,
                    format!("`{key}` must be text, not {t}"),
                    &format!("write it on one line: `{key}: …`"),
                );
                None
            }
        }
    }

    pub(super) fn list(&mut self, key: &str) -> Vec<String> {
        match self.get(key) {
            None | Some(Yaml::Null) => Vec::new(),
            Some(Yaml::List(items)) => {
                let mut out = Vec::new();
                let mut bad = None;
                for it in items {
                    match it.as_scalar() {
                        Some(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                        Some(_) | None if matches!(it, Yaml::Null) => {}
                        Some(_) => {}
                        None => bad = Some(it.type_name()),
                    }
                }
                if let Some(t) = bad {
                    self.err(
                        key,
                        format!("`{key}` must be a list of text; one item is {t}"),
                        "write each item as `- text` on its own line",
                    );
                }
                out
            }
            Some(v @ (Yaml::String(_) | Yaml::Number(_) | Yaml::Bool(_))) => v
                .as_scalar()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .into_iter()
                .collect(),
            Some(Yaml::Map(_)) => {
                self.err(
                    key,
                    format!("`{key}` must be a list of text, not a map"),
                    "write each item as `- text` on its own line",
                );
                Vec::new()
            }
        }
    }

    pub(super) fn date(&mut self, key: &str) -> Option<Date> {
        let v = self.get(key)?.clone();
        match v {
            Yaml::Null => None,
            Yaml::String(s) | Yaml::Number(s) => match date::parse_date(&s) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.err(
                        key,
                        format!("`{key}`: {e}"),
                        "write dates as YYYY-MM-DD, e.g. 2026-11-21",
                    );
                    None
                }
            },
            other => {
                self.err(
                    key,
                    format!("`{key}` must be a date, not {}", other.type_name()),
                    "write dates as YYYY-MM-DD, e.g. 2026-11-21",
                );
                None
            }
        }
    }

    pub(super) fn link(&mut self, key: &str) -> Option<String> {
        let s = self.text(key)?;
        Some(first_link(&s).unwrap_or(s))
    }

    pub(super) fn links_list(&mut self, key: &str) -> Vec<String> {
        self.list(key)
            .into_iter()
            .map(|s| first_link(&s).unwrap_or(s))
            .collect()
    }

    pub(super) fn person(&mut self, stem: &str) -> Person {
        // A note made in Obsidian has no `name:` (often no front matter at
        // all): its name is its file name, as Obsidian shows it.
        let name = self.text("name").unwrap_or_else(|| stem.to_string());
        let met = self.met();
        let circle = self.text("circle").and_then(|c| {
            let parsed = Circle::parse(&c);
            if parsed.is_none() {
                self.err(
                    "circle",
                    format!("unknown circle `{c}`"),
                    &format!("use {}", Circle::NAMES),
                );
            }
            parsed
        });
        let cadence = match self.get("cadence").cloned() {
            None | Some(Yaml::Null) => None,
            Some(Yaml::Number(n)) => {
                self.err(
                    "cadence",
                    format!("`cadence: {n}` has no unit"),
                    &format!("add a unit: {n}d (days), {n}w, {n}m or {n}y"),
                );
                None
            }
            Some(v) => match v.as_scalar().map(|s| Cadence::parse(&s)) {
                Some(Ok(c)) => Some(c),
                Some(Err(e)) => {
                    self.err("cadence", e.0, "for example 14d, 2w, 3m or 1y");
                    None
                }
                None => {
                    self.err(
                        "cadence",
                        format!("`cadence` must be text like 3m, not {}", v.type_name()),
                        "for example 14d, 2w, 3m or 1y",
                    );
                    None
                }
            },
        };
        let birthday = match self.get("birthday").cloned() {
            None | Some(Yaml::Null) => None,
            Some(v) => match v.as_scalar().map(|s| Birthday::parse(&s)) {
                Some(Ok(b)) => Some(b),
                Some(Err(e)) => {
                    self.err(
                        "birthday",
                        e.0,
                        "write YYYY-MM-DD, or --MM-DD without the year",
                    );
                    None
                }
                None => {
                    self.err(
                        "birthday",
                        "`birthday` must be a date".into(),
                        "write YYYY-MM-DD, or --MM-DD without the year",
                    );
                    None
                }
            },
        };
        let intro_ok = match self.get("intro_ok").cloned() {
            None | Some(Yaml::Null) => true,
            Some(Yaml::Bool(b)) => b,
            Some(other) => {
                let shown = other
                    .as_scalar()
                    .unwrap_or_else(|| other.type_name().into());
                self.err(
                    "intro_ok",
                    format!("`intro_ok` must be true or false, not `{shown}`"),
                    "write `intro_ok: false` to never be suggested for introductions",
                );
                true
            }
        };
        let links = self.links();
        let mut tags = self.list("tags");
        for t in &mut tags {
            *t = t.trim_start_matches('#').to_string();
        }
        let p = Person {
            name,
            aliases: self.list("aliases"),
            emails: self.list("emails"),
            phones: self.list("phones"),
            org: self.text("org"),
            role: self.text("role"),
            location: self.text("location"),
            tags,
            interests: self.list("interests"),
            values: self.list("values"),
            needs: self.list("needs"),
            offers: self.list("offers"),
            met,
            introduced_by: self.link("introduced_by"),
            circle,
            cadence,
            birthday,
            last_contact: self.date("last_contact"),
            intro_ok,
            snooze_until: self.date("snooze_until"),
            links,
        };
        self.unknown_keys();
        p
    }

    pub(super) fn met(&mut self) -> Option<Met> {
        // `met_at: "[[Event]]"` (a flat text property Obsidian can show)
        // names the event; the old nested `met: {date, event}` still reads.
        let met_at = self.link("met_at");
        let met =
            match self.get("met").cloned() {
                None | Some(Yaml::Null) => None,
                Some(Yaml::String(s)) => match date::parse_date(&s) {
                    Ok(d) => Some(Met {
                        date: Some(d),
                        event: None,
                    }),
                    Err(e) => {
                        self.err(
                            "met",
                            format!("`met`: {e}"),
                            "write `met: YYYY-MM-DD`, and the event as `met_at: \"[[Event]]\"`",
                        );
                        None
                    }
                },
                Some(Yaml::Map(m)) => {
                    let get = |k: &str| {
                        m.iter()
                            .find(|(key, _)| key == k)
                            .and_then(|(_, v)| v.as_scalar())
                    };
                    let date = match get("date") {
                        Some(s) => match date::parse_date(&s) {
                            Ok(d) => Some(d),
                            Err(e) => {
                                self.err(
                                    "met",
                                    format!("`met.date`: {e}"),
                                    "write dates as YYYY-MM-DD",
                                );
                                None
                            }
                        },
                        None => None,
                    };
                    let event = get("event").map(|s| first_link(&s).unwrap_or(s));
                    let (l, c) = self.front.map_or((1, 1), |f| f.pos("met"));
                    let mut fix = String::new();
                    if let Some(d) = date {
                        fix.push_str(&format!("`met: {d}`"));
                    }
                    if let Some(e) = &event {
                        if !fix.is_empty() {
                            fix.push_str(" and ");
                        }
                        fix.push_str(&format!("`met_at: \"[[{e}]]\"`"));
                    }
                    self.diags.push(
                    Diagnostic::warning(
                        self.rel,
                        l,
                        c,
                        "`met` is a nested map, which Obsidian cannot show or edit as a property",
                    )
                    .hint(format!(
                        "write {} instead, or run `kith fix properties --write`",
                        if fix.is_empty() { "`met: YYYY-MM-DD`".to_string() } else { fix }
                    )),
                );
                    Some(Met { date, event })
                }
                Some(other) => {
                    self.err(
                        "met",
                        format!("`met` must be a date, not {}", other.type_name()),
                        "write `met: YYYY-MM-DD`, and the event as `met_at: \"[[Event]]\"`",
                    );
                    None
                }
            };
        match (met, met_at) {
            (Some(mut m), Some(at)) => {
                m.event = Some(at);
                Some(m)
            }
            (None, Some(at)) => Some(Met {
                date: None,
                event: Some(at),
            }),
            (m, None) => m,
        }
    }

    /// `links:` as a list of URLs (the shape Obsidian's help uses), labelled
    /// by their site; the old map of label to URL still reads, with a warning.
    pub(super) fn links(&mut self) -> Vec<(String, String)> {
        match self.get("links").cloned() {
            None | Some(Yaml::Null) => Vec::new(),
            Some(Yaml::Map(m)) => {
                let (l, c) = self.front.map_or((1, 1), |f| f.pos("links"));
                self.diags.push(
                    Diagnostic::warning(
                        self.rel,
                        l,
                        c,
                        "`links` is a map, which Obsidian cannot show or edit as a property",
                    )
                    .hint("write it as a list of URLs (`links:` then lines `  - https://…`), or run `kith fix properties --write`"),
                );
                m.into_iter()
                    .filter_map(|(k, v)| v.as_scalar().map(|u| (k, u)))
                    .collect()
            }
            Some(_) => self
                .list("links")
                .into_iter()
                .map(|u| (url_label(&u), u))
                .collect(),
        }
    }

    /// Warns about keys that look like a misspelt known key (`intrests`).
    pub(super) fn unknown_keys(&mut self) {
        let Some(fm) = self.front else { return };
        let mut found = Vec::new();
        // The known keys this note does not use, computed once.
        let absent: Vec<&str> = PERSON_KEYS
            .iter()
            .copied()
            .filter(|known| !fm.has_key(known))
            .collect();
        for span in &fm.spans {
            if PERSON_KEYS.contains(&span.key.as_str()) || span.key.len() < 4 {
                continue;
            }
            let k = span.key.to_ascii_lowercase();
            if let Some(best) = absent
                .iter()
                .filter_map(|known| text::edit_distance(&k, known, 2).map(|d| (d, *known)))
                .min()
            {
                found.push((fm.first_line + span.line, span.key.clone(), best.1));
            }
        }
        for (line, key, known) in found {
            self.diags.push(
                Diagnostic::warning(
                    self.rel,
                    line,
                    1,
                    format!("unknown key `{key}`; did you mean `{known}`?"),
                )
                .hint(format!(
                    "rename it to `{known}`, or ignore this if it is your own property"
                )),
            );
        }
    }
}

/// A short label for a URL: its site without `www.` and the top-level
/// domain (`https://www.linkedin.com/in/x` → `linkedin`), else the URL.
pub fn url_label(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    let label = match host.rsplit_once('.') {
        Some((site, _)) => site.rsplit('.').next().unwrap_or(site),
        None => host,
    };
    if label.is_empty() {
        url.to_string()
    } else {
        label.to_ascii_lowercase()
    }
}
