//! The simulator against queueing theory, with confidence intervals over
//! replications (not seeded snapshots), and its invariants.

use crate::support::theory::{erlang_a, erlang_c, max_wait};
use hotline::input::load_str;
use hotline::menu::Hotline;
use hotline::sim::{SimOptions, SimReport, simulate, stats::Estimate};

/// A hotline that is a single queue.
fn queue_only(lambda_per_min: f64, mean_handle_min: f64, seats: u32, patience_min: Option<f64>, hours: f64) -> Hotline {
    let patience = patience_min.map_or(String::new(), |p| format!("  patience: exp(mean={}s)\n", p * 60.0));
    let text = format!(
        "hotline: Queue\nentry: q\nnodes:\n  q: {{ kind: queue, pool: desk }}\n\
         agents:\n  desk: {{ seats: {seats}, handle_time: exp(mean={}s) }}\n\
         callers:\n  arrivals: {lambda_per_min}/m\n{patience}\
         simulation: {{ start: \"00:00\", duration: {}s, warmup: 2h }}\n",
        mean_handle_min * 60.0,
        hours * 3600.0
    );
    let loaded = load_str(&text, "queue.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

fn run(h: &Hotline, replications: u32, seed: u64) -> SimReport {
    let mut o = SimOptions::from_menu(h);
    o.replications = replications;
    o.seed = seed;
    simulate(h, &o, &|_, _, _| {}).unwrap()
}

/// The theory value lies within twice the 95% half-width (about four
/// standard errors) of the replication mean, plus `slack` for bias of a
/// finite run.
fn agrees(name: &str, e: &Estimate, theory: f64, slack: f64) {
    let half = (e.ci95[1] - e.ci95[0]) / 2.0;
    assert!(
        (e.mean - theory).abs() <= 2.0 * half + slack,
        "{name}: simulated {} [{}, {}], theory {theory}",
        e.mean,
        e.ci95[0],
        e.ci95[1]
    );
    // The interval must be informative, not so wide that anything agrees.
    assert!(
        half < 0.1 * theory.abs().max(0.01),
        "{name}: interval too wide: ±{half}"
    );
}

#[test]
fn erlang_c_on_several_loads() {
    // (λ per minute, mean handle in minutes, seats): 95%, 80% and 67% load.
    for (lambda, handle, seats) in [(9.5, 1.0, 10u32), (4.0, 1.0, 5), (1.0, 2.0, 3)] {
        let h = queue_only(lambda, handle, seats, None, 100.0);
        let r = run(&h, 30, 7);
        let th = erlang_c(lambda / 60.0, 1.0 / (handle * 60.0), seats);
        let m = &r.metrics;
        let tag = format!("λ={lambda}/min, 1/μ={handle} min, c={seats}");
        agrees(&format!("{tag} P(wait)"), &m["p_wait"], th.p_wait, 0.0);
        agrees(&format!("{tag} mean wait"), &m["mean_wait_s"], th.mean_wait, 0.0);
        agrees(
            &format!("{tag} service level 20 s"),
            &m["service_level"],
            th.service_level(20.0),
            0.0,
        );
        agrees(
            &format!("{tag} within 180 s"),
            &m["p_answered_within_180s"],
            th.service_level(180.0),
            0.0,
        );
        assert_eq!(m["p_abandon"].mean, 0.0, "no patience, no abandonment");
    }
}

#[test]
fn erlang_a_with_exponential_patience() {
    // (λ per minute, mean handle, seats, mean patience): the benchmark reference and an overload.
    for (lambda, handle, seats, patience) in [(9.5, 1.0, 10u32, 2.0), (12.0, 1.0, 10, 1.0), (3.0, 2.0, 5, 4.0)] {
        let h = queue_only(lambda, handle, seats, Some(patience), 40.0);
        let r = run(&h, 20, 11);
        let th = erlang_a(lambda / 60.0, 1.0 / (handle * 60.0), seats, 1.0 / (patience * 60.0));
        let m = &r.metrics;
        let tag = format!("λ={lambda}/min, c={seats}, patience {patience} min");
        agrees(&format!("{tag} P(wait)"), &m["p_wait"], th.p_wait, 0.0);
        agrees(&format!("{tag} P(abandon)"), &m["p_abandon"], th.p_abandon, 0.0);
        agrees(&format!("{tag} mean wait"), &m["mean_wait_s"], th.mean_wait, 0.0);
        agrees(
            &format!("{tag} mean wait answered"),
            &m["mean_wait_answered_s"],
            th.mean_wait_answered,
            0.0,
        );
        agrees(
            &format!("{tag} mean queue"),
            &m["mean_queue_length"],
            th.mean_queue,
            0.0,
        );
    }
}

#[test]
fn max_wait_cuts_waits_as_in_m_m_n_plus_d() {
    // No patience; a wait not answered within `d` is cut (M/M/n+D). A
    // call-back nobody accepts sends the run to the event engine, where
    // its offers and the `max_wait` disconnections are timers in lines of
    // their own (`timers.rs`); without it the queue runs by the recursion.
    // (λ per minute, mean handle minutes, seats, max_wait minutes), under
    // and over the seats' load.
    for (lambda, handle, seats, d) in [(9.5, 1.0, 10u32, 1.0), (12.0, 1.0, 10, 0.5), (3.0, 2.0, 5, 2.0)] {
        for offer in ["", ", callback: { offered_after: 20s, accepts: 0 }"] {
            let h = load_str(
                &format!(
                    "hotline: Cut\nentry: q\nnodes:\n  q: {{ kind: queue, pool: desk, max_wait: {}s{offer} }}\n\
                     agents:\n  desk: {{ seats: {seats}, handle_time: exp(mean={}s) }}\n\
                     callers:\n  arrivals: {lambda}/m\n\
                     simulation: {{ start: \"00:00\", duration: 40h, warmup: 2h }}\n",
                    d * 60.0,
                    handle * 60.0
                ),
                "cut.yaml",
                &Default::default(),
            )
            .hotline
            .unwrap();
            let r = run(&h, 20, 5);
            let th = max_wait(lambda / 60.0, 1.0 / (handle * 60.0), seats, d * 60.0);
            let m = &r.metrics;
            let tag = format!("λ={lambda}/min, c={seats}, max_wait {d} min{offer}");
            agrees(&format!("{tag} P(wait)"), &m["p_wait"], th.p_wait, 0.0);
            agrees(&format!("{tag} P(cut)"), &m["p_disconnected"], th.p_leave, 0.0);
            agrees(&format!("{tag} mean wait"), &m["mean_wait_s"], th.mean_wait, 0.0);
            assert_eq!(m["p_abandon"].mean, 0.0, "no patience, no abandonment");
            if !offer.is_empty() {
                assert_eq!(m["p_callback"].mean, 0.0, "{tag}: nobody accepts");
            }
        }
    }
}

#[test]
fn priorities_within_a_pool_wait_as_in_cobhams_formula() {
    // Two queues share a pool, one of priority 1: a non-preemptive
    // priority M/M/c, whose class k waits on average
    // W0 / ((1 - s(k-1)) (1 - s(k))), W0 = C(c, a) / (c mu), s(k) the load
    // of the classes up to k (Cobham). Priorities send the run to the event
    // engine, where a seat that frees is an event only while callers wait.
    // (λ per minute, seats, the high class's share), mean handle 1 min.
    for (lambda, seats, high) in [(4.0, 5u32, 0.5), (9.0, 10, 0.3)] {
        let text = format!(
            "hotline: Priorities\nentry: pick\nnodes:\n  pick:\n    kind: menu\n    duration: 0s\n    options:\n      \"1\": {{ to: hi, share: {high} }}\n      \"2\": {{ to: lo, share: {} }}\n  hi: {{ kind: queue, pool: desk, priority: 1 }}\n  lo: {{ kind: queue, pool: desk }}\n\
             agents:\n  desk: {{ seats: {seats}, handle_time: exp(mean=60s) }}\n\
             callers:\n  arrivals: {lambda}/m\n\
             simulation: {{ start: \"00:00\", duration: 100h, warmup: 2h }}\n",
            1.0 - high
        );
        let loaded = load_str(&text, "priorities.yaml", &Default::default());
        assert!(!loaded.has_errors(), "{}", loaded.render());
        let r = run(&loaded.hotline.unwrap(), 20, 13);
        let (mu, c) = (1.0 / 60.0, f64::from(seats));
        let th = erlang_c(lambda / 60.0, mu, seats);
        let w0 = th.p_wait / (c * mu);
        let (s1, s2) = (high * lambda / 60.0 / (c * mu), lambda / 60.0 / (c * mu));
        let tag = format!("λ={lambda}/min, c={seats}, high {high}");
        agrees(
            &format!("{tag} high"),
            &r.queues["hi"]["mean_wait_s"],
            w0 / (1.0 - s1),
            0.0,
        );
        agrees(
            &format!("{tag} low"),
            &r.queues["lo"]["mean_wait_s"],
            w0 / ((1.0 - s1) * (1.0 - s2)),
            0.0,
        );
        // Work-conserving: the mean wait over both classes is Erlang C's.
        agrees(&format!("{tag} all"), &r.metrics["mean_wait_s"], th.mean_wait, 0.0);
    }
}

#[test]
fn littles_law_on_queue_length() {
    for menu in ["bank.yaml", "group_buying.yaml", "ecommerce.yaml"] {
        let h = sample(menu);
        let r = run(&h, 20, 3);
        for (q, m) in &r.queues {
            let l = &m["mean_queue_length"];
            let lambda_w = m["queue_arrival_rate_per_h"].mean / 3600.0 * m["mean_wait_s"].mean;
            let half = (l.ci95[1] - l.ci95[0]) / 2.0;
            assert!(
                (l.mean - lambda_w).abs() <= 2.0 * half + 0.02 * lambda_w + 1e-3,
                "{menu} {q}: L = {:?}, λW = {lambda_w}",
                l
            );
        }
    }
}

fn sample(name: &str) -> Hotline {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("menus")
        .join(name);
    hotline::input::load(&path, &Default::default())
        .unwrap()
        .hotline
        .unwrap()
}

fn sample_names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "yaml").then(|| p.file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_caller_ends_in_exactly_one_outcome() {
    let outcomes = [
        "p_reach_human",
        "p_abandoned",
        "p_forced_out",
        "p_resolved_self_service",
        "p_resolved_online",
        "p_gave_up",
        "p_hung_up",
        "p_stuck",
    ];
    for name in sample_names() {
        let h = sample(&name);
        let r = run(&h, 4, 5);
        for row in r.rows.iter() {
            let total: f64 = outcomes.iter().map(|k| row[*k]).sum();
            assert!((total - 1.0).abs() < 1e-9, "{name}: outcomes add up to {total}");
            assert!(row["mean_wait_s"].is_nan() || row["mean_wait_s"] >= 0.0);
            // Customers who start online make no call unless they switch.
            if h.online_entry.is_none() {
                assert!(row["calls_per_caller"] >= 1.0, "{name}");
            }
        }
        assert!(r.warnings.is_empty(), "{name}: {:?}", r.warnings);
    }
}

#[test]
fn a_deterministic_walk_takes_exactly_its_prompt_time() {
    let text = "hotline: D\nentry: hello\nnodes:\n  hello: { kind: prompt, duration: 10s, next: menu }\n\
                \x20 menu:\n    kind: menu\n    duration: 7s\n    options:\n      \"0\": { to: q }\n\
                \x20 q: { kind: queue, pool: desk }\nagents:\n  desk: { seats: 1000, handle_time: 1m }\n\
                callers:\n  arrivals: 60/h\nsimulation: { duration: 2h }\n";
    let h = load_str(text, "d.yaml", &Default::default()).hotline.unwrap();
    let r = run(&h, 3, 1);
    let t = &r.metrics["mean_time_to_human_s"];
    assert!(
        (t.mean - 17.0).abs() < 1e-9 && (t.ci95[1] - t.ci95[0]).abs() < 1e-9,
        "{t:?}"
    );
    assert_eq!(r.metrics["p_reach_human"].mean, 1.0);
    assert_eq!(r.metrics["p_wait"].mean, 0.0);
}

#[test]
fn results_do_not_depend_on_threads() {
    let h = sample("ecommerce.yaml");
    let mut o = SimOptions::from_menu(&h);
    o.replications = 6;
    o.threads = 1;
    let one = serde_json::to_string(&simulate(&h, &o, &|_, _, _| {}).unwrap()).unwrap();
    o.threads = 4;
    let four = serde_json::to_string(&simulate(&h, &o, &|_, _, _| {}).unwrap()).unwrap();
    assert_eq!(one, four);
    o.seed += 1;
    let other = serde_json::to_string(&simulate(&h, &o, &|_, _, _| {}).unwrap()).unwrap();
    assert_ne!(one, other, "another seed gives another run");
}

/// A pool whose seats change over the day, three days long after a warm-up.
fn three_days() -> Hotline {
    let text = "hotline: Days\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
                agents:\n  desk:\n    seats: 4\n    handle_time: exp(mean=2m)\n    schedule: [ { from: \"08:00\", seats: 6 }, { from: \"20:00\", seats: 3 } ]\n\
                callers:\n  arrivals: 100/h\n  patience: exp(mean=3m)\n\
                simulation: { start: \"06:00\", duration: 72h, warmup: 1h }\n";
    let loaded = load_str(text, "days.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

#[test]
fn time_bins_fold_onto_one_day_and_add_up_to_the_measured_period() {
    use hotline::sim::engine::{DAY_BINS, Engine, RunSettings};
    use hotline::sim::plan::Plan;
    let h = three_days();
    let plan = Plan::new(&h).unwrap();
    let s = RunSettings {
        clock0: 5.0 * 3600.0,
        warmup: 3600.0,
        end: 73.0 * 3600.0,
        sl_target: 20.0,
        max_in_system: 1_000_000,
        interval: 0.0,
    };
    let r = Engine::new(&plan, s, 11).run().unwrap();
    assert_eq!(r.bin_time.len() as u64, DAY_BINS);
    // Every 5-minute bin of the day is measured on each of the three days.
    assert!(
        r.bin_time.iter().all(|&t| (t - 900.0).abs() < 1e-6),
        "{:?}",
        &r.bin_time[..4]
    );
    let p = &r.pools[0];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(
        close(p.busy_bins.iter().sum(), p.busy_area),
        "busy seats: bins and period disagree"
    );
    assert!(
        close(p.wait_bins.iter().sum(), p.wait_area),
        "waiting: bins and period disagree"
    );

    // A period shorter than a day keeps its own bins; a short last bin
    // counts only the time it covers.
    let short = RunSettings {
        end: 3600.0 + 1000.0,
        ..s
    };
    let r = Engine::new(&plan, short, 11).run().unwrap();
    assert_eq!(r.bin_time, [300.0, 300.0, 300.0, 100.0]);
}

#[test]
fn day_series_of_a_long_run_are_the_average_day() {
    let h = three_days();
    let r = run(&h, 4, 3);
    let q = &r.plots.queue_length["desk"];
    let busy = &r.plots.busy_seats["desk"];
    assert_eq!(q.clock.len(), 288);
    // The series start at the start of the measured period (06:00) and
    // cover one day in 5-minute steps.
    assert_eq!(q.clock[0], 6.0 * 3600.0);
    assert_eq!(q.clock[287], 6.0 * 3600.0 + 287.0 * 300.0);
    // Each bin received the same measured time, so the series average is
    // the period's mean, replication by replication and so on average.
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let m = &r.metrics;
    assert!((mean(&q.mean) - m["mean_queue_length"].mean).abs() < 1e-9);
    let seat_mean = mean(&r.plots.seats["desk"]);
    assert!((mean(&busy.mean) / seat_mean - m["occupancy"].mean).abs() < 0.02);
    // More seats from 08:00 to 20:00: fewer callers wait then than at night.
    let at = |clock: f64| q.mean[((clock - 6.0 * 3600.0) / 300.0) as usize];
    assert!(
        at(14.0 * 3600.0) < at(22.0 * 3600.0),
        "day {} night {}",
        at(14.0 * 3600.0),
        at(22.0 * 3600.0)
    );
}

/// A busy queue where everyone gives up after exactly 40 s of waiting,
/// with or without a call-back offered at 30 s that everyone accepts.
fn impatient_queue(callback: bool) -> Hotline {
    let offer = if callback {
        ", callback: { offered_after: 30s, accepts: 1 }"
    } else {
        ""
    };
    let text = format!(
        "hotline: Impatient\nentry: q\nnodes:\n  q: {{ kind: queue, pool: desk{offer} }}\n\
         agents:\n  desk: {{ seats: 10, handle_time: exp(mean=1m) }}\n\
         callers:\n  arrivals: 9.5/m\n  patience: 40s\n\
         simulation: {{ start: \"00:00\", duration: 20h, warmup: 1h }}\n"
    );
    let loaded = load_str(&text, "impatient.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

#[test]
fn a_caller_holding_a_call_back_never_abandons() {
    let without = run(&impatient_queue(false), 4, 5);
    let m = &without.metrics;
    // Without the offer, every wait beyond 40 s ends in abandonment.
    assert!(m["p_abandon"].mean > 0.05, "{:?}", m["p_abandon"]);
    // (Quantiles come from 1-second bins: 40 s lands in [40, 41).)
    assert!(m["wait_p95_s"].mean <= 41.0, "{:?}", m["wait_p95_s"]);

    let with = run(&impatient_queue(true), 4, 5);
    let m = &with.metrics;
    // Everyone still waiting at 30 s takes the call-back, keeps the place
    // and is answered, however long that takes: nobody abandons.
    assert_eq!(m["p_abandon"].mean, 0.0);
    assert_eq!(m["p_reach_human"].mean, 1.0);
    assert!(m["p_callback"].mean > 0.05, "{:?}", m["p_callback"]);
    assert!(
        m["wait_p95_s"].mean > 41.0,
        "call-back holders wait past their patience"
    );
}

#[test]
fn three_hundred_segments_each_get_their_own_callers() {
    // Segment 255 and above were filed under others when a caller's segment
    // was kept in a byte: each of 300 segments of 0.2% must get its share.
    let mut text = String::from(
        "hotline: S\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
         agents:\n  desk: { seats: 80, handle_time: exp(mean=1m) }\n\
         callers:\n  arrivals: 3000/h\n  segments:\n",
    );
    for i in 0..300 {
        text.push_str(&format!("    s{i}: {{ share: 0.002 }}\n"));
    }
    text.push_str("simulation: { duration: 8h, replications: 4 }\n");
    let l = load_str(&text, "segments.yaml", &Default::default());
    assert!(!l.has_errors(), "{}", l.render());
    let h = l.hotline.unwrap();
    let r = run(&h, 4, 3);
    // 0.002 × 24,000 callers = 48 a replication; Poisson, so within ±40.
    for (name, m) in &r.segments {
        let callers = m["callers"].mean;
        assert!((8.0..=88.0).contains(&callers), "{name}: {callers}");
        assert!(m["queued_calls"].mean > 0.0, "{name}");
    }
    // A thousand and one segments are refused where they are written.
    let mut many = String::from(
        "hotline: S\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\nagents:\n  desk: { seats: 1, handle_time: exp(mean=1m) }\ncallers:\n  arrivals: 3000/h\n  segments:\n",
    );
    for i in 0..1001 {
        many.push_str(&format!("    s{i}: {{ share: 0.0005 }}\n"));
    }
    let l = load_str(&many, "many.yaml", &Default::default());
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code == "too-many-segments")
        .expect("refused");
    assert!(d.line.is_some());
}

#[test]
fn patience_is_per_contact_and_spent_by_every_wait_within_it() {
    // Nobody answers; a fixed patience of 100 s; max_wait 60 s sends the
    // caller back into the same queue (the same call): 60 s there, then
    // 40 s more and the caller hangs up — the patience is the call's, not
    // drawn again at each join.
    let h = load_str(
        "hotline: P\nentry: q\nnodes:\n  q: { kind: queue, pool: desk, max_wait: 60s, on_max_wait: q }\n\
         agents:\n  desk: { seats: 0, handle_time: exp(mean=1m) }\n\
         callers:\n  arrivals: 30/h\n  patience: fixed(100s)\n\
         simulation: { duration: 8h }\n",
        "p.yaml",
        &Default::default(),
    )
    .hotline
    .unwrap();
    let r = run(&h, 3, 1);
    assert_eq!(r.metrics["p_abandoned"].mean, 1.0, "every caller hangs up");
    assert_eq!(r.metrics["p_stuck"].mean, 0.0);
    let q = &r.queues["q"];
    // Two joins a call: one disconnected at 60 s, one abandoned after 40 s.
    assert_eq!(q["p_disconnected"].mean, 0.5);
    assert_eq!(q["p_abandon"].mean, 0.5);
    assert_eq!(q["mean_wait_s"].mean, 50.0);
    // A new contact (a redial) has a patience of its own: with a fixed one,
    // the redial waits its full 100 s again.
    let redial = load_str(
        "hotline: P\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
         agents:\n  desk: { seats: 0, handle_time: exp(mean=1m) }\n\
         callers:\n  arrivals: 30/h\n  patience: fixed(100s)\n  redial: { share: 1, after: fixed(1m) }\n\
         simulation: { duration: 8h }\n",
        "r.yaml",
        &Default::default(),
    )
    .hotline
    .unwrap();
    let r = run(&redial, 2, 1);
    assert_eq!(r.queues["q"]["mean_wait_s"].mean, 100.0);
}

/// A run grown by replications (as the staffing search doubles a close
/// plan's) reports exactly what one run of all of them reports.
#[test]
fn a_grown_run_equals_one_run_of_all_its_replications() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml");
    let h = hotline::input::load(&path, &Default::default())
        .expect("the bank menu reads")
        .hotline
        .expect("the bank menu is valid");
    let mut o = SimOptions::from_menu(&h);
    o.threads = 2;
    o.replications = 4;
    let mut grown = hotline::sim::Growing::new(&h, &o).expect("a run");
    grown.report(&h, &o).expect("4 replications").expect("not fewer");
    o.replications = 11;
    let report = grown.report(&h, &o).expect("7 more").expect("not fewer");
    assert_eq!(grown.done(), 11);
    let once = simulate(&h, &o, &|_, _, _| {}).expect("one run of 11");
    assert_eq!(
        serde_json::to_string(&report).expect("JSON"),
        serde_json::to_string(&once).expect("JSON")
    );
    o.replications = 5;
    assert!(grown.report(&h, &o).expect("no run").is_none(), "a run does not shrink");
}
