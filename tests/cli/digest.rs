//! The digest's rules, each pinned at its boundaries with a fixed --as-of.

use crate::support::TestVault;
use serde_json::Value;

fn digest(v: &TestVault, as_of: &str, extra: &[&str]) -> Value {
    let mut args = vec!["digest", "--as-of", as_of, "--json"];
    args.extend_from_slice(extra);
    v.kith(args).ok().json()
}

/// (kind, name) of every reminder.
fn reminders(d: &Value, kind: &str) -> Vec<String> {
    d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == kind)
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

fn intro_pairs(d: &Value) -> Vec<(String, String)> {
    d["intros"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let (a, b) = (
                i["a"].as_str().unwrap().to_string(),
                i["b"].as_str().unwrap().to_string(),
            );
            if a < b { (a, b) } else { (b, a) }
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.into(), b.into())
    } else {
        (b.into(), a.into())
    }
}

#[test]
fn follow_up_window_touches_and_grouping() {
    let v = TestVault::new();
    v.note(
        "events/meetup.md",
        "---\nname: Rust Meetup\ndate: 2026-11-10\n---\n",
    );
    let met = "met: {date: 2026-11-10, event: \"[[Rust Meetup]]\"}";
    v.person("ann", "Ann", met, "");
    v.person(
        "bo",
        "Bo",
        met,
        "\n## Log\n\n### 2026-11-11 · coffee\n\nFollowed up.\n",
    );
    v.person("cy", "Cy", met, "");
    v.note("journal/2026-11-12.md", "Called [[Cy]].\n");
    v.person("di", "Di", "met: 2026-11-10\nlast_contact: 2026-11-11", "");
    v.person("ed", "Ed", "met: 2026-11-09", "");
    // The meeting day: shown, due two days later, grouped under the event.
    let d = digest(&v, "2026-11-10", &[]);
    // Grouped by event first; then Ed, met a day earlier, is due before Di,
    // whose last_contact is after --as-of and so does not count yet.
    assert_eq!(reminders(&d, "follow_up"), ["Ann", "Bo", "Cy", "Ed", "Di"]);
    let ann = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Ann")
        .unwrap()
        .clone();
    assert_eq!(ann["due"], "2026-11-12");
    assert_eq!(ann["group"], "Rust Meetup");
    assert_eq!(ann["path"], "people/ann.md");
    assert!(
        ann["reason"]
            .as_str()
            .unwrap()
            .contains("met today at Rust Meetup")
    );
    // Touched after the meeting (own log, a journal note, last_contact): gone.
    assert_eq!(
        reminders(&digest(&v, "2026-11-12", &[]), "follow_up"),
        ["Ann", "Ed"]
    );
    // Last day shown is day 13; it expires 14 days after the meeting.
    assert_eq!(
        reminders(&digest(&v, "2026-11-23", &[]), "follow_up"),
        ["Ann"]
    );
    assert!(reminders(&digest(&v, "2026-11-24", &[]), "follow_up").is_empty());
    // Not before the meeting.
    assert!(reminders(&digest(&v, "2026-11-08", &[]), "follow_up").is_empty());
    // Markdown groups people under the event.
    let md = v.kith(["digest", "--as-of", "2026-11-12"]).ok().stdout;
    assert!(
        md.contains("## Follow up\n\n**Rust Meetup**\n\n- **Ann**"),
        "{md}"
    );
    assert!(md.contains("people/ann.md:1"), "{md}");
}

#[test]
fn check_in_cadence_snooze_journal_touch_ranking_and_budget() {
    let v = TestVault::new();
    let log = |d: &str| format!("\n## Log\n\n### {d} · talk\n\nWe talked about boats.\n");
    v.person(
        "close",
        "Close Friend",
        "circle: close\nneeds: [a new flat]",
        &log("2026-10-01"),
    );
    v.person(
        "snoozed",
        "Snoozed One",
        "circle: close\nsnooze_until: 2026-11-05",
        &log("2026-10-01"),
    );
    v.person(
        "journal",
        "Journal Touch",
        "circle: close",
        &log("2026-10-01"),
    );
    v.note("journal/2026-10-20.md", "Lunch with [[Journal Touch]].\n");
    v.person(
        "acq",
        "Acquaintance",
        "circle: acquaintance",
        &log("2026-01-01"),
    );
    v.person(
        "own",
        "Own Cadence",
        "circle: acquaintance\ncadence: 2w",
        &log("2026-10-10"),
    );
    v.person("never", "Never Logged", "circle: close", "");
    v.person(
        "field",
        "Field Contact",
        "circle: active\nlast_contact: 2026-07-01",
        "",
    );
    // Close: 30 days. Not due the day before, due exactly on the day.
    let d = digest(&v, "2026-10-30", &[]);
    assert!(!reminders(&d, "check_in").contains(&"Close Friend".to_string()));
    let d = digest(&v, "2026-10-31", &[]);
    let due = reminders(&d, "check_in");
    // Own Cadence: 21 days of 2w (1.5); Field Contact: 122 of 90 (1.36); Close: 30 of 30 (1.0).
    assert_eq!(
        due,
        ["Own Cadence", "Field Contact", "Close Friend"],
        "ranked by how overdue relative to the cadence"
    );
    let r = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Close Friend")
        .unwrap()
        .clone();
    assert_eq!(r["due"], "2026-10-31");
    assert_eq!(r["line"], 9, "points at the last entry");
    let starters = r["starters"].as_array().unwrap();
    assert!(
        starters
            .iter()
            .any(|s| s.as_str().unwrap().contains("talk"))
    );
    assert!(
        starters
            .iter()
            .any(|s| s.as_str().unwrap().contains("a new flat"))
    );
    // Snoozed until 11-05: hidden before, back on the day.
    assert!(
        !reminders(&digest(&v, "2026-11-04", &[]), "check_in").contains(&"Snoozed One".to_string())
    );
    assert!(
        reminders(&digest(&v, "2026-11-05", &[]), "check_in").contains(&"Snoozed One".to_string())
    );
    // Touched only from a journal note: due 30 days after it.
    assert!(
        !reminders(&digest(&v, "2026-11-18", &[]), "check_in")
            .contains(&"Journal Touch".to_string())
    );
    assert!(
        reminders(&digest(&v, "2026-11-19", &[]), "check_in")
            .contains(&"Journal Touch".to_string())
    );
    // last_contact counts; acquaintances and people never contacted get none.
    let late = reminders(&digest(&v, "2026-12-31", &["--all"]), "check_in");
    assert!(late.contains(&"Field Contact".to_string()));
    assert!(
        !late.contains(&"Acquaintance".to_string()) && !late.contains(&"Never Logged".to_string())
    );
}

#[test]
fn check_in_budget_counts_the_rest() {
    let v = TestVault::new();
    for i in 0..7 {
        v.person(
            &format!("p{i}"),
            &format!("Person {i}"),
            "circle: close",
            &format!("\n### 2026-09-0{} · x\n", i + 1),
        );
    }
    let d = digest(&v, "2026-11-22", &[]);
    assert_eq!(reminders(&d, "check_in").len(), 5);
    assert_eq!(d["more_check_ins"], 2);
    assert_eq!(
        reminders(&d, "check_in")[0],
        "Person 0",
        "most overdue first"
    );
    let md = v.kith(["digest", "--as-of", "2026-11-22"]).ok().stdout;
    assert!(md.contains("and 2 more — `kith digest --all`"), "{md}");
    assert_eq!(
        reminders(&digest(&v, "2026-11-22", &["--all"]), "check_in").len(),
        7
    );
    v.note(
        ".kith/config.yaml",
        "digest:\n  check_in_budget: 2\ncadence:\n  close: 365d\n",
    );
    assert!(
        reminders(&digest(&v, "2026-11-22", &[]), "check_in").is_empty(),
        "configured cadence"
    );
    v.note(".kith/config.yaml", "digest:\n  check_in_budget: 2\n");
    assert_eq!(
        reminders(&digest(&v, "2026-11-22", &[]), "check_in").len(),
        2
    );
}

#[test]
fn promises_due_soon_overdue_undated_and_done() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "",
        "\n## Log\n\n### 2026-11-01 · lunch\n\n- [ ] send the article 📅 2026-11-29\n- [ ] lend the book due:2026-11-30\n- [x] book the table 📅 2026-11-20\n- [ ] undated from the entry\n",
    );
    v.person("bo", "Bo", "", "");
    v.note(
        "journal/2026-11-09.md",
        "- [ ] intro [[Bo]] to a designer\n- [ ] overdue thing for [[Bo]] 📅 2026-11-15\n",
    );
    let d = digest(&v, "2026-11-22", &[]);
    let texts: Vec<String> = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "promise")
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .collect();
    let has = |s: &str| texts.iter().any(|t| t.contains(s));
    assert!(has("send the article") && has("due in 7 days"), "{texts:?}");
    assert!(
        !has("lend the book"),
        "8 days ahead is not yet shown: {texts:?}"
    );
    assert!(!has("book the table"), "done promises are not shown");
    assert!(
        has("undated from the entry") && has("open since 2026-11-01"),
        "{texts:?}"
    );
    assert!(has("overdue thing") && has("7 days overdue"), "{texts:?}");
    // The journal's undated promise is 13 days old: not yet.
    assert!(!has("intro Bo to a designer"), "{texts:?}");
    let d = digest(&v, "2026-11-23", &[]);
    let bo: Vec<_> = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "promise" && r["name"] == "Bo")
        .collect();
    assert_eq!(bo.len(), 2);
    assert_eq!(
        bo.iter()
            .find(|r| r["reason"].as_str().unwrap().contains("designer"))
            .unwrap()["path"],
        "journal/2026-11-09.md"
    );
}

#[test]
fn birthdays_and_leap_days() {
    let v = TestVault::new();
    v.person("leap", "Leap Day", "birthday: --02-29", "");
    v.person("full", "Full Date", "birthday: 1990-03-14", "");
    let d = digest(&v, "2027-02-20", &[]);
    let r = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Leap Day")
        .unwrap()
        .clone();
    assert_eq!(
        r["due"], "2027-02-28",
        "29 February falls on 28 February in other years"
    );
    assert!(
        !reminders(&d, "birthday").contains(&"Full Date".to_string()),
        "22 days away"
    );
    let d = digest(&v, "2027-02-28", &[]);
    let b = reminders(&d, "birthday");
    assert!(
        b.contains(&"Full Date".to_string()) && b.contains(&"Leap Day".to_string()),
        "14 days ahead is shown"
    );
    let r = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Full Date")
        .unwrap()
        .clone();
    assert!(r["reason"].as_str().unwrap().contains("turns 37"));
    let d = digest(&v, "2028-02-28", &[]);
    assert_eq!(
        reminders(&d, "birthday"),
        ["Leap Day"],
        "15 days before 14 March is too early"
    );
    assert_eq!(
        d["reminders"][0]["due"], "2028-02-29",
        "in a leap year, on the day"
    );
}

#[test]
fn upcoming_events_with_the_people_you_know() {
    let v = TestVault::new();
    v.person("ann", "Ann", "needs: [a co-founder]", "");
    v.person("bo", "Bo", "", "Going to [[Demo Night]].\n");
    v.note(
        "events/dinner.md",
        "---\nname: Dinner\ndate: 2026-12-06\nattendees: [\"[[Ann]]\"]\n---\n",
    );
    v.note(
        "events/demo.md",
        "---\nname: Demo Night\ndate: 2026-12-07\n---\n",
    );
    v.note("events/old.md", "---\nname: Old\ndate: 2026-11-20\n---\n");
    let d = digest(&v, "2026-11-22", &[]);
    assert_eq!(
        reminders(&d, "event"),
        ["Dinner"],
        "14 days ahead yes, 15 no, past no"
    );
    let r = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Dinner")
        .unwrap()
        .clone();
    assert_eq!(r["people"], serde_json::json!(["Ann"]));
    assert!(r["starters"][0].as_str().unwrap().contains("a co-founder"));
    let d = digest(&v, "2026-11-23", &[]);
    let r = d["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Demo Night")
        .unwrap()
        .clone();
    assert_eq!(
        r["people"],
        serde_json::json!(["Bo"]),
        "people whose notes link the event"
    );
}

fn intro_vault() -> TestVault {
    let v = TestVault::new();
    v.note(
        ".kith/config.yaml",
        "synonyms:\n  - [investor, raising, seed round]\n",
    );
    v.person(
        "lena",
        "Lena Fischer",
        "needs: [hiring a senior Rust engineer]\nlocation: Berlin",
        "",
    );
    v.person(
        "omar",
        "Omar Haddad",
        "offers: [senior Rust engineer open to new roles]\nlocation: Berlin",
        "",
    );
    v.person("sam", "Sam Founder", "needs: [raising a seed round]", "");
    v.person(
        "vic",
        "Vic Capital",
        "offers: [angel investor for climate startups]",
        "",
    );
    v
}

#[test]
fn introductions_match_needs_to_offers_with_quoted_reasons() {
    let v = intro_vault();
    let d = digest(&v, "2026-11-22", &[]);
    let pairs = intro_pairs(&d);
    assert!(
        pairs.contains(&pair("Lena Fischer", "Omar Haddad")),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&pair("Sam Founder", "Vic Capital")),
        "synonyms bridge the words: {pairs:?}"
    );
    let lo = d["intros"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["a"] == "Lena Fischer")
        .unwrap()
        .clone();
    let reasons: Vec<&str> = lo["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        reasons[0],
        "Lena needs “hiring a senior Rust engineer”; Omar offers “senior Rust engineer open to new roles” — matched: hiring ↔ open to new roles; rust; engineer"
    );
    assert!(reasons.contains(&"both in Berlin"));
    assert!(lo["score"].as_f64().unwrap() > 0.0);
    let md = v.kith(["digest", "--as-of", "2026-11-22"]).ok().stdout;
    assert!(
        md.contains("## Introductions") && md.contains("```mermaid\ngraph LR\n"),
        "{md}"
    );
}

#[test]
fn introductions_respect_connections_opt_outs_and_dismissals() {
    // Each exclusion on its own vault, so nothing else hides the pair.
    let cases: [(&str, &str); 6] = [
        ("lena", "introduced_by: \"[[Omar Haddad]]\""),
        ("omar", "intro_ok: false"),
        ("omar", "circle: dormant"),
        ("lena", "aliases: [LF]"),
        ("lena", ""),
        ("omar", "knows: [\"[[Lena Fischer]]\"]"),
    ];
    for (n, (slug, extra)) in cases.iter().enumerate() {
        let v = intro_vault();
        let base = v.read(&format!("people/{slug}.md"));
        let fm_end = base.rfind("---\n").unwrap();
        v.note(
            &format!("people/{slug}.md"),
            &format!("{}{extra}\n{}", &base[..fm_end], &base[fm_end..]),
        );
        match n {
            3 => {
                // Both linked from one log entry (in a third note).
                v.note(
                    "journal/2026-11-01.md",
                    "## 2026-11-01 · dinner\n\nWith [[LF]] and [[Omar Haddad]].\n",
                );
            }
            4 => {
                // Omar's note records talking to Lena in a log entry.
                let t = v.read("people/omar.md")
                    + "\n## Log\n\n### 2026-10-01 · call\n\nTalked with [[Lena Fischer]] about payments.\n";
                v.note("people/omar.md", &t);
            }
            5 => {
                v.kith(["intros", "dismiss", "lena", "omar"])
                    .ok()
                    .stdout_has("dismissed");
                v.kith(["intros", "dismiss", "Omar Haddad", "Lena Fischer"])
                    .ok()
                    .stdout_has("already");
                let file = v.read(".kith/intros.yaml");
                assert!(
                    file.contains("[\"Lena Fischer\", \"Omar Haddad\"]"),
                    "{file}"
                );
            }
            _ => {}
        }
        let pairs = intro_pairs(&digest(&v, "2026-11-22", &["--all"]));
        assert!(
            !pairs.contains(&pair("Lena Fischer", "Omar Haddad")),
            "case {n} ({extra}): {pairs:?}"
        );
        assert!(
            pairs.contains(&pair("Sam Founder", "Vic Capital")),
            "case {n}: others still suggested"
        );
    }
}

#[test]
fn rare_shared_interests_count_more_and_each_person_appears_twice_at_most() {
    let v = TestVault::new();
    // Everyone likes coffee; only two like falconry.
    v.person("a", "Ann A", "interests: [coffee, falconry]", "");
    v.person("b", "Bo B", "interests: [coffee, falconry]", "");
    v.person("c", "Cy C", "interests: [coffee, chess]", "");
    v.person("d", "Di D", "interests: [coffee, chess]", "");
    for i in 0..8 {
        v.person(
            &format!("x{i}"),
            &format!("Extra {i}"),
            "interests: [coffee]",
            "",
        );
    }
    // A hub whose offer meets everyone's need.
    v.person(
        "hub",
        "Hub Helper",
        "offers: [mentoring for first-time managers]",
        "",
    );
    for i in 0..4 {
        v.person(
            &format!("m{i}"),
            &format!("Manager {i}"),
            "needs: [mentoring as a first-time manager]",
            "",
        );
    }
    let d = digest(&v, "2026-11-22", &["--all"]);
    let all = d["intros"].as_array().unwrap();
    let score = |a: &str, b: &str| {
        all.iter()
            .find(|i| pair(i["a"].as_str().unwrap(), i["b"].as_str().unwrap()) == pair(a, b))
            .map(|i| i["score"].as_f64().unwrap())
    };
    let rare = score("Ann A", "Bo B").expect("falconry pair");
    assert!(rare > 0.0, "a rare shared interest is a reason");
    assert!(
        score("Extra 0", "Extra 1").is_none(),
        "a shared interest that is too common is not"
    );
    // A shared tag is how you file people, not a reason on its own, and a
    // shared city only adds to a reason.
    v.person("t1", "Tag One", "tags: [friends]\nlocation: Oslo", "");
    v.person("t2", "Tag Two", "tags: [friends]\nlocation: Oslo", "");
    let d = digest(&v, "2026-11-22", &["--all"]);
    assert!(
        !intro_pairs(&d).contains(&pair("Tag One", "Tag Two")),
        "{:?}",
        intro_pairs(&d)
    );
    assert!(intro_pairs(&d).contains(&pair("Ann A", "Bo B")));
    let d = digest(&v, "2026-11-22", &[]);
    let hub = intro_pairs(&d)
        .iter()
        .filter(|(a, b)| a == "Hub Helper" || b == "Hub Helper")
        .count();
    assert_eq!(hub, 2, "each person in at most two suggestions");
    assert!(intro_pairs(&d).len() <= 5);
    // kith intros --for lists more for one person.
    let list = v
        .kith(["intros", "--for", "hub helper", "--all", "--json"])
        .ok()
        .json();
    assert_eq!(list.as_array().unwrap().len(), 4);
}

#[test]
fn shares_resources_of_any_age_recent_first_with_the_url() {
    let v = TestVault::new();
    v.person("ann", "Ann", "interests: [structured interviews]", "");
    v.person(
        "bo",
        "Bo",
        "needs: [hiring engineers with structured interviews]",
        "",
    );
    v.person("cy", "Cy", "interests: [structured interviews]", "");
    v.note("resources/guide.md", "---\ntitle: Structured interviews guide\nurl: https://example.org/guide\ntags: [structured interviews]\nadded: 2026-11-10\n---\nShared with [[Cy]] already.\n");
    v.note("resources/old.md", "---\ntitle: Old structured interviews post\ntags: [structured interviews]\nadded: 2025-01-01\n---\n");
    let d = digest(&v, "2026-11-22", &["--all"]);
    let shares = d["shares"].as_array().unwrap();
    let of = |r: &str| -> Vec<&str> {
        shares
            .iter()
            .filter(|s| s["resource"] == r)
            .map(|s| s["name"].as_str().unwrap())
            .collect()
    };
    let recent = of("Structured interviews guide");
    assert!(
        recent.contains(&"Ann") && recent.contains(&"Bo"),
        "{shares:?}"
    );
    assert!(!recent.contains(&"Cy"), "already linked to the resource");
    // Any age: the old post reaches everyone, Cy included.
    assert_eq!(of("Old structured interviews post").len(), 3, "{shares:?}");
    assert_eq!(
        shares[0]["resource"], "Structured interviews guide",
        "recent first"
    );
    assert!(
        shares
            .iter()
            .any(|s| s["url"] == "https://example.org/guide")
    );
    assert!(shares.iter().any(|s| {
        s["reason"]
            .as_str()
            .unwrap()
            .contains("needs “hiring engineers")
    }));
    let md = v.kith(["digest", "--all", "--as-of", "2026-11-22"]).ok();
    md.stdout_has("<https://example.org/guide>");
}

#[test]
fn shares_skip_people_already_sent_it_and_fold_into_an_open_promise() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann",
        "needs: [a guide to structured interviews]",
        "",
    );
    v.person(
        "bo",
        "Bo",
        "needs: [a guide to structured interviews]",
        "## Log\n\n### 2026-10-01 · coffee\n\nSent [[Structured interviews guide]].\n",
    );
    v.person(
        "cy",
        "Cy",
        "needs: [a guide to structured interviews]",
        "- [x] send Cy the structured interviews guide\n",
    );
    v.person(
        "di",
        "Di",
        "needs: [a guide to structured interviews]",
        "- [ ] send Di the [[Structured interviews guide]]\n",
    );
    v.note(
        "resources/guide.md",
        "---\ntitle: Structured interviews guide\ntags: [hiring]\nadded: 2024-03-01\n---\n",
    );
    let d = digest(&v, "2026-11-22", &["--all"]);
    let shares = d["shares"].as_array().unwrap();
    let names: Vec<&str> = shares.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Ann"), "{shares:?}");
    assert!(!names.contains(&"Bo"), "a log entry linking it: sent");
    assert!(!names.contains(&"Cy"), "a done promise about it: sent");
    let di = shares.iter().find(|s| s["name"] == "Di").expect("Di");
    assert!(
        di["promise"].as_str().unwrap().contains("send Di the"),
        "{di}"
    );
    assert!(
        di["reason"].as_str().unwrap().starts_with("you promised"),
        "{di}"
    );
}

#[test]
fn json_shape_and_out_file() {
    let v = intro_vault();
    v.person("met", "Met Recently", "met: 2026-11-20", "");
    let d = digest(&v, "2026-11-22", &[]);
    assert_eq!(d["as_of"], "2026-11-22");
    for r in d["reminders"].as_array().unwrap() {
        for k in ["kind", "name", "path", "due", "reason"] {
            assert!(!r[k].is_null(), "reminder lacks {k}: {r}");
        }
    }
    for i in d["intros"].as_array().unwrap() {
        for k in ["a", "b", "score", "reasons"] {
            assert!(!i[k].is_null(), "intro lacks {k}: {i}");
        }
    }
    assert!(d["shares"].is_array());
    let out = v.path("digest.md");
    v.kith([
        "digest",
        "--as-of",
        "2026-11-22",
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# kith digest — 2026-11-22"), "{text}");
    assert!(
        text.contains("## Follow up") && text.contains("## Introductions"),
        "{text}"
    );
}
