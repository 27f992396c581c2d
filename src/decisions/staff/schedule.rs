//! Plans written into menus: the menu a search round simulates (every
//! pool staffed by its cells), and the user's menu text with the plan's
//! seats and schedules written in, checked to load and to simulate.

use super::{PlanRow, Staffing};
use crate::menu::Hotline;
use crate::menu::value::Clock;

/// The menu with every pool staffed by `seats` (pool-major,
/// interval-minor).
pub(super) fn staffed(h: &Hotline, seats: &[u32], n: usize, starts: &[f64], constant: bool) -> Hotline {
    let mut x = h.clone();
    for (p, pool) in x.pools.iter_mut().enumerate() {
        let row = &seats[p * n..(p + 1) * n];
        pool.seats = row[0];
        pool.schedule = if constant {
            Vec::new()
        } else {
            starts
                .iter()
                .zip(row)
                .map(|(&s, &c)| (Clock((s.rem_euclid(86400.0)) as u32), c))
                .collect()
        };
        pool.schedule.sort_by_key(|(c, _)| *c);
        pool.schedule.dedup_by_key(|(c, _)| *c);
        // A pool nobody reaches keeps one seat in the run, so that the
        // simulator's guard against queues never answered stays quiet.
        if row.iter().all(|&c| c == 0) {
            pool.seats = 1;
            pool.schedule.clear();
        }
    }
    x
}

/// The menu text with each pool's seats and schedule replaced by the plan
/// (the pools' entries are rewritten; the rest of the file, comments
/// included, is kept as written).
pub fn with_schedules(source: &str, h: &Hotline, s: &Staffing) -> Result<String, String> {
    let tree = crate::menu::yaml::parse(source, &Default::default()).map_err(|e| e.message)?;
    let top = tree.as_map().ok_or("the menu is not a mapping")?;
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let agents_at = top
        .iter()
        .position(|(k, _)| k.scalar_text().as_deref() == Some("agents"))
        .ok_or("the menu has no agents section")?;
    let (agents_key, agents) = &top[agents_at];
    let pools = agents.as_map().ok_or("agents is not a mapping")?;
    // Where the agents section ends: the next top-level key, or the end.
    let after = top
        .iter()
        .map(|(k, _)| k.pos.line as usize)
        .filter(|&l| l > pools.first().map_or(0, |(k, _)| k.pos.line as usize))
        .min()
        .unwrap_or(lines.len() + 1);
    let mut starts: Vec<usize> = pools.iter().map(|(k, _)| k.pos.line as usize).collect();
    if starts.windows(2).any(|w| w[0] == w[1]) || starts.first().is_some_and(|&l| l == agents_key.pos.line as usize) {
        return Err(
            "agents is written on one line: write each pool on lines of its own to have the plan written in".into(),
        );
    }
    starts.push(after);
    let mut out = String::new();
    let first = starts[0] - 1;
    out.extend(lines[..first].iter().copied());
    for (i, (k, _)) in pools.iter().enumerate() {
        let name = k.scalar_text().unwrap_or_default();
        let indent = " ".repeat(k.pos.column.saturating_sub(1) as usize);
        let pool = h
            .pools
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("pool {name} is not in the menu"))?;
        let rows: Vec<&PlanRow> = s.plan.iter().filter(|r| r.pool == name).collect();
        // A pool no call reaches keeps a seat, so the menu still simulates
        // (the simulator refuses queues that are never staffed).
        let idle = rows.iter().all(|r| r.seats == 0);
        let seats_of = |r: &PlanRow| if idle { 1 } else { r.seats };
        let q = |x: &str| crate::escape::json_string(x);
        out.push_str(&format!("{indent}{}:\n", q(&name)));
        out.push_str(&format!(
            "{indent}  seats: {}\n",
            rows.first().map_or(pool.seats, |r| seats_of(r))
        ));
        out.push_str(&format!(
            "{indent}  handle_time: {}\n",
            q(&pool.handle_time.to_string())
        ));
        if pool.concurrency != 1 {
            out.push_str(&format!("{indent}  concurrency: {}\n", pool.concurrency));
        }
        if pool.first_reply.mean() > 0.0 {
            out.push_str(&format!(
                "{indent}  first_reply: {}\n",
                q(&pool.first_reply.to_string())
            ));
        }
        if let Some(l) = &pool.label {
            out.push_str(&format!("{indent}  label: {}\n", q(l)));
        }
        if rows.len() > 1 && !idle {
            out.push_str(&format!("{indent}  schedule:\n"));
            for r in &rows {
                out.push_str(&format!(
                    "{indent}    - {{ from: \"{}\", seats: {} }}\n",
                    r.from, r.seats
                ));
            }
        }
        // Lines of the old entry are dropped; blank and comment lines at its end are kept.
        let (a, b) = (starts[i] - 1, (starts[i + 1] - 1).min(lines.len()));
        let tail: Vec<&str> = lines[a..b]
            .iter()
            .rev()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            .copied()
            .collect();
        out.extend(tail.into_iter().rev());
    }
    let rest = (after - 1).min(lines.len());
    out.extend(lines[rest..].iter().copied());
    let check = crate::input::load_str(&out, "the plan", &Default::default());
    let Some(planned) = check.hotline.as_ref().filter(|_| !check.has_errors()) else {
        return Err(format!("the menu with the plan does not load: {}", check.render()));
    };
    // Never a plan that cannot be simulated.
    crate::sim::check(planned).map_err(|why| format!("the menu with the plan would not simulate: {why}"))?;
    Ok(out)
}
