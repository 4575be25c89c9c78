//! The Markdown structure of a note file, as bytes: where the front matter
//! ends, which line ending it uses, its section headings and a fence left open
//! at the end. This is the one place that answers those questions, for edits
//! (`write.rs` plans splices from it) and for the note parser (its front
//! matter block, [`split_front`]); headings come from pulldown-cmark — the
//! parser `note/body.rs` reads notes with — so kith never disagrees with
//! itself about where a heading is (setext headings, CR-only files, fences,
//! indentation).

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// A top-level heading (not inside a block quote, list or code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// The heading's text, inline markup dropped, trimmed.
    pub text: String,
    /// File bytes of the heading, from the start of its line (so a splice at
    /// `range.start` never lands between indentation and the `#`).
    pub range: Range<usize>,
}

/// The pulldown-cmark options of every parse of a note (`note/body.rs` and
/// here), so the reader and the editor see the same blocks.
pub fn options() -> Options {
    Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
}

/// The longest prefix of `bytes` that is valid UTF-8, as text. Offsets into it
/// are offsets into the file; anything after a bad byte is not structure kith
/// edits (callers refuse non-UTF-8 notes before writing).
fn text_of(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Lines of `text` as (start, end of content, start of next line); any of
/// `\n`, `\r\n` and a lone `\r` ends a line, as in CommonMark.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let b = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let start = pos;
        let mut i = pos;
        while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
            i += 1;
        }
        let next = if i + 1 < b.len() && b[i] == b'\r' && b[i + 1] == b'\n' {
            i + 2
        } else {
            (i + 1).min(b.len())
        };
        pos = next;
        Some((start, i, next))
    })
}

/// The line ending to write into a file: its first one (`\r\n`, `\r` or `\n`).
pub fn line_ending(bytes: &[u8]) -> &'static str {
    match bytes.iter().position(|b| *b == b'\n' || *b == b'\r') {
        Some(i) if bytes[i] == b'\r' => {
            if bytes.get(i + 1) == Some(&b'\n') {
                "\r\n"
            } else {
                "\r"
            }
        }
        _ => "\n",
    }
}

/// Number of line breaks in `bytes` (`\r\n` counts once).
pub fn count_breaks(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => n += 1,
            b'\r' => {
                n += 1;
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// How many line breaks `bytes` ends with, in a row (`\r\n` counts once).
pub fn trailing_breaks(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut end = bytes.len();
    loop {
        if bytes[..end].ends_with(b"\r\n") {
            end -= 2;
        } else if bytes[..end].ends_with(b"\n") || bytes[..end].ends_with(b"\r") {
            end -= 1;
        } else {
            return n;
        }
        n += 1;
    }
}

const BOM: &str = "\u{feff}";

/// A front matter fence: `---` opens and closes, `...` also closes (YAML's
/// document end); blanks after it are allowed.
fn is_fence(line: &str, closing: bool) -> bool {
    let t = line.trim_end_matches([' ', '\t']);
    t == "---" || (closing && t == "...")
}

/// Splits off a front matter block, for the note parser (`note::parse`), from
/// text without its BOM. Returns (yaml text, first yaml line, close line,
/// body byte offset) — lines 1-based — or the position of the opening fence
/// when it is never closed.
///
/// Lines here end at `\n` (a `\r` before it is dropped), as the parser
/// counts lines (`text::line_starts`); so a CR-only file has no front matter
/// to the parser, while [`body_start`] (for edits) reads its fences. For LF
/// and CRLF notes both give the same body offset (tested below).
pub type FrontSplit<'a> = (&'a str, usize, usize, usize);

pub fn split_front(text: &str) -> Result<Option<FrontSplit<'_>>, (usize, usize)> {
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text[..first_end].trim_end_matches('\r');
    if !is_fence(first, false) {
        return Ok(None);
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut pos = yaml_start;
    let mut line = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let l = text[pos..end].trim_end_matches('\r');
        if is_fence(l, true) {
            let body = (end + 1).min(text.len());
            return Ok(Some((&text[yaml_start..pos], 2, line, body)));
        }
        pos = end + 1;
        line += 1;
    }
    Err((1, 1))
}

/// Where the body starts: after the BOM and after a front matter block (a
/// first line `---`, closed by `---` or `...`). An unclosed block is not front
/// matter here: the body is the whole file, as pulldown-cmark sees it.
pub fn body_start(bytes: &[u8]) -> usize {
    let text = text_of(bytes);
    let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let mut it = lines(&text[bom..]).map(|(s, e, n)| (s + bom, e + bom, n + bom));
    match it.next() {
        Some((s, e, _)) if is_fence(&text[s..e], false) => {}
        _ => return bom,
    }
    for (s, e, next) in it {
        if is_fence(&text[s..e], true) {
            return next;
        }
    }
    bom
}

/// The structure of a note: its top-level headings and the fence left open at
/// the end of the file, if any, in one parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Structure {
    pub headings: Vec<Heading>,
    /// The opening fence (```` ``` ````, `~~~~`…) of a top-level fenced code
    /// block that runs to the end of the file unclosed: text appended there
    /// would be inside it.
    pub open_fence: Option<String>,
}

/// Top-level headings of the body (front matter excluded, code respected).
pub fn headings(bytes: &[u8]) -> Vec<Heading> {
    structure(bytes).headings
}

/// Headings and the open fence at the end, from one pulldown-cmark pass.
pub fn structure(bytes: &[u8]) -> Structure {
    let text = text_of(bytes);
    let at = body_start(bytes);
    let body = &text[at..];
    let mut out = Structure::default();
    let mut depth = 0usize;
    let mut current: Option<Heading> = None;
    for (ev, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let range = range.start + at..range.end + at;
        match ev {
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                current = Some(Heading {
                    level: level as u8,
                    text: String::new(),
                    range: line_start(text, range.start)..range.end,
                });
            }
            Event::End(TagEnd::Heading(_)) if depth == 0 => {
                if let Some(mut h) = current.take() {
                    h.text = h.text.trim().to_string();
                    out.headings.push(h);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.text.push_str(&t);
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) if depth == 0 => {
                out.open_fence = (range.end >= text.len())
                    .then(|| unclosed(&text[range.clone()]))
                    .flatten();
            }
            Event::Start(
                Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::HtmlBlock,
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::FootnoteDefinition
                | TagEnd::HtmlBlock,
            ) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// `at`, moved back to the start of its line when only blanks precede it.
fn line_start(text: &str, at: usize) -> usize {
    let before = &text.as_bytes()[..at];
    let ws = before
        .iter()
        .rev()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let s = at - ws;
    if s == 0 || matches!(before[s - 1], b'\n' | b'\r') {
        s
    } else {
        at
    }
}

/// The opening fence of a fenced block's source when its last line does not
/// close it.
fn unclosed(block: &str) -> Option<String> {
    let mut ls = lines(block).map(|(s, e, _)| &block[s..e]);
    let first = ls.next()?.trim_start_matches(' ');
    let c = first.bytes().next()?;
    let fence = &first[..first.bytes().take_while(|b| *b == c).count()];
    let last = lines(block).skip(1).last().map(|(s, e, _)| &block[s..e]);
    let closed = last.is_some_and(|l| {
        let t = l.trim_start_matches(' ');
        let run = t.bytes().take_while(|b| *b == c).count();
        l.len() - t.len() <= 3 && run >= fence.len() && t[run..].trim().is_empty()
    });
    (!closed).then(|| fence.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(src: &str) -> Vec<(u8, String, usize)> {
        headings(src.as_bytes())
            .into_iter()
            .map(|h| (h.level, h.text, h.range.start))
            .collect()
    }

    #[test]
    fn atx_and_setext_headings_with_their_line_starts() {
        let src = "---\nname: A\n---\nLog\n===\n\ntext\n\nNotes\n-----\n  ## Deep\n";
        assert_eq!(
            h(src),
            [
                (1, "Log".to_string(), 16),
                (2, "Notes".to_string(), 31),
                (2, "Deep".to_string(), 43)
            ]
        );
    }

    #[test]
    fn cr_only_lines_are_lines() {
        let src = "---\rname: A\r---\rbio\r\r## Log\r\r### 2026-01-01\r";
        assert_eq!(body_start(src.as_bytes()), 16);
        assert_eq!(line_ending(src.as_bytes()), "\r");
        let hs = h(src);
        assert_eq!(hs[0], (2, "Log".to_string(), 21));
        assert_eq!(hs[1].0, 3);
    }

    #[test]
    fn front_matter_code_and_quotes_hold_no_headings() {
        let src =
            "\u{feff}---\n# not: a heading\n---\n```\n## Log\n```\n> ## Quoted\n- ## Listed\n";
        assert!(h(src).is_empty());
    }

    #[test]
    fn open_fence_is_found_only_at_the_end() {
        let s = structure(b"x\n\n````md\n## Log\n```\n");
        assert_eq!(s.open_fence.as_deref(), Some("````"));
        assert!(s.headings.is_empty());
        assert_eq!(structure(b"```\na\n```\n").open_fence, None);
        assert_eq!(structure(b"~~~\na\n~~~").open_fence, None);
    }

    #[test]
    fn the_parser_and_the_editor_agree_where_the_body_starts() {
        for src in [
            "---\nname: A\n---\n## Log\n",
            "---\r\nname: A\r\n...\r\nbody\r\n",
            "---  \nname: A\n---\t\n",
            "---\n---\n",
            "no front matter\n---\nx\n",
        ] {
            let parser = split_front(src).unwrap().map_or(0, |f| f.3);
            assert_eq!(parser, body_start(src.as_bytes()), "{src:?}");
        }
        assert_eq!(split_front("---\nname: A\n"), Err((1, 1)));
        assert_eq!(split_front("----\nname: A\n----\n"), Ok(None));
    }

    #[test]
    fn unclosed_front_matter_is_body() {
        assert_eq!(body_start(b"---\nname: A\n# Log\n"), 0);
    }

    #[test]
    fn breaks_are_counted_whatever_the_ending() {
        assert_eq!(count_breaks(b"a\r\nb\rc\n"), 3);
        assert_eq!(trailing_breaks(b"a\r\n\r\n"), 2);
        assert_eq!(trailing_breaks(b"a\r\r"), 2);
        assert_eq!(trailing_breaks(b"a"), 0);
        assert_eq!(trailing_breaks(b""), 0);
    }
}
