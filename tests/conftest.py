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


# ---------------------------------------------------------------------------- snapshots
SNAPSHOTS = ROOT / "tests" / "snapshots"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite tests/snapshots/*.out from the current output instead of comparing",
    )


@dataclass
class Snapshot:
    """Compares a whole output with ``tests/snapshots/<test name>.out``, byte for byte."""

    path: Path
    update: bool

    def check(self, text: str) -> None:
        if self.update or not self.path.exists():
            if not self.update:
                pytest.fail(f"no snapshot {self.path.name}: run pytest --update-snapshots and review the file")
            self.path.write_bytes(text.encode("utf-8"))
            return
        expected = self.path.read_bytes().decode("utf-8")
        assert text == expected, f"output differs from {self.path.relative_to(ROOT)} (pytest --update-snapshots)"


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """The snapshot file named after the running test (parametrised ids included)."""
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")
    return Snapshot(SNAPSHOTS / f"{name}.out", bool(request.config.getoption("--update-snapshots")))


def render_cli(run: RunCli, *argv: str) -> str:
    """One command's whole output at the fixed width tests use (TERM=dumb, no COLUMNS):
    the exit status, stdout verbatim, and stderr when there is any."""
    result = run(*argv)
    text = f"$ paramcalc {' '.join(argv)}\n[exit {result.code}]\n{result.out}"
    if result.err:
        text += f"--- stderr ---\n{result.err}"
    return text
