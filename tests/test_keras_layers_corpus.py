"""The Keras layer families against the golden corpus built in real Keras 3.

Every model of the core, conv, normalization, pooling_reshape, activations and
random_sequential goldens must match Keras exactly: each layer's class, output shape,
count and weights (name, shape, trainability), and the totals. A model using a layer
paramcalc does not know fails here: nothing is skipped because a rule is missing.

recurrent.json also holds wrapper and RNN-cell cases owned by another family; its models
are taken when every layer they use is one of ``LAYER_CLASSES`` (an explicit list), and
the test ``test_recurrent_selection_is_explicit`` pins what is left out and why.

Some random Sequential models wrap layers in Bidirectional or TimeDistributed (the
wrappers family); they are tested here with every other model of the family.

Every ``expected_errors`` case of these families (specs real Keras refuses) must be an
error here too: exit status 2 and one line on stderr, nothing on stdout.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import RunCli
from golden_keras import assert_model_matches, load_family

from paramcalc.rules import find_rule

FAMILIES = ("core", "conv", "normalization", "pooling_reshape", "activations", "random_sequential")

LAYER_CLASSES = frozenset(
    {
        # core (with the rules already on main: Dense, Embedding, Dropout, Activation, Flatten)
        "Dense",
        "EinsumDense",
        "Embedding",
        "ReversibleEmbedding",
        "Dropout",
        "AlphaDropout",
        "GaussianDropout",
        "GaussianNoise",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "ActivityRegularization",
        "Masking",
        "Identity",
        "Activation",
        "Flatten",
        # recurrent (SimpleRNN, LSTM, GRU are on main) and convolutional recurrent
        "SimpleRNN",
        "LSTM",
        "GRU",
        "ConvLSTM1D",
        "ConvLSTM2D",
        "ConvLSTM3D",
        # convolution
        *(f"Conv{r}D" for r in (1, 2, 3)),
        *(f"Convolution{r}D" for r in (1, 2, 3)),
        *(f"Conv{r}DTranspose" for r in (1, 2, 3)),
        *(f"Convolution{r}DTranspose" for r in (1, 2, 3)),
        *(f"SeparableConv{r}D" for r in (1, 2)),
        *(f"SeparableConvolution{r}D" for r in (1, 2)),
        *(f"DepthwiseConv{r}D" for r in (1, 2)),
        # normalization
        "BatchNormalization",
        "LayerNormalization",
        "GroupNormalization",
        "UnitNormalization",
        "RMSNormalization",
        "Normalization",
        "Rescaling",
        "SpectralNormalization",
        # pooling
        *(f"{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)),
        *(f"{k}Pool{r}D" for k in ("Max", "Avg") for r in (1, 2, 3)),
        *(f"Global{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)),
        *(f"Global{k}Pool{r}D" for k in ("Max", "Avg") for r in (1, 2, 3)),
        *(f"Adaptive{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)),
        # reshaping
        "Reshape",
        "Permute",
        "RepeatVector",
        *(f"{name}{r}D" for name in ("Cropping", "ZeroPadding", "UpSampling") for r in (1, 2, 3)),
        # activations
        "PReLU",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "Softmax",
    }
)
"""Layer classes of the families tested here: the selection of recurrent.json models."""

WRAPPER_CLASSES = frozenset({"Bidirectional", "TimeDistributed", "RNN"})
"""Classes another family owns (wrappers, generic RNN): recurrent.json cases using them are theirs."""

SPEC_KEYS = frozenset({"Input", "Repeat"})
"""Spec-level entries that are not layers."""


def spec_classes(value: Any) -> Iterator[str]:
    """Every layer class a spec uses, nested layers (wrapped layers, RNN cells, Repeat) included."""
    if isinstance(value, dict):
        if "layers" in value and isinstance(value["layers"], list):
            for entry in value["layers"]:
                yield from spec_classes(entry)
            return
        if len(value) == 1:
            ((name, args),) = value.items()
            if isinstance(name, str) and name[:1].isupper():
                yield name
                yield from spec_classes(args)
                return
        for item in value.values():
            yield from spec_classes(item)
    elif isinstance(value, list):
        for item in value:
            yield from spec_classes(item)
    elif isinstance(value, str) and value[:1].isupper():
        yield value


def _classes(model: dict[str, Any]) -> set[str]:
    return set(spec_classes(model["spec"])) - SPEC_KEYS


def _recurrent_models() -> list[dict[str, Any]]:
    return [m for m in load_family("recurrent")["models"] if _classes(m) <= LAYER_CLASSES]


def _models() -> list[tuple[str, dict[str, Any]]]:
    out = [(family, m) for family in FAMILIES for m in load_family(family)["models"]]
    return out + [("recurrent", m) for m in _recurrent_models()]


MODELS = _models()
ERRORS = [(family, e) for family in (*FAMILIES, "recurrent") for e in load_family(family)["expected_errors"]]


@pytest.mark.parametrize("case", [m for _, m in MODELS], ids=[f"{f}/{m['id']}" for f, m in MODELS])
def test_model_matches_keras(case: dict[str, Any]) -> None:
    assert_model_matches(case)


def test_only_wrapper_layers_come_from_other_families() -> None:
    """Any class outside this file's families must be a wrapper; anything else is a failure above."""
    for _, model in MODELS:
        assert _classes(model) - LAYER_CLASSES <= WRAPPER_CLASSES, model["id"]


def test_recurrent_selection_is_explicit() -> None:
    """What recurrent.json cases are left out is decided by class name, never by a failure."""
    left_out = [m for m in load_family("recurrent")["models"] if not _classes(m) <= LAYER_CLASSES]
    for model in left_out:
        foreign = _classes(model) - LAYER_CLASSES
        assert foreign, model["id"]
        assert foreign <= WRAPPER_CLASSES | {"LSTMCell", "GRUCell", "SimpleRNNCell"}, model["id"]
    assert len(_recurrent_models()) >= 40


NOT_IN_CORPUS = frozenset(
    {
        "AdaptiveAveragePooling1D",
        "AdaptiveAveragePooling3D",
        "AdaptiveMaxPooling2D",
        "AdaptiveMaxPooling3D",
    }
)
"""Classes of these families no golden model uses (the rule tables cover them)."""


def test_corpus_covers_every_layer_class_of_these_families() -> None:
    used = {find_rule(name).name for _, m in MODELS for name in _classes(m) & LAYER_CLASSES}
    ours = {find_rule(name).name for name in LAYER_CLASSES}
    assert ours - used == NOT_IN_CORPUS
    assert used >= ours - NOT_IN_CORPUS


@pytest.mark.parametrize("case", [e for _, e in ERRORS], ids=[f"{f}/{e['id']}" for f, e in ERRORS])
def test_spec_keras_refuses_is_one_line_error(case: dict[str, Any], run_cli: RunCli, tmp_path: Path) -> None:
    spec = tmp_path / f"{case['id']}.yaml"
    spec.write_text(yaml.safe_dump(case["spec"], sort_keys=False), encoding="utf-8")
    result = run_cli("summary", str(spec), "--format", "json")
    assert result.code == 2, f"{case['id']}: Keras says {case['keras_error']!r}; paramcalc: {result.out[:200]}"
    assert result.out == ""
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
