//! Plugins: programs in any language that add checks and digest sections.
//!
//! A plugin is a folder `plugins/<name>/` in the vault with a `plugin.yaml`.
//! kith runs its command with the hook name as argument, writes one JSON
//! request on stdin and reads one JSON response on stdout (the protocol is in
//! docs/plugins.md; mdBook's preprocessors are the model). Plugins get a clean
//! environment and report; they never write the vault through kith.
//!
//! A vault cloned from elsewhere never runs code by itself: a plugin runs only
//! once the user trusted it (`kith plugin trust NAME`), which records a hash of
//! its files in the user's config folder, outside the vault. A changed plugin
//! must be trusted again.

use crate::date::Date;
use crate::diag::{Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::note::Note;
use crate::section::Section;
use crate::yaml::{self, Yaml};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The protocol version kith speaks; sent in every request.
pub const PROTOCOL: u32 = 1;
/// The hooks a plugin can serve.
pub const HOOKS: &[&str] = &["pre-commit", "check", "digest"];
/// Responses larger than this are refused.
pub const MAX_OUTPUT: usize = 4 * 1024 * 1024;
/// A plugin's stderr passes through up to this much; the rest is cut.
pub const MAX_STDERR: usize = 64 * 1024;
const DEFAULT_TIMEOUT: f64 = 10.0;

/// A plugin as described by its `plugin.yaml`.
#[derive(Debug, Clone)]
pub struct Plugin {
    pub name: String,
    pub description: String,
    pub command: String,
    pub hooks: Vec<String>,
    /// Only notes whose vault-relative path contains a match of this pattern
    /// (a glob with `*` and `**`), if set.
    pub files: Option<String>,
    pub timeout: Duration,
    pub dir: PathBuf,
    /// The folder relative to the vault (`plugins/<folder>`).
    pub rel: PathBuf,
    /// Why kith will neither trust nor run this plugin, if it will not
    /// (a name another folder declares too, a command that leaves the folder).
    pub refused: Option<String>,
}

/// Trust state of a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    Trusted,
    Untrusted,
    /// Trusted once, but its files changed since.
    Changed,
    /// Trusted by an older kith whose hash did not cover symlinks and could
    /// collide: it must be trusted again.
    Outdated,
    /// kith will not run it at all (see [`verdict`]).
    Refused,
}

/// Whether any plugin serves `hook` (trusted or not): callers then hand it
/// whole notes, entry texts included, which the cached model leaves on disk.
pub fn serves(root: &Path, hook: &str) -> bool {
    discover(root)
        .0
        .iter()
        .any(|p| p.hooks.iter().any(|h| h == hook))
}

/// Lists the vault's plugins. Broken `plugin.yaml` files are reported as
/// diagnostics and skipped; plugins that can never be trusted (two folders
/// with one name, a command leaving the folder) are listed with the reason.
pub fn discover(root: &Path) -> (Vec<Plugin>, Vec<Diagnostic>) {
    let mut out: Vec<Plugin> = Vec::new();
    let mut diags = Vec::new();
    let Ok(rd) = std::fs::read_dir(root.join("plugins")) else {
        return (out, diags);
    };
    let mut dirs: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let file = dir.join("plugin.yaml");
        let rel_dir = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
        let rel = rel_dir.join("plugin.yaml");
        let text = match read_manifest(&file) {
            Ok(t) => t,
            Err(why) => {
                diags.push(
                    Diagnostic::error(&rel, 1, 1, format!("could not read: {why}"))
                        .hint("a plugin folder needs a readable plugin.yaml"),
                );
                continue;
            }
        };
        match parse_manifest(&text, &dir) {
            Ok(mut p) => {
                p.rel = rel_dir;
                p.refused = check_command(&p.command, &p.dir).err();
                out.push(p);
            }
            Err(msg) => diags.push(
                Diagnostic::error(&rel, 1, 1, msg).hint("see docs/plugins.md for the fields"),
            ),
        }
    }
    // Two folders declaring one name: a trust by name could land on either,
    // so neither runs until one is renamed.
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &out {
        by_name
            .entry(p.name.clone())
            .or_default()
            .push(p.rel.display().to_string());
    }
    for p in &mut out {
        let folders = &by_name[&p.name];
        if folders.len() > 1 {
            p.refused = Some(format!(
                "{} plugin folders declare the name `{}`: {}; neither runs until each has its own `name:`",
                folders.len(),
                p.name,
                folders.join(" and ")
            ));
        }
    }
    (out, diags)
}

/// A `plugin.yaml` larger than this is refused unread.
const MAX_MANIFEST: u64 = 64 * 1024;

/// Reads a `plugin.yaml` only when it is a regular file of a sane size: a
/// FIFO would block every command that looks at plugins, and a link to
/// `/dev/zero` would fill memory — and a cloned vault can ship either.
fn read_manifest(file: &Path) -> std::io::Result<String> {
    use std::io::{Error as IoError, ErrorKind};
    let meta = std::fs::metadata(file)?;
    if !meta.is_file() {
        return Err(IoError::new(
            ErrorKind::InvalidInput,
            "it is not a regular file (a FIFO, a device or a folder?)",
        ));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        // Swapped for a FIFO after the check above, it must not block.
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let mut f = opts.open(file)?;
    if !f.metadata()?.is_file() {
        return Err(IoError::new(
            ErrorKind::InvalidInput,
            "it is not a regular file (a FIFO, a device or a folder?)",
        ));
    }
    let mut bytes = Vec::new();
    (&mut f).take(MAX_MANIFEST + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_MANIFEST {
        return Err(IoError::new(
            ErrorKind::InvalidInput,
            format!("it is over {} KiB", MAX_MANIFEST / 1024),
        ));
    }
    String::from_utf8(bytes).map_err(|_| IoError::new(ErrorKind::InvalidData, "it is not UTF-8"))
}

fn parse_manifest(text: &str, dir: &Path) -> std::result::Result<Plugin, String> {
    let y = yaml::parse(text).map_err(|e| format!("plugin.yaml line {}: {}", e.line, e.message))?;
    let s = |k: &str| y.get(k).and_then(Yaml::as_scalar);
    let dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = s("name").unwrap_or(dir_name);
    let command = s("command").ok_or("plugin.yaml has no `command`")?;
    let hooks: Vec<String> = match y.get("hooks") {
        Some(Yaml::List(l)) => l.iter().filter_map(Yaml::as_scalar).collect(),
        Some(v) => v.as_scalar().into_iter().collect(),
        None => Vec::new(),
    };
    if let Some(bad) = hooks.iter().find(|h| !HOOKS.contains(&h.as_str())) {
        return Err(format!("unknown hook `{bad}`; use {}", HOOKS.join(", ")));
    }
    let timeout = s("timeout")
        .and_then(|t| t.trim_end_matches('s').parse::<f64>().ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    Ok(Plugin {
        name,
        description: s("description").unwrap_or_default(),
        command,
        hooks,
        files: s("files"),
        timeout: Duration::from_secs_f64(timeout.clamp(0.05, 3600.0)),
        dir: dir.to_path_buf(),
        rel: PathBuf::new(),
        refused: None,
    })
}

/// Characters that would let a `command:` do more than run one program with
/// plain arguments (and so reach code the trust does not cover).
const SHELL_SPECIAL: &[char] = &[
    ';', '&', '|', '$', '`', '(', ')', '<', '>', '{', '}', '*', '?', '[', ']', '~', '\\', '\'',
    '"', '#', '!',
];

/// Interpreters `command:` may name as its first word, followed by a script
/// inside the plugin folder. Each of them runs the script named first and
/// hands every later word to that script, so no word can become code the
/// trust does not cover. Other programs (`env`, `find`, `xargs`, ...) may
/// treat later words as code or as programs to start, and are refused.
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node", "lua", "php",
];

fn is_interpreter(word: &str) -> bool {
    INTERPRETERS.contains(&word)
        || word
            .strip_prefix("python3.")
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}

/// The rule for `command:` (docs/plugins.md, "What a trust covers"): a plain
/// list of words — either a program inside the plugin folder (`./run`), or an
/// interpreter from [`INTERPRETERS`] followed by a script inside the folder —
/// then plain arguments for that program. Every word with a `/` names
/// something that exists inside the folder; no word contains `..`. So
/// `sh ../../x.sh`, `python3 ../x.py` and `/tmp/x` are refused, and so are
/// options before the script (`perl -e CODE`, `sh -s`, which would run the
/// request itself as code, `python3 -c`) and programs such as `env` or
/// `find` that start other programs named in their arguments.
pub fn check_command(command: &str, dir: &Path) -> std::result::Result<(), String> {
    let plain = "kith runs `command:` as a plain program and arguments, so that a trust covers exactly the code that runs; put anything more in a script inside the plugin folder";
    if let Some(c) = command
        .chars()
        .find(|c| SHELL_SPECIAL.contains(c) || (c.is_control()))
    {
        return Err(format!("`command:` contains {c:?}; {plain}"));
    }
    let words: Vec<&str> = command.split(' ').filter(|w| !w.is_empty()).collect();
    let Some(first) = words.first() else {
        return Err("`command:` is empty".into());
    };
    if first.contains('=') {
        return Err(format!(
            "`command:` starts with an environment assignment `{first}`; {plain}"
        ));
    }
    let canon = dir
        .canonicalize()
        .map_err(|e| format!("cannot read the plugin folder: {e}"))?;
    let inside = |w: &str| {
        w.strip_prefix('/')
            .is_none()
            .then(|| dir.join(w).canonicalize().ok())
            .flatten()
            .is_some_and(|p| p.starts_with(&canon))
    };
    for w in &words {
        if w.contains("..") {
            return Err(format!(
                "`command:` argument `{w}` points outside the plugin folder; only files inside {} are covered by a trust",
                dir.display()
            ));
        }
        if w.contains('/') && !inside(w) {
            return Err(format!(
                "`command:` argument `{w}` is not a file inside the plugin folder; only files inside {} are covered by a trust",
                dir.display()
            ));
        }
    }
    if first.contains('/') {
        // A program inside the folder (`./run`): its own bytes, hashed.
        return Ok(());
    }
    if !is_interpreter(first) {
        return Err(format!(
            "`command:` starts with `{first}`, which is neither a program inside the plugin folder (`./{first}`) nor one of the interpreters {}; other programs can run code named in their arguments, which a trust does not cover. {plain}",
            INTERPRETERS.join(", ")
        ));
    }
    match words.get(1) {
        // An entry of the folder: the hash covers it, and refuses it
        // when it is a symlink leaving the folder.
        Some(script)
            if !script.starts_with('-') && std::fs::symlink_metadata(dir.join(script)).is_ok() =>
        {
            Ok(())
        }
        Some(script) if script.starts_with('-') => Err(format!(
            "`command:` gives `{first}` the option `{script}` before its script; options such as `-c`, `-e` or `-s` run code that is not in a file of the folder (`-s` runs the request itself). Name the script right after `{first}`, or put the options in the script's `#!` line"
        )),
        Some(script) => Err(format!(
            "`command:` runs `{first} {script}`, but `{script}` is not a file inside the plugin folder; only files inside {} are covered by a trust",
            dir.display()
        )),
        None => Err(format!(
            "`command:` is `{first}` with no script: it would read its program from the request on stdin, which holds the vault's note text. Name a script inside the plugin folder, e.g. `{first} run`"
        )),
    }
}

/// The user's config folder for kith (outside any vault).
pub fn user_config_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("kith"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config").join("kith"))
}

fn trust_file() -> Option<PathBuf> {
    user_config_dir().map(|d| d.join("trusted-plugins.json"))
}

fn load_trust() -> BTreeMap<String, String> {
    trust_file()
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Marks hashes made with the length-prefixed framing; entries without it
/// come from older kiths and are asked again, never carried over.
const HASH_SCHEME: &str = "v2:";

/// A hash of everything in the plugin folder, or why it cannot be trusted.
///
/// Every entry (folder, file, symlink) is framed as kind, path length, path,
/// content length, content — so no two different sets of files hash alike.
/// A file's kind records whether it is executable; a symlink's content is its
/// target, and a symlink leaving the folder is refused, as is the plugin
/// folder being a symlink itself, any other kind of file, and anything
/// kith cannot read (an unreadable entry would be code the hash misses).
pub fn fingerprint(dir: &Path) -> std::result::Result<String, String> {
    let meta = std::fs::symlink_metadata(dir).map_err(|e| format!("cannot read it: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err("the plugin folder is a symlink; kith trusts only a real folder".into());
    }
    let canon = dir
        .canonicalize()
        .map_err(|e| format!("cannot read it: {e}"))?;
    let mut h = Sha256::new();
    for e in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
    {
        let e = e.map_err(|e| format!("cannot read everything in it: {e}"))?;
        let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
        let shown = rel.display();
        let ft = e.file_type();
        let (kind, content): (u8, Vec<u8>) = if ft.is_dir() {
            (b'd', Vec::new())
        } else if ft.is_symlink() {
            let target = std::fs::read_link(e.path())
                .map_err(|err| format!("cannot read {shown}: {err}"))?;
            if !link_stays_inside(rel, &target)
                || e.path()
                    .canonicalize()
                    .is_ok_and(|p| !p.starts_with(&canon))
            {
                return Err(format!(
                    "{shown} is a symlink to {} outside the plugin folder; a trust covers only what is inside it",
                    target.display()
                ));
            }
            (b'l', os_bytes(target.as_os_str()))
        } else if ft.is_file() {
            let bytes =
                std::fs::read(e.path()).map_err(|err| format!("cannot read {shown}: {err}"))?;
            (if is_executable(&e) { b'x' } else { b'f' }, bytes)
        } else {
            return Err(format!(
                "{shown} is not a file, folder or symlink (a FIFO or device?)"
            ));
        };
        let path = os_bytes(rel.as_os_str());
        h.update([kind]);
        h.update((path.len() as u64).to_le_bytes());
        h.update(&path);
        h.update((content.len() as u64).to_le_bytes());
        h.update(&content);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{HASH_SCHEME}{hex}"))
}

/// Does a symlink at `rel` (inside the folder) with this target stay inside,
/// judged on the text of the target alone?
fn link_stays_inside(rel: &Path, target: &Path) -> bool {
    use std::path::Component;
    if target.is_absolute() {
        return false;
    }
    let mut depth: i64 = rel.components().count() as i64 - 1;
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

fn is_executable(e: &walkdir::DirEntry) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        e.metadata()
            .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        s.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        s.to_string_lossy().into_owned().into_bytes()
    }
}

/// A trust is for one folder (the vault's absolute path plus `plugins/<folder>`),
/// never for a name.
fn trust_key(p: &Plugin) -> String {
    p.dir
        .canonicalize()
        .unwrap_or(p.dir.clone())
        .to_string_lossy()
        .into_owned()
}

/// Whether the plugin may run now, judged on its files as they are now; with
/// the reason when it is refused.
pub fn verdict(p: &Plugin) -> (Trust, Option<String>) {
    if let Some(why) = &p.refused {
        return (Trust::Refused, Some(why.clone()));
    }
    let now = match fingerprint(&p.dir) {
        Ok(h) => h,
        Err(why) => return (Trust::Refused, Some(why)),
    };
    let state = match load_trust().get(&trust_key(p)) {
        None => Trust::Untrusted,
        Some(h) if *h == now => Trust::Trusted,
        Some(h) if !h.starts_with(HASH_SCHEME) => Trust::Outdated,
        Some(_) => Trust::Changed,
    };
    (state, None)
}

pub fn trust_state(p: &Plugin) -> Trust {
    verdict(p).0
}

/// Records the plugin's current hash as trusted; refuses a plugin that can
/// never be trusted.
pub fn trust(p: &Plugin) -> Result<PathBuf> {
    if let Some(why) = &p.refused {
        return Err(Error::Refused(format!(
            "will not trust plugin `{}` ({}): {why}",
            p.name,
            p.rel.display()
        )));
    }
    let hash = fingerprint(&p.dir).map_err(|why| {
        Error::Refused(format!(
            "will not trust plugin `{}` ({}): {why}",
            p.name,
            p.rel.display()
        ))
    })?;
    let file = trust_file().ok_or(Error::NoConfigHome)?;
    let mut map = load_trust();
    map.insert(trust_key(p), hash);
    let bytes = serde_json::to_vec_pretty(&map)?;
    if let Some(d) = file.parent() {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    crate::write::write_if_changed(&file, &bytes)?;
    Ok(file)
}

/// A note as plugins see it.
#[derive(Debug, Serialize)]
pub struct NoteData<'a> {
    pub path: &'a Path,
    pub kind: &'a str,
    pub title: &'a str,
    pub front: serde_json::Value,
    pub person: Option<&'a crate::model::Person>,
    pub entries: Vec<EntryData<'a>>,
    pub promises: &'a [crate::model::Promise],
    pub tags: &'a [String],
}

impl<'a> NoteData<'a> {
    pub fn of(n: &'a Note) -> NoteData<'a> {
        NoteData {
            path: &n.path,
            kind: n.kind.as_str(),
            title: &n.title,
            front: n
                .front
                .as_ref()
                .map_or(serde_json::Value::Null, |f| f.value.to_json()),
            person: n.person.as_ref(),
            entries: n.entries.iter().map(|e| EntryData::of(n, e)).collect(),
            promises: &n.promises,
            tags: &n.tags,
        }
    }
}

/// A log entry as plugins see it: its fields and its text (which the entry
/// itself does not hold), in the order plugins have always read them.
#[derive(Debug, Serialize)]
pub struct EntryData<'a> {
    pub date: Date,
    pub line: u32,
    pub end_line: u32,
    pub level: u8,
    pub title: &'a str,
    pub text: String,
    pub links: crate::model::Refs<'a>,
    pub tags: crate::model::Refs<'a>,
}

impl<'a> EntryData<'a> {
    fn of(n: &'a Note, e: &'a crate::model::LogEntry) -> EntryData<'a> {
        EntryData {
            date: e.date,
            line: e.line,
            end_line: e.end_line,
            level: e.level,
            title: &e.title,
            text: n.entry_text(e).unwrap_or_default(),
            links: e.links(),
            tags: e.tags(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Request<'a> {
    protocol: u32,
    hook: &'a str,
    vault: &'a Path,
    as_of: Date,
    settings: serde_json::Value,
    notes: Vec<NoteData<'a>>,
}

#[derive(Debug, Deserialize)]
struct Response {
    #[serde(default)]
    diagnostics: Vec<PluginDiagnostic>,
    #[serde(default)]
    sections: Vec<Section>,
}

#[derive(Debug, Deserialize)]
struct PluginDiagnostic {
    path: PathBuf,
    #[serde(default = "one")]
    line: usize,
    #[serde(default = "one")]
    column: usize,
    #[serde(default)]
    severity: Option<String>,
    message: String,
    #[serde(default)]
    hint: Option<String>,
}

fn one() -> usize {
    1
}

/// What a plugin reported.
#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub sections: Vec<Section>,
}

/// Does `path` match a glob (`*` within a folder, `**` across folders)?
pub fn glob_match(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = if p.get(2) == Some(&b'/') {
                    &p[3..]
                } else {
                    &p[2..]
                };
                (0..=s.len()).any(|i| go(rest, &s[i..]))
            }
            Some(b'*') => (0..=s.len())
                .take_while(|i| *i == 0 || s[i - 1] != b'/')
                .any(|i| go(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && go(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

/// Runs one plugin for one hook. Errors name the plugin and say what went
/// wrong; nothing here can hang: a plugin past its timeout is killed with its
/// whole process group.
pub fn run(
    p: &Plugin,
    hook: &str,
    root: &Path,
    as_of: Date,
    settings: serde_json::Value,
    notes: &[&Note],
) -> Result<Outcome> {
    let notes: Vec<NoteData<'_>> = notes
        .iter()
        .filter(|n| {
            p.files
                .as_deref()
                .is_none_or(|g| glob_match(g, &n.path.to_string_lossy().replace('\\', "/")))
        })
        .map(|n| NoteData::of(n))
        .collect();
    let req = Request {
        protocol: PROTOCOL,
        hook,
        vault: root,
        as_of,
        settings,
        notes,
    };
    let input = serde_json::to_vec(&req)?;
    let fail = |message: String| Error::Plugin {
        name: p.name.clone(),
        hook: hook.to_string(),
        message,
    };
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(format!("{} \"$@\"", p.command))
        .arg(&p.name)
        .arg(hook)
        .current_dir(&p.dir)
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("KITH_PLUGIN", &p.name)
        .env("KITH_HOOK", hook)
        .env("KITH_PROTOCOL", PROTOCOL.to_string())
        // Python would write `__pycache__/` into the plugin folder on its
        // first run (so the folder no longer matches its trust), and would
        // load compiled files shipped there instead of the sources the user
        // read: it neither writes nor reads them beside the plugin.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONPYCACHEPREFIX", "/nonexistent/kith-no-pycache")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for keep in ["HOME", "LANG", "LC_ALL", "TMPDIR"] {
        if let Some(v) = std::env::var_os(keep) {
            cmd.env(keep, v);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| fail(format!("could not start `{}`: {e}", p.command)))?;
    let pid = child.id();
    let started = Instant::now();
    let deadline = started + p.timeout;
    // The pipes are served on threads that are never joined blindly: a
    // process that escaped the group could hold them open for ever.
    if let Some(mut s) = child.stdin.take() {
        std::thread::spawn(move || {
            // A plugin that does not read its input is not an error.
            let _ = s.write_all(&input);
        });
    }
    let (out_tx, out_rx) = std::sync::mpsc::channel::<(Vec<u8>, bool)>();
    if let Some(mut s) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 64 * 1024];
            let mut over = false;
            loop {
                match s.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) if buf.len() + n > MAX_OUTPUT => {
                        // Stop it now rather than read (or pipe-break) the rest.
                        over = true;
                        kill_group(pid);
                        break;
                    }
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = out_tx.send((buf, over));
        });
    }
    let (err_tx, err_rx) = std::sync::mpsc::channel::<()>();
    if let Some(mut s) = child.stderr.take() {
        let name = p.name.clone();
        std::thread::spawn(move || {
            let mut passed = 0usize;
            let mut chunk = [0u8; 8 * 1024];
            let mut err = std::io::stderr();
            loop {
                match s.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) if passed < MAX_STDERR => {
                        let n2 = n.min(MAX_STDERR - passed);
                        let _ = err.write_all(&chunk[..n2]);
                        passed += n;
                        if passed >= MAX_STDERR {
                            let _ = writeln!(
                                err,
                                "\n[plugin `{name}`: the rest of its stderr is cut, over {} KiB]",
                                MAX_STDERR / 1024
                            );
                        }
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = err_tx.send(());
        });
    }
    let timed_out = || {
        fail(format!(
            "timed out after {:.1} s and was stopped (raise `timeout` in its plugin.yaml if it needs longer)",
            p.timeout.as_secs_f64()
        ))
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if Instant::now() >= deadline => {
                kill_group(pid);
                let _ = child.wait();
                return Err(timed_out());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                kill_group(pid);
                return Err(fail(format!("wait failed: {e}")));
            }
        }
    };
    // Children the plugin left behind are stopped at once: they must not hold
    // kith (through the pipes) past the plugin's own end.
    kill_group(pid);
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(500));
    let (out, over) = match out_rx.recv_timeout(left) {
        Ok(x) => x,
        Err(_) => {
            return Err(fail(
                "exited, but a process it started (outside its process group) kept its output open; kith stopped waiting".into(),
            ));
        }
    };
    // Let its last words reach the terminal before kith's own report.
    let _ = err_rx.recv_timeout(Duration::from_millis(200));
    if over {
        return Err(fail(format!(
            "output over the {} MiB limit; it was stopped (a response must be smaller)",
            MAX_OUTPUT / (1024 * 1024)
        )));
    }
    if !status.success() {
        return Err(fail(format!("exited with {status}")));
    }
    let resp: Response = serde_json::from_slice(&out).map_err(|e| {
        let start: String = String::from_utf8_lossy(&out).chars().take(80).collect();
        fail(format!(
            "did not print a valid JSON response ({e}); it began: {start:?}"
        ))
    })?;
    let diagnostics = resp
        .diagnostics
        .into_iter()
        .map(|d| {
            let sev = match d.severity.as_deref() {
                Some("error") => Severity::Error,
                _ => Severity::Warning,
            };
            let mut x = Diagnostic::error(
                &d.path,
                d.line.max(1),
                d.column.max(1),
                format!("{} [{}]", d.message, p.name),
            );
            x.severity = sev;
            x.hint = d.hint;
            x
        })
        .collect();
    Ok(Outcome {
        diagnostics,
        sections: resp.sections,
    })
}

fn kill_group(pid: u32) {
    #[cfg(unix)]
    unsafe {
        libc::killpg(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// Runs every plugin that serves `hook` and is trusted; untrusted ones are
/// skipped with a warning saying how to trust them. Plugin failures become
/// error diagnostics naming the plugin.
pub fn run_hook(
    root: &Path,
    hook: &str,
    as_of: Date,
    config: &crate::config::Config,
    notes: &[&Note],
) -> Outcome {
    let (plugins, mut diags) = discover(root);
    let mut out = Outcome::default();
    for p in plugins.iter().filter(|p| p.hooks.iter().any(|h| h == hook)) {
        // Judged on the files as they are now, right before running: a plugin
        // changed after it was trusted does not run.
        match verdict(p) {
            (Trust::Trusted, _) => {}
            (Trust::Refused, why) => {
                diags.push(
                    Diagnostic::error(
                        &p.rel.join("plugin.yaml"),
                        1,
                        1,
                        format!(
                            "plugin `{}` ({hook}) refused: {}",
                            p.name,
                            why.unwrap_or_default()
                        ),
                    )
                    .hint("see “What a trust covers” in docs/plugins.md"),
                );
                continue;
            }
            (state, _) => {
                eprintln!(
                    "warning: skipped plugin `{}`: {}\n  hint: read {} and run `kith plugin trust {}`",
                    p.name,
                    untrusted_why(state),
                    p.dir.display(),
                    p.name
                );
                continue;
            }
        }
        match run(p, hook, root, as_of, config.plugin_settings(&p.name), notes) {
            Ok(o) => {
                out.diagnostics.extend(o.diagnostics);
                out.sections.extend(o.sections);
            }
            Err(e) => {
                let rel = p
                    .dir
                    .strip_prefix(root)
                    .unwrap_or(&p.dir)
                    .join("plugin.yaml");
                diags.push(
                    Diagnostic::error(&rel, 1, 1, e.to_string())
                        .hint("fix the plugin, or remove it from its hooks"),
                );
            }
        }
    }
    out.diagnostics.extend(diags);
    out
}

/// Why a plugin that is not trusted is skipped, in words.
pub fn untrusted_why(state: Trust) -> &'static str {
    match state {
        Trust::Changed => "changed since you trusted it",
        Trust::Outdated => {
            "trusted by an older kith whose hash missed symlinks; trust it again after reading it"
        }
        _ => "not trusted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plugins read each entry's fields and its text in the order they
    /// always did, though the entry itself no longer holds its text.
    #[test]
    fn plugins_see_entries_with_their_text() {
        let n = crate::note::parse(
            Path::new("people/a.md"),
            "\u{feff}---\r\nname: A\r\n---\r\n## 2026-11-02 Coffee\r\n Talked [[B]] #gave \r\n"
                .as_bytes(),
        );
        let json = serde_json::to_string(&NoteData::of(&n).entries).unwrap();
        assert_eq!(
            json,
            r#"[{"date":"2026-11-02","line":4,"end_line":7,"level":2,"title":"Coffee","text":"Talked [[B]] #gave","links":["B"],"tags":["gave"]}]"#
        );
        // A note of the cached model holds no text: its entries' texts read
        // empty here, as they did (plugins get notes parsed again).
        let lean = n.clone().lean();
        let json = serde_json::to_string(&NoteData::of(&lean).entries).unwrap();
        assert!(json.contains(r#""text":"","#), "{json}");
    }

    #[test]
    fn globs() {
        assert!(glob_match("people/*.md", "people/ann.md"));
        assert!(!glob_match("people/*.md", "people/x/ann.md"));
        assert!(glob_match("**/*.md", "people/x/ann.md"));
        assert!(glob_match("**/*.md", "ann.md"));
        assert!(glob_match("journal/2026-??-*.md", "journal/2026-11-20.md"));
    }

    #[test]
    fn framing_tells_one_file_from_two() {
        let a = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("run.sh"), b"SAFE\0zz.sh\0EVIL").unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::write(b.path().join("run.sh"), b"SAFE").unwrap();
        std::fs::write(b.path().join("zz.sh"), b"EVIL").unwrap();
        assert_ne!(fingerprint(a.path()), fingerprint(b.path()));
    }

    #[test]
    fn symlinks_count_and_may_not_leave() {
        assert!(link_stays_inside(Path::new("a/b"), Path::new("../c")));
        assert!(!link_stays_inside(Path::new("a/b"), Path::new("../../c")));
        assert!(!link_stays_inside(Path::new("b"), Path::new("/etc/passwd")));
        assert!(!link_stays_inside(Path::new("b"), Path::new("x/../../y")));
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.sh"), b"x").unwrap();
        std::fs::write(d.path().join("b.sh"), b"y").unwrap();
        std::os::unix::fs::symlink("a.sh", d.path().join("l.sh")).unwrap();
        let first = fingerprint(d.path()).unwrap();
        std::fs::remove_file(d.path().join("l.sh")).unwrap();
        std::os::unix::fs::symlink("b.sh", d.path().join("l.sh")).unwrap();
        assert_ne!(first, fingerprint(d.path()).unwrap());
        std::os::unix::fs::symlink("../elsewhere", d.path().join("out")).unwrap();
        assert!(fingerprint(d.path()).unwrap_err().contains("outside"));
    }

    #[test]
    fn commands_stay_in_the_folder() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("lib")).unwrap();
        std::fs::write(d.path().join("run.sh"), b"x").unwrap();
        std::fs::write(d.path().join("lib/x.py"), b"x").unwrap();
        for ok in [
            "sh run.sh",
            "python3 lib/x.py",
            "./run.sh",
            "node  run.sh --flag",
            "python3.11 run.sh -c x",
            "lib/x.py",
        ] {
            assert!(check_command(ok, d.path()).is_ok(), "{ok}");
        }
        for bad in [
            "sh ../../scripts/run.sh",
            "python3 ../x.py",
            "/tmp/x",
            "sh /tmp/x.sh",
            "sh run.sh; sh ../x",
            "sh $(echo x)",
            "sh `x`",
            "PATH=.. run",
            "perl -I/tmp/evil run.sh",
            "perl -I.. run.sh",
            "sh -s",
            "sh",
            "perl -esystem+q,sh,,q,.,.q,.,.v47.q,x.sh,",
            "python3 -c print",
            "node -e x",
            "bash --rcfile run.sh",
            "env python3 run.sh",
            "find run.sh -exec perl -ex +",
            "python3 missing.py",
            "python3 - run.sh",
            "sh lib/../../x",
            "sh ~/x.sh",
            "sh 'a b'",
            "sh run.sh\nsh x",
            "",
        ] {
            assert!(check_command(bad, d.path()).is_err(), "{bad}");
        }
    }
}
