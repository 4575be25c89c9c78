//! Reminders: follow up, keep in touch, promises, birthdays, upcoming events.

use super::lifecycle::{self, IntroState};
use super::{Matching, Reminder, ReminderKind};
use crate::date::Date;
use crate::model::NoteKind;
use crate::vault::Vault;
use chrono::Datelike;
use rayon::prelude::*;
use std::collections::HashSet;

/// Follow up within this many days of meeting someone…
pub const FOLLOW_UP_DUE_DAYS: i64 = 2;
/// …and stop reminding this many days after the meeting.
pub const FOLLOW_UP_EXPIRES_DAYS: i64 = 14;
/// Promises due within this many days (or overdue) are shown.
pub const PROMISE_AHEAD_DAYS: i64 = 7;
/// Undated promises are shown once older than this.
pub const UNDATED_PROMISE_DAYS: i64 = 14;
/// Birthdays and events within this many days are shown.
pub const AHEAD_DAYS: i64 = 14;

fn plural(n: i64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// An opt-in asked is worth a nudge after this many days without an answer.
pub const INTRO_OPT_IN_DAYS: i64 = 3;
/// Ask how an introduction went about this many days after it was made…
pub const INTRO_HOW_DAYS: i64 = 30;
/// …for this many days.
pub const INTRO_HOW_WINDOW_DAYS: i64 = 14;

/// Every reminder as of `as_of` (unbudgeted), ordered by kind, then urgency.
pub fn reminders(vault: &Vault, as_of: Date) -> Vec<Reminder> {
    reminders_with(vault, as_of, None)
}

/// Like [`reminders`]; with a matcher, an open need in a follow-up, check-in
/// or event comes with one or two people who could meet it.
pub fn reminders_with(vault: &Vault, as_of: Date, help: Option<&Matching>) -> Vec<Reminder> {
    let (mut out, _) = budgeted(vault, as_of, usize::MAX);
    if let Some(m) = help {
        let lines = phase("help matched", || {
            help_lines(vault, m, &help_wanted(vault, &out))
        });
        add_help(vault, &lines, &mut out);
    }
    out
}

/// Prints how long a phase took with `KITH_TRACE` set.
fn phase<T>(what: &str, f: impl FnOnce() -> T) -> T {
    if std::env::var_os("KITH_TRACE").is_none() {
        return f();
    }
    let t = std::time::Instant::now();
    let v = f();
    eprintln!("trace: reminders: {what} {:?}{}", t.elapsed(), super::rss());
    v
}

/// Every reminder as of `as_of`, ordered, with at most `check_in_budget`
/// check-ins (the most urgent), and how many check-ins were left out.
/// Conversation starters read entry texts from disk: only the check-ins
/// kept get them, so a vault with thousands due reads a handful of notes.
pub(crate) fn budgeted(
    vault: &Vault,
    as_of: Date,
    check_in_budget: usize,
) -> (Vec<Reminder>, usize) {
    let mut out = Vec::new();
    phase("follow-ups", || follow_ups(vault, as_of, &mut out));
    let over = phase("check-ins", || {
        check_ins(vault, as_of, check_in_budget, &mut out)
    });
    phase("promises", || promises(vault, as_of, &mut out));
    phase("birthdays", || birthdays(vault, as_of, &mut out));
    phase("events", || events(vault, as_of, &mut out));
    phase("intros", || intros(vault, as_of, &mut out));
    out.sort_by(|a, b| {
        // Follow-ups are grouped by the event where you met, events first.
        fn group(r: &Reminder) -> Option<(bool, Option<&str>)> {
            (r.kind == ReminderKind::FollowUp).then(|| (r.group.is_none(), r.group.as_deref()))
        }
        a.kind
            .cmp(&b.kind)
            .then(group(a).cmp(&group(b)))
            .then(b.urgency.total_cmp(&a.urgency))
            .then(a.due.cmp(&b.due))
            .then(a.name.cmp(&b.name))
    });
    let mut seen = 0;
    out.retain(|r| {
        if r.kind != ReminderKind::CheckIn {
            return true;
        }
        seen += 1;
        seen <= check_in_budget
    });
    phase("check-in starters", || {
        check_in_starters(vault, as_of, &mut out)
    });
    (out, over + seen.saturating_sub(check_in_budget))
}

fn follow_ups(vault: &Vault, as_of: Date, out: &mut Vec<Reminder>) {
    let cfg = &vault.config;
    let due_days = cfg.usize_or("digest.follow_up_due_days", FOLLOW_UP_DUE_DAYS as usize) as i64;
    let expire = cfg.usize_or(
        "digest.follow_up_expire_days",
        FOLLOW_UP_EXPIRES_DAYS as usize,
    ) as i64;
    // Each person on their own, on every core, kept in people order.
    let one = |i: usize, n: &crate::note::Note| -> Option<Reminder> {
        let p = n.person.as_ref()?;
        let met = p.met.as_ref()?;
        let m = met.date?;
        if as_of < m || as_of >= crate::date::add_days(m, expire) {
            return None;
        }
        let event_idx = met.event.as_ref().and_then(|e| vault.resolve_one(e));
        // Only contacts from the meeting day on can follow it up: the others
        // are not looked at (deciding whether one is about the meeting reads
        // its text).
        let touched = p.last_contact.is_some_and(|d| d > m && d <= as_of)
            || contacts_where(vault, i, event_idx, &|d| d >= m && d <= as_of)
                .iter()
                .any(|c| c.follows_up(m));
        if touched {
            return None;
        }
        let due = crate::date::add_days(m, due_days);
        let event = met.event.as_ref().map(|e| {
            vault
                .resolve_one(e)
                .map_or_else(|| e.clone(), |j| vault.notes[j].title.clone())
        });
        let ago = (as_of - m).num_days();
        let when = match ago {
            0 => "today".to_string(),
            1 => "yesterday".to_string(),
            n => format!("{n} days ago"),
        };
        let place = event
            .as_ref()
            .map(|e| format!(" at {e}"))
            .unwrap_or_default();
        let mut starters = Vec::new();
        if let Some(need) = p.needs.first() {
            starters.push(format!("they need {need}"));
        }
        if let Some(offer) = p.offers.first() {
            starters.push(format!("they offer {offer}"));
        }
        Some(Reminder {
            kind: ReminderKind::FollowUp,
            name: p.name.clone(),
            path: n.path.clone(),
            line: 1,
            due,
            reason: format!("met {when}{place}; no follow-up yet"),
            starters,
            group: event,
            people: Vec::new(),
            urgency: -(due - as_of).num_days() as f64,
            note: Some(i),
        })
    };
    let found: Vec<Reminder> = vault
        .notes
        .par_iter()
        .enumerate()
        .filter_map(|(i, n)| one(i, n))
        .collect();
    out.extend(found);
}

/// The check-ins due, at most `budget` of them (the most urgent, as the
/// digest orders them); returns how many more were due. Only those kept are
/// written out: at 100k people tens of thousands are due and five shown.
fn check_ins(vault: &Vault, as_of: Date, budget: usize, out: &mut Vec<Reminder>) -> usize {
    // People who helped you, and people you helped, come a little earlier.
    let boosts = phase("reciprocity boosts", || {
        super::reciprocity::boosts(vault, as_of)
    });
    let mentioned = phase("last contacts", || last_mentions(vault, as_of));
    // (urgency, due, name, person, cadence, last contact), in people order,
    // each person looked at on its own on every core.
    let mut due_now: Vec<_> = vault
        .notes
        .par_iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let p = n.person.as_ref()?;
            let cadence = match p.cadence {
                Some(c) => c,
                None => p.circle.and_then(|c| vault.config.circle_cadence(c))?,
            };
            if p.snooze_until.is_some_and(|s| s > as_of) {
                return None;
            }
            let last = last_contact(vault, i, as_of, mentioned[i])?;
            let due = cadence.after(last.0);
            if due > as_of {
                return None;
            }
            let since = (as_of - last.0).num_days();
            let urgency = since as f64 / cadence.approx_days() + boosts[i];
            Some((urgency, due, p.name.as_str(), i, cadence, last))
        })
        .collect();
    // The order [`budgeted`] sorts check-ins in (stable: ties keep people
    // order), so the ones kept are those it would keep.
    due_now.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    let over = due_now.len().saturating_sub(budget);
    due_now.truncate(budget);
    // Back in people order, as they were pushed before.
    due_now.sort_by_key(|d| d.3);
    let shown: Vec<Reminder> = due_now
        .into_par_iter()
        .filter_map(|(urgency, due, _, i, cadence, (date, at, line))| {
            let n = &vault.notes[i];
            let p = n.person.as_ref()?;
            let since = (as_of - date).num_days();
            let circle = p
                .circle
                .map(|c| format!("{} circle, ", c.as_str()))
                .unwrap_or_default();
            // A contact in another note points at the person's own note.
            let line = if at == i { line } else { 1 };
            Some(Reminder {
                kind: ReminderKind::CheckIn,
                name: p.name.clone(),
                path: n.path.clone(),
                line,
                due,
                reason: format!(
                    "{circle}every {cadence}; last contact {date} ({} ago)",
                    plural(since, "day")
                ),
                starters: Vec::new(),
                group: None,
                people: Vec::new(),
                urgency,
                note: Some(i),
            })
        })
        .collect();
    out.extend(shown);
    over
}

/// A check-in's conversation starters: what you talked about last time (an
/// entry text read from disk when the entry has no title) and the person's
/// first need. Only for the check-ins that are shown.
fn check_in_starters(vault: &Vault, as_of: Date, out: &mut [Reminder]) {
    out.par_iter_mut()
        .filter(|r| r.kind == ReminderKind::CheckIn)
        .for_each(|r| {
            let Some(i) = r.note else { return };
            let Some(p) = vault.person(i) else { return };
            let mut starters = Vec::new();
            let entry = vault.notes[i].last_entry().filter(|e| e.date <= as_of);
            if let Some(e) = entry {
                let topic = if e.title.is_empty() {
                    first_sentence(&vault.entry_text(i, e))
                } else {
                    e.title.to_string()
                };
                if !topic.is_empty() {
                    starters.push(format!("last time ({}): {topic}", e.date));
                }
            }
            if let Some(need) = p.needs.first() {
                starters.push(format!("ask how it's going with {need}"));
            }
            starters.append(&mut r.starters);
            r.starters = starters;
        });
}

fn first_sentence(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat.find(['.', '!', '?']).map_or(flat.len(), |i| i + 1);
    let s: String = flat[..end].chars().take(90).collect();
    s
}

fn promises(vault: &Vault, as_of: Date, out: &mut Vec<Reminder>) {
    let ahead = vault
        .config
        .usize_or("digest.promise_ahead_days", PROMISE_AHEAD_DAYS as usize) as i64;
    let undated = vault
        .config
        .usize_or("digest.undated_promise_days", UNDATED_PROMISE_DAYS as usize)
        as i64;
    // Whether the promise is due soon enough, or undated and old enough, to
    // be shown: decided before its links are resolved, since most are not.
    let soon = |pr: &crate::model::Promise| match pr.due {
        Some(d) => d <= crate::date::add_days(as_of, ahead),
        None => pr
            .created
            .is_some_and(|c| crate::date::add_days(c, undated) <= as_of),
    };
    // One reminder per promise, naming everyone it is owed to (as
    // [`Vault::promises`] says). A promise is one note's: each note on its
    // own, on every core, in note order.
    let of_note = |at: usize, n: &crate::note::Note| -> Vec<Reminder> {
        let mut owed: Vec<(Vec<String>, &crate::model::Promise)> = Vec::new();
        let mut at_line: rustc_hash::FxHashMap<usize, usize> = rustc_hash::FxHashMap::default();
        for pr in &n.promises {
            // Not before its scheduled or start day, as the Tasks plugin hides it.
            if !pr.is_open() || pr.not_before().is_some_and(|d| d > as_of) || !soon(pr) {
                continue;
            }
            let to: Vec<usize> = if n.person.is_some() {
                vec![at]
            } else {
                let mut to: Vec<usize> = pr
                    .links
                    .iter()
                    .filter_map(|t| vault.resolve_one(t))
                    .filter(|j| vault.notes[*j].person.is_some())
                    .collect();
                to.sort_unstable();
                to.dedup();
                to
            };
            for who in to {
                let name = vault.notes[who].title.clone();
                match at_line.get(&pr.line) {
                    Some(&k) => owed[k].0.push(name),
                    None => {
                        at_line.insert(pr.line, owed.len());
                        owed.push((vec![name], pr));
                    }
                }
            }
        }
        owed.into_iter()
            .filter_map(|(names, pr)| promise_reminder(as_of, ahead, undated, n, names, pr))
            .collect()
    };
    let found: Vec<Vec<Reminder>> = vault
        .notes
        .par_iter()
        .enumerate()
        .map(|(at, n)| of_note(at, n))
        .collect();
    out.extend(found.into_iter().flatten());
}

/// The reminder of promise `pr` in `note`, owed to `names`, when it is due
/// soon or undated and old.
fn promise_reminder(
    as_of: Date,
    ahead: i64,
    undated: i64,
    note: &crate::note::Note,
    names: Vec<String>,
    pr: &crate::model::Promise,
) -> Option<Reminder> {
    let name = names.join(" & ");
    let (due, reason) = match pr.due {
        Some(d) if d <= crate::date::add_days(as_of, ahead) => {
            let delta = (d - as_of).num_days();
            let when = match delta {
                0 => "due today".to_string(),
                n if n < 0 => format!("{} overdue", plural(-n, "day")),
                n => format!("due in {}", plural(n, "day")),
            };
            (
                d,
                format!("you promised: {} ({when})", clean_task(&pr.text)),
            )
        }
        Some(_) => return None,
        None => match pr.created {
            Some(c) if crate::date::add_days(c, undated) <= as_of => (
                crate::date::add_days(c, undated),
                format!(
                    "you promised: {} (open since {c}, {} ago)",
                    clean_task(&pr.text),
                    plural((as_of - c).num_days(), "day")
                ),
            ),
            _ => return None,
        },
    };
    Some(Reminder {
        kind: ReminderKind::Promise,
        name,
        path: note.path.clone(),
        line: pr.line,
        due,
        reason,
        starters: Vec::new(),
        group: None,
        people: Vec::new(),
        urgency: -(due - as_of).num_days() as f64,
        note: None,
    })
}

/// Task text without its date markers.
fn clean_task(t: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut skip = false;
    for w in t.split_whitespace() {
        if skip {
            skip = false;
            continue;
        }
        if matches!(w, "📅" | "➕" | "⏳" | "🛫" | "✅") {
            skip = true;
            continue;
        }
        if w.starts_with("due:") {
            continue;
        }
        words.push(w);
    }
    crate::note::links_as_text(&words.join(" "))
}

fn birthdays(vault: &Vault, as_of: Date, out: &mut Vec<Reminder>) {
    for (_, n, p) in vault.people() {
        let Some(b) = p.birthday else { continue };
        let next = b.next_on_or_after(as_of);
        let delta = (next - as_of).num_days();
        if delta > AHEAD_DAYS {
            continue;
        }
        let when = match delta {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            d => format!("in {d} days"),
        };
        let turns = b
            .year
            .map(|y| format!(", turns {}", next.year() - y))
            .unwrap_or_default();
        let line = n.front.as_ref().map_or(1, |f| f.pos("birthday").0);
        out.push(Reminder {
            kind: ReminderKind::Birthday,
            name: p.name.clone(),
            path: n.path.clone(),
            line,
            due: next,
            reason: format!("birthday {when} ({}{turns})", next.format("%-d %B")),
            starters: p
                .interests
                .iter()
                .take(2)
                .map(|i| format!("likes {i}"))
                .collect(),
            group: None,
            people: Vec::new(),
            urgency: -delta as f64,
            note: None,
        });
    }
}

fn events(vault: &Vault, as_of: Date, out: &mut Vec<Reminder>) {
    // People whose notes link each event, found once.
    let mut linked: std::collections::HashMap<usize, Vec<usize>> = std::collections::HashMap::new();
    for (i, _, _) in vault.people() {
        for &j in &vault.out_links[i] {
            if vault.notes[j].kind == NoteKind::Event {
                linked.entry(j).or_default().push(i);
            }
        }
    }
    for (j, n) in vault.notes.iter().enumerate() {
        let (Some(ev), Some(date)) = (&n.event, n.date) else {
            continue;
        };
        if date < as_of || date > crate::date::add_days(as_of, AHEAD_DAYS) {
            continue;
        }
        let mut who: Vec<usize> = ev
            .attendees
            .iter()
            .filter_map(|a| vault.resolve_one(a))
            .filter(|i| vault.notes[*i].person.is_some())
            .collect();
        who.extend(linked.get(&j).into_iter().flatten().copied());
        // People the event note itself links are going too.
        who.extend(
            vault.out_links[j]
                .iter()
                .copied()
                .filter(|i| vault.notes[*i].person.is_some()),
        );
        who.sort_unstable();
        who.dedup();
        let people: Vec<String> = who.iter().map(|i| vault.notes[*i].title.clone()).collect();
        let starters: Vec<String> = who
            .iter()
            .filter_map(|i| {
                let p = vault.notes[*i].person.as_ref()?;
                let topic = p
                    .needs
                    .first()
                    .map(|x| format!("needs {x}"))
                    .or_else(|| {
                        // An empty entry (a heading at the end of the
                        // file) is nothing to bring up.
                        vault.notes[*i].last_entry().and_then(|e| {
                            let t = if e.title.is_empty() {
                                first_sentence(&vault.entry_text(*i, e))
                            } else {
                                e.title.to_string()
                            };
                            (!t.is_empty()).then(|| format!("last talked about {t}"))
                        })
                    })
                    .or_else(|| p.interests.first().map(|x| format!("into {x}")))?;
                Some(format!("{}: {topic}", p.name))
            })
            .collect();
        let delta = (date - as_of).num_days();
        let when = match delta {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            d => format!("in {d} days"),
        };
        let place = ev
            .location
            .as_ref()
            .map(|l| format!(", {l}"))
            .unwrap_or_default();
        let with = if people.is_empty() {
            String::new()
        } else {
            format!("; you know {}", people.join(", "))
        };
        out.push(Reminder {
            kind: ReminderKind::Event,
            name: n.title.clone(),
            path: n.path.clone(),
            line: 1,
            due: date,
            reason: format!("{when} ({date}{place}){with}"),
            starters,
            group: None,
            people,
            urgency: -delta as f64,
            note: None,
        });
    }
}

/// Something done with a person, dated: a log entry in their note (unless
/// it holds only task items), or a journal or event entry that links them
/// outside a task item. A task or plan that mentions someone is not a contact.
#[derive(Debug, Clone)]
pub struct Contact {
    pub date: Date,
    pub path: std::path::PathBuf,
    pub line: usize,
    /// Records the meeting itself: it links the event where you met, sits in
    /// that event's note, names the event, or is tagged `#met`.
    pub about_meeting: bool,
    /// Tagged `#followup` (or `#follow-up`).
    pub tagged_follow_up: bool,
    /// A separate entry after an earlier one of the same day in the same note.
    pub later_same_day: bool,
}

impl Contact {
    /// Whether this contact is the follow-up to a meeting on `met`.
    pub fn follows_up(&self, met: Date) -> bool {
        if self.tagged_follow_up {
            return self.date >= met;
        }
        if self.about_meeting {
            return false;
        }
        self.date > met || (self.date == met && self.later_same_day)
    }
}

/// Every contact with person `i`; `event` is the note of the event where you
/// met, if any.
pub fn contacts(vault: &Vault, i: usize, event: Option<usize>) -> Vec<Contact> {
    contacts_where(vault, i, event, &|_| true)
}

/// [`contacts`] dated so that `keep` holds.
fn contacts_where(
    vault: &Vault,
    i: usize,
    event: Option<usize>,
    keep: &dyn Fn(Date) -> bool,
) -> Vec<Contact> {
    let mut out = Vec::new();
    let event_title = event.map(|e| crate::text::fold(&vault.notes[e].title));
    let about = |vault: &Vault, note: usize, e: &crate::model::LogEntry| {
        e.tags().iter().any(|t| t.eq_ignore_ascii_case("met"))
            || event.is_some_and(|ev| {
                note == ev || e.links().iter().any(|l| vault.resolve_one(l) == Some(ev))
            })
            || event_title.as_ref().is_some_and(|t| {
                !t.is_empty()
                    && (crate::text::fold(&e.title).contains(t.as_str())
                        || crate::text::fold(&vault.entry_text(note, e)).contains(t.as_str()))
            })
    };
    let followup = |e: &crate::model::LogEntry| {
        e.tags()
            .iter()
            .any(|t| t.eq_ignore_ascii_case("followup") || t.eq_ignore_ascii_case("follow-up"))
    };
    let n = &vault.notes[i];
    let mut seen_days: HashSet<Date> = HashSet::new();
    let mut own: Vec<&crate::model::LogEntry> = n.entries.iter().collect();
    own.sort_by_key(|e| e.line);
    for e in own {
        let later = !seen_days.insert(e.date);
        if e.tasks_only || is_proposal(e) || !keep(e.date) {
            continue;
        }
        out.push(Contact {
            date: e.date,
            path: n.path.clone(),
            line: e.line as usize,
            about_meeting: about(vault, i, e),
            tagged_follow_up: followup(e),
            later_same_day: later,
        });
    }
    for &j in vault.linked_from(i) {
        let other = &vault.notes[j];
        if j == i || !matches!(other.kind, NoteKind::Journal | NoteKind::Event) {
            continue;
        }
        let tasks: HashSet<usize> = other.promises.iter().map(|p| p.line).collect();
        let mut done_entries: HashSet<usize> = HashSet::new();
        let mut lines: Option<super::plans::NoteLines> = None;
        for (k, l) in other.links.iter().enumerate() {
            let date = match l.entry {
                Some(ei) => other.entries.get(ei as usize).map(|e| e.date),
                None => other.date,
            };
            if tasks.contains(&(l.line as usize))
                || !date.is_some_and(keep)
                || vault.link_target(j, k) != Some(i)
                // "will email [[Ana]] tomorrow" is a plan, not a contact.
                || lines
                    .get_or_insert_with(|| super::plans::NoteLines::new(vault, j))
                    .is_plan(l)
            {
                continue;
            }
            match l.entry {
                Some(ei) => {
                    let ei = ei as usize;
                    if !done_entries.insert(ei) {
                        continue;
                    }
                    let e = &other.entries[ei];
                    out.push(Contact {
                        date: e.date,
                        path: other.path.clone(),
                        line: e.line as usize,
                        about_meeting: about(vault, j, e),
                        tagged_follow_up: followup(e),
                        later_same_day: false,
                    });
                }
                None if other.kind == NoteKind::Journal
                    && l.key.as_deref() != Some("attendees") =>
                {
                    if let Some(d) = other.date {
                        out.push(Contact {
                            date: d,
                            path: other.path.clone(),
                            line: l.line as usize,
                            about_meeting: event == Some(j),
                            tagged_follow_up: false,
                            later_same_day: false,
                        });
                    }
                }
                None => {}
            }
        }
    }
    out
}

/// `kith intro` writes a proposal in both notes (an entry titled `intro`,
/// tagged `#intro/proposed`): what you mean to do, not something done with
/// them, so not a contact. An entry with its own title ("coffee") that also
/// proposes an intro still records the coffee.
fn is_proposal(e: &crate::model::LogEntry) -> bool {
    let title = e.title.trim();
    (title.is_empty() || title.eq_ignore_ascii_case("intro"))
        && e.tags()
            .iter()
            .any(|t| IntroState::from_tag(t) == Some(IntroState::Proposed))
}

/// A contact's place: (date, note index, line).
type Spot = (Date, usize, usize);

/// Whether `new` wins over `best` as the last contact: the later date, then
/// the note whose path sorts first; on a full tie the later one seen (the
/// order [`contacts`] lists them in, so both agree).
fn later(vault: &Vault, best: Option<Spot>, new: Spot) -> bool {
    best.is_none_or(|b| {
        let key = |s: Spot| (s.0, std::cmp::Reverse(&vault.notes[s.1].path));
        key(new) >= key(b)
    })
}

/// For every note, the last contact on or before `as_of` among its own log
/// entries and the journal and event entries linking it: the best of
/// [`contacts`] for everyone at once, in one pass over the links (a
/// per-person [`contacts`] made check-ins cost a scan per person).
fn last_mentions(vault: &Vault, as_of: Date) -> Vec<Option<Spot>> {
    let linking = linking_notes(vault);
    let part = linking
        .len()
        .div_ceil(4 * rayon::current_num_threads().max(1))
        .max(64);
    last_mentions_in_parts(vault, as_of, &linking, part)
}

/// The journal and event notes with links: those whose links can be
/// contacts, in note order.
fn linking_notes(vault: &Vault) -> Vec<usize> {
    (0..vault.notes.len())
        .filter(|&j| {
            let n = &vault.notes[j];
            matches!(n.kind, NoteKind::Journal | NoteKind::Event) && !n.links.is_empty()
        })
        .collect()
}

/// [`last_mentions`], the `linking` notes looked at in parts of `part`.
fn last_mentions_in_parts(
    vault: &Vault,
    as_of: Date,
    linking: &[usize],
    part: usize,
) -> Vec<Option<Spot>> {
    let mut best: Vec<Option<Spot>> = vault
        .notes
        .par_iter()
        .enumerate()
        .map(|(i, n)| {
            n.person.as_ref()?;
            n.entries
                .iter()
                .filter(|e| !e.tasks_only && !is_proposal(e) && e.date <= as_of)
                .max_by_key(|e| (e.date, e.line))
                .map(|e| (e.date, i, e.line as usize))
        })
        .collect();
    // The linking notes in parts on every core (parts of them, not of all
    // notes: journals and events sort together, and would all fall in one
    // part), each part keeping its own winners, merged in note order: the
    // winner is the last of the best (see [`later`]) in note order either
    // way, so the parts agree with one pass. A part checks for plans
    // against its own winners, which reads a few more notes than one pass
    // would, never another answer.
    let parts: Vec<Vec<(usize, Spot)>> = linking
        .par_chunks(part.max(1))
        .map(|chunk| {
            let mut won: rustc_hash::FxHashMap<usize, Spot> = rustc_hash::FxHashMap::default();
            for &j in chunk {
                mentions_in(vault, j, &vault.notes[j], as_of, &best, &mut won);
            }
            // One winner per person: the merge below is the same in any order.
            won.into_iter().collect()
        })
        .collect();
    for (i, spot) in parts.into_iter().flatten() {
        if later(vault, best[i], spot) {
            best[i] = Some(spot);
        }
    }
    best
}

/// The contacts journal or event note `j` records, folded into `won` (the
/// winners so far of this part of the notes, over `best`).
fn mentions_in(
    vault: &Vault,
    j: usize,
    other: &crate::note::Note,
    as_of: Date,
    best: &[Option<Spot>],
    won: &mut rustc_hash::FxHashMap<usize, Spot>,
) {
    if !matches!(other.kind, NoteKind::Journal | NoteKind::Event) || other.links.is_empty() {
        return;
    }
    let tasks: rustc_hash::FxHashSet<usize> = other.promises.iter().map(|p| p.line).collect();
    let mut lines: Option<super::plans::NoteLines> = None;
    for (k, l) in other.links.iter().enumerate() {
        if tasks.contains(&(l.line as usize)) {
            continue;
        }
        let spot = match l.entry {
            Some(ei) => other
                .entries
                .get(ei as usize)
                .map(|e| (e.date, j, e.line as usize)),
            None if other.kind == NoteKind::Journal && l.key.as_deref() != Some("attendees") => {
                other.date.map(|d| (d, j, l.line as usize))
            }
            None => None,
        };
        let Some(spot) = spot.filter(|s| s.0 <= as_of) else {
            continue;
        };
        let Some(i) = vault.link_target(j, k) else {
            continue;
        };
        let current = won.get(&i).copied().or(best[i]);
        // Read the note for plans only when the link would count.
        if i != j
            && vault.notes[i].person.is_some()
            && later(vault, current, spot)
            && !lines
                .get_or_insert_with(|| super::plans::NoteLines::new(vault, j))
                .is_plan(l)
        {
            won.insert(i, spot);
        }
    }
}

/// The last contact on or before `as_of` (contacts, `last_contact`, `met`),
/// given the best of the contacts ([`last_mentions`]), as (date, note,
/// line).
fn last_contact(vault: &Vault, i: usize, as_of: Date, mentioned: Option<Spot>) -> Option<Spot> {
    let n = &vault.notes[i];
    let p = n.person.as_ref()?;
    let mut best = mentioned;
    let fm = n.front.as_ref();
    for (date, key) in [
        (p.last_contact, "last_contact"),
        (p.met.as_ref().and_then(|m| m.date), "met"),
    ] {
        if let Some(d) = date.filter(|d| *d <= as_of)
            && best.is_none_or(|b| d > b.0)
        {
            best = Some((d, i, fm.map_or(1, |f| f.pos(key).0)));
        }
    }
    best
}

/// Opt-ins waiting for an answer, and introductions to ask about.
fn intros(vault: &Vault, as_of: Date, out: &mut Vec<Reminder>) {
    let cfg = &vault.config;
    let wait = cfg.usize_or("digest.intro_opt_in_days", INTRO_OPT_IN_DAYS as usize) as i64;
    let how = cfg.usize_or("digest.intro_follow_up_days", INTRO_HOW_DAYS as usize) as i64;
    for r in lifecycle::records(vault) {
        let Some(last) = r.steps.last() else { continue };
        if r.date > as_of {
            continue;
        }
        let first = |s: &str| s.split_whitespace().next().unwrap_or(s).to_string();
        match r.state {
            IntroState::Asked => {
                let ago = (as_of - last.date).num_days();
                if ago <= wait {
                    continue;
                }
                let asked = last.in_note.clone();
                let other = if asked == r.a { &r.b } else { &r.a };
                out.push(Reminder {
                    kind: ReminderKind::Intro,
                    name: asked.clone(),
                    path: last.path.clone(),
                    line: last.line,
                    due: crate::date::add_days(last.date, wait),
                    reason: format!(
                        "you asked {} {} ago whether they'd like to meet {}; no answer recorded (`kith intro \"{asked}\" \"{other}\" --state agreed`)",
                        first(&asked),
                        plural(ago, "day"),
                        other
                    ),
                    starters: Vec::new(),
                    group: None,
                    people: vec![r.a.clone(), r.b.clone()],
                    urgency: ago as f64,
                    note: None,
                });
            }
            IntroState::Made => {
                let Some(made) = r.made_on() else { continue };
                let since = (as_of - made).num_days();
                if since < how || since >= how + INTRO_HOW_WINDOW_DAYS {
                    continue;
                }
                out.push(Reminder {
                    kind: ReminderKind::Intro,
                    name: format!("{} & {}", r.a, r.b),
                    path: last.path.clone(),
                    line: last.line,
                    due: crate::date::add_days(made, how),
                    reason: format!(
                        "ask {} and {} how it went (introduced {} ago, on {made})",
                        first(&r.a),
                        first(&r.b),
                        plural(since, "day")
                    ),
                    starters: Vec::new(),
                    group: None,
                    people: vec![r.a.clone(), r.b.clone()],
                    urgency: since as f64,
                    note: None,
                });
            }
            _ => {}
        }
    }
}

/// The people of one reminder who may want help in context.
fn who_of(vault: &Vault, r: &Reminder) -> Vec<usize> {
    match r.kind {
        ReminderKind::FollowUp | ReminderKind::CheckIn => r.note.into_iter().collect(),
        ReminderKind::Event => r
            .people
            .iter()
            .filter_map(|p| vault.resolve_one(p))
            .collect(),
        _ => Vec::new(),
    }
}

/// The people of these reminders with an open need (ascending, once each):
/// those [`help_lines`] is asked about.
pub(crate) fn help_wanted(vault: &Vault, out: &[Reminder]) -> Vec<usize> {
    let mut who: Vec<usize> = out
        .iter()
        .flat_map(|r| who_of(vault, r))
        .filter(|&i| vault.person(i).is_some_and(|p| !p.needs.is_empty()))
        .collect();
    who.sort_unstable();
    who.dedup();
    who
}

/// Help in context for each of `who`: up to two people who could meet their
/// first need, as lines with the evidence.
pub(crate) fn help_lines(
    vault: &Vault,
    m: &Matching,
    who: &[usize],
) -> std::collections::HashMap<usize, Vec<String>> {
    let need_of = |i: usize| vault.person(i).and_then(|p| p.needs.first());
    // Many people ask for the same thing in the same words: match each
    // distinct need once, in parallel, keeping one spare helper for when the
    // best is the asker.
    let mut needs: Vec<&str> = who
        .iter()
        .filter_map(|&i| need_of(i).map(String::as_str))
        .collect();
    needs.sort_unstable();
    needs.dedup();
    let found = m.meet_all(&needs, 3);
    who.iter()
        .filter_map(|&i| {
            let need = need_of(i)?;
            let ms = found.get(need.as_str())?;
            Some((i, m.helpers(vault, i, need, ms, 2)))
        })
        .collect()
}

/// Help in context: for follow-ups, check-ins and event attendees with an
/// open need, one or two people who could meet it (from [`help_lines`]).
pub(crate) fn add_help(
    vault: &Vault,
    lines: &std::collections::HashMap<usize, Vec<String>>,
    out: &mut [Reminder],
) {
    for r in out.iter_mut() {
        let mut added = 0;
        for i in who_of(vault, r) {
            for h in lines.get(&i).into_iter().flatten() {
                if added < 2 {
                    r.starters.push(h.clone());
                    added += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::reciprocity::tests::vault;

    #[test]
    fn last_mentions_are_the_same_whatever_the_parts() {
        // Ann is mentioned on the same day in two journals (the path that
        // sorts first wins), twice in one journal (the later line wins), and
        // later in an event; Bob only in journals, one after his own entry.
        let v = vault(&[
            (
                "people/ann.md",
                "---\nname: Ann A\n---\n## Log\n### 2026-01-01 · coffee\nx\n",
            ),
            (
                "people/bob.md",
                "---\nname: Bob B\n---\n## Log\n### 2026-01-03 · call\nx\n",
            ),
            ("journal/2026-01-05 b.md", "saw [[Ann A]]\n"),
            (
                "journal/2026-01-05.md",
                "saw [[Ann A]]\n\nand [[Ann A]] again, [[Bob B]]\n",
            ),
            ("journal/2026-01-02.md", "[[Bob B]]\n"),
            (
                "events/party.md",
                "---\nname: Party\ndate: 2026-01-09\n---\n## Log\n### 2026-01-09 · party\n[[Ann A]] came\n",
            ),
            (
                "journal/2026-01-20.md",
                "[[Ann A]], after the day asked about\n",
            ),
        ]);
        let as_of = crate::date::parse_date("2026-01-10").unwrap();
        let linking = linking_notes(&v);
        assert_eq!(linking.len(), 5);
        let whole = last_mentions_in_parts(&v, as_of, &linking, usize::MAX);
        let at = |path: &str| v.notes.iter().position(|n| n.path.to_str() == Some(path));
        let (ann, bob) = (at("people/ann.md").unwrap(), at("people/bob.md").unwrap());
        let party = at("events/party.md").unwrap();
        assert_eq!(whole[ann].map(|s| s.1), Some(party));
        assert_eq!(
            whole[bob].map(|s| (s.0, s.1)),
            Some((
                crate::date::parse_date("2026-01-05").unwrap(),
                at("journal/2026-01-05.md").unwrap()
            ))
        );
        for part in 1..=linking.len() {
            assert_eq!(
                last_mentions_in_parts(&v, as_of, &linking, part),
                whole,
                "parts of {part}"
            );
        }
        // Without the event, the same-day tie between the two journals.
        let before = crate::date::parse_date("2026-01-06").unwrap();
        let whole = last_mentions_in_parts(&v, before, &linking, usize::MAX);
        assert_eq!(
            whole[ann].map(|s| (s.1, s.2)),
            Some((at("journal/2026-01-05 b.md").unwrap(), 1))
        );
        for part in 1..=linking.len() {
            assert_eq!(
                last_mentions_in_parts(&v, before, &linking, part),
                whole,
                "parts of {part}"
            );
        }
    }
}
