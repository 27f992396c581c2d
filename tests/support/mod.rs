//! Shared test support.
pub mod theory;
