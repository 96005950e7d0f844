"""PyTorch from the command line: the lecture specs, explain, --compare and one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import SPECS, RunCli

# spec file -> (total, [(name, class, output shape passed on, params)])
LECTURE = {
    "pytorch_simple_rnn.yaml": (
        321_121,
        [("rnn", "RNN", [None, 3, 32], 321_088), ("linear", "Linear", [None, 3, 1], 33)],
    ),
    "pytorch_embedding_rnn.yaml": (
        1_777,
        [
            ("embedding", "Embedding", [None, 4, 8], 400),
            ("rnn", "RNN", [None, 4, 32], 1_344),
            ("linear", "Linear", [None, 4, 1], 33),
        ],
    ),
    "pytorch_stacked_rnn.yaml": (
        323_233,
        [
            ("rnn", "RNN", [None, 3, 32], 321_088),
            ("rnn_1", "RNN", [None, 3, 32], 2_112),
            ("linear", "Linear", [None, 3, 1], 33),
        ],
    ),
    "pytorch_lstm.yaml": (
        1_284_385,
        [("lstm", "LSTM", [None, 3, 32], 1_284_352), ("linear", "Linear", [None, 3, 1], 33)],
    ),
}
INLINE = {
    "pytorch_simple_rnn.yaml": "Input(shape=(3, 10000)) | RNN(10000, 32, batch_first=True) | Linear(32, 1)",
    "pytorch_embedding_rnn.yaml": "Input(shape=(4,)) | Embedding(50, 8) | RNN(8, 32, batch_first=True) | Linear(32, 1)",
    "pytorch_stacked_rnn.yaml": (
        "Input(shape=(3, 10000)) | RNN(10000, 32, batch_first=True) | RNN(32, 32, batch_first=True) | Linear(32, 1)"
    ),
    "pytorch_lstm.yaml": "Input(shape=(3, 10000)) | nn.LSTM(10000, 32, batch_first=True) | nn.Linear(32, 1)",
}


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_pytorch_lecture_specs_count_as_torch_does(run_cli: RunCli, spec: str) -> None:
    total, layers = LECTURE[spec]
    result = run_cli("summary", str(SPECS / spec), "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["framework"] == "pytorch"
    assert (doc["total"], doc["trainable"], doc["buffers"]) == (total, total, 0)
    assert [(x["name"], x["class"], x["output_shape"], x["params"]) for x in doc["layers"]] == layers
    table = run_cli("summary", str(SPECS / spec)).out
    assert f"Total params: {total:,} (" in table


@pytest.mark.parametrize("spec", sorted(LECTURE))
def test_inline_pytorch_spec_matches_yaml(run_cli: RunCli, spec: str) -> None:
    yaml_doc = json.loads(run_cli("summary", str(SPECS / spec), "--format", "json").out)
    inline = run_cli("summary", INLINE[spec], "--framework", "pytorch", "--format", "json")
    assert inline.code == 0, inline.err
    assert json.loads(inline.out)["layers"] == yaml_doc["layers"]


def test_pytorch_lstm_counts_128_more_than_keras_lstm(run_cli: RunCli) -> None:
    keras = json.loads(run_cli("summary", str(SPECS / "lstm.yaml"), "--format", "json").out)
    torch = json.loads(run_cli("summary", str(SPECS / "pytorch_lstm.yaml"), "--format", "json").out)
    assert torch["total"] - keras["total"] == 4 * 32


def test_explain_pytorch_lstm_shows_both_biases(run_cli: RunCli) -> None:
    result = run_cli("explain", "lstm", "32", "--input", "10000", "--framework", "pytorch")
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("lstm (LSTM): input (None, None, 10000) → output [(None, None, 32), [(1, None, 32)")
    assert "m = 10,000  input_size" in out
    assert "n = 32      hidden_size" in out
    assert "each of the 4 gates (input, forget, cell, output):" in out
    assert "W_ih  weight_ih_l0  n × m = 32 × 10000    320,000" in out
    assert "b_ih  bias_ih_l0    n = 32                     32" in out
    assert "b_hh  bias_hh_l0    n = 32                     32" in out
    assert "per gate                                  321,088" in out
    assert "framework weights (gates packed along the first axis):" in out
    assert "closed form: 4·n·(m + n + 2) = 4 × 32 × (10000 + 32 + 2) = 1,284,352" in out


def test_explain_pytorch_without_input_counts_from_arguments(run_cli: RunCli) -> None:
    out = run_cli("explain", "LSTM(10000, 32)", "--framework", "pytorch").out
    assert out.startswith("lstm (LSTM): input ? → output ?")
    assert "= 1,284,352" in out
    doc = json.loads(run_cli("explain", "linear", "10000", "32", "--framework", "pytorch", "--format", "json").out)
    assert doc["output_shape"] is None
    assert doc["params"] == 320_032


@pytest.mark.parametrize(
    ("words", "closed_form"),
    [
        (["linear", "1", "--input", "32"], "(m + 1)·n = (32 + 1) × 1 = 33"),
        (["rnn", "32", "--input", "3,10000"], "n·(m + n + 2) = 32 × (10000 + 32 + 2) = 321,088"),
        (["gru", "32", "--input", "10000"], "3·n·(m + n + 2) = 3 × 32 × (10000 + 32 + 2) = 963,264"),
        (["conv2d", "16", "3", "--input", "3,32,32"], "C_out·C_in·k_h·k_w + C_out = 16 × 3 × 3 × 3 + 16 = 448"),
        (["batchnorm1d", "--input", "8"], "2·C = 2 × 8 = 16"),
        (["embedding", "50", "8"], "V·d = 50 × 8 = 400"),
        (["multiheadattention", "2", "--input", "5,8"], "4·E·E + 4·E = 4 × 8 × 8 + 4 × 8 = 288"),
    ],
)
def test_explain_pytorch_fills_sizes_from_input(run_cli: RunCli, words: list[str], closed_form: str) -> None:
    result = run_cli("explain", *words, "--framework", "pytorch")
    assert result.code == 0, result.err
    assert f"closed form: {closed_form}" in result.out


def test_explain_pytorch_markdown_and_latex(run_cli: RunCli) -> None:
    out = run_cli("explain", "lstm", "32", "--input", "10000", "--framework", "pytorch", "--format", "markdown").out
    assert out.startswith("### `lstm` (LSTM): 1,284,352 parameters")
    assert "| $b_{hh}$ | `bias_hh_l0` | $n = 32$ | 32 |" in out
    assert "P = 4 \\cdot n \\cdot \\left(m + n + 2\\right)" in out
    latex = run_cli("explain", "lstm", "32", "--input", "10000", "--framework", "pytorch", "--format", "latex").out
    assert "b_{hh} &= n = 32 = 32 \\\\" in latex


def test_explain_totals_an_ungated_layer(run_cli: RunCli) -> None:
    out = run_cli("explain", "Transformer(16, 2, 1, 1, 32)", "--framework", "pytorch").out
    assert "decoder.layers.0.norm3.bias" in out
    total = next(line for line in out.splitlines() if line.strip().startswith("total"))
    assert total.split()[-1] == "5,632"


def test_explain_shows_buffers_apart(run_cli: RunCli) -> None:
    out = run_cli("explain", "BatchNorm2d", "--input", "16,8,8", "--framework", "pytorch").out
    assert "buffers (saved with the model, not parameters):" in out
    assert "num_batches_tracked" in out
    assert "closed form: 2·C = 2 × 16 = 32" in out


def test_compare_lstm_side_by_side(run_cli: RunCli) -> None:
    result = run_cli("explain", "lstm", "32", "--input", "10000", "--compare")
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("LSTM (Keras) vs LSTM (PyTorch)")
    header = next(line for line in out.splitlines() if "Keras" in line and "PyTorch" in line and "vs" not in line)
    assert header.index("Keras") < header.index("PyTorch")
    closed = next(line for line in out.splitlines() if line.strip().startswith("closed form") and "·" in line)
    assert "4·n·(n + m + 1)" in closed
    assert "4·n·(m + n + 2)" in closed
    assert "bias_hh_l0 (128,)  128" in out
    assert "difference: PyTorch +128 (1,284,224 → 1,284,352)" in out
    assert "+4·n = +4 × 32 = +128" in out
    assert "\nKeras:\nlstm (LSTM)" in out
    assert "\nPyTorch:\nlstm (LSTM)" in out


@pytest.mark.parametrize(
    ("words", "difference", "why"),
    [
        (["lstm", "32", "--input", "10000"], 128, "two bias vectors per gate"),
        (["simplernn", "32", "--input", "10000"], 32, "Keras' SimpleRNN keeps one: +n = +32"),
        (["rnn", "32", "--input", "10000", "--framework", "pytorch"], 32, "+n = +32"),
        (["gru", "32", "--input", "10000"], 0, "reset_after=True"),
        (["dense", "1", "--input", "32"], 0, "transpose"),
        (["linear", "1", "--input", "32", "--framework", "pytorch"], 0, "transpose"),
        (["embedding", "50", "8"], 0, "Same count"),
    ],
)
def test_compare_explains_the_difference(run_cli: RunCli, words: list[str], difference: int, why: str) -> None:
    result = run_cli("explain", *words, "--compare", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["difference"] == difference
    assert doc["pytorch"]["params"] - doc["keras"]["params"] == difference
    assert why in doc["why"]


def test_compare_markdown_is_a_table(run_cli: RunCli) -> None:
    out = run_cli("explain", "lstm", "32", "--input", "10000", "--compare", "--format", "markdown").out
    assert out.startswith("## LSTM (Keras) vs LSTM (PyTorch)")
    assert "| parameters | `1,284,224` | `1,284,352` |" in out
    assert "**Difference:** PyTorch +128" in out


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["lstm", "32", "return_sequences=True", "--input", "10", "--compare"], "not an argument of PyTorch's LSTM"),
        (["relu", "--compare", "--framework", "pytorch"], "--compare has no counterpart for ReLU"),
        (["lstm", "10", "32", "--input", "10", "--framework", "pytorch"], None),
        (["LSTM(32, 10)", "--input", "10", "--framework", "pytorch"], "LSTM was built for input_size=32"),
        (["lstm", "--input", "10", "--framework", "pytorch"], "LSTM needs 'hidden_size'"),
        (["linear", "1", "2", "3", "--input", "8", "--framework", "pytorch"], "'bias' must be true or false, got 3"),
        (["Lstmm", "32", "--framework", "pytorch"], "unknown layer 'Lstmm' for PyTorch — did you mean 'LSTM'?"),
    ],
)
def test_explain_pytorch_errors_are_one_line(run_cli: RunCli, words: list[str], message: str | None) -> None:
    result = run_cli("explain", *words)
    if message is None:  # every required argument given: read literally, LSTM(10, 32)
        assert result.code == 0, result.err
        return
    assert result.code == 2
    assert result.out == ""
    assert message in result.err
    assert result.err.count("\n") == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "framework: pytorch\nlayers:\n  - Conv2D: [3, 8, 3]\n",
            "<stdin>:3: layer 1 (Conv2D): unknown layer 'Conv2D' for PyTorch — did you mean 'Conv2d'?",
        ),
        ("framework: pytorch\nlayers:\n  - Dense: 4\n", "unknown layer 'Dense' for PyTorch"),
        (
            "framework: pytorch\nlayers:\n  - Linear: {in_features: 4, out_feature: 2}\n",
            "<stdin>:3: layer 1 'linear' (Linear): unknown argument 'out_feature' for Linear — did you mean"
            " 'out_features'?",
        ),
        (
            "framework: pytorch\ninput: [4]\nlayers:\n  - Linear: [4, 2]\n  - Linear: [3, 1]\n",
            "<stdin>:5: layer 2 'linear_1' (Linear): Linear was built for in_features=3 but its input (None, 2)",
        ),
        ("framework: pytorch\nlayers:\n  - LSTM: 32\n", "LSTM needs 'hidden_size'"),
        ("framework: torch\nlayers:\n  - Linear: [4, 2]\n", "unknown framework 'torch'"),
        (
            "framework: pytorch\nlayers:\n  - TransformerEncoder: {encoder_layer: {Linaer: [4, 4]}, num_layers: 2}\n",
            "encoder_layer (Linaer): unknown layer 'Linaer' for PyTorch — did you mean 'Linear'?",
        ),
    ],
)
def test_bad_pytorch_specs_get_one_line_errors(
    run_cli: RunCli, spec: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(spec.encode())))
    result = run_cli("summary", "-")
    assert result.code == 2
    assert result.out == ""
    assert message in result.err
    assert result.err.count("\n") == 1


def test_framework_flag_applies_before_the_input_conventions(run_cli: RunCli, tmp_path: Path) -> None:
    spec = tmp_path / "emb.yaml"
    spec.write_text("layers:\n  - Embedding: [50, 8]\n  - Flatten\n", encoding="utf-8")
    doc = json.loads(run_cli("summary", str(spec), "--framework", "pytorch", "--format", "json").out)
    assert doc["framework"] == "pytorch"
    assert [layer["output_shape"] for layer in doc["layers"]] == [None, None]
    assert doc["total"] == 400


def test_layers_lists_torch_modules(run_cli: RunCli) -> None:
    out = run_cli("layers", "--framework", "pytorch").out
    names = [line.split(":")[0] for line in out.splitlines()]
    for name in ("Linear", "LSTM", "Conv2d", "BatchNorm2d", "MultiheadAttention", "Transformer", "ReLU"):
        assert name in names
    assert "Dense" not in names


def test_explain_without_framework_finds_a_torch_only_layer(run_cli: RunCli) -> None:
    doc = json.loads(run_cli("explain", "linear", "1", "--input", "32", "--format", "json").out)
    assert doc["class"] == "Linear"
    assert [t["weight"] for t in doc["terms"]] == ["weight", "bias"]
    assert doc["output_shape"] == [None, 1]
    assert doc["params"] == 33


@pytest.mark.parametrize(
    "extra", [["--config", str(SPECS / "llama-2-7b.config.json")], ["--framework", "transformers"]]
)
def test_compare_refuses_hugging_face_options(run_cli: RunCli, extra: list[str]) -> None:
    result = run_cli("explain", "lstm", "32", "--input", "10", "--compare", *extra)
    assert result.code == 2
    assert result.out == ""
    assert "--compare puts Keras and PyTorch side by side" in result.err
    assert result.err.count("\n") == 1


def test_totals_list_active_tied_and_buffer_lines_together() -> None:
    from paramcalc.render.summary_text import totals_lines
    from paramcalc.report import LayerRow, Report, Term

    experts = Term("E", "experts", (4, 3), ("E", "n"), share=(1, 4))
    head = Term("W", "weight", (2, 3), ("V", "n"), tied_to="embed.weight")
    stats = Term("mu", "running_mean", (3,), ("n",), buffer=True)
    row = LayerRow("block", "Block", ((None, 3),), terms=(experts, head, stats), copies=("b.0", "b.1"))
    lines = dict(totals_lines(Report("m", "pytorch", (row,))))
    assert lines["Total params"].startswith("24 ")
    assert lines["Active params per token"].startswith("6 ")
    assert "top-1 of 4 experts in 2 layers" in lines["Active params per token"]
    assert lines["Tied params (shown, counted once)"] == "12"
    assert lines["Buffers (not parameters)"] == "6"


def test_a_placeholder_in_a_module_that_ignores_its_arguments_is_still_refused(run_cli: RunCli) -> None:
    result = run_cli("summary", "Linear(4, 2) | Identity(?)", "--framework", "pytorch")
    assert result.code == 2
    assert result.out == ""
    assert "is the placeholder '?', which only 'paramcalc solve' fills in" in result.err
