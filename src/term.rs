//! The terminal kith prints to: its size, and a pager for long output, as
//! git does. An adapter (ioctl, processes): domain code never imports it.

use std::io::{IsTerminal, Write};

/// Columns and rows of the terminal on stdout: `COLUMNS`/`LINES` when set
/// (the user's override, and what tests pass), else the kernel's idea
/// (TIOCGWINSZ), else 80×24.
pub fn size() -> (usize, usize) {
    let env = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
    };
    let (mut cols, mut rows) = (env("COLUMNS"), env("LINES"));
    if (cols.is_none() || rows.is_none())
        && let Some((c, r)) = ioctl_size()
    {
        cols = cols.or(Some(c));
        rows = rows.or(Some(r));
    }
    (cols.unwrap_or(80), rows.unwrap_or(24))
}

#[cfg(unix)]
fn ioctl_size() -> Option<(usize, usize)> {
    // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct we pass.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_col > 0).then(|| (ws.ws_col as usize, ws.ws_row.max(1) as usize))
}

#[cfg(not(unix))]
fn ioctl_size() -> Option<(usize, usize)> {
    None
}

/// The pager to use: `KITH_PAGER`, else `PAGER`, else `less`; `None` when it
/// is `cat` or empty (the user asked for none).
fn pager_command() -> Option<String> {
    let p = std::env::var("KITH_PAGER")
        .or_else(|_| std::env::var("PAGER"))
        .unwrap_or_else(|_| "less".into());
    let p = p.trim().to_string();
    (!p.is_empty() && p != "cat").then_some(p)
}

/// Prints `text` to stdout, through the pager when stdout is a terminal and
/// `text` has more lines than the screen. `less` gets `LESS=FRX` unless the
/// user set `LESS` (quit if one screen, keep colour, leave the text on screen).
/// A pager that cannot start is skipped, never an error.
pub fn page(text: &str) -> crate::error::Result<()> {
    let (_, rows) = size();
    let long = text.lines().count() >= rows;
    let Some(cmd) = pager_command().filter(|_| long && std::io::stdout().is_terminal()) else {
        return crate::ctx::emit(text);
    };
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(&cmd).stdin(std::process::Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        c.env("LESS", "FRX");
    }
    let Ok(mut child) = c.spawn() else {
        return crate::ctx::emit(text);
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The user quitting the pager early closes the pipe: not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
    Ok(())
}

/// Wraps `text` to `width` columns at spaces: the first line starts after
/// `first` columns already used, the rest are indented by `indent` spaces.
/// A word longer than a line is cut, so no line overflows.
pub fn wrap(text: &str, first: usize, indent: usize, width: usize) -> Vec<String> {
    let width = width.max(indent + 10);
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut used = first;
    let room = |lines: &Vec<String>| {
        if lines.is_empty() {
            width.saturating_sub(first)
        } else {
            width - indent
        }
    };
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let wlen = word.chars().count();
            let sep = usize::from(!cur.is_empty());
            if used + sep + wlen <= width {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.push_str(&word);
                used += sep + wlen;
                break;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                used = indent;
                continue;
            }
            // A word wider than a whole line: cut it.
            let take = room(&lines).max(1);
            let head: String = word.chars().take(take).collect();
            word = word.chars().skip(take).collect();
            lines.push(head);
            used = indent;
            if word.is_empty() {
                break;
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_cuts_only_overlong_words() {
        let l = wrap("one two three four five", 0, 2, 12);
        assert_eq!(l, ["one two", "three four", "five"]);
        assert!(l.iter().all(|x| x.chars().count() + 2 <= 12));
        let l = wrap("abcdefghijklmnopqrstuvwxyz", 0, 0, 10);
        assert_eq!(l, ["abcdefghij", "klmnopqrst", "uvwxyz"]);
        assert_eq!(wrap("", 0, 0, 10), [""]);
    }
}
