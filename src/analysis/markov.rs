//! The menu as an absorbing Markov chain: the probability of reaching a
//! human and the expected time spent in the menu, solved exactly.
//!
//! Each node is a state. Queues absorb ("reached a human"); hangups, online
//! nodes and resolved self-service end the call without one. A node's
//! retries are folded into its own transition probabilities and expected
//! time, so no extra states are needed. The linear system x = b + Q x is
//! solved one strongly connected component at a time in reverse topological
//! order: small components by Gaussian elimination, large ones by
//! Gauss-Seidel to 1e-13.

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::menu::{Hotline, Input, Kind, Via};

/// What the chain says about one kind of caller.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChainResult {
    /// Probability the caller reaches a queue.
    pub p_human: f64,
    /// Expected seconds in the menu before reaching a queue or leaving;
    /// `None` when some callers never leave (a trap).
    pub expected_secs: Option<f64>,
}

/// One state's outgoing probabilities and expected time per visit.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// (next node, probability) among the non-queue nodes.
    pub next: Vec<(usize, f64)>,
    /// Probability of moving into a queue.
    pub human: f64,
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
        rows[n.index()] = row;
    }
    rows
}

/// Solves the chain from `entry`.
pub fn solve(h: &Hotline, rows: &[Row]) -> ChainResult {
    let entry = h.entry.index();
    if h.is_queue(h.entry) {
        return ChainResult {
            p_human: 1.0,
            expected_secs: Some(0.0),
        };
    }
    let active: Vec<bool> = (0..rows.len()).map(|i| !h.is_queue(NodeIndex::new(i))).collect();
    let human: Vec<f64> = rows.iter().map(|r| r.human).collect();
    let p_human = solve_linear(rows, &human, &active);
    let absorb: Vec<f64> = rows.iter().map(|r| r.human + r.end).collect();
    let p_absorb = solve_linear(rows, &absorb, &active);
    let expected_secs = if p_absorb[entry] > 1.0 - 1e-9 {
        let sure: Vec<bool> = (0..rows.len()).map(|i| active[i] && p_absorb[i] > 1.0 - 1e-9).collect();
        let secs: Vec<f64> = rows.iter().map(|r| r.secs).collect();
        Some(solve_linear(rows, &secs, &sure)[entry])
    } else {
        None
    };
    ChainResult {
        p_human: p_human[entry].clamp(0.0, 1.0),
        expected_secs,
    }
}

/// Solves x = b + Q x over the active states (inactive states count as 0).
/// States that cannot reach a state with b > 0 get 0.
pub fn solve_linear(rows: &[Row], b: &[f64], active: &[bool]) -> Vec<f64> {
    let n = rows.len();
    // Keep only states from which some b > 0 can be reached: the rest are 0,
    // and leaving them out keeps every component's system non-singular.
    let mut useful = vec![false; n];
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, r) in rows.iter().enumerate() {
        if !active[i] {
            continue;
        }
        for &(j, p) in &r.next {
            if active[j] && p > 0.0 {
                incoming[j].push(i);
            }
        }
    }
    let mut stack: Vec<usize> = (0..n).filter(|&i| active[i] && b[i] > 0.0).collect();
    for &i in &stack {
        useful[i] = true;
    }
    while let Some(j) = stack.pop() {
        for &i in &incoming[j] {
            if !useful[i] {
                useful[i] = true;
                stack.push(i);
            }
        }
    }
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
    let mut in_comp = vec![usize::MAX; n];
    for comp in tarjan_scc(&g) {
        let comp: Vec<usize> = comp.into_iter().map(|c| c.index()).filter(|&i| useful[i]).collect();
        if comp.is_empty() {
            continue;
        }
        for (k, &i) in comp.iter().enumerate() {
            in_comp[i] = k;
        }
        // Right-hand side: b plus the flow into components already solved.
        let rhs: Vec<f64> = comp
            .iter()
            .map(|&i| {
                b[i] + rows[i]
                    .next
                    .iter()
                    .filter(|&&(j, _)| useful[j] && in_comp[j] == usize::MAX)
                    .map(|&(j, p)| p * x[j])
                    .sum::<f64>()
            })
            .collect();
        let solved = if comp.len() <= 400 {
            dense(rows, &comp, &in_comp, &rhs, useful.as_slice())
        } else if let Some(cut) = feedback_set(rows, &comp, &in_comp, useful.as_slice()) {
            by_cut(rows, &comp, &in_comp, &rhs, useful.as_slice(), &cut)
        } else {
            gauss_seidel(rows, &comp, &in_comp, &rhs, useful.as_slice())
        };
        for (k, &i) in comp.iter().enumerate() {
            x[i] = solved[k];
        }
        for &i in &comp {
            in_comp[i] = usize::MAX;
        }
    }
    x
}

fn dense(rows: &[Row], comp: &[usize], in_comp: &[usize], rhs: &[f64], useful: &[bool]) -> Vec<f64> {
    let m = comp.len();
    let mut a = vec![vec![0.0; m + 1]; m];
    for (k, &i) in comp.iter().enumerate() {
        a[k][k] = 1.0;
        for &(j, p) in &rows[i].next {
            if useful[j] && in_comp[j] != usize::MAX {
                a[k][in_comp[j]] -= p;
            }
        }
        a[k][m] = rhs[k];
    }
    gauss_jordan(a)
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

fn gauss_seidel(rows: &[Row], comp: &[usize], in_comp: &[usize], rhs: &[f64], useful: &[bool]) -> Vec<f64> {
    // Sweep in reverse breadth-first order from the component's first node,
    // so a sweep carries values from the far end of the menu to its top.
    let mut order = Vec::with_capacity(comp.len());
    let mut seen = vec![false; comp.len()];
    let start = (0..comp.len()).min_by_key(|&k| comp[k]).unwrap_or(0);
    seen[start] = true;
    order.push(start);
    let mut head = 0;
    while head < order.len() {
        let i = comp[order[head]];
        head += 1;
        for &(j, _) in &rows[i].next {
            if useful[j] && in_comp[j] != usize::MAX && !seen[in_comp[j]] {
                seen[in_comp[j]] = true;
                order.push(in_comp[j]);
            }
        }
    }
    order.extend((0..comp.len()).filter(|&k| !seen[k]));
    order.reverse();
    let mut x = vec![0.0; comp.len()];
    for _ in 0..100_000 {
        let mut change: f64 = 0.0;
        for &k in &order {
            let i = comp[k];
            let mut self_p = 0.0;
            let mut v = rhs[k];
            for &(j, p) in &rows[i].next {
                if useful[j] && in_comp[j] != usize::MAX {
                    if in_comp[j] == k {
                        self_p += p;
                    } else {
                        v += p * x[in_comp[j]];
                    }
                }
            }
            let new = v / (1.0 - self_p);
            change = change.max((new - x[k]).abs());
            x[k] = new;
        }
        if change < 1e-13 {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(next: &[(usize, f64)], human: f64, end: f64, secs: f64) -> Row {
        Row {
            next: next.to_vec(),
            human,
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
        let x = solve_linear(&rows, &[0.0, 0.5], &active);
        assert!((x[0] - 0.5 / 0.7).abs() < 1e-12);
        let t = solve_linear(&rows, &[10.0, 5.0], &active);
        assert!((t[0] - 15.0 / 0.7).abs() < 1e-9);
    }

    #[test]
    fn large_components_use_gauss_seidel_and_agree() {
        // A ring of 1000 states, each: human 0.01, on to the next 0.99.
        let n = 1000;
        let rows: Vec<Row> = (0..n).map(|i| row(&[((i + 1) % n, 0.99)], 0.01, 0.0, 1.0)).collect();
        let x = solve_linear(&rows, &vec![0.01; n], &vec![true; n]);
        assert!((x[0] - 1.0).abs() < 1e-9, "{}", x[0]);
        let t = solve_linear(&rows, &vec![1.0; n], &vec![true; n]);
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
        rows[0].end = 0.0;
        let b: Vec<f64> = rows.iter().map(|r| r.human).collect();
        let comp: Vec<usize> = (0..n).collect();
        let in_comp: Vec<usize> = (0..n).collect();
        let useful = vec![true; n];
        let cut = feedback_set(&rows, &comp, &in_comp, &useful).unwrap();
        assert_eq!(cut, vec![0]);
        let x1 = by_cut(&rows, &comp, &in_comp, &b, &useful, &cut);
        let x2 = gauss_seidel(&rows, &comp, &in_comp, &b, &useful);
        let x3 = dense(&rows, &comp, &in_comp, &b, &useful);
        for i in [0, 1, 7, 499] {
            assert!((x1[i] - x3[i]).abs() < 1e-9, "{i}: {} vs {}", x1[i], x3[i]);
            assert!((x2[i] - x3[i]).abs() < 1e-9, "{i}: {} vs {}", x2[i], x3[i]);
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
