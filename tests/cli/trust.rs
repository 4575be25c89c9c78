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
