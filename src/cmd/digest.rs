//! `kith digest`: today's generous actions.

use crate::ctx::{Ctx, emit, emit_json};
use crate::digest::{self, Limits};
use crate::error::{Result, exit};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Compute as of this date (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Show everything: no budget on check-ins, introductions and shares.
    #[arg(long)]
    pub all: bool,
    /// Write the digest to this file (atomically, only if it changed).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let as_of = ctx.as_of(&args.as_of)?;
    let t = std::time::Instant::now();
    let vault = ctx.load()?;
    ctx.warm_index(&vault.root);
    let t_load = t.elapsed();
    let mut d = digest::build(&vault, as_of, Limits::from_config(&vault, args.all))?;
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!("trace: load {t_load:?}, digest {:?}", t.elapsed() - t_load);
    }
    d.sections
        .extend(crate::digest::extra_sections(&vault, as_of));
    let text = if ctx.json {
        let mut s = serde_json::to_string_pretty(&d).unwrap_or_default();
        s.push('\n');
        s
    } else {
        digest::markdown(&d, &|p| ctx.shown(&vault.root, p).display().to_string())
    };
    match &args.out {
        Some(path) => {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                ctx.cwd.join(path)
            };
            crate::write::write_if_changed(&path, text.as_bytes())?;
        }
        None if ctx.json => emit_json(&d)?,
        None => emit(&text)?,
    }
    Ok(exit::OK)
}
