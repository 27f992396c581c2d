"""The Python package against the command line and against queueing
theory."""

import json
import math
import os
import pathlib
import signal
import threading
import time

import pytest

import hotline
from hotline import _frames

ROOT = pathlib.Path(__file__).resolve().parents[2]

SINGLE = """hotline: Q
entry: q
nodes:
  q: { kind: queue, pool: desk }
agents:
  desk: { seats: 1, handle_time: exp(mean=3m) }
callers:
  arrivals: 200/h
simulation: { start: "08:00", duration: 8h, warmup: 1h, replications: 30 }
"""


# Loading ------------------------------------------------------------------


def test_load_from_path_str_and_pathlike(menus):
    by_str = hotline.load(str(menus / "bank.yaml"))
    by_path = hotline.load(menus / "bank.yaml")
    assert by_str.name == by_path.name == "Example Bank"
    assert by_str.path.endswith("bank.yaml")
    assert "welcome" in by_str.nodes
    assert by_str.pools == ["general", "sales"]


def test_load_from_text_with_a_name():
    m = hotline.load(SINGLE, name="single.yaml")
    assert m.name == "Q" and m.path == "single.yaml" and m.nodes == ["q"]
    assert m.source == SINGLE


def test_chinese_menu(menus):
    m = hotline.load(menus / "mobile_operator_zh.yaml")
    assert any("\u4e00" <= c <= "\u9fff" for c in m.name + "".join(m.nodes))
    a = m.analyze()
    assert a["reach_human"]["route"][-1] == "人工队列"
    assert a["reach_human"]["selections"] == 1


def test_errors_carry_every_diagnostic_with_positions(menus):
    # Cases from tests/cli.rs: file, code, line, column, node.
    cases = [
        ("unknown_target", "unknown-target", 16, 18, "main"),
        ("bad_duration", "bad-duration", 18, 14, "main"),
        ("chat_concurrency", "out-of-range", 22, 32, None),
        ("yaml_syntax", "yaml-syntax", 17, 10, None),
    ]
    for file, code, line, column, node in cases:
        path = menus / "bad" / f"{file}.yaml"
        with pytest.raises(hotline.MenuError) as info:
            hotline.load(path)
        errors = [d for d in info.value.diagnostics if d["severity"] == "error"]
        assert len(errors) == 1, errors
        d = errors[0]
        assert (d["code"], d["line"], d["column"], d["node"]) == (code, line, column, node)
        assert d["file"] == str(path)
        # The message shows the source line, like hotline check.
        assert str(path) in str(info.value) and code in str(info.value)


def test_menu_error_is_a_value_error_and_missing_files_are_os_errors(tmp_path):
    with pytest.raises(ValueError):
        hotline.load("hotline: x\nentry: nowhere\nnodes: {}\n")
    with pytest.raises(OSError):
        hotline.load(tmp_path / "missing.yaml")


def test_check_lists_warnings(menus, cli):
    m = hotline.load(menus / "ecommerce_chat.yaml")
    expected = json.loads(cli("check", str(menus / "ecommerce_chat.yaml"), "--format", "json"))
    diagnostics = expected["files"][0]["diagnostics"]
    got = m.check()
    assert [d["code"] for d in got] == [d["code"] for d in diagnostics]
    assert all(d["severity"] == "warning" for d in got)


# Analysis -----------------------------------------------------------------


def test_analysis_equals_the_command_line(menus, cli):
    for name in ("bank", "ecommerce_chat", "mobile_operator_zh"):
        path = str(menus / f"{name}.yaml")
        assert hotline.load(path).analyze() == json.loads(cli("analyze", path, "--format", "json"))


# Simulation ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["bank", "ecommerce_chat", "mobile_operator_zh"])
def test_simulation_json_equals_the_command_line(menus, cli, name):
    path = str(menus / f"{name}.yaml")
    expected = cli("simulate", path, "--format", "json", "--replications", "6", "--seed", "7", "--sl-target", "30")
    r = hotline.load(path).simulate(replications=6, seed=7, sl_target=30)
    assert r.to_json() == expected
    # Threads do not change the numbers.
    assert hotline.load(path).simulate(replications=6, seed=7, sl_target=30, threads=1).to_json() == expected


def test_frames(menus):
    pd = pytest.importorskip("pandas")
    r = hotline.load(menus / "bank.yaml").simulate(replications=5, seed=2)
    d = r.to_dict()
    m = r.metrics
    assert isinstance(m, pd.DataFrame)
    assert list(m.columns) == ["mean", "ci95_low", "ci95_high", "n"]
    assert list(m.index) == list(d["metrics"])
    assert m.loc["mean_wait_s", "mean"] == d["metrics"]["mean_wait_s"]["mean"]
    assert m.loc["mean_wait_s", "ci95_high"] == d["metrics"]["mean_wait_s"]["ci95"][1]
    q = r.queues
    assert q.index.names == ["queue", "metric"]
    assert set(q.index.get_level_values("queue")) == set(d["queues"])
    assert q.loc[("q_cards", "p_abandon"), "mean"] == d["queues"]["q_cards"]["p_abandon"]["mean"]
    reps = r.replications
    assert len(reps) == 5 and reps.index.name == "replication"
    # The metrics are the means of the replications' rows.
    assert math.isclose(reps["mean_wait_s"].mean(), m.loc["mean_wait_s", "mean"], rel_tol=1e-9)
    assert r.channels.empty
    assert not hotline.load(menus / "ecommerce_chat.yaml").simulate(replications=2).channels.empty


def test_without_pandas_results_are_plain(monkeypatch, menus):
    monkeypatch.setattr(_frames, "_pd", None)
    r = hotline.load(menus / "bank.yaml").simulate(replications=3, seed=2)
    assert isinstance(r.metrics, dict) and "mean_wait_s" in r.metrics
    assert isinstance(r.queues, dict)
    reps = r.replications
    assert isinstance(reps, dict) and len(reps["mean_wait_s"]) == 3


def test_bad_settings_are_value_errors(menus):
    m = hotline.load(menus / "bank.yaml")
    for kwargs in ({"replications": 0}, {"sl_target": -1.0}, {"threads": 5000}):
        with pytest.raises(ValueError):
            m.simulate(**kwargs)


def test_the_gil_is_released(menus):
    m = hotline.load(menus / "bank.yaml")
    done = threading.Event()
    ticks = 0

    def run():
        m.simulate(replications=400, seed=1, threads=1)
        done.set()

    t = threading.Thread(target=run)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    # With the GIL held for the whole run, this loop would not have turned.
    assert ticks > 20


def test_ctrl_c_interrupts_a_long_run(menus):
    m = hotline.load(menus / "bank.yaml")
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        m.simulate(replications=1_000_000, seed=1)
    assert time.monotonic() - start < 10


# What-if ------------------------------------------------------------------


def test_with_values_equals_the_edited_file(menus):
    m = hotline.load(SINGLE, name="single.yaml")
    more = m.with_values({"agents.desk.seats": 14, "simulation.replications": 4})
    edited = hotline.load(
        SINGLE.replace("seats: 1,", "seats: 14,").replace("replications: 30", "replications: 4"),
        name="single.yaml",
    )
    assert more.simulate(seed=3).to_json() == edited.simulate(seed=3).to_json()
    # The original is untouched and values chain.
    assert m.simulate(seed=3, replications=2).to_json() != more.simulate(seed=3, replications=2).to_json()
    again = more.with_values({"agents.desk.handle_time": "exp(mean=2m)"})
    assert again.simulate(seed=3).metrics["mean"]["occupancy"] < more.simulate(seed=3).metrics["mean"]["occupancy"]


def test_with_values_in_a_loop_follows_erlang_c():
    m = hotline.load(SINGLE).with_values({"simulation.replications": 20})
    for seats in (11, 13, 16):
        r = m.with_values({"agents.desk.seats": seats}).simulate(seed=1).to_dict()
        est = r["metrics"]["p_wait"]
        theory = erlang_c_p_wait(200 / 3600, 1 / 180, seats)
        assert est["ci95"][0] - 0.02 <= theory <= est["ci95"][1] + 0.02, (seats, est, theory)


def test_with_values_errors():
    m = hotline.load(SINGLE, name="single.yaml")
    with pytest.raises(ValueError, match="did you mean"):
        m.with_values({"agents.desc.seats": 3})
    with pytest.raises(hotline.MenuError) as info:
        m.with_values({"agents.desk.seats": "many"})
    assert info.value.diagnostics[0]["file"] == "single.yaml"
    # The position of the value that was set: the key it replaced.
    assert (info.value.diagnostics[0]["line"], info.value.diagnostics[0]["node"]) == (6, None)


# Staffing and sweeps -------------------------------------------------------


def erlang_c_p_wait(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    if a >= c:
        return 1.0
    term, total = 1.0, 0.0
    for k in range(c):
        if k:
            term *= a / k
        total += term
    top = term * a / c / (1 - a / c)
    return top / (total + top)


def erlang_c_service_level(lam: float, mu: float, c: int, t: float) -> float:
    return 1 - erlang_c_p_wait(lam, mu, c) * math.exp(-(c * mu - lam) * t)


def test_staff_finds_the_erlang_c_minimum(cli, tmp_path):
    lam, mu = 200 / 3600, 1 / 180
    expected = next(c for c in range(1, 100) if c * mu > lam and erlang_c_service_level(lam, mu, c, 20) >= 0.8)
    assert expected == 14
    s = hotline.load(SINGLE).staff(["service_level(20s) >= 80%"], seed=5)
    plan = s.to_dict()["plan"]
    assert [row["seats"] for row in plan] == [expected]
    path = tmp_path / "single.yaml"
    path.write_text(SINGLE)
    out = cli("staff", str(path), "--target", "service_level(20s) >= 80%", "--seed", "5", "--format", "json")
    assert json.loads(s.to_json()) == json.loads(out)
    frame = s.plan
    if _frames._pd is not None:
        assert frame.loc[0, "seats"] == expected and frame.loc[0, "pool"] == "desk"


def test_staff_bad_targets():
    with pytest.raises(ValueError, match="service_level"):
        hotline.load(SINGLE).staff(["service_levle(20s) >= 80%"])


def test_sweep_equals_the_command_line(menus, cli):
    path = str(menus / "bank.yaml")
    s = hotline.load(path).sweep({"agents.general.seats": "5..7", "nodes.q_general.max_wait": ["2m", "5m"]},
                                 replications=3, seed=1)
    out = cli("sweep", path, "--set", "agents.general.seats=5..7", "--set", "nodes.q_general.max_wait=2m,5m",
              "--replications", "3", "--seed", "1", "--format", "json")
    assert s.to_json() == out
    points = s.points
    n = len(s.to_dict()["points"][0]["metrics"])
    assert len(points) == 6 * n


# Vendor flows ---------------------------------------------------------------


def test_vendor_flows_with_an_overlay(tmp_path, cli):
    flow = ROOT / "tests" / "data" / "flows" / "twilio_ivr.json"
    m = hotline.load(flow)
    assert m.name == "Acme IVR" and "main_menu" in m.nodes
    assert any(d["code"] == "vendor-wrong-input" for d in m.check())
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("callers:\n  arrivals: 40/h\nsimulation: { replications: 3 }\n")
    with_callers = hotline.load(flow, overlay=overlay)
    expected = cli("simulate", str(flow), "--with", str(overlay), "--format", "json", "--seed", "2")
    assert with_callers.simulate(seed=2).to_json() == expected
    # What-if on the imported menu: more sales agents, shorter waits.
    more = with_callers.with_values({"agents.sales.seats": 9})
    assert more.simulate(seed=2).to_dict()["queues"]["to_sales"]["mean_wait_s"]["mean"] <= \
        with_callers.simulate(seed=2).to_dict()["queues"]["to_sales"]["mean_wait_s"]["mean"]


def test_fit_matches_the_command_and_gives_frames(cli):
    records = str(ROOT / "tests" / "records" / "calls.csv")
    f = hotline.fit([records])
    assert json.loads(f.to_json()) == json.loads(cli("fit", records, "--format", "json"))
    q = f.queues
    assert list(q.index) == ["desk"] and q.loc["desk", "answered"] == 3
    assert f.arrivals["rate_per_h"].max() > 0
    assert "handle_time" in f.overlay()


def test_backtest_of_a_fitted_overlay(cli, tmp_path):
    log = tmp_path / "calls.csv"
    menu = str(ROOT / "tests" / "fit" / "known.yaml")
    cli("simulate", menu, "--log", str(log), "-q", "--replications", "10")
    f = hotline.fit([log], mapping={"desk": "desk"})
    overlay = tmp_path / "fitted.yaml"
    overlay.write_text(f.overlay())
    b = hotline.load(menu, overlay=overlay).backtest([log], replications=30)
    assert b.inside_share >= 0.8
    assert set(b.intervals["metric"]) >= {"p_abandon", "service_level"}


def test_fit_seats_and_key_shares(cli, tmp_path):
    agents = str(ROOT / "tests" / "records" / "agents.queue_log")
    seats = hotline.fit([agents]).seats
    assert list(seats["seats"]) == [1.5, pytest.approx(2 / 3)]
    menu_path = str(ROOT / "menus" / "bank.yaml")
    log = tmp_path / "bank.csv"
    cli("simulate", menu_path, "--log", str(log), "-q", "--replications", "5")
    f = hotline.fit([log], menu=hotline.load(menu_path))
    assert json.loads(f.to_json()) == json.loads(cli("fit", str(log), "--menu", menu_path, "--format", "json"))
    main = f.shares[f.shares["node"] == "main"].set_index("key")
    assert abs(main.loc["1", "share"] - 0.35) < 0.03
