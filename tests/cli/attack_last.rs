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
