"""``torch.nn`` normalization: BatchNorm, InstanceNorm (and lazy variants), LayerNorm,
GroupNorm, RMSNorm, LocalResponseNorm.

Follows ``torch/nn/modules/batchnorm.py`` (``_NormBase``), ``instancenorm.py`` and
``normalization.py``.  The running statistics (``running_mean``, ``running_var`` and the
scalar ``num_batches_tracked``) are *buffers*: saved in the state dict but not parameters,
so ``sum(p.numel() for p in m.parameters())`` leaves them out -- unlike Keras, which counts
BatchNormalization's moving mean and variance as non-trainable parameters.
"""

from __future__ import annotations

from typing import Any

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import REQUIRED, Args, Kind, Outcome, Param
from paramcalc.rules.binding import between
from paramcalc.rules.torch_common import (
    Maybe,
    check_axis,
    check_min_rank,
    check_rank,
    known,
    maybe_number,
    need_input,
    show,
    sizes,
    torch_rule,
)

_NORM_LEGEND = {"C": "num_features, the channel axis (1) of the input"}
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
_KEYWORD_BIAS = (("device", None), ("dtype", None), "*", ("bias", True))


def _affine(args: Args, count: int, symbol: str = "C") -> tuple[list[Term], str]:
    """The weight (γ) and bias (β) of an affine norm, as ``_NormBase`` registers them."""
    affine = args.flag("affine")
    bias = args.flag("bias")  # checked even without affine, as before
    if not affine:
        return [], "0"
    terms = [Term("gamma", "weight", (count,), (symbol,))]
    if bias:
        terms.append(Term("beta", "bias", (count,), (symbol,)))
        return terms, f"2*{symbol}"
    return terms, symbol


def _running(args: Args, count: int) -> list[Term]:
    """The running-statistics buffers of ``_NormBase`` when ``track_running_stats``."""
    if not args.flag("track_running_stats"):
        return []
    return [
        Term("mu", "running_mean", (count,), ("C",), trainable=False, buffer=True),
        Term("sigma2", "running_var", (count,), ("C",), trainable=False, buffer=True),
        Term("t", "num_batches_tracked", (), (), trainable=False, buffer=True),
    ]


_EPS: Kind = between(0.0)
_MOMENTUM: Kind = maybe_number()


def _norm_options(args: Args) -> None:
    """SyncBatchNorm's eps and momentum, checked after its process_group (so not declared)."""
    _EPS(args, "eps")
    _MOMENTUM(args, "momentum")


_BATCH_FORMS = {1: {2: "(N, C)", 3: "(N, C, L)"}, 2: {4: "(N, C, H, W)"}, 3: {5: "(N, C, D, H, W)"}}

_BATCH_WHY = """A learned scale γ and shift β per channel: 2·C parameters (C without bias, 0 without
affine). The running mean and variance (and the scalar num_batches_tracked) are buffers,
not parameters: torch does not count them, where Keras counts its moving statistics as
non-trainable parameters."""


def _weightless_lazy(args: Args, x: Maybe) -> bool:
    """A lazy norm with neither affine weights nor running statistics has nothing to size:
    torch builds it without an input (and it never materialises anything).
    """
    return x is None and not args.flag("affine") and not args.flag("track_running_stats")


def _batch(name: str, rank: int | None, args: Args, x: Maybe, lazy: bool) -> Outcome:
    if lazy and _weightless_lazy(args, x):
        args.flag("bias")
        return Outcome(shape=None, formula="0")
    if lazy:
        x = need_input(x, name, "num_features")
        if rank is not None:
            check_rank(x, name, _BATCH_FORMS[rank])
        channels = known(x, 1, name, "num_features")
    else:
        channels = args.positive_int("num_features")
    terms, formula = _affine(args, channels)
    terms += _running(args, channels)
    if x is not None:
        if rank is None:
            check_min_rank(x, name, 2, "(N, C, ...)")
        else:
            check_rank(x, name, _BATCH_FORMS[rank])
        if args.flag("affine") or args.flag("track_running_stats"):  # no tensor of C to compare otherwise
            check_axis(x, 1, channels, name, "num_features")
        if not args.flag("track_running_stats") and args.number("eps") == 0:
            raise LayerError(
                f"{name}: eps=0 with batch statistics (track_running_stats=False) divides by zero;"
                " torch refuses it (batch_norm eps must be positive)",
                hint="use eps > 0",
            )
    return Outcome(shape=x, terms=terms, formula=formula, symbols={"C": channels})


def _instance(name: str, rank: int, args: Args, x: Maybe, lazy: bool) -> Outcome:
    forms = {rank + 1: f"(C, {_SPATIAL[rank]}) unbatched", rank + 2: f"(N, C, {_SPATIAL[rank]})"}
    if lazy and _weightless_lazy(args, x):
        args.flag("bias")
        return Outcome(shape=None, formula="0")
    if lazy and x is not None and not args.flag("affine") and not args.flag("track_running_stats"):
        check_rank(x, name, forms)  # nothing to size: any channel count, known or not
        _spatial_stats(name, rank, x)
        return Outcome(shape=x, formula="0")
    if lazy:
        x = need_input(x, name, "num_features")
        check_rank(x, name, forms)
        channels = known(x, 1, name, "num_features")  # torch reads input.shape[1], batched or not
    else:
        channels = args.positive_int("num_features")
    terms, formula = _affine(args, channels)
    terms += _running(args, channels)
    if x is not None:
        check_rank(x, name, forms)
        if args.flag("affine") or args.flag("track_running_stats"):  # otherwise torch only warns
            check_axis(x, len(x) - rank - 1, channels, name, "num_features")
        if not args.flag("track_running_stats"):
            _spatial_stats(name, rank, x)
    return Outcome(shape=x, terms=terms, formula=formula, symbols={"C": channels})


def _spatial_stats(name: str, rank: int, x: Shape) -> None:
    """Instance statistics need more than one value per channel (torch's _verify_spatial_size)."""
    if all(size == 1 for size in x[len(x) - rank :]):
        raise LayerError(
            f"{name} normalises each channel over its {_SPATIAL[rank]} values, and {show(x)} has only one"
            " (torch: expected more than 1 spatial element)",
            hint="give the layer a bigger input, or track_running_stats=True",
        )


_INSTANCE_WHY = """Normalises each channel of each sample on its own; with affine=True (not the
default) a scale and shift per channel, 2·C, else nothing. track_running_stats=True adds
running-statistics buffers, which are not parameters."""


def _register(rank: int) -> None:
    options_kinds: tuple[Param, ...] = (("eps", 1e-5, _EPS), ("momentum", 0.1, _MOMENTUM))
    batch_params = (*options_kinds, ("affine", True), ("track_running_stats", True))
    instance_params = (*options_kinds, ("affine", False), ("track_running_stats", False))
    lazy_instance = (*options_kinds, ("affine", True), ("track_running_stats", True))
    options: dict[str, Any] = {"legend": _NORM_LEGEND, "min_rank": rank + 1}
    with_input: dict[str, Any] = {**options, "from_input": {"num_features": 0}}

    def batch(args: Args, x: Maybe, name: str = f"BatchNorm{rank}d") -> Outcome:
        return _batch(name, rank, args, x, lazy=False)

    def lazy_batch(args: Args, x: Maybe, name: str = f"LazyBatchNorm{rank}d") -> Outcome:
        return _batch(name, rank, args, x, lazy=True)

    def instance(args: Args, x: Maybe, name: str = f"InstanceNorm{rank}d") -> Outcome:
        return _instance(name, rank, args, x, lazy=False)

    def lazy_instance_fn(args: Args, x: Maybe, name: str = f"LazyInstanceNorm{rank}d") -> Outcome:
        return _instance(name, rank, args, x, lazy=True)

    lazy_note = " Lazy: num_features is read from axis 1 of the first input."
    batch.__doc__ = _BATCH_WHY
    lazy_batch.__doc__ = _BATCH_WHY + lazy_note
    instance.__doc__ = _INSTANCE_WHY
    lazy_instance_fn.__doc__ = (
        _INSTANCE_WHY + lazy_note + " Its defaults differ: affine=True, track_running_stats=True."
    )
    torch_rule(f"BatchNorm{rank}d", "num_features", *batch_params, *_KEYWORD_BIAS, **with_input)(batch)
    torch_rule(f"LazyBatchNorm{rank}d", *batch_params, *_KEYWORD_BIAS, **options)(lazy_batch)
    torch_rule(f"InstanceNorm{rank}d", "num_features", *instance_params, *_KEYWORD_BIAS, **with_input)(instance)
    torch_rule(f"LazyInstanceNorm{rank}d", *lazy_instance, *_KEYWORD_BIAS, **options)(lazy_instance_fn)


for _rank in (1, 2, 3):
    _register(_rank)


@torch_rule(
    "SyncBatchNorm",
    "num_features",
    ("eps", 1e-5),
    ("momentum", 0.1),
    ("affine", True),
    ("track_running_stats", True),
    ("process_group", None),
    *_KEYWORD_BIAS,
    legend=_NORM_LEGEND,
    min_rank=2,
    from_input={"num_features": 0},
)
def sync_batch_norm(args: Args, x: Maybe) -> Outcome:
    """BatchNorm whose statistics are synchronised across processes: the same 2·C parameters
    and running-statistics buffers, on inputs of any rank (N, C, ...).
    """
    if args["process_group"] is not None:
        raise LayerError("'process_group' takes a process group; a spec cannot give one")
    _norm_options(args)
    return _batch("SyncBatchNorm", None, args, x, lazy=False)


def _shape_symbols(shape: tuple[int, ...]) -> tuple[tuple[str, ...], dict[str, int]]:
    names = ("d",) if len(shape) == 1 else tuple(f"d_{i + 1}" for i in range(len(shape)))
    return names, dict(zip(names, shape, strict=True))


def _check_trailing(x: Maybe, shape: tuple[int, ...], name: str) -> None:
    if x is None:
        return
    tail = x[len(x) - len(shape) :]
    if len(x) < len(shape) or any(a is not None and a != b for a, b in zip(tail, shape, strict=True)):
        raise LayerError(
            f"{name}: normalized_shape={list(shape)} expects an input of shape (*, {', '.join(map(str, shape))}),"
            f" got {show(x)}",
        )


@torch_rule(
    "LayerNorm",
    ("normalized_shape", REQUIRED, sizes),
    ("eps", 1e-5, _EPS),
    ("elementwise_affine", True, Args.flag),
    ("bias", True, Args.flag),
    legend={"d": "normalized_shape, the last input axes"},
    min_rank=1,
    from_input={"normalized_shape": -1},
)
def layer_norm(args: Args, x: Maybe) -> Outcome:
    """Normalises over the last axes (normalized_shape), then a learned scale and shift of
    that shape: 2·∏normalized_shape (one with bias=False, none without elementwise_affine).
    """
    shape = sizes(args, "normalized_shape")
    dims, symbols = _shape_symbols(shape)
    product = "*".join(dims)
    terms: list[Term] = []
    formula = "0"
    if args.flag("elementwise_affine"):
        terms.append(Term("gamma", "weight", shape, dims))
        formula = product
        if args.flag("bias"):
            terms.append(Term("beta", "bias", shape, dims))
            formula = f"2*{product}"
    _check_trailing(x, shape, "LayerNorm")
    return Outcome(shape=x, terms=terms, formula=formula, symbols=symbols if terms else {})


@torch_rule(
    "RMSNorm",
    ("normalized_shape", REQUIRED, sizes),
    ("eps", None, maybe_number(0.0)),
    ("elementwise_affine", True, Args.flag),
    legend={"d": "normalized_shape, the last input axes"},
    min_rank=1,
    from_input={"normalized_shape": -1},
)
def rms_norm(args: Args, x: Maybe) -> Outcome:
    """Divides by the root mean square over the last axes, then a learned scale of that
    shape (no shift): ∏normalized_shape parameters, none without elementwise_affine.
    """
    shape = sizes(args, "normalized_shape")
    dims, symbols = _shape_symbols(shape)
    terms: list[Term] = []
    if args.flag("elementwise_affine"):
        terms.append(Term("gamma", "weight", shape, dims))
    _check_trailing(x, shape, "RMSNorm")
    return Outcome(shape=x, terms=terms, formula="*".join(dims) if terms else "0", symbols=symbols if terms else {})


@torch_rule(
    "GroupNorm",
    ("num_groups", REQUIRED, Args.positive_int),
    ("num_channels", REQUIRED, Args.positive_int),
    ("eps", 1e-5, _EPS),
    ("affine", True),
    *_KEYWORD_BIAS,
    legend={"C": "num_channels, axis 1 of the input", "G": "num_groups"},
    min_rank=2,
    from_input={"num_channels": 0},
)
def group_norm(args: Args, x: Maybe) -> Outcome:
    """Normalises groups of channels, then a learned scale and shift per channel: 2·C
    (C with bias=False, 0 without affine); the number of groups does not change the count.
    """
    groups = args.positive_int("num_groups")
    channels = args.positive_int("num_channels")
    if channels % groups:
        raise LayerError(f"num_channels must be divisible by num_groups (got {channels} and {groups})")
    affine = args.flag("affine")
    terms, formula = _affine(args, channels)
    if x is not None:
        check_min_rank(x, "GroupNorm", 2, "(N, C, *)")
        if affine:  # without weights torch never compares the input with num_channels
            check_axis(x, 1, channels, "GroupNorm", "num_channels")
        elif x[1] is not None and x[1] % groups:
            raise LayerError(
                f"GroupNorm expects the input's channels to be divisible by num_groups={groups}, got {show(x)}"
            )
    return Outcome(shape=x, terms=terms, formula=formula, symbols={"C": channels} if terms else {})


def _register_lrn(name: str, k: float, rank: int | None) -> None:
    @torch_rule(
        name,
        ("size", REQUIRED, Args.positive_int),
        ("alpha", 1e-4, Args.number),
        ("beta", 0.75, Args.number),
        ("k", k, Args.number),
        weights=False,
    )
    def lrn(args: Args, x: Maybe) -> Outcome:
        """Normalises each value by its neighbours across channels with fixed constants: no
        parameters, output shape = input shape.
        """
        if x is not None:
            if rank is None:
                check_min_rank(x, name, 3, "(N, C, *)")
            else:
                check_rank(x, name, {rank: "(N, C, H, W)"})
        return Outcome(shape=x, formula="0")


_register_lrn("LocalResponseNorm", 1.0, None)
_register_lrn("CrossMapLRN2d", 1, 4)
