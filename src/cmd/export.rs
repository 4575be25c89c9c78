//! `kith export vcard|ics`

use crate::ctx::{Ctx, emit};
use crate::error::{Error, Result, exit};
use crate::export::{Redact, VcardVersion};
use std::path::PathBuf;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// People as vCards.
    #[value(alias = "vcf")]
    Vcard,
    /// Reminders and birthdays as iCalendar.
    #[value(alias = "ical")]
    Ics,
}

/// The vCard version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VersionArg {
    /// vCard 3.0: what Android and most servers accept.
    #[value(name = "3")]
    V3,
    /// vCard 4.0 (RFC 6350).
    #[value(name = "4")]
    V4,
}

#[derive(Debug, clap::Args)]
// `--version` here would be the program's version; the vCard's is `--vcard-version`.
#[command(disable_version_flag = true)]
pub struct Args {
    pub format: Format,
    /// vcard: the vCard version (default 3).
    #[arg(long, value_enum, value_name = "VERSION")]
    pub vcard_version: Option<VersionArg>,
    /// Renamed to --vcard-version (it clashed with the program's --version).
    #[arg(long = "version", hide = true, num_args = 0..=1, value_name = "VERSION")]
    pub old_version: Option<Option<String>>,
    /// Write to this file (atomically, and only when its content changes)
    /// instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// vcard: leave out emails, phone numbers and the note's private prose.
    #[arg(long)]
    pub redact: bool,
    /// ics: reminders as of this date (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// ics: all-day events instead of to-dos (Google Calendar shows no to-dos).
    #[arg(long)]
    pub as_events: bool,
}

/// Refuses an option that means nothing for the chosen format, rather than
/// ignoring it and exporting something else than the user asked for.
fn refuse(format: &str, option: &str, other: &str) -> Error {
    Error::Usage(format!(
        "{option} applies to `kith export {other}`, not to `kith export {format}`\n  hint: drop {option}, or export {other}"
    ))
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    if args.old_version.is_some() {
        return Err(Error::Usage(
            "--version is the program's version; the vCard version is --vcard-version 3|4".into(),
        ));
    }
    match args.format {
        Format::Vcard => {
            if args.as_of.is_some() {
                return Err(refuse("vcard", "--as-of", "ics"));
            }
            if args.as_events {
                return Err(refuse("vcard", "--as-events", "ics"));
            }
        }
        Format::Ics => {
            if args.vcard_version.is_some() {
                return Err(refuse("ics", "--vcard-version", "vcard"));
            }
            if args.redact {
                return Err(refuse("ics", "--redact", "vcard"));
            }
        }
    }
    let vault = ctx.load()?;
    let text = match args.format {
        Format::Vcard => {
            let version = match args.vcard_version {
                Some(VersionArg::V4) => VcardVersion::V4,
                _ => VcardVersion::V3,
            };
            crate::export::vcards(
                &vault,
                version,
                Redact {
                    private: args.redact,
                },
            )
        }
        Format::Ics => {
            let as_of = ctx.as_of(&args.as_of)?;
            crate::export::ics(&vault, as_of, args.as_events, chrono::Utc::now())
        }
    };
    match &args.out {
        Some(p) => {
            let p = if p.is_absolute() {
                p.clone()
            } else {
                ctx.cwd.join(p)
            };
            let p = out_target(&p)?;
            crate::write::write_if_changed(&p, text.as_bytes())?;
        }
        None => emit(&text)?,
    }
    Ok(exit::OK)
}

/// Where `--out` really writes. A symlink is followed (a calendar file linked
/// into a synced folder stays a link, its target is updated); an existing
/// path that is not a regular file is refused: the atomic rename would
/// replace a device node, a FIFO or a socket with a plain file (as root,
/// `--out /dev/zero` replaced the device), and comparing old content first
/// read `/dev/zero` without end.
fn out_target(p: &std::path::Path) -> Result<PathBuf> {
    let Ok(meta) = p.symlink_metadata() else {
        return Ok(p.to_path_buf());
    };
    let target = if meta.file_type().is_symlink() {
        std::fs::canonicalize(p).map_err(|e| {
            Error::Usage(format!(
                "--out {}: a symbolic link kith cannot follow ({e}); nothing was written\n  hint: point the link at a file in an existing folder, or give the file itself",
                p.display()
            ))
        })?
    } else {
        p.to_path_buf()
    };
    match std::fs::metadata(&target) {
        Ok(m) if !m.is_file() => Err(Error::Usage(format!(
            "--out {}: not a regular file (a folder, a named pipe or a device); nothing was written\n  hint: give a file path, or write to standard output: kith export … > {}",
            p.display(),
            p.display()
        ))),
        _ => Ok(target),
    }
}
