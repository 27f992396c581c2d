//! Vendor flows read rightly, second round: constructs of real public
//! flows the first readers got wrong (issue 22), each with the structure
//! and the analysis worked out by hand.

use hotline::analysis;
use hotline::import::{Vendor, detect};
use hotline::menu::{Hotline, Kind, LoadOptions, Loaded, load_str};

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
    let flow = hotline::import::voicexml::read(&t).unwrap();
    assert_eq!(flow.blocks.len(), n + 1);
    let last = &flow.blocks[n - 1];
    assert_eq!(
        (last.id.as_str(), last.pos.line),
        (format!("f{}", n - 1).as_str(), n as u32 + 2)
    );
    assert_eq!(detect(&t), Some(Vendor::VoiceXml));
}
