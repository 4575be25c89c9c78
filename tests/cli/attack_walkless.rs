//! Attacks on `kith search` without a walk (the stamp file's folders,
//! layout KITHSTP3) and on the watcher that writes stamps without them.
//! The rule under attack: a search answers what a fresh index answers
//! (`rm -rf .kith/cache`, then search) and what `show` sees, after any
//! change, with or without `kith watch`.

use crate::support::{TestVault, kith_command};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The vault every test starts from: notes in the root, in a folder and in
/// a nested folder, two of them saying "sailing".
pub(crate) fn vault() -> TestVault {
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "", "\nLikes sailing.\n");
    v.person("bo", "Bo Lind", "", "\nLikes chess.\n");
    v.note("notes/deep/trip.md", "A sailing trip.\n");
    v.note("top.md", "A root note about sailing.\n");
    v
}

fn stamp_file(v: &TestVault) -> PathBuf {
    v.path(".kith/cache/index/kith-stamps")
}

/// The stamp file as if taken long after every change (its as-of time far
/// ahead, as `search.rs` does): the next search checks instead of walking.
fn settle(v: &TestVault) {
    let file = stamp_file(v);
    let mut b = std::fs::read(&file).unwrap();
    b[16..24].copy_from_slice(&(i64::MAX / 2).to_le_bytes());
    std::fs::write(&file, b).unwrap();
}

fn paths_of(run: &crate::support::Run) -> Vec<String> {
    let mut p: Vec<String> = match run.code {
        0 => run
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect(),
        1 => Vec::new(),
        c => panic!("search exited {c}: {}", run.stderr),
    };
    p.sort();
    p
}

/// The search's answer (sorted paths) and whether it skipped the walk.
pub(crate) fn search(v: &TestVault, word: &str) -> (Vec<String>, bool) {
    let run = v
        .kith(["search", word, "--json", "--limit", "100"])
        .env("KITH_TRACE", "1")
        .run();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let checked = run
        .stderr
        .lines()
        .any(|l| l.starts_with("trace: check") && l.ends_with("(true)"));
    (paths_of(&run), checked)
}

/// What a fresh index answers: a copy of the vault (symlinks kept as
/// they are) without `.kith/cache`, searched once.
pub(crate) fn fresh(v: &TestVault, word: &str) -> Vec<String> {
    let copy = tempfile::Builder::new()
        .prefix("fresh-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let to = copy.path().join("vault");
    copy_tree(&v.root, &to);
    let run = crate::support::run_bounded(
        {
            let mut c = kith_at(v, &to, &["search", word, "--json", "--limit", "100"]);
            c.current_dir(&to);
            c
        },
        "search",
        Duration::from_secs(30),
    );
    let mut p: Vec<String> = match run.code {
        0 => serde_json::from_str::<serde_json::Value>(&run.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect(),
        1 => Vec::new(),
        c => panic!("fresh search exited {c}: {}", run.stderr),
    };
    p.sort();
    p
}

/// Copies a vault as it is (symlinks as symlinks, FIFOs as FIFOs),
/// leaving out `.kith/cache` (a running watcher writes there meanwhile).
fn copy_tree(from: &Path, to: &Path) {
    use std::os::unix::fs::FileTypeExt;
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.ends_with(".kith/cache") {
            continue;
        }
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_symlink() {
            symlink(&std::fs::read_link(&src).unwrap(), &dst);
        } else if ft.is_dir() {
            copy_tree(&src, &dst);
        } else if ft.is_fifo() {
            crate::support::mkfifo(&dst);
        } else if ft.is_file() {
            // Gone meanwhile: as if never there.
            let _ = std::fs::copy(&src, &dst);
        }
    }
}

/// `kith --vault AT ARGS` with the test vault's private HOME.
fn kith_at(v: &TestVault, at: &Path, args: &[&str]) -> Command {
    let home = v.home();
    let mut cmd = Command::new(crate::support::KITH);
    cmd.arg("--vault")
        .arg(at)
        .args(args)
        .current_dir(at)
        .env_remove("KITH_VAULT")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CEILING_DIRECTORIES", home.parent().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null());
    cmd
}

pub(crate) fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn touch(args: &[&str]) {
    let st = Command::new("touch").args(args).status().unwrap();
    assert!(st.success(), "touch {args:?}");
}

/// A place outside the vault for symlink targets, removed on drop.
pub(crate) fn outside() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("outside-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

/// Each change made on a settled vault (so the search after it would skip
/// the walk if it trusted the folders): the answer must be a fresh index's,
/// then, settled again, the same once more.
#[test]
fn every_change_on_a_settled_vault_is_seen_as_a_fresh_index_sees_it() {
    type Change = fn(&TestVault, &Path);
    let cases: Vec<(&str, Change)> = vec![
        ("a note moved between folders", |v, _| {
            std::fs::rename(v.path("people/ann.md"), v.path("notes/ann.md")).unwrap();
        }),
        ("a note edited, same size, mtime restored", |v, _| {
            let p = v.path("notes/deep/trip.md");
            let m = std::fs::metadata(&p).unwrap().modified().unwrap();
            std::fs::write(&p, "A boating trip.\n").unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_modified(m).unwrap();
        }),
        (
            "a folder's mtime restored after a note was added",
            |v, _| {
                let m = std::fs::metadata(v.path("people"))
                    .unwrap()
                    .modified()
                    .unwrap();
                v.note("people/cy.md", "sailing too\n");
                let f = std::fs::File::open(v.path("people")).unwrap();
                f.set_modified(m).unwrap();
            },
        ),
        (
            "a folder swapped for another with the same times (touch -r)",
            |v, out| {
                let other = out.join("deep");
                std::fs::create_dir(&other).unwrap();
                std::fs::write(other.join("other.md"), "sailing elsewhere\n").unwrap();
                let deep = v.path("notes/deep");
                let notes = v.path("notes");
                let (d, n) = (deep.to_str().unwrap(), notes.to_str().unwrap());
                touch(&["-r", d, other.to_str().unwrap()]);
                let away = out.join("away");
                std::fs::rename(&deep, &away).unwrap();
                std::fs::rename(&other, &deep).unwrap();
                touch(&["-r", away.to_str().unwrap(), n]);
                touch(&["-r", away.to_str().unwrap(), d]);
            },
        ),
        ("a symlinked note retargeted", |v, out| {
            std::fs::write(out.join("a.md"), "sailing a\n").unwrap();
            std::fs::remove_file(v.path("sl.md")).unwrap();
            symlink(&out.join("a.md"), &v.path("sl.md"));
        }),
        (
            "a symlinked note's target edited outside the vault",
            |_, out| {
                std::fs::write(out.join("b.md"), "now sailing b\n").unwrap();
            },
        ),
        ("a symlinked folder's target gains a note", |_, out| {
            std::fs::write(out.join("dir/new.md"), "sailing in a linked folder\n").unwrap();
        }),
        ("a hidden folder un-hidden", |v, _| {
            std::fs::rename(v.path(".hid"), v.path("hid")).unwrap();
        }),
        ("ignore: edited", |v, _| {
            std::fs::write(v.path(".kith/config.yaml"), "ignore: [deep]\n").unwrap();
        }),
        ("Obsidian's templates folder set", |v, _| {
            std::fs::create_dir_all(v.path(".obsidian")).unwrap();
            std::fs::write(v.path(".obsidian/templates.json"), r#"{"folder":"people"}"#).unwrap();
        }),
        ("a FIFO named like a note", |v, _| {
            crate::support::mkfifo(&v.path("notes/fifo.md"));
        }),
        ("a dangling symlink named like a note", |v, out| {
            symlink(&out.join("gone.md"), &v.path("dangle.md"));
        }),
        ("a note added in the vault root", |v, _| {
            v.note("top2.md", "sailing at the top\n");
        }),
        ("a note in a folder created in the folder", |v, _| {
            v.note("notes/deep/deeper/x.md", "deep sailing\n");
        }),
        ("a folder removed", |v, _| {
            std::fs::remove_dir_all(v.path("notes/deep")).unwrap();
        }),
    ];
    for (what, change) in cases {
        let v = vault();
        let out = outside();
        std::fs::create_dir(out.path().join("dir")).unwrap();
        std::fs::write(out.path().join("dir/old.md"), "sailing old\n").unwrap();
        std::fs::write(out.path().join("b.md"), "chess b\n").unwrap();
        symlink(&out.path().join("b.md"), &v.path("sl.md"));
        symlink(&out.path().join("dir"), &v.path("linked"));
        v.note(".hid/h.md", "hidden sailing\n");
        let _ = search(&v, "sailing");
        settle(&v);
        let (_, checked) = search(&v, "sailing");
        assert!(checked, "{what}: the settled vault is checked, not walked");
        settle(&v);
        change(&v, out.path());
        let (got, _) = search(&v, "sailing");
        assert_eq!(got, fresh(&v, "sailing"), "{what}");
        settle(&v);
        let (again, _) = search(&v, "sailing");
        assert_eq!(again, got, "{what}: settled again, the same answer");
    }
}

/// A stamp file cut short, of the old layout, zeroed, or with lengths far
/// past its end: the search answers as a fresh index, without a panic.
#[test]
fn a_damaged_or_old_stamp_file_never_gives_a_stale_answer() {
    type Damage = fn(&mut Vec<u8>);
    let cases: Vec<(&str, Damage)> = vec![
        ("cut by 3 bytes", |b| b.truncate(b.len() - 3)),
        ("cut inside the header", |b| b.truncate(20)),
        ("the old layout, KITHSTP2", |b| {
            let folders = u64::from_le_bytes(b[32..40].try_into().unwrap()) as usize;
            let mut old = b"KITHSTP2".to_vec();
            old.extend_from_slice(&b[8..32]);
            old.extend_from_slice(&b[48 + folders..]);
            *b = old;
        }),
        ("a folders' length past the end", |b| {
            b[32..40].copy_from_slice(&u64::MAX.to_le_bytes())
        }),
        ("a huge note count", |b| {
            b[24..32].copy_from_slice(&(1u64 << 62).to_le_bytes())
        }),
        ("a folder path length past the end", |b| {
            b[48..52].copy_from_slice(&u32::MAX.to_le_bytes())
        }),
        ("zeroed", |b| b.iter_mut().for_each(|x| *x = 0)),
        ("the folders' record emptied", |b| {
            let folders = u64::from_le_bytes(b[32..40].try_into().unwrap()) as usize;
            b.drain(48..48 + folders);
            b[32..40].copy_from_slice(&0u64.to_le_bytes());
        }),
    ];
    for (what, damage) in cases {
        let v = vault();
        let _ = search(&v, "sailing");
        settle(&v);
        let mut b = std::fs::read(stamp_file(&v)).unwrap();
        damage(&mut b);
        std::fs::write(stamp_file(&v), b).unwrap();
        v.note("people/cy.md", "sailing with Cy\n");
        let (got, _) = search(&v, "sailing");
        assert_eq!(got, fresh(&v, "sailing"), "{what}");
        assert!(got.contains(&"people/cy.md".to_string()), "{what}");
    }
}

/// A vault reached through a symlink, and one with many folders: checked,
/// and a note added deep in one of them is still found.
#[test]
fn a_symlinked_vault_root_and_many_folders_still_see_a_new_note() {
    let v = vault();
    for i in 0..2000 {
        std::fs::create_dir_all(v.path(&format!("many/f{i:04}"))).unwrap();
    }
    v.note("many/f0000/first.md", "sailing first\n");
    let link = v.root.with_file_name("vault-link");
    symlink(&v.root, &link);
    let via = |word: &str| {
        let mut c = kith_at(&v, &link, &["search", word, "--json", "--limit", "100"]);
        c.env("KITH_TRACE", "1");
        let r = crate::support::run_bounded(c, "search", Duration::from_secs(60));
        let checked = r
            .stderr
            .lines()
            .any(|l| l.starts_with("trace: check") && l.ends_with("(true)"));
        let mut p: Vec<String> = serde_json::from_str::<serde_json::Value>(&r.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect();
        p.sort();
        (p, checked)
    };
    let _ = via("sailing");
    settle(&v);
    let (before, checked) = via("sailing");
    assert!(checked, "a settled vault behind a symlink is checked");
    v.note("many/f1999/last.md", "sailing last\n");
    let (after, _) = via("sailing");
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert_eq!(after, fresh(&v, "sailing"));
}

/// `kith log` in a loop against `kith search` in a loop: once both end,
/// every entry is in the note and found, as a fresh index finds it.
#[test]
fn a_log_loop_and_a_search_loop_lose_nothing() {
    let v = vault();
    let _ = search(&v, "sailing");
    settle(&v);
    let root = v.root.clone();
    let logs = {
        let cmds: Vec<Command> = (0..15)
            .map(|i| kith_command(&v, &["log", "ann", &format!("entry{i} zebrafish")]))
            .collect();
        std::thread::spawn(move || {
            for c in cmds {
                let r = crate::support::run_bounded(c, "log", Duration::from_secs(30));
                assert_eq!(r.code, 0, "{}", r.stderr);
            }
        })
    };
    let searches: Vec<Command> = (0..15)
        .map(|_| kith_command(&v, &["search", "zebrafish", "--json"]))
        .collect();
    for c in searches {
        let r = crate::support::run_bounded(c, "search", Duration::from_secs(30));
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    logs.join().unwrap();
    let text = std::fs::read_to_string(root.join("people/ann.md")).unwrap();
    assert_eq!(text.matches("zebrafish").count(), 15, "no entry lost");
    for i in [0, 7, 14] {
        let w = format!("entry{i}");
        let (got, _) = search(&v, &w);
        assert_eq!(got, ["people/ann.md"], "{w}");
        assert_eq!(got, fresh(&v, &w));
    }
}

/// `kith watch` running, with its stdout in a file (to wait for its
/// first line); killed on drop.
pub(crate) struct Watch(Child);

impl Watch {
    pub(crate) fn start(v: &TestVault) -> Watch {
        let log = v.root.with_file_name("watch.out");
        let mut c = kith_command(v, &["watch"]);
        let f = std::fs::File::create(&log).unwrap();
        c.stdout(Stdio::from(f.try_clone().unwrap()))
            .stderr(Stdio::from(f));
        let w = Watch(c.spawn().unwrap());
        let until = Instant::now() + Duration::from_secs(20);
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("watching")
        {
            assert!(Instant::now() < until, "kith watch never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        w
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Searches (trusting the healthy watcher) until the answer is `want`, for
/// a few seconds; the last answer.
/// Waits for the watcher's search to give `want`, stops the watcher, and
/// fails unless it did.
pub(crate) fn assert_settles(w: Watch, v: &TestVault, word: &str, want: &[String]) {
    let got = settles_to(v, word, want);
    drop(w);
    assert_eq!(got, want, "with the watcher running");
}

pub(crate) fn settles_to(v: &TestVault, word: &str, want: &[String]) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let (got, _) = search(v, word);
        if got == want || Instant::now() > until {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// With `kith watch` running, a note written into the target of a
/// symlinked folder was indexed (the watcher's events follow the symlink),
/// though no walk enters a symlinked folder: `search` found
/// `linked/zed.md` while `show` and a fresh index did not know it.
#[test]
fn the_watcher_indexes_no_note_under_a_symlinked_folder() {
    let v = vault();
    let out = outside();
    symlink(out.path(), &v.path("linked"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    std::fs::write(
        out.path().join("zed.md"),
        "---\nname: Zed Link\n---\nsailing\n",
    )
    .unwrap();
    // A note in the vault as well, so the watcher surely synced.
    v.note("people/cy.md", "sailing with Cy\n");
    let want = fresh(&v, "sailing");
    assert!(want.contains(&"people/cy.md".to_string()));
    let got = settles_to(&v, "sailing", &want);
    let shown = v.kith(["show", "Zed Link"]).run();
    assert_ne!(shown.code, 0, "show does not know a note no walk enters");
    drop(w);
    assert_eq!(got, want, "with the watcher running");
    let (after, _) = search(&v, "sailing");
    assert_eq!(after, want, "after the watcher was killed");
}

/// With `kith watch` running, setting Obsidian's templates folder made
/// `list`/`show` leave its notes out at once (the watcher's model checks
/// those settings), but the search index kept them: `search` still found
/// `people/ann.md`, a template now, while a fresh index did not.
#[test]
fn the_watcher_follows_obsidians_templates_folder_in_the_index() {
    let v = vault();
    std::fs::create_dir_all(v.path(".obsidian")).unwrap();
    std::fs::write(v.path(".obsidian/templates.json"), "{}").unwrap();
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    std::fs::write(v.path(".obsidian/templates.json"), r#"{"folder":"people"}"#).unwrap();
    let want = fresh(&v, "sailing");
    assert!(!want.contains(&"people/ann.md".to_string()));
    let got = settles_to(&v, "sailing", &want);
    v.kith(["list"]).run().stdout_lacks("Ann Lee");
    drop(w);
    assert_eq!(got, want, "with the watcher running");
    let (after, _) = search(&v, "sailing");
    assert_eq!(after, want, "after the watcher was killed");
}

/// The same when the `.obsidian` folder arrives whole (moved in), so no
/// event names `templates.json` itself.
#[test]
fn the_watcher_follows_an_obsidian_folder_moved_in() {
    let v = vault();
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    let out = outside();
    std::fs::create_dir(out.path().join("obs")).unwrap();
    std::fs::write(
        out.path().join("obs/templates.json"),
        r#"{"folder":"people"}"#,
    )
    .unwrap();
    std::fs::rename(out.path().join("obs"), v.path(".obsidian")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(!want.contains(&"people/ann.md".to_string()));
    assert_settles(w, &v, "sailing", &want);
}

/// With `kith watch` running, a note that is a symlink to another note of
/// the vault: an edit of the target names only the target, so the watcher
/// re-indexed the target alone and `search` missed the new word in
/// `alias.md`, which a fresh index (and a walk) finds.
#[test]
fn the_watcher_reindexes_a_symlink_to_an_edited_note() {
    let v = vault();
    symlink(Path::new("people/ann.md"), &v.path("alias.md"));
    let _ = search(&v, "kayaks");
    let w = Watch::start(&v);
    v.person("ann", "Ann Lee", "", "\nLikes kayaks.\n");
    let want = fresh(&v, "kayaks");
    assert_eq!(want, ["alias.md", "people/ann.md"]);
    assert_settles(w, &v, "kayaks", &want);
}

/// With `kith watch` running, a symlinked note whose target (outside the
/// vault) is edited: no event reaches the watcher (it watches the vault's
/// folders, not the targets of symlinked notes), yet commands trust it and
/// skip their walk, so `search` answers the old text until the watcher
/// stops. Without a watcher the check stats through the symlink and sees it.
#[test]
fn the_watcher_sees_an_edit_to_a_symlinked_notes_target() {
    let v = vault();
    let out = outside();
    std::fs::write(out.path().join("s.md"), "chess only\n").unwrap();
    symlink(&out.path().join("s.md"), &v.path("sl.md"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    std::fs::write(out.path().join("s.md"), "sailing now\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(want.contains(&"sl.md".to_string()));
    assert_settles(w, &v, "sailing", &want);
}

/// With `kith watch` running, a folder whose name has a dot (`proj.v1`,
/// `Ann.Smith`, `2026.11`) renamed, or moved in, was taken for a file of
/// another kind and ignored: `search` kept `proj.v1/n.md`, a file gone,
/// and missed the notes moved in, while a fresh index (and `show`) had them.
#[test]
fn the_watcher_follows_folders_with_a_dot_in_their_name() {
    let v = vault();
    v.note("proj.v1/n.md", "sailing in v1\n");
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    std::fs::rename(v.path("proj.v1"), v.path("proj.v2")).unwrap();
    let out = outside();
    std::fs::create_dir(out.path().join("Cy.Smith")).unwrap();
    std::fs::write(
        out.path().join("Cy.Smith/cy.md"),
        "---\nname: Cy Smith\n---\nsailing moved in\n",
    )
    .unwrap();
    std::fs::rename(out.path().join("Cy.Smith"), v.path("people/Cy.Smith")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(want.contains(&"proj.v2/n.md".to_string()), "{want:?}");
    assert!(
        want.contains(&"people/Cy.Smith/cy.md".to_string()),
        "{want:?}"
    );
    assert_settles(w, &v, "sailing", &want);
    v.kith(["show", "Cy Smith"]).ok();
}

/// With `kith watch` running, a folder named like a note (`old.md/`)
/// renamed, and another moved in: the watcher took each for a note that is
/// not a regular file and looked no further, so `search` kept
/// `old.md/inner.md` and `leaving.md/inner.md` (moved out of the vault),
/// both gone, and missed `in.md/m.md`, which the walk reads.
#[test]
fn the_watcher_follows_folders_named_like_notes() {
    let v = vault();
    v.note("old.md/inner.md", "sailing inner\n");
    v.note("leaving.md/inner.md", "sailing away\n");
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    let out = outside();
    // Alone, so no other change sends the watcher to a full sync.
    std::fs::rename(v.path("leaving.md"), out.path().join("left.md")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(
        !want.contains(&"leaving.md/inner.md".to_string()),
        "{want:?}"
    );
    let got = settles_to(&v, "sailing", &want);
    assert_eq!(got, want, "a folder named like a note moved out");
    std::fs::rename(v.path("old.md"), v.path("renamed.md")).unwrap();
    std::fs::create_dir(out.path().join("in.md")).unwrap();
    std::fs::write(out.path().join("in.md/m.md"), "sailing moved in\n").unwrap();
    std::fs::rename(out.path().join("in.md"), v.path("in.md")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(
        want.contains(&"renamed.md/inner.md".to_string()),
        "{want:?}"
    );
    assert!(want.contains(&"in.md/m.md".to_string()), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// With `kith watch` running, a dangling symlink named like a note whose
/// target then appears (inside the vault): the event names the target
/// only, and the index never held the symlink, so `search` misses `dl.md`
/// until the watcher stops. Same root as the finding above: the watcher
/// does not know which notes are symlinks, nor to what.
#[test]
fn the_watcher_sees_a_dangling_symlinks_target_appear() {
    let v = vault();
    symlink(Path::new("people/later.md"), &v.path("dl.md"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    v.note("people/later.md", "sailing later\n");
    let want = fresh(&v, "sailing");
    assert!(want.contains(&"dl.md".to_string()), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}
