//! Notes that are symlinks, by the files their links name.
//!
//! The walk reads a symlinked note through its link, but an event names
//! only the file the link reaches. For a target inside the vault the index
//! finds the links by inode (see `Index::sync_paths`), but not when the
//! target is outside the vault (no event at all: its folder is not
//! watched) nor when a dangling link's target appears (the index never held
//! the link, so no inode leads to it). So the watcher keeps, for every
//! symlinked note, the path each hop of its link names, watches the folders
//! of those outside the vault, and marks the note dirty when an event names
//! one of them.
//!
//! Keyed on each hop's folder resolved (`canonicalize`) joined with its
//! name: that is how events name a file, and it exists for a dangling link
//! whose folder does. A link whose target's folder does not exist is not
//! followed (docs/watch.md).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Hops followed along a chain of links (a loop ends here too).
const MAX_HOPS: usize = 8;

#[derive(Debug, Default)]
pub struct Symlinked {
    /// A file a link reaches (absolute, folder resolved) → the
    /// vault-relative notes reaching it.
    by_target: HashMap<PathBuf, BTreeSet<PathBuf>>,
    /// Each symlinked note → the files it reaches, one per hop.
    of_note: HashMap<PathBuf, Vec<PathBuf>>,
}

impl Symlinked {
    /// The links among `notes` (vault-relative), from scratch.
    pub fn of(root: &Path, notes: impl IntoIterator<Item = PathBuf>) -> Symlinked {
        let mut s = Symlinked::default();
        for rel in notes {
            s.update(root, &rel);
        }
        s
    }

    /// Looks at one note path again: a link now (or another link), or not
    /// (any more); and the notes whose links lead through it.
    pub fn update(&mut self, root: &Path, rel: &Path) {
        self.update_one(root, rel);
        let through: Vec<PathBuf> = self
            .notes_reaching(&root.join(rel))
            .filter(|n| n.as_path() != rel)
            .cloned()
            .collect();
        for n in through {
            self.update_one(root, &n);
        }
    }

    fn update_one(&mut self, root: &Path, rel: &Path) {
        if let Some(old) = self.of_note.remove(rel) {
            for t in old {
                if let Some(set) = self.by_target.get_mut(&t) {
                    set.remove(rel);
                    if set.is_empty() {
                        self.by_target.remove(&t);
                    }
                }
            }
        }
        let hops = hops(&root.join(rel));
        if hops.is_empty() {
            return;
        }
        for t in &hops {
            self.by_target
                .entry(t.clone())
                .or_default()
                .insert(rel.to_path_buf());
        }
        self.of_note.insert(rel.to_path_buf(), hops);
    }

    /// The notes whose link reaches `path` (absolute, as an event names it).
    pub fn notes_reaching(&self, path: &Path) -> impl Iterator<Item = &PathBuf> {
        self.by_target.get(path).into_iter().flatten()
    }

    /// The folders outside `root` holding a file some link reaches: the
    /// ones to watch.
    pub fn folders_outside(&self, root: &Path) -> BTreeSet<PathBuf> {
        self.by_target
            .keys()
            .filter_map(|t| t.parent())
            .filter(|d| !d.starts_with(root))
            .map(Path::to_path_buf)
            .collect()
    }
}

/// The files a symlink at `abs` reaches, one per hop (none if `abs` is not
/// a symlink).
fn hops(abs: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut at = abs.to_path_buf();
    while out.len() < MAX_HOPS {
        let Ok(m) = std::fs::symlink_metadata(&at) else {
            break;
        };
        if !m.file_type().is_symlink() {
            break;
        }
        let Ok(t) = std::fs::read_link(&at) else {
            break;
        };
        let t = match at.parent() {
            Some(dir) if t.is_relative() => dir.join(t),
            _ => t,
        };
        let (Some(dir), Some(name)) = (t.parent(), t.file_name()) else {
            break;
        };
        let Ok(dir) = dir.canonicalize() else {
            break;
        };
        let next = dir.join(name);
        if out.contains(&next) {
            break;
        }
        out.push(next.clone());
        at = next;
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_inside_outside_dangling_and_chained_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("v")).unwrap();
        let root = dir.path().join("v").canonicalize().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let out = out.canonicalize().unwrap();
        std::fs::create_dir(root.join("people")).unwrap();
        std::fs::write(out.join("s.md"), "x").unwrap();
        std::fs::write(root.join("people/a.md"), "x").unwrap();
        symlink(out.join("s.md"), root.join("sl.md")).unwrap();
        symlink("people/later.md", root.join("dl.md")).unwrap();
        symlink("sl.md", root.join("chain.md")).unwrap();
        symlink("loop.md", root.join("loop.md")).unwrap();
        let notes = ["people/a.md", "sl.md", "dl.md", "chain.md", "loop.md"].map(PathBuf::from);
        let mut s = Symlinked::of(&root, notes);
        let reaching =
            |s: &Symlinked, p: &Path| -> Vec<PathBuf> { s.notes_reaching(p).cloned().collect() };
        assert_eq!(
            reaching(&s, &out.join("s.md")),
            [PathBuf::from("chain.md"), PathBuf::from("sl.md")]
        );
        assert_eq!(
            reaching(&s, &root.join("people/later.md")),
            [PathBuf::from("dl.md")]
        );
        assert!(reaching(&s, &root.join("people/a.md")).is_empty());
        assert_eq!(
            s.folders_outside(&root).into_iter().collect::<Vec<_>>(),
            std::slice::from_ref(&out)
        );
        // The link replaced by a file: no longer followed.
        std::fs::remove_file(root.join("sl.md")).unwrap();
        std::fs::write(root.join("sl.md"), "y").unwrap();
        s.update(&root, Path::new("sl.md"));
        assert_eq!(reaching(&s, &out.join("s.md")), Vec::<PathBuf>::new());
        assert_eq!(
            reaching(&s, &root.join("sl.md")),
            [PathBuf::from("chain.md")]
        );
        assert!(s.folders_outside(&root).is_empty());
    }
}
