//! Shared test support: running the binary, and queueing theory.
pub mod theory;

use std::process::{Command, Output};

/// Runs the `hotline` binary with `args` from the repository root.
pub fn hotline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hotline binary runs")
}
