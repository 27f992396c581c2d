//! What the records tell beyond the caller model: seats logged in by
//! interval (queue_log member events), calls sent away while agents were
//! idle, key shares from the paths walked on the menu, channel switches.

use crate::support::{run_ok, tmp};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&run_ok(&a)).unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// Seats and idle agents by hand: anna from 08:00 to 08:40, ben from
/// 08:00 with a pause from 08:15 to 08:30; a call sent away while ben was
/// idle, another while anna was on a call and ben paused.
#[test]
fn seats_and_busy_while_idle_from_a_hand_made_queue_log() {
    let r = json(&["fit", "tests/records/agents.queue_log"]);
    let seats = &r["seats"]["desk"];
    let profile = seats["profile"].as_array().unwrap();
    assert_eq!(profile.len(), 2, "{seats}");
    assert_eq!(profile[0]["from"], "08:00");
    // (1800 + 900) s of seats in the first half hour, (600 + 600) in the second.
    assert!(close(profile[0]["seats"].as_f64().unwrap(), 1.5, 1e-9), "{seats}");
    assert!(
        close(profile[1]["seats"].as_f64().unwrap(), 1200.0 / 1800.0, 1e-9),
        "{seats}"
    );
    let b = &r["busy_while_idle"];
    assert_eq!(b["followed"], 2, "{b}");
    assert_eq!(b["sent_away"], 1, "{b}");
    assert_eq!(b["examples"][0][0], "c2");
    assert_eq!(b["examples"][0][3], 1);
    let text = run_ok(&["fit", "tests/records/agents.queue_log"]);
    assert!(text.contains("busy while idle: 1 of 2"), "{text}");
}

/// A menu whose seats follow a schedule, simulated into a queue_log with
/// its member events and fitted back: the schedule comes back exactly,
/// and the overlay lays over the menu.
#[test]
fn a_seat_schedule_round_trips_through_a_queue_log() {
    let log = tmp("schedule.log");
    let over = tmp("schedule-overlay.yaml");
    let menu = "tests/fit/schedule.yaml";
    run_ok(&[
        "simulate",
        menu,
        "-q",
        "--log",
        log.to_str().unwrap(),
        "--log-format",
        "asterisk",
    ]);
    let r = json(&["fit", log.to_str().unwrap()]);
    let profile = r["seats"]["desk"]["profile"].as_array().unwrap().clone();
    let truth = |from: &str| match from {
        "08:00" | "08:30" | "09:00" | "09:30" => 4.0,
        "10:00" | "10:30" | "11:00" | "11:30" => 7.0,
        _ => 5.0,
    };
    assert_eq!(profile.len(), 12);
    for s in &profile {
        let from = s["from"].as_str().unwrap();
        assert!(close(s["seats"].as_f64().unwrap(), truth(from), 1e-6), "{s}");
    }
    // No agent was idle while a call was sent away: the menu sends none.
    assert_eq!(r["busy_while_idle"]["sent_away"], 0);
    run_ok(&["fit", log.to_str().unwrap(), "--write", over.to_str().unwrap()]);
    let yaml = std::fs::read_to_string(&over).unwrap();
    for line in [
        "{ from: \"08:00\", seats: 4 }",
        "{ from: \"10:00\", seats: 7 }",
        "{ from: \"12:00\", seats: 5 }",
        "{ from: \"14:00\", seats: 0 }",
    ] {
        assert!(yaml.contains(line), "{line} not in\n{yaml}");
    }
    run_ok(&["check", menu, "--with", over.to_str().unwrap()]);
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&over);
}

/// Key shares from the CSV's paths: the bank menu simulated, its paths
/// walked on the menu; menu shares come back within sampling error, a
/// bot's intents corrected for recognition, options to one target split
/// by the menu's shares; the overlay lays over the menu.
#[test]
fn key_shares_come_back_from_the_paths() {
    let log = tmp("bank.csv");
    let over = tmp("bank-overlay.yaml");
    run_ok(&[
        "simulate",
        "menus/bank.yaml",
        "-q",
        "--replications",
        "20",
        "--log",
        log.to_str().unwrap(),
    ]);
    let r = json(&["fit", log.to_str().unwrap(), "--menu", "menus/bank.yaml"]);
    let shares = r["paths"]["shares"].as_array().unwrap();
    let node = |id: &str| {
        shares
            .iter()
            .find(|n| n["node"] == id)
            .unwrap_or_else(|| panic!("{id}: {r}"))
    };
    let share = |id: &str, key: &str| {
        let n = node(id);
        let o = n["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["key"] == key)
            .unwrap();
        (o["share"].as_f64().unwrap(), n["n"].as_f64().unwrap())
    };
    for (id, key, truth) in [
        ("main", "1", 0.35),
        ("main", "2", 0.15),
        ("main", "3", 0.30),
        ("main", "9", 0.20),
        ("loans", "1", 0.55),
        ("assistant", "agent", 0.5),
        ("assistant", "cards", 0.3),
    ] {
        let (p, n) = share(id, key);
        // Four standard errors of a share (a bot's a little wider for the
        // recognition it is corrected for).
        let se = (truth * (1.0 - truth) / n).sqrt() * if id == "assistant" { 1.5 } else { 1.0 };
        assert!(close(p, truth, 4.0 * se), "{id} {key}: {p} against {truth} (n {n})");
    }
    assert_eq!(r["paths"]["unmatched"], 0, "{}", r["paths"]);
    run_ok(&[
        "fit",
        log.to_str().unwrap(),
        "--menu",
        "menus/bank.yaml",
        "--write",
        over.to_str().unwrap(),
    ]);
    let yaml = std::fs::read_to_string(&over).unwrap();
    assert!(
        yaml.contains("nodes:\n  main:\n    options:\n      \"1\": { share: 0.3"),
        "{yaml}"
    );
    run_ok(&["check", "menus/bank.yaml", "--with", over.to_str().unwrap()]);
    // Without the menu the paths are listed and a warning says what to add.
    let text = run_ok(&["fit", log.to_str().unwrap()]);
    assert!(text.contains("give the menu with --menu MENU"), "{text}");
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&over);
}

/// Paths of a Chinese menu, by node id, through `fit --menu` and back
/// over the menu.
#[test]
fn key_shares_of_a_chinese_menu() {
    let menu = "menus/mobile_operator_zh.yaml";
    let log = tmp("zh-paths.csv");
    let over = tmp("zh-paths-overlay.yaml");
    run_ok(&[
        "simulate",
        menu,
        "-q",
        "--replications",
        "5",
        "--log",
        log.to_str().unwrap(),
    ]);
    let r = json(&["fit", log.to_str().unwrap(), "--menu", menu]);
    let shares = r["paths"]["shares"].as_array().unwrap();
    assert!(!shares.is_empty(), "{r}");
    assert!(
        shares
            .iter()
            .any(|n| n["node"].as_str().unwrap().chars().any(|c| c > '\u{2e80}')),
        "no Chinese node id among {shares:?}"
    );
    run_ok(&[
        "fit",
        log.to_str().unwrap(),
        "--menu",
        menu,
        "--write",
        over.to_str().unwrap(),
    ]);
    run_ok(&["check", menu, "--with", over.to_str().unwrap()]);
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&over);
}

/// Channel switches by hand: a call deflected, then a chat of the same
/// caller a minute later; a chat, then a call two hours later (outside
/// the hour); a caller with no id.
#[test]
fn channel_switches_from_hand_made_records() {
    let csv = tmp("switch.csv");
    std::fs::write(
        &csv,
        "call_id,caller,arrived,queue,queued,answered,ended,outcome,channel\n\
         a1,anna,2026-03-02T09:00:00Z,desk,2026-03-02T09:00:10Z,,2026-03-02T09:00:20Z,deflected,phone\n\
         a2,anna,2026-03-02T09:01:20Z,chat,2026-03-02T09:01:30Z,2026-03-02T09:02:00Z,2026-03-02T09:10:00Z,answered,online\n\
         b1,ben,2026-03-02T09:05:00Z,chat,2026-03-02T09:05:00Z,2026-03-02T09:06:00Z,2026-03-02T09:10:00Z,answered,online\n\
         b2,ben,2026-03-02T11:30:00Z,desk,2026-03-02T11:30:00Z,2026-03-02T11:31:00Z,2026-03-02T11:35:00Z,answered,phone\n\
         c1,,2026-03-02T12:00:00Z,desk,2026-03-02T12:00:00Z,2026-03-02T12:01:00Z,2026-03-02T12:05:00Z,answered,phone\n",
    )
    .unwrap();
    let r = json(&["fit", csv.to_str().unwrap()]);
    let c = &r["channel_switches"];
    assert_eq!(c["phone_to_online"], 1, "{c}");
    assert_eq!(c["after_no_agent"], 1, "{c}");
    assert_eq!(c["online_to_phone"], 0, "{c}");
    assert_eq!(c["phone_contacts"], 2, "{c}");
    assert!(close(c["after_mean_s"].as_f64().unwrap(), 60.0, 1e-9), "{c}");
    let _ = std::fs::remove_file(&csv);
}

/// The simulator's own switches (a phone call deflected online) appear
/// in its log as a call followed by a chat of the same caller.
#[test]
fn simulated_channel_switches_are_logged() {
    let log = tmp("ecommerce.csv");
    let menu = "menus/ecommerce_chat.yaml";
    run_ok(&[
        "simulate",
        menu,
        "-q",
        "--replications",
        "5",
        "--log",
        log.to_str().unwrap(),
    ]);
    let r = json(&["fit", log.to_str().unwrap(), "--menu", menu]);
    let c = &r["channel_switches"];
    assert!(c["phone_to_online"].as_u64().unwrap() > 100, "{c}");
    assert_eq!(r["paths"]["unmatched"], 0, "{}", r["paths"]);
    let _ = std::fs::remove_file(&log);
}
