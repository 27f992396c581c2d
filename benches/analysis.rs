//! Analysis of a generated menu of 100,000 nodes, and the language
//! server's work after a change to one of 10,000: `cargo bench --bench analysis`.

use criterion::{Criterion, criterion_group, criterion_main};
use hotline::analysis::{analyze, rules::RuleSet};
use hotline::input::load_str;
use hotline::menu::LoadOptions;

/// A menu tree: every menu has four sub-menus, "0" to a queue one level in
/// four, and "*" back to the top, so the whole tree is one large cycle.
fn generated_menu(nodes: usize) -> String {
    let mut s = String::from("hotline: Generated\nentry: m0\nnodes:\n");
    let menus = nodes - 2;
    for i in 0..menus {
        s.push_str(&format!(
            "  m{i}:\n    kind: menu\n    duration: 5s\n    no_input: 0.02\n    on_fail: bye\n    options:\n"
        ));
        let mut given = 0.0;
        for k in 1..=4 {
            let child = 4 * i + k;
            if child < menus {
                s.push_str(&format!("      \"{k}\": {{ to: m{child}, share: 0.2 }}\n"));
                given += 0.2;
            }
        }
        if i % 4 == 0 {
            s.push_str("      \"0\": { to: q, share: 0.1 }\n");
            given += 0.1;
        }
        s.push_str(&format!("      \"*\": {{ to: m0, share: {} }}\n", 1.0 - given));
    }
    s.push_str("  q: { kind: queue, pool: desk }\n  bye: { kind: hangup }\nagents:\n  desk: { seats: 5, handle_time: exp(mean=3m) }\n");
    s
}

fn bench(c: &mut Criterion) {
    let text = generated_menu(100_000);
    // The generated file is larger than the default limits allow.
    let mut options = LoadOptions::default();
    options.limits.max_bytes = 256 << 20;
    options.limits.max_yaml_nodes = 50_000_000;
    let loaded = load_str(&text, "generated.yaml", &options);
    assert!(!loaded.has_errors(), "{}", loaded.render());
    let h = loaded.hotline.expect("the generated menu is valid");
    let rules = RuleSet::default();
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10);
    g.bench_function("analyze 100k nodes", |b| b.iter(|| analyze(&h, &rules)));
    g.bench_function("load 100k nodes", |b| {
        b.iter(|| load_str(&text, "generated.yaml", &options))
    });
    // What `hotline lsp` does after a change to a 10,000-node menu (the
    // default limits, as the editor's server has them): diagnostics with
    // the rule findings and the names, from the text.
    let ten = generated_menu(10_000);
    let state = hotline::designer::lsp::doc::analyse("generated.yaml", &ten);
    assert!(state.hotline.is_some(), "{:?}", state.diagnostics.first());
    g.bench_function("lsp analyse 10k nodes", |b| {
        b.iter(|| hotline::designer::lsp::doc::analyse("generated.yaml", &ten))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
