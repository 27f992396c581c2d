//! Cross-checks of the channels: `online_entry`, online arrivals, chat
//! queues and the chat settings of their pools.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use super::{Builder, Sections};
use crate::diag::Code;
use crate::menu::yaml::Pos;
use crate::menu::{Channel, Kind, MenuNode, Pool, Transition};

impl Builder {
    /// The node `online_entry` names, when it exists.
    pub(super) fn online_entry(&mut self, s: &Sections, ids: &HashMap<String, NodeIndex>) -> Option<NodeIndex> {
        let e = s.online_entry.as_ref()?;
        if let Some(&n) = ids.get(e.value.as_str()) {
            return Some(n);
        }
        if !s.ids.contains_key(e.value.as_str()) {
            let hint = self.suggest(&e.value, s.ids.keys());
            self.err(
                Code::UnknownEntry,
                format!("online_entry \"{}\" is not a node id{hint}", e.value),
                Some(e.pos),
                None,
            );
        }
        None
    }

    /// Checks what only makes sense across nodes, pools and callers.
    pub(super) fn check_channels(
        &mut self,
        s: &Sections,
        graph: &DiGraph<MenuNode, Transition>,
        pools: &[(Pos, Pool)],
        online_entry: Option<NodeIndex>,
    ) {
        if let (Some(n), Some(e)) = (online_entry, &s.online_entry) {
            let node = &graph[n];
            if node.channel != Channel::Online {
                self.err(
                    Code::OnlineEntryPhone,
                    format!(
                        "online_entry \"{}\" is a phone node: customers who start online must enter an online node (add \"channel: online\" to it)",
                        node.id
                    ),
                    Some(e.pos),
                    Some(&node.id),
                );
            }
        }
        if let Some((_, c)) = &s.callers
            && let Some(a) = &c.online_arrivals
            && s.online_entry.is_none()
        {
            self.err(
                Code::MissingKey,
                "callers.online_arrivals needs a top-level \"online_entry\": the node where customers who start online enter",
                Some(a.pos),
                None,
            );
        }
        // Which channels each pool answers.
        let mut answers: Vec<[Option<&MenuNode>; 2]> = vec![[None, None]; pools.len()];
        for node in graph.node_weights() {
            let Kind::Queue(q) = &node.kind else { continue };
            let Some((_, pool)) = pools.get(q.pool) else { continue };
            let slot = &mut answers[q.pool][node.channel as usize];
            if slot.is_none() {
                *slot = Some(node);
            }
            if node.channel == Channel::Online && pool.never_staffed() {
                self.err(
                    Code::NoSeats,
                    format!(
                        "chat queue \"{}\" is answered by pool \"{}\", which has no seats at any time: no chat would ever be answered",
                        node.id, pool.name
                    ),
                    Some(node.pos),
                    Some(&node.id),
                );
            }
        }
        for ((name, _, raw), ((_, pool), [phone, _])) in s.pools.iter().zip(pools.iter().zip(&answers)) {
            if let Some(q) = phone
                && let Some(c) = raw.concurrency.as_ref().filter(|c| c.value > 1)
            {
                self.warn(
                    Code::ChatSettingsOnPhone,
                    format!(
                        "pool \"{name}\" answers the phone queue \"{}\": with concurrency {} each of its agents holds {} phone calls at once (give chats a pool of their own)",
                        q.id, c.value, c.value
                    ),
                    Some(c.pos),
                    None,
                );
            }
            if let Some(f) = &raw.first_reply
                && f.value.mean() >= pool.handle_time.mean()
                && f.value.mean() > 0.0
            {
                self.warn(
                    Code::FirstReplyLong,
                    format!(
                        "pool \"{name}\": the first reply takes as long as a whole chat on average; handle_time is the whole chat from pick-up, first_reply a delay within it"
                    ),
                    Some(f.pos),
                    None,
                );
            }
        }
    }
}
