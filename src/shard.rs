//! Runs split across machines: a shard runs a contiguous range of a run's
//! replications and writes their statistics to a partial file; merging the
//! partial files gives exactly what one run of all replications gives
//! (each replication's seed depends only on the run's seed and its index).
//!
//! A partial file is JSON: `{"format": "hotline partial", "version": 1,
//! "hotline_version", "menu": {"path", "hash", "source"}, "settings":
//! {"replications", "seed", "sl_target", "max_in_system"}, "shard": [K, N],
//! "first": i, "results": [...]}` — one entry of `results` per replication
//! from `first` on: counters, sparse histograms (`{"total", "atoms",
//! "bins": [[bin, count], ...]}`) and the day series.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::sim::SimOptions;
use crate::sim::engine::RepResult;

/// The `format` of a partial file.
pub const FORMAT: &str = "hotline partial";
/// The version of the partial format.
pub const VERSION: u32 = 1;

/// The menu a partial was run on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuRef {
    /// The path as given.
    pub path: String,
    /// FNV-1a hash of its text.
    pub hash: String,
    /// Its text (menus are small; merging rebuilds the report from it).
    pub source: String,
}

/// The settings every shard of a run shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunKey {
    /// Replications of the whole run.
    pub replications: u32,
    /// Its seed.
    pub seed: u64,
    /// Service-level target, seconds.
    pub sl_target: f64,
    /// Most callers in the system at once.
    pub max_in_system: usize,
}

/// A partial file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Partial {
    /// Always [`FORMAT`].
    pub format: String,
    /// The partial format's version.
    pub version: u32,
    /// The hotline version that wrote it.
    pub hotline_version: String,
    /// The menu.
    pub menu: MenuRef,
    /// The run's settings.
    pub settings: RunKey,
    /// This shard: (K, N).
    pub shard: (u32, u32),
    /// The first replication it holds.
    pub first: u32,
    /// One per replication, in order.
    pub results: Vec<RepResult>,
}

/// FNV-1a of a text, as 16 hex digits.
pub fn hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Replications K·R/N .. (K+1)·R/N of a run of R.
pub fn range(k: u32, n: u32, r: u32) -> Range<u32> {
    let at = |k: u32| (u64::from(k) * u64::from(r) / u64::from(n)) as u32;
    at(k)..at(k + 1)
}

/// Reads `K/N` or `auto/N` (K from `SLURM_ARRAY_TASK_ID` or
/// `JOB_COMPLETION_INDEX`, Kubernetes Indexed Jobs).
pub fn parse_shard(spec: &str) -> Result<(u32, u32), String> {
    let (k, n) = spec
        .split_once('/')
        .ok_or_else(|| format!("\"{spec}\": write K/N (K from 0), such as 2/8, or auto/N"))?;
    let n: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|&n| (1..=100_000).contains(&n))
        .ok_or_else(|| format!("\"{spec}\": N must be a whole number from 1 to 100000"))?;
    let k = if k.trim() == "auto" {
        let var = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
            .iter()
            .find_map(|v| std::env::var(v).ok().map(|x| (*v, x)))
            .ok_or("--shard auto/N: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")?;
        var.1
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("{} = \"{}\" is not a shard number", var.0, var.1))?
    } else {
        k.trim()
            .parse()
            .map_err(|_| format!("\"{spec}\": K must be a whole number from 0"))?
    };
    if k >= n {
        return Err(format!("shard {k}/{n}: K runs from 0 to {}", n - 1));
    }
    Ok((k, n))
}

/// The run's options from a partial's settings.
pub fn options(key: &RunKey, threads: usize) -> SimOptions {
    SimOptions {
        replications: key.replications,
        seed: key.seed,
        threads,
        sl_target: key.sl_target,
        max_in_system: key.max_in_system,
        stop: None,
        interval: 0.0,
    }
}

/// Writes a partial file atomically.
pub fn write(path: &Path, p: &Partial) -> std::io::Result<()> {
    write_atomic(path, &serde_json::to_vec(p)?)
}

/// Writes a file atomically (a temporary file beside it, renamed into
/// place), over an earlier one of the same name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or("partial".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads partial files and checks that they are shards of one run (same
/// menu, settings and hotline version) covering every replication exactly
/// once; returns the first part's header and all results in order.
pub fn merge(paths: &[&Path]) -> Result<(Partial, Vec<RepResult>), String> {
    let mut parts: Vec<(String, Partial)> = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        let bytes = crate::source::read(p, 1 << 34).map_err(|e| e.chain())?;
        let part: Partial = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{shown}: not a hotline partial file, or a damaged one ({e})"))?;
        if part.format != FORMAT {
            return Err(format!(
                "{shown}: not a hotline partial file (format \"{}\")",
                part.format
            ));
        }
        if part.version != VERSION {
            return Err(format!(
                "{shown}: partial format version {}, this hotline reads version {VERSION}",
                part.version
            ));
        }
        if let Some((first, f)) = parts.first() {
            let what = if f.hotline_version != part.hotline_version {
                Some(format!(
                    "hotline {} (the other parts: {})",
                    part.hotline_version, f.hotline_version
                ))
            } else if f.menu.hash != part.menu.hash {
                Some(format!("another menu ({} against {})", part.menu.path, f.menu.path))
            } else if f.settings != part.settings {
                Some("other run settings (replications, seed or service-level target)".into())
            } else if f.shard.1 != part.shard.1 {
                Some(format!("a split into {} shards, not {}", part.shard.1, f.shard.1))
            } else {
                None
            };
            if let Some(what) = what {
                return Err(format!("{shown} comes from a different run than {first}: {what}"));
            }
        }
        if hash(&part.menu.source) != part.menu.hash {
            return Err(format!("{shown}: damaged (the menu text does not match its hash)"));
        }
        parts.push((shown, part));
    }
    let Some((_, head)) = parts.first() else {
        return Err("no partial file given".into());
    };
    let r = head.settings.replications;
    // Coverage: every replication exactly once.
    let mut owner: Vec<Option<usize>> = vec![None; r as usize];
    for (i, (shown, p)) in parts.iter().enumerate() {
        let end = p.first as usize + p.results.len();
        let expected = range(p.shard.0, p.shard.1, r);
        if p.first != expected.start || end != expected.end as usize {
            return Err(format!(
                "{shown}: damaged (shard {}/{} should hold replications {}–{}, it holds {}–{})",
                p.shard.0,
                p.shard.1,
                expected.start,
                expected.end.saturating_sub(1),
                p.first,
                end.saturating_sub(1)
            ));
        }
        for slot in owner.iter_mut().take(end).skip(p.first as usize) {
            if let Some(j) = *slot {
                return Err(format!(
                    "{shown} and {} both hold shard {}/{}: each shard once",
                    parts[j].0, p.shard.0, p.shard.1
                ));
            }
            *slot = Some(i);
        }
    }
    let n = head.shard.1;
    let missing: Vec<String> = (0..n)
        .filter(|&k| {
            let rg = range(k, n, r);
            !rg.is_empty() && owner[rg.start as usize].is_none()
        })
        .map(|k| {
            let rg = range(k, n, r);
            format!("shard {k}/{n} (replications {}–{})", rg.start, rg.end - 1)
        })
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing: {}", missing.join(", ")));
    }
    let mut parts: Vec<Partial> = parts.into_iter().map(|(_, p)| p).collect();
    parts.sort_by_key(|p| p.first);
    let head = Partial {
        results: Vec::new(),
        ..parts[0].clone()
    };
    let results = parts.into_iter().flat_map(|p| p.results).collect();
    Ok((head, results))
}

/// The `format` of a survey's partial file.
pub const SURVEY_FORMAT: &str = "hotline survey partial";

/// A shard of a survey: the rows of its files.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SurveyPartial {
    /// Always [`SURVEY_FORMAT`].
    pub format: String,
    /// The partial format's version.
    pub version: u32,
    /// The hotline version that wrote it.
    pub hotline_version: String,
    /// The folder surveyed, as given.
    pub dir: String,
    /// Menu files in the whole folder.
    pub files: u32,
    /// This shard: (K, N).
    pub shard: (u32, u32),
    /// Its rows.
    pub rows: Vec<crate::survey::Row>,
    /// Entries passed over (shard 0 only).
    pub skipped: Vec<String>,
}

/// Whether a partial file is a survey's (read from its `format`).
pub fn is_survey(path: &Path) -> bool {
    format_of(path).is_some_and(|f| f == SURVEY_FORMAT)
}

/// The `format` of a sweep's partial file.
pub const SWEEP_FORMAT: &str = "hotline sweep partial";

/// A shard of a sweep: a contiguous range of its grid points.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepPartial {
    /// Always [`SWEEP_FORMAT`].
    pub format: String,
    /// The partial format's version.
    pub version: u32,
    /// The hotline version that wrote it.
    pub hotline_version: String,
    /// Hash of the menu text.
    pub menu_hash: String,
    /// Points of the whole grid.
    pub points: u32,
    /// The `--set` arguments, as given.
    pub sets: Vec<String>,
    /// This shard: (K, N).
    pub shard: (u32, u32),
    /// Its part of the sweep.
    pub sweep: crate::sweep::Sweep,
}

/// The `format` field of a partial file, when it has one.
pub fn format_of(path: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Head {
        format: String,
    }
    crate::source::read(path, 1 << 34)
        .ok()
        .and_then(|b| serde_json::from_slice::<Head>(&b).ok())
        .map(|h| h.format)
}

/// A shard of a grid of independent units (a survey's files, a sweep's
/// points): its format, the identity of the whole job, and its place.
trait Unit: serde::de::DeserializeOwned {
    /// What the shards are of, in messages ("survey").
    const KIND: &'static str;
    /// The `format` such files carry.
    const FORMAT: &'static str;
    fn format(&self) -> (&str, u32);
    /// Everything shards of one job share.
    fn job(&self) -> String;
    fn shard(&self) -> (u32, u32);
    /// Whether the content fits the shard (a damaged file does not).
    fn whole(&self) -> bool {
        true
    }
}

/// Reads shards of one job, each once and none missing, in shard order.
fn read_units<T: Unit>(paths: &[&Path]) -> Result<Vec<T>, String> {
    let mut parts: Vec<(String, T)> = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        let bytes = crate::source::read(p, 1 << 34).map_err(|e| e.chain())?;
        let part: T = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{shown}: not a hotline {} partial file, or a damaged one ({e})",
                T::KIND
            )
        })?;
        if part.format() != (T::FORMAT, VERSION) {
            return Err(format!(
                "{shown}: not a {} partial file of format version {VERSION}",
                T::KIND
            ));
        }
        if !part.whole() {
            return Err(format!(
                "{shown}: damaged (its content does not fit shard {}/{})",
                part.shard().0,
                part.shard().1
            ));
        }
        if let Some((first, f)) = parts.first()
            && (f.job() != part.job() || f.shard().1 != part.shard().1)
        {
            return Err(format!("{shown} comes from a different {} than {first}", T::KIND));
        }
        if let Some((other, _)) = parts.iter().find(|(_, q)| q.shard().0 == part.shard().0) {
            let (k, n) = part.shard();
            return Err(format!("{shown} and {other} both hold shard {k}/{n}: each shard once"));
        }
        parts.push((shown, part));
    }
    let Some((_, head)) = parts.first() else {
        return Err("no partial file given".into());
    };
    let n = head.shard().1;
    let missing: Vec<String> = (0..n)
        .filter(|k| !parts.iter().any(|(_, p)| p.shard().0 == *k))
        .map(|k| format!("shard {k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing: {}", missing.join(", ")));
    }
    let mut parts: Vec<T> = parts.into_iter().map(|(_, p)| p).collect();
    parts.sort_by_key(|p| p.shard().0);
    Ok(parts)
}

impl Unit for SurveyPartial {
    const KIND: &'static str = "survey";
    const FORMAT: &'static str = SURVEY_FORMAT;
    fn format(&self) -> (&str, u32) {
        (&self.format, self.version)
    }
    fn job(&self) -> String {
        format!("{}\n{}\n{}", self.dir, self.files, self.hotline_version)
    }
    fn shard(&self) -> (u32, u32) {
        self.shard
    }
}

impl Unit for SweepPartial {
    const KIND: &'static str = "sweep";
    const FORMAT: &'static str = SWEEP_FORMAT;
    fn format(&self) -> (&str, u32) {
        (&self.format, self.version)
    }
    fn job(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.menu_hash,
            self.sets.join("\n"),
            self.points,
            self.hotline_version
        )
    }
    fn shard(&self) -> (u32, u32) {
        self.shard
    }
    fn whole(&self) -> bool {
        self.sweep.points.len() == range(self.shard.0, self.shard.1, self.points).len()
    }
}

/// Merges survey shards into the survey of the whole folder, checking that
/// they come from one survey and cover every shard once.
pub fn merge_surveys(paths: &[&Path]) -> Result<crate::survey::Survey, String> {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for p in read_units::<SurveyPartial>(paths)? {
        rows.extend(p.rows);
        skipped.extend(p.skipped);
    }
    Ok(crate::survey::from_rows(rows, skipped))
}

/// Merges sweep shards into the whole sweep.
pub fn merge_sweeps(paths: &[&Path]) -> Result<crate::sweep::Sweep, String> {
    let mut whole: Option<crate::sweep::Sweep> = None;
    for p in read_units::<SweepPartial>(paths)? {
        match &mut whole {
            None => whole = Some(p.sweep),
            Some(w) => {
                if w.hotline.is_empty() {
                    (w.hotline, w.replications, w.seed) = (p.sweep.hotline.clone(), p.sweep.replications, p.sweep.seed);
                }
                w.points.extend(p.sweep.points);
            }
        }
    }
    whole.ok_or_else(|| "no partial file given".into())
}
