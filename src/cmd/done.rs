//! `kith done PERSON [TEXT]`: tick one open promise, changing only its bytes.

use crate::ctx::{Ctx, arg_date};
use crate::date::Date;
use crate::error::{Error, Result, exit};
use crate::text::fold;
use crate::write::Snapshot;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Name, alias, email or file name of the person.
    pub person: String,
    /// Part of the promise's text (case ignored); needed when there are several.
    pub text: Option<String>,
    /// The day it was kept (default: today).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// Commit the note to git (through `git commit`, so hooks run).
    #[arg(long)]
    pub commit: bool,
}

/// The bytes to change on a task line: the offset of the space in `[ ]` (or
/// the `/` in `[/]`), and
/// the offset of the line's end (before `\r\n` or `\n`) where `✅ DATE` goes.
/// None when the line is not an open task item.
pub fn tick_offsets(line: &str) -> Option<(usize, usize)> {
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let rest = &line[indent..];
    let marker = if rest.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with(['.', ')']) {
            return None;
        }
        digits + 1
    };
    let after = &rest[marker..];
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    // `[/]` is the Tasks plugin's "in progress": still owed, so it ticks too.
    if gap == 0 || !(after[gap..].starts_with("[ ]") || after[gap..].starts_with("[/]")) {
        return None;
    }
    let space = indent + marker + gap + 1;
    let end = line.trim_end_matches(['\n', '\r']).len();
    Some((space, end))
}

/// `line` with its task ticked and `✅ date` appended.
pub fn tick(line: &str, date: Date) -> Option<String> {
    let (space, end) = tick_offsets(line)?;
    let body = line[..end].trim_end_matches([' ', '\t']);
    Some(format!(
        "{}x{} ✅ {date}{}",
        &line[..space],
        &body[space + 1..],
        &line[end..]
    ))
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let date = match &args.date {
        Some(d) => arg_date(d, "--date")?,
        None => ctx.today(),
    };
    let vault = ctx.load()?;
    let who = vault.find_person(&args.person)?;
    let name = &vault.notes[who].title;
    let open: Vec<(usize, &crate::model::Promise)> = vault
        .promises()
        .into_iter()
        .filter(|(p, _, pr)| *p == who && !pr.done)
        .map(|(_, at, pr)| (at, pr))
        .collect();
    let q = args.text.as_deref().map(fold).filter(|q| !q.is_empty());
    let hits: Vec<&(usize, &crate::model::Promise)> = open
        .iter()
        .filter(|(_, pr)| {
            q.as_ref()
                .is_none_or(|q| fold(&pr.text).contains(q.as_str()))
        })
        .collect();
    let listing = |list: &[&(usize, &crate::model::Promise)]| {
        list.iter()
            .map(|(at, pr)| {
                format!(
                    "  {}:{}: {}",
                    ctx.shown(&vault.root, &vault.notes[*at].path).display(),
                    pr.line,
                    pr.text
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    // A TEXT that is a whole promise picks it even when it is part of
    // another (`call` beside `call back`), or that promise could never be ticked.
    let whole: Vec<_> = hits
        .iter()
        .copied()
        .filter(|(_, pr)| q.as_deref() == Some(fold(words_of(&pr.text)).as_str()))
        .collect();
    let hits = if whole.len() == 1 { whole } else { hits };
    let (at, promise) = match hits.as_slice() {
        [one] => **one,
        [] if open.is_empty() => {
            return Err(Error::Refused(format!(
                "no open promise to {name}; nothing was written\n  hint: promises are task items, `- [ ] …`, in their note or in a note that links them"
            )));
        }
        [] => {
            let all: Vec<_> = open.iter().collect();
            return Err(Error::Refused(format!(
                "no open promise to {name} has `{}`; nothing was written. Open ones:\n{}\n  hint: pass a word from one of them",
                args.text.as_deref().unwrap_or(""),
                listing(&all)
            )));
        }
        several => {
            return Err(Error::Refused(format!(
                "{} open promises to {name} fit; nothing was written:\n{}\n  hint: pass a word from the one you kept, e.g. `kith done \"{}\" WORD`",
                several.len(),
                listing(several),
                args.person
            )));
        }
    };
    let note = &vault.notes[at];
    let shown = ctx.shown(&vault.root, &note.path);
    let snap = Snapshot::read(&vault.root.join(&note.path))?;
    let Ok(text) = std::str::from_utf8(&snap.bytes) else {
        return Err(Error::Refused(format!(
            "{} is not valid UTF-8; kith will not write into it\n  hint: save it as UTF-8 first",
            shown.display()
        )));
    };
    let start = text
        .split_inclusive('\n')
        .take(promise.line - 1)
        .map(str::len)
        .sum::<usize>();
    let line = text[start..].split_inclusive('\n').next().unwrap_or("");
    let Some(ticked) = tick(line, date) else {
        return Err(Error::Refused(format!(
            "{}:{}: the promise is not a plain `- [ ]` line kith can tick; nothing was written\n  hint: tick it by hand: `kith edit \"{name}\"`",
            shown.display(),
            promise.line
        )));
    };
    let mut new = Vec::with_capacity(snap.bytes.len() + 16);
    new.extend_from_slice(&snap.bytes[..start]);
    new.extend_from_slice(ticked.as_bytes());
    new.extend_from_slice(&snap.bytes[start + line.len()..]);
    snap.replace(&new)?;
    let commit = if args.commit {
        Some(crate::cmd::commit::commit_written(
            &vault.root,
            std::slice::from_ref(&note.path),
            &crate::cmd::commit::message("done", name, Some(words_of(&promise.text))),
        )?)
    } else {
        None
    };
    crate::cmd::commit::report(
        ctx,
        &format!(
            "done: {} ({}:{})\n",
            promise.text,
            shown.display(),
            promise.line
        ),
        serde_json::json!({"done": {"name": name, "text": promise.text, "date": date,
                                    "path": note.path.to_string_lossy(), "line": promise.line}}),
        commit,
    )?;
    Ok(exit::OK)
}

/// A promise's words without the Tasks plugin's fields (`📅 2026-11-27`,
/// `due:…`, `[due:: …]`, priorities): what a person calls it, and what a commit
/// message shows instead of a date cut in the middle.
fn words_of(text: &str) -> &str {
    const MARKS: [&str; 11] = [
        "📅", "⏳", "🛫", "✅", "❌", "➕", "🔁", "⏫", "🔼", "🔽", "[due::",
    ];
    let mut end = MARKS
        .iter()
        .filter_map(|m| text.find(m))
        .min()
        .unwrap_or(text.len());
    if let Some(i) = text.find(" due:").filter(|i| *i < end) {
        end = i;
    }
    let words = text[..end].trim();
    if words.is_empty() { text.trim() } else { words }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_only_open_task_lines() {
        let d = crate::date::parse_date("2026-11-25").unwrap();
        assert_eq!(
            tick("- [ ] send the guide 📅 2026-11-25\r\n", d).unwrap(),
            "- [x] send the guide 📅 2026-11-25 ✅ 2026-11-25\r\n"
        );
        assert_eq!(
            tick("  * [ ] a  \n", d).unwrap(),
            "  * [x] a ✅ 2026-11-25\n"
        );
        assert_eq!(tick("1. [ ] a", d).unwrap(), "1. [x] a ✅ 2026-11-25");
        assert!(tick("- [x] a\n", d).is_none());
        assert!(tick("-[ ] a\n", d).is_none());
        assert!(tick("text [ ] a\n", d).is_none());
    }
}
