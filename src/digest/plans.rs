//! Plans are not contacts: "will ask [[Ben Okoro]] first" or "going to
//! email [[Sam]] tomorrow" says what you mean to do, not what you did. A link
//! whose clause (the text of its sentence before it) states a plan — a future
//! or intent word such as "will", "going to", "should", "need to", "maybe",
//! "tomorrow" — is neither a contact with that person nor evidence that two
//! people know each other, like a task item `- [ ]`.

use crate::model::Link;
use crate::vault::Vault;

/// Words that make the rest of a clause a plan.
const PLAN_WORDS: &[&str] = &[
    "will",
    "shall",
    "gonna",
    "plan",
    "plans",
    "planning",
    "should",
    "must",
    "todo",
    "maybe",
    "might",
    "could",
    "would",
    "tomorrow",
    "someday",
    "intend",
    "intending",
    "remind",
];

/// Two-word markers: "going to", "need to", "want to", "next week"…
const PLAN_PAIRS: &[(&str, &str)] = &[
    ("going", "to"),
    ("need", "to"),
    ("needs", "to"),
    ("want", "to"),
    ("wants", "to"),
    ("wanted", "to"),
    ("hope", "to"),
    ("hoping", "to"),
    ("try", "to"),
    ("trying", "to"),
    ("have", "to"),
    ("has", "to"),
    ("to", "do"),
    ("next", "week"),
    ("next", "month"),
    ("next", "time"),
];

/// Whether a clause (the text of a sentence before a link) states a plan.
pub fn is_plan(clause: &str) -> bool {
    // Only the sentence the link sits in.
    let start = clause
        .rfind(['.', '!', '?', ';', '\n'])
        .map_or(0, |i| i + 1);
    let clause = &clause[start..];
    let raw: Vec<&str> = clause
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .collect();
    let words: Vec<String> = raw.iter().map(|w| w.to_lowercase()).collect();
    words.iter().enumerate().any(|(k, w)| {
        // "Will" capitalised is a name mid-sentence, or first before "and"
        // ("Will and I met …"); first before anything else it is the plan.
        let name = raw[k] == "Will" && (k > 0 || words.get(1).is_some_and(|n| n == "and"));
        (PLAN_WORDS.contains(&w.as_str()) && !name)
            || w.ends_with("'ll")
            || w.ends_with("’ll")
            || words
                .get(k + 1)
                .is_some_and(|n| PLAN_PAIRS.contains(&(w.as_str(), n.as_str())))
    })
}

/// The byte offset of link `l` in `line`: the `[[` at its column (kith
/// counts columns in characters; bytes are accepted too), else the first
/// `[[` whose target is the link's.
fn link_offset(line: &str, l: &Link) -> Option<usize> {
    let opens: Vec<usize> = line.match_indices("[[").map(|(b, _)| b).collect();
    opens
        .iter()
        .copied()
        .find(|&b| {
            let col = l.column as usize;
            line[..b].chars().count() + 1 == col || b + 1 == col
        })
        .or_else(|| {
            opens.into_iter().find(|&b| {
                let rest = &line[b + 2..];
                let end = rest.find("]]").unwrap_or(rest.len());
                let t = rest[..end].split(['|', '#']).next().unwrap_or("").trim();
                t == l.target
            })
        })
}

/// The lines of a note, read once, to tell which of its links are plans.
pub struct NoteLines {
    text: Option<std::sync::Arc<str>>,
    starts: Vec<usize>,
}

impl NoteLines {
    /// The note's text as the model was built from it; a note that changed
    /// since (or cannot be read) has no plans: its links count as before.
    pub fn new(vault: &Vault, idx: usize) -> NoteLines {
        let text = vault.note_text(idx);
        let mut starts = vec![0];
        if let Some(t) = &text {
            starts.extend(t.match_indices('\n').map(|(i, _)| i + 1));
        }
        NoteLines { text, starts }
    }

    /// Whether link `l` of this note sits in a plan (see the module).
    pub fn is_plan(&self, l: &Link) -> bool {
        let Some(t) = &self.text else {
            return false;
        };
        let ln = l.line as usize;
        let Some(&s) = ln.checked_sub(1).and_then(|k| self.starts.get(k)) else {
            return false;
        };
        let e = self.starts.get(ln).map_or(t.len(), |&e| e);
        let line = t.get(s..e).unwrap_or("");
        let Some(at) = link_offset(line, l) else {
            return false;
        };
        is_plan(&line[..at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_told_from_what_happened() {
        for plan in [
            "- will ask ",
            "Will ask ",
            "I'll email ",
            "going to call ",
            "need to introduce Sam to ",
            "maybe coffee with ",
            "Met Lena, she will intro me to ",
            "should ping ",
            "todo: ",
            "- next week: lunch with ",
        ] {
            assert!(is_plan(plan), "{plan}");
        }
        for done in [
            "Lunch with ",
            "- called ",
            "Met at the meetup. Coffee with ",
            "I will not forget it. Had dinner with ",
            "Will and I met ",
            "Went running with Will and ",
            "",
        ] {
            assert!(!is_plan(done), "{done}");
        }
    }
}
