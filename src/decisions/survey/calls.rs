//! A survey's rows set against the inspectors' test calls that name them.

use std::path::Path;

use super::Row;
use crate::decisions::testcalls::{Declared, TestCall, summary};

/// Whether a test call names this row's hotline: its name, its file as
/// given, the file's name or the file's name without extension.
fn names(row: &Row, who: &str) -> bool {
    let file = Path::new(&row.file);
    who == row.name
        || who == row.file
        || file.file_name().is_some_and(|f| f.to_string_lossy() == who)
        || file.file_stem().is_some_and(|f| f.to_string_lossy() == who)
}

/// Sets each row's `calls` from the test calls naming it; the calls that
/// name no hotline of the survey are returned as warnings.
pub fn add_calls(rows: &mut [Row], calls: &[TestCall]) -> Vec<String> {
    let mut used = vec![false; calls.len()];
    for row in rows.iter_mut() {
        let mine: Vec<&TestCall> = calls
            .iter()
            .enumerate()
            .filter(|(_, c)| names(row, &c.hotline))
            .map(|(i, c)| {
                used[i] = true;
                c
            })
            .collect();
        if !mine.is_empty() {
            let declared = Declared {
                reachable: row.reachable,
                selections: row.selections,
                deflection: row.deflection_loop,
            };
            row.calls = Some(summary(&declared, &mine));
        }
    }
    calls
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(c, _)| {
            format!(
                "line {}: test call of \"{}\", which names no hotline of the survey",
                c.line, c.hotline
            )
        })
        .collect()
}
