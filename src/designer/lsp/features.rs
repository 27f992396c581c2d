//! What the language server answers: definitions and references of node
//! ids and pool names, rename, hover, completion and code actions.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CompletionItem, CompletionItemKind, Diagnostic, Hover,
    HoverContents, MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::doc::{Doc, Kind, NODE_KEYS, Symbol, char_index};
use crate::menu::Hotline;

/// Keys every node takes.
const COMMON_KEYS: &[&str] = &["kind", "say", "label", "duration", "channel"];

/// Keys by node kind, as the format reads them.
const KIND_KEYS: &[(&str, &[&str])] = &[
    ("prompt", &["next"]),
    (
        "menu",
        &["options", "timeout", "retries", "no_input", "invalid", "on_fail"],
    ),
    (
        "speech",
        &[
            "intents",
            "options",
            "understood",
            "on_misunderstood",
            "timeout",
            "retries",
            "no_input",
            "on_fail",
        ],
    ),
    ("self_service", &["resolves", "next"]),
    ("branch", &["cases", "else"]),
    (
        "queue",
        &[
            "pool",
            "priority",
            "announce_wait",
            "busy",
            "max_wait",
            "on_max_wait",
            "callback",
        ],
    ),
    ("online", &["resolves", "calls_back"]),
    ("hangup", &[]),
];

/// Keys whose value is a distribution.
const DIST_KEYS: &[&str] = &["duration", "handle_time", "patience", "after", "first_reply"];

/// The distribution forms.
const DISTS: &[(&str, &str)] = &[
    ("fixed(30s)", "always the same time"),
    ("exp(mean=3m)", "exponential"),
    ("uniform(10s, 30s)", "uniform between two times"),
    ("lognormal(mean=5m, sd=3m)", "lognormal (handle times)"),
    ("gamma(mean=4m, sd=2m)", "gamma"),
    ("erlang(k=2, mean=4m)", "Erlang"),
    ("weibull(shape=1.5, scale=3m)", "Weibull (patience)"),
];

/// The symbol at a position.
pub fn symbol_at(doc: &mut Doc, pos: Position) -> Option<Symbol> {
    doc.state()
        .symbols
        .iter()
        .find(|s| {
            s.range.start.line == pos.line
                && s.range.start.character <= pos.character
                && pos.character <= s.range.end.character
        })
        .cloned()
}

/// Where the name at `pos` is defined.
pub fn definition(doc: &mut Doc, pos: Position) -> Option<Range> {
    let s = symbol_at(doc, pos)?;
    doc.state()
        .symbols
        .iter()
        .find(|d| d.def && d.kind == s.kind && d.name == s.name)
        .map(|d| d.range)
}

/// Every place the name at `pos` is written (its definition first when
/// `with_def`).
pub fn references(doc: &mut Doc, pos: Position, with_def: bool) -> Vec<Range> {
    let Some(s) = symbol_at(doc, pos) else {
        return Vec::new();
    };
    let mut all: Vec<&Symbol> = doc
        .state()
        .symbols
        .iter()
        .filter(|d| d.kind == s.kind && d.name == s.name && (with_def || !d.def))
        .collect();
    all.sort_by_key(|d| !d.def);
    all.into_iter().map(|d| d.range).collect()
}

/// The edits renaming the node id or pool at `pos` everywhere in the file.
pub fn rename(doc: &mut Doc, uri: &Uri, pos: Position, new_name: &str) -> Result<WorkspaceEdit, String> {
    let Some(s) = symbol_at(doc, pos) else {
        return Err("no node id or pool name here".into());
    };
    if new_name.trim().is_empty() || new_name.contains(['\n', '"', ':', '#']) {
        return Err(format!("\"{new_name}\" cannot be a name"));
    }
    if doc
        .state()
        .symbols
        .iter()
        .any(|d| d.def && d.kind == s.kind && d.name == new_name)
    {
        return Err(format!("\"{new_name}\" is already defined"));
    }
    let edits: Vec<TextEdit> = references(doc, pos, true)
        .into_iter()
        .map(|range| TextEdit::new(range, new_name.into()))
        .collect();
    Ok(one_file(uri, edits))
}

/// What the caller meets at the node or pool under `pos`.
pub fn hover(doc: &mut Doc, pos: Position) -> Option<Hover> {
    let s = symbol_at(doc, pos)?;
    let state = doc.state();
    let h = state.hotline.as_ref()?;
    let text = match s.kind {
        Kind::Node => node_text(h, &s.name)?,
        Kind::Pool => pool_text(h, &s.name)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(s.range),
    })
}

fn node_text(h: &Hotline, id: &str) -> Option<String> {
    let n = h.node(id)?;
    let node = h.at(n);
    let mut s = format!("**{}** — {}", node.display(), node.kind.name());
    if node.label.is_some() {
        s.push_str(&format!(" (`{id}`)"));
    }
    if let Some(say) = &node.say {
        s.push_str(&format!("\n\n> {say}"));
    }
    let reach = crate::analysis::reach_from(h, None, n);
    s.push_str("\n\n");
    if reach.reachable {
        s.push_str(&format!(
            "From here: {} selection(s) and {} s to a human ({}).",
            reach.selections.unwrap_or(0),
            crate::menu::value::trim_float(reach.seconds.unwrap_or(0.0)),
            reach.route.join(" → ")
        ));
    } else {
        s.push_str("From here no queue can be reached on purpose.");
    }
    if let Some(p) = reach.probability {
        s.push_str(&format!(" P(reach a queue) = {:.1}%.", p * 100.0));
    }
    Some(s)
}

fn pool_text(h: &Hotline, name: &str) -> Option<String> {
    let p = h.pools.iter().find(|p| p.name == name)?;
    let mut s = format!(
        "**{}** — pool: {} seat(s){}, handle time {}",
        p.label.as_deref().unwrap_or(&p.name),
        p.seats,
        if p.schedule.is_empty() {
            String::new()
        } else {
            format!(" (a schedule, at most {})", p.max_seats())
        },
        p.handle_time
    );
    let index = h.pools.iter().position(|q| q.name == name)?;
    if let Some(c) = &h.callers
        && let Some(shares) = crate::analysis::pool_shares(h, None, h.entry)
    {
        let rate = c.peak_rate() * 3600.0;
        let offered = rate * shares[index] * p.handle_time.mean() / 3600.0;
        s.push_str(&format!(
            "\n\nOffered load at the peak, from the analysis: {:.1}/h × {:.1}% reaching it × {:.0} s = {offered:.2} erlangs.",
            rate,
            shares[index] * 100.0,
            p.handle_time.mean()
        ));
    }
    Some(s)
}

/// Completions at `pos`: node ids where a target is expected, pool names
/// after `pool:`, distribution forms after a distribution's key, keys of
/// the node's kind on a line of their own.
pub fn completion(doc: &mut Doc, pos: Position) -> Vec<CompletionItem> {
    let line = doc.line(pos.line).to_string();
    let upto: String = line.chars().take(char_index(&line, pos.character)).collect();
    let before = upto.trim_start();
    let key = before
        .split(':')
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches(['{', '-', ' ']);
    let key = key.rsplit([',', '{', ' ']).next().unwrap_or(key).trim();
    let after_colon = before.contains(':');
    let names = |kind: Kind, doc: &mut Doc| -> Vec<CompletionItem> {
        let mut seen: Vec<String> = Vec::new();
        // The names of the last text that parsed: this one's, or the one
        // before while the text being typed does not parse.
        doc.state();
        for s in doc.last_names.iter().filter(|s| s.def && s.kind == kind) {
            if !seen.contains(&s.name) {
                seen.push(s.name.clone());
            }
        }
        seen.into_iter()
            .map(|n| CompletionItem {
                label: n,
                kind: Some(if kind == Kind::Node {
                    CompletionItemKind::REFERENCE
                } else {
                    CompletionItemKind::VALUE
                }),
                ..CompletionItem::default()
            })
            .collect()
    };
    // The last key on the line, for `{ to: |` inside a flow mapping.
    let last_key = upto
        .rsplit_once(':')
        .map(|(head, _)| {
            head.rsplit(['{', ',', ' ', '-'])
                .find(|s| !s.is_empty())
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    if after_colon && NODE_KEYS.contains(&last_key.as_str()) {
        return names(Kind::Node, doc);
    }
    if after_colon && last_key == "pool" {
        return names(Kind::Pool, doc);
    }
    if after_colon && DIST_KEYS.contains(&last_key.as_str()) {
        return DISTS
            .iter()
            .map(|(form, what)| CompletionItem {
                label: (*form).into(),
                detail: Some((*what).into()),
                kind: Some(CompletionItemKind::SNIPPET),
                insert_text: Some(format!("\"{form}\"")),
                ..CompletionItem::default()
            })
            .collect();
    }
    if after_colon && last_key == "kind" {
        return KIND_KEYS
            .iter()
            .map(|(k, _)| CompletionItem {
                label: (*k).into(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                ..CompletionItem::default()
            })
            .collect();
    }
    if after_colon || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Vec::new();
    }
    // A key: those of the kind of the node the line is in.
    let kind = kind_above(doc, pos.line);
    let keys: Vec<&str> = COMMON_KEYS
        .iter()
        .copied()
        .chain(
            KIND_KEYS
                .iter()
                .filter(|(k, _)| Some(*k) == kind.as_deref())
                .flat_map(|(_, v)| v.iter().copied()),
        )
        .collect();
    keys.into_iter()
        .map(|k| CompletionItem {
            label: k.into(),
            kind: Some(CompletionItemKind::PROPERTY),
            insert_text: Some(format!("{k}: ")),
            ..CompletionItem::default()
        })
        .collect()
}

/// The `kind:` of the node whose block holds line `line`: the nearest
/// `kind:` above at the same indentation as the line, before a line less
/// indented.
fn kind_above(doc: &Doc, line: u32) -> Option<String> {
    let here = doc.line(line);
    let indent = here.len() - here.trim_start().len();
    for l in (0..line).rev() {
        let text = doc.line(l);
        if text.trim().is_empty() {
            continue;
        }
        let i = text.len() - text.trim_start().len();
        if i < indent {
            // The node's own line: `id: { kind: menu, … }` or `id:`.
            return text.split("kind:").nth(1).map(word);
        }
        if i == indent
            && let Some(k) = text.trim_start().strip_prefix("kind:")
        {
            return Some(word(k));
        }
    }
    None
}

fn word(s: &str) -> String {
    s.trim()
        .trim_matches(['"', '\''])
        .split(|c: char| c == ',' || c == '}' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .trim_matches(['"', '\''])
        .to_string()
}

/// Fixes for the diagnostics in `range`: the did-you-mean target the
/// message suggests, a distribution put in quotes.
pub fn code_actions(doc: &mut Doc, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let diagnostics: Vec<Diagnostic> = doc
        .state()
        .diagnostics
        .iter()
        .filter(|d| d.range.start.line <= range.end.line && range.start.line <= d.range.end.line)
        .cloned()
        .collect();
    let mut out = Vec::new();
    for d in diagnostics {
        let code = match &d.code {
            Some(NumberOrString::String(c)) => c.clone(),
            _ => String::new(),
        };
        let edit = if let Some(name) = did_you_mean(&d.message) {
            Some((format!("Change to \"{name}\""), TextEdit::new(d.range, name)))
        } else if code == "unquoted-distribution" {
            quoted_distribution(doc, &d)
                .map(|(r, text)| ("Put the distribution in quotes".to_string(), TextEdit::new(r, text)))
        } else {
            None
        };
        if let Some((title, edit)) = edit {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(one_file(uri, vec![edit])),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// Edits of one file. (`lsp-types` keys the changes by `Uri`, which
/// clippy calls a mutable key for its cached parts; the map is built and
/// sent, never looked into.)
#[allow(clippy::mutable_key_type)]
fn one_file(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    WorkspaceEdit::new(changes)
}

/// The name a message suggests: `did you mean "x"?`.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.split("did you mean \"").nth(1)?;
    Some(rest.split('"').next()?.to_string()).filter(|s| !s.is_empty())
}

/// The range of an unquoted distribution split at its comma
/// (`lognormal(mean=5m, sd=3m)` inside `{ … }`) and its quoted text.
fn quoted_distribution(doc: &Doc, d: &Diagnostic) -> Option<(Range, String)> {
    let line = doc.line(d.range.start.line);
    let start = char_index(line, d.range.start.character);
    let chars: Vec<char> = line.chars().collect();
    let open = chars[start..].iter().position(|&c| c == '(')? + start;
    let close = chars[open..].iter().position(|&c| c == ')')? + open;
    let text: String = chars[start..=close].iter().collect();
    let range = Range::new(
        Position::new(d.range.start.line, super::doc::utf16_col(line, start)),
        Position::new(d.range.start.line, super::doc::utf16_col(line, close + 1)),
    );
    Some((range, format!("\"{text}\"")))
}
