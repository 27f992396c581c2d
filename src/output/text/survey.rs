//! A survey written out: CSV, one row per hotline, and the table for
//! people.

use crate::decisions::survey::{Row, Survey};

use crate::output::table::{self, Cell, Table};

/// A hotline's file and figures, as both tables show them.
fn figures(r: &Row) -> [Cell; 11] {
    [
        Cell::Text(r.file.clone()),
        Cell::bool(r.reachable),
        Cell::int(r.selections),
        Cell::num(r.seconds, None),
        Cell::bool(r.one_press_everywhere),
        Cell::bool(r.elderly_line),
        Cell::bool(r.deflection_loop),
        Cell::bool(r.online_reachable),
        Cell::int(r.online_selections),
        Cell::Int(r.errors as i64),
        Cell::Int(r.warnings as i64),
    ]
}

/// The rows as CSV (one row per hotline, then no aggregate).
pub fn to_csv(s: &Survey) -> String {
    let mut t = Table::new(&[
        "name",
        "file",
        "reachable",
        "selections",
        "seconds",
        "one_press_everywhere",
        "elderly_line",
        "deflection_loop",
        "online_reachable",
        "online_selections",
        "errors",
        "warnings",
        "error",
    ]);
    for r in &s.rows {
        let mut row = vec![Cell::Text(r.name.clone())];
        row.extend(figures(r));
        row.push(Cell::Text(r.error.clone().unwrap_or_default()));
        t.push(row);
    }
    table::to_csv(&t)
}

/// The hotlines' table: one row per hotline.
pub fn hotlines(s: &Survey) -> Table {
    let mut t = Table::new(&[
        "hotline", "file", "human", "sel.", "secs", "0-out", "65+", "deflect", "online", "typed", "err", "warn",
    ]);
    for r in &s.rows {
        let mut row = vec![if r.name.is_empty() {
            Cell::Plain("(did not load)".into())
        } else {
            Cell::Text(r.name.clone())
        }];
        row.extend(figures(r));
        t.push(row);
    }
    t
}

/// The survey as a text table with the aggregate below.
pub fn to_text(s: &Survey) -> String {
    let mut out = String::new();
    out.push_str(&table::to_text(&hotlines(s)));
    for r in s.rows.iter().filter(|r| r.error.is_some()) {
        out.push_str(&format!(
            "{}: {}\n",
            crate::escape::cell(&r.file),
            crate::escape::cell(r.error.as_deref().unwrap_or_default())
        ));
    }
    for skipped in &s.skipped {
        out.push_str(&format!("skipped {}\n", crate::escape::cell(skipped)));
    }
    let a = &s.aggregate;
    let pct = |x: Option<f64>| {
        x.map_or("-".into(), |x| {
            format!("{}%", crate::menu::value::trim_float((x * 1000.0).round() / 10.0))
        })
    };
    out.push_str(&format!(
        "\n{} file(s), {} hotline(s) loaded\n  needing 2 or more selections before a human: {}\n  with no human at all: {}\n  with a one-press human at every menu: {}\n  median seconds to a human: {}\n  with a busy-to-online deflection loop: {}\n",
        a.files,
        a.hotlines,
        pct(a.share_two_or_more_selections),
        pct(a.share_no_human),
        pct(a.share_one_press_everywhere),
        a.median_seconds_to_human.map_or("-".into(), crate::menu::value::trim_float),
        pct(a.share_deflection),
    ));
    if a.online > 0 {
        out.push_str(&format!(
            "{} hotline(s) with an online entry\n  online customers typing 2 or more requests before a person: {}\n  online customers with no person at all: {}\n",
            a.online,
            pct(a.share_online_two_or_more),
            pct(a.share_online_no_human),
        ));
    }
    if let Some(n) = a.simulated {
        out.push_str(&format!(
            "{n} hotline(s) simulated (--simulate), the mean over them of
"
        ));
        for (k, v) in &a.simulated_means {
            let shown = if k.starts_with("p_") {
                pct(Some(*v))
            } else {
                format!("{v:.1}")
            };
            out.push_str(&format!("  {k}: {shown}\n"));
        }
    }
    for (rule, p, f, q) in &a.verdicts {
        out.push_str(&format!("{rule}: {p} pass, {f} fail, {q} inconclusive\n"));
    }
    out
}
