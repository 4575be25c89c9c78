//! The note cache (`.kith/cache/model.bin` and its records file) against killed writers: a `kith`
//! killed (SIGKILL) while it saves the model leaves nothing that misleads the
//! next command, and nothing behind. (Damaged, truncated and old-format
//! files are in `core.rs`; the same with a watcher running in `watch.rs`.)

use crate::support::{KITH, TestVault};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MODEL: &str = ".kith/cache/model.bin";

/// A vault big enough that saving its model takes a while: 1,200 people.
fn big_vault() -> TestVault {
    let v = TestVault::new();
    for i in 0..1200 {
        v.person(
            &format!("p{i}"),
            &format!("Person Number{i}"),
            "",
            &format!(
                "## 2026-09-{:02} · Walk {i}\nWe talked about rivers and the {i} bridges.\n",
                1 + i % 28
            ),
        );
    }
    v.person(
        "lena",
        "Lena Fischer",
        "cadence: 1w",
        "## 2026-10-01 · Coffee\nBooks.\n",
    );
    v
}

/// Files a killed save could leave in the cache folder (its temporary
/// records and directory files).
fn temporaries(v: &TestVault) -> Vec<PathBuf> {
    std::fs::read_dir(v.path(".kith/cache"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        n.starts_with(".model-") || n.starts_with(".records-")
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Starts `kith show Lena` and kills it with SIGKILL as soon as it has begun
/// writing the model (its temporary file appears), or after `at_most`.
/// Returns whether the kill landed mid-save.
fn kill_during_save(v: &TestVault, at_most: Duration) -> bool {
    let mut child = Command::new(KITH)
        .arg("--vault")
        .arg(&v.root)
        .args(["show", "Lena"])
        .env("HOME", v.home())
        .env_remove("KITH_VAULT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut mid_save = false;
    while start.elapsed() < at_most {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if !temporaries(v).is_empty() {
            mid_save = true;
            break;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    let _ = child.kill();
    let _ = child.wait();
    mid_save
}

fn show_lena(v: &TestVault, want: &str) -> String {
    let run = v.kith(["show", "Lena"]).ok().stdout_has(want);
    run.stderr
}

fn append(path: &Path, line: &str) {
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str(line);
    std::fs::write(path, text).unwrap();
}

/// `kill -9` while a command saves the model, several times (cold and with
/// one note changed, at the moment the save starts and after seeded random
/// delays): the next command answers with every change, says "rebuilt" only
/// if it found the file damaged (and then once), and no temporary file of a
/// killed save is left behind.
#[test]
fn a_model_save_killed_by_sigkill_misleads_nobody_and_leaves_nothing() {
    let v = big_vault();
    let lena = v.path("people/lena.md");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
    let mut mid_saves = 0;
    for round in 0..6 {
        let cold = round < 3 || round % 2 == 0;
        if cold {
            let _ = std::fs::remove_file(v.path(MODEL));
        } else {
            show_lena(&v, "Lena Fischer");
        }
        let title = format!("Tea{round}");
        append(
            &lena,
            &format!("\n## 2026-11-{:02} · {title}\nCake.\n", round + 1),
        );
        let mid = if round < 3 {
            kill_during_save(&v, Duration::from_secs(20))
        } else {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            kill_during_save(&v, Duration::from_millis(10 + (seed >> 33) % 400))
        };
        mid_saves += usize::from(mid);
        let first = show_lena(&v, &title);
        let again = show_lena(&v, &title);
        assert!(
            !again.contains("rebuilt") && first.matches("rebuilt the note cache").count() <= 1,
            "round {round}: {first} / {again}"
        );
        assert!(
            temporaries(&v).is_empty(),
            "round {round}: a killed save left {:?}",
            temporaries(&v)
        );
        let d = v.kith(["digest", "--as-of", "2026-11-20"]).ok().stdout;
        assert!(d.contains("Lena Fischer"), "round {round}: {d}");
    }
    assert!(mid_saves >= 2, "only {mid_saves} kills landed mid-save");
}

/// A note added, removed or renamed moves the name keys, so the pass reads
/// every record's link targets, and a command over the whole vault then
/// reads the records again: the second read must not start where the first
/// ended (it did, and every digest after a rename rebuilt the whole cache
/// as "damaged").
#[test]
fn a_rename_then_a_digest_reads_the_cache_without_rebuilding_it() {
    let v = TestVault::new();
    v.person(
        "lena",
        "Lena Fischer",
        "cadence: 1w",
        "## 2026-10-01 · Coffee\nWith [[Tomas Meyer]].\n",
    );
    v.person(
        "tomas",
        "Tomas Meyer",
        "",
        "## 2026-10-02 · Lunch\nPasta.\n",
    );
    v.kith(["digest", "--as-of", "2026-11-20"]).ok();
    std::fs::rename(v.path("people/tomas.md"), v.path("people/tomas-meyer.md")).unwrap();
    let run = v
        .kith(["digest", "--as-of", "2026-11-20"])
        .ok()
        .stdout_has("Lena Fischer");
    assert!(!run.stderr.contains("rebuilt"), "{}", run.stderr);
    std::fs::remove_file(v.path("people/tomas-meyer.md")).unwrap();
    let run = v.kith(["digest", "--as-of", "2026-11-20"]).ok();
    assert!(!run.stderr.contains("rebuilt"), "{}", run.stderr);
}
