//! A circle you can keep up with: the check-ins your cadences ask for, per
//! circle, against the check-ins you actually logged lately; and a concrete
//! way back when a circle has grown beyond that. Rules: docs/give.md.

use super::{Section, SectionItem};
use crate::date::{Cadence, Date};
use crate::model::Circle;
use crate::vault::Vault;
use chrono::Datelike;
use serde::Serialize;
use std::path::PathBuf;

/// The check-ins you logged are counted over this many days.
pub const LOAD_DAYS: i64 = 90;
/// Days in an average month, to turn cadences into check-ins per month.
const MONTH: f64 = 30.44;
/// A circle with fewer people (with a cadence) is never called too big: the
/// check-in reminders alone keep a handful of people in view.
pub const MIN_PEOPLE: usize = 5;
/// Too big when the cadences ask for more than this many times what you
/// logged…
const OVER_FACTOR: f64 = 1.5;
/// …and at least this many check-ins a month more.
const OVER_GAP: f64 = 2.0;
/// The suggestion aims at this many times what you logged (at least one a month).
const TARGET_FACTOR: f64 = 1.25;

/// One person in a circle, as `kith circle` shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub name: String,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    #[serde(serialize_with = "ser_cadence")]
    pub cadence: Option<Cadence>,
    pub last_contact: Option<Date>,
    /// When a check-in is (or was) due; None without cadence or last contact.
    pub due: Option<Date>,
    pub overdue: bool,
}

fn ser_cadence<S: serde::Serializer>(c: &Option<Cadence>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_str(&c.to_string()),
        None => s.serialize_none(),
    }
}

/// One circle and its load.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CircleLoad {
    /// `close`, `active`, `acquaintance`, `dormant`, or `none` (no circle).
    pub circle: String,
    pub count: usize,
    /// Each cadence in use, with how many people have it ("none" for none).
    pub cadences: Vec<(String, usize)>,
    pub members: Vec<Member>,
    /// Check-ins per month the cadences ask for (snoozed people left out).
    pub asked_per_month: f64,
    /// Check-ins per month you logged over the last LOAD_DAYS days.
    pub kept_per_month: f64,
    /// Beyond what you keep up with.
    pub over: bool,
    /// What to do about it, when `over`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

fn circle_name(c: Option<Circle>) -> &'static str {
    c.map_or("none", Circle::as_str)
}

fn next_circle(c: Option<Circle>) -> Option<Circle> {
    match c? {
        Circle::Close => Some(Circle::Active),
        Circle::Active => Some(Circle::Acquaintance),
        Circle::Acquaintance | Circle::Dormant => Some(Circle::Dormant),
    }
}

fn per_month(c: Option<Cadence>) -> f64 {
    c.map_or(0.0, |c| MONTH / c.approx_days().max(1.0))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Every circle with at least one person, closest first.
pub fn circles(vault: &Vault, as_of: Date) -> Vec<CircleLoad> {
    let order = [
        Some(Circle::Close),
        Some(Circle::Active),
        Some(Circle::Acquaintance),
        Some(Circle::Dormant),
        None,
    ];
    let mut out = Vec::new();
    for c in order {
        let mut members = Vec::new();
        let (mut asked, mut kept) = (0.0, 0.0);
        // (last contact, per-month rate) of each counted person, for the suggestion.
        let mut counted: Vec<(Option<Date>, f64, String)> = Vec::new();
        for (i, n, p) in vault.people().filter(|(_, _, p)| p.circle == c) {
            let cadence = p
                .cadence
                .or_else(|| p.circle.and_then(|c| vault.config.circle_cadence(c)));
            let last = vault.last_contact(i, as_of).map(|t| t.date);
            let snoozed = p.snooze_until.is_some_and(|s| s > as_of);
            let due = cadence.zip(last).map(|(c, l)| c.after(l));
            members.push(Member {
                name: p.name.clone(),
                path: n.path.clone(),
                cadence,
                last_contact: last,
                due,
                overdue: !snoozed && due.is_some_and(|d| d <= as_of),
            });
            let Some(cad) = cadence.filter(|_| !snoozed) else {
                continue;
            };
            asked += per_month(Some(cad));
            // Distinct contact days in the window, no more than the cadence
            // asks for: ten coffees with one friend do not keep up the others.
            let from = as_of - chrono::Duration::days(LOAD_DAYS);
            let mut days: Vec<Date> = vault
                .touches(i)
                .iter()
                .map(|t| t.date)
                .chain(p.last_contact)
                .filter(|d| *d > from && *d <= as_of)
                .collect();
            days.sort_unstable();
            days.dedup();
            let cap = (LOAD_DAYS as f64 / cad.approx_days().max(1.0)).ceil() as usize;
            kept += days.len().min(cap.max(1)) as f64;
            counted.push((last, per_month(Some(cad)), p.name.clone()));
        }
        if members.is_empty() {
            continue;
        }
        let kept = kept / (LOAD_DAYS as f64 / MONTH);
        let mut cadences: Vec<(String, usize)> = Vec::new();
        for m in &members {
            let k = m.cadence.map_or("none".to_string(), |c| c.to_string());
            match cadences.iter_mut().find(|(x, _)| *x == k) {
                Some(e) => e.1 += 1,
                None => cadences.push((k, 1)),
            }
        }
        cadences.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let over =
            counted.len() >= MIN_PEOPLE && asked > kept * OVER_FACTOR && asked - kept >= OVER_GAP;
        let suggestion = over.then(|| suggest(c, asked, kept, &mut counted));
        out.push(CircleLoad {
            circle: circle_name(c).to_string(),
            count: members.len(),
            cadences,
            members,
            asked_per_month: round1(asked),
            kept_per_month: round1(kept),
            over,
            suggestion,
        });
    }
    out
}

/// "Move the N longest-untouched to `active`, or lengthen the cadence to X".
fn suggest(
    c: Option<Circle>,
    asked: f64,
    kept: f64,
    counted: &mut [(Option<Date>, f64, String)],
) -> String {
    let target = kept.max(1.0) * TARGET_FACTOR;
    let name = circle_name(c);
    // Longest untouched first: never contacted, then oldest last contact.
    counted.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
    let mut parts = Vec::new();
    if let Some(next) = next_circle(c) {
        // The circle's own load once they have moved out of it.
        let (mut load, mut n) = (asked, 0);
        for (_, rate, _) in counted.iter() {
            if load <= target {
                break;
            }
            load -= rate;
            n += 1;
        }
        if n > 0 && n < counted.len() {
            let names: Vec<&str> = counted
                .iter()
                .take(n.min(3))
                .map(|x| x.2.as_str())
                .collect();
            let more = if n > 3 { ", …" } else { "" };
            parts.push(format!(
                "move the {n} longest-untouched ({}{more}) to `{}`",
                names.join(", "),
                next.as_str()
            ));
        }
    }
    // The one cadence for everyone in the circle that fits the target.
    let days = (counted.len() as f64 * MONTH / target).ceil() as u32;
    let weeks = days.div_ceil(7).max(1);
    parts.push(format!(
        "lengthen the {name} cadence to {weeks}w (`cadence: {{{name}: {weeks}w}}` in .kith/config.yaml, and on notes with their own `cadence`)"
    ));
    let mut s = parts.join(", or ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s
}

/// The digest's one line about circle load: only on Mondays (the as-of
/// date's weekday), so it is said once a week at most, with no state kept,
/// and any digest can be reproduced with `--as-of`.
pub fn notice(vault: &Vault, as_of: Date) -> Option<Section> {
    if as_of.weekday() != chrono::Weekday::Mon {
        return None;
    }
    let items: Vec<SectionItem> = circles(vault, as_of)
        .into_iter()
        .filter(|c| c.over)
        .map(|c| SectionItem {
            text: format!(
                "Your {} circle ({} people) asks for about {} check-ins a month; you logged about {} a month in the last {LOAD_DAYS} days. {}. See `kith circle`.",
                c.circle,
                c.count,
                c.asked_per_month.round(),
                c.kept_per_month.round(),
                c.suggestion.unwrap_or_default()
            ),
            path: None,
            line: None,
        })
        .collect();
    (!items.is_empty()).then(|| Section {
        title: "Your circles".into(),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::reciprocity::tests::vault;

    fn d(s: &str) -> Date {
        crate::date::parse_date(s).unwrap()
    }

    fn close_circle(n: usize, logged: usize) -> Vault {
        let notes: Vec<(String, String)> = (0..n)
            .map(|k| {
                let log = if k < logged {
                    "## Log\n### 2026-09-01 · call\n### 2026-10-01 · call\n### 2026-11-01 · call\n"
                } else {
                    ""
                };
                (
                    format!("people/p{k:02}.md"),
                    format!("---\nname: Person {k:02}\ncircle: close\nlast_contact: 2026-0{}-01\n---\n{log}", 1 + k % 8),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = notes
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        vault(&refs)
    }

    #[test]
    fn a_big_close_circle_with_few_check_ins_is_over() {
        let v = close_circle(12, 2);
        let c = circles(&v, d("2026-11-23"));
        let close = &c[0];
        assert_eq!(close.circle, "close");
        assert_eq!(close.count, 12);
        assert!((close.asked_per_month - 12.2).abs() < 0.2, "{close:?}");
        assert!((close.kept_per_month - 2.0).abs() < 0.1, "{close:?}");
        assert!(close.over);
        let s = close.suggestion.as_deref().unwrap();
        assert!(
            s.contains("Move the 10 longest-untouched (Person 08, Person 09, Person 02, …)"),
            "{s}"
        );
        assert!(s.contains("to `active`"), "{s}");
        assert!(s.contains("lengthen the close cadence to 21w"), "{s}");
        assert_eq!(close.members.iter().filter(|m| m.overdue).count(), 10);
    }

    #[test]
    fn a_small_or_kept_up_circle_is_not_over() {
        assert!(!circles(&close_circle(4, 0), d("2026-11-23"))[0].over);
        assert!(!circles(&close_circle(6, 6), d("2026-11-23"))[0].over);
    }

    #[test]
    fn the_notice_comes_on_mondays_only() {
        let v = close_circle(12, 0);
        assert!(notice(&v, d("2026-11-23")).is_some()); // a Monday
        for day in 24..=29 {
            assert!(notice(&v, d(&format!("2026-11-{day}"))).is_none());
        }
    }
}
