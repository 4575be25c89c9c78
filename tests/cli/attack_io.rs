//! Import and export attacked on purpose: hostile inputs that hung, lost
//! contacts silently, garbled names, wrote outside the vault or replaced
//! what `--out` pointed at. Outputs are read back by vobject and icalendar.

use crate::support::TestVault;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/attack_io")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn import(v: &TestVault, format: &str, files: &[String]) -> Value {
    let mut args = vec!["import".to_string(), format.to_string()];
    args.extend(files.iter().cloned());
    args.push("--json".into());
    v.kith(args.iter().map(String::as_str)).run().json()
}

fn names(rep: &Value, list: &str) -> Vec<String> {
    let mut n: Vec<String> = rep[list]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

fn python_ok() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import vobject, icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install vobject and icalendar (.ci/run puts them in target/ci-venv)"
        );
        eprintln!("vobject/icalendar missing; skipping (CI installs them)");
    }
    ok
}

fn python(code: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs kith with a deadline: a hang is a failure, not a stuck test run.
fn kith_within(v: &TestVault, args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = Command::new(crate::support::KITH)
        .args(["--vault", v.root.to_str().unwrap()])
        .args(args)
        .env("HOME", v.home())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("kith {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_nested_agent_card_or_a_truncated_file_loses_no_contact() {
    let v = TestVault::new();
    let rep = import(&v, "vcard", &[fixture("agent-and-truncated.vcf")]);
    // The nested card reset the outer one (its name and email were lost) and
    // the card the file never ended was dropped without a word.
    assert_eq!(
        names(&rep, "created"),
        ["Agent Smith", "Outer Person", "Truncated Tail"],
        "{rep:#}"
    );
    assert!(v.read("people/outer-person.md").contains("outer@x.com"));
    assert!(v.read("people/truncated-tail.md").contains("tail@x.com"));
}

#[test]
fn a_latin1_card_does_not_garble_the_utf8_ones_and_cp1252_keeps_its_quotes() {
    let v = TestVault::new();
    let rep = import(&v, "vcard", &[fixture("mixed-charsets.vcf")]);
    // One raw Latin-1 card made the whole file Latin-1: "JosÃ© GarcÃ\u{ad}a";
    // 0x92 (’ in Windows-1252) became a C1 control and then a space.
    assert_eq!(
        names(&rep, "created"),
        ["José García", "Renée O’Brien"],
        "{rep:#}"
    );
}

#[test]
fn utf16_files_are_read_not_reported_as_empty() {
    let v = TestVault::new();
    // Read as bytes, a UTF-16 vCard had no BEGIN:VCARD: "0 created", exit 0.
    let rep = import(&v, "vcard", &[fixture("utf16.vcf")]);
    assert_eq!(names(&rep, "created"), ["Zoë Wide"], "{rep:#}");
    let rep = import(&v, "google", &[fixture("google-utf16.csv")]);
    assert_eq!(names(&rep, "skipped"), ["Zoë Wide"], "{rep:#}");
}

#[test]
fn a_file_without_a_single_card_is_an_error_not_zero_created() {
    let v = TestVault::new();
    v.note("contacts.vcf", "First Name,Last Name\nAnn,Lee\n");
    v.kith(["import", "vcard", v.path("contacts.vcf").to_str().unwrap()])
        .code(2)
        .stderr_has("no vCard in this file")
        .stderr_has("hint:");
}

#[test]
fn an_ansi_outlook_csv_keeps_its_accents() {
    let v = TestVault::new();
    let rep = import(&v, "outlook", &[fixture("outlook-ansi.csv")]);
    // from_utf8_lossy put U+FFFD where "é" and "’" were.
    assert_eq!(names(&rep, "created"), ["Renée O’Brien"], "{rep:#}");
    let note = v.read("people/renee-o-brien.md");
    assert!(note.contains("org: Café € Ltd"), "{note}");
}

#[test]
fn nuls_in_a_csv_do_not_split_names_and_emails() {
    let v = TestVault::new();
    let rep = import(&v, "google", &[fixture("nul.csv")]);
    // A NUL became a space: "An na Sm ith", "an na@x.com".
    assert_eq!(names(&rep, "created"), ["Anna Smith"], "{rep:#}");
    assert!(v.read("people/anna-smith.md").contains("- anna@x.com"));
}

#[test]
fn a_fifo_or_a_device_as_input_is_refused_at_once() {
    let v = TestVault::new();
    let fifo = v.home().join("contacts.vcf");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    // Opening the FIFO blocked until a writer came; /dev/zero was read until
    // memory ran out.
    for input in [fifo.to_str().unwrap(), "/dev/zero"] {
        let out = kith_within(&v, &["import", "vcard", input], Duration::from_secs(10));
        assert_eq!(out.status.code(), Some(2), "{input}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not an exported file"), "{err}");
    }
}

#[test]
fn endless_folding_and_100k_properties_import_in_linear_time() {
    let v = TestVault::new();
    // A line folded 200 000 times without a `:` was rescanned for every fold
    // (quadratic: minutes), and 100 000 EMAIL lines were compared pairwise.
    let mut fold = String::from("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Fold Person\r\nXNOCOLON");
    fold.push_str(&"\r\n a".repeat(200_000));
    fold.push_str("\r\nEND:VCARD\r\n");
    let mut many = String::from("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Many Props\r\n");
    for i in 0..100_000 {
        many.push_str(&format!("EMAIL:e{i}@x.com\r\n"));
    }
    many.push_str("END:VCARD\r\n");
    v.note("fold.vcf", &fold).note("many.vcf", &many);
    for f in ["fold.vcf", "many.vcf"] {
        let p = v.path(f);
        let out = kith_within(
            &v,
            &["import", "vcard", p.to_str().unwrap(), "--dry-run"],
            Duration::from_secs(30),
        );
        assert!(out.status.success(), "{f}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 would be created"));
    }
}

#[test]
fn a_symlinked_people_folder_is_never_written_through() {
    let v = TestVault::new();
    let outside = v.home().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, v.path("people")).unwrap();
    let rep = import(&v, "vcard", &[fixture("hostile-names.vcf")]);
    // Every note went to the link's target, outside the vault, where kith
    // never reads it: each import of the same file made them again.
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "wrote outside the vault"
    );
    assert_eq!(rep["failed"].as_array().unwrap().len(), 5, "{rep:#}");
    assert!(
        rep["failed"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("symbolic link")
    );
}

#[test]
fn hostile_names_stay_inside_people() {
    let v = TestVault::new();
    let rep = import(&v, "vcard", &[fixture("hostile-names.vcf")]);
    assert_eq!(rep["created"].as_array().unwrap().len(), 5, "{rep:#}");
    for o in rep["created"].as_array().unwrap() {
        let p = PathBuf::from(o["path"].as_str().unwrap());
        assert!(p.starts_with("people"), "{p:?}");
        assert_eq!(p.components().count(), 2, "{p:?}");
        assert!(v.root.join(&p).is_file());
    }
    v.kith(["check"])
        .ok()
        .stderr_has("5 notes checked: 0 errors");
}

#[test]
fn link_labels_stay_string_keys_for_other_yaml_readers() {
    let v = TestVault::new();
    import(&v, "vcard", &[fixture("label-keys.vcf")]);
    let text = v.read("people/label-person.md");
    if !python_ok() {
        return;
    }
    // `null:`, `123:` and `true:` keys are None, 123 and True to PyYAML
    // (and Obsidian): a links map nobody else can read as labels.
    let keys = python(
        "import sys, yaml\nfm = sys.argv[1].split('---')[1]\nprint(sorted(repr(k) for k in yaml.safe_load(fm)['links']))",
        &[&text],
    );
    assert_eq!(keys.trim(), "[\"'123'\", \"'null'\", \"'true'\"]", "{text}");
}

fn done_vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "dana",
        "Dana Kim",
        "",
        "\n## Log\n\n- [x] send the deck 📅 2026-01-01\n- [x] call back 📅 2026-01-01 ✅ 2026-01-02\n",
    );
    v
}

fn completed_of(v: &TestVault, as_of: &str) -> String {
    let out = v.home().join(format!("c-{as_of}.ics"));
    v.kith([
        "export",
        "ics",
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    python(
        r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for c in cal.walk("VTODO"):
    d = c.get("COMPLETED")
    print(str(c.get("STATUS")), d.dt.isoformat() if d else "-", str(c.get("DESCRIPTION")).split("\n")[0])
"#,
        &[out.to_str().unwrap()],
    )
}

#[test]
fn a_completion_date_does_not_move_with_the_export_day() {
    if !python_ok() {
        return;
    }
    let v = done_vault();
    let a = completed_of(&v, "2026-01-05");
    let b = completed_of(&v, "2026-01-06");
    // Without ✅ the to-do was "completed" on whatever day the export ran:
    // a new date, and a rewritten file, every day.
    assert_eq!(a, b);
    assert!(a.contains("COMPLETED - you promised: send the deck"), "{a}");
    // Noon UTC: 2 January in every zone from UTC-11 to UTC+11 (midnight UTC
    // is 1 January in the Americas).
    assert!(
        a.contains("COMPLETED 2026-01-02T12:00:00+00:00 you promised: call back"),
        "{a}"
    );
}

#[test]
fn out_never_replaces_a_fifo_a_folder_or_a_symlink() {
    let v = done_vault();
    let fifo = v.home().join("cal.ics");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // Reading a FIFO's old content blocked forever; as root the rename then
    // replaced whatever special file --out named (a device too).
    let out = kith_within(
        &v,
        &["export", "ics", "--out", fifo.to_str().unwrap()],
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(2));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A symlinked calendar file stays a link; its target is updated.
    let real = v.home().join("real.ics");
    std::fs::write(&real, "old").unwrap();
    let link = v.home().join("link.ics");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    v.kith(["export", "ics", "--out", link.to_str().unwrap()])
        .ok();
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .starts_with("BEGIN:VCALENDAR")
    );
}

#[test]
fn a_contact_listed_twice_loses_no_field_and_namesakes_stay_two() {
    let v = TestVault::new();
    let rep = import(&v, "vcard", &[fixture("listed-twice.vcf")]);
    // The second "Sam Same" card (a phone only) and "S. Same" (the same email
    // in other case, an org) were skipped with "the first was used": their
    // phone and org were gone. "Sam Same" with another email is another person.
    assert_eq!(names(&rep, "created"), ["Sam Same", "Sam Same"], "{rep:#}");
    let first = v.read("people/sam-same.md");
    assert!(
        first.contains("+1 555") && first.contains("org: Acme"),
        "{first}"
    );
    assert!(v.read("people/sam-same-2.md").contains("b@y.com"));
    // Importing it again changes nothing.
    let again = import(&v, "vcard", &[fixture("listed-twice.vcf")]);
    assert_eq!(again["created"].as_array().unwrap().len(), 0, "{again:#}");
}
