//! `kith resource new "Title" [--url URL] [--tag TAG…]`

use crate::ctx::Ctx;
use crate::error::{Error, Result, exit};
use crate::template::{self, ResourceNote};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Create `resources/<slug>.md`.
    New(NewArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The resource's title.
    pub title: String,
    /// Where it lives.
    #[arg(long)]
    pub url: Option<String>,
    /// A tag (repeatable): the digest shares it with people who need or like it.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Commit the new note to git.
    #[arg(long)]
    pub commit: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let Action::New(a) = &args.action;
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
