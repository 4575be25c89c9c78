//! `kith fix links|properties [--write]`: byte-exact migrations, dry-run by
//! default. Each change is printed as `path:line: old → new`; `--write`
//! applies them through the careful write protocol (`write::Snapshot`).

use crate::ctx::{Ctx, emit, emit_json, eprint_line};
use crate::error::{Result, exit};
use crate::obsidian::{self, LinkFix, LinkRule};
use crate::vault::Vault;
use crate::write::Snapshot;
use clap::{Args as ClapArgs, Subcommand};
use std::path::Path;

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, Subcommand)]
pub enum What {
    /// Rewrite links Obsidian cannot follow so they name the note's file:
    /// `[[Lena Fischer]]` → `[[lena-fischer|Lena Fischer]]`.
    Links(FixArgs),
    /// Rewrite old property shapes Obsidian cannot show: `met: {date, event}`
    /// → `met:` + `met_at:`, a `links:` map → a list of URLs.
    Properties(FixArgs),
}

#[derive(Debug, ClapArgs)]
pub struct FixArgs {
    /// Apply the changes (default: only print them).
    #[arg(long)]
    pub write: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let vault = ctx.load()?;
    let (fixes, write) = match &args.what {
        What::Links(a) => (link_fixes(&vault), a.write),
        What::Properties(a) => (property_fixes(&vault), a.write),
    };
    report_and_apply(ctx, &vault, fixes, write)
}

/// Per note: the snapshot read and the fixes planned on exactly those bytes.
type Planned = Vec<(Snapshot, Vec<LinkFix>)>;

fn snapshots(vault: &Vault) -> Vec<(usize, Snapshot, String)> {
    vault
        .notes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let snap = Snapshot::read(&vault.root.join(&n.path)).ok()?;
            let text = String::from_utf8(snap.bytes.clone()).ok()?;
            Some((i, snap, text))
        })
        .collect()
}

fn link_fixes(vault: &Vault) -> Planned {
    let paths: Vec<&Path> = vault.notes.iter().map(|n| n.path.as_path()).collect();
    let rule = LinkRule::new(paths.iter().copied());
    let resolve = |t: &str| vault.resolve_one(t);
    snapshots(vault)
        .into_iter()
        .filter_map(|(i, snap, text)| {
            let note = crate::note::parse(&vault.notes[i].path, text.as_bytes());
            let fixes = obsidian::plan_link_fixes(&note, &text, &rule, &paths, &resolve);
            (!fixes.is_empty()).then_some((snap, fixes))
        })
        .collect()
}

fn property_fixes(vault: &Vault) -> Planned {
    snapshots(vault)
        .into_iter()
        .filter_map(|(i, snap, text)| {
            let fixes = obsidian::plan_property_fixes(&vault.notes[i].path, &text);
            (!fixes.is_empty()).then_some((snap, fixes))
        })
        .collect()
}

fn report_and_apply(ctx: &Ctx, vault: &Vault, planned: Planned, write: bool) -> Result<u8> {
    let all: Vec<&LinkFix> = planned.iter().flat_map(|(_, f)| f.iter()).collect();
    if ctx.json {
        emit_json(&all)?;
    } else {
        let mut out = String::new();
        for f in &all {
            out.push_str(&format!(
                "{}:{}: {} → {}\n",
                ctx.shown(&vault.root, &f.path).display(),
                f.line,
                f.old.trim_end().replace("\r\n", "⏎").replace('\n', "⏎"),
                f.new.trim_end().replace("\r\n", "⏎").replace('\n', "⏎")
            ));
        }
        emit(&out)?;
    }
    let (n, notes) = (all.len(), planned.len());
    if !write {
        if !ctx.json {
            eprint_line(&if n == 0 {
                "nothing to change".to_string()
            } else {
                format!(
                    "{n} change{} in {notes} note{}; nothing written (add --write to apply)",
                    if n == 1 { "" } else { "s" },
                    if notes == 1 { "" } else { "s" }
                )
            });
        }
        return Ok(exit::OK);
    }
    let mut failed = 0;
    for (snap, fixes) in &planned {
        let new = obsidian::apply_fixes(&snap.bytes, fixes);
        if let Err(e) = snap.replace(&new) {
            failed += 1;
            eprint_line(&format!("error: {e}"));
        }
    }
    if !ctx.json {
        eprint_line(&format!(
            "wrote {n} change{} in {} note{}{}",
            if n == 1 { "" } else { "s" },
            notes - failed,
            if notes - failed == 1 { "" } else { "s" },
            if failed > 0 {
                format!("; {failed} note(s) changed meanwhile or could not be written, run again")
            } else {
                String::new()
            }
        ));
    }
    Ok(if failed > 0 { exit::PROBLEMS } else { exit::OK })
}
