//! Trust and the hook, tried as an attacker would: plugin trust bypasses,
//! plugins that outlive their timeout or flood their output, hostile folder
//! names in the installed hook, merges, symlinks and the pre-commit framework.

use crate::support::{KITH, TestVault};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn plugin(v: &TestVault, folder: &str, manifest: &str, files: &[(&str, &str)]) {
    v.note(&format!("plugins/{folder}/plugin.yaml"), manifest);
    for (f, text) in files {
        v.note(&format!("plugins/{folder}/{f}"), text);
    }
}

#[cfg(unix)]
fn symlink(target: &str, at: &Path) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// A script that leaves a marker (so we can count runs) and answers `{}`.
fn spy(marker: &Path) -> String {
    format!(
        "cat >/dev/null\necho ran >> '{}'\necho '{{}}'\n",
        marker.display()
    )
}

fn runs(marker: &Path) -> usize {
    std::fs::read_to_string(marker)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// The four bypasses of issue 11, item 4, each tried after the user trusted
/// what looked fine; none may run code the trust does not cover.
#[test]
fn the_four_trust_bypasses_are_refused_and_run_nothing() {
    let mut attempts = 0;
    let mut ran = 0;

    // (a) A symlink inside the plugin folder to a script outside it: the
    // script changes after trust (a `git pull`), the hash would not see it.
    let v = TestVault::new();
    let marker = v.home().join("ran-a");
    v.note("scripts/lib.sh", "cat >/dev/null\necho '{}'\n");
    plugin(
        &v,
        "linky",
        "name: linky\ncommand: sh lib.sh\nhooks: [check]\n",
        &[],
    );
    symlink("../../scripts/lib.sh", &v.path("plugins/linky/lib.sh"));
    attempts += 1;
    v.kith(["plugin", "trust", "linky"])
        .code(1)
        .stderr_has("lib.sh is a symlink to ../../scripts/lib.sh outside the plugin folder");
    v.note("scripts/lib.sh", &spy(&marker));
    v.kith(["check"])
        .code(1)
        .stdout_has("plugin `linky` (check) refused");
    ran += runs(&marker);

    // (b) A command that runs a file outside the folder, through an interpreter.
    let v = TestVault::new();
    let marker = v.home().join("ran-b");
    v.note("scripts/run.sh", "cat >/dev/null\necho '{}'\n");
    v.note("scripts/x.py", "print('{}')\n");
    for (folder, cmd) in [
        ("outside-sh", "sh ../../scripts/run.sh"),
        ("outside-py", "python3 ../../scripts/x.py"),
        ("outside-abs", "sh /tmp/x.sh"),
        ("outside-shell", "sh run.sh; sh ../../scripts/run.sh"),
    ] {
        plugin(
            &v,
            folder,
            &format!("command: {cmd}\nhooks: [check]\n"),
            &[("run.sh", "cat >/dev/null\necho '{}'\n")],
        );
        attempts += 1;
        v.kith(["plugin", "trust", folder])
            .code(1)
            .stderr_has("will not trust");
    }
    v.note("scripts/run.sh", &spy(&marker));
    let check = v.kith(["check"]).code(1);
    assert_eq!(
        check.stdout.matches("refused: `command:`").count(),
        4,
        "{}",
        check.stdout
    );
    ran += runs(&marker);

    // (c) Two folders declaring one name: trusting by name must not land on
    // the impostor, and neither runs.
    let v = TestVault::new();
    let marker = v.home().join("ran-c");
    plugin(
        &v,
        "stale-needs",
        "name: stale-needs\ncommand: sh run.sh\nhooks: [check]\n",
        &[("run.sh", "cat >/dev/null\necho '{}'\n")],
    );
    v.kith(["plugin", "trust", "stale-needs"]).ok();
    // The pull brings an impostor sorted before the real one.
    plugin(
        &v,
        "aaa-impostor",
        "name: stale-needs\ncommand: sh run.sh\nhooks: [check]\n",
        &[("run.sh", &spy(&marker))],
    );
    attempts += 1;
    v.kith(["plugin", "trust", "stale-needs"])
        .code(1)
        .stderr_has("2 plugin folders declare the name `stale-needs`: plugins/aaa-impostor and plugins/stale-needs");
    let check = v.kith(["check"]).code(1);
    assert!(
        check
            .stdout
            .contains("plugins/aaa-impostor and plugins/stale-needs; neither runs"),
        "{}",
        check.stdout
    );
    ran += runs(&marker);

    // (d) A framing collision: one file `run.sh = X\0zz.sh\0Y` hashed like
    // the two files `run.sh = X` and `zz.sh = Y` when names and contents
    // were joined by NUL without lengths.
    let v = TestVault::new();
    let marker = v.home().join("ran-d");
    let evil = spy(&marker);
    let x = "sh zz.sh\n";
    plugin(
        &v,
        "framed",
        "name: framed\ncommand: sh run.sh\nhooks: [check]\n",
        &[],
    );
    v.write_bytes(
        "plugins/framed/run.sh",
        format!("{x}\0zz.sh\0{evil}").as_bytes(),
    );
    v.kith(["plugin", "trust", "framed"]).ok();
    v.note("plugins/framed/run.sh", x);
    v.note("plugins/framed/zz.sh", &evil);
    attempts += 1;
    v.kith(["check"])
        .ok()
        .stderr_has("skipped plugin `framed`: changed since you trusted it");
    v.kith(["plugin", "run", "framed", "check"]).code(1);
    ran += runs(&marker);

    eprintln!("trust bypass attempts: {attempts}, runs of untrusted code: {ran}");
    assert_eq!(attempts, 7);
    assert_eq!(ran, 0, "untrusted code ran");
}

/// A symlink that stays inside the folder is allowed, and is covered: point
/// it elsewhere and the plugin is distrusted.
#[test]
fn an_inner_symlink_is_hashed_by_its_target() {
    let v = TestVault::new();
    let marker = v.home().join("ran");
    plugin(
        &v,
        "inner",
        "command: sh run.sh\nhooks: [check]\n",
        &[
            ("a.sh", "cat >/dev/null\necho '{}'\n"),
            ("b.sh", &spy(&marker)),
        ],
    );
    symlink("a.sh", &v.path("plugins/inner/run.sh"));
    v.kith(["plugin", "trust", "inner"]).ok();
    v.kith(["check"]).ok();
    std::fs::remove_file(v.path("plugins/inner/run.sh")).unwrap();
    symlink("b.sh", &v.path("plugins/inner/run.sh"));
    v.kith(["check"])
        .ok()
        .stderr_has("changed since you trusted it");
    assert_eq!(runs(&marker), 0);
}

/// A trust made by an older kith (its hash missed symlinks) is asked again,
/// never carried over.
#[test]
fn old_trust_entries_are_asked_again() {
    let v = TestVault::new();
    plugin(
        &v,
        "p",
        "command: sh run.sh\nhooks: [check]\n",
        &[("run.sh", "cat >/dev/null\necho '{}'\n")],
    );
    let key = v.path("plugins/p").canonicalize().unwrap();
    let file = v.home().join(".config/kith/trusted-plugins.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        serde_json::json!({ key.to_string_lossy(): "00".repeat(32) }).to_string(),
    )
    .unwrap();
    v.kith(["check"])
        .ok()
        .stderr_has("trusted by an older kith");
    v.kith(["plugin", "list"]).ok().stdout_has("TRUST AGAIN");
    v.kith(["plugin", "trust", "p"]).ok();
    v.kith(["plugin", "list"]).ok().stdout_has("trusted");
}

/// `sleep 30 &` left behind holds the plugin's pipes; kith must still stop at
/// the timeout. (The bound is on hanging, not a timing claim.)
#[test]
fn a_plugin_leaving_a_background_child_does_not_hold_kith() {
    let v = TestVault::new();
    for (folder, script) in [
        // Exits at once, leaving a child holding stdout.
        ("leaver", "cat >/dev/null\nsleep 30 &\necho '{}'\n"),
        // Runs past its timeout with a child holding stdout.
        ("stayer", "cat >/dev/null\nsleep 30 &\nsleep 30\n"),
    ] {
        plugin(
            &v,
            folder,
            "command: sh run.sh\nhooks: [check]\ntimeout: 3\n",
            &[("run.sh", script)],
        );
        v.kith(["plugin", "trust", folder]).ok();
    }
    let started = Instant::now();
    let run = v.kith(["check"]).code(1);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "kith was held for {:?}",
        started.elapsed()
    );
    assert!(
        run.stdout
            .contains("plugin `stayer` (check): timed out after 3.0 s"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("`leaver`"), "{}", run.stdout);
}

/// 100 MB on stdout is reported as over the limit, by name — not as the
/// SIGPIPE exit status 141 — and kith does not keep reading it.
#[test]
fn a_flood_of_output_is_reported_as_over_the_limit() {
    let v = TestVault::new();
    plugin(
        &v,
        "flood",
        "command: sh run.sh\nhooks: [check]\ntimeout: 60\n",
        &[(
            "run.sh",
            "cat >/dev/null\nhead -c 100000000 /dev/zero | tr '\\0' x\nhead -c 100000 /dev/zero | tr '\\0' e >&2\n",
        )],
    );
    v.kith(["plugin", "trust", "flood"]).ok();
    let run = v.kith(["check"]).code(1);
    assert!(
        run.stdout
            .contains("plugin `flood` (check): output over the 4 MiB limit"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("141"), "{}", run.stdout);
    assert!(
        run.stderr.len() < 80 * 1024,
        "stderr is capped: {}",
        run.stderr.len()
    );
}

// ---- The hook ----------------------------------------------------------

/// A repository whose vault is the folder `sub` ("" for the top), with Ann
/// committed.
fn repo_at(sub: &str) -> (TestVault, String) {
    let v = TestVault::bare();
    v.git_init();
    let pre = if sub.is_empty() {
        String::new()
    } else {
        format!("{sub}/")
    };
    v.note(".gitignore", ".kith/cache/\n");
    v.note(&format!("{pre}.kith/config.yaml"), "digest:\n  intros: 3\n");
    v.note(
        &format!("{pre}people/ann.md"),
        "---\nname: Ann Lee\nemails: [ann@example.com]\n---\n",
    );
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "start"]);
    (v, pre)
}

/// Runs git in the vault's repository as a user would (hooks included);
/// returns (success, stdout+stderr).
fn git_try(v: &TestVault, args: &[&str]) -> (bool, String) {
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

fn kith_in(v: &TestVault, sub: &str, args: &[&str]) -> crate::support::Run {
    let mut all = vec![
        "--vault".to_string(),
        v.root.join(sub).display().to_string(),
    ];
    all.extend(args.iter().map(|s| s.to_string()));
    v.kith_here(all).run()
}

#[test]
fn hostile_vault_folder_names_run_no_shell_code() {
    let names = [
        "notes`touch PWNED1` $(touch PWNED2) \"q\" it's",
        "a $HOME ${x} b",
        "two words\nand a newline\\n",
    ];
    for name in names {
        let (v, pre) = repo_at(name);
        kith_in(&v, name, &["hook", "install"]).ok();
        // A good note commits: the hook found the vault.
        v.note(&format!("{pre}people/bo.md"), "---\nname: Bo\n---\n");
        v.git(&["add", "-A"]);
        let (ok, out) = git_try(&v, &["commit", "-q", "-m", "bo"]);
        assert!(ok, "{name:?}: {out}");
        // A broken one is refused: the hook ran kith on this very vault.
        v.note(
            &format!("{pre}people/cy.md"),
            "---\nname: Cy\ncadence: 3x\n---\n",
        );
        v.git(&["add", "-A"]);
        let (ok, out) = git_try(&v, &["commit", "-q", "-m", "cy"]);
        assert!(
            !ok && out.contains("`3x` is not a cadence"),
            "{name:?}: {out}"
        );
        for m in ["PWNED1", "PWNED2"] {
            assert!(!v.path(m).exists(), "{name:?}: injected command ran");
            assert!(!v.path(&format!("{pre}{m}")).exists());
        }
    }
}

#[test]
fn a_merge_with_a_broken_note_is_refused_by_pre_merge_commit() {
    let (v, _) = repo_at("");
    v.kith(["hook", "install"])
        .ok()
        .stdout_has("pre-merge-commit");
    v.kith(["hook", "install"])
        .ok()
        .stdout_has("pre-commit is already installed")
        .stdout_has("pre-merge-commit is already installed");
    v.git(&["checkout", "-q", "-b", "side"]);
    v.note(
        "people/bad.md",
        "---\nname: Bad\nbirthday: 1990-02-30\n---\n",
    );
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "--no-verify", "-m", "bad on a branch"]);
    v.git(&["checkout", "-q", "main"]);
    v.note("people/bo.md", "---\nname: Bo\n---\n");
    v.git(&["add", "-A"]);
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "bo"]);
    assert!(ok, "{out}");
    let (ok, out) = git_try(&v, &["merge", "--no-edit", "side"]);
    assert!(!ok, "the merge must be refused: {out}");
    assert!(
        out.contains("people/bad.md:3:11: error: impossible date `1990-02-30`")
            && out.contains("merge blocked"),
        "{out}"
    );
}

#[test]
fn duplicates_are_judged_on_the_index_not_the_working_tree() {
    let (v, _) = repo_at("");
    v.kith(["hook", "install"]).ok();
    // Ann's email changed in the working tree only: the commit would still
    // hold two notes with ann@example.com.
    v.note(
        "people/ann.md",
        "---\nname: Ann Lee\nemails: [ann@elsewhere.org]\n---\n",
    );
    v.note(
        "people/twin.md",
        "---\nname: Twin\nemails: [ann@example.com]\n---\n",
    );
    v.git(&["add", "people/twin.md"]);
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "twin"]);
    assert!(!ok, "a staged duplicate must block: {out}");
    assert!(
        out.contains("duplicate email `ann@example.com`: people/ann.md has it too"),
        "{out}"
    );
    v.git(&["reset", "-q"]);
    v.git(&["checkout", "--", "people/ann.md"]);
    std::fs::remove_file(v.path("people/twin.md")).unwrap();
    // A duplicate only in the working tree (never staged) does not block.
    v.note("people/bo-draft.md", "---\nname: Bo\n---\n");
    v.note("people/bo.md", "---\nname: Bo\n---\n");
    v.git(&["add", "people/bo.md"]);
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "bo"]);
    assert!(ok, "{out}");
    // A search cache that cannot open does not switch the check off.
    std::fs::remove_file(v.path("people/bo-draft.md")).unwrap();
    std::fs::create_dir_all(v.path(".kith")).unwrap();
    let _ = std::fs::remove_dir_all(v.path(".kith/cache"));
    std::fs::write(v.path(".kith/cache"), "not a folder").unwrap();
    v.note("people/bo2.md", "---\nname: Someone\naliases: [bo]\n---\n");
    v.git(&["add", "people/bo2.md"]);
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "bo2"]);
    assert!(
        !ok && out.contains("duplicate name `bo`: people/bo.md has it too"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn a_staged_symlinked_note_is_accepted() {
    let (v, _) = repo_at("");
    v.kith(["hook", "install"]).ok();
    symlink("ann.md", &v.path("people/ann-lee.md"));
    v.git(&["add", "people/ann-lee.md"]);
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "link"]);
    assert!(ok, "{out}");
    assert!(!out.contains("error"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_chained_hook_without_its_exec_bit_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let (v, _) = repo_at("");
    let hooks = v.path(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(
        hooks.join("pre-commit"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    v.kith(["hook", "install"])
        .ok()
        .stdout_has("still runs first");
    // Later the kept hook loses its exec bit (a copy, a checkout, a chmod).
    let kept = hooks.join("pre-commit.kith-chained");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o644)).unwrap();
    v.note("people/bo.md", "---\nname: Bo\n---\n");
    v.git(&["add", "-A"]);
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "bo"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("pre-commit.kith-chained, is not executable") && out.contains("chmod +x"),
        "{out}"
    );
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "bo"]);
    assert!(ok, "{out}");
    // Installing over a hook that is not executable says so at once.
    let (w, _) = repo_at("");
    let hooks = w.path(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(hooks.join("pre-merge-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(
        hooks.join("pre-merge-commit"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    w.kith(["hook", "install"])
        .ok()
        .stdout_has("it is not executable");
}

#[test]
fn a_broken_config_is_refused_at_commit() {
    let (v, _) = repo_at("");
    v.kith(["hook", "install"]).ok();
    v.note(".kith/config.yaml", "digest:\n  intros: [3\n");
    v.git(&["add", "-A"]);
    let (ok, out) = git_try(&v, &["commit", "-q", "-m", "config"]);
    assert!(!ok, "{out}");
    assert!(out.contains(".kith/config.yaml:"), "{out}");
}

/// The pre-commit framework, with the hook as shipped in
/// `.pre-commit-hooks.yaml`. CI installs the framework; with `CI` set its
/// absence is a failure, not a skip.
#[test]
fn the_pre_commit_framework_checks_the_files_it_names() {
    let have = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the pre-commit framework (python3 -m venv + pip install pre-commit)"
        );
        eprintln!("pre-commit is not installed here; skipping (CI runs it)");
        return;
    }
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let files = r"files: (\.md|(^|/)\.kith/config\.yaml)$";
    for want in [
        "pass_filenames: true",
        files,
        "entry: kith hook run pre-commit",
        "language: rust",
    ] {
        assert!(shipped.contains(want), "the shipped hooks lack {want:?}");
    }
    // The vault is a subfolder, and no `args: [--vault, …]` is given.
    let (v, pre) = repo_at("notes");
    v.note("README.md", "not a note\n");
    v.note(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: kith\n        name: kith\n        entry: kith hook run pre-commit\n        language: system\n        pass_filenames: true\n        require_serial: true\n        {files}\n"
        ),
    );
    // A broken note already in history: nothing is staged.
    v.note(
        &format!("{pre}people/bad.md"),
        "---\nname: Bad\ncadence: 3x\n---\n",
    );
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "--no-verify", "-m", "broken, committed"]);
    let bin_dir = Path::new(KITH).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let fw = |args: &[&str]| {
        let o = Command::new(args[0])
            .args(&args[1..])
            .current_dir(&v.root)
            .env("HOME", v.home())
            .env("XDG_CONFIG_HOME", v.home().join(".config"))
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", v.home().join(".pre-commit"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", v.home().parent().unwrap())
            .env_remove("KITH_VAULT")
            .output()
            .unwrap();
        (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    };
    let (ok, out) = fw(&["pre-commit", "run", "--all-files"]);
    assert!(
        !ok,
        "run --all-files must fail on a committed broken note: {out}"
    );
    assert!(out.contains("`3x` is not a cadence"), "{out}");
    // Fixed: it passes, and a committed duplicate pair fails it again.
    v.note(
        &format!("{pre}people/bad.md"),
        "---\nname: Bad\ncadence: 3w\n---\n",
    );
    let (ok, out) = fw(&["pre-commit", "run", "--all-files"]);
    assert!(ok, "{out}");
    v.note(&format!("{pre}people/ann2.md"), "---\nname: Ann Lee\n---\n");
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "--no-verify", "-m", "dup"]);
    let (ok, out) = fw(&["pre-commit", "run", "--all-files"]);
    assert!(!ok && out.contains("duplicate name `Ann Lee`"), "{out}");
    std::fs::remove_file(v.path(&format!("{pre}people/ann2.md"))).unwrap();
    v.git(&["add", "-A"]);
    // Through `git commit`: a broken config is refused.
    let (ok, out) = fw(&["pre-commit", "install"]);
    assert!(ok, "{out}");
    v.note(&format!("{pre}.kith/config.yaml"), "digest: [broken\n");
    v.git(&["add", "-A"]);
    let (ok, out) = fw(&["git", "commit", "-q", "-m", "config"]);
    assert!(!ok, "a broken config must be refused: {out}");
    assert!(out.contains(".kith/config.yaml:"), "{out}");
    v.note(&format!("{pre}.kith/config.yaml"), "digest:\n  intros: 3\n");
    v.git(&["add", "-A"]);
    let (ok, out) = fw(&["git", "commit", "-q", "-m", "good"]);
    assert!(ok, "{out}");
}
