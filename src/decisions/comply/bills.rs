//! The "right to a human" bills (California AB 1609, Texas HB 3762,
//! Illinois HB 3653), read with the checks of the laws that say the same.

use super::menu_rules::statically as law;
use super::{Evidence, Status};
use crate::analysis::Analysis;
use crate::menu::Hotline;

/// The packs of bills, whose rules are decided here.
pub(super) const PACKS: [&str; 3] = ["ca-ab1609", "tx-hb3762", "il-hb3653"];

/// The verdict of a bill's rule.
pub(super) fn statically(id: &str, h: &Hotline, a: &Analysis) -> (Status, Evidence) {
    match id {
        "il-hb3653-human-at-start" => law("spain-human-option", h, a),
        "tx-hb3762-exit-any-time" => {
            let (start, e1) = law("spain-human-option", h, a);
            let (any, e2) = law("spain-human-on-request", h, a);
            let status = match (start, any) {
                (Status::Pass, Status::Pass) => Status::Pass,
                (Status::Fail, _) | (_, Status::Fail) => Status::Fail,
                _ => Status::Inconclusive,
            };
            let evidence = if status == Status::Pass {
                Evidence {
                    finding: format!("{}; {}", e1.finding, e2.finding),
                    nodes: e1.nodes,
                    ..Evidence::default()
                }
            } else if start != Status::Pass {
                e1
            } else {
                e2
            };
            (status, evidence)
        }
        "ca-ab1609-human-5min" => {
            let r = &a.reach_human;
            match (r.reachable, r.seconds) {
                (true, Some(secs)) if secs > 300.0 => (
                    Status::Fail,
                    Evidence {
                        finding: format!(
                            "the fastest route to a queue takes {} s of menu, above five minutes before any wait",
                            crate::menu::value::trim_float(secs)
                        ),
                        nodes: r.route.clone(),
                        ..Evidence::default()
                    },
                ),
                (true, Some(secs)) => (
                    Status::Inconclusive,
                    Evidence {
                        finding: format!(
                            "the menu reaches a queue in {} s; whether the person answers within five minutes depends on the wait, which this check does not measure (see spain-answered-3min for a simulated wait)",
                            crate::menu::value::trim_float(secs)
                        ),
                        nodes: r.route.clone(),
                        ..Evidence::default()
                    },
                ),
                _ => (
                    Status::Fail,
                    Evidence {
                        finding: "no queue can be reached on purpose".into(),
                        ..Evidence::default()
                    },
                ),
            }
        }
        _ => (
            Status::Inconclusive,
            Evidence {
                finding: format!("no check for {id}"),
                ..Evidence::default()
            },
        ),
    }
}
