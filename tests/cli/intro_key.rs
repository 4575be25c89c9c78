//! The introductions key (`src/digest/introfacts.rs`): the introductions
//! are kept under what they read of each note, not under whole notes. An
//! edit they do not read (a log entry linking nobody, a blank line) keeps
//! them, read back from the digest's own pick; an edit of every class they
//! do read moves the key, and the answers equal a run from scratch.

use crate::support::TestVault;

const AS_OF: &str = "2026-11-22";
/// A second date: a resource added in between is shared only then.
const LATER: &str = "2026-11-30";

fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "location: Berlin\norg: Acme\ncadence: 30d\nlast_contact: 2026-09-01\nneeds: [hiring a senior Rust engineer]",
        "",
    );
    v.person(
        "cy",
        "Cy",
        "location: Berlin\noffers: [senior Rust engineer open to new roles]",
        "",
    );
    v.person("eve", "Eve", "needs: [knitting lessons for beginners]", "");
    v.person("dee", "Dee", "offers: [knitting lessons]", "");
    v.person(
        "fay",
        "Fay",
        "cadence: 14d\nlast_contact: 2026-10-01\ninterests: [falconry]\nneeds: [a tax advisor]",
        "Fay flies hawks.\n\n## Log\n\n### 2026-10-01 · call\n\nTalked about hawks.\n",
    );
    v.person(
        "gus",
        "Gus",
        "interests: [falconry]\noffers: [tax advice]",
        "",
    );
    v.person("hal", "Hal", "interests: [chess]", "");
    v.note(
        "resources/guide.md",
        "---\ntype: resource\ntitle: Knitting for beginners\ntags: [knitting]\n---\nA guide to knitting lessons.\n",
    );
    v.note(
        "resources/later.md",
        "---\ntype: resource\ntitle: Hiring Rust engineers\nadded: 2026-11-25\n---\nHow to hire a senior Rust engineer.\n",
    );
    v
}

/// What the introductions say, every way they are shown, and what the
/// trace of the default digest and of `intros --all` said.
struct Seen {
    outputs: Vec<String>,
    digest_trace: String,
    intros_trace: String,
}

fn runs(v: &TestVault) -> Seen {
    let d = v
        .kith(["digest", "--as-of", AS_OF, "--json"])
        .env("KITH_TRACE", "1")
        .ok();
    let i = v
        .kith(["intros", "--all", "--as-of", AS_OF])
        .env("KITH_TRACE", "1")
        .ok();
    let mut outputs = vec![d.stdout.clone(), i.stdout.clone()];
    for args in [
        ["digest", "--as-of", AS_OF, "--all"],
        ["digest", "--as-of", LATER, "--all"],
        ["intros", "--all", "--as-of", LATER],
    ] {
        outputs.push(v.kith(args).ok().stdout.clone());
    }
    // The candidates cache holds one date: today's again, as after a day's
    // use, for the next edit's first runs to find.
    v.kith(["intros", "--all", "--as-of", AS_OF]).ok();
    Seen {
        outputs,
        digest_trace: d.stderr.clone(),
        intros_trace: i.stderr.clone(),
    }
}

fn from_scratch(v: &TestVault) -> Vec<String> {
    std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
    runs(v).outputs
}

/// The introductions kept: the digest read its pick back, `intros` its
/// candidates, each hashing the facts of the one note edited.
fn kept(s: &Seen) -> bool {
    s.digest_trace.contains("introductions pick: hit")
        && s.digest_trace.contains("1 hashed from the notes")
        && s.intros_trace.contains("intros cache: hit")
        && !s.intros_trace.contains("model: decoded")
}

/// The introductions and shares as shown: `intros --all` at both dates,
/// and the digest's (not its reminders, which every log entry changes).
fn said(outputs: &[String]) -> Vec<String> {
    let d: serde_json::Value = serde_json::from_str(&outputs[0]).unwrap();
    vec![
        outputs[1].clone(),
        outputs[4].clone(),
        d["intros"].to_string(),
        d["shares"].to_string(),
    ]
}

fn append(v: &TestVault, rel: &str, text: &str) {
    let t = v.read(rel);
    v.note(rel, &format!("{t}{text}"));
}

/// A log entry that links nobody, written by `kith log`: the introductions
/// are not computed again (the digest reads its own pick of them, `intros`
/// its candidates, without decoding the vault), and every answer equals one
/// from scratch. One that links someone moves the key.
#[test]
fn a_log_entry_linking_nobody_keeps_the_introductions() {
    let v = vault();
    let before = runs(&v);
    v.kith(["log", "Fay", "coffee, talked hawks", "--date", "2026-11-21"])
        .ok();
    assert!(v.read("people/fay.md").contains("coffee, talked hawks"));
    let after = runs(&v);
    assert!(
        kept(&after),
        "digest:\n{}\nintros:\n{}",
        after.digest_trace,
        after.intros_trace
    );
    assert!(
        after.outputs[1].contains("Ann ↔ Cy"),
        "{}",
        after.outputs[1]
    );
    assert_eq!(said(&after.outputs), said(&before.outputs));
    assert_eq!(after.outputs, from_scratch(&v));
    // A blank line at the end: the same.
    append(&v, "people/fay.md", "\n");
    let after = runs(&v);
    assert!(kept(&after), "{}", after.digest_trace);
    assert_eq!(after.outputs, from_scratch(&v));
    // One that links Gus: computed again.
    v.kith(["log", "Fay", "lunch with [[Gus]]", "--date", "2026-11-21"])
        .ok();
    let after = runs(&v);
    assert!(!kept(&after), "{}", after.digest_trace);
    assert!(
        !after.outputs[1].contains("Fay ↔ Gus"),
        "{}",
        after.outputs[1]
    );
    assert_eq!(after.outputs, from_scratch(&v));
}

/// For each class of what the introductions read, an edit of that class
/// changes what they say, and the answers with every cache in place equal
/// those from scratch: leaving the class out of the key would serve the
/// answers of before.
#[test]
fn each_input_of_the_introductions_moves_their_key() {
    let v = vault();
    type Edit = Box<dyn Fn(&TestVault)>;
    // (what, whether the introductions' answers change, the edit); an
    // edit named "… (key moves)" changes nothing they say but what they read.
    let edits: Vec<(&str, bool, Edit)> = vec![
        (
            "a log entry linking nobody",
            false,
            Box::new(|v| {
                append(
                    v,
                    "people/ann.md",
                    "\n## Log\n\n### 2026-11-20 · tea\n\nTalked shop.\n",
                )
            }),
        ),
        (
            "a blank line",
            false,
            Box::new(|v| append(v, "people/eve.md", "\n")),
        ),
        (
            "an offer",
            true,
            Box::new(|v| {
                v.person("dee", "Dee", "offers: [knitting lessons, tax advice]", "");
            }),
        ),
        (
            "a need",
            true,
            Box::new(|v| {
                v.person("eve", "Eve", "needs: [knitting lessons for kids]", "");
            }),
        ),
        (
            "interests",
            true,
            Box::new(|v| {
                v.person("hal", "Hal", "interests: [chess, falconry]", "");
            }),
        ),
        (
            "a log entry linking two people, at the end",
            true,
            Box::new(|v| {
                append(
                    v,
                    "people/dee.md",
                    "\n## Log\n\n### 2026-11-21 · tea\n\nWith [[Eve]] at noon.\n",
                )
            }),
        ),
        (
            "the same link's clause, now a plan",
            true,
            Box::new(|v| {
                v.edit("people/dee.md", |t| {
                    t.replace("With [[Eve]] at noon.", "Will [[Eve]] at noon.")
                });
            }),
        ),
        (
            "an #intro state tag",
            true,
            Box::new(|v| {
                append(
                    v,
                    "people/ann.md",
                    "\n### 2026-11-21 · intro\n\nAsked [[Cy]] #intro/asked\n",
                )
            }),
        ),
        (
            "the state tag gone",
            true,
            Box::new(|v| {
                v.edit("people/ann.md", |t| {
                    t.replace("Asked [[Cy]] #intro/asked", "Should ask [[Cy]] about it")
                });
            }),
        ),
        (
            "a promise linking someone",
            true,
            Box::new(|v| append(v, "people/fay.md", "\n- [ ] ask [[Gus]] about taxes\n")),
        ),
        (
            "the promise done",
            true,
            Box::new(|v| {
                v.edit("people/fay.md", |t| t.replace("- [ ] ask", "- [x] ask"));
            }),
        ),
        (
            "a resource's text",
            true,
            Box::new(|v| {
                v.note(
                    "resources/guide.md",
                    "---\ntype: resource\ntitle: Knitting for beginners\ntags: [knitting]\n---\nA guide to knitting lessons, and to finding a tax advisor.\n",
                );
            }),
        ),
        (
            "prose outside the log",
            true,
            Box::new(|v| {
                v.person(
                    "hal",
                    "Hal",
                    "interests: [chess, falconry]",
                    "Hal knows hiring of senior Rust engineers well.\n",
                );
            }),
        ),
        (
            "a journal note, two entries linking one person each (key moves)",
            false,
            Box::new(|v| {
                v.note(
                    "journal/2026-11-20.md",
                    "## Log\n\n### 2026-11-19 · walk\n\nWith [[Hal]].\n\n### 2026-11-20 · party\n\nWith [[Ann]].\n",
                );
            }),
        ),
        (
            // Every line with a link reads as before: only which entry
            // holds each link tells.
            "the two entries made one",
            true,
            Box::new(|v| {
                v.edit("journal/2026-11-20.md", |t| {
                    t.replace("\n\n### 2026-11-20 · party\n", "\n")
                });
            }),
        ),
        (
            // No link, outside the log: only the promise itself tells.
            "a promise naming a resource",
            true,
            Box::new(|v| {
                append(
                    v,
                    "people/eve.md",
                    "\n- [ ] send her Knitting for beginners\n",
                )
            }),
        ),
        (
            "that promise done",
            true,
            Box::new(|v| {
                v.edit("people/eve.md", |t| {
                    t.replace("- [ ] send her", "- [x] send her")
                });
            }),
        ),
        (
            "a log entry linking an unknown name (key moves)",
            false,
            Box::new(|v| {
                append(
                    v,
                    "people/cy.md",
                    "\n## Log\n\n### 2026-11-21 · lunch\n\nWith [[Annie]] at noon.\n",
                )
            }),
        ),
        (
            "an alias that name now resolves to",
            true,
            Box::new(|v| {
                v.edit("people/ann.md", |t| {
                    t.replace("name: Ann\n", "name: Ann\naliases: [Annie]\n")
                });
            }),
        ),
        (
            "knows:",
            true,
            Box::new(|v| {
                v.person(
                    "gus",
                    "Gus",
                    "interests: [falconry]\noffers: [tax advice]\nknows: [Fay]",
                    "",
                );
            }),
        ),
        (
            "org",
            true,
            Box::new(|v| {
                v.person(
                    "dee",
                    "Dee",
                    "org: Woolworks\noffers: [knitting lessons, tax advice]",
                    "",
                );
                v.person(
                    "eve",
                    "Eve",
                    "org: Woolworks\nneeds: [knitting lessons for kids]",
                    "",
                );
            }),
        ),
        (
            "a rename",
            true,
            Box::new(|v| {
                std::fs::rename(v.path("people/fay.md"), v.path("people/fay-f.md")).unwrap();
            }),
        ),
        (
            "a dismissal",
            true,
            Box::new(|v| {
                v.kith(["intros", "dismiss", "Fay", "Dee"]).ok();
            }),
        ),
    ];
    let mut last = runs(&v).outputs;
    for (what, changes, edit) in &edits {
        edit(&v);
        let cached = runs(&v);
        if !changes && !what.ends_with("(key moves)") {
            assert!(
                kept(&cached),
                "after {what}:\n{}\n{}",
                cached.digest_trace,
                cached.intros_trace
            );
        }
        assert_eq!(
            *changes,
            said(&cached.outputs) != said(&last),
            "whether {what} changes the introductions:\n{}\n{}",
            cached.outputs[1],
            cached.outputs[0]
        );
        let fresh = from_scratch(&v);
        for (k, (c, f)) in cached.outputs.iter().zip(&fresh).enumerate() {
            assert_eq!(c, f, "run {k} after {what}");
        }
        last = fresh;
    }
}

/// The date is part of the key: a resource added between two dates is
/// shared at the later one only, whichever date was asked first.
#[test]
fn the_date_is_part_of_the_key() {
    let v = vault();
    let at = |d: &str| {
        v.kith(["digest", "--as-of", d, "--all"])
            .ok()
            .stdout
            .clone()
    };
    let early = at(AS_OF);
    let late = at(LATER);
    assert!(!early.contains("Hiring Rust engineers"), "{early}");
    assert!(late.contains("Hiring Rust engineers"), "{late}");
    assert_eq!(at(AS_OF), early);
    std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
    assert_eq!(at(LATER), late);
    assert_eq!(at(AS_OF), early);
}

/// A damaged facts file is said once, rebuilt, and the answers stay those
/// from scratch.
#[test]
fn a_damaged_facts_file_is_said_once_and_rebuilt() {
    let v = vault();
    let want = runs(&v).outputs;
    let f = v.path(".kith/cache/introfacts.bin");
    let mut bytes = std::fs::read(&f).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&f, &bytes).unwrap();
    append(&v, "people/eve.md", "\n");
    let r = v.kith(["digest", "--as-of", AS_OF, "--json"]).ok();
    assert_eq!(
        r.stderr
            .matches("rebuilt the introductions' facts cache")
            .count(),
        1,
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, want[0]);
    let again = v.kith(["digest", "--as-of", AS_OF, "--json"]).ok();
    assert!(!again.stderr.contains("rebuilt"), "{}", again.stderr);
    assert_eq!(runs(&v).outputs, want);
}
