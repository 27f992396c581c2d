//! `hotline graph`: the menu as Graphviz DOT or a Mermaid flowchart.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{LimitArgs, load_valid, print};
use crate::error::Error;

/// Diagram format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// `hotline graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Diagram format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `hotline graph`.
pub fn exec(a: &GraphArgs) -> Result<i32, Error> {
    use crate::output::graph::{Diagram, Dot, Mermaid, Route};
    let (_, h) = load_valid(&a.menu, &a.limits)?;
    let route = Route::to_human(&h);
    print(&match a.format {
        GraphFormat::Dot => Dot.render(&h, &route),
        GraphFormat::Mermaid => Mermaid.render(&h, &route),
    })?;
    Ok(0)
}
