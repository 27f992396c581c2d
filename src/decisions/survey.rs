//! A regulator's survey: one row per hotline under a folder, and the
//! aggregate figures a consumer council would publish.

use crate::analysis::rules::RuleId;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod calls;
pub use calls::add_calls;

use super::comply::Rule;
use crate::analysis::{self, rules::RuleSet};
use crate::diag::Severity;
use crate::menu::{Hotline, Kind, LoadOptions};

/// One hotline's row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    /// Hotline name (empty when the file did not load).
    pub name: String,
    /// The file.
    pub file: String,
    /// Whether a queue can be reached.
    pub reachable: Option<bool>,
    /// Fewest selections to a human.
    pub selections: Option<u32>,
    /// Least seconds to a human.
    pub seconds: Option<f64>,
    /// Every menu offers a queue in one choice.
    pub one_press_everywhere: Option<bool>,
    /// Callers in a 65+ segment reach a queue with no choice
    /// (`None`: no such segment, or not loaded).
    pub elderly_line: Option<bool>,
    /// A busy message sends callers online and they call back.
    pub deflection_loop: Option<bool>,
    /// Whether a customer who starts online can reach a person (`None`: no
    /// `online_entry`, or not loaded).
    pub online_reachable: Option<bool>,
    /// Fewest typed requests before a person online.
    pub online_selections: Option<u32>,
    /// Load errors plus error findings.
    pub errors: usize,
    /// Load warnings plus warning findings.
    pub warnings: usize,
    /// Why the file did not load.
    pub error: Option<String>,
    /// The route to a human (node ids), when there is one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route: Vec<String>,
    /// The verdicts of the packs of `--comply`, as `comply` gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdicts: Option<Vec<RowVerdict>>,
    /// Its simulation (`--simulate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulated: Option<RowSim>,
    /// The inspectors' test calls of this hotline against its menu
    /// (`--calls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<super::testcalls::CallsSummary>,
}

/// A verdict in a survey's row: the rule, pass / fail / inconclusive and
/// the finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowVerdict {
    /// The rule's id.
    pub rule: String,
    /// `pass`, `fail` or `inconclusive`.
    pub status: String,
    /// What was found.
    pub finding: String,
    /// Nodes involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
}

/// The aggregate.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Aggregate {
    /// Files surveyed.
    pub files: usize,
    /// Hotlines that loaded.
    pub hotlines: usize,
    /// Share of hotlines needing 2 or more selections before a human.
    pub share_two_or_more_selections: Option<f64>,
    /// Share with no human at all.
    pub share_no_human: Option<f64>,
    /// Share with a one-press human at every menu.
    pub share_one_press_everywhere: Option<f64>,
    /// Median seconds to a human, over hotlines with one.
    pub median_seconds_to_human: Option<f64>,
    /// Share with a busy-to-online deflection.
    pub share_deflection: Option<f64>,
    /// Hotlines with an online entry.
    pub online: usize,
    /// Share of those whose online customers must type 2 or more requests
    /// before a person (or never reach one).
    pub share_online_two_or_more: Option<f64>,
    /// Share of those whose online customers can never reach a person.
    pub share_online_no_human: Option<f64>,
    /// Share of hotlines whose callers of a 65+ segment reach a person with
    /// no choice (hotlines without such a segment count as without).
    pub share_elderly_line: Option<f64>,
    /// Hotlines simulated (`--simulate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulated: Option<usize>,
    /// Per metric, the mean over the hotlines simulated of their means.
    #[serde(skip_serializing_if = "indexmap::IndexMap::is_empty")]
    pub simulated_means: indexmap::IndexMap<String, f64>,
    /// Per rule of `--comply`: (rule, pass, fail, inconclusive).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<(String, usize, usize, usize)>,
}

/// A whole survey.
#[derive(Clone, Debug, Serialize)]
pub struct Survey {
    /// One row per file (and per folder that could not be read).
    pub rows: Vec<Row>,
    /// The figures over all rows.
    pub aggregate: Aggregate,
    /// Entries passed over: links to folders (never followed, so a link
    /// back up cannot loop or count a menu twice).
    pub skipped: Vec<String>,
}

/// What a folder holds for a survey.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// Menu files (`.yaml`, `.yml`, and `.json`, `.xml`, `.vxml` vendor
    /// flows; links to files included), sorted.
    pub files: Vec<PathBuf>,
    /// Folders below the top one that could not be read, with the reason.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Links to folders, not followed.
    pub skipped: Vec<PathBuf>,
}

/// Menu files under a folder, to `max_depth` (1: the folder itself). Links
/// to folders are not followed; a folder below the top one that cannot be
/// read is listed, not fatal. Fails only when `dir` cannot be read.
pub fn menu_files(dir: &Path, max_depth: usize) -> std::io::Result<Listing> {
    let mut out = Listing::default();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if depth == 0 => return Err(e),
            Err(e) => {
                out.unreadable.push((d, e.to_string()));
                continue;
            }
        };
        for e in entries {
            let e = match e {
                Ok(e) => e,
                Err(err) => {
                    out.unreadable.push((d.clone(), err.to_string()));
                    continue;
                }
            };
            let p = e.path();
            let link = e.file_type().is_ok_and(|t| t.is_symlink());
            if p.is_dir() {
                if link {
                    out.skipped.push(p);
                } else if depth + 1 < max_depth {
                    stack.push((p, depth + 1));
                }
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") || vendor_flow(&p) {
                out.files.push(p);
            }
        }
    }
    out.files.sort();
    out.unreadable.sort();
    out.skipped.sort();
    Ok(out)
}

/// Whether a `.json`, `.xml` or `.vxml` file is a vendor flow (from the
/// start of its content).
fn vendor_flow(p: &Path) -> bool {
    if !p.extension().is_some_and(|x| x == "json" || x == "xml" || x == "vxml") {
        return false;
    }
    // The guarded reader never opens a FIFO or a device.
    crate::files::head(p, 1 << 20)
        .is_ok_and(|head| crate::input::flows::detect(&String::from_utf8_lossy(&head)).is_some())
}

/// What a survey checks besides the analysis: the rule overrides, the
/// packs of `--comply`, and whether hotlines with a caller model are
/// simulated (`--simulate`).
#[derive(Clone, Copy)]
pub struct Checks<'a> {
    /// Rule overrides of the analysis.
    pub rules: &'a RuleSet,
    /// The rules of the packs of `--comply`.
    pub comply: &'a [&'static Rule],
    /// Simulate each hotline that has a caller model.
    pub simulate: bool,
}

/// The metrics a survey shows of a simulation.
pub const SIMULATED: &[&str] = &[
    "mean_time_to_human_s",
    "p_reach_human",
    "p_answered_within_180s",
    "p_abandoned",
    "p_deflected",
    "p_switched_channel",
];

/// A hotline's simulation in a survey: its headline metrics with their
/// intervals, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowSim {
    /// Replications run (the menu's own).
    pub replications: u32,
    /// The metrics of [`SIMULATED`] the run defines.
    pub metrics: indexmap::IndexMap<String, crate::sim::stats::Estimate>,
    /// Why it was not simulated (no caller model, the run failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Surveys the given files.
pub fn survey(files: &[PathBuf], options: &LoadOptions, checks: &Checks) -> Survey {
    let rows: Vec<Row> = files.iter().map(|f| row(f, options, checks)).collect();
    let aggregate = aggregate(&rows);
    Survey {
        rows,
        aggregate,
        skipped: Vec::new(),
    }
}

/// Surveys what a folder holds: its menu files, a row for each folder that
/// could not be read, and the links passed over.
pub fn survey_listing(listing: &Listing, options: &LoadOptions, checks: &Checks) -> Survey {
    let mut s = survey(&listing.files, options, checks);
    for (dir, why) in &listing.unreadable {
        s.rows.push(unreadable_row(dir, why));
    }
    s.rows.sort_by(|a, b| a.file.cmp(&b.file));
    s.aggregate = aggregate(&s.rows);
    s.skipped = skipped(listing);
    s
}

/// A survey from its rows (any order) and the entries passed over: rows
/// sorted by file, the aggregate computed (how merged shards are put
/// together).
pub fn from_rows(mut rows: Vec<Row>, skipped: Vec<String>) -> Survey {
    rows.sort_by(|a, b| a.file.cmp(&b.file));
    let aggregate = aggregate(&rows);
    Survey {
        rows,
        aggregate,
        skipped,
    }
}

/// What every shard of a survey shares: the folder, its listing's size,
/// the rules, and what the listing found besides files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyHead {
    /// The folder surveyed, as given.
    pub dir: String,
    /// Menu files in the whole folder.
    pub files: u32,
    /// The rules in force ([`RuleSet::fingerprint`]).
    pub rules: String,
    /// Folders that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// Entries passed over.
    pub skipped: Vec<String>,
    /// The packs of `--comply`.
    #[serde(default)]
    pub comply: Vec<String>,
    /// Whether hotlines are simulated (`--simulate`).
    #[serde(default)]
    pub simulate: bool,
}

impl SurveyHead {
    /// The head of a survey of `listing` (of folder `dir`) with `rules`
    /// and the packs of `--comply`.
    pub fn new(dir: &Path, listing: &Listing, rules: &RuleSet, comply: &[String], simulate: bool) -> SurveyHead {
        SurveyHead {
            dir: dir.display().to_string(),
            files: listing.files.len() as u32,
            rules: rules.fingerprint(),
            unreadable: listing
                .unreadable
                .iter()
                .map(|(d, why)| (d.display().to_string(), why.clone()))
                .collect(),
            skipped: skipped(listing),
            comply: comply.to_vec(),
            simulate,
        }
    }
}

/// Most files one survey covers.
pub const MAX_FILES: u32 = 10_000_000;

/// A survey's files, as a [`crate::shard::Job`]: one row each.
#[derive(Debug)]
pub struct SurveyJob;

impl crate::shard::Job for SurveyJob {
    const KIND: &'static str = "survey";
    const FORMAT: &'static str = "hotline survey partial";
    const UNITS: &'static str = "files";
    type Head = SurveyHead;
    type Item = Row;

    fn units(head: &SurveyHead) -> Result<u32, String> {
        if head.files > MAX_FILES {
            return Err(format!("damaged (files = {}, above {MAX_FILES})", head.files));
        }
        Ok(head.files)
    }

    fn differs(a: &SurveyHead, b: &SurveyHead) -> String {
        if a.dir != b.dir || a.files != b.files {
            format!(
                "another folder or listing ({}, {} files, against {}, {} files)",
                b.dir, b.files, a.dir, a.files
            )
        } else if a.rules != b.rules {
            "other rules (--rules)".into()
        } else if a.comply != b.comply {
            "other packs (--comply)".into()
        } else if a.simulate != b.simulate {
            "one with --simulate and one without".into()
        } else {
            "another listing of the folder".into()
        }
    }
}

impl Row {
    /// Checks a row read back from a partial file.
    pub fn check(&self) -> Result<(), String> {
        if self.file.is_empty() {
            return Err("a row without a file".into());
        }
        if let Some(s) = self.seconds {
            crate::shard::finite("seconds", s)?;
        }
        let loaded = self.reachable.is_some();
        if !loaded && (self.selections.is_some() || self.seconds.is_some()) {
            return Err(format!("{}: figures for a hotline that did not load", self.file));
        }
        Ok(())
    }
}

/// The rows of files `range` of a listing (a shard of a survey).
pub fn survey_range(
    listing: &Listing,
    range: std::ops::Range<u32>,
    options: &LoadOptions,
    checks: &Checks,
) -> Vec<Row> {
    survey(
        &listing.files[range.start as usize..range.end as usize],
        options,
        checks,
    )
    .rows
}

/// The whole survey from its head and every file's row (merged shards).
pub fn from_parts(head: &SurveyHead, mut rows: Vec<Row>) -> Survey {
    for (dir, why) in &head.unreadable {
        rows.push(unreadable_row(Path::new(dir), why));
    }
    from_rows(rows, head.skipped.clone())
}

fn unreadable_row(dir: &Path, why: &str) -> Row {
    let mut r = empty_row(dir);
    r.error = Some(format!("cannot read the folder: {why}"));
    r.errors = 1;
    r
}

fn skipped(listing: &Listing) -> Vec<String> {
    listing
        .skipped
        .iter()
        .map(|p| format!("{}: a link to a folder, not followed", p.display()))
        .collect()
}

fn empty_row(file: &Path) -> Row {
    Row {
        name: String::new(),
        file: file.display().to_string(),
        reachable: None,
        selections: None,
        seconds: None,
        one_press_everywhere: None,
        elderly_line: None,
        deflection_loop: None,
        online_reachable: None,
        online_selections: None,
        errors: 0,
        warnings: 0,
        error: None,
        route: Vec::new(),
        verdicts: None,
        simulated: None,
        calls: None,
    }
}

fn row(file: &Path, options: &LoadOptions, checks: &Checks) -> Row {
    let (rules, comply) = (checks.rules, checks.comply);
    let mut r = empty_row(file);
    let loaded = match crate::input::load(file, options) {
        Ok(l) => l,
        Err(e) => {
            r.error = Some(e.chain());
            r.errors = 1;
            return r;
        }
    };
    r.errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    r.warnings = loaded.diagnostics.len() - r.errors;
    let Some(h) = &loaded.hotline else {
        let first = loaded.diagnostics.iter().find(|d| d.is_error());
        r.error = first.map(|d| format!("{}:{}: {}", d.line.unwrap_or(0), d.column.unwrap_or(0), d.sentence()));
        return r;
    };
    let a = analysis::analyze(h, rules);
    r.name = h.name.clone();
    r.reachable = Some(a.reach_human.reachable);
    r.selections = a.reach_human.selections;
    r.seconds = a.reach_human.seconds;
    r.one_press_everywhere = Some(one_press_everywhere(h));
    r.elderly_line = elderly_line(h, &a);
    r.deflection_loop = Some(a.findings.iter().any(|f| f.rule == RuleId::DeflectionLoop));
    if let Some(o) = &a.reach_human_online {
        r.online_reachable = Some(o.reachable);
        r.online_selections = o.selections;
    }
    r.errors += a.count(Severity::Error);
    r.warnings += a.count(Severity::Warning);
    r.route = a.reach_human.route.clone();
    let sim = checks.simulate.then(|| simulate(h));
    let report = sim.as_ref().and_then(|s| s.as_ref().ok());
    if let Some(s) = &sim {
        r.simulated = Some(match s {
            Ok(rep) => RowSim {
                replications: rep.replications,
                metrics: SIMULATED
                    .iter()
                    .filter_map(|k| rep.metrics.get(*k).map(|e| (k.to_string(), *e)))
                    .collect(),
                note: None,
            },
            Err(why) => RowSim {
                replications: 0,
                metrics: Default::default(),
                note: Some(why.clone()),
            },
        });
    }
    if !comply.is_empty() {
        // Simulated rules are inconclusive without --simulate.
        let static_analysis = analysis::analyze(h, &RuleSet::default());
        r.verdicts = Some(
            super::comply::verdicts(h, &static_analysis, report, comply)
                .into_iter()
                .map(|v| RowVerdict {
                    rule: v.rule.into(),
                    status: v.status.name().into(),
                    finding: v.evidence.finding,
                    nodes: v.evidence.nodes,
                })
                .collect(),
        );
    }
    r
}

/// A hotline simulated as `comply` does (the menu's replications and
/// seed, a service-level target of 30 s), or why not.
fn simulate(h: &Hotline) -> Result<crate::sim::SimReport, String> {
    if h.callers.is_none() {
        return Err("no caller model (callers.arrivals): nothing to simulate".into());
    }
    let mut o = crate::sim::SimOptions::from_menu(h);
    o.sl_target = 30.0;
    crate::sim::simulate(h, &o, &|_, _, _| {}).map_err(|e| format!("the simulation failed: {}", String::from(e)))
}

/// Whether every menu and voice bot offers a queue in one choice.
fn one_press_everywhere(h: &Hotline) -> bool {
    let allowed = analysis::route::deliberate_edges(h, None);
    let (_, free) = analysis::route::can_reach_queue(h, &allowed);
    h.graph
        .node_indices()
        .filter(|&n| matches!(h.graph[n].kind, Kind::Menu(_) | Kind::Speech(_)))
        .all(|n| h.out(n).any(|(_, t, tr)| tr.is_choice() && free[t.index()]))
}

fn elderly_line(h: &Hotline, a: &analysis::Analysis) -> Option<bool> {
    let callers = h.callers.as_ref()?;
    let seg = callers.segments.iter().find(|s| {
        let t = format!("{} {}", s.name, s.label.clone().unwrap_or_default()).to_lowercase();
        ["elder", "senior", "65", "older", "aged", "老", "长者"]
            .iter()
            .any(|w| t.contains(w))
    })?;
    Some(a.segments.get(&seg.name).is_some_and(|r| r.selections == Some(0)))
}

fn share(rows: &[&Row], f: impl Fn(&Row) -> bool) -> Option<f64> {
    (!rows.is_empty()).then(|| rows.iter().filter(|r| f(r)).count() as f64 / rows.len() as f64)
}

fn aggregate(rows: &[Row]) -> Aggregate {
    let ok: Vec<&Row> = rows.iter().filter(|r| r.reachable.is_some()).collect();
    let online: Vec<&Row> = ok.iter().copied().filter(|r| r.online_reachable.is_some()).collect();
    let mut secs: Vec<f64> = ok.iter().filter_map(|r| r.seconds).collect();
    secs.sort_by(f64::total_cmp);
    let median = (!secs.is_empty()).then(|| {
        let m = secs.len() / 2;
        if secs.len() % 2 == 1 {
            secs[m]
        } else {
            (secs[m - 1] + secs[m]) / 2.0
        }
    });
    Aggregate {
        files: rows.len(),
        hotlines: ok.len(),
        share_two_or_more_selections: share(&ok, |r| r.selections.is_some_and(|s| s >= 2)),
        share_no_human: share(&ok, |r| r.reachable == Some(false)),
        share_one_press_everywhere: share(&ok, |r| r.one_press_everywhere == Some(true)),
        median_seconds_to_human: median,
        share_deflection: share(&ok, |r| r.deflection_loop == Some(true)),
        online: online.len(),
        share_online_two_or_more: share(&online, |r| r.online_selections.is_none_or(|s| s >= 2)),
        share_online_no_human: share(&online, |r| r.online_reachable == Some(false)),
        share_elderly_line: share(&ok, |r| r.elderly_line == Some(true)),
        simulated: ok.iter().any(|r| r.simulated.is_some()).then(|| {
            ok.iter()
                .filter(|r| r.simulated.as_ref().is_some_and(|s| s.note.is_none()))
                .count()
        }),
        simulated_means: simulated_means(&ok),
        verdicts: verdict_counts(&ok),
    }
}

/// Per metric of [`SIMULATED`], the mean over the simulated hotlines.
fn simulated_means(rows: &[&Row]) -> indexmap::IndexMap<String, f64> {
    let mut out = indexmap::IndexMap::new();
    for key in SIMULATED {
        let v: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.simulated.as_ref()?.metrics.get(*key).map(|e| e.mean))
            .collect();
        if !v.is_empty() {
            out.insert(key.to_string(), v.iter().sum::<f64>() / v.len() as f64);
        }
    }
    out
}

/// Per rule, in the order first met: passes, failures, inconclusive.
fn verdict_counts(rows: &[&Row]) -> Vec<(String, usize, usize, usize)> {
    let mut out: Vec<(String, usize, usize, usize)> = Vec::new();
    for v in rows.iter().filter_map(|r| r.verdicts.as_ref()).flatten() {
        let i = match out.iter().position(|c| c.0 == v.rule) {
            Some(i) => i,
            None => {
                out.push((v.rule.clone(), 0, 0, 0));
                out.len() - 1
            }
        };
        match v.status.as_str() {
            "pass" => out[i].1 += 1,
            "fail" => out[i].2 += 1,
            _ => out[i].3 += 1,
        }
    }
    out
}
