//! `hotline sweep`: a grid over menu values, each point simulated with the
//! same seeds.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::simulate::sim_options;
use super::{Format, LimitArgs, RunArgs, load_valid, print, threads_in_range};
use crate::decisions::sweep::{self, Setting};
use crate::error::Error;
use crate::escape::json_text;

/// Output format of `sweep`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SweepFormat {
    /// A table for people.
    Text,
    /// JSON for scripts: `{"points": [{"set": {…}, "metrics": {…}}]}`.
    Json,
    /// CSV, one row per point and metric.
    Csv,
}

/// `hotline sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// A value to sweep: PATH=VALUES, PATH as in the file
    /// (agents.desk.seats, nodes.q.busy.deflects), VALUES as 10..20,
    /// 10..20/2 or 0,0.2,0.4; several make a grid.
    #[arg(long = "set", value_name = "PATH=VALUES", required = true, value_parser = Setting::parse)]
    pub sets: Vec<Setting>,
    /// The metrics shown and plotted (default: reach, time to a human,
    /// service level, wait, abandonment, occupancy, channel switches).
    #[arg(long = "metric", value_name = "KEY")]
    pub metrics: Vec<String>,
    /// Replications at every point, 1 to 1000000 (default: the menu's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Seed of every point (default: the menu's).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 (0: one per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = threads_in_range)]
    pub threads: usize,
    /// Service-level target in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    pub sl_target: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SweepFormat::Text)]
    pub format: SweepFormat,
    /// No progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a report (one plot per metric, a table, JSON, CSV) into this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Run only shard K of N of the grid's points (K from 0, or auto/N)
    /// and write them to --partial (combine with `hotline merge`).
    #[arg(long, value_name = "K/N", requires = "partial", value_parser = crate::shard::parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// The partial file a shard writes.
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub partial: Option<PathBuf>,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `hotline sweep`.
pub fn exec(a: &SweepArgs, ctx: &super::Context) -> Result<i32, Error> {
    if let Some(file) = &a.partial {
        let inputs: Vec<&std::path::Path> = std::iter::once(a.menu.as_path())
            .chain(a.limits.with.as_deref())
            .collect();
        crate::files::check_output(file, "--partial", &inputs, super::simulate::partial_file())?;
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = a.sets.iter().find(|s| !seen.insert(s.path.as_str())) {
        return Err(Error::Usage {
            message: format!(
                "--set {0}: the path is set twice; give all its values in one --set ({0}=1,2,3)",
                twice.path
            ),
        });
    }
    let (loaded, _) = load_valid(&a.menu, &a.limits)?;
    let run = RunArgs {
        replications: a.replications,
        seed: a.seed,
        threads: a.threads,
        sl_target: a.sl_target,
        max_in_system: 1_000_000,
        format: Format::Text,
        quiet: a.quiet,
        report: None,
        limits: a.limits.clone(),
    };
    let metrics: Vec<&str> = if a.metrics.is_empty() {
        sweep::DEFAULT_METRICS.to_vec()
    } else {
        a.metrics.iter().map(String::as_str).collect()
    };
    let out = a
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    let path = loaded.path.clone();
    let options = |h: &crate::menu::Hotline| sim_options(h, &path, &run, ctx);
    // The menu the values are set in: an imported flow's, with the overlay.
    let overlay = a.limits.overlay()?;
    let (tree, text) =
        crate::input::effective_tree(&loaded.source, &loaded.path, &a.limits.options(), overlay.as_ref()).map_err(
            |message| Error::Unusable {
                path: loaded.path.clone(),
                message,
            },
        )?;
    // Options are checked once up front (a bad --sl-target is the user's).
    let first = crate::input::load_tree(&tree, &text, &loaded.path, &a.limits.options());
    if let Some(h) = &first.hotline {
        options(h)?;
    }
    // Progress is for a person watching: nothing when standard error is not
    // a terminal (a log, a pipe, CI), as for the other commands.
    let quiet = a.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr());
    if a.shard.is_some() && out.is_some() {
        return Err(Error::Unusable {
            path: loaded.path.clone(),
            message: "--report with --shard: a shard has part of the grid; merge the parts first".into(),
        });
    }
    let s = sweep::sweep_tree(
        &tree,
        &text,
        &loaded.path,
        &a.sets,
        &a.limits.options(),
        &|h| options(h).unwrap_or_else(|_| crate::sim::SimOptions::from_menu(h)),
        a.shard,
        &|done, total| {
            if !quiet {
                eprintln!("hotline: sweep point {done} of {total} done");
            }
        },
    )
    .map_err(|message| {
        if ctx.interrupted() {
            Error::Interrupted
        } else {
            Error::Unusable {
                path: loaded.path.clone(),
                message,
            }
        }
    })?;
    if !a.metrics.is_empty()
        && let Some(k) = metrics
            .iter()
            .find(|k| !s.points.iter().any(|p| p.metrics.contains_key(**k)))
    {
        return Err(Error::Unusable {
            path: loaded.path.clone(),
            message: format!(
                "--metric {k}: no point has that metric (see hotline simulate --format json for the keys)"
            ),
        });
    }
    if let (Some((k, n)), Some(file)) = (a.shard, &a.partial) {
        let head = sweep::SweepHead::new(&loaded.source, &a.sets, &s).map_err(|message| Error::Unusable {
            path: loaded.path.clone(),
            message,
        })?;
        crate::shard::write::<sweep::SweepJob>(file, &head, (k, n), &s.points)?;
        return Ok(0);
    }
    if let Some(out) = out {
        crate::output::report::sweep::write_report(out, &s, &metrics, &|| ctx.interrupted())?;
    }
    print(&match a.format {
        SweepFormat::Text => crate::output::text::sweep::to_text(&s, &metrics),
        SweepFormat::Json => json_text(&s),
        SweepFormat::Csv => crate::output::text::sweep::to_csv(&s),
    })?;
    Ok(0)
}
