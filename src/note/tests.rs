use super::*;
use crate::diag::Severity;

fn p(rel: &str, s: &str) -> Note {
    parse(Path::new(rel), s.as_bytes())
}

fn d(s: &str) -> Date {
    date::parse_date(s).unwrap()
}

/// (line, column, severity, message start) of every diagnostic.
fn found(n: &Note) -> Vec<(usize, usize, Severity, String)> {
    n.diagnostics
        .iter()
        .map(|d| (d.line, d.column, d.severity, d.message.clone()))
        .collect()
}

fn only_error_at(n: &Note, line: usize, column: usize, starts: &str) {
    let f = found(n);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].0, f[0].1, f[0].2),
        (line, column, Severity::Error),
        "{f:#?}"
    );
    assert!(f[0].3.starts_with(starts), "{f:#?}");
}

const FULL: &str = "---
name: Lena Fischer
aliases: [Lenny]
emails:
  - lena@example.com
phones: \"+4712345678\"
org: Acme
role: CTO
location: Berlin
tags: [rust, '#hiring']
interests: climbing
values: [candour]
needs:
  - hiring a senior Rust engineer
offers: [intros to investors]
met: 2026-11-14
met_at: \"[[Rust Meetup|the meetup]]\"
introduced_by: \"[[Omar Haddad]]\"
circle: active
cadence: 2m
birthday: --02-29
last_contact: 2026-10-01
intro_ok: false
snooze_until: 2026-12-01
links: [https://www.linkedin.com/in/lena]
favourite_tea: rooibos # unknown keys are kept
---
Bio with [[Tomás]] and #climbing.

## Log

### 2026-11-14 · met at the meetup

Talked about [[Omar Haddad#Work]] and hiring. #gave

- [ ] send her the structured interviews article 📅 2026-11-25
- [x] intro to [[Omar Haddad]]
- [ ] book recommendation

```
### 2026-01-01 not an entry [[Nobody]] #nottag
```

### 2026-11-20: coffee

Short. #asked

## Notes

- [ ] ask about the offsite due:2026-12-01 ➕ 2026-11-01
";

#[test]
fn full_person_note() {
    let n = p("people/lena.md", FULL);
    assert!(n.diagnostics.is_empty(), "{:#?}", n.diagnostics);
    assert_eq!(n.kind, NoteKind::Person);
    let pe = n.person.as_ref().unwrap();
    assert_eq!(pe.name, "Lena Fischer");
    assert_eq!(pe.aliases, ["Lenny"]);
    assert_eq!(pe.phones, ["+4712345678"]);
    assert_eq!(pe.tags, ["rust", "hiring"]);
    assert_eq!(pe.interests, ["climbing"]);
    assert_eq!(pe.needs, ["hiring a senior Rust engineer"]);
    let met = pe.met.as_ref().unwrap();
    assert_eq!(met.date, Some(d("2026-11-14")));
    assert_eq!(met.event.as_deref(), Some("Rust Meetup"));
    assert_eq!(pe.introduced_by.as_deref(), Some("Omar Haddad"));
    assert_eq!(pe.circle, Some(Circle::Active));
    assert_eq!(pe.cadence, Some(Cadence::Months(2)));
    assert_eq!(pe.birthday.unwrap().to_string(), "--02-29");
    assert!(!pe.intro_ok);
    assert_eq!(
        pe.links,
        [(
            "linkedin".to_string(),
            "https://www.linkedin.com/in/lena".to_string()
        )]
    );

    assert_eq!(n.entries.len(), 2);
    let e = &n.entries[0];
    assert_eq!(
        (e.date, &*e.title, e.line, e.level),
        (d("2026-11-14"), "met at the meetup", 32, 3)
    );
    assert_eq!(e.links(), ["Omar Haddad"]);
    assert!(e.gave() && !e.asked());
    let text = n.entry_text(e).expect("a parsed note holds its text");
    assert!(text.starts_with("Talked about"));
    assert!(
        text.contains("### 2026-01-01 not an entry"),
        "code stays in the entry text"
    );
    let e2 = &n.entries[1];
    assert_eq!((&*e2.title, e2.line), ("coffee", 44));
    assert!(e2.asked());

    assert_eq!(n.promises.len(), 4);
    let pr = &n.promises[0];
    assert_eq!(
        (pr.line, pr.done, pr.due, pr.created),
        (36, false, Some(d("2026-11-25")), Some(d("2026-11-14")))
    );
    assert!(n.promises[1].done);
    assert_eq!(n.promises[1].links, ["Omar Haddad"]);
    assert_eq!(n.promises[2].due, None);
    let last = &n.promises[3];
    assert_eq!(
        (last.due, last.created, last.line),
        (Some(d("2026-12-01")), Some(d("2026-11-01")), 50)
    );

    let targets: Vec<&str> = n.links.iter().map(|l| l.target.as_str()).collect();
    assert!(
        targets.contains(&"Rust Meetup") && targets.contains(&"Tomás"),
        "{targets:?}"
    );
    assert!(
        !targets.contains(&"Nobody"),
        "links in code blocks do not count"
    );
    assert!(n.tags.iter().any(|t| t == "climbing"));
    assert!(!n.tags.iter().any(|t| t == "nottag"));
    let body_link = n.links.iter().find(|l| l.target == "Tomás").unwrap();
    assert_eq!((body_link.line, body_link.column), (28, 10));
}

#[test]
fn kinds_by_folder_date_and_type() {
    assert_eq!(p("people/a.md", "").kind, NoteKind::Person);
    assert_eq!(p("events/x.md", "").kind, NoteKind::Event);
    assert_eq!(p("resources/x.md", "").kind, NoteKind::Resource);
    assert_eq!(p("journal/2026-11-20.md", "").kind, NoteKind::Journal);
    assert_eq!(p("2026-11-20 thoughts.md", "").kind, NoteKind::Journal);
    assert_eq!(p("notes/x.md", "").kind, NoteKind::Other);
    assert_eq!(p("people.md", "").kind, NoteKind::Other);
    let typed = p("notes/x.md", "---\ntype: person\nname: Ann\n---\n");
    assert_eq!(typed.kind, NoteKind::Person);
    assert_eq!(typed.person.unwrap().name, "Ann");
    let j = p("journal/2026-11-20.md", "Saw [[Ann]].");
    assert_eq!(j.date, Some(d("2026-11-20")));
    let ev = p(
        "events/meetup.md",
        "---\nname: Rust Meetup\ndate: 2026-11-14\nattendees: [\"[[Ann]]\", \"[[Bo|Bo B]]\"]\n---\n",
    );
    let e = ev.event.unwrap();
    assert_eq!(e.attendees, ["Ann", "Bo"]);
    assert_eq!(ev.date, Some(d("2026-11-14")));
    let r = p(
        "resources/article.md",
        "---\ntitle: Structured interviews\nurl: https://x\nadded: 2026-11-01\ntags: hiring\n---\n",
    );
    assert_eq!(r.resource.unwrap().tags, ["hiring"]);
}

#[test]
fn bom_crlf_and_fence_variants() {
    let n = p(
        "people/a.md",
        "\u{feff}---  \r\nname: Ann\r\n---\t\r\n## Log\r\n### 2026-01-02 - x\r\n",
    );
    assert!(n.has_bom && n.crlf);
    assert!(n.diagnostics.is_empty(), "{:#?}", n.diagnostics);
    assert_eq!(&*n.entries[0].title, "x");
    assert_eq!(n.entries[0].line, 5);
    // `...` closes too; `----` is not front matter.
    assert_eq!(p("people/a.md", "---\nname: Ann\n...\nbody").title, "Ann");
    let four = p("people/a.md", "----\nname: Ann\n----\n");
    assert_eq!(
        found(&four),
        [(
            1,
            1,
            Severity::Warning,
            "`----` is not front matter, which opens with exactly `---`".to_string()
        )]
    );
    // Empty and comment-only front matter are an empty record.
    assert!(p("notes/a.md", "---\n---\nbody").diagnostics.is_empty());
    assert!(
        p("notes/a.md", "---\n# just a comment\n---\n")
            .diagnostics
            .is_empty()
    );
    // Front matter only, without final newline.
    assert_eq!(p("people/a.md", "---\nname: Ann\n---").title, "Ann");
}

#[test]
fn bad_yaml_syntax_points_at_the_line() {
    only_error_at(
        &p("people/a.md", "---\nname: Ann\ntags: [a, b\nrole: x\n---\n"),
        4,
        5,
        "front matter is not valid YAML",
    );
    only_error_at(
        &p("people/a.md", "---\nname: Ann\nname: Bo\n---\n"),
        3,
        1,
        "front matter is not valid YAML: duplicate",
    );
    let tab = p("people/a.md", "---\nname: Ann\nlinks:\n\tx: y\n---\n");
    assert_eq!(found(&tab)[0].0, 4, "{:#?}", found(&tab));
}

#[test]
fn unclosed_front_matter_is_never_read_as_yaml() {
    let n = p("people/a.md", "---\nname: Ann\n\nBody: looks like yaml\n");
    only_error_at(&n, 1, 1, "the front matter opened here is never closed");
    assert!(n.front.is_none());
}

#[test]
fn front_matter_that_is_a_list_or_scalar() {
    only_error_at(
        &p("people/a.md", "---\n- a\n- b\n---\n"),
        2,
        1,
        "front matter must be a set of `key: value`",
    );
    only_error_at(
        &p("people/a.md", "---\njust text\n---\n"),
        2,
        1,
        "front matter must be a set of `key: value`",
    );
}

#[test]
fn mistyped_fields_and_impossible_dates() {
    let n = p(
        "people/a.md",
        "---\nname: Ann\nemails: {a: b}\norg: [x, y]\nmet: 2026-13-45\ncadence: 30\nbirthday: --02-30\nsnooze_until: soon\nlinks: {a: 1}\n---\n",
    );
    let f = found(&n);
    let at: Vec<(usize, usize)> = f.iter().map(|x| (x.0, x.1)).collect();
    assert_eq!(
        at,
        [(3, 9), (4, 6), (5, 6), (6, 10), (7, 11), (8, 15), (9, 8)],
        "{f:#?}"
    );
    assert!(f[2].3.contains("there is no month 13"));
    assert!(f[3].3.contains("has no unit"));
    assert!(f[4].3.contains("February has 29 days"));
    assert!(n.diagnostics.iter().all(|d| d.hint.is_some()));
    // The person is still usable.
    assert_eq!(n.person.unwrap().name, "Ann");
}

#[test]
fn missing_or_empty_name_is_the_file_name() {
    // Obsidian makes notes without `name:`; the file name is the name, as
    // Obsidian shows it, and that is not an error (the hook would block it).
    for src in [
        "---\norg: X\n---\n",
        "---\nname:\n---\n",
        "no front matter\n",
        "",
    ] {
        let n = p("people/Ann Lee.md", src);
        assert!(n.diagnostics.is_empty(), "{src:?}: {:#?}", n.diagnostics);
        assert_eq!(n.title, "Ann Lee", "{src:?}");
        assert_eq!(n.person.unwrap().name, "Ann Lee");
    }
}

#[test]
fn misspelt_keys_are_warnings() {
    let n = p(
        "people/a.md",
        "---\nname: Ann\nintrests: [x]\nmy_own_key: 1\n---\n",
    );
    let f = found(&n);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0, f[0].2), (3, Severity::Warning));
    assert!(f[0].3.contains("did you mean `interests`"));
}

#[test]
fn invalid_utf8_is_located_and_the_rest_is_read() {
    let n = parse(
        Path::new("people/a.md"),
        b"---\nname: Jos\xe9\n---\n[[Ann]]\n",
    );
    only_error_at(&n, 2, 10, "the file is not valid UTF-8");
    assert_eq!(n.links[0].target, "Ann");
}

#[test]
fn binary_junk_and_empty_files() {
    only_error_at(
        &parse(Path::new("notes/a.md"), b"\x00\x01\x02\xff"),
        1,
        1,
        "this looks like a binary file",
    );
    assert!(p("notes/a.md", "").diagnostics.is_empty());
    // An empty person note, as Obsidian makes one, is named by its file.
    let empty = p("people/Ann Lee.md", "");
    assert!(empty.diagnostics.is_empty(), "{:#?}", empty.diagnostics);
    assert_eq!(empty.title, "Ann Lee");
}

#[test]
fn deep_nesting_and_alias_bombs_are_errors_not_crashes() {
    let deep = format!(
        "---\nname: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let n = p("people/a.md", &deep);
    // Cut off at the bracket that goes one level too deep (the map is level 1).
    assert_eq!(found(&n)[0].0, 2);
    assert_eq!(found(&n)[0].1, "name: ".len() + 128);
    assert!(found(&n)[0].3.contains("nested more than 128 levels deep"));
    let mut block = String::from("---\nname: Ann\nx:\n");
    for i in 0..2000 {
        block.push_str(&" ".repeat(i + 1));
        block.push_str("y:\n");
    }
    block.push_str("---\n");
    let n = p("people/a.md", &block);
    // `x:` is level 1 on line 3; ` y:` on line 4 is level 2, so line 131 is 129.
    assert_eq!(
        found(&n)
            .iter()
            .map(|f| (f.0, f.1, f.3.contains("nested more than 128")))
            .collect::<Vec<_>>(),
        vec![(131, 129, true)]
    );
    let mut bomb = String::from("---\nname: Bomb\na: &a [x,x,x,x,x,x,x,x,x]\n");
    for (prev, cur) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        bomb.push_str(&format!(
            "{cur}: &{cur} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    bomb.push_str("---\n");
    let started = std::time::Instant::now();
    let n = p("people/a.md", &bomb);
    assert_eq!(found(&n).len(), 1);
    assert!(
        started.elapsed().as_secs() < 10,
        "alias bomb must be cut off"
    );
    // Deeply nested Markdown is fine too.
    let md = format!("{}x\n", "> ".repeat(5_000));
    assert!(p("notes/a.md", &md).diagnostics.is_empty());
    let list = format!("{}- x\n", "  ".repeat(5_000));
    let _ = p("notes/a.md", &list);
}

#[test]
fn two_megabyte_single_line() {
    let mut s = String::from("---\nname: Ann\n---\n");
    s.push_str(&"word #tag [[Bo]] ".repeat(120_000));
    let n = p("people/a.md", &s);
    assert!(n.diagnostics.is_empty());
    assert!(n.links.len() == 120_000);
}

#[test]
fn entry_titles_and_levels() {
    let n = p(
        "notes/x.md",
        "# 2026-01-01\n## 2026-01-02 — long dash\n# 2026-01-03 | pipe\n## 2026-01-04 2026 plan\n#### 2026-01-05: colon\n# Later\ntext\n",
    );
    let t: Vec<(&str, usize)> = n
        .entries
        .iter()
        .map(|e| (&*e.title, e.line as usize))
        .collect();
    assert_eq!(
        t,
        [
            ("", 1),
            ("long dash", 2),
            ("pipe", 3),
            ("2026 plan", 4),
            ("colon", 5)
        ]
    );
    // An entry runs to the next heading of the same or a higher level.
    let n = p(
        "notes/x.md",
        "## 2026-01-01\na\n### sub\nb [[X]]\n## next\nc [[Y]]\n",
    );
    assert_eq!(n.entries[0].links(), ["X"]);
    assert!(n.entry_text(&n.entries[0]).unwrap().contains("### sub"));
    assert_eq!(
        n.links.iter().find(|l| l.target == "Y").unwrap().entry,
        None
    );
    // A heading that starts with an impossible date is not an entry.
    assert!(p("notes/x.md", "## 2026-02-30 x\n").entries.is_empty());
}

#[test]
fn hashtags_rules() {
    let tags: Vec<String> = hashtags("#a x#b (#c) #1 #1a #tag/sub- https://x/#frag")
        .into_iter()
        .map(|t| t.0)
        .collect();
    assert_eq!(tags, ["a", "c", "1a", "tag/sub"]);
}

#[test]
fn an_impossible_date_in_a_log_heading_is_an_error_not_an_entry() {
    let n = p(
        "people/a.md",
        "---\nname: Ann\n---\n## Log\n### 2026-02-30 · call\n### 2026-02-28 · ok\n#### 2026-1-01 not a date shape\n",
    );
    only_error_at(&n, 5, 5, "log entry heading: impossible date `2026-02-30`");
    assert_eq!(n.entries.len(), 1);
    // In a journal note too, and with the date indented after the hashes.
    let n = p("journal/2026-01-01.md", "#   2026-04-31\n");
    only_error_at(&n, 1, 5, "log entry heading: impossible date `2026-04-31`");
}

#[test]
fn entries_links_and_tags_find_their_innermost_entry() {
    let n = p(
        "people/a.md",
        "---\nname: Ann\ntags: [b, A, b]\n---\n#a top\n## 2026-01-01 · outer\n#x [[P]]\n### 2026-01-02 · inner\n#y [[Q]] #x\n#### sub\n#z\n## Notes\n#w [[R]]\n## 2026-01-03\n#X\n",
    );
    let e: Vec<_> = n
        .entries
        .iter()
        .map(|e| (e.date.to_string(), e.tags().to_vec(), e.links().to_vec()))
        .collect();
    assert_eq!(
        e,
        vec![
            (
                "2026-01-01".into(),
                vec!["x".to_string()],
                vec!["P".to_string()]
            ),
            (
                "2026-01-02".into(),
                vec!["y".to_string(), "x".into(), "z".into()],
                vec!["Q".to_string()]
            ),
            ("2026-01-03".into(), vec!["X".to_string()], vec![]),
        ]
    );
    // Front-matter tags first (the last of a repeated one counts), then the
    // body's, each once whatever its case.
    // (`A` is in the body already, as `#a`, so it keeps that place.)
    assert_eq!(n.tags, vec!["b", "a", "x", "y", "z", "w"]);
    assert_eq!(n.entries[0].end_line, 12);
    assert_eq!(n.entries[1].end_line, 12);
}

#[test]
fn many_keys_and_tags_are_read_whole() {
    let mut s = String::from("---\nname: Ann\n");
    for i in 0..5000 {
        s.push_str(&format!("k{i}: \"[[P{i}]]\"\n"));
    }
    s.push_str("---\n");
    for i in 0..5000 {
        s.push_str(&format!("#t{i} "));
    }
    let n = p("people/a.md", &s);
    assert_eq!(found(&n), vec![]);
    assert_eq!(n.tags.len(), 5000);
    assert_eq!(n.links.len(), 5000);
    assert_eq!((n.links[4999].line, n.links[4999].column), (5002, 8));
}

mod props {
    use super::*;
    use crate::write::plan_log_append;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let n = parse(Path::new("people/x.md"), &bytes);
            for d in &n.diagnostics {
                prop_assert!(d.line >= 1 && d.column >= 1);
            }
        }

        #[test]
        fn parsing_markdownish_text_never_panics(s in "(---\n|name: |\\[\\[|\\]\\]|#|- \\[ \\] |\n|### 2026-11-2[0-9] |[a-zé ]{0,8}|:|\r\n|`{3}|\\{|\\}|&a |\\*a){0,60}") {
            let _ = p("people/x.md", &s);
        }

        #[test]
        fn append_keeps_original_bytes_and_round_trips(
            front in "(name: Ann\n|org: \"NO\"\n|# comment\n|zz: [1, 2]\n){0,4}",
            body in "([a-z ]{0,20}\n|## Log\n|## Notes\n|### 2026-01-0[1-9] · x\n|```\n|\n){0,12}",
            crlf in any::<bool>(),
            bom in any::<bool>(),
            text in "[a-zA-Z ,.]{1,40}",
        ) {
            let mut src = format!("---\nname: Ann\n{front}---\n{body}");
            if crlf { src = src.replace('\n', "\r\n"); }
            if bom { src.insert(0, '\u{feff}'); }
            let before = parse(Path::new("people/ann.md"), src.as_bytes());
            let splice = plan_log_append(src.as_bytes(), d("2026-12-24"), Some("xmas"), &text);
            let out = splice.apply(src.as_bytes());
            // Only bytes were inserted: what was before and after the splice is intact.
            prop_assert_eq!(&out[..splice.offset], &src.as_bytes()[..splice.offset]);
            prop_assert_eq!(&out[splice.offset + splice.insert.len()..], &src.as_bytes()[splice.offset..]);
            let after = parse(Path::new("people/ann.md"), &out);
            prop_assert_eq!(after.person.as_ref().map(|p| &p.name), before.person.as_ref().map(|p| &p.name));
            let new_entry = after.entries.iter().find(|e| e.date == d("2026-12-24"));
            prop_assert!(new_entry.is_some(), "entry not found in {:?}", String::from_utf8_lossy(&out));
            let e = new_entry.unwrap();
            prop_assert_eq!(e.line as usize, splice.heading_line);
            prop_assert_eq!(&*e.title, "xmas");
            prop_assert_eq!(after.entry_text(e).unwrap(), text.trim());
            prop_assert_eq!(after.entries.len(), before.entries.len() + 1);
            if crlf { prop_assert!(!String::from_utf8_lossy(&out).replace("\r\n", "").contains('\n')); }
        }
    }
}

#[test]
fn tasks_plugin_statuses_dates_and_dataview_fields() {
    let n = p(
        "people/a.md",
        "---\nname: Ann\n---\n\
- [ ] plain 📅 2026-11-25 ⏳ 2026-11-20 🛫 2026-11-18\n\
- [/] started [due:: 2026-12-01] [scheduled:: 2026-11-28]\n\
- [-] dropped\n\
- [x] sent ✅ 2026-11-21\n\
- [ ] field (start:: 2026-11-30) [completion:: 2026-12-02]\n\
- [ ] selector ⏳\u{fe0f} 2026-11-22\n\
- [a] not a task\n",
    );
    assert!(n.diagnostics.is_empty(), "{:#?}", n.diagnostics);
    let got: Vec<_> = n
        .promises
        .iter()
        .map(|p| (p.status, p.done, p.due, p.scheduled, p.start, p.completed))
        .collect();
    use TaskStatus::*;
    assert_eq!(
        got,
        [
            (
                Open,
                false,
                Some(d("2026-11-25")),
                Some(d("2026-11-20")),
                Some(d("2026-11-18")),
                None
            ),
            (
                InProgress,
                false,
                Some(d("2026-12-01")),
                Some(d("2026-11-28")),
                None,
                None
            ),
            (Cancelled, true, None, None, None, None),
            (Done, true, None, None, None, Some(d("2026-11-21"))),
            (
                Open,
                false,
                None,
                None,
                Some(d("2026-11-30")),
                Some(d("2026-12-02"))
            ),
            (Open, false, None, Some(d("2026-11-22")), None, None),
        ]
    );
    assert_eq!(
        n.promises[1].text,
        "started [due:: 2026-12-01] [scheduled:: 2026-11-28]"
    );
    assert!(n.promises[1].is_open() && !n.promises[2].is_open());
    assert_eq!(n.promises[0].not_before(), Some(d("2026-11-20")));
}

#[test]
fn markdown_links_embeds_and_table_escaped_links_count() {
    let n = p(
        "events/meetup.md",
        "---\nname: Meetup\n---\n\
| who | note |\n|---|---|\n| [[Lena Fischer\\|Lena]] | x |\n\n\
[a](../people/Omar%20Haddad.md) [b](people/lena-fischer.md#Log) [c](/people/x.md)\n\
[web](https://example.com/a.md) [mail](mailto:a@b.c) [top](#top) [pdf](cv.pdf)\n\
![[Embedded Note]] ![[photo.png]] ![[Other.md#Part|x]]\n",
    );
    let targets: Vec<&str> = n.links.iter().map(|l| l.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "Lena Fischer",
            "people/Omar Haddad",
            "people/lena-fischer",
            "people/x",
            "Embedded Note",
            "Other"
        ]
    );
    // A `..` that leaves the vault is not a note.
    assert_eq!(
        markdown_link_target("../../x.md", Path::new("a/b.md")),
        None
    );
    assert_eq!(
        markdown_link_target("./Ann%20Lee.md", Path::new("people/b.md")).as_deref(),
        Some("people/Ann Lee")
    );
}

#[test]
fn flat_met_and_links_list_are_read_and_old_shapes_warn() {
    let n = p(
        "people/a.md",
        "---\nname: Ann\nmet: 2026-11-18\nmet_at: \"[[Rust Meetup]]\"\nlinks:\n  - https://www.linkedin.com/in/ann\n  - https://github.com/ann\n---\n",
    );
    assert!(n.diagnostics.is_empty(), "{:#?}", n.diagnostics);
    let pe = n.person.as_ref().unwrap();
    let met = pe.met.as_ref().unwrap();
    assert_eq!(
        (met.date, met.event.as_deref()),
        (Some(d("2026-11-18")), Some("Rust Meetup"))
    );
    assert_eq!(
        pe.links,
        [
            (
                "linkedin".to_string(),
                "https://www.linkedin.com/in/ann".to_string()
            ),
            ("github".to_string(), "https://github.com/ann".to_string())
        ]
    );
    assert!(n.links.iter().any(|l| l.target == "Rust Meetup"));

    let old = p(
        "people/a.md",
        "---\nname: Ann\nmet: {date: 2026-11-18, event: \"[[Rust Meetup]]\"}\nlinks:\n  gh: https://github.com/ann\n---\n",
    );
    let f = found(&old);
    assert_eq!(
        f.iter().map(|x| (x.0, x.1, x.2)).collect::<Vec<_>>(),
        [(3, 6, Severity::Warning), (4, 7, Severity::Warning)],
        "{f:#?}"
    );
    let hint = old.diagnostics[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("`met: 2026-11-18` and `met_at: \"[[Rust Meetup]]\"`"),
        "{hint}"
    );
    let op = old.person.unwrap();
    assert_eq!(op.met.unwrap().event.as_deref(), Some("Rust Meetup"));
    assert_eq!(op.links[0].0, "gh");
}

#[test]
fn links_read_as_their_label_in_quoted_prose() {
    assert_eq!(
        links_as_text("[[hannah-vogel|Hannah Vogel]] met [[Omar]] and ![[x#h]], [[a\\|b]] [[open"),
        "Hannah Vogel met Omar and x#h, b [[open"
    );
}

#[test]
fn yaml_1_1_types_match_pyyaml() {
    // Each expectation checked with PyYAML 6.0.3 `safe_load("k: …")`.
    let typed = [
        "+4712345678",
        "01234",
        "012",
        "yes",
        "No",
        "on",
        "OFF",
        "true",
        "1_000",
        "1:20",
        "190:20:30",
        "2026-11-18",
        "1.10",
        "1.0e+5",
        ".5",
        ".inf",
        "~",
        "null",
        "0",
        "-7",
        "0x1F",
        "0b101",
        "12:30",
    ];
    let text = [
        "089", "y", "n", "1:60", "2026-1-5", "1e5", "Berlin", "1.2.3", "v1.0", "+",
    ];
    for t in typed {
        assert!(yaml11_type(t).is_some(), "{t} is typed by PyYAML");
    }
    for t in text {
        assert_eq!(yaml11_type(t), None, "{t} is text to PyYAML");
    }
}

#[test]
fn values_other_yaml_readers_retype_are_warnings_with_a_quote_hint() {
    let n = p(
        "people/a.md",
        "---\nname: Ann\nphones: +4712345678\nlocation: 01234 # zip\ntags: [rust, yes]\naliases:\n  - \"NO\"\n  - on\nmy_flag: off\nmy_count: 12\nmy_time: 1:20\nbirthday: 1990-01-02\nmet: 2026-11-18\nrole: \"007\"\n---\n",
    );
    let f = found(&n);
    let at: Vec<(usize, usize)> = f.iter().map(|x| (x.0, x.1)).collect();
    assert_eq!(
        at,
        [(3, 9), (4, 11), (5, 14), (8, 5), (9, 10), (11, 10)],
        "{f:#?}"
    );
    assert!(f.iter().all(|x| x.2 == Severity::Warning));
    assert!(
        f[0].3.contains("`+4712345678` is read as a number"),
        "{f:#?}"
    );
    assert_eq!(
        n.diagnostics[1].hint.as_deref(),
        Some("quote it: `\"01234\"`, so every tool reads the same text")
    );
    // kith itself still reads the text as written.
    assert_eq!(n.person.unwrap().phones, ["+4712345678"]);
}
