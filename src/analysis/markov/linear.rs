//! The chain's linear systems, x = b + Q x: solved component by
//! component (Gauss-Jordan, a feedback set of hubs, or GMRES), each value
//! with a certified bound on its error.

use super::*;

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
pub(super) fn component_row(row: &Row, i: usize, in_comp: &[usize], useful: &[bool]) -> (Vec<(usize, f64)>, f64) {
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
pub(super) fn feedback_set(rows: &[Row], comp: &[usize], in_comp: &[usize], useful: &[bool]) -> Option<Vec<usize>> {
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
pub(super) fn by_cut(
    rows: &[Row],
    comp: &[usize],
    in_comp: &[usize],
    rhs: &[f64],
    useful: &[bool],
    cut: &[usize],
) -> Vec<f64> {
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
