//! The front matter block: where it is, its keys' positions, and the
//! YAML 1.1 readings other tools would give its plain values.

use super::*;

/// The parsed front matter: the value plus where each top-level key sits.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    pub value: Yaml,
    pub spans: Vec<KeySpan>,
    /// 1-based file line of the first YAML line (the line after `---`).
    pub first_line: usize,
    /// 1-based file line of the closing `---`.
    pub close_line: usize,
    /// Each key's first span in `spans`, so a position is found without a
    /// scan (a scan per key is quadratic in the number of keys); only for a
    /// block of many keys: a note's dozen keys are scanned faster than
    /// hashed, and a map per note cost the digest's vault a tenth of its
    /// memory (a second copy of every key).
    /// Boxed: almost no note has one, and a map inline is 40 bytes more in
    /// each of them.
    #[allow(clippy::box_collection)]
    key_index: Option<Box<HashMap<String, usize>>>,
}

/// Above this many keys, [`FrontMatter`] indexes them.
const SCAN_KEYS: usize = 24;

impl FrontMatter {
    pub fn new(value: Yaml, spans: Vec<KeySpan>, first_line: usize, close_line: usize) -> Self {
        let key_index = (spans.len() > SCAN_KEYS).then(|| {
            let mut key_index = HashMap::with_capacity(spans.len());
            for (i, s) in spans.iter().enumerate() {
                key_index.entry(s.key.clone()).or_insert(i);
            }
            Box::new(key_index)
        });
        FrontMatter {
            value,
            spans,
            first_line,
            close_line,
            key_index,
        }
    }

    /// The first span of `key`.
    fn span(&self, key: &str) -> Option<&KeySpan> {
        match &self.key_index {
            Some(ix) => ix.get(key).and_then(|i| self.spans.get(*i)),
            None => self.spans.iter().find(|s| s.key == key),
        }
    }

    /// Is this key written at the top level?
    pub fn has_key(&self, key: &str) -> bool {
        self.span(key).is_some()
    }

    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.value.get(key)
    }

    /// 1-based file line and column of a key's value (line 1 if the key is absent).
    pub fn pos(&self, key: &str) -> (usize, usize) {
        self.span(key)
            .map_or((self.first_line.saturating_sub(1).max(1), 1), |s| {
                (self.first_line + s.line, s.value_column)
            })
    }
}

/// Properties kith reads as text: a value other YAML readers type as a
/// number, a truth value or a date is mangled there (`+4712345678` loses its
/// `+`, `01234` becomes 668).
pub(super) const TEXT_KEYS: &[&str] = &[
    "name",
    "aliases",
    "emails",
    "phones",
    "org",
    "role",
    "location",
    "tags",
    "interests",
    "values",
    "needs",
    "offers",
    "introduced_by",
    "met_at",
    "circle",
    "title",
    "url",
    "attendees",
    "links",
];

/// What a YAML 1.1 reader (PyYAML, so python-frontmatter; js-yaml 3, so
/// gray-matter) makes of a plain scalar, when not text: the resolvers of
/// PyYAML's `resolver.py`.
pub fn yaml11_type(raw: &str) -> Option<&'static str> {
    let s = raw;
    if matches!(
        s,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) {
        return Some("true/false");
    }
    if matches!(s, "~" | "null" | "Null" | "NULL") {
        return Some("empty (null)");
    }
    let b = s.as_bytes();
    let digits = |t: &[u8], extra: &[u8]| {
        !t.is_empty() && t.iter().all(|c| c.is_ascii_digit() || extra.contains(c))
    };
    // Timestamp: YYYY-MM-DD, alone or followed by a time.
    if b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && matches!(b.get(10), None | Some(b'T' | b't' | b' ' | b'\t'))
    {
        return Some("a date");
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let u = unsigned.as_bytes();
    if u.is_empty() {
        return None;
    }
    if let Some(bin) = unsigned.strip_prefix("0b")
        && digits(bin.as_bytes(), b"_")
        && bin.bytes().all(|c| matches!(c, b'0' | b'1' | b'_'))
    {
        return Some("a number");
    }
    if let Some(hex) = unsigned.strip_prefix("0x")
        && !hex.is_empty()
        && hex.bytes().all(|c| c.is_ascii_hexdigit() || c == b'_')
    {
        return Some("a number");
    }
    if u[0] == b'0' && u.len() > 1 && u[1..].iter().all(|c| matches!(c, b'0'..=b'7' | b'_')) {
        return Some("an octal number");
    }
    if unsigned == "0" || (u[0] != b'0' && digits(u, b"_")) {
        return Some("a number");
    }
    // Base 60: 1:20, 190:20:30 (and with a fraction).
    if u[0] != b'0' && unsigned.contains(':') {
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let mut parts = int.split(':');
        let head = parts.next().unwrap_or("");
        let segment = |p: &str| match p.as_bytes() {
            [a] => a.is_ascii_digit(),
            [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
            _ => false,
        };
        let ok = digits(head.as_bytes(), b"_")
            && parts.all(segment)
            && (frac.is_empty() || digits(frac.as_bytes(), b"_"));
        if ok {
            return Some("a number in base 60");
        }
    }
    // Floats need a dot in YAML 1.1.
    if let Some((int, frac)) = unsigned.split_once('.') {
        let (frac, exp) = match frac.find(['e', 'E']) {
            Some(i) => (&frac[..i], Some(&frac[i + 1..])),
            None => (frac, None),
        };
        let int_ok = (int.is_empty() && !frac.is_empty() && unsigned.len() == s.len())
            || (!int.is_empty()
                && int.as_bytes()[0].is_ascii_digit()
                && digits(int.as_bytes(), b"_"));
        let frac_ok = frac.is_empty() || digits(frac.as_bytes(), b"_");
        let exp_ok = exp.is_none_or(|e| {
            e.len() > 1 && matches!(e.as_bytes()[0], b'+' | b'-') && digits(&e.as_bytes()[1..], b"")
        });
        if int_ok && frac_ok && exp_ok {
            return Some("a number");
        }
        if int.is_empty() && matches!(frac, "inf" | "Inf" | "INF" | "nan" | "NaN" | "NAN") {
            return Some("a number");
        }
    }
    None
}

/// Warnings for plain values a YAML 1.1 reader types differently from kith:
/// in a text property any typed value, elsewhere the values YAML 1.1 and
/// YAML 1.2 disagree on (`yes`/`no`/`on`/`off`, `0123`, `1_000`, `1:20`).
pub(super) fn yaml11_warnings(rel: &Path, yaml_text: &str, first_line: usize) -> Vec<Diagnostic> {
    let lines: Vec<&str> = yaml_text.lines().collect();
    let spans = yaml::key_spans(yaml_text);
    let mut out = Vec::new();
    let mut check = |key: &str, line0: usize, col0: usize, raw: &str| {
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!']) {
            return;
        }
        let Some(kind11) = yaml11_type(raw) else {
            return;
        };
        let text_key = TEXT_KEYS.contains(&key);
        let disagree = matches!(kind11, "an octal number" | "a number in base 60")
            || (kind11 == "true/false"
                && !matches!(raw.to_ascii_lowercase().as_str(), "true" | "false"))
            || (kind11 == "a number" && raw.contains('_'));
        if !(text_key && kind11 != "empty (null)" || disagree) {
            return;
        }
        out.push(
            Diagnostic::warning(
                rel,
                first_line + line0,
                col0 + 1,
                format!(
                    "`{raw}` is read as {kind11} by YAML 1.1 readers (PyYAML, python-frontmatter, gray-matter), not as the text kith reads"
                ),
            )
            .hint(format!("quote it: `\"{raw}\"`, so every tool reads the same text")),
        );
    };
    for (k, span) in spans.iter().enumerate() {
        let Some(line) = lines.get(span.line) else {
            continue;
        };
        let start = (span.value_column - 1).min(line.len());
        let value = strip_comment(&line[start..]);
        let t = value.trim();
        if t.starts_with('[') && t.ends_with(']') {
            // A one-line flow list: its items.
            let inner_start = start + value.find('[').unwrap_or(0) + 1;
            let inner = &t[1..t.len() - 1];
            let mut off = 0;
            for item in inner.split(',') {
                let lead = item.len() - item.trim_start().len();
                check(&span.key, span.line, inner_start + off + lead, item);
                off += item.len() + 1;
            }
        } else if !t.is_empty() {
            check(&span.key, span.line, start, t);
        } else {
            let end = spans.get(k + 1).map_or(lines.len(), |s| s.line);
            for (i, l) in lines.iter().enumerate().take(end).skip(span.line + 1) {
                let trimmed = l.trim_start();
                if let Some(item) = trimmed.strip_prefix("- ") {
                    let col = l.len() - trimmed.len() + 2;
                    check(&span.key, i, col, strip_comment(item));
                }
            }
        }
    }
    out
}

/// A YAML line without its ` # comment` (a `#` inside quotes is text).
pub(super) fn strip_comment(s: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && (prev == ' ' || prev == '\t') => return &s[..i],
            None => {}
        }
        prev = c;
    }
    s
}

pub(super) fn yaml_hint(msg: &str) -> &'static str {
    if msg.contains("duplicate") {
        "each property may appear only once; merge the two"
    } else if msg.contains("recursion limit")
        || msg.contains("repetition limit")
        || msg.contains("levels deep")
    {
        "the front matter nests or repeats too deeply; keep properties flat"
    } else if msg.contains("tab") {
        "indent with spaces, not tabs"
    } else {
        "check quotes, colons and indentation on this line; quote values that contain `: ` or start with `[`, `{`, `*`, `&` or `#`"
    }
}
