//! Which changed paths matter to the watcher.
//!
//! Events are only hints that a path *may* have changed; this module decides
//! which paths are worth re-reading. Editor droppings (swap files, backups,
//! safe-write temporaries, lock symlinks) never reach the index.

use std::path::{Component, Path};

/// What a changed path means for the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relevance {
    /// A note path: re-stat and re-read it.
    Note,
    /// Something that may be a folder (renamed, moved in or out, deleted):
    /// the notes below it may have changed.
    Folder,
    /// Ignore it (hidden, `.git/`, `.kith/`, editor droppings, other files).
    Ignore,
}

/// Classifies a path relative to the vault root.
pub fn classify(rel: &Path) -> Relevance {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy()),
            _ => return Relevance::Ignore,
        }
    }
    let Some(name) = parts.last() else {
        return Relevance::Ignore;
    };
    if parts
        .iter()
        .any(|p| p.starts_with('.') || p == "node_modules")
    {
        return Relevance::Ignore;
    }
    if is_dropping(name) {
        return Relevance::Ignore;
    }
    if crate::vault::is_note_path(rel) {
        return Relevance::Note;
    }
    // A name without an extension may be a folder; files of other kinds are not ours.
    if Path::new(name.as_ref()).extension().is_none() {
        Relevance::Folder
    } else {
        Relevance::Ignore
    }
}

/// A path `classify` ignores only for the extension of its name: it may
/// be a folder (`proj.v1`, `Ann.Smith`, `2026.11`), whose notes the walk
/// reads. The caller looks at the disk to tell.
pub fn named_like_a_file(rel: &Path) -> bool {
    classify(rel) == Relevance::Ignore
        && rel.components().all(|c| match c {
            Component::Normal(s) => {
                let s = s.to_string_lossy();
                !s.starts_with('.') && s != "node_modules"
            }
            _ => false,
        })
        && rel
            .file_name()
            .is_some_and(|n| !is_dropping(&n.to_string_lossy()))
}

/// Temporary and backup files that editors and tools leave next to a note.
pub fn is_dropping(name: &str) -> bool {
    name == "4913"                                    // vim's write probe
        || name.ends_with('~')                        // vim/emacs backups
        || (name.starts_with('#') && name.ends_with('#')) // emacs auto-save
        || name.starts_with(".#")                     // emacs lock symlink
        || name.contains("___jb_")                    // JetBrains safe write
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".vsctmp")                  // VS Code
        || name.ends_with(".crswap")                  // Chrome/Electron
        || name.starts_with(".kith-tmp-")             // our own atomic writes
        || is_sed_temp(name)
}

/// `sed -i` writes `sedXXXXXX` next to the file before renaming it over.
fn is_sed_temp(name: &str) -> bool {
    name.len() == 9
        && name.starts_with("sed")
        && name[3..].chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn droppings_are_ignored() {
        for p in [
            "people/.ann.md.swp",
            "people/.ann.md.swo",
            "people/4913",
            "people/ann.md~",
            "people/.#ann.md",
            "people/#ann.md#",
            "people/ann.md___jb_tmp___",
            "people/ann.md___jb_old___",
            "people/sedAb12Cd",
            ".git/index",
            ".kith/cache/index/meta.json",
            ".obsidian/workspace.json",
            "people/photo.jpg",
            "people/.kith-tmp-abc",
        ] {
            assert_eq!(classify(Path::new(p)), Relevance::Ignore, "{p}");
        }
        assert_eq!(classify(Path::new("people/ann.md")), Relevance::Note);
        assert_eq!(
            classify(Path::new("journal/2026-11-21.md")),
            Relevance::Note
        );
        assert_eq!(classify(Path::new("people")), Relevance::Folder);
        assert_eq!(classify(Path::new("archive/old")), Relevance::Folder);
        for p in ["proj.v1", "people/Ann.Smith", "people/photo.jpg"] {
            assert!(named_like_a_file(Path::new(p)), "{p}");
        }
        for p in [
            ".obsidian/workspace.json",
            "people/ann.md~",
            "people/ann.md",
            "people",
        ] {
            assert!(!named_like_a_file(Path::new(p)), "{p}");
        }
    }
}
