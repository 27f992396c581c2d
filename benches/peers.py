"""The Erlang-A reference of `hotline bench` (λ = 9.5/min, μ = 1/min, c = 10,
patience exp(mean = 2 min)) in SimPy and in Ciw, on one thread, for the
performance table in docs/performance.md.

    pip install simpy ciw
    python benches/peers.py [--hours 100] [--runs 3]

Prints, per simulator, P(abandon), the mean wait (seconds, callers who
arrived after the warm-up of 2 h) and callers simulated per second (best of
`--runs`), beside the exact Erlang A figures. `benches/peers` runs this and
`hotline bench` in one sitting and prints the ratios.
"""

import argparse
import pathlib
import sys
import time

# The exact Erlang A figures and the SimPy model are the example's
# (python/examples/erlang_a_simpy.py), written once.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "python" / "examples"))
import erlang_a_simpy as example  # noqa: E402

LAM, MU, C, THETA = example.LAM, example.MU, example.C, example.THETA  # per minute
WARMUP_H = 2.0


def erlang_a():
    """P(abandon) and the mean wait (minutes) of M/M/c+M from its birth-death chain."""
    return example.erlang_a(LAM, MU, C, THETA)


def simpy_run(hours: float, seed: int):
    """The example's SimPy model: (callers, P(abandon), mean wait in minutes)."""
    s = example.simpy_run(hours, WARMUP_H, seed)
    return s["callers"], s["abandoned"] / s["counted"], s["wait"] / s["counted"]


def ciw_run(hours: float, seed: int):
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
        service_distributions=[ciw.dists.Exponential(rate=MU)],
        number_of_servers=[C],
        reneging_time_distributions=[ciw.dists.Exponential(rate=THETA)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time((WARMUP_H + hours) * 60)
    records = sim.get_all_records()
    warmup = WARMUP_H * 60
    counted = [r for r in records if r.arrival_date >= warmup]
    abandoned = sum(1 for r in counted if r.record_type == "renege")
    wait = sum(r.waiting_time for r in counted)
    # Customers still in the system at the end have no record: count the
    # arrivals as SimPy does, from the records and those left.
    callers = len(records) + sum(len(n.all_individuals) for n in sim.transitive_nodes)
    return callers, abandoned / len(counted), wait / len(counted)


def best(run, hours: float, runs: int):
    rates, result = [], None
    for k in range(runs):
        t0 = time.perf_counter()
        result = run(hours, seed=k + 1)
        rates.append(result[0] / (time.perf_counter() - t0))
    return result, max(rates)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=100.0, help="measured hours per run (default 100)")
    ap.add_argument("--runs", type=int, default=3, help="runs per simulator, the best rate kept (default 3)")
    a = ap.parse_args()
    p_ab, wait = erlang_a()
    print(f"Erlang A (exact): P(abandon) {p_ab:.4f}, mean wait {wait * 60:.2f} s")
    for name, run in (("SimPy", simpy_run), ("Ciw", ciw_run)):
        try:
            (callers, p, w), rate = best(run, a.hours, a.runs)
        except ImportError:
            print(f"{name}: not installed (pip install {name.lower()})")
            continue
        print(
            f"{name}: P(abandon) {p:.4f}, mean wait {w * 60:.2f} s, "
            f"{callers:,} callers a run, best {rate:,.0f} callers/s"
        )


if __name__ == "__main__":
    main()
