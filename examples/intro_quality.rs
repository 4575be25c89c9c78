//! Quality benchmark for introduction suggestions against a labelled vault.
//!
//! `cargo run --release --example intro_quality -- VAULT LABELS [--split tune|heldout|all] [--misses]`
//!
//! Prints recall of the planted pairs within the top 5, 10, 20 and 2N of
//! `intros --all` (N = planted pairs in the split), per difficulty class, how
//! many must-not and mismatch pairs are suggested anywhere, and precision at
//! 10 (the share of the top ten that are planted pairs). Exit 1 when the
//! targets (recall@2N ≥ 0.9, recall@20 ≥ 0.5, 0 must-not, 0 mismatch) fail.

use kith::text::fold;
use kith::yaml::{self, Yaml};
use std::collections::HashMap;
use std::path::PathBuf;

fn key(a: &str, b: &str) -> (String, String) {
    let (x, y) = (fold(a), fold(b));
    if x < y { (x, y) } else { (y, x) }
}

fn rows(y: &Yaml, k: &str) -> Vec<Vec<String>> {
    match y.get(k) {
        Some(Yaml::List(items)) => items
            .iter()
            .filter_map(|it| match it {
                Yaml::List(xs) => Some(xs.iter().filter_map(Yaml::as_scalar).collect()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(vault), Some(labels)) = (args.first(), args.get(1)) else {
        eprintln!("usage: intro_quality VAULT LABELS [--split tune|heldout|all] [--misses]");
        std::process::exit(2);
    };
    let split = args
        .iter()
        .position(|a| a == "--split")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "all".into());
    let misses = args.iter().any(|a| a == "--misses");
    let text = std::fs::read_to_string(labels).unwrap_or_else(|e| {
        eprintln!("{labels}: {e}");
        std::process::exit(2)
    });
    let y = yaml::parse(&text).unwrap_or_else(|e| {
        eprintln!("{labels}: {e:?}");
        std::process::exit(2)
    });
    let planted: Vec<Vec<String>> = rows(&y, "planted")
        .into_iter()
        .filter(|r| split == "all" || r.get(3).is_some_and(|s| *s == split))
        .collect();
    let must_not = rows(&y, "must_not");
    let mismatch = rows(&y, "mismatch");
    let v = kith::store::load_uncached(&PathBuf::from(vault)).unwrap_or_else(|e| {
        eprintln!("{vault}: {e}");
        std::process::exit(2)
    });
    let as_of = kith::date::parse_date("2026-11-22").expect("a valid date");
    let t = std::time::Instant::now();
    let all = kith::digest::intro_suggestions(&v, as_of, None, 0, true).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let took = t.elapsed();
    let rank: HashMap<(String, String), usize> = all
        .iter()
        .enumerate()
        .map(|(i, s)| (key(&s.a, &s.b), i))
        .rev()
        .collect();
    let n = planted.len();
    let at = |k: usize, class: Option<&str>| -> (usize, usize) {
        let sel: Vec<&Vec<String>> = planted
            .iter()
            .filter(|r| class.is_none_or(|c| r.get(2).is_some_and(|x| x == c)))
            .collect();
        let hit = sel
            .iter()
            .filter(|r| rank.get(&key(&r[0], &r[1])).is_some_and(|&i| i < k))
            .count();
        (hit, sel.len())
    };
    println!(
        "split {split}: {n} planted pairs, {} suggestions in {took:?}",
        all.len()
    );
    for k in [5, 10, 20, 2 * n] {
        let (h, t) = at(k, None);
        println!(
            "recall@{k:<3} {h:>2}/{t} = {:.2}",
            h as f64 / t.max(1) as f64
        );
    }
    for c in ["word", "paraphrase", "profile"] {
        let (h, t) = at(2 * n, Some(c));
        let (ha, _) = at(usize::MAX, Some(c));
        println!("  {c:<10} @2N {h}/{t}, anywhere {ha}/{t}");
    }
    let bad = |list: &[Vec<String>], what: &str| -> usize {
        let mut c = 0;
        for r in list {
            if let Some(i) = rank.get(&key(&r[0], &r[1])) {
                c += 1;
                println!("  {what}: {} ↔ {} at rank {}", r[0], r[1], i + 1);
            }
        }
        c
    };
    let mn = bad(&must_not, "must-not");
    let mm = bad(&mismatch, "mismatch");
    println!("must-not suggested: {mn}/{}", must_not.len());
    println!("mismatch suggested: {mm}/{}", mismatch.len());
    let all_planted: Vec<(String, String)> = rows(&y, "planted")
        .iter()
        .map(|r| key(&r[0], &r[1]))
        .collect();
    let p10 = all
        .iter()
        .take(10)
        .filter(|s| all_planted.contains(&key(&s.a, &s.b)))
        .count();
    println!("precision@10 {p10}/10 = {:.2}", p10 as f64 / 10.0);
    if misses {
        println!("\ntop 20:");
        for (i, s) in all.iter().take(20).enumerate() {
            println!(
                "{:>3}. {} ↔ {} ({:.2}): {}",
                i + 1,
                s.a,
                s.b,
                s.score,
                s.reasons.join("; ")
            );
        }
        println!("\nplanted not in top 2N:");
        for r in &planted {
            if rank.get(&key(&r[0], &r[1])).is_none_or(|&i| i >= 2 * n) {
                let at = rank.get(&key(&r[0], &r[1])).map(|i| (i + 1).to_string());
                println!(
                    "  {} ↔ {} ({}) rank {}",
                    r[0],
                    r[1],
                    r[2],
                    at.unwrap_or("-".into())
                );
            }
        }
    }
    let (h2n, _) = at(2 * n, None);
    let (h20, _) = at(20, None);
    let ok = h2n as f64 >= 0.9 * n as f64 && h20 as f64 >= 0.5 * n as f64 && mn == 0 && mm == 0;
    std::process::exit(if ok { 0 } else { 1 });
}
