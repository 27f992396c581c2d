//! Inspectors' test calls set against what each menu declares: a CSV of
//! calls made to the hotlines of a survey (`survey --calls`), one row a
//! call, summed up per hotline — a finding where reality is worse than the
//! menu says.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Largest test-call file read.
pub const MAX_BYTES: usize = 256 << 20;

/// One test call.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCall {
    /// Line of the file.
    pub line: u64,
    /// The hotline: its menu file (path or file name) or its name.
    pub hotline: String,
    /// `phone` or `online`.
    pub channel: String,
    /// Selections made before a human (or before giving up).
    pub selections: Option<u32>,
    /// Seconds until a human answered.
    pub seconds_to_human: Option<f64>,
    /// Whether a human was reached.
    pub reached_human: bool,
    /// Times the caller was sent to another channel.
    pub bounced: u32,
}

/// A hotline's test calls against its menu.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallsSummary {
    /// Test calls made.
    pub count: usize,
    /// Share that reached a human.
    pub reached_human: f64,
    /// Median selections of the calls that reached a human.
    pub median_selections: Option<f64>,
    /// Median seconds to a human of the calls that reached one.
    pub median_seconds_to_human: Option<f64>,
    /// Times sent to another channel, over all calls.
    pub bounced: u32,
    /// Where the calls show worse than the menu declares (empty when they
    /// agree).
    pub findings: Vec<String>,
}

/// Reads a test-call CSV (columns `hotline`, `date`, `channel`,
/// `selections`, `seconds_to_human`, `reached_human`, `bounced`, `notes`;
/// `hotline` and `reached_human` required), every bad line named.
pub fn read(path: &Path) -> Result<Vec<TestCall>, Error> {
    let shown = path.display().to_string();
    let bytes = crate::files::read(path, MAX_BYTES)?;
    let bad = |line: u64, what: String| Error::Invalid {
        message: format!("{shown}:{line}: {what}"),
    };
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| bad(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(hotline_c), Some(reached_c)) = (col("hotline"), col("reached_human")) else {
        return Err(bad(
            1,
            "a test-call file needs the columns hotline and reached_human (and may have date, channel, selections, seconds_to_human, bounced, notes)".into(),
        ));
    };
    let (sel_c, secs_c, chan_c, bounced_c) = (
        col("selections"),
        col("seconds_to_human"),
        col("channel"),
        col("bounced"),
    );
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| bad(line, e.to_string()))?;
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).filter(|s| !s.is_empty());
        let hotline = get(Some(hotline_c)).ok_or_else(|| bad(line, "no hotline".into()))?;
        let reached = match get(Some(reached_c)).map(str::to_ascii_lowercase).as_deref() {
            Some("yes" | "y" | "true" | "1" | "是") => true,
            Some("no" | "n" | "false" | "0" | "否") => false,
            other => {
                return Err(bad(
                    line,
                    format!("reached_human is \"{}\", not yes or no", other.unwrap_or("")),
                ));
            }
        };
        let number = |c: Option<usize>, name: &str| -> Result<Option<f64>, Error> {
            match get(c) {
                None => Ok(None),
                Some(t) => t
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .map(Some)
                    .ok_or_else(|| bad(line, format!("{name} is \"{t}\", not a number of 0 or more"))),
            }
        };
        let selections = number(sel_c, "selections")?;
        if selections.is_some_and(|s| s.fract() != 0.0 || s > 1e6) {
            return Err(bad(line, "selections is not a whole number".into()));
        }
        let bounced = number(bounced_c, "bounced")?.unwrap_or(0.0);
        if bounced.fract() != 0.0 || bounced > 1e6 {
            return Err(bad(line, "bounced is not a whole number".into()));
        }
        out.push(TestCall {
            line,
            hotline: hotline.into(),
            channel: get(chan_c).unwrap_or("phone").to_ascii_lowercase(),
            selections: selections.map(|s| s as u32),
            seconds_to_human: number(secs_c, "seconds_to_human")?,
            reached_human: reached,
            bounced: bounced as u32,
        });
    }
    Ok(out)
}

/// What a hotline's menu declares, as its survey row says.
#[derive(Clone, Copy, Debug)]
pub struct Declared {
    /// Whether a queue can be reached (`None`: the menu did not load).
    pub reachable: Option<bool>,
    /// Fewest selections to a human.
    pub selections: Option<u32>,
    /// Whether a busy message sends callers to another channel.
    pub deflection: Option<bool>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// A hotline's test calls summed up against what its menu declares.
pub fn summary(declared: &Declared, calls: &[&TestCall]) -> CallsSummary {
    let reached: Vec<&&TestCall> = calls.iter().filter(|c| c.reached_human).collect();
    let median_selections = median(reached.iter().filter_map(|c| c.selections).map(f64::from).collect());
    let median_seconds = median(reached.iter().filter_map(|c| c.seconds_to_human).collect());
    let bounced: u32 = calls.iter().map(|c| c.bounced).sum();
    let mut findings = Vec::new();
    if declared.reachable == Some(true) && reached.is_empty() {
        findings.push(format!(
            "the menu has a human, the {} test call(s) never reached one",
            calls.len()
        ));
    }
    if let (Some(declared), Some(seen)) = (declared.selections, median_selections)
        && seen > f64::from(declared)
    {
        findings.push(format!(
            "the menu declares {declared} selection(s) to a human, the test calls needed {} (median)",
            crate::menu::value::trim_float(seen)
        ));
    }
    if bounced > 0 && declared.deflection != Some(true) {
        findings.push(format!(
            "the test calls were sent to another channel {bounced} time(s), which the menu does not declare"
        ));
    }
    CallsSummary {
        count: calls.len(),
        reached_human: reached.len() as f64 / calls.len() as f64,
        median_selections,
        median_seconds_to_human: median_seconds,
        bounced,
        findings,
    }
}
