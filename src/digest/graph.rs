//! Who knows whom, as a picture: the connection evidence between people, the
//! introductions made, circles as styles. Mermaid and Graphviz DOT.
//!
//! All evidence comes from [`connections`]; it is the one place to switch to a
//! richer connection model.

use crate::model::Circle;
use crate::vault::Vault;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;

/// Why two people are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// `a` introduced `b` to you (`introduced_by` in b's note).
    Introduced,
    /// One person's note links the other.
    Linked,
    /// One log entry links both (e.g. met together, a dinner).
    SameEntry,
}

impl Evidence {
    pub fn label(self) -> &'static str {
        match self {
            Evidence::Introduced => "introduced",
            Evidence::Linked => "mentions",
            Evidence::SameEntry => "together",
        }
    }
}

/// Two people connected, with the strongest evidence (`Introduced` first).
/// For `Introduced`, `a` is the introducer; otherwise `a < b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub evidence: Evidence,
}

/// Who knows whom, from the evidence in the notes today: `introduced_by`, a
/// person note linking another person, and one log entry linking two people.
/// One edge per pair, strongest evidence kept; sorted.
pub fn connections(vault: &Vault) -> Vec<Edge> {
    let is_person = |i: usize| vault.notes[i].person.is_some();
    let key = |a: usize, b: usize| if a < b { (a, b) } else { (b, a) };
    let mut best: HashMap<(usize, usize), Edge> = HashMap::new();
    let mut add = |a: usize, b: usize, evidence: Evidence| {
        if a == b {
            return;
        }
        let e = best.entry(key(a, b)).or_insert(Edge { a, b, evidence });
        if evidence < e.evidence {
            *e = Edge { a, b, evidence };
        }
    };
    for (i, _, p) in vault.people() {
        if let Some(by) = &p.introduced_by
            && let Some(j) = vault.resolve_one(by)
            && is_person(j)
        {
            add(j, i, Evidence::Introduced);
        }
        for &j in &vault.out_links[i] {
            if is_person(j) {
                let (a, b) = key(i, j);
                add(a, b, Evidence::Linked);
            }
        }
    }
    for (i, n) in vault.notes.iter().enumerate() {
        for e in &n.entries {
            let who: Vec<usize> = vault
                .entry_links(i, e, 20, false)
                .into_iter()
                .filter(|j| is_person(*j))
                .collect();
            for (x, &a) in who.iter().enumerate() {
                for &b in &who[x + 1..] {
                    add(a, b, Evidence::SameEntry);
                }
            }
        }
    }
    let mut out: Vec<Edge> = best.into_values().collect();
    out.sort_by_key(|e| (key(e.a, e.b), e.evidence));
    out
}

/// The people within `depth` steps of `center` (all people with an edge when
/// `center` is None), and the edges between them.
pub fn neighbourhood(
    vault: &Vault,
    edges: &[Edge],
    center: Option<usize>,
    depth: usize,
) -> (Vec<usize>, Vec<Edge>) {
    let Some(c) = center else {
        let mut nodes: Vec<usize> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
        nodes.sort_unstable();
        nodes.dedup();
        return (nodes, edges.to_vec());
    };
    let mut adj: HashMap<usize, Vec<usize>> = HashMap::new();
    for e in edges {
        adj.entry(e.a).or_default().push(e.b);
        adj.entry(e.b).or_default().push(e.a);
    }
    let mut seen: HashSet<usize> = HashSet::from([c]);
    let mut q = VecDeque::from([(c, 0usize)]);
    while let Some((n, d)) = q.pop_front() {
        if d >= depth {
            continue;
        }
        for &m in adj.get(&n).into_iter().flatten() {
            if seen.insert(m) {
                q.push_back((m, d + 1));
            }
        }
    }
    let mut nodes: Vec<usize> = seen.into_iter().collect();
    nodes.sort_by_key(|i| vault.notes[*i].path.clone());
    let kept = edges
        .iter()
        .filter(|e| nodes.contains(&e.a) && nodes.contains(&e.b))
        .cloned()
        .collect();
    (nodes, kept)
}

/// A node id unique and stable per note path: letters and digits kept, every
/// other byte written `_xx` in hex (so `Dup Name` and `Dup-Name` differ).
/// Made from the path's own bytes: two names that differ only in bytes that
/// are not UTF-8 read alike lossily, and were drawn as one node.
pub fn node_id(path: &std::path::Path) -> String {
    let s = path.as_os_str().as_encoded_bytes();
    let s = s.strip_suffix(b".md").unwrap_or(s);
    let mut o = String::from("n_");
    for &b in s {
        if b.is_ascii_alphanumeric() {
            o.push(b as char);
        } else {
            let _ = write!(o, "_{b:02x}");
        }
    }
    o
}

/// `s` shortened to at most `max` characters at a word boundary, with `…`
/// when cut; a single over-long word is kept whole.
pub fn cut_at_word(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split_whitespace() {
        let next = if out.is_empty() {
            w.chars().count()
        } else {
            out.chars().count() + 1 + w.chars().count()
        };
        if next > max && !out.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
        if next > max {
            break;
        }
    }
    out.push('…');
    out
}

fn circle_of(vault: &Vault, i: usize) -> &'static str {
    match vault.person(i).and_then(|p| p.circle) {
        Some(Circle::Close) => "close",
        Some(Circle::Active) => "active",
        Some(Circle::Acquaintance) => "acquaintance",
        Some(Circle::Dormant) => "dormant",
        None => "none",
    }
}

/// (fill, border) per circle, the same in both formats.
const STYLES: [(&str, &str, &str); 5] = [
    ("close", "#f4a261", "#e76f51"),
    ("active", "#a8dadc", "#457b9d"),
    ("acquaintance", "#f1faee", "#8d99ae"),
    ("dormant", "#e5e5e5", "#b0b0b0"),
    ("none", "#ffffff", "#8d99ae"),
];

/// A name as the text of a quoted Mermaid label: `#` first (it starts
/// Mermaid's entity codes), then `"` and the `<` `>` Mermaid would render
/// as HTML (`<b>` in a name made the rest bold, `<script>` is dropped), and
/// a line break (which ends the node statement) becomes a space.
fn mermaid_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => o.push_str("#35;"),
            '"' => o.push_str("#quot;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '\n' | '\r' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A Mermaid flowchart: one node per person (label = name), edges labelled
/// with their evidence, circles as `classDef`s.
pub fn mermaid(vault: &Vault, nodes: &[usize], edges: &[Edge]) -> String {
    let label = |i: usize| mermaid_text(&vault.notes[i].title);
    let mut o = String::from("graph LR\n");
    let mut by_circle: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for &i in nodes {
        let id = node_id(&vault.notes[i].path);
        let _ = writeln!(o, "  {id}[\"{}\"]", label(i));
        by_circle.entry(circle_of(vault, i)).or_default().push(id);
    }
    for e in edges {
        let (a, b) = (
            node_id(&vault.notes[e.a].path),
            node_id(&vault.notes[e.b].path),
        );
        let arrow = match e.evidence {
            Evidence::Introduced => "-->",
            _ => "---",
        };
        let _ = writeln!(o, "  {a} {arrow}|{}| {b}", e.evidence.label());
    }
    for (name, fill, stroke) in STYLES {
        if let Some(ids) = by_circle.get(name) {
            let _ = writeln!(o, "  classDef {name} fill:{fill},stroke:{stroke}");
            let _ = writeln!(o, "  class {} {name}", ids.join(","));
        }
    }
    o
}

/// A Graphviz digraph: introductions are arrows, other evidence plain lines
/// (`dir=none`); circles as fill colours, with a legend.
pub fn dot(vault: &Vault, nodes: &[usize], edges: &[Edge]) -> String {
    let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut o = String::from(
        "digraph kith {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    let colours: HashMap<&str, (&str, &str)> =
        STYLES.iter().map(|(n, f, s)| (*n, (*f, *s))).collect();
    for &i in nodes {
        let c = circle_of(vault, i);
        let (fill, stroke) = colours.get(c).copied().unwrap_or(("#ffffff", "#8d99ae"));
        let _ = writeln!(
            o,
            "  {} [label=\"{}\", fillcolor=\"{fill}\", color=\"{stroke}\", class=\"{c}\"];",
            node_id(&vault.notes[i].path),
            q(&vault.notes[i].title)
        );
    }
    for e in edges {
        let dir = if e.evidence == Evidence::Introduced {
            ""
        } else {
            ", dir=none"
        };
        let style = if e.evidence == Evidence::SameEntry {
            ", style=dashed"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "  {} -> {} [label=\"{}\"{dir}{style}];",
            node_id(&vault.notes[e.a].path),
            node_id(&vault.notes[e.b].path),
            e.evidence.label()
        );
    }
    let used: HashSet<&str> = nodes.iter().map(|i| circle_of(vault, *i)).collect();
    o.push_str("  subgraph cluster_legend {\n    label=\"circles\";\n");
    for (name, fill, stroke) in STYLES {
        if used.contains(name) {
            let _ = writeln!(
                o,
                "    legend_{name} [label=\"{name}\", fillcolor=\"{fill}\", color=\"{stroke}\"];"
            );
        }
    }
    o.push_str("  }\n}\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::reciprocity::tests::vault;

    #[test]
    fn ids_are_unique_per_path_even_when_names_fold_alike() {
        let a = node_id(std::path::Path::new("people/Dup Name.md"));
        let b = node_id(std::path::Path::new("people/Dup-Name.md"));
        let c = node_id(std::path::Path::new("people/Dup_Name.md"));
        assert!(a != b && b != c && a != c, "{a} {b} {c}");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }

    #[test]
    fn labels_are_cut_between_words() {
        assert_eq!(cut_at_word("short", 10), "short");
        assert_eq!(cut_at_word("one two three four", 9), "one two…");
        assert_eq!(cut_at_word("unbreakableword more", 5), "unbreakableword…");
    }

    #[test]
    fn connections_from_introductions_links_and_shared_entries() {
        let v = vault(&[
            (
                "people/a.md",
                "---\nname: Ann A\ncircle: close\n---\nKnows [[Bo B]].\n",
            ),
            (
                "people/b.md",
                "---\nname: Bo B\nintroduced_by: \"[[Ann A]]\"\n---\n",
            ),
            ("people/c.md", "---\nname: Cy C\n---\n"),
            ("people/d.md", "---\nname: Dee D\n---\n"),
            (
                "journal/2026-01-01.md",
                "## 2026-01-01 · dinner\nWith [[Cy C]] and [[Dee D]].\n",
            ),
        ]);
        let e = connections(&v);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(
            (e[0].a, e[0].b, e[0].evidence),
            (0, 1, Evidence::Introduced)
        );
        assert_eq!(e[1].evidence, Evidence::SameEntry);
        let (nodes, edges) = neighbourhood(&v, &e, Some(0), 1);
        assert_eq!(nodes.len(), 2);
        assert_eq!(edges.len(), 1);
        let m = mermaid(&v, &nodes, &edges);
        assert!(m.contains("-->|introduced|"), "{m}");
        assert!(m.contains("classDef close"), "{m}");
        let d = dot(&v, &nodes, &edges);
        assert!(d.contains("label=\"introduced\""), "{d}");
    }
}
