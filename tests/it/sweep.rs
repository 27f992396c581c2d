//! `hotline sweep`: parsing the grid, setting values in the tree, each
//! point against Erlang C, common random numbers, and the command's output.

use crate::support::theory::erlang_c;
use hotline::decisions::sweep::{Setting, grid, set, sweep};
use hotline::input::load_str;
use hotline::menu::LoadOptions;
use hotline::sim::{SimOptions, simulate};

#[test]
fn values_and_grids() {
    let s = Setting::parse("agents.desk.seats=10..14/2").unwrap();
    assert_eq!(
        (s.path.as_str(), s.values.clone()),
        ("agents.desk.seats", vec!["10".into(), "12".into(), "14".into()])
    );
    assert_eq!(
        Setting::parse("x.y=0..1/0.25").unwrap().values,
        ["0", "0.25", "0.5", "0.75", "1"]
    );
    assert_eq!(Setting::parse("x=3..5").unwrap().values, ["3", "4", "5"]);
    assert_eq!(
        Setting::parse("callers.patience=exp(mean=1m), \"lognormal(mean=5m, sd=2m)\"")
            .unwrap()
            .values,
        ["exp(mean=1m)", "lognormal(mean=5m, sd=2m)"]
    );
    for bad in [
        "seats",
        "=1..2",
        "a..b=1",
        "x=5..3",
        "x=1..2/0",
        "x=1,,2",
        "x=0..1000000",
    ] {
        assert!(Setting::parse(bad).is_err(), "{bad} should be refused");
    }
    // Each says what is wrong with it.
    for (bad, says) in [
        ("x=nan..5", "finite numbers"),
        ("x=0..inf", "finite numbers"),
        ("x=0..1/0", "step must be"),
        ("x=0..1/1e-300", "take a larger step"),
        ("x=0..1/1e-9", "take a larger step"),
    ] {
        let e = Setting::parse(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
    let g = grid(&[Setting::parse("a=1,2").unwrap(), Setting::parse("b=x,y,z").unwrap()]).unwrap();
    assert_eq!(g.len(), 6);
    assert_eq!(
        g[1],
        [("a".to_string(), "1".to_string()), ("b".to_string(), "y".to_string())]
    );
}

#[test]
fn values_are_set_in_the_tree_by_path() {
    let text = "hotline: T\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\nagents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";
    let mut tree = hotline::menu::yaml::parse(text, &Default::default()).unwrap();
    set(&mut tree, "agents.desk.seats", "7").unwrap();
    set(&mut tree, "nodes.q.max_wait", "2m").unwrap();
    let h = hotline::input::load_tree(&tree, text, "t.yaml", &LoadOptions::default())
        .hotline
        .unwrap();
    assert_eq!(h.pools[0].seats, 7);
    match &h.at(h.entry).kind {
        hotline::menu::Kind::Queue(q) => assert_eq!(q.max_wait, Some(120.0)),
        k => panic!("{k:?}"),
    }
    let err = set(&mut tree, "agents.dsk.seats", "1").unwrap_err();
    assert!(err.contains("did you mean \"desk\""), "{err}");
    let err = set(&mut tree, "hotline.x", "1").unwrap_err();
    assert!(err.contains("not a mapping"), "{err}");
}

const QUEUE: &str = "hotline: Queue\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
    agents:\n  desk: { seats: 10, handle_time: exp(mean=60s) }\n\
    callers:\n  arrivals: 8/m\nsimulation: { start: \"00:00\", duration: 40h, warmup: 2h, replications: 20, seed: 4 }\n";

#[test]
fn each_point_agrees_with_erlang_c_and_shares_the_seeds() {
    let settings = [Setting::parse("agents.desk.seats=9..11").unwrap()];
    let options = LoadOptions::default();
    let s = sweep(
        QUEUE,
        "queue.yaml",
        &settings,
        &options,
        &SimOptions::from_menu,
        &|_, _| {},
    )
    .unwrap();
    assert_eq!(s.points.len(), 3);
    for p in &s.points {
        let c = p.set["agents.desk.seats"].as_u64().unwrap() as u32;
        let th = erlang_c(8.0 / 60.0, 1.0 / 60.0, c);
        let e = p.metrics["p_wait"];
        let half = (e.ci95[1] - e.ci95[0]) / 2.0;
        assert!(
            (e.mean - th.p_wait).abs() <= 2.0 * half,
            "{c} seats: {e:?} vs {}",
            th.p_wait
        );
        assert!(half < 0.1 * th.p_wait);
    }
    // The point with the file's own value is exactly `simulate` of the file.
    let h = load_str(QUEUE, "queue.yaml", &options).hotline.unwrap();
    let r = simulate(&h, &SimOptions::from_menu(&h), &|_, _, _| {}).unwrap();
    assert_eq!(
        serde_json::to_string(&s.points[1].metrics).unwrap(),
        serde_json::to_string(&r.metrics).unwrap()
    );
    // Common random numbers: more seats never make the wait longer, point by point.
    let waits: Vec<f64> = s.points.iter().map(|p| p.metrics["mean_wait_s"].mean).collect();
    assert!(waits[0] > waits[1] && waits[1] > waits[2], "{waits:?}");
}

use crate::support::hotline;

#[test]
fn the_command_prints_json_csv_and_writes_a_report() {
    let out = hotline(&[
        "sweep",
        "menus/bank.yaml",
        "--set",
        "agents.general.seats=20,25",
        "--replications",
        "3",
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["points"][0]["set"]["agents.general.seats"], 20);
    assert!(v["points"][1]["metrics"]["service_level"]["ci95"].is_array());

    let out = hotline(&[
        "sweep",
        "menus/ecommerce_chat.yaml",
        "--set",
        "nodes.电话排队.busy.deflects=0,1",
        "--replications",
        "3",
        "-q",
        "--format",
        "csv",
    ]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("nodes.电话排队.busy.deflects,metric,mean,ci95_low,ci95_high,replications\n"),
        "{csv}"
    );

    let dir = std::env::temp_dir().join(format!("hotline-sweep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = hotline(&[
        "sweep",
        "menus/bank.yaml",
        "--set",
        "agents.general.seats=20..22",
        "--replications",
        "2",
        "-q",
        "--report",
        dir.to_str().unwrap(),
        "--metric",
        "mean_wait_s",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for f in [
        "index.html",
        "summary.json",
        "points.csv",
        "mean_wait_s.svg",
        "mean_wait_s.png",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let bad = hotline(&["sweep", "menus/bank.yaml", "--set", "agents.general.seats=-3", "-q"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("with agents.general.seats=-3: seats must be from 0"));
    let bad = hotline(&["sweep", "menus/bank.yaml", "--set", "seats"]);
    assert_eq!(bad.status.code(), Some(2), "a malformed --set is a usage error");
}

#[test]
fn sweeps_do_not_depend_on_threads() {
    let settings = [Setting::parse("agents.desk.seats=10,11").unwrap()];
    let options = LoadOptions::default();
    let with = |threads: usize| {
        let s = sweep(
            QUEUE,
            "queue.yaml",
            &settings,
            &options,
            &|h| {
                let mut o = SimOptions::from_menu(h);
                o.threads = threads;
                o.replications = 6;
                o
            },
            &|_, _| {},
        )
        .unwrap();
        serde_json::to_string(&s).unwrap()
    };
    assert_eq!(with(1), with(3));
}

#[test]
fn one_path_set_twice_is_a_usage_error_not_a_panic() {
    let out = hotline(&[
        "sweep",
        "menus/bank.yaml",
        "--set",
        "agents.sales.seats=1..2",
        "--set",
        "agents.sales.seats=3",
        "--replications",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("set twice") && !err.contains("panicked"), "{err}");
}

#[test]
fn no_progress_lines_when_standard_error_is_not_a_terminal() {
    let out = crate::support::hotline(&[
        "sweep",
        "menus/bank.yaml",
        "--set",
        "agents.general.seats=10,12",
        "--replications",
        "2",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("sweep point"), "{err}");
}
