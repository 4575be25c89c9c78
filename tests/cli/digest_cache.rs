//! The digest cache (`.kith/cache/digest.bin`): introductions, shares and
//! help in context reused when nothing changed, recomputed after an edit, a
//! delete, a rename, a config change or a dismissal, rebuilt when damaged.

use crate::support::TestVault;
use serde_json::Value;

const AS_OF: &str = "2026-11-22";

fn digest(v: &TestVault) -> (Value, String) {
    let r = v
        .kith(["digest", "--as-of", AS_OF, "--all", "--json"])
        .env("KITH_TRACE", "1")
        .ok();
    (r.json(), r.stderr.clone())
}

/// Every suggested pair as "A|B" (sorted names), with the note paths.
fn pairs(d: &Value) -> Vec<String> {
    let mut out: Vec<String> = d["intros"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut two = [
                format!(
                    "{} ({})",
                    i["a"].as_str().unwrap(),
                    i["a_path"].as_str().unwrap()
                ),
                format!(
                    "{} ({})",
                    i["b"].as_str().unwrap(),
                    i["b_path"].as_str().unwrap()
                ),
            ];
            two.sort();
            two.join(" | ")
        })
        .collect();
    out.sort();
    out
}

/// The starters of Ann's check-in (help in context among them).
fn ann_help(d: &Value) -> String {
    d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "check_in" && r["name"] == "Ann")
        .map(|r| r["starters"].to_string())
        .unwrap_or_default()
}

const ANN: &str = "Ann (people/ann.md)";
const OFFER: &str = "location: Berlin\noffers: [senior Rust engineer open to new roles]";

fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "location: Berlin\norg: Acme\ncadence: 30d\nlast_contact: 2026-09-01\nneeds: [hiring a senior Rust engineer]",
        "",
    );
    v.person("bo", "Bo", &format!("{OFFER}\norg: Acme"), "");
    v.person("cy", "Cy", OFFER, "");
    v.person("eve", "Eve", "needs: [knitting lessons for beginners]", "");
    v.person("dee", "Dee", "offers: [knitting lessons]", "");
    v
}

/// Runs the digest twice: the first computes (and stores), the second must
/// reuse the cache and say the same. Returns the digest.
fn fresh_then_cached(v: &TestVault) -> Value {
    let (d, err) = digest(v);
    assert!(err.contains("digest cache: miss"), "{err}");
    let (again, err) = digest(v);
    assert!(err.contains("digest cache: hit"), "{err}");
    assert_eq!(d, again, "the cached digest differs from the computed one");
    d
}

#[test]
fn cached_suggestions_follow_every_change_to_what_they_depend_on() {
    let v = vault();
    let d = fresh_then_cached(&v);
    let p = pairs(&d);
    assert!(p.contains(&format!("{ANN} | Cy (people/cy.md)")), "{p:?}");
    assert!(
        p.contains(&"Dee (people/dee.md) | Eve (people/eve.md)".to_string()),
        "{p:?}"
    );
    assert!(!p.iter().any(|x| x.contains("Bo (")), "same org: {p:?}");
    assert!(ann_help(&d).contains("(people/bo.md)"), "{}", ann_help(&d));

    // A config change: the same org no longer makes colleagues.
    v.note(
        ".kith/config.yaml",
        "intros:\n  same_org_connected: false\n",
    );
    let p = pairs(&fresh_then_cached(&v));
    assert!(p.contains(&format!("{ANN} | Bo (people/bo.md)")), "{p:?}");

    // A rename: the suggestion points at the new file.
    std::fs::rename(v.path("people/bo.md"), v.path("people/robert.md")).unwrap();
    let p = pairs(&fresh_then_cached(&v));
    assert!(
        p.contains(&format!("{ANN} | Bo (people/robert.md)")),
        "{p:?}"
    );

    // A dismissal.
    v.kith(["intros", "dismiss", "Ann", "Cy"]).ok();
    let p = pairs(&fresh_then_cached(&v));
    assert!(!p.iter().any(|x| x.contains("Cy (")), "dismissed: {p:?}");

    // An edit: Dee offers something else now.
    v.person("dee", "Dee", "offers: [tax advice]", "");
    let p = pairs(&fresh_then_cached(&v));
    assert!(!p.iter().any(|x| x.contains("Dee (")), "edited: {p:?}");

    // A delete; help in context follows.
    std::fs::remove_file(v.path("people/robert.md")).unwrap();
    let d = fresh_then_cached(&v);
    let p = pairs(&d);
    assert!(!p.iter().any(|x| x.contains("Bo (")), "deleted: {p:?}");
    assert!(!ann_help(&d).contains("Bo"), "{}", ann_help(&d));
}

#[test]
fn a_damaged_cache_is_rebuilt_and_said_so() {
    let v = vault();
    let (want, _) = digest(&v);
    let file = v.path(".kith/cache/digest.bin");
    assert!(file.exists());
    for junk in [&b"garbage"[..], &b"KITHDGS\n\x01\0\0\0"[..]] {
        std::fs::write(&file, junk).unwrap();
        let (d, err) = digest(&v);
        assert!(
            err.contains("kith: rebuilt the digest cache because it is damaged"),
            "{err}"
        );
        assert_eq!(d, want);
        let (_, err) = digest(&v);
        assert!(err.contains("digest cache: hit"), "rewritten: {err}");
    }
    // A flipped byte in the payload: the checksum catches it.
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();
    let (d, err) = digest(&v);
    assert!(err.contains("rebuilt the digest cache"), "{err}");
    assert_eq!(d, want);
}

/// `kith intros` (any `--for`, `--limit`, `--all`) selects from every
/// candidate stored in `.kith/cache/intros.bin`: the same answer as a
/// computed one, and an edit is seen at once.
#[test]
fn intros_answer_from_the_candidates_cache_and_follow_an_edit() {
    let v = vault();
    let intros = |args: &[&str]| {
        let mut all = vec!["intros", "--as-of", AS_OF, "--json"];
        all.extend_from_slice(args);
        let r = v.kith(all).env("KITH_TRACE", "1").ok();
        (r.json(), r.stderr.clone())
    };
    let (all, err) = intros(&["--all"]);
    assert!(err.contains("intros cache: miss"), "{err}");
    for args in [&["--all"][..], &["--for", "Eve"], &["--limit", "1"]] {
        let (got, err) = intros(args);
        assert!(err.contains("intros cache: hit"), "{args:?}: {err}");
        assert!(!err.contains("model: decoded"), "{args:?} decoded: {err}");
        let want: Vec<&Value> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| args != ["--for", "Eve"] || s["a"] == "Eve" || s["b"] == "Eve")
            .take(if args == ["--limit", "1"] {
                1
            } else {
                usize::MAX
            })
            .collect();
        let got: Vec<&Value> = got.as_array().unwrap().iter().collect();
        assert_eq!(got, want, "{args:?}");
    }
    assert!(
        pairs(&serde_json::json!({ "intros": all }))
            .iter()
            .any(|p| p.contains("Dee"))
    );
    v.person("dee", "Dee", "offers: [tax advice]", "");
    let (got, err) = intros(&["--all"]);
    assert!(err.contains("intros cache: miss"), "{err}");
    let p = pairs(&serde_json::json!({ "intros": got }));
    assert!(!p.iter().any(|x| x.contains("Dee (")), "edited: {p:?}");
}

/// A digest answered from the cache still warns about notes with errors,
/// as a computed one does (the cache holds no vault; the model knows which
/// notes have errors and decodes only those).
#[test]
fn a_cached_digest_still_warns_about_broken_notes() {
    let v = vault();
    v.note("people/broken.md", "---\nname: [unclosed\n---\n# Broken\n");
    let warned =
        |err: &str| err.contains("warning: people/broken.md:") && err.contains("kith check");
    let (d, err) = digest(&v);
    assert!(err.contains("digest cache: miss") && warned(&err), "{err}");
    let (again, err) = digest(&v);
    assert!(err.contains("digest cache: hit"), "{err}");
    assert!(warned(&err), "no warning on a hit: {err}");
    assert_eq!(d, again);
}

/// A share without a `url` (or without a promise) is read back from the
/// cache. Before, the stored share kept the JSON shape's
/// `skip_serializing_if`, which postcard cannot read back: every digest with
/// such a share said "rebuilt the digest cache because it is damaged" and
/// computed everything again.
#[test]
fn a_share_without_url_is_read_back_from_the_cache() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "needs: [a guide to structured interviews]",
        "",
    );
    v.note(
        "resources/guide.md",
        "---\ntype: resource\ntitle: Structured interviews guide\ntags: [hiring]\nadded: 2026-11-01\n---\n# Structured interviews guide\nHow to run structured interviews.\n",
    );
    let d = fresh_then_cached(&v);
    let shares = d["shares"].as_array().unwrap();
    assert!(
        shares
            .iter()
            .any(|s| s["url"].is_null() && s["name"] == "Ann"),
        "{shares:?}"
    );
    let (_, err) = digest(&v);
    assert!(!err.contains("rebuilt"), "{err}");
}

/// After each edit (needs, offers, a log entry linking two people, a
/// rename, prose, a resource, a promise, a whitespace-only change, who may
/// be introduced, the lexicon), the digest and `intros --all` answered with
/// every cache in place (the matcher's kept answers among them) are
/// byte-identical to those of a run from scratch (`.kith/cache` removed).
/// An edit that leaves everyone's matcher fields alone is answered without
/// building the matcher's index; one that asks something new builds it.
#[test]
fn after_each_edit_a_cached_run_equals_one_from_scratch() {
    let v = vault();
    v.person(
        "fay",
        "Fay",
        "cadence: 14d\nlast_contact: 2026-10-01\ninterests: [falconry]\nneeds: [a tax advisor]",
        "Fay flies hawks.\n\n## Log\n\n### 2026-10-01 · call\n\nTalked about [[Gus]].\n",
    );
    v.person(
        "gus",
        "Gus",
        "interests: [falconry]\noffers: [tax advice]",
        "",
    );
    v.note(
        "resources/guide.md",
        "---\ntype: resource\ntitle: Knitting for beginners\ntags: [knitting]\n---\nA guide to knitting lessons.\n",
    );
    let built = std::cell::Cell::new(false);
    let runs = |v: &TestVault| {
        let r = v
            .kith(["digest", "--as-of", AS_OF, "--all"])
            .env("KITH_TRACE", "1")
            .ok();
        built.set(r.stderr.contains("matcher built"));
        let d = r.stdout.clone();
        let i = v
            .kith(["intros", "--all", "--as-of", AS_OF])
            .ok()
            .stdout
            .clone();
        let j = v
            .kith(["digest", "--as-of", AS_OF, "--json"])
            .ok()
            .stdout
            .clone();
        (d, i, j)
    };
    let from_scratch = |v: &TestVault| {
        std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
        runs(v)
    };
    let _ = runs(&v);
    type Edit = Box<dyn Fn(&TestVault)>;
    // Whether the cached run must build the matcher's index: `Some(false)`
    // when nobody's fields changed and nothing new is asked.
    let edits: Vec<(&str, Option<bool>, Edit)> = vec![
        (
            "whitespace",
            Some(false),
            Box::new(|v| {
                v.edit("people/bo.md", |t| format!("{t}\n"));
            }),
        ),
        (
            "need",
            None,
            Box::new(|v| {
                v.person(
                    "eve",
                    "Eve",
                    "needs: [knitting lessons for beginners, a tax advisor]",
                    "",
                );
            }),
        ),
        (
            "offer",
            None,
            Box::new(|v| {
                v.person(
                    "cy",
                    "Cy",
                    "location: Berlin\noffers: [hiring help, tax advice]",
                    "",
                );
            }),
        ),
        (
            "log link",
            Some(false),
            Box::new(|v| {
                v.person(
                "ann",
                "Ann",
                "location: Berlin\norg: Acme\ncadence: 30d\nlast_contact: 2026-09-01\nneeds: [hiring a senior Rust engineer]",
                "\n## Log\n\n### 2026-11-20 · dinner\n\nWith [[Cy]] and [[Eve]].\n",
            );
            }),
        ),
        (
            "rename",
            None,
            Box::new(|v| {
                v.person(
                    "dee",
                    "Dee Dee",
                    "offers: [knitting lessons]\naliases: [Dee]",
                    "",
                );
            }),
        ),
        (
            "prose",
            Some(true),
            Box::new(|v| {
                v.person(
                    "gus",
                    "Gus",
                    "interests: [falconry]",
                    "Gus knows hiring of Rust engineers well.\n",
                );
            }),
        ),
        (
            "promise",
            Some(false),
            Box::new(|v| {
                v.person(
                "eve",
                "Eve",
                "needs: [knitting lessons for beginners]",
                "\n## Log\n\n### 2026-11-02 · chat\n\n- [ ] send [[Knitting for beginners]] 📅 2026-11-25\n",
            );
            }),
        ),
        (
            "resource",
            None,
            Box::new(|v| {
                v.note(
                "resources/guide.md",
                "---\ntype: resource\ntitle: Tax basics\ntags: [tax]\n---\nHow to find a tax advisor.\n",
            );
            }),
        ),
        (
            "delete",
            Some(true),
            Box::new(|v| {
                std::fs::remove_file(v.path("people/gus.md")).unwrap();
            }),
        ),
        (
            "a log entry",
            Some(false),
            Box::new(|v| {
                v.edit("people/fay.md", |t| {
                    format!("{t}\n### 2026-11-21 · coffee\n\nTalked hawks and taxes.\n")
                });
            }),
        ),
        (
            "a need changed, fields alone",
            Some(true),
            Box::new(|v| {
                v.edit("people/fay.md", |t| {
                    t.replace("needs: [a tax advisor]", "needs: [knitting lessons]")
                });
            }),
        ),
        (
            "intro_ok: false",
            None,
            Box::new(|v| {
                v.person(
                    "dee",
                    "Dee Dee",
                    "offers: [knitting lessons]\naliases: [Dee]\nintro_ok: false",
                    "",
                );
            }),
        ),
        (
            "dormant",
            None,
            Box::new(|v| {
                v.person(
                    "cy",
                    "Cy",
                    "location: Berlin\noffers: [hiring help, tax advice]\ncircle: dormant",
                    "",
                );
            }),
        ),
        (
            "a new person",
            Some(true),
            Box::new(|v| {
                v.person("hal", "Hal", "offers: [crochet classes]", "");
            }),
        ),
        (
            "the lexicon",
            Some(true),
            Box::new(|v| {
                v.note(".kith/config.yaml", "synonyms:\n  - [knitting, crochet]\n");
            }),
        ),
    ];
    for (what, builds, edit) in &edits {
        edit(&v);
        let cached = runs(&v);
        if let Some(b) = builds {
            assert_eq!(built.get(), *b, "the matcher's index built after {what}");
        }
        let fresh = from_scratch(&v);
        assert_eq!(cached.0, fresh.0, "digest after {what}");
        assert_eq!(cached.1, fresh.1, "intros --all after {what}");
        assert_eq!(cached.2, fresh.2, "digest --json after {what}");
    }
    assert!(
        v.kith(["intros", "--all", "--as-of", AS_OF])
            .ok()
            .stdout
            .contains("knitting ↔ crochet"),
        "the lexicon's new concept makes a match"
    );
}

/// The matcher's kept answers (`.kith/cache/answers.bin`), damaged: said
/// once, computed again (the index built) and rewritten; the next edit that
/// leaves everyone's fields alone answers from them again.
#[test]
fn a_damaged_answers_file_is_said_once_and_rebuilt() {
    let v = vault();
    let (first, err) = digest(&v);
    assert!(err.contains("matcher built"), "{err}");
    let file = v.path(".kith/cache/answers.bin");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let log = |v: &TestVault, day: u32| {
        v.edit("people/cy.md", |t| {
            format!("{t}\n## Log\n\n### 2026-11-{day} · call\n\nCaught up.\n")
        });
    };
    log(&v, 10);
    let (d, err) = digest(&v);
    assert!(err.contains("rebuilt the matcher's answers"), "{err}");
    assert!(err.contains("matcher built"), "{err}");
    assert_eq!(d["intros"], first["intros"]);
    log(&v, 11);
    let (again, err) = digest(&v);
    assert!(!err.contains("rebuilt"), "{err}");
    assert!(!err.contains("matcher built"), "{err}");
    assert_eq!(again["intros"], first["intros"]);
    assert_eq!(ann_help(&again), ann_help(&first));
}
