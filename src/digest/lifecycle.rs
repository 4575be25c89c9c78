//! The introduction lifecycle, read from the notes: a dated log entry in a
//! person's note, linking the other person and tagged `#intro/STATE`, where
//! STATE is `proposed`, `asked`, `agreed`, `made` or `followed-up`. The pair's
//! state is its latest such entry in either note (by date, then by how far
//! along the state is). Written by `kith intro A B`; editable by hand.

use crate::date::Date;
use crate::vault::Vault;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntroState {
    Proposed,
    Asked,
    Agreed,
    Made,
    FollowedUp,
}

impl IntroState {
    pub const ALL: [IntroState; 5] = [
        IntroState::Proposed,
        IntroState::Asked,
        IntroState::Agreed,
        IntroState::Made,
        IntroState::FollowedUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntroState::Proposed => "proposed",
            IntroState::Asked => "asked",
            IntroState::Agreed => "agreed",
            IntroState::Made => "made",
            IntroState::FollowedUp => "followed-up",
        }
    }

    /// From a tag such as `intro/asked` (case-insensitive).
    pub fn from_tag(tag: &str) -> Option<IntroState> {
        // Without a lowercased copy: every tag of every entry is asked.
        let s = tag
            .get(..6)
            .filter(|p| p.eq_ignore_ascii_case("intro/"))
            .and_then(|_| tag.get(6..))?;
        IntroState::ALL.into_iter().find(|x| {
            x.as_str().eq_ignore_ascii_case(s)
                || (s.eq_ignore_ascii_case("followedup") && *x == IntroState::FollowedUp)
        })
    }

    /// The two have met through you.
    pub fn is_made(self) -> bool {
        self >= IntroState::Made
    }
}

/// One step as written in a note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntroStep {
    pub state: IntroState,
    pub date: Date,
    /// The note holding the entry (for `asked`: the person asked).
    pub in_note: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub line: usize,
}

/// An introduction and how far along it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntroRecord {
    pub a: String,
    pub b: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub a_path: PathBuf,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub b_path: PathBuf,
    pub state: IntroState,
    /// Date of the latest step.
    pub date: Date,
    pub steps: Vec<IntroStep>,
    #[serde(skip)]
    pub ia: usize,
    #[serde(skip)]
    pub ib: usize,
}

impl IntroRecord {
    /// The date it was made (first `made` step), if it was.
    pub fn made_on(&self) -> Option<Date> {
        self.steps
            .iter()
            .find(|s| s.state == IntroState::Made)
            .map(|s| s.date)
    }
}

/// Every introduction recorded in the vault, oldest latest-step first.
pub fn records(vault: &Vault) -> Vec<IntroRecord> {
    use rayon::prelude::*;
    // Each person's entries on every core (a million entries at 100k
    // people, nearly none of them an intro), gathered in note order so each
    // pair's steps keep the order one pass gave them.
    let found: Vec<Vec<((usize, usize), IntroStep)>> = vault
        .notes
        .par_iter()
        .enumerate()
        .map(|(i, n)| {
            if n.person.is_none() {
                return Vec::new();
            }
            let mut steps = Vec::new();
            for e in &n.entries {
                // The last state tag: `kith intro` writes its own after the
                // WHY text, which may mention another state.
                let Some(state) = e.tags().iter().filter_map(IntroState::from_tag).last() else {
                    continue;
                };
                let Some(other) = e
                    .links()
                    .iter()
                    .filter_map(|t| vault.resolve_one(t))
                    .find(|&j| j != i && vault.notes[j].person.is_some())
                else {
                    continue;
                };
                let key = if i < other { (i, other) } else { (other, i) };
                steps.push((
                    key,
                    IntroStep {
                        state,
                        date: e.date,
                        in_note: n.title.clone(),
                        path: n.path.clone(),
                        line: e.line as usize,
                    },
                ));
            }
            steps
        })
        .collect();
    let mut by_pair: HashMap<(usize, usize), Vec<IntroStep>> = HashMap::new();
    for (key, step) in found.into_iter().flatten() {
        by_pair.entry(key).or_default().push(step);
    }
    let mut out: Vec<IntroRecord> = by_pair
        .into_iter()
        .map(|((a, b), mut steps)| {
            steps.sort_by_key(|x| (x.date, x.state, x.line));
            let last = steps.last().map(|s| (s.state, s.date));
            let (state, date) = last.unwrap_or((IntroState::Proposed, Date::MIN));
            IntroRecord {
                a: vault.notes[a].title.clone(),
                b: vault.notes[b].title.clone(),
                a_path: vault.notes[a].path.clone(),
                b_path: vault.notes[b].path.clone(),
                state,
                date,
                steps,
                ia: a,
                ib: b,
            }
        })
        .collect();
    // Ties (one day, the same names: two people called Sam) in note order:
    // `by_pair` is a HashMap, whose order changes from one process to the next.
    out.sort_by(|x, y| (x.date, &x.a, &x.b, x.ia, x.ib).cmp(&(y.date, &y.a, &y.b, y.ia, y.ib)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_from_tags() {
        assert_eq!(IntroState::from_tag("intro/asked"), Some(IntroState::Asked));
        assert_eq!(
            IntroState::from_tag("Intro/Followed-Up"),
            Some(IntroState::FollowedUp)
        );
        assert_eq!(IntroState::from_tag("intro"), None);
        assert_eq!(IntroState::from_tag("intro/maybe"), None);
        assert!(IntroState::Made.is_made() && !IntroState::Agreed.is_made());
    }
}
