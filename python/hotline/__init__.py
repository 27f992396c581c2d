"""hotline from Python: load, check, analyze, simulate, staff and sweep
phone hotline menus (IVR).

The work is done by the Rust library the ``hotline`` command is built on;
results are the same numbers the command prints for the same seed.

>>> import hotline
>>> menu = hotline.load("menus/bank.yaml")
>>> result = menu.simulate(replications=20, seed=1)
>>> result.metrics.loc["mean_wait_s", "mean"]          # doctest: +SKIP
>>> bigger = menu.with_values({"agents.general.seats": 14})  # doctest: +SKIP
"""

from ._hotline import Backtest, Fit, Menu, MenuError, Result, Staffing, Sweep, fit, load, version

__all__ = ["Backtest", "Fit", "Menu", "MenuError", "Result", "Staffing", "Sweep", "fit", "load", "version"]
__version__ = version()
