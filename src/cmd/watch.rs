//! `kith watch [--digest FILE] [--poll] [--quiet]`

use crate::ctx::Ctx;
use crate::digest::{self, Limits};
use crate::error::{Result, exit};
use crate::index::Index;
use crate::watch::{self, Options, Sink};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also keep this file holding today's digest (rewritten only when it changes).
    #[arg(long, value_name = "FILE")]
    pub digest: Option<PathBuf>,
    /// Poll the file system instead of using native events (network and synced folders).
    #[arg(long)]
    pub poll: bool,
    /// Print nothing but warnings.
    #[arg(long)]
    pub quiet: bool,
    /// Quiet time after the last change before syncing, in milliseconds.
    #[arg(long, default_value_t = 200, value_name = "MS")]
    pub debounce: u64,
}

struct IndexSink<'a> {
    ctx: &'a Ctx,
    index: Index,
    digest: Option<PathBuf>,
    /// The model file the watcher just left level with the notes.
    model: Option<crate::store::FileId>,
}

impl Sink for IndexSink<'_> {
    fn sync_paths(&mut self, paths: &[PathBuf]) -> Result<usize> {
        match self.index.sync_paths(paths)? {
            Some(n) => Ok(n),
            None => Err(crate::Error::Index(
                "another process kept the index writer busy; will try again".into(),
            )),
        }
    }

    fn full_sync(&mut self) -> Result<usize> {
        let r = self.index.sync_waiting(false, crate::index::WATCHER_WAIT)?;
        if r.locked {
            return Err(crate::Error::Index(
                "another process kept the index writer busy; will try again".into(),
            ));
        }
        Ok(r.indexed + r.removed)
    }

    fn after_change(&mut self) -> Result<()> {
        let Some(out) = &self.digest else {
            return Ok(());
        };
        // The watcher has just refreshed the model: no walk needed. Its
        // digest from the cache when it holds these notes' (no note
        // decoded), else computed and stored.
        let root = self.index.root().to_path_buf();
        let model = match self
            .model
            .and_then(|id| crate::store::open_vouched(&root, id))
        {
            Some(m) => m,
            None => crate::store::Model::open(&root)?.0,
        };
        let today = self.ctx.today();
        let limits = Limits::of(model.config(), false);
        let key = digest::cached::vault_key(&root, model.config(), model.sources());
        let d = match digest::lookup(&root, key, today, limits) {
            digest::Lookup::Hit(d) => *d,
            digest::Lookup::Miss => {
                let vault = crate::store::whole_keeping(model, Some(digest::FRONT_KEYS))?;
                digest::compute(&vault, today, limits, key)?
            }
        };
        let dir = out.parent().unwrap_or(Path::new("/")).to_path_buf();
        let text = digest::markdown(&d, &|p| {
            let full = root.join(p);
            full.strip_prefix(&dir)
                .unwrap_or(&full)
                .display()
                .to_string()
        });
        crate::write::write_if_changed(out, text.as_bytes())?;
        Ok(())
    }

    fn shutdown(&mut self) -> Result<()> {
        Ok(())
    }

    fn model_refreshed(&mut self, id: Option<crate::store::FileId>) {
        self.model = id;
    }
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let root = ctx
        .root()?
        .canonicalize()
        .map_err(|e| crate::Error::io(".", e))?;
    let digest = args.digest.as_ref().map(|p| {
        let abs = if p.is_absolute() {
            p.clone()
        } else {
            ctx.cwd.join(p)
        };
        let parent = abs.parent().and_then(|d| d.canonicalize().ok());
        match (parent, abs.file_name()) {
            (Some(d), Some(n)) => d.join(n),
            _ => abs,
        }
    });
    // A digest file the walks would read as a note: a note without a
    // watcher and not one with it (the watcher keeps it out of the index),
    // so search and the note cache would disagree. Refused, with the ways
    // out.
    if let Some(d) = &digest
        && let Ok(rel) = d.strip_prefix(&root)
        && crate::vault::NoteFilter::for_vault(&root).is_note(rel)
    {
        return Err(crate::Error::Usage(format!(
            "--digest {}: the file is inside the vault, where kith would read it as a note\n  hint: write it outside the vault, or add `{}` to `ignore:` in .kith/config.yaml",
            d.display(),
            rel.display()
        )));
    }
    let mut index = Index::open(&root)?;
    if let Some(d) = &digest
        && let Ok(rel) = d.strip_prefix(&root)
    {
        index.skip(rel.to_path_buf());
    }
    let opts = Options {
        poll: args.poll,
        debounce: std::time::Duration::from_millis(args.debounce),
        ignore: digest.iter().cloned().collect(),
        quiet: args.quiet,
        // The digest file's own refresh keeps the digest cache too.
        warm_digest: digest.is_none(),
        ..Options::default()
    };
    let stop = watch::stop_on_signals()?;
    let mut sink = IndexSink {
        ctx,
        index,
        digest,
        model: None,
    };
    if let Err(e) = watch::run(&root, opts, &mut sink, stop) {
        eprintln!(
            "kith: watch stopped with an error: {e}; the search index may not be level with the notes\n  hint: run `kith index`"
        );
        return Ok(exit::ERROR);
    }
    if !args.quiet {
        eprintln!("stopped; the index is consistent");
    }
    Ok(exit::OK)
}
