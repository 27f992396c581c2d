//! `hotline compare`: two designs side by side, simulated with the same
//! seeds, with paired differences.

use std::path::PathBuf;

use clap::Args;

use super::simulate::{run_sim, sim_options};
use super::{Format, RunArgs, load_valid, print};
use crate::error::Error;
use crate::escape::json_text;

/// `hotline compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Design A.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Design B.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Run settings (replications and seed default to A's).
    #[command(flatten)]
    pub run: RunArgs,
}

/// Runs `hotline compare`.
pub fn exec(a: &CompareArgs, ctx: &super::Context) -> Result<i32, Error> {
    use crate::output::report::compare::{self, Side};
    let run = &a.run;
    let (la, ha) = load_valid(&a.a, &run.limits)?;
    let (lb, hb) = load_valid(&a.b, &run.limits)?;
    let oa = sim_options(&ha, &la.path, run, ctx)?;
    // Same replications and seeds for both: the comparison is paired.
    let mut ob = sim_options(&hb, &lb.path, run, ctx)?;
    ob.replications = oa.replications;
    ob.seed = oa.seed;
    let out = run
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    let ra = run_sim(&ha, &la.path, &oa, run.quiet, &mut |_, _| Ok(()))?;
    let rb = run_sim(&hb, &lb.path, &ob, run.quiet, &mut |_, _| Ok(()))?;
    let side = |h: &crate::menu::Hotline, path: &str| Side {
        hotline: h.name.clone(),
        path: path.into(),
        reach_human: crate::analysis::reach(h, None),
    };
    let c = compare::compare((side(&ha, &la.path), &ra), (side(&hb, &lb.path), &rb));
    if let Some(out) = out {
        compare::write_report(out, &c, &ra, &rb, &|| ctx.interrupted())?;
    }
    print(&match run.format {
        Format::Text => compare::to_text(&c),
        Format::Json => json_text(&c),
    })?;
    Ok(0)
}
