"""The four classic Keras RNN lecture models: every layer, shape and total, in every format."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SPECS, RunCli

# spec file -> (total, [(name, class, output shape, params)])
LECTURE = {
    "simple_rnn.yaml": (
        321_089,
        [("simple_rnn", "SimpleRNN", [None, 32], 321_056), ("dense", "Dense", [None, 1], 33)],
    ),
    "embedding_rnn.yaml": (
        1_745,
        [
            ("embedding", "Embedding", [None, 4, 8], 400),
            ("simple_rnn", "SimpleRNN", [None, 32], 1_312),
            ("dense", "Dense", [None, 1], 33),
        ],
    ),
    "stacked_rnn.yaml": (
        323_169,
        [
            ("simple_rnn", "SimpleRNN", [None, 3, 32], 321_056),
            ("simple_rnn_1", "SimpleRNN", [None, 32], 2_080),
            ("dense", "Dense", [None, 1], 33),
        ],
    ),
    "lstm.yaml": (
        1_284_257,
        [("lstm", "LSTM", [None, 32], 1_284_224), ("dense", "Dense", [None, 1], 33)],
    ),
}

INLINE = {
    "simple_rnn.yaml": "SimpleRNN(32, input_shape=(3, 10000)) | Dense(1)",
    "embedding_rnn.yaml": "Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)",
    "stacked_rnn.yaml": "Input(shape=(3, 10000)) | SimpleRNN(32, return_sequences=True) | SimpleRNN(32) | Dense(1)",
    "lstm.yaml": "LSTM(32, input_shape=(3, 10000)) | Dense(1)",
}


def _shape_text(shape: list[int | None]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_json_reports_every_layer_and_total(run_cli: RunCli, spec: str) -> None:
    total, layers = LECTURE[spec]
    result = run_cli("summary", str(SPECS / spec), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == 1
    assert doc["total"] == total
    assert doc["trainable"] == total
    assert doc["non_trainable"] == 0
    assert doc["bytes"] == 4 * total
    assert doc["dtype"] == "float32"
    got = [(layer["name"], layer["class"], layer["output_shape"], layer["params"]) for layer in doc["layers"]]
    assert got == layers
    for layer in doc["layers"]:
        assert sum(term["count"] for term in layer["terms"]) == layer["params"]
        for term in layer["terms"]:
            assert set(term) >= {"name", "weight", "shape", "count"}


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_table_shows_every_layer_and_keras_totals(run_cli: RunCli, spec: str) -> None:
    total, layers = LECTURE[spec]
    result = run_cli("summary", str(SPECS / spec))
    assert result.code == 0, result.err
    for name, cls, shape, params in layers:
        row = re.search(rf"│ {name} \({cls}\)\s+│ (.+?)\s+│\s+([\d,]+) │", result.out)
        assert row, f"no row for {name} in\n{result.out}"
        assert row.group(1) == _shape_text(shape)
        assert row.group(2) == f"{params:,}"
    assert f"Total params: {total:,} (" in result.out
    assert f"Trainable params: {total:,} (" in result.out
    assert "Non-trainable params: 0 (0.00 B)" in result.out


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_markdown_table_shows_every_layer(run_cli: RunCli, spec: str) -> None:
    total, layers = LECTURE[spec]
    result = run_cli("summary", str(SPECS / spec), "--format", "markdown")
    assert result.code == 0, result.err
    for name, cls, shape, params in layers:
        assert f"| {name} ({cls}) | `{_shape_text(shape)}` | {params:,} |" in result.out
    assert f"- **Total params:** {total:,} (" in result.out


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_inline_form_matches_yaml(run_cli: RunCli, spec: str) -> None:
    yaml_doc = json.loads(run_cli("summary", str(SPECS / spec), "--format", "json").out)
    inline_doc = json.loads(run_cli("summary", INLINE[spec], "--format", "json").out)
    assert inline_doc["layers"] == yaml_doc["layers"]
    assert inline_doc["total"] == LECTURE[spec][0]


def test_embedding_model_bytes_match_keras_wording(run_cli: RunCli) -> None:
    result = run_cli("summary", str(SPECS / "embedding_rnn.yaml"))
    assert "Total params: 1,745 (6.82 KB)" in result.out


def test_dtype_changes_bytes_not_counts(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("summary", str(SPECS / "lstm.yaml"), "--format", "json", "--dtype", "bfloat16").out)
    assert doc["total"] == 1_284_257
    assert doc["bytes"] == 2 * 1_284_257
    assert doc["dtype"] == "bfloat16"
    table = run_cli("summary", str(SPECS / "lstm.yaml"), "--dtype", "int8").out
    assert "Total params: 1,284,257 (1.22 MB)" in table


def test_explain_flag_prints_derivations_under_table(run_cli: RunCli) -> None:
    out = run_cli("summary", str(SPECS / "lstm.yaml"), "--explain").out
    assert out.index("Total params") < out.index("closed form: 4·n·(n + m + 1)")
    assert "closed form: (m + 1)·n = (32 + 1) × 1 = 33" in out
