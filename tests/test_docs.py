"""Every command is documented: the README shows each one in use and `--help` explains it."""

from __future__ import annotations

import pytest
from conftest import ROOT, RunCli

from paramcalc.cli import all_commands

COMMANDS = sorted(all_commands())
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_cli_has_the_documented_commands() -> None:
    assert {"summary", "explain", "layers", "check", "diff", "solve", "memory"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_shows_every_command(command: str) -> None:
    assert f"paramcalc {command}" in README


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(run_cli: RunCli, command: str) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    assert result.out.startswith(f"Usage: paramcalc {command}")
    assert len(result.out.splitlines()) > 4
