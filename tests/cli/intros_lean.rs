//! The introductions in their compact form (`src/digest/intros.rs`,
//! `Ranked`): every candidate kept as numbers into tables of the people and
//! strings, in `intros.bin` too, and only what is shown made whole. What a
//! command reads back from the cache must be what it computes from scratch.

use crate::support::TestVault;

const AS_OF: &str = "2026-11-22";

fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "location: Berlin\nneeds: [hiring a senior Rust engineer, a tax advisor]\ninterests: [falconry]",
        "",
    );
    v.person(
        "cy",
        "Cy",
        "location: Berlin\noffers: [senior Rust engineer open to new roles]",
        "",
    );
    v.person(
        "gus",
        "Gus",
        "interests: [falconry]\noffers: [tax advice]",
        "",
    );
    v.person(
        "fay",
        "Fay",
        "needs: [a tax advisor]\ninterests: [falconry]",
        "Fay flies hawks.\n\n## Log\n\n### 2026-10-01 · call\n\nTalked about hawks.\n\n- [ ] introduce [[Gus]] to [[Cy]]\n",
    );
    // Two people of one name, told apart by their notes.
    v.person("sam-a", "Sam", "needs: [knitting lessons]", "");
    v.person(
        "sam-b",
        "Sam",
        "needs: [knitting lessons]\nlocation: Berlin",
        "",
    );
    v.person(
        "dee",
        "Dee",
        "offers: [knitting lessons]\nlocation: Berlin",
        "",
    );
    v.note(
        "events/meetup.md",
        "---\ntitle: Meetup\ndate: 2026-12-01\nattendees: [\"[[Ann]]\", \"[[Cy]]\", \"[[Dee]]\"]\n---\n",
    );
    v.note(
        "resources/guide.md",
        "---\ntype: resource\ntitle: Knitting for beginners\ntags: [knitting]\n---\nA guide to knitting lessons.\n",
    );
    v
}

/// Every way the introductions are shown, each with its stderr.
fn shown(v: &TestVault) -> Vec<(String, String)> {
    let runs: &[&[&str]] = &[
        &["intros", "--all", "--as-of", AS_OF],
        &["--json", "intros", "--all", "--as-of", AS_OF],
        &["--json", "intros", "--as-of", AS_OF],
        &["intros", "--for", "people/sam-b.md", "--as-of", AS_OF],
        &["intros", "--for", "Ann", "--limit", "1", "--as-of", AS_OF],
        &["give", "--as-of", AS_OF],
        &["brief", "Meetup", "--as-of", AS_OF],
        &["--json", "digest", "--as-of", AS_OF],
    ];
    runs.iter()
        .map(|args| {
            let r = v.kith(args.iter().copied()).env("KITH_TRACE", "1").ok();
            (r.stdout.clone(), r.stderr.clone())
        })
        .collect()
}

/// After a log entry linking someone (the introductions' key moves), the
/// digest computes every candidate again and stores them; `intros` then
/// reads them back without decoding a note, and every answer equals one
/// computed after the cache is deleted.
#[test]
fn candidates_read_back_after_a_linking_entry_equal_a_run_from_scratch() {
    let v = vault();
    shown(&v);
    v.kith(["log", "Fay", "coffee with [[Dee]]", "--date", "2026-11-21"])
        .ok();
    let d = v
        .kith(["digest", "--as-of", AS_OF])
        .env("KITH_TRACE", "1")
        .ok();
    assert!(!d.stderr.contains("intros cache: hit"), "{}", d.stderr);
    let cached = shown(&v);
    assert!(
        cached[0].1.contains("intros cache: hit") && !cached[0].1.contains("model: decoded"),
        "`intros --all` read the candidates back:\n{}",
        cached[0].1
    );
    assert!(cached[0].0.contains("Fay ↔ Gus"), "{}", cached[0].0);
    assert!(cached[3].0.contains("Sam ↔ Dee"), "{}", cached[3].0);
    std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
    let scratch = shown(&v);
    for (k, ((c, _), (s, _))) in cached.iter().zip(&scratch).enumerate() {
        assert_eq!(c, s, "output {k}");
    }
}

/// An `intros.bin` of the format before the compact one is rebuilt once,
/// saying so, and answers as one from scratch.
#[test]
fn an_older_candidates_file_is_rebuilt_once_saying_so() {
    let v = vault();
    let fresh = v.kith(["intros", "--all", "--as-of", AS_OF]).ok();
    let f = v.path(".kith/cache/intros.bin");
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[8..12].copy_from_slice(&4u32.to_le_bytes());
    std::fs::write(&f, &bytes).unwrap();
    let again = v.kith(["intros", "--all", "--as-of", AS_OF]).ok();
    assert_eq!(
        again
            .stderr
            .matches("rebuilt the introductions cache because it has format 4")
            .count(),
        1,
        "{}",
        again.stderr
    );
    assert_eq!(again.stdout, fresh.stdout);
    let third = v.kith(["intros", "--all", "--as-of", AS_OF]).ok();
    assert!(!third.stderr.contains("rebuilt"), "{}", third.stderr);
    assert_eq!(third.stdout, fresh.stdout);
}
