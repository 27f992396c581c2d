//! Amazon Connect contact records: JSON objects, one a line (as Kinesis
//! and S3 exports write them) or one array. Fields read: `ContactId`,
//! `Channel` (`VOICE`, `CHAT`), `InitiationMethod`,
//! `InitiationTimestamp`, `DisconnectTimestamp`, `DisconnectReason`,
//! `Queue.Name`, `Queue.EnqueueTimestamp`,
//! `Agent.ConnectedToAgentTimestamp`, `Agent.AfterContactWorkDuration`,
//! `CustomerEndpoint.Address`. A record delivered twice (the same
//! `ContactId`) is counted once; outbound contacts and transfers (not
//! new arrivals) are passed over with a warning.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, Read};

use std::borrow::Cow;

use super::{Outcome, Reading, Record, time};
use crate::error::Error;

/// Most bytes of a file written as one JSON array (read whole).
pub const MAX_ARRAY_BYTES: u64 = 1 << 30;

/// Reads contact records.
pub fn read(mut file: impl BufRead, path: &str, each: &mut dyn FnMut(Record)) -> Result<Reading, Error> {
    let mut reading = Reading::default();
    let mut seen: HashSet<u64> = HashSet::new();
    let first = loop {
        let buf = file.fill_buf().map_err(|e| super::io_error(path, e))?;
        match buf
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
        {
            Some(i) => {
                let b = buf[i];
                file.consume(i);
                break Some(b);
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                file.consume(n);
            }
        }
    };
    let mut take = |text: &str, line: u64, reading: &mut Reading| match parse(text, line) {
        Ok(r) => {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            r.call_id.hash(&mut h);
            if seen.insert(h.finish()) {
                reading.read += 1;
                each(r);
            } else {
                reading.warn(
                    path,
                    line,
                    &format!("contact {} delivered again: counted once", r.call_id),
                );
            }
        }
        Err(what) => reading.skip(path, line, &what),
    };
    if first == Some(b'[') {
        let mut bytes = Vec::new();
        file.take(MAX_ARRAY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| super::io_error(path, e))?;
        if bytes.len() as u64 > MAX_ARRAY_BYTES {
            return Err(Error::Invalid {
                message: format!(
                    "{path}: a JSON array over {MAX_ARRAY_BYTES} bytes; write one record a line to stream it"
                ),
            });
        }
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_slice(&bytes).map_err(|e| Error::Invalid {
            message: format!(
                "{path}:{}:{}: not a JSON array of contact records: {e}",
                e.line(),
                e.column()
            ),
        })?;
        for raw in items {
            let offset = raw.get().as_ptr() as usize - bytes.as_ptr() as usize;
            let line = 1 + bytes[..offset].iter().filter(|b| **b == b'\n').count() as u64;
            take(raw.get(), line, &mut reading);
        }
        return Ok(reading);
    }
    let mut line_no = 0u64;
    for line in file.split(b'\n') {
        let line = line.map_err(|e| super::io_error(path, e))?;
        line_no += 1;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim().trim_start_matches('\u{feff}');
        if text.is_empty() {
            continue;
        }
        take(text, line_no, &mut reading);
    }
    Ok(reading)
}

/// The fields of a contact record hotline reads (the rest are skipped).
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Ctr<'a> {
    #[serde(borrow, default)]
    contact_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    channel: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    initiation_method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    initiation_timestamp: Option<Stampish<'a>>,
    #[serde(borrow, default)]
    disconnect_timestamp: Option<Stampish<'a>>,
    #[serde(borrow, default)]
    disconnect_reason: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    queue: Option<CtrQueue<'a>>,
    #[serde(borrow, default)]
    agent: Option<CtrAgent<'a>>,
    #[serde(borrow, default)]
    customer_endpoint: Option<CtrEndpoint<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CtrQueue<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    enqueue_timestamp: Option<Stampish<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CtrAgent<'a> {
    #[serde(borrow, default)]
    connected_to_agent_timestamp: Option<Stampish<'a>>,
    #[serde(default)]
    after_contact_work_duration: Option<f64>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CtrEndpoint<'a> {
    #[serde(borrow, default)]
    address: Option<Cow<'a, str>>,
}

/// A timestamp as text (ISO 8601) or a number (epoch seconds or ms).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Stampish<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Number(f64),
}

/// One contact record from its JSON text (an error for one that is not a
/// new arrival).
fn parse(text: &str, line: u64) -> Result<Record, String> {
    let c: Ctr<'_> = serde_json::from_str(text).map_err(|e| format!("not a contact record: {e}"))?;
    record(&c, line)
}

fn record(c: &Ctr<'_>, line: u64) -> Result<Record, String> {
    let id = c
        .contact_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or("no ContactId")?;
    let stamp = |v: &Option<Stampish<'_>>, name: &str| -> Result<Option<time::Stamp>, String> {
        match v {
            None => Ok(None),
            Some(Stampish::Text(s)) if s.is_empty() => Ok(None),
            Some(Stampish::Text(s)) => time::parse(s)
                .map(Some)
                .map_err(|e| format!("contact {id}: {name}: {e}")),
            Some(Stampish::Number(n)) => time::parse(&n.to_string())
                .map(Some)
                .map_err(|e| format!("contact {id}: {name}: {e}")),
        }
    };
    let online = match c.channel.as_deref() {
        None | Some("VOICE") => false,
        Some("CHAT") => true,
        Some(other) => return Err(format!("contact {id}: channel {other} is neither VOICE nor CHAT")),
    };
    match c.initiation_method.as_deref() {
        Some("OUTBOUND") => return Err(format!("contact {id}: an outbound contact, not a caller's")),
        Some("TRANSFER" | "QUEUE_TRANSFER") => {
            return Err(format!("contact {id}: a transfer, counted in the contact it came from"));
        }
        _ => {}
    }
    let arrived = stamp(&c.initiation_timestamp, "InitiationTimestamp")?
        .ok_or_else(|| format!("contact {id}: no InitiationTimestamp"))?;
    let ended = stamp(&c.disconnect_timestamp, "DisconnectTimestamp")?
        .ok_or_else(|| format!("contact {id}: no DisconnectTimestamp"))?;
    let queue_name = c.queue.as_ref().and_then(|q| q.name.as_deref()).map(str::to_string);
    let queued = match &c.queue {
        Some(q) => stamp(&q.enqueue_timestamp, "Queue.EnqueueTimestamp")?.map(|s| s.epoch),
        None => None,
    };
    let answered = match &c.agent {
        Some(a) => stamp(&a.connected_to_agent_timestamp, "Agent.ConnectedToAgentTimestamp")?.map(|s| s.epoch),
        None => None,
    };
    let after_call_s = c
        .agent
        .as_ref()
        .and_then(|a| a.after_contact_work_duration)
        .filter(|x| x.is_finite() && *x >= 0.0);
    let queued = queued.or_else(|| queue_name.as_ref().map(|_| arrived.epoch));
    let outcome = if answered.is_some() {
        Outcome::Answered
    } else if queued.is_some() {
        match c.disconnect_reason.as_deref().unwrap_or("") {
            "CUSTOMER_DISCONNECT" | "" => Outcome::Abandoned,
            _ => Outcome::Disconnected,
        }
    } else {
        Outcome::Hangup
    };
    let r = Record {
        line,
        call_id: id.to_string(),
        caller: c
            .customer_endpoint
            .as_ref()
            .and_then(|e| e.address.as_deref())
            .map(str::to_string),
        arrived: arrived.epoch,
        offset: arrived.offset,
        queue: queue_name,
        queued,
        answered,
        ended: ended.epoch,
        after_call_s,
        outcome,
        online,
        path: None,
        idle_agents: None,
    };
    super::check(&r).map_err(|what| format!("contact {id}: {what}"))?;
    Ok(r)
}
