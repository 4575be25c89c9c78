//! `kith graph`: who knows whom, as Mermaid or Graphviz DOT.

use crate::ctx::{Ctx, emit, emit_json};
use crate::digest::graph;
use crate::error::{Result, exit};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Mermaid,
    Dot,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the people within `--depth` steps of this person.
    #[arg(long, value_name = "PERSON")]
    pub around: Option<String>,
    /// Steps from `--around` (default 2).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub depth: usize,
    /// mermaid (default: renders on GitHub and in Obsidian) or dot (Graphviz).
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let vault = ctx.load()?;
    let center = args
        .around
        .as_deref()
        .map(|p| vault.find_person(p))
        .transpose()?;
    let edges = graph::connections(&vault);
    let (nodes, edges) = graph::neighbourhood(&vault, &edges, center, args.depth);
    if ctx.json {
        let v = json!({
            "nodes": nodes.iter().map(|i| json!({
                "id": graph::node_id(&vault.notes[*i].path),
                "name": vault.notes[*i].title,
                "path": vault.notes[*i].path.to_string_lossy(),
                "circle": vault.person(*i).and_then(|p| p.circle),
            })).collect::<Vec<_>>(),
            "edges": edges.iter().map(|e| json!({
                "a": graph::node_id(&vault.notes[e.a].path),
                "b": graph::node_id(&vault.notes[e.b].path),
                "evidence": e.evidence,
            })).collect::<Vec<_>>(),
        });
        emit_json(&v)?;
        return Ok(exit::OK);
    }
    let text = match args.format {
        Format::Mermaid => graph::mermaid(&vault, &nodes, &edges),
        Format::Dot => graph::dot(&vault, &nodes, &edges),
    };
    emit(&text)?;
    Ok(exit::OK)
}
