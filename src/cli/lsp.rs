//! `hotline lsp`: the Language Server, on standard input and output.

use crate::error::Error;

/// Runs `hotline lsp` until the editor shuts it down.
pub fn exec() -> Result<i32, Error> {
    crate::designer::lsp::run_stdio().map_err(|message| Error::Usage {
        message: format!("language server: {message}"),
    })?;
    Ok(0)
}
