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
    let out = v.home().join("digest.md");
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
    // The file lives outside the vault: its links are absolute.
    let root = v.path("people").parent().unwrap().to_path_buf();
    let now = now.replace(&format!("{}/", root.display()), "");
    assert_eq!(now, fresh, "the file is not `kith digest`");
    // SAFETY: our own child.
    unsafe { libc::kill(w.id() as i32, libc::SIGTERM) };
    let _ = w.wait();
}

/// A program that keeps the note open (an editor holding one descriptor,
/// `tail -f`) is still refused once the lease's 500 ms window ends: the
/// command ends, says why, and the note is byte for byte as it was.
#[cfg(target_os = "linux")]
#[test]
fn a_note_kept_open_by_another_program_is_still_refused_after_the_wait() {
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "", "## 2025-01-01\nmet\n");
    let before = v.read_bytes("people/ann.md");
    // Held open by a process of its own (this test's is another process
    // than kith's), for reading and writing like an editor would.
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(v.path("people/ann.md"))
        .unwrap();
    let r = run_bounded(
        kith_command(&v, &["log", "ann", "talked about marmots"]),
        "log",
        HANG,
    );
    assert_ne!(r.code, 0, "written under an open descriptor: {}", r.stdout);
    assert!(
        r.stderr.contains("is open in another program"),
        "{}",
        r.stderr
    );
    assert_eq!(v.read_bytes("people/ann.md"), before, "the note changed");
    let left: Vec<_> = std::fs::read_dir(v.path("people"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["ann.md"], "a temporary file was left behind");
    drop(held);
    v.kith(["log", "ann", "talked about marmots"]).ok();
    assert!(v.read("people/ann.md").contains("talked about marmots"));
}

/// Two `kith log` at once on one note, with a watcher parsing it after
/// each write and `show` reading it: each waits for the other, none is
/// refused and no entry is lost.
#[cfg(target_os = "linux")]
#[test]
fn concurrent_logs_on_one_note_all_land_beside_a_watcher_and_a_reader() {
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "", "## 2025-01-01\nmet\n");
    let mut w = watch(&v, &[]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let root = v.root.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::read(root.join("people/ann.md"));
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    const ROUNDS: usize = 8;
    let mut failures = Vec::new();
    for i in 0..ROUNDS {
        let a = kith_command(&v, &["log", "ann", &format!("entry {i} a")]).spawn();
        let b = kith_command(&v, &["log", "ann", &format!("entry {i} b")]).spawn();
        let s = kith_command(&v, &["show", "ann"]).spawn();
        for c in [a, b, s] {
            let o = c.unwrap().wait_with_output().unwrap();
            if !o.status.success() {
                failures.push(String::from_utf8_lossy(&o.stderr).into_owned());
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    reader.join().unwrap();
    // SAFETY: our own child.
    unsafe { libc::kill(w.id() as i32, libc::SIGTERM) };
    let _ = w.wait();
    assert!(failures.is_empty(), "refused or failed: {failures:?}");
    let note = v.read("people/ann.md");
    for i in 0..ROUNDS {
        for s in ["a", "b"] {
            assert!(
                note.contains(&format!("entry {i} {s}")),
                "lost {i} {s}:\n{note}"
            );
        }
    }
}

/// The model a watcher vouches for, truncated in place (to nothing, to a
/// part) between and during commands: no command is killed (SIGBUS from a
/// mapping) and every answer is the notes' own.
#[cfg(target_os = "linux")]
#[test]
fn a_vouched_model_truncated_in_place_never_kills_a_command() {
    let v = TestVault::new();
    for i in 0..60 {
        v.person(
            &format!("p{i}"),
            &format!("Person {i}"),
            &format!("needs: [thing{i}]"),
            "## 2025-01-01\nmet\n",
        );
    }
    v.kith(["list"]).ok();
    let mut w = watch(&v, &[]);
    let model = v.path(".kith/cache/model.bin");
    let mut failures = Vec::new();
    for i in 0..12u64 {
        let cut = std::thread::spawn({
            let model = model.clone();
            move || {
                std::thread::sleep(Duration::from_millis(i % 4));
                if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&model) {
                    let len = f.metadata().map_or(0, |m| m.len());
                    let _ = f.set_len(len * (i % 3) / 4);
                }
            }
        });
        let show = run_bounded(kith_command(&v, &["show", "Person 17"]), "show", HANG);
        let list = run_bounded(kith_command(&v, &["--json", "list"]), "list", HANG);
        cut.join().unwrap();
        if show.code != 0 || !show.stdout.contains("thing17") {
            failures.push(format!(
                "show {}: {}{}",
                show.code, show.stdout, show.stderr
            ));
        }
        let n = serde_json::from_str::<serde_json::Value>(&list.stdout)
            .ok()
            .and_then(|j| j.as_array().map(Vec::len));
        if list.code != 0 || n != Some(60) {
            failures.push(format!("list {}: {:?} {}", list.code, n, list.stderr));
        }
    }
    // SAFETY: our own child.
    unsafe { libc::kill(w.id() as i32, libc::SIGTERM) };
    let status = w.wait().unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        status.code().is_some(),
        "the watcher was killed: {status:?}"
    );
}

/// Two notes whose names differ only in invalid bytes, swapped by renames
/// (through a third name): `show`, `search` and the model's freshness pass
/// follow the bytes, and a second run parses nothing.
#[cfg(target_os = "linux")]
#[test]
fn a_swap_between_two_invalid_names_is_followed_and_then_settles() {
    use std::os::unix::ffi::OsStrExt;
    let v = two_invalid_names();
    v.kith(["show", "Inv Two"]).ok();
    v.kith(["search", "talked"]).ok().stdout_has("Inv Two");
    let dir = v.path("people");
    let at = |b: &[u8]| dir.join(std::ffi::OsStr::from_bytes(b));
    std::fs::rename(at(b"inv\xfe.md"), at(b"inv\xfd.md")).unwrap();
    std::fs::rename(at(b"inv\xff.md"), at(b"inv\xfe.md")).unwrap();
    std::fs::rename(at(b"inv\xfd.md"), at(b"inv\xff.md")).unwrap();
    std::fs::write(
        at(b"inv\xff.md"),
        "---\nname: Inv Two\ncircle: close\n---\n## 2020-01-01\nswapped walrus\n",
    )
    .unwrap();
    v.kith(["show", "Inv Two"]).ok().stdout_has("walrus");
    let hits = v.kith(["--json", "search", "walrus"]).ok().json();
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    let none = v.kith(["search", "talked"]).run();
    assert!(
        !none.stdout.contains("Inv Two"),
        "stale hit: {}",
        none.stdout
    );
    let mut cmd = kith_command(&v, &["show", "Inv Two"]);
    cmd.env("KITH_TRACE", "1");
    let r = run_bounded(cmd, "show", HANG);
    assert!(r.stderr.contains(" 0 parsed, 0 removed"), "{}", r.stderr);
}

/// A program that has the note open when the write asks for its lease, and
/// saves into it (same file, same size) before closing it within the 500 ms
/// wait: the lease is then granted, but that save must not be replaced by
/// kith's copy made from the older text.
#[cfg(target_os = "linux")]
#[test]
fn a_save_made_during_the_lease_wait_is_not_overwritten() {
    use std::io::{Seek, Write};
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "", "## 2025-01-01\nmet AAAA\n");
    let mut held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(v.path("people/ann.md"))
        .unwrap();
    let child = kith_command(&v, &["log", "ann", "talked about marmots"])
        .spawn()
        .unwrap();
    // Saved in place while kith waits for the lease, then closed.
    std::thread::sleep(Duration::from_millis(250));
    let text = v.read("people/ann.md").replace("AAAA", "BBBB");
    held.rewind().unwrap();
    held.write_all(text.as_bytes()).unwrap();
    held.sync_all().unwrap();
    drop(held);
    let o = child.wait_with_output().unwrap();
    let note = v.read("people/ann.md");
    assert!(
        note.contains("BBBB"),
        "the other program's save was lost (exit {:?}, {}):\n{note}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A digest file kept inside the vault (`kith watch --digest today.md`) is
/// skipped by the watcher's index (docs/watch.md: "never indexed") but is a
/// note to every command that walks: `kith check` counts it, and once the
/// watcher stops `kith search` finds the digest's own text in it. The index
/// and the model disagree on which notes exist, depending on whether a
/// watcher runs.
#[cfg(target_os = "linux")]
#[test]
fn a_digest_file_inside_the_vault_is_refused_unless_ignored() {
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "circle: close", "## 2025-01-01\nmet\n");
    let out = v.path("today.md");
    v.kith(["watch", "--digest", out.to_str().unwrap()])
        .code(2)
        .stderr_has("inside the vault")
        .stderr_has("ignore:");
    assert!(!out.exists());
    // Listed in `ignore:`, it is nobody's note: kept by the watcher, never
    // found by search with or without it.
    v.note(".kith/config.yaml", "ignore: [today.md]\n");
    let mut w = watch(&v, &["--digest", out.to_str().unwrap()]);
    wait_for(&out, "was written", |s| s.contains("Keep in touch"));
    let with = v.kith(["search", "Keep in touch"]).run();
    // SAFETY: our own child.
    unsafe { libc::kill(w.id() as i32, libc::SIGTERM) };
    let _ = w.wait();
    let without = v.kith(["search", "Keep in touch"]).run();
    assert!(!with.stdout.contains("today.md"), "{}", with.stdout);
    assert!(!without.stdout.contains("today.md"), "{}", without.stdout);
}
