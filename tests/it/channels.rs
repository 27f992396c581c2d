//! The online channel: chat queues against queueing theory, first
//! responses against their exact distribution, channel switches counted
//! exactly, the phone↔online feedback loop, and the loader's checks.

use crate::support::theory::{erlang_a, erlang_c};
use hotline::input::load_str;
use hotline::menu::Hotline;
use hotline::sim::{SimOptions, SimReport, simulate, stats::Estimate};

fn menu(text: &str) -> Hotline {
    let loaded = load_str(text, "chat.yaml", &Default::default());
    assert!(!loaded.has_errors(), "{}", loaded.render());
    loaded.hotline.unwrap()
}

fn run(h: &Hotline, replications: u32, seed: u64) -> SimReport {
    let mut o = SimOptions::from_menu(h);
    o.replications = replications;
    o.seed = seed;
    simulate(h, &o, &|_, _, _| {}).unwrap()
}

/// The theory value lies within twice the 95% half-width of the mean, and
/// the interval is informative.
fn agrees(name: &str, e: &Estimate, theory: f64) {
    let half = (e.ci95[1] - e.ci95[0]) / 2.0;
    assert!(
        (e.mean - theory).abs() <= 2.0 * half,
        "{name}: simulated {} [{}, {}], theory {theory}",
        e.mean,
        e.ci95[0],
        e.ci95[1]
    );
    assert!(
        half < 0.1 * theory.abs().max(0.01),
        "{name}: interval too wide: ±{half}"
    );
}

/// A chat queue behind `online_entry`, fed by `online_arrivals` only.
fn chat_only(
    lambda_per_min: f64,
    handle_min: f64,
    seats: u32,
    concurrency: u32,
    patience: &str,
    first_reply: &str,
) -> Hotline {
    menu(&format!(
        "hotline: Chat\nentry: phone\nonline_entry: chat\nnodes:\n  phone: {{ kind: hangup }}\n\
         \x20 chat: {{ kind: queue, pool: chat, channel: online }}\n\
         agents:\n  chat: {{ seats: {seats}, concurrency: {concurrency}, handle_time: exp(mean={}s), first_reply: \"{first_reply}\" }}\n\
         callers:\n  arrivals: [ {{ from: \"00:00\", rate: 0/h }} ]\n  online_arrivals: {lambda_per_min}/m\n{patience}\
         simulation: {{ start: \"00:00\", duration: 40h, warmup: 2h }}\n",
        handle_min * 60.0
    ))
}

#[test]
fn a_chat_pool_is_erlang_a_with_seats_times_concurrency_servers() {
    // (λ per minute, mean chat, seats, concurrency, mean patience in minutes).
    for (lambda, handle, seats, k, patience) in [
        (1.4, 6.0, 3u32, 3u32, 5.0),
        (2.0, 6.0, 3, 3, 2.0),
        (1.5, 4.0, 2, 4, 10.0),
    ] {
        let h = chat_only(
            lambda,
            handle,
            seats,
            k,
            &format!("  patience: exp(mean={patience}m)\n"),
            "0s",
        );
        let r = run(&h, 20, 5);
        let th = erlang_a(lambda / 60.0, 1.0 / (handle * 60.0), seats * k, 1.0 / (patience * 60.0));
        let q = &r.queues["chat"];
        let tag = format!("λ={lambda}/min, {seats} seats × {k} chats, patience {patience} min");
        agrees(&format!("{tag} P(wait)"), &q["p_wait"], th.p_wait);
        agrees(&format!("{tag} P(abandon)"), &q["p_abandon"], th.p_abandon);
        agrees(&format!("{tag} mean wait"), &q["mean_wait_s"], th.mean_wait);
        agrees(&format!("{tag} mean queue"), &q["mean_queue_length"], th.mean_queue);
        // With no first reply, the first response is the wait.
        agrees(
            &format!("{tag} first response"),
            &q["first_response_s"],
            th.mean_wait_answered,
        );
        // Everything happened online.
        let online = &r.channels["online"];
        assert_eq!(online["p_wait"].mean, q["p_wait"].mean);
        assert_eq!(r.channels["phone"]["customers"].mean, 0.0);
        assert_eq!(r.metrics["calls"].mean, 0.0, "no phone call was made");
        assert_eq!(r.metrics["p_switched_channel"].mean, 0.0);
    }
}

/// P(W + F ≤ x) for an Erlang C wait W (no wait with 1 − C, else
/// exponential at rate θ) and an exponential first reply F at rate φ.
fn first_response_cdf(c: f64, theta: f64, phi: f64, x: f64) -> f64 {
    let f = 1.0 - (-phi * x).exp();
    let both = 1.0 - (phi * (-theta * x).exp() - theta * (-phi * x).exp()) / (phi - theta);
    (1.0 - c) * f + c * both
}

/// P(W + min(d, H) ≤ x) for an Erlang C wait W (none with 1 − C, else
/// exponential at rate θ), a fixed first reply of `d` seconds and an
/// exponential chat H at rate μ (the reply comes within the chat).
fn fixed_reply_cdf(c: f64, theta: f64, mu: f64, d: f64, x: f64) -> f64 {
    let a = d.min(x);
    let early = (1.0 - (-mu * a).exp()) - c * mu * (-theta * x).exp() * (((theta - mu) * a).exp() - 1.0) / (theta - mu);
    let late = if x >= d {
        (-mu * d).exp() * (1.0 - c * (-theta * (x - d)).exp())
    } else {
        0.0
    };
    early + late
}

#[test]
fn first_response_shares_follow_the_exact_wait_plus_first_reply() {
    // The first reply comes within the chat: min(F, H), exponential at
    // rate φ + μ when both are exponential.
    // Two loads, no abandonment (Erlang C with seats × concurrency servers).
    for (lambda, handle, seats, k) in [(1.0, 6.0, 3u32, 3u32), (1.4, 4.0, 2, 4)] {
        let mu = 1.0 / (handle * 60.0);
        let th = erlang_c(lambda / 60.0, mu, seats * k);
        // An exponential first reply of mean 20 s.
        let h = chat_only(lambda, handle, seats, k, "", "exp(mean=20s)");
        let r = run(&h, 40, 8);
        let q = &r.queues["chat"];
        for x in [1.0, 30.0, 60.0] {
            let exact = first_response_cdf(th.p_wait, th.tail_rate, 1.0 / 20.0 + mu, x);
            agrees(
                &format!("λ={lambda}, exp reply, within {x}s"),
                &q[format!("p_first_response_within_{x}s").as_str()],
                exact,
            );
        }
        agrees(
            "mean first response",
            &q["first_response_s"],
            th.mean_wait + 1.0 / (1.0 / 20.0 + mu),
        );
        // A fixed first reply of 5 s, or the whole chat when it is shorter.
        let h = chat_only(lambda, handle, seats, k, "", "fixed(5s)");
        let r = run(&h, 40, 9);
        let q = &r.queues["chat"];
        for x in [1.0, 30.0, 60.0] {
            agrees(
                &format!("λ={lambda}, fixed reply, within {x}s"),
                &q[format!("p_first_response_within_{x}s").as_str()],
                fixed_reply_cdf(th.p_wait, th.tail_rate, mu, 5.0, x),
            );
        }
    }
}

#[test]
fn channel_switches_and_bounces_are_counted_exactly() {
    // Every customer: phone → online → phone → online → phone, then hangs up.
    let h = menu(
        "hotline: Bounce\nentry: p1\nnodes:\n  p1: { kind: prompt, duration: 5s, next: o1 }\n\
         \x20 o1: { kind: prompt, channel: online, duration: 10s, next: p2 }\n\
         \x20 p2: { kind: prompt, duration: 5s, next: o2 }\n\
         \x20 o2: { kind: prompt, channel: online, duration: 10s, next: p3 }\n\
         \x20 p3: { kind: hangup }\n\
         callers:\n  arrivals: 60/h\nsimulation: { duration: 4h, replications: 4 }\n",
    );
    let r = run(&h, 4, 1);
    let m = &r.metrics;
    assert_eq!(m["p_switched_channel"].mean, 1.0);
    assert_eq!(m["channel_switches_per_caller"].mean, 4.0);
    assert_eq!(m["p_bounced_back_to_phone"].mean, 1.0);
    assert_eq!(
        m["calls_per_caller"].mean, 3.0,
        "each switch back to the phone is a new call"
    );
    assert_eq!(m["p_hung_up"].mean, 1.0);
    let phone = &r.channels["phone"];
    let online = &r.channels["online"];
    assert_eq!(phone["contacts_per_customer"].mean, 3.0);
    assert_eq!(online["contacts_per_customer"].mean, 2.0);
    assert_eq!(phone["customers"].mean, m["callers"].mean);
    assert_eq!(online["customers"].mean, m["callers"].mean);
    assert_eq!(phone["p_hung_up"].mean, 1.0, "the journey ended on the phone");
    assert_eq!(online["p_hung_up"].mean, 0.0);

    // Online first, then the phone, never back: a switch but no bounce.
    let h = menu(
        "hotline: Online first\nentry: p\nonline_entry: o\nnodes:\n  p: { kind: hangup }\n\
         \x20 o: { kind: prompt, channel: online, duration: 10s, next: p }\n\
         callers:\n  arrivals: [ { from: \"00:00\", rate: 0/h } ]\n  online_arrivals: 60/h\n\
         simulation: { duration: 4h, replications: 2 }\n",
    );
    let r = run(&h, 2, 1);
    assert_eq!(r.metrics["p_switched_channel"].mean, 1.0);
    assert_eq!(r.metrics["p_bounced_back_to_phone"].mean, 0.0);
}

/// Every caller ends in exactly one outcome: the shares add up to one, in
/// total and per channel where the journeys ended.
fn one_outcome_each(r: &SimReport) {
    let keys = [
        "p_reach_human",
        "p_abandoned",
        "p_forced_out",
        "p_resolved_self_service",
        "p_resolved_online",
        "p_gave_up",
        "p_hung_up",
        "p_stuck",
    ];
    let total: f64 = keys.iter().map(|k| r.metrics[*k].mean).sum();
    assert!((total - 1.0).abs() < 1e-6, "outcome shares add up to {total}");
    let ended: f64 = r.plots.outcomes.iter().map(|(_, n)| *n as f64).sum();
    let callers = r.metrics["callers"].mean * f64::from(r.replications);
    assert!(
        (ended - callers).abs() < 1e-6 * callers,
        "{ended} outcomes for {callers} callers"
    );
    // Journeys ending in each channel, weighted by its customers, add up to the callers.
    if r.channels.is_empty() {
        return;
    }
    let by_channel: f64 = r
        .channels
        .values()
        .map(|c| keys.iter().map(|k| c[*k].mean).sum::<f64>() * c["customers"].mean)
        .sum();
    // Exact in one replication; across several, the means of the shares
    // times the means of the customers are not the means of their
    // products, which differ by the shares' covariance with the customers.
    let per_rep = r.metrics["callers"].mean;
    let tolerance = if r.replications == 1 { 1e-9 } else { 1e-2 };
    assert!(
        (by_channel - per_rep).abs() < tolerance * per_rep,
        "{by_channel} journeys ended by channel, {per_rep} callers"
    );
}

fn sample(name: &str) -> Hotline {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("menus")
        .join(name);
    hotline::input::load(&path, &Default::default())
        .unwrap()
        .hotline
        .unwrap()
}

/// The e-commerce sample with the phone busy message's deflected share set.
fn ecommerce(deflects: f64) -> Hotline {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/ecommerce_chat.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("deflects: 0.4"));
    menu(&text.replace("deflects: 0.4", &format!("deflects: {deflects}")))
}

#[test]
fn deflecting_more_callers_online_congests_the_chat_and_past_a_point_slows_everyone() {
    let runs: Vec<(f64, SimReport)> = [0.0, 0.2, 1.0]
        .iter()
        .map(|&d| (d, run(&ecommerce(d), 60, 21)))
        .collect();
    let get = |i: usize, scope: Option<&str>, key: &str| -> Estimate {
        let r = &runs[i].1;
        match scope {
            Some(q) => r.queues[q][key],
            None => r.metrics[key],
        }
    };
    // Strictly above, by the intervals.
    let above = |a: Estimate, b: Estimate, what: &str| {
        assert!(a.ci95[0] > b.ci95[1], "{what}: {a:?} is not above {b:?}");
    };
    for i in 1..runs.len() {
        let what = format!("deflects {} vs {}", runs[i].0, runs[i - 1].0);
        above(
            get(i, Some("在线排队"), "mean_wait_s"),
            get(i - 1, Some("在线排队"), "mean_wait_s"),
            &format!("chat wait, {what}"),
        );
        above(
            get(i, None, "channel_switches_per_caller"),
            get(i - 1, None, "channel_switches_per_caller"),
            &format!("switches, {what}"),
        );
        above(
            get(i - 1, Some("电话排队"), "mean_wait_s"),
            get(i, Some("电话排队"), "mean_wait_s"),
            &format!("phone wait falls, {what}"),
        );
    }
    // Past a share, sending more callers online makes the time to a human
    // worse, not better (the chat saturates and sends them back).
    above(
        get(2, None, "mean_time_to_human_s"),
        get(1, None, "mean_time_to_human_s"),
        "time to human, 1 vs 0.2",
    );
    for (_, r) in &runs {
        one_outcome_each(r);
    }
}

#[test]
fn chat_samples_end_every_journey_once_and_do_not_depend_on_threads() {
    for name in ["ecommerce_chat.yaml", "group_buying_chat.yaml", "ecommerce.yaml"] {
        let h = sample(name);
        let mut o = SimOptions::from_menu(&h);
        o.replications = 6;
        o.threads = 1;
        let one = simulate(&h, &o, &|_, _, _| {}).unwrap();
        o.threads = 3;
        let three = simulate(&h, &o, &|_, _, _| {}).unwrap();
        let json = |r: &SimReport| serde_json::to_string(r).unwrap();
        assert_eq!(json(&one), json(&three), "{name}: threads changed the result");
        one_outcome_each(&one);
        for seed in 1..=4 {
            one_outcome_each(&run(&h, 1, seed));
        }
        assert!(!one.channels.is_empty(), "{name} has online nodes");
        // The old-style online node is a channel switch too: its call-backs bounce.
        if name == "ecommerce.yaml" {
            assert!(one.metrics["p_bounced_back_to_phone"].mean > 0.0);
        }
    }
    // The removed-and-rejoin chat: customers disconnected at ten minutes queue again.
    let r = run(&sample("group_buying_chat.yaml"), 10, 2);
    let chat = &r.queues["q_chat"];
    assert!(chat["p_disconnected"].mean > 0.0);
    assert!(chat["mean_queue_length"].mean > 20.0, "{:?}", chat["mean_queue_length"]);
}

#[test]
fn phone_only_menus_have_no_channel_figures() {
    let h = menu(
        "hotline: Phone\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
         agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 20/h\n",
    );
    let r = run(&h, 2, 1);
    assert!(r.channels.is_empty());
    assert!(!r.metrics.contains_key("p_switched_channel"));
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("channels"));
}

fn errors(text: &str) -> Vec<(String, u32, u32, Option<String>)> {
    let loaded = load_str(text, "bad.yaml", &Default::default());
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            (
                d.code.to_string(),
                d.line.unwrap_or(0),
                d.column.unwrap_or(0),
                d.node.clone(),
            )
        })
        .collect()
}

#[test]
fn channel_mistakes_are_diagnosed_with_positions() {
    let base = |extra_top: &str, pool: &str, callers: &str| {
        format!(
            "hotline: Bad\nentry: p\n{extra_top}nodes:\n  p: {{ kind: queue, pool: desk }}\n\
             \x20 机器人: {{ kind: speech, channel: online, intents: {{ 人工: {{ to: 在线 }} }} }}\n\
             \x20 在线: {{ kind: queue, channel: online, pool: chat }}\n\
             agents:\n  desk: {{ seats: 2, handle_time: exp(mean=3m) }}\n  chat: {pool}\n\
             callers:\n  arrivals: 20/h\n{callers}"
        )
    };
    let good_pool = "{ seats: 2, concurrency: 3, handle_time: exp(mean=3m) }";
    assert!(errors(&base("online_entry: 机器人\n", good_pool, "  online_arrivals: 10/h\n")).is_empty());

    let e = errors(&base("", "{ seats: 2, concurrency: 0, handle_time: exp(mean=3m) }", ""));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0.as_str(), e[0].1), ("out-of-range", 9));

    let e = errors(&base("online_entry: 机器\n", good_pool, ""));
    assert_eq!((e[0].0.as_str(), e[0].1, e[0].2), ("unknown-entry", 3, 15), "{e:?}");
    let rendered = load_str(
        &base("online_entry: 机器\n", good_pool, ""),
        "bad.yaml",
        &Default::default(),
    )
    .render();
    assert!(rendered.contains("did you mean \"机器人\""), "{rendered}");

    let e = errors(&base("online_entry: p\n", good_pool, ""));
    assert_eq!(
        (e[0].0.as_str(), e[0].3.as_deref()),
        ("online-entry-phone", Some("p")),
        "{e:?}"
    );

    let e = errors(&base("", good_pool, "  online_arrivals: 10/h\n"));
    assert_eq!((e[0].0.as_str(), e[0].1), ("missing-key", 12), "{e:?}");

    let e = errors(&base("", "{ seats: 0, handle_time: exp(mean=3m) }", ""));
    assert_eq!(
        (e[0].0.as_str(), e[0].3.as_deref()),
        ("no-seats", Some("在线")),
        "{e:?}"
    );

    let e = errors("hotline: Bad\nentry: o\nnodes:\n  o: { kind: online, channel: phone }\n");
    assert_eq!(e[0].0, "online-on-phone", "{e:?}");

    let e = errors("hotline: Bad\nentry: o\nnodes:\n  o: { kind: hangup, channel: chat }\n");
    assert_eq!((e[0].1, e[0].2), (4, 31), "{e:?}");
}

#[test]
fn a_first_reply_never_comes_after_the_chat_ended() {
    // A fixed reply of 30 s in chats of a fixed 10 s: the first message
    // comes within the chat, at 10 s; the slot is held 10 s.
    let h = menu(
        "hotline: Chat\nentry: phone\nonline_entry: chat\nnodes:\n  phone: { kind: hangup }\n\
         \x20 chat: { kind: queue, pool: chat, channel: online }\n\
         agents:\n  chat: { seats: 50, concurrency: 2, handle_time: fixed(10s), first_reply: fixed(30s) }\n\
         callers:\n  arrivals: [ { from: \"00:00\", rate: 0/h } ]\n  online_arrivals: 60/h\n\
         simulation: { start: \"00:00\", duration: 8h }\n",
    );
    let r = run(&h, 4, 1);
    let q = &r.queues["chat"];
    assert_eq!(q["first_response_s"].mean, 10.0);
    assert_eq!(q["p_first_response_within_30s"].mean, 1.0);
    // Occupancy: 60 chats an hour of 10 s on 100 slots.
    assert!((r.metrics["occupancy"].mean - 60.0 * 10.0 / 3600.0 / 100.0).abs() < 0.001);
}
