"""``keras.ops`` reductions and scans over axes: ``sum``, ``mean``, ``max``, ``norm``, ``cumsum``, ``sort``.

A reduction drops its axes (or keeps them as 1 with ``keepdims``, Keras' ``reduce_shape``),
all axes when ``axis`` is None; a scan or sort keeps the shape along ``axis`` and flattens
the tensor first when ``axis`` is None.  Shared helpers: :mod:`paramcalc.rules.keras_ops`.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome
from paramcalc.rules.keras_ops import axis_index, family, flag, flat_size, op, outcome, reduce_shape, tensor_shape


@op("Average", "x", ("weights", None), ("axis", None))
def average(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A (weighted) mean over ``axis`` (all axes when None): the axis goes; no weights."""
    return outcome(reduce_shape(tensor_shape(args, "x", xs), args["axis"], False))


def flatten_without_axis(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Along ``axis`` the shape is kept; with ``axis=None`` the input is flattened first
    (cumulative sums, sorting): ``(n,)``, or ``(None,)`` when a size is unknown.
    """
    shape = tensor_shape(args, "x", xs)
    if args["axis"] is None:
        return outcome(flat_size(shape))
    axis_index(args["axis"], len(shape))
    return outcome(shape)


family("Cumsum Cumprod Nancumsum Nancumprod", flatten_without_axis, "x", ("axis", None), ("dtype", None))
family("Sort Argsort", flatten_without_axis, "x", ("axis", -1))


REDUCTIONS = (
    "Sum Mean Std Var Any All Amax Amin Argmax Argmin Median Ptp Nanargmax Nanargmin Nanmax Nanmean Nanmedian "
    "Nanmin Nanstd Nansum Nanvar Logsumexp"
)


def reduction(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A reduction over ``axis`` (all axes when None): the reduced axes go, or stay as 1 with
    ``keepdims`` (Keras' ``reduce_shape``); no weights.
    """
    return outcome(reduce_shape(tensor_shape(args, "x", xs), args["axis"], flag(args, "keepdims")))


family(REDUCTIONS, reduction, "x", ("axis", None), ("keepdims", False))
family("Max Min", reduction, "x", ("axis", None), ("keepdims", False), ("initial", None))
family("Prod", reduction, "x", ("axis", None), ("keepdims", False), ("dtype", None))
family("Nanprod", reduction, "x", ("axis", None), ("keepdims", False))


@op("CountNonzero", "x", ("axis", None))
def count_nonzero(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Counts over ``axis`` (all axes when None): the reduced axes go; no weights."""
    return outcome(reduce_shape(tensor_shape(args, "x", xs), args["axis"], False))


@op("Norm", "x", ("ord", None), ("axis", None), ("keepdims", False))
def norm(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A vector or matrix norm over ``axis`` (all axes when None): the reduced axes go; no weights."""
    return outcome(reduce_shape(tensor_shape(args, "x", xs), args["axis"], flag(args, "keepdims")))


@op("Moments", "x", "axes", ("keepdims", False), ("synchronized", False))
def moments(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Mean and variance over ``axes``: two outputs of the reduced shape; no weights."""
    shape = reduce_shape(tensor_shape(args, "x", xs), args["axes"], flag(args, "keepdims"))
    return Outcome(shapes=(shape, shape), formula="0")
