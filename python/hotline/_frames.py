"""Results as pandas DataFrames when pandas is installed, else as the plain
dicts and lists they were made from. Called by the extension module."""

from __future__ import annotations

from typing import Any

try:  # pandas is optional
    import pandas as _pd
except ImportError:  # pragma: no cover - exercised without pandas
    _pd = None

_ESTIMATE = ["mean", "ci95_low", "ci95_high", "n"]


def _estimate_row(e: dict) -> list:
    low, high = e["ci95"]
    return [e["mean"], low, high, e["n"]]


def metrics(data: dict) -> Any:
    """``{metric: estimate}`` as a frame indexed by metric."""
    if _pd is None:
        return data
    rows = [_estimate_row(e) for e in data.values()]
    index = _pd.Index(list(data.keys()), name="metric")
    return _pd.DataFrame(rows, index=index, columns=_ESTIMATE)


def scoped(data: dict, scope: str) -> Any:
    """``{name: {metric: estimate}}`` as a frame indexed by (scope, metric)."""
    if _pd is None:
        return data
    keys = [(name, m) for name, ms in data.items() for m in ms]
    rows = [_estimate_row(e) for ms in data.values() for e in ms.values()]
    index = _pd.MultiIndex.from_tuples(keys, names=[scope, "metric"])
    return _pd.DataFrame(rows, index=index, columns=_ESTIMATE)


def replications(columns: dict) -> Any:
    """Columns of per-replication values as a frame (index: replication)."""
    if _pd is None:
        return columns
    df = _pd.DataFrame(columns)
    df.index.name = "replication"
    return df


def plan(rows: list) -> Any:
    """A staffing plan, one row per pool and interval; the achieved figures
    become columns ``achieved.METRIC``."""
    if _pd is None:
        return rows
    flat = []
    for r in rows:
        row = {k: v for k, v in r.items() if k not in ("achieved", "unmet")}
        for m, e in r.get("achieved", {}).items():
            row[f"achieved.{m}"] = e["mean"]
        row["unmet"] = ", ".join(r.get("unmet", []))
        flat.append(row)
    return _pd.DataFrame(flat)


def points(sweep: dict) -> Any:
    """A sweep as one row per point and top-level metric."""
    rows = []
    for p in sweep["points"]:
        for m, e in p["metrics"].items():
            row = dict(p["set"])
            row["metric"] = m
            row.update(zip(_ESTIMATE, _estimate_row(e)))
            rows.append(row)
    if _pd is None:
        return rows
    return _pd.DataFrame(rows, columns=[*sweep["swept"], "metric", *_ESTIMATE])


def profile(rows: list) -> Any:
    """A fitted day profile, one row per interval; the interval becomes
    ``ci95_low`` and ``ci95_high``."""
    flat = []
    for r in rows:
        row = {k: v for k, v in r.items() if k != "ci95"}
        row["ci95_low"], row["ci95_high"] = r["ci95"]
        flat.append(row)
    return flat if _pd is None else _pd.DataFrame(flat)


def fit_queues(queues: dict) -> Any:
    """Fitted queues, one row each."""
    flat = []
    for name, q in queues.items():
        h = q.get("handle_time") or {}
        p = q.get("patience") or {}
        flat.append(
            {
                "queue": name,
                "pool": q["pool"],
                "calls": q["calls"],
                "answered": q["answered"],
                "abandoned": q["abandoned"],
                "handle_time": h.get("fit"),
                "handle_mean_s": h.get("mean_s"),
                "patience": p.get("fit"),
                "patience_mean_s": p.get("mean_s"),
                "naive_patience_s": p.get("naive_mean_s"),
                "censored": p.get("censored"),
            }
        )
    return flat if _pd is None else _pd.DataFrame(flat).set_index("queue")


def fit_seats(seats: dict) -> Any:
    """Fitted seats, one row per queue and interval."""
    flat = [
        {"queue": name, "pool": q["pool"], "from": s["from"], "to": s["to"], "seats": s["seats"]}
        for name, q in seats.items()
        for s in q["profile"]
    ]
    return flat if _pd is None else _pd.DataFrame(flat, columns=["queue", "pool", "from", "to", "seats"])


def fit_shares(paths: Any) -> Any:
    """Key shares from the paths, one row per node and option."""
    flat = [
        {"node": n["node"], "key": o["key"], "to": o["to"], "count": o["count"], "share": o["share"]}
        for n in ((paths or {}).get("shares") or [])
        for o in n["options"]
    ]
    return flat if _pd is None else _pd.DataFrame(flat, columns=["node", "key", "to", "count", "share"])


def backtest(rows: list) -> Any:
    """Backtest comparisons, one row per interval and metric."""
    flat = []
    for r in rows:
        low, high = r["simulated"]["ci95"]
        flat.append(
            {
                "from": r["from"],
                "to": r["to"],
                "metric": r["metric"],
                "logged": r["logged"],
                "simulated": r["simulated"]["mean"],
                "ci95_low": low,
                "ci95_high": high,
                "inside": r["inside"],
            }
        )
    return flat if _pd is None else _pd.DataFrame(flat)
