//! Shards and merge: for several N (R not divisible by N), merging the
//! partial files gives byte-identical JSON and report files to one run;
//! missing, duplicated, foreign and damaged parts are refused.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::hotline;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hotline-shard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every file of a report folder, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .filter(|(n, _)| n != ".hotline-lock")
        .collect();
    v.sort();
    v
}

fn shards(menu: &str, r: &str, n: u32, dir: &Path) -> Vec<String> {
    (0..n)
        .map(|k| {
            let part = dir.join(format!("part{k}.json")).to_string_lossy().into_owned();
            let out = hotline(&[
                "simulate",
                menu,
                "--replications",
                r,
                "--shard",
                &format!("{k}/{n}"),
                "--partial",
                &part,
                "-q",
            ]);
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            part
        })
        .collect()
}

#[test]
fn merged_shards_are_byte_identical_to_one_run() {
    for menu in ["menus/ecommerce_chat.yaml", "menus/mobile_operator_zh.yaml"] {
        let dir = scratch("same");
        let single_report = dir.join("single");
        let single = hotline(&[
            "simulate",
            menu,
            "--replications",
            "10",
            "--format",
            "json",
            "--report",
            single_report.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(single.status.code(), Some(0));
        for n in [1u32, 3, 7] {
            let parts = shards(menu, "10", n, &dir);
            // Any order of the files.
            let mut args: Vec<&str> = vec!["merge", "--format", "json", "-q"];
            args.extend(parts.iter().rev().map(String::as_str));
            let report = dir.join(format!("merged{n}"));
            let r = report.to_string_lossy().into_owned();
            args.extend(["--report", r.as_str()]);
            let merged = hotline(&args);
            assert_eq!(
                merged.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&merged.stderr)
            );
            assert!(single.stdout == merged.stdout, "{menu}: JSON differs with {n} shards");
            assert!(
                files(&single_report) == files(&report),
                "{menu}: report files differ with {n} shards"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn missing_duplicated_foreign_and_damaged_parts_are_refused() {
    let dir = scratch("bad");
    let parts = shards("menus/bank.yaml", "10", 3, &dir);
    let refused = |args: &[&str], why: &str| {
        let mut all = vec!["merge"];
        all.extend(args);
        let out = hotline(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains(why), "{args:?}: {err}");
    };
    refused(&[&parts[0], &parts[2]], "missing: shard 1/3 (replications 3–5)");
    refused(&[&parts[0], &parts[1], &parts[1], &parts[2]], "both hold shard 1/3");
    let foreign = dir.join("foreign.json").to_string_lossy().into_owned();
    let out = hotline(&[
        "simulate",
        "menus/well_designed.yaml",
        "--replications",
        "10",
        "--shard",
        "1/3",
        "--partial",
        &foreign,
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    refused(&[&parts[0], &foreign, &parts[2]], "another menu");
    let other_seed = dir.join("seed.json").to_string_lossy().into_owned();
    hotline(&[
        "simulate",
        "menus/bank.yaml",
        "--replications",
        "10",
        "--seed",
        "7",
        "--shard",
        "1/3",
        "--partial",
        &other_seed,
        "-q",
    ]);
    refused(&[&parts[0], &other_seed, &parts[2]], "other run settings");
    // Damaged: cut in half, and a bin count changed.
    let text = std::fs::read_to_string(&parts[1]).unwrap();
    let cut = dir.join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    refused(&[&parts[0], cut.to_str().unwrap(), &parts[2]], "damaged");
    let edited = dir.join("edited.json");
    std::fs::write(&edited, text.replacen("\"total\":", "\"total\":1", 1)).unwrap();
    refused(&[&parts[0], edited.to_str().unwrap(), &parts[2]], "damaged");
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"format\": \"something else\"}").unwrap();
    refused(&[junk.to_str().unwrap()], "not a hotline partial file");
    // A shard cannot write a report; K must be below N.
    let out = hotline(&[
        "simulate",
        "menus/bank.yaml",
        "--shard",
        "0/2",
        "--partial",
        &parts[0],
        "--report",
        dir.join("r").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = hotline(&["simulate", "menus/bank.yaml", "--shard", "2/2", "--partial", &parts[0]]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn auto_shards_read_slurm_and_kubernetes_indices() {
    let dir = scratch("auto");
    for (var, k) in [("SLURM_ARRAY_TASK_ID", "1"), ("JOB_COMPLETION_INDEX", "2")] {
        let part = dir.join(format!("{var}.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
            .args([
                "simulate",
                "menus/bank.yaml",
                "--replications",
                "6",
                "--shard",
                "auto/3",
                "--partial",
                part.to_str().unwrap(),
                "-q",
            ])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .env(var, k)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&part).unwrap()).unwrap();
        assert_eq!(v["shard"][0].as_u64(), Some(k.parse().unwrap()));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn survey_shards_merge_into_the_whole_table() {
    let dir = scratch("survey");
    let whole = hotline(&["survey", "menus", "--format", "json"]);
    for n in [1u32, 3, 7] {
        let parts: Vec<String> = (0..n)
            .map(|k| {
                let part = dir.join(format!("s{k}.json")).to_string_lossy().into_owned();
                let out = hotline(&["survey", "menus", "--shard", &format!("{k}/{n}"), "--partial", &part]);
                assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
                part
            })
            .collect();
        let mut args = vec!["merge", "--format", "json"];
        args.extend(parts.iter().map(String::as_str));
        let merged = hotline(&args);
        assert!(whole.stdout == merged.stdout, "survey differs with {n} shards");
    }
    let out = hotline(&["merge", dir.join("s0.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "shards 1..6 of 7 are missing");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sweep_shards_merge_into_the_whole_grid() {
    let dir = scratch("sweep");
    let args = [
        "sweep",
        "menus/bank.yaml",
        "--set",
        "agents.general.seats=20..24",
        "--replications",
        "3",
        "-q",
    ];
    let mut whole_args = args.to_vec();
    whole_args.extend(["--format", "json"]);
    let whole = hotline(&whole_args);
    assert_eq!(whole.status.code(), Some(0));
    for n in [1u32, 3, 7] {
        let parts: Vec<String> = (0..n)
            .map(|k| {
                let part = dir.join(format!("w{k}.json")).to_string_lossy().into_owned();
                let shard = format!("{k}/{n}");
                let mut a = args.to_vec();
                a.extend(["--shard", shard.as_str(), "--partial", part.as_str()]);
                let out = hotline(&a);
                assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
                part
            })
            .collect();
        let mut m = vec!["merge", "--format", "json"];
        m.extend(parts.iter().rev().map(String::as_str));
        let merged = hotline(&m);
        assert!(whole.stdout == merged.stdout, "sweep differs with {n} shards");
    }
    let out = hotline(&["merge", dir.join("w0.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}
