//! `kith log PERSON "text"`

use crate::ctx::{Ctx, arg_date};
use crate::error::{Error, Result, exit};
use crate::write::{lock_note, plan_log_append};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Name, alias, email or file name of the person.
    pub person: String,
    /// What happened; may start with `- [ ]`. `-` or none: read standard
    /// input, or open $VISUAL/$EDITOR on a terminal.
    #[arg(allow_hyphen_values = true)]
    pub text: Option<String>,
    /// The entry's date (default: today; also yesterday, friday, -2d…).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// A short title for the entry's heading.
    #[arg(long)]
    pub title: Option<String>,
    /// Commit the note to git.
    #[arg(long)]
    pub commit: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let date = match &args.date {
        Some(d) => arg_date(d, "--date")?,
        None => ctx.today(),
    };
    let text = crate::cmd::log_input::entry_text(ctx, args.text.as_deref(), &args.person)?;
    // Looked up in the model's directory; the vault holds just that note
    // (and the names it links to).
    let mut model = ctx.load_model()?;
    let found = match model.find_person(&args.person) {
        Some(i) => i,
        // No one, or several: the whole vault's stand-ins say why in words.
        None => model.focused().find_person(&args.person)?,
    };
    let (vault, at) = model.focused_on(&[found], false);
    drop(model);
    let Some(&idx) = at.first() else {
        return Ok(exit::ERROR);
    };
    let note = &vault.notes[idx];
    let path = vault.root.join(&note.path);
    // Plan the edit from the bytes read under the lock — the same bytes the
    // write compares against — not from the vault load above, which an editor
    // or another kith may have overtaken since.
    let locked = lock_note(&path)?;
    let shown = ctx.shown(&vault.root, &note.path);
    let refuse = |why: String, hint: &str| Error::WriteRefused {
        path: shown.clone(),
        why,
        hint: hint.into(),
    };
    if std::str::from_utf8(&locked.bytes).is_err() {
        return Err(refuse(
            "is not valid UTF-8; kith will not write into it".into(),
            "save it as UTF-8 first",
        ));
    }
    let again = crate::note::parse(&note.path, &locked.bytes);
    let blank = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .trim_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
            .is_empty()
    };
    if blank(&locked.bytes) {
        return Err(refuse(
            "is empty now (an editor may be saving it)".into(),
            "run the command again once the note is saved",
        ));
    }
    if note.front.is_some() && again.front.is_none() {
        return Err(refuse(
            "has no readable front matter now (an editor may be saving it)".into(),
            "run the command again once the note is saved; `kith check` shows what is wrong",
        ));
    }
    let name = |n: &crate::note::Note| n.person.as_ref().map(|p| p.name.clone());
    if name(&again) != name(note) {
        return Err(refuse(
            format!("is no longer the note of {}", note.title),
            "run the command again; it looks the person up afresh",
        ));
    }
    let splice = plan_log_append(&locked.bytes, date, args.title.as_deref(), &text);
    locked.replace(&splice.apply(&locked.bytes))?;
    drop(locked);
    let shown = format!(
        "{}:{}",
        ctx.shown(&vault.root, &note.path).display(),
        splice.heading_line
    );
    let commit = if args.commit {
        let what = args.title.as_deref().unwrap_or(&text);
        Some(crate::cmd::commit::commit_written(
            &vault.root,
            std::slice::from_ref(&note.path),
            &crate::cmd::commit::message("log", &note.title, Some(what)),
        )?)
    } else {
        None
    };
    crate::cmd::commit::report(
        ctx,
        &format!("logged {} for {} at {shown}\n", date, note.title),
        serde_json::json!({
            "logged": {"name": note.title, "date": date, "title": args.title,
                       "path": note.path.to_string_lossy(), "line": splice.heading_line},
        }),
        commit,
    )?;
    Ok(exit::OK)
}
