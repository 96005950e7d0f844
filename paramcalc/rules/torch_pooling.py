"""Weightless ``torch.nn`` modules that change shapes: pooling (max, average, power-average,
adaptive, fractional) and padding.

Up-sampling, pixel (un)shuffle and (un)folding are in :mod:`paramcalc.rules.torch_resampling`.

None has parameters; the rules exist so every output shape is what a forward pass gives,
following ``torch/nn/modules/pooling.py``, ``padding.py`` and ATen's ``pooling_output_shape``.
"""

from __future__ import annotations

from typing import Any

from paramcalc.errors import LayerError
from paramcalc.report import Dim, Shape
from paramcalc.rules import REQUIRED, Args, Kind, Outcome, Param
from paramcalc.rules.binding import ints_of, optional_int
from paramcalc.rules.torch_common import Maybe, check_min_rank, check_rank, nonempty, show, torch_rule
from paramcalc.shapes import pool_length

_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def _forms(rank: int) -> dict[int, str]:
    return {rank + 1: f"(C, {_SPATIAL[rank]})", rank + 2: f"(N, C, {_SPATIAL[rank]})"}


def _with_spatial(x: Shape, spatial: tuple[Dim, ...]) -> Shape:
    return (*x[: len(x) - len(spatial)], *spatial)


def _indices(args: Args, shape: Shape) -> Outcome:
    """``return_indices=True`` makes the module return (output, indices) of equal shapes."""
    if args.flag("return_indices"):
        return Outcome(shapes=(shape, shape), tree=(0, 1), formula="0")
    return Outcome(shape=shape, formula="0")


def _window(
    name: str,
    x: Shape,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    ceil_mode: bool,
) -> Shape:
    """The pooled shape, with ATen's checks: padding at most half the kernel (the kernel
    itself, not the dilated span: ``pool2d_shape_check`` tests ``kW / 2 >= padW``), and at
    least one output per axis.
    """
    rank = len(kernel)
    nonempty(x, name)
    out: list[Dim] = []
    for axis in range(rank):
        k, s, p, d = kernel[axis], stride[axis], padding[axis], dilation[axis]
        if 2 * p > k:
            raise LayerError(f"{name}: pad should be at most half of kernel size, but got pad={p}, kernel_size={k}")
        size = x[len(x) - rank + axis]
        length = pool_length(size, k, s, p, d, ceil_mode)
        if length is not None and length < 1:
            raise LayerError(f"{name}: output size is too small for input {show(x)} (kernel {k}, stride {s})")
        out.append(length)
    return _with_spatial(x, tuple(out))


def _fits_kernel(name: str, x: Shape, kernel: tuple[int, ...]) -> None:
    """ATen's avg_pool3d refuses an input smaller than the kernel, padding or not."""
    if len(kernel) != 3:
        return
    spatial = x[-3:]
    if any(size is not None and size < k for size, k in zip(spatial, kernel, strict=True)):
        raise LayerError(
            f"{name}: input {show(x)} is smaller than the kernel {list(kernel)} (avg_pool3d checks before padding)",
            hint="use a smaller kernel or a bigger input",
        )


def _stride(args: Args, rank: int, kernel: tuple[int, ...]) -> tuple[int, ...]:
    """Pools default their stride to the kernel size (``stride=None``)."""
    if args["stride"] is None:
        return kernel
    return args.ints("stride", rank)


def _strides(rank: int) -> Kind:
    """The kind of a pool's ``stride``: None (the kernel size) or ``rank`` positive ints."""

    def kind(args: Args, key: str) -> tuple[int, ...] | None:
        return None if args[key] is None else args.ints(key, rank)

    return kind


def _register_pools(rank: int) -> None:
    forms = _forms(rank)
    options: dict[str, Any] = {"weights": False, "min_rank": rank + 1}

    @torch_rule(
        f"MaxPool{rank}d",
        "kernel_size",
        ("stride", None),
        ("padding", 0),
        ("dilation", 1),
        ("return_indices", False),
        ("ceil_mode", False),
        **options,
    )
    def max_pool(args: Args, x: Maybe, name: str = f"MaxPool{rank}d") -> Outcome:
        """Takes the maximum of each window: no parameters. Output length
        floor((L + 2p - d·(k-1) - 1)/s) + 1 (rounded up with ceil_mode); stride defaults to
        the kernel size.
        """
        kernel = args.ints("kernel_size", rank)
        stride = _stride(args, rank, kernel)
        padding = args.ints("padding", rank, minimum=0)
        dilation = args.ints("dilation", rank)
        ceil = args.flag("ceil_mode")
        if x is None:
            args.flag("return_indices")
            return Outcome(shape=None, formula="0")
        check_rank(x, name, forms)
        return _indices(args, _window(name, x, kernel, stride, padding, dilation, ceil))

    avg_extra: tuple[Param, ...] = (("divisor_override", None, optional_int()),) if rank > 1 else ()

    @torch_rule(
        f"AvgPool{rank}d",
        ("kernel_size", REQUIRED, ints_of(rank)),
        ("stride", None, _strides(rank)),
        ("padding", 0, ints_of(rank, 0)),
        ("ceil_mode", False, Args.flag),
        ("count_include_pad", True, Args.flag),
        *avg_extra,
        **options,
    )
    def avg_pool(args: Args, x: Maybe, name: str = f"AvgPool{rank}d") -> Outcome:
        """Averages each window: no parameters. Output length floor((L + 2p - k)/s) + 1
        (rounded up with ceil_mode); stride defaults to the kernel size.
        """
        kernel = args.ints("kernel_size", rank)
        stride = _stride(args, rank, kernel)
        padding = args.ints("padding", rank, minimum=0)
        ceil = args.flag("ceil_mode")
        if x is None:
            return Outcome(shape=None, formula="0")
        check_rank(x, name, forms)
        _fits_kernel(name, x, kernel)
        return Outcome(shape=_window(name, x, kernel, stride, padding, (1,) * rank, ceil), formula="0")

    @torch_rule(f"LPPool{rank}d", "norm_type", "kernel_size", ("stride", None), ("ceil_mode", False), **options)
    def lp_pool(args: Args, x: Maybe, name: str = f"LPPool{rank}d") -> Outcome:
        """The p-norm of each window, (Σ x^p)^(1/p): no parameters, average-pooling lengths
        without padding.
        """
        norm = args.number("norm_type")
        kernel = args.ints("kernel_size", rank)
        stride = _stride(args, rank, kernel)
        ceil = args.flag("ceil_mode")
        if x is None:
            return Outcome(shape=None, formula="0")
        check_rank(x, name, forms)
        if rank == 1 and not isinstance(args["kernel_size"], int):
            raise LayerError(
                f"LPPool1d cannot run with kernel_size {args['kernel_size']!r}: its forward multiplies by"
                " kernel_size, which must be an integer",
                hint="write kernel_size as an integer",
            )
        _fits_kernel(name, x, kernel)
        if norm == 0:
            raise LayerError(f"{name}: norm_type 0 cannot run forward (it takes the 1/norm_type power)")
        zeros = (0,) * rank
        return Outcome(shape=_window(name, x, kernel, stride, zeros, (1,) * rank, ceil), formula="0")

    for kind in ("Max", "Avg"):
        _register_adaptive(kind, rank, forms)


def _register_adaptive(kind: str, rank: int, forms: dict[int, str]) -> None:
    name = f"Adaptive{kind}Pool{rank}d"
    params = ("output_size", ("return_indices", False)) if kind == "Max" else ("output_size",)

    @torch_rule(name, *params, weights=False, min_rank=rank + 1)
    def adaptive(args: Args, x: Maybe) -> Outcome:
        """Pools to a fixed output size whatever the input size (None keeps that axis):
        no parameters.
        """
        value = args["output_size"]
        items = [value] * rank if value is None or isinstance(value, int) else value
        if not isinstance(items, (list, tuple)) or len(items) != rank:
            raise LayerError(f"'output_size' must be an integer or {rank} integers (or null), got {value!r}")
        for item in items:
            if item is not None and (not isinstance(item, int) or isinstance(item, bool) or item < 1):
                raise LayerError(f"'output_size' values must be positive integers or null, got {value!r}")
        if x is None:
            if kind == "Max":
                args.flag("return_indices")
            return Outcome(shape=None, formula="0")
        if None in items and (rank == 1 or value is None):
            # F.adaptive_*_pool1d takes ints only; a bare None has no len() in _list_with_default
            raise LayerError(f"{name}: output_size {value!r} cannot keep an input size here", hint="give integers")
        if None in items and len(x) <= rank:
            raise LayerError(f"{name}: output_size {list(items)} needs an input of at least {rank + 1} dimensions")
        nonempty(x, name)
        spatial = tuple(x[len(x) - rank + i] if items[i] is None else items[i] for i in range(rank))
        if kind == "Avg" and rank > 1 and all(size == 1 for size in spatial) and len(x) >= rank:
            # ATen's fast path: an all-ones output is input.mean(last `rank` axes), any rank
            return Outcome(shape=_with_spatial(x, spatial), formula="0")
        check_rank(x, name, forms)
        shape = _with_spatial(x, spatial)
        return _indices(args, shape) if kind == "Max" else Outcome(shape=shape, formula="0")


for _rank in (1, 2, 3):
    _register_pools(_rank)


def _register_fractional(rank: int) -> None:
    name = f"FractionalMaxPool{rank}d"

    @torch_rule(
        name,
        ("kernel_size", REQUIRED, ints_of(rank)),
        ("output_size", None),
        ("output_ratio", None),
        ("return_indices", False),
        ("_random_samples", None),
        weights=False,
        min_rank=rank + 1,
    )
    def fractional(args: Args, x: Maybe) -> Outcome:
        """Max pooling with pseudo-random window steps to a given output size (or
        input·output_ratio): no parameters.
        """
        if args["_random_samples"] is not None:
            raise LayerError("'_random_samples' takes a tensor; a spec cannot give one")
        if (args["output_size"] is None) == (args["output_ratio"] is None):
            raise LayerError(f"{name} requires specifying either an output size, or a pooling ratio")
        ratios: tuple[float, ...] = ()
        if args["output_ratio"] is not None:
            value = args["output_ratio"]
            items = [value] * rank if isinstance(value, (int, float)) else value
            if not isinstance(items, (list, tuple)) or len(items) != rank:
                raise LayerError(f"'output_ratio' must be a number or {rank} numbers, got {value!r}")
            if not all(isinstance(r, (int, float)) and not isinstance(r, bool) and 0 < r < 1 for r in items):
                raise LayerError(f"output_ratio must be between 0 and 1 (got {value!r})")
            ratios = tuple(float(r) for r in items)
        if x is None:
            args.flag("return_indices")
            return Outcome(shape=None, formula="0")
        check_rank(x, name, _forms(rank))
        nonempty(x, name)
        spatial_in = x[len(x) - rank :]
        if ratios:
            spatial: tuple[Dim, ...] = tuple(
                None if size is None else int(size * ratio) for size, ratio in zip(spatial_in, ratios, strict=True)
            )
        else:
            spatial = args.ints("output_size", rank)
        kernel = args.ints("kernel_size", rank)
        for axis, (size, out, k) in enumerate(zip(spatial_in, spatial, kernel, strict=True)):
            # ATen: output + kernel - 1 must fit the input (strictly, for the 3-D kernel)
            if size is not None and out is not None and (out + k - 1 > size or (rank == 3 and out + k - 1 == size)):
                raise LayerError(
                    f"{name}: kernel {k} is too large for an output of {out} from an input of {size}"
                    f" on spatial axis {axis} of {show(x)}",
                    hint="use a smaller kernel or output size",
                )
        return _indices(args, _with_spatial(x, spatial))


for _rank in (2, 3):
    _register_fractional(_rank)


# --------------------------------------------------------------------------- padding
_PAD_FORMS = {
    "Reflection": lambda rank: _forms(rank),
    "Replication": lambda rank: _forms(rank),
    "Circular": lambda rank: _forms(rank),
}


def _pads(args: Args, rank: int) -> tuple[int, ...]:
    """The padding tuple, torch's order: (left, right) for the last axis, then the axis before it, ..."""
    value = args["padding"]
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * (2 * rank)
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2 * rank
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return tuple(value)
    raise LayerError(f"'padding' must be an integer or {2 * rank} integers, got {value!r}")


def _padded(name: str, kind: str, x: Shape, pads: tuple[int, ...]) -> Shape:
    rank = len(pads) // 2
    if kind in _PAD_FORMS:
        check_rank(x, name, _PAD_FORMS[kind](rank))
        if kind != "Circular":
            nonempty(x, name)
    else:
        check_min_rank(x, name, rank, f"(*, {_SPATIAL[rank]})")
    out = list(x)
    for i in range(rank):
        axis = len(x) - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        size = x[axis]
        if size is None:
            continue
        if kind == "Reflection" and max(left, right) >= size:
            raise LayerError(
                f"{name}: padding ({left}, {right}) must be smaller than the input size {size} on axis {axis}"
            )
        if kind == "Circular" and max(left, right) > size:
            raise LayerError(
                f"{name}: padding ({left}, {right}) wraps around more than once on axis {axis} of {show(x)}"
            )
        length = size + left + right
        if length < (1 if kind in ("Reflection", "Replication") and rank == 1 else 0):  # ATen allows an empty axis
            raise LayerError(f"{name}: padding ({left}, {right}) leaves nothing of axis {axis} of {show(x)}")
        out[axis] = length
    return tuple(out)


def _register_pad(kind: str, rank: int) -> None:
    name = f"{kind}Pad{rank}d"
    padding: Param = ("padding", REQUIRED, lambda args, _: _pads(args, rank))
    params = (padding, ("value", REQUIRED, Args.number)) if kind == "Constant" else ("padding",)

    @torch_rule(name, *params, weights=False, min_rank=rank + 1)
    def pad(args: Args, x: Maybe) -> Outcome:
        """Pads the last axes (padding = left, right for the last axis, then the one before):
        no parameters; each padded axis grows by its two paddings.
        """
        pads = _pads(args, rank)
        if x is None:
            return Outcome(shape=None, formula="0")
        return Outcome(shape=_padded(name, kind, x, pads), formula="0")


for _kind in ("Zero", "Constant", "Reflection", "Replication", "Circular"):
    for _rank in (1, 2, 3):
        _register_pad(_kind, _rank)
