"""Rule tables for the core and recurrent Keras layers: counts, weight shapes, output shapes.

Counts are checked by hand here (closed forms from the Keras source); the golden tests
check the same rules against real Keras.
"""

from __future__ import annotations

import pytest

from paramcalc.engine import run_layer
from paramcalc.errors import LayerError
from paramcalc.report import Shape
from paramcalc.spec.inline_spec import parse_layer_calls


def count(call: str, shape: Shape) -> tuple[int, list[tuple[str, tuple[int, ...]]], list[Shape], bool]:
    (layer,) = parse_layer_calls(call)
    row = run_layer(layer, "layer", [shape])
    return row.params, [(t.weight, t.shape) for t in row.terms], list(row.outputs), row.multi_output


@pytest.mark.parametrize(
    ("call", "shape", "params", "weights", "outputs"),
    [
        ("Dense(1)", (32,), 33, [("kernel", (32, 1)), ("bias", (1,))], [(1,)]),
        ("Dense(4, use_bias=False)", (3,), 12, [("kernel", (3, 4))], [(4,)]),
        ("Dense(8)", (5, 7, 3), 32, [("kernel", (3, 8)), ("bias", (8,))], [(5, 7, 8)]),
        ("Dense(units=2, activation='relu')", (None, 6), 14, [("kernel", (6, 2)), ("bias", (2,))], [(None, 2)]),
        ("Embedding(50, 8)", (4,), 400, [("embeddings", (50, 8))], [(4, 8)]),
        ("Embedding(input_dim=10, output_dim=3, mask_zero=True)", (None,), 30, [("embeddings", (10, 3))], [(None, 3)]),
        (
            "SimpleRNN(32)",
            (3, 10000),
            321_056,
            [("kernel", (10000, 32)), ("recurrent_kernel", (32, 32)), ("bias", (32,))],
            [(32,)],
        ),
        ("SimpleRNN(4, use_bias=False)", (None, 2), 24, [("kernel", (2, 4)), ("recurrent_kernel", (4, 4))], [(4,)]),
        (
            "LSTM(32)",
            (3, 10000),
            1_284_224,
            [("kernel", (10000, 128)), ("recurrent_kernel", (32, 128)), ("bias", (128,))],
            [(32,)],
        ),
        (
            "GRU(32)",
            (3, 10000),
            963_264,
            [("kernel", (10000, 96)), ("recurrent_kernel", (32, 96)), ("bias", (2, 96))],
            [(32,)],
        ),
        (
            "GRU(32, reset_after=False)",
            (3, 10000),
            963_168,
            [("kernel", (10000, 96)), ("recurrent_kernel", (32, 96)), ("bias", (96,))],
            [(32,)],
        ),
        ("GRU(3, use_bias=False)", (5, 2), 45, [("kernel", (2, 9)), ("recurrent_kernel", (3, 9))], [(3,)]),
        ("Dropout(0.5)", (3, 4), 0, [], [(3, 4)]),
        ("Activation('relu')", (7,), 0, [], [(7,)]),
        ("Flatten()", (3, 4, 5), 0, [], [(60,)]),
        ("Flatten()", (None, 4), 0, [], [(None,)]),
    ],
)
def test_rule_counts_weights_and_shapes(
    call: str, shape: Shape, params: int, weights: list[tuple[str, tuple[int, ...]]], outputs: list[Shape]
) -> None:
    got_params, got_weights, got_outputs, _ = count(call, shape)
    assert got_params == params
    assert got_weights == weights
    assert got_outputs == outputs


@pytest.mark.parametrize(
    ("call", "outputs"),
    [
        ("LSTM(8, return_sequences=True)", [(5, 8)]),
        ("LSTM(8, return_state=True)", [(8,), (8,), (8,)]),
        ("LSTM(8, return_sequences=True, return_state=True)", [(5, 8), (8,), (8,)]),
        ("GRU(8, return_state=True)", [(8,), (8,)]),
        ("SimpleRNN(8, return_sequences=True, return_state=True)", [(5, 8), (8,)]),
    ],
)
def test_return_state_changes_only_output_shapes(call: str, outputs: list[Shape]) -> None:
    params, _, got_outputs, multi = count(call, (5, 3))
    plain, _, _, _ = count(call.split(",")[0] + ")", (5, 3))
    assert params == plain
    assert got_outputs == outputs
    assert multi == ("return_state" in call)


@pytest.mark.parametrize(
    ("call", "shape", "message"),
    [
        ("Dense()", (3,), "Dense needs 'units'"),
        ("Dense(0)", (3,), "'units' must be positive, got 0"),
        ("Dense(-4)", (3,), "'units' must be positive"),
        ("Dense(2.5)", (3,), "'units' must be an integer, got 2.5"),
        ("Dense(True)", (3,), "'units' must be an integer, got True"),
        ("Dense(4, unit=3)", (3,), "unknown argument 'unit' for Dense — did you mean 'units'?"),
        ("Dense(4, units=3)", (3,), "given both by position and by name"),
        ("LSTM(4)", (10,), "LSTM expects a 3-D input (batch, timesteps, features), got (None, 10)"),
        ("LSTM(4)", (2, 3, 4), "LSTM expects a 3-D input"),
        ("Dense(4)", (None,), "needs a known last input axis"),
        ("GRU(4, reset_after='yes')", (2, 3), "'reset_after' must be true or false"),
        ("Dropout(1.5)", (3,), "'rate' must be between 0.0 and 1.0"),
    ],
)
def test_bad_arguments_and_shapes_are_layer_errors(call: str, shape: Shape, message: str) -> None:
    with pytest.raises(LayerError) as info:
        count(call, shape)
    assert message in info.value.render()


def test_layer_names_are_case_insensitive() -> None:
    assert count("lstm(4)", (2, 3))[0] == count("LSTM(4)", (2, 3))[0]
    assert count("dense(4)", (2,))[0] == 12


def test_trainable_false_moves_weights_to_non_trainable() -> None:
    (layer,) = parse_layer_calls("Dense(4, trainable=False)")
    row = run_layer(layer, "dense", [(3,)])
    assert row.params == 16
    assert row.trainable == 0
    assert row.non_trainable == 16
