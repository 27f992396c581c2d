//! The walk with its stretch tables (`sim/plan/stretch.rs`: fixed-time
//! prompts and menus taken in one draw) against the walk node by node:
//! the same law, checked on a menu with retries, silences, invalid keys,
//! intents needing two requests, misrecognitions, a loop back to the main
//! menu and a caller segment that chooses differently. The two draw
//! different streams, so the check is statistical: per-replication figures
//! of each agree within four standard errors of their difference.

use hotline::input::load_str;
use hotline::sim::engine::{Engine, RepResult};
use hotline::sim::plan::stretch::Stretches;
use hotline::sim::{SimOptions, setup};

const MENU: &str = r#"
hotline: 表格
entry: 欢迎
nodes:
  欢迎: { kind: prompt, say: 欢迎致电, duration: 6s, next: 主菜单 }
  主菜单:
    kind: menu
    say: 请按键
    duration: 12s
    timeout: 5s
    retries: 2
    no_input: 0.1
    invalid: 0.08
    on_fail: 人工
    options:
      "1": { to: 子菜单, share: 0.3, by_segment: { 老人: 0.1 } }
      "2": { to: 机器人, share: 0.3, by_segment: { 老人: 0.5 } }
      "3": { to: 自助, share: 0.3 }
      "9": { to: 再见, share: 0.1 }
  子菜单:
    kind: menu
    say: 请再按键
    duration: 8s
    retries: 1
    no_input: 0.25
    on_fail: 主菜单
    options:
      "1": { to: 人工, share: 0.5 }
      "2": { to: 再见, share: 0.5 }
  机器人:
    kind: speech
    say: 请说
    duration: 4s
    understood: 0.6
    on_misunderstood: 主菜单
    no_input: 0.1
    on_fail: 人工
    intents:
      人工: { to: 人工, share: 0.6, insist: 2 }
      查询: { to: 自助, share: 0.4 }
  自助:
    kind: self_service
    say: 请输入
    duration: 20s
    resolves: 0.5
    next: 主菜单
  人工: { kind: queue, pool: 坐席 }
  再见: { kind: hangup, say: 再见, duration: 2s }
agents:
  坐席: { seats: 40, handle_time: exp(mean=2m) }
callers:
  arrivals: 600/h
  patience: exp(mean=3m)
  segments:
    老人: { share: 0.3 }
simulation: { start: "08:00", duration: 4h, replications: 10, seed: 1 }
"#;

/// Per replication: the share of each outcome, of the segment's callers
/// answered, and the mean time to a human.
fn figures(r: &RepResult) -> Vec<f64> {
    let c = &r.callers;
    let n = c.callers as f64;
    let mut v: Vec<f64> = c.outcomes.iter().map(|&k| k as f64 / n).collect();
    let old = &r.seg_callers[1];
    v.push(old.outcomes[0] as f64 / old.callers as f64);
    v.push(c.time_to_human_sum / c.outcomes[0] as f64);
    v.push(c.calls as f64 / n);
    v
}

fn runs(tables: bool) -> Vec<Vec<f64>> {
    let loaded = load_str(MENU, "表格.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    let h = loaded.hotline.expect("the menu loads");
    let (mut plan, s) = setup(&h, &SimOptions::from_menu(&h)).expect("the menu runs");
    if !tables {
        plan.stretches = Stretches::none(plan.steps.len());
    }
    (0..80)
        .map(|i| figures(&Engine::new(&plan, s, 1000 + i).run().expect("a replication")))
        .collect()
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (m, x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0))
}

#[test]
fn tables_walk_the_menus_law() {
    let (a, b) = (runs(true), runs(false));
    let names = [
        "answered",
        "abandoned",
        "forced out",
        "self-service",
        "online",
        "gave up",
        "hung up",
        "stuck",
        "segment answered",
        "time to human",
        "calls per caller",
    ];
    for (k, name) in names.iter().enumerate() {
        let col = |r: &[Vec<f64>]| r.iter().map(|v| v[k]).collect::<Vec<_>>();
        let ((ma, va), (mb, vb)) = (mean_var(&col(&a)), mean_var(&col(&b)));
        let se = ((va + vb) / a.len() as f64).sqrt();
        assert!(
            (ma - mb).abs() <= 4.0 * se + 1e-12,
            "{name}: {ma} with tables, {mb} node by node (standard error {se})"
        );
    }
    // The menu is not a trivial one: each way out is taken.
    let (answered, self_service, hung_up) = (a[0][0], a[0][3], a[0][6]);
    assert!(answered > 0.3 && self_service > 0.1 && hung_up > 0.05, "{:?}", a[0]);
}
