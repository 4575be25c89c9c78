//! Where `kith log` gets its text: the argument, standard input, or the
//! user's editor; refused when empty; relative due dates made absolute.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use std::io::{IsTerminal, Read};

/// The entry's text, ready to write. `arg` None or `-`: standard input when
/// it is not a terminal, else `$VISUAL`/`$EDITOR` on a temporary file.
/// `person` is looked up before an editor opens, so no typing is lost to a
/// misspelt name.
pub fn entry_text(ctx: &Ctx, arg: Option<&str>, person: &str) -> Result<String> {
    let text = match arg {
        Some(t) if t != "-" => t.to_string(),
        _ if arg == Some("-") || !std::io::stdin().is_terminal() => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io("<stdin>", e))?;
            s
        }
        _ => {
            ctx.load()?.find_person(person)?;
            from_editor()?
        }
    };
    if text.trim().is_empty() {
        return Err(Error::Usage(
            "the entry is empty; nothing was written\n  hint: say what happened: `kith log PERSON \"Coffee; she is hiring\"`, or pipe it in"
                .into(),
        ));
    }
    let (text, warnings) = crate::logtext::resolve_due_dates(&text, ctx.today());
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(text)
}

fn from_editor() -> Result<String> {
    let cmd =
        crate::editor::command().ok_or_else(|| Error::Usage(crate::editor::NO_EDITOR.into()))?;
    let tmp = tempfile::Builder::new()
        .prefix("kith-log-")
        .suffix(".md")
        .tempfile()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    crate::editor::run(&cmd, &[tmp.path().as_os_str().to_owned()])?;
    std::fs::read_to_string(tmp.path()).map_err(|e| Error::io(tmp.path(), e))
}
