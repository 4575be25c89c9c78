//! `kith import vcard|linkedin|google|outlook FILE…`

use crate::ctx::{Ctx, emit, emit_json};
use crate::error::{Error, Result, exit};
use crate::import::{self, Contact, Options};
use std::path::PathBuf;

/// Where the contacts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// vCard 2.1, 3.0 or 4.0 (Google, Apple, Outlook, Android…).
    #[value(alias = "vcf")]
    Vcard,
    /// LinkedIn's Connections.csv.
    Linkedin,
    /// Google Contacts CSV (an Outlook CSV is recognised and read as one).
    Google,
    /// Outlook CSV (Outlook.com, desktop Outlook).
    Outlook,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    pub format: Format,
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
        let bytes = import::read_input(&path)?;
        let read = match args.format {
            Format::Vcard => import::vcard::parse_file(&bytes),
            Format::Linkedin => import::csv::linkedin(&bytes),
            Format::Google => import::csv::google(&bytes),
            Format::Outlook => import::csv::outlook(&bytes),
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
    // Some contacts could not be written: the summary says which and why,
    // and the exit status says something went wrong.
    let code = if report.failed.is_empty() {
        exit::OK
    } else {
        exit::PROBLEMS
    };
    if ctx.json {
        emit_json(&report)?;
        return Ok(code);
    }
    let mut o = String::new();
    let verb = if args.dry_run { "would be " } else { "" };
    for (title, list) in [
        ("created", &report.created),
        ("merged", &report.merged),
        ("skipped", &report.skipped),
        ("failed", &report.failed),
    ] {
        if title == "failed" && list.is_empty() {
            continue;
        }
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
    Ok(code)
}
