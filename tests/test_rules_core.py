"""Rule table for the Keras core layers added beside Dense/Embedding: EinsumDense, LoRA,
ReversibleEmbedding and the weightless regularization layers. Counts are hand-checked.
"""

from __future__ import annotations

import pytest
from rule_helpers import Case, Weight, check, refuses, run, table

from paramcalc.report import Shape

T, F = True, False

CASES: list[Case] = [
    # a Dense as an einsum: 32·64 + 64
    ("EinsumDense('ab,bc->ac', 64, bias_axes='c')", (32,), (64,), [("kernel", (32, 64), T), ("bias", (64,), T)], 2112),
    ("EinsumDense('ab,bc->ac', 64)", (32,), (64,), [("kernel", (32, 64), T)], 2048),
    # more input axes than letters and no '...': Keras builds it as 'ab...,bc->ac...'
    # (axis b is the 10, the 32 is carried to the end; the bias gets a trailing 1)
    (
        "EinsumDense('ab,bc->ac', 64, bias_axes='c')",
        (10, 32),
        (64, 32),
        [("kernel", (10, 64), T), ("bias", (64, 1), T)],
        704,
    ),
    # heads: kernel (32, 4, 16), bias over d and e; an output axis given as None stays None
    (
        "EinsumDense('abc,cde->abde', (None, 4, 16), bias_axes='de')",
        (10, 32),
        (None, 4, 16),
        [("kernel", (32, 4, 16), T), ("bias", (4, 16), T)],
        2112,
    ),
    # the bias spans from its first axis on, size 1 elsewhere: bias_axes='b' -> (10, 1)
    (
        "EinsumDense('abc,cd->abd', (10, 64), bias_axes='b')",
        (10, 32),
        (10, 64),
        [("kernel", (32, 64), T), ("bias", (10, 1), T)],
        2058,
    ),
    # left ellipsis: Keras re-inserts the elided axes in reverse order, (7, 3) -> (3, 7)
    (
        "EinsumDense('...b,bc->...c', 16, bias_axes='c')",
        (7, 3, 24),
        (3, 7, 16),
        [("kernel", (24, 16), T), ("bias", (16,), T)],
        400,
    ),
    # right ellipsis: elided axes are appended, and the bias gets a trailing 1 for each
    (
        "EinsumDense('ab...,bc->ac...', 64, bias_axes='c')",
        (32, 5),
        (64, 5),
        [("kernel", (32, 64), T), ("bias", (64, 1), T)],
        2112,
    ),
    # LoRA: kernel frozen, A (64, 4) and B (4, 32) trained: 2048 + 32 + 256 + 128
    (
        "Dense(32, lora_rank=4)",
        (64,),
        (32,),
        [("kernel", (64, 32), F), ("bias", (32,), T), ("lora_kernel_a", (64, 4), T), ("lora_kernel_b", (4, 32), T)],
        2464,
    ),
    (
        "EinsumDense('abc,cd->abd', (None, 64), bias_axes='d', lora_rank=2)",
        (10, 32),
        (None, 64),
        [("kernel", (32, 64), F), ("bias", (64,), T), ("lora_kernel_a", (32, 2), T), ("lora_kernel_b", (2, 64), T)],
        2304,
    ),
    (
        "Embedding(500, 32, lora_rank=4)",
        (10,),
        (10, 32),
        [("embeddings", (500, 32), F), ("lora_embeddings_a", (500, 4), T), ("lora_embeddings_b", (4, 32), T)],
        18128,
    ),
    ("ReversibleEmbedding(300, 16)", (12,), (12, 16), [("embeddings", (300, 16), T)], 4800),
    (
        "ReversibleEmbedding(300, 16, tie_weights=False)",
        (12,),
        (12, 16),
        [("embeddings", (300, 16), T), ("reverse_embeddings", (16, 300), T)],
        9600,
    ),
    ("Masking()", (6, 3), (6, 3), [], 0),
    ("GaussianNoise(0.1)", (16,), (16,), [], 0),
    ("GaussianDropout(0.3)", (16,), (16,), [], 0),
    ("AlphaDropout(0.1)", (16,), (16,), [], 0),
    ("Dropout(0.2, noise_shape=(None, 1, 16))", (10, 16), (10, 16), [], 0),
    ("SpatialDropout1D(0.1)", (10, 16), (10, 16), [], 0),
    ("SpatialDropout2D(0.1, data_format='channels_first')", (3, 8, 8), (3, 8, 8), [], 0),
    ("SpatialDropout3D(rate=0.1)", (4, 4, 4, 2), (4, 4, 4, 2), [], 0),
    ("ActivityRegularization(l1=0.01, l2=0.01)", (16,), (16,), [], 0),
    ("Identity()", (4, 4), (4, 4), [], 0),
    ("Activation('gelu')", (10,), (10,), [], 0),
    ("Activation(None)", (10,), (10,), [], 0),
]


@table(CASES)
def test_counts_weights_and_output_shape(
    call: str, shape: Shape, output: Shape, expected: list[Weight], params: int
) -> None:
    check(call, shape, output, expected, params)


def test_lora_trainable_split() -> None:
    row = run("Dense(32, lora_rank=4)", (64,))
    assert (row.trainable, row.non_trainable) == (416, 2048)


@pytest.mark.parametrize(
    ("call", "shape", "needles"),
    [
        ("EinsumDense('ab,bc->ad', 8)", (16,), ("axis 'd' of the output 'ad'", "'ab,bc->ad'")),
        ("EinsumDense('abc', 8)", (16,), ("invalid einsum equation 'abc'",)),
        ("EinsumDense('abc,cd->abd', (None, None))", (10, 32), ("known size for axis 'd'",)),
        ("EinsumDense('abc,cd->abd', (12, 64))", (10, 32), ("shared axis 'b'", "10 vs 12")),
        ("EinsumDense('abc,cd->abd', (None, 64), bias_axes='x')", (10, 32), ("bias axis 'x'",)),
        ("EinsumDense('abc,cd->abd', 64)", (10, 32), ("output_shape (64,) has 1 axes", "needs 2")),
        ("EinsumDense('abcd,de->abce', (None, None, 8))", (32,), ("names 4 input axes",)),
        ("ReversibleEmbedding(30, 4, tie_weights=False, lora_rank=2)", (5,), ("lora_rank cannot be combined",)),
        ("GaussianNoise(1.5)", (16,), ("'stddev' must be between 0.0 and 1.0",)),
        ("Dropout(0.1, noise_shape='x')", (16,), ("'noise_shape'",)),
        ("SpatialDropout2D(0.1)", (10, 16), ("SpatialDropout2D expects a 4-D input",)),
        ("SpatialDropout1D(0.1, data_format='channels_last')", (10, 16), ("unknown argument 'data_format'",)),
        ("Activation('no_such_activation')", (10,), ("unknown activation 'no_such_activation'",)),
        ("Dense(4, activation='Relu')", (10,), ("did you mean 'relu'?",)),
    ],
)
def test_refuses_what_keras_refuses(call: str, shape: Shape, needles: tuple[str, ...]) -> None:
    refuses(call, shape, *needles)
