//! The regulator's report of a survey: the headline shares, the
//! distributions of selections and seconds to a human, a ranking, the
//! compliance matrix (hotline by rule, the evidence one click away), the
//! test calls against the menus, and one card per hotline with its route
//! to a human.

use std::fmt::Write;
use std::path::PathBuf;

use super::plots::{Plot, shares_plot};
use super::{ReportDir, escape_html as e};
use crate::decisions::survey::{Row, Survey};
use crate::error::Error;

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
    writeln!(html, "<table><tr><th>headline</th><th>share</th><th>hotlines</th></tr>").ok();
    writeln!(md, "| headline | share | hotlines |\n|---|---|---|").ok();
    for (label, share, of) in headline(s) {
        writeln!(
            html,
            "<tr><td>{}</td><td>{:.0}%</td><td>{of}</td></tr>",
            e(&label),
            share * 100.0
        )
        .ok();
        writeln!(md, "| {label} | {:.0}% | {of} |", share * 100.0).ok();
    }
    if let Some(m) = a.median_seconds_to_human {
        writeln!(
            html,
            "<tr><td>median seconds of menu before a human</td><td>{m:.0} s</td><td></td></tr>"
        )
        .ok();
        writeln!(md, "| median seconds of menu before a human | {m:.0} s | |").ok();
    }
    writeln!(html, "</table>").ok();
    super::embed_plots(&plots, out.path(), &mut html, &mut files)?;
    let index: std::collections::HashMap<&str, usize> =
        s.rows.iter().enumerate().map(|(i, r)| (r.file.as_str(), i)).collect();
    // The ranking.
    writeln!(html, "<h2>Ranking</h2>\n<table><tr><th>#</th><th>hotline</th><th>selections</th><th>seconds</th><th>one press everywhere</th><th>65+ line</th><th>deflection loop</th><th>online typed requests</th><th>errors</th></tr>").ok();
    writeln!(
        md,
        "\n## Ranking\n\n| # | hotline | file | selections | seconds | errors |\n|---|---|---|---|---|---|"
    )
    .ok();
    for (k, r) in ranking(s).into_iter().enumerate() {
        let i = index[r.file.as_str()];
        let yes = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "no",
            None => "–",
        };
        let sel = match r.reachable {
            Some(false) => "no human".to_string(),
            _ => opt(r.selections),
        };
        writeln!(
            html,
            "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            k + 1,
            anchor(i),
            e(title(r)),
            sel,
            opt(r.seconds.map(crate::menu::value::trim_float)),
            yes(r.one_press_everywhere),
            yes(r.elderly_line),
            yes(r.deflection_loop),
            match r.online_reachable {
                Some(false) => "no person".into(),
                _ => opt(r.online_selections),
            },
            r.errors
        )
        .ok();
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            k + 1,
            title(r).replace('|', "\\|"),
            r.file.replace('|', "\\|"),
            sel,
            opt(r.seconds.map(crate::menu::value::trim_float)),
            r.errors
        )
        .ok();
    }
    writeln!(html, "</table>").ok();
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

/// The simulated headline metrics per hotline, with their intervals.
fn simulated(html: &mut String, md: &mut String, s: &Survey, index: &std::collections::HashMap<&str, usize>) {
    let rows: Vec<&Row> = s.rows.iter().filter(|r| r.simulated.is_some()).collect();
    if rows.is_empty() {
        return;
    }
    let keys = crate::decisions::survey::SIMULATED;
    let show = |key: &str, x: f64| {
        if key.starts_with("p_") {
            format!("{:.1}%", x * 100.0)
        } else {
            format!("{x:.1}")
        }
    };
    writeln!(
        html,
        "<h2>Simulated</h2>\n<p>Each hotline with a caller model, over its own replications; the mean with its 95% interval.</p>\n<table><tr><th>hotline</th>{}</tr>",
        keys.iter().map(|k| format!("<th>{k}</th>")).collect::<String>()
    )
    .ok();
    writeln!(
        md,
        "\n## Simulated\n\n| hotline | {} |\n|---|{}",
        keys.join(" | "),
        "---|".repeat(keys.len())
    )
    .ok();
    for r in rows {
        let sim = r.simulated.as_ref().expect("filtered");
        let link = format!("<a href=\"#{}\">{}</a>", anchor(index[r.file.as_str()]), e(title(r)));
        if let Some(note) = &sim.note {
            writeln!(
                html,
                "<tr><td>{link}</td><td colspan=\"{}\">{}</td></tr>",
                keys.len(),
                e(note)
            )
            .ok();
            writeln!(md, "| {} | {} |", title(r).replace('|', "\\|"), note).ok();
            continue;
        }
        let cells: Vec<String> = keys
            .iter()
            .map(|k| match sim.metrics.get(*k) {
                Some(est) => format!(
                    "{} [{}, {}]",
                    show(k, est.mean),
                    show(k, est.ci95[0]),
                    show(k, est.ci95[1])
                ),
                None => "–".into(),
            })
            .collect();
        writeln!(
            html,
            "<tr><td>{link}</td>{}</tr>",
            cells.iter().map(|c| format!("<td>{c}</td>")).collect::<String>()
        )
        .ok();
        writeln!(md, "| {} | {} |", title(r).replace('|', "\\|"), cells.join(" | ")).ok();
    }
    writeln!(html, "</table>").ok();
}

/// The compliance matrix: hotline by rule, each cell linking to the card
/// with the evidence.
fn matrix(html: &mut String, md: &mut String, s: &Survey, index: &std::collections::HashMap<&str, usize>) {
    let rules: Vec<&str> = s.aggregate.verdicts.iter().map(|v| v.0.as_str()).collect();
    if rules.is_empty() {
        return;
    }
    writeln!(
        html,
        "<h2>Compliance</h2>\n<table><tr><th>hotline</th>{}</tr>",
        rules.iter().map(|r| format!("<th>{}</th>", e(r))).collect::<String>()
    )
    .ok();
    writeln!(
        md,
        "\n## Compliance\n\n| rule | pass | fail | inconclusive |\n|---|---|---|---|"
    )
    .ok();
    for r in s.rows.iter().filter(|r| r.verdicts.is_some()) {
        let i = index[r.file.as_str()];
        let cells: String = rules
            .iter()
            .map(
                |rule| match r.verdicts.as_ref().and_then(|v| v.iter().find(|x| x.rule == *rule)) {
                    Some(v) => format!(
                        "<td class=\"{}\"><a href=\"#{}\" title=\"{}\">{}</a></td>",
                        e(&v.status),
                        anchor(i),
                        e(&v.finding),
                        match v.status.as_str() {
                            "pass" => "pass",
                            "fail" => "FAIL",
                            _ => "?",
                        }
                    ),
                    None => "<td>–</td>".into(),
                },
            )
            .collect();
        writeln!(
            html,
            "<tr><td><a href=\"#{}\">{}</a></td>{cells}</tr>",
            anchor(i),
            e(title(r))
        )
        .ok();
    }
    writeln!(
        html,
        "<tr><th>pass / fail / ?</th>{}</tr></table>",
        s.aggregate
            .verdicts
            .iter()
            .map(|(_, p, f, q)| format!("<th>{p} / {f} / {q}</th>"))
            .collect::<String>()
    )
    .ok();
    for (rule, p, f, q) in &s.aggregate.verdicts {
        writeln!(md, "| {rule} | {p} | {f} | {q} |").ok();
    }
}

/// The test calls against the menus.
fn calls(html: &mut String, s: &Survey, index: &std::collections::HashMap<&str, usize>) {
    let rows: Vec<&Row> = s.rows.iter().filter(|r| r.calls.is_some()).collect();
    if rows.is_empty() {
        return;
    }
    writeln!(html, "<h2>Test calls</h2>\n<table><tr><th>hotline</th><th>calls</th><th>reached a human</th><th>selections: declared / observed</th><th>seconds: declared / observed</th><th>bounced</th><th>findings</th></tr>").ok();
    for r in rows {
        let c = r.calls.as_ref().expect("filtered");
        writeln!(
            html,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{:.0}%</td><td>{} / {}</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            anchor(index[r.file.as_str()]),
            e(title(r)),
            c.count,
            c.reached_human * 100.0,
            opt(r.selections),
            opt(c.median_selections.map(crate::menu::value::trim_float)),
            opt(r.seconds.map(crate::menu::value::trim_float)),
            opt(c.median_seconds_to_human.map(crate::menu::value::trim_float)),
            c.bounced,
            if c.findings.is_empty() {
                "agree with the menu".into()
            } else {
                e(&c.findings.join("; "))
            }
        )
        .ok();
    }
    writeln!(html, "</table>").ok();
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
