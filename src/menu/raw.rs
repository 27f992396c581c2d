//! The raw menu: serde structs that mirror the YAML key for key.
//!
//! They check syntax only (types, known keys, value formats) and keep the
//! position of every value a later check may point at. The JSON Schema of
//! the format is derived from them. [`super::build()`] turns them into a
//! validated [`crate::menu::Hotline`]; nothing else reads them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::menu::value::{Clock, Dist, Duration, Hours, Rate, RunLength, Share};
use crate::menu::yaml::Spanned;

/// The keys allowed at the top of a menu file.
pub const TOP_KEYS: &[&str] = &[
    "hotline",
    "entry",
    "online_entry",
    "description",
    "nodes",
    "agents",
    "callers",
    "simulation",
    "targets",
];

/// A whole menu file, as written (used for the JSON Schema; the loader reads
/// the sections one by one so that one bad section does not hide the others).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "hotline menu",
    description = "A phone hotline menu (IVR) for the hotline tool."
)]
pub struct RawHotline {
    /// Display name of the hotline.
    pub hotline: String,
    /// Id of the first node a caller hears.
    pub entry: String,
    /// Id of the node where customers who start online enter (a chat bot,
    /// an app flow); `callers.online_arrivals` brings them.
    #[serde(default)]
    pub online_entry: Option<String>,
    /// Free text about the hotline.
    #[serde(default)]
    pub description: Option<String>,
    /// The menu's nodes, by id.
    pub nodes: IndexMap<String, RawNode>,
    /// Pools of human agents, by name.
    #[serde(default)]
    pub agents: IndexMap<String, RawPool>,
    /// Who calls, when, and how long they wait.
    #[serde(default)]
    pub callers: Option<RawCallers>,
    /// Settings of `hotline simulate`.
    #[serde(default)]
    pub simulation: Option<RawSimulation>,
    /// Staffing targets of `hotline staff`, such as "service_level(20s) >= 80%",
    /// "p_abandon <= 5%", "mean_wait <= 30s", "occupancy <= 85%".
    #[serde(default)]
    pub targets: Vec<String>,
}

/// One node, told apart by its `kind`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RawNode {
    /// A message, then on to `next`.
    Prompt(RawPrompt),
    /// A key-press (DTMF) menu.
    Menu(RawMenu),
    /// A voice bot that recognises spoken requests.
    Speech(RawSpeech),
    /// An automated service (balance, tracking) that may resolve the call.
    SelfService(RawSelfService),
    /// A silent routing decision on the caller's segment or the time of day.
    Branch(RawBranch),
    /// A queue for a pool of human agents: being answered is reaching a human.
    Queue(RawQueue),
    /// The caller is sent to an online channel and leaves the phone.
    Online(RawOnline),
    /// The call ends.
    Hangup(RawHangup),
}

/// The node kinds, in the order of [`RawNode`].
pub const KINDS: &[&str] = &[
    "prompt",
    "menu",
    "speech",
    "self_service",
    "branch",
    "queue",
    "online",
    "hangup",
];

/// Declares a node struct with the keys every node has (`kind`, `say`,
/// `duration`, `label`, `notes`) followed by its own.
macro_rules! node_struct {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The node's kind (read by the loader before this struct).
            #[serde(default)]
            #[schemars(skip)]
            pub kind: Option<String>,
            /// What the caller hears.
            #[serde(default)]
            pub say: Option<String>,
            /// How long the node takes (a duration or a distribution); default 0.
            #[serde(default)]
            pub duration: Option<Spanned<Dist>>,
            /// A short name for graphs and reports.
            #[serde(default)]
            pub label: Option<String>,
            /// Free notes for the designer.
            #[serde(default)]
            pub notes: Option<String>,
            /// The channel: `phone` (default) or `online` (a chat bot, a chat
            /// queue, an FAQ or app flow). Moving between channels is a
            /// channel switch.
            #[serde(default)]
            pub channel: Option<Spanned<RawChannel>>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }
    };
}

node_struct!(
    /// `kind: prompt`.
    RawPrompt {
        /// The node that follows.
        next: Spanned<String>,
    }
);

node_struct!(
    /// `kind: menu`.
    RawMenu {
        /// Keys `0`-`9`, `*`, `#` and where they go.
        options: IndexMap<String, Spanned<RawChoice>>,
        /// Silence before the menu is replayed; default 5s.
        #[serde(default)]
        timeout: Option<Spanned<Duration>>,
        /// Replays after no input or an invalid key; default 2, at most 9.
        #[serde(default)]
        retries: Option<Spanned<i64>>,
        /// Share of callers who press nothing on a hearing; default 0.
        #[serde(default)]
        no_input: Option<Spanned<Share>>,
        /// Share of callers who press a key the menu does not offer; default 0.
        #[serde(default)]
        invalid: Option<Spanned<Share>>,
        /// Where callers go when the retries are spent (required when
        /// `no_input` or `invalid` is above 0).
        #[serde(default)]
        on_fail: Option<Spanned<String>>,
    }
);

node_struct!(
    /// `kind: speech`.
    RawSpeech {
        /// Spoken requests and where they go.
        #[serde(default)]
        intents: IndexMap<String, Spanned<RawChoice>>,
        /// Key presses the bot also accepts (a key-press fallback).
        #[serde(default)]
        options: IndexMap<String, Spanned<RawChoice>>,
        /// Chance one utterance is recognised; default 1.
        #[serde(default)]
        understood: Option<Spanned<Share>>,
        /// Where a misrecognition sends the caller (required when `understood` < 1).
        #[serde(default)]
        on_misunderstood: Option<Spanned<String>>,
        /// Silence before the question is repeated; default 5s.
        #[serde(default)]
        timeout: Option<Spanned<Duration>>,
        /// Repeats after no input; default 2, at most 9.
        #[serde(default)]
        retries: Option<Spanned<i64>>,
        /// Share of callers who say nothing; default 0.
        #[serde(default)]
        no_input: Option<Spanned<Share>>,
        /// Where callers go when the retries are spent.
        #[serde(default)]
        on_fail: Option<Spanned<String>>,
    }
);

node_struct!(
    /// `kind: self_service`.
    RawSelfService {
        /// Share of callers whose need is met here (the call ends); default 0.
        #[serde(default)]
        resolves: Option<Spanned<Share>>,
        /// Where the others go (required when `resolves` < 1).
        #[serde(default)]
        next: Option<Spanned<String>>,
    }
);

node_struct!(
    /// `kind: branch`: the first case whose condition holds wins.
    RawBranch {
        /// Cases, tried in order.
        #[serde(default)]
        cases: Vec<Spanned<RawCase>>,
        /// Where callers go when no case holds.
        #[serde(rename = "else")]
        otherwise: Spanned<String>,
    }
);

node_struct!(
    /// `kind: queue`.
    RawQueue {
        /// The agent pool that answers this queue.
        pool: Spanned<String>,
        /// Higher is answered first among queues of the same pool; default 0.
        #[serde(default)]
        priority: Option<Spanned<i64>>,
        /// Whether the expected wait is announced on entry; default false.
        #[serde(default)]
        announce_wait: Option<bool>,
        /// A busy rule that turns callers away when the queue is long.
        #[serde(default)]
        busy: Option<Spanned<RawBusy>>,
        /// Callers still waiting after this are disconnected; default none.
        #[serde(default)]
        max_wait: Option<Spanned<Duration>>,
        /// Where disconnected callers go; default: the call ends.
        #[serde(default)]
        on_max_wait: Option<Spanned<String>>,
        /// A call-back offered to waiting callers.
        #[serde(default)]
        callback: Option<Spanned<RawCallback>>,
    }
);

node_struct!(
    /// `kind: online`: the caller leaves the phone for an app or website.
    RawOnline {
        /// Share of callers whose need is met online; default 0.
        #[serde(default)]
        resolves: Option<Spanned<Share>>,
        /// Callers who call again later, entering at `entry`.
        #[serde(default)]
        calls_back: Option<Spanned<RawCallsBack>>,
    }
);

node_struct!(
    /// `kind: hangup`: the call ends.
    RawHangup {}
);

/// A node's channel.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RawChannel {
    /// A phone call.
    Phone,
    /// Online: chat, app, website.
    Online,
}

/// One menu option or speech intent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawChoice {
    /// The node the choice leads to.
    pub to: Spanned<String>,
    /// Share of callers who make this choice. Options without a share split
    /// what the others leave equally.
    #[serde(default)]
    pub share: Option<Spanned<Share>>,
    /// What the option is called (used by the rule checks: "complaint",
    /// "cancel", "sales", "agent").
    #[serde(default)]
    pub label: Option<String>,
    /// How many times the caller must ask before the bot acts (speech
    /// intents only); default 1.
    #[serde(default)]
    pub insist: Option<Spanned<i64>>,
    /// Shares for named caller segments that choose differently.
    #[serde(default)]
    pub by_segment: IndexMap<String, Spanned<Share>>,
}

/// A branch case.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// The condition; every key written must hold.
    #[serde(rename = "if")]
    pub condition: Spanned<RawCondition>,
    /// Where callers go when it holds.
    pub to: Spanned<String>,
}

/// A branch condition.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    /// The caller belongs to this named segment.
    #[serde(default)]
    pub segment: Option<Spanned<String>>,
    /// The call arrives within these hours.
    #[serde(default)]
    pub hours: Option<Spanned<Hours>>,
    /// The chance the case holds for a caller the other conditions let
    /// through, for what the menu cannot see (data a vendor flow looks up,
    /// a function's result).
    #[serde(default)]
    pub share: Option<Spanned<Share>>,
}

/// A queue's busy rule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBusy {
    /// When the rule applies (one of `expected_wait`, `queue_length`).
    pub when: Spanned<RawBusyWhen>,
    /// The busy message.
    #[serde(default)]
    pub say: Option<String>,
    /// How long the message takes; default 0.
    #[serde(default)]
    pub duration: Option<Spanned<Dist>>,
    /// Share of callers who take the advice and go to `to`; default 1.
    #[serde(default)]
    pub deflects: Option<Spanned<Share>>,
    /// Where deflected callers go.
    pub to: Spanned<String>,
}

/// The trigger of a busy rule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBusyWhen {
    /// The expected wait on arrival is at least this.
    #[serde(default)]
    pub expected_wait: Option<Spanned<Duration>>,
    /// At least this many callers are waiting.
    #[serde(default)]
    pub queue_length: Option<Spanned<i64>>,
}

/// A call-back offered in a queue.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCallback {
    /// The offer is made after this long waiting.
    pub offered_after: Spanned<Duration>,
    /// Share of callers who accept.
    pub accepts: Spanned<Share>,
}

/// Callers who come back by phone after going online.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCallsBack {
    /// Share of the callers sent online who call again.
    pub share: Spanned<Share>,
    /// How long after; default 0.
    #[serde(default)]
    pub after: Option<Spanned<Dist>>,
}

/// A pool of human agents.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPool {
    /// Seats staffed (when there is no schedule, all day).
    pub seats: Spanned<i64>,
    /// How long an agent spends on a call.
    pub handle_time: Spanned<Dist>,
    /// Seats by time of day; each entry holds until the next.
    #[serde(default)]
    pub schedule: Vec<Spanned<RawShift>>,
    /// A display name.
    #[serde(default)]
    pub label: Option<String>,
    /// Chats one agent handles at once (chat queues); default 1, at most 100.
    #[serde(default)]
    pub concurrency: Option<Spanned<i64>>,
    /// Delay from an agent picking a chat up to its first message (counted
    /// in the first response, within the handle time); default 0.
    #[serde(default)]
    pub first_reply: Option<Spanned<Dist>>,
}

/// One entry of a pool's schedule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    /// From this time of day.
    pub from: Spanned<Clock>,
    /// This many seats.
    pub seats: Spanned<i64>,
}

/// The caller model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCallers {
    /// A constant rate (`300/h`) or a day profile of rates.
    pub arrivals: Spanned<RawArrivals>,
    /// Customers who start online, entering at `online_entry`: a rate or a
    /// day profile.
    #[serde(default)]
    pub online_arrivals: Option<Spanned<RawArrivals>>,
    /// How long a caller waits in a queue before hanging up; default: forever.
    #[serde(default)]
    pub patience: Option<Spanned<Dist>>,
    /// Callers who abandon a queue and call again.
    #[serde(default)]
    pub redial: Option<Spanned<RawRedial>>,
    /// Day-to-day variation of the arrival rates beyond Poisson: each
    /// replication (a day) multiplies its rates by a Gamma draw with mean 1
    /// and this coefficient of variation (`9%`); default 0.
    #[serde(default)]
    pub rate_variation: Option<Spanned<Share>>,
    /// Named caller segments (elderly, business, …); the rest belong to none.
    #[serde(default)]
    pub segments: IndexMap<String, Spanned<RawSegment>>,
}

/// Arrivals: a rate, or a day profile.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawArrivals {
    /// A constant Poisson rate.
    Rate(Rate),
    /// Rates by time of day; each entry holds until the next, the last until
    /// midnight, the first from midnight.
    Profile(Vec<Spanned<RawPeriod>>),
}

impl<'de> Deserialize<'de> for RawArrivals {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawArrivals, D::Error> {
        use serde::de::{self, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawArrivals;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a rate such as 300/h, or a list of { from, rate }")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawArrivals, E> {
                Rate::parse(s)
                    .map(RawArrivals::Rate)
                    .map_err(|e| E::custom(format!("[bad-rate] {e}")))
            }
            fn visit_i64<E: de::Error>(self, x: i64) -> Result<RawArrivals, E> {
                Err(E::custom(format!(
                    "[bad-rate] rate {x} has no unit: write it as {x}/h or {x}/m"
                )))
            }
            fn visit_u64<E: de::Error>(self, x: u64) -> Result<RawArrivals, E> {
                self.visit_i64(x as i64)
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<RawArrivals, E> {
                Err(E::custom(format!("[bad-rate] rate {x} has no unit: write it as {x}/h")))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawArrivals, A::Error> {
                let mut v = Vec::new();
                while let Some(p) = a.next_element()? {
                    v.push(p);
                }
                Ok(RawArrivals::Profile(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// One period of a day profile.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// Start of the period.
    pub from: Spanned<Clock>,
    /// Arrival rate in the period (`0/h` allowed).
    pub rate: Spanned<ZeroRate>,
}

/// A rate that may be zero (a closed period of a day profile).
#[derive(Debug, Clone, Copy, PartialEq, JsonSchema)]
#[schemars(with = "Rate")]
pub struct ZeroRate(pub Rate);

impl<'de> Deserialize<'de> for ZeroRate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ZeroRate, D::Error> {
        let text = String::deserialize(d)?;
        Rate::parse_allowing_zero(&text)
            .map(ZeroRate)
            .map_err(|e| serde::de::Error::custom(format!("[bad-rate] {e}")))
    }
}

/// Callers who abandon and call again.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRedial {
    /// Share of abandoners who call again.
    pub share: Spanned<Share>,
    /// How long after abandoning; default 0.
    #[serde(default)]
    pub after: Option<Spanned<Dist>>,
}

/// A named caller segment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    /// Share of all callers in the segment.
    pub share: Spanned<Share>,
    /// The segment's own patience; default: the callers' patience.
    #[serde(default)]
    pub patience: Option<Spanned<Dist>>,
    /// A display name.
    #[serde(default)]
    pub label: Option<String>,
}

/// Simulation settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    /// Time of day the run starts; default 08:00.
    #[serde(default)]
    pub start: Option<Spanned<Clock>>,
    /// Length of the measured period, at most a hundred years; default 8h.
    #[serde(default)]
    pub duration: Option<Spanned<RunLength>>,
    /// Time simulated before measuring starts, at most a hundred years; default 0.
    #[serde(default)]
    pub warmup: Option<Spanned<RunLength>>,
    /// Monte Carlo replications; default 30.
    #[serde(default)]
    pub replications: Option<Spanned<i64>>,
    /// Seed of the run; default 1.
    #[serde(default)]
    pub seed: Option<Spanned<u64>>,
}
