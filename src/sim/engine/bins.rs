//! Time integrals split over the `BIN`-wide bins of the measured period,
//! folded onto one day.

use super::{BIN, DAY_BINS};

/// A time bin: its start and end, its number from the start of the
/// measured period and its index in the series (folded onto one day).
#[derive(Clone, Copy, Default)]
pub(super) struct Bin {
    from: f64,
    to: f64,
    k: usize,
    index: usize,
}

impl Bin {
    /// Bin `k` of a period that starts at `start`, of series of `len` bins.
    #[inline(always)]
    fn new(k: usize, start: f64, len: usize) -> Bin {
        Bin {
            from: start + k as f64 * BIN,
            to: start + (k + 1) as f64 * BIN,
            k,
            index: if k < len { k } else { k % DAY_BINS as usize },
        }
    }
}

/// Adds the time from `a` to `b` (inside the measured period, which starts
/// at `start`) to the `BIN`-wide bins it covers, folded onto one day;
/// `last` is the bin `a` fell in last time (the times `a` mostly come in
/// order, so most fall in it).
#[inline(always)]
pub(super) fn spread(bins: &mut [f64], last: &mut Bin, start: f64, a: f64, b: f64) {
    if !(a >= last.from && a < last.to) {
        *last = Bin::new(((a - start) / BIN) as usize, start, bins.len());
    }
    if b <= last.to {
        if let Some(bin) = bins.get_mut(last.index) {
            *bin += b - a;
        }
        return;
    }
    let next = Bin::new(last.k + 1, start, bins.len());
    if b <= next.to {
        if let Some(bin) = bins.get_mut(last.index) {
            *bin += last.to - a;
        }
        if let Some(bin) = bins.get_mut(next.index) {
            *bin += b - next.from;
        }
        return;
    }
    spread_over(bins, start, a, b, last.k);
}

/// [`spread`] over several bins, or past the first day.
#[inline(never)]
fn spread_over(bins: &mut [f64], start: f64, a: f64, b: f64, mut k: usize) {
    let mut x = a;
    loop {
        let edge = start + (k + 1) as f64 * BIN;
        let y = if b < edge { b } else { edge };
        let i = if k < bins.len() { k } else { k % DAY_BINS as usize };
        if let Some(bin) = bins.get_mut(i) {
            *bin += y - x;
        }
        if y >= b {
            return;
        }
        x = y;
        k += 1;
    }
}
