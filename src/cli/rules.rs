//! `hotline rules`: every rule with its default severity, threshold and source.

use super::{Format, FormatArgs, print};
use crate::error::Error;
use crate::escape::json_text;
use crate::output::text;

/// Runs `hotline rules`.
pub fn exec(a: &FormatArgs) -> Result<i32, Error> {
    print(&match a.format {
        Format::Text => text::rules(),
        Format::Json => json_text(&crate::analysis::rules::RULES),
    })?;
    Ok(0)
}
