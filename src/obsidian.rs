//! Living with Obsidian: how kith names note files, how Obsidian resolves a
//! `[[link]]`, and the byte-exact plan that rewrites links Obsidian cannot
//! follow (`kith fix links`).
//!
//! Obsidian resolves a wikilink by **file name only** (not by `name:`,
//! `title:` or `aliases`), ignoring case; a link with a `/` names a path, and
//! matches a note whose path ends with it. kith resolves more generously
//! (names, aliases, accents folded), so a link kith follows may lead nowhere
//! in Obsidian. The policy (docs/format.md, "Links that work in Obsidian"):
//! new notes are named after their display name (`people/Lena Fischer.md`),
//! and every link kith writes names the target's file, with the text to show
//! after `|` when it differs.

use crate::model::NoteKind;
use crate::note::Note;
use crate::text::line_starts;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Characters Obsidian refuses in a file name (its "File name cannot
/// contain" list), plus the two it needs for links (`[` `]`).
pub const FORBIDDEN: &[char] = &[
    '*', '"', '\\', '/', '<', '>', ':', '|', '?', '#', '^', '[', ']',
];

/// The folder a new note of this kind goes in (empty for other notes).
pub fn kind_folder(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Person => "people",
        NoteKind::Event => "events",
        NoteKind::Resource => "resources",
        NoteKind::Journal => "journal",
        NoteKind::Other => "",
    }
}

/// THE naming policy: where a new note for `display` goes, relative to the
/// vault root: `people/lena-fischer.md`, `events/rust-meetup.md`. File names
/// are slugs (portable on every file system and in every shell, free of the
/// characters Obsidian refuses); links kith writes name that file and show
/// the display name, `[[lena-fischer|Lena Fischer]]` (see [`new_note_link`]),
/// so Obsidian opens them. `kith new`, the importers, `kith event new` and
/// `kith resource new` all go through here.
pub fn note_file_name(kind: NoteKind, display: &str) -> PathBuf {
    let file = format!("{}.md", crate::text::slugify(display));
    match kind_folder(kind) {
        "" => PathBuf::from(file),
        dir => Path::new(dir).join(file),
    }
}

/// The link to the note [`note_file_name`] gives `display`:
/// `[[lena-fischer|Lena Fischer]]`.
pub fn new_note_link(display: &str) -> String {
    let display = display.trim();
    wikilink(&crate::text::slugify(display), display, false)
}

/// A link as kith writes it: `[[target]]`, or `[[target|label]]` when the
/// text to show differs from the file it names. `target` is a file stem (or
/// a vault path without `.md` when the stem is not unique). In a Markdown
/// table the `|` must be escaped: pass `in_table`.
pub fn wikilink(target: &str, label: &str, in_table: bool) -> String {
    if target == label || label.is_empty() {
        format!("[[{target}]]")
    } else if in_table {
        format!("[[{target}\\|{label}]]")
    } else {
        format!("[[{target}|{label}]]")
    }
}

/// Obsidian's link rule over a set of note paths.
pub struct LinkRule {
    /// Lower-cased file stem → note indexes with that stem.
    by_stem: HashMap<String, Vec<usize>>,
    /// Lower-cased vault path without `.md`, `/`-separated.
    paths: Vec<String>,
}

fn lower_path(p: &Path) -> String {
    let s = p.with_extension("").to_string_lossy().replace('\\', "/");
    s.to_lowercase()
}

impl LinkRule {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a Path>) -> LinkRule {
        let mut by_stem: HashMap<String, Vec<usize>> = HashMap::new();
        let mut all = Vec::new();
        for (i, p) in paths.into_iter().enumerate() {
            let lp = lower_path(p);
            let stem = lp.rsplit('/').next().unwrap_or(&lp).to_string();
            by_stem.entry(stem).or_default().push(i);
            all.push(lp);
        }
        LinkRule {
            by_stem,
            paths: all,
        }
    }

    /// The notes Obsidian could open for `target` (a link target without
    /// `#heading`, `|label` and `.md`): by file name, or for a path, the notes
    /// whose path ends with it. More than one means Obsidian picks one.
    pub fn candidates(&self, target: &str) -> Vec<usize> {
        let t = target.trim().trim_start_matches('/').to_lowercase();
        let t = t.strip_suffix(".md").unwrap_or(&t);
        let base = t.rsplit('/').next().unwrap_or(t);
        let Some(found) = self.by_stem.get(base) else {
            return Vec::new();
        };
        if !t.contains('/') {
            return found.clone();
        }
        found
            .iter()
            .copied()
            .filter(|i| {
                let p = &self.paths[*i];
                p == t || p.ends_with(&format!("/{t}"))
            })
            .collect()
    }

    /// The shortest target that opens note `i` and only it: its file stem
    /// when no other note shares it, else its vault path without `.md`.
    pub fn shortest(&self, i: usize, path: &Path) -> String {
        let full = path.with_extension("").to_string_lossy().replace('\\', "/");
        let stem = full.rsplit('/').next().unwrap_or(&full).to_string();
        match self.by_stem.get(&stem.to_lowercase()) {
            Some(v) if v.len() == 1 && v[0] == i => stem,
            _ => full,
        }
    }
}

/// One link `kith fix links` would rewrite.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkFix {
    pub path: PathBuf,
    pub line: usize,
    /// Byte range of the whole `[[…]]` in the file.
    #[serde(skip)]
    pub range: std::ops::Range<usize>,
    pub old: String,
    pub new: String,
}

/// Every wikilink in a note's text with its byte range, the range of the
/// part between the brackets, and whether it sits in a table: in the front
/// matter by a plain scan (property links are quoted strings), in the body as
/// pulldown-cmark finds them (so code is skipped).
pub fn wikilink_spans(text: &str) -> Vec<(std::ops::Range<usize>, bool)> {
    use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
    let body = crate::markdown::body_start(text.as_bytes());
    let mut out = Vec::new();
    // Front matter (after a BOM): every `[[…]]` on one line, before the
    // line's YAML comment: a comment is the user's prose, never a property.
    let fm = &text[..body];
    let mut line_at = 0;
    for line in fm.split_inclusive('\n') {
        let code = &line[..yaml_comment_start(line)];
        let mut from = 0;
        while let Some(i) = code[from..].find("[[") {
            let s = from + i;
            let Some(j) = code[s + 2..].find("]]") else {
                break;
            };
            let e = s + 2 + j + 2;
            if !code[s + 2..e - 2].contains("[[") {
                out.push((line_at + s..line_at + e, false));
            }
            from = e;
        }
        line_at += line.len();
    }
    let opts = Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH;
    let mut in_table = false;
    for (ev, r) in Parser::new_ext(&text[body..], opts).into_offset_iter() {
        match ev {
            Event::Start(Tag::Table(_)) => in_table = true,
            Event::End(TagEnd::Table) => in_table = false,
            Event::Start(
                Tag::Link {
                    link_type: LinkType::WikiLink { .. },
                    ..
                }
                | Tag::Image {
                    link_type: LinkType::WikiLink { .. },
                    ..
                },
            ) => {
                let s = body + r.start;
                let e = body + r.end;
                let raw = &text[s..e];
                // An embed keeps its `!` in the range.
                if let (Some(a), true) = (raw.find("[["), raw.ends_with("]]")) {
                    let a = if a > 0 && raw.as_bytes()[a - 1] == b'!' {
                        a - 1
                    } else {
                        a
                    };
                    out.push((s + a..e, in_table));
                }
            }
            _ => {}
        }
    }
    out
}

/// Where a YAML line's comment begins (its length when it has none): a `#`
/// at the start or after a blank, outside quotes. A quote opens a quoted
/// scalar only where a scalar can begin (`it's` is plain text).
fn yaml_comment_start(line: &str) -> usize {
    let (mut single, mut double, mut prev) = (false, false, b' ');
    let opens = |p: u8| matches!(p, b' ' | b'\t' | b'[' | b'{' | b',');
    for (i, &b) in line.as_bytes().iter().enumerate() {
        match b {
            b'\'' if single => single = false,
            b'\'' if !double && opens(prev) => single = true,
            b'"' if double && prev != b'\\' => double = false,
            b'"' if !single && opens(prev) => double = true,
            b'#' if !single && !double && matches!(prev, b' ' | b'\t') => return i,
            _ => {}
        }
        prev = b;
    }
    line.len()
}

/// The rewrites that make every link kith follows open the same note in
/// Obsidian. `resolve` is kith's own resolver (a link target → note index);
/// links kith cannot resolve, or that Obsidian already opens correctly, stay.
/// Only the bytes between `[[` and `]]` change; the shown text is kept.
pub fn plan_link_fixes(
    note: &Note,
    text: &str,
    rule: &LinkRule,
    paths: &[&Path],
    resolve: &dyn Fn(&str) -> Option<usize>,
) -> Vec<LinkFix> {
    let starts = line_starts(text);
    let mut out = Vec::new();
    for (range, in_table) in wikilink_spans(text) {
        let whole = &text[range.clone()];
        let open = whole.find("[[").unwrap_or(0);
        let inner = &text[range.start + open + 2..range.end - 2];
        let (dest, label) = match inner.find('|') {
            Some(k) => {
                let d = &inner[..k];
                (d.strip_suffix('\\').unwrap_or(d), Some(&inner[k + 1..]))
            }
            None => (inner, None),
        };
        let (name, heading) = match dest.find('#') {
            Some(k) => (&dest[..k], Some(&dest[k..])),
            None => (dest, None),
        };
        let target = crate::note::link_target(name);
        if target.is_empty() {
            continue;
        }
        let Some(i) = resolve(&target) else { continue };
        let cands = rule.candidates(&target);
        if cands == [i] {
            continue;
        }
        let new_target = rule.shortest(i, paths[i]);
        let shown = label.map_or_else(|| name.trim().to_string(), str::to_string);
        let new_inner = wikilink(
            &format!("{new_target}{}", heading.unwrap_or("")),
            &shown,
            in_table || inner.contains("\\|"),
        );
        let old = text[range.clone()].to_string();
        let bang = if old.starts_with('!') { "!" } else { "" };
        let new = format!("{bang}{new_inner}");
        if new == old {
            continue;
        }
        let (line, _) = crate::text::line_col(&starts, range.start);
        out.push(LinkFix {
            path: note.path.clone(),
            line,
            range,
            old,
            new,
        });
    }
    out
}

/// `bytes` with each fix applied (fixes sorted by position, not overlapping).
pub fn apply_fixes(bytes: &[u8], fixes: &[LinkFix]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 64 * fixes.len());
    let mut at = 0;
    for f in fixes {
        out.extend_from_slice(&bytes[at..f.range.start]);
        out.extend_from_slice(f.new.as_bytes());
        at = f.range.end;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// The rewrites of old property shapes Obsidian cannot show (it has no
/// nested properties): `met: {date, event}` becomes `met: DATE` and
/// `met_at: "[[Event]]"`; a `links:` map becomes a list of its URLs. Only the
/// lines of that property change; a property whose lines hold a comment, or
/// a `met_at` already written, is left for the user.
pub fn plan_property_fixes(rel: &Path, text: &str) -> Vec<LinkFix> {
    use crate::yaml::{Yaml, quote};
    let note = crate::note::parse(rel, text.as_bytes());
    let Some(fm) = &note.front else {
        return Vec::new();
    };
    let nl = if crate::note::uses_crlf(text) {
        "\r\n"
    } else {
        "\n"
    };
    let starts = line_starts(text);
    // 0-based file line → byte offset of its start.
    let at = |line0: usize| starts.get(line0).copied().unwrap_or(text.len());
    let mut out = Vec::new();
    for (k, span) in fm.spans.iter().enumerate() {
        let replacement = match (span.key.as_str(), fm.get(&span.key)) {
            ("met", Some(Yaml::Map(m))) if !fm.has_key("met_at") => {
                let get = |k: &str| {
                    m.iter()
                        .find(|(key, _)| key == k)
                        .and_then(|(_, v)| v.as_scalar())
                };
                let mut lines = Vec::new();
                if let Some(d) = get("date") {
                    // A valid date is written plain, so Obsidian types it as a date.
                    let plain = d.len() == 10 && crate::date::parse_date(&d).is_ok();
                    lines.push(format!("met: {}", if plain { d } else { quote(&d) }));
                }
                if let Some(e) = get("event") {
                    let e = if e.contains("[[") {
                        e
                    } else {
                        format!("[[{e}]]")
                    };
                    lines.push(format!("met_at: {}", quote(&e)));
                }
                lines
            }
            ("links", Some(Yaml::Map(m))) => {
                let mut lines = vec!["links:".to_string()];
                for (_, v) in m {
                    if let Some(u) = v.as_scalar() {
                        lines.push(format!("  - {}", quote(&u)));
                    }
                }
                lines
            }
            _ => continue,
        };
        // The property's lines: from its key to the next top-level key, or
        // the closing `---` (file lines are 1-based, `first_line` is the
        // first YAML line).
        let first = fm.first_line - 1 + span.line;
        let end = fm
            .spans
            .get(k + 1)
            .map_or(fm.close_line - 1, |n| fm.first_line - 1 + n.line);
        let s = at(first);
        // Up to the end of its last non-blank line: blank lines after it stay.
        let mut e = at(end);
        while e > s && matches!(text.as_bytes()[e - 1], b'\n' | b'\r' | b' ' | b'\t') {
            e -= 1;
        }
        let e = text[e..].find('\n').map_or(text.len(), |k| e + k + 1);
        let old = &text[s..e];
        if old
            .lines()
            .any(|l| l.trim_start().starts_with('#') || l.contains(" #"))
        {
            continue;
        }
        let mut new = replacement.join(nl);
        new.push_str(nl);
        if new != old {
            out.push(LinkFix {
                path: rel.to_path_buf(),
                line: first + 1,
                range: s..e,
                old: old.to_string(),
                new,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_slugs_and_links_name_the_file() {
        assert_eq!(
            note_file_name(NoteKind::Person, "Lena Fischer"),
            Path::new("people/lena-fischer.md")
        );
        assert_eq!(
            note_file_name(NoteKind::Event, "Rust: Berlin / Nov?"),
            Path::new("events/rust-berlin-nov.md")
        );
        assert_eq!(note_file_name(NoteKind::Other, "x"), Path::new("x.md"));
        assert_eq!(
            new_note_link("Lena Fischer"),
            "[[lena-fischer|Lena Fischer]]"
        );
    }

    #[test]
    fn obsidian_resolves_by_file_name_ignoring_case_and_by_path_suffix() {
        let paths = [
            Path::new("people/lena-fischer.md"),
            Path::new("people/Ann Lee.md"),
            Path::new("people/team/Ann Lee.md"),
        ];
        let rule = LinkRule::new(paths);
        assert_eq!(rule.candidates("LENA-fischer"), [0]);
        assert_eq!(rule.candidates("Lena Fischer"), Vec::<usize>::new());
        assert_eq!(rule.candidates("ann lee"), [1, 2]);
        assert_eq!(rule.candidates("team/Ann Lee"), [2]);
        assert_eq!(rule.candidates("people/Ann Lee.md"), [1]);
        assert_eq!(rule.shortest(0, paths[0]), "lena-fischer");
        assert_eq!(rule.shortest(2, paths[2]), "people/team/Ann Lee");
        assert_eq!(wikilink("a", "a", false), "[[a]]");
        assert_eq!(wikilink("a", "B", true), "[[a\\|B]]");
    }

    #[test]
    fn fixes_keep_label_heading_embed_and_table_escape() {
        let text = "---\nname: Omar\nmet_at: \"[[Rust Meetup]]\"\n---\n\
[[Lena Fischer]] [[Lenny|my friend]] ![[Lena Fischer#Log]] `[[Lena Fischer]]` [[lena-fischer]] [[Nobody]]\n\n\
| a |\n|---|\n| [[Lena Fischer\\|L]] [[Lenny]] |\n";
        let paths = [
            Path::new("people/lena-fischer.md"),
            Path::new("events/rust-meetup.md"),
            Path::new("people/omar.md"),
        ];
        let rule = LinkRule::new(paths);
        let resolve = |t: &str| match t.to_lowercase().as_str() {
            "lena fischer" | "lenny" | "lena-fischer" => Some(0),
            "rust meetup" => Some(1),
            _ => None,
        };
        let note = crate::note::parse(Path::new("people/omar.md"), text.as_bytes());
        let fixes = plan_link_fixes(&note, text, &rule, &paths, &resolve);
        let got: Vec<(usize, &str)> = fixes.iter().map(|f| (f.line, f.new.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "[[rust-meetup|Rust Meetup]]"),
                (5, "[[lena-fischer|Lena Fischer]]"),
                (5, "[[lena-fischer|my friend]]"),
                (5, "![[lena-fischer#Log|Lena Fischer]]"),
                (9, "[[lena-fischer\\|L]]"),
                (9, "[[lena-fischer\\|Lenny]]"),
            ]
        );
        let new = apply_fixes(text.as_bytes(), &fixes);
        let new = String::from_utf8(new).unwrap();
        assert!(new.contains("`[[Lena Fischer]]` [[lena-fischer]] [[Nobody]]"));
        // Applying twice changes nothing more.
        let again = crate::note::parse(Path::new("people/omar.md"), new.as_bytes());
        assert!(plan_link_fixes(&again, &new, &rule, &paths, &resolve).is_empty());
    }

    #[test]
    fn property_fixes_flatten_met_and_list_links_byte_exactly() {
        let text = "---\r\nname: Ann # me\r\nmet: {date: 2025-03-12, event: \"[[RustConf]]\"}\r\nlinks:\r\n  linkedin: https://www.linkedin.com/in/ann\r\n  site: https://ann.example\r\n\r\ncircle: active\r\n---\r\nbody\r\n";
        let fixes = plan_property_fixes(Path::new("people/ann.md"), text);
        let new = String::from_utf8(apply_fixes(text.as_bytes(), &fixes)).unwrap();
        assert_eq!(
            new,
            "---\r\nname: Ann # me\r\nmet: 2025-03-12\r\nmet_at: \"[[RustConf]]\"\r\nlinks:\r\n  - https://www.linkedin.com/in/ann\r\n  - https://ann.example\r\n\r\ncircle: active\r\n---\r\nbody\r\n"
        );
        let n = crate::note::parse(Path::new("people/ann.md"), new.as_bytes());
        assert!(n.diagnostics.is_empty(), "{:#?}", n.diagnostics);
        assert!(plan_property_fixes(Path::new("people/ann.md"), &new).is_empty());
        // A block map with a comment is left alone; an event without brackets gets them.
        let kept = "---\nname: A\nmet:\n  date: 2025-01-02 # roughly\n---\n";
        assert!(plan_property_fixes(Path::new("people/a.md"), kept).is_empty());
        let bare = "---\nname: A\nmet:\n  event: Meetup\n---\n";
        let f = plan_property_fixes(Path::new("people/a.md"), bare);
        assert_eq!(f[0].new, "met_at: \"[[Meetup]]\"\n");
    }
}
