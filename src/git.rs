//! git: the vault's history and save points. The only module that imports git2.
//!
//! The vault is a git repository or a folder inside one. History questions
//! (a person's history, news about people) are answered with one walk of the
//! history, never one walk per file; when each note last changed comes from
//! one walk cached by HEAD. If libgit2 cannot open the repository
//! (e.g. an extension it does not know), `history` falls back to the `git`
//! command and the rest say clearly what is unsupported.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::note;
use chrono::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The repository holding `dir`, if any. Honours `GIT_CEILING_DIRECTORIES` like git does.
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
        .map_err(|e| Error::Git(format!("init in {}: {}", dir.display(), e.message())))
}

fn git_err(e: git2::Error) -> Error {
    Error::Git(e.message().to_string())
}

/// A vault inside a repository.
pub struct VaultRepo {
    pub repo: git2::Repository,
    /// The vault root relative to the repository's working folder ("" at the top).
    pub prefix: PathBuf,
}

impl VaultRepo {
    pub fn open(root: &Path) -> Result<VaultRepo> {
        let repo = match discover(root) {
            Some(r) => r,
            None => {
                // libgit2 may not understand the repository even though git does.
                let is_git = std::process::Command::new("git")
                    .args(["rev-parse", "--git-dir"])
                    .current_dir(root)
                    .output()
                    .is_ok_and(|o| o.status.success());
                return Err(if is_git {
                    Error::GitUnreadable(root.to_path_buf())
                } else {
                    Error::Usage(format!(
                        "{} is not inside a git repository\n  hint: run `git init` (or `kith init`) there first",
                        root.display()
                    ))
                });
            }
        };
        VaultRepo::from_repo(repo, root)
    }

    /// The vault's repository, or `None` when it is in none libgit2 can open
    /// (for features that are extras outside git).
    pub fn try_open(root: &Path) -> Option<VaultRepo> {
        VaultRepo::from_repo(discover(root)?, root).ok()
    }

    fn from_repo(repo: git2::Repository, root: &Path) -> Result<VaultRepo> {
        let workdir = repo
            .workdir()
            .ok_or_else(|| {
                Error::Usage("the repository is bare; kith needs a working tree".into())
            })?
            .canonicalize()
            .map_err(|e| Error::io(root, e))?;
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let prefix = root
            .strip_prefix(&workdir)
            .unwrap_or(Path::new(""))
            .to_path_buf();
        Ok(VaultRepo { repo, prefix })
    }

    /// Repository path of a vault-relative path.
    pub fn repo_path(&self, rel: &Path) -> PathBuf {
        self.prefix.join(rel)
    }

    /// Vault-relative path of a repository path, if it is inside the vault.
    pub fn vault_path(&self, repo_path: &Path) -> Option<PathBuf> {
        repo_path
            .strip_prefix(&self.prefix)
            .ok()
            .map(Path::to_path_buf)
    }

    /// The index git is committing: `GIT_INDEX_FILE` when set (git sets it for
    /// `commit -a` and `commit <paths>`), else the repository's own.
    fn index(&self) -> Result<git2::Index> {
        match std::env::var_os("GIT_INDEX_FILE") {
            Some(p) => {
                let p = PathBuf::from(p);
                let p = if p.is_absolute() {
                    p
                } else {
                    // Relative to the repository's top folder, as git runs hooks there.
                    self.repo.workdir().map_or(p.clone(), |w| w.join(&p))
                };
                git2::Index::open(&p).map_err(git_err)
            }
            None => self.repo.index().map_err(git_err),
        }
    }

    /// The staged content of every note added or modified by the commit being
    /// made: (vault-relative path, bytes of the index blob). A staged symlink
    /// is not note text: one pointing at another note in the index is that
    /// note (judged on its own account), one pointing elsewhere is read
    /// through the link in the working tree.
    pub fn staged_notes(&self, root: &Path) -> Result<Staged> {
        let index = self.index()?;
        let head_tree = self.repo.head().ok().and_then(|h| h.peel_to_tree().ok());
        let diff = self
            .repo
            .diff_tree_to_index(head_tree.as_ref(), Some(&index), None)
            .map_err(git_err)?;
        let mut out = Staged::default();
        for d in diff.deltas() {
            if matches!(d.status(), git2::Delta::Deleted) {
                continue;
            }
            let file = d.new_file();
            let Some(p) = file.path() else { continue };
            let Some(rel) = self.vault_path(p) else {
                continue;
            };
            if rel == Path::new(".kith/config.yaml") {
                let blob = self.repo.find_blob(file.id()).map_err(git_err)?;
                out.config = Some(blob.content().to_vec());
                continue;
            }
            if !crate::vault::is_note_path(&rel) {
                continue;
            }
            let blob = self.repo.find_blob(file.id()).map_err(git_err)?;
            if file.mode() == git2::FileMode::Link {
                if let Some(b) =
                    self.symlinked_note(root, &index, p, &rel, blob.content(), &mut out.warnings)
                {
                    out.notes.push((rel, b));
                }
                continue;
            }
            out.notes.push((rel, blob.content().to_vec()));
        }
        Ok(out)
    }

    /// What to check for a staged symlink `p` (repository path) whose blob is
    /// its target: nothing when it points at a note in the index, else the
    /// file it points at in the working tree.
    fn symlinked_note(
        &self,
        root: &Path,
        index: &git2::Index,
        p: &Path,
        rel: &Path,
        target: &[u8],
        warnings: &mut Vec<crate::diag::Diagnostic>,
    ) -> Option<Vec<u8>> {
        let target = PathBuf::from(String::from_utf8_lossy(target).into_owned());
        if let Some(resolved) = normalize(&p.parent().unwrap_or(Path::new("")).join(&target))
            && let Some(entry) = index.get_path(&resolved, 0)
        {
            // Only a note of this vault is checked on its own account; any
            // other staged file (outside the vault, or not a note path) is
            // never checked there, so its staged text is checked as this note.
            if self.is_vault_note(&resolved) {
                return None;
            }
            if entry.mode != 0o120000 {
                return self
                    .repo
                    .find_blob(entry.id)
                    .ok()
                    .map(|b| b.content().to_vec());
            }
        }
        match std::fs::metadata(root.join(rel)) {
            Ok(m) if m.is_file() => std::fs::read(root.join(rel)).ok(),
            _ => {
                warnings.push(
                    crate::diag::Diagnostic::warning(
                        rel,
                        1,
                        1,
                        format!(
                            "a symlink to {} that is neither in the repository nor a readable file; not checked",
                            target.display()
                        ),
                    )
                    .hint("point it at a note, or commit the note itself"),
                );
                None
            }
        }
    }

    /// Every note in the index being committed except `skip` (vault-relative
    /// path, blob bytes); symlinks are left out, as they are the note they
    /// point at. This is the staged state of the whole vault.
    pub fn index_notes(
        &self,
        skip: &std::collections::HashSet<&PathBuf>,
    ) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let index = self.index()?;
        let mut out = Vec::new();
        for e in index.iter() {
            let p = PathBuf::from(String::from_utf8_lossy(&e.path).into_owned());
            let mut id = e.id;
            if e.mode == 0o120000 {
                // A link to a note of the vault is that note; a link to any
                // other staged file is a person of its own, with that text.
                let Ok(link) = self.repo.find_blob(e.id) else {
                    continue;
                };
                let target = PathBuf::from(String::from_utf8_lossy(link.content()).into_owned());
                match normalize(&p.parent().unwrap_or(Path::new("")).join(&target)) {
                    Some(resolved) if !self.is_vault_note(&resolved) => {
                        match index.get_path(&resolved, 0) {
                            Some(t) if t.mode != 0o120000 => id = t.id,
                            _ => continue,
                        }
                    }
                    _ => continue,
                }
            }
            let Some(rel) = self.vault_path(&p) else {
                continue;
            };
            if !crate::vault::is_note_path(&rel) || skip.contains(&rel) {
                continue;
            }
            let blob = self.repo.find_blob(id).map_err(git_err)?;
            out.push((rel, blob.content().to_vec()));
        }
        Ok(out)
    }

    /// Is this repository path a note of the vault?
    fn is_vault_note(&self, repo_path: &Path) -> bool {
        self.vault_path(repo_path)
            .is_some_and(|rel| crate::vault::is_note_path(&rel))
    }

    fn hooks_dir(&self) -> Result<PathBuf> {
        let cfg = self.repo.config().map_err(git_err)?;
        if let Ok(p) = cfg.get_path("core.hooksPath") {
            let base = self.repo.workdir().unwrap_or(self.repo.path());
            return Ok(if p.is_absolute() { p } else { base.join(p) });
        }
        Ok(self.repo.path().join("hooks"))
    }
}

/// Why `--commit` did not commit a note it had written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCommitted {
    pub why: String,
    pub hint: String,
}

/// Commits exactly `paths` (relative to the vault `root`) with `message`,
/// leaving anything else that is staged out of the commit.
///
/// This runs the `git` command, not libgit2, so the commit goes through the
/// same checks as one made from the shell: the pre-commit hook (kith's own
/// and the user's), commit-msg, signing, the user's identity. `git commit
/// -- PATHS` commits only those paths whatever else is staged.
pub fn commit_paths(
    root: &Path,
    paths: &[PathBuf],
    message: &str,
) -> std::result::Result<(), NotCommitted> {
    let git = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .stdin(std::process::Stdio::null())
            .output()
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let inside =
        git(&[os("rev-parse"), os("--is-inside-work-tree")]).map_err(|e| NotCommitted {
            why: format!("the git command could not run ({e})"),
            hint: "install git, then `git add` and `git commit` the note yourself".into(),
        })?;
    if !inside.status.success() || String::from_utf8_lossy(&inside.stdout).trim() != "true" {
        return Err(NotCommitted {
            // `--vault .` made the root `/home/me/people/.`: show it as typed paths read.
            why: format!(
                "{} is not inside a git repository",
                root.components()
                    .filter(|c| !matches!(c, std::path::Component::CurDir))
                    .collect::<PathBuf>()
                    .display()
            ),
            hint: "run `git init` there (`kith init` does it for a new vault), then `git add -A && git commit`".into(),
        });
    }
    let config = |key: &'static str| {
        git(&[os("config"), os("--get"), os(key)]).is_ok_and(|o| {
            o.status.success() && !String::from_utf8_lossy(&o.stdout).trim().is_empty()
        })
    };
    let env = |keys: &[&str]| {
        keys.iter()
            .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()))
    };
    let name = env(&["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"]) || config("user.name");
    let email = env(&["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL", "EMAIL"]) || config("user.email");
    if !name || !email {
        let missing = match (name, email) {
            (false, false) => "user.name and user.email are",
            (false, true) => "user.name is",
            _ => "user.email is",
        };
        return Err(NotCommitted {
            why: format!("git does not know who you are ({missing} not set)"),
            hint: "git config --global user.name \"Your Name\" && git config --global user.email you@example.com, then `git commit` the note".into(),
        });
    }
    let mut add: Vec<&std::ffi::OsStr> = vec![os("add"), os("--")];
    add.extend(paths.iter().map(|p| p.as_os_str()));
    let failed = |what: &str, o: &std::process::Output| {
        let said = String::from_utf8_lossy(&o.stderr);
        let said: Vec<&str> = said
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .collect();
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(":\n    {}", said.join("\n    "))
        };
        NotCommitted {
            why: format!("{what}{said}"),
            hint: format!(
                "fix what git said, then `git commit -- {}`",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    };
    // What the index held for these paths before we staged them: a refused
    // commit puts it back, so the user's index is as they left it.
    let mut ls: Vec<&std::ffi::OsStr> = vec![
        os("ls-files"),
        os("-s"),
        os("-z"),
        os("--full-name"),
        os("--"),
    ];
    ls.extend(paths.iter().map(|p| p.as_os_str()));
    let before = git(&ls)
        .ok()
        .filter(|o| o.status.success())
        .map(|o| o.stdout);
    let out = git(&add).map_err(|e| NotCommitted {
        why: format!("git add could not run ({e})"),
        hint: "`git add` and `git commit` the note yourself".into(),
    })?;
    if !out.status.success() {
        return Err(failed("`git add` failed", &out));
    }
    let mut commit: Vec<&std::ffi::OsStr> = vec![
        os("commit"),
        os("--quiet"),
        os("-m"),
        std::ffi::OsStr::new(message),
        os("--"),
    ];
    commit.extend(paths.iter().map(|p| p.as_os_str()));
    let out = git(&commit).map_err(|e| NotCommitted {
        why: format!("git commit could not run ({e})"),
        hint: "`git commit` the note yourself".into(),
    })?;
    if !out.status.success() {
        let mut n = failed("`git commit` refused (a hook or git itself)", &out);
        if !unstage(root, paths, before.as_deref()) {
            n.why.push_str("\n    (the note is left staged)");
        }
        return Err(n);
    }
    Ok(())
}

/// Puts the index entries of `paths` back to `before` (`git ls-files -s -z
/// --full-name` output: `--index-info` reads paths from the top of the
/// repository, whatever folder the vault is): entries that were there are restored, paths that were not are
/// taken out of the index again (the file stays). False if it could not.
fn unstage(root: &Path, paths: &[PathBuf], before: Option<&[u8]>) -> bool {
    use std::io::Write;
    let Some(before) = before else { return false };
    let mut rm = std::process::Command::new("git");
    rm.args(["rm", "--cached", "--quiet", "--ignore-unmatch", "--"])
        .args(paths)
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if !rm.status().is_ok_and(|s| s.success()) {
        return false;
    }
    if before.is_empty() {
        return true;
    }
    let child = std::process::Command::new("git")
        .args(["update-index", "-z", "--index-info"])
        .current_dir(root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    let wrote = child
        .stdin
        .take()
        .is_some_and(|mut i| i.write_all(before).is_ok());
    child.wait().is_ok_and(|s| s.success()) && wrote
}

/// A commit message's subject: one line, at most `max` characters, `…` when cut.
pub fn subject(s: &str, max: usize) -> String {
    let line = s
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= max {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// What the commit being made stages, as the hook needs it.
#[derive(Default)]
pub struct Staged {
    /// Notes added or modified: vault-relative path and content.
    pub notes: Vec<(PathBuf, Vec<u8>)>,
    /// The staged `.kith/config.yaml`, when the commit changes it.
    pub config: Option<Vec<u8>>,
    pub warnings: Vec<crate::diag::Diagnostic>,
}

/// `a/./b/../c` → `a/c`; `None` when it climbs above its start.
fn normalize(p: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The git hooks kith installs: `git merge` runs `pre-merge-commit`, not
/// `pre-commit`, so both are needed to keep bad notes out of history.
pub const HOOKS: &[&str] = &["pre-commit", "pre-merge-commit"];

const HOOK_MARK: &str = "(installed by `kith hook install`; safe to edit around)";

/// What `install_hook` did, for one hook.
#[derive(Debug, PartialEq, Eq)]
pub enum HookInstall {
    Installed(PathBuf),
    AlreadyInstalled(PathBuf),
    /// Installed, and the existing hook was kept and is run first. The flag
    /// says the kept hook is not executable (so commits stop until fixed).
    Chained(PathBuf, PathBuf, bool),
    /// Already installed, with lines the user added around it: left as is.
    KeptEdited(PathBuf),
    /// A hook kith installed once, edited so that it no longer holds this
    /// kith's script: kept under the second name, and the new one installed.
    ReplacedEdited(PathBuf, PathBuf),
}

/// The hook script. Nothing from the vault's path is pasted into shell code
/// unquoted: the subfolder is one single-quoted word (its raw bytes, so a
/// folder name that is not UTF-8 is still the same folder), the top folder is
/// found when the hook runs (keeping any newline at the end of its name,
/// which `$(...)` would strip).
pub fn hook_script(hook: &str, kith_exe: &Path, prefix: &Path) -> Vec<u8> {
    let vault_arg = if prefix.as_os_str().is_empty() {
        b"\"$top\"".to_vec()
    } else {
        [
            b"\"$top\"/".as_slice(),
            &shell_quote_bytes(&os_bytes(prefix)),
        ]
        .concat()
    };
    let head = format!(
        "#!/bin/sh\n\
         # kith {hook} hook {HOOK_MARK}\n\
         chained=\"$(dirname \"$0\")/{hook}.kith-chained\"\n\
         if [ -e \"$chained\" ]; then\n\
         \x20 if [ ! -x \"$chained\" ]; then\n\
         \x20   echo \"kith: your earlier {hook} hook, $chained, is not executable, so it cannot run; kith stops here rather than skip it\" >&2\n\
         \x20   echo \"  hint: make it executable (chmod +x) to run it first again, or delete it if it is no longer wanted\" >&2\n\
         \x20   exit 1\n\
         \x20 fi\n\
         \x20 \"$chained\" \"$@\" || exit $?\n\
         fi\n\
         top=$(git rev-parse --show-toplevel && echo .) || exit 1\n\
         top=${{top%??}}\n\
         kith="
    );
    [
        head.as_bytes(),
        &shell_quote_bytes(&os_bytes(kith_exe)),
        b"\n[ -x \"$kith\" ] || kith=kith\nexec \"$kith\" --vault ",
        &vault_arg,
        format!(" hook run {hook}\n").as_bytes(),
    ]
    .concat()
}

fn os_bytes(p: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy().into_owned().into_bytes()
    }
}

fn has_mark(text: &[u8]) -> bool {
    let mark = HOOK_MARK.as_bytes();
    text.windows(mark.len()).any(|w| w == mark)
}

/// Does an edited hook still hold every line of kith's script (the user
/// only added lines around it)?
fn holds_every_line(existing: &[u8], script: &[u8]) -> bool {
    let have: HashSet<&[u8]> = existing.split(|b| *b == b'\n').collect();
    script
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .all(|l| have.contains(l))
}

/// Installs the pre-commit and pre-merge-commit hooks (respecting
/// `core.hooksPath`). An existing hook is kept and run first; installing
/// twice changes nothing.
pub fn install_hook(root: &Path, kith_exe: &Path) -> Result<Vec<HookInstall>> {
    let vr = VaultRepo::open(root)?;
    let dir = vr.hooks_dir()?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    // Refuse before touching anything, so a refusal leaves both hooks as they were.
    for name in HOOKS {
        let hook = dir.join(name);
        let keep = dir.join(format!("{name}.kith-chained"));
        let ours = std::fs::read(&hook).is_ok_and(|t| has_mark(&t));
        if hook.exists() && !ours && keep.exists() {
            return Err(Error::Refused(format!(
                "{} exists and so does {}; kith will not overwrite either\n  hint: merge them by hand, then run `kith hook install` again",
                hook.display(),
                keep.display()
            )));
        }
    }
    let mut done = Vec::new();
    for name in HOOKS {
        let hook = dir.join(name);
        let script = hook_script(name, kith_exe, &vr.prefix);
        let mut chained = None;
        let mut edited = None;
        if std::fs::symlink_metadata(&hook).is_ok() {
            let existing = std::fs::read(&hook).unwrap_or_default();
            if has_mark(&existing) {
                if existing == script {
                    done.push(HookInstall::AlreadyInstalled(hook));
                    continue;
                }
                // The mark says "safe to edit around": lines the user added
                // are kept, never silently dropped by a second install.
                if holds_every_line(&existing, &script) {
                    done.push(HookInstall::KeptEdited(hook));
                    continue;
                }
                let old = dir.join(format!("{name}.kith-old"));
                if std::fs::symlink_metadata(&old).is_ok() {
                    return Err(Error::Refused(format!(
                        "{} was edited and differs from the hook this kith installs, and {} exists already; kith will not overwrite either\n  hint: merge your edits by hand, delete {}, then run `kith hook install` again",
                        hook.display(),
                        old.display(),
                        old.display()
                    )));
                }
                std::fs::rename(&hook, &old).map_err(|e| Error::io(&hook, e))?;
                edited = Some(old);
            } else {
                let keep = dir.join(format!("{name}.kith-chained"));
                std::fs::rename(&hook, &keep).map_err(|e| Error::io(&hook, e))?;
                let runnable = is_executable(&keep);
                chained = Some((keep, runnable));
            }
        }
        crate::write::write_if_changed(&hook, &script)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| Error::io(&hook, e))?;
        }
        done.push(match (chained, edited) {
            (Some((k, runnable)), _) => HookInstall::Chained(hook, k, !runnable),
            (None, Some(old)) => HookInstall::ReplacedEdited(hook, old),
            (None, None) => HookInstall::Installed(hook),
        });
    }
    Ok(done)
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.exists()
    }
}

/// One word for `/bin/sh`: single quotes, each `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// [`shell_quote`] on raw bytes (a path need not be UTF-8).
pub fn shell_quote_bytes(s: &[u8]) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in s {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// One commit in a person's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub commit: String,
    pub date: String,
    pub author: String,
    pub message: String,
    /// The note's path at that commit (vault-relative).
    pub path: PathBuf,
    /// Lines the commit added to the note (log lines first).
    pub added: Vec<String>,
}

fn commit_date(c: &git2::Commit) -> String {
    let t = c.time();
    chrono::FixedOffset::east_opt(t.offset_minutes() * 60)
        .and_then(|tz| tz.timestamp_opt(t.seconds(), 0).single())
        .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

fn added_lines(repo: &git2::Repository, old: Option<git2::Oid>, new: git2::Oid) -> Vec<String> {
    let (Ok(new_blob), old_blob) = (
        repo.find_blob(new),
        old.and_then(|o| repo.find_blob(o).ok()),
    ) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let Some(old_blob) = old_blob else {
        // A new note: every line is added.
        return String::from_utf8_lossy(new_blob.content())
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim_end().to_string())
            .collect();
    };
    if let Ok(patch) = git2::Patch::from_blobs(&old_blob, None, &new_blob, None, None) {
        for h in 0..patch.num_hunks() {
            let n = patch.num_lines_in_hunk(h).unwrap_or(0);
            for l in 0..n {
                if let Ok(line) = patch.line_in_hunk(h, l)
                    && line.origin() == '+'
                {
                    let t = String::from_utf8_lossy(line.content())
                        .trim_end()
                        .to_string();
                    if !t.trim().is_empty() {
                        lines.push(t);
                    }
                }
            }
        }
    }
    // Log lines first: dated headings and the text under them.
    let dated = |l: &String| crate::date::leading_date(l.trim_start_matches('#').trim()).is_some();
    let mut out: Vec<String> = lines.iter().filter(|l| dated(l)).cloned().collect();
    out.extend(lines.into_iter().filter(|l| !dated(l)));
    out
}

impl VaultRepo {
    /// The commits that touched a note, newest first, following renames —
    /// one walk of the history.
    pub fn history(&self, rel: &Path) -> Result<Vec<HistoryEntry>> {
        let repo = &self.repo;
        let mut walk = repo.revwalk().map_err(git_err)?;
        if walk.push_head().is_err() {
            return Ok(Vec::new());
        }
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
            .map_err(git_err)?;
        let mut path = self.repo_path(rel);
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(git_err)?;
            let c = repo.find_commit(oid).map_err(git_err)?;
            let tree = c.tree().map_err(git_err)?;
            let Ok(entry) = tree.get_path(&path) else {
                continue;
            };
            let parent_tree = c.parent(0).ok().and_then(|p| p.tree().ok());
            let before = parent_tree
                .as_ref()
                .and_then(|t| t.get_path(&path).ok())
                .map(|e| e.id());
            if before == Some(entry.id()) {
                continue;
            }
            let mut old_id = before;
            let mut renamed_from = None;
            if before.is_none()
                && let Some(pt) = &parent_tree
            {
                // Added here, or renamed from somewhere: ask a diff with rename detection.
                let mut diff = repo
                    .diff_tree_to_tree(Some(pt), Some(&tree), None)
                    .map_err(git_err)?;
                let mut opts = git2::DiffFindOptions::new();
                opts.renames(true);
                diff.find_similar(Some(&mut opts)).map_err(git_err)?;
                for d in diff.deltas() {
                    if d.status() == git2::Delta::Renamed
                        && d.new_file().path() == Some(path.as_path())
                    {
                        renamed_from = d.old_file().path().map(Path::to_path_buf);
                        old_id = Some(d.old_file().id());
                    }
                }
            }
            out.push(HistoryEntry {
                commit: oid.to_string()[..10].to_string(),
                date: commit_date(&c),
                author: c.author().name().unwrap_or("").to_string(),
                message: c.summary().ok().flatten().unwrap_or("").to_string(),
                path: self.vault_path(&path).unwrap_or_else(|| path.clone()),
                added: added_lines(repo, old_id, entry.id()),
            });
            if let Some(from) = renamed_from {
                path = from;
            }
        }
        Ok(out)
    }
}

/// The last commit that changed a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastCommit {
    pub commit: String,
    pub date: String,
    pub message: String,
}

/// What `.kith/cache/git-last-commits.json` holds: valid while HEAD and the
/// vault's place in the repository are the same.
#[derive(Serialize, Deserialize)]
struct LastCommitCache {
    head: String,
    prefix: PathBuf,
    notes: HashMap<PathBuf, LastCommit>,
}

impl VaultRepo {
    /// For every note committed at HEAD (vault-relative path), the last commit
    /// that changed it. One walk of the history, first parents only, which
    /// stops once every note is accounted for; the answer is cached in the
    /// vault's cache folder by HEAD, so it is walked again only after HEAD moves.
    pub fn last_commits(&self, root: &Path) -> Result<HashMap<PathBuf, LastCommit>> {
        let Ok(head) = self.repo.head().and_then(|h| h.peel_to_commit()) else {
            return Ok(HashMap::new()); // no commits yet
        };
        let head_id = head.id().to_string();
        let file = crate::vault::cache_dir(root).join("git-last-commits.json");
        // The cache's reader: a FIFO or a link to /dev/zero here must not
        // hang `show`.
        if let Ok(bytes) = crate::vault::read_cache_file(&file)
            && let Ok(c) = serde_json::from_slice::<LastCommitCache>(&bytes)
            && c.head == head_id
            && c.prefix == self.prefix
        {
            return Ok(c.notes);
        }
        let notes = self.walk_last_commits(&head)?;
        let cache = LastCommitCache {
            head: head_id,
            prefix: self.prefix.clone(),
            notes,
        };
        // A cache: failing to save it only costs the next walk.
        if let Ok(json) = serde_json::to_vec(&cache)
            && std::fs::create_dir_all(crate::vault::cache_dir(root)).is_ok()
        {
            // A temporary file of its own (two commands at once never write
            // into one), renamed over whatever is there.
            use std::io::Write;
            if let Ok(mut tmp) = tempfile::Builder::new()
                .prefix(".git-last-commits-")
                .tempfile_in(crate::vault::cache_dir(root))
                && tmp.write_all(&json).is_ok()
            {
                crate::vault::clear_cache_slot(&file);
                let _ = tmp.persist(&file);
            }
        }
        Ok(cache.notes)
    }

    fn walk_last_commits(&self, head: &git2::Commit) -> Result<HashMap<PathBuf, LastCommit>> {
        let repo = &self.repo;
        // The notes at HEAD, by repository path.
        let mut pending: std::collections::HashSet<PathBuf> = Default::default();
        head.tree()
            .map_err(git_err)?
            .walk(git2::TreeWalkMode::PreOrder, |dir, e| {
                if e.kind() == Some(git2::ObjectType::Blob)
                    && let Ok(name) = e.name()
                {
                    let p = Path::new(dir).join(name);
                    if let Some(rel) = self.vault_path(&p)
                        && crate::vault::is_note_path(&rel)
                    {
                        pending.insert(p);
                    }
                }
                git2::TreeWalkResult::Ok
            })
            .map_err(git_err)?;
        let mut out = HashMap::new();
        let mut commit = Some(head.clone());
        let mut opts = git2::DiffOptions::new();
        if !self.prefix.as_os_str().is_empty() {
            opts.pathspec(&self.prefix);
        }
        while let Some(c) = commit {
            if pending.is_empty() {
                break;
            }
            let parent = c.parent(0).ok();
            let parent_tree = parent.as_ref().and_then(|p| p.tree().ok());
            let tree = c.tree().map_err(git_err)?;
            let diff = repo
                .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
                .map_err(git_err)?;
            for d in diff.deltas() {
                let Some(p) = d.new_file().path() else {
                    continue;
                };
                if pending.remove(p)
                    && let Some(rel) = self.vault_path(p)
                {
                    out.insert(
                        rel,
                        LastCommit {
                            commit: c.id().to_string()[..10].to_string(),
                            date: commit_date(&c),
                            message: c.summary().ok().flatten().unwrap_or("").to_string(),
                        },
                    );
                }
            }
            commit = parent;
        }
        Ok(out)
    }
}

/// `kith history` through the git command, for repositories libgit2 cannot open.
pub fn history_cli(root: &Path, rel: &Path) -> Result<Vec<HistoryEntry>> {
    let out = std::process::Command::new("git")
        .args([
            "log",
            "--follow",
            "--date=short",
            "--format=%x1e%H%x1f%ad%x1f%an%x1f%s",
            "-p",
            "--no-color",
            "--",
        ])
        .arg(rel)
        .current_dir(root)
        .output()
        .map_err(|e| Error::Git(format!("cannot run the git command: {e}")))?;
    if !out.status.success() {
        return Err(Error::Git(format!(
            "`git log` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v = Vec::new();
    for rec in text.split('\u{1e}').filter(|r| !r.trim().is_empty()) {
        let (head, patch) = rec.split_once('\n').unwrap_or((rec, ""));
        let f: Vec<&str> = head.split('\u{1f}').collect();
        if f.len() < 4 {
            continue;
        }
        let added = patch
            .lines()
            .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
            .map(|l| l[1..].trim_end().to_string())
            .filter(|l| !l.trim().is_empty())
            .collect();
        v.push(HistoryEntry {
            commit: f[0].chars().take(10).collect(),
            date: f[1].to_string(),
            author: f[2].to_string(),
            message: f[3].to_string(),
            path: rel.to_path_buf(),
            added,
        });
    }
    Ok(v)
}

/// A change to a person's front matter found in history.
#[derive(Debug, Clone, Serialize)]
pub struct NewsItem {
    pub date: String,
    pub commit: String,
    pub name: String,
    pub path: PathBuf,
    pub field: String,
    pub before: String,
    pub after: String,
}

impl VaultRepo {
    /// Changes to people's org, role, location, needs and offers in commits
    /// since `since` (one walk of the history), newest first.
    pub fn news(&self, since: Option<Date>) -> Result<Vec<NewsItem>> {
        let repo = &self.repo;
        let mut walk = repo.revwalk().map_err(git_err)?;
        if walk.push_head().is_err() {
            return Ok(Vec::new());
        }
        walk.set_sorting(git2::Sort::TIME).map_err(git_err)?;
        let since = since.map(|d| d.format("%Y-%m-%d").to_string());
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(git_err)?;
            let c = repo.find_commit(oid).map_err(git_err)?;
            let date = commit_date(&c);
            if since.as_ref().is_some_and(|s| &date < s) {
                break;
            }
            let tree = c.tree().map_err(git_err)?;
            let parent = c.parent(0).ok().and_then(|p| p.tree().ok());
            let mut diff = repo
                .diff_tree_to_tree(parent.as_ref(), Some(&tree), None)
                .map_err(git_err)?;
            let mut opts = git2::DiffFindOptions::new();
            opts.renames(true);
            diff.find_similar(Some(&mut opts)).map_err(git_err)?;
            for d in diff.deltas() {
                if d.status() != git2::Delta::Modified && d.status() != git2::Delta::Renamed {
                    continue;
                }
                let Some(p) = d.new_file().path() else {
                    continue;
                };
                let Some(rel) = self.vault_path(p) else {
                    continue;
                };
                if !crate::vault::is_note_path(&rel) {
                    continue;
                }
                let parse = |id: git2::Oid| {
                    repo.find_blob(id)
                        .ok()
                        .map(|b| note::parse(&rel, b.content()))
                };
                let (Some(old), Some(new)) = (parse(d.old_file().id()), parse(d.new_file().id()))
                else {
                    continue;
                };
                let (Some(po), Some(pn)) = (old.person, new.person) else {
                    continue;
                };
                let mut push = |field: &str, before: String, after: String| {
                    if before != after {
                        out.push(NewsItem {
                            date: date.clone(),
                            commit: oid.to_string()[..10].to_string(),
                            name: pn.name.clone(),
                            path: rel.clone(),
                            field: field.to_string(),
                            before,
                            after,
                        });
                    }
                };
                let opt = |o: &Option<String>| o.clone().unwrap_or_default();
                push("org", opt(&po.org), opt(&pn.org));
                push("role", opt(&po.role), opt(&pn.role));
                push("location", opt(&po.location), opt(&pn.location));
                for (field, a, b) in [
                    ("needs", &po.needs, &pn.needs),
                    ("offers", &po.offers, &pn.offers),
                ] {
                    let added: Vec<&String> = b.iter().filter(|x| !a.contains(x)).collect();
                    let gone: Vec<&String> = a.iter().filter(|x| !b.contains(x)).collect();
                    if !added.is_empty() || !gone.is_empty() {
                        push(
                            field,
                            gone.iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join("; "),
                            added
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join("; "),
                        );
                    }
                }
            }
        }
        Ok(out)
    }
}
