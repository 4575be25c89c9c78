//! A snippet for a hit whose words matched no body text (a person found by
//! org, tag or name): the note's line that best matches the query, never a
//! bare heading like `## Log`.

use crate::text::fold;

/// The query's plain words, folded: operators, exclusions and `field:`
/// prefixes removed.
pub fn query_words(q: &str) -> Vec<String> {
    q.split_whitespace()
        .filter(|w| !w.starts_with('-') && *w != "OR" && *w != "AND")
        .map(|w| w.rsplit_once(':').map_or(w, |(_, v)| v))
        .flat_map(|w| {
            fold(w)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The line of `text` holding most of `words` (front matter included, the
/// `---` fences and headings-only lines left out), trimmed and cut to `max`
/// characters; the first line with prose when no line matches.
pub fn best_line(text: &str, words: &[String], max: usize) -> String {
    let useful = |l: &&str| {
        let t = l.trim();
        !t.is_empty() && t != "---" && !t.starts_with('#')
    };
    let score = |l: &str| {
        let f = fold(l);
        words.iter().filter(|w| f.contains(w.as_str())).count()
    };
    let best = text
        .lines()
        .filter(useful)
        .map(|l| (score(l), l))
        .filter(|(s, _)| *s > 0)
        // max_by_key keeps the last of equals: reverse to keep the first.
        .rev()
        .max_by_key(|(s, _)| *s)
        .map(|(_, l)| l)
        .or_else(|| text.lines().find(useful));
    let line = best.unwrap_or("").trim();
    let mut out: String = line.chars().take(max).collect();
    if line.chars().count() > max {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_matching_line_not_the_log_heading() {
        let note = "---\nname: Lena\norg: Acme Robotics\ntags: [rust]\n---\n\n## Log\n\n### 2026-11-01\n\nhi\n";
        let w = query_words("org:acme");
        assert_eq!(best_line(note, &w, 160), "org: Acme Robotics");
        assert_eq!(
            best_line(note, &query_words("tag:rust -go"), 160),
            "tags: [rust]"
        );
        assert_eq!(best_line(note, &query_words("zzz"), 160), "name: Lena");
        assert_eq!(best_line("## Log\n", &[], 160), "");
    }
}
