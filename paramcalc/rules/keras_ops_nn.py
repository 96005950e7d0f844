"""``keras.ops`` neural-network and image ops: normalisations, attention, pooling, resizing, GLU.

These ops hold no weights (a scale or bias passed in is a tensor of the graph); their
shapes follow ``keras/src/ops/nn.py`` and ``image.py``: ``layer_norm`` keeps its input's
shape, ``max_pool`` applies Keras' pooling arithmetic, ``depth_to_space`` moves channel
blocks into space.  Shared helpers: :mod:`paramcalc.rules.keras_ops`.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.errors import LayerError
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome
from paramcalc.rules.keras_ops import axis_index, family, ints, op, outcome, tensor_shape
from paramcalc.shapes import format_shape


@op("Glu", "x", ("axis", -1))
def glu(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Gated linear unit: the axis is split in two halves (value and gate), so it halves."""
    shape = list(tensor_shape(args, "x", xs))
    axis = axis_index(args["axis"], len(shape))
    size = shape[axis]
    if size is not None:
        if size % 2:
            raise LayerError(f"glu needs an even size on axis {args['axis']}, got {size}")
        shape[axis] = size // 2
    return outcome(tuple(shape))


def normalization(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A normalisation op (layer, RMS or batch norm, the statistics given): the shape of x; the
    op holds no weights (a scale passed in is a tensor of the graph).
    """
    return outcome(tensor_shape(args, "x", xs))


family(
    "LayerNorm",
    normalization,
    "x",
    ("gamma", None),
    ("beta", None),
    ("axis", -1),
    ("epsilon", None),
    ("rms_scaling", False),
)
family("RMSNorm", normalization, "x", ("scale", None), ("axis", -1), ("epsilon", None))
family(
    "BatchNorm", normalization, "x", "mean", "variance", ("offset", None), ("scale", None), "axis", ("epsilon", 0.001)
)


@op(
    "DotProductAttention",
    "query",
    "key",
    "value",
    ("bias", None),
    ("mask", None),
    ("scale", None),
    ("is_causal", False),
    ("flash_attention", None),
    ("attn_logits_soft_cap", None),
)
def dot_product_attention(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Scaled dot-product attention: Keras gives the output the query's shape; no weights."""
    for key in ("key", "value"):
        tensor_shape(args, key, xs)
    return outcome(tensor_shape(args, "query", xs))


def _image_axes(args: Args, rank: int) -> tuple[int, int, int]:
    """(height, width, channels) axes of an image batch for ``data_format`` (channels_last by default)."""
    fmt = args["data_format"] or "channels_last"
    if fmt not in ("channels_last", "channels_first"):
        raise LayerError(f"'data_format' must be channels_last or channels_first, got {fmt!r}")
    return (rank - 3, rank - 2, rank - 1) if fmt == "channels_last" else (rank - 2, rank - 1, rank - 3)


@op(
    "Resize",
    "images",
    "size",
    ("interpolation", "bilinear"),
    ("antialias", False),
    ("crop_to_aspect_ratio", False),
    ("pad_to_aspect_ratio", False),
    ("fill_mode", "constant"),
    ("fill_value", 0.0),
    ("data_format", None),
)
def resize(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Resizes images to ``size`` (height, width); channels and batch are kept; no weights."""
    shape = list(tensor_shape(args, "images", xs))
    if len(shape) not in (3, 4):
        raise LayerError(f"resize needs images of rank 3 or 4, got {format_shape(tuple(shape), True)}")
    size = ints(args["size"], "size")
    if len(size) != 2:
        raise LayerError(f"'size' must be (height, width), got {args['size']!r}")
    h, w, _ = _image_axes(args, len(shape))
    shape[h], shape[w] = size
    return outcome(tuple(shape))


@op("RGBToGrayscale", "images", ("data_format", None))
def rgb_to_grayscale(args: Args, xs: Sequence[Shape]) -> Outcome:
    """One grey channel instead of three; no weights."""
    shape = list(tensor_shape(args, "images", xs))
    if len(shape) not in (3, 4):
        raise LayerError(f"needs images of rank 3 or 4, got {format_shape(tuple(shape), True)}")
    shape[_image_axes(args, len(shape))[2]] = 1
    return outcome(tuple(shape))


def same_image_shape(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A colour-space conversion: the images keep their shape; no weights."""
    return outcome(tensor_shape(args, "images", xs))


family("RGBToHSV HSVToRGB", same_image_shape, "images", ("data_format", None))


def _blocks(args: Args, xs: Sequence[Shape], inward: bool) -> Outcome:
    shape = tensor_shape(args, "x", xs)
    if len(shape) != 4:
        raise LayerError(f"needs a 4-D tensor, got {format_shape(shape, True)}")
    size = args.positive_int("block_size")
    fmt = args["data_format"]
    b, h, w, c = shape if fmt == "channels_last" else (shape[0], shape[2], shape[3], shape[1])
    if inward:  # depth_to_space
        if c is not None and c % (size * size):
            raise LayerError(f"the channels ({c}) must be divisible by block_size**2 ({size * size})")
        c = None if c is None else c // (size * size)
        h, w = (None if h is None else h * size), (None if w is None else w * size)
    else:
        for d in (h, w):
            if d is not None and d % size:
                raise LayerError(f"height and width must be divisible by block_size ({size}), got {d}")
        c = None if c is None else c * size * size
        h, w = (None if h is None else h // size), (None if w is None else w // size)
    return outcome((b, h, w, c) if fmt == "channels_last" else (b, c, h, w))


@op("DepthToSpace", "x", "block_size", ("data_format", "channels_last"))
def depth_to_space(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Moves channel blocks into space: height and width × block_size, channels ÷ block_size²."""
    return _blocks(args, xs, True)


@op("SpaceToDepth", "x", "block_size", ("data_format", "channels_last"))
def space_to_depth(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Moves space into channels: height and width ÷ block_size, channels × block_size²."""
    return _blocks(args, xs, False)


def pooling(args: Args, xs: Sequence[Shape]) -> Outcome:
    """A pooling window over the spatial axes (``compute_pooling_output_shape``): each one
    ``floor((n - p) / s) + 1`` (valid) or ``floor((n - 1) / s) + 1`` (same); no weights.
    """
    from paramcalc.shapes import pool_output_length

    shape = tensor_shape(args, "inputs", xs)
    if len(shape) < 3:
        raise LayerError(f"pooling needs (batch, spatial..., channels), got {format_shape(shape, True)}")
    rank = len(shape) - 2
    fmt = args["data_format"] or "channels_last"
    pool = args.ints("pool_size", rank)
    strides = pool if args["strides"] is None else args.ints("strides", rank)
    padding = args.choice("padding", ["valid", "same"]) or "valid"
    spatial = shape[1:-1] if fmt == "channels_last" else shape[2:]
    out = tuple(pool_output_length(d, p, s, padding) for d, p, s in zip(spatial, pool, strides, strict=True))
    for size in out:
        if size is not None and size <= 0:
            raise LayerError(f"the pooling window leaves no output: {format_shape(shape, True)}, pool_size {pool}")
    if fmt == "channels_last":
        return outcome((shape[0], *out, shape[-1]))
    return outcome((shape[0], shape[1], *out))


family(
    "MaxPool AveragePool",
    pooling,
    "inputs",
    "pool_size",
    ("strides", None),
    ("padding", "valid"),
    ("data_format", None),
)
