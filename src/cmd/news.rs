//! `kith news [--since DATE]`: what changed in people's front matter.

use crate::ctx::{Ctx, arg_date, emit, emit_json};
use crate::error::{Result, exit};
use crate::git::VaultRepo;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only commits from this date on (default: the last 30 days).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let root = ctx.root()?;
    let since = match &args.since {
        Some(d) => arg_date(d, "--since")?,
        None => ctx.today() - chrono::Duration::days(30),
    };
    let items = VaultRepo::open(&root)?.news(Some(since))?;
    if ctx.json {
        emit_json(&items)?;
        return Ok(exit::OK);
    }
    let mut o = String::new();
    for n in &items {
        let change = match (n.before.is_empty(), n.after.is_empty()) {
            (true, false) => format!("{}: now “{}”", n.field, n.after),
            (false, true) => format!("{}: no longer “{}”", n.field, n.before),
            _ => format!("{}: “{}” → “{}”", n.field, n.before, n.after),
        };
        o.push_str(&format!(
            "{} {} — {change}  ({}:1)\n",
            n.date,
            ctx.paint("1", &n.name),
            ctx.shown(&root, &n.path).display()
        ));
    }
    if items.is_empty() {
        o.push_str(&format!("no news about your people since {since}\n"));
    }
    emit(&o)?;
    Ok(exit::OK)
}
