//! Vendor flows: the mapping of each reader on small hand-written flows,
//! the analysis of the sample and public flows against answers worked out
//! by hand, the vendor checks at their positions, malformed files, `hotline
//! import`, overlays and a survey of a folder mixing menus and flows.

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

#[test]
fn vendor_findings_have_the_block_and_its_position() {
    let l = load(&flow("twilio_ivr.json"));
    let find = |code: &str| {
        l.diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{code}: {}", l.render()))
    };
    let wrong = find("vendor-wrong-input");
    assert_eq!(
        (wrong.line, wrong.column, wrong.node.as_deref()),
        (Some(67), Some(5), Some("split_support"))
    );
    let unannounced = find("vendor-unannounced-option");
    assert_eq!(
        (unannounced.line, unannounced.node.as_deref()),
        (Some(50), Some("main_menu"))
    );
    assert!(unannounced.message.contains("key 9"));
    let placeholder = find("vendor-placeholder");
    assert_eq!(
        (placeholder.line, placeholder.node.as_deref()),
        (Some(112), Some("to_billing"))
    );
    assert!(placeholder.message.contains("${BILLING_NUMBER}"));
    // Twilio's own Liquid ({{widgets.…}}) is not a placeholder.
    assert_eq!(
        l.diagnostics.iter().filter(|d| d.code == "vendor-placeholder").count(),
        1
    );
    // The analysis's findings are at the blocks too.
    let a = analysis::analyze(l.hotline.as_ref().unwrap(), &RuleSet::default());
    let f = a.findings.iter().find(|f| f.node == "support_menu").unwrap();
    assert_eq!(f.line, 58, "{f:?}");
}

#[test]
fn connect_check_of_input_nobody_stored() {
    let text = r#"{"Version": "2019-10-30", "StartAction": "c", "Actions": [
      {"Identifier": "c", "Type": "Compare", "Parameters": {"ComparisonValue": "$.StoredCustomerInput"},
       "Transitions": {"NextAction": "d", "Conditions": [{"NextAction": "q", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
        "Errors": [{"NextAction": "d", "ErrorType": "NoMatchingCondition"}]}},
      {"Identifier": "q", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {}},
      {"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]}"#;
    let l = load(text);
    let d = l.diagnostics.iter().find(|d| d.code == "vendor-wrong-input").unwrap();
    assert_eq!((d.line, d.column, d.node.as_deref()), (Some(2), Some(7), Some("c")));
    // Its conditions cannot match: the queue is out of reach.
    assert!(!reach(l.hotline.as_ref().unwrap()).reachable);
}

#[test]
fn size_limits_of_the_vendors() {
    let mut states = vec![r#"{"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "s0"}], "properties": {}}"#.to_string()];
    for i in 0..1001 {
        let next = if i < 1000 {
            format!(r#", "next": "s{}""#, i + 1)
        } else {
            String::new()
        };
        states.push(format!(r#"{{"name": "s{i}", "type": "set-variables", "transitions": [{{"event": "next"{next}}}], "properties": {{}}}}"#));
    }
    let text = format!(r#"{{"initial_state": "Trigger", "states": [{}]}}"#, states.join(",\n"));
    let l = load(&text);
    assert!(codes(&l).contains(&"vendor-size-limit"), "{}", l.render());
}

// Malformed files: located errors, exit 1 -------------------------------------

#[test]
fn malformed_flows_are_located_errors() {
    let cases: &[(&str, &str, &str, Option<u32>)] = &[
        // Cut JSON: where it ends.
        (
            "cut.json",
            "{\"Version\": \"2019-10-30\", \"StartAction\": \"a\", \"Actions\": [\n  {\"Identifier\": \"a\",",
            "vendor-bad-json",
            Some(2),
        ),
        // Half a template: the start and a target never filled in.
        (
            "template.json",
            "{\"Version\": \"2019-10-30\", \"StartAction\": \"${StartId}\", \"Actions\": [\n {\"Identifier\": \"a\", \"Type\": \"MessageParticipant\", \"Parameters\": {\"Text\": \"Hi\"}, \"Transitions\": {\"NextAction\": \"${Next}\"}}]}",
            "vendor-missing-start",
            None,
        ),
        // A trigger that leads nowhere.
        (
            "nostart.json",
            "{\"initial_state\": \"Trigger\", \"states\": [\n {\"name\": \"Trigger\", \"type\": \"trigger\", \"transitions\": [{\"event\": \"incomingMessage\"}], \"properties\": {}}]}",
            "vendor-missing-start",
            Some(2),
        ),
        // A transition to a widget that does not exist.
        (
            "dangling.json",
            "{\"initial_state\": \"Trigger\", \"states\": [\n {\"name\": \"Trigger\", \"type\": \"trigger\", \"transitions\": [{\"event\": \"incomingCall\", \"next\": \"hello\"}], \"properties\": {}},\n {\"name\": \"hello\", \"type\": \"say-play\", \"transitions\": [{\"event\": \"audioComplete\", \"next\": \"helo2\"}], \"properties\": {\"say\": \"Hi\"}}]}",
            "vendor-missing-target",
            Some(3),
        ),
        (
            "bad.vxml",
            "<?xml version=\"1.0\"?>\n<vxml version=\"2.1\">\n  <menu id=\"m\">\n</vxml>\n",
            "vendor-bad-xml",
            Some(4),
        ),
        (
            "bad_archy.yaml",
            "inboundCall:\n  name: x\n  menus: [\n",
            "vendor-bad-yaml",
            None,
        ),
    ];
    let dir = std::env::temp_dir().join(format!("hotline-import-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for &(file, body, code, line) in cases {
        let l = load(body);
        assert!(l.hotline.is_none(), "{file}");
        let d = l
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{file}: {}", l.render()));
        if let Some(line) = line {
            assert_eq!(d.line, Some(line), "{file}: {d:?}");
        }
        let path = dir.join(file);
        std::fs::write(&path, body).unwrap();
        let out = hotline(&["check", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", text(&out));
        assert!(text(&out).contains(code), "{file}: {}", text(&out));
        let out = hotline(&["import", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", text(&out));
        assert!(!text(&out).contains("panicked"));
    }
    std::fs::remove_dir_all(&dir).ok();
}

// hotline import, overlays, survey ------------------------------------------

#[test]
fn import_writes_a_menu_check_accepts_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("hotline-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "twilio_ivr.json",
        "connect_main.json",
        "genesys_ivr.yaml",
        "voicexml_ivr.vxml",
    ] {
        let out_file = dir.join(format!("{f}.yaml"));
        let out = hotline(&[
            "import",
            &format!("tests/data/flows/{f}"),
            "-o",
            out_file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{f}: {}", text(&out));
        let written = std::fs::read_to_string(&out_file).unwrap();
        assert!(written.contains("notes:"), "{f}: block ids in notes");
        let check = hotline(&["check", out_file.to_str().unwrap()]);
        assert_eq!(check.status.code(), Some(0), "{f}: {}", text(&check));
        // The same analysis from the flow and from its import.
        let a = hotline(&["analyze", &format!("tests/data/flows/{f}"), "--format", "json"]);
        let b = hotline(&["analyze", out_file.to_str().unwrap(), "--format", "json"]);
        let reach = |o: &Output| serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["reach_human"].clone();
        assert_eq!(reach(&a), reach(&b), "{f}");
        // Never over an existing file.
        let again = hotline(&[
            "import",
            &format!("tests/data/flows/{f}"),
            "-o",
            out_file.to_str().unwrap(),
        ]);
        assert_eq!(again.status.code(), Some(2), "an output refused is a usage error");
        assert!(text(&again).contains("exists"));
        assert_eq!(std::fs::read_to_string(&out_file).unwrap(), written);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_overlay_gives_what_the_flow_does_not_say() {
    let dir = std::env::temp_dir().join(format!("hotline-overlay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let overlay = dir.join("overlay.yaml");
    std::fs::write(
        &overlay,
        "nodes:\n  main_menu:\n    options:\n      \"1\": { share: 0.8 }\n      \"2\": { share: 0.1 }\n      \"9\": { share: 0.1 }\n\
         agents:\n  sales: { seats: 4, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 40/h\n  patience: exp(mean=2m)\n\
         simulation: { replications: 4 }\n",
    )
    .unwrap();
    let flow_path = "tests/data/flows/twilio_ivr.json";
    // Without callers the flow cannot be simulated; with the overlay it can.
    let bare = hotline(&["simulate", flow_path]);
    assert_eq!(bare.status.code(), Some(1), "{}", text(&bare));
    let out = hotline(&[
        "simulate",
        flow_path,
        "--with",
        overlay.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["queues"]["to_sales"]["queued_calls"]["mean"].as_f64().unwrap() > 0.0);
    // The analysis follows the overlay's shares: 0.9·0.95·0.95 per hearing.
    let a = hotline(&[
        "analyze",
        flow_path,
        "--with",
        overlay.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let p = serde_json::from_slice::<serde_json::Value>(&a.stdout).unwrap()["reach_human"]["probability"]
        .as_f64()
        .unwrap();
    let expected = (0.9 * 0.9025) / (1.0 - 0.04875);
    assert!(close(p, expected), "{p} vs {expected}");
    // A node the flow does not have, and a bad value, name the overlay.
    std::fs::write(&overlay, "nodes:\n  main_menus: { retries: 1 }\n").unwrap();
    let bad = hotline(&["check", flow_path, "--with", overlay.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad).contains("main_menus") && text(&bad).contains("did you mean"),
        "{}",
        text(&bad)
    );
    std::fs::write(&overlay, "agents:\n  sales:\n    seats: many\n").unwrap();
    let bad = hotline(&["check", flow_path, "--with", overlay.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("overlay.yaml:3:12"), "{}", text(&bad));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_survey_over_menus_and_flows_is_one_table() {
    let dir = std::env::temp_dir().join(format!("hotline-survey-flows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::copy(format!("{root}/menus/bank.yaml"), dir.join("bank.yaml")).unwrap();
    for f in [
        "twilio_ivr.json",
        "genesys_ivr.yaml",
        "voicexml_ivr.vxml",
        "connect_main.json",
    ] {
        std::fs::copy(format!("{root}/tests/data/flows/{f}"), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("package.json"), "{\"name\": \"not a flow\"}").unwrap();
    let out = hotline(&["survey", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(rows.len(), 5, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("genesys_ivr.yaml")));
    assert!(!files.iter().any(|f| f.ends_with("package.json")));
    for r in rows {
        assert_eq!(r["errors"], 0, "{r}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_command_reads_flows() {
    let f = "tests/data/flows/genesys_ivr.yaml";
    for args in [
        vec!["graph", f],
        vec!["graph", f, "--format", "mermaid"],
        vec!["paths", f, "--format", "json"],
        vec!["comply", f, "--rules", "spain"],
    ] {
        let out = hotline(&args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {}", text(&out));
        assert!(!out.stdout.is_empty(), "{args:?}: {}", text(&out));
    }
    let out = hotline(&["call", f, "--keys", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("综合客服"), "{}", text(&out));
}

#[test]
fn staffing_an_imported_flow_writes_the_whole_menu() {
    let dir = std::env::temp_dir().join(format!("hotline-staff-flow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let overlay = dir.join("overlay.yaml");
    std::fs::write(
        &overlay,
        "callers:\n  arrivals: 60/h\nsimulation: { replications: 4, duration: 2h }\n",
    )
    .unwrap();
    let out_file = dir.join("staffed.yaml");
    let out = hotline(&[
        "staff",
        "tests/data/flows/connect_main.json",
        "--with",
        overlay.to_str().unwrap(),
        "--target",
        "service_level(20s) >= 80%",
        "--quiet",
        "--write",
        out_file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seats = plan["plan"][0]["seats"].as_u64().unwrap();
    // The written menu is the flow's, with the overlay and the plan: it
    // checks clean and simulates without the overlay.
    let written = std::fs::read_to_string(&out_file).unwrap();
    assert!(written.contains("arrivals: \"60/h\""), "{written}");
    assert!(written.contains(&format!("seats: {seats}")), "{written}");
    let check = hotline(&["check", out_file.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let sim = hotline(&["simulate", out_file.to_str().unwrap(), "--replications", "2"]);
    assert_eq!(sim.status.code(), Some(0), "{}", text(&sim));
    std::fs::remove_dir_all(&dir).ok();
}
