//! Table-driven diagnostics: each broken snippet gives its code at its line
//! and column (the codes not already covered by `menus/bad/`).

use hotline::input::load_str;
use hotline::menu::LoadOptions;

const BASE: &str = "hotline: T\nentry: main\nnodes:\n  main:\n    kind: menu\n    options:\n      \"0\": { to: q }\n  q:\n    kind: queue\n    pool: desk\nagents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 60/h\n";

/// (what, replace this, with this, code, line, column)
const CASES: &[(&str, &str, &str, &str, u32, u32)] = &[
    (
        "empty node id",
        "  q:\n",
        "  \"\": { kind: hangup }\n  q:\n",
        "bad-node-id",
        8,
        3,
    ),
    (
        "no options",
        "    options:\n      \"0\": { to: q }\n",
        "    options: {}\n",
        "no-options",
        4,
        3,
    ),
    (
        "empty branch case",
        "  q:\n",
        "  b:\n    kind: branch\n    cases:\n      - { if: {}, to: q }\n    else: q\n  q:\n",
        "empty-condition",
        11,
        15,
    ),
    (
        "shifts out of order",
        "exp(mean=3m) }\n",
        "exp(mean=3m), schedule: [ { from: \"10:00\", seats: 2 }, { from: \"09:00\", seats: 1 } ] }\n",
        "schedule-order",
        12,
        97,
    ),
    (
        "profile all zero",
        "arrivals: 60/h",
        "arrivals: [ { from: \"00:00\", rate: 0/h } ]",
        "no-arrivals",
        14,
        13,
    ),
    (
        "on_max_wait alone",
        "    pool: desk\n",
        "    pool: desk\n    on_max_wait: main\n",
        "on-max-wait-unused",
        11,
        18,
    ),
    (
        "bad clock",
        "arrivals: 60/h",
        "arrivals: [ { from: \"7am\", rate: 60/h } ]",
        "bad-clock",
        14,
        23,
    ),
    (
        "unknown enum value",
        "    kind: queue\n",
        "    kind: queue\n    announce_wait: maybe\n",
        "wrong-type",
        10,
        20,
    ),
    (
        "insist on a key",
        "\"0\": { to: q }",
        "\"0\": { to: q, insist: 2 }",
        "invalid-value",
        7,
        29,
    ),
    (
        "priority out of range",
        "    pool: desk\n",
        "    pool: desk\n    priority: 5000\n",
        "out-of-range",
        11,
        15,
    ),
    (
        "shares above 1 leave nothing",
        "\"0\": { to: q }",
        "\"0\": { to: q }\n      \"1\": { to: q, share: 1.5 }",
        "bad-share",
        8,
        28,
    ),
    (
        "replications zero",
        "arrivals: 60/h\n",
        "arrivals: 60/h\nsimulation: { replications: 0 }\n",
        "out-of-range",
        15,
        29,
    ),
    (
        "kind written as a list",
        "    kind: menu\n",
        "    kind: [menu]\n",
        "unknown-kind",
        5,
        11,
    ),
    (
        "node is text",
        "  q:\n    kind: queue\n    pool: desk\n",
        "  q: just text\n",
        "wrong-type",
        8,
        6,
    ),
];

#[test]
fn each_snippet_gives_its_diagnostic() {
    assert!(!load_str(BASE, "t.yaml", &LoadOptions::default()).has_errors());
    for &(what, from, to, code, line, column) in CASES {
        assert!(BASE.contains(from), "{what}: snippet not in base");
        let text = BASE.replacen(from, to, 1);
        let loaded = load_str(&text, "t.yaml", &LoadOptions::default());
        let Some(d) = loaded.diagnostics.iter().find(|d| d.code == code) else {
            panic!("{what}: no {code} in\n{}", loaded.render());
        };
        assert_eq!(
            (d.line, d.column),
            (Some(line), Some(column)),
            "{what}: {}",
            loaded.render()
        );
    }
}

#[test]
fn too_many_nodes_is_refused_with_its_limit() {
    let options = LoadOptions {
        max_nodes: 1,
        ..LoadOptions::default()
    };
    let loaded = load_str(BASE, "t.yaml", &options);
    let d = &loaded.diagnostics[0];
    assert_eq!(d.code, "too-many-nodes");
    assert!(d.message.contains("--max-nodes"));
}
