//! Graphviz DOT output.

use std::fmt::Write;

use petgraph::visit::EdgeRef;

use super::{Diagram, Route, edge_text, node_text};
use crate::menu::{Channel, Hotline, Kind};

/// Graphviz DOT.
pub struct Dot;

/// Quotes a DOT string: backslashes and quotes escaped, newlines as `\n`,
/// other control characters as `\r` or `\u{…}` (so two ids that differ
/// only in them stay two nodes).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                write!(out, "\\u{{{:x}}}", c as u32).ok();
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn shape(kind: &Kind) -> &'static str {
    match kind {
        Kind::Prompt => "shape=note",
        Kind::Menu(_) => "shape=box, style=\"rounded,bold\"",
        Kind::Speech(_) => "shape=box, style=\"rounded,dashed\"",
        Kind::SelfService { .. } => "shape=component",
        Kind::Branch => "shape=diamond",
        Kind::Queue(_) => "shape=doubleoctagon, style=filled, fillcolor=\"#c8f0c8\"",
        Kind::Online(_) => "shape=parallelogram, style=filled, fillcolor=\"#fde8c8\"",
        Kind::Hangup => "shape=octagon, style=filled, fillcolor=\"#eeeeee\"",
    }
}

impl Diagram for Dot {
    fn render(&self, h: &Hotline, route: &Route) -> String {
        let mut out = String::new();
        writeln!(out, "digraph {} {{", quote(&h.name)).ok();
        writeln!(out, "  label={}; labelloc=t; rankdir=TB;", quote(&h.name)).ok();
        writeln!(
            out,
            "  node [fontname=\"DejaVu Sans\"]; edge [fontname=\"DejaVu Sans\", fontsize=10];"
        )
        .ok();
        for n in h.graph.node_indices() {
            let on_route = route.nodes.contains(&n);
            let extra = if on_route {
                ", color=\"#dd3333\", penwidth=2"
            } else {
                ""
            };
            writeln!(
                out,
                "  {} [label={}, {}{extra}];",
                quote(&h.graph[n].id),
                quote(&node_text(h, n)),
                shape(&h.graph[n].kind)
            )
            .ok();
        }
        // The online channel (chat bots, chat queues, app flows) in a box of its own.
        let online: Vec<String> = h
            .graph
            .node_indices()
            .filter(|&n| h.graph[n].channel == Channel::Online)
            .map(|n| quote(&h.graph[n].id))
            .collect();
        if !online.is_empty() {
            writeln!(
                out,
                "  subgraph cluster_online {{ label=\"online\"; fontname=\"DejaVu Sans\"; style=dashed; color=\"#e08a00\"; {}; }}",
                online.join("; ")
            )
            .ok();
        }
        for e in h.graph.edge_references() {
            let style = if route.has_edge(e.id()) {
                ", color=\"#dd3333\", penwidth=2.5"
            } else if e.weight().is_choice() {
                ""
            } else {
                ", style=dashed"
            };
            writeln!(
                out,
                "  {} -> {} [label={}{style}];",
                quote(&h.graph[e.source()].id),
                quote(&h.graph[e.target()].id),
                quote(&edge_text(h, e.id()))
            )
            .ok();
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(quote("a \"b\"\\\n银行"), "\"a \\\"b\\\"\\\\\\n银行\"");
    }
}
