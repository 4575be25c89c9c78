//! Relative due dates in a log entry's task items, made absolute when the
//! entry is written: `- [ ] send the guide 📅 friday` is stored with the ISO
//! date, so the note means the same thing next week and in any other tool.

use crate::date::{Date, parse_date, parse_relative};

/// The due-date markers the note format reads (see `note.rs`).
const MARKERS: [&str; 2] = ["📅", "due:"];

/// Is this line a Markdown task item (`- [ ]`, `* [x]`, `+ [ ]`)?
fn is_task(line: &str) -> bool {
    let t = line.trim_start();
    let Some(rest) = t.strip_prefix(['-', '*', '+']) else {
        return false;
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.len() < t.len() - 1 && rest.starts_with('[') && rest.get(2..3) == Some("]")
}

/// Rewrites relative due dates (`📅 friday`, `due:+3d`, `📅 last mon`) in
/// task items to `YYYY-MM-DD`, relative to `today`. ISO dates and every other
/// byte stay as they are. Returns the text and a warning for each due date
/// that is neither.
pub fn resolve_due_dates(text: &str, today: Date) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut warnings = Vec::new();
    for line in text.split_inclusive('\n') {
        if !is_task(line) {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some((at, m)) = MARKERS
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, *m)))
            .min()
        {
            let after_marker = at + m.len();
            out.push_str(&rest[..after_marker]);
            rest = &rest[after_marker..];
            let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            out.push_str(&rest[..gap]);
            rest = &rest[gap..];
            let word_end = |s: &str| s.find(char::is_whitespace).unwrap_or(s.len());
            let mut end = word_end(rest);
            if rest[..end].eq_ignore_ascii_case("last") {
                let more = &rest[end..];
                let sp = more.len() - more.trim_start_matches(' ').len();
                if sp > 0 {
                    end += sp + word_end(&more[sp..]);
                }
            }
            let token = rest[..end].trim_end_matches([',', '.', ';', ')']);
            if token.is_empty()
                || parse_date(token).is_ok()
                || crate::date::leading_date(token).is_some()
            {
                continue;
            }
            match parse_relative(token, today) {
                Some(d) => {
                    out.push_str(&d.to_string());
                    rest = &rest[token.len()..];
                }
                None => warnings.push(format!(
                    "`{}{}` is not a date; written as is\n  hint: write YYYY-MM-DD, today, tomorrow, friday, +3d or +2w",
                    m.trim_end(),
                    if m == "📅" { format!(" {token}") } else { token.to_string() }
                )),
            }
        }
        out.push_str(rest);
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        let today = parse_date("2026-11-20").unwrap(); // a Friday
        resolve_due_dates(s, today).0
    }

    #[test]
    fn relative_due_dates_become_iso_in_tasks_only() {
        assert_eq!(
            r("- [ ] send the guide 📅 friday\n"),
            "- [ ] send the guide 📅 2026-11-27\n"
        );
        assert_eq!(
            r("- [ ] call due:+3d, then"),
            "- [ ] call due:2026-11-23, then"
        );
        assert_eq!(r("* [ ] x 📅 tomorrow"), "* [ ] x 📅 2026-11-21");
        assert_eq!(r("- [ ] x 📅 last mon"), "- [ ] x 📅 2026-11-16");
        assert_eq!(r("- [ ] x due:2026-12-01"), "- [ ] x due:2026-12-01");
        assert_eq!(r("- [ ] x 📅 2026-12-01 ok"), "- [ ] x 📅 2026-12-01 ok");
        assert_eq!(r("Prose 📅 friday stays.\n"), "Prose 📅 friday stays.\n");
        assert_eq!(r("- not a task 📅 friday"), "- not a task 📅 friday");
        assert_eq!(
            r("- [ ] a 📅 today b due:-1d\r\n"),
            "- [ ] a 📅 2026-11-20 b due:2026-11-19\r\n"
        );
        let today = parse_date("2026-11-20").unwrap();
        let (t, w) = resolve_due_dates("- [ ] x 📅 someday", today);
        assert_eq!(t, "- [ ] x 📅 someday");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("📅 someday"), "{w:?}");
    }
}
