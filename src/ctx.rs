//! The validated context every command runs in: where the vault is, how to
//! print, what day it is. Built once from the raw [`Cli`](crate::cli::Cli).

use crate::cli::{Cli, ColorChoice};
use crate::date::Date;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::vault::{self, Vault};
use std::path::{Path, PathBuf};

pub struct Ctx {
    pub cwd: PathBuf,
    vault_arg: Option<PathBuf>,
    pub color: bool,
    pub json: bool,
    /// The walk of the last [`load`](Self::load), when it found notes
    /// changed since the model was saved (then the search index is behind
    /// too, and catches up from this walk instead of its own).
    changed_walk: std::cell::RefCell<Option<crate::store::Walked>>,
}

impl Ctx {
    pub fn new(cli: &Cli) -> Result<Ctx> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // anstream's rules, shared with clap's own help: NO_COLOR,
            // CLICOLOR_FORCE, CLICOLOR=0, TERM=dumb, then "is it a terminal".
            ColorChoice::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        };
        Ok(Ctx {
            cwd,
            vault_arg: cli.vault.clone(),
            color,
            json: cli.json,
            changed_walk: std::cell::RefCell::new(None),
        })
    }

    /// The folder `--vault` or `KITH_VAULT` named, if any.
    pub fn vault_arg(&self) -> Option<&Path> {
        self.vault_arg.as_deref()
    }

    /// The vault root, found from `--vault`, `KITH_VAULT` or the working folder.
    pub fn root(&self) -> Result<PathBuf> {
        vault::find_root(self.vault_arg.as_deref(), &self.cwd)
    }

    /// The vault, fresh, from the persisted model (only changed notes are
    /// parsed again); warns once on stderr if some notes have errors.
    /// With a healthy `kith watch` that answers a flush, the model it keeps
    /// is read as it is, without a walk (see docs/watch.md).
    pub fn load(&self) -> Result<Vault> {
        let root = self.root()?;
        if root.is_dir()
            && let Some(v) = crate::watch::vouched_vault(&root)
        {
            // The watcher keeps the search index level too.
            self.changed_walk.replace(None);
            self.warn_broken(&v);
            return Ok(v);
        }
        let (v, report) = crate::store::load_with_report(&root)?;
        self.keep_walk(report);
        self.warn_broken(&v);
        Ok(v)
    }

    /// The persisted model, fresh, for commands about one or a few notes
    /// (show, log, new): they look people up in its directory and take a
    /// vault of just the notes they read ([`crate::store::Model::focused_on`]).
    /// Warns once on stderr if some notes have errors, as [`load`](Self::load).
    pub fn load_model(&self) -> Result<crate::store::Model> {
        let m = self.open_model()?;
        // Only the notes with errors, whole: what the warning needs.
        let (v, _) = m.focused_on(&[], false);
        self.warn_broken(&v);
        Ok(m)
    }

    /// The model after a freshness pass (a walk, or a healthy watcher's
    /// word), no record decoded yet: commands answering from a cache keyed
    /// on the notes' content hashes ([`crate::store::Model::sources`]) ask
    /// it first, then decode only on a miss ([`Ctx::whole`]) or focus it
    /// ([`Ctx::focus`]).
    pub fn open_model(&self) -> Result<crate::store::Model> {
        let root = self.root()?;
        // With a healthy watcher, its model without a walk (as `load`).
        let freshness = if root.is_dir() {
            crate::watch::model_freshness(&root)
        } else {
            crate::store::Freshness::Walk
        };
        let (m, report) = crate::store::Model::open_with(&root, freshness)?;
        self.keep_walk(report);
        Ok(m)
    }

    /// Every note of an opened model whole, as [`load`](Self::load) gives.
    pub fn whole(&self, m: crate::store::Model) -> Result<Vault> {
        let v = crate::store::whole(m)?;
        self.warn_broken(&v);
        Ok(v)
    }

    /// [`whole`](Self::whole) with each note cut down to what `keep` keeps
    /// (a command that reads only that and the typed fields).
    pub fn whole_keeping(&self, m: crate::store::Model, keep: &crate::note::Keep) -> Result<Vault> {
        let v = crate::store::whole_keeping(m, Some(keep))?;
        self.warn_broken(&v);
        Ok(v)
    }

    /// An opened model's focused vault, as [`load_focused`](Self::load_focused) gives.
    pub fn focus(&self, m: &mut crate::store::Model) -> Vault {
        let v = m.focused();
        self.warn_broken(&v);
        v
    }

    /// Keeps a freshness pass's walk for [`warm_index`](Self::warm_index)
    /// when it saw notes change.
    fn keep_walk(&self, report: crate::store::Report) {
        let changed =
            !report.parsed.is_empty() || !report.removed.is_empty() || report.rebuilt.is_some();
        self.changed_walk.replace(report.walked.filter(|_| changed));
    }

    /// Brings the search index level with the notes, best-effort: commands
    /// that read the notes themselves (show, digest) keep the cache warm for
    /// the next search, but never fail because of it.
    /// Only when the model saw changed notes: an unchanged vault leaves the
    /// index as level as it was. And from the model's own walk, so one walk
    /// serves both caches (search syncs itself anyway).
    pub fn warm_index(&self, root: &Path) {
        self.index_warmer(root)();
    }

    /// [`warm_index`](Self::warm_index) as work to run later or on another
    /// thread (it holds the walk, not the context).
    pub fn index_warmer(&self, root: &Path) -> impl FnOnce() + Send + 'static {
        let walked = self.changed_walk.take();
        let root = root.to_path_buf();
        move || {
            let Some(walked) = walked else {
                return;
            };
            if let Err(e) =
                crate::index::Index::open_synced_with(&root, &walked, crate::watch::flush)
                && std::env::var_os("KITH_TRACE").is_some()
            {
                eprint_line(&format!("trace: index not synced: {e}"));
            }
        }
    }

    /// One stderr line when the config has problems (each bad value falls
    /// back to its default), and one when notes have errors, so other
    /// commands carry on.
    pub fn warn_broken(&self, v: &Vault) {
        self.warn_about(&v.root, &v.problems, &v.notes);
    }

    /// [`warn_broken`](Self::warn_broken) for an opened model, when the
    /// command answers from a cache and builds no vault.
    pub fn warn_model(&self, m: &crate::store::Model) {
        let (problems, notes) = m.warnings();
        self.warn_about(m.root(), problems, &notes);
    }

    fn warn_about(&self, root: &Path, problems: &[Diagnostic], notes: &[crate::note::Note]) {
        let config = crate::config::Config::rel_path();
        let cfg: Vec<&Diagnostic> = problems.iter().filter(|d| d.path == config).collect();
        if let Some(first) = cfg.first() {
            let more = if cfg.len() > 1 {
                format!(" (and {} more)", cfg.len() - 1)
            } else {
                String::new()
            };
            eprint_line(&format!(
                "warning: {}:{}:{}: {}{more}; run `kith check` for details",
                self.shown(root, &first.path).display(),
                first.line,
                first.column,
                first.message
            ));
        }
        let errs: Vec<&Diagnostic> = problems
            .iter()
            .filter(|d| d.path != config)
            .chain(notes.iter().flat_map(|n| n.diagnostics.iter()))
            .filter(|d| d.is_error())
            .collect();
        if let Some(first) = errs.first() {
            let shown = self.shown(root, &first.path);
            let more = if errs.len() > 1 {
                format!(" (and {} more)", errs.len() - 1)
            } else {
                String::new()
            };
            eprint_line(&format!(
                "warning: {}:{}:{}: {}{more}; run `kith check` for details",
                shown.display(),
                first.line,
                first.column,
                first.message
            ));
        }
    }

    /// A vault-relative path as the user should see it: relative to the working
    /// folder when the vault is below it, else absolute.
    pub fn shown(&self, root: &Path, rel: &Path) -> PathBuf {
        let full = root.join(rel);
        match full.strip_prefix(&self.cwd) {
            Ok(p) => p.to_path_buf(),
            Err(_) => full,
        }
    }

    pub fn today(&self) -> Date {
        chrono::Local::now().date_naive()
    }

    /// The date an `--as-of` flag names, else today.
    pub fn as_of(&self, flag: &Option<String>) -> Result<Date> {
        match flag {
            Some(d) => arg_date(d, "--as-of"),
            None => Ok(self.today()),
        }
    }

    /// `s` in a style named by its SGR codes (`"1"` bold, `"2"` dim,
    /// `"33"` yellow, `"1;31"` bold red), when colour is on.
    pub fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            let style = style_of(code);
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }
}

/// An anstyle [`Style`](anstyle::Style) from SGR codes separated by `;`.
pub fn style_of(code: &str) -> anstyle::Style {
    use anstyle::{AnsiColor, Effects, Style};
    code.split(';').fold(Style::new(), |st, c| match c.trim() {
        "1" => st.effects(st.get_effects() | Effects::BOLD),
        "2" => st.effects(st.get_effects() | Effects::DIMMED),
        "3" => st.effects(st.get_effects() | Effects::ITALIC),
        "4" => st.effects(st.get_effects() | Effects::UNDERLINE),
        "31" => st.fg_color(Some(AnsiColor::Red.into())),
        "32" => st.fg_color(Some(AnsiColor::Green.into())),
        "33" => st.fg_color(Some(AnsiColor::Yellow.into())),
        "34" => st.fg_color(Some(AnsiColor::Blue.into())),
        "35" => st.fg_color(Some(AnsiColor::Magenta.into())),
        "36" => st.fg_color(Some(AnsiColor::Cyan.into())),
        _ => st,
    })
}

// stdout and stderr are the terminal adapter's; the commands reach them
// through the context.
pub use crate::term::{emit, eprint_line, pipe_closed};

/// Prints a value as pretty JSON with a final newline.
pub fn emit_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    emit(&s)
}

/// Parses a user-given date argument, relative dates included (`yesterday`, `+7d`).
pub fn arg_date(s: &str, flag: &str) -> Result<Date> {
    crate::date::parse_relative(s, chrono::Local::now().date_naive())
        .ok_or(())
        .or_else(|()| crate::date::parse_date(s))
        .map_err(|e| Error::Usage(format!("{flag}: {e}\n  hint: or say today, yesterday, tomorrow, friday, last friday, +3d, -2w")))
}
