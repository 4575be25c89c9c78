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
    let mut model = ctx.open_model()?;
    let limits = Limits::of(model.config(), args.all);
    // The digest cache is keyed on every note's content hash, which the
    // model's directory has: a digest with nothing changed since the last
    // one decodes no record (the vault it renders with is the focused one:
    // names and paths, whole notes only for those with errors).
    let key = digest::cached::vault_key(model.root(), model.sources());
    let (vault, mut d) = match digest::lookup(model.root(), key, as_of, limits) {
        digest::Lookup::Hit(d) => (ctx.focus(&mut model), *d),
        digest::Lookup::Miss => {
            let vault = ctx.whole(model)?;
            let t_load = t.elapsed();
            let d = digest::compute(&vault, as_of, limits, key)?;
            if std::env::var_os("KITH_TRACE").is_some() {
                eprintln!("trace: load {t_load:?}, digest {:?}", t.elapsed() - t_load);
            }
            (vault, d)
        }
    };
    ctx.warm_index(&vault.root);
    d.sections.extend(plugin_sections(&vault, as_of));
    let shown = |p: &std::path::Path| ctx.shown(&vault.root, p).display().to_string();
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
    // Freeing a whole vault's notes one by one costs a few tenths of a
    // second at 100k notes, and the process is about to end anyway.
    std::mem::forget(vault);
    Ok(exit::OK)
}

/// Sections from trusted plugins serving the `digest` hook; plugin failures
/// are reported on stderr and do not stop the digest. Run here, in the
/// command, so the digest's rules never spawn processes.
fn plugin_sections(vault: &crate::vault::Vault, as_of: crate::date::Date) -> Vec<digest::Section> {
    // Plugins see whole notes; the model keeps entry texts on disk, so parse
    // the people again only when some plugin serves `digest`.
    let full = if crate::plugin::serves(&vault.root, "digest") {
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
    out.sections
}
