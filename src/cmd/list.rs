//! `kith list` (`kith people`): who is in the vault.

use crate::ctx::{Ctx, emit, emit_json};
use crate::date::Date;
use crate::digest::ReminderKind;
use crate::error::{Error, Result, exit};
use crate::model::Circle;
use crate::text::fold;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only people in this circle (close, active, acquaintance, dormant).
    #[arg(long)]
    pub circle: Option<String>,
    /// Only people with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only people whose location contains this (case and accents ignored).
    #[arg(long, value_name = "PLACE")]
    pub location: Option<String>,
    /// Only people whose check-in is due (the digest's rule).
    #[arg(long)]
    pub overdue: bool,
    /// Compute --overdue as of this date (default: today).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub as_of: Option<String>,
    /// One name a line, nothing else (for shell completion).
    #[arg(long, hide = true)]
    pub names: bool,
}

/// One person in `kith list --json` (docs/cli.md).
#[derive(Debug, Serialize)]
pub struct Listed {
    pub name: String,
    /// Vault-relative.
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub circle: Option<Circle>,
    pub org: Option<String>,
    pub role: Option<String>,
    pub location: Option<String>,
    pub tags: Vec<String>,
    pub last_contact: Option<Date>,
    /// When the check-in fell due, if it has as of `--as-of` (the digest's rule).
    pub check_in_due: Option<Date>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let circle = match &args.circle {
        Some(c) => Some(Circle::parse(c).ok_or_else(|| {
            Error::Usage(format!(
                "--circle: unknown circle `{c}`\n  hint: use {}",
                Circle::NAMES
            ))
        })?),
        None => None,
    };
    let as_of = ctx.as_of(&args.as_of)?;
    if args.names {
        // For shell completion: quiet, and nothing at all outside a vault.
        let Ok(root) = ctx.root() else {
            return Ok(exit::OK);
        };
        // From the model like every other command: completion runs on every
        // Tab, and a full parse of a big vault would make it lag.
        let vault = crate::store::load(&root)?;
        let mut names: Vec<&str> = vault.people().map(|(_, _, p)| p.name.as_str()).collect();
        names.sort_unstable();
        let mut out = names.join("\n");
        out.push('\n');
        emit(if names.is_empty() { "" } else { &out })?;
        return Ok(exit::OK);
    }
    let vault = ctx.load()?;
    let due: HashMap<PathBuf, Date> = crate::digest::reminders(&vault, as_of)
        .into_iter()
        .filter(|r| r.kind == ReminderKind::CheckIn)
        .map(|r| (r.path, r.due))
        .collect();
    let tag = args.tag.as_deref().map(|t| fold(t.trim_start_matches('#')));
    let place = args.location.as_deref().map(fold);
    let mut people: Vec<Listed> = vault
        .people()
        .filter(|(_, _, p)| circle.is_none() || p.circle == circle)
        .filter(|(_, _, p)| {
            tag.as_ref()
                .is_none_or(|t| p.tags.iter().any(|x| fold(x.trim_start_matches('#')) == *t))
        })
        .filter(|(_, _, p)| {
            place.as_ref().is_none_or(|l| {
                p.location
                    .as_deref()
                    .is_some_and(|x| fold(x).contains(l.as_str()))
            })
        })
        .map(|(i, n, p)| Listed {
            name: p.name.clone(),
            path: n.path.clone(),
            circle: p.circle,
            org: p.org.clone(),
            role: p.role.clone(),
            location: p.location.clone(),
            tags: p.tags.clone(),
            last_contact: vault.last_contact(i, as_of).map(|t| t.date),
            check_in_due: due.get(&n.path).copied(),
        })
        .filter(|l| !args.overdue || l.check_in_due.is_some())
        .collect();
    people.sort_by(|a, b| fold(&a.name).cmp(&fold(&b.name)).then(a.path.cmp(&b.path)));
    if ctx.json {
        emit_json(&people)?;
        return Ok(exit::OK);
    }
    if people.is_empty() {
        eprintln!("no person fits");
        if let Some(t) = &tag
            && !vault
                .people()
                .any(|(_, _, p)| p.tags.iter().any(|x| fold(x.trim_start_matches('#')) == *t))
        {
            eprintln!("  hint: nobody is tagged #{t}; {}", tag_hint(&vault));
        }
        return Ok(exit::OK);
    }
    // On a terminal the facts wrap under themselves at its width; piped, one
    // line per person stays easy to grep.
    let cols = std::io::IsTerminal::is_terminal(&std::io::stdout()).then(|| crate::term::size().0);
    let width = people
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for p in &people {
        let mut facts = Vec::new();
        if let Some(c) = p.circle {
            facts.push(c.as_str().to_string());
        }
        let work = [p.role.as_deref(), p.org.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        if !work.is_empty() {
            facts.push(work);
        }
        if let Some(l) = &p.location {
            facts.push(l.clone());
        }
        if let Some(d) = p.check_in_due {
            facts.push(format!("check-in due {d}"));
        }
        let pad = width - p.name.chars().count();
        let path = ctx.shown(&vault.root, &p.path).display().to_string();
        let facts = facts.join(" · ");
        let lead = width + 2 + path.chars().count() + 2;
        let facts = match cols {
            Some(c) if lead + facts.chars().count() > c => {
                let indent = (width + 2).min(c / 3);
                let sep = format!("\n{}", " ".repeat(indent));
                // No room left after the path: the facts start on their own line.
                let (first, head) = if lead + 12 > c {
                    (indent, sep.clone())
                } else {
                    (lead, "  ".to_string())
                };
                head + &crate::text::wrap(&facts, first, indent, c).join(&sep)
            }
            _ if facts.is_empty() => facts,
            _ => format!("  {facts}"),
        };
        out.push_str(&format!(
            "{}{}  {path}{facts}\n",
            ctx.paint("1", &p.name),
            " ".repeat(pad),
        ));
    }
    let n = people.len();
    eprintln!("{n} {}", if n == 1 { "person" } else { "people" });
    emit(&out)?;
    Ok(exit::OK)
}

/// The vault's most used tags, for a `--tag` that matched nobody.
fn tag_hint(vault: &crate::vault::Vault) -> String {
    let mut count: HashMap<String, usize> = HashMap::new();
    for (_, _, p) in vault.people() {
        for t in &p.tags {
            *count.entry(fold(t.trim_start_matches('#'))).or_default() += 1;
        }
    }
    if count.is_empty() {
        return "no person note has `tags:` yet".into();
    }
    let mut tags: Vec<(String, usize)> = count.into_iter().collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let shown: Vec<String> = tags
        .iter()
        .take(8)
        .map(|(t, n)| format!("#{t} ({n})"))
        .collect();
    format!("tags in use: {}", shown.join(", "))
}
