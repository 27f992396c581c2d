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
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogCall {
    /// The caller, numbered in its replication.
    pub caller: u32,
    /// When the contact began, seconds of simulated time.
    pub start: f64,
    /// Its queue's pool (`u32::MAX`: never queued).
    pub pool: u32,
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
}

/// The engine's log of one replication: records and, per caller slot,
/// (caller number, contact start, whether the contact left a queue).
#[derive(Debug, Default)]
pub struct Logger {
    /// Calls logged so far.
    pub calls: Vec<LogCall>,
    slots: Vec<(u32, f64, bool)>,
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
            pool: pool as u32,
            queued,
            answered,
            ended,
            outcome,
            online,
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
            pool: u32::MAX,
            queued: f64::NAN,
            answered: f64::NAN,
            ended: self.now.max(s.1),
            outcome,
            online,
        });
    }
}

/// Writes one replication's calls.
pub struct Writer<'a> {
    /// The format.
    pub format: Format,
    /// Pool names, by index.
    pub pools: Vec<String>,
    /// Seconds of day at simulated time 0.
    pub clock0: f64,
    /// Days one replication spans.
    pub days: f64,
    /// The output.
    pub out: &'a mut dyn Write,
}

impl Writer<'_> {
    /// The CSV header (the other formats have none).
    pub fn header(&mut self) -> std::io::Result<()> {
        if self.format == Format::Csv {
            writeln!(
                self.out,
                "call_id,caller,arrived,queue,queued,answered,ended,outcome,channel"
            )?;
        }
        Ok(())
    }

    /// Writes replication `rep`'s calls.
    pub fn write(&mut self, rep: u32, calls: &[LogCall]) -> std::io::Result<()> {
        let base = FIRST_DAY + f64::from(rep) * self.days * 86400.0 + self.clock0;
        let mut n = 0u64;
        for c in calls {
            n += 1;
            let at = |t: f64| base + t;
            let id = format!("r{rep}-{n}");
            let caller = format!("r{rep}-c{}", c.caller);
            let pool = (c.pool != u32::MAX).then(|| self.pools[c.pool as usize].as_str());
            match self.format {
                Format::Csv => {
                    let opt = |t: f64| if t.is_finite() { time::iso(at(t)) } else { String::new() };
                    writeln!(
                        self.out,
                        "{id},{caller},{},{},{},{},{},{},{}",
                        time::iso(at(c.start)),
                        pool.map(field).unwrap_or_default(),
                        opt(c.queued),
                        opt(c.answered),
                        time::iso(at(c.ended)),
                        c.outcome.name(),
                        if c.online { "online" } else { "phone" }
                    )?;
                }
                Format::Asterisk => {
                    let sec = |t: f64| at(t).round() as i64;
                    let uid = format!("{}.{n}", sec(c.start));
                    writeln!(self.out, "{}|{uid}|NONE|NONE|DID|hotline", sec(c.start))?;
                    let Some(pool) = pool else { continue };
                    let q = pool.replace('|', "_");
                    writeln!(self.out, "{}|{uid}|{q}|NONE|ENTERQUEUE||{caller}|1", sec(c.queued))?;
                    let hold = |t: f64| sec(t) - sec(c.queued);
                    match c.outcome {
                        Outcome::Answered => {
                            writeln!(
                                self.out,
                                "{}|{uid}|{q}|Agent/1|CONNECT|{}|{uid}|0",
                                sec(c.answered),
                                hold(c.answered)
                            )?;
                            writeln!(
                                self.out,
                                "{}|{uid}|{q}|Agent/1|COMPLETECALLER|{}|{}|1",
                                sec(c.ended),
                                hold(c.answered),
                                sec(c.ended) - sec(c.answered)
                            )?;
                        }
                        Outcome::Abandoned => writeln!(
                            self.out,
                            "{}|{uid}|{q}|NONE|ABANDON|1|1|{}",
                            sec(c.ended),
                            hold(c.ended)
                        )?,
                        _ => writeln!(
                            self.out,
                            "{}|{uid}|{q}|NONE|EXITWITHTIMEOUT|1|1|{}",
                            sec(c.ended),
                            hold(c.ended)
                        )?,
                    }
                }
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
