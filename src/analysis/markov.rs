//! The menu as an absorbing Markov chain: the probability of reaching a
//! human and the expected time spent in the menu, solved exactly.
//!
//! Each node is a state. Queues absorb ("reached a human"); hangups, online
//! nodes and resolved self-service end the call without one. A node's
//! retries are folded into its own transition probabilities and expected
//! time, so no extra states are needed. The linear system x = b + Q x is
//! solved one strongly connected component at a time in reverse topological
//! order: small components by Gaussian elimination, large ones through a
//! few hub nodes, by sparse elimination without subtractions ([`gth`]) or
//! by GMRES ([`gmres`]), each with a certified error bound; what the graph
//! alone decides (probability 0 or 1, a trap) is decided exactly.

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

mod linear;

pub use linear::{Solved, solve_linear};
#[cfg(test)]
use linear::{by_cut, component_row, feedback_set};

use super::{gmres, gth};
use crate::menu::{Hotline, Input, Kind, Via};

/// What the chain says about one kind of caller.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainResult {
    /// Probability the caller reaches a queue; `None` when it could not be
    /// computed to [`MAX_ERROR`] (see `undecided`).
    pub p_human: Option<f64>,
    /// Expected seconds in the menu before reaching a queue or leaving;
    /// `None` when some callers never leave (a trap), or when it could not
    /// be computed (see `undecided`).
    pub expected_secs: Option<f64>,
    /// Why a figure was left out, when one was.
    pub undecided: Option<String>,
    /// Whether the expected time was left out because it could not be
    /// computed (rather than because some callers never leave).
    pub expected_undecided: bool,
}

/// One state's outgoing probabilities and expected time per visit.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// (next node, probability) among the non-queue nodes.
    pub next: Vec<(usize, f64)>,
    /// Probability of moving into a queue.
    pub human: f64,
    /// The queues it moves into: (queue node, probability), adding up to
    /// `human`.
    pub queues: Vec<(usize, f64)>,
    /// Probability the call ends here without a human.
    pub end: f64,
    /// Expected seconds per visit.
    pub secs: f64,
}

/// Expected hearings of a node that is replayed after a failure with
/// probability `f`, up to `retries` times, and the chance it ends in a choice.
pub fn hearings(f: f64, retries: u32) -> (f64, f64) {
    let fail_all = f.powi(retries as i32 + 1);
    let expected = if f < 1.0 {
        (1.0 - fail_all) / (1.0 - f)
    } else {
        f64::from(retries + 1)
    };
    (expected, 1.0 - fail_all)
}

/// Expected seconds of a menu-like node per visit, and the choice probability.
fn input_time(input: &Input, duration: f64) -> (f64, f64) {
    let f = input.fail();
    let (n, p_choice) = hearings(f, input.retries);
    let failed = n - p_choice;
    let silent = if f > 0.0 { failed * input.no_input / f } else { 0.0 };
    (n * duration + silent * input.timeout, p_choice)
}

/// Builds the rows of the chain for a caller of `segment`, with branch cases
/// on hours weighted by `hours_weight(case condition) -> share of calls`.
pub fn rows(h: &Hotline, segment: Option<usize>, branch_weights: &dyn Fn(NodeIndex) -> Vec<f64>) -> Vec<Row> {
    let mut rows = vec![Row::default(); h.graph.node_count()];
    for n in h.graph.node_indices() {
        let node = &h.graph[n];
        let dur = node.duration.mean();
        let out = h.out(n);
        let mut row = Row::default();
        let push = |to: NodeIndex, p: f64, row: &mut Row| {
            if p <= 0.0 {
                return;
            }
            if h.is_queue(to) {
                row.human += p;
                row.queues.push((to.index(), p));
            } else {
                row.next.push((to.index(), p));
            }
        };
        match &node.kind {
            Kind::Prompt => {
                row.secs = dur;
                for (_, to, _) in out.clone() {
                    push(to, 1.0, &mut row);
                }
            }
            Kind::Menu(input) => {
                let (secs, p_choice) = input_time(input, dur);
                row.secs = secs;
                for (_, to, t) in out.clone() {
                    match t.via {
                        Via::Key(_) => push(to, p_choice * t.share_for(segment), &mut row),
                        Via::Fail => push(to, 1.0 - p_choice, &mut row),
                        _ => {}
                    }
                }
            }
            Kind::Speech(sp) => {
                let (secs, p_speak) = input_time(&sp.input, dur);
                row.secs = secs;
                let mis = out.clone().find(|(_, _, t)| t.via == Via::Misunderstood).map(|x| x.1);
                let mut p_mis = 0.0;
                for (_, to, t) in out.clone() {
                    let p = p_speak * t.share_for(segment);
                    match t.via {
                        Via::Key(_) => push(to, p, &mut row),
                        Via::Intent(_) => {
                            let through = sp.understood.powi(t.insist as i32);
                            push(to, p * through, &mut row);
                            p_mis += p * (1.0 - through);
                            let extra: f64 = (1..t.insist).map(|k| sp.understood.powi(k as i32)).sum();
                            row.secs += p * extra * dur;
                        }
                        Via::Fail => push(to, 1.0 - p_speak, &mut row),
                        _ => {}
                    }
                }
                match mis {
                    Some(to) => push(to, p_mis, &mut row),
                    None => row.end += p_mis,
                }
            }
            Kind::SelfService { resolves } => {
                row.secs = dur;
                row.end = *resolves;
                for (_, to, _) in out.clone() {
                    push(to, 1.0 - resolves, &mut row);
                }
            }
            Kind::Branch => {
                row.secs = dur;
                let w = branch_weights(n);
                for ((_, to, _), p) in out.clone().zip(w) {
                    push(to, p, &mut row);
                }
            }
            Kind::Queue(_) => {}
            Kind::Online(_) | Kind::Hangup => {
                row.secs = dur;
                row.end = 1.0;
            }
        }
        // Shares are proportions: a row adds up to 1 exactly, as in the
        // simulator (whose last choice takes what the shares leave).
        let total = row.human + row.end + row.next.iter().map(|&(_, p)| p).sum::<f64>();
        if total > 0.0 && total != 1.0 {
            row.human /= total;
            row.end /= total;
            for (_, p) in &mut row.queues {
                *p /= total;
            }
            for (_, p) in &mut row.next {
                *p /= total;
            }
        }
        rows[n.index()] = row;
    }
    rows
}

/// Largest error bound accepted for a probability; above it the chain is
/// reported as undecided rather than with a figure that may be wrong.
pub const MAX_ERROR: f64 = 1e-9;

/// Matrix-vector products one large component may spend in GMRES.
pub const GMRES_BUDGET: usize = 4000;

/// Updates the sparse elimination of one component may make (at least 40
/// per state); past it the component is eliminated densely when it has at
/// most [`DENSE_MAX`] states, else solved by GMRES.
pub const ELIMINATION_BUDGET: usize = 1_000_000;

/// Most states of a component eliminated as a full matrix.
pub const DENSE_MAX: usize = 1000;

/// Solves the chain from `start` (the entry, or `online_entry`).
///
/// What the graph decides is decided exactly: a state that cannot reach a
/// queue has probability 0; one that can neither end the call without a
/// human nor reach a trap has probability 1; expected time exists exactly
/// when no trap is reachable. The rest is solved numerically, with an
/// error bound; a figure whose bound exceeds [`MAX_ERROR`] (relative, for
/// times) is left out and `undecided` says why.
pub fn solve(h: &Hotline, rows: &[Row], start: NodeIndex) -> ChainResult {
    let entry = start.index();
    if h.is_queue(start) {
        return ChainResult {
            p_human: Some(1.0),
            expected_secs: Some(0.0),
            undecided: None,
            expected_undecided: false,
        };
    }
    let n = rows.len();
    let active: Vec<bool> = (0..n).map(|i| !h.is_queue(NodeIndex::new(i))).collect();
    let reaches = |seed: &dyn Fn(usize) -> bool| can_reach(rows, &active, seed);
    let leaks = reaches(&|i| rows[i].human + rows[i].end > 0.0);
    // A trap is a state that cannot leave; a state that can reach one may
    // never be absorbed.
    let trapped = reaches(&|i| active[i] && !leaks[i]);
    let ends = reaches(&|i| rows[i].end > 0.0);
    let mut undecided = None;
    let mut expected_undecided = false;
    // Probability of a human: 1 where the call surely ends and cannot end
    // without one; the others are unknowns.
    let sure_human: Vec<bool> = (0..n).map(|i| active[i] && !trapped[i] && !ends[i]).collect();
    let unknown: Vec<bool> = (0..n).map(|i| active[i] && !sure_human[i]).collect();
    let b: Vec<f64> = rows
        .iter()
        .map(|r| {
            r.human
                + r.next
                    .iter()
                    .filter(|&&(j, _)| sure_human[j])
                    .map(|&(_, p)| p)
                    .sum::<f64>()
        })
        .collect();
    let p_human = if sure_human[entry] {
        Some(1.0)
    } else {
        let s = solve_linear(rows, &b, &unknown);
        if s.error[entry] <= MAX_ERROR {
            Some(s.x[entry].clamp(0.0, 1.0))
        } else {
            undecided = Some(format!(
                "the probability of reaching a human could not be computed to {MAX_ERROR:e} (error bound {:.1e}): a loop of the menu is too large and too long or too nearly closed for the solvers' budget",
                s.error[entry]
            ));
            None
        }
    };
    let expected_secs = if trapped[entry] {
        None
    } else {
        let sure: Vec<bool> = (0..n).map(|i| active[i] && !trapped[i]).collect();
        let secs: Vec<f64> = rows.iter().map(|r| r.secs).collect();
        let s = solve_linear(rows, &secs, &sure);
        if s.error[entry] <= MAX_ERROR * s.x[entry].abs().max(1.0) {
            Some(s.x[entry].max(0.0))
        } else {
            expected_undecided = true;
            undecided.get_or_insert(format!(
                "the expected time in the menu could not be computed to a relative {MAX_ERROR:e} (error bound {:.1e} s)",
                s.error[entry]
            ));
            None
        }
    };
    ChainResult {
        p_human,
        expected_secs,
        undecided,
        expected_undecided,
    }
}

/// The active states from which some state with `seed` can be reached
/// (moving only through active states).
fn can_reach(rows: &[Row], active: &[bool], seed: &dyn Fn(usize) -> bool) -> Vec<bool> {
    let n = rows.len();
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, r) in rows.iter().enumerate().filter(|(i, _)| active[*i]) {
        for &(j, p) in &r.next {
            if active[j] && p > 0.0 {
                incoming[j].push(i);
            }
        }
    }
    let mut seen: Vec<bool> = (0..n).map(|i| active[i] && seed(i)).collect();
    let mut stack: Vec<usize> = (0..n).filter(|&i| seen[i]).collect();
    while let Some(j) = stack.pop() {
        for &i in &incoming[j] {
            if !seen[i] {
                seen[i] = true;
                stack.push(i);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(next: &[(usize, f64)], human: f64, end: f64, secs: f64) -> Row {
        Row {
            next: next.to_vec(),
            human,
            queues: Vec::new(),
            end,
            secs,
        }
    }

    #[test]
    fn a_loop_solved_by_hand() {
        // 0 → 1 (always, 10 s); 1: human 0.5, back to 0 with 0.3, end 0.2 (5 s).
        // x0 = x1, x1 = 0.5 + 0.3 x0  ⇒  x = 0.5 / 0.7.
        // t0 = 10 + t1, t1 = 5 + 0.3 t0 ⇒ t0 = 15 / 0.7.
        let rows = vec![row(&[(1, 1.0)], 0.0, 0.0, 10.0), row(&[(0, 0.3)], 0.5, 0.2, 5.0)];
        let active = [true, true];
        let x = solve_linear(&rows, &[0.0, 0.5], &active).x;
        assert!((x[0] - 0.5 / 0.7).abs() < 1e-12);
        let t = solve_linear(&rows, &[10.0, 5.0], &active).x;
        assert!((t[0] - 15.0 / 0.7).abs() < 1e-9);
    }

    #[test]
    fn a_large_ring_is_cut_at_one_node() {
        // A ring of 1000 states, each: human 0.01, on to the next 0.99.
        let n = 1000;
        let rows: Vec<Row> = (0..n).map(|i| row(&[((i + 1) % n, 0.99)], 0.01, 0.0, 1.0)).collect();
        let s = solve_linear(&rows, &vec![0.01; n], &vec![true; n]);
        assert!((s.x[0] - 1.0).abs() < 1e-9, "{}", s.x[0]);
        assert!(s.error[0] < 1e-12, "{}", s.error[0]);
        let t = solve_linear(&rows, &vec![1.0; n], &vec![true; n]).x;
        assert!((t[0] - 100.0).abs() < 1e-6, "{}", t[0]);
    }

    #[test]
    fn hub_and_spoke_components_are_cut_at_the_hub() {
        // A tree of 500 states whose leaves return to the root; every state
        // reaches a human with 0.05. All three methods must agree.
        let n = 500;
        let mut rows: Vec<Row> = (0..n)
            .map(|i| {
                let kids: Vec<(usize, f64)> = [2 * i + 1, 2 * i + 2]
                    .iter()
                    .filter(|&&k| k < n)
                    .map(|&k| (k, 0.45))
                    .collect();
                let back = 0.95 - 0.45 * kids.len() as f64;
                let mut next = kids;
                next.push((0, back));
                row(&next, 0.05, 0.0, 1.0)
            })
            .collect();
        rows[0].next.retain(|&(j, _)| j != 0);
        rows[0].end = 0.05;
        let b: Vec<f64> = rows.iter().map(|r| r.human).collect();
        let comp: Vec<usize> = (0..n).collect();
        let in_comp: Vec<usize> = (0..n).collect();
        let useful = vec![true; n];
        let cut = feedback_set(&rows, &comp, &in_comp, &useful).unwrap();
        assert_eq!(cut, vec![0]);
        let x1 = by_cut(&rows, &comp, &in_comp, &b, &useful, &cut);
        let parts: Vec<_> = (0..n).map(|i| component_row(&rows[i], i, &in_comp, &useful)).collect();
        let system = gmres::System::new(parts.clone());
        let mut x2 = vec![0.0; n];
        gmres::gmres(&system, &b, &mut x2, 1e-15, 10_000);
        let x3 = gth::Dense::new(&parts).unwrap().solve(&b);
        let x4 = gth::Sparse::new(&parts, 1_000_000).unwrap().solve(&b);
        for i in [0, 1, 7, 499] {
            assert!((x1[i] - x3[i]).abs() < 1e-9, "{i}: {} vs {}", x1[i], x3[i]);
            assert!((x2[i] - x3[i]).abs() < 1e-9, "{i}: {} vs {}", x2[i], x3[i]);
            assert!((x4[i] - x3[i]).abs() < 1e-12, "{i}: {} vs {}", x4[i], x3[i]);
        }
    }

    #[test]
    fn hearings_with_retries() {
        // f = 0.5, 2 retries: hearings 1 + 0.5 + 0.25, choice 1 - 0.125.
        let (n, p) = hearings(0.5, 2);
        assert!((n - 1.75).abs() < 1e-12);
        assert!((p - 0.875).abs() < 1e-12);
        assert_eq!(hearings(0.0, 2), (1.0, 1.0));
    }
}
