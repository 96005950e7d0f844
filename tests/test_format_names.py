"""One default format name: every command's ``--format`` defaults to ``text``; ``table`` still works."""

from __future__ import annotations

import click
import pytest
from conftest import RunCli

from paramcalc.cli import all_commands
from paramcalc.cli_options import FORMAT_ALIASES


def _format_options() -> dict[str, click.Option]:
    found = {}
    for name, command in all_commands().items():
        for param in command.params:
            if isinstance(param, click.Option) and "--format" in param.opts:
                found[name] = param
    return found


def test_every_command_defaults_to_text() -> None:
    options = _format_options()
    assert {"summary", "diff", "explain", "check", "solve", "memory"} <= set(options)
    assert {name: option.default for name, option in options.items()} == dict.fromkeys(options, "text")


def test_help_lists_the_names_not_the_aliases(run_cli: RunCli) -> None:
    for command in ("summary", "diff"):
        result = run_cli(command, "--help")
        assert "[text|json|markdown]" in result.out
        assert "table" not in result.out.split("--format", 1)[1].split("\n", 1)[0]


@pytest.mark.parametrize(
    "argv",
    [
        ("summary", "specs/lstm.yaml"),
        ("diff", "specs/simple_rnn.yaml", "specs/stacked_rnn.yaml"),
        ("explain", "lstm", "32", "--input", "8"),
    ],
)
def test_table_is_an_alias_of_text(argv: tuple[str, ...], run_cli: RunCli) -> None:
    assert FORMAT_ALIASES == {"table": "text"}
    default = run_cli(*argv)
    assert default.code == 0
    assert run_cli(*argv, "--format", "text") == default
    assert run_cli(*argv, "--format", "table") == default


def test_an_unknown_format_names_the_real_choices(run_cli: RunCli) -> None:
    result = run_cli("summary", "specs/lstm.yaml", "--format", "tabel")
    assert result.code == 2
    assert "'tabel' is not one of 'text', 'json', 'markdown'" in result.err
