//! Attacks on the note model's files (`.kith/cache/model.bin` and its
//! records file): grown, rewritten in place, or flipped behind the back of
//! a watcher that vouches for them. Whatever is found there, a command
//! answers as a fresh walk would, and never aborts.

use crate::support::{KITH, TestVault, kith_command, run_bounded};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const HANG: Duration = Duration::from_secs(30);
const MODEL: &str = ".kith/cache/model.bin";

fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "aliases: [Annie]\nemails: [ann@x.org]",
        "## Log\n### 2026-10-01 coffee\nTalked to [[Bob]].\n",
    )
    .person(
        "bob",
        "Bob",
        "",
        "## Log\n### 2026-09-01 lunch\nMet [[Annie]].\n",
    )
    .note(
        "notes/m.md",
        "# meeting\nWith [[people/ann|Ann]] and [[Bob#x]].\n",
    );
    v
}

/// Runs kith, bounded; expects success; returns (stdout, stderr).
fn run(v: &TestVault, args: &[&str]) -> (String, String) {
    let r = run_bounded(kith_command(v, args), &args.join(" "), HANG);
    assert_eq!(r.code, 0, "kith {args:?} exited {}: {}", r.code, r.stderr);
    (r.stdout, r.stderr)
}

fn records(v: &TestVault) -> Vec<PathBuf> {
    std::fs::read_dir(v.path(".kith/cache"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("records-") && n.ends_with(".bin")
        })
        .collect()
}

/// A records file grown in place (a sparse `truncate -s 1T`, or junk
/// appended by a tool) was allocated whole by the next run that read it:
/// `memory allocation of 1099511627776 bytes failed`, SIGABRT, on every
/// command until the cache was deleted by hand. Only the bytes its records
/// use are read now.
#[test]
fn a_records_file_grown_in_place_is_not_read_whole() {
    let v = vault();
    let (fresh, _) = run(&v, &["show", "Ann"]);
    for r in records(&v) {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&r)
            .unwrap()
            .set_len(1 << 40)
            .unwrap();
    }
    // A change elsewhere: the run reads every other note's record (the
    // links, then a new generation of the records file).
    v.note("notes/other.md", "# other\nnothing\n");
    let (out, _) = run(&v, &["show", "Ann"]);
    assert_eq!(out, fresh);
    run(&v, &["digest", "--as-of", "2026-11-22"]);
    let (out, _) = run(&v, &["show", "Ann"]);
    assert_eq!(out, fresh);
}

/// `kith watch`, started on a vault and ready.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watch {
    fn start(v: &TestVault) -> Watch {
        let mut child = Command::new(KITH)
            .arg("--vault")
            .arg(&v.root)
            .arg("watch")
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
        let w = Watch { child, lines: rx };
        let start = Instant::now();
        loop {
            assert!(
                start.elapsed() < HANG,
                "kith watch never said it was watching"
            );
            if let Ok(l) = w.lines.recv_timeout(Duration::from_millis(100))
                && l.contains("watching")
            {
                return w;
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The model file rewritten in place with its mtime put back (`touch -r`,
/// `rsync --inplace -t`, a backup tool restoring it): same inode, size and
/// mtime, so a watcher still vouched for it, and a command read its names
/// unchecked (no checksum on that path): `show` printed another path.
/// The file's identity now holds its ctime, which nobody can set back.
#[cfg(unix)]
#[test]
fn a_model_rewritten_in_place_with_its_mtime_restored_is_not_vouched_for() {
    use std::io::{Seek, Write};
    let v = vault();
    let (fresh, _) = run(&v, &["show", "Ann"]);
    assert!(fresh.contains("(people/ann.md)"), "{fresh}");
    let w = Watch::start(&v);
    let trusted = |v: &TestVault| {
        let mut cmd = kith_command(v, &["show", "Ann"]);
        cmd.env("KITH_TRACE", "1");
        let r = run_bounded(cmd, "show Ann", HANG);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r
    };
    let r = trusted(&v);
    assert_eq!(r.stdout, fresh);
    assert!(
        r.stderr.contains("vouched"),
        "no watcher vouched: {}",
        r.stderr
    );
    // `people/ann.md` as the names section holds it, made `peoplE/ann.md`.
    let path = v.path(MODEL);
    let bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(b"people/ann.md".len())
        .position(|w| w == b"people/ann.md")
        .expect("the path in the directory");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.seek(std::io::SeekFrom::Start(at as u64 + 5)).unwrap();
    f.write_all(b"E").unwrap();
    f.set_modified(mtime).unwrap();
    drop(f);
    let r = trusted(&v);
    assert_eq!(r.stdout, fresh, "a flipped directory was trusted");
    drop(w);
}

/// A command maps the model file a watcher vouched for; a model file
/// truncated in place meanwhile (`truncate -s 0`, `: > model.bin`, an
/// editor saving it empty) is a SIGBUS at the next page touched beyond the
/// new end: the command dies by a signal, with no message. Here the
/// watcher's word is taken as `KITH_TEST_TRUST_WATCHER` gives it, the file
/// put back in place before each run and truncated while it runs.
#[cfg(unix)]
#[test]
fn a_mapped_model_truncated_in_place_never_kills_the_command() {
    use std::os::unix::process::ExitStatusExt;
    let v = vault();
    for i in 0..3000 {
        v.note(
            &format!("journal/j{i}.md"),
            &format!("## 2026-01-10 m{i}\nSaw [[Ann Lee]] #intro\n"),
        );
    }
    run(&v, &["show", "Ann"]);
    let path = v.path(MODEL);
    let good = std::fs::read(&path).unwrap();
    let start = Instant::now();
    let mut killed = Vec::new();
    for i in 0..20u64 {
        if start.elapsed() > Duration::from_secs(20) {
            break;
        }
        {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .unwrap();
            f.write_all(&good).unwrap();
            f.set_len(good.len() as u64).unwrap();
        }
        let mut child = kith_command(&v, &["show", "Ann"])
            .env("KITH_TEST_TRUST_WATCHER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + 7 * (i % 6)));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        let st = child.wait().unwrap();
        if let Some(sig) = st.signal() {
            killed.push(sig);
        }
    }
    assert!(killed.is_empty(), "killed by signals {killed:?}");
}

/// A person whose note's file name is not UTF-8 (Latin-1 `é`).
#[cfg(target_os = "linux")]
fn eric() -> TestVault {
    use std::os::unix::ffi::OsStrExt;
    let v = TestVault::new();
    let dir = v.path("people");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"\xe9ric.md")),
        "---\nname: Eric Nonutf\n---\n## Log\n### 2026-10-01 coffee\nhi\n",
    )
    .unwrap();
    v
}

/// `kith log` to a person whose file name is not UTF-8 wrote the entry,
/// then panicked building its report (a path serde_json cannot hold), so
/// the user, told it failed, logged it again: two entries.
#[cfg(target_os = "linux")]
#[test]
fn log_to_a_note_with_a_non_utf8_name_reports_instead_of_panicking() {
    let v = eric();
    run(&v, &["show", "Eric"]);
    let (out, _) = run(&v, &["log", "Eric", "logged once"]);
    assert!(out.contains("logged"), "{out}");
    let (out, _) = run(&v, &["show", "Eric"]);
    assert_eq!(out.matches("logged once").count(), 1, "{out}");
}

/// `kith show --json` of that person panics the same way (every path in
/// the answer is serialized as a string).
#[cfg(target_os = "linux")]
#[test]
fn show_json_of_a_note_with_a_non_utf8_name_does_not_panic() {
    let v = eric();
    run(&v, &["--json", "show", "Eric"]);
}

/// The directory keeps a path as lossy UTF-8 (`people/\u{FFFD}ric.md`),
/// which no walk ever finds again: every run takes the note for removed
/// and new, parses it and saves the whole model again (30 MB at 100k).
#[cfg(target_os = "linux")]
#[test]
fn a_note_with_a_non_utf8_name_is_not_parsed_on_every_run() {
    let v = eric();
    run(&v, &["show", "Eric"]);
    run(&v, &["show", "Eric"]);
    let mut cmd = kith_command(&v, &["show", "Eric"]);
    cmd.env("KITH_TRACE", "1");
    let r = run_bounded(cmd, "show Eric", HANG);
    assert!(
        r.stderr.contains(" 0 parsed, 0 removed"),
        "parsed again: {}",
        r.stderr
    );
}
