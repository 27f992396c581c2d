//! The seats of a pool as the times they free: the event engine's pools
//! and the fast path's lines both hold them.

/// When each seat of a pool frees, earliest first (a binary min-heap).
#[derive(Default)]
pub(super) struct Seats(Vec<f64>);

impl Seats {
    /// Number of seats (a plan's seats are a `u32`).
    pub(super) fn count(&self) -> u32 {
        self.0.len() as u32
    }

    /// The earliest (infinite without a seat).
    #[inline(always)]
    pub(super) fn first(&self) -> f64 {
        self.0.first().copied().unwrap_or(f64::INFINITY)
    }

    /// The seats change to `cap` at `t`: new seats are free then; when
    /// there are fewer, those that free first go (no one is answered
    /// until fewer agents are busy than seated).
    pub(super) fn change_to(&mut self, cap: u32, t: f64) {
        for _ in self.count()..cap {
            self.push(t);
        }
        for _ in cap..self.count() {
            self.pop_first();
        }
    }

    /// Adds a seat that frees at `t`.
    fn push(&mut self, t: f64) {
        let v = &mut self.0;
        v.push(t);
        let mut i = v.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if v[parent] <= t {
                break;
            }
            v[i] = v[parent];
            i = parent;
        }
        v[i] = t;
    }

    /// Drops the earliest.
    fn pop_first(&mut self) {
        if let Some(last) = self.0.pop()
            && !self.0.is_empty()
        {
            self.0[0] = last;
            self.sift_down();
        }
    }

    /// The earliest seat frees at `t` instead.
    #[inline(always)]
    pub(super) fn replace_first(&mut self, t: f64) {
        if !self.0.is_empty() {
            self.0[0] = t;
            self.sift_down();
        }
    }

    /// Moves the first seat down to its place.
    #[inline(always)]
    fn sift_down(&mut self) {
        let v = &mut self.0[..];
        let Some(&x) = v.first() else { return };
        let mut i = 0;
        // The children are read once each, through `get`: the test of
        // the end of the heap is the test of the index.
        while let Some(&left) = v.get(2 * i + 1) {
            let (c, child) = match v.get(2 * i + 2) {
                Some(&right) if right < left => (2 * i + 2, right),
                _ => (2 * i + 1, left),
            };
            if child >= x {
                break;
            }
            v[i] = child;
            i = c;
        }
        v[i] = x;
    }
}
