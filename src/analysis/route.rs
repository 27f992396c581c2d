//! Shortest routes to a human: fewest selections, least prompt time.
//!
//! A route follows only the transitions a caller can take on purpose: keys,
//! spoken intents, `next`, and the branch cases that can hold for the
//! caller's segment. Failing a menu, being misunderstood, being turned away
//! by a busy rule or disconnected are not routes a caller can choose.
//! Costs are added along edges with petgraph's Dijkstra.

use std::ops::Add;

use petgraph::Direction;
use petgraph::algo::dijkstra;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeFiltered, EdgeRef};

use crate::menu::{Hotline, Kind, Via};

/// The cost of a route: selections first, then seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Cost {
    /// Key presses and spoken requests (an intent with `insist: n` counts n).
    pub selections: u32,
    /// Prompt time heard, seconds (distributions at their mean).
    pub seconds: f64,
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            selections: self.selections + o.selections,
            seconds: self.seconds + o.seconds,
        }
    }
}

/// Which transitions a caller of a segment can take on purpose, indexed by
/// edge index.
pub fn deliberate_edges(h: &Hotline, segment: Option<usize>) -> Vec<bool> {
    let mut ok = vec![false; h.graph.edge_count()];
    for n in h.graph.node_indices() {
        let mut blocked = false;
        for (e, _, t) in h.out(n) {
            ok[e.index()] = match &t.via {
                // A choice is open to every caller, whatever share takes it.
                Via::Next | Via::Key(_) | Via::Intent(_) => true,
                Via::Case(_, c) => {
                    let seg_ok = c.segment.as_ref().is_none_or(|(s, _)| Some(*s) == segment);
                    let usable = !blocked && seg_ok;
                    if usable && c.hours.is_none() && c.share.is_none_or(|p| p >= 1.0) {
                        blocked = true;
                    }
                    usable
                }
                Via::Else => !blocked,
                Via::Fail | Via::Misunderstood | Via::Busy | Via::MaxWait | Via::CallBack => false,
            };
        }
    }
    ok
}

/// The cost of taking an edge: the time of its source node (times the
/// repeats an `insist` intent needs) and its selections.
pub fn edge_cost(h: &Hotline, e: EdgeIndex) -> Cost {
    let (from, _) = h.graph.edge_endpoints(e).expect("edge exists");
    let t = &h.graph[e];
    let repeats = if t.is_choice() { t.insist } else { 1 };
    Cost {
        selections: if t.is_choice() { t.insist } else { 0 },
        seconds: h.graph[from].duration.mean() * f64::from(repeats),
    }
}

/// Shortest costs from `start` over the allowed edges, with `weigh` turning
/// an edge's [`Cost`] into the cost minimised.
pub fn distances(h: &Hotline, start: NodeIndex, allowed: &[bool], weigh: fn(Cost) -> Cost) -> Distances {
    let g = EdgeFiltered::from_fn(&h.graph, |e| allowed[e.id().index()] && !h.is_queue(e.source()));
    let mut out = vec![None; h.graph.node_count()];
    for (n, c) in dijkstra(&g, start, None, |e| weigh(edge_cost(h, e.id()))) {
        out[n.index()] = Some(c);
    }
    out
}

/// Shortest costs by node index (`None`: not reachable).
pub type Distances = Vec<Option<Cost>>;

/// The best queue and the cost to reach it, if any is reachable.
pub fn best_queue(h: &Hotline, dist: &Distances) -> Option<(NodeIndex, Cost)> {
    dist.iter()
        .enumerate()
        .filter_map(|(i, c)| Some((NodeIndex::new(i), (*c)?)))
        .filter(|(n, _)| h.is_queue(*n))
        .min_by(|a, b| {
            a.1.partial_cmp(&b.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.0.cmp(&b.0))
        })
}

/// A route from `start` to `target` achieving the distances in `dist`.
pub fn route(
    h: &Hotline,
    start: NodeIndex,
    target: NodeIndex,
    dist: &Distances,
    allowed: &[bool],
    weigh: fn(Cost) -> Cost,
) -> Vec<NodeIndex> {
    let mut path = vec![target];
    let mut at = target;
    let mut guard = h.graph.node_count() + 1;
    while at != start && guard > 0 {
        guard -= 1;
        let Some(here) = dist[at.index()] else { break };
        let prev = h
            .graph
            .edges_directed(at, Direction::Incoming)
            .filter(|e| allowed[e.id().index()] && !h.is_queue(e.source()))
            .filter_map(|e| {
                let d = dist[e.source().index()]?;
                let reached = d + weigh(edge_cost(h, e.id()));
                let same = reached.selections == here.selections && (reached.seconds - here.seconds).abs() < 1e-6;
                same.then_some(e.source())
            })
            .min();
        match prev {
            Some(p) if p != at => {
                path.push(p);
                at = p;
            }
            _ => break,
        }
    }
    path.reverse();
    path
}

/// Selections then seconds.
pub fn lexicographic(c: Cost) -> Cost {
    c
}

/// Seconds only.
pub fn seconds_only(c: Cost) -> Cost {
    Cost {
        selections: 0,
        seconds: c.seconds,
    }
}

/// Nodes from which a queue can be reached over the allowed edges, and (the
/// second set) those from which one is reached with no selection at all.
pub fn can_reach_queue(h: &Hotline, allowed: &[bool]) -> (Vec<bool>, Vec<bool>) {
    let n = h.graph.node_count();
    let mut any = vec![false; n];
    let mut free = vec![false; n];
    for (set, choices_ok) in [(&mut any, true), (&mut free, false)] {
        let mut stack: Vec<NodeIndex> = h.graph.node_indices().filter(|&q| h.is_queue(q)).collect();
        for q in &stack {
            set[q.index()] = true;
        }
        while let Some(v) = stack.pop() {
            for e in h.graph.edges_directed(v, Direction::Incoming) {
                let u = e.source();
                if !allowed[e.id().index()] || set[u.index()] || h.is_queue(u) {
                    continue;
                }
                if !choices_ok && e.weight().is_choice() {
                    continue;
                }
                set[u.index()] = true;
                stack.push(u);
            }
        }
    }
    (any, free)
}

/// Whether a node is a menu or a voice bot (a node that asks for a choice).
pub fn asks(h: &Hotline, n: NodeIndex) -> bool {
    matches!(h.graph[n].kind, Kind::Menu(_) | Kind::Speech(_))
}
