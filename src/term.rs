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
