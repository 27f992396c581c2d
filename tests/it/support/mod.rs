//! Shared test support: running the binary, and queueing theory.
pub mod theory;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `hotline` binary with `args` from the repository root.
pub fn hotline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hotline binary runs")
}

/// Runs `hotline` with `args`, asserts it succeeded, and gives its
/// standard output.
pub fn run_ok(args: &[&str]) -> String {
    let out = hotline(args);
    assert!(
        out.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A path in the temporary folder for this test process, nothing there.
pub fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("hotline-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

/// Chromium, when installed.
pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|c| Path::new("/usr/bin").join(c))
        .find(|p| p.exists())
}
