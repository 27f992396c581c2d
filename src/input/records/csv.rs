//! The generic CSV: one call a row, columns named in the header
//! (`call_id`, `arrived` and `ended` required; `caller`, `queue`, `queued`,
//! `answered`, `outcome`, `channel`, `path`, `after_call` optional; other
//! columns ignored).

use super::{Outcome, Reading, Record, time};
use crate::error::Error;

/// Reads the generic CSV.
pub fn read(file: impl std::io::Read, path: &str, each: &mut dyn FnMut(Record)) -> Result<Reading, Error> {
    let mut rd = ::csv::ReaderBuilder::new()
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(file);
    let invalid = |line: u64, what: String| Error::Invalid {
        message: format!("{path}:{line}: {what}"),
    };
    let headers = rd
        .headers()
        .map_err(|e| invalid(1, format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let need = |name: &str| col(name).ok_or_else(|| invalid(1, format!("the header has no \"{name}\" column")));
    let (id_c, arr_c, end_c) = (need("call_id")?, need("arrived")?, need("ended")?);
    let [caller_c, queue_c, queued_c, ans_c, out_c, chan_c, path_c, acw_c] = [
        "caller",
        "queue",
        "queued",
        "answered",
        "outcome",
        "channel",
        "path",
        "after_call",
    ]
    .map(col);
    let mut reading = Reading::default();
    let mut row = ::csv::StringRecord::new();
    loop {
        match rd.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, ::csv::Position::line);
                if let ::csv::ErrorKind::Io(io) = e.kind() {
                    return Err(super::io_error(path, std::io::Error::new(io.kind(), io.to_string())));
                }
                return Err(invalid(line, format!("not a CSV row: {e}")));
            }
        }
        let line = row.position().map_or(0, ::csv::Position::line);
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).filter(|s| !s.is_empty());
        match parse_row(
            &get,
            [id_c, arr_c, end_c],
            [caller_c, queue_c, queued_c, ans_c, out_c, chan_c, path_c, acw_c],
            line,
        ) {
            Ok(r) => {
                reading.read += 1;
                each(r);
            }
            Err(what) => reading.skip(path, line, &what),
        }
    }
    Ok(reading)
}

type Getter<'a> = dyn Fn(Option<usize>) -> Option<&'a str> + 'a;

fn parse_row<'a>(
    get: &Getter<'a>,
    [id_c, arr_c, end_c]: [usize; 3],
    opt: [Option<usize>; 8],
    line: u64,
) -> Result<Record, String> {
    let [caller_c, queue_c, queued_c, ans_c, out_c, chan_c, path_c, acw_c] = opt;
    let call_id = get(Some(id_c)).ok_or("no call_id")?.to_string();
    let stamp = |c: Option<usize>, name: &str| -> Result<Option<time::Stamp>, String> {
        get(c)
            .map(|s| time::parse(s).map_err(|e| format!("{name}: {e}")))
            .transpose()
    };
    let arrived = stamp(Some(arr_c), "arrived")?.ok_or("no arrived time")?;
    let ended = stamp(Some(end_c), "ended")?.ok_or("no ended time")?;
    let queued = stamp(queued_c, "queued")?.map(|s| s.epoch);
    let answered = stamp(ans_c, "answered")?.map(|s| s.epoch);
    let queue = get(queue_c).map(str::to_string);
    let online = match get(chan_c).map(str::to_ascii_lowercase).as_deref() {
        None | Some("phone" | "voice") => false,
        Some("online" | "chat") => true,
        Some(other) => return Err(format!("channel \"{other}\" is neither phone nor online")),
    };
    let outcome = match get(out_c) {
        Some(o) => Outcome::parse(o).ok_or_else(|| {
            format!("outcome \"{o}\" is none of answered, abandoned, disconnected, deflected, resolved, hangup")
        })?,
        None if answered.is_some() => Outcome::Answered,
        None if queued.is_some() || queue.is_some() => Outcome::Abandoned,
        None => Outcome::Hangup,
    };
    let after_call_s = match get(acw_c) {
        Some(s) => Some(
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("after_call \"{s}\" is not a number of seconds"))?,
        ),
        None => None,
    };
    // A queue with no queued time joined when the call arrived.
    let queued = queued.or_else(|| queue.as_ref().map(|_| arrived.epoch));
    let r = Record {
        line,
        call_id,
        caller: get(caller_c).map(str::to_string),
        arrived: arrived.epoch,
        offset: arrived.offset,
        queue,
        queued,
        answered,
        ended: ended.epoch,
        after_call_s,
        outcome,
        online,
        path: get(path_c).map(str::to_string),
        idle_agents: None,
    };
    super::check(&r)?;
    Ok(r)
}
