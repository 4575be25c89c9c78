//! `kith brief EVENT`: what to know before an event.

use crate::ctx::{Ctx, emit, emit_json};
use crate::digest::{self, brief};
use crate::error::{Result, exit};
use std::io::IsTerminal;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event: its name, alias, file name, or a unique part of its name.
    pub event: String,
    /// Compute as of this date (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let as_of = ctx.as_of(&args.as_of)?;
    let vault = ctx.load()?;
    let ev = brief::find_event(&vault, &args.event)?;
    let intros = digest::intro_suggestions(&vault, as_of, None, usize::MAX, true)?;
    let b = brief::brief(&vault, ev, as_of, &intros);
    if ctx.json {
        emit_json(&b)?;
        return Ok(exit::OK);
    }
    let md = brief::markdown(&b, &|p| ctx.shown(&vault.root, p).display().to_string());
    emit(&for_terminal(ctx, &md))?;
    Ok(exit::OK)
}

/// Markdown on a pipe (for files and other tools); on a terminal, the same
/// text without Markdown marks, headings in bold.
pub fn for_terminal(ctx: &Ctx, md: &str) -> String {
    if !std::io::stdout().is_terminal() {
        return md.to_string();
    }
    let mut o = String::with_capacity(md.len());
    for line in md.lines() {
        let head = line.trim_start_matches('#');
        if head.len() != line.len() && head.starts_with(' ') {
            let level = line.len() - head.len();
            let text = head.trim();
            let text = if level == 1 {
                text.to_uppercase()
            } else {
                text.to_string()
            };
            o.push_str(&ctx.paint("1", &text));
        } else {
            let mut rest = line;
            while let Some(i) = rest.find("**") {
                o.push_str(&rest[..i]);
                let after = &rest[i + 2..];
                match after.find("**") {
                    Some(j) => {
                        o.push_str(&ctx.paint("1", &after[..j]));
                        rest = &after[j + 2..];
                    }
                    None => {
                        o.push_str("**");
                        rest = after;
                    }
                }
            }
            o.push_str(&rest.replace('`', ""));
        }
        o.push('\n');
    }
    o
}
