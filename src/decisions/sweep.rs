//! What-if sweeps: a grid over menu values (`--set PATH=VALUES`), each
//! point simulated with the same replication seeds (common random numbers),
//! so the differences between points are the settings', not the dice's.
//!
//! A value is set in the parsed YAML tree at its path as written in the
//! file (`agents.desk.seats`, `nodes.q_service.busy.deflects`), and the
//! edited tree is validated like a file: a value the format refuses is an
//! error naming the setting.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::input::load_tree;
use crate::menu::LoadOptions;
use crate::menu::yaml::{Node, Value};
use crate::sim::stats::Estimate;
use crate::sim::{SimOptions, simulate};

/// One `--set PATH=VALUES`.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The path, keys separated by dots.
    pub path: String,
    /// The values, as written.
    pub values: Vec<String>,
}

/// Most grid points one sweep runs.
pub const MAX_POINTS: usize = 10_000;

impl Setting {
    /// Reads `PATH=VALUES`: `10..20` (whole numbers, both ends included),
    /// `10..20/2` or `0..1/0.25` (a step), or `0,0.2,0.4` (a list; any
    /// value the file could hold: `2m`, `"exp(mean=3m)"`).
    pub fn parse(text: &str) -> Result<Setting, String> {
        let (path, values) = text
            .split_once('=')
            .ok_or_else(|| format!("\"{text}\": write PATH=VALUES, such as agents.desk.seats=10..20"))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!(
                "\"{path}\" is not a path: keys separated by dots, such as agents.desk.seats"
            ));
        }
        let values = values.trim();
        let list = match values.split_once("..") {
            Some((a, rest)) if !values.contains(',') && !values.contains('(') => {
                range(a, rest).map_err(|e| format!("{path}={values}: {e}"))?
            }
            _ => split_list(values),
        };
        if list.is_empty() || list.iter().any(String::is_empty) {
            return Err(format!("{path}={values}: an empty value"));
        }
        if list.len() > MAX_POINTS {
            return Err(format!(
                "{path}={values}: {} values, above the limit of {MAX_POINTS}",
                list.len()
            ));
        }
        Ok(Setting {
            path: path.to_string(),
            values: list,
        })
    }
}

/// A comma-separated list, commas inside parentheses kept
/// (`lognormal(mean=5m, sd=3m),exp(mean=3m)` is two values).
fn split_list(values: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in values.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(cur.trim().trim_matches('"').to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().trim_matches('"').to_string());
    out
}

/// The values of `a..b` or `a..b/step`.
fn range(a: &str, rest: &str) -> Result<Vec<String>, String> {
    let (b, step) = rest.split_once('/').unwrap_or((rest, "1"));
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .map_err(|_| format!("\"{}\" is not a number", s.trim()))
    };
    let (a, b, step) = (num(a)?, num(b)?, num(step)?);
    if !a.is_finite() || !b.is_finite() {
        return Err("a range runs between two finite numbers (not NaN or infinity)".into());
    }
    if !step.is_finite() || step <= 0.0 {
        return Err("the step must be a finite number above 0".into());
    }
    if b < a {
        return Err(format!("the range ends ({b}) before it starts ({a})"));
    }
    let count = ((b - a) / step + 1e-9).floor() + 1.0;
    if !count.is_finite() || count > MAX_POINTS as f64 {
        return Err(format!(
            "a step of {step} from {a} to {b} gives {count:.3e} values, above the limit of {MAX_POINTS}: take a larger step"
        ));
    }
    let n = count as usize;
    Ok((0..n)
        .map(|i| crate::menu::value::trim_float(((a + i as f64 * step) * 1e9).round() / 1e9))
        .collect())
}

/// Sets `value` at `path` in a YAML tree; missing keys of the last mapping
/// are added (`nodes.q.max_wait` on a queue without one).
pub fn set(tree: &mut Node, path: &str, value: &str) -> Result<(), String> {
    let keys: Vec<&str> = path.split('.').collect();
    let mut at = tree;
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let Value::Map(entries) = &mut at.value else {
            let so_far = keys[..i].join(".");
            return Err(format!("{path}: {so_far} is not a mapping, so it has no key \"{key}\""));
        };
        let found = entries
            .iter()
            .position(|(k, _)| k.scalar_text().as_deref() == Some(*key));
        let index = match found {
            Some(j) => j,
            None if last => {
                let pos = at.pos;
                entries.push((scalar(key, pos), scalar("", pos)));
                entries.len() - 1
            }
            None => {
                let known: Vec<String> = entries.iter().filter_map(|(k, _)| k.scalar_text()).collect();
                let hint =
                    crate::menu::yaml::hint(key, crate::menu::yaml::closest(key, known.iter().map(String::as_str)));
                let within = if i == 0 {
                    "the file".to_string()
                } else {
                    keys[..i].join(".")
                };
                return Err(format!("{path}: {within} has no key \"{key}\"{hint}"));
            }
        };
        let node = &mut entries[index].1;
        if last {
            *node = scalar(value, node.pos);
            return Ok(());
        }
        at = node;
    }
    Ok(())
}

/// A scalar node for a value as written: a whole number, a number, or text.
fn scalar(text: &str, pos: crate::menu::yaml::Pos) -> Node {
    let value = if let Ok(i) = text.parse::<i64>() {
        Value::Int(i)
    } else if let Ok(x) = text
        .parse::<f64>()
        .map_err(|_| ())
        .and_then(|x| if x.is_finite() { Ok(x) } else { Err(()) })
    {
        Value::Float(x)
    } else if text.is_empty() {
        Value::Null
    } else {
        Value::Str(text.to_string())
    };
    Node {
        pos,
        value,
        written: Some(text.to_string()),
    }
}

/// One grid point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Point {
    /// The values set, by path (numbers as numbers).
    pub set: IndexMap<String, serde_json::Value>,
    /// The top-level metrics, as `hotline simulate` gives them.
    pub metrics: IndexMap<String, Estimate>,
    /// The metrics per queue.
    pub queues: IndexMap<String, IndexMap<String, Estimate>>,
    /// The run's warnings.
    pub warnings: Vec<String>,
}

/// A whole sweep.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sweep {
    /// The hotline's name.
    pub hotline: String,
    /// The paths swept, in order.
    pub swept: Vec<String>,
    /// Replications at every point.
    pub replications: u32,
    /// The seed every point ran with.
    pub seed: u64,
    /// The grid, the last path varying fastest.
    pub points: Vec<Point>,
}

/// Every combination of the settings' values, the last varying fastest.
pub fn grid(settings: &[Setting]) -> Result<Vec<Vec<(String, String)>>, String> {
    let total = settings.iter().try_fold(1usize, |n, s| n.checked_mul(s.values.len()));
    match total {
        Some(n) if n <= MAX_POINTS => {}
        _ => {
            return Err(format!(
                "the grid has more than {MAX_POINTS} points: sweep fewer values at once"
            ));
        }
    }
    let mut points: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for s in settings {
        points = points
            .into_iter()
            .flat_map(|p| {
                s.values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((s.path.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

/// Runs a sweep over the menu text `source` (named `name` in messages; a
/// vendor flow is imported first): every point with the same replications
/// and seed. `progress(done, total)` is called after each point.
pub fn sweep(
    source: &str,
    name: &str,
    settings: &[Setting],
    options: &LoadOptions,
    sim: &dyn Fn(&crate::menu::Hotline) -> SimOptions,
    progress: &dyn Fn(usize, usize),
) -> Result<Sweep, String> {
    let (tree, text) = crate::input::effective_tree(source, name, options, None)?;
    sweep_tree(&tree, &text, name, settings, options, sim, None, progress)
}

/// A sweep from a parsed menu tree (one already changed by [`set`], or an
/// imported flow with an overlay: [`crate::input::effective_tree`]), over
/// shard K of N of the grid's points (a contiguous range; `None`: all of
/// them); `source` is the text the tree's positions refer to.
#[allow(clippy::too_many_arguments)]
pub fn sweep_tree(
    tree: &Node,
    source: &str,
    name: &str,
    settings: &[Setting],
    options: &LoadOptions,
    sim: &dyn Fn(&crate::menu::Hotline) -> SimOptions,
    shard: Option<(u32, u32)>,
    progress: &dyn Fn(usize, usize),
) -> Result<Sweep, String> {
    let mut points = grid(settings)?;
    if let Some((k, n)) = shard {
        let rg = crate::shard::range(k, n, points.len() as u32);
        points = points[rg.start as usize..rg.end as usize].to_vec();
    }
    // The sweep's name and run settings are the menu's as written, so every
    // shard of a sweep has them, even one without a point.
    let base = load_tree(tree, source, name, options);
    let (hotline, replications, seed) = match &base.hotline {
        Some(h) => {
            let o = sim(h);
            (h.name.clone(), o.replications, o.seed)
        }
        None => (String::new(), 0, 0),
    };
    let mut out = Sweep {
        hotline,
        swept: settings.iter().map(|s| s.path.clone()).collect(),
        replications,
        seed,
        points: Vec::new(),
    };
    for (i, point) in points.iter().enumerate() {
        let mut t = tree.clone();
        for (path, value) in point {
            set(&mut t, path, value)?;
        }
        let what = point
            .iter()
            .map(|(p, v)| format!("{p}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let loaded = load_tree(&t, source, name, options);
        let Some(h) = loaded.hotline else {
            let first = loaded.diagnostics.iter().find(|d| d.is_error());
            return Err(format!(
                "with {what}: {}",
                first.map_or_else(|| "the menu is not valid".into(), |d| d.sentence())
            ));
        };
        let o = sim(&h);
        let r = simulate(&h, &o, &|_, _, _| {}).map_err(|e| format!("with {what}: {e}"))?;
        out.points.push(Point {
            set: point.iter().map(|(p, v)| (p.clone(), json_value(v))).collect(),
            metrics: r.metrics,
            queues: r.queues,
            warnings: r.warnings,
        });
        progress(i + 1, points.len());
    }
    Ok(out)
}

/// What every shard of a sweep shares: the menu, the grid and the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepHead {
    /// Hash of the menu text.
    pub menu_hash: String,
    /// The `--set` arguments.
    pub sets: Vec<String>,
    /// Points of the whole grid.
    pub points: u32,
    /// The hotline's name.
    pub hotline: String,
    /// The paths swept.
    pub swept: Vec<String>,
    /// Replications at every point.
    pub replications: u32,
    /// The seed.
    pub seed: u64,
}

impl SweepHead {
    /// The head of a sweep of the menu `source` over `settings`, from
    /// what a shard of it produced.
    pub fn new(source: &str, settings: &[Setting], part: &Sweep) -> Result<SweepHead, String> {
        Ok(SweepHead {
            menu_hash: crate::shard::hash(source),
            sets: settings
                .iter()
                .map(|s| format!("{}={}", s.path, s.values.join(",")))
                .collect(),
            points: grid(settings)?.len() as u32,
            hotline: part.hotline.clone(),
            swept: part.swept.clone(),
            replications: part.replications,
            seed: part.seed,
        })
    }

    /// The whole sweep from its head and every point (merged shards).
    pub fn sweep(&self, points: Vec<Point>) -> Sweep {
        Sweep {
            hotline: self.hotline.clone(),
            swept: self.swept.clone(),
            replications: self.replications,
            seed: self.seed,
            points,
        }
    }
}

/// A sweep's grid points, as a [`crate::shard::Job`].
#[derive(Debug)]
pub struct SweepJob;

impl crate::shard::Job for SweepJob {
    const KIND: &'static str = "sweep";
    const FORMAT: &'static str = "hotline sweep partial";
    const UNITS: &'static str = "grid points";
    type Head = SweepHead;
    type Item = Point;

    fn units(head: &SweepHead) -> Result<u32, String> {
        if head.points as usize > MAX_POINTS {
            return Err(format!("damaged (points = {}, above {MAX_POINTS})", head.points));
        }
        if head.swept.len() != head.sets.len() {
            return Err("damaged (the paths swept do not match the settings)".into());
        }
        Ok(head.points)
    }

    fn differs(a: &SweepHead, b: &SweepHead) -> String {
        if a.menu_hash != b.menu_hash {
            "another menu".into()
        } else if a.sets != b.sets {
            "another grid (--set)".into()
        } else {
            "other run settings".into()
        }
    }
}

impl Point {
    /// Checks a point read back against its sweep's head.
    pub fn check(&self, head: &SweepHead) -> Result<(), String> {
        if !self.set.keys().eq(head.swept.iter()) {
            return Err("a point whose values are not the sweep's paths".into());
        }
        for (k, e) in self.metrics.iter().chain(self.queues.values().flat_map(|m| m.iter())) {
            let ok = [e.mean, e.ci95[0], e.ci95[1]].iter().all(|x| x.is_finite())
                && e.ci95[0] <= e.mean
                && e.mean <= e.ci95[1]
                && e.n <= u64::from(head.replications);
            if !ok {
                return Err(format!(
                    "metric {k}: not a mean inside its interval over the run's replications"
                ));
            }
        }
        Ok(())
    }
}

/// A value as JSON: a number when it reads as one.
fn json_value(v: &str) -> serde_json::Value {
    v.parse::<i64>()
        .map(serde_json::Value::from)
        .or_else(|_| v.parse::<f64>().map(serde_json::Value::from))
        .unwrap_or_else(|_| serde_json::Value::from(v))
}

/// The metrics shown by default: reach, waits, abandonment, occupancy, and
/// the channel figures when the menu has them.
pub const DEFAULT_METRICS: &[&str] = &[
    "p_reach_human",
    "mean_time_to_human_s",
    "service_level",
    "mean_wait_s",
    "p_abandon",
    "occupancy",
    "p_switched_channel",
    "channel_switches_per_caller",
];
