"""Shared fixtures: run the CLI in-process and capture its streams."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from paramcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
GOLDEN = ROOT / "tests" / "golden"

os.environ["TERM"] = "dumb"
os.environ.pop("COLUMNS", None)

# Property tests: modest example counts keep the suite fast; no deadline, since a
# loaded CI machine makes single examples slow without anything being wrong.
settings.register_profile(
    "paramcalc", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("thorough", parent=settings.get_profile("paramcalc"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "paramcalc"))  # HYPOTHESIS_PROFILE=thorough to dig


@dataclass
class Result:
    code: int
    out: str
    err: str


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Call ``paramcalc`` in-process: ``run_cli("summary", "x.yaml")`` -> Result."""

    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
