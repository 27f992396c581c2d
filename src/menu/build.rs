//! The loader: YAML text → raw structs → validated [`Hotline`].
//!
//! It reads each section and each node on its own, so a file with five
//! mistakes gets five diagnostics, then checks what serde cannot (targets
//! exist, shares add up, pools are used) and builds the graph only when
//! nothing is wrong.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::de::DeserializeOwned;

mod callers;
mod channels;
mod node;

use node::NodeCx;

use super::raw::{self, KINDS, RawChannel, RawChoice, RawNode, TOP_KEYS};
use super::{
    Busy, BusyWhen, Callback, Callers, Channel, Condition, Hotline, Input, Kind, MenuNode, Online, Pool, Queue,
    Segment, Simulation, Speech, Transition, Via,
};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::menu::value::{Clock, Dist, Duration, Share};
use crate::menu::yaml::{self, DeError, Limits, Node, Pos, Spanned, Value, closest};

/// Limits and settings of the loader.
#[derive(Clone, Copy, Debug)]
pub struct LoadOptions {
    /// Limits on the YAML text.
    pub limits: Limits,
    /// Most menu nodes in one file.
    pub max_nodes: usize,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            limits: Limits::default(),
            max_nodes: 1_000_000,
        }
    }
}

/// Validates a menu's YAML tree: the hotline when nothing is wrong, and
/// every diagnostic (errors and warnings) in file order either way.
/// Reading files, vendor flows and overlays is the front door's
/// ([`crate::input`]); this is where a tree becomes a [`Hotline`].
pub fn build(tree: &Node, options: &LoadOptions) -> (Option<Hotline>, Vec<Diagnostic>) {
    build_with(tree, Vec::new(), options)
}

/// [`build`], with diagnostics found before (while reading the text).
pub fn build_with(tree: &Node, before: Vec<Diagnostic>, options: &LoadOptions) -> (Option<Hotline>, Vec<Diagnostic>) {
    let mut b = Builder {
        diags: before,
        hints_left: MAX_HINTS,
    };
    let hotline = b.build(tree, options);
    b.finish(hotline)
}

struct Builder {
    diags: Vec<Diagnostic>,
    /// "Did you mean" suggestions left for this menu: a file with
    /// thousands of unknown names gets the first hundred, not minutes of
    /// work.
    hints_left: usize,
}

/// Everything read from the file before cross-checks.
#[derive(Default)]
struct Sections {
    name: Option<String>,
    description: Option<String>,
    entry: Option<Spanned<String>>,
    online_entry: Option<Spanned<String>>,
    nodes_pos: Option<Pos>,
    /// Every node id in the file (parsed or not), with its position.
    ids: IndexMap<String, Pos>,
    nodes: Vec<(String, Pos, RawNode)>,
    pools: Vec<(String, Pos, raw::RawPool)>,
    /// Every pool name in the file (parsed or not).
    pool_names: HashSet<String>,
    callers: Option<(Pos, raw::RawCallers)>,
    simulation: Option<raw::RawSimulation>,
    targets: Vec<Spanned<String>>,
}

impl Builder {
    /// The diagnostics in file order, and the hotline when none is an error.
    fn finish(self, hotline: Option<Hotline>) -> (Option<Hotline>, Vec<Diagnostic>) {
        let mut diagnostics = self.diags;
        diagnostics.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        let hotline = if diagnostics.iter().any(Diagnostic::is_error) {
            None
        } else {
            hotline
        };
        (hotline, diagnostics)
    }

    fn err(&mut self, code: Code, msg: impl Into<String>, pos: Option<Pos>, node: Option<&str>) {
        let mut d = Diagnostic::error(code, msg).at(pos);
        d.node = node.map(str::to_string);
        self.diags.push(d);
    }

    fn warn(&mut self, code: Code, msg: impl Into<String>, pos: Option<Pos>, node: Option<&str>) {
        let mut d = Diagnostic::warning(code, msg).at(pos);
        d.node = node.map(str::to_string);
        self.diags.push(d);
    }

    fn de<T: DeserializeOwned>(&mut self, node: &Node, owner: Option<&str>) -> Option<T> {
        match yaml::from_node::<T>(node) {
            Ok(v) => Some(v),
            // A key written twice was already reported by `duplicates`.
            Err(DeError {
                code: Code::DuplicateKey,
                ..
            }) => None,
            Err(DeError { code, message, pos }) => {
                self.err(code, message, pos.or(Some(node.pos)), owner);
                None
            }
        }
    }

    fn build(&mut self, tree: &Node, options: &LoadOptions) -> Option<Hotline> {
        let Some(top) = tree.as_map() else {
            self.err(
                Code::WrongType,
                format!(
                    "a menu file must be a mapping of keys (hotline, entry, nodes, …), not {}",
                    tree.type_name()
                ),
                Some(tree.pos),
                None,
            );
            return None;
        };
        self.duplicates(tree, &mut Vec::new());
        let s = self.sections(top, tree.pos, options)?;
        self.assemble(s)
    }

    /// Reports every key written twice in any mapping.
    fn duplicates(&mut self, node: &Node, path: &mut Vec<String>) {
        match &node.value {
            Value::Map(entries) => {
                let mut seen: HashMap<String, Pos> = HashMap::new();
                for (k, v) in entries {
                    let key = k.scalar_text().unwrap_or_default();
                    if let Some(first) = seen.get(&key) {
                        let (code, msg, owner) = if path.len() == 1 && path[0] == "nodes" {
                            (
                                Code::DuplicateNode,
                                format!("node id \"{key}\" is defined twice (first on line {})", first.line),
                                Some(key.clone()),
                            )
                        } else {
                            let owner = (path.len() >= 2 && path[0] == "nodes").then(|| path[1].clone());
                            (
                                Code::DuplicateKey,
                                format!(
                                    "key \"{key}\" is written twice in this mapping (first on line {})",
                                    first.line
                                ),
                                owner,
                            )
                        };
                        self.err(code, msg, Some(k.pos), owner.as_deref());
                    } else {
                        seen.insert(key.clone(), k.pos);
                    }
                    path.push(key);
                    self.duplicates(v, path);
                    path.pop();
                }
            }
            Value::Seq(items) => {
                for item in items {
                    path.push(String::new());
                    self.duplicates(item, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    fn sections(&mut self, top: &[(Node, Node)], top_pos: Pos, options: &LoadOptions) -> Option<Sections> {
        let mut s = Sections::default();
        let mut seen = HashSet::new();
        for (k, v) in top {
            let key = k.scalar_text().unwrap_or_default();
            if !seen.insert(key.clone()) {
                continue;
            }
            match key.as_str() {
                "hotline" => s.name = self.de(v, None),
                "description" => s.description = self.de(v, None),
                "entry" => s.entry = self.de(v, None),
                "online_entry" => s.online_entry = self.de(v, None),
                "nodes" => {
                    s.nodes_pos = Some(v.pos);
                    self.nodes(v, &mut s, options)?;
                }
                "agents" => match v.as_map() {
                    Some(m) => {
                        for (pk, pv) in m {
                            let name = pk.scalar_text().unwrap_or_default();
                            s.pool_names.insert(name.clone());
                            if let Some(p) = self.de::<raw::RawPool>(pv, None) {
                                s.pools.push((name, pk.pos, p));
                            }
                        }
                    }
                    None if v.value == Value::Null => {}
                    None => self.err(
                        Code::WrongType,
                        format!("\"agents\" must be a mapping of pool names, not {}", v.type_name()),
                        Some(v.pos),
                        None,
                    ),
                },
                "callers" => s.callers = self.de(v, None).map(|c| (v.pos, c)),
                "simulation" => s.simulation = self.de(v, None),
                "targets" => s.targets = self.de(v, None).unwrap_or_default(),
                other => {
                    let hint = closest(other, TOP_KEYS.iter().copied()).map_or_else(
                        || format!(" (valid keys: {})", TOP_KEYS.join(", ")),
                        |c| format!(" (did you mean \"{c}\"?)"),
                    );
                    self.err(
                        Code::UnknownKey,
                        format!("unknown key \"{other}\"{hint}"),
                        Some(k.pos),
                        None,
                    );
                }
            }
        }
        for (key, have) in [
            ("hotline", s.name.is_some() || seen.contains("hotline")),
            ("entry", s.entry.is_some() || seen.contains("entry")),
            ("nodes", seen.contains("nodes")),
        ] {
            if !have {
                self.err(
                    Code::MissingKey,
                    format!("missing required key \"{key}\""),
                    Some(top_pos),
                    None,
                );
            }
        }
        Some(s)
    }

    fn nodes(&mut self, v: &Node, s: &mut Sections, options: &LoadOptions) -> Option<()> {
        let Some(entries) = v.as_map() else {
            self.err(
                Code::WrongType,
                format!("\"nodes\" must be a mapping of node ids, not {}", v.type_name()),
                Some(v.pos),
                None,
            );
            return Some(());
        };
        if entries.len() > options.max_nodes {
            self.err(
                Code::TooManyNodes,
                format!(
                    "the menu has {} nodes, above the limit of {} (raise it with --max-nodes)",
                    entries.len(),
                    options.max_nodes
                ),
                Some(v.pos),
                None,
            );
            return None;
        }
        for (k, body) in entries {
            let Some(id) = k.scalar_text().filter(|_| k.value != Value::Null) else {
                let what = if k.value == Value::Null {
                    "must not be empty"
                } else {
                    "must be text, not a list or a mapping"
                };
                self.err(Code::BadNodeId, format!("a node id {what}"), Some(k.pos), None);
                continue;
            };
            if id.is_empty() {
                self.err(Code::BadNodeId, "a node id must not be empty", Some(k.pos), None);
                continue;
            }
            if s.ids.contains_key(&id) {
                continue;
            }
            s.ids.insert(id.clone(), k.pos);
            if body.as_map().is_none() {
                self.err(
                    Code::WrongType,
                    format!("a node must be a mapping with a \"kind\", not {}", body.type_name()),
                    Some(body.pos),
                    Some(&id),
                );
                continue;
            }
            let Some(kind_node) = body.get("kind") else {
                self.err(
                    Code::MissingKey,
                    format!("missing required key \"kind\" (one of {})", KINDS.join(", ")),
                    Some(k.pos),
                    Some(&id),
                );
                continue;
            };
            let kind = kind_node.scalar_text().unwrap_or_default();
            let node = match kind.as_str() {
                "prompt" => self.de(body, Some(&id)).map(RawNode::Prompt),
                "menu" => self.de(body, Some(&id)).map(RawNode::Menu),
                "speech" => self.de(body, Some(&id)).map(RawNode::Speech),
                "self_service" => self.de(body, Some(&id)).map(RawNode::SelfService),
                "branch" => self.de(body, Some(&id)).map(RawNode::Branch),
                "queue" => self.de(body, Some(&id)).map(RawNode::Queue),
                "online" => self.de(body, Some(&id)).map(RawNode::Online),
                "hangup" => self.de(body, Some(&id)).map(RawNode::Hangup),
                other => {
                    let hint = closest(other, KINDS.iter().copied())
                        .map_or_else(String::new, |c| format!(" (did you mean \"{c}\"?)"));
                    self.err(
                        Code::UnknownKind,
                        format!("unknown kind \"{other}\"{hint}; kinds are {}", KINDS.join(", ")),
                        Some(kind_node.pos),
                        Some(&id),
                    );
                    None
                }
            };
            if let Some(n) = node {
                s.nodes.push((id, k.pos, n));
            }
        }
        Some(())
    }

    /// Cross-checks and builds the graph.
    fn assemble(&mut self, s: Sections) -> Option<Hotline> {
        let segments = self.segments(&s);
        let pools = self.pools(&s);
        let callers = self.callers(&s, &segments);
        let simulation = self.simulation(&s);
        let mut targets = Vec::new();
        for t in &s.targets {
            match crate::menu::target::Target::parse(&t.value) {
                Ok(x) => targets.push(x),
                Err(e) => self.err(Code::BadTarget, e, Some(t.pos), None),
            }
        }

        let mut graph = DiGraph::new();
        let mut ids = HashMap::new();
        for (id, pos, _) in &s.nodes {
            let n = graph.add_node(MenuNode {
                id: id.clone(),
                pos: *pos,
                say: None,
                label: None,
                duration: Dist::default(),
                kind: Kind::Hangup,
                channel: Channel::Phone,
            });
            ids.insert(id.clone(), n);
        }
        let entry = self.entry(&s, &ids);
        let online_entry = self.online_entry(&s, &ids);
        let mut used_pools = HashSet::new();
        let mut edges = Vec::new();
        for (id, _, raw) in &s.nodes {
            let mut cx = NodeCx {
                b: self,
                id,
                ids: &s.ids,
                graph_ids: &ids,
                segments: &segments,
                edges: Vec::new(),
            };
            let node = cx.node(raw, &pools, &s.pool_names, &mut used_pools, entry);
            let from = ids[id.as_str()];
            edges.extend(cx.edges.into_iter().map(|(to, t)| (from, to, t)));
            if let Some(n) = node {
                let slot = &mut graph[from];
                *slot = MenuNode {
                    id: slot.id.clone(),
                    pos: slot.pos,
                    ..n
                };
            }
        }
        for (name, pos, _) in &s.pools {
            if !used_pools.contains(name.as_str()) {
                self.warn(
                    Code::UnusedPool,
                    format!("pool \"{name}\" is not used by any queue"),
                    Some(*pos),
                    None,
                );
            }
        }
        self.check_channels(&s, &graph, &pools, online_entry);
        if self.diags.iter().any(Diagnostic::is_error) {
            return None;
        }
        // Edges are added node by node, so each node's edges are a range.
        edges.sort_by_key(|(a, _, _)| *a);
        let mut first_edge = vec![0u32; graph.node_count() + 1];
        for (a, b, t) in edges {
            first_edge[a.index() + 1] += 1;
            graph.add_edge(a, b, t);
        }
        for i in 1..first_edge.len() {
            first_edge[i] += first_edge[i - 1];
        }
        Some(Hotline {
            name: s.name?,
            description: s.description,
            graph,
            entry: entry?,
            online_entry,
            pools: pools.into_iter().map(|(_, p)| p).collect(),
            callers,
            simulation,
            targets,
            ids,
            first_edge,
        })
    }

    fn entry(&mut self, s: &Sections, ids: &HashMap<String, NodeIndex>) -> Option<NodeIndex> {
        let e = s.entry.as_ref()?;
        if let Some(&n) = ids.get(e.value.as_str()) {
            return Some(n);
        }
        if !s.ids.contains_key(e.value.as_str()) {
            let hint = self.suggest(&e.value, s.ids.keys());
            self.err(
                Code::UnknownEntry,
                format!("entry \"{}\" is not a node id{hint}", e.value),
                Some(e.pos),
                None,
            );
        }
        None
    }
}

/// Most "did you mean" suggestions looked for in one file.
const MAX_HINTS: usize = 100;

impl Builder {
    /// The closest id, as ` (did you mean "x"?)`, or nothing once the
    /// menu's suggestions are spent.
    fn suggest<'a>(&mut self, word: &str, ids: impl Iterator<Item = &'a String>) -> String {
        if self.hints_left == 0 {
            return String::new();
        }
        self.hints_left -= 1;
        yaml::hint(word, closest(word, ids.map(String::as_str)))
    }
}
