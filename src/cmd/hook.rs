//! `kith hook install` and `kith hook run pre-commit`.

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Error, Result, exit};
use crate::git::HookInstall;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Install the git pre-commit hook (respects core.hooksPath, keeps an existing hook).
    Install,
    /// Run a hook now (git runs `kith hook run pre-commit` for you).
    Run {
        /// The hook: pre-commit.
        hook: String,
    },
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let root = ctx.root()?;
    match &args.action {
        Action::Install => {
            let exe = std::env::current_exe().map_err(|e| Error::io("kith", e))?;
            let msg = match crate::git::install_hook(&root, &exe)? {
                HookInstall::Installed(p) => format!("installed {}\n", p.display()),
                HookInstall::AlreadyInstalled(p) => {
                    format!("{} is already installed; nothing to do\n", p.display())
                }
                HookInstall::Chained(p, old) => format!(
                    "installed {}; your existing hook was kept as {} and still runs first\n",
                    p.display(),
                    old.display()
                ),
            };
            emit(&msg)?;
            Ok(exit::OK)
        }
        Action::Run { hook } if hook == "pre-commit" => {
            let diags = crate::hook::pre_commit(&root, ctx.today())?;
            let errors = diags.iter().filter(|d| d.is_error()).count();
            if ctx.json {
                emit_json(&diags)?;
            } else {
                for d in &diags {
                    eprintln!("{}", d.render(&ctx.shown(&root, &d.path), ctx.color));
                }
                if errors > 0 {
                    eprintln!(
                        "kith: commit blocked by {errors} error{} in the staged notes (fix them and `git add` again; `git commit --no-verify` skips this check)",
                        if errors == 1 { "" } else { "s" }
                    );
                }
            }
            Ok(if errors > 0 { exit::PROBLEMS } else { exit::OK })
        }
        Action::Run { hook } => Err(Error::Usage(format!(
            "unknown hook `{hook}`; kith runs `pre-commit`"
        ))),
    }
}
