"""Rule table for the Keras activation layers: PReLU's alpha, and the weightless ones."""

from __future__ import annotations

import pytest
from rule_helpers import Case, Weight, check, refuses, table

from paramcalc.report import Shape

T = True

CASES: list[Case] = [
    ("PReLU()", (10,), (10,), [("alpha", (10,), T)], 10),
    # one alpha per element: 8·8·3
    ("PReLU()", (8, 8, 3), (8, 8, 3), [("alpha", (8, 8, 3), T)], 192),
    # sharing the spatial axes leaves one alpha per channel
    ("PReLU(shared_axes=[1, 2])", (8, 8, 3), (8, 8, 3), [("alpha", (1, 1, 3), T)], 3),
    # sharing a variable-length axis makes it countable
    ("PReLU(shared_axes=[1])", (None, 16), (None, 16), [("alpha", (1, 16), T)], 16),
    # Keras writes param_shape[axis - 1]: -1 hits the second-to-last axis, 0 the last
    ("PReLU(shared_axes=-1)", (4, 5, 6), (4, 5, 6), [("alpha", (4, 1, 6), T)], 24),
    ("PReLU(shared_axes=0)", (4, 5, 6), (4, 5, 6), [("alpha", (4, 5, 1), T)], 20),
    ("ReLU(6.0)", (10,), (10,), [], 0),
    ("ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5)", (4, 10), (4, 10), [], 0),
    ("LeakyReLU(0.01)", (10,), (10,), [], 0),
    ("LeakyReLU(alpha=0.2)", (10,), (10,), [], 0),
    ("ELU(alpha=0.5)", (10,), (10,), [], 0),
    ("Softmax(axis=1)", (4, 10), (4, 10), [], 0),
]


@table(CASES)
def test_counts_weights_and_output_shape(
    call: str, shape: Shape, output: Shape, expected: list[Weight], params: int
) -> None:
    check(call, shape, output, expected, params)


@pytest.mark.parametrize(
    ("call", "shape", "needles"),
    [
        ("PReLU()", (None, 16), ("needs known sizes", "(None, None, 16)", "shared_axes=[1]")),
        ("PReLU(shared_axes=[5])", (4, 5), ("shared axis 5 is out of range",)),
        ("ReLU(max_value=-1.0)", (4,), ("'max_value' must be a number >= 0",)),
        ("LeakyReLU(negative_slope=-0.1)", (4,), ("'negative_slope' must be a number >= 0",)),
    ],
)
def test_refuses_what_keras_refuses(call: str, shape: Shape, needles: tuple[str, ...]) -> None:
    refuses(call, shape, *needles)
