//! `--commit` on the commands that write notes (new, log, done, event new,
//! resource new): commit just what was written, through the git command so
//! hooks run. The note is already written by then, so a commit that cannot
//! be made is a warning, not a failure: exit 0, and a retry would only
//! duplicate the entry (docs/cli.md, "--commit").

use crate::ctx::{emit, eprint_line};
use crate::error::Result;
use std::path::{Path, PathBuf};

/// Commits `paths` (vault-relative) with `message`; says on stdout that it
/// did, or on stderr why it did not.
pub fn commit_written(root: &Path, paths: &[PathBuf], message: &str) -> Result<()> {
    match crate::git::commit_paths(root, paths, message) {
        Ok(()) => emit(&format!("committed: {message}\n")),
        Err(n) => {
            eprint_line(&format!(
                "warning: written, not committed: {}\n  hint: {}",
                n.why, n.hint
            ));
            Ok(())
        }
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
