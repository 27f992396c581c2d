//! Vendor flows: the mapping of each reader on small hand-written flows,
//! the analysis of the sample and public flows against answers worked out
//! by hand, the vendor checks at their positions, malformed files, `hotline
//! import`, overlays and a survey of a folder mixing menus and flows.

mod checks;

use std::process::Output;

use hotline::analysis::{self, rules::RuleSet};
use hotline::input::flows::{Vendor, detect};
use hotline::input::{Loaded, load_str};
use hotline::menu::{Hotline, Kind, LoadOptions};

use crate::support::hotline;

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn flow(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/flows/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn load(text: &str) -> Loaded {
    load_str(text, "flow", &LoadOptions::default())
}

fn menu(text: &str) -> Hotline {
    let l = load(text);
    assert!(!l.has_errors(), "{}", l.render());
    l.hotline.unwrap()
}

fn kind(h: &Hotline, id: &str) -> &'static str {
    let n = h.node(id).unwrap_or_else(|| panic!("no node {id}"));
    h.at(n).kind.name()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn codes(l: &Loaded) -> Vec<&'static str> {
    l.diagnostics.iter().map(|d| d.code.name()).collect()
}

// Detection ------------------------------------------------------------------

#[test]
fn vendors_are_told_from_content() {
    let cases = [
        ("twilio_ivr.json", Some(Vendor::Twilio)),
        ("connect_main.json", Some(Vendor::Connect)),
        ("connect_tech_describe.json", Some(Vendor::Connect)),
        ("genesys_ivr.yaml", Some(Vendor::Genesys)),
        ("voicexml_ivr.vxml", Some(Vendor::VoiceXml)),
        ("public/connect_ivr_feedback_legacy.json", Some(Vendor::Connect)),
    ];
    for (file, vendor) in cases {
        assert_eq!(detect(&flow(file)), vendor, "{file}");
    }
    let bank = std::fs::read_to_string(format!("{}/menus/bank.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert_eq!(detect(&bank), None);
    assert_eq!(detect("{\"a\": 1}"), None);
}

// The mapping, table-driven --------------------------------------------------

/// (flow text, [(node id, hotline kind)]) for small flows of every vendor.
fn mapping_cases() -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    let twilio = r#"{"description": "T", "initial_state": "Trigger", "states": [
      {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "hello"}], "properties": {}},
      {"name": "hello", "type": "say-play", "transitions": [{"event": "audioComplete", "next": "menu"}], "properties": {"play": "https://example.org/hi.mp3"}},
      {"name": "menu", "type": "gather-input-on-call", "transitions": [{"event": "keypress", "next": "split"}, {"event": "timeout", "next": "bye"}],
       "properties": {"say": "Press 1 for sales or 2 for an agent."}},
      {"name": "split", "type": "split-based-on", "properties": {"input": "{{widgets.menu.Digits}}"}, "transitions": [
        {"event": "noMatch", "next": "bye"},
        {"event": "match", "next": "lookup", "conditions": [{"type": "equal_to", "value": "1", "friendly_name": "1"}]},
        {"event": "match", "next": "agent", "conditions": [{"type": "matches_any_of", "value": "2, 0", "friendly_name": "2"}]}]},
      {"name": "lookup", "type": "make-http-request", "transitions": [{"event": "success", "next": "agent"}, {"event": "failed", "next": "bye"}], "properties": {}},
      {"name": "agent", "type": "enqueue-call", "transitions": [], "properties": {"queue_name": "sales"}},
      {"name": "bye", "type": "say-play", "transitions": [{"event": "audioComplete"}], "properties": {"say": "Goodbye."}}]}"#;
    let connect = r#"{"Version": "2019-10-30", "StartAction": "m", "Actions": [
      {"Identifier": "m", "Type": "GetParticipantInput", "Parameters": {"Text": "Press 1 or 2.", "StoreInput": "False"},
       "Transitions": {"Conditions": [
          {"NextAction": "q", "Condition": {"Operator": "Equals", "Operands": ["1"]}},
          {"NextAction": "pct", "Condition": {"Operator": "Equals", "Operands": ["2"]}}],
        "Errors": [{"NextAction": "d", "ErrorType": "InputTimeLimitExceeded"}, {"NextAction": "d", "ErrorType": "NoMatchingCondition"}]}},
      {"Identifier": "pct", "Type": "DistributeByPercentage", "Parameters": {}, "Transitions": {"Conditions": [
          {"NextAction": "q", "Condition": {"Operator": "NumberLessThan", "Operands": ["30"]}}],
        "Errors": [{"NextAction": "d", "ErrorType": "NoMatchingCondition"}]}},
      {"Identifier": "q", "Type": "TransferContactToQueue", "Parameters": {"QueueId": "arn:aws:connect:r:1:instance/i/queue/support"}, "Transitions": {}},
      {"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]}"#;
    let legacy = r#"{"modules": [
      {"id": "p", "type": "PlayPrompt", "branches": [{"condition": "Success", "transition": "h"}], "parameters": [{"name": "Text", "value": "Hi."}]},
      {"id": "h", "type": "CheckHoursOfOperation", "branches": [{"condition": "True", "transition": "x"}, {"condition": "False", "transition": "e"}], "parameters": []},
      {"id": "x", "type": "Transfer", "target": "Queue", "branches": [], "parameters": [{"name": "Queue", "value": "arn:q", "resourceName": "Billing"}]},
      {"id": "e", "type": "Disconnect", "branches": [], "parameters": []}],
      "version": "1", "type": "contactFlow", "start": "p", "metadata": {"name": "Legacy"}}"#;
    let genesys = "inboundCall:\n  name: G\n  startUpRef: \"/inboundCall/menus/menu[Main_1]\"\n  menus:\n    - menu:\n        name: Main\n        refId: Main_1\n        audio:\n          tts: Press 1 for support.\n        choices:\n          - menuTransferToAcd:\n              name: Support\n              dtmf: digit_1\n              targetQueue:\n                lit:\n                  name: Support\n          - menuDisconnect:\n              name: Bye\n              dtmf: digit_9\n";
    let vxml = r##"<?xml version="1.0"?><vxml version="2.1"><menu id="m"><prompt>Say sales or support.</prompt>
      <choice next="#s">sales</choice><choice next="#t">support</choice><nomatch><goto next="#bye"/></nomatch></menu>
      <form id="s"><transfer dest="tel:+1555"/></form><form id="t"><transfer dest="tel:+1666"/></form>
      <form id="bye"><block><prompt>Bye.</prompt><exit/></block></form></vxml>"##;
    vec![
        (
            twilio.to_string(),
            vec![
                ("hello", "prompt"),
                ("menu", "menu"),
                ("lookup", "branch"),
                ("agent", "queue"),
                ("bye", "hangup"),
            ],
        ),
        (
            connect.to_string(),
            vec![
                ("m", "menu"),
                ("m~fail", "prompt"),
                ("pct", "branch"),
                ("q", "queue"),
                ("d", "hangup"),
            ],
        ),
        (
            legacy.to_string(),
            vec![("p", "prompt"), ("h", "branch"), ("x", "queue"), ("e", "hangup")],
        ),
        (
            genesys.to_string(),
            vec![("Main_1", "menu"), ("Main_1/0", "queue"), ("Main_1/1", "hangup")],
        ),
        (
            vxml.to_string(),
            vec![("m", "speech"), ("s", "queue"), ("t", "queue"), ("bye", "prompt")],
        ),
    ]
}

#[test]
fn each_reader_maps_blocks_to_the_expected_kinds() {
    for (text, expected) in mapping_cases() {
        let l = load(&text);
        if l.has_errors() {
            panic!("{}", l.render());
        }
        let h = l.hotline.unwrap();
        for (id, k) in expected {
            // The one menu whose failures go one way has no ~fail node.
            if id.ends_with("~fail") {
                assert!(h.node(id).is_none(), "{id}: silence and a wrong key go the same way");
                continue;
            }
            assert_eq!(kind(&h, id), k, "{id} in\n{text}");
        }
    }
}

#[test]
fn mapping_details() {
    let cases = mapping_cases();
    // Twilio: the split's conditions are the menu's keys (matches_any_of
    // gives two); the audio prompt gets the default length and a warning.
    let l = load(&cases[0].0);
    let h = l.hotline.as_ref().unwrap();
    let m = h.node("menu").unwrap();
    let keys: Vec<String> = h
        .out(m)
        .filter(|(_, _, t)| t.is_choice())
        .map(|(_, _, t)| t.via.label())
        .collect();
    assert_eq!(keys, ["1", "2", "0"]);
    assert_eq!(h.at(h.node("hello").unwrap()).duration.mean(), 5.0);
    assert!(codes(&l).contains(&"vendor-audio-prompt"));
    // "Press 1 for sales or 2 for an agent." is 9 words at 2.5 a second.
    assert!(close(h.at(m).duration.mean(), 3.6));
    // A function's outcomes: errors 1%, the rest shared.
    assert!(codes(&l).contains(&"vendor-unknown-decision"));
    // Connect: DistributeByPercentage keeps its 30 / 70 split.
    let h = menu(&cases[1].0);
    let w = analysis::branch_weights(&h, h.node("pct").unwrap(), None);
    assert!(close(w[0], 0.3) && close(w[1], 0.7), "{w:?}");
    // Legacy: the queue's name comes from its resource name.
    let h = menu(&cases[2].0);
    assert_eq!(h.pools[0].name, "Billing");
    assert_eq!(h.name, "Legacy");
    // VoiceXML: choices without dtmf are spoken requests; nomatch is a misrecognition.
    let h = menu(&cases[4].0);
    let Kind::Speech(s) = &h.at(h.node("m").unwrap()).kind else {
        panic!()
    };
    assert!(close(s.understood, 0.95));
}

#[test]
fn speaking_time_of_prompts() {
    use hotline::input::flows::speaking_seconds;
    assert!(close(speaking_seconds("Thank you for calling Acme."), 2.0));
    // Twelve CJK characters at four a second.
    assert!(close(speaking_seconds("欢迎致电示例银行客服热线。"), 3.0));
    assert!(close(speaking_seconds("Hi"), 1.0), "at least a second");
}

// Analysis on the sample flows, worked out by hand ----------------------------

fn reach(h: &Hotline) -> analysis::Reach {
    analysis::analyze(h, &RuleSet::default()).reach_human
}

#[test]
fn twilio_sample_analysis() {
    // main_menu offers 1 (sales queue), 2 (support menu) and 9 (billing
    // number) equally; a hearing is silent 5% of the time and a wrong key
    // 5% of the rest, so each key is taken 0.95·0.95/3 of the hearings. A
    // failure (0.0975) goes half to goodbye, half back to main_menu. The
    // support menu's split reads main_menu's digits, so nobody gets past
    // it. P = 2·0.9025/3 + 0.04875·P.
    let h = menu(&flow("twilio_ivr.json"));
    let r = reach(&h);
    assert_eq!(r.selections, Some(1));
    assert_eq!(r.route, ["welcome", "main_menu", "to_sales"]);
    // welcome: 5 words (2 s); the menu: 8 words (3.2 s).
    assert!(close(r.seconds.unwrap(), 5.2));
    let p = (2.0 * 0.9025 / 3.0) / (1.0 - 0.04875);
    assert!(close(r.probability.unwrap(), p), "{:?} vs {p}", r.probability);
}

#[test]
fn connect_sample_analysis() {
    // Open all day of the default 08:00–16:00 run; the menu's key 1 goes
    // to the billing queue (through a block whose error branch takes 1%),
    // key 2 to another flow (not given: the call leaves). Failures
    // (0.0975) go half back to the menu.
    let h = menu(&flow("connect_main.json"));
    let r = reach(&h);
    assert_eq!(r.selections, Some(1));
    assert_eq!(r.route.last().map(String::as_str), Some("a6-transfer"));
    let p = (0.9025 / 2.0 * 0.99) / (1.0 - 0.04875);
    assert!(close(r.probability.unwrap(), p), "{:?} vs {p}", r.probability);
    assert_eq!(h.pools[0].name, "billing", "the queue set before the transfer");
}

#[test]
fn connect_flows_joined_across_files() {
    // With the tech-support flow given, key 2 leads into its menu, whose
    // keys 1 and 2 both reach a queue (stored digits checked right after:
    // one menu). P = 0.45125·0.99 (billing) + 0.45125·q + 0.04875·P, where
    // q is the tech menu's chance: 0.95 per hearing (5% wrong key → hang-up).
    let main = flow("connect_main.json");
    let tech = flow("connect_tech_describe.json");
    let joined = hotline::input::flows::import_all(&[
        (Vendor::Connect, tech.as_str(), "tech.json"),
        (Vendor::Connect, main.as_str(), "main.json"),
    ])
    .unwrap();
    let h = menu(&joined.yaml);
    assert_eq!(
        h.at(h.entry).id,
        "a1-welcome",
        "callers enter at the flow no other flow transfers to"
    );
    assert_eq!(kind(&h, "Tech support/t1"), "menu");
    let p = (0.45125 * 0.99 + 0.45125 * 0.95) / (1.0 - 0.04875);
    assert!(
        close(reach(&h).probability.unwrap(), p),
        "{:?} vs {p}",
        reach(&h).probability
    );
}

#[test]
fn genesys_sample_analysis_with_chinese_ids() {
    // 主菜单: 1 balance (hang-up), 2 credit cards, 0 the agent task (open all
    // day → 综合客服). Silence 5% per hearing, two replays: a key is chosen
    // with p = 1 − 0.05³, each a third. 信用卡: 1 a queue, * back to 主菜单.
    // P = p/3 + p/3·(p/2 + p/2·P).
    let h = menu(&flow("genesys_ivr.yaml"));
    let r = reach(&h);
    assert_eq!(r.selections, Some(1));
    assert_eq!(r.route, ["initialGreeting", "主菜单_10", "转人工_30", "转人工_30/open"]);
    let p: f64 = 1.0 - 0.05f64.powi(3);
    let expected = (p / 3.0 + p * p / 6.0) / (1.0 - p * p / 6.0);
    assert!(
        close(r.probability.unwrap(), expected),
        "{:?} vs {expected}",
        r.probability
    );
    assert_eq!(
        h.pools.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["信用卡客服", "综合客服"]
    );
}

#[test]
fn voicexml_sample_analysis() {
    // main (dtmf="true"): 1 permits, 2 waste, 3 operator; a wrong key 5%
    // per hearing, two replays: each key q/3 with q = 1 − 0.05³. permits:
    // 1 building → operator, 2 parking → another document; silence 5%.
    let h = menu(&flow("voicexml_ivr.vxml"));
    let r = reach(&h);
    assert_eq!(r.selections, Some(1));
    assert_eq!(r.route, ["welcome", "main", "operator"]);
    let q: f64 = 1.0 - 0.05f64.powi(3);
    let expected = q / 3.0 + q / 3.0 * q / 2.0;
    assert!(
        close(r.probability.unwrap(), expected),
        "{:?} vs {expected}",
        r.probability
    );
}

#[test]
fn public_flows() {
    // The feedback survey and the dynamic menu (aws-samples) have no queue:
    // no human can be reached, and every block is reachable.
    for file in [
        "public/connect_ivr_feedback_legacy.json",
        "public/connect_dynamic_menu_legacy.json",
    ] {
        let h = menu(&flow(file));
        let a = analysis::analyze(&h, &RuleSet::default());
        assert!(!a.reach_human.reachable, "{file}");
        assert!(!a.findings.iter().any(|f| f.rule == "unreachable"), "{file}");
    }
    // The call-back flow: the caller types a number (one input) and, with
    // a call-back pending, presses 1 to cancel it; the flow then queues the
    // call (73886ebc…). Two selections; nothing unreachable.
    let h = menu(&flow("public/connect_set_callback.json"));
    let a = analysis::analyze(&h, &RuleSet::default());
    assert_eq!(a.reach_human.selections, Some(2));
    assert_eq!(
        a.reach_human.route.last().map(String::as_str),
        Some("73886ebc-11e0-4b24-9618-cae0a1635d8d")
    );
    assert!(
        a.reach_human
            .route
            .contains(&"fb2471b6-52db-4847-9cb8-474762b090f2".to_string())
    );
    assert!(!a.findings.iter().any(|f| f.rule == "unreachable"));
}

// Vendor checks at their positions ------------------------------------------
