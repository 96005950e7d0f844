"""Rule table for the Keras reshaping layers: no weights, so output shapes and refusals."""

from __future__ import annotations

import pytest
from rule_helpers import refuses, run

from paramcalc.report import Shape

CASES: list[tuple[str, Shape, Shape]] = [
    # 24 elements: 3 · 4 · 2 with the -1 inferred as 4
    ("Reshape((3, -1, 2))", (4, 6), (3, 4, 2)),
    ("Reshape((-1,))", (4, 6), (24,)),
    ("Reshape((2, 3, 4))", (24,), (2, 3, 4)),
    # an unknown input size leaves the -1 unknown
    ("Reshape((2, -1))", (None, 6), (2, None)),
    ("Permute((2, 1))", (10, 16), (16, 10)),
    ("Permute(dims=(3, 1, 2))", (4, 5, 6), (6, 4, 5)),
    ("RepeatVector(3)", (16,), (3, 16)),
    ("Cropping1D((2, 5))", (20, 4), (13, 4)),
    ("Cropping1D()", (None, 4), (None, 4)),
    ("Cropping2D(((1, 2), (3, 4)))", (28, 28, 3), (25, 21, 3)),
    ("Cropping2D((2, 3))", (28, 28, 3), (24, 22, 3)),
    ("Cropping2D(((1, 1), (2, 2)), data_format='channels_first')", (3, 28, 28), (3, 26, 24)),
    ("Cropping3D()", (10, 10, 10, 2), (8, 8, 8, 2)),
    ("ZeroPadding1D((1, 4))", (20, 4), (25, 4)),
    ("ZeroPadding2D()", (28, 28, 3), (30, 30, 3)),
    ("ZeroPadding2D((2, 1), data_format='channels_first')", (3, 28, 28), (3, 32, 30)),
    ("ZeroPadding3D((1, 2, 3))", (8, 8, 8, 2), (10, 12, 14, 2)),
    ("UpSampling1D()", (10, 4), (20, 4)),
    ("UpSampling2D((2, 3), interpolation='bilinear')", (8, 8, 3), (16, 24, 3)),
    ("UpSampling2D(2, data_format='channels_first')", (3, 8, 8), (3, 16, 16)),
    ("UpSampling3D((1, 2, 2))", (4, None, 4, 2), (4, None, 8, 2)),
    ("Flatten()", (4, 4, 8), (128,)),
    ("Flatten()", (None, 8), (None,)),
]


@pytest.mark.parametrize(("call", "shape", "output"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_output_shape_and_no_weights(call: str, shape: Shape, output: Shape) -> None:
    row = run(call, shape)
    assert row.outputs == (output,)
    assert row.terms == ()


@pytest.mark.parametrize(
    ("call", "shape", "needles"),
    [
        ("Reshape((5, -1))", (4, 6), ("cannot reshape input (None, 4, 6)", "24 is not divisible by 5")),
        ("Reshape((5, 5))", (4, 6), ("(None, 4, 6) (24 elements per sample)", "(None, 5, 5) (25 elements)")),
        ("Reshape((-1, -1))", (4, 6), ("at most one -1",)),
        ("Permute((1, 3))", (4, 5), ("permutation of 1..2",)),
        ("Permute((2, 1))", (4, 5, 6), ("permutes 2 axes", "(None, 4, 5, 6) has 3")),
        ("RepeatVector(3)", (4, 5), ("RepeatVector expects a 2-D input",)),
        ("RepeatVector(0)", (4,), ("'n' must be positive",)),
        ("Cropping1D((2, 3))", (4, 3), ("cropping (2, 3) leaves nothing", "(None, 4, 3)")),
        ("Cropping2D(14)", (28, 28, 3), ("leaves nothing",)),
        ("ZeroPadding2D(-1)", (28, 28, 3), ("cannot be negative",)),
        ("UpSampling2D(2)", (8, 3), ("UpSampling2D expects a 4-D input",)),
    ],
)
def test_refuses_what_keras_refuses(call: str, shape: Shape, needles: tuple[str, ...]) -> None:
    refuses(call, shape, *needles)
