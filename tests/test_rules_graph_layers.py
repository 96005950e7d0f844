"""Rule tables for attention, merging, wrappers and RNN cells: counts, weights, output shapes, errors.

Counts are worked out by hand from the Keras source (``keras/src/layers/attention``,
``merging``, ``rnn``); the golden corpus checks the same rules against real Keras.
"""

from __future__ import annotations

import pytest
from rule_helpers import run

from paramcalc.errors import LayerError, ParamcalcError
from paramcalc.formula import evaluate
from paramcalc.report import LayerRow, Shape

Weight = tuple[str, tuple[int, ...]]


def weights(row: LayerRow) -> list[Weight]:
    return [(t.path, t.shape) for t in row.terms]


def refused(call: str, *shapes: Shape) -> str:
    with pytest.raises(LayerError) as info:
        run(call, *shapes)
    text = info.value.render()
    assert "\n" not in text
    return text


def consistent(row: LayerRow) -> None:
    """The closed form equals the terms' sum and each term's dims evaluate to its shape."""
    symbols = dict(row.symbols)
    assert row.formula is not None
    assert evaluate(row.formula, symbols) == row.params
    for term in row.terms:
        assert term.dims is not None
        assert tuple(evaluate(d, symbols) for d in term.dims) == term.shape


# ---------------------------------------------------------------------------- attention
MHA_CASES = [
    (
        "MultiHeadAttention(4, 16)",
        [(10, 64), (10, 64)],
        16_640,
        (10, 64),
        [
            ("query/kernel", (64, 4, 16)),
            ("query/bias", (4, 16)),
            ("key/kernel", (64, 4, 16)),
            ("key/bias", (4, 16)),
            ("value/kernel", (64, 4, 16)),
            ("value/bias", (4, 16)),
            ("attention_output/kernel", (4, 16, 64)),
            ("attention_output/bias", (64,)),
        ],
    ),
    (
        "MultiHeadAttention(num_heads=4, key_dim=8, value_dim=6)",
        [(8, 32), (12, 48), (12, 16)],
        1056 + 544 + 1176 + 800,
        (8, 32),
        [
            ("query/kernel", (32, 4, 8)),
            ("query/bias", (4, 8)),
            ("key/kernel", (16, 4, 8)),
            ("key/bias", (4, 8)),
            ("value/kernel", (48, 4, 6)),
            ("value/bias", (4, 6)),
            ("attention_output/kernel", (4, 6, 32)),
            ("attention_output/bias", (32,)),
        ],
    ),
    (
        "MultiHeadAttention(2, 8, output_shape=(5, 2))",
        [(10, 64), (10, 64)],
        3 * (64 * 16 + 16) + 2 * 8 * 10 + 10,
        (10, 5, 2),
        [
            ("query/kernel", (64, 2, 8)),
            ("query/bias", (2, 8)),
            ("key/kernel", (64, 2, 8)),
            ("key/bias", (2, 8)),
            ("value/kernel", (64, 2, 8)),
            ("value/bias", (2, 8)),
            ("attention_output/kernel", (2, 8, 5, 2)),
            ("attention_output/bias", (5, 2)),
        ],
    ),
    (
        "MultiHeadAttention(4, 16, use_bias=False, use_gate=True)",
        [(10, 64), (10, 64)],
        5 * 64 * 64,
        (10, 64),
        [
            ("query/kernel", (64, 4, 16)),
            ("key/kernel", (64, 4, 16)),
            ("gate/kernel", (64, 4, 16)),
            ("value/kernel", (64, 4, 16)),
            ("attention_output/kernel", (4, 16, 64)),
        ],
    ),
    (
        "MultiHeadAttention(2, 4, attention_axes=(1, 2))",
        [(5, 6, 32), (5, 6, 32)],
        3 * (32 * 8 + 8) + 8 * 32 + 32,
        (5, 6, 32),
        [
            ("query/kernel", (32, 2, 4)),
            ("query/bias", (2, 4)),
            ("key/kernel", (32, 2, 4)),
            ("key/bias", (2, 4)),
            ("value/kernel", (32, 2, 4)),
            ("value/bias", (2, 4)),
            ("attention_output/kernel", (2, 4, 32)),
            ("attention_output/bias", (32,)),
        ],
    ),
    (
        "GroupedQueryAttention(head_dim=16, num_query_heads=8, num_key_value_heads=2)",
        [(10, 64), (10, 64)],
        8320 + 2 * 2080 + 8256,
        (10, 64),
        [
            ("query/kernel", (64, 8, 16)),
            ("query/bias", (8, 16)),
            ("key/kernel", (64, 2, 16)),
            ("key/bias", (2, 16)),
            ("value/kernel", (64, 2, 16)),
            ("value/bias", (2, 16)),
            ("attention_output/kernel", (8, 16, 64)),
            ("attention_output/bias", (64,)),
        ],
    ),
    (
        "GroupQueryAttention(8, 4, 1, use_bias=False)",
        [(10, 32), (10, 32), (10, 12)],
        32 * 32 + 12 * 8 + 32 * 8 + 32 * 32,
        (10, 32),
        [
            ("query/kernel", (32, 4, 8)),
            ("key/kernel", (12, 1, 8)),
            ("value/kernel", (32, 1, 8)),
            ("attention_output/kernel", (4, 8, 32)),
        ],
    ),
    ("Attention()", [(8, 16), (10, 16)], 0, (8, 16), []),
    ("Attention(use_scale=True)", [(8, 16), (10, 12), (10, 16)], 1, (8, 12), [("scale", ())]),
    (
        "Attention(use_scale=True, score_mode='concat')",
        [(8, 16), (10, 16)],
        2,
        (8, 16),
        [("scale", ()), ("concat_score_weight", ())],
    ),
    ("AdditiveAttention()", [(8, 16), (10, 16)], 16, (8, 16), [("scale", (16,))]),
    ("AdditiveAttention(use_scale=False)", [(8, 16), (10, 16)], 0, (8, 16), []),
]


@pytest.mark.parametrize(("call", "shapes", "params", "output", "expected"), MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_attention_counts_weights_and_shapes(
    call: str, shapes: list[Shape], params: int, output: Shape, expected: list[Weight]
) -> None:
    row = run(call, *shapes)
    assert row.params == params
    assert weights(row) == expected
    assert row.outputs == (output,)
    consistent(row)


def test_gqa_class_name_is_keras_class_not_the_export_alias() -> None:
    assert run("GroupQueryAttention(8, 4, 2)", (10, 32), (10, 32)).class_name == "GroupedQueryAttention"


@pytest.mark.parametrize(
    ("call", "shapes", "needles"),
    [
        ("MultiHeadAttention(4, 16)", [(10, 64)], ["2 or 3 inputs, got 1"]),
        ("MultiHeadAttention(4, 16)", [(8, 32), (12, 48), (10, 16)], ["(None, 12, 48)", "(None, 10, 16)"]),
        ("MultiHeadAttention(2, 4, attention_axes=[2])", [(5, 6), (5, 6)], ["attention axis 2"]),
        ("MultiHeadAttention(0, 4)", [(5, 6), (5, 6)], ["'num_heads' must be positive"]),
        ("MultiHeadAttention(2, 4, output_shape='x')", [(5, 6), (5, 6)], ["'output_shape' must be"]),
        ("GroupedQueryAttention(16, 6, 4)", [(10, 64), (10, 64)], ["num_query_heads (6)", "num_key_value_heads (4)"]),
        ("GroupedQueryAttention(8, 4, 2)", [(8, 32), (12, 48)], ["(None, 8, 32)", "(None, 12, 48)"]),
        ("GroupedQueryAttention(8, 4, 2)", [(5, 8, 32), (5, 8, 32)], ["expects a 3-D input"]),
        ("Attention(score_mode='add')", [(8, 16), (10, 16)], ["'score_mode' must be one of dot, concat"]),
    ],
)
def test_attention_refusals_name_the_shapes(call: str, shapes: list[Shape], needles: list[str]) -> None:
    text = refused(call, *shapes)
    for needle in needles:
        assert needle in text


# ---------------------------------------------------------------------------- merging
MERGE_CASES = [
    ("Add()", [(8,), (8,)], (8,)),
    ("Add()", [(4, 8), (1, 8)], (4, 8)),
    ("Add()", [(8,), (4, 8)], (4, 8)),
    ("Add()", [(None, 8), (5, 8)], (None, 8)),
    ("Subtract()", [(2, 8), (2, 8)], (2, 8)),
    ("Multiply()", [(16, 16, 64), (1, 1, 64)], (16, 16, 64)),
    ("Average()", [(8,), (8,), (8,)], (8,)),
    ("Maximum()", [(4, 8), (4, 8)], (4, 8)),
    ("Minimum()", [(6,), (6,)], (6,)),
    ("Concatenate()", [(8,), (5,)], (13,)),
    ("Concatenate(axis=1)", [(3, 8), (5, 8)], (8, 8)),
    ("Concatenate(axis=-2)", [(3, 8), (5, 8)], (8, 8)),
    ("Concatenate()", [(28, 28, 16), (28, 28, 8), (28, 28, 8)], (28, 28, 32)),
    ("Concatenate(1)", [(None, 8), (5, 8)], (None, 8)),
    ("Dot(1)", [(8,), (8,)], (1,)),
    ("Dot(axes=2)", [(3, 4), (5, 4)], (3, 5)),
    ("Dot(axes=(1, 1))", [(3, 4), (3, 6)], (4, 6)),
    ("Dot(axes=-1, normalize=True)", [(8,), (8,)], (1,)),
]


@pytest.mark.parametrize(("call", "shapes", "output"), MERGE_CASES, ids=[f"{c[0]}-{c[1]}" for c in MERGE_CASES])
def test_merging_layers_have_no_weights_and_keras_shapes(call: str, shapes: list[Shape], output: Shape) -> None:
    row = run(call, *shapes)
    assert row.params == 0
    assert row.terms == ()
    assert row.outputs == (output,)
    assert row.formula == "0"


@pytest.mark.parametrize(
    ("call", "shapes", "needles"),
    [
        ("Concatenate(axis=-1)", [(3, 8), (5, 8)], ["(None, 3, 8) and (None, 5, 8)", "every other axis"]),
        ("Concatenate()", [(3, 8), (8,)], ["same rank", "(None, 3, 8) and (None, 8)"]),
        ("Concatenate(axis=3)", [(3, 8), (3, 8)], ["axis 3 is out of range"]),
        ("Concatenate(axis=0)", [(3, 8), (3, 8)], ["axis 0 is the batch"]),
        ("Add()", [(8,), (6,)], ["(None, 8) and (None, 6)"]),
        ("Add()", [(8,)], ["at least 2 inputs, got 1"]),
        ("Subtract()", [(8,), (8,), (8,)], ["exactly 2 inputs, got 3"]),
        ("Dot(1)", [(8,), (6,)], ["(None, 8) (axis 1) and (None, 6) (axis 1)"]),
        ("Dot(axes=(1, 2, 3))", [(8,), (8,)], ["'axes' must be an integer or a pair"]),
    ],
)
def test_merging_refusals_name_both_shapes(call: str, shapes: list[Shape], needles: list[str]) -> None:
    text = refused(call, *shapes)
    for needle in needles:
        assert needle in text, text


# ---------------------------------------------------------------------------- wrappers
LSTM16 = [("lstm_cell/kernel", (8, 64)), ("lstm_cell/recurrent_kernel", (16, 64)), ("lstm_cell/bias", (64,))]


def scoped(scope: str, items: list[Weight]) -> list[Weight]:
    return [(f"{scope}/{path}", shape) for path, shape in items]


@pytest.mark.parametrize(
    ("call", "outputs"),
    [
        ("Bidirectional(LSTM(16))", [(32,)]),
        ("Bidirectional(LSTM(16), merge_mode='sum')", [(16,)]),
        ("Bidirectional(LSTM(16), merge_mode='ave')", [(16,)]),
        ("Bidirectional(LSTM(16), merge_mode='mul')", [(16,)]),
        ("Bidirectional(LSTM(16), merge_mode=None)", [(16,), (16,)]),
        ("Bidirectional(LSTM(16, return_sequences=True))", [(10, 32)]),
        ("Bidirectional(LSTM(16, return_state=True))", [(32,), (16,), (16,), (16,), (16,)]),
        ("Bidirectional(LSTM(16, return_state=True), merge_mode=None)", [(16,)] * 6),
        (
            "Bidirectional(layer=LSTM(16, return_state=True, return_sequences=True), merge_mode='sum')",
            [(10, 16)] + [(16,)] * 4,
        ),
    ],
)
def test_bidirectional_doubles_the_layer_and_merges_as_keras(call: str, outputs: list[Shape]) -> None:
    row = run(call, (10, 8))
    assert row.params == 3200
    assert weights(row) == scoped("forward_lstm", LSTM16) + scoped("backward_lstm", LSTM16)
    assert list(row.outputs) == outputs
    assert row.multi_output == (len(outputs) > 1)
    assert row.formula == "2*(4*n*(n+m+1))"
    consistent(row)


def test_bidirectional_with_its_own_backward_layer() -> None:
    row = run("Bidirectional(LSTM(16), backward_layer=GRU(4, go_backwards=True, name='back'))", (10, 8))
    gru = [
        ("back/gru_cell/kernel", (8, 12)),
        ("back/gru_cell/recurrent_kernel", (4, 12)),
        ("back/gru_cell/bias", (2, 12)),
    ]
    assert weights(row) == scoped("forward_lstm", LSTM16) + gru
    assert row.params == 1600 + 3 * 4 * (4 + 8 + 2)
    assert row.outputs == ((32,),)  # Keras doubles the forward width, whatever the backward layer's
    consistent(row)


def test_time_distributed_applies_the_inner_layer_per_step() -> None:
    row = run("TimeDistributed(Dense(8))", (10, 16))
    assert weights(row) == [("dense/kernel", (16, 8)), ("dense/bias", (8,))]
    assert row.outputs == ((10, 8),)
    assert row.params == 136
    consistent(row)
    assert run("TimeDistributed(Dense(5, name='head'))", (4, 6, 16)).outputs == ((4, 6, 5),)
    assert weights(run("TimeDistributed(layer=Dropout(0.5))", (4, 6))) == []


def test_rnn_runs_a_cell_or_a_stack_of_cells() -> None:
    row = run("RNN(LSTMCell(16))", (10, 8))
    assert weights(row) == [
        ("lstm_cell/kernel", (8, 64)),
        ("lstm_cell/recurrent_kernel", (16, 64)),
        ("lstm_cell/bias", (64,)),
    ]
    assert row.outputs == ((16,),)
    stacked = run("RNN([SimpleRNNCell(6), LSTMCell(5)], return_sequences=True)", (10, 8))
    assert stacked.params == 6 * (6 + 8 + 1) + 4 * 5 * (5 + 6 + 1)
    assert stacked.terms[0].path == "stacked_rnn_cells/simple_rnn_cell/kernel"
    assert stacked.outputs == ((10, 5),)
    consistent(stacked)
    states = run("RNN(GRUCell(12, reset_after=False), return_state=True)", (10, 8))
    assert states.outputs == ((12,), (12,))
    assert states.params == 3 * 12 * (12 + 8 + 1)


@pytest.mark.parametrize(
    ("call", "shape", "needles"),
    [
        ("Bidirectional(Dense(4))", (10, 8), ["Bidirectional wraps a recurrent layer", "got Dense"]),
        ("Bidirectional(LSTM(4), backward_layer=LSTM(4))", (10, 8), ["must differ in go_backwards"]),
        ("Bidirectional(LSTM(4, go_backwards=True))", (10, 8), ["must differ in go_backwards"]),
        (
            "Bidirectional(LSTM(4), backward_layer=LSTM(4, go_backwards=True, return_sequences=True))",
            (10, 8),
            ["must agree on return_sequences"],
        ),
        ("Bidirectional(LSTM(4), merge_mode='max')", (10, 8), ["'merge_mode' must be one of"]),
        ("Bidirectional(4)", (10, 8), ["'layer' must be a layer"]),
        ("Bidirectional(LSTM(4))", (8,), ["LSTM expects a 3-D input"]),
        ("TimeDistributed(Dense(4))", (8,), ["TimeDistributed expects an input of at least 3 dimensions"]),
        ("TimeDistributed(Dense(0))", (5, 8), ["'units' must be positive"]),
        ("TimeDistributed(Lstm2(4))", (5, 8), ["unknown layer 'Lstm2'"]),
        ("RNN(Dense(4))", (10, 8), ["RNN runs a recurrent cell", "got Dense"]),
    ],
)
def test_wrapper_refusals(call: str, shape: Shape, needles: list[str]) -> None:
    with pytest.raises(ParamcalcError) as info:
        run(call, shape)
    text = info.value.render()
    assert "\n" not in text
    for needle in needles:
        assert needle in text, text
