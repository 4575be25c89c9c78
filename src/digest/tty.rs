//! The digest for people at a terminal: bold names, coloured headings, names
//! in a column with their reasons beside them, wrapped to the terminal's
//! width, no Markdown marks and no Mermaid (that is for files and pipes:
//! render.rs). Built from the same [`Digest`] as the Markdown.

use super::{Digest, ReminderKind};
use std::path::Path;

const SECTIONS: [(ReminderKind, &str); 5] = [
    (ReminderKind::FollowUp, "Follow up"),
    (ReminderKind::CheckIn, "Keep in touch"),
    (ReminderKind::Promise, "Promises"),
    (ReminderKind::Birthday, "Birthdays"),
    (ReminderKind::Event, "Upcoming events"),
];

/// The widest name column; a longer name pushes its reason along instead.
const NAME_COL: usize = 22;

/// One line of a section: a name, what to do, where to look, and notes.
struct Item {
    name: String,
    reason: String,
    at: String,
    notes: Vec<String>,
}

/// Renders the digest as text `width` columns wide. `paint(code, s)` adds an
/// SGR colour when colour is on; `shown` turns a vault path into what the
/// user should see.
pub fn text(
    d: &Digest,
    shown: &dyn Fn(&Path) -> String,
    paint: &dyn Fn(&str, &str) -> String,
    width: usize,
) -> String {
    let mut o = String::new();
    o.push_str(&paint("1", &format!("kith digest — {}", d.as_of)));
    o.push_str("\n\n");
    let mut any = false;
    for (kind, title) in SECTIONS {
        let rs: Vec<_> = d.reminders.iter().filter(|r| r.kind == kind).collect();
        if rs.is_empty() {
            continue;
        }
        any = true;
        heading(&mut o, title, paint);
        let mut group: Option<&str> = None;
        let mut items: Vec<(Option<String>, Item)> = Vec::new();
        for r in rs {
            let mut g = None;
            if kind == ReminderKind::FollowUp && r.group.as_deref() != group {
                group = r.group.as_deref();
                g = group.map(str::to_string);
            }
            let due = match kind {
                ReminderKind::FollowUp | ReminderKind::CheckIn => format!(" (due {})", r.due),
                _ => String::new(),
            };
            let mut notes: Vec<String> = r
                .starters
                .iter()
                .take(if kind == ReminderKind::Event { 4 } else { 2 })
                .cloned()
                .collect();
            if kind == ReminderKind::Event {
                notes.push(format!("before you go: kith brief \"{}\"", r.name));
            }
            items.push((
                g,
                Item {
                    name: r.name.clone(),
                    reason: format!("{}{due}", r.reason),
                    at: format!("{}:{}", shown(&r.path), r.line),
                    notes,
                },
            ));
        }
        let col = column(items.iter().map(|(_, i)| i));
        for (g, it) in &items {
            if let Some(g) = g {
                o.push_str(&format!("  {}\n", paint("3", g)));
            }
            item(&mut o, it, col, width, paint);
        }
        if kind == ReminderKind::CheckIn && d.more_check_ins > 0 {
            o.push_str(&format!(
                "  …and {} more: kith digest --all\n",
                d.more_check_ins
            ));
        }
        o.push('\n');
    }
    if !d.intros.is_empty() {
        any = true;
        heading(&mut o, "Introductions", paint);
        let items: Vec<Item> = d
            .intros
            .iter()
            .map(|s| Item {
                name: format!("{} ↔ {}", s.a, s.b),
                reason: s.reasons.join("; "),
                at: format!("{}, {}", shown(&s.a_path), shown(&s.b_path)),
                notes: Vec::new(),
            })
            .collect();
        let col = column(items.iter());
        for it in &items {
            item(&mut o, it, col, width, paint);
        }
        if d.more_intros > 0 {
            o.push_str(&format!(
                "  …and {} more: kith intros --all\n",
                d.more_intros
            ));
        }
        o.push('\n');
    }
    if !d.shares.is_empty() {
        any = true;
        heading(&mut o, "Share", paint);
        let items: Vec<Item> = d
            .shares
            .iter()
            .map(|s| Item {
                name: format!("{} → {}", s.resource, s.name),
                reason: s.reason.clone(),
                at: shown(&s.path),
                notes: Vec::new(),
            })
            .collect();
        let col = column(items.iter());
        for it in &items {
            item(&mut o, it, col, width, paint);
        }
        o.push('\n');
    }
    for sec in d.sections.iter().filter(|s| !s.items.is_empty()) {
        any = true;
        heading(&mut o, &sec.title, paint);
        for it in &sec.items {
            let at = match (&it.path, it.line) {
                (Some(p), Some(l)) => format!("{}:{l}", shown(p)),
                (Some(p), None) => shown(p),
                _ => String::new(),
            };
            for (i, l) in crate::text::wrap(&it.text, 4, 4, width).iter().enumerate() {
                o.push_str(if i == 0 { "  • " } else { "    " });
                o.push_str(l);
                o.push('\n');
            }
            if !at.is_empty() {
                o.push_str(&format!("    {}\n", paint("2", &at)));
            }
        }
        o.push('\n');
    }
    if !any {
        o.push_str("Nothing due today. A good day to reach out to someone just because.\n");
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

fn heading(o: &mut String, title: &str, paint: &dyn Fn(&str, &str) -> String) {
    o.push_str(&paint("1;36", title));
    o.push('\n');
}

fn width_of(s: &str) -> usize {
    s.chars().count()
}

fn column<'a>(items: impl Iterator<Item = &'a Item>) -> usize {
    items
        .map(|i| width_of(&i.name))
        .max()
        .unwrap_or(0)
        .min(NAME_COL)
}

/// `  Name          reason, wrapped under itself` then the place, dimmed,
/// and the notes, each under the reason.
fn item(o: &mut String, it: &Item, col: usize, width: usize, paint: &dyn Fn(&str, &str) -> String) {
    let name_w = width_of(&it.name);
    // Narrow terminals: the reason goes under the name rather than in a
    // column squeezed to nothing.
    let narrow = width < col + 30;
    let indent = if narrow { 4 } else { 2 + col + 2 };
    let first = if narrow || name_w > col {
        // The name on its own line(s), the reason below it.
        for l in crate::text::wrap(&it.name, 2, 2, width) {
            o.push_str("  ");
            o.push_str(&paint("1", &l));
            o.push('\n');
        }
        o.push_str(&" ".repeat(indent));
        indent
    } else {
        o.push_str("  ");
        o.push_str(&paint("1", &it.name));
        o.push_str(&" ".repeat(col - name_w + 2));
        indent
    };
    let pad = " ".repeat(indent);
    for (i, l) in crate::text::wrap(&it.reason, first, indent, width)
        .iter()
        .enumerate()
    {
        if i > 0 {
            o.push_str(&pad);
        }
        o.push_str(l);
        o.push('\n');
    }
    for n in &it.notes {
        for (i, l) in crate::text::wrap(n, indent + 2, indent + 2, width)
            .iter()
            .enumerate()
        {
            o.push_str(&pad);
            o.push_str(if i == 0 { "· " } else { "  " });
            o.push_str(l);
            o.push('\n');
        }
    }
    // Places stay whole (an editor's go-to-file needs them so); two that do
    // not fit on one line go on two.
    let places: Vec<&str> = if indent + width_of(&it.at) > width {
        it.at.split(", ").collect()
    } else {
        vec![it.at.as_str()]
    };
    for p in places {
        o.push_str(&pad);
        o.push_str(&paint("2", p));
        o.push('\n');
    }
}
