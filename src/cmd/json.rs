//! Which commands have a JSON shape. `--json` is global, so clap accepts it
//! everywhere; a command with no data to give as JSON (it opens an editor,
//! prints a script or a file format, runs until stopped) refuses it rather
//! than ignore it. Every shape is in docs/cli.md, "JSON".

use crate::cli::Command;
use crate::error::{Error, Result};

/// `Err` when `--json` was given to a command without a JSON shape.
pub fn check(cmd: &Command, json: bool) -> Result<()> {
    if !json {
        return Ok(());
    }
    let refused = match cmd {
        Command::Init(_) => Some(("init", "it prints what it created; `ls -a` shows the rest")),
        Command::Edit(_) => Some(("edit", "it opens an editor")),
        Command::Completions(_) => Some(("completions", "it prints a shell script")),
        Command::Man(_) => Some(("man", "it prints a manual page")),
        Command::Watch(_) => Some(("watch", "it runs until stopped; use `kith digest --json`")),
        Command::Export(_) => Some((
            "export",
            "vCard and iCalendar are its formats; `kith list --json` gives people as JSON",
        )),
        Command::Hook(h) if matches!(h.action, crate::cmd::hook::Action::Install) => {
            Some(("hook install", "it only installs the hooks"))
        }
        Command::Plugin(p) if matches!(p.action, crate::cmd::plugin::Action::Trust { .. }) => {
            Some((
                "plugin trust",
                "`kith plugin list --json` shows trust as JSON",
            ))
        }
        Command::Intros(a) if a.action.is_some() => Some((
            "intros dismiss",
            "it only records the pair; `kith intros --json` lists suggestions",
        )),
        _ => None,
    };
    match refused {
        Some((name, why)) => Err(Error::Usage(format!(
            "`kith {name}` has no JSON output: {why}\n  hint: drop --json (docs/cli.md, \"JSON\", lists every command's shape)"
        ))),
        None => Ok(()),
    }
}
