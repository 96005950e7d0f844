"""Weightless ``torch.nn`` modules that resample: up-sampling, pixel (un)shuffle, channel
shuffle and (un)folding.

None has parameters; the rules exist so every output shape is what a forward pass gives,
following ``torch/nn/modules/upsampling.py``, ``pixelshuffle.py``, ``channelshuffle.py`` and
``fold.py``.
"""

from __future__ import annotations

from math import floor, prod

from paramcalc.errors import LayerError
from paramcalc.report import Dim
from paramcalc.rules import Args, Outcome
from paramcalc.rules.torch_common import Maybe, check_min_rank, check_rank, nonempty, show, torch_rule
from paramcalc.shapes import conv_length

# --------------------------------------------------------------------------- resampling
_MODE_RANKS = {
    "nearest": (3, 4, 5),
    "nearest-exact": (3, 4, 5),
    "area": (3, 4, 5),
    "linear": (3,),
    "bilinear": (4,),
    "bicubic": (4,),
    "trilinear": (5,),
}


def _resample(name: str, args: Args, x: Maybe, mode: str, align_corners: object) -> Outcome:
    size, scale = args["size"], args["scale_factor"]
    if x is None:  # torch checks the options in F.interpolate, at the first forward pass
        return Outcome(shape=None, formula="0")
    if size is not None and scale is not None:
        raise LayerError("only one of size or scale_factor should be defined")
    if size is None and scale is None:
        raise LayerError("either size or scale_factor should be defined")
    if align_corners is not None and mode not in ("linear", "bilinear", "bicubic", "trilinear"):
        raise LayerError(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    if len(x) not in _MODE_RANKS[mode]:
        ranks = " or ".join(f"{r}-D" for r in _MODE_RANKS[mode])
        raise LayerError(f"{name} with mode '{mode}' expects a {ranks} (N, C, ...) input, got {show(x)}")
    nonempty(x, name)
    dims = len(x) - 2
    spatial_in = x[2:]
    if size is not None:
        items = [size] * dims if isinstance(size, int) and not isinstance(size, bool) else size
        if not isinstance(items, (list, tuple)) or len(items) != dims:
            raise LayerError(f"{name}: size {size!r} must give {dims} sizes for the input {show(x)}")
        if not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in items):
            raise LayerError(f"{name}: size values must be positive integers, got {size!r}")
        spatial: tuple[Dim, ...] = tuple(items)
    else:
        factors = [scale] * dims if isinstance(scale, (int, float)) and not isinstance(scale, bool) else scale
        if not isinstance(factors, (list, tuple)) or len(factors) != dims:
            raise LayerError(f"{name}: scale_factor {scale!r} must give {dims} factors for the input {show(x)}")
        if not all(isinstance(f, (int, float)) and not isinstance(f, bool) and f > 0 for f in factors):
            raise LayerError(f"{name}: scale_factor values must be positive numbers, got {scale!r}")
        spatial = tuple(
            None if s is None else floor(float(s) * float(f)) for s, f in zip(spatial_in, factors, strict=True)
        )
    for before, after in zip(spatial_in, spatial, strict=True):
        # ATen's upsample_*_common_check; 'area' is adaptive average pooling, which may give 0
        if before == 0 or (after == 0 and mode != "area"):
            raise LayerError(
                f"{name}: input and output sizes should be greater than 0, got {show(x)} -> {list(spatial)}",
                hint="use a larger size or scale_factor",
            )
    return Outcome(shape=(*x[:2], *spatial), formula="0")


@torch_rule(
    "Upsample",
    ("size", None),
    ("scale_factor", None),
    ("mode", "nearest"),
    ("align_corners", None),
    ("recompute_scale_factor", None),
    weights=False,
    min_rank=2,
)
def upsample(args: Args, x: Maybe) -> Outcome:
    """Resizes the spatial axes to size, or to floor(L·scale_factor): no parameters."""
    mode = args.choice("mode", tuple(_MODE_RANKS))
    recompute = args["recompute_scale_factor"] is not None and args.flag("recompute_scale_factor")
    if recompute and args["size"] is not None and x is not None:
        raise LayerError("recompute_scale_factor is not meaningful with an explicit size", hint="drop one of them")
    if args["align_corners"] is not None:
        args.flag("align_corners")
    return _resample("Upsample", args, x, mode or "nearest", args["align_corners"])


@torch_rule("UpsamplingNearest2d", ("size", None), ("scale_factor", None), weights=False, min_rank=3)
def upsampling_nearest2d(args: Args, x: Maybe) -> Outcome:
    """Nearest-neighbour up-sampling of (N, C, H, W) inputs: no parameters."""
    return _resample("UpsamplingNearest2d", args, x, "nearest", None)


@torch_rule("UpsamplingBilinear2d", ("size", None), ("scale_factor", None), weights=False, min_rank=3)
def upsampling_bilinear2d(args: Args, x: Maybe) -> Outcome:
    """Bilinear up-sampling (align_corners=True) of (N, C, H, W) inputs: no parameters."""
    return _resample("UpsamplingBilinear2d", args, x, "bilinear", True)


@torch_rule("PixelShuffle", "upscale_factor", weights=False, min_rank=3)
def pixel_shuffle(args: Args, x: Maybe) -> Outcome:
    """Moves channels into space, (*, C·r², H, W) -> (*, C, H·r, W·r): no parameters."""
    r = args.positive_int("upscale_factor")
    if x is None:
        return Outcome(shape=None, formula="0")
    check_min_rank(x, "PixelShuffle", 3, "(*, C·r², H, W)")
    c, h, w = x[-3:]
    if c is not None and c % (r * r):
        raise LayerError(f"PixelShuffle expects its input's channel axis to be divisible by {r * r}, got {show(x)}")
    channels = None if c is None else c // (r * r)
    return Outcome(shape=(*x[:-3], channels, None if h is None else h * r, None if w is None else w * r), formula="0")


@torch_rule("PixelUnshuffle", "downscale_factor", weights=False, min_rank=3)
def pixel_unshuffle(args: Args, x: Maybe) -> Outcome:
    """Moves space into channels, (*, C, H·r, W·r) -> (*, C·r², H, W): no parameters."""
    r = args.positive_int("downscale_factor")
    if x is None:
        return Outcome(shape=None, formula="0")
    check_min_rank(x, "PixelUnshuffle", 3, "(*, C, H·r, W·r)")
    c, h, w = x[-3:]
    for size in (h, w):
        if size is not None and size % r:
            raise LayerError(f"PixelUnshuffle expects height and width divisible by {r}, got {show(x)}")
    return Outcome(
        shape=(*x[:-3], None if c is None else c * r * r, None if h is None else h // r, None if w is None else w // r),
        formula="0",
    )


@torch_rule("ChannelShuffle", "groups", weights=False, min_rank=2)
def channel_shuffle(args: Args, x: Maybe) -> Outcome:
    """Interleaves the channels of its groups: no parameters, output shape = input shape."""
    groups = args.positive_int("groups")
    if x is not None:
        check_min_rank(x, "ChannelShuffle", 3, "(N, C, *)")
        channels = x[1]
        if channels is not None and channels % groups:
            raise LayerError(f"ChannelShuffle: number of channels must be divisible by groups, got {show(x)}")
    return Outcome(shape=x, formula="0")


def _blocks(args: Args) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    return (
        args.ints("kernel_size", 2),
        args.ints("dilation", 2),
        args.ints("padding", 2, minimum=0),
        args.ints("stride", 2),
    )


@torch_rule("Unfold", "kernel_size", ("dilation", 1), ("padding", 0), ("stride", 1), weights=False, min_rank=3)
def unfold(args: Args, x: Maybe) -> Outcome:
    """Extracts sliding blocks, (N, C, H, W) -> (N, C·k_h·k_w, number of blocks): no parameters."""
    kernel, dilation, padding, stride = _blocks(args)
    if x is None:
        return Outcome(shape=None, formula="0")
    check_rank(x, "Unfold", {3: "(C, H, W)", 4: "(N, C, H, W)"})
    nonempty(x, "Unfold")
    lengths = [conv_length(x[-2 + i], kernel[i], stride[i], padding[i], dilation[i]) for i in range(2)]
    if any(n is not None and n < 1 for n in lengths):
        raise LayerError(f"Unfold: the blocks do not fit the input {show(x)}")
    count = None if any(n is None for n in lengths) else prod(n for n in lengths if n is not None)
    c = x[-3]
    return Outcome(shape=(*x[:-3], None if c is None else c * prod(kernel), count), formula="0")


@torch_rule(
    "Fold", "output_size", "kernel_size", ("dilation", 1), ("padding", 0), ("stride", 1), weights=False, min_rank=2
)
def fold(args: Args, x: Maybe) -> Outcome:
    """Sums sliding blocks back into an image, (N, C·k_h·k_w, L) -> (N, C, *output_size): no
    parameters.
    """
    size = args.ints("output_size", 2)
    kernel, dilation, padding, stride = _blocks(args)
    if x is None:
        return Outcome(shape=None, formula="0")
    check_rank(x, "Fold", {2: "(C·k_h·k_w, L)", 3: "(N, C·k_h·k_w, L)"})
    block, count = x[-2], x[-1]
    per = prod(kernel)
    if block is not None and block % per:
        raise LayerError(f"Fold expects its axis {len(x) - 2} to be divisible by the kernel size {per}, got {show(x)}")
    expected = prod(conv_length(size[i], kernel[i], stride[i], padding[i], dilation[i]) or 0 for i in range(2))
    if count is not None and count != expected:
        raise LayerError(f"Fold: the input has {count} blocks but output_size {list(size)} needs {expected}")
    return Outcome(shape=(*x[:-2], None if block is None else block // per, *size), formula="0")
