//! The terminal kith prints to: its size, and a pager for long output, as
//! git does. An adapter (ioctl, processes): domain code never imports it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

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
        return emit(text);
    };
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(&cmd).stdin(std::process::Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        c.env("LESS", "FRX");
    }
    let Ok(mut child) = c.spawn() else {
        return emit(text);
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The user quitting the pager early closes the pipe: not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
    Ok(())
}

/// Set once stdout or stderr turned out to be a closed pipe: the reader has
/// all it wants, so kith ends quietly with exit 0 (as ripgrep does).
static PIPE_CLOSED: AtomicBool = AtomicBool::new(false);

/// Did a write meet a closed pipe?
pub fn pipe_closed() -> bool {
    PIPE_CLOSED.load(Ordering::Relaxed)
}

/// Prints to stdout; a closed pipe (`kith … | head`) is not an error.
pub fn emit(s: &str) -> crate::error::Result<()> {
    if pipe_closed() {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            PIPE_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(crate::error::Error::io("<stdout>", e)),
    }
}

/// Prints a line to stderr. Unlike `eprintln!`, which panics when stderr is
/// a closed pipe (`kith check 2>&1 | head -1`), a failed write is dropped:
/// there is nobody left to tell.
pub fn eprint_line(s: &str) {
    let mut err = std::io::stderr().lock();
    let r = err
        .write_all(s.as_bytes())
        .and_then(|()| err.write_all(b"\n"))
        .and_then(|()| err.flush());
    if let Err(e) = r
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        PIPE_CLOSED.store(true, Ordering::Relaxed);
    }
}
