//! The body: headings, dated log entries, tasks and promises, read from
//! pulldown-cmark's events with their offsets.

use super::*;

pub(super) enum EvKind {
    Image,
    Other,
}

/// `[/]` (in progress) or `[-]` (cancelled) at the start of a list item, the
/// Tasks plugin's statuses beyond GitHub's `[ ]` and `[x]`.
pub(super) fn tasks_status(text: &str) -> Option<TaskStatus> {
    let rest = text.get(3..)?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    match text.get(..3)? {
        "[/]" => Some(TaskStatus::InProgress),
        "[-]" => Some(TaskStatus::Cancelled),
        _ => None,
    }
}

pub(super) struct Heading {
    level: u8,
    text: String,
    start: usize,
    /// Offset just past the heading's line.
    content_start: usize,
}

pub(super) struct Item {
    start: usize,
    task: Option<TaskStatus>,
    text: String,
    links: Vec<String>,
}

pub(super) fn scan_body(text: &str, body_offset: usize, starts: &[usize], note: &mut Note) {
    let body = &text[body_offset..];
    // The same blocks as the editor sees (`markdown.rs`), or a write could
    // land where the parser sees something else.
    let opts = crate::markdown::options();
    let mut headings: Vec<Heading> = Vec::new();
    let mut heading: Option<Heading> = None;
    let mut items: Vec<Item> = Vec::new();
    let mut promises: Vec<(Promise, usize)> = Vec::new();
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut tags: Vec<(String, usize)> = Vec::new();
    let mut in_code = 0usize;
    let mut in_wikilink = false;
    for (ev, range) in Parser::new_ext(body, opts).into_offset_iter() {
        let at = body_offset + range.start;
        let ev_kind = if matches!(ev, Md::Start(Tag::Image { .. })) {
            EvKind::Image
        } else {
            EvKind::Other
        };
        match ev {
            Md::Start(Tag::Heading { level, .. }) => {
                heading = Some(Heading {
                    level: level as u8,
                    text: String::new(),
                    start: at,
                    content_start: body_offset + range.end,
                });
            }
            Md::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    headings.push(h);
                }
            }
            Md::Start(Tag::CodeBlock(_)) => in_code += 1,
            Md::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Md::Start(Tag::Item) => items.push(Item {
                start: at,
                task: None,
                text: String::new(),
                links: Vec::new(),
            }),
            Md::TaskListMarker(done) => {
                if let Some(it) = items.last_mut() {
                    it.task = Some(if done {
                        TaskStatus::Done
                    } else {
                        TaskStatus::Open
                    });
                }
            }
            Md::End(TagEnd::Item) => {
                if let Some(mut it) = items.pop() {
                    // The Tasks plugin's `[/]` and `[-]` are not GitHub task
                    // markers, so pulldown-cmark leaves them as text.
                    if it.task.is_none() {
                        it.task = tasks_status(&it.text);
                        if it.task.is_some() {
                            it.text.drain(..3);
                        }
                    }
                    if let Some(status) = it.task {
                        let (line, _) = line_col(starts, it.start);
                        let text = it.text.split_whitespace().collect::<Vec<_>>().join(" ");
                        promises.push((
                            Promise {
                                done: matches!(status, TaskStatus::Done | TaskStatus::Cancelled),
                                status,
                                due: marker_date(&text, &["📅", "due:", "[due::", "(due::"]),
                                scheduled: marker_date(
                                    &text,
                                    &["⏳", "[scheduled::", "(scheduled::"],
                                ),
                                start: marker_date(&text, &["🛫", "[start::", "(start::"]),
                                completed: marker_date(
                                    &text,
                                    &["✅", "[completion::", "(completion::"],
                                ),
                                created: marker_date(&text, &["➕", "[created::", "(created::"]),
                                text,
                                line,
                                links: it.links,
                            },
                            it.start,
                        ));
                    }
                }
            }
            Md::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) => {
                in_wikilink = true;
                let is_image = matches!(ev_kind, EvKind::Image);
                let t = match link_type {
                    LinkType::WikiLink { .. } if !(is_image && is_attachment(&dest_url)) => {
                        link_target(&dest_url)
                    }
                    LinkType::Inline
                    | LinkType::Reference
                    | LinkType::Collapsed
                    | LinkType::Shortcut
                        if !is_image =>
                    {
                        markdown_link_target(&dest_url, &note.path).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                if !t.is_empty() {
                    if let Some(it) = items.last_mut() {
                        it.links.push(t.clone());
                    }
                    links.push((t, at));
                }
            }
            Md::End(TagEnd::Link | TagEnd::Image) => in_wikilink = false,
            Md::Text(t) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                }
                if let Some(it) = items.last_mut() {
                    it.text.push_str(&t);
                }
                if in_code == 0 && !in_wikilink {
                    for (tag, off) in hashtags(&t) {
                        tags.push((tag, at + off.min(range.len())));
                    }
                }
            }
            Md::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                }
                if let Some(it) = items.last_mut() {
                    it.text.push('`');
                    it.text.push_str(&t);
                    it.text.push('`');
                }
            }
            Md::SoftBreak | Md::HardBreak => {
                if let Some(it) = items.last_mut() {
                    it.text.push(' ');
                }
            }
            _ => {}
        }
    }

    // Log entries: dated headings, each running to the next heading of the same
    // or a higher level. That next heading is found for all headings in one
    // backward pass with a stack (a forward search per heading is quadratic).
    let mut ends = vec![text.len(); headings.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, h) in headings.iter().enumerate().rev() {
        while stack.last().is_some_and(|&j| headings[j].level > h.level) {
            stack.pop();
        }
        if let Some(&j) = stack.last() {
            ends[i] = headings[j].start;
        }
        stack.push(i);
    }
    let mut entry_ranges: Vec<(usize, usize)> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        let head = h.text.trim_start();
        let Some((date, rest)) = date::leading_date(head) else {
            if let Some(shaped) = date_shaped(head)
                && let Err(e) = date::parse_date(shaped)
            {
                // Looks like a dated entry but the date does not exist: say
                // so rather than silently not counting it.
                let line_end = text[h.start..]
                    .find('\n')
                    .map_or(text.len(), |k| h.start + k);
                let at = text[h.start..line_end]
                    .find(shaped)
                    .map_or(h.start, |k| h.start + k);
                let (line, column) = line_col(starts, at);
                note.diagnostics.push(
                    Diagnostic::error(
                        &note.path,
                        line,
                        column,
                        format!("log entry heading: {e}"),
                    )
                    .hint("fix the date (YYYY-MM-DD, a day that exists); until then this is not a log entry"),
                );
            }
            continue;
        };
        let end = ends[i];
        let body_text = text.get(h.content_start.min(end)..end).unwrap_or("");
        let (line, _) = line_col(starts, h.start);
        let end_line = if end >= text.len() {
            starts.len() + 1
        } else {
            line_col(starts, end).0
        };
        let mut e = LogEntry::new(
            date,
            entry_title(rest).into(),
            crate::text::offset32(line),
            crate::text::offset32(end_line),
            h.level,
        );
        e.tasks_only = crate::model::only_tasks(body_text);
        e.span = (
            crate::text::offset32(h.content_start.min(end)),
            crate::text::offset32(end),
        );
        note.entries.push(e);
        entry_ranges.push((h.start, end));
    }
    // Entry ranges are sorted by start and nest (one ends no later than any
    // entry that contains it), so each one's parent is found with a stack, and
    // the innermost entry holding an offset is the last one starting at or
    // before it, or one of its few (at most six levels of) parents.
    let mut parent: Vec<Option<usize>> = vec![None; entry_ranges.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, (s, _)) in entry_ranges.iter().enumerate() {
        while open.last().is_some_and(|&j| entry_ranges[j].1 <= *s) {
            open.pop();
        }
        parent[i] = open.last().copied();
        open.push(i);
    }
    let entry_of = |off: usize| -> Option<usize> {
        let after = entry_ranges.partition_point(|(s, _)| *s <= off);
        let mut cur = after.checked_sub(1);
        while let Some(i) = cur {
            if off < entry_ranges[i].1 {
                return Some(i);
            }
            cur = parent[i];
        }
        None
    };
    // Each entry's links and tags gathered here, then boxed at their exact
    // length: a vault holds a million entries, most with neither.
    let mut entry_links: Vec<(HashSet<String>, Vec<String>)> =
        vec![(HashSet::new(), Vec::new()); note.entries.len()];
    for (t, off) in links {
        let (line, column) = line_col(starts, off);
        let entry = entry_of(off);
        if let Some(i) = entry
            && entry_links[i].0.insert(t.clone())
        {
            entry_links[i].1.push(t.clone());
        }
        note.links.push(Link {
            target: t,
            line: crate::text::offset32(line),
            column: crate::text::offset32(column),
            entry: entry.map(crate::text::offset32),
            key: None,
        });
    }
    let mut entry_tags: Vec<(HashSet<String>, Vec<String>)> =
        vec![(HashSet::new(), Vec::new()); note.entries.len()];
    let mut note_tags: HashSet<String> = note.tags.iter().map(|t| t.to_ascii_lowercase()).collect();
    for (t, off) in tags {
        if let Some(i) = entry_of(off)
            && entry_tags[i].0.insert(t.clone())
        {
            entry_tags[i].1.push(t.clone());
        }
        if note_tags.insert(t.to_ascii_lowercase()) {
            note.tags.push(t);
        }
    }
    for (e, ((_, links), (_, tags))) in note
        .entries
        .iter_mut()
        .zip(entry_links.into_iter().zip(entry_tags))
    {
        e.set_refs(&links, &tags);
    }
    for (mut p, off) in promises {
        if p.created.is_none() {
            // Else the entry it sits in, else the journal's own date.
            p.created =
                entry_of(off)
                    .map(|i| note.entries[i].date)
                    .or(if note.kind == NoteKind::Journal {
                        note.date
                    } else {
                        None
                    });
        }
        note.promises.push(p);
    }
    note.promises.sort_by_key(|p| p.line);
}

/// The `YYYY-MM-DD` a heading starts with, by shape only (digits and dashes,
/// not followed by another digit), whether or not that day exists.
pub(super) fn date_shaped(s: &str) -> Option<&str> {
    let head = s.get(..10)?;
    let b = head.as_bytes();
    let shaped = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    let digit_next = s.as_bytes().get(10).is_some_and(u8::is_ascii_digit);
    (shaped && !digit_next).then_some(head)
}

pub(super) fn entry_title(rest: &str) -> String {
    let r = rest.trim_start();
    let r = r
        .strip_prefix('·')
        .or_else(|| r.strip_prefix('—'))
        .or_else(|| r.strip_prefix('–'))
        .or_else(|| r.strip_prefix('-'))
        .or_else(|| r.strip_prefix(':'))
        .or_else(|| r.strip_prefix('|'))
        .unwrap_or(r);
    r.trim().to_string()
}

/// The date after the first of `markers` in `text` (`📅 2026-11-30`,
/// `due:2026-11-30`, `[due:: 2026-11-30]`). An emoji may carry the
/// variation selector U+FE0F, as some keyboards type it.
pub(super) fn marker_date(text: &str, markers: &[&str]) -> Option<Date> {
    for m in markers {
        let mut from = 0;
        while let Some(i) = text[from..].find(m) {
            let after = text[from + i + m.len()..]
                .trim_start_matches('\u{fe0f}')
                .trim_start();
            if let Some((d, _)) = date::leading_date(after) {
                return Some(d);
            }
            from += i + m.len();
        }
    }
    None
}
