"""Rule tables for the torch.nn rules: counts, parameter names, shapes, buffers, errors.

Counts here are worked out by hand from torch's source (torch/nn/modules/*.py); the corpus
test (test_torch_corpus.py) checks the same rules against real torch.
"""

from __future__ import annotations

import json

import pytest
from conftest import RunCli

from paramcalc.engine import analyze, run_layer
from paramcalc.errors import LayerError, ParamcalcError
from paramcalc.report import LayerRow, Shape
from paramcalc.rules import all_rules, find_rule
from paramcalc.spec.inline_spec import parse_inline, parse_layer_calls


def row_for(call: str, shape: Shape | None = None) -> LayerRow:
    """One torch layer on a batch-free input shape (the batch axis is inserted like a spec's)."""
    (layer,) = parse_layer_calls(call)
    return run_layer(layer, "layer", [shape], "pytorch", add_batch=(True,))


@pytest.mark.parametrize(
    ("call", "params", "names"),
    [
        ("Linear(10000, 32)", 320_032, ["weight", "bias"]),
        ("Linear(8, 4, bias=False)", 32, ["weight"]),
        ("Bilinear(8, 6, 3)", 147, ["weight", "bias"]),
        ("Embedding(50, 8, padding_idx=0)", 400, ["weight"]),
        ("EmbeddingBag(100000, 300, mode='sum')", 30_000_000, ["weight"]),
        ("RNN(10000, 32)", 321_088, ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]),
        ("LSTM(10000, 32)", 1_284_352, ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]),
        ("GRU(10000, 32)", 963_264, ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]),
        ("LSTM(6, 4, bias=False)", 160, ["weight_ih_l0", "weight_hh_l0"]),
        ("RNNCell(6, 4)", 48, ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]),
        ("LSTMCell(6, 4)", 192, ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]),
        ("Conv2d(3, 16, 3)", 448, ["weight", "bias"]),
        ("Conv2d(3, 6, 3, groups=3, bias=False)", 54, ["weight"]),
        ("ConvTranspose2d(4, 6, 3, groups=2)", 114, ["weight", "bias"]),
        ("BatchNorm2d(16)", 32, ["weight", "bias"]),
        ("BatchNorm1d(8, affine=False)", 0, []),
        ("LayerNorm([5, 8])", 80, ["weight", "bias"]),
        ("LayerNorm(8, bias=False)", 8, ["weight"]),
        ("GroupNorm(2, 4)", 8, ["weight", "bias"]),
        ("InstanceNorm2d(4)", 0, []),
        ("RMSNorm(8)", 8, ["weight"]),
        ("PReLU(4)", 4, ["weight"]),
        ("MultiheadAttention(8, 2)", 288, ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]),
        ("ReLU()", 0, []),
        ("Identity(54, anything='ignored')", 0, []),
    ],
)
def test_counts_without_input(call: str, params: int, names: list[str]) -> None:
    row = row_for(call)
    assert row.params == params
    assert [t.weight for t in row.terms if not t.buffer] == names
    assert not row.known_outputs


def test_lstm_layers_and_directions_name_every_tensor() -> None:
    row = row_for("LSTM(6, 4, num_layers=2, bidirectional=True, proj_size=2)")
    names = [t.weight for t in row.terms]
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert names[5] == "weight_ih_l0_reverse"
    assert names[-1] == "weight_hr_l1_reverse"
    shapes = {t.weight: t.shape for t in row.terms}
    assert shapes["weight_ih_l1"] == (16, 4)  # reads both directions of the projected layer 0
    assert shapes["weight_hh_l0"] == (16, 2)
    assert shapes["weight_hr_l0"] == (2, 4)
    assert row.params == 608


@pytest.mark.parametrize(
    ("call", "shape", "outputs"),
    [
        ("LSTM(6, 4)", (5, 6), [(5, None, 4), (1, None, 4), (1, None, 4)]),
        ("LSTM(6, 4, batch_first=True)", (5, 6), [(None, 5, 4), (1, None, 4), (1, None, 4)]),
        ("GRU(6, 4, 2, bidirectional=True)", (5, 6), [(5, None, 8), (4, None, 4)]),
        ("LSTM(6, 4, proj_size=2, batch_first=True)", (5, 6), [(None, 5, 2), (1, None, 2), (1, None, 4)]),
        ("Linear(8, 3)", (2, 5, 8), [(None, 2, 5, 3)]),
        ("Conv2d(3, 8, 3, stride=2, padding=1)", (3, 12, 12), [(None, 8, 6, 6)]),
        ("Conv1d(3, 4, 4, padding='same')", (3, 16), [(None, 4, 16)]),
        ("ConvTranspose2d(16, 8, 3, 2, 1, 1)", (16, 3, 3), [(None, 8, 6, 6)]),
        ("MaxPool2d(3, 2, 1, ceil_mode=True)", (3, 9, 9), [(None, 3, 5, 5)]),
        ("MultiheadAttention(8, 2, add_bias_kv=True)", (5, 8), [(5, None, 8), (None, 5, 6)]),
        ("Flatten()", (3, 4, 5), [(None, 60)]),
        ("Embedding(50, 8)", (4,), [(None, 4, 8)]),
        ("Upsample(scale_factor=1.5)", (3, 5, 5), [(None, 3, 7, 7)]),
        ("PixelShuffle(2)", (8, 3, 3), [(None, 2, 6, 6)]),
    ],
)
def test_output_shapes_follow_the_forward_pass(call: str, shape: Shape, outputs: list[Shape]) -> None:
    assert list(row_for(call, shape).outputs) == outputs


def test_sequence_first_input_gets_its_batch_axis_at_axis_1() -> None:
    report = analyze(parse_inline("LSTM(6, 4) | Linear(4, 1)", framework="pytorch"))
    assert not report.layers[1].known_outputs  # no input: unknown
    model = parse_inline("Input(shape=(5, 6)) | LSTM(6, 4) | Linear(4, 1)", framework="pytorch")
    rows = analyze(model).layers
    assert rows[0].input_shapes == ((5, None, 6),)
    assert rows[1].outputs == ((5, None, 1),)


def test_batch_norm_running_stats_are_buffers_not_parameters() -> None:
    row = row_for("BatchNorm2d(16)", (16, 4, 4))
    assert row.params == 32
    assert row.buffers == 33
    assert [(t.weight, t.shape) for t in row.terms if t.buffer] == [
        ("running_mean", (16,)),
        ("running_var", (16,)),
        ("num_batches_tracked", ()),
    ]
    assert row_for("BatchNorm2d(16, track_running_stats=False)").buffers == 0
    assert row_for("InstanceNorm2d(4, track_running_stats=True)").buffers == 9


def test_buffers_are_reported_in_json_but_not_counted(run_cli: RunCli) -> None:
    result = run_cli("summary", "Input(shape=(3, 8, 8)) | Conv2d(3, 8, 3) | BatchNorm2d(8)", "--framework", "pytorch")
    assert "Total params: 240 (" in result.out
    assert "Buffers (not parameters): 17" in result.out
    doc = json.loads(
        run_cli("summary", "Conv2d(3, 8, 3) | BatchNorm2d(8)", "--framework", "pytorch", "--format", "json").out
    )
    assert doc["total"] == 240
    assert doc["buffers"] == 17
    bn = doc["layers"][1]
    assert bn["params"] == 16
    assert bn["buffers"] == 17
    assert [t["weight"] for t in bn["terms"] if t.get("buffer")] == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]


def test_no_input_means_unknown_output_shapes(run_cli: RunCli) -> None:
    table = run_cli("summary", "LSTM(10000, 32) | Linear(32, 1)", "--framework", "pytorch")
    assert table.code == 0, table.err
    assert "│ lstm (LSTM)                          │ ?  " in table.out
    assert "Total params: 1,284,385 (" in table.out
    doc = json.loads(run_cli("summary", "Linear(10000, 32)", "--framework", "pytorch", "--format", "json").out)
    assert doc["layers"][0]["output_shape"] is None
    markdown = run_cli("summary", "Linear(10000, 32)", "--framework", "pytorch", "--format", "markdown").out
    assert "| linear (Linear) | `?` | 320,032 |" in markdown


def test_tuple_outputs_keep_their_nesting_in_json(run_cli: RunCli) -> None:
    doc = json.loads(
        run_cli(
            "summary",
            "Input(shape=(3, 10)) | LSTM(10, 4, batch_first=True)",
            "--framework",
            "pytorch",
            "--format",
            "json",
        ).out
    )
    lstm = doc["layers"][0]
    assert lstm["output_shape"] == [None, 3, 4]
    assert lstm["outputs"] == [[None, 3, 4], [[1, None, 4], [1, None, 4]]]


def test_frozen_embedding_is_non_trainable() -> None:
    row = row_for("Embedding(50, 8, _freeze=True)")
    assert (row.params, row.trainable, row.non_trainable) == (400, 0, 400)


def test_identity_ignores_its_arguments_but_relu_does_not() -> None:
    assert row_for("Identity(1, 2, x=3)", (4,)).outputs == ((None, 4),)
    with pytest.raises(LayerError, match="unknown argument 'x' for ReLU"):
        row_for("ReLU(x=1)")


def test_keyword_only_bias_cannot_be_given_by_position() -> None:
    assert row_for("BatchNorm1d(8, bias=False)").params == 8
    with pytest.raises(LayerError, match="BatchNorm1d takes at most 7 positional arguments"):
        row_for("BatchNorm1d(8, 1e-5, 0.1, True, True, None, None, False)")


def test_torch_class_names_are_case_sensitive_in_specs() -> None:
    with pytest.raises(LayerError) as info:
        find_rule("Conv2D", "pytorch")
    assert "unknown layer 'Conv2D' for PyTorch — did you mean 'Conv2d'?" in info.value.render()
    assert find_rule("conv2d", "pytorch", exact=False).name == "Conv2d"
    assert find_rule("dense", "keras").name == "Dense"


def test_every_torch_rule_explains_itself_and_sees_the_batch_axis() -> None:
    table = all_rules("pytorch")
    assert len(table) >= 120
    for name, found in table.items():
        assert found.why, name
        assert found.batch_in_shapes, name


def test_lecture_transformer_default_matches_the_paper_without_embeddings() -> None:
    assert row_for("Transformer()").params == 44_140_544


@pytest.mark.parametrize(
    ("call", "shape", "message"),
    [
        ("Linear(8, 4)", (5,), "Linear was built for in_features=8 but its input (None, 5) has 5 on axis 1"),
        ("Linear(0, 4)", None, "'in_features' must be positive, got 0"),
        ("Linear(8, 4.5)", None, "'out_features' must be an integer, got 4.5"),
        ("Linear(8, 4, bias='yes')", None, "'bias' must be true or false"),
        ("Linear(8, 4, bais=False)", None, "unknown argument 'bais' for Linear — did you mean 'bias'?"),
        ("LSTM(6, 4)", (2, 3, 6), "LSTM expects a 2-D (L, H_in) unbatched or a 3-D"),
        ("LSTM(6, 4, proj_size=4)", None, "proj_size has to be smaller than hidden_size"),
        ("GRU(6, 4, proj_size=2)", None, "proj_size argument is only supported for LSTM, not RNN or GRU"),
        ("RNN(6, 4, nonlinearity='sigmoid')", None, "'nonlinearity' must be one of tanh, relu"),
        ("LSTM(6, 4, dropout=1.5)", None, "dropout should be a number in range [0, 1]"),
        ("Conv2d(3, 8, 3, stride=2, padding='same')", None, "padding='same' is not supported for strided"),
        ("Conv2d(3, 8, 3, groups=2)", None, "in_channels must be divisible by groups"),
        ("Conv2d(3, 8, 3)", (3, 2, 2), "the kernel (3 with dilation) is larger than the padded input (2)"),
        ("Conv2d(3, 8, 3)", (4, 8, 8), "in_channels=3 but its input (None, 4, 8, 8) has 4 on axis 1"),
        ("ConvTranspose1d(3, 8, 3, padding_mode='reflect')", None, 'Only "zeros" padding mode is supported'),
        ("BatchNorm2d(8)", (8, 4), "BatchNorm2d expects a 4-D (N, C, H, W) input, got (None, 8, 4)"),
        ("GroupNorm(3, 4)", None, "num_channels must be divisible by num_groups"),
        ("LayerNorm(8)", (5, 6), "normalized_shape=[8] expects an input of shape (*, 8)"),
        ("MultiheadAttention(8, 3)", None, "embed_dim must be divisible by num_heads"),
        ("Embedding(50, 8, padding_idx=50)", None, "padding_idx must be within num_embeddings"),
        ("Dropout(1.5)", None, "dropout probability has to be between 0 and 1, but got 1.5"),
        ("MaxPool2d(2, padding=2)", (3, 8, 8), "pad should be at most half of kernel size"),
        ("LazyLinear(4)", None, "LazyLinear infers in_features from its first input, and the spec gives no input"),
        ("TransformerEncoder(LayerNorm(8), 2)", (5, 8), None),
        ("TransformerEncoder(Linea(8, 8), 2)", None, "encoder_layer (Linea): unknown layer 'Linea' for PyTorch"),
        ("Transformer(num_encoder_layers=0)", (5, 512), "cannot run forward"),
        ("LSTM(4, 4, num_layers=1000000000)", None, "LSTM would hold 5,000,000,000 parameter tensors"),
        # found by tools/torch_fuzz.py: torch refuses these, so paramcalc must too
        ("Conv1d(2, 3, 4, padding='SAME')", None, "'padding' must be one of same, valid, got 'SAME'"),
        ("RNN(6, 4, proj_size=0)", None, "proj_size argument is only supported for LSTM"),
        ("GRU(6, 4, 1, True, False, 0.0, False, 2)", (5, 6), "GRU with proj_size=2 cannot run forward"),
        ("AdaptiveAvgPool1d((None,))", (3, 8), "cannot keep an input size"),
        ("AdaptiveAvgPool2d(3)", (5,), "AdaptiveAvgPool2d expects a 3-D"),
        ("FractionalMaxPool2d(3, output_size=(3, 3))", (1, 4, 4), "kernel 3 is too large for an output of 3"),
        ("FractionalMaxPool3d(2, output_size=3)", (1, 4, 4, 4), "kernel 2 is too large for an output of 3"),
        ("AvgPool3d(3, padding=1)", (1, 4, 4, 2), "is smaller than the kernel [3, 3, 3]"),
        ("LPPool3d(0, 2)", (1, 4, 4, 4), "norm_type 0 cannot run forward"),
        ("LPPool1d(2, (3,))", (1, 7), "kernel_size, which must be an integer"),
        ("MaxPool2d(3, padding=2, dilation=3)", (1, 9, 9), "pad should be at most half of kernel size"),
        ("ReplicationPad1d((-2, -1))", (1, 3), "leaves nothing of axis 2"),
        ("ReflectionPad1d(1)", (1, 0), "every non-batch axis of its input to be non-empty"),
        ("Conv1d(1, 1, 1, padding=1)", (1, 0), "every non-batch axis of its input to be non-empty"),
        ("Upsample(size=4, recompute_scale_factor=True)", (1, 3), "not meaningful with an explicit size"),
        ("Upsample(scale_factor=0.5)", (1, 1), "input and output sizes should be greater than 0"),
        ("InstanceNorm1d(3)", (3, 1), "has only one"),
        ("BatchNorm1d(3, eps=0.0, track_running_stats=False)", (3,), "eps=0 with batch statistics"),
        ("InstanceNorm1d(2, track_running_stats=True)", (3, 5), "built for num_features=2"),
        ("GroupNorm(2, 2, affine=False)", (3, 5), "divisible by num_groups=2"),
        ("EmbeddingBag(10, 3, mode='max', sparse=True)", (4,), "max mode does not support sparse weights"),
        ("EmbeddingBag(10, 3, mode='max', scale_grad_by_freq=True)", (4,), "scaling the gradient by the frequency"),
        ("Hardtanh(2.0)", None, "max_val (1) must be greater than min_val (2)"),
        ("RReLU(0.5, 0.1)", (3,), "lower bound should be less than or equal to the upper bound"),
        ("Softshrink(-1.0)", (3,), "lambd must be >= 0"),
        ("CELU(0.0)", (3,), "alpha cannot be 0"),
        ("Softplus(threshold=None)", None, "'threshold' must be a finite number, got None"),
    ],
)
def test_bad_arguments_and_shapes_are_layer_errors(call: str, shape: Shape | None, message: str | None) -> None:
    if message is None:  # accepted: any module can be stacked, as torch deep-copies whatever it is given
        assert row_for(call, shape).params == 32
        return
    with pytest.raises(ParamcalcError) as info:
        row_for(call, shape)
    assert message in info.value.render()
