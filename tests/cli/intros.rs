//! Introductions: who knows whom from evidence, the intro lifecycle, follow-up
//! and contact boundaries, and a quality floor on the labelled fixture.

use crate::support::TestVault;
use serde_json::Value;

/// Every suggested pair of `intros --all`, each as (smaller, larger) name.
pub(crate) fn pairs(v: &TestVault, as_of: &str) -> Vec<(String, String)> {
    let d = v
        .kith(["intros", "--all", "--json", "--as-of", as_of])
        .ok()
        .json();
    d.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let (a, b) = (i["a"].as_str().unwrap(), i["b"].as_str().unwrap());
            if a < b {
                (a.into(), b.into())
            } else {
                (b.into(), a.into())
            }
        })
        .collect()
}

fn lo() -> (String, String) {
    ("Lena Fischer".into(), "Omar Haddad".into())
}

fn base() -> TestVault {
    let v = TestVault::new();
    v.person(
        "lena",
        "Lena Fischer",
        "location: Berlin\nneeds: [hiring a senior Rust engineer]",
        "",
    );
    v.person(
        "omar",
        "Omar Haddad",
        "location: Berlin\noffers: [senior Rust engineer open to new roles]",
        "",
    );
    v
}

#[test]
fn a_task_or_a_plan_mentioning_someone_is_not_a_connection() {
    let v = base();
    v.note(
        "people/lena.md",
        &(v.read("people/lena.md")
            + "Will ask [[Omar Haddad]] first.\n\n## Log\n\n### 2026-11-01 · coffee\n\nShort two people.\n\n- [ ] intro Lena to [[Omar Haddad]]\n"),
    );
    v.note(
        "journal/2026-11-02.md",
        "## 2026-11-02 · todo\n\n- [ ] ask [[Omar Haddad]] and [[Lena Fischer]] about coffee\n",
    );
    assert!(pairs(&v, "2026-11-22").contains(&lo()));
    // The plan is shown as such.
    v.kith(["intros", "--as-of", "2026-11-22"])
        .ok()
        .stdout_has("planned: “intro Lena to Omar Haddad”");
}

#[test]
fn evidence_that_two_people_know_each_other_silences_the_suggestion() {
    let cases: [(&str, &str, &str); 5] = [
        ("omar", "knows: [\"[[Lena Fischer]]\"]", ""),
        ("omar", "introduced_by: \"[[Lena Fischer]]\"", ""),
        (
            "omar",
            "",
            "\n## Log\n\n### 2026-10-01 · call\n\nTalked to [[Lena Fischer]].\n",
        ),
        ("omar", "org: Paystream", ""),
        (
            "omar",
            "",
            "\n## Log\n\n### 2026-10-01 · intro\n\nIntroduced to [[Lena Fischer]]. #intro/made\n",
        ),
    ];
    for (n, (slug, front, body)) in cases.iter().enumerate() {
        let v = base();
        let path = format!("people/{slug}.md");
        let t = v
            .read(&path)
            .replacen("---\n", &format!("---\n{front}\n"), 1)
            + body;
        v.note(&path, &t);
        if n == 3 {
            let l = v
                .read("people/lena.md")
                .replacen("---\n", "---\norg: paystream\n", 1);
            v.note("people/lena.md", &l);
        }
        assert!(!pairs(&v, "2026-11-22").contains(&lo()), "case {n}");
    }
    // Colleagues can be made suggestible again.
    let v = base();
    for p in ["people/lena.md", "people/omar.md"] {
        let t = v.read(p).replacen("---\n", "---\norg: Paystream\n", 1);
        v.note(p, &t);
    }
    assert!(!pairs(&v, "2026-11-22").contains(&lo()));
    v.note(
        ".kith/config.yaml",
        "intros:\n  same_org_connected: false\n",
    );
    assert!(pairs(&v, "2026-11-22").contains(&lo()));
}

#[test]
fn a_malformed_dismissals_file_is_a_warning_not_silence() {
    let v = base();
    v.note(
        ".kith/intros.yaml",
        "dismissed: [[\"Lena Fischer\", \"Omar Haddad\"\n",
    );
    v.kith(["intros", "--as-of", "2026-11-22"])
        .ok()
        .stderr_has("warning: .kith/intros.yaml:");
    v.kith(["intros", "dismiss", "lena", "omar"])
        .code(1)
        .stderr_has("fix the YAML");
}

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
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_intro_lifecycle_lives_in_both_notes_and_drives_reminders() {
    let v = base();
    v.kith([
        "intro",
        "lena",
        "omar",
        "--note",
        "both into Rust",
        "--date",
        "2026-11-01",
    ])
    .ok()
    .stdout_has("intro proposed recorded for Lena Fischer")
    .stdout_has("intro proposed recorded for Omar Haddad");
    assert!(v.read("people/lena.md").contains("### 2026-11-01 · intro"));
    assert!(
        v.read("people/lena.md").contains(
            "Introduction to [[omar|Omar Haddad]] proposed. both into Rust #intro/proposed"
        )
    );
    assert!(v.read("people/omar.md").contains(
        "Introduction to [[lena|Lena Fischer]] proposed. both into Rust #intro/proposed"
    ));
    // In progress: no longer suggested.
    assert!(!pairs(&v, "2026-11-22").contains(&lo()));
    // Asked: only the asked person's note; waiting more than 3 days is shown.
    v.kith([
        "intro",
        "omar",
        "lena",
        "--state",
        "asked",
        "--date",
        "2026-11-02",
    ])
    .ok();
    assert!(!v.read("people/lena.md").contains("#intro/asked"));
    assert!(v.read("people/omar.md").contains("#intro/asked"));
    assert!(
        reminders_of(&v, "2026-11-05", "intro").is_empty(),
        "3 days: not yet"
    );
    let r = reminders_of(&v, "2026-11-06", "intro");
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].starts_with("you asked Omar 4 days ago whether they'd like to meet Lena Fischer"),
        "{r:?}"
    );
    v.kith([
        "intro",
        "omar",
        "lena",
        "--state",
        "agreed",
        "--date",
        "2026-11-07",
    ])
    .ok();
    assert!(
        reminders_of(&v, "2026-11-10", "intro").is_empty(),
        "answered"
    );
    v.kith([
        "intro",
        "lena",
        "omar",
        "--state",
        "made",
        "--date",
        "2026-11-10",
    ])
    .ok();
    // "Ask how it went" from 30 days after, for 14 days.
    assert!(
        reminders_of(&v, "2026-12-09", "intro").is_empty(),
        "29 days"
    );
    let r = reminders_of(&v, "2026-12-10", "intro");
    assert_eq!(
        r,
        vec!["ask Lena and Omar how it went (introduced 30 days ago, on 2026-11-10)"]
    );
    assert_eq!(reminders_of(&v, "2026-12-23", "intro").len(), 1, "43 days");
    assert!(
        reminders_of(&v, "2026-12-24", "intro").is_empty(),
        "44 days"
    );
    // kith intros --made lists it with its state and steps.
    let list = v.kith(["intros", "--made", "--json"]).ok().json();
    assert_eq!(list[0]["state"], "made");
    assert_eq!(list[0]["steps"].as_array().unwrap().len(), 7);
    v.kith([
        "intro",
        "lena",
        "omar",
        "--state",
        "followed-up",
        "--date",
        "2026-12-11",
    ])
    .ok();
    assert!(
        reminders_of(&v, "2026-12-12", "intro").is_empty(),
        "followed up"
    );
    v.kith(["intros", "--made"])
        .ok()
        .stdout_has("followed-up since 2026-12-11");
}

/// Jonas, met at an event on 2026-11-18.
fn met() -> TestVault {
    let v = TestVault::new();
    v.note(
        "events/meetup.md",
        "---\nname: Rust Meetup\ndate: 2026-11-18\n---\n",
    );
    v.person(
        "jonas",
        "Jonas Weber",
        "met: {date: 2026-11-18, event: \"[[Rust Meetup]]\"}",
        "",
    );
    v
}

fn follow_up_due(v: &TestVault) -> bool {
    !reminders_of(v, "2026-11-22", "follow_up").is_empty()
}

#[test]
fn follow_ups_count_only_contacts_after_the_meeting() {
    let log = |v: &TestVault, s: &str| {
        let t = v.read("people/jonas.md") + s;
        v.note("people/jonas.md", &t);
    };
    // Nothing yet: due.
    let v = met();
    assert!(follow_up_due(&v));
    // The meeting's own entry, same day: still due.
    let v = met();
    log(
        &v,
        "\n## Log\n\n### 2026-11-18 · met at the meetup\n\nTalked about tokio.\n",
    );
    assert!(follow_up_due(&v));
    // A separate, later entry the same day: done.
    log(&v, "\n### 2026-11-18 · email\n\nSent him the link.\n");
    assert!(!follow_up_due(&v));
    // A single same-day entry tagged #followup: done.
    let v = met();
    log(
        &v,
        "\n## Log\n\n### 2026-11-18 · email\n\nSent the talk slides. #followup\n",
    );
    assert!(!follow_up_due(&v));
    // Next morning's notes about the meeting (naming the event): still due.
    let v = met();
    log(
        &v,
        "\n## Log\n\n### 2026-11-19 · notes\n\nFrom the Rust Meetup: he maintains a crate.\n",
    );
    assert!(follow_up_due(&v));
    // A journal entry linking the event and him: about the meeting.
    let v = met();
    v.note(
        "journal/2026-11-19.md",
        "## 2026-11-19 · notes\n\nAt [[Rust Meetup]] met [[Jonas Weber]].\n",
    );
    assert!(follow_up_due(&v));
    // A task line mentioning him the next day: not a contact.
    let v = met();
    v.note(
        "journal/2026-11-19.md",
        "## 2026-11-19 · todo\n\n- [ ] email [[Jonas Weber]]\n",
    );
    assert!(follow_up_due(&v));
    // A contact the next day: done.
    let v = met();
    v.note(
        "journal/2026-11-19.md",
        "## 2026-11-19 · call\n\nCalled [[Jonas Weber]].\n",
    );
    assert!(!follow_up_due(&v));
    // An entry in his note holding only a task: not a contact.
    let v = met();
    log(
        &v,
        "\n## Log\n\n### 2026-11-20 · todo\n\n- [ ] send the slides\n",
    );
    assert!(follow_up_due(&v));
}

#[test]
fn a_task_line_is_not_a_contact_for_check_ins() {
    let v = TestVault::new();
    v.person(
        "ana",
        "Ana Costa",
        "cadence: 30d\nlast_contact: 2026-09-01",
        "",
    );
    v.note(
        "journal/2026-11-01.md",
        "## 2026-11-01 · todo\n\n- [ ] call [[Ana Costa]]\n",
    );
    assert_eq!(reminders_of(&v, "2026-11-22", "check_in").len(), 1);
    v.note(
        "journal/2026-11-01.md",
        "## 2026-11-01 · lunch\n\nLunch with [[Ana Costa]].\n",
    );
    assert!(reminders_of(&v, "2026-11-22", "check_in").is_empty());
}

#[test]
fn a_check_in_offers_help_with_an_open_need() {
    let v = base();
    let t = v.read("people/lena.md").replacen(
        "---\n",
        "---\ncadence: 30d\nlast_contact: 2026-09-01\n",
        1,
    );
    v.note("people/lena.md", &t);
    v.kith(["digest", "--as-of", "2026-11-22"])
        .ok()
        .stdout_has("Omar Haddad could help with “hiring a senior Rust engineer”");
}

#[test]
fn the_labelled_fixture_keeps_a_quality_floor() {
    // Loose floor so regressions fail; the full figures come from
    // examples/intro_quality.rs (bench/intro_quality.sh).
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/intros");
    let v = TestVault::new();
    let list = v
        .kith_here(["intros", "--all", "--json", "--as-of", "2026-11-22"])
        .cwd(&fixture.join("vault"))
        .ok()
        .json();
    let ranked: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["a"].as_str().unwrap().to_string(),
                i["b"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let labels = std::fs::read_to_string(fixture.join("labels.yaml")).unwrap();
    let mut section = "";
    let (mut planted, mut bad) = (Vec::new(), Vec::new());
    for l in labels.lines() {
        if l.ends_with(':') && !l.starts_with(' ') {
            section = l.trim_end_matches(':');
            continue;
        }
        let Some(rest) = l.trim().strip_prefix("- [") else {
            continue;
        };
        let f: Vec<String> = rest
            .trim_end_matches(']')
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        match section {
            "planted" => planted.push((f[0].clone(), f[1].clone())),
            "must_not" | "mismatch" => bad.push((f[0].clone(), f[1].clone())),
            _ => {}
        }
    }
    let rank = |a: &str, b: &str| {
        ranked
            .iter()
            .position(|(x, y)| (x == a && y == b) || (x == b && y == a))
    };
    let n = planted.len();
    let within = planted
        .iter()
        .filter(|(a, b)| rank(a, b).is_some_and(|r| r < 2 * n))
        .count();
    // Reached: 28/31 within 2N (issue 13's 0.9), 17/31 within 20, no
    // must-not, no mismatch: one pair fewer on either fails.
    assert!(within * 100 >= n * 90, "recall@2N {within}/{n}");
    let top20 = planted
        .iter()
        .filter(|(a, b)| rank(a, b).is_some_and(|r| r < 20))
        .count();
    assert!(top20 * 100 >= n * 54, "recall@20 {top20}/{n}");
    for (a, b) in &bad {
        assert!(
            rank(a, b).is_none(),
            "must-not or mismatch pair suggested: {a} ↔ {b}"
        );
    }
}

#[test]
fn two_people_with_the_same_need_are_not_introduced_on_a_rare_interest() {
    let v = TestVault::new();
    for (f, n) in [("a", "Ada Kim"), ("b", "Ben Ode")] {
        v.person(
            f,
            n,
            "location: Lisbon\ninterests: [falconry]\nneeds: [angel investors for our fintech app]",
            "",
        );
    }
    for i in 0..12 {
        v.person(
            &format!("p{i}"),
            &format!("Filler {i}"),
            "interests: [running]",
            "",
        );
    }
    assert!(pairs(&v, "2026-11-22").is_empty());
    // Without the shared need, the rare interest and the city are enough.
    v.note(
        "people/b.md",
        "---\nname: Ben Ode\nlocation: Lisbon\ninterests: [falconry]\n---\n",
    );
    assert_eq!(
        pairs(&v, "2026-11-22"),
        vec![("Ada Kim".to_string(), "Ben Ode".to_string())]
    );
}
