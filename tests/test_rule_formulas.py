"""Every registered Keras rule states a closed form that agrees with its own weights.

For each rule, on a few valid inputs: the formula evaluates (``paramcalc.formula.evaluate``)
to the sum of the term counts, and each term's symbolic ``dims`` evaluate to its shape.

To cover a new rule, add its class name to ``CASES`` with one or more (call, input shapes)
pairs: one shape per input, so a merge layer gets two. ``test_every_rule_has_cases`` fails
until a rule is listed.
"""

from __future__ import annotations

import pytest
from rule_helpers import run

from paramcalc.formula import evaluate
from paramcalc.report import Shape
from paramcalc.rules import all_rules

Case = tuple[str, list[Shape]]

CASES: dict[str, list[Case]] = {
    # core
    "Dense": [("Dense(8)", [(16,)]), ("Dense(3, use_bias=False)", [(5, 7)]), ("Dense(32, lora_rank=4)", [(64,)])],
    "EinsumDense": [
        ("EinsumDense('ab,bc->ac', 64, bias_axes='c')", [(32,)]),
        ("EinsumDense('abc,cde->abde', (None, 4, 16), bias_axes='de')", [(10, 32)]),
        ("EinsumDense('abc,cd->abd', (10, 64), bias_axes='b')", [(10, 32)]),
        ("EinsumDense('...b,bc->...c', 16, bias_axes='c')", [(7, 3, 24)]),
        ("EinsumDense('ab...,bc->ac...', 64, bias_axes='c')", [(32, 5)]),
        ("EinsumDense('abcd,cde->abe', (None, 8), lora_rank=2)", [(5, 4, 6)]),
    ],
    "Embedding": [("Embedding(50, 8)", [(4,)]), ("Embedding(500, 32, lora_rank=4)", [(10,)])],
    "ReversibleEmbedding": [
        ("ReversibleEmbedding(300, 16)", [(12,)]),
        ("ReversibleEmbedding(300, 16, tie_weights=False)", [(12,)]),
        ("ReversibleEmbedding(300, 16, lora_rank=2)", [(12,)]),
    ],
    "Dropout": [("Dropout(0.5)", [(16,)])],
    "AlphaDropout": [("AlphaDropout(0.1)", [(16,)])],
    "GaussianDropout": [("GaussianDropout(0.1)", [(16,)])],
    "GaussianNoise": [("GaussianNoise(0.1)", [(16,)])],
    "SpatialDropout1D": [("SpatialDropout1D(0.1)", [(10, 16)])],
    "SpatialDropout2D": [("SpatialDropout2D(0.1)", [(8, 8, 3)])],
    "SpatialDropout3D": [("SpatialDropout3D(0.1)", [(4, 4, 4, 2)])],
    "ActivityRegularization": [("ActivityRegularization()", [(16,)])],
    "Masking": [("Masking()", [(6, 3)])],
    "Identity": [("Identity()", [(6, 3)])],
    "Activation": [("Activation('relu')", [(16,)])],
    "Flatten": [("Flatten()", [(4, 4, 8)])],
    # recurrent
    "SimpleRNN": [("SimpleRNN(32)", [(3, 100)]), ("SimpleRNN(4, use_bias=False)", [(None, 2)])],
    "LSTM": [("LSTM(32)", [(3, 100)]), ("LSTM(8, use_bias=False)", [(None, 3)])],
    "GRU": [("GRU(32)", [(3, 100)]), ("GRU(8, reset_after=False)", [(5, 3)]), ("GRU(8, use_bias=False)", [(5, 3)])],
    "ConvLSTM1D": [("ConvLSTM1D(4, 5, return_sequences=True)", [(5, 16, 3)])],
    "ConvLSTM2D": [("ConvLSTM2D(8, 3)", [(4, 16, 16, 3)]), ("ConvLSTM2D(4, (3, 5), use_bias=False)", [(2, 9, 9, 2)])],
    "ConvLSTM3D": [("ConvLSTM3D(4, 3, padding='same')", [(3, 8, 8, 8, 2)])],
    # convolution
    "Conv1D": [("Conv1D(16, 3)", [(100, 8)]), ("Conv1D(16, 3, groups=2, use_bias=False)", [(100, 8)])],
    "Conv2D": [
        ("Conv2D(32, (3, 5))", [(28, 28, 3)]),
        ("Conv2D(32, 3, groups=4)", [(16, 16, 16)]),
        ("Conv2D(8, 3, lora_rank=2)", [(10, 10, 4)]),
        ("Conv2D(8, 3, lora_rank=2, groups=2, use_bias=False)", [(10, 10, 4)]),
    ],
    "Conv3D": [("Conv3D(8, 3)", [(8, 8, 8, 2)])],
    "Conv1DTranspose": [("Conv1DTranspose(16, 3)", [(50, 8)])],
    "Conv2DTranspose": [("Conv2DTranspose(32, 3, use_bias=False)", [(7, 7, 64)])],
    "Conv3DTranspose": [("Conv3DTranspose(4, 3)", [(4, 4, 4, 8)])],
    "SeparableConv1D": [("SeparableConv1D(16, 3, depth_multiplier=2)", [(50, 8)])],
    "SeparableConv2D": [
        ("SeparableConv2D(16, 3)", [(32, 32, 3)]),
        ("SeparableConv2D(8, 3, use_bias=False)", [(9, 9, 4)]),
    ],
    "DepthwiseConv1D": [("DepthwiseConv1D(3, depth_multiplier=2)", [(50, 8)])],
    "DepthwiseConv2D": [("DepthwiseConv2D(3)", [(32, 32, 16)]), ("DepthwiseConv2D(3, use_bias=False)", [(9, 9, 4)])],
    # normalization
    "BatchNormalization": [
        ("BatchNormalization()", [(8, 8, 16)]),
        ("BatchNormalization(center=False, renorm=True)", [(16,)]),
    ],
    "LayerNormalization": [
        ("LayerNormalization()", [(10, 16)]),
        ("LayerNormalization(axis=[-2, -1])", [(10, 16)]),
        ("LayerNormalization(center=False, scale=False)", [(10, 16)]),
    ],
    "RMSNormalization": [("RMSNormalization()", [(10, 16)]), ("RMSNormalization(axis=[1, 2])", [(3, 4, 5)])],
    "GroupNormalization": [("GroupNormalization(4)", [(8, 8, 16)])],
    "UnitNormalization": [("UnitNormalization()", [(16,)])],
    "Normalization": [
        ("Normalization()", [(7, 5)]),
        ("Normalization(axis=None)", [(4, 5)]),
        ("Normalization(axis=(1, 2))", [(4, 5, 6)]),
    ],
    "Rescaling": [("Rescaling(0.5)", [(8, 8, 3)])],
    "SpectralNormalization": [
        ("SpectralNormalization(Dense(8))", [(16,)]),
        ("SpectralNormalization(Conv2D(4, 3, groups=2))", [(8, 8, 4)]),
    ],
    # pooling
    **{
        f"{kind}Pooling{rank}D": [(f"{kind}Pooling{rank}D(2)", [(8,) * rank + (3,)])]
        for kind in ("Max", "Average")
        for rank in (1, 2, 3)
    },
    **{
        f"Global{kind}Pooling{rank}D": [(f"Global{kind}Pooling{rank}D()", [(8,) * rank + (3,)])]
        for kind in ("Max", "Average")
        for rank in (1, 2, 3)
    },
    **{
        f"Adaptive{kind}Pooling{rank}D": [(f"Adaptive{kind}Pooling{rank}D(2)", [(8,) * rank + (3,)])]
        for kind in ("Max", "Average")
        for rank in (1, 2, 3)
    },
    # reshaping
    "Reshape": [("Reshape((3, -1))", [(4, 6)])],
    "Permute": [("Permute((2, 1))", [(4, 6)])],
    "RepeatVector": [("RepeatVector(3)", [(6,)])],
    "Cropping1D": [("Cropping1D()", [(8, 3)])],
    "Cropping2D": [("Cropping2D(1)", [(8, 8, 3)])],
    "Cropping3D": [("Cropping3D()", [(8, 8, 8, 3)])],
    "ZeroPadding1D": [("ZeroPadding1D()", [(8, 3)])],
    "ZeroPadding2D": [("ZeroPadding2D()", [(8, 8, 3)])],
    "ZeroPadding3D": [("ZeroPadding3D()", [(8, 8, 8, 3)])],
    "UpSampling1D": [("UpSampling1D()", [(8, 3)])],
    "UpSampling2D": [("UpSampling2D()", [(8, 8, 3)])],
    "UpSampling3D": [("UpSampling3D()", [(8, 8, 8, 3)])],
    # activations
    "PReLU": [("PReLU()", [(8, 8, 3)]), ("PReLU(shared_axes=[1, 2])", [(8, 8, 3)]), ("PReLU(shared_axes=1)", [(5,)])],
    "ReLU": [("ReLU()", [(8,)])],
    "LeakyReLU": [("LeakyReLU()", [(8,)])],
    "ELU": [("ELU()", [(8,)])],
    "Softmax": [("Softmax()", [(8,)])],
    # attention
    "MultiHeadAttention": [
        ("MultiHeadAttention(4, 16)", [(10, 64), (10, 64)]),
        ("MultiHeadAttention(4, 8, value_dim=6, use_gate=True)", [(8, 32), (12, 48), (12, 16)]),
        ("MultiHeadAttention(2, 8, output_shape=(5, 2), use_bias=False)", [(10, 64), (10, 64)]),
    ],
    "GroupedQueryAttention": [
        ("GroupedQueryAttention(16, 8, 2)", [(10, 64), (10, 64)]),
        ("GroupQueryAttention(8, 4, 1, use_bias=False, use_gate=True)", [(10, 32), (10, 32), (10, 12)]),
    ],
    "Attention": [("Attention()", [(8, 16), (10, 16)]), ("Attention(True, 'concat')", [(8, 16), (10, 16)])],
    "AdditiveAttention": [
        ("AdditiveAttention()", [(8, 16), (10, 16)]),
        ("AdditiveAttention(False)", [(8, 16), (10, 16)]),
    ],
    # merging
    "Add": [("Add()", [(4, 8), (1, 8)])],
    # layers keras.applications defines
    "LayerScale": [("LayerScale(1e-6, 96)", [(56, 56, 96)])],
    "CustomScaleLayer": [("CustomScaleLayer(0.17)", [(35, 35, 320), (35, 35, 320)])],
    "StochasticDepth": [("StochasticDepth(0.1)", [(7, 7, 768)])],
    "Subtract": [("Subtract()", [(8,), (8,)])],
    "Multiply": [("Multiply()", [(8,), (8,)])],
    "Average": [("Average()", [(8,), (8,), (8,)])],
    "Maximum": [("Maximum()", [(8,), (8,)])],
    "Minimum": [("Minimum()", [(8,), (8,)])],
    "Concatenate": [("Concatenate(axis=1)", [(3, 8), (5, 8)])],
    "Dot": [("Dot(axes=2)", [(3, 4), (5, 4)])],
    # wrappers and cells
    "Bidirectional": [
        ("Bidirectional(LSTM(16))", [(10, 8)]),
        ("Bidirectional(LSTM(16), backward_layer=GRU(4, go_backwards=True))", [(10, 8)]),
    ],
    "TimeDistributed": [("TimeDistributed(Dense(8))", [(10, 16)]), ("TimeDistributed(Conv2D(8, 3))", [(5, 32, 32, 3)])],
    "RNN": [("RNN(LSTMCell(16))", [(10, 8)]), ("RNN([SimpleRNNCell(6), GRUCell(5)])", [(10, 8)])],
    "StackedRNNCells": [("StackedRNNCells([LSTMCell(4), LSTMCell(3)])", [(8,)])],
    "SimpleRNNCell": [("SimpleRNNCell(4)", [(8,)])],
    "LSTMCell": [("LSTMCell(4, use_bias=False)", [(8,)])],
    "GRUCell": [("GRUCell(4)", [(8,)]), ("GRUCell(4, reset_after=False)", [(8,)])],
    # preprocessing (no weights but STFTSpectrogram's kernels; the shapes are what matter)
    **{
        name: [(f"{name}({args})", [(32, 32, 3)])]
        for name, args in {
            "AugMix": "",
            "AutoContrast": "",
            "ContrastLimitedAdaptiveHistogramEqualization": "",
            "CutMix": "",
            "Equalization": "",
            "MixUp": "",
            "RandAugment": "",
            "RandomBrightness": "0.2",
            "RandomColorDegeneration": "0.2",
            "RandomColorJitter": "brightness_factor=0.1",
            "RandomContrast": "0.2",
            "RandomElasticTransform": "",
            "RandomErasing": "",
            "RandomFlip": "'horizontal'",
            "RandomGaussianBlur": "",
            "RandomGrayscale": "",
            "RandomHue": "0.1",
            "RandomInvert": "",
            "RandomPerspective": "",
            "RandomPosterization": "4",
            "RandomRotation": "0.1",
            "RandomSaturation": "0.2",
            "RandomSharpness": "0.2",
            "MaxNumBoundingBoxes": "10",
            "RandomShear": "x_factor=0.2",
            "RandomTranslation": "0.1, 0.1",
            "RandomZoom": "0.1",
            "Solarization": "",
            "Resizing": "20, 24",
            "CenterCrop": "20, 24",
            "RandomCrop": "20, 24",
        }.items()
    },
    "CategoryEncoding": [("CategoryEncoding(10)", [(4,)]), ("CategoryEncoding(7, 'one_hot')", [(5,)])],
    "Hashing": [("Hashing(10)", [(4,)]), ("Hashing(16, output_mode='multi_hot')", [(4,)])],
    "HashedCrossing": [("HashedCrossing(5)", [(1,), (1,)]), ("HashedCrossing(7, 'one_hot')", [(1,), (1,)])],
    "Discretization": [
        ("Discretization([0.0, 1.0])", [(4,)]),
        ("Discretization(num_bins=5, output_mode='count')", [(6, 2)]),
    ],
    "IntegerLookup": [("IntegerLookup(vocabulary=[1, 2, 3], output_mode='multi_hot')", [(4,)])],
    "StringLookup": [("StringLookup(vocabulary=['a', 'b'], output_mode='one_hot')", [(4,)])],
    "TextVectorization": [("TextVectorization(output_sequence_length=12)", [(1,)])],
    "MelSpectrogram": [("MelSpectrogram()", [(16000,)])],
    "STFTSpectrogram": [
        ("STFTSpectrogram()", [(16000, 1)]),
        ("STFTSpectrogram(mode='real', frame_length=64)", [(2000, 2)]),
    ],
    "Lambda": [("Lambda('f', output_shape=(4,))", [(8,)])],
    "Pipeline": [("Pipeline([RandomFlip(), Dense(4), Dense(2, use_bias=False)])", [(8, 8, 3)])],
    "Custom": [
        ("Custom(params=2560000, output_shape=(200, 32))", [(200,)]),
        ("Custom(params=10, non_trainable_params=4)", [(6,)]),
    ],
}

FLAT = [(name, call, shapes) for name, cases in CASES.items() for call, shapes in cases]


def _canonical_keras_rules() -> set[str]:
    return {found.name for found in all_rules("keras").values()}


def test_every_rule_has_cases() -> None:
    missing = sorted(_canonical_keras_rules() - set(CASES))
    assert not missing, f"add formula cases to tests/test_rule_formulas.py CASES for: {', '.join(missing)}"


def test_every_case_names_a_registered_rule() -> None:
    assert not set(CASES) - _canonical_keras_rules()


@pytest.mark.parametrize(("name", "call", "shapes"), FLAT, ids=[f"{c[1]}-{c[2]}" for c in FLAT])
def test_formula_equals_the_sum_of_the_terms_and_dims_equal_shapes(name: str, call: str, shapes: list[Shape]) -> None:
    row = run(call, *shapes)
    assert row.class_name == name
    symbols = dict(row.symbols)
    assert row.formula is not None, f"{call}: no formula"
    assert evaluate(row.formula, symbols) == row.params, f"{call}: {row.formula} with {symbols}"
    for term in row.terms:
        assert term.dims is not None, f"{call}: {term.weight} has no dims"
        assert len(term.dims) == len(term.shape), f"{call}: {term.weight} dims {term.dims} vs shape {term.shape}"
        assert tuple(evaluate(d, symbols) for d in term.dims) == term.shape, f"{call}: {term.weight} {term.dims}"
    assert set(dict(row.legend)) <= set(symbols)
