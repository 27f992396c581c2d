//! The catalogue of diagnostic codes: each code a variant, with the name
//! diagnostics show (`unknown-target`) and what it means (the README's
//! table says the same; a test keeps them in step). A mistyped code is a
//! compile error.

use std::fmt;

/// A diagnostic's stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// `yaml-syntax`: the YAML does not parse (also alias bombs, nesting deeper than the limit, more than 2,000,000 YAML nodes).
    YamlSyntax,
    /// `not-utf8`: the file is not UTF-8 text (UTF-16 is named as such, with the command to convert it).
    NotUtf8,
    /// `unknown-key`: a key the format does not have (the closest valid key suggested).
    UnknownKey,
    /// `missing-key`: a key the format requires is missing.
    MissingKey,
    /// `wrong-type`: a value of the wrong type (a list where a mapping goes, …).
    WrongType,
    /// `duplicate-key`: a key written twice in one mapping.
    DuplicateKey,
    /// `duplicate-node`: a node id defined twice.
    DuplicateNode,
    /// `unknown-kind`: a node `kind` that does not exist.
    UnknownKind,
    /// `unknown-value`: a name that is not one of the values a key takes.
    UnknownValue,
    /// `bad-duration`: a duration that does not read (90s, 2m, 1h30m).
    BadDuration,
    /// `bad-rate`: a rate that does not read (120/h, 2/m).
    BadRate,
    /// `bad-distribution`: a distribution that does not read (exp(mean=3m), …).
    BadDistribution,
    /// `bad-clock`: a time of day that does not read (08:30).
    BadClock,
    /// `bad-hours`: opening hours that do not read (08:00-20:00).
    BadHours,
    /// `bad-share`: a share that does not read or is outside 0 to 1.
    BadShare,
    /// `out-of-range`: a number outside the range its key allows.
    OutOfRange,
    /// `invalid-value`: a value its key cannot take.
    InvalidValue,
    /// `unknown-entry`: `entry` or `online_entry` names no node (the closest id suggested).
    UnknownEntry,
    /// `unknown-target`: a transition to a node that does not exist (the closest id suggested).
    UnknownTarget,
    /// `unknown-pool`: a queue's pool is not in `agents` (the closest name suggested).
    UnknownPool,
    /// `unknown-segment`: a condition or share names a segment not in `callers.segments`.
    UnknownSegment,
    /// `online-entry-phone`: `online_entry` names a phone node.
    OnlineEntryPhone,
    /// `online-on-phone`: `channel: phone` on an `online` node.
    OnlineOnPhone,
    /// `no-seats`: a chat queue whose pool has no seat at any time.
    NoSeats,
    /// `share-sum`: a node's shares do not add up to 1.
    ShareSum,
    /// `segment-shares`: segment shares add up to more than 1.
    SegmentShares,
    /// `too-many-segments`: more than 1,000 caller segments.
    TooManySegments,
    /// `retries-out-of-range`: `retries` outside 0 to 9.
    RetriesOutOfRange,
    /// `bad-key`: a menu option key that is not a phone key (0-9, *, #).
    BadKey,
    /// `no-options`: a menu or bot with no option.
    NoOptions,
    /// `empty-condition`: a branch case with no condition.
    EmptyCondition,
    /// `bad-busy-rule`: a busy rule that cannot apply.
    BadBusyRule,
    /// `schedule-order`: a pool's schedule out of time order.
    ScheduleOrder,
    /// `bad-node-id`: a node id that cannot be one (empty, or holding characters ids cannot have).
    BadNodeId,
    /// `too-many-nodes`: more nodes than `--max-nodes`.
    TooManyNodes,
    /// `bad-target`: a staffing target in `targets:` that does not read.
    BadTarget,
    /// `overlay-unknown-node`: an overlay sets a node the menu does not have.
    OverlayUnknownNode,
    /// `import-failed`: the menu generated from a vendor flow could not be read back (a fault of hotline's).
    ImportFailed,
    /// `unused-pool`: warning: a pool no queue uses.
    UnusedPool,
    /// `no-arrivals`: warning: a caller model whose arrival rate is zero all day.
    NoArrivals,
    /// `on-max-wait-unused`: warning: `on_max_wait` without `max_wait`.
    OnMaxWaitUnused,
    /// `unquoted-distribution`: warning: a distribution inside `{ … }` that YAML splits at its comma (hotline rejoins it; editors and the JSON Schema need quotes).
    UnquotedDistribution,
    /// `chat-settings-on-phone`: warning: a pool with `concurrency` above 1 also answers a phone queue.
    ChatSettingsOnPhone,
    /// `first-reply-long`: warning: a first reply as long as a whole chat (the reply comes within the chat).
    FirstReplyLong,
    /// `vendor-bad-json`: a vendor flow that is not valid JSON.
    VendorBadJson,
    /// `vendor-bad-xml`: a VoiceXML document that is not well-formed.
    VendorBadXml,
    /// `vendor-bad-yaml`: an Archy YAML flow that does not parse.
    VendorBadYaml,
    /// `vendor-missing-key`: a vendor flow without a key its format requires.
    VendorMissingKey,
    /// `vendor-missing-start`: a vendor flow with no start, or a start leading nowhere.
    VendorMissingStart,
    /// `vendor-missing-target`: a transition to a block the flow does not have.
    VendorMissingTarget,
    /// `vendor-duplicate-block`: a block defined twice.
    VendorDuplicateBlock,
    /// `vendor-empty-flow`: a flow with no block.
    VendorEmptyFlow,
    /// `vendor-wrong-input`: warning: a split reading another block's input (none of its conditions can match).
    VendorWrongInput,
    /// `vendor-unannounced-option`: warning: a key the prompt never mentions.
    VendorUnannouncedOption,
    /// `vendor-placeholder`: warning: a template placeholder left in.
    VendorPlaceholder,
    /// `vendor-size-limit`: warning: a flow over its vendor's size limit.
    VendorSizeLimit,
    /// `vendor-duplicate-choice`: warning: an input offered twice in one block.
    VendorDuplicateChoice,
    /// `vendor-duplicate-key`: warning: a JSON key written twice in one object (the last is kept).
    VendorDuplicateKey,
    /// `vendor-bad-percentages`: warning: Amazon Connect percentages that are not increasing thresholds from 0 to 100.
    VendorBadPercentages,
    /// `vendor-same-flow`: warning: the same flow given twice (read once).
    VendorSameFlow,
    /// `vendor-external-flow`: warning: a transfer to a flow that was not given.
    VendorExternalFlow,
    /// `vendor-assumed-shares`: warning: caller shares assumed (equal options, 5% failed hearings, 1% errors).
    VendorAssumedShares,
    /// `vendor-assumed-pool`: warning: seats and handle time assumed for a queue the flow names.
    VendorAssumedPool,
    /// `vendor-assumed-hours`: warning: opening hours assumed (08:00-18:00).
    VendorAssumedHours,
    /// `vendor-unknown-decision`: warning: a decision on data or a function, its outcomes assumed equally likely.
    VendorUnknownDecision,
    /// `vendor-audio-prompt`: warning: a recorded prompt whose length is assumed (5 s).
    VendorAudioPrompt,
}

/// Every code: the variant, its name, what it means.
pub const CODES: &[(Code, &str, &str)] = &[
    (
        Code::YamlSyntax,
        "yaml-syntax",
        "the YAML does not parse (also alias bombs, nesting deeper than the limit, more than 2,000,000 YAML nodes)",
    ),
    (
        Code::NotUtf8,
        "not-utf8",
        "the file is not UTF-8 text (UTF-16 is named as such, with the command to convert it)",
    ),
    (
        Code::UnknownKey,
        "unknown-key",
        "a key the format does not have (the closest valid key suggested)",
    ),
    (Code::MissingKey, "missing-key", "a key the format requires is missing"),
    (
        Code::WrongType,
        "wrong-type",
        "a value of the wrong type (a list where a mapping goes, …)",
    ),
    (
        Code::DuplicateKey,
        "duplicate-key",
        "a key written twice in one mapping",
    ),
    (Code::DuplicateNode, "duplicate-node", "a node id defined twice"),
    (Code::UnknownKind, "unknown-kind", "a node `kind` that does not exist"),
    (
        Code::UnknownValue,
        "unknown-value",
        "a name that is not one of the values a key takes",
    ),
    (
        Code::BadDuration,
        "bad-duration",
        "a duration that does not read (90s, 2m, 1h30m)",
    ),
    (Code::BadRate, "bad-rate", "a rate that does not read (120/h, 2/m)"),
    (
        Code::BadDistribution,
        "bad-distribution",
        "a distribution that does not read (exp(mean=3m), …)",
    ),
    (Code::BadClock, "bad-clock", "a time of day that does not read (08:30)"),
    (
        Code::BadHours,
        "bad-hours",
        "opening hours that do not read (08:00-20:00)",
    ),
    (
        Code::BadShare,
        "bad-share",
        "a share that does not read or is outside 0 to 1",
    ),
    (
        Code::OutOfRange,
        "out-of-range",
        "a number outside the range its key allows",
    ),
    (Code::InvalidValue, "invalid-value", "a value its key cannot take"),
    (
        Code::UnknownEntry,
        "unknown-entry",
        "`entry` or `online_entry` names no node (the closest id suggested)",
    ),
    (
        Code::UnknownTarget,
        "unknown-target",
        "a transition to a node that does not exist (the closest id suggested)",
    ),
    (
        Code::UnknownPool,
        "unknown-pool",
        "a queue's pool is not in `agents` (the closest name suggested)",
    ),
    (
        Code::UnknownSegment,
        "unknown-segment",
        "a condition or share names a segment not in `callers.segments`",
    ),
    (
        Code::OnlineEntryPhone,
        "online-entry-phone",
        "`online_entry` names a phone node",
    ),
    (
        Code::OnlineOnPhone,
        "online-on-phone",
        "`channel: phone` on an `online` node",
    ),
    (
        Code::NoSeats,
        "no-seats",
        "a chat queue whose pool has no seat at any time",
    ),
    (Code::ShareSum, "share-sum", "a node's shares do not add up to 1"),
    (
        Code::SegmentShares,
        "segment-shares",
        "segment shares add up to more than 1",
    ),
    (
        Code::TooManySegments,
        "too-many-segments",
        "more than 1,000 caller segments",
    ),
    (
        Code::RetriesOutOfRange,
        "retries-out-of-range",
        "`retries` outside 0 to 9",
    ),
    (
        Code::BadKey,
        "bad-key",
        "a menu option key that is not a phone key (0-9, *, #)",
    ),
    (Code::NoOptions, "no-options", "a menu or bot with no option"),
    (
        Code::EmptyCondition,
        "empty-condition",
        "a branch case with no condition",
    ),
    (Code::BadBusyRule, "bad-busy-rule", "a busy rule that cannot apply"),
    (
        Code::ScheduleOrder,
        "schedule-order",
        "a pool's schedule out of time order",
    ),
    (
        Code::BadNodeId,
        "bad-node-id",
        "a node id that cannot be one (empty, or holding characters ids cannot have)",
    ),
    (Code::TooManyNodes, "too-many-nodes", "more nodes than `--max-nodes`"),
    (
        Code::BadTarget,
        "bad-target",
        "a staffing target in `targets:` that does not read",
    ),
    (
        Code::OverlayUnknownNode,
        "overlay-unknown-node",
        "an overlay sets a node the menu does not have",
    ),
    (
        Code::ImportFailed,
        "import-failed",
        "the menu generated from a vendor flow could not be read back (a fault of hotline's)",
    ),
    (Code::UnusedPool, "unused-pool", "warning: a pool no queue uses"),
    (
        Code::NoArrivals,
        "no-arrivals",
        "warning: a caller model whose arrival rate is zero all day",
    ),
    (
        Code::OnMaxWaitUnused,
        "on-max-wait-unused",
        "warning: `on_max_wait` without `max_wait`",
    ),
    (
        Code::UnquotedDistribution,
        "unquoted-distribution",
        "warning: a distribution inside `{ … }` that YAML splits at its comma (hotline rejoins it; editors and the JSON Schema need quotes)",
    ),
    (
        Code::ChatSettingsOnPhone,
        "chat-settings-on-phone",
        "warning: a pool with `concurrency` above 1 also answers a phone queue",
    ),
    (
        Code::FirstReplyLong,
        "first-reply-long",
        "warning: a first reply as long as a whole chat (the reply comes within the chat)",
    ),
    (
        Code::VendorBadJson,
        "vendor-bad-json",
        "a vendor flow that is not valid JSON",
    ),
    (
        Code::VendorBadXml,
        "vendor-bad-xml",
        "a VoiceXML document that is not well-formed",
    ),
    (
        Code::VendorBadYaml,
        "vendor-bad-yaml",
        "an Archy YAML flow that does not parse",
    ),
    (
        Code::VendorMissingKey,
        "vendor-missing-key",
        "a vendor flow without a key its format requires",
    ),
    (
        Code::VendorMissingStart,
        "vendor-missing-start",
        "a vendor flow with no start, or a start leading nowhere",
    ),
    (
        Code::VendorMissingTarget,
        "vendor-missing-target",
        "a transition to a block the flow does not have",
    ),
    (
        Code::VendorDuplicateBlock,
        "vendor-duplicate-block",
        "a block defined twice",
    ),
    (Code::VendorEmptyFlow, "vendor-empty-flow", "a flow with no block"),
    (
        Code::VendorWrongInput,
        "vendor-wrong-input",
        "warning: a split reading another block's input (none of its conditions can match)",
    ),
    (
        Code::VendorUnannouncedOption,
        "vendor-unannounced-option",
        "warning: a key the prompt never mentions",
    ),
    (
        Code::VendorPlaceholder,
        "vendor-placeholder",
        "warning: a template placeholder left in",
    ),
    (
        Code::VendorSizeLimit,
        "vendor-size-limit",
        "warning: a flow over its vendor's size limit",
    ),
    (
        Code::VendorDuplicateChoice,
        "vendor-duplicate-choice",
        "warning: an input offered twice in one block",
    ),
    (
        Code::VendorDuplicateKey,
        "vendor-duplicate-key",
        "warning: a JSON key written twice in one object (the last is kept)",
    ),
    (
        Code::VendorBadPercentages,
        "vendor-bad-percentages",
        "warning: Amazon Connect percentages that are not increasing thresholds from 0 to 100",
    ),
    (
        Code::VendorSameFlow,
        "vendor-same-flow",
        "warning: the same flow given twice (read once)",
    ),
    (
        Code::VendorExternalFlow,
        "vendor-external-flow",
        "warning: a transfer to a flow that was not given",
    ),
    (
        Code::VendorAssumedShares,
        "vendor-assumed-shares",
        "warning: caller shares assumed (equal options, 5% failed hearings, 1% errors)",
    ),
    (
        Code::VendorAssumedPool,
        "vendor-assumed-pool",
        "warning: seats and handle time assumed for a queue the flow names",
    ),
    (
        Code::VendorAssumedHours,
        "vendor-assumed-hours",
        "warning: opening hours assumed (08:00-18:00)",
    ),
    (
        Code::VendorUnknownDecision,
        "vendor-unknown-decision",
        "warning: a decision on data or a function, its outcomes assumed equally likely",
    ),
    (
        Code::VendorAudioPrompt,
        "vendor-audio-prompt",
        "warning: a recorded prompt whose length is assumed (5 s)",
    ),
];

impl Code {
    /// The name diagnostics show: `unknown-target`.
    pub fn name(self) -> &'static str {
        CODES.iter().find(|(c, _, _)| *c == self).map_or("", |(_, n, _)| n)
    }

    /// What the code means.
    pub fn meaning(self) -> &'static str {
        CODES.iter().find(|(c, _, _)| *c == self).map_or("", |(_, _, m)| m)
    }

    /// The code of a name, when it is one.
    pub fn from_name(name: &str) -> Option<Code> {
        CODES.iter().find(|(_, n, _)| *n == name).map(|(c, _, _)| *c)
    }

    /// A message with this code in front (`[bad-duration] …`): how a value
    /// parser hands its code through serde, whose errors carry only text;
    /// [`Code::split`] reads it back in the one deserializer that does.
    pub fn tag(self, message: &str) -> String {
        format!("[{}] {message}", self.name())
    }

    /// The code and message of a [`Code::tag`]ged text.
    pub fn split(text: &str) -> Option<(Code, &str)> {
        let rest = text.strip_prefix('[')?;
        let (name, message) = rest.split_once("] ")?;
        Some((Code::from_name(name)?, message))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for (c, n, _) in CODES {
            assert_eq!(Code::from_name(n), Some(*c));
            assert_eq!(c.to_string(), *n);
        }
        let t = Code::BadDuration.tag("\"9q\" is not a duration");
        assert_eq!(Code::split(&t), Some((Code::BadDuration, "\"9q\" is not a duration")));
    }
}
