//! Asterisk's `queue_log`: `epoch|uniqueid|queue|agent|EVENT|data…`, one
//! event a line. A call is the events of one uniqueid from `DID` or
//! `ENTERQUEUE` to the event that ends it (`COMPLETECALLER`,
//! `COMPLETEAGENT`, `ABANDON`, `EXITWITHTIMEOUT`, `EXITEMPTY`,
//! `EXITWITHKEY`, the transfers); a call that enters a queue again after
//! ending in one is a new call. Member events (`ADDMEMBER`,
//! `REMOVEMEMBER`, `PAUSE`, `UNPAUSE`, `PAUSEALL`, `UNPAUSEALL`, and
//! `AGENTLOGIN`/`AGENTLOGOFF` naming a queue) open and close seats; with
//! them, the agents on calls (`CONNECT` to the end) tell how many agents
//! were idle when a call was sent away. Other events (`RINGNOANSWER`,
//! `QUEUESTART`, …) are passed over.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use super::{Outcome, Reading, Record, SeatChange, Sink};
use crate::error::Error;

/// Whether a line looks like a queue_log event.
pub fn looks_like(line: &str) -> bool {
    let f: Vec<&str> = line.split('|').collect();
    f.len() >= 5
        && !f[0].is_empty()
        && f[0].bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !f[4].is_empty()
        && f[4].bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

struct Open {
    arrived: f64,
    caller: Option<String>,
    queue: Option<String>,
    queued: Option<f64>,
    answered: Option<f64>,
    first_line: u64,
}

impl Open {
    /// A call that reached the hotline at `t`, first seen on `line`.
    fn at(t: f64, line: u64) -> Open {
        Open {
            arrived: t,
            caller: None,
            queue: None,
            queued: None,
            answered: None,
            first_line: line,
        }
    }
}

/// The agents as the member events tell: per queue, its members and
/// whether each is paused; the agents on a call.
#[derive(Default)]
struct Agents {
    members: HashMap<String, HashMap<String, bool>>,
    on_call: HashSet<String>,
}

impl Agents {
    /// Whether `agent`'s seat in `queue` takes calls.
    fn open(&self, queue: &str, agent: &str) -> bool {
        self.members.get(queue).and_then(|m| m.get(agent)) == Some(&false)
    }

    /// Sets `agent` in `queue` to a member (paused or not) or no member,
    /// telling `sink` when the seat opens or closes.
    fn set(&mut self, at: f64, queue: &str, agent: &str, to: Option<bool>, sink: &mut dyn Sink) {
        let was = self.open(queue, agent);
        let m = self.members.entry(queue.to_string()).or_default();
        match to {
            Some(paused) => {
                m.insert(agent.to_string(), paused);
            }
            None => {
                m.remove(agent);
            }
        }
        let now = self.open(queue, agent);
        if was != now {
            sink.seat(SeatChange {
                at,
                offset: 0,
                queue: queue.to_string(),
                agent: agent.to_string(),
                open: now,
            });
        }
    }

    /// Pauses or unpauses `agent` in `queue`, or in every queue it is a
    /// member of when `queue` is `NONE` or empty.
    fn pause(&mut self, at: f64, queue: &str, agent: &str, paused: bool, sink: &mut dyn Sink) {
        let queues: Vec<String> = if queue.is_empty() || queue == "NONE" {
            self.members
                .iter()
                .filter(|(_, m)| m.contains_key(agent))
                .map(|(q, _)| q.clone())
                .collect()
        } else if self.members.get(queue).is_some_and(|m| m.contains_key(agent)) {
            vec![queue.to_string()]
        } else {
            Vec::new()
        };
        for q in queues {
            self.set(at, &q, agent, Some(paused), sink);
        }
    }

    /// Agents of `queue` taking calls and on none, when its members are
    /// followed.
    fn idle(&self, queue: &str) -> Option<u32> {
        let m = self.members.get(queue)?;
        Some(
            m.iter()
                .filter(|(a, paused)| !**paused && !self.on_call.contains(a.as_str()))
                .count() as u32,
        )
    }
}

/// Reads a queue_log.
pub fn read(file: impl BufRead, path: &str, sink: &mut dyn Sink) -> Result<Reading, Error> {
    let mut reading = Reading::default();
    let mut agents = Agents::default();
    let mut open: HashMap<String, Open> = HashMap::new();
    let mut line_no = 0u64;
    for line in file.split(b'\n') {
        let line = line.map_err(|e| super::io_error(path, e))?;
        line_no += 1;
        let Ok(text) = std::str::from_utf8(&line) else {
            reading.skip(path, line_no, "not UTF-8");
            continue;
        };
        let text = text.trim_end_matches('\r').trim();
        if text.is_empty() {
            continue;
        }
        let f: Vec<&str> = text.split('|').collect();
        if f.len() < 5 {
            reading.skip(
                path,
                line_no,
                "not a queue_log event (epoch|uniqueid|queue|agent|EVENT|data…)",
            );
            continue;
        }
        let Some(t) = f[0].parse::<f64>().ok().filter(|t| t.is_finite() && *t >= 0.0) else {
            reading.skip(path, line_no, &format!("\"{}\" is not an epoch time", f[0]));
            continue;
        };
        let (id, queue, agent, event) = (f[1], f[2], f[3], f[4]);
        let data = |i: usize| f.get(5 + i).copied().unwrap_or("");
        let num = |i: usize| data(i).parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
        let named = !queue.is_empty() && queue != "NONE";
        let someone = !agent.is_empty() && agent != "NONE";
        match event {
            "ADDMEMBER" | "AGENTLOGIN" if named && someone => agents.set(t, queue, agent, Some(false), sink),
            "REMOVEMEMBER" | "AGENTLOGOFF" if named && someone => agents.set(t, queue, agent, None, sink),
            "PAUSE" | "PAUSEALL" if someone => agents.pause(t, queue, agent, true, sink),
            "UNPAUSE" | "UNPAUSEALL" if someone => agents.pause(t, queue, agent, false, sink),
            "CONNECT" if someone => {
                agents.on_call.insert(agent.to_string());
            }
            "COMPLETECALLER" | "COMPLETEAGENT" | "TRANSFER" | "BLINDTRANSFER" | "ATTENDEDTRANSFER" if someone => {
                agents.on_call.remove(agent);
            }
            _ => {}
        }
        if id.is_empty() || id == "NONE" {
            continue;
        }
        let ends = match event {
            "DID" => {
                open.entry(id.to_string()).or_insert(Open::at(t, line_no));
                None
            }
            "ENTERQUEUE" => {
                let o = open.entry(id.to_string()).or_insert(Open::at(t, line_no));
                if o.queued.is_some() {
                    reading.warn(
                        path,
                        line_no,
                        &format!("call {id} entered a queue twice without leaving it; the second entry is kept"),
                    );
                }
                o.queue = Some(queue.to_string());
                o.queued = Some(t);
                o.answered = None;
                let cid = data(1);
                if !cid.is_empty() && !cid.eq_ignore_ascii_case("unknown") {
                    o.caller = Some(cid.to_string());
                }
                None
            }
            "CONNECT" => {
                if let Some(o) = open.get_mut(id) {
                    o.answered = Some(t);
                }
                None
            }
            "COMPLETECALLER" | "COMPLETEAGENT" => Some((Outcome::Answered, num(1))),
            "TRANSFER" => Some((Outcome::Answered, num(3))),
            "BLINDTRANSFER" | "ATTENDEDTRANSFER" => Some((Outcome::Answered, num(4).or(num(3)))),
            "ABANDON" => Some((Outcome::Abandoned, None)),
            "EXITWITHTIMEOUT" | "EXITEMPTY" => Some((Outcome::Disconnected, None)),
            "EXITWITHKEY" => Some((Outcome::Deflected, None)),
            _ => None,
        };
        let Some((outcome, talk)) = ends else { continue };
        let Some(o) = open.remove(id) else {
            reading.skip(
                path,
                line_no,
                &format!("{event} of call {id}, which never entered a queue in this file"),
            );
            continue;
        };
        if o.queued.is_none() {
            reading.skip(
                path,
                line_no,
                &format!("{event} of call {id}, which never entered a queue in this file"),
            );
            continue;
        }
        // A call that enters a queue again after ending in one is a new
        // call under the same uniqueid (no table of ended calls is kept, so
        // memory follows the calls open at once).
        let call_id = id.to_string();
        let answered = match outcome {
            Outcome::Answered => o.answered.or(talk.map(|c| t - c)).or(Some(t)),
            _ => None,
        };
        let idle_agents = match outcome {
            Outcome::Answered => None,
            _ => agents.idle(o.queue.as_deref().unwrap_or_default()),
        };
        let r = Record {
            line: line_no,
            call_id,
            caller: o.caller,
            arrived: o.arrived,
            offset: 0,
            queue: o.queue,
            queued: o.queued,
            answered,
            ended: t,
            after_call_s: None,
            outcome,
            online: false,
            path: None,
            idle_agents,
        };
        match super::check(&r) {
            Ok(()) => {
                reading.read += 1;
                sink.call(r);
            }
            Err(what) => reading.skip(path, line_no, &format!("call {id}: {what}")),
        }
    }
    // Calls that reached the hotline (DID) and never queued ended in the
    // menu; calls still in a queue at the end of the file are left out.
    let mut rest: Vec<(String, Open)> = open.into_iter().collect();
    rest.sort_by_key(|(_, o)| o.first_line);
    for (id, o) in rest {
        if o.queued.is_some() {
            reading.skip(
                path,
                o.first_line,
                &format!(
                    "call {id} is still in queue {} at the end of the file",
                    o.queue.as_deref().unwrap_or("?")
                ),
            );
            continue;
        }
        reading.read += 1;
        sink.call(Record {
            line: o.first_line,
            call_id: id,
            caller: o.caller,
            arrived: o.arrived,
            offset: 0,
            queue: None,
            queued: None,
            answered: None,
            ended: o.arrived,
            after_call_s: None,
            outcome: Outcome::Hangup,
            online: false,
            path: None,
            idle_agents: None,
        });
    }
    Ok(reading)
}
