use super::*;

fn sample() -> Note {
    let text = "---\nname: Lena Fischer\naliases: [Lena]\nemails: [lena@example.org]\ncadence: 3w\nbirthday: --04-12\ncircle: close\nmet: {date: 2024-01-02, event: \"[[Rust Meetup]]\"}\nintro_ok: true\nlinks:\n  site: https://example.org\ncustom: [1, {a: b}]\nintrests: typo\n---\n# Lena\n\n## 2026-11-02 · Coffee\nTalked about [[Tomas]] and #gave a book.\n- [ ] send the paper 📅 2026-11-30 [[Tomas]]\n\n## 2026-10-01\nShort.\n";
    crate::note::parse(Path::new("people/lena.md"), text.as_bytes())
}

fn roundtrip(n: &Note) -> Note {
    let e = Entry {
        stamp: Stamp {
            size: 1,
            mtime_ns: 2,
            ctime_ns: 3,
            ino: 4,
        },
        hash: 5,
        note: n.clone(),
        raw: None,
    };
    let mut bytes = header(9, 1);
    bytes.extend(encode_record(&e));
    let c = decode(&bytes).expect("decodes");
    assert_eq!(c.as_of_ns, 9);
    assert_eq!(c.entries.len(), 1);
    assert_eq!(c.entries[0].stamp, e.stamp);
    assert_eq!(c.entries[0].hash, 5);
    c.entries.into_iter().next().map(|e| e.note).expect("one")
}

#[test]
fn a_note_survives_the_cache_except_entry_texts() {
    let n = sample();
    assert!(n.person.is_some() && n.entries.len() == 2 && !n.diagnostics.is_empty());
    let mut want = n.clone();
    for e in &mut want.entries {
        e.text.clear();
    }
    assert_eq!(roundtrip(&n), want);
}

#[test]
fn entry_texts_come_back_from_their_byte_range() {
    let text = "\u{feff}---\nname: A\n---\n## 2026-11-02 Coffee\r\n  Talked about ümlauts.  \r\n\r\n## 2026-11-03\r\nNext.\r\n";
    let n = crate::note::parse(Path::new("people/a.md"), text.as_bytes());
    let h = content_hash(text.as_bytes());
    for e in &n.entries {
        assert_eq!(
            entry_text_from(text.as_bytes(), e.span, h).as_deref(),
            Some(e.text.as_str())
        );
    }
    assert_eq!(entry_text_from(b"changed", n.entries[0].span, h), None);
}

#[test]
fn damaged_files_are_refused_with_a_reason() {
    let e = Entry {
        stamp: Stamp::default(),
        hash: 1,
        note: sample(),
        raw: None,
    };
    let mut good = header(0, 1);
    good.extend(encode_record(&e));
    assert!(decode(&good).is_ok());
    // Truncated anywhere.
    for cut in [0, 5, 20, good.len() / 2, good.len() - 1] {
        let err = decode(&good[..cut]).err().expect("truncated is refused");
        assert!(err.contains("damaged"), "{err}");
    }
    // A flipped byte inside a record.
    let mut bad = good.clone();
    let last = bad.len() - 3;
    bad[last] ^= 0x55;
    assert!(decode(&bad).is_err());
    // Trailing garbage.
    let mut tail = good.clone();
    tail.extend_from_slice(b"xx");
    assert!(decode(&tail).is_err());
    // An older format.
    let mut old = good.clone();
    old[8..12].copy_from_slice(&(FORMAT - 1).to_le_bytes());
    assert!(decode(&old).err().expect("old").contains("older format"));
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
