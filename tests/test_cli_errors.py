"""Bad input: one line on stderr naming where, exit status 2, nothing on stdout, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, RunCli

CASES = [
    (
        "input: [3]\nlayers:\n  - Dense: 4\n  - Dence: 1\n",
        "bad.yaml:4: layer 2 (Dence): unknown layer 'Dence' for Keras — did you mean 'Dense'?",
    ),
    (
        "input: [3]\nlayers:\n  - Dense: {activation: relu}\n",
        "bad.yaml:3: layer 1 'dense' (Dense): Dense needs 'units'",
    ),
    (
        "input: [3]\nlayers:\n  - Dense: four\n",
        "bad.yaml:3: layer 1 'dense' (Dense): 'units' must be an integer, got 'four'",
    ),
    ("input: [3]\nlayers:\n  - Dense: 0\n", "bad.yaml:3: layer 1 'dense' (Dense): 'units' must be positive, got 0"),
    (
        "input: [3]\nlayers:\n  - Dense: 2\n  - Dense: {units: 1, kernel_size: 3}\n",
        "bad.yaml:4: layer 2 'dense_1' (Dense): unknown argument 'kernel_size' for Dense",
    ),
    (
        "input: [10]\nlayers:\n  - Dense: 2\n  - LSTM: 4\n",
        "bad.yaml:4: layer 2 'lstm' (LSTM): LSTM expects a 3-D input (batch, timesteps, features), got (None, 2)",
    ),
    ("layers:\n  - Dense: [4\n", "bad.yaml:3: malformed YAML"),
    ("layers:\n  - Dence: 4\n", "bad.yaml:2: layer 1 (Dence): unknown layer 'Dence' for Keras — did you mean 'Dense'?"),
    ("", "bad.yaml:1: the spec is empty"),
    ("just a string\n", "bad.yaml:1: a spec must be a mapping with a 'layers:' list"),
    ("layer:\n  - Dense: 4\n", "bad.yaml:1: unknown top-level key 'layer' — did you mean 'layers'?"),
    ("input: [0]\nlayers:\n  - Dense: 4\n", "bad.yaml:1: input shape sizes must be positive integers or null, got 0"),
]


@pytest.mark.parametrize(("text", "message"), CASES)
def test_bad_yaml_spec_is_one_line_exit_2(run_cli: RunCli, tmp_path: Path, text: str, message: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    result = run_cli("summary", str(spec))
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    assert result.err.startswith("paramcalc: error: ")
    assert message in result.err.replace(str(tmp_path) + "/", "")


def test_missing_file_that_looks_like_a_path_says_no_such_file(run_cli: RunCli) -> None:
    result = run_cli("summary", "specs/nope.yaml")
    assert result.code == 2
    assert result.err.startswith("paramcalc: error: specs/nope.yaml: no such file")
    result = run_cli("summary", "nope.yml")
    assert result.err.startswith("paramcalc: error: nope.yml: no such file")


def test_missing_file_that_does_not_look_like_a_path_says_both(run_cli: RunCli) -> None:
    result = run_cli("summary", "not a spec")
    assert result.code == 2
    assert "'not a spec' is neither an existing file nor a valid inline spec" in result.err


def test_inline_errors_name_the_column(run_cli: RunCli) -> None:
    result = run_cli("summary", "Input(shape=(3,)) | Dense(4) | Dense(foo=1)")
    assert result.code == 2
    assert "<inline>:col 32: layer 2 'dense_1' (Dense): unknown argument 'foo' for Dense" in result.err


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", "specs/lstm.yaml", "--dtype", "float13"],
        ["summary", "specs/lstm.yaml", "--format", "xml"],
        ["summary"],
        ["frobnicate"],
    ],
)
def test_bad_flags_are_one_line_exit_2(run_cli: RunCli, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli(*argv)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1


def test_console_script_and_module_agree_and_never_trace() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "paramcalc", "summary", "layers:"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    version = subprocess.run(
        [sys.executable, "-m", "paramcalc", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("paramcalc, version ")


def _crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug\nspread over lines")


def test_an_internal_error_is_one_line_without_the_traceback_switch(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paramcalc.engine

    monkeypatch.delenv("PARAMCALC_TRACEBACK", raising=False)
    monkeypatch.setattr(paramcalc.engine, "analyze", _crash)
    result = run_cli("summary", str(ROOT / "specs" / "lstm.yaml"))
    assert result.code == 3
    assert result.err == "paramcalc: internal error: RuntimeError: a bug spread over lines (please report)\n"


def test_paramcalc_traceback_1_shows_the_traceback_behind_an_internal_error(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paramcalc.engine

    monkeypatch.setenv("PARAMCALC_TRACEBACK", "1")
    monkeypatch.setattr(paramcalc.engine, "analyze", _crash)
    result = run_cli("summary", str(ROOT / "specs" / "lstm.yaml"))
    assert result.code == 3
    assert result.err.startswith("Traceback (most recent call last):\n")
    assert 'raise RuntimeError("a bug\\nspread over lines")' in result.err
    assert result.err.endswith("paramcalc: internal error: RuntimeError: a bug spread over lines (please report)\n")


def test_paramcalc_traceback_leaves_user_errors_one_line(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARAMCALC_TRACEBACK", "1")
    result = run_cli("summary", "Dense(1, input_shape=(4,)) | LSTN(3)")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
