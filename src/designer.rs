//! A menu designer's tools: every route as a test case, and a call walked
//! as a caller.

pub mod call;
pub mod lsp;
pub mod paths;
