//! `kith plugin list | trust NAME | run NAME HOOK`

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Error, Result, exit};
use crate::note::Note;
use crate::plugin::{self, Plugin, Trust};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Each plugin, its hooks, and whether it is trusted.
    List,
    /// Trust a plugin (records a hash of its files in your config folder).
    Trust { name: String },
    /// Run one plugin by hand, for debugging; prints its response.
    Run { name: String, hook: String },
}

fn find(ps: &[Plugin], name: &str) -> Result<Plugin> {
    ps.iter().find(|p| p.name == name).cloned().ok_or_else(|| {
        let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
        Error::Usage(format!(
            "no plugin `{name}` in plugins/; there are: {}",
            if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }
        ))
    })
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let root = ctx.root()?;
    let (plugins, problems) = plugin::discover(&root);
    for d in &problems {
        eprintln!("{}", d.render(&ctx.shown(&root, &d.path), ctx.color));
    }
    match &args.action {
        Action::List => {
            if ctx.json {
                let v: Vec<_> = plugins
                    .iter()
                    .map(|p| {
                        let (trust, why) = plugin::verdict(p);
                        serde_json::json!({"name": p.name, "folder": p.rel, "description": p.description, "hooks": p.hooks, "trust": trust, "refused": why})
                    })
                    .collect();
                emit_json(&v)?;
            } else {
                let mut o = String::new();
                for p in &plugins {
                    let (state, why) = plugin::verdict(p);
                    let t = match state {
                        Trust::Trusted => "trusted".to_string(),
                        Trust::Untrusted => "NOT TRUSTED".to_string(),
                        Trust::Changed => "CHANGED since trusted".to_string(),
                        Trust::Outdated => "TRUST AGAIN (trusted by an older kith)".to_string(),
                        Trust::Refused => {
                            format!("REFUSED: {}", why.unwrap_or_default())
                        }
                    };
                    o.push_str(&format!(
                        "{:<20} {:<28} {t}\n    {}\n",
                        p.name,
                        p.hooks.join(", "),
                        p.description
                    ));
                }
                if plugins.is_empty() {
                    o.push_str("no plugins in plugins/\n");
                }
                emit(&o)?;
            }
            Ok(exit::OK)
        }
        Action::Trust { name } => {
            let p = find(&plugins, name)?;
            let file = plugin::trust(&p)?;
            emit(&format!(
                "trusted `{}` (folder {}, as it is now); recorded in {}\n",
                p.name,
                p.rel.display(),
                file.display()
            ))?;
            Ok(exit::OK)
        }
        Action::Run { name, hook } => {
            let p = find(&plugins, name)?;
            if !plugin::HOOKS.contains(&hook.as_str()) {
                return Err(Error::Usage(format!(
                    "unknown hook `{hook}`; use {}",
                    plugin::HOOKS.join(", ")
                )));
            }
            match plugin::verdict(&p) {
                (Trust::Trusted, _) => {}
                (Trust::Refused, why) => {
                    return Err(Error::Refused(format!(
                        "plugin `{}` refused: {}",
                        p.name,
                        why.unwrap_or_default()
                    )));
                }
                (state, _) => {
                    return Err(Error::Refused(format!(
                        "plugin `{}`: {}\n  hint: read {} and run `kith plugin trust {}`",
                        p.name,
                        plugin::untrusted_why(state),
                        p.dir.display(),
                        p.name
                    )));
                }
            }
            let vault = ctx.load()?;
            // Whole notes, entry texts included (the model keeps them on disk).
            let full = vault.full_notes(&(0..vault.notes.len()).collect::<Vec<_>>());
            let notes: Vec<&Note> = full.iter().collect();
            let out = plugin::run(
                &p,
                hook,
                &root,
                ctx.today(),
                vault.config.plugin_settings(&p.name),
                &notes,
            )?;
            emit_json(
                &serde_json::json!({"diagnostics": out.diagnostics, "sections": out.sections}),
            )?;
            Ok(if out.diagnostics.iter().any(|d| d.is_error()) {
                exit::PROBLEMS
            } else {
                exit::OK
            })
        }
    }
}
