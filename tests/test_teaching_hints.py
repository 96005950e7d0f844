"""Shape errors with a usual cause say it: a stacked RNN without return_sequences, data without a time axis."""

from __future__ import annotations

import pytest

from paramcalc.engine import analyze
from paramcalc.errors import ParamcalcError
from paramcalc.spec.yaml_spec import load_yaml


def error_of(text: str) -> str:
    with pytest.raises(ParamcalcError) as info:
        analyze(load_yaml(text, "m.yaml"))
    rendered = info.value.render()
    assert "\n" not in rendered
    return rendered


@pytest.mark.parametrize("first", ["LSTM: 32", "GRU: 32", "SimpleRNN: 32", "Bidirectional: {layer: {LSTM: 8}}"])
def test_a_stacked_rnn_names_the_layer_that_needs_return_sequences(first: str) -> None:
    text = error_of(f"input: [20, 8]\nlayers:\n  - {first}\n  - LSTM: 16\n")
    assert "expects a 3-D input" in text
    assert "returns only its last output; give it return_sequences=True" in text


def test_a_stacked_rnn_in_a_graph_names_the_layer_that_needs_return_sequences() -> None:
    spec = "inputs: {x: [20, 8]}\nlayers:\n  - GRU: {units: 4, name: enc, inputs: [x]}\n  - GRU: {units: 4, inputs: [enc]}\n"
    assert "'enc' (GRU) returns only its last output" in error_of(spec)


@pytest.mark.parametrize("layer", ["LSTM: 8", "Conv1D: [8, 3]", "MaxPooling1D: 2", "GRU: 4"])
def test_a_sequence_layer_fed_a_2d_input_asks_for_a_time_axis(layer: str) -> None:
    text = error_of(f"input: [100]\nlayers:\n  - {layer}\n")
    assert "it reads sequences and this input has no time axis" in text
    assert "input: [timesteps, 100]" in text


def test_a_dense_layer_before_an_rnn_is_not_blamed_for_return_sequences() -> None:
    text = error_of("input: [10]\nlayers:\n  - Dense: 2\n  - LSTM: 4\n")
    assert "no time axis" in text
    assert "return_sequences" not in text


@pytest.mark.parametrize("layer", ["Conv2D: [8, 3]", "MaxPooling2D: 2", "SeparableConv2D: [4, 3]"])
def test_an_image_layer_fed_images_without_channels_asks_for_the_channels_axis(layer: str) -> None:
    text = error_of(f"input: [28, 28]\nlayers:\n  - {layer}\n")
    assert "images need a channels axis, even for one channel: input: [28, 28, 1]" in text
