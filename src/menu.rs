//! The validated hotline: a petgraph graph of menu nodes and labelled
//! transitions, the agent pools and the caller model.
//!
//! A [`Hotline`] can only be made by [`build()`] (through the front door,
//! [`crate::input`]), which
//! validates everything first, so every later stage (analysis, simulation,
//! reports) may assume it is well formed: every target exists, every
//! node's outgoing shares add up to 1, every queue has a pool.

pub mod build;
pub mod raw;
pub mod schema;
pub mod target;
pub mod value;
pub mod yaml;

use std::collections::HashMap;

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};

use crate::menu::value::{Clock, Dist, Hours, Rate};
use crate::menu::yaml::Pos;

pub use build::{LoadOptions, build};

/// Most menu nodes one call may pass through before it counts as stuck
/// (the simulator stops such a call; the analysis names the loop).
pub const MAX_STEPS: u32 = 10_000;

/// A validated hotline.
#[derive(Clone, Debug)]
pub struct Hotline {
    /// Display name (`hotline:`).
    pub name: String,
    /// Free text (`description:`).
    pub description: Option<String>,
    /// The menu: nodes and transitions (read it with [`Hotline::graph`]).
    pub(crate) graph: DiGraph<MenuNode, Transition>,
    /// The edges out of node `i` are the edge indices
    /// `first_edge[i]..first_edge[i + 1]`, in the order written.
    pub(crate) first_edge: Vec<u32>,
    /// The first node.
    pub entry: NodeIndex,
    /// Where customers who start online enter (`online_entry:`).
    pub online_entry: Option<NodeIndex>,
    /// Agent pools, in file order.
    pub pools: Vec<Pool>,
    /// The caller model, when the file has one.
    pub callers: Option<Callers>,
    /// Simulation settings, defaults filled in.
    pub simulation: Simulation,
    /// Staffing targets (`targets:`).
    pub targets: Vec<crate::menu::target::Target>,
    pub(crate) ids: HashMap<String, NodeIndex>,
}

impl Hotline {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.ids.get(id).copied()
    }

    /// The node at an index.
    pub fn at(&self, n: NodeIndex) -> &MenuNode {
        &self.graph[n]
    }

    /// The menu graph: nodes and labelled transitions.
    pub fn graph(&self) -> &DiGraph<MenuNode, Transition> {
        &self.graph
    }

    /// The transitions out of a node, in the order they were written.
    pub fn out(&self, n: NodeIndex) -> impl ExactSizeIterator<Item = (EdgeIndex, NodeIndex, &Transition)> + Clone + '_ {
        let (a, b) = (
            self.first_edge[n.index()] as usize,
            self.first_edge[n.index() + 1] as usize,
        );
        let edges = &self.graph.raw_edges()[a..b];
        edges
            .iter()
            .enumerate()
            .map(move |(i, e)| (EdgeIndex::new(a + i), e.target(), &e.weight))
    }

    /// Names of the caller segments, in file order.
    pub fn segment_names(&self) -> Vec<&str> {
        self.callers
            .as_ref()
            .map(|c| c.segments.iter().map(|s| s.name.as_str()).collect())
            .unwrap_or_default()
    }

    /// Whether a node is a queue.
    pub fn is_queue(&self, n: NodeIndex) -> bool {
        matches!(self.graph[n].kind, Kind::Queue(_))
    }

    /// Moves every node, and the transitions out of it, to the position
    /// `at` gives for its id (a vendor flow's blocks), or to the start of
    /// the file where it gives none.
    pub fn place_at(&mut self, at: impl Fn(&str) -> Option<Pos>) {
        let blocks: Vec<Option<Pos>> = self.graph.node_weights().map(|n| at(&n.id)).collect();
        for (n, p) in self.graph.node_weights_mut().zip(&blocks) {
            n.pos = p.unwrap_or_default();
        }
        for e in self.graph.edge_indices() {
            let (from, _) = self.graph.edge_endpoints(e).expect("edge exists");
            self.graph[e].pos = blocks[from.index()].unwrap_or_default();
        }
    }

    /// Whether any node is in the online channel (a chat bot, a chat
    /// queue, an online node).
    pub fn has_online(&self) -> bool {
        self.graph.node_weights().any(|n| n.channel == Channel::Online)
    }
}

/// The channel a node is in: the phone, or online (chat, app, website).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// A phone call (the default).
    #[default]
    Phone,
    /// Online: a chat bot, a chat queue, an FAQ or app flow.
    Online,
}

impl Channel {
    /// Both channels, in report order.
    pub const ALL: [Channel; 2] = [Channel::Phone, Channel::Online];

    /// The name as written in the file (`phone`, `online`).
    pub fn name(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Online => "online",
        }
    }
}

/// One node of the menu.
#[derive(Clone, Debug)]
pub struct MenuNode {
    /// The id written in the file.
    pub id: String,
    /// Where the node's id is written.
    pub pos: Pos,
    /// What the caller hears.
    pub say: Option<String>,
    /// A short display name.
    pub label: Option<String>,
    /// Time the node takes each time it is heard.
    pub duration: Dist,
    /// Kind and its parameters.
    pub kind: Kind,
    /// The channel (`channel:`; an `online` node is always online).
    pub channel: Channel,
}

impl MenuNode {
    /// The label, or the id when there is none.
    pub fn display(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }
}

/// What a node does, with the parameters of its kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A message, then on.
    Prompt,
    /// A key-press menu.
    Menu(Input),
    /// A voice bot.
    Speech(Speech),
    /// Automated service that may resolve the call.
    SelfService {
        /// Share of callers resolved here.
        resolves: f64,
    },
    /// Routing on segment or time of day.
    Branch,
    /// A queue for human agents.
    Queue(Queue),
    /// The caller goes online.
    Online(Online),
    /// The call ends.
    Hangup,
}

impl Kind {
    /// The kind's name as written in the file.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Prompt => "prompt",
            Kind::Menu(_) => "menu",
            Kind::Speech(_) => "speech",
            Kind::SelfService { .. } => "self_service",
            Kind::Branch => "branch",
            Kind::Queue(_) => "queue",
            Kind::Online(_) => "online",
            Kind::Hangup => "hangup",
        }
    }
}

/// How callers answer a menu or a bot: silence, wrong keys and retries.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// Silence before a replay, seconds.
    pub timeout: f64,
    /// Replays allowed after a failed hearing.
    pub retries: u32,
    /// Chance a caller gives no input on one hearing.
    pub no_input: f64,
    /// Chance a caller presses a key the menu does not offer.
    pub invalid: f64,
}

impl Input {
    /// Chance one hearing fails (no input or an invalid key).
    pub fn fail(&self) -> f64 {
        self.no_input + (1.0 - self.no_input) * self.invalid
    }
}

/// A voice bot's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Speech {
    /// Silence, retries and no-input.
    pub input: Input,
    /// Chance one utterance is recognised.
    pub understood: f64,
}

/// A queue's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    /// Index into [`Hotline::pools`].
    pub pool: usize,
    /// Higher is answered first.
    pub priority: i64,
    /// Whether the wait is announced.
    pub announce_wait: bool,
    /// The busy rule.
    pub busy: Option<Busy>,
    /// Disconnect after this long waiting, seconds.
    pub max_wait: Option<f64>,
    /// The call-back offer.
    pub callback: Option<Callback>,
}

/// A busy rule: on arrival, when the queue is long, some callers are sent away.
#[derive(Clone, Debug, PartialEq)]
pub struct Busy {
    /// The trigger.
    pub when: BusyWhen,
    /// The message.
    pub say: Option<String>,
    /// Its length.
    pub duration: Dist,
    /// Share of callers who leave for the busy target.
    pub deflects: f64,
}

/// When a busy rule applies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BusyWhen {
    /// Expected wait at least this many seconds.
    ExpectedWait(f64),
    /// At least this many callers waiting.
    QueueLength(u32),
}

/// A call-back offer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Callback {
    /// Offered after this many seconds of waiting.
    pub offered_after: f64,
    /// Share who accept.
    pub accepts: f64,
}

/// An online node's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Online {
    /// Share resolved online.
    pub resolves: f64,
    /// Share who call again, and when.
    pub calls_back: Option<(f64, Dist)>,
}

/// A transition from one node to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    /// What takes the caller along it.
    pub via: Via,
    /// Chance of taking it among the node's choices (0 for non-choice edges).
    pub share: f64,
    /// Shares for named segments that differ: (segment index, share).
    pub by_segment: Vec<(usize, f64)>,
    /// The option's label.
    pub label: Option<String>,
    /// Times a speech intent must be said (1 for everything else).
    pub insist: u32,
    /// Where the transition is written.
    pub pos: Pos,
}

impl Transition {
    /// The share for a segment (`None`: the caller in no segment).
    pub fn share_for(&self, segment: Option<usize>) -> f64 {
        segment
            .and_then(|s| self.by_segment.iter().find(|(i, _)| *i == s))
            .map_or(self.share, |&(_, x)| x)
    }

    /// Whether the caller makes a choice to take it (key or spoken request).
    pub fn is_choice(&self) -> bool {
        matches!(self.via, Via::Key(_) | Via::Intent(_))
    }
}

/// The cause of a transition.
#[derive(Clone, Debug, PartialEq)]
pub enum Via {
    /// `next` of a prompt or an unresolved self-service.
    Next,
    /// A key press.
    Key(String),
    /// A spoken intent.
    Intent(String),
    /// A branch case (its position in `cases`).
    Case(usize, Condition),
    /// A branch's `else`.
    Else,
    /// Retries spent (`on_fail`).
    Fail,
    /// A misrecognition (`on_misunderstood`).
    Misunderstood,
    /// A queue's busy deflection.
    Busy,
    /// A queue's `max_wait` disconnect (`on_max_wait`).
    MaxWait,
    /// An online node's call-back to the entry.
    CallBack,
}

impl Via {
    /// A short label for graphs.
    pub fn label(&self) -> String {
        match self {
            Via::Next => String::new(),
            Via::Key(k) => k.clone(),
            Via::Intent(i) => format!("\"{i}\""),
            Via::Case(_, c) => c.to_string(),
            Via::Else => "else".into(),
            Via::Fail => "fail".into(),
            Via::Misunderstood => "not understood".into(),
            Via::Busy => "busy".into(),
            Via::MaxWait => "max wait".into(),
            Via::CallBack => "calls back".into(),
        }
    }
}

/// A branch condition; every part present must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The caller's segment (index and name).
    pub segment: Option<(usize, String)>,
    /// The time of day.
    pub hours: Option<Hours>,
    /// The chance the case holds once the others do (`None`: certain).
    pub share: Option<f64>,
}

impl Condition {
    /// Whether the segment and hours parts hold for a caller of `segment`
    /// at `secs_of_day` (the share is drawn or weighed by the caller).
    pub fn admits(&self, segment: Option<usize>, secs_of_day: f64) -> bool {
        self.segment.as_ref().is_none_or(|(s, _)| Some(*s) == segment)
            && self.hours.as_ref().is_none_or(|h| h.contains(secs_of_day))
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some((_, s)) = &self.segment {
            parts.push(format!("segment {s}"));
        }
        if let Some(h) = &self.hours {
            parts.push(format!("hours {h}"));
        }
        if let Some(p) = self.share {
            parts.push(format!(
                "{}% of callers",
                crate::menu::value::trim_float((p * 1e6).round() / 1e4)
            ));
        }
        f.write_str(&parts.join(" and "))
    }
}

/// A pool of agents.
#[derive(Clone, Debug, PartialEq)]
pub struct Pool {
    /// Its name.
    pub name: String,
    /// Seats when there is no schedule, or before the first shift.
    pub seats: u32,
    /// Handle time.
    pub handle_time: Dist,
    /// Seats from a time of day, sorted by time.
    pub schedule: Vec<(Clock, u32)>,
    /// Display name.
    pub label: Option<String>,
    /// Chats one agent holds at once (1 on the phone).
    pub concurrency: u32,
    /// Delay from an agent picking a chat up to its first message.
    pub first_reply: Dist,
}

impl Pool {
    /// Seats staffed at a time of day (seconds, any day).
    pub fn seats_at(&self, secs_of_day: f64) -> u32 {
        let t = secs_of_day.rem_euclid(86400.0);
        match self.schedule.iter().rev().find(|(c, _)| c.secs() <= t) {
            Some(&(_, s)) => s,
            None => self.schedule.last().map_or(self.seats, |&(_, s)| s),
        }
    }

    /// The most seats ever staffed.
    pub fn max_seats(&self) -> u32 {
        self.schedule.iter().map(|&(_, s)| s).max().unwrap_or(self.seats)
    }

    /// Whether the pool has no seat at any time of day.
    pub fn never_staffed(&self) -> bool {
        if self.schedule.is_empty() {
            self.seats == 0
        } else {
            self.schedule.iter().all(|&(_, s)| s == 0)
        }
    }
}

/// The caller model.
#[derive(Clone, Debug, PartialEq)]
pub struct Callers {
    /// Arrival rates by time of day: (from, rate per second), sorted; a
    /// constant rate is one entry from 00:00.
    pub arrivals: Vec<(Clock, f64)>,
    /// Customers who start online, at `online_entry`, by time of day, in
    /// the same form (empty: none).
    pub online_arrivals: Vec<(Clock, f64)>,
    /// Patience of a caller in no segment (`None`: waits forever).
    pub patience: Option<Dist>,
    /// Abandoners who call again: share and delay.
    pub redial: Option<(f64, Dist)>,
    /// Named segments.
    pub segments: Vec<Segment>,
    /// Coefficient of variation of a day's arrival rates beyond Poisson
    /// (0: Poisson days).
    pub rate_variation: f64,
}

impl Callers {
    /// A constant rate.
    pub fn constant(rate: Rate) -> Vec<(Clock, f64)> {
        vec![(Clock(0), rate.per_sec())]
    }

    /// Arrival rate per second at a time of day.
    pub fn rate_at(&self, secs_of_day: f64) -> f64 {
        profile_rate(&self.arrivals, secs_of_day)
    }

    /// Expected arrivals (phone and online) from `from` (seconds of day)
    /// over `length` seconds, integrated exactly over the day profiles (a
    /// period of many days is whole days plus a remainder).
    pub fn expected_arrivals(&self, from: f64, length: f64) -> f64 {
        [&self.arrivals, &self.online_arrivals]
            .into_iter()
            .map(|p| {
                let day = arrivals_within(p, 0.0, 86400.0);
                let days = (length / 86400.0).floor();
                days * day + arrivals_within(p, from.rem_euclid(86400.0), length - days * 86400.0)
            })
            .sum()
    }

    /// The highest rate of the day, per second.
    pub fn peak_rate(&self) -> f64 {
        self.arrivals.iter().map(|&(_, r)| r).fold(0.0, f64::max)
    }
}

/// The rate of a day profile at a time of day.
pub fn profile_rate(profile: &[(Clock, f64)], secs_of_day: f64) -> f64 {
    let t = secs_of_day.rem_euclid(86400.0);
    match profile.iter().rev().find(|(c, _)| c.secs() <= t) {
        Some(&(_, r)) => r,
        None => profile.last().map_or(0.0, |&(_, r)| r),
    }
}

/// Arrivals of a day profile from `from` (within a day) over at most a
/// day, by pieces of constant rate.
fn arrivals_within(profile: &[(Clock, f64)], from: f64, length: f64) -> f64 {
    let mut bounds: Vec<f64> = profile.iter().map(|(c, _)| c.secs()).collect();
    bounds.extend(bounds.clone().iter().map(|b| b + 86400.0));
    bounds.push(2.0 * 86400.0);
    let (mut t, end, mut total) = (from, from + length, 0.0);
    while t < end {
        let next = bounds.iter().copied().find(|&b| b > t).unwrap_or(end).min(end);
        total += profile_rate(profile, t) * (next - t);
        t = next;
    }
    total
}

/// A named caller segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Its name.
    pub name: String,
    /// Share of callers.
    pub share: f64,
    /// Its patience (`None`: the callers' patience).
    pub patience: Option<Dist>,
    /// Display name.
    pub label: Option<String>,
}

/// Simulation settings with defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// Time of day the run starts (default 08:00).
    pub start: Clock,
    /// Measured period, seconds (default 8 h).
    pub duration: f64,
    /// Warm-up before measuring, seconds (default 0).
    pub warmup: f64,
    /// Replications (default 30).
    pub replications: u32,
    /// Seed (default 1).
    pub seed: u64,
}

impl Default for Simulation {
    fn default() -> Simulation {
        Simulation {
            start: Clock(8 * 3600),
            duration: 8.0 * 3600.0,
            warmup: 0.0,
            replications: 30,
            seed: 1,
        }
    }
}
