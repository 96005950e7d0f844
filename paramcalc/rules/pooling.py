"""Keras pooling layers: Max/Average pooling, global pooling and adaptive pooling, 1-3 D.

Pooling has no weights: every rule here is about the output shape, which follows
``keras/src/layers/pooling`` (``compute_pooling_output_shape`` for windows, and the
global and adaptive layers' own ``compute_output_shape``).
"""

from __future__ import annotations

from collections.abc import Callable

from paramcalc.errors import LayerError
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome, rule
from paramcalc.rules.convolutional import data_format, spatial_input, unit
from paramcalc.shapes import format_shape, join_channels, pool_output_length, split_channels

_SHORT = {"Max": "Max", "Average": "Avg"}
_STAT = {"Max": "maximum", "Average": "mean"}


def _name_stat(fn: Callable[..., Outcome], kind: str) -> None:
    """Say which statistic the rule's docstring (shown by ``explain``) is about."""
    fn.__doc__ = (fn.__doc__ or "").replace("{stat}", _STAT[kind])


def _register_pooling(kind: str, rank: int) -> None:
    """MaxPooling{rank}D / AveragePooling{rank}D (alias MaxPool{rank}D / AvgPool{rank}D)."""
    # Keras gives MaxPooling a default window of 2 per axis; AveragePooling's pool_size is required.
    size: tuple[str, object] | str = ("pool_size", unit(rank, 2)) if kind == "Max" else "pool_size"

    @rule(
        f"{kind}Pooling{rank}D",
        size,
        ("strides", None),
        ("padding", "valid"),
        ("data_format", None),
        ("name", None),
        aliases=(f"{_SHORT[kind]}Pool{rank}D",),
        **spatial_input(rank),
    )
    def pooling(args: Args, x: Shape) -> Outcome:
        """Slides a window over the spatial axes and keeps its {stat} per channel: no
        weights. Each spatial axis shrinks to floor((n - p)/s) + 1 with
        padding 'valid', floor((n - 1)/s) + 1 with 'same'; strides default to the window.
        """
        pool = args.ints("pool_size", rank)
        strides = pool if args["strides"] is None else args.ints("strides", rank)
        padding = args["padding"]
        if padding not in ("valid", "same"):  # Keras compares exactly, without lowercasing
            raise LayerError(f"'padding' must be 'valid' or 'same', got {padding!r}")
        fmt = data_format(args)
        channels, spatial = split_channels(x, fmt)
        out = tuple(pool_output_length(n, p, s, padding) for n, p, s in zip(spatial, pool, strides, strict=True))
        if any(o is not None and o <= 0 for o in out):
            raise LayerError(
                f"pool_size {pool} is larger than the input {format_shape(x)} with padding 'valid': "
                f"the output would have size {out}",
                hint="use padding='same', a smaller pool_size, or a larger input",
            )
        return Outcome(shape=join_channels(channels, out, fmt), formula="0")

    _name_stat(pooling, kind)


def _register_global(kind: str, rank: int) -> None:
    """GlobalMaxPooling{rank}D / GlobalAveragePooling{rank}D (alias Global{Max,Avg}Pool{rank}D)."""

    @rule(
        f"Global{kind}Pooling{rank}D",
        ("data_format", None),
        ("keepdims", False),
        aliases=(f"Global{_SHORT[kind]}Pool{rank}D",),
        mask_arg=kind == "Average" and rank == 1,  # its call() takes the mask (it returns none)
        **spatial_input(rank),
    )
    def global_pooling(args: Args, x: Shape) -> Outcome:
        """Reduces every spatial axis to one value per channel, their {stat}: no weights;
        the output is (channels,), or keeps the axes as size 1 with keepdims.
        """
        fmt = data_format(args)
        channels, spatial = split_channels(x, fmt)
        kept: Shape = (1,) * len(spatial) if args.flag("keepdims") else ()
        return Outcome(shape=join_channels(channels, kept, fmt), formula="0")

    _name_stat(global_pooling, kind)


def _register_adaptive(kind: str, rank: int) -> None:
    """AdaptiveMaxPooling{rank}D / AdaptiveAveragePooling{rank}D."""

    @rule(
        f"Adaptive{kind}Pooling{rank}D",
        "output_size",
        ("data_format", None),
        **spatial_input(rank),
    )
    def adaptive_pooling(args: Args, x: Shape) -> Outcome:
        """Splits each spatial axis into output_size windows, whatever the input size, and
        keeps each window's {stat} (PyTorch's adaptive pooling): no weights.
        """
        size = args.ints("output_size", rank)
        fmt = data_format(args)
        channels, _ = split_channels(x, fmt)
        return Outcome(shape=join_channels(channels, size, fmt), formula="0")

    _name_stat(adaptive_pooling, kind)


for _rank in (1, 2, 3):
    for _kind in ("Max", "Average"):
        _register_pooling(_kind, _rank)
        _register_global(_kind, _rank)
        _register_adaptive(_kind, _rank)
