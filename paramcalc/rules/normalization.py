"""Keras normalization layers, and the preprocessing Normalization and Rescaling.

Weights follow ``keras/src/layers/normalization`` and ``layers/preprocessing``:

- BatchNormalization: ``gamma``, ``beta`` (trainable) and ``moving_mean``,
  ``moving_variance`` (non-trainable, yet counted as parameters, as Keras counts them)
  over the one normalized axis; ``renorm=True`` adds three more statistics.
- LayerNormalization / RMSNormalization: ``gamma`` (``scale``) and ``beta`` over the
  normalized axes (several axes give a multi-axis weight).
- GroupNormalization: ``gamma``, ``beta`` over the channel axis.
- preprocessing Normalization: without ``mean``/``variance`` Keras creates the
  statistics ``adapt()`` fills (``mean``, ``variance`` and an integer ``count``, all
  non-trainable); given them, it stores constants and has no weights.

``axis`` counts the batch axis as 0, as in Keras: ``axis=1`` is the first axis of a
spec's input shape, ``axis=-1`` the last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule, run_inner
from paramcalc.rules.core import factor
from paramcalc.shapes import format_shape
from paramcalc.spec.records import Value

_AFFINE_OPTIONS: tuple[tuple[str, object], ...] = (
    ("beta_initializer", "zeros"),
    ("gamma_initializer", "ones"),
    ("beta_regularizer", None),
    ("gamma_regularizer", None),
    ("beta_constraint", None),
    ("gamma_constraint", None),
)


def axis_size(x: Shape, axis: int, what: str = "normalized") -> int:
    """The size of ``axis`` of the input, counting the batch axis as 0 like Keras.

    Weights are sized from it, so it must exist, must not be the batch axis and must
    be known.
    """
    full = (None, *x)
    if not -len(full) <= axis < len(full):
        raise LayerError(
            f"axis {axis} is out of range for input {format_shape(x)} (valid: {-len(full)}..{len(full) - 1})",
            hint="axis counts the batch axis as 0; -1 is the last axis",
        )
    if axis % len(full) == 0:
        raise LayerError(
            f"axis {axis} is the batch axis of input {format_shape(x)}",
            hint="use -1 for the last axis or 1 for the first axis after the batch",
        )
    size = full[axis]
    if size is None:
        raise LayerError(
            f"needs a known size for the {what} axis {axis}, got input {format_shape(x)}",
            hint="give that axis a number in the input shape",
        )
    return size


def _axis(args: Args, key: str = "axis") -> int:
    """An axis number: any integer, negative ones counting from the end."""
    value = args[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise LayerError(f"'{key}' must be an integer, got {value!r}")
    return value


def _kept_axes(args: Args, key: str) -> list[int]:
    """Normalization's axis: the kept axes, none for None (which JSON saves as [])."""
    raw = args[key]
    return [] if raw is None or raw in ([], ()) else _axis_list(args, key)


def _groups(args: Args, key: str) -> int:
    """GroupNormalization's groups: a positive count, or -1 for one channel per group."""
    groups = args[key]
    if not isinstance(groups, int) or isinstance(groups, bool) or (groups <= 0 and groups != -1):
        raise LayerError(f"'groups' must be a positive integer or -1, got {groups!r}")
    return groups


def _axis_list(args: Args, key: str = "axis") -> list[int]:
    value = args[key]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(a, int) and not isinstance(a, bool) for a in value)
    ):
        return list(value)
    raise LayerError(f"'{key}' must be an integer or a list of integers, got {value!r}")


def _axes_symbols(sizes: Sequence[int]) -> tuple[tuple[str, ...], dict[str, int]]:
    """``c`` for one normalized axis, ``c_1, c_2, ...`` for several."""
    names = ("c",) if len(sizes) == 1 else tuple(f"c_{i + 1}" for i in range(len(sizes)))
    return names, dict(zip(names, sizes, strict=True))


def _times(count: int, names: Sequence[str]) -> str:
    """``count·c_1·c_2`` as a formula ("0" for no weights)."""
    if count == 0:
        return "0"
    body = "*".join(names) or "1"
    return body if count == 1 else f"{count}*{body}"


_C_LEGEND = {"c": "size of the normalized axis", "c_1": "size of the first normalized axis"}


@rule(
    "BatchNormalization",
    ("axis", -1, _axis),
    ("momentum", 0.99),
    ("epsilon", 0.001),
    ("center", True, Args.flag),
    ("scale", True, Args.flag),
    ("beta_initializer", "zeros"),
    ("gamma_initializer", "ones"),
    ("moving_mean_initializer", "zeros"),
    ("moving_variance_initializer", "ones"),
    ("beta_regularizer", None),
    ("gamma_regularizer", None),
    ("beta_constraint", None),
    ("gamma_constraint", None),
    ("renorm", False, Args.flag),
    ("renorm_clipping", None),
    ("renorm_momentum", 0.99),
    ("synchronized", False, Args.flag),
    min_rank=1,
    legend={"c": "size of the normalized axis (the channels)"},
    mask="keep",
    mask_arg=True,
)
def batch_normalization(args: Args, x: Shape) -> Outcome:
    """Per channel (the axis, c of them): a learned scale gamma and offset beta, and the
    running mean and variance used at inference. Keras counts the running statistics as
    (non-trainable) parameters, so 4·c, of which 2·c are trainable; center=False drops
    beta, scale=False drops gamma. renorm=True keeps three more statistics per channel.
    """
    axis = _axis(args)
    if args.flag("synchronized"):
        raise LayerError("synchronized=True is only supported with the TensorFlow backend")
    c = axis_size(x, axis)
    terms: list[Term] = []
    if args.flag("scale"):
        terms.append(Term("γ", "gamma", (c,), ("c",)))
    if args.flag("center"):
        terms.append(Term("β", "beta", (c,), ("c",)))
    terms.append(Term("μ", "moving_mean", (c,), ("c",), trainable=False))
    terms.append(Term("σ²", "moving_variance", (c,), ("c",), trainable=False))
    if args.flag("renorm"):
        terms.append(Term("σ", "moving_stddev", (c,), ("c",), trainable=False))
        terms.append(Term("μ_r", "renorm_mean", (c,), ("c",), trainable=False))
        terms.append(Term("σ_r", "renorm_stddev", (c,), ("c",), trainable=False))
    return Outcome(shape=x, terms=terms, formula=_times(len(terms), ("c",)), symbols={"c": c})


def _sorted_sizes(x: Shape, axes: list[int]) -> list[int]:
    """Sizes of the normalized axes in Keras' order: ``sorted(axis)`` on the raw values."""
    return [axis_size(x, a) for a in sorted(axes)]


@rule(
    "LayerNormalization",
    ("axis", -1, _axis_list),
    ("epsilon", 0.001),
    ("center", True, Args.flag),
    ("scale", True, Args.flag),
    *_AFFINE_OPTIONS,
    ("rms_scaling", False, Args.flag),
    min_rank=1,
    legend=_C_LEGEND,
    mask="keep",
)
def layer_normalization(args: Args, x: Shape) -> Outcome:
    """Normalizes each sample over the given axes, then applies a learned scale gamma
    and offset beta with one entry per position of those axes: 2·c for the default last
    axis (c features), 2·c₁·c₂ for two axes. center=False drops beta, scale=False drops
    gamma. The deprecated rms_scaling=True keeps only gamma.
    """
    axes = _axis_list(args)
    rms = args.flag("rms_scaling")
    scale = args.flag("scale") or rms
    center = args.flag("center") and not rms
    if not (scale or center):  # no weights: Keras only checks that the axes exist
        _check_axes_in_range(x, axes)
        return Outcome(shape=x, formula="0")
    sizes = _sorted_sizes(x, axes)
    names, symbols = _axes_symbols(sizes)
    terms: list[Term] = []
    if scale:
        terms.append(Term("γ", "gamma", tuple(sizes), names))
    if center:
        terms.append(Term("β", "beta", tuple(sizes), names))
    return Outcome(shape=x, terms=terms, formula=_times(len(terms), names), symbols=symbols)


@rule("RMSNormalization", ("axis", -1), ("epsilon", 1e-06), min_rank=1, legend=_C_LEGEND)
def rms_normalization(args: Args, x: Shape) -> Outcome:
    """Divides each sample by its root mean square over the given axes and multiplies by
    a learned scale with one entry per position of those axes: c for the default last
    axis. No offset, so half a LayerNormalization's count.
    """
    sizes = _sorted_sizes(x, _axis_list(args))
    names, symbols = _axes_symbols(sizes)
    terms = [Term("γ", "scale", tuple(sizes), names)]
    return Outcome(shape=x, terms=terms, formula=_times(1, names), symbols=symbols)


@rule(
    "GroupNormalization",
    ("groups", 32, _groups),
    ("axis", -1, _axis),
    ("epsilon", 0.001),
    ("center", True, Args.flag),
    ("scale", True, Args.flag),
    *_AFFINE_OPTIONS,
    min_rank=1,
    legend={"c": "channels, the size of axis"},
    mask="keep",
)
def group_normalization(args: Args, x: Shape) -> Outcome:
    """Normalizes groups of channels within each sample, then applies a learned per-channel
    scale gamma and offset beta: 2·c, whatever the number of groups (groups=-1 is one
    channel per group, instance normalization). The groups must divide the channels.
    """
    groups = _groups(args, "groups")
    axis = _axis(args)
    c = axis_size(x, axis, "channel")
    if groups == -1:
        groups = c
    if c < groups:
        raise LayerError(
            f"groups={groups} is more than the {c} channels of input {format_shape(x)}",
            hint="groups must divide the channels",
        )
    if c % groups:
        raise LayerError(
            f"groups={groups} does not divide the {c} channels of input {format_shape(x)}",
            hint="groups must divide the channels",
        )
    terms: list[Term] = []
    if args.flag("scale"):
        terms.append(Term("γ", "gamma", (c,), ("c",)))
    if args.flag("center"):
        terms.append(Term("β", "beta", (c,), ("c",)))
    return Outcome(shape=x, terms=terms, formula=_times(len(terms), ("c",)), symbols={"c": c})


def _check_axes_in_range(x: Shape, axes: Sequence[int]) -> None:
    rank = len(x) + 1
    for axis in axes:
        if not -rank <= axis < rank:
            raise LayerError(
                f"axis {axis} is out of range for input {format_shape(x)} (valid: {-rank}..{rank - 1})",
                hint="axis counts the batch axis as 0; -1 is the last axis",
            )


@rule("UnitNormalization", ("axis", -1), min_rank=1, mask="keep")
def unit_normalization(args: Args, x: Shape) -> Outcome:
    """Scales each sample to unit L2 norm along the axes; no weights, output shape = input
    shape.
    """
    _check_axes_in_range(x, _axis_list(args))
    return Outcome(shape=x, formula="0")


@rule(
    "Normalization",
    ("axis", -1, _kept_axes),
    ("mean", None),
    ("variance", None),
    ("invert", False, Args.flag),
    legend={"c": "size of the kept axis", "c_1": "size of the first kept axis"},
    mask="keep",
)
def normalization(args: Args, x: Shape) -> Outcome:
    """Standardizes inputs with a per-feature mean and variance over the kept axes (c
    features for the default last axis). Built without mean/variance, Keras creates the
    state adapt() fills: mean and variance (c each) and a scalar sample count, all
    non-trainable but counted: 2·c + 1. Given mean and variance, they are constants and
    the layer has no weights.
    """
    axes = _kept_axes(args, "axis")
    mean, variance = args["mean"], args["variance"]
    if (mean is None) != (variance is None):
        raise LayerError("give both 'mean' and 'variance', or neither", hint="or call adapt() in Keras")
    _check_axes_in_range(x, axes)
    if mean is not None:
        if _nest_shape(mean) != _nest_shape(variance):
            raise LayerError("'mean' and 'variance' must have the same shape")
        if len(_nest_shape(mean)) > len(axes):
            raise LayerError(f"'mean' has more dimensions than the {len(axes)} kept axes")
        return Outcome(shape=x, formula="0")
    rank = len(x) + 1
    keep = sorted(a % rank for a in axes)
    if len(set(keep)) != len(keep):
        raise LayerError(
            f"axis {args['axis']!r} names the same axis of input {format_shape(x)} twice",
            hint="Keras would make a statistic per repeated axis and fail to apply it",
        )
    sizes = [axis_size(x, a, "kept") for a in keep]
    names, symbols = _axes_symbols(sizes) if sizes else ((), {})
    terms = [
        Term("μ", "mean", tuple(sizes), names, trainable=False),
        Term("σ²", "variance", tuple(sizes), names, trainable=False),
        Term("n", "count", (), (), trainable=False, dtype="int32"),
    ]
    formula = f"{_times(2, names)}+1" if names else "3"
    return Outcome(shape=x, terms=terms, formula=formula, symbols=symbols)


def _nest_shape(value: Value) -> tuple[int, ...]:
    """``np.shape`` of a nested list of numbers."""
    if isinstance(value, (list, tuple)):
        inner = _nest_shape(value[0]) if value else ()
        return (len(value), *inner)
    return ()


@rule("Rescaling", "scale", ("offset", 0.0), mask="keep")
def rescaling(args: Args, x: Shape) -> Outcome:
    """Computes x·scale + offset (e.g. 1/255 for pixels); constants, not weights:
    0 parameters, output shape = input shape.
    """
    return Outcome(shape=x, formula="0")


@rule("SpectralNormalization", "layer", ("power_iterations", 1, Args.positive_int), min_rank=1, layer_args=("layer",))
def spectral_normalization(args: Args, x: Shape) -> Outcome:
    """Wraps a layer with a kernel (Dense, Conv...) or embeddings and divides it by its
    largest singular value, estimated by power iteration with a persistent vector u of
    the kernel's last-axis size. So: the wrapped layer's weights plus u, non-trainable,
    of 1 × (last kernel axis).
    """
    inner = run_inner(args, "layer", [x])
    terms = inner.terms
    kernel = next((t for t in terms if t.weight in ("kernel", "embeddings")), None)
    if kernel is None:
        raise LayerError(
            f"SpectralNormalization needs a layer with a kernel or embeddings; {inner.rule.name} has neither",
            hint="wrap a Dense, Conv or Embedding layer",
        )
    scoped = [replace(t, scope=f"{inner.name}/{t.scope}" if t.scope else inner.name) for t in terms]
    dims = kernel.dims or tuple(str(d) for d in kernel.shape)
    u = Term("u", "vector_u", (1, kernel.shape[-1]), ("1", dims[-1]), trainable=False)
    # Keras lists the wrapper's own weights first: the (shared) kernel, then u, then the rest.
    position = terms.index(kernel)
    ordered = [scoped[position], u, *scoped[:position], *scoped[position + 1 :]]
    outcome = inner.outcome
    formula = f"{outcome.formula}+{factor(dims[-1])}" if outcome.formula else None
    return Outcome(
        shape=outcome.shape,
        shapes=outcome.shapes,
        terms=ordered,
        formula=formula,
        symbols=dict(outcome.symbols),
        legend={**outcome.legend, **inner.rule.legend},
    )
