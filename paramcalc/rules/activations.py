"""Keras activation layers: PReLU (the one with weights), ReLU, LeakyReLU, ELU, Softmax.

PReLU learns a negative slope ``alpha`` per input element (``keras/src/layers/
activations/prelu.py``): a weight shaped like the input without the batch axis, with
size 1 on each of ``shared_axes``.  The others are fixed functions without weights.
"""

from __future__ import annotations

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.shapes import format_shape


@rule(
    "PReLU",
    ("alpha_initializer", "Zeros"),
    ("alpha_regularizer", None),
    ("alpha_constraint", None),
    ("shared_axes", None),
    min_rank=1,
    legend={"n_1": "size of input axis 1 (axis i: n_i), unless shared"},
    mask="keep",
)
def prelu(args: Args, x: Shape) -> Outcome:
    """A ReLU whose negative slope is learned, one alpha per input element (batch axis
    excluded): as many weights as the input has elements per sample. Each axis listed
    in shared_axes shares one alpha across its length, so it counts 1; sharing the
    spatial axes of an image leaves one alpha per channel.
    """
    raw = args["shared_axes"]
    shared: list[int]
    if raw is None:
        shared = []
    elif isinstance(raw, int) and not isinstance(raw, bool):
        shared = [raw]
    elif isinstance(raw, (list, tuple)) and all(isinstance(a, int) and not isinstance(a, bool) for a in raw):
        shared = list(raw)
    else:
        raise LayerError(f"'shared_axes' must be an axis number or a list of them, got {raw!r}")
    names = [f"n_{i + 1}" for i in range(len(x))]
    shape: list[int | None] = list(x)
    dims = list(names)
    for axis in shared:
        # Keras writes param_shape[axis - 1] = 1 on the batchless shape, so negative axes
        # count from the end shifted by one, as Python indexing does there.
        if not -len(x) <= axis - 1 < len(x):
            raise LayerError(
                f"shared axis {axis} is out of range for input {format_shape(x)}",
                hint="shared_axes count the batch axis as 0: 1 is the first axis after it",
            )
        shape[axis - 1] = 1
        dims[axis - 1] = "1"
    if any(d is None for d in shape):
        raise LayerError(
            f"needs known sizes for every axis it does not share, got input {format_shape(x)}",
            hint="share the unknown axes (shared_axes=[1] for a variable-length sequence) or give their sizes",
        )
    sizes = tuple(d for d in shape if d is not None)
    symbols = {name: size for name, size, dim in zip(names, x, dims, strict=True) if dim != "1" and size is not None}
    formula = "*".join(d for d in dims if d != "1") or "1"
    return Outcome(shape=x, terms=[Term("α", "alpha", sizes, tuple(dims))], formula=formula, symbols=symbols)


def _non_negative(args: Args, key: str) -> None:
    value = args[key]
    if value is None or not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise LayerError(f"'{key}' must be a number >= 0, got {value!r}")


@rule("ReLU", ("max_value", None), ("negative_slope", 0.0), ("threshold", 0.0), mask="keep")
def relu(args: Args, x: Shape) -> Outcome:
    """max(x, 0), optionally capped at max_value, with a fixed slope below threshold; no
    weights, output shape = input shape.
    """
    if args["max_value"] is not None:
        _non_negative(args, "max_value")
    _non_negative(args, "negative_slope")
    _non_negative(args, "threshold")
    return Outcome(shape=x, formula="0")


@rule("LeakyReLU", ("negative_slope", 0.3), ("alpha", None), mask="keep")
def leaky_relu(args: Args, x: Shape) -> Outcome:
    """Identity for x > 0, negative_slope·x below (a fixed slope, unlike PReLU's learned one); no
    weights. The deprecated alpha= keyword sets the slope too.
    """
    _non_negative(args, "alpha" if args["alpha"] is not None else "negative_slope")
    return Outcome(shape=x, formula="0")


@rule("ELU", ("alpha", 1.0, Args.number), mask="keep")
def elu(args: Args, x: Shape) -> Outcome:
    """Identity for x > 0, alpha·(exp(x) - 1) below; no weights, output shape = input shape."""
    return Outcome(shape=x, formula="0")


@rule("Softmax", ("axis", -1), mask="keep", mask_arg=True)
def softmax(args: Args, x: Shape) -> Outcome:
    """Exponentiates and normalizes along axis so it sums to 1; no weights, output shape
    = input shape.
    """
    return Outcome(shape=x, formula="0")
