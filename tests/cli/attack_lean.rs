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
