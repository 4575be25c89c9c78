//! The introductions key: what the introductions read, not whole notes.
//!
//! Every introduction candidate and share (`intros.bin`, see
//! [`super::cached`]) is a function of the config, the dismissals, the date,
//! the kith binary and, of each note, a *projection* of it: its facts (see
//! [`facts`]). A log entry that links nobody and carries no tag, a blank
//! line at the end, a date fixed in an entry that links nobody… change a note's content but
//! not its facts, so the introductions are not computed again for them.
//!
//! Each note's facts hash is kept in `.kith/cache/introfacts.bin` by (path
//! hash, content hash), like the matcher's fields sums (`answers.rs`): a
//! run hashes the facts of only the notes whose content changed. The facts
//! are a function of the note's path and bytes alone (the note parsed from
//! them and the bytes for its prose and link lines), so a command can tell
//! the key from the model's directory, parsing only the changed notes
//! ([`of_model`]), or from a loaded vault ([`of_vault`]); both agree.
//!
//! The file follows [`super::cached`]'s discipline (header, checksum, atomic
//! write, a damaged file said once on stderr and rebuilt).

use super::cached;
use crate::note::Note;
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Bump when [`facts`] hashes anything differently.
const GENERATION: u64 = 1;

/// The facts cache file.
pub fn file(root: &Path) -> PathBuf {
    crate::vault::cache_dir(root).join("introfacts.bin")
}

/// The file's payload: per note, (path hash, content hash, facts hash).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    sums: Vec<(u64, u64, u64)>,
}

/// An introductions key, with what [`Key::still`] checks again before a
/// result is stored under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// What `intros.bin` and the digest's pick are stored under.
    pub key: u64,
    /// The binary, config and dismissals part ([`cached::settings_key`]).
    settings: u64,
}

impl Key {
    fn new(settings: u64, notes: u64) -> Key {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        ("introductions", GENERATION, settings, notes).hash(&mut h);
        Key {
            key: h.finish(),
            settings,
        }
    }

    /// Whether a result computed from `vault` may be stored under this key:
    /// no note read for its text had changed since the model read it, and
    /// the dismissals (which the computation reads again) still read as
    /// they did for the key.
    pub fn still(&self, vault: &Vault) -> bool {
        !vault.read_changed()
            && cached::settings_key(&vault.root, &vault.config) == Some(self.settings)
    }
}

/// The hash of what the introductions read of one note: `n` parsed from
/// `bytes` (its file, BOM included).
///
/// Each part, and who reads it:
/// - path, kind, title, aliases: link resolution (every rule), the names
///   and paths the suggestions quote, the title order of ties;
/// - tags, date: not read today but cheap, and a conservative superset;
/// - the whole person (`needs`, `offers`, `org`, `role`, `tags`,
///   `interests`, `values`, `location`, `introduced_by`, `intro_ok`,
///   `circle`, `name`, …): the matcher, topics, who knows whom, eligibility;
/// - the whole event and resource (a resource's title, tags, url, `added`);
/// - the kept front values (`knows`, `attendees`): who knows whom;
/// - every promise whole (text, status, dates, line, links): planned
///   introductions, promises about a resource, and task lines, which
///   neither connect nor count as prose;
/// - every link (target, line, column, entry, key) and the text of its
///   line: who knows whom (an entry linking two people, unless the link's
///   clause is a plan, read from that line), shares already sent;
/// - each log entry with a link or a tag (index, date, title, line, links,
///   tags, tasks only): entries linking people, `#intro/…` states; an entry
///   with neither is read by no introduction rule;
/// - a person's prose (body text outside log entries, headings and task
///   lines) by its text: the matcher's fields;
/// - a resource's whole content: shares match its prose.
pub fn facts(n: &Note, bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    n.path.as_os_str().as_encoded_bytes().hash(&mut h);
    n.kind.hash(&mut h);
    n.title.hash(&mut h);
    n.aliases.hash(&mut h);
    n.tags.hash(&mut h);
    n.date.hash(&mut h);
    format!("{:?}", n.person).hash(&mut h);
    format!("{:?}", n.event).hash(&mut h);
    format!("{:?}", n.resource).hash(&mut h);
    for key in super::FRONT_KEYS.values {
        format!("{:?}", n.front.as_ref().and_then(|f| f.get(key))).hash(&mut h);
    }
    n.promises.len().hash(&mut h);
    for p in &n.promises {
        format!("{p:?}").hash(&mut h);
    }
    // The lines as the plan check reads them (BOM removed, split at '\n').
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let line = |ln: usize| -> &str {
        let Some(&s) = ln.checked_sub(1).and_then(|k| starts.get(k)) else {
            return "";
        };
        let e = starts.get(ln).map_or(text.len(), |&e| e);
        text.get(s..e).unwrap_or("")
    };
    n.links.len().hash(&mut h);
    for l in &n.links {
        // As usize and `Option<String>`, as before they were stored smaller:
        // the hashes kept in the introductions' cache keep their values.
        let at = (l.line as usize, l.column as usize);
        let key = l.key.as_deref();
        (&l.target, at.0, at.1, l.entry.map(|e| e as usize), key).hash(&mut h);
        line(at.0).hash(&mut h);
    }
    for (ei, e) in n.entries.iter().enumerate() {
        if e.links().is_empty() && e.tags().is_empty() {
            continue;
        }
        (
            ei,
            e.date,
            &e.title,
            e.line,
            e.links(),
            e.tags(),
            e.tasks_only,
        )
            .hash(&mut h);
    }
    if n.person.is_some() {
        super::intros::prose_of(n, bytes).hash(&mut h);
    }
    if n.resource.is_some() || n.kind == crate::model::NoteKind::Resource {
        bytes.hash(&mut h);
    }
    h.finish()
}

/// A hash of a note's path, to find its facts hash again.
fn path_hash(path: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

/// The stored sums by path hash: (content hash, facts hash).
fn load(root: &Path) -> rustc_hash::FxHashMap<u64, (u64, u64)> {
    let stored = match cached::read::<Stored>(&file(root), GENERATION) {
        Ok(s) => s,
        Err(cached::Miss::Absent) => Stored::default(),
        Err(cached::Miss::Bad(why)) => {
            eprintln!("kith: rebuilt the introductions' facts cache because {why}");
            Stored::default()
        }
    };
    stored
        .sums
        .into_iter()
        .map(|(p, c, f)| (p, (c, f)))
        .collect()
}

/// The key from each note's (path, content hash, facts hash), in order,
/// storing the sums when some were made (`save`).
fn finish(
    t: std::time::Instant,
    root: &Path,
    settings: u64,
    sums: &[(&[u8], u64, u64)],
    made: usize,
    save: bool,
) -> Key {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (path, _, facts) in sums {
        path.hash(&mut h);
        facts.hash(&mut h);
    }
    sums.len().hash(&mut h);
    if save {
        let out = Stored {
            sums: sums
                .iter()
                .map(|(p, c, f)| (path_hash(p), *c, *f))
                .collect(),
        };
        if let Err(e) = cached::write(&file(root), GENERATION, &out)
            && std::env::var_os("KITH_TRACE").is_some()
        {
            eprintln!("trace: introductions' facts not saved: {e}");
        }
    }
    if std::env::var_os("KITH_TRACE").is_some() {
        eprintln!(
            "trace: introductions key: {} facts from the cache, {made} hashed from the notes, {:?}",
            sums.len() - made,
            t.elapsed()
        );
    }
    Key::new(settings, h.finish())
}

/// One note's (path, content hash, facts hash, whether hashed this run).
type Sum<'a> = (&'a [u8], u64, u64, bool);

/// The introductions key of a loaded vault (from the persisted model: its
/// content hashes), hashing the facts of the notes the cache lacks from the
/// vault's notes and their bytes now. `None` when it cannot be told: no
/// content hashes, a note unreadable or changed since the model read it,
/// or settings that cannot be told.
pub fn of_vault(vault: &Vault) -> Option<Key> {
    use rayon::prelude::*;
    let sources = vault.source_hashes();
    if sources.len() != vault.notes.len() || sources.contains(&0) {
        return None;
    }
    let t = std::time::Instant::now();
    let settings = cached::settings_key(&vault.root, &vault.config)?;
    let known = load(&vault.root);
    let sums: Vec<Option<Sum>> = vault
        .notes
        .par_iter()
        .zip(sources.par_iter())
        .enumerate()
        .map(|(i, (n, &c))| {
            let p = n.path.as_os_str().as_encoded_bytes();
            match known.get(&path_hash(p)) {
                Some(&(kc, f)) if kc == c => Some((p, c, f, false)),
                _ => {
                    let bytes = vault.note_bytes_now(i)?;
                    (crate::text::content_hash(&bytes) == c).then(|| (p, c, facts(n, &bytes), true))
                }
            }
        })
        .collect();
    let sums: Vec<Sum> = sums.into_iter().collect::<Option<_>>()?;
    let made = sums.iter().filter(|s| s.3).count();
    let save = (made > 0 || known.len() != sums.len()) && !vault.read_changed();
    let sums: Vec<(&[u8], u64, u64)> = sums.into_iter().map(|(p, c, f, _)| (p, c, f)).collect();
    Some(finish(t, &vault.root, settings, &sums, made, save))
}

/// The introductions key from the model's directory (each note's path and
/// content hash, in order), parsing from disk only the notes the cache
/// lacks. `None` as [`of_vault`], and when more than `at_most` notes would
/// need parsing (the caller decodes the vault anyway then).
pub fn of_model<'a>(
    root: &Path,
    config: &crate::config::Config,
    sources: impl Iterator<Item = (&'a [u8], u64)>,
    at_most: usize,
) -> Option<Key> {
    use rayon::prelude::*;
    let t = std::time::Instant::now();
    let settings = cached::settings_key(root, config)?;
    let known = load(root);
    let mut sums: Vec<(&[u8], u64, u64)> = Vec::new();
    let mut missing: Vec<usize> = Vec::new();
    for (p, c) in sources {
        if c == 0 {
            return None;
        }
        match known.get(&path_hash(p)) {
            Some(&(kc, f)) if kc == c => sums.push((p, c, f)),
            _ => {
                missing.push(sums.len());
                sums.push((p, c, 0));
            }
        }
        if missing.len() > at_most {
            return None;
        }
    }
    let made: Vec<Option<u64>> = missing
        .par_iter()
        .map(|&k| {
            let (p, c, _) = sums[k];
            let rel = path_of(p);
            let bytes = crate::vault::read_note_bytes(&root.join(&rel)).ok()?;
            (crate::text::content_hash(&bytes) == c)
                .then(|| facts(&crate::note::parse(&rel, &bytes), &bytes))
        })
        .collect();
    for (&k, f) in missing.iter().zip(made) {
        sums[k].2 = f?;
    }
    let save = !missing.is_empty() || known.len() != sums.len();
    Some(finish(t, root, settings, &sums, missing.len(), save))
}

/// A path as the model's directory stores it (its bytes).
fn path_of(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two ways of telling the key agree: the facts of a note decoded
    /// from the model (front keys cut, entry texts on disk) are those of the
    /// note parsed from its bytes.
    #[test]
    fn the_model_and_the_vault_tell_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".kith")).unwrap();
        std::fs::create_dir_all(root.join("people")).unwrap();
        std::fs::create_dir_all(root.join("resources")).unwrap();
        std::fs::write(
            root.join("people/ann.md"),
            "\u{feff}---\nname: Ann\naliases: [Annie]\nneeds: [a kayak]\nknows: [\"[[Bo]]\"]\nbirthday: 1990-01-02\nextra: kept?\n---\nAnn rows. She will ask [[Bo]].\n\n- [ ] send [[Bo]] the guide\n\n## Log\n\n### 2026-01-02 Lunch\nWith [[Bo]] #intro/asked\n\n### 2026-02-03 Call\nnothing\n",
        )
        .unwrap();
        std::fs::write(
            root.join("people/bo.md"),
            "---\nname: Bo\noffers: [kayaks]\n---\r\nBo sells kayaks.\r\n",
        )
        .unwrap();
        std::fs::write(
            root.join("resources/guide.md"),
            "---\ntitle: Guide\ntags: [kayak]\n---\nAll about kayaks.\n",
        )
        .unwrap();
        let (model, _) = crate::store::Model::open(root).unwrap();
        let from_model = of_model(root, model.config(), model.sources(), usize::MAX);
        std::fs::remove_file(file(root)).unwrap();
        let vault = crate::store::whole_keeping(model, Some(super::super::FRONT_KEYS)).unwrap();
        let from_vault = of_vault(&vault);
        assert!(from_model.is_some());
        assert_eq!(from_model, from_vault);
        // And from the cache it wrote.
        assert_eq!(of_vault(&vault), from_vault);
    }

    /// An entry that links nobody and has no tag, or a blank line at the
    /// end, leaves the facts alone; a linking entry does not.
    #[test]
    fn facts_move_only_with_what_the_introductions_read() {
        let base =
            "---\nname: Ann\n---\nAnn rows.\n\n## Log\n\n### 2026-01-02 Lunch\nWith [[Bo]]\n";
        let f = |t: &str| {
            facts(
                &crate::note::parse(Path::new("people/ann.md"), t.as_bytes()),
                t.as_bytes(),
            )
        };
        let same = [
            format!("{base}\n"),
            format!("{base}\n### 2026-03-01 Coffee\nabout boats\n"),
        ];
        for t in &same {
            assert_eq!(f(base), f(t), "{t}");
        }
        let moved = [
            format!("{base}\n### 2026-03-01 Coffee\nwith [[Cy]]\n"),
            format!("{base}\n### 2026-03-01 Coffee\n#intro/made\n"),
            base.replace("Ann rows.", "Ann sails."),
            base.replace("With [[Bo]]", "Will ask [[Bo]]"),
        ];
        for t in &moved {
            assert_ne!(f(base), f(t), "{t}");
        }
    }
}
