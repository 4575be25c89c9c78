//! Search: always fresh with no index command, self-healing, lock-tolerant.

use crate::support::TestVault;

fn hits(v: &TestVault, args: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["search"];
    a.extend_from_slice(args);
    a.push("--json");
    let run = v.kith(a).run();
    match run.code {
        0 => run.json().as_array().unwrap().clone(),
        1 => {
            assert_eq!(run.stdout.trim(), "[]", "exit 1 means no results");
            Vec::new()
        }
        c => panic!("search exited {c}: {}", run.stderr),
    }
}

fn paths(h: &[serde_json::Value]) -> Vec<String> {
    h.iter()
        .map(|x| x["path"].as_str().unwrap().to_string())
        .collect()
}

fn vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "tomas",
        "Tomás Müller",
        "org: Acme\ntags: [rust]\nlocation: Berlin",
        "\nBio: builds robots.\n\n## Log\n\n### 2026-11-20 · interviews\n\nWe discussed structured interviews and mentoring juniors.\n\n### 2026-10-01 · lunch\n\nTalked about sailing in Kiel. #gave\n",
    );
    v.person(
        "lena",
        "Lena Fischer",
        "aliases: [Lenny]\norg: Globex\nlocation: Hamburg",
        "\n## Log\n\n### 2026-11-02 · call\n\nInterviews are unstructured at Globex; she wants a mentor.\n",
    );
    v.note(
        "journal/2026-11-05.md",
        "Coffee with [[Lenny]] about sailing boats.\n",
    );
    v
}

#[test]
fn finds_entries_with_path_line_and_json_shape() {
    let v = vault();
    let h = hits(&v, &["structured interviews"]);
    assert_eq!(h.len(), 1, "{h:#?}");
    let hit = &h[0];
    assert_eq!(hit["name"], "Tomás Müller");
    assert_eq!(hit["path"], "people/tomas.md");
    assert_eq!(hit["line"], 12);
    assert_eq!(hit["date"], "2026-11-20");
    assert_eq!(hit["title"], "interviews");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("structured interviews")
    );
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    // Human output: header, snippet, path:line.
    v.kith(["search", "structured", "interviews"])
        .ok()
        .stdout_has("Tomás Müller · 2026-11-20 · interviews")
        .stdout_has("people/tomas.md:12");
    // No result: exit 1, like grep.
    v.kith(["search", "xylophone"]).code(1);
    v.kith(["search", "x", "--since", "2026-13-01"]).code(2);
}

#[test]
fn stemming_accents_phrases_exclusion_or_and_fuzzy_names() {
    let v = vault();
    // "mentor" finds "mentoring" (stemming), and "mentor".
    let p = paths(&hits(&v, &["mentor"]));
    assert!(
        p.contains(&"people/tomas.md".into()) && p.contains(&"people/lena.md".into()),
        "{p:?}"
    );
    // Accents folded both ways.
    assert!(paths(&hits(&v, &["Tomas", "Muller"])).contains(&"people/tomas.md".into()));
    // Phrase: "structured interviews" is not in Lena's "unstructured" entry.
    assert_eq!(
        paths(&hits(&v, &["\"structured interviews\""])),
        ["people/tomas.md"]
    );
    // Exclusion.
    let p = paths(&hits(&v, &["interviews -structured"]));
    assert_eq!(p, ["people/lena.md"], "{p:?}");
    let dashed = v
        .kith(["search", "--json", "--", "interviews", "-structured"])
        .ok()
        .json();
    let p = paths(dashed.as_array().unwrap());
    assert_eq!(p, ["people/lena.md"], "{p:?}");
    // All words must match by default; OR widens.
    assert!(hits(&v, &["sailing", "unstructured"]).is_empty());
    assert_eq!(hits(&v, &["robots", "OR", "unstructured"]).len(), 2);
    // field:value.
    assert_eq!(paths(&hits(&v, &["org:globex"])), ["people/lena.md"]);
    assert_eq!(paths(&hits(&v, &["location:berlin"])), ["people/tomas.md"]);
    assert!(paths(&hits(&v, &["tag:rust"])).contains(&"people/tomas.md".into()));
    // A misspelt name still finds the person.
    assert!(paths(&hits(&v, &["Fishcer"])).contains(&"people/lena.md".into()));
}

#[test]
fn filters_person_tag_dates_kind() {
    let v = vault();
    // --person matches by name or alias, and finds journal mentions of an alias.
    let p = paths(&hits(&v, &["sailing", "--person", "lena fischer"]));
    assert_eq!(p, ["journal/2026-11-05.md"], "{p:?}");
    let p = paths(&hits(&v, &["sailing", "--person", "Tomas"]));
    assert_eq!(p, ["people/tomas.md"]);
    // A link by file name (`[[tomas]]`) is a mention too.
    v.note(
        "journal/2026-11-06.md",
        "Regatta plans with [[tomas|him]].\n",
    );
    let p = paths(&hits(&v, &["regatta", "--person", "Tomás Müller"]));
    assert_eq!(p, ["journal/2026-11-06.md"], "{p:?}");
    assert_eq!(
        paths(&hits(&v, &["sailing", "--tag", "gave"])),
        ["people/tomas.md"]
    );
    assert_eq!(hits(&v, &["interviews", "--since", "2026-11-10"]).len(), 1);
    assert_eq!(hits(&v, &["interviews", "--until", "2026-11-10"]).len(), 1);
    assert_eq!(
        paths(&hits(&v, &["sailing", "--kind", "journal"])),
        ["journal/2026-11-05.md"]
    );
    v.kith(["search", "x", "--kind", "planet"]).code(2);
}

#[test]
fn always_fresh_after_edit_delete_and_rename() {
    let v = vault();
    assert_eq!(hits(&v, &["kayaking"]).len(), 0);
    let text = v.read("people/lena.md") + "\n### 2026-11-21 · weekend\n\nWent kayaking.\n";
    v.note("people/lena.md", &text);
    assert_eq!(paths(&hits(&v, &["kayaking"])), ["people/lena.md"]);
    std::fs::rename(v.path("people/lena.md"), v.path("people/lena-fischer.md")).unwrap();
    assert_eq!(paths(&hits(&v, &["kayaking"])), ["people/lena-fischer.md"]);
    std::fs::remove_file(v.path("people/lena-fischer.md")).unwrap();
    assert!(hits(&v, &["kayaking"]).is_empty());
    assert!(hits(&v, &["Globex"]).is_empty());
}

fn index_dir(v: &TestVault) -> std::path::PathBuf {
    v.path(".kith/cache/index")
}

#[test]
fn a_damaged_or_missing_index_is_rebuilt_transparently() {
    let v = vault();
    v.kith(["index"]).ok().stdout_has("notes");
    // Deleted meta.json.
    std::fs::remove_file(index_dir(&v).join("meta.json")).unwrap();
    let run = v.kith(["search", "sailing", "--json"]).ok();
    assert!(
        run.stderr.contains("rebuilt the search index"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json().as_array().unwrap().len(), 2);
    // Said once: the next search is quiet.
    let again = v.kith(["search", "sailing"]).ok();
    assert!(!again.stderr.contains("rebuilt"), "{}", again.stderr);
    // Truncated segment files.
    for e in std::fs::read_dir(index_dir(&v)).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".idx") || name.ends_with(".term") || name.ends_with(".store") {
            std::fs::write(&p, b"").unwrap();
        }
    }
    let run = v.kith(["search", "sailing", "--json"]).ok();
    assert_eq!(run.json().as_array().unwrap().len(), 2, "{}", run.stderr);
    // The whole cache folder deleted.
    std::fs::remove_dir_all(v.path(".kith/cache")).unwrap();
    assert_eq!(hits(&v, &["sailing"]).len(), 2);
    // An index from another schema version.
    std::fs::write(index_dir(&v).join("kith-schema-version"), "0").unwrap();
    let run = v.kith(["search", "sailing"]).ok();
    assert!(run.stderr.contains("another version"), "{}", run.stderr);
}

#[test]
fn search_answers_while_another_process_holds_the_writer() {
    let v = vault();
    v.kith(["index"]).ok();
    // Hold the writer lock the way another kith process would.
    let index = tantivy::Index::open_in_dir(index_dir(&v)).unwrap();
    let writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    let text = v.read("people/lena.md") + "\n### 2026-11-21 · weekend\n\nWent kayaking.\n";
    v.note("people/lena.md", &text);
    let started = std::time::Instant::now();
    let run = v.kith(["search", "sailing", "--json"]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stderr.to_lowercase().contains("error"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "must not block on the lock"
    );
    // It waited briefly, then answered from the index as it is: and says so.
    assert!(run.stderr.contains("may be stale"), "{}", run.stderr);
    drop(writer);
    // Once the lock is free, the edit is picked up.
    assert_eq!(paths(&hits(&v, &["kayaking"])), ["people/lena.md"]);
}

/// A note whose time changes but whose content does not (a `touch`, a git
/// checkout of identical content) is not re-indexed.
#[test]
fn touched_but_identical_notes_are_not_reindexed() {
    let v = vault();
    v.kith(["index"]).ok();
    // Sets the note's time with the real `touch`, content untouched.
    let touch = |when: &str| {
        let st = std::process::Command::new("touch")
            .args(["-d", when])
            .arg(v.path("people/lena.md"))
            .status()
            .unwrap();
        assert!(st.success());
    };
    touch("2030-01-01 00:00");
    let r = v.kith(["index", "--json"]).ok().json();
    assert_eq!(
        (r["indexed"].as_u64(), r["touched"].as_u64()),
        (Some(0), Some(1)),
        "{r}"
    );
    // And it is remembered: the next sync has nothing to look at.
    let r = v.kith(["index", "--json"]).ok().json();
    assert_eq!(
        (r["indexed"].as_u64(), r["touched"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
    // The plain report says so too.
    touch("2031-01-01 00:00");
    let out = v.kith(["index"]).ok().stdout;
    assert!(out.contains("0 indexed (1 touched but unchanged)"), "{out}");
    // A real change still is re-indexed.
    v.note("people/lena.md", &(v.read("people/lena.md") + "\nkayaks\n"));
    let r = v.kith(["index", "--json"]).ok().json();
    assert_eq!(r["indexed"].as_u64(), Some(1), "{r}");
    assert_eq!(paths(&hits(&v, &["kayaks"])), ["people/lena.md"]);
}

/// A rewrite that keeps a note's size and puts its modification time back
/// is still seen: the index's stamp holds the inode's change time too, and a
/// note written close to the last sync is read again. (It compared size and
/// mtime only, and kept answering from the old text.)
#[test]
fn an_edit_with_the_same_size_and_time_is_found() {
    let v = TestVault::new();
    let note = |word: &str| {
        v.person(
            "lena",
            "Lena Fischer",
            "",
            &format!("\n## Log\n\n### 2026-10-01 · call\n\nTalked about {word}.\n"),
        );
    };
    note("kayaks");
    assert_eq!(paths(&hits(&v, &["kayaks"])), ["people/lena.md"]);
    let path = v.path("people/lena.md");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    note("canoes");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(paths(&hits(&v, &["canoes"])), ["people/lena.md"]);
    assert!(hits(&v, &["kayaks"]).is_empty());
}

/// The index holds exactly the notes every other command reads, because
/// both take them from one walk: not ignored, templates, hidden or
/// `node_modules` files, not notes behind a symlinked folder; a symlinked
/// note is read through; a folder, FIFO or dangling symlink named like a
/// note is the model's to report, never a search warning.
#[test]
fn the_index_holds_exactly_the_notes_the_model_reads() {
    let v = TestVault::new();
    let q = "---\nname: Quinn Okafor\n---\nquokka\n";
    v.note("people/quinn.md", q);
    v.note(
        ".kith/config.yaml",
        "ignore:\n  - archive/\n  - \"*.draft.md\"\n",
    );
    v.note(".obsidian/templates.json", "{\"folder\": \"Meta/Tpl\"}");
    for rel in [
        "archive/old.md",
        "people/x.draft.md",
        "Meta/Tpl/person.md",
        ".hidden/x.md",
        "people/.x.md",
        "node_modules/pkg/readme.md",
        "other/real.md",
    ] {
        v.note(rel, "---\nname: Nobody Here\n---\nquokka\n");
    }
    let outside = v.home().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("linked.md"), "quokka\n").unwrap();
    std::fs::write(
        v.home().join("target.md"),
        "---\nname: Lin Ko\n---\nquokka\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, v.path("linkdir")).unwrap();
    std::os::unix::fs::symlink(v.home().join("target.md"), v.path("people/lin.md")).unwrap();
    std::os::unix::fs::symlink(v.home().join("nowhere.md"), v.path("people/gone.md")).unwrap();
    std::fs::create_dir_all(v.path("people/folder.md")).unwrap();
    crate::support::mkfifo(&v.path("people/pipe.md"));
    let run = v
        .kith(["search", "quokka", "--json", "--limit", "100"])
        .ok();
    assert!(!run.stderr.contains("cannot read"), "{}", run.stderr);
    let mut found = paths(run.json().as_array().unwrap());
    found.sort();
    found.dedup();
    assert_eq!(found, ["other/real.md", "people/lin.md", "people/quinn.md"]);
    let r = v.kith(["index", "--json"]).ok().json();
    assert_eq!(r["notes"].as_u64(), Some(3), "{r}");
    // The model reads the same three, and reports the three odd ones.
    let check = v.kith(["check"]).run();
    for odd in ["people/gone.md", "people/folder.md", "people/pipe.md"] {
        assert!(check.stdout.contains(odd), "{odd}: {}", check.stdout);
    }
    for skipped in [
        "archive",
        "draft",
        "Tpl",
        "hidden",
        "node_modules",
        "linkdir",
    ] {
        assert!(
            !check.stdout.contains(skipped),
            "{skipped}: {}",
            check.stdout
        );
    }
    assert!(check.stderr.contains("6 notes checked"), "{}", check.stderr);
}

/// Snippets are cut from the note by the byte ranges the index keeps (no
/// parse), but only while the note holds the bytes indexed: searched by a
/// process that trusts a watcher which has not caught up, a note edited
/// before the entry (its bytes shifted, its lines not) gives its text now,
/// not a cut eleven bytes off.
#[test]
fn a_snippet_is_cut_from_the_note_as_it_is_now() {
    let v = vault();
    let h = hits(&v, &["structured interviews"]);
    let said = h[0]["snippet"].clone();
    assert_eq!(
        said,
        "We discussed structured interviews and mentoring juniors"
    );
    let t = v
        .read("people/tomas.md")
        .replace("builds robots", "builds very large robots");
    v.note("people/tomas.md", &t);
    let run = v
        .kith(["search", "structured interviews", "--json"])
        .env("KITH_TEST_TRUST_WATCHER", "1")
        .ok();
    assert_eq!(run.json()[0]["snippet"], said, "{}", run.stderr);
    assert_eq!(run.json()[0]["line"], 12);
}

/// A search leaves out of its query the fields no segment holds (tantivy
/// would build an empty dictionary for each): a field that first appears
/// in the small segment of a later edit must be searched again, by default
/// and by name, and misspelt.
#[test]
fn a_field_that_appears_after_the_first_search_is_searched() {
    let v = TestVault::new();
    v.person("ana", "Ana Ruiz", "org: Initech", "\nLikes tea.\n");
    v.person("bo", "Bo Lind", "org: Umbrella", "\nLikes coffee.\n");
    assert_eq!(paths(&hits(&v, &["tea"])), ["people/ana.md"]);
    assert!(
        hits(&v, &["Zorrito"]).is_empty(),
        "no note has an alias yet"
    );
    v.person(
        "bo",
        "Bo Lind",
        "org: Umbrella\naliases: [Zorrito]",
        "\nLikes coffee.\n",
    );
    assert_eq!(paths(&hits(&v, &["Zorrito"])), ["people/bo.md"]);
    assert_eq!(paths(&hits(&v, &["Zorito"])), ["people/bo.md"], "fuzzy");
    assert_eq!(paths(&hits(&v, &["aliases:zorrito"])), ["people/bo.md"]);
    assert_eq!(
        paths(&hits(&v, &["--person", "Zorrito", "coffee"])),
        ["people/bo.md"]
    );
}

/// Makes the index's stamp file look taken long after every note was
/// written (its as-of time, bytes 16..24 of its header, far ahead), as if
/// the vault had sat still for a while: then a search without a watcher
/// trusts it, checks the recorded folders and notes one stat each instead
/// of walking, and says `check … (true)` under `KITH_TRACE`.
fn settle(v: &TestVault) {
    let file = index_dir(v).join("kith-stamps");
    let mut b = std::fs::read(&file).unwrap();
    b[16..24].copy_from_slice(&(i64::MAX / 2).to_le_bytes());
    std::fs::write(&file, b).unwrap();
}

fn checked(v: &TestVault, word: &str) -> (Vec<String>, bool) {
    let run = v
        .kith(["search", word, "--json"])
        .env("KITH_TRACE", "1")
        .run();
    let found = match run.code {
        0 => paths(run.json().as_array().unwrap()),
        1 => Vec::new(),
        c => panic!("search exited {c}: {}", run.stderr),
    };
    let trusted = run
        .stderr
        .lines()
        .any(|l| l.starts_with("trace: check") && l.ends_with("(true)"));
    (found, trusted)
}

/// The check that replaces the walk when nothing moved must see whatever a
/// walk would: a note added to a folder or in a new folder, one removed or
/// renamed, an edit in place, a folder renamed, a note newly ignored by the
/// config, a dangling symlink whose target appears. Each change is made on
/// a settled vault (so the check runs; the first search after it walks).
#[test]
fn a_search_that_skips_the_walk_still_sees_every_change() {
    let v = vault();
    assert_eq!(hits(&v, &["kayaking"]).len(), 0);
    settle(&v);
    assert_eq!(
        checked(&v, "sailing"),
        (
            vec![
                "journal/2026-11-05.md".to_string(),
                "people/tomas.md".to_string()
            ],
            true
        ),
        "nothing moved: checked, not walked"
    );
    let step = |what: &str, change: &dyn Fn(), word: &str, want: &[&str]| {
        settle(&v);
        change();
        let (mut found, _) = checked(&v, word);
        found.sort();
        assert_eq!(found, want, "{what}");
        settle(&v);
        let (again, trusted) = checked(&v, word);
        assert_eq!(again.len(), want.len(), "{what}: the same answer again");
        // A walk that met a dangling symlink named like a note cannot
        // vouch for it: every search walks while it dangles.
        let dangles = std::fs::metadata(v.path("people/later.md")).is_err()
            && std::fs::symlink_metadata(v.path("people/later.md")).is_ok();
        assert_eq!(
            trusted, !dangles,
            "{what}: settled again, the next search checks"
        );
    };
    step(
        "a note added",
        &|| {
            v.person("zoe", "Zoe Park", "", "\nLoves kayaking.\n");
        },
        "kayaking",
        &["people/zoe.md"],
    );
    step(
        "a note in a new folder",
        &|| {
            v.note("projects/deep/boat.md", "A kayaking trip.\n");
        },
        "kayaking",
        &["people/zoe.md", "projects/deep/boat.md"],
    );
    step(
        "a folder renamed",
        &|| std::fs::rename(v.path("projects/deep"), v.path("projects/shallow")).unwrap(),
        "kayaking",
        &["people/zoe.md", "projects/shallow/boat.md"],
    );
    step(
        "an edit in place, same size",
        &|| {
            let t = v
                .read("projects/shallow/boat.md")
                .replace("kayaking", "canoeing");
            std::fs::OpenOptions::new()
                .write(true)
                .open(v.path("projects/shallow/boat.md"))
                .and_then(|mut f| std::io::Write::write_all(&mut f, t.as_bytes()))
                .unwrap();
        },
        "kayaking",
        &["people/zoe.md"],
    );
    step(
        "a note removed",
        &|| std::fs::remove_file(v.path("people/zoe.md")).unwrap(),
        "kayaking",
        &[],
    );
    step(
        "a note newly ignored",
        &|| {
            v.note(".kith/config.yaml", "ignore: [shallow/]\n");
        },
        "canoeing",
        &[],
    );
    let target = v.home().join("later.md");
    std::os::unix::fs::symlink(&target, v.path("people/later.md")).unwrap();
    step("a dangling symlink", &|| {}, "rowing", &[]);
    step(
        "its target appears",
        &|| std::fs::write(&target, "---\nname: Lat Er\n---\nGoes rowing.\n").unwrap(),
        "rowing",
        &["people/later.md"],
    );
}

/// A note that could not be read (here: over the size cap) is not in the
/// stamp file; shrunk in place it moves no folder, so the search that
/// follows must still walk, and find it.
#[test]
fn a_note_too_big_to_read_is_found_once_it_shrinks_in_place() {
    let v = vault();
    v.note("people/big.md", &"kayaking ".repeat(2_000_000));
    let run = v.kith(["search", "kayaking", "--json"]).run();
    assert!(run.stderr.contains("people/big.md"), "{}", run.stderr);
    settle(&v);
    std::fs::write(v.path("people/big.md"), "Goes kayaking.\n").unwrap();
    assert_eq!(checked(&v, "kayaking").0, ["people/big.md"]);
}

/// The digest and `show` bring the search index level from their own walk
/// (the digest while it decodes the notes): the next search finds the
/// edit without committing anything itself.
#[test]
fn digest_and_show_leave_the_index_level_for_the_next_search() {
    let v = vault();
    assert_eq!(paths(&hits(&v, &["sailing"])).len(), 2);
    for (word, cmd) in [
        ("kumquat", vec!["digest", "--as-of", "2026-11-22"]),
        ("rambutan", vec!["show", "Lena"]),
    ] {
        v.edit("people/lena.md", |s| format!("{s}\nLikes {word}.\n"));
        v.kith(cmd.clone()).ok();
        let run = v
            .kith(["search", word, "--json"])
            .env("KITH_TRACE", "1")
            .ok();
        assert_eq!(paths(run.json().as_array().unwrap()), ["people/lena.md"]);
        assert!(
            !run.stderr.contains("trace: commit"),
            "{cmd:?} left the index behind: {}",
            run.stderr
        );
    }
}
