//! The rule catalogue: ids, default severities and thresholds, sources, and
//! the user's overrides from `--rules FILE`.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::Severity;
use crate::error::Error;

/// A rule's stable id, used in findings and in rules files; a mistyped
/// id is a compile error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleId {
    /// `no-human`.
    NoHuman,
    /// `unreachable`.
    Unreachable,
    /// `dead-end`.
    DeadEnd,
    /// `trap`.
    Trap,
    /// `zero-time-loop`.
    ZeroTimeLoop,
    /// `deflection-loop`.
    DeflectionLoop,
    /// `chat-bot-no-human`.
    ChatBotNoHuman,
    /// `chat-insist-human`.
    ChatInsistHuman,
    /// `requeue-at-back`.
    RequeueAtBack,
    /// `fail-hangs-up`.
    FailHangsUp,
    /// `forced-disconnect`.
    ForcedDisconnect,
    /// `zero-out`.
    ZeroOut,
    /// `wait-announced`.
    WaitAnnounced,
    /// `callback-offered`.
    CallbackOffered,
    /// `speech-fallback`.
    SpeechFallback,
    /// `elderly-one-key`.
    ElderlyOneKey,
    /// `human-on-request`.
    HumanOnRequest,
    /// `max-wait-3min`.
    MaxWait3Min,
    /// `sludge`.
    Sludge,
    /// `menu-breadth`.
    MenuBreadth,
    /// `long-greeting`.
    LongGreeting,
    /// `human-depth`.
    HumanDepth,
}

/// Every rule id with its name, in catalogue order.
const IDS: &[(RuleId, &str)] = &[
    (RuleId::NoHuman, "no-human"),
    (RuleId::Unreachable, "unreachable"),
    (RuleId::DeadEnd, "dead-end"),
    (RuleId::Trap, "trap"),
    (RuleId::ZeroTimeLoop, "zero-time-loop"),
    (RuleId::DeflectionLoop, "deflection-loop"),
    (RuleId::ChatBotNoHuman, "chat-bot-no-human"),
    (RuleId::ChatInsistHuman, "chat-insist-human"),
    (RuleId::RequeueAtBack, "requeue-at-back"),
    (RuleId::FailHangsUp, "fail-hangs-up"),
    (RuleId::ForcedDisconnect, "forced-disconnect"),
    (RuleId::ZeroOut, "zero-out"),
    (RuleId::WaitAnnounced, "wait-announced"),
    (RuleId::CallbackOffered, "callback-offered"),
    (RuleId::SpeechFallback, "speech-fallback"),
    (RuleId::ElderlyOneKey, "elderly-one-key"),
    (RuleId::HumanOnRequest, "human-on-request"),
    (RuleId::MaxWait3Min, "max-wait-3min"),
    (RuleId::Sludge, "sludge"),
    (RuleId::MenuBreadth, "menu-breadth"),
    (RuleId::LongGreeting, "long-greeting"),
    (RuleId::HumanDepth, "human-depth"),
];

impl RuleId {
    /// The id as written in findings and rules files (`no-human`).
    pub fn name(self) -> &'static str {
        IDS.iter().find(|(r, _)| *r == self).map_or("", |(_, n)| n)
    }

    /// The rule of a name, when it is one.
    pub fn from_name(name: &str) -> Option<RuleId> {
        IDS.iter().find(|(_, n)| *n == name).map(|(r, _)| *r)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Ids sort by name, as findings are listed.
impl Ord for RuleId {
    fn cmp(&self, o: &RuleId) -> std::cmp::Ordering {
        self.name().cmp(o.name())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, o: &RuleId) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

/// One rule of the catalogue.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Rule {
    /// Stable id, used in findings and in rules files.
    pub id: RuleId,
    /// Default severity.
    pub severity: Severity,
    /// Default threshold, when the rule has one.
    pub threshold: Option<f64>,
    /// What the threshold counts.
    pub unit: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
    /// What it checks.
    pub summary: &'static str,
}

const STRUCTURE: &str = "hotline structure";
const GETHUMAN: &str = "GetHuman standard v1.0";
const MIIT: &str = "China MIIT 2020, age-friendly services: one-key transfer to a human for callers aged 65+";
const SPAIN: &str = "Spain Ley 10/2025 on customer service";
const FCA: &str = "UK FCA Consumer Duty (PS22/9): sludge practices";
const INDUSTRY: &str = "industry guidance on IVR design";
const SURVEYS: &str = "consumer council hotline surveys";
const ONLINE: &str = "consumer council surveys of online customer service (48 platforms: 81% made customers type \"human\" once or more before a transfer, 9% never transferred; a chat queue that removed waiting customers after ten minutes)";

/// Every rule `hotline analyze` checks.
pub const RULES: &[Rule] = &[
    Rule {
        id: RuleId::NoHuman,
        severity: Severity::Error,
        threshold: None,
        unit: "",
        source: SURVEYS,
        summary: "no queue can be reached from the entry",
    },
    Rule {
        id: RuleId::Unreachable,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: STRUCTURE,
        summary: "a node no caller can reach from the entry",
    },
    Rule {
        id: RuleId::DeadEnd,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: STRUCTURE,
        summary: "callers leave a node with no way on: an online node whose unresolved callers neither call back nor are helped",
    },
    Rule {
        id: RuleId::Trap,
        severity: Severity::Error,
        threshold: None,
        unit: "",
        source: STRUCTURE,
        summary: "a set of nodes from which neither a queue nor the end of the call can be reached",
    },
    Rule {
        id: RuleId::ZeroTimeLoop,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: STRUCTURE,
        summary: "callers can go round a loop in no time (nodes of zero duration, a 0 s busy message back into a queue, max_wait 0 back into the queue): the simulator ends such calls as stuck after 10,000 nodes",
    },
    Rule {
        id: RuleId::DeflectionLoop,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: SURVEYS,
        summary: "a queue's busy message sends callers to the other channel (online, or back to the phone), and they come back from there into the same queue",
    },
    Rule {
        id: RuleId::ChatBotNoHuman,
        severity: Severity::Error,
        threshold: None,
        unit: "",
        source: ONLINE,
        summary: "an online chat bot from which no typed request leads to a person",
    },
    Rule {
        id: RuleId::ChatInsistHuman,
        severity: Severity::Warning,
        threshold: Some(2.0),
        unit: "typed requests",
        source: ONLINE,
        summary: "a chat bot hands over to a person only after \"human\" is typed this many times or more",
    },
    Rule {
        id: RuleId::RequeueAtBack,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: ONLINE,
        summary: "a queue removes customers after max_wait and sends them where they can only queue again, at the back",
    },
    Rule {
        id: RuleId::FailHangsUp,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: GETHUMAN,
        summary: "a menu or voice bot disconnects callers who press nothing or the wrong key (on_fail goes to a hangup)",
    },
    Rule {
        id: RuleId::ForcedDisconnect,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: SURVEYS,
        summary: "a queue disconnects callers after max_wait",
    },
    Rule {
        id: RuleId::ZeroOut,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: GETHUMAN,
        summary: "a menu does not offer a queue in one choice (\"0 for a human\")",
    },
    Rule {
        id: RuleId::WaitAnnounced,
        severity: Severity::Info,
        threshold: None,
        unit: "",
        source: GETHUMAN,
        summary: "a queue does not announce the expected wait",
    },
    Rule {
        id: RuleId::CallbackOffered,
        severity: Severity::Warning,
        threshold: Some(180.0),
        unit: "seconds",
        source: GETHUMAN,
        summary: "a queue that can be long (no max_wait, or max_wait above the threshold, or a busy rule) offers no call-back",
    },
    Rule {
        id: RuleId::SpeechFallback,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: GETHUMAN,
        summary: "a voice bot has no key-press fallback (no options)",
    },
    Rule {
        id: RuleId::ElderlyOneKey,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: MIIT,
        summary: "callers in a 65+ segment need a menu choice before a queue (or no such segment is routed)",
    },
    Rule {
        id: RuleId::HumanOnRequest,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: SPAIN,
        summary: "a node from which no queue can be reached: a human is not available on request at every point",
    },
    Rule {
        id: RuleId::MaxWait3Min,
        severity: Severity::Warning,
        threshold: Some(180.0),
        unit: "seconds",
        source: SPAIN,
        summary: "a queue lets callers wait longer than the threshold (the law asks 95% of calls answered within 3 minutes)",
    },
    Rule {
        id: RuleId::Sludge,
        severity: Severity::Warning,
        threshold: None,
        unit: "",
        source: FCA,
        summary: "the route to a complaint or cancel option takes more selections or seconds than the route to sales",
    },
    Rule {
        id: RuleId::MenuBreadth,
        severity: Severity::Warning,
        threshold: Some(5.0),
        unit: "options",
        source: INDUSTRY,
        summary: "a menu offers more options than the threshold",
    },
    Rule {
        id: RuleId::LongGreeting,
        severity: Severity::Warning,
        threshold: Some(8.0),
        unit: "seconds",
        source: INDUSTRY,
        summary: "the time from the entry to the first menu is above the threshold",
    },
    Rule {
        id: RuleId::HumanDepth,
        severity: Severity::Warning,
        threshold: Some(2.0),
        unit: "selections",
        source: INDUSTRY,
        summary: "a human is first offered deeper than the threshold",
    },
];

/// Settings of one rule after the user's overrides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleSetting {
    /// Whether the rule runs.
    pub enabled: bool,
    /// Severity of its findings.
    pub severity: Severity,
    /// Its threshold.
    pub threshold: Option<f64>,
}

/// The rules in force.
#[derive(Clone, Debug)]
pub struct RuleSet {
    settings: HashMap<RuleId, RuleSetting>,
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet {
            settings: RULES
                .iter()
                .map(|r| {
                    (
                        r.id,
                        RuleSetting {
                            enabled: true,
                            severity: r.severity,
                            threshold: r.threshold,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// One entry of a rules file: `false`, `true`, or a mapping.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawSetting {
    Switch(bool),
    Full {
        #[serde(default)]
        enabled: Option<bool>,
        #[serde(default)]
        severity: Option<String>,
        #[serde(default)]
        threshold: Option<f64>,
    },
}

impl RuleSet {
    /// The setting of a rule.
    pub fn get(&self, id: RuleId) -> RuleSetting {
        self.settings[&id]
    }

    /// The rule's threshold (its default when not overridden).
    pub fn threshold(&self, id: RuleId) -> f64 {
        self.get(id).threshold.unwrap_or(0.0)
    }

    /// Reads overrides from a YAML file: `rule-id: false`, or
    /// `rule-id: { enabled: true, severity: error, threshold: 3 }`.
    pub fn from_file(path: &Path) -> Result<RuleSet, Error> {
        let shown = path.display().to_string();
        let bytes = crate::files::read(path, crate::menu::yaml::Limits::default().max_bytes)?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Rules {
            path: shown.clone(),
            message: "the file is not UTF-8 text".into(),
        })?;
        RuleSet::from_yaml(&text).map_err(|message| Error::Rules { path: shown, message })
    }

    /// A stable digest of the settings (what tells two rule sets apart,
    /// for shards that must have run with the same rules).
    pub fn fingerprint(&self) -> String {
        let mut entries: Vec<String> = self
            .settings
            .iter()
            .map(|(id, s)| format!("{id}:{}:{:?}:{:?}", s.enabled, s.severity, s.threshold))
            .collect();
        entries.sort();
        crate::shard::hash(&entries.join("\n"))
    }

    /// Reads overrides from YAML text.
    ///
    /// ```
    /// let rules = hotline::analysis::rules::RuleSet::from_yaml("menu-breadth: { threshold: 4 }\nsludge: false\n").unwrap();
    /// use hotline::analysis::rules::RuleId;
    /// assert_eq!(rules.threshold(RuleId::MenuBreadth), 4.0);
    /// assert!(!rules.get(RuleId::Sludge).enabled);
    /// ```
    pub fn from_yaml(text: &str) -> Result<RuleSet, String> {
        let mut set = RuleSet::default();
        if text.trim().is_empty() {
            return Ok(set);
        }
        let raw: HashMap<String, RawSetting> =
            serde_saphyr::from_str(text).map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())?;
        for (id, s) in raw {
            let Some(rule) = RULES.iter().find(|r| r.id == id.as_str()) else {
                let hint = crate::menu::yaml::closest(&id, RULES.iter().map(|r| r.id.name()))
                    .map_or_else(String::new, |c| format!(" (did you mean \"{c}\"?)"));
                return Err(format!("unknown rule \"{id}\"{hint}; `hotline rules` lists them"));
            };
            let entry = set.settings.get_mut(&rule.id).expect("every rule has a setting");
            match s {
                RawSetting::Switch(on) => entry.enabled = on,
                RawSetting::Full {
                    enabled,
                    severity,
                    threshold,
                } => {
                    if let Some(e) = enabled {
                        entry.enabled = e;
                    }
                    if let Some(s) = severity {
                        entry.severity = s.parse().map_err(|e| format!("rule \"{id}\": {e}"))?;
                    }
                    if let Some(t) = threshold {
                        if rule.threshold.is_none() {
                            return Err(format!("rule \"{id}\" has no threshold"));
                        }
                        if !t.is_finite() || t < 0.0 {
                            return Err(format!("rule \"{id}\": threshold must be a number from 0 up"));
                        }
                        entry.threshold = Some(t);
                    }
                }
            }
        }
        Ok(set)
    }
}
