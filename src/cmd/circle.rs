//! `kith circle`: each circle with its people, cadences, who is overdue, and
//! the load against what you keep up with.

use crate::ctx::{Ctx, emit, emit_json};
use crate::digest::circle;
use crate::error::{Result, exit};
use std::fmt::Write as _;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Compute as of this date (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let as_of = ctx.as_of(&args.as_of)?;
    let vault = ctx.load()?;
    let all = circle::circles(&vault, as_of);
    if ctx.json {
        emit_json(&serde_json::json!({"as_of": as_of, "circles": all}))?;
        return Ok(exit::OK);
    }
    let shown = |p: &std::path::Path| ctx.shown(&vault.root, p).display().to_string();
    let mut o = String::new();
    let _ = writeln!(o, "# Circles — {as_of}\n");
    for c in &all {
        let cad: Vec<String> = c
            .cadences
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect();
        let _ = writeln!(
            o,
            "## {} — {} {}\n",
            c.circle,
            c.count,
            if c.count == 1 { "person" } else { "people" }
        );
        let _ = writeln!(o, "- cadences: {}", cad.join(", "));
        if c.asked_per_month == 0.0 {
            o.push_str("- no check-ins asked for (no cadence)\n\n");
            continue;
        }
        let _ = writeln!(
            o,
            "- load: cadences ask for {:.1} check-ins a month; you logged {:.1} a month in the last {} days{}",
            c.asked_per_month,
            c.kept_per_month,
            circle::LOAD_DAYS,
            if c.over {
                " — more than you keep up with"
            } else {
                ""
            }
        );
        if let Some(s) = &c.suggestion {
            let _ = writeln!(o, "- suggestion: {s}");
        }
        let overdue: Vec<_> = c.members.iter().filter(|m| m.overdue).collect();
        if !overdue.is_empty() {
            let _ = writeln!(o, "- overdue ({}):", overdue.len());
            for m in overdue {
                let _ = writeln!(
                    o,
                    "  - **{}** — due {} (last contact {}) — {}:1",
                    m.name,
                    m.due.map(|d| d.to_string()).unwrap_or_default(),
                    m.last_contact.map(|d| d.to_string()).unwrap_or_default(),
                    shown(&m.path)
                );
            }
        }
        o.push('\n');
    }
    if all.is_empty() {
        o.push_str("No people yet.\n");
    }
    emit(&super::brief::for_terminal(ctx, &o))?;
    Ok(exit::OK)
}
