//! Attacks on the fast core of issue 12: the mimalloc allocator (which
//! overcommits, so a length read from a damaged cache file is no longer
//! refused by the allocator at once), an entry's tags read by stepping over
//! its links, and the digest bringing the search index level on a second
//! thread. Whatever is found in `.kith/cache/`, a command answers as a
//! fresh run would, says once what it rebuilt, and never aborts, hangs or
//! fills memory.

use crate::support::{TestVault, kith_command, mkfifo, run_bounded};
use std::process::Command;
use std::time::Duration;

const HANG: Duration = Duration::from_secs(60);
const AS_OF: &str = "2026-11-22";

fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "aliases: [Annie]\nneeds: [a designer for the shop]\ncadence: 30d\ntags: [design]",
        "## Log\n### 2026-01-02 coffee\nTalked to [[Bob Ray]] about the shop. #work #design\n",
    )
    .person(
        "bob",
        "Bob Ray",
        "offers: [design work for a shop]\ncadence: 60d\ntags: [design]",
        "## Log\n### 2026-02-01 lunch\nMet [[Annie]]. #lunch\n",
    )
    .person(
        "cy",
        "Cy Tam",
        "needs: [a lawyer]\ntags: [law]",
        "## Log\n### 2026-03-01 call\n[[Dee Fox|Dee]] knows one. #law\n",
    )
    .person("dee", "Dee Fox", "offers: [legal advice]\ntags: [law]", "");
    v
}

/// `kith ARGS` run to its end (a hang fails the test), its address space
/// capped at `limit` bytes when given: a run that reserves a cache file's
/// claimed length then fails at once (an abort: the old behaviour) instead
/// of filling the machine's memory from a sparse file.
fn kith_limited(v: &TestVault, args: &[&str], limit: Option<u64>) -> (i32, String, String) {
    let mut cmd: Command = kith_command(v, args);
    if let Some(limit) = limit {
        crate::support::limit_memory(&mut cmd, limit);
    }
    let r = run_bounded(cmd, &args.join(" "), HANG);
    (r.code, r.stdout, r.stderr)
}

fn ok(v: &TestVault, args: &[&str], limit: Option<u64>) -> (String, String) {
    let (code, out, err) = kith_limited(v, args, limit);
    assert_eq!(code, 0, "kith {args:?} exited {code}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("memory allocation"),
        "kith {args:?}: {err}"
    );
    (out, err)
}

/// Four GiB of address space: plenty for this vault, far from 100 GiB.
const AS_LIMIT: u64 = 4 << 30;

/// Runs every command that reads the caches, so each of them is written.
fn warm(v: &TestVault) -> Vec<String> {
    [
        &["digest", "--as-of", AS_OF, "--json"][..],
        &["intros", "--json"],
        &["search", "shop"],
        &["show", "Ann", "--json"],
    ]
    .iter()
    .map(|a| ok(v, a, None).0)
    .collect()
}

fn grow(v: &TestVault, rel: &str, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(v.path(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .set_len(len)
        .unwrap();
}

/// A cache file grown in place to 100 GiB (a sparse `truncate -s 100G`):
/// it was read whole. With mimalloc the 100 GiB are reserved without a
/// word and the read fills memory with the file's zeros, half a GB a
/// second, until the kernel kills kith (measured: a digest at 4 GB and
/// growing after 5 s); under a memory limit, an abort with a backtrace.
/// Now the header's length is compared with the file's first, and nothing
/// larger than a quarter of the machine's memory is read whole.
#[test]
fn a_cache_file_grown_to_100_gib_is_refused_from_its_header() {
    for (file, what) in [
        (".kith/cache/model.bin", "note cache"),
        (".kith/cache/digest.bin", "digest cache"),
        (".kith/cache/answers.bin", "answers"),
        (".kith/cache/introfacts.bin", "facts"),
        (".kith/cache/intros.bin", "introductions"),
    ] {
        let v = vault();
        let fresh = warm(&v);
        grow(&v, file, 100 << 30);
        // A change, so the digest and the introductions read every cache.
        v.edit("people/dee.md", |s| s + "\n### 2026-04-01 tea\nfine\n");
        let (digest, err1) = ok(&v, &["digest", "--as-of", AS_OF, "--json"], Some(AS_LIMIT));
        let (intros, err2) = ok(&v, &["intros", "--json"], Some(AS_LIMIT));
        // Said once, of that cache; or nothing, when its header alone
        // showed it was of another generation (the digest's, after the edit).
        let said = format!("{err1}{err2}");
        let rebuilt: Vec<&str> = said.lines().filter(|l| l.contains("rebuilt")).collect();
        assert!(
            rebuilt.len() <= 1 && rebuilt.iter().all(|l| l.contains(what)),
            "{file}: {said}"
        );
        // As a run with no cache at all.
        std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
        assert_eq!(
            digest,
            ok(&v, &["digest", "--as-of", AS_OF, "--json"], None).0
        );
        assert_eq!(intros, ok(&v, &["intros", "--json"], None).0);
        drop(fresh);
    }
}

/// A digest cache file whose header claims 3 GiB, and is that long (sparse):
/// the header agrees with the file, so only the read can refuse it. Under a
/// 2 GiB address-space limit the reservation failed and aborted kith
/// ("memory allocation of 3221225508 bytes failed", SIGABRT, a backtrace);
/// now it is a read error, and the digest is rebuilt, saying so once.
#[test]
fn a_digest_cache_claiming_3_gib_under_a_memory_limit_is_rebuilt() {
    let v = vault();
    let fresh = warm(&v);
    let p = v.path(".kith/cache/digest.bin");
    let mut b = std::fs::read(&p).unwrap();
    let claimed: u64 = 3 << 30;
    b.truncate(28);
    b.extend_from_slice(&claimed.to_le_bytes());
    std::fs::write(&p, &b).unwrap();
    grow(&v, ".kith/cache/digest.bin", 36 + claimed);
    let (out, err) = ok(&v, &["digest", "--as-of", AS_OF, "--json"], Some(2 << 30));
    assert_eq!(out, fresh[0]);
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("rebuilt the digest cache"))
            .count(),
        1,
        "{err}"
    );
}

/// The files in the index folder that tantivy or kith reads whole, or
/// opens to write (its locks).
const INDEX_FILES: [&str; 6] = [
    "meta.json",
    ".managed.json",
    ".tantivy-meta.lock",
    ".tantivy-writer.lock",
    "kith-build",
    "kith-schema-version",
];

/// A FIFO in the search index's folder, in place of a file tantivy or kith
/// reads or opens: every search, and every digest after an edit (which now
/// brings the index level on a second thread, and waits for it), blocked
/// forever on it. Now the index is rebuilt, saying so once, and both answer.
#[test]
fn a_fifo_in_the_index_folder_hangs_neither_digest_nor_search() {
    for name in INDEX_FILES {
        let v = vault();
        warm(&v);
        let p = v.path(&format!(".kith/cache/index/{name}"));
        let _ = std::fs::remove_file(&p);
        mkfifo(&p);
        v.edit("people/dee.md", |s| s + "\n### 2026-04-01 tea\nzanzibar\n");
        let (_, err) = ok(&v, &["digest", "--as-of", AS_OF], None);
        let (out, err2) = ok(&v, &["search", "zanzibar"], None);
        assert!(out.contains("Dee Fox"), "{name}: {out}");
        let said = format!("{err}{err2}");
        assert!(
            said.lines().filter(|l| l.contains("rebuilt")).count() <= 1,
            "{name}: {said}"
        );
        let (out, err) = ok(&v, &["search", "zanzibar"], None);
        assert!(out.contains("Dee Fox") && err.is_empty(), "{name}: {err}");
    }
}

/// A file of the index folder grown in place to 100 GiB: `meta.json` and
/// the stamp file (mapped with every page read in) were read whole: a
/// search ran for minutes at 5 GB of memory. Now refused at once.
#[test]
fn an_index_file_grown_to_100_gib_is_not_read_whole() {
    for name in ["meta.json", ".managed.json", "kith-stamps", "kith-build"] {
        let v = vault();
        warm(&v);
        grow(&v, &format!(".kith/cache/index/{name}"), 100 << 30);
        v.edit("people/dee.md", |s| s + "\n### 2026-04-01 tea\nzanzibar\n");
        // The stamp file is mapped, not allocated: a limit on the address
        // space would refuse its mapping; it is the time that runs away.
        let limit = (name != "kith-stamps").then_some(AS_LIMIT);
        let (out, _) = ok(&v, &["search", "zanzibar"], limit);
        assert!(out.contains("Dee Fox"), "{name}: {out}");
        let (out, err) = ok(&v, &["search", "zanzibar"], limit);
        assert!(out.contains("Dee Fox") && err.is_empty(), "{name}: {err}");
    }
}

/// An entry's tags are found by stepping over its links by their stored
/// lengths: every rule that reads tags (#gave, #received, #met, the
/// introductions' states) must answer from the cached model exactly as
/// from a fresh parse, whatever the links hold (odd bytes, multibyte
/// names, empty text, `[[a|b]]`, `[[a#h]]`, a `#` inside a link, thousands
/// of links before the tags, tags alone, links alone).
#[test]
fn tags_read_from_the_cache_are_the_fresh_parse_s() {
    let v = vault();
    let many: String = (0..3000).map(|i| format!("[[P{i}]] ")).collect();
    v.edit("people/ann.md", |s| {
        s + &format!(
            "### 2026-11-01 help\n{many}[[Bob Ray]] #received\n\
             ### 2026-11-02 odd\n[[a|b]] [[Bob Ray#h]] [[]] [[Zoë Ünïcode]] [[日本 名前]] #gave #met\n\
             ### 2026-11-03 tags only\n#asked #intro-done #日本\n\
             ### 2026-11-04 links only\n[[Bob Ray]] [[Cy Tam|Cy]]\n\
             ### 2026-11-05 inside\n[[Bob #gave Ray]] [[x#gave]] then #real\n\
             ### 2026-11-06 weird\n[[\u{1}odd\u{7f}]] [[a]]]] [[[b]] #t\u{e9}st\n"
        )
    });
    v.edit("people/bob.md", |s| {
        s + "### 2026-11-07 got\n[[日本 名前]] [[Annie]] #received\n"
    });
    let cmds: [&[&str]; 5] = [
        &["give", "--as-of", AS_OF],
        &["digest", "--as-of", AS_OF, "--json"],
        &["intros", "--json", "--as-of", AS_OF],
        &["search", "received"],
        &["export", "ics"],
    ];
    let all = |v: &TestVault| -> Vec<String> { cmds.iter().map(|a| ok(v, a, None).0).collect() };
    let fresh = all(&v);
    // Read again from the caches, then from the note model alone.
    assert_eq!(all(&v), fresh);
    for f in ["digest.bin", "intros.bin", "answers.bin", "introfacts.bin"] {
        let _ = std::fs::remove_file(v.path(&format!(".kith/cache/{f}")));
    }
    assert_eq!(all(&v), fresh);
    assert!(fresh[0].contains("Bob Ray"), "{}", fresh[0]);
}

/// `kith`'s checksum of the note directory (`store::body_sum`), rebuilt
/// here so a test can write a crafted directory that passes it.
fn body_sum(body: &[u8]) -> u64 {
    fn content_hash(b: &[u8]) -> u64 {
        use std::hash::Hasher;
        let mut h = std::hash::DefaultHasher::new();
        h.write(b);
        h.finish().max(1)
    }
    fn wide_hash(bytes: &[u8]) -> u64 {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap());
        let mut h = [bytes.len() as u64, 1, 2, 3];
        let mut chunks = bytes.chunks_exact(32);
        for c in &mut chunks {
            for (l, h) in h.iter_mut().enumerate() {
                *h = (h.rotate_left(5) ^ word(&c[8 * l..8 * l + 8])).wrapping_mul(K);
            }
        }
        let mut tail = Vec::new();
        for l in h {
            tail.extend_from_slice(&l.to_le_bytes());
        }
        tail.extend_from_slice(chunks.remainder());
        content_hash(&tail)
    }
    let sums: Vec<u8> = body
        .chunks(1 << 20)
        .flat_map(|c| wide_hash(c).to_le_bytes())
        .collect();
    content_hash(&sums)
}

/// Rewrites `model.bin` so every note's record claims `len` bytes, one
/// after the other in the records file, with a checksum that passes.
fn craft_record_lengths(v: &TestVault, len: u32) {
    let p = v.path(".kith/cache/model.bin");
    let mut b = std::fs::read(&p).unwrap();
    assert_eq!(&b[..8], b"KITHMDL\n");
    let vlen = b[12] as usize;
    let sum_at = 13 + vlen + 8 + 8 + 8;
    let body_at = sum_at + 8;
    let n = u64::from_le_bytes(b[body_at..body_at + 8].try_into().unwrap()) as usize;
    assert!(n > 0);
    for i in 0..n {
        let row = body_at + 40 + 80 * i;
        let at = i as u64 * u64::from(len);
        b[row + 40..row + 48].copy_from_slice(&at.to_le_bytes());
        b[row + 56..row + 60].copy_from_slice(&len.to_le_bytes());
    }
    let sum = body_sum(&b[body_at..]);
    b[sum_at..body_at].copy_from_slice(&sum.to_le_bytes());
    std::fs::write(&p, &b).unwrap();
}

/// A note directory (checksum and all) whose records claim 4 GiB each,
/// one after the other. Not a finding: every path that decodes records
/// first checks the last one ends inside the records file (`read_all`), so
/// nothing is allocated at the claimed lengths and the note cache is
/// rebuilt. Kept as a guard: a decoding path that allocated a record, or a
/// chunk's span, at its claimed length would reserve 4 GiB to 8 TiB (under
/// the 16 TiB the allocator calls impossible), which mimalloc grants and
/// the zero-filling turns into an OOM kill; under this test's 4 GiB limit,
/// an abort.
#[test]
fn a_note_directory_claiming_4_gib_records_is_refused_before_allocating() {
    for args in [
        &["digest", "--as-of", AS_OF, "--json"][..],
        &["show", "Ann", "--json"],
        &["intros", "--json"],
    ] {
        let v = vault();
        let fresh = ok(&v, args, None).0;
        ok(&v, &["digest", "--as-of", AS_OF], None);
        craft_record_lengths(&v, 0xFFFF_0000);
        // A change elsewhere: the other notes come from their records.
        v.note("notes/other.md", "# other\nnothing\n");
        let (out, err) = ok(&v, args, Some(AS_LIMIT));
        assert_eq!(out, fresh, "{args:?}");
        assert_eq!(
            err.lines()
                .filter(|l| l.contains("rebuilt the note cache"))
                .count(),
            1,
            "{args:?}: {err}"
        );
    }
}
