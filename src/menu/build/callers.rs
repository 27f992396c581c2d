//! The parts of a menu beside its nodes: caller segments, agent pools and
//! their schedules, the caller model with its day profiles, the simulation
//! settings.

use super::*;

impl Builder {
    pub(super) fn segments(&mut self, s: &Sections) -> Vec<Segment> {
        /// Most named segments a menu may have.
        const MAX_SEGMENTS: usize = 1000;
        let Some((pos, c)) = &s.callers else { return Vec::new() };
        let mut out = Vec::new();
        let mut total = 0.0;
        for (name, seg) in &c.segments {
            total += seg.share.value.0;
            out.push(Segment {
                name: name.clone(),
                share: seg.share.value.0,
                patience: seg.value.patience.as_ref().map(|p| p.value),
                label: seg.value.label.clone(),
            });
        }
        if out.len() > MAX_SEGMENTS {
            self.err(
                Code::TooManySegments,
                format!(
                    "callers.segments names {} segments; at most {MAX_SEGMENTS} (each is counted apart in every replication)",
                    out.len()
                ),
                Some(*pos),
                None,
            );
        }
        if total > 1.0 + 1e-9 {
            self.err(
                Code::SegmentShares,
                format!(
                    "segment shares add up to {}, above 1",
                    crate::menu::value::trim_float(total)
                ),
                Some(*pos),
                None,
            );
        }
        out
    }

    pub(super) fn pools(&mut self, s: &Sections) -> Vec<(Pos, Pool)> {
        let mut out = Vec::new();
        for (name, pos, p) in &s.pools {
            let seats = self.seats(&p.seats);
            let mut schedule: Vec<(Clock, u32)> = Vec::new();
            for shift in &p.schedule {
                let seats = self.seats(&shift.seats);
                if let Some(&(last, _)) = schedule.last()
                    && shift.from.value <= last
                {
                    self.err(
                        Code::ScheduleOrder,
                        format!(
                            "pool \"{name}\": shift from {} is not after the shift from {last}",
                            shift.from.value
                        ),
                        Some(shift.from.pos),
                        None,
                    );
                }
                schedule.push((shift.from.value, seats));
            }
            let concurrency = match &p.concurrency {
                None => 1,
                Some(c) if (1..=100).contains(&c.value) => c.value as u32,
                Some(c) => {
                    self.err(
                        Code::OutOfRange,
                        format!(
                            "pool \"{name}\": concurrency must be from 1 to 100 chats per agent, not {}",
                            c.value
                        ),
                        Some(c.pos),
                        None,
                    );
                    1
                }
            };
            out.push((
                *pos,
                Pool {
                    name: name.clone(),
                    seats,
                    handle_time: p.handle_time.value,
                    schedule,
                    label: p.label.clone(),
                    concurrency,
                    first_reply: p.first_reply.as_ref().map_or(Dist::default(), |d| d.value),
                },
            ));
        }
        out
    }

    pub(super) fn seats(&mut self, n: &Spanned<i64>) -> u32 {
        if !(0..=100_000).contains(&n.value) {
            self.err(
                Code::OutOfRange,
                format!("seats must be from 0 to 100000, not {}", n.value),
                Some(n.pos),
                None,
            );
            return 0;
        }
        n.value as u32
    }

    pub(super) fn callers(&mut self, s: &Sections, segments: &[Segment]) -> Option<Callers> {
        let (_, c) = s.callers.as_ref()?;
        let arrivals = self.profile(&c.arrivals, "");
        let online_arrivals = c
            .online_arrivals
            .as_ref()
            .map_or_else(Vec::new, |a| self.profile(a, "online "));
        Some(Callers {
            arrivals,
            online_arrivals,
            patience: c.patience.as_ref().map(|p| p.value),
            redial: c.redial.as_ref().map(|r| {
                (
                    r.share.value.0,
                    r.value.after.as_ref().map_or(Dist::default(), |a| a.value),
                )
            }),
            segments: segments.to_vec(),
            rate_variation: c.rate_variation.as_ref().map_or(0.0, |v| v.value.0),
        })
    }

    /// Reads an arrival rate or day profile (`what`: "" or "online ").
    pub(super) fn profile(&mut self, a: &Spanned<raw::RawArrivals>, what: &str) -> Vec<(Clock, f64)> {
        match &a.value {
            raw::RawArrivals::Rate(r) => Callers::constant(*r),
            raw::RawArrivals::Profile(periods) => {
                let mut v: Vec<(Clock, f64)> = Vec::new();
                for p in periods {
                    if let Some(&(last, _)) = v.last()
                        && p.from.value <= last
                    {
                        self.err(
                            Code::ScheduleOrder,
                            format!(
                                "{what}arrival period from {} is not after the period from {last}",
                                p.from.value
                            ),
                            Some(p.from.pos),
                            None,
                        );
                    }
                    v.push((p.from.value, p.rate.value.0.per_sec()));
                }
                if v.is_empty() {
                    self.err(
                        Code::MissingKey,
                        format!("the {what}arrival profile has no periods"),
                        Some(a.pos),
                        None,
                    );
                } else if v.iter().all(|&(_, r)| r == 0.0) {
                    self.warn(
                        Code::NoArrivals,
                        format!("the {what}arrival rate is zero all day: no caller will call"),
                        Some(a.pos),
                        None,
                    );
                }
                v
            }
        }
    }

    pub(super) fn simulation(&mut self, s: &Sections) -> Simulation {
        let mut sim = Simulation::default();
        let Some(r) = &s.simulation else { return sim };
        if let Some(v) = &r.start {
            sim.start = v.value;
        }
        if let Some(v) = &r.duration {
            if v.value.secs() <= 0.0 {
                self.err(
                    Code::OutOfRange,
                    "the simulated duration must be above zero",
                    Some(v.pos),
                    None,
                );
            }
            sim.duration = v.value.secs();
        }
        if let Some(v) = &r.warmup {
            sim.warmup = v.value.secs();
        }
        if let Some(v) = &r.replications {
            if !(1..=1_000_000).contains(&v.value) {
                self.err(
                    Code::OutOfRange,
                    format!("replications must be from 1 to 1000000, not {}", v.value),
                    Some(v.pos),
                    None,
                );
            } else {
                sim.replications = v.value as u32;
            }
        }
        if let Some(v) = &r.seed {
            sim.seed = v.value;
        }
        sim
    }
}
