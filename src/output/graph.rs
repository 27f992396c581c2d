//! The menu as a diagram: Graphviz DOT or a Mermaid flowchart.
//!
//! Both formats draw node kinds with distinct shapes, label edges with
//! their key, intent or case and share, fill queues, and draw the route to
//! a human in red. Each format is one file implementing [`Diagram`].

mod dot;
mod mermaid;

use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::analysis;
use crate::menu::value::trim_float;
use crate::menu::{Hotline, Kind};

pub use dot::Dot;
pub use mermaid::Mermaid;

/// A diagram format.
pub trait Diagram {
    /// Renders the hotline, highlighting the route to a human.
    fn render(&self, h: &Hotline, route: &Route) -> String;
}

/// The route to a human to highlight.
#[derive(Clone, Debug, Default)]
pub struct Route {
    /// Nodes on the route.
    pub nodes: Vec<NodeIndex>,
    /// Edges on the route.
    pub edges: Vec<EdgeIndex>,
}

impl Route {
    /// The route of fewest selections for a caller in no segment.
    pub fn to_human(h: &Hotline) -> Route {
        let r = analysis::reach(h, None);
        let nodes: Vec<NodeIndex> = r.route.iter().filter_map(|id| h.node(id)).collect();
        let allowed = analysis::route::deliberate_edges(h, None);
        let edges = nodes
            .windows(2)
            .filter_map(|w| {
                h.out(w[0])
                    .filter(|(e, to, _)| *to == w[1] && allowed[e.index()])
                    .map(|(e, _, _)| e)
                    .min_by(|a, b| {
                        analysis::route::edge_cost(h, *a)
                            .partial_cmp(&analysis::route::edge_cost(h, *b))
                            .unwrap_or(std::cmp::Ordering::Equal)
                    })
            })
            .collect();
        Route { nodes, edges }
    }

    /// Whether an edge is on the route.
    pub fn has_edge(&self, e: EdgeIndex) -> bool {
        self.edges.contains(&e)
    }
}

/// The text shown in a node: its label or id, its kind and its duration.
pub fn node_text(h: &Hotline, n: NodeIndex) -> String {
    let node = &h.graph[n];
    let mut detail = node.kind.name().replace('_', " ");
    match &node.kind {
        Kind::Queue(q) => detail = format!("queue: {}", h.pools[q.pool].name),
        Kind::SelfService { resolves } if *resolves > 0.0 => {
            detail = format!("self service, resolves {}%", trim_float(resolves * 100.0))
        }
        _ => {}
    }
    if !node.duration.is_zero() {
        detail = format!("{detail}, {}", node.duration);
    }
    format!("{}\n{detail}", node.display())
}

/// The text on an edge: key, intent or case, and share.
pub fn edge_text(h: &Hotline, e: EdgeIndex) -> String {
    let t = &h.graph[e];
    let mut s = t.via.label();
    if let Some(l) = &t.label {
        s = if s.is_empty() { l.clone() } else { format!("{s}: {l}") };
    }
    if t.is_choice() && t.share > 0.0 {
        s = format!("{s} ({}%)", trim_float((t.share * 1000.0).round() / 10.0));
    }
    if t.insist > 1 {
        s = format!("{s} ×{}", t.insist);
    }
    s
}
