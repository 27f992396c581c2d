//! Folding replications into a report: per-replication metrics, Welford
//! accumulators across replications, the day series, the per-channel,
//! per-chat-queue and per-interval figures, and the warnings.

use indexmap::IndexMap;

use super::engine::{self, RepResult, RunSettings};
use super::plan::Plan;
use super::stats::{CallerAcc, ChannelAcc, ChatAcc, Estimate, Metrics, Outcome, QueueAcc, Welford, ratio};
use super::{IntervalReport, MAX_ROWS, PlotData, Rows, Series, Settings, SimOptions, SimReport};
use crate::menu::{Channel, Hotline};

/// Folds replications in order.
#[derive(Clone)]
pub(super) struct Aggregator {
    names_q: Vec<String>,
    names_seg: Vec<String>,
    pool_names: Vec<String>,
    window: f64,
    settings: RunSettings,
    welford: IndexMap<(u8, usize, String), Welford>,
    rows: Rows,
    callers: u64,
    calls: u64,
    plots: PlotData,
    busy: Vec<Vec<Welford>>,
    waiting: Vec<Vec<Welford>>,
    unfinished: u64,
    stuck: u64,
    call_limit: u64,
    outcomes: [u64; 8],
    /// Whether the menu has online nodes (the channel metrics are kept).
    online: bool,
    /// Per pool: whether it answers phone queues, chat queues.
    pool_channels: Vec<[bool; 2]>,
    /// Chat queues: (index among the queues, name).
    chat_names: Vec<(usize, String)>,
    /// Staffing intervals: count, and per pool and interval the metrics.
    n_intervals: usize,
    interval_stats: Vec<IndexMap<&'static str, Welford>>,
    /// Per pool and time bin: chat slots or seats staffed.
    bin_seats: Vec<Vec<f64>>,
}

impl Aggregator {
    pub(super) fn new(plan: &Plan, h: &Hotline, settings: RunSettings) -> Aggregator {
        let bins = engine::series_bins(&settings);
        Aggregator {
            names_q: plan.queues.iter().map(|q| plan.ids[q.node as usize].clone()).collect(),
            names_seg: plan.segments.clone(),
            pool_names: h.pools.iter().map(|p| p.name.clone()).collect(),
            window: settings.end - settings.warmup,
            settings,
            welford: IndexMap::new(),
            rows: Rows::default(),
            callers: 0,
            calls: 0,
            plots: PlotData::default(),
            busy: vec![vec![Welford::default(); bins]; h.pools.len()],
            waiting: vec![vec![Welford::default(); bins]; h.pools.len()],
            unfinished: 0,
            stuck: 0,
            call_limit: 0,
            outcomes: [0; 8],
            online: plan.has_online,
            pool_channels: (0..h.pools.len())
                .map(|p| {
                    let serves = |ch: u8| {
                        plan.queues
                            .iter()
                            .any(|q| q.pool == p && plan.channel[q.node as usize] == ch)
                    };
                    [serves(0), serves(1)]
                })
                .collect(),
            chat_names: plan
                .chat_queues
                .iter()
                .map(|&q| (q, plan.ids[plan.queues[q].node as usize].clone()))
                .collect(),
            n_intervals: engine::intervals(&settings),
            interval_stats: vec![IndexMap::new(); engine::intervals(&settings) * h.pools.len()],
            bin_seats: (0..h.pools.len())
                .map(|p| {
                    (0..bins)
                        .map(|b| {
                            let mid = settings.clock0 + settings.warmup + (b as f64 + 0.5) * engine::BIN;
                            f64::from(plan.seats_at(p, mid))
                        })
                        .collect()
                })
                .collect(),
        }
    }

    pub(super) fn add(&mut self, r: &RepResult) {
        self.callers += r.callers.callers;
        self.calls += r.callers.calls;
        self.unfinished += r.unfinished;
        self.stuck += r.stuck_calls;
        self.call_limit += r.call_limit;
        for (a, b) in self.outcomes.iter_mut().zip(r.callers.outcomes) {
            *a += b;
        }
        let busy: f64 = r.pools.iter().map(|p| p.busy_area).sum();
        let seats: f64 = r.pools.iter().map(|p| p.seat_area).sum();
        let waiting: f64 = r.pools.iter().map(|p| p.wait_area).sum();
        let mut top = queue_metrics(&r.total, self.window);
        top.insert("occupancy".into(), ratio(busy, seats));
        top.insert("mean_queue_length".into(), waiting / self.window);
        top.extend(caller_metrics(&r.callers, self.online));
        for (k, v) in &top {
            self.welford.entry((0, 0, k.clone())).or_default().add(*v);
        }
        if self.rows.len() < MAX_ROWS {
            self.rows.push(&top);
        }
        for (i, q) in r.queues.iter().enumerate() {
            let mut m = queue_metrics(q, self.window);
            m.insert("mean_queue_length".into(), r.queue_area[i] / self.window);
            if let Some(c) = self.chat_names.iter().position(|(qi, _)| *qi == i) {
                m.extend(chat_metrics(&r.chats[c], q));
            }
            for (k, v) in m {
                self.welford.entry((1, i, k)).or_default().add(v);
            }
        }
        if self.online {
            for (ch, (c, q)) in r.channels.iter().zip(&r.channel_queues).enumerate() {
                let mut m = channel_metrics(c);
                m.extend(queue_metrics(q, self.window));
                let (busy, seats) = r
                    .pools
                    .iter()
                    .zip(&self.pool_channels)
                    .filter(|(_, serves)| serves[ch])
                    .fold((0.0, 0.0), |(b, s), (p, _)| (b + p.busy_area, s + p.seat_area));
                m.insert("occupancy".into(), ratio(busy, seats));
                for (k, v) in m {
                    self.welford.entry((3, ch, k)).or_default().add(v);
                }
            }
            let counts = &mut self.plots.switch_counts;
            counts.resize(5, 0);
            for (a, b) in counts.iter_mut().zip(r.callers.switch_counts) {
                *a += b;
            }
            for ((_, name), chat) in self.chat_names.iter().zip(&r.chats) {
                self.plots
                    .first_response
                    .entry(name.clone())
                    .or_default()
                    .merge(&chat.hist);
            }
        }
        for (i, (q, c)) in r.seg_queue.iter().zip(&r.seg_callers).enumerate().skip(1) {
            let mut m = caller_metrics(c, self.online);
            m.extend(queue_metrics(q, self.window));
            for (k, v) in m {
                self.welford.entry((2, i - 1, k)).or_default().add(v);
            }
        }
        if self.n_intervals > 0 {
            self.add_intervals(r);
        }
        self.plots.waits.merge_hists(&r.total);
        self.plots.time_to_human.merge(&r.callers.time_to_human);
        // Time averages per bin: the area over the measured seconds the bin
        // received (a short last bin, several days folded onto one).
        for (p, acc) in r.pools.iter().enumerate() {
            for (b, &secs) in r.bin_time.iter().enumerate().filter(|(_, s)| **s > 0.0) {
                self.busy[p][b].add(acc.busy_bins[b] / secs);
                self.waiting[p][b].add(acc.wait_bins[b] / secs);
            }
        }
    }

    /// The per-interval figures of one replication.
    fn add_intervals(&mut self, r: &RepResult) {
        let n = self.n_intervals;
        let bins_per = (self.settings.interval / engine::BIN).round().max(1.0) as usize;
        for (p, acc) in r.pools.iter().enumerate() {
            for i in 0..n {
                let a = r.intervals[p * n + i];
                let q = a.queued as f64;
                let (mut busy, mut seats) = (0.0, 0.0);
                for b in (i * bins_per..((i + 1) * bins_per).min(r.bin_time.len())).filter(|&b| r.bin_time[b] > 0.0) {
                    busy += acc.busy_bins[b];
                    seats += self.bin_seats[p][b] * r.bin_time[b];
                }
                let secs: f64 = (i * bins_per..((i + 1) * bins_per).min(r.bin_time.len()))
                    .map(|b| r.bin_time[b])
                    .sum();
                let w = &mut self.interval_stats[p * n + i];
                w.entry("queued_calls").or_default().add(q);
                w.entry("queue_arrival_rate_per_h")
                    .or_default()
                    .add(ratio(q * 3600.0, secs));
                w.entry("service_level").or_default().add(ratio(a.within_sl as f64, q));
                w.entry("p_abandon").or_default().add(ratio(a.abandoned as f64, q));
                w.entry("mean_wait_s").or_default().add(ratio(a.wait_sum, q));
                w.entry("occupancy").or_default().add(ratio(busy, seats));
            }
        }
    }

    pub(super) fn finish(mut self, h: &Hotline, o: &SimOptions) -> SimReport {
        let mut metrics = IndexMap::new();
        let mut partial = Vec::new();
        let mut queues: IndexMap<String, IndexMap<String, Estimate>> =
            self.names_q.iter().map(|n| (n.clone(), IndexMap::new())).collect();
        let mut segments: IndexMap<String, IndexMap<String, Estimate>> =
            self.names_seg.iter().map(|n| (n.clone(), IndexMap::new())).collect();
        let mut channels: IndexMap<String, IndexMap<String, Estimate>> = if self.online {
            Channel::ALL
                .iter()
                .map(|c| (c.name().to_string(), IndexMap::new()))
                .collect()
        } else {
            IndexMap::new()
        };
        for ((scope, i, key), w) in &self.welford {
            let Some(mut e) = w.estimate() else { continue };
            // Every metric is a share (0 to 1) or a non-negative quantity:
            // the mean and its interval are clipped to that range.
            let top = if super::metric::is_share(key) {
                1.0
            } else {
                f64::INFINITY
            };
            e.mean = e.mean.clamp(0.0, top);
            e.ci95 = [e.ci95[0].clamp(0.0, top), e.ci95[1].clamp(0.0, top)];
            if *scope == 0 && e.n < u64::from(o.replications) {
                partial.push(format!(
                    "{key} is undefined in {} of {} replications ({}): its figure rests on the other {}",
                    u64::from(o.replications) - e.n,
                    o.replications,
                    undefined_because(key),
                    e.n
                ));
            }
            match scope {
                0 => {
                    metrics.insert(key.clone(), e);
                }
                1 => {
                    queues[*i].insert(key.clone(), e);
                }
                3 => {
                    channels[*i].insert(key.clone(), e);
                }
                _ => {
                    segments[*i].insert(key.clone(), e);
                }
            }
        }
        let mut warnings = Vec::new();
        if self.callers == 0 {
            warnings.push(
                "no caller arrived in the measured period of any replication: every figure is undefined (is the arrival rate far too low, or the period too short?)"
                    .into(),
            );
        } else {
            warnings.extend(partial);
        }
        if self.unfinished > 0 {
            warnings.push(format!(
                "{} caller(s) were still in the system seven days after the last arrival and were left out",
                self.unfinished
            ));
        }
        if self.stuck > 0 {
            warnings.push(format!(
                "{} call(s) passed through more than {} menu nodes without leaving the menu (a loop with no way out?)",
                self.stuck,
                engine::MAX_STEPS
            ));
        }
        if self.call_limit > 0 {
            warnings.push(format!(
                "{} caller(s) called more than {} times (a call-back loop?) and were counted as giving up",
                self.call_limit,
                engine::MAX_CALLS
            ));
        }
        if o.replications < 2 {
            warnings.push("one replication gives no confidence interval: use --replications 2 or more".into());
        }
        let clock0 = self.settings.clock0;
        for (p, name) in self.pool_names.iter().enumerate() {
            let series = |ws: &[Welford]| {
                let mut s = Series::default();
                for (b, w) in ws.iter().enumerate() {
                    let t = self.settings.warmup + b as f64 * engine::BIN;
                    let e = w.estimate().unwrap_or(Estimate {
                        mean: 0.0,
                        ci95: [0.0, 0.0],
                        n: 0,
                    });
                    s.clock.push(clock0 + t);
                    s.mean.push(e.mean);
                    s.lo.push(e.ci95[0].max(0.0));
                    s.hi.push(e.ci95[1]);
                }
                s
            };
            let q = series(&self.waiting[p]);
            // Chat pools: each seat holds `concurrency` chats.
            let pool = &h.pools[p];
            let seats = q
                .clock
                .iter()
                .map(|&c| f64::from(pool.seats_at(c) * pool.concurrency))
                .collect();
            self.plots.seats.insert(name.clone(), seats);
            self.plots.queue_length.insert(name.clone(), q);
            self.plots.busy_seats.insert(name.clone(), series(&self.busy[p]));
        }
        self.plots.outcomes = Outcome::ALL
            .iter()
            .zip(self.outcomes)
            .map(|(o, n)| (o.name(), n))
            .collect();
        let mut intervals = Vec::new();
        for (p, pool) in self.pool_names.iter().enumerate() {
            for i in 0..self.n_intervals {
                let metrics = self.interval_stats[p * self.n_intervals + i]
                    .iter()
                    .filter_map(|(k, w)| {
                        let mut e = w.estimate()?;
                        let top = if super::metric::is_share(k) { 1.0 } else { f64::INFINITY };
                        e.mean = e.mean.clamp(0.0, top);
                        e.ci95 = [e.ci95[0].clamp(0.0, top), e.ci95[1].clamp(0.0, top)];
                        Some(((*k).to_string(), e))
                    })
                    .collect();
                intervals.push(IntervalReport {
                    pool: pool.clone(),
                    from: (self.settings.clock0 + self.settings.warmup + i as f64 * self.settings.interval)
                        .rem_euclid(86400.0),
                    length: self.settings.interval,
                    metrics,
                });
            }
        }
        let sim = &h.simulation;
        SimReport {
            hotline: h.name.clone(),
            replications: o.replications,
            seed: o.seed,
            callers: self.callers,
            calls: self.calls,
            settings: Settings {
                start: sim.start.to_string(),
                duration_s: sim.duration,
                warmup_s: sim.warmup,
                sl_target_s: o.sl_target,
            },
            metrics,
            queues,
            segments,
            channels,
            intervals,
            warnings,
            rows: self.rows,
            plots: self.plots,
        }
    }
}

/// Why a top-level metric can be undefined in a replication.
fn undefined_because(key: &str) -> &'static str {
    let per_caller = matches!(
        key,
        "calls_per_caller"
            | "p_deflected"
            | "p_switched_channel"
            | "channel_switches_per_caller"
            | "p_bounced_back_to_phone"
    ) || Outcome::ALL.iter().any(|o| o.key() == key);
    match key {
        "occupancy" => "no seat was staffed in the measured period",
        "mean_time_to_human_s" => "no caller reached a human",
        _ if per_caller => "no caller arrived",
        _ => "no call was queued",
    }
}

/// Metrics of queued calls.
fn queue_metrics(q: &QueueAcc, window: f64) -> Metrics {
    let n = q.queued as f64;
    let mut m = Metrics::new();
    m.insert("queued_calls".into(), n);
    m.insert("p_wait".into(), ratio(q.waited as f64, n));
    m.insert("mean_wait_s".into(), ratio(q.wait_sum, n));
    m.insert(
        "mean_wait_answered_s".into(),
        ratio(q.wait_answered_sum, q.answered as f64),
    );
    m.insert("p_abandon".into(), ratio(q.abandoned as f64, n));
    m.insert("p_disconnected".into(), ratio(q.forced as f64, n));
    m.insert("service_level".into(), ratio(q.within_sl as f64, n));
    m.insert("p_answered_within_180s".into(), ratio(q.within_180 as f64, n));
    m.insert(
        "p_busy_deflected".into(),
        ratio(q.deflected as f64, n + q.deflected as f64),
    );
    m.insert("p_callback".into(), ratio(q.callbacks as f64, n));
    m.insert("wait_p50_s".into(), q.wait_quantile(0.5));
    m.insert("wait_p90_s".into(), q.wait_quantile(0.9));
    m.insert("wait_p95_s".into(), q.wait_quantile(0.95));
    m.insert("queue_arrival_rate_per_h".into(), n / window * 3600.0);
    m
}

/// Metrics of one channel's customers.
fn channel_metrics(c: &ChannelAcc) -> Metrics {
    let n = c.customers as f64;
    let mut m = Metrics::new();
    m.insert("customers".into(), n);
    m.insert("contacts".into(), c.contacts as f64);
    m.insert("contacts_per_customer".into(), ratio(c.contacts as f64, n));
    for (o, count) in Outcome::ALL.iter().zip(c.outcomes) {
        m.insert(o.key().into(), ratio(count as f64, n));
    }
    m.insert(
        "mean_time_to_human_s".into(),
        ratio(c.time_to_human_sum, c.outcomes[0] as f64),
    );
    m
}

/// First-response metrics of a chat queue (shares of its queued chats).
fn chat_metrics(c: &ChatAcc, q: &QueueAcc) -> Metrics {
    let n = q.queued as f64;
    let mut m = Metrics::new();
    m.insert(
        "first_response_s".into(),
        ratio(c.first_response_sum, c.answered as f64),
    );
    for (within, secs) in c.within.iter().zip(super::stats::FIRST_RESPONSE_WITHIN) {
        m.insert(format!("p_first_response_within_{secs}s"), ratio(*within as f64, n));
    }
    m.insert("first_response_p50_s".into(), c.quantile(0.5));
    m.insert("first_response_p90_s".into(), c.quantile(0.9));
    m
}

/// Metrics of callers (journeys across call-backs and redials); with
/// `online`, also their channel switches.
fn caller_metrics(c: &CallerAcc, online: bool) -> Metrics {
    let n = c.callers as f64;
    let mut m = Metrics::new();
    m.insert("callers".into(), n);
    m.insert("calls".into(), c.calls as f64);
    m.insert("calls_per_caller".into(), ratio(c.calls as f64, n));
    for (o, count) in Outcome::ALL.iter().zip(c.outcomes) {
        m.insert(o.key().into(), ratio(count as f64, n));
    }
    m.insert("p_deflected".into(), ratio(c.deflected as f64, n));
    let reached = c.outcomes[0] as f64;
    m.insert("mean_time_to_human_s".into(), ratio(c.time_to_human_sum, reached));
    if online {
        m.insert("p_switched_channel".into(), ratio(c.switched as f64, n));
        m.insert("channel_switches_per_caller".into(), ratio(c.switches as f64, n));
        m.insert("p_bounced_back_to_phone".into(), ratio(c.bounced as f64, n));
    }
    m
}
