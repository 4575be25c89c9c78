//! Attacks on the fast core (issue 12): the digest's and intros' caches and
//! search without a watcher must answer as fresh as a computation from the
//! notes, whatever happened to their files in `.kith/cache/`.

use crate::support::{TestVault, mkfifo};
use std::os::unix::fs::symlink;

fn search_finds(v: &TestVault, word: &str) -> bool {
    let r = v.kith(["search", word, "--json"]).run();
    assert!(
        r.stderr.is_empty() || !r.stderr.contains("panicked"),
        "{}",
        r.stderr
    );
    serde_json::from_str::<serde_json::Value>(&r.stdout)
        .ok()
        .and_then(|j| j.as_array().map(|a| !a.is_empty()))
        .unwrap_or(false)
}

/// Whatever stands in place of the stamp file (truncated, a FIFO, a link to
/// /dev/zero, a folder, zeros), the next search finds the edit made since,
/// without hanging.
#[test]
fn a_hostile_stamp_file_never_hides_an_edit() {
    let v = TestVault::new();
    v.person("ann", "Ann", "", "likes apple");
    assert!(search_finds(&v, "apple"));
    let stamps = v.path(".kith/cache/index/kith-stamps");
    assert!(stamps.exists(), "the first search saved its stamps");
    for (i, bad) in ["truncated", "fifo", "symlink", "folder", "zeros"]
        .iter()
        .enumerate()
    {
        let bytes = std::fs::read(&stamps).ok();
        let _ = std::fs::remove_file(&stamps);
        let _ = std::fs::remove_dir_all(&stamps);
        match *bad {
            "truncated" => std::fs::write(&stamps, &bytes.unwrap_or_default()[..40]).unwrap(),
            "fifo" => mkfifo(&stamps),
            "symlink" => symlink("/dev/zero", &stamps).unwrap(),
            "folder" => std::fs::create_dir(&stamps).unwrap(),
            _ => std::fs::write(&stamps, vec![0u8; 100_000]).unwrap(),
        }
        let word = format!("word{i}x");
        v.person("ann", "Ann", "", &format!("likes {word}"));
        assert!(search_finds(&v, &word), "{bad}: the edit was not found");
        assert!(
            !search_finds(&v, "apple"),
            "{bad}: the old text still found"
        );
    }
}

/// A stamp file that no longer reads (cut short, zeroed) is rebuilt by the
/// next search, which says so in one line; the search after it is quiet
/// (principle 2: a damaged cache rebuilds itself and says so).
#[test]
fn a_damaged_stamp_file_is_said_once() {
    let v = TestVault::new();
    v.person("ann", "Ann", "", "likes apple");
    assert!(search_finds(&v, "apple"));
    let stamps = v.path(".kith/cache/index/kith-stamps");
    for (what, bytes) in [
        ("cut short", std::fs::read(&stamps).unwrap()[..40].to_vec()),
        ("zeroed", vec![0u8; 4096]),
    ] {
        std::fs::write(&stamps, bytes).unwrap();
        let r = v.kith(["search", "apple", "--json"]).run();
        assert_eq!(r.code, 0, "{what}: {}", r.stderr);
        assert!(r.stdout.contains("people/ann.md"), "{what}: {}", r.stdout);
        assert_eq!(
            r.stderr.matches("stamp file").count(),
            1,
            "{what}: {}",
            r.stderr
        );
        let again = v.kith(["search", "apple", "--json"]).run();
        assert!(
            !again.stderr.contains("stamp file"),
            "{what}: {}",
            again.stderr
        );
    }
}

/// A same-size rewrite with its mtime put back is found by the very next
/// search, and by the digest (the model's and the index's stamps both carry
/// the change time).
#[test]
fn a_same_size_edit_with_mtime_put_back_is_seen_by_search_and_digest() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "cadence: 30d\nlast_contact: 2026-01-01",
        "likes apple",
    );
    assert!(search_finds(&v, "apple"));
    let d = v
        .kith(["digest", "--as-of", "2026-11-22", "--json"])
        .ok()
        .json();
    assert!(d.to_string().contains("Ann"));
    let p = v.path("people/ann.md");
    let before = std::fs::metadata(&p).unwrap().modified().unwrap();
    let text = v.read("people/ann.md");
    let edited = text
        .replace("apple", "grape")
        .replace("2026-01-01", "2026-11-20");
    assert_eq!(edited.len(), text.len());
    std::fs::write(&p, edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(before)
        .unwrap();
    assert!(search_finds(&v, "grape"));
    let d = v
        .kith(["digest", "--as-of", "2026-11-22", "--json"])
        .ok()
        .json();
    assert!(
        !d["reminders"].to_string().contains("Ann"),
        "a check-in two days after the last contact: {d}"
    );
}

/// The digest cache follows a dismissal, a config change to the lexicon and
/// the date, each right after a cached run.
#[test]
fn the_digest_cache_follows_dismissals_config_and_date() {
    let v = TestVault::new();
    v.person("ann", "Ann", "needs: [a plumber for the kitchen]", "");
    v.person("bo", "Bo", "offers: [plumbing work]", "");
    let intros = |v: &TestVault, as_of: &str| {
        v.kith(["digest", "--as-of", as_of, "--json"]).ok().json()["intros"]
            .as_array()
            .map_or(0, |a| a.len())
    };
    let first = intros(&v, "2026-11-22");
    assert_eq!(first, intros(&v, "2026-11-22"));
    if first > 0 {
        v.kith(["intros", "dismiss", "Ann", "Bo"]).ok();
        assert_eq!(intros(&v, "2026-11-22"), 0, "a dismissed pair came back");
    }
    // Config: a birthday rule reads nothing of it, but a cadence default does.
    v.person("cy", "Cy", "cadence: 30d\nlast_contact: 2026-01-01", "");
    let reminders = |v: &TestVault, as_of: &str| {
        v.kith(["digest", "--as-of", as_of, "--json"]).ok().json()["reminders"].to_string()
    };
    let without = reminders(&v, "2026-11-22");
    v.note(".kith/config.yaml", "digest:\n  check_in_budget: 0\n");
    let with = reminders(&v, "2026-11-22");
    assert!(!with.contains("Cy"), "{with}");
    assert!(without.contains("Cy"), "{without}");
    v.note(".kith/config.yaml", "");
    assert!(reminders(&v, "2026-11-22").contains("Cy"));
}

/// Two notes whose names differ only in bytes that are not UTF-8 are two
/// notes to the model (`list`, `show`) and were one document to the search
/// index (its path was kept lossily): the second never searchable, every
/// search "rebuilt the search index because it was damaged", snippets empty.
#[test]
fn notes_named_with_non_utf8_bytes_are_each_searchable() {
    use std::os::unix::ffi::OsStrExt;
    let v = TestVault::new();
    let write = |name: &[u8], body: &str| {
        let mut p = v.root.join("people").into_os_string().into_encoded_bytes();
        p.push(b'/');
        p.extend_from_slice(name);
        let p = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&p));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, body).unwrap();
        p
    };
    write(b"caf\xe9.md", "---\nname: One\n---\nlikes zeta\n");
    let two = write(b"caf\xe8.md", "---\nname: Two\n---\nlikes theta\n");
    v.kith(["list"]).ok().stdout_has("One").stdout_has("Two");
    for (word, who) in [("zeta", "One"), ("theta", "Two")] {
        let r = v.kith(["search", word, "--json"]).ok();
        assert!(!r.stderr.contains("rebuilt"), "{}", r.stderr);
        let hits = r.json();
        assert_eq!(hits[0]["name"], who, "{hits}");
        assert!(
            hits[0]["snippet"].as_str().unwrap().contains(word),
            "{hits}"
        );
    }
    std::fs::write(&two, "---\nname: Two\n---\nlikes kappa\n").unwrap();
    assert!(search_finds(&v, "kappa"));
    assert!(search_finds(&v, "zeta"), "One's document went with Two's");
    std::fs::remove_file(&two).unwrap();
    assert!(!search_finds(&v, "kappa"));
    assert!(search_finds(&v, "zeta"), "One's document went with Two's");
}
