//! Generates a realistic, deterministic vault for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_vault -- DIR --people 10000 [--seed 7]
//! ```
//!
//! People get full front matter, short bios with links, and a skewed number of
//! log entries (most 0–5, a few hundreds, mean about 12) of about 70 words
//! drawn from a Zipf-like vocabulary, with links, tags and promises; plus
//! event notes (one per 50 people) and journal notes (one per 10 people).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    /// Zipf-like rank in 0..n (s ≈ 1): many small ranks, a long tail.
    fn zipf(&mut self, n: usize) -> usize {
        let u = ((self.next() >> 11) as f64 / (1u64 << 53) as f64).max(1e-12);
        let r = ((n as f64).powf(u) - 1.0) as usize;
        r.min(n - 1)
    }
}

const FIRST: &[&str] = &[
    "Lena",
    "Omar",
    "Mira",
    "David",
    "Sam",
    "Amara",
    "Jonas",
    "Priya",
    "Sofia",
    "Kenji",
    "Inês",
    "Tobias",
    "Elena",
    "Ana",
    "Felix",
    "Thomas",
    "Hannah",
    "Lukas",
    "Grace",
    "Yusuf",
    "Clara",
    "Noah",
    "Maya",
    "Ben",
    "Julia",
    "Marco",
    "Sarah",
    "Pablo",
    "Zoë",
    "Aleksander",
    "Fatima",
    "Henrik",
    "Léa",
    "Victor",
    "Rosa",
    "Oliver",
    "Nadia",
    "Tomás",
    "Chen",
    "Aiko",
    "Kwame",
    "Ingrid",
    "Mateo",
    "Olga",
    "Ravi",
    "Sven",
    "Yara",
];
const LAST: &[&str] = &[
    "Fischer",
    "Haddad",
    "Schulz",
    "Cohen",
    "Adeyemi",
    "Okafor",
    "Weber",
    "Raman",
    "Marin",
    "Tanaka",
    "Duarte",
    "Klein",
    "Petrova",
    "Costa",
    "Braun",
    "Berg",
    "Vogel",
    "Meyer",
    "Lee",
    "Demir",
    "Hoffmann",
    "Singh",
    "Okoro",
    "Wagner",
    "Rossi",
    "Schmidt",
    "García",
    "Martin",
    "Nowak",
    "Zahra",
    "Larsen",
    "Dubois",
    "Ionescu",
    "Jiménez",
    "Brandt",
    "Müller",
    "Wang",
    "Sato",
    "Mensah",
    "Johansson",
    "López",
    "Ivanova",
    "Patel",
    "Nilsson",
    "Haddad",
];
const ORGS: &[&str] = &[
    "Acme Robotics",
    "Northwind",
    "Seedling Ventures",
    "VoltGrid",
    "Ferrous Systems",
    "TinyApps",
    "Helio Health",
    "HeatLoop",
    "DataFab",
    "City of Berlin",
    "Lingua",
    "Studio Costa",
    "OpenBook",
    "TalentBridge",
    "GreenRoof",
    "Charité",
    "Pasta Lab",
    "Kite Labs",
    "Nordic Wind",
    "Le Monde",
    "Ionescu Labs",
    "TU Berlin",
    "Globex",
];
const ROLES: &[&str] = &[
    "CTO",
    "Engineer",
    "Founder",
    "Designer",
    "Investor",
    "Researcher",
    "Product manager",
    "Recruiter",
    "Engineering manager",
    "Data scientist",
    "Journalist",
    "Professor",
    "Student",
    "COO",
    "Consultant",
];
const CITIES: &[&str] = &[
    "Berlin",
    "Hamburg",
    "Munich",
    "Vienna",
    "Zurich",
    "Lisbon",
    "Paris",
    "London",
    "Madrid",
    "Warsaw",
    "Copenhagen",
    "Amsterdam",
    "Prague",
    "Stockholm",
    "Milan",
];
const TOPICS: &[&str] = &[
    "rust",
    "climate tech",
    "bouldering",
    "sourdough",
    "engineering management",
    "open source",
    "sailing",
    "chess",
    "typography",
    "causal inference",
    "grid storage",
    "heat pumps",
    "podcasts",
    "photography",
    "ceramics",
    "board games",
    "running",
    "cycling",
    "jazz",
    "urban gardening",
    "compilers",
    "databases",
    "motion planning",
    "teaching",
    "hiking",
    "yoga",
    "football",
    "falconry",
    "origami",
    "beekeeping",
];
const VALUES: &[&str] = &[
    "candour",
    "craft",
    "kindness",
    "autonomy",
    "patience",
    "ambition",
    "public good",
    "inclusion",
];
const NEEDS: &[&str] = &[
    "hiring a senior Rust engineer",
    "a seed investor for a climate startup",
    "a mentor for a first-time manager",
    "a designer for a mobile app",
    "a flat in Berlin for three months",
    "speakers for a meetup",
    "a first sales hire",
    "an internship in systems programming",
    "co-investors for small rounds",
    "advice on engineering ladders",
    "volunteers with data skills",
    "new clients for design work",
];
const OFFERS: &[&str] = &[
    "senior Rust engineer open to new roles",
    "angel investing in climate tech",
    "mentoring new engineering managers",
    "freelance mobile UX design",
    "short-term flats in Berlin",
    "talks about open source",
    "B2B sales experience",
    "internships in systems programming",
    "intros to investors",
    "coaching on engineering ladders",
    "data analysis for NGOs",
    "product design critiques",
];
/// Common words first: their rank drives a Zipf-like frequency.
const WORDS: &[&str] = &[
    "the",
    "and",
    "to",
    "of",
    "a",
    "in",
    "we",
    "she",
    "he",
    "about",
    "it",
    "for",
    "that",
    "was",
    "with",
    "is",
    "on",
    "they",
    "talked",
    "her",
    "his",
    "team",
    "new",
    "work",
    "project",
    "idea",
    "week",
    "coffee",
    "lunch",
    "call",
    "plan",
    "help",
    "hiring",
    "startup",
    "funding",
    "product",
    "design",
    "engineering",
    "manager",
    "career",
    "move",
    "city",
    "family",
    "book",
    "article",
    "conference",
    "meetup",
    "talk",
    "travel",
    "advice",
    "feedback",
    "launch",
    "customers",
    "investors",
    "round",
    "seed",
    "mentor",
    "mentoring",
    "interviews",
    "structured",
    "remote",
    "office",
    "burnout",
    "holiday",
    "kids",
    "garden",
    "bread",
    "boat",
    "climbing",
    "running",
    "music",
    "concert",
    "podcast",
    "research",
    "paper",
    "student",
    "lab",
    "data",
    "model",
    "rust",
    "compiler",
    "database",
    "storage",
    "battery",
    "grid",
    "heat",
    "pump",
    "roof",
    "bike",
    "train",
    "move",
    "promotion",
    "ladder",
    "salary",
    "contract",
    "freelance",
    "client",
    "agency",
    "studio",
    "gallery",
    "photo",
    "recipe",
    "restaurant",
    "wine",
    "cheese",
    "market",
    "weekend",
    "summer",
    "winter",
    "autumn",
    "spring",
    "sailing",
    "regatta",
    "chess",
    "tournament",
    "marathon",
    "yoga",
    "retreat",
    "workshop",
    "hackathon",
    "volunteer",
    "campaign",
    "policy",
    "election",
    "housing",
    "rent",
    "flat",
    "neighbour",
    "dog",
    "cat",
    "wedding",
    "birthday",
    "parents",
    "sister",
    "brother",
    "partner",
    "baby",
    "school",
    "university",
    "exam",
];

fn person_name(rng: &mut Rng, i: usize) -> String {
    // Deterministic and unique: a first and last name, with a number when needed.
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len()) % LAST.len()];
    let round = i / (FIRST.len() * LAST.len());
    let _ = rng;
    if round == 0 {
        format!("{first} {last}")
    } else {
        format!("{first} {last} {}", round + 1)
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.to_lowercase().chars() {
        let c = match c {
            'ä' | 'á' | 'à' => 'a',
            'ö' | 'ó' => 'o',
            'ü' | 'ú' => 'u',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' => 'i',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        };
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

fn date(day: usize) -> String {
    // Days back from 2026-11-22, clamped to 2020.
    let base = 2026 * 372 + 10 * 31 + 21;
    let d = base - day.min(6 * 372);
    let (y, rest) = (d / 372, d % 372);
    let (m, dd) = (rest / 31 + 1, rest % 31 + 1);
    let dd = dd.min(28);
    format!("{y:04}-{m:02}-{dd:02}")
}

fn words(rng: &mut Rng, n: usize, out: &mut String) {
    for k in 0..n {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[rng.zipf(WORDS.len())]);
    }
}

fn entries_count(rng: &mut Rng) -> usize {
    let p = rng.below(1000);
    if p < 600 {
        rng.below(6)
    } else if p < 900 {
        6 + rng.below(15)
    } else if p < 990 {
        21 + rng.below(80)
    } else {
        100 + rng.below(300)
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut people = 1000usize;
    let mut seed = 7u64;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--people" => people = args.next().and_then(|v| v.parse().ok()).unwrap_or(people),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: gen_vault DIR --people N [--seed S]");
        std::process::exit(2);
    };
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    for sub in ["people", "events", "journal", ".kith"] {
        fs::create_dir_all(dir.join(sub)).expect("create vault folders");
    }
    let names: Vec<String> = (0..people).map(|i| person_name(&mut rng, i)).collect();
    let events: Vec<String> = (0..people / 50 + 1)
        .map(|i| format!("Event {i} {}", CITIES[i % CITIES.len()]))
        .collect();
    let mut total_entries = 0;
    let mut bytes = 0usize;
    for name in &names {
        let mut s = String::with_capacity(2048);
        let _ = writeln!(s, "---\nname: {name}");
        let _ = writeln!(s, "emails: [{}@example.com]", slug(name).replace('-', "."));
        let _ = writeln!(
            s,
            "org: {}\nrole: {}\nlocation: {}",
            rng.pick(ORGS),
            rng.pick(ROLES),
            rng.pick(CITIES)
        );
        let t1 = rng.pick(TOPICS);
        let t2 = TOPICS[rng.zipf(TOPICS.len())];
        let _ = writeln!(s, "tags: [{}]", slug(t1));
        let _ = writeln!(s, "interests: [{t1}, {t2}]");
        let _ = writeln!(s, "values: [{}]", rng.pick(VALUES));
        if rng.chance(0.4) {
            let _ = writeln!(s, "needs:\n  - {}", rng.pick(NEEDS));
        }
        if rng.chance(0.4) {
            let _ = writeln!(s, "offers:\n  - {}", rng.pick(OFFERS));
        }
        let circle = [
            "close",
            "active",
            "active",
            "acquaintance",
            "acquaintance",
            "acquaintance",
            "dormant",
        ][rng.below(7)];
        let _ = writeln!(s, "circle: {circle}");
        if rng.chance(0.2) {
            let _ = writeln!(s, "cadence: {}w", 2 + rng.below(10));
        }
        if rng.chance(0.5) {
            let _ = writeln!(
                s,
                "birthday: --{:02}-{:02}",
                1 + rng.below(12),
                1 + rng.below(28)
            );
        }
        if rng.chance(0.3) {
            let ev = &events[rng.below(events.len())];
            let _ = writeln!(
                s,
                "met: {{date: {}, event: \"[[{ev}]]\"}}",
                date(rng.below(400))
            );
        }
        s.push_str("---\n\n");
        let friend = &names[rng.below(names.len())];
        s.push_str("Met through work. ");
        let n = 15 + rng.below(20);
        words(&mut rng, n, &mut s);
        let _ = writeln!(s, " Knows [[{friend}]].\n\n## Log\n");
        let n = entries_count(&mut rng);
        total_entries += n;
        let mut day: usize = 2000;
        for _ in 0..n {
            day = day.saturating_sub(1 + rng.below(30));
            let _ = write!(s, "### {} · ", date(day));
            words(&mut rng, 3, &mut s);
            s.push_str("\n\n");
            let n = 50 + rng.below(40);
            words(&mut rng, n, &mut s);
            if rng.chance(0.2) {
                let other = &names[rng.below(names.len())];
                let _ = write!(s, " Mentioned [[{other}]].");
            }
            if rng.chance(0.1) {
                s.push_str(" #gave");
            }
            s.push_str("\n\n");
            if rng.chance(0.05) {
                let _ = writeln!(
                    s,
                    "- [ ] send the {} 📅 {}\n",
                    WORDS[rng.zipf(WORDS.len())],
                    date(rng.below(60))
                );
            }
        }
        bytes += s.len();
        write(&dir.join("people").join(format!("{}.md", slug(name))), &s);
    }
    for (i, ev) in events.iter().enumerate() {
        let mut s = format!(
            "---\nname: {ev}\ndate: {}\nlocation: {}\nattendees:\n",
            date(rng.below(420)),
            CITIES[i % CITIES.len()]
        );
        for _ in 0..5 {
            let _ = writeln!(s, "  - \"[[{}]]\"", names[rng.below(names.len())]);
        }
        s.push_str("---\n\n");
        words(&mut rng, 60, &mut s);
        s.push('\n');
        bytes += s.len();
        write(&dir.join("events").join(format!("{}.md", slug(ev))), &s);
    }
    for j in 0..people / 10 + 1 {
        let mut s = String::new();
        words(&mut rng, 40, &mut s);
        let _ = writeln!(s, " Coffee with [[{}]].", names[rng.below(names.len())]);
        if rng.chance(0.2) {
            let _ = writeln!(
                s,
                "\n- [ ] introduce [[{}]] to someone",
                names[rng.below(names.len())]
            );
        }
        bytes += s.len();
        write(
            &dir.join("journal")
                .join(format!("{} {j}.md", date(j % 2000))),
            &s,
        );
    }
    println!(
        "{} people, {} log entries (mean {:.1}), {} events, {} journal notes, {:.1} MB in {}",
        people,
        total_entries,
        total_entries as f64 / people.max(1) as f64,
        events.len(),
        people / 10 + 1,
        bytes as f64 / 1e6,
        dir.display()
    );
}

fn write(p: &Path, s: &str) {
    fs::write(p, s).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
}
