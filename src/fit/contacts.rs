//! What the same caller did again: redials after an abandonment, and
//! channel switches (a call, then a chat, or back) — both counted within
//! [`REDIAL_WINDOW`] of the contact before, on records in time order.

use std::collections::HashMap;

use serde::Serialize;

use crate::input::records::{Outcome, Record};

/// How long after a contact the same caller's next one counts as a
/// redial or a channel switch.
pub const REDIAL_WINDOW: f64 = 3600.0;
/// Entries kept before the tables are pruned of callers older than the
/// window (memory follows the recent callers, not the file).
const PRUNE_AT: usize = 100_000;

/// Redials: abandoned calls whose caller called again within the window.
#[derive(Clone, Debug, Serialize)]
pub struct Redials {
    /// Abandoned calls with a caller id.
    pub abandoned: u64,
    /// Of those, followed by a call of the same caller within the window.
    pub redialled: u64,
    /// `redialled / abandoned`.
    pub share: f64,
    /// Mean delay from the abandonment to the new call, seconds.
    pub after_mean_s: f64,
    /// The window, seconds.
    pub window_s: f64,
}

/// Channel switches: a caller's contact followed within the window by
/// one in the other channel.
#[derive(Clone, Debug, Serialize)]
pub struct Switches {
    /// Phone contacts with a caller id.
    pub phone_contacts: u64,
    /// Phone contacts followed by a chat of the same caller.
    pub phone_to_online: u64,
    /// `phone_to_online / phone_contacts`.
    pub phone_to_online_share: f64,
    /// Chats followed by a call of the same caller.
    pub online_to_phone: u64,
    /// Of the phone contacts followed by a chat, those that ended
    /// without an agent (deflected, disconnected, abandoned, in the menu).
    pub after_no_agent: u64,
    /// Mean delay from the end of one contact to the next, seconds.
    pub after_mean_s: f64,
    /// The window, seconds.
    pub window_s: f64,
}

/// Follows callers across their contacts.
#[derive(Debug)]
pub struct Contacts {
    /// Caller → when their last abandoned call ended.
    pending: HashMap<String, f64>,
    /// (abandoned with a caller, redialled, sum of delays).
    redials: (u64, u64, f64),
    /// Caller → (end of their last contact, online, answered).
    last: HashMap<String, (f64, bool, bool)>,
    /// (phone contacts, phone→online, online→phone, after no agent, sum of delays).
    switches: (u64, u64, u64, u64, f64),
    /// Latest arrival seen, for pruning and for the order check.
    latest: f64,
    /// Whether an arrival came more than a window before one already seen.
    pub out_of_order: bool,
}

impl Default for Contacts {
    fn default() -> Contacts {
        Contacts {
            pending: HashMap::new(),
            redials: (0, 0, 0.0),
            last: HashMap::new(),
            switches: (0, 0, 0, 0, 0.0),
            latest: f64::NEG_INFINITY,
            out_of_order: false,
        }
    }
}

impl Contacts {
    /// Follows `r`'s caller.
    pub fn add(&mut self, r: &Record) {
        let Some(caller) = &r.caller else { return };
        if r.arrived < self.latest - REDIAL_WINDOW {
            self.out_of_order = true;
        }
        if r.arrived > self.latest {
            let cut = r.arrived - REDIAL_WINDOW;
            if self.pending.len() > PRUNE_AT {
                self.pending.retain(|_, t| *t >= cut);
            }
            if self.last.len() > PRUNE_AT {
                self.last.retain(|_, v| v.0 >= cut);
            }
            self.latest = r.arrived;
        }
        if let Some(t) = self.pending.remove(caller.as_str()) {
            let delay = r.arrived - t;
            if (0.0..=REDIAL_WINDOW).contains(&delay) {
                self.redials.1 += 1;
                self.redials.2 += delay;
            }
        }
        if r.outcome == Outcome::Abandoned && !r.online {
            self.redials.0 += 1;
            self.pending.insert(caller.clone(), r.ended);
        }
        if !r.online {
            self.switches.0 += 1;
        }
        let answered = r.outcome == Outcome::Answered || r.outcome == Outcome::Resolved;
        if let Some((ended, online, was_answered)) = self.last.insert(caller.clone(), (r.ended, r.online, answered)) {
            let delay = r.arrived - ended;
            if online != r.online && (-1.0..=REDIAL_WINDOW).contains(&delay) {
                if online {
                    self.switches.2 += 1;
                } else {
                    self.switches.1 += 1;
                    if !was_answered {
                        self.switches.3 += 1;
                    }
                }
                self.switches.4 += delay.max(0.0);
            }
        }
    }

    /// The redials, where abandoned calls had a caller id.
    pub fn redials(&self) -> Option<Redials> {
        let (abandoned, redialled, sum) = self.redials;
        (abandoned > 0).then(|| Redials {
            abandoned,
            redialled,
            share: redialled as f64 / abandoned as f64,
            after_mean_s: if redialled > 0 {
                sum / redialled as f64
            } else {
                f64::NAN
            },
            window_s: REDIAL_WINDOW,
        })
    }

    /// The channel switches, where any happened.
    pub fn switches(&self) -> Option<Switches> {
        let (phone, to_online, to_phone, no_agent, sum) = self.switches;
        let n = to_online + to_phone;
        (n > 0).then(|| Switches {
            phone_contacts: phone,
            phone_to_online: to_online,
            phone_to_online_share: if phone > 0 {
                to_online as f64 / phone as f64
            } else {
                0.0
            },
            online_to_phone: to_phone,
            after_no_agent: no_agent,
            after_mean_s: sum / n as f64,
            window_s: REDIAL_WINDOW,
        })
    }
}
