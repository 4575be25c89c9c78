//! `kith check [PATH…]`

use crate::ctx::{Ctx, emit, emit_json};
use crate::diag::Diagnostic;
use crate::error::{Result, exit};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only report on these notes or folders (the whole vault is still read).
    pub paths: Vec<PathBuf>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let root = ctx.root()?;
    // A path that names nothing is a mistake, not "0 errors".
    for p in &args.paths {
        let abs = if p.is_absolute() {
            p.clone()
        } else {
            ctx.cwd.join(p)
        };
        if !abs.exists() {
            return Err(crate::error::Error::Usage(format!(
                "no such note or folder: {}\n  hint: give a note's path (relative to the working folder), or no path to check the whole vault",
                p.display()
            )));
        }
    }
    let vault = crate::store::load(&root)?;
    let filters: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| {
            let abs = if p.is_absolute() {
                p.clone()
            } else {
                ctx.cwd.join(p)
            };
            let abs = abs.canonicalize().unwrap_or(abs);
            let root = root.canonicalize().unwrap_or(root.clone());
            abs.strip_prefix(&root).map_or(p.clone(), Path::to_path_buf)
        })
        .collect();
    let mut all = vault.all_diagnostics();
    // Plugins see whole notes; the model keeps entry texts on disk, so
    // parse again only when some plugin serves `check`.
    let full = if crate::plugin::serves(&root, "check") {
        vault.full_notes(&(0..vault.notes.len()).collect::<Vec<_>>())
    } else {
        Vec::new()
    };
    let notes: Vec<&crate::note::Note> = full.iter().collect();
    all.extend(
        crate::plugin::run_hook(&root, "check", ctx.today(), &vault.config, &notes).diagnostics,
    );
    crate::diag::sort(&mut all);
    let in_scope = |rel: &Path| {
        filters.is_empty()
            || filters
                .iter()
                .any(|f| f.as_os_str().is_empty() || rel.starts_with(f))
    };
    let diags: Vec<Diagnostic> = all.into_iter().filter(|d| in_scope(&d.path)).collect();
    // The summary counts what was asked about: the notes under the paths given.
    let checked = vault.notes.iter().filter(|n| in_scope(&n.path)).count();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if ctx.json {
        emit_json(&diags)?;
    } else {
        let mut out = String::new();
        for d in &diags {
            out.push_str(&d.render(&ctx.shown(&vault.root, &d.path), ctx.color));
            out.push('\n');
        }
        emit(&out)?;
        use crate::text::plural;
        crate::ctx::eprint_line(&format!(
            "{} checked: {}, {}",
            plural(checked, "note"),
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
    }
    Ok(if errors > 0 { exit::PROBLEMS } else { exit::OK })
}
