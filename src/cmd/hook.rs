//! `kith hook install` and `kith hook run pre-commit|pre-merge-commit [FILE...]`.

use crate::ctx::{Ctx, emit, emit_json};
use crate::diag::Diagnostic;
use crate::error::{Error, Result, exit};
use crate::git::HookInstall;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Install the git pre-commit and pre-merge-commit hooks (respects core.hooksPath, keeps an existing hook).
    Install,
    /// Run a hook now (git runs `kith hook run pre-commit` for you).
    Run {
        /// The hook: pre-commit or pre-merge-commit (the same checks).
        hook: String,
        /// Check exactly these files, as they are on disk, instead of the
        /// staged notes (what the pre-commit framework passes). Without
        /// `--vault`, each file's vault is the nearest folder above it holding `.kith/`.
        files: Vec<PathBuf>,
    },
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    match &args.action {
        Action::Install => {
            let root = ctx.root()?;
            let exe = std::env::current_exe().map_err(|e| Error::io("kith", e))?;
            let mut msg = String::new();
            for done in crate::git::install_hook(&root, &exe)? {
                msg.push_str(&match done {
                    HookInstall::Installed(p) => format!("installed {}\n", p.display()),
                    HookInstall::AlreadyInstalled(p) => {
                        format!("{} is already installed; nothing to do\n", p.display())
                    }
                    HookInstall::Chained(p, old, false) => format!(
                        "installed {}; your existing hook was kept as {} and still runs first\n",
                        p.display(),
                        old.display()
                    ),
                    HookInstall::KeptEdited(p) => format!(
                        "{} is already installed, with lines you added; left as it is\n",
                        p.display()
                    ),
                    HookInstall::ReplacedEdited(p, old) => format!(
                        "installed {}; your edited copy of kith's earlier hook no longer matched it and was kept as {}\n",
                        p.display(),
                        old.display()
                    ),
                    HookInstall::Chained(p, old, true) => format!(
                        "installed {}; your existing hook was kept as {} but it is not executable, so commits stop until you `chmod +x` it (or delete it)\n",
                        p.display(),
                        old.display()
                    ),
                });
            }
            emit(&msg)?;
            Ok(exit::OK)
        }
        Action::Run { hook, files } if crate::git::HOOKS.contains(&hook.as_str()) => {
            let groups = vaults_for(ctx, files)?;
            if groups.is_empty() {
                eprintln!(
                    "kith: none of the {} files given is inside a kith vault (a folder holding .kith/); nothing to check",
                    files.len()
                );
                return Ok(exit::OK);
            }
            let mut all: Vec<(PathBuf, Diagnostic)> = Vec::new();
            for (root, rels) in &groups {
                let diags = crate::hook::pre_commit(root, ctx.today(), rels.as_deref())?;
                all.extend(diags.into_iter().map(|d| (root.clone(), d)));
            }
            let errors = all.iter().filter(|(_, d)| d.is_error()).count();
            if ctx.json {
                let v: Vec<&Diagnostic> = all.iter().map(|(_, d)| d).collect();
                emit_json(&v)?;
            } else {
                for (root, d) in &all {
                    eprintln!("{}", d.render(&ctx.shown(root, &d.path), ctx.color));
                }
                if errors > 0 {
                    let what = if hook == "pre-merge-commit" {
                        "merge"
                    } else {
                        "commit"
                    };
                    eprintln!(
                        "kith: {what} blocked by {errors} error{} in the notes checked (fix them and `git add` again; `--no-verify` skips this check)",
                        if errors == 1 { "" } else { "s" }
                    );
                }
            }
            Ok(if errors > 0 { exit::PROBLEMS } else { exit::OK })
        }
        Action::Run { hook, .. } => Err(Error::Usage(format!(
            "unknown hook `{hook}`; kith runs {}",
            crate::git::HOOKS.join(", ")
        ))),
    }
}

/// Which vault(s) to check, with the vault-relative files for each (`None`:
/// the staged notes). Without files, the vault is found as for any command;
/// with files and no `--vault`, each file belongs to the nearest folder above
/// it holding `.kith/` — so a vault in a subfolder needs no `--vault` under
/// the pre-commit framework. Files in no vault are not notes; they are skipped.
fn vaults_for(ctx: &Ctx, files: &[PathBuf]) -> Result<Vec<(PathBuf, Option<Vec<PathBuf>>)>> {
    if files.is_empty() {
        return Ok(vec![(ctx.root()?, None)]);
    }
    let mut groups: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let explicit = match ctx.vault_arg() {
        Some(_) => Some(ctx.root()?),
        None => None,
    };
    for f in files {
        let full = ctx.cwd.join(f);
        let root = match &explicit {
            Some(r) => Some(r.clone()),
            None => full
                .ancestors()
                .skip(1)
                .find(|a| a.join(".kith").is_dir())
                .map(Path::to_path_buf),
        };
        let Some(root) = root else { continue };
        let rel = full
            .strip_prefix(&root)
            .ok()
            .map(Path::to_path_buf)
            .or_else(|| {
                let (f, r) = (full.canonicalize().ok()?, root.canonicalize().ok()?);
                f.strip_prefix(r).ok().map(Path::to_path_buf)
            });
        let Some(rel) = rel else { continue };
        let rel: PathBuf = rel
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        groups.entry(root).or_default().push(rel);
    }
    Ok(groups.into_iter().map(|(r, f)| (r, Some(f))).collect())
}
