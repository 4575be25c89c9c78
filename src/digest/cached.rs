//! Derived digest results kept between runs in `.kith/cache/digest.bin`:
//! the introduction and share suggestions the digest shows, and help in
//! context per person. They depend only on the notes, the config, the
//! dismissals in `.kith/intros.yaml`, the date and the limits, so they are
//! stored under a *generation*: a hash of all of those (each note by its path
//! and content hash, as the model loaded it). A digest with nothing changed
//! since the last run reuses them instead of matching every need again.
//!
//! The file is disposable like the rest of `.kith/cache/`: a different
//! generation is simply recomputed; a damaged or old-format file is recomputed
//! and rewritten with one line on stderr; it is written atomically.
//!
//! # File format (`digest.bin`)
//! `KITHDGS\n`, format version (u32 LE), generation (u64 LE), checksum of the
//! payload (u64 LE), payload length (u64 LE), then the payload: postcard of
//! [`Stored`]. Postcard, like the note model (`store`): compact and plain.

use super::intros::NeedMet;
use super::{IntroSuggestion, Limits, ShareSuggestion};
use crate::date::Date;
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bump when [`Stored`] or what goes into a suggestion changes.
const FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"KITHDGS\n";
const HEADER: usize = 8 + 4 + 8 + 8 + 8;

/// The cache file.
pub fn file(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("digest.bin")
}

/// What the digest reuses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    /// The introductions shown (after the limit) and how many were left out.
    pub intros: Vec<Intro>,
    pub more_intros: usize,
    /// The shares shown (after the limit).
    pub shares: Vec<ShareSuggestion>,
    /// Help in context by person note path: what [`super::reminders`] adds
    /// for that person's first need.
    pub help: HashMap<PathBuf, Vec<String>>,
}

/// [`IntroSuggestion`] as stored (its own type stays serialize-only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intro {
    a: String,
    b: String,
    a_path: PathBuf,
    b_path: PathBuf,
    score: f64,
    reasons: Vec<String>,
    need: Option<(String, String)>,
    planned: Vec<String>,
}

impl From<&IntroSuggestion> for Intro {
    fn from(s: &IntroSuggestion) -> Intro {
        Intro {
            a: s.a.clone(),
            b: s.b.clone(),
            a_path: s.a_path.clone(),
            b_path: s.b_path.clone(),
            score: s.score,
            reasons: s.reasons.clone(),
            need: s.need.as_ref().map(|n| (n.need.clone(), n.offer.clone())),
            planned: s.planned.clone(),
        }
    }
}

impl From<Intro> for IntroSuggestion {
    fn from(s: Intro) -> IntroSuggestion {
        IntroSuggestion {
            a: s.a,
            b: s.b,
            a_path: s.a_path,
            b_path: s.b_path,
            score: s.score,
            reasons: s.reasons,
            need: s.need.map(|(need, offer)| NeedMet { need, offer }),
            planned: s.planned,
        }
    }
}

/// The generation of the digest's derived results for this vault, date and
/// limits; `None` when it cannot be told (a note's content is unknown, or
/// the dismissals file has problems the fresh computation must report).
pub fn generation(vault: &Vault, as_of: Date, limits: Limits) -> Option<u64> {
    let sources = vault.source_hashes();
    if sources.len() != vault.notes.len() || sources.contains(&0) {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    FORMAT.hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    // A rebuilt kith may match differently: the binary is part of the key.
    if let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) {
        m.len().hash(&mut h);
        m.modified().ok().hash(&mut h);
    }
    as_of.hash(&mut h);
    (limits.intros, limits.shares).hash(&mut h);
    for (n, src) in vault.notes.iter().zip(sources) {
        n.path.hash(&mut h);
        src.hash(&mut h);
    }
    // The capped reader that never opens a FIFO; a file kith cannot read
    // means no cache: the fresh computation reports it.
    let read = |rel: &Path| match crate::vault::read_note_bytes(&vault.root.join(rel))
        .map_err(std::io::Error::from)
    {
        Ok(b) => Some(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(None),
        Err(_) => None,
    };
    read(crate::config::Config::rel_path())?.hash(&mut h);
    let dismissed = read(Path::new(super::DISMISSED_FILE))?;
    if let Some(b) = &dismissed
        && !dismissals_clean(b)
    {
        return None;
    }
    dismissed.hash(&mut h);
    Some(h.finish())
}

/// Whether the dismissals file reads without a warning: `dismissed:` absent,
/// empty, or a list of pairs.
fn dismissals_clean(bytes: &[u8]) -> bool {
    use crate::yaml::Yaml;
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let Ok(y) = crate::yaml::parse(text) else {
        return false;
    };
    match y.get("dismissed") {
        None | Some(Yaml::Null) => true,
        Some(Yaml::List(items)) => items.iter().all(|it| {
            matches!(it, Yaml::List(two) if two.len() == 2 && two.iter().all(|x| x.as_scalar().is_some()))
        }),
        Some(_) => false,
    }
}

fn checksum(payload: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    payload.hash(&mut h);
    h.finish()
}

/// Why a cache file could not be used.
#[derive(Debug, PartialEq)]
pub enum Miss {
    /// No file, or one of another generation: recompute, nothing to say.
    Absent,
    /// A damaged or old-format file: recompute and say so.
    Bad(String),
}

/// What the file holds for `generation`.
pub fn read(root: &Path, generation: u64) -> Result<Stored, Miss> {
    // Never a plain read: a FIFO here would block the digest, a symlink to
    // /dev/zero would never end. What cannot be read is recomputed, saying so.
    let bytes = crate::vault::read_cache_file(&file(root)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Miss::Absent
        } else {
            Miss::Bad(format!("it could not be read ({e})"))
        }
    })?;
    decode(&bytes, generation)
}

fn decode(bytes: &[u8], generation: u64) -> Result<Stored, Miss> {
    let bad = |why: &str| Miss::Bad(why.to_string());
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(bad("it is damaged (no header)"));
    }
    let u64_at = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let mut v = [0u8; 4];
    v.copy_from_slice(&bytes[8..12]);
    let format = u32::from_le_bytes(v);
    if format != FORMAT {
        return Err(Miss::Bad(format!(
            "it has format {format}, this kith writes {FORMAT}"
        )));
    }
    if u64_at(12) != generation {
        return Err(Miss::Absent);
    }
    let (sum, len) = (u64_at(20), u64_at(28));
    let payload = &bytes[HEADER..];
    if payload.len() as u64 != len || checksum(payload) != sum {
        return Err(bad("it is damaged (checksum)"));
    }
    postcard::from_bytes(payload).map_err(|e| Miss::Bad(format!("it is damaged ({e})")))
}

/// Writes the file atomically (a temporary file renamed over it).
pub fn write(root: &Path, generation: u64, s: &Stored) -> std::io::Result<()> {
    let payload = postcard::to_stdvec(s).map_err(std::io::Error::other)?;
    let dir = crate::vault::cache_dir(root);
    std::fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".digest-")
        .tempfile_in(&dir)?;
    {
        let f = tmp.as_file_mut();
        f.write_all(MAGIC)?;
        f.write_all(&FORMAT.to_le_bytes())?;
        f.write_all(&generation.to_le_bytes())?;
        f.write_all(&checksum(&payload).to_le_bytes())?;
        f.write_all(&(payload.len() as u64).to_le_bytes())?;
        f.write_all(&payload)?;
    }
    crate::vault::clear_cache_slot(&file(root));
    tmp.persist(file(root)).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Stored {
            more_intros: 3,
            ..Stored::default()
        };
        s.help
            .insert("people/a.md".into(), vec!["B could help".into()]);
        write(dir.path(), 42, &s).unwrap();
        assert_eq!(read(dir.path(), 42), Ok(s));
        assert_eq!(read(dir.path(), 43), Err(Miss::Absent));
        let f = file(dir.path());
        let mut bytes = std::fs::read(&f).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&f, &bytes).unwrap();
        assert!(matches!(read(dir.path(), 42), Err(Miss::Bad(_))));
        bytes[8] = 99;
        assert!(matches!(decode(&bytes, 42), Err(Miss::Bad(w)) if w.contains("format 99")));
        assert!(matches!(decode(b"junk", 42), Err(Miss::Bad(_))));
    }

    #[test]
    fn broken_dismissals_bypass_the_cache() {
        assert!(dismissals_clean(b"dismissed:\n  - [A, B]\n"));
        assert!(dismissals_clean(b"# nothing yet\n"));
        assert!(!dismissals_clean(b"dismissed: [A, B]\n"));
        assert!(!dismissals_clean(b"dismissed:\n  - [A]\n"));
        assert!(!dismissals_clean(b"dismissed: [\n"));
    }
}
