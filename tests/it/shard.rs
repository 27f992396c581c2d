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
    assert_eq!(out.status.code(), Some(2));
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

/// A partial file as JSON, edited by `edit`, written beside the others.
fn forged(dir: &Path, name: &str, from: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(from).unwrap()).unwrap();
    edit(&mut v);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn forged_partial_files_are_refused_not_trusted() {
    let dir = scratch("forged");
    let parts = shards("menus/bank.yaml", "10", 2, &dir);
    let whole = hotline(&["merge", &parts[0], &parts[1], "--format", "json"]);
    assert_eq!(whole.status.code(), Some(0));
    // Each edit must be refused with exit 1, the file named, and no panic.
    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "zero-shards",
            |v| v["shard"] = serde_json::json!([0, 0]),
            "N runs from 1",
        ),
        ("k-above-n", |v| v["shard"] = serde_json::json!([5, 2]), "K from 0"),
        (
            "huge-replications",
            |v| v["head"]["settings"]["replications"] = 4_000_000_000u64.into(),
            "replications = 4000000000",
        ),
        (
            "zero-replications",
            |v| v["head"]["settings"]["replications"] = 0.into(),
            "replications = 0",
        ),
        (
            "longer-queues",
            |v| {
                let q = v["items"][0]["queues"][0].clone();
                v["items"][0]["queues"].as_array_mut().unwrap().push(q);
            },
            "queues has",
        ),
        (
            "answered-above-queued",
            |v| {
                let q = &mut v["items"][0]["queues"][0];
                q["answered"] = (q["queued"].as_u64().unwrap() + 5).into();
            },
            "answered",
        ),
        (
            "wrapping-sum",
            |v| v["items"][0]["callers"]["callers"] = u64::MAX.into(),
            "callers.callers",
        ),
        (
            "negative-sum",
            |v| v["items"][0]["total"]["wait_sum"] = (-5.0).into(),
            "wait_sum",
        ),
        ("empty-items", |v| v["items"] = serde_json::json!([]), "should hold"),
        (
            "items-first",
            |v| {
                let o = v.as_object_mut().unwrap();
                let head = o.shift_remove("head").unwrap();
                o.insert("head".into(), head);
            },
            "before the head",
        ),
        ("unknown-field", |v| v["surprise"] = 1.into(), "unknown field"),
        ("other-version", |v| v["version"] = 99.into(), "version 99"),
    ];
    for (name, edit, why) in cases {
        let bad = forged(&dir, &format!("{name}.json"), &parts[1], edit);
        let out = hotline(&["merge", &parts[0], &bad]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(why) && err.contains(&bad), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing printed");
    }
    // Files larger than the limit are refused before they are read.
    let out = hotline(&["merge", &parts[0], &parts[1], "--max-bytes", "1000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("above the limit of 1000 bytes"));
    // A folder, a device or a FIFO is not a partial file: exit 2.
    for p in [dir.to_str().unwrap(), "/dev/null"] {
        let out = hotline(&["merge", p]);
        assert_eq!(out.status.code(), Some(2), "{p}");
    }
    let fifo = dir.join("fifo.json");
    if Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        let out = hotline(&["merge", fifo.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
    }

    // Survey and sweep partials: shard counts and sizes as the flags have them.
    let s0 = dir.join("s0.json").to_string_lossy().into_owned();
    assert_eq!(
        hotline(&["survey", "menus", "--shard", "0/2", "--partial", &s0])
            .status
            .code(),
        Some(0)
    );
    for (name, edit, why) in [
        (
            "survey-shards",
            (|v| v["shard"] = serde_json::json!([0, 4_000_000_000u64])) as Edit,
            "N runs from 1",
        ),
        (
            "survey-files",
            |v| v["head"]["files"] = 4_000_000_000u64.into(),
            "files = 4000000000",
        ),
    ] {
        let bad = forged(&dir, &format!("{name}.json"), &s0, edit);
        let out = hotline(&["merge", &bad]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(why), "{name}");
    }
    let w0 = dir.join("w0.json").to_string_lossy().into_owned();
    let out = hotline(&[
        "sweep",
        "menus/bank.yaml",
        "--set",
        "agents.sales.seats=3..4",
        "--replications",
        "2",
        "-q",
        "--shard",
        "0/1",
        "--partial",
        &w0,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let bad = forged(&dir, "sweep-zero.json", &w0, |v| v["shard"] = serde_json::json!([0, 0]));
    assert_eq!(hotline(&["merge", &bad]).status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn partial_files_never_replace_an_input_or_what_is_not_a_partial() {
    let dir = scratch("never");
    let menu = dir.join("bank.yaml");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml"), &menu).unwrap();
    let before = std::fs::read(&menu).unwrap();
    let m = menu.to_str().unwrap();
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "mine").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&notes, &link).unwrap();
    let sets = ["--set", "agents.sales.seats=3"];
    for target in [
        m,
        "/dev/null",
        dir.to_str().unwrap(),
        notes.to_str().unwrap(),
        link.to_str().unwrap(),
    ] {
        for cmd in [
            vec!["simulate", m, "--replications", "2"],
            [vec!["sweep", m, "--replications", "2"], sets.to_vec()].concat(),
            vec!["survey", dir.to_str().unwrap()],
        ] {
            let mut args = cmd.clone();
            args.extend(["--shard", "0/1", "--partial", target, "-q"]);
            if cmd[0] == "survey" {
                args.pop();
            }
            let out = hotline(&args);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert_eq!(std::fs::read(&menu).unwrap(), before, "the menu is untouched");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "mine");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(Path::new("/dev/null").metadata().is_ok_and(|m| !m.is_file()));
    // An earlier partial file is replaced.
    let part = dir.join("p.json");
    for _ in 0..2 {
        let out = hotline(&[
            "simulate",
            m,
            "--replications",
            "2",
            "--shard",
            "0/1",
            "--partial",
            part.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
