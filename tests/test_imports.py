"""Start-up promise: only the table imports rich; inline specs never import PyYAML.

Each case runs in a fresh interpreter (imports are per process), calls the CLI's
``main(argv)`` and then reports which of the watched modules ``sys.modules`` holds.
A command added later that reads a SPEC is covered too (``--format json``, and
``check`` when it exists), without editing this file.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from conftest import SPECS

from paramcalc.cli import all_commands

LSTM = str(SPECS / "lstm.yaml")
INLINE = "Input(shape=(3, 10000)) | LSTM(32) | Dense(1)"
WATCHED = ("rich", "yaml", "difflib")

PROBE = """
import contextlib, io, json, sys
from paramcalc.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "loaded": sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:]))}))
"""


def _loaded(argv: list[str]) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), *WATCHED],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(proc.stdout)
    return result["code"], set(result["loaded"])


SOLVABLE = "Input(shape=(3, 10000)) | LSTM(?) | Dense(1)"
EXTRA = {"solve": ["--max-params", "2M"], "check": ["--max-params", "2M"]}
"""What a command needs besides its specs to run to the end."""


def _spec_commands_with_json() -> list[list[str]]:
    """Every command reading SPECs, in JSON where it can print it (and ``check`` in its default text)."""
    cases = []
    for name, command in sorted(all_commands().items()):
        specs = [p for p in command.params if isinstance(p, click.Argument) and (p.name or "").startswith("spec")]
        if not specs:
            continue
        argv = [name, *([SOLVABLE] if name == "solve" else [LSTM] * len(specs)), *EXTRA.get(name, [])]
        fmt = next((p for p in command.params if isinstance(p, click.Option) and "--format" in p.opts), None)
        if "json" in getattr(getattr(fmt, "type", None), "choices", ()):
            cases.append([*argv, "--format", "json"])
        if name == "check":
            cases.append(argv)
    return cases


@pytest.mark.parametrize("argv", _spec_commands_with_json(), ids=" ".join)
def test_json_and_check_never_import_rich(argv: list[str]) -> None:
    code, loaded = _loaded(argv)
    assert code in (0, 1), f"{argv} exited {code}"  # check may report a budget violation
    assert "rich" not in loaded
    assert "difflib" not in loaded  # did-you-mean hints import it on the error path only


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", LSTM, "--format", "markdown"],
        ["explain", "lstm", "32", "--input", "10000"],
        ["explain", "lstm", "32", "--input", "10000", "--format", "latex"],
        ["layers"],
        ["summary", "Input(shape=(3,)) | Dence(1)"],  # an error, with its did-you-mean
    ],
    ids=" ".join,
)
def test_commands_without_a_table_never_import_rich(argv: list[str]) -> None:
    _, loaded = _loaded(argv)
    assert "rich" not in loaded


def test_inline_spec_never_imports_yaml() -> None:
    code, loaded = _loaded(["summary", INLINE, "--format", "json"])
    assert code == 0
    assert not loaded & {"rich", "yaml"}


def test_the_table_is_what_imports_rich() -> None:
    """The probe itself works: the default table format does load rich."""
    code, loaded = _loaded(["summary", LSTM])
    assert code == 0
    assert "rich" in loaded
