//! Simulation speed: `cargo bench --bench simulation`. One thread, so the
//! figures are callers per second on one core (criterion reports time per
//! run; the callers per run are printed first).

use criterion::{Criterion, criterion_group, criterion_main};
use hotline::input::{load, load_str};
use hotline::menu::LoadOptions;
use hotline::sim::{SimOptions, simulate};

const REFERENCE: &str = "hotline: Erlang-A reference\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
agents:\n  desk: { seats: 10, handle_time: exp(mean=1m) }\n\
callers:\n  arrivals: 9.5/m\n  patience: exp(mean=2m)\n\
simulation: { start: \"00:00\", duration: 100h, warmup: 2h, replications: 30, seed: 1 }\n";

fn bench(c: &mut Criterion) {
    let reference = load_str(REFERENCE, "reference", &LoadOptions::default())
        .hotline
        .expect("valid");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml");
    let bank = load(&path, &LoadOptions::default())
        .expect("readable")
        .hotline
        .expect("valid");
    let mut g = c.benchmark_group("simulation");
    g.sample_size(10);
    for (name, h, reps) in [("erlang-a reference", &reference, 30), ("bank menu", &bank, 300)] {
        let mut o = SimOptions::from_menu(h);
        o.threads = 1;
        o.replications = reps;
        let callers = simulate(h, &o, &|_, _, _| {}).expect("runs").callers;
        eprintln!("{name}: {callers} callers per run");
        g.throughput(criterion::Throughput::Elements(callers));
        g.bench_function(name, |b| b.iter(|| simulate(h, &o, &|_, _, _| {}).expect("runs")));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
