//! An in-memory BM25 matcher over people's offers, needs and topics, for
//! introduction and share suggestions. Candidates come from the index (each
//! need queried against all offers), never from all pairs of people.

use super::schema::ANALYZER;
use crate::error::{Error, Result};
use std::collections::HashSet;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, TantivyDocument, Term};

/// One person's matchable text, keyed by the caller's id (a note index).
pub struct Profile<'a> {
    pub id: usize,
    pub offers: &'a [String],
    pub needs: &'a [String],
    /// Interests, values and tags.
    pub topics: Vec<&'a str>,
}

pub struct Matcher {
    reader: IndexReader,
    analyzer: TextAnalyzer,
    id: tantivy::schema::Field,
    item: tantivy::schema::Field,
    offer: tantivy::schema::Field,
    need: tantivy::schema::Field,
    topic: tantivy::schema::Field,
}

/// A match of a query against one stored item.
#[derive(Debug, Clone)]
pub struct Match {
    pub id: usize,
    /// Index of the offer/need within the person's list (topics: 0).
    pub item: usize,
    pub score: f32,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(
            StopWordFilter::new(Language::English)
                .unwrap_or_else(|| StopWordFilter::remove(Vec::new())),
        )
        .filter(Stemmer::new(Language::English))
        .build()
}

fn err(e: tantivy::TantivyError) -> Error {
    Error::Other(format!("matcher: {e}"))
}

impl Matcher {
    /// One document per offer, per need, and per person's topics.
    pub fn build(profiles: &[Profile<'_>]) -> Result<Matcher> {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let id = b.add_u64_field("id", INDEXED | STORED);
        let item = b.add_u64_field("item", STORED);
        let offer = b.add_text_field("offer", text.clone());
        let need = b.add_text_field("need", text.clone());
        let topic = b.add_text_field("topic", text);
        let index = Index::create_in_ram(b.build());
        index.tokenizers().register(ANALYZER, analyzer());
        let mut w: tantivy::IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 50_000_000).map_err(err)?;
        for p in profiles {
            for (field, list) in [(offer, p.offers), (need, p.needs)] {
                for (i, text) in list.iter().enumerate() {
                    let mut d = TantivyDocument::default();
                    d.add_u64(id, p.id as u64);
                    d.add_u64(item, i as u64);
                    d.add_text(field, text);
                    w.add_document(d).map_err(err)?;
                }
            }
            if !p.topics.is_empty() {
                let mut d = TantivyDocument::default();
                d.add_u64(id, p.id as u64);
                d.add_u64(item, 0);
                for t in &p.topics {
                    d.add_text(topic, t);
                }
                w.add_document(d).map_err(err)?;
            }
        }
        w.commit().map_err(err)?;
        let reader = index.reader().map_err(err)?;
        Ok(Matcher {
            reader,
            analyzer: analyzer(),
            id,
            item,
            offer,
            need,
            topic,
        })
    }

    /// Stemmed, stop-word-free terms of a text.
    pub fn stems(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut ts = self.analyzer.token_stream(text);
        while ts.advance() {
            let t = ts.token().text.clone();
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    fn query(
        &mut self,
        field: tantivy::schema::Field,
        text: &str,
        limit: usize,
    ) -> Result<Vec<Match>> {
        let terms = self.stems(text);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect();
        let searcher = self.reader.searcher();
        let top = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(limit).order_by_score(),
            )
            .map_err(err)?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
            let id = d.get_first(self.id).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
            let item = d.get_first(self.item).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
            out.push(Match { id, item, score });
        }
        Ok(out)
    }

    /// Offers that best match a need (BM25 over offers, with stemming).
    pub fn offers_for(&mut self, need: &str, limit: usize) -> Result<Vec<Match>> {
        self.query(self.offer, need, limit)
    }

    /// People whose needs best match a text (e.g. a resource's title and tags).
    pub fn needs_for(&mut self, text: &str, limit: usize) -> Result<Vec<Match>> {
        self.query(self.need, text, limit)
    }

    /// People whose interests, values and tags best match a text.
    pub fn topics_for(&mut self, text: &str, limit: usize) -> Result<Vec<Match>> {
        self.query(self.topic, text, limit)
    }

    /// Stemmed terms shared by two texts.
    pub fn shared_stems(&mut self, a: &str, b: &str) -> Vec<String> {
        let sa: HashSet<String> = self.stems(a).into_iter().collect();
        self.stems(b)
            .into_iter()
            .filter(|t| sa.contains(t))
            .collect()
    }

    /// Number of documents, for tests and stats.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
