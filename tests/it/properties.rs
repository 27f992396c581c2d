//! Property tests on generated menus: every caller ends in exactly one
//! outcome, waits are never negative, outcome shares add up to 1, and the
//! result is the same for 1 and 8 threads.

use hotline::input::load_str;
use hotline::sim::{SimOptions, simulate};
use proptest::prelude::*;

/// A random valid menu: `n` nodes whose kinds and targets are drawn from `picks`.
fn menu(n: usize, picks: &[u32], seats: u32, patience: bool, rate: u32) -> String {
    let pick = |i: usize| picks[i % picks.len()] as usize;
    let target = |i: usize, k: usize| format!("n{}", pick(i * 7 + k) % n);
    let mut s = String::from("hotline: Generated\nentry: n0\nnodes:\n");
    for i in 0..n {
        let body = match pick(i) % 7 {
            0 => format!(
                "{{ kind: prompt, duration: {}s, next: {} }}",
                pick(i + 1) % 20,
                target(i, 1)
            ),
            1 => format!(
                "{{ kind: menu, duration: 5s, no_input: 0.1, on_fail: {}, options: {{ \"1\": {{ to: {} }}, \"2\": {{ to: {} }} }} }}",
                target(i, 2),
                target(i, 3),
                target(i, 4)
            ),
            2 => format!(
                "{{ kind: self_service, duration: 20s, resolves: 0.5, next: {} }}",
                target(i, 5)
            ),
            3 => "{ kind: online, resolves: 0.3, calls_back: { share: 0.4, after: 5m } }".to_string(),
            4 => "{ kind: hangup }".to_string(),
            5 => format!(
                "{{ kind: queue, pool: desk, max_wait: 5m, busy: {{ when: {{ queue_length: 3 }}, deflects: 0.5, to: {} }} }}",
                target(i, 6)
            ),
            _ => "{ kind: queue, pool: desk, callback: { offered_after: 1m, accepts: 0.5 } }".to_string(),
        };
        // Some nodes are online (a chat bot, a chat queue): customers switch channels.
        let body = if (pick(i) / 10) % 5 == 0 && !body.contains("kind: online") {
            format!("{}, channel: online }}", body.trim_end_matches('}').trim_end())
        } else {
            body
        };
        s.push_str(&format!("  n{i}: {body}\n"));
    }
    s.push_str(&format!(
        "  spare: {{ kind: queue, pool: desk }}\nagents:\n  desk: {{ seats: {seats}, handle_time: exp(mean=2m) }}\n"
    ));
    s.push_str(&format!("callers:\n  arrivals: {rate}/h\n"));
    if patience {
        s.push_str("  patience: exp(mean=2m)\n  redial: { share: 0.3, after: 3m }\n");
    }
    s.push_str("simulation: { duration: 2h, warmup: 10m, replications: 3 }\n");
    s
}

proptest! {
    // 64 cases in CI; PROPTEST_CASES=2000 for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn simulations_of_random_menus_keep_their_invariants(
        n in 1usize..12,
        picks in proptest::collection::vec(0u32..1000, 1..40),
        seats in 0u32..6,
        patience: bool,
        rate in 1u32..400,
    ) {
        let text = menu(n, &picks, seats, patience, rate);
        let loaded = load_str(&text, "generated.yaml", &Default::default());
        // A chat queue with no seats at all is refused at load time.
        if seats == 0 && loaded.diagnostics.iter().filter(|d| d.is_error()).all(|d| d.code == "no-seats") {
            return Ok(());
        }
        prop_assert!(!loaded.has_errors(), "{}\n{}", text, loaded.render());
        let h = loaded.hotline.unwrap();
        let mut o = SimOptions::from_menu(&h);
        o.threads = 1;
        let one = match simulate(&h, &o, &|_, _, _| {}) {
            Ok(r) => r,
            // Refused up front (no seats and no patience): a reason is given.
            Err(e) => { prop_assert!(e.to_string().contains("wait forever"), "{e}"); return Ok(()); }
        };
        for row in one.rows.iter() {
            let outcomes: f64 = ["p_reach_human", "p_abandoned", "p_forced_out", "p_resolved_self_service", "p_resolved_online", "p_gave_up", "p_hung_up", "p_stuck"]
                .iter().map(|k| row[*k]).filter(|x| !x.is_nan()).sum();
            if row["callers"] > 0.0 {
                prop_assert!((outcomes - 1.0).abs() < 1e-9, "outcomes add up to {}", outcomes);
            }
            for k in ["mean_wait_s", "mean_wait_answered_s", "wait_p50_s", "wait_p95_s", "mean_time_to_human_s", "mean_queue_length", "occupancy"] {
                prop_assert!(row[k].is_nan() || row[k] >= 0.0, "{} = {}", k, row[k]);
            }
            prop_assert!(row["occupancy"].is_nan() || row["occupancy"] <= 1.0 + 1e-9);
            // Every customer who starts on the phone makes a call.
            if h.at(h.entry).channel == hotline::menu::Channel::Phone {
                prop_assert!(row["calls"] >= row["callers"]);
            }
            for k in ["p_switched_channel", "p_bounced_back_to_phone"] {
                if let Some(x) = row.get(k) {
                    prop_assert!(x.is_nan() || (0.0..=1.0).contains(&x), "{} = {}", k, x);
                }
            }
        }
        o.threads = 8;
        let eight = simulate(&h, &o, &|_, _, _| {}).unwrap();
        prop_assert_eq!(serde_json::to_string(&one).unwrap(), serde_json::to_string(&eight).unwrap());
    }
}
