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

/// The solution of a linear system of the chain, with a certified bound on
/// the error of each value.
#[derive(Clone, Debug)]
pub struct Solved {
    /// The values.
    pub x: Vec<f64>,
    /// For each value, a bound on its absolute error (0 for values that
    /// are exactly 0 by the graph).
    pub error: Vec<f64>,
}

/// Solves x = b + Q x over the active states (inactive states count as 0).
/// States that cannot reach a state with b > 0 get 0.
///
/// Components are solved in reverse topological order: small ones by
/// Gauss-Jordan elimination, large ones through a small feedback set of hub
/// nodes, or by GMRES. Each component's error is bounded from its residual
/// r and the expected number of steps before leaving it, ‖(I − Q)⁻¹‖∞
/// (solved alongside): ‖δx‖ ≤ ‖(I − Q)⁻¹‖∞ ‖r‖∞, plus the error it inherits
/// from the components it flows into. A component whose bound is too large
/// after a direct solution is refined by GMRES.
pub fn solve_linear(rows: &[Row], b: &[f64], active: &[bool]) -> Solved {
    let n = rows.len();
    // Keep only states from which some b > 0 can be reached: the rest are 0,
    // and leaving them out keeps every component's system non-singular.
    let useful = can_reach(rows, active, &|i| b[i] > 0.0);
    let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(n, 0);
    for i in 0..n {
        g.add_node(i);
    }
    for (i, r) in rows.iter().enumerate() {
        if useful[i] {
            for &(j, p) in &r.next {
                if useful[j] && p > 0.0 {
                    g.add_edge(NodeIndex::new(i), NodeIndex::new(j), ());
                }
            }
        }
    }
    let mut x = vec![0.0; n];
    let mut error = vec![0.0; n];
    let mut in_comp = vec![usize::MAX; n];
    for comp in tarjan_scc(&g) {
        let comp: Vec<usize> = comp.into_iter().map(|c| c.index()).filter(|&i| useful[i]).collect();
        if comp.is_empty() {
            continue;
        }
        for (k, &i) in comp.iter().enumerate() {
            in_comp[i] = k;
        }
        // Right-hand side: b plus the flow into components already solved,
        // whose errors this component inherits (weighted by at most 1).
        let mut inherited: f64 = 0.0;
        let rhs: Vec<f64> = comp
            .iter()
            .map(|&i| {
                b[i] + rows[i]
                    .next
                    .iter()
                    .filter(|&&(j, _)| useful[j] && in_comp[j] == usize::MAX)
                    .map(|&(j, p)| {
                        inherited = inherited.max(error[j]);
                        p * x[j]
                    })
                    .sum::<f64>()
            })
            .collect();
        let (solved, bound) = solve_component(rows, &comp, &in_comp, &rhs, &useful);
        for (k, &i) in comp.iter().enumerate() {
            x[i] = solved[k];
            error[i] = bound[k] + inherited;
        }
        for &i in &comp {
            in_comp[i] = usize::MAX;
        }
    }
    Solved { x, error }
}

/// Solves one component for `rhs`; returns the values and a bound on the
/// error of each.
fn solve_component(
    rows: &[Row],
    comp: &[usize],
    in_comp: &[usize],
    rhs: &[f64],
    useful: &[bool],
) -> (Vec<f64>, Vec<f64>) {
    let m = comp.len();
    let parts: Vec<(Vec<(usize, f64)>, f64)> = comp
        .iter()
        .map(|&i| component_row(&rows[i], i, in_comp, useful))
        .collect();
    if m == 1 {
        // One state (its loops back to itself left out): x = b / S, rounded once.
        let x = rhs[0] / parts[0].1;
        return (vec![x], vec![f64::EPSILON * x.abs()]);
    }
    let ones = vec![1.0; m];
    // An elimination, kept to refine the solution with; or a start for GMRES.
    enum Method {
        Sparse(gth::Sparse),
        Dense(gth::Dense),
        Iterative(Vec<f64>, Vec<f64>),
    }
    let eliminate = || {
        if let Some(f) = gth::Sparse::new(&parts, ELIMINATION_BUDGET.max(40 * m)) {
            Some(Method::Sparse(f))
        } else {
            (m <= DENSE_MAX)
                .then(|| gth::Dense::new(&parts))
                .flatten()
                .map(Method::Dense)
        }
    };
    // Menus loop through a few hubs ("back to the main menu"): cut there
    // first, the fastest way for large components; the certification below
    // says whether that was accurate enough.
    let cut = (m > 400).then(|| feedback_set(rows, comp, in_comp, useful)).flatten();
    let mut method = match &cut {
        Some(cut) => Method::Iterative(
            by_cut(rows, comp, in_comp, rhs, useful, cut),
            by_cut(rows, comp, in_comp, &ones, useful, cut),
        ),
        None => eliminate().unwrap_or_else(|| Method::Iterative(vec![0.0; m], vec![0.0; m])),
    };
    let solve_with = |method: &Method, b: &[f64]| match method {
        Method::Sparse(f) => Some(f.solve(b)),
        Method::Dense(f) => Some(f.solve(b)),
        Method::Iterative(..) => None,
    };
    let system = gmres::System::new(parts.clone());
    let (mut x, mut steps) = match &method {
        Method::Iterative(x, t) => (x.clone(), t.clone()),
        _ => (
            solve_with(&method, rhs).unwrap_or_default(),
            solve_with(&method, &ones).unwrap_or_default(),
        ),
    };
    let good = |bound: f64, x: &[f64]| bound <= MAX_ERROR * 1e-3 * max_abs(x).max(1.0);
    let mut bound = error_bound(&system, rhs, &x, &ones, &steps);
    if !good(bound, &x) && cut.is_some() {
        // The cut was not accurate enough: refine with an elimination.
        if let Some(e) = eliminate() {
            method = e;
        }
    }
    let solve = |b: &[f64]| solve_with(&method, b);
    // Iterative refinement: the residual in twice the working precision,
    // the correction from the elimination (or GMRES).
    for _ in 0..4 {
        if good(bound, &x) {
            break;
        }
        for (v, b) in [(&mut steps, &ones[..]), (&mut x, rhs)] {
            if let Some(d) = solve(&system.residual(b, v).0) {
                v.iter_mut().zip(&d).for_each(|(vi, di)| *vi += di);
            } else {
                gmres::refine(&system, b, v, GMRES_BUDGET);
            }
        }
        let new = error_bound(&system, rhs, &x, &ones, &steps);
        if new.is_nan() || new >= 0.5 * bound {
            bound = bound.min(new);
            break;
        }
        bound = new;
    }
    if good(bound, &x) || !bound.is_finite() {
        return (x, vec![bound; m]);
    }
    // The norm bound is loose where some states take far more steps than
    // others: bound each state by (I − Q)⁻¹ |r| instead (the inverse is
    // non-negative), solved with the same method, plus the norm bound of
    // that solution's own, much smaller, error.
    let (r, round) = system.residual(rhs, &x);
    let g: Vec<f64> = r.iter().map(|ri| ri.abs() + round).collect();
    let mut y = solve(&g).unwrap_or_else(|| vec![0.0; m]);
    if matches!(method, Method::Iterative(..)) {
        gmres::refine(&system, &g, &mut y, GMRES_BUDGET);
    }
    let y_error = error_bound(&system, &g, &y, &ones, &steps);
    let each: Vec<f64> = y.iter().map(|yi| (yi.max(0.0) + y_error).min(bound)).collect();
    (x, each)
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, a| m.max(a.abs()))
}

/// ‖(I − Q)⁻¹‖∞ (‖r‖∞ + rounding) for a computed solution `x` of
/// `(I − Q) x = rhs`, with the norm bounded from a computed solution
/// `steps` of `(I − Q) t = 1`: ‖t‖∞ ≤ ‖steps‖∞ / (1 − ‖1 − (I − Q) steps‖∞).
/// Infinite when that cannot be bounded.
fn error_bound(system: &gmres::System, rhs: &[f64], x: &[f64], ones: &[f64], steps: &[f64]) -> f64 {
    let (rt, round_t) = system.residual(ones, steps);
    let defect = max_abs(&rt) + round_t;
    if defect.is_nan() || defect >= 0.5 || steps.iter().any(|s| !s.is_finite()) {
        return f64::INFINITY;
    }
    let norm_inv = max_abs(steps) / (1.0 - defect);
    let (r, round) = system.residual(rhs, x);
    let bound = norm_inv * (max_abs(&r) + round);
    if bound.is_finite() && x.iter().all(|v| v.is_finite()) {
        bound
    } else {
        f64::INFINITY
    }
}

/// Row `i` of a component as `I − Q` sees it: its entries within the
/// component (self-loops left out) and its flow out of the component
/// (reaching a human, ending, moving to another component), summed from
/// its parts rather than taken as 1 − Σ q_ij (see [`gmres::System`]).
fn component_row(row: &Row, i: usize, in_comp: &[usize], useful: &[bool]) -> (Vec<(usize, f64)>, f64) {
    let mut entries = Vec::with_capacity(row.next.len());
    let mut exit = row.human + row.end;
    for &(j, p) in &row.next {
        if j == i {
            continue;
        }
        if useful[j] && in_comp[j] != usize::MAX {
            entries.push((in_comp[j], p));
        } else {
            exit += p;
        }
    }
    (entries, exit)
}

/// Solves an augmented m × (m + 1) system by Gauss-Jordan elimination with
/// partial pivoting; a zero pivot leaves its unknown at 0.
fn gauss_jordan(mut a: Vec<Vec<f64>>) -> Vec<f64> {
    let m = a.len();
    for col in 0..m {
        let pivot = (col..m)
            .max_by(|&r1, &r2| a[r1][col].abs().total_cmp(&a[r2][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-300 {
            continue;
        }
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col && row[col] != 0.0 {
                let f = row[col] / d;
                for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    (0..m)
        .map(|k| if a[k][k].abs() < 1e-300 { 0.0 } else { a[k][m] / a[k][k] })
        .collect()
}

/// Most nodes a feedback set may have for [`by_cut`].
const MAX_CUT: usize = 32;

/// A small set of nodes (positions in `comp`) whose removal leaves the
/// component without cycles: menus loop through a few hubs ("back to the
/// main menu"), so the node with most incoming edges of each remaining
/// cycle is taken until none is left. `None` when more than [`MAX_CUT`]
/// would be needed.
fn feedback_set(rows: &[Row], comp: &[usize], in_comp: &[usize], useful: &[bool]) -> Option<Vec<usize>> {
    let m = comp.len();
    let mut cut = vec![false; m];
    let mut chosen = Vec::new();
    loop {
        let mut g: DiGraph<(), ()> = DiGraph::with_capacity(m, 0);
        for _ in 0..m {
            g.add_node(());
        }
        let mut indegree = vec![0usize; m];
        for (k, &i) in comp.iter().enumerate() {
            if cut[k] {
                continue;
            }
            for &(j, _) in &rows[i].next {
                if useful[j] && in_comp[j] != usize::MAX && !cut[in_comp[j]] {
                    g.add_edge(NodeIndex::new(k), NodeIndex::new(in_comp[j]), ());
                    indegree[in_comp[j]] += 1;
                }
            }
        }
        let mut acyclic = true;
        for scc in tarjan_scc(&g) {
            let cyclic = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
            if !cyclic || cut[scc[0].index()] {
                continue;
            }
            acyclic = false;
            let hub = scc
                .iter()
                .map(|n| n.index())
                .max_by_key(|&k| (indegree[k], std::cmp::Reverse(k)))?;
            cut[hub] = true;
            chosen.push(hub);
            if chosen.len() > MAX_CUT {
                return None;
            }
        }
        if acyclic {
            return Some(chosen);
        }
    }
}

/// Solves a component through a feedback set F: every other node's value
/// is an affine function of the values at F, found in one pass in reverse
/// topological order; then the |F| equations at F are solved densely.
fn by_cut(rows: &[Row], comp: &[usize], in_comp: &[usize], rhs: &[f64], useful: &[bool], cut: &[usize]) -> Vec<f64> {
    let m = comp.len();
    let f = cut.len();
    let mut slot = vec![usize::MAX; m];
    for (s, &k) in cut.iter().enumerate() {
        slot[k] = s;
    }
    // Order the rest so that successors come first (the rest is acyclic).
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(m, 0);
    for _ in 0..m {
        g.add_node(());
    }
    for (k, &i) in comp.iter().enumerate() {
        if slot[k] != usize::MAX {
            continue;
        }
        for &(j, _) in &rows[i].next {
            if useful[j] && in_comp[j] != usize::MAX && slot[in_comp[j]] == usize::MAX {
                g.add_edge(NodeIndex::new(k), NodeIndex::new(in_comp[j]), ());
            }
        }
    }
    // Affine forms: value = a + c · x_F.
    let mut a = vec![0.0; m];
    let mut c = vec![0.0; m * f];
    let affine = |k: usize, i: usize, a: &mut Vec<f64>, c: &mut Vec<f64>| {
        let mut ak = rhs[k];
        let mut ck = vec![0.0; f];
        for &(j, p) in &rows[i].next {
            if !useful[j] || in_comp[j] == usize::MAX {
                continue;
            }
            let kj = in_comp[j];
            if slot[kj] != usize::MAX {
                ck[slot[kj]] += p;
            } else {
                ak += p * a[kj];
                for s in 0..f {
                    ck[s] += p * c[kj * f + s];
                }
            }
        }
        (ak, ck)
    };
    for scc in tarjan_scc(&g) {
        let k = scc[0].index();
        if slot[k] != usize::MAX {
            continue;
        }
        let (ak, ck) = affine(k, comp[k], &mut a, &mut c);
        a[k] = ak;
        c[k * f..(k + 1) * f].copy_from_slice(&ck);
    }
    // x_F = A + C x_F  ⇒  (I - C) x_F = A.
    let mut sys = vec![vec![0.0; f + 1]; f];
    for (s, &k) in cut.iter().enumerate() {
        let (ak, ck) = affine(k, comp[k], &mut a, &mut c);
        for t in 0..f {
            sys[s][t] = -ck[t];
        }
        sys[s][s] += 1.0;
        sys[s][f] = ak;
    }
    let x_f = gauss_jordan(sys);
    (0..m)
        .map(|k| {
            if slot[k] != usize::MAX {
                x_f[slot[k]]
            } else {
                a[k] + (0..f).map(|s| c[k * f + s] * x_f[s]).sum::<f64>()
            }
        })
        .collect()
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
