//! Queries: words (all must match), "phrases", -exclusion, OR, field:value,
//! fuzzy names; filters by person, tag, date and kind; snippets cut from the
//! notes themselves (the index stores no text, so snippets are always exact).

use super::schema::{self, date_num};
use super::{Index, tantivy_err};
use crate::date::Date;
use crate::error::Result;
use crate::model::NoteKind;
use crate::note;
use crate::text::fold;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Bound;
use std::path::PathBuf;
use tantivy::collector::TopDocs;
use tantivy::directory::CompositeFile;
use tantivy::index::SegmentComponent;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub person: Option<String>,
    pub tag: Option<String>,
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub kind: Option<NoteKind>,
    pub limit: usize,
}

/// One result: a log entry or a note.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub name: String,
    /// Vault-relative; in JSON as text, lossily when the name is not UTF-8
    /// (serde refuses such a path, which failed the whole answer).
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    pub line: usize,
    pub date: Option<String>,
    pub title: String,
    pub snippet: String,
    /// Byte ranges of `snippet` that matched.
    #[serde(skip)]
    pub highlights: Vec<std::ops::Range<usize>>,
    pub score: f32,
    /// `entry` or `note`.
    pub kind: String,
}

fn lossy_path<S: serde::Serializer>(p: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
}

impl Index {
    fn parser(&self, searcher: &Searcher) -> QueryParser {
        let f = &self.fields;
        let mut p = QueryParser::for_index(
            &self.index,
            self.with_terms(
                searcher,
                vec![
                    f.name,
                    f.aliases,
                    f.title,
                    f.body,
                    f.org,
                    f.role,
                    f.location,
                    f.tag,
                    f.interests,
                    f.values,
                    f.needs,
                    f.offers,
                ],
            ),
        );
        p.set_conjunction_by_default();
        p.set_field_boost(f.name, 3.0);
        p.set_field_boost(f.aliases, 2.0);
        p.set_field_boost(f.title, 2.0);
        p.set_field_boost(f.tag, 1.5);
        // A misspelt name still finds the person.
        p.set_field_fuzzy(f.name, false, 1, true);
        p.set_field_fuzzy(f.aliases, false, 1, true);
        p
    }

    /// Of `fields`, those that hold a term in some segment `searcher`
    /// reads (all of them when that cannot be told, or when none does).
    /// A field no segment holds matches nothing, so leaving it out of a
    /// query changes no answer; but asking for it builds tantivy's empty
    /// term dictionary, once per process: 0.3–0.5 ms, a twentieth of a
    /// search of 10k people, for a field like `aliases` that few vaults
    /// fill.
    fn with_terms(&self, searcher: &Searcher, fields: Vec<Field>) -> Vec<Field> {
        let mut held = vec![false; fields.len()];
        for seg in searcher.segment_readers() {
            let meta = self.index.new_segment_meta(seg.segment_id(), seg.max_doc());
            let postings = self
                .index
                .segment(meta)
                .open_read(SegmentComponent::Postings);
            let Some(file) = postings.ok().and_then(|p| CompositeFile::open(&p).ok()) else {
                return fields;
            };
            for (h, f) in held.iter_mut().zip(&fields) {
                *h |= file.open_read(*f).is_some();
            }
        }
        if !held.contains(&true) {
            return fields;
        }
        fields
            .into_iter()
            .zip(held)
            .filter_map(|(f, h)| h.then_some(f))
            .collect()
    }

    /// Names (folded) of the person `who` refers to: the best person note by
    /// name or alias, with all its aliases and its file name (links may use
    /// any of them); else `who` itself.
    fn person_terms(&self, searcher: &Searcher, who: &str) -> Result<Vec<String>> {
        let f = &self.fields;
        let mut p = QueryParser::for_index(
            &self.index,
            self.with_terms(searcher, vec![f.name, f.aliases]),
        );
        p.set_conjunction_by_default();
        p.set_field_fuzzy(f.name, false, 1, true);
        let (q, _) = p.parse_query_lenient(&quote_words(who));
        let q = BooleanQuery::new(vec![
            (Occur::Must, q),
            (Occur::Must, term(f.kind, "person")),
            (Occur::Must, term(f.doc, "note")),
        ]);
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .map_err(tantivy_err)?;
        let mut names = vec![fold(who)];
        if let Some((_, addr)) = top.first() {
            let d: TantivyDocument = searcher.doc(*addr).map_err(tantivy_err)?;
            for field in [f.name, f.aliases] {
                for v in d.get_all(field) {
                    if let Some(s) = v.as_str() {
                        names.push(fold(s));
                    }
                }
            }
            let stem = d
                .get_first(f.path)
                .and_then(|v| v.as_str())
                .map(super::schema::path_of_text)
                .and_then(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string));
            if let Some(stem) = stem {
                names.push(fold(&stem));
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>> {
        let t0 = std::time::Instant::now();
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let text_query: Box<dyn Query> = if q.text.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            let (parsed, _errors) = self.parser(&searcher).parse_query_lenient(&q.text);
            parsed
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
        if let Some(who) = &q.person {
            let names = self.person_terms(&searcher, who)?;
            let any: Vec<(Occur, Box<dyn Query>)> = names
                .iter()
                .map(|n| (Occur::Should, term(f.people, n)))
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(t) = &q.tag {
            clauses.push((
                Occur::Must,
                term(f.tag_exact, &fold(t.trim_start_matches('#'))),
            ));
        }
        if q.since.is_some() || q.until.is_some() {
            let lo = q.since.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_u64(f.date, date_num(d)))
            });
            let hi = q.until.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_u64(f.date, date_num(d)))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        if let Some(k) = q.kind {
            clauses.push((Occur::Must, term(f.kind, k.as_str())));
        }
        let query = BooleanQuery::new(clauses);
        let limit = q.limit.max(1);
        let top: Vec<(Score, DocAddress)> = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(tantivy_err)?;
        let t_top = t0.elapsed();
        let mut snippets =
            SnippetGenerator::create(&searcher, &*text_query, f.body).map_err(tantivy_err)?;
        let t_gen = t0.elapsed();
        snippets.set_max_num_chars(160);
        let mut files: HashMap<PathBuf, Option<Source>> = HashMap::new();
        let mut words = super::snippet::query_words(&q.text);
        words.extend(q.tag.iter().map(|t| crate::text::fold(t)));
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(tantivy_err)?;
            let s = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let path = super::schema::path_of_text(&s(f.path));
            let line = d.get_first(f.line).and_then(|v| v.as_u64()).unwrap_or(1) as usize;
            let date = d.get_first(f.date).and_then(|v| v.as_u64()).map(fmt_date);
            let kind = s(f.doc);
            let loaded = files
                .entry(path.clone())
                .or_insert_with(|| Source::read(&self.root.join(&path)));
            let entry = kind == "entry";
            let text = match loaded {
                Some(src) => {
                    let spans: Vec<u64> = d.get_all(f.span).filter_map(|v| v.as_u64()).collect();
                    let indexed = d.get_first(f.hash).and_then(|v| v.as_u64());
                    match (indexed == Some(src.hash))
                        .then(|| schema::cut_spans(src.text(), &spans, entry))
                        .flatten()
                    {
                        Some(t) => t,
                        // Changed since it was indexed (an edit right after
                        // the walk): what the note says now.
                        None => src.parsed_text(&path, entry, line, date.as_deref(), &s(f.title)),
                    }
                }
                None => String::new(),
            };
            let snip = snippets.snippet(&text);
            let (snippet, highlights) = if snip.fragment().trim().is_empty() {
                // Matched by a field (name, org, tag…), not by body words:
                // the note's best-matching line says why it was found.
                let whole = match loaded {
                    Some(src) if !entry => src.whole.as_str(),
                    _ => text.as_str(),
                };
                (super::snippet::best_line(whole, &words, 160), Vec::new())
            } else {
                let frag = snip.fragment();
                let lead = frag.len() - frag.trim_start().len();
                let hl = snip
                    .highlighted()
                    .iter()
                    .filter(|r| r.start >= lead)
                    .map(|r| r.start - lead..r.end - lead)
                    .collect();
                (frag.trim().to_string(), hl)
            };
            hits.push(Hit {
                name: s(f.name),
                path,
                line,
                date,
                title: s(f.title),
                snippet,
                highlights,
                score,
                kind,
            });
        }
        super::trace(|| {
            format!(
                "query {t_top:?}, snippet terms {:?}, hits and snippets {:?}",
                t_gen - t_top,
                t0.elapsed() - t_gen
            )
        });
        Ok(hits)
    }
}

/// A hit's note as read for its snippet.
struct Source {
    bytes: Vec<u8>,
    /// The bytes as text (lossily), BOM included.
    whole: String,
    hash: u64,
    /// Parsed only when the bytes are not the ones indexed.
    note: Option<note::Note>,
}

impl Source {
    fn read(path: &std::path::Path) -> Option<Source> {
        let bytes = crate::vault::read_note_bytes(path).ok()?;
        Some(Source {
            whole: String::from_utf8_lossy(&bytes).into_owned(),
            hash: crate::store::content_hash(&bytes),
            bytes,
            note: None,
        })
    }

    /// The text the parser reads (after any BOM), where spans point.
    fn text(&self) -> &str {
        self.whole.strip_prefix('\u{feff}').unwrap_or(&self.whole)
    }

    /// The entry the hit names (its line, date and title: an edit may have
    /// moved another entry to the line; none is an empty text) or the
    /// note's body, from a parse of the note.
    fn parsed_text(
        &mut self,
        rel: &std::path::Path,
        entry: bool,
        line: usize,
        date: Option<&str>,
        title: &str,
    ) -> String {
        let n = self
            .note
            .get_or_insert_with(|| note::parse(rel, &self.bytes));
        if entry {
            let e = n.entries.iter().find(|e| {
                e.line as usize == line
                    && date.is_none_or(|d| e.date.to_string() == d)
                    && *e.title == *title
            });
            return e.and_then(|e| n.entry_text(e)).unwrap_or_default();
        }
        let text = self.whole.strip_prefix('\u{feff}').unwrap_or(&self.whole);
        schema::body_of(n, text)
    }
}

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// Words of a name, safe for the query parser (no operators).
fn quote_words(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn fmt_date(n: u64) -> String {
    format!("{:04}-{:02}-{:02}", n / 10000, (n / 100) % 100, n % 100)
}
