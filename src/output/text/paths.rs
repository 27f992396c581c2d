//! The routes written out: text for people, CSV, and a Markdown test plan.

use crate::designer::paths::Paths;
use crate::menu::{Channel, Hotline};
use crate::output::table::{self, Cell, Table};

/// A probability as a percentage people read (`35%`, `0.012%`).
fn pct(p: f64) -> String {
    let x = p * 100.0;
    if x >= 1.0 || x == 0.0 {
        format!("{:.1}%", x)
    } else {
        format!("{:.2}%", x).replace(".00%", "%").replacen("0.00", "<0.01", 1)
    }
}

/// The routes as text for people.
pub fn to_text(p: &Paths) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    writeln!(
        out,
        "{}: {} route(s), each node passed at most {} time(s)",
        p.hotline,
        p.paths.len(),
        p.max_visits
    )
    .ok();
    writeln!(out, "covered from the entry: {}", pct(p.covered)).ok();
    if let Some(c) = p.covered_online {
        writeln!(out, "covered from online_entry: {}", pct(c)).ok();
    }
    for (i, r) in p.paths.iter().enumerate() {
        writeln!(
            out,
            "\n#{:<4} {:>7}  {:>6.1} s  {}",
            i + 1,
            pct(r.probability),
            r.seconds,
            crate::escape::cell(&r.outcome)
        )
        .ok();
        let input = if r.input.is_empty() {
            "(nothing)".to_string()
        } else {
            r.input.join(" · ")
        };
        writeln!(out, "      input: {}", crate::escape::cell(&input)).ok();
        writeln!(out, "      route: {}", crate::escape::cell(&r.nodes.join(" → "))).ok();
    }
    out
}

/// The routes as CSV, one row per route.
pub fn to_csv(p: &Paths) -> String {
    let mut t = Table::new(&[
        "rank",
        "start",
        "probability",
        "seconds",
        "outcome",
        "end",
        "input",
        "nodes",
        "prompts",
    ]);
    for (i, r) in p.paths.iter().enumerate() {
        let end = serde_json::to_value(r.end)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        t.push(vec![
            Cell::Int(i as i64 + 1),
            Cell::Text(r.start.clone()),
            Cell::Num(r.probability, None),
            Cell::Num(r.seconds, None),
            Cell::Text(r.outcome.clone()),
            Cell::Plain(end),
            Cell::Text(r.input.join(" ")),
            Cell::Text(r.nodes.join(" > ")),
            Cell::Text(r.prompts.join(" | ")),
        ]);
    }
    table::to_csv(&t)
}

/// The routes as a Markdown test plan: one numbered test case per route.
pub fn to_markdown(p: &Paths, h: &Hotline) -> String {
    use std::fmt::Write;
    let md = |s: &str| crate::escape::markdown(s);
    let mut out = String::new();
    writeln!(out, "# Test plan: {}\n", md(&p.hotline)).ok();
    writeln!(
        out,
        "{} test case(s), one per route, most likely first; each node passed at most {} time(s). The routes cover {} of callers from the entry{}.\n",
        p.paths.len(),
        p.max_visits,
        pct(p.covered),
        p.covered_online.map_or(String::new(), |c| format!(" and {} of customers from the online entry", pct(c)))
    )
    .ok();
    for (i, r) in p.paths.iter().enumerate() {
        writeln!(out, "## Test {}: {} ({})\n", i + 1, md(&r.outcome), pct(r.probability)).ok();
        let online = h.node(&r.start).is_some_and(|n| h.at(n).channel == Channel::Online);
        let mut step = 1;
        let mut line = |out: &mut String, text: String| {
            writeln!(out, "{step}. {text}").ok();
            step += 1;
        };
        line(
            &mut out,
            if online {
                format!("Open the online service (it starts at `{}`).", md(&r.start))
            } else {
                "Dial the hotline.".to_string()
            },
        );
        for (prompt, inputs) in &r.steps {
            if let Some(prompt) = prompt {
                line(&mut out, format!("Expect to hear: \"{}\"", md(prompt)));
            }
            for input in inputs {
                let what = if input.starts_with("say ")
                    || input.starts_with("type ")
                    || input.starts_with("wait ")
                    || input.starts_with("press ")
                {
                    md(input)
                } else {
                    format!("press {}", md(input))
                };
                let mut c = what.chars();
                let what = c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect());
                line(&mut out, format!("{what}."));
            }
        }
        line(
            &mut out,
            format!(
                "Expect to reach: {} after about {} s (route: {}).",
                md(&r.outcome),
                crate::menu::value::trim_float(r.seconds.round()),
                md(&r.nodes.join(" → "))
            ),
        );
        writeln!(out).ok();
    }
    if let Some(why) = &p.stopped {
        writeln!(out, "**Partial:** {}", md(why)).ok();
    }
    out
}
