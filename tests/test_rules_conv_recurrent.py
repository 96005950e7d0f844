"""Rule table for ConvLSTM1D/2D/3D: hand-checked counts, weight shapes and output shapes."""

from __future__ import annotations

import pytest
from rule_helpers import Case, Weight, check, refuses, run, table

from paramcalc.report import Shape

T = True

CASES: list[Case] = [
    # kernel 3·3·3·32 = 864, recurrent 3·3·8·32 = 2304, bias 32: 3200 = 4·8·(9·3 + 9·8 + 1)
    (
        "ConvLSTM2D(8, 3)",
        (4, 16, 16, 3),
        (14, 14, 8),
        [
            ("conv_lstm_cell/kernel", (3, 3, 3, 32), T),
            ("conv_lstm_cell/recurrent_kernel", (3, 3, 8, 32), T),
            ("conv_lstm_cell/bias", (32,), T),
        ],
        3200,
    ),
    # 4·4·(5·3 + 5·4 + 1) = 576; the sequence keeps its 5 steps
    (
        "ConvLSTM1D(4, 5, return_sequences=True)",
        (5, 16, 3),
        (5, 12, 4),
        [
            ("conv_lstm_cell/kernel", (5, 3, 16), T),
            ("conv_lstm_cell/recurrent_kernel", (5, 4, 16), T),
            ("conv_lstm_cell/bias", (16,), T),
        ],
        576,
    ),
    # strides shape the state: floor((17 - 3) / 2) + 1 = 8, floor((17 - 5) / 2) + 1 = 7
    (
        "ConvLSTM2D(6, (3, 5), strides=2)",
        (4, 17, 17, 3),
        (8, 7, 6),
        [
            ("conv_lstm_cell/kernel", (3, 5, 3, 24), T),
            ("conv_lstm_cell/recurrent_kernel", (3, 5, 6, 24), T),
            ("conv_lstm_cell/bias", (24,), T),
        ],
        3264,
    ),
    # channels_first steps: (time, channels, rows, cols)
    (
        "ConvLSTM2D(8, 3, data_format='channels_first', use_bias=False)",
        (4, 3, 16, 16),
        (8, 14, 14),
        [("conv_lstm_cell/kernel", (3, 3, 3, 32), T), ("conv_lstm_cell/recurrent_kernel", (3, 3, 8, 32), T)],
        3168,
    ),
    # 4·4·(27·2 + 27·4 + 1) = 2608
    (
        "ConvLSTM3D(4, 3, padding='same')",
        (3, 8, 8, 8, 2),
        (8, 8, 8, 4),
        [
            ("conv_lstm_cell/kernel", (3, 3, 3, 2, 16), T),
            ("conv_lstm_cell/recurrent_kernel", (3, 3, 3, 4, 16), T),
            ("conv_lstm_cell/bias", (16,), T),
        ],
        2608,
    ),
]


@table(CASES)
def test_counts_weights_and_output_shape(
    call: str, shape: Shape, output: Shape, expected: list[Weight], params: int
) -> None:
    check(call, shape, output, expected, params)


def test_return_state_gives_output_and_both_states() -> None:
    row = run("ConvLSTM2D(8, 3, padding='same', return_state=True)", (None, 8, 8, 2))
    assert row.multi_output
    assert row.outputs == ((8, 8, 8), (8, 8, 8), (8, 8, 8))
    assert row.params == 4 * 8 * (9 * 2 + 9 * 8 + 1)


def test_gates_are_packed_four_to_the_last_axis() -> None:
    row = run("ConvLSTM1D(2, 3)", (5, 10, 1))
    assert {t.gates for t in row.terms} == {4}
    assert row.gate_names == ("input", "forget", "cell", "output")


@pytest.mark.parametrize(
    ("call", "shape", "needles"),
    [
        ("ConvLSTM2D(8, 3)", (16, 16, 3), ("ConvLSTM2D expects a 5-D input", "(None, 16, 16, 3)")),
        ("ConvLSTM2D(8, 3)", (4, None, 16, 3), ("known spatial sizes", "(None, 4, None, 16, 3)")),
        ("ConvLSTM1D(8, 5)", (4, 3, 2), ("kernel (5,)", "'valid'")),
        ("ConvLSTM2D(8, 3, strides=2, dilation_rate=2)", (4, 16, 16, 3), ("strides > 1",)),
    ],
)
def test_refuses_what_keras_refuses(call: str, shape: Shape, needles: tuple[str, ...]) -> None:
    refuses(call, shape, *needles)
