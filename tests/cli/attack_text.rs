//! Attack on the decoded vault's entry texts (issue 12, round "mem"): every
//! reader of an entry's text must give that entry's bytes, whether the note
//! was parsed in this run or decoded from the cache, and never another
//! entry's text after an edit.

use crate::support::*;
use std::time::{Duration, Instant};

/// A note with CR-only line ends counts every entry on line 1: `show` found
/// an entry's text by its line alone and printed the first entry's text
/// under each of them.
#[test]
fn show_gives_each_entry_its_own_text_in_a_cr_only_note() {
    let v = TestVault::new();
    v.write_bytes(
        "people/cy.md",
        b"---\nname: Cy Cr\n---\r## 2026-11-02 cr only\rFirst text.\r## 2026-11-03 later\rSecond text.\r",
    );
    for _ in 0..2 {
        // Built from the notes, then decoded from the cache.
        let out = v.kith(["--json", "show", "cy"]).ok().stdout;
        let j: serde_json::Value = serde_json::from_str(&out).unwrap();
        let got: Vec<(String, String)> = j["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["title"].as_str().unwrap().to_string(),
                    e["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("later".to_string(), "Second text.".to_string()),
                ("cr only".to_string(), "First text.".to_string())
            ],
            "{out}"
        );
    }
}

/// docs/give.md: the brief asks about the last entry's "first sentence,
/// else its title". A note parsed in this run holds its text, one decoded
/// from the cache does not: `topic` read only the text the note held, so
/// the brief (always from the cache) lost the question for an untitled
/// entry and used the title for a titled one.
#[test]
fn brief_asks_about_the_last_entrys_first_sentence() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Crlf",
        "",
        "## Log\n### 2026-11-02 · coffee\nOld.\n### 2026-11-03\nTalked about kilns. More.\n",
    )
    .person(
        "bo",
        "Bo Long",
        "",
        "## Log\n### 2026-11-03 · lunch\nShe moved to Lyon. Then more.\n",
    )
    .note(
        "events/meetup.md",
        "---\ntype: event\nname: Meetup\ndate: 2026-12-01\nattendees: [\"[[Ann Crlf]]\", \"[[Bo Long]]\"]\n---\n",
    );
    for _ in 0..2 {
        v.kith(["brief", "Meetup", "--as-of", "2026-11-24"])
            .ok()
            .stdout_has("Last time (2026-11-03): “Talked about kilns.” — what happened since?")
            .stdout_has(
                "Last time (2026-11-03, lunch): “She moved to Lyon.” — what happened since?",
            );
    }
}

/// The digest's upcoming event listed an attendee whose last entry is empty
/// (a heading at the end of the file) as "last talked about " and nothing.
#[test]
fn an_empty_last_entry_is_no_conversation_starter() {
    let v = TestVault::new();
    v.person(
        "bo",
        "Bo Long",
        "interests: [pottery]",
        "## Log\n### 2026-11-01 · tea\nTea.\n### 2026-11-05\n",
    )
    .note(
        "events/meetup.md",
        "---\ntype: event\nname: Meetup\ndate: 2026-11-26\nattendees: [\"[[Bo Long]]\"]\n---\n",
    );
    let out = v
        .kith(["digest", "--as-of", "2026-11-24"])
        .ok()
        .stdout_has("Bo Long: into pottery")
        .stdout;
    assert!(!out.contains("last talked about \n"), "{out}");
}

/// A note edited after the index answered (here held open while a watcher
/// is trusted, so no walk sees the edit): the hit's text was the entry now
/// at the hit's line, another entry's text under the hit's title.
#[test]
fn a_search_hit_never_shows_another_entrys_text_after_an_edit() {
    let v = TestVault::new();
    let two = "---\nname: Ann A\n---\n## 2026-11-02 first\nalpha words here\n## 2026-11-02 second\nbeta words here\n";
    v.note("people/ann.md", two);
    v.kith(["index"]).ok();
    let hold = tempfile::tempdir().unwrap();
    let (dir, root) = (hold.path().to_path_buf(), v.root.clone());
    let editor = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(20);
        while !dir.join("opened").exists() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
        }
        // The first entry removed: the second now sits on its line.
        std::fs::write(
            root.join("people/ann.md"),
            "---\nname: Ann A\n---\n## 2026-11-02 second\nbeta words here\n",
        )
        .unwrap();
        std::fs::write(dir.join("go"), "").unwrap();
    });
    let out = v
        .kith(["--json", "search", "alpha"])
        .env("KITH_TEST_HOLD_INDEX", &hold.path().to_string_lossy())
        .env("KITH_TEST_TRUST_WATCHER", "1")
        .run()
        .stdout;
    editor.join().unwrap();
    let hits: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    for h in hits.as_array().into_iter().flatten() {
        assert!(
            !h["snippet"].as_str().unwrap_or("").contains("beta"),
            "entry `{}` shown with another entry's text: {out}",
            h["title"]
        );
    }
}

/// `show` while an editor saves the note again and again (atomically),
/// swapping two entries of one date between the same lines: each entry
/// shown has its own text or none, never the other's (the text was found
/// again by line and date only).
#[test]
fn show_during_atomic_saves_never_pairs_a_title_with_another_entrys_text() {
    let v = TestVault::new();
    let a = "---\nname: Ann A\n---\n## Log\n### 2026-11-02 one\ntext-one\n### 2026-11-02 two\ntext-two\n";
    let b = "---\nname: Ann A\n---\n## Log\n### 2026-11-02 two\ntext-two\n### 2026-11-02 one\ntext-one\n";
    v.note("people/ann.md", a);
    v.kith(["show", "ann"]).ok();
    let editor = Editor::saving(&v, "people/ann.md", a, b);
    let until = Instant::now() + Duration::from_secs(4);
    let mut runs = 0;
    while runs < 300 && Instant::now() < until {
        let out = v.kith(["--json", "show", "ann"]).run().stdout;
        runs += 1;
        let Ok(j) = serde_json::from_str::<serde_json::Value>(&out) else {
            continue;
        };
        for e in j["entries"].as_array().into_iter().flatten() {
            let (title, text) = (e["title"].as_str().unwrap(), e["text"].as_str().unwrap());
            assert!(
                text.is_empty() || text == format!("text-{title}"),
                "run {runs}: entry `{title}` shown with `{text}`"
            );
        }
    }
    let saves = editor.stop();
    assert!(runs > 10 && saves > 10, "{runs} runs, {saves} saves");
}

/// A setext `Log` heading (`Log` over `===`) is where the log starts, as
/// `## Log` is (the parser and `kith log` read it so): `show` printed it
/// as the person's prose.
#[test]
fn a_setext_log_heading_is_not_prose() {
    let v = TestVault::new();
    v.person(
        "ed",
        "Ed Setext",
        "",
        "Met at a kiln workshop.\n\nLog\n===\n\n### 2026-11-03 after setext\nSetext body.\n",
    );
    for _ in 0..2 {
        let out = v.kith(["--json", "show", "ed"]).ok().stdout;
        let j: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(j["prose"], "Met at a kiln workshop.", "{out}");
        assert_eq!(j["entries"][0]["text"], "Setext body.", "{out}");
    }
}

/// `show`'s prose while an editor saves the note again and again, its
/// front matter growing and shrinking: the prose is cut from the file as
/// it is now by the model's line numbers, so a stale model printed front
/// matter or a log entry as prose.
#[test]
fn show_prose_during_atomic_saves_is_never_front_matter_or_an_entry() {
    let v = TestVault::new();
    let a = "---\nname: Ann A\n---\nPROSE\n## Log\n### 2026-11-02 one\ntext-one\n";
    let b = "---\nname: Ann A\nrole: potter\norg: Kilns\ncircle: close\n---\nPROSE\n\nMORE\n## Log\n### 2026-11-02 one\ntext-one\n";
    v.note("people/ann.md", a);
    v.kith(["show", "ann"]).ok();
    let editor = Editor::saving(&v, "people/ann.md", a, b);
    let until = Instant::now() + Duration::from_secs(4);
    let mut runs = 0;
    let mut bad = Vec::new();
    while runs < 300 && Instant::now() < until {
        let out = v.kith(["--json", "show", "ann"]).run().stdout;
        runs += 1;
        let Ok(j) = serde_json::from_str::<serde_json::Value>(&out) else {
            continue;
        };
        let prose = j["prose"].as_str().unwrap_or("").to_string();
        if ["---", "name:", "circle:", "##", "text-one"]
            .iter()
            .any(|x| prose.contains(x))
        {
            bad.push(prose);
        }
    }
    let saves = editor.stop();
    assert!(runs > 10 && saves > 10, "{runs} runs, {saves} saves");
    assert!(
        bad.is_empty(),
        "{} of {runs} runs: {:?}",
        bad.len(),
        bad.first()
    );
}

/// An editor saving a note again and again, atomically (a temporary file
/// renamed over it), in turns `a` then `b`, until stopped.
struct Editor {
    halt: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u32>,
}

impl Editor {
    fn saving(v: &TestVault, rel: &'static str, a: &'static str, b: &'static str) -> Editor {
        let halt = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (root, stop) = (v.root.clone(), halt.clone());
        let thread = std::thread::spawn(move || {
            let mut k = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Hidden, as an editor's temporary is: never a note.
                let path = root.join(rel);
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let tmp = path.with_file_name(format!(".{name}.{k}.tmp"));
                std::fs::write(&tmp, if k.is_multiple_of(2) { b } else { a }).unwrap();
                std::fs::rename(&tmp, &path).unwrap();
                k += 1;
            }
            k
        });
        Editor { halt, thread }
    }

    /// Stops saving; how many saves were made.
    fn stop(self) -> u32 {
        self.halt.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}
