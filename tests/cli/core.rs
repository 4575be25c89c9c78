//! The persisted vault model (`.kith/cache/model.bin`): damaged caches are
//! rebuilt and say so, and edits, deletes and renames are seen right away
//! without a watcher.

use crate::support::TestVault;
use std::fs;

const MODEL: &str = ".kith/cache/model.bin";

fn lena(v: &TestVault, title: &str) {
    v.person(
        "lena",
        "Lena Fischer",
        "cadence: 1w",
        &format!("## 2026-10-01 · {title}\nWe talked about the book.\n"),
    );
}

fn digest_text(v: &TestVault) -> String {
    v.kith(["digest", "--as-of", "2026-11-20"]).ok().stdout
}

#[test]
fn a_damaged_or_old_model_is_rebuilt_once_and_says_so() {
    let v = TestVault::new();
    lena(&v, "Coffee");
    v.kith(["show", "Lena"]).ok().stdout_has("Coffee");
    let good = v.read_bytes(MODEL);
    assert!(good.len() > 40, "the model was written");
    let mut garbage = good.clone();
    for b in garbage.iter_mut().skip(40) {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let mut old = good.clone();
    old[8..12].copy_from_slice(&0u32.to_le_bytes());
    let cases: [(&str, Vec<u8>); 4] = [
        // A writer killed mid-write would leave this if it wrote in place.
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("garbage", garbage),
        ("old format", old),
    ];
    for (what, bytes) in cases {
        v.write_bytes(MODEL, &bytes);
        let run = v.kith(["show", "Lena"]).ok().stdout_has("Coffee");
        assert!(
            run.stderr.contains("rebuilt the note cache"),
            "{what}: {}",
            run.stderr
        );
        let again = v.kith(["show", "Lena"]).ok().stdout_has("Coffee");
        assert!(
            !again.stderr.contains("rebuilt"),
            "{what}: {}",
            again.stderr
        );
    }
    // A missing model is simply built, without a word.
    fs::remove_file(v.path(MODEL)).unwrap();
    let run = v.kith(["show", "Lena"]).ok();
    assert!(!run.stderr.contains("rebuilt"), "{}", run.stderr);
    assert!(v.path(MODEL).is_file());
}

#[test]
fn an_edit_is_seen_right_after_even_with_the_same_size_and_time() {
    let v = TestVault::new();
    lena(&v, "Coffee");
    v.kith(["show", "Lena"]).ok().stdout_has("Coffee");
    assert!(digest_text(&v).contains("Coffee"));
    let path = v.path("people/lena.md");
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    // Same length, and the old modification time put back: only the bytes
    // (and the inode's change time) tell.
    lena(&v, "Hiking");
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    v.kith(["show", "Lena"])
        .ok()
        .stdout_has("Hiking")
        .stdout_lacks("Coffee");
    let d = digest_text(&v);
    assert!(d.contains("Hiking") && !d.contains("Coffee"), "{d}");
    // The text under an entry is read from the note, so it is the new one.
    v.note(
        "people/lena.md",
        "---\nname: Lena Fischer\ncadence: 1w\n---\n## 2026-10-01\nFresh words here.\n",
    );
    let d = digest_text(&v);
    assert!(d.contains("Fresh words here"), "{d}");
    v.kith(["show", "Lena", "--json"])
        .ok()
        .stdout_has("Fresh words here");
}

#[test]
fn a_delete_and_a_rename_are_seen_by_show_and_digest() {
    let v = TestVault::new();
    lena(&v, "Coffee");
    v.person(
        "tomas",
        "Tomas Meyer",
        "cadence: 1w",
        "## 2026-10-02 · Lunch\nPasta.\n",
    );
    assert!(digest_text(&v).contains("Tomas Meyer"));
    v.kith(["show", "Tomas"]).ok().stdout_has("Lunch");
    fs::remove_file(v.path("people/tomas.md")).unwrap();
    v.kith(["show", "Tomas"])
        .code(2)
        .stderr_has("no person matches");
    let d = digest_text(&v);
    assert!(!d.contains("Tomas") && d.contains("Lena Fischer"), "{d}");
    fs::rename(v.path("people/lena.md"), v.path("people/lena-fischer.md")).unwrap();
    v.kith(["show", "Lena"])
        .ok()
        .stdout_has("people/lena-fischer.md")
        .stdout_lacks("people/lena.md");
    let d = digest_text(&v);
    assert!(
        d.contains("lena-fischer.md") && !d.contains("people/lena.md"),
        "{d}"
    );
}

/// The records file beside `model.bin`: the newest (a replaced one is
/// kept a little while for other kith processes still reading it).
fn records(v: &TestVault) -> std::path::PathBuf {
    fs::read_dir(v.path(".kith/cache"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("records-") && n.ends_with(".bin")
        })
        .max_by_key(|p| fs::metadata(p).unwrap().modified().unwrap())
        .expect("a records file")
}

#[test]
fn a_damaged_or_missing_records_file_is_rebuilt_once_and_says_so() {
    let v = TestVault::new();
    lena(&v, "Coffee");
    v.kith(["show", "Lena"]).ok().stdout_has("Coffee");
    for cmd in [&["show", "Lena"][..], &["digest", "--as-of", "2026-11-20"]] {
        let file = records(&v);
        let mut bytes = fs::read(&file).unwrap();
        for b in bytes.iter_mut() {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        fs::write(&file, &bytes).unwrap();
        let run = v.kith(cmd.iter().copied()).ok().stdout_has("Coffee");
        assert!(
            run.stderr.contains("rebuilt the note cache"),
            "{}",
            run.stderr
        );
        let again = v.kith(cmd.iter().copied()).ok().stdout_has("Coffee");
        assert!(!again.stderr.contains("rebuilt"), "{}", again.stderr);
    }
    fs::remove_file(records(&v)).unwrap();
    let run = v.kith(["show", "Lena"]).ok().stdout_has("Coffee");
    assert!(
        run.stderr.contains("rebuilt the note cache"),
        "{}",
        run.stderr
    );
    v.kith(["show", "Lena"]).ok().stdout_has("Coffee");
}

#[test]
fn show_reads_mentions_and_promises_from_notes_linking_the_person() {
    let v = TestVault::new();
    lena(&v, "Coffee");
    v.person(
        "tomas",
        "Tomas Meyer",
        "",
        "## 2026-10-02 · Lunch\nPasta.\n",
    );
    v.note(
        "journal/2026-11-03.md",
        "Saw [[Lena Fischer]] at the market.\n- [ ] send [[Lena Fischer]] the recipe\n",
    );
    // Once to save the model, once answered from it.
    for _ in 0..2 {
        v.kith(["show", "Lena"])
            .ok()
            .stdout_has("send Lena Fischer the recipe")
            .stdout_has("2026-11-03")
            .stdout_lacks("Lunch");
    }
    // A new name resolves links written before it existed.
    v.note("journal/2026-11-04.md", "Met [[Nora Berg]] for coffee.\n");
    v.kith(["show", "Lena"]).ok();
    v.person("nora", "Nora Berg", "", "");
    v.kith(["show", "Nora"]).ok().stdout_has("2026-11-04");
}
