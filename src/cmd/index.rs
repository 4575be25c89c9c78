//! `kith index [--rebuild]`

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Result, exit};
use crate::index::Index;
use std::io::IsTerminal;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Throw the index away and build it again from the notes.
    #[arg(long)]
    pub rebuild: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let root = ctx.root()?;
    let started = std::time::Instant::now();
    let (idx, report) = Index::sync_verified(&root, args.rebuild, std::io::stderr().is_terminal())?;
    if ctx.json {
        emit_json(&report)?;
        return Ok(exit::OK);
    }
    let touched = if report.touched > 0 {
        format!(" ({} touched but unchanged)", report.touched)
    } else {
        String::new()
    };
    emit(&format!(
        "{} notes: {} indexed{touched}, {} removed, {} documents written; {} documents in the index ({} ms)\n",
        report.notes,
        report.indexed,
        report.removed,
        report.documents,
        idx.num_docs(),
        started.elapsed().as_millis()
    ))?;
    Ok(exit::OK)
}
