//! The rule checks: each finds the nodes that break one rule of the
//! catalogue in [`super::rules`].

use crate::analysis::rules::RuleId;
use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

mod online;

use super::route::{self, Cost};
use super::rules::{RULES, RuleSet};
use super::{Reach, Routes};
use crate::diag::Severity;
use crate::menu::value::trim_float;
use crate::menu::{Hotline, Kind, Via};

/// One rule finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: RuleId,
    /// Its severity.
    pub severity: Severity,
    /// The node it is about (the entry for whole-menu findings).
    pub node: String,
    /// Line of the node in the file.
    pub line: u32,
    /// Column of the node in the file.
    pub column: u32,
    /// A sentence.
    pub message: String,
    /// Where the rule comes from.
    pub source: &'static str,
}

/// Runs the rules and collects their findings.
pub(super) struct Checker<'a> {
    pub(super) h: &'a Hotline,
    pub(super) rules: &'a RuleSet,
    out: Vec<Finding>,
}

impl Checker<'_> {
    /// Adds a finding of `rule` about node `n`, unless the rule is off.
    pub(super) fn add(&mut self, rule: RuleId, n: NodeIndex, message: String) {
        let setting = self.rules.get(rule);
        if !setting.enabled {
            return;
        }
        let node = &self.h.graph[n];
        let source = RULES.iter().find(|r| r.id == rule).map_or("", |r| r.source);
        self.out.push(Finding {
            rule,
            severity: setting.severity,
            node: node.id.clone(),
            line: node.pos.line,
            column: node.pos.column,
            message,
            source,
        });
    }

    /// Whether a rule is on.
    pub(super) fn on(&self, rule: RuleId) -> bool {
        self.rules.get(rule).enabled
    }
}

/// Labels that mark a complaint or cancel option (lower case, any language).
const COMPLAINT_WORDS: &[&str] = &[
    "complain",
    "complaint",
    "cancel",
    "terminate",
    "close account",
    "dispute",
    "投诉",
    "取消",
    "退订",
    "销户",
    "注销",
];
/// Labels that mark a sales option.
const SALES_WORDS: &[&str] = &[
    "sales",
    "sale",
    "buy",
    "new loan",
    "new policy",
    "new customer",
    "upgrade",
    "办理",
    "购买",
    "新装",
];
/// Segment names or labels that mean callers aged 65 and over.
const ELDERLY_WORDS: &[&str] = &["elder", "senior", "65", "older", "aged", "老", "长者"];

fn has_word(text: &str, words: &[&str]) -> bool {
    let t = text.to_lowercase();
    words.iter().any(|w| t.contains(w))
}

/// Runs every enabled rule.
pub fn check(h: &Hotline, rules: &RuleSet, reach: &Reach, routes: &Routes) -> Vec<Finding> {
    let mut c = Checker {
        h,
        rules,
        out: Vec::new(),
    };
    let all_edges = vec![true; h.graph.edge_count()];
    // Reached from the entry or, for customers who start online, from `online_entry`.
    let mut reachable = reachable_from(h, h.entry, &all_edges);
    if let Some(o) = h.online_entry {
        for (a, b) in reachable.iter_mut().zip(reachable_from(h, o, &all_edges)) {
            *a |= b;
        }
    }

    if !reach.reachable {
        c.add(
            RuleId::NoHuman,
            h.entry,
            "no queue can be reached from the entry: callers can never speak to a person".into(),
        );
    }
    structural(&mut c, &reachable);
    let (to_queue, free) = route::can_reach_queue(h, &routes.allowed);
    online::check(&mut c, &reachable, &to_queue);
    gethuman(&mut c, &reachable, &free);
    regulators(&mut c, &reachable, &to_queue);
    sludge(&mut c, routes);
    industry(&mut c, reach, routes);
    c.out
}

/// The nodes reachable from `start` over the allowed edges.
pub(super) fn reachable_from(h: &Hotline, start: NodeIndex, allowed: &[bool]) -> Vec<bool> {
    let mut seen = vec![false; h.graph.node_count()];
    let mut stack = vec![start];
    seen[start.index()] = true;
    while let Some(n) = stack.pop() {
        for e in h.graph.edges(n) {
            if allowed[e.id().index()] && !seen[e.target().index()] {
                seen[e.target().index()] = true;
                stack.push(e.target());
            }
        }
    }
    seen
}

/// Whether the call can end at a node (or a human answer it).
fn is_exit(h: &Hotline, n: NodeIndex) -> bool {
    match &h.graph[n].kind {
        Kind::Queue(_) | Kind::Hangup | Kind::Online(_) => true,
        Kind::SelfService { resolves } => *resolves > 0.0,
        _ => false,
    }
}

fn structural(c: &mut Checker<'_>, reachable: &[bool]) {
    let h = c.h;
    for n in h.graph.node_indices() {
        if !reachable[n.index()] {
            c.add(
                RuleId::Unreachable,
                n,
                "no caller can reach this node from the entry".into(),
            );
        }
        if let Kind::Online(o) = &h.graph[n].kind {
            let left = 1.0 - o.resolves - o.calls_back.map_or(0.0, |(s, _)| s);
            if left > 1e-9 && reachable[n.index()] {
                c.add(
                    RuleId::DeadEnd,
                    n,
                    format!("{}% of the callers sent here are neither helped online nor call back: their problem stays unsolved", trim_float(left * 100.0)),
                );
            }
        }
        if let Kind::Queue(q) = &h.graph[n].kind
            && let Some(m) = q.max_wait
        {
            let to_hangup = h
                .out(n)
                .any(|(_, t, tr)| tr.via == Via::MaxWait && matches!(h.graph[t].kind, Kind::Hangup));
            let no_target = !h.out(n).any(|(_, _, tr)| tr.via == Via::MaxWait);
            if to_hangup || no_target {
                c.add(
                    RuleId::ForcedDisconnect,
                    n,
                    format!(
                        "callers still waiting after {} are disconnected",
                        crate::menu::value::Duration::from_secs(m).unwrap_or_default()
                    ),
                );
            }
        }
    }
    // Traps: nodes reachable from the entry from which no exit can be reached.
    if c.on(RuleId::Trap) {
        let mut escapes = vec![false; h.graph.node_count()];
        let mut stack: Vec<NodeIndex> = h.graph.node_indices().filter(|&n| is_exit(h, n)).collect();
        for n in &stack {
            escapes[n.index()] = true;
        }
        while let Some(v) = stack.pop() {
            for e in h.graph.edges_directed(v, Direction::Incoming) {
                if !escapes[e.source().index()] {
                    escapes[e.source().index()] = true;
                    stack.push(e.source());
                }
            }
        }
        for scc in tarjan_scc(&h.graph) {
            let trapped: Vec<NodeIndex> = scc
                .into_iter()
                .filter(|n| reachable[n.index()] && !escapes[n.index()])
                .collect();
            if let Some(&first) = trapped.iter().min() {
                let mut ids: Vec<&str> = trapped.iter().map(|n| h.graph[*n].id.as_str()).collect();
                ids.sort();
                c.add(
                    RuleId::Trap,
                    first,
                    format!(
                        "callers who reach {} can never reach a queue or end the call",
                        ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
    if c.on(RuleId::ZeroTimeLoop) {
        zero_time_loops(c, reachable);
    }
    // Deflection loops: busy → the other channel → … → back into the same
    // queue (through an online node's call-back to the entry, or through
    // real nodes: a chat bot, a chat queue whose own busy message says
    // "call us").
    if c.on(RuleId::DeflectionLoop) {
        deflection_loops(c, reachable, &vec![true; h.graph.edge_count()]);
    }
}

/// Queues whose busy message sends callers into the other channel, from
/// where they can come back into the same queue.
fn deflection_loops(c: &mut Checker<'_>, reachable: &[bool], all: &[bool]) {
    let h = c.h;
    for q in h
        .graph
        .node_indices()
        .filter(|&n| h.is_queue(n) && reachable[n.index()])
    {
        let home = h.graph[q].channel;
        // The nodes from which this queue can be reached again.
        let mut back = vec![false; h.graph.node_count()];
        let mut stack = vec![q];
        back[q.index()] = true;
        while let Some(v) = stack.pop() {
            for e in h.graph.edges_directed(v, Direction::Incoming) {
                if !back[e.source().index()] {
                    back[e.source().index()] = true;
                    stack.push(e.source());
                }
            }
        }
        for (_, busy_to, tr) in h.out(q) {
            if tr.via != Via::Busy {
                continue;
            }
            let after = reachable_from(h, busy_to, all);
            // A node of the other channel on a way back.
            let away = h
                .graph
                .node_indices()
                .find(|&n| after[n.index()] && back[n.index()] && h.graph[n].channel != home);
            if let Some(o) = away {
                let side = |n: NodeIndex| match h.graph[n].channel {
                    crate::menu::Channel::Online => format!("online \"{}\"", h.graph[n].id),
                    crate::menu::Channel::Phone => format!("the phone (\"{}\")", h.graph[n].id),
                };
                let through = if o == busy_to {
                    String::new()
                } else {
                    format!(" and on to {}", side(o))
                };
                c.add(
                    RuleId::DeflectionLoop,
                    q,
                    format!(
                        "the busy message sends customers to {}{through}, from where they come back into this queue",
                        side(busy_to)
                    ),
                );
            }
        }
    }
}

/// Cycles a caller can go round without time passing: out of a node whose
/// duration is always zero (a queue: its busy message when that takes no
/// time, its `max_wait` when it is 0).
fn zero_time_loops(c: &mut Checker<'_>, reachable: &[bool]) {
    let h = c.h;
    let instant = |e: petgraph::graph::EdgeReference<'_, crate::menu::Transition>| {
        let node = &h.graph[e.source()];
        match (&node.kind, &e.weight().via) {
            (Kind::Queue(q), Via::Busy) => q.busy.as_ref().is_some_and(|b| b.duration.is_zero()),
            (Kind::Queue(q), Via::MaxWait) => q.max_wait == Some(0.0),
            (Kind::Queue(_), _) => false,
            (Kind::Menu(i), Via::Fail) => node.duration.is_zero() && (i.no_input == 0.0 || i.timeout == 0.0),
            (Kind::Speech(s), Via::Fail) => {
                node.duration.is_zero() && (s.input.no_input == 0.0 || s.input.timeout == 0.0)
            }
            _ => node.duration.is_zero(),
        }
    };
    let mut fast = h.graph.filter_map(|_, _| Some(()), |_, _| None::<()>);
    for e in h.graph.edge_references().filter(|e| instant(*e)) {
        fast.add_edge(e.source(), e.target(), ());
    }
    for scc in tarjan_scc(&fast) {
        let cyclic = scc.len() > 1 || fast.contains_edge(scc[0], scc[0]);
        if !cyclic || !scc.iter().any(|n| reachable[n.index()]) {
            continue;
        }
        let mut ids: Vec<&str> = scc.iter().map(|n| h.graph[*n].id.as_str()).collect();
        ids.sort();
        let first = scc.iter().copied().min().unwrap_or(h.entry);
        c.add(
            RuleId::ZeroTimeLoop,
            first,
            format!(
                "callers can go round {} without time passing; the simulator ends such a call as stuck after {} nodes",
                ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", "),
                crate::menu::MAX_STEPS
            ),
        );
    }
}

fn gethuman(c: &mut Checker<'_>, reachable: &[bool], free: &[bool]) {
    let h = c.h;
    for n in h.graph.node_indices().filter(|n| reachable[n.index()]) {
        let node = &h.graph[n];
        let out = h.out(n);
        if route::asks(h, n) {
            let hangs_up = out
                .clone()
                .any(|(_, t, tr)| tr.via == Via::Fail && matches!(h.graph[t].kind, Kind::Hangup));
            if hangs_up {
                c.add(
                    RuleId::FailHangsUp,
                    n,
                    "callers who press nothing or a wrong key are disconnected (on_fail goes to a hangup)".into(),
                );
            }
            let one_choice = out.clone().any(|(_, t, tr)| tr.is_choice() && free[t.index()]);
            if !one_choice {
                c.add(RuleId::ZeroOut, n, format!("no option of this {} leads to a queue in one choice (GetHuman: \"0\" or \"agent\" should reach a person)", node.kind.name()));
            }
        }
        // A chat bot is typed to: key presses are a phone fallback.
        let phone = node.channel == crate::menu::Channel::Phone;
        if let Kind::Speech(_) = &node.kind
            && phone
            && !out.clone().any(|(_, _, tr)| matches!(tr.via, Via::Key(_)))
        {
            c.add(
                RuleId::SpeechFallback,
                n,
                "the voice bot accepts no key presses: callers who cannot be understood have no fallback".into(),
            );
        }
        if let Kind::Queue(q) = &node.kind {
            if !q.announce_wait {
                c.add(
                    RuleId::WaitAnnounced,
                    n,
                    "the expected wait is not announced when callers join the queue".into(),
                );
            }
            let limit = c.rules.threshold(RuleId::CallbackOffered);
            let can_be_long = q.max_wait.is_none_or(|m| m > limit) || q.busy.is_some();
            if q.callback.is_none() && can_be_long && phone {
                c.add(
                    RuleId::CallbackOffered,
                    n,
                    "the queue can be long but offers no call-back".into(),
                );
            }
        }
    }
}

fn regulators(c: &mut Checker<'_>, reachable: &[bool], any: &[bool]) {
    let h = c.h;
    // MIIT: callers in a 65+ segment reach a queue with no menu choice.
    if c.on(RuleId::ElderlyOneKey)
        && let Some(callers) = &h.callers
    {
        for (i, seg) in callers.segments.iter().enumerate() {
            let text = format!("{} {}", seg.name, seg.label.clone().unwrap_or_default());
            if !has_word(&text, ELDERLY_WORDS) {
                continue;
            }
            let r = super::reach(h, Some(i));
            match r.selections {
                    Some(0) => {}
                    Some(s) => c.add(
                        RuleId::ElderlyOneKey,
                        h.entry,
                        format!("callers in segment \"{}\" need {s} menu selection(s) before a queue; MIIT asks for a direct transfer", seg.name),
                    ),
                    None => c.add(RuleId::ElderlyOneKey, h.entry, format!("callers in segment \"{}\" can never reach a queue", seg.name)),
                }
        }
    }
    // Spain: a human on request at every point.
    for n in h.graph.node_indices().filter(|n| reachable[n.index()]) {
        let node = &h.graph[n];
        let ends = matches!(node.kind, Kind::Hangup | Kind::Online(_) | Kind::Queue(_));
        if !any[n.index()] && !ends {
            c.add(
                RuleId::HumanOnRequest,
                n,
                "no queue can be reached from this point on request".into(),
            );
        }
        // The law's three minutes are for calls.
        if let Kind::Queue(q) = &node.kind
            && node.channel == crate::menu::Channel::Phone
        {
            let limit = c.rules.threshold(RuleId::MaxWait3Min);
            match q.max_wait {
                Some(m) if m > limit => c.add(RuleId::MaxWait3Min, n, format!("callers may wait up to {} (threshold {}); `hotline simulate` gives the share answered within 3 minutes", secs(m), secs(limit))),
                _ => {}
            }
        }
    }
}

fn secs(s: f64) -> String {
    crate::menu::value::Duration::from_secs(s)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| format!("{s}s"))
}

/// FCA sludge: complaint or cancel costs more than sales.
fn sludge(c: &mut Checker<'_>, routes: &Routes) {
    let h = c.h;
    if !c.on(RuleId::Sludge) {
        return;
    }
    let (dist, time) = (&routes.lex, &routes.time);
    let mut best: [Option<(Cost, f64, NodeIndex)>; 2] = [None, None];
    for e in h.graph.edge_indices() {
        let t = &h.graph[e];
        let Some(label) = &t.label else { continue };
        let which = if has_word(label, COMPLAINT_WORDS) {
            0
        } else if has_word(label, SALES_WORDS) {
            1
        } else {
            continue;
        };
        let (from, _) = h.graph.edge_endpoints(e).expect("edge exists");
        let (Some(d), Some(s)) = (dist[from.index()], time[from.index()]) else {
            continue;
        };
        let cost = d + route::edge_cost(h, e);
        let seconds = s.seconds + route::edge_cost(h, e).seconds;
        let slot = &mut best[which];
        if slot.is_none_or(|(c0, _, _)| cost < c0) {
            *slot = Some((cost, seconds, from));
        }
    }
    if let [Some((complaint, c_secs, node)), Some((sales, s_secs, _))] = best
        && (complaint.selections > sales.selections || c_secs > s_secs + 1e-9)
    {
        c.add(
            RuleId::Sludge,
            node,
            format!(
                "reaching a complaint or cancel option takes {} selection(s) and {}s, reaching sales {} and {}s",
                complaint.selections,
                trim_float(c_secs),
                sales.selections,
                trim_float(s_secs)
            ),
        );
    }
}

fn industry(c: &mut Checker<'_>, reach: &Reach, routes: &Routes) {
    let h = c.h;
    let breadth = c.rules.threshold(RuleId::MenuBreadth);
    for n in h.graph.node_indices() {
        if let Kind::Menu(_) = h.graph[n].kind {
            let options = h.out(n).filter(|(_, _, t)| t.is_choice()).count();
            if options as f64 > breadth {
                c.add(
                    RuleId::MenuBreadth,
                    n,
                    format!("the menu offers {options} options (threshold {})", trim_float(breadth)),
                );
            }
        }
    }
    // Greeting: least time from the entry to the first menu or voice bot.
    let first_menu = routes
        .time
        .iter()
        .enumerate()
        .filter(|(i, _)| route::asks(h, NodeIndex::new(*i)))
        .filter_map(|(_, c)| c.map(|c| c.seconds))
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.min(s))));
    let limit = c.rules.threshold(RuleId::LongGreeting);
    if let Some(g) = first_menu
        && g > limit + 1e-9
    {
        c.add(
            RuleId::LongGreeting,
            h.entry,
            format!(
                "callers hear {}s of messages before the first menu (threshold {}s)",
                trim_float(g),
                trim_float(limit)
            ),
        );
    }
    let depth = c.rules.threshold(RuleId::HumanDepth);
    if let Some(s) = reach.selections
        && f64::from(s) > depth
    {
        c.add(
            RuleId::HumanDepth,
            h.entry,
            format!(
                "a human is first offered after {s} selections (threshold {})",
                trim_float(depth)
            ),
        );
    }
}
