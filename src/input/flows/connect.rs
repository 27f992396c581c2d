//! Amazon Connect flows: the flow language (`Version`, `StartAction`,
//! `Actions`), the legacy export (`modules`, `start`), and the
//! `DescribeContactFlow` answer whose `ContactFlow.Content` is the flow as a
//! string.
//!
//! The legacy blocks are renamed to the flow language's action types, so
//! one mapping serves both. A "Get customer input" that stores the digits,
//! followed by a "Check contact attributes" on `$.StoredCustomerInput`, is
//! one menu; a check of the stored input with no input stored before it
//! can never match and is reported.

use std::collections::HashMap;

use super::{
    Block, Choice, Decision, Does, Edge, Flow, Input, Prompt, error, finding, json_tree, list_of, plain, text_of,
};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::menu::yaml::{Node, Pos, Value};

/// One action, in the flow language's terms.
struct Action {
    id: String,
    kind: String,
    pos: Pos,
    params: HashMap<String, String>,
    label: Option<String>,
    next: Option<Edge>,
    /// (operator and operands as text, the first operand, target).
    conditions: Vec<(String, String, Edge)>,
    /// (error type, target).
    errors: Vec<(String, Edge)>,
}

/// The names, ids and ARN a `DescribeContactFlow` answer or the flow's
/// metadata gives the flow (what other flows' transfers name it by).
pub fn flow_keys(text: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    let alone = v.get("Content").is_some() && v.get("Actions").is_none();
    if let Some(cf) = v.get("ContactFlow").or(alone.then_some(&v)) {
        for k in ["Arn", "Id", "Name"] {
            if let Some(s) = cf.get(k).and_then(|x| x.as_str()) {
                keys.push(s.to_string());
            }
        }
    }
    for m in [v.pointer("/Metadata/name"), v.pointer("/metadata/name")] {
        if let Some(s) = m.and_then(|x| x.as_str()) {
            keys.push(s.to_string());
        }
    }
    keys
}

/// Reads a flow in any of its forms.
pub fn read(text: &str) -> Result<Flow, Vec<Diagnostic>> {
    let (root, twice) = json_tree(text).map_err(|d| vec![d])?;
    let mut flow = read_root(&root)?;
    flow.findings.extend(twice);
    Ok(flow)
}

/// The `ContactFlow` object of a `DescribeContactFlow` answer, or the
/// object exported on its own (`Name`, `Type`, `Content`, no wrapper).
fn contact_flow(root: &Node) -> Option<&Node> {
    root.get("ContactFlow").or_else(|| {
        (root.get("Content").is_some() && root.get("Actions").is_none() && root.get("modules").is_none())
            .then_some(root)
    })
}

fn read_root(root: &Node) -> Result<Flow, Vec<Diagnostic>> {
    if let Some(cf) = contact_flow(root) {
        let Some(content) = cf.get("Content") else {
            return Err(vec![error(
                Code::VendorMissingKey,
                "ContactFlow has no Content",
                Some(cf.pos),
            )]);
        };
        let mut flow = if content.as_map().is_some() {
            // The flow as an object: its positions are the file's own.
            read_root(content)?
        } else {
            // The flow is a JSON string inside: its positions are in that string.
            let Some(text) = content.scalar_text() else {
                return Err(vec![error(
                    Code::VendorMissingKey,
                    "ContactFlow.Content is neither the flow as a string nor as an object",
                    Some(content.pos),
                )]);
            };
            let mut flow = read(&text).map_err(|ds| {
                ds.into_iter()
                    .map(|mut d| {
                        d.message = format!("in ContactFlow.Content: {}", d.message);
                        d.line = Some(content.pos.line);
                        d.column = Some(content.pos.column);
                        d
                    })
                    .collect::<Vec<_>>()
            })?;
            for d in &mut flow.findings {
                d.line = Some(content.pos.line);
                d.column = Some(content.pos.column);
            }
            for b in &mut flow.blocks {
                b.pos = content.pos;
            }
            flow
        };
        if let Some(name) = text_of(cf, "Name") {
            flow.name = name;
        }
        return Ok(flow);
    }
    let (actions, entry, name) = if root.get("modules").is_some() {
        legacy(root)?
    } else {
        current(root)?
    };
    Ok(map(actions, entry, name))
}

fn edge(to: Option<String>, pos: Pos) -> Option<Edge> {
    to.filter(|t| !t.is_empty()).map(|to| Edge { to, pos })
}

/// Scalars of a mapping, by key (nested values left out).
fn scalars(node: Option<&Node>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(entries) = node.and_then(Node::as_map) {
        for (k, v) in entries {
            if let (Some(k), Some(v)) = (k.scalar_text(), v.scalar_text()) {
                out.insert(k, v);
            } else if let (Some(k), Value::Map(_)) = (k.scalar_text(), &v.value) {
                // LexV2Bot: { AliasArn }, Media: { Uri }: keep as present.
                out.insert(k, String::from("{}"));
            }
        }
    }
    out
}

fn current(root: &Node) -> Result<(Vec<Action>, String, String), Vec<Diagnostic>> {
    let entry = text_of(root, "StartAction").unwrap_or_default();
    let meta = root.get("Metadata");
    let name = meta.and_then(|m| text_of(m, "name")).unwrap_or_default();
    let mut actions = Vec::new();
    for a in list_of(root, "Actions") {
        let Some(id) = text_of(a, "Identifier") else {
            return Err(vec![error(
                Code::VendorMissingKey,
                "an action has no Identifier",
                Some(a.pos),
            )]);
        };
        let t = a.get("Transitions");
        let mut conditions = Vec::new();
        let mut errors = Vec::new();
        if let Some(t) = t {
            for c in list_of(t, "Conditions") {
                let cond = c.get("Condition");
                let op = cond.and_then(|x| text_of(x, "Operator")).unwrap_or_default();
                let operands: Vec<String> = cond
                    .map(|x| list_of(x, "Operands").iter().filter_map(Node::scalar_text).collect())
                    .unwrap_or_default();
                if let Some(e) = edge(text_of(c, "NextAction"), c.pos) {
                    let first = operands.first().cloned().unwrap_or_default();
                    conditions.push((format!("{op} {}", operands.join(",")), first, e));
                }
            }
            for e in list_of(t, "Errors") {
                if let Some(to) = edge(text_of(e, "NextAction"), e.pos) {
                    errors.push((text_of(e, "ErrorType").unwrap_or_default(), to));
                }
            }
        }
        let am = meta.and_then(|m| m.get("ActionMetadata")).and_then(|am| am.get(&id));
        let label = am.and_then(|x| text_of(x, "name"));
        let mut params = scalars(a.get("Parameters"));
        if let Some(q) = am.and_then(|x| x.get("queue")).and_then(|q| text_of(q, "text")) {
            params.insert("QueueLabel".into(), q);
        }
        actions.push(Action {
            kind: text_of(a, "Type").unwrap_or_default(),
            pos: a.pos,
            params,
            label,
            next: t.and_then(|t| edge(text_of(t, "NextAction"), t.pos)),
            conditions,
            errors,
            id,
        });
    }
    Ok((actions, entry, name))
}

fn legacy(root: &Node) -> Result<(Vec<Action>, String, String), Vec<Diagnostic>> {
    let entry = text_of(root, "start").unwrap_or_default();
    let name = root
        .get("metadata")
        .and_then(|m| text_of(m, "name"))
        .unwrap_or_default();
    let mut actions = Vec::new();
    for m in list_of(root, "modules") {
        let Some(id) = text_of(m, "id") else {
            return Err(vec![error(Code::VendorMissingKey, "a module has no id", Some(m.pos))]);
        };
        let mut params = HashMap::new();
        for p in list_of(m, "parameters") {
            // A prompt from the library has a resource name and no value.
            if let (Some(k), Some(v)) = (
                text_of(p, "name"),
                text_of(p, "value").or_else(|| text_of(p, "resourceName")),
            ) {
                params.insert(k.clone(), v);
                if let Some(r) = text_of(p, "resourceName") {
                    params.insert(format!("{k}Name"), r);
                }
            }
        }
        let old = text_of(m, "type").unwrap_or_default();
        let target = text_of(m, "target").unwrap_or_default();
        let kind = match (old.as_str(), target.as_str()) {
            ("PlayPrompt", _) => "MessageParticipant",
            ("GetUserInput", _) => "GetParticipantInput",
            ("StoreUserInput", _) => {
                params.insert("StoreInput".into(), "True".into());
                "GetParticipantInput"
            }
            ("SetQueue", _) => "UpdateContactTargetQueue",
            ("Transfer", "Flow") => "TransferToFlow",
            ("Transfer", "PhoneNumber") => "TransferParticipantToThirdParty",
            ("Transfer", _) => "TransferContactToQueue",
            ("Disconnect", _) => "DisconnectParticipant",
            ("CheckAttribute", _) => "Compare",
            ("InvokeExternalResource", _) => "InvokeLambdaFunction",
            (other, _) => other,
        }
        .to_string();
        // Legacy names for the parameters the mapping reads.
        for (from, to) in [
            ("ContactFlow", "ContactFlowId"),
            ("Queue", "QueueId"),
            ("PhoneNumber", "ThirdPartyPhoneNumber"),
            ("Timeout", "InputTimeLimitSeconds"),
            ("Attribute", "ComparisonValue"),
        ] {
            if let Some(v) = params.get(from).cloned() {
                params.entry(to.into()).or_insert(v);
            }
        }
        if let Some(q) = params.get("QueueName").cloned() {
            params.insert("QueueLabel".into(), q);
        }
        if params.get("ComparisonValue").is_some_and(|v| !v.starts_with('$')) {
            let ns = params.get("Namespace").cloned().unwrap_or_else(|| "Attributes".into());
            let v = params["ComparisonValue"].clone();
            params.insert("ComparisonValue".into(), format!("$.{ns}.{v}"));
        }
        let mut next = None;
        let mut conditions = Vec::new();
        let mut errors = Vec::new();
        for b in list_of(m, "branches") {
            let Some(to) = edge(text_of(b, "transition"), b.pos) else {
                continue;
            };
            match text_of(b, "condition").as_deref() {
                Some("Success") => next = Some(to),
                Some("Evaluate") => {
                    let op = text_of(b, "conditionType").unwrap_or_else(|| "Equals".into());
                    let v = text_of(b, "conditionValue").unwrap_or_default();
                    conditions.push((format!("{op} {v}"), v, to));
                }
                Some("True") => conditions.push(("Equals True".into(), "True".into(), to)),
                Some("False") => conditions.push(("Equals False".into(), "False".into(), to)),
                Some("Timeout") => errors.push(("InputTimeLimitExceeded".into(), to)),
                Some("NoMatch") => errors.push(("NoMatchingCondition".into(), to)),
                Some("Error") => errors.push(("NoMatchingError".into(), to)),
                Some(other) => errors.push((other.to_string(), to)),
                None => {}
            }
        }
        actions.push(Action {
            id,
            kind,
            pos: m.pos,
            label: None,
            params,
            next,
            conditions,
            errors,
        });
    }
    Ok((actions, entry, name))
}

fn prompt(a: &Action) -> Prompt {
    let text = a.params.get("Text").or_else(|| a.params.get("SSML")).map(|t| plain(t));
    let audio = ["PromptId", "AudioPrompt", "Media", "AudioPromptARN"]
        .iter()
        .any(|k| a.params.contains_key(*k));
    Prompt { text, audio }
}

fn error_to(a: &Action, kinds: &[&str]) -> Option<Edge> {
    a.errors
        .iter()
        .find(|(k, _)| kinds.contains(&k.as_str()))
        .map(|(_, e)| e.clone())
}

/// A queue's name: the label the flow shows, else the end of its ARN.
fn queue_name(a: &Action) -> Option<String> {
    a.params.get("QueueLabel").cloned().or_else(|| {
        a.params
            .get("QueueId")
            .map(|q| q.rsplit('/').next().unwrap_or(q).to_string())
    })
}

fn map(actions: Vec<Action>, entry: String, name: String) -> Flow {
    let by_id: HashMap<&str, usize> = actions.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let mut flow = Flow {
        name,
        entry,
        ..Flow::default()
    };
    // The queue set before a transfer: the nearest "Set working queue" that
    // leads to it.
    let mut preds: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in actions.iter().enumerate() {
        let outs = a
            .next
            .iter()
            .chain(a.conditions.iter().map(|c| &c.2))
            .chain(a.errors.iter().map(|e| &e.1));
        for e in outs {
            preds.entry(e.to.as_str()).or_default().push(i);
        }
    }
    let queue_before = |start: &str| -> Option<String> {
        let mut seen = std::collections::HashSet::new();
        let mut todo = std::collections::VecDeque::from([start.to_string()]);
        while let Some(id) = todo.pop_front() {
            for &p in preds.get(id.as_str()).into_iter().flatten() {
                if !seen.insert(p) {
                    continue;
                }
                if actions[p].kind == "UpdateContactTargetQueue" {
                    return queue_name(&actions[p]);
                }
                todo.push_back(actions[p].id.clone());
            }
        }
        None
    };
    let stores_input = actions.iter().any(|a| {
        a.kind == "GetParticipantInput"
            && a.params
                .get("StoreInput")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    });
    let mut folded = std::collections::HashSet::new();
    let mut blocks = Vec::new();
    for a in &actions {
        let does = match a.kind.as_str() {
            "MessageParticipant" | "MessageParticipantIteratively" => Does::Say {
                prompt: prompt(a),
                next: a.next.clone(),
            },
            "GetParticipantInput" | "ConnectParticipantWithLexBot" => {
                let lex = a.kind == "ConnectParticipantWithLexBot"
                    || a.params.contains_key("LexV2Bot")
                    || a.params.contains_key("LexBot");
                let stores = a
                    .params
                    .get("StoreInput")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"));
                let mut conditions: Vec<(String, Edge)> =
                    a.conditions.iter().map(|(_, v, e)| (v.clone(), e.clone())).collect();
                let mut no_match = error_to(a, &["NoMatchingCondition"]);
                if stores
                    && conditions.is_empty()
                    && let Some(next) = &a.next
                    && let Some(&ci) = by_id.get(next.to.as_str())
                    && actions[ci].kind == "Compare"
                    && actions[ci]
                        .params
                        .get("ComparisonValue")
                        .is_some_and(|v| v == "$.StoredCustomerInput")
                {
                    // Stored digits checked right after: one menu.
                    let c = &actions[ci];
                    conditions = c.conditions.iter().map(|(_, v, e)| (v.clone(), e.clone())).collect();
                    no_match = error_to(c, &["NoMatchingCondition"]).or_else(|| c.next.clone());
                    folded.insert(c.id.clone());
                }
                let choices: Vec<Choice> = conditions
                    .into_iter()
                    .map(|(v, to)| Choice {
                        input: if lex { Input::Phrase(v) } else { Input::Key(v) },
                        to,
                    })
                    .collect();
                let no_input = error_to(a, &["InputTimeLimitExceeded"]);
                let no_match = no_match.or_else(|| error_to(a, &["NoMatchingError"]));
                if choices.is_empty() && stores {
                    // Digits stored for later: the caller enters them and goes on.
                    Does::Ask {
                        prompt: prompt(a),
                        choices: a
                            .next
                            .iter()
                            .map(|e| Choice {
                                input: Input::Phrase("digits".into()),
                                to: e.clone(),
                            })
                            .collect(),
                        no_input,
                        no_match,
                        retries: 0,
                        timeout: a.params.get("InputTimeLimitSeconds").and_then(|t| t.parse().ok()),
                    }
                } else {
                    Does::Ask {
                        prompt: prompt(a),
                        choices,
                        no_input,
                        no_match,
                        retries: 0,
                        timeout: a.params.get("InputTimeLimitSeconds").and_then(|t| t.parse().ok()),
                    }
                }
            }
            "TransferContactToQueue" => Does::Queue {
                pool: queue_name(a)
                    .or_else(|| queue_before(&a.id))
                    .unwrap_or_else(|| "working queue".into()),
            },
            "TransferParticipantToThirdParty" => Does::Queue {
                pool: a
                    .params
                    .get("ThirdPartyPhoneNumber")
                    .cloned()
                    .unwrap_or_else(|| a.id.clone()),
            },
            "DisconnectParticipant" | "EndFlowExecution" | "EndFlowModuleExecution" => Does::Hangup,
            "TransferToFlow" => Does::Flow {
                target: a.params.get("ContactFlowId").cloned().unwrap_or_default(),
            },
            "CheckHoursOfOperation" => {
                let mut arms: Vec<(String, Edge)> = Vec::new();
                let open = a.conditions.iter().find(|c| c.1.eq_ignore_ascii_case("true"));
                let closed = a.conditions.iter().find(|c| c.1.eq_ignore_ascii_case("false"));
                arms.extend(open.map(|c| ("open".to_string(), c.2.clone())));
                arms.extend(a.errors.iter().map(|(k, e)| (k.clone(), e.clone())));
                arms.extend(closed.map(|c| ("closed".to_string(), c.2.clone())));
                Does::Decide {
                    what: Decision::Hours,
                    arms,
                }
            }
            "DistributeByPercentage" => {
                // A number from 1 to 100 is drawn; the first condition it is
                // below takes the contact: out-of-order thresholds take
                // nothing, thresholds outside 0..100 are cut to it.
                let mut arms = Vec::new();
                let mut below = 0.0f64;
                let mut odd = Vec::new();
                for (_, v, e) in &a.conditions {
                    let t: f64 = match v.trim().parse::<f64>() {
                        Ok(t) if t.is_finite() => t,
                        _ => {
                            odd.push(format!("\"{v}\" is not a number"));
                            below
                        }
                    };
                    if !(0.0..=100.0).contains(&t) {
                        odd.push(format!("{} is outside 0 to 100", crate::menu::value::trim_float(t)));
                    } else if t < below {
                        odd.push(format!(
                            "{} comes after {} (it takes nothing)",
                            crate::menu::value::trim_float(t),
                            crate::menu::value::trim_float(below)
                        ));
                    }
                    let t = t.clamp(0.0, 100.0);
                    arms.push((
                        format!("{}%", crate::menu::value::trim_float((t - below).max(0.0))),
                        e.clone(),
                    ));
                    below = below.max(t);
                }
                if !odd.is_empty() {
                    flow.findings.push(finding(
                        Code::VendorBadPercentages,
                        format!(
                            "the percentages are not increasing thresholds from 0 to 100: {}; the shares are what Amazon Connect does with them (each condition takes the part above the ones before it)",
                            odd.join("; ")
                        ),
                        a.pos,
                        &a.id,
                    ));
                }
                if let Some(e) = error_to(a, &["NoMatchingCondition"]).or_else(|| a.next.clone()) {
                    arms.push((format!("{}%", crate::menu::value::trim_float(100.0 - below)), e));
                }
                Does::Decide {
                    what: Decision::Percent,
                    arms,
                }
            }
            "Compare"
                if a.params
                    .get("ComparisonValue")
                    .is_some_and(|v| v.eq_ignore_ascii_case("$.Channel")) =>
            {
                // The channel is known: a caller of the imported menu is on
                // the phone, so the VOICE branch (or no match) takes all.
                let voice = a
                    .conditions
                    .iter()
                    .position(|(_, v, _)| v.eq_ignore_ascii_case("VOICE"));
                let mut arms: Vec<(String, Edge)> = a
                    .conditions
                    .iter()
                    .enumerate()
                    .map(|(i, (_, _, e))| (if Some(i) == voice { "100%" } else { "0%" }.to_string(), e.clone()))
                    .collect();
                arms.extend(
                    error_to(a, &["NoMatchingCondition"])
                        .or_else(|| a.next.clone())
                        .map(|e| (if voice.is_some() { "0%" } else { "100%" }.to_string(), e)),
                );
                Does::Decide {
                    what: Decision::Percent,
                    arms,
                }
            }
            "Compare" => {
                let reads_input = a
                    .params
                    .get("ComparisonValue")
                    .is_some_and(|v| v == "$.StoredCustomerInput");
                if reads_input && !stores_input {
                    flow.findings.push(finding(
                        Code::VendorWrongInput,
                        "it checks $.StoredCustomerInput, but no block of the flow stores the caller's input: none of its conditions can match".to_string(),
                        a.pos,
                        &a.id,
                    ));
                }
                let mut arms: Vec<(String, Edge)> =
                    a.conditions.iter().map(|(l, _, e)| (l.clone(), e.clone())).collect();
                if reads_input && !stores_input {
                    arms.clear();
                }
                arms.extend(
                    error_to(a, &["NoMatchingCondition"])
                        .or_else(|| a.next.clone())
                        .map(|e| ("no match".to_string(), e)),
                );
                Does::Decide {
                    what: Decision::Data,
                    arms,
                }
            }
            "InvokeLambdaFunction" | "InvokeFlowModule" | "InvokeExternalResource" => {
                let mut arms: Vec<(String, Edge)> = a.next.iter().map(|e| ("success".to_string(), e.clone())).collect();
                arms.extend(a.errors.iter().map(|(k, e)| (k.clone(), e.clone())));
                Does::Decide {
                    what: Decision::Function,
                    arms,
                }
            }
            "Loop" => Does::Decide {
                what: Decision::Data,
                arms: a.conditions.iter().map(|(_, v, e)| (v.clone(), e.clone())).collect(),
            },
            _ => {
                if a.conditions.is_empty() && (a.errors.is_empty() || a.next.is_none()) {
                    Does::Pass { next: a.next.clone() }
                } else if a.conditions.is_empty() {
                    // A block's error branches: taken rarely (1% in all), but taken.
                    let each = crate::menu::value::trim_float(1.0 / a.errors.len() as f64);
                    let mut arms: Vec<(String, Edge)> = a.next.iter().map(|e| ("99%".to_string(), e.clone())).collect();
                    arms.extend(a.errors.iter().map(|(_, e)| (format!("{each}%"), e.clone())));
                    Does::Decide {
                        what: Decision::Percent,
                        arms,
                    }
                } else {
                    let mut arms: Vec<(String, Edge)> =
                        a.conditions.iter().map(|(l, _, e)| (l.clone(), e.clone())).collect();
                    arms.extend(a.next.iter().map(|e| ("otherwise".to_string(), e.clone())));
                    Does::Decide {
                        what: Decision::Data,
                        arms,
                    }
                }
            }
        };
        blocks.push(Block {
            id: a.id.clone(),
            pos: a.pos,
            kind: a.kind.clone(),
            label: a.label.clone(),
            does,
        });
    }
    // A folded check stays only if something else leads to it.
    let referenced: std::collections::HashSet<String> = blocks
        .iter()
        .filter(|b| !matches!(b.does, Does::Ask { .. }))
        .flat_map(|b| b.does.edges().into_iter().map(|e| e.to.clone()))
        .chain(std::iter::once(flow.entry.clone()))
        .collect();
    blocks.retain(|b| !folded.contains(&b.id) || referenced.contains(&b.id));
    flow.blocks = blocks;
    flow
}
