//! Writes under fire: many `kith log` processes at once on one note, an editor
//! saving in place while kith writes, write-protected and foreign-owned notes.
//! Every figure is printed so a run can be quoted (`--nocapture`).

use crate::support::{KITH, TestVault};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The messages a write may be refused with (docs/reliability.md); any other
/// failure is a bug.
const REFUSALS: [&str; 2] = [
    "nothing was written",
    "changed on disk while kith was writing",
];

fn kith_log(v: &TestVault, text: &str) -> Output {
    Command::new(KITH)
        .env("KITH_TRACE", "1")
        .args(["--vault"])
        .arg(&v.root)
        .args(["log", "lena", text])
        .env("HOME", v.home())
        .env("XDG_CONFIG_HOME", v.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("KITH_VAULT")
        .output()
        .expect("run kith")
}

fn refused_as_documented(out: &Output) -> bool {
    let err = String::from_utf8_lossy(&out.stderr);
    !out.status.success() && REFUSALS.iter().any(|m| err.contains(m))
}

fn lena(v: &TestVault) {
    v.person(
        "lena",
        "Lena Fischer",
        "org: Acme # keep me",
        "Met at a meetup.\n",
    );
}

#[test]
fn concurrent_log_calls_lose_no_entry() {
    const WRITERS: usize = 20;
    const EACH: usize = 25;
    let v = TestVault::new();
    lena(&v);
    let started = Instant::now();
    let results: Vec<(String, Output)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let v = &v;
                s.spawn(move || {
                    (0..EACH)
                        .map(|i| {
                            let marker = format!("entry-{w}-{i}-end");
                            let out = kith_log(v, &marker);
                            (marker, out)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let note = v.read("people/lena.md");
    let (mut logged, mut refused, mut lost) = (0, 0, Vec::new());
    for (marker, out) in &results {
        if out.status.success() {
            assert!(String::from_utf8_lossy(&out.stdout).contains("logged"));
            logged += 1;
            if !note.contains(&format!("\n{marker}\n")) {
                lost.push(marker.clone());
            }
        } else {
            assert!(
                refused_as_documented(out),
                "an undocumented failure: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            refused += 1;
        }
    }
    println!(
        "concurrent kith log: {} calls ({WRITERS} writers × {EACH}) in {:.1} s: {logged} logged, {refused} refused, {} lost",
        results.len(),
        started.elapsed().as_secs_f64(),
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "entries reported as logged but missing: {lost:?}"
    );
    assert_eq!(
        note.matches("\n### ").count(),
        logged,
        "an entry written twice?"
    );
    assert!(note.starts_with("---\nname: Lena Fischer\norg: Acme # keep me\n---\n"));
    assert_eq!(note.matches("## Log").count(), 1);
    // No temporary files left in the folder.
    let names: Vec<_> = fs::read_dir(v.path("people"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["lena.md"]);
}

/// A save in place, as VS Code, nano or Obsidian do it: truncate the file,
/// then (after a gap) write the whole buffer into the same inode.
fn save_in_place(path: &Path, content: &str, gap: Duration) {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .unwrap();
    if !gap.is_zero() {
        std::thread::sleep(gap);
    }
    f.write_all(content.as_bytes()).unwrap();
}

#[test]
fn an_editor_saving_in_place_never_loses_a_save_to_kith_log() {
    const SECONDS: u64 = 5;
    const MAX_CALLS: usize = 3000;
    const KITH_LOOPS: usize = 2;
    let v = TestVault::new();
    lena(&v);
    let path = v.path("people/lena.md");
    let done = std::sync::atomic::AtomicBool::new(false);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(SECONDS);
    let (calls, refusals, editor) = std::thread::scope(|s| {
        let kiths: Vec<_> = (0..KITH_LOOPS)
            .map(|k| {
                let (v, done) = (&v, &done);
                s.spawn(move || {
                    let (mut calls, mut refused, mut back) = (0usize, 0usize, 0usize);
                    while Instant::now() < deadline && calls < MAX_CALLS / KITH_LOOPS {
                        let out = kith_log(v, &format!("kith-{k}-{calls}"));
                        if !out.status.success() {
                            assert!(
                                refused_as_documented(&out),
                                "an undocumented failure: {}",
                                String::from_utf8_lossy(&out.stderr)
                            );
                            refused += 1;
                            back += usize::from(
                                String::from_utf8_lossy(&out.stderr).contains("swapped back"),
                            );
                        }
                        calls += 1;
                    }
                    done.store(true, std::sync::atomic::Ordering::SeqCst);
                    (calls, refused, back)
                })
            })
            .collect();
        let editor =
            {
                let (path, done) = (&path, &done);
                s.spawn(move || {
                let (mut saves, mut lost, mut no_front) = (0usize, 0usize, 0usize);
                let mut i = 0u64;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    let content = format!(
                        "---\nname: Lena Fischer\n---\nEdited in the editor, save marker-{i}-end.\n"
                    );
                    // Gaps of 0–2 ms between truncate and write, varying.
                    let gap = Duration::from_micros((i * 7919) % 2001);
                    save_in_place(path, &content, gap);
                    saves += 1;
                    // Let kith run against this save, then check it is still there.
                    // Every tenth save the user pauses a little longer, so kith
                    // also gets to write, not only to refuse.
                    let pause = if i % 10 == 9 { 40_000 } else { (i * 104_729) % 3001 };
                    std::thread::sleep(Duration::from_micros(pause));
                    let now = fs::read_to_string(path).unwrap();
                    if !now.contains(&format!("marker-{i}-end")) {
                        lost += 1;
                    }
                    if !now.starts_with("---\nname: Lena Fischer\n---\n") {
                        no_front += 1;
                    }
                    i += 1;
                }
                (saves, lost, no_front)
            })
            };
        let (mut calls, mut refusals, mut back) = (0, 0, 0);
        for k in kiths {
            let (c, r, b) = k.join().unwrap();
            calls += c;
            refusals += r;
            back += b;
        }
        (calls, (refusals, back), editor.join().unwrap())
    });
    let (saves, lost, no_front) = editor;
    let (refusals, swapped_back) = refusals;
    println!(
        "editor vs kith log for {:.1} s: {calls} kith calls ({} logged, {refusals} refused, {swapped_back} of them swapped back after an editor wrote during the swap), {saves} editor saves, {lost} saves lost, {no_front} times without front matter",
        started.elapsed().as_secs_f64(),
        calls - refusals
    );
    assert!(
        saves > 50 && calls > 20,
        "too little happened to mean anything"
    );
    assert_eq!(lost, 0, "editor saves lost");
    assert_eq!(no_front, 0, "the note lost its front matter");
    let names: Vec<_> = fs::read_dir(v.path("people"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["lena.md"], "temporary files left behind");
}

#[cfg(unix)]
#[test]
fn a_write_protected_note_is_refused_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let v = TestVault::new();
    lena(&v);
    let p = v.path("people/lena.md");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
    let before = fs::read(&p).unwrap();
    v.kith(["log", "lena", "hello"])
        .code(1)
        .stderr_has("is write-protected (mode 0444); nothing was written")
        .stderr_has("hint: make it writable");
    assert_eq!(fs::read(&p).unwrap(), before);
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[cfg(unix)]
#[test]
fn a_write_keeps_mode_owner_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let v = TestVault::new();
    lena(&v);
    let p = v.path("people/lena.md");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
    // As root, give the note an owner and group kith does not run as, so
    // keeping them is something the write has to do (fchown), not a default.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        std::os::unix::fs::chown(&p, Some(4321), Some(8765)).unwrap();
    }
    let before = fs::metadata(&p).unwrap();
    v.kith(["log", "lena", "hello"]).ok().stdout_has("logged");
    let after = fs::metadata(&p).unwrap();
    assert_ne!(
        after.ino(),
        before.ino(),
        "the note was replaced, not edited in place"
    );
    assert_eq!(after.mode() & 0o7777, 0o600);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    if root {
        assert_eq!((after.uid(), after.gid()), (4321, 8765));
    }
    assert!(v.read("people/lena.md").ends_with("hello\n"));
}

/// A note owned by another user, writable by everyone: the user may write
/// into it, but replacing it would make them its owner. kith refuses.
#[cfg(unix)]
#[test]
fn a_note_owned_by_someone_else_is_not_taken_over() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = unsafe { libc::geteuid() } == 0;
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if !root || !setpriv {
        let why = "needs root and setpriv to run kith as one user on a note owned by another";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let v = TestVault::new();
    lena(&v);
    // Let user 1000 reach and write in the vault; the note belongs to 1001.
    for dir in [
        v.root.parent().unwrap(),
        &v.root,
        &v.root.join(".kith"),
        &v.path("people"),
        v.home(),
    ] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
    }
    let p = v.path("people/lena.md");
    std::os::unix::fs::chown(&p, Some(1001), Some(1001)).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o666)).unwrap();
    let before = fs::read(&p).unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=1000", "--regid=1000", "--clear-groups", "--"])
        .arg(KITH)
        .arg("--vault")
        .arg(&v.root)
        .args(["log", "lena", "hello"])
        .env("HOME", v.home())
        .env("XDG_CONFIG_HOME", v.home().join(".config"))
        .env_remove("KITH_VAULT")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("belongs to user 1001 and kith runs as user 1000")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(fs::read(&p).unwrap(), before);
    assert_eq!(fs::metadata(&p).unwrap().uid(), 1001);
    let names: Vec<_> = fs::read_dir(v.path("people"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["lena.md"], "temporary files left behind");
}

#[test]
fn a_setext_log_section_gets_the_entry_not_a_second_log() {
    let v = TestVault::new();
    v.person(
        "lena",
        "Lena Fischer",
        "",
        "Log\n===\n\n## 2026-01-01 · coffee\n\nhi\n",
    );
    v.kith(["log", "lena", "--date", "2026-02-01", "second"])
        .ok();
    assert_eq!(
        v.read("people/lena.md"),
        "---\nname: Lena Fischer\n---\nLog\n===\n\n## 2026-01-01 · coffee\n\nhi\n\n## 2026-02-01\n\nsecond\n"
    );
}

#[test]
fn a_symlinked_note_stays_a_symlink() {
    let v = TestVault::new();
    v.note("elsewhere/lena.md", "---\nname: Lena Fischer\n---\n");
    fs::create_dir_all(v.path("people")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../elsewhere/lena.md", v.path("people/lena.md")).unwrap();
    #[cfg(unix)]
    {
        v.kith(["log", "lena", "hello"]).ok();
        assert!(
            fs::symlink_metadata(v.path("people/lena.md"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(v.read("elsewhere/lena.md").ends_with("hello\n"));
    }
}
