"""The Python API: the CLI's pipeline as functions, its output as objects that display themselves."""

from __future__ import annotations

import io
import json
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SPECS, RunCli

import paramcalc
from paramcalc.api import Derivation

LECTURE = {
    "simple_rnn.yaml": 321_089,
    "embedding_rnn.yaml": 1_745,
    "stacked_rnn.yaml": 323_169,
    "lstm.yaml": 1_284_257,
}


def _imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return set(proc.stdout.split())


def test_import_paramcalc_loads_nothing_heavy() -> None:
    loaded = _imported_after("import paramcalc")
    assert not {"rich", "yaml", "click", "paramcalc.engine", "paramcalc.api", "paramcalc.rules"} & loaded


def test_counting_through_the_api_never_imports_rich() -> None:
    loaded = _imported_after(f"import paramcalc\nassert paramcalc.count({str(SPECS / 'lstm.yaml')!r}) == 1284257")
    assert "rich" not in loaded
    assert "click" not in loaded


def test_printing_a_report_is_what_imports_rich() -> None:
    loaded = _imported_after(f"import paramcalc\nstr(paramcalc.summary({str(SPECS / 'lstm.yaml')!r}))")
    assert "rich" in loaded


def test_api_names_load_lazily_and_unknown_names_fail() -> None:
    assert {"summary", "count", "explain", "Report", "Derivation", "ParamcalcError"} <= set(dir(paramcalc))
    assert paramcalc.Report.__name__ == "Report"
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = paramcalc.nonexistent  # type: ignore[attr-defined]


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_count_of_each_lecture_model_from_a_path(spec: str) -> None:
    assert paramcalc.count(SPECS / spec) == LECTURE[spec]
    assert paramcalc.count(str(SPECS / spec)) == LECTURE[spec]


def test_every_spec_form_gives_the_same_count() -> None:
    yaml_text = (SPECS / "lstm.yaml").read_text()
    as_dict = {"layers": [{"LSTM": {"units": 32, "input_shape": [3, 10000]}}, {"Dense": 1}]}
    forms = [yaml_text, as_dict, "LSTM(32, input_shape=(3, 10000)) | Dense(1)", json.dumps(as_dict)]
    assert [paramcalc.count(form) for form in forms] == [1_284_257] * 4


def test_hf_config_dict_counts_as_the_file_does() -> None:
    config = json.loads((SPECS / "llama-2-7b.config.json").read_text())
    assert paramcalc.count(config) == paramcalc.count(SPECS / "llama-2-7b.config.json") == 6_738_415_616


def test_keras_json_dict_counts_as_the_file_does() -> None:
    path = ROOT / "tests" / "data" / "keras_seq2seq.json"
    assert paramcalc.count(json.loads(path.read_text())) == paramcalc.count(path)


def test_input_gives_a_sequential_spec_its_shape() -> None:
    assert paramcalc.count("SimpleRNN(32) | Dense(1)", input=(3, 10000)) == 321_089
    assert paramcalc.count("SimpleRNN(32) | Dense(1)", input="3,10000") == 321_089
    assert paramcalc.count("LSTM(32) | Dense(1)", input=[None, 10000]) == 1_284_257


def test_framework_and_dtype_are_the_cli_flags() -> None:
    report = paramcalc.summary("LSTM(10000, 32) | Linear(32, 1)", framework="pytorch", dtype="bf16")
    assert report.total == 1_284_385
    assert report.dtype == "bfloat16"
    assert report.bytes == 2 * 1_284_385


@pytest.mark.parametrize(
    ("spec", "kwargs"),
    [
        ("layers:\n  - Dence: 4\n", {}),
        ({"layers": [{"Dense": -1}], "input": [4]}, {}),
        ("Dense(4) | Dense(1)", {"input": "abc"}),
        ("Dense(4)", {"dtype": "float7"}),
        (SPECS / "nonexistent.yaml", {}),
        (3, {}),
    ],
)
def test_errors_raise_the_public_exception_with_the_clis_message(spec: object, kwargs: dict[str, object]) -> None:
    with pytest.raises(paramcalc.ParamcalcError) as info:
        paramcalc.summary(spec, **kwargs)  # type: ignore[arg-type]
    error = info.value
    assert str(error) == error.render()
    assert "\n" not in str(error)
    assert error.exit_code == 2


def test_error_carries_location_layer_and_hint() -> None:
    with pytest.raises(paramcalc.ParamcalcError) as info:
        paramcalc.summary("layers:\n  - Dence: 4\n")
    error = info.value
    assert str(error.location) == "<string>:2"
    assert error.layer == "layer 1 (Dence)"
    assert error.hint == "did you mean 'Dense'?"
    assert str(error) == "<string>:2: layer 1 (Dence): unknown layer 'Dence' for Keras — did you mean 'Dense'?"


def test_error_from_a_file_is_the_line_the_cli_prints(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers:\n  - Dence: 4\n")
    with pytest.raises(paramcalc.ParamcalcError) as info:
        paramcalc.summary(bad)
    assert run_cli("summary", str(bad)).err == f"paramcalc: error: {info.value}\n"


@pytest.mark.parametrize("spec", [*sorted(LECTURE), "llama-2-7b.config.json", "gpt2.config.json"])
def test_print_report_is_the_clis_table(run_cli: RunCli, spec: str) -> None:
    report = paramcalc.summary(SPECS / spec)
    assert str(report) == run_cli("summary", str(SPECS / spec)).out


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_report_renders_as_markdown_in_jupyter(run_cli: RunCli, spec: str) -> None:
    report = paramcalc.summary(SPECS / spec)
    assert report._repr_markdown_() == run_cli("summary", str(SPECS / spec), "--format", "markdown").out


def test_report_in_a_rich_console_draws_the_table() -> None:
    import rich.console

    report = paramcalc.summary(SPECS / "lstm.yaml")
    buffer = io.StringIO()
    rich.console.Console(file=buffer, width=88, emoji=False, highlight=False).print(report)
    assert buffer.getvalue() == str(report)


def test_report_in_ipythons_terminal_is_the_table() -> None:
    report = paramcalc.summary(SPECS / "lstm.yaml")
    shown: list[str] = []

    class Printer:
        def text(self, value: str) -> None:
            shown.append(value)

    report._repr_pretty_(Printer(), cycle=False)
    assert shown == [str(report)]


FLOP_KEYS = {"flops", "flops_batch", "flops_seq_len", "flops_convention"}
"""What ``summary --format json`` adds to the parameter document (paramcalc.flops; docs/flops.md)."""


def test_report_to_dict_is_the_json_document_without_its_flops(run_cli: RunCli) -> None:
    report = paramcalc.summary(SPECS / "lstm.yaml")
    printed = json.loads(run_cli("summary", str(SPECS / "lstm.yaml"), "--format", "json").out)
    assert set(printed) - set(report.to_dict()) == FLOP_KEYS
    printed = {key: value for key, value in printed.items() if key not in FLOP_KEYS}
    printed["layers"] = [{k: v for k, v in layer.items() if k != "flops"} for layer in printed["layers"]]
    assert report.to_dict() == printed


@pytest.mark.parametrize(
    ("call", "argv", "params"),
    [
        ((("lstm", 32), {"input": 10000}), ["lstm", "32", "--input", "10000"], 1_284_224),
        (
            (("GRU(32, reset_after=False)",), {"input": 10000}),
            ["GRU(32, reset_after=False)", "--input", "10000"],
            963_168,
        ),
        (
            (("GRU", 32), {"reset_after": False, "input": 10000}),
            ["GRU(32, reset_after=False)", "--input", "10000"],
            963_168,
        ),
        (
            (("lstm", 32), {"input": 10000, "framework": "pytorch"}),
            ["lstm", "32", "--input", "10000", "--framework", "pytorch"],
            1_284_352,
        ),
        ((("dense", 1), {"input": 32, "activation": "relu"}), ["Dense(1, activation='relu')", "--input", "32"], 33),
        (
            (("lstm", 32), {"input": 10000, "batch": 2, "seq_len": 3}),
            ["lstm", "32", "--input", "10000", "--batch", "2", "--seq-len", "3"],
            1_284_224,
        ),
        (
            (("LlamaDecoderLayer",), {"config": SPECS / "llama-2-7b.config.json"}),
            ["LlamaDecoderLayer", "--config", str(SPECS / "llama-2-7b.config.json")],
            6_476_267_520,
        ),
    ],
)
def test_explain_gives_the_clis_derivation(
    run_cli: RunCli, call: tuple[tuple[object, ...], dict[str, object]], argv: list[str], params: int
) -> None:
    args, kwargs = call
    derivation = paramcalc.explain(*args, **kwargs)  # type: ignore[arg-type]
    assert isinstance(derivation, Derivation)
    assert derivation.params == params
    assert str(derivation) + "\n" == run_cli("explain", *argv).out
    assert derivation._repr_markdown_() == run_cli("explain", *argv, "--format", "markdown").out
    assert derivation.latex() + "\n" == run_cli("explain", *argv, "--format", "latex").out
    assert derivation.to_dict() == json.loads(run_cli("explain", *argv, "--format", "json").out)


def test_derivation_in_jupyter_shows_the_flops_at_its_batch_and_sequence() -> None:
    markdown = paramcalc.explain("lstm", 32, input=10000, batch=2, seq_len=3)._repr_markdown_()
    assert "FLOPs of one forward pass (batch 2 × 3 tokens" in markdown
    assert "$$" in markdown
    assert paramcalc.explain("lstm", 32, input=10000, batch=2, seq_len=3).to_dict()["flops_batch"] == 2


def test_derivation_knows_its_closed_form() -> None:
    derivation = paramcalc.explain("lstm", 32, input=10000)
    assert derivation.formula == "4*n*(n+m+1)"
    assert derivation.symbols == {"m": 10000, "n": 32}
    assert "$$" in derivation._repr_markdown_()


def test_derivation_in_a_rich_console_is_its_text() -> None:
    import rich.console

    derivation = paramcalc.explain("dense", 1, input=32)
    buffer = io.StringIO()
    rich.console.Console(file=buffer, width=120).print(derivation)
    assert buffer.getvalue().split() == derivation.text().split()  # long lines wrap to the console


def test_explain_errors_raise_the_public_exception() -> None:
    with pytest.raises(paramcalc.ParamcalcError, match="did you mean"):
        paramcalc.explain("lstn", 32, input=10000)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("summary", ["framework: 'str | None' = None", "dtype: 'str' = 'float32'", "-> 'Report'", "checkpoint"]),
        ("count", ["input: 'ShapeLike | None' = None", "-> 'int'", "tied"]),
        ("explain", ["batch: 'int' = 1", "seq_len: 'int | None' = None", "-> 'Derivation'", "FLOPs"]),
        ("Report", ["to_dict", "total", "largest_layer", "expanded"]),
        ("Derivation", ["params", "formula", "latex", "Jupyter"]),
        ("ParamcalcError", ["hint", "location"]),
    ],
)
def test_api_docstrings_render_in_help(name: str, words: list[str]) -> None:
    """``help(paramcalc.summary)`` etc.: the signature, with its types, and a docstring saying why."""
    text = pydoc.render_doc(getattr(paramcalc, name), renderer=pydoc.plaintext)
    doc = getattr(paramcalc, name).__doc__
    assert doc is not None
    assert doc.strip().splitlines()[0] in text
    for word in words:
        assert word in text, word


def test_version_is_semantic_and_in_the_changelog() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", paramcalc.__version__)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## \[?(\d+\.\d+\.\d+)", changelog, re.MULTILINE)
    assert first is not None
    assert first.group(1) == paramcalc.__version__


def _readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n## {title}")
    return readme[start : readme.index("\n## ", start + 10)]


def test_readme_notebook_examples_run_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's "Use it in a notebook" examples, run as doctests from the repository root."""
    import doctest

    monkeypatch.chdir(ROOT)
    section = _readme_section("Use it in a notebook")
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README notebook block {number}", "README.md", 0)
        assert test.examples
        out = io.StringIO()
        result = runner.run(test, out=out.write)
        assert result.failed == 0, out.getvalue()


def test_readme_names_every_exported_api_name_and_the_schema() -> None:
    section = _readme_section("Use it in a notebook")
    for name in paramcalc.__all__:
        if not name.startswith("_"):
            assert f"`{name}`" in section, name
    assert "`schema`" in section
