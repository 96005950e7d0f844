"""The bad-spec corpus: hostile and broken input fails cleanly, fast, and never runs code.

Each case of ``tests/bad_specs/cases.yaml`` must exit with status 2 and print exactly one
line on stderr, ``paramcalc: error: <where>: <what>``, with nothing on stdout, no
traceback, within a second.  Files run through every command that reads a SPEC (found
from the click commands, so a new command is covered without editing this file), in
every output format; a handful also run through stdin and as a real process.
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from conftest import ROOT, SPECS, RunCli

from paramcalc.cli import all_commands

CORPUS = ROOT / "tests" / "bad_specs"
CASES: dict[str, Any] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
MARKER = "paramcalc-pwned"
"""The file the python/object and __import__ cases would create if they ever ran."""
SECOND = 1.0


def _spec_arguments(command: click.Command) -> list[click.Argument]:
    """The command's SPEC arguments (``spec``, ``specs``, diff's ``spec_a`` and ``spec_b``)."""
    return [p for p in command.params if isinstance(p, click.Argument) and (p.name or "").startswith("spec")]


def _spec_commands() -> list[tuple[str, str | None]]:
    """(command, --format value) for every command taking a SPEC argument, in every format."""
    out: list[tuple[str, str | None]] = []
    for name, command in sorted(all_commands().items()):
        if not _spec_arguments(command):
            continue
        fmt = next((p for p in command.params if isinstance(p, click.Option) and "--format" in p.opts), None)
        if fmt is not None and isinstance(fmt.type, click.Choice):
            out.extend((name, str(choice)) for choice in fmt.type.choices)
        else:
            out.append((name, None))
    return out


def _command_line(command: str, bad: str, fmt: str | None) -> list[str]:
    """``command`` reading ``bad`` as its first SPEC (a good spec fills any other)."""
    specs = [bad] + [str(SPECS / "lstm.yaml")] * (len(_spec_arguments(all_commands()[command])) - 1)
    return [command, *specs, *(["--format", fmt] if fmt else [])]


SPEC_COMMANDS = _spec_commands()


@pytest.fixture(autouse=True)
def _in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run every case in an empty directory and check no case created the marker file there."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / MARKER).exists(), "a spec ran code"


REPORTS_ON_STDOUT = {"check"}
"""Commands whose output lists each spec's verdict, invalid ones included (for CI annotations)."""


def _assert_clean_failure(
    code: int, out: str, err: str, elapsed: float, limit: float = SECOND, *, quiet: bool = True
) -> str:
    assert code == 2, f"exit {code}; stderr: {err!r}"
    if quiet:
        assert out == "", f"stdout must stay empty, got {out[:200]!r}"
    assert "Traceback" not in err
    assert err.startswith("paramcalc: error: "), err
    assert err.endswith("\n")
    assert err.count("\n") == 1, f"not one line: {err!r}"
    assert elapsed < limit, f"took {elapsed:.2f} s"
    return err


def _run(run_cli: RunCli, *argv: str) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    result = run_cli(*argv)
    return result.code, result.out, result.err, time.perf_counter() - start


def _argv(words: list[str]) -> list[str]:
    return [word.replace("{specs}", str(SPECS)) for word in words]


@pytest.mark.parametrize(("command", "fmt"), SPEC_COMMANDS)
@pytest.mark.parametrize("name", sorted(CASES["files"]))
def test_bad_spec_file_fails_with_one_line_saying_what_and_where(
    run_cli: RunCli, name: str, command: str, fmt: str | None
) -> None:
    case = CASES["files"][name]
    path = str(CORPUS / name)
    quiet = command not in REPORTS_ON_STDOUT
    err = _assert_clean_failure(*_run(run_cli, *_command_line(command, path, fmt)), quiet=quiet)
    where = f"{path}:{case['line']}" if case.get("line") else path
    assert err.startswith(f"paramcalc: error: {where}: "), err
    assert case["error"] in err


def _has_keras_reader() -> bool:
    try:
        importlib.import_module("paramcalc.spec.keras_json")
    except ImportError:
        return False
    return True


@pytest.mark.parametrize(("command", "fmt"), SPEC_COMMANDS)
@pytest.mark.parametrize("name", sorted(CASES["keras_json"]))
def test_bad_keras_model_file_fails_with_one_line(run_cli: RunCli, name: str, command: str, fmt: str | None) -> None:
    path = str(CORPUS / name)
    quiet = command not in REPORTS_ON_STDOUT
    err = _assert_clean_failure(*_run(run_cli, *_command_line(command, path, fmt)), quiet=quiet)
    assert err.startswith(f"paramcalc: error: {path}"), err
    if _has_keras_reader():
        assert CASES["keras_json"][name]["error"] in err


@pytest.mark.parametrize("name", CASES["stdin"])
def test_bad_spec_on_stdin_fails_the_same_way(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    case = CASES["files"][name]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((CORPUS / name).read_bytes())))
    err = _assert_clean_failure(*_run(run_cli, "summary", "-", "--format", "json"))
    where = f"<stdin>:{case['line']}" if case.get("line") else "<stdin>"
    assert err.startswith(f"paramcalc: error: {where}: "), err
    assert case["error"] in err


def _inline_text(case: dict[str, Any]) -> str:
    if "file" in case:
        return (CORPUS / case["file"]).read_text(encoding="utf-8").strip()
    return str(case["spec"])


@pytest.mark.parametrize("case", CASES["inline"], ids=lambda case: str(case.get("file") or case["spec"])[:60])
def test_bad_inline_spec_fails_with_its_column(run_cli: RunCli, case: dict[str, Any]) -> None:
    text = _inline_text(case)
    err = _assert_clean_failure(*_run(run_cli, "summary", text, "--format", "json"))
    if case.get("col"):
        assert err.startswith(f"paramcalc: error: <inline>:col {case['col']}: "), err
    else:
        assert "<inline>" in err or "is neither an existing file nor a valid inline spec" in err, err
    assert case["error"] in err


@pytest.mark.parametrize("case", CASES["argv"], ids=lambda case: " ".join(case["argv"])[:60] or "<none>")
def test_bad_command_line_fails_with_one_line(run_cli: RunCli, case: dict[str, Any]) -> None:
    err = _assert_clean_failure(*_run(run_cli, *_argv(case["argv"])))
    assert case["error"] in err


BAD_FLAG_VALUES = {"--format": "xml", "--dtype": "float7", "--framework": "jax", "--input": "3,abc"}
BASE_ARGV = {"summary": [str(SPECS / "lstm.yaml")], "explain": ["lstm", "32"], "layers": []}


def _flag_cases() -> list[tuple[str, str]]:
    """(command, flag) for every value-taking flag of every command that paramcalc validates."""
    out = []
    for name, command in sorted(all_commands().items()):
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag:
                out.extend((name, opt) for opt in param.opts if opt in BAD_FLAG_VALUES)
    return out


@pytest.mark.parametrize(("command", "flag"), _flag_cases())
def test_every_commands_bad_flag_values_fail_naming_the_flag(run_cli: RunCli, command: str, flag: str) -> None:
    specs = [str(SPECS / "lstm.yaml")] * len(_spec_arguments(all_commands()[command]))
    base = BASE_ARGV.get(command, specs)
    err = _assert_clean_failure(
        *_run(run_cli, command, *base, flag, BAD_FLAG_VALUES[flag]), quiet=command not in REPORTS_ON_STDOUT
    )
    assert flag in err


def test_corpus_files_all_have_a_case() -> None:
    listed = (
        set(CASES["files"]) | set(CASES["keras_json"]) | {case["file"] for case in CASES["inline"] if "file" in case}
    )
    present = {path.name for path in CORPUS.iterdir()} - {"cases.yaml", "generate.py", "__pycache__", ".gitattributes"}
    assert present == listed


def test_python_tags_in_yaml_never_construct_objects(run_cli: RunCli, tmp_path: Path) -> None:
    """The marker check in the fixture covers every case; this one names the promise."""
    for name in sorted(CASES["files"]):
        if name.startswith("python_"):
            code, _, err, _ = _run(run_cli, "summary", str(CORPUS / name))
            assert code == 2
            assert "YAML tag not allowed" in err
    assert not (tmp_path / MARKER).exists()


def _subprocess_cases() -> list[list[str]]:
    sub = CASES["subprocess"]
    cases = [["summary", str(CORPUS / name), "--format", "json"] for name in sub["files"]]
    cases += [["summary", text] for text in sub["inline"]]
    cases += [_argv(words) for words in sub["argv"]]
    return cases


@pytest.mark.parametrize("argv", _subprocess_cases(), ids=lambda argv: " ".join(argv)[-50:] or "<none>")
def test_bad_input_in_a_real_process_fails_cleanly(tmp_path: Path, argv: list[str]) -> None:
    env = {**os.environ, "TERM": "dumb", "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "paramcalc", *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    # a process start adds interpreter start-up to the one-second budget
    _assert_clean_failure(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start, limit=3 * SECOND)
    assert not (tmp_path / MARKER).exists()
