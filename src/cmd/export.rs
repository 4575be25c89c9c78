//! `kith export` — not built yet (see the open issues).

use crate::ctx::Ctx;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Arguments, until this command is built.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

pub fn run(_ctx: &Ctx, _args: &Args) -> Result<u8> {
    Err(Error::Usage("`kith export` is not available yet".into()))
}
