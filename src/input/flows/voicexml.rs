//! VoiceXML 2.x documents: `<menu>` with `<choice>` (with or without
//! `dtmf`; `dtmf="true"` numbers them 1 to 9), `<form>` with `<block>`,
//! `<field>` (its `<option>`s, or the `<if cond>` of its `<filled>`),
//! `<transfer>`, `<goto>`, `<exit>`/`<disconnect>`, and the `<noinput>` /
//! `<nomatch>` handlers.
//!
//! A form's items run in order: the first has the form's id (what
//! `#form` names), the others `form/item`. A `goto` to another document
//! leaves the menu.

mod form;

use roxmltree::{Document, Node as X};

use super::{Block, Choice, Decision, Does, Edge, Flow, Input, Prompt, error, plain};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::menu::yaml::Pos;

/// Reads a VoiceXML document.
pub fn read(text: &str) -> Result<Flow, Vec<Diagnostic>> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| {
        let p = e.pos();
        vec![error(
            Code::VendorBadXml,
            format!("the document is not well-formed XML: {e}"),
            Some(Pos::new(p.row, p.col)),
        )]
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "vxml" {
        return Err(vec![error(
            Code::VendorMissingKey,
            format!("the root element is <{}>, not <vxml>", root.tag_name().name()),
            Some(pos(&doc, root)),
        )]);
    }
    let mut r = Reader {
        lines: Lines::new(text),
        blocks: Vec::new(),
        made: std::collections::HashSet::new(),
        first_items: std::collections::HashMap::new(),
    };
    let mut entry = String::new();
    for (i, dialog) in root.children().filter(|n| n.is_element()).enumerate() {
        // A dialog without an id cannot be a goto's target, but runs.
        let id = dialog
            .attribute("id")
            .filter(|s| !s.trim().is_empty())
            .map_or_else(|| format!("dialog {}", i + 1), String::from);
        match dialog.tag_name().name() {
            "menu" => r.menu(dialog, &id),
            "form" => r.form(dialog, &id),
            _ => continue,
        }
        if entry.is_empty() {
            entry = id;
        }
    }
    Ok(Flow {
        name: root
            .descendants()
            .find(|n| n.has_tag_name("meta") && n.attribute("name") == Some("title"))
            .and_then(|n| n.attribute("content"))
            .unwrap_or("")
            .to_string(),
        entry,
        blocks: r.blocks,
        ..Flow::default()
    })
}

struct Reader {
    lines: Lines,
    blocks: Vec<Block>,
    /// Ids of the hang-up and external blocks made so far.
    made: std::collections::HashSet<String>,
    /// Per form, the name of its first item (which has the form's id).
    first_items: std::collections::HashMap<String, String>,
}

/// Where each line starts, for positions in O(log n) (roxmltree's own
/// lookup scans the text from the start, quadratic over a document).
struct Lines {
    starts: Vec<usize>,
    text: String,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            starts,
            text: text.to_string(),
        }
    }

    fn at(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text.get(start..offset).map_or(1, |t| t.chars().count() + 1);
        Pos::new(line as u32, column as u32)
    }
}

fn pos(doc: &Document, n: X) -> Pos {
    let p = doc.text_pos_at(n.range().start);
    Pos::new(p.row, p.col)
}

/// The words of a prompt (with `<enumerate/>` standing for the choices).
fn prompt_of(n: X, choices: &[String]) -> Prompt {
    let mut p = Prompt::default();
    let mut words = Vec::new();
    // What is said after the input (in <filled>) or on an event (the
    // handlers) is not the question.
    let aside = |d: X| {
        d.ancestors().take_while(|a| *a != n).any(|a| {
            [
                "choice", "grammar", "filled", "noinput", "nomatch", "catch", "help", "error",
            ]
            .contains(&a.tag_name().name())
        })
    };
    for d in n.descendants() {
        if d.is_text() && d.ancestors().any(|a| a.has_tag_name("prompt")) && !aside(d) {
            words.push(d.text().unwrap_or("").to_string());
        }
        if d.has_tag_name("audio")
            && !aside(d)
            && d.attribute("src").is_some()
            && d.text().is_none_or(|t| t.trim().is_empty())
        {
            p.audio = true;
        }
        if d.has_tag_name("enumerate") {
            words.push(choices.join(", "));
        }
    }
    let text = plain(&words.join(" "));
    if !text.is_empty() {
        p.text = Some(text);
    }
    p
}

/// A `goto`/`submit`/`exit` inside `n` (not inside nested handlers).
fn transition<'a, 'i>(n: X<'a, 'i>) -> Option<(X<'a, 'i>, Jump)> {
    for d in n.descendants() {
        if d != n && ["noinput", "nomatch", "catch", "help", "error"].contains(&d.tag_name().name()) {
            continue;
        }
        match d.tag_name().name() {
            "goto" => {
                let next = d
                    .attribute("next")
                    .or(d.attribute("nextitem"))
                    .unwrap_or("")
                    .to_string();
                return Some((d, Jump::Goto(next, d.attribute("nextitem").is_some())));
            }
            "submit" => return Some((d, Jump::Away(d.attribute("next").unwrap_or("").to_string()))),
            "exit" | "disconnect" => return Some((d, Jump::End)),
            _ => {}
        }
    }
    None
}

enum Jump {
    /// To `#id`, another document, or (the flag) an item of this form.
    Goto(String, bool),
    /// To another document or server.
    Away(String),
    /// The call ends.
    End,
}

impl Reader {
    fn at(&self, n: X) -> Pos {
        self.lines.at(n.range().start)
    }

    fn push(&mut self, id: String, n: X, label: Option<String>, does: Does) {
        // Hang-up and external blocks are made once per id.
        if matches!(does, Does::Hangup | Does::Flow { .. }) && !self.made.insert(id.clone()) {
            return;
        }
        self.blocks.push(Block {
            id,
            pos: self.at(n),
            kind: n.tag_name().name().to_string(),
            label,
            does,
        });
    }

    /// Where a jump goes: a block id (hang-up and external blocks made here).
    fn target(&mut self, from: &str, at: X, jump: Jump, form: &str) -> Edge {
        let p = self.at(at);
        let to = match jump {
            // The first item has the form's id; a menu's own id names it.
            Jump::Goto(next, item) if item && (next == form || self.first_items.get(form) == Some(&next)) => {
                form.to_string()
            }
            Jump::Goto(next, item) if item => format!("{form}/{next}"),
            Jump::Goto(next, _) if next.starts_with('#') => next[1..].to_string(),
            Jump::Goto(next, _) | Jump::Away(next) => {
                let id = format!("{from}~{next}");
                self.push(id.clone(), at, None, Does::Flow { target: next });
                id
            }
            Jump::End => {
                let id = format!("{from}~end");
                self.push(id.clone(), at, None, Does::Hangup);
                id
            }
        };
        Edge { to, pos: p }
    }

    /// `noinput` and `nomatch` handlers: where they go (a reprompt stays).
    fn handlers(&mut self, id: &str, n: X, form: &str) -> (Option<Edge>, Option<Edge>) {
        let mut no_input = None;
        let mut no_match = None;
        for h in n.children().filter(|c| c.is_element()) {
            let events: Vec<&str> = match h.tag_name().name() {
                "noinput" => vec!["noinput"],
                "nomatch" => vec!["nomatch"],
                "catch" => h.attribute("event").unwrap_or("").split_whitespace().collect(),
                _ => continue,
            };
            let Some((at, jump)) = transition(h) else { continue };
            let e = self.target(id, at, jump, form);
            // Back to the same question is a replay, as <reprompt/> is.
            if e.to == id {
                continue;
            }
            if events.contains(&"noinput") && no_input.is_none() {
                no_input = Some(e.clone());
            }
            if events.contains(&"nomatch") && no_match.is_none() {
                no_match = Some(e);
            }
        }
        (no_input, no_match)
    }

    fn menu(&mut self, m: X, id: &str) {
        let numbered = m.attribute("dtmf") == Some("true");
        let mut choices = Vec::new();
        let mut names = Vec::new();
        let mut auto = 0;
        for c in m.children().filter(|c| c.has_tag_name("choice")) {
            let text = plain(
                &c.descendants()
                    .filter(|d| d.is_text())
                    .map(|d| d.text().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            names.push(text.clone());
            let input = match c.attribute("dtmf") {
                Some(k) => Input::Key(k.trim().to_string()),
                None if numbered && auto < 9 => {
                    auto += 1;
                    Input::Key(auto.to_string())
                }
                None => Input::Phrase(if text.is_empty() {
                    format!("choice {}", names.len())
                } else {
                    text.clone()
                }),
            };
            let jump = match (c.attribute("next"), c.attribute("event")) {
                (Some(next), _) => Jump::Goto(next.to_string(), false),
                (None, Some("exit" | "connection.disconnect.hangup")) => Jump::End,
                (None, _) => Jump::Away(c.attribute("expr").unwrap_or("").to_string()),
            };
            let to = self.target(id, c, jump, id);
            choices.push(Choice { input, to });
        }
        let (no_input, no_match) = self.handlers(id, m, id);
        let prompt = prompt_of(m, &names);
        self.ask(id, m, prompt, choices, no_input, no_match);
    }

    /// An input block; failures without a handler end the call after the
    /// platform's reprompts.
    fn ask(
        &mut self,
        id: &str,
        n: X,
        prompt: Prompt,
        choices: Vec<Choice>,
        no_input: Option<Edge>,
        no_match: Option<Edge>,
    ) {
        let (no_input, no_match) = if no_input.is_none() && no_match.is_none() {
            let e = self.target(id, n, Jump::End, id);
            (Some(e), None)
        } else {
            (no_input, no_match)
        };
        self.push(
            id.to_string(),
            n,
            n.attribute("id").or(n.attribute("name")).map(String::from),
            Does::Ask {
                prompt,
                choices,
                no_input,
                no_match,
                retries: 2,
                timeout: None,
            },
        );
    }
}

/// A `goto` written directly (not nested).
fn direct<'a, 'i>(n: X<'a, 'i>) -> Option<(X<'a, 'i>, Jump)> {
    match n.tag_name().name() {
        "goto" => Some((
            n,
            Jump::Goto(
                n.attribute("next")
                    .or(n.attribute("nextitem"))
                    .unwrap_or("")
                    .to_string(),
                n.attribute("nextitem").is_some(),
            ),
        )),
        "exit" | "disconnect" => Some((n, Jump::End)),
        _ => None,
    }
}

/// The value in `name == '1'` (or `"1"`, or `name=='1'`), when the
/// condition compares this field with one literal.
fn compared_value(cond: &str, name: &str) -> Option<String> {
    let (l, r) = cond.split_once("==")?;
    let (l, r) = (l.trim(), r.trim());
    let lit = |s: &str| -> Option<String> {
        let s = s.trim();
        for q in ['\'', '"'] {
            if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
                return Some(inner.to_string());
            }
        }
        s.parse::<f64>().ok().map(|_| s.to_string())
    };
    if l == name {
        lit(r)
    } else if r == name {
        lit(l)
    } else {
        None
    }
}
