"""``keras.ops`` calls in functional graphs: the operation nodes Keras writes into model JSON.

A functional model that calls ``keras.ops.add(x, y)``, ``x * 0.5`` or ``ops.mean(x, axis=1)``
between layers keeps each call as an *operation* in ``model.to_json()`` (``"module":
"keras.src.ops.numpy", "class_name": "Add"``): a graph node with no weights that Keras'
summary lists with its layers (``add (Add)``, 0 parameters).  The reader gives each such
node the class name ``keras.ops.<Class>`` and the call as written: the op's constructor
arguments (its JSON ``config``) by name, and its call arguments with every tensor replaced
by a :class:`~paramcalc.spec.keras_ops_nodes.TensorArg` and every array constant by a
:class:`~paramcalc.spec.keras_ops_nodes.ConstantArg` (only its shape matters).

The rules reproduce each op's ``compute_output_spec`` (``keras/src/ops/numpy.py``, ``nn.py``,
``core.py``, ``math.py``): broadcasting, reductions over axes, reshapes, joins.  Unlike a
layer, an op sees the whole tensor, batch axis included: ``ops.sum(x)`` is a scalar ``()``,
``ops.expand_dims(x, 0)`` is ``(1, None, 4)``.  So these rules work on full shapes (the
batch axis as ``None``) and their rows say so (``batch_in_shapes``), as torch rows do.

Rules are registered for the framework ``keras.ops`` (their own table: ``Add`` the op is
not ``Add`` the layer); :func:`paramcalc.rules.find_rule` sends ``keras.ops.Add`` here.
Ops whose output shape depends on tensor *values* (``nonzero``, ``unique``), or that take
functions (``cond``, ``scan``), are not listed: an unknown op is an error naming it.

This module holds what every op rule shares: the shapes of call arguments, broadcasting,
axes, the ``op`` registration, and :func:`graph_shapes` (how the graph builder hands shapes
to ops and layers).  It registers no rule; the rules are grouped by job in
:mod:`~paramcalc.rules.keras_ops_elementwise`, :mod:`~paramcalc.rules.keras_ops_reductions`,
:mod:`~paramcalc.rules.keras_ops_shape`, :mod:`~paramcalc.rules.keras_ops_linalg` and
:mod:`~paramcalc.rules.keras_ops_nn`, the ``rule_modules`` of the ``keras.ops`` record in
:mod:`paramcalc.frameworks`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import prod
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome, RuleFn, rule
from paramcalc.shapes import format_shape
from paramcalc.spec.op_args import ConstantArg, TensorArg
from paramcalc.spec.records import Value

OPS_FRAMEWORK = "keras.ops"
"""The registry table of op rules (see :func:`paramcalc.rules.find_rule`)."""

Full = tuple[int | None, ...]
"""A full shape: batch axis included."""


def value_shape(value: Value, xs: Sequence[Shape]) -> Full | None:
    """The shape of one call argument: a tensor's, a constant array's, a Python number's ``()``.

    ``None`` stays ``None`` (an argument left out); nested Python lists are arrays.
    """
    if isinstance(value, TensorArg):
        if value.index >= len(xs):
            raise LayerError(f"the call names input {value.index}, but has {len(xs)} input tensors")
        return tuple(xs[value.index])
    if isinstance(value, ConstantArg):
        return value.shape
    if value is None:
        return None
    if isinstance(value, (bool, int, float, complex)):
        return ()
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,)
        inner = [value_shape(item, xs) for item in value]
        if any(s is None or s != inner[0] for s in inner):
            raise LayerError(f"a constant list argument is ragged: {value!r}")
        first = inner[0]
        assert first is not None  # noqa: S101 - checked above
        return (len(value), *first)
    raise LayerError(f"cannot read the shape of the argument {value!r}")


def tensor_shape(args: Args, key: str, xs: Sequence[Shape]) -> Full:
    """The shape of a tensor argument (a constant is a tensor too, of its own shape)."""
    shape = value_shape(args[key], xs)
    if shape is None:
        raise LayerError(f"'{key}' must be a tensor, got None")
    return shape


def broadcast(a: Full, b: Full, what: str = "") -> Full:
    """NumPy broadcasting as Keras computes it for symbolic shapes (``broadcast_shapes``).

    ``None`` against 1 stays ``None``; ``None`` against ``n`` becomes ``n``.
    """
    a = (1,) * (len(b) - len(a)) + tuple(a)
    b = (1,) * (len(a) - len(b)) + tuple(b)
    out: list[int | None] = []
    for x, y in zip(a, b, strict=True):
        if x == 1:
            out.append(y)
        elif x is None:
            out.append(None if y == 1 else y)
        elif y == 1 or y is None or y == x:
            out.append(x)
        else:
            raise LayerError(
                f"cannot broadcast {format_shape(a, True)} with {format_shape(b, True)}{what}",
                hint="sizes must match or be 1 on every axis, counted from the last",
            )
    return tuple(out)


def axis_index(axis: Value, rank: int, key: str = "axis") -> int:
    """A possibly negative axis as an index into a rank-``rank`` shape (Keras' ``canonicalize_axis``)."""
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise LayerError(f"'{key}' must be an integer, got {axis!r}")
    if not -rank <= axis < rank:
        raise LayerError(f"'{key}' {axis} is out of bounds for a tensor of rank {rank}")
    return axis % rank


def axes_of(value: Value, rank: int, key: str = "axis") -> tuple[int, ...]:
    """An axis or a list of axes, each canonicalised."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return tuple(axis_index(a, rank, key) for a in items)


def reduce_shape(shape: Full, axis: Value, keepdims: bool) -> Full:
    """Keras' ``reduce_shape``: drop (or keep as 1) the reduced axes; all axes when ``axis`` is None."""
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    axes = axes_of(axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def flat_size(shape: Full) -> Full:
    """A flattened tensor: ``(n,)``, or ``(None,)`` when a size is unknown."""
    return (None,) if None in shape else (prod(d for d in shape if d is not None),)


def ints(value: Value, key: str) -> list[int]:
    """An integer or a list of integers (``newshape``, ``repeats``) as a list; anything else is refused."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, int) or isinstance(item, bool):
            raise LayerError(f"'{key}' must be an integer or a list of integers, got {value!r}")
    return items


def flag(args: Args, key: str) -> bool:
    """A boolean argument (``keepdims``), validated as a flag."""
    return bool(args.flag(key))


def outcome(shape: Full) -> Outcome:
    """What every single-output op returns: its full output shape and no weights."""
    return Outcome(shape=shape, formula="0")


def op(name: str, *params: tuple[str, Value] | str) -> Callable[[RuleFn], RuleFn]:
    """Register an op rule: call arguments first, then the op's constructor arguments.

    Every op takes its inputs as a list of full shapes (``multi_input``, batch axis included)
    and has no weights.
    """
    return rule(name, *params, framework=OPS_FRAMEWORK, multi_input=True, base=False, batch_axis=0)


def family(names: str, fn: RuleFn, *params: tuple[str, Value] | str) -> None:
    """Register one rule function under several op names (``"Sum Mean Std"``) with one signature."""
    for name in names.split():
        op(name, *params)(fn)


def same_shape(args: Args, xs: Sequence[Shape]) -> Outcome:
    """An element-wise op: the output has the input's shape; no weights."""
    return outcome(tensor_shape(args, "x", xs))


def tensor_list(args: Args, key: str, xs: Sequence[Shape]) -> list[Full]:
    """The shapes of a list-of-tensors argument (``concatenate(xs)``, ``stack(x)``)."""
    value = args[key]
    if not isinstance(value, (list, tuple)) or not value:
        raise LayerError(f"'{key}' must be a list of tensors")
    return [value_shape(item, xs) or () for item in value]


def same_except(shapes: list[Full], axis: int | None) -> None:
    """Refuse tensors to be joined whose shapes differ on any axis but ``axis`` (None: on every axis)."""
    first = shapes[0]
    for shape in shapes[1:]:
        if len(shape) != len(first) or any(
            i != axis and a is not None and b is not None and a != b
            for i, (a, b) in enumerate(zip(shape, first, strict=False))
        ):
            where = "" if axis is None else " except on the joined axis"
            raise LayerError(
                f"the tensors must have the same shape{where}: "
                f"{format_shape(first, True)} and {format_shape(shape, True)}"
            )


def graph_shapes(op_node: bool, inputs: Sequence[Any]) -> tuple[list[Shape], list[bool]]:
    """The shapes a graph call sees, and which of them still lack the batch axis.

    A layer's rows hold shapes without the batch axis, an op's (``batch_in_shapes``) whole
    shapes.  An op node gets whole shapes: the engine adds the batch axis (``None``) to the
    outputs of layers and model inputs.  A layer reading an op's output gets it without its
    first axis, which a layer always takes as the batch axis.
    """
    shapes: list[Shape] = []
    fresh: list[bool] = []
    for tensor in inputs:
        row = getattr(tensor.op.payload, "row", None)
        whole = row is not None and row.batch_in_shapes
        shape = tensor.shape
        if op_node:
            shapes.append(shape)
            fresh.append(not whole)
            continue
        if whole and not shape:
            raise LayerError(
                f"reads '{tensor.keras_ref()}', a scalar without a batch axis",
                hint="a layer needs a batch axis first: reduce over the other axes (axis=...)",
            )
        shapes.append(shape[1:] if whole else shape)
        fresh.append(tensor.op.is_input)
    return shapes, fresh
