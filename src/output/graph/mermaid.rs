//! Mermaid flowchart output.

use std::fmt::Write;

use petgraph::visit::EdgeRef;

use super::{Diagram, Route, edge_text, node_text};
use crate::menu::{Channel, Hotline, Kind};

/// A Mermaid flowchart.
pub struct Mermaid;

/// Escapes text for a quoted Mermaid label (entity codes for `"`, `<`, `>`,
/// `#`; newlines as `<br/>`).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn shaped(kind: &Kind, label: &str) -> String {
    let l = escape(label);
    match kind {
        Kind::Prompt => format!("[\"{l}\"]"),
        Kind::Menu(_) => format!("{{{{\"{l}\"}}}}"),
        Kind::Speech(_) => format!(">\"{l}\"]"),
        Kind::SelfService { .. } => format!("[[\"{l}\"]]"),
        Kind::Branch => format!("{{\"{l}\"}}"),
        Kind::Queue(_) => format!("([\"{l}\"])"),
        Kind::Online(_) => format!("[/\"{l}\"/]"),
        Kind::Hangup => format!("((\"{l}\"))"),
    }
}

impl Diagram for Mermaid {
    fn render(&self, h: &Hotline, route: &Route) -> String {
        let mut out = String::new();
        // A JSON string is a valid YAML double-quoted scalar: backslashes,
        // quotes and control characters are escaped the way YAML reads them.
        let title = crate::escape::json_string(&escape(&h.name));
        writeln!(out, "---\ntitle: {title}\n---").ok();
        writeln!(out, "flowchart TD").ok();
        // The online channel (chat bots, chat queues, app flows) in a box of its own.
        let (online, phone): (Vec<_>, Vec<_>) = h
            .graph
            .node_indices()
            .partition(|&n| h.graph[n].channel == Channel::Online);
        for n in phone {
            writeln!(out, "  n{}{}", n.index(), shaped(&h.graph[n].kind, &node_text(h, n))).ok();
        }
        if !online.is_empty() {
            writeln!(out, "  subgraph online[\"online\"]").ok();
            for n in online {
                writeln!(out, "    n{}{}", n.index(), shaped(&h.graph[n].kind, &node_text(h, n))).ok();
            }
            writeln!(out, "  end").ok();
        }
        let mut route_links = Vec::new();
        for (i, e) in h.graph.edge_references().enumerate() {
            let text = edge_text(h, e.id());
            let arrow = if e.weight().is_choice() || route.has_edge(e.id()) {
                "-->"
            } else {
                "-.->"
            };
            if text.is_empty() {
                writeln!(out, "  n{} {arrow} n{}", e.source().index(), e.target().index()).ok();
            } else {
                writeln!(
                    out,
                    "  n{} {arrow}|\"{}\"| n{}",
                    e.source().index(),
                    escape(&text),
                    e.target().index()
                )
                .ok();
            }
            if route.has_edge(e.id()) {
                route_links.push(i.to_string());
            }
        }
        writeln!(out, "  classDef queue fill:#c8f0c8,stroke:#393;").ok();
        writeln!(out, "  classDef route stroke:#d33,stroke-width:3px;").ok();
        let queues: Vec<String> = h
            .graph
            .node_indices()
            .filter(|&n| h.is_queue(n))
            .map(|n| format!("n{}", n.index()))
            .collect();
        if !queues.is_empty() {
            writeln!(out, "  class {} queue", queues.join(",")).ok();
        }
        let on_route: Vec<String> = route
            .nodes
            .iter()
            .filter(|n| !h.is_queue(**n))
            .map(|n| format!("n{}", n.index()))
            .collect();
        if !on_route.is_empty() {
            writeln!(out, "  class {} route", on_route.join(",")).ok();
        }
        if !route_links.is_empty() {
            writeln!(
                out,
                "  linkStyle {} stroke:#d33,stroke-width:3px",
                route_links.join(",")
            )
            .ok();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping() {
        assert_eq!(
            escape("按 \"0\" #1 <人工>\n下一行"),
            "按 #quot;0#quot; #35;1 #lt;人工#gt;<br/>下一行"
        );
    }
}
