//! Dates, cadences and birthdays as the note format writes them.
//!
//! Dates are ISO `YYYY-MM-DD`. Parsing never panics and says *why* a date is
//! impossible, so `kith check` can tell the user how to fix it.

use chrono::{Datelike, Months, NaiveDate};
use std::fmt;

pub use chrono::NaiveDate as Date;

/// Why a date, cadence or birthday did not parse. The message is user-facing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn digits(s: &str) -> Option<u32> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Checks month and day; `year` None means "any year" (a birthday without year,
/// where 29 February is allowed).
fn check_month_day(year: Option<i32>, month: u32, day: u32, text: &str) -> Result<(), DateError> {
    if !(1..=12).contains(&month) {
        return Err(DateError(format!(
            "impossible date `{text}`: there is no month {month}"
        )));
    }
    let max = match year {
        Some(y) => days_in_month(y, month),
        None if month == 2 => 29,
        None => days_in_month(2001, month),
    };
    if day == 0 || day > max {
        let in_year = year.map(|y| format!(" {y}")).unwrap_or_default();
        return Err(DateError(format!(
            "impossible date `{text}`: {}{in_year} has {max} days",
            MONTHS[(month - 1) as usize]
        )));
    }
    Ok(())
}

/// Parses `YYYY-MM-DD`. A date-time (`2026-11-21T10:30:00` or `2026-11-21 10:30`)
/// is accepted and its date part kept, since Obsidian writes those.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let t = s.trim();
    let date_part = t.get(..10).unwrap_or(t);
    let rest = t.get(10..).unwrap_or("");
    let well_formed_rest =
        rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ') || rest.starts_with('t');
    let parts: Vec<&str> = date_part.split('-').collect();
    let shape_ok = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && well_formed_rest;
    let (Some(y), Some(m), Some(d)) = (
        parts.first().and_then(|p| digits(p)),
        parts.get(1).and_then(|p| digits(p)),
        parts.get(2).and_then(|p| digits(p)),
    ) else {
        return Err(DateError(format!(
            "`{t}` is not a date: write dates as YYYY-MM-DD"
        )));
    };
    if !shape_ok {
        return Err(DateError(format!(
            "`{t}` is not a date: write dates as YYYY-MM-DD"
        )));
    }
    let year = y as i32;
    check_month_day(Some(year), m, d, date_part)?;
    NaiveDate::from_ymd_opt(year, m, d)
        .ok_or_else(|| DateError(format!("impossible date `{date_part}`")))
}

/// `d` plus `n` days (minus, when negative), clamped to the calendar's ends:
/// date arithmetic on user settings must never overflow (`+` panics).
pub fn add_days(d: Date, n: i64) -> Date {
    let magnitude = chrono::Days::new(n.unsigned_abs());
    if n >= 0 {
        d.checked_add_days(magnitude).unwrap_or(NaiveDate::MAX)
    } else {
        d.checked_sub_days(magnitude).unwrap_or(NaiveDate::MIN)
    }
}

/// Finds a `YYYY-MM-DD` at the very start of `s` and returns it with the rest.
pub fn leading_date(s: &str) -> Option<(Date, &str)> {
    let head = s.get(..10)?;
    let b = head.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if let Some(next) = s.as_bytes().get(10)
        && next.is_ascii_digit()
    {
        return None;
    }
    parse_date(head).ok().map(|d| (d, &s[10..]))
}

/// A keep-in-touch interval: `14d`, `2w`, `3m`, `1y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Days(u32),
    Months(u32),
}

impl Cadence {
    pub fn parse(s: &str) -> Result<Cadence, DateError> {
        let t = s.trim();
        let bad = || DateError(format!("`{t}` is not a cadence"));
        let unit = t.chars().last().ok_or_else(bad)?;
        let n = digits(t[..t.len() - unit.len_utf8()].trim()).ok_or_else(bad)?;
        if n == 0 {
            return Err(DateError(format!(
                "`{t}` is not a cadence: it must be at least one day"
            )));
        }
        if n > 100_000 {
            return Err(DateError(format!("`{t}` is too long a cadence")));
        }
        match unit.to_ascii_lowercase() {
            'd' => Ok(Cadence::Days(n)),
            'w' => Ok(Cadence::Days(n * 7)),
            'm' => Ok(Cadence::Months(n)),
            'y' => Ok(Cadence::Months(n * 12)),
            _ => Err(bad()),
        }
    }

    /// The date one cadence after `from` (month ends clamp: Jan 31 + 1m = Feb 28).
    pub fn after(self, from: Date) -> Date {
        match self {
            Cadence::Days(n) => from
                .checked_add_days(chrono::Days::new(u64::from(n)))
                .unwrap_or(NaiveDate::MAX),
            Cadence::Months(n) => from
                .checked_add_months(Months::new(n))
                .unwrap_or(NaiveDate::MAX),
        }
    }

    /// Approximate length in days, for ranking how overdue someone is.
    pub fn approx_days(self) -> f64 {
        match self {
            Cadence::Days(n) => f64::from(n),
            Cadence::Months(n) => f64::from(n) * 30.44,
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Cadence::Days(n) if n % 7 == 0 => write!(f, "{}w", n / 7),
            Cadence::Days(n) => write!(f, "{n}d"),
            Cadence::Months(n) if n % 12 == 0 => write!(f, "{}y", n / 12),
            Cadence::Months(n) => write!(f, "{n}m"),
        }
    }
}

/// A birthday: a full date, or month and day only (`--MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Birthday {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
}

impl Birthday {
    pub fn parse(s: &str) -> Result<Birthday, DateError> {
        let t = s.trim();
        if let Some(md) = t.strip_prefix("--") {
            let (m, d) = md
                .split_once('-')
                .and_then(|(m, d)| Some((digits(m)?, digits(d)?)))
                .filter(|_| md.len() == 5)
                .ok_or_else(|| {
                    DateError(format!(
                        "`{t}` is not a birthday: write YYYY-MM-DD, or --MM-DD without the year"
                    ))
                })?;
            check_month_day(None, m, d, t)?;
            return Ok(Birthday {
                year: None,
                month: m,
                day: d,
            });
        }
        let d = parse_date(t)?;
        Ok(Birthday {
            year: Some(d.year()),
            month: d.month(),
            day: d.day(),
        })
    }

    /// The birthday's date in `year`; 29 February falls on 28 February in other years.
    pub fn in_year(self, year: i32) -> Date {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The next occurrence on or after `from`.
    pub fn next_on_or_after(self, from: Date) -> Date {
        let this = self.in_year(from.year());
        if this >= from {
            this
        } else {
            self.in_year(from.year() + 1)
        }
    }
}

impl fmt::Display for Birthday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Some(y) => write!(f, "{y:04}-{:02}-{:02}", self.month, self.day),
            None => write!(f, "--{:02}-{:02}", self.month, self.day),
        }
    }
}

/// Resolves a date as people say it, relative to `today`: `today`,
/// `yesterday`, `tomorrow`, a weekday (`friday`, `fri`: the next one after
/// today; `last friday`: the latest one before today), `+3d`, `+2w`, `-1d`,
/// `-2w`, or an ISO `YYYY-MM-DD`. Case is ignored; anything else is `None`.
pub fn parse_relative(s: &str, today: Date) -> Option<Date> {
    let t = s.trim().to_ascii_lowercase();
    match t.as_str() {
        "today" => return Some(today),
        "yesterday" => return today.pred_opt(),
        "tomorrow" => return today.succ_opt(),
        _ => {}
    }
    if let Some(rest) = t.strip_prefix('+').or_else(|| t.strip_prefix('-')) {
        let unit = rest.chars().last()?;
        let n = i64::from(digits(&rest[..rest.len() - unit.len_utf8()])?);
        let days = match unit {
            'd' => n,
            'w' => n.checked_mul(7)?,
            _ => return None,
        };
        let delta = chrono::Duration::try_days(days)?;
        return if t.starts_with('-') {
            today.checked_sub_signed(delta)
        } else {
            today.checked_add_signed(delta)
        };
    }
    let (back, day) = match t.strip_prefix("last ") {
        Some(d) => (true, d.trim()),
        None => (false, t.as_str()),
    };
    if let Some(wd) = weekday(day) {
        let now = i64::from(today.weekday().num_days_from_monday());
        let want = i64::from(wd.num_days_from_monday());
        let step = if back {
            -((now - want + 6).rem_euclid(7) + 1)
        } else {
            (want - now + 6).rem_euclid(7) + 1
        };
        return today.checked_add_signed(chrono::Duration::days(step));
    }
    if back {
        return None;
    }
    parse_date(&t).ok()
}

fn weekday(s: &str) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    const DAYS: [(&str, chrono::Weekday); 7] = [
        ("monday", Mon),
        ("tuesday", Tue),
        ("wednesday", Wed),
        ("thursday", Thu),
        ("friday", Fri),
        ("saturday", Sat),
        ("sunday", Sun),
    ];
    DAYS.iter()
        .find(|(name, _)| s.len() >= 3 && name.starts_with(s))
        .map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn impossible_dates_say_why() {
        assert_eq!(
            parse_date("2026-02-30").unwrap_err().0,
            "impossible date `2026-02-30`: February 2026 has 28 days"
        );
        assert!(
            parse_date("2026-13-45")
                .unwrap_err()
                .0
                .contains("no month 13")
        );
        assert!(parse_date("26-1-1").is_err());
        assert!(parse_date("2026-1-01").is_err());
        assert_eq!(d("2028-02-29").day(), 29);
        assert_eq!(d("2026-11-21T10:30:00"), d("2026-11-21"));
    }

    #[test]
    fn leading_dates() {
        assert_eq!(leading_date("2026-11-21 · dinner").unwrap().1, " · dinner");
        assert!(leading_date("2026-11-211").is_none());
        assert!(leading_date("Log").is_none());
        assert!(leading_date("2026-1").is_none());
    }

    #[test]
    fn cadences() {
        assert_eq!(Cadence::parse("2w").unwrap(), Cadence::Days(14));
        assert_eq!(Cadence::parse("1y").unwrap(), Cadence::Months(12));
        assert!(Cadence::parse("0d").is_err());
        assert!(Cadence::parse("weekly").is_err());
        assert!(Cadence::parse("").is_err());
        assert!(Cadence::parse("3x").is_err());
        assert_eq!(Cadence::Months(1).after(d("2026-01-31")), d("2026-02-28"));
    }

    #[test]
    fn birthdays() {
        let b = Birthday::parse("--02-29").unwrap();
        assert_eq!(b.in_year(2027), d("2027-02-28"));
        assert_eq!(b.in_year(2028), d("2028-02-29"));
        assert!(Birthday::parse("--02-30").is_err());
        assert!(Birthday::parse("--13-01").is_err());
        let full = Birthday::parse("1990-12-01").unwrap();
        assert_eq!(full.next_on_or_after(d("2026-12-02")), d("2027-12-01"));
        assert_eq!(full.to_string(), "1990-12-01");
    }

    #[test]
    fn relative_dates() {
        let today = d("2026-11-20"); // a Friday
        let r = |s: &str| parse_relative(s, today);
        assert_eq!(r("today"), Some(today));
        assert_eq!(r("Yesterday"), Some(d("2026-11-19")));
        assert_eq!(r("tomorrow"), Some(d("2026-11-21")));
        assert_eq!(r("friday"), Some(d("2026-11-27")));
        assert_eq!(r("mon"), Some(d("2026-11-23")));
        assert_eq!(r("last friday"), Some(d("2026-11-13")));
        assert_eq!(r("last thu"), Some(d("2026-11-19")));
        assert_eq!(r("+3d"), Some(d("2026-11-23")));
        assert_eq!(r("+2w"), Some(d("2026-12-04")));
        assert_eq!(r("-1d"), Some(d("2026-11-19")));
        assert_eq!(r("2026-12-01"), Some(d("2026-12-01")));
        for bad in [
            "",
            "fr",
            "someday",
            "+d",
            "+3x",
            "3d",
            "2026-02-30",
            "+99999999999d",
        ] {
            assert_eq!(r(bad), None, "{bad}");
        }
    }
}
