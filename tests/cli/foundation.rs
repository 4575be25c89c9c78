//! The foundation: init, new, log, show, check, vault discovery, bad input.

use crate::support::TestVault;

fn lena(v: &TestVault) {
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "aliases: [Lenny]\nemails: [lena@example.com]\norg: Acme\ncircle: close",
        "\nBio line.\n\n## Log\n\n### 2026-11-01 · coffee\n\nTalked about hiring.\n",
    );
}

#[test]
fn init_creates_a_vault_with_git_and_is_idempotent() {
    let v = TestVault::bare();
    v.kith_here(["init"]).ok().stdout_has("ran git init");
    assert!(v.path(".kith/config.yaml").is_file());
    assert!(v.path("people").is_dir());
    assert!(v.path(".git").is_dir());
    assert!(v.read(".gitignore").contains(".kith/cache/"));
    let cfg = v.read(".kith/config.yaml");
    v.kith_here(["init"]).ok().stdout_has("nothing to do");
    assert_eq!(v.read(".kith/config.yaml"), cfg);
    assert_eq!(v.read(".gitignore").matches(".kith/cache/").count(), 1);
}

#[test]
fn new_creates_a_note_and_refuses_a_taken_name() {
    let v = TestVault::new();
    lena(&v);
    v.kith([
        "new",
        "Zoë Ångström",
        "--org",
        "NO",
        "--tag",
        "rust",
        "--met-on",
        "2026-11-20",
        "--circle",
        "active",
    ])
    .ok()
    .stdout_has("people/zoe-angstrom.md");
    let text = v.read("people/zoe-angstrom.md");
    assert!(text.contains("name: Zoë Ångström\n"), "{text}");
    assert!(text.contains("org: \"NO\"\n"), "{text}");
    assert!(text.contains("met: 2026-11-20\n"), "{text}");
    v.kith(["check"]).ok();
    // Name, alias and accent-folded name are all taken.
    v.kith(["new", "lena fischer"])
        .code(1)
        .stderr_has("people/lena-fischer.md");
    v.kith(["new", "Lenny"]).code(1).stderr_has("alias");
    // Another name with Lena's email (any case) is Lena again.
    v.kith(["new", "L. Fischer", "--email", "LENA@example.com"])
        .code(1)
        .stderr_has("the email of Lena Fischer");
    assert!(!v.path("people/l-fischer.md").exists());
    v.kith(["new", "Zoe Angstrom"])
        .code(1)
        .stderr_has("zoe-angstrom.md");
    v.kith(["new", "X", "--circle", "bestie"])
        .code(2)
        .stderr_has("close, active");
    v.kith(["new", "Y", "--met-on", "2026-02-30"])
        .code(2)
        .stderr_has("February 2026 has 28 days");
}

#[test]
fn log_appends_only_its_own_bytes() {
    let v = TestVault::new();
    let original = "\u{feff}---\r\nname: Lena Fischer # keep this comment\r\nzeta: unknown key\r\nalpha: [1, 2]\r\n---\r\nBio.\r\n\r\n## Log\r\n\r\n### 2026-11-01 · coffee\r\n\r\nHiring.\r\n\r\n## Notes\r\n\r\nLikes tea.\r\n";
    v.note("people/lena.md", original);
    v.kith([
        "log",
        "lena",
        "Dinner at Mira's.\nShe wants the article.",
        "--date",
        "2026-11-20",
        "--title",
        "dinner",
    ])
    .ok()
    .stdout_has("people/lena.md:14");
    let after = v.read("people/lena.md");
    let expected = original.replace(
        "Hiring.\r\n\r\n## Notes",
        "Hiring.\r\n\r\n### 2026-11-20 · dinner\r\n\r\nDinner at Mira's.\r\nShe wants the article.\r\n\r\n## Notes",
    );
    assert_eq!(after, expected);
    let show = v.kith(["show", "Lena Fischer", "--json"]).ok().json();
    assert_eq!(show["entries"][0]["date"], "2026-11-20");
    assert_eq!(show["entries"][0]["line"], 14);
}

#[test]
fn log_creates_the_log_section_and_keeps_permissions() {
    let v = TestVault::new();
    v.note("people/omar.md", "---\nname: Omar Haddad\n---\nNo log yet");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            v.path("people/omar.md"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    v.kith(["log", "omar", "met for lunch", "--date", "2026-11-02"])
        .ok();
    assert_eq!(
        v.read("people/omar.md"),
        "---\nname: Omar Haddad\n---\nNo log yet\n\n## Log\n\n### 2026-11-02\n\nmet for lunch\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(v.path("people/omar.md"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // Text from stdin.
    v.kith(["log", "omar", "-", "--date", "2026-11-03"])
        .stdin("from stdin\n")
        .ok();
    assert!(
        v.read("people/omar.md")
            .ends_with("### 2026-11-03\n\nfrom stdin\n")
    );
}

#[test]
fn person_resolution_by_alias_email_slug_and_suggestions() {
    let v = TestVault::new();
    lena(&v);
    v.person("lena-berg", "Lena Berg", "", "");
    v.person("tomas", "Tomás Müller", "", "");
    for q in [
        "Lenny",
        "LENA@example.com",
        "lena-fischer",
        "lena fischer",
        "LENA FISCHER",
    ] {
        v.kith(["show", q, "--json"])
            .ok()
            .stdout_has("\"name\": \"Lena Fischer\"");
    }
    v.kith(["show", "tomas muller"])
        .ok()
        .stdout_has("Tomás Müller");
    v.kith(["show", "lena"])
        .code(2)
        .stderr_has("several people")
        .stderr_has("Lena Berg");
    v.kith(["show", "Lena Fishcer"])
        .code(2)
        .stderr_has("did you mean `Lena Fischer`");
    v.kith(["log", "nobody at all", "x"])
        .code(2)
        .stderr_has("no person matches");
}

#[test]
fn show_reports_last_contact_from_a_journal_note_and_promises() {
    let v = TestVault::new();
    lena(&v);
    v.note(
        "journal/2026-11-10.md",
        "Ran into [[Lenny]] at the station.\n\n- [ ] send [[Lena Fischer]] the hiring guide 📅 2026-11-30\n",
    );
    let j = v.kith(["show", "lena", "--json"]).env("TZ", "UTC").run();
    let j = j.ok().json();
    assert_eq!(j["last_contact"]["date"], "2026-11-10");
    assert_eq!(j["last_contact"]["source"], "mention");
    assert_eq!(j["promises"][0]["due"], "2026-11-30");
    assert_eq!(j["promises"][0]["path"], "journal/2026-11-10.md");
}

#[test]
fn check_reports_every_problem_with_line_and_column() {
    let v = TestVault::new();
    lena(&v);
    v.note(
        "people/bad.md",
        "---\nname: Bad Data\ncadence: 3x\nbirthday: 2026-13-45\nlast_contact: 2026-02-30\nintro_ok: yes\ncircle: bestie\n---\nSee [[Nobody Known]].\n",
    );
    v.note(
        "people/dup.md",
        "---\nname: Someone\naliases: [lena fischer]\nemails: [LENA@example.com]\n---\n",
    );
    v.note("people/broken.md", "---\nname: [unclosed\n---\n");
    v.note("people/open.md", "---\nname: Never Closed\n");
    let out = v.kith(["check"]).code(1);
    for want in [
        "people/bad.md:3:10: error: `3x` is not a cadence",
        "people/bad.md:4:11: error: impossible date `2026-13-45`: there is no month 13",
        "people/bad.md:5:15: error: `last_contact`: impossible date `2026-02-30`: February 2026 has 28 days",
        "people/bad.md:6:11: error: `intro_ok` must be true or false",
        "people/bad.md:7:9: error: unknown circle `bestie`",
        "people/bad.md:9:5: warning: link [[Nobody Known]] matches no note",
        "people/dup.md:3:10: error: duplicate name `lena fischer`: Lena Fischer (people/lena-fischer.md) has it too",
        "people/dup.md:4:9: error: duplicate email `LENA@example.com`",
        "people/broken.md:2:",
        "people/open.md:1:1: error: the front matter opened here is never closed",
        "hint: ",
    ] {
        assert!(
            out.stdout.contains(want),
            "missing {want:?} in\n{}",
            out.stdout
        );
    }
    let json = v.kith(["check", "--json"]).code(1).json();
    let arr = json.as_array().unwrap();
    assert!(arr.iter().any(|d| d["path"] == "people/bad.md"
        && d["line"] == 3
        && d["column"] == 10
        && d["severity"] == "error"));
    // Filtering by path still reads the whole vault (duplicates) but reports one note.
    let only = v.kith(["check", "people/dup.md", "--json"]).code(1).json();
    assert!(
        only.as_array()
            .unwrap()
            .iter()
            .all(|d| d["path"] == "people/dup.md")
    );
    // Warnings alone exit 0.
    let w = TestVault::new();
    w.note("people/a.md", "---\nname: A\n---\n[[Ghost]]\n");
    w.kith(["check"]).ok().stdout_has("warning");
}

#[test]
fn broken_notes_never_stop_the_others() {
    let v = TestVault::new();
    lena(&v);
    v.write_bytes("people/binary.md", b"\x00\x01\x02\xff\xfe garbage \x00");
    v.write_bytes("people/latin1.md", b"---\nname: Jos\xe9\n---\n");
    v.note("people/list.md", "---\n- a\n- b\n---\n");
    v.note("people/empty.md", "");
    v.note(
        "people/deep.md",
        &format!("---\nname: {}{}\n---\n", "[".repeat(5000), "]".repeat(5000)),
    );
    v.note(
        "people/long.md",
        &format!("---\nname: Long Line\n---\n{}\n", "word ".repeat(400_000)),
    );
    v.note("people/bomb.md", "---\nname: Bomb\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n---\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(v.path("people"), v.path("people/loop")).unwrap();
        std::os::unix::fs::symlink(v.path("nowhere.md"), v.path("people/dangling.md")).unwrap();
    }
    let out = v.kith(["check"]).code(1);
    assert!(
        out.stdout.contains("people/binary.md:1:1: error"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("people/latin1.md:2:10: error: the file is not valid UTF-8"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("people/list.md:2:1: error: front matter must be"),
        "{}",
        out.stdout
    );
    // An empty person note (as Obsidian makes one) is named by its file.
    assert!(!out.stdout.contains("people/empty.md"), "{}", out.stdout);
    assert!(out.stdout.contains("people/deep.md:2:"), "{}", out.stdout);
    assert!(out.stdout.contains("people/bomb.md:"), "{}", out.stdout);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    // Other commands warn once and carry on.
    let show = v.kith(["show", "Lena Fischer"]).ok();
    assert_eq!(
        show.stderr.matches("warning:").count(),
        1,
        "{}",
        show.stderr
    );
    v.kith(["show", "Long Line"]).ok();
}

#[test]
fn vault_is_found_from_flag_env_or_ancestor() {
    let v = TestVault::new();
    lena(&v);
    let sub = v.path("people");
    v.kith_here(["show", "lena fischer"])
        .cwd(&sub)
        .run()
        .ok()
        .stdout_has("Lena Fischer");
    let elsewhere = v.home().to_path_buf();
    v.kith_here(["show", "lena fischer"])
        .cwd(&elsewhere)
        .run()
        .code(2)
        .stderr_has("no vault found");
    v.kith_here(["show", "lena fischer"])
        .cwd(&elsewhere)
        .env("KITH_VAULT", v.root.to_str().unwrap())
        .run()
        .ok();
    // --vault works on a folder without .kith/.
    let bare = TestVault::bare();
    bare.person("a", "Ann Lee", "", "");
    bare.kith(["check"]).ok();
    bare.kith(["show", "ann"]).ok();
}

#[test]
fn completions_and_usage_errors() {
    let v = TestVault::new();
    v.kith(["completions", "bash"]).ok().stdout_has("kith");
    v.kith(["no-such-command"]).code(2);
    v.kith(["log", "x", "y", "--date", "2026-13-01"])
        .code(2)
        .stderr_has("no month 13");
}

#[test]
fn new_and_log_commit_just_that_note() {
    let v = TestVault::new();
    v.git_init();
    v.note("notes/other.md", "staged but not ours\n");
    v.git(&["add", "notes/other.md"]);
    v.kith(["new", "Omar Haddad", "--commit"]).ok();
    v.kith([
        "log",
        "omar",
        "dinner talk",
        "--title",
        "dinner",
        "--date",
        "2026-11-20",
        "--commit",
    ])
    .ok();
    let log = v.git(&["log", "--format=%s"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["log: Omar Haddad — dinner", "new: Omar Haddad"]
    );
    let files = v.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.trim(), "people/omar-haddad.md");
    // The other staged file is still staged, and was not committed.
    let status = v.git(&["status", "--porcelain"]);
    assert!(status.contains("A  notes/other.md"), "{status}");
    assert!(!status.contains("people/"), "{status}");
}
