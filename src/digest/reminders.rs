//! Reminders: follow up, keep in touch, promises, birthdays, upcoming events.

use super::{Reminder, ReminderKind};
use crate::date::Date;
use crate::model::NoteKind;
use crate::vault::Vault;
use chrono::Datelike;

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

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

fn plural(n: i64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Every reminder as of `as_of` (unbudgeted), ordered by kind, then urgency.
pub fn reminders(vault: &Vault, as_of: Date) -> Vec<Reminder> {
    let mut out = Vec::new();
    follow_ups(vault, as_of, &mut out);
    check_ins(vault, as_of, &mut out);
    promises(vault, as_of, &mut out);
    birthdays(vault, as_of, &mut out);
    events(vault, as_of, &mut out);
    out.sort_by(|a, b| {
        // Follow-ups are grouped by the event where you met, events first.
        let group = |r: &Reminder| {
            (r.kind == ReminderKind::FollowUp).then(|| (r.group.is_none(), r.group.clone()))
        };
        a.kind
            .cmp(&b.kind)
            .then(group(a).cmp(&group(b)))
            .then(b.urgency.total_cmp(&a.urgency))
            .then(a.due.cmp(&b.due))
            .then(a.name.cmp(&b.name))
    });
    out
}

fn follow_ups(vault: &Vault, as_of: Date, out: &mut Vec<Reminder>) {
    let cfg = &vault.config;
    let due_days = cfg.usize_or("digest.follow_up_due_days", FOLLOW_UP_DUE_DAYS as usize) as i64;
    let expire = cfg.usize_or(
        "digest.follow_up_expire_days",
        FOLLOW_UP_EXPIRES_DAYS as usize,
    ) as i64;
    for (i, n, p) in vault.people() {
        let Some(met) = &p.met else { continue };
        let Some(m) = met.date else { continue };
        if as_of < m || as_of >= m + days(expire) {
            continue;
        }
        let touched = vault
            .touches(i)
            .iter()
            .any(|t| t.date > m && t.date <= as_of)
            || p.last_contact.is_some_and(|d| d > m && d <= as_of);
        if touched {
            continue;
        }
        let due = m + days(due_days);
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
        out.push(Reminder {
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
        });
    }
}

fn check_ins(vault: &Vault, as_of: Date, out: &mut Vec<Reminder>) {
    for (i, n, p) in vault.people() {
        let cadence = match p.cadence {
            Some(c) => c,
            None => match p.circle.and_then(|c| vault.config.circle_cadence(c)) {
                Some(c) => c,
                None => continue,
            },
        };
        if p.snooze_until.is_some_and(|s| s > as_of) {
            continue;
        }
        let Some(last) = vault.last_contact(i, as_of) else {
            continue;
        };
        let due = cadence.after(last.date);
        if due > as_of {
            continue;
        }
        let since = (as_of - last.date).num_days();
        let circle = p
            .circle
            .map(|c| format!("{} circle, ", c.as_str()))
            .unwrap_or_default();
        let mut starters = Vec::new();
        let entry = vault.notes[i].last_entry().filter(|e| e.date <= as_of);
        if let Some(e) = entry {
            let topic = if e.title.is_empty() {
                first_sentence(&vault.entry_text(i, e))
            } else {
                e.title.clone()
            };
            if !topic.is_empty() {
                starters.push(format!("last time ({}): {topic}", e.date));
            }
        }
        if let Some(need) = p.needs.first() {
            starters.push(format!("ask how it's going with {need}"));
        }
        let (path, line) = if last.path == n.path {
            (last.path.clone(), last.line)
        } else {
            (n.path.clone(), 1)
        };
        out.push(Reminder {
            kind: ReminderKind::CheckIn,
            name: p.name.clone(),
            path,
            line,
            due,
            reason: format!(
                "{circle}every {cadence}; last contact {} ({} ago)",
                last.date,
                plural(since, "day")
            ),
            starters,
            group: None,
            people: Vec::new(),
            urgency: since as f64 / cadence.approx_days(),
        });
    }
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
    // One reminder per promise, naming everyone it is owed to.
    let mut owed: Vec<((usize, usize), Vec<String>, &crate::model::Promise)> = Vec::new();
    let mut at_of: std::collections::HashMap<(usize, usize), usize> =
        std::collections::HashMap::new();
    for (who, at, pr) in vault.promises() {
        if pr.done {
            continue;
        }
        let key = (at, pr.line);
        let name = vault.notes[who].title.clone();
        match at_of.get(&key) {
            Some(&k) => owed[k].1.push(name),
            None => {
                at_of.insert(key, owed.len());
                owed.push((key, vec![name], pr));
            }
        }
    }
    for ((at, _), names, pr) in owed {
        let name = names.join(" & ");
        let note = &vault.notes[at];
        let (due, reason) = match pr.due {
            Some(d) if d <= as_of + days(ahead) => {
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
            Some(_) => continue,
            None => match pr.created {
                Some(c) if c + days(undated) <= as_of => (
                    c + days(undated),
                    format!(
                        "you promised: {} (open since {c}, {} ago)",
                        clean_task(&pr.text),
                        plural((as_of - c).num_days(), "day")
                    ),
                ),
                _ => continue,
            },
        };
        out.push(Reminder {
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
        });
    }
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
    words.join(" ").replace("[[", "").replace("]]", "")
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
        if date < as_of || date > as_of + days(AHEAD_DAYS) {
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
                        vault.notes[*i].last_entry().map(|e| {
                            format!(
                                "last talked about {}",
                                if e.title.is_empty() {
                                    first_sentence(&vault.entry_text(*i, e))
                                } else {
                                    e.title.clone()
                                }
                            )
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
        });
    }
}
