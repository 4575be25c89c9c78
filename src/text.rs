//! Text helpers shared by every module: accent folding, slugs, fuzzy distance.
//!
//! Names are compared "folded": accents removed, case ignored, spaces squeezed, so
//! `Tomás Müller`, `tomas muller` and `TOMAS  MULLER` are the same person.

use deunicode::deunicode;

/// Folds a string for comparison: transliterate to ASCII, lowercase, squeeze whitespace.
pub fn fold(s: &str) -> String {
    // One allocation for an ASCII text (every link, name and tag passes
    // here): no copy before folding, no string per word.
    let transliterated;
    let ascii = if s.is_ascii() {
        s
    } else {
        transliterated = deunicode(s);
        transliterated.as_str()
    };
    let mut out = String::with_capacity(ascii.len());
    for word in ascii.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        let start = out.len();
        out.push_str(word);
        out[start..].make_ascii_lowercase();
    }
    out
}

/// A file-name slug: folded, every run of non-alphanumerics becomes one `-`.
/// Never empty: a name with no letters at all becomes `person`.
/// `1 note`, `2 notes`, `0 notes`: a count with its noun, singular for one.
/// Nouns here take a plain `s` (note, day, error, warning, person→ use
/// [`plural_as`]).
pub fn plural(n: usize, noun: &str) -> String {
    plural_as(n, noun, &format!("{noun}s"))
}

/// Like [`plural`], for a noun whose plural is not `noun + s`.
pub fn plural_as(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub fn slugify(s: &str) -> String {
    let folded = fold(s);
    let mut slug = String::with_capacity(folded.len());
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("person");
    }
    slug
}

/// Levenshtein distance on chars, bounded: returns `None` once it exceeds `max`.
///
/// Only the diagonal band `|i - j| <= max` is computed (a cell outside it is
/// already more than `max`), so the cost is linear in the length of the
/// strings: two long, nearly equal names (a megabyte each, from a hostile
/// note) would otherwise cost the product of their lengths.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // Anything over `max` is as good as infinite; capping keeps sums small.
    let over = max + 1;
    let n = b.len();
    let mut prev: Vec<usize> = (0..=n).map(|j| j.min(over)).collect();
    let mut cur = vec![over; n + 1];
    for (i, ca) in a.iter().enumerate() {
        let row = i + 1;
        let lo = row.saturating_sub(max);
        let hi = (row + max).min(n);
        // The cells just outside the band are read by their neighbours.
        cur[lo.saturating_sub(1)] = over;
        if lo == 0 {
            cur[0] = row.min(over);
        }
        if let Some(after) = cur.get_mut(hi + 1) {
            *after = over;
        }
        let mut row_min = if lo == 0 { cur[0] } else { over };
        for j in lo.max(1)..=hi {
            let cost = usize::from(*ca != b[j - 1]);
            let v = (prev[j - 1] + cost)
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(over);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= max).then_some(d)
}

/// 1-based line number and 1-based byte column of `offset` in `text`, given the
/// byte offsets of line starts (see [`line_starts`]).
pub fn line_col(starts: &[usize], offset: usize) -> (usize, usize) {
    let idx = match starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    (idx + 1, offset - starts.get(idx).copied().unwrap_or(0) + 1)
}

/// Byte offsets at which each line of `text` starts.
/// A byte offset in a note as four bytes: notes are read only up to a cap
/// far below 4 GB, and saturating keeps a conversion from ever panicking.
pub fn offset32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

pub fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    v
}

fn memchr_iter(needle: u8, hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    hay.iter()
        .enumerate()
        .filter(move |(_, b)| **b == needle)
        .map(|(i, _)| i)
}

/// Wraps `text` to `width` columns at spaces: the first line starts after
/// `first` columns already used, the rest are indented by `indent` spaces.
/// A word longer than a line is cut, so no line overflows.
pub fn wrap(text: &str, first: usize, indent: usize, width: usize) -> Vec<String> {
    let width = width.max(indent + 10);
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut used = first;
    let room = |lines: &Vec<String>| {
        if lines.is_empty() {
            width.saturating_sub(first)
        } else {
            width - indent
        }
    };
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let wlen = word.chars().count();
            let sep = usize::from(!cur.is_empty());
            if used + sep + wlen <= width {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.push_str(&word);
                used += sep + wlen;
                break;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                used = indent;
                continue;
            }
            // A word wider than a whole line: cut it.
            let take = room(&lines).max(1);
            let head: String = word.chars().take(take).collect();
            word = word.chars().skip(take).collect();
            lines.push(head);
            used = indent;
            if word.is_empty() {
                break;
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// A 64-bit hash of a note's (or cache file's) bytes; never 0 (0 means
/// unknown). It decides whether a note whose times changed was really
/// edited, so an edit must not keep it: SipHash-1-3 (std's hasher, fixed
/// keys), where a multiply-xor over 8-byte words let an edit of two
/// adjacent words be chosen to keep the hash (the store and the index then
/// kept the old text). About 1.5 GB/s: a cold 100k vault hashes its 830 MB
/// in half a second of CPU, on top of parsing it.
pub fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    h.write(bytes);
    h.finish().max(1)
}

/// Writes a path as a string for JSON output, lossily: a file name that is
/// not UTF-8 (allowed on Linux) must not fail, or panic, a whole answer.
pub fn ser_lossy_path<S: serde::Serializer>(p: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_only_overlong_words() {
        let l = wrap("one two three four five", 0, 2, 12);
        assert_eq!(l, ["one two", "three four", "five"]);
        assert!(l.iter().all(|x| x.chars().count() + 2 <= 12));
        let l = wrap("abcdefghijklmnopqrstuvwxyz", 0, 0, 10);
        assert_eq!(l, ["abcdefghij", "klmnopqrst", "uvwxyz"]);
        assert_eq!(wrap("", 0, 0, 10), [""]);
    }

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("Tomás  Müller"), "tomas muller");
        assert_eq!(fold("ZOË"), "zoe");
        assert_eq!(fold("Łukasz Øster"), "lukasz oster");
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Lena Fischer"), "lena-fischer");
        assert_eq!(slugify("Zoë O'Brien-Smith"), "zoe-o-brien-smith");
        assert_eq!(slugify("  --  "), "person");
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("lena", "lina", 2), Some(1));
        assert_eq!(edit_distance("lena", "omar", 2), None);
    }

    /// The plain quadratic Levenshtein distance, as the reference.
    fn full_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    proptest::proptest! {
        #[test]
        fn banded_distance_agrees_with_the_full_one(
            a in "[abc\u{e9}]{0,12}",
            b in "[abc\u{e9}]{0,12}",
            max in 0usize..5,
        ) {
            let full = full_distance(&a, &b);
            proptest::prop_assert_eq!(edit_distance(&a, &b, max), (full <= max).then_some(full));
        }
    }

    #[test]
    fn distance_of_two_long_near_names_is_found_in_linear_time() {
        // A megabyte each, one letter apart: the full table would be 10^12 cells.
        let a = "l".repeat(1 << 20);
        let b = format!("{a}x");
        assert_eq!(edit_distance(&a, &b, 3), Some(1));
        assert_eq!(edit_distance(&a, &a, 0), Some(0));
    }

    #[test]
    fn lines_and_columns() {
        let t = "ab\ncd\n\nx";
        let s = line_starts(t);
        assert_eq!(line_col(&s, 0), (1, 1));
        assert_eq!(line_col(&s, 4), (2, 2));
        assert_eq!(line_col(&s, 7), (4, 1));
    }
}
