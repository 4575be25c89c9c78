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
