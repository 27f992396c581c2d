//! Typed values written in a menu: durations, rates, shares, clock times,
//! hour ranges and probability distributions.
//!
//! Every value a designer writes as text (`90s`, `120/h`, `exp(mean=3m)`) is
//! parsed here once, into a type the rest of the crate can trust: a
//! [`Duration`] is never negative, a [`Rate`] is finite and positive, a
//! [`Dist`] has valid parameters. Parse errors are plain sentences; the
//! loader adds the file position.

use std::borrow::Cow;
use std::fmt;

mod dist;

pub use dist::Dist;

use crate::diag::Code;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Largest duration accepted anywhere but the length of a run: one year, in seconds.
pub const MAX_SECONDS: f64 = 366.0 * 24.0 * 3600.0;

/// Longest simulated period (`simulation.duration`): a hundred years, in
/// seconds. Memory does not grow with the length of a run, so a long
/// steady-state run is bounded by this and by the time it takes.
pub const MAX_RUN_SECONDS: f64 = 100.0 * 366.0 * 24.0 * 3600.0;

/// Smallest mean (and standard deviation, when not zero) of a
/// distribution: one microsecond. Smaller values are not durations a
/// hotline has, and near the smallest floats the samplers cannot be built.
pub const MIN_DIST_SECONDS: f64 = 1e-6;

/// Largest ratio of a distribution's standard deviation to its mean.
pub const MAX_CV: f64 = 1000.0;

/// A non-negative length of time in seconds.
///
/// Written `90s`, `2m`, `1h30m`, `250ms`, or a bare number of seconds.
///
/// ```
/// use hotline::menu::value::Duration;
/// assert_eq!(Duration::parse("1h30m").unwrap().secs(), 5400.0);
/// assert_eq!(Duration::parse("2.5m").unwrap().secs(), 150.0);
/// assert!(Duration::parse("-3s").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct Duration(f64);

impl Duration {
    /// The zero duration.
    pub const ZERO: Duration = Duration(0.0);

    /// A duration from seconds; fails when negative, not finite or above a year.
    pub fn from_secs(secs: f64) -> Result<Duration, String> {
        Duration::capped(secs, MAX_SECONDS, "a year")
    }

    fn capped(secs: f64, cap: f64, cap_name: &str) -> Result<Duration, String> {
        if !secs.is_finite() {
            return Err(format!("duration {secs} is not a finite number"));
        }
        if secs < 0.0 {
            return Err(format!("duration {secs}s is negative"));
        }
        if secs > cap {
            return Err(format!("duration {secs}s is longer than {cap_name}"));
        }
        Ok(Duration(secs))
    }

    /// Parses `90s`, `2m`, `1h30m`, `250ms` or a bare number of seconds.
    pub fn parse(text: &str) -> Result<Duration, String> {
        Duration::parse_capped(text, MAX_SECONDS, "a year")
    }

    fn parse_capped(text: &str, cap: f64, cap_name: &str) -> Result<Duration, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty duration".into());
        }
        if let Ok(n) = t.parse::<f64>() {
            return Duration::capped(n, cap, cap_name);
        }
        if t.starts_with('-') {
            return Err(format!("duration \"{t}\" is negative"));
        }
        let mut total = 0.0;
        let mut rest = t;
        let mut last_rank = usize::MAX;
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            if num_len == 0 {
                return Err(bad_duration(t));
            }
            let n: f64 = rest[..num_len].parse().map_err(|_| bad_duration(t))?;
            rest = &rest[num_len..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let (factor, rank) = match rest[..unit_len].trim() {
                "h" | "hr" | "hour" | "hours" => (3600.0, 0),
                "m" | "min" | "mins" | "minute" | "minutes" => (60.0, 1),
                "s" | "sec" | "secs" | "second" | "seconds" => (1.0, 2),
                "ms" => (0.001, 3),
                _ => return Err(bad_duration(t)),
            };
            if last_rank != usize::MAX && rank <= last_rank {
                return Err(bad_duration(t));
            }
            last_rank = rank;
            total += n * factor;
            rest = &rest[unit_len..];
        }
        Duration::capped(total, cap, cap_name)
    }

    /// Seconds as a float.
    pub fn secs(self) -> f64 {
        self.0
    }
}

fn bad_duration(t: &str) -> String {
    format!("\"{t}\" is not a duration (write 90s, 2m, 1h30m or a number of seconds)")
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_secs(self.0, f)
    }
}

/// The length of a simulated period (`simulation.duration`, `warmup`):
/// written like a [`Duration`], but up to a hundred years
/// ([`MAX_RUN_SECONDS`]) rather than one.
///
/// ```
/// use hotline::menu::value::RunLength;
/// assert_eq!(RunLength::parse("20000h").unwrap().secs(), 72_000_000.0);
/// assert!(RunLength::parse("1000000h").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct RunLength(f64);

impl RunLength {
    /// Parses a duration of at most a hundred years.
    pub fn parse(text: &str) -> Result<RunLength, String> {
        Duration::parse_capped(text, MAX_RUN_SECONDS, "a hundred years").map(|d| RunLength(d.0))
    }

    /// A run length from seconds.
    pub fn from_secs(secs: f64) -> Result<RunLength, String> {
        Duration::capped(secs, MAX_RUN_SECONDS, "a hundred years").map(|d| RunLength(d.0))
    }

    /// Seconds as a float.
    pub fn secs(self) -> f64 {
        self.0
    }
}

impl fmt::Display for RunLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_secs(self.0, f)
    }
}

/// Writes seconds the way a person would: `45s`, `2m30s`, `1h`.
fn fmt_secs(s: f64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if s >= 60.0 && s.fract() == 0.0 {
        let whole = s as u64;
        let (h, m, sec) = (whole / 3600, whole / 60 % 60, whole % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if sec > 0 {
            write!(f, "{sec}s")?;
        }
        Ok(())
    } else {
        write!(f, "{}s", trim_float(s))
    }
}

/// A float written without trailing zeros (`1.5`, `3`).
pub fn trim_float(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A rate of events per second, finite and positive.
///
/// Written `120/h`, `2/m`, `0.5/s` (also `/hour`, `/min`, `/minute`, `/sec`).
///
/// ```
/// use hotline::menu::value::Rate;
/// assert_eq!(Rate::parse("120/h").unwrap().per_hour(), 120.0);
/// assert!(Rate::parse("0/h").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Rate(f64);

impl Rate {
    /// Parses `120/h`, `2/m` or `0.5/s`.
    pub fn parse(text: &str) -> Result<Rate, String> {
        Rate::parse_allowing_zero(text).and_then(|r| {
            if r.0 == 0.0 {
                Err(format!("rate \"{}\" is zero: no caller would ever arrive", text.trim()))
            } else {
                Ok(r)
            }
        })
    }

    /// Like [`Rate::parse`] but accepts `0/h` (a day-profile period with no calls).
    pub fn parse_allowing_zero(text: &str) -> Result<Rate, String> {
        let t = text.trim();
        let Some((num, unit)) = t.split_once('/') else {
            return Err(format!(
                "\"{t}\" is not a rate: write it with a unit, such as 300/h or 5/m"
            ));
        };
        let n: f64 = num
            .trim()
            .parse()
            .map_err(|_| format!("\"{t}\" is not a rate (write 300/h or 5/m)"))?;
        let per = match unit.trim() {
            "h" | "hr" | "hour" => 3600.0,
            "m" | "min" | "minute" => 60.0,
            "s" | "sec" | "second" => 1.0,
            "d" | "day" => 86400.0,
            other => {
                return Err(format!(
                    "\"{other}\" is not a time unit in rate \"{t}\" (use h, m or s)"
                ));
            }
        };
        if !n.is_finite() || n < 0.0 {
            return Err(format!("rate \"{t}\" must be a finite number of events, not negative"));
        }
        let r = n / per;
        if r > 1.0e6 {
            return Err(format!("rate \"{t}\" is above a million per second"));
        }
        Ok(Rate(r))
    }

    /// A rate from events per second.
    pub fn per_second(per_sec: f64) -> Rate {
        Rate(per_sec)
    }

    /// Events per second.
    pub fn per_sec(self) -> f64 {
        self.0
    }

    /// Events per hour.
    pub fn per_hour(self) -> f64 {
        self.0 * 3600.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/h", trim_float(self.per_hour()))
    }
}

/// A time of day, in seconds after midnight (`08:00`, `17:30`, `24:00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Clock(pub u32);

impl Clock {
    /// Parses `HH:MM` or `HH:MM:SS`; `24:00` is the end of the day.
    pub fn parse(text: &str) -> Result<Clock, String> {
        let t = text.trim();
        let bad = || format!("\"{t}\" is not a time of day (write HH:MM, such as 08:30)");
        let parts: Vec<&str> = t.split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let mut v = [0u32; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            v[i] = p.parse().map_err(|_| bad())?;
        }
        if v[1] > 59 || v[2] > 59 || v[0] > 24 || (v[0] == 24 && (v[1] > 0 || v[2] > 0)) {
            return Err(bad());
        }
        Ok(Clock(v[0] * 3600 + v[1] * 60 + v[2]))
    }

    /// Seconds after midnight.
    pub fn secs(self) -> f64 {
        f64::from(self.0)
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 3600, self.0 / 60 % 60)
    }
}

/// Opening hours: one or more `HH:MM-HH:MM` ranges separated by commas.
/// A range whose end is before its start wraps past midnight.
///
/// ```
/// use hotline::menu::value::{Clock, Hours};
/// let h = Hours::parse("08:00-12:00, 13:00-17:00").unwrap();
/// assert!(h.contains(9.0 * 3600.0));
/// assert!(!h.contains(12.5 * 3600.0));
/// assert!(Hours::parse("22:00-06:00").unwrap().contains(1.0 * 3600.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Hours(pub Vec<(Clock, Clock)>);

impl Hours {
    /// Parses `08:00-20:00` or `08:00-12:00,13:00-17:00`.
    pub fn parse(text: &str) -> Result<Hours, String> {
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let Some((a, b)) = part.split_once('-') else {
                return Err(format!("\"{}\" is not an hour range (write 08:00-20:00)", part.trim()));
            };
            let (mut a, b) = (Clock::parse(a)?, Clock::parse(b)?);
            // A range starting at 24:00 starts at midnight; one whose ends
            // are the same time (08:00-08:00, 24:00-00:00) never holds.
            if a.0 == 86400 {
                a = Clock(0);
            }
            if a == b {
                return Err(format!(
                    "hour range \"{}\" is empty (it starts and ends at the same time of day; write 00:00-24:00 for the whole day)",
                    part.trim()
                ));
            }
            ranges.push((a, b));
        }
        Ok(Hours(ranges))
    }

    /// Whether a time of day (seconds, any day: taken modulo 24 h) is inside.
    pub fn contains(&self, secs_of_day: f64) -> bool {
        let t = secs_of_day.rem_euclid(86400.0);
        self.0.iter().any(|&(a, b)| {
            let (a, b) = (a.secs(), b.secs());
            if a < b { t >= a && t < b } else { t >= a || t < b }
        })
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (a, b)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{a}-{b}")?;
        }
        Ok(())
    }
}

/// Implements `Deserialize` (from a string or a number) and `JsonSchema`
/// for a value type with a `parse` function.
macro_rules! text_value {
    ($ty:ty, $code:expr, $name:literal, $what:literal, $number:expr, $pattern:literal, $desc:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                        <$ty>::parse(s).map_err(|e| E::custom($code.tag(&e)))
                    }
                    fn visit_f64<E: de::Error>(self, x: f64) -> Result<$ty, E> {
                        let number: fn(f64) -> Result<$ty, String> = $number;
                        number(x).map_err(|e| E::custom($code.tag(&e)))
                    }
                    fn visit_i64<E: de::Error>(self, x: i64) -> Result<$ty, E> {
                        self.visit_f64(x as f64)
                    }
                    fn visit_u64<E: de::Error>(self, x: u64) -> Result<$ty, E> {
                        self.visit_f64(x as f64)
                    }
                }
                d.deserialize_any(V)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "description": $desc,
                    "anyOf": [
                        { "type": "string", "pattern": $pattern },
                        { "type": "number", "minimum": 0 }
                    ]
                })
            }
        }
    };
}

text_value!(
    Duration,
    Code::BadDuration,
    "Duration",
    "a duration such as 90s, 2m or 1h30m",
    |x| Duration::from_secs(x),
    r"^\s*[0-9.]+\s*[a-z]*([0-9.]+\s*[a-z]*)*\s*$",
    "A duration: 90s, 2m, 1h30m, 250ms, or a bare number of seconds."
);
text_value!(
    RunLength,
    Code::BadDuration,
    "RunLength",
    "a duration such as 8h or 20000h",
    |x| RunLength::from_secs(x),
    r"^\s*[0-9.]+\s*[a-z]*([0-9.]+\s*[a-z]*)*\s*$",
    "The length of a simulated period: 8h, 20000h, 1h30m, or a bare number of seconds (at most a hundred years)."
);
text_value!(
    Rate,
    Code::BadRate,
    "Rate",
    "a rate such as 120/h or 2/m",
    |x| Err(format!("rate {x} has no unit: write it as {x}/h or {x}/m")),
    r"^\s*[0-9.eE+]+\s*/\s*[a-z]+\s*$",
    "A rate of events: 120/h, 2/m, 0.5/s."
);
text_value!(
    Dist,
    Code::BadDistribution,
    "Distribution",
    "a duration or distribution such as exp(mean=3m)",
    |x| Duration::from_secs(x).map(|d| Dist::Fixed(d.secs())),
    r"^\s*([a-z]+\s*\(.*\)|[0-9.]+\s*[a-z]*([0-9.]+\s*[a-z]*)*)\s*$",
    "A duration or a distribution of durations: 30s, fixed(30s), exp(mean=3m), uniform(10s, 30s), lognormal(mean=5m, sd=3m), gamma(mean=4m, sd=2m), erlang(k=2, mean=4m), weibull(shape=1.5, scale=3m)."
);
text_value!(
    Clock,
    Code::BadClock,
    "Clock",
    "a time of day such as 08:30",
    |x| Err(format!("time of day {x} must be written HH:MM, such as 08:30")),
    r"^\s*[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?\s*$",
    "A time of day, HH:MM."
);
text_value!(
    Hours,
    Code::BadHours,
    "Hours",
    "opening hours such as 08:00-20:00",
    |x| Err(format!("hours {x} must be written as a range such as 08:00-20:00")),
    r"^\s*[0-9]{1,2}:[0-9]{2}\s*-\s*[0-9]{1,2}:[0-9]{2}(\s*,\s*[0-9]{1,2}:[0-9]{2}\s*-\s*[0-9]{1,2}:[0-9]{2})*\s*$",
    "Opening hours: 08:00-20:00, or several ranges separated by commas; a range ending before it starts wraps past midnight."
);

/// A share (probability) between 0 and 1 inclusive.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct Share(pub f64);

impl Share {
    /// Parses `0.35`, `35%`.
    pub fn parse(text: &str) -> Result<Share, String> {
        let t = text.trim();
        let x = if let Some(p) = t.strip_suffix('%') {
            p.trim().parse::<f64>().map(|p| p / 100.0)
        } else {
            t.parse::<f64>()
        }
        .map_err(|_| format!("\"{t}\" is not a share (write 0.35 or 35%)"))?;
        Share::new(x)
    }

    /// A share from a number; fails outside 0..=1 or when not finite.
    pub fn new(x: f64) -> Result<Share, String> {
        if !x.is_finite() {
            Err(format!("share {x} is not a finite number"))
        } else if x < 0.0 {
            Err(format!("share {x} is negative"))
        } else if x > 1.0 {
            Err(format!("share {x} is above 1"))
        } else {
            Ok(Share(x))
        }
    }
}

text_value!(
    Share,
    Code::BadShare,
    "Share",
    "a share between 0 and 1, such as 0.35 or 35%",
    Share::new,
    r"^\s*[0-9.]+\s*%\s*$",
    "A share (probability) from 0 to 1, or a percentage such as 35%."
);

#[cfg(test)]
mod tests;
