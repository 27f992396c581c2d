//! Every route through the menu, as a QA team's test cases: the caller's
//! input in order, the prompts heard, the seconds, the probability and the
//! outcome of each distinct route from the entry (and from `online_entry`).
//!
//! Routes are enumerated depth first, each node visited at most
//! `max_visits` times on one route (a route that would enter a node once
//! more ends there, as still looping). Retries are folded into the choice
//! they end in: "press 1" carries the chance of pressing 1 on any hearing,
//! and failing every hearing is a route of its own to `on_fail`. So, with
//! no filter, the probabilities of all routes add up to 1, and those ending
//! in a queue add up to the analysis's probability of reaching a human as
//! the bound grows.

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::analysis::branch_weights;
use crate::menu::{Channel, Hotline, Kind, Via};

/// What to list.
#[derive(Clone, Debug)]
pub struct PathOptions {
    /// Most times a route may pass through one node (at least 1).
    pub max_visits: u32,
    /// Keep only routes through this node.
    pub to: Option<NodeIndex>,
    /// Leave out routes less likely than this.
    pub min_prob: f64,
    /// Keep at most this many routes per start (the most likely).
    pub limit: Option<usize>,
    /// The caller's segment (`None`: a caller in no segment).
    pub segment: Option<usize>,
    /// Most route steps explored before giving up with what was found.
    pub budget: usize,
    /// Most routes kept when there is no `limit` (memory is bounded by
    /// this, and by `limit` when it is given).
    pub max_routes: usize,
}

impl Default for PathOptions {
    fn default() -> PathOptions {
        PathOptions {
            max_visits: 2,
            to: None,
            min_prob: 0.0,
            limit: None,
            segment: None,
            budget: 2_000_000,
            max_routes: MAX_ROUTES,
        }
    }
}

/// Routes kept by default when no `limit` is given.
pub const MAX_ROUTES: usize = 200_000;

/// How a route ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// In a queue: a human answers.
    Queue,
    /// At a hangup node.
    Hangup,
    /// At an online node (the caller leaves for an unmodelled service).
    Online,
    /// Resolved by self-service.
    Resolved,
    /// About to pass a node more than `max_visits` times.
    Looping,
}

/// One route.
#[derive(Clone, Debug, Serialize)]
pub struct Route {
    /// Where it starts (the entry or `online_entry`).
    pub start: String,
    /// The nodes passed, in order.
    pub nodes: Vec<String>,
    /// The caller's input in order: keys (`1`), requests (`say agent`,
    /// `type 人工`, repeated as `insist` asks), silences (`wait 5s`),
    /// keys the menu does not offer (`press an invalid key`).
    pub input: Vec<String>,
    /// What the caller hears, in order.
    pub prompts: Vec<String>,
    /// Seconds of the route (durations at their mean, timeouts included).
    pub seconds: f64,
    /// Its probability, from shares, recognition and resolution.
    pub probability: f64,
    /// How it ends, in words: `queue q_general`, `hangup bye`, …
    pub outcome: String,
    /// How it ends.
    pub end: End,
    /// Per node passed: what is heard there and the input given.
    #[serde(skip)]
    pub steps: Vec<(Option<String>, Vec<String>)>,
}

/// The routes of a menu.
#[derive(Clone, Debug, Serialize)]
pub struct Paths {
    /// The hotline's name.
    pub hotline: String,
    /// The bound on visits per node.
    pub max_visits: u32,
    /// The routes, most likely first (the entry's, then `online_entry`'s).
    pub paths: Vec<Route>,
    /// The probability the listed routes from the entry account for.
    pub covered: f64,
    /// The same for `online_entry`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covered_online: Option<f64>,
    /// Routes found before filtering by `--limit`.
    pub found: usize,
    /// Why the list is partial, when the budget ran out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// One way on from a node: where to (or how the route ends), with what
/// chance, input and time.
struct Move {
    to: Option<NodeIndex>,
    end: Option<(End, String)>,
    p: f64,
    input: Vec<String>,
    secs: f64,
}

/// Lists the routes of a hotline.
///
/// ```
/// let text = "hotline: Tiny\nentry: main\nnodes:\n  main:\n    kind: menu\n    duration: 6s\n\
///             \x20   options:\n      \"1\": { to: q, share: 0.75 }\n      \"2\": { to: bye, share: 0.25 }\n\
///             \x20 q: { kind: queue, pool: desk }\n  bye: { kind: hangup }\n\
///             agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";
/// let h = hotline::input::load_str(text, "tiny.yaml", &Default::default()).hotline.unwrap();
/// let p = hotline::designer::paths::paths(&h, &Default::default());
/// assert_eq!(p.paths.len(), 2);
/// assert_eq!(p.paths[0].input, ["1"]);
/// assert_eq!(p.paths[0].outcome, "queue q");
/// assert_eq!(p.covered, 1.0);
/// ```
pub fn paths(h: &Hotline, o: &PathOptions) -> Paths {
    let mut out = Paths {
        hotline: h.name.clone(),
        max_visits: o.max_visits.max(1),
        paths: Vec::new(),
        covered: 0.0,
        covered_online: None,
        found: 0,
        stopped: None,
    };
    let through = o.to.map(|t| leads_to(h, t));
    let mut budget = o.budget;
    let starts = std::iter::once((h.entry, false)).chain(h.online_entry.map(|n| (n, true)));
    for (start, online) in starts {
        let mut w = Walker {
            h,
            o,
            through: through.as_deref(),
            visits: vec![0; h.graph.node_count()],
            stack: Vec::new(),
            kept: Kept::new(o),
            budget: &mut budget,
            too_many: false,
        };
        let exhausted = !w.walk(start, 1.0, 0.0);
        if out.stopped.is_none() {
            if w.too_many {
                out.stopped = Some(format!(
                    "stopped after {} routes: the menu has more routes than that; keep the most likely with --limit N, or narrow it with --to NODE, --min-prob P or --max-visits 1",
                    o.max_routes
                ));
            } else if exhausted {
                out.stopped = Some(format!(
                    "stopped after {} route steps with {} route(s) found: the menu has more routes than that; narrow it with --to NODE, --min-prob P or --max-visits 1",
                    o.budget,
                    out.found + w.kept.seen
                ));
            }
        }
        out.found += w.kept.seen;
        let found: Vec<Route> = w
            .kept
            .into_sorted()
            .into_iter()
            .map(|f| f.route(h, &h.graph[start].id, o.segment))
            .collect();
        let covered = found.iter().map(|r| r.probability).sum::<f64>();
        // Rounded so that printed figures are stable across platforms.
        let covered = (covered * 1e12).round() / 1e12;
        if online {
            out.covered_online = Some(covered);
        } else {
            out.covered = covered;
        }
        out.paths.extend(found);
    }
    out
}

/// A route found, kept compactly until it is listed: the nodes and the
/// move taken at each (its input is found again from the menu).
struct Found {
    p: f64,
    secs: f64,
    end: End,
    outcome: String,
    trail: Vec<(u32, u16)>,
    /// The order it was found in (ties of probability keep it).
    seq: usize,
}

impl Found {
    /// Most likely first; ties in the order found.
    fn key(&self) -> (f64, std::cmp::Reverse<usize>) {
        (self.p, std::cmp::Reverse(self.seq))
    }

    /// The route with its input, prompts and steps.
    fn route(self, h: &Hotline, start: &str, segment: Option<usize>) -> Route {
        let steps: Vec<(Option<String>, Vec<String>)> = self
            .trail
            .iter()
            .map(|&(n, m)| {
                let n = NodeIndex::new(n as usize);
                let input = if m == u16::MAX {
                    Vec::new()
                } else {
                    moves(h, n, segment)
                        .into_iter()
                        .nth(usize::from(m))
                        .map(|m| m.input)
                        .unwrap_or_default()
                };
                (h.graph[n].say.clone(), input)
            })
            .collect();
        Route {
            start: start.to_string(),
            nodes: self
                .trail
                .iter()
                .map(|&(n, _)| h.graph[NodeIndex::new(n as usize)].id.clone())
                .collect(),
            input: steps.iter().flat_map(|(_, i)| i.iter().cloned()).collect(),
            prompts: steps.iter().filter_map(|(p, _)| p.clone()).collect(),
            seconds: (self.secs * 1e6).round() / 1e6,
            probability: self.p,
            outcome: self.outcome,
            end: self.end,
            steps,
        }
    }
}

/// The routes kept: the `limit` most likely (a bounded heap), or all of
/// them up to `max_routes`.
struct Kept {
    limit: Option<usize>,
    max: usize,
    /// With a limit: a min-heap on the key (least likely on top).
    heap: std::collections::BinaryHeap<std::cmp::Reverse<Ranked>>,
    all: Vec<Found>,
    seen: usize,
}

struct Ranked(Found);

impl PartialEq for Ranked {
    fn eq(&self, o: &Ranked) -> bool {
        self.cmp(o) == std::cmp::Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, o: &Ranked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ranked {
    fn cmp(&self, o: &Ranked) -> std::cmp::Ordering {
        let (a, b) = (self.0.key(), o.0.key());
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
    }
}

impl Kept {
    fn new(o: &PathOptions) -> Kept {
        Kept {
            limit: o.limit,
            max: o.max_routes.max(1),
            heap: std::collections::BinaryHeap::new(),
            all: Vec::new(),
            seen: 0,
        }
    }

    /// Adds a route; false when there is no room left (no limit, and
    /// `max_routes` routes already).
    fn add(&mut self, f: Found) -> bool {
        self.seen += 1;
        match self.limit {
            Some(n) => {
                self.heap.push(std::cmp::Reverse(Ranked(f)));
                if self.heap.len() > n {
                    self.heap.pop();
                }
                true
            }
            None if self.all.len() < self.max => {
                self.all.push(f);
                true
            }
            None => {
                self.seen -= 1;
                false
            }
        }
    }

    fn into_sorted(self) -> Vec<Found> {
        let mut v: Vec<Found> = match self.limit {
            Some(_) => self.heap.into_iter().map(|r| r.0.0).collect(),
            None => self.all,
        };
        v.sort_by(|a, b| {
            let (x, y) = (a.key(), b.key());
            y.0.total_cmp(&x.0).then(y.1.cmp(&x.1))
        });
        v
    }
}

/// Nodes from which `target` can be reached (itself included).
fn leads_to(h: &Hotline, target: NodeIndex) -> Vec<bool> {
    let mut seen = vec![false; h.graph.node_count()];
    let mut stack = vec![target];
    seen[target.index()] = true;
    while let Some(v) = stack.pop() {
        for u in h.graph.neighbors_directed(v, Direction::Incoming) {
            if !seen[u.index()] {
                seen[u.index()] = true;
                stack.push(u);
            }
        }
    }
    seen
}

/// One step of a route on the stack: the node and the move taken from it
/// (`u16::MAX` until one is).
struct Step {
    node: NodeIndex,
    taken: u16,
}

struct Walker<'a> {
    h: &'a Hotline,
    o: &'a PathOptions,
    through: Option<&'a [bool]>,
    visits: Vec<u32>,
    stack: Vec<Step>,
    kept: Kept,
    budget: &'a mut usize,
    /// Whether routes were left out for want of room.
    too_many: bool,
}

impl Walker<'_> {
    /// Explores the routes from `n`, reached with probability `p` after
    /// `secs`; false when the budget (of steps or of routes) ran out.
    fn walk(&mut self, n: NodeIndex, p: f64, secs: f64) -> bool {
        if *self.budget == 0 {
            return false;
        }
        *self.budget -= 1;
        if self.visits[n.index()] >= self.o.max_visits.max(1) {
            let id = &self.h.graph[n].id;
            return self.record(
                p,
                secs,
                End::Looping,
                format!("looping: back to {id} a {} time", ordinal(self.visits[n.index()] + 1)),
            );
        }
        self.visits[n.index()] += 1;
        self.stack.push(Step {
            node: n,
            taken: u16::MAX,
        });
        let mut ok = true;
        for (i, m) in moves(self.h, n, self.o.segment).into_iter().enumerate() {
            let q = p * m.p;
            if q <= 0.0 || q < self.o.min_prob {
                continue;
            }
            if let Some(t) = m.to
                && self.through.is_some_and(|ok| !ok[t.index()])
                && !self.passed_target()
            {
                continue;
            }
            let depth = self.stack.len() - 1;
            self.stack[depth].taken = u16::try_from(i).unwrap_or(u16::MAX - 1);
            let going = match (m.to, m.end) {
                (_, Some((end, what))) => self.record(q, secs + m.secs, end, what),
                (Some(t), None) => self.walk(t, q, secs + m.secs),
                (None, None) => true,
            };
            if !going {
                ok = false;
                break;
            }
        }
        self.stack.pop();
        self.visits[n.index()] -= 1;
        ok
    }

    /// Whether the route so far passed the `--to` node.
    fn passed_target(&self) -> bool {
        self.o.to.is_some_and(|t| self.stack.iter().any(|s| s.node == t))
    }

    /// Keeps a route; false when there is no room left for it.
    fn record(&mut self, p: f64, secs: f64, end: End, outcome: String) -> bool {
        if self.o.to.is_some() && !self.passed_target() {
            return true;
        }
        let found = Found {
            p: (p * 1e12).round() / 1e12,
            secs,
            end,
            outcome,
            trail: self.stack.iter().map(|s| (s.node.index() as u32, s.taken)).collect(),
            seq: self.kept.seen,
        };
        if self.kept.add(found) {
            true
        } else {
            self.too_many = true;
            false
        }
    }
}

fn ordinal(n: u32) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        n => format!("{n}th"),
    }
}

/// A duration for input lists: `5s`, `1m30s`.
fn secs_text(s: f64) -> String {
    crate::menu::value::Duration::from_secs(s).map_or_else(|_| format!("{s}s"), |d| d.to_string())
}

/// The ways on from a node.
fn moves(h: &Hotline, n: NodeIndex, segment: Option<usize>) -> Vec<Move> {
    let node = &h.graph[n];
    let dur = node.duration.mean();
    let go = |to: NodeIndex, p: f64, input: Vec<String>, secs: f64| Move {
        to: Some(to),
        end: None,
        p,
        input,
        secs,
    };
    let end = |end: End, what: String, p: f64| Move {
        to: None,
        end: Some((end, what)),
        p,
        input: Vec::new(),
        secs: dur,
    };
    let target = |via: &Via| h.out(n).find(|(_, _, t)| &t.via == via).map(|(_, to, _)| to);
    let verb = if node.channel == Channel::Online { "type" } else { "say" };
    match &node.kind {
        Kind::Prompt => target(&Via::Next)
            .map(|t| go(t, 1.0, Vec::new(), dur))
            .into_iter()
            .collect(),
        Kind::Menu(input) | Kind::Speech(crate::menu::Speech { input, .. }) => {
            let understood = match &node.kind {
                Kind::Speech(s) => s.understood,
                _ => 1.0,
            };
            let hearings = input.retries + 1;
            let fail = input.fail();
            let heard = 1.0 - fail.powi(hearings as i32);
            let mut v = Vec::new();
            let mut misunderstood = 0.0;
            for (_, to, t) in h.out(n) {
                let share = t.share_for(segment);
                match &t.via {
                    Via::Key(k) => v.push(go(to, share * heard, vec![k.clone()], dur)),
                    Via::Intent(i) => {
                        let all = understood.powi(t.insist as i32);
                        let said = vec![format!("{verb} {i}"); t.insist as usize];
                        v.push(go(to, share * heard * all, said, dur * f64::from(t.insist)));
                        misunderstood += share * heard * (1.0 - all);
                    }
                    _ => {}
                }
            }
            if let Some(t) = target(&Via::Misunderstood) {
                v.push(go(
                    t,
                    misunderstood,
                    vec![format!("{verb} something not understood")],
                    dur,
                ));
            }
            if let Some(t) = target(&Via::Fail) {
                let (what, wait) = if input.no_input >= (1.0 - input.no_input) * input.invalid {
                    (format!("wait {}", secs_text(input.timeout)), input.timeout)
                } else {
                    ("press an invalid key".to_string(), 0.0)
                };
                let secs = f64::from(hearings) * (dur + wait);
                v.push(go(t, fail.powi(hearings as i32), vec![what; hearings as usize], secs));
            }
            v
        }
        Kind::SelfService { resolves } => {
            let mut v = vec![end(End::Resolved, format!("resolved by {}", node.id), *resolves)];
            if let Some(t) = target(&Via::Next) {
                v.push(go(t, 1.0 - resolves, Vec::new(), dur));
            }
            v
        }
        Kind::Branch => {
            let weights = branch_weights(h, n, segment);
            h.out(n)
                .zip(weights)
                .filter(|(_, w)| *w > 0.0)
                .map(|((_, to, _), w)| go(to, w, Vec::new(), dur))
                .collect()
        }
        Kind::Queue(_) => vec![end(End::Queue, format!("queue {}", node.id), 1.0)],
        Kind::Online(_) => vec![end(End::Online, format!("online {}", node.id), 1.0)],
        Kind::Hangup => vec![end(End::Hangup, format!("hangup {}", node.id), 1.0)],
    }
}
