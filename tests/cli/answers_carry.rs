//! The matcher's kept answers carried across an edit of someone's matcher
//! fields (`src/digest/answers.rs`): after an offer is added or moved, the
//! answers are derived from the kept ones without building the index when
//! the needs' weights cannot have moved, and every output is the one of a
//! run from scratch.

use crate::support::TestVault;

/// (what, the edit of the note's text, whether the answers are carried).
type Edit = (&'static str, fn(String) -> String, bool);

const AS_OF: &str = "2026-11-20";

/// Ann needs tax advice; several people could give it, from fields of
/// different weights; twenty others offer things nobody needs (so that the
/// need's words are rare enough to count).
fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "needs: [tax advice for our startup]\ncircle: active",
        "\nFounder.\n",
    );
    v.person(
        "finn",
        "Finn Ek",
        "offers: [tax advice for startups]\nrole: Accountant\ncircle: active",
        "\nNumbers.\n",
    );
    v.person(
        "bob",
        "Bob Ray",
        "offers: [bouldering partners]\ncircle: active",
        "\nHe once gave tax advice to friends.\n",
    );
    v.person(
        "cleo",
        "Cleo Park",
        "offers: [tax filing]\ncircle: active",
        "\nKind.\n",
    );
    v.person(
        "dan",
        "Dan Ode",
        "role: Tax lawyer\ncircle: active",
        "\nCareful.\n",
    );
    let hobbies = [
        "gardening",
        "pottery",
        "chess",
        "violin",
        "sailing",
        "cycling",
        "baking",
        "knitting",
        "climbing",
        "rowing",
    ];
    for i in 0..20 {
        v.person(
            &format!("p{i}"),
            &format!("Person {i}"),
            &format!(
                "offers: [{} lessons]\ncircle: active",
                hobbies[i % hobbies.len()]
            ),
            "\nHello.\n",
        );
    }
    v
}

/// `args` with the caches as they are (the trace's stderr too), and again
/// from scratch (`.kith/cache` moved aside, then put back).
fn cached_and_fresh(v: &TestVault, args: &[&str]) -> (String, String, String) {
    let cached = v.kith(args).env("KITH_TRACE", "1").ok();
    let cache = v.path(".kith/cache");
    let aside = v.path(".kith/cache.aside");
    std::fs::rename(&cache, &aside).unwrap();
    let fresh = v.kith(args).ok();
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::rename(&aside, &cache).unwrap();
    (cached.stdout, fresh.stdout, cached.stderr)
}

/// The trace's word on the matcher's kept answers.
fn said(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.contains("matcher answers:"))
        .unwrap_or("")
}

#[test]
fn after_an_offer_edit_the_carried_answers_are_those_of_a_fresh_index() {
    let v = vault();
    let intros = ["intros", "--all", "--json", "--as-of", AS_OF];
    let digest = ["digest", "--all", "--json", "--as-of", AS_OF];
    v.kith(intros).ok();
    let before = v.kith(intros).ok().stdout;
    // (edit, whether it leaves every need's weights as they were)
    let edits: [Edit; 4] = [
        // Bob's words of the need were prose: in an offer they count more,
        // so he ranks higher, and the index is not needed to say so.
        (
            "bob offers tax advice",
            |s| s.replacen("offers: [", "offers: [tax advice, ", 1),
            true,
        ),
        // A word no need holds.
        (
            "a bench offer",
            |s| s.replacen("offers: [", "offers: [bench offer, ", 1),
            true,
        ),
        // Finn's offer moves to the end: the field his match quotes moves.
        (
            "finn's offer moved",
            |s| {
                s.replace("offers: [tax advice for startups]", "offers: [bench]")
                    .replace(
                        "role: Accountant",
                        "role: Accountant\ntags: [tax advice for startups]",
                    )
            },
            true,
        ),
        // Cleo gains a word of the need: its weight moves, the index is built.
        (
            "cleo offers advice",
            |s| s.replacen("offers: [tax filing]", "offers: [tax filing advice]", 1),
            false,
        ),
    ];
    let notes = ["bob", "p3", "finn", "cleo"];
    for ((what, edit, carried), slug) in edits.into_iter().zip(notes) {
        v.edit(&format!("people/{slug}.md"), edit);
        let (cached, fresh, stderr) = cached_and_fresh(&v, &intros);
        assert_eq!(cached, fresh, "{what}: intros --all --json");
        let trace = said(&stderr);
        assert_eq!(
            trace.contains("carried to 1 changed people"),
            carried,
            "{what}: {trace}"
        );
        assert_eq!(
            stderr.contains("matcher built"),
            !carried,
            "{what}: {stderr}"
        );
        let (cached, fresh, _) = cached_and_fresh(&v, &digest);
        assert_eq!(cached, fresh, "{what}: digest --all --json");
        let (cached, fresh, _) =
            cached_and_fresh(&v, &["intros", "--for", "ann", "--as-of", AS_OF]);
        assert_eq!(cached, fresh, "{what}: intros --for ann");
    }
    // The edits did move the answer: Bob's rank is not what it was.
    let after = v.kith(intros).ok().stdout;
    assert_ne!(before, after);
}

/// A resource added is scored against every need at the kept rarity: no
/// index is built, and the shares are those of a run from scratch.
#[test]
fn a_resource_added_is_scored_without_the_index() {
    let v = vault();
    let intros = ["intros", "--all", "--json", "--as-of", AS_OF];
    v.kith(intros).ok();
    v.note(
        "resources/tax-guide.md",
        "---\ntitle: Tax advice for startups\ntags: [tax]\n---\n\nA guide to startup tax advice.\n",
    );
    let (cached, fresh, stderr) = cached_and_fresh(&v, &intros);
    assert_eq!(cached, fresh);
    assert!(!stderr.contains("matcher built"), "{stderr}");
    let digest = ["digest", "--all", "--json", "--as-of", AS_OF];
    let (cached, fresh, _) = cached_and_fresh(&v, &digest);
    assert_eq!(cached, fresh);
    // Shared with Ann, whose need it meets.
    assert!(fresh.contains("tax-guide.md"), "{fresh}");
}
