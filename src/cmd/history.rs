//! `kith history PERSON`

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Result, exit};
use crate::git::{self, VaultRepo};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Name, alias, email or file name of the person.
    pub person: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let vault = ctx.load()?;
    let idx = vault.find_person(&args.person)?;
    let note = &vault.notes[idx];
    let entries = match VaultRepo::open(&vault.root) {
        Ok(vr) => vr.history(&note.path)?,
        Err(e @ crate::Error::GitUnreadable(_)) => {
            let why = e.to_string();
            eprintln!(
                "note: {}; using the git command",
                why.lines().next().unwrap_or("")
            );
            git::history_cli(&vault.root, &note.path)?
        }
        Err(e) => return Err(e),
    };
    if ctx.json {
        emit_json(&entries)?;
        return Ok(exit::OK);
    }
    let mut o = String::new();
    for e in &entries {
        o.push_str(&format!(
            "{} {} {}\n",
            e.date,
            ctx.paint("33", &e.commit),
            e.message
        ));
        if e.path != note.path {
            o.push_str(&format!("    (as {})\n", e.path.display()));
        }
        for l in e.added.iter().take(6) {
            o.push_str(&format!("    + {l}\n"));
        }
    }
    if entries.is_empty() {
        o.push_str(&format!("{} has no committed history yet\n", note.title));
    }
    emit(&o)?;
    Ok(exit::OK)
}
