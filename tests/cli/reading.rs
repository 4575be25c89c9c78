//! Issue 14, "Capture --commit", "Reading" and "Honesty of every command":
//! commits through git's own checks, the digest for people on a terminal,
//! `show` with prose and backlinks, `search` that says when it finds
//! nothing, `--json` on every command, and mistakes that are errors.

use crate::support::TestVault;

fn lena(v: &TestVault) {
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "org: Acme\ncircle: close\ntags: [rust, hiring]",
        "\n## Log\n\n### 2026-11-01 · coffee\n\nTalked about hiring.\n",
    );
}

// ---- --commit -------------------------------------------------------------

#[test]
fn commit_outside_git_says_written_not_committed_and_exits_0() {
    let v = TestVault::new();
    lena(&v);
    v.kith(["log", "lena", "Lunch about robots.", "--commit"])
        .ok()
        .stdout_has("logged")
        .stderr_has("written, not committed")
        .stderr_has("not inside a git repository")
        .stderr_has("hint:");
    assert!(
        v.read("people/lena-fischer.md")
            .contains("Lunch about robots.")
    );
    v.kith(["new", "Omar Haddad", "--commit"])
        .ok()
        .stderr_has("written, not committed");
    assert!(v.path("people/omar-haddad.md").exists());
}

#[test]
fn commit_runs_the_repository_hooks() {
    let v = TestVault::new();
    lena(&v);
    v.git_init();
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "start"]);
    v.note(
        ".git/hooks/pre-commit",
        "#!/bin/sh\necho 'no commits on fridays' >&2\nexit 1\n",
    );
    std::fs::set_permissions(
        v.path(".git/hooks/pre-commit"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    v.kith(["log", "lena", "Lunch.", "--commit"])
        .ok()
        .stderr_has("written, not committed")
        .stderr_has("no commits on fridays");
    let log = v.git(&["log", "--format=%s"]);
    assert_eq!(log.trim(), "start", "the hook was bypassed: {log}");
}

#[test]
fn commit_message_names_person_and_title_not_the_whole_entry() {
    let v = TestVault::new();
    lena(&v);
    v.git_init();
    let long = format!("Lunch at the canal. {}", "She talked a lot. ".repeat(10));
    let text = format!("{long}\nSecond line.");
    v.kith(["log", "lena", text.as_str(), "--commit"])
        .ok()
        .stdout_has("committed");
    let msg = v.git(&["log", "-1", "--format=%B"]);
    assert!(
        msg.starts_with("log: Lena Fischer — Lunch at the canal."),
        "{msg}"
    );
    assert!(msg.trim_end().chars().count() < 80, "{msg}");
    assert!(!msg.contains("Second line"), "{msg}");
    // done commits too, naming the promise.
    v.kith(["log", "lena", "- [ ] send the guide"]).ok();
    v.kith(["done", "lena", "--commit"]).ok();
    let msg = v.git(&["log", "-1", "--format=%s"]);
    assert_eq!(msg.trim(), "done: Lena Fischer — send the guide");
}

#[test]
fn commit_without_git_identity_says_so_instead_of_a_made_up_one() {
    let v = TestVault::new();
    lena(&v);
    v.git(&["init", "-q", "-b", "main"]);
    v.kith(["log", "lena", "Lunch.", "--commit"])
        .env("GIT_AUTHOR_NAME", "")
        .env("GIT_COMMITTER_NAME", "")
        .env("EMAIL", "")
        .ok()
        .stderr_has("written, not committed")
        .stderr_has("user.name")
        .stderr_has("git config --global user.name");
    let out = std::process::Command::new("git")
        .args(["log", "--format=%ae"])
        .current_dir(&v.root)
        .env("HOME", v.home())
        .output()
        .unwrap();
    let ae = String::from_utf8_lossy(&out.stdout);
    assert!(!ae.contains("kith@localhost"), "{ae}");
    assert!(ae.trim().is_empty(), "committed anyway: {ae}");
}
