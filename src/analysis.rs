//! How hard it is to reach a human, and which rules a menu breaks.
//!
//! Everything here is computed from the validated graph, without
//! simulation: shortest routes with petgraph's Dijkstra ([`route`]), the
//! absorbing Markov chain of caller shares ([`markov`]) and the rule checks
//! ([`findings`]) with their catalogue ([`rules`]).

pub mod findings;
pub mod gmres;
pub mod gth;
pub mod markov;
pub mod route;
pub mod rules;

use indexmap::IndexMap;
use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::menu::{Hotline, Via};
pub use findings::Finding;
use rules::RuleSet;

/// The reach-a-human figures for one kind of caller.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reach {
    /// Whether any queue can be reached on purpose.
    pub reachable: bool,
    /// Fewest selections to a queue.
    pub selections: Option<u32>,
    /// Least prompt time before a queue, seconds.
    pub seconds: Option<f64>,
    /// One route achieving `selections` (ties broken by seconds), node ids.
    pub route: Vec<String>,
    /// Probability of reaching a queue, from the caller shares; `null`
    /// when it could not be computed to 1e-9 (`undecided` says why).
    pub probability: Option<f64>,
    /// Expected seconds in the menu (until a queue or the end of the call);
    /// `null` when some callers are trapped forever, or when it could not
    /// be computed (`undecided` says so).
    pub expected_ivr_seconds: Option<f64>,
    /// Why a figure above is missing although it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecided: Option<String>,
    /// Whether `expected_ivr_seconds` is missing because it could not be
    /// computed (not because callers are trapped).
    #[serde(skip)]
    pub expected_undecided: bool,
}

/// The whole analysis of a hotline.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// The hotline's name.
    pub hotline: String,
    /// Figures for a caller in no named segment.
    pub reach_human: Reach,
    /// Figures per named segment.
    pub segments: IndexMap<String, Reach>,
    /// The same figures for a customer who starts online at
    /// `online_entry` (selections are typed requests), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reach_human_online: Option<Reach>,
    /// Rule findings, most serious first.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// The reach figures, named: the caller in no segment, each segment,
    /// then the customer who starts online.
    pub fn by_caller(&self) -> Vec<(String, &Reach)> {
        let mut rows = vec![("caller in no segment".to_string(), &self.reach_human)];
        rows.extend(self.segments.iter().map(|(k, v)| (format!("segment {k}"), v)));
        if let Some(r) = &self.reach_human_online {
            rows.push(("customer starting online".to_string(), r));
        }
        rows
    }

    /// Number of findings of a severity.
    pub fn count(&self, severity: crate::diag::Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

/// Analyses a hotline with the given rules.
///
/// ```
/// let text = "hotline: Tiny\nentry: main\nnodes:\n  main:\n    kind: menu\n    duration: 6s\n    options:\n      \"0\": { to: q }\n  q: { kind: queue, pool: desk }\nagents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";
/// let h = hotline::input::load_str(text, "tiny.yaml", &Default::default()).hotline.unwrap();
/// let a = hotline::analysis::analyze(&h, &Default::default());
/// assert_eq!(a.reach_human.selections, Some(1));
/// assert_eq!(a.reach_human.seconds, Some(6.0));
/// assert_eq!(a.reach_human.probability, Some(1.0));
/// ```
pub fn analyze(h: &Hotline, rules: &RuleSet) -> Analysis {
    let (reach_human, routes) = reach_with_routes(h, None, h.entry);
    let reach_human_online = h.online_entry.map(|start| reach_with_routes(h, None, start).0);
    let segments = h
        .segment_names()
        .iter()
        .enumerate()
        .map(|(i, name)| (name.to_string(), reach(h, Some(i))))
        .collect();
    let mut findings = findings::check(h, rules, &reach_human, &routes);
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(a.line.cmp(&b.line))
            .then(a.rule.cmp(&b.rule))
    });
    Analysis {
        hotline: h.name.clone(),
        reach_human,
        segments,
        reach_human_online,
        findings,
    }
}

/// The routes from the entry for one kind of caller, kept for the rule checks.
#[derive(Clone, Debug)]
pub struct Routes {
    /// Transitions the caller can take on purpose.
    pub allowed: Vec<bool>,
    /// Fewest selections, then seconds, to every node.
    pub lex: route::Distances,
    /// Least seconds to every node.
    pub time: route::Distances,
}

/// Reach-a-human figures for a caller of `segment` (`None`: no segment).
pub fn reach(h: &Hotline, segment: Option<usize>) -> Reach {
    reach_with_routes(h, segment, h.entry).0
}

/// Reach-a-human figures for a caller of `segment` starting at `start`
/// (any node: what a designer asks of a node in an editor).
pub fn reach_from(h: &Hotline, segment: Option<usize>, start: NodeIndex) -> Reach {
    reach_with_routes(h, segment, start).0
}

/// Reach-a-human figures for a caller of `segment` starting at `start`.
fn reach_with_routes(h: &Hotline, segment: Option<usize>, start: NodeIndex) -> (Reach, Routes) {
    let allowed = route::deliberate_edges(h, segment);
    let lex = route::distances(h, start, &allowed, route::lexicographic);
    let time = route::distances(h, start, &allowed, route::seconds_only);
    let best = route::best_queue(h, &lex);
    let fastest = route::best_queue(h, &time);
    let weights = |n: NodeIndex| branch_weights(h, n, segment);
    let rows = markov::rows(h, segment, &weights);
    let chain = markov::solve(h, &rows, start);
    let reach = Reach {
        reachable: best.is_some(),
        selections: best.map(|(_, c)| c.selections),
        seconds: fastest.map(|(_, c)| round(c.seconds)),
        route: best
            .map(|(q, _)| {
                route::route(h, start, q, &lex, &allowed, route::lexicographic)
                    .into_iter()
                    .map(|n| h.graph[n].id.clone())
                    .collect()
            })
            .unwrap_or_default(),
        probability: chain.p_human.map(round),
        expected_ivr_seconds: chain.expected_secs.map(round),
        undecided: chain.undecided,
        expected_undecided: chain.expected_undecided,
    };
    (reach, Routes { allowed, lex, time })
}

/// The probability that a caller of `segment` starting at `start` reaches
/// a queue of each pool (in the order of [`Hotline::pools`]), from the
/// absorbing chain; `None` when the chain cannot be solved to
/// [`markov::MAX_ERROR`].
pub fn pool_shares(h: &Hotline, segment: Option<usize>, start: NodeIndex) -> Option<Vec<f64>> {
    let pool_of = |n: usize| match &h.graph[NodeIndex::new(n)].kind {
        crate::menu::Kind::Queue(q) => Some(q.pool),
        _ => None,
    };
    let mut out = vec![0.0; h.pools.len()];
    if let Some(p) = pool_of(start.index()) {
        out[p] = 1.0;
        return Some(out);
    }
    let weights = |n: NodeIndex| branch_weights(h, n, segment);
    let rows = markov::rows(h, segment, &weights);
    let active: Vec<bool> = (0..rows.len()).map(|i| pool_of(i).is_none()).collect();
    for (p, share) in out.iter_mut().enumerate() {
        let b: Vec<f64> = rows
            .iter()
            .map(|r| {
                r.queues
                    .iter()
                    .filter(|(q, _)| pool_of(*q) == Some(p))
                    .map(|(_, x)| x)
                    .sum()
            })
            .collect();
        let s = markov::solve_linear(&rows, &b, &active);
        if s.error[start.index()] > markov::MAX_ERROR {
            return None;
        }
        *share = s.x[start.index()].clamp(0.0, 1.0);
    }
    Some(out)
}

/// Rounds to 1e-9 so that printed figures are stable across platforms.
fn round(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// The share of a branch's callers that takes each of its edges (in the
/// order of [`Hotline::out`]): segment cases by the caller's segment, hour
/// cases by the share of the simulated day's calls (by arrival rate, minute
/// by minute) that falls within the hours.
pub fn branch_weights(h: &Hotline, n: NodeIndex, segment: Option<usize>) -> Vec<f64> {
    let out = h.out(n);
    let mut weights = vec![0.0; out.len()];
    let sim = &h.simulation;
    // A period longer than a day is whole days plus a remainder: each whole
    // day weighs the same, so one day's minutes are counted that many times.
    let days = (sim.duration / 86400.0).floor();
    let rest = sim.duration - days * 86400.0;
    let mut samples: Vec<(f64, f64)> = Vec::new();
    for (length, times) in [(86400.0, days), (rest, 1.0)] {
        if times <= 0.0 || length <= 0.0 {
            continue;
        }
        let minutes = (length / 60.0).ceil().max(1.0) as usize;
        samples.extend((0..minutes).map(|m| (sim.start.secs() + (m as f64 + 0.5) * length / minutes as f64, times)));
    }
    let mut total = 0.0;
    for (t, times) in samples {
        let w = times
            * match &h.callers {
                Some(c) if c.peak_rate() > 0.0 => c.rate_at(t),
                _ => 1.0,
            };
        if w <= 0.0 {
            continue;
        }
        total += w;
        // Cases in order; a case with a share takes that part of what is
        // left and passes the rest on.
        let mut left = w;
        for (i, (_, _, tr)) in out.clone().enumerate() {
            let p = match &tr.via {
                Via::Case(_, c) if c.admits(segment, t) => c.share.unwrap_or(1.0),
                Via::Else => 1.0,
                _ => continue,
            };
            weights[i] += left * p;
            left *= 1.0 - p;
            if left <= 0.0 {
                break;
            }
        }
    }
    if total > 0.0 {
        for w in &mut weights {
            *w /= total;
        }
    }
    weights
}
