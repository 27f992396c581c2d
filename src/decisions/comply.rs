//! Compliance verdicts: a jurisdiction's rules, each checked on the menu
//! (statically, from the analysis) or on a simulation of it, with a verdict
//! (pass, fail, inconclusive) and the evidence: the route or nodes, or the
//! simulated figure with its 95% interval against the threshold.
//!
//! A simulated figure passes when its whole interval is on the right side
//! of the threshold, fails when its whole interval is on the wrong side,
//! and is inconclusive otherwise (run more replications), or when the menu
//! has no caller model to simulate.

mod bills;
mod menu_rules;

use serde::Serialize;

use crate::analysis::{Analysis, route};
use crate::menu::{Channel, Hotline, Kind, Via};
use crate::sim::SimReport;
use crate::sim::stats::Estimate;

/// A verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The rule holds.
    Pass,
    /// The rule is broken.
    Fail,
    /// The evidence does not settle it.
    Inconclusive,
}

impl Status {
    /// Its name as JSON writes it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Inconclusive => "inconclusive",
        }
    }
}

/// The evidence of a verdict.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Evidence {
    /// What was found, in a sentence.
    pub finding: String,
    /// Nodes involved (a route to a human, the nodes that break the rule).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    /// The simulated metric, for simulated rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Its estimate over the replications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figure: Option<Estimate>,
    /// The threshold it is held to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

/// One rule's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The rule's id.
    pub rule: &'static str,
    /// Its pack.
    pub pack: &'static str,
    /// The article it enforces, and how far its text was checked.
    pub article: &'static str,
    /// What it requires.
    pub requirement: &'static str,
    /// Whether it is checked on a simulation.
    pub simulated: bool,
    /// The verdict.
    pub status: Status,
    /// Why.
    pub evidence: Evidence,
}

/// A rule of a pack.
pub struct Rule {
    /// Stable id.
    pub id: &'static str,
    /// The pack.
    pub pack: &'static str,
    /// The article.
    pub article: &'static str,
    /// What it requires.
    pub requirement: &'static str,
    /// Whether it needs a simulation.
    pub simulated: bool,
}

const SPAIN: &str = "Ley 10/2025, de 26 de diciembre, por la que se regulan los servicios de atención a la clientela (BOE 27 December 2025), the provisions on personal attention and telephone attention; the 95%-in-3-minutes figure and the ban on automated-only attention are checked against secondary summaries of the BOE text, the article numbers are not verified here";
const MIIT: &str = "MIIT (工业和信息化部) 2020 age-friendly service requirements for telecom customer hotlines: callers aged 65+ transferred to a human with one key (一键呼入人工服务); the document number is not verified here";
const EU: &str = "Directive (EU) 2023/2673 amending Directive 2011/83/EU (financial services contracts concluded at a distance; applies from 19 June 2026): the consumer's right to request human intervention when the trader uses automated tools such as chatbots; the inserted article's number is not verified here";
const US: &str = "47 CFR § 76.309(c)(1), customer service obligations of cable operators, checked against a copy of the rule text: answer time by a customer service representative, including wait time, not above 30 seconds at least 90% of the time; a busy signal less than 3% of the time";
const CA_AB1609: &str = "California AB 1609 (2025–26 session), a bill, not law: a caller who asks for a person is connected to one within five minutes; status as read here in December 2026: introduced, not enacted; the text is not verified here";
const TX_HB3762: &str = "Texas HB 3762 (89th Legislature, 2025), a bill, not law: an automated system lets the caller exit to a person at any time, and says so at the start of the call; status as read here in December 2026: filed, not enacted; the text is not verified here";
const IL_HB3653: &str = "Illinois HB 3653 (104th General Assembly), a bill, not law: the option to speak to a person is offered at the start of the call; status as read here in December 2026: filed, not enacted; the text is not verified here";
const GETHUMAN: &str = "GetHuman standard v1.0 (gethuman.com), as catalogued in `hotline rules`";

/// Every rule of every pack.
pub const RULES: &[Rule] = &[
    Rule {
        id: "spain-human-option",
        pack: "spain",
        article: SPAIN,
        requirement: "a person can be asked for from the main menu",
        simulated: false,
    },
    Rule {
        id: "spain-human-on-request",
        pack: "spain",
        article: SPAIN,
        requirement: "automated attention is never the only attention: a person can be reached from every point",
        simulated: false,
    },
    Rule {
        id: "spain-no-disconnect",
        pack: "spain",
        article: SPAIN,
        requirement: "no call is cut off because the wait is long",
        simulated: false,
    },
    Rule {
        id: "spain-answered-3min",
        pack: "spain",
        article: SPAIN,
        requirement: "95% of calls asking for a person answered within 3 minutes",
        simulated: true,
    },
    Rule {
        id: "miit-elderly-direct",
        pack: "miit",
        article: MIIT,
        requirement: "callers aged 65+ reach a person with no menu choice",
        simulated: false,
    },
    Rule {
        id: "eu-human-intervention",
        pack: "eu",
        article: EU,
        requirement: "where a bot answers, a person can be asked for",
        simulated: false,
    },
    Rule {
        id: "us-answer-30s",
        pack: "us-cable",
        article: US,
        requirement: "calls answered by a person within 30 seconds at least 90% of the time",
        simulated: true,
    },
    Rule {
        id: "us-busy-3pct",
        pack: "us-cable",
        article: US,
        requirement: "callers turned away busy less than 3% of the time",
        simulated: true,
    },
    Rule {
        id: "gethuman-zero-out",
        pack: "gethuman",
        article: GETHUMAN,
        requirement: "every menu offers a person in one choice",
        simulated: false,
    },
    Rule {
        id: "gethuman-speech-fallback",
        pack: "gethuman",
        article: GETHUMAN,
        requirement: "every voice bot accepts key presses",
        simulated: false,
    },
    Rule {
        id: "gethuman-wait-announced",
        pack: "gethuman",
        article: GETHUMAN,
        requirement: "queues announce the wait",
        simulated: false,
    },
    Rule {
        id: "gethuman-callback",
        pack: "gethuman",
        article: GETHUMAN,
        requirement: "queues that can be long offer a call-back",
        simulated: false,
    },
    Rule {
        id: "gethuman-no-hangup-on-fail",
        pack: "gethuman",
        article: GETHUMAN,
        requirement: "a caller who presses nothing is not hung up on",
        simulated: false,
    },
    Rule {
        id: "ca-ab1609-human-5min",
        pack: "ca-ab1609",
        article: CA_AB1609,
        requirement: "(bill) a person within five minutes of asking",
        simulated: false,
    },
    Rule {
        id: "tx-hb3762-exit-any-time",
        pack: "tx-hb3762",
        article: TX_HB3762,
        requirement: "(bill) an exit to a person at any time, offered at the start of the call",
        simulated: false,
    },
    Rule {
        id: "il-hb3653-human-at-start",
        pack: "il-hb3653",
        article: IL_HB3653,
        requirement: "(bill) a person offered at the start of the call",
        simulated: false,
    },
];

/// The packs' names (the last three are bills, not law).
pub const PACKS: &[&str] = &[
    "spain",
    "miit",
    "eu",
    "us-cable",
    "gethuman",
    "ca-ab1609",
    "tx-hb3762",
    "il-hb3653",
];

/// The rules of the named packs (`all`: every pack).
pub fn rules_of(packs: &[String]) -> Result<Vec<&'static Rule>, String> {
    for p in packs {
        if p != "all" && !PACKS.contains(&p.as_str()) {
            let hint = crate::menu::yaml::hint(p, crate::menu::yaml::closest(p, PACKS.iter().copied()));
            return Err(format!(
                "no rule pack \"{p}\"{hint}; packs are {} (or all)",
                PACKS.join(", ")
            ));
        }
    }
    Ok(RULES
        .iter()
        .filter(|r| packs.iter().any(|p| p == "all" || p == r.pack))
        .collect())
}

/// Whether any of the rules needs a simulation.
pub fn needs_simulation(rules: &[&Rule]) -> bool {
    rules.iter().any(|r| r.simulated)
}

/// Decides a simulated figure against a threshold: `at_least` (≥) or
/// below (<).
fn decide(e: &Estimate, threshold: f64, at_least: bool) -> Status {
    let (lo, hi) = (e.ci95[0], e.ci95[1]);
    match at_least {
        true if lo >= threshold => Status::Pass,
        true if hi < threshold => Status::Fail,
        false if hi < threshold => Status::Pass,
        false if lo >= threshold => Status::Fail,
        _ => Status::Inconclusive,
    }
}

/// The phone calls' figures: the phone channel's when the menu has online
/// nodes, else the top level.
fn phone_metric<'a>(sim: &'a SimReport, key: &str) -> Option<&'a Estimate> {
    match sim.channels.get("phone") {
        Some(m) => m.get(key),
        None => sim.metrics.get(key),
    }
}

/// The verdicts of the rules on a hotline; `sim` is its simulation (run
/// with a service-level target of 30 s) when one was possible.
pub fn verdicts(h: &Hotline, a: &Analysis, sim: Option<&SimReport>, rules: &[&'static Rule]) -> Vec<Verdict> {
    rules
        .iter()
        .map(|r| {
            let (status, evidence) = if r.simulated {
                simulated(r.id, h, sim)
            } else if bills::PACKS.contains(&r.pack) {
                bills::statically(r.id, h, a)
            } else {
                menu_rules::statically(r.id, h, a)
            };
            Verdict {
                rule: r.id,
                pack: r.pack,
                article: r.article,
                requirement: r.requirement,
                simulated: r.simulated,
                status,
                evidence,
            }
        })
        .collect()
}

fn simulated(id: &str, h: &Hotline, sim: Option<&SimReport>) -> (Status, Evidence) {
    let Some(sim) = sim else {
        let why = if h.callers.is_none() {
            "the menu has no caller model (callers.arrivals): there is nothing to simulate"
        } else {
            "the simulation could not run"
        };
        return (
            Status::Inconclusive,
            Evidence {
                finding: why.into(),
                ..Evidence::default()
            },
        );
    };
    let (key, threshold, at_least) = match id {
        "spain-answered-3min" => ("p_answered_within_180s", 0.95, true),
        "us-answer-30s" => ("service_level", 0.90, true),
        _ => ("p_busy_deflected", 0.03, false),
    };
    let Some(e) = phone_metric(sim, key) else {
        return (
            Status::Inconclusive,
            Evidence {
                finding: format!("no phone call was queued in the simulation: {key} is undefined"),
                metric: Some(key.into()),
                threshold: Some(threshold),
                ..Evidence::default()
            },
        );
    };
    let status = decide(e, threshold, at_least);
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let side = if at_least { "at least" } else { "below" };
    let finding = format!(
        "{key} = {} [{}, {}] over {} replications ({} of them measured it); the rule asks {side} {}{}",
        pct(e.mean),
        pct(e.ci95[0]),
        pct(e.ci95[1]),
        sim.replications,
        e.n,
        pct(threshold),
        match status {
            Status::Inconclusive => ": the interval straddles the threshold (more replications may settle it)",
            _ => "",
        }
    );
    (
        status,
        Evidence {
            finding,
            metric: Some(key.into()),
            figure: Some(*e),
            threshold: Some(threshold),
            ..Evidence::default()
        },
    )
}

/// A verdict from the findings of an analysis rule: fail with their nodes.
fn from_findings(a: &Analysis, rule: &str, ok: &str) -> (Status, Evidence) {
    let nodes: Vec<String> = a
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.node.clone())
        .collect();
    if nodes.is_empty() {
        (
            Status::Pass,
            Evidence {
                finding: ok.into(),
                ..Evidence::default()
            },
        )
    } else {
        let first = a
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| f.message.clone())
            .unwrap_or_default();
        (
            Status::Fail,
            Evidence {
                finding: format!("{} node(s) break it; first: {first}", nodes.len()),
                nodes,
                ..Evidence::default()
            },
        )
    }
}
