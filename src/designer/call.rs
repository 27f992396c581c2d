//! A caller's walk through the menu, one node at a time: what is heard
//! (with the elapsed time), the key or request the caller gives, and where
//! it leads, until a queue, the end of the call or an online node.
//!
//! The walk is independent of the terminal: it reads the caller's input
//! from an [`Input`] (a terminal, a script of keys) and writes what happens
//! to any writer, so `hotline call` and the tests drive the same code.

use std::io::Write;

use petgraph::graph::NodeIndex;
use rand::rngs::Xoshiro256PlusPlus as Rng;
use rand::{RngExt, SeedableRng};

use crate::menu::{Channel, Hotline, Kind, Via};

/// Where the caller's input comes from.
pub trait Input {
    /// The next key, request or answer, after showing `ask`; `None` when
    /// there is no more input. An empty string is silence; `timeout`
    /// (seconds) is how long the menu waits, for input read in real time.
    fn next(&mut self, ask: &str, timeout: Option<f64>) -> Option<String>;
}

/// Input from a list of tokens (`--keys "9 agent agent"`); `-` or `wait`
/// is silence.
pub struct Script {
    tokens: std::collections::VecDeque<String>,
}

impl Script {
    /// Splits `keys` at spaces.
    pub fn new(keys: &str) -> Script {
        Script {
            tokens: keys.split_whitespace().map(str::to_string).collect(),
        }
    }
}

impl Input for Script {
    fn next(&mut self, _ask: &str, _timeout: Option<f64>) -> Option<String> {
        self.tokens.pop_front().map(|t| {
            if t == "-" || t.eq_ignore_ascii_case("wait") {
                String::new()
            } else {
                t
            }
        })
    }
}

/// Settings of a walk.
#[derive(Clone, Debug)]
pub struct CallOptions {
    /// Seconds of day the call starts (branch hours).
    pub at: f64,
    /// The caller's segment (branch cases).
    pub segment: Option<usize>,
    /// Every request is recognised.
    pub perfect: bool,
    /// Seed of the draws (recognition).
    pub seed: u64,
    /// Most nodes passed before the walk stops.
    pub max_nodes: usize,
}

impl Default for CallOptions {
    fn default() -> CallOptions {
        CallOptions {
            at: 9.0 * 3600.0,
            segment: None,
            perfect: false,
            seed: 1,
            max_nodes: 200,
        }
    }
}

/// How a walk ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// In a queue (its node), after this many seconds.
    Queue(NodeIndex, f64),
    /// The call ended at a hangup node, or a menu had nowhere to go.
    Hangup,
    /// The caller left for an online service (an `online` node).
    Online,
    /// Self-service solved the caller's need.
    Resolved,
    /// The input ran out.
    NoInput,
    /// The walk passed `max_nodes` nodes.
    TooLong,
}

/// Something a walk says: a prompt with the elapsed time, or a note.
pub trait Say {
    /// A prompt heard at `elapsed` seconds (with the node's text).
    fn heard(&mut self, elapsed: f64, text: &str);
    /// A line about what happens.
    fn note(&mut self, text: &str);
}

/// A [`Say`] writing lines to a writer (terminal-escaped).
pub struct Lines<W: Write>(pub W);

impl<W: Write> Say for Lines<W> {
    fn heard(&mut self, elapsed: f64, text: &str) {
        let t = elapsed.round() as u64;
        let line = format!("[{}:{:02}] {}\n", t / 60, t % 60, text);
        self.0.write_all(crate::escape::terminal(&line).as_bytes()).ok();
        self.0.flush().ok();
    }

    fn note(&mut self, text: &str) {
        self.0
            .write_all(crate::escape::terminal(&format!("        {text}\n")).as_bytes())
            .ok();
        self.0.flush().ok();
    }
}

/// The digits, `*` and `#`.
const KEYS: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"];

/// Walks the menu from `start` as a caller: hears prompts, asks `input`
/// for keys and requests, says what happens to `out`.
pub fn walk(h: &Hotline, start: NodeIndex, o: &CallOptions, input: &mut dyn Input, out: &mut dyn Say) -> Ending {
    let mut rng = Rng::seed_from_u64(o.seed);
    let mut t = 0.0;
    let mut n = start;
    let mut channel = h.at(start).channel;
    for _ in 0..o.max_nodes {
        let node = h.at(n);
        if node.channel != channel {
            channel = node.channel;
            out.note(match channel {
                Channel::Online => "(the call ends: you go on online, typing your requests)",
                Channel::Phone => "(you call the hotline)",
            });
        }
        let dur = node.duration.mean();
        let target = |via: &Via| h.out(n).find(|(_, _, tr)| &tr.via == via).map(|(_, to, _)| to);
        let hear = |out: &mut dyn Say, t: f64| {
            let text = node.say.clone().unwrap_or_else(|| format!("({})", node.display()));
            out.heard(t, &text);
        };
        let next = match &node.kind {
            Kind::Prompt => {
                hear(out, t);
                t += dur;
                target(&Via::Next)
            }
            Kind::Menu(_) | Kind::Speech(_) => match ask(h, n, o, &mut rng, &mut t, input, out) {
                Asked::To(to) => Some(to),
                Asked::Nowhere => None,
                Asked::NoInput => return Ending::NoInput,
            },
            Kind::SelfService { .. } => {
                hear(out, t);
                t += dur;
                let Some(answer) = input.next("did this solve your problem? (y/n) ", None) else {
                    return Ending::NoInput;
                };
                if answer.trim().eq_ignore_ascii_case("y") || answer.trim().eq_ignore_ascii_case("yes") {
                    out.note("your need is met: the call ends");
                    return Ending::Resolved;
                }
                target(&Via::Next)
            }
            Kind::Branch => {
                let clock = o.at + t;
                let to = h.out(n).find(|(_, _, tr)| match &tr.via {
                    Via::Case(_, c) => c.admits(o.segment, clock) && c.share.is_none_or(|p| rng.random::<f64>() < p),
                    Via::Else => true,
                    _ => false,
                });
                if let Some((_, to, tr)) = to {
                    out.note(&format!("({}: {} → {})", node.id, tr.via.label(), h.at(to).id));
                }
                to.map(|(_, to, _)| to)
            }
            Kind::Queue(q) => {
                let pool = &h.pools[q.pool];
                out.note(&format!(
                    "you are in queue {} (agents of pool {}, {} seat(s) at this time), after {:.0} s",
                    node.display(),
                    pool.label.as_deref().unwrap_or(&pool.name),
                    pool.seats_at(o.at + t),
                    t
                ));
                return Ending::Queue(n, t);
            }
            Kind::Online(_) => {
                hear(out, t);
                out.note(&format!("you are sent online ({}): the call ends", node.display()));
                return Ending::Online;
            }
            Kind::Hangup => {
                hear(out, t);
                out.note("the call ends");
                return Ending::Hangup;
            }
        };
        match next {
            Some(to) => n = to,
            None => {
                out.note("nowhere to go from here: the call ends");
                return Ending::Hangup;
            }
        }
    }
    out.note(&format!("the walk passed {} nodes: stopping", o.max_nodes));
    Ending::TooLong
}

enum Asked {
    To(NodeIndex),
    Nowhere,
    NoInput,
}

/// A menu or a bot: hearings, keys or requests, retries, recognition.
fn ask(
    h: &Hotline,
    n: NodeIndex,
    o: &CallOptions,
    rng: &mut Rng,
    t: &mut f64,
    input: &mut dyn Input,
    out: &mut dyn Say,
) -> Asked {
    let node = h.at(n);
    let dur = node.duration.mean();
    let (inp, understood) = match &node.kind {
        Kind::Menu(i) => (i, 1.0),
        Kind::Speech(s) => (&s.input, if o.perfect { 1.0 } else { s.understood }),
        _ => unreachable!("only menus and bots ask"),
    };
    let fail = h.out(n).find(|(_, _, tr)| tr.via == Via::Fail).map(|(_, to, _)| to);
    let misunderstood = h
        .out(n)
        .find(|(_, _, tr)| tr.via == Via::Misunderstood)
        .map(|(_, to, _)| to);
    let online = node.channel == Channel::Online;
    let bot = matches!(node.kind, Kind::Speech(_));
    let ask_text = match (bot, online) {
        (false, _) => "press a key (0-9, * or #; Enter alone to stay silent)> ",
        (true, false) => "say it (a key, or a request; Enter alone to stay silent)> ",
        (true, true) => "type your request (Enter alone to stay silent)> ",
    };
    let text = node.say.clone().unwrap_or_else(|| format!("({})", node.display()));
    let mut said = 0;
    let mut asked_for: Option<(NodeIndex, String)> = None;
    // Failed hearings (silence, a key not offered) count against the
    // retries; a bot asking again for an `insist` request does not.
    let mut failed = 0;
    let mut hearings = 0;
    while failed <= inp.retries && hearings < 100 {
        hearings += 1;
        out.heard(*t, &text);
        *t += dur;
        let Some(answer) = input.next(ask_text, Some(inp.timeout)) else {
            return Asked::NoInput;
        };
        let answer = answer.trim().to_string();
        if answer.is_empty() {
            *t += inp.timeout;
            out.note(&format!("(silence, {} s)", crate::menu::value::trim_float(inp.timeout)));
            failed += 1;
            continue;
        }
        // A key the menu (or the bot's fallback) offers.
        if let Some((_, to, tr)) = h.out(n).find(|(_, _, tr)| tr.via == Via::Key(answer.clone())) {
            out.note(&format!("you pressed {answer}{}", label(tr.label.as_deref())));
            return Asked::To(to);
        }
        if !bot {
            let why = if KEYS.contains(&answer.as_str()) {
                format!("key {answer} is not an option")
            } else {
                format!("\"{answer}\" is not a phone key")
            };
            out.note(&format!("({why}: the menu is played again)"));
            failed += 1;
            continue;
        }
        // A request: an intent by name or label.
        let wanted = answer.to_lowercase();
        let intent = h.out(n).find(|(_, _, tr)| match &tr.via {
            Via::Intent(i) => {
                i.to_lowercase() == wanted || tr.label.as_deref().is_some_and(|l| l.to_lowercase() == wanted)
            }
            _ => false,
        });
        let Some((_, to, tr)) = intent else {
            out.note(&format!("(the bot does not know \"{answer}\")"));
            match misunderstood {
                Some(m) => {
                    out.note(&format!("not understood: on to {}", h.at(m).id));
                    return Asked::To(m);
                }
                None => {
                    failed += 1;
                    continue;
                }
            }
        };
        if understood < 1.0
            && rng.random::<f64>() >= understood
            && let Some(m) = misunderstood
        {
            out.note(&format!(
                "the bot did not understand \"{answer}\": on to {}",
                h.at(m).id
            ));
            return Asked::To(m);
        }
        let name = match &tr.via {
            Via::Intent(i) => i.clone(),
            _ => answer.clone(),
        };
        if asked_for.as_ref().is_some_and(|(prev, _)| *prev != to) {
            said = 0;
        }
        said += 1;
        asked_for = Some((to, name.clone()));
        if said >= tr.insist {
            out.note(&format!("understood: \"{name}\"{}", label(tr.label.as_deref())));
            return Asked::To(to);
        }
        out.note(&format!(
            "the bot asks again ({said} of {} times it needs to hear \"{name}\")",
            tr.insist
        ));
    }
    match fail {
        Some(f) => {
            out.note(&format!(
                "no choice after {} hearing(s): on to {}",
                inp.retries + 1,
                h.at(f).id
            ));
            Asked::To(f)
        }
        None => Asked::Nowhere,
    }
}

fn label(l: Option<&str>) -> String {
    l.map_or(String::new(), |l| format!(" ({l})"))
}
