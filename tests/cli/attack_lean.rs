//! Attacks on the lean introductions (`Ranked`, `intros.bin` format 5) and
//! the matcher's carried answers: a crafted `intros.bin` whose indexes point
//! past its own tables must be refused with one line, never a panic.

use crate::support::TestVault;
use serde::{Deserialize, Serialize};
use std::hash::Hasher;
use std::path::PathBuf;

const AS_OF: &str = "2026-11-20";
const HEADER: usize = 8 + 4 + 8 + 8 + 8;

/// The stored shape of `Ranked` (src/digest/intros.rs), field for field.
#[derive(Serialize, Deserialize, Debug)]
struct RankedM {
    people: Vec<(String, PathBuf)>,
    strings: Vec<String>,
    cands: Vec<RecM>,
    reasons: Vec<(u32, u32)>,
    planned: Vec<u32>,
}

#[derive(Serialize, Deserialize, Debug)]
struct RecM {
    a: u32,
    b: u32,
    score: f64,
    reasons_end: u32,
    planned_end: u32,
    need: Option<(u32, u32)>,
}

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
        "offers: [tax advice for startups]\ncircle: active",
        "\nNumbers.\n",
    );
    v.person(
        "cleo",
        "Cleo Park",
        "offers: [tax filing]\ncircle: active",
        "\nKind.\n",
    );
    v.person(
        "bo",
        "Bo Ray",
        "needs: [kayak lessons]\ncircle: active",
        "\nPaddles.\n",
    );
    v.person(
        "dan",
        "Dan Ode",
        "offers: [kayak lessons]\ncircle: active",
        "\nWet.\n",
    );
    v
}

/// The same checksum as `src/digest/cached.rs` (Fx over 64 KiB blocks and
/// the length): a crafted file passes it, as a hostile one would.
fn checksum(payload: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for block in payload.chunks(64 * 1024) {
        h.write(block);
    }
    h.write_usize(payload.len());
    h.finish()
}

/// Rewrites the vault's `intros.bin` with `f` applied to its candidates,
/// keeping its header (format, generation) and a valid checksum.
fn craft(v: &TestVault, f: impl FnOnce(&mut RankedM)) {
    let path = v.path(".kith/cache/intros.bin");
    let bytes = std::fs::read(&path).unwrap();
    let (mut r, rest) = postcard::take_from_bytes::<RankedM>(&bytes[HEADER..]).unwrap();
    assert!(r.cands.len() >= 2, "the vault has candidates: {r:?}");
    f(&mut r);
    let mut payload = postcard::to_stdvec(&r).unwrap();
    payload.extend_from_slice(rest);
    let mut out = bytes[..20].to_vec();
    out.extend_from_slice(&checksum(&payload).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    std::fs::write(&path, out).unwrap();
}

/// Each crafted file: every reader of `intros.bin` answers as from scratch,
/// saying once that it rebuilt the file, and never panics.
fn refused(what: &str, f: fn(&mut RankedM)) {
    let v = vault();
    let cmds: [&[&str]; 4] = [
        &["intros", "--all", "--as-of", AS_OF],
        &["intros", "--json", "--as-of", AS_OF],
        &["intros", "--for", "people/ann.md", "--as-of", AS_OF],
        &["digest", "--all", "--json", "--as-of", AS_OF],
    ];
    for args in cmds {
        let fresh = v.kith(args).ok().stdout;
        // A second run reads intros.bin as written.
        assert_eq!(v.kith(args).ok().stdout, fresh, "{what}: {args:?} warm");
        craft(&v, f);
        let run = v.kith(args).run();
        assert!(
            !run.stderr.contains("panicked"),
            "{what}: {args:?} panicked:\n{}",
            run.stderr
        );
        assert_eq!(run.stdout, fresh, "{what}: {args:?} after the crafted file");
        // The digest keeps its own file and may not read intros.bin.
        let want = usize::from(args[0] == "intros");
        assert_eq!(
            run.stderr.lines().filter(|l| l.contains("damaged")).count(),
            want,
            "{what}: {args:?} says once that it rebuilt:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_reasons_end_past_the_table_is_refused() {
    refused("reasons_end past the end", |r| {
        r.cands[0].reasons_end = 1_000_000
    });
}

#[test]
fn reasons_ends_that_go_backwards_are_refused() {
    refused("reasons_end going back", |r| {
        let n = r.cands.len();
        r.cands[n - 1].reasons_end = 0;
        r.cands[0].reasons_end = r.reasons.len() as u32;
    });
}

#[test]
fn a_planned_end_past_the_table_is_refused() {
    refused("planned_end past the end", |r| {
        r.cands[0].planned_end = u32::MAX
    });
}

#[test]
fn people_and_strings_out_of_range_are_refused() {
    refused("people/strings out of range", |r| {
        r.cands[0].a = u32::MAX;
        r.cands[0].need = Some((u32::MAX - 1, 7_000_000));
        r.reasons.iter_mut().for_each(|x| x.0 = 99_999);
    });
}

/// The stored shape of `answers.rs`'s `Stored`, field for field.
#[derive(Serialize, Deserialize, Debug)]
struct StoredM {
    sums: Vec<(u64, u64, u64)>,
    key: u64,
    base: u64,
    table: Option<TableM>,
    meets: Vec<(String, Option<usize>, usize, Vec<NeedMatchM>)>,
    need_keys: Vec<(String, Vec<String>)>,
    scores: Vec<(String, u64, u64, Option<NeedMatchM>)>,
    quoted: Vec<(usize, usize, FieldM)>,
}

#[derive(Serialize, Deserialize, Debug)]
struct TableM {
    n: usize,
    stems: Vec<String>,
    dfs: Vec<usize>,
    concepts: Vec<usize>,
    offered: Vec<usize>,
    marks: Vec<u64>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct NeedMatchM {
    profile: usize,
    coverage: f64,
    covered: Vec<CoveredM>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct CoveredM {
    word: String,
    field: usize,
    concept: Option<(String, String)>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
enum KindM {
    Offer,
    Role,
    Org,
    Tag,
    Interest,
    Prose,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct FieldM {
    kind: KindM,
    text: String,
}

/// Rewrites the vault's `answers.bin` with `f` applied, keeping its header
/// and a valid checksum.
fn craft_answers(v: &TestVault, f: impl FnOnce(&mut StoredM)) {
    let path = v.path(".kith/cache/answers.bin");
    let bytes = std::fs::read(&path).unwrap();
    let mut s: StoredM = postcard::from_bytes(&bytes[HEADER..]).unwrap();
    f(&mut s);
    let payload = postcard::to_stdvec(&s).unwrap();
    let mut out = bytes[..20].to_vec();
    out.extend_from_slice(&checksum(&payload).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    std::fs::write(&path, out).unwrap();
}

/// A crafted `answers.bin`, then an offer edit (a word no need holds, so
/// that the kept answers would be carried): never a panic, and the output
/// is the one from scratch.
fn answers_refused(what: &str, f: fn(&mut StoredM)) {
    let v = vault();
    let args = ["intros", "--all", "--json", "--as-of", AS_OF];
    v.kith(args).ok();
    craft_answers(&v, f);
    v.edit("people/cleo.md", |s| {
        s.replace("offers: [tax filing]", "offers: [tax filing, pottery]")
    });
    let run = v.kith(args).run();
    assert!(
        !run.stderr.contains("panicked"),
        "{what}: panicked:\n{}",
        run.stderr
    );
    std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
    let fresh = v.kith(args).ok().stdout;
    assert_eq!(run.stdout, fresh, "{what}: after the crafted answers.bin");
}

#[test]
fn a_crafted_answers_table_is_never_a_panic() {
    answers_refused("dfs shorter than stems", |s| {
        if let Some(t) = s.table.as_mut() {
            t.dfs.clear();
            t.offered.clear();
        }
    });
    answers_refused("unsorted stems", |s| {
        if let Some(t) = s.table.as_mut() {
            t.stems.reverse();
        }
    });
    answers_refused("marks of another count", |s| {
        if let Some(t) = s.table.as_mut() {
            t.marks.push(1);
        }
    });
    answers_refused("a table of a huge count", |s| {
        if let Some(t) = s.table.as_mut() {
            t.n = usize::MAX;
        }
    });
    answers_refused("no table", |s| s.table = None);
}

#[test]
fn crafted_answers_naming_nobody_are_never_a_panic() {
    answers_refused("a meet naming a person past the end", |s| {
        for m in &mut s.meets {
            for nm in &mut m.3 {
                nm.profile = usize::MAX;
            }
        }
    });
    answers_refused("a reason quoting a field past the end", |s| {
        for m in &mut s.meets {
            for nm in &mut m.3 {
                for c in &mut nm.covered {
                    c.field = usize::MAX;
                }
            }
        }
    });
    answers_refused("a score naming a person past the end", |s| {
        for x in &mut s.scores {
            if let Some(nm) = x.3.as_mut() {
                nm.profile = usize::MAX;
                nm.covered.iter_mut().for_each(|c| c.field = usize::MAX);
            }
        }
    });
}
