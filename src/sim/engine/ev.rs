//! The kinds of events of the event queue, and how each is packed into
//! the queue's tag and payload.

/// What an event of the event queue is about.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ev {
    /// (caller, start node): a call-back, a redial.
    NewCall(u32, u32),
    /// The next customer who starts online.
    OnlineArrival,
    /// The first timer of a line of timers (see `timers.rs`) is due.
    Timer(u32),
    /// The first seat of a pool with callers waiting frees.
    Free(u32),
    /// A pool's seats change to the schedule's.
    Shift(u32),
    /// A snapshot of the areas (the index is kept by the engine).
    Tick,
}

/// Two numbers as one event payload.
#[inline(always)]
pub(super) fn two(a: u32, b: u32) -> u64 {
    u64::from(a) | u64::from(b) << 32
}

/// The two numbers of a payload made by [`two`].
#[inline(always)]
pub(super) fn split(p: u64) -> (u32, u32) {
    (p as u32, (p >> 32) as u32)
}

impl Ev {
    /// The event as a 3-bit tag and a 64-bit payload (tag 1: a call on
    /// its way to a queue, kept apart, see `Engine::push_arriving`).
    #[inline]
    pub(super) fn pack(self) -> (u64, u64) {
        match self {
            Ev::NewCall(a, b) => (0, two(a, b)),
            Ev::OnlineArrival => (2, 0),
            Ev::Timer(a) => (3, u64::from(a)),
            Ev::Free(a) => (5, u64::from(a)),
            Ev::Shift(a) => (6, u64::from(a)),
            Ev::Tick => (7, 0),
        }
    }

    #[inline]
    pub(super) fn unpack(tag: u64, p: u64) -> Ev {
        let (a, b) = split(p);
        match tag {
            0 => Ev::NewCall(a, b),
            2 => Ev::OnlineArrival,
            3 => Ev::Timer(a),
            5 => Ev::Free(a),
            6 => Ev::Shift(a),
            _ => Ev::Tick,
        }
    }
}
