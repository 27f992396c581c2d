//! Report writing: files present, stable CSV columns, JSON equal to
//! `--format json`, identical files on a rerun, and nothing of the user's
//! overwritten.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::hotline;

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
        "scope,name,metric,mean,ci95_low,ci95_high,replications"
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

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn expected_names(files: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = files.iter().map(|s| s.to_string()).collect();
    v.extend([".hotline-lock".to_string(), ".hotline-report".to_string()]);
    v.sort();
    v
}

/// A menu whose simulation runs for a while (to be interrupted or raced).
fn long_menu() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output/long_report.yaml");
    std::fs::write(
        &p,
        "hotline: L\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 10, handle_time: exp(mean=1m) }\n\
         callers:\n  arrivals: 9.5/m\n  patience: exp(mean=2m)\nsimulation: { duration: 8000h, replications: 400 }\n",
    )
    .unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn a_report_folder_holds_exactly_the_files_of_its_run() {
    let dir = out_dir("report_then_compare");
    assert!(simulate_report("menus/bank.yaml", &dir).status.success());
    assert_eq!(names(&dir), expected_names(FILES));
    // A comparison written over it leaves none of the simulation's files.
    let out = hotline(&[
        "compare",
        "menus/bank.yaml",
        "menus/well_designed.yaml",
        "--replications",
        "3",
        "--quiet",
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after = names(&dir);
    for gone in [
        "metrics.csv",
        "replications.csv",
        "menu.svg",
        "menu.png",
        "queue_length.svg",
    ] {
        assert!(!after.contains(&gone.to_string()), "{gone} left in {after:?}");
    }
    assert!(after.contains(&"index.html".to_string()));
}

#[test]
fn files_of_the_user_in_an_earlier_report_are_never_touched() {
    let dir = out_dir("report_with_user_file");
    assert!(simulate_report("menus/bank.yaml", &dir).status.success());
    // A file of the user's beside the report.
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = simulate_report("menus/bank.yaml", &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.txt"));
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    std::fs::remove_file(dir.join("notes.txt")).unwrap();
    // A report file the user edited.
    std::fs::write(dir.join("index.html"), "my edits").unwrap();
    let out = simulate_report("menus/bank.yaml", &dir);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.join("index.html")).unwrap(), "my edits");
}

#[test]
fn temporary_folders_of_dead_runs_are_cleaned_up() {
    let dir = out_dir("report_stale_tmp");
    std::fs::create_dir_all(dir.join(".hotline-tmp-999999999/x")).unwrap();
    assert!(simulate_report("menus/bank.yaml", &dir).status.success());
    assert_eq!(names(&dir), expected_names(FILES));
    std::fs::create_dir_all(dir.join(".hotline-tmp-999999998")).unwrap();
    assert!(simulate_report("menus/bank.yaml", &dir).status.success());
    assert_eq!(names(&dir), expected_names(FILES));
}

#[test]
fn a_second_run_into_a_locked_folder_is_refused_and_signals_leave_nothing() {
    let dir = out_dir("report_locked");
    let menu = long_menu();
    for signal in ["-INT", "-TERM"] {
        let first = Command::new(env!("CARGO_BIN_EXE_hotline"))
            .args(["simulate", &menu, "--quiet", "--report", dir.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(700));
        let second = simulate_report("menus/bank.yaml", &dir);
        assert_eq!(second.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&second.stderr).contains("another hotline run"));
        Command::new("kill")
            .args([signal, &first.id().to_string()])
            .status()
            .unwrap();
        let out = first.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{signal}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!dir.exists(), "{signal}: the folder the run created is gone");
    }
}

#[test]
fn unusable_report_folders_are_refused_before_the_run() {
    let menu = long_menu();
    let start = std::time::Instant::now();
    let out = hotline(&["simulate", &menu, "--quiet", "--report", "/proc/hotline-cannot-be-here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "refused before simulating"
    );
    let link = out_dir("report_dangling_link");
    std::os::unix::fs::symlink("/nonexistent/hotline", &link).unwrap();
    let out = hotline(&["simulate", &menu, "--quiet", "--report", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("link to something that does not exist"));
    let _ = std::fs::remove_file(&link);
}
