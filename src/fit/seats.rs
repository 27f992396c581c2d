//! Seats logged in by interval of the day, from the records that follow
//! the agents (a queue_log's member events), and the calls sent away
//! while agents were idle.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;

use crate::input::records::{Outcome, Record, SeatChange};
use crate::menu::value::Clock;

/// Seat time by queue and (local day, interval of the day).
#[derive(Clone, Debug, Default)]
pub struct Seats {
    /// Interval length, seconds.
    pub interval: f64,
    /// Open seats: (queue, agent) → local time it opened.
    open: HashMap<(String, String), f64>,
    /// Queue → (day, interval) → seat seconds.
    secs: IndexMap<String, BTreeMap<(i64, u32), f64>>,
}

/// Mean seats of one interval of the day.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SeatSlot {
    /// Start, `HH:MM`.
    pub from: String,
    /// End, `HH:MM`.
    pub to: String,
    /// Mean seats logged in and not paused over the days of the records.
    pub seats: f64,
}

/// Seats of one queue.
#[derive(Clone, Debug, serde::Serialize)]
pub struct QueueSeats {
    /// The pool it maps to.
    pub pool: String,
    /// Mean seats by interval, from the first interval with a seat to the
    /// last.
    pub profile: Vec<SeatSlot>,
    /// The most seats of an interval.
    pub max: f64,
}

impl Seats {
    /// Seats with intervals of `interval` seconds.
    pub fn new(interval: f64) -> Seats {
        Seats {
            interval,
            ..Seats::default()
        }
    }

    /// A seat opened or closed.
    pub fn change(&mut self, s: &SeatChange) {
        let local = s.at + f64::from(s.offset);
        let key = (s.queue.clone(), s.agent.clone());
        if s.open {
            self.open.entry(key).or_insert(local);
        } else if let Some(from) = self.open.remove(&key) {
            self.add(&s.queue, from, local);
        }
    }

    /// Closes the seats still open at `local` (the end of the records).
    pub fn close_all(&mut self, local: f64) {
        let open: Vec<((String, String), f64)> = self.open.drain().collect();
        for ((queue, _), from) in open {
            self.add(&queue, from, local.max(from));
        }
    }

    /// Seat time from `a` to `b` (local epoch seconds), split over the
    /// intervals it covers.
    fn add(&mut self, queue: &str, mut a: f64, b: f64) {
        let interval = self.interval;
        let cells = self.secs.entry(queue.to_string()).or_default();
        while a < b {
            let day = (a / 86400.0).floor() as i64;
            let tod = a - day as f64 * 86400.0;
            let i = (tod / interval) as u32;
            let end = (day as f64 * 86400.0 + f64::from(i + 1) * interval).min((day + 1) as f64 * 86400.0);
            let until = b.min(end);
            *cells.entry((day, i)).or_default() += until - a;
            // Guard against an end that does not move (rounding).
            a = if end > a { until } else { b };
        }
    }

    /// Mean seats per interval over `days` days, per queue, with the queue's
    /// pool from `pool`.
    pub fn estimate(&self, days: u64, pool: impl Fn(&str) -> String) -> IndexMap<String, QueueSeats> {
        let days = days.max(1) as f64;
        let per_day = ((86400.0 / self.interval).ceil() as u32).max(1);
        let clock = |s: f64| Clock(s.min(86400.0) as u32).to_string();
        let mut out = IndexMap::new();
        for (queue, cells) in &self.secs {
            let mut by_slot = vec![0.0; per_day as usize];
            for (&(_, i), &s) in cells {
                by_slot[(i.min(per_day - 1)) as usize] += s;
            }
            let Some(first) = by_slot.iter().position(|&s| s > 0.0) else {
                continue;
            };
            let last = by_slot.iter().rposition(|&s| s > 0.0).unwrap_or(first);
            let profile: Vec<SeatSlot> = (first..=last)
                .map(|i| SeatSlot {
                    from: clock(i as f64 * self.interval),
                    to: clock((i + 1) as f64 * self.interval),
                    seats: by_slot[i] / (self.interval * days),
                })
                .collect();
            let max = profile.iter().map(|s| s.seats).fold(0.0, f64::max);
            out.insert(
                queue.clone(),
                QueueSeats {
                    pool: pool(queue),
                    profile,
                    max,
                },
            );
        }
        out
    }
}

/// Calls sent away (deflected, disconnected by the queue) or left to
/// abandon while agents of their queue were idle.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct BusyWhileIdle {
    /// Calls that left a queue unanswered where the records tell the
    /// agents' state.
    pub followed: u64,
    /// Of them, deflected or disconnected by the queue with an idle agent.
    pub sent_away: u64,
    /// Of them, abandoned with an idle agent.
    pub abandoned: u64,
    /// The first calls sent away with idle agents: (call id, time, queue,
    /// idle agents).
    pub examples: Vec<(String, String, String, u32)>,
}

impl BusyWhileIdle {
    /// Counts a call that left its queue unanswered.
    pub fn add(&mut self, r: &Record) {
        let Some(idle) = r.idle_agents else { return };
        self.followed += 1;
        if idle == 0 {
            return;
        }
        match r.outcome {
            Outcome::Deflected | Outcome::Disconnected => {
                self.sent_away += 1;
                if self.examples.len() < 20 {
                    self.examples.push((
                        r.call_id.clone(),
                        crate::input::records::time::iso(r.ended),
                        r.queue.clone().unwrap_or_default(),
                        idle,
                    ));
                }
            }
            Outcome::Abandoned => self.abandoned += 1,
            _ => {}
        }
    }
}
