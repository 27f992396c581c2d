//! Twilio Studio flow definitions (`states`, `initial_state`): each widget
//! a block, its transitions by event.
//!
//! A Gather widget and the Split widget its `keypress` or `speech` leads to
//! form one menu: the split's conditions on `{{widgets.GATHER.Digits}}` are
//! its keys (on `SpeechResult`, its phrases). A split that reads another
//! widget's input cannot match what the caller just pressed: it is
//! reported, and the menu sends every caller down `noMatch`.

use std::collections::{HashMap, HashSet};

use super::{
    Block, Choice, Decision, Does, Edge, Flow, Input, Prompt, error, finding, json_tree, list_of, plain, text_of,
};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::menu::yaml::{Node, Pos};

/// Where a Studio flow's JSON object stands inside JavaScript (`const
/// initialJSON = {...}`, `module.exports = {...}`, as flows are kept in
/// code repositories): the byte range of the first object assigned or
/// passed whose text names `states` and `initial_state`.
pub fn in_javascript(text: &str) -> Option<std::ops::Range<usize>> {
    if text.trim_start().starts_with('{') || !text.contains("initial_state") || !text.contains("states") {
        return None;
    }
    for (i, _) in text.match_indices('{') {
        let before = text[..i].trim_end();
        if !(before.ends_with('=') || before.ends_with('(') || before.ends_with("return")) {
            continue;
        }
        let end = matching_brace(text, i)?;
        let body = &text[i..=end];
        if body.contains("initial_state") && body.contains("states") {
            return Some(i..end + 1);
        }
    }
    None
}

/// The index of the `}` closing the `{` at `open`, strings skipped.
fn matching_brace(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Reads a flow definition (also one inside JavaScript).
pub fn read(text: &str) -> Result<Flow, Vec<Diagnostic>> {
    // Inside JavaScript: the object alone, everything else blanked, so
    // every position is the file's own.
    let blanked;
    let text = match in_javascript(text) {
        Some(r) => {
            blanked = text
                .char_indices()
                .map(|(i, c)| if r.contains(&i) || c == '\n' { c } else { ' ' })
                .collect::<String>();
            let (root, twice) = json_tree(&blanked).map_err(|mut d| {
                d.message = format!(
                    "a Twilio Studio flow inside JavaScript: hotline reads its object as JSON, and {} (export the flow as JSON from Studio)",
                    d.message
                );
                vec![d]
            })?;
            return read_tree(&root, twice);
        }
        None => text,
    };
    let (root, twice) = json_tree(text).map_err(|d| vec![d])?;
    read_tree(&root, twice)
}

fn read_tree(root: &Node, twice: Vec<Diagnostic>) -> Result<Flow, Vec<Diagnostic>> {
    let root = root.clone();
    let states = list_of(&root, "states");
    if states.is_empty() {
        return Err(vec![error(
            Code::VendorMissingStart,
            "the flow has no states",
            Some(root.pos),
        )]);
    }
    let mut flow = Flow {
        name: text_of(&root, "description").unwrap_or_default(),
        findings: twice,
        ..Flow::default()
    };
    let mut widgets: Vec<Widget> = Vec::new();
    for s in states {
        let Some(name) = text_of(s, "name") else {
            return Err(vec![error(Code::VendorMissingKey, "a state has no name", Some(s.pos))]);
        };
        let kind = text_of(s, "type").unwrap_or_default();
        let transitions = list_of(s, "transitions")
            .iter()
            .map(|t| Transition {
                event: text_of(t, "event").unwrap_or_default(),
                next: text_of(t, "next").filter(|n| !n.is_empty()),
                pos: t.pos,
                node: t.clone(),
            })
            .collect();
        widgets.push(Widget {
            name,
            kind,
            pos: s.pos,
            props: s.get("properties").cloned(),
            transitions,
        });
    }
    let initial = text_of(&root, "initial_state").unwrap_or_default();
    let by_name: HashMap<&str, usize> = widgets.iter().enumerate().map(|(i, w)| (w.name.as_str(), i)).collect();
    // Where callers enter: the trigger's incoming call (else message, request).
    let trigger = by_name.get(initial.as_str()).map(|&i| &widgets[i]);
    flow.entry = match trigger {
        Some(t) if t.kind == "trigger" => [
            "incomingCall",
            "incomingMessage",
            "incomingConversationMessage",
            "incomingRequest",
        ]
        .iter()
        .find_map(|e| t.next(e))
        .map(|e| e.to)
        .ok_or_else(|| {
            vec![error(
                Code::VendorMissingStart,
                format!("the trigger {} leads nowhere: no incomingCall transition", t.name),
                Some(t.pos),
            )]
        })?,
        _ => initial.clone(),
    };
    // Splits read by the gather before them are part of its menu; keep one
    // only if something else leads to it.
    let mut consumed: HashSet<String> = HashSet::new();
    let mut blocks = Vec::new();
    let mut ends = Vec::new();
    for w in &widgets {
        if w.kind == "trigger" {
            continue;
        }
        let does = match w.kind.as_str() {
            "say-play" => Does::Say {
                prompt: w.prompt(),
                next: w.next("audioComplete"),
            },
            "gather-input-on-call" => gather(w, &widgets, &by_name, &mut consumed, &mut flow.findings, &mut ends),
            "connect-call-to" => Does::Queue {
                pool: w
                    .prop("to")
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| w.prop("noun").unwrap_or_else(|| w.name.clone())),
            },
            "enqueue-call" => Does::Queue {
                pool: w
                    .prop("queue_name")
                    .or_else(|| w.prop("workflow_sid"))
                    .unwrap_or_else(|| w.name.clone()),
            },
            "send-to-flex" => Does::Queue {
                pool: w.prop("workflow").unwrap_or_else(|| "Flex".into()),
            },
            "split-based-on" => split(w, &mut ends),
            // A redirect to a Flex hand-off (a function or URL named for
            // Flex or an agent) leads to people.
            "add-twiml-redirect" if hands_to_people(w) => Does::Queue { pool: "Flex".into() },
            "run-function" | "make-http-request" | "connect-virtual-agent" => decide(w, Decision::Function, &mut ends),
            "set-variables" => Does::Pass { next: w.next("next") },
            "run-subflow" => Does::Pass {
                next: w.next("completed"),
            },
            "send-message" => Does::Say {
                prompt: Prompt {
                    text: w.prop("body").map(|t| plain(&t)),
                    audio: false,
                },
                next: w.next("sent"),
            },
            "send-and-wait-for-reply" => Does::Say {
                prompt: Prompt {
                    text: w.prop("body").map(|t| plain(&t)),
                    audio: false,
                },
                next: w.next("incomingMessage"),
            },
            "record-voicemail" => Does::Say {
                prompt: Prompt::default(),
                next: w.next("recordingComplete"),
            },
            _ => generic(w, &mut ends),
        };
        blocks.push(Block {
            id: w.name.clone(),
            pos: w.pos,
            kind: w.kind.clone(),
            label: None,
            does,
        });
    }
    let referenced: HashSet<String> = blocks
        .iter()
        .filter(|b| b.kind != "gather-input-on-call")
        .flat_map(|b| b.does.edges().into_iter().map(|e| e.to.clone()))
        .chain(std::iter::once(flow.entry.clone()))
        .collect();
    blocks.retain(|b| !consumed.contains(&b.id) || referenced.contains(&b.id));
    blocks.extend(ends);
    flow.blocks = blocks;
    Ok(flow)
}

/// Whether a redirect's URL or name is a hand-off to agents.
fn hands_to_people(w: &Widget) -> bool {
    let text = format!("{} {}", w.prop("url").unwrap_or_default(), w.name).to_lowercase();
    ["flex", "agent", "human", "operator", "enqueue"]
        .iter()
        .any(|k| text.contains(k))
}

struct Widget {
    name: String,
    kind: String,
    pos: Pos,
    props: Option<Node>,
    transitions: Vec<Transition>,
}

struct Transition {
    event: String,
    next: Option<String>,
    pos: Pos,
    node: Node,
}

impl Widget {
    fn prop(&self, key: &str) -> Option<String> {
        self.props.as_ref().and_then(|p| text_of(p, key))
    }

    fn prompt(&self) -> Prompt {
        let say = self.prop("say").filter(|s| !s.trim().is_empty());
        let play = self.prop("play").filter(|s| !s.trim().is_empty());
        Prompt {
            text: say.map(|s| plain(&s)),
            audio: play.is_some(),
        }
    }

    fn next(&self, event: &str) -> Option<Edge> {
        self.transitions
            .iter()
            .find(|t| t.event == event)
            .and_then(|t| t.next.clone().map(|to| Edge { to, pos: t.pos }))
    }

    /// The transition for `event`; none (the flow ends there): a hang-up block.
    fn next_or_end(&self, event: &str, ends: &mut Vec<Block>) -> Option<Edge> {
        if let Some(e) = self.next(event) {
            return Some(e);
        }
        let pos = self
            .transitions
            .iter()
            .find(|t| t.event == event)
            .map_or(self.pos, |t| t.pos);
        Some(end(&self.name, event, pos, ends))
    }
}

/// A hang-up block for a transition that leads nowhere (the execution ends).
fn end(widget: &str, event: &str, pos: Pos, ends: &mut Vec<Block>) -> Edge {
    let id = format!("{widget}~{event}");
    if !ends.iter().any(|b| b.id == id) {
        ends.push(Block {
            id: id.clone(),
            pos,
            kind: format!("end of the flow after {event}"),
            label: None,
            does: Does::Hangup,
        });
    }
    Edge { to: id, pos }
}

/// The widget a `{{widgets.NAME.Digits}}` input names, and what it reads
/// (Liquid filters after `|`, such as `downcase`, change the text, not
/// where it comes from).
fn reads(input: &str) -> Option<(String, String)> {
    let inner = input.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.split('|').next().unwrap_or(inner).trim();
    let rest = inner.strip_prefix("widgets.")?;
    let (name, field) = rest.rsplit_once('.')?;
    Some((name.to_string(), field.to_string()))
}

/// The values a split's `match` condition accepts.
fn condition_values(t: &Transition) -> Vec<String> {
    list_of(&t.node, "conditions")
        .iter()
        .flat_map(|c| {
            let value = text_of(c, "value").unwrap_or_default();
            match text_of(c, "type").as_deref() {
                Some("matches_any_of") => value.split(',').map(|v| v.trim().to_string()).collect::<Vec<_>>(),
                _ => vec![value.trim().to_string()],
            }
        })
        .filter(|v| !v.is_empty())
        .collect()
}

fn gather(
    w: &Widget,
    widgets: &[Widget],
    by_name: &HashMap<&str, usize>,
    consumed: &mut HashSet<String>,
    findings: &mut Vec<Diagnostic>,
    ends: &mut Vec<Block>,
) -> Does {
    let mut choices = Vec::new();
    let mut no_match = None;
    for (event, field) in [("keypress", "Digits"), ("speech", "SpeechResult")] {
        let Some(e) = w.next(event) else { continue };
        let split = by_name
            .get(e.to.as_str())
            .map(|&i| &widgets[i])
            .filter(|s| s.kind == "split-based-on");
        let Some(s) = split else {
            // Any input goes on to one widget.
            let what = if event == "keypress" {
                "any key"
            } else {
                "anything said"
            };
            choices.push(Choice {
                input: Input::Phrase(what.into()),
                to: e,
            });
            continue;
        };
        consumed.insert(s.name.clone());
        let input = s.prop("input").unwrap_or_default();
        let matches = reads(&input).is_some_and(|(name, f)| name == w.name && f == field);
        no_match = no_match
            .or_else(|| s.next("noMatch"))
            .or_else(|| Some(end(&s.name, "noMatch", s.pos, ends)));
        if !matches {
            let what = reads(&input).map_or_else(|| format!("\"{input}\""), |(n, f)| format!("{f} of {n}"));
            findings.push(finding(
                Code::VendorWrongInput,
                format!(
                    "the split after {} reads {what}, not the {field} the caller just gave {}: none of its conditions can match what was pressed, so every caller goes to noMatch",
                    w.name, w.name
                ),
                s.pos,
                &s.name,
            ));
            continue;
        }
        for t in s.transitions.iter().filter(|t| t.event == "match") {
            let Some(to) = t.next.clone() else { continue };
            for v in condition_values(t) {
                let input = if field == "Digits" {
                    Input::Key(v)
                } else {
                    Input::Phrase(v)
                };
                choices.push(Choice {
                    input,
                    to: Edge {
                        to: to.clone(),
                        pos: t.pos,
                    },
                });
            }
        }
    }
    Does::Ask {
        prompt: w.prompt(),
        choices,
        no_input: Some(w.next_or_end("timeout", ends).expect("always an edge")),
        no_match,
        retries: 0,
        timeout: w.prop("timeout").and_then(|t| t.parse::<f64>().ok()),
    }
}

/// A split on data: its matches in order, `noMatch` last.
fn split(w: &Widget, ends: &mut Vec<Block>) -> Does {
    let mut arms = Vec::new();
    for t in w.transitions.iter().filter(|t| t.event == "match") {
        let label = list_of(&t.node, "conditions")
            .first()
            .and_then(|c| text_of(c, "friendly_name"))
            .unwrap_or_else(|| condition_values(t).join(","));
        let to = t
            .next
            .clone()
            .map_or_else(|| end(&w.name, "match", t.pos, ends), |to| Edge { to, pos: t.pos });
        arms.push((label, to));
    }
    arms.push((
        "no match".into(),
        w.next_or_end("noMatch", ends).expect("always an edge"),
    ));
    Does::Decide {
        what: Decision::Data,
        arms,
    }
}

fn decide(w: &Widget, what: Decision, ends: &mut Vec<Block>) -> Does {
    let arms = w
        .transitions
        .iter()
        .map(|t| {
            let to = t
                .next
                .clone()
                .map_or_else(|| end(&w.name, &t.event, t.pos, ends), |to| Edge { to, pos: t.pos });
            (t.event.clone(), to)
        })
        .collect();
    Does::Decide { what, arms }
}

/// A widget this reader does not know: on through its one transition, a
/// decision among several, the end with none.
fn generic(w: &Widget, ends: &mut Vec<Block>) -> Does {
    let with_next: Vec<&Transition> = w.transitions.iter().filter(|t| t.next.is_some()).collect();
    match with_next.len() {
        0 => Does::Hangup,
        1 => Does::Pass {
            next: w.next(&with_next[0].event),
        },
        _ => decide(w, Decision::Data, ends),
    }
}
