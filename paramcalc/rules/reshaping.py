"""Keras reshaping layers: Reshape, Permute, RepeatVector, Cropping, ZeroPadding, UpSampling.

None of them has weights; the rules reproduce ``compute_output_shape`` of
``keras/src/layers/reshaping`` (``Flatten`` lives with the core layers) and refuse the
inputs Keras refuses: a Reshape whose sizes do not match, a crop that leaves nothing.
"""

from __future__ import annotations

from math import prod

from paramcalc.errors import LayerError
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome, Param, rule
from paramcalc.rules.binding import ints_of
from paramcalc.rules.convolutional import data_format, spatial_input
from paramcalc.shapes import format_shape, join_channels, split_channels
from paramcalc.spec.records import Value


def _is_int(value: Value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@rule("Reshape", "target_shape", min_rank=0)
def reshape(args: Args, x: Shape) -> Outcome:
    """Rearranges each sample's elements into target_shape (the batch axis is kept): no
    weights. One entry may be -1, inferred so the element count is unchanged; the sizes
    must multiply to the input's element count.
    """
    target = args["target_shape"]
    if _is_int(target):
        target = [target]
    if not isinstance(target, (list, tuple)) or not all(_is_int(d) or d is None for d in target):
        raise LayerError(f"'target_shape' must be a list of integers, got {target!r}", hint="e.g. [7, 7, 256]")
    dims = [d if _is_int(d) else None for d in target]
    if any(d is not None and d < -1 for d in dims):
        raise LayerError(f"'target_shape' sizes must be positive or -1, got {list(target)}")
    if dims.count(-1) > 1:
        raise LayerError(f"'target_shape' may have at most one -1, got {list(target)}")
    if None in x or None in dims:
        return Outcome(shape=tuple(None if d == -1 else d for d in dims), formula="0")
    size = prod(d for d in x if d is not None)
    if -1 not in dims:
        if prod(d for d in dims if d is not None) != size:
            raise LayerError(
                f"cannot reshape input {format_shape(x)} ({size} elements per sample) to "
                f"{format_shape(tuple(dims))} ({prod(d for d in dims if d is not None)} elements)",
                hint="the target sizes must multiply to the input's element count",
            )
        return Outcome(shape=tuple(dims), formula="0")
    known = prod(d for d in dims if d is not None and d != -1)
    if known == 0 or size % known:
        raise LayerError(
            f"cannot reshape input {format_shape(x)} ({size} elements per sample) to {format_shape(tuple(dims))}: "
            f"{size} is not divisible by {known}",
            hint="the known target sizes must divide the input's element count",
        )
    return Outcome(shape=tuple(size // known if d == -1 else d for d in dims), formula="0")


@rule("Permute", "dims", min_rank=1)
def permute(args: Args, x: Shape) -> Outcome:
    """Reorders the non-batch axes (dims counts them from 1): no weights."""
    dims = args["dims"]
    if not isinstance(dims, (list, tuple)) or not all(_is_int(d) for d in dims):
        raise LayerError(f"'dims' must be a list of axis numbers, got {dims!r}", hint="e.g. [2, 1]")
    if sorted(dims) != list(range(1, len(dims) + 1)):
        raise LayerError(
            f"'dims' must be a permutation of 1..{len(dims)}, got {list(dims)}",
            hint="axes are counted from 1 (the batch axis is 0 and stays in place)",
        )
    if len(dims) != len(x):
        raise LayerError(
            f"dims {list(dims)} permutes {len(dims)} axes, but the input {format_shape(x)} has {len(x)} "
            "besides the batch",
            hint="give one entry per non-batch axis",
        )
    return Outcome(shape=tuple(x[d - 1] for d in dims), formula="0")


@rule("RepeatVector", "n", min_rank=1, max_rank=1, expects="(features)")
def repeat_vector(args: Args, x: Shape) -> Outcome:
    """Repeats each input vector n times along a new time axis: (features) becomes
    (n, features); no weights.
    """
    n = args.positive_int("n")
    return Outcome(shape=(n, x[0]), formula="0")


def _pairs(args: Args, key: str, rank: int) -> tuple[tuple[int, int], ...]:
    """``cropping`` / ``padding``: an int, ``rank`` ints (symmetric) or ``rank`` pairs.

    For rank 1 Keras reads one int (both sides) or one pair (before, after).
    """
    value = args[key]
    shown = f"'{key}' must be an integer >= 0, {rank} of them, or {rank} pairs; got {value!r}"
    if rank == 1:
        items: list[Value] = [value]
    elif _is_int(value):
        items = [value] * rank
    elif isinstance(value, (list, tuple)) and len(value) == rank:
        items = list(value)
    else:
        raise LayerError(shown)
    out: list[tuple[int, int]] = []
    for item in items:
        if _is_int(item):
            pair = (item, item)
        elif isinstance(item, (list, tuple)) and len(item) == 2 and all(_is_int(v) for v in item):
            pair = (item[0], item[1])
        else:
            raise LayerError(shown)
        if min(pair) < 0:
            raise LayerError(f"'{key}' cannot be negative, got {value!r}")
        out.append(pair)
    return tuple(out)


def _register_cropping(rank: int) -> None:
    default: object = {1: (1, 1), 2: ((0, 0), (0, 0)), 3: ((1, 1), (1, 1), (1, 1))}[rank]
    extra: tuple[tuple[str, object], ...] = () if rank == 1 else (("data_format", None),)

    @rule(
        f"Cropping{rank}D",
        ("cropping", default),
        *extra,
        **spatial_input(rank),
    )
    def cropping(args: Args, x: Shape) -> Outcome:
        """Removes the given number of positions from the start and end of each spatial
        axis: no weights. The crop must leave at least one position.
        """
        crops = _pairs(args, "cropping", rank)
        fmt = data_format(args) if rank > 1 else "channels_last"
        channels, spatial = split_channels(x, fmt)
        out = tuple(None if n is None else n - a - b for n, (a, b) in zip(spatial, crops, strict=True))
        if any(o is not None and o <= 0 for o in out):
            shown = crops[0] if rank == 1 else crops
            raise LayerError(
                f"cropping {shown} leaves nothing of input {format_shape(x)}: the output would have size {out}",
                hint="each axis' crops must add up to less than its length",
            )
        return Outcome(shape=join_channels(channels, out, fmt), formula="0")


def _register_zero_padding(rank: int) -> None:
    default: object = {1: 1, 2: (1, 1), 3: ((1, 1), (1, 1), (1, 1))}[rank]

    @rule(
        f"ZeroPadding{rank}D",
        ("padding", default),
        ("data_format", None),
        **spatial_input(rank),
    )
    def zero_padding(args: Args, x: Shape) -> Outcome:
        """Adds rows of zeros at the start and end of each spatial axis: no weights."""
        pads = _pairs(args, "padding", rank)
        fmt = data_format(args)
        channels, spatial = split_channels(x, fmt)
        out = tuple(None if n is None else n + a + b for n, (a, b) in zip(spatial, pads, strict=True))
        return Outcome(shape=join_channels(channels, out, fmt), formula="0")


def _register_upsampling(rank: int) -> None:
    default: object = 2 if rank == 1 else (2,) * rank
    extra: tuple[Param, ...] = ()
    if rank > 1:
        extra += (("data_format", None),)
    if rank == 2:
        extra += (("interpolation", "nearest", Args.string),)

    @rule(
        f"UpSampling{rank}D",
        ("size", default, Args.positive_int if rank == 1 else ints_of(rank)),
        *extra,
        **spatial_input(rank),
    )
    def upsampling(args: Args, x: Shape) -> Outcome:
        """Repeats (or interpolates) each spatial position size times along its axis,
        multiplying the spatial sizes: no weights.
        """
        if rank == 1:
            sizes: tuple[int, ...] = (args.positive_int("size"),)
        else:
            sizes = args.ints("size", rank)
        fmt = data_format(args) if rank > 1 else "channels_last"
        channels, spatial = split_channels(x, fmt)
        out = tuple(None if n is None else n * s for n, s in zip(spatial, sizes, strict=True))
        return Outcome(shape=join_channels(channels, out, fmt), formula="0")


for _rank in (1, 2, 3):
    _register_cropping(_rank)
    _register_zero_padding(_rank)
    _register_upsampling(_rank)
