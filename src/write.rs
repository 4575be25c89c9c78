//! Writing notes without harming them.
//!
//! Every write goes to a temporary file in the same folder and is renamed over
//! the note, keeping its permissions; it is refused if the note changed between
//! the read and the write. Edits are byte splices: everything kith did not mean
//! to change stays byte-identical (front matter, comments, CRLF, BOM).

use crate::date::Date;
use crate::error::{Error, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to a new temporary file in `dir`, synced, with `perms`
/// (or the usual 0644 for new files, not tempfile's private 0600).
fn temp_with(
    dir: &Path,
    bytes: &[u8],
    perms: Option<fs::Permissions>,
) -> Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".kith-tmp-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    let perms = match perms {
        Some(p) => p,
        #[cfg(unix)]
        None => {
            use std::os::unix::fs::PermissionsExt;
            fs::Permissions::from_mode(0o644)
        }
        #[cfg(not(unix))]
        None => return Ok(tmp),
    };
    fs::set_permissions(tmp.path(), perms).map_err(|e| Error::io(tmp.path(), e))?;
    Ok(tmp)
}

/// A note as read before an edit, to detect changes made meanwhile.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The real file (symlinks resolved, so a symlinked note stays a symlink).
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl Snapshot {
    pub fn read(path: &Path) -> Result<Snapshot> {
        let real = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        let bytes = fs::read(&real).map_err(|e| Error::io(&real, e))?;
        Ok(Snapshot { path: real, bytes })
    }

    /// Replaces the file with `new`, atomically, if it still holds `self.bytes`.
    pub fn replace(&self, new: &[u8]) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let perms = fs::metadata(&self.path)
            .map_err(|e| Error::io(&self.path, e))?
            .permissions();
        let tmp = temp_with(dir, new, Some(perms))?;
        let now = fs::read(&self.path).map_err(|e| Error::io(&self.path, e))?;
        if now != self.bytes {
            return Err(Error::ChangedUnderUs(self.path.clone()));
        }
        tmp.persist(&self.path)
            .map_err(|e| Error::io(&self.path, e.error))?;
        Ok(())
    }
}

/// Creates a new file atomically; refuses (without touching it) if one exists.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = temp_with(dir, bytes, None)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Refused(format!(
                "{} already exists; nothing was written",
                path.display()
            ))
        } else {
            Error::io(path, e.error)
        }
    })?;
    Ok(())
}

/// Writes a whole file atomically (for files kith owns, like a digest).
/// Returns false, without writing, when the content is already `bytes`.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let perms = fs::metadata(path).ok().map(|m| m.permissions());
    let tmp = temp_with(dir, bytes, perms)?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(true)
}

/// Where and what to insert to append a log entry: the byte offset and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub offset: usize,
    pub insert: String,
    /// 1-based line of the new entry's heading after the splice.
    pub heading_line: usize,
}

impl Splice {
    pub fn apply(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() + self.insert.len());
        out.extend_from_slice(&bytes[..self.offset]);
        out.extend_from_slice(self.insert.as_bytes());
        out.extend_from_slice(&bytes[self.offset..]);
        out
    }
}

/// Plans appending a dated entry at the end of the note's `Log` section
/// (a heading whose text is `Log`), creating `## Log` at the end if absent.
/// `bytes` is the whole file (BOM included); the file's line ending is kept.
pub fn plan_log_append(bytes: &[u8], date: Date, title: Option<&str>, body: &str) -> Splice {
    let text = String::from_utf8_lossy(bytes);
    let nl = if crate::note::uses_crlf(&text) {
        "\r\n"
    } else {
        "\n"
    };
    let headings = atx_headings(bytes);
    let log = headings
        .iter()
        .enumerate()
        .find(|(_, h)| h.text.trim().eq_ignore_ascii_case("log"));
    let (offset, level, create) = match log {
        Some((i, h)) => {
            let end = headings[i + 1..]
                .iter()
                .find(|n| n.level <= h.level)
                .map_or(bytes.len(), |n| n.start);
            (end, (h.level + 1).min(6), false)
        }
        None => (bytes.len(), 3, true),
    };
    let before = &bytes[..offset];
    let mut insert = String::new();
    // A fence left open at the end of the file would swallow the new entry.
    let open_fence = if offset == bytes.len() {
        unclosed_fence(bytes)
    } else {
        None
    };
    // Make sure what comes before ends with a blank line.
    let ends_nl = before.ends_with(b"\n");
    let ends_blank = before.ends_with(b"\n\n") || before.ends_with(b"\n\r\n");
    if before.is_empty() || before == b"\xEF\xBB\xBF" || ends_blank {
    } else if ends_nl {
        insert.push_str(nl);
    } else {
        insert.push_str(nl);
        insert.push_str(nl);
    }
    if let Some(fence) = open_fence {
        insert.push_str(&fence);
        insert.push_str(nl);
        insert.push_str(nl);
    }
    if create {
        insert.push_str("## Log");
        insert.push_str(nl);
        insert.push_str(nl);
    }
    let heading_line =
        String::from_utf8_lossy(before).matches('\n').count() + insert.matches('\n').count() + 1;
    insert.push_str(&"#".repeat(level as usize));
    insert.push(' ');
    insert.push_str(&date.format("%Y-%m-%d").to_string());
    if let Some(t) = title.map(str::trim).filter(|t| !t.is_empty()) {
        insert.push_str(" · ");
        insert.push_str(&t.replace(['\r', '\n'], " "));
    }
    insert.push_str(nl);
    let body = body.trim_matches(['\r', '\n']);
    if !body.is_empty() {
        insert.push_str(nl);
        for line in body.lines() {
            insert.push_str(line.trim_end_matches('\r'));
            insert.push_str(nl);
        }
    }
    if offset < bytes.len() {
        insert.push_str(nl);
    }
    Splice {
        offset,
        insert,
        heading_line,
    }
}

/// The fence (```` ``` ```` or `~~~`) still open at the end of the file, if any.
fn unclosed_fence(bytes: &[u8]) -> Option<String> {
    scan(bytes).1
}

struct RawHeading {
    level: u8,
    text: String,
    start: usize,
}

/// ATX headings outside fenced code blocks and outside the front matter.
fn atx_headings(bytes: &[u8]) -> Vec<RawHeading> {
    scan(bytes).0
}

/// Headings, and the fence left open at the end (if any).
fn scan(bytes: &[u8]) -> (Vec<RawHeading>, Option<String>) {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut pos = 0;
    let mut fence: Option<String> = None;
    let mut in_front = false;
    let mut first = true;
    for line in text.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        let l = if first {
            l.trim_start_matches('\u{feff}')
        } else {
            l
        };
        if first {
            first = false;
            if l.trim_end() == "---" {
                in_front = true;
                continue;
            }
        }
        if in_front {
            if matches!(l.trim_end(), "---" | "...") {
                in_front = false;
            }
            continue;
        }
        let t = l.trim_start_matches(' ');
        if l.len() - t.len() > 3 {
            continue;
        }
        if let Some(f) = &fence {
            // A closing fence: the same character, at least as many, nothing else.
            let c = f.as_bytes()[0];
            let run = t.bytes().take_while(|b| *b == c).count();
            if run >= f.len() && t[run..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        let ticks = t.bytes().take_while(|b| *b == b'`').count();
        let tildes = t.bytes().take_while(|b| *b == b'~').count();
        if ticks >= 3 || tildes >= 3 {
            fence = Some(t[..ticks.max(tildes)].to_string());
            continue;
        }
        let hashes = t.bytes().take_while(|b| *b == b'#').count();
        if (1..=6).contains(&hashes) {
            let rest = &t[hashes..];
            if rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t') {
                let text = rest.trim().trim_end_matches('#').trim().to_string();
                out.push(RawHeading {
                    level: hashes as u8,
                    text,
                    start,
                });
            }
        }
    }
    (out, fence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::date::parse_date(s).unwrap()
    }

    #[test]
    fn appends_at_end_of_log_section() {
        let src = "---\nname: A\n---\n\n## Log\n\n### 2026-01-01 · one\n\nhi\n\n## Notes\n\nx\n";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), Some("two"), "hello");
        let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
        assert_eq!(
            out,
            "---\nname: A\n---\n\n## Log\n\n### 2026-01-01 · one\n\nhi\n\n### 2026-02-01 · two\n\nhello\n\n## Notes\n\nx\n"
        );
        assert_eq!(s.heading_line, 11);
    }

    #[test]
    fn creates_log_section_and_keeps_crlf_and_bom() {
        let src = "\u{feff}---\r\nname: A # c\r\n---\r\nbio";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), None, "met");
        let out = String::from_utf8(s.apply(src.as_bytes())).unwrap();
        assert_eq!(
            out,
            "\u{feff}---\r\nname: A # c\r\n---\r\nbio\r\n\r\n## Log\r\n\r\n### 2026-02-01\r\n\r\nmet\r\n"
        );
        assert!(out.starts_with(src));
    }

    #[test]
    fn ignores_headings_in_code_and_front_matter() {
        let src = "---\nx: 1\n---\n```\n## Log\n```\n";
        let s = plan_log_append(src.as_bytes(), d("2026-02-01"), None, "t");
        assert!(s.insert.contains("## Log"));
        assert_eq!(s.offset, src.len());
    }

    #[test]
    fn write_refuses_when_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "one").unwrap();
        let snap = Snapshot::read(&p).unwrap();
        fs::write(&p, "two").unwrap();
        assert!(matches!(
            snap.replace(b"three"),
            Err(Error::ChangedUnderUs(_))
        ));
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
    }

    #[cfg(unix)]
    #[test]
    fn write_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, "one").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        Snapshot::read(&p).unwrap().replace(b"two").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
    }
}
