"""``keras.ops`` shape changes: reshapes, axis moves, joins and splits, repeats, indexing, padding.

Each rule reproduces the op's ``compute_output_spec`` on full shapes (batch axis included,
``None`` where unknown): ``reshape`` infers ``-1`` only when every size is known, joins add
up the joined axis, ``x[key]`` follows NumPy's basic indexing.  Shared helpers:
:mod:`paramcalc.rules.keras_ops`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from math import prod
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome
from paramcalc.rules.keras_ops import (
    Full,
    axes_of,
    axis_index,
    broadcast,
    flat_size,
    ints,
    op,
    outcome,
    same_except,
    tensor_list,
    tensor_shape,
    value_shape,
)
from paramcalc.shapes import format_shape
from paramcalc.spec.records import Value


@op("Ravel", "x")
def ravel(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Flattens the whole tensor, batch axis included: ``(n,)`` or ``(None,)``."""
    return outcome(flat_size(tensor_shape(args, "x", xs)))


@op("Reshape", "x", "newshape")
def reshape(args: Args, xs: Sequence[Shape]) -> Outcome:
    """``reshape(x, newshape)``: the new shape, batch axis included (``-1`` is inferred only
    when every size is known, else it stays unknown, as in Keras); no weights.
    """
    shape = tensor_shape(args, "x", xs)
    dims = ints(args["newshape"], "newshape")
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise LayerError(f"'newshape' may hold one -1 and sizes >= 0, got {dims}")
    if None in shape:
        return outcome(tuple(None if d == -1 else d for d in dims))
    size = prod(d for d in shape if d is not None)
    known = prod(d for d in dims if d != -1)
    if -1 in dims:
        if known == 0 or size % known:
            raise LayerError(f"cannot reshape {format_shape(shape, True)} into {tuple(dims)}")
        return outcome(tuple(size // known if d == -1 else d for d in dims))
    if known != size:
        raise LayerError(f"cannot reshape {format_shape(shape, True)} ({size} elements) into {tuple(dims)}")
    return outcome(tuple(dims))


@op("Transpose", "x", ("axes", None))
def transpose(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Permutes the axes (all reversed when ``axes`` is None); no weights."""
    shape = tensor_shape(args, "x", xs)
    if args["axes"] is None:
        return outcome(shape[::-1])
    axes = axes_of(args["axes"], len(shape), "axes")
    if len(axes) != len(shape) or len(set(axes)) != len(shape):
        raise LayerError(f"'axes' must be a permutation of the {len(shape)} axes, got {args['axes']!r}")
    return outcome(tuple(shape[a] for a in axes))


@op("Swapaxes", "x", "axis1", "axis2")
def swapaxes(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Exchanges two axes; no weights."""
    shape = list(tensor_shape(args, "x", xs))
    a, b = axis_index(args["axis1"], len(shape), "axis1"), axis_index(args["axis2"], len(shape), "axis2")
    shape[a], shape[b] = shape[b], shape[a]
    return outcome(tuple(shape))


@op("Moveaxis", "x", "source", "destination")
def moveaxis(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Moves axes to new places, the others keeping their order; no weights."""
    shape = tensor_shape(args, "x", xs)
    rank = len(shape)
    source = axes_of(args["source"], rank, "source")
    destination = axes_of(args["destination"], rank, "destination")
    if len(source) != len(destination):
        raise LayerError("'source' and 'destination' must name as many axes")
    order = [i for i in range(rank) if i not in source]
    for dest, src in sorted(zip(destination, source, strict=True)):
        order.insert(dest, src)
    return outcome(tuple(shape[i] for i in order))


@op("ExpandDims", "x", "axis")
def expand_dims(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Inserts axes of size 1 at ``axis`` (counted in the output); no weights."""
    shape = tensor_shape(args, "x", xs)
    items = args["axis"] if isinstance(args["axis"], (list, tuple)) else [args["axis"]]
    rank = len(shape) + len(items)
    axes = axes_of(items, rank)
    rest = iter(shape)
    return outcome(tuple(1 if i in axes else next(rest) for i in range(rank)))


@op("Squeeze", "x", ("axis", None))
def squeeze(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Removes axes of size 1 (every such axis when ``axis`` is None; an unknown size is kept); no weights."""
    shape = tensor_shape(args, "x", xs)
    if args["axis"] is None:
        return outcome(tuple(d for d in shape if d != 1))
    axes = axes_of(args["axis"], len(shape))
    for a in axes:
        if shape[a] != 1:
            raise LayerError(f"cannot squeeze axis {a}: its size is {shape[a]}, not 1")
    return outcome(tuple(d for i, d in enumerate(shape) if i not in axes))


@op("Concatenate", "xs", ("axis", 0))
def concatenate(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Joins tensors along an existing axis (the batch axis by default, as NumPy): the sizes
    on it add up (unknown if one is); every other axis must agree. No weights.
    """
    shapes = tensor_list(args, "xs", xs)
    axis = axis_index(args["axis"], len(shapes[0]))
    same_except(shapes, axis)
    sizes = [s[axis] for s in shapes]
    out = list(shapes[0])
    out[axis] = None if None in sizes else sum(d for d in sizes if d is not None)
    return outcome(tuple(out))


@op("Stack", "x", ("axis", 0))
def stack(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Stacks equal-shaped tensors along a new axis of size len(x); no weights."""
    shapes = tensor_list(args, "x", xs)
    same_except(shapes, None)
    axis = axis_index(args["axis"], len(shapes[0]) + 1)
    out = list(shapes[0])
    out.insert(axis, len(shapes))
    return outcome(tuple(out))


@op("Split", "x", "indices_or_sections", ("axis", 0))
def split(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Splits along ``axis`` into equal sections (an int) or at the given indices: one output
    per piece; no weights.
    """
    shape = list(tensor_shape(args, "x", xs))
    axis = axis_index(args["axis"], len(shape))
    size = shape[axis]
    spec = args["indices_or_sections"]
    outputs: list[Full] = []
    if isinstance(spec, int) and not isinstance(spec, bool):
        if spec < 1:
            raise LayerError(f"'indices_or_sections' must be positive, got {spec}")
        if size is not None and size % spec:
            raise LayerError(f"cannot split size {size} into {spec} equal sections")
        piece = None if size is None else size // spec
        outputs = [(*shape[:axis], piece, *shape[axis + 1 :])] * spec
    else:
        bounds: list[int | None] = [0, *ints(spec, "indices_or_sections"), size]
        for start, end in itertools.pairwise(bounds):
            piece = None if start is None or end is None else end - start
            outputs.append((*shape[:axis], piece, *shape[axis + 1 :]))
    return Outcome(shapes=tuple(outputs), formula="0")


@op("Unstack", "x", ("num", None), ("axis", 0))
def unstack(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Unpacks ``axis`` into that many tensors without it; the size must be known; no weights."""
    shape = tensor_shape(args, "x", xs)
    axis = axis_index(args["axis"], len(shape))
    count = args["num"] if args["num"] is not None else shape[axis]
    if count is None:
        raise LayerError("cannot unstack an axis of unknown size", hint="pass num=")
    rest = shape[:axis] + shape[axis + 1 :]
    return Outcome(shapes=(rest,) * int(count), formula="0")


@op("Tile", "x", "repeats")
def tile(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Repeats the whole tensor ``repeats`` times per axis (aligned from the last); no weights."""
    shape: list[int | None] = list(tensor_shape(args, "x", xs))
    repeats = ints(args["repeats"], "repeats")
    if len(shape) > len(repeats):
        repeats = [1] * (len(shape) - len(repeats)) + repeats
    else:
        shape = [*[1] * (len(repeats) - len(shape)), *shape]
    return outcome(tuple(None if d is None else d * r for d, r in zip(shape, repeats, strict=True)))


@op("Repeat", "x", "repeats", ("axis", None))
def repeat(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Repeats each element ``repeats`` times along ``axis`` (of the flattened tensor when None); no weights."""
    shape = list(tensor_shape(args, "x", xs))
    repeats = ints(args["repeats"], "repeats")
    if args["axis"] is None:
        if None in shape:
            return outcome((None,))
        size = prod(d for d in shape if d is not None)
        return outcome((size * repeats[0] if len(repeats) == 1 else sum(repeats),))
    axis = axis_index(args["axis"], len(shape))
    along = shape[axis]
    if len(repeats) == 1:
        shape[axis] = None if along is None else along * repeats[0]
    else:
        shape[axis] = sum(repeats)
    return outcome(tuple(shape))


@op("BroadcastTo", "x", "shape")
def broadcast_to(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Broadcasts to ``shape`` (which must be reachable by broadcasting); no weights."""
    target = tuple(ints(args["shape"], "shape"))
    broadcast(tensor_shape(args, "x", xs), target)
    return outcome(target)


@op("OneHot", "x", "num_classes", ("axis", -1), ("dtype", None), ("sparse", False))
def one_hot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Adds an axis of size ``num_classes`` at ``axis`` (last by default); no weights."""
    shape = list(tensor_shape(args, "x", xs))
    classes = args.positive_int("num_classes")
    axis = args["axis"]
    if axis == -1:
        shape.append(classes)
    else:
        shape.insert(axis_index(axis, len(shape) + 1), classes)
    return outcome(tuple(shape))


@op("TopK", "x", "k", ("sorted", True))
def top_k(args: Args, xs: Sequence[Shape]) -> Outcome:
    """The ``k`` largest values and their indices along the last axis: two outputs; no weights."""
    shape = tensor_shape(args, "x", xs)
    k = args.positive_int("k")
    out = (*shape[:-1], k)
    return Outcome(shapes=(out, out), formula="0")


@op("Take", "x", "indices", ("axis", None))
def take(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Gathers along ``axis`` (of the flattened tensor when None): that axis becomes the
    indices' shape; no weights.
    """
    shape = tensor_shape(args, "x", xs)
    indices = value_shape(args["indices"], xs) or ()
    if args["axis"] is None:
        return outcome(indices)
    axis = axis_index(args["axis"], len(shape))
    return outcome((*shape[:axis], *indices, *shape[axis + 1 :]))


@op("Slice", "inputs", "start_indices", "shape")
def slice_op(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A static slice: the output shape is the ``shape`` argument; no weights."""
    tensor_shape(args, "inputs", xs)
    return outcome(tuple(ints(args["shape"], "shape")))


@op("GetItem", "x", "key")
def get_item(args: Args, xs: Sequence[Shape]) -> Outcome:
    """``x[key]`` with integers, slices, ``...`` and ``None`` (NumPy basic indexing): an
    integer drops its axis, a slice keeps it with its length, ``None`` adds an axis of 1.
    """
    shape = list(tensor_shape(args, "x", xs))
    key = args["key"]
    items = list(key) if isinstance(key, (list, tuple)) else [key]
    kinds = [_index_kind(item) for item in items]
    consuming = sum(kind in ("int", "slice") for kind in kinds)
    if kinds.count("ellipsis") > 1:
        raise LayerError("an index can have only one '...'")
    if consuming > len(shape):
        raise LayerError(f"too many indices for a tensor of rank {len(shape)}")
    if "ellipsis" in kinds:
        at = kinds.index("ellipsis")
        fill = len(shape) - consuming
        items = [*items[:at], *[_FULL_SLICE] * fill, *items[at + 1 :]]
        kinds = [*kinds[:at], *["slice"] * fill, *kinds[at + 1 :]]
    out: list[int | None] = []
    axis = 0
    for item, kind in zip(items, kinds, strict=True):
        if kind == "none":
            out.append(1)
            continue
        size = shape[axis]
        axis += 1
        if kind == "int":
            if size is not None and not -size <= item < size:
                raise LayerError(f"index {item} is out of bounds for an axis of size {size}")
            continue
        out.append(_slice_length(item, size))
    out.extend(shape[axis:])
    return outcome(tuple(out))


_FULL_SLICE: Mapping[str, Any] = {"class_name": "__slice__", "config": {"start": None, "stop": None, "step": None}}


def _index_kind(item: Value) -> str:
    if item is None:
        return "none"
    if isinstance(item, int) and not isinstance(item, bool):
        return "int"
    if isinstance(item, Mapping) and item.get("class_name") == "__slice__":
        return "slice"
    if isinstance(item, Mapping) and item.get("class_name") == "__ellipsis__":
        return "ellipsis"
    raise LayerError(f"unsupported index {item!r}", hint="integers, slices, ... and None are supported")


def _slice_length(item: Mapping[str, Any], size: int | None) -> int | None:
    """Python's ``len(range(size)[start:stop:step])``; unknown when the size is."""
    config = item.get("config", {})
    start, stop, step = config.get("start"), config.get("stop"), config.get("step")
    for part in (start, stop, step):
        if part is not None and (not isinstance(part, int) or isinstance(part, bool)):
            raise LayerError(f"slice bounds must be integers, got {item!r}")
    if step == 0:
        raise LayerError("slice step cannot be zero")
    if size is None:
        return None
    return len(range(size)[slice(start, stop, step)])


@op("Pad", "x", ("constant_values", None), "pad_width", ("mode", "constant"))
def pad(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Pads each axis by (before, after); one pair pads every axis; unknown sizes stay unknown."""
    shape = tensor_shape(args, "x", xs)
    widths = args["pad_width"]
    if not isinstance(widths, (list, tuple)) or not all(isinstance(w, (list, tuple)) for w in widths):
        raise LayerError(f"'pad_width' must be a list of (before, after) pairs, got {widths!r}")
    pairs = [ints(w, "pad_width") for w in widths]
    if len(pairs) == 1:
        pairs = pairs * len(shape)
    if len(pairs) != len(shape):
        raise LayerError(f"'pad_width' has {len(pairs)} pairs for a tensor of rank {len(shape)}")
    return outcome(tuple(None if d is None else d + p[0] + p[1] for d, p in zip(shape, pairs, strict=True)))


def _joined(args: Args, xs: Sequence[Shape], axis: int) -> Outcome:
    shapes = tensor_list(args, "xs", xs)
    if any(len(s) <= axis for s in shapes):
        raise LayerError(f"the tensors need an axis {axis} to be joined on")
    same_except(shapes, axis)
    sizes = [s[axis] for s in shapes]
    out = list(shapes[0])
    out[axis] = None if None in sizes else sum(d for d in sizes if d is not None)
    return outcome(tuple(out))


@op("Hstack", "xs")
def hstack(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Joins tensors along axis 1 (Keras' ``hstack``); the other axes must agree; no weights."""
    return _joined(args, xs, 1)


@op("Vstack", "xs")
def vstack(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Joins tensors along axis 0, the batch axis; the other axes must agree; no weights."""
    return _joined(args, xs, 0)


@op("Diff", "a", ("n", 1), ("axis", -1))
def diff(args: Args, xs: Sequence[Shape]) -> Outcome:
    """The ``n``-th differences along ``axis``: that axis loses ``n`` (not below 0); no weights."""
    shape = list(tensor_shape(args, "a", xs))
    axis = axis_index(args["axis"], len(shape))
    n = args.integer("n")
    size = shape[axis]
    if size is not None:
        shape[axis] = max(size - n, 0)
    return outcome(tuple(shape))
