//! `hotline staff`: exact minima on single queues (Erlang C and A), a day
//! profile within one seat of each hour's stationary answer, a menu with
//! deflection and redials checked by simulating its plan, threads.

use crate::support::theory::{erlang_a_service_level, erlang_c};
use hotline::decisions::staff::{StaffOptions, Staffing, staff, with_schedules};
use hotline::input::load_str;
use hotline::menu::Hotline;
use hotline::menu::target::Target;
use hotline::sim::SimOptions;

fn menu(text: &str) -> Hotline {
    let loaded = load_str(text, "staff.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

fn run(h: &Hotline, targets: &[&str], threads: usize) -> Staffing {
    let mut sim = SimOptions::from_menu(h);
    sim.threads = threads;
    let o = StaffOptions {
        targets: targets.iter().map(|t| Target::parse(t).unwrap()).collect(),
        interval: 1800.0,
        confidence: 0.95,
        shrinkage: 0.0,
        sim,
        max_rounds: 60,
    };
    staff(h, &o).unwrap()
}

fn single(lambda_per_h: f64, patience_min: Option<f64>) -> Hotline {
    let patience = patience_min.map_or(String::new(), |p| format!("  patience: exp(mean={p}m)\n"));
    menu(&format!(
        "hotline: Q\nentry: q\nnodes:\n  q: {{ kind: queue, pool: desk }}\n\
         agents:\n  desk: {{ seats: 1, handle_time: exp(mean=3m) }}\n\
         callers:\n  arrivals: {lambda_per_h}/h\n{patience}\
         simulation: {{ start: \"08:00\", duration: 8h, warmup: 1h, replications: 30 }}\n"
    ))
}

/// The fewest servers whose Erlang A service level within `t` reaches `goal`.
fn analytic(lambda_per_h: f64, patience_min: Option<f64>, t: f64, goal: f64) -> u32 {
    let (l, mu) = (lambda_per_h / 3600.0, 1.0 / 180.0);
    (1..200)
        .find(|&c| match patience_min {
            None => f64::from(c) * mu > l && erlang_c(l, mu, c).service_level(t) >= goal,
            Some(p) => erlang_a_service_level(l, mu, c, 1.0 / (p * 60.0), t) >= goal,
        })
        .unwrap()
}

#[test]
fn single_queues_get_exactly_the_analytic_minimum() {
    // The canonical case and its boundary: 14 seats, 13 give 79.56%.
    assert_eq!(analytic(200.0, None, 20.0, 0.8), 14);
    assert_eq!(analytic(200.0, Some(5.0), 20.0, 0.8), 13);
    assert_eq!(analytic(200.0, Some(2.0), 20.0, 0.8), 12);
    for (lambda, patience, t, goal) in [
        (200.0, None, 20.0, 0.8),
        (200.0, Some(5.0), 20.0, 0.8),
        (200.0, Some(2.0), 20.0, 0.8),
        (120.0, None, 30.0, 0.9),
        (300.0, Some(3.0), 20.0, 0.8),
        (60.0, None, 60.0, 0.95),
    ] {
        let h = single(lambda, patience);
        let target = format!("service_level({t}s) >= {}%", goal * 100.0);
        let s = run(&h, &[&target], 0);
        assert_eq!(s.plan.len(), 1, "one interval for a constant model");
        let want = analytic(lambda, patience, t, goal);
        assert_eq!(
            s.plan[0].seats, want,
            "λ={lambda}/h, patience {patience:?}, {target}: {s:#?}"
        );
    }
}

#[test]
fn a_day_profile_is_within_one_seat_of_each_hours_stationary_answer() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/day_profile.yaml")).unwrap();
    let h = menu(&text);
    let s = run(&h, &["service_level(20s) >= 80%"], 0);
    let rates = [
        120.0, 200.0, 300.0, 260.0, 180.0, 240.0, 280.0, 220.0, 160.0, 120.0, 100.0, 80.0,
    ];
    for row in &s.plan {
        let hour = row.from[..2].parse::<usize>().unwrap() - 8;
        let (share, handle) = if row.pool == "sales" {
            (0.4, 240.0)
        } else {
            (0.6, 360.0)
        };
        let l = rates[hour] * share / 3600.0;
        let stationary = (1..200)
            .find(|&c| erlang_a_service_level(l, 1.0 / handle, c, 1.0 / 240.0, 20.0) >= 0.8)
            .unwrap();
        assert!(
            row.seats.abs_diff(stationary) <= 1,
            "{} {}: {} seats, stationary {stationary}",
            row.pool,
            row.from,
            row.seats
        );
    }
    assert_eq!(s.plan.len(), 2 * 24);
}

#[test]
fn a_plan_with_deflection_and_redials_holds_when_simulated_and_threads_do_not_matter() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/menus/ecommerce.yaml")).unwrap();
    let h = menu(&text);
    let s = run(&h, &["service_level(20s) >= 80%", "p_abandon <= 10%"], 1);
    let again = run(&h, &["service_level(20s) >= 80%", "p_abandon <= 10%"], 3);
    assert_eq!(
        serde_json::to_string(&s).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
    // The menu with the plan written in loads, and simulating it meets the
    // targets in every interval.
    let planned = with_schedules(&text, &h, &s).unwrap();
    let p = menu(&planned);
    assert_eq!(p.pools[0].schedule.len(), s.plan.len());
    let mut o = SimOptions::from_menu(&p);
    o.interval = 1800.0;
    o.seed = 99;
    let r = hotline::sim::simulate(&p, &o, &|_, _, _| {}).unwrap();
    for (i, row) in r.intervals.iter().enumerate() {
        let Some(sl) = row.metrics.get("service_level") else {
            continue;
        };
        assert!(sl.ci95[1] >= 0.8, "interval {i}: {sl:?}");
    }
    assert!(s.agent_hours > 0.0 && s.erlang_c_hours > 0.0);
}

#[test]
fn targets_are_read_and_refused_clearly() {
    let t = Target::parse("service_level(20s) >= 80%").unwrap();
    assert_eq!(t.to_string(), "service_level(20s) >= 80%");
    assert_eq!(Target::parse("mean_wait <= 1m").unwrap().value, 60.0);
    for bad in [
        "service_level >= 80%",
        "p_abandon >= 5%",
        "latency <= 3s",
        "occupancy <= 120%",
        "service_level(20s) 80%",
    ] {
        assert!(Target::parse(bad).is_err(), "{bad}");
    }
    let err = Target::parse("p_abandn <= 5%").unwrap_err();
    assert!(err.contains("did you mean \"p_abandon\""), "{err}");
}

use crate::support::hotline;

#[test]
fn the_command_prints_the_plan_writes_a_copy_and_never_the_input() {
    let out = hotline(&[
        "staff",
        "tests/data/day_profile.yaml",
        "--target",
        "service_level(20s) >= 80%",
        "--shrinkage",
        "25%",
        "--replications",
        "10",
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &v["plan"][0];
    assert_eq!(
        (row["pool"].as_str(), row["from"].as_str(), row["to"].as_str()),
        (Some("sales"), Some("08:00"), Some("08:30"))
    );
    let (seats, scheduled) = (row["seats"].as_u64().unwrap(), row["scheduled"].as_u64().unwrap());
    assert_eq!(scheduled, (seats as f64 / 0.75).ceil() as u64);

    let refused = hotline(&[
        "staff",
        "tests/data/day_profile.yaml",
        "--target",
        "p_abandon <= 5%",
        "--write",
        "tests/data/day_profile.yaml",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("never writes over its input"));

    let dir = std::env::temp_dir().join(format!("hotline-staff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let new = dir.join("planned.yaml");
    let report = dir.join("report");
    let out = hotline(&[
        "staff",
        "menus/bank.yaml",
        "--target",
        "service_level(20s) >= 80%",
        "--replications",
        "5",
        "-q",
        "--write",
        new.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let planned = std::fs::read_to_string(&new).unwrap();
    assert!(
        hotline::input::load_str(&planned, "planned.yaml", &Default::default())
            .hotline
            .is_some()
    );
    for f in ["index.html", "summary.json", "plan.csv"] {
        assert!(report.join(f).is_file(), "{f}");
    }
    // One interval (a constant model): the table, no empty plots.
    assert!(!report.join("seats.svg").exists());
    // Writing again refuses the existing file.
    let again = hotline(&[
        "staff",
        "menus/bank.yaml",
        "--target",
        "service_level(20s) >= 80%",
        "--replications",
        "5",
        "-q",
        "--write",
        new.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();

    let none = hotline(&["staff", "menus/bank.yaml"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no target"));
}

/// A single queue with `lambda` calls an hour, exponential handle times of
/// `handle` seconds and, optionally, exponential patience.
fn queue(lambda: f64, handle: f64, patience: Option<f64>) -> Hotline {
    let patience = patience.map_or(String::new(), |p| format!("  patience: exp(mean={p}s)\n"));
    menu(&format!(
        "hotline: Q\nentry: q\nnodes:\n  q: {{ kind: queue, pool: desk }}\n\
         agents:\n  desk: {{ seats: 1, handle_time: exp(mean={handle}s) }}\n\
         callers:\n  arrivals: {lambda}/h\n{patience}"
    ))
}

/// The exact minimum: Erlang C without patience, Erlang A with it.
fn exact(lambda: f64, handle: f64, patience: Option<f64>, t: f64, goal: f64) -> u32 {
    let (l, mu) = (lambda / 3600.0, 1.0 / handle);
    (1..2000)
        .find(|&c| match patience {
            None => f64::from(c) * mu > l && erlang_c(l, mu, c).service_level(t) >= goal,
            Some(p) => erlang_a_service_level(l, mu, c, 1.0 / p, t) >= goal,
        })
        .unwrap()
}

#[test]
fn accepted_plans_keep_their_stated_confidence_across_random_queues() {
    // Random single queues (loads of 2 to 80 erlangs, service levels of 70%
    // to 95% within 10 to 60 s, half of them with impatient callers): the
    // accepted plan must meet the exact target in at least 95% of cases,
    // and be more than one seat above the exact minimum in at most 10%.
    let cases: u64 = std::env::var("HOTLINE_STAFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut g = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = || {
        g ^= g << 13;
        g ^= g >> 7;
        g ^= g << 17;
        (g >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut missed, mut over, mut log) = (0, 0, Vec::new());
    for case in 0..cases {
        let handle = 120.0 + uniform() * 360.0;
        let load = 2.0 + uniform() * 78.0;
        let lambda = load / handle * 3600.0;
        let t = (10.0 + uniform() * 50.0).round();
        let goal = ((0.7 + uniform() * 0.25) * 1000.0).round() / 1000.0;
        let patience = (case % 2 == 1).then(|| (60.0 + uniform() * 540.0).round());
        let h = queue(lambda, handle, patience);
        let target = format!("service_level({t}s) >= {}%", goal * 100.0);
        let mut sim = SimOptions::from_menu(&h);
        sim.seed = case + 1;
        let o = StaffOptions {
            targets: vec![Target::parse(&target).unwrap()],
            interval: 1800.0,
            confidence: 0.95,
            shrinkage: 0.0,
            sim,
            max_rounds: 60,
        };
        let got = staff(&h, &o).unwrap().plan[0].seats;
        let want = exact(lambda, handle, patience, t, goal);
        missed += u32::from(got < want);
        over += u32::from(got > want + 1);
        log.push(format!(
            "λ={lambda:.1}/h handle {handle:.0}s patience {patience:?} {target}: {got} (exact {want})"
        ));
    }
    let all = log.join("\n");
    eprintln!("{cases} random queues: {missed} plans below the exact minimum, {over} more than one seat above");
    assert!(
        f64::from(missed) <= 0.05 * cases as f64,
        "{missed} of {cases} plans miss:\n{all}"
    );
    assert!(
        f64::from(over) <= 0.10 * cases as f64,
        "{over} of {cases} plans too large:\n{all}"
    );
}

#[test]
fn the_independent_checks_case_answers_the_exact_minimum_on_every_seed() {
    // 419.7 calls an hour of 7.55 minutes, 92.4% within 51 s: 61 seats give
    // 92.22%, 62 give 94.54% (Erlang C).
    let h = queue(419.7, 453.0, None);
    assert_eq!(exact(419.7, 453.0, None, 51.0, 0.924), 62);
    for seed in 1..=6 {
        let mut sim = SimOptions::from_menu(&h);
        sim.seed = seed;
        let o = StaffOptions {
            targets: vec![Target::parse("service_level(51s) >= 92.4%").unwrap()],
            interval: 1800.0,
            confidence: 0.95,
            shrinkage: 0.0,
            sim,
            max_rounds: 60,
        };
        let s = staff(&h, &o).unwrap();
        assert_eq!(s.plan[0].seats, 62, "seed {seed}");
        assert_eq!(s.plan[0].erlang_c, 62, "Erlang C on the menu's own rate");
        assert!(s.confirmed && s.warmup_chosen && s.warmup_s >= 1800.0);
    }
}

#[test]
fn a_day_plan_is_drawn_as_steps_with_erlang_c_beside_it() {
    let dir = std::env::temp_dir().join(format!("hotline-staff-steps-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = hotline(&[
        "staff",
        "tests/data/day_profile.yaml",
        "--target",
        "service_level(20s) >= 80%",
        "--replications",
        "6",
        "-q",
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let seats = std::fs::read_to_string(dir.join("seats.svg")).unwrap();
    assert!(seats.contains("sales (Erlang C)") && seats.contains("service (Erlang C)"));
    for f in ["offered.svg", "achieved.svg", "achieved.png"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn impossible_and_upside_down_targets_are_said_not_searched() {
    let dir = std::env::temp_dir().join(format!("hotline-staff-odd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let canon = dir.join("canon.yaml");
    std::fs::write(
        &canon,
        "hotline: Canonical\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
         agents:\n  desk: { seats: 10, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 200/h\n",
    )
    .unwrap();
    let c = canon.to_str().unwrap();
    // occupancy >= X alone bounds the seats from above: nothing to search.
    let upside = hotline(&["staff", c, "--target", "occupancy >= 85%"]);
    assert_eq!(upside.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&upside.stderr).contains("bounds the seats from above"));
    // With a service level, it is judged on the plan, never searched for
    // by adding seats (which lowers occupancy).
    let both = hotline(&[
        "staff",
        c,
        "--target",
        "service_level(20s) >= 80%",
        "--target",
        "occupancy >= 85%",
        "--format",
        "json",
        "-q",
    ]);
    assert_eq!(both.status.code(), Some(1), "an unmet target is a problem of the input");
    let v: serde_json::Value = serde_json::from_slice(&both.stdout).unwrap();
    assert_eq!(v["plan"][0]["seats"], 14);
    assert!(
        v["plan"][0]["unmet"][0]
            .as_str()
            .unwrap()
            .starts_with("occupancy >= 85%")
    );
    // A service level within 1000 hours: every stable plan meets it; the
    // fewest seats are the fewest that keep the queue stable (load 10).
    let new = dir.join("planned.yaml");
    let long = hotline(&[
        "staff",
        c,
        "--target",
        "service_level(1000h) >= 80%",
        "--format",
        "json",
        "-q",
        "--write",
        new.to_str().unwrap(),
    ]);
    assert_eq!(long.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&long.stdout).unwrap();
    assert_eq!(v["plan"][0]["seats"], 11);
    // What --write wrote simulates.
    let sim = hotline(&["simulate", new.to_str().unwrap(), "--replications", "2", "-q"]);
    assert_eq!(sim.status.code(), Some(0), "{}", String::from_utf8_lossy(&sim.stderr));
    // No queue: a clear message, exit 1.
    std::fs::write(
        &canon,
        "hotline: None\nentry: bye\nnodes:\n  bye: { kind: hangup }\ncallers:\n  arrivals: 200/h\n",
    )
    .unwrap();
    let none = hotline(&["staff", c, "--target", "service_level(20s) >= 80%"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no queue"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A menu written by `staff --write` elsewhere keeps finding its schema:
/// the relative `$schema` comment is made absolute.
#[test]
fn staff_write_keeps_the_schema_comment_true() {
    let out = std::env::temp_dir().join(format!("hotline-staff-schema-{}.yaml", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let o = crate::support::hotline(&[
        "staff",
        "menus/bank.yaml",
        "--target",
        "service_level(20s) >= 80%",
        "--replications",
        "5",
        "-q",
        "--write",
        out.to_str().unwrap(),
    ]);
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let first = text.lines().next().unwrap();
    let path = first.strip_prefix("# yaml-language-server: $schema=").unwrap();
    assert!(
        std::path::Path::new(path).is_absolute() && std::path::Path::new(path).is_file(),
        "{first}"
    );
    let _ = std::fs::remove_file(&out);
}
