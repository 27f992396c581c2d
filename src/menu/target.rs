//! Staffing targets: `service_level(20s) >= 80%`, `p_abandon <= 5%`,
//! `mean_wait <= 30s`, `occupancy <= 85%`, written on the command line
//! (`hotline staff --target`) or in a menu's `targets:`.

use std::fmt;

use serde::Serialize;

use crate::menu::value::Duration;

/// A metric a target holds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of queued calls answered within this many seconds.
    ServiceLevel(f64),
    /// Share of queued calls abandoned.
    PAbandon,
    /// Mean wait of queued calls, seconds.
    MeanWait,
    /// Busy seat time over staffed seat time.
    Occupancy,
}

impl Metric {
    /// The simulation's metric key for it.
    pub fn key(self) -> &'static str {
        match self {
            Metric::ServiceLevel(_) => "service_level",
            Metric::PAbandon => "p_abandon",
            Metric::MeanWait => "mean_wait_s",
            Metric::Occupancy => "occupancy",
        }
    }

    /// Whether more seats make the metric better (higher for a service
    /// level, lower for waits and abandonment); occupancy falls with seats.
    pub fn is_share(self) -> bool {
        !matches!(self, Metric::MeanWait)
    }
}

/// A target: a metric, a direction and a value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Target {
    /// The metric.
    pub metric: Metric,
    /// `true` for `>=`, `false` for `<=`.
    pub at_least: bool,
    /// The value (a share from 0 to 1, or seconds).
    pub value: f64,
}

impl Target {
    /// Reads `METRIC[(DURATION)] >= | <= VALUE`.
    ///
    /// ```
    /// let t = hotline::menu::target::Target::parse("service_level(20s) >= 80%").unwrap();
    /// assert_eq!(t.value, 0.8);
    /// assert!(hotline::menu::target::Target::parse("service_level >= 80%").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Target, String> {
        let t = text.trim();
        let (left, at_least, right) = if let Some((l, r)) = t.split_once(">=") {
            (l, true, r)
        } else if let Some((l, r)) = t.split_once("<=") {
            (l, false, r)
        } else {
            return Err(format!(
                "\"{t}\": write METRIC >= VALUE or METRIC <= VALUE, such as service_level(20s) >= 80%"
            ));
        };
        let left = left.trim();
        let (name, arg) = match left.split_once('(') {
            Some((n, rest)) => {
                let arg = rest
                    .strip_suffix(')')
                    .ok_or_else(|| format!("\"{left}\": a \"(\" without its \")\""))?;
                (n.trim(), Some(arg.trim()))
            }
            None => (left, None),
        };
        let metric = match (name, arg) {
            ("service_level", Some(a)) => {
                Metric::ServiceLevel(Duration::parse(a).map_err(|e| format!("\"{left}\": {e}"))?.secs())
            }
            ("service_level", None) => {
                return Err("service_level needs its time: service_level(20s) >= 80%".into());
            }
            ("p_abandon", None) => Metric::PAbandon,
            ("mean_wait", None) => Metric::MeanWait,
            ("occupancy", None) => Metric::Occupancy,
            (m, Some(_)) if ["p_abandon", "mean_wait", "occupancy"].contains(&m) => {
                return Err(format!("{m} takes no time in parentheses"));
            }
            (m, _) => {
                let known = ["service_level", "p_abandon", "mean_wait", "occupancy"];
                let hint = crate::menu::yaml::hint(m, crate::menu::yaml::closest(m, known.iter().copied()));
                return Err(format!(
                    "unknown target metric \"{m}\"{hint}; metrics are {}",
                    known.join(", ")
                ));
            }
        };
        let right = right.trim();
        let value = if metric.is_share() {
            let v = match right.strip_suffix('%') {
                Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
                None => right.parse::<f64>(),
            }
            .map_err(|_| format!("\"{right}\" is not a share (80% or 0.8)"))?;
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("\"{right}\" is not a share from 0 to 1"));
            }
            v
        } else {
            Duration::parse(right).map_err(|e| format!("\"{right}\": {e}"))?.secs()
        };
        if matches!(metric, Metric::ServiceLevel(_)) && !at_least {
            return Err("a service level is held from below: service_level(20s) >= 80%".into());
        }
        if matches!(metric, Metric::PAbandon | Metric::MeanWait) && at_least {
            return Err(format!("{name} is held from above: {name} <= {right}"));
        }
        Ok(Target {
            metric,
            at_least,
            value,
        })
    }

    /// Whether more seats bring the metric towards the target: every
    /// target but `occupancy >= X`, which more seats move away from (it
    /// bounds the seats from above).
    pub fn more_seats_help(&self) -> bool {
        !(self.metric == Metric::Occupancy && self.at_least)
    }

    /// Whether a value meets the target.
    pub fn met_by(&self, x: f64) -> bool {
        if self.at_least {
            x >= self.value
        } else {
            x <= self.value
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.at_least { ">=" } else { "<=" };
        match self.metric {
            Metric::ServiceLevel(t) => write!(
                f,
                "service_level({}) {op} {}%",
                Duration::from_secs(t).unwrap_or_default(),
                crate::menu::value::trim_float(self.value * 100.0)
            ),
            Metric::MeanWait => write!(
                f,
                "mean_wait {op} {}",
                Duration::from_secs(self.value).unwrap_or_default()
            ),
            m => write!(
                f,
                "{} {op} {}%",
                if m == Metric::PAbandon {
                    "p_abandon"
                } else {
                    "occupancy"
                },
                crate::menu::value::trim_float(self.value * 100.0)
            ),
        }
    }
}
