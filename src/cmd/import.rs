//! `kith import vcard|linkedin|google FILE…`

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Error, Result, exit};
use crate::import::{self, Contact, Options};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// vcard, linkedin or google.
    pub format: String,
    /// The exported file(s).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Say what would happen; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Add fields an existing person's note lacks (a surgical front-matter edit).
    #[arg(long)]
    pub merge: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let mut contacts: Vec<Contact> = Vec::new();
    for f in &args.files {
        let path = if f.is_absolute() {
            f.clone()
        } else {
            ctx.cwd.join(f)
        };
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let read = match args.format.as_str() {
            "vcard" | "vcf" => Ok(import::vcard::parse(&bytes)),
            "linkedin" => import::csv::linkedin(&bytes),
            "google" => import::csv::google(&bytes),
            other => {
                return Err(Error::Usage(format!(
                    "unknown import format `{other}`; use vcard, linkedin or google"
                )));
            }
        };
        let mut cs = read.map_err(|e| Error::Usage(format!("{}: {e}", f.display())))?;
        for c in &mut cs {
            c.source = format!("{}: {}", f.display(), c.source);
        }
        contacts.extend(cs);
    }
    let vault = ctx.load()?;
    let report = import::import(
        &vault,
        contacts,
        Options {
            dry_run: args.dry_run,
            merge: args.merge,
        },
    )?;
    if ctx.json {
        emit_json(&report)?;
        return Ok(exit::OK);
    }
    let mut o = String::new();
    let verb = if args.dry_run { "would be " } else { "" };
    for (title, list) in [
        ("created", &report.created),
        ("merged", &report.merged),
        ("skipped", &report.skipped),
    ] {
        o.push_str(&format!("{} {verb}{title}\n", list.len()));
        for x in list {
            let at = x
                .path
                .as_ref()
                .map(|p| format!(" ({})", ctx.shown(&vault.root, p).display()))
                .unwrap_or_default();
            o.push_str(&format!("  {}{at}: {}\n", x.name, x.reason));
        }
    }
    emit(&o)?;
    Ok(exit::OK)
}
