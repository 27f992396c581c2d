//! The regulator's report: a generated folder of about fifty menus with
//! known properties (depth to a human, 65+ lines, deflection loops, chat
//! bots that make customers insist, hotlines without a human, invalid
//! files), surveyed into text, JSON, CSV and the report; the compliance
//! matrix; inspectors' test calls flagged exactly where they disagree.

use std::path::Path;
use std::process::Command;

use crate::support::hotline;
use serde_json::Value;

/// What the generator knows of each menu.
struct Known {
    file: String,
    depth: Option<u32>,
    elderly: bool,
    deflection: bool,
    online_insist: Option<u32>,
}

/// A menu with a human `depth` selections deep (`None`: no human), a 65+
/// segment routed straight to a queue, a busy deflection online that
/// calls back, and a chat bot whose handover needs `insist` requests.
fn menu(name: &str, depth: Option<u32>, elderly: bool, deflection: bool, insist: Option<u32>) -> String {
    let mut s = format!("hotline: {name}\nentry: start\nnodes:\n");
    s.push_str(if elderly {
        "  start: { kind: branch, cases: [ { if: { segment: 老年人 }, to: q } ], else: m0 }\n"
    } else {
        "  start: { kind: prompt, say: 欢迎, duration: 3s, next: m0 }\n"
    });
    let levels = depth.unwrap_or(2).max(1);
    for i in 0..levels {
        let next = if i + 1 == levels {
            if depth.is_some() {
                "q".to_string()
            } else {
                "bye".to_string()
            }
        } else {
            format!("m{}", i + 1)
        };
        s.push_str(&format!(
            "  m{i}: {{ kind: menu, say: 请选择, duration: 5s, options: {{ \"1\": {{ to: {next}, share: 0.6 }}, \"2\": {{ to: bye, share: 0.4 }} }} }}\n"
        ));
    }
    if deflection {
        s.push_str("  q: { kind: queue, pool: desk, busy: { when: { queue_length: 5 }, deflects: 0.5, to: app } }\n");
        s.push_str("  app: { kind: online, resolves: 0.2, calls_back: { share: 0.5, after: exp(mean=10m) } }\n");
    } else {
        s.push_str("  q: { kind: queue, pool: desk }\n");
    }
    s.push_str("  bye: { kind: hangup }\n");
    if let Some(k) = insist {
        s.push_str(&format!(
            "  bot: {{ kind: speech, channel: online, say: 您好, understood: 1, intents: {{ human: {{ to: chatq, share: 1, insist: {k} }} }} }}\n  chatq: {{ kind: queue, channel: online, pool: chat }}\nonline_entry: bot\n"
        ));
    }
    s.push_str("agents:\n  desk: { seats: 3, handle_time: exp(mean=3m) }\n");
    if insist.is_some() {
        s.push_str("  chat: { seats: 2, handle_time: exp(mean=5m) }\n");
    }
    if elderly {
        s.push_str("callers: { arrivals: 30/h, segments: { 老年人: { share: 0.2 } } }\n");
    }
    s
}

/// Fifty menus and two files that do not load, in a fresh folder.
fn generate(dir: &Path) -> Vec<Known> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut known = Vec::new();
    for i in 0..50u32 {
        let depth = if i % 10 == 9 { None } else { Some(1 + i % 4) };
        let elderly = i % 5 == 0;
        let deflection = i % 7 == 3;
        let insist = (i % 6 == 1).then_some(1 + (i / 6) % 3);
        let file = format!("热线{i:02}.yaml");
        std::fs::write(
            dir.join(&file),
            menu(&format!("热线 {i}"), depth, elderly, deflection, insist),
        )
        .unwrap();
        known.push(Known {
            file,
            depth,
            elderly,
            deflection,
            online_insist: insist,
        });
    }
    std::fs::write(dir.join("broken.yaml"), "hotline: Broken\nentry: nowhere\nnodes: {}\n").unwrap();
    std::fs::write(dir.join("cut.yaml"), "hotline: Cut\nnodes: [\n").unwrap();
    known
}

fn share(n: usize, of: usize) -> f64 {
    n as f64 / of as f64
}

fn run(args: &[&str]) -> std::process::Output {
    let out = hotline(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_shares_are_those_the_generator_knows_in_every_format() {
    let dir = std::env::temp_dir().join(format!("hotline-survey-gen-{}", std::process::id()));
    let known = generate(&dir);
    let d = dir.to_str().unwrap();
    let json: Value = serde_json::from_slice(&run(&["survey", d, "--format", "json"]).stdout).unwrap();
    let a = &json["aggregate"];
    let n = known.len();
    assert_eq!(a["files"], n + 2);
    assert_eq!(a["hotlines"], n);
    let close = |key: &str, want: f64| {
        let got = a[key].as_f64().unwrap_or_else(|| panic!("{key}: {a}"));
        assert!((got - want).abs() < 1e-12, "{key}: {got} against {want}");
    };
    close(
        "share_two_or_more_selections",
        share(known.iter().filter(|k| k.depth.is_some_and(|d| d >= 2)).count(), n),
    );
    close(
        "share_no_human",
        share(known.iter().filter(|k| k.depth.is_none()).count(), n),
    );
    close(
        "share_elderly_line",
        share(known.iter().filter(|k| k.elderly).count(), n),
    );
    close(
        "share_deflection",
        share(known.iter().filter(|k| k.deflection && k.depth.is_some()).count(), n),
    );
    let online: Vec<&Known> = known.iter().filter(|k| k.online_insist.is_some()).collect();
    assert_eq!(a["online"], online.len());
    close(
        "share_online_two_or_more",
        share(
            online.iter().filter(|k| k.online_insist.unwrap() >= 2).count(),
            online.len(),
        ),
    );
    // Each row as the generator made it.
    for k in &known {
        let row = json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(&k.file))
            .unwrap();
        match k.depth {
            Some(d) => assert_eq!(row["selections"], d, "{}", k.file),
            None => assert_eq!(row["reachable"], false, "{}", k.file),
        }
    }
    // The CSV has the same rows; the text the same headline.
    let csv = String::from_utf8(run(&["survey", d, "--format", "csv"]).stdout).unwrap();
    assert_eq!(csv.lines().count(), n + 2 + 1);
    let text = String::from_utf8(run(&["survey", d]).stdout).unwrap();
    let pct = (a["share_two_or_more_selections"].as_f64().unwrap() * 100.0).round();
    assert!(text.contains(&format!("{pct:.0}%")), "{text}");
    // The report says the same.
    let report = dir.with_extension("report");
    let _ = std::fs::remove_dir_all(&report);
    run(&[
        "survey",
        d,
        "--report",
        report.to_str().unwrap(),
        "--comply",
        "spain,il-hb3653",
    ]);
    for f in [
        "index.html",
        "report.md",
        "survey.json",
        "survey.csv",
        "headline.svg",
        "selections.png",
        "seconds.svg",
    ] {
        assert!(report.join(f).is_file(), "{f} missing");
    }
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    let two = known.iter().filter(|k| k.depth.is_some_and(|d| d >= 2)).count();
    assert!(
        md.contains(&format!(
            "| two or more selections before a human | {pct:.0}% | {two} of {n} |"
        )),
        "{md}"
    );
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("热线 0") && html.contains("<h2>Compliance</h2>"));
    // The matrix counts: the Illinois bill passes exactly where the first
    // menu offers a queue in one choice (depth 1, or the 65+ branch does
    // not count: the main menu is m0 for everyone else).
    let report_json: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("survey.json")).unwrap()).unwrap();
    let il = report_json["aggregate"]["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v[0] == "il-hb3653-human-at-start")
        .unwrap()
        .clone();
    let depth_one = known.iter().filter(|k| k.depth == Some(1)).count();
    assert_eq!(il[1], depth_one, "{il}");
    assert_eq!(il[2], n - depth_one, "{il}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&report);
}

#[test]
fn test_calls_are_flagged_exactly_where_they_disagree() {
    let dir = std::env::temp_dir().join(format!("hotline-survey-calls-{}", std::process::id()));
    let known = generate(&dir);
    let d = dir.to_str().unwrap();
    let calls = dir.with_extension("csv");
    // 热线00 (depth 1): agrees. 热线01 (depth 2): the calls needed 4.
    // 热线02 (depth 3): never reached a human. 热线09 (no human): none
    // reached, as declared. 热线05: bounced online, not declared.
    // A call of a hotline that is not in the folder: a warning.
    std::fs::write(
        &calls,
        "hotline,date,channel,selections,seconds_to_human,reached_human,bounced,notes\n\
         热线00.yaml,2026-11-02,phone,1,40,yes,0,\n\
         热线00,2026-11-03,phone,1,55,yes,0,by file stem\n\
         热线 1,2026-11-02,phone,4,200,yes,0,by name\n\
         热线01.yaml,2026-11-03,phone,4,180,yes,0,\n\
         热线02.yaml,2026-11-02,phone,3,,no,0,hung up on\n\
         热线09.yaml,2026-11-02,phone,2,,no,0,\n\
         热线05.yaml,2026-11-02,phone,2,90,yes,1,sent to the app\n\
         nowhere.yaml,2026-11-02,phone,1,10,yes,0,\n",
    )
    .unwrap();
    let out = run(&["survey", d, "--calls", calls.to_str().unwrap(), "--format", "json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"nowhere.yaml\", which names no hotline"));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = |f: &str| {
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(f))
            .unwrap()
            .clone()
    };
    let findings = |f: &str| -> Vec<String> {
        row(f)["calls"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(row("热线00.yaml")["calls"]["count"], 2);
    assert!(findings("热线00.yaml").is_empty());
    assert_eq!(
        findings("热线01.yaml"),
        vec!["the menu declares 2 selection(s) to a human, the test calls needed 4 (median)"]
    );
    assert_eq!(
        findings("热线02.yaml"),
        vec!["the menu has a human, the 1 test call(s) never reached one"]
    );
    assert!(findings("热线09.yaml").is_empty());
    assert_eq!(
        findings("热线05.yaml"),
        vec!["the test calls were sent to another channel 1 time(s), which the menu does not declare"]
    );
    // Nowhere else.
    let flagged = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["calls"]["findings"].as_array().is_some_and(|f| !f.is_empty()))
        .count();
    assert_eq!(flagged, 3);
    assert_eq!(known.len(), 50);
    // A bad line is named.
    std::fs::write(&calls, "hotline,reached_human\n热线00.yaml,maybe\n").unwrap();
    let out = hotline(&["survey", d, "--calls", calls.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":2: reached_human is \"maybe\""));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&calls);
}

/// The report in Chromium: the overview and a card, Chinese text included.
#[test]
fn the_survey_report_renders_in_chromium() {
    let Some(browser) = crate::support::chromium() else {
        assert!(std::env::var("CI").is_err(), "CI must install chromium (.ci/run does)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("tests/output/survey-report");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let report = out.join("report");
    let o = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args([
            "survey",
            "menus",
            "--max-depth",
            "1",
            "--comply",
            "spain,miit",
            "--report",
        ])
        .arg(&report)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let url = format!("file://{}", report.join("index.html").display());
    let profile = out.join("profile");
    let base = [
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let dom = Command::new(&browser)
        .args(&base)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom", &url])
        .output()
        .unwrap();
    // No console message from the page (it has no script; a broken image
    // or a bad link would be logged here).
    let log = String::from_utf8_lossy(&dom.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console: {console:?}");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("示例移动客服热线"), "the Chinese name is in the page");
    assert!(dom.contains("<h2>Compliance</h2>") && dom.contains("class=\"card\""));
    assert!(
        dom.contains("<span class=\"step\">主菜单</span>"),
        "a card draws its route"
    );
    for (name, size) in [("overview", "1200,1600"), ("cards", "1200,6000")] {
        let shot = out.join(format!("{name}.png"));
        let s = Command::new(&browser)
            .args(&base)
            .args([
                format!("--screenshot={}", shot.display()),
                format!("--window-size={size}"),
                url.clone(),
            ])
            .output()
            .unwrap();
        assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
            "{name} screenshot"
        );
    }
}

/// Verdicts travel in the partial files: shards merged give exactly the
/// survey of one run; shards of other packs are refused.
#[test]
fn shards_with_verdicts_merge_into_one_run() {
    let dir = std::env::temp_dir().join(format!("hotline-survey-shards-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let whole = run(&["survey", "menus", "--comply", "spain,tx-hb3762", "--format", "json"]).stdout;
    let mut parts = Vec::new();
    for k in 0..3 {
        let p = dir.join(format!("part-{k}.json"));
        run(&[
            "survey",
            "menus",
            "--comply",
            "spain,tx-hb3762",
            "--shard",
            &format!("{k}/3"),
            "--partial",
            p.to_str().unwrap(),
        ]);
        parts.push(p.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge", "--format", "json"];
    args.extend(parts.iter().map(String::as_str));
    assert_eq!(
        String::from_utf8(run(&args).stdout).unwrap(),
        String::from_utf8(whole).unwrap()
    );
    let other = dir.join("other.json");
    run(&[
        "survey",
        "menus",
        "--comply",
        "spain",
        "--shard",
        "0/3",
        "--partial",
        other.to_str().unwrap(),
    ]);
    let out = hotline(&["merge", other.to_str().unwrap(), &parts[1], &parts[2]]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("other packs (--comply)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--simulate`: each hotline with a caller model simulated over its own
/// replications (the figures are those of `simulate` on it), the others
/// say why not; the simulated rules of `--comply` decided; shards merged
/// equal one run, byte for byte.
#[test]
fn simulated_surveys_shard_and_merge_byte_for_byte() {
    let dir = std::env::temp_dir().join(format!("hotline-survey-sim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let args = [
        "survey",
        "menus",
        "--max-depth",
        "1",
        "--simulate",
        "--comply",
        "spain",
        "--format",
        "json",
    ];
    let whole = run(&args).stdout;
    let json: Value = serde_json::from_slice(&whole).unwrap();
    // The bank's figures are those of `simulate` on it (sl target 30 s).
    let bank = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "menus/bank.yaml")
        .unwrap();
    let sim: Value = serde_json::from_slice(
        &run(&[
            "simulate",
            "menus/bank.yaml",
            "--sl-target",
            "30",
            "--format",
            "json",
            "-q",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(
        bank["simulated"]["metrics"]["mean_time_to_human_s"],
        sim["metrics"]["mean_time_to_human_s"]
    );
    assert_eq!(bank["simulated"]["replications"], sim["replications"]);
    let verdict = bank["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "spain-answered-3min")
        .unwrap();
    assert_ne!(verdict["status"], "inconclusive", "{verdict}");
    let mut parts = Vec::new();
    for k in 0..2 {
        let p = dir.join(format!("part-{k}.json"));
        let shard = format!("{k}/2");
        let mut a = args[..7].to_vec();
        a.extend(["--shard", &shard, "--partial", p.to_str().unwrap()]);
        run(&a);
        parts.push(p.to_str().unwrap().to_string());
    }
    let mut m = vec!["merge", "--format", "json"];
    m.extend(parts.iter().map(String::as_str));
    assert_eq!(
        String::from_utf8(run(&m).stdout).unwrap(),
        String::from_utf8(whole).unwrap()
    );
    // A menu without callers says so.
    let generated = dir.join("gen");
    generate(&generated);
    let json: Value =
        serde_json::from_slice(&run(&["survey", generated.to_str().unwrap(), "--simulate", "--format", "json"]).stdout)
            .unwrap();
    let row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("热线01.yaml"))
        .unwrap();
    assert!(
        row["simulated"]["note"]
            .as_str()
            .unwrap()
            .starts_with("no caller model"),
        "{row}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
