//! Attacks on the last changes of issue 12: the write lease retried for a
//! moment, `watch --digest` answering from the digest cache, the directory
//! keeping a path's own bytes (FORMAT 7), and the vouched directory read,
//! not mapped.

use crate::support::{TestVault, kith_command, run_bounded};
use std::time::Duration;

const HANG: Duration = Duration::from_secs(30);

/// Two notes whose names differ only in bytes that are not UTF-8, both due
/// for something (a check-in, an open promise, a need another meets), so
/// every `--json` answer has to write their paths.
#[cfg(target_os = "linux")]
fn two_invalid_names() -> TestVault {
    let v = TestVault::new();
    let dir = v.path("people");
    std::fs::create_dir_all(&dir).unwrap();
    use std::os::unix::ffi::OsStrExt;
    let one = dir.join(std::ffi::OsStr::from_bytes(b"inv\xff.md"));
    let two = dir.join(std::ffi::OsStr::from_bytes(b"inv\xfe.md"));
    std::fs::write(
        one,
        "---\nname: Inv One\ncircle: close\nneeds: [coffee]\noffers: [tea]\nbadkey: [\n---\n## 2020-01-01\n- [ ] send book due 2020-02-01\nhello #intro with [[Inv Two]]\n",
    )
    .unwrap();
    std::fs::write(
        two,
        "---\nname: Inv Two\ncircle: close\noffers: [coffee]\nneeds: [tea]\n---\n## 2020-01-01\nmet, talked about coffee\n",
    )
    .unwrap();
    v
}

/// `list --json`, `check --json` and `digest --json` failed the whole
/// answer ("JSON: path contains invalid UTF-8 characters", exit 2) and
/// `circle --json` panicked, for one note whose file name is not UTF-8:
/// their paths went to serde as `PathBuf`, which refuses such a name.
#[cfg(target_os = "linux")]
#[test]
fn every_json_answer_survives_a_non_utf8_note_name() {
    let v = two_invalid_names();
    for args in [
        &["--json", "list"][..],
        &["--json", "check"],
        &["--json", "digest", "--as-of", "2026-01-01"],
        &["--json", "circle", "--as-of", "2026-01-01"],
        &["--json", "give", "--as-of", "2026-01-01"],
        &["--json", "intros", "--as-of", "2026-01-01"],
        &["--json", "search", "coffee"],
        &["--json", "show", "Inv Two"],
        &["--json", "graph"],
    ] {
        let r = run_bounded(kith_command(&v, args), &args.join(" "), HANG);
        assert!(
            r.code == 0 || (args[1] == "check" && r.code == 1),
            "kith {args:?} exit {}: {}",
            r.code,
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
        let _: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("kith {args:?}: not JSON ({e}): {}", r.stdout));
        if args[1] != "graph" && args[1] != "intros" && args[1] != "give" {
            assert!(
                r.stdout.contains("people/inv\u{FFFD}.md"),
                "kith {args:?} lost the path: {}",
                r.stdout
            );
        }
    }
}

/// `kith graph` made a node's id from the lossy path: two notes whose
/// names differ only in bytes that are not UTF-8 became one node, and the
/// mention between them an edge from that node to itself.
#[cfg(target_os = "linux")]
#[test]
fn two_names_differing_only_in_invalid_bytes_are_two_graph_nodes() {
    let v = two_invalid_names();
    let r = run_bounded(kith_command(&v, &["graph"]), "graph", HANG);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("n_people_2finv_ff"), "{}", r.stdout);
    assert!(r.stdout.contains("n_people_2finv_fe"), "{}", r.stdout);
    let ids: std::collections::HashSet<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("n_").map(|_| l.trim()))
        .filter_map(|l| l.split('[').next())
        .filter(|l| l.contains("inv"))
        .collect();
    assert!(ids.len() >= 2, "one node for two notes: {}", r.stdout);
}

/// `kith watch ARGS` on `v`, returned once it says it is watching.
fn watch(v: &TestVault, args: &[&str]) -> std::process::Child {
    use std::io::BufRead;
    let mut cmd = kith_command(v, &["watch"]);
    cmd.args(args);
    let mut child = cmd.spawn().unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    loop {
        match rx.recv_timeout(HANG) {
            Ok(l) if l.contains("watching") => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("kith watch never said it was watching");
            }
        }
    }
    // Keep draining stderr so the watcher never blocks on a full pipe.
    std::thread::spawn(move || while rx.recv().is_ok() {});
    child
}

/// Waits (bounded) until `file` holds what `ok` accepts; the last content.
fn wait_for(file: &std::path::Path, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = std::time::Instant::now();
    loop {
        let s = std::fs::read_to_string(file).unwrap_or_default();
        if ok(&s) {
            return s;
        }
        assert!(start.elapsed() < HANG, "the digest file never {what}:\n{s}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `kith watch --digest FILE` ignored `.kith/` (hidden): a new cadence in
/// `.kith/config.yaml` or an introduction dismissed into
/// `.kith/intros.yaml` left the file as it was until some note changed,
/// while `kith digest` already said otherwise.
#[cfg(target_os = "linux")]
#[test]
fn the_digest_file_follows_config_and_dismissed_introductions() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "circle: close\nneeds: [a designer]",
        "## 2025-01-01\nmet\n",
    );
    v.person(
        "bob",
        "Bob Ray",
        "circle: close\noffers: [a designer]",
        "## 2025-01-01\nmet\n",
    );
    let out = v.path("digest.md");
    let mut w = watch(&v, &["--digest", out.to_str().unwrap()]);
    let first = wait_for(&out, "showed the introduction", |s| s.contains("↔"));
    assert!(first.contains("every 30d"), "{first}");

    v.note(".kith/config.yaml", "cadence:\n  close: 7d\n");
    wait_for(&out, "took the new cadence", |s| s.contains("every 1w"));

    v.kith(["intros", "dismiss", "ann", "bob"]).ok();
    let now = wait_for(&out, "dropped the dismissed introduction", |s| {
        !s.contains("↔")
    });
    let fresh = v.kith(["digest"]).ok().stdout;
    assert_eq!(now, fresh, "the file is not `kith digest`");
    // SAFETY: our own child.
    unsafe { libc::kill(w.id() as i32, libc::SIGTERM) };
    let _ = w.wait();
}
