//! Attack on the digest and introductions after an edit: the matcher's kept
//! answers (`answers.bin`), the links-resolved table, the slimmed digest
//! vault and the digest/intros caches must never make a run with caches
//! answer differently from a run with `.kith/cache` removed.

use crate::support::{TestVault, kith_command, run_bounded};
use std::path::Path;
use std::time::Duration;

/// A small deterministic generator (xorshift64*): the same edits every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len())]
    }
}

const WORDS: &[&str] = &[
    "rust",
    "hiring",
    "designer",
    "mentor",
    "fundraising",
    "tax advice",
    "bouldering",
    "sales role",
    "investor",
    "open to new roles",
    "coaching",
    "robotics",
];

const SLUGS: &[&str] = &["ann", "bob", "cleo", "dan", "eve", "finn"];
const NAMES: &[&str] = &[
    "Ann Lee",
    "Bob Ray",
    "Cleo Park",
    "Dan Ode",
    "Eve Sol",
    "Finn Ek",
];

fn small_vault() -> TestVault {
    let v = TestVault::new();
    v.note(
        ".kith/config.yaml",
        "synonyms:\n  - [hiring, open to new roles]\n  - [mentor, coaching]\n",
    );
    let fronts = [
        "needs: [hiring a rust engineer]\noffers: [bouldering partners]\ntags: [rust]\ninterests: [bouldering, jazz]\ncircle: active\nmet: 2026-09-01\n",
        "offers: [rust engineer open to new roles]\nrole: Engineer\ninterests: [bouldering]\ncircle: close\nbirthday: 1990-11-30\n",
        "needs: [a mentor for new managers]\norg: Acme\ntags: [design]\ncircle: active\nlast_contact: 2026-08-01\n",
        "offers: [coaching new managers]\nrole: Coach\ninterests: [jazz]\ncircle: active\nknows: [\"[[Eve Sol]]\"]\n",
        "needs: [tax advice]\noffers: [intros to investors]\ninterests: [jazz, sailing]\ncircle: acquaintance\n",
        "offers: [tax advice for startups]\nrole: Accountant\ninterests: [sailing]\ncircle: active\n",
    ];
    for (k, slug) in SLUGS.iter().enumerate() {
        v.person(
            slug,
            NAMES[k],
            fronts[k],
            &format!(
                "\nWorks on things.\n\n## Log\n\n### 2026-10-0{} · coffee\n\nTalked with [[{}]].\n\n- [ ] send the guide 📅 2026-11-2{}\n",
                k + 1,
                NAMES[(k + 1) % NAMES.len()],
                k
            ),
        );
    }
    v.note(
        "resources/guide.md",
        "---\ntitle: Hiring guide\ntags: [rust]\n---\n\nHow to hire a rust engineer.\n",
    );
    v.note(
        "events/meetup.md",
        "---\nname: Meetup\ndate: 2026-11-18\nattendees:\n  - \"[[Ann Lee]]\"\n  - \"[[Dan Ode]]\"\n---\n\nNotes.\n",
    );
    v
}

/// Runs `args` on the vault as it is (caches and all) and again with
/// `.kith/cache` moved aside (from scratch), putting the caches back after.
fn cached_and_fresh(v: &TestVault, args: &[&str]) -> ((i32, String), (i32, String)) {
    let run = |args: &[&str]| {
        let b = run_bounded(
            kith_command(v, args),
            &args.join(" "),
            Duration::from_secs(60),
        );
        assert!(
            !b.stderr.contains("panicked"),
            "kith {args:?} panicked:\n{}",
            b.stderr
        );
        (b.code, b.stdout)
    };
    let cached = run(args);
    let cache = v.path(".kith/cache");
    let aside = v.path(".kith/cache.aside");
    let had = cache.exists();
    if had {
        std::fs::rename(&cache, &aside).unwrap();
    }
    let fresh = run(args);
    let _ = std::fs::remove_dir_all(&cache);
    if had {
        std::fs::rename(&aside, &cache).unwrap();
    }
    (cached, fresh)
}

fn edit_front(path: &Path, f: impl FnOnce(&str) -> String) {
    let s = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(&s)).unwrap();
}

/// One random edit of the kinds a user makes between two digests; returns
/// what it did (for the failure message).
fn random_edit(v: &TestVault, rng: &mut Rng, as_of: &mut String) -> String {
    let slug = rng.pick(SLUGS);
    let rel = format!("people/{slug}.md");
    let p = v.path(&rel);
    if !p.exists() && rng.below(2) == 0 {
        let k = SLUGS.iter().position(|s| *s == slug).unwrap();
        v.person(
            slug,
            NAMES[k],
            &format!(
                "offers: [{}]\nneeds: [{}]",
                rng.pick(WORDS),
                rng.pick(WORDS)
            ),
            "\nBack again.\n",
        );
        return format!("recreate {rel}");
    }
    if !p.exists() {
        return format!("nothing ({rel} is gone)");
    }
    let w = format!("{} {}", rng.pick(WORDS), rng.pick(WORDS));
    let other = rng.pick(NAMES);
    match rng.below(18) {
        0 => edit_front(&p, |s| {
            s.replacen("---\n", &format!("---\nneeds: [{w}]\n"), 1)
        }),
        1 => edit_front(&p, |s| s.replacen("needs:", "needz:", 1)),
        2 => edit_front(&p, |s| {
            s.replacen("---\n", &format!("---\noffers: [{w}]\n"), 1)
        }),
        3 => edit_front(&p, |s| format!("{s}She is great at {w}.\n")),
        4 => edit_front(&p, |s| {
            format!(
                "{s}\n### 2026-11-0{} · chat\n\nShe needs {w}.\n",
                rng.below(9) + 1
            )
        }),
        5 => edit_front(&p, |s| format!("{s}- [ ] find {w} 📅 2026-11-25\n")),
        6 => edit_front(&p, |s| format!("{s}\nLooking for {w}\n===\n")),
        7 => edit_front(&p, |s| {
            if s.contains("\r\n") {
                s.replace("\r\n", "\n")
            } else {
                s.replace('\n', "\r\n")
            }
        }),
        8 => edit_front(&p, |s| {
            s.replacen(
                "---\n",
                &format!("---\naliases: [{}]\n", other.split(' ').next().unwrap()),
                1,
            )
        }),
        9 => {
            let to = v.path(&format!("people/{}.md", rng.pick(SLUGS)));
            std::fs::rename(&p, &to).unwrap();
            return format!("rename {rel} -> {}", to.display());
        }
        10 => edit_front(&p, |s| s.replacen("name:", "title:", 1)),
        11 => edit_front(&p, |s| {
            if s.contains("intro: false") {
                s.replace("intro: false", "intro: true")
            } else {
                s.replacen("---\n", "---\nintro: false\n", 1)
            }
        }),
        12 => edit_front(&p, |s| {
            if s.contains("circle: dormant") {
                s.replace("circle: dormant", "circle: active")
            } else {
                s.replacen("circle:", "circle: dormant\nold_circle:", 1)
            }
        }),
        13 => {
            let cfg = v.path(".kith/config.yaml");
            edit_front(&cfg, |s| {
                format!("{s}  - [{}, {}]\n", rng.pick(WORDS), rng.pick(WORDS))
            });
            return "synonym".into();
        }
        14 => {
            let a = rng.pick(NAMES);
            let b = rng.pick(NAMES);
            v.note(
                ".kith/intros.yaml",
                &format!("dismissed:\n  - [{a}, {b}]\n"),
            );
            return format!("dismiss {a} {b}");
        }
        15 => {
            *as_of = format!("2026-{}-{}", 10 + rng.below(3), 10 + rng.below(19));
            return format!("date {as_of}");
        }
        16 => edit_front(&p, |s| {
            s.replacen("name: ", &format!("name: {other} II\nold_name: "), 1)
        }),
        _ => {
            std::fs::remove_file(&p).unwrap();
            return format!("delete {rel}");
        }
    }
    format!("edit {rel}")
}

/// A randomized differential: after each of a few random edits, every
/// digest and introductions command answers with caches exactly as it does
/// from scratch. Bounded: a fixed seed, a fixed number of edits.
#[test]
fn random_edits_never_make_a_cached_answer_differ_from_a_fresh_one() {
    let v = small_vault();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut as_of = "2026-11-24".to_string();
    let mut done: Vec<String> = Vec::new();
    for step in 0..14 {
        for _ in 0..=rng.below(2) {
            done.push(random_edit(&v, &mut rng, &mut as_of));
        }
        let who = rng.pick(SLUGS);
        let commands: Vec<Vec<&str>> = vec![
            vec!["digest", "--json", "--all", "--as-of", &as_of],
            vec!["intros", "--all", "--json", "--as-of", &as_of],
            vec!["intros", "--for", who, "--as-of", &as_of],
            vec!["give"],
        ];
        // Warm some caches and not others, so they go stale unevenly.
        let warm = rng.below(commands.len());
        let _ = run_bounded(
            kith_command(&v, &commands[warm]),
            "warm",
            Duration::from_secs(60),
        );
        for c in &commands {
            let (cached, fresh) = cached_and_fresh(&v, c);
            assert_eq!(
                cached, fresh,
                "step {step}: kith {c:?} with caches differs from a fresh run after {done:?}"
            );
        }
    }
}

/// Two introductions runs at once, a note edited between and during them:
/// both write `answers.bin`, `fields.bin` and `intros.bin`. Afterwards the
/// cached answer is the fresh one.
#[test]
fn two_intros_at_once_with_edits_leave_no_stale_answer() {
    let v = small_vault();
    let needs = [
        "tax advice",
        "a mentor for new managers",
        "a rust engineer",
        "a designer",
    ];
    for round in 0..6 {
        let args = ["intros", "--all", "--json", "--as-of", "2026-11-24"];
        let a = kith_command(&v, &args).spawn().unwrap();
        edit_front(&v.path("people/ann.md"), |s| {
            let at = s.find("needs: [").unwrap();
            let end = at + s[at..].find(']').unwrap();
            format!(
                "{}needs: [{}{}",
                &s[..at],
                needs[round % needs.len()],
                &s[end..]
            )
        });
        let b = kith_command(&v, &args).spawn().unwrap();
        edit_front(&v.path("people/finn.md"), |s| {
            format!("{s}Also knows {}.\n", needs[(round + 1) % 4])
        });
        for c in [a, b] {
            let out = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("panicked"), "{err}");
        }
        for c in [
            &args[..],
            &["intros", "--for", "ann", "--as-of", "2026-11-24"][..],
        ] {
            let (cached, fresh) = cached_and_fresh(&v, c);
            assert_eq!(cached, fresh, "round {round}: kith {c:?}");
        }
    }
}

/// An editor that deletes a note and writes it again (or a rename under way)
/// while the introductions read the people's fields: the note the model read
/// is briefly gone when its prose is read. What was derived from its absence
/// (no prose, so no fields) was kept under the note's content hash in
/// `fields.bin` and `answers.bin`, and the candidates in `intros.bin`: every
/// later run, the note unchanged, answered from them, quoting an older
/// version of the note, until the note changed again. Bounded: a few
/// attempts, each one run racing a thread that deletes and restores the note.
#[test]
fn a_note_briefly_gone_while_its_fields_are_read_leaves_no_stale_answer() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let v = TestVault::new();
    // Past the matcher's 256 changed people, the fields cache is read too.
    for i in 0..300 {
        v.person(
            &format!("p{i}"),
            &format!("Person {i}"),
            &format!("offers: [gardening {i}]\ninterests: [topic{}]", i % 50),
            &format!("\nLikes knitting number {i}.\n"),
        );
    }
    v.person(
        "asker",
        "Asker Aa",
        "needs: [a sailing instructor]",
        "\nHi.\n",
    );
    let x = v.path("people/xena.md");
    let tmp = v.path("people/.xena.tmp");
    let args = [
        "intros",
        "--for",
        "asker",
        "--json",
        "--as-of",
        "2026-11-24",
    ];
    for attempt in 0..8 {
        let body = format!(
            "---\nname: Xena Xu\n---\n\nShe is a sailing instructor on weekends, variant {attempt}.\n"
        );
        std::fs::write(&x, &body).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let toggler = {
            let (stop, x, tmp, body) = (stop.clone(), x.clone(), tmp.clone(), body.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _ = std::fs::remove_file(&x);
                    std::thread::sleep(Duration::from_micros(500));
                    std::fs::write(&tmp, &body).unwrap();
                    std::fs::rename(&tmp, &x).unwrap();
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        };
        let racing = run_bounded(kith_command(&v, &args), "intros", Duration::from_secs(60));
        stop.store(true, Ordering::Relaxed);
        toggler.join().unwrap();
        assert!(!racing.stderr.contains("panicked"), "{}", racing.stderr);
        std::fs::write(&x, &body).unwrap();
        let ((_, cached), (_, fresh)) = cached_and_fresh(&v, &args);
        assert!(
            fresh.contains(&format!("variant {attempt}")),
            "the fresh run quotes the note as it is:\n{fresh}"
        );
        assert_eq!(
            cached, fresh,
            "attempt {attempt}: the cached introductions are not the note's"
        );
    }
}

/// `answers.bin` crafted to pass its header and checksum with counts that
/// claim billions of entries: the introductions neither allocate for them
/// nor stop; the file is rebuilt, said once, and the answer is the fresh one.
#[test]
fn a_crafted_answers_file_with_huge_counts_is_rebuilt_not_trusted() {
    use std::hash::Hasher;
    let v = small_vault();
    let args = ["intros", "--all", "--json", "--as-of", "2026-11-24"];
    let fresh = run_bounded(kith_command(&v, &args), "intros", Duration::from_secs(60));
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    let file = v.path(".kith/cache/answers.bin");
    assert!(file.is_file());
    let varint = |mut n: u64| {
        let mut out = Vec::new();
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    };
    // (sums: a huge count), then (no sums, key 0, base 0, no table,
    // meets: a huge count).
    let payloads = [varint(1 << 62), {
        let mut p = varint(0);
        p.extend(varint(0));
        p.extend(varint(0));
        p.push(0);
        p.extend(varint(u64::from(u32::MAX) << 8));
        p
    }];
    for payload in payloads {
        let mut h = rustc_hash::FxHasher::default();
        h.write(&payload);
        h.write_usize(payload.len());
        let mut bytes = b"KITHDGS\n".to_vec();
        // The cache files' format and `answers.rs`'s generation: a header
        // of another is refused before the counts are read.
        bytes.extend(4u32.to_le_bytes());
        bytes.extend(2u64.to_le_bytes());
        bytes.extend(h.finish().to_le_bytes());
        bytes.extend((payload.len() as u64).to_le_bytes());
        bytes.extend(&payload);
        std::fs::write(&file, &bytes).unwrap();
        // Nothing else answers: the candidates and the fields are recomputed.
        let _ = std::fs::remove_file(v.path(".kith/cache/intros.bin"));
        let _ = std::fs::remove_file(v.path(".kith/cache/fields.bin"));
        let got = run_bounded(kith_command(&v, &args), "intros", Duration::from_secs(60));
        assert_eq!(got.code, 0, "{}", got.stderr);
        assert_eq!(got.stdout, fresh.stdout);
        // Past the header and the checksum: the counts are what is refused.
        assert!(!got.stderr.contains("checksum"), "{}", got.stderr);
        assert!(!got.stderr.contains("format"), "{}", got.stderr);
        assert_eq!(
            got.stderr.matches("rebuilt the matcher's answers").count(),
            1,
            "said once: {}",
            got.stderr
        );
    }
}
