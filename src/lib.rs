//! `hotline` checks, measures and simulates phone hotline menus (IVR)
//! written as YAML graphs.
//!
//! The folders follow the pipeline (see ARCHITECTURE.md): text comes in
//! through [`input`], which reads sources and vendor flows and builds the
//! validated [`Hotline`] of [`menu`]; [`analysis`] and [`sim`] measure it;
//! [`decisions`] (staffing, sweeps, compliance, comparisons, surveys) and
//! [`designer`] tools (routes, a call) use those measures; [`output`]
//! writes reports, tables and graphs; [`cli`] is the command line. Below
//! them all: [`error`], [`diag`], [`escape`], [`files`] and [`shard`].
//!
//! ```
//! let text = "hotline: Tiny\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
//!             agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";
//! let loaded = hotline::input::load_str(text, "tiny.yaml", &Default::default());
//! assert_eq!(loaded.hotline.unwrap().name, "Tiny");
//! ```

#![warn(missing_docs)]

pub mod cancel;
pub mod diag;
pub mod error;
pub mod escape;
pub mod files;
pub mod shard;

pub mod menu;

pub mod input;

pub mod analysis;
pub mod fit;
pub mod sim;

pub mod decisions;
pub mod designer;

pub mod output;

pub mod cli;

pub use error::Error;
pub use menu::Hotline;
