//! Elimination of a component of the menu's Markov chain without
//! subtractions: the state reduction of Grassmann, Taksar and Heyman
//! (Operations Research, 1985), applied to absorption.
//!
//! Eliminating state k folds its equation `S_k x_k = b_k + Σ_j q_kj x_j`
//! into the rows of its predecessors. Every quantity stays a sum of
//! non-negative terms (the flow out of a row, `S_k`, is summed from its
//! parts, never taken as `1 − q_kk`), so the result is accurate to a few
//! units of rounding per state however nearly closed the component is.
//!
//! Two forms keep the elimination for further right-hand sides (iterative
//! refinement): [`Sparse`], eliminating the smallest (in-degree ×
//! out-degree) state first, which keeps the fill small on menus shaped like
//! trees, paths and rings, within a budget of work; and [`Dense`], for
//! components small enough for a full matrix.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// A component's rows: the entries `(j, q_ij)` within it (no self-loops)
/// and the flow out of it.
pub type Rows = [(Vec<(usize, f64)>, f64)];

/// An eliminated state: k, S_k and its row to states eliminated later.
type Eliminated = (usize, f64, Vec<(usize, f64)>);

/// A sparse elimination, kept to solve for any right-hand side.
#[derive(Clone, Debug)]
pub struct Sparse {
    /// Folding steps in order: `b_i += f · b_k`.
    folds: Vec<(usize, usize, f64)>,
    /// Eliminated states in order.
    order: Vec<Eliminated>,
    n: usize,
}

impl Sparse {
    /// Eliminates every state; `None` when that would take more than
    /// `budget` updates (the fill of a well-connected component grows
    /// towards a full matrix), or a state cannot leave.
    pub fn new(rows: &Rows, budget: usize) -> Option<Sparse> {
        let n = rows.len();
        let mut out: Vec<HashMap<usize, f64>> = Vec::with_capacity(n);
        let mut inc: Vec<HashSet<usize>> = vec![HashSet::new(); n];
        let mut exit: Vec<f64> = Vec::with_capacity(n);
        for (i, (row, e)) in rows.iter().enumerate() {
            let mut m = HashMap::with_capacity(row.len());
            for &(j, p) in row {
                if j != i && p > 0.0 {
                    *m.entry(j).or_insert(0.0) += p;
                    inc[j].insert(i);
                }
            }
            out.push(m);
            exit.push(*e);
        }
        let degree = |out: &[HashMap<usize, f64>], inc: &[HashSet<usize>], i: usize| inc[i].len() * out[i].len();
        let mut heap: BinaryHeap<Reverse<(usize, usize)>> =
            (0..n).map(|i| Reverse((degree(&out, &inc, i), i))).collect();
        let mut done = vec![false; n];
        let mut work = 0usize;
        let mut f = Sparse {
            folds: Vec::new(),
            order: Vec::with_capacity(n),
            n,
        };
        while let Some(Reverse((d, k))) = heap.pop() {
            if done[k] || d != degree(&out, &inc, k) {
                continue;
            }
            done[k] = true;
            let row: Vec<(usize, f64)> = out[k].drain().collect();
            let s_k = exit[k] + row.iter().map(|&(_, p)| p).sum::<f64>();
            if s_k <= 0.0 {
                return None;
            }
            for &(j, _) in &row {
                inc[j].remove(&k);
            }
            let preds: Vec<usize> = inc[k].drain().collect();
            work += preds.len() * (row.len() + 1);
            if work > budget {
                return None;
            }
            for i in preds {
                let Some(a) = out[i].remove(&k) else { continue };
                let fk = a / s_k;
                exit[i] += fk * exit[k];
                f.folds.push((i, k, fk));
                for &(j, p) in &row {
                    // A way back to i no longer leaves i: neither an entry
                    // nor a way out.
                    if j != i {
                        *out[i].entry(j).or_insert(0.0) += fk * p;
                        inc[j].insert(i);
                    }
                }
                heap.push(Reverse((degree(&out, &inc, i), i)));
            }
            for &(j, _) in &row {
                heap.push(Reverse((degree(&out, &inc, j), j)));
            }
            f.order.push((k, s_k, row));
        }
        Some(f)
    }

    /// The solution for right-hand side `b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let mut b = b.to_vec();
        for &(i, k, f) in &self.folds {
            b[i] += f * b[k];
        }
        let mut x = vec![0.0; self.n];
        for (k, s_k, row) in self.order.iter().rev() {
            x[*k] = (b[*k] + row.iter().map(|&(j, p)| p * x[j]).sum::<f64>()) / s_k;
        }
        x
    }
}

/// A dense elimination (in the order of the states), kept to solve for
/// any right-hand side: the multipliers below the diagonal, the reduced
/// rows above it.
#[derive(Clone, Debug)]
pub struct Dense {
    a: Vec<f64>,
    s: Vec<f64>,
    n: usize,
}

impl Dense {
    /// Eliminates every state; `None` when a state cannot leave.
    pub fn new(rows: &Rows) -> Option<Dense> {
        let n = rows.len();
        let mut a = vec![0.0; n * n];
        let mut exit: Vec<f64> = rows.iter().map(|r| r.1).collect();
        for (i, (row, _)) in rows.iter().enumerate() {
            for &(j, p) in row {
                if j != i {
                    a[i * n + j] += p;
                }
            }
        }
        let mut s = vec![0.0; n];
        for k in 0..n {
            let s_k = exit[k] + a[k * n + k + 1..(k + 1) * n].iter().sum::<f64>();
            if s_k <= 0.0 {
                return None;
            }
            s[k] = s_k;
            let (top, rest) = a.split_at_mut((k + 1) * n);
            let row_k = &top[k * n..];
            for i in k + 1..n {
                let row_i = &mut rest[(i - k - 1) * n..(i - k) * n];
                let f = row_i[k] / s_k;
                row_i[k] = f;
                if f == 0.0 {
                    continue;
                }
                exit[i] += f * exit[k];
                for j in k + 1..n {
                    if j != i {
                        row_i[j] += f * row_k[j];
                    }
                }
                // The way back to i leaves the row: i's flow out is summed
                // from its parts when i is eliminated.
            }
        }
        Some(Dense { a, s, n })
    }

    /// The solution for right-hand side `b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut b = b.to_vec();
        for k in 0..n {
            let bk = b[k];
            for (i, bi) in b.iter_mut().enumerate().skip(k + 1) {
                *bi += self.a[i * n + k] * bk;
            }
        }
        let mut x = vec![0.0; n];
        for k in (0..n).rev() {
            let row = &self.a[k * n + k + 1..(k + 1) * n];
            x[k] = (b[k] + row.iter().zip(&x[k + 1..]).map(|(p, xj)| p * xj).sum::<f64>()) / self.s[k];
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// States 0..n on a path, half a step each way, a queue beyond 0 and a
    /// hangup beyond n − 1.
    fn path(n: usize) -> Vec<(Vec<(usize, f64)>, f64)> {
        (0..n)
            .map(|k| {
                let mut e = Vec::new();
                let mut exit = 0.0;
                if k > 0 {
                    e.push((k - 1, 0.5));
                } else {
                    exit += 0.5;
                }
                if k + 1 < n {
                    e.push((k + 1, 0.5));
                } else {
                    exit += 0.5;
                }
                (e, exit)
            })
            .collect()
    }

    #[test]
    fn a_symmetric_walk_on_a_path() {
        // P(queue from k) = (n − k) / (n + 1); expected steps (k + 1)(n − k).
        let n = 2000;
        let mut human = vec![0.0; n];
        human[0] = 0.5;
        let sparse = Sparse::new(&path(n), 100_000).unwrap();
        let dense = Dense::new(&path(n)).unwrap();
        for (x, t) in [
            (sparse.solve(&human), sparse.solve(&vec![1.0; n])),
            (dense.solve(&human), dense.solve(&vec![1.0; n])),
        ] {
            for k in [0, 1, 999, 1999] {
                let want = (n - k) as f64 / (n + 1) as f64;
                assert!((x[k] - want).abs() < 1e-12, "{k}: {} vs {want}", x[k]);
                let steps = ((k + 1) * (n - k)) as f64;
                assert!((t[k] - steps).abs() < 1e-9 * steps, "{k}: {} vs {steps}", t[k]);
            }
        }
    }

    #[test]
    fn a_budget_stops_dense_fill() {
        // Everyone to everyone: eliminating one state fills the rest.
        let n = 60;
        let rows: Vec<(Vec<(usize, f64)>, f64)> = (0..n)
            .map(|i| {
                (
                    (0..n).filter(|&j| j != i).map(|j| (j, 0.9 / (n - 1) as f64)).collect(),
                    0.1,
                )
            })
            .collect();
        assert!(Sparse::new(&rows, 1000).is_none());
        for x in [
            Sparse::new(&rows, 1_000_000).unwrap().solve(&[0.1; 60]),
            Dense::new(&rows).unwrap().solve(&[0.1; 60]),
        ] {
            assert!((x[0] - 1.0).abs() < 1e-12, "{}", x[0]);
        }
    }
}
