"""``keras.ops`` calls in functional graphs: the operation nodes Keras writes into model JSON.

A functional model that calls ``keras.ops.add(x, y)``, ``x * 0.5`` or ``ops.mean(x, axis=1)``
between layers keeps each call as an *operation* in ``model.to_json()`` (``"module":
"keras.src.ops.numpy", "class_name": "Add"``): a graph node with no weights that Keras'
summary lists with its layers (``add (Add)``, 0 parameters).  The reader gives each such
node the class name ``keras.ops.<Class>`` and the call as written: the op's constructor
arguments (its JSON ``config``) by name, and its call arguments with every tensor replaced
by a :class:`~paramcalc.spec.records.TensorArg` and every array constant by a
:class:`~paramcalc.spec.records.ConstantArg` (only its shape matters).

The rules reproduce each op's ``compute_output_spec`` (``keras/src/ops/numpy.py``, ``nn.py``,
``core.py``, ``math.py``): broadcasting, reductions over axes, reshapes, joins.  Unlike a
layer, an op sees the whole tensor, batch axis included: ``ops.sum(x)`` is a scalar ``()``,
``ops.expand_dims(x, 0)`` is ``(1, None, 4)``.  So these rules work on full shapes (the
batch axis as ``None``) and their rows say so (``batch_in_shapes``), as torch rows do.

Rules are registered for the framework ``keras.ops`` (their own table: ``Add`` the op is
not ``Add`` the layer); :func:`paramcalc.rules.find_rule` sends ``keras.ops.Add`` here.
Ops whose output shape depends on tensor *values* (``nonzero``, ``unique``), or that take
functions (``cond``, ``scan``), are not listed: an unknown op is an error naming it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from math import prod
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.limits import MAX_RANK
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome, RuleFn, rule
from paramcalc.shapes import format_shape
from paramcalc.spec.records import ConstantArg, TensorArg, Value

OPS_FRAMEWORK = "keras.ops"
"""The registry table of op rules (see :func:`paramcalc.rules.find_rule`)."""

Full = tuple[int | None, ...]
"""A full shape: batch axis included."""


# =========================================================================== values and shapes
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


def _ints(value: Value, key: str) -> list[int]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, int) or isinstance(item, bool):
            raise LayerError(f"'{key}' must be an integer or a list of integers, got {value!r}")
    return items


def _flag(args: Args, key: str) -> bool:
    return bool(args.flag(key))


def _out(shape: Full) -> Outcome:
    return Outcome(shape=shape, formula="0")


# =========================================================================== registration
def op(name: str, *params: tuple[str, Value] | str) -> Callable[[RuleFn], RuleFn]:
    """Register an op rule: call arguments first, then the op's constructor arguments.

    Every op takes its inputs as a list of full shapes (``multi_input``, batch axis included)
    and has no weights.
    """
    return rule(name, *params, framework=OPS_FRAMEWORK, multi_input=True, base=False, batch_axis=0)


def _family(names: str, fn: RuleFn, *params: tuple[str, Value] | str) -> None:
    for name in names.split():
        op(name, *params)(fn)


# --------------------------------------------------------------------------- element-wise, one input
UNARY = (
    # numpy
    "Abs Absolute Angle Arccos Arccosh Arcsin Arcsinh Arctan Arctanh BitwiseInvert BitwiseNot Cbrt Ceil Conj "
    "Conjugate Copy Cos Cosh Deg2rad Exp Exp2 Expm1 Fabs Floor I0 Imag Isfinite Isinf Isnan Isneginf Isposinf "
    "Isreal Log Log10 Log1p Log2 LogicalNot Negative Rad2deg Real Reciprocal Sign Signbit Sin Sinc Sinh Sqrt Square "
    "Tan Tanh Trunc "
    # nn
    "HardSigmoid HardSilu HardTanh LogSigmoid Relu Relu6 Selu Sigmoid Silu Softplus Softsign SparsePlus "
    "SparseSigmoid TanhShrink "
    # math, core, activations
    "Erf Erfc Erfinv Rsqrt Mish Inv"
)


def same_shape(args: Args, xs: Sequence[Shape]) -> Outcome:
    """An element-wise op: the output has the input's shape; no weights."""
    return _out(tensor_shape(args, "x", xs))


_family(UNARY, same_shape, "x")
_family("Round", same_shape, "x", ("decimals", 0))
_family("Cholesky CholeskyInverse", same_shape, "x", ("upper", False))


@op("StopGradient", "variable")
def stop_gradient(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Blocks gradients and passes the tensor on: same shape, no weights."""
    return _out(tensor_shape(args, "variable", xs))


@op("Isclose", "x1", "x2", ("rtol", 1e-05), ("atol", 1e-08), ("equal_nan", False))
def isclose(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Element-wise closeness of two broadcast operands; no weights."""
    return _out(broadcast(value_shape(args["x1"], xs) or (), value_shape(args["x2"], xs) or ()))


def last_two_axes(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A determinant of each matrix in a batch: the last two axes go; no weights."""
    shape = tensor_shape(args, "x", xs)
    if len(shape) < 2:
        raise LayerError(f"needs matrices (rank 2 or more), got {format_shape(shape, True)}")
    return _out(shape[:-2])


_family("Det Logdet", last_two_axes, "x")


@op("Average", "x", ("weights", None), ("axis", None))
def average(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A (weighted) mean over ``axis`` (all axes when None): the axis goes; no weights."""
    return _out(reduce_shape(tensor_shape(args, "x", xs), args["axis"], False))


_family("Cast SaturateCast", same_shape, "x", "dtype")
_family("ConvertToTensor", same_shape, "x", ("dtype", None), ("sparse", None), ("ragged", None))
_family("Clip", same_shape, "x", "x_min", "x_max")
_family("LeakyRelu", same_shape, "x", ("negative_slope", 0.2))
_family("Elu", same_shape, "x", ("alpha", 1.0))
_family("Celu", same_shape, "x", ("alpha", 1.0))
_family("Gelu", same_shape, "x", ("approximate", True))
_family("Squareplus", same_shape, "x", ("b", 4))
_family("HardShrink", same_shape, "x", ("threshold", 0.5))
_family("SoftShrink", same_shape, "x", ("threshold", 0.5))
_family("Threshold", same_shape, "x", "threshold", "default_value")
_family("ReLU", same_shape, "x", ("negative_slope", 0.0), ("max_value", None), ("threshold", 0.0))
_family("NanToNum", same_shape, "x", ("nan", 0.0), ("posinf", None), ("neginf", None))
_family("OnesLike ZerosLike EmptyLike", same_shape, "x", ("dtype", None))
_family("FullLike", same_shape, "x", "fill_value", ("dtype", None))
_family("Tril Triu", same_shape, "x", ("k", 0))
_family("Fliplr Flipud", same_shape, "x")


def along_axis(args: Args, xs: Sequence[Shape]) -> Outcome:
    """An op along one axis that keeps the shape (softmax, a normalisation, a flip); no weights."""
    shape = tensor_shape(args, "x", xs)
    axis = args["axis"]
    if axis is not None:
        axes_of(axis, len(shape))
    return _out(shape)


_family("Softmax LogSoftmax Sparsemax", along_axis, "x", ("axis", -1))
_family("Normalize", along_axis, "x", ("axis", -1), ("order", 2), ("epsilon", None))
_family("Flip", along_axis, "x", ("axis", None))
_family("Roll", along_axis, "x", "shift", ("axis", None))


def flatten_without_axis(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Along ``axis`` the shape is kept; with ``axis=None`` the input is flattened first
    (cumulative sums, sorting): ``(n,)``, or ``(None,)`` when a size is unknown.
    """
    shape = tensor_shape(args, "x", xs)
    if args["axis"] is None:
        return _out(flat_size(shape))
    axis_index(args["axis"], len(shape))
    return _out(shape)


_family("Cumsum Cumprod Nancumsum Nancumprod", flatten_without_axis, "x", ("axis", None), ("dtype", None))
_family("Sort Argsort", flatten_without_axis, "x", ("axis", -1))


@op("Ravel", "x")
def ravel(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Flattens the whole tensor, batch axis included: ``(n,)`` or ``(None,)``."""
    return _out(flat_size(tensor_shape(args, "x", xs)))


@op("Glu", "x", ("axis", -1))
def glu(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Gated linear unit: the axis is split in two halves (value and gate), so it halves."""
    shape = list(tensor_shape(args, "x", xs))
    axis = axis_index(args["axis"], len(shape))
    size = shape[axis]
    if size is not None:
        if size % 2:
            raise LayerError(f"glu needs an even size on axis {args['axis']}, got {size}")
        shape[axis] = size // 2
    return _out(tuple(shape))


# --------------------------------------------------------------------------- element-wise, broadcasting
BINARY = (
    "Add Subtract Multiply Divide TrueDivide DivideNoNan Power Maximum Minimum Fmax Fmin Mod Fmod FloorDivide "
    "Equal NotEqual Greater GreaterEqual Less LessEqual LogicalAnd LogicalOr LogicalXor Arctan2 Hypot Logaddexp "
    "Logaddexp2 Heaviside Nextafter Gcd Lcm Ldexp"
)
BITWISE = "BitwiseAnd BitwiseOr BitwiseXor BitwiseLeftShift BitwiseRightShift LeftShift RightShift"


def broadcasting(args: Args, xs: Sequence[Shape]) -> Outcome:
    """An element-wise op of two operands (``x + y``, ``x * 0.5``): NumPy broadcasting of
    their shapes, a Python number counting as a scalar; no weights.
    """
    keys = [key for key in args.rule.positional if key in ("x1", "x2", "x", "y")]
    shapes = [value_shape(args[key], xs) or () for key in keys]
    return _out(broadcast(shapes[0], shapes[1]))


_family(BINARY, broadcasting, "x1", "x2")
_family(BITWISE, broadcasting, "x", "y")


@op("Where", "condition", ("x1", None), ("x2", None))
def where(args: Args, xs: Sequence[Shape]) -> Outcome:
    """``where(condition, x1, x2)``: the three shapes broadcast together; no weights."""
    shape: Full = value_shape(args["condition"], xs) or ()
    for key in ("x1", "x2"):
        shape = broadcast(shape, value_shape(args[key], xs) or ())
    return _out(shape)


# --------------------------------------------------------------------------- reductions
REDUCTIONS = (
    "Sum Mean Std Var Any All Amax Amin Argmax Argmin Median Ptp Nanargmax Nanargmin Nanmax Nanmean Nanmedian "
    "Nanmin Nanstd Nansum Nanvar Logsumexp"
)


def reduction(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A reduction over ``axis`` (all axes when None): the reduced axes go, or stay as 1 with
    ``keepdims`` (Keras' ``reduce_shape``); no weights.
    """
    return _out(reduce_shape(tensor_shape(args, "x", xs), args["axis"], _flag(args, "keepdims")))


_family(REDUCTIONS, reduction, "x", ("axis", None), ("keepdims", False))
_family("Max Min", reduction, "x", ("axis", None), ("keepdims", False), ("initial", None))
_family("Prod", reduction, "x", ("axis", None), ("keepdims", False), ("dtype", None))
_family("Nanprod", reduction, "x", ("axis", None), ("keepdims", False))


@op("CountNonzero", "x", ("axis", None))
def count_nonzero(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Counts over ``axis`` (all axes when None): the reduced axes go; no weights."""
    return _out(reduce_shape(tensor_shape(args, "x", xs), args["axis"], False))


@op("Norm", "x", ("ord", None), ("axis", None), ("keepdims", False))
def norm(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A vector or matrix norm over ``axis`` (all axes when None): the reduced axes go; no weights."""
    return _out(reduce_shape(tensor_shape(args, "x", xs), args["axis"], _flag(args, "keepdims")))


@op("Moments", "x", "axes", ("keepdims", False), ("synchronized", False))
def moments(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Mean and variance over ``axes``: two outputs of the reduced shape; no weights."""
    shape = reduce_shape(tensor_shape(args, "x", xs), args["axes"], _flag(args, "keepdims"))
    return Outcome(shapes=(shape, shape), formula="0")


# --------------------------------------------------------------------------- shape changes
@op("Reshape", "x", "newshape")
def reshape(args: Args, xs: Sequence[Shape]) -> Outcome:
    """``reshape(x, newshape)``: the new shape, batch axis included (``-1`` is inferred only
    when every size is known, else it stays unknown, as in Keras); no weights.
    """
    shape = tensor_shape(args, "x", xs)
    dims = _ints(args["newshape"], "newshape")
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise LayerError(f"'newshape' may hold one -1 and sizes >= 0, got {dims}")
    if None in shape:
        return _out(tuple(None if d == -1 else d for d in dims))
    size = prod(d for d in shape if d is not None)
    known = prod(d for d in dims if d != -1)
    if -1 in dims:
        if known == 0 or size % known:
            raise LayerError(f"cannot reshape {format_shape(shape, True)} into {tuple(dims)}")
        return _out(tuple(size // known if d == -1 else d for d in dims))
    if known != size:
        raise LayerError(f"cannot reshape {format_shape(shape, True)} ({size} elements) into {tuple(dims)}")
    return _out(tuple(dims))


@op("Transpose", "x", ("axes", None))
def transpose(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Permutes the axes (all reversed when ``axes`` is None); no weights."""
    shape = tensor_shape(args, "x", xs)
    if args["axes"] is None:
        return _out(shape[::-1])
    axes = axes_of(args["axes"], len(shape), "axes")
    if len(axes) != len(shape) or len(set(axes)) != len(shape):
        raise LayerError(f"'axes' must be a permutation of the {len(shape)} axes, got {args['axes']!r}")
    return _out(tuple(shape[a] for a in axes))


@op("Swapaxes", "x", "axis1", "axis2")
def swapaxes(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Exchanges two axes; no weights."""
    shape = list(tensor_shape(args, "x", xs))
    a, b = axis_index(args["axis1"], len(shape), "axis1"), axis_index(args["axis2"], len(shape), "axis2")
    shape[a], shape[b] = shape[b], shape[a]
    return _out(tuple(shape))


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
    return _out(tuple(shape[i] for i in order))


@op("ExpandDims", "x", "axis")
def expand_dims(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Inserts axes of size 1 at ``axis`` (counted in the output); no weights."""
    shape = tensor_shape(args, "x", xs)
    items = args["axis"] if isinstance(args["axis"], (list, tuple)) else [args["axis"]]
    rank = len(shape) + len(items)
    axes = axes_of(items, rank)
    rest = iter(shape)
    return _out(tuple(1 if i in axes else next(rest) for i in range(rank)))


@op("Squeeze", "x", ("axis", None))
def squeeze(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Removes axes of size 1 (every such axis when ``axis`` is None; an unknown size is kept); no weights."""
    shape = tensor_shape(args, "x", xs)
    if args["axis"] is None:
        return _out(tuple(d for d in shape if d != 1))
    axes = axes_of(args["axis"], len(shape))
    for a in axes:
        if shape[a] != 1:
            raise LayerError(f"cannot squeeze axis {a}: its size is {shape[a]}, not 1")
    return _out(tuple(d for i, d in enumerate(shape) if i not in axes))


def _tensor_list(args: Args, key: str, xs: Sequence[Shape]) -> list[Full]:
    value = args[key]
    if not isinstance(value, (list, tuple)) or not value:
        raise LayerError(f"'{key}' must be a list of tensors")
    return [value_shape(item, xs) or () for item in value]


def _same_except(shapes: list[Full], axis: int | None) -> None:
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


@op("Concatenate", "xs", ("axis", 0))
def concatenate(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Joins tensors along an existing axis (the batch axis by default, as NumPy): the sizes
    on it add up (unknown if one is); every other axis must agree. No weights.
    """
    shapes = _tensor_list(args, "xs", xs)
    axis = axis_index(args["axis"], len(shapes[0]))
    _same_except(shapes, axis)
    sizes = [s[axis] for s in shapes]
    out = list(shapes[0])
    out[axis] = None if None in sizes else sum(d for d in sizes if d is not None)
    return _out(tuple(out))


@op("Stack", "x", ("axis", 0))
def stack(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Stacks equal-shaped tensors along a new axis of size len(x); no weights."""
    shapes = _tensor_list(args, "x", xs)
    _same_except(shapes, None)
    axis = axis_index(args["axis"], len(shapes[0]) + 1)
    out = list(shapes[0])
    out.insert(axis, len(shapes))
    return _out(tuple(out))


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
        bounds: list[int | None] = [0, *_ints(spec, "indices_or_sections"), size]
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
    repeats = _ints(args["repeats"], "repeats")
    if len(shape) > len(repeats):
        repeats = [1] * (len(shape) - len(repeats)) + repeats
    else:
        shape = [*[1] * (len(repeats) - len(shape)), *shape]
    return _out(tuple(None if d is None else d * r for d, r in zip(shape, repeats, strict=True)))


@op("Repeat", "x", "repeats", ("axis", None))
def repeat(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Repeats each element ``repeats`` times along ``axis`` (of the flattened tensor when None); no weights."""
    shape = list(tensor_shape(args, "x", xs))
    repeats = _ints(args["repeats"], "repeats")
    if args["axis"] is None:
        if None in shape:
            return _out((None,))
        size = prod(d for d in shape if d is not None)
        return _out((size * repeats[0] if len(repeats) == 1 else sum(repeats),))
    axis = axis_index(args["axis"], len(shape))
    along = shape[axis]
    if len(repeats) == 1:
        shape[axis] = None if along is None else along * repeats[0]
    else:
        shape[axis] = sum(repeats)
    return _out(tuple(shape))


@op("BroadcastTo", "x", "shape")
def broadcast_to(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Broadcasts to ``shape`` (which must be reachable by broadcasting); no weights."""
    target = tuple(_ints(args["shape"], "shape"))
    broadcast(tensor_shape(args, "x", xs), target)
    return _out(target)


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
    return _out(tuple(out))


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
    return _out(tuple(shape))


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
        return _out(indices)
    axis = axis_index(args["axis"], len(shape))
    return _out((*shape[:axis], *indices, *shape[axis + 1 :]))


@op("Slice", "inputs", "start_indices", "shape")
def slice_op(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A static slice: the output shape is the ``shape`` argument; no weights."""
    tensor_shape(args, "inputs", xs)
    return _out(tuple(_ints(args["shape"], "shape")))


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
    return _out(tuple(out))


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


# =========================================================================== graph wiring
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


# =========================================================================== contractions
@op("Dot", "x1", "x2")
def dot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """NumPy's ``dot``: a scalar operand multiplies; vector·vector is a scalar; otherwise
    x1's last axis meets x2's last (1-D) or second-to-last axis and both go; no weights.
    """
    a, b = list(tensor_shape(args, "x1", xs)), list(tensor_shape(args, "x2", xs))
    if not a or not b:
        return _out(broadcast(tuple(a), tuple(b)))
    if len(a) == 1 and len(b) == 1:
        return _out(())
    if len(b) == 1:
        if a[-1] != b[0]:
            raise LayerError(f"dot: x1's last size {a[-1]} differs from x2's {b[0]}")
        return _out(tuple(a[:-1]))
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise LayerError(f"dot: x1's last size {a[-1]} differs from x2's second-to-last {b[-2]}")
    return _out((*a[:-1], *b[:-2], b[-1]))


@op("Tensordot", "x1", "x2", ("axes", 2))
def tensordot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Contracts x1's and x2's ``axes`` (the last n of x1 with the first n of x2 for an int);
    the remaining axes of x1 then of x2 form the output; no weights.
    """
    a, b = tensor_shape(args, "x1", xs), tensor_shape(args, "x2", xs)
    axes = args["axes"]
    if isinstance(axes, int) and not isinstance(axes, bool):
        return _out(a + b if axes <= 0 else a[:-axes] + b[axes:])
    if not (isinstance(axes, (list, tuple)) and len(axes) == 2):
        raise LayerError(f"'axes' must be an integer or two lists of axes, got {axes!r}")
    first, second = _ints(axes[0], "axes"), _ints(axes[1], "axes")
    pairs = list(zip([a[i] for i in first], [b[i] for i in second], strict=False))
    if len(first) != len(second) or any(p is not None and q is not None and p != q for p, q in pairs):
        raise LayerError(f"tensordot: the contracted sizes differ: {axes!r}")
    keep_a = [d for i, d in enumerate(a) if i not in {f % len(a) for f in first}]
    keep_b = [d for i, d in enumerate(b) if i not in {s % len(b) for s in second}]
    return _out((*keep_a, *keep_b))


@op("Outer", "x1", "x2")
def outer(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Outer product of the two flattened operands: (size of x1, size of x2); no weights."""
    a, b = tensor_shape(args, "x1", xs), tensor_shape(args, "x2", xs)
    return _out((flat_size(a)[0], flat_size(b)[0]))


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
    return _out(result or ())


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


# =========================================================================== padding, images, nn
@op("Pad", "x", ("constant_values", None), "pad_width", ("mode", "constant"))
def pad(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Pads each axis by (before, after); one pair pads every axis; unknown sizes stay unknown."""
    shape = tensor_shape(args, "x", xs)
    widths = args["pad_width"]
    if not isinstance(widths, (list, tuple)) or not all(isinstance(w, (list, tuple)) for w in widths):
        raise LayerError(f"'pad_width' must be a list of (before, after) pairs, got {widths!r}")
    pairs = [_ints(w, "pad_width") for w in widths]
    if len(pairs) == 1:
        pairs = pairs * len(shape)
    if len(pairs) != len(shape):
        raise LayerError(f"'pad_width' has {len(pairs)} pairs for a tensor of rank {len(shape)}")
    return _out(tuple(None if d is None else d + p[0] + p[1] for d, p in zip(shape, pairs, strict=True)))


def normalization(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A normalisation op (layer, RMS or batch norm, the statistics given): the shape of x; the
    op holds no weights (a scale passed in is a tensor of the graph).
    """
    return _out(tensor_shape(args, "x", xs))


_family(
    "LayerNorm",
    normalization,
    "x",
    ("gamma", None),
    ("beta", None),
    ("axis", -1),
    ("epsilon", None),
    ("rms_scaling", False),
)
_family("RMSNorm", normalization, "x", ("scale", None), ("axis", -1), ("epsilon", None))
_family(
    "BatchNorm", normalization, "x", "mean", "variance", ("offset", None), ("scale", None), "axis", ("epsilon", 0.001)
)


@op(
    "DotProductAttention",
    "query",
    "key",
    "value",
    ("bias", None),
    ("mask", None),
    ("scale", None),
    ("is_causal", False),
    ("flash_attention", None),
    ("attn_logits_soft_cap", None),
)
def dot_product_attention(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Scaled dot-product attention: Keras gives the output the query's shape; no weights."""
    for key in ("key", "value"):
        tensor_shape(args, key, xs)
    return _out(tensor_shape(args, "query", xs))


def _image_axes(args: Args, rank: int) -> tuple[int, int, int]:
    """(height, width, channels) axes of an image batch for ``data_format`` (channels_last by default)."""
    fmt = args["data_format"] or "channels_last"
    if fmt not in ("channels_last", "channels_first"):
        raise LayerError(f"'data_format' must be channels_last or channels_first, got {fmt!r}")
    return (rank - 3, rank - 2, rank - 1) if fmt == "channels_last" else (rank - 2, rank - 1, rank - 3)


@op(
    "Resize",
    "images",
    "size",
    ("interpolation", "bilinear"),
    ("antialias", False),
    ("crop_to_aspect_ratio", False),
    ("pad_to_aspect_ratio", False),
    ("fill_mode", "constant"),
    ("fill_value", 0.0),
    ("data_format", None),
)
def resize(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Resizes images to ``size`` (height, width); channels and batch are kept; no weights."""
    shape = list(tensor_shape(args, "images", xs))
    if len(shape) not in (3, 4):
        raise LayerError(f"resize needs images of rank 3 or 4, got {format_shape(tuple(shape), True)}")
    size = _ints(args["size"], "size")
    if len(size) != 2:
        raise LayerError(f"'size' must be (height, width), got {args['size']!r}")
    h, w, _ = _image_axes(args, len(shape))
    shape[h], shape[w] = size
    return _out(tuple(shape))


@op("RGBToGrayscale", "images", ("data_format", None))
def rgb_to_grayscale(args: Args, xs: Sequence[Shape]) -> Outcome:
    """One grey channel instead of three; no weights."""
    shape = list(tensor_shape(args, "images", xs))
    if len(shape) not in (3, 4):
        raise LayerError(f"needs images of rank 3 or 4, got {format_shape(tuple(shape), True)}")
    shape[_image_axes(args, len(shape))[2]] = 1
    return _out(tuple(shape))


def same_image_shape(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A colour-space conversion: the images keep their shape; no weights."""
    return _out(tensor_shape(args, "images", xs))


_family("RGBToHSV HSVToRGB", same_image_shape, "images", ("data_format", None))


def _blocks(args: Args, xs: Sequence[Shape], inward: bool) -> Outcome:
    shape = tensor_shape(args, "x", xs)
    if len(shape) != 4:
        raise LayerError(f"needs a 4-D tensor, got {format_shape(shape, True)}")
    size = args.positive_int("block_size")
    fmt = args["data_format"]
    b, h, w, c = shape if fmt == "channels_last" else (shape[0], shape[2], shape[3], shape[1])
    if inward:  # depth_to_space
        if c is not None and c % (size * size):
            raise LayerError(f"the channels ({c}) must be divisible by block_size**2 ({size * size})")
        c = None if c is None else c // (size * size)
        h, w = (None if h is None else h * size), (None if w is None else w * size)
    else:
        for d in (h, w):
            if d is not None and d % size:
                raise LayerError(f"height and width must be divisible by block_size ({size}), got {d}")
        c = None if c is None else c * size * size
        h, w = (None if h is None else h // size), (None if w is None else w // size)
    return _out((b, h, w, c) if fmt == "channels_last" else (b, c, h, w))


@op("DepthToSpace", "x", "block_size", ("data_format", "channels_last"))
def depth_to_space(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Moves channel blocks into space: height and width × block_size, channels ÷ block_size²."""
    return _blocks(args, xs, True)


@op("SpaceToDepth", "x", "block_size", ("data_format", "channels_last"))
def space_to_depth(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Moves space into channels: height and width ÷ block_size, channels × block_size²."""
    return _blocks(args, xs, False)


def pooling(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A pooling window over the spatial axes (``compute_pooling_output_shape``): each one
    ``floor((n - p) / s) + 1`` (valid) or ``floor((n - 1) / s) + 1`` (same); no weights.
    """
    from paramcalc.shapes import pool_output_length

    shape = tensor_shape(args, "inputs", xs)
    if len(shape) < 3:
        raise LayerError(f"pooling needs (batch, spatial..., channels), got {format_shape(shape, True)}")
    rank = len(shape) - 2
    fmt = args["data_format"] or "channels_last"
    pool = args.ints("pool_size", rank)
    strides = pool if args["strides"] is None else args.ints("strides", rank)
    padding = args.choice("padding", ["valid", "same"]) or "valid"
    spatial = shape[1:-1] if fmt == "channels_last" else shape[2:]
    out = tuple(pool_output_length(d, p, s, padding) for d, p, s in zip(spatial, pool, strides, strict=True))
    for size in out:
        if size is not None and size <= 0:
            raise LayerError(f"the pooling window leaves no output: {format_shape(shape, True)}, pool_size {pool}")
    if fmt == "channels_last":
        return _out((shape[0], *out, shape[-1]))
    return _out((shape[0], shape[1], *out))


_family(
    "MaxPool AveragePool",
    pooling,
    "inputs",
    "pool_size",
    ("strides", None),
    ("padding", "valid"),
    ("data_format", None),
)


def _joined(args: Args, xs: Sequence[Shape], axis: int) -> Outcome:
    shapes = _tensor_list(args, "xs", xs)
    if any(len(s) <= axis for s in shapes):
        raise LayerError(f"the tensors need an axis {axis} to be joined on")
    _same_except(shapes, axis)
    sizes = [s[axis] for s in shapes]
    out = list(shapes[0])
    out[axis] = None if None in sizes else sum(d for d in sizes if d is not None)
    return _out(tuple(out))


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
    return _out(tuple(shape))


@op("Trace", "x", ("offset", 0), ("axis1", 0), ("axis2", 1))
def trace(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Sums a diagonal over ``axis1`` and ``axis2``: both axes go; no weights."""
    shape = tensor_shape(args, "x", xs)
    a, b = axis_index(args["axis1"], len(shape), "axis1"), axis_index(args["axis2"], len(shape), "axis2")
    if a == b:
        raise LayerError("'axis1' and 'axis2' must be different")
    return _out(tuple(d for i, d in enumerate(shape) if i not in (a, b)))


@op("Vdot", "x1", "x2")
def vdot(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Dot product of the flattened operands: a scalar; no weights."""
    tensor_shape(args, "x1", xs)
    tensor_shape(args, "x2", xs)
    return _out(())


@op("Inner", "x1", "x2")
def inner(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Sums over both last axes: x1's leading axes then x2's; a scalar operand multiplies; no weights."""
    a, b = tensor_shape(args, "x1", xs), tensor_shape(args, "x2", xs)
    if not a or not b:
        return _out(a or b)
    if a[-1] is not None and b[-1] is not None and a[-1] != b[-1]:
        raise LayerError(f"inner: the last sizes differ: {format_shape(a, True)} and {format_shape(b, True)}")
    return _out(a[:-1] + b[:-1])
