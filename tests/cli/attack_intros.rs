//! Attacks on introductions: plans that mention someone, proposals written by
//! `kith intro`, the settings of the intros section, and the matcher's rules
//! on needs with a qualifier.

use crate::intros::pairs;
use crate::support::TestVault;
use serde_json::Value;

fn reminders_of(v: &TestVault, as_of: &str, kind: &str) -> Vec<String> {
    let d: Value = v
        .kith(["digest", "--as-of", as_of, "--json", "--all"])
        .ok()
        .json();
    d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == kind)
        .map(|r| {
            format!(
                "{} {}",
                r["name"].as_str().unwrap(),
                r["reason"].as_str().unwrap()
            )
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.into(), b.into())
}

#[test]
fn a_plan_in_a_log_entry_is_not_a_connection() {
    let v = TestVault::new();
    v.person(
        "david",
        "David Kim",
        "needs: [a Kubernetes consultant]",
        "\n## Log\n\n### 2026-11-01 · call\n\nTalked about the move.\n\n- will ask [[Ben Okoro]] first\n- I'll check with [[Sam Adeyemi]] next week\n",
    );
    v.person("ben", "Ben Okoro", "offers: [Kubernetes consulting]", "");
    v.person("sam", "Sam Adeyemi", "offers: [Kubernetes consulting]", "");
    let got = pairs(&v, "2026-11-22");
    assert!(got.contains(&pair("Ben Okoro", "David Kim")), "{got:?}");
    assert!(got.contains(&pair("David Kim", "Sam Adeyemi")), "{got:?}");
    // What was done with someone still is evidence.
    v.person(
        "david",
        "David Kim",
        "needs: [a Kubernetes consultant]",
        "\n## Log\n\n### 2026-11-01 · call\n\nLunch with [[Ben Okoro]]; will ask [[Sam Adeyemi]] next.\n",
    );
    let got = pairs(&v, "2026-11-22");
    assert!(!got.contains(&pair("Ben Okoro", "David Kim")), "{got:?}");
    assert!(got.contains(&pair("David Kim", "Sam Adeyemi")), "{got:?}");
}

#[test]
fn a_plan_in_a_journal_is_not_a_contact_nor_a_follow_up() {
    let v = TestVault::new();
    v.person(
        "ana",
        "Ana Costa",
        "cadence: 30d\nlast_contact: 2026-09-01",
        "",
    );
    v.person("fu", "Fu Lin", "met: 2026-11-10", "");
    v.note(
        "journal/2026-11-11.md",
        "# 2026-11-11\n\n- will email [[Ana Costa]] tomorrow\n- going to send [[Fu Lin]] the slides\n",
    );
    assert_eq!(reminders_of(&v, "2026-11-12", "check_in").len(), 1);
    assert_eq!(reminders_of(&v, "2026-11-12", "follow_up").len(), 1);
    // Inside a dated entry too.
    v.note(
        "journal/2026-11-11.md",
        "## 2026-11-11 · plans\n\nShould call [[Ana Costa]]. Maybe lunch with [[Fu Lin]].\n",
    );
    assert_eq!(reminders_of(&v, "2026-11-12", "check_in").len(), 1);
    assert_eq!(reminders_of(&v, "2026-11-12", "follow_up").len(), 1);
    // What happened counts.
    v.note(
        "journal/2026-11-11.md",
        "# 2026-11-11\n\n- emailed [[Ana Costa]]\n- coffee with [[Fu Lin]]\n",
    );
    assert!(reminders_of(&v, "2026-11-12", "check_in").is_empty());
    assert!(reminders_of(&v, "2026-11-12", "follow_up").is_empty());
}

#[test]
fn a_proposed_intro_is_not_a_contact_but_a_made_one_is() {
    let v = TestVault::new();
    v.person(
        "ana",
        "Ana Costa",
        "cadence: 30d\nlast_contact: 2026-09-01",
        "",
    );
    v.person("bo", "Bo Berg", "", "");
    v.kith(["intro", "Ana Costa", "Bo Berg", "--date", "2026-11-20"])
        .ok();
    let due = reminders_of(&v, "2026-11-22", "check_in");
    assert!(due.iter().any(|r| r.starts_with("Ana Costa")), "{due:?}");
    v.kith([
        "intro",
        "Ana Costa",
        "Bo Berg",
        "--state",
        "made",
        "--date",
        "2026-11-21",
    ])
    .ok();
    assert!(reminders_of(&v, "2026-11-22", "check_in").is_empty());
}

#[test]
fn the_documented_intro_settings_are_known_and_work() {
    let v = TestVault::new();
    v.note(
        ".kith/config.yaml",
        "digest:\n  intro_opt_in_days: 5\n  intro_follow_up_days: 20\nintros:\n  same_org_connected: false\n  concepts:\n    - name: beekeeping\n      need: [bees, hive]\n      offer: [beekeeper, apiarist]\n",
    );
    v.person("ida", "Ida Lund", "needs: [someone to look at my hive]", "");
    v.person("jon", "Jon Rye", "offers: [hobby apiarist]", "");
    let r = v.kith(["check"]).run();
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(!all.contains("unknown setting"), "{all}");
    assert!(pairs(&v, "2026-11-22").contains(&pair("Ida Lund", "Jon Rye")));
    // Honoured: no opt-in reminder on day 4 with 5 days configured.
    v.kith([
        "intro",
        "Ida Lund",
        "Jon Rye",
        "--state",
        "asked",
        "--date",
        "2026-11-01",
    ])
    .ok();
    let d: Value = v
        .kith(["digest", "--as-of", "2026-11-05", "--json"])
        .ok()
        .json();
    assert!(!d.to_string().contains("you asked"), "{d}");
}

#[test]
fn a_malformed_concept_is_an_error_at_its_line_and_the_others_still_count() {
    let v = TestVault::new();
    v.note(
        ".kith/config.yaml",
        "intros:\n  same_org_connected: no\n  concepts:\n    - name: beekeeping\n      need: [bees, hive]\n      offer: [beekeeper]\n    - name: broken\n      nede: [a]\n      offer: b\n    - 5\n",
    );
    v.person("ida", "Ida Lund", "needs: [someone to look at my hive]", "");
    v.person("jon", "Jon Rye", "offers: [beekeeper]", "");
    let r = v.kith(["check"]).run();
    let all = format!("{}{}", r.stdout, r.stderr);
    for want in [
        ".kith/config.yaml:2:23: error: `intros.same_org_connected` must be true or false",
        ".kith/config.yaml:7:5: warning: concept 2 (`broken`) in `intros.concepts` has an unknown key `nede`",
        "did you mean `need`?",
        ".kith/config.yaml:7:5: error: concept 2 (`broken`): `offer` must be a list of phrases",
        ".kith/config.yaml:10:5: error: concept 3 in `intros.concepts` must be a map",
        "hint: each concept is a map",
    ] {
        assert!(all.contains(want), "{want}\n{all}");
    }
    assert!(pairs(&v, "2026-11-22").contains(&pair("Ida Lund", "Jon Rye")));
}

#[test]
fn a_why_note_cannot_forge_a_state_nor_an_entry() {
    let v = TestVault::new();
    v.person("ana", "Ana Costa", "", "");
    v.person("bo", "Bo Berg", "", "");
    v.kith([
        "intro",
        "Ana Costa",
        "Bo Berg",
        "--note",
        "both joke about #intro/made\n### 2020-01-01 · fake\n- [ ] x",
        "--date",
        "2026-11-20",
    ])
    .ok();
    let note = v.read("people/ana.md");
    assert!(!note.contains("\n### 2020-01-01"), "{note}");
    assert!(!note.contains("\n- [ ] x"), "{note}");
    let d: Value = v.kith(["intros", "--made", "--json"]).ok().json();
    assert_eq!(d[0]["state"], "proposed", "{d}");
}
