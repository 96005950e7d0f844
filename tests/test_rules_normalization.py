"""Rule table for the Keras normalization layers, Normalization and Rescaling: hand-checked."""

from __future__ import annotations

import pytest
from rule_helpers import Case, Weight, check, refuses, run, table

from paramcalc.report import Shape

T, F = True, False

CASES: list[Case] = [
    # 4 per channel: gamma, beta trainable; moving statistics non-trainable but counted
    (
        "BatchNormalization()",
        (8, 8, 16),
        (8, 8, 16),
        [("gamma", (16,), T), ("beta", (16,), T), ("moving_mean", (16,), F), ("moving_variance", (16,), F)],
        64,
    ),
    # axis counts the batch as 0: axis=1 is the channels of a channels_first image
    (
        "BatchNormalization(axis=1)",
        (3, 8, 8),
        (3, 8, 8),
        [("gamma", (3,), T), ("beta", (3,), T), ("moving_mean", (3,), F), ("moving_variance", (3,), F)],
        12,
    ),
    (
        "BatchNormalization(center=False, scale=False)",
        (16,),
        (16,),
        [("moving_mean", (16,), F), ("moving_variance", (16,), F)],
        32,
    ),
    # renorm keeps three more statistics: 7·16 = 112
    (
        "BatchNormalization(renorm=True)",
        (16,),
        (16,),
        [
            ("gamma", (16,), T),
            ("beta", (16,), T),
            ("moving_mean", (16,), F),
            ("moving_variance", (16,), F),
            ("moving_stddev", (16,), F),
            ("renorm_mean", (16,), F),
            ("renorm_stddev", (16,), F),
        ],
        112,
    ),
    ("LayerNormalization()", (10, 16), (10, 16), [("gamma", (16,), T), ("beta", (16,), T)], 32),
    # two axes: one weight entry per (row, feature): 2·10·16 = 320
    (
        "LayerNormalization(axis=[-2, -1])",
        (10, 16),
        (10, 16),
        [("gamma", (10, 16), T), ("beta", (10, 16), T)],
        320,
    ),
    # Keras sorts the raw axis values: [-1, 1] stays [-1, 1], so gamma is (16, 10)
    (
        "LayerNormalization(axis=[-1, 1])",
        (10, 16),
        (10, 16),
        [("gamma", (16, 10), T), ("beta", (16, 10), T)],
        320,
    ),
    ("LayerNormalization(rms_scaling=True)", (10, 16), (10, 16), [("gamma", (16,), T)], 16),
    ("LayerNormalization(center=False)", (10, 16), (10, 16), [("gamma", (16,), T)], 16),
    # without weights Keras does not need the axis' size, not even the batch axis'
    ("LayerNormalization(axis=0, center=False, scale=False)", (None, 6), (None, 6), [], 0),
    ("RMSNormalization()", (10, 16), (10, 16), [("scale", (16,), T)], 16),
    ("RMSNormalization(axis=1)", (10, 16), (10, 16), [("scale", (10,), T)], 10),
    # groups do not change the count: 2·16
    ("GroupNormalization(groups=-1)", (8, 8, 16), (8, 8, 16), [("gamma", (16,), T), ("beta", (16,), T)], 32),
    ("GroupNormalization(4, axis=1, scale=False)", (16, 8, 8), (16, 8, 8), [("beta", (16,), T)], 16),
    ("UnitNormalization(axis=[1, 2])", (4, 5, 6), (4, 5, 6), [], 0),
    # without mean/variance: the adapt() state, 5 + 5 + 1 (count), all non-trainable
    (
        "Normalization()",
        (7, 5),
        (7, 5),
        [("mean", (5,), F), ("variance", (5,), F), ("count", (), F)],
        11,
    ),
    ("Normalization(axis=None)", (4, 5), (4, 5), [("mean", (), F), ("variance", (), F), ("count", (), F)], 3),
    (
        "Normalization(axis=(-1, 1))",
        (4, 5),
        (4, 5),
        [("mean", (4, 5), F), ("variance", (4, 5), F), ("count", (), F)],
        41,
    ),
    ("Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0])", (2,), (2,), [], 0),
    ("Rescaling(0.00392156862745098)", (8, 8, 3), (8, 8, 3), [], 0),
    # the wrapped kernel, then the power-iteration vector u (1, units), then the bias
    (
        "SpectralNormalization(Dense(8))",
        (16,),
        (8,),
        [("dense/kernel", (16, 8), T), ("vector_u", (1, 8), F), ("dense/bias", (8,), T)],
        144,
    ),
    (
        "SpectralNormalization(Embedding(100, 8))",
        (5,),
        (5, 8),
        [("embedding/embeddings", (100, 8), T), ("vector_u", (1, 8), F)],
        808,
    ),
]


@table(CASES)
def test_counts_weights_and_output_shape(
    call: str, shape: Shape, output: Shape, expected: list[Weight], params: int
) -> None:
    check(call, shape, output, expected, params)


def test_batch_normalization_statistics_are_non_trainable_parameters() -> None:
    row = run("BatchNormalization()", (10, 32))
    assert (row.params, row.trainable, row.non_trainable) == (128, 64, 64)


@pytest.mark.parametrize(
    ("call", "shape", "needles"),
    [
        ("BatchNormalization(axis=3)", (16,), ("axis 3 is out of range", "(None, 16)")),
        ("BatchNormalization(axis=0)", (16,), ("axis 0 is the batch axis",)),
        ("BatchNormalization()", (None,), ("known size", "(None, None)")),
        ("LayerNormalization(axis=[1, 5])", (4, 5), ("axis 5 is out of range",)),
        ("GroupNormalization(groups=4)", (8, 8, 10), ("groups=4 does not divide the 10 channels", "(None, 8, 8, 10)")),
        ("GroupNormalization()", (10, 16), ("groups=32 is more than the 16 channels",)),
        ("GroupNormalization(groups=0)", (10, 16), ("'groups' must be a positive integer or -1",)),
        ("Normalization(mean=[1.0])", (3,), ("give both 'mean' and 'variance'",)),
        ("Normalization(axis=0)", (3,), ("axis 0 is the batch axis",)),
        ("Normalization(axis=[2, -1])", (4, 3), ("names the same axis", "twice")),
        ("SpectralNormalization(Dropout(0.5))", (3,), ("needs a layer with a kernel or embeddings",)),
    ],
)
def test_refuses_what_keras_refuses(call: str, shape: Shape, needles: tuple[str, ...]) -> None:
    refuses(call, shape, *needles)
