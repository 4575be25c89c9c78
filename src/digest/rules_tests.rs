//! The reminder and introduction rules of docs/digest.md, on in-memory vaults
//! built from note text: no files, no cache, no index. Each test names the
//! boundary it holds (the day a reminder starts, stops, or is silenced).

use super::reciprocity::tests::vault;
use super::{ReminderKind, connections, reminders};
use crate::date::Date;
use crate::vault::Vault;

fn d(s: &str) -> Date {
    crate::date::parse_date(s).unwrap()
}

/// Names of the reminders of one kind, as of a date.
fn due(v: &Vault, kind: ReminderKind, as_of: &str) -> Vec<String> {
    reminders(v, d(as_of))
        .into_iter()
        .filter(|r| r.kind == kind)
        .map(|r| r.name)
        .collect()
}

const MEETUP: (&str, &str) = (
    "events/rust-meetup.md",
    "---\nname: Rust Meetup\ndate: 2026-03-01\n---\n",
);

/// Ann, met at the meetup on 1 March, with `log` as her note's log.
fn ann(log: &str) -> (&'static str, String) {
    (
        "people/ann.md",
        format!(
            "---\nname: Ann Berg\nmet: {{date: 2026-03-01, event: \"[[Rust Meetup]]\"}}\n---\n## Log\n{log}"
        ),
    )
}

fn follow_ups(log: &str, as_of: &str) -> Vec<String> {
    let (p, t) = ann(log);
    due(&vault(&[MEETUP, (p, &t)]), ReminderKind::FollowUp, as_of)
}

#[test]
fn follow_up_shows_from_the_meeting_day_until_it_expires() {
    let ann = vec!["Ann Berg".to_string()];
    assert!(
        follow_ups("", "2026-02-28").is_empty(),
        "before the meeting"
    );
    assert_eq!(follow_ups("", "2026-03-01"), ann, "on the meeting day");
    assert_eq!(follow_ups("", "2026-03-14"), ann, "M + 13, the last day");
    assert!(follow_ups("", "2026-03-15").is_empty(), "gone from M + 14");
}

#[test]
fn the_first_entry_of_the_meeting_day_records_the_meeting_a_second_follows_up() {
    let one = "### 2026-03-01 · talked about Rust\nShe builds compilers.\n";
    assert_eq!(follow_ups(one, "2026-03-03"), ["Ann Berg"]);
    let two = format!("{one}### 2026-03-01 · sent the paper\nMailed her the link.\n");
    assert!(follow_ups(&two, "2026-03-03").is_empty());
}

#[test]
fn a_next_day_note_about_the_meeting_is_not_a_follow_up() {
    for about in [
        "### 2026-03-02 · notes from the Rust Meetup\nShe builds compilers.\n",
        "### 2026-03-02 · notes\nWe talked at [[Rust Meetup]].\n",
        "### 2026-03-02 · notes\nShe builds compilers. #met\n",
    ] {
        assert_eq!(follow_ups(about, "2026-03-03"), ["Ann Berg"], "{about}");
    }
    let plain = "### 2026-03-02 · coffee\nWe had coffee.\n";
    assert!(follow_ups(plain, "2026-03-03").is_empty());
}

#[test]
fn a_followup_tag_counts_from_the_meeting_day_even_about_the_meeting() {
    let tagged = "### 2026-03-01 · at the Rust Meetup\nSent her my talk. #followup\n";
    assert!(follow_ups(tagged, "2026-03-03").is_empty());
    // Dated after the as-of date: not yet done.
    let later = "### 2026-03-05 · mail\nSent it. #followup\n";
    assert_eq!(follow_ups(later, "2026-03-03"), ["Ann Berg"]);
}

#[test]
fn a_task_only_entry_is_a_plan_and_not_a_follow_up() {
    let plan = "### 2026-03-02 · todo\n- [ ] email Ann the slides\n";
    assert_eq!(follow_ups(plan, "2026-03-03"), ["Ann Berg"]);
    let done = "### 2026-03-02 · mail\nEmailed her.\n- [ ] send the slides\n";
    assert!(follow_ups(done, "2026-03-03").is_empty());
}

#[test]
fn a_journal_link_outside_a_task_follows_up_a_task_does_not() {
    let (p, t) = ann("");
    let journal = |body: &str| format!("## Log\n### 2026-03-02 · day\n{body}\n");
    let plan = journal("- [ ] call [[Ann Berg]]");
    let v = vault(&[MEETUP, (p, &t), ("journal/2026-03-02.md", &plan)]);
    assert_eq!(due(&v, ReminderKind::FollowUp, "2026-03-03"), ["Ann Berg"]);
    let call = journal("Called [[Ann Berg]] about the job.");
    let v = vault(&[MEETUP, (p, &t), ("journal/2026-03-02.md", &call)]);
    assert!(due(&v, ReminderKind::FollowUp, "2026-03-03").is_empty());
}

fn bo(extra: &str, log: &str) -> String {
    format!("---\nname: Bo Chen\ncadence: 30d\n{extra}---\n## Log\n{log}")
}

#[test]
fn check_in_is_due_when_last_contact_plus_cadence_is_reached() {
    let t = bo("", "### 2026-01-01 · lunch\nWe had lunch.\n");
    let v = vault(&[("people/bo.md", &t)]);
    assert!(due(&v, ReminderKind::CheckIn, "2026-01-30").is_empty());
    assert_eq!(due(&v, ReminderKind::CheckIn, "2026-01-31"), ["Bo Chen"]);
}

#[test]
fn check_in_waits_for_a_snooze_and_needs_a_contact() {
    let t = bo(
        "snooze_until: 2026-02-10\n",
        "### 2026-01-01 · lunch\nWe had lunch.\n",
    );
    let v = vault(&[("people/bo.md", &t)]);
    assert!(due(&v, ReminderKind::CheckIn, "2026-02-09").is_empty());
    assert_eq!(due(&v, ReminderKind::CheckIn, "2026-02-10"), ["Bo Chen"]);
    // A plan is not a contact: nothing to count the cadence from.
    let t = bo("", "### 2026-01-01 · todo\n- [ ] call Bo\n");
    let v = vault(&[("people/bo.md", &t)]);
    assert!(due(&v, ReminderKind::CheckIn, "2026-06-01").is_empty());
}

#[test]
fn a_later_contact_resets_the_check_in() {
    let t = bo(
        "",
        "### 2026-01-01 · lunch\nLunch.\n### 2026-01-20 · call\nA call.\n",
    );
    let v = vault(&[("people/bo.md", &t)]);
    assert!(due(&v, ReminderKind::CheckIn, "2026-02-18").is_empty());
    assert_eq!(due(&v, ReminderKind::CheckIn, "2026-02-19"), ["Bo Chen"]);
}

#[test]
fn a_dated_promise_shows_a_week_ahead_and_while_overdue_until_done() {
    let note = |task: &str| {
        format!("---\nname: Cy Dahl\n---\n## Log\n### 2026-03-01 · coffee\nCoffee.\n{task}\n")
    };
    let open = note("- [ ] send Cy the deck 📅 2026-03-10");
    let v = vault(&[("people/cy.md", &open)]);
    assert!(
        due(&v, ReminderKind::Promise, "2026-03-02").is_empty(),
        "8 days ahead"
    );
    assert_eq!(
        due(&v, ReminderKind::Promise, "2026-03-03").len(),
        1,
        "7 days ahead"
    );
    assert_eq!(
        due(&v, ReminderKind::Promise, "2026-04-01").len(),
        1,
        "overdue"
    );
    let done = note("- [x] send Cy the deck 📅 2026-03-10");
    let v = vault(&[("people/cy.md", &done)]);
    assert!(due(&v, ReminderKind::Promise, "2026-03-10").is_empty());
}

#[test]
fn an_undated_promise_shows_once_older_than_two_weeks() {
    let t = "---\nname: Cy Dahl\n---\n## Log\n### 2026-03-01 · coffee\nCoffee.\n- [ ] send Cy the deck\n";
    let v = vault(&[("people/cy.md", t)]);
    assert!(due(&v, ReminderKind::Promise, "2026-03-14").is_empty());
    assert_eq!(due(&v, ReminderKind::Promise, "2026-03-16").len(), 1);
}

fn pair_known(v: &Vault, a: &str, b: &str) -> bool {
    let i = v.resolve_one(a).unwrap();
    let j = v.resolve_one(b).unwrap();
    let c = connections(v);
    c.contains(&(i, j)) || c.contains(&(j, i))
}

const PEOPLE: [(&str, &str); 2] = [
    ("people/dan.md", "---\nname: Dan Eck\n---\n"),
    ("people/eve.md", "---\nname: Eve Fox\n---\n"),
];

#[test]
fn a_planned_intro_is_not_a_connection_a_recorded_meeting_is() {
    let plan = "## Log\n### 2026-03-02 · todo\n- [ ] intro [[Dan Eck]] to [[Eve Fox]]\n";
    let v = vault(&[PEOPLE[0], PEOPLE[1], ("journal/2026-03-02.md", plan)]);
    assert!(!pair_known(&v, "Dan Eck", "Eve Fox"));
    let met = "## Log\n### 2026-03-02 · dinner\nDinner with [[Dan Eck]] and [[Eve Fox]].\n";
    let v = vault(&[PEOPLE[0], PEOPLE[1], ("journal/2026-03-02.md", met)]);
    assert!(pair_known(&v, "Dan Eck", "Eve Fox"));
}

#[test]
fn introduced_by_and_prose_outside_entries() {
    let by = "---\nname: Eve Fox\nintroduced_by: \"[[Dan Eck]]\"\n---\n";
    let v = vault(&[PEOPLE[0], ("people/eve.md", by)]);
    assert!(pair_known(&v, "Dan Eck", "Eve Fox"));
    // A link in a note's prose outside a log entry is not evidence.
    let prose = "---\nname: Eve Fox\n---\nShould meet [[Dan Eck]] some day.\n";
    let v = vault(&[PEOPLE[0], ("people/eve.md", prose)]);
    assert!(!pair_known(&v, "Dan Eck", "Eve Fox"));
}

/// The digest over a vault of notes cut to what it reads
/// ([`super::FRONT_KEYS`]: what the cached model decodes for it) is the
/// digest over the whole notes: a rule reading another key's value or
/// position would read it as absent there, and differ here.
#[test]
fn the_digest_reads_nothing_its_vault_leaves_out() {
    let notes: &[(&str, &str)] = &[
        MEETUP,
        (
            "people/ann.md",
            "---\nname: Ann Berg\nrole: Engineer\nbirthday: --03-04\nmet: {date: 2026-02-20, event: \"[[Rust Meetup]]\"}\nneeds: [a designer]\nknows: [\"[[Bo Chen]]\"]\n---\n## Log\n",
        ),
        (
            "people/bo.md",
            "---\nname: Bo Chen\norg: Acme\ncircle: close\nlast_contact: 2025-12-01\noffers: [design reviews]\nroles: typo\n---\nA designer.\n",
        ),
        (
            "people/cy.md",
            "---\nname: Cy Dahl\ncircle: active\nbirthday: 1990-03-03\n---\n## 2025-10-01 · coffee\n- [ ] send the link to [[Ann Berg]] 📅 2026-02-25\n",
        ),
        (
            "people/di.md",
            "---\nname: Di Eng\ncircle: close\nmet: 2025-11-01\n---\n",
        ),
        (
            "events/dinner.md",
            "---\nname: Dinner\ndate: 2026-03-06\nattendees: [\"[[Ann Berg]]\", \"[[Cy Dahl]]\"]\n---\n",
        ),
    ];
    let whole = vault(notes);
    let mut cut = vault(notes);
    for n in &mut cut.notes {
        super::FRONT_KEYS.apply(n);
    }
    let limits = super::Limits::of(&crate::config::Config::default(), true);
    let shown = |p: &std::path::Path| p.display().to_string();
    let a = super::compute(&whole, d("2026-03-02"), limits, None).unwrap();
    let b = super::compute(&cut, d("2026-03-02"), limits, None).unwrap();
    assert!(a.reminders.len() >= 4, "{:?}", a.reminders);
    assert_eq!(super::markdown(&a, &shown), super::markdown(&b, &shown));
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

/// Every link's note from the table built once equals a lookup of its
/// target: a person before another note of the same name, aliases, paths,
/// case and accents, and no note at all.
#[test]
fn the_resolved_links_table_agrees_with_a_lookup_of_each_target() {
    let v = vault(&[
        (
            "people/ann.md",
            "---\nname: Ann Berg\naliases: [Annie]\n---\n",
        ),
        ("topics/ann-berg.md", "# Ann Berg\n"),
        ("people/zoe.md", "---\nname: Zoë Quist\n---\n"),
        (
            "journal/2026-03-01.md",
            "## Log\n### 2026-03-01 · lunch\nWith [[Ann Berg]], [[annie]], [[people/zoe]], [[Zoe  QUIST]] and [[Nobody]].\n",
        ),
    ]);
    v.resolve_links();
    let mut seen = 0;
    for (i, n) in v.notes.iter().enumerate() {
        for (k, l) in n.links.iter().enumerate() {
            assert_eq!(
                v.link_target(i, k),
                v.resolve_one(&l.target),
                "{}",
                l.target
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 5);
    let ann = v.resolve_one("ann berg").unwrap();
    assert!(v.notes[ann].person.is_some(), "the person wins the name");
}

/// With a budget, the check-ins kept are the most urgent of the ones due
/// without it, in the same order, and the count left out is the rest.
#[test]
fn the_check_in_budget_keeps_the_most_urgent_and_counts_the_rest() {
    let notes: Vec<(String, String)> = (0..9)
        .map(|k| {
            (
                format!("people/p{k}.md"),
                format!(
                    "---\nname: Person {}\ncadence: 1w\nlast_contact: 2026-0{}-01\n---\n",
                    // Two people share each name: ties on name and date.
                    k / 2,
                    1 + k % 3
                ),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = notes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let v = vault(&refs);
    let as_of = d("2026-06-01");
    let key = |r: &super::Reminder| (r.name.clone(), r.path.clone(), r.reason.clone());
    let all: Vec<_> = super::reminders::budgeted(&v, as_of, usize::MAX)
        .0
        .into_iter()
        .filter(|r| r.kind == ReminderKind::CheckIn)
        .map(|r| key(&r))
        .collect();
    assert_eq!(all.len(), 9);
    for budget in [0, 1, 4, 9, 20] {
        let (kept, more) = super::reminders::budgeted(&v, as_of, budget);
        let kept: Vec<_> = kept
            .iter()
            .filter(|r| r.kind == ReminderKind::CheckIn)
            .map(key)
            .collect();
        assert_eq!(kept, all[..budget.min(9)], "budget {budget}");
        assert_eq!(more, 9usize.saturating_sub(budget), "budget {budget}");
    }
}

/// The example vault, with notes written the ways a cut could trip on
/// (CRLF, a BOM, setext headings, a key repeated, keys in other cases, a
/// person as a topic note), loaded the way the digest loads it (cut to
/// [`super::FRONT_KEYS`]) and whole: the digest and every introduction
/// candidate are the same on both, on several dates.
#[test]
fn the_example_vault_cut_and_whole_give_the_same_digest_and_intros() {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let (f, t) = (e.path(), to.join(e.file_name()));
            if e.file_type().unwrap().is_dir() {
                if e.file_name() != "cache" {
                    copy(&f, &t);
                }
            } else {
                std::fs::copy(&f, &t).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("v");
    copy(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-vault"),
        &root,
    );
    let extra: &[(&str, &str)] = &[
        (
            "people/crlf.md",
            "---\r\nname: Cal Rolf\r\nbirthday: 1980-03-05\r\ncircle: close\r\nlast_contact: 2026-01-02\r\nknows: [Bo Mann]\r\nneeds: [a designer]\r\n---\r\nLooking for a designer\r\n===\r\n\r\n## 2026-02-01 · call\r\n\r\n- [ ] send [[Lena Fischer]] the deck 📅 2026-03-01\r\n",
        ),
        (
            "people/bom.md",
            "\u{feff}---\nname: Bo Mann\nBirthday: 1970-03-04\nmet: 2026-02-10\nKnows: [Cal Rolf]\noffers: [design reviews]\ncircle: active\n---\nSetext\n---\n",
        ),
        (
            "people/dup.md",
            "---\nname: Dup Key\nbirthday: 1971-03-06\nbirthday: 1972-03-07\nmet: 2026-02-11\nmet: 2026-02-12\ncircle: close\n---\n",
        ),
        (
            "notes/topic.md",
            "---\nname: Topic Person\nbirthday: 1990-03-04\nknows: [\"[[Bo Mann]]\"]\n---\nA topic.\n",
        ),
    ];
    for (rel, text) in extra {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let whole = crate::store::load(&root).unwrap();
    let (model, _) = crate::store::Model::open(&root).unwrap();
    let cut = crate::store::whole_keeping(model, Some(super::FRONT_KEYS)).unwrap();
    let limits = super::Limits::of(&whole.config, true);
    let shown = |p: &std::path::Path| p.display().to_string();
    for as_of in ["2026-03-02", "2026-11-24", "2027-01-15"] {
        let json = |v: &Vault| {
            let dg = super::compute(v, d(as_of), limits, None).unwrap();
            let m = super::Matching::build(v);
            let all = super::compute_all(v, d(as_of), None, &|| &m).unwrap();
            (
                super::markdown(&dg, &shown),
                serde_json::to_string(&dg).unwrap(),
                serde_json::to_string(&all.0).unwrap(),
                serde_json::to_string(&all.1).unwrap(),
            )
        };
        assert_eq!(json(&whole), json(&cut), "as of {as_of}");
    }
}
