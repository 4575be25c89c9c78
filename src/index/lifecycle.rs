//! Keeping the index's folder sane while several kith processes share it:
//! a lock for (re)building, atomic creation, panics from a damaged index
//! turned into errors, and a bounded wait for the writer.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// An exclusive advisory lock (`flock`) on a file, released on drop — also
/// when the process dies, so a killed kith never leaves it held.
pub struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    /// Blocks until the lock is ours. Only held for the seconds a rebuild takes.
    pub fn exclusive(path: &Path) -> Result<FileLock> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            loop {
                // SAFETY: flock on a descriptor we own; no memory is involved.
                let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
                if r == 0 {
                    break;
                }
                let err = std::io::Error::last_os_error();
                if err.kind() != std::io::ErrorKind::Interrupted {
                    return Err(Error::io(path, err));
                }
            }
        }
        Ok(FileLock { _file: file })
    }
}

/// Makes `dir` a real folder: a file or a dangling symlink in its place (the
/// cache is disposable) is removed first.
/// Another process may create the folder at any moment (two searches on a
/// cold cache): a folder found where a file was expected is success, not
/// "Is a directory".
pub fn ensure_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if std::fs::symlink_metadata(dir).is_ok()
        && let Err(e) = std::fs::remove_file(dir)
        && !dir.is_dir()
    {
        return Err(Error::io(dir, e));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// A name no other process (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{prefix}{}-{nanos}", std::process::id())
}

/// Removes what a killed rebuild left behind (`index.new-*`, `index.old-*`).
/// Only called under the rebuild lock, so nobody is using them.
pub fn remove_leftovers(cache: &Path) {
    let Ok(rd) = std::fs::read_dir(cache) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n.starts_with("index.new-") || n.starts_with("index.old-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Moves `dir` out of the way (a folder is renamed aside and deleted; a file
/// or symlink is removed).
pub fn remove_aside(dir: &Path, cache: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() => {
            let aside: PathBuf = cache.join(unique("index.old-"));
            std::fs::rename(dir, &aside).map_err(|e| Error::io(dir, e))?;
            // Another process may still read the old files through its
            // mappings: on Unix they live until it is done.
            let _ = std::fs::remove_dir_all(&aside);
            Ok(())
        }
        Ok(_) => std::fs::remove_file(dir).map_err(|e| Error::io(dir, e)),
    }
}

/// Runs `f`, turning a panic into `Err(message)` without printing it: tantivy
/// panics on some damaged files (a range error near the end of a `.store`),
/// and a damaged cache must be rebuilt, not reported as a crash.
pub fn quietly<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    r.map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into())
    })
}

/// Tries `attempt` until it yields `Some`, sleeping 5, 10, 20 … 100 ms in
/// between, for at most `wait`. `None` when time ran out.
pub fn with_backoff<T>(
    wait: Duration,
    mut attempt: impl FnMut() -> Result<Option<T>>,
) -> Result<Option<T>> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(v) = attempt()? {
            return Ok(Some(v));
        }
        if start.elapsed() >= wait {
            return Ok(None);
        }
        std::thread::sleep(pause.min(wait.saturating_sub(start.elapsed())));
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quietly_turns_a_panic_into_an_error() {
        let r: std::result::Result<(), String> = quietly(|| panic!("range end index 9"));
        assert_eq!(r, Err("range end index 9".to_string()));
        assert_eq!(quietly(|| 3), Ok(3));
    }

    #[test]
    fn backoff_gives_up_after_the_wait() -> Result<()> {
        let mut tries = 0;
        let r: Option<()> = with_backoff(Duration::from_millis(30), || {
            tries += 1;
            Ok(None)
        })?;
        assert!(r.is_none() && tries >= 2);
        let r = with_backoff(Duration::from_secs(5), || Ok(Some(1)))?;
        assert_eq!(r, Some(1));
        Ok(())
    }
}
