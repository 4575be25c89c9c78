use super::*;

fn sample() -> Note {
    let text = "---\nname: Lena Fischer\naliases: [Lena]\nemails: [lena@example.org]\ncadence: 3w\nbirthday: --04-12\ncircle: close\nmet: {date: 2024-01-02, event: \"[[Rust Meetup]]\"}\nintro_ok: true\nlinks:\n  site: https://example.org\ncustom: [1, {a: b}]\nintrests: typo\n---\n# Lena\n\n## 2026-11-02 · Coffee\nTalked about [[Tomas]] and #gave a book.\n- [ ] send the paper 📅 2026-11-30 [[Tomas]]\n\n## 2026-10-01\nShort.\n";
    crate::note::parse(Path::new("people/lena.md"), text.as_bytes())
}

/// A one-note directory whose record is `body`, linking to `links`.
fn one_note_dir(n: &Note, body: &[u8], links: Vec<u32>) -> Dir {
    let mut e = ent_of(n, Stamp::default(), 5);
    e.row.len = body.len() as u32;
    e.row.sum = content_hash(body);
    let keys = KeyIndex::build(std::iter::once((
        0,
        n.title.as_str(),
        n.path.as_path(),
        n.aliases.iter().map(String::as_str),
    )));
    Dir::build(&Dir::default(), &[e], Some(&keys), &Links::All(vec![links]))
}

fn roundtrip(n: &Note) -> Note {
    let body = encode_record(n);
    let head = Head {
        as_of_ns: 9,
        generation: 3,
        dir: one_note_dir(n, &body, Vec::new()),
    };
    let back = decode_head(encode_head(&head)).expect("decodes");
    assert_eq!(back.as_of_ns, 9);
    assert_eq!(back.generation, 3);
    assert_eq!(back.dir.body(), head.dir.body());
    assert_eq!(back.dir.len(), 1);
    assert_eq!(back.dir.path(0), "people/lena.md");
    let names = back.dir.names(0);
    assert_eq!(names.title, n.title);
    assert_eq!(names.aliases.to_vec(), n.aliases);
    let stand_in = stub(names, back.dir.row(0).kind);
    assert_eq!(
        stand_in.person.as_ref().map(|p| &p.emails),
        n.person.as_ref().map(|p| &p.emails)
    );
    assert_eq!(back.dir.keys(), head.dir.keys());
    decode_note(
        record_in(&body, &back.dir.row(0)).expect("checked"),
        PathBuf::from(back.dir.path(0)),
    )
    .expect("one")
}

#[test]
fn a_note_survives_the_cache_except_entry_texts() {
    let n = sample();
    assert!(n.person.is_some() && n.entries.len() == 2 && !n.diagnostics.is_empty());
    assert_eq!(roundtrip(&n), n.clone().lean());
}

#[test]
fn a_record_decoded_for_the_digest_is_the_note_cut_as_keep_cuts_it() {
    let n = sample();
    let keep = crate::digest::FRONT_KEYS;
    let body = encode_record(&n);
    let kept = decode_kept(&body, n.path.clone(), Some(keep)).expect("decodes");
    let mut want = n.clone().lean();
    keep.apply(&mut want);
    assert_eq!(kept, want);
    let f = kept.front.as_ref().expect("front matter");
    // Positions the digest points at survive; other keys' values and
    // positions, and warnings, do not.
    assert_eq!(
        f.pos("birthday"),
        n.front.as_ref().expect("front").pos("birthday")
    );
    assert_eq!(f.pos("met"), n.front.as_ref().expect("front").pos("met"));
    assert!(f.get("name").is_none() && !f.has_key("custom"));
    assert!(kept.diagnostics.iter().all(|d| d.is_error()));
    assert!(n.diagnostics.iter().any(|d| !d.is_error()));
    assert_eq!(kept.person, n.person);
}

#[test]
fn a_front_matter_of_many_keys_finds_each_keys_first_position() {
    let mut text = String::from("---\n");
    for i in 0..40 {
        text.push_str(&format!("k{i}: {i}\n"));
    }
    text.push_str("---\n");
    let n = crate::note::parse(Path::new("people/lena.md"), text.as_bytes());
    let f = n.front.as_ref().expect("front");
    assert_eq!(f.pos("k0"), (2, 5));
    assert_eq!(f.pos("k13"), (15, 6));
    assert_eq!(f.pos("k39"), (41, 6));
    assert!(f.has_key("k20") && !f.has_key("k40"));
    assert_eq!(roundtrip(&n).front, n.front);
}

#[test]
fn entry_texts_come_back_from_their_byte_range() {
    let text = "\u{feff}---\nname: A\n---\n## 2026-11-02 Coffee\r\n  Talked about ümlauts.  \r\n\r\n## 2026-11-03\r\nNext.\r\n";
    let n = crate::note::parse(Path::new("people/a.md"), text.as_bytes());
    let h = content_hash(text.as_bytes());
    for e in &n.entries {
        assert_eq!(
            entry_text_from(text.as_bytes(), e.span, h).as_deref(),
            n.entry_text(e).as_deref()
        );
    }
    assert_eq!(entry_text_from(b"changed", n.entries[0].span, h), None);
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let n = sample();
    let body = encode_record(&n);
    let head = Head {
        as_of_ns: 0,
        generation: 1,
        dir: one_note_dir(&n, &body, Vec::new()),
    };
    let row = head.dir.row(0);
    let good = encode_head(&head);
    assert!(decode_head(good.clone()).is_ok());
    // Truncated anywhere.
    for cut in [0, 5, 20, good.len() / 2, good.len() - 1] {
        let err = decode_head(good[..cut].to_vec()).expect_err("truncated is refused");
        assert!(err.contains("damaged"), "{err}");
    }
    // A flipped byte inside the directory.
    let mut bad = good.clone();
    let last = bad.len() - 3;
    bad[last] ^= 0x55;
    assert!(decode_head(bad).is_err());
    // Trailing garbage.
    let mut tail = good.clone();
    tail.extend_from_slice(b"xx");
    assert!(decode_head(tail).is_err());
    // An older format.
    let mut old = good.clone();
    old[8..12].copy_from_slice(&(FORMAT - 1).to_le_bytes());
    assert!(decode_head(old).expect_err("old").contains("older format"));
    // A newer kith's file is not called older.
    let mut new = good.clone();
    new[8..12].copy_from_slice(&(FORMAT + 1).to_le_bytes());
    assert!(decode_head(new).expect_err("new").contains("newer format"));
    // A link to a note that is not there: refused even with a checksum that
    // fits (a crafted file), as is every byte of the body changed alone.
    let body_at = good.len() - head.dir.body().len();
    let crafted = |mut body: Vec<u8>| {
        let mut f = header(0, 1, &body);
        f.append(&mut body);
        f
    };
    let wild = Head {
        as_of_ns: 0,
        generation: 1,
        dir: one_note_dir(&n, &body, vec![7]),
    };
    assert!(
        decode_head(encode_head(&wild)).is_err(),
        "a link to nowhere"
    );
    for at in 0..head.dir.body().len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut b = head.dir.body().to_vec();
            b[at] ^= flip;
            // Never a panic; either refused or a directory that reads
            // within its bounds.
            if let Ok(h) = decode_head(crafted(b)) {
                let d = &h.dir;
                for i in 0..d.len() {
                    let _ = (d.row(i), d.names(i), d.keys());
                    let _ = (d.out_links(i).count(), d.in_links(i).count());
                }
            }
        }
    }
    assert!(body_at > 0);
    // A record whose bytes changed, or that lies past the file's end.
    let mut flipped = body.clone();
    flipped[0] ^= 1;
    assert!(record_in(&flipped, &row).is_err());
    assert!(record_in(&body[..body.len() - 1], &row).is_err());
}

/// Counts in a crafted directory that promise more than is there, or
/// overflow when multiplied, are refused before anything is read.
#[test]
fn crafted_counts_are_refused() {
    for counts in [
        [u64::MAX, 0, 0, 0, 0],
        [1, 0, 0, 0, 0],
        [0, u64::MAX / 4, 0, 0, 0],
        [0, 0, 0, 0, u64::MAX / 2],
        [0, 0, 1 << 40, 0, 0],
    ] {
        let mut body: Vec<u8> = counts.iter().flat_map(|c| c.to_le_bytes()).collect();
        body.extend_from_slice(&[0u8; 64]);
        assert!(Dir::parse(Buf::Heap(body), 0).is_err(), "{counts:?}");
    }
}

#[test]
fn link_targets_read_alone_from_a_record() {
    let n = sample();
    let body = encode_record(&n);
    let links: CLinks = postcard::from_bytes(&body).expect("prefix");
    let want: Vec<&str> = n.links.iter().map(|l| l.target.as_str()).collect();
    assert_eq!(links.targets().collect::<Vec<_>>(), want);
    assert!(!want.is_empty());
}

#[test]
fn diff_sorts_notes_into_same_look_and_removed() {
    let st = |m: i64| Stamp {
        size: 10,
        mtime_ns: m,
        ctime_ns: m,
        ino: 1,
    };
    let a = PathBuf::from("a.md");
    let b = PathBuf::from("b.md");
    let c = PathBuf::from("c.md");
    let gone = PathBuf::from("gone.md");
    let mut known: FxHashMap<&Path, Stamp> = FxHashMap::default();
    known.insert(&a, st(1));
    known.insert(&b, st(1));
    known.insert(&gone, st(1));
    let as_of = 100 * DOUBT_NS;
    let walked = vec![(a.clone(), st(1)), (b.clone(), st(2)), (c.clone(), st(1))];
    let d = diff(&walked, &known, as_of);
    assert_eq!(d.same, vec![0]);
    assert_eq!(d.look, vec![1, 2]);
    assert_eq!(d.removed, vec![gone.clone()]);
    // Stamped right at the cache's own time: doubted even when equal.
    let recent = st(as_of - 1);
    known.insert(&a, recent);
    let d = diff(&[(a.clone(), recent)], &known, as_of);
    assert_eq!(d.look, vec![0]);
}

/// The watcher's refresh of a few paths ends where a full walk would: an
/// edit, a delete, a new note and a rename, applied to the held model and to
/// the file, twice in a row (the second reads the records the first wrote).
#[test]
fn refreshing_paths_matches_a_walk() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| Error::io("tmp", e))?;
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    for i in 0..5 {
        write(
            &format!("people/p{i}.md"),
            &format!("---\nname: P{i}\n---\n## 2026-10-0{} · Walk\nx\n", i + 1),
        );
    }
    let (m, _) = Model::open(root)?;
    let held = Held::of(m).expect("a model was saved");
    let names = |v: &Vault| -> Vec<(PathBuf, Vec<String>)> {
        v.notes
            .iter()
            .map(|n| {
                (
                    n.path.clone(),
                    n.entries.iter().map(|e| e.title.to_string()).collect(),
                )
            })
            .collect()
    };
    write(
        "people/p0.md",
        "---\nname: P0\n---\n## 2026-11-01 · Tea\ny\n",
    );
    std::fs::remove_file(root.join("people/p1.md")).unwrap();
    write("people/new.md", "---\nname: New\n---\n");
    std::fs::rename(root.join("people/p2.md"), root.join("people/p2b.md")).unwrap();
    let changed: Vec<PathBuf> = [
        "people/p0.md",
        "people/p1.md",
        "people/new.md",
        "people/p2.md",
        "people/p2b.md",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    let (held, report) = held.refresh(&changed)?;
    let held = held.expect("saved");
    assert_eq!(report.removed.len(), 2, "{report:?}");
    let from_watch = load_vouched(root, held.id()).expect("readable");
    let (walked, again) = load_with_report(root)?;
    assert!(
        again.parsed.is_empty() && again.removed.is_empty(),
        "{again:?}"
    );
    assert_eq!(names(&from_watch), names(&walked));
    // A second rename in the same held model: its names move again, so
    // every link target is read from the records file a second time.
    write(
        "people/p3.md",
        "---\nname: P3\n---\n## 2026-11-02 · Lunch\nz\n",
    );
    std::fs::rename(root.join("people/p4.md"), root.join("people/p4b.md")).unwrap();
    let (held, again) = held.refresh(&[
        PathBuf::from("people/p3.md"),
        PathBuf::from("people/p4.md"),
        PathBuf::from("people/p4b.md"),
    ])?;
    assert!(again.rebuilt.is_none(), "{again:?}");
    let from_watch = load_vouched(root, held.expect("saved").id()).expect("readable");
    assert_eq!(names(&from_watch), names(&load(root)?));
    Ok(())
}

/// A records file is read whole more than once in one run (the links of
/// unchanged notes when a name moved, then every note): the second read
/// must see the whole file too, not what is left after the first.
#[test]
fn the_records_file_reads_whole_twice() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("records.bin");
    std::fs::write(&p, b"0123456789").unwrap();
    let (f, _) = vault::open_cache_file(&p).unwrap();
    assert_eq!(read_all(&f, 10).unwrap(), b"0123456789");
    assert_eq!(read_all(&f, 10).unwrap(), b"0123456789");
}

/// A records file is read only as far as its records go: one grown in
/// place (`truncate -s 1T`) is never allocated whole, and one shorter than
/// its records is damaged.
#[test]
fn the_records_file_is_read_only_as_far_as_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("records.bin");
    std::fs::write(&p, b"0123456789").unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    let (f, _) = vault::open_cache_file(&p).unwrap();
    assert_eq!(read_all(&f, 4).unwrap(), b"0123");
    assert!(read_all(&f, (1 << 40) + 1).is_err());
    let row = |at: u64, len: u32| Row {
        at,
        len,
        ..Row::default()
    };
    assert_eq!(
        records_extent([row(0, 4), row(10, 0), row(4, 3)].into_iter()),
        10
    );
}

/// Adding a note moves the names: the facts read every unchanged note's
/// links from the records file, and then the vault reads every note.
#[test]
fn a_new_note_does_not_rebuild_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("people")).unwrap();
    let person = |slug: &str, name: &str| {
        let text = format!("---\nname: {name}\n---\n## 2026-11-02 Coffee\nMet [[Ann]].\n");
        std::fs::write(root.join(format!("people/{slug}.md")), text).unwrap();
    };
    person("ann", "Ann");
    person("bob", "Bob");
    let (v, r) = load_with_report(root).unwrap();
    assert!(r.rebuilt.is_none() && v.notes.len() == 2);
    person("cy", "Cy");
    let (v, r) = load_with_report(root).unwrap();
    assert_eq!(r.rebuilt, None, "a new note rebuilt the whole model");
    assert_eq!(r.parsed, vec![PathBuf::from("people/cy.md")]);
    assert_eq!(v.notes.len(), 3);
    assert_eq!(
        v.linked_from(v.note_index(Path::new("people/ann.md")).unwrap())
            .len(),
        2
    );
}

/// An edit that adds a link and keeps every name (the old keys and links
/// are kept, only the edited note's links resolved again): the person's
/// focused vault has the new linker whole, and its link resolves to them.
#[test]
fn a_new_link_is_seen_by_a_focused_vault() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("people")).unwrap();
    std::fs::create_dir_all(root.join("events")).unwrap();
    let write = |rel: &str, text: &str| std::fs::write(root.join(rel), text).unwrap();
    write("people/ann.md", "---\nname: Ann\n---\n");
    // An event named like Ann: a link to `Ann` still means the person.
    write("events/ann.md", "---\ntype: event\nname: Ann\n---\n");
    write(
        "people/bob.md",
        "---\nname: Bob\n---\n## 2026-11-02 Coffee\nAlone.\n",
    );
    let (m, _) = Model::open(root).unwrap();
    let ann = m.find_person("ann").expect("one Ann");
    let (v, at) = m.focused_on(&[ann], true);
    assert_eq!(v.linked_from(at[0]).len(), 0);
    write(
        "people/bob.md",
        "---\nname: Bob\n---\n## 2026-11-02 Coffee\nWith [[Ann]].\n",
    );
    let (m, r) = Model::open(root).unwrap();
    assert_eq!(r.parsed, vec![PathBuf::from("people/bob.md")]);
    let (v, at) = m.focused_on(&[ann], true);
    let linkers = v.linked_from(at[0]);
    assert_eq!(
        linkers.len(),
        1,
        "{:?}",
        v.notes.iter().map(|n| &n.path).collect::<Vec<_>>()
    );
    let bob = &v.notes[linkers[0]];
    assert_eq!(bob.path, Path::new("people/bob.md"));
    assert_eq!(v.resolve_one(&bob.links[0].target), Some(at[0]));
    // And read back from the saved model, the same.
    let (m, r) = Model::open(root).unwrap();
    assert!(r.parsed.is_empty());
    let (v, at) = m.focused_on(&[ann], true);
    assert_eq!(v.linked_from(at[0]).len(), 1);
    assert_eq!(v.touches(at[0]).len(), 0, "a person's own entries only");
}

/// The directory's checksum sees every byte, wherever it sits in its
/// four lanes or in the tail.
#[test]
fn the_wide_checksum_sees_every_byte() {
    let body: Vec<u8> = (0..2_100_003u32).map(|i| (i * 7 + i / 13) as u8).collect();
    let sum = body_sum(&body);
    for at in [0, 1, 8, 17, 31, 32, 1 << 20, (1 << 20) + 9, body.len() - 1] {
        let mut b = body.clone();
        b[at] ^= 1;
        assert_ne!(body_sum(&b), sum, "byte {at}");
    }
    assert_ne!(body_sum(&body[..body.len() - 1]), sum);
}

/// A note stamped just before the walk is doubtful and read again on the
/// next run; found as it was, it leaves the saved model alone (it used to
/// rewrite the whole directory on every run for two seconds).
#[test]
fn a_doubtful_note_found_unchanged_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("people")).unwrap();
    std::fs::write(root.join("people/ann.md"), "---\nname: Ann\n---\n").unwrap();
    let (_, r) = Model::open(root).unwrap();
    assert_eq!(r.parsed.len(), 1);
    let id = model_id(root).expect("saved");
    let (m, r) = Model::open(root).unwrap();
    assert!(r.parsed.is_empty() && r.rebuilt.is_none(), "{r:?}");
    assert_eq!(model_id(root), Some(id), "the directory was written again");
    assert_eq!(Held::of(m).map(|h| h.id()), Some(id));
    // Changed bytes in the same tick are still seen.
    std::fs::write(root.join("people/ann.md"), "---\nname: Ann\n---\n\n").unwrap();
    let (_, r) = Model::open(root).unwrap();
    assert_eq!(r.parsed.len(), 1);
}

/// A directory crafted with huge counts, lengths past its end or links out
/// of range, under a header whose checksum matches: refused as damaged,
/// never allocated for or read past (the checksum is no defence here).
#[test]
fn a_crafted_directory_with_a_valid_checksum_is_refused() {
    let file = |body: &[u8]| {
        let mut out = header(1, 2, body);
        out.extend_from_slice(body);
        out
    };
    let counts = |c: [u64; 5]| c.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    for c in [
        [u64::MAX, 0, 0, 0, 0],
        [u64::MAX / 80 + 1, 0, 0, 0, 0],
        [0, u64::MAX / 4, 0, 0, 0],
        [0, 0, u64::MAX, 0, 0],
        [0, 0, 0, u64::MAX - 100, 0],
        [0, 0, 0, 0, u64::MAX / 4 + 1],
        [1 << 40, 1 << 40, 1 << 40, 1 << 40, 1 << 40],
    ] {
        assert!(decode_head(file(&counts(c))).is_err(), "{c:?}");
    }
    // One note, no names, no keys, one edge to note 7 of 1.
    let mut body = counts([1, 0, 0, 0, 1]);
    body.extend_from_slice(&[0u8; flat::ROW]);
    for v in [0u32, 1, 7, 0, 1, 0] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    assert!(decode_head(file(&body)).is_err());
}

/// The accessors read an entry's text and title alike from a note parsed
/// in this run (which holds its text) and from the cached model (which
/// reads it from the file by its span), BOM, CRLF, CR-only and a long
/// title included.
#[test]
fn fresh_and_cached_notes_give_the_same_entry_texts_and_titles() {
    let notes: [&[u8]; 4] = [
        b"\xEF\xBB\xBF---\r\nname: Ann\r\n---\r\n## Log\r\n### 2026-11-02 Coffee\r\n  Talked about \xC3\xBCmlauts.  \r\n\r\n### 2026-11-03\r\nNext.\r\n",
        b"---\nname: Bo\n---\n## 2026-11-02 a title much longer than twenty-two bytes\nFirst [[Ann]] #gave\n- [ ] a task\n## 2026-11-04 x\n\n",
        b"---\rname: Cy\r---\r## 2026-11-02 cr only\rText.\r",
        b"---\nname: Di\n---\n## 2026-11-02 bad \xFF byte\nText \xFE here.\n",
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("people")).unwrap();
    for (i, b) in notes.iter().enumerate() {
        std::fs::write(dir.path().join(format!("people/p{i}.md")), b).unwrap();
    }
    let fresh = crate::store::load_uncached(dir.path()).unwrap();
    // Twice: the first run builds the cache, the second reads it.
    crate::store::load(dir.path()).unwrap();
    let cached = crate::store::load(dir.path()).unwrap();
    let mut seen = 0;
    for (i, n) in fresh.notes.iter().enumerate() {
        let j = cached.notes.iter().position(|m| m.path == n.path).unwrap();
        let c = &cached.notes[j];
        assert!(n.text.is_some() && c.text.is_none(), "{:?}", n.path);
        assert_eq!(n.entries.len(), c.entries.len());
        for (e, ce) in n.entries.iter().zip(&c.entries) {
            let text = n.entry_text(e).unwrap();
            assert_eq!(c.entry_text(ce), None);
            assert_eq!(fresh.entry_text(i, e), text);
            assert_eq!(cached.entry_text(j, ce), text, "{:?}", n.path);
            assert_eq!(
                (&e.title, e.links(), e.tags()),
                (&ce.title, ce.links(), ce.tags())
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 6);
    let bo = cached.notes.iter().find(|n| n.title == "Bo").unwrap();
    assert_eq!(
        &*bo.entries[0].title,
        "a title much longer than twenty-two bytes"
    );
    let ann = fresh.notes.iter().position(|n| n.title == "Ann").unwrap();
    assert_eq!(
        fresh.entry_text(ann, &fresh.notes[ann].entries[0]),
        "Talked about ümlauts."
    );
}

/// A note edited after the model read it (the first of two entries of one
/// date removed, so the second moves to its line): the text read for the
/// first entry is never the second's, which matched by line and date.
/// An entry edited in place reads its new text (read again, not stale).
#[test]
fn an_edit_after_the_model_read_never_gives_another_entrys_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("people")).unwrap();
    let p = dir.path().join("people/a.md");
    std::fs::write(
        &p,
        "---\nname: A\n---\n## 2026-11-02 first\nalpha\n## 2026-11-02 second\nbeta\n",
    )
    .unwrap();
    crate::store::load(dir.path()).unwrap();
    let v = crate::store::load(dir.path()).unwrap();
    let i = v.notes.iter().position(|n| n.title == "A").unwrap();
    assert!(v.notes[i].text.is_none(), "decoded from the cache");
    let (first, second) = (&v.notes[i].entries[0], &v.notes[i].entries[1]);
    std::fs::write(&p, "---\nname: A\n---\n## 2026-11-02 second\nbeta\n").unwrap();
    assert_eq!(v.entry_text(i, first), "");
    assert_ne!(v.entry_text(i, second), "alpha");
    assert!(v.read_changed());
    // The first entry's text changed in place: the new text.
    let v = crate::store::load(dir.path()).unwrap();
    let e = &v.notes[i].entries[0];
    std::fs::write(&p, "---\nname: A\n---\n## 2026-11-02 second\ngamma\n").unwrap();
    assert_eq!(v.entry_text(i, e), "gamma");
}

/// A note changed after the model read it is read and parsed again once
/// per command, not once per entry: every entry of a long note read after
/// an edit cost a read and a parse of the whole file each (quadratic: all
/// 4,000 entries of one note took 78 s in a debug build). Seen here as the
/// first re-read answering the note's other entries, the file gone since.
#[test]
fn a_changed_note_is_parsed_again_once_for_all_its_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("people")).unwrap();
    let p = dir.path().join("people/a.md");
    let mut text = String::from("---\nname: A\n---\n");
    for k in 0..200 {
        text.push_str(&format!("## 2026-11-02 e{k}\nentry {k} text\n"));
    }
    std::fs::write(&p, &text).unwrap();
    crate::store::load(dir.path()).unwrap();
    let v = crate::store::load(dir.path()).unwrap();
    let i = v.notes.iter().position(|n| n.title == "A").unwrap();
    std::fs::write(&p, text.replace("text\n", "said\n")).unwrap();
    let es = &v.notes[i].entries;
    assert_eq!(v.entry_text(i, &es[0]), "entry 0 said");
    assert!(v.read_changed());
    std::fs::remove_file(&p).unwrap();
    assert_eq!(v.entry_text(i, &es[199]), "entry 199 said");
}

/// A record is checked only by a content hash anyone can compute: a crafted
/// one whose link names an entry the note does not have decoded, and the
/// readers' `n.entries[k]` (last contacts, the digest) panicked. Refused as
/// damaged now.
#[test]
fn a_record_whose_link_names_a_missing_entry_is_refused() {
    let mut n = sample();
    let k = n.entries.len() as u32;
    n.links[0].entry = Some(k);
    assert!(decode_note(&encode_record(&n), n.path.clone()).is_err());
    n.links[0].entry = Some(k - 1);
    assert!(decode_note(&encode_record(&n), n.path.clone()).is_ok());
}

/// Still open: two untitled entries of one day (what two `kith log` calls
/// without a title write), the first removed after the model read the note:
/// the second moves to the first's line with the same date and the same
/// (empty) title, and is read as the first's text.
#[test]
#[ignore = "finding: same-day untitled entries cannot be told apart by line, date and title after an edit moves one"]
fn same_day_untitled_entries_are_told_apart_after_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("people")).unwrap();
    let p = dir.path().join("people/a.md");
    std::fs::write(
        &p,
        "---\nname: A\n---\n## 2026-11-02\nalpha\n## 2026-11-02\nbeta\n",
    )
    .unwrap();
    crate::store::load(dir.path()).unwrap();
    let v = crate::store::load(dir.path()).unwrap();
    let i = v.notes.iter().position(|n| n.title == "A").unwrap();
    let first = &v.notes[i].entries[0];
    std::fs::write(&p, "---\nname: A\n---\n## 2026-11-02\nbeta\n").unwrap();
    assert_ne!(v.entry_text(i, first), "beta");
}
