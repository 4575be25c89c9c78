//! Attacks on the Obsidian, Tasks-plugin and give-first features: each test
//! is a finding (or a hold) from trying to break them.

use crate::support::TestVault;

/// Obsidian's link rule, written independently of kith: a target resolves
/// by file name ignoring case, or by a path suffix when it holds a `/`.
fn obsidian_resolves(files: &[&str], target: &str) -> Vec<String> {
    let t = target.trim().to_lowercase();
    let t = t.strip_suffix(".md").unwrap_or(&t).to_string();
    files
        .iter()
        .filter(|f| {
            let p = f.strip_suffix(".md").unwrap().to_lowercase();
            let stem = p.rsplit('/').next().unwrap().to_string();
            if t.contains('/') {
                p == t || p.ends_with(&format!("/{t}"))
            } else {
                stem == t
            }
        })
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn fix_links_leaves_yaml_comments_alone() {
    let v = TestVault::new();
    v.person("lena-fischer", "Lena Fischer", "", "");
    let before = "---\r\nname: Omar\r\nmet_at: \"[[Lena Fischer]]\" # was [[Lena Fischer]] at 'the' bar\r\nnote: it's [[Lena Fischer]] # [[Lena Fischer]]\r\n# [[Lena Fischer]]\r\n---\r\n[[Lena Fischer]]\r\n";
    v.write_bytes("people/omar.md", before.as_bytes());
    v.kith(["fix", "links", "--write"]).ok();
    let after = v.read("people/omar.md");
    assert_eq!(
        after,
        "---\r\nname: Omar\r\nmet_at: \"[[lena-fischer|Lena Fischer]]\" # was [[Lena Fischer]] at 'the' bar\r\nnote: it's [[lena-fischer|Lena Fischer]] # [[Lena Fischer]]\r\n# [[Lena Fischer]]\r\n---\r\n[[lena-fischer|Lena Fischer]]\r\n"
    );
    v.kith(["fix", "links"]).ok().stdout_lacks("→");
}

#[test]
fn fix_links_byte_exact_and_every_rewritten_link_opens_in_obsidian() {
    let v = TestVault::new();
    v.person("lena-fischer", "Lena Fischer", "", "");
    v.note("people/Ann Lee.md", "---\nname: Ann Lee\n---\n");
    v.note(
        "people/team/Ann Lee.md",
        "---\nname: Ann Lee Two\naliases: [Annie]\n---\n",
    );
    let mut body = b"\xef\xbb\xbf---\r\nname: Omar\r\n---\r\n".to_vec();
    body.extend_from_slice(
        "- [[Lena Fischer]] `[[Lena Fischer]]` ![[Lena Fischer]] [[Lena Fischer#Log]] [[Lena Fischer#^abc]] [[Lena Fischer ]] [[LENA FISCHER|x]] [[Nobody]] [[Annie]] [[lena-fischer]]\r\n\r\n```\r\n[[Lena Fischer]]\r\n```\r\n\r\n| a | b |\r\n|---|---|\r\n| [[Lena Fischer\\|L]] | [[Lena Fischer]] |\r\n\r\n    [[Lena Fischer]] code\r\n<!-- [[Lena Fischer]] -->\r\n"
            .as_bytes(),
    );
    v.write_bytes("people/omar.md", &body);
    v.kith(["fix", "links"]).ok();
    assert_eq!(
        v.read_bytes("people/omar.md"),
        body,
        "a dry run writes nothing"
    );
    v.kith(["fix", "links", "--write"]).ok();
    let after = v.read_bytes("people/omar.md");
    assert!(after.starts_with(b"\xef\xbb\xbf---\r\n"));
    let after = String::from_utf8(after).unwrap();
    assert_eq!(
        after,
        "\u{feff}---\r\nname: Omar\r\n---\r\n- [[lena-fischer|Lena Fischer]] `[[Lena Fischer]]` ![[lena-fischer|Lena Fischer]] [[lena-fischer#Log|Lena Fischer]] [[lena-fischer#^abc|Lena Fischer]] [[lena-fischer|Lena Fischer]] [[lena-fischer|x]] [[Nobody]] [[people/team/Ann Lee|Annie]] [[lena-fischer]]\r\n\r\n```\r\n[[Lena Fischer]]\r\n```\r\n\r\n| a | b |\r\n|---|---|\r\n| [[lena-fischer\\|L]] | [[lena-fischer\\|Lena Fischer]] |\r\n\r\n    [[Lena Fischer]] code\r\n<!-- [[Lena Fischer]] -->\r\n"
    );
    let files = [
        "people/lena-fischer.md",
        "people/Ann Lee.md",
        "people/team/Ann Lee.md",
        "people/omar.md",
    ];
    for t in ["lena-fischer", "people/team/Ann Lee"] {
        assert_eq!(obsidian_resolves(&files, t).len(), 1, "{t}");
    }
    v.kith(["fix", "links"]).ok().stdout_lacks("→");
}

#[test]
fn done_ticks_an_in_progress_task_and_keeps_its_other_fields() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "",
        "## Promises\n- [/] send the deck 📅 2026-11-01 ⏳ 2026-10-20 🛫 2026-10-01 [due:: 2026-11-01]\r\n- [ ] later 📅 2026-11-10 ⏳ 2026-12-01\n",
    );
    // Scheduled in the future: not nagged even though its due date passed.
    v.kith(["digest", "--as-of", "2026-11-15"])
        .ok()
        .stdout_has("send the deck")
        .stdout_lacks("later");
    v.kith(["done", "ann", "deck", "--date", "2026-11-15"]).ok();
    assert_eq!(
        v.read("people/ann.md"),
        "---\nname: Ann\n---\n## Promises\n- [x] send the deck 📅 2026-11-01 ⏳ 2026-10-20 🛫 2026-10-01 [due:: 2026-11-01] ✅ 2026-11-15\r\n- [ ] later 📅 2026-11-10 ⏳ 2026-12-01\n"
    );
}

#[test]
fn an_ignore_glob_with_many_stars_does_not_hang_the_vault_walk() {
    let v = TestVault::new();
    v.person(&"a".repeat(60), "A", "", "");
    v.note(
        ".kith/config.yaml",
        "ignore:\n  - \"*a*a*a*a*a*a*a*a*a*a*b\"\n",
    );
    // Bounded: the old backtracking glob ran for minutes on this.
    let mut child = std::process::Command::new(crate::support::KITH)
        .args(["--vault", v.root.to_str().unwrap(), "list"])
        .env_remove("KITH_VAULT")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(
        status.is_some_and(|s| s.success()),
        "kith list hung or failed"
    );
    v.kith(["list"]).ok().stdout_has("people/aaaa");
}

#[test]
fn graph_labels_with_quotes_tags_hashes_and_newlines_stay_one_valid_line() {
    let v = TestVault::new();
    v.note(
        "people/ann.md",
        "---\nname: \"Ann \\\"Q\\\" <b>#1</b>\\nsecond line\"\n---\n- 2026-10-01 with [[bo]]\n",
    );
    v.person("bo", "Bo", "", "");
    let out = v.kith(["graph"]).ok().stdout;
    let line = out
        .lines()
        .find(|l| l.contains("n_people_2fann["))
        .expect("Ann's node");
    assert_eq!(
        line,
        "  n_people_2fann[\"Ann #quot;Q#quot; #lt;b#gt;#35;1#lt;/b#gt; second line\"]"
    );
    assert!(!out.contains("<b>"), "{out}");
    if which("dot") {
        let dot = v.kith(["graph", "--format", "dot"]).ok().stdout;
        let mut c = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        c.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
        assert!(c.wait().unwrap().success(), "{dot}");
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "graphviz `dot` missing in CI"
        );
    }
}

fn which(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn brief_keeps_unknown_attendee_names_with_commas_and_nested_brackets_whole() {
    let v = TestVault::new();
    v.person("ann", "Ann", "circle: close", "");
    v.note(
        "events/meetup.md",
        "---\nname: Meetup\ndate: 2026-11-20\nattendees: [\"[[ann]]\", \"[[ann]]\", \"Smith, John (ACME)\", \"Kim (ACME (EU))\", \"Ravi Patel, Ferrous Systems\"]\n---\n",
    );
    v.kith(["brief", "meetup", "--as-of", "2026-11-15"])
        .ok()
        .stdout_has("**Smith, John** (ACME)")
        .stdout_has("**Kim** (ACME (EU))")
        .stdout_has("**Ravi Patel** (Ferrous Systems)");
}

/// Obsidian opens `[[team/Ann Lee]]` as `people/team/Ann Lee.md` (a path
/// suffix, by whole folders): kith resolves it the same way, not as a
/// dangling link, and a suffix that is not whole folders stays dangling.
#[test]
fn a_path_suffix_link_resolves_as_in_obsidian() {
    let v = TestVault::new();
    v.note("people/Ann Lee.md", "---\nname: Ann Lee\n---\n");
    v.note("people/team/Ann Lee.md", "---\nname: Ann Lee Two\n---\n");
    v.note(
        "people/omar.md",
        "---\nname: Omar\n---\n## Log\n### 2026-11-01\nlunch with [[team/Ann Lee]] and [[eam/Ann Lee]]\n",
    );
    let files = [
        "people/Ann Lee.md",
        "people/team/Ann Lee.md",
        "people/omar.md",
    ];
    assert_eq!(
        obsidian_resolves(&files, "team/Ann Lee"),
        ["people/team/Ann Lee.md"]
    );
    assert!(obsidian_resolves(&files, "eam/Ann Lee").is_empty());
    v.kith(["check"])
        .run()
        .stdout_lacks("[[team/Ann Lee]] matches no note")
        .stdout_has("[[eam/Ann Lee]] matches no note");
    v.kith(["show", "Ann Lee Two"])
        .ok()
        .stdout_has("2026-11-01");
}
