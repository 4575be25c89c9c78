//! git history, the pre-commit hook and plugins, on real repositories.

use crate::support::{KITH, TestVault};
use std::path::Path;
use std::process::Command;

/// A vault in a fresh repository with one committed person.
fn repo() -> TestVault {
    let v = TestVault::new();
    v.git_init();
    v.note(".gitignore", ".kith/cache/\n");
    v.person("ann", "Ann Lee", "emails: [ann@example.com]", "\n## Log\n");
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "start"]);
    v
}

/// `git commit` with the hook installed; returns (success, stderr).
fn commit(v: &TestVault, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .arg("commit")
        .args(args)
        .current_dir(&v.root)
        .env("HOME", v.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("XDG_CONFIG_HOME", v.home().join(".config"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_staged_note_blocks_the_commit_even_if_the_working_tree_is_fine() {
    let v = repo();
    v.kith(["hook", "install"]).ok().stdout_has("installed");
    v.note("people/bo.md", "---\nname: Bo\nbirthday: 1990-02-30\n---\n");
    v.git(&["add", "people/bo.md"]);
    // Fixed in the working tree, but not staged.
    v.note("people/bo.md", "---\nname: Bo\nbirthday: 1990-02-28\n---\n");
    let (ok, err) = commit(&v, &["-q", "-m", "bo"]);
    assert!(!ok, "commit should be blocked");
    assert!(
        err.contains("people/bo.md:3:11: error: impossible date `1990-02-30`"),
        "{err}"
    );
    assert!(err.contains("commit blocked"), "{err}");
    // Staging the fix lets it through.
    v.git(&["add", "people/bo.md"]);
    let (ok, err) = commit(&v, &["-q", "-m", "bo"]);
    assert!(ok, "{err}");
}

#[test]
fn a_bad_working_tree_note_does_not_block_a_good_staged_one() {
    let v = repo();
    v.kith(["hook", "install"]).ok();
    // Partially staged: the staged version is fine, the working tree is broken.
    v.note(
        "people/ann.md",
        "---\nname: Ann Lee\nemails: [ann@example.com]\norg: Acme\n---\n\n## Log\n",
    );
    v.git(&["add", "people/ann.md"]);
    v.note("people/ann.md", "---\nname: Ann Lee\ncadence: soon\n---\n");
    v.note("people/zed.md", "---\nname: [broken\n---\n");
    let (ok, err) = commit(&v, &["-q", "-m", "org"]);
    assert!(ok, "{err}");
    let show = v.git(&["show", "HEAD:people/ann.md"]);
    assert!(show.contains("org: Acme"));
    // Warnings alone (a dangling link in a staged note is fine) do not block.
    v.git(&["checkout", "--", "people/ann.md"]);
    v.note("people/cy.md", "---\nname: Cy\nintrests: [x]\n---\n");
    v.git(&["add", "people/cy.md"]);
    let (ok, err) = commit(&v, &["-q", "-m", "cy"]);
    assert!(ok, "{err}");
    assert!(err.contains("warning"), "{err}");
}

#[test]
fn commit_a_uses_its_own_index_file() {
    // `git commit -a` runs hooks with GIT_INDEX_FILE pointing at a temporary index.
    let v = repo();
    v.kith(["hook", "install"]).ok();
    v.note(
        "people/ann.md",
        "---\nname: Ann Lee\nintro_ok: maybe\n---\n",
    );
    let (ok, err) = commit(&v, &["-q", "-a", "-m", "bad"]);
    assert!(
        !ok && err.contains("`intro_ok` must be true or false"),
        "{err}"
    );
}

#[test]
fn duplicates_the_commit_would_introduce_are_errors() {
    let v = repo();
    v.kith(["hook", "install"]).ok();
    v.note(
        "people/ann2.md",
        "---\nname: Someone Else\nemails: [ANN@example.com]\n---\n",
    );
    v.git(&["add", "people/ann2.md"]);
    let (ok, err) = commit(&v, &["-q", "-m", "dup"]);
    assert!(!ok, "duplicate email should block");
    assert!(
        err.contains(
            "people/ann2.md:3:9: error: duplicate email `ANN@example.com`: people/ann.md has it too"
        ),
        "{err}"
    );
}

#[test]
fn install_keeps_an_existing_hook_respects_hooks_path_and_is_idempotent() {
    let v = repo();
    let hooks = v.path(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let marker = v.home().join("old-hook-ran");
    std::fs::write(
        hooks.join("pre-commit"),
        format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            hooks.join("pre-commit"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    v.kith(["hook", "install"])
        .ok()
        .stdout_has("existing hook was kept");
    v.kith(["hook", "install"])
        .ok()
        .stdout_has("already installed");
    v.note("people/bo.md", "---\nname: Bo\n---\n");
    v.git(&["add", "-A"]);
    let (ok, err) = commit(&v, &["-q", "-m", "bo"]);
    assert!(ok, "{err}");
    assert!(marker.exists(), "the existing hook still runs");
    // core.hooksPath is respected.
    let w = repo();
    w.git(&["config", "core.hooksPath", "myhooks"]);
    w.kith(["hook", "install"]).ok().stdout_has("myhooks");
    assert!(w.path("myhooks/pre-commit").exists());
    w.note("people/bad.md", "---\nname: Bad\ncircle: bestie\n---\n");
    w.git(&["add", "-A"]);
    let (ok, err) = commit(&w, &["-q", "-m", "bad"]);
    assert!(!ok && err.contains("unknown circle"), "{err}");
}

#[test]
fn history_follows_renames_and_news_reports_front_matter_changes() {
    let v = repo();
    v.kith([
        "log",
        "ann",
        "Coffee about robots.",
        "--title",
        "coffee",
        "--date",
        "2026-11-01",
        "--commit",
    ])
    .ok();
    v.git(&["mv", "people/ann.md", "people/ann-lee.md"]);
    v.git(&["commit", "-q", "-m", "rename"]);
    let text = v.read("people/ann-lee.md").replace(
        "emails: [ann@example.com]",
        "emails: [ann@example.com]\norg: Globex\nneeds: [a new flat]",
    );
    v.note("people/ann-lee.md", &text);
    v.git(&["commit", "-q", "-am", "Ann moved to Globex"]);
    let h = v.kith(["history", "ann", "--json"]).ok().json();
    let msgs: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        [
            "Ann moved to Globex",
            "rename",
            "log: Ann Lee — coffee",
            "start"
        ],
        "{h:#}"
    );
    let log = &h.as_array().unwrap()[2];
    assert_eq!(log["path"], "people/ann.md");
    assert!(
        log["added"][0]
            .as_str()
            .unwrap()
            .starts_with("### 2026-11-01 · coffee"),
        "{log}"
    );
    let news = v
        .kith(["news", "--since", "2000-01-01", "--json"])
        .ok()
        .json();
    let items = news.as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|n| n["field"] == "org" && n["after"] == "Globex" && n["name"] == "Ann Lee"),
        "{news:#}"
    );
    assert!(
        items
            .iter()
            .any(|n| n["field"] == "needs" && n["after"] == "a new flat"),
        "{news:#}"
    );
    v.kith(["news", "--since", "2000-01-01"])
        .ok()
        .stdout_has("Ann Lee — org: now “Globex”");
}

fn add_plugin(v: &TestVault, name: &str, hooks: &str, script: &str, timeout: &str) {
    v.note(
        &format!("plugins/{name}/plugin.yaml"),
        &format!("name: {name}\ndescription: test plugin\ncommand: sh run.sh\nhooks: [{hooks}]\ntimeout: {timeout}\n"),
    );
    v.note(&format!("plugins/{name}/run.sh"), script);
}

const SECTION: &str = "cat >/dev/null\nprintf '{\"sections\":[{\"title\":\"From a plugin\",\"items\":[{\"text\":\"hello from %s\",\"path\":\"people/ann.md\",\"line\":1}]}]}' \"$1\"\n";

#[test]
fn untrusted_plugins_never_run_and_changed_ones_are_distrusted() {
    let v = repo();
    let marker = v.home().join("plugin-ran");
    add_plugin(
        &v,
        "spy",
        "check",
        &format!(
            "cat >/dev/null\ntouch '{}'\necho '{{}}'\n",
            marker.display()
        ),
        "5",
    );
    let run = v.kith(["check"]).run();
    assert!(
        run.stderr.contains("skipped plugin `spy`: not trusted")
            && run.stderr.contains("kith plugin trust spy"),
        "{}",
        run.stderr
    );
    assert!(!marker.exists(), "an untrusted plugin must not run");
    v.kith(["plugin", "list"]).ok().stdout_has("NOT TRUSTED");
    v.kith(["plugin", "trust", "spy"]).ok();
    v.kith(["plugin", "list"]).ok().stdout_has("trusted");
    v.kith(["check"]).ok();
    assert!(marker.exists(), "a trusted plugin runs");
    std::fs::remove_file(&marker).unwrap();
    // Change it: distrusted again.
    v.note(
        "plugins/spy/run.sh",
        &format!(
            "cat >/dev/null\ntouch '{}'\necho '{{ }}'\n",
            marker.display()
        ),
    );
    let run = v.kith(["check"]).run();
    assert!(
        run.stderr.contains("changed since you trusted it"),
        "{}",
        run.stderr
    );
    assert!(!marker.exists());
    v.kith(["plugin", "list"]).ok().stdout_has("CHANGED");
    // The trust lives outside the vault.
    assert!(v.home().join(".config/kith/trusted-plugins.json").exists());
    assert!(!v.path(".kith/trusted-plugins.json").exists());
}

#[test]
fn a_plugin_past_its_timeout_is_killed_and_garbage_is_reported_by_name() {
    let v = repo();
    // The plugin starts a child that would outlive it: the whole group is killed.
    add_plugin(&v, "sleepy", "check", "sleep 30 &\nsleep 30\n", "0.5");
    add_plugin(
        &v,
        "noisy",
        "check",
        "cat >/dev/null\necho 'this is not json'\n",
        "5",
    );
    add_plugin(
        &v,
        "failing",
        "check",
        "cat >/dev/null\necho oops >&2\nexit 3\n",
        "5",
    );
    for p in ["sleepy", "noisy", "failing"] {
        v.kith(["plugin", "trust", p]).ok();
    }
    let started = std::time::Instant::now();
    let run = v.kith(["check"]).code(1);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "a hung plugin must not hang kith"
    );
    assert!(
        run.stdout
            .contains("plugin `sleepy` (check): timed out after 0.5 s"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("plugin `noisy` (check): did not print a valid JSON response"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("plugin `failing` (check): exited with exit status: 3"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("oops"),
        "a plugin's stderr passes through: {}",
        run.stderr
    );
}

#[test]
fn plugin_diagnostics_block_commits_and_sections_reach_the_digest() {
    let v = repo();
    add_plugin(&v, "greeter", "digest", SECTION, "5");
    add_plugin(
        &v,
        "strict",
        "pre-commit",
        "cat >/dev/null\necho '{\"diagnostics\":[{\"path\":\"people/ann.md\",\"line\":2,\"severity\":\"error\",\"message\":\"no Anns allowed\"}]}'\n",
        "5",
    );
    v.kith(["plugin", "trust", "greeter"]).ok();
    v.kith(["plugin", "trust", "strict"]).ok();
    let d = v.kith(["digest", "--as-of", "2026-11-22"]).ok();
    assert!(
        d.stdout.contains("## From a plugin")
            && d.stdout.contains("- hello from digest — people/ann.md:1"),
        "{}",
        d.stdout
    );
    let j = v
        .kith(["digest", "--as-of", "2026-11-22", "--json"])
        .ok()
        .json();
    assert_eq!(j["sections"][0]["title"], "From a plugin");
    let run = v.kith(["plugin", "run", "greeter", "digest"]).ok().json();
    assert_eq!(run["sections"][0]["items"][0]["text"], "hello from digest");
    v.kith(["hook", "install"]).ok();
    v.note("people/ann.md", &(v.read("people/ann.md") + "\nmore\n"));
    v.git(&["add", "-A"]);
    let (ok, err) = commit(&v, &["-q", "-m", "x"]);
    assert!(
        !ok && err.contains("people/ann.md:2:1: error: no Anns allowed [strict]"),
        "{err}"
    );
}

/// The example plugins shipped in plugins/: each one's own test, then each run
/// through kith on a vault.
#[test]
fn example_plugins_pass_their_own_tests_and_run_through_kith() {
    let repo_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for p in ["contact-in-log", "stale-needs", "first-entry"] {
        let out = Command::new("sh")
            .arg(repo_root.join("plugins").join(p).join("test.sh"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{p}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "needs: [a flat]",
        "\n## Log\n\n### 2026-06-01 · call\n\nCall me on +49 151 12345678 please.\n",
    );
    v.person("bo", "Bo", "", "");
    for p in ["contact-in-log", "stale-needs", "first-entry"] {
        let src = repo_root.join("plugins").join(p);
        for f in std::fs::read_dir(&src).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            v.note(
                &format!("plugins/{p}/{name}"),
                &std::fs::read_to_string(&f).unwrap(),
            );
        }
        v.kith(["plugin", "trust", p]).ok();
    }
    v.kith(["check"]).code(1).stdout_has("people/ann.md:10:1: error: phone number `+49 151 12345678` in a log entry [contact-in-log]");
    let d = v.kith(["digest", "--as-of", "2026-11-22"]).ok().stdout;
    assert!(
        d.contains("## Needs waiting for help") && d.contains("Ann needs “a flat” — 174 days"),
        "{d}"
    );
    assert!(
        d.contains("## No first entry yet") && d.contains("Bo: no conversation logged yet"),
        "{d}"
    );
}

/// Commits through the pre-commit framework when it is installed (CI installs
/// it; `CI=true` makes its absence a failure).
#[test]
fn commits_through_the_pre_commit_framework() {
    let have = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install the pre-commit framework (pip install pre-commit)"
        );
        eprintln!("pre-commit is not installed here; skipping (CI runs it)");
        return;
    }
    let v = repo();
    // Use the repository's own hook definition, as a `repo: local` entry.
    let bin_dir = Path::new(KITH).parent().unwrap();
    v.note(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n      - id: kith\n        name: kith\n        entry: kith hook run pre-commit\n        language: system\n        pass_filenames: false\n        files: \\.md$\n",
    );
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        Command::new(args[0])
            .args(&args[1..])
            .current_dir(&v.root)
            .env("HOME", v.home())
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", v.home().join(".pre-commit"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
    };
    v.git(&["add", ".pre-commit-config.yaml"]);
    let o = run(&["pre-commit", "install"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    v.note("people/bad.md", "---\nname: Bad\ncadence: 3x\n---\n");
    v.git(&["add", "-A"]);
    let o = run(&["git", "commit", "-q", "-m", "bad"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!o.status.success(), "the framework should block: {all}");
    assert!(all.contains("`3x` is not a cadence"), "{all}");
    v.note("people/bad.md", "---\nname: Bad\ncadence: 3w\n---\n");
    v.git(&["add", "-A"]);
    let o = run(&["git", "commit", "-q", "-m", "good"]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A repository libgit2 cannot open (reftable refs, which git 2.45+ writes):
/// history falls back to the git command, other features say so clearly.
#[test]
fn history_falls_back_to_git_when_libgit2_cannot_open_the_repository() {
    let v = TestVault::new();
    let init = Command::new("git")
        .args(["init", "-q", "-b", "main", "--ref-format=reftable"])
        .current_dir(&v.root)
        .env("HOME", v.home())
        .output()
        .unwrap();
    if !init.status.success() {
        eprintln!(
            "this git cannot make reftable repositories; skipping: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        return;
    }
    v.git(&["config", "user.name", "Test"]);
    v.git(&["config", "user.email", "test@example.com"]);
    v.person(
        "ann",
        "Ann Lee",
        "",
        "\n## Log\n\n### 2026-11-01 · tea\n\nTea.\n",
    );
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "ann arrives"]);
    let run = v.kith(["history", "ann", "--json"]).ok();
    assert!(run.stderr.contains("libgit2 cannot open"), "{}", run.stderr);
    let h = run.json();
    assert_eq!(h[0]["message"], "ann arrives");
    assert!(
        h[0]["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("### 2026-11-01 · tea"))
    );
    v.kith(["news"]).code(2).stderr_has("libgit2 cannot open");
}

/// `kith show` says when a note last changed in git, from one walk of the
/// history cached by HEAD, for a vault in a folder of a larger repository.
#[test]
fn show_says_when_a_note_last_changed_in_git() {
    let v = TestVault::new();
    v.git_init();
    v.note(".gitignore", ".kith/cache/\n");
    v.note("notes/people/ann.md", "---\nname: Ann Lee\n---\n");
    v.note("notes/people/bo.md", "---\nname: Bo Park\n---\n");
    // Outside the vault, with the same vault-relative path.
    v.note("elsewhere/people/ann.md", "---\nname: Ann Lee\n---\n");
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "start"]);
    v.note(
        "notes/people/bo.md",
        "---\nname: Bo Park\norg: Globex\n---\n",
    );
    v.note("elsewhere/people/ann.md", "changed elsewhere\n");
    v.git(&["commit", "-q", "-am", "Bo joined Globex"]);
    let show = |who: &str| {
        v.kith_here(["--vault", "notes", "show", who, "--json"])
            .ok()
            .json()["last_commit"]
            .clone()
    };
    assert_eq!(show("ann")["message"], "start");
    assert_eq!(show("bo")["message"], "Bo joined Globex");
    // While HEAD stays, the answer comes from the cache, not a new walk.
    let cache = v.path("notes/.kith/cache/git-last-commits.json");
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(text.contains("Bo joined Globex"), "{text}");
    std::fs::write(&cache, text.replace("Bo joined Globex", "from the cache")).unwrap();
    assert_eq!(show("bo")["message"], "from the cache");
    // HEAD moves: the history is walked again.
    v.note(
        "notes/people/ann.md",
        "---\nname: Ann Lee\nrole: CTO\n---\n",
    );
    v.git(&["commit", "-q", "-am", "Ann is CTO"]);
    assert_eq!(show("ann")["message"], "Ann is CTO");
    assert_eq!(show("bo")["message"], "Bo joined Globex");
    v.kith_here(["--vault", "notes", "show", "ann"])
        .ok()
        .stdout_has("last changed")
        .stdout_has("Ann is CTO");
    // Outside git there is nothing to say, and no error.
    let plain = TestVault::new();
    plain.person("cy", "Cy Cole", "", "");
    assert!(plain.kith(["show", "cy", "--json"]).ok().json()["last_commit"].is_null());
}
