"""Usual causes of shape errors, said in the error's hint.

A rank error is exact but not always helpful: "LSTM expects a 3-D input, got (None, 32)"
leaves a newcomer to find out why.  The two usual causes are a stacked recurrent layer
whose predecessor returns only its last output (``return_sequences`` defaults to False)
and a sequence layer (RNN, Conv1D, 1-D pooling) fed data without a time axis; an image
layer fed greyscale images without their channels axis is a close third.  Then come an
image layer fed flat vectors (MNIST as 784 values, or a Flatten / Dense placed before the
convolutions) and a recurrent layer fed images with their channels axis (28 × 28 × 1, one
axis too many).  The rule registry marks such rank errors (:func:`rank_hint`); the engine,
which knows the layer before, names that layer when it is the cause (:func:`blame_previous`).
"""

from __future__ import annotations

from math import isqrt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paramcalc.errors import ParamcalcError
    from paramcalc.report import LayerRow, Shape
    from paramcalc.rules import Rule

SEQUENCE_WORDS = ("timesteps", "steps")
"""Words of a rule's ``expects`` that say it reads sequences."""

RECURRENT = frozenset({"LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional"})
"""Layers whose output is one vector per sample unless ``return_sequences=True``."""

NO_TIME_AXIS = "it reads sequences and this input has no time axis"
FLAT = "it reads images and this input is flat"
FLATTENING = frozenset({"Flatten", "Dense", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling1D"})
"""Layers whose output is one vector per sample: the cause of a flat input to an image layer."""


def rank_hint(found: Rule, shape: Shape) -> str | None:
    """The hint for a layer given one axis too few: a sequence layer on a 2-D input (no time
    axis), an image layer on images without their channels axis; else None.
    """
    if len(shape) != found.min_rank - 1:
        return _more_hint(found, shape)
    if any(word in found.expects for word in SEQUENCE_WORDS):
        features = shape[-1] if shape else "features"
        return f"{NO_TIME_AXIS}: give the data one (input: [timesteps, {features}]) or reshape before it (Reshape)"
    if "rows, cols" in found.expects and "channels" in found.expects and None not in shape:
        sizes = ", ".join(str(d) for d in shape)
        return f"images need a channels axis, even for one channel: input: [{sizes}, 1] (or Reshape: [{sizes}, 1])"
    return None


def _more_hint(found: Rule, shape: Shape) -> str | None:
    """Flat vectors fed to a 2-D image layer; one axis too many for a sequence layer."""
    if len(shape) == 1 and found.min_rank == 3 and "rows, cols" in found.expects:
        guess = _image_guess(shape[0])
        return f"{FLAT}: give it (rows, cols, channels)" + (
            f", e.g. input: {guess} or Reshape: {guess}" if guess else ""
        )
    sequence = any(word in found.expects for word in SEQUENCE_WORDS)
    if sequence and found.max_rank is not None and len(shape) == found.max_rank + 1 and None not in shape[:-1]:
        if shape[-1] == 1:
            sizes = ", ".join(str(d) for d in shape[:-1])
            return (
                f"drop the channels axis of 1 (input: [{sizes}] or Reshape: [{sizes}]) to read each row as a time step"
            )
        return "one axis too many for a sequence: Reshape to (timesteps, features), or use TimeDistributed per frame"
    return None


def _image_guess(size: int | None) -> str:
    """``[28, 28, 1]`` when a flat size is a square image (greyscale, then RGB); else ""."""
    for channels in (1, 3):
        if size is not None and size % channels == 0:
            side = isqrt(size // channels)
            if side > 1 and side * side * channels == size:
                return f"[{side}, {side}, {channels}]"
    return ""


def blame_previous(exc: ParamcalcError, previous: LayerRow | None) -> ParamcalcError:
    """Name the layer before when it is the cause: a recurrent layer that dropped the time
    axis, or a Flatten / Dense / global pooling that made images flat.
    """
    hint = exc.hint or ""
    if previous is not None and hint.startswith(FLAT) and previous.class_name in FLATTENING:
        guess = _image_guess(previous.outputs[0][-1] if previous.outputs and previous.outputs[0] else None)
        exc.hint = (
            f"'{previous.name}' ({previous.class_name}) makes the data flat: put the image layers before it,"
            f" or Reshape back to (rows, cols, channels){f', e.g. Reshape: {guess}' if guess else ''}"
        )
        return exc
    if previous is None or not hint.startswith(NO_TIME_AXIS) or previous.class_name not in RECURRENT:
        return exc
    exc.hint = (
        f"'{previous.name}' ({previous.class_name}) returns only its last output; "
        "give it return_sequences=True to stack another sequence layer on it"
    )
    return exc
