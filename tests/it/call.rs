//! `hotline call`: scripted walks through the menus, and an interactive
//! walk driven in a real terminal (tmux send-keys, capture-pane).

use std::process::Command;
use std::time::{Duration, Instant};

use hotline::designer::call::{CallOptions, Ending, Lines, Script, walk};
use hotline::input::load_str;
use hotline::menu::Hotline;

fn menu(text: &str) -> Hotline {
    let loaded = load_str(text, "call.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

/// Walks with a script; returns how it ended and what was said.
fn call(h: &Hotline, keys: &str, o: &CallOptions) -> (Ending, String) {
    let mut out = Lines(Vec::new());
    let end = walk(h, h.entry, o, &mut Script::new(keys), &mut out);
    (end, String::from_utf8(out.0).unwrap())
}

const MENU: &str = "hotline: Walk\nentry: hello\nnodes:\n\
    \x20 hello: { kind: prompt, say: Hello., duration: 5s, next: main }\n\
    \x20 main:\n    kind: menu\n    say: Press 1 for balance, 0 for a person.\n    duration: 10s\n\
    \x20   options:\n      \"1\": { to: balance, label: Balance }\n      \"0\": { to: bot, label: Agent }\n\
    \x20   no_input: 0.1\n    retries: 1\n    timeout: 5s\n    on_fail: bye\n\
    \x20 balance: { kind: self_service, say: Your balance is 10., duration: 20s, resolves: 0.8, next: main }\n\
    \x20 bot:\n    kind: speech\n    say: What is it about?\n    duration: 4s\n    understood: 0\n    on_misunderstood: main\n\
    \x20   intents:\n      agent: { to: q, insist: 2, label: human }\n\
    \x20 q: { kind: queue, pool: desk }\n  bye: { kind: hangup, say: Goodbye. }\n\
    agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";

#[test]
fn scripted_walks_follow_keys_requests_timeouts_and_recognition() {
    let h = menu(MENU);
    let perfect = CallOptions {
        perfect: true,
        ..Default::default()
    };
    // 0, then "agent" twice (insist), understood when perfect: 5 + 10 + 4 + 4 s.
    let (end, text) = call(&h, "0 agent agent", &perfect);
    assert_eq!(end, Ending::Queue(h.node("q").unwrap(), 23.0), "{text}");
    assert!(
        text.contains("[0:00] Hello.") && text.contains("[0:05] Press 1"),
        "{text}"
    );
    assert!(
        text.contains("the bot asks again (1 of 2 times") && text.contains("understood: \"agent\""),
        "{text}"
    );
    // A label works as the request too, and counts towards the same insist.
    let (end, text) = call(&h, "0 HUMAN agent", &perfect);
    assert!(matches!(end, Ending::Queue(..)), "{text}");
    assert!(text.contains("understood: \"agent\" (human)"), "{text}");
    // Silence on both hearings: on_fail to the hangup, after 5 + 2 × (10 + 5) s.
    let (end, text) = call(&h, "- -", &perfect);
    assert_eq!(end, Ending::Hangup, "{text}");
    assert!(
        text.contains("(silence, 5 s)") && text.contains("no choice after 2 hearing(s): on to bye"),
        "{text}"
    );
    assert!(text.contains("[0:35] Goodbye."), "{text}");
    // A key the menu does not offer counts as a failed hearing.
    let (end, text) = call(&h, "7 1 y", &perfect);
    assert_eq!(end, Ending::Resolved, "{text}");
    assert!(text.contains("key 7 is not an option"), "{text}");
    // understood: 0 — without --perfect every request is misrecognised.
    let (end, text) = call(&h, "0 agent", &CallOptions::default());
    assert_eq!(end, Ending::NoInput, "{text}");
    assert!(text.contains("did not understand \"agent\": on to main"), "{text}");
    // Self-service that does not solve it leads on.
    let (_, text) = call(&h, "1 n 0 agent agent", &perfect);
    assert!(text.contains("you are in queue q"), "{text}");
}

use crate::support::hotline;

#[test]
fn the_command_walks_chinese_menus_and_estimates_the_wait() {
    let out = hotline(&[
        "call",
        "menus/ecommerce_chat.yaml",
        "--online",
        "--keys",
        "人工 人工",
        "--perfect",
        "--at",
        "11:00",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("you are in queue 在线人工"), "{text}");
    assert!(
        text.contains("expected wait in 在线人工 when you join at 11:00"),
        "{text}"
    );
    let out = hotline(&["call", "menus/bank.yaml", "--segment", "eldrly", "--keys", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let out = hotline(&[
        "call",
        "menus/bank.yaml",
        "--keys",
        "1",
        "--speak",
        "--replications",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(0));
}

/// A tmux server of its own, killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "call"]).stdout).into_owned()
    }

    /// Waits until the screen shows `text` (at most 20 s).
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "\"{text}\" never shown:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &str) {
        if !keys.is_empty() {
            self.run(&["send-keys", "-t", "call", "-l", keys]);
        }
        self.run(&["send-keys", "-t", "call", "Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn tmux_session(args: &str) -> Option<Tmux> {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var("CI").is_err(), "CI must install tmux (.ci/run does)");
        eprintln!("skipped: no tmux on this machine (apt-get install tmux)");
        return None;
    }
    let t = Tmux {
        socket: format!("hotline-test-{}-{}", std::process::id(), args.len()),
    };
    let command = format!(
        "cd {} && {} call {args}; sleep 60",
        env!("CARGO_MANIFEST_DIR"),
        env!("CARGO_BIN_EXE_hotline")
    );
    let out = t.run(&["new-session", "-d", "-s", "call", "-x", "200", "-y", "60", &command]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(t)
}

#[test]
fn an_interactive_call_in_a_real_terminal_reaches_a_queue() {
    let Some(t) = tmux_session("menus/bank.yaml --perfect") else {
        return;
    };
    t.wait_for("press a key");
    t.keys("9");
    t.wait_for("say it");
    t.keys("agent");
    t.wait_for("the bot asks again");
    t.keys("agent");
    let screen = t.wait_for("expected wait in q_general");
    assert!(
        screen.contains("you pressed 9") && screen.contains("you are in queue q_general"),
        "{screen}"
    );
}

#[test]
fn an_interactive_call_that_fails_the_menu_goes_to_on_fail() {
    let Some(t) = tmux_session("menus/mobile_operator_zh.yaml") else {
        return;
    };
    // Silence once with Enter; the two other hearings time out in real
    // time (the menu's 5 s each).
    t.wait_for("press a key");
    t.keys("");
    let screen = t.wait_for("you are in queue 人工队列");
    assert_eq!(screen.matches("(silence, 5 s)").count(), 3, "{screen}");
    assert!(screen.contains("on to 人工队列"), "{screen}");
}
