//! The pre-commit (and pre-merge-commit) hook: checks the **staged** notes
//! (the blobs in git's index, not the working tree) or, under the pre-commit
//! framework, exactly the files it names; a staged `.kith/config.yaml`; the
//! duplicates the commit would bring into the vault, judged against the
//! staged state of every other note; and runs the trusted plugins registered
//! for `pre-commit`.

use crate::date::Date;
use crate::diag::Diagnostic;
use crate::error::Result;
use crate::git::VaultRepo;
use crate::identity;
use crate::note::{self, Note};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Every finding about the commit being made; errors block it. `files`
/// (vault-relative) are the files the pre-commit framework passed: then
/// exactly those are checked, as they are in the working tree (the
/// framework stashes what is not staged); else the staged notes.
pub fn pre_commit(root: &Path, as_of: Date, files: Option<&[PathBuf]>) -> Result<Vec<Diagnostic>> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let config_rel = Path::new(".kith/config.yaml");
    let mut config_text: Option<Vec<u8>> = None;
    let (vr, checked): (Option<VaultRepo>, Vec<Note>) = match files {
        None => {
            let vr = VaultRepo::open(root)?;
            let staged = vr.staged_notes(root)?;
            diags.extend(staged.warnings);
            config_text = staged.config;
            let notes = staged
                .notes
                .par_iter()
                .map(|(rel, bytes)| note::parse(rel, bytes))
                .collect();
            (Some(vr), notes)
        }
        Some(files) => {
            let mut notes = Vec::new();
            for rel in files {
                let is_config = rel == config_rel;
                if !is_config && !crate::vault::is_note_path(rel) {
                    continue;
                }
                // Only regular files are read: a FIFO would hang the commit,
                // and a config that cannot be read must not pass as empty.
                match std::fs::metadata(root.join(rel)) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound && !is_config => {
                        // A deleted note is not part of what gets committed.
                        continue;
                    }
                    Ok(m) if m.is_file() => {}
                    other => {
                        let why = match other {
                            Err(e) => format!("could not read it: {e}"),
                            Ok(_) => "it is not a regular file (a FIFO, a device or a folder?)"
                                .to_string(),
                        };
                        let d = Diagnostic::error(rel, 1, 1, format!("{why}; not checked")).hint(
                            "make it a regular file kith can read, or leave it out of the commit",
                        );
                        diags.push(if is_config {
                            d
                        } else {
                            Diagnostic {
                                severity: crate::diag::Severity::Warning,
                                ..d
                            }
                        });
                        continue;
                    }
                }
                if is_config {
                    match crate::vault::read_note_bytes(&root.join(rel))
                        .map_err(std::io::Error::from)
                    {
                        Ok(b) => config_text = Some(b),
                        Err(e) => diags.push(
                            Diagnostic::error(rel, 1, 1, format!("could not read it: {e}"))
                                .hint("make it readable, so the commit can be checked"),
                        ),
                    }
                } else if !links_to_a_note(root, rel) {
                    notes.push(crate::vault::load_note(root, rel));
                }
            }
            (VaultRepo::try_open(root), notes)
        }
    };
    if let Some(bytes) = config_text {
        let text = String::from_utf8_lossy(&bytes);
        diags.extend(crate::config::Config::parse(config_rel, &text).1);
    }
    diags.extend(checked.iter().flat_map(|n| n.diagnostics.iter().cloned()));
    if checked.is_empty() {
        crate::diag::sort(&mut diags);
        return Ok(diags);
    }
    diags.extend(duplicates(root, vr.as_ref(), &checked)?);
    let (config, _) = crate::config::Config::load(root);
    let refs: Vec<&Note> = checked.iter().collect();
    diags.extend(crate::plugin::run_hook(root, "pre-commit", as_of, &config, &refs).diagnostics);
    crate::diag::sort(&mut diags);
    Ok(diags)
}

/// A symlinked note pointing at another note of the vault is that note, not
/// a second person with the same name.
fn links_to_a_note(root: &Path, rel: &Path) -> bool {
    let full = root.join(rel);
    let is_link = std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink());
    is_link
        && match (full.canonicalize(), root.canonicalize()) {
            (Ok(t), Ok(r)) => t.strip_prefix(&r).is_ok_and(crate::vault::is_note_path),
            _ => false,
        }
}

/// Identity keys (names, aliases, emails) of every note the commit leaves
/// untouched, from the staged state (git's index) — or the working tree
/// outside git — with the path of a note holding each. Parsed afresh, with no
/// search index, so the check can never be skipped because a cache is broken.
/// (One function, so a faster cache of these keys can replace it.)
fn keys_elsewhere(
    root: &Path,
    vr: Option<&VaultRepo>,
    skip: &HashSet<&PathBuf>,
) -> Result<HashMap<String, PathBuf>> {
    let others: Vec<(PathBuf, Vec<u8>)> = match vr {
        Some(vr) => vr.index_notes(skip)?,
        None => crate::store::walk(root)
            .0
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| !skip.contains(p) && !links_to_a_note(root, p))
            // Regular files under the size cap only: a FIFO must not block the commit.
            .filter_map(|p| {
                crate::vault::read_note_bytes(&root.join(&p))
                    .ok()
                    .map(|b| (p, b))
            })
            .collect(),
    };
    let keyed: Vec<(PathBuf, Vec<String>)> = others
        .par_iter()
        .filter_map(|(rel, bytes)| {
            let n = note::parse(rel, bytes);
            n.person
                .as_ref()
                .map(|p| (rel.clone(), identity::key_strings(p)))
        })
        .collect();
    let mut out = HashMap::new();
    for (rel, keys) in keyed {
        for k in keys {
            out.entry(k).or_insert_with(|| rel.clone());
        }
    }
    Ok(out)
}

/// Names, aliases and emails of checked person notes that another note
/// already has: among the checked notes, and against the staged state of the
/// rest of the vault.
fn duplicates(root: &Path, vr: Option<&VaultRepo>, checked: &[Note]) -> Result<Vec<Diagnostic>> {
    if checked.iter().all(|n| n.person.is_none()) {
        return Ok(Vec::new());
    }
    let checked_paths: HashSet<&PathBuf> = checked.iter().map(|n| &n.path).collect();
    let elsewhere = keys_elsewhere(root, vr, &checked_paths)?;
    let mut seen: HashMap<String, &Note> = HashMap::new();
    let mut out = Vec::new();
    for n in checked {
        let Some(p) = &n.person else { continue };
        for k in identity::keys(p) {
            let (what, shown) = (k.what(), &k.shown);
            let key = k.key;
            let (line, col) = n.front.as_ref().map_or((1, 1), |f| f.pos(k.field));
            let other = seen
                .get(&key)
                .map(|o| o.path.display().to_string())
                .or_else(|| elsewhere.get(&key).map(|q| q.display().to_string()));
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
