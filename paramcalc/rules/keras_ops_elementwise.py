"""``keras.ops`` element-wise ops: one input kept in shape, or operands that broadcast.

Unary math and activations (``ops.exp``, ``ops.relu``, ``ops.cast``), ops along one axis
that keep the shape (softmax, ``normalize``, ``flip``, ``roll``), and the two-operand ops
whose shapes broadcast as in NumPy (``x + y``, ``x * 0.5``, comparisons, ``where``).  Keras'
``Relu`` and ``ReLU`` differ only by case, so they stay in one module (the rules index is
keyed by lowercased names).  Shared helpers: :mod:`paramcalc.rules.keras_ops`.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome
from paramcalc.rules.keras_ops import (
    Full,
    axes_of,
    broadcast,
    family,
    op,
    outcome,
    same_shape,
    tensor_shape,
    value_shape,
)

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


family(UNARY, same_shape, "x")
family("Round", same_shape, "x", ("decimals", 0))


@op("StopGradient", "variable")
def stop_gradient(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Blocks gradients and passes the tensor on: same shape, no weights."""
    return outcome(tensor_shape(args, "variable", xs))


@op("Isclose", "x1", "x2", ("rtol", 1e-05), ("atol", 1e-08), ("equal_nan", False))
def isclose(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Element-wise closeness of two broadcast operands; no weights."""
    return outcome(broadcast(value_shape(args["x1"], xs) or (), value_shape(args["x2"], xs) or ()))


family("Cast SaturateCast", same_shape, "x", "dtype")
family("ConvertToTensor", same_shape, "x", ("dtype", None), ("sparse", None), ("ragged", None))
family("Clip", same_shape, "x", "x_min", "x_max")
family("LeakyRelu", same_shape, "x", ("negative_slope", 0.2))
family("Elu", same_shape, "x", ("alpha", 1.0))
family("Celu", same_shape, "x", ("alpha", 1.0))
family("Gelu", same_shape, "x", ("approximate", True))
family("Squareplus", same_shape, "x", ("b", 4))
family("HardShrink", same_shape, "x", ("threshold", 0.5))
family("SoftShrink", same_shape, "x", ("threshold", 0.5))
family("Threshold", same_shape, "x", "threshold", "default_value")
family("ReLU", same_shape, "x", ("negative_slope", 0.0), ("max_value", None), ("threshold", 0.0))
family("NanToNum", same_shape, "x", ("nan", 0.0), ("posinf", None), ("neginf", None))
family("OnesLike ZerosLike EmptyLike", same_shape, "x", ("dtype", None))
family("FullLike", same_shape, "x", "fill_value", ("dtype", None))
family("Tril Triu", same_shape, "x", ("k", 0))
family("Fliplr Flipud", same_shape, "x")


def along_axis(args: Args, xs: Sequence[Shape]) -> Outcome:
    """An op along one axis that keeps the shape (softmax, a normalisation, a flip); no weights."""
    shape = tensor_shape(args, "x", xs)
    axis = args["axis"]
    if axis is not None:
        axes_of(axis, len(shape))
    return outcome(shape)


family("Softmax LogSoftmax Sparsemax", along_axis, "x", ("axis", -1))
family("Normalize", along_axis, "x", ("axis", -1), ("order", 2), ("epsilon", None))
family("Flip", along_axis, "x", ("axis", None))
family("Roll", along_axis, "x", "shift", ("axis", None))


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
    return outcome(broadcast(shapes[0], shapes[1]))


family(BINARY, broadcasting, "x1", "x2")
family(BITWISE, broadcasting, "x", "y")


@op("Where", "condition", ("x1", None), ("x2", None))
def where(args: Args, xs: Sequence[Shape]) -> Outcome:
    """``where(condition, x1, x2)``: the three shapes broadcast together; no weights."""
    shape: Full = value_shape(args["condition"], xs) or ()
    for key in ("x1", "x2"):
        shape = broadcast(shape, value_shape(args[key], xs) or ())
    return outcome(shape)
