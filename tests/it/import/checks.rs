//! Vendor flows through the commands: findings at their blocks, malformed
//! files, import, overlays, surveys and staffing of a flow.

use super::*;

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
