//! The vault: finding it, walking it, loading every note, resolving links,
//! finding people, and the cross-note facts (touches, duplicates, dangling links).

use crate::config::Config;
use crate::date::Date;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{NoteKind, Person};
use crate::note::{self, Note};
use crate::text::{edit_distance, fold, slugify};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Folders never walked (besides every hidden folder).
const SKIP_DIRS: &[&str] = &["node_modules"];

/// Finds the vault root: `explicit` (from `--vault` or `KITH_VAULT`), else the
/// nearest ancestor of `cwd` holding `.kith/`.
pub fn find_root(explicit: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            cwd.join(dir)
        };
        if !dir.is_dir() {
            return Err(Error::VaultMissing(dir));
        }
        return Ok(dir);
    }
    cwd.ancestors()
        .find(|a| a.join(".kith").is_dir())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NoVault(cwd.to_path_buf()))
}

/// The vault's disposable cache folder (`.kith/cache/`): deleting it loses nothing.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(".kith").join("cache")
}

/// Opens a file kith keeps in `.kith/cache/` for reading, with its length at
/// opening. Only a regular file itself: a symlink (to `/dev/zero`, to a huge
/// file), a FIFO, a device or a folder found in its place is refused, never
/// followed, waited on or read without end; the caller rebuilds the cache.
pub fn open_cache_file(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking: opening a FIFO never waits for a writer.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("a symlink, not a cache file"));
    }
    let file = match opts.open(path) {
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(std::io::Error::other("a symlink, not a cache file"));
        }
        r => r?,
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "{}, not a cache file",
            file_kind(meta.file_type())
        )));
    }
    Ok((file, meta.len()))
}

/// Reads a whole cache file opened by [`open_cache_file`]'s rules, at most
/// the length it had when opened.
pub fn read_cache_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let (file, len) = open_cache_file(path)?;
    read_opened_cache_file(file, len)
}

/// Reads the first `len` bytes (its length when opened) of a cache file
/// opened by [`open_cache_file`], from its start, refusing a length no
/// cache file of kith's reaches ([`cache_read_limit`]) or memory that
/// cannot be had. A cache file
/// grown in place (a sparse `truncate -s 100G`, a crafted header) was
/// otherwise reserved whole: the allocator overcommits, so the read then
/// filled memory with the file's zeros until the kernel killed kith, or,
/// under a memory limit, aborted it with a backtrace. Refused, the cache is
/// rebuilt, saying why.
pub fn read_opened_cache_file(mut file: std::fs::File, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek};
    let limit = cache_read_limit();
    if len > limit {
        return Err(std::io::Error::other(format!(
            "it is {len} bytes long, more than a quarter of this machine's memory ({limit} bytes)"
        )));
    }
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(usize::try_from(len).unwrap_or(usize::MAX))
        .map_err(|_| {
            std::io::Error::other(format!("{len} bytes of memory to read it were refused"))
        })?;
    // From the start, whatever the caller read of it already.
    file.seek(std::io::SeekFrom::Start(0))?;
    file.take(len).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The most of a cache file read whole into memory: a quarter of the
/// machine's memory (at least 256 MiB). kith's largest are tens of MB at
/// 100k notes; a file larger than this was not written by kith as it is.
pub fn cache_read_limit() -> u64 {
    const FLOOR: u64 = 256 << 20;
    (crate::machine::ram() / 4).max(FLOOR)
}

/// Makes room for a cache file about to be renamed into `path`: a folder
/// found there (which a rename cannot replace) is removed, so the cache
/// heals instead of failing to save, and rebuilding, on every run. Only a
/// real folder inside the cache; a symlink is replaced by the rename itself.
pub fn clear_cache_slot(path: &Path) {
    if let Ok(m) = std::fs::symlink_metadata(path)
        && m.is_dir()
    {
        let _ = std::fs::remove_dir_all(path);
    }
}

/// Is a folder of this name walked? (Not hidden, not `node_modules`.)
pub fn is_walked_dir(name: &str) -> bool {
    !name.starts_with('.') && !SKIP_DIRS.contains(&name)
}

/// Is this relative path one kith reads as a note? (`*.md`, no hidden part.)
pub fn is_note_path(rel: &Path) -> bool {
    let md = rel
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"));
    md && rel.components().all(|c| match c {
        Component::Normal(s) => {
            let s = s.to_string_lossy();
            !s.starts_with('.') && !SKIP_DIRS.contains(&s.as_ref())
        }
        _ => false,
    })
}

/// Which files of a vault are notes: [`is_note_path`], minus the `ignore:`
/// patterns of the config and the templates folder Obsidian's core
/// Templates plugin or Templater names (template files hold `{{title}}`
/// placeholders, not notes). Every walk of the vault asks this one filter.
#[derive(Debug, Clone, Default)]
pub struct NoteFilter {
    patterns: Vec<Pattern>,
}

/// One `ignore:` pattern, read once: whether it is anchored (holds a `/`)
/// and its glob, both as [`ignore_matches`] decides them.
#[derive(Debug, Clone)]
struct Pattern {
    anchored: bool,
    glob: String,
}

impl Pattern {
    fn of(p: &str) -> Pattern {
        let p = p.trim();
        let p = p.strip_suffix('/').unwrap_or(p);
        let anchored = p.contains('/');
        let p = p.strip_prefix('/').unwrap_or(p);
        Pattern {
            anchored,
            glob: p.to_string(),
        }
    }
}

impl NoteFilter {
    /// The filter for the vault at `root` (reads its config and `.obsidian/`).
    pub fn for_vault(root: &Path) -> NoteFilter {
        let (config, _) = Config::load(root);
        NoteFilter::new(root, &config)
    }

    pub fn new(root: &Path, config: &Config) -> NoteFilter {
        let mut patterns: Vec<String> = config.ignore();
        patterns.extend(obsidian_template_folders(root));
        patterns.retain(|p| !p.trim().trim_matches('/').is_empty());
        NoteFilter {
            patterns: patterns.iter().map(|p| Pattern::of(p)).collect(),
        }
    }

    /// Is this vault-relative file or folder ignored (itself or a folder above it)?
    pub fn skips(&self, rel: &Path) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let s = rel.to_string_lossy().replace('\\', "/");
        let parts: Vec<&str> = s.split('/').collect();
        self.patterns.iter().any(|p| {
            if p.anchored {
                (1..=parts.len()).any(|n| glob(p.glob.as_bytes(), parts[..n].join("/").as_bytes()))
            } else {
                parts
                    .iter()
                    .any(|name| glob(p.glob.as_bytes(), name.as_bytes()))
            }
        })
    }

    /// [`skips`](Self::skips) for a walk, which never enters an ignored
    /// folder: `rel` is an entry's vault-relative path (`/`-separated) whose
    /// folder is known not to be skipped, `name` its last part. Only the
    /// entry itself can match then (the whole path for an anchored pattern,
    /// the name for the others), so nothing is allocated per entry.
    pub fn skips_entry(&self, rel: &[u8], name: &[u8]) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        if rel.contains(&b'\\') {
            // `skips` reads a backslash as a separator; so must this.
            let rel = String::from_utf8_lossy(rel);
            return self.skips(Path::new(rel.as_ref()));
        }
        let rel = String::from_utf8_lossy(rel);
        let name = String::from_utf8_lossy(name);
        self.patterns.iter().any(|p| {
            let s = if p.anchored { &rel } else { &name };
            glob(p.glob.as_bytes(), s.as_bytes())
        })
    }

    /// Is this vault-relative path a note kith reads?
    pub fn is_note(&self, rel: &Path) -> bool {
        is_note_path(rel) && !self.skips(rel)
    }
}

/// The templates folders Obsidian's settings name: the core Templates
/// plugin's `folder` (`.obsidian/templates.json`) and Templater's
/// `templates_folder` (`.obsidian/plugins/templater-obsidian/data.json`).
fn obsidian_template_folders(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (file, key) in [
        (".obsidian/templates.json", "folder"),
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            "templates_folder",
        ),
    ] {
        let Ok(bytes) = read_note_bytes(&root.join(file)) else {
            continue;
        };
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(folder) = v.get(key).and_then(|f| f.as_str())
            && !folder.trim().trim_matches('/').is_empty()
        {
            // A folder, anchored at the vault root as Obsidian means it.
            out.push(format!("/{}/", folder.trim().trim_matches('/')));
        }
    }
    out
}

/// Does an ignore pattern match `path` (vault-relative, `/`-separated)? As
/// in .gitignore: a pattern without `/` (a trailing one aside) matches a
/// file or folder name at any depth; one with `/` matches from the root; a
/// match on a folder covers everything in it. `*` and `?` stay within a
/// name, `**` crosses folders.
pub fn ignore_matches(pattern: &str, path: &str) -> bool {
    let p = pattern.trim();
    let p = p.strip_suffix('/').unwrap_or(p);
    let anchored = p.contains('/');
    let p = p.strip_prefix('/').unwrap_or(p);
    let parts: Vec<&str> = path.split('/').collect();
    if !anchored {
        return parts.iter().any(|name| glob(p.as_bytes(), name.as_bytes()));
    }
    (1..=parts.len()).any(|n| glob(p.as_bytes(), parts[..n].join("/").as_bytes()))
}

/// `*` (not across `/`), `**` (across), `?`. Memoised over (pattern
/// position, text position), so a pattern like `*a*a*a*a*b` costs at most
/// |pattern| × |path| steps times the path length, instead of the exponential
/// backtracking that hung every command on such an `ignore:` line.
fn glob(p: &[u8], s: &[u8]) -> bool {
    if !p.iter().any(|c| matches!(c, b'*' | b'?')) {
        return p == s;
    }
    let mut memo = vec![None; (p.len() + 1) * (s.len() + 1)];
    glob_at(p, s, 0, 0, &mut memo)
}

fn glob_at(p: &[u8], s: &[u8], pi: usize, si: usize, memo: &mut [Option<bool>]) -> bool {
    let key = pi * (s.len() + 1) + si;
    if let Some(known) = memo[key] {
        return known;
    }
    let found = if pi == p.len() {
        si == s.len()
    } else if p[pi..].starts_with(b"**") {
        let rest = if p.get(pi + 2) == Some(&b'/') {
            pi + 3
        } else {
            pi + 2
        };
        (si..=s.len()).any(|i| glob_at(p, s, rest, i, memo))
    } else {
        match p[pi] {
            b'*' => (si..=s.len())
                .take_while(|i| *i == si || s[i - 1] != b'/')
                .any(|i| glob_at(p, s, pi + 1, i, memo)),
            b'?' => si < s.len() && s[si] != b'/' && glob_at(p, s, pi + 1, si + 1, memo),
            c => si < s.len() && s[si] == c && glob_at(p, s, pi + 1, si + 1, memo),
        }
    };
    memo[key] = Some(found);
    found
}

/// The largest note kith reads (16 MiB). A bigger `*.md` file is reported and
/// skipped: notes are hand-written text, and an unbounded read of, say, a
/// symlink to `/dev/zero` would eat all memory.
pub const MAX_NOTE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a note file was not read.
#[derive(Debug)]
pub enum NoteReadError {
    /// Not a regular file once symlinks are followed: a FIFO, device, socket
    /// or folder. Reading one could block forever or never end.
    NotRegular(&'static str),
    /// Larger than [`MAX_NOTE_BYTES`].
    TooBig,
    Io(std::io::Error),
}

impl From<NoteReadError> for std::io::Error {
    /// For callers that only report the failure (the index keeps the old
    /// version of a note it cannot read).
    fn from(e: NoteReadError) -> std::io::Error {
        match e {
            NoteReadError::Io(e) => e,
            NoteReadError::NotRegular(kind) => {
                std::io::Error::other(format!("not a regular file but {kind}"))
            }
            NoteReadError::TooBig => std::io::Error::other(format!(
                "larger than the {} MiB a note may be",
                MAX_NOTE_BYTES >> 20
            )),
        }
    }
}

fn file_kind(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device file";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads a note file, the one way every reader of notes should: regular files
/// only (after following a symlink), never blocking on a FIFO, and at most
/// [`MAX_NOTE_BYTES`], whatever the metadata claims.
pub fn read_note_bytes(path: &Path) -> std::result::Result<Vec<u8>, NoteReadError> {
    use std::io::Read;
    // Cheap first look: never even open a FIFO or device found by the walk.
    let meta = std::fs::metadata(path).map_err(NoteReadError::Io)?;
    if !meta.is_file() {
        return Err(NoteReadError::NotRegular(file_kind(meta.file_type())));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // The file may have been swapped for a FIFO since the look above: a
        // non-blocking open never waits for a writer, and fstat below says
        // what was really opened.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(NoteReadError::Io)?;
    let meta = file.metadata().map_err(NoteReadError::Io)?;
    if !meta.is_file() {
        return Err(NoteReadError::NotRegular(file_kind(meta.file_type())));
    }
    // Read one byte past the cap rather than trusting the size in the
    // metadata: files in /proc and friends claim 0 and are not.
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_NOTE_BYTES) as usize + 1);
    file.take(MAX_NOTE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(NoteReadError::Io)?;
    if bytes.len() as u64 > MAX_NOTE_BYTES {
        return Err(NoteReadError::TooBig);
    }
    Ok(bytes)
}

/// Reads and parses one note. A file that is not a note at all (a FIFO, a
/// device, a folder, over the size cap) is `Err` with its diagnostic, so it
/// never becomes a note that later code would read again; a note that exists
/// but could not be read (permissions) is an empty note with a warning.
pub fn try_load_note(root: &Path, rel: &Path) -> std::result::Result<Note, Diagnostic> {
    match read_note_bytes(&root.join(rel)) {
        Ok(bytes) => Ok(note::parse(rel, &bytes)),
        Err(NoteReadError::NotRegular(kind)) => Err(Diagnostic::error(
            rel,
            1,
            1,
            format!("this is {kind}, not a note file; kith did not read it"),
        )
        .hint("notes must be regular files; remove it or rename it without `.md`")),
        Err(NoteReadError::TooBig) => Err(Diagnostic::error(
            rel,
            1,
            1,
            format!(
                "this file is over {} MiB, the most kith reads of a note; kith skipped it",
                MAX_NOTE_BYTES / (1024 * 1024)
            ),
        )
        .hint("split it into smaller notes, or move it out of the vault")),
        Err(NoteReadError::Io(e)) => {
            let mut n = note::parse(rel, b"");
            n.diagnostics.push(
                Diagnostic::warning(rel, 1, 1, format!("could not read this note: {e}"))
                    .hint("a dangling symlink or a permissions problem; fix or remove it"),
            );
            Ok(n)
        }
    }
}

/// Reads and parses one note; anything unreadable becomes a note with a diagnostic.
pub fn load_note(root: &Path, rel: &Path) -> Note {
    try_load_note(root, rel).unwrap_or_else(|d| {
        let mut n = note::parse(rel, b"");
        // What was not read is nobody: an empty note in `people/` would
        // otherwise become a person named after the file.
        n.person = None;
        n.diagnostics = vec![d];
        n
    })
}

/// Where someone's last contact came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchSource {
    /// A log entry in the person's own note.
    Log,
    /// A dated entry, or a whole journal note, in another note that links them.
    Mention,
    /// The `last_contact` property.
    LastContact,
    /// The `met` property.
    Met,
}

/// One dated contact with a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Touch {
    pub date: Date,
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    pub line: usize,
    pub source: TouchSource,
    /// Shared with the note: a journal that links someone on each of its
    /// lines makes a touch per line, and a copy of a long title in each
    /// would cost the product of the two.
    #[serde(serialize_with = "shared_str")]
    pub title: std::sync::Arc<str>,
}

fn shared_str<S: serde::Serializer>(
    s: &std::sync::Arc<str>,
    ser: S,
) -> std::result::Result<S::Ok, S::Error> {
    ser.serialize_str(s)
}

/// Result of resolving a link target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    None,
    One(usize),
    Many(Vec<usize>),
}

/// All notes of a vault, with the lookups built once.
pub struct Vault {
    pub root: PathBuf,
    pub config: Config,
    pub notes: Vec<Note>,
    /// Walk and config problems (not tied to a parsed note).
    pub problems: Vec<Diagnostic>,
    by_key: KeyIndex,
    /// For each note, the notes it links to (resolved once).
    pub out_links: Vec<Vec<usize>>,
    /// Mentions per person note index (dated contacts in other notes), built
    /// on first use: `show` needs one person's, the digest everyone's.
    mentions: std::sync::OnceLock<HashMap<usize, Vec<Touch>>>,
    /// Note index by relative path, built on first use: reminders ask it
    /// once per reminder, which a scan made quadratic.
    by_path: std::sync::OnceLock<HashMap<PathBuf, usize>>,
    /// For each note, the notes linking to it: the inverse of `out_links`,
    /// built on first use (per-person contact scans made the digest
    /// quadratic).
    in_links: std::sync::OnceLock<Csr>,
    /// For each note, the note each of its links resolves to, in the order
    /// of its `links` ([`NO_NOTE`]: none), built on first use: the digest's
    /// rules ask about the same links again and again, and each lookup folds
    /// the target and searches the keys.
    link_to: std::sync::OnceLock<LinkTargets>,
    /// Notes' texts read for their entries, kept while under a byte budget:
    /// the digest asks for many entries of the same note, and reading the
    /// file once per entry made a long note quadratic.
    texts: std::sync::Mutex<TextCache>,
    /// Set when a note read for its text no longer holds the bytes it was
    /// parsed from (saved since the model read it): what was derived from
    /// this vault then mixes two versions, and must not be cached under the
    /// older content hashes.
    read_changed: std::sync::atomic::AtomicBool,
    /// Per note, the content hash of the bytes it was parsed from when its
    /// entry texts were left on disk (the cached model); empty when the notes
    /// hold their texts.
    sources: Vec<u64>,
}

impl Vault {
    pub fn from_notes(
        root: PathBuf,
        config: Config,
        notes: Vec<Note>,
        problems: Vec<Diagnostic>,
    ) -> Vault {
        let by_key = KeyIndex::build(notes.iter().enumerate().map(|(i, n)| {
            (
                i,
                n.title.as_str(),
                n.path.as_path(),
                n.aliases.iter().map(String::as_str),
            )
        }));
        let mut v = Vault {
            root,
            config,
            notes,
            problems,
            by_key,
            out_links: Vec::new(),
            mentions: std::sync::OnceLock::new(),
            by_path: std::sync::OnceLock::new(),
            in_links: std::sync::OnceLock::new(),
            link_to: std::sync::OnceLock::new(),
            texts: std::sync::Mutex::new(TextCache::default()),
            read_changed: std::sync::atomic::AtomicBool::new(false),
            sources: Vec::new(),
        };
        v.out_links = (0..v.notes.len())
            .map(|i| {
                let is_person = |j: usize| v.notes[j].kind == NoteKind::Person;
                v.by_key
                    .out_links(
                        i,
                        v.notes[i].links.iter().map(|l| l.target.as_str()),
                        is_person,
                    )
                    .into_iter()
                    .map(|j| j as usize)
                    .collect()
            })
            .collect();
        v
    }

    /// A vault from facts computed earlier (the persisted model's name keys
    /// and resolved links), so a command does not resolve every link again.
    /// `notes` may hold stand-ins for notes a command does not need (see
    /// [`crate::store::Model`]): their path, kind, title, aliases and
    /// person's name keys are real, their entries, links and promises empty.
    pub fn from_parts(
        root: PathBuf,
        config: Config,
        notes: Vec<Note>,
        problems: Vec<Diagnostic>,
        keys: KeyIndex,
        out_links: Vec<Vec<usize>>,
    ) -> Vault {
        Vault {
            root,
            config,
            notes,
            problems,
            by_key: keys,
            out_links,
            mentions: std::sync::OnceLock::new(),
            by_path: std::sync::OnceLock::new(),
            in_links: std::sync::OnceLock::new(),
            link_to: std::sync::OnceLock::new(),
            texts: std::sync::Mutex::new(TextCache::default()),
            read_changed: std::sync::atomic::AtomicBool::new(false),
            sources: Vec::new(),
        }
    }

    /// Puts whole notes in place of stand-ins (same path, so the name keys
    /// and resolved links still hold), and forgets what was derived from the
    /// stand-ins.
    pub(crate) fn replace_notes(&mut self, notes: Vec<(usize, Note)>) {
        for (i, n) in notes {
            if let Some(slot) = self.notes.get_mut(i) {
                *slot = n;
            }
        }
        self.mentions = std::sync::OnceLock::new();
        self.by_path = std::sync::OnceLock::new();
        self.link_to = std::sync::OnceLock::new();
        if let Ok(mut t) = self.texts.lock() {
            *t = TextCache::default();
        }
    }

    /// Marks the notes as parsed from bytes with these content hashes, their
    /// entry texts left on disk (see [`entry_text`](Self::entry_text)).
    pub(crate) fn set_sources(&mut self, hashes: Vec<u64>) {
        self.sources = hashes;
    }

    /// The text under a log entry of note `idx`. When the model keeps texts on
    /// disk, it is read from the note, checking the note still has the bytes
    /// the model was built from; if it changed since, the note is parsed again
    /// and the entry at the same line, with the same date and title, is used
    /// (none: empty): never another entry's text, one that an edit moved to
    /// this line.
    pub fn entry_text(&self, idx: usize, entry: &crate::model::LogEntry) -> String {
        let Some(n) = self.notes.get(idx) else {
            return String::new();
        };
        if let Some(t) = n.entry_text(entry) {
            return t;
        }
        if let Some(t) = self.cached_text(idx) {
            return slice_entry(&t, entry.span);
        }
        let again = self.texts.lock().ok().and_then(|c| match c.map.get(&idx) {
            Some(Text::Again(n)) => Some(n.clone()),
            _ => None,
        });
        if let Some(a) = again {
            return changed_entry_text(&a, entry);
        }
        let Some((bytes, same)) = self.read_now(idx) else {
            return String::new();
        };
        if same {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let text: std::sync::Arc<str> = String::from_utf8_lossy(bytes).into();
            let t = slice_entry(&text, entry.span);
            if let Ok(mut c) = self.texts.lock() {
                c.put(idx, text);
            }
            return t;
        }
        // Parsed again once for all its entries (each read again was a
        // read and a parse of the whole note per entry: quadratic).
        let again = std::sync::Arc::new(note::parse(&n.path, &bytes));
        if let Ok(mut c) = self.texts.lock() {
            c.put_again(idx, again.clone(), bytes.len());
        }
        changed_entry_text(&again, entry)
    }

    /// The whole text of note `idx` (BOM removed) as the model was built from
    /// it, from the cache of [`entry_text`](Self::entry_text) when there
    /// (a text read here is not kept: callers read each note once); `None`
    /// when it cannot be read or changed since the model was built.
    pub fn note_text(&self, idx: usize) -> Option<std::sync::Arc<str>> {
        if let Some(t) = self.cached_text(idx) {
            return Some(t);
        }
        let (bytes, same) = self.read_now(idx)?;
        if !same {
            return None;
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        Some(String::from_utf8_lossy(bytes).into())
    }

    /// The bytes of note `idx` as they are on disk now (by the capped note
    /// reader); noted by [`read_changed`](Self::read_changed) when they are
    /// no longer those the model was built from.
    pub fn note_bytes_now(&self, idx: usize) -> Option<Vec<u8>> {
        self.read_now(idx).map(|(bytes, _)| bytes)
    }

    /// Note `idx`'s bytes as they are on disk now (by the capped note
    /// reader), and whether they are the ones the model was built from (or
    /// the model does not know). A note gone, unreadable or changed since is
    /// noted by [`read_changed`](Self::read_changed): what is derived from
    /// it now (or from its absence: an editor that deletes and writes again,
    /// a rename under way) is not what its content hash says, so nothing of
    /// this run may be cached under that hash.
    fn read_now(&self, idx: usize) -> Option<(Vec<u8>, bool)> {
        let n = self.notes.get(idx)?;
        let hash = self.sources.get(idx).copied().unwrap_or(0);
        let Ok(bytes) = read_note_bytes(&self.root.join(&n.path)) else {
            if hash != 0 {
                self.saw_change();
            }
            return None;
        };
        let same = hash == 0 || crate::text::content_hash(&bytes) == hash;
        if !same {
            self.saw_change();
        }
        Some((bytes, same))
    }

    fn saw_change(&self) {
        self.read_changed
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a note read for its text had changed since the model was
    /// built: results derived from this vault are then not to be cached.
    pub fn read_changed(&self) -> bool {
        self.read_changed.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn cached_text(&self, idx: usize) -> Option<std::sync::Arc<str>> {
        match self.texts.lock().ok()?.map.get(&idx) {
            Some(Text::Same(t)) => Some(t.clone()),
            _ => None,
        }
    }

    /// Notes parsed again from disk with everything in them (entry texts
    /// included), for consumers that need whole notes, like plugins.
    pub fn full_notes(&self, idxs: &[usize]) -> Vec<Note> {
        idxs.par_iter()
            .filter_map(|i| self.notes.get(*i))
            .map(|n| {
                if self.sources.is_empty() {
                    n.clone()
                } else {
                    load_note(&self.root, &n.path)
                }
            })
            .collect()
    }

    /// Resolves a link target by name, alias, file stem or path, ignoring case
    /// and accents.
    pub fn resolve(&self, target: &str) -> Resolved {
        match self.by_key.get(&fold(target)) {
            [] => Resolved::None,
            [one] => Resolved::One(*one as usize),
            v => Resolved::Many(v.iter().map(|i| *i as usize).collect()),
        }
    }

    /// Like [`resolve`](Self::resolve), choosing a person note when several match.
    pub fn resolve_one(&self, target: &str) -> Option<usize> {
        // Straight from the lookup, without copying the candidates: every link
        // of the vault passes here, and a name shared by thousands of notes
        // would make a copy per link quadratic.
        self.by_key
            .resolve_one(target, |i| {
                self.notes
                    .get(i)
                    .is_some_and(|n| n.kind == NoteKind::Person)
            })
            .map(|i| i as usize)
    }

    /// The notes one log entry links (resolved, without duplicates), at most
    /// `max` of them; with `owner`, the note holding the entry too when it is
    /// a person note.
    pub fn entry_links(
        &self,
        note: usize,
        entry: &crate::model::LogEntry,
        max: usize,
        owner: bool,
    ) -> Vec<usize> {
        let mut who: Vec<usize> = entry
            .links()
            .iter()
            .take(max)
            .filter_map(|t| self.resolve_one(t))
            .collect();
        if owner && self.notes[note].person.is_some() {
            who.push(note);
        }
        who.sort_unstable();
        who.dedup();
        who
    }

    /// Person notes: (note index, note, person).
    pub fn people(&self) -> impl Iterator<Item = (usize, &Note, &Person)> {
        self.notes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.person.as_ref().map(|p| (i, n, p)))
    }

    pub fn person(&self, idx: usize) -> Option<&Person> {
        self.notes.get(idx).and_then(|n| n.person.as_ref())
    }

    /// Finds a person by name, alias, email or slug, or by the starts of
    /// their name's words (`tomas m`, `len`), ignoring case and accents; the
    /// rules are [`crate::lookup::find`]. Only a real ambiguity is an error
    /// that lists the candidates.
    pub fn find_person(&self, query: &str) -> Result<usize> {
        let found = crate::lookup::find(
            query,
            self.people().map(|(i, n, p)| crate::lookup::Candidate {
                id: i,
                name: &p.name,
                aliases: &p.aliases,
                emails: &p.emails,
                stem: n.path.file_stem().and_then(|s| s.to_str()).unwrap_or(""),
            }),
        );
        let hits = match found {
            crate::lookup::Lookup::One(i) => vec![i],
            crate::lookup::Lookup::Many(v) => v,
            crate::lookup::Lookup::None => Vec::new(),
        };
        match hits.len() {
            1 => Ok(hits[0]),
            0 => {
                let sugg = self.suggest_people(query, 5);
                let message = if query.trim().is_empty() {
                    "no person given: the name is empty\n  hint: name someone, e.g. `lena` or `lena f`; `kith list` shows everyone".to_string()
                } else if sugg.is_empty() {
                    format!(
                        "no person matches `{query}`\n  hint: create them with `kith new \"{query}\"`"
                    )
                } else {
                    format!(
                        "no person matches `{query}`; did you mean {}?\n  hint: `kith list` shows everyone",
                        sugg.iter()
                            .map(|i| format!("`{}`", self.notes[*i].title))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                Err(Error::UnknownPerson { message })
            }
            _ => {
                let list = hits
                    .iter()
                    .map(|i| {
                        format!(
                            "  {} ({})",
                            self.notes[*i].title,
                            self.notes[*i].path.display()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                Err(Error::UnknownPerson {
                    message: format!(
                        "`{query}` fits several people; did you mean one of these?\n{list}\n  hint: type more of the name (`lena f`), or use an email or the file name"
                    ),
                })
            }
        }
    }

    /// People whose name or alias is close to `query` (substring or small typo).
    pub fn suggest_people(&self, query: &str, max: usize) -> Vec<usize> {
        let q = fold(query);
        let mut scored: Vec<(usize, usize)> = Vec::new();
        for (i, n, p) in self.people() {
            let mut best = usize::MAX;
            for name in std::iter::once(&p.name).chain(&p.aliases) {
                let f = fold(name);
                if !q.is_empty() && (f.contains(&q) || f.split(' ').any(|w| w == q)) {
                    best = 0;
                }
                let limit = (q.len() / 4).clamp(1, 3);
                if let Some(d) = edit_distance(&f, &q, limit) {
                    best = best.min(d + 1);
                }
                for w in f.split(' ') {
                    if let Some(d) = edit_distance(w, &q, limit.min(2)) {
                        best = best.min(d + 1);
                    }
                }
            }
            if n.stem() == slugify(query) {
                best = 0;
            }
            if best != usize::MAX {
                scored.push((best, i));
            }
        }
        scored.sort();
        scored.into_iter().take(max).map(|(_, i)| i).collect()
    }

    /// A person note's own log entries as touches.
    fn own_touches(&self, idx: usize) -> impl Iterator<Item = Touch> + '_ {
        let n = &self.notes[idx];
        n.person
            .as_ref()
            .map(|_| n.entries.iter())
            .into_iter()
            .flatten()
            .map(move |e| Touch {
                date: e.date,
                path: n.path.clone(),
                line: e.line as usize,
                source: TouchSource::Log,
                title: (*e.title).into(),
            })
    }

    fn mentions(&self) -> &HashMap<usize, Vec<Touch>> {
        self.mentions.get_or_init(|| self.compute_mentions())
    }

    fn compute_mentions(&self) -> HashMap<usize, Vec<Touch>> {
        let mut t: HashMap<usize, Vec<Touch>> = HashMap::new();
        // (person, note, line, date) of each mention already counted: a set,
        // since a scan of the person's touches per link is quadratic in a
        // journal that links someone on every one of its lines.
        let mut seen: std::collections::HashSet<(usize, usize, usize, Date)> =
            std::collections::HashSet::new();
        for (i, n) in self.notes.iter().enumerate() {
            // Each title once per note, then shared by its touches.
            let note_title: std::sync::Arc<str> = n.title.as_str().into();
            let mut entry_titles: HashMap<usize, std::sync::Arc<str>> = HashMap::new();
            if !matches!(n.kind, NoteKind::Journal | NoteKind::Event) {
                continue;
            }
            for l in &n.links {
                let Some(j) = self.resolve_one(&l.target) else {
                    continue;
                };
                if j == i || self.notes[j].person.is_none() {
                    continue;
                }
                let touch = match l.entry {
                    Some(k) => {
                        let k = k as usize;
                        let e = &n.entries[k];
                        let title = entry_titles.entry(k).or_insert_with(|| (*e.title).into());
                        Some((e.date, e.line as usize, &*title))
                    }
                    None if n.kind == NoteKind::Journal
                        && l.key.as_deref() != Some("attendees") =>
                    {
                        n.date.map(|d| (d, l.line as usize, &note_title))
                    }
                    None => None,
                };
                if let Some((date, line, title)) = touch
                    && seen.insert((j, i, line, date))
                {
                    t.entry(j).or_default().push(Touch {
                        date,
                        path: n.path.clone(),
                        line,
                        source: TouchSource::Mention,
                        title: std::sync::Arc::clone(title),
                    });
                }
            }
        }
        t
    }

    /// Every dated contact with the person at note `idx`, oldest first.
    pub fn touches(&self, idx: usize) -> Vec<Touch> {
        let mut v: Vec<Touch> = self.own_touches(idx).collect();
        v.extend(self.mentions().get(&idx).into_iter().flatten().cloned());
        v.sort_by(|a, b| (a.date, &a.path, a.line).cmp(&(b.date, &b.path, b.line)));
        v
    }

    /// The last contact on or before `as_of`: the latest of touches,
    /// `last_contact` and `met.date`.
    pub fn last_contact(&self, idx: usize, as_of: Date) -> Option<Touch> {
        let n = &self.notes[idx];
        let p = n.person.as_ref()?;
        // The latest own entry, then the latest mention: same order as one
        // list of touches, so ties go the same way.
        let own = n
            .entries
            .iter()
            .filter(|e| e.date <= as_of)
            .max_by_key(|e| e.date)
            .map(|e| Touch {
                date: e.date,
                path: n.path.clone(),
                line: e.line as usize,
                source: TouchSource::Log,
                title: (*e.title).into(),
            });
        let mut best: Option<Touch> = own
            .into_iter()
            .chain(
                self.mentions()
                    .get(&idx)
                    .into_iter()
                    .flatten()
                    .filter(|t| t.date <= as_of)
                    .cloned(),
            )
            .max_by(|a, b| {
                (a.date, std::cmp::Reverse(&a.path)).cmp(&(b.date, std::cmp::Reverse(&b.path)))
            });
        let fm = n.front.as_ref();
        let mut consider = |date: Option<Date>, key: &str, source: TouchSource| {
            if let Some(d) = date.filter(|d| *d <= as_of)
                && best.as_ref().is_none_or(|b| d > b.date)
            {
                best = Some(Touch {
                    date: d,
                    path: n.path.clone(),
                    line: fm.map_or(1, |f| f.pos(key).0),
                    source,
                    title: "".into(),
                });
            }
        };
        consider(p.last_contact, "last_contact", TouchSource::LastContact);
        consider(p.met.as_ref().and_then(|m| m.date), "met", TouchSource::Met);
        best
    }

    /// Every promise with the person it is owed to: (person note, note holding
    /// the promise, promise). In a person note a promise is owed to that person;
    /// elsewhere to each person the item links.
    pub fn promises(&self) -> Vec<(usize, usize, &crate::model::Promise)> {
        let mut out = Vec::new();
        for (i, n) in self.notes.iter().enumerate() {
            for p in &n.promises {
                if n.person.is_some() {
                    out.push((i, i, p));
                    continue;
                }
                let mut owed: Vec<usize> = p
                    .links
                    .iter()
                    .filter_map(|t| self.resolve_one(t))
                    .filter(|j| self.notes[*j].person.is_some())
                    .collect();
                owed.sort_unstable();
                owed.dedup();
                out.extend(owed.into_iter().map(|j| (j, i, p)));
            }
        }
        out
    }

    /// Errors for names, aliases and emails used by more than one person note,
    /// reported on each of the notes involved.
    pub fn duplicate_diagnostics(&self) -> Vec<Diagnostic> {
        // key -> [(note, field, as written)]
        let mut owners: HashMap<String, Vec<(usize, &'static str, String)>> = HashMap::new();
        for (i, _, p) in self.people() {
            for k in crate::identity::keys(p) {
                owners.entry(k.key).or_default().push((i, k.field, k.shown));
            }
        }
        let mut out = Vec::new();
        for (key, list) in owners.iter().filter(|(_, l)| l.len() > 1) {
            let what = if key.starts_with("e:") {
                "email"
            } else {
                "name"
            };
            for (i, field, shown) in list {
                let Some((j, _, _)) = list.iter().find(|(j, _, _)| j != i) else {
                    continue;
                };
                let (n, other) = (&self.notes[*i], &self.notes[*j]);
                let (line, col) = n.front.as_ref().map_or((1, 1), |f| f.pos(field));
                out.push(
                    Diagnostic::error(
                        &n.path,
                        line,
                        col,
                        format!(
                            "duplicate {what} `{shown}`: {} ({}) has it too",
                            other.title,
                            other.path.display()
                        ),
                    )
                    .hint("merge the two notes, or tell them apart with a distinct name or alias"),
                );
            }
        }
        out
    }

    /// Warnings for links that match no note.
    pub fn dangling_link_diagnostics(&self) -> Vec<Diagnostic> {
        // Fuzzy suggestions cost a pass over all people each: offer them for
        // the first few dangling links only, so a big vault stays linear.
        const SUGGEST_AT_MOST: usize = 50;
        let mut out = Vec::new();
        for n in &self.notes {
            for l in &n.links {
                if self.resolve(&l.target) != Resolved::None {
                    continue;
                }
                let sugg = if out.len() < SUGGEST_AT_MOST {
                    self.suggest_people(&l.target, 1)
                } else {
                    Vec::new()
                };
                let hint = match sugg.first() {
                    Some(i) => format!("did you mean [[{}]]?", self.notes[*i].title),
                    None => new_note_hint(l.key.as_deref(), &l.target),
                };
                out.push(
                    Diagnostic::warning(
                        &n.path,
                        l.line as usize,
                        l.column as usize,
                        format!("link [[{}]] matches no note", l.target),
                    )
                    .hint(hint),
                );
            }
        }
        out
    }

    /// Every finding: per-note, walk/config problems, duplicates, dangling links.
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.problems.clone();
        for n in &self.notes {
            all.extend(n.diagnostics.iter().cloned());
        }
        all.extend(self.duplicate_diagnostics());
        all.extend(self.dangling_link_diagnostics());
        crate::diag::sort(&mut all);
        all
    }

    /// The notes that link to note `idx` (ascending).
    pub fn linked_from(&self, idx: usize) -> &[usize] {
        self.in_links
            .get_or_init(|| {
                // Counted, then placed: two flat arrays, not a list per note.
                let n = self.notes.len();
                let mut off = vec![0usize; n + 1];
                for outs in &self.out_links {
                    for &i in outs {
                        if let Some(c) = off.get_mut(i + 1) {
                            *c += 1;
                        }
                    }
                }
                for i in 0..n {
                    off[i + 1] += off[i];
                }
                let mut to = vec![0usize; off[n]];
                let mut next = off.clone();
                for (j, outs) in self.out_links.iter().enumerate() {
                    for &i in outs {
                        if i < n {
                            to[next[i]] = j;
                            next[i] += 1;
                        }
                    }
                }
                Csr { off, to }
            })
            .of(idx)
    }

    /// The note link `k` of note `note` resolves to ([`resolve_one`] of its
    /// target), from a table built once for every link of the vault.
    ///
    /// [`resolve_one`]: Self::resolve_one
    pub fn link_target(&self, note: usize, k: usize) -> Option<usize> {
        let n = self.notes.get(note)?;
        let all = self.link_to.get_or_init(|| self.link_table(false)).of(note);
        // A table of other links (notes replaced since) is not trusted.
        match all.get(k) {
            Some(&j) if all.len() == n.links.len() => (j != NO_NOTE).then_some(j as usize),
            _ => self.resolve_one(&n.links.get(k)?.target),
        }
    }

    /// Builds the table [`link_target`](Self::link_target) reads, on every
    /// core. To be called where no other thread may be building it (the
    /// lazy path builds it on one thread: a rayon worker blocked on the
    /// table while it waits for work of its own would never wake).
    pub fn resolve_links(&self) {
        if self.link_to.get().is_none() {
            let t = self.link_table(true);
            let _ = self.link_to.set(t);
        }
    }

    fn link_table(&self, parallel: bool) -> LinkTargets {
        // Most targets are written many times (a friend's name in every
        // entry about them): each text is resolved once per part, then
        // looked up as written.
        // Every key in a hash table first: a binary search over the sorted
        // keys costs some forty string comparisons in scattered memory per
        // link, a few tenths of a second for the links of 100k notes.
        let keys = self.by_key.ranges();
        let is_person = |i: u32| {
            self.notes
                .get(i as usize)
                .is_some_and(|n| n.kind == NoteKind::Person)
        };
        // As [`KeyIndex::resolve_one`]: a person note when several match.
        let resolve = |target: &str| -> u32 {
            let Some(&(lo, hi)) = keys.get(fold(target).as_str()) else {
                return NO_NOTE;
            };
            let v = &self.by_key.notes[lo as usize..hi as usize];
            v.iter()
                .copied()
                .find(|i| is_person(*i))
                .or(v.first().copied())
                .unwrap_or(NO_NOTE)
        };
        let part = |notes: &[Note]| -> Vec<u32> {
            let mut seen: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
            let mut to = Vec::new();
            for n in notes {
                for l in &n.links {
                    let j = *seen
                        .entry(l.target.as_str())
                        .or_insert_with(|| resolve(&l.target));
                    to.push(j);
                }
            }
            to
        };
        // Two parts per core at most: a bigger part finds more repeats.
        let size = if parallel {
            self.notes
                .len()
                .div_ceil(2 * rayon::current_num_threads().max(1))
                .max(4096)
        } else {
            self.notes.len().max(1)
        };
        let parts: Vec<Vec<u32>> = if parallel {
            self.notes.par_chunks(size).map(part).collect()
        } else {
            self.notes.chunks(size).map(part).collect()
        };
        let mut off = Vec::with_capacity(self.notes.len() + 1);
        off.push(0);
        for n in &self.notes {
            off.push(off[off.len() - 1] + n.links.len());
        }
        LinkTargets {
            off,
            to: parts.concat(),
        }
    }

    /// Who links to whom, as the persisted model saved it (offsets per
    /// note into `to`): a focused vault does not invert every note's links.
    pub(crate) fn set_linked_from(&mut self, off: Vec<usize>, to: Vec<usize>) {
        self.in_links = std::sync::OnceLock::from(Csr { off, to });
    }

    /// Index of the note at a relative path.
    pub fn note_index(&self, rel: &Path) -> Option<usize> {
        self.by_path
            .get_or_init(|| {
                self.notes
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.path.clone(), i))
                    .collect()
            })
            .get(rel)
            .copied()
    }

    /// Per note, the content hash of the bytes it was parsed from (0 for a
    /// note that could not be read), when the vault came from the persisted
    /// model; empty otherwise. Derived caches key on them.
    pub fn source_hashes(&self) -> &[u64] {
        &self.sources
    }
}

/// Every note's name keys (folded title, file stem, path without `.md`,
/// aliases) with the notes holding them, sorted by key: one string and two
/// arrays, so the persisted model saves and loads it without an allocation
/// per key, and a lookup is a binary search.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyIndex {
    /// The keys, one after another.
    blob: String,
    /// Where each key ends in `blob`.
    ends: Vec<u32>,
    /// The note each key belongs to; ascending among equal keys.
    notes: Vec<u32>,
}

impl KeyIndex {
    /// The keys of notes given as (index, title, path, aliases).
    pub fn build<'a, A: IntoIterator<Item = &'a str>>(
        notes: impl Iterator<Item = (usize, &'a str, &'a Path, A)>,
    ) -> KeyIndex {
        let mut all: Vec<(String, u32)> = Vec::new();
        for (i, title, path, aliases) in notes {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut keys = vec![fold(title), fold(&stem)];
            let whole = fold(&path.with_extension("").to_string_lossy());
            // Every trailing part of the path too, as Obsidian resolves
            // `[[team/Ann Lee]]` to `people/team/Ann Lee.md`.
            keys.extend(
                whole
                    .match_indices('/')
                    .map(|(at, _)| whole[at + 1..].to_string()),
            );
            keys.push(whole);
            keys.extend(aliases.into_iter().map(fold));
            keys.sort();
            keys.dedup();
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            all.extend(keys.into_iter().filter(|k| !k.is_empty()).map(|k| (k, i)));
        }
        all.par_sort_unstable();
        let mut k = KeyIndex {
            blob: String::with_capacity(all.iter().map(|(s, _)| s.len()).sum()),
            ends: Vec::with_capacity(all.len()),
            notes: Vec::with_capacity(all.len()),
        };
        for (s, i) in all {
            k.blob.push_str(&s);
            k.ends.push(u32::try_from(k.blob.len()).unwrap_or(u32::MAX));
            k.notes.push(i);
        }
        k
    }

    /// A saved one's three arrays, if they are whole and name only notes
    /// below `n`.
    pub fn from_raw(blob: String, ends: Vec<u32>, notes: Vec<u32>, n: usize) -> Option<KeyIndex> {
        let k = KeyIndex { blob, ends, notes };
        k.points_below(n).then_some(k)
    }

    /// The keys' bytes, where each ends, and their notes (to save them).
    pub fn raw(&self) -> (&str, &[u32], &[u32]) {
        (&self.blob, &self.ends, &self.notes)
    }

    /// Is it whole, and does it name only notes below `n`? (A saved one
    /// is checked before use.)
    pub fn points_below(&self, n: usize) -> bool {
        self.ends.len() == self.notes.len()
            && self.ends.windows(2).all(|w| w[0] <= w[1])
            && self
                .ends
                .last()
                .is_none_or(|e| *e as usize == self.blob.len())
            && self.notes.iter().all(|i| (*i as usize) < n)
            && self
                .ends
                .iter()
                .all(|e| self.blob.is_char_boundary(*e as usize))
    }

    fn key(&self, at: usize) -> &str {
        let start = if at == 0 {
            0
        } else {
            self.ends[at - 1] as usize
        };
        self.blob.get(start..self.ends[at] as usize).unwrap_or("")
    }

    /// Every key with the range of `notes` holding it, for many lookups.
    fn ranges(&self) -> rustc_hash::FxHashMap<&str, (u32, u32)> {
        let n = self.ends.len().min(self.notes.len());
        let mut out: rustc_hash::FxHashMap<&str, (u32, u32)> = rustc_hash::FxHashMap::default();
        out.reserve(n);
        let mut at = 0;
        while at < n {
            let k = self.key(at);
            let mut end = at + 1;
            while end < n && self.key(end) == k {
                end += 1;
            }
            out.insert(k, (at as u32, end as u32));
            at = end;
        }
        out
    }

    /// The notes holding an already folded key, ascending.
    pub fn get(&self, folded: &str) -> &[u32] {
        let n = self.ends.len().min(self.notes.len());
        let lo = partition(n, |i| self.key(i) < folded);
        let hi = lo + partition(n - lo, |i| self.key(lo + i) == folded);
        &self.notes[lo..hi]
    }

    /// The note a link target means: a person note when several match,
    /// else the first.
    pub fn resolve_one(&self, target: &str, is_person: impl Fn(usize) -> bool) -> Option<u32> {
        // Straight from the lookup, without copying the candidates: every
        // link of the vault passes here, and a name shared by thousands of
        // notes would make a copy per link quadratic.
        let v = self.get(&fold(target));
        v.iter()
            .copied()
            .find(|i| is_person(*i as usize))
            .or(v.first().copied())
    }

    /// The notes note `from` links to: resolved, without itself, sorted,
    /// without duplicates.
    pub fn out_links<'a>(
        &self,
        from: usize,
        targets: impl Iterator<Item = &'a str>,
        is_person: impl Fn(usize) -> bool,
    ) -> Vec<u32> {
        let mut out: Vec<u32> = targets
            .filter_map(|t| self.resolve_one(t, &is_person))
            .filter(|j| *j as usize != from)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The first `i` in `0..n` for which `pred` is false, `pred` being true
/// then false along the range (a binary search over positions).
pub(crate) fn partition(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// A list per note, packed: note `i`'s are `to[off[i]..off[i + 1]]`.
#[derive(Debug, Default)]
struct Csr {
    off: Vec<usize>,
    to: Vec<usize>,
}

impl Csr {
    fn of(&self, i: usize) -> &[usize] {
        match (self.off.get(i), self.off.get(i + 1)) {
            (Some(a), Some(b)) => self.to.get(*a..*b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// [`Vault::link_target`]'s "resolves to no note".
const NO_NOTE: u32 = u32::MAX;

/// Per note, the note each link resolves to: note `i`'s are
/// `to[off[i]..off[i + 1]]`.
#[derive(Debug, Default)]
struct LinkTargets {
    off: Vec<usize>,
    to: Vec<u32>,
}

impl LinkTargets {
    fn of(&self, i: usize) -> &[u32] {
        match (self.off.get(i), self.off.get(i + 1)) {
            (Some(a), Some(b)) => self.to.get(*a..*b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The text of `entry` (of the model) in `again`, its note as parsed again
/// after it changed: the entry at the same line with the same date and
/// title, else nothing — never another entry an edit moved to that line.
fn changed_entry_text(again: &Note, entry: &crate::model::LogEntry) -> String {
    again
        .entries
        .iter()
        .find(|e| e.line == entry.line && e.date == entry.date && e.title == entry.title)
        .and_then(|e| again.entry_text(e))
        .unwrap_or_default()
}

/// Texts of notes read for their entries, and notes parsed again because
/// they changed since the model was built, dropped all at once past a
/// budget.
#[derive(Default)]
struct TextCache {
    map: HashMap<usize, Text>,
    bytes: usize,
}

/// A note's text as the model was built from it, or the note parsed again
/// (once for all its entries) because it changed since.
enum Text {
    Same(std::sync::Arc<str>),
    Again(std::sync::Arc<Note>),
}

impl TextCache {
    const BUDGET: usize = 64 << 20;

    fn room(&mut self, len: usize) {
        if self.bytes + len > Self::BUDGET {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += len;
    }

    fn put(&mut self, idx: usize, text: std::sync::Arc<str>) {
        self.room(text.len());
        self.map.insert(idx, Text::Same(text));
    }

    fn put_again(&mut self, idx: usize, note: std::sync::Arc<Note>, len: usize) {
        self.room(len);
        self.map.insert(idx, Text::Again(note));
    }
}

/// The text under an entry, by its byte range in the note's text (the
/// parser's own slicing).
pub(crate) fn slice_entry(text: &str, span: (u32, u32)) -> String {
    note::slice_entry(text, span)
}

/// How to create the note a dangling link wants: an event when the link sits
/// where an event goes (`met.event`, `met_at`, `event`), else a person.
fn new_note_hint(key: Option<&str>, target: &str) -> String {
    let command = match key {
        Some("met" | "met_at" | "event" | "events") => "kith event new",
        _ => "kith new",
    };
    format!("create the note, e.g. `{command} \"{target}\"`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_patterns_match_like_gitignore() {
        let m = ignore_matches;
        assert!(m("templates/", "templates/Person.md"));
        assert!(
            m("Templates", "notes/Templates/x.md"),
            "a name matches at any depth"
        );
        assert!(
            !m("/Templates/", "notes/Templates/x.md"),
            "a leading / anchors"
        );
        assert!(m("/Meta/Templates", "Meta/Templates/a/b.md"));
        assert!(m("*.excalidraw.md", "drawings/x.excalidraw.md"));
        assert!(!m("*.excalidraw.md", "people/x.md"));
        assert!(m("people/*/archive", "people/team/archive/old.md"));
        assert!(!m("people/*", "peoplex/a.md"));
        assert!(m("**/drafts", "a/b/drafts/c.md"));
        assert!(m("dr?fts", "drafts/c.md"));
    }

    /// The walk asks `skips_entry` of each entry below folders it entered;
    /// that must skip exactly the paths `skips` (and `ignore_matches`) does.
    #[test]
    fn a_walk_skips_what_the_filter_skips() {
        let patterns = [
            "templates/",
            "Templates",
            "/Meta/Templates",
            "*.excalidraw.md",
            "people/*/archive",
            "**/drafts",
            "dr?fts",
            "/a.md",
            "x*y",
        ];
        let paths = [
            "templates/Person.md",
            "notes/Templates/x.md",
            "Meta/Templates/a/b.md",
            "Meta/x/Templates.md",
            "drawings/x.excalidraw.md",
            "people/team/archive/old.md",
            "people/team/x.md",
            "a/b/drafts/c.md",
            "drafts/c.md",
            "a.md",
            "b/a.md",
            "xay/z.md",
            "q/xzzy.md",
            "people/x.md",
        ];
        for p in patterns {
            let f = NoteFilter {
                patterns: vec![Pattern::of(p)],
            };
            for path in paths {
                let parts: Vec<&str> = path.split('/').collect();
                // Entered folder by folder, as the walk does.
                let walked = (1..=parts.len()).any(|n| {
                    f.skips_entry(parts[..n].join("/").as_bytes(), parts[n - 1].as_bytes())
                });
                assert_eq!(walked, f.skips(Path::new(path)), "{p} on {path}");
                assert_eq!(walked, ignore_matches(p, path), "{p} on {path}");
            }
        }
    }
}
