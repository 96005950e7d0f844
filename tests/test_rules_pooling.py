"""Rule table for the Keras pooling layers: no weights, so output shapes and refusals."""

from __future__ import annotations

import pytest
from rule_helpers import refuses, run

from paramcalc.report import Shape

CASES: list[tuple[str, Shape, Shape]] = [
    # the window defaults to 2 and the strides to the window: 28 / 2 = 14
    ("MaxPooling2D()", (28, 28, 3), (14, 14, 3)),
    # valid: floor((27 - 3) / 2) + 1 = 13, floor((29 - 3) / 2) + 1 = 14
    ("MaxPooling2D(3, strides=2)", (27, 29, 3), (13, 14, 3)),
    # same: floor((101 - 1) / 3) + 1 = 34
    ("AveragePooling1D(4, strides=3, padding='same')", (101, 8), (34, 8)),
    ("MaxPooling1D(pool_size=4, data_format='channels_first')", (8, 100), (8, 25)),
    # positional: pool_size=2, strides=1 -> 28 - 2 + 1 = 27; a (2, 1) window halves the rows only
    ("MaxPool2D(2, 1)", (28, 28, 3), (27, 27, 3)),
    ("MaxPooling2D((2, 1))", (28, 28, 3), (14, 28, 3)),
    ("AvgPool3D(2, data_format='channels_first')", (2, 16, 16, 16), (2, 8, 8, 8)),
    ("MaxPooling3D((1, 2, 2))", (16, 16, 16, 2), (16, 8, 8, 2)),
    ("MaxPooling1D()", (None, 8), (None, 8)),
    ("GlobalMaxPooling1D()", (None, 8), (8,)),
    ("GlobalAveragePooling2D(keepdims=True, data_format='channels_first')", (512, 7, 7), (512, 1, 1)),
    ("GlobalAvgPool3D(keepdims=True)", (4, 4, 4, 8), (1, 1, 1, 8)),
    ("AdaptiveAveragePooling2D((4, 4))", (17, 23, 8), (4, 4, 8)),
    ("AdaptiveMaxPooling1D(7, data_format='channels_first')", (8, 50), (8, 7)),
]


@pytest.mark.parametrize(("call", "shape", "output"), CASES, ids=[c[0] for c in CASES])
def test_output_shape_and_no_weights(call: str, shape: Shape, output: Shape) -> None:
    row = run(call, shape)
    assert row.outputs == (output,)
    assert row.terms == ()
    assert row.formula == "0"


def test_aliases_count_as_their_class() -> None:
    assert run("MaxPool1D()", (10, 2)).class_name == "MaxPooling1D"
    assert run("GlobalAvgPool2D()", (4, 4, 2)).class_name == "GlobalAveragePooling2D"


@pytest.mark.parametrize(
    ("call", "shape", "needles"),
    [
        ("MaxPooling2D()", (16,), ("MaxPooling2D expects a 4-D input", "(None, 16)")),
        ("GlobalMaxPooling1D()", (4, 4, 3), ("GlobalMaxPooling1D expects a 3-D input",)),
        ("MaxPooling2D(5)", (4, 4, 3), ("pool_size (5, 5)", "(None, 4, 4, 3)", "'valid'")),
        ("MaxPooling2D(padding='VALID')", (4, 4, 3), ("'padding' must be 'valid' or 'same'",)),
        ("AveragePooling2D()", (4, 4, 3), ("AveragePooling2D needs 'pool_size'",)),
    ],
)
def test_refuses_what_keras_refuses(call: str, shape: Shape, needles: tuple[str, ...]) -> None:
    refuses(call, shape, *needles)
