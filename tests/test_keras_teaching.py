"""More usual causes of Keras shape errors, said in the one-line error's hint.

Beyond a stacked RNN without ``return_sequences`` and data without a time or channels axis
(``test_teaching_hints.py``): an image layer fed flat vectors, named after the Flatten or
Dense that made them flat, and a recurrent layer fed images with their channels axis.
"""

from __future__ import annotations

import pytest
from conftest import RunCli


def one_line_error(run_cli: RunCli, spec: str) -> str:
    result = run_cli("summary", spec)
    assert result.code == 2
    assert result.out == ""
    (line,) = result.err.strip().splitlines()
    return line


@pytest.mark.parametrize(
    ("size", "guess"), [(784, "[28, 28, 1]"), (3072, "[32, 32, 3]"), (1024, "[32, 32, 1]"), (100, "[10, 10, 1]")]
)
def test_an_image_layer_fed_flat_vectors_asks_for_rows_cols_channels(run_cli: RunCli, size: int, guess: str) -> None:
    line = one_line_error(run_cli, f"Input(shape=({size},)) | Conv2D(8, 3)")
    assert "it reads images and this input is flat: give it (rows, cols, channels)" in line
    assert f"e.g. input: {guess} or Reshape: {guess}" in line


def test_a_flat_size_that_is_no_square_image_gets_no_guess(run_cli: RunCli) -> None:
    line = one_line_error(run_cli, "Input(shape=(50,)) | MaxPooling2D()")
    assert line.endswith("give it (rows, cols, channels)")


@pytest.mark.parametrize("flattening", ["Flatten()", "Flatten() | Dense(784)", "GlobalAveragePooling2D()"])
def test_the_layer_that_made_images_flat_is_named(run_cli: RunCli, flattening: str) -> None:
    line = one_line_error(run_cli, f"Input(shape=(28, 28, 1)) | {flattening} | Conv2D(8, 3)")
    name = {"Flatten()": "'flatten' (Flatten)", "Flatten() | Dense(784)": "'dense' (Dense)"}.get(
        flattening, "'global_average_pooling2d' (GlobalAveragePooling2D)"
    )
    assert f"{name} makes the data flat: put the image layers before it" in line
    if flattening != "GlobalAveragePooling2D()":
        assert "Reshape: [28, 28, 1]" in line


@pytest.mark.parametrize("layer", ["LSTM(32)", "GRU(8)", "SimpleRNN(4)", "Conv1D(8, 3)"])
def test_a_sequence_layer_fed_images_with_a_channels_axis_is_told_to_drop_it(run_cli: RunCli, layer: str) -> None:
    line = one_line_error(run_cli, f"Input(shape=(28, 28, 1)) | {layer}")
    assert "drop the channels axis of 1 (input: [28, 28] or Reshape: [28, 28])" in line


def test_a_sequence_layer_one_axis_too_many_is_told_to_reshape(run_cli: RunCli) -> None:
    line = one_line_error(run_cli, "Input(shape=(10, 16, 4)) | GRU(8)")
    assert "one axis too many for a sequence: Reshape to (timesteps, features)" in line
