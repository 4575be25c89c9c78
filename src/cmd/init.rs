//! `kith init [DIR]`

use crate::config::DEFAULT_CONFIG;
use crate::ctx::{Ctx, emit};
use crate::error::{Error, Result, exit};
use std::fs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to make a vault of (default: the current folder).
    pub dir: Option<std::path::PathBuf>,
}

const FOLDERS: &[&str] = &["people", "events", "resources", "journal"];
const IGNORE_LINE: &str = ".kith/cache/";

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let dir = match &args.dir {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => ctx.cwd.join(d),
        None => ctx.cwd.clone(),
    };
    let mut done = Vec::new();
    for f in FOLDERS.iter().chain(&[".kith"]) {
        let p = dir.join(f);
        if !p.is_dir() {
            fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
            done.push(format!("created {f}/"));
        }
    }
    let cfg = dir.join(".kith/config.yaml");
    if !cfg.exists() {
        crate::write::create_new(&cfg, DEFAULT_CONFIG.as_bytes())?;
        done.push("created .kith/config.yaml".into());
    }
    let gi = dir.join(".gitignore");
    let existing = fs::read_to_string(&gi).unwrap_or_default();
    if !existing
        .lines()
        .any(|l| l.trim() == IGNORE_LINE || l.trim() == "/.kith/cache/")
    {
        if existing.is_empty() {
            crate::write::write_if_changed(&gi, format!("{IGNORE_LINE}\n").as_bytes())?;
        } else {
            let snap = crate::write::Snapshot::read(&gi)?;
            let sep = if existing.ends_with('\n') { "" } else { "\n" };
            let mut new = snap.bytes.clone();
            new.extend_from_slice(format!("{sep}{IGNORE_LINE}\n").as_bytes());
            snap.replace(&new)?;
        }
        done.push("ignored .kith/cache/ in .gitignore".into());
    }
    if crate::git::discover(&dir).is_none() {
        crate::git::init(&dir)?;
        done.push("ran git init".into());
    }
    let shown = dir
        .strip_prefix(&ctx.cwd)
        .map_or(dir.clone(), |p| p.to_path_buf());
    let shown = if shown.as_os_str().is_empty() {
        ".".into()
    } else {
        shown.display().to_string()
    };
    let mut out = String::new();
    if done.is_empty() {
        out.push_str(&format!("{shown} is already a kith vault; nothing to do\n"));
    } else {
        out.push_str(&format!("kith vault ready in {shown}:\n"));
        for d in done {
            out.push_str(&format!("  {d}\n"));
        }
        out.push_str("next: kith new \"Full Name\" --met-at \"Event\"\n");
    }
    emit(&out)?;
    Ok(exit::OK)
}
