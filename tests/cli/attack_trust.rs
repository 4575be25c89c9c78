//! A second attack on plugin trust and the git hook, by a tester who did not
//! write them: each test is a bypass or breakage found on the first
//! implementation, and fails on it.

use crate::support::{KITH, TestVault, run_bounded};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

fn runs(marker: &Path) -> usize {
    std::fs::read_to_string(marker)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// git in the vault with the test's private HOME; (success, stdout+stderr).
fn git_try(v: &TestVault, args: &[&OsStr]) -> (bool, String) {
    let out = Command::new("git")
        .args(args)
        .current_dir(&v.root)
        .env("HOME", v.home())
        .env("XDG_CONFIG_HOME", v.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", v.home().parent().unwrap())
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn git(v: &TestVault, args: &[&str]) -> (bool, String) {
    let a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    git_try(v, &a)
}

/// kith with raw (possibly non-UTF-8) arguments, run in the vault's folder.
fn kith_os(v: &TestVault, args: &[&OsStr]) -> (i32, String) {
    let out = Command::new(KITH)
        .args(args)
        .current_dir(&v.root)
        .env_remove("KITH_VAULT")
        .env("HOME", v.home())
        .env("XDG_CONFIG_HOME", v.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", v.home().parent().unwrap())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `command:` words without `/` or `..` were never checked, so an option
/// made an interpreter run code from elsewhere: `sh -s` runs the request on
/// stdin — the vault's note text, which any `git pull` changes — as shell
/// code; `perl -e` builds the path `../../scripts/x.sh` without writing `..`
/// or `/`; `find` and `env` start programs named in their arguments. The
/// plugin folder never changes, so its trust stayed valid.
#[test]
fn interpreter_options_and_program_runners_in_command_are_refused() {
    let v = TestVault::new();
    let marker = v.home().join("ran");
    v.note(
        "scripts/x.sh",
        &format!("echo ran >> '{}'\necho '{{}}'\n", marker.display()),
    );
    // Note text that is shell code once a shell reads the request as a script.
    v.person(
        "ann",
        "Ann",
        "",
        "### 2026-01-01 · call\n\n$(sh ../../scripts/x.sh)\n",
    );
    let cmds = [
        ("stdin-sh", "sh -s"),
        (
            "perl-e",
            "perl -esystem+q,sh,,q,.,.q,.,.v47.q,.,.q,.,.v47.q,scripts,.v47.q,x.sh,",
        ),
        ("find-exec", "find run.sh -exec sh -s +"),
        ("env", "env sh -s"),
        ("python-c", "python3 -c import"),
    ];
    let mut attempts = 0;
    for (folder, cmd) in cmds {
        v.note(
            &format!("plugins/{folder}/plugin.yaml"),
            &format!("command: {cmd}\nhooks: [check]\n"),
        );
        v.note(&format!("plugins/{folder}/run.sh"), "echo '{}'\n");
        attempts += 1;
        v.kith(["plugin", "trust", folder])
            .code(1)
            .stderr_has("will not trust");
    }
    let out = v.kith(["check"]).code(1);
    for (folder, _) in cmds {
        assert!(
            out.stdout
                .contains(&format!("plugin `{folder}` (check) refused")),
            "{folder}: {}",
            out.stdout
        );
    }
    assert_eq!(attempts, 5);
    assert_eq!(runs(&marker), 0, "code outside the plugin folders ran");
    // A plain interpreter and script inside the folder still works.
    v.note(
        "plugins/fine/plugin.yaml",
        "command: sh run.sh --verbose\nhooks: [check]\n",
    );
    v.note("plugins/fine/run.sh", "cat >/dev/null\necho '{}'\n");
    v.kith(["plugin", "trust", "fine"]).ok();
}

/// A staged symlinked note pointing at a staged file that is not a note of
/// the vault (a `.txt`, a hidden folder) was taken for "that note" and never
/// checked: a broken person note, and a duplicate, reached history.
#[test]
fn a_symlinked_note_to_a_staged_non_note_is_checked() {
    let v = TestVault::new();
    v.git_init();
    v.person("ok", "Ok Person", "", "");
    v.kith(["hook", "install"]).ok();
    git(&v, &["add", "-A"]);
    assert!(git(&v, &["commit", "-qm", "init"]).0);

    v.note("people/notes.txt", "---\nname: [unclosed\n---\n");
    std::os::unix::fs::symlink("notes.txt", v.path("people/bad.md")).unwrap();
    git(&v, &["add", "-A"]);
    let (ok, out) = git(&v, &["commit", "-qm", "sneak"]);
    assert!(
        !ok,
        "a broken note reached history through a symlink: {out}"
    );
    assert!(out.contains("people/bad.md"), "{out}");
    git(&v, &["reset", "-q", "--hard"]);
    let _ = std::fs::remove_file(v.path("people/bad.md"));

    v.note(".stash/dup.md", "---\nname: Ok Person\n---\n");
    std::os::unix::fs::symlink("../.stash/dup.md", v.path("people/dup.md")).unwrap();
    git(&v, &["add", "-A"]);
    let (ok, out) = git(&v, &["commit", "-qm", "dup"]);
    assert!(!ok, "a duplicate reached history through a symlink: {out}");
    assert!(out.contains("duplicate name"), "{out}");

    // A symlink to a real note is still that note, and commits.
    git(&v, &["reset", "-q", "--hard"]);
    let _ = std::fs::remove_file(v.path("people/dup.md"));
    std::os::unix::fs::symlink("ok.md", v.path("people/also-ok.md")).unwrap();
    git(&v, &["add", "-A"]);
    let (ok, out) = git(&v, &["commit", "-qm", "alias"]);
    assert!(ok, "{out}");
}

/// The hook says "safe to edit around", yet a second `kith hook install`
/// replaced an edited hook with a fresh copy, dropping the user's lines.
#[test]
fn reinstalling_the_hook_keeps_lines_the_user_added() {
    let v = TestVault::new();
    v.git_init();
    v.kith(["hook", "install"]).ok();
    let hook = v.path(".git/hooks/pre-commit");
    let mut text = std::fs::read_to_string(&hook).unwrap();
    text.push_str("echo my own line\n");
    std::fs::write(&hook, &text).unwrap();
    v.kith(["hook", "install"])
        .ok()
        .stdout_has("with lines you added; left as it is");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), text);
}

/// A vault folder whose name is not UTF-8 was written into the hook through
/// a lossy conversion (U+FFFD), so the hook named a folder that does not
/// exist and every commit failed.
#[test]
fn a_vault_folder_named_with_non_utf8_bytes_still_commits() {
    use std::os::unix::ffi::OsStrExt;
    let v = TestVault::bare();
    v.git_init();
    let name = OsStr::from_bytes(b"v\xff\xfe");
    std::fs::create_dir_all(v.root.join(name).join(".kith")).unwrap();
    std::fs::create_dir_all(v.root.join(name).join("people")).unwrap();
    let (code, out) = kith_os(
        &v,
        &[
            OsStr::new("--vault"),
            name,
            OsStr::new("hook"),
            OsStr::new("install"),
        ],
    );
    assert_eq!(code, 0, "{out}");
    let note = v.root.join(name).join("people/ann.md");
    std::fs::write(&note, "---\nname: Ann\n---\n").unwrap();
    git(&v, &["add", "-A"]);
    let (ok, out) = git(&v, &["commit", "-qm", "ann"]);
    assert!(ok, "a fine note could not be committed: {out}");
    std::fs::write(&note, "---\nname: [unclosed\n---\n").unwrap();
    git(&v, &["add", "-A"]);
    let (ok, out) = git(&v, &["commit", "-qm", "broken"]);
    assert!(!ok, "a broken note was committed: {out}");
    assert!(out.contains("commit blocked"), "{out}");
}

/// A cloned vault could ship `plugin.yaml` as a FIFO (every `kith check`,
/// `digest` and commit hung for ever) or as a link to `/dev/zero` (read until
/// memory ran out).
#[test]
fn a_plugin_manifest_that_is_a_fifo_or_a_device_is_an_error_not_a_hang() {
    let v = TestVault::new();
    v.person("ann", "Ann", "", "");
    std::fs::create_dir_all(v.path("plugins/fifo")).unwrap();
    let status = Command::new("mkfifo")
        .arg(v.path("plugins/fifo/plugin.yaml"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::create_dir_all(v.path("plugins/zero")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", v.path("plugins/zero/plugin.yaml")).unwrap();
    // Run under a bound: on the old code this never returned.
    let mut cmd = Command::new(KITH);
    cmd.args(["--vault", v.root.to_str().unwrap(), "check"])
        .env("HOME", v.home())
        .env("XDG_CONFIG_HOME", v.home().join(".config"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = run_bounded(cmd, "check", std::time::Duration::from_secs(20));
    let text = out.stdout;
    assert_eq!(out.code, 1, "{text}");
    assert!(text.contains("plugins/fifo/plugin.yaml"), "{text}");
    assert!(text.contains("plugins/zero/plugin.yaml"), "{text}");
    assert!(text.contains("not a regular file"), "{text}");
}

/// Python writes `__pycache__/` beside the modules a plugin imports, so a
/// trusted Python plugin with a second module became "changed since you
/// trusted it" after its first run, and never ran again.
#[test]
fn a_trusted_python_plugin_with_a_module_stays_trusted_after_it_runs() {
    let v = TestVault::new();
    v.person("ann", "Ann", "", "");
    v.note(
        "plugins/py/plugin.yaml",
        "command: python3 main.py\nhooks: [check]\n",
    );
    v.note(
        "plugins/py/main.py",
        "import sys, helper\nsys.stdin.read()\nprint(helper.ANSWER)\n",
    );
    v.note("plugins/py/helper.py", "ANSWER = '{}'\n");
    v.kith(["plugin", "trust", "py"]).ok();
    for _ in 0..2 {
        let run = v.kith(["check"]).ok();
        assert!(!run.stderr.contains("skipped plugin"), "{}", run.stderr);
    }
    assert!(!v.path("plugins/py/__pycache__").exists());
    v.kith(["plugin", "list"]).ok().stdout_lacks("CHANGED");
}

/// The pre-commit framework appends file names to the shipped `entry:`; a
/// note at the top named `-rf.md` was read by kith as options, and every
/// commit touching it failed with a usage error instead of being checked.
#[test]
fn a_note_named_like_an_option_is_checked_under_the_framework_entry() {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let entries: Vec<&str> = shipped
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: "))
        .collect();
    assert_eq!(entries.len(), 2, "{shipped}");
    let v = TestVault::new();
    v.note("-rf.md", "---\nname: [unclosed\n---\n");
    for entry in entries {
        // As the framework runs it: the entry's words, then the file names.
        let mut args: Vec<&str> = entry.split_whitespace().skip(1).collect();
        args.push("-rf.md");
        v.kith_here(args)
            .code(1)
            .stderr_has("-rf.md:2:")
            .stderr_has("commit blocked");
    }
}

/// Files named to `kith hook run pre-commit FILE...` were read whatever they
/// were: a FIFO note or config hung the commit, and a config that could not
/// be read (a folder) passed as empty, so the commit went through unchecked.
#[test]
fn named_files_that_are_not_regular_files_neither_hang_nor_pass() {
    let v = TestVault::new();
    let mkfifo = |rel: &str| {
        assert!(
            Command::new("mkfifo")
                .arg(v.path(rel))
                .status()
                .unwrap()
                .success()
        );
    };
    std::fs::create_dir_all(v.path("people")).unwrap();
    mkfifo("people/pipe.md");
    mkfifo(".kith/config.yaml");
    let mut cmd = Command::new(KITH);
    cmd.args([
        "hook",
        "run",
        "pre-commit",
        "people/pipe.md",
        ".kith/config.yaml",
    ])
    .current_dir(&v.root)
    .env("HOME", v.home())
    .env("XDG_CONFIG_HOME", v.home().join(".config"))
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let out = run_bounded(cmd, "hook run", std::time::Duration::from_secs(20));
    let err = out.stderr;
    assert_eq!(out.code, 1, "{err}");
    assert!(err.contains("people/pipe.md:1:1: warning"), "{err}");
    assert!(err.contains(".kith/config.yaml:1:1: error"), "{err}");

    let v = TestVault::new();
    std::fs::remove_dir_all(v.path(".kith")).unwrap();
    std::fs::create_dir_all(v.path(".kith/config.yaml")).unwrap();
    v.kith_here(["hook", "run", "pre-commit", ".kith/config.yaml"])
        .code(1)
        .stderr_has("not a regular file");
}
