//! `hotline schema`: the JSON Schema of the menu format.

use super::print;
use crate::error::Error;

/// Runs `hotline schema`.
pub fn exec() -> Result<i32, Error> {
    print(&crate::menu::schema::menu_schema())?;
    Ok(0)
}
