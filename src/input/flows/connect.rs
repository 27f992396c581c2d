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

mod blocks;

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
    Ok(blocks::map(actions, entry, name))
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
