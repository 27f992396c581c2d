"""The Erlang-A reference queue (λ = 9.5/min, μ = 1/min, c = 10, patience
exp(mean = 2 min)) in hotline and in SimPy, side by side: the same model,
the figures with their theory, and how many callers each simulates a
second on one thread.

    pip install ./python simpy
    python python/examples/erlang_a_simpy.py [--hours 100]
"""

import argparse
import math
import random
import time


LAM, MU, C, THETA = 9.5, 1.0, 10, 0.5  # per minute

REFERENCE = f"""hotline: Erlang-A reference
entry: q
nodes:
  q: {{ kind: queue, pool: desk }}
agents:
  desk: {{ seats: {C}, handle_time: exp(mean=1m) }}
callers:
  arrivals: {LAM}/m
  patience: exp(mean=2m)
simulation: {{ start: "00:00", duration: 100h, warmup: 2h, replications: 30, seed: 1 }}
"""


def erlang_a(lam: float, mu: float, c: int, theta: float, states: int = 400):
    """P(abandon) and the mean wait of M/M/c+M from its birth-death chain."""
    p = [1.0]
    for n in range(1, states):
        death = min(n, c) * mu + max(n - c, 0) * theta
        p.append(p[-1] * lam / death)
    total = sum(p)
    p = [x / total for x in p]
    queue = sum(max(n - c, 0) * x for n, x in enumerate(p))
    return theta * queue / lam, queue / lam  # abandonment rate / λ, Little


def simpy_run(hours: float, warmup_h: float, seed: int):
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=C)
    stats = {"callers": 0, "counted": 0, "abandoned": 0, "wait": 0.0}
    warmup = warmup_h * 60

    def caller(env):
        arrived = env.now
        patience = rng.expovariate(THETA)
        with desk.request() as req:
            got = yield req | env.timeout(patience)
            waited = env.now - arrived
            if arrived >= warmup:
                stats["counted"] += 1
                stats["wait"] += waited
            if req not in got:
                if arrived >= warmup:
                    stats["abandoned"] += 1
                return
            yield env.timeout(rng.expovariate(MU))

    def arrivals(env):
        while True:
            yield env.timeout(rng.expovariate(LAM))
            stats["callers"] += 1
            env.process(caller(env))

    env.process(arrivals(env))
    env.run(until=(warmup_h + hours) * 60)
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=100.0, help="measured hours per run (default 100)")
    ap.add_argument("--replications", type=int, default=10, help="hotline replications (default 10)")
    a = ap.parse_args()
    import hotline  # here, so that benches/peers.py can use this file's models without it

    p_ab, wait = erlang_a(LAM, MU, C, THETA)
    print(f"Erlang A (exact):  P(abandon) = {p_ab:.4f}   mean wait = {wait * 60:.2f} s")

    menu = hotline.load(REFERENCE, name="erlang-a-reference.yaml")
    menu = menu.with_values({"simulation.duration": f"{a.hours}h"})
    t0 = time.perf_counter()
    r = menu.simulate(replications=a.replications, seed=1, threads=1).to_dict()
    secs = time.perf_counter() - t0
    hotline_rate = r["callers"] / secs
    m = r["metrics"]
    print(
        f"hotline ({a.replications} × {a.hours:g} h): P(abandon) = {m['p_abandon']['mean']:.4f} "
        f"[{m['p_abandon']['ci95'][0]:.4f}, {m['p_abandon']['ci95'][1]:.4f}]   "
        f"mean wait = {m['mean_wait_s']['mean']:.2f} s   "
        f"{r['callers']:,} callers in {secs:.2f} s = {r['callers'] / secs:,.0f} callers/s"
    )

    try:
        import simpy  # noqa: F401
    except ImportError:
        print("SimPy: not installed (pip install simpy)")
        return
    t0 = time.perf_counter()
    s = simpy_run(a.hours, 2.0, seed=1)
    secs = time.perf_counter() - t0
    print(
        f"SimPy   (1 × {a.hours:g} h):  P(abandon) = {s['abandoned'] / s['counted']:.4f}   "
        f"mean wait = {s['wait'] / s['counted'] * 60:.2f} s   "
        f"{s['callers']:,} callers in {secs:.2f} s = {s['callers'] / secs:,.0f} callers/s"
    )
    print(f"hotline simulates {hotline_rate / (s['callers'] / secs):,.0f} times as many callers a second")


if __name__ == "__main__":
    main()
