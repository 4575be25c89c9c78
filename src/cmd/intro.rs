//! `kith intro A B [--state STATE] [--note WHY] [--date DATE]`: records a step
//! of an introduction as a dated log entry tagged `#intro/STATE` linking the
//! other person (both notes; `asked` only in the note of the person asked).

use crate::ctx::{Ctx, arg_date, emit};
use crate::digest::IntroState;
use crate::error::{Error, Result, exit};
use crate::write::{Snapshot, plan_log_append};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum State {
    /// You mean to introduce them (default).
    Proposed,
    /// You asked A whether they would like to meet B (the opt-in).
    Asked,
    /// A said yes.
    Agreed,
    /// You introduced them.
    Made,
    /// You asked how it went.
    FollowedUp,
}

impl From<State> for IntroState {
    fn from(s: State) -> IntroState {
        match s {
            State::Proposed => IntroState::Proposed,
            State::Asked => IntroState::Asked,
            State::Agreed => IntroState::Agreed,
            State::Made => IntroState::Made,
            State::FollowedUp => IntroState::FollowedUp,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The person asked first (for `asked`, the one whose opt-in you asked).
    pub a: String,
    /// The person they would meet.
    pub b: String,
    /// How far along the introduction is.
    #[arg(long, value_enum, default_value = "proposed")]
    pub state: State,
    /// Why they should meet, kept in the entry.
    #[arg(long, value_name = "WHY")]
    pub note: Option<String>,
    /// Date of the step (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// The entry text in the note of `_me` about meeting `other`, whose link
/// (`[[file|Name]]`, the form Obsidian opens too) is `other`.
fn entry_text(state: IntroState, other: &str, why: Option<&str>) -> String {
    let what = match state {
        IntroState::Proposed => format!("Introduction to {other} proposed."),
        IntroState::Asked => format!("Asked whether they'd like to meet {other}."),
        IntroState::Agreed => format!("Agreed to be introduced to {other}."),
        IntroState::Made => format!("Introduced to {other}."),
        IntroState::FollowedUp => format!("Asked how meeting {other} went."),
    };
    // One line: a newline in WHY would start a heading or a task of its own
    // in both notes.
    let why = why
        .map(|w| format!(" {}", w.split_whitespace().collect::<Vec<_>>().join(" ")))
        .filter(|w| w.len() > 1)
        .unwrap_or_default();
    format!("{what}{why} #intro/{}\n", state.as_str())
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let date = match &args.date {
        Some(d) => arg_date(d, "--date")?,
        None => ctx.today(),
    };
    let state: IntroState = args.state.into();
    let vault = ctx.load()?;
    let (ia, ib) = (vault.find_person(&args.a)?, vault.find_person(&args.b)?);
    if ia == ib {
        return Err(Error::Refused(format!(
            "{} and {} are the same person\n  hint: name two different people",
            args.a, args.b
        )));
    }
    let mut targets = vec![(ia, ib)];
    if state != IntroState::Asked {
        targets.push((ib, ia));
    }
    // Check both notes before writing either, so a refusal writes nothing.
    let mut snaps = Vec::new();
    for &(me, _) in &targets {
        let path = vault.root.join(&vault.notes[me].path);
        let snap = Snapshot::read(&path)?;
        if std::str::from_utf8(&snap.bytes).is_err() {
            return Err(Error::Refused(format!(
                "{} is not valid UTF-8; kith will not write into it\n  hint: save it as UTF-8 first",
                ctx.shown(&vault.root, &vault.notes[me].path).display()
            )));
        }
        snaps.push(snap);
    }
    let mut out = String::new();
    let mut recorded = Vec::new();
    for ((me, other), snap) in targets.into_iter().zip(snaps) {
        let o = &vault.notes[other];
        let link = crate::obsidian::wikilink(&o.stem(), &o.title, false);
        let text = entry_text(state, &link, args.note.as_deref());
        let splice = plan_log_append(&snap.bytes, date, Some("intro"), &text);
        snap.replace(&splice.apply(&snap.bytes))?;
        out.push_str(&format!(
            "intro {} recorded for {} at {}:{}\n",
            state.as_str(),
            vault.notes[me].title,
            ctx.shown(&vault.root, &vault.notes[me].path).display(),
            splice.heading_line
        ));
        recorded.push(serde_json::json!({
            "state": state.as_str(),
            "name": vault.notes[me].title,
            "path": vault.notes[me].path.to_string_lossy(),
            "line": splice.heading_line,
        }));
    }
    if ctx.json {
        crate::ctx::emit_json(&recorded)?;
    } else {
        emit(&out)?;
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_carry_the_state_tag_and_the_link() {
        let t = entry_text(IntroState::Asked, "[[Zoë Martin]]", Some("both into kilns"));
        assert!(
            t.contains("[[Zoë Martin]]") && t.ends_with("#intro/asked\n"),
            "{t}"
        );
        assert!(entry_text(IntroState::FollowedUp, "A", None).contains("#intro/followed-up"));
    }

    #[test]
    fn why_stays_on_one_line() {
        let t = entry_text(
            IntroState::Proposed,
            "[[B]]",
            Some("both like kilns\n### 2020-01-01 · fake\r\n- [ ] x"),
        );
        assert_eq!(t.lines().count(), 1, "{t}");
        assert!(t.contains("kilns ### 2020-01-01"), "{t}");
    }
}
