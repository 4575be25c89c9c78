//! Playing well with Obsidian: links that resolve by Obsidian's rule, the
//! property shapes it can show, notes and templates made in it, the Tasks
//! plugin's statuses and dates, YAML other readers type differently, colour.

use crate::support::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Every `*.md` under `root` (hidden folders skipped, as Obsidian does),
/// relative, with `/` separators and without `.md`.
fn md_files(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Some(stem) = name.strip_suffix(".md") {
                let rel = p.strip_prefix(root).unwrap().parent().unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push(if rel.is_empty() {
                    stem.to_string()
                } else {
                    format!("{rel}/{stem}")
                });
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// The `[[…]]` targets of a note, outside fenced code and inline code,
/// written independently of kith's parser: `#heading` and `|label` (also
/// table-escaped `\|`) are not part of the target.
fn wikilink_targets(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop inline code spans.
        let mut visible = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                visible.push_str(part);
            }
        }
        let mut rest = visible.as_str();
        while let Some(i) = rest.find("[[") {
            let Some(j) = rest[i..].find("]]") else { break };
            let inner = &rest[i + 2..i + j];
            let target = inner
                .split('|')
                .next()
                .unwrap()
                .trim_end_matches('\\')
                .split('#')
                .next()
                .unwrap()
                .trim();
            out.push((n + 1, target.to_string()));
            rest = &rest[i + j + 2..];
        }
    }
    out
}

/// Obsidian's documented rule: a link names a file (not a `name:` or an
/// alias), case-insensitively; a target with `/` is a path (matched from the
/// end). Here it must also name exactly one note, so no guess is involved.
fn obsidian_opens(files: &[String], target: &str) -> Vec<String> {
    let t = target.to_lowercase();
    let t = t.strip_suffix(".md").unwrap_or(&t).to_string();
    files
        .iter()
        .filter(|f| {
            let f = f.to_lowercase();
            if t.contains('/') {
                f == t || f.ends_with(&format!("/{t}"))
            } else {
                f.rsplit('/').next().unwrap() == t
            }
        })
        .cloned()
        .collect()
}

#[test]
fn every_wikilink_in_example_vault_resolves_by_obsidians_rule() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("example-vault");
    let files = md_files(&root);
    assert!(files.len() > 40, "{files:?}");
    let mut checked = 0;
    let mut broken = Vec::new();
    for f in &files {
        let text = fs::read_to_string(root.join(format!("{f}.md"))).unwrap();
        for (line, target) in wikilink_targets(&text) {
            checked += 1;
            let opens = obsidian_opens(&files, &target);
            if opens.len() != 1 {
                broken.push(format!("{f}.md:{line}: [[{target}]] opens {opens:?}"));
            }
        }
    }
    assert!(checked >= 37, "only {checked} links found");
    assert!(
        broken.is_empty(),
        "{} of {checked} links do not resolve in Obsidian:\n{}",
        broken.len(),
        broken.join("\n")
    );
    // File names hold none of the characters Obsidian refuses.
    for f in &files {
        let name = f.rsplit('/').next().unwrap();
        assert!(
            !name.contains(['*', '"', '\\', '<', '>', ':', '|', '?', '#', '^', '[', ']']),
            "{f}"
        );
    }
}

#[test]
fn fix_links_is_a_dry_run_then_a_byte_exact_rewrite() {
    let v = TestVault::new();
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "aliases: [Lenny]",
        "\r\nBio.\r\n",
    );
    v.note(
        "events/rust-meetup.md",
        "---\r\nname: Rust Meetup\r\nattendees: [\"[[Lena Fischer]]\", \"Ravi (Ferrous)\"] # who\r\n---\r\n\
Met [[lenny|L.]] and [[Nobody]]; `[[Lena Fischer]]` is code.\r\n\r\n| who |\r\n|---|\r\n| [[Lena Fischer]] |\r\n",
    );
    let before = v.read_bytes("events/rust-meetup.md");
    let dry = v.kith(["fix", "links"]).ok();
    assert_eq!(dry.stdout.lines().count(), 3, "{}", dry.stdout);
    assert!(
        dry.stdout
            .contains("events/rust-meetup.md:3: [[Lena Fischer]] → [[lena-fischer|Lena Fischer]]"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("events/rust-meetup.md:5: [[lenny|L.]] → [[lena-fischer|L.]]"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains(
            "events/rust-meetup.md:9: [[Lena Fischer]] → [[lena-fischer\\|Lena Fischer]]"
        ),
        "{}",
        dry.stdout
    );
    assert!(dry.stderr.contains("nothing written"), "{}", dry.stderr);
    assert_eq!(
        v.read_bytes("events/rust-meetup.md"),
        before,
        "a dry run writes nothing"
    );

    v.kith(["fix", "links", "--write"]).ok();
    let after = v.read("events/rust-meetup.md");
    assert_eq!(
        after,
        "---\r\nname: Rust Meetup\r\nattendees: [\"[[lena-fischer|Lena Fischer]]\", \"Ravi (Ferrous)\"] # who\r\n---\r\n\
Met [[lena-fischer|L.]] and [[Nobody]]; `[[Lena Fischer]]` is code.\r\n\r\n| who |\r\n|---|\r\n| [[lena-fischer\\|Lena Fischer]] |\r\n"
    );
    // Nothing left to do, and kith still reads every link the same way.
    v.kith(["fix", "links"])
        .ok()
        .stdout_has("")
        .stderr_has("nothing to change");
    v.kith(["brief", "Rust Meetup"])
        .ok()
        .stdout_has("Lena Fischer");
}

#[test]
fn notes_made_in_obsidian_and_its_templates_are_not_errors() {
    let v = TestVault::new();
    v.git_init();
    // A note Obsidian made: no front matter, named by its file.
    v.note("people/Ann Lee.md", "Met at the meetup.\n");
    v.note("people/Bo Berg.md", "---\ntags: [rust]\n---\n");
    // Template files: placeholders are not YAML values kith can read.
    let template = "---\nname: {{title}}\nmet: {{date}}\n---\n# {{title}}\n";
    v.note("Meta/Templates/Person.md", template);
    v.note("Templater/Person.md", template);
    v.note("drafts/x.md", template);
    v.note(
        ".obsidian/templates.json",
        "{\"folder\": \"Meta/Templates\"}",
    );
    v.note(
        ".obsidian/plugins/templater-obsidian/data.json",
        "{\"templates_folder\": \"Templater/\", \"other\": 1}",
    );
    v.note(".kith/config.yaml", "ignore:\n  - drafts/\n");
    let out = v.kith(["check"]).ok();
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains("2 notes checked: 0 errors"),
        "{}",
        out.stderr
    );
    v.kith(["show", "Ann Lee"]).ok().stdout_has("Ann Lee");
    // The search index walks the same notes: no template in it.
    let found = v.kith(["search", "title"]).run();
    assert!(!found.stdout.contains("Templat"), "{}", found.stdout);
    assert!(!found.stdout.contains("drafts"), "{}", found.stdout);
    // Without the settings, the templates are notes with errors again.
    fs::remove_dir_all(v.path(".obsidian")).unwrap();
    let broken = v.kith(["check"]).code(1);
    assert!(
        broken.stdout.contains("Meta/Templates/Person.md"),
        "{}",
        broken.stdout
    );
    assert!(!broken.stdout.contains("drafts/x.md"), "{}", broken.stdout);
    // A bad `ignore:` is a config error, located.
    v.note(".kith/config.yaml", "ignore: {a: 1}\n");
    v.kith(["check"])
        .code(1)
        .stdout_has(".kith/config.yaml:1:9: error: `ignore` must be a list of file patterns");
}

#[test]
fn tasks_plugin_dates_and_statuses_drive_the_digest() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "",
        "## Log\n### 2026-11-01 · call\n\
- [ ] send the deck 📅 2026-11-20 ⏳ 2026-11-25\n\
- [ ] intro to Bo [due:: 2026-11-19]\n\
- [/] draft the plan 📅 2026-11-18\n\
- [-] book a table 📅 2026-11-17\n\
- [x] sent the link 📅 2026-11-16 ✅ 2026-11-16\n",
    );
    let before = v.kith(["digest", "--as-of", "2026-11-22"]).ok();
    assert!(
        !before.stdout.contains("send the deck"),
        "scheduled later:\n{}",
        before.stdout
    );
    assert!(before.stdout.contains("intro to Bo"), "{}", before.stdout);
    assert!(
        before.stdout.contains("draft the plan"),
        "in progress is open:\n{}",
        before.stdout
    );
    assert!(
        !before.stdout.contains("book a table"),
        "cancelled:\n{}",
        before.stdout
    );
    assert!(
        !before.stdout.contains("sent the link"),
        "{}",
        before.stdout
    );
    v.kith(["digest", "--as-of", "2026-11-25"])
        .ok()
        .stdout_has("send the deck");
}

#[test]
fn check_warns_on_values_yaml_1_1_readers_retype_and_they_do() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "phones: +4712345678\nlocation: 01234\ninterests: [sailing, yes]",
        "",
    );
    let out = v.kith(["check"]).ok();
    for (at, raw) in [
        ("people/ann.md:3:9", "+4712345678"),
        ("people/ann.md:4:11", "01234"),
        ("people/ann.md:5:22", "yes"),
    ] {
        assert!(
            out.stdout
                .contains(&format!("{at}: warning: `{raw}` is read as")),
            "{at}\n{}",
            out.stdout
        );
    }
    assert!(
        out.stdout.contains("hint: quote it: `\"+4712345678\"`"),
        "{}",
        out.stdout
    );
    // And they really do: python-frontmatter (PyYAML) reads numbers and a
    // truth value, and the quoted forms as the text kith reads.
    let python = std::env::var("KITH_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = std::process::Command::new(&python)
        .args(["-c", "import frontmatter"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs python-frontmatter on PATH"
        );
        eprintln!("python-frontmatter not installed: skipping the cross-check");
        return;
    }
    let read = |path: &Path| {
        let o = std::process::Command::new(&python)
            .args([
                "-c",
                "import frontmatter,sys; m=frontmatter.load(sys.argv[1]).metadata; print(repr(m['phones']), repr(m['location']), repr(m['interests'][1]))",
            ])
            .arg(path)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    assert_eq!(read(&v.path("people/ann.md")), "4712345678 668 True");
    v.person(
        "ann",
        "Ann Lee",
        "phones: \"+4712345678\"\nlocation: \"01234\"\ninterests: [sailing, \"yes\"]",
        "",
    );
    assert_eq!(
        read(&v.path("people/ann.md")),
        "'+4712345678' '01234' 'yes'"
    );
    let quiet = v.kith(["check"]).ok();
    assert!(quiet.stdout.is_empty(), "{}", quiet.stdout);
}

#[test]
fn colour_follows_no_color_and_clicolor_force() {
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "circle: wrong", "");
    let esc = "\u{1b}[";
    // Piped, no settings: no colour.
    assert!(!v.kith(["check"]).code(1).stdout.contains(esc));
    // CLICOLOR_FORCE asks for colour even into a pipe...
    let forced = v.kith(["check"]).env("CLICOLOR_FORCE", "1").code(1);
    assert!(forced.stdout.contains(esc), "{:?}", forced.stdout);
    // ...NO_COLOR wins over it, and --color always wins over both.
    let none = v
        .kith(["check"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .code(1);
    assert!(!none.stdout.contains(esc), "{:?}", none.stdout);
    let always = v
        .kith(["--color", "always", "check"])
        .env("NO_COLOR", "1")
        .code(1);
    assert!(
        always.stdout.contains(&format!("{esc}1m")),
        "{:?}",
        always.stdout
    );
}
