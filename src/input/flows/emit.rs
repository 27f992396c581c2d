//! A [`Flow`] written as hotline YAML, with the assumptions it needed.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::{AUDIO_SECONDS, Decision, Does, Flow, Input, Prompt, speaking_seconds};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::menu::yaml::Pos;

/// Seats and handle time assumed for a pool the flow names.
const ASSUMED_SEATS: u32 = 5;
const ASSUMED_HANDLE: &str = "exp(mean=5m)";
/// Share of hearings assumed silent, and with a key no option takes, where
/// the flow handles them.
const ASSUMED_FAIL: &str = "5%";
/// Share of requests a bot is assumed to recognise, where the flow handles
/// the others.
const ASSUMED_UNDERSTOOD: &str = "95%";
/// Share of calls assumed to take a block's error branches.
const ERROR_SHARE: f64 = 0.01;

/// Whether an outcome's name is an error (`NoMatchingError`, `fail`, `timeout`).
fn is_error(label: &str) -> bool {
    let l = label.to_lowercase();
    ["error", "fail", "timeout", "atcapacity", "invalid", "notdialable"]
        .iter()
        .any(|w| l.contains(w))
}

/// Hours assumed for an hours-of-operation check.
const ASSUMED_HOURS: &str = "08:00-18:00";

/// An assumption the import made, with the overlay keys that make it
/// moot: every group must have one of its paths in the overlay.
#[derive(Clone, Debug)]
pub struct Assumed {
    /// The warning.
    pub warning: Diagnostic,
    /// Groups of overlay paths (`["agents", "Sales"]`), all needed, any one
    /// of a group enough; empty: nothing an overlay gives covers it.
    pub covered_by: Vec<Vec<Vec<String>>>,
}

impl Assumed {
    /// Whether an overlay gives what was assumed.
    pub fn covered(&self, overlay: &crate::menu::yaml::Node) -> bool {
        let has = |path: &[String]| {
            let mut at = overlay;
            for k in path {
                match at.get(k) {
                    Some(n) => at = n,
                    None => return false,
                }
            }
            true
        };
        !self.covered_by.is_empty() && self.covered_by.iter().all(|group| group.iter().any(|p| has(p)))
    }
}

fn keys(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_string()).collect()
}

/// The flow as hotline YAML; what was assumed; each node id's position in
/// the vendor file.
pub fn emit(f: &Flow, path: &str) -> (String, Vec<Assumed>, HashMap<String, Pos>) {
    let vendor = f.vendor.map_or("vendor", |v| v.name());
    let mut nodes = Map::new();
    let mut pools: Vec<String> = Vec::new();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    let mut positions = HashMap::new();
    let mut shares_assumed = false;
    // The nodes whose shares were assumed: an overlay giving theirs covers it.
    let mut shared: Vec<String> = Vec::new();
    for b in &f.blocks {
        positions.insert(b.id.clone(), b.pos);
        let mut node = Map::new();
        let note = format!("{vendor} {} {} ({}), line {}", f.word(), b.id, b.kind, b.pos.line);
        let warn = |code: Code, message: String| Diagnostic::warning(code, message).at(Some(b.pos)).node(&b.id);
        match &b.does {
            Does::Say { prompt, next } => {
                say(&mut node, prompt, &mut warnings, &warn);
                match next {
                    Some(e) => {
                        node.insert("kind".into(), json!("prompt"));
                        node.insert("next".into(), json!(e.to));
                    }
                    None => {
                        node.insert("kind".into(), json!("hangup"));
                    }
                }
            }
            Does::Pass { next } => match next {
                Some(e) => {
                    node.insert("kind".into(), json!("prompt"));
                    node.insert("next".into(), json!(e.to));
                }
                None => {
                    node.insert("kind".into(), json!("hangup"));
                }
            },
            Does::Ask {
                prompt,
                choices,
                no_input,
                no_match,
                retries,
                timeout,
            } => {
                say(&mut node, prompt, &mut warnings, &warn);
                let single =
                    |k: &str| k.chars().count() == 1 && k.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#');
                let mut options = Map::new();
                let mut intents = Map::new();
                for c in choices {
                    let (map, name) = match &c.input {
                        Input::Key(k) if single(k) => (&mut options, k.clone()),
                        Input::Key(k) | Input::Phrase(k) => (&mut intents, k.clone()),
                    };
                    if map.contains_key(&name) {
                        warnings.push(warn(
                            Code::VendorDuplicateChoice,
                            format!(
                                "\"{name}\" is offered twice; the first (to {}) is kept",
                                map[&name]["to"]
                            ),
                        ));
                        continue;
                    }
                    map.insert(name, json!({ "to": c.to.to }));
                }
                if options.is_empty() && intents.is_empty() {
                    // Input nothing can match: the caller always goes on as unmatched.
                    let next = no_match.as_ref().or(no_input.as_ref()).map(|e| e.to.clone());
                    match next {
                        Some(to) => {
                            node.insert("kind".into(), json!("prompt"));
                            node.insert("next".into(), json!(to));
                        }
                        None => {
                            node.insert("kind".into(), json!("hangup"));
                        }
                    }
                } else {
                    if options.len() + intents.len() > 1 {
                        shares_assumed = true;
                        shared.push(b.id.clone());
                    }
                    let speech = !intents.is_empty();
                    node.insert("kind".into(), json!(if speech { "speech" } else { "menu" }));
                    if !options.is_empty() {
                        node.insert("options".into(), Value::Object(options));
                    }
                    if speech {
                        node.insert("intents".into(), Value::Object(intents));
                    }
                    if let Some(t) = timeout.filter(|t| t.is_finite() && *t > 0.0 && *t < 86_400.0) {
                        node.insert(
                            "timeout".into(),
                            json!(format!("{}s", crate::menu::value::trim_float(t))),
                        );
                    }
                    node.insert("retries".into(), json!((*retries).min(9)));
                    if speech {
                        // A bot: silence fails after the retries, a request it
                        // does not know is a misrecognition.
                        if let Some(e) = no_input {
                            shares_assumed = true;
                            shared.push(b.id.clone());
                            node.insert("no_input".into(), json!(ASSUMED_FAIL));
                            node.insert("on_fail".into(), json!(e.to));
                        }
                        if let Some(e) = no_match {
                            shares_assumed = true;
                            shared.push(b.id.clone());
                            node.insert("understood".into(), json!(ASSUMED_UNDERSTOOD));
                            node.insert("on_misunderstood".into(), json!(e.to));
                        }
                    }
                    let fail = match (no_input, no_match) {
                        _ if speech => None,
                        (Some(a), Some(m)) if a.to != m.to => {
                            // Silence and a wrong key go different ways: a
                            // branch splits the failures between them.
                            let id = format!("{}~fail", b.id);
                            positions.insert(id.clone(), b.pos);
                            nodes.insert(
                                id.clone(),
                                json!({
                                    "kind": "branch",
                                    "label": format!("{} failed", b.label.as_deref().unwrap_or(&b.id)),
                                    "cases": [ { "if": { "share": "50%" }, "to": a.to } ],
                                    "else": m.to,
                                    "notes": format!("{note}: no input (half) or no match (half)"),
                                }),
                            );
                            Some(id)
                        }
                        (Some(e), _) | (None, Some(e)) => Some(e.to.clone()),
                        (None, None) => None,
                    };
                    if let Some(to) = fail {
                        shares_assumed = true;
                        shared.push(b.id.clone());
                        if no_input.is_some() {
                            node.insert("no_input".into(), json!(ASSUMED_FAIL));
                        }
                        if no_match.is_some() {
                            node.insert("invalid".into(), json!(ASSUMED_FAIL));
                        }
                        node.insert("on_fail".into(), json!(to));
                    }
                }
            }
            Does::Queue { pool } => {
                let pool = &if pool.trim().is_empty() {
                    "queue".to_string()
                } else {
                    pool.clone()
                };
                node.insert("kind".into(), json!("queue"));
                node.insert("pool".into(), json!(pool));
                if !pools.contains(pool) {
                    pools.push(pool.clone());
                    warnings.push(warn(
                        Code::VendorAssumedPool,
                        format!(
                            "the flow does not say how many agents answer \"{pool}\" or how long they take: {ASSUMED_SEATS} seats and {ASSUMED_HANDLE} assumed (give agents.\"{pool}\" in an overlay)"
                        ),
                    ));
                }
            }
            Does::Hangup => {
                node.insert("kind".into(), json!("hangup"));
            }
            Does::Flow { target } => {
                node.insert("kind".into(), json!("hangup"));
                warnings.push(warn(
                    Code::VendorExternalFlow,
                    format!(
                        "the call goes on in another flow ({target}), which was not given: it leaves the menu here (import the flows together to follow it)"
                    ),
                ));
            }
            Does::Decide { what, arms } => {
                decide(&mut node, *what, arms, &mut warnings, &warn);
            }
        }
        if let Some(l) = &b.label
            && l != &b.id
        {
            node.insert("label".into(), json!(l));
        }
        node.insert("notes".into(), json!(note));
        // kind first, for people reading the file.
        let mut ordered = Map::new();
        if let Some(k) = node.remove("kind") {
            ordered.insert("kind".into(), k);
        }
        ordered.extend(node);
        nodes.insert(b.id.clone(), Value::Object(ordered));
    }
    if shares_assumed {
        warnings.insert(
            0,
            Diagnostic::warning(
                Code::VendorAssumedShares,
                format!(
                    "the flow does not say how callers choose: the options of each menu are taken equally often, and {ASSUMED_FAIL} of hearings are silent or a wrong key where the flow handles that; error branches are taken 1% of the time (give shares in an overlay: nodes.ID.options.KEY.share)"
                ),
            ),
        );
    }
    let mut agents = Map::new();
    for p in &pools {
        agents.insert(
            p.clone(),
            json!({ "seats": ASSUMED_SEATS, "handle_time": ASSUMED_HANDLE }),
        );
    }
    let mut menu = Map::new();
    menu.insert("hotline".into(), json!(if f.name.is_empty() { path } else { &f.name }));
    menu.insert(
        "description".into(),
        json!(format!("Imported from {path} ({vendor}) by hotline import")),
    );
    menu.insert("entry".into(), json!(f.entry));
    menu.insert("nodes".into(), Value::Object(nodes));
    if !agents.is_empty() {
        menu.insert("agents".into(), Value::Object(agents));
    }
    let mut text = format!(
        "# Imported from {} ({vendor}) by hotline import.\n# Caller shares, seats, handle times and arrivals are not in the flow: the\n# values below were assumed (`hotline check` on the flow itself lists each\n# assumption); change them here, or give them with --with overlay.yaml.\n",
        path.replace('\n', " ")
    );
    let menu = Value::Object(menu);
    write_yaml(&mut text, &menu, 0);
    // What an overlay would give instead of each assumption.
    shared.sort();
    shared.dedup();
    let nodes = menu.get("nodes").and_then(Value::as_object);
    let assumed = warnings
        .into_iter()
        .map(|w| {
            let id = w.node.clone().unwrap_or_default();
            let covered_by = match w.code {
                Code::VendorAudioPrompt => vec![vec![keys(&["nodes", &id, "duration"])]],
                Code::VendorAssumedHours | Code::VendorUnknownDecision => vec![vec![keys(&["nodes", &id, "cases"])]],
                Code::VendorAssumedPool => nodes
                    .and_then(|n| n.get(&id))
                    .and_then(|n| n.get("pool"))
                    .and_then(Value::as_str)
                    .map(|p| vec![vec![keys(&["agents", p])]])
                    .unwrap_or_default(),
                Code::VendorAssumedShares => shared
                    .iter()
                    .map(|n| vec![keys(&["nodes", n, "options"]), keys(&["nodes", n, "intents"])])
                    .collect(),
                _ => Vec::new(),
            };
            Assumed { warning: w, covered_by }
        })
        .collect();
    (text, assumed, positions)
}

/// `say` and `duration` of a prompt.
fn say(
    node: &mut Map<String, Value>,
    prompt: &Prompt,
    warnings: &mut Vec<Diagnostic>,
    warn: &dyn Fn(Code, String) -> Diagnostic,
) {
    match (&prompt.text, prompt.audio) {
        (Some(t), _) if !t.trim().is_empty() => {
            node.insert("say".into(), json!(t));
            let secs = speaking_seconds(t) + if prompt.audio { AUDIO_SECONDS } else { 0.0 };
            node.insert(
                "duration".into(),
                json!(format!("{}s", crate::menu::value::trim_float(secs))),
            );
        }
        (_, true) => {
            node.insert(
                "duration".into(),
                json!(format!("{}s", crate::menu::value::trim_float(AUDIO_SECONDS))),
            );
            warnings.push(warn(
                Code::VendorAudioPrompt,
                format!("the prompt is a recording whose length the flow does not give: {AUDIO_SECONDS} s assumed (give nodes.ID.duration in an overlay)"),
            ));
        }
        _ => {}
    }
}

/// A decision the caller does not make, as a branch.
fn decide(
    node: &mut Map<String, Value>,
    what: Decision,
    arms: &[(String, super::Edge)],
    warnings: &mut Vec<Diagnostic>,
    warn: &dyn Fn(Code, String) -> Diagnostic,
) {
    let Some(((_, last), rest)) = arms.split_last() else {
        node.insert("kind".into(), json!("hangup"));
        return;
    };
    if rest.is_empty() {
        node.insert("kind".into(), json!("prompt"));
        node.insert("next".into(), json!(last.to));
        return;
    }
    node.insert("kind".into(), json!("branch"));
    let names: Vec<&str> = arms.iter().map(|(l, _)| l.as_str()).collect();
    let mut cases = Vec::new();
    match what {
        Decision::Hours => {
            cases.push(json!({ "if": { "hours": ASSUMED_HOURS }, "to": rest[0].1.to }));
            for (_, e) in &rest[1..] {
                cases.push(json!({ "if": { "share": "0%" }, "to": e.to }));
            }
            warnings.push(warn(
                Code::VendorAssumedHours,
                format!("the hours of operation are not in the flow: {} within {ASSUMED_HOURS}, {} outside (give the case's hours in an overlay)", names[0], names[names.len() - 1]),
            ));
        }
        Decision::Percent => {
            // Labels are the shares the flow gives; each case takes its part of what is left.
            let shares: Vec<f64> = arms
                .iter()
                .map(|(l, _)| l.trim_end_matches('%').trim().parse::<f64>().unwrap_or(0.0) / 100.0)
                .collect();
            let mut left = 1.0;
            for ((_, e), p) in rest.iter().zip(&shares) {
                let conditional = if left > 1e-12 { (p / left).clamp(0.0, 1.0) } else { 0.0 };
                cases.push(json!({ "if": { "share": crate::menu::value::trim_float((conditional * 1e9).round() / 1e9) }, "to": e.to }));
                left -= p;
            }
        }
        Decision::Data | Decision::Function => {
            // Error outcomes (a failed lookup, a timeout) share 1%; the others
            // split the rest equally.
            let n = arms.len();
            let errors = arms.iter().filter(|(l, _)| is_error(l)).count();
            let weights: Vec<f64> = if errors == 0 || errors == n {
                vec![1.0 / n as f64; n]
            } else {
                arms.iter()
                    .map(|(l, _)| {
                        if is_error(l) {
                            ERROR_SHARE / errors as f64
                        } else {
                            (1.0 - ERROR_SHARE) / (n - errors) as f64
                        }
                    })
                    .collect()
            };
            let mut left = 1.0;
            for ((_, e), w) in rest.iter().zip(&weights) {
                let conditional = if left > 1e-12 { (w / left).clamp(0.0, 1.0) } else { 0.0 };
                cases.push(json!({ "if": { "share": crate::menu::value::trim_float((conditional * 1e9).round() / 1e9) }, "to": e.to }));
                left -= w;
            }
            let on = if what == Decision::Function {
                "a function's result"
            } else {
                "data the flow reads"
            };
            let how = if errors == 0 || errors == n {
                "are taken equally often".to_string()
            } else {
                format!(
                    "are taken equally often, errors {}% of the time",
                    crate::menu::value::trim_float(ERROR_SHARE * 100.0)
                )
            };
            warnings.push(warn(
                Code::VendorUnknownDecision,
                format!(
                    "the route depends on {on}: its {n} outcomes ({}) {how} (give the cases' shares in an overlay)",
                    names.join(", ")
                ),
            ));
        }
    }
    node.insert("cases".into(), Value::Array(cases));
    node.insert("else".into(), json!(last.to));
}

/// A key written plain when YAML reads it back as the same text.
fn key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(k, "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n");
    if plain { k.to_string() } else { quoted(k) }
}

/// A double-quoted YAML scalar (JSON's escapes are YAML's; characters
/// YAML does not allow in a document, which JSON leaves as they are,
/// escaped too).
fn quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    if !json.chars().any(not_yaml) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if not_yaml(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters outside YAML's printable set.
fn not_yaml(c: char) -> bool {
    matches!(c as u32, 0x7f..=0x9f | 0xfffe | 0xffff)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Block-style YAML of a JSON value.
fn write_yaml(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::Object(inner) if !inner.is_empty() => {
                        let _ = writeln!(out, "{pad}{}:", key(k));
                        write_yaml(out, x, indent + 2);
                    }
                    Value::Array(items) if !items.is_empty() => {
                        let _ = writeln!(out, "{pad}{}:", key(k));
                        write_yaml(out, x, indent + 2);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}{}: {}", key(k), flow_value(x));
                    }
                }
            }
        }
        Value::Array(items) => {
            for x in items {
                let _ = writeln!(out, "{pad}- {}", flow_value(x));
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

/// A value on one line: `{ if: { share: 0.5 }, to: "x" }`.
fn flow_value(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{}: {}", key(k), flow_value(x)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(flow_value).collect();
            format!("[{}]", parts.join(", "))
        }
        other => scalar(other),
    }
}

/// A menu tree (an imported flow with an overlay laid over it, say) as
/// YAML text, for what writes a menu file.
pub fn tree_yaml(tree: &crate::menu::yaml::Node) -> String {
    let mut out = String::new();
    write_yaml(&mut out, &to_json(tree), 0);
    out
}

fn to_json(n: &crate::menu::yaml::Node) -> Value {
    use crate::menu::yaml::Value as Y;
    if let Some(w) = &n.written {
        // A number written in another form (`00`, `+4`) keeps its text.
        return Value::String(w.clone());
    }
    match &n.value {
        Y::Null => Value::Null,
        Y::Bool(b) => json!(b),
        Y::Int(i) => json!(i),
        Y::UInt(u) => json!(u),
        Y::Float(x) => json!(x),
        Y::Str(s) => json!(s),
        Y::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Y::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.scalar_text().unwrap_or_default(), to_json(v)))
                .collect(),
        ),
    }
}
