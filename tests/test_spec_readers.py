"""Spec readers: YAML forms of the contract, inline parsing (never evaluated), stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import RunCli

from paramcalc.engine import analyze
from paramcalc.errors import SpecError
from paramcalc.spec import load_spec, parse_text
from paramcalc.spec.inline_spec import parse_inline


def totals(text: str) -> tuple[int, list[tuple[str, list[int | None]]]]:
    report = analyze(parse_text(text.encode(), "t.yaml"))
    return report.total, [(row.name, [None, *row.outputs[0]]) for row in report.layers]


def test_input_key_short_and_long_forms_agree() -> None:
    short = totals("input: [3, 10000]\nlayers:\n  - SimpleRNN: 32\n  - Dense: 1\n")
    long = totals("input: {shape: [3, 10000], dtype: float32}\nlayers:\n  - SimpleRNN: {units: 32}\n  - Dense: [1]\n")
    first_layer = totals("layers:\n  - Input: {shape: [3, 10000]}\n  - SimpleRNN: 32\n  - Dense: 1\n")
    keras2 = totals("layers:\n  - SimpleRNN: {units: 32, input_shape: [3, 10000]}\n  - Dense: 1\n")
    assert short == long == first_layer == keras2
    assert short[0] == 321_089


def test_keras2_input_dim_on_first_dense() -> None:
    assert totals("layers:\n  - Dense: {units: 32, input_dim: 784}\n  - Dense: 10\n")[0] == 784 * 32 + 32 + 330


def test_bare_names_and_positional_lists() -> None:
    total, layers = totals("input: [2, 3]\nlayers:\n  - Flatten\n  - Dense: [4, null, false]\n")
    assert total == 24
    assert layers == [("flatten", [None, 6]), ("dense", [None, 4])]


def test_explicit_names_and_auto_names_do_not_clash() -> None:
    _, layers = totals("input: [3]\nlayers:\n  - Dense: {units: 2, name: dense}\n  - Dense: 2\n  - Dense: 2\n")
    assert [name for name, _ in layers] == ["dense", "dense_1", "dense_2"]


def test_repeat_block_copies_layers_with_their_own_weights() -> None:
    total, layers = totals(
        "input: [8]\nlayers:\n  - Repeat:\n      times: 3\n      layers: [{Dense: 8}, {Dropout: 0.1}]\n  - Dense: 1\n"
    )
    assert total == 3 * (8 * 8 + 8) + 9
    assert [name for name, _ in layers][:4] == ["dense", "dropout", "dense_1", "dropout_1"]


def test_graph_with_named_inputs_and_output_refs() -> None:
    text = """
inputs:
  a: {shape: [4]}
  b: {shape: [6]}
layers:
  - Dense: {units: 3, name: da, inputs: [a]}
  - Dense: {units: 3, name: db, inputs: [b]}
  - Dense: {units: 1, inputs: [db]}
outputs: [dense]
"""
    report = analyze(parse_text(text.encode(), "g.yaml"))
    assert report.graph
    names = [row.name for row in report.layers]
    assert names == ["b", "db", "a", "dense"]  # Keras keeps an unused model input (a), at depth 0
    assert report.total == 6 * 3 + 3 + 4


def test_yaml_errors_name_the_line() -> None:
    with pytest.raises(SpecError) as info:
        parse_text(b"layers:\n  - Dense: 4\n  - {Dense: 1, Dropout: 2}\n", "x.yaml")
    assert info.value.render().startswith("x.yaml:3: a layer entry must have exactly one key")


def test_yaml_python_tags_are_refused_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"layers:\n  - !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(SpecError) as info:
        parse_text(text.encode(), "evil.yaml")
    assert "YAML tag not allowed" in info.value.render()
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]")
    lines.append("layers: [*a11]")
    with pytest.raises(SpecError) as info:
        parse_text("\n".join(lines).encode(), "bomb.yaml")
    assert "aliases expand to more than" in info.value.render()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "attribute access is not allowed"),
        ("Dense(1).__class__", "attribute access is not allowed"),
        ("os.system('x')", "attribute access is not allowed"),
        ("Dense(lambda: 1)", "only literal values are allowed, got a lambda"),
        ("Dense(relu)", "'relu' is not a value"),
        ("Dense(1) | 3", "expected a layer such as Dense(4)"),
        ("Dense(*[1])", "*args are not allowed"),
        ("Dense(1,", "invalid inline spec"),
        ("", "empty spec"),
    ],
)
def test_inline_specs_are_parsed_never_evaluated(text: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_inline(text)
    assert message in info.value.render()


def test_inline_accepts_module_prefixes_users_copy() -> None:
    spec = parse_inline("layers.Dense(4, input_shape=(3,)) | keras.layers.Dense(1)")
    assert [layer.class_name for layer in spec.layers] == ["Dense", "Dense"]


def test_stdin_spec(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"input: [3]\nlayers:\n  - Dense: 2\n"))
    monkeypatch.setattr("sys.stdin", stream)
    result = run_cli("summary", "-", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["total"] == 8


def test_load_spec_prefers_an_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("Dense(1)").write_text("input: [3]\nlayers:\n  - Dense: 5\n")
    assert analyze(load_spec("Dense(1)")).total == 20
