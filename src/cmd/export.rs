//! `kith export vcard|ics`

use crate::ctx::{Ctx, emit};
use crate::error::{Error, Result, exit};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(disable_version_flag = true)]
pub struct Args {
    /// vcard or ics.
    pub format: String,
    /// vCard version: 3 (default; what Android and most servers accept) or 4.
    #[arg(long, default_value_t = 3)]
    pub version: u8,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Leave out emails and phone numbers.
    #[arg(long)]
    pub redact: bool,
    /// ics: reminders as of this date (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// ics: all-day events instead of to-dos (Google Calendar shows no to-dos).
    #[arg(long)]
    pub as_events: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let vault = ctx.load()?;
    let text = match args.format.as_str() {
        "vcard" | "vcf" => {
            if !matches!(args.version, 3 | 4) {
                return Err(Error::Usage("--version: use 3 or 4".into()));
            }
            crate::export::vcards(&vault, args.version, args.redact)
        }
        "ics" | "ical" => {
            let as_of = ctx.as_of(&args.as_of)?;
            crate::export::ics(&vault, as_of, args.as_events, chrono::Utc::now())
        }
        other => {
            return Err(Error::Usage(format!(
                "unknown export format `{other}`; use vcard or ics"
            )));
        }
    };
    match &args.out {
        Some(p) => {
            let p = if p.is_absolute() {
                p.clone()
            } else {
                ctx.cwd.join(p)
            };
            crate::write::write_if_changed(&p, text.as_bytes())?;
        }
        None => emit(&text)?,
    }
    Ok(exit::OK)
}
