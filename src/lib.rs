//! `hotline` checks, measures and simulates phone hotline menus (IVR)
//! written as YAML graphs.
//!
//! The pipeline: YAML text is parsed into a position-keeping tree
//! ([`yaml`]), read into raw structs ([`menu::raw`]) and validated into a
//! [`Hotline`] ([`menu`]). Later stages read only a `Hotline`.
//!
//! ```
//! let text = "hotline: Tiny\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
//!             agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";
//! let loaded = hotline::menu::load_str(text, "tiny.yaml", &Default::default());
//! assert_eq!(loaded.hotline.unwrap().name, "Tiny");
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod call;
pub mod cli;
pub mod comply;
pub mod diag;
pub mod error;
pub mod escape;
pub mod files;
pub mod graph;
pub mod import;
pub mod menu;
pub mod paths;
pub mod report;
pub mod schema;
pub mod shard;
pub mod sim;
pub mod staff;
pub mod survey;
pub mod sweep;
pub mod target;
pub mod value;
pub mod yaml;

pub use error::Error;
pub use menu::Hotline;
