"""Rule table for the Keras convolution layers: hand-checked counts, weight shapes, output shapes.

Counts are worked out by hand in the comments (closed forms from keras/src/layers/convolutional);
the corpus tests check the same rules against real Keras.
"""

from __future__ import annotations

import pytest
from rule_helpers import Case, Weight, check, refuses, run, table

from paramcalc.report import Shape

T, F = True, False

CASES: list[Case] = [
    # 3·3·1·32 + 32 = 320; 28 - 3 + 1 = 26
    ("Conv2D(32, 3)", (28, 28, 1), (26, 26, 32), [("kernel", (3, 3, 1, 32), T), ("bias", (32,), T)], 320),
    # 3·5·3·64 + 64 = 2944; same, stride 2: ceil(32 / 2) = 16
    (
        "Conv2D(64, (3, 5), strides=2, padding='same')",
        (32, 32, 3),
        (16, 16, 64),
        [("kernel", (3, 5, 3, 64), T), ("bias", (64,), T)],
        2944,
    ),
    # valid, k=4, s=3 on 31: floor((31 - 4) / 3) + 1 = 10
    ("Conv2D(8, 4, strides=3)", (31, 31, 3), (10, 10, 8), [("kernel", (4, 4, 3, 8), T), ("bias", (8,), T)], 392),
    # causal keeps the length; 5·8·16 + 16 = 656
    (
        "Conv1D(16, 5, padding='causal', dilation_rate=2)",
        (100, 8),
        (100, 16),
        [("kernel", (5, 8, 16), T), ("bias", (16,), T)],
        656,
    ),
    # an unknown length stays unknown; 3·8·16 + 16 = 400
    ("Conv1D(16, 3, strides=2)", (None, 8), (None, 16), [("kernel", (3, 8, 16), T), ("bias", (16,), T)], 400),
    # groups=4: each filter sees 16 / 4 = 4 channels: 3·3·4·32 + 32 = 1184
    ("Conv2D(32, 3, groups=4)", (16, 16, 16), (14, 14, 32), [("kernel", (3, 3, 4, 32), T), ("bias", (32,), T)], 1184),
    # channels_first: channels are axis 1, filters come first in the output
    (
        "Conv2D(16, 3, data_format='channels_first')",
        (3, 32, 32),
        (16, 30, 30),
        [("kernel", (3, 3, 3, 16), T), ("bias", (16,), T)],
        448,
    ),
    # dilation 2 spans 5 positions: 32 - 5 + 1 = 28
    ("Conv2D(8, 3, dilation_rate=2)", (32, 32, 3), (28, 28, 8), [("kernel", (3, 3, 3, 8), T), ("bias", (8,), T)], 224),
    # 3·3·3·1·8 = 216, no bias
    ("Conv3D(8, 3, use_bias=False)", (16, 16, 16, 1), (14, 14, 14, 8), [("kernel", (3, 3, 3, 1, 8), T)], 216),
    # the alias counts as its class
    ("Convolution2D(6, 5)", (28, 28, 1), (24, 24, 6), [("kernel", (5, 5, 1, 6), T), ("bias", (6,), T)], 156),
    # LoRA: the kernel is frozen (288), bias 8, A 3·3·4·2 = 72, B 2·8 = 16: 384
    (
        "Conv2D(8, 3, lora_rank=2)",
        (10, 10, 4),
        (8, 8, 8),
        [
            ("kernel", (3, 3, 4, 8), F),
            ("bias", (8,), T),
            ("lora_kernel_a", (3, 3, 4, 2), T),
            ("lora_kernel_b", (2, 8), T),
        ],
        384,
    ),
    # transposed: kernel is (k, k, filters, channels); same, stride 2: 7·2 = 14
    (
        "Conv2DTranspose(32, 3, strides=2, padding='same')",
        (7, 7, 64),
        (14, 14, 32),
        [("kernel", (3, 3, 32, 64), T), ("bias", (32,), T)],
        18464,
    ),
    # valid: (7 - 1)·2 + 3 = 15; output_padding=1 adds 1 -> 16
    (
        "Conv2DTranspose(32, 3, strides=2)",
        (7, 7, 64),
        (15, 15, 32),
        [("kernel", (3, 3, 32, 64), T), ("bias", (32,), T)],
        18464,
    ),
    (
        "Conv2DTranspose(32, 3, strides=2, output_padding=1)",
        (7, 7, 64),
        (16, 16, 32),
        [("kernel", (3, 3, 32, 64), T), ("bias", (32,), T)],
        18464,
    ),
    # same with output_padding: (7 - 1)·3 + 5 mod 2 + 2 = 21
    (
        "Conv2DTranspose(32, 5, strides=3, padding='same', output_padding=2)",
        (7, 7, 64),
        (21, 21, 32),
        [("kernel", (5, 5, 32, 64), T), ("bias", (32,), T)],
        51232,
    ),
    # dilated kernel spans 5: (50 - 1) + 5 = 54
    (
        "Conv1DTranspose(4, 3, dilation_rate=2)",
        (50, 8),
        (54, 4),
        [("kernel", (3, 4, 8), T), ("bias", (4,), T)],
        100,
    ),
    # Conv3DTranspose takes data_format before output_padding: the 5th positional is data_format;
    # 2·2·2·2·8 + 2 = 130
    (
        "Conv3DTranspose(2, 2, 2, 'valid', 'channels_first')",
        (8, 4, 4, 4),
        (2, 8, 8, 8),
        [("kernel", (2, 2, 2, 2, 8), T), ("bias", (2,), T)],
        130,
    ),
    # Conv2DTranspose's 5th positional is output_padding
    (
        "Conv2DTranspose(4, 3, 2, 'valid', 1)",
        (5, 5, 2),
        (12, 12, 4),
        [("kernel", (3, 3, 4, 2), T), ("bias", (4,), T)],
        76,
    ),
    # separable: depthwise 3·3·3·3 = 81, pointwise 1·1·9·16 = 144, bias 16: 241
    (
        "SeparableConv2D(16, 3, depth_multiplier=3)",
        (32, 32, 3),
        (30, 30, 16),
        [("depthwise_kernel", (3, 3, 3, 3), T), ("pointwise_kernel", (1, 1, 9, 16), T), ("bias", (16,), T)],
        241,
    ),
    # Keras accepts strides and dilation together on separable and depthwise convolutions
    (
        "SeparableConv1D(4, 3, strides=2, dilation_rate=2)",
        (16, 3),
        (6, 4),
        [("depthwise_kernel", (3, 3, 1), T), ("pointwise_kernel", (1, 3, 4), T), ("bias", (4,), T)],
        25,
    ),
    # depthwise: Keras 3 names the weight 'kernel'; 3·3·16·2 = 288 + bias 32
    (
        "DepthwiseConv2D(3, depth_multiplier=2)",
        (32, 32, 16),
        (30, 30, 32),
        [("kernel", (3, 3, 16, 2), T), ("bias", (32,), T)],
        320,
    ),
    ("DepthwiseConv1D(5, strides=2, padding='same', use_bias=False)", (50, 8), (25, 8), [("kernel", (5, 8, 1), T)], 40),
    # (16 - 4 - 1) // 2 + 1 = 6
    (
        "DepthwiseConv2D(3, strides=2, dilation_rate=2)",
        (16, 16, 3),
        (6, 6, 3),
        [("kernel", (3, 3, 3, 1), T), ("bias", (3,), T)],
        30,
    ),
]


@table(CASES)
def test_counts_weights_and_output_shape(
    call: str, shape: Shape, output: Shape, expected: list[Weight], params: int
) -> None:
    check(call, shape, output, expected, params)


def test_class_name_of_an_alias_is_the_keras_class() -> None:
    assert run("Convolution1DTranspose(4, 2)", (50, 8)).class_name == "Conv1DTranspose"
    assert run("SeparableConvolution2D(4, 3)", (9, 9, 2)).class_name == "SeparableConv2D"


def test_unknown_spatial_sizes_stay_unknown() -> None:
    row = run("Conv2D(8, 3)", (None, None, 3))
    assert row.outputs == ((None, None, 8),)
    assert row.params == 224


ERRORS: list[tuple[str, Shape, tuple[str, ...]]] = [
    ("Conv2D(8, 3)", (16,), ("Conv2D expects a 4-D input", "(None, 16)")),
    ("Conv3D(4, 3)", (8, 8, 3), ("Conv3D expects a 5-D input", "(None, 8, 8, 3)")),
    ("Conv2D(8, 5)", (4, 4, 3), ("kernel (5, 5)", "input (None, 4, 4, 3)", "'valid'")),
    ("Conv1D(8, 3, dilation_rate=3)", (6, 3), ("dilated to (7,)", "(None, 6, 3)")),
    ("Conv2D(8, 3, padding='causal')", (8, 8, 3), ("'padding' must be one of valid, same", "'causal'")),
    ("Conv1D(16, 3, strides=2, dilation_rate=2)", (20, 3), ("strides > 1 cannot be combined with dilation_rate > 1",)),
    ("Conv1D(16, 3, groups=4)", (100, 6), ("6 channels", "groups=4")),
    ("Conv2D(6, 3, groups=4)", (16, 16, 8), ("filters=6", "groups=4")),
    ("Conv2D(8, 3)", (8, 8, None), ("known channel axis",)),
    ("Conv2D(0, 3)", (8, 8, 3), ("'filters' must be positive",)),
    ("Conv2D(8, (3, 0))", (8, 8, 3), ("'kernel_size' values must be integers >= 1",)),
    ("Conv2DTranspose(4, 3, strides=2, output_padding=2)", (7, 7, 4), ("output_padding", "strides 2")),
    ("SeparableConv2D(8, 3, padding='causal')", (8, 8, 3), ("'padding'",)),
    ("DepthwiseConv2D(3, depth_multiplier=0)", (8, 8, 3), ("'depth_multiplier' must be positive",)),
    ("Conv2D(8, 3, activation='Relu')", (8, 8, 3), ("unknown activation 'Relu'", "did you mean 'relu'?")),
]


@pytest.mark.parametrize(("call", "shape", "needles"), ERRORS, ids=[f"{c[0]}-{c[1]}" for c in ERRORS])
def test_refuses_what_keras_refuses(call: str, shape: Shape, needles: tuple[str, ...]) -> None:
    refuses(call, shape, *needles)
