use super::*;

fn p(rel: &str, s: &str) -> Note {
    parse(Path::new(rel), s.as_bytes())
}
