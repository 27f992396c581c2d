//! The rules decided on the menu alone: routes to a person, disconnections,
//! segments and bots.

use super::*;

pub(super) fn statically(id: &str, h: &Hotline, a: &Analysis) -> (Status, Evidence) {
    let allowed = route::deliberate_edges(h, None);
    let (_, free) = route::can_reach_queue(h, &allowed);
    match id {
        "spain-human-option" => {
            // The main menu: the first menu or bot a caller meets from the entry.
            let mut n = h.entry;
            let mut seen = vec![n];
            while !route::asks(h, n) {
                let next = h
                    .out(n)
                    .find(|(_, _, t)| matches!(t.via, Via::Next | Via::Else))
                    .map(|(_, to, _)| to);
                match next {
                    Some(to) if !seen.contains(&to) => {
                        seen.push(to);
                        n = to;
                    }
                    _ => break,
                }
            }
            if h.is_queue(n) {
                return (
                    Status::Pass,
                    Evidence {
                        finding: "callers reach a queue before any menu".into(),
                        nodes: vec![h.at(n).id.clone()],
                        ..Evidence::default()
                    },
                );
            }
            if !route::asks(h, n) {
                return (
                    Status::Fail,
                    Evidence {
                        finding: "no menu is met from the entry and no queue either".into(),
                        nodes: vec![h.at(n).id.clone()],
                        ..Evidence::default()
                    },
                );
            }
            // A queue in one choice, a direct one first.
            let option = h
                .out(n)
                .find(|(_, t, tr)| tr.is_choice() && h.is_queue(*t))
                .or_else(|| h.out(n).find(|(_, t, tr)| tr.is_choice() && free[t.index()]));
            match option {
                Some((_, to, tr)) => (
                    Status::Pass,
                    Evidence {
                        finding: format!(
                            "the main menu \"{}\" offers a person: {} → {}",
                            h.at(n).id,
                            tr.via.label(),
                            h.at(to).id
                        ),
                        nodes: a.reach_human.route.clone(),
                        ..Evidence::default()
                    },
                ),
                None => (
                    Status::Fail,
                    Evidence {
                        finding: format!(
                            "the main menu \"{}\" offers no person in one choice; the shortest route needs {} selection(s)",
                            h.at(n).id,
                            a.reach_human.selections.map_or("∞".into(), |s| s.to_string())
                        ),
                        nodes: a.reach_human.route.clone(),
                        ..Evidence::default()
                    },
                ),
            }
        }
        "spain-human-on-request" => {
            // With no queue anywhere, no point offers a person, even where
            // every point ends the call (an online service, a hang-up).
            let online = a.reach_human_online.as_ref().is_some_and(|r| r.reachable);
            if !a.reach_human.reachable && !online {
                return (
                    Status::Fail,
                    Evidence {
                        finding: "no queue can be reached at all: automated or online attention is the only attention"
                            .into(),
                        nodes: vec![h.at(h.entry).id.clone()],
                        ..Evidence::default()
                    },
                );
            }
            from_findings(
                a,
                "human-on-request",
                "a queue can be reached on request from every point of the menu",
            )
        }
        "spain-no-disconnect" => {
            let mut cut = Vec::new();
            let mut moved = Vec::new();
            for n in h.graph().node_indices() {
                let node = h.at(n);
                let Kind::Queue(q) = &node.kind else { continue };
                if node.channel != Channel::Phone || q.max_wait.is_none() {
                    continue;
                }
                match h.out(n).find(|(_, _, t)| t.via == Via::MaxWait) {
                    None => cut.push(node.id.clone()),
                    Some((_, to, _)) if matches!(h.at(to).kind, Kind::Hangup) => cut.push(node.id.clone()),
                    Some(_) => moved.push(node.id.clone()),
                }
            }
            if !cut.is_empty() {
                (
                    Status::Fail,
                    Evidence {
                        finding: "these queues hang up on callers still waiting at max_wait".into(),
                        nodes: cut,
                        ..Evidence::default()
                    },
                )
            } else if !moved.is_empty() {
                (Status::Inconclusive, Evidence { finding: "these queues take callers out at max_wait and send them elsewhere in the menu (not a hang-up by the menu; check that the caller is not cut off there)".into(), nodes: moved, ..Evidence::default() })
            } else {
                (
                    Status::Pass,
                    Evidence {
                        finding: "no phone queue disconnects callers after a wait".into(),
                        ..Evidence::default()
                    },
                )
            }
        }
        "miit-elderly-direct" => {
            let elderly = h.callers.as_ref().and_then(|c| {
                c.segments.iter().find(|s| {
                    let t = format!("{} {}", s.name, s.label.clone().unwrap_or_default()).to_lowercase();
                    ["elder", "senior", "65", "older", "aged", "老", "长者"]
                        .iter()
                        .any(|w| t.contains(w))
                })
            });
            match elderly.and_then(|s| a.segments.get(&s.name).map(|r| (s, r))) {
                None => (Status::Inconclusive, Evidence { finding: "the menu has no segment for callers aged 65+ (a name or label with elder, senior, 65, 老…): who is 65+ cannot be told".into(), ..Evidence::default() }),
                Some((s, r)) if r.selections == Some(0) => (Status::Pass, Evidence { finding: format!("callers in segment \"{}\" reach a queue with no menu choice", s.name), nodes: r.route.clone(), ..Evidence::default() }),
                Some((s, r)) => (Status::Fail, Evidence { finding: format!("callers in segment \"{}\" need {} choice(s) before a person", s.name, r.selections.map_or("∞".into(), |x| x.to_string())), nodes: r.route.clone(), ..Evidence::default() }),
            }
        }
        "eu-human-intervention" => {
            let bots: Vec<_> = h
                .graph()
                .node_indices()
                .filter(|&n| matches!(h.at(n).kind, Kind::Speech(_)))
                .collect();
            let without: Vec<String> = bots
                .iter()
                .filter(|&&n| !h.out(n).any(|(_, t, tr)| tr.is_choice() && free[t.index()]))
                .map(|&n| h.at(n).id.clone())
                .collect();
            if bots.is_empty() {
                (
                    Status::Pass,
                    Evidence {
                        finding: "no bot answers callers".into(),
                        ..Evidence::default()
                    },
                )
            } else if without.is_empty() {
                (
                    Status::Pass,
                    Evidence {
                        finding: format!("each of the {} bot(s) hands over to a person on request", bots.len()),
                        ..Evidence::default()
                    },
                )
            } else {
                (
                    Status::Fail,
                    Evidence {
                        finding: "these bots offer no request that leads to a person".into(),
                        nodes: without,
                        ..Evidence::default()
                    },
                )
            }
        }
        "gethuman-zero-out" => from_findings(a, "zero-out", "every menu offers a person in one choice"),
        "gethuman-speech-fallback" => from_findings(a, "speech-fallback", "every voice bot accepts key presses"),
        "gethuman-wait-announced" => from_findings(a, "wait-announced", "every queue announces the wait"),
        "gethuman-callback" => from_findings(a, "callback-offered", "every queue that can be long offers a call-back"),
        _ => from_findings(a, "fail-hangs-up", "no menu hangs up on a caller who presses nothing"),
    }
}
