//! Key shares from the records' `path`: the node ids or keys each call
//! took in the menu, walked on the menu (`fit --menu`) to count how often
//! each option of each menu and bot was chosen.

use std::collections::HashMap;

use petgraph::graph::NodeIndex;

use crate::menu::{Hotline, Kind, Via};

/// Most distinct paths kept; calls with further new paths are counted
/// as not kept.
pub const MAX_DISTINCT: usize = 100_000;
/// Fewest choices seen at a node before its shares are written.
pub const MIN_CHOICES: u64 = 10;

/// Distinct paths and their counts.
#[derive(Clone, Debug, Default)]
pub struct Paths {
    counts: HashMap<(String, bool), u64>,
    /// Calls whose path was not kept (beyond [`MAX_DISTINCT`]).
    pub dropped: u64,
}

/// The shares of one node's options, counted from paths.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NodeShares {
    /// The node's id.
    pub node: String,
    /// `options` (a key-press menu) or `intents` (a voice bot).
    pub key: &'static str,
    /// Choices counted at the node.
    pub n: u64,
    /// Each option's key (or intent) with its count and share, in the
    /// menu's order.
    pub options: Vec<OptionShare>,
}

/// One option's count and share.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OptionShare {
    /// The key or intent.
    pub key: String,
    /// Where it leads.
    pub to: String,
    /// Times chosen.
    pub count: u64,
    /// Share of the node's choices (for a bot, of what callers asked for:
    /// the counts corrected for the recognition the menu declares).
    pub share: f64,
}

/// What the paths tell.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct PathsFit {
    /// Calls with a path.
    pub calls: u64,
    /// The most frequent paths, with their counts (at most 20).
    pub top: Vec<(String, u64)>,
    /// Shares per node, when the paths were walked on a menu.
    pub shares: Vec<NodeShares>,
    /// Calls whose path did not follow the menu (a step it has no way
    /// to take).
    pub unmatched: u64,
    /// The first path that did not follow the menu, with the step that
    /// failed.
    pub first_unmatched: Option<(String, String)>,
}

impl Paths {
    /// Counts one call's path.
    pub fn add(&mut self, path: &str, online: bool) {
        let path = path.split_whitespace().collect::<Vec<_>>().join(" ");
        if path.is_empty() {
            return;
        }
        let key = (path, online);
        if let Some(n) = self.counts.get_mut(&key) {
            *n += 1;
        } else if self.counts.len() < MAX_DISTINCT {
            self.counts.insert(key, 1);
        } else {
            self.dropped += 1;
        }
    }

    /// Whether no call had a path.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The paths counted, and walked on `menu` where given.
    pub fn estimate(&self, menu: Option<&Hotline>) -> PathsFit {
        let mut all: Vec<(&(String, bool), &u64)> = self.counts.iter().collect();
        all.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut fit = PathsFit {
            calls: all.iter().map(|(_, n)| **n).sum::<u64>() + self.dropped,
            top: all.iter().take(20).map(|((p, _), n)| (p.clone(), **n)).collect(),
            ..PathsFit::default()
        };
        let Some(h) = menu else { return fit };
        // (node, edge index in its out-list) → count, by key; (node,
        // target) → count, by a target's id.
        let mut chosen: HashMap<(NodeIndex, usize), f64> = HashMap::new();
        let mut reached: HashMap<(NodeIndex, NodeIndex), f64> = HashMap::new();
        for ((path, online), &n) in all {
            let start = if *online {
                h.online_entry.unwrap_or(h.entry)
            } else {
                h.entry
            };
            match walk(h, start, path) {
                Ok(steps) => {
                    for s in steps {
                        match s {
                            Step::Key(node, i) => *chosen.entry((node, i)).or_default() += n as f64,
                            Step::To(node, to) => *reached.entry((node, to)).or_default() += n as f64,
                        }
                    }
                }
                Err(step) => {
                    fit.unmatched += n;
                    if fit.first_unmatched.is_none() {
                        fit.first_unmatched = Some((path.clone(), step));
                    }
                }
            }
        }
        for node in h.graph().node_indices() {
            let (key, understood) = match &h.at(node).kind {
                Kind::Menu(_) => ("options", 1.0),
                Kind::Speech(s) => ("intents", s.understood),
                _ => continue,
            };
            // (index, key, target, the menu's share, chance a choice of it
            // gets through: a bot's recognition, once per time it must be
            // said).
            let options: Vec<(usize, String, NodeIndex, f64, f64)> = h
                .out(node)
                .enumerate()
                .filter_map(|(i, (_, to, t))| match &t.via {
                    Via::Key(k) | Via::Intent(k) => {
                        Some((i, k.clone(), to, t.share, understood.powi(t.insist.max(1) as i32)))
                    }
                    _ => None,
                })
                .collect();
            // A target reached by several options: its count split among
            // them by the menu's own shares (paths of node ids cannot tell
            // them apart).
            for (&(from, to), &count) in reached.iter().filter(|((from, _), _)| *from == node) {
                let same: Vec<&(usize, String, NodeIndex, f64, f64)> = options.iter().filter(|o| o.2 == to).collect();
                let total: f64 = same.iter().map(|o| o.3).sum();
                for o in &same {
                    let part = if total > 0.0 {
                        o.3 / total
                    } else {
                        1.0 / same.len() as f64
                    };
                    *chosen.entry((from, o.0)).or_default() += count * part;
                }
            }
            let counted = |i: usize| chosen.get(&(node, i)).copied().unwrap_or(0.0);
            let n = options.iter().map(|o| counted(o.0)).sum::<f64>().round() as u64;
            // What callers asked for: a bot's counts divided by the chance
            // each got through (a misrecognised request leaves by
            // `on_misunderstood` and is not seen as a choice).
            let asked = |o: &(usize, String, NodeIndex, f64, f64)| {
                if o.4 > 0.0 { counted(o.0) / o.4 } else { 0.0 }
            };
            let total: f64 = options.iter().map(asked).sum();
            if total <= 0.0 {
                continue;
            }
            fit.shares.push(NodeShares {
                node: h.at(node).id.clone(),
                key,
                n,
                options: options
                    .into_iter()
                    .map(|o| OptionShare {
                        share: asked(&o) / total,
                        count: counted(o.0).round() as u64,
                        key: o.1,
                        to: h.at(o.2).id.clone(),
                    })
                    .collect(),
            });
        }
        fit
    }
}

/// A choice a path made: an option by its key, or by its target's id.
enum Step {
    Key(NodeIndex, usize),
    To(NodeIndex, NodeIndex),
}

/// Walks one path from `start` (or from the node its first step names):
/// each step is the id of the node the
/// call is at, a key or intent of it, or the id of an option's target;
/// nodes with one way on (a prompt, a self-service's `next`) are passed
/// through. The choices made, or the step that did not follow.
fn walk(h: &Hotline, start: NodeIndex, path: &str) -> Result<Vec<Step>, String> {
    // A path may start at any node, named by its id (a contact that
    // goes on from a queue it left); otherwise at the entry.
    let mut at = path.split(' ').next().and_then(|t| h.node(t)).unwrap_or(start);
    let mut steps = Vec::new();
    for token in path.split(' ') {
        let mut passed = 0;
        loop {
            if h.at(at).id == token {
                break;
            }
            let out: Vec<_> = h.out(at).collect();
            let by_key = out.iter().position(|(_, _, t)| match &t.via {
                Via::Key(k) | Via::Intent(k) => k == token,
                _ => false,
            });
            if let Some(i) = by_key {
                steps.push(Step::Key(at, i));
                at = out[i].1;
                break;
            }
            if let Some((_, to, _)) = out.iter().find(|(_, to, t)| t.is_choice() && h.at(*to).id == token) {
                steps.push(Step::To(at, *to));
                at = *to;
                break;
            }
            if let Some((_, to, _)) = out.iter().find(|(_, to, _)| h.at(*to).id == token) {
                at = *to;
                break;
            }
            // One way on: pass through.
            let next: Vec<NodeIndex> = out
                .iter()
                .filter(|(_, _, t)| matches!(t.via, Via::Next))
                .map(|(_, to, _)| *to)
                .collect();
            match next.as_slice() {
                [to] if passed < crate::menu::MAX_STEPS && !out.iter().any(|(_, _, t)| t.is_choice()) => {
                    at = *to;
                    passed += 1;
                }
                _ => return Err(format!("\"{token}\" at node {}", h.at(at).id)),
            }
        }
    }
    Ok(steps)
}
