//! `hotline staff`: the fewest seats per pool and interval meeting every
//! target.

use std::path::{Path, PathBuf};

use clap::Args;

use super::simulate::sim_options;
use super::{Format, LimitArgs, RunArgs, load_valid, print, threads_in_range};
use crate::decisions::staff::{self, StaffOptions};
use crate::error::Error;
use crate::escape::json_text;
use crate::menu::target::Target;

/// `hotline staff`.
#[derive(Debug, Args)]
pub struct StaffArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// A target: METRIC[(DURATION)] >= | <= VALUE, such as
    /// "service_level(20s) >= 80%", "p_abandon <= 5%", "mean_wait <= 30s",
    /// "occupancy <= 85%" (default: the menu's targets:).
    #[arg(long = "target", value_name = "TARGET", value_parser = Target::parse)]
    pub targets: Vec<Target>,
    /// Interval length when arrivals or staffing vary over the day.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = duration)]
    pub interval: f64,
    /// Confidence at which every target must hold, 0.5 to 0.999.
    #[arg(long, value_name = "P", default_value_t = 0.95, value_parser = confidence)]
    pub confidence: f64,
    /// Share of paid time away from the phones (scheduled = required ÷ (1 − shrinkage)), 0 to 0.9.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = shrinkage)]
    pub shrinkage: f64,
    /// Replications of each search run to start with (default: the menu's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=100_000))]
    pub replications: Option<u32>,
    /// Seed of every run (default: the menu's).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 (0: one per core); results do not depend on it.
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = threads_in_range)]
    pub threads: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write a copy of the menu with the plan as the pools' schedules (never the input).
    #[arg(long = "write", value_name = "NEW.yaml")]
    pub write: Option<PathBuf>,
    /// Write a report (seats, offered calls and the achieved target per interval; the plan as JSON and CSV) into this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// No progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

fn duration(text: &str) -> Result<f64, String> {
    crate::menu::value::Duration::parse(text).map(|d| d.secs())
}

fn confidence(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if text.ends_with('%') && (50.0..=99.9).contains(&p) => Ok(p / 100.0),
        Ok(p) if (0.5..=0.999).contains(&p) => Ok(p),
        _ => Err(format!(
            "\"{text}\" is not a confidence from 0.5 to 0.999 (or 50% to 99.9%)"
        )),
    }
}

fn shrinkage(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if text.ends_with('%') && (0.0..=90.0).contains(&p) => Ok(p / 100.0),
        Ok(p) if (0.0..=0.9).contains(&p) => Ok(p),
        _ => Err(format!("\"{text}\" is not a shrinkage from 0 to 0.9 (or 0% to 90%)")),
    }
}

/// Runs `hotline staff`.
pub fn exec(a: &StaffArgs, ctx: &super::Context) -> Result<i32, Error> {
    let (loaded, h) = load_valid(&a.menu, &a.limits)?;
    let unusable = |message: String| Error::Unusable {
        path: loaded.path.clone(),
        message,
    };
    if let Some(w) = &a.write {
        let inputs: Vec<&std::path::Path> = std::iter::once(a.menu.as_path())
            .chain(a.limits.with.as_deref())
            .collect();
        crate::files::check_output(w, "--write", &inputs, crate::files::Existing::Nothing)?;
    }
    let run = RunArgs {
        replications: a.replications,
        seed: a.seed,
        threads: a.threads,
        sl_target: 20.0,
        max_in_system: 1_000_000,
        format: Format::Text,
        quiet: a.quiet,
        report: None,
        limits: a.limits.clone(),
    };
    let o = StaffOptions {
        targets: if a.targets.is_empty() {
            h.targets.clone()
        } else {
            a.targets.clone()
        },
        interval: a.interval,
        confidence: a.confidence,
        shrinkage: a.shrinkage,
        sim: sim_options(&h, &loaded.path, &run, ctx)?,
        max_rounds: 60,
    };
    let out = a
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    // A long search says so before it starts.
    let per_round = crate::sim::expected_callers(&h, o.sim.replications.max(2));
    if !a.quiet && per_round >= 2e6 {
        eprintln!(
            "hotline: {}: about {per_round:.1e} callers a search round ({} replications, more where a target is close); a search takes 5 to 20 rounds (Ctrl-C stops it)",
            loaded.path,
            o.sim.replications.max(2)
        );
    }
    let s = staff::staff(&h, &o).map_err(|m| {
        if ctx.interrupted() {
            Error::Interrupted
        } else {
            unusable(m)
        }
    })?;
    if let Some(w) = &a.write {
        // An imported flow, or a menu with an overlay, is written as the
        // hotline menu it stands for.
        let overlay = a.limits.overlay()?;
        let source = if overlay.is_some() || crate::input::flows::detect(&loaded.source).is_some() {
            let (tree, _) =
                crate::input::effective_tree(&loaded.source, &loaded.path, &a.limits.options(), overlay.as_ref())
                    .map_err(unusable)?;
            crate::input::flows::tree_yaml(&tree)
        } else {
            loaded.source.clone()
        };
        let text = staff::with_schedules(&source, &h, &s).map_err(unusable)?;
        let text = schema_from(&text, Path::new(&loaded.path));
        crate::files::write_new(w, text.as_bytes()).map_err(|e| Error::Write {
            path: w.display().to_string(),
            source: e,
        })?;
        if !a.quiet {
            eprintln!("hotline: wrote {}", w.display());
        }
    }
    if let Some(out) = out {
        crate::output::report::staff::write_report(out, &s, &|| ctx.interrupted())?;
    }
    print(&match a.format {
        Format::Text => crate::output::text::staff::to_text(&s),
        Format::Json => json_text(&s),
    })?;
    // A target no number of seats meets is a problem of the input.
    Ok(if staff::has_unmet(&s) { 1 } else { 0 })
}

/// The menu's text with a relative `# yaml-language-server: $schema=`
/// path made absolute (from the menu's folder), so that the copy written
/// elsewhere still finds the schema; a path that does not resolve is left.
fn schema_from(text: &str, menu: &Path) -> String {
    const KEY: &str = "# yaml-language-server: $schema=";
    let Some(line) = text.lines().take(5).find(|l| l.trim_start().starts_with(KEY)) else {
        return text.to_string();
    };
    let target = line.trim_start()[KEY.len()..].trim();
    if target.contains("://") || Path::new(target).is_absolute() {
        return text.to_string();
    }
    let base = menu.parent().unwrap_or(Path::new("."));
    match std::fs::canonicalize(base.join(target)) {
        Ok(abs) => text.replacen(line, &format!("{KEY}{}", abs.display()), 1),
        Err(_) => text.to_string(),
    }
}
