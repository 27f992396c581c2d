//! Drives the real `hotline` binary on the menus in `menus/` and `menus/bad/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::hotline;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sample_menus() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("menus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_sample_menu_checks_clean() {
    let menus = sample_menus();
    assert!(menus.len() >= 7, "at least seven sample hotlines");
    for m in menus {
        let out = hotline(&["check", m.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", m.display(), stdout(&out));
        assert!(
            stdout(&out).contains(": ok (0 error(s), 0 warning(s))"),
            "{}",
            stdout(&out)
        );
    }
}

/// (file in menus/bad, code, line, column, node)
const BAD: &[(&str, &str, u32, u32, Option<&str>)] = &[
    ("yaml_syntax", "yaml-syntax", 17, 10, None),
    ("unknown_key", "unknown-key", 8, 5, Some("welcome")),
    ("missing_kind", "missing-key", 29, 3, Some("goodbye")),
    ("unknown_kind", "unknown-kind", 22, 11, Some("balance")),
    ("unknown_target", "unknown-target", 16, 18, Some("main")),
    ("unknown_entry", "unknown-entry", 4, 8, None),
    ("share_sum", "share-sum", 11, 3, Some("main")),
    ("negative_share", "bad-share", 16, 34, Some("main")),
    ("unknown_pool", "unknown-pool", 28, 11, Some("q_general")),
    ("bad_duration", "bad-duration", 18, 14, Some("main")),
    ("bad_distribution", "bad-distribution", 36, 13, None),
    ("bad_rate", "bad-rate", 35, 13, None),
    ("rate_without_unit", "bad-rate", 35, 13, None),
    ("duplicate_node", "duplicate-node", 32, 3, Some("balance")),
    ("duplicate_key", "duplicate-key", 24, 5, Some("balance")),
    ("retries_out_of_range", "retries-out-of-range", 18, 14, Some("main")),
    ("unknown_segment", "unknown-segment", 16, 61, Some("main")),
    ("segment_shares", "segment-shares", 35, 3, None),
    ("bad_hours", "bad-hours", 9, 24, Some("welcome")),
    ("missing_next", "missing-key", 7, 5, Some("welcome")),
    ("wrong_type", "wrong-type", 33, 21, None),
    ("bad_key", "bad-key", 17, 12, Some("main")),
    ("missing_on_misunderstood", "missing-key", 23, 17, Some("balance")),
    ("busy_rule", "bad-busy-rule", 29, 19, Some("q_general")),
    ("top_level_key", "unknown-key", 34, 1, None),
    ("chat_concurrency", "out-of-range", 22, 32, None),
    ("online_entry", "unknown-entry", 5, 15, None),
];

#[test]
fn each_bad_menu_gives_its_diagnostic() {
    for &(file, code, line, column, node) in BAD {
        let path = format!("menus/bad/{file}.yaml");
        let out = hotline(&["check", &path, "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{path} should fail");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = &v["files"][0];
        assert_eq!(f["ok"], false, "{path}");
        let diags = f["diagnostics"].as_array().unwrap();
        let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == "error").collect();
        assert_eq!(errors.len(), 1, "{path}: exactly one error, got {diags:?}");
        let d = errors[0];
        assert_eq!(d["code"], code, "{path}: {d}");
        assert_eq!(d["line"], line, "{path}: {d}");
        assert_eq!(d["column"], column, "{path}: {d}");
        assert_eq!(d["node"].as_str(), node, "{path}: {d}");
        assert!(!d["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn every_bad_menu_is_in_the_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bad");
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            BAD.iter().any(|b| b.0 == name) || name == "unused_pool",
            "menus/bad/{name}.yaml has no expected diagnostic"
        );
    }
}

#[test]
fn a_warning_alone_passes() {
    let out = hotline(&["check", "menus/bad/unused_pool.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["code"], "unused-pool");
}

#[test]
fn text_diagnostics_show_the_line_and_a_caret() {
    let out = hotline(&["check", "menus/bad/unknown_target.yaml"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "menus/bad/unknown_target.yaml:16:18: error[unknown-target]: node \"main\": option \"1\" goes to \"balanse\", which does not exist (did you mean \"balance\"?)"
        ),
        "{text}"
    );
    assert!(text.contains("16 |       \"1\": { to: balanse, share: 0.6 }"), "{text}");
    assert!(text.contains("   |                  ^^^^^^^"), "{text}");
}

#[test]
fn several_files_and_json_shape() {
    let out = hotline(&[
        "check",
        "menus/bank.yaml",
        "menus/bad/share_sum.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["ok"], true);
    assert_eq!(files[0]["path"], "menus/bank.yaml");
    assert_eq!(files[1]["ok"], false);
    for key in ["severity", "code", "message", "line", "column", "node"] {
        assert!(files[1]["diagnostics"][0].get(key).is_some(), "missing {key}");
    }
}

#[test]
fn unreadable_paths_and_bad_flags_exit_2() {
    let out = hotline(&["check", "menus/does_not_exist.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does_not_exist.yaml"));
    let out = hotline(&["check", "menus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
    let out = hotline(&["check", "--format", "xml", "menus/bank.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = hotline(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn schema_matches_the_committed_copy() {
    let out = hotline(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/hotline.schema.json")).unwrap();
    assert_eq!(
        stdout(&out),
        committed,
        "run `hotline schema > schema/hotline.schema.json`"
    );
}

#[test]
fn every_sample_menu_validates_against_the_schema() {
    let schema: Value = serde_json::from_slice(&hotline(&["schema"]).stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid JSON Schema");
    for m in sample_menus() {
        let text = std::fs::read_to_string(&m).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/hotline.schema.json"),
            "{} must point editors at the schema",
            m.display()
        );
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", m.display());
    }
    // The schema is strict enough to catch a misspelt key.
    let bad: Value = serde_saphyr::from_str(&std::fs::read_to_string("menus/bad/unknown_key.yaml").unwrap()).unwrap();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn analyze_json_has_the_documented_shape() {
    let out = hotline(&["analyze", "menus/mobile_operator_zh.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hotline"], "示例移动客服热线");
    let r = &v["reach_human"];
    for key in [
        "reachable",
        "selections",
        "seconds",
        "route",
        "probability",
        "expected_ivr_seconds",
    ] {
        assert!(r.get(key).is_some(), "reach_human.{key}");
    }
    assert_eq!(v["segments"]["老年人"]["selections"], 0);
    let f = &v["findings"][0];
    for key in ["rule", "severity", "node", "line", "column", "message", "source"] {
        assert!(f.get(key).is_some(), "findings[].{key}");
    }
    let text = stdout(&hotline(&["analyze", "menus/bank.yaml"]));
    assert!(text.contains("selections to human  2"), "{text}");
    assert!(
        text.contains("route                welcome → main → loans → q_sales"),
        "{text}"
    );
}

#[test]
fn analyze_refuses_a_broken_menu_with_its_diagnostics() {
    let out = hotline(&["analyze", "menus/bad/unknown_target.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown_target.yaml:16:18"), "{err}");
    let out = hotline(&["analyze", "menus/bank.yaml", "--rules", "menus/bad/missing_rules.yaml"]);
    assert_eq!(out.status.code(), Some(2), "an unreadable rules file");
}

#[test]
fn rules_lists_every_rule() {
    let text = stdout(&hotline(&["rules"]));
    for id in [
        "trap",
        "zero-out",
        "elderly-one-key",
        "max-wait-3min",
        "sludge",
        "menu-breadth",
        "long-greeting",
        "human-depth",
    ] {
        assert!(text.contains(id), "{id}");
    }
    let v: Value = serde_json::from_slice(&hotline(&["rules", "--format", "json"]).stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["source"].as_str().is_some_and(|s| !s.is_empty()))
    );
}

#[test]
fn graph_dot_and_mermaid() {
    for m in sample_menus() {
        let m = m.to_str().unwrap();
        let dot = stdout(&hotline(&["graph", m, "--format", "dot"]));
        assert!(dot.starts_with("digraph \"") && dot.trim_end().ends_with('}'), "{m}");
        assert!(dot.contains("color=\"#dd3333\""), "{m}: the route is highlighted");
        let mermaid = stdout(&hotline(&["graph", m, "--format", "mermaid"]));
        assert!(mermaid.contains("flowchart TD"), "{m}");
        assert!(
            !mermaid.lines().skip(4).any(|l| l.matches('"').count() % 2 == 1),
            "{m}: balanced quotes"
        );
        // Graphviz itself accepts the DOT (CI installs it; skipped only on a machine without it).
        let dot_tool = Command::new("dot").arg("-V").output().is_ok();
        assert!(dot_tool || std::env::var("CI").is_err(), "CI must install graphviz");
        if dot_tool {
            let mut child = Command::new("dot")
                .arg("-Tsvg")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{m}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let zh = stdout(&hotline(&[
        "graph",
        "menus/mobile_operator_zh.yaml",
        "--format",
        "mermaid",
    ]));
    assert!(zh.contains("主菜单") && zh.contains("title: \"示例移动客服热线\""));
}

#[test]
fn survey_over_the_sample_menus() {
    let out = hotline(&["survey", "menus", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() > 20, "menus/ and menus/bad/");
    let bad = rows.iter().find(|r| r["file"] == "menus/bad/share_sum.yaml").unwrap();
    assert!(bad["error"].as_str().unwrap().contains("add up to 0.9"));
    let a = &v["aggregate"];
    assert_eq!(a["hotlines"], 10, "nine samples and the warning-only bad menu load");
    assert_eq!(a["online"], 2, "two samples have an online entry");
    let chat = rows
        .iter()
        .find(|r| r["file"] == "menus/group_buying_chat.yaml")
        .unwrap();
    assert_eq!(
        (&chat["online_reachable"], &chat["online_selections"]),
        (&Value::Bool(true), &Value::from(1))
    );
    let text = stdout(&hotline(&["survey", "menus", "--max-depth", "1"]));
    assert!(
        text.contains("needing 2 or more selections before a human: 22.2%")
            && text.contains("2 hotline(s) with an online entry"),
        "{text}"
    );
    assert!(text.contains("示例移动客服热线"));
    let csv = stdout(&hotline(&["survey", "menus", "--max-depth", "1", "--format", "csv"]));
    assert_eq!(
        csv.lines().next().unwrap(),
        "name,file,reachable,selections,seconds,one_press_everywhere,elderly_line,deflection_loop,online_reachable,online_selections,errors,warnings,error"
    );
    assert_eq!(csv.lines().count(), 10);
}

#[test]
fn the_readme_lists_every_diagnostic_code() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for (_, name, meaning) in hotline::diag::CODES {
        assert!(
            readme.contains(&format!("| `{name}` | {meaning} |")),
            "README.md's diagnostics table lacks `{name}`"
        );
    }
}
