//! Attacks on `kith watch` following symlinked notes to their targets
//! (`src/watch/symlinks.rs`) and on a search's handling of a damaged index
//! (`src/index/sigbus.rs`). The rule under attack: with a healthy watcher
//! running, a search answers what a fresh index answers (`rm -rf
//! .kith/cache`, then search) after any change, wherever a link leads.

use crate::attack_walkless::{Watch, assert_settles, fresh, outside, search, symlink, vault};
use crate::support::TestVault;
use std::path::Path;

/// A vault with `sl.md`, a symlink to `OUT/rel` (which holds "chess
/// only" unless `rel` is not to exist yet), searched once and watched.
fn linked_to(rel: &str, exists: bool) -> (TestVault, tempfile::TempDir) {
    let v = vault();
    let out = outside();
    let target = out.path().join(rel);
    if exists {
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, "chess only\n").unwrap();
    }
    symlink(&target, &v.path("sl.md"));
    let _ = search(&v, "sailing");
    (v, out)
}

fn has(want: &[String], p: &str) -> bool {
    want.iter().any(|w| w == p)
}

/// The folder holding a symlinked note's target renamed away: the link
/// dangles, `show` and a fresh index no longer have `sl.md`, but the only
/// event (the watched folder's own move) names the folder, not a target,
/// so `search` kept answering `sl.md`.
#[test]
fn a_targets_folder_renamed_away_drops_the_note() {
    let (v, out) = linked_to("d/s.md", true);
    std::fs::write(out.path().join("d/s.md"), "sailing now\n").unwrap();
    let w = Watch::start(&v);
    std::fs::rename(out.path().join("d"), out.path().join("gone")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(!has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// A dangling symlinked note whose target's folder does not exist yet:
/// the folder is made, the target written into it. No folder was watched
/// for it (docs/watch.md: "not followed"), so `search` missed `sl.md`
/// while `show` (walking) and a fresh index had it.
#[test]
fn a_dangling_links_folder_made_later_is_followed() {
    let (v, out) = linked_to("later/s.md", false);
    let w = Watch::start(&v);
    std::fs::create_dir(out.path().join("later")).unwrap();
    std::fs::write(out.path().join("later/s.md"), "sailing later\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// The same, the folder made a few levels down at once (`mkdir -p`).
#[test]
fn a_dangling_links_nested_folders_made_later_are_followed() {
    let (v, out) = linked_to("a/b/c/s.md", false);
    let w = Watch::start(&v);
    std::fs::create_dir_all(out.path().join("a/b/c")).unwrap();
    std::fs::write(out.path().join("a/b/c/s.md"), "sailing deep\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// The target's folder moved away and back (a sync tool, `git stash`
/// of a folder): once away the link dangles and the folder is no longer
/// watched; moved back, nothing tells the watcher.
#[test]
fn a_targets_folder_moved_away_and_back_is_followed() {
    let (v, out) = linked_to("d/s.md", true);
    let w = Watch::start(&v);
    std::fs::rename(out.path().join("d"), out.path().join("away")).unwrap();
    let want = fresh(&v, "chess");
    assert!(!has(&want, "sl.md"), "{want:?}");
    let got = crate::attack_walkless::settles_to(&v, "chess", &want);
    assert_eq!(got, want, "folder away");
    std::fs::write(out.path().join("away/s.md"), "sailing back\n").unwrap();
    std::fs::rename(out.path().join("away"), out.path().join("d")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// A folder two levels above the target renamed: no event reaches any
/// watched folder (inotify watches the target's folder by inode, which
/// did not move within its parent), so `search` keeps `sl.md`, whose link
/// now dangles.
#[test]
fn a_targets_grandparent_renamed_drops_the_note() {
    let (v, out) = linked_to("a/b/s.md", true);
    std::fs::write(out.path().join("a/b/s.md"), "sailing now\n").unwrap();
    let w = Watch::start(&v);
    std::fs::rename(out.path().join("a"), out.path().join("z")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(!has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// The target reached through a symlinked folder outside (`OUT/via ->
/// real`), and that folder link pointed elsewhere (`via -> real2`): the
/// watcher keyed the target on `real/s.md` (the folder resolved) and
/// watched only `real`, so the retargeted folder link went unseen.
#[test]
fn a_symlinked_folder_on_the_way_retargeted_is_seen() {
    let v = vault();
    let out = outside();
    let o = out.path();
    for (d, text) in [("real", "chess only\n"), ("real2", "sailing there\n")] {
        std::fs::create_dir(o.join(d)).unwrap();
        std::fs::write(o.join(d).join("s.md"), text).unwrap();
    }
    symlink(Path::new("real"), &o.join("via"));
    symlink(&o.join("via/s.md"), &v.path("sl.md"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    // Atomically, as `ln -sfn` does with a rename.
    symlink(Path::new("real2"), &o.join("via.new"));
    std::fs::rename(o.join("via.new"), o.join("via")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// An editor's atomic save of the target (write a temporary file, rename
/// it over the target): followed.
#[test]
fn an_atomic_save_of_the_target_is_seen() {
    let (v, out) = linked_to("d/s.md", true);
    let w = Watch::start(&v);
    let d = out.path().join("d");
    std::fs::write(d.join(".s.md.swp"), "sailing saved\n").unwrap();
    std::fs::rename(d.join(".s.md.swp"), d.join("s.md")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// The note's link retargeted to a file in another outside folder, then
/// that file edited: the new folder must be watched from then on.
#[test]
fn a_retargeted_link_follows_its_new_target() {
    let (v, out) = linked_to("d/s.md", true);
    let e = out.path().join("e");
    std::fs::create_dir(&e).unwrap();
    std::fs::write(e.join("t.md"), "chess too\n").unwrap();
    let w = Watch::start(&v);
    symlink(&e.join("t.md"), &v.path("sl.md.new"));
    std::fs::rename(v.path("sl.md.new"), v.path("sl.md")).unwrap();
    let want = fresh(&v, "chess");
    let got = crate::attack_walkless::settles_to(&v, "chess", &want);
    assert_eq!(got, want, "retargeted");
    std::fs::write(e.join("t.md"), "sailing too\n").unwrap();
    std::fs::write(out.path().join("d/s.md"), "chess again\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// A chain through a link outside the vault (`sl.md -> OUT/l.md ->
/// OUT/d/s.md`) whose middle link is retargeted.
#[test]
fn a_chains_middle_link_retargeted_is_seen() {
    let v = vault();
    let out = outside();
    let o = out.path();
    std::fs::create_dir(o.join("d")).unwrap();
    std::fs::write(o.join("d/s.md"), "chess only\n").unwrap();
    std::fs::write(o.join("d/t.md"), "sailing there\n").unwrap();
    symlink(&o.join("d/s.md"), &o.join("l.md"));
    symlink(&o.join("l.md"), &v.path("sl.md"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    symlink(&o.join("d/t.md"), &o.join("l.new"));
    std::fs::rename(o.join("l.new"), o.join("l.md")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// A note linked to a file in a hidden folder of the vault.
#[test]
fn a_link_into_a_hidden_folder_of_the_vault_is_followed() {
    let v = vault();
    std::fs::create_dir(v.path(".private")).unwrap();
    std::fs::write(v.path(".private/s.md"), "chess only\n").unwrap();
    symlink(Path::new(".private/s.md"), &v.path("sl.md"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    std::fs::write(v.path(".private/s.md"), "sailing hidden\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// A folder three levels above the target renamed: no watched folder is
/// told (the watcher watches the target's folder and the one holding it,
/// not every folder up to `/`), so `search` keeps `sl.md`, whose link now
/// dangles, until the watcher restarts.
#[test]
#[ignore = "finding: a rename three or more folders above a symlinked note's target sends no event; the watcher vouches for a dangling note"]
fn a_targets_great_grandparent_renamed_drops_the_note() {
    let (v, out) = linked_to("a/b/c/s.md", true);
    std::fs::write(out.path().join("a/b/c/s.md"), "sailing now\n").unwrap();
    let w = Watch::start(&v);
    std::fs::rename(out.path().join("a"), out.path().join("z")).unwrap();
    let want = fresh(&v, "sailing");
    assert!(!has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// The target's folder replaced by another of the same name (`mv d old;
/// mv d.new d`, as a sync tool or a checkout does), then the target in it
/// edited: the watch stayed on the old folder (inotify watches inodes),
/// and the watcher, thinking `OUT/d` watched, never watched the new one.
#[test]
fn a_targets_folder_replaced_by_another_is_watched_anew() {
    let (v, out) = linked_to("d/s.md", true);
    let o = out.path();
    std::fs::create_dir(o.join("d.new")).unwrap();
    std::fs::write(o.join("d.new/s.md"), "chess two\n").unwrap();
    let w = Watch::start(&v);
    std::fs::rename(o.join("d"), o.join("old")).unwrap();
    std::fs::rename(o.join("d.new"), o.join("d")).unwrap();
    let want = fresh(&v, "two");
    assert!(has(&want, "sl.md"), "{want:?}");
    let got = crate::attack_walkless::settles_to(&v, "two", &want);
    assert_eq!(got, want, "folder replaced");
    std::fs::write(o.join("d/s.md"), "sailing now\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// The same with the folder removed and made again at once (`rm -rf d;
/// mkdir d`): inotify drops a removed folder's watch.
#[test]
fn a_targets_folder_removed_and_made_again_is_watched_anew() {
    let (v, out) = linked_to("d/s.md", true);
    let o = out.path();
    let w = Watch::start(&v);
    std::fs::remove_dir_all(o.join("d")).unwrap();
    std::fs::create_dir(o.join("d")).unwrap();
    std::fs::write(o.join("d/s.md"), "chess two\n").unwrap();
    let want = fresh(&v, "two");
    assert!(has(&want, "sl.md"), "{want:?}");
    let got = crate::attack_walkless::settles_to(&v, "two", &want);
    assert_eq!(got, want, "folder made again");
    std::fs::write(o.join("d/s.md"), "sailing now\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// A SIGABRT sent by another process (`kill -ABRT`, `timeout -s ABRT`, a
/// supervisor asking for a core dump of a hung search) is not the search
/// aborting on a damaged index: it must end the process as without kith's
/// handler, as a sent SIGBUS does. The handler ran the search again
/// instead ("stopped on a damaged file of its index"), which then answered.
#[cfg(target_os = "linux")]
#[test]
fn a_sigabrt_sent_by_another_process_ends_the_search() {
    use crate::support::{kith_command, spawn_piped};
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};
    let v = crate::index_repair::indexed_vault_of(5);
    let hold = tempfile::tempdir().unwrap();
    let mut cmd = kith_command(&v, &["search", "aardvarks", "--json"]);
    cmd.env("KITH_TEST_HOLD_INDEX", hold.path());
    let run = spawn_piped(cmd);
    let until = Instant::now() + Duration::from_secs(20);
    while !hold.path().join("opened").exists() {
        assert!(Instant::now() < until, "the search never opened the index");
        std::thread::sleep(Duration::from_millis(1));
    }
    let sent = std::process::Command::new("kill")
        .args(["-ABRT", &run.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    std::fs::write(hold.path().join("go"), "").unwrap();
    let (st, _, err) = run.finish("search", Duration::from_secs(30));
    assert!(!err.contains("searching again"), "{err}");
    assert_eq!(
        st.signal(),
        Some(6),
        "a sent SIGABRT was taken for a fault: {st:?}"
    );
}

/// With inotify's limit reached (`fs.inotify.max_user_watches`, set low
/// here in a user namespace of the watcher's own), the folders of the
/// targets outside the vault could not be watched: the watcher said
/// nothing, stayed healthy and vouched for the symlinked notes, whose
/// targets' edits it never saw.
#[cfg(target_os = "linux")]
#[test]
fn a_watcher_that_cannot_watch_a_targets_folder_vouches_for_nothing() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let v = vault();
    let out = outside();
    for i in 0..6 {
        let d = out.path().join(format!("d{i}"));
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("s.md"), "chess only\n").unwrap();
        symlink(&d.join("s.md"), &v.path(&format!("sl{i}.md")));
    }
    let _ = search(&v, "sailing");
    std::fs::create_dir_all(v.path(".kith/cache/cookies")).unwrap();
    // Enough watches for the vault's folders (and a few made later), not
    // for the targets' folders.
    let folders = walk_dirs(&v.root);
    let limit = folders + 3;
    let plain = crate::support::kith_command(&v, &["watch"]);
    let mut c = Command::new("unshare");
    c.args(["-U", "-r", "sh", "-c"])
        .arg(format!(
            "echo {limit} > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\""
        ))
        .arg(plain.get_program())
        .args(plain.get_args())
        .current_dir(&v.root)
        .env_remove("KITH_VAULT")
        .stdin(Stdio::null());
    for (k, val) in plain.get_envs() {
        if let Some(val) = val {
            c.env(k, val);
        }
    }
    let log = v.root.with_file_name("watch-limited.out");
    let f = std::fs::File::create(&log).unwrap();
    c.stdout(Stdio::from(f.try_clone().unwrap()))
        .stderr(Stdio::from(f));
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut w = Killed(c.spawn().unwrap());
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("watching") {
            break;
        }
        if let Ok(Some(st)) = w.0.try_wait() {
            assert!(
                std::env::var_os("CI").is_none(),
                "no user namespace to lower inotify's limit in ({st}): {text}"
            );
            eprintln!("skipped: no user namespace ({text})");
            return;
        }
        assert!(Instant::now() < until, "kith watch never started: {text}");
        std::thread::sleep(Duration::from_millis(20));
    }
    for i in 0..6 {
        std::fs::write(out.path().join(format!("d{i}/s.md")), "sailing now\n").unwrap();
    }
    let want = fresh(&v, "sailing");
    assert!(has(&want, "sl5.md"), "{want:?}");
    let got = crate::attack_walkless::settles_to(&v, "sailing", &want);
    drop(w);
    assert_eq!(
        got,
        want,
        "{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

fn walk_dirs(p: &Path) -> usize {
    let mut n = 1;
    for e in std::fs::read_dir(p).unwrap().flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            n += walk_dirs(&e.path());
        }
    }
    n
}

/// The flipped bit that makes tantivy ask for 2^58 bytes (see
/// `attack_search`): only `search` is armed to run itself again on it.
/// Every other command that opens the index must not abort on it either.
#[test]
fn a_flipped_bit_in_the_doc_store_aborts_no_command() {
    for args in [
        vec!["index"],
        vec!["show", "Ann Lee"],
        vec!["list"],
        vec!["digest"],
        vec!["search", "aardvarks", "--json"],
    ] {
        let v = crate::attack_search::fixed_index();
        crate::attack_search::flip_bit(&v, "store", 377, 194, 3);
        // A note changed, so a command that syncs the index reads it.
        std::fs::write(
            v.path("people/bo.md"),
            "---\nname: Bo Chan\n---\nLikes aardvarks, and more.\n",
        )
        .unwrap();
        let run = crate::support::run_bounded(
            crate::support::kith_command(&v, &args),
            "kith",
            std::time::Duration::from_secs(60),
        );
        assert!(
            !run.stderr.contains("memory allocation") && !run.stderr.contains("panicked"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.code == 0 || run.code == 1,
            "{args:?} exited {}: {}",
            run.code,
            run.stderr
        );
    }
}

/// A note that is a hard link to a file outside the vault (`ln
/// ~/drafts/x.md vault/x.md`, same file system), that file edited by its
/// outside name: the event goes to the outside folder's watches only, and
/// no link tells the watcher where that is, so `search` keeps the old text.
#[test]
#[ignore = "finding: a note hard-linked to a file outside the vault, edited by its outside name, is never seen by the watcher, which vouches for the old text"]
fn a_note_hard_linked_outside_the_vault_is_seen_when_edited_there() {
    let v = vault();
    let out = tempfile::Builder::new()
        .prefix("outside-")
        .tempdir_in(v.root.parent().unwrap())
        .unwrap();
    let outer = out.path().join("x.md");
    std::fs::write(&outer, "chess only\n").unwrap();
    std::fs::hard_link(&outer, v.path("hl.md")).unwrap();
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    std::fs::write(&outer, "sailing now\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "hl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}

/// A symlinked note whose target is the watcher's own advertisement
/// (`.kith/cache/watch.json`, rewritten after every batch): each batch's
/// write was an edit of that note's target, which started the next batch,
/// for as long as the watcher ran; nothing in the vault changed.
#[test]
fn a_note_linked_into_the_cache_does_not_keep_the_watcher_busy() {
    use std::time::{Duration, Instant};
    let v = vault();
    std::fs::create_dir_all(v.path(".kith/cache")).unwrap();
    symlink(Path::new(".kith/cache/watch.json"), &v.path("w.md"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    let seq = || -> u64 {
        let text = std::fs::read_to_string(v.path(".kith/cache/watch.json")).unwrap_or_default();
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|s| s["seq"].as_u64())
            .unwrap_or(0)
    };
    // Let the first batches (if any) pass, then count batches over 2 s.
    std::thread::sleep(Duration::from_millis(1500));
    let before = seq();
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
    let after = seq();
    drop(w);
    assert!(
        after - before <= 1,
        "{} batches in 2 s with nothing changed",
        after - before
    );
}

/// Many notes linked to one target, a loop of links, and a link to a
/// folder, together: an edit of the target reaches every link, the loop
/// and the folder link hang nothing, and the folder replaced by a note
/// makes its link a note.
#[test]
fn many_links_to_one_target_a_loop_and_a_folder_link_together() {
    let (v, out) = linked_to("d/s.md", true);
    let o = out.path();
    for i in 0..20 {
        symlink(&o.join("d/s.md"), &v.path(&format!("m{i}.md")));
    }
    symlink(Path::new("b.md"), &v.path("a.md"));
    symlink(Path::new("a.md"), &v.path("b.md"));
    std::fs::create_dir(o.join("folder")).unwrap();
    symlink(&o.join("folder"), &v.path("fl.md"));
    let _ = search(&v, "sailing");
    let w = Watch::start(&v);
    std::fs::write(o.join("d/s.md"), "sailing now\n").unwrap();
    std::fs::remove_dir(o.join("folder")).unwrap();
    std::fs::write(o.join("folder"), "sailing in what was a folder\n").unwrap();
    let want = fresh(&v, "sailing");
    assert!(has(&want, "m19.md") && has(&want, "sl.md"), "{want:?}");
    assert!(has(&want, "fl.md"), "{want:?}");
    assert_settles(w, &v, "sailing", &want);
}
