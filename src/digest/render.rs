//! The digest as Markdown: short lines, each ending with `path:line`, and a
//! Mermaid graph of the suggested introductions.

use super::{Digest, IntroSuggestion, ReminderKind};
use std::fmt::Write;
use std::path::Path;

const SECTIONS: [(ReminderKind, &str); 6] = [
    (ReminderKind::FollowUp, "Follow up"),
    (ReminderKind::CheckIn, "Keep in touch"),
    (ReminderKind::Promise, "Promises"),
    (ReminderKind::Birthday, "Birthdays"),
    (ReminderKind::Event, "Upcoming events"),
    (ReminderKind::Intro, "Introductions in progress"),
];

/// Renders the digest. `shown` turns a vault-relative path into what the user
/// should see (relative to their working folder).
pub fn markdown(d: &Digest, shown: &dyn Fn(&Path) -> String) -> String {
    let mut o = String::new();
    let _ = markdown_into(d, shown, &mut o);
    o
}

/// What was written last, for the one rule that looks back (a blank line
/// before a group's title): the rendering can then go straight to its
/// destination instead of into one string of the whole digest (7 MB at
/// 100k people, at the digest's peak memory).
struct Tail<'w, W: Write> {
    out: &'w mut W,
    last: [u8; 2],
}

impl<W: Write> Tail<'_, W> {
    fn ends_with_blank_line(&self) -> bool {
        self.last == *b"\n\n"
    }

    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        let _ = self.write_str(c.encode_utf8(&mut b));
    }

    fn push_str(&mut self, s: &str) {
        let _ = self.write_str(s);
    }
}

impl<W: Write> Write for Tail<'_, W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        match s.as_bytes() {
            [] => {}
            [c] => self.last = [self.last[1], *c],
            [.., a, b] => self.last = [*a, *b],
        }
        self.out.write_str(s)
    }
}

/// [`markdown`], written to `out` as it is made.
pub fn markdown_into(
    d: &Digest,
    shown: &dyn Fn(&Path) -> String,
    out: &mut impl Write,
) -> std::fmt::Result {
    let mut o = Tail { out, last: [0; 2] };
    let _ = writeln!(o, "# kith digest — {}\n", d.as_of);
    let mut any = false;
    for (kind, title) in SECTIONS {
        let items: Vec<_> = d.reminders.iter().filter(|r| r.kind == kind).collect();
        let more = if kind == ReminderKind::CheckIn {
            d.more_check_ins
        } else {
            0
        };
        if items.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(o, "## {title}\n");
        let mut group: Option<&str> = None;
        for r in items {
            if kind == ReminderKind::FollowUp && r.group.as_deref() != group {
                group = r.group.as_deref();
                if let Some(g) = group {
                    if !o.ends_with_blank_line() {
                        o.push('\n');
                    }
                    let _ = writeln!(o, "**{g}**\n");
                }
            }
            let due = match kind {
                ReminderKind::FollowUp | ReminderKind::CheckIn => format!(" (due {})", r.due),
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "- **{}** — {}{due} — {}:{}",
                r.name,
                r.reason,
                shown(&r.path),
                r.line
            );
            for s in r
                .starters
                .iter()
                .take(if kind == ReminderKind::Event { 4 } else { 2 })
            {
                let _ = writeln!(o, "  - {s}");
            }
            if kind == ReminderKind::Event {
                let _ = writeln!(o, "  - before you go: `kith brief \"{}\"`", r.name);
            }
        }
        if more > 0 {
            let _ = writeln!(o, "- …and {more} more — `kith digest --all`");
        }
        o.push('\n');
    }
    if !d.intros.is_empty() {
        any = true;
        let _ = writeln!(o, "## Introductions\n");
        for s in &d.intros {
            let _ = writeln!(
                o,
                "- **{}** ↔ **{}** — {} — {}:1, {}:1",
                s.a,
                s.b,
                s.reasons.join("; "),
                shown(&s.a_path),
                shown(&s.b_path)
            );
        }
        if d.more_intros > 0 {
            let _ = writeln!(o, "- …and {} more — `kith intros --all`", d.more_intros);
        }
        o.push('\n');
    }
    if !d.shares.is_empty() {
        any = true;
        let _ = writeln!(o, "## Share\n");
        for s in &d.shares {
            let url = s
                .url
                .as_ref()
                .map(|u| format!(" <{u}>"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "- **{}**{url} → {}: {} — {}:1",
                s.resource,
                s.name,
                s.reason,
                shown(&s.path)
            );
        }
        o.push('\n');
    }
    for sec in &d.sections {
        if sec.items.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(o, "## {}\n", sec.title);
        for it in &sec.items {
            let at = match (&it.path, it.line) {
                (Some(p), Some(l)) => format!(" — {}:{l}", shown(p)),
                (Some(p), None) => format!(" — {}", shown(p)),
                _ => String::new(),
            };
            let _ = writeln!(o, "- {}{at}", it.text);
        }
        o.push('\n');
    }
    if !any {
        o.push_str("Nothing due today. A good day to reach out to someone just because.\n\n");
    }
    if !d.intros.is_empty() {
        o.push_str(&mermaid(&d.intros));
    }
    Ok(())
}

/// Cuts a label at a word boundary, adding "…" when it was cut.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split_whitespace() {
        if out.chars().count() + w.chars().count() + 1 > max.saturating_sub(1) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = s.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('…');
    out
}

/// A Mermaid graph of introductions (renders on GitHub and in Obsidian).
/// Node ids are numbered per distinct name, so "Dup Name" and "Dup-Name"
/// stay two nodes.
pub fn mermaid(intros: &[IntroSuggestion]) -> String {
    let mut ids: Vec<String> = Vec::new();
    let mut id = |s: &str| -> String {
        let i = ids.iter().position(|x| x == s).unwrap_or_else(|| {
            ids.push(s.to_string());
            ids.len() - 1
        });
        format!("p{i}")
    };
    let label = |s: &str| s.replace('"', "'");
    let mut o = String::from("```mermaid\ngraph LR\n");
    for s in intros {
        let why = s
            .reasons
            .first()
            .map(|r| {
                r.split(';')
                    .next()
                    .unwrap_or(r)
                    .replace(['"', '“', '”'], "'")
            })
            .unwrap_or_default();
        let why = short(&why, 40);
        let (ia, ib) = (id(&s.a), id(&s.b));
        let _ = writeln!(
            o,
            "  {ia}[\"{}\"] ---|\"{}\"| {ib}[\"{}\"]",
            label(&s.a),
            why,
            label(&s.b)
        );
    }
    o.push_str("```\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str, why: &str) -> IntroSuggestion {
        IntroSuggestion {
            a: a.into(),
            b: b.into(),
            a_path: "a.md".into(),
            b_path: "b.md".into(),
            score: 1.0,
            reasons: vec![why.into()],
            need: None,
            planned: Vec::new(),
        }
    }

    #[test]
    fn names_that_slug_alike_stay_two_nodes_and_labels_end_on_a_word() {
        let m = mermaid(&[
            s("Dup Name", "Other", "x"),
            s(
                "Dup-Name",
                "Other",
                "a reason long enough to be cut somewhere in the middle",
            ),
        ]);
        assert!(
            m.contains("p0[\"Dup Name\"]") && m.contains("p2[\"Dup-Name\"]"),
            "{m}"
        );
        assert!(m.contains("\"a reason long enough to be cut…\""), "{m}");
    }
}
