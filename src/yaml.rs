//! The one module that knows about the YAML crate.
//!
//! kith reads YAML with `yaml_serde`, the YAML organisation's maintained
//! continuation of serde_yaml (same API, on `libyaml-rs`), behind a small
//! value type of our own ([`Yaml`]), so that swapping crates touches only this
//! file. docs/format.md records why this crate. Every case kith tests behaves
//! as it did with serde_yaml: alias bombs are cut off by its repetition
//! limit, deep nesting by its recursion limit, duplicate keys are errors,
//! `NO`/`yes`/`01234` stay strings, and errors carry a line and column.
//!
//! kith never re-serialises a user's front matter: writes are surgical byte
//! edits (see `write`). This module only reads, and quotes new scalars.

use std::fmt::Write as _;

/// A parsed YAML value. Numbers keep the spelling they had in the file
/// (`+4712345678` stays `+4712345678`, `1.10` stays `1.10`).
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    List(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    /// The value as text if it is a scalar (string, number or bool).
    pub fn as_scalar(&self) -> Option<String> {
        match self {
            Yaml::String(s) | Yaml::Number(s) => Some(s.clone()),
            Yaml::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Yaml::Null => "empty",
            Yaml::Bool(_) => "true/false",
            Yaml::Number(_) => "a number",
            Yaml::String(_) => "text",
            Yaml::List(_) => "a list",
            Yaml::Map(_) => "a map",
        }
    }

    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Yaml::Null => J::Null,
            Yaml::Bool(b) => J::Bool(*b),
            Yaml::Number(s) | Yaml::String(s) => J::String(s.clone()),
            Yaml::List(v) => J::Array(v.iter().map(Yaml::to_json).collect()),
            Yaml::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

/// A YAML syntax error at a 1-based line and column of the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A top-level key as it appears in the source: its 0-based line within the YAML
/// text, the column where its value starts, and the raw text after the colon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpan {
    pub key: String,
    pub line: usize,
    pub value_column: usize,
}

/// Parses a YAML document. An empty or comment-only document is `Yaml::Null`.
pub fn parse(src: &str) -> Result<Yaml, YamlError> {
    // libyaml's cost grows with the square of the nesting depth, and
    // serde_yaml only applies its recursion limit after the whole document
    // was scanned: cut deep documents off here, in one linear pass.
    if let Some((line, column)) = too_deep(src, MAX_DEPTH) {
        return Err(YamlError {
            line,
            column,
            message: format!("nested more than {MAX_DEPTH} levels deep"),
        });
    }
    let value: yaml_serde::Value = yaml_serde::from_str(src).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let message = e.to_string();
        // serde_yaml appends " at line X column Y"; we report the place ourselves.
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        let (line, column) = duplicate_key_position(src, &message).unwrap_or((line, column));
        YamlError {
            line: line.max(1),
            column: column.max(1),
            message,
        }
    })?;
    let spans = key_spans(src);
    let lines: Vec<&str> = src.lines().collect();
    Ok(convert_top(value, &spans, &lines))
}

/// The deepest nesting of lists and maps kith reads (docs/format.md).
pub const MAX_DEPTH: usize = 128;

/// Where (1-based line, column) the nesting of `src` first exceeds `limit`:
/// block levels by indentation (plus `- - ` on one line), flow levels by
/// brackets outside quotes and comments. An estimate that never counts more
/// levels than a YAML parser sees, except for rare multi-line plain scalars
/// indented ever deeper, and is linear in the text.
pub fn too_deep(src: &str, limit: usize) -> Option<(usize, usize)> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    let mut block_scalar: Option<usize> = None;
    for (i, line) in src.lines().enumerate() {
        let b = line.as_bytes();
        let indent = b.iter().take_while(|c| **c == b' ').count();
        let blank = b[indent..].iter().all(|c| c.is_ascii_whitespace());
        if let Some(parent) = block_scalar {
            if blank || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        if blank {
            continue;
        }
        let mut j = indent;
        let mut block = indents.len();
        if quote.is_none() && flow == 0 {
            if b[indent] == b'#' {
                continue;
            }
            while indents.last().is_some_and(|t| *t > indent) {
                indents.pop();
            }
            if indents.last().is_none_or(|t| *t < indent) {
                indents.push(indent);
            }
            block = indents.len();
            // `- - - x`: each further dash on the line is one more list.
            let mut dashes = 0usize;
            while j < b.len() && b[j] == b'-' && b.get(j + 1).is_none_or(|c| *c == b' ') {
                dashes += 1;
                j += 2;
                while j < b.len() && b[j] == b' ' {
                    j += 1;
                }
            }
            block += dashes.saturating_sub(1);
            if block > limit {
                return Some((i + 1, indent + 1));
            }
        }
        // The last significant byte before `j`, to tell a bracket that opens
        // a collection from one inside plain text (`a[1]`).
        let mut prev: Option<u8> = None;
        while j < b.len() {
            let c = b[j];
            match quote {
                Some(b'"') => {
                    if c == b'\\' {
                        j += 1;
                    } else if c == b'"' {
                        quote = None;
                    }
                }
                Some(_) => {
                    if c == b'\'' {
                        quote = None;
                    }
                }
                None => {
                    let opens_node =
                        prev.is_none_or(|p| matches!(p, b':' | b'-' | b'[' | b'{' | b',' | b'?'));
                    match c {
                        b'#' if j == 0 || b[j - 1] == b' ' || b[j - 1] == b'\t' => break,
                        b'"' | b'\'' if opens_node => quote = Some(c),
                        b'[' | b'{' if opens_node => {
                            flow += 1;
                            if block + flow > limit {
                                return Some((i + 1, j + 1));
                            }
                        }
                        b']' | b'}' if flow > 0 => flow -= 1,
                        _ => {}
                    }
                    if c != b' ' && c != b'\t' {
                        prev = Some(c);
                    }
                }
            }
            j += 1;
        }
        if quote.is_none()
            && flow == 0
            && matches!(prev, Some(b'|' | b'>'))
            && block_scalar_header(line)
        {
            block_scalar = Some(indent);
        }
    }
    None
}

/// Does the line end with a block scalar header (`key: |`, `- >-`, `|2+`)?
fn block_scalar_header(line: &str) -> bool {
    let t = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    let t = t.trim_end();
    let head = t.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let Some(before) = head.strip_suffix('|').or_else(|| head.strip_suffix('>')) else {
        return false;
    };
    before.is_empty() || before.ends_with(' ')
}

/// serde_yaml places a duplicate-key error at the mapping; point at the second key.
fn duplicate_key_position(src: &str, message: &str) -> Option<(usize, usize)> {
    let rest = message.split("duplicate entry with key ").nth(1)?;
    let key = rest.trim().trim_matches('"');
    let span = key_spans(src).into_iter().filter(|s| s.key == key).nth(1)?;
    Some((span.line + 1, 1))
}

fn convert_top(v: yaml_serde::Value, spans: &[KeySpan], lines: &[&str]) -> Yaml {
    // Each key's first span, looked up once: a scan per key is quadratic in
    // the number of keys.
    let mut first: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(spans.len());
    for (i, s) in spans.iter().enumerate() {
        first.entry(s.key.as_str()).or_insert(i);
    }
    match v {
        yaml_serde::Value::Mapping(m) => Yaml::Map(
            m.into_iter()
                .map(|(k, v)| {
                    let key = key_text(&k);
                    let raw = first
                        .get(key.as_str())
                        .and_then(|pos| RawSource::at(*pos, spans, lines));
                    (key, convert(v, raw.as_ref(), 0))
                })
                .collect(),
        ),
        other => convert(other, None, 0),
    }
}

fn key_text(k: &yaml_serde::Value) -> String {
    match k {
        yaml_serde::Value::String(s) => s.clone(),
        yaml_serde::Value::Number(n) => n.to_string(),
        yaml_serde::Value::Bool(b) => b.to_string(),
        yaml_serde::Value::Null => "null".to_string(),
        other => yaml_serde::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// The raw source text of a top-level key's value: its inline text and its
/// block list items, used to recover the spelling of numbers.
struct RawSource {
    inline: String,
    items: Vec<String>,
}

impl RawSource {
    fn at(pos: usize, spans: &[KeySpan], lines: &[&str]) -> Option<RawSource> {
        let span = &spans[pos];
        let end = spans.get(pos + 1).map_or(lines.len(), |s| s.line);
        let line = lines.get(span.line)?;
        let inline = line.get(span.value_column - 1..).unwrap_or("");
        let items = lines
            .get(span.line + 1..end)
            .unwrap_or(&[])
            .iter()
            .filter_map(|l| l.trim_start().strip_prefix("- ").map(clean_raw))
            .collect();
        Some(RawSource {
            inline: clean_raw(inline),
            items,
        })
    }
}

fn clean_raw(s: &str) -> String {
    let s = match s.find(" #") {
        Some(i) => &s[..i],
        None => s,
    };
    s.trim().to_string()
}

fn convert(v: yaml_serde::Value, raw: Option<&RawSource>, depth: usize) -> Yaml {
    use yaml_serde::Value as V;
    match v {
        V::Null => Yaml::Null,
        V::Bool(b) => Yaml::Bool(b),
        V::Number(n) => {
            let spelled = raw
                .map(|r| r.inline.clone())
                .filter(|s| !s.is_empty() && number_matches(s, &n));
            Yaml::Number(spelled.unwrap_or_else(|| n.to_string()))
        }
        V::String(s) => Yaml::String(s),
        V::Sequence(seq) => {
            let items = raw.map(|r| &r.items[..]).unwrap_or(&[]);
            let aligned = items.len() == seq.len() && depth == 0;
            Yaml::List(
                seq.into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let item_raw = aligned.then(|| RawSource {
                            inline: items[i].clone(),
                            items: Vec::new(),
                        });
                        convert(v, item_raw.as_ref(), depth + 1)
                    })
                    .collect(),
            )
        }
        V::Mapping(m) => Yaml::Map(
            m.into_iter()
                .map(|(k, v)| (key_text(&k), convert(v, None, depth + 1)))
                .collect(),
        ),
        V::Tagged(t) => convert(t.value, raw, depth),
    }
}

fn number_matches(raw: &str, n: &yaml_serde::Number) -> bool {
    let parsed: Result<yaml_serde::Value, _> = yaml_serde::from_str(raw);
    matches!(parsed, Ok(yaml_serde::Value::Number(m)) if &m == n)
}

/// Finds the top-level keys of a block mapping: lines at column 0 of the form
/// `key:` or `"key":`.
pub fn key_spans(src: &str) -> Vec<KeySpan> {
    let mut spans = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || matches!(first, '#' | '-' | '{' | '[' | '}' | ']') {
            continue;
        }
        let (key, after) = if first == '"' || first == '\'' {
            let Some(close) = line[1..].find(first) else {
                continue;
            };
            (line[1..=close].to_string(), close + 2)
        } else {
            let Some(colon) = line.find(':') else {
                continue;
            };
            (line[..colon].trim_end().to_string(), colon)
        };
        let Some(rest) = line.get(after..) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
            continue;
        }
        let lead = rest.len() - rest.trim_start().len();
        spans.push(KeySpan {
            key,
            line: i,
            value_column: after + 1 + lead + 1,
        });
    }
    spans
}

/// Writes `s` as a YAML scalar that reads back as exactly this string: plain
/// when that is safe, double-quoted otherwise (`NO`, `01234`, `+47…`, `yes`,
/// `1.10`, anything with `: ` or `#`, leading/trailing spaces...).
pub fn quote(s: &str) -> String {
    if plain_is_safe(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn plain_is_safe(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_alphabetic()) {
        return false;
    }
    if s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars()
            .any(|c| c.is_control() || matches!(c, '"' | '\'' | '[' | ']' | '{' | '}' | '`' | '|'))
    {
        return false;
    }
    // Whatever a YAML 1.1 or 1.2 parser might read as something other than a
    // string must be quoted; the simplest test is to ask ours.
    matches!(yaml_serde::from_str::<yaml_serde::Value>(s), Ok(yaml_serde::Value::String(ref t)) if t == s)
        && !is_yaml11_special(s)
}

fn is_yaml11_special(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_spelling() {
        let y = parse("phones:\n  - +4712345678\n  - 01234\nver: 1.10\ncountry: NO\n").unwrap();
        assert_eq!(
            y.get("phones"),
            Some(&Yaml::List(vec![
                Yaml::Number("+4712345678".into()),
                Yaml::String("01234".into())
            ]))
        );
        assert_eq!(y.get("ver"), Some(&Yaml::Number("1.10".into())));
        assert_eq!(y.get("country"), Some(&Yaml::String("NO".into())));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("name: Lena\ntags: [a, b\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = parse("name: a\nname: b\n").unwrap_err();
        assert!(e.message.contains("duplicate"), "{e:?}");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
";
        assert!(parse(bomb).is_err());
    }

    #[test]
    fn quoting_round_trips() {
        for s in [
            "NO",
            "01234",
            "+4712345678",
            "yes",
            "1.10",
            "Lena Fischer",
            "a: b",
            "#tag",
            " x",
            "O'Brien",
            "line\nbreak",
            "2026-11-21",
            "[[Lena]]",
            "null",
            "",
        ] {
            let q = quote(s);
            let back: yaml_serde::Value = yaml_serde::from_str(&format!("k: {q}")).unwrap();
            assert_eq!(back["k"].as_str(), Some(s), "{s:?} quoted as {q}");
        }
        assert_eq!(quote("Lena Fischer"), "Lena Fischer");
    }
}
