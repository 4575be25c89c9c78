//! `kith resource new "Title" [--url URL] [--tag TAG…]`

use crate::cli::{ResourceAction, ResourceArgs};
use crate::ctx::Ctx;
use crate::error::{Error, Result, exit};
use crate::template::{self, ResourceNote};

pub fn run(ctx: &Ctx, args: &ResourceArgs) -> Result<u8> {
    let ResourceAction::New(a) = &args.action;
    let title = a.title.trim();
    if title.is_empty() || title.contains(['\n', '\r']) {
        return Err(Error::Usage("the title must be one non-empty line\n  hint: give the title in quotes: `kith resource new \"Structured interviews guide\"`".into()));
    }
    let root = ctx.root()?;
    let rel = template::resource_path(title);
    let text = template::resource_note(&ResourceNote {
        title: title.to_string(),
        url: a.url.clone(),
        tags: a.tags.clone(),
        added: Some(ctx.today()),
    });
    // create_new refuses, writing nothing, when the file exists.
    crate::write::create_new(&root.join(&rel), text.as_bytes())?;
    let commit = if a.commit {
        Some(crate::cmd::commit::commit_written(
            &root,
            std::slice::from_ref(&rel),
            &crate::cmd::commit::message("resource", title, None),
        )?)
    } else {
        None
    };
    crate::cmd::commit::report(
        ctx,
        &format!("created {}\n", ctx.shown(&root, &rel).display()),
        serde_json::json!({"created": [rel], "name": title}),
        commit,
    )?;
    Ok(exit::OK)
}
