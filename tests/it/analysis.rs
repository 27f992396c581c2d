//! Reach-a-human metrics and rule checks on small hand-built menus whose
//! answers are worked out here, and on the sample menus.

use hotline::analysis::{self, Analysis, rules::RuleSet};
use hotline::input::load_str;
use hotline::menu::Hotline;

const POOL: &str = "agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";

fn menu(nodes: &str, extra: &str) -> Hotline {
    let text = format!("hotline: T\nentry: main\nnodes:\n{nodes}{POOL}{extra}");
    let loaded = load_str(&text, "t.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

fn analyze(h: &Hotline) -> Analysis {
    analysis::analyze(h, &RuleSet::default())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn rules_of(a: &Analysis) -> Vec<&'static str> {
    let mut v: Vec<&str> = a.findings.iter().map(|f| f.rule.name()).collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn zero_for_a_human_in_the_top_menu_scores_one() {
    let h = menu(
        "  main:\n    kind: menu\n    duration: 10s\n    options:\n      \"1\": { to: info, share: 0.5 }\n      \"0\": { to: q, share: 0.5 }\n  info: { kind: hangup, duration: 5s }\n  q: { kind: queue, pool: desk }\n",
        "",
    );
    let a = analyze(&h);
    assert_eq!(a.reach_human.selections, Some(1));
    assert_eq!(a.reach_human.seconds, Some(10.0));
    assert_eq!(a.reach_human.route, ["main", "q"]);
    assert!(close(a.reach_human.probability.unwrap(), 0.5));
    // 10 s of menu, and half the callers hear the 5 s goodbye.
    assert!(close(a.reach_human.expected_ivr_seconds.unwrap(), 12.5));
}

#[test]
fn insist_counts_each_request_and_ties_break_by_seconds() {
    // Via the bot: 1 key + 2 requests = 3 selections. Via sub: 2 keys, 30 s; via sub2: 2 keys, 12 s.
    let h = menu(
        "  main:\n    kind: menu\n    duration: 6s\n    options:\n      \"1\": { to: sub, share: 0.3 }\n      \"2\": { to: sub2, share: 0.3 }\n      \"9\": { to: bot, share: 0.4 }\n\
         \x20 sub:\n    kind: menu\n    duration: 24s\n    options:\n      \"1\": { to: q }\n\
         \x20 sub2:\n    kind: menu\n    duration: 6s\n    options:\n      \"1\": { to: q }\n\
         \x20 bot:\n    kind: speech\n    duration: 1s\n    intents:\n      agent: { to: q, insist: 2 }\n\
         \x20 q: { kind: queue, pool: desk }\n",
        "",
    );
    let a = analyze(&h);
    assert_eq!(a.reach_human.selections, Some(2));
    assert_eq!(a.reach_human.route, ["main", "sub2", "q"]);
    // Least time: main (6) + bot asked twice (2 × 1 s) = 8 s, fewer seconds than any 2-key route.
    assert_eq!(a.reach_human.seconds, Some(8.0));
}

#[test]
fn a_loop_through_an_information_message() {
    // main: 1 → q (0.4), 2 → info (0.4) → back to main, 3 → bye (0.2).
    // P = 0.4 + 0.4 P ⇒ 2/3.  T = 10 + 0.4 (20 + T) + 0.2 × 2 ⇒ T = 18.4 / 0.6.
    let h = menu(
        "  main:\n    kind: menu\n    duration: 10s\n    options:\n      \"1\": { to: q, share: 0.4 }\n      \"2\": { to: info, share: 0.4 }\n      \"3\": { to: bye, share: 0.2 }\n\
         \x20 info: { kind: prompt, duration: 20s, next: main }\n  bye: { kind: hangup, duration: 2s }\n  q: { kind: queue, pool: desk }\n",
        "",
    );
    let r = analyze(&h).reach_human;
    assert!(close(r.probability.unwrap(), 2.0 / 3.0), "{:?}", r.probability);
    assert!(
        close(r.expected_ivr_seconds.unwrap(), 18.4 / 0.6),
        "{:?}",
        r.expected_ivr_seconds
    );
}

#[test]
fn retries_and_timeouts_in_the_chain() {
    // Half the hearings get no input; one retry; 10 s menu, 5 s timeout.
    // P(choice) = 1 - 0.5² = 0.75. Hearings 1.5, failed 0.75, each failure silent: 15 + 3.75 s.
    let h = menu(
        "  main:\n    kind: menu\n    duration: 10s\n    timeout: 5s\n    retries: 1\n    no_input: 0.5\n    on_fail: bye\n    options:\n      \"0\": { to: q }\n\
         \x20 bye: { kind: hangup }\n  q: { kind: queue, pool: desk }\n",
        "",
    );
    let r = analyze(&h).reach_human;
    assert!(close(r.probability.unwrap(), 0.75));
    assert!(
        close(r.expected_ivr_seconds.unwrap(), 18.75),
        "{:?}",
        r.expected_ivr_seconds
    );
}

#[test]
fn insist_and_misrecognition_in_the_chain() {
    // Each request understood with probability 0.5, asked twice: 0.25 get through.
    // Time: 4 s hearing + 0.5 × 4 s for the second request.
    let h = menu(
        "  main:\n    kind: speech\n    duration: 4s\n    understood: 0.5\n    on_misunderstood: bye\n    intents:\n      agent: { to: q, insist: 2 }\n    options:\n      \"0\": { to: q, share: 0 }\n\
         \x20 bye: { kind: hangup }\n  q: { kind: queue, pool: desk }\n",
        "",
    );
    let r = analyze(&h).reach_human;
    assert!(close(r.probability.unwrap(), 0.25));
    assert!(close(r.expected_ivr_seconds.unwrap(), 6.0));
    assert_eq!(r.selections, Some(1), "the key-press fallback is one selection");
}

#[test]
fn segments_and_hours_branches() {
    // Elderly callers go straight to the queue; others get the menu between
    // 08:00 and 12:00 and a closed message after. The simulated day is
    // 08:00-16:00 with a flat arrival rate, so half of the calls find it open.
    let h = menu(
        "  main:\n    kind: branch\n    cases:\n      - { if: { segment: elderly }, to: q }\n      - { if: { hours: \"08:00-12:00\" }, to: open }\n    else: closed\n\
         \x20 open:\n    kind: menu\n    duration: 5s\n    options:\n      \"0\": { to: q }\n\
         \x20 closed: { kind: hangup, duration: 6s }\n  q: { kind: queue, pool: desk }\n",
        "callers:\n  arrivals: 60/h\n  segments:\n    elderly: { share: 0.2 }\nsimulation: { start: \"08:00\", duration: 8h }\n",
    );
    let a = analyze(&h);
    let r = &a.reach_human;
    assert_eq!(r.selections, Some(1), "the open branch is taken for routes");
    assert!(close(r.probability.unwrap(), 0.5), "{:?}", r.probability);
    assert!(close(r.expected_ivr_seconds.unwrap(), 0.5 * 5.0 + 0.5 * 6.0));
    let e = &a.segments["elderly"];
    assert_eq!(e.selections, Some(0));
    assert_eq!(e.route, ["main", "q"]);
    assert!(close(e.probability.unwrap(), 1.0));
    assert!(!rules_of(&a).contains(&"elderly-one-key"));
}

#[test]
fn segment_shares_override_the_others() {
    // Elderly callers press 0 more often.
    let h = menu(
        "  main:\n    kind: menu\n    options:\n      \"1\": { to: bye, share: 0.8, by_segment: { elderly: 0.1 } }\n      \"0\": { to: q, share: 0.2, by_segment: { elderly: 0.9 } }\n\
         \x20 bye: { kind: hangup }\n  q: { kind: queue, pool: desk }\n",
        "callers:\n  arrivals: 60/h\n  segments:\n    elderly: { share: 0.2 }\n",
    );
    let a = analyze(&h);
    assert!(close(a.reach_human.probability.unwrap(), 0.2));
    assert!(close(a.segments["elderly"].probability.unwrap(), 0.9));
    assert!(
        rules_of(&a).contains(&"elderly-one-key"),
        "a 65+ segment that must press a key"
    );
}

#[test]
fn traps_unreachable_nodes_and_no_human() {
    let h = menu(
        "  main:\n    kind: menu\n    options:\n      \"1\": { to: a, share: 0.5 }\n      \"2\": { to: bye, share: 0.5 }\n\
         \x20 a:\n    kind: menu\n    options:\n      \"1\": { to: b }\n  b:\n    kind: menu\n    options:\n      \"1\": { to: a }\n\
         \x20 bye: { kind: hangup }\n  orphan: { kind: hangup }\n  q: { kind: queue, pool: desk }\n",
        "",
    );
    let a = analyze(&h);
    assert!(!a.reach_human.reachable);
    assert_eq!(a.reach_human.selections, None);
    assert_eq!(a.reach_human.expected_ivr_seconds, None, "half the callers never leave");
    let rules = rules_of(&a);
    for r in ["trap", "unreachable", "no-human", "human-on-request", "zero-out"] {
        assert!(rules.contains(&r), "{r} in {rules:?}");
    }
    let trap = a.findings.iter().find(|f| f.rule == "trap").unwrap();
    assert!(trap.message.contains("\"a\", \"b\""), "{}", trap.message);
    let unreachable: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.rule == "unreachable")
        .map(|f| f.node.as_str())
        .collect();
    assert_eq!(unreachable, ["orphan", "q"]);
}

#[test]
fn sludge_when_cancel_is_deeper_than_sales() {
    let h = menu(
        "  main:\n    kind: menu\n    options:\n      \"1\": { to: q, label: Sales }\n      \"2\": { to: more, label: Other }\n\
         \x20 more:\n    kind: menu\n    options:\n      \"1\": { to: q, label: Cancel my contract }\n\
         \x20 q: { kind: queue, pool: desk }\n",
        "",
    );
    assert!(rules_of(&analyze(&h)).contains(&"sludge"));
    let fair = menu(
        "  main:\n    kind: menu\n    options:\n      \"1\": { to: q, label: Sales }\n      \"2\": { to: q, label: Cancel my contract }\n  q: { kind: queue, pool: desk }\n",
        "",
    );
    assert!(!rules_of(&analyze(&fair)).contains(&"sludge"));
}

fn sample(name: &str) -> Analysis {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("menus")
        .join(name);
    let loaded = hotline::input::load(&path, &Default::default()).unwrap();
    analyze(loaded.hotline.as_ref().unwrap())
}

#[test]
fn the_well_designed_hotline_breaks_no_rule() {
    let a = sample("well_designed.yaml");
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert_eq!(a.reach_human.selections, Some(1));
}

#[test]
fn each_sample_triggers_its_rules() {
    let expect: &[(&str, &[&str])] = &[
        (
            "bank.yaml",
            &[
                "callback-offered",
                "fail-hangs-up",
                "forced-disconnect",
                "long-greeting",
                "max-wait-3min",
                "speech-fallback",
                "wait-announced",
                "zero-out",
            ],
        ),
        ("ecommerce.yaml", &["dead-end", "deflection-loop"]),
        (
            "utility.yaml",
            &["human-depth", "menu-breadth", "human-on-request", "sludge", "zero-out"],
        ),
        ("group_buying.yaml", &["forced-disconnect", "wait-announced"]),
    ];
    for (file, rules) in expect {
        let found = rules_of(&sample(file));
        for r in *rules {
            assert!(found.contains(r), "{file}: {r} not in {found:?}");
        }
    }
    let bank = sample("bank.yaml");
    assert_eq!(bank.reach_human.selections, Some(2), "bank: a human is two levels down");
    let utility = sample("utility.yaml");
    assert_eq!(utility.reach_human.selections, Some(3), "utility: three levels down");
    let zh = sample("mobile_operator_zh.yaml");
    assert_eq!(
        zh.segments["老年人"].selections,
        Some(0),
        "the 65+ line is one key (none at all)"
    );
    assert!(!rules_of(&zh).contains(&"elderly-one-key"));
}

#[test]
fn rules_can_be_switched_off_and_rethresholded() {
    let h = {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/utility.yaml");
        hotline::input::load(&path, &Default::default())
            .unwrap()
            .hotline
            .unwrap()
    };
    let rules = RuleSet::from_yaml(
        "menu-breadth: { threshold: 6 }\nhuman-depth: { severity: error, threshold: 1 }\nsludge: false\n",
    )
    .unwrap();
    let a = analysis::analyze(&h, &rules);
    let found = rules_of(&a);
    assert!(!found.contains(&"menu-breadth"));
    assert!(!found.contains(&"sludge"));
    let depth = a.findings.iter().find(|f| f.rule == "human-depth").unwrap();
    assert_eq!(depth.severity, hotline::diag::Severity::Error);
    assert!(
        RuleSet::from_yaml("menu-bredth: false")
            .unwrap_err()
            .contains("did you mean \"menu-breadth\"")
    );
    assert!(RuleSet::from_yaml("trap: { threshold: 3 }").is_err());
}

#[test]
fn share_cases_split_what_is_left_and_keep_both_sides_reachable() {
    // A data lookup the menu cannot see: 30% of callers are "VIP" (to the
    // queue at once), of the rest half are "known" (a 1-key menu), and the
    // others go to a hangup. P(human) = 0.3 + 0.7 · 0.5 = 0.65.
    let h = menu(
        "  main:\n    kind: branch\n    cases:\n      - { if: { share: 0.3 }, to: q }\n      - { if: { share: 50% }, to: known }\n    else: bye\n\
         \x20 known:\n    kind: menu\n    duration: 4s\n    options:\n      \"0\": { to: q }\n\
         \x20 bye: { kind: hangup, duration: 2s }\n  q: { kind: queue, pool: desk }\n",
        "callers:\n  arrivals: 60/h\n",
    );
    let a = analyze(&h);
    assert!(
        close(a.reach_human.probability.unwrap(), 0.65),
        "{:?}",
        a.reach_human.probability
    );
    assert_eq!(a.reach_human.selections, Some(0), "the VIP case is a route");
    assert!(close(
        a.reach_human.expected_ivr_seconds.unwrap(),
        0.35 * 4.0 + 0.35 * 2.0
    ));
    assert!(!rules_of(&a).contains(&"unreachable"), "{:?}", rules_of(&a));
    // The simulator draws the same split: P(human) within its interval.
    let mut o = hotline::sim::SimOptions::from_menu(&h);
    o.replications = 40;
    let r = hotline::sim::simulate(&h, &o, &|_, _, _| {}).unwrap();
    let p = &r.metrics["p_reach_human"];
    assert!(p.ci95[0] <= 0.65 && 0.65 <= p.ci95[1], "{p:?}");
}
