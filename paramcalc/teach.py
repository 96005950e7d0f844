"""Usual causes of shape errors, said in the error's hint.

A rank error is exact but not always helpful: "LSTM expects a 3-D input, got (None, 32)"
leaves a newcomer to find out why.  The two usual causes are a stacked recurrent layer
whose predecessor returns only its last output (``return_sequences`` defaults to False)
and a sequence layer (RNN, Conv1D, 1-D pooling) fed data without a time axis; an image
layer fed greyscale images without their channels axis is a close third.  The rule
registry marks such rank errors (:func:`rank_hint`); the engine, which knows the layer
before, names that layer when it is the cause (:func:`blame_previous`).
"""

from __future__ import annotations

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


def rank_hint(found: Rule, shape: Shape) -> str | None:
    """The hint for a layer given one axis too few: a sequence layer on a 2-D input (no time
    axis), an image layer on images without their channels axis; else None.
    """
    if len(shape) != found.min_rank - 1:
        return None
    if any(word in found.expects for word in SEQUENCE_WORDS):
        features = shape[-1] if shape else "features"
        return f"{NO_TIME_AXIS}: give the data one (input: [timesteps, {features}]) or reshape before it (Reshape)"
    if "rows, cols" in found.expects and "channels" in found.expects and None not in shape:
        sizes = ", ".join(str(d) for d in shape)
        return f"images need a channels axis, even for one channel: input: [{sizes}, 1] (or Reshape: [{sizes}, 1])"
    return None


def blame_previous(exc: ParamcalcError, previous: LayerRow | None) -> ParamcalcError:
    """Name the recurrent layer before when it is what dropped the time axis."""
    if previous is None or not (exc.hint or "").startswith(NO_TIME_AXIS) or previous.class_name not in RECURRENT:
        return exc
    exc.hint = (
        f"'{previous.name}' ({previous.class_name}) returns only its last output; "
        "give it return_sequences=True to stack another sequence layer on it"
    )
    return exc
