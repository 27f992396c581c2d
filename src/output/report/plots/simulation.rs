//! The plots of one simulation: waits, time to a human, the day's queues
//! and seats, outcomes, the menu, and with online nodes the customers'
//! channel switches and the chat queues' first responses.

use super::{Plot, bar_plot, cdf_plot, day_plot, menu_plot};
use crate::menu::Hotline;
use crate::sim::SimReport;

/// The standard plots of one simulation.
pub fn simulation_plots(h: &Hotline, r: &SimReport) -> Vec<Plot> {
    let p = &r.plots;
    let mut plots = vec![
        cdf_plot(
            "wait_cdf",
            "Share of queued calls whose wait was at most the time on the x-axis: answered calls, and abandoned calls until they hung up.".into(),
            "Wait in the queue".into(),
            "wait (seconds)",
            vec![("answered".into(), p.waits.hist_answered.clone()), ("abandoned".into(), p.waits.hist_abandoned.clone())],
        ),
        cdf_plot(
            "time_to_human",
            "Share of callers who reached an agent within the time on the x-axis, counted from their first dial across call-backs and redials.".into(),
            "Time from first dial to a human".into(),
            "seconds since the first dial",
            vec![("callers who reached a human".into(), p.time_to_human.clone())],
        ),
        day_plot(
            "queue_length",
            "Callers waiting over the day in each agent pool: mean over replications with its 95% band.".into(),
            "Callers waiting".into(),
            "callers waiting",
            p.queue_length.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Vec::new(),
        ),
        day_plot(
            "seats_busy",
            "Seats busy over the day in each pool (mean and 95% band; for a chat pool, chats in progress); dashed: seats staffed (times concurrency for a chat pool).".into(),
            "Seats busy and staffed".into(),
            "seats",
            p.busy_seats.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            p.seats
                .iter()
                .map(|(k, s)| {
                    let clock = &p.busy_seats[k].clock;
                    (format!("{k} staffed"), clock.iter().zip(s).map(|(x, y)| (*x + 150.0, *y)).collect())
                })
                .collect(),
        ),
    ];
    let total: u64 = p.outcomes.iter().map(|(_, n)| n).sum::<u64>().max(1);
    plots.push(bar_plot(
        "outcomes",
        "How callers' journeys ended, as a share of all callers counted (across call-backs and redials).".into(),
        "Outcome per caller".into(),
        p.outcomes.iter().map(|(n, _)| (*n).to_string()).collect(),
        vec![(
            h.name.clone(),
            p.outcomes.iter().map(|(_, c)| *c as f64 / total as f64).collect(),
        )],
    ));
    if !p.switch_counts.is_empty() {
        let total: u64 = p.switch_counts.iter().sum::<u64>().max(1);
        plots.push(bar_plot(
            "channel_switches",
            "Customers by the number of times they switched between the phone and online (a busy message sending them to the app, a chat sending them back to the phone, a call-back).".into(),
            "Channel switches per customer".into(),
            ["no switch", "1 switch", "2 switches", "3 switches", "4 or more"]
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            vec![(
                h.name.clone(),
                p.switch_counts.iter().map(|&c| c as f64 / total as f64).collect(),
            )],
        ));
    }
    if !p.first_response.is_empty() {
        plots.push(cdf_plot(
            "first_response",
            "Share of queued chats whose first response (the wait plus the agent's first reply) came within the time on the x-axis; the surveys quote the shares within 1 s, 30 s and 60 s.".into(),
            "First response in the chat queues".into(),
            "seconds from joining the chat queue to the agent's first message",
            p.first_response.iter().map(|(k, h)| (k.clone(), h.clone())).collect(),
        ));
    }
    plots.push(menu_plot(
        h,
        "The menu, laid out by distance from the entry; the route with fewest selections to a human is in red.".into(),
    ));
    plots
}
