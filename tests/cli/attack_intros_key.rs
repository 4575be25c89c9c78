//! Attack on the introductions key (`src/digest/introfacts.rs`), the
//! digest's pick (`intropick.bin`) and the parallel reminders: every cached
//! answer must equal one from scratch, byte for byte, after every kind of
//! edit the introductions might read; damaged cache files are rebuilt; the
//! reminders do not depend on how many cores split them.
//!
//! None of these found a bug at f6453e9: they stay as guards.

use crate::support::{TestVault, kith_command, mkfifo, run_bounded};
use std::time::Duration;

const AS_OF: &str = "2026-11-22";

fn vault() -> TestVault {
    let v = TestVault::new();
    v.note(
        "people/ann.md",
        "---\nname: Ann\naliases: [Annie]\norg: Acme\nneeds: [hiring a senior Rust engineer]\n---\nAnn runs a bakery.\n\n## Log\n\n### 2026-10-01 Coffee\nTalked about bread.\n\n### 2026-10-05 Lunch\nWith [[Bo]] at the market.\n",
    );
    v.note(
        "people/bo.md",
        "---\nname: Bo\noffers: [senior Rust engineer open to new roles]\n---\nBo writes Rust.\n",
    );
    v.note(
        "people/cy.md",
        "---\nname: Cy\nneeds: [knitting lessons for beginners]\ninterests: [knitting]\n---\nCy wants to knit.\n",
    );
    v.note(
        "people/dee.md",
        "---\nname: Dee\noffers: [knitting lessons]\norg: Acme\n---\nDee teaches.\n",
    );
    v.note(
        "people/eve.md",
        "---\nname: Eve\noffers: [hiring advice for Rust teams]\n---\n",
    );
    v.note(
        "journal/2026-10-10.md",
        "---\ndate: 2026-10-10\n---\n## Log\n\n### 2026-10-10 Party\nMet [[Cy]] and talked.\n",
    );
    v.note(
        "events/meetup.md",
        "---\ntitle: Meetup\ndate: 2026-12-01\nattendees: [\"[[Ann]]\", \"[[Cy]]\"]\n---\n",
    );
    v.note(
        "resources/guide.md",
        "---\ntype: resource\ntitle: Knitting for beginners\ntags: [knitting]\n---\nA guide to knitting lessons.\n",
    );
    v
}

/// Every output that shows introductions or shares, in one string.
fn outputs(v: &TestVault) -> String {
    let mut all = String::new();
    for args in [
        &["digest"][..],
        &["digest", "--all"],
        &["--json", "digest"],
        &["intros", "--all"],
        &["intros"],
        &["intros", "--for", "Annie"],
        &["intros", "--for", "Cy", "--all"],
        &["--json", "intros", "--all"],
        &["give"],
        &["brief", "Meetup"],
    ] {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--as-of", AS_OF]);
        let r = v.kith(&a).ok();
        all.push_str(&format!("== {args:?}\n{}", r.stdout));
    }
    all
}

fn scratch(v: &TestVault) -> String {
    std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
    outputs(v)
}

fn edit(v: &TestVault, rel: &str, from: &str, to: &str) {
    let t = v.read(rel);
    assert!(t.contains(from), "{rel} lacks {from:?}");
    v.note(rel, &t.replacen(from, to, 1));
}

/// Each edit on a warm cache: the cached answers equal a run from scratch,
/// and the edit was seen (the answers moved where they should).
#[test]
fn every_edit_kind_answers_as_from_scratch() {
    type Edit = (&'static str, fn(&TestVault));
    let edits: [Edit; 16] = [
        ("unlinked entry's date", |v| {
            edit(v, "people/ann.md", "2026-10-01 Coffee", "2026-11-20 Coffee")
        }),
        ("journal links one more", |v| {
            edit(
                v,
                "journal/2026-10-10.md",
                "Met [[Cy]] and talked",
                "Met [[Cy]] and [[Dee]]",
            )
        }),
        ("a link becomes a plan", |v| {
            edit(v, "people/ann.md", "With [[Bo]]", "Will meet [[Bo]]")
        }),
        ("rename", |v| {
            std::fs::rename(v.path("people/ann.md"), v.path("people/anne.md")).unwrap()
        }),
        ("a second Bo", |v| {
            v.note("people/bo2.md", "---\nname: Bo\n---\n");
        }),
        ("an alias that takes a name", |v| {
            v.note(
                "people/evelyn.md",
                "---\nname: Evelyn\naliases: [Eve]\n---\n",
            );
        }),
        ("CRLF", |v| {
            let t = v.read("people/cy.md").replace('\n', "\r\n");
            v.note("people/cy.md", &t);
        }),
        ("BOM", |v| {
            let t = format!("\u{feff}{}", v.read("people/dee.md"));
            v.note("people/dee.md", &t);
        }),
        ("an intro tag on an unlinked entry", |v| {
            edit(
                v,
                "people/ann.md",
                "Talked about bread.",
                "Talked about bread. #intro/made",
            )
        }),
        ("same_org off", |v| {
            v.note(
                ".kith/config.yaml",
                "intros:\n  same_org_connected: false\n",
            );
        }),
        ("a dismissal", |v| {
            v.note(".kith/intros.yaml", "- [Cy, Dee]\n");
        }),
        ("a person moved to resources", |v| {
            std::fs::rename(v.path("people/eve.md"), v.path("resources/eve.md")).unwrap()
        }),
        ("prose after the log", |v| {
            let t = format!(
                "{}Ann now sells knitting lessons.\n",
                v.read("people/ann.md")
            );
            v.note("people/ann.md", &t);
        }),
        ("a link's case", |v| {
            edit(v, "people/ann.md", "[[Bo]]", "[[bo]]")
        }),
        ("a planned intro in a journal", |v| {
            let t = format!(
                "{}\n- [ ] introduce [[Cy]] to [[Dee]]\n",
                v.read("journal/2026-10-10.md")
            );
            v.note("journal/2026-10-10.md", &t);
        }),
        ("the resource's text", |v| {
            edit(v, "resources/guide.md", "knitting lessons", "rust hiring")
        }),
    ];
    let mut failed = Vec::new();
    for (what, f) in edits {
        let v = vault();
        outputs(&v);
        f(&v);
        let cached = outputs(&v);
        let fresh = scratch(&v);
        if cached != fresh {
            failed.push(format!("{what}:\ncached:\n{cached}\nfresh:\n{fresh}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// The same size and the same mtime (restored): the edit is still seen.
#[test]
fn a_same_size_edit_with_its_mtime_restored_is_seen() {
    let v = vault();
    let p = v.path("people/cy.md");
    let old = filetime_of(&p);
    outputs(&v);
    edit(
        &v,
        "people/cy.md",
        "knitting lessons for beginners",
        "baking bread lessons for kids!",
    );
    set_mtime(&p, old);
    let cached = outputs(&v);
    assert!(cached.contains("baking bread"), "{cached}");
    assert_eq!(cached, scratch(&v));
}

fn filetime_of(p: &std::path::Path) -> std::time::SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

fn set_mtime(p: &std::path::Path, t: std::time::SystemTime) {
    let f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
    f.set_modified(t).unwrap();
}

/// `introfacts.bin` and `intropick.bin` replaced by what is not a cache
/// file: rebuilt, said once on stderr, the answers those from scratch.
#[test]
fn damaged_facts_and_pick_files_are_rebuilt() {
    for name in ["introfacts.bin", "intropick.bin"] {
        for how in ["truncated", "garbage", "fifo", "zero", "folder", "loop"] {
            let v = vault();
            outputs(&v);
            edit(&v, "people/dee.md", "Dee teaches.", "Dee teaches Rust.");
            let p = v.path(&format!(".kith/cache/{name}"));
            match how {
                "truncated" => {
                    let b = std::fs::read(&p).unwrap();
                    std::fs::write(&p, &b[..b.len().min(20)]).unwrap();
                }
                "garbage" => std::fs::write(&p, vec![0xA5u8; 5000]).unwrap(),
                "fifo" => {
                    std::fs::remove_file(&p).unwrap();
                    mkfifo(&p);
                }
                "zero" => {
                    std::fs::remove_file(&p).unwrap();
                    std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
                }
                "folder" => {
                    std::fs::remove_file(&p).unwrap();
                    std::fs::create_dir(&p).unwrap();
                }
                _ => {
                    std::fs::remove_file(&p).unwrap();
                    std::os::unix::fs::symlink(&p, &p).unwrap();
                }
            }
            let mut said = String::new();
            for args in [["intros", "--all"], ["digest", "--all"]] {
                let mut cmd = kith_command(&v, &args);
                cmd.args(["--as-of", AS_OF]);
                let r = run_bounded(cmd, "on a damaged cache", Duration::from_secs(20));
                assert_eq!(r.code, 0, "{name} {how}: {}", r.stderr);
                said.push_str(&r.stderr);
            }
            assert!(
                said.matches("kith: rebuilt").count() <= 1,
                "{name} {how}: said more than once:\n{said}"
            );
            let again = outputs(&v);
            assert_eq!(again, scratch(&v), "{name} {how}");
        }
    }
}

/// More changed notes than `kith intros` parses itself (512): it decodes
/// the vault instead, and the answer is the fresh one.
#[test]
fn more_than_512_changed_notes_before_intros() {
    let v = vault();
    for i in 0..600 {
        v.note(
            &format!("people/p{i}.md"),
            &format!("---\nname: P{i}\n---\nP{i} likes tea.\n"),
        );
    }
    outputs(&v);
    for i in 0..600 {
        let rel = format!("people/p{i}.md");
        let t = v.read(&rel);
        v.note(&rel, &format!("{t}\nP{i} offers knitting lessons.\n"));
    }
    edit(
        &v,
        "people/cy.md",
        "needs: [knitting lessons for beginners]",
        "needs: [a kayak]",
    );
    let cached = outputs(&v);
    assert!(!cached.contains("Cy ↔ Dee"), "{cached}");
    assert_eq!(cached, scratch(&v));
}

/// `kith log` in a loop while `intros --all` and `digest` run in loops: no
/// entry lost, every run succeeds, and the answers after are fresh.
#[test]
fn log_while_intros_and_digest_run() {
    let v = vault();
    for i in 0..40 {
        v.note(
            &format!("people/p{i}.md"),
            &format!(
                "---\nname: P{i}\noffers: [knitting lessons {i}]\nneeds: [rust help {i}]\n---\n"
            ),
        );
    }
    outputs(&v);
    let logs = 40;
    let logger = {
        let cmds: Vec<_> = (0..logs)
            .map(|n| {
                let who = format!("P{}", n % 20);
                let text = format!("met [[P{}]] and [[Cy]]", (n % 13) + 20);
                let date = format!("2026-11-{:02}", n % 9 + 1);
                kith_command(&v, &["log", &who, &text, "--date", &date])
            })
            .collect();
        std::thread::spawn(move || {
            for c in cmds {
                let r = run_bounded(c, "log", Duration::from_secs(20));
                assert_eq!(r.code, 0, "{}", r.stderr);
            }
        })
    };
    for k in 0..12 {
        let args: &[&str] = if k % 2 == 0 {
            &["intros", "--all", "--as-of", AS_OF]
        } else {
            &["digest", "--as-of", AS_OF]
        };
        let r = run_bounded(kith_command(&v, args), "reader", Duration::from_secs(20));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    logger.join().unwrap();
    let entries: usize = (0..20)
        .map(|i| v.read(&format!("people/p{i}.md")).matches("\n### ").count())
        .sum();
    assert_eq!(entries, logs);
    let cached = outputs(&v);
    assert_eq!(cached, scratch(&v));
}

/// Reminders split over cores: ties (same names, same dates, many journal,
/// event and plain notes linking the same people on one day) come out the
/// same on one thread as on eight.
#[test]
fn reminders_are_the_same_on_one_core_and_on_eight() {
    let v = TestVault::new();
    for i in 1..=3 {
        v.note(
            &format!("people/x{i}.md"),
            &format!("---\nname: X{i}\ncadence: 7d\nbirthday: 1990-11-2{i}\n---\n## Log\n\n### 2026-11-01 Own{i}\nhello\n\n### 2026-11-01 Own{i}b\nhello [[X1]]\n- [ ] send [[X2]] the doc (due 2026-11-20)\n"),
        );
    }
    for i in 1..=9 {
        v.note(
            &format!("people/s{i}.md"),
            &format!(
                "---\nname: Sam\ncadence: 7d\nlast_contact: 2026-10-0{}\nneeds: [help {}]\n---\n",
                i % 3 + 1,
                i % 4
            ),
        );
    }
    for d in 1..=40 {
        v.note(
            &format!("journal/j{d}.md"),
            &format!("---\ndate: 2026-11-01\n---\n## Log\n\n### 2026-11-01 J{d}\nSaw [[X1]] [[X2]]\n\n### 2026-11-01 K{d}\nSaw [[X3]] and [[X1]]\n- [ ] call [[X3]]\n"),
        );
        v.note(
            &format!("events/e{d}.md"),
            &format!(
                "---\ntitle: E{d}\ndate: 2026-11-01\nattendees: [\"[[X1]]\", \"[[X3]]\"]\n---\n"
            ),
        );
        v.note(
            &format!("notes/n{d}.md"),
            &format!("# N{d}\n\n### 2026-11-01 M{d}\nwith [[X2]]\n"),
        );
    }
    let run = |threads: &str| {
        let mut all = String::new();
        for args in [
            &["digest", "--all"][..],
            &["--json", "digest", "--all"],
            &["give"],
        ] {
            std::fs::remove_dir_all(v.path(".kith/cache")).ok();
            let mut a = args.to_vec();
            a.extend(["--as-of", AS_OF]);
            all.push_str(&v.kith(&a).env("RAYON_NUM_THREADS", threads).ok().stdout);
        }
        all
    };
    let one = run("1");
    assert!(one.contains("X1"), "{one}");
    assert_eq!(one, run("8"));
}

/// Finding (fixed): introductions recorded on the same day between people
/// of the same names came out in the order of a `HashMap` (`lifecycle::
/// records`), different from one process to the next: the digest's
/// "Introductions in progress", `intros --made` and their JSON changed from
/// run to run, and a cached digest differed from one from scratch.
#[test]
fn same_day_same_name_intro_records_come_out_in_one_order() {
    let v = TestVault::new();
    v.note("people/bo.md", "---\nname: Bo\n---\n");
    for i in 1..=8 {
        v.note(
            &format!("people/sam{i}.md"),
            "---\nname: Sam\n---\n## Log\n\n### 2026-11-01 Intro\nIntroduced to [[Bo]] #intro/asked\n",
        );
    }
    let run = || {
        let mut all = String::new();
        for args in [
            &["digest", "--all", "--as-of", "2026-12-30"][..],
            &["--json", "digest", "--as-of", "2026-12-30"],
            &["intros", "--made"],
            &["--json", "intros", "--made"],
        ] {
            std::fs::remove_dir_all(v.path(".kith/cache")).ok();
            all.push_str(&v.kith(args).ok().stdout);
        }
        all
    };
    let first = run();
    assert!(first.contains("sam8.md"), "{first}");
    // In note order, sam1 first.
    let digest = first
        .split("\n\n")
        .find(|s| s.contains("sam1.md"))
        .unwrap_or("");
    assert!(digest.find("sam1.md") < digest.find("sam2.md"), "{first}");
    for _ in 0..4 {
        assert_eq!(first, run());
    }
}

/// Finding (fixed): `intros --for` kept the suggestions whose title was the
/// person's, so `--for sam1` showed those of every other Sam too (cached or
/// not). Two people may share a name: the person is their note.
#[test]
fn intros_for_one_of_two_namesakes_shows_only_theirs() {
    let v = vault();
    v.note(
        "people/sam1.md",
        "---\nname: Sam\nneeds: [knitting lessons for beginners]\n---\n",
    );
    v.note(
        "people/sam2.md",
        "---\nname: Sam\nneeds: [hiring a senior Rust engineer]\n---\n",
    );
    for _ in 0..2 {
        v.kith(["intros", "--for", "sam1", "--all", "--as-of", AS_OF])
            .ok()
            .stdout_has("people/sam1.md")
            .stdout_lacks("people/sam2.md");
        v.kith(["intros", "--for", "sam2", "--as-of", AS_OF])
            .ok()
            .stdout_has("people/sam2.md")
            .stdout_lacks("people/sam1.md");
    }
}

/// Finding (fixed): `kith intros dismiss sam1 Dee` wrote names to
/// `.kith/intros.yaml` (`["Sam", "Dee"]`), and the rule compared folded
/// titles: the other Sam's introduction to Dee was dismissed too. A person
/// whose name is shared is now written by their note's path.
#[test]
fn dismissing_one_namesake_keeps_the_others_introduction() {
    let v = vault();
    for i in 1..=2 {
        v.note(
            &format!("people/sam{i}.md"),
            "---\nname: Sam\nneeds: [knitting lessons for beginners]\n---\n",
        );
    }
    v.kith(["intros", "--all", "--as-of", AS_OF])
        .ok()
        .stdout_has("people/sam1.md")
        .stdout_has("people/sam2.md");
    v.kith(["intros", "dismiss", "sam1", "Dee"]).ok();
    v.kith(["intros", "--all", "--as-of", AS_OF])
        .ok()
        .stdout_lacks("people/sam1.md")
        .stdout_has("people/sam2.md");
    let kept = v.read(".kith/intros.yaml");
    assert!(kept.contains("\"people/sam1\", \"Dee\""), "{kept}");
    // A name nobody else has is still written as the name, and a list
    // written by hand with names keeps working.
    v.kith(["intros", "dismiss", "sam2", "Dee"]).ok();
    v.kith(["intros", "--all", "--as-of", AS_OF])
        .ok()
        .stdout_lacks("people/sam2.md");
}

/// Finding (fixed): the two-per-person rule of `kith intros` and the
/// digest counted names, so three people called Sam shared two places:
/// the third Sam's introduction was never shown without `--all`.
#[test]
fn namesakes_each_have_their_own_two_introductions() {
    let v = vault();
    for (i, need) in [
        "knitting lessons for beginners",
        "hiring a senior Rust engineer",
        "a tax advisor",
    ]
    .iter()
    .enumerate()
    {
        v.note(
            &format!("people/sam{}.md", i + 1),
            &format!("---\nname: Sam\nneeds: [{need}]\n---\n"),
        );
    }
    v.note(
        "people/gus.md",
        "---\nname: Gus\noffers: [tax advice]\n---\n",
    );
    for _ in 0..2 {
        let shown = v.kith(["intros", "--as-of", AS_OF]).ok().stdout.clone();
        for s in ["sam1.md", "sam2.md", "sam3.md"] {
            assert!(shown.contains(s), "intros lacks {s}:\n{shown}");
        }
    }
}
