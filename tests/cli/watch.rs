//! `kith watch` with real editors' save patterns, real processes, real events.
//!
//! Vaults live under the build's target directory, not /tmp: vim writes in
//! place under /tmp and would never exercise its rename-on-save path there.
//! Every wait is bounded and polls `kith search --json`; no sleep is used as an
//! assertion.
//!
//! Searches here run with `KITH_TEST_TRUST_WATCHER=1`: they skip their own
//! freshness walk and read the index as the watcher left it, so every test
//! fails with a watcher that does nothing (a plain search would re-sync by
//! itself and hide it).

use crate::support::{KITH, TestVault};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every stderr line read so far.
    seen: std::cell::RefCell<Vec<String>>,
}

impl Watch {
    fn start(v: &TestVault, extra: &[&str]) -> Watch {
        Watch::start_with(v, Command::new(KITH), extra)
    }

    /// Starts `kith watch` through `cmd` (kith itself, or a wrapper that
    /// execs the arguments that follow).
    fn start_with(v: &TestVault, mut cmd: Command, extra: &[&str]) -> Watch {
        let mut child = cmd
            .arg("--vault")
            .arg(&v.root)
            .arg("watch")
            .args(extra)
            .env("HOME", v.home())
            .env_remove("KITH_VAULT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let w = Watch {
            child,
            lines: rx,
            seen: Default::default(),
        };
        w.wait_line("watching");
        w
    }

    fn wait_line(&self, needle: &str) -> String {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(100)) {
                self.seen.borrow_mut().push(l.clone());
                if l.contains(needle) {
                    return l;
                }
            }
        }
        panic!("kith watch never printed {needle:?}");
    }

    /// SIGTERM, then expect a clean exit.
    fn stop(mut self) {
        unsafe {
            libc_kill(self.child.id() as i32, 15);
        }
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "kith watch exited with {status}");
                return;
            }
            assert!(start.elapsed() < WAIT, "kith watch did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

/// Fails when a tool a test needs is missing and `CI` is set; else says why
/// the test is skipped.
fn missing_tool(what: &str) {
    assert!(std::env::var_os("CI").is_none(), "CI must provide {what}");
    eprintln!("{what} is not available here; skipping");
}

/// Paths of the search hits for `query` (empty when none), as the watcher
/// indexed them (the search does not sync by itself).
fn hits(v: &TestVault, query: &str) -> Vec<String> {
    let run = v
        .kith(["search", query, "--json", "--limit", "1000"])
        .env("KITH_TEST_TRUST_WATCHER", "1")
        .run();
    if run.code == 1 {
        return Vec::new();
    }
    assert_eq!(run.code, 0, "search failed: {}", run.stderr);
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect()
}

/// Polls until `pred(hits)` holds, within the bounded wait.
fn eventually(
    v: &TestVault,
    query: &str,
    what: &str,
    pred: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let start = Instant::now();
    loop {
        let h = hits(v, query);
        if pred(&h) {
            return h;
        }
        assert!(
            start.elapsed() < WAIT,
            "{what}: search {query:?} still gives {h:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn found_in(path: &str) -> impl Fn(&[String]) -> bool + '_ {
    move |h| h.iter().any(|p| p == path)
}

/// Polls `done` until it holds, failing after [`WAIT`].
fn wait_until(done: impl Fn() -> bool, what: &str) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < WAIT, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn vault_with_ann() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "",
        "\n## Log\n\n### 2026-11-01 · tea\n\nWe talked about aardvarks.\n",
    );
    v
}

fn no_droppings(h: &[String]) {
    for p in h {
        assert!(
            p.ends_with(".md") && !p.contains("___jb_") && !p.ends_with('~'),
            "a dropping was indexed: {p}"
        );
    }
}

#[test]
fn vim_save_is_seen() {
    let v = vault_with_ann();
    let w = Watch::start(&v, &[]);
    let file = v.path("people/ann.md");
    let have_vim = Command::new("vim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if have_vim {
        let st = Command::new("vim")
            .args([
                "-Es",
                "-N",
                "-u",
                "NONE",
                "-i",
                "NONE",
                "-c",
                "set backup writebackup backupcopy=no",
                "-c",
                "normal Goquokkas are vimmed",
                "-c",
                "wq",
            ])
            .arg(&file)
            .current_dir(&v.root)
            .env("HOME", v.home())
            .status()
            .unwrap();
        assert!(st.success());
    } else {
        missing_tool("vim");
        // vim's sequence by hand: rename to a backup, create anew, delete the backup.
        let text = v.read("people/ann.md") + "quokkas are vimmed\n";
        std::fs::write(v.path("people/4913"), "").unwrap();
        std::fs::remove_file(v.path("people/4913")).unwrap();
        std::fs::rename(&file, v.path("people/ann.md~")).unwrap();
        std::fs::write(&file, text).unwrap();
        std::fs::remove_file(v.path("people/ann.md~")).unwrap();
    }
    let h = eventually(&v, "quokkas", "vim save", found_in("people/ann.md"));
    no_droppings(&h);
    // The person is still there, with the old text too.
    eventually(
        &v,
        "aardvarks",
        "old text after vim save",
        found_in("people/ann.md"),
    );
    w.stop();
    assert!(
        !v.path(".kith/cache/watch.json").exists(),
        "the advert is withdrawn on exit"
    );
}

#[test]
fn polling_mode_sees_edits_too() {
    let v = vault_with_ann();
    let w = Watch::start(&v, &["--poll"]);
    let text = v.read("people/ann.md") + "\npangolins polled\n";
    std::fs::write(v.path("people/ann.md"), text).unwrap();
    eventually(&v, "pangolins", "poll mode", found_in("people/ann.md"));
    // A polling watcher does not advertise itself as trusted.
    let status = std::fs::read_to_string(v.path(".kith/cache/watch.json")).unwrap();
    assert!(
        status.contains("\"healthy\":false") && status.contains("\"mode\":\"poll\""),
        "{status}"
    );
    w.stop();
}

/// Too few inotify watches (set low in a user namespace of its own, so the
/// machine's limits are untouched): the watcher says how to raise them, falls
/// back to polling, and still sees edits.
#[test]
fn inotify_limit_falls_back_to_polling_with_a_hint() {
    const LOWER: &str = "echo 3 > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\"";
    let can = Command::new("unshare")
        .args(["-Ur", "sh", "-c", LOWER, "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !can {
        missing_tool("unprivileged user namespaces (unshare -Ur)");
        return;
    }
    let v = vault_with_ann();
    for i in 0..8 {
        v.note(&format!("area-{i}/note.md"), "plain note\n");
    }
    let mut cmd = Command::new("unshare");
    cmd.args(["-Ur", "sh", "-c", LOWER, KITH]);
    let w = Watch::start_with(&v, cmd, &[]);
    let said = w.seen.borrow().join("\n");
    assert!(
        said.contains("inotify limits are too low")
            && said.contains("fs.inotify.max_user_watches")
            && said.contains("falling back to polling"),
        "{said}"
    );
    let text = v.read("people/ann.md") + "\nokapis despite limits\n";
    std::fs::write(v.path("people/ann.md"), text).unwrap();
    eventually(&v, "okapis", "inotify fallback", found_in("people/ann.md"));
    let status = std::fs::read_to_string(v.path(".kith/cache/watch.json")).unwrap();
    assert!(status.contains("\"mode\":\"poll\""), "{status}");
    w.stop();
}

#[test]
fn truncate_then_write_never_drops_the_person() {
    let v = vault_with_ann();
    let w = Watch::start(&v, &[]);
    let file = v.path("people/ann.md");
    let text = v.read("people/ann.md") + "\nwombats visited\n";
    // VS Code and nano: truncate in place, pause, then write.
    std::fs::write(&file, "").unwrap();
    std::thread::sleep(Duration::from_millis(60));
    std::fs::write(&file, &text).unwrap();
    eventually(
        &v,
        "wombats",
        "truncate-then-write",
        found_in("people/ann.md"),
    );
    eventually(&v, "aardvarks", "person kept", found_in("people/ann.md"));
    w.stop();
}

#[test]
fn jetbrains_safe_write_and_sed_in_place() {
    let v = vault_with_ann();
    let w = Watch::start(&v, &[]);
    let file = v.path("people/ann.md");
    // JetBrains: write a temp, move the original aside, move the temp in, delete the old.
    let text = v.read("people/ann.md") + "\nnarwhals jetbrained\n";
    let tmp = v.path("people/ann.md___jb_tmp___");
    let old = v.path("people/ann.md___jb_old___");
    std::fs::write(&tmp, &text).unwrap();
    std::fs::rename(&file, &old).unwrap();
    std::fs::rename(&tmp, &file).unwrap();
    std::fs::remove_file(&old).unwrap();
    let h = eventually(&v, "narwhals", "jetbrains save", found_in("people/ann.md"));
    no_droppings(&h);
    // sed -i: a sedXXXXXX temp renamed over the note.
    let st = Command::new("sed")
        .args(["-i", "s/narwhals/okapis/"])
        .arg(&file)
        .status()
        .unwrap();
    assert!(st.success());
    eventually(&v, "okapis", "sed -i", found_in("people/ann.md"));
    eventually(&v, "narwhals", "old word gone", |h| h.is_empty());
    w.stop();
}

#[test]
fn moves_in_and_out_and_folder_renames() {
    let v = vault_with_ann();
    let outside = v.home().join("outside.md");
    std::fs::write(&outside, "---\nname: Bo Chen\n---\nbonobos\n").unwrap();
    let w = Watch::start(&v, &[]);
    std::fs::rename(&outside, v.path("people/bo.md")).unwrap();
    eventually(&v, "bonobos", "moved in", found_in("people/bo.md"));
    std::fs::rename(v.path("people/bo.md"), v.home().join("gone.md")).unwrap();
    eventually(&v, "bonobos", "moved out", |h| h.is_empty());
    std::fs::create_dir_all(v.path("archive")).unwrap();
    std::fs::rename(v.path("people"), v.path("archive/people")).unwrap();
    eventually(
        &v,
        "aardvarks",
        "folder renamed",
        found_in("archive/people/ann.md"),
    );
    w.stop();
}

/// The watcher indexes a saved note by the walk's rules too: a note in an
/// ignored folder never reaches the index. (It asked only "is it `*.md`",
/// not the `ignore:` patterns, so an ignored note became searchable as soon
/// as it was saved with a watcher running.)
#[test]
fn the_watcher_leaves_ignored_notes_out_of_the_index() {
    let v = vault_with_ann();
    v.note(".kith/config.yaml", "ignore:\n  - drafts/\n");
    std::fs::create_dir_all(v.path("drafts")).unwrap();
    let w = Watch::start(&v, &[]);
    v.note("drafts/wip.md", "---\nname: Wip Note\n---\nwombats\n");
    v.note("people/bo.md", "---\nname: Bo Chen\n---\nwombats\n");
    eventually(&v, "wombats", "a note saved", found_in("people/bo.md"));
    assert_eq!(hits(&v, "wombats"), ["people/bo.md"]);
    w.stop();
}

fn commit_all(v: &TestVault, msg: &str) {
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", msg]);
}

#[test]
fn git_checkout_of_300_notes_ends_level_with_the_tree() {
    let v = vault_with_ann();
    v.git_init();
    v.note(".gitignore", ".kith/cache/\n");
    for i in 0..300 {
        v.note(
            &format!("notes/n{i:03}.md"),
            &format!("note {i} says lemurs\n"),
        );
    }
    commit_all(&v, "base");
    v.git(&["checkout", "-q", "-b", "other"]);
    for i in 0..300 {
        v.note(
            &format!("notes/n{i:03}.md"),
            &format!("note {i} says tapirs\n"),
        );
    }
    commit_all(&v, "other");
    v.git(&["checkout", "-q", "main"]);
    let w = Watch::start(&v, &[]);
    eventually(&v, "lemurs", "before checkout", |h| h.len() == 300);
    v.git(&["checkout", "-q", "other"]);
    eventually(&v, "tapirs", "after checkout", |h| h.len() == 300);
    eventually(&v, "lemurs", "old branch gone", |h| h.is_empty());
    w.stop();
}

#[test]
fn commands_trust_a_healthy_watcher_and_never_see_lock_errors() {
    let v = vault_with_ann();
    let w = Watch::start(&v, &[]);
    let file = v.path("people/ann.md");
    for i in 0..5 {
        let text = v.read("people/ann.md") + &format!("\nsloth{i}\n");
        std::fs::write(&file, text).unwrap();
        // Right after the edit, with the watcher running: fresh (the watcher
        // answered the flush: the search did not walk) and no lock error.
        let run = v
            .kith(["search", &format!("sloth{i}"), "--json"])
            .env("KITH_TEST_TRUST_WATCHER", "1")
            .run();
        assert!(
            !run.stderr.contains("no watcher answered"),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.to_lowercase().contains("lock"),
            "{}",
            run.stderr
        );
        assert_eq!(
            run.code, 0,
            "edit {i} not searchable at once: {}",
            run.stderr
        );
    }
    let status = std::fs::read_to_string(v.path(".kith/cache/watch.json")).unwrap();
    assert!(status.contains("\"healthy\":true"), "{status}");
    w.stop();
}

/// Commands read the vault (folders are listed, notes opened): an idle watcher
/// must not take those reads for changes and rescan in a loop.
#[test]
fn an_idle_watcher_stays_idle_while_commands_read() {
    let v = vault_with_ann();
    let w = Watch::start(&v, &[]);
    let seq = || -> u64 {
        let s: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(v.path(".kith/cache/watch.json")).unwrap(),
        )
        .unwrap();
        s["seq"].as_u64().unwrap()
    };
    let before = seq();
    for _ in 0..3 {
        v.kith(["search", "aardvarks", "--json"]).ok();
        v.kith(["check"]).ok();
    }
    // A flush answered by the watcher is a barrier: it has handled every event
    // the reads above caused (one ordered queue), and a pending batch is synced
    // before a flush is answered, so a spurious batch would show in `seq`.
    let run = v
        .kith(["search", "aardvarks", "--json"])
        .env("KITH_TEST_TRUST_WATCHER", "1")
        .ok();
    assert!(
        !run.stderr.contains("no watcher answered"),
        "{}",
        run.stderr
    );
    assert_eq!(
        seq(),
        before,
        "no change was made, so no batch should have run"
    );
    w.stop();
}

#[test]
fn digest_file_is_written_only_when_it_changes() {
    let v = vault_with_ann();
    let out = v.home().join("digest.md");
    let w = Watch::start(&v, &["--digest", out.to_str().unwrap()]);
    wait_until(|| out.exists(), "digest file never written");
    let before = std::fs::metadata(&out).unwrap().modified().unwrap();
    // A change that does not alter the digest leaves the file alone.
    let text = v.read("people/ann.md") + "\nplatypus\n";
    std::fs::write(v.path("people/ann.md"), text).unwrap();
    eventually(&v, "platypus", "edit synced", found_in("people/ann.md"));
    let after = std::fs::metadata(&out).unwrap().modified().unwrap();
    assert_eq!(
        before, after,
        "digest rewritten though its content did not change"
    );
    // The digest file itself never becomes a search hit loop.
    assert!(
        !hits(&v, "platypus")
            .iter()
            .any(|p| Path::new(p) == Path::new("digest.md"))
    );
    w.stop();
}

/// The digest file follows an edit that changes the digest (an overdue
/// promise added), and a second watcher-side computation is not needed for
/// it: the file's refresh reads and fills the digest cache itself.
#[test]
fn digest_file_follows_an_edit_that_changes_the_digest() {
    let v = vault_with_ann();
    let out = v.home().join("digest.md");
    let w = Watch::start(&v, &["--digest", out.to_str().unwrap()]);
    wait_until(|| out.exists(), "digest file never written");
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap()
            .contains("send the quokka deck")
    );
    let text =
        v.read("people/ann.md") + "\n## Promises\n- [ ] send the quokka deck 📅 2020-01-01\n";
    std::fs::write(v.path("people/ann.md"), text).unwrap();
    wait_until(
        || {
            std::fs::read_to_string(&out)
                .unwrap_or_default()
                .contains("send the quokka deck")
        },
        "the digest file never showed the new promise",
    );
    // The next `kith digest` is answered from the cache the file's refresh
    // filled (nothing changed since).
    v.kith(["digest"])
        .env("KITH_TRACE", "1")
        .ok()
        .stdout_has("send the quokka deck")
        .stderr_has("digest cache: hit");
    w.stop();
}

/// A failed final sync is reported and the exit is non-zero, never "the
/// index is consistent".
#[test]
fn a_failed_final_sync_is_an_error_not_consistent() {
    let v = vault_with_ann();
    // A long debounce keeps the edit pending until the stop.
    let w = Watch::start(&v, &["--debounce", "60000"]);
    let text = v.read("people/ann.md") + "\nmarmots pending\n";
    std::fs::write(v.path("people/ann.md"), text).unwrap();
    // Wait until the edit is pending in the watcher: a flush would sync it,
    // so look at the advert instead (it is written on every heartbeat).
    std::fs::remove_dir_all(v.path(".kith/cache/index")).unwrap();
    std::fs::write(v.path(".kith/cache/index"), "not an index").unwrap();
    let mut w = w;
    unsafe {
        libc_kill(w.child.id() as i32, 15);
    }
    let start = Instant::now();
    let status = loop {
        if let Some(s) = w.child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < WAIT, "kith watch did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut said = w.seen.borrow().join("\n");
    while let Ok(l) = w.lines.recv_timeout(Duration::from_millis(500)) {
        said.push('\n');
        said.push_str(&l);
    }
    assert!(!status.success(), "exit must be non-zero: {said}");
    assert!(!said.contains("consistent"), "{said}");
    assert!(
        said.contains("search index"),
        "the error is printed: {said}"
    );
}

const MODEL: &str = ".kith/cache/model.bin";

/// `kith ARGS` reading the note cache as the watcher left it (no walk of
/// its own, see `KITH_TEST_TRUST_WATCHER`): a watcher that does not keep the
/// model fresh fails every check below.
fn trusted<const N: usize>(v: &TestVault, args: [&str; N]) -> crate::support::Run {
    let run = v
        .kith(args)
        .env("KITH_TEST_TRUST_WATCHER", "1")
        .env("KITH_TRACE", "1")
        .run();
    assert!(
        !run.stderr.contains("no watcher answered"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("vouched by the watcher"),
        "the command walked: {}",
        run.stderr
    );
    run
}

fn lena_and_tomas(v: &TestVault, lena_title: &str) {
    v.person(
        "lena",
        "Lena Fischer",
        "cadence: 1w",
        &format!("## 2026-10-01 · {lena_title}\nWe talked about the book.\n"),
    );
}

fn trusted_digest(v: &TestVault) -> String {
    let run = trusted(v, ["digest", "--as-of", "2026-11-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

/// With `kith watch` running, `show` and `digest` answer from the model the
/// watcher keeps, without walking, and still see an edit, a delete and a
/// rename made just before them.
#[test]
fn show_and_digest_see_an_edit_a_delete_and_a_rename_through_the_watcher() {
    let v = TestVault::new();
    lena_and_tomas(&v, "Coffee");
    v.person(
        "tomas",
        "Tomas Meyer",
        "cadence: 1w",
        "## 2026-10-02 · Lunch\nPasta.\n",
    );
    let w = Watch::start(&v, &[]);
    let run = trusted(&v, ["show", "Lena"]);
    assert!(run.stdout.contains("Coffee"), "{}", run.stdout);
    let d = trusted_digest(&v);
    assert!(d.contains("Coffee") && d.contains("Tomas Meyer"), "{d}");

    lena_and_tomas(&v, "Hiking");
    let run = trusted(&v, ["show", "Lena"]);
    assert!(
        run.stdout.contains("Hiking") && !run.stdout.contains("Coffee"),
        "edit not seen: {}",
        run.stdout
    );
    let d = trusted_digest(&v);
    assert!(d.contains("Hiking") && !d.contains("Coffee"), "{d}");

    std::fs::remove_file(v.path("people/tomas.md")).unwrap();
    let run = trusted(&v, ["show", "Tomas"]);
    assert_eq!(run.code, 2, "delete not seen: {}", run.stdout);
    let d = trusted_digest(&v);
    assert!(!d.contains("Tomas") && d.contains("Lena Fischer"), "{d}");

    std::fs::rename(v.path("people/lena.md"), v.path("people/lena-fischer.md")).unwrap();
    let run = trusted(&v, ["show", "Lena"]);
    assert!(
        run.stdout.contains("people/lena-fischer.md") && !run.stdout.contains("people/lena.md"),
        "rename not seen: {}",
        run.stdout
    );
    let d = trusted_digest(&v);
    assert!(
        d.contains("lena-fischer.md") && !d.contains("people/lena.md"),
        "{d}"
    );
    w.stop();
}

/// The watcher vouches for the model file it wrote, not for whatever is
/// there: an older model put back by another process (a command whose walk
/// began before an edit) or a truncated one is checked again and rebuilt,
/// and a watcher that does not answer (stopped) is walked around.
#[test]
fn a_model_replaced_behind_the_watchers_back_or_a_silent_watcher_is_not_trusted() {
    let v = TestVault::new();
    lena_and_tomas(&v, "Coffee");
    let w = Watch::start(&v, &[]);
    assert!(trusted(&v, ["show", "Lena"]).stdout.contains("Coffee"));
    let stale = v.read_bytes(MODEL);
    lena_and_tomas(&v, "Hiking");
    assert!(trusted(&v, ["show", "Lena"]).stdout.contains("Hiking"));

    v.write_bytes(MODEL, &stale);
    v.kith(["show", "Lena"])
        .ok()
        .stdout_has("Hiking")
        .stdout_lacks("Coffee");
    v.write_bytes(MODEL, &stale);
    let run = trusted(&v, ["show", "Lena"]);
    assert!(
        run.stdout.contains("Hiking") && !run.stdout.contains("Coffee"),
        "a stale model was trusted: {}",
        run.stdout
    );

    let good = v.read_bytes(MODEL);
    v.write_bytes(MODEL, &good[..good.len() / 2]);
    let run = trusted(&v, ["show", "Lena"]);
    assert!(run.stdout.contains("Hiking"), "{}", run.stdout);
    w.wait_line("rebuilt the note cache");

    // A stopped watcher answers no flush: the command walks (and is fresh).
    unsafe {
        libc_kill(w.child.id() as i32, 19);
    }
    lena_and_tomas(&v, "Rowing");
    let run = v.kith(["show", "Lena"]).env("KITH_TRACE", "1").ok();
    unsafe {
        libc_kill(w.child.id() as i32, 18);
    }
    assert!(
        run.stdout.contains("Rowing") && !run.stderr.contains("vouched"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    w.stop();
}

/// After each batch the watcher warms today's digest cache on a thread of
/// its own: the next `kith digest` finds it ready (a hit, no record
/// decoded) and it already says what the edit changed. (Before, nothing
/// warmed it: `digest.bin` was never written by the watcher.)
#[test]
fn the_watcher_warms_todays_digest_after_an_edit() {
    let v = TestVault::new();
    lena_and_tomas(&v, "Coffee");
    let file = v.path(".kith/cache/digest.bin");
    let w = Watch::start(&v, &[]);
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !done() {
            assert!(start.elapsed() < WAIT, "the watcher never {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("warmed the digest cache", &|| file.exists());
    let before = std::fs::read(&file).unwrap_or_default();
    lena_and_tomas(&v, "Hiking");
    // The flush: the watcher has seen the edit once this answers.
    let run = trusted(&v, ["show", "Lena"]);
    assert!(run.stdout.contains("Hiking"), "{}", run.stdout);
    wait_for("warmed the digest cache again after the edit", &|| {
        std::fs::read(&file).unwrap_or_default() != before
    });
    let run = trusted(&v, ["digest"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("digest cache: hit"), "{}", run.stderr);
    assert!(
        run.stdout.contains("Hiking") && !run.stdout.contains("Coffee"),
        "{}",
        run.stdout
    );
    w.stop();
}
