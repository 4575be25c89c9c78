//! `kith edit PERSON`: the note in your editor, at the end of its log.

use crate::ctx::Ctx;
use crate::error::{Error, Result, exit};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Name, alias, email or file name of the person.
    pub person: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let cmd =
        crate::editor::command().ok_or_else(|| Error::Usage(crate::editor::NO_EDITOR.into()))?;
    let vault = ctx.load()?;
    let idx = vault.find_person(&args.person)?;
    let note = &vault.notes[idx];
    let path = vault.root.join(&note.path);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let lines = bytes.split(|b| *b == b'\n').count() - usize::from(bytes.ends_with(b"\n"));
    // The last line of the last entry, where the next one would go; without
    // entries, the end of the file.
    let line = note
        .entries
        .iter()
        .max_by_key(|e| e.line)
        .map_or(lines, |e| (e.end_line as usize).saturating_sub(1))
        .clamp(1, lines.max(1));
    crate::editor::run(&cmd, &crate::editor::goto_args(&cmd, &path, line))?;
    Ok(exit::OK)
}
