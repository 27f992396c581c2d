//! `hotline paths`: every route through the menu as a test case.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{LimitArgs, load_valid, print};
use crate::error::Error;
use crate::escape::json_text;

/// Output format of `paths`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    /// A list for people.
    Text,
    /// JSON for scripts.
    Json,
    /// CSV, one row per route.
    Csv,
    /// A Markdown test plan: one numbered test case per route.
    Markdown,
}

/// `hotline paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Most times a route may pass through one node, 1 to 10.
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_visits: u32,
    /// Keep only routes through this node.
    #[arg(long, value_name = "NODE")]
    pub to: Option<String>,
    /// Leave out routes less likely than this (0 to 1).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub min_prob: f64,
    /// Keep the N most likely routes from each start (memory then holds N routes).
    #[arg(long, value_name = "N", value_parser = at_least_one_route)]
    pub limit: Option<usize>,
    /// Without --limit, most routes listed before stopping with what was found.
    #[arg(long, value_name = "N", default_value_t = crate::designer::paths::MAX_ROUTES, value_parser = at_least_one_route)]
    pub max_routes: usize,
    /// Routes of a caller in this named segment (its shares and branch cases).
    #[arg(long, value_name = "SEGMENT")]
    pub segment: Option<String>,
    /// Most route steps explored before stopping with what was found.
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    pub budget: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PathsFormat::Text)]
    pub format: PathsFormat,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

fn at_least_one_route(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1 route".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("\"{text}\" is not a whole number")),
    }
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("\"{text}\" is not a probability from 0 to 1")),
    }
}

/// Runs `hotline paths`.
pub fn exec(a: &PathsArgs) -> Result<i32, Error> {
    use crate::designer::paths;
    let (loaded, h) = load_valid(&a.menu, &a.limits)?;
    let unusable = |message: String| Error::Unusable {
        path: loaded.path.clone(),
        message,
    };
    let to = match &a.to {
        None => None,
        Some(id) => Some(h.node(id).ok_or_else(|| {
            let ids: Vec<&str> = h.graph().node_weights().map(|n| n.id.as_str()).collect();
            unusable(format!(
                "--to {id}: no node has that id{}",
                crate::menu::yaml::hint(id, crate::menu::yaml::closest(id, ids.into_iter()))
            ))
        })?),
    };
    let segment = super::segment_index(&h, a.segment.as_deref(), &loaded.path)?;
    let o = paths::PathOptions {
        max_visits: a.max_visits,
        to,
        min_prob: a.min_prob,
        limit: a.limit,
        segment,
        budget: a.budget.max(1),
        max_routes: a.max_routes,
    };
    let p = paths::paths(&h, &o);
    if let Some(why) = &p.stopped {
        eprintln!("hotline: {}", crate::escape::terminal(why));
    }
    print(&match a.format {
        PathsFormat::Text => crate::output::text::paths::to_text(&p),
        PathsFormat::Json => json_text(&p),
        PathsFormat::Csv => crate::output::text::paths::to_csv(&p),
        PathsFormat::Markdown => crate::output::text::paths::to_markdown(&p, &h),
    })?;
    Ok(0)
}
