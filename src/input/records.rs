//! Call records: what happened to each call, read from the files a
//! contact centre already has. Three formats, told apart by content:
//! Asterisk's `queue_log`, Amazon Connect contact records (JSON objects,
//! one a line or an array) and the generic CSV of the README. Files are
//! streamed through the guarded reader (memory follows the calls open at
//! once, not the file), and every bad line is named by file and line.

pub mod asterisk;
pub mod connect;
pub mod csv;
pub mod time;

use std::path::Path;

use crate::error::Error;

/// Most bytes of one records file (1 TiB: records are streamed).
pub const MAX_BYTES: u64 = 1 << 40;
/// Warnings kept per file; the rest are counted.
pub const MAX_WARNINGS: usize = 20;

/// How a call or chat ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// An agent took it.
    Answered,
    /// The caller gave up waiting in a queue.
    Abandoned,
    /// The queue let the caller go (a time-out, no agents).
    Disconnected,
    /// Sent elsewhere (online, a message) instead of being queued.
    Deflected,
    /// Settled without an agent (self-service, online).
    Resolved,
    /// Ended in the menu without a queue.
    Hangup,
}

impl Outcome {
    /// The outcome named in a record.
    pub fn parse(text: &str) -> Option<Outcome> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "answered" => Outcome::Answered,
            "abandoned" => Outcome::Abandoned,
            "disconnected" => Outcome::Disconnected,
            "deflected" => Outcome::Deflected,
            "resolved" => Outcome::Resolved,
            "hangup" => Outcome::Hangup,
            _ => return None,
        })
    }

    /// Its name in records.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Abandoned => "abandoned",
            Outcome::Disconnected => "disconnected",
            Outcome::Deflected => "deflected",
            Outcome::Resolved => "resolved",
            Outcome::Hangup => "hangup",
        }
    }
}

/// One call or chat.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Line of the file it was read from (its last line, for formats
    /// that spread a call over several).
    pub line: u64,
    /// The call's id.
    pub call_id: String,
    /// Who called, when the records say.
    pub caller: Option<String>,
    /// When it reached the hotline, epoch seconds.
    pub arrived: f64,
    /// Offset of the records' local time, seconds east of UTC.
    pub offset: i32,
    /// The queue it joined, if any.
    pub queue: Option<String>,
    /// When it joined the queue.
    pub queued: Option<f64>,
    /// When an agent picked it up.
    pub answered: Option<f64>,
    /// When it ended.
    pub ended: f64,
    /// After-call work of the agent, seconds, when the records give it.
    pub after_call_s: Option<f64>,
    /// How it ended.
    pub outcome: Outcome,
    /// Online (a chat) rather than the phone.
    pub online: bool,
    /// Node ids or keys taken in the menu.
    pub path: Option<String>,
    /// Agents of its queue logged in, not paused and not on a call when
    /// the call was sent away or left the queue unanswered, where the
    /// records follow the agents (a queue_log with member events).
    pub idle_agents: Option<u32>,
}

impl Record {
    /// Seconds in the queue (until answered or until leaving it).
    pub fn wait(&self) -> Option<f64> {
        let q = self.queued?;
        Some((self.answered.unwrap_or(self.ended) - q).max(0.0))
    }

    /// Seconds with the agent, for answered calls.
    pub fn handle(&self) -> Option<f64> {
        self.answered.map(|a| (self.ended - a).max(0.0))
    }
}

/// An agent's seat in a queue opened (logged in and not paused) or
/// closed (logged off, paused), from a queue_log's member events.
#[derive(Clone, Debug, PartialEq)]
pub struct SeatChange {
    /// When, epoch seconds.
    pub at: f64,
    /// Offset of the records' local time, seconds east of UTC.
    pub offset: i32,
    /// The queue.
    pub queue: String,
    /// The agent.
    pub agent: String,
    /// Open (taking calls) from now on, or closed.
    pub open: bool,
}

/// Where a reader hands what it reads, in file order.
pub trait Sink {
    /// One call or chat.
    fn call(&mut self, r: Record);
    /// One seat opened or closed (formats that follow the agents).
    fn seat(&mut self, _s: SeatChange) {}
}

/// A records format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Format {
    /// Asterisk `queue_log`.
    #[serde(rename = "asterisk")]
    Asterisk,
    /// Amazon Connect contact records.
    #[serde(rename = "connect")]
    Connect,
    /// The generic CSV.
    #[serde(rename = "csv")]
    Csv,
}

impl Format {
    /// The name of the format as `--log-format` and JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Asterisk => "asterisk",
            Format::Connect => "connect",
            Format::Csv => "csv",
        }
    }
}

/// What reading a file gave besides its records.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    /// Records (calls) read.
    pub read: u64,
    /// Lines or records skipped, each with a warning.
    pub skipped: u64,
    /// Warnings, `file:line: what`, the first [`MAX_WARNINGS`].
    pub warnings: Vec<String>,
}

impl Reading {
    /// Notes a skipped line or record.
    pub fn skip(&mut self, path: &str, line: u64, what: &str) {
        self.skipped += 1;
        self.warn(path, line, what);
    }

    /// Notes a warning.
    pub fn warn(&mut self, path: &str, line: u64, what: &str) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(format!("{path}:{line}: {what}"));
        }
    }
}

/// Tells the format of a records file from its first bytes.
pub fn detect(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if first.starts_with('{') || first.starts_with('[') {
        return text.contains("\"ContactId\"").then_some(Format::Connect);
    }
    if asterisk::looks_like(first) {
        return Some(Format::Asterisk);
    }
    let cols: Vec<String> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    ["call_id", "arrived", "ended"]
        .iter()
        .all(|c| cols.iter().any(|x| x == c))
        .then_some(Format::Csv)
}

/// Reads a records file, handing each call (and each seat change) to
/// `sink` in the order the file gives them; the format is detected from
/// content.
pub fn read(path: &Path, sink: &mut dyn Sink) -> Result<(Format, Reading), Error> {
    let shown = path.display().to_string();
    let head = crate::files::head(path, 64 * 1024)?;
    let format = detect(&head).ok_or_else(|| Error::Invalid {
        message: format!(
            "{shown}: not call records hotline reads (tried: Asterisk queue_log, \"epoch|uniqueid|queue|agent|EVENT|…\"; Amazon Connect contact records, JSON objects with \"ContactId\"; the generic CSV, a header with call_id, arrived and ended)"
        ),
    })?;
    let file = crate::files::open(path, MAX_BYTES)?;
    let reading = match format {
        Format::Asterisk => asterisk::read(file, &shown, sink)?,
        Format::Connect => connect::read(file, &shown, &mut |r| sink.call(r))?,
        Format::Csv => csv::read(file, &shown, &mut |r| sink.call(r))?,
    };
    Ok((format, reading))
}

/// A read error of `path` as the command's error.
pub(crate) fn io_error(path: &str, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::FileTooLarge {
        Error::Invalid {
            message: format!("{path}: larger than {MAX_BYTES} bytes"),
        }
    } else {
        Error::Read {
            path: path.into(),
            source: e,
        }
    }
}

/// A record's fields checked: times finite and in order.
pub(crate) fn check(r: &Record) -> Result<(), String> {
    let times = [Some(r.arrived), r.queued, r.answered, Some(r.ended)];
    if times.iter().flatten().any(|t| !t.is_finite()) {
        return Err("a time that is not a number".into());
    }
    if r.ended < r.arrived {
        return Err("ended before it arrived".into());
    }
    if let Some(q) = r.queued
        && (q < r.arrived - 1e-6 || q > r.ended + 1e-6)
    {
        return Err("queued outside the call".into());
    }
    if let Some(a) = r.answered
        && (a < r.queued.unwrap_or(r.arrived) - 1e-6 || a > r.ended + 1e-6)
    {
        return Err("answered outside the call or before it queued".into());
    }
    Ok(())
}
