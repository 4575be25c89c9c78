//! The digest: one short page of the day's generous actions, each with its
//! reason — reminders (follow up, keep in touch, promises, birthdays, events),
//! introductions worth making, and things worth sharing. Everything is computed
//! from a loaded vault as of a date. Rules and defaults: docs/digest.md.

pub mod brief;
pub mod cached;
pub mod circle;
pub mod graph;
mod intros;
pub mod lexicon;
pub mod lifecycle;
pub mod matcher;
pub mod reciprocity;
mod reminders;
mod render;
#[cfg(test)]
mod rules_tests;
pub mod tty;

pub use intros::{
    DISMISSED_FILE, IntroSuggestion, Matching, connections, dismiss, intro_suggestions, select,
    suggestions_with,
};
pub use lifecycle::{IntroRecord, IntroState, records as intro_records};
pub use reminders::{Contact, contacts, reminders, reminders_with};
pub use render::{markdown, mermaid};
// Sections are shared with plugins, which must not depend on the digest.
pub use crate::section::{Section, SectionItem};

use crate::date::Date;
use crate::error::Result;
use crate::vault::Vault;
use serde::Serialize;
use std::path::PathBuf;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    FollowUp,
    CheckIn,
    Promise,
    Birthday,
    Event,
    /// An opt-in waiting for an answer, or an introduction to ask about.
    Intro,
}

/// One generous action due around a date, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// The person's (or event's) display name.
    pub name: String,
    /// Vault-relative path of the note to open.
    pub path: PathBuf,
    pub line: usize,
    pub due: Date,
    pub reason: String,
    /// Conversation starters or things to talk about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub starters: Vec<String>,
    /// For follow-ups: the event where you met. For events: its attendees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<String>,
    /// Ranking key within its kind (higher first).
    #[serde(skip)]
    pub urgency: f64,
    /// The person's note index, for follow-ups and check-ins: starters and
    /// help are added after the budget without a lookup by path.
    #[serde(skip)]
    pub(crate) note: Option<usize>,
}

/// Something worth sharing with someone.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ShareSuggestion {
    pub resource: String,
    pub resource_path: PathBuf,
    /// The resource's `url`, to send it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub name: String,
    pub path: PathBuf,
    pub reason: String,
    /// An open promise about this resource to this person, when there is
    /// one: shown instead of a new suggestion (the reason quotes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise: Option<String>,
}

/// The whole digest.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub as_of: Date,
    pub reminders: Vec<Reminder>,
    pub intros: Vec<IntroSuggestion>,
    pub shares: Vec<ShareSuggestion>,
    /// Check-ins left out by the budget.
    pub more_check_ins: usize,
    /// Introductions left out by the limit.
    pub more_intros: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

/// Limits on what the digest shows.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub check_ins: usize,
    pub intros: usize,
    pub shares: usize,
}

impl Limits {
    pub fn from_config(v: &Vault, all: bool) -> Limits {
        if all {
            return Limits {
                check_ins: usize::MAX,
                intros: usize::MAX,
                shares: usize::MAX,
            };
        }
        Limits {
            check_ins: v.config.usize_or("digest.check_in_budget", 5),
            intros: v.config.usize_or("digest.intros", 5),
            shares: v.config.usize_or("digest.shares", 5),
        }
    }
}

/// Computes the digest as of a date. The introductions, shares and help in
/// context come from the digest cache ([`cached`]) when nothing they depend
/// on changed since the run that stored them; otherwise they are computed
/// and stored for the next run.
pub fn build(vault: &Vault, as_of: Date, limits: Limits) -> Result<Digest> {
    let t = std::time::Instant::now();
    let trace = |what: &str| {
        if std::env::var_os("KITH_TRACE").is_some() {
            eprintln!("trace: {what} {:?}", t.elapsed());
        }
    };
    let (mut all, more_check_ins) = reminders::budgeted(vault, as_of, limits.check_ins);
    trace("reminders");
    let generation = cached::generation(vault, as_of, limits);
    let stored = generation.and_then(|g| match cached::read(&vault.root, g) {
        Ok(s) => Some(s),
        Err(cached::Miss::Absent) => None,
        Err(cached::Miss::Bad(why)) => {
            eprintln!("kith: rebuilt the digest cache because {why}");
            None
        }
    });
    trace(if stored.is_some() {
        "digest cache: hit"
    } else {
        "digest cache: miss"
    });
    // The matcher indexes everyone: built only when something is not cached.
    let matching = std::sync::OnceLock::new();
    let matching = || matching.get_or_init(|| Matching::build(vault));
    let mut fresh = stored.clone().unwrap_or_default();
    let mut dirty = stored.is_none();
    let wanted = reminders::help_wanted(vault, &all);
    let missing: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&i| !fresh.help.contains_key(&vault.notes[i].path))
        .collect();
    if !missing.is_empty() {
        let lines = reminders::help_lines(vault, matching(), &missing);
        for i in missing {
            let l = lines.get(&i).cloned().unwrap_or_default();
            fresh.help.insert(vault.notes[i].path.clone(), l);
        }
        dirty = true;
    }
    let help: std::collections::HashMap<usize, Vec<String>> = wanted
        .iter()
        .filter_map(|&i| Some((i, fresh.help.get(&vault.notes[i].path)?.clone())))
        .collect();
    reminders::add_help(vault, &help, &mut all);
    trace("help in context");
    let (intros, more_intros, shares) = match &stored {
        Some(s) => (
            s.intros
                .iter()
                .cloned()
                .map(IntroSuggestion::from)
                .collect(),
            s.more_intros,
            s.shares.clone(),
        ),
        None => {
            let (intros, shares) = suggestions_with(vault, as_of, matching())?;
            let (intros, more) = select(intros, limits.intros, 2);
            let shares: Vec<ShareSuggestion> = shares.into_iter().take(limits.shares).collect();
            fresh.intros = intros.iter().map(cached::Intro::from).collect();
            fresh.more_intros = more;
            fresh.shares = shares.clone();
            (intros, more, shares)
        }
    };
    trace("suggestions");
    if dirty
        && let Some(g) = generation
        && let Err(e) = cached::write(&vault.root, g, &fresh)
        && std::env::var_os("KITH_TRACE").is_some()
    {
        // A read-only vault still answers; it computes again next time.
        eprintln!("trace: digest cache not saved: {e}");
    }
    Ok(Digest {
        as_of,
        reminders: all,
        intros,
        shares,
        more_check_ins,
        more_intros,
        // Said on Mondays only (docs/give.md): at most once a week, no state.
        sections: circle::notice(vault, as_of).into_iter().collect(),
    })
}

/// Brings the digest cache level with the vault for today's digest, so the
/// next `kith digest` finds its suggestions ready (for a watcher to call
/// after each refresh). Best-effort: errors are the next digest's to report.
pub fn warm(vault: &Vault) {
    let today = chrono::Local::now().date_naive();
    let _ = build(vault, today, Limits::from_config(vault, false));
}
