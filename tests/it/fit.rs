//! Fitting from records: the round trip (a menu with known values,
//! simulated with --log in each format, fitted back), the censoring bias
//! the naive estimate has, hand-made records with their odd cases, bad
//! input, the overlay and the backtest, and day-to-day variation.

use std::path::Path;

use crate::support::{hotline, run_ok, tmp};
use hotline::fit::dist::{self, Family, Sample};
use serde_json::Value;

/// Simulates `menu` with `--log` in `format` and fits it back (JSON).
fn round_trip(menu: &str, format: &str, seed: u64) -> Value {
    let log = tmp(&format!(
        "{format}-{seed}-{}",
        Path::new(menu).file_stem().unwrap().to_string_lossy()
    ));
    let seed = seed.to_string();
    run_ok(&[
        "simulate",
        menu,
        "--seed",
        &seed,
        "-q",
        "--log",
        log.to_str().unwrap(),
        "--log-format",
        format,
    ]);
    let json = run_ok(&["fit", log.to_str().unwrap(), "--format", "json"]);
    let _ = std::fs::remove_file(&log);
    serde_json::from_str(&json).unwrap()
}

fn inside(p: &Value, truth: f64) -> bool {
    let ci = &p["ci95"];
    ci[0].as_f64().unwrap() <= truth && truth <= ci[1].as_f64().unwrap()
}

fn candidate<'a>(fits: &'a Value, family: &str) -> &'a Value {
    fits.as_array().unwrap().iter().find(|c| c["family"] == family).unwrap()
}

#[test]
fn the_round_trip_recovers_known_values_in_every_format() {
    // tests/fit/known.yaml: 150/h 08–10, 200/h 10–12, 120/h 12–14;
    // lognormal(mean=4m, sd=3m) handle; exp(mean=150s) patience.
    let truth_rate = |from: &str| match &from[..2] {
        "08" | "09" => 150.0,
        "10" | "11" => 200.0,
        _ => 120.0,
    };
    let (mut checks, mut hits) = (0, 0);
    for format in ["csv", "asterisk", "connect"] {
        for seed in [1, 2] {
            let r = round_trip("tests/fit/known.yaml", format, seed);
            assert_eq!(r["records"]["format"], format);
            for slot in r["arrivals"]["profile"].as_array().unwrap() {
                checks += 1;
                hits += usize::from(inside(slot, truth_rate(slot["from"].as_str().unwrap())));
            }
            let q = &r["queues"]["desk"];
            let h = &q["handle_time"];
            assert!(
                h["fit"].as_str().unwrap().starts_with("lognormal("),
                "{format} {seed}: {}",
                h["fit"]
            );
            let ln = candidate(&h["candidates"], "lognormal");
            checks += 2;
            hits += usize::from(inside(&ln["mean_s"], 240.0)) + usize::from(inside(&ln["sd_s"], 180.0));
            let p = &q["patience"];
            let ex = candidate(&p["candidates"], "exp");
            checks += 1;
            hits += usize::from(inside(&ex["mean_s"], 150.0));
            // The estimate is right within 15% even where its interval misses.
            let mean = ex["mean_s"]["value"].as_f64().unwrap();
            assert!((mean - 150.0).abs() < 22.5, "{format} {seed}: patience mean {mean}");
            // The naive estimate (the abandoners' mean wait) is far too short.
            let naive = p["naive_mean_s"].as_f64().unwrap();
            assert!(naive < 0.4 * 150.0, "{format} {seed}: naive {naive}");
            let abandoned = q["abandoned"].as_f64().unwrap() / q["calls"].as_f64().unwrap();
            assert!((0.05..0.25).contains(&abandoned), "{abandoned}");
        }
    }
    // 95% intervals: at least 85% of them hold the true value.
    assert!(
        hits as f64 >= 0.85 * checks as f64,
        "{hits} of {checks} intervals hold the true value"
    );
}

#[test]
fn weibull_patience_and_gamma_handle_times_come_back() {
    let (mut checks, mut hits) = (0, 0);
    for seed in [3, 4, 5] {
        let r = round_trip("tests/fit/weibull.yaml", "csv", seed);
        let q = &r["queues"]["desk"];
        assert!(
            q["handle_time"]["fit"].as_str().unwrap().starts_with("gamma("),
            "{}",
            q["handle_time"]["fit"]
        );
        let g = candidate(&q["handle_time"]["candidates"], "gamma");
        checks += 2;
        hits += usize::from(inside(&g["mean_s"], 180.0)) + usize::from(inside(&g["sd_s"], 120.0));
        let p = &q["patience"];
        assert!(p["fit"].as_str().unwrap().starts_with("weibull("), "{}", p["fit"]);
        let w = candidate(&p["candidates"], "weibull");
        checks += 2;
        hits += usize::from(inside(&w["shape"], 1.5)) + usize::from(inside(&w["scale_s"], 180.0));
        let mean_true = 180.0 * 0.902_745; // scale · Γ(1 + 1/1.5)
        assert!(p["naive_mean_s"].as_f64().unwrap() < 0.5 * mean_true);
    }
    assert!(hits + 1 >= checks, "{hits} of {checks} intervals hold the true value");
}

/// Draws from `d` with a fixed seed.
fn draws(d: &hotline::menu::value::Dist, n: usize, seed: u64) -> Vec<f64> {
    use rand::SeedableRng;
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let s = hotline::sim::plan::Sampler::new(d);
    (0..n).map(|_| s.sample(&mut rng)).collect()
}

#[test]
fn aic_picks_the_true_family_on_large_samples() {
    use hotline::menu::value::Dist;
    let cases = [
        (Dist::Exp { mean: 120.0 }, Family::Exp),
        (Dist::LogNormal { mean: 240.0, sd: 180.0 }, Family::LogNormal),
        (Dist::Gamma { mean: 180.0, sd: 60.0 }, Family::Gamma),
        (
            Dist::Weibull {
                shape: 2.5,
                scale: 200.0,
            },
            Family::Weibull,
        ),
    ];
    for (d, family) in cases {
        let xs = draws(&d, 20_000, 11);
        let s = Sample::new(xs.iter().map(|&x| (x, true)));
        let fits = dist::best(&[Family::Exp, Family::LogNormal, Family::Gamma, Family::Weibull], &s);
        // The exponential is a gamma and a Weibull with shape 1: the
        // simplest family wins there by AIC's penalty, or the shape is 1.
        if family == Family::Exp && fits[0].family != Family::Exp {
            let shape = fits[0].shape.map_or(1.0, |p| p.value);
            assert!((shape - 1.0).abs() < 0.03, "{d:?}: {:?}", fits[0].fit);
            continue;
        }
        assert_eq!(
            fits[0].family,
            family,
            "{d:?}: {:?}",
            fits.iter().map(|f| (&f.fit, f.aic)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn censored_exponential_and_kaplan_meier_by_hand() {
    // Waits 10 (abandoned), 20 (answered), 30 (abandoned), 40 (answered):
    // exposure 100 s, 2 events → mean 50 s; the naive mean is 20 s.
    let obs = vec![(10.0, true), (20.0, false), (30.0, true), (40.0, false)];
    let f = dist::fit(Family::Exp, &Sample::new(obs.clone())).unwrap();
    assert!((f.mean_s.value - 50.0).abs() < 1e-9);
    assert_eq!(f.fit, "exp(mean=50s)");
    let km = hotline::fit::survival::kaplan_meier(&obs);
    // S(10) = 3/4; S(30) = 3/4 · (1 − 1/2) = 3/8.
    assert_eq!(km.len(), 2);
    assert!((km[0].s - 0.75).abs() < 1e-12 && (km[1].s - 0.375).abs() < 1e-12);
}

#[test]
fn hand_made_queue_log_with_its_odd_cases() {
    let r: Value = serde_json::from_str(&run_ok(&["fit", "tests/records/queue_log", "--format", "json"])).unwrap();
    assert_eq!(r["records"]["format"], "asterisk");
    // Six calls that ended (a blind transfer among them) and one that
    // reached the hotline (DID) and never queued; the garbage line and the
    // call still in queue at the end are skipped.
    assert_eq!(r["records"]["read"], 7);
    assert_eq!(r["records"]["skipped"], 2);
    let support = &r["queues"]["support"];
    assert_eq!(
        (support["calls"].as_u64(), support["answered"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(
        (support["abandoned"].as_u64(), support["disconnected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(r["queues"]["sales"]["answered"], 1);
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains("tests/records/queue_log:20: not a queue_log event"),
        "{warnings}"
    );
    assert!(warnings.contains("still in queue support"), "{warnings}");
}

#[test]
fn hand_made_contact_records_with_their_odd_cases() {
    let r: Value = serde_json::from_str(&run_ok(&["fit", "tests/records/contacts.jsonl", "--format", "json"])).unwrap();
    assert_eq!(r["records"]["format"], "connect");
    // c-1 delivered twice counts once; the transfer c-5 and c-6 without an
    // end are skipped; c-3 never queued; c-4 is a chat crossing midnight.
    assert_eq!(r["records"]["read"], 5);
    assert_eq!(r["records"]["skipped"], 2);
    let basic = &r["queues"]["BasicQueue"];
    assert_eq!(
        (
            basic["calls"].as_u64(),
            basic["answered"].as_u64(),
            basic["abandoned"].as_u64()
        ),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(r["queues"]["Chat"]["online"], true);
    let w = r["warnings"].to_string();
    assert!(w.contains("contacts.jsonl:3: contact c-1 delivered again"), "{w}");
    assert!(
        w.contains("contacts.jsonl:7: contact c-6: no DisconnectTimestamp"),
        "{w}"
    );
    // c-1 was written at 09:00+01:00: its caller's local time is 09:00.
    let profile = r["arrivals"]["profile"].as_array().unwrap();
    assert_eq!(profile[0]["from"], "08:00");
    assert!(
        profile.iter().any(|s| s["from"] == "09:00" && s["calls"] == 1),
        "{profile:?}"
    );
}

#[test]
fn hand_made_csv_with_its_odd_cases() {
    let r: Value = serde_json::from_str(&run_ok(&["fit", "tests/records/calls.csv", "--format", "json"])).unwrap();
    assert_eq!(r["records"]["format"], "csv");
    assert_eq!(
        (r["records"]["read"].as_u64(), r["records"]["skipped"].as_u64()),
        (Some(5), Some(2))
    );
    let w = r["warnings"].to_string();
    assert!(w.contains("calls.csv:6: ended before it arrived"), "{w}");
    assert!(w.contains("calls.csv:7: outcome \\\"weird\\\""), "{w}");
    // a2 abandoned; a1, a4 and a7 (across midnight) answered.
    let desk = &r["queues"]["desk"];
    assert_eq!(
        (desk["answered"].as_u64(), desk["abandoned"].as_u64()),
        (Some(3), Some(1))
    );
}

#[test]
fn a_file_that_is_no_records_says_which_formats_were_tried() {
    let out = hotline(&["fit", "menus/bank.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("menus/bank.yaml: not call records")
            && err.contains("Asterisk queue_log")
            && err.contains("Amazon Connect")
            && err.contains("CSV"),
        "{err}"
    );
    // A CSV header without the required columns, and a file of bad rows only.
    let bad = tmp("bad.csv");
    std::fs::write(&bad, "call_id,arrived,ended\nx,yesterday,today\n").unwrap();
    let out = hotline(&["fit", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no usable call") && err.contains(":2: arrived: \"yesterday\" is not a time"),
        "{err}"
    );
    let _ = std::fs::remove_file(&bad);
}

#[test]
fn fit_and_log_never_write_over_inputs_or_existing_files() {
    let out = hotline(&["fit", "tests/records/calls.csv", "--write", "tests/records/calls.csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = hotline(&[
        "simulate",
        "tests/fit/known.yaml",
        "--log",
        "tests/fit/known.yaml",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let existing = tmp("existing.yaml");
    std::fs::write(&existing, "mine").unwrap();
    let out = hotline(&["fit", "tests/records/calls.csv", "--write", existing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mine");
    let _ = std::fs::remove_file(&existing);
}

#[test]
fn the_fitted_overlay_reproduces_the_records_in_the_backtest() {
    let log = tmp("backtest.log");
    let overlay = tmp("backtest-overlay.yaml");
    run_ok(&[
        "simulate",
        "tests/fit/known.yaml",
        "--seed",
        "21",
        "-q",
        "--log",
        log.to_str().unwrap(),
        "--log-format",
        "asterisk",
    ]);
    run_ok(&["fit", log.to_str().unwrap(), "--write", overlay.to_str().unwrap()]);
    let text = std::fs::read_to_string(&overlay).unwrap();
    assert!(
        text.contains("handle_time: \"lognormal(") && text.contains("patience: \"exp("),
        "{text}"
    );
    let b: Value = serde_json::from_str(&run_ok(&[
        "backtest",
        "tests/fit/known.yaml",
        log.to_str().unwrap(),
        "--with",
        overlay.to_str().unwrap(),
        "--replications",
        "60",
        "--format",
        "json",
        "-q",
    ]))
    .unwrap();
    let share = b["inside_share"].as_f64().unwrap();
    assert!(share >= 0.85, "inside {share}: {b}");
    for m in ["p_abandon", "service_level"] {
        assert!(b["inside_by_metric"][m].as_f64().unwrap() >= 0.75, "{m}: {b}");
    }
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&overlay);
}

#[test]
fn rate_variation_gives_gamma_days_and_fit_finds_it() {
    // 400 days of 100/h for 10 h: a day's count has variance m + v²m²
    // (Poisson mixed by a Gamma factor with mean 1 and CV v = 20%).
    let r = round_trip("tests/fit/varying_days.yaml", "csv", 5);
    let v = r["arrivals"]["rate_variation"].as_f64().unwrap();
    assert!((0.17..0.23).contains(&v), "rate_variation {v}");
    let m = r["arrivals"]["rate_per_h"].as_f64().unwrap();
    // The mean rate stays the menu's (the factor has mean 1): within 3 standard errors.
    let se = 100.0 * (1.0 / 4000.0 + 0.04 / 400.0f64).sqrt();
    assert!((m - 100.0).abs() < 3.0 * se, "rate {m}");
    let fitted = tmp("varying.yaml");
    let log = tmp("varying.csv");
    run_ok(&[
        "simulate",
        "tests/fit/varying_days.yaml",
        "-q",
        "--log",
        log.to_str().unwrap(),
    ]);
    run_ok(&["fit", log.to_str().unwrap(), "--write", fitted.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&fitted).unwrap().contains("rate_variation: "));
    let _ = std::fs::remove_file(&fitted);
    let _ = std::fs::remove_file(&log);
}

#[test]
fn redials_come_back_from_the_callers_ids() {
    // tests/fit/redial.yaml: 30% of abandoners call again after exp(mean=10m).
    let r = round_trip("tests/fit/redial.yaml", "csv", 2);
    let d = &r["redials"];
    let (share, n) = (d["share"].as_f64().unwrap(), d["abandoned"].as_f64().unwrap());
    // Within four binomial standard errors of 30%.
    let se = (0.3 * 0.7 / n).sqrt();
    assert!((share - 0.3).abs() < 4.0 * se, "share {share} of {n}");
    // The mean delay, truncated at the hour: 591 s; within 15%.
    let after = d["after_mean_s"].as_f64().unwrap();
    assert!((after - 591.0).abs() < 0.15 * 591.0, "after {after}");
}

#[test]
fn chinese_queue_names_map_to_chinese_pools() {
    let records = tmp("zh.csv");
    let mut csv = String::from("call_id,caller,arrived,queue,queued,answered,ended\n");
    for i in 0..20 {
        let m = 10 + i;
        csv.push_str(&format!(
            "来电{i},用户{i},2026-03-02T08:{m}:00+08:00,人工队列,2026-03-02T08:{m}:05+08:00,2026-03-02T08:{m}:20+08:00,2026-03-02T08:{:02}:{:02}+08:00\n",
            m + 2 + i % 3,
            (i * 7) % 60
        ));
    }
    std::fs::write(&records, csv).unwrap();
    let overlay = tmp("zh-overlay.yaml");
    let r: Value = serde_json::from_str(&run_ok(&[
        "fit",
        records.to_str().unwrap(),
        "--map",
        "人工队列=普通坐席",
        "--write",
        overlay.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .unwrap();
    let q = &r["queues"]["人工队列"];
    assert_eq!(
        (q["pool"].as_str(), q["calls"].as_u64(), q["answered"].as_u64()),
        (Some("普通坐席"), Some(20), Some(20))
    );
    // Local time 08:10+08:00: the profile starts at 08:00.
    assert_eq!(r["arrivals"]["profile"][0]["from"], "08:00");
    let text = std::fs::read_to_string(&overlay).unwrap();
    assert!(text.contains("  普通坐席:\n    handle_time: \""), "{text}");
    // The overlay lays over the Chinese sample menu.
    run_ok(&[
        "check",
        "menus/mobile_operator_zh.yaml",
        "--with",
        overlay.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&records);
    let _ = std::fs::remove_file(&overlay);
}
