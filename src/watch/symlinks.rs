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
//! whose folder does. Where a link leads also changes when a folder on its
//! way does: so the paths of every symlinked folder on the way, of the
//! first folder missing (a dangling link's folder made later), and of the
//! target's folder itself (renamed or removed) are keys too, their own
//! folders watched; and an event naming a watched folder itself (moved or
//! removed: the target's grandparent) marks the notes with keys in it. A
//! folder renamed higher up than that sends no event (docs/watch.md).

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

/// Hops followed along a chain of links (a loop ends here too).
const MAX_HOPS: usize = 8;

#[derive(Debug, Default)]
pub struct Symlinked {
    /// A file a link reaches (absolute, folder resolved) → the
    /// vault-relative notes reaching it.
    by_target: HashMap<PathBuf, BTreeSet<PathBuf>>,
    /// A folder holding one of those paths → the notes with a path in it.
    by_folder: HashMap<PathBuf, BTreeSet<PathBuf>>,
    /// Each symlinked note → the paths deciding where it leads.
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
                forget(&mut self.by_target, &t, rel);
                if let Some(dir) = t.parent() {
                    forget(&mut self.by_folder, dir, rel);
                }
            }
        }
        let hops = hops(root, &root.join(rel));
        if hops.is_empty() {
            return;
        }
        for t in &hops {
            self.by_target
                .entry(t.clone())
                .or_default()
                .insert(rel.to_path_buf());
            if let Some(dir) = t.parent() {
                self.by_folder
                    .entry(dir.to_path_buf())
                    .or_default()
                    .insert(rel.to_path_buf());
            }
        }
        self.of_note.insert(rel.to_path_buf(), hops);
    }

    /// The notes whose link reaches `path` (absolute, as an event names it).
    pub fn notes_reaching(&self, path: &Path) -> impl Iterator<Item = &PathBuf> {
        self.by_target.get(path).into_iter().flatten()
    }

    /// The notes with a path deciding where they lead in the folder
    /// `path`: for an event naming a watched folder itself (moved away or
    /// removed), after which those paths lead elsewhere.
    pub fn notes_within(&self, path: &Path) -> impl Iterator<Item = &PathBuf> {
        self.by_folder.get(path).into_iter().flatten()
    }

    /// The folders outside `root` holding a file some link reaches: the
    /// ones to watch.
    pub fn folders_outside(&self, root: &Path) -> BTreeSet<PathBuf> {
        self.by_folder
            .keys()
            .filter(|d| !d.starts_with(root))
            .cloned()
            .collect()
    }
}

fn forget(map: &mut HashMap<PathBuf, BTreeSet<PathBuf>>, key: &Path, rel: &Path) {
    if let Some(set) = map.get_mut(key) {
        set.remove(rel);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// The paths deciding where a symlink at `abs` leads: the file each hop
/// reaches, and the folders on each hop's way that may change it (see
/// [`resolve`]); none if `abs` is not a symlink. Never the vault `root`
/// or a folder above it (watched already, or holding the vault), nor a
/// path in kith's cache.
fn hops(root: &Path, abs: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut at = abs.to_path_buf();
    for _ in 0..MAX_HOPS {
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
        let Some(dir) = resolve(dir, &mut out) else {
            break;
        };
        let next = dir.join(name);
        if out.contains(&next) {
            break;
        }
        out.push(next.clone());
        at = next;
    }
    // Nor kith's own cache, which the watcher rewrites after every batch:
    // a note linked there would start the next batch itself, forever.
    let cache = crate::vault::cache_dir(root);
    out.retain(|k| !root.starts_with(k) && !k.starts_with(&cache));
    let mut seen = BTreeSet::new();
    out.retain(|k| seen.insert(k.clone()));
    out
}

/// `dir` (absolute) resolved one component at a time, as `canonicalize`
/// would; `None` when a component is missing. Pushes to `keys` the paths
/// (their folder resolved) whose change moves where `dir` leads: each
/// symlink on the way, the first component missing (a folder made later),
/// and `dir` itself (renamed or removed).
fn resolve(dir: &Path, keys: &mut Vec<PathBuf>) -> Option<PathBuf> {
    let mut at = PathBuf::new();
    let mut last = None;
    for c in dir.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => at.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                at.pop();
            }
            Component::Normal(name) => {
                let step = at.join(name);
                match std::fs::symlink_metadata(&step) {
                    Err(_) => {
                        keys.push(step);
                        return None;
                    }
                    Ok(m) if m.file_type().is_symlink() => {
                        keys.push(step.clone());
                        at = step.canonicalize().ok()?;
                    }
                    Ok(_) => at = step.clone(),
                }
                last = Some(step);
            }
        }
    }
    keys.extend(last);
    Some(at)
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
        // The target's folder, and the folder holding it (for the target's
        // folder renamed or removed).
        let top = dir.path().canonicalize().unwrap();
        assert_eq!(
            s.folders_outside(&root).into_iter().collect::<Vec<_>>(),
            [top.clone(), out.clone()]
        );
        assert_eq!(
            reaching(&s, &out),
            [PathBuf::from("chain.md"), PathBuf::from("sl.md")]
        );
        assert_eq!(
            s.notes_within(&out).cloned().collect::<Vec<_>>(),
            [PathBuf::from("chain.md"), PathBuf::from("sl.md")]
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

    #[test]
    fn folders_missing_or_linked_on_the_way_are_keys() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        std::fs::create_dir(top.join("v")).unwrap();
        let root = top.join("v");
        std::fs::create_dir_all(top.join("real")).unwrap();
        symlink("real", top.join("via")).unwrap();
        symlink(top.join("via/s.md"), root.join("a.md")).unwrap();
        symlink(top.join("later/deeper/s.md"), root.join("b.md")).unwrap();
        let s = Symlinked::of(&root, ["a.md", "b.md"].map(PathBuf::from));
        let reaching = |p: &Path| -> Vec<PathBuf> { s.notes_reaching(p).cloned().collect() };
        assert_eq!(reaching(&top.join("real/s.md")), [PathBuf::from("a.md")]);
        assert_eq!(reaching(&top.join("via")), [PathBuf::from("a.md")]);
        assert_eq!(reaching(&top.join("later")), [PathBuf::from("b.md")]);
        assert!(reaching(&top.join("later/deeper")).is_empty());
        // Never the folder holding the vault as a key, though watched.
        assert!(reaching(&top).is_empty());
        assert_eq!(
            s.folders_outside(&root).into_iter().collect::<Vec<_>>(),
            [top.clone(), top.join("real")]
        );
    }
}
