//! Give first: the pre-event brief, reciprocity, circle load and the graph,
//! each on a hand-written vault with a fixed --as-of.

use crate::support::TestVault;

fn meetup_vault() -> TestVault {
    let v = TestVault::new();
    v.note(
        "events/meetup.md",
        "---\nname: Rust Meetup\ndate: 2026-12-01\nlocation: Berlin\ntags: [rust]\nattendees:\n  - \"[[Ann Berg]]\"\n  - \"[[Bo Chan]]\"\n  - \"Ravi Patel (Ferrous Systems)\"\n---\n",
    );
    v.person(
        "ann-berg",
        "Ann Berg",
        "needs: [hiring a senior Rust engineer]\nintroduced_by: \"[[Cleo Dahl]]\"\ncircle: active",
        "\n## Log\n\n### 2026-10-01 · coffee\n\nShe is growing the robotics team.\n\n- [ ] send her the interview guide\n",
    );
    v.person(
        "bo-chan",
        "Bo Chan",
        "offers: [senior Rust engineer open to new roles]\ntags: [embedded]",
        "",
    );
    v.person("cleo-dahl", "Cleo Dahl", "org: Ferrous Systems", "");
    v.note(
        "resources/async.md",
        "---\ntitle: The async book\nurl: https://example.com/async\ntags: [embedded]\nadded: 2024-01-01\n---\n",
    );
    v
}

#[test]
fn brief_lists_known_and_unknown_attendees_intros_and_resources() {
    let v = meetup_vault();
    let j = v
        .kith(["brief", "Rust Meetup", "--as-of", "2026-11-25", "--json"])
        .ok()
        .json();
    let known: Vec<&str> = j["known"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(known, ["Ann Berg", "Bo Chan"]);
    let ann = &j["known"][0];
    assert_eq!(ann["last_contact"], "2026-10-01");
    assert!(ann["how"].to_string().contains("introduced by Cleo Dahl"));
    assert!(
        ann["questions"]
            .to_string()
            .contains("hiring a senior Rust engineer")
    );
    assert_eq!(ann["promises"][0]["text"], "send her the interview guide");
    assert_eq!(j["unknown"][0]["name"], "Ravi Patel");
    assert_eq!(j["unknown"][0]["about"], "Ferrous Systems");
    assert!(
        j["unknown"][0]["hints"]
            .to_string()
            .contains("you know Cleo Dahl at Ferrous Systems")
    );
    assert_eq!(j["intros"][0]["both_there"], true);
    assert_eq!(j["resources"][0]["title"], "The async book");
    // On a pipe: Markdown.
    v.kith(["brief", "meetup", "--as-of", "2026-11-25"])
        .ok()
        .stdout_has("# Brief: Rust Meetup — 2026-12-01, Berlin")
        .stdout_has("## People you don't know yet")
        .stdout_has("- **Ravi Patel** (Ferrous Systems)");
    // Unknown event: a clear error naming the events.
    v.kith(["brief", "Nope"])
        .code(2)
        .stderr_has("no event matches `Nope`")
        .stderr_has("hint: events: Rust Meetup");
}

#[test]
fn show_event_points_to_the_brief_and_the_digest_links_it() {
    let v = meetup_vault();
    v.kith(["show", "Rust Meetup"])
        .ok()
        .stdout_has("Before you go: `kith brief \"Rust Meetup\"`");
    v.kith(["digest", "--as-of", "2026-11-25"])
        .ok()
        .stdout_has("before you go: `kith brief \"Rust Meetup\"`");
}

fn give_vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Berg",
        "needs: [a flat in Berlin]",
        "\n## Log\n\n### 2026-03-01 · call\n\nShe reviewed my deck line by line. #received\n",
    );
    v.person(
        "bo",
        "Bo Chan",
        "",
        "\n## Log\n\n### 2026-03-01 · help\n\nLent me his van. #helped-me\n\n### 2026-03-04 · card\n\nSent a card. #thanks\n",
    );
    v.person(
        "cy",
        "Cy Dahl",
        "",
        "\n## Log\n\n### 2026-03-02 · gift\n\nI fixed her bike. #gave\n",
    );
    v.person(
        "dee",
        "Dee Eck",
        "needs: [hiring a senior Rust engineer]",
        "",
    );
    v.person(
        "eve",
        "Eve Falk",
        "offers: [senior Rust engineer open to new roles]",
        "",
    );
    v
}

#[test]
fn give_names_who_helped_you_and_whose_needs_you_can_meet_without_a_tally() {
    let v = give_vault();
    let j = v
        .kith(["give", "--as-of", "2026-03-10", "--json"])
        .ok()
        .json();
    let back: Vec<&str> = j["give_back"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    // Bo was thanked after; Cy was given to, not received from.
    assert_eq!(back, ["Ann Berg"]);
    assert_eq!(
        j["give_back"][0]["what"],
        "She reviewed my deck line by line."
    );
    assert_eq!(j["can_help"][0]["name"], "Dee Eck");
    assert_eq!(j["can_help"][0]["helper"], "Eve Falk");
    let out = v
        .kith(["give", "--as-of", "2026-03-10"])
        .ok()
        .stdout_has("thank Ann for this, or return the favour: they need “a flat in Berlin”")
        .stdout_has("introduce Dee to Eve Falk");
    // Never a count or balance of favours.
    for word in ["balance", "score", "owe you", "times", "tally"] {
        assert!(!out.stdout.contains(word), "{word}: {}", out.stdout);
    }
    // Outside the 90-day window, or with --days shorter, the help is old news.
    v.kith(["give", "--as-of", "2026-06-01"])
        .ok()
        .stdout_lacks("Ann Berg —");
    v.kith(["give", "--as-of", "2026-03-10", "--days", "5"])
        .ok()
        .stdout_lacks("Ann Berg —");
}

#[test]
fn check_ins_of_people_who_helped_or_were_helped_come_first_on_a_tie() {
    let v = TestVault::new();
    for (slug, name, tag) in [("a", "Ann", ""), ("b", "Bo", " #helped-me")] {
        v.person(
            slug,
            name,
            "cadence: 30d",
            &format!("\n## Log\n\n### 2026-01-01 · call\n\nTalked.{tag}\n"),
        );
    }
    let j = v
        .kith(["digest", "--as-of", "2026-02-15", "--json"])
        .ok()
        .json();
    let names: Vec<&str> = j["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "check_in")
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bo", "Ann"]);
}

fn crowded_close_circle() -> TestVault {
    let v = TestVault::new();
    for k in 0..12 {
        let body = if k < 2 {
            "\n## Log\n\n### 2026-09-01 · call\n\n### 2026-10-01 · call\n\n### 2026-11-01 · call\n"
        } else {
            ""
        };
        v.person(
            &format!("p{k:02}"),
            &format!("Person {k:02}"),
            &format!("circle: close\nlast_contact: 2026-0{}-01", 1 + k % 8),
            body,
        );
    }
    v
}

#[test]
fn circle_shows_load_and_the_digest_says_it_on_mondays_only() {
    let v = crowded_close_circle();
    let j = v
        .kith(["circle", "--as-of", "2026-11-23", "--json"])
        .ok()
        .json();
    let close = &j["circles"][0];
    assert_eq!(close["circle"], "close");
    assert_eq!(close["count"], 12);
    assert_eq!(close["over"], true);
    assert_eq!(close["asked_per_month"], 12.2);
    assert_eq!(close["kept_per_month"], 2.0);
    v.kith(["circle", "--as-of", "2026-11-23"])
        .ok()
        .stdout_has("## close — 12 people")
        .stdout_has("more than you keep up with")
        .stdout_has(
            "Move the 10 longest-untouched (Person 08, Person 09, Person 02, …) to `active`",
        )
        .stdout_has("- overdue (10):");
    // One week of digests: the load line appears on the Monday, and only then.
    let mut seen = Vec::new();
    for day in 23..=29 {
        let date = format!("2026-11-{day}");
        let out = v.kith(["digest", "--as-of", &date]).ok().stdout;
        if out.contains("Your close circle (12 people) asks for about 12 check-ins a month") {
            seen.push(date);
        }
    }
    assert_eq!(seen, ["2026-11-23"]);
}

#[test]
fn a_small_circle_is_never_nagged_about() {
    let v = TestVault::new();
    for k in 0..4 {
        v.person(&format!("p{k}"), &format!("P {k}"), "circle: close", "");
    }
    v.kith(["digest", "--as-of", "2026-11-23"])
        .ok()
        .stdout_lacks("Your circles");
}

fn graph_vault() -> TestVault {
    let v = TestVault::new();
    // Two notes whose names fold alike must stay two nodes.
    v.note(
        "people/Dup Name.md",
        "---\nname: Dup Name\ncircle: close\n---\nKnows [[people/Dup-Name]].\n",
    );
    v.note(
        "people/Dup-Name.md",
        "---\nname: Dup \"Quoted\" Other\naliases: [Dupe]\n---\n",
    );
    v.person(
        "ann",
        "Ann Berg",
        "introduced_by: \"[[Dup Name]]\"\ncircle: active",
        "",
    );
    v.person("far", "Far Away", "", "");
    v.note(
        "journal/2026-01-01.md",
        "## 2026-01-01 · dinner\n\nWith [[Ann Berg]] and [[Far Away]].\n",
    );
    v
}

#[test]
fn graph_ids_are_unique_and_circles_are_styles() {
    let v = graph_vault();
    let j = v.kith(["graph", "--json"]).ok().json();
    let ids: Vec<&str> = j["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 4, "{j}");
    let mut uniq = ids.clone();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(uniq.len(), 4, "{ids:?}");
    let m = v
        .kith(["graph"])
        .ok()
        .stdout_has("-->|introduced|")
        .stdout_has("classDef close")
        .stdout_has("classDef active")
        .stdout_has("#quot;Quoted#quot;");
    assert!(m.stdout.starts_with("graph LR\n"));
    // Around Far Away, depth 1: Far and Ann only.
    let j = v
        .kith(["graph", "--around", "Far Away", "--depth", "1", "--json"])
        .ok()
        .json();
    assert_eq!(j["nodes"].as_array().unwrap().len(), 2);
    v.kith([
        "graph", "--around", "Far Away", "--depth", "3", "--format", "dot",
    ])
    .ok()
    .stdout_has("digraph kith {")
    .stdout_has("label=\"Dup \\\"Quoted\\\" Other\"");
}

#[test]
fn graph_dot_parses_with_graphviz() {
    let v = graph_vault();
    let dot = v.kith(["graph", "--format", "dot"]).ok().stdout;
    let mut child = match std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "Graphviz `dot` is needed in CI: {e}"
            );
            eprintln!("skipped: Graphviz `dot` not installed ({e})");
            return;
        }
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dot rejected the graph:\n{}\n{dot}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}
