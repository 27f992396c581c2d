//! Genesys Cloud Architect flows as Archy YAML (`inboundCall:` with
//! `menus`, `tasks`, `startUpRef`, `initialGreeting`).
//!
//! A menu is one block whose choices lead to what each choice does (a
//! transfer to ACD, a task, another menu, a disconnect). A task's actions
//! run in order; an action with outputs (a decision, a schedule check, a
//! data action) branches, and each output's actions go on after the
//! action when they do not end the call. Block ids are the menus' and
//! tasks' `refId`s and, for actions, their place: `Task_1/2/yes/0`.

use std::collections::HashMap;

use super::{Block, Choice, Decision, Does, Edge, Flow, Input, Prompt, error, list_of, plain, text_of};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::menu::yaml::{Node, Pos, Value};

/// Reads an Archy YAML flow.
pub fn read(text: &str) -> Result<Flow, Vec<Diagnostic>> {
    let root = crate::menu::yaml::parse(text, &crate::menu::yaml::Limits::default()).map_err(|e| {
        vec![error(
            Code::VendorBadYaml,
            format!("the flow is not valid YAML: {}", e.message),
            e.pos,
        )]
    })?;
    let Some((_, body)) = root.as_map().and_then(|m| {
        m.iter()
            .find(|(k, _)| {
                k.scalar_text()
                    .is_some_and(|k| super::GENESYS_FLOW_TYPES.contains(&k.as_str()))
            })
            .map(|(k, v)| (k, v))
    }) else {
        return Err(vec![error(
            Code::VendorMissingKey,
            "no flow (inboundCall:, inboundChat:, …) in the file",
            Some(root.pos),
        )]);
    };
    let mut r = Reader {
        blocks: Vec::new(),
        menus: HashMap::new(),
        tasks: HashMap::new(),
        parents: HashMap::new(),
    };
    // Ids of menus and tasks first, for references in any order.
    for m in list_of(body, "menus") {
        if let Some(menu) = m.get("menu") {
            r.register_menu(menu);
        }
    }
    for t in list_of(body, "tasks") {
        if let Some(task) = t.get("task") {
            let id = ref_id(task);
            r.tasks.insert(text_of(task, "name").unwrap_or_default(), id.clone());
            r.tasks.insert(id.clone(), id);
        }
    }
    let start_ref = text_of(body, "startUpRef").unwrap_or_default();
    let start = r.resolve(&start_ref).unwrap_or_default();
    // Which menu leads to which, for "previous menu".
    for m in list_of(body, "menus") {
        if let Some(menu) = m.get("menu") {
            r.note_parents(menu);
        }
    }
    for m in list_of(body, "menus") {
        if let Some(menu) = m.get("menu") {
            r.menu(menu, &start);
        }
    }
    for t in list_of(body, "tasks") {
        if let Some(task) = t.get("task") {
            let id = ref_id(task);
            r.actions(&id, task.get("actions"), None, task.pos);
        }
    }
    let mut entry = start.clone();
    if let Some(g) = body.get("initialGreeting") {
        r.blocks.push(Block {
            id: "initialGreeting".into(),
            pos: g.pos,
            kind: "initialGreeting".into(),
            label: None,
            does: Does::Say {
                prompt: audio(Some(g)),
                next: (!start.is_empty()).then(|| Edge {
                    to: start.clone(),
                    pos: g.pos,
                }),
            },
        });
        entry = "initialGreeting".into();
    }
    Ok(Flow {
        name: text_of(body, "name").unwrap_or_default(),
        entry,
        blocks: r.blocks,
        ..Flow::default()
    })
}

struct Reader {
    blocks: Vec<Block>,
    /// Menu name or refId → block id.
    menus: HashMap<String, String>,
    /// Task name or refId → block id.
    tasks: HashMap<String, String>,
    /// Menu id → the menu that leads to it (for "previous menu").
    parents: HashMap<String, String>,
}

/// What an `audio:` (or a greeting) says: its `tts` text; audio files and
/// expressions have no words to time.
fn audio(node: Option<&Node>) -> Prompt {
    let Some(n) = node else { return Prompt::default() };
    let mut p = Prompt::default();
    let mut texts = Vec::new();
    collect_tts(n, &mut texts, &mut p.audio);
    if !texts.is_empty() {
        p.text = Some(plain(&texts.join(" ")));
    }
    p
}

fn collect_tts(n: &Node, texts: &mut Vec<String>, audio: &mut bool) {
    match &n.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                match k.scalar_text().as_deref() {
                    Some("tts") => texts.extend(v.scalar_text()),
                    Some("prompt" | "exp" | "file") => *audio = true,
                    _ => collect_tts(v, texts, audio),
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| collect_tts(i, texts, audio)),
        _ => {}
    }
}

/// A menu's or task's id: its `refId`, else its name.
fn ref_id(n: &Node) -> String {
    text_of(n, "refId").or_else(|| text_of(n, "name")).unwrap_or_default()
}

/// A one-key mapping (`- playAudio: {...}`): the key and its value.
fn single(n: &Node) -> Option<(String, &Node)> {
    n.as_map()
        .and_then(|m| m.first())
        .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v))
}

/// `digit_1` → `1`, `digit_star` → `*`, `digit_pound` → `#`.
fn key(dtmf: &str) -> Option<String> {
    let d = dtmf.strip_prefix("digit_")?;
    Some(match d {
        "star" => "*".into(),
        "pound" | "hash" => "#".into(),
        other => other.into(),
    })
}

/// The refId in `/inboundCall/menus/menu[Main Menu_10]`.
fn bracket(r: &str) -> &str {
    match (r.rfind('['), r.rfind(']')) {
        (Some(a), Some(b)) if a < b => &r[a + 1..b],
        _ => r,
    }
}

impl Reader {
    fn register_menu(&mut self, menu: &Node) {
        let id = ref_id(menu);
        self.menus.insert(text_of(menu, "name").unwrap_or_default(), id.clone());
        self.menus.insert(id.clone(), id);
        for c in list_of(menu, "choices") {
            if let Some(sub) = c.get("menuSubMenu").and_then(|s| s.get("menu")) {
                self.register_menu(sub);
            }
        }
    }

    fn note_parents(&mut self, menu: &Node) {
        let id = ref_id(menu);
        for c in list_of(menu, "choices") {
            let child = if let Some(sub) = c.get("menuSubMenu").and_then(|s| s.get("menu")) {
                self.note_parents(sub);
                Some(ref_id(sub))
            } else {
                c.get("menuJumpToMenu")
                    .and_then(|j| text_of(j, "targetMenuRef"))
                    .and_then(|r| self.resolve(&r))
            };
            if let Some(child) = child {
                self.parents.entry(child).or_insert_with(|| id.clone());
            }
        }
    }

    fn resolve(&self, reference: &str) -> Option<String> {
        let name = bracket(reference);
        if reference.contains("/tasks/") {
            self.tasks.get(name).cloned()
        } else {
            self.menus.get(name).or_else(|| self.tasks.get(name)).cloned()
        }
        .or_else(|| (!name.is_empty()).then(|| name.to_string()))
    }

    fn push(&mut self, id: String, pos: Pos, kind: &str, label: Option<String>, does: Does) {
        self.blocks.push(Block {
            id,
            pos,
            kind: kind.into(),
            label,
            does,
        });
    }

    fn menu(&mut self, menu: &Node, start: &str) -> String {
        let id = ref_id(menu);
        let mut choices = Vec::new();
        for (i, c) in list_of(menu, "choices").iter().enumerate() {
            let Some((what, body)) = single(c) else {
                continue;
            };
            let name = text_of(body, "name").unwrap_or_else(|| what.clone());
            let child = format!("{id}/{i}");
            let to = match what.as_str() {
                "menuTransferToAcd" => {
                    let pool = body
                        .get("queue")
                        .or_else(|| body.get("targetQueue"))
                        .and_then(|q| q.get("lit"))
                        .and_then(|l| text_of(l, "name"))
                        .unwrap_or_else(|| name.clone());
                    self.push(child.clone(), body.pos, &what, Some(name.clone()), Does::Queue { pool });
                    child
                }
                "menuDisconnect" => {
                    self.push(child.clone(), body.pos, &what, Some(name.clone()), Does::Hangup);
                    child
                }
                "menuJumpToMenu" => text_of(body, "targetMenuRef")
                    .and_then(|r| self.resolve(&r))
                    .unwrap_or_default(),
                "menuJumpToTask" => text_of(body, "targetTaskRef")
                    .and_then(|r| self.resolve(&r))
                    .unwrap_or_default(),
                "menuTask" => {
                    let task = body.get("task");
                    self.actions(&child, task.and_then(|t| t.get("actions")), None, body.pos)
                }
                "menuSubMenu" => match body.get("menu") {
                    Some(sub) => self.menu(sub, start),
                    None => text_of(body, "subMenu")
                        .and_then(|r| self.resolve(&r))
                        .unwrap_or_default(),
                },
                "menuRepeat" => id.clone(),
                "menuPreviousMenu" => self.parents.get(&id).cloned().unwrap_or_else(|| start.to_string()),
                "menuMainMenu" => start.to_string(),
                _ => {
                    self.push(child.clone(), body.pos, &what, Some(name.clone()), Does::Hangup);
                    child
                }
            };
            let input = match text_of(body, "dtmf").and_then(|d| key(&d)) {
                Some(k) => Input::Key(k),
                None => Input::Phrase(name),
            };
            choices.push(Choice {
                input,
                to: Edge { to, pos: body.pos },
            });
        }
        let fail = format!("{id}~no input");
        self.push(
            fail.clone(),
            menu.pos,
            "menu timeout",
            Some("no input after the menu's repeats".into()),
            Does::Hangup,
        );
        self.push(
            id.clone(),
            menu.pos,
            "menu",
            text_of(menu, "name"),
            Does::Ask {
                prompt: audio(menu.get("audio")),
                choices,
                no_input: Some(Edge {
                    to: fail,
                    pos: menu.pos,
                }),
                no_match: None,
                retries: 2,
                timeout: None,
            },
        );
        id
    }

    /// Blocks for a list of actions; `after` is where the list goes on
    /// when it ends (`None`: the task ends and so does the call). Returns
    /// the id of the first block.
    fn actions(&mut self, prefix: &str, list: Option<&Node>, after: Option<Edge>, pos: Pos) -> String {
        let items: &[Node] = match list.map(|l| &l.value) {
            Some(Value::Seq(items)) => items,
            _ => &[],
        };
        let end = after.unwrap_or_else(|| {
            let id = format!("{prefix}~end");
            self.push(
                id.clone(),
                pos,
                "end of task",
                Some("the task ends".into()),
                Does::Hangup,
            );
            Edge { to: id, pos }
        });
        // The first action has the task's id (what references to it name).
        let ids: Vec<String> = (0..items.len())
            .map(|i| {
                if i == 0 {
                    prefix.to_string()
                } else {
                    format!("{prefix}/{i}")
                }
            })
            .collect();
        for (i, item) in items.iter().enumerate() {
            let Some((what, body)) = single(item) else {
                continue;
            };
            let next = ids.get(i + 1).map_or_else(
                || end.clone(),
                |to| Edge {
                    to: to.clone(),
                    pos: body.pos,
                },
            );
            let label = text_of(body, "name");
            let outputs = |r: &mut Reader, names: &[&str]| -> Vec<(String, Edge)> {
                let mut arms = Vec::new();
                let Some(outs) = body.get("outputs").and_then(Node::as_map) else {
                    return vec![("next".into(), next.clone())];
                };
                let mut ordered: Vec<&(Node, Node)> = outs.iter().collect();
                // Named outputs in the given order first (open before closed).
                ordered.sort_by_key(|(k, _)| {
                    let k = k.scalar_text().unwrap_or_default();
                    names.iter().position(|n| *n == k).unwrap_or(names.len() / 2)
                });
                for (k, v) in ordered {
                    let out = k.scalar_text().unwrap_or_default();
                    let first = r.actions(
                        &format!("{}/{out}", ids[i]),
                        v.get("actions"),
                        Some(next.clone()),
                        v.pos,
                    );
                    arms.push((out, Edge { to: first, pos: v.pos }));
                }
                arms
            };
            let does = match what.as_str() {
                "playAudio" => Does::Say {
                    prompt: audio(body.get("audio")),
                    next: Some(next.clone()),
                },
                "transferToAcd" => Does::Queue {
                    pool: body
                        .get("targetQueue")
                        .and_then(|q| q.get("lit"))
                        .and_then(|l| text_of(l, "name"))
                        .or_else(|| label.clone())
                        .unwrap_or_else(|| "ACD".into()),
                },
                "transferToNumber" | "transferToUser" | "transferToGroup" | "transferToVoicemail" => Does::Queue {
                    pool: label.clone().unwrap_or_else(|| what.clone()),
                },
                "disconnect" | "endTask" => Does::Hangup,
                "jumpToMenu" => Does::Pass {
                    next: text_of(body, "targetMenuRef")
                        .and_then(|r| self.resolve(&r))
                        .map(|to| Edge { to, pos: body.pos }),
                },
                "jumpToTask" => Does::Pass {
                    next: text_of(body, "targetTaskRef")
                        .and_then(|r| self.resolve(&r))
                        .map(|to| Edge { to, pos: body.pos }),
                },
                "evaluateScheduleGroup" | "evaluateSchedule" => Does::Decide {
                    what: Decision::Hours,
                    arms: outputs(self, &["open", "holiday", "emergency", "closed"]),
                },
                "decision" | "switch" => {
                    let mut arms = Vec::new();
                    for (j, c) in list_of(body, "cases").iter().enumerate() {
                        if let Some(case) = c.get("case") {
                            let first = self.actions(
                                &format!("{}/case {j}", ids[i]),
                                case.get("actions"),
                                Some(next.clone()),
                                case.pos,
                            );
                            arms.push((
                                format!("case {}", j + 1),
                                Edge {
                                    to: first,
                                    pos: case.pos,
                                },
                            ));
                        }
                    }
                    arms.extend(outputs(self, &["yes", "no", "default"]));
                    Does::Decide {
                        what: Decision::Data,
                        arms,
                    }
                }
                "callData" | "callLambda" | "dataTableLookup" | "callBridgeAction" | "callDigitalBot"
                | "callBotConnector" => Does::Decide {
                    what: Decision::Function,
                    arms: outputs(self, &["success", "failure", "timeout"]),
                },
                _ if body.get("outputs").is_some() => Does::Decide {
                    what: Decision::Data,
                    arms: outputs(self, &[]),
                },
                _ => Does::Pass {
                    next: Some(next.clone()),
                },
            };
            self.push(ids[i].clone(), body.pos, &what, label, does);
        }
        ids.first().cloned().unwrap_or(end.to)
    }
}
