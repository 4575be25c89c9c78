//! vCard 2.1, 3.0 and 4.0 as real exporters write them (Google, Apple,
//! Outlook, Android): line folding, quoted-printable with soft line breaks and
//! `CHARSET`, `item1.` groups with `X-ABLabel`, escaped `\,` `\;` `\n`, bare
//! 2.1 type parameters, year-less birthdays. Photos are skipped, never fetched.
//!
//! Written by hand: the crates that parse vCard are either strict (they refuse
//! 2.1 quoted-printable and Apple's `1604-` dates) or bring a whole
//! calendar/contacts stack; real exports need a liberal reader.

use super::Contact;
use std::collections::HashSet;

/// Text decoding for a property's bytes.
fn decode_charset(bytes: &[u8], charset: Option<&str>) -> String {
    match charset.map(str::to_ascii_lowercase).as_deref() {
        Some("iso-8859-1" | "latin1" | "windows-1252" | "cp1252") => super::cp1252(bytes),
        _ => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            // Not UTF-8 after all: Windows exporters mean Windows-1252.
            Err(_) => super::cp1252(bytes),
        },
    }
}

/// A file's text, decoded line by line: one card written in Latin-1 (raw
/// 8-bit, `CHARSET=ISO-8859-1`) must not turn every other card's UTF-8
/// into mojibake ("José" read as "JosÃ©"), as decoding the whole file as
/// Latin-1 did. UTF-16 files are decoded whole.
fn decode_file(bytes: &[u8]) -> String {
    if let Some(s) = super::utf16(bytes) {
        return s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = String::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if let Ok(s) = std::str::from_utf8(line) {
            out.push_str(s);
            continue;
        }
        let head = line.split(|&b| b == b':').next().unwrap_or(line);
        let head = String::from_utf8_lossy(head).to_ascii_lowercase();
        let charset = head
            .split(';')
            .find_map(|p| p.trim().strip_prefix("charset="))
            .map(|c| c.trim_matches('"').to_string());
        out.push_str(&decode_charset(line, charset.as_deref()));
    }
    out
}

fn decode_qp(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => {
                    // A stray `=` (or a soft break left over): drop it.
                    i += 1;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Unescapes a text value: `\n`, `\,`, `\;`, `\\` (and Google's `\:`).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits on unescaped `sep`, keeping escapes for [`unescape`].
fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut esc = false;
    for c in s.chars() {
        if esc {
            if let Some(p) = parts.last_mut() {
                p.push('\\');
                p.push(c);
            }
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == sep {
            parts.push(String::new());
        } else if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts
}

struct Prop {
    group: Option<String>,
    name: String,
    /// Lowercased type values (`TYPE=work,voice` and bare 2.1 `WORK;VOICE`).
    types: Vec<String>,
    params: Vec<(String, String)>,
    value: String,
}

impl Prop {
    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Joins folded lines: a line starting with a space or tab continues the
/// previous one; in quoted-printable values a line ending in `=` continues.
/// Linear in the input: whether a logical line is quoted-printable is decided
/// once, when its name part ends, never by rescanning the growing line (a
/// card folded 300 000 times without a `:` took minutes).
fn logical_lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut qp_open = false;
    // Whether the current logical line's name part has ended, and says QP.
    let mut head_done = false;
    let mut head_qp = false;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let piece = if qp_open {
            if let Some(last) = out.last_mut() {
                last.pop(); // the soft-break `=`
            }
            Some(line)
        } else if (line.starts_with(' ') || line.starts_with('\t')) && !out.is_empty() {
            Some(&line[1..])
        } else {
            None
        };
        match (piece, out.last_mut()) {
            (Some(piece), Some(last)) => {
                let start = last.len();
                last.push_str(piece);
                if !head_done && let Some(i) = piece.find(':') {
                    head_done = true;
                    head_qp = last[..start + i]
                        .to_ascii_uppercase()
                        .contains("QUOTED-PRINTABLE");
                }
            }
            _ => {
                out.push(line.to_string());
                head_done = false;
                head_qp = false;
                if let Some(i) = line.find(':') {
                    head_done = true;
                    head_qp = line[..i].to_ascii_uppercase().contains("QUOTED-PRINTABLE");
                }
            }
        }
        qp_open = head_done && head_qp && out.last().is_some_and(|l| l.ends_with('='));
    }
    out
}

fn parse_prop(line: &str) -> Option<Prop> {
    // The name part ends at the first `:` outside double quotes.
    let mut in_q = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_q = !in_q,
            ':' if !in_q => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let full = parts.next()?.trim();
    let (group, name) = match full.rsplit_once('.') {
        Some((g, n)) => (Some(g.to_ascii_lowercase()), n.to_ascii_uppercase()),
        None => (None, full.to_ascii_uppercase()),
    };
    let mut types = Vec::new();
    let mut params = Vec::new();
    for p in parts {
        match p.split_once('=') {
            Some((k, v)) => {
                let v = v.trim_matches('"').to_string();
                if k.eq_ignore_ascii_case("type") {
                    types.extend(v.split(',').map(|t| t.trim().to_ascii_lowercase()));
                }
                params.push((k.trim().to_string(), v));
            }
            None => types.push(p.trim().to_ascii_lowercase()),
        }
    }
    Some(Prop {
        group,
        name,
        types,
        params,
        value: value.to_string(),
    })
}

/// A birthday value as `YYYY-MM-DD` or `--MM-DD`, if it is one.
fn birthday(value: &str, omit_year: Option<&str>) -> Option<String> {
    let v = value.trim();
    let v = v.split('T').next().unwrap_or(v);
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let s = if v.starts_with("--") {
        match digits.len() {
            4 => format!("--{}-{}", &digits[..2], &digits[2..]),
            _ => return None,
        }
    } else if digits.len() == 8 {
        let (y, m, d) = (&digits[..4], &digits[4..6], &digits[6..8]);
        if omit_year.is_some_and(|o| o == y) || y == "1604" || y == "0000" {
            format!("--{m}-{d}")
        } else {
            format!("{y}-{m}-{d}")
        }
    } else {
        return None;
    };
    crate::date::Birthday::parse(&s).ok().map(|b| b.to_string())
}

/// Apple's `_$!<HomePage>!$_` labels → `HomePage`.
fn clean_label(l: &str) -> String {
    l.trim()
        .trim_start_matches("_$!<")
        .trim_end_matches(">!$_")
        .to_string()
}

/// Every card in a file, or why there is none: a file without a single
/// `BEGIN:VCARD` is not a vCard file (a UTF-16 file read as bytes, a CSV
/// given to `import vcard`), and saying "0 created" would hide that.
pub fn parse_file(bytes: &[u8]) -> Result<Vec<Contact>, String> {
    let cards = parse(bytes);
    if cards.is_empty() {
        return Err("no vCard in this file (no BEGIN:VCARD line); nothing was imported\n  hint: export the contacts as vCard (.vcf); for a CSV use `kith import google|outlook|linkedin`".into());
    }
    Ok(cards)
}

/// Every card in a file. A card nested in another (vCard 2.1's `AGENT`) is
/// a contact of its own and leaves the outer card whole; a card the file
/// never ends (a truncated export) is still read, never dropped.
pub fn parse(bytes: &[u8]) -> Vec<Contact> {
    let text = decode_file(bytes);
    let mut out = Vec::new();
    let mut open: Vec<(Contact, Vec<Prop>)> = Vec::new();
    for (n, line) in logical_lines(&text).into_iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some(p) = parse_prop(&line) else { continue };
        let is = |v: &str| p.value.len() < 16 && p.value.trim().eq_ignore_ascii_case(v);
        match p.name.as_str() {
            "BEGIN" if is("VCARD") => {
                open.push((
                    Contact {
                        source: format!("card at line {}", n + 1),
                        ..Contact::default()
                    },
                    Vec::new(),
                ));
            }
            "END" if is("VCARD") => {
                if let Some((c, props)) = open.pop() {
                    out.push(finish(c, props));
                }
            }
            _ => {
                if let Some((_, props)) = open.last_mut() {
                    props.push(p);
                }
            }
        }
    }
    while let Some((mut c, props)) = open.pop() {
        c.source.push_str(", never ended by END:VCARD");
        out.push(finish(c, props));
    }
    out
}

fn text_of(p: &Prop) -> Option<String> {
    let enc = p.param("ENCODING").map(str::to_ascii_uppercase);
    let qp = enc.as_deref() == Some("QUOTED-PRINTABLE")
        || p.types.iter().any(|t| t == "quoted-printable");
    let binary =
        matches!(enc.as_deref(), Some("B" | "BASE64")) || p.types.iter().any(|t| t == "base64");
    if binary {
        return None;
    }
    let raw = if qp {
        decode_charset(&decode_qp(&p.value), p.param("CHARSET"))
    } else {
        p.value.clone()
    };
    Some(raw)
}

fn finish(mut c: Contact, props: Vec<Prop>) -> Contact {
    let mut labels: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for p in &props {
        if p.name == "X-ABLABEL"
            && let (Some(g), Some(v)) = (&p.group, text_of(p))
        {
            labels.insert(g.clone(), clean_label(&unescape(&v)));
        }
    }
    let mut n_name = None;
    let (mut seen_email, mut seen_phone, mut seen_alias, mut seen_tag) = (
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
    );
    for p in &props {
        if matches!(p.name.as_str(), "PHOTO" | "LOGO" | "SOUND" | "KEY") {
            continue;
        }
        let Some(raw) = text_of(p) else { continue };
        match p.name.as_str() {
            "FN" => c.name = unescape(raw.trim()).trim().to_string(),
            "N" => {
                let parts: Vec<String> = split_unescaped(&raw, ';')
                    .iter()
                    .map(|s| unescape(s).trim().to_string())
                    .collect();
                let (family, given, middle) = (
                    parts.first().cloned().unwrap_or_default(),
                    parts.get(1).cloned().unwrap_or_default(),
                    parts.get(2).cloned().unwrap_or_default(),
                );
                let full = [given, middle, family]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                if !full.is_empty() {
                    n_name = Some(full);
                }
            }
            "EMAIL" => push_unique(&mut c.emails, &mut seen_email, unescape(raw.trim()).trim()),
            "TEL" => push_unique(&mut c.phones, &mut seen_phone, unescape(raw.trim()).trim()),
            "ORG" => {
                let org = split_unescaped(&raw, ';')
                    .first()
                    .map(|s| unescape(s).trim().to_string())
                    .unwrap_or_default();
                if !org.is_empty() {
                    c.org = Some(org);
                }
            }
            "TITLE" => c.role = Some(unescape(raw.trim())).filter(|s| !s.is_empty()),
            "NICKNAME" => {
                for a in split_unescaped(&raw, ',') {
                    push_unique(&mut c.aliases, &mut seen_alias, unescape(&a).trim());
                }
            }
            "CATEGORIES" => {
                for t in split_unescaped(&raw, ',') {
                    let t = unescape(&t);
                    if !super::is_system_label(&t) {
                        push_unique(&mut c.tags, &mut seen_tag, t.trim());
                    }
                }
            }
            "ADR" if c.location.is_none() => {
                // PO box; extended; street; locality; region; code; country.
                let parts: Vec<String> = split_unescaped(&raw, ';')
                    .iter()
                    .map(|s| unescape(s).replace('\n', ", ").trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                if !parts.is_empty() {
                    c.location = Some(parts.join(", "));
                }
            }
            "X-ABSHOWAS" => c.is_org = raw.trim().eq_ignore_ascii_case("COMPANY"),
            "X-SOCIALPROFILE" => {
                let v = unescape(raw.trim()).trim().to_string();
                let user = p.param("X-USER").map(str::to_string);
                let url = if v.contains("://") {
                    v.clone()
                } else if let Some(u) = user
                    .as_ref()
                    .filter(|_| v.is_empty() || v.starts_with("x-apple:"))
                {
                    u.clone()
                } else {
                    v.trim_start_matches("x-apple:").to_string()
                };
                if url.is_empty() {
                    continue;
                }
                let label = p
                    .types
                    .iter()
                    .find(|t| !matches!(t.as_str(), "pref" | "internet"))
                    .cloned()
                    .unwrap_or_else(|| guess_label(&url));
                c.links.push((label.to_lowercase(), url));
            }
            "BDAY" => c.birthday = birthday(&raw, p.param("X-APPLE-OMIT-YEAR")),
            "NOTE" => {
                let note = unescape(&raw).replace("\r\n", "\n").trim().to_string();
                if !note.is_empty() {
                    c.bio = Some(note);
                }
            }
            "URL" => {
                let url = unescape(raw.trim()).trim().to_string();
                if url.is_empty() {
                    continue;
                }
                let label = p
                    .group
                    .as_ref()
                    .and_then(|g| labels.get(g))
                    .cloned()
                    .or_else(|| {
                        p.types
                            .iter()
                            .find(|t| !matches!(t.as_str(), "pref" | "internet"))
                            .cloned()
                    })
                    .unwrap_or_else(|| guess_label(&url));
                c.links.push((label.to_lowercase(), url));
            }
            _ => {}
        }
    }
    if c.name.is_empty() {
        c.name = n_name.unwrap_or_default();
    }
    if c.is_org && c.name.is_empty() {
        c.name = c.org.clone().unwrap_or_default();
    }
    c
}

/// Adds `s` unless empty or already there (ASCII case ignored); `seen`
/// keeps it linear for a card with 100 000 properties.
fn push_unique(v: &mut Vec<String>, seen: &mut HashSet<String>, s: &str) {
    if !s.is_empty() && seen.insert(s.to_ascii_lowercase()) {
        v.push(s.to_string());
    }
}

/// A link label from the URL's host (`linkedin.com` → `linkedin`).
pub fn guess_label(url: &str) -> String {
    let host = url
        .split("//")
        .nth(1)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or("");
    let host = host.trim_start_matches("www.");
    host.split('.')
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("website")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_soft_breaks_and_charsets() {
        let card = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B8rgensen;S=\r\n=C3=B8ren;;;\r\nNOTE;ENCODING=QUOTED-PRINTABLE:line one=0D=0A=\r\nline two\r\nTEL;CELL;PREF:+47 123\r\nPHOTO;ENCODING=BASE64;JPEG:/9j/4AAQ\r\n AAAA\r\n\r\nEND:VCARD\r\n";
        let c = &parse(card.as_bytes())[0];
        assert_eq!(c.name, "Søren Jørgensen");
        assert_eq!(c.bio.as_deref(), Some("line one\nline two"));
        assert_eq!(c.phones, ["+47 123"]);
        let latin = b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Jos=E9\r\nEND:VCARD\r\n";
        assert_eq!(parse(latin)[0].name, "José");
    }

    #[test]
    fn apple_groups_labels_and_year_less_birthdays() {
        let card = "BEGIN:VCARD\nVERSION:3.0\nFN:Ann\\, the Great\nitem1.URL:https://example.com/ann\nitem1.X-ABLabel:_$!<HomePage>!$_\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-08-02\nEND:VCARD\n";
        let c = &parse(card.as_bytes())[0];
        assert_eq!(c.name, "Ann, the Great");
        assert_eq!(
            c.links,
            [(
                "homepage".to_string(),
                "https://example.com/ann".to_string()
            )]
        );
        assert_eq!(c.birthday.as_deref(), Some("--08-02"));
        assert_eq!(birthday("--0315", None).as_deref(), Some("--03-15"));
        assert_eq!(birthday("19220310", None).as_deref(), Some("1922-03-10"));
        assert_eq!(birthday("2026-02-30", None), None);
    }
}
