//! `--commit` on the commands that write notes (new, log, done, event new,
//! resource new): commit just what was written, through the git command so
//! hooks run. The note is already written by then, so a commit that cannot
//! be made is a warning, not a failure: exit 0, and a retry would only
//! duplicate the entry (docs/cli.md, "--commit").

use crate::ctx::{Ctx, emit, eprint_line};
use crate::error::Result;
use std::path::{Path, PathBuf};

/// Commits `paths` (vault-relative) with `message`; says on stdout that it
/// did not, on stderr (what it did is for [`report`] to say). Returns the outcome for
/// JSON: `{"committed": true, "message": …}` or `{"committed": false, "why": …}`.
pub fn commit_written(root: &Path, paths: &[PathBuf], message: &str) -> Result<serde_json::Value> {
    match crate::git::commit_paths(root, paths, message) {
        Ok(()) => Ok(serde_json::json!({"committed": true, "message": message})),
        Err(n) => {
            eprint_line(&format!(
                "warning: written, not committed: {}\n  hint: {}",
                n.why, n.hint
            ));
            Ok(serde_json::json!({"committed": false, "why": n.why}))
        }
    }
}

/// The output of a command that wrote notes: its text, or with `--json` the
/// object `fields` plus `"commit"` when `--commit` was asked for.
pub fn report(
    ctx: &Ctx,
    text: &str,
    mut fields: serde_json::Value,
    commit: Option<serde_json::Value>,
) -> Result<()> {
    if ctx.json {
        if let (Some(c), Some(obj)) = (commit, fields.as_object_mut()) {
            obj.insert("commit".into(), c);
        }
        crate::ctx::emit_json(&fields)
    } else {
        let mut text = text.to_string();
        if let Some(c) = commit.filter(|c| c["committed"] == true) {
            text.push_str(&format!(
                "committed: {}\n",
                c["message"].as_str().unwrap_or("")
            ));
        }
        emit(&text)
    }
}

/// `log: Lena Fischer — coffee`: the person and the entry's title (or its
/// first line, cut short), never the whole entry.
pub fn message(verb: &str, who: &str, what: Option<&str>) -> String {
    let what = what.map(|w| crate::git::subject(w, 50)).unwrap_or_default();
    if what.is_empty() {
        format!("{verb}: {who}")
    } else {
        format!("{verb}: {who} — {what}")
    }
}
