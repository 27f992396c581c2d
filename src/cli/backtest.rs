//! `hotline backtest`: the menu simulated against the records it should
//! reproduce.

use std::path::{Path, PathBuf};

use clap::Args;

use super::simulate::sim_options;
use super::{Format, RunArgs, load_valid, print};
use crate::error::Error;
use crate::escape::json_text;

/// `hotline backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Record files (as `hotline fit` reads them).
    #[arg(required = true, value_name = "RECORDS")]
    pub records: Vec<PathBuf>,
    /// Length of the compared intervals of the day.
    #[arg(long, default_value = "30m", value_parser = super::parse_interval)]
    pub interval: f64,
    /// Run settings (--with lays the fitted overlay over the menu).
    #[command(flatten)]
    pub run: RunArgs,
}

/// Runs `hotline backtest`.
pub fn exec(a: &BacktestArgs, ctx: &super::Context) -> Result<i32, Error> {
    let run = &a.run;
    let paths: Vec<&Path> = a.records.iter().map(PathBuf::as_path).collect();
    let o = crate::fit::FitOptions {
        interval: a.interval,
        sl_target: run.sl_target,
        ..Default::default()
    };
    let fit = crate::fit::fit_files(&paths, &o)?;
    let (loaded, h) = load_valid(&a.menu, &run.limits)?;
    let dir = run
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    let so = sim_options(&h, &loaded.path, run, ctx)?;
    let b = crate::decisions::backtest::backtest(&h, &fit, &so, a.interval)
        .map_err(super::Context::sim_error(&loaded.path))?;
    if let Some(dir) = dir {
        crate::output::report::backtest::write_report(dir, &b, &loaded.path, &|| ctx.interrupted())?;
    }
    print(&match run.format {
        Format::Text => crate::output::text::backtest::to_text(&b),
        Format::Json => json_text(&b),
    })?;
    Ok(0)
}
