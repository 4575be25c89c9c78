//! LinkedIn's `Connections.csv` and Google Contacts CSV, as downloaded.

use super::Contact;
use super::vcard::guess_label;
use std::collections::HashMap;

/// The CSV's text: UTF-8 (BOM dropped), UTF-16 (older Google exports), or
/// Windows-1252 — desktop Outlook's "ANSI" export — rather than U+FFFD in
/// place of every accented letter ("Renée" came out as "Ren\u{fffd}e").
fn text(bytes: &[u8]) -> String {
    super::decode_text(bytes)
}

fn rows(body: &str) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(body.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| format!("cannot read the CSV header: {e}"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("CSV: {e}"))?;
        out.push(rec.iter().map(|s| s.to_string()).collect());
    }
    Ok((header, out))
}

fn col<'a>(header: &[String], row: &'a [String], name: &str) -> Option<&'a str> {
    let i = header.iter().position(|h| h.eq_ignore_ascii_case(name))?;
    row.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// `15 Mar 2024` (LinkedIn) or ISO `2024-03-15`.
fn connected_on(s: &str) -> Option<String> {
    if let Ok(d) = crate::date::parse_date(s) {
        return Some(d.to_string());
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%d %b %Y")
        .ok()
        .map(|d| d.to_string())
}

/// LinkedIn's export: a BOM, a `Notes:` preamble and a blank line before the
/// header (older exports have none, and lack some columns).
pub fn linkedin(bytes: &[u8]) -> Result<Vec<Contact>, String> {
    let t = text(bytes);
    let start = t
        .lines()
        .take(30)
        .position(|l| l.trim_start_matches('"').starts_with("First Name"))
        .ok_or("this does not look like LinkedIn's Connections.csv: no `First Name` header in its first lines")?;
    let body: String = t.lines().skip(start).collect::<Vec<_>>().join("\n");
    let (h, rs) = rows(&body)?;
    let mut out = Vec::new();
    for (i, r) in rs.iter().enumerate() {
        let name = [col(&h, r, "First Name"), col(&h, r, "Last Name")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if name.trim().is_empty() && col(&h, r, "Email Address").is_none() {
            continue; // blank padding rows
        }
        let mut c = Contact {
            name,
            source: format!("row {}", start + i + 2),
            ..Contact::default()
        };
        if let Some(e) = col(&h, r, "Email Address") {
            c.emails.push(e.to_string());
        }
        c.org = col(&h, r, "Company").map(str::to_string);
        c.role = col(&h, r, "Position").map(str::to_string);
        c.met = col(&h, r, "Connected On").and_then(connected_on);
        if let Some(u) = col(&h, r, "URL") {
            c.links.push(("linkedin".into(), u.to_string()));
        }
        out.push(c);
    }
    Ok(out)
}

fn multi(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(" ::: ")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Google Contacts CSV (current "Google CSV" and the legacy header): BOM,
/// multi-line quoted notes, several values in a cell joined by ` ::: `,
/// labels with `* ` markers.
pub fn google(bytes: &[u8]) -> Result<Vec<Contact>, String> {
    let t = text(bytes);
    let (h, rs) = rows(&t)?;
    match detect(&h) {
        Some(Flavor::Google) => {}
        // Its columns are Outlook's: reading them as Google's would drop
        // emails, phones, company, title and birthday.
        Some(Flavor::Outlook) => return Ok(outlook_rows(&h, &rs)),
        Some(Flavor::LinkedIn) => return linkedin(bytes),
        None => return Err(unrecognised(&h)),
    }
    // Numbered groups: `E-mail 1 - Value`, `Phone 2 - Value`, `Website 1 - Label`…
    let numbered = |prefix: &str, suffix: &str| -> Vec<usize> {
        h.iter()
            .enumerate()
            .filter(|(_, x)| x.starts_with(prefix) && x.ends_with(suffix))
            .map(|(i, _)| i)
            .collect()
    };
    let emails = numbered("E-mail ", " - Value");
    let phones = numbered("Phone ", " - Value");
    let sites = numbered("Website ", " - Value");
    let mut out = Vec::new();
    for (i, r) in rs.iter().enumerate() {
        let get = |name: &str| col(&h, r, name);
        let name = match get("Name") {
            Some(n) => n.to_string(),
            None => [
                get("First Name").or(get("Given Name")),
                get("Middle Name").or(get("Additional Name")),
                get("Last Name").or(get("Family Name")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        };
        let mut c = Contact {
            name,
            source: format!("row {}", i + 2),
            ..Contact::default()
        };
        let cell = |j: &usize| r.get(*j).map(String::as_str).unwrap_or("");
        for j in &emails {
            c.emails.extend(multi(cell(j)));
        }
        for j in &phones {
            c.phones.extend(multi(cell(j)));
        }
        for j in &sites {
            let label_col = h[*j].replace(" - Value", " - Label");
            let label = col(&h, r, &label_col).map(|l| l.trim_start_matches("* ").to_lowercase());
            for u in multi(cell(j)) {
                let l = label
                    .clone()
                    .filter(|l| !l.is_empty())
                    .unwrap_or_else(|| guess_label(&u));
                c.links.push((l, u));
            }
        }
        c.org = get("Organization Name")
            .or(get("Organization 1 - Name"))
            .map(str::to_string);
        c.role = get("Organization Title")
            .or(get("Organization 1 - Title"))
            .map(str::to_string);
        c.birthday = get("Birthday")
            .and_then(|b| crate::date::Birthday::parse(b).ok())
            .map(|b| b.to_string());
        c.bio = get("Notes").map(|n| n.replace("\r\n", "\n"));
        if let Some(n) = get("Nickname") {
            c.aliases.extend(multi(n));
        }
        c.location = address(&h, r);
        let labels = get("Labels").or(get("Group Membership")).unwrap_or("");
        for l in multi(labels) {
            let l = l.trim_start_matches("* ").trim().to_string();
            let lower = l.to_lowercase();
            if !matches!(
                lower.as_str(),
                "mycontacts" | "my contacts" | "starred" | "other contacts" | "othercontacts" | ""
            ) {
                c.tags.push(l);
            }
        }
        let mut seen = HashMap::new();
        c.emails
            .retain(|e| seen.insert(e.to_lowercase(), ()).is_none());
        if c.name.trim().is_empty() && c.emails.is_empty() && c.phones.is_empty() {
            continue;
        }
        out.push(c);
    }
    Ok(out)
}

/// The CSV flavours kith reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Google,
    Outlook,
    LinkedIn,
}

/// Columns that tell the flavours apart.
const GOOGLE_SIGNS: &[&str] = &[
    "E-mail 1 - Value",
    "Phone 1 - Value",
    "Organization Name",
    "Organization 1 - Name",
    "Labels",
    "Group Membership",
    "Given Name",
    "Name",
];
const OUTLOOK_SIGNS: &[&str] = &[
    "E-mail Address",
    "Mobile Phone",
    "Business Phone",
    "Home Phone",
    "Job Title",
    "Web Page",
];
const LINKEDIN_SIGNS: &[&str] = &["Connected On", "Email Address", "Position"];

fn has(h: &[String], name: &str) -> bool {
    h.iter().any(|x| x.eq_ignore_ascii_case(name))
}

/// Which export a header comes from, if kith knows it.
pub fn detect(h: &[String]) -> Option<Flavor> {
    let count = |signs: &[&str]| signs.iter().filter(|s| has(h, s)).count();
    let named = has(h, "First Name") || has(h, "Last Name");
    let (g, o, l) = (
        count(GOOGLE_SIGNS),
        count(OUTLOOK_SIGNS),
        count(LINKEDIN_SIGNS),
    );
    if o > 0 && named && o >= g {
        Some(Flavor::Outlook)
    } else if l > 0 && named && l >= g {
        Some(Flavor::LinkedIn)
    } else if g > 0 && (named || has(h, "Name") || has(h, "Given Name")) {
        Some(Flavor::Google)
    } else {
        None
    }
}

/// The refusal for a header kith does not know, naming what it expected.
pub fn unrecognised(h: &[String]) -> String {
    let shown: Vec<&str> = h.iter().take(8).map(String::as_str).collect();
    format!(
        "kith does not recognise this CSV's header ({}{}); nothing was imported\n  hint: kith reads Google Contacts CSV (First Name, Last Name, E-mail 1 - Value, Phone 1 - Value, Organization Name, Birthday, Labels…), Outlook CSV (First Name, Last Name, E-mail Address, Mobile Phone, Company, Job Title, Birthday…) and LinkedIn's Connections.csv (First Name, Last Name, URL, Email Address, Company, Position, Connected On); rename the columns to these, or export vCards instead",
        shown.join(", "),
        if h.len() > 8 { ", …" } else { "" }
    )
}

/// One address from Google's `Address 1 - Formatted`, or its parts.
fn address(h: &[String], r: &[String]) -> Option<String> {
    if let Some(f) = col(h, r, "Address 1 - Formatted") {
        let one = f
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        return Some(one).filter(|s| !s.is_empty());
    }
    let parts: Vec<&str> = [
        "Address 1 - Street",
        "Address 1 - City",
        "Address 1 - Region",
        "Address 1 - Postal Code",
        "Address 1 - Country",
    ]
    .iter()
    .filter_map(|k| col(h, r, k))
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Outlook's "Outlook CSV" (Outlook.com and desktop Outlook export).
pub fn outlook(bytes: &[u8]) -> Result<Vec<Contact>, String> {
    let t = text(bytes);
    let (h, rs) = rows(&t)?;
    match detect(&h) {
        Some(Flavor::Outlook) => Ok(outlook_rows(&h, &rs)),
        Some(Flavor::Google) => google(bytes),
        Some(Flavor::LinkedIn) => linkedin(bytes),
        None => Err(unrecognised(&h)),
    }
}

/// Outlook writes `3/15/1990` (or `0/0/00` for none), sometimes ISO.
fn outlook_birthday(s: &str) -> Option<String> {
    if let Ok(b) = crate::date::Birthday::parse(s) {
        return Some(b.to_string());
    }
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%m/%d/%Y").ok()?;
    use chrono::Datelike;
    (d.year() > 1900).then(|| d.to_string())
}

fn outlook_rows(h: &[String], rs: &[Vec<String>]) -> Vec<Contact> {
    const EMAILS: &[&str] = &["E-mail Address", "E-mail 2 Address", "E-mail 3 Address"];
    const PHONES: &[&str] = &[
        "Mobile Phone",
        "Primary Phone",
        "Business Phone",
        "Business Phone 2",
        "Home Phone",
        "Home Phone 2",
        "Other Phone",
        "Car Phone",
        "Company Main Phone",
    ];
    let mut out = Vec::new();
    for (i, r) in rs.iter().enumerate() {
        let get = |name: &str| col(h, r, name);
        let name = [
            get("First Name"),
            get("Middle Name"),
            get("Last Name"),
            get("Suffix"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let mut c = Contact {
            name,
            source: format!("row {} (Outlook CSV)", i + 2),
            ..Contact::default()
        };
        for k in EMAILS {
            if let Some(e) = get(k) {
                c.emails.push(e.to_string());
            }
        }
        for k in PHONES {
            if let Some(p) = get(k)
                && !c.phones.iter().any(|x| x == p)
            {
                c.phones.push(p.to_string());
            }
        }
        c.org = get("Company").map(str::to_string);
        c.role = get("Job Title").map(str::to_string);
        c.birthday = get("Birthday").and_then(outlook_birthday);
        c.bio = get("Notes").map(|n| n.replace("\r\n", "\n"));
        if let Some(n) = get("Nickname") {
            c.aliases.push(n.to_string());
        }
        if let Some(u) = get("Web Page") {
            c.links.push((guess_label(u), u.to_string()));
        }
        for k in ["Home City", "Business City", "Other City"] {
            if let Some(city) = get(k) {
                let country = get(&k.replace("City", "Country/Region"));
                c.location = Some(match country {
                    Some(co) => format!("{city}, {co}"),
                    None => city.to_string(),
                });
                break;
            }
        }
        if let Some(cats) = get("Categories") {
            c.tags.extend(
                cats.split(';')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
            );
        }
        if c.name.trim().is_empty() && c.emails.is_empty() && c.phones.is_empty() {
            continue;
        }
        out.push(c);
    }
    out
}
