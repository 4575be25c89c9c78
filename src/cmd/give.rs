//! `kith give`: who helped you and has not heard back, and whose needs your
//! network can meet now. Never a tally.

use crate::ctx::{Ctx, emit, emit_json};
use crate::digest::{self, reciprocity};
use crate::error::{Result, exit};
use serde_json::json;
use std::fmt::Write as _;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Compute as of this date (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Look this many days back for help you received (default: `give.days`, else 90).
    #[arg(long, value_name = "N")]
    pub days: Option<usize>,
    /// At most this many needs to meet (default 10).
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let as_of = ctx.as_of(&args.as_of)?;
    let vault = ctx.load()?;
    let days = args.days.unwrap_or_else(|| {
        vault
            .config
            .usize_or("give.days", reciprocity::GIVE_BACK_DAYS as usize)
    }) as i64;
    let back = reciprocity::give_back(&vault, as_of, days);
    let intros = digest::intro_suggestions(&vault, as_of, None, usize::MAX, true)?;
    let mut help = reciprocity::can_help(&intros);
    help.truncate(args.limit);
    if ctx.json {
        emit_json(&json!({"as_of": as_of, "give_back": back, "can_help": help}))?;
        return Ok(exit::OK);
    }
    let shown = |p: &std::path::Path| ctx.shown(&vault.root, p).display().to_string();
    let mut o = String::new();
    let _ = writeln!(o, "# Give — {as_of}\n");
    if !back.is_empty() {
        let _ = writeln!(o, "## They helped you\n");
        for b in &back {
            let _ = writeln!(
                o,
                "- **{}** — helped you on {}: “{}” — {}:{}",
                b.name,
                b.received,
                b.what,
                shown(&b.entry_path),
                b.line
            );
            let _ = writeln!(o, "  - {}", b.action);
        }
        o.push('\n');
    }
    if !help.is_empty() {
        let _ = writeln!(o, "## You can help now\n");
        for h in &help {
            let _ = writeln!(
                o,
                "- **{}** needs “{}” — {}:1",
                h.name,
                h.need,
                shown(&h.path)
            );
            let _ = writeln!(o, "  - {} — {}:1", h.action, shown(&h.helper_path));
        }
        o.push('\n');
    }
    if back.is_empty() && help.is_empty() {
        o.push_str(
            "Nobody waiting on a thank-you, and no open need your network meets today.\nMark help with #received and what you gave with #gave in log entries (docs/give.md).\n",
        );
    }
    emit(&super::brief::for_terminal(ctx, &o))?;
    Ok(exit::OK)
}
