//! Issue 14, "Capture --commit", "Reading" and "Honesty of every command":
//! commits through git's own checks, the digest for people on a terminal,
//! `show` with prose and backlinks, `search` that says when it finds
//! nothing, `--json` on every command, and mistakes that are errors.

use crate::support::{KITH, TestVault};

fn lena(v: &TestVault) {
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "org: Acme\ncircle: close\ntags: [rust, hiring]",
        "\n## Log\n\n### 2026-11-01 · coffee\n\nTalked about hiring.\n",
    );
}

// ---- --commit -------------------------------------------------------------

#[test]
fn commit_outside_git_says_written_not_committed_and_exits_0() {
    let v = TestVault::new();
    lena(&v);
    v.kith(["log", "lena", "Lunch about robots.", "--commit"])
        .ok()
        .stdout_has("logged")
        .stderr_has("written, not committed")
        .stderr_has("not inside a git repository")
        .stderr_has("hint:");
    assert!(
        v.read("people/lena-fischer.md")
            .contains("Lunch about robots.")
    );
    v.kith(["new", "Omar Haddad", "--commit"])
        .ok()
        .stderr_has("written, not committed");
    assert!(v.path("people/omar-haddad.md").exists());
}

#[test]
fn commit_runs_the_repository_hooks() {
    let v = TestVault::new();
    lena(&v);
    v.git_init();
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "start"]);
    v.note(
        ".git/hooks/pre-commit",
        "#!/bin/sh\necho 'no commits on fridays' >&2\nexit 1\n",
    );
    std::fs::set_permissions(
        v.path(".git/hooks/pre-commit"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    v.kith(["log", "lena", "Lunch.", "--commit"])
        .ok()
        .stderr_has("written, not committed")
        .stderr_has("no commits on fridays");
    let log = v.git(&["log", "--format=%s"]);
    assert_eq!(log.trim(), "start", "the hook was bypassed: {log}");
    // The refused commit leaves the index as the user had it: the note is
    // not staged, and what the user staged themselves still is.
    assert_eq!(v.git(&["diff", "--cached", "--name-only"]).trim(), "");
    v.note("people/omar.md", "---\nname: Omar Haddad\n---\n");
    v.git(&["add", "people/omar.md"]);
    v.kith(["log", "lena", "Tea.", "--commit"])
        .ok()
        .stderr_has("written, not committed");
    assert_eq!(
        v.git(&["diff", "--cached", "--name-only"]).trim(),
        "people/omar.md"
    );
    // A staged earlier version of the same note stays the staged version.
    v.git(&["add", "people/lena-fischer.md"]);
    let staged = v.git(&["show", ":people/lena-fischer.md"]);
    v.kith(["log", "lena", "Walk.", "--commit"])
        .ok()
        .stderr_has("written, not committed");
    assert_eq!(v.git(&["show", ":people/lena-fischer.md"]), staged);
    assert!(v.read("people/lena-fischer.md").contains("Walk."));
    // A new note from a refused commit is not left in the index.
    v.kith(["new", "Ana Costa", "--commit"])
        .ok()
        .stderr_has("written, not committed");
    let cached = v.git(&["diff", "--cached", "--name-only"]);
    assert!(!cached.contains("ana"), "{cached}");
}

#[test]
fn commit_message_names_person_and_title_not_the_whole_entry() {
    let v = TestVault::new();
    lena(&v);
    v.git_init();
    let long = format!("Lunch at the canal. {}", "She talked a lot. ".repeat(10));
    let text = format!("{long}\nSecond line.");
    v.kith(["log", "lena", text.as_str(), "--commit"])
        .ok()
        .stdout_has("committed");
    let msg = v.git(&["log", "-1", "--format=%B"]);
    assert!(
        msg.starts_with("log: Lena Fischer — Lunch at the canal."),
        "{msg}"
    );
    assert!(msg.trim_end().chars().count() < 80, "{msg}");
    assert!(!msg.contains("Second line"), "{msg}");
    // done commits too, naming the promise.
    v.kith(["log", "lena", "- [ ] send the guide"]).ok();
    v.kith(["done", "lena", "--commit"]).ok();
    let msg = v.git(&["log", "-1", "--format=%s"]);
    assert_eq!(msg.trim(), "done: Lena Fischer — send the guide");
}

#[test]
fn commit_without_git_identity_says_so_instead_of_a_made_up_one() {
    let v = TestVault::new();
    lena(&v);
    v.git(&["init", "-q", "-b", "main"]);
    v.kith(["log", "lena", "Lunch.", "--commit"])
        .env("GIT_AUTHOR_NAME", "")
        .env("GIT_COMMITTER_NAME", "")
        .env("EMAIL", "")
        .ok()
        .stderr_has("written, not committed")
        .stderr_has("user.name")
        .stderr_has("git config --global user.name");
    let out = std::process::Command::new("git")
        .args(["log", "--format=%ae"])
        .current_dir(&v.root)
        .env("HOME", v.home())
        .output()
        .unwrap();
    let ae = String::from_utf8_lossy(&out.stdout);
    assert!(!ae.contains("kith@localhost"), "{ae}");
    assert!(ae.trim().is_empty(), "committed anyway: {ae}");
}

// ---- digest on a terminal ---------------------------------------------------

/// A copy of the repository's example vault (so its cache is this test's own).
fn example() -> TestVault {
    let v = TestVault::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-vault");
    for e in walk(&src) {
        let rel = e.strip_prefix(&src).unwrap();
        if rel.starts_with(".kith/cache") {
            continue;
        }
        v.write_bytes(rel.to_str().unwrap(), &std::fs::read(&e).unwrap());
    }
    v
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs kith on a pseudo-terminal (util-linux `script`), with `env` set;
/// returns what the terminal showed, `\r` removed.
fn on_tty(v: &TestVault, args: &[&str], env: &[(&str, &str)]) -> String {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "`script` (util-linux) is needed in CI"
        );
        eprintln!("skipped: no `script` to make a terminal");
        return String::new();
    }
    let mut cmd = vec![
        quote(crate::support::KITH),
        "--vault".into(),
        quote(v.root.to_str().unwrap()),
    ];
    cmd.extend(args.iter().map(|a| quote(a)));
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &cmd.join(" "), "/dev/null"])
        .current_dir(&v.root)
        .env("HOME", v.home())
        .env("GIT_CEILING_DIRECTORIES", v.home().parent().unwrap())
        .env_remove("NO_COLOR")
        .env_remove("KITH_PAGER")
        .env_remove("PAGER")
        .env_remove("LINES")
        .stdin(std::process::Stdio::null());
    for (k, val) in env {
        c.env(k, val);
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).replace('\r', "")
}

fn strip_ansi(s: &str) -> String {
    let mut o = String::new();
    let mut esc = false;
    for ch in s.chars() {
        match (esc, ch) {
            (false, '\x1b') => esc = true,
            (true, 'm') => esc = false,
            (true, _) => {}
            (false, c) => o.push(c),
        }
    }
    o
}

#[test]
fn digest_on_a_terminal_is_text_for_people_wrapped_to_the_width() {
    let v = example();
    let out = on_tty(
        &v,
        &["digest", "--as-of", "2026-11-23"],
        &[("COLUMNS", "60"), ("PAGER", "cat"), ("LINES", "10")],
    );
    assert!(
        !out.is_empty() || std::env::var_os("CI").is_none(),
        "no terminal output under CI (is `script` installed?)"
    );
    if out.is_empty() {
        eprintln!("skipped: `script` is missing");
        return;
    }
    // A bold, coloured heading (anstyle writes bold and colour as two codes).
    assert!(out.contains("\x1b[36mFollow up\x1b[0m"), "{out}");
    assert!(out.contains("\x1b[1mLena Fischer\x1b[0m"), "{out}");
    let plain = strip_ansi(&out);
    assert!(!plain.contains("## "), "{plain}");
    assert!(!plain.contains("**"), "{plain}");
    assert!(!plain.contains("mermaid"), "{plain}");
    for l in plain.lines() {
        assert!(l.chars().count() <= 60, "wider than 60: {l:?}\n{plain}");
    }
    // A pipe still gets Markdown; --format text asks for text anywhere.
    v.kith(["digest", "--as-of", "2026-11-23"])
        .ok()
        .stdout_has("## Follow up");
    v.kith(["digest", "--as-of", "2026-11-23", "--format", "text"])
        .ok()
        .stdout_lacks("## ")
        .stdout_lacks("```mermaid")
        .stdout_has("Follow up");
    v.kith(["digest", "--as-of", "2026-11-23", "--format", "json"])
        .ok()
        .json();
    v.kith(["digest", "--format", "markdown", "--json"])
        .code(2)
        .stderr_has("hint:");
}

#[test]
fn a_long_digest_on_a_terminal_goes_through_the_pager() {
    let v = example();
    let pager = "sh -c 'echo PAGED-BY-THE-PAGER; cat'";
    let out = on_tty(
        &v,
        &["digest", "--as-of", "2026-11-23"],
        &[("COLUMNS", "80"), ("LINES", "10"), ("KITH_PAGER", pager)],
    );
    if out.is_empty() {
        return;
    }
    assert!(out.contains("PAGED-BY-THE-PAGER"), "{out}");
    // Shorter than the screen, or the pager is cat: printed straight.
    let out = on_tty(
        &v,
        &["digest", "--as-of", "2026-11-23"],
        &[("LINES", "10000"), ("KITH_PAGER", pager)],
    );
    assert!(!out.contains("PAGED-BY-THE-PAGER"), "{out}");
    let out = on_tty(
        &v,
        &["digest", "--as-of", "2026-11-23"],
        &[("LINES", "10"), ("KITH_PAGER", "cat"), ("PAGER", pager)],
    );
    assert!(!out.contains("PAGED-BY-THE-PAGER"), "{out}");
    assert!(out.contains("Follow up"), "{out}");
}

// ---- the README's first command -------------------------------------------

#[test]
fn the_readmes_first_command_shows_every_digest_section() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run"))
        .expect("a `cargo run` line in README.md");
    let args: Vec<&str> = line
        .split_once(" -- ")
        .expect("cargo run -- ARGS")
        .1
        .split_whitespace()
        .collect();
    // Pinned, so the sections do not come and go with the calendar.
    assert!(
        args.contains(&"--as-of"),
        "the README's command must pin --as-of: {line}"
    );
    let v = example();
    // The vault argument points at the repository's example; run it on the copy.
    let mut run: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if *a == "--vault" {
            assert_eq!(it.next(), Some(&"example-vault"));
            continue;
        }
        run.push(a.to_string());
    }
    let r = v.kith(&run).ok();
    for h in [
        "## Follow up",
        "## Keep in touch",
        "## Promises",
        "## Birthdays",
        "## Upcoming events",
        "## Introductions",
        "## Share",
    ] {
        assert!(
            r.stdout.contains(h),
            "{h} missing from `{line}`:\n{}",
            r.stdout
        );
    }
}

// ---- show -------------------------------------------------------------------

#[test]
fn show_has_prose_backlinks_intros_and_the_last_contacts_source() {
    let v = TestVault::new();
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "org: Acme",
        "\nMet through the vCard import. Loves bouldering.\n\n## Log\n\n### 2026-11-01 · coffee\n\nTalked about hiring.\n\n### 2026-11-05 · intro to Omar\n\nIntroduced her to [[Omar Haddad]]. #intro/made\n",
    );
    v.person("omar", "Omar Haddad", "", "\n## Log\n");
    v.note(
        "journal/2026-11-10.md",
        "# 2026-11-10\n\nLunch with [[Lena Fischer]] by the canal.\n",
    );
    let j = v.kith(["show", "lena", "--json"]).ok().json();
    assert_eq!(
        j["prose"], "Met through the vCard import. Loves bouldering.",
        "{j:#}"
    );
    let back = j["backlinks"].as_array().unwrap();
    assert!(
        back.iter()
            .any(|b| b["path"] == "journal/2026-11-10.md" && b["line"] == 3),
        "{j:#}"
    );
    let intros = j["intros"].as_array().unwrap();
    assert_eq!(intros.len(), 1, "{j:#}");
    assert_eq!(intros[0]["with"][0], "Omar Haddad");
    assert_eq!(intros[0]["tag"], "intro/made");
    assert_eq!(j["last_contact"]["source"], "mention", "{j:#}");
    assert_eq!(j["last_contact"]["path"], "journal/2026-11-10.md");
    // Omar's side: the intro is his too, and Lena's note mentions him.
    let o = v.kith(["show", "omar", "--json"]).ok().json();
    assert_eq!(o["intros"][0]["with"][0], "Lena Fischer", "{o:#}");
    v.kith(["show", "lena"])
        .ok()
        .stdout_has("Loves bouldering.")
        .stdout_has("Mentioned in")
        .stdout_has("journal/2026-11-10.md:3")
        .stdout_has("Introductions")
        .stdout_has("from a mention in");
}

#[test]
fn show_says_1_day_ago_not_1_days() {
    let v = TestVault::new();
    let yesterday = chrono::Local::now().date_naive() - chrono::Duration::days(1);
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "",
        &format!("\n## Log\n\n### {yesterday}\n\nhi\n"),
    );
    v.kith(["show", "lena"]).ok().stdout_has("(1 day ago;");
}

// ---- search -----------------------------------------------------------------

#[test]
fn search_with_no_results_says_so_on_stderr() {
    let v = TestVault::new();
    lena(&v);
    let r = v
        .kith(["search", "zzzqqq"])
        .code(1)
        .stderr_has("no results for `zzzqqq`");
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn a_person_found_by_a_field_gets_the_matching_line_as_snippet() {
    let v = TestVault::new();
    lena(&v);
    let j = v.kith(["search", "org:acme", "--json"]).ok().json();
    let snip = j[0]["snippet"].as_str().unwrap();
    assert!(snip.contains("Acme"), "{j:#}");
    assert!(!snip.contains("## Log"), "{j:#}");
}

// ---- --json everywhere --------------------------------------------------------

/// Every command of `kith --help`, run with `--json`: its stdout is JSON, or
/// it refuses `--json` (exit 2) saying it has no JSON output. A command added
/// later without a case here fails the test.
#[test]
fn every_command_gives_json_or_refuses_json() {
    let v = example();
    v.git_init();
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "start"]);
    v.note(
        "import.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Nia Okafor\nEND:VCARD\n",
    );
    let vcf = v.path("import.vcf");
    let vcf = vcf.to_str().unwrap();
    let json: Vec<Vec<&str>> = vec![
        vec!["new", "Nia Test", "--org", "Acme"],
        vec!["log", "lena", "Coffee again.", "--commit"],
        vec!["log", "lena", "- [ ] send the slides"],
        vec!["done", "lena", "slides"],
        vec!["list"],
        vec!["show", "lena"],
        vec!["show", "Rust Berlin Meetup November"],
        vec!["check"],
        vec!["search", "rust"],
        vec!["search", "zzzqqq"],
        vec!["index"],
        vec!["digest", "--as-of", "2026-11-23"],
        vec!["intros", "--as-of", "2026-11-23"],
        vec!["intro", "lena", "omar", "--state", "asked"],
        vec!["fix", "links"],
        vec![
            "brief",
            "Rust Berlin Meetup November",
            "--as-of",
            "2026-11-17",
        ],
        vec!["give", "--as-of", "2026-11-23"],
        vec!["circle", "--as-of", "2026-11-23"],
        vec!["graph"],
        vec!["history", "lena"],
        vec!["news"],
        vec!["hook", "run", "pre-commit"],
        vec!["plugin", "list"],
        vec!["import", "vcard", vcf, "--dry-run"],
        vec!["event", "new", "Json Night", "--date", "2026-12-01"],
        vec![
            "resource",
            "new",
            "Json Guide",
            "--url",
            "https://example.com",
        ],
    ];
    let refuse: Vec<Vec<&str>> = vec![
        vec!["init"],
        vec!["edit", "lena"],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["watch"],
        vec!["export", "vcard"],
        vec!["hook", "install"],
        vec!["plugin", "trust", "nosuch"],
        vec!["intros", "dismiss", "lena", "omar"],
    ];
    let mut covered: Vec<&str> = Vec::new();
    for args in &json {
        let mut a = args.clone();
        a.push("--json");
        let r = v.kith(&a).run();
        assert!(
            r.code == 0 || r.code == 1,
            "kith {a:?} exited {}: {}",
            r.code,
            r.stderr
        );
        r.json();
        covered.push(args[0]);
    }
    for args in &refuse {
        let mut a = args.clone();
        a.push("--json");
        v.kith(&a)
            .env("EDITOR", "false")
            .code(2)
            .stderr_has("has no JSON output")
            .stderr_has("hint:");
        covered.push(args[0]);
    }
    let help = v.kith(["--help"]).ok().stdout;
    let commands = help
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help");
    for c in commands {
        assert!(covered.contains(&c), "`kith {c} --json` is not tested");
    }
}

// ---- mistakes are errors ------------------------------------------------------

#[test]
fn check_of_a_note_that_does_not_exist_is_an_error() {
    let v = TestVault::new();
    lena(&v);
    v.kith(["check", "nosuch.md"])
        .code(2)
        .stderr_has("no such note")
        .stderr_has("hint:");
    // One note: singular.
    v.kith(["check"])
        .ok()
        .stderr_has("1 note checked: 0 errors, 0 warnings");
}

#[test]
fn check_of_some_notes_counts_only_those_in_its_summary() {
    let v = TestVault::new();
    lena(&v);
    v.person("omar", "Omar Haddad", "", "");
    v.person("ana", "Ana Costa", "", "");
    v.note(
        "events/pydata.md",
        "---\nkind: event\ndate: 2026-11-01\n---\n",
    );
    v.kith(["check", "people/omar.md"])
        .ok()
        .stderr_has("1 note checked: 0 errors");
    v.kith(["check", "people"])
        .ok()
        .stderr_has("3 notes checked: 0 errors");
    v.kith(["check"])
        .ok()
        .stderr_has("4 notes checked: 0 errors");
}

#[test]
fn dismissing_someone_from_themselves_is_refused() {
    let v = TestVault::new();
    lena(&v);
    v.kith(["intros", "dismiss", "lena", "Lena Fischer"])
        .code(2)
        .stderr_has("hint:");
    assert!(!v.path(".kith/intros.yaml").exists());
}

#[test]
fn an_unwritable_out_names_the_users_path() {
    let v = TestVault::new();
    lena(&v);
    v.note("afile", "not a folder\n");
    let out = v.path("afile/digest.md");
    let r = v
        .kith(["digest", "--out", out.to_str().unwrap()])
        .code(2)
        .stderr_has("afile/digest.md")
        .stderr_has("hint:");
    assert!(!r.stderr.contains(".kith-tmp"), "{}", r.stderr);
}

#[test]
fn errors_carry_a_hint() {
    let v = TestVault::new();
    lena(&v);
    let cases: Vec<Vec<&str>> = vec![
        vec!["digest", "--as-of", "2026-13-01"],
        vec!["new", "Omar Haddad", "--circle", "bestie"],
        vec!["list", "--circle", "bestie"],
        vec!["show", "lenx"],
        vec!["search", "x", "--kind", "cat"],
        vec!["digest", "--format", "markdown", "--json"],
    ];
    for args in cases {
        let r = v.kith(&args).code(2);
        assert!(
            r.stderr.contains("\n  hint: "),
            "kith {args:?}: {}",
            r.stderr
        );
    }
    let r = v
        .kith_here(["--vault", "/nonexistent/vault", "list"])
        .code(2);
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
}

#[test]
fn a_refused_commit_restores_the_index_of_a_vault_in_a_subfolder() {
    // The vault is `notes/` inside the repository: index paths are from the
    // repository's top, not the vault's.
    let v = TestVault::new();
    v.note(
        "notes/people/lena.md",
        "---\nname: Lena Fischer\n---\n\n## Log\n",
    );
    v.git_init();
    v.git(&["add", "-A"]);
    v.git(&["commit", "-q", "-m", "start"]);
    v.note(".git/hooks/pre-commit", "#!/bin/sh\nexit 1\n");
    std::fs::set_permissions(
        v.path(".git/hooks/pre-commit"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let text = v.read("notes/people/lena.md") + "staged by hand\n";
    v.note("notes/people/lena.md", &text);
    v.git(&["add", "notes/people/lena.md"]);
    let staged = v.git(&["show", ":notes/people/lena.md"]);
    let home = v.home();
    let out = std::process::Command::new(KITH)
        .arg("--vault")
        .arg(v.path("notes"))
        .args(["log", "lena", "Tea.", "--commit"])
        .current_dir(&v.root)
        .env_remove("KITH_VAULT")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CEILING_DIRECTORIES", home.parent().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("written, not committed"), "{err}");
    assert_eq!(v.git(&["show", ":notes/people/lena.md"]), staged);
    let cached = v.git(&["diff", "--cached", "--name-only"]);
    assert_eq!(cached.trim(), "notes/people/lena.md", "{cached}");
}
