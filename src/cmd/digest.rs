//! `kith digest`: today's generous actions.

use crate::ctx::{Ctx, emit, emit_json};
use crate::digest::{self, Limits};
use crate::error::{Error, Result, exit};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown with `path:line` and a Mermaid graph (for files and pipes).
    Markdown,
    /// Plain text for people: aligned, wrapped to the terminal.
    Text,
    /// The digest as JSON (the same as --json).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Compute as of this date (default: today; also +7d, friday…).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub as_of: Option<String>,
    /// Show everything: no budget on check-ins, introductions and shares.
    #[arg(long)]
    pub all: bool,
    /// Write the digest to this file (atomically, only if it changed).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// markdown, text or json (default: text on a terminal, else Markdown).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let format = match (args.format, ctx.json) {
        (Some(f), true) if f != Format::Json => {
            return Err(Error::Usage(
                "--json and --format disagree\n  hint: use one of them: --json is --format json"
                    .into(),
            ));
        }
        (_, true) => Format::Json,
        (Some(f), false) => f,
        // Text is for a person at a terminal; files and pipes keep Markdown.
        (None, false) if args.out.is_none() && std::io::stdout().is_terminal() => Format::Text,
        (None, false) => Format::Markdown,
    };
    let as_of = ctx.as_of(&args.as_of)?;
    let t = std::time::Instant::now();
    let model = ctx.open_model()?;
    let limits = Limits::of(model.config(), args.all);
    // The digest cache is keyed on every note's content hash, which the
    // model's directory has: a digest with nothing changed since the last
    // one decodes no record, and builds no vault at all unless a plugin
    // serving `digest` needs the people.
    let key = digest::cached::vault_key(model.root(), model.config(), model.sources());
    let warm_index = ctx.index_warmer(model.root());
    let (vault, mut d) = match digest::lookup(model.root(), key, as_of, limits) {
        digest::Lookup::Hit(d) => {
            warm_index();
            ctx.warn_model(&model);
            (Loaded::Model(model), *d)
        }
        digest::Lookup::Miss => {
            // The search index is brought level while the notes are
            // decoded: its open and sync wait mostly on the file system,
            // the decoding is work for every core.
            let vault = std::thread::scope(|s| {
                let warming = s.spawn(warm_index);
                let vault = ctx.whole_keeping(model, digest::FRONT_KEYS);
                let _ = warming.join();
                vault
            })?;
            let t_load = t.elapsed();
            let d = digest::compute(&vault, as_of, limits, key)?;
            if std::env::var_os("KITH_TRACE").is_some() {
                eprintln!("trace: load {t_load:?}, digest {:?}", t.elapsed() - t_load);
            }
            (Loaded::Vault(vault), d)
        }
    };
    let root = vault.root().to_path_buf();
    d.sections.extend(plugin_sections(vault, as_of));
    let shown = |p: &std::path::Path| ctx.shown(&root, p).display().to_string();
    if format == Format::Markdown && args.out.is_none() {
        // Printed as it is rendered: the whole digest as one string is
        // 7 MB at 100k people, on top of the digest's peak memory.
        let mut out = Chunked::default();
        let _ = digest::markdown_into(&d, &shown, &mut out);
        out.finish()?;
        return Ok(exit::OK);
    }
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&d).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Markdown => digest::markdown(&d, &shown),
        Format::Text => {
            let (cols, _) = crate::term::size();
            let mut s = digest::tty::text(&d, &shown, &|c, s| ctx.paint(c, s), cols);
            s.push('\n');
            s
        }
    };
    match &args.out {
        Some(path) => {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                ctx.cwd.join(path)
            };
            crate::write::write_if_changed(&path, text.as_bytes())?;
        }
        None if format == Format::Json => emit_json(&d)?,
        None if format == Format::Text => crate::term::page(&text)?,
        None => emit(&text)?,
    }
    Ok(exit::OK)
}

/// Text printed to stdout in pieces of about 64 KB as it is written; the
/// first error is kept for [`Chunked::finish`] (a closed pipe is none).
#[derive(Default)]
struct Chunked {
    buf: String,
    failed: Option<Error>,
}

impl Chunked {
    const PIECE: usize = 64 * 1024;

    fn flush(&mut self) {
        if self.failed.is_none()
            && let Err(e) = emit(&self.buf)
        {
            self.failed = Some(e);
        }
        self.buf.clear();
    }

    fn finish(mut self) -> Result<()> {
        self.flush();
        self.failed.map_or(Ok(()), Err)
    }
}

impl std::fmt::Write for Chunked {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.buf.push_str(s);
        if self.buf.len() >= Self::PIECE {
            self.flush();
        }
        Ok(())
    }
}

/// What the digest was answered from: the model alone (a cache hit) or
/// every note decoded (computed).
enum Loaded {
    Model(crate::store::Model),
    Vault(crate::vault::Vault),
}

impl Loaded {
    fn root(&self) -> &std::path::Path {
        match self {
            Loaded::Model(m) => m.root(),
            Loaded::Vault(v) => &v.root,
        }
    }
}

/// Sections from trusted plugins serving the `digest` hook; plugin failures
/// are reported on stderr and do not stop the digest. Run here, in the
/// command, so the digest's rules never spawn processes.
fn plugin_sections(loaded: Loaded, as_of: crate::date::Date) -> Vec<digest::Section> {
    // Plugins see whole notes; the model keeps entry texts on disk, so parse
    // the people again only when some plugin serves `digest`.
    let serves = crate::plugin::serves(loaded.root(), "digest");
    let vault = match loaded {
        Loaded::Vault(v) => v,
        Loaded::Model(mut m) if serves => m.focused(),
        // No plugin needs the people: the hook still runs, to report
        // broken plugin files.
        Loaded::Model(m) => {
            let out = crate::plugin::run_hook(m.root(), "digest", as_of, m.config(), &Vec::new());
            for d in &out.diagnostics {
                eprintln!("warning: {}", d.message);
            }
            std::mem::forget(m);
            return out.sections;
        }
    };
    let full = if serves {
        let idxs: Vec<usize> = vault.people().map(|(i, _, _)| i).collect();
        vault.full_notes(&idxs)
    } else {
        Vec::new()
    };
    let people: Vec<&crate::note::Note> = full.iter().collect();
    let out = crate::plugin::run_hook(&vault.root, "digest", as_of, &vault.config, &people);
    for d in &out.diagnostics {
        eprintln!("warning: {}", d.message);
    }
    // Freeing a whole vault's notes one by one costs a few tenths of a
    // second at 100k notes, and the process is about to end anyway.
    std::mem::forget(full);
    std::mem::forget(vault);
    out.sections
}
