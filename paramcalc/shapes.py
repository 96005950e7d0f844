"""Integer shape arithmetic shared by rules: known axes, ranks, products.

Shapes exclude the batch axis; ``None`` marks an unknown length (a variable sequence
length), which propagates instead of being guessed.
"""

from __future__ import annotations

from math import prod

from paramcalc.errors import LayerError
from paramcalc.report import Shape


def format_shape(shape: Shape) -> str:
    """Keras' printed form with the batch axis: ``(None, 4, 8)``."""
    return "(" + ", ".join(str(d) for d in (None, *shape)) + ")"


def known_axis(shape: Shape, axis: int, what: str) -> int:
    """The size of ``axis``, which a weight depends on, so it must be known."""
    size = shape[axis]
    if size is None:
        raise LayerError(
            f"needs a known {what} to size its weights, got input {format_shape(shape)}",
            hint="give the input shape with a number for that axis",
        )
    return size


def last_axis(shape: Shape) -> int:
    """The input feature size ``m`` most layers read (the last axis)."""
    if not shape:
        raise LayerError("needs an input with at least one axis besides the batch")
    return known_axis(shape, -1, "last input axis")


def product(shape: Shape) -> int | None:
    """Number of elements per sample, or None if any axis is unknown."""
    if any(d is None for d in shape):
        return None
    return prod(d for d in shape if d is not None)
