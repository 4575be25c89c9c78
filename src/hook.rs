//! The pre-commit hook: checks the **staged** notes (the blobs in git's index,
//! not the working tree), the duplicates the commit would bring into the vault,
//! and runs the trusted plugins registered for `pre-commit`.

use crate::date::Date;
use crate::diag::Diagnostic;
use crate::error::Result;
use crate::git::{VaultRepo, keys_of};
use crate::index::Index;
use crate::note::{self, Note};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Every finding about the commit being made; errors block it.
pub fn pre_commit(root: &Path, as_of: Date) -> Result<Vec<Diagnostic>> {
    let vr = VaultRepo::open(root)?;
    let staged: Vec<Note> = vr
        .staged_notes()?
        .into_iter()
        .map(|(rel, bytes)| note::parse(&rel, &bytes))
        .collect();
    let mut diags: Vec<Diagnostic> = staged
        .iter()
        .flat_map(|n| n.diagnostics.iter().cloned())
        .collect();
    if staged.is_empty() {
        return Ok(diags);
    }
    diags.extend(duplicates(root, &staged)?);
    let (config, _) = crate::config::Config::load(root);
    let refs: Vec<&Note> = staged.iter().collect();
    diags.extend(crate::plugin::run_hook(root, "pre-commit", as_of, &config, &refs).diagnostics);
    crate::diag::sort(&mut diags);
    Ok(diags)
}

/// Names, aliases and emails of staged person notes that another note already
/// has: among the staged notes, and against the rest of the vault, taken from
/// the search index (synced first) rather than parsed again.
fn duplicates(root: &Path, staged: &[Note]) -> Result<Vec<Diagnostic>> {
    let staged_paths: HashSet<&PathBuf> = staged.iter().map(|n| &n.path).collect();
    let mut seen: HashMap<String, &Note> = HashMap::new();
    let mut out = Vec::new();
    let index = Index::open_synced(root, false).ok().map(|(i, _)| i);
    for n in staged {
        let Some(p) = &n.person else { continue };
        for key in keys_of(p) {
            let (field, what, shown) = describe(&key, p);
            let (line, col) = n.front.as_ref().map_or((1, 1), |f| f.pos(field));
            let mut other: Option<String> = seen.get(&key).map(|o| o.path.display().to_string());
            if other.is_none()
                && let Some(idx) = &index
            {
                other = idx
                    .paths_with_key(&key)?
                    .into_iter()
                    .find(|q| !staged_paths.contains(q))
                    .map(|q| q.display().to_string());
            }
            match other {
                Some(o) => out.push(
                    Diagnostic::error(
                        &n.path,
                        line,
                        col,
                        format!("duplicate {what} `{shown}`: {o} has it too"),
                    )
                    .hint("merge the two notes, or tell them apart with a distinct name or alias"),
                ),
                None => {
                    seen.insert(key, n);
                }
            }
        }
    }
    Ok(out)
}

fn describe(key: &str, p: &crate::model::Person) -> (&'static str, &'static str, String) {
    if let Some(e) = key.strip_prefix("e:") {
        let shown = p
            .emails
            .iter()
            .find(|x| x.to_lowercase() == e)
            .cloned()
            .unwrap_or(e.to_string());
        ("emails", "email", shown)
    } else {
        let k = key.trim_start_matches("n:");
        if crate::text::fold(&p.name) == k {
            ("name", "name", p.name.clone())
        } else {
            let shown = p
                .aliases
                .iter()
                .find(|a| crate::text::fold(a) == k)
                .cloned()
                .unwrap_or(k.to_string());
            ("aliases", "name", shown)
        }
    }
}
