//! `kith new "Full Name" …`

use crate::cli::NewArgs;
use crate::ctx::{Ctx, arg_date, emit};
use crate::error::{Error, Result, exit};
use crate::model::Circle;
use crate::text::{fold, slugify};
use crate::yaml::quote;
use std::path::PathBuf;

pub fn run(ctx: &Ctx, args: &NewArgs) -> Result<u8> {
    let name = args.name.trim();
    if name.is_empty() || name.contains(['\n', '\r']) {
        return Err(Error::Usage("the name must be one non-empty line".into()));
    }
    let circle = match &args.circle {
        Some(c) => Some(Circle::parse(c).ok_or_else(|| {
            Error::Usage(format!(
                "--circle: unknown circle `{c}`; use {}",
                Circle::NAMES
            ))
        })?),
        None => None,
    };
    let met_on = args
        .met_on
        .as_deref()
        .map(|d| arg_date(d, "--met-on"))
        .transpose()?;
    let vault = ctx.load()?;
    let slug = slugify(name);
    let rel = PathBuf::from("people").join(format!("{slug}.md"));
    let folded = fold(name);
    for (_, n, p) in vault.people() {
        let taken = if fold(&p.name) == folded {
            Some("the name")
        } else if p.aliases.iter().any(|a| fold(a) == folded) {
            Some("an alias")
        } else if n.stem().eq_ignore_ascii_case(&slug) {
            Some("the file name")
        } else {
            None
        };
        if let Some(what) = taken {
            return Err(Error::Refused(format!(
                "`{name}` is taken: {what} of {} ({})\n  hint: add to that note with `kith log \"{}\" …`, or pick a distinct name",
                p.name,
                ctx.shown(&vault.root, &n.path).display(),
                p.name
            )));
        }
    }
    if vault.root.join(&rel).exists() {
        return Err(Error::Refused(format!(
            "{} already exists",
            ctx.shown(&vault.root, &rel).display()
        )));
    }
    let met_on = match (&args.met_at, met_on) {
        (Some(ev), None) => vault
            .resolve_one(ev)
            .and_then(|i| vault.notes[i].date)
            .or(Some(ctx.today())),
        (_, d) => d,
    };
    let mut fm = format!("---\nname: {}\n", quote(name));
    for (k, v) in [
        ("org", &args.org),
        ("role", &args.role),
        ("location", &args.location),
    ] {
        if let Some(v) = v {
            fm.push_str(&format!("{k}: {}\n", quote(v.trim())));
        }
    }
    for (k, list) in [("emails", &args.emails), ("tags", &args.tags)] {
        if !list.is_empty() {
            fm.push_str(&format!("{k}:\n"));
            for t in list {
                fm.push_str(&format!(
                    "  - {}\n",
                    quote(t.trim().trim_start_matches('#'))
                ));
            }
        }
    }
    if let Some(c) = circle {
        fm.push_str(&format!("circle: {}\n", c.as_str()));
    }
    match (&args.met_at, met_on) {
        (Some(ev), Some(d)) => fm.push_str(&format!(
            "met:\n  date: {d}\n  event: {}\n",
            quote(&format!("[[{}]]", ev.trim()))
        )),
        (None, Some(d)) => fm.push_str(&format!("met: {d}\n")),
        _ => {}
    }
    fm.push_str("---\n\n## Log\n");
    let path = vault.root.join(&rel);
    crate::write::create_new(&path, fm.as_bytes())?;
    if args.commit {
        crate::git::commit_paths(
            &vault.root,
            std::slice::from_ref(&rel),
            &format!("new: {name}"),
        )?;
    }
    emit(&format!(
        "created {}\n",
        ctx.shown(&vault.root, &rel).display()
    ))?;
    Ok(exit::OK)
}
