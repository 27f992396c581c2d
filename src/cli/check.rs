//! `hotline check`: load and validate menus; exit 0 clean, 1 on errors, 2
//! when a file cannot be read.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::{Format, LimitArgs, print};
use crate::error::Error;

/// `hotline check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Menu files.
    #[arg(required = true, value_name = "MENU")]
    pub menus: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `hotline check`.
pub fn exec(a: &CheckArgs) -> Result<i32, Error> {
    let options = a.limits.options();
    let mut files = Vec::new();
    let mut text = String::new();
    let mut any_error = false;
    let mut unreadable = false;
    let overlay = a.limits.overlay()?;
    for path in &a.menus {
        match crate::input::load_with(path, overlay.as_ref(), &options) {
            Ok(loaded) => {
                let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
                let warnings = loaded.diagnostics.len() - errors;
                any_error |= errors > 0;
                if a.format == Format::Text {
                    if !loaded.diagnostics.is_empty() {
                        text.push_str(&loaded.render());
                        text.push('\n');
                    }
                    let verdict = if errors > 0 { "FAILED" } else { "ok" };
                    text.push_str(&format!(
                        "{}: {verdict} ({errors} error(s), {warnings} warning(s))\n",
                        loaded.path
                    ));
                }
                files.push(json!({
                    "path": loaded.path,
                    "ok": errors == 0,
                    "diagnostics": loaded.diagnostics,
                }));
            }
            Err(e) => {
                eprintln!("hotline: {}", crate::escape::terminal(&e.chain()));
                // A file too large is a problem of the input; one that cannot be read is not.
                if e.exit_code() == 1 {
                    any_error = true;
                } else {
                    unreadable = true;
                }
                files.push(
                    json!({ "path": path.display().to_string(), "ok": false, "error": e.chain(), "diagnostics": [] }),
                );
            }
        }
    }
    match a.format {
        Format::Text => print(&text)?,
        Format::Json => print(&(serde_json::to_string_pretty(&json!({ "files": files })).unwrap_or_default() + "\n"))?,
    }
    Ok(if unreadable {
        2
    } else if any_error {
        1
    } else {
        0
    })
}
