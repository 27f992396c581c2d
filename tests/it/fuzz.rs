//! A million generated documents thrown at the loader and at `check`'s
//! rendering (mutated sample menus and random YAML), asserting no panic.
//! Set HOTLINE_FUZZ_CASES for a longer campaign.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use hotline::input::load_str;
use hotline::menu::LoadOptions;
use rayon::prelude::*;

/// A small deterministic generator (SplitMix64).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    ":",
    " ",
    "\n",
    "  ",
    "-",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "&a",
    "*a",
    "#",
    "!!str",
    "|",
    ">",
    "~",
    "null",
    "0",
    "-1",
    "1e308",
    ".nan",
    "3s",
    "2m",
    "exp(mean=",
    ")",
    "300/h",
    "0/h",
    "kind",
    "menu",
    "queue",
    "to",
    "share",
    "0.5",
    "options",
    "next",
    "pool",
    "hotline",
    "entry",
    "nodes",
    "agents",
    "callers",
    "segments",
    "by_segment",
    "insist",
    "08:00",
    "25:00",
    "示例",
    "\t",
    "\u{feff}",
];

/// Pieces of vendor flows (JSON keys, XML tags, Archy keys).
const VENDOR_TOKENS: &[&str] = &[
    "\"NextAction\": \"",
    "\"next\": \"",
    "\"Conditions\": [",
    "\"transitions\": [",
    "${X}",
    "{{widgets.x.Digits}}",
    "<goto next=\"#",
    "</",
    "/>",
    "<choice dtmf=\"",
    "<field name=\"f\">",
    "dtmf: digit_",
    "targetMenuRef: \"/inboundCall/menus/menu[",
    "outputs:",
    "actions:",
    "null",
    "[]",
    "{}",
];

fn mutate(g: &mut Gen, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..=g.below(4) {
        if s.is_empty() {
            break;
        }
        let at = g.below(s.len());
        match g.below(6) {
            0 => {
                s.remove(at);
            }
            1 => s.insert(at, char::from_u32(g.below(0x3000) as u32).unwrap_or('x')),
            2 => {
                let token = if g.below(3) == 0 {
                    VENDOR_TOKENS[g.below(VENDOR_TOKENS.len())]
                } else {
                    TOKENS[g.below(TOKENS.len())]
                };
                for (i, c) in token.chars().enumerate() {
                    s.insert((at + i).min(s.len()), c);
                }
            }
            3 => {
                // Swap two lines.
                let text: String = s.iter().collect();
                let mut lines: Vec<&str> = text.lines().collect();
                if lines.len() > 2 {
                    let (a, b) = (g.below(lines.len()), g.below(lines.len()));
                    lines.swap(a, b);
                }
                s = lines.join("\n").chars().collect();
            }
            4 => {
                let end = (at + g.below(40)).min(s.len());
                s.drain(at..end);
            }
            _ => {
                let end = (at + g.below(30)).min(s.len());
                let piece: Vec<char> = s[at..end].to_vec();
                let to = g.below(s.len());
                for (i, c) in piece.into_iter().enumerate() {
                    s.insert((to + i).min(s.len()), c);
                }
            }
        }
    }
    s.into_iter().collect()
}

/// Documents of the shapes an adversarial review found slow or unsafe:
/// long runs of unclosed `(`, many unknown targets, control and invisible
/// characters in names and ids.
fn hostile(g: &mut Gen) -> String {
    match g.below(3) {
        0 => {
            let n = 1 + g.below(400);
            if g.below(2) == 0 {
                format!("hotline: X\nlist:\n{}", "  - (\n".repeat(n))
            } else {
                format!("a: {{ b: {} }}\n", "x(, ".repeat(n))
            }
        }
        1 => {
            let mut t = String::from(
                "hotline: X\nentry: m\nnodes:\n  m: { kind: menu, options: { \"1\": { to: q } } }\n  q: { kind: queue, pool: d }\n",
            );
            for i in 0..1 + g.below(300) {
                t.push_str(&format!("  p{i}: {{ kind: prompt, next: p{}x }}\n", g.below(1000)));
            }
            t + "agents:\n  d: { seats: 1, handle_time: 1m }\n"
        }
        _ => {
            let c = [0x1b, 0x202e, 0x200b, 0x7, 0xd, 0x85, 0x301, 0x0][g.below(8)];
            let e = format!("\\u{c:04x}");
            format!(
                "hotline: \"X{e}Y\"\nentry: \"q{e}\"\nnodes:\n  \"q{e}\": {{ kind: queue, pool: d, label: \"a{e}\" }}\n  q: {{ kind: hangup }}\nagents:\n  d: {{ seats: 1, handle_time: 1m }}\n"
            )
        }
    }
}

fn random_yaml(g: &mut Gen) -> String {
    (0..g.below(60)).map(|_| TOKENS[g.below(TOKENS.len())]).collect()
}

#[test]
fn a_million_generated_documents_never_panic() {
    let cases: usize = std::env::var("HOTLINE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
    let mut seeds: Vec<String> = Vec::new();
    for dir in [root.clone(), root.join("bad")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                seeds.push(std::fs::read_to_string(p).unwrap());
            }
        }
    }
    seeds.sort();
    // Small menus mutate faster: most cases use the small bad/ menus.
    let small: Vec<&String> = seeds.iter().filter(|s| s.len() < 2000).collect();
    let options = LoadOptions::default();
    let chunks = 64;
    let per = cases.div_ceil(chunks);
    let loaded: usize = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut g = Gen(chunk as u64 * 7919 + 1);
            let mut ok = 0;
            for i in 0..per.min(cases.saturating_sub(chunk * per)) {
                let doc = match i % 10 {
                    0 => random_yaml(&mut g),
                    9 if i % 100 == 9 => hostile(&mut g),
                    1 => {
                        let seed = &seeds[g.below(seeds.len())];
                        mutate(&mut g, seed)
                    }
                    _ => {
                        let seed = small[g.below(small.len())];
                        mutate(&mut g, seed)
                    }
                };
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let l = load_str(&doc, "fuzz.yaml", &options);
                    let _ = hotline::escape::terminal(&l.render());
                    if let Some(h) = &l.hotline {
                        let _ = hotline::analysis::analyze(h, &Default::default());
                    }
                    l.hotline.is_some()
                }));
                match result {
                    Ok(true) => ok += 1,
                    Ok(false) => {}
                    Err(_) => panic!("panic on generated document:\n{doc}"),
                }
            }
            ok
        })
        .sum();
    eprintln!("{cases} documents, {loaded} of them valid menus");
    assert!(loaded > 0, "some mutations stay valid");
}

#[test]
fn mutated_vendor_flows_never_panic() {
    // Amazon Connect, Twilio Studio, Archy YAML and VoiceXML flows, mutated:
    // every reader, the import, the loader, the analysis and the rendering.
    let cases: usize = std::env::var("HOTLINE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(30_000, |n| n / 10);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/flows");
    let mut seeds: Vec<String> = Vec::new();
    for dir in [root.clone(), root.join("public")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() && p.extension().is_none_or(|x| x != "md") {
                seeds.push(std::fs::read_to_string(p).unwrap());
            }
        }
    }
    seeds.sort();
    // And the constructs of real public flows the readers once got wrong.
    seeds.extend(crate::flows::constructs());
    assert!(seeds.len() >= 15);
    let options = LoadOptions::default();
    let chunks = 32;
    let per = cases.div_ceil(chunks);
    let loaded: usize = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut g = Gen(chunk as u64 * 104_729 + 7);
            let mut ok = 0;
            for _ in 0..per.min(cases.saturating_sub(chunk * per)) {
                let seed = &seeds[g.below(seeds.len())];
                let doc = mutate(&mut g, seed);
                let result = catch_unwind(AssertUnwindSafe(|| {
                    let l = load_str(&doc, "fuzz.json", &options);
                    let _ = hotline::escape::terminal(&l.render());
                    if let Some(h) = &l.hotline {
                        let _ = hotline::analysis::analyze(h, &Default::default());
                    }
                    if let Some(v) = hotline::input::flows::detect(&doc)
                        && let Ok(i) = hotline::input::flows::import(v, &doc, "fuzz.json")
                    {
                        // What import writes always loads.
                        let back = load_str(&i.yaml, "imported.yaml", &options);
                        assert!(!back.has_errors(), "{}", back.render());
                    }
                    l.hotline.is_some()
                }));
                match result {
                    Ok(true) => ok += 1,
                    Ok(false) => {}
                    Err(_) => panic!("panic on a mutated flow:\n{doc}"),
                }
            }
            ok
        })
        .sum();
    eprintln!("{cases} mutated flows, {loaded} of them loaded");
    assert!(loaded > 0);
}

/// Every value of a JSON tree, by path, so one can be picked at random.
fn json_paths(v: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                at.push(k.clone());
                json_paths(x, at, out);
                at.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate().take(4) {
                at.push(i.to_string());
                json_paths(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn json_at<'a>(v: &'a mut serde_json::Value, path: &[String]) -> Option<&'a mut serde_json::Value> {
    path.iter().try_fold(v, |v, k| match v {
        serde_json::Value::Array(a) => a.get_mut(k.parse::<usize>().ok()?),
        serde_json::Value::Object(m) => m.get_mut(k.as_str()),
        _ => None,
    })
}

#[test]
fn forged_partial_files_never_panic() {
    // Partial files of a simulation, a survey and a sweep, with values
    // replaced by extremes, lists lengthened, shortened or emptied and
    // fields removed: merging refuses them or folds them, never panics.
    use hotline::shard::{self, Job};
    let cases: usize = std::env::var("HOTLINE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(3_000, |n| n / 100);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("hotline-fuzz-partials-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root.join("menus/ecommerce_chat.yaml")).unwrap();
    let h = load_str(&text, "chat.yaml", &LoadOptions::default()).hotline.unwrap();
    let mut o = hotline::sim::SimOptions::from_menu(&h);
    o.replications = 4;
    let results = hotline::sim::simulate_range(&h, &o, 0..4, &|_, _, _| {}).unwrap();
    let head = hotline::sim::shard::SimHead::new("chat.yaml", &text, &o);
    let sim = shard::to_json::<hotline::sim::shard::SimJob>(&head, (0, 1), &results).unwrap();
    let seed: serde_json::Value = serde_json::from_slice(&sim).unwrap();
    let extremes = [
        serde_json::json!(u64::MAX),
        serde_json::json!(0),
        serde_json::json!(-1),
        serde_json::json!(1e300),
        serde_json::json!((1u64 << 40) + 1),
        serde_json::json!(4_000_000_000u64),
        serde_json::json!("x"),
        serde_json::json!(null),
        serde_json::json!([]),
    ];
    let mut paths = Vec::new();
    json_paths(&seed, &mut Vec::new(), &mut paths);
    let mut g = Gen(17);
    let mut refused = 0;
    for case in 0..cases {
        let mut v = seed.clone();
        for _ in 0..1 + g.below(3) {
            let p = &paths[g.below(paths.len())];
            let Some(at) = json_at(&mut v, p) else { continue };
            match (g.below(4), &mut *at) {
                (0, serde_json::Value::Array(a)) if !a.is_empty() => {
                    let x = a[g.below(a.len())].clone();
                    a.push(x);
                }
                (1, serde_json::Value::Array(a)) => {
                    a.pop();
                }
                (2, serde_json::Value::Object(m)) if !m.is_empty() => {
                    let k = m.keys().nth(g.below(m.len())).unwrap().clone();
                    m.shift_remove(&k);
                }
                _ => *at = extremes[g.below(extremes.len())].clone(),
            }
        }
        let file = dir.join(format!("p{}.json", case % 8));
        std::fs::write(&file, serde_json::to_vec(&v).unwrap()).unwrap();
        let merged = catch_unwind(AssertUnwindSafe(|| {
            let parts = shard::open::<hotline::sim::shard::SimJob>(&[file.as_path()], shard::MAX_BYTES)?;
            let l = load_str(&parts.head.menu.source, "m.yaml", &LoadOptions::default());
            let h = l.hotline.ok_or("menu")?;
            let o = parts.head.options(1);
            let mut fold = hotline::sim::Fold::new(&h, &o)?;
            parts.for_each::<hotline::sim::shard::SimJob>(&mut |r| fold.add(&r))?;
            fold.finish(&h, &o).map(|_| ())
        }));
        match merged {
            Err(_) => {
                let file = dir.join("panicked.json");
                std::fs::write(&file, serde_json::to_vec(&v).unwrap()).unwrap();
                panic!("panic on a forged partial file, kept in {}", file.display());
            }
            Ok(Err(_)) => refused += 1,
            Ok(Ok(())) => {}
        }
    }
    eprintln!("{cases} forged partial files, {refused} refused");
    assert!(
        refused > cases / 2 && refused < cases,
        "most forged files are refused, some harmless edits pass"
    );
    let _ = hotline::decisions::sweep::SweepJob::KIND;
    std::fs::remove_dir_all(&dir).ok();
}
