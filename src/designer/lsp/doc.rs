//! One open document as the language server sees it: its text, the
//! diagnostics `hotline check` gives for it (with the rule findings), the
//! menu when it builds, and the names it defines and uses (node ids and
//! pool names) with their places.

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range};

use crate::analysis::rules::RuleSet;
use crate::diag::{Severity, SourceId};
use crate::menu::yaml::{Node, Value};
use crate::menu::{Hotline, LoadOptions};

/// Keys whose value is a node id.
pub const NODE_KEYS: &[&str] = &[
    "to",
    "next",
    "on_fail",
    "on_misunderstood",
    "on_max_wait",
    "else",
    "entry",
    "online_entry",
];

/// What a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A node id.
    Node,
    /// A pool name.
    Pool,
}

/// A name where it is written: defined (a key under `nodes:` or
/// `agents:`) or used (a value of `to:`, `next:`, `pool:`, …).
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    /// The name.
    pub name: String,
    /// Node or pool.
    pub kind: Kind,
    /// Where it is defined rather than used.
    pub def: bool,
    /// The name's text in the document (without quotes).
    pub range: Range,
}

/// An open document.
#[derive(Debug)]
pub struct Doc {
    /// Its name, for messages (the URI's path).
    pub name: String,
    /// The text.
    pub text: String,
    /// What it was found to hold, when analysed since the last change.
    pub state: Option<State>,
    /// The names of the last text that parsed, for completion while the
    /// text being typed does not.
    pub last_names: Vec<Symbol>,
}

/// A document analysed.
#[derive(Debug)]
pub struct State {
    /// Diagnostics as `hotline check` gives them, then rule findings.
    pub diagnostics: Vec<Diagnostic>,
    /// The menu, when it builds.
    pub hotline: Option<Hotline>,
    /// Names defined and used (hotline YAML only; none for vendor flows).
    pub symbols: Vec<Symbol>,
    /// Whether the text parsed as YAML.
    pub parsed: bool,
}

impl Doc {
    /// The document analysed, now if it changed since.
    pub fn state(&mut self) -> &State {
        if self.state.is_none() {
            let state = analyse(&self.name, &self.text);
            if state.parsed {
                self.last_names = state.symbols.clone();
            }
            self.state = Some(state);
        }
        self.state.as_ref().expect("just analysed")
    }

    /// The text of line `line` (0-based), without its line break.
    pub fn line(&self, line: u32) -> &str {
        self.text
            .split('\n')
            .nth(line as usize)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// The analysis of a text: diagnostics, the menu, the names.
pub fn analyse(name: &str, text: &str) -> State {
    let (loaded, tree) = crate::input::load_str_keeping_tree(text, name, &LoadOptions::default());
    let lines: Vec<&str> = text.split('\n').collect();
    let mut diagnostics: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            // Positions in another text (an overlay, the YAML generated
            // for a flow) are not in this document: at its start.
            let here = d.source == SourceId::Main;
            diagnostic(
                &lines,
                d.line.filter(|_| here),
                d.column.filter(|_| here),
                d.severity,
                d.code.to_string(),
                &d.message,
            )
        })
        .collect();
    if let Some(h) = &loaded.hotline {
        let analysis = crate::analysis::analyze(h, &RuleSet::default());
        for f in &analysis.findings {
            diagnostics.push(diagnostic(
                &lines,
                Some(f.line).filter(|l| *l > 0),
                Some(f.column).filter(|c| *c > 0),
                f.severity,
                f.rule.to_string(),
                &f.message,
            ));
        }
    }
    let (symbols, parsed) = match &tree {
        Some(tree) => (symbols(tree, &lines), true),
        // A vendor flow parses but has no names of ours.
        None => (Vec::new(), crate::input::flows::detect(text).is_some()),
    };
    State {
        diagnostics,
        hotline: loaded.hotline,
        symbols,
        parsed,
    }
}

fn diagnostic(
    lines: &[&str],
    line: Option<u32>,
    column: Option<u32>,
    severity: Severity,
    code: String,
    message: &str,
) -> Diagnostic {
    let range = match line {
        Some(l) => token_range(lines, l, column.unwrap_or(1)),
        None => Range::default(),
    };
    Diagnostic {
        range,
        severity: Some(match severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(code)),
        source: Some("hotline".into()),
        message: message.into(),
        ..Diagnostic::default()
    }
}

/// The UTF-16 column of character `chars` of `line`.
pub fn utf16_col(line: &str, chars: usize) -> u32 {
    line.chars().take(chars).map(|c| c.len_utf16() as u32).sum()
}

/// The character index of UTF-16 column `col` of `line`.
pub fn char_index(line: &str, col: u32) -> usize {
    let mut units = 0;
    for (i, c) in line.chars().enumerate() {
        if units >= col {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    line.chars().count()
}

/// The range of the token at 1-based `line` and character `column`: a
/// quoted scalar without its quotes, else up to the next space or YAML
/// punctuation (at least one character).
pub fn token_range(lines: &[&str], line: u32, column: u32) -> Range {
    let text = lines
        .get(line.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("")
        .trim_end_matches('\r');
    let chars: Vec<char> = text.chars().collect();
    let mut start = (column.max(1) - 1) as usize;
    start = start.min(chars.len());
    let end = match chars.get(start) {
        Some(&q) if q == '"' || q == '\'' => {
            start += 1;
            chars[start..]
                .iter()
                .position(|&c| c == q)
                .map_or(chars.len(), |i| start + i)
        }
        _ => {
            let stop = chars[start..]
                .iter()
                .position(|&c| c.is_whitespace() || matches!(c, ',' | '}' | ']' | ':' | '#'))
                .map_or(chars.len(), |i| start + i);
            stop.max((start + 1).min(chars.len()))
        }
    };
    let l = line.saturating_sub(1);
    Range::new(
        Position::new(l, utf16_col(text, start)),
        Position::new(l, utf16_col(text, end)),
    )
}

/// Names defined and used in a hotline YAML tree.
fn symbols(tree: &Node, lines: &[&str]) -> Vec<Symbol> {
    let mut out = Vec::new();
    let Some(top) = tree.as_map() else { return out };
    let push = |n: &Node, kind: Kind, def: bool, out: &mut Vec<Symbol>| {
        if let Some(name) = n.scalar_text().filter(|s| !s.is_empty()) {
            out.push(Symbol {
                name,
                kind,
                def,
                range: token_range(lines, n.pos.line, n.pos.column),
            });
        }
    };
    for (k, v) in top {
        match k.scalar_text().as_deref() {
            Some("entry" | "online_entry") => push(v, Kind::Node, false, &mut out),
            Some("nodes") => {
                for (id, body) in v.as_map().unwrap_or_default() {
                    push(id, Kind::Node, true, &mut out);
                    uses(body, &mut |n, kind| push(n, kind, false, &mut out));
                }
            }
            Some("agents") => {
                for (pool, _) in v.as_map().unwrap_or_default() {
                    push(pool, Kind::Pool, true, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

/// The names a node's body uses, handed to `each`.
fn uses(n: &Node, each: &mut dyn FnMut(&Node, Kind)) {
    match &n.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let key = k.scalar_text().unwrap_or_default();
                let scalar = !matches!(v.value, Value::Map(_) | Value::Seq(_));
                if scalar && NODE_KEYS.contains(&key.as_str()) {
                    each(v, Kind::Node);
                } else if scalar && key == "pool" {
                    each(v, Kind::Pool);
                } else {
                    uses(v, each);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|x| uses(x, each)),
        _ => {}
    }
}
