"""Shared fixtures: the repository's menus and the hotline command to
compare with (HOTLINE_BIN, else the one cargo built)."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _binary() -> pathlib.Path:
    given = os.environ.get("HOTLINE_BIN")
    if given:
        return pathlib.Path(given).resolve()
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "hotline"
        if p.exists():
            return p
    pytest.skip("no hotline binary: run cargo build first or set HOTLINE_BIN")


@pytest.fixture
def menus() -> pathlib.Path:
    return ROOT / "menus"


@pytest.fixture
def cli():
    """Runs the hotline command and returns its standard output."""
    binary = _binary()

    def run(*args: str) -> str:
        out = subprocess.run([str(binary), *args], capture_output=True, text=True, check=True)
        return out.stdout

    return run
