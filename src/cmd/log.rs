//! `kith log PERSON "text"`

use crate::cli::LogArgs;
use crate::ctx::{Ctx, arg_date, emit};
use crate::error::{Error, Result, exit};
use crate::write::{Snapshot, plan_log_append};

pub fn run(ctx: &Ctx, args: &LogArgs) -> Result<u8> {
    let date = match &args.date {
        Some(d) => arg_date(d, "--date")?,
        None => ctx.today(),
    };
    let text = crate::cmd::log_input::entry_text(ctx, args.text.as_deref(), &args.person)?;
    let vault = ctx.load()?;
    let idx = vault.find_person(&args.person)?;
    let note = &vault.notes[idx];
    let path = vault.root.join(&note.path);
    let snap = Snapshot::read(&path)?;
    if std::str::from_utf8(&snap.bytes).is_err() {
        return Err(Error::Refused(format!(
            "{} is not valid UTF-8; kith will not write into it\n  hint: save it as UTF-8 first",
            ctx.shown(&vault.root, &note.path).display()
        )));
    }
    let splice = plan_log_append(&snap.bytes, date, args.title.as_deref(), &text);
    snap.replace(&splice.apply(&snap.bytes))?;
    if args.commit {
        let title = args.title.clone().unwrap_or_else(|| {
            let first = text.lines().next().unwrap_or("").trim();
            first.chars().take(50).collect()
        });
        let msg = format!("log: {} — {}", note.title, title);
        crate::git::commit_paths(
            &vault.root,
            std::slice::from_ref(&note.path),
            msg.trim_end_matches(" — "),
        )?;
    }
    emit(&format!(
        "logged {} for {} at {}:{}\n",
        date,
        note.title,
        ctx.shown(&vault.root, &note.path).display(),
        splice.heading_line
    ))?;
    Ok(exit::OK)
}
