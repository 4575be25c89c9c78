//! The search index shared by concurrent processes, repaired when damaged,
//! and never tripped by odd file names or unreadable notes.

use crate::support::{KITH, TestVault};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NOTES: usize = 40;

/// A vault of `NOTES` people who all talked about aardvarks, indexed.
fn indexed_vault() -> TestVault {
    indexed_vault_of(NOTES)
}

/// A vault of `notes` people who all talked about aardvarks, indexed.
pub(crate) fn indexed_vault_of(notes: usize) -> TestVault {
    let v = TestVault::new();
    for i in 0..notes {
        v.person(
            &format!("p{i}"),
            &format!("Person {i}"),
            "",
            &format!(
                "\n## Log\n\n### 2026-01-0{} · call\n\nWe talked about aardvarks and zebra{i}. {}\n",
                i % 9 + 1,
                "Some longer text so that the store spans a few blocks. ".repeat(20)
            ),
        );
    }
    v.kith(["index"]).ok();
    v
}

/// Truncates every segment file of the index in place; how many.
pub(crate) fn cut_segments(v: &TestVault) -> usize {
    let mut cut = 0;
    for ext in ["idx", "pos", "term", "store", "fast", "fieldnorm"] {
        for f in files_ending(&index_dir(v), ext) {
            let f = std::fs::OpenOptions::new().write(true).open(f).unwrap();
            f.set_len(0).unwrap();
            cut += 1;
        }
    }
    cut
}

pub(crate) fn index_dir(v: &TestVault) -> PathBuf {
    v.path(".kith/cache/index")
}

pub(crate) fn files_ending(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// Overwrites 8 bytes at `at` (negative: from the end) in every `ext` file.
fn flip(v: &TestVault, ext: &str, at: i64) {
    let files = files_ending(&index_dir(v), ext);
    assert!(!files.is_empty(), "no .{ext} file to damage");
    for f in files {
        let mut b = std::fs::read(&f).unwrap();
        let pos = if at < 0 {
            b.len() - (-at) as usize
        } else {
            at as usize
        };
        for x in &mut b[pos..pos + 8] {
            *x ^= 0xff;
        }
        std::fs::write(&f, b).unwrap();
    }
}

/// Search finds every person again, and said on stderr it rebuilt the index.
fn answers_after_rebuild(v: &TestVault, case: &str) {
    let run = v
        .kith(["search", "aardvarks", "--json", "--limit", "1000"])
        .run();
    assert_eq!(run.code, 0, "{case}: {}", run.stderr);
    assert_eq!(
        run.json().as_array().unwrap().len(),
        NOTES,
        "{case}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rebuilt the search index"),
        "{case}: must say so: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{case}: {}", run.stderr);
    // Once: the next search is quiet.
    let again = v.kith(["search", "aardvarks", "--json"]).ok();
    assert!(
        !again.stderr.contains("rebuilt"),
        "{case}: {}",
        again.stderr
    );
}

#[test]
fn a_deleted_pos_file_is_rebuilt_by_search_and_by_index() {
    let v = indexed_vault();
    for f in files_ending(&index_dir(&v), "pos") {
        std::fs::remove_file(f).unwrap();
    }
    answers_after_rebuild(&v, "deleted .pos");
    for f in files_ending(&index_dir(&v), "pos") {
        std::fs::remove_file(f).unwrap();
    }
    // `kith index` must not report success on the broken index: it repairs it.
    let run = v.kith(["index"]).ok();
    assert!(
        run.stderr.contains("rebuilt the search index"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains(&format!("{NOTES} indexed")),
        "{}",
        run.stdout
    );
}

#[test]
fn flipped_bytes_in_the_store_are_rebuilt_not_a_panic() {
    let v = indexed_vault();
    flip(&v, "store", 100);
    answers_after_rebuild(&v, ".store flipped in the middle");
    // Near the end tantivy panics with a range error: caught, and rebuilt.
    flip(&v, "store", -40);
    answers_after_rebuild(&v, ".store flipped near the end");
    flip(&v, "store", -40);
    let run = v.kith(["index"]).ok();
    assert!(
        run.stderr.contains("rebuilt the search index"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_meta_json_that_lost_its_segments_is_not_silently_empty() {
    let v = indexed_vault();
    let meta = index_dir(&v).join("meta.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    m["segments"] = serde_json::json!([]);
    std::fs::write(&meta, m.to_string()).unwrap();
    answers_after_rebuild(&v, "meta.json without segments");
}

#[test]
fn a_cache_path_that_is_a_file_or_a_dangling_symlink_is_replaced() {
    type Make = fn(&Path);
    let cases: [(&str, Make); 4] = [
        ("index", |p| std::fs::write(p, "x").unwrap()),
        ("index", |p| {
            std::os::unix::fs::symlink("/nonexistent/kith-index", p).unwrap()
        }),
        ("", |p| std::fs::write(p, "x").unwrap()),
        ("", |p| {
            std::os::unix::fs::symlink("/nonexistent/kith-cache", p).unwrap()
        }),
    ];
    for (sub, make) in cases {
        let v = indexed_vault();
        let p = if sub.is_empty() {
            v.path(".kith/cache")
        } else {
            v.path(".kith/cache").join(sub)
        };
        std::fs::remove_dir_all(&p).unwrap();
        make(&p);
        answers_after_rebuild(&v, &format!("{} replaced", p.display()));
    }
}

/// `kill -9` in the middle of indexing leaves an index that the next
/// command reads or repairs: every note is found.
#[test]
fn kill_9_during_indexing_is_harmless() {
    let v = TestVault::new();
    for i in 0..600 {
        v.note(
            &format!("notes/n{i}.md"),
            &format!("note {i} about capybaras\n"),
        );
    }
    for delay_ms in [5u64, 20, 60, 120] {
        let _ = std::fs::remove_dir_all(v.path(".kith/cache"));
        let mut child = Command::new(KITH)
            .arg("--vault")
            .arg(&v.root)
            .arg("index")
            .env("HOME", v.home())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let run = v
            .kith(["search", "capybaras", "--json", "--limit", "1000"])
            .run();
        assert_eq!(run.code, 0, "killed after {delay_ms} ms: {}", run.stderr);
        assert_eq!(
            run.json().as_array().unwrap().len(),
            600,
            "killed after {delay_ms} ms"
        );
    }
}

fn spawn_search(v: &TestVault, word: &str) -> Child {
    Command::new(KITH)
        .arg("--vault")
        .arg(&v.root)
        .args(["search", word, "--json", "--limit", "1000"])
        .env("HOME", v.home())
        .env_remove("KITH_VAULT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// (exit code, hits, stderr) of a finished search.
fn finish(c: Child) -> (i32, usize, String) {
    let out = c.wait_with_output().unwrap();
    let n = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .and_then(|j| j.as_array().map(Vec::len))
        .unwrap_or(0);
    (
        out.status.code().unwrap_or(-1),
        n,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Two searches on a cold cache at once, 20 times: both build or wait for
/// the same index, neither fails nor answers empty.
#[test]
fn two_searches_on_a_cold_cache_both_answer() {
    let v = TestVault::new();
    for i in 0..30 {
        v.note(
            &format!("notes/n{i}.md"),
            &format!("note {i} about okapis\n"),
        );
    }
    let mut failures = Vec::new();
    for round in 0..20 {
        let _ = std::fs::remove_dir_all(v.path(".kith/cache"));
        let a = spawn_search(&v, "okapis");
        let b = spawn_search(&v, "okapis");
        for (code, n, err) in [finish(a), finish(b)] {
            if code != 0 || n != 30 {
                failures.push(format!("round {round}: exit {code}, {n} hits: {err}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// `kith watch &` followed at once by searches, with notes changed since the
/// last index, 20 times: the watcher never dies of the concurrent sync, and
/// no search fails or answers empty.
#[test]
fn watch_started_during_searches_never_dies_and_searches_answer() {
    let v = indexed_vault();
    let mut failures = Vec::new();
    for round in 0..20 {
        // Change some notes, so the watcher's first sync and the searches all write.
        for i in 0..5 {
            let rel = format!("people/p{i}.md");
            let text = v.read(&rel) + &format!("\nround{round} aardvarks again\n");
            v.note(&rel, &text);
        }
        if round % 2 == 0 {
            let _ = std::fs::remove_dir_all(v.path(".kith/cache"));
        }
        let mut watch = Command::new(KITH)
            .arg("--vault")
            .arg(&v.root)
            .arg("watch")
            .env("HOME", v.home())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let word = format!("round{round}");
        let searches: Vec<Child> = (0..3).map(|_| spawn_search(&v, &word)).collect();
        for s in searches {
            let (code, n, err) = finish(s);
            // Fresh: exactly the five notes changed this round.
            if code != 0 || n != 5 {
                failures.push(format!(
                    "round {round}: search exit {code}, {n} hits: {err}"
                ));
            }
        }
        // The watcher is still running (it did not die of the concurrent sync).
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(300) {
            if let Some(st) = watch.try_wait().unwrap() {
                let mut err = String::new();
                use std::io::Read;
                watch
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                failures.push(format!("round {round}: watch exited {st}: {err}"));
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        unsafe {
            libc_kill(watch.id() as i32, 15);
        }
        let st = watch.wait().unwrap();
        if !st.success() && st.code().is_some() {
            let mut err = String::new();
            use std::io::Read;
            let _ = watch.stderr.take().map(|mut e| e.read_to_string(&mut err));
            failures.push(format!(
                "round {round}: watch exited {st} on SIGTERM: {err}"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

/// File names ending in an emoji, with or without `.md`, in a note folder:
/// search, show and digest answer instead of panicking.
#[test]
fn emoji_file_names_never_panic() {
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "", "\nLikes confetti.\n");
    v.note("people/party 🎉", "not a note, no .md\n");
    v.note(
        "people/🎉.md",
        "---\nname: Party Person\n---\nLoves confetti too.\n",
    );
    let run = v.kith(["search", "confetti", "--json"]).ok();
    let paths: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect();
    assert!(paths.contains(&"people/🎉.md".to_string()), "{paths:?}");
    assert!(!paths.iter().any(|p| p.ends_with("party 🎉")), "{paths:?}");
    v.kith(["show", "Party Person"])
        .ok()
        .stdout_has("Party Person");
    v.kith(["show", "Ann Lee"]).ok();
    let d = v.kith(["digest"]).run();
    assert!(
        d.code == 0 || d.code == 1,
        "digest exited {}: {}",
        d.code,
        d.stderr
    );
    assert!(!d.stderr.contains("panicked"), "{}", d.stderr);
}

/// A note that cannot be read is not indexed as empty: kith names it and the
/// index keeps its previous version. (`/proc/self/mem` is a regular file
/// whose read fails with EIO, even for root, who reads any 0000 file.)
#[test]
fn an_unreadable_note_keeps_its_indexed_version_and_is_named() {
    let v = indexed_vault();
    let p = v.path("people/p3.md");
    std::fs::remove_file(&p).unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", &p).unwrap();
    let run = v.kith(["search", "zebra3", "--json"]).run();
    assert!(
        run.stderr.contains("people/p3.md") && run.stderr.contains("cannot read"),
        "the unreadable note must be named: {}",
        run.stderr
    );
    assert_eq!(
        run.code, 0,
        "the previous version stays searchable: {}",
        run.stderr
    );
    let j = run.json();
    assert_eq!(j[0]["path"], "people/p3.md");
}

/// Index files truncated in place by another program while a search has
/// them mapped (between its open and its query, held there by
/// `KITH_TEST_HOLD_INDEX`): the first read past a file's new end raised
/// SIGBUS, which killed the search without a word. Now the search runs
/// again, finds the files short, rebuilds the index and answers.
#[cfg(target_os = "linux")]
#[test]
fn index_files_truncated_under_a_search_never_kill_it() {
    let v = indexed_vault();
    let r = search_with_files_cut(&v, &[]);
    assert_eq!(r.code, 0, "killed or failed (-1: a signal): {}", r.stderr);
    let hits: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(hits.as_array().map(Vec::len), Some(NOTES), "{}", r.stderr);
    assert!(r.stderr.contains("searching again"), "{}", r.stderr);
    assert!(
        r.stderr.contains("rebuilt the search index"),
        "{}",
        r.stderr
    );
    // A run that may not run again (as the second run, or any command but
    // search) stops with a message and an error code, not a signal; the
    // next run rebuilds.
    let r = search_with_files_cut(&v, &[("KITH_SIGBUS_RERUN", "1")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("was cut short by another program"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: run the command again"),
        "{}",
        r.stderr
    );
    v.kith(["search", "aardvarks"])
        .ok()
        .stderr_has("rebuilt the search index");
}

/// `kith search aardvarks` with every segment file of the index truncated
/// to nothing in place after the search opened (mapped) them.
#[cfg(target_os = "linux")]
fn search_with_files_cut(v: &TestVault, env: &[(&str, &str)]) -> crate::support::Bounded {
    use crate::support::{kith_command, run_bounded};
    let hold = tempfile::tempdir().unwrap();
    let mut cmd = kith_command(v, &["search", "aardvarks", "--json", "--limit", "100"]);
    cmd.env("KITH_TEST_HOLD_INDEX", hold.path());
    for (k, val) in env {
        cmd.env(k, val);
    }
    let search = std::thread::spawn(move || run_bounded(cmd, "search", Duration::from_secs(60)));
    let until = Instant::now() + Duration::from_secs(20);
    while !hold.path().join("opened").exists() {
        assert!(Instant::now() < until, "the search never opened the index");
        std::thread::sleep(Duration::from_millis(5));
    }
    let cut = cut_segments(v);
    assert!(cut >= 6, "segment files truncated: {cut}");
    std::fs::write(hold.path().join("go"), "").unwrap();
    search.join().unwrap()
}
