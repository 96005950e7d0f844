"""``torch.nn`` convolutions: Conv1d/2d/3d, ConvTranspose1d/2d/3d and their lazy variants.

Follows ``torch/nn/modules/conv.py`` (``_ConvNd.__init__``): the weight is
``(out_channels, in_channels // groups, *kernel_size)`` -- transposed convolutions swap the
channel axes: ``(in_channels, out_channels // groups, *kernel_size)`` -- plus a bias of
``out_channels``.  One factory builds every rank, as torch's ``_ConvNd`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.report import Dim, Shape, Term
from paramcalc.rules import Args, Outcome
from paramcalc.rules.torch_common import Maybe, check_axis, check_rank, known, need_input, nonempty, show, torch_rule
from paramcalc.shapes import transposed_length

_KERNEL_SYMBOLS = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
_MODES = ("zeros", "reflect", "replicate", "circular")


def _legend(rank: int) -> dict[str, str]:
    legend = {"C_in": "in_channels, axis 1 of the input", "C_out": "out_channels", "g": "groups"}
    for axis, symbol in zip(_SPATIAL[rank].split(", "), _KERNEL_SYMBOLS[rank], strict=True):
        legend[symbol] = f"kernel size along {axis}"
    return legend


def _forms(rank: int) -> dict[int, str]:
    return {rank + 1: f"(C, {_SPATIAL[rank]}) unbatched", rank + 2: f"(N, C, {_SPATIAL[rank]})"}


def _weights(
    rank: int, c_in: int, c_out: int, kernel: tuple[int, ...], groups: int, bias: bool, transposed: bool
) -> tuple[list[Term], str, dict[str, int]]:
    """The weight and bias terms, the closed form and its symbols."""
    ks = _KERNEL_SYMBOLS[rank]
    symbols = {"C_in": c_in, "C_out": c_out}
    if groups > 1:
        symbols["g"] = groups
    symbols.update(zip(ks, kernel, strict=True))
    kernel_product = "*".join(ks)
    if transposed:
        grouped, shape = ("C_out//g" if groups > 1 else "C_out"), (c_in, c_out // groups, *kernel)
        dims = ("C_in", grouped, *ks)
        formula = f"C_in*C_out*{kernel_product}{_per_group(groups)}"
    else:
        grouped, shape = ("C_in//g" if groups > 1 else "C_in"), (c_out, c_in // groups, *kernel)
        dims = ("C_out", grouped, *ks)
        formula = f"C_out*C_in*{kernel_product}{_per_group(groups)}"
    terms = [Term("W", "weight", shape, dims)]
    if bias:
        terms.append(Term("b", "bias", (c_out,), ("C_out",)))
        formula += "+C_out"
    return terms, formula, symbols


def _per_group(groups: int) -> str:
    """Each output channel sees only its group's inputs: the product is divided by g (exactly)."""
    return "//g" if groups > 1 else ""


def _channels(name: str, rank: int, args: Args, x: Maybe, lazy: bool, c_out: int) -> tuple[Maybe, int, int]:
    """in_channels (an argument, or read from the input's channel axis by a lazy module) and groups."""
    if lazy:
        x = need_input(x, name, "in_channels")
        check_rank(x, name, _forms(rank))
        c_in = known(x, -rank - 1, name, "in_channels")
    else:
        c_in = args.positive_int("in_channels")
    return x, c_in, _groups(args, c_in, c_out)


def _groups(args: Args, c_in: int | None, c_out: int) -> int:
    groups = args.positive_int("groups")
    if c_in is not None and c_in % groups:
        raise LayerError(f"in_channels must be divisible by groups (got in_channels={c_in}, groups={groups})")
    if c_out % groups:
        raise LayerError(f"out_channels must be divisible by groups (got out_channels={c_out}, groups={groups})")
    return groups


def _padding(args: Args, rank: int, stride: tuple[int, ...]) -> tuple[int, ...] | str:
    value = args["padding"]
    if isinstance(value, str):
        choice = args.choice("padding", ("same", "valid"))
        if choice == "same" and any(s != 1 for s in stride):
            raise LayerError("padding='same' is not supported for strided convolutions", hint="use stride=1")
        return "valid" if choice is None else choice
    return args.ints("padding", rank, minimum=0)


def _conv_spatial(
    name: str,
    x: Shape,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...] | str,
    dilation: tuple[int, ...],
    mode: str,
) -> tuple[Dim, ...]:
    """Output lengths of a convolution along each spatial axis (torch's Conv*d shape docs)."""
    rank = len(kernel)
    out: list[Dim] = []
    for axis in range(rank):
        size = x[len(x) - rank + axis]
        k, s, d = kernel[axis], stride[axis], dilation[axis]
        if padding == "same":
            total = d * (k - 1)
            left, right = total // 2, total - total // 2
        elif isinstance(padding, tuple):
            left = right = padding[axis]
        else:
            left = right = 0
        if size is not None and mode == "reflect" and max(left, right) >= size:
            raise LayerError(
                f"{name}: reflect padding {max(left, right)} must be smaller than the input size {size} ({show(x)})"
            )
        if size is not None and mode == "circular" and max(left, right) > size:
            raise LayerError(f"{name}: circular padding {max(left, right)} is larger than the input size {size}")
        length = None if size is None else (size + left + right - d * (k - 1) - 1) // s + 1
        if size is not None and length is not None and length < 1:
            raise LayerError(
                f"{name}: the kernel ({d * (k - 1) + 1} with dilation) is larger than the padded input"
                f" ({size + left + right}) on spatial axis {axis} of {show(x)}",
                hint="use a smaller kernel, more padding, or a bigger input",
            )
        out.append(length)
    return tuple(out)


def _conv(name: str, rank: int, args: Args, x: Maybe, lazy: bool) -> Outcome:
    """Shared body of Conv{1,2,3}d and LazyConv{1,2,3}d."""
    c_out = args.positive_int("out_channels")
    kernel = args.ints("kernel_size", rank)
    stride = args.ints("stride", rank)
    padding = _padding(args, rank, stride)
    dilation = args.ints("dilation", rank)
    mode = args.choice("padding_mode", _MODES) or "zeros"
    bias = args.flag("bias")
    x, c_in, groups = _channels(name, rank, args, x, lazy, c_out)
    terms, formula, symbols = _weights(rank, c_in, c_out, kernel, groups, bias, transposed=False)
    if x is None:
        return Outcome(shape=None, terms=terms, formula=formula, symbols=symbols)
    check_rank(x, name, _forms(rank))
    check_axis(x, -rank - 1, c_in, name, "in_channels")
    nonempty(x, name)
    spatial = _conv_spatial(name, x, kernel, stride, padding, dilation, mode)
    return Outcome(shape=(*x[: -rank - 1], c_out, *spatial), terms=terms, formula=formula, symbols=symbols)


def _transposed(name: str, rank: int, args: Args, x: Maybe, lazy: bool) -> Outcome:
    """Shared body of ConvTranspose{1,2,3}d and their lazy variants."""
    c_out = args.positive_int("out_channels")
    kernel = args.ints("kernel_size", rank)
    stride = args.ints("stride", rank)
    padding = args.ints("padding", rank, minimum=0)
    output_padding = args.ints("output_padding", rank, minimum=0)
    dilation = args.ints("dilation", rank)
    if args.choice("padding_mode", _MODES) != "zeros":
        raise LayerError(f'Only "zeros" padding mode is supported for {name.removeprefix("Lazy")}')
    bias = args.flag("bias")
    x, c_in, groups = _channels(name, rank, args, x, lazy, c_out)
    terms, formula, symbols = _weights(rank, c_in, c_out, kernel, groups, bias, transposed=True)
    if x is None:
        return Outcome(shape=None, terms=terms, formula=formula, symbols=symbols)
    check_rank(x, name, _forms(rank))
    check_axis(x, -rank - 1, c_in, name, "in_channels")
    nonempty(x, name)
    spatial: list[Dim] = []
    for axis in range(rank):
        if output_padding[axis] >= max(stride[axis], dilation[axis]):
            raise LayerError(
                f"{name}: output padding must be smaller than either stride or dilation"
                f" (got output_padding={output_padding[axis]}, stride={stride[axis]}, dilation={dilation[axis]})"
            )
        size = x[len(x) - rank + axis]
        length = transposed_length(
            size, kernel[axis], stride[axis], padding[axis], output_padding[axis], dilation[axis]
        )
        # ATen (oneDNN) gives an empty axis to a batched input; the unbatched path refuses it
        if length is not None and length < (0 if len(x) == rank + 2 else 1):
            raise LayerError(f"{name}: padding {padding[axis]} leaves no output on spatial axis {axis} of {show(x)}")
        spatial.append(length)
    return Outcome(shape=(*x[: -rank - 1], c_out, *spatial), terms=terms, formula=formula, symbols=symbols)


_CONV_WHY = """A kernel of k_1·…·k_r weights for each pair of (output channel, input channel in its
group), plus one bias per output channel: C_out·(C_in/g)·∏k + C_out. Stride, padding
(int, tuple, 'same' or 'valid'), padding_mode and dilation change the output length,
floor((L + 2p - d·(k-1) - 1)/s) + 1, never the count."""
_TRANSPOSED_WHY = """The gradient of a convolution: torch stores its weight with the channel axes
swapped, (C_in, C_out/g, *k), so C_in·(C_out/g)·∏k + C_out. The output grows:
(L-1)·s - 2p + d·(k-1) + output_padding + 1."""


def _register(rank: int) -> None:
    conv_params = (
        ("stride", 1),
        ("padding", 0),
        ("dilation", 1),
        ("groups", 1),
        ("bias", True),
        ("padding_mode", "zeros"),
    )
    transposed_params = (
        ("stride", 1),
        ("padding", 0),
        ("output_padding", 0),
        ("groups", 1),
        ("bias", True),
        ("dilation", 1),
        ("padding_mode", "zeros"),
    )
    common: dict[str, Any] = {"legend": _legend(rank), "min_rank": rank + 1}
    with_input: dict[str, Any] = {**common, "from_input": {"in_channels": 0}}

    for name, lazy, transposed in (
        (f"Conv{rank}d", False, False),
        (f"LazyConv{rank}d", True, False),
        (f"ConvTranspose{rank}d", False, True),
        (f"LazyConvTranspose{rank}d", True, True),
    ):
        params = transposed_params if transposed else conv_params
        head = ("out_channels", "kernel_size") if lazy else ("in_channels", "out_channels", "kernel_size")
        options = common if lazy else with_input
        torch_rule(name, *head, *params, **options)(_make(name, rank, lazy, transposed))


def _make(name: str, rank: int, lazy: bool, transposed: bool) -> Callable[[Args, Maybe], Outcome]:
    body = _transposed if transposed else _conv

    def fn(args: Args, x: Maybe) -> Outcome:
        return body(name, rank, args, x, lazy)

    why = _TRANSPOSED_WHY if transposed else _CONV_WHY
    fn.__doc__ = why + (" Lazy: in_channels is read from the first input." if lazy else "")
    return fn


for _rank in (1, 2, 3):
    _register(_rank)
