//! `hotline bench`: callers simulated per second on one thread, for the
//! Erlang-A reference queue and for a menu.

use std::path::{Path, PathBuf};

use clap::Args;
use std::time::Instant;

use crate::error::Error;
use crate::input::load_str;
use crate::menu::LoadOptions;
use crate::sim::{SimOptions, simulate};

/// `hotline bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The menu to measure besides the reference queue (default: the
    /// sample bank menu, built in).
    #[arg(value_name = "MENU")]
    pub menu: Option<PathBuf>,
    /// Replications of the menu, 1 to 1000000.
    #[arg(long, value_name = "N", default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: u32,
}

/// Runs `hotline bench`.
pub fn exec(a: &BenchArgs) -> Result<i32, Error> {
    super::print(&run(a.menu.as_deref(), a.replications)?)?;
    Ok(0)
}

/// The Erlang-A reference: λ = 9.5/min, μ = 1/min, c = 10, patience exp(mean = 2 min).
pub const REFERENCE: &str = "hotline: Erlang-A reference\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
agents:\n  desk: { seats: 10, handle_time: exp(mean=1m) }\n\
callers:\n  arrivals: 9.5/m\n  patience: exp(mean=2m)\n\
simulation: { start: \"00:00\", duration: 100h, warmup: 2h, replications: 30, seed: 1 }\n";

/// The sample bank menu, measured when no menu is given.
const BANK: &str = include_str!("../../menus/bank.yaml");

/// Runs both measurements and returns the report text. The menu is loaded
/// first, so a missing or broken one is reported before anything runs.
pub fn run(menu: Option<&Path>, replications: u32) -> Result<String, Error> {
    let (h, shown) = match menu {
        Some(path) => {
            let (_, h) = super::load_valid(
                path,
                &super::LimitArgs {
                    with: None,
                    max_bytes: 16 << 20,
                    max_nodes: 1_000_000,
                    max_nesting: 64,
                },
            )?;
            (h, path.display().to_string())
        }
        None => (
            load_str(BANK, "menus/bank.yaml", &LoadOptions::default())
                .hotline
                .expect("the sample bank menu is valid"),
            "menus/bank.yaml, built in".to_string(),
        ),
    };
    let reference = load_str(REFERENCE, "reference", &LoadOptions::default())
        .hotline
        .expect("the reference menu is valid");
    let mut out = String::from("callers simulated per second, one thread (best of 5 runs)\n");
    let (n, secs) = measure(&reference, reference.simulation.replications)?;
    out.push_str(&format!(
        "  (a) Erlang-A reference, λ=9.5/min μ=1/min c=10 patience exp(2 min): {n} callers in {secs:.3} s = {:.2} million/s ({:.0} ns a caller)\n",
        n as f64 / secs / 1e6,
        secs * 1e9 / n as f64
    ));
    let (n, secs) = measure(&h, replications)?;
    out.push_str(&format!(
        "  (b) {} ({shown}), {replications} replications: {n} callers in {secs:.3} s = {:.2} million/s ({:.0} ns a caller)\n",
        h.name,
        n as f64 / secs / 1e6,
        secs * 1e9 / n as f64
    ));
    out.push_str(
        "wall-clock figures move with the host's load; instructions per caller, exact and repeatable: \
         benches/callgrind [BIN] (valgrind; figures in docs/performance.md)\n",
    );
    Ok(out)
}

fn measure(h: &crate::menu::Hotline, replications: u32) -> Result<(u64, f64), Error> {
    let mut o = SimOptions::from_menu(h);
    o.threads = 1;
    o.replications = replications;
    let mut best = f64::INFINITY;
    let mut callers = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let r = simulate(h, &o, &|_, _, _| {}).map_err(super::Context::sim_error(&h.name))?;
        best = best.min(start.elapsed().as_secs_f64());
        callers = r.callers;
    }
    Ok((callers, best))
}
