//! The index schema, its analyzer, and how a note becomes documents.

use crate::note::Note;
use crate::text::fold;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, TantivyDocument};

/// English stemming and accent folding: "mentoring" finds "mentor", "Tomas"
/// finds "Tomás".
pub const ANALYZER: &str = "kith_en";

pub fn register_tokenizer(index: &Index) {
    let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    index.tokenizers().register(ANALYZER, analyzer);
}

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `path` for a note, `path#line` for an entry.
    pub id: Field,
    pub path: Field,
    /// `note` or `entry`.
    pub doc: Field,
    pub kind: Field,
    pub name: Field,
    pub aliases: Field,
    pub title: Field,
    pub body: Field,
    pub org: Field,
    pub role: Field,
    pub location: Field,
    pub tag: Field,
    pub tag_exact: Field,
    pub interests: Field,
    pub values: Field,
    pub needs: Field,
    pub offers: Field,
    /// Folded names of the note's person and of every link in the document.
    pub people: Field,
    /// YYYYMMDD.
    pub date: Field,
    pub line: Field,
    pub size: Field,
    pub mtime: Field,
    /// Duplicate-check keys of a person note (`n:` folded names, `e:` emails).
    pub key: Field,
    /// Content hash of the note's file, on its note and entry documents.
    pub hash: Field,
    /// Byte ranges in the note's text (after any BOM) as start, end pairs:
    /// an entry's text ([`crate::model::LogEntry::span`]), a note's body
    /// ([`body_spans`]). Snippets are cut from the note by them when its
    /// bytes are still the ones indexed (`hash`), instead of parsing it.
    pub span: Field,
}

const NAMES: [&str; 25] = [
    "id",
    "path",
    "doc",
    "kind",
    "name",
    "aliases",
    "title",
    "body",
    "org",
    "role",
    "location",
    "tag",
    "tag_exact",
    "interests",
    "values",
    "needs",
    "offers",
    "people",
    "date",
    "line",
    "size",
    "mtime",
    "key",
    "hash",
    "span",
];

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { o.set_stored() } else { o }
    };
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("path", STRING | STORED | FAST);
    b.add_text_field("doc", STRING | STORED);
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("name", text(true));
    b.add_text_field("aliases", text(true));
    b.add_text_field("title", text(true));
    b.add_text_field("body", text(false));
    for f in ["org", "role", "location", "tag"] {
        b.add_text_field(f, text(false));
    }
    b.add_text_field("tag_exact", STRING);
    for f in ["interests", "values", "needs", "offers"] {
        b.add_text_field(f, text(false));
    }
    b.add_text_field("people", STRING);
    b.add_u64_field("date", NumericOptions::from(INDEXED | STORED | FAST));
    b.add_u64_field("line", STORED);
    b.add_u64_field("size", FAST);
    b.add_i64_field("mtime", FAST);
    b.add_text_field("key", STRING);
    b.add_u64_field("hash", FAST | STORED);
    b.add_u64_field("span", STORED);
    let schema = b.build();
    let fields = Fields::from_schema(&schema)
        .unwrap_or_else(|| unreachable!("schema built above has every field"));
    (schema, fields)
}

impl Fields {
    pub fn from_schema(s: &Schema) -> Option<Fields> {
        let f: Vec<Field> = NAMES
            .iter()
            .map(|n| s.get_field(n).ok())
            .collect::<Option<_>>()?;
        Some(Fields {
            id: f[0],
            path: f[1],
            doc: f[2],
            kind: f[3],
            name: f[4],
            aliases: f[5],
            title: f[6],
            body: f[7],
            org: f[8],
            role: f[9],
            location: f[10],
            tag: f[11],
            tag_exact: f[12],
            interests: f[13],
            values: f[14],
            needs: f[15],
            offers: f[16],
            people: f[17],
            date: f[18],
            line: f[19],
            size: f[20],
            mtime: f[21],
            key: f[22],
            hash: f[23],
            span: f[24],
        })
    }
}

pub fn date_num(d: crate::date::Date) -> u64 {
    d.format("%Y%m%d").to_string().parse().unwrap_or(0)
}

/// The body of a note without its front matter and without its log entries
/// (each entry is a document of its own).
pub fn body_of(note: &Note, text: &str) -> String {
    let mut out = String::new();
    for (start, end) in body_spans(note, text) {
        out.push_str(&text[start..end]);
    }
    out
}

/// Where [`body_of`] comes from in `text`: byte ranges, in order, on line
/// boundaries (so on character boundaries).
pub fn body_spans(note: &Note, text: &str) -> Vec<(usize, usize)> {
    // Lines covered by entries, as sorted, merged ranges.
    let mut ranges: Vec<(usize, usize)> = note
        .entries
        .iter()
        .map(|e| (e.line as usize, e.end_line as usize))
        .collect();
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut r = 0;
    let mut at = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        let line = i + 1;
        let (start, end) = (at, at + l.len());
        at = end;
        while r < ranges.len() && ranges[r].1 <= line {
            r += 1;
        }
        let in_entry = ranges[r..]
            .iter()
            .take_while(|(s, _)| *s <= line)
            .any(|(_, e)| line < *e);
        if line >= note.body_line && !in_entry {
            match out.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => out.push((start, end)),
            }
        }
    }
    out
}

/// The text `spans` (see [`Fields::span`]) cut from `text`: an entry's
/// (trimmed, as the parser does) or a note's body; `None` when they do not
/// fit the text.
pub fn cut_spans(text: &str, spans: &[u64], entry: bool) -> Option<String> {
    if !spans.len().is_multiple_of(2) || (entry && spans.len() != 2) {
        return None;
    }
    let mut out = String::new();
    for pair in spans.chunks(2) {
        let start = usize::try_from(pair[0]).ok()?;
        let end = usize::try_from(pair[1]).ok()?;
        out.push_str(text.get(start..end)?);
    }
    Some(if entry { out.trim().to_string() } else { out })
}

/// The documents for one note: the note itself, then one per log entry.
pub fn documents(
    f: &Fields,
    note: &Note,
    text: &str,
    stamp: Option<(u64, i64, u64)>,
) -> Vec<TantivyDocument> {
    let path = path_text(&note.path);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::with_capacity(1 + note.entries.len());
    let person_name = note.person.as_ref().map(|p| p.name.clone());
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &path);
    d.add_text(f.path, &path);
    d.add_text(f.doc, "note");
    d.add_text(f.kind, super::kind_str(note));
    d.add_text(f.name, &note.title);
    for a in &note.aliases {
        d.add_text(f.aliases, a);
    }
    let spans = body_spans(note, text);
    let mut body = String::new();
    for &(start, end) in &spans {
        body.push_str(&text[start..end]);
        d.add_u64(f.span, start as u64);
        d.add_u64(f.span, end as u64);
    }
    d.add_text(f.body, body);
    for t in &note.tags {
        d.add_text(f.tag, t);
        d.add_text(f.tag_exact, fold(t));
    }
    if let Some(p) = &note.person {
        for (field, v) in [
            (f.org, &p.org),
            (f.role, &p.role),
            (f.location, &p.location),
        ] {
            if let Some(v) = v {
                d.add_text(field, v);
            }
        }
        for (field, list) in [
            (f.interests, &p.interests),
            (f.values, &p.values),
            (f.needs, &p.needs),
            (f.offers, &p.offers),
        ] {
            for v in list {
                d.add_text(field, v);
            }
        }
        d.add_text(f.people, fold(&p.name));
        for k in crate::identity::key_strings(p) {
            d.add_text(f.key, k);
        }
        for e in &p.emails {
            d.add_text(f.body, e);
        }
    } else if let Some(ev) = &note.event
        && let Some(l) = &ev.location
    {
        d.add_text(f.location, l);
    }
    for l in &note.links {
        d.add_text(f.people, fold(&l.target));
    }
    if let Some(date) = note.date {
        d.add_u64(f.date, date_num(date));
    }
    d.add_u64(f.line, 1);
    if let Some((size, mtime, hash)) = stamp {
        d.add_u64(f.size, size);
        d.add_i64(f.mtime, mtime);
        d.add_u64(f.hash, hash);
    }
    out.push(d);
    for e in &note.entries {
        let mut d = TantivyDocument::default();
        d.add_text(f.id, format!("{path}#{}", e.line));
        d.add_text(f.path, &path);
        d.add_text(f.doc, "entry");
        d.add_text(f.kind, super::kind_str(note));
        d.add_text(f.name, &note.title);
        d.add_text(f.title, &e.title);
        d.add_text(f.body, crate::note::slice_entry(text, e.span));
        for t in e.tags() {
            d.add_text(f.tag, t);
            d.add_text(f.tag_exact, fold(t));
        }
        if let Some(n) = &person_name {
            d.add_text(f.people, fold(n));
        }
        for l in e.links() {
            d.add_text(f.people, fold(l));
        }
        d.add_u64(f.date, date_num(e.date));
        d.add_u64(f.line, e.line as u64);
        d.add_u64(f.span, e.span.0 as u64);
        d.add_u64(f.span, e.span.1 as u64);
        if let Some((_, _, hash)) = stamp {
            d.add_u64(f.hash, hash);
        }
        out.push(d);
    }
    out
}

/// The text the index keeps for a note's path (its `path` and `id` terms):
/// the path itself when it is UTF-8 (with `/` separators), else a NUL (which
/// no path holds) and the path's bytes in hex. Lossless, so two notes whose
/// names differ only in bytes that are not UTF-8 (`caf\xe9.md`,
/// `caf\xe8.md`) are two documents, and a hit's path opens its note.
pub fn path_text(p: &std::path::Path) -> String {
    match p.to_str() {
        Some(s) if cfg!(windows) => s.replace('\\', "/"),
        Some(s) => s.to_string(),
        None => {
            let mut out = String::from("\0");
            for b in p.as_os_str().as_encoded_bytes() {
                out.push_str(&format!("{b:02x}"));
            }
            out
        }
    }
}

/// The path's bytes [`path_text`] stands for.
pub fn path_bytes_of_text(s: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let Some(hex) = s.strip_prefix(b"\0") else {
        return std::borrow::Cow::Borrowed(s);
    };
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    std::borrow::Cow::Owned(
        hex.chunks(2)
            .filter_map(|two| match two {
                [h, l] => Some(digit(*h)? << 4 | digit(*l)?),
                _ => None,
            })
            .collect(),
    )
}

/// The path [`path_text`] stands for.
pub fn path_of_text(s: &str) -> std::path::PathBuf {
    match path_bytes_of_text(s.as_bytes()) {
        std::borrow::Cow::Borrowed(_) => std::path::PathBuf::from(s),
        #[cfg(unix)]
        std::borrow::Cow::Owned(b) => std::path::PathBuf::from(
            <std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(b),
        ),
        #[cfg(not(unix))]
        std::borrow::Cow::Owned(b) => {
            std::path::PathBuf::from(String::from_utf8_lossy(&b).into_owned())
        }
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;
    use tantivy::schema::Value;

    /// A snippet cut by the stored spans is exactly what a parse gives:
    /// the entry's text, the note's body. Nested and setext headings, CRLF,
    /// a BOM, text that is not UTF-8, an entry running to the end.
    #[test]
    fn spans_cut_what_a_parse_gives() {
        let notes: [&[u8]; 6] = [
            b"---\nname: Ann\n---\nBio line.\n\n## Log\n\n### 2026-11-20 \xc2\xb7 tea\n\n  Talked.  \n\n#### 2026-11-21 nested\n\ninner\n\nAfter log.\n",
            b"\xEF\xBB\xBF---\r\nname: Bo\r\n---\r\nIntro\r\n\r\n## Log\r\n\r\n### 2026-01-02 \xc2\xb7 call\r\n\r\nline one\r\nline two\r\n",
            b"---\nname: Cy\n---\nbad \xff byte\n\n## Log\n\n### 2026-03-04\nno blank line \xfe here",
            b"No front matter.\n\nLog\n---\n\n2026-05-06 setext\n----------------\n\ntext under\n",
            b"",
            b"---\nname: Di\n---\n",
        ];
        let (_, f) = build();
        for bytes in notes {
            let rel = std::path::Path::new("people/x.md");
            let note = crate::note::parse(rel, bytes);
            let whole = String::from_utf8_lossy(bytes);
            let text = whole.strip_prefix('\u{feff}').unwrap_or(&whole);
            let docs = documents(&f, &note, &whole, Some((1, 2, 3)));
            assert_eq!(docs.len(), 1 + note.entries.len());
            let spans = |d: &TantivyDocument| -> Vec<u64> {
                d.get_all(f.span).filter_map(|v| v.as_u64()).collect()
            };
            assert_eq!(
                cut_spans(text, &spans(&docs[0]), false).as_deref(),
                Some(body_of(&note, text).as_str()),
                "{}",
                whole.escape_debug()
            );
            for (d, e) in docs[1..].iter().zip(&note.entries) {
                assert_eq!(cut_spans(text, &spans(d), true), note.entry_text(e));
                assert_eq!(d.get_first(f.hash).and_then(|v| v.as_u64()), Some(3));
            }
        }
        assert_eq!(cut_spans("abc", &[0, 9], true), None, "out of the text");
        assert_eq!(cut_spans("abc", &[0], false), None, "half a pair");
        assert_eq!(cut_spans("é", &[1, 2], false), None, "inside a character");
    }
}

#[cfg(test)]
mod path_text_tests {
    use super::*;

    #[test]
    fn a_path_text_round_trips_whatever_the_bytes() {
        use std::os::unix::ffi::OsStrExt;
        for raw in [
            &b"people/ann.md"[..],
            b"people/caf\xe9.md",
            b"people/caf\xe8.md",
            b"a\\b.md",
        ] {
            let p = std::path::Path::new(std::ffi::OsStr::from_bytes(raw));
            let t = path_text(p);
            assert_eq!(path_of_text(&t), p);
            assert_eq!(&*path_bytes_of_text(t.as_bytes()), raw);
        }
        assert_ne!(
            path_text(std::path::Path::new(std::ffi::OsStr::from_bytes(
                b"caf\xe9.md"
            ))),
            path_text(std::path::Path::new(std::ffi::OsStr::from_bytes(
                b"caf\xe8.md"
            )))
        );
    }
}

#[cfg(test)]
mod span_fuzz {
    use super::*;
    use proptest::prelude::*;
    use tantivy::schema::Value;

    const PIECES: &[&[u8]] = &[
        b"---\n",
        b"---\r\n",
        b"\xEF\xBB\xBF",
        b"name: Ann\n",
        b"name: Bo\r\n",
        b"## Log\n",
        b"## Log\r\n",
        b"### 2026-11-20 \xc2\xb7 tea\n",
        b"### 2026-11-21\r\n",
        b"#### 2026-11-22 nested\n",
        b"\n",
        b"\r\n",
        b"\r",
        b"  text  ",
        b"\xff\xfe",
        b"\xe2\x82",
        b"\xf0\x9f\x8e\x89",
        b"caf\xc3\xa9 ",
        b"Log\n---\n",
        b"2026-05-06 s\n----\n",
        b"- [ ] promise\n",
        b"# Title\n",
        b"```\n",
        b"<!-- c -->\n",
        b"\t",
        b"  - 2026-01-01 x\n",
        b"## Notes\n",
        b"### not a date\n",
        b"\x00",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn spans_cut_what_a_parse_gives_on_any_note(idx in proptest::collection::vec(0..PIECES.len(), 0..40)) {
            let bytes: Vec<u8> = idx.iter().flat_map(|&i| PIECES[i].iter().copied()).collect();
            let (_, f) = build();
            let rel = std::path::Path::new("people/x.md");
            let note = crate::note::parse(rel, &bytes);
            let whole = String::from_utf8_lossy(&bytes);
            let text = whole.strip_prefix('\u{feff}').unwrap_or(&whole);
            let docs = documents(&f, &note, &whole, Some((1, 2, 3)));
            let spans = |d: &TantivyDocument| -> Vec<u64> {
                d.get_all(f.span).filter_map(|v| v.as_u64()).collect()
            };
            prop_assert_eq!(cut_spans(text, &spans(&docs[0]), false), Some(body_of(&note, text)));
            for (d, e) in docs[1..].iter().zip(&note.entries) {
                prop_assert_eq!(cut_spans(text, &spans(d), true), note.entry_text(e));
                // The model's way (`Vault::entry_text`): BOM bytes off, then lossy.
                let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                let t = String::from_utf8_lossy(b);
                prop_assert_eq!(Some(crate::vault::slice_entry(&t, e.span)), note.entry_text(e));
            }
        }
    }
}
