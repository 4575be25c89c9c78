//! A new user's walk through README, docs/daily.md and docs/cli.md: each
//! test is a surprise found on the way, fixed.

use crate::support::TestVault;

#[test]
fn a_whole_word_picks_the_person_word_by_word() {
    let v = TestVault::new();
    v.person("tom-mayer", "Tom Mayer", "", "\n## Log\n");
    v.person("tomas-muller", "Tomás Müller", "", "\n## Log\n");
    // `tom` alone is Tom Mayer; adding the start of his surname must not
    // suddenly make it ambiguous.
    v.kith(["show", "tom m"]).ok().stdout_has("Tom Mayer");
    v.kith(["show", "tomas m"]).ok().stdout_has("Tomás Müller");
    v.kith(["show", "t m"])
        .code(2)
        .stderr_has("fits several people");
}

#[test]
fn a_note_path_names_its_person_and_an_empty_name_is_no_create_hint() {
    let v = TestVault::new();
    v.person("lena-fischer", "Lena Fischer", "", "\n## Log\n");
    // Tab completion in a vault writes the path.
    v.kith(["show", "people/lena-fischer.md"])
        .ok()
        .stdout_has("Lena Fischer");
    v.kith(["show", ""])
        .code(2)
        .stderr_has("the name is empty")
        .stdout_lacks("kith new \"\"");
    let r = v.kith(["show", ""]).code(2);
    assert!(!r.stderr.contains("kith new \"\""), "{}", r.stderr);
}

#[test]
fn show_names_the_event_met_at_not_its_file_name() {
    let v = TestVault::new();
    v.kith(["new", "Lena Fischer", "--met-at", "Rust Meetup"])
        .ok();
    v.kith(["show", "lena"])
        .ok()
        .stdout_has("at Rust Meetup")
        .stdout_lacks("at rust-meetup");
}

#[test]
fn done_picks_the_promise_whose_whole_text_was_given() {
    let v = TestVault::new();
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "",
        "\n## Log\n\n### 2026-11-20\n\n- [ ] call\n- [ ] call back\n",
    );
    // `call` is part of `call back`: without this rule the first could never
    // be ticked while the second is open.
    v.kith(["done", "lena", "call", "--date", "2026-11-21"])
        .ok();
    let note = v.read("people/lena-fischer.md");
    assert!(
        note.contains("- [x] call ✅ 2026-11-21\n- [ ] call back\n"),
        "{note}"
    );
    // A word in both is still ambiguous.
    v.kith(["log", "lena", "- [ ] call her\n- [ ] call him"])
        .ok();
    v.kith(["done", "lena", "her call"]).code(1);
    v.kith(["done", "lena", "cal"]).code(1).stderr_has("fit");
}

#[test]
fn done_commit_message_leaves_out_the_due_date() {
    let v = TestVault::new();
    v.git_init();
    v.person(
        "lena-fischer",
        "Lena Fischer",
        "",
        "\n## Log\n\n### 2026-11-20\n\n- [ ] send her the structured interviews guide 📅 2026-11-25\n",
    );
    v.git(&["add", "-A"]);
    v.git(&["commit", "-qm", "start"]);
    // The subject was cut to 50 characters in the middle of the date:
    // `… guide 📅 2026-1…`.
    v.kith(["done", "lena", "--commit"])
        .ok()
        .stdout_has("committed: done: Lena Fischer — send her the structured interviews guide\n");
}

#[test]
fn an_empty_name_or_title_says_what_to_type() {
    let v = TestVault::new();
    v.kith(["new", "  "]).code(2).stderr_has("hint: ");
    v.kith(["event", "new", ""]).code(2).stderr_has("hint: ");
    v.kith(["resource", "new", ""]).code(2).stderr_has("hint: ");
}

#[test]
fn commit_outside_git_names_the_vault_folder_cleanly() {
    let v = TestVault::bare();
    std::fs::create_dir_all(v.path("people")).unwrap();
    let r = v
        .kith_here(["--vault", ".", "new", "Ann Lee", "--commit"])
        .env(
            "GIT_CEILING_DIRECTORIES",
            v.path("").parent().unwrap().to_str().unwrap(),
        )
        .ok()
        .stderr_has("is not inside a git repository");
    assert!(!r.stderr.contains("/. is"), "{}", r.stderr);
}

#[test]
fn an_event_is_found_by_the_starts_of_its_words_like_a_person() {
    let v = TestVault::new();
    v.note(
        "events/rust-berlin-meetup-november.md",
        "---\nname: Rust Berlin Meetup November\ndate: 2026-11-18\n---\n",
    );
    // `kith show --help` shows `kith show "Rust Meetup"`; the words are in
    // the name, in order, but not side by side.
    v.kith(["show", "Rust Meetup"])
        .ok()
        .stdout_has("Rust Berlin Meetup November");
    v.kith(["brief", "rust meetup", "--as-of", "2026-11-17"])
        .ok();
}
