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
    let expected = if f < 1.0 { (1.0 - fail_all) / (1.0 - f) } else { f64::from(retries + 1) };
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
                for (_, to, _) in &out {
                    push(*to, 1.0, &mut row);
                }
            }
            Kind::Menu(input) => {
                let (secs, p_choice) = input_time(input, dur);
                row.secs = secs;
                for (_, to, t) in &out {
                    match t.via {
                        Via::Key(_) => push(*to, p_choice * t.share_for(segment), &mut row),
                        Via::Fail => push(*to, 1.0 - p_choice, &mut row),
                        _ => {}
                    }
                }
            }
            Kind::Speech(sp) => {
                let (secs, p_speak) = input_time(&sp.input, dur);
                row.secs = secs;
                let mis = out.iter().find(|(_, _, t)| t.via == Via::Misunderstood).map(|x| x.1);
                let mut p_mis = 0.0;
                for (_, to, t) in &out {
                    let p = p_speak * t.share_for(segment);
                    match t.via {
                        Via::Key(_) => push(*to, p, &mut row),
                        Via::Intent(_) => {
                            let through = sp.understood.powi(t.insist as i32);
                            push(*to, p * through, &mut row);
                            p_mis += p * (1.0 - through);
                            let extra: f64 = (1..t.insist).map(|k| sp.understood.powi(k as i32)).sum();
                            row.secs += p * extra * dur;
                        }
                        Via::Fail => push(*to, 1.0 - p_speak, &mut row),
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
                for (_, to, _) in &out {
                    push(*to, 1.0 - resolves, &mut row);
                }
            }
            Kind::Branch => {
                row.secs = dur;
                let w = branch_weights(n);
                for ((_, to, _), p) in out.iter().zip(w) {
                    push(*to, p, &mut row);
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
    for col in 0..m {
        let pivot = (col..m)
            .max_by(|&r1, &r2| a[r1][col].abs().total_cmp(&a[r2][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-300 {
            continue;
        }
        for r in 0..m {
            if r != col && a[r][col] != 0.0 {
                let f = a[r][col] / d;
                for c in col..=m {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    (0..m)
        .map(|k| if a[k][k].abs() < 1e-300 { 0.0 } else { a[k][m] / a[k][k] })
        .collect()
}

fn gauss_seidel(rows: &[Row], comp: &[usize], in_comp: &[usize], rhs: &[f64], useful: &[bool]) -> Vec<f64> {
    let mut x = vec![0.0; comp.len()];
    for _ in 0..100_000 {
        let mut change: f64 = 0.0;
        for (k, &i) in comp.iter().enumerate() {
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
    fn hearings_with_retries() {
        // f = 0.5, 2 retries: hearings 1 + 0.5 + 0.25, choice 1 - 0.125.
        let (n, p) = hearings(0.5, 2);
        assert!((n - 1.75).abs() < 1e-12);
        assert!((p - 0.875).abs() < 1e-12);
        assert_eq!(hearings(0.0, 2), (1.0, 1.0));
    }
}
