//! Playing well with Obsidian: links that resolve by Obsidian's rule, the
//! property shapes it can show, notes and templates made in it, the Tasks
//! plugin's statuses and dates, YAML other readers type differently, colour.

use crate::support::*;
use std::collections::HashMap;
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
