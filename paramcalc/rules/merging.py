"""Keras merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

None of them has weights; they only combine shapes (``keras/src/layers/merging``).  The
element-wise ones broadcast like NumPy over the axes after the batch axis (``(4, 8)`` and
``(1, 8)`` give ``(4, 8)``); Concatenate needs equal sizes except on its axis; Dot
contracts one axis of each input.  They are called on a list of tensors: give them
``inputs:`` naming two or more.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.errors import LayerError
from paramcalc.report import Dim, Shape
from paramcalc.rules import Args, Outcome, rule
from paramcalc.shapes import format_shape


def _need_inputs(name: str, xs: Sequence[Shape], exactly: int | None = None) -> None:
    if exactly is not None and len(xs) != exactly:
        raise LayerError(f"{name} takes exactly {exactly} inputs, got {len(xs)}", hint="inputs: [a, b]")
    if len(xs) < 2:
        raise LayerError(
            f"{name} merges a list of at least 2 inputs, got {len(xs)}",
            hint="name them in the layer's inputs:, e.g. inputs: [a, b]",
        )


def _broadcast(name: str, a: Shape, b: Shape) -> Shape:
    """Keras' ``Merge._compute_elemwise_op_output_shape``: right-aligned, 1 stretches, None is unknown."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return a
    out: list[Dim] = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b) :], b, strict=True):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise LayerError(
                f"{name} needs inputs of one shape (or broadcastable), got {format_shape(a)} and {format_shape(b)}",
                hint="element-wise merges combine tensors position by position",
            )
    return tuple(out)


def _elementwise(name: str, xs: Sequence[Shape], exactly: int | None = None) -> Outcome:
    _need_inputs(name, xs, exactly)
    shape = xs[0]
    for other in xs[1:]:
        shape = _broadcast(name, shape, other)
    return Outcome(shape=shape, formula="0")


@rule("Add", multi_input=True, mask="merge")
def add(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Sums its inputs element by element (a residual connection); no weights, output shape
    = input shape.
    """
    return _elementwise("Add", xs)


@rule("Subtract", multi_input=True, mask="merge")
def subtract(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Subtracts its second input from its first, element by element; no weights, output
    shape = input shape.
    """
    return _elementwise("Subtract", xs, exactly=2)


@rule("Multiply", multi_input=True, mask="merge")
def multiply(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Multiplies its inputs element by element (a gate); no weights, output shape = input
    shape.
    """
    return _elementwise("Multiply", xs)


@rule("Average", multi_input=True, mask="merge")
def average(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Averages its inputs element by element; no weights, output shape = input shape."""
    return _elementwise("Average", xs)


@rule("Maximum", multi_input=True, mask="merge")
def maximum(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Takes the element-wise maximum of its inputs; no weights, output shape = input shape."""
    return _elementwise("Maximum", xs)


@rule("Minimum", multi_input=True, mask="merge")
def minimum(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Takes the element-wise minimum of its inputs; no weights, output shape = input shape."""
    return _elementwise("Minimum", xs)


def _axis(args: Args, key: str, rank: int, name: str) -> int:
    """An axis counted with the batch axis (Keras' convention), normalized to 1..rank-1."""
    value = args[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise LayerError(f"'{key}' must be an integer axis, got {value!r}")
    axis = value + rank if value < 0 else value
    if not 1 <= axis < rank:
        raise LayerError(
            f"{name} axis {value} is out of range for inputs of rank {rank}",
            hint=f"axis 0 is the batch; use 1..{rank - 1} or -1..-{rank - 1}",
        )
    return axis


@rule("Concatenate", ("axis", -1), multi_input=True, mask="concatenate")
def concatenate(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Joins its inputs along one axis (the last by default): the sizes on that axis add
    up, every other axis must match. No weights.
    """
    _need_inputs("Concatenate", xs)
    ranks = {len(x) for x in xs}
    if len(ranks) > 1:
        shown = " and ".join(format_shape(x) for x in xs[:2])
        raise LayerError(f"Concatenate needs inputs of the same rank, got {shown}")
    rank = len(xs[0]) + 1
    axis = _axis(args, "axis", rank, "Concatenate") - 1
    first = xs[0]
    for other in xs[1:]:
        for i, (a, b) in enumerate(zip(first, other, strict=True)):
            if i != axis and a is not None and b is not None and a != b:
                raise LayerError(
                    f"Concatenate on axis {args['axis']} needs inputs that match on every other axis, "
                    f"got {format_shape(first)} and {format_shape(other)}",
                    hint="only the sizes on the concatenation axis may differ",
                )
    sizes = [x[axis] for x in xs]
    total = None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)
    shape = tuple(total if i == axis else size for i, size in enumerate(first))  # Keras keeps the first's sizes
    return Outcome(shape=shape, formula="0")


@rule("Dot", "axes", ("normalize", False), multi_input=True)
def dot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Batched dot product of two inputs over one axis of each (cosine similarity with
    normalize=True); the contracted axes must have the same size. No weights.
    """
    _need_inputs("Dot", xs, exactly=2)
    args.flag("normalize")
    a, b = xs
    value = args["axes"]
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        pair = (value[0], value[1])
    else:
        raise LayerError(f"'axes' must be an integer or a pair of integers, got {value!r}")
    axes = []
    for axis, shape in zip(pair, (a, b), strict=True):
        rank = len(shape) + 1
        norm = axis + rank if axis < 0 else axis
        if not 1 <= norm < rank:
            raise LayerError(
                f"Dot axis {axis} is out of range for input {format_shape(shape)}",
                hint="axis 0 is the batch; count axes from 1 (or from the end with -1)",
            )
        axes.append(norm - 1)
    size_a, size_b = a[axes[0]], b[axes[1]]
    if size_a != size_b:
        raise LayerError(
            f"Dot needs equal sizes on the contracted axes, got {format_shape(a)} (axis {axes[0] + 1}) "
            f"and {format_shape(b)} (axis {axes[1] + 1})",
            hint="the dot product pairs the entries of those two axes",
        )
    shape = tuple(d for i, d in enumerate(a) if i != axes[0]) + tuple(d for i, d in enumerate(b) if i != axes[1])
    return Outcome(shape=shape or (1,), formula="0")
