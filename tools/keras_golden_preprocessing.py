# ruff: noqa: E501
"""Goldens for Keras preprocessing/augmentation layers, quantized models, Lambda and custom layers.

Why a separate generator: these cases need what the main generator does not do: quantize a
built model (``model.quantize(mode)``, on the CPU: quantizing reads the weights), record what
Keras builds back *from its JSON* (the quantized weights are created in another order than
``quantize()`` leaves them), save small ``.keras`` archives, and build the lookup layers,
which need TensorFlow installed (``IntegerLookup``, ``StringLookup``, ``TextVectorization``,
``Hashing``, ``HashedCrossing``), under the tensorflow backend.

Run from the repository root:

    KERAS_BACKEND=torch /work/fw/bin/python tools/keras_golden_preprocessing.py               # preprocessing, quantized
    KERAS_BACKEND=tensorflow <a venv with tensorflow-cpu and keras 3.15.1>/bin/python \\
        tools/keras_golden_preprocessing.py --only preprocessing_tf

Writes ``tests/golden/keras/{preprocessing,preprocessing_tf}.json`` and
``tests/golden/keras_quantized/quantized.json`` in the format of ``tools/keras_golden.py``
(each record also has ``keras_json``; quantized ones ``quantize``, the mode, and their
layers as Keras builds them from that JSON) and, for two tiny quantized models in each
mode, ``tests/data/keras_quantized/<id>.keras``. Never imported by tests.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("KERAS_HOME", "/tmp/keras_golden_home")

import keras

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_golden as kg
from keras_cases import INT, graph, seq

ROOT = Path(__file__).resolve().parent.parent
ARCHIVES = ROOT / "tests" / "data" / "keras_quantized"
QUANTIZED_DIR = ROOT / "tests" / "golden" / "keras_quantized"
"""Not under tests/golden/keras: a quantized record's spec is the model *before* quantizing."""
GENERATOR = "tools/keras_golden_preprocessing.py"
IMG = [32, 32, 3]

# One case per line reads best as a table.
# fmt: off
PREPROCESSING: list[tuple[str, dict[str, Any]]] = [
    ("augment_flip_rotate_zoom", seq(IMG, [{"RandomFlip": "horizontal"}, {"RandomRotation": 0.1}, {"RandomZoom": 0.2}, {"Conv2D": [8, 3]}])),
    ("augment_every_identity_layer", seq(IMG, [
        "RandomFlip", {"RandomRotation": {"factor": 0.2, "fill_mode": "nearest"}}, {"RandomZoom": [0.1, 0.2]},
        {"RandomTranslation": [0.1, 0.1]}, {"RandomContrast": 0.2}, {"RandomBrightness": 0.2},
        "AutoContrast", "Solarization", "RandAugment", "MixUp", "CutMix", "AugMix",
        "RandomGrayscale", "RandomErasing", "RandomGaussianBlur", "RandomElasticTransform", "RandomColorJitter",
        {"RandomColorDegeneration": 0.3}, {"RandomHue": 0.2}, "RandomInvert", "RandomPerspective",
        {"RandomPosterization": 4}, {"RandomSaturation": 0.3}, {"RandomSharpness": 0.3},
        {"RandomShear": {"x_factor": 0.2}}, "ContrastLimitedAdaptiveHistogramEqualization",
        "Flatten", {"Dense": 10},
    ])),
    ("equalization_first", seq(IMG, ["Equalization", "Flatten", {"Dense": 2}])),  # mid-chain, Keras' Equalization returns its input tensor and the graph has a cycle
    ("resizing_rescaling_cnn", seq([64, 48, 3], [{"Resizing": [32, 32]}, {"Rescaling": 0.00392156862745098}, {"Conv2D": [16, 3]}, "GlobalAveragePooling2D", {"Dense": 10}])),
    ("resizing_crop_to_aspect", seq([64, 48, 3], [{"Resizing": {"height": 20, "width": 30, "crop_to_aspect_ratio": True}}])),
    ("resizing_channels_first", seq([3, 64, 48], [{"Resizing": {"height": 20, "width": 30, "data_format": "channels_first"}}, {"Conv2D": {"filters": 4, "kernel_size": 3, "data_format": "channels_first"}}])),
    ("center_crop", seq(IMG, [{"CenterCrop": [24, 20]}, "Flatten", {"Dense": 3}])),
    ("center_crop_upscales", seq([8, 8, 3], [{"CenterCrop": [16, 12]}])),
    ("random_crop", seq(IMG, [{"RandomCrop": [24, 28]}, {"Conv2D": [4, 3]}])),
    ("random_crop_channels_first", seq([3, 32, 30], [{"RandomCrop": {"height": 10, "width": 12, "data_format": "channels_first"}}])),
    ("rescaling_offset", seq([10], [{"Rescaling": {"scale": 2.0, "offset": -1.0}}, {"Dense": 2}])),
    ("normalization_axis_none", seq(IMG, [{"Normalization": {"axis": None}}, "Flatten", {"Dense": 2}])),
    ("normalization_axis_last", seq(IMG, [{"Normalization": {"axis": -1}}])),
    ("normalization_axes_list", seq([5, 6, 7], [{"Normalization": {"axis": [1, 3]}}])),
    ("normalization_mean_variance", seq([4], [{"Normalization": {"mean": [1.0, 2.0, 3.0, 4.0], "variance": [1.0, 1.0, 2.0, 2.0]}}, {"Dense": 1}])),
    ("normalization_invert", seq([6], [{"Normalization": {"invert": True}}])),
    ("normalization_axis_none_scalar_stats", seq([5, 3], [{"Normalization": {"axis": None, "mean": 2.0, "variance": 3.0}}, "Flatten", {"Dense": 1}])),
    ("normalization_axes_tuple_batchless", seq([4, 5, 6], [{"Normalization": {"axis": [-1, -2]}}])),
    ("normalization_axis_1_mean_variance", seq([3, 4], [{"Normalization": {"axis": 1, "mean": [0.0, 1.0, 2.0], "variance": [1.0, 1.0, 1.0]}}])),
    ("normalization_then_dense_head", seq([13], [{"Normalization": {"axis": -1}}, {"Dense": {"units": 64, "activation": "relu"}}, {"Dense": 1}])),
    ("keras_io_data_augmentation", graph({"img": IMG}, [
        {"Sequential": {"name": "data_augmentation", "layers": ["RandomFlip", {"RandomRotation": 0.1}, {"RandomZoom": 0.1}]}},
        {"Rescaling": {"scale": 0.00392156862745098, "inputs": ["data_augmentation"], "name": "rescale"}},
        {"Conv2D": {"filters": 8, "kernel_size": 3, "activation": "relu", "inputs": ["rescale"], "name": "conv"}},
        {"GlobalAveragePooling2D": {"inputs": ["conv"], "name": "gap"}},
        {"Dense": {"units": 5, "inputs": ["gap"], "name": "head"}},
    ], ["head"])),
    ("category_encoding_multi_hot", seq([4], [{"CategoryEncoding": {"num_tokens": 10}}, {"Dense": 2}], INT)),
    ("category_encoding_one_hot_1", seq([1], [{"CategoryEncoding": {"num_tokens": 7, "output_mode": "one_hot"}}], INT)),
    ("category_encoding_one_hot_seq", seq([5], [{"CategoryEncoding": {"num_tokens": 7, "output_mode": "one_hot"}}, {"Dense": 3}], INT)),
    ("category_encoding_count", seq([3, 4], [{"CategoryEncoding": {"num_tokens": 9, "output_mode": "count"}}], INT)),
    ("discretization_int", seq([4], [{"Discretization": {"bin_boundaries": [0.0, 1.0, 2.0]}}])),
    ("discretization_one_hot", seq([4], [{"Discretization": {"bin_boundaries": [0.0, 1.0, 2.0], "output_mode": "one_hot"}}, "Flatten", {"Dense": 2}])),
    ("discretization_one_hot_last_1", seq([1], [{"Discretization": {"bin_boundaries": [0.5], "output_mode": "one_hot"}}])),
    ("discretization_multi_hot", seq([3, 4], [{"Discretization": {"bin_boundaries": [0.0, 1.0], "output_mode": "multi_hot"}}])),
    ("discretization_num_bins_count", seq([6, 2], [{"Discretization": {"num_bins": 5, "output_mode": "count"}}])),
    ("mel_spectrogram", seq([16000], [{"MelSpectrogram": {}}, {"Conv1D": [8, 3]}])),
    ("mel_spectrogram_args", seq([8000], [{"MelSpectrogram": {"fft_length": 512, "sequence_stride": 160, "num_mel_bins": 40}}])),
    ("stft_spectrogram_default", seq([16000, 1], ["STFTSpectrogram"])),
    ("stft_spectrogram_stft_same", seq([4000, 2], [{"STFTSpectrogram": {"mode": "stft", "frame_length": 100, "frame_step": 25, "padding": "same"}}])),
    ("stft_spectrogram_real_expand", seq([2000, 1], [{"STFTSpectrogram": {"mode": "real", "frame_length": 64, "expand_dims": True}}, {"Conv2D": [4, 3]}])),
    ("stft_spectrogram_imag_fft", seq([3000, 3], [{"STFTSpectrogram": {"mode": "imag", "frame_length": 60, "fft_length": 256}}])),
    ("stft_spectrogram_channels_first", seq([2, 1000], [{"STFTSpectrogram": {"frame_length": 50, "data_format": "channels_first"}}])),
    ("functional_augment_branches", graph({"img": IMG}, [
        {"RandomFlip": {"inputs": ["img"], "name": "flip"}}, {"Rescaling": {"scale": 0.5, "inputs": ["flip"], "name": "scale"}},
        {"Conv2D": {"filters": 4, "kernel_size": 3, "inputs": ["scale"], "name": "c1"}},
        {"Resizing": {"height": 30, "width": 30, "inputs": ["flip"], "name": "resize"}},
        {"Conv2D": {"filters": 4, "kernel_size": 1, "inputs": ["resize"], "name": "c2"}},
        {"Add": {"inputs": ["c1", "c2"], "name": "add"}}, {"GlobalAveragePooling2D": {"inputs": ["add"], "name": "gap"}},
        {"Dense": {"units": 2, "inputs": ["gap"], "name": "head"}},
    ], ["head"])),
    ("functional_normalization_categorical", graph({"num": [6], "cat": {"shape": [3], "dtype": INT}}, [
        {"Normalization": {"inputs": ["num"], "name": "norm"}},
        {"CategoryEncoding": {"num_tokens": 12, "inputs": ["cat"], "name": "enc"}},
        {"Concatenate": {"inputs": ["norm", "enc"], "name": "cat_all"}},
        {"Dense": {"units": 8, "inputs": ["cat_all"], "name": "hidden"}},
    ], ["hidden"])),
    ("pipeline_augmentation", seq(IMG, [{"Pipeline": {"layers": ["RandomFlip", {"RandomRotation": 0.1}, {"RandomZoom": 0.2}]}}, {"Conv2D": [4, 3]}])),
    ("pipeline_with_weights", seq([10], [{"Pipeline": {"layers": [{"Dense": 6}, {"Dropout": 0.1}, {"Dense": 3}], "name": "pipe"}}, {"Dense": 1}])),
    ("pipeline_stft_in_graph", graph({"audio": [800, 1]}, [
        {"Pipeline": {"layers": [{"STFTSpectrogram": {"frame_length": 32}}, {"Dense": 4}], "inputs": ["audio"], "name": "front"}},
        {"GlobalAveragePooling1D": {"inputs": ["front"], "name": "gap"}},
        {"Dense": {"units": 2, "inputs": ["gap"], "name": "head"}},
    ], ["head"])),
    ("mask_dropped_by_augmentation", graph({"ids": {"shape": [6], "dtype": INT}, "x": [6, 8]}, [
        {"Embedding": {"input_dim": 50, "output_dim": 8, "mask_zero": True, "inputs": ["ids"], "name": "emb"}},
        {"RandomFlip": {"inputs": ["emb"], "name": "flip"}},
        {"Concatenate": {"inputs": ["flip", "x"]}},  # no masked input left: no hidden `concatenate` op
        {"LSTM": {"units": 4, "inputs": ["concatenate"], "name": "lstm"}},
        {"Rescaling": {"scale": 2.0, "inputs": ["emb"], "name": "scale"}},  # Rescaling keeps the mask
        {"LSTM": {"units": 4, "inputs": ["scale"], "name": "lstm_b"}},
        {"Concatenate": {"inputs": ["lstm", "lstm_b"]}},
    ])),
    ("lambda_output_shape", seq([8], [{"Dense": 4}, {"Lambda": {"function": "double", "output_shape": [4]}}, {"Dense": 1}])),
]

PREPROCESSING_TF: list[tuple[str, dict[str, Any]]] = [
    ("hashing_int", seq([4], [{"Hashing": 10}], INT)),
    ("hashing_one_hot", seq([1], [{"Hashing": {"num_bins": 10, "output_mode": "one_hot"}}, {"Dense": 2}], INT)),
    ("hashing_multi_hot", seq([4], [{"Hashing": {"num_bins": 16, "output_mode": "multi_hot"}}], INT)),
    ("integer_lookup_int_embedding", seq([5], [{"IntegerLookup": {"vocabulary": [3, 5, 7, 9]}}, {"Embedding": [5, 4]}], INT)),
    ("integer_lookup_multi_hot", seq([4], [{"IntegerLookup": {"vocabulary": [1, 2, 3, 4, 5, 6], "output_mode": "multi_hot"}}, {"Dense": 2}], INT)),
    ("integer_lookup_one_hot_mask", seq([3], [{"IntegerLookup": {"vocabulary": [1, 2, 3], "output_mode": "one_hot", "mask_token": 0, "num_oov_indices": 2}}], INT)),
    ("integer_lookup_pad_to_max", seq([4], [{"IntegerLookup": {"vocabulary": [1, 2], "output_mode": "count", "max_tokens": 20, "pad_to_max_tokens": True}}], INT)),
    ("string_lookup_int", seq([4], [{"StringLookup": {"vocabulary": ["a", "b", "c"]}}, {"Embedding": [4, 3]}], "string")),
    ("string_lookup_one_hot", seq([4], [{"StringLookup": {"vocabulary": ["a", "b"], "output_mode": "one_hot"}}, "Flatten", {"Dense": 2}], "string")),
    ("string_lookup_count_mask", seq([4], [{"StringLookup": {"vocabulary": ["a", "b"], "output_mode": "count", "num_oov_indices": 2, "mask_token": ""}}], "string")),
    ("string_lookup_tf_idf", seq([2], [{"StringLookup": {"vocabulary": ["x", "y", "z"], "output_mode": "tf_idf", "idf_weights": [0.5, 0.25, 0.125]}}], "string")),
    ("text_vectorization_int", seq([1], [{"TextVectorization": {"vocabulary": ["the", "cat", "sat"], "output_sequence_length": 12}}, {"Embedding": [5, 8]}, "GlobalAveragePooling1D", {"Dense": 1}], "string")),
    ("text_vectorization_int_ragged_length", seq([1], [{"TextVectorization": {"max_tokens": 100}}], "string")),
    ("text_vectorization_multi_hot", seq([1], [{"TextVectorization": {"vocabulary": ["a", "b", "c"], "output_mode": "multi_hot"}}, "Flatten", {"Dense": 2}], "string")),
    ("text_vectorization_count_pad", seq([1], [{"TextVectorization": {"max_tokens": 50, "output_mode": "count", "pad_to_max_tokens": True}}], "string")),
    ("string_lookup_vocabulary_with_special_tokens", seq([3], [{"StringLookup": {"vocabulary": ["", "[UNK]", "a", "b"], "mask_token": ""}}, {"Embedding": [4, 2]}], "string")),
    ("string_lookup_special_tokens_multi_hot", seq([3], [{"StringLookup": {"vocabulary": ["[UNK]", "a", "b"], "output_mode": "multi_hot"}}], "string")),
    ("integer_lookup_invert", seq([4], [{"IntegerLookup": {"vocabulary": [10, 20, 30], "invert": True}}], INT)),
    ("integer_lookup_mask_int", seq([4], [{"IntegerLookup": {"vocabulary": [10, 20, 30], "mask_token": 0}}, {"Embedding": [5, 3]}], INT)),
    ("integer_lookup_one_hot_wide", seq([2, 3], [{"IntegerLookup": {"vocabulary": [5, 6, 7, 8], "output_mode": "one_hot"}}], INT)),
    ("text_vectorization_split_none_multi_hot", seq([1], [{"TextVectorization": {"vocabulary": ["a b", "c"], "split": None, "output_mode": "multi_hot"}}], "string")),
    ("text_vectorization_ngrams_count", seq([1], [{"TextVectorization": {"vocabulary": ["a", "b", "a b"], "ngrams": 2, "output_mode": "count"}}], "string")),
    ("text_vectorization_tf_idf", seq([1], [{"TextVectorization": {"vocabulary": ["a", "b"], "idf_weights": [0.5, 0.5], "output_mode": "tf_idf"}}, "Flatten", {"Dense": 2}], "string")),
    ("text_vectorization_scalar_input", seq([], [{"TextVectorization": {"vocabulary": ["a", "b"], "output_sequence_length": 6}}, {"Embedding": [4, 3]}], "string")),
    ("hashed_crossing_scalars", graph({"a": {"shape": [], "dtype": INT}, "b": {"shape": [], "dtype": INT}}, [{"HashedCrossing": {"num_bins": 9, "output_mode": "one_hot", "inputs": ["a", "b"], "name": "cross"}}], ["cross"])),
    ("hashed_crossing_int", graph({"a": {"shape": [1], "dtype": INT}, "b": {"shape": [1], "dtype": INT}}, [{"HashedCrossing": {"num_bins": 5, "inputs": ["a", "b"], "name": "cross"}}], ["cross"])),
    ("hashed_crossing_one_hot", graph({"a": {"shape": [1], "dtype": INT}, "b": {"shape": [1], "dtype": INT}}, [{"HashedCrossing": {"num_bins": 7, "output_mode": "one_hot", "inputs": ["a", "b"], "name": "cross"}}, {"Dense": {"units": 2, "inputs": ["cross"], "name": "head"}}], ["head"])),
]

QUANTIZED_MODELS: list[tuple[str, dict[str, Any]]] = [
    ("mlp", seq([784], [{"Dense": 256}, {"Dense": {"units": 128, "use_bias": False}}, {"Dense": 10}])),
    ("mlp_odd_widths", seq([300], [{"Dense": 129}, {"Dense": 7}])),
    ("embedding_classifier", seq([20], [{"Embedding": [1000, 64]}, "GlobalAveragePooling1D", {"Dense": 33}, {"Dense": 1}], INT)),
    ("embedding_odd_dim", seq([6], [{"Embedding": [300, 131]}, "Flatten", {"Dense": 3}], INT)),
    ("lstm_dense_head", seq([10, 16], [{"LSTM": 8}, {"Dense": 4}])),
    ("einsum_dense", seq([10, 32], [{"EinsumDense": {"equation": "abc,cd->abd", "output_shape": [None, 64], "bias_axes": "d"}}])),
    ("einsum_heads", seq([10, 32], [{"EinsumDense": {"equation": "abc,cde->abde", "output_shape": [None, 4, 16], "bias_axes": "de"}}])),
    ("einsum_two_reduced", seq([5, 4, 6], [{"EinsumDense": {"equation": "abcd,cde->abe", "output_shape": [None, 8], "bias_axes": "e"}}])),
    ("einsum_ab_bc_odd", seq([33], [{"EinsumDense": ["ab,bc->ac", 65]}])),
    ("einsum_bias_on_seq_axis", seq([10, 32], [{"EinsumDense": {"equation": "abc,cd->abd", "output_shape": [10, 64], "bias_axes": "b"}}])),
    ("einsum_kernel_first_letter", seq([7, 12], [{"EinsumDense": {"equation": "abc,dc->abd", "output_shape": [None, 9]}}])),
    ("attention_block", graph({"x": [6, 16]}, [
        {"MultiHeadAttention": {"num_heads": 2, "key_dim": 8, "inputs": ["x", "x"], "name": "mha"}},
        {"Dense": {"units": 4, "inputs": ["mha"], "name": "out"}},
    ], ["out"])),
    ("reversible_embedding_untied", seq([12], [{"ReversibleEmbedding": {"input_dim": 300, "output_dim": 17, "tie_weights": False}}], INT)),
    ("reversible_embedding_tied", seq([12], [{"ReversibleEmbedding": {"input_dim": 300, "output_dim": 16}}], INT)),
    ("time_distributed_dense", seq([5, 4], [{"TimeDistributed": {"layer": {"Dense": 3}}}, "Flatten", {"Dense": 2}])),
    ("bidirectional_lstm_dense", seq([6, 4], [{"Bidirectional": {"layer": {"LSTM": 3}}}, {"Dense": 2}])),
    ("nested_sequential_head", graph({"x": [12]}, [
        {"Dense": {"units": 9, "inputs": ["x"], "name": "proj"}},
        {"Sequential": {"name": "head", "layers": [{"Dense": 5}, {"Dropout": 0.1}, {"Dense": 2}]}},
    ])),
    ("lora_dense", seq([12], [{"Dense": {"units": 8, "lora_rank": 2}}, {"Dense": 3}])),
    ("frozen_dense", seq([12], [{"Dense": {"units": 8, "trainable": False}}, {"Dense": 3}])),
    ("bfloat16_dense", seq([12], [{"Dense": {"units": 8, "dtype": "bfloat16"}}, {"Dense": 3}])),
    ("conv_dense", seq([16, 16, 3], [{"Conv2D": [4, 3]}, "Flatten", {"Dense": 5}])),
    ("functional_two_towers", graph({"ids": {"shape": [8], "dtype": INT}, "x": [12]}, [
        {"Embedding": {"input_dim": 500, "output_dim": 16, "inputs": ["ids"], "name": "emb"}},
        {"GlobalAveragePooling1D": {"inputs": ["emb"], "name": "pool"}},
        {"Dense": {"units": 16, "inputs": ["x"], "name": "proj"}},
        {"Concatenate": {"inputs": ["pool", "proj"], "name": "cat"}},
        {"Dense": {"units": 1, "inputs": ["cat"], "name": "head"}},
    ], ["head"])),
]
QUANTIZED_MODELS += [
    ("tiny_dense", seq([6], [{"Dense": 5}, {"Dense": 3}])),
    ("tiny_embedding", seq([4], [{"Embedding": [12, 5]}, "Flatten", {"Dense": 2}], INT)),
]
DTYPE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("dense_int8_dtype", seq([10], [{"Dense": {"units": 7, "dtype": "int8_from_float32"}}])),
    ("dense_int4_per_channel_dtype", seq([10], [{"Dense": {"units": 7, "dtype": "int4_from_float32"}}])),
    ("dense_int4_block_minus_1_dtype", seq([10], [{"Dense": {"units": 7, "dtype": "int4/-1_from_float32"}}])),
    ("dense_int4_block_4_dtype", seq([10], [{"Dense": {"units": 7, "dtype": "int4/4_from_float32"}}])),
    ("dense_int8_from_bfloat16_dtype", seq([10], [{"Dense": {"units": 7, "dtype": "int8_from_bfloat16"}}])),
    ("dense_float8_from_float16_dtype", seq([10], [{"Dense": {"units": 7, "dtype": "float8_from_float16"}}])),
    ("embedding_int4_block_8_dtype", seq([3], [{"Embedding": {"input_dim": 40, "output_dim": 19, "dtype": "int4/8_from_float32"}}], INT)),
    ("reversible_int4_block_8_dtype", seq([3], [{"ReversibleEmbedding": {"input_dim": 40, "output_dim": 19, "tie_weights": False, "dtype": "int4/8_from_float32"}}], INT)),
    ("reversible_int4_per_channel_dtype", seq([3], [{"ReversibleEmbedding": {"input_dim": 40, "output_dim": 19, "tie_weights": False, "dtype": "int4_from_float32"}}], INT)),
    ("einsum_int4_block_8_dtype", seq([10, 32], [{"EinsumDense": {"equation": "abc,cde->abde", "output_shape": [None, 4, 5], "bias_axes": "e", "dtype": "int4/8_from_float32"}}])),
    ("frozen_dense_int8_dtype", seq([10], [{"Dense": {"units": 7, "dtype": "int8_from_float32", "trainable": False}}])),
]
"""Quantized policies given as a layer's ``dtype`` in a spec (built directly in that policy)."""
QUANTIZE_MODES = ("int8", "int4", "float8")
ARCHIVED = {"tiny_dense", "tiny_embedding"}
"""Quantized models also saved as .keras archives (tiny, so the repository stays small)."""
# fmt: on


def record_built(case_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A preprocessing case: built on the CPU (some layers compute constants at build)."""
    keras.utils.clear_session(free_memory=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build(spec)
    return kg.model_record(case_id, copy.deepcopy(spec), model, True)


def build(spec: dict[str, Any]) -> Any:
    """kg.build_model, with Lambda functions given by name (the spec holds a name, not code)."""
    spec = copy.deepcopy(spec)
    for entry in spec["layers"]:
        if isinstance(entry, dict) and "Lambda" in entry:
            entry["Lambda"]["function"] = FUNCTIONS[entry["Lambda"]["function"]]
            entry["Lambda"]["output_shape"] = tuple(entry["Lambda"]["output_shape"])
    return kg.build_model(spec)


def _make_layer(entry: Any) -> Any:
    """kg.make_layer, plus ``Pipeline: {layers: [...]}`` (a list of layer entries)."""
    name, args = kg.entry_parts(entry)
    if name == "Pipeline":
        pos, kw = kg.split_args(args)
        items = kw.pop("layers", pos[0] if pos else [])
        kw.pop("inputs", None)  # graph wiring
        return keras.layers.Pipeline([_make_layer(item) for item in items], **kw)
    return _PLAIN_MAKE_LAYER(entry)


_PLAIN_MAKE_LAYER = kg.make_layer
kg.make_layer = _make_layer  # build_sequential / build_functional look it up at call time


def double(x: Any) -> Any:
    return x * 2


FUNCTIONS = {"double": double}


def record_quantized(case_id: str, spec: dict[str, Any], mode: str) -> dict[str, Any]:
    """Quantize the model, then record what Keras builds from its JSON (as paramcalc reads it)."""
    keras.utils.clear_session(free_memory=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = kg.build_model(spec)
        model.quantize(mode)
        text = model.to_json()
        keras.utils.clear_session(free_memory=False)
        loaded = keras.models.model_from_json(text)
    rec = kg.model_record(f"{case_id}_{mode}", copy.deepcopy(spec), loaded, False)
    rec["keras_json"] = json.loads(text)
    rec["quantize"] = mode
    if case_id in ARCHIVED:
        ARCHIVES.mkdir(parents=True, exist_ok=True)
        path = ARCHIVES / f"{case_id}_{mode}.keras"
        with tempfile.TemporaryDirectory() as tmp:
            model.save(Path(tmp) / "m.keras")
            keras.utils.clear_session(free_memory=False)
            reloaded = keras.saving.load_model(Path(tmp) / "m.keras")
            again = kg.model_record(rec["id"], rec["spec"], reloaded, False)
            if again["layers"] != rec["layers"]:
                raise AssertionError(f"{rec['id']}: the .keras archive loads differently from the JSON")
            path.write_bytes((Path(tmp) / "m.keras").read_bytes())
        rec["archive"] = str(path.relative_to(ROOT))
    return rec


def record_config_wins(case_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """int4 with blocks of 4 from ``quantize(config=...)``, the JSON's policy then edited to
    ``int4/128``: Keras takes the block size from the saved ``quantization_config``."""
    from keras.quantizers import Int4QuantizationConfig

    keras.utils.clear_session(free_memory=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = kg.build_model(spec)
        model.quantize("int4", config=Int4QuantizationConfig(block_size=4))
        doc = json.loads(model.to_json())
        for entry in doc["config"]["layers"]:
            policy = entry["config"].get("dtype")
            if isinstance(policy, dict) and policy.get("class_name") == "Int4DTypePolicy":
                policy["config"]["mode"] = "int4/128"
        keras.utils.clear_session(free_memory=False)
        loaded = keras.models.model_from_json(json.dumps(doc))
    rec = kg.model_record(case_id, copy.deepcopy(spec), loaded, False)
    rec["keras_json"] = doc
    rec["quantize"] = "int4"
    return rec


def write(family: str, models: list[dict[str, Any]], out_dir: Path = kg.OUT_DIR) -> None:
    doc = {
        "generator": GENERATOR,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "models": models,
        "expected_errors": [],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{family}.json"
    path.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{path}: {len(models)} models")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["preprocessing", "quantized", "preprocessing_tf"], action="append")
    wanted = parser.parse_args().only or ["preprocessing", "quantized"]
    if "preprocessing" in wanted:
        write("preprocessing", [record_built(i, s) for i, s in PREPROCESSING])
    if "quantized" in wanted:
        models = [record_quantized(i, s, m) for i, s in QUANTIZED_MODELS for m in QUANTIZE_MODES]
        models += [record_built(i, s) for i, s in DTYPE_CASES]
        models.append(
            record_config_wins("quantization_config_block_wins_int4", seq([20], [{"Dense": 7}, {"Dense": 3}]))
        )
        write("quantized", models, QUANTIZED_DIR)
    if "preprocessing_tf" in wanted:
        if keras.backend.backend() != "tensorflow":
            raise SystemExit("preprocessing_tf needs KERAS_BACKEND=tensorflow (the lookup layers need TensorFlow)")
        write("preprocessing_tf", [record_built(i, s) for i, s in PREPROCESSING_TF])


if __name__ == "__main__":
    main()
