//! Vendor flows read as hotline menus: Amazon Connect flow JSON, Twilio
//! Studio flow JSON, Genesys Cloud Architect flows as Archy YAML, and
//! VoiceXML 2.x.
//!
//! Each reader (one file per vendor) turns the vendor's file into a
//! [`Flow`]: blocks with their vendor id and position, in a small
//! vocabulary (say, ask, queue, hang up, decide, go on). [`emit`] writes the
//! flow as hotline YAML, which the ordinary loader validates; findings of the
//! vendor file (a split that reads another widget's input, an option the
//! prompt never mentions, a transition to nowhere, a template placeholder
//! left in, a flow over the vendor's size limit) carry the vendor file's
//! line and column and the block's id.
//!
//! What flows do not say (caller shares, seats, handle times, arrivals) is
//! assumed with a warning; an overlay (`--with overlay.yaml`, the menu's own
//! syntax keyed by node id and pool name) gives it.

mod join;
pub use join::read_all;
pub mod connect;
mod emit;
pub mod genesys;
mod json;
pub mod twilio;
pub mod voicexml;

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::menu::yaml::{Node, Pos};

use crate::diag::Code;
pub use emit::{Assumed, emit, tree_yaml};
pub(crate) use json::{json_tree, list_of, text_of};

/// A vendor whose flows hotline reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    /// Amazon Connect flow language (current, legacy and the
    /// `DescribeContactFlow` wrapper).
    Connect,
    /// Twilio Studio flow definition.
    Twilio,
    /// Genesys Cloud Architect flow as Archy YAML.
    Genesys,
    /// VoiceXML 2.x.
    VoiceXml,
}

impl Vendor {
    /// The vendor's product name.
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Connect => "Amazon Connect",
            Vendor::Twilio => "Twilio Studio",
            Vendor::Genesys => "Genesys Architect (Archy YAML)",
            Vendor::VoiceXml => "VoiceXML",
        }
    }

    /// What the vendor calls a block.
    pub fn block_word(self) -> &'static str {
        match self {
            Vendor::Connect => "block",
            Vendor::Twilio => "widget",
            Vendor::Genesys => "action",
            Vendor::VoiceXml => "element",
        }
    }
}

/// The vendor of a file, from its content (not its name); `None` for a
/// hotline menu or anything else. The whole text is looked at (a long
/// licence comment or DOCTYPE before the flow does not hide it).
pub fn detect(text: &str) -> Option<Vendor> {
    let text = text.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    if start.starts_with('<') {
        let root = xml_root(start);
        return (root.is_some_and(|r| r == "vxml" || r.ends_with(":vxml")) || root.is_none() && text.contains("<vxml"))
            .then_some(Vendor::VoiceXml);
    }
    let has = |k: &str| text.contains(&format!("\"{k}\""));
    if start.starts_with('{') {
        if has("StartAction") && has("Actions") || has("ContactFlow") && has("Content") {
            return Some(Vendor::Connect);
        }
        // A ContactFlow object exported on its own: the flow in its Content.
        if has("Content") && (has("Type") || has("Name")) && text.contains("StartAction") {
            return Some(Vendor::Connect);
        }
        if has("modules") && has("start") && (has("contactFlow") || has("branches")) {
            return Some(Vendor::Connect);
        }
        if has("states") && has("initial_state") {
            return Some(Vendor::Twilio);
        }
        return None;
    }
    // A Studio flow inside JavaScript (`const flow = {...}`, `module.exports = {...}`).
    if twilio::in_javascript(text).is_some() {
        return Some(Vendor::Twilio);
    }
    // Archy YAML: a top-level flow type key.
    text.lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.trim().is_empty())
        .any(|l| {
            let key = l.split(':').next().unwrap_or("").trim();
            GENESYS_FLOW_TYPES.contains(&key)
        })
        .then_some(Vendor::Genesys)
}

/// The name of an XML document's root element, past its declaration,
/// comments, processing instructions and DOCTYPE.
fn xml_root(text: &str) -> Option<&str> {
    let mut rest = text.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!") {
            // A DOCTYPE, with its internal subset in brackets.
            let end = match (r.find('['), r.find('>')) {
                (Some(b), Some(g)) if b < g => r[b..].find("]>").map(|i| b + i + 2)?,
                (_, Some(g)) => g + 1,
                _ => return None,
            };
            rest = r[end..].trim_start();
        } else if let Some(r) = rest.strip_prefix('<') {
            let end = r
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(r.len());
            return Some(&r[..end]);
        } else {
            return None;
        }
    }
}

/// Archy's top-level keys of the flow types with callers in them.
pub const GENESYS_FLOW_TYPES: &[&str] = &[
    "inboundCall",
    "inQueueCall",
    "inboundChat",
    "inboundShortMessage",
    "inboundEmail",
    "commonModule",
];

/// A flow read from a vendor file.
#[derive(Clone, Debug, Default)]
pub struct Flow {
    /// The flow's name.
    pub name: String,
    /// The block callers enter at.
    pub entry: String,
    /// The blocks, in file order.
    pub blocks: Vec<Block>,
    /// Findings of the vendor file (errors stop the import).
    pub findings: Vec<Diagnostic>,
    /// The vendor.
    pub vendor: Option<Vendor>,
}

/// One block of a flow.
#[derive(Clone, Debug)]
pub struct Block {
    /// The vendor's id.
    pub id: String,
    /// Where it is written.
    pub pos: Pos,
    /// The vendor's name for its type (`gather-input-on-call`).
    pub kind: String,
    /// A name for people, when the flow has one.
    pub label: Option<String>,
    /// What it does.
    pub does: Does,
}

/// A transition to another block.
#[derive(Clone, Debug)]
pub struct Edge {
    /// The target block's id.
    pub to: String,
    /// Where the transition is written.
    pub pos: Pos,
}

/// A choice of an input block.
#[derive(Clone, Debug)]
pub struct Choice {
    /// A key (`1`, `*`) or a spoken/typed phrase.
    pub input: Input,
    /// Where it goes.
    pub to: Edge,
}

/// What a caller does to make a choice.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A key press.
    Key(String),
    /// A spoken or typed request (an intent, a phrase).
    Phrase(String),
}

/// A prompt: its text when the flow has it.
#[derive(Clone, Debug, Default)]
pub struct Prompt {
    /// The words (markup removed).
    pub text: Option<String>,
    /// An audio file or a prompt id: no words to time.
    pub audio: bool,
}

/// What a block does, in hotline's terms.
#[derive(Clone, Debug)]
pub enum Does {
    /// A message, then `next` (`None`: the flow ends there: the call ends).
    Say {
        /// The message.
        prompt: Prompt,
        /// What follows.
        next: Option<Edge>,
    },
    /// Input by keys or speech, with where each choice goes.
    Ask {
        /// The prompt.
        prompt: Prompt,
        /// The choices.
        choices: Vec<Choice>,
        /// Where silence goes.
        no_input: Option<Edge>,
        /// Where input matching no choice goes.
        no_match: Option<Edge>,
        /// Replays before giving up.
        retries: u32,
        /// Seconds of silence before a replay or `no_input`.
        timeout: Option<f64>,
    },
    /// A transfer to agents: a queue, a phone number, an agent.
    Queue {
        /// The pool (queue name or number).
        pool: String,
    },
    /// The call ends.
    Hangup,
    /// A decision the caller does not make: hours, data, a function.
    Decide {
        /// What decides (for the warning).
        what: Decision,
        /// The outcomes in order, each with a label.
        arms: Vec<(String, Edge)>,
    },
    /// Something without effect on the caller (set a variable, log), then `next`.
    Pass {
        /// What follows (`None`: the flow ends).
        next: Option<Edge>,
    },
    /// The flow goes on in another flow (resolved across files, else the call
    /// leaves what was given).
    Flow {
        /// The other flow's name, id or ARN.
        target: String,
    },
}

/// What a [`Does::Decide`] decides on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Hours of operation (open or closed).
    Hours,
    /// Data the flow reads (attributes, variables, a lookup).
    Data,
    /// A function's result (Lambda, Twilio Function, data action).
    Function,
    /// A random split the flow gives shares for (the labels are the shares).
    Percent,
}

/// The result of reading a vendor file.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The vendor.
    pub vendor: Vendor,
    /// The equivalent hotline menu, as YAML text.
    pub yaml: String,
    /// Findings of the vendor file.
    pub findings: Vec<Diagnostic>,
    /// The assumptions made, each with what in an overlay makes it moot.
    pub assumed: Vec<Assumed>,
    /// The vendor position of each node id (for the loader's diagnostics).
    pub positions: HashMap<String, Pos>,
}

impl Imported {
    /// The vendor file's findings and the assumptions an overlay (when
    /// given) does not make moot.
    pub fn all_findings(&self, overlay: Option<&Node>) -> Vec<Diagnostic> {
        let mut out = self.findings.clone();
        out.extend(
            self.assumed
                .iter()
                .filter(|a| overlay.is_none_or(|o| !a.covered(o)))
                .map(|a| a.warning.clone()),
        );
        out
    }
}

impl Flow {
    /// What the vendor calls a block, for messages.
    pub fn word(&self) -> &'static str {
        self.vendor.map_or("block", Vendor::block_word)
    }
}

impl Does {
    /// The transitions out of the block.
    pub fn edges(&self) -> Vec<&Edge> {
        match self {
            Does::Say { next, .. } | Does::Pass { next } => next.iter().collect(),
            Does::Ask {
                choices,
                no_input,
                no_match,
                ..
            } => choices
                .iter()
                .map(|c| &c.to)
                .chain(no_input.iter())
                .chain(no_match.iter())
                .collect(),
            Does::Decide { arms, .. } => arms.iter().map(|(_, e)| e).collect(),
            Does::Queue { .. } | Does::Hangup | Does::Flow { .. } => Vec::new(),
        }
    }

    fn edges_mut(&mut self) -> Vec<&mut Edge> {
        match self {
            Does::Say { next, .. } | Does::Pass { next } => next.iter_mut().collect(),
            Does::Ask {
                choices,
                no_input,
                no_match,
                ..
            } => choices
                .iter_mut()
                .map(|c| &mut c.to)
                .chain(no_input.iter_mut())
                .chain(no_match.iter_mut())
                .collect(),
            Does::Decide { arms, .. } => arms.iter_mut().map(|(_, e)| e).collect(),
            Does::Queue { .. } | Does::Hangup | Does::Flow { .. } => Vec::new(),
        }
    }
}

/// Reads vendor text and writes the equivalent hotline YAML.
pub fn import(vendor: Vendor, text: &str, path: &str) -> Result<Imported, Vec<Diagnostic>> {
    import_all(&[(vendor, text, path)])
}

/// [`read_all`] and [`emit`].
pub fn import_all(files: &[(Vendor, &str, &str)]) -> Result<Imported, Vec<Diagnostic>> {
    let flow = read_all(files)?;
    let (yaml, assumed, positions) = emit(&flow, files.first().map_or("", |f| f.2));
    Ok(Imported {
        vendor: files[0].0,
        yaml,
        findings: flow.findings,
        assumed,
        positions,
    })
}

/// The menu text of a file: the text itself for a hotline menu, the
/// generated YAML for a vendor flow (for what edits a menu's tree: sweeps,
/// `with_values`, `staff --write`).
pub fn menu_text(text: &str, path: &str) -> Result<String, Vec<Diagnostic>> {
    match detect(text) {
        Some(v) => import(v, text, path).map(|i| i.yaml),
        None => Ok(text.to_string()),
    }
}

/// Seconds a text takes to say: words at 150 a minute, CJK characters at
/// four a second (Mandarin's syllable rate), at least one second.
pub fn speaking_seconds(text: &str) -> f64 {
    let cjk = text.chars().filter(|&c| is_cjk(c)).count() as f64;
    let rest: String = text.chars().map(|c| if is_cjk(c) { ' ' } else { c }).collect();
    let words = rest
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count() as f64;
    let secs = words / 2.5 + cjk / 4.0;
    ((secs * 10.0).round() / 10.0).max(1.0)
}

/// Seconds assumed for an audio-only prompt.
pub const AUDIO_SECONDS: f64 = 5.0;

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af | 0xf900..=0xfaff)
}

/// Text with markup (`<speak>`, `<break/>`) removed and spaces folded.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A finding of a vendor file.
pub(crate) fn finding(code: Code, message: String, pos: Pos, block: &str) -> Diagnostic {
    Diagnostic::warning(code, message).at(Some(pos)).node(block)
}

/// An error of a vendor file.
pub(crate) fn error(code: Code, message: impl Into<String>, pos: Option<Pos>) -> Diagnostic {
    Diagnostic::error(code, message).at(pos)
}

pub mod check;
