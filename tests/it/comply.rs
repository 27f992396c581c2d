//! `hotline comply`: a pass, a fail and an inconclusive verdict for each
//! simulated rule, the static rules on the sample menus, and the command.

use std::process::Command;

use hotline::decisions::comply::{Status, rules_of, verdicts};
use hotline::input::load_str;
use hotline::menu::Hotline;
use hotline::sim::{SimOptions, simulate};

fn menu(text: &str) -> Hotline {
    let loaded = load_str(text, "comply.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

/// A single queue: `seats` agents, λ per hour, handle exp(3 min), a busy
/// rule when `busy` (queue_length), `replications` of 40 h.
fn queue(lambda: f64, seats: u32, busy: Option<u32>, callers: bool) -> Hotline {
    let busy = busy.map_or(String::new(), |n| {
        format!(", busy: {{ when: {{ queue_length: {n} }}, deflects: 1, to: bye }}")
    });
    let callers = if callers {
        format!("callers:\n  arrivals: {lambda}/h\n  patience: exp(mean=10m)\n")
    } else {
        String::new()
    };
    menu(&format!(
        "hotline: Q\nentry: q\nnodes:\n  q: {{ kind: queue, pool: desk{busy} }}\n  bye: {{ kind: hangup }}\n\
         agents:\n  desk: {{ seats: {seats}, handle_time: exp(mean=3m) }}\n{callers}\
         simulation: {{ start: \"00:00\", duration: 40h, warmup: 1h }}\n"
    ))
}

fn status(h: &Hotline, rule: &str, replications: u32) -> Status {
    let rules: Vec<_> = rules_of(&["all".to_string()])
        .unwrap()
        .into_iter()
        .filter(|r| r.id == rule)
        .collect();
    let a = hotline::analysis::analyze(h, &Default::default());
    let sim = h.callers.as_ref().map(|_| {
        let mut o = SimOptions::from_menu(h);
        o.replications = replications;
        o.sl_target = 30.0;
        simulate(h, &o, &|_, _, _| {}).unwrap()
    });
    let v = verdicts(h, &a, sim.as_ref(), &rules);
    assert_eq!(v.len(), 1);
    v[0].status
}

#[test]
fn each_simulated_rule_passes_fails_and_is_inconclusive() {
    // 200 calls an hour of 3 minutes: 10 erlangs.
    let roomy = queue(200.0, 16, None, true);
    let tight = queue(200.0, 10, None, true);
    let no_callers = queue(200.0, 16, None, false);
    for rule in ["spain-answered-3min", "us-answer-30s"] {
        assert_eq!(status(&roomy, rule, 10), Status::Pass, "{rule}");
        assert_eq!(status(&tight, rule, 10), Status::Fail, "{rule}");
        assert_eq!(status(&no_callers, rule, 10), Status::Inconclusive, "{rule}");
    }
    // Busy signals: none without a busy rule; many when it turns callers
    // away as soon as one waits on a full line.
    assert_eq!(status(&roomy, "us-busy-3pct", 10), Status::Pass);
    assert_eq!(
        status(&queue(200.0, 10, Some(1), true), "us-busy-3pct", 10),
        Status::Fail
    );
    assert_eq!(status(&no_callers, "us-busy-3pct", 10), Status::Inconclusive);
}

#[test]
fn a_figure_at_the_threshold_is_inconclusive() {
    // 13 seats for 190 calls an hour: about 90.4% answered within 30 s
    // (40 replications give [89.9%, 90.8%]); a short run cannot tell.
    let h = queue(190.0, 13, None, true);
    assert_eq!(status(&h, "us-answer-30s", 3), Status::Inconclusive);
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

#[test]
fn static_rules_on_the_samples() {
    assert_eq!(status(&sample("bank.yaml"), "spain-human-option", 1), Status::Fail);
    assert_eq!(
        status(&sample("well_designed.yaml"), "spain-human-option", 1),
        Status::Pass
    );
    assert_eq!(
        status(&sample("mobile_operator_zh.yaml"), "miit-elderly-direct", 1),
        Status::Pass
    );
    assert_eq!(
        status(&sample("bank.yaml"), "miit-elderly-direct", 1),
        Status::Inconclusive
    );
    assert_eq!(
        status(&sample("group_buying.yaml"), "spain-no-disconnect", 1),
        Status::Fail
    );
    assert_eq!(
        status(&sample("well_designed.yaml"), "spain-no-disconnect", 1),
        Status::Pass
    );
    assert_eq!(status(&sample("bank.yaml"), "eu-human-intervention", 1), Status::Pass);
    let bot = menu(
        "hotline: Bot\nentry: bot\nnodes:\n  bot: { kind: speech, intents: { balance: { to: bal } } }\n\
         \x20 bal: { kind: self_service, resolves: 1 }\n",
    );
    assert_eq!(status(&bot, "eu-human-intervention", 1), Status::Fail);
    assert_eq!(
        status(&sample("bank.yaml"), "gethuman-speech-fallback", 1),
        Status::Fail
    );
    assert_eq!(
        status(&sample("well_designed.yaml"), "gethuman-zero-out", 1),
        Status::Pass
    );
}

#[test]
fn the_command_gives_verdicts_with_evidence() {
    let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args([
            "comply",
            "menus/mobile_operator_zh.yaml",
            "--rules",
            "spain,miit",
            "--replications",
            "5",
            "-q",
            "--format",
            "json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts = v["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 5);
    // A failed verdict fails the run (a CI job stops on it); only then.
    let failed = verdicts.iter().any(|x| x["status"] == "fail");
    assert_eq!(
        out.status.code(),
        Some(i32::from(failed)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for x in verdicts {
        assert!(["pass", "fail", "inconclusive"].contains(&x["status"].as_str().unwrap()));
        assert!(!x["evidence"]["finding"].as_str().unwrap().is_empty());
        assert!(!x["article"].as_str().unwrap().is_empty());
    }
    let sim = verdicts.iter().find(|x| x["rule"] == "spain-answered-3min").unwrap();
    assert!(sim["evidence"]["figure"]["ci95"].is_array());
    let miit = verdicts.iter().find(|x| x["rule"] == "miit-elderly-direct").unwrap();
    assert_eq!(miit["evidence"]["nodes"][2], "老人专席");

    let bad = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["comply", "menus/bank.yaml", "--rules", "spian"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "an unknown pack is a bad flag");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("did you mean \"spain\""));
}

/// Exits for CI: `comply` 0 when every verdict passes (or is
/// inconclusive), 1 on a failure; `analyze` 1 on an error finding.
#[test]
fn comply_and_analyze_exit_for_ci() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hotline"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    let good = run(&["comply", "menus/well_designed.yaml", "--rules", "gethuman", "-q"]);
    assert_eq!(good.status.code(), Some(0), "{}", String::from_utf8_lossy(&good.stdout));
    let bad = run(&["comply", "menus/ecommerce.yaml", "--rules", "gethuman", "-q"]);
    assert_eq!(bad.status.code(), Some(1), "{}", String::from_utf8_lossy(&bad.stdout));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("FAIL"));
    let dir = std::env::temp_dir().join(format!("hotline-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("strict.yaml");
    std::fs::write(&rules, "human-depth: { severity: error, threshold: 1 }\n").unwrap();
    let strict = run(&["analyze", "menus/bank.yaml", "--rules", rules.to_str().unwrap()]);
    assert_eq!(
        strict.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    let plain = run(&["analyze", "menus/bank.yaml"]);
    assert_eq!(plain.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_service_without_any_queue_never_passes_a_person_on_request() {
    // Online only, no queue at all: the customer is sent to an app (an
    // `online` node ends the contact), so no node "fails to reach" a queue
    // on its own, but no person can be reached anywhere.
    for text in [
        "hotline: App only\nentry: app\nnodes:\n  app: { kind: online, resolves: 0.5 }\n",
        "hotline: App only\nentry: hello\nnodes:\n  hello: { kind: prompt, channel: online, say: Use our app., next: app }\n  app: { kind: online }\n",
    ] {
        let h = menu(text);
        assert_eq!(status(&h, "spain-human-on-request", 0), Status::Fail, "{text}");
    }
}
