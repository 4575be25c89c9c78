//! Links and tags: `[[wikilinks]]`, Markdown links to notes, front-matter
//! links, `#tags`, and prose with its links as a reader sees them.

use super::*;

/// Text with each `[[link]]` as a reader sees it: the label of
/// `[[target|label]]` (table-escaped `\|` too), else the target;
/// `![[embed]]` likewise. Used where prose is quoted back to the user.
pub fn links_as_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("[[") {
        let Some(j) = rest[i + 2..].find("]]") else {
            break;
        };
        let inner = &rest[i + 2..i + 2 + j];
        let before = rest[..i].strip_suffix('!').unwrap_or(&rest[..i]);
        out.push_str(before);
        let shown = match inner.split_once('|') {
            Some((_, label)) => label,
            None => inner,
        };
        out.push_str(shown);
        rest = &rest[i + 2 + j + 2..];
    }
    out.push_str(rest);
    out
}

/// The target of the first `[[wikilink]]` in `s`.
pub fn first_link(s: &str) -> Option<String> {
    wikilinks(s).into_iter().next().map(|(t, _)| t)
}

/// Every `[[target]]` in raw text, with its byte offset.
pub fn wikilinks(s: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = s[from..].find("[[") {
        let start = from + i + 2;
        let Some(j) = s[start..].find("]]") else {
            break;
        };
        let inner = &s[start..start + j];
        if !inner.contains('\n') && !inner.contains("[[") {
            let t = link_target(inner);
            if !t.is_empty() {
                out.push((t, from + i));
            }
        }
        from = start + j + 2;
    }
    out
}

/// Does an embed name a file that is not a note (`photo.png`, `cv.pdf`)?
pub(super) fn is_attachment(target: &str) -> bool {
    let t = target.split(['|', '#']).next().unwrap_or("").trim();
    let name = t.rsplit('/').next().unwrap_or(t);
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && !ext.eq_ignore_ascii_case("md")
        }
        None => false,
    }
}

/// The note a Markdown link `[x](dest)` points at, as a link target: `dest`
/// percent-decoded, without `#anchor` and `.md`; `./` and `../` are relative
/// to the note's folder, a leading `/` is the vault root. Links with a scheme
/// (`https:`, `mailto:`), pure anchors and links to other files are not notes.
pub fn markdown_link_target(dest: &str, from: &Path) -> Option<String> {
    let dest = dest.split('#').next().unwrap_or("").trim();
    if dest.is_empty() || dest.starts_with("//") {
        return None;
    }
    if let Some(colon) = dest.find(':') {
        let scheme = &dest[..colon];
        if !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return None;
        }
    }
    let decoded = percent_decode(dest);
    let last = decoded.rsplit('/').next().unwrap_or("");
    if last.contains('.') && is_attachment(last) {
        return None;
    }
    let path = if let Some(abs) = decoded.strip_prefix('/') {
        abs.to_string()
    } else if decoded.starts_with("./") || decoded.starts_with("../") {
        let mut parts: Vec<&str> = from
            .parent()
            .map(|p| {
                p.to_str()
                    .unwrap_or("")
                    .split('/')
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for c in decoded.split('/') {
            match c {
                "." | "" => {}
                ".." => {
                    parts.pop()?;
                }
                c => parts.push(c),
            }
        }
        parts.join("/")
    } else {
        decoded
    };
    let t = link_target(&path);
    (!t.is_empty()).then_some(t)
}

/// `%20` → space; malformed escapes stay as written.
pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = b.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Name|label` and `Name#heading` → `Name`. In a table the `|` is escaped
/// (`[[Name\|label]]`); the backslash belongs to the table, not the name.
pub fn link_target(inner: &str) -> String {
    let t = inner.split('|').next().unwrap_or("");
    let t = t.strip_suffix('\\').unwrap_or(t);
    let t = t.split('#').next().unwrap_or("");
    let t = t.trim();
    let t = t.strip_suffix(".md").unwrap_or(t);
    t.to_string()
}

pub(super) fn front_links(fm: &FrontMatter, out: &mut Vec<Link>) {
    fn walk(v: &Yaml, key: &str, fm: &FrontMatter, out: &mut Vec<Link>) {
        match v {
            Yaml::String(s) => {
                for (t, _) in wikilinks(s) {
                    let (line, column) = fm.pos(key);
                    out.push(Link {
                        target: t,
                        line: crate::text::offset32(line),
                        column: crate::text::offset32(column),
                        entry: None,
                        key: Some(key.into()),
                    });
                }
            }
            Yaml::List(items) => items.iter().for_each(|i| walk(i, key, fm, out)),
            Yaml::Map(m) => m.iter().for_each(|(_, i)| walk(i, key, fm, out)),
            _ => {}
        }
    }
    if let Yaml::Map(m) = &fm.value {
        for (k, v) in m {
            walk(v, k, fm, out);
        }
    }
}

/// `#tags` in a run of text, with byte offsets. A tag starts after whitespace or
/// punctuation and has at least one non-digit (`#1` is not a tag).
pub fn hashtags(t: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in t.char_indices() {
        let boundary = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '[' | ',' | ';'));
        if c == '#' && boundary {
            let rest = &t[i + 1..];
            let len: usize = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/'))
                .map(char::len_utf8)
                .sum();
            let tag = rest[..len].trim_end_matches(['-', '/']);
            if !tag.is_empty() && tag.chars().any(|c| !c.is_ascii_digit()) {
                out.push((tag.to_string(), i));
            }
        }
        prev = Some(c);
    }
    out
}
