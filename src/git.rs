//! git: discovering the repository and committing notes.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The repository holding `dir`, if any.
/// Honours `GIT_CEILING_DIRECTORIES` like git does.
pub fn discover(dir: &Path) -> Option<git2::Repository> {
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    git2::Repository::open_ext(dir, git2::RepositoryOpenFlags::empty(), &ceilings).ok()
}

/// `git init` in `dir`.
pub fn init(dir: &Path) -> Result<()> {
    git2::Repository::init(dir)
        .map(|_| ())
        .map_err(|e| Error::Other(format!("git init in {}: {}", dir.display(), e.message())))
}

fn git_err(e: git2::Error) -> Error {
    Error::Other(format!("git: {}", e.message()))
}

/// Commits exactly `paths` (relative to the vault `root`) with `message`,
/// leaving anything else that is staged out of the commit.
pub fn commit_paths(root: &Path, paths: &[PathBuf], message: &str) -> Result<()> {
    let repo = discover(root).ok_or_else(|| {
        Error::Usage(format!(
            "--commit: {} is not inside a git repository\n  hint: run `git init` (or `kith init`) there first",
            root.display()
        ))
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::Usage("--commit: the repository is bare".into()))?
        .to_path_buf();
    let root_abs = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let workdir = workdir.canonicalize().map_err(|e| Error::io(&workdir, e))?;
    let prefix = root_abs
        .strip_prefix(&workdir)
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let head_commit = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    // Build the tree from HEAD's tree plus just these files, so other staged
    // changes stay staged and out of this commit.
    let mut index = git2::Index::new().map_err(git_err)?;
    if let Some(c) = &head_commit {
        index
            .read_tree(&c.tree().map_err(git_err)?)
            .map_err(git_err)?;
    }
    let mut repo_index = repo.index().map_err(git_err)?;
    for rel in paths {
        let in_repo = prefix.join(rel);
        let bytes = std::fs::read(root.join(rel)).map_err(|e| Error::io(root.join(rel), e))?;
        let oid = repo.blob(&bytes).map_err(git_err)?;
        let mode = 0o100644;
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: bytes.len() as u32,
            id: oid,
            flags: 0,
            flags_extended: 0,
            path: in_repo.to_string_lossy().replace('\\', "/").into_bytes(),
        };
        index.add(&entry).map_err(git_err)?;
        repo_index.add_path(&in_repo).map_err(git_err)?;
    }
    repo_index.write().map_err(git_err)?;
    let tree_id = index.write_tree_to(&repo).map_err(git_err)?;
    let tree = repo.find_tree(tree_id).map_err(git_err)?;
    let sig = repo
        .signature()
        .or_else(|_| git2::Signature::now("kith", "kith@localhost"))
        .map_err(git_err)?;
    let parents: Vec<&git2::Commit> = head_commit.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .map_err(git_err)?;
    Ok(())
}
