//! `kith search QUERY`

use crate::ctx::{Ctx, arg_date, emit, emit_json};
use crate::error::{Error, Result, exit};
use crate::index::{Index, SearchQuery};
use crate::model::NoteKind;
use std::io::IsTerminal;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words (all must match), "exact phrases", -excluded, OR, field:value
    /// (name, org, tag, location, role, needs, offers, interests). Quote a
    /// query with an exclusion, `kith search "interviews -remote"`, or put it
    /// after `--`.
    pub query: Vec<String>,
    /// Only entries and notes about this person (name, alias; misspellings tolerated).
    #[arg(long)]
    pub person: Option<String>,
    /// Only entries and notes with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only from this date on (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only up to this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only notes of this kind: person, event, journal, resource.
    #[arg(long)]
    pub kind: Option<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let kind = match &args.kind {
        Some(k) => Some(
            NoteKind::parse(k)
                .filter(|k| *k != NoteKind::Other)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--kind: unknown kind `{k}`\n  hint: use person, event, journal or resource"
                    ))
                })?,
        ),
        None => None,
    };
    let q = SearchQuery {
        text: args.query.join(" "),
        person: args.person.clone(),
        tag: args.tag.clone(),
        since: args
            .since
            .as_deref()
            .map(|d| arg_date(d, "--since"))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|d| arg_date(d, "--until"))
            .transpose()?,
        kind,
        limit: args.limit,
    };
    if q.text.trim().is_empty()
        && q.person.is_none()
        && q.tag.is_none()
        && q.kind.is_none()
        && q.since.is_none()
        && q.until.is_none()
    {
        return Err(Error::Usage(
            "nothing to search for: give words, or a filter like --person".into(),
        ));
    }
    let root = ctx.root()?;
    let progress = std::io::stderr().is_terminal();
    // A search has written nothing when it reads the index: should another
    // program truncate an index file under it, it runs again (and rebuilds).
    crate::index::guard_sigbus(true);
    let hits = Index::search_fresh(&root, &q, progress, crate::watch::flush)?;
    if ctx.json {
        emit_json(&hits)?;
    } else if hits.is_empty() {
        crate::ctx::eprint_line(&format!(
            "no results for {}\n  hint: try fewer words or filters (misspelt names are forgiven); `kith search --help` shows the syntax",
            describe(&q)
        ));
    } else {
        let mut o = String::new();
        for h in &hits {
            let mut head = ctx.paint("1", &h.name);
            if let Some(d) = &h.date {
                head.push_str(&format!(" · {d}"));
            }
            if !h.title.is_empty() {
                head.push_str(&format!(" · {}", h.title));
            }
            o.push_str(&head);
            o.push('\n');
            o.push_str("  ");
            o.push_str(&highlight(ctx, &h.snippet, &h.highlights));
            o.push('\n');
            let at = format!("{}:{}", ctx.shown(&root, &h.path).display(), h.line);
            o.push_str(&format!("  {}\n\n", ctx.paint("2", &at)));
        }
        emit(&o)?;
    }
    Ok(if hits.is_empty() {
        exit::PROBLEMS
    } else {
        exit::OK
    })
}

/// The query as the user gave it, for "no results for …".
fn describe(q: &SearchQuery) -> String {
    let mut parts = Vec::new();
    if !q.text.trim().is_empty() {
        parts.push(format!("`{}`", q.text.trim()));
    }
    for (flag, v) in [("--person", &q.person), ("--tag", &q.tag)] {
        if let Some(v) = v {
            parts.push(format!("{flag} {v}"));
        }
    }
    if let Some(d) = q.since {
        parts.push(format!("--since {d}"));
    }
    if let Some(d) = q.until {
        parts.push(format!("--until {d}"));
    }
    if let Some(k) = q.kind {
        parts.push(format!("--kind {}", k.as_str()));
    }
    parts.join(" ")
}

fn highlight(ctx: &Ctx, s: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let flat = |t: &str| t.replace(['\n', '\r'], " ");
    if !ctx.color || ranges.is_empty() {
        return flat(s);
    }
    let mut out = String::new();
    let mut at = 0;
    for r in ranges {
        if r.start < at
            || r.end > s.len()
            || !s.is_char_boundary(r.start)
            || !s.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&flat(&s[at..r.start]));
        out.push_str(&ctx.paint("1;31", &flat(&s[r.start..r.end])));
        at = r.end;
    }
    out.push_str(&flat(&s[at..]));
    out
}
