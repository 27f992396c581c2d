//! A survey written out: CSV, one row per hotline, and the table for
//! people.

use crate::decisions::survey::Survey;

/// The rows as CSV (one row per hotline, then no aggregate).
pub fn to_csv(s: &Survey) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
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
    ])
    .ok();
    let opt = |x: Option<String>| x.unwrap_or_default();
    for r in &s.rows {
        let text = |s: &str| crate::escape::csv_text(s).into_owned();
        w.write_record([
            text(&r.name),
            text(&r.file),
            opt(r.reachable.map(|b| b.to_string())),
            opt(r.selections.map(|b| b.to_string())),
            opt(r.seconds.map(|b| b.to_string())),
            opt(r.one_press_everywhere.map(|b| b.to_string())),
            opt(r.elderly_line.map(|b| b.to_string())),
            opt(r.deflection_loop.map(|b| b.to_string())),
            opt(r.online_reachable.map(|b| b.to_string())),
            opt(r.online_selections.map(|b| b.to_string())),
            r.errors.to_string(),
            r.warnings.to_string(),
            text(r.error.as_deref().unwrap_or_default()),
        ])
        .ok();
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The survey as a text table with the aggregate below.
pub fn to_text(s: &Survey) -> String {
    let yn = |b: Option<bool>| b.map_or("-", |b| if b { "yes" } else { "no" }).to_string();
    let header = [
        "hotline", "file", "human", "sel.", "secs", "0-out", "65+", "deflect", "online", "typed", "err", "warn",
    ]
    .map(String::from);
    let mut table = vec![header.to_vec()];
    for r in &s.rows {
        table.push(vec![
            if r.name.is_empty() {
                "(did not load)".into()
            } else {
                crate::escape::cell(&r.name).into_owned()
            },
            crate::escape::cell(&r.file).into_owned(),
            yn(r.reachable),
            r.selections.map_or("-".into(), |x| x.to_string()),
            r.seconds.map_or("-".into(), crate::menu::value::trim_float),
            yn(r.one_press_everywhere),
            yn(r.elderly_line),
            yn(r.deflection_loop),
            yn(r.online_reachable),
            r.online_selections.map_or("-".into(), |x| x.to_string()),
            r.errors.to_string(),
            r.warnings.to_string(),
        ]);
    }
    let mut out = String::new();
    for line in super::aligned(&table) {
        out.push_str(&line);
        out.push('\n');
    }
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
