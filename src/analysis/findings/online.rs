//! Rules for the online side: chat bots that never hand over, bots that
//! want "human" typed more than once, and chat queues that remove waiting
//! customers and make them queue again at the back.

use crate::analysis::rules::RuleId;
use petgraph::graph::NodeIndex;

use super::{Checker, reachable_from};
use crate::menu::{Channel, Kind, Via};

/// Runs the online rules over the nodes customers can reach (`to_queue`:
/// the nodes from which a queue can be reached on purpose).
pub(super) fn check(c: &mut Checker<'_>, reachable: &[bool], to_queue: &[bool]) {
    let h = c.h;
    let insist_limit = c.rules.threshold(RuleId::ChatInsistHuman);
    for n in h.graph.node_indices().filter(|n| reachable[n.index()]) {
        let node = &h.graph[n];
        if node.channel == Channel::Online && matches!(node.kind, Kind::Speech(_)) {
            if !to_queue[n.index()] {
                c.add(
                    RuleId::ChatBotNoHuman,
                    n,
                    "this chat bot never hands over to a person: no request typed here leads to a queue".into(),
                );
            }
            for (_, to, t) in h.out(n) {
                if let Via::Intent(name) = &t.via
                    && to_queue[to.index()]
                    && f64::from(t.insist) >= insist_limit
                {
                    c.add(
                        RuleId::ChatInsistHuman,
                        n,
                        format!(
                            "customers must type \"{name}\" {} times before the bot hands over to a person",
                            t.insist
                        ),
                    );
                }
            }
        }
        if let Kind::Queue(q) = &node.kind
            && let Some(m) = q.max_wait
        {
            requeue(c, n, m);
        }
    }
}

/// A queue whose `max_wait` sends customers on to nodes that lead back
/// into the same queue: removed, they can only queue again at the back.
fn requeue(c: &mut Checker<'_>, q: NodeIndex, max_wait: f64) {
    let h = c.h;
    let all = vec![true; h.graph.edge_count()];
    for (_, to, t) in h.out(q) {
        if t.via != Via::MaxWait {
            continue;
        }
        // The way back must not pass through another queue (being answered
        // there ends the journey).
        let back = to == q || {
            let mut only_menu = all.clone();
            for (i, e) in h.graph.raw_edges().iter().enumerate() {
                if h.is_queue(e.source()) {
                    only_menu[i] = false;
                }
            }
            reachable_from(h, to, &only_menu)[q.index()]
        };
        if back {
            c.add(
                RuleId::RequeueAtBack,
                q,
                format!(
                    "customers still waiting after {} are removed and can only queue again, at the back (\"{}\")",
                    crate::menu::value::Duration::from_secs(max_wait).unwrap_or_default(),
                    h.graph[to].id
                ),
            );
        }
    }
}
