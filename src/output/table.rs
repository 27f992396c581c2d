//! Tables: a result is described once as a [`Table`] of typed cells, and
//! each format only says how a table looks — [`to_text`] for a terminal,
//! [`to_markdown`], [`to_csv`], [`to_html`] (hyperfine's exporters are
//! the model). The exporters escape what the user wrote for their format.

use std::fmt::Write;

use crate::escape;
use crate::menu::value::trim_float;

/// How a column's cells sit in their width (text only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Padded on the right.
    Left,
    /// Padded on the left.
    Right,
}

/// A column: its header, how its text lines up and what separates it from
/// the column before (text only).
#[derive(Clone, Debug)]
pub struct Column {
    /// The header.
    pub name: String,
    /// Alignment in the text table.
    pub align: Align,
    /// Width in the text table: `None` as wide as the widest cell of the
    /// column (header included); `Some(w)` at least `w` for each cell on
    /// its own, as a format width does.
    pub width: Option<usize>,
    /// Text before the column in the text table (ignored for the first).
    pub gap: &'static str,
}

impl Column {
    /// A left-aligned column as wide as its widest cell, two spaces after
    /// the one before.
    pub fn new(name: &str) -> Column {
        Column {
            name: name.to_string(),
            align: Align::Left,
            width: None,
            gap: "  ",
        }
    }

    /// The column with a fixed minimum width, one space after the one
    /// before.
    pub fn fixed(mut self, width: usize, align: Align) -> Column {
        self.width = Some(width);
        self.align = align;
        self.gap = " ";
        self
    }

    /// The column with another gap before it.
    pub fn after(mut self, gap: &'static str) -> Column {
        self.gap = gap;
        self
    }
}

/// A cell, typed: each format shows it its own way.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text the user wrote (a name, a file, a route): escaped for each
    /// format.
    Text(String),
    /// hotline's own words (labels, verdicts): as they are, but escaped in
    /// HTML.
    Plain(String),
    /// A whole number.
    Int(i64),
    /// A number: text with this many decimals, or without trailing zeros
    /// (`None`); CSV at full precision.
    Num(f64, Option<usize>),
    /// Yes or no: `yes`/`no` in text, `true`/`false` in CSV.
    Bool(bool),
    /// A metric's estimate, shown by the metric's kind as `mean [low,
    /// high]`, the interval muted in HTML (CSV: the mean).
    Estimate {
        /// The metric key (it decides percent or seconds).
        key: String,
        /// The mean over replications.
        mean: f64,
        /// The 95% confidence interval.
        ci95: [f64; 2],
    },
    /// A cell with an attribute on its HTML cell (a class, a `colspan`,
    /// or `data-metric` for the tests that read a report).
    Tagged {
        /// The attribute's name.
        attr: &'static str,
        /// Its value.
        value: String,
        /// The cell inside.
        cell: Box<Cell>,
    },
    /// User text that links to a place in an HTML page (text elsewhere).
    Link {
        /// Where it points (`#h3`).
        href: String,
        /// The tooltip, if any.
        title: Option<String>,
        /// What it shows: user text, escaped as [`Cell::Text`].
        text: String,
    },
    /// A figure with a band after it (an interval, a note), the band muted
    /// in HTML (CSV: the figure).
    Banded {
        /// The figure.
        main: String,
        /// What follows it.
        band: String,
    },
    /// Several cells in one: `, ` between them in text and CSV, a line
    /// break in HTML; hotline's own words after the last.
    Lines {
        /// The cells.
        cells: Vec<Cell>,
        /// What follows the last (` (close)`).
        after: String,
    },
    /// No value: the table's `missing` mark in text, empty in CSV.
    Missing,
}

impl Cell {
    /// A number or the missing mark.
    pub fn num(x: Option<f64>, decimals: Option<usize>) -> Cell {
        x.map_or(Cell::Missing, |x| Cell::Num(x, decimals))
    }

    /// A whole number or the missing mark.
    pub fn int(x: Option<impl Into<i64>>) -> Cell {
        x.map_or(Cell::Missing, |x| Cell::Int(x.into()))
    }

    /// The cell with an attribute on its HTML cell.
    pub fn tagged(attr: &'static str, value: impl Into<String>, cell: Cell) -> Cell {
        Cell::Tagged {
            attr,
            value: value.into(),
            cell: Box::new(cell),
        }
    }

    /// Yes, no or the missing mark.
    pub fn bool(x: Option<bool>) -> Cell {
        x.map_or(Cell::Missing, Cell::Bool)
    }

    /// The cell as text for people, user text passed through `user` (an
    /// escape for the format).
    fn shown_as(&self, missing: &str, user: &dyn Fn(&str) -> String) -> String {
        match self {
            Cell::Text(s) | Cell::Link { text: s, .. } => user(s),
            Cell::Plain(s) => s.clone(),
            Cell::Tagged { cell, .. } => cell.shown_as(missing, user),
            Cell::Banded { main, band } => format!("{main} {band}"),
            Cell::Lines { cells, after } => {
                let shown: Vec<String> = cells.iter().map(|c| c.shown_as(missing, user)).collect();
                format!("{}{after}", shown.join(", "))
            }
            Cell::Int(n) => n.to_string(),
            Cell::Num(x, Some(d)) => format!("{x:.d$}"),
            Cell::Num(x, None) => trim_float(*x),
            Cell::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            Cell::Estimate { key, mean, ci95 } => {
                let show = |x| crate::output::show::metric(key, x);
                format!("{} [{}, {}]", show(*mean), show(ci95[0]), show(ci95[1]))
            }
            Cell::Missing => missing.to_string(),
        }
    }

    /// The cell as text for people (not escaped).
    fn shown(&self, missing: &str) -> String {
        self.shown_as(missing, &str::to_string)
    }

    /// The cell's content as HTML, escaped.
    fn html(&self, missing: &str) -> String {
        let banded = |main: &str, band: &str| {
            format!(
                "{} <span class=\"muted\">{}</span>",
                escape::html(main),
                escape::html(band)
            )
        };
        match self {
            Cell::Estimate { key, mean, ci95 } => {
                let show = |x| crate::output::show::metric(key, x);
                banded(&show(*mean), &format!("[{}, {}]", show(ci95[0]), show(ci95[1])))
            }
            Cell::Banded { main, band } => banded(main, band),
            Cell::Tagged { cell, .. } => cell.html(missing),
            Cell::Link { href, title, text } => format!(
                "<a href=\"{}\"{}>{}</a>",
                escape::html(href),
                title
                    .as_ref()
                    .map_or(String::new(), |t| format!(" title=\"{}\"", escape::html(t))),
                escape::html(text)
            ),
            Cell::Lines { cells, after } => {
                let lines: Vec<String> = cells.iter().map(|c| c.html(missing)).collect();
                format!("{}{}", lines.join("<br>"), escape::html(after))
            }
            c => escape::html(&c.shown(missing)),
        }
    }

    /// The cell as a CSV field (user text guarded against formulas).
    fn csv(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Link { text: s, .. } => escape::csv_text(s).into_owned(),
            Cell::Plain(s) => s.clone(),
            Cell::Tagged { cell, .. } => cell.csv(),
            Cell::Banded { main, .. } => main.clone(),
            Cell::Lines { cells, after } => {
                let fields: Vec<String> = cells.iter().map(Cell::csv).collect();
                format!("{}{after}", fields.join(", "))
            }
            Cell::Int(n) => n.to_string(),
            Cell::Num(x, _) => x.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Estimate { mean, .. } => mean.to_string(),
            Cell::Missing => String::new(),
        }
    }
}

/// A table: columns and rows of cells.
#[derive(Clone, Debug)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// What a missing value shows in text, Markdown and HTML.
    pub missing: &'static str,
    /// A last row of totals (HTML: header cells).
    pub footer: Option<Vec<Cell>>,
}

impl Table {
    /// A table with these columns (as wide as their widest cells, two
    /// spaces apart) and no row yet.
    pub fn new(columns: &[&str]) -> Table {
        Table::with(columns.iter().map(|c| Column::new(c)).collect())
    }

    /// A table with these columns and no row yet.
    pub fn with(columns: Vec<Column>) -> Table {
        Table {
            columns,
            rows: Vec::new(),
            missing: "-",
            footer: None,
        }
    }

    /// The table with another missing mark.
    pub fn missing(mut self, mark: &'static str) -> Table {
        self.missing = mark;
        self
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// The table for a terminal, one line per row with the header first,
/// each ending in a newline, without trailing spaces; user text escaped for
/// the terminal, widths by display width (CJK text lines up).
pub fn to_text(t: &Table) -> String {
    use crate::diag::width;
    let lines: Vec<Vec<String>> = std::iter::once(t.columns.iter().map(|c| c.name.clone()).collect())
        .chain(t.rows.iter().chain(&t.footer).map(|row| {
            row.iter()
                .map(|c| c.shown_as(t.missing, &|s| escape::cell(s).into_owned()))
                .collect()
        }))
        .collect();
    let widths: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.width {
            Some(w) => w,
            None => lines
                .iter()
                .map(|l| l.get(i).map_or(0, |s| width(s)))
                .max()
                .unwrap_or(0),
        })
        .collect();
    lines
        .iter()
        .map(|cells| {
            let mut line = String::new();
            for (i, (cell, col)) in cells.iter().zip(&t.columns).enumerate() {
                if i > 0 {
                    line.push_str(col.gap);
                }
                let pad = " ".repeat(widths[i].saturating_sub(width(cell)));
                match col.align {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(cell);
                    }
                }
            }
            let mut line = line.trim_end().to_string();
            line.push('\n');
            line
        })
        .collect()
}

/// The table as Markdown: a header row, a rule, one row per row; user
/// text escaped for Markdown, an empty cell as ` |`.
pub fn to_markdown(t: &Table) -> String {
    let line = |cells: Vec<String>| {
        let mut l = String::from("|");
        for c in cells {
            if !c.is_empty() {
                l.push(' ');
                l.push_str(&c);
            }
            l.push_str(" |");
        }
        l
    };
    let mut out = line(t.columns.iter().map(|c| c.name.clone()).collect());
    out.push_str("\n|");
    out.push_str(&"---|".repeat(t.columns.len()));
    out.push('\n');
    for row in t.rows.iter().chain(&t.footer) {
        let cells = row.iter().map(|c| c.shown_as(t.missing, &escape::markdown)).collect();
        out.push_str(&line(cells));
        out.push('\n');
    }
    out
}

/// The table as CSV: the header, then the rows, numbers at full precision.
pub fn to_csv(t: &Table) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(t.columns.iter().map(|c| c.name.as_str())).ok();
    for row in t.rows.iter().chain(&t.footer) {
        w.write_record(row.iter().map(Cell::csv)).ok();
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The table as HTML, one line per row; every cell escaped.
pub fn to_html(t: &Table) -> String {
    let mut out = String::from("<table><tr>");
    for c in &t.columns {
        write!(out, "<th>{}</th>", escape::html(&c.name)).ok();
    }
    out.push_str("</tr>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            match c {
                Cell::Tagged { attr, value, .. } => {
                    write!(out, "<td {attr}=\"{}\">", escape::html(value)).ok();
                }
                _ => out.push_str("<td>"),
            }
            out.push_str(&c.html(t.missing));
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    if let Some(footer) = &t.footer {
        out.push_str("<tr>");
        for c in footer {
            write!(out, "<th>{}</th>", c.html(t.missing)).ok();
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&["name", "calls", "share", "ok"]);
        t.push(vec![
            Cell::Text("热线 | <b>".into()),
            Cell::Int(12),
            Cell::Num(0.125, Some(2)),
            Cell::Bool(true),
        ]);
        t.push(vec![
            Cell::Text("=cmd".into()),
            Cell::Missing,
            Cell::Num(2.50, None),
            Cell::bool(None),
        ]);
        t
    }

    #[test]
    fn text_lines_up_by_display_width_without_trailing_spaces() {
        assert_eq!(
            to_text(&sample()),
            "name        calls  share  ok\n热线 | <b>  12     0.12   yes\n=cmd        -      2.5    -\n"
        );
    }

    #[test]
    fn fixed_columns_pad_each_cell_as_a_format_width_does() {
        let mut t = Table::with(vec![
            Column::new("pool").fixed(6, Align::Left),
            Column::new("seats").fixed(6, Align::Right),
            Column::new("note").after("  "),
        ]);
        t.push(vec![
            Cell::Text("a-very-long-pool".into()),
            Cell::Int(4),
            Cell::Plain("x".into()),
        ]);
        assert_eq!(to_text(&t), "pool    seats  note\na-very-long-pool      4  x\n");
    }

    #[test]
    fn each_format_escapes_user_text_its_own_way() {
        let t = sample();
        assert_eq!(
            to_markdown(&t),
            "| name | calls | share | ok |\n|---|---|---|---|\n| 热线 \\| &lt;b&gt; | 12 | 0.12 | yes |\n| =cmd | - | 2.5 | - |\n"
        );
        assert_eq!(
            to_csv(&t),
            "name,calls,share,ok\n热线 | <b>,12,0.125,true\n'=cmd,,2.5,\n"
        );
        assert!(to_html(&t).contains("<td>热线 | &lt;b&gt;</td><td>12</td><td>0.12</td><td>yes</td>"));
    }

    #[test]
    fn links_tags_lines_and_the_footer_in_each_format() {
        let mut t = Table::new(&["hotline", "verdict", "figures"]).missing("–");
        t.push(vec![
            Cell::Link {
                href: "#h0".into(),
                title: Some("a \"quote\"".into()),
                text: "<热线>".into(),
            },
            Cell::tagged("class", "fail", Cell::Plain("FAIL".into())),
            Cell::Lines {
                cells: vec![
                    Cell::Banded {
                        main: "sl 80.0%".into(),
                        band: "[78.0%, 82.0%]".into(),
                    },
                    Cell::Missing,
                ],
                after: " (close)".into(),
            },
        ]);
        t.footer = Some(vec![
            Cell::Plain("all".into()),
            Cell::Int(1),
            Cell::Plain(String::new()),
        ]);
        assert_eq!(
            to_html(&t),
            "<table><tr><th>hotline</th><th>verdict</th><th>figures</th></tr>\n\
             <tr><td><a href=\"#h0\" title=\"a &quot;quote&quot;\">&lt;热线&gt;</a></td><td class=\"fail\">FAIL</td>\
             <td>sl 80.0% <span class=\"muted\">[78.0%, 82.0%]</span><br>– (close)</td></tr>\n\
             <tr><th>all</th><th>1</th><th></th></tr>\n</table>\n"
        );
        assert_eq!(
            to_markdown(&t),
            "| hotline | verdict | figures |\n|---|---|---|\n\
             | &lt;热线&gt; | FAIL | sl 80.0% [78.0%, 82.0%], – (close) |\n| all | 1 | |\n"
        );
        assert_eq!(
            to_csv(&t),
            "hotline,verdict,figures\n<热线>,FAIL,\"sl 80.0%,  (close)\"\nall,1,\n"
        );
        assert_eq!(
            to_text(&t),
            "hotline  verdict  figures\n<热线>   FAIL     sl 80.0% [78.0%, 82.0%], – (close)\nall      1\n"
        );
    }
}
