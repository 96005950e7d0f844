"""`paramcalc diff A B`: layers matched by name then position, per-layer and per-weight deltas."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import SPECS, RunCli

from paramcalc.diff import ModelDiff, diff_reports
from paramcalc.engine import analyze
from paramcalc.spec import load_spec

SIMPLE = str(SPECS / "simple_rnn.yaml")  # SimpleRNN(32) + Dense(1): 321,089
LSTM = str(SPECS / "lstm.yaml")  # LSTM(32) + Dense(1): 1,284,257


def diff(a: str, b: str) -> ModelDiff:
    return diff_reports(analyze(load_spec(a)), analyze(load_spec(b)))


def summary(d: ModelDiff) -> list[tuple[str, str | None, str | None, int]]:
    return [(x.status, x.a.name if x.a else None, x.b.name if x.b else None, x.delta) for x in d.layers]


@pytest.mark.parametrize("spec", sorted(str(p) for p in SPECS.glob("*.yaml")))
def test_diff_of_identical_specs_is_empty(spec: str) -> None:
    d = diff(spec, spec)
    assert d.identical
    assert d.changes == ()
    assert d.delta == 0
    assert all(layer.terms == () for layer in d.layers)


def test_identical_specs_in_every_format(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("diff", LSTM, LSTM, "--format", "json").out)
    assert doc["schema"] == 1
    assert doc["command"] == "diff"
    assert doc["identical"] is True
    assert doc["counts"] == {"same": 2, "changed": 0, "added": 0, "removed": 0}
    assert doc["relative_change"] == 0.0
    assert all(layer["status"] == "same" and layer["terms"] == [] for layer in doc["layers"])
    assert "No differences: both models have 1,284,257 parameters." in run_cli("diff", LSTM, LSTM).out
    assert "No differences" in run_cli("diff", LSTM, LSTM, "--format", "markdown").out


def test_yaml_and_inline_forms_of_one_model_do_not_differ() -> None:
    assert diff(LSTM, "LSTM(32, input_shape=(3, 10000)) | Dense(1)").changes == ()


def test_added_removed_and_changed_layers() -> None:
    a = "Input(shape=(10,)) | Dense(64, name='hidden') | Dropout(0.5) | Dense(1, name='out')"
    b = "Input(shape=(10,)) | Dense(128, name='hidden') | Dense(32, name='extra') | Dense(1, name='out')"
    d = diff(a, b)
    assert summary(d) == [
        ("changed", "hidden", "hidden", 64 * 11),
        ("removed", "dropout", None, 0),
        ("added", None, "extra", 128 * 32 + 32),
        ("changed", "out", "out", (32 + 1) - (64 + 1)),
    ]
    hidden = d.layers[0]
    assert hidden.matched_by == "name"
    assert [(t.path, t.a.shape if t.a else None, t.b.shape if t.b else None, t.delta) for t in hidden.terms] == [
        ("kernel", (10, 64), (10, 128), 640),
        ("bias", (64,), (128,), 64),
    ]
    out = d.layers[3]
    assert [(t.path, t.delta) for t in out.terms] == [("kernel", 32 - 64)]
    assert d.delta == d.b.total - d.a.total == sum(layer.delta for layer in d.layers)
    assert (d.count("changed"), d.count("added"), d.count("removed")) == (2, 1, 1)


def test_unnamed_layers_pair_by_position_when_one_replaces_another() -> None:
    d = diff(SIMPLE, LSTM)
    assert summary(d) == [("changed", "simple_rnn", "lstm", 1_284_224 - 321_056), ("same", "dense", "dense", 0)]
    assert d.layers[0].matched_by == "position"
    assert [(t.a.weight, t.b.weight) for t in d.layers[0].terms if t.a and t.b] == [
        ("kernel", "kernel"),
        ("recurrent_kernel", "recurrent_kernel"),
        ("bias", "bias"),
    ]


def test_position_pairs_same_class_first_and_leaves_the_rest_added() -> None:
    a = "Embedding(50, 8, input_length=4) | SimpleRNN(32) | Dense(1)"
    b = "Embedding(60, 8, input_length=4) | Dropout(0.1) | LSTM(32) | Dense(1)"
    d = diff(a, b)
    assert [(x.status, x.a.class_name if x.a else None, x.b.class_name if x.b else None) for x in d.layers] == [
        ("changed", "Embedding", "Embedding"),
        ("removed", "SimpleRNN", None),
        ("added", None, "Dropout"),
        ("added", None, "LSTM"),
        ("same", "Dense", "Dense"),
    ]


def test_auto_names_shifted_by_an_inserted_layer_still_match() -> None:
    d = diff(
        "Input(shape=(8,)) | Dense(4) | Dense(1)",
        "Input(shape=(8,)) | Dense(4) | Dropout(0.2) | Dense(1)",
    )
    assert summary(d) == [
        ("same", "dense", "dense", 0),
        ("added", None, "dropout", 0),
        ("same", "dense_1", "dense_1", 0),
    ]


def test_frozen_weights_show_as_changed_with_zero_delta() -> None:
    d = diff("Input(shape=(4,)) | Dense(2)", "Input(shape=(4,)) | Dense(2, trainable=False)")
    (layer,) = d.layers
    assert layer.status == "changed"
    assert [(t.path, t.delta, t.b.trainable if t.b else None) for t in layer.terms] == [
        ("kernel", 0, False),
        ("bias", 0, False),
    ]
    assert d.b.non_trainable == 10


def test_markdown_fits_a_pull_request_comment(run_cli: RunCli) -> None:
    result = run_cli("diff", SIMPLE, LSTM, "--format", "markdown")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == (
        f"**paramcalc diff**: `{SIMPLE}` → `{LSTM}`: 321,089 → 1,284,257 parameters (+963,168, +299.97%)"
    )
    assert "| changed | `simple_rnn → lstm (SimpleRNN → LSTM)` | (None, 32) | 321,056 | 1,284,224 | +963,168 |" in lines
    kernel = next(line for line in lines if "(10000, 32) → (10000, 128)" in line)
    assert kernel.startswith("|  |   └ ")
    assert kernel.endswith("kernel | (10000, 32) → (10000, 128) | 320,000 | 1,280,000 | +960,000 |")
    assert "- **Total params:** 321,089 → 1,284,257 (+963,168, +299.97%)" in lines


def test_table_shows_both_sides_and_the_totals(run_cli: RunCli) -> None:
    result = run_cli("diff", LSTM, SIMPLE)
    assert result.code == 0
    assert "│ changed " in result.out
    assert "lstm → simple_rnn (LSTM → SimpleRNN)" in result.out
    assert " Total params: 1,284,257 → 321,089 (-963,168, -75.00%)" in result.out


def test_json_carries_totals_relative_change_and_per_term_deltas(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("diff", SIMPLE, LSTM, "--format", "json").out)
    assert doc["a"]["total"] == 321_089
    assert doc["b"]["total"] == 1_284_257
    assert doc["delta"] == {"total": 963_168, "trainable": 963_168, "non_trainable": 0, "bytes": 963_168 * 4}
    assert doc["relative_change"] == pytest.approx(963_168 / 321_089)
    first = doc["layers"][0]
    assert (first["status"], first["matched_by"], first["class_a"], first["class_b"]) == (
        "changed",
        "position",
        "SimpleRNN",
        "LSTM",
    )
    kernel = first["terms"][0]
    assert kernel.pop("weight").endswith("kernel")  # scoped to the RNN cell where the engine says so
    assert kernel.pop("weight_a").endswith("kernel")
    assert kernel.pop("weight_b").endswith("kernel")
    assert kernel == {
        "status": "changed",
        "shape_a": [10000, 32],
        "shape_b": [10000, 128],
        "trainable_a": True,
        "trainable_b": True,
        "tied_to_a": None,
        "tied_to_b": None,
        "count_a": 320_000,
        "count_b": 1_280_000,
        "delta": 960_000,
    }


@pytest.mark.parametrize(
    ("a", "b", "flag", "code"),
    [
        (SIMPLE, LSTM, False, 0),
        (SIMPLE, LSTM, True, 1),
        (LSTM, SIMPLE, True, 0),
        (LSTM, LSTM, True, 0),
    ],
)
def test_exit_codes(run_cli: RunCli, a: str, b: str, flag: bool, code: int) -> None:
    args = ["diff", a, b] + (["--fail-on-increase"] if flag else [])
    assert run_cli(*args).code == code


def test_an_invalid_spec_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers:\n  - Dence: 4\n")
    result = run_cli("diff", LSTM, str(bad))
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"paramcalc: error: {bad}:2:")


def test_one_side_from_stdin(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(Path(LSTM).read_bytes())))
    doc = json.loads(run_cli("diff", "-", LSTM, "--format", "json").out)
    assert doc["identical"] is True
    assert doc["a"]["source"] == "<stdin>"
    assert run_cli("diff", "-", "-").code == 2


def test_weight_deltas_count_every_copy_of_a_repeated_block() -> None:
    d = diff(str(SPECS / "llama-2-7b.config.json"), str(SPECS / "llama-3-8b.config.json"))
    assert d.delta == 8_030_261_248 - 6_738_415_616
    for layer in d.changes:
        assert layer.a is not None
        assert layer.b is not None
        assert sum(t.delta for t in layer.terms) == layer.delta, layer.b.name  # 32 blocks on each side
    blocks = next(layer for layer in d.layers if layer.b is not None and layer.b.repeat == 32)
    k_proj = next(t for t in blocks.terms if t.path.endswith("k_proj.weight"))
    assert k_proj.delta == 32 * (1024 - 4096) * 4096


def test_untying_the_lm_head_shows_its_weight_counted(tmp_path: Path) -> None:
    config = json.loads((SPECS / "gpt2.config.json").read_text())
    untied = tmp_path / "gpt2-untied.config.json"
    untied.write_text(json.dumps({**config, "tie_word_embeddings": False}))
    d = diff(str(SPECS / "gpt2.config.json"), str(untied))
    (head,) = d.changes
    (weight,) = head.terms
    assert weight.a is not None
    assert weight.a.tied_to
    assert weight.b is not None
    assert not weight.b.tied_to
    assert (weight.count_a, weight.count_b) == (0, 50257 * 768)
    assert d.delta == head.delta == 50257 * 768
