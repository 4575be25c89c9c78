//! A small fluent builder: a temporary vault, notes written into it, and the
//! real `kith` binary run against it.

#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const KITH: &str = env!("CARGO_BIN_EXE_kith");

/// A temporary vault. It lives under the build's target directory, not /tmp
/// (vim and some watchers behave differently under /tmp), and is removed on drop.
pub struct TestVault {
    dir: tempfile::TempDir,
    pub root: PathBuf,
    home: PathBuf,
}

impl TestVault {
    /// An empty vault with a `.kith/` folder.
    pub fn new() -> TestVault {
        let v = TestVault::bare();
        fs::create_dir_all(v.root.join(".kith")).unwrap();
        v
    }

    /// A folder of notes without `.kith/`.
    pub fn bare() -> TestVault {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        fs::create_dir_all(&base).unwrap();
        let dir = tempfile::Builder::new()
            .prefix("vault-")
            .tempdir_in(&base)
            .unwrap();
        let root = dir.path().join("vault");
        let home = dir.path().join("home");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&home).unwrap();
        TestVault { dir, root, home }
    }

    /// Writes a note (parent folders created).
    pub fn note(&self, rel: &str, content: &str) -> &Self {
        self.write_bytes(rel, content.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
        self
    }

    /// Writes `people/<slug>.md` with `name` and extra front-matter lines, and a body.
    pub fn person(&self, slug: &str, name: &str, front: &str, body: &str) -> &Self {
        let mut s = format!("---\nname: {name}\n");
        for l in front.lines().filter(|l| !l.trim().is_empty()) {
            s.push_str(l);
            s.push('\n');
        }
        s.push_str("---\n");
        s.push_str(body);
        self.note(&format!("people/{slug}.md"), &s)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root.join(rel)).unwrap()
    }

    /// Rewrites a note with what `f` makes of its text.
    pub fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let text = self.read(rel);
        self.note(rel, &f(text));
    }

    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        fs::read(self.root.join(rel)).unwrap()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// A private HOME / XDG_CONFIG_HOME for this test (plugin trust lives there).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// `git init` plus a committer identity, using the real git CLI.
    pub fn git_init(&self) -> &Self {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["config", "user.name", "Test"]);
        self.git(&["config", "user.email", "test@example.com"]);
        self
    }

    /// Runs the git CLI in the vault; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.root)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", self.home.parent().unwrap())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A `kith` invocation with `--vault` set to this vault.
    pub fn kith<I, S>(&self, args: I) -> Kith
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut k = Kith::new(&self.root, &self.home);
        k.args.push("--vault".into());
        k.args.push(self.root.to_string_lossy().into_owned());
        k.args
            .extend(args.into_iter().map(|s| s.as_ref().to_string()));
        k
    }

    /// A `kith` invocation run from inside the vault, without `--vault`.
    pub fn kith_here<I, S>(&self, args: I) -> Kith
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut k = Kith::new(&self.root, &self.home);
        k.args
            .extend(args.into_iter().map(|s| s.as_ref().to_string()));
        k
    }
}

/// A `kith` command about to run.
pub struct Kith {
    args: Vec<String>,
    cwd: PathBuf,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
}

impl Kith {
    fn new(cwd: &Path, home: &Path) -> Kith {
        Kith {
            args: Vec::new(),
            cwd: cwd.to_path_buf(),
            env: vec![
                ("HOME".into(), home.to_string_lossy().into_owned()),
                (
                    "XDG_CONFIG_HOME".into(),
                    home.join(".config").to_string_lossy().into_owned(),
                ),
                // Test vaults live inside kith's own checkout: stop git looking above them.
                (
                    "GIT_CEILING_DIRECTORIES".into(),
                    home.parent().unwrap().to_string_lossy().into_owned(),
                ),
            ],
            stdin: None,
        }
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn cwd(mut self, dir: &Path) -> Self {
        self.cwd = dir.to_path_buf();
        self
    }

    pub fn stdin(mut self, s: &str) -> Self {
        self.stdin = Some(s.as_bytes().to_vec());
        self
    }

    /// Runs and expects exit 0.
    pub fn ok(self) -> Run {
        self.run().ok()
    }

    /// Runs and expects this exit code.
    pub fn code(self, expected: i32) -> Run {
        self.run().code(expected)
    }

    pub fn run(self) -> Run {
        let mut c = Command::new(KITH);
        c.args(&self.args)
            .current_dir(&self.cwd)
            .env_remove("KITH_VAULT")
            .env_remove("NO_COLOR")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("run kith");
        if let Some(input) = &self.stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Run {
            args: self.args,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// What a `kith` run did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(
            self.code, expected,
            "kith {:?} exited {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    pub fn ok(self) -> Self {
        self.code(0)
    }

    pub fn stdout_has(self, s: &str) -> Self {
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}:\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn stdout_lacks(self, s: &str) -> Self {
        assert!(
            !self.stdout.contains(s),
            "stdout has {s:?}:\n{}",
            self.stdout
        );
        self
    }

    pub fn stderr_has(self, s: &str) -> Self {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}:\n{}\n--- stdout\n{}",
            self.stderr,
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}):\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// What a bounded run of kith gave.
pub struct Bounded {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A `kith --vault V ARGS` command with the test's private HOME, not yet run.
pub fn kith_command(v: &TestVault, args: &[&str]) -> Command {
    let home = v.home();
    let mut cmd = Command::new(KITH);
    cmd.arg("--vault")
        .arg(&v.root)
        .args(args)
        .current_dir(&v.root)
        .env_remove("KITH_VAULT")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CEILING_DIRECTORIES", home.parent().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A kith process running, its two pipes read on threads.
pub struct Running {
    pub child: std::process::Child,
    out: std::thread::JoinHandle<Vec<u8>>,
    err: std::thread::JoinHandle<Vec<u8>>,
}

/// Starts a prepared command with its stdout and stderr read on threads
/// (a full pipe never blocks it).
pub fn spawn_piped(mut cmd: Command) -> Running {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kith");
    let read = |mut p: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = p.read_to_end(&mut s);
            s
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    Running { child, out, err }
}

impl Running {
    /// Waits for the end; kills it (and fails the test) if it is still
    /// running after `hang`: a hang check, not a timing claim.
    pub fn finish(
        mut self,
        what: &str,
        hang: std::time::Duration,
    ) -> (std::process::ExitStatus, String, String) {
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > hang {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("kith {what} still running after {hang:?}: it hangs");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let text = |h: std::thread::JoinHandle<Vec<u8>>| {
            String::from_utf8_lossy(&h.join().unwrap()).into_owned()
        };
        (status, text(self.out), text(self.err))
    }
}

/// Runs a prepared command to its end, failing the test if it hangs
/// (see [`Running::finish`]).
pub fn run_bounded(cmd: Command, what: &str, hang: std::time::Duration) -> Bounded {
    let (status, stdout, stderr) = spawn_piped(cmd).finish(what, hang);
    Bounded {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

/// Caps `cmd`'s address space at `limit` bytes: a run that would reserve a
/// huge length read from a file then fails at once instead of filling the
/// machine's memory.
#[cfg(unix)]
pub fn limit_memory(cmd: &mut Command, limit: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Makes a FIFO at `p`: a hostile vault's way to hang a reader.
#[cfg(unix)]
pub fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}
