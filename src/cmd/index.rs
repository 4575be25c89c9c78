//! `kith index [--rebuild]`

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Error, Result, exit};
use crate::index::{Index, index_dir};
use std::io::IsTerminal;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Throw the index away and build it again from the notes.
    #[arg(long)]
    pub rebuild: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let root = ctx.root()?;
    if args.rebuild {
        let dir = index_dir(&root);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
    }
    let started = std::time::Instant::now();
    let mut idx = Index::open(&root)?;
    let report = idx.sync(std::io::stderr().is_terminal())?;
    if ctx.json {
        emit_json(&report)?;
        return Ok(exit::OK);
    }
    if report.locked {
        eprintln!(
            "note: another kith process (e.g. `kith watch`) is writing the index; it keeps it fresh"
        );
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
