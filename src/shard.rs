//! Work split across machines: a shard does a contiguous range of a job's
//! units (a run's replications, a survey's files, a sweep's grid points)
//! and writes them to a partial file; merging the partial files gives
//! exactly what one machine doing every unit gives.
//!
//! This module knows no job: each job (`sim::shard`, `survey`, `sweep`)
//! implements [`Job`] — what every shard of it shares (its head), what one
//! unit is, and how a unit read back is checked. A partial file is JSON:
//! `{"format", "version", "hotline_version", "shard": [K, N], "first": i,
//! "head": {...}, "items": [...]}`, the items last.
//!
//! Partial files are untrusted input: they are read through the guarded
//! reader ([`crate::files::open`], regular files only, size bounded),
//! streamed (memory does not grow with the number of units), and every
//! field is checked — the shard numbers and the job's size as the command
//! line bounds them, the coverage (each unit exactly once), and each item
//! against the job — before anything is printed. A
//! refusal names the file and what is wrong.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The version of the partial format.
pub const VERSION: u32 = 2;
/// Most shards a job is split into (as `--shard` accepts).
pub const MAX_SHARDS: u32 = 100_000;
/// Largest partial file read by default, in bytes.
pub const MAX_BYTES: u64 = 4 << 30;

/// A kind of work that can be split into shards.
pub trait Job {
    /// What the shards are of, in messages (`simulation`).
    const KIND: &'static str;
    /// The `format` its partial files carry (`hotline partial`).
    const FORMAT: &'static str;
    /// What its units are called, in messages (`replications`).
    const UNITS: &'static str;
    /// What every shard of one job shares: the menu and settings, the
    /// folder, the grid.
    type Head: Serialize + DeserializeOwned + PartialEq + Clone;
    /// One unit: a replication's statistics, a hotline's row, a grid point.
    type Item: Serialize + DeserializeOwned;
    /// Units of the whole job, or why the head is not one hotline writes
    /// (a size the command line would refuse, a damaged field).
    fn units(head: &Self::Head) -> Result<u32, String>;
    /// What differs between two heads, for the message that refuses to
    /// merge shards of different jobs.
    fn differs(a: &Self::Head, b: &Self::Head) -> String;
}

/// Units K·R/N .. (K+1)·R/N of a job of R (`n` at least 1).
pub fn range(k: u32, n: u32, r: u32) -> Range<u32> {
    let n = u64::from(n.max(1));
    let at = |k: u32| (u64::from(k).min(n) * u64::from(r) / n) as u32;
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
        .filter(|&n| (1..=MAX_SHARDS).contains(&n))
        .ok_or_else(|| format!("\"{spec}\": N must be a whole number from 1 to {MAX_SHARDS}"))?;
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

/// FNV-1a of a text, as 16 hex digits.
pub fn hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A partial file as written.
#[derive(Serialize)]
struct Written<'a, H, I> {
    format: &'a str,
    version: u32,
    hotline_version: &'a str,
    shard: [u32; 2],
    first: u32,
    head: &'a H,
    items: &'a [I],
}

/// The partial file of shard `(k, n)` of a job: its head and the items of
/// its range, in order.
pub fn to_json<J: Job>(head: &J::Head, (k, n): (u32, u32), items: &[J::Item]) -> Result<Vec<u8>, String> {
    let units = J::units(head)?;
    let rg = range(k, n, units);
    if items.len() != rg.len() {
        return Err(format!(
            "shard {k}/{n} holds units {}–{} but {} were given",
            rg.start,
            rg.end,
            items.len()
        ));
    }
    serde_json::to_vec(&Written {
        format: J::FORMAT,
        version: VERSION,
        hotline_version: env!("CARGO_PKG_VERSION"),
        shard: [k, n],
        first: rg.start,
        head,
        items,
    })
    .map_err(|e| e.to_string())
}

/// Writes a partial file (atomically; only over an earlier partial file).
pub fn write<J: Job>(
    path: &Path,
    head: &J::Head,
    shard: (u32, u32),
    items: &[J::Item],
) -> Result<(), crate::error::Error> {
    let bytes = to_json::<J>(head, shard, items).map_err(|message| crate::error::Error::Unusable {
        path: path.display().to_string(),
        message,
    })?;
    crate::files::write_replacing(path, &bytes, crate::files::Kind::Partial).map_err(|e| crate::error::Error::Write {
        path: path.display().to_string(),
        source: e,
    })
}

/// The `format` a partial file declares, read from its first bytes only.
pub fn format_of(path: &Path) -> Result<String, String> {
    let head = crate::files::head(path, 4096).map_err(|e| e.chain())?;
    let text = String::from_utf8_lossy(&head);
    let mut rest = text.trim_start().strip_prefix('{').map(str::trim_start);
    rest = rest.and_then(|r| r.strip_prefix("\"format\"")).map(str::trim_start);
    rest = rest.and_then(|r| r.strip_prefix(':')).map(str::trim_start);
    rest = rest.and_then(|r| r.strip_prefix('"'));
    rest.and_then(|r| r.split_once('"'))
        .map(|(f, _)| f.to_string())
        .filter(|f| f.starts_with("hotline") && f.len() < 64)
        .ok_or_else(|| {
            format!(
                "{}: not a hotline partial file (it does not start with {{\"format\": \"hotline …\"}})",
                path.display()
            )
        })
}

/// One partial file, its head read and checked.
#[derive(Clone, Debug)]
pub struct Part<H> {
    /// The path as given.
    pub path: String,
    /// Its head.
    pub head: H,
    /// (K, N).
    pub shard: (u32, u32),
    /// The first unit it holds.
    pub first: u32,
}

/// The partial files of one job, checked to cover every unit once, in the
/// order of their units.
#[derive(Clone, Debug)]
pub struct Parts<H> {
    /// The shared head.
    pub head: H,
    /// Units of the job.
    pub units: u32,
    /// The files, by first unit.
    pub parts: Vec<Part<H>>,
    max_bytes: u64,
}

/// Reads the heads of partial files (not their items) and checks that they
/// are the shards of one job, each once and none missing.
pub fn open<J: Job>(paths: &[&Path], max_bytes: u64) -> Result<Parts<J::Head>, String> {
    let mut parts: Vec<Part<J::Head>> = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        let part = read_file::<J>(p, max_bytes, None)?.0;
        if let Some(first) = parts.first() {
            if first.head != part.head {
                return Err(format!(
                    "{shown} comes from a different {} than {}: {}",
                    J::KIND,
                    first.path,
                    J::differs(&first.head, &part.head)
                ));
            }
            if first.shard.1 != part.shard.1 {
                return Err(format!(
                    "{shown} comes from a split into {} shards, {} from one into {}",
                    part.shard.1, first.path, first.shard.1
                ));
            }
        }
        if let Some(other) = parts.iter().find(|q| q.shard.0 == part.shard.0) {
            let (k, n) = part.shard;
            return Err(format!(
                "{shown} and {} both hold shard {k}/{n}: each shard once",
                other.path
            ));
        }
        parts.push(part);
    }
    let Some(first) = parts.first() else {
        return Err("no partial file given".into());
    };
    let (head, n) = (first.head.clone(), first.shard.1);
    let units = J::units(&head).map_err(|e| format!("{}: {e}", first.path))?;
    // At most MAX_SHARDS shards (checked when read), so this list is short.
    let missing: Vec<String> = (0..n)
        .filter(|k| !parts.iter().any(|p| p.shard.0 == *k))
        .take(20)
        .map(|k| {
            let rg = range(k, n, units);
            format!("shard {k}/{n} ({} {}–{})", J::UNITS, rg.start, rg.end.saturating_sub(1))
        })
        .collect();
    if !missing.is_empty() {
        let more = (n as usize).saturating_sub(parts.len()).saturating_sub(missing.len());
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        return Err(format!("missing: {}{tail}", missing.join(", ")));
    }
    parts.sort_by_key(|p| p.first);
    Ok(Parts {
        head,
        units,
        parts,
        max_bytes,
    })
}

impl<H> Parts<H> {
    /// Streams every item of every file, in unit order, through `each`
    /// (which checks it and uses it); an item `each` refuses, a file
    /// holding more or fewer items than its shard, or one that changed
    /// since its head was read, is an error naming the file.
    pub fn for_each<J: Job<Head = H>>(&self, each: &mut dyn FnMut(J::Item) -> Result<(), String>) -> Result<(), String>
    where
        H: PartialEq,
    {
        for p in &self.parts {
            let (again, count) = read_file::<J>(Path::new(&p.path), self.max_bytes, Some(each))?;
            if again.head != p.head || again.shard != p.shard {
                return Err(format!("{}: the file changed while it was read", p.path));
            }
            let expected = range(p.shard.0, p.shard.1, self.units).len() as u64;
            if count != expected {
                return Err(format!(
                    "{}: damaged (shard {}/{} should hold {expected} {}, it holds {count})",
                    p.path,
                    p.shard.0,
                    p.shard.1,
                    J::UNITS
                ));
            }
        }
        Ok(())
    }
}

/// Reads one partial file: its head always; its items through `each` when
/// given (else reading stops at them). Returns the part and the items read.
fn read_file<J: Job>(
    path: &Path,
    max_bytes: u64,
    each: Option<&mut dyn FnMut(J::Item) -> Result<(), String>>,
) -> Result<(Part<J::Head>, u64), String> {
    let shown = path.display().to_string();
    let format = format_of(path)?;
    if format != J::FORMAT {
        return Err(format!(
            "{shown}: a \"{format}\" file, not a {} partial file (\"{}\"); merge the files of one job",
            J::KIND,
            J::FORMAT
        ));
    }
    let reader = crate::files::open(path, max_bytes).map_err(|e| e.chain())?;
    let mut state = FileState::<J> {
        path: &shown,
        each,
        stop_at_items: false,
        part: None,
        count: 0,
    };
    state.stop_at_items = state.each.is_none();
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = (&mut state).deserialize(&mut de);
    match result {
        Ok(()) => {
            if state.each.is_some() {
                de.end().map_err(|e| format!("{shown}: damaged ({e})"))?;
            }
        }
        Err(e) if state.stop_at_items && state.part.is_some() && e.to_string().starts_with(STOP) => {}
        Err(e) => {
            let text = e.to_string();
            let why = if e.io_error_kind() == Some(std::io::ErrorKind::FileTooLarge) {
                format!("larger than {max_bytes} bytes (raise it with --max-bytes)")
            } else if e.is_io()
                || text.contains("damaged")
                || text.contains("version")
                || text.starts_with("written by")
            {
                text
            } else {
                format!("damaged ({text})")
            };
            return Err(format!("{shown}: {why}"));
        }
    }
    let part = state
        .part
        .ok_or_else(|| format!("{shown}: damaged (no items list after the head)"))?;
    Ok((part, state.count))
}

/// The error that stops reading at the items when only the head is wanted.
const STOP: &str = "hotline: head read";

struct FileState<'a, 'f, J: Job> {
    path: &'a str,
    each: Option<&'f mut dyn FnMut(J::Item) -> Result<(), String>>,
    stop_at_items: bool,
    part: Option<Part<J::Head>>,
    count: u64,
}

impl<'de, J: Job> DeserializeSeed<'de> for &mut FileState<'_, '_, J> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, J: Job> Visitor<'de> for &mut FileState<'_, '_, J> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a hotline partial file (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut version: Option<u32> = None;
        let mut hotline_version: Option<String> = None;
        let mut shard: Option<(u32, u32)> = None;
        let mut first: Option<u32> = None;
        let mut head: Option<J::Head> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "version" => {
                    let v: u32 = map.next_value()?;
                    if v != VERSION {
                        return Err(de::Error::custom(format!(
                            "partial format version {v}, this hotline reads version {VERSION} (run the shards and the merge with one hotline)"
                        )));
                    }
                    version = Some(v);
                }
                "hotline_version" => {
                    let v: String = map.next_value()?;
                    if v != env!("CARGO_PKG_VERSION") {
                        return Err(de::Error::custom(format!(
                            "written by hotline {}, this is hotline {} (run the shards and the merge with one hotline)",
                            crate::escape::terminal(&v),
                            env!("CARGO_PKG_VERSION")
                        )));
                    }
                    hotline_version = Some(v);
                }
                "shard" => {
                    let (k, n): (u32, u32) = map.next_value()?;
                    if !(1..=MAX_SHARDS).contains(&n) || k >= n {
                        return Err(de::Error::custom(format!(
                            "damaged (shard {k}/{n}: N runs from 1 to {MAX_SHARDS} and K from 0 to N − 1)"
                        )));
                    }
                    shard = Some((k, n));
                }
                "first" => first = Some(map.next_value()?),
                "head" => head = Some(map.next_value()?),
                "items" => {
                    let (Some(_), Some(_), Some((k, n)), Some(first), Some(head)) =
                        (version, &hotline_version, shard, first, head.take())
                    else {
                        return Err(de::Error::custom(
                            "damaged (the items come before the head: format, version, hotline_version, shard, first, head)",
                        ));
                    };
                    let units = J::units(&head).map_err(de::Error::custom)?;
                    let rg = range(k, n, units);
                    if first != rg.start {
                        return Err(de::Error::custom(format!(
                            "damaged (shard {k}/{n} of {units} {} starts at {}, the file says {first})",
                            J::UNITS,
                            rg.start
                        )));
                    }
                    self.part = Some(Part {
                        path: self.path.to_string(),
                        head,
                        shard: (k, n),
                        first,
                    });
                    if self.stop_at_items {
                        return Err(de::Error::custom(STOP));
                    }
                    let limit = rg.len() as u64;
                    let seed = Items::<J> {
                        each: self.each.as_deref_mut(),
                        count: &mut self.count,
                        limit,
                    };
                    map.next_value_seed(seed)?;
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "damaged (an unknown field \"{}\")",
                        crate::escape::terminal(other)
                    )));
                }
            }
        }
        if self.part.is_none() {
            return Err(de::Error::custom("damaged (no items)"));
        }
        Ok(())
    }
}

struct Items<'a, 'f, J: Job> {
    each: Option<&'a mut (dyn FnMut(J::Item) -> Result<(), String> + 'f)>,
    count: &'a mut u64,
    limit: u64,
}

impl<'de, J: Job> DeserializeSeed<'de> for Items<'_, '_, J> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, J: Job> Visitor<'de> for Items<'_, '_, J> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<J::Item>()? {
            *self.count += 1;
            if *self.count > self.limit {
                return Err(de::Error::custom(format!(
                    "damaged (more items than the shard's {})",
                    self.limit
                )));
            }
            if let Some(each) = self.each.as_deref_mut() {
                each(item).map_err(|e| de::Error::custom(format!("item {}: {e}", *self.count - 1)))?;
            }
        }
        Ok(())
    }
}

/// Checks a count read back: at most `limit`.
pub fn at_most(what: &str, value: u64, limit: u64) -> Result<(), String> {
    if value > limit {
        return Err(format!("{what} = {value}, above {limit}"));
    }
    Ok(())
}

/// Checks a number read back: finite and not negative.
pub fn finite(what: &str, value: f64) -> Result<(), String> {
    if !value.is_finite() || value < 0.0 {
        return Err(format!("{what} = {value}: not a finite number from 0 up"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_unit_once() {
        for r in [0, 1, 7, 10, 1000] {
            for n in 1..12 {
                let mut next = 0;
                for k in 0..n {
                    let rg = range(k, n, r);
                    assert_eq!(rg.start, next);
                    next = rg.end;
                }
                assert_eq!(next, r);
            }
        }
        assert_eq!(range(0, 0, 10), 0..10, "N = 0 is read as 1, never a division by zero");
    }

    #[test]
    fn shard_specs() {
        assert_eq!(parse_shard("2/8"), Ok((2, 8)));
        assert!(parse_shard("8/8").is_err());
        assert!(parse_shard("0/0").is_err());
        assert!(parse_shard("0/4000000000").is_err());
    }
}
