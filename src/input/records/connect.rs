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

use serde_json::Value;

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
    let mut take = |v: &Value, line: u64, reading: &mut Reading| match record(v, line) {
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
            match serde_json::from_str::<Value>(raw.get()) {
                Ok(v) => take(&v, line, &mut reading),
                Err(e) => reading.skip(path, line, &format!("not JSON: {e}")),
            }
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
        match serde_json::from_str::<Value>(text) {
            Ok(v) => take(&v, line_no, &mut reading),
            Err(e) => reading.skip(path, line_no, &format!("not a JSON object: {e}")),
        }
    }
    Ok(reading)
}

/// One contact record (an error for one that is not a new arrival).
fn record(v: &Value, line: u64) -> Result<Record, String> {
    let Some(obj) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    let id = obj
        .get("ContactId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("no ContactId")?;
    let stamp = |v: Option<&Value>, name: &str| -> Result<Option<time::Stamp>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => time::parse(s)
                .map(Some)
                .map_err(|e| format!("contact {id}: {name}: {e}")),
            Some(Value::Number(n)) => Ok(n.as_f64().map(|epoch| time::Stamp { epoch, offset: 0 })),
            Some(_) => Err(format!("contact {id}: {name} is not a time")),
        }
    };
    let online = match obj.get("Channel").and_then(Value::as_str) {
        None | Some("VOICE") => false,
        Some("CHAT") => true,
        Some(other) => return Err(format!("contact {id}: channel {other} is neither VOICE nor CHAT")),
    };
    match obj.get("InitiationMethod").and_then(Value::as_str) {
        Some("OUTBOUND") => return Err(format!("contact {id}: an outbound contact, not a caller's")),
        Some("TRANSFER" | "QUEUE_TRANSFER") => {
            return Err(format!("contact {id}: a transfer, counted in the contact it came from"));
        }
        _ => {}
    }
    let arrived = stamp(obj.get("InitiationTimestamp"), "InitiationTimestamp")?
        .ok_or_else(|| format!("contact {id}: no InitiationTimestamp"))?;
    let ended = stamp(obj.get("DisconnectTimestamp"), "DisconnectTimestamp")?
        .ok_or_else(|| format!("contact {id}: no DisconnectTimestamp"))?;
    let queue = obj.get("Queue").filter(|q| q.is_object());
    let agent = obj.get("Agent").filter(|a| a.is_object());
    let queue_name = queue
        .and_then(|q| q.get("Name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let queued = match queue {
        Some(q) => stamp(q.get("EnqueueTimestamp"), "Queue.EnqueueTimestamp")?.map(|s| s.epoch),
        None => None,
    };
    let answered = match agent {
        Some(a) => stamp(a.get("ConnectedToAgentTimestamp"), "Agent.ConnectedToAgentTimestamp")?.map(|s| s.epoch),
        None => None,
    };
    let after_call_s = agent
        .and_then(|a| a.get("AfterContactWorkDuration"))
        .and_then(Value::as_f64)
        .filter(|x| x.is_finite() && *x >= 0.0);
    let queued = queued.or_else(|| queue_name.as_ref().map(|_| arrived.epoch));
    let reason = obj.get("DisconnectReason").and_then(Value::as_str).unwrap_or("");
    let outcome = if answered.is_some() {
        Outcome::Answered
    } else if queued.is_some() {
        match reason {
            "CUSTOMER_DISCONNECT" | "" => Outcome::Abandoned,
            _ => Outcome::Disconnected,
        }
    } else {
        Outcome::Hangup
    };
    let r = Record {
        line,
        call_id: id.to_string(),
        caller: obj
            .get("CustomerEndpoint")
            .and_then(|c| c.get("Address"))
            .and_then(Value::as_str)
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
    };
    super::check(&r).map_err(|what| format!("contact {id}: {what}"))?;
    Ok(r)
}
