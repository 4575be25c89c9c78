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
