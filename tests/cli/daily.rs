//! The daily flow (issue 14): capture flags on `new`, events and resources
//! from the CLI, `log` without `--`, relative dates, `done`, `edit`, `list`,
//! completion of names, name lookup, help, man page, and docs/cli.md in step
//! with `--help`.

use crate::support::{KITH, TestVault};
use std::path::Path;
use std::process::Command;

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn lena(v: &TestVault) {
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "aliases: [Lenny]\norg: Acme\ncircle: close\ntags: [rust, hiring]\nlocation: Berlin",
        "\n## Log\n\n### 2026-11-01 · coffee\n\nTalked about hiring.\n",
    );
}

#[test]
fn new_writes_every_giving_field_quoted_so_yaml_keeps_it_text() {
    let v = TestVault::new();
    v.kith([
        "new",
        "Omar Haddad",
        "--org",
        "NO",
        "--role",
        "CTO",
        "--location",
        "Oslo",
        "--need",
        "a first sales hire",
        "--need",
        "advice: pricing",
        "--offer",
        "yes",
        "--interest",
        "bouldering",
        "--value",
        "candour",
        "--email",
        "omar@example.com",
        "--phone",
        "+4712345678",
        "--phone",
        "0123",
        "--birthday",
        "--02-29",
        "--cadence",
        "6w",
        "--tag",
        "#climate",
    ])
    .ok()
    .stdout_has("people/omar-haddad.md");
    v.kith(["check"]).ok();
    let p = v.kith(["show", "omar", "--json"]).ok().json();
    let person = &p["person"];
    assert_eq!(person["org"], "NO", "{p}");
    assert_eq!(person["phones"][0], "+4712345678");
    assert_eq!(person["phones"][1], "0123");
    assert_eq!(person["needs"][1], "advice: pricing");
    assert_eq!(person["offers"][0], "yes");
    assert_eq!(person["interests"][0], "bouldering");
    assert_eq!(person["values"][0], "candour");
    assert_eq!(person["birthday"], "--02-29");
    assert_eq!(person["cadence"], "6w");
    assert_eq!(person["tags"][0], "climate");
    assert_eq!(person["location"], "Oslo");
    v.kith(["new", "X", "--cadence", "weekly"])
        .code(2)
        .stderr_has("hint:");
    v.kith(["new", "Y", "--birthday", "02-30"])
        .code(2)
        .stderr_has("hint:");
    assert!(!v.path("people/x.md").exists() && !v.path("people/y.md").exists());
}

#[test]
fn met_at_an_unknown_event_creates_it_and_says_so_unless_told_not_to() {
    let v = TestVault::new();
    v.kith([
        "new",
        "Lena Fischer",
        "--met-at",
        "Rust Meetup",
        "--met-on",
        "2026-11-18",
    ])
    .ok()
    .stdout_has("events/rust-meetup.md")
    .stdout_has("no note yet");
    let ev = v.read("events/rust-meetup.md");
    assert!(ev.contains("name: Rust Meetup\ndate: 2026-11-18\n"), "{ev}");
    assert!(ev.contains("\"[[lena-fischer|Lena Fischer]]\""), "{ev}");
    // A second person met there links the note now present; nothing new is made.
    v.kith(["new", "Tomás Müller", "--met-at", "rust meetup"])
        .ok()
        .stdout_lacks("events/");
    assert!(
        v.read("people/tomas-muller.md")
            .contains("met: 2026-11-18\nmet_at: \"[[rust-meetup|Rust Meetup]]\"\n")
    );
    assert_eq!(v.read("events/rust-meetup.md"), ev);
    // --no-create-event only links; check then suggests an *event* note.
    v.kith([
        "new",
        "Ana Costa",
        "--met-at",
        "PyData",
        "--no-create-event",
    ])
    .ok()
    .stdout_lacks("events/");
    assert!(!v.path("events/pydata.md").exists());
    v.kith(["check"])
        .ok()
        .stdout_has("kith event new \"pydata\"");
    v.kith(["check"]).ok().stdout_lacks("kith new \"PyData\"");
}

#[test]
fn check_suggests_a_person_for_a_person_link() {
    let v = TestVault::new();
    v.person("a", "Ann", "introduced_by: \"[[Zygmunt Quork]]\"", "");
    v.kith(["check"])
        .ok()
        .stdout_has("kith new \"Zygmunt Quork\"");
}

#[test]
fn event_and_resource_notes_from_the_command_line() {
    let v = TestVault::new();
    lena(&v);
    v.kith([
        "event",
        "new",
        "Climate Breakfast",
        "--date",
        "2026-12-01",
        "--location",
        "Berlin: Factory",
        "--attendee",
        "lena f",
        "--attendee",
        "Ravi Patel (Ferrous)",
        "--tag",
        "climate",
    ])
    .ok()
    .stdout_has("events/climate-breakfast.md")
    .stdout_has("Ravi Patel");
    let ev = v.read("events/climate-breakfast.md");
    assert!(ev.contains("location: \"Berlin: Factory\"\n"), "{ev}");
    assert!(
        ev.contains("  - \"[[lena-fischer|Lena Fischer]]\"\n"),
        "{ev}"
    );
    v.kith(["show", "Climate Breakfast", "--json"]).ok();
    v.kith(["event", "new", "climate breakfast"])
        .code(1)
        .stderr_has("taken");
    v.kith([
        "resource",
        "new",
        "Async Rust: the book",
        "--url",
        "https://example.com/a#b",
        "--tag",
        "rust",
    ])
    .ok()
    .stdout_has("resources/async-rust-the-book.md");
    let r = v.read("resources/async-rust-the-book.md");
    assert!(r.contains("title: \"Async Rust: the book\"\n"), "{r}");
    assert!(r.contains(&format!("added: {}\n", today())), "{r}");
    v.kith(["check"]).ok().stdout_lacks("error");
}

#[test]
fn log_takes_a_task_without_dashdash_and_resolves_relative_due_dates() {
    let v = TestVault::new();
    lena(&v);
    v.kith(["log", "lena", "- [ ] send the guide 📅 +3d"])
        .ok()
        .stdout_has("people/lena-fischer.md");
    let due = today() + chrono::Duration::days(3);
    let text = v.read("people/lena-fischer.md");
    assert!(
        text.ends_with(&format!(
            "### {}\n\n- [ ] send the guide 📅 {due}\n",
            today()
        )),
        "{text}"
    );
    v.kith([
        "log",
        "lena",
        "- [ ] call back due:tomorrow, and due:2026-12-01",
        "--date",
        "yesterday",
    ])
    .ok();
    let text = v.read("people/lena-fischer.md");
    let yesterday = today().pred_opt().unwrap();
    let tomorrow = today().succ_opt().unwrap();
    assert!(
        text.ends_with(&format!(
            "### {yesterday}\n\n- [ ] call back due:{tomorrow}, and due:2026-12-01\n"
        )),
        "{text}"
    );
    // A weekday is the next one after today.
    v.kith(["log", "lena", "- [ ] lunch 📅 friday"]).ok();
    let text = v.read("people/lena-fischer.md");
    let line = text.lines().last().unwrap();
    let date = chrono::NaiveDate::parse_from_str(line.rsplit(' ').next().unwrap(), "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("{line}: {e}"));
    use chrono::Datelike;
    assert_eq!(date.weekday(), chrono::Weekday::Fri);
    assert!(date > today() && date <= today() + chrono::Duration::days(7));
    // An unknown word is kept and warned about, not dropped silently.
    v.kith(["log", "lena", "- [ ] x 📅 someday"])
        .ok()
        .stderr_has("not a date");
    assert!(v.read("people/lena-fischer.md").ends_with("📅 someday\n"));
    // --as-of takes relative dates too.
    v.kith(["digest", "--as-of", "+7d"]).ok();
    v.kith(["list", "--as-of", "-2w"]).ok();
    v.kith(["digest", "--as-of", "someday"])
        .code(2)
        .stderr_has("hint:");
}

#[test]
fn log_refuses_an_empty_entry_and_reads_stdin_without_text() {
    let v = TestVault::new();
    lena(&v);
    let before = v.read("people/lena-fischer.md");
    v.kith(["log", "lena", ""]).code(2).stderr_has("hint:");
    v.kith(["log", "lena", " \n\t "])
        .code(2)
        .stderr_has("empty");
    v.kith(["log", "lena"])
        .stdin("  \n")
        .code(2)
        .stderr_has("empty");
    assert_eq!(v.read("people/lena-fischer.md"), before);
    v.kith(["log", "lena", "--title", "call"])
        .stdin("Piped in.\n")
        .ok();
    assert!(
        v.read("people/lena-fischer.md")
            .ends_with(&format!("### {} · call\n\nPiped in.\n", today()))
    );
}

#[test]
fn done_ticks_one_promise_changing_only_its_bytes() {
    let v = TestVault::new();
    let original = "\u{feff}---\r\nname: Lena Fischer # keep\r\n---\r\n\r\n## Log\r\n\r\n### 2026-11-20 · coffee\r\n\r\n- [ ] send the structured interviews guide 📅 2026-11-25\r\n- [x] old one\r\n- [ ] intro her to [[Omar Haddad]]\r\n";
    v.note("people/lena.md", original);
    v.person("omar", "Omar Haddad", "", "");
    // Two open promises and no TEXT: listed, nothing written, exit 1.
    v.kith(["done", "lena"])
        .code(1)
        .stderr_has("people/lena.md:9")
        .stderr_has("people/lena.md:11");
    v.kith(["done", "lena", "e"])
        .code(1)
        .stderr_has("2 open promises");
    v.kith(["done", "lena", "nothing like it"])
        .code(1)
        .stderr_has("send the structured");
    assert_eq!(v.read("people/lena.md"), original);
    v.kith(["done", "lena", "INTERVIEWS"])
        .ok()
        .stdout_has("people/lena.md:9");
    let expected = original.replace(
        "- [ ] send the structured interviews guide 📅 2026-11-25\r\n",
        &format!(
            "- [x] send the structured interviews guide 📅 2026-11-25 ✅ {}\r\n",
            today()
        ),
    );
    assert_eq!(v.read("people/lena.md"), expected);
    // The only open one left needs no TEXT; a promise in another note counts.
    v.kith(["done", "lena", "--date", "2026-11-30"]).ok();
    assert!(
        v.read("people/lena.md")
            .ends_with("[[Omar Haddad]] ✅ 2026-11-30\r\n")
    );
    v.kith(["done", "lena"])
        .code(1)
        .stderr_has("no open promise");
    v.note(
        "journal/2026-11-21.md",
        "Met [[Omar Haddad]].\n\n- [ ] send [[Omar Haddad]] the deck\n",
    );
    v.kith(["done", "omar"])
        .ok()
        .stdout_has("journal/2026-11-21.md:3");
    assert!(
        v.read("journal/2026-11-21.md")
            .contains("- [x] send [[Omar Haddad]] the deck ✅")
    );
}

/// An editor that records its arguments, one a line, in `args.txt` beside it.
fn recorder(dir: &Path, name: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n",
            dir.join("args.txt").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    p.to_string_lossy().into_owned()
}

#[test]
fn edit_opens_the_note_at_the_end_of_its_log_in_the_users_editor() {
    let v = TestVault::new();
    lena(&v);
    let note = v.path("people/lena-fischer.md");
    let lines = v.read("people/lena-fischer.md").lines().count();
    let bin = v.home().join("bin");
    let vim = recorder(&bin, "vim");
    v.kith(["edit", "lena"])
        .env("EDITOR", &format!("{vim} -u NONE"))
        .env("VISUAL", "")
        .ok();
    let args = std::fs::read_to_string(bin.join("args.txt")).unwrap();
    assert_eq!(
        args,
        format!("-u\nNONE\n+{lines}\n{}\n", note.display()),
        "the vi family gets +LINE"
    );
    let code = recorder(&bin, "code");
    v.kith(["edit", "Lena Fischer"])
        .env("VISUAL", &format!("{code} --wait"))
        .env("EDITOR", "false")
        .ok();
    let args = std::fs::read_to_string(bin.join("args.txt")).unwrap();
    assert_eq!(
        args,
        format!("--wait\n--goto\n{}:{lines}\n", note.display())
    );
    let other = recorder(&bin, "my editor");
    v.kith(["edit", "lena"])
        .env("EDITOR", &format!("'{other}'"))
        .ok();
    let args = std::fs::read_to_string(bin.join("args.txt")).unwrap();
    assert_eq!(args, format!("{}\n", note.display()));
    v.kith(["edit", "lena"])
        .env("EDITOR", "")
        .env("VISUAL", "")
        .code(2)
        .stderr_has("hint:");
    v.kith(["edit", "lena"]).env("EDITOR", "false").code(2);
}

#[test]
fn list_filters_people_and_prints_a_documented_json_shape() {
    let v = TestVault::new();
    lena(&v);
    v.person(
        "omar",
        "Omar Haddad",
        "circle: active\ntags: [climate]\nlocation: Oslo\nlast_contact: 2026-01-01",
        "",
    );
    v.person("ana", "Ana Costa", "location: Berlin-Mitte", "");
    v.kith(["list"])
        .ok()
        .stdout_has("Ana Costa")
        .stdout_has("Lena Fischer")
        .stdout_has("Omar Haddad");
    v.kith(["people", "--circle", "close"])
        .ok()
        .stdout_has("Lena Fischer")
        .stdout_lacks("Omar");
    v.kith(["list", "--tag", "#Climate"])
        .ok()
        .stdout_has("Omar")
        .stdout_lacks("Lena");
    v.kith(["list", "--location", "berlin"])
        .ok()
        .stdout_has("Ana Costa")
        .stdout_has("Lena Fischer")
        .stdout_lacks("Omar");
    v.kith(["list", "--circle", "bestie"])
        .code(2)
        .stderr_has("hint:");
    // Overdue as the digest says: Omar (active, last seen in January) is due
    // as of March; Lena (close, 2026-11-01) is not due as of 2026-11-02.
    let j = v
        .kith(["list", "--overdue", "--as-of", "2026-11-02", "--json"])
        .ok()
        .json();
    let names: Vec<&str> = j
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Omar Haddad"], "{j}");
    let digest = v
        .kith(["digest", "--as-of", "2026-11-02", "--all", "--json"])
        .ok()
        .json();
    let digest_text = digest.to_string();
    assert!(
        digest_text.contains("Omar Haddad")
            && !digest_text.contains("\"check_in\",\"name\":\"Lena")
    );
    let omar = &j[0];
    for key in [
        "name",
        "path",
        "circle",
        "org",
        "role",
        "location",
        "tags",
        "last_contact",
        "check_in_due",
    ] {
        assert!(omar.get(key).is_some(), "{key} missing: {omar}");
    }
    assert_eq!(omar["path"], "people/omar.md");
    assert_eq!(omar["circle"], "active");
    assert_eq!(omar["last_contact"], "2026-01-01");
    v.kith(["list", "--names"])
        .ok()
        .stdout_has("Ana Costa\nLena Fischer\nOmar Haddad\n");
}

#[test]
fn bash_completes_person_names_from_the_vault() {
    let v = TestVault::new();
    lena(&v);
    v.person("lennart", "Lennart Berg", "", "");
    v.person("omar", "Omar Haddad", "", "");
    let bin_dir = Path::new(KITH).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = r#"
        source <(kith completions bash) || exit 9
        complete -p kith
        complete_at() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _kith_people kith "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '[%s]\n' "${COMPREPLY[@]}"; }
        echo '-- log le'; complete_at kith log le
        echo '-- show'; complete_at kith --color never show ''
        echo '-- intros --for o'; complete_at kith intros --for o
        echo '-- log lena text'; complete_at kith log lena ''
        echo '-- digest --a'; complete_at kith digest --a
    "#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("PATH", path)
        .env("KITH_VAULT", &v.root)
        .env("HOME", v.home())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("-F _kith_people kith"), "{stdout}");
    let section = |name: &str| -> String {
        let start = stdout.find(&format!("-- {name}\n")).unwrap() + name.len() + 4;
        let rest = &stdout[start..];
        rest[..rest.find("\n-- ").map_or(rest.len(), |i| i + 1)].to_string()
    };
    assert_eq!(section("log le"), "[Lena\\ Fischer]\n[Lennart\\ Berg]\n");
    assert_eq!(
        section("show"),
        "[Lena\\ Fischer]\n[Lennart\\ Berg]\n[Omar\\ Haddad]\n"
    );
    assert_eq!(section("intros --for o"), "[Omar\\ Haddad]\n");
    assert!(!section("log lena text").contains("Fischer"));
    assert!(section("digest --a").contains("[--as-of]"), "{stdout}");
    // zsh and fish scripts carry the name lookup too.
    for shell in ["zsh", "fish"] {
        v.kith(["completions", shell])
            .ok()
            .stdout_has("kith list --names");
    }
}

#[test]
fn names_are_found_by_prefixes_of_their_parts_accents_and_case_ignored() {
    let v = TestVault::new();
    lena(&v);
    v.person("tomas", "Tomás Müller", "", "\n## Log\n");
    v.person("omar", "Omar Haddad", "", "\n## Log\n");
    for q in ["tomas m", "Tomás", "TOM", "müll", "t m"] {
        v.kith(["show", q, "--json"])
            .ok()
            .stdout_has("Tomás Müller");
    }
    for q in ["lena f", "len", "Lenny", "fisch"] {
        v.kith(["log", q, "hi", "--date", "2026-11-20"]).ok();
    }
    assert_eq!(
        v.read("people/lena-fischer.md")
            .matches("### 2026-11-20")
            .count(),
        4
    );
    // Only a real ambiguity asks, naming the candidates.
    v.person("tomas-moreno", "Tomás Moreno", "", "");
    v.kith(["show", "tomas m"])
        .code(2)
        .stderr_has("did you mean")
        .stderr_has("Tomás Müller")
        .stderr_has("Tomás Moreno");
    v.kith(["show", "tomas mu"]).ok();
    v.kith(["done", "tom"]).code(2).stderr_has("Tomás Moreno");
    v.kith(["show", "zzz"]).code(2);
}

#[test]
fn help_groups_global_flags_describes_every_flag_and_has_examples() {
    let v = TestVault::new();
    let bare = Command::new(KITH).output().unwrap();
    let out = String::from_utf8_lossy(&bare.stdout);
    assert_eq!(bare.status.code(), Some(0), "{out}");
    for cmd in ["kith init", "kith new", "kith log", "kith digest"] {
        assert!(out.contains(cmd), "{out}");
    }
    let top = v.kith(["--help"]).ok();
    assert!(top.stdout.contains("Global options:"), "{}", top.stdout);
    for cmd in subcommands(&top.stdout) {
        let h = v.kith([cmd.as_str(), "--help"]).ok();
        assert!(
            h.stdout.contains("Examples:"),
            "kith {cmd} --help: no examples\n{}",
            h.stdout
        );
        assert!(h.stdout.contains("Global options:"), "kith {cmd}");
        for (flag, described) in flags(&h.stdout) {
            assert!(
                described,
                "kith {cmd} {flag} has no description:\n{}",
                h.stdout
            );
        }
    }
    let man = v.kith(["man"]).ok();
    assert!(
        man.stdout.contains(".TH kith"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    v.kith(["man", "new"]).ok().stdout_has("met\\-at");
    let dir = v.home().join("man");
    v.kith(["man", "--dir", dir.to_str().unwrap()]).ok();
    assert!(dir.join("kith.1").is_file() && dir.join("kith-log.1").is_file());
}

/// Commands under `Commands:` in a help text (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    let Some(start) = help.find("Commands:\n") else {
        return Vec::new();
    };
    help[start + 10..]
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// Each `--flag` in a help text's option lists, and whether it has a description.
fn flags(help: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = help.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if !(t.starts_with("--") || t.starts_with('-') && t.get(2..4) == Some(", ")) {
            continue;
        }
        let Some(flag) = t
            .split([' ', ','])
            .find(|w| w.starts_with("--"))
            .map(|w| w.split(['=', '<', '[']).next().unwrap_or(w).to_string())
        else {
            continue;
        };
        // A description follows on the same line after two spaces, or on the next line.
        let same_line = t
            .split_once("  ")
            .is_some_and(|(_, d)| !d.trim().is_empty());
        let next_line = lines
            .get(i + 1)
            .is_some_and(|n| n.starts_with("          ") && !n.trim().is_empty());
        out.push((flag, same_line || next_line));
    }
    out
}

/// Does the page mention this flag as a flag (not inside a longer one)?
fn mentions(docs: &str, flag: &str) -> bool {
    docs.match_indices(flag).any(|(i, _)| {
        let before = docs[..i].chars().next_back().unwrap_or(' ');
        let after = docs[i + flag.len()..].chars().next().unwrap_or(' ');
        matches!(before, '`' | ' ' | '[' | '(' | '|' | '\n')
            && !(after.is_ascii_alphanumeric() || after == '-')
    })
}

#[test]
fn docs_cli_names_every_command_and_flag_of_the_help() {
    let v = TestVault::new();
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md")).unwrap();
    let mut missing = Vec::new();
    let top = v.kith(["--help"]).ok();
    for (flag, _) in flags(&top.stdout) {
        if !mentions(&docs, &flag) {
            missing.push(format!("kith {flag}"));
        }
    }
    let mut todo: Vec<Vec<String>> = subcommands(&top.stdout)
        .into_iter()
        .map(|c| vec![c])
        .collect();
    while let Some(path) = todo.pop() {
        let shown = format!("kith {}", path.join(" "));
        if !docs.contains(&shown) {
            missing.push(shown.clone());
        }
        let mut args = path.clone();
        args.push("--help".into());
        let h = v.kith(&args).ok();
        for (flag, _) in flags(&h.stdout) {
            if ["--help", "--version"].contains(&flag.as_str()) {
                continue;
            }
            if !mentions(&docs, &flag) {
                missing.push(format!("{shown} {flag}"));
            }
        }
        for sub in subcommands(&h.stdout) {
            let mut p = path.clone();
            p.push(sub);
            todo.push(p);
        }
    }
    assert!(missing.is_empty(), "docs/cli.md lacks: {missing:#?}");
}

#[test]
fn list_with_an_unknown_tag_names_the_tags_in_use() {
    let v = TestVault::new();
    lena(&v);
    v.person("omar", "Omar Haddad", "tags: [climate, rust]", "");
    v.person("ana", "Ana Costa", "tags: [climate]", "");
    v.kith(["list", "--tag", "nosuch"])
        .ok()
        .stderr_has("nobody is tagged #nosuch")
        .stderr_has("#climate (2)")
        .stderr_has("#rust (2)");
}

#[test]
fn list_on_a_terminal_wraps_at_its_width() {
    let v = TestVault::new();
    v.person(
        "omar",
        "Omar Haddad",
        "circle: active\nrole: Head of climate partnerships\norg: Northwind Renewable Energy Cooperative\nlocation: Oslo, Norway",
        "",
    );
    // A real terminal: `script` gives kith a pty, so stdout is a TTY.
    let cmd = format!(
        "COLUMNS=50 NO_COLOR=1 {} --vault {} list",
        KITH,
        v.root.display()
    );
    let out = match std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(&v.root)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "`script` missing in CI: {e}"
            );
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() >= 3, "expected wrapped lines:\n{text}");
    for l in &lines {
        assert!(
            l.chars().count() <= 50,
            "line over 50 columns: {l:?}\n{text}"
        );
    }
    assert!(text.contains("Oslo"), "{text}");
    // Piped, one line per person.
    let piped = v.kith(["list"]).env("COLUMNS", "50").ok();
    assert_eq!(piped.stdout.lines().count(), 1, "{}", piped.stdout);
}
