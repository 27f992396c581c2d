"""Type stubs of the extension module (see ``hotline/__init__.py``)."""

from os import PathLike
from typing import Any, Mapping, Sequence, Union

class MenuError(ValueError):
    """A menu with errors. ``diagnostics``: one dict per problem with
    ``severity``, ``code``, ``message``, ``file``, ``line``, ``column`` and
    ``node`` (``None`` when unknown). ``str()`` shows them with source lines."""

    diagnostics: list[dict[str, Any]]

Value = Union[int, float, bool, str]

class Result:
    """The result of ``Menu.simulate``."""

    @property
    def metrics(self) -> Any:
        """DataFrame (index ``metric``; ``mean``, ``ci95_low``, ``ci95_high``,
        ``n``) with pandas, else ``{metric: {"mean", "ci95", "n"}}``."""
    @property
    def queues(self) -> Any:
        """Per queue: DataFrame indexed by (``queue``, ``metric``), else a dict."""
    @property
    def segments(self) -> Any:
        """Per caller segment, like ``queues``."""
    @property
    def channels(self) -> Any:
        """Per channel (``phone``, ``online``), like ``queues``."""
    @property
    def replications(self) -> Any:
        """One row per replication (first 10,000): DataFrame, else dict of lists."""
    @property
    def warnings(self) -> list[str]:
        """Things to know about the run."""
    def to_dict(self) -> dict[str, Any]:
        """Everything, with the structure of the JSON."""
    def to_json(self) -> str:
        """Exactly what ``hotline simulate --format json`` prints."""

class Staffing:
    """The result of ``Menu.staff``."""

    @property
    def plan(self) -> Any:
        """One row per pool and interval: DataFrame, else a list of dicts."""
    def to_dict(self) -> dict[str, Any]:
        """Everything, with the structure of the JSON."""
    def to_json(self) -> str:
        """Exactly what ``hotline staff --format json`` prints."""

class Sweep:
    """The result of ``Menu.sweep``."""

    @property
    def points(self) -> Any:
        """One row per point and metric: DataFrame, else a list of dicts."""
    def to_dict(self) -> dict[str, Any]:
        """Everything, with the structure of the JSON."""
    def to_json(self) -> str:
        """Exactly what ``hotline sweep --format json`` prints."""

class Menu:
    """A loaded, valid hotline menu."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def nodes(self) -> list[str]: ...
    @property
    def pools(self) -> list[str]: ...
    def check(self) -> list[dict[str, Any]]:
        """The warnings of loading (errors raise ``MenuError`` at load)."""
    def analyze(self) -> dict[str, Any]:
        """``hotline analyze --format json`` as a dict."""
    def simulate(
        self,
        *,
        replications: int | None = None,
        seed: int | None = None,
        threads: int = 0,
        sl_target: float = 20.0,
    ) -> Result:
        """``hotline simulate``; releases the GIL; Ctrl-C raises KeyboardInterrupt."""
    def with_values(self, values: Mapping[str, Value]) -> Menu:
        """A copy with values set by path (``{"agents.desk.seats": 14}``);
        raises ``MenuError`` when the result is not valid."""
    def staff(
        self,
        targets: Sequence[str] | None = None,
        *,
        interval: str = "30m",
        confidence: float = 0.95,
        shrinkage: float = 0.0,
        replications: int | None = None,
        seed: int | None = None,
        threads: int = 0,
    ) -> Staffing:
        """``hotline staff``: the fewest seats per pool and interval."""
    def sweep(
        self,
        grid: Mapping[str, Union[str, Sequence[Value]]],
        *,
        replications: int | None = None,
        seed: int | None = None,
        threads: int = 0,
        sl_target: float = 20.0,
    ) -> Sweep:
        """``hotline sweep``: every combination, the last path fastest."""
    def backtest(
        self,
        records: Sequence[Union[str, PathLike[str]]],
        *,
        interval: str = "30m",
        replications: int | None = None,
        seed: int | None = None,
        threads: int = 0,
        sl_target: float = 20.0,
    ) -> Backtest:
        """``hotline backtest``: the menu against the records, interval by interval."""

class Fit:
    """The result of ``hotline.fit``."""

    @property
    def arrivals(self) -> Any:
        """The day profile, one row per interval: DataFrame, else a list of dicts."""
    @property
    def queues(self) -> Any:
        """One row per queue (handle time, patience, the naive patience)."""
    @property
    def seats(self) -> Any:
        """Seats logged in per queue and interval (queue_log member events)."""
    @property
    def shares(self) -> Any:
        """Key shares from the records' paths walked on ``menu``."""
    @property
    def rate_variation(self) -> float:
        """Day-to-day variation of the arrival rates beyond Poisson."""
    @property
    def warnings(self) -> list[str]: ...
    def overlay(self) -> str:
        """The estimates as an overlay in the menu's syntax."""
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str:
        """Exactly what ``hotline fit --format json`` prints."""

class Backtest:
    """The result of ``Menu.backtest``."""

    @property
    def intervals(self) -> Any:
        """One row per interval and metric: DataFrame, else a list of dicts."""
    @property
    def inside_share(self) -> float: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str:
        """Exactly what ``hotline backtest --format json`` prints."""

def fit(
    records: Sequence[Union[str, PathLike[str]]],
    *,
    interval: str = "30m",
    mapping: Mapping[str, str] | None = None,
    menu: Menu | None = None,
) -> Fit:
    """``hotline fit``: a caller model from call records; with ``menu``, the
    records' paths become key shares."""

def load(
    path_or_text: Union[str, PathLike[str]],
    *,
    name: str | None = None,
    overlay: Union[str, PathLike[str], None] = None,
) -> Menu:
    """A menu from a file, or from YAML text (a string with a line break or
    starting with ``{``); vendor flows (Amazon Connect, Twilio Studio,
    Genesys Archy YAML, VoiceXML) too. ``overlay``: a file in the menu's
    syntax laid over it (what ``--with`` does). Raises ``MenuError`` (with
    every diagnostic), ``OSError`` when a file cannot be read."""

def version() -> str:
    """The version of the Rust library inside."""
