//! The fast path (the FCFS recursion) against the event engine: on random
//! menus it may take, both give the same replication — counts exactly,
//! sums and time integrals to rounding — because both draw the same
//! stream in the same order.

use hotline::input::load_str;
use hotline::sim::engine::{Engine, RepResult, RunSettings};
use hotline::sim::{SimOptions, setup};
use rand::rngs::Xoshiro256PlusPlus as Rng;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

/// A random menu the fast path takes: one or two pools (constant seats or
/// a schedule with shifts to zero), one to three queues, a walk of
/// random length or none, patience of several kinds or none, `max_wait`
/// to a hangup, segments, warm-up and runs over a day.
fn random_menu(r: &mut Rng) -> String {
    let pools = r.random_range(1..=2usize);
    let queues = r.random_range(1..=3usize);
    let mut y = String::from("hotline: Random\n");
    let walk = r.random_range(0..3u32);
    y += match walk {
        0 => "entry: q0\n",
        1 => "entry: main\n",
        _ => "entry: hello\n",
    };
    y += "nodes:\n";
    if walk == 2 {
        let d = ["4s", "exp(mean=5s)", "uniform(1s, 9s)"][r.random_range(0..3usize)];
        y += &format!("  hello: {{ kind: prompt, say: Hello, duration: \"{d}\", next: main }}\n");
    }
    if walk > 0 {
        let d = ["10s", "exp(mean=8s)", "\"lognormal(mean=12s, sd=4s)\""][r.random_range(0..3usize)];
        y += &format!(
            "  main:\n    kind: menu\n    duration: {d}\n    no_input: 0.05\n    on_fail: bye\n    options:\n"
        );
        for q in 0..queues {
            y += &format!("      \"{}\": {{ to: q{q} }}\n", q + 1);
        }
        y += "      \"9\": { to: bye, share: 0.1 }\n";
    }
    for q in 0..queues {
        let pool = q % pools;
        y += &format!("  q{q}:\n    kind: queue\n    pool: p{pool}\n");
        if r.random_bool(0.3) {
            let to = if r.random_bool(0.5) {
                "\n    on_max_wait: bye"
            } else {
                ""
            };
            y += &format!("    max_wait: {}s{to}\n", r.random_range(20..200u32));
        }
    }
    y += "  bye: { kind: hangup }\n";
    y += "agents:\n";
    let mut seats_total = 0.0;
    let mut handle_mean = 0.0;
    for p in 0..pools {
        let seats = r.random_range(1..=12u32);
        seats_total += f64::from(seats);
        let mean = r.random_range(60..300u32);
        handle_mean += f64::from(mean) / pools as f64;
        let handle = match r.random_range(0..4u32) {
            0 => format!("exp(mean={mean}s)"),
            1 => format!("{mean}s"),
            2 => format!("\"lognormal(mean={mean}s, sd={}s)\"", mean / 2),
            _ => format!("\"uniform({}s, {}s)\"", mean / 2, mean * 3 / 2),
        };
        y += &format!("  p{p}:\n    seats: {seats}\n    handle_time: {handle}\n");
        if r.random_bool(0.3) {
            let (a, b) = (r.random_range(0..12u32), r.random_range(12..24u32));
            y += &format!(
                "    schedule: [ {{ from: \"{a:02}:00\", seats: {} }}, {{ from: \"{b:02}:30\", seats: {} }} ]\n",
                r.random_range(0..=seats + 3),
                r.random_range(0..=seats)
            );
        }
    }
    let patience = r.random_range(0..4u32);
    // Loads from light to over the seats, which only impatient callers
    // keep finite.
    let load = if patience == 0 {
        r.random_range(0.3..0.9)
    } else {
        r.random_range(0.3..1.4)
    };
    let rate = load * seats_total / handle_mean * 3600.0;
    y += &format!("callers:\n  arrivals: {rate:.3}/h\n");
    match patience {
        0 => {}
        1 => y += "  patience: exp(mean=2m)\n",
        2 => y += "  patience: 45s\n",
        _ => {
            y += "  patience: \"gamma(mean=90s, sd=40s)\"\n";
            y += "  segments:\n    old: { share: 0.3, patience: 5m }\n    busy: { share: 0.2, patience: 20s }\n";
        }
    }
    let hours = r.random_range(1..30u32);
    let warmup = r.random_range(0..90u32);
    let start = r.random_range(0..24u32);
    y += &format!(
        "simulation: {{ start: \"{start:02}:15\", duration: {hours}h, warmup: {warmup}m, replications: 2, seed: 3 }}\n"
    );
    y
}

/// Compares two JSON trees: integers exactly, other numbers to a relative
/// 1e-9 (sums taken in another order).
fn same(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x.is_u64() && y.is_u64() {
                return if x == y {
                    Ok(())
                } else {
                    Err(format!("{path}: {x} against {y}"))
                };
            }
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0) {
                Ok(())
            } else {
                Err(format!("{path}: {x} against {y}"))
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (x, y))| same(x, y, &format!("{path}[{i}]"))),
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => x.iter().try_for_each(|(k, v)| {
            if k == "atoms" {
                // Point masses are kept in the order they were first met.
                return same(&sorted(v), &sorted(&y[k]), &format!("{path}.{k}"));
            }
            same(v, &y[k], &format!("{path}.{k}"))
        }),
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} against {b}")),
    }
}

fn sorted(v: &Value) -> Value {
    let mut items = v.as_array().cloned().unwrap_or_default();
    items.sort_by(|a, b| {
        a[0].as_f64()
            .partial_cmp(&b[0].as_f64())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Value::Array(items)
}

fn json(r: &RepResult) -> Value {
    serde_json::to_value(r).expect("a replication serializes")
}

/// The plan and settings of a menu (with 30-minute staffing intervals
/// when `intervals`).
fn plan_of(text: &str, intervals: bool) -> (hotline::sim::plan::Plan, RunSettings) {
    let loaded = load_str(text, "random.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}\n{text}", loaded.render());
    let h = loaded.hotline.expect("the menu loads");
    let mut o = SimOptions::from_menu(&h);
    if intervals {
        o.interval = 1800.0;
    }
    setup(&h, &o).expect("the menu runs")
}

/// Runs replication `seed` on both engines: where they differ, or the
/// callers measured.
fn both_engines(plan: &hotline::sim::plan::Plan, s: RunSettings, seed: u64) -> Result<u64, String> {
    let a = Engine::new(plan, s, seed).run().expect("the fast path runs");
    let b = Engine::new(plan, s, seed).events_only().run().expect("the events run");
    same(&json(&a), &json(&b), "")?;
    Ok(a.callers.callers)
}

#[test]
fn the_fast_path_gives_the_event_engines_replication_on_random_menus() {
    let mut r = Rng::seed_from_u64(2026);
    let cases = if std::env::var_os("CI").is_some() { 60 } else { 200 };
    let mut fast = 0;
    for case in 0..cases {
        let text = random_menu(&mut r);
        let (plan, s) = plan_of(&text, case % 2 == 1);
        for seed in [case as u64, 1000 + case as u64] {
            fast += usize::from(Engine::new(&plan, s, seed).fast_path());
            let callers = both_engines(&plan, s, seed)
                .unwrap_or_else(|e| panic!("case {case}, seed {seed}: the fast path differs at {e}\n{text}"));
            assert!(callers > 0, "case {case}: no caller\n{text}");
        }
    }
    assert_eq!(fast, 2 * cases, "every random menu takes the fast path");
}

#[test]
fn menus_the_fast_path_cannot_take_run_event_by_event() {
    for (name, fast) in [
        ("benches/erlang_a_reference.yaml", true),
        ("examples/canon.yaml", true),
        ("tests/data/day_profile.yaml", true),
        ("menus/bank.yaml", false),
        ("menus/ecommerce_chat.yaml", false),
        ("menus/mobile_operator_zh.yaml", false),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
        let text = std::fs::read_to_string(&path).expect("the menu is in the repository");
        let h = load_str(&text, name, &Default::default())
            .hotline
            .expect("the menu loads");
        let (plan, s) = setup(&h, &SimOptions::from_menu(&h)).expect("the menu runs");
        assert_eq!(Engine::new(&plan, s, 1).fast_path(), fast, "{name}");
        assert!(
            !Engine::logged(&plan, s, 1).fast_path(),
            "{name}: a logged run keeps its events"
        );
    }
}

#[test]
fn an_overloaded_queue_stops_the_fast_path_as_it_stops_the_events() {
    for entry in ["q", "hello"] {
        let text = format!(
            "hotline: Overloaded\nentry: {entry}\nnodes:\n  hello: {{ kind: prompt, duration: exp(mean=5s), next: q }}\n\
             \x20 q: {{ kind: queue, pool: desk }}\nagents:\n  desk: {{ seats: 2, handle_time: exp(mean=2m) }}\n\
             callers:\n  arrivals: 120/h\nsimulation: {{ duration: 8h }}\n"
        );
        let h = load_str(&text, "over.yaml", &Default::default())
            .hotline
            .expect("the menu loads");
        let mut o = SimOptions::from_menu(&h);
        o.max_in_system = 300;
        let (plan, s) = setup(&h, &o).expect("the menu runs");
        let fast = Engine::new(&plan, s, 5);
        assert!(fast.fast_path());
        let a = fast.run().map(|_| ()).expect_err("the line grows past 300");
        let b = Engine::new(&plan, s, 5)
            .events_only()
            .run()
            .map(|_| ())
            .expect_err("the line grows past 300");
        assert_eq!(a.to_string(), b.to_string(), "entry {entry}");
        assert!(a.to_string().contains("more than 300 callers"), "{a}");
    }
}

/// A menu whose entry is a queue, with the patience, handle time, arrival
/// profile and day-to-day variation given: the fast path draws the
/// standard exponentials of such a menu ahead in blocks (`fcfs/draws.rs`)
/// when every draw is one, and one by one otherwise.
fn direct_menu(patience: &str, handle: &str, extra_queue: &str, arrivals: &str, seats: u32) -> String {
    format!(
        "hotline: 直线\nentry: 排队\nnodes:\n  排队:\n    kind: queue\n    pool: 坐席\n{extra_queue}  bye: {{ kind: hangup }}\n\
         agents:\n  坐席:\n    seats: {seats}\n    handle_time: {handle}\n    schedule: [ {{ from: \"08:00\", seats: {seats} }}, {{ from: \"20:00\", seats: {} }} ]\n\
         callers:\n  arrivals: {arrivals}\n{patience}\
         simulation: {{ start: \"06:00\", duration: 30h, warmup: 1h, replications: 2, seed: 4 }}\n",
        seats / 2
    )
}

#[test]
fn a_queue_at_the_entry_gives_the_event_engines_replication_whatever_it_draws() {
    let patiences = [
        "",
        "  patience: exp(mean=3m)\n",
        "  patience: 70s\n",
        "  patience: \"gamma(mean=90s, sd=40s)\"\n",
        "  patience: exp(mean=2m)\n  segments:\n    old: { share: 0.3, patience: 5m }\n",
        "  patience: exp(mean=2m)\n  rate_variation: 0.2\n",
    ];
    let handles = ["exp(mean=4m)", "3m", "\"lognormal(mean=4m, sd=2m)\""];
    let waits = ["", "    max_wait: 100s\n", "    max_wait: 100s\n    on_max_wait: bye\n"];
    let arrivals = [
        "130/h",
        "[ { from: \"07:00\", rate: 60/h }, { from: \"12:00\", rate: 150/h }, { from: \"19:00\", rate: 30/h } ]",
    ];
    let mut case = 0;
    for patience in patiences {
        for handle in handles {
            for wait in waits {
                for arrival in arrivals {
                    case += 1;
                    let text = direct_menu(patience, handle, wait, arrival, 10);
                    let (plan, s) = plan_of(&text, case % 2 == 0);
                    assert!(Engine::new(&plan, s, case).fast_path(), "{text}");
                    let callers = both_engines(&plan, s, case)
                        .unwrap_or_else(|e| panic!("case {case}: the fast path differs at {e}\n{text}"));
                    assert!(callers > 1000, "case {case}: {callers}\n{text}");
                }
            }
        }
    }
}
