//! `hotline paths`: exact routes of hand-built menus, probabilities that
//! add up and agree with the analysis, filters, the budget, and the test
//! plan.

use hotline::designer::paths::{End, PathOptions, Paths, paths};
use hotline::input::load_str;
use hotline::menu::Hotline;

fn menu(text: &str) -> Hotline {
    let loaded = load_str(text, "paths.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// (input, outcome, probability, seconds) of each route, in order.
fn summary(p: &Paths) -> Vec<(String, String, f64, f64)> {
    p.paths
        .iter()
        .map(|r| (r.input.join(" "), r.outcome.clone(), r.probability, r.seconds))
        .collect()
}

const SIMPLE: &str = "hotline: Simple\nentry: welcome\nnodes:\n\
    \x20 welcome: { kind: prompt, say: Hello., duration: 5s, next: main }\n\
    \x20 main:\n    kind: menu\n    say: Press 1 for a person, 2 to leave.\n    duration: 10s\n\
    \x20   options:\n      \"1\": { to: q, share: 0.6 }\n      \"2\": { to: bye, share: 0.4 }\n\
    \x20   no_input: 0.1\n    retries: 1\n    timeout: 5s\n    on_fail: bye\n\
    \x20 q: { kind: queue, pool: desk }\n  bye: { kind: hangup, say: Goodbye. }\n\
    agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";

#[test]
fn a_simple_menu_has_exactly_its_three_routes() {
    let p = paths(&menu(SIMPLE), &PathOptions::default());
    let s = summary(&p);
    assert_eq!(s.len(), 3, "{s:?}");
    // Pressing 1 on either hearing: 0.6 × (1 − 0.1²).
    assert_eq!((s[0].0.as_str(), s[0].1.as_str()), ("1", "queue q"));
    assert!(close(s[0].2, 0.594) && close(s[0].3, 15.0), "{:?}", s[0]);
    assert_eq!((s[1].0.as_str(), s[1].1.as_str()), ("2", "hangup bye"));
    assert!(close(s[1].2, 0.396) && close(s[1].3, 15.0), "{:?}", s[1]);
    // Silence on both hearings: 5 s greeting + 2 × (10 s menu + 5 s timeout).
    assert_eq!((s[2].0.as_str(), s[2].1.as_str()), ("wait 5s wait 5s", "hangup bye"));
    assert!(close(s[2].2, 0.01) && close(s[2].3, 35.0), "{:?}", s[2]);
    assert!(close(p.covered, 1.0));
    assert_eq!(p.paths[0].nodes, ["welcome", "main", "q"]);
    assert_eq!(p.paths[0].prompts, ["Hello.", "Press 1 for a person, 2 to leave."]);
    assert_eq!(p.paths[1].prompts.last().map(String::as_str), Some("Goodbye."));
    assert_eq!(p.paths[0].end, End::Queue);
}

const LOOP: &str = "hotline: 循环\nentry: 机器人\nnodes:\n\
    \x20 机器人:\n    kind: speech\n    duration: 4s\n    understood: 0.8\n    on_misunderstood: 机器人\n\
    \x20   intents:\n      人工: { to: 排队, share: 0.5, insist: 2 }\n      查询: { to: 自助, share: 0.5 }\n\
    \x20 自助: { kind: self_service, duration: 30s, resolves: 0.5, next: 机器人 }\n\
    \x20 排队: { kind: queue, pool: 座席 }\n\
    agents:\n  座席: { seats: 2, handle_time: exp(mean=3m) }\n";

#[test]
fn loops_are_bounded_and_the_routes_to_a_queue_add_up_to_the_analysis() {
    let h = menu(LOOP);
    let one = paths(
        &h,
        &PathOptions {
            max_visits: 1,
            ..Default::default()
        },
    );
    let s = summary(&one);
    // From the bot: "人工" twice, recognised both times (0.5 × 0.8²) to the
    // queue; "查询" (0.5 × 0.8) then resolved (× 0.5) or back to the bot
    // (looping); misunderstood (0.5 × 0.36 + 0.5 × 0.2) back to the bot.
    let find = |input: &str, end: End| {
        one.paths
            .iter()
            .find(|r| r.input.join(" ") == input && r.end == end)
            .unwrap_or_else(|| panic!("no route {input} {end:?} in {s:?}"))
    };
    assert!(close(find("say 人工 say 人工", End::Queue).probability, 0.32));
    assert!(close(find("say 查询", End::Resolved).probability, 0.2));
    assert!(close(find("say 查询", End::Looping).probability, 0.2));
    assert!(close(
        find("say something not understood", End::Looping).probability,
        0.28
    ));
    assert_eq!(one.paths.len(), 4);
    assert!(close(one.covered, 1.0));
    assert_eq!(
        find("say 人工 say 人工", End::Queue).seconds,
        8.0,
        "insist: the bot's prompt twice"
    );

    // As the bound grows, the routes into the queue approach the absorbing
    // probability, short of it by at most the mass still looping.
    let analysed = hotline::analysis::analyze(&h, &Default::default())
        .reach_human
        .probability
        .unwrap();
    let mut last_gap = f64::INFINITY;
    for visits in [2, 4, 8] {
        let p = paths(
            &h,
            &PathOptions {
                max_visits: visits,
                ..Default::default()
            },
        );
        let queue: f64 = p
            .paths
            .iter()
            .filter(|r| r.end == End::Queue)
            .map(|r| r.probability)
            .sum();
        let looping: f64 = p
            .paths
            .iter()
            .filter(|r| r.end == End::Looping)
            .map(|r| r.probability)
            .sum();
        let listed: f64 = p.paths.iter().map(|r| r.probability).sum();
        assert!(
            close(listed, p.covered) && close(p.covered, 1.0),
            "visits {visits}: {}",
            p.covered
        );
        assert!(
            queue <= analysed + 1e-9 && analysed <= queue + looping + 1e-9,
            "visits {visits}: {queue} + {looping} vs {analysed}"
        );
        let gap = analysed - queue;
        assert!(gap < last_gap, "the gap shrinks: {gap} after {last_gap}");
        last_gap = gap;
    }
    assert!(last_gap < 0.01, "{last_gap}");
}

#[test]
fn sample_menus_converge_to_the_analysis() {
    for name in [
        "bank.yaml",
        "mobile_operator_zh.yaml",
        "ecommerce_chat.yaml",
        "utility.yaml",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("menus")
            .join(name);
        let h = hotline::input::load(&path, &Default::default())
            .unwrap()
            .hotline
            .unwrap();
        let analysed = hotline::analysis::analyze(&h, &Default::default())
            .reach_human
            .probability
            .unwrap();
        let p = paths(
            &h,
            &PathOptions {
                max_visits: 5,
                ..Default::default()
            },
        );
        assert!(p.stopped.is_none());
        let entry = &h.at(h.entry).id;
        let from_entry = p.paths.iter().filter(|r| &r.start == entry);
        let (queue, looping) = from_entry.fold((0.0, 0.0), |(q, l), r| match r.end {
            End::Queue => (q + r.probability, l),
            End::Looping => (q, l + r.probability),
            _ => (q, l),
        });
        assert!(
            queue <= analysed + 1e-9 && analysed <= queue + looping + 1e-9,
            "{name}: {queue} + {looping} vs {analysed}"
        );
        assert!(close(p.covered, 1.0), "{name}: {}", p.covered);
    }
}

#[test]
fn online_customers_type_and_start_at_the_online_entry() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/ecommerce_chat.yaml");
    let h = hotline::input::load(&path, &Default::default())
        .unwrap()
        .hotline
        .unwrap();
    let p = paths(&h, &PathOptions::default());
    let online: Vec<_> = p.paths.iter().filter(|r| r.start == "智能客服").collect();
    assert!(!online.is_empty());
    assert!(close(p.covered_online.unwrap(), 1.0));
    assert!(
        online
            .iter()
            .any(|r| r.input == ["type 人工", "type 人工"] && r.outcome == "queue 在线排队")
    );
    // The phone side says its requests.
    assert!(
        p.paths
            .iter()
            .all(|r| r.start != "欢迎" || !r.input.iter().any(|i| i.starts_with("say")))
    );
}

#[test]
fn filters_and_the_budget() {
    let h = menu(SIMPLE);
    let to_q = paths(
        &h,
        &PathOptions {
            to: h.node("q"),
            ..Default::default()
        },
    );
    assert_eq!(summary(&to_q).len(), 1);
    assert!(close(to_q.covered, 0.594));
    let likely = paths(
        &h,
        &PathOptions {
            min_prob: 0.05,
            ..Default::default()
        },
    );
    assert_eq!(likely.paths.len(), 2);
    let top = paths(
        &h,
        &PathOptions {
            limit: Some(1),
            ..Default::default()
        },
    );
    assert_eq!((top.paths.len(), top.found), (1, 3));
    assert!(close(top.covered, 0.594));

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml");
    let bank = hotline::input::load(&path, &Default::default())
        .unwrap()
        .hotline
        .unwrap();
    let p = paths(
        &bank,
        &PathOptions {
            max_visits: 10,
            budget: 5_000,
            ..Default::default()
        },
    );
    let why = p.stopped.as_deref().expect("the budget runs out");
    assert!(why.contains("--min-prob"), "{why}");
    assert!(!p.paths.is_empty() && p.covered < 1.0);
}

use crate::support::hotline;

#[test]
fn the_command_writes_text_json_csv_and_a_test_plan() {
    let json = hotline(&["paths", "menus/bank.yaml", "--format", "json", "--limit", "5"]);
    assert_eq!(json.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let first = &v["paths"][0];
    for key in ["nodes", "input", "seconds", "probability", "outcome"] {
        assert!(!first[key].is_null(), "{key} in {first}");
    }
    assert!(v["covered"].as_f64().unwrap() > 0.5);

    let csv = String::from_utf8(hotline(&["paths", "menus/bank.yaml", "--format", "csv"]).stdout).unwrap();
    assert!(csv.starts_with("rank,start,probability,seconds,outcome,end,input,nodes,prompts\n"));

    let plan =
        String::from_utf8(hotline(&["paths", "menus/mobile_operator_zh.yaml", "--format", "markdown"]).stdout).unwrap();
    assert!(plan.starts_with("# Test plan: 示例移动客服热线"), "{plan}");
    assert!(
        plan.contains("## Test 1: ")
            && plan.contains("1. Dial the hotline.")
            && plan.contains("Expect to reach: queue")
    );

    let text =
        String::from_utf8(hotline(&["paths", "menus/mobile_operator_zh.yaml", "--to", "人工队列"]).stdout).unwrap();
    assert!(text.contains("route:"), "{text}");

    let bad = hotline(&["paths", "menus/bank.yaml", "--to", "q_generl"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("did you mean \"q_general\""), "{err}");

    let partial = hotline(&["paths", "menus/bank.yaml", "--max-visits", "10", "--budget", "1000"]);
    assert_eq!(partial.status.code(), Some(0));
    assert!(
        String::from_utf8(partial.stderr)
            .unwrap()
            .contains("stopped after 1000 route steps")
    );
}

/// Six levels of twelve keys, each key to the next level: 12⁶ ≈ 3 million
/// routes, each with long prompts.
fn explosion() -> String {
    let mut t = String::from("hotline: Explosion\nentry: l0\nnodes:\n");
    let say = "Please listen carefully, as our options have changed. ".repeat(8);
    for level in 0..6 {
        let next = if level == 5 {
            "q".to_string()
        } else {
            format!("l{}", level + 1)
        };
        t.push_str(&format!(
            "  l{level}:\n    kind: menu\n    say: \"{say}\"\n    options:\n"
        ));
        for k in 0..12 {
            let key = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"][k];
            t.push_str(&format!(
                "      \"{key}\": {{ to: {next}, share: {} }}\n",
                if k == 0 { 0.12 } else { 0.08 }
            ));
        }
    }
    t.push_str("  q: { kind: queue, pool: desk }\nagents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n");
    t
}

#[test]
fn a_route_explosion_stays_within_memory_and_keeps_the_likeliest() {
    let dir = std::env::temp_dir().join(format!("hotline-paths-boom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("boom.yaml");
    std::fs::write(&file, explosion()).unwrap();
    let f = file.to_str().unwrap();
    // Under a 1 GB address-space limit (the old list of routes needed 4 GB).
    let run = |args: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v 1000000; \"$0\" paths \"$1\" {args}"))
            .arg(env!("CARGO_BIN_EXE_hotline"))
            .arg(f)
            .output()
            .unwrap()
    };
    let limited = run("--limit 3 --format json --budget 4000000");
    assert_eq!(
        limited.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&limited.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&limited.stdout).unwrap();
    let routes = v["paths"].as_array().unwrap();
    assert_eq!(routes.len(), 3);
    // The likeliest is key 1 six times (0.12⁶), then five 1s and one 2.
    assert_eq!(routes[0]["input"], serde_json::json!(["1", "1", "1", "1", "1", "1"]));
    assert!((routes[0]["probability"].as_f64().unwrap() - 0.12f64.powi(6)).abs() < 1e-12);
    assert!((routes[1]["probability"].as_f64().unwrap() - 0.12f64.powi(5) * 0.08).abs() < 1e-12);
    assert_eq!(v["found"].as_u64(), Some(12u64.pow(6)));
    // Without --limit, the list stops at --max-routes with a message.
    let all = run("--max-routes 1000 --format json");
    assert_eq!(all.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(v["paths"].as_array().unwrap().len(), 1000);
    assert!(v["stopped"].as_str().unwrap().contains("--limit"));
    let err = String::from_utf8_lossy(&all.stderr);
    assert!(err.contains("stopped after 1000 routes"), "{err}");
    // Text output does not repeat the note standard error gives.
    let text = run("--max-routes 10");
    assert!(!String::from_utf8_lossy(&text.stdout).contains("stopped after"));
    // --limit 0 says what the number means.
    let zero = hotline(&["paths", f, "--limit", "0"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("at least 1 route"));
    std::fs::remove_dir_all(&dir).unwrap();
}
