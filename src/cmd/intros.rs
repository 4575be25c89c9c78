//! `kith intros [--for PERSON] [--all]` and `kith intros dismiss A B`.

use crate::ctx::{Ctx, emit, emit_json};
use crate::digest;
use crate::error::{Result, exit};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Only suggestions that include this person.
    #[arg(long = "for", value_name = "PERSON")]
    pub person: Option<String>,
    /// Every candidate, without the limit or the two-per-person rule.
    #[arg(long)]
    pub all: bool,
    /// How many to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// List the introductions recorded with `kith intro` and their state.
    #[arg(long)]
    pub made: bool,
    /// Compute as of this date (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Never suggest introducing these two again (kept in .kith/intros.yaml).
    Dismiss { a: String, b: String },
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    if args.action.is_none() && !args.made {
        return suggest(ctx, args);
    }
    let vault = ctx.load()?;
    if let Some(Action::Dismiss { a, b }) = &args.action {
        let (ia, ib) = (vault.find_person(a)?, vault.find_person(b)?);
        if ia == ib {
            return Err(crate::error::Error::Usage(format!(
                "`{a}` and `{b}` are both {}: one cannot be introduced to oneself\n  hint: name two different people",
                vault.notes[ia].title
            )));
        }
        // A name shared by several people would dismiss them all: such a
        // person is written by their note's path instead.
        let label = |i: usize| {
            let title = &vault.notes[i].title;
            let folded = crate::text::fold(title);
            let shared = vault
                .people()
                .any(|(j, n, _)| j != i && crate::text::fold(&n.title) == folded);
            if shared {
                vault.notes[i]
                    .path
                    .with_extension("")
                    .to_string_lossy()
                    .into_owned()
            } else {
                title.clone()
            }
        };
        let (na, nb) = (&label(ia), &label(ib));
        let added = digest::dismiss(&vault.root, na, nb)?;
        emit(&if added {
            format!("dismissed {na} ↔ {nb} (in {})\n", digest::DISMISSED_FILE)
        } else {
            format!("{na} ↔ {nb} was already dismissed\n")
        })?;
        return Ok(exit::OK);
    }
    if args.made {
        let mut list = digest::intro_records(&vault);
        if let Some(p) = &args.person {
            let i = vault.find_person(p)?;
            list.retain(|r| r.ia == i || r.ib == i);
        }
        if ctx.json {
            emit_json(&list)?;
            return Ok(exit::OK);
        }
        let mut o = String::new();
        for r in &list {
            let steps: Vec<String> = r
                .steps
                .iter()
                .map(|s| {
                    format!(
                        "{} {} ({}:{})",
                        s.date,
                        s.state.as_str(),
                        ctx.shown(&vault.root, &s.path).display(),
                        s.line
                    )
                })
                .collect();
            o.push_str(&format!(
                "{} ↔ {}  {} since {}
  {}
\n",
                ctx.paint("1", &r.a),
                ctx.paint("1", &r.b),
                r.state.as_str(),
                r.date,
                steps.join("\n  ")
            ));
        }
        if list.is_empty() {
            o.push_str("no introductions recorded yet — `kith intro A B` records one\n");
        }
        emit(&o)?;
        return Ok(exit::OK);
    }
    Ok(exit::OK)
}

/// Past this many notes changed since their facts were hashed, the key is
/// told from the decoded vault instead of parsing each changed note.
const PARSE_AT_MOST: usize = 512;

/// Introduction suggestions. They come from the introductions cache when
/// nothing they depend on changed (keyed on what they read of each note,
/// [`digest::introfacts`], told from the model's directory and the few
/// notes changed since): then no record is decoded, and the focused vault
/// (names and paths) is enough to find `--for`'s person.
fn suggest(ctx: &Ctx, args: &Args) -> Result<u8> {
    let mut model = ctx.open_model()?;
    let as_of = ctx.as_of(&args.as_of)?;
    let key =
        digest::introfacts::of_model(model.root(), model.config(), model.sources(), PARSE_AT_MOST);
    let (vault, list) = match digest::cached_ranked(model.root(), key, as_of) {
        Some((ranked, _)) => {
            let vault = ctx.focus(&mut model);
            let name = match args.person.as_deref() {
                Some(p) => Some(vault.notes[vault.find_person(p)?].path.clone()),
                None => None,
            };
            let ks = ranked.pick_indexes(name.as_deref(), args.limit, args.all);
            (vault, (ranked, ks))
        }
        None => {
            let vault = ctx.whole_keeping(model, digest::FRONT_KEYS)?;
            let key = key.or_else(|| digest::introfacts::of_vault(&vault));
            let name = match args.person.as_deref() {
                Some(p) => Some(vault.notes[vault.find_person(p)?].path.clone()),
                None => None,
            };
            // The matcher borrows the vault (and keeps its answers when
            // dropped): gone before the vault moves on.
            let (ranked, _) = {
                let matching = std::sync::OnceLock::new();
                digest::compute_ranked(&vault, as_of, key, &|| {
                    matching.get_or_init(|| digest::Matching::build(&vault))
                })?
            };
            let ks = ranked.pick_indexes(name.as_deref(), args.limit, args.all);
            (vault, (ranked, ks))
        }
    };
    let (ranked, ks) = list;
    // Each suggestion made whole as it is printed, and printed in blocks:
    // `--all` at 100k people is 125k of them (tens of MB of text).
    if ctx.json {
        let mut out = Blocks(Vec::with_capacity(BLOCK));
        serde_json::to_writer_pretty(&mut out, &Each(&ranked, &ks))?;
        out.0.push(b'\n');
        out.emit_all()?;
    } else {
        let mut o = String::new();
        for s in ks.iter().map(|&k| ranked.get(k)) {
            o.push_str(&format!(
                "{} ↔ {}  (score {:.2})\n  {}\n  {}:1, {}:1\n\n",
                ctx.paint("1", &s.a),
                ctx.paint("1", &s.b),
                s.score,
                s.reasons
                    .iter()
                    .chain(&s.planned)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  "),
                ctx.shown(&vault.root, &s.a_path).display(),
                ctx.shown(&vault.root, &s.b_path).display()
            ));
            if o.len() >= BLOCK {
                emit(&o)?;
                o.clear();
            }
        }
        if ks.is_empty() {
            o.push_str("no introductions to suggest\n");
        }
        emit(&o)?;
    }
    // Freeing a whole vault note by note is wasted work at exit.
    std::mem::forget(vault);
    Ok(exit::OK)
}

/// What is printed at a time.
const BLOCK: usize = 64 * 1024;

/// The suggestions `ks` of `ranked`, serialized as the list of them whole
/// would be (the same bytes), each made whole only as it is written.
struct Each<'a>(&'a digest::Ranked, &'a [usize]);

impl serde::Serialize for Each<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|&k| self.0.get(k)))
    }
}

/// Bytes printed in blocks of about [`BLOCK`], each cut after a whole
/// character (`emit` takes text).
struct Blocks(Vec<u8>);

impl Blocks {
    /// Prints the whole characters held; keeps a cut one for the next block.
    fn emit_ready(&mut self) -> Result<()> {
        let n = match std::str::from_utf8(&self.0) {
            Ok(t) => t.len(),
            Err(e) => e.valid_up_to(),
        };
        emit(&String::from_utf8_lossy(&self.0[..n]))?;
        self.0.drain(..n);
        Ok(())
    }

    fn emit_all(mut self) -> Result<()> {
        self.emit_ready()?;
        if !self.0.is_empty() {
            emit(&String::from_utf8_lossy(&self.0))?;
        }
        Ok(())
    }
}

impl std::io::Write for Blocks {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(b);
        if self.0.len() >= BLOCK {
            self.emit_ready().map_err(std::io::Error::other)?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
