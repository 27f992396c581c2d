//! The tables against the walk's own draws, branch by branch.

use super::super::Choice;
use super::*;
use rand::SeedableRng;
use std::collections::BTreeMap;

/// (target, time in microseconds) → chance.
type Law = BTreeMap<(u32, i64), f64>;

fn add(law: &mut Law, to: u32, dt: f64, p: f64) {
    *law.entry((to, (dt * 1e6).round() as i64)).or_default() += p;
}

/// The walk's draws followed one by one, every branch of every draw
/// (as `engine/walk.rs` makes them), through the nodes a table passes:
/// the law the tables must have, found without them.
fn brute(steps: &[Step], d: &[f64], n: u32, p: f64, t: f64, law: &mut Law) {
    let passes = |n: u32| n != END && matches!(steps[n as usize], Step::Prompt { .. } | Step::Ask { .. });
    if !passes(n) {
        add(law, n, t, p);
        return;
    }
    let dur = d[n as usize];
    match &steps[n as usize] {
        Step::Prompt { next } => brute(steps, d, *next, p, t + dur, law),
        Step::Ask {
            choices,
            timeout,
            retries,
            no_input,
            invalid,
            on_fail,
            understood,
            on_misunderstood,
        } => {
            // Hearing `a` at time `t` with chance `p`.
            fn hear(a: u32, p: f64, t: f64, x: &Hearing, law: &mut Law, go: &mut dyn FnMut(u32, f64, f64, &mut Law)) {
                if a > x.retries {
                    go(x.on_fail, p, t, law);
                    return;
                }
                let t = t + x.d;
                hear(a + 1, p * x.no_input, t + x.timeout, x, law, go);
                if x.invalid > 0.0 {
                    hear(a + 1, p * (1.0 - x.no_input) * x.invalid, t, x, law, go);
                }
                let p = p * (1.0 - x.no_input) * (1.0 - x.invalid.max(0.0));
                let mut below = 0.0;
                for c in x.choices {
                    let share = c.cum.min(1.0) - below;
                    below = c.cum.min(1.0);
                    // Request r is understood with `understood`.
                    let (mut q, mut t2) = (p * share, t);
                    let mut to = c.to;
                    for r in 0..c.insist {
                        if r > 0 {
                            t2 += x.d;
                        }
                        if x.understood < 1.0 {
                            go(x.on_misunderstood, q * (1.0 - x.understood), t2, law);
                            q *= x.understood;
                        }
                    }
                    if c.insist == 0 {
                        to = c.to;
                    }
                    go(to, q, t2, law);
                }
            }
            struct Hearing<'a> {
                choices: &'a [Choice],
                d: f64,
                timeout: f64,
                retries: u32,
                no_input: f64,
                invalid: f64,
                on_fail: u32,
                understood: f64,
                on_misunderstood: u32,
            }
            let x = Hearing {
                choices: &choices[0],
                d: dur,
                timeout: *timeout,
                retries: *retries,
                no_input: *no_input,
                invalid: *invalid,
                on_fail: *on_fail,
                understood: *understood,
                on_misunderstood: *on_misunderstood,
            };
            hear(0, p, t, &x, law, &mut |to, p, t, law| {
                if p > 0.0 {
                    brute(steps, d, to, p, t, law);
                }
            });
        }
        _ => unreachable!(),
    }
}

fn ask(choices: Vec<(f64, u32, u32)>, retries: u32, no_input: f64, invalid: f64, on_fail: u32) -> Step {
    let mut cum = 0.0;
    let mut table: Vec<Choice> = choices
        .into_iter()
        .map(|(share, to, insist)| {
            cum += share;
            Choice { cum, to, insist }
        })
        .collect();
    if let Some(last) = table.last_mut() {
        last.cum = f64::INFINITY;
    }
    Step::Ask {
        choices: vec![table],
        timeout: 5.0,
        retries,
        no_input,
        invalid,
        on_fail,
        understood: 1.0,
        on_misunderstood: END,
    }
}

/// A menu without loops: welcome → main (retries, silence, invalid
/// keys) → a sub-menu, a bot whose intents need two or three requests
/// (some misunderstood), or queue-like ends (nodes 6 and 7 stop a leg).
fn menu() -> (Vec<Step>, Vec<f64>) {
    let mut bot = ask(vec![(0.5, 6, 3), (0.3, 7, 2), (0.2, 6, 0)], 1, 0.1, 0.0, 7);
    if let Step::Ask {
        understood,
        on_misunderstood,
        ..
    } = &mut bot
    {
        *understood = 0.7;
        *on_misunderstood = 4;
    }
    let steps = vec![
        Step::Prompt { next: 1 },
        ask(
            vec![(0.35, 2, 0), (0.15, 3, 0), (0.3, 6, 0), (0.2, 7, 0)],
            2,
            0.03,
            0.02,
            7,
        ),
        ask(vec![(0.4, 6, 0), (0.6, 5, 0)], 0, 0.02, 0.0, END),
        bot,
        Step::Prompt { next: 6 },
        Step::Prompt { next: END },
        Step::Hangup,
        Step::Queue(0),
    ];
    let d = vec![9.0, 14.0, 10.0, 4.0, 3.0, 2.0, 0.0, 0.0];
    (steps, d)
}

fn table_law(s: &Stretches, node: u32) -> Law {
    let t = s.table(node, 0).expect("a table");
    let mut law = Law::new();
    for leg in &s.legs[t.first as usize..][..t.len as usize] {
        // The leg's chance: its share of its own column plus what other
        // columns send it.
        let n = f64::from(t.len);
        let own = leg.keep as f64 / 18_446_744_073_709_551_616.0;
        let mut p = own.min(1.0) / n;
        for other in &s.legs[t.first as usize..][..t.len as usize] {
            let i = (leg as *const Leg as usize - s.legs.as_ptr() as usize) / std::mem::size_of::<Leg>();
            if other.alias as usize + t.first as usize == i && !std::ptr::eq(other, leg) {
                p += (1.0 - (other.keep as f64 / 18_446_744_073_709_551_616.0).min(1.0)) / n;
            }
        }
        add(&mut law, leg.to, leg.dt, p);
    }
    law
}

fn assert_same(a: &Law, b: &Law) {
    let keys: std::collections::BTreeSet<_> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let (x, y) = (a.get(k).copied().unwrap_or(0.0), b.get(k).copied().unwrap_or(0.0));
        assert!((x - y).abs() < 1e-12, "{k:?}: tables {x}, walk {y}");
    }
}

/// The table from the entry is the walk's law: every end node and time
/// with the chance the draws one by one give it.
#[test]
fn tables_have_the_walks_law() {
    let (steps, d) = menu();
    let durations: Vec<Sampler> = d.iter().map(|&v| Sampler::Fixed(v)).collect();
    for start in [0, 1, 2, 3] {
        let s = Stretches::new(&steps, &durations, &[0; 8], 1, &[start]);
        let mut walk = Law::new();
        brute(&steps, &d, start, 1.0, 0.0, &mut walk);
        assert_same(&table_law(&s, start), &walk);
        let total: f64 = walk.values().sum();
        assert!((total - 1.0).abs() < 1e-12, "the walk's chances add up to {total}");
    }
    // A start on the other channel's side: the leg stops at the switch.
    let s = Stretches::new(&steps, &durations, &[0, 0, 1, 0, 0, 0, 0, 0], 1, &[0]);
    let law = table_law(&s, 0);
    assert!(
        law.keys().any(|&(to, _)| to == 2),
        "the leg ends where the channel changes"
    );
}

/// Drawn legs come as often as their chances (the alias columns).
#[test]
fn draws_follow_the_chances() {
    let (steps, d) = menu();
    let durations: Vec<Sampler> = d.iter().map(|&v| Sampler::Fixed(v)).collect();
    let s = Stretches::new(&steps, &durations, &[0; 8], 1, &[0]);
    let t = *s.table(0, 0).expect("a table");
    assert!(t.len > 20, "{} legs", t.len);
    let mut walk = Law::new();
    brute(&steps, &d, 0, 1.0, 0.0, &mut walk);
    let mut rng = Rng::seed_from_u64(3);
    let n = 2_000_000;
    let mut seen = Law::new();
    for _ in 0..n {
        let leg = s.draw(&t, &mut rng);
        add(&mut seen, leg.to, leg.dt, 1.0 / f64::from(n));
    }
    for (k, &p) in &walk {
        let f = seen.get(k).copied().unwrap_or(0.0);
        let sd = (p * (1.0 - p) / f64::from(n)).sqrt();
        assert!((f - p).abs() <= 5.0 * sd + 1e-9, "{k:?}: drawn {f}, chance {p}");
    }
}

/// A loop back into the menu (a failed sub-menu returns to the main
/// one) fills the table: the likeliest ways are listed, the rest end
/// where they are, and the walk goes on from there with that node's
/// table; the chances still add up to one.
#[test]
fn loops_end_legs_where_the_table_is_full() {
    let (mut steps, d) = menu();
    steps[2] = ask(vec![(0.4, 6, 0), (0.6, 5, 0)], 1, 0.3, 0.2, 1);
    let durations: Vec<Sampler> = d.iter().map(|&v| Sampler::Fixed(v)).collect();
    let s = Stretches::new(&steps, &durations, &[0; 8], 1, &[0]);
    let t = s.table(0, 0).expect("a table");
    assert!(t.len as usize <= MAX_LEGS);
    let law = table_law(&s, 0);
    let total: f64 = law.values().sum();
    assert!((total - 1.0).abs() < 1e-9, "chances add up to {total}");
    // Some legs stop inside the loop; those nodes have tables.
    let inside: Vec<u32> = law
        .keys()
        .map(|k| k.0)
        .filter(|&to| to == 1 || to == 2 || to == 3)
        .collect();
    assert!(!inside.is_empty(), "the loop is cut somewhere");
    for to in inside {
        assert!(s.table(to, 0).is_some(), "node {to} has a table");
    }
}

/// A chain of prompts has one way: no draw is taken.
#[test]
fn one_way_takes_no_draw() {
    let steps = vec![Step::Prompt { next: 1 }, Step::Prompt { next: 2 }, Step::Hangup];
    let durations = vec![Sampler::Fixed(3.0), Sampler::Fixed(4.0), Sampler::Fixed(0.0)];
    let s = Stretches::new(&steps, &durations, &[0; 3], 1, &[0]);
    let t = *s.table(0, 0).expect("a table");
    let mut rng = Rng::seed_from_u64(1);
    let before = rng.clone();
    let leg = s.draw(&t, &mut rng);
    assert_eq!((leg.to, leg.dt, leg.steps), (2, 7.0, 2));
    assert_eq!(s.visits(leg), &[0, 1]);
    assert_eq!(rng, before, "no draw");
}
