//! The regulator's report of a survey: the headline shares, the
//! distributions of selections and seconds to a human, a ranking, the
//! compliance matrix (hotline by rule, the evidence one click away), the
//! test calls against the menus, and one card per hotline with its route
//! to a human.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::PathBuf;

use super::plots::{Plot, shares_plot};
use super::{ReportDir, escape_html as e};
use crate::decisions::survey::{Row, Survey};
use crate::error::Error;
use crate::output::table::{self, Cell, Table};

/// The headline shares: (label, share, how many of how many).
pub fn headline(s: &Survey) -> Vec<(String, f64, String)> {
    let a = &s.aggregate;
    let mut out = Vec::new();
    let mut push = |label: &str, share: Option<f64>, of: usize| {
        if let Some(x) = share {
            out.push((
                label.to_string(),
                x,
                format!("{} of {of}", (x * of as f64).round() as usize),
            ));
        }
    };
    push(
        "two or more selections before a human",
        a.share_two_or_more_selections,
        a.hotlines,
    );
    push("no human at all", a.share_no_human, a.hotlines);
    push(
        "a one-press human at every menu",
        a.share_one_press_everywhere,
        a.hotlines,
    );
    push("a direct line for callers aged 65+", a.share_elderly_line, a.hotlines);
    push("a busy-to-online deflection loop", a.share_deflection, a.hotlines);
    push(
        "online: \"human\" typed two or more times",
        a.share_online_two_or_more,
        a.online,
    );
    push("online: no person at all", a.share_online_no_human, a.online);
    out
}

fn loaded(s: &Survey) -> Vec<&Row> {
    s.rows.iter().filter(|r| r.reachable.is_some()).collect()
}

/// The plots of a survey.
pub fn plots(s: &Survey) -> Vec<Plot> {
    let rows = loaded(s);
    if rows.is_empty() {
        return Vec::new();
    }
    let n = rows.len() as f64;
    let head = headline(s);
    let mut out = vec![shares_plot(
        "headline",
        format!(
            "The shares a survey publishes, over the {} hotlines that load (the online ones over those with an online entry).",
            rows.len()
        ),
        "Headline shares".into(),
        "share of hotlines",
        head.iter().map(|h| h.0.clone()).collect(),
        vec![("hotlines".into(), head.iter().map(|h| h.1).collect())],
    )];
    let sel_cats = ["0", "1", "2", "3", "4 or more", "no human"];
    let sel_bin = |r: &Row| match (r.reachable, r.selections) {
        (Some(false), _) | (_, None) => 5,
        (_, Some(k)) => (k as usize).min(4),
    };
    let mut counts = [0.0; 6];
    for r in &rows {
        counts[sel_bin(r)] += 1.0 / n;
    }
    out.push(shares_plot(
        "selections",
        "Selections before a human: the share of hotlines by the fewest choices a caller makes.".into(),
        "Selections to a human".into(),
        "share of hotlines",
        sel_cats.iter().map(|c| c.to_string()).collect(),
        vec![("hotlines".into(), counts.to_vec())],
    ));
    let sec_cats = [
        "under 30 s",
        "30–60 s",
        "60–120 s",
        "120–240 s",
        "240 s or more",
        "no human",
    ];
    let sec_bin = |r: &Row| match r.seconds {
        None => 5,
        Some(x) if x < 30.0 => 0,
        Some(x) if x < 60.0 => 1,
        Some(x) if x < 120.0 => 2,
        Some(x) if x < 240.0 => 3,
        Some(_) => 4,
    };
    let mut counts = [0.0; 6];
    for r in &rows {
        counts[sec_bin(r)] += 1.0 / n;
    }
    out.push(shares_plot(
        "seconds",
        "Seconds of menu before a human (prompts and menus on the fastest route, not the wait in the queue): the share of hotlines.".into(),
        "Seconds to a human".into(),
        "share of hotlines",
        sec_cats.iter().map(|c| c.to_string()).collect(),
        vec![("hotlines".into(), counts.to_vec())],
    ));
    out
}

/// The ranking: hotlines with a human first, by selections then seconds;
/// then those without; then those that did not load.
pub fn ranking(s: &Survey) -> Vec<&Row> {
    let mut v: Vec<&Row> = s.rows.iter().collect();
    v.sort_by(|a, b| {
        let key = |r: &Row| {
            (
                match r.reachable {
                    Some(true) => 0,
                    Some(false) => 1,
                    None => 2,
                },
                r.selections.unwrap_or(u32::MAX),
                r.seconds.unwrap_or(f64::INFINITY),
            )
        };
        let (x, y) = (key(a), key(b));
        x.0.cmp(&y.0)
            .then(x.1.cmp(&y.1))
            .then(x.2.total_cmp(&y.2))
            .then(a.file.cmp(&b.file))
    });
    v
}

fn title(r: &Row) -> &str {
    if r.name.is_empty() { &r.file } else { &r.name }
}

fn anchor(i: usize) -> String {
    format!("h{i}")
}

fn opt<T: std::fmt::Display>(x: Option<T>) -> String {
    x.map_or("–".into(), |v| v.to_string())
}

/// Writes the report of a survey into `out`.
pub fn write_report(out: ReportDir, s: &Survey, interrupted: &dyn Fn() -> bool) -> Result<Vec<PathBuf>, Error> {
    let plots = plots(s);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut html = super::page_head("hotline survey");
    let mut md = String::new();
    let a = &s.aggregate;
    writeln!(
        html,
        "<h1>Survey <small>{} hotline(s), {} file(s)</small></h1>",
        a.hotlines, a.files
    )
    .ok();
    writeln!(md, "# Survey: {} hotline(s), {} file(s)\n", a.hotlines, a.files).ok();
    let mut t = Table::new(&["headline", "share", "hotlines"]);
    for (label, share, of) in headline(s) {
        t.push(vec![
            Cell::Plain(label),
            Cell::Plain(format!("{:.0}%", share * 100.0)),
            Cell::Plain(of),
        ]);
    }
    if let Some(m) = a.median_seconds_to_human {
        t.push(vec![
            Cell::Plain("median seconds of menu before a human".into()),
            Cell::Plain(format!("{m:.0} s")),
            Cell::Plain(String::new()),
        ]);
    }
    html.push_str(&table::to_html(&t));
    md.push_str(&table::to_markdown(&t));
    super::embed_plots(&plots, out.path(), &mut html, &mut files)?;
    let index: HashMap<&str, usize> = s.rows.iter().enumerate().map(|(i, r)| (r.file.as_str(), i)).collect();
    let (ranked, short) = ranking_tables(s, &index);
    writeln!(html, "<h2>Ranking</h2>").ok();
    html.push_str(&table::to_html(&ranked));
    writeln!(md, "\n## Ranking\n").ok();
    md.push_str(&table::to_markdown(&short));
    simulated(&mut html, &mut md, s, &index);
    matrix(&mut html, &mut md, s, &index);
    calls(&mut html, s, &index);
    cards(&mut html, s);
    writeln!(
        html,
        "<p class=\"muted\">Files: <a href=\"survey.json\">survey.json</a> · <a href=\"survey.csv\">survey.csv</a> · <a href=\"report.md\">report.md</a>. Written by hotline {}.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
    .ok();
    files.push(("index.html".into(), html.into_bytes()));
    files.push(("report.md".into(), md.into_bytes()));
    files.push(("survey.json".into(), crate::escape::json_text(s).into_bytes()));
    files.push(("survey.csv".into(), crate::output::text::survey::to_csv(s).into_bytes()));
    out.write(files, &|tmp| super::write_pngs(&plots, tmp), interrupted)
}

/// A hotline's name linking to its card.
fn link(r: &Row, i: usize) -> Cell {
    Cell::Link {
        href: format!("#{}", anchor(i)),
        title: None,
        text: title(r).to_string(),
    }
}

/// The ranking, fewest selections first: the whole table for the page,
/// a short one (with the file) for Markdown.
fn ranking_tables(s: &Survey, index: &HashMap<&str, usize>) -> (Table, Table) {
    let mut ranked = Table::new(&[
        "#",
        "hotline",
        "selections",
        "seconds",
        "one press everywhere",
        "65+ line",
        "deflection loop",
        "online typed requests",
        "errors",
    ])
    .missing("–");
    let mut short = Table::new(&["#", "hotline", "file", "selections", "seconds", "errors"]).missing("–");
    for (k, r) in ranking(s).into_iter().enumerate() {
        let sel = match r.reachable {
            Some(false) => Cell::Plain("no human".into()),
            _ => Cell::int(r.selections),
        };
        let secs = Cell::num(r.seconds, None);
        let rank = Cell::Int(k as i64 + 1);
        let errors = Cell::Int(r.errors as i64);
        ranked.push(vec![
            rank.clone(),
            link(r, index[r.file.as_str()]),
            sel.clone(),
            secs.clone(),
            Cell::bool(r.one_press_everywhere),
            Cell::bool(r.elderly_line),
            Cell::bool(r.deflection_loop),
            match r.online_reachable {
                Some(false) => Cell::Plain("no person".into()),
                _ => Cell::int(r.online_selections),
            },
            errors.clone(),
        ]);
        short.push(vec![
            rank,
            Cell::Text(title(r).to_string()),
            Cell::Text(r.file.clone()),
            sel,
            secs,
            errors,
        ]);
    }
    (ranked, short)
}

/// The simulated headline metrics per hotline, with their intervals.
fn simulated(html: &mut String, md: &mut String, s: &Survey, index: &HashMap<&str, usize>) {
    let rows: Vec<&Row> = s.rows.iter().filter(|r| r.simulated.is_some()).collect();
    if rows.is_empty() {
        return;
    }
    let keys = crate::decisions::survey::SIMULATED;
    let show = |key: &str, x: f64| {
        if crate::sim::metric::is_share(key) {
            format!("{:.1}%", x * 100.0)
        } else {
            format!("{x:.1}")
        }
    };
    let columns: Vec<&str> = std::iter::once("hotline").chain(keys.iter().copied()).collect();
    let mut t = Table::new(&columns).missing("–");
    for r in rows {
        let sim = r.simulated.as_ref().expect("filtered");
        let mut row = vec![link(r, index[r.file.as_str()])];
        match &sim.note {
            Some(note) => row.push(Cell::tagged(
                "colspan",
                keys.len().to_string(),
                Cell::Text(note.clone()),
            )),
            None => row.extend(keys.iter().map(|k| {
                sim.metrics.get(*k).map_or(Cell::Missing, |est| {
                    Cell::Plain(format!(
                        "{} [{}, {}]",
                        show(k, est.mean),
                        show(k, est.ci95[0]),
                        show(k, est.ci95[1])
                    ))
                })
            })),
        }
        t.push(row);
    }
    writeln!(
        html,
        "<h2>Simulated</h2>\n<p>Each hotline with a caller model, over its own replications; the mean with its 95% interval.</p>"
    )
    .ok();
    html.push_str(&table::to_html(&t));
    writeln!(md, "\n## Simulated\n").ok();
    md.push_str(&table::to_markdown(&t));
}

/// The compliance matrix: hotline by rule, each cell linking to the card
/// with the evidence.
fn matrix(html: &mut String, md: &mut String, s: &Survey, index: &HashMap<&str, usize>) {
    let rules: Vec<&str> = s.aggregate.verdicts.iter().map(|v| v.0.as_str()).collect();
    if rules.is_empty() {
        return;
    }
    let columns: Vec<&str> = std::iter::once("hotline").chain(rules.iter().copied()).collect();
    let mut t = Table::new(&columns).missing("–");
    for r in s.rows.iter().filter(|r| r.verdicts.is_some()) {
        let i = index[r.file.as_str()];
        let mut row = vec![link(r, i)];
        row.extend(rules.iter().map(|rule| {
            match r.verdicts.as_ref().and_then(|v| v.iter().find(|x| x.rule == *rule)) {
                Some(v) => Cell::tagged(
                    "class",
                    v.status.clone(),
                    Cell::Link {
                        href: format!("#{}", anchor(i)),
                        title: Some(v.finding.clone()),
                        text: match v.status.as_str() {
                            "pass" => "pass",
                            "fail" => "FAIL",
                            _ => "?",
                        }
                        .to_string(),
                    },
                ),
                None => Cell::Missing,
            }
        }));
        t.push(row);
    }
    t.footer = Some(
        std::iter::once(Cell::Plain("pass / fail / ?".into()))
            .chain(
                s.aggregate
                    .verdicts
                    .iter()
                    .map(|(_, p, f, q)| Cell::Plain(format!("{p} / {f} / {q}"))),
            )
            .collect(),
    );
    writeln!(html, "<h2>Compliance</h2>").ok();
    html.push_str(&table::to_html(&t));
    let mut counts = Table::new(&["rule", "pass", "fail", "inconclusive"]);
    for (rule, p, f, q) in &s.aggregate.verdicts {
        counts.push(vec![
            Cell::Text(rule.clone()),
            Cell::Int(*p as i64),
            Cell::Int(*f as i64),
            Cell::Int(*q as i64),
        ]);
    }
    writeln!(md, "\n## Compliance\n").ok();
    md.push_str(&table::to_markdown(&counts));
}

/// The test calls against the menus.
fn calls(html: &mut String, s: &Survey, index: &HashMap<&str, usize>) {
    let rows: Vec<&Row> = s.rows.iter().filter(|r| r.calls.is_some()).collect();
    if rows.is_empty() {
        return;
    }
    let mut t = Table::new(&[
        "hotline",
        "calls",
        "reached a human",
        "selections: declared / observed",
        "seconds: declared / observed",
        "bounced",
        "findings",
    ]);
    let trim = |x: Option<f64>| opt(x.map(crate::menu::value::trim_float));
    for r in rows {
        let c = r.calls.as_ref().expect("filtered");
        t.push(vec![
            link(r, index[r.file.as_str()]),
            Cell::Int(c.count as i64),
            Cell::Plain(format!("{:.0}%", c.reached_human * 100.0)),
            Cell::Plain(format!("{} / {}", opt(r.selections), trim(c.median_selections))),
            Cell::Plain(format!("{} / {}", trim(r.seconds), trim(c.median_seconds_to_human))),
            Cell::Int(c.bounced as i64),
            if c.findings.is_empty() {
                Cell::Plain("agree with the menu".into())
            } else {
                Cell::Text(c.findings.join("; "))
            },
        ]);
    }
    writeln!(html, "<h2>Test calls</h2>").ok();
    html.push_str(&table::to_html(&t));
}

/// One card per hotline: its figures, its route to a human drawn, its
/// verdicts and test calls.
fn cards(html: &mut String, s: &Survey) {
    writeln!(html, "<h2>Hotlines</h2>").ok();
    for (i, r) in s.rows.iter().enumerate() {
        writeln!(
            html,
            "<section class=\"card\" id=\"{}\"><h3>{}</h3><p class=\"muted\">{}</p>",
            anchor(i),
            e(title(r)),
            e(&r.file)
        )
        .ok();
        if let Some(err) = &r.error {
            writeln!(html, "<p>Did not load: {}</p></section>", e(err)).ok();
            continue;
        }
        match r.reachable {
            Some(true) => {
                writeln!(
                    html,
                    "<p>{} selection(s), {} s of menu to a human:</p>\n<p class=\"route\">{}</p>",
                    opt(r.selections),
                    opt(r.seconds.map(crate::menu::value::trim_float)),
                    r.route
                        .iter()
                        .map(|n| format!("<span class=\"step\">{}</span>", e(n)))
                        .collect::<Vec<_>>()
                        .join(" → ")
                )
                .ok();
            }
            _ => {
                writeln!(html, "<p><strong>No queue can be reached on purpose.</strong></p>").ok();
            }
        }
        if let Some(v) = &r.verdicts {
            writeln!(html, "<ul>").ok();
            for x in v {
                writeln!(
                    html,
                    "<li class=\"{}\"><strong>{}</strong> {}: {}{}</li>",
                    e(&x.status),
                    e(&x.status),
                    e(&x.rule),
                    e(&x.finding),
                    if x.nodes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", e(&x.nodes.join(", ")))
                    }
                )
                .ok();
            }
            writeln!(html, "</ul>").ok();
        }
        if let Some(c) = r.calls.as_ref().filter(|c| !c.findings.is_empty()) {
            writeln!(html, "<p>Test calls: {}</p>", e(&c.findings.join("; "))).ok();
        }
        writeln!(html, "</section>").ok();
    }
}
