//! Simulated calls as call records (`simulate --log`): the generic CSV,
//! an Asterisk `queue_log` or Amazon Connect contact records, which
//! `hotline fit` reads back. Replication r is day r from 2026-01-05
//! (several days for a run longer than one), at the menu's times of day
//! in UTC.

use std::io::Write;

use crate::input::records::{Format, Outcome, time};

/// Midnight UTC of the first simulated day, 2026-01-05 (a Monday).
pub const FIRST_DAY: f64 = 1_767_571_200.0;

/// One simulated call (a contact: a call, a call-back, a redial, a chat).
#[derive(Clone, Debug, PartialEq)]
pub struct LogCall {
    /// The caller, numbered in its replication.
    pub caller: u32,
    /// When the contact began, seconds of simulated time.
    pub start: f64,
    /// Its queue's pool (`None`: never queued).
    pub pool: Option<u32>,
    /// When it joined the queue.
    pub queued: f64,
    /// When an agent answered (NaN: never).
    pub answered: f64,
    /// When it ended.
    pub ended: f64,
    /// How it ended.
    pub outcome: Outcome,
    /// A chat rather than a call.
    pub online: bool,
    /// The menu nodes it passed, in order (indices of the menu graph).
    pub path: Vec<u32>,
}

/// The engine's log of one replication: records and, per caller slot,
/// (caller number, contact start, whether the contact left a queue).
#[derive(Debug, Default)]
pub struct Logger {
    /// Calls logged so far.
    pub calls: Vec<LogCall>,
    slots: Vec<(u32, f64, bool)>,
    paths: Vec<Vec<u32>>,
    next: u32,
    /// The time of the step that ends a contact in the menu.
    pub now: f64,
}

impl Logger {
    /// A new caller in `slot`.
    pub fn arrive(&mut self, slot: u32) {
        let s = slot as usize;
        if self.slots.len() <= s {
            self.slots.resize(s + 1, (0, 0.0, false));
            self.paths.resize(s + 1, Vec::new());
        }
        self.next += 1;
        self.slots[s] = (self.next, 0.0, false);
    }

    /// A contact begins at `t`.
    pub fn contact(&mut self, slot: u32, t: f64) {
        let s = &mut self.slots[slot as usize];
        s.1 = t;
        s.2 = false;
        self.now = t;
        self.paths[slot as usize].clear();
    }

    /// The contact in `slot` passes menu node `node`.
    pub fn visit(&mut self, slot: u32, node: u32) {
        if let Some(p) = self.paths.get_mut(slot as usize)
            && p.len() < crate::menu::MAX_STEPS as usize
        {
            p.push(node);
        }
    }

    /// A wait in `pool` ended at `ended` (answered at `answered`, NaN if not).
    #[allow(clippy::too_many_arguments)]
    pub fn queue(
        &mut self,
        slot: u32,
        pool: usize,
        queued: f64,
        answered: f64,
        ended: f64,
        outcome: Outcome,
        online: bool,
    ) {
        let s = &mut self.slots[slot as usize];
        s.2 = true;
        self.calls.push(LogCall {
            caller: s.0,
            start: s.1,
            pool: Some(pool as u32),
            queued,
            answered,
            ended,
            outcome,
            online,
            path: std::mem::take(&mut self.paths[slot as usize]),
        });
    }

    /// A contact ended without leaving a queue (in the menu, online).
    pub fn end(&mut self, slot: u32, outcome: Outcome, online: bool) {
        let s = self.slots[slot as usize];
        if s.2 {
            return;
        }
        self.calls.push(LogCall {
            caller: s.0,
            start: s.1,
            pool: None,
            queued: f64::NAN,
            answered: f64::NAN,
            ended: self.now.max(s.1),
            outcome,
            online,
            path: std::mem::take(&mut self.paths[slot as usize]),
        });
    }
}

/// Writes one replication's calls.
pub struct Writer<'a> {
    /// The format.
    pub format: Format,
    /// Pool names, by index.
    pub pools: Vec<String>,
    /// Node ids, by index (for the CSV's `path`).
    pub nodes: Vec<String>,
    /// Seconds of day at simulated time 0.
    pub clock0: f64,
    /// Days one replication spans.
    pub days: f64,
    /// Per pool, its seats from a simulated time on (for the queue_log's
    /// member events), the last entry closing every seat.
    pub seats: Vec<Vec<(f64, u32)>>,
    /// The output.
    pub out: &'a mut dyn Write,
}

impl<'a> Writer<'a> {
    /// A writer of `h`'s calls in `format` into `out`.
    pub fn new(h: &crate::menu::Hotline, format: Format, out: &'a mut dyn Write) -> Writer<'a> {
        let (clock0, days) = crate::sim::log_span(h);
        let period = h.simulation.warmup + h.simulation.duration;
        let seats = h
            .pools
            .iter()
            .map(|p| {
                let mut v = vec![(0.0, p.seats_at(clock0))];
                // Each shift start within the period.
                let mut starts: Vec<f64> = Vec::new();
                for &(c, _) in &p.schedule {
                    let mut t = (c.secs() - clock0).rem_euclid(86400.0);
                    while t < period {
                        starts.push(t);
                        t += 86400.0;
                    }
                }
                starts.sort_by(f64::total_cmp);
                for t in starts {
                    v.push((t, p.seats_at(clock0 + t)));
                }
                v.push((period, 0));
                v
            })
            .collect();
        Writer {
            format,
            pools: h.pools.iter().map(|p| p.name.clone()).collect(),
            nodes: h.graph().node_weights().map(|n| n.id.clone()).collect(),
            clock0,
            days,
            seats,
            out,
        }
    }

    /// The CSV header (the other formats have none).
    pub fn header(&mut self) -> std::io::Result<()> {
        if self.format == Format::Csv {
            writeln!(
                self.out,
                "call_id,caller,arrived,queue,queued,answered,ended,outcome,channel,path"
            )?;
        }
        Ok(())
    }

    /// Writes replication `rep`'s calls.
    pub fn write(&mut self, rep: u32, calls: &[LogCall]) -> std::io::Result<()> {
        if self.format == Format::Asterisk {
            return self.queue_log(rep, calls);
        }
        let base = FIRST_DAY + f64::from(rep) * self.days * 86400.0 + self.clock0;
        let mut n = 0u64;
        for c in calls {
            n += 1;
            let at = |t: f64| base + t;
            let id = format!("r{rep}-{n}");
            let caller = format!("r{rep}-c{}", c.caller);
            let pool = c.pool.map(|p| self.pools[p as usize].as_str());
            match self.format {
                Format::Csv => {
                    let opt = |t: f64| if t.is_finite() { time::iso(at(t)) } else { String::new() };
                    writeln!(
                        self.out,
                        "{id},{caller},{},{},{},{},{},{},{},{}",
                        time::iso(at(c.start)),
                        pool.map(field).unwrap_or_default(),
                        opt(c.queued),
                        opt(c.answered),
                        time::iso(at(c.ended)),
                        c.outcome.name(),
                        if c.online { "online" } else { "phone" },
                        field(
                            &c.path
                                .iter()
                                .filter_map(|&n| self.nodes.get(n as usize).map(String::as_str))
                                .collect::<Vec<_>>()
                                .join(" ")
                        )
                    )?;
                }
                // Written in time order by `queue_log`, above.
                Format::Asterisk => {}
                Format::Connect => {
                    let mut o = serde_json::Map::new();
                    o.insert("ContactId".into(), id.clone().into());
                    o.insert("Channel".into(), if c.online { "CHAT" } else { "VOICE" }.into());
                    o.insert(
                        "InitiationMethod".into(),
                        if c.online { "API" } else { "INBOUND" }.into(),
                    );
                    o.insert("InitiationTimestamp".into(), time::iso(at(c.start)).into());
                    o.insert("DisconnectTimestamp".into(), time::iso(at(c.ended)).into());
                    let reason = match c.outcome {
                        Outcome::Abandoned | Outcome::Answered | Outcome::Hangup => "CUSTOMER_DISCONNECT",
                        _ => "CONTACT_FLOW_DISCONNECT",
                    };
                    o.insert("DisconnectReason".into(), reason.into());
                    o.insert(
                        "Queue".into(),
                        match pool {
                            Some(p) => serde_json::json!({
                                "Name": p,
                                "EnqueueTimestamp": time::iso(at(c.queued)),
                                "DequeueTimestamp": time::iso(at(if c.answered.is_finite() { c.answered } else { c.ended })),
                            }),
                            None => serde_json::Value::Null,
                        },
                    );
                    o.insert(
                        "Agent".into(),
                        if c.answered.is_finite() {
                            serde_json::json!({"ConnectedToAgentTimestamp": time::iso(at(c.answered))})
                        } else {
                            serde_json::Value::Null
                        },
                    );
                    o.insert("CustomerEndpoint".into(), serde_json::json!({"Address": caller}));
                    writeln!(self.out, "{}", serde_json::Value::Object(o))?;
                }
            }
        }
        Ok(())
    }
}

impl Writer<'_> {
    /// Replication `rep` as a queue_log in time order: the pools' seats as
    /// member events (`ADDMEMBER`, `REMOVEMEMBER`), each call's events, the
    /// agents numbered per pool as they take calls.
    fn queue_log(&mut self, rep: u32, calls: &[LogCall]) -> std::io::Result<()> {
        let base = FIRST_DAY + f64::from(rep) * self.days * 86400.0 + self.clock0;
        let sec = |t: f64| (base + t).round() as i64;
        // (time, order within the time, line).
        let mut lines: Vec<(f64, u8, String)> = Vec::new();
        for (p, changes) in self.seats.iter().enumerate() {
            let q = self.pools[p].replace('|', "_");
            let mut on = 0u32;
            for &(t, n) in changes {
                while on < n {
                    on += 1;
                    lines.push((t, 0, format!("{}|NONE|{q}|Agent/{on}|ADDMEMBER|", sec(t))));
                }
                while on > n {
                    lines.push((t, 0, format!("{}|NONE|{q}|Agent/{on}|REMOVEMEMBER|", sec(t))));
                    on -= 1;
                }
            }
        }
        // Agents by pool: the lowest free number takes the next call.
        let mut ends: Vec<(f64, bool, usize, usize)> = Vec::new();
        for (i, c) in calls.iter().enumerate() {
            if let Some(p) = c.pool
                && c.answered.is_finite()
            {
                ends.push((c.answered, true, i, p as usize));
                ends.push((c.ended, false, i, p as usize));
            }
        }
        ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut free: Vec<std::collections::BTreeSet<u32>> = vec![Default::default(); self.pools.len()];
        let mut taken: Vec<u32> = vec![0; self.pools.len()];
        let mut agent = vec![0u32; calls.len()];
        for (_, start, i, p) in ends {
            if start {
                agent[i] = free[p].pop_first().unwrap_or_else(|| {
                    taken[p] += 1;
                    taken[p]
                });
            } else {
                free[p].insert(agent[i]);
            }
        }
        for (n, c) in calls.iter().enumerate() {
            let uid = format!("{}.{}", sec(c.start), n + 1);
            lines.push((c.start, 1, format!("{}|{uid}|NONE|NONE|DID|hotline", sec(c.start))));
            let Some(pool) = c.pool else { continue };
            let caller = format!("r{rep}-c{}", c.caller);
            let q = self.pools[pool as usize].replace('|', "_");
            lines.push((
                c.queued,
                1,
                format!("{}|{uid}|{q}|NONE|ENTERQUEUE||{caller}|1", sec(c.queued)),
            ));
            let hold = |t: f64| sec(t) - sec(c.queued);
            let a = agent[n];
            let end = match c.outcome {
                Outcome::Answered => {
                    lines.push((
                        c.answered,
                        2,
                        format!(
                            "{}|{uid}|{q}|Agent/{a}|CONNECT|{}|{uid}|0",
                            sec(c.answered),
                            hold(c.answered)
                        ),
                    ));
                    format!(
                        "{}|{uid}|{q}|Agent/{a}|COMPLETECALLER|{}|{}|1",
                        sec(c.ended),
                        hold(c.answered),
                        sec(c.ended) - sec(c.answered)
                    )
                }
                Outcome::Abandoned => format!("{}|{uid}|{q}|NONE|ABANDON|1|1|{}", sec(c.ended), hold(c.ended)),
                Outcome::Deflected => format!("{}|{uid}|{q}|NONE|EXITWITHKEY|1|1", sec(c.ended)),
                _ => format!("{}|{uid}|{q}|NONE|EXITWITHTIMEOUT|1|1|{}", sec(c.ended), hold(c.ended)),
            };
            // An agent freed at the time another takes a call comes first.
            let order = match c.outcome {
                Outcome::Answered if c.ended > c.answered => 1,
                Outcome::Answered => 2,
                _ => 3,
            };
            lines.push((c.ended, order, end));
        }
        lines.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, _, l) in lines {
            writeln!(self.out, "{l}")?;
        }
        Ok(())
    }
}

/// A CSV field: quoted when it holds a comma, a quote or a line break;
/// a leading formula character defused.
fn field(s: &str) -> String {
    let s = crate::escape::csv_text(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}
