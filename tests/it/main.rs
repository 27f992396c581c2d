//! hotline's integration tests: one binary (linking the crate once), one
//! module per area, one shared support module.

mod support;

mod analysis;
mod architecture;
mod browser;
mod call;
mod channels;
mod cli;
mod comply;
mod diagnostics;
mod docs;
mod fast_path;
mod fit;
mod fit_more;
mod flows;
mod fuzz;
mod hostile;
mod hostile_files;
mod import;
mod lsp;
mod paths;
mod properties;
mod report;
mod shard;
mod shell;
mod simulation;
mod staff;
mod stretches;
mod survey_report;
mod sweep;
mod verification;
