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
use crate::digest::Section;
use crate::error::{Error, Result};
use crate::note::Note;
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
}

/// Trust state of a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    Trusted,
    Untrusted,
    /// Trusted once, but its files changed since.
    Changed,
}

/// Lists the vault's plugins. Broken `plugin.yaml` files are reported as
/// diagnostics and skipped.
/// Whether any plugin serves `hook` (trusted or not): callers then hand it
/// whole notes, entry texts included, which the cached model leaves on disk.
pub fn serves(root: &Path, hook: &str) -> bool {
    discover(root)
        .0
        .iter()
        .any(|p| p.hooks.iter().any(|h| h == hook))
}

pub fn discover(root: &Path) -> (Vec<Plugin>, Vec<Diagnostic>) {
    let mut out = Vec::new();
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
        let rel = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        match parse_manifest(&text, &dir) {
            Ok(p) => out.push(p),
            Err(msg) => diags.push(
                Diagnostic::error(&rel, 1, 1, msg).hint("see docs/plugins.md for the fields"),
            ),
        }
    }
    (out, diags)
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
    })
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

/// A hash of every file in the plugin folder (names and contents).
pub fn hash(p: &Plugin) -> String {
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&p.dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let Ok(e) = e else { continue };
        if e.file_type().is_file() {
            files.push(e.path().to_path_buf());
        }
    }
    let mut h = Sha256::new();
    for f in files {
        let rel = f.strip_prefix(&p.dir).unwrap_or(&f);
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(std::fs::read(&f).unwrap_or_default());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn trust_key(p: &Plugin) -> String {
    p.dir
        .canonicalize()
        .unwrap_or(p.dir.clone())
        .to_string_lossy()
        .into_owned()
}

pub fn trust_state(p: &Plugin) -> Trust {
    match load_trust().get(&trust_key(p)) {
        None => Trust::Untrusted,
        Some(h) if *h == hash(p) => Trust::Trusted,
        Some(_) => Trust::Changed,
    }
}

/// Records the plugin's current hash as trusted.
pub fn trust(p: &Plugin) -> Result<PathBuf> {
    let file = trust_file().ok_or_else(|| {
        Error::Other("no HOME or XDG_CONFIG_HOME to keep trusted plugins in".into())
    })?;
    let mut map = load_trust();
    map.insert(trust_key(p), hash(p));
    let bytes = serde_json::to_vec_pretty(&map).map_err(|e| Error::Other(e.to_string()))?;
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
    pub entries: &'a [crate::model::LogEntry],
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
            entries: &n.entries,
            promises: &n.promises,
            tags: &n.tags,
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
    let input = serde_json::to_vec(&req).map_err(|e| Error::Other(e.to_string()))?;
    let fail = |msg: String| Error::Other(format!("plugin `{}` ({hook}): {msg}", p.name));
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
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
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
    let mut stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            // A plugin that does not read its input is not an error.
            let _ = s.write_all(&input);
        }
    });
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.take((MAX_OUTPUT + 1) as u64).read_to_end(&mut buf);
        }
        buf
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if started.elapsed() >= p.timeout => {
                kill_group(pid);
                let _ = child.wait();
                return Err(fail(format!(
                    "timed out after {:.1} s and was stopped (raise `timeout` in its plugin.yaml if it needs longer)",
                    p.timeout.as_secs_f64()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(fail(format!("wait failed: {e}"))),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    // Children the plugin left behind are stopped too.
    kill_group(pid);
    if !status.success() {
        return Err(fail(format!("exited with {status}")));
    }
    if out.len() > MAX_OUTPUT {
        return Err(fail(format!(
            "printed more than {} MiB",
            MAX_OUTPUT / (1024 * 1024)
        )));
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
        match trust_state(p) {
            Trust::Trusted => {}
            state => {
                let why = if state == Trust::Changed {
                    "changed since you trusted it"
                } else {
                    "not trusted"
                };
                eprintln!(
                    "warning: skipped plugin `{}`: {why}\n  hint: read {} and run `kith plugin trust {}`",
                    p.name,
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

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("people/*.md", "people/ann.md"));
        assert!(!glob_match("people/*.md", "people/x/ann.md"));
        assert!(glob_match("**/*.md", "people/x/ann.md"));
        assert!(glob_match("**/*.md", "ann.md"));
        assert!(glob_match("journal/2026-??-*.md", "journal/2026-11-20.md"));
    }
}
