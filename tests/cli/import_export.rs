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
    // X-SOCIALPROFILE is a link too (it was dropped before).
    assert_eq!(
        tomas["links"],
        serde_json::json!([
            ["homepage", "https://mueller.example"],
            ["linkedin", "https://linkedin.com/in/tomas"]
        ])
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

/// Whether a tool the test needs is here; with CI set its absence fails the
/// test (`.ci/run` installs them into a venv), it never skips silently.
fn have(cmd: &str, args: &[&str], what: &str) -> bool {
    let ok = Command::new(cmd)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install {what} (.ci/run puts it in target/ci-venv)"
        );
        eprintln!("{what} is not installed here; skipping (CI installs it)");
    }
    ok
}

fn have_python_validators() -> bool {
    have(
        "python3",
        &["-c", "import vobject, icalendar"],
        "Python's vobject and icalendar",
    )
}

/// Runs a Python snippet with `args` as sys.argv[1:]; returns its stdout.
fn python(code: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The cards vobject reads from a vCard file, as JSON: FN, UID, N parts,
/// NICKNAME, CATEGORIES, URLs, NOTE, BDAY.
fn vobject_cards(path: &Path) -> Value {
    let code = r#"
import json, sys, vobject
out = []
for c in vobject.readComponents(open(sys.argv[1], encoding="utf-8").read()):
    d = {"fn": c.fn.value, "uid": c.uid.value if hasattr(c, "uid") else None}
    n = c.n.value
    d["n"] = [n.family, n.given, n.additional, n.prefix, n.suffix]
    for key in ("nickname", "categories", "note", "bday", "org", "adr"):
        if hasattr(c, key):
            v = getattr(c, key).value
            d[key] = str(v) if key == "adr" else v
    d["urls"] = [u.value for u in c.contents.get("url", [])]
    out.append(d)
print(json.dumps(out))
"#;
    serde_json::from_str(&python(code, &[path.to_str().unwrap()])).unwrap()
}

fn tricky_vault() -> TestVault {
    let v = TestVault::new();
    v.person(
        "smith",
        "\"Smith, Jane; PhD\"",
        "emails: [jane@example.com]\norg: \"Acme, Inc.; Research\"\nbirthday: --02-29\ncircle: close\nphones: [\"+4712345678\"]\nlinks:\n  site: https://example.com/jane",
        &format!("\nLine one, with a comma; and a semicolon.\nLine two — {}\n\n## Log\n\n### 2026-10-01 · tea\n\nTea at her office.\n\n- [ ] send the article 📅 2026-11-25\n", "ünïcödé ".repeat(12)),
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
    let v4 = v
        .kith(["export", "vcard", "--vcard-version", "4"])
        .ok()
        .stdout;
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

// ---------------------------------------------------------------------------
// vCard injection (issue 11.6)

#[test]
fn a_newline_in_a_link_a_name_or_a_file_name_never_injects_a_card() {
    if !have_python_validators() {
        return;
    }
    let v = TestVault::new();
    // A link and a name holding line breaks, as YAML allows.
    v.person(
        "eve",
        "\"Eve\\r\\nEND:VCARD\\r\\nBEGIN:VCARD\\r\\nFN:Injected Name\"",
        "links:\n  web: \"https://evil.example/\\r\\nEND:VCARD\\r\\nBEGIN:VCARD\\r\\nVERSION:3.0\\r\\nFN:Injected Link\"\n  \"x\\nEND:VCARD\": https://ok.example\naliases: [\"Evie\\nFN:Injected Alias\"]\ntags: [\"t\\r\\nEND:VCARD\"]",
        "",
    );
    // A file name with a line break: it goes into the UID.
    v.person(
        "mallory\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Injected File",
        "Mallory",
        "",
        "",
    );
    // And a crafted card imported first, then exported.
    v.kith(["import", "vcard", &fixture("crafted.vcf")]).ok();
    let vcf = v.home().join("out.vcf");
    v.kith(["export", "vcard", "--out", vcf.to_str().unwrap()])
        .ok();
    let text = std::fs::read_to_string(&vcf).unwrap();
    assert_eq!(
        text.split("\r\n").filter(|l| *l == "BEGIN:VCARD").count(),
        3,
        "{text}"
    );
    for l in text.split("\r\n") {
        assert!(
            !l.chars().any(|c| c.is_control()),
            "a control character in {l:?}"
        );
    }
    let cards = vobject_cards(&vcf);
    let names: Vec<&str> = cards
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fn"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{cards:#}");
    assert!(
        !names.iter().any(|n| n.starts_with("Injected")),
        "{names:?}"
    );
    assert!(
        names.contains(&"Eve\nEND:VCARD\nBEGIN:VCARD\nFN:Injected Name"),
        "the name survives as text: {names:?}"
    );
    let uids: Vec<&str> = cards
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["uid"].as_str().unwrap())
        .collect();
    assert!(
        uids.iter()
            .any(|u| u.starts_with("kith-mallory%0D%0AEND%3AVCARD")),
        "{uids:?}"
    );
    // The imported crafted card: its values were cleaned on import.
    let eve = show(&v, "Eve Crafted");
    let links = eve["links"].to_string();
    assert!(!links.contains('\n') && !links.contains("\\n"), "{links}");
    assert_eq!(eve["aliases"], serde_json::json!(["Evie FN:Injected Nick"]));
    assert_eq!(eve["tags"], serde_json::json!(["ok tag", "x"]));
    assert!(!eve["org"].as_str().unwrap().contains('\u{1b}'));
}

// ---------------------------------------------------------------------------
// Imports never abort half-way (issue 11.16)

#[test]
fn a_long_name_or_a_dangling_symlink_never_aborts_an_import() {
    let v = TestVault::new();
    let long = "Ana ".repeat(75).trim().to_string(); // 299 characters
    let mut cards = String::new();
    for name in [long.as_str(), "Bob Stone", "Cleo Park"] {
        cards.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEND:VCARD\r\n"
        ));
    }
    v.note("in.vcf", &cards);
    std::fs::create_dir_all(v.path("people")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/kith-target", v.path("people/bob-stone.md")).unwrap();
    std::fs::create_dir(v.path("people/cleo-park.md")).unwrap();
    let rep = v
        .kith([
            "import",
            "vcard",
            v.path("in.vcf").to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 3, "{rep:#}");
    assert_eq!(rep["failed"].as_array().unwrap().len(), 0, "{rep:#}");
    // The symlink and the folder are left as they were.
    assert!(
        v.path("people/bob-stone.md")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(v.path("people/cleo-park.md").is_dir());
    assert_eq!(show(&v, "bob-stone-2")["name"], "Bob Stone");
    assert_eq!(show(&v, "cleo-park-2")["name"], "Cleo Park");
    let long_path = rep["created"][0]["path"].as_str().unwrap().to_string();
    assert!(long_path.len() < 100, "{long_path}");
    assert_eq!(
        v.read(&long_path).lines().nth(1).unwrap(),
        format!("name: {long}")
    );
}

#[test]
fn an_unwritable_folder_is_reported_per_contact_with_a_summary() {
    let v = TestVault::new();
    v.note(
        "in.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada One\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ben Two\r\nEMAIL:ben@two.example\r\nEND:VCARD\r\n",
    );
    v.person("zed", "Zed", "emails: [ben@two.example]", "");
    std::fs::create_dir_all(v.path("people")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let input = v.path("in.vcf");
    // Root writes anywhere: run kith as `nobody` then, in a folder it may read.
    let as_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = Vec::new();
        if as_root {
            for dir in [v.root.parent().unwrap(), &v.root, &v.path(".kith")] {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            std::fs::set_permissions(
                v.path("people/zed.md"),
                std::fs::Permissions::from_mode(0o644),
            )
            .unwrap();
            std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o644)).unwrap();
            args.extend(
                [
                    "setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                ]
                .map(String::from),
            );
        }
        args.push(crate::support::KITH.to_string());
        args.extend(["--vault".to_string(), v.root.to_string_lossy().into_owned()]);
        args.extend(["import", "vcard", input.to_str().unwrap()].map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        Command::new(&args[0])
            .args(&args[1..])
            .env("HOME", v.home())
            .output()
            .unwrap()
    };
    std::fs::set_permissions(v.path("people"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = run(&[]);
    std::fs::set_permissions(v.path("people"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 created"), "{stdout}");
    assert!(
        stdout.contains("1 failed") && stdout.contains("Ada One"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Permission denied") || stdout.contains("permission"),
        "{stdout}"
    );
    // Ben matched Zed's email: skipped, reported, never lost in the failure.
    assert!(
        stdout.contains("1 skipped") && stdout.contains("same email"),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------
// CSV headers: Outlook, and anything unknown refused

#[test]
fn an_outlook_csv_is_read_whole_and_an_unknown_header_is_refused() {
    for format in ["outlook", "google"] {
        let v = TestVault::new();
        let rep = v
            .kith(["import", format, &fixture("outlook.csv"), "--json"])
            .ok()
            .json();
        assert_eq!(
            rep["created"].as_array().unwrap().len(),
            2,
            "{format}: {rep:#}"
        );
        let h = show(&v, "Hannah Berg");
        assert_eq!(
            h["emails"],
            serde_json::json!(["hannah.berg@fjord.example", "hb@mail.example"]),
            "{format}"
        );
        assert_eq!(
            h["phones"],
            serde_json::json!(["+47 900 11 222", "+47 22 33 44 55"])
        );
        assert_eq!(h["org"], "Fjord Labs");
        assert_eq!(h["role"], "Head of Research");
        assert_eq!(h["birthday"], "1990-03-15");
        assert_eq!(h["aliases"], serde_json::json!(["Hanni"]));
        assert_eq!(h["location"], "Oslo, Norway");
        assert_eq!(
            h["links"],
            serde_json::json!([["fjord", "https://fjord.example/hannah"]])
        );
        assert!(
            v.read("people/hannah-berg.md")
                .contains("Wants a co-author")
        );
        assert_eq!(
            show(&v, "Karl Lund")["birthday"],
            Value::Null,
            "0/0/00 is no birthday"
        );
        v.kith(["check"]).ok();
    }
    let v = TestVault::new();
    for format in ["google", "outlook"] {
        v.kith(["import", format, &fixture("unknown.csv")])
            .code(2)
            .stderr_has("does not recognise this CSV's header (Full Name, Mail, Mobile, Employer)")
            .stderr_has("E-mail 1 - Value");
    }
    assert!(!v.path("people").exists(), "nothing imported");
}

// ---------------------------------------------------------------------------
// Imports that lose nothing (issue 16)

#[test]
fn nicknames_categories_addresses_social_profiles_and_company_cards_are_kept() {
    let v = TestVault::new();
    let rep = v
        .kith(["import", "vcard", &fixture("apple-company.vcf"), "--json"])
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 2, "{rep:#}");
    let aiko = show(&v, "Aiko Nakamura");
    assert_eq!(aiko["aliases"], serde_json::json!(["Ai", "Nako"]));
    assert_eq!(aiko["tags"], serde_json::json!(["Tokyo friends", "Rust"]));
    assert_eq!(aiko["location"], "1-2-3 Shibuya, Tokyo, 150-0002, Japan");
    assert_eq!(
        aiko["links"],
        serde_json::json!([
            ["twitter", "aiko_n"],
            ["mastodon", "https://hachyderm.io/@aiko"]
        ])
    );
    // The company card is an organisation: a note in orgs/, not a person.
    let org = &rep["created"][0];
    assert_eq!(org["path"], "orgs/fjord-labs-as.md", "{rep:#}");
    let text = v.read("orgs/fjord-labs-as.md");
    assert!(
        text.starts_with("---\ntitle: Fjord Labs AS\ntype: other\n"),
        "{text}"
    );
    assert!(text.contains("hello@fjord.example") && text.contains("https://fjord.example"));
    v.kith(["show", "Fjord Labs AS"]).code(2);
    v.kith(["check"]).ok();
    // Importing it again: the organisation is found, not duplicated.
    v.kith(["import", "vcard", &fixture("apple-company.vcf")])
        .ok()
        .stdout_has("0 created")
        .stdout_has("organisation already in the vault");

    let rep = v
        .kith([
            "import",
            "google",
            &fixture("google-nickname-address.csv"),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(rep["created"].as_array().unwrap().len(), 1, "{rep:#}");
    let rafa = show(&v, "Rafael Costa");
    assert_eq!(rafa["aliases"], serde_json::json!(["Rafa"]));
    assert_eq!(
        rafa["location"],
        "Rua das Flores 12, 1200-195 Lisboa, Portugal"
    );
    assert_eq!(rafa["tags"], serde_json::json!(["Design"]));
}

#[test]
fn a_different_org_or_role_on_re_import_is_reported() {
    let v = TestVault::new();
    v.person("aiko", "Aiko Nakamura", "org: Old Corp\nrole: Intern", "");
    let rep = v
        .kith(["import", "vcard", &fixture("apple-company.vcf"), "--json"])
        .ok()
        .json();
    let reason = rep["skipped"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("org \"Fjord Labs AS\" (the note has \"Old Corp\")")
            && reason.contains("role \"Staff Engineer\" (the note has \"Intern\")"),
        "{rep:#}"
    );
    assert!(
        v.read("people/aiko.md").contains("org: Old Corp"),
        "never overwritten"
    );
}

fn exported_cards(v: &TestVault, args: &[&str]) -> (PathBuf, String) {
    let vcf = v.home().join(format!("cards-{}.vcf", args.join("_")));
    let mut all = vec!["export", "vcard", "--out", vcf.to_str().unwrap()];
    all.extend(args);
    v.kith(all).ok();
    let text = std::fs::read_to_string(&vcf).unwrap();
    (vcf, text)
}

#[test]
fn export_then_import_keeps_tags_aliases_and_location() {
    let v = TestVault::new();
    v.person(
        "priya",
        "Priya Raman",
        "aliases: [PR, \"Raman, P.\"]\ntags: [rust, \"climate, tech\"]\nlocation: Berlin, Germany\nemails: [priya@example.com]",
        "",
    );
    let (vcf, _) = exported_cards(&v, &[]);
    let w = TestVault::new();
    w.kith(["import", "vcard", vcf.to_str().unwrap()])
        .ok()
        .stdout_has("1 created");
    let (a, b) = (show(&v, "Priya Raman"), show(&w, "Priya Raman"));
    for field in ["name", "aliases", "tags", "location", "emails"] {
        assert_eq!(a[field], b[field], "{field}");
    }
}

#[test]
fn vcard_uids_are_unique_per_note_path() {
    let v = TestVault::new();
    v.person("a-b", "Ann Bee", "", "");
    v.note("people/team/a-b.md", "---\nname: Anders Berg\n---\n");
    v.note("contacts/a-b.md", "---\ntype: person\nname: Abe Bo\n---\n");
    let (_, text) = exported_cards(&v, &[]);
    let mut uids: Vec<&str> = text
        .split("\r\n")
        .filter_map(|l| l.strip_prefix("UID:"))
        .collect();
    uids.sort();
    assert_eq!(
        uids,
        ["kith-/contacts/a-b", "kith-a-b", "kith-team/a-b"],
        "{text}"
    );
}

#[test]
fn year_less_birthdays_are_read_as_year_less_by_khard() {
    if !have("khard", &["--version"], "khard") {
        return;
    }
    let v = TestVault::new();
    v.person("zoe", "Zoe Martin", "birthday: \"--08-02\"", "");
    v.person("ann", "Ann Lee", "birthday: 1990-03-14", "");
    for version in ["3", "4"] {
        let book = v.home().join(format!("book{version}"));
        std::fs::create_dir_all(&book).unwrap();
        let out = book.join("all.vcf");
        // The default is 3.0; 4.0 is asked for.
        let mut args = vec!["export", "vcard", "--out", out.to_str().unwrap()];
        if version == "4" {
            args.extend(["--vcard-version", "4"]);
        }
        v.kith(args).ok();
        // khard reads one card per file.
        let text = std::fs::read_to_string(&out).unwrap();
        std::fs::remove_file(&out).unwrap();
        for (i, card) in text.split_inclusive("END:VCARD\r\n").enumerate() {
            std::fs::write(book.join(format!("{i}.vcf")), card).unwrap();
        }
        let cfg = v.home().join(format!("khard{version}"));
        std::fs::create_dir_all(cfg.join("khard")).unwrap();
        std::fs::write(
            cfg.join("khard/khard.conf"),
            format!(
                "[addressbooks]\n[[book]]\npath = {}\n[general]\ndefault_action = list\n",
                book.display()
            ),
        )
        .unwrap();
        let khard = |args: &[&str]| {
            let out = Command::new("khard")
                .args(args)
                .env("XDG_CONFIG_HOME", &cfg)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "{text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            text
        };
        // khard shows a year-less birthday as `--08-02`; Apple's 3.0 form
        // (what kith wrote before) came out as 1604.
        let shown = khard(&["birthdays"]);
        let zoe = shown
            .lines()
            .find(|l| l.contains("Zoe Martin"))
            .unwrap_or("");
        assert!(zoe.contains("--08-02"), "vCard {version}: {shown}");
        let parsable = khard(&["birthdays", "--parsable"]);
        assert!(
            parsable.contains("1990.03.14\tAnn Lee"),
            "vCard {version}: {parsable}"
        );
        assert!(!parsable.contains("1604"), "vCard {version}: {parsable}");
    }
}

#[test]
fn names_split_into_family_and_given_as_clients_expect() {
    if !have_python_validators() {
        return;
    }
    let v = TestVault::new();
    v.person("ludwig", "Ludwig van Beethoven", "", "");
    v.person("taro", "山田 太郎", "", "");
    v.person("smith", "\"Smith, John; Jr.\"", "", "");
    v.person("mlk", "Dr. Martin Luther King Jr.", "", "");
    let (vcf, _) = exported_cards(&v, &[]);
    let cards = vobject_cards(&vcf);
    let n_of = |fname: &str| {
        cards
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["fn"] == fname)
            .map(|c| c["n"].clone())
            .unwrap()
    };
    assert_eq!(
        n_of("Ludwig van Beethoven"),
        serde_json::json!(["van Beethoven", "Ludwig", "", "", ""])
    );
    assert_eq!(
        n_of("山田 太郎"),
        serde_json::json!(["山田", "太郎", "", "", ""])
    );
    assert_eq!(
        n_of("Smith, John; Jr."),
        serde_json::json!(["Smith", "John", "", "", "Jr."])
    );
    assert_eq!(
        n_of("Dr. Martin Luther King Jr."),
        serde_json::json!(["King", "Martin", "Luther", "Dr.", "Jr."])
    );
}

#[test]
fn redact_drops_contact_details_and_private_prose() {
    let v = TestVault::new();
    v.person(
        "ann",
        "Ann Lee",
        "emails: [ann@example.com]\nphones: [\"+4712345678\"]\norg: Acme",
        "\nGoing through a divorce; do not mention.\n\n## Log\n",
    );
    let (_, full) = exported_cards(&v, &[]);
    assert!(full.contains("NOTE:Going through a divorce"), "{full}");
    let (_, red) = exported_cards(&v, &["--redact"]);
    assert!(!red.contains("divorce") && !red.contains("NOTE"), "{red}");
    assert!(
        !red.contains("ann@example.com") && !red.contains("TEL"),
        "{red}"
    );
    assert!(red.contains("ORG:Acme"), "{red}");
}

#[test]
fn export_options_are_checked_against_the_format() {
    let v = TestVault::new();
    v.person("ann", "Ann Lee", "birthday: \"--03-14\"", "");
    let out = v
        .kith(["export", "vcard", "--vcard-version", "4"])
        .ok()
        .stdout;
    assert!(out.contains("VERSION:4.0\r\n"), "{out}");
    v.kith(["export", "vcf"]).ok().stdout_has("VERSION:3.0\r\n");
    v.kith(["export", "vcard", "--version", "4"])
        .code(2)
        .stderr_has("--vcard-version");
    v.kith(["export", "ics", "--vcard-version", "4"])
        .code(2)
        .stderr_has("--vcard-version applies to `kith export vcard`, not to `kith export ics`");
    v.kith(["export", "ics", "--redact"]).code(2);
    v.kith(["export", "vcard", "--as-events"]).code(2);
    v.kith(["export", "vcard", "--vcard-version", "5"])
        .code(2)
        .stderr_has("possible values: 3, 4");
    v.kith(["export", "pdf"])
        .code(2)
        .stderr_has("possible values: vcard, ics");
    // Completion offers the formats.
    let bash = v.kith(["completions", "bash"]).ok().stdout;
    assert!(bash.contains("vcard ics"), "completions list the formats");
}

// ---------------------------------------------------------------------------
// Calendars that stay true (issue 15)

/// The to-dos and events icalendar reads, as JSON.
fn ical_items(path: &Path) -> Value {
    let code = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
out = []
for c in cal.walk():
    if c.name not in ("VTODO", "VEVENT"):
        continue
    d = {"kind": c.name}
    for k in ("UID", "SUMMARY", "DESCRIPTION", "STATUS"):
        if c.get(k) is not None:
            d[k.lower()] = str(c.get(k))
    for k in ("DUE", "DTSTART", "COMPLETED"):
        if c.get(k) is not None:
            d[k.lower()] = c.get(k).dt.isoformat()
    out.append(d)
print(json.dumps(out))
"#;
    serde_json::from_str(&python(code, &[path.to_str().unwrap()])).unwrap()
}

fn promise_vault(done: bool) -> TestVault {
    let v = TestVault::new();
    let tick = if done { "x" } else { " " };
    let done_on = if done { " ✅ 2026-11-21" } else { "" };
    v.person(
        "ann",
        "Ann Lee",
        "met: 2026-11-20\ncircle: close\ncadence: 2w",
        &format!(
            "\n## Log\n\n### 2026-09-01 · tea\n\n- [{tick}] send the article (the long one) 📅 2026-11-19{done_on}\n- [ ] send the article (the short one) 📅 2026-11-25\n"
        ),
    );
    v
}

fn ics_of(v: &TestVault, as_of: &str, extra: &[&str]) -> Value {
    let out = v.home().join(format!("cal-{as_of}-{}.ics", extra.join("")));
    let mut args = vec![
        "export",
        "ics",
        "--as-of",
        as_of,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    v.kith(args).ok();
    ical_items(&out)
}

fn by_desc<'a>(items: &'a Value, needle: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["description"].as_str().unwrap_or("").contains(needle))
        .unwrap_or_else(|| panic!("no item with {needle:?} in {items:#}"))
}

#[test]
fn done_promises_are_completed_with_the_uid_they_had_while_open() {
    if !have_python_validators() {
        return;
    }
    let open = ics_of(&promise_vault(false), "2026-11-22", &[]);
    let done = ics_of(&promise_vault(true), "2026-11-22", &[]);
    let long_open = by_desc(&open, "(the long one)");
    let long_done = by_desc(&done, "(the long one)");
    let short = by_desc(&open, "(the short one)");
    // Ticking keeps the UID; two promises differing after a parenthesis differ.
    assert_eq!(long_open["uid"], long_done["uid"], "{open:#}\n{done:#}");
    assert_ne!(long_open["uid"], short["uid"]);
    assert_eq!(long_open["status"], "NEEDS-ACTION");
    assert_eq!(long_done["status"], "COMPLETED", "{done:#}");
    assert_eq!(long_done["completed"], "2026-11-21T12:00:00+00:00");
    // The check-in and follow-up keep their UIDs whatever is logged meanwhile.
    assert_eq!(
        by_desc(&open, "no follow-up")["uid"],
        by_desc(&done, "no follow-up")["uid"]
    );
}

#[test]
fn descriptions_carry_dates_never_relative_words() {
    if !have_python_validators() {
        return;
    }
    let v = promise_vault(false);
    let a = ics_of(&v, "2026-11-20", &[]);
    let b = ics_of(&v, "2026-11-23", &[]);
    let re_rel = [
        "today",
        "yesterday",
        " ago",
        "due in",
        "overdue",
        "tomorrow",
    ];
    for items in [&a, &b] {
        for i in items.as_array().unwrap() {
            let d = i["description"].as_str().unwrap();
            assert!(!re_rel.iter().any(|w| d.contains(w)), "{d:?}");
        }
    }
    assert!(
        by_desc(&b, "no follow-up")["description"]
            .as_str()
            .unwrap()
            .starts_with("met on 2026-11-20; no follow-up logged since"),
        "{b:#}"
    );
    assert!(
        by_desc(&b, "(the long one)")["description"]
            .as_str()
            .unwrap()
            .contains("(due 2026-11-19)")
    );
    // What a reminder says does not change from one day to the next.
    let descs = |x: &Value| {
        let mut d: Vec<String> = x
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["description"].to_string())
            .collect();
        d.sort();
        d
    };
    let c = ics_of(&v, "2026-11-24", &[]);
    assert_eq!(descs(&b), descs(&c));
}

#[test]
fn overdue_events_sit_on_today_and_done_ones_leave() {
    if !have_python_validators() {
        return;
    }
    let v = promise_vault(false);
    let ev = ics_of(&v, "2026-11-23", &["--as-events"]);
    assert!(ev.as_array().unwrap().iter().all(|i| i["kind"] == "VEVENT"));
    assert_eq!(
        by_desc(&ev, "(the long one)")["dtstart"],
        "2026-11-23",
        "{ev:#}"
    );
    assert_eq!(by_desc(&ev, "(the short one)")["dtstart"], "2026-11-25");
    let ev = ics_of(&promise_vault(true), "2026-11-23", &["--as-events"]);
    assert!(
        !ev.to_string().contains("the long one"),
        "an event cannot be ticked; a done promise leaves: {ev:#}"
    );
}

#[test]
fn an_ics_out_file_is_rewritten_only_when_something_changed() {
    let v = promise_vault(false);
    let out = v.home().join("kith.ics");
    let export = || {
        v.kith([
            "export",
            "ics",
            "--as-of",
            "2026-11-22",
            "--out",
            out.to_str().unwrap(),
        ])
        .ok();
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&out).unwrap())
    };
    let first = export();
    assert_eq!(export(), first, "same content: the file is left alone");
    v.person("bo", "Bo Ek", "birthday: 1990-01-02", "");
    assert_ne!(export(), first, "a new birthday: rewritten");
}
