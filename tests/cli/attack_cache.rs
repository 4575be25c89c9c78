//! Attacks on `.kith/cache/`: whatever is found where a cache file should be
//! (a FIFO, a folder, a symlink) is never waited on or read without end; the
//! cache is rebuilt once, saying so, and the next run is quiet and fresh.

use crate::support::{TestVault, kith_command, mkfifo, run_bounded};
use std::path::{Path, PathBuf};
use std::time::Duration;

const HANG: Duration = Duration::from_secs(20);
const AS_OF: &str = "2026-11-22";

#[cfg(unix)]
fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "cadence: 30d\noffers: [rust mentoring]",
        "## Log\n### 2026-10-01 coffee\nTalked to [[Bob]].\n",
    )
    .person(
        "bob",
        "Bob",
        "cadence: 14d\nneeds: [rust mentoring]",
        "## Log\n### 2026-09-01 lunch\nMet [[Ann]].\n",
    );
    v
}

fn cache(v: &TestVault) -> PathBuf {
    v.path(".kith/cache")
}

fn records(v: &TestVault) -> PathBuf {
    std::fs::read_dir(cache(v))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("records-") && n.ends_with(".bin")
        })
        .max_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap())
        .expect("a records file")
}

/// Runs kith, bounded; returns (stdout, stderr).
fn run(v: &TestVault, args: &[&str]) -> (String, String) {
    let r = run_bounded(kith_command(v, args), &args.join(" "), HANG);
    assert_eq!(r.code, 0, "kith {args:?}: {}", r.stderr);
    (r.stdout, r.stderr)
}

/// Replaces a cache file by `make`, then checks `args` answers as a fresh
/// run does, says "rebuilt" once, and the run after is quiet.
fn heals(v: &TestVault, victim: &Path, make: impl Fn(&Path), args: &[&str], says: &str) {
    let (fresh, _) = run(v, args);
    let _ = std::fs::remove_file(victim);
    let _ = std::fs::remove_dir_all(victim);
    make(victim);
    let (out, err) = run(v, args);
    assert_eq!(out, fresh, "{victim:?}: a different answer");
    assert!(err.contains(says), "{victim:?}: says nothing: {err}");
    let (out, err) = run(v, args);
    assert_eq!(out, fresh);
    assert!(!err.contains("rebuilt"), "{victim:?}: rebuilt again: {err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_for_the_records_file_is_not_waited_on() {
    let v = vault();
    run(&v, &["show", "Ann"]);
    for args in [&["show", "Ann"][..], &["digest", "--as-of", AS_OF]] {
        let victim = records(&v);
        heals(&v, &victim, mkfifo, args, "rebuilt the note cache");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_folder_for_the_directory_is_rebuilt_once() {
    let v = vault();
    run(&v, &["show", "Ann"]);
    let model = cache(&v).join("model.bin");
    heals(
        &v,
        &model,
        mkfifo,
        &["show", "Ann"],
        "rebuilt the note cache",
    );
    // A folder cannot be renamed over: without making room the model was
    // never saved again, and every run parsed every note, silently.
    let dir = |p: &Path| std::fs::create_dir_all(p.join("x")).unwrap();
    heals(&v, &model, dir, &["show", "Ann"], "rebuilt the note cache");
    assert!(model.is_file());
    // The records file as a folder: left behind by every rebuild before.
    let victim = records(&v);
    heals(&v, &victim, dir, &["show", "Ann"], "rebuilt the note cache");
    assert!(!victim.is_dir(), "a folder left in the cache");
}

#[cfg(unix)]
#[test]
fn a_symlink_for_the_directory_is_not_followed() {
    let v = vault();
    run(&v, &["show", "Ann"]);
    let model = cache(&v).join("model.bin");
    let elsewhere = v.home().join("model.bin");
    std::fs::copy(&model, &elsewhere).unwrap();
    // Someone else's file, valid: kith must neither read it nor write
    // through the link.
    let link = |p: &Path| std::os::unix::fs::symlink(&elsewhere, p).unwrap();
    heals(&v, &model, link, &["show", "Ann"], "rebuilt the note cache");
    assert!(!model.is_symlink());
}

#[cfg(unix)]
#[test]
fn the_digest_cache_as_a_fifo_or_folder_is_recomputed_once() {
    let v = vault();
    let args = &["digest", "--as-of", AS_OF][..];
    run(&v, args);
    let file = cache(&v).join("digest.bin");
    heals(&v, &file, mkfifo, args, "rebuilt the digest cache");
    let dir = |p: &Path| std::fs::create_dir_all(p.join("x")).unwrap();
    heals(&v, &file, dir, args, "rebuilt the digest cache");
    assert!(file.is_file());
}

/// The introductions cache (every candidate, any `--for`/`--limit`), the
/// matcher's per-person fields and its kept answers: a FIFO, a folder, a truncated or garbage
/// file in their place is recomputed once, saying so, with the same answer.
#[cfg(unix)]
#[test]
fn the_intros_and_matcher_caches_heal_from_fifos_folders_and_garbage() {
    let v = vault();
    let args = &["intros", "--all", "--as-of", AS_OF][..];
    run(&v, args);
    let intros = cache(&v).join("intros.bin");
    let fields = cache(&v).join("fields.bin");
    assert!(intros.is_file() && fields.is_file());
    let dir = |p: &Path| std::fs::create_dir_all(p.join("x")).unwrap();
    let garbage = |p: &Path| std::fs::write(p, b"KITHDGS\n\x02\0\0\0junk").unwrap();
    let says = "rebuilt the introductions cache";
    heals(&v, &intros, mkfifo, args, says);
    heals(&v, &intros, dir, args, says);
    heals(&v, &intros, garbage, args, says);
    assert!(intros.is_file());
    // The fields are read only when the matcher is built: neither the
    // candidates nor the matcher's answers must be kept for that.
    let answers = cache(&v).join("answers.bin");
    assert!(answers.is_file());
    let says = "rebuilt the matcher's cache";
    for make in [&mkfifo as &dyn Fn(&Path), &dir, &garbage] {
        let (intros, answers) = (intros.clone(), answers.clone());
        let make = move |p: &Path| {
            let _ = std::fs::remove_file(&intros);
            let _ = std::fs::remove_file(&answers);
            make(p)
        };
        heals(&v, &fields, make, args, says);
    }
    assert!(fields.is_file());
    // The matcher's answers are read when the candidates are computed.
    let says = "rebuilt the matcher's answers";
    for make in [&mkfifo as &dyn Fn(&Path), &dir, &garbage] {
        let intros = intros.clone();
        let make = move |p: &Path| {
            let _ = std::fs::remove_file(&intros);
            make(p)
        };
        heals(&v, &answers, make, args, says);
    }
    assert!(answers.is_file());
}

#[cfg(unix)]
#[test]
fn the_git_cache_as_a_fifo_does_not_hang_show() {
    let v = vault();
    v.git_init();
    v.git(&["add", "-A"]);
    v.git(&["commit", "-qm", "one"]);
    let (fresh, _) = run(&v, &["show", "Ann"]);
    assert!(fresh.contains("in git:"), "{fresh}");
    let file = cache(&v).join("git-last-commits.json");
    let _ = std::fs::remove_file(&file);
    mkfifo(&file);
    let (out, _) = run(&v, &["show", "Ann"]);
    assert_eq!(out, fresh);
    assert!(file.is_file(), "the git cache was not saved again");
}

/// `watch.json` is read by every command that asks whether a watcher runs
/// (search, show, digest): a FIFO there must not hang them.
#[cfg(unix)]
#[test]
fn the_watcher_status_as_a_fifo_hangs_nothing() {
    let v = vault();
    let (fresh, _) = run(&v, &["show", "Ann"]);
    let file = cache(&v).join("watch.json");
    let _ = std::fs::remove_file(&file);
    mkfifo(&file);
    let (out, _) = run(&v, &["show", "Ann"]);
    assert_eq!(out, fresh);
    run(&v, &["search", "Ann"]);
    run(&v, &["digest", "--as-of", AS_OF]);
}

/// A note added, removed or renamed moves the names: `check` and `digest`
/// read the records file twice in one run, and the second read found
/// nothing, so every such run rebuilt the whole cache, "damaged".
#[test]
fn a_new_note_is_not_a_damaged_cache() {
    let v = vault();
    for (i, args) in [
        &["check"][..],
        &["digest", "--as-of", AS_OF],
        &["export", "vcard"],
        &["list"],
    ]
    .into_iter()
    .enumerate()
    {
        run(&v, args);
        v.person(
            &format!("new{i}"),
            &format!("New {i}"),
            "",
            "Met [[Ann]].\n",
        );
        let (out, err) = run(&v, args);
        assert!(!err.contains("rebuilt"), "kith {args:?}: {err}");
        let _ = std::fs::remove_dir_all(cache(&v));
        let (fresh, _) = run(&v, args);
        assert_eq!(out, fresh, "kith {args:?}");
    }
}

/// A records file nobody points at (a writer killed, or outrun by another
/// kith that saved its own generation) and a killed writer's temporary
/// files are removed by a later save, not kept forever beside the live one.
#[test]
fn orphaned_records_files_are_swept() {
    let v = vault();
    run(&v, &["show", "Ann"]);
    // A generation outrun by another kith, and the temporary files of
    // writers killed before their rename.
    let names = [
        "records-00000000000000ab.bin",
        ".records-kill9",
        ".model-kill9",
        ".digest-kill9",
    ];
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    for n in names {
        let f = std::fs::File::create(cache(&v).join(n)).unwrap();
        f.set_len(4096).unwrap();
        f.set_modified(old).unwrap();
    }
    v.person("cy", "Cy", "", "Met [[Ann]].\n");
    run(&v, &["show", "Ann"]);
    for n in names {
        assert!(!cache(&v).join(n).exists(), "{n} was kept");
    }
}
