//! `kith check [PATH…]`

use crate::cli::CheckArgs;
use crate::ctx::{Ctx, emit, emit_json};
use crate::diag::Diagnostic;
use crate::error::{Result, exit};
use std::path::{Path, PathBuf};

pub fn run(ctx: &Ctx, args: &CheckArgs) -> Result<u8> {
    let root = ctx.root()?;
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
    let diags: Vec<Diagnostic> = all
        .into_iter()
        .filter(|d| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|f| f.as_os_str().is_empty() || d.path.starts_with(f))
        })
        .collect();
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
        eprintln!(
            "{} notes checked: {errors} error{}, {warnings} warning{}",
            vault.notes.len(),
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
    Ok(if errors > 0 { exit::PROBLEMS } else { exit::OK })
}
