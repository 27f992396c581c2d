//! Vendor flows read rightly, second round: constructs of real public
//! flows the first readers got wrong (issue 22), each with the structure
//! and the analysis worked out by hand.

use hotline::analysis;
use hotline::input::flows::{Vendor, detect};
use hotline::input::{Loaded, load_str};
use hotline::menu::{Hotline, Kind, LoadOptions};

fn load(text: &str) -> Loaded {
    load_str(text, "flow", &LoadOptions::default())
}

fn menu(text: &str) -> Hotline {
    let l = load(text);
    assert!(!l.has_errors(), "{}", l.render());
    l.hotline.unwrap()
}

fn reach(h: &Hotline) -> analysis::Reach {
    analysis::analyze(h, &Default::default()).reach_human
}

// VoiceXML ---------------------------------------------------------------------

#[test]
fn voicexml_if_elseif_else_keeps_every_arm() {
    // The transfer is only in the <elseif> arm: it must be reachable.
    let vxml = r##"<?xml version="1.0"?>
<vxml version="2.1">
  <form id="start">
    <block>
      <prompt>Welcome.</prompt>
      <if cond="lang == 'fr'">
        <goto next="#french"/>
      <elseif cond="vip == true"/>
        <goto next="#agent"/>
      <else/>
        <exit/>
      </if>
    </block>
  </form>
  <form id="french"><block><prompt>Bonjour.</prompt><exit/></block></form>
  <form id="agent"><transfer name="x" dest="tel:+15550100"/></form>
</vxml>"##;
    let h = menu(vxml);
    let decide = h.node("start~if").expect("a decision on the chain");
    assert!(matches!(h.at(decide).kind, Kind::Branch));
    assert_eq!(h.out(decide).len(), 3, "if, elseif and else each an arm");
    let r = reach(&h);
    assert!(r.reachable, "the transfer in the elseif arm is reachable");
    // Three arms of a data decision, equal shares: one in three reaches the agent.
    // (The imported shares are written to six decimals.)
    assert!((r.probability.unwrap() - 1.0 / 3.0).abs() < 1e-6, "{:?}", r.probability);
}

#[test]
fn voicexml_nextitem_to_the_menu_itself_is_a_replay() {
    let vxml = r##"<?xml version="1.0"?>
<vxml version="2.1">
  <menu id="main">
    <prompt>Press 1 for an agent.</prompt>
    <choice dtmf="1" next="#agent">agent</choice>
    <noinput><goto nextitem="main"/></noinput>
    <nomatch><goto next="#main"/></nomatch>
  </menu>
  <form id="agent"><transfer name="x" dest="tel:+15550100"/></form>
</vxml>"##;
    let l = load(vxml);
    assert!(!l.has_errors(), "no missing target: {}", l.render());
    let h = l.hotline.unwrap();
    // No handler edge back to itself: the platform's reprompt.
    let main = h.node("main").unwrap();
    assert!(h.out(main).all(|(_, to, _)| to != main));
}

#[test]
fn voicexml_prompts_after_the_input_are_not_the_question() {
    let vxml = r##"<?xml version="1.0"?>
<vxml version="2.1">
  <form id="f">
    <field name="choice">
      <prompt>Press 1 for billing.</prompt>
      <option dtmf="1" value="billing">billing</option>
      <filled><prompt>Thank you, transferring you now to somebody who can help.</prompt><goto next="#agent"/></filled>
      <noinput><prompt>Sorry, I did not hear anything at all.</prompt><exit/></noinput>
    </field>
  </form>
  <form id="agent"><transfer name="x" dest="tel:+15550100"/></form>
</vxml>"##;
    let h = menu(vxml);
    let f = h.node("f").unwrap();
    assert_eq!(h.at(f).say.as_deref(), Some("Press 1 for billing."));
}

#[test]
fn voicexml_of_many_dialogs_reads_every_one() {
    // 20,000 forms in a chain to a transfer (reading was quadratic in the
    // dialogs: positions looked up from the start of the text, hang-up
    // blocks found by scanning every block).
    let n = 20_000;
    let mut t = String::from("<?xml version=\"1.0\"?>\n<vxml version=\"2.1\">\n");
    for i in 0..n {
        let next = if i + 1 < n {
            format!("#f{}", i + 1)
        } else {
            "#end".into()
        };
        t.push_str(&format!(
            "<form id=\"f{i}\"><block><prompt>Step {i}.</prompt><goto next=\"{next}\"/></block></form>\n"
        ));
    }
    t.push_str("<form id=\"end\"><transfer name=\"x\" dest=\"tel:+1555\"/></form></vxml>\n");
    let flow = hotline::input::flows::voicexml::read(&t).unwrap();
    assert_eq!(flow.blocks.len(), n + 1);
    let last = &flow.blocks[n - 1];
    assert_eq!(
        (last.id.as_str(), last.pos.line),
        (format!("f{}", n - 1).as_str(), n as u32 + 2)
    );
    assert_eq!(detect(&t), Some(Vendor::VoiceXml));
}

// Amazon Connect ---------------------------------------------------------------

/// A flow whose start checks the channel: VOICE (when listed) to a queue,
/// CHAT to a message, no match to a disconnect.
fn channel_flow(voice: bool) -> String {
    let voice = if voice {
        r#"{"NextAction": "q", "Condition": {"Operator": "Equals", "Operands": ["VOICE"]}},"#
    } else {
        ""
    };
    format!(
        r#"{{"Version": "2019-10-30", "StartAction": "ch", "Actions": [
      {{"Identifier": "ch", "Type": "Compare", "Parameters": {{"ComparisonValue": "$.Channel"}},
       "Transitions": {{"NextAction": "d", "Conditions": [{voice}
          {{"NextAction": "m", "Condition": {{"Operator": "Equals", "Operands": ["CHAT"]}}}}],
        "Errors": [{{"NextAction": "d", "ErrorType": "NoMatchingCondition"}}]}}}},
      {{"Identifier": "m", "Type": "MessageParticipant", "Parameters": {{"Text": "Hi, chatter."}}, "Transitions": {{"NextAction": "d"}}}},
      {{"Identifier": "q", "Type": "TransferContactToQueue", "Parameters": {{"QueueId": "arn:aws:connect:r:1:instance/i/queue/agents"}}, "Transitions": {{}}}},
      {{"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {{}}, "Transitions": {{}}}}]}}"#
    )
}

#[test]
fn connect_a_check_of_the_channel_takes_the_voice_branch() {
    // A caller is on the phone: VOICE takes everyone (the chat branch none);
    // without a VOICE condition, no match does.
    let with = menu(&channel_flow(true));
    assert_eq!(reach(&with).probability, Some(1.0));
    let without = menu(&channel_flow(false));
    assert!(!reach(&without).reachable || reach(&without).probability == Some(0.0));
    // Not an unknown decision with equal shares.
    let l = load(&channel_flow(true));
    assert!(
        !l.diagnostics.iter().any(|d| d.code == "vendor-unknown-decision"),
        "{}",
        l.render()
    );
}

#[test]
fn connect_contact_flow_exported_alone_or_with_content_as_an_object() {
    let flow = channel_flow(true);
    let as_string = serde_json::json!({
        "Arn": "arn:aws:connect:r:1:instance/i/contact-flow/f",
        "Id": "f",
        "Name": "Channel check",
        "Type": "CONTACT_FLOW",
        "Description": "exported with the console",
        "Content": flow,
    })
    .to_string();
    assert_eq!(detect(&as_string), Some(Vendor::Connect));
    let h = menu(&as_string);
    assert_eq!(h.name, "Channel check");
    assert_eq!(reach(&h).probability, Some(1.0));
    // Content as an object: its blocks at their own lines.
    let object = format!("{{\n  \"ContactFlow\": {{\n    \"Name\": \"As object\",\n    \"Content\": {flow}\n  }}\n}}");
    let h = menu(&object);
    assert_eq!(h.name, "As object");
    let q = h.node("q").unwrap();
    assert!(h.at(q).pos.line > 3, "the block's own line: {:?}", h.at(q).pos);
}

#[test]
fn connect_percentages_out_of_order_take_what_connect_gives_them() {
    // Thresholds 70 then 30: the first takes 70%, the second nothing (a
    // draw below 30 is already below 70), no match the other 30%.
    let flow = r#"{"Version": "2019-10-30", "StartAction": "p", "Actions": [
      {"Identifier": "p", "Type": "DistributeByPercentage", "Parameters": {}, "Transitions": {"Conditions": [
          {"NextAction": "q", "Condition": {"Operator": "NumberLessThan", "Operands": ["70"]}},
          {"NextAction": "d", "Condition": {"Operator": "NumberLessThan", "Operands": ["30"]}}],
        "Errors": [{"NextAction": "d", "ErrorType": "NoMatchingCondition"}]}},
      {"Identifier": "q", "Type": "TransferContactToQueue", "Parameters": {"QueueId": "arn:q/queue/a"}, "Transitions": {}},
      {"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]}"#;
    let l = load(flow);
    let w = l
        .diagnostics
        .iter()
        .find(|d| d.code == "vendor-bad-percentages")
        .expect("warned");
    assert_eq!(w.node.as_deref(), Some("p"));
    let h = l.hotline.unwrap();
    assert!((reach(&h).probability.unwrap() - 0.7).abs() < 1e-9);
}

// Twilio Studio ----------------------------------------------------------------

const TWILIO_SPEECH: &str = r#"{"description": "Speech", "initial_state": "Trigger", "states": [
  {"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", "next": "ask"}], "properties": {}},
  {"name": "ask", "type": "gather-input-on-call", "transitions": [{"event": "speech", "next": "route"}, {"event": "timeout", "next": "bye"}],
   "properties": {"say": "Say agent, or billing."}},
  {"name": "route", "type": "split-based-on", "properties": {"input": "{{widgets.ask.SpeechResult | downcase | strip}}"}, "transitions": [
    {"event": "noMatch", "next": "bye"},
    {"event": "match", "next": "agent", "conditions": [{"type": "equal_to", "value": "agent", "friendly_name": "agent"}]},
    {"event": "match", "next": "billing", "conditions": [{"type": "equal_to", "value": "billing", "friendly_name": "billing"}]}]},
  {"name": "billing", "type": "add-twiml-redirect", "transitions": [{"event": "return"}], "properties": {"url": "https://example.twil.io/flex-handoff"}},
  {"name": "agent", "type": "enqueue-call", "transitions": [], "properties": {"queue_name": "agents"}},
  {"name": "bye", "type": "say-play", "transitions": [{"event": "audioComplete"}], "properties": {"say": "Goodbye."}}]}"#;

#[test]
fn twilio_liquid_filters_and_a_flex_redirect() {
    let l = load(TWILIO_SPEECH);
    assert!(
        !l.diagnostics.iter().any(|d| d.code == "vendor-wrong-input"),
        "{}",
        l.render()
    );
    let h = l.hotline.unwrap();
    let ask = h.node("ask").unwrap();
    assert!(
        matches!(h.at(ask).kind, Kind::Speech(_)),
        "the split's phrases are the bot's intents"
    );
    // The redirect to a Flex hand-off is a queue.
    let billing = h.node("billing").unwrap();
    assert!(h.is_queue(billing));
    // Both requests reach people: 0.95 of hearings heard (5% silent assumed),
    // understood 95% — whatever the shares, every intent ends in a queue.
    assert!(reach(&h).reachable);
}

#[test]
fn twilio_flow_inside_javascript() {
    let js = format!(
        "// Studio flow kept in the repository\nconst initialJSON = {TWILIO_SPEECH};\n\nmodule.exports = initialJSON;\n"
    );
    assert_eq!(detect(&js), Some(Vendor::Twilio));
    let h = menu(&js);
    // Positions are the JavaScript file's: the widget "agent" is on line 11.
    let agent = h.node("agent").unwrap();
    assert_eq!(h.at(agent).pos.line, 11);
    // An object that is not JSON is said to be one inside JavaScript.
    let loose = "const flow = { states: [], initial_state: 'Trigger', };\n";
    let l = load(loose);
    assert!(l.render().contains("inside JavaScript"), "{}", l.render());
}

// What every reader shares --------------------------------------------------------

#[test]
fn detection_looks_past_a_long_header() {
    let licence = format!("<!-- {} -->\n", "Licensed under the Apache License. ".repeat(200));
    let vxml = format!(
        "<?xml version=\"1.0\"?>\n{licence}<!DOCTYPE vxml PUBLIC \"-//W3C//DTD VOICEXML 2.1//EN\" \"http://www.w3.org/TR/voicexml21/vxml.dtd\">\n<vxml version=\"2.1\"><form id=\"f\"><transfer name=\"x\" dest=\"tel:+1555\"/></form></vxml>\n"
    );
    assert!(vxml.len() > 5000);
    assert_eq!(detect(&vxml), Some(Vendor::VoiceXml));
    let archy = format!(
        "{}inboundCall:\n  name: G\n  startUpRef: \"/inboundCall/menus/menu[M_1]\"\n  menus:\n    - menu:\n        name: M\n        refId: M_1\n        audio:\n          tts: Press 1.\n        choices:\n          - menuDisconnect:\n              name: Bye\n              dtmf: digit_1\n",
        "# A long licence header.\n".repeat(300)
    );
    assert_eq!(detect(&archy), Some(Vendor::Genesys));
}

#[test]
fn ids_longer_than_yaml_keys_are_shortened_not_broken() {
    let long = "w".repeat(1100);
    let flow = TWILIO_SPEECH
        .replace(
            "\"agent\", \"type\": \"enqueue-call\"",
            &format!("\"{long}\", \"type\": \"enqueue-call\""),
        )
        .replace(
            "\"match\", \"next\": \"agent\"",
            &format!("\"match\", \"next\": \"{long}\""),
        );
    let l = load(&flow);
    assert!(!l.has_errors(), "{}", l.render());
    assert!(reach(&l.hotline.unwrap()).reachable);
}

#[test]
fn press_one_two_or_three_announces_all_three() {
    let said = hotline::input::flows::check::announced_keys("For sales press 1, 2 or 3 for service, 4 for billing.");
    for k in ["1", "2", "3", "4"] {
        assert!(said.contains(k), "{k}: {said:?}");
    }
    let zh = hotline::input::flows::check::announced_keys("查询请按1、2或3。");
    assert_eq!(zh.len(), 3, "{zh:?}");
    // A phone number is still not a list of keys.
    assert!(hotline::input::flows::check::announced_keys("Call 555 1234 or press 9.").len() == 1);
}

#[test]
fn duplicate_json_keys_keep_the_last_with_a_warning() {
    // "say" twice: JSON readers (and Twilio) keep the last.
    let flow = TWILIO_SPEECH.replace(
        r#""properties": {"say": "Goodbye."}"#,
        r#""properties": {"say": "Goodbye.", "say": "Bye now."}"#,
    );
    let l = load(&flow);
    let w = l
        .diagnostics
        .iter()
        .find(|d| d.code == "vendor-duplicate-key")
        .expect("warned");
    assert_eq!(w.line, Some(11));
    let h = l.hotline.unwrap();
    assert_eq!(h.at(h.node("bye").unwrap()).say.as_deref(), Some("Bye now."));
}

#[test]
fn the_same_flow_twice_is_read_once() {
    let files = [
        (Vendor::Twilio, TWILIO_SPEECH, "a.json"),
        (Vendor::Twilio, TWILIO_SPEECH, "copy.json"),
    ];
    let i = hotline::input::flows::import_all(&files).unwrap();
    assert!(
        i.findings
            .iter()
            .any(|d| d.code == "vendor-same-flow" && d.message.contains("copy.json"))
    );
    assert!(!i.yaml.contains("copy.json/"), "no second copy of the blocks");
}

#[test]
fn errors_of_a_second_file_name_that_file_and_its_line() {
    let broken = "{\n  \"states\": [\n    {\"name\": oops}\n  ],\n  \"initial_state\": \"x\"\n}\n";
    let files = [
        (Vendor::Twilio, TWILIO_SPEECH, "first.json"),
        (Vendor::Twilio, broken, "second.json"),
    ];
    let errors = hotline::input::flows::import_all(&files).unwrap_err();
    let e = &errors[0];
    assert!(e.message.starts_with("second.json:3:"), "{}", e.message);
    assert_eq!((e.line, e.column), (None, None), "not a line of the first file");
}

#[test]
fn an_overlay_that_gives_the_seats_silences_the_assumption() {
    let overlay = hotline::input::Overlay::parse(
        "agents:\n  agents: { seats: 3, handle_time: exp(mean=2m) }\n  Flex: { seats: 2, handle_time: exp(mean=4m) }\n",
        "overlay.yaml",
        &LoadOptions::default(),
    )
    .unwrap();
    let with = hotline::input::load_str_with(TWILIO_SPEECH, "flow.json", &LoadOptions::default(), &overlay);
    assert!(
        !with.diagnostics.iter().any(|d| d.code == "vendor-assumed-pool"),
        "{}",
        with.render()
    );
    let without = load(TWILIO_SPEECH);
    assert_eq!(
        without
            .diagnostics
            .iter()
            .filter(|d| d.code == "vendor-assumed-pool")
            .count(),
        2
    );
}

/// Flows with the constructs of this file, for the fuzz test's seeds.
pub(crate) fn constructs() -> Vec<String> {
    let vxml_chain = r##"<?xml version="1.0"?>
<!-- licence -->
<vxml version="2.1"><form id="start"><block><if cond="a == 1"><goto next="#agent"/><elseif cond="b"/><exit/><else/><goto next="#start"/></if></block></form>
<menu id="m"><prompt>Press 1, 2 or 3.</prompt><choice dtmf="1" next="#agent">a</choice><noinput><goto nextitem="m"/></noinput></menu>
<form id="agent"><field name="x"><prompt>Say yes.</prompt><filled><prompt>Thanks.</prompt><goto next="#t"/></filled></field></form>
<form id="t"><transfer name="x" dest="tel:+1555"/></form></vxml>"##;
    vec![
        channel_flow(true),
        channel_flow(false),
        TWILIO_SPEECH.to_string(),
        format!("const initialJSON = {TWILIO_SPEECH};\nmodule.exports = initialJSON;\n"),
        serde_json::json!({"Name": "Alone", "Type": "CONTACT_FLOW", "Content": channel_flow(true)}).to_string(),
        vxml_chain.to_string(),
        TWILIO_SPEECH.replace(r#""say": "Goodbye.""#, r#""say": "Goodbye.", "say": "Bye.""#),
    ]
}

#[test]
fn import_output_onto_a_folder_or_a_dangling_link_says_so() {
    let d = std::env::temp_dir().join(format!("hotline-import-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let dangling = d.join("gone.yaml");
    std::os::unix::fs::symlink(d.join("nowhere"), &dangling).unwrap();
    for (out, says) in [
        (d.to_str().unwrap(), "a folder"),
        (dangling.to_str().unwrap(), "dangling link"),
    ] {
        let o = crate::support::hotline(&["import", "tests/data/flows/twilio_ivr.json", "-o", out]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{out}");
    }
    assert!(std::fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
    std::fs::remove_dir_all(&d).unwrap();
}
