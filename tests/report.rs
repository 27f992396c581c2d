//! Report writing: files present, stable CSV columns, JSON equal to
//! `--format json`, identical files on a rerun, and nothing of the user's
//! overwritten.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hotline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hotline binary runs")
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.parent().unwrap()).unwrap();
    d
}

const FILES: &[&str] = &[
    "index.html",
    "report.md",
    "summary.json",
    "metrics.csv",
    "replications.csv",
    "wait_cdf.svg",
    "wait_cdf.png",
    "time_to_human.svg",
    "time_to_human.png",
    "queue_length.svg",
    "queue_length.png",
    "seats_busy.svg",
    "seats_busy.png",
    "outcomes.svg",
    "outcomes.png",
    "menu.svg",
    "menu.png",
];

fn simulate_report(menu: &str, dir: &Path) -> Output {
    hotline(&[
        "simulate",
        menu,
        "--replications",
        "4",
        "--seed",
        "9",
        "--report",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ])
}

#[test]
fn a_report_has_every_file_and_json_equals_stdout() {
    let dir = out_dir("report_bank");
    let out = simulate_report("menus/bank.yaml", &dir);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for f in FILES {
        let p = dir.join(f);
        assert!(
            std::fs::metadata(&p).map(|m| m.len() > 100).unwrap_or(false),
            "{f} is missing or empty"
        );
    }
    assert_eq!(
        std::fs::read(dir.join("summary.json")).unwrap(),
        out.stdout,
        "summary.json is what --format json prints"
    );
    let png = std::fs::read(dir.join("wait_cdf.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".hotline-tmp"))
        .collect();
    assert!(leftovers.is_empty());

    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    assert_eq!(
        metrics.lines().next().unwrap(),
        "scope,name,metric,mean,ci95_low,ci95_high"
    );
    assert!(metrics.contains("\nall,,p_reach_human,"));
    assert!(metrics.contains("\nqueue,q_general,service_level,"));
    let reps = std::fs::read_to_string(dir.join("replications.csv")).unwrap();
    assert!(
        reps.starts_with("replication,queued_calls,p_wait,mean_wait_s,mean_wait_answered_s,p_abandon,"),
        "{}",
        reps.lines().next().unwrap()
    );
    assert_eq!(reps.lines().count(), 5, "a header and one row per replication");

    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.starts_with("# Example Bank"));
    assert!(md.contains("![wait_cdf](wait_cdf.svg)"));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"),
        "self-contained"
    );
    assert_eq!(html.matches("<figure").count(), 6);
}

#[test]
fn a_rerun_on_the_same_seed_gives_identical_files() {
    let a = out_dir("report_rerun_a");
    let b = out_dir("report_rerun_b");
    assert!(simulate_report("menus/ecommerce.yaml", &a).status.success());
    assert!(simulate_report("menus/ecommerce.yaml", &b).status.success());
    for f in FILES {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // Rerunning into the same folder replaces the report.
    assert!(simulate_report("menus/ecommerce.yaml", &a).status.success());
}

#[test]
fn a_folder_of_other_files_is_never_overwritten() {
    let dir = out_dir("report_user_files");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "mine").unwrap();
    let out = simulate_report("menus/bank.yaml", &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a hotline report"));
    assert_eq!(std::fs::read_to_string(dir.join("index.html")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // A file where the folder should be.
    let file = out_dir("report_is_a_file");
    std::fs::write(&file, "x").unwrap();
    let out = simulate_report("menus/bank.yaml", &file);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn compare_two_designs() {
    let dir = out_dir("compare");
    let out = hotline(&[
        "compare",
        "menus/bank.yaml",
        "menus/well_designed.yaml",
        "--replications",
        "4",
        "--format",
        "json",
        "--quiet",
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["a"]["hotline"], "Example Bank");
    assert_eq!(v["b"]["reach_human"]["selections"], 1);
    let m = &v["metrics"]["p_reach_human"];
    let (a, b, d) = (
        m["a"]["mean"].as_f64().unwrap(),
        m["b"]["mean"].as_f64().unwrap(),
        m["difference"]["mean"].as_f64().unwrap(),
    );
    assert!(
        (b - a - d).abs() < 1e-9,
        "the paired mean difference is the difference of means"
    );
    assert!(m["difference"]["ci95"][0].as_f64().unwrap() <= d);
    for f in [
        "index.html",
        "report.md",
        "summary.json",
        "wait_cdf.svg",
        "wait_cdf.png",
        "outcomes.png",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let text = String::from_utf8_lossy(
        &hotline(&[
            "compare",
            "menus/bank.yaml",
            "menus/well_designed.yaml",
            "--replications",
            "3",
            "--quiet",
        ])
        .stdout,
    )
    .into_owned();
    assert!(text.contains("B − A (paired)"), "{text}");
}
