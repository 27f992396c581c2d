//! The JSON Schema of the menu format, derived from the raw structs.
//!
//! Editors use it (through the `# yaml-language-server: $schema=` line at
//! the top of a menu) to complete keys and flag mistakes as they type.

use crate::menu::raw::RawHotline;

/// The JSON Schema of a menu file, pretty-printed.
///
/// ```
/// let schema = hotline::menu::schema::menu_schema();
/// assert!(schema.contains("\"hotline\""));
/// ```
pub fn menu_schema() -> String {
    let schema = schemars::schema_for!(RawHotline);
    serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n"
}
