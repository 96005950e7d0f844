"""Keras convolution layers: Conv, ConvTranspose, SeparableConv and DepthwiseConv, 1-3 D.

One factory per family builds the rule for each rank, as Keras' ``BaseConv(rank)``,
``BaseConvTranspose(rank)``, ``BaseSeparableConv(rank)`` and ``BaseDepthwiseConv(rank)``
do (``keras/src/layers/convolutional``).  Weight shapes follow their ``build``:

- Conv: ``kernel`` = kernel_size + (channels // groups, filters), ``bias`` = (filters,)
- ConvTranspose: ``kernel`` = kernel_size + (filters, channels): output before input
- SeparableConv: ``depthwise_kernel`` = kernel_size + (channels, depth_multiplier),
  ``pointwise_kernel`` = (1,)*rank + (depth_multiplier·channels, filters), ``bias``
- DepthwiseConv: ``kernel`` (Keras 3 calls it kernel, not depthwise_kernel) =
  kernel_size + (channels, depth_multiplier), ``bias`` = (depth_multiplier·channels,)

Output lengths come from :mod:`paramcalc.shapes` (Keras' ``compute_conv_output_shape``
and the transposed-convolution length).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.rules.core import KERNEL_BIAS_OPTIONS, check_activation, factor, lora_rank, with_lora
from paramcalc.shapes import (
    conv_output_length,
    conv_transpose_output_length,
    format_shape,
    join_channels,
    known_axis,
    split_channels,
)

DATA_FORMATS = (None, "channels_last", "channels_first")

KERNEL_SYMBOLS = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}
"""Symbols of the kernel window axes, per rank."""

KERNEL_LEGEND = {
    "k": "kernel length, kernel_size",
    "k_d": "kernel depth, kernel_size[0]",
    "k_h": "kernel height, kernel_size[-2]",
    "k_w": "kernel width, kernel_size[-1]",
    "c": "input channels",
    "f": "filters, the output channels",
    "g": "groups",
    "d": "depth_multiplier, output channels per input channel",
}

INPUT_AXES = {1: "(steps, channels)", 2: "(rows, cols, channels)", 3: "(dim1, dim2, dim3, channels)"}
"""How the rank checks describe a channels_last input."""


def spatial_input(rank: int) -> dict[str, Any]:
    """The input check of a layer over ``rank`` spatial axes and channels: ``@rule(..., **spatial_input(2))``."""
    return {"min_rank": rank + 1, "max_rank": rank + 1, "expects": INPUT_AXES[rank]}


def unit(rank: int, value: int = 1) -> object:
    """A Keras default such as ``strides=(1, 1)`` (an int for rank 1, as Keras writes it)."""
    return value if rank == 1 else (value,) * rank


def data_format(args: Args) -> str:
    """``data_format``, with Keras' default (``channels_last``) for None."""
    return args.choice("data_format", DATA_FORMATS) or "channels_last"


@dataclass(frozen=True)
class Window:
    """A sliding window's arguments, validated as Keras validates them."""

    size: tuple[int, ...]
    strides: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: str
    data_format: str

    @property
    def rank(self) -> int:
        """Number of spatial axes."""
        return len(self.size)


def window(
    args: Args,
    rank: int,
    *,
    causal: bool = False,
    size_key: str = "kernel_size",
    stride_dilation_check: bool = True,
) -> Window:
    """Read kernel_size/strides/padding/dilation_rate/data_format (``standardize_tuple`` etc.).

    ``causal`` padding is accepted only where Keras accepts it (Conv1D); Keras also refuses
    strides > 1 together with dilation_rate > 1 for Conv, ConvTranspose and ConvLSTM.
    """
    size = args.ints(size_key, rank)
    strides = args.ints("strides", rank)
    dilation = args.ints("dilation_rate", rank)
    options: tuple[str, ...] = ("valid", "same", "causal") if causal else ("valid", "same")
    padding = str(args.choice("padding", options))
    if stride_dilation_check and max(strides) > 1 and max(dilation) > 1:
        raise LayerError(
            f"strides > 1 cannot be combined with dilation_rate > 1, got strides={strides}, dilation_rate={dilation}",
            hint="Keras supports one or the other",
        )
    return Window(size, strides, dilation, padding, data_format(args))


def channels_of(x: Shape, fmt: str) -> tuple[int, Shape]:
    """Input channels (must be known: they size the kernel) and the spatial axes."""
    _, spatial = split_channels(x, fmt)
    axis = 0 if fmt == "channels_first" else len(x) - 1
    return known_axis(x, axis, "channel axis"), spatial


def conv_spatial(win: Window, x: Shape, spatial: Shape) -> Shape:
    """Output spatial shape of a convolution; an error when the kernel does not fit ('valid')."""
    out = tuple(
        conv_output_length(n, k, s, win.padding, d)
        for n, k, s, d in zip(spatial, win.size, win.strides, win.dilation, strict=True)
    )
    if any(o is not None and o <= 0 for o in out):
        span = tuple((k - 1) * d + 1 for k, d in zip(win.size, win.dilation, strict=True))
        dilated = f" (dilated to {span})" if span != win.size else ""
        raise LayerError(
            f"kernel {win.size}{dilated} is larger than the input {format_shape(x)} with padding 'valid': "
            f"the output would have size {out}",
            hint="use padding='same', a smaller kernel_size or dilation_rate, or a larger input",
        )
    return out


def _kernel_product(rank: int) -> str:
    return "*".join(KERNEL_SYMBOLS[rank])


def _window_symbols(win: Window) -> dict[str, int]:
    return dict(zip(KERNEL_SYMBOLS[win.rank], win.size, strict=True))


def _conv_options(rank: int, *, groups: bool) -> tuple[tuple[str, object], ...]:
    head: tuple[tuple[str, object], ...] = (
        ("strides", unit(rank)),
        ("padding", "valid"),
        ("data_format", None),
        ("dilation_rate", unit(rank)),
    )
    if groups:
        head += (("groups", 1),)
    return head


_WEIGHT_TAIL: tuple[tuple[str, object], ...] = (("activation", None), ("use_bias", True), *KERNEL_BIAS_OPTIONS)


def _with_bias(args: Args, terms: list[Term], body: str, filters: int) -> str:
    """Append the per-filter bias when ``use_bias``; the closed form ``(body + 1)·f`` or ``body·f``."""
    if not args.flag("use_bias"):
        return f"{body}*f"
    terms.append(Term("b", "bias", (filters,), ("f",)))
    return f"({body}+1)*f"


def _register_conv(rank: int) -> None:
    """Conv{rank}D: Keras' BaseConv(rank)."""

    @rule(
        f"Conv{rank}D",
        "filters",
        "kernel_size",
        *_conv_options(rank, groups=True),
        *_WEIGHT_TAIL,
        ("lora_rank", None),
        ("lora_alpha", None),
        aliases=(f"Convolution{rank}D",),
        legend={**KERNEL_LEGEND, "r": "LoRA rank, lora_rank (the kernel is frozen, A and B are trained)"},
        **spatial_input(rank),
    )
    def conv(args: Args, x: Shape) -> Outcome:
        """Each of the f filters is a kernel window spanning all c input channels, plus a
        bias: (k·c + 1)·f, where k is the product of the window's sides. With groups=g the
        channels are split into g groups and each filter sees only c/g of them:
        (k·c/g + 1)·f. Stride, padding and dilation change the output size, never the count.
        """
        filters = args.positive_int("filters")
        groups = args.positive_int("groups")
        check_activation(args)
        win = window(args, rank, causal=rank == 1)
        if filters % groups:
            raise LayerError(
                f"filters={filters} is not divisible by groups={groups}",
                hint="each group gets filters/groups filters",
            )
        channels, spatial = channels_of(x, win.data_format)
        if channels % groups:
            raise LayerError(
                f"the input {format_shape(x)} has {channels} channels, not divisible by groups={groups}",
                hint="each group reads channels/groups input channels",
            )
        out = conv_spatial(win, x, spatial)
        ks = KERNEL_SYMBOLS[rank]
        grouped = groups > 1
        c_dim = "c//g" if grouped else "c"
        terms = [Term("W", "kernel", (*win.size, channels // groups, filters), (*ks, c_dim, "f"))]
        formula = _with_bias(args, terms, f"{_kernel_product(rank)}*{factor(c_dim)}", filters)
        symbols = {**_window_symbols(win), "c": channels, "f": filters}
        if grouped:
            symbols["g"] = groups
        lora = lora_rank(args)
        terms, extra = with_lora(terms, lora)
        if lora:
            symbols["r"] = lora
        return Outcome(
            shape=join_channels(filters, out, win.data_format), terms=terms, formula=formula + extra, symbols=symbols
        )


def _register_conv_transpose(rank: int) -> None:
    """Conv{rank}DTranspose: Keras' BaseConvTranspose(rank)."""
    # Keras' Conv3DTranspose takes data_format before output_padding; 1D and 2D the other way round.
    middle: tuple[tuple[str, object], ...] = (
        (("data_format", None), ("output_padding", None))
        if rank == 3
        else (("output_padding", None), ("data_format", None))
    )

    @rule(
        f"Conv{rank}DTranspose",
        "filters",
        "kernel_size",
        ("strides", unit(rank)),
        ("padding", "valid"),
        *middle,
        ("dilation_rate", unit(rank)),
        *_WEIGHT_TAIL,
        aliases=(f"Convolution{rank}DTranspose",),
        legend=KERNEL_LEGEND,
        **spatial_input(rank),
    )
    def conv_transpose(args: Args, x: Shape) -> Outcome:
        """The transpose (gradient) of a convolution: each input position spreads a
        kernel window over the output. The kernel links c input and f output channels
        over a window of k positions, as a Conv would, so (k·c + 1)·f; Keras stores it
        as kernel_size + (f, c), output channels first. The output grows: (n-1)·s + k
        with padding 'valid', n·s with 'same', adjusted by output_padding.
        """
        filters = args.positive_int("filters")
        check_activation(args)
        win = window(args, rank)
        output_padding: tuple[int, ...] | None = None
        if args["output_padding"] is not None:
            output_padding = args.ints("output_padding", rank, minimum=0)
            for axis, (pad, stride) in enumerate(zip(output_padding, win.strides, strict=True)):
                if pad >= stride:
                    raise LayerError(
                        f"output_padding must be smaller than strides on every axis; axis {axis} has "
                        f"output_padding {pad} and strides {stride}",
                        hint="output_padding picks one of the `strides` possible output sizes",
                    )
        channels, spatial = channels_of(x, win.data_format)
        out = tuple(
            conv_transpose_output_length(n, k, s, win.padding, None if output_padding is None else p, d)
            for n, k, s, d, p in zip(
                spatial, win.size, win.strides, win.dilation, output_padding or (0,) * rank, strict=True
            )
        )
        ks = KERNEL_SYMBOLS[rank]
        terms = [Term("W", "kernel", (*win.size, filters, channels), (*ks, "f", "c"))]
        formula = _with_bias(args, terms, f"{_kernel_product(rank)}*c", filters)
        symbols = {**_window_symbols(win), "c": channels, "f": filters}
        return Outcome(
            shape=join_channels(filters, out, win.data_format), terms=terms, formula=formula, symbols=symbols
        )


_SEPARABLE_TAIL: tuple[tuple[str, object], ...] = (
    ("activation", None),
    ("use_bias", True),
    ("depthwise_initializer", "glorot_uniform"),
    ("pointwise_initializer", "glorot_uniform"),
    ("bias_initializer", "zeros"),
    ("depthwise_regularizer", None),
    ("pointwise_regularizer", None),
    ("bias_regularizer", None),
    ("activity_regularizer", None),
    ("depthwise_constraint", None),
    ("pointwise_constraint", None),
    ("bias_constraint", None),
)


def _register_separable(rank: int) -> None:
    """SeparableConv{rank}D: Keras' BaseSeparableConv(rank)."""

    @rule(
        f"SeparableConv{rank}D",
        "filters",
        "kernel_size",
        ("strides", unit(rank)),
        ("padding", "valid"),
        ("data_format", None),
        ("dilation_rate", unit(rank)),
        ("depth_multiplier", 1),
        *_SEPARABLE_TAIL,
        aliases=(f"SeparableConvolution{rank}D",),
        legend=KERNEL_LEGEND,
        **spatial_input(rank),
    )
    def separable_conv(args: Args, x: Shape) -> Outcome:
        """A depthwise step then a pointwise step. Depthwise: each of the c input channels
        gets its own d kernel windows of k positions (k·c·d). Pointwise: a 1×1 convolution
        mixes the d·c results into f filters (d·c·f), plus one bias per filter. Total
        k·c·d + d·c·f + f, far fewer than a full convolution's k·c·f.
        """
        filters = args.positive_int("filters")
        multiplier = args.positive_int("depth_multiplier")
        check_activation(args)
        win = window(args, rank, stride_dilation_check=False)
        channels, spatial = channels_of(x, win.data_format)
        out = conv_spatial(win, x, spatial)
        ks = KERNEL_SYMBOLS[rank]
        terms = [
            Term("W_d", "depthwise_kernel", (*win.size, channels, multiplier), (*ks, "c", "d")),
            Term(
                "W_p", "pointwise_kernel", (*(1,) * rank, multiplier * channels, filters), (*("1",) * rank, "d*c", "f")
            ),
        ]
        formula = f"{_kernel_product(rank)}*c*d+d*c*f"
        if args.flag("use_bias"):
            terms.append(Term("b", "bias", (filters,), ("f",)))
            formula += "+f"
        symbols = {**_window_symbols(win), "c": channels, "d": multiplier, "f": filters}
        return Outcome(
            shape=join_channels(filters, out, win.data_format), terms=terms, formula=formula, symbols=symbols
        )


def _register_depthwise(rank: int) -> None:
    """DepthwiseConv{rank}D: Keras' BaseDepthwiseConv(rank)."""

    @rule(
        f"DepthwiseConv{rank}D",
        "kernel_size",
        ("strides", unit(rank)),
        ("padding", "valid"),
        ("depth_multiplier", 1),
        ("data_format", None),
        ("dilation_rate", unit(rank)),
        ("activation", None),
        ("use_bias", True),
        ("depthwise_initializer", "glorot_uniform"),
        ("bias_initializer", "zeros"),
        ("depthwise_regularizer", None),
        ("bias_regularizer", None),
        ("activity_regularizer", None),
        ("depthwise_constraint", None),
        ("bias_constraint", None),
        legend=KERNEL_LEGEND,
        **spatial_input(rank),
    )
    def depthwise_conv(args: Args, x: Shape) -> Outcome:
        """Each of the c input channels is convolved on its own with d kernel windows of
        k positions (no mixing across channels), giving d·c output channels, each with a
        bias: (k + 1)·c·d. Keras 3 names this weight 'kernel' (Keras 2 called it
        depthwise_kernel).
        """
        multiplier = args.positive_int("depth_multiplier")
        check_activation(args)
        win = window(args, rank, stride_dilation_check=False)
        channels, spatial = channels_of(x, win.data_format)
        out = conv_spatial(win, x, spatial)
        ks = KERNEL_SYMBOLS[rank]
        terms = [Term("W", "kernel", (*win.size, channels, multiplier), (*ks, "c", "d"))]
        if args.flag("use_bias"):
            terms.append(Term("b", "bias", (multiplier * channels,), ("d*c",)))
            formula = f"({_kernel_product(rank)}+1)*c*d"
        else:
            formula = f"{_kernel_product(rank)}*c*d"
        symbols = {**_window_symbols(win), "c": channels, "d": multiplier}
        return Outcome(
            shape=join_channels(multiplier * channels, out, win.data_format),
            terms=terms,
            formula=formula,
            symbols=symbols,
        )


_FACTORIES: tuple[tuple[Callable[[int], None], tuple[int, ...]], ...] = (
    (_register_conv, (1, 2, 3)),
    (_register_conv_transpose, (1, 2, 3)),
    (_register_separable, (1, 2)),
    (_register_depthwise, (1, 2)),
)
for _factory, _ranks in _FACTORIES:
    for _rank in _ranks:
        _factory(_rank)
