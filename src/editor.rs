//! Running the user's editor the way git does: `$VISUAL`, else `$EDITOR`,
//! as a shell command line (`sh -c '$EDITOR "$@"'`), so `EDITOR="code --wait"`
//! and editors with options work.

use crate::error::{Error, Result};
use std::ffi::OsString;
use std::path::Path;

/// The editor command line from `$VISUAL` or `$EDITOR`, if either is set.
pub fn command() -> Option<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

/// The program an editor command line runs, without folder: `vim` for
/// `/usr/bin/vim -u NONE`.
fn program(cmd: &str) -> String {
    let first = first_word(cmd);
    first.rsplit('/').next().unwrap_or(&first).to_string()
}

/// The first word of a shell command line as `sh` reads it: quotes and
/// backslashes taken off, so `"/opt/My Editors/nvim" -u NONE` is one word.
fn first_word(cmd: &str) -> String {
    let mut out = String::new();
    let mut chars = cmd.trim_start().chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => break,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '\\') | (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            (_, c) => out.push(c),
        }
    }
    out
}

/// The arguments that open `path` at `line` in this editor: `+LINE FILE` for
/// the vi family, nano, emacs, kak and micro, `--goto FILE:LINE` for VS Code,
/// the file alone for any other.
pub fn goto_args(cmd: &str, path: &Path, line: usize) -> Vec<OsString> {
    match program(cmd).as_str() {
        "vi" | "vim" | "nvim" | "gvim" | "nano" | "emacs" | "emacsclient" | "kak" | "micro" => {
            vec![format!("+{line}").into(), path.as_os_str().to_owned()]
        }
        "code" | "code-insiders" | "codium" => {
            let mut target = path.as_os_str().to_owned();
            target.push(format!(":{line}"));
            vec!["--goto".into(), target]
        }
        _ => vec![path.as_os_str().to_owned()],
    }
}

/// Runs `cmd` with `args` through the shell and waits for it.
pub fn run(cmd: &str, args: &[OsString]) -> Result<()> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} \"$@\""))
        .arg(cmd)
        .args(args)
        .status()
        .map_err(|e| Error::io("sh", e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "the editor `{cmd}` exited with {status}\n  hint: check $VISUAL / $EDITOR"
        )))
    }
}

/// The hint when no editor is set.
pub const NO_EDITOR: &str = "no editor: neither $VISUAL nor $EDITOR is set\n  hint: export EDITOR=vim (or nano, \"code --wait\"…)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_editor_gets_its_own_goto() {
        let p = Path::new("people/lena.md");
        assert_eq!(goto_args("vim", p, 12), ["+12", "people/lena.md"]);
        assert_eq!(
            goto_args("/usr/bin/nvim -u NONE", p, 3),
            ["+3", "people/lena.md"]
        );
        assert_eq!(
            goto_args("code --wait", p, 12),
            ["--goto", "people/lena.md:12"]
        );
        assert_eq!(goto_args("subl -w", p, 12), ["people/lena.md"]);
        // A quoted path with spaces is still the vim it names.
        assert_eq!(
            goto_args("\"/opt/My Editors/nvim\" -u NONE", p, 7),
            ["+7", "people/lena.md"]
        );
        assert_eq!(
            goto_args("'/Applications/Visual Studio Code/code' --wait", p, 2),
            ["--goto", "people/lena.md:2"]
        );
        assert_eq!(
            goto_args("/opt/My\\ Editors/vim", p, 4),
            ["+4", "people/lena.md"]
        );
    }
}
