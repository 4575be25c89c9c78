//! The digest: one short page of the day's generous actions, each with its
//! reason — reminders (follow up, keep in touch, promises, birthdays, events),
//! introductions worth making, and things worth sharing. Everything is computed
//! from a loaded vault as of a date. Rules and defaults: docs/digest.md.

mod answers;
pub mod brief;
pub mod cached;
pub mod circle;
pub mod graph;
pub mod introfacts;
mod intros;
pub mod lexicon;
pub mod lifecycle;
pub mod matcher;
pub mod plans;
pub mod reciprocity;
mod reminders;
mod render;
#[cfg(test)]
mod rules_tests;
pub mod tty;

pub use intros::{
    DISMISSED_FILE, IntroSuggestion, Matching, Ranked, all_with, cached_all, cached_ranked,
    compute_all, compute_ranked, connections, dismiss, intro_suggestions, pick, ranked_with,
    select, suggestions_with,
};
pub use lifecycle::{IntroRecord, IntroState, records as intro_records};
pub use reminders::{Contact, contacts, reminders, reminders_with};
pub use render::{markdown, markdown_into, mermaid};
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
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
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

/// What the digest and the introductions read of a note besides its typed
/// fields: the *values* of `knows` and `attendees`, the positions of the
/// keys a reminder or a last contact points at (`path:line`), and no
/// warnings (only errors are warned about). A vault loaded for them drops
/// the rest. Reading another key's value or position in a rule means
/// adding it here: it would otherwise read as absent.
pub const FRONT_KEYS: &crate::note::Keep = &crate::note::Keep {
    values: &["knows", "attendees"],
    positions: &["birthday", "last_contact", "met"],
    warnings: false,
};

/// Limits on what the digest shows.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub check_ins: usize,
    pub intros: usize,
    pub shares: usize,
}

impl Limits {
    pub fn from_config(v: &Vault, all: bool) -> Limits {
        Limits::of(&v.config, all)
    }

    /// The limits the config sets (`all`: none).
    pub fn of(config: &crate::config::Config, all: bool) -> Limits {
        if all {
            return Limits {
                check_ins: usize::MAX,
                intros: usize::MAX,
                shares: usize::MAX,
            };
        }
        Limits {
            check_ins: config.usize_or("digest.check_in_budget", 5),
            intros: config.usize_or("digest.intros", 5),
            shares: config.usize_or("digest.shares", 5),
        }
    }
}

/// Computes the digest as of a date, or takes it from the digest cache
/// ([`cached`]) when nothing it depends on changed since the run that
/// stored it.
pub fn build(vault: &Vault, as_of: Date, limits: Limits) -> Result<Digest> {
    let key = cached::vault_key_of(vault);
    match lookup(&vault.root, key, as_of, limits) {
        Lookup::Hit(d) => Ok(*d),
        Lookup::Miss => compute(vault, as_of, limits, key),
    }
}

/// What the digest cache holds for a vault key (see [`cached::vault_key`]).
pub enum Lookup {
    Hit(Box<Digest>),
    Miss,
}

/// The digest from the cache, if it holds this vault key, date and limits.
/// Needs no note decoded: a command can ask before loading the notes.
/// A damaged cache is reported on stderr (and recomputed by the caller).
pub fn lookup(root: &std::path::Path, key: Option<u64>, as_of: Date, limits: Limits) -> Lookup {
    let t = std::time::Instant::now();
    let Some(key) = key else {
        trace_line("digest cache: miss (no key)", t);
        return Lookup::Miss;
    };
    let g = cached::digest_generation(key, as_of, limits);
    match cached::read::<cached::Whole>(&cached::file(root), g) {
        Ok(w) => {
            trace_line("digest cache: hit", t);
            Lookup::Hit(Box::new(w.into_digest()))
        }
        Err(miss) => {
            if let cached::Miss::Bad(why) = miss {
                eprintln!("kith: rebuilt the digest cache because {why}");
            }
            trace_line("digest cache: miss", t);
            Lookup::Miss
        }
    }
}

fn trace_line(what: &str, since: std::time::Instant) {
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!("trace: {what} {:?}{}", since.elapsed(), rss());
    }
}

/// ", N MB resident" where the system says (Linux), for the trace: where
/// the digest's memory goes.
pub(crate) fn rss() -> String {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|pages| format!(", {} MB resident", pages * 4096 / (1 << 20)))
        .unwrap_or_default()
}

/// Computes the digest from the notes and stores it under `key` (when
/// known) for the next run; the introductions and shares come from the
/// introductions cache when it holds this vault and date.
pub fn compute(vault: &Vault, as_of: Date, limits: Limits, key: Option<u64>) -> Result<Digest> {
    let t = std::time::Instant::now();
    let trace = |what: &str| trace_line(what, t);
    // Every link resolved once, on every core, before the rules that ask
    // about them run side by side.
    vault.resolve_links();
    trace("links resolved");
    // The matcher indexes everyone: built only when something needs it.
    let built = std::sync::OnceLock::new();
    let matching = || built.get_or_init(|| Matching::build(vault));
    // The introductions are keyed on what they read of each note, not on
    // whole notes: after a log entry that links nobody, the digest's own
    // pick of them is read back (a few KB), not every candidate.
    let ikey = introfacts::of_vault(vault);
    trace("introductions key");
    // Not for `--all`: every candidate is `intros.bin` already.
    let bounded = limits.intros.max(limits.shares) <= PICK_AT_MOST;
    let pick_g = ikey
        .filter(|_| bounded)
        .map(|k| cached::pick_generation(k.key, as_of, limits));
    let picked = pick_g.and_then(|g| {
        match cached::read::<cached::Pick>(&cached::pick_file(&vault.root), g) {
            Ok(p) => {
                trace("introductions pick: hit");
                Some(p.into_parts())
            }
            Err(miss) => {
                if let cached::Miss::Bad(why) = miss {
                    eprintln!("kith: rebuilt the digest's introductions because {why}");
                }
                None
            }
        }
    });
    let hit = picked.is_some();
    // Reminders and the introductions (when not cached) need nothing of
    // each other: side by side, on the two cores a laptop has at least.
    let ((mut all, more_check_ins), found) = rayon::join(
        || {
            let r = reminders::budgeted(vault, as_of, limits.check_ins);
            trace("reminders");
            r
        },
        || -> Result<_> {
            if let Some(p) = picked {
                return Ok(p);
            }
            let (ranked, shares) = match cached_ranked(&vault.root, ikey, as_of) {
                Some(found) => found,
                None => intros::compute_ranked(vault, as_of, ikey, &matching)?,
            };
            // Only what is shown is made whole.
            let (intros, more_intros) = ranked.select(limits.intros, 2);
            let shares: Vec<ShareSuggestion> = shares.into_iter().take(limits.shares).collect();
            Ok((intros, shares, more_intros))
        },
    );
    let (intros, shares, more_intros) = found?;
    trace("introductions");
    if !hit
        && let (Some(k), Some(g)) = (ikey, pick_g)
        && k.still(vault)
        && let Err(e) = cached::write(
            &cached::pick_file(&vault.root),
            g,
            &cached::Pick::of(&intros, &shares, more_intros),
        )
        && std::env::var_os("KITH_TRACE").is_some()
    {
        eprintln!("trace: digest's introductions not saved: {e}");
    }
    let wanted = reminders::help_wanted(vault, &all);
    if !wanted.is_empty() {
        let help = reminders::help_lines(vault, matching(), &wanted);
        reminders::add_help(vault, &help, &mut all);
    }
    trace("help in context");
    trace("suggestions");
    let d = Digest {
        as_of,
        reminders: all,
        intros,
        shares,
        more_check_ins,
        more_intros,
        // Said on Mondays only (docs/give.md): at most once a week, no state.
        sections: circle::notice(vault, as_of).into_iter().collect(),
    };
    // A note saved since the model read it was read for its text, or the
    // dismissals changed since the key read them: the result is not that
    // key's, so it is not stored under it.
    if let Some(k) = key.filter(|k| cached::still_keyed(vault, *k))
        && let Err(e) = cached::write(
            &cached::file(&vault.root),
            cached::digest_generation(k, as_of, limits),
            &cached::Whole::of(&d),
        )
        && std::env::var_os("KITH_TRACE").is_some()
    {
        // A read-only vault still answers; it computes again next time.
        eprintln!("trace: digest cache not saved: {e}");
    }
    Ok(d)
}

/// The largest limit the digest's pick of the introductions is kept for.
const PICK_AT_MOST: usize = 1000;

/// Frees `x` on a thread of its own: the matcher and the introductions
/// not shown are millions of small allocations (a few tenths of a second
/// to free at 100k people) that the answer does not wait for; a command
/// ends before the thread does, and the process frees it all at once.
pub fn drop_aside<T: Send + 'static>(x: T) {
    // No thread to be had: the closure, and `x` with it, is freed here.
    let _ = std::thread::Builder::new()
        .name("kith-free".into())
        .spawn(move || drop(x));
}

/// Brings the digest cache level with the vault for today's digest, so the
/// next `kith digest` finds it ready (for a watcher to call after each
/// refresh). Best-effort: errors are the next digest's to report.
pub fn warm(vault: &Vault) {
    let today = chrono::Local::now().date_naive();
    let _ = build(vault, today, Limits::from_config(vault, false));
}
