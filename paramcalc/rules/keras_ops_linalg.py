"""``keras.ops`` linear algebra: products and contractions, traces, determinants, Cholesky.

``matmul``, ``dot``, ``tensordot``, ``outer``, ``einsum``, ``vdot`` and ``inner`` contract
axes as NumPy does (the leading axes of ``matmul`` broadcast); ``einsum`` lays each operand
out on the output's letters as Keras' ``compute_output_spec`` does.  The matrix ops drop or
keep their last two axes.  Shared helpers: :mod:`paramcalc.rules.keras_ops`.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.errors import LayerError
from paramcalc.limits import MAX_RANK
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome
from paramcalc.rules.keras_ops import (
    Full,
    axis_index,
    broadcast,
    family,
    flat_size,
    ints,
    op,
    outcome,
    same_shape,
    tensor_shape,
    value_shape,
)
from paramcalc.shapes import format_shape

family("Cholesky CholeskyInverse", same_shape, "x", ("upper", False))


def last_two_axes(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A determinant of each matrix in a batch: the last two axes go; no weights."""
    shape = tensor_shape(args, "x", xs)
    if len(shape) < 2:
        raise LayerError(f"needs matrices (rank 2 or more), got {format_shape(shape, True)}")
    return outcome(shape[:-2])


family("Det Logdet", last_two_axes, "x")


@op("Matmul", "x1", "x2")
def matmul(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Matrix product over the last two axes, the leading axes broadcasting; a 1-D operand is
    a vector whose temporary axis is dropped again (as ``np.matmul``); no weights.
    """
    a, b = tensor_shape(args, "x1", xs), tensor_shape(args, "x2", xs)
    if not a or not b:
        raise LayerError("matmul needs operands of rank 1 or more")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] is not None and b2[-2] is not None and a2[-1] != b2[-2]:
        raise LayerError(
            f"inner dimensions differ: {format_shape(a, True)} @ {format_shape(b, True)}",
            hint="x1's last size must equal x2's second-to-last",
        )
    out = [*broadcast(a2[:-2], b2[:-2]), a2[-2], b2[-1]]
    if len(a) == 1:
        del out[-2]
    if len(b) == 1:
        del out[-1]
    return outcome(tuple(out))


@op("Dot", "x1", "x2")
def dot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """NumPy's ``dot``: a scalar operand multiplies; vector·vector is a scalar; otherwise
    x1's last axis meets x2's last (1-D) or second-to-last axis and both go; no weights.
    """
    a, b = list(tensor_shape(args, "x1", xs)), list(tensor_shape(args, "x2", xs))
    if not a or not b:
        return outcome(broadcast(tuple(a), tuple(b)))
    if len(a) == 1 and len(b) == 1:
        return outcome(())
    if len(b) == 1:
        if a[-1] != b[0]:
            raise LayerError(f"dot: x1's last size {a[-1]} differs from x2's {b[0]}")
        return outcome(tuple(a[:-1]))
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise LayerError(f"dot: x1's last size {a[-1]} differs from x2's second-to-last {b[-2]}")
    return outcome((*a[:-1], *b[:-2], b[-1]))


@op("Tensordot", "x1", "x2", ("axes", 2))
def tensordot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Contracts x1's and x2's ``axes`` (the last n of x1 with the first n of x2 for an int);
    the remaining axes of x1 then of x2 form the output; no weights.
    """
    a, b = tensor_shape(args, "x1", xs), tensor_shape(args, "x2", xs)
    axes = args["axes"]
    if isinstance(axes, int) and not isinstance(axes, bool):
        return outcome(a + b if axes <= 0 else a[:-axes] + b[axes:])
    if not (isinstance(axes, (list, tuple)) and len(axes) == 2):
        raise LayerError(f"'axes' must be an integer or two lists of axes, got {axes!r}")
    first, second = ints(axes[0], "axes"), ints(axes[1], "axes")
    pairs = list(zip([a[i] for i in first], [b[i] for i in second], strict=False))
    if len(first) != len(second) or any(p is not None and q is not None and p != q for p, q in pairs):
        raise LayerError(f"tensordot: the contracted sizes differ: {axes!r}")
    keep_a = [d for i, d in enumerate(a) if i not in {f % len(a) for f in first}]
    keep_b = [d for i, d in enumerate(b) if i not in {s % len(b) for s in second}]
    return outcome((*keep_a, *keep_b))


@op("Outer", "x1", "x2")
def outer(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Outer product of the two flattened operands: (size of x1, size of x2); no weights."""
    a, b = tensor_shape(args, "x1", xs), tensor_shape(args, "x2", xs)
    return outcome((flat_size(a)[0], flat_size(b)[0]))


@op("Einsum", "operands", "subscripts")
def einsum(args: Args, xs: Sequence[Shape]) -> Outcome:
    """``einsum(subscripts, *operands)`` as Keras computes its shape: each operand is laid out
    on the output's letters (``...`` taking the leftover axes, a missing letter 1) and the
    layouts broadcast; no weights.
    """
    subscripts = args.string("subscripts")
    operands = args["operands"]
    if not isinstance(operands, (list, tuple)):
        raise LayerError("einsum needs a list of operands")
    shapes = [value_shape(item, xs) or () for item in operands]
    parts = subscripts.split("->")
    if len(parts) > 2:
        raise LayerError(f"at most one '->' in einsum subscripts, got {subscripts!r}")
    inputs, output = parts[0], (parts[1] if len(parts) == 2 else None)
    specs = inputs.split(",")
    if any(len(part) > MAX_RANK + 3 for part in [*specs, output or ""]):  # a 5 MB output spec: 64 axes and "..."
        raise LayerError(f"einsum: a subscript names more than {MAX_RANK} axes", hint="paramcalc's limit on axes")
    if len(specs) != len(shapes):
        raise LayerError(f"einsum {subscripts!r} names {len(specs)} operands, got {len(shapes)}")
    kept: set[str] = set()
    reduced: set[str] = set()
    for letter in inputs:
        if letter.isalpha():
            if letter not in reduced and letter not in kept:
                kept.add(letter)
            elif letter in kept:
                kept.remove(letter)
                reduced.add(letter)
    if output is not None:
        kept, reduced = (
            {d for d in kept if d in output} | {d for d in reduced if d in output},
            {d for d in kept if d not in output} | {d for d in reduced if d not in output},
        )
    target = output if output is not None else "..." + "".join(sorted(kept))
    result: Full | None = None
    for shape, spec in zip(shapes, specs, strict=True):
        laid = _einsum_layout([-1 if d is None else d for d in shape], spec, target)
        result = laid if result is None else broadcast(result, laid)
    return outcome(result or ())


def _einsum_layout(shape: list[int], spec: str, target: str) -> Full:
    """Keras' string substitution that lays one operand's sizes out on the output spec."""
    import re

    halves = spec.split("...")
    text = target
    if len(halves) == 1:
        if len(shape) != len(spec):
            raise LayerError(f"einsum: subscript {spec!r} has {len(spec)} axes, the operand {len(shape)}")
        for size, letter in zip(shape, spec, strict=True):
            text = text.replace(letter, f"{size} ")
        text = text.replace("...", "")
    else:
        head, tail = halves[0], halves[1]
        if len(head) + len(tail) > len(shape):
            raise LayerError(f"einsum: subscript {spec[:60]!r} names more axes than the operand's {len(shape)}")
        for i, letter in enumerate(head):
            text = text.replace(letter, f"{shape[i]} ")
        for i in range(len(tail)):
            text = text.replace(tail[-i - 1], f"{shape[-i - 1]} ")
        end = len(shape) if not tail else len(shape) - len(tail)
        wildcard = shape[len(head) : end]
        text = text.replace("...", f"{' '.join(str(s) for s in wildcard)} ")
    text = re.sub("[a-z]", "1 ", text)
    items = text.split()
    if not all(item == "-1" or (item.isascii() and item.isdigit()) for item in items):  # Keras' int() fails
        raise LayerError(
            f"einsum: cannot lay out the output {target[:60]!r}", hint="subscripts are letters a-z, ',' '->' '...'"
        )
    return tuple(None if item == "-1" else int(item) for item in items)


@op("Trace", "x", ("offset", 0), ("axis1", 0), ("axis2", 1))
def trace(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Sums a diagonal over ``axis1`` and ``axis2``: both axes go; no weights."""
    shape = tensor_shape(args, "x", xs)
    a, b = axis_index(args["axis1"], len(shape), "axis1"), axis_index(args["axis2"], len(shape), "axis2")
    if a == b:
        raise LayerError("'axis1' and 'axis2' must be different")
    return outcome(tuple(d for i, d in enumerate(shape) if i not in (a, b)))


@op("Vdot", "x1", "x2")
def vdot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Dot product of the flattened operands: a scalar; no weights."""
    tensor_shape(args, "x1", xs)
    tensor_shape(args, "x2", xs)
    return outcome(())


@op("Inner", "x1", "x2")
def inner(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Sums over both last axes: x1's leading axes then x2's; a scalar operand multiplies; no weights."""
    a, b = tensor_shape(args, "x1", xs), tensor_shape(args, "x2", xs)
    if not a or not b:
        return outcome(a or b)
    if a[-1] is not None and b[-1] is not None and a[-1] != b[-1]:
        raise LayerError(f"inner: the last sizes differ: {format_shape(a, True)} and {format_shape(b, True)}")
    return outcome(a[:-1] + b[:-1])
