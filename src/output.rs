//! What hotline writes: reports (HTML, Markdown, JSON, CSV, plots), menu
//! graphs (DOT, Mermaid) and text for people.

pub mod graph;
pub mod report;
pub mod show;
pub mod table;
pub mod text;
