//! Hostile input: files that are not notes, notes built to be slow, settings
//! built to overflow, closed pipes. Each command must answer, with a
//! diagnostic where one is due, and never hang or panic. Time bounds below are
//! hang checks (generous), not timing claims.

use crate::support::{Bounded, KITH, TestVault, kith_command, mkfifo, run_bounded};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long any one command may take before it counts as hung.
const HANG: Duration = Duration::from_secs(20);

type Out = Bounded;

/// Runs kith on the vault and kills it (failing the test) if it is still
/// running after `HANG`.
fn bounded(v: &TestVault, args: &[&str]) -> Out {
    bounded_for(v, args, HANG)
}

fn bounded_for(v: &TestVault, args: &[&str], hang: Duration) -> Out {
    let out = run_bounded(kith_command(v, args), &format!("{args:?}"), hang);
    assert!(
        !out.stderr.contains("panicked"),
        "kith {args:?} panicked:\n{}",
        out.stderr
    );
    out
}

fn lena(v: &TestVault) {
    v.person(
        "lena",
        "Lena Fischer",
        "circle: close\nbirthday: 1987-12-01",
        "\n## Log\n\n### 2026-09-30 · coffee\n\n- [ ] send the guide 📅 2026-11-25\n",
    );
}

#[test]
fn fifos_devices_sockets_and_folders_are_reported_not_read() {
    let v = TestVault::new();
    lena(&v);
    mkfifo(&v.path("people/pipe.md"));
    std::os::unix::fs::symlink("/dev/zero", v.path("people/zero.md")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", v.path("random.md")).unwrap();
    std::fs::create_dir_all(v.path("somewhere")).unwrap();
    std::os::unix::fs::symlink(v.path("somewhere"), v.path("folder.md")).unwrap();
    let _sock = std::os::unix::net::UnixListener::bind(v.path("people/sock.md")).unwrap();

    let check = bounded(&v, &["check"]);
    assert_eq!(check.code, 1, "{}\n{}", check.stdout, check.stderr);
    for (file, what) in [
        ("people/pipe.md", "a named pipe (FIFO)"),
        ("people/zero.md", "a device file"),
        ("random.md", "a device file"),
        ("folder.md", "a folder"),
        ("people/sock.md", "a socket"),
    ] {
        assert!(
            check.stdout.contains(&format!(
                "{file}:1:1: error: this is {what}, not a note file"
            )),
            "{file}:\n{}",
            check.stdout
        );
    }
    assert!(check.stdout.contains("hint: notes must be regular files"));
    // The real note is still read, and every other command answers.
    for args in [
        &["digest", "--as-of", "2026-11-22"][..],
        &["show", "lena"],
        &["intros"],
        &["export", "vcard"],
        &["export", "ics", "--as-of", "2026-11-22"],
    ] {
        let out = bounded(&v, args);
        assert_eq!(out.code, 0, "{args:?}\n{}\n{}", out.stdout, out.stderr);
    }
    let vcf = bounded(&v, &["export", "vcard"]).stdout;
    assert_eq!(vcf.matches("BEGIN:VCARD").count(), 1, "{vcf}");
}

#[test]
fn a_note_over_the_size_cap_is_reported_and_skipped() {
    let v = TestVault::new();
    lena(&v);
    let mut big = b"---\nname: Big\n---\n".to_vec();
    big.resize(16 * 1024 * 1024 + 1, b'a');
    v.write_bytes("people/big.md", &big);
    let out = bounded(&v, &["check"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("people/big.md:1:1: error: this file is over 16 MiB"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("lena.md"), "{}", out.stdout);
}

#[test]
fn forty_thousand_keys_parse_in_linear_time() {
    let v = TestVault::new();
    let mut front = String::new();
    for i in 0..40_000 {
        front.push_str(&format!("k{i}: v{i}\n"));
    }
    // A misspelt key among them still gets its warning, at its line.
    front.push_str("intrests: [rust]\n");
    v.person("lena", "Lena Fischer", &front, "\nbody\n");
    let out = bounded(&v, &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "people/lena.md:40003:1: warning: unknown key `intrests`; did you mean `interests`?"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(bounded(&v, &["digest", "--as-of", "2026-11-22"]).code, 0);
}

#[test]
fn a_hundred_thousand_tags_parse_in_linear_time() {
    let v = TestVault::new();
    let mut body = String::from("\n## Log\n\n### 2026-09-30 · tags\n\n");
    for i in 0..100_000 {
        body.push_str(&format!("#t{i} "));
    }
    body.push_str("\n\n[[Nobody Here]]\n");
    v.person("lena", "Lena Fischer", "", &body);
    let out = bounded(&v, &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("link [[Nobody Here]] matches no note"));
    // show and digest also build the search index first: 100,000 distinct
    // terms take tantivy ~10 s in a debug build, so these get a wider bound.
    let wide = Duration::from_secs(90);
    let show = bounded_for(&v, &["show", "lena", "--json"], wide);
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert_eq!(
        bounded_for(&v, &["digest", "--as-of", "2026-11-22"], wide).code,
        0
    );
}

#[test]
fn deep_nesting_is_an_error_where_it_gets_too_deep() {
    let v = TestVault::new();
    let deep = format!(
        "---\nname: Deep\nx: {}{}\n---\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    v.note("people/deep.md", &deep);
    let mut block = String::from("---\nname: Block\nx:\n");
    for i in 1..=3000 {
        block.push_str(&" ".repeat(i));
        block.push_str("y:\n");
    }
    block.push_str("---\n");
    v.note("people/block.md", &block);
    let out = bounded(&v, &["check"]);
    assert_eq!(out.code, 1);
    // The map is level 1, so the 128th bracket (column 3 + 128) is level 129.
    assert!(
        out.stdout.contains(
            "people/deep.md:3:131: error: front matter is not valid YAML: nested more than 128 levels deep"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("people/block.md:131:129: error: front matter is not valid YAML: nested more than 128 levels deep"),
        "{}",
        out.stdout
    );
    assert_eq!(bounded(&v, &["digest", "--as-of", "2026-11-22"]).code, 0);
}

#[test]
fn huge_day_settings_are_config_errors_not_panics() {
    let v = TestVault::new();
    lena(&v);
    v.note(
        ".kith/config.yaml",
        "digest:\n  promise_ahead_days: 1000000000\n  undated_promise_days: 1e9\n  follow_up_due_days: -3\n",
    );
    let check = bounded(&v, &["check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stdout.contains(
            ".kith/config.yaml:2:23: error: `digest.promise_ahead_days: 1000000000` is too large: at most 36500; using the default"
        ),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains(".kith/config.yaml:3:25: error: `digest.undated_promise_days` must be a whole number, not `1e9`"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains(".kith/config.yaml:4:23: error: `digest.follow_up_due_days` must be a whole number, not `-3`"),
        "{}",
        check.stdout
    );
    for args in [
        &["digest", "--as-of", "2026-11-22"][..],
        &["export", "ics", "--as-of", "2026-11-22"],
        &["export", "ics", "--as-events", "--as-of", "2026-11-22"],
    ] {
        let out = bounded(&v, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_eq!(
            out.stderr.matches(".kith/config.yaml").count(),
            1,
            "warned once: {}",
            out.stderr
        );
    }
    // The default (7 days ahead) still applies: the promise due in 3 days shows.
    let d = bounded(&v, &["digest", "--as-of", "2026-11-22"]).stdout;
    assert!(d.contains("send the guide"), "{d}");
}

#[test]
fn bad_settings_are_located_and_only_they_fall_back() {
    let v = TestVault::new();
    for i in 0..3 {
        v.person(
            &format!("p{i}"),
            &format!("Person {i}"),
            "circle: close",
            &format!("\n### 2026-09-0{} · x\n", i + 1),
        );
    }
    v.note(
        ".kith/config.yaml",
        "digest:\n  check_in_budget: 1\n  intros: five\n  intro: 3\ndigst:\n  shares: 2\ncadence:\n  close: banana\n  active: 10d\nsynonyms: hiring\n",
    );
    let check = bounded(&v, &["check"]);
    assert_eq!(check.code, 1);
    for want in [
        ".kith/config.yaml:3:11: error: `digest.intros` must be a whole number, not `five`; using the default",
        ".kith/config.yaml:4:3: warning: unknown setting `digest.intro`",
        "hint: did you mean `intros`?",
        ".kith/config.yaml:5:1: warning: unknown setting `digst`",
        "hint: did you mean `digest`?",
        ".kith/config.yaml:8:10: error: `cadence.close: banana` is not a cadence; using the default",
        ".kith/config.yaml:10:11: error: `synonyms` must be a list of lists of words",
    ] {
        assert!(check.stdout.contains(want), "{want}\n{}", check.stdout);
    }
    let out = bounded(&v, &["digest", "--as-of", "2026-11-22", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr.matches("warning:").count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(".kith/config.yaml:3:11:"),
        "{}",
        out.stderr
    );
    let d: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    // check_in_budget: 1 still counts; the close circle's cadence is its default.
    let check_ins = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "check_in")
        .count();
    assert_eq!(check_ins, 1, "{d}");
    assert_eq!(d["more_check_ins"], 2, "{d}");
}

#[test]
fn an_unreadable_config_is_an_error_and_a_fifo_config_does_not_block() {
    let v = TestVault::new();
    lena(&v);
    std::fs::create_dir_all(v.path(".kith/config.yaml")).unwrap();
    let check = bounded(&v, &["check"]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains(
            ".kith/config.yaml:1:1: error: could not read the config (it is a folder); using defaults"
        ),
        "{}",
        check.stdout
    );
    std::fs::remove_dir(v.path(".kith/config.yaml")).unwrap();
    mkfifo(&v.path(".kith/config.yaml"));
    let check = bounded(&v, &["check"]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains("it is a named pipe (FIFO)"),
        "{}",
        check.stdout
    );
    let d = bounded(&v, &["digest", "--as-of", "2026-11-22"]);
    assert_eq!(d.code, 0);
    assert!(
        d.stderr
            .contains("warning: .kith/config.yaml:1:1: could not read the config")
    );
}

#[test]
fn an_impossible_date_in_a_log_heading_is_an_error_at_its_place() {
    let v = TestVault::new();
    v.person(
        "lena",
        "Lena Fischer",
        "",
        "\n## Log\n\n### 2026-02-30 · call\n\nTalked.\n\n### 2026-13-01\n\n### 2026-03-01 · fine\n",
    );
    let out = bounded(&v, &["check"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains(
            "people/lena.md:7:5: error: log entry heading: impossible date `2026-02-30`: February 2026 has 28 days"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("people/lena.md:11:5: error: log entry heading: impossible date `2026-13-01`: there is no month 13"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.matches("error:").count(), 2, "{}", out.stdout);
}

/// Many broken notes, so the output is far bigger than a pipe's buffer.
fn noisy_vault() -> TestVault {
    let v = TestVault::new();
    for i in 0..1500 {
        v.note(&format!("people/p{i}.md"), "---\nname: [unclosed\n---\n");
    }
    v
}

#[test]
fn closed_stdout_and_stderr_end_quietly() {
    let v = noisy_vault();
    // Both pipes closed before kith writes a byte: every write fails.
    let mut child = Command::new(KITH)
        .arg("--vault")
        .arg(&v.root)
        .arg("check")
        .env_remove("KITH_VAULT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    // Only stderr closed (the summary line, and warnings of other commands).
    for args in [&["check"][..], &["digest", "--as-of", "2026-11-22"]] {
        let mut child = Command::new(KITH)
            .arg("--vault")
            .arg(&v.root)
            .args(args)
            .env_remove("KITH_VAULT")
            .env("HOME", v.home())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert!(matches!(status.code(), Some(0 | 1)), "{args:?}: {status:?}");
    }
}

#[test]
fn check_piped_into_head_exits_zero() {
    let v = noisy_vault();
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"set -o pipefail; "$0" --vault "$1" check 2>&1 | head -1"#)
        .arg(KITH)
        .arg(&v.root)
        .env_remove("KITH_VAULT")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

mod names {
    use super::*;
    use proptest::prelude::*;

    /// Hostile file-name parts: emoji, combining marks, leading dots, spaces,
    /// right-to-left text, very long names.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}",
            Just("party 🎉".to_string()),
            Just("🎉".to_string()),
            Just("e\u{301}\u{301}\u{301}".to_string()),
            Just(".hidden".to_string()),
            Just("..".to_string()).prop_map(|s| format!("{s}x")),
            Just("ש ל ו ם".to_string()),
            Just("a".repeat(200)),
            Just("é".repeat(100)),
            "[a-zé🎉 \u{301}.-]{1,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Whatever the file names, `check` answers without a panic or hang.
        #[test]
        fn hostile_file_names_never_panic_check(
            names in proptest::collection::vec((name(), prop_oneof![Just(".md"), Just(""), Just(".MD"), Just(".md.txt")]), 1..6),
            folder in prop_oneof![Just("people/"), Just("events/"), Just(""), Just("journal/")],
        ) {
            let v = TestVault::new();
            for (i, (n, ext)) in names.iter().enumerate() {
                let rel = format!("{folder}{n}{ext}");
                let body = format!("---\nname: {n} {i}\n---\n\n### 2026-02-30 · x\n");
                // Names the file system refuses (too long in bytes) are skipped.
                let p = v.path(&rel);
                if std::fs::create_dir_all(p.parent().unwrap()).is_ok() {
                    let _ = std::fs::write(&p, body);
                }
            }
            let out = bounded(&v, &["check"]);
            prop_assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
        }
    }
}
