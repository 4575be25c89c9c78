//! Import from real exporters' files; export read back by independent parsers.

use crate::support::TestVault;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn show(v: &TestVault, who: &str) -> Value {
    v.kith(["show", who, "--json"]).ok().json()["person"].clone()
}

#[test]
fn vcards_from_google_apple_outlook_android_and_v4() {
    let v = TestVault::new();
    let files = [
        "google.vcf",
        "apple.vcf",
        "outlook.vcf",
        "android.vcf",
        "v4.vcf",
    ]
    .map(fixture);
    let mut args = vec!["import".to_string(), "vcard".to_string()];
    args.extend(files.iter().cloned());
    let rep = v
        .kith(args.iter().map(String::as_str).chain(["--json"]))
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 6, "{rep:#}");
    // Google: escaped comma and newline in NOTE → the bio; \: in URL; photo URL never kept.
    let lena = show(&v, "Lena Fischer");
    assert_eq!(lena["org"], "Acme Robotics");
    assert_eq!(lena["role"], "CTO");
    assert_eq!(lena["birthday"], "1987-12-01");
    assert_eq!(lena["phones"], serde_json::json!(["+49 151 1234567"]));
    assert_eq!(
        lena["links"],
        serde_json::json!([["github", "https://github.com/example-lena"]])
    );
    let text = v.read("people/lena-fischer.md");
    assert!(
        text.contains("Met at RustConf EU.\nLoves structured interviews, and bouldering."),
        "{text}"
    );
    assert!(
        !text.contains("googleusercontent"),
        "photos never leak into text"
    );
    let omar = show(&v, "Omar Haddad");
    assert_eq!(omar["emails"].as_array().unwrap().len(), 2);
    assert_eq!(
        omar["phones"],
        serde_json::json!(["+4915112345678", "+49 30 1234"])
    );
    // Apple: groups, X-ABLabel, year-less birthday, escaped comma in ORG, photo skipped.
    let tomas = show(&v, "tomas muller");
    assert_eq!(tomas["org"], "Müller & Söhne, GmbH");
    assert_eq!(tomas["birthday"], "--08-02");
    assert_eq!(
        tomas["emails"],
        serde_json::json!(["tomas@mueller.example"])
    );
    assert_eq!(
        tomas["links"],
        serde_json::json!([["homepage", "https://mueller.example"]])
    );
    assert!(!v.read("people/tomas-muller.md").contains("/9j/"));
    // Outlook 2.1: quoted-printable soft break, basic-format birthday.
    let ines = show(&v, "Inês Duarte");
    assert_eq!(ines["birthday"], "1990-03-15");
    assert!(
        v.read("people/ines-duarte.md")
            .contains("Causal inference workshops.\nMoving to Berlin in the spring.")
    );
    // Android 2.1: QP with UTF-8 CHARSET; 01234 stays a string.
    let soren = show(&v, "Søren Jørgensen");
    assert_eq!(
        soren["phones"],
        serde_json::json!(["+47 412 34 567", "01234"])
    );
    assert!(
        v.read("people/soren-jorgensen.md")
            .contains("knows every boat in the harbour")
    );
    // vCard 4.0: --MMDD birthday.
    assert_eq!(show(&v, "Zoe Martin")["birthday"], "--02-29");
    v.kith(["check"]).ok();
}

#[test]
fn linkedin_with_and_without_the_preamble_and_google_csv() {
    let v = TestVault::new();
    let rep = v
        .kith(["import", "linkedin", &fixture("linkedin.csv"), "--json"])
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 3, "{rep:#}");
    let priya = show(&v, "Priya Raman");
    assert_eq!(priya["role"], "Engineering Manager, Platform");
    assert_eq!(priya["met"]["date"], "2024-03-15");
    assert_eq!(
        priya["links"],
        serde_json::json!([["linkedin", "https://www.linkedin.com/in/priya-raman"]])
    );
    assert_eq!(
        show(&v, "Ben Okoro")["role"],
        "Account Executive \"Enterprise\""
    );
    v.kith(["import", "linkedin", &fixture("linkedin-old.csv")])
        .ok()
        .stdout_has("1 created");
    assert_eq!(show(&v, "Clara Hoffmann")["org"], "TalentBridge");
    let rep = v
        .kith(["import", "google", &fixture("google.csv"), "--json"])
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 2, "{rep:#}");
    assert_eq!(
        rep["skipped"].as_array().unwrap().len(),
        1,
        "a phone-only row has no name: {rep:#}"
    );
    let maya = show(&v, "Maya Singh");
    assert_eq!(
        maya["emails"],
        serde_json::json!(["maya@greenroof.example", "maya.singh@mail.example"])
    );
    assert_eq!(
        maya["phones"],
        serde_json::json!(["+49 170 0000001", "+49 30 0000002"])
    );
    assert_eq!(maya["tags"], serde_json::json!(["Climate"]));
    assert_eq!(maya["birthday"], "--07-14");
    assert!(
        v.read("people/maya-singh.md")
            .contains("Roof gardens.\nKnows every property manager in Berlin.")
    );
    assert_eq!(show(&v, "Jürgen Weiß")["org"], "Bäckerei Weiß");
    v.kith(["check"]).ok();
}

#[test]
fn never_clobbers_never_duplicates_and_merges_surgically() {
    let v = TestVault::new();
    let original = "\u{feff}---\r\nname: Lena Fischer # my comment\r\nemails: [lena.fischer@acme-robotics.example]\r\nzz_custom: keep\r\n---\r\nMy own notes.\r\n";
    v.note("people/lena.md", original);
    v.person("omar", "Omar H.", "aliases: [Omar Haddad]", "");
    let rep = v
        .kith(["import", "vcard", &fixture("google.vcf"), "--json"])
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 0, "{rep:#}");
    let skipped = rep["skipped"].as_array().unwrap();
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("same email")
            && skipped[0]["reason"]
                .as_str()
                .unwrap()
                .contains("new: phones, org, role, birthday, links"),
        "{rep:#}"
    );
    assert!(
        skipped[1]["reason"].as_str().unwrap().contains("same name"),
        "matched by alias: {rep:#}"
    );
    assert_eq!(
        v.read("people/lena.md"),
        original,
        "never overwritten without --merge"
    );
    // --dry-run --merge writes nothing.
    v.kith([
        "import",
        "vcard",
        &fixture("google.vcf"),
        "--merge",
        "--dry-run",
    ])
    .ok()
    .stdout_has("would be merged");
    assert_eq!(v.read("people/lena.md"), original);
    v.kith(["import", "vcard", &fixture("google.vcf"), "--merge"])
        .ok()
        .stdout_has("2 merged");
    let after = v.read("people/lena.md");
    let close = original.find("---\r\nMy own").unwrap();
    assert!(
        after.starts_with(&original[..close]) && after.ends_with(&original[close..]),
        "only inserted before the closing fence:\n{after}"
    );
    assert!(
        after.contains("org: Acme Robotics\r\n") && after.contains("birthday: 1987-12-01\r\n"),
        "{after}"
    );
    v.kith(["check"]).ok();
    // Importing the same file again changes nothing.
    let before: Vec<(PathBuf, Vec<u8>)> = snapshot(&v);
    v.kith(["import", "vcard", &fixture("google.vcf"), "--merge"])
        .ok()
        .stdout_has("0 created");
    v.kith(["import", "vcard", &fixture("google.vcf")]).ok();
    assert_eq!(snapshot(&v), before);
}

fn snapshot(v: &TestVault) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(&v.root.join("people")) {
        out.push((e.clone(), std::fs::read(&e).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[test]
fn values_read_back_verbatim_and_twice_listed_contacts_make_one_note() {
    let v = TestVault::new();
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nora Olsen\r\nORG:NO\r\nTITLE:yes\r\nTEL:01234\r\nTEL:+4712345678\r\nNOTE:version 1.10\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:nora olsen\r\nEND:VCARD\r\n";
    v.note("in.vcf", card);
    let rep = v
        .kith([
            "import",
            "vcard",
            v.path("in.vcf").to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 1);
    assert!(
        rep["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("listed twice")
    );
    let nora = show(&v, "Nora Olsen");
    assert_eq!(nora["org"], "NO");
    assert_eq!(nora["role"], "yes");
    assert_eq!(nora["phones"], serde_json::json!(["01234", "+4712345678"]));
}

fn have_python_validators() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import vobject, icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install vobject and icalendar (pip)"
        );
        eprintln!("python vobject/icalendar not installed here; skipping (CI installs them)");
    }
    ok
}

fn tricky_vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "smith",
        "\"Smith, Jane; PhD\"",
        "emails: [jane@example.com]\norg: \"Acme, Inc.; Research\"\nbirthday: --02-29\ncircle: close\nphones: [\"+4712345678\"]\nlinks:\n  site: https://example.com/jane",
        &format!("\nLine one, with a comma; and a semicolon.\nLine two — {}\n\n## Log\n\n### 2026-10-01 · tea\n\n- [ ] send the article 📅 2026-11-25\n", "ünïcödé ".repeat(12)),
    );
    v.person(
        "ann",
        "Ann Lee",
        "met: 2026-11-20\nbirthday: 1990-03-14",
        "",
    );
    v
}

#[test]
fn exports_are_read_back_by_independent_parsers() {
    if !have_python_validators() {
        return;
    }
    let v = tricky_vault();
    let vcf = v.home().join("out.vcf");
    let ics = v.home().join("out.ics");
    v.kith(["export", "vcard", "--out", vcf.to_str().unwrap()])
        .ok();
    v.kith([
        "export",
        "ics",
        "--as-of",
        "2026-11-22",
        "--out",
        ics.to_str().unwrap(),
    ])
    .ok();
    let expect = serde_json::json!({
        "cards": 2,
        "names": ["Smith, Jane; PhD", "Ann Lee"],
        "orgs": {"Smith, Jane; PhD": "Acme, Inc.; Research"},
        "notes": {"Smith, Jane; PhD": format!("Line one, with a comma; and a semicolon.\nLine two — {}", "ünïcödé ".repeat(12).trim_end())},
        // Ann: a follow-up; Jane: a check-in and a promise. Birthdays: 2 events.
        "todos": 3,
        "events": 2,
        "leap_rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1",
        "summaries": ["Follow up with Ann Lee", "Check in with Smith, Jane; PhD", "Promise to Smith, Jane; PhD", "Ann Lee's birthday"],
    });
    let exp = v.home().join("expect.json");
    std::fs::write(&exp, expect.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_exports.py");
    let run = |ics: &Path| {
        Command::new("python3")
            .arg(&script)
            .arg(&vcf)
            .arg(ics)
            .arg(&exp)
            .output()
            .unwrap()
    };
    let out = run(&ics);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let uids = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    // UIDs are stable across exports (another day, another DTSTAMP): a re-import updates.
    let ics2 = v.home().join("out2.ics");
    v.kith([
        "export",
        "ics",
        "--as-of",
        "2026-11-23",
        "--out",
        ics2.to_str().unwrap(),
    ])
    .ok();
    let mut expect2 = expect.clone();
    expect2["uids"] = serde_json::from_str(&uids).unwrap();
    std::fs::write(&exp, expect2.to_string()).unwrap();
    let out = run(&ics2);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // vCard 4.0 and --as-events, and --redact.
    let v4 = v.kith(["export", "vcard", "--version", "4"]).ok().stdout;
    assert!(
        v4.contains("VERSION:4.0\r\n") && v4.contains("BDAY:--0229\r\n"),
        "{v4}"
    );
    let ev = v
        .kith(["export", "ics", "--as-events", "--as-of", "2026-11-22"])
        .ok()
        .stdout;
    assert!(
        !ev.contains("VTODO") && ev.matches("BEGIN:VEVENT").count() == 5,
        "{ev}"
    );
    let red = v.kith(["export", "vcard", "--redact"]).ok().stdout;
    assert!(!red.contains("EMAIL") && !red.contains("TEL") && !red.contains("jane@example.com"));
}

#[test]
fn round_trip_export_then_import_into_an_empty_vault() {
    let v = tricky_vault();
    let vcf = v.home().join("rt.vcf");
    v.kith(["export", "vcard", "--out", vcf.to_str().unwrap()])
        .ok();
    let w = TestVault::new();
    w.kith(["import", "vcard", vcf.to_str().unwrap()])
        .ok()
        .stdout_has("2 created");
    for who in ["Ann Lee", "Smith, Jane; PhD"] {
        let a = show(&v, who);
        let b = show(&w, who);
        for field in ["name", "emails", "phones", "org", "birthday", "links"] {
            assert_eq!(a[field], b[field], "{who}: {field}");
        }
    }
    let text = w.read("people/smith-jane-phd.md");
    assert!(
        text.contains("Line one, with a comma; and a semicolon."),
        "{text}"
    );
}
