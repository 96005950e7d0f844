"""Keras 3 image preprocessing and augmentation layers, and ``Pipeline`` (3.15).

Why a module of its own: these layers have no weights, but models that people actually
write start with them (``RandomFlip``, ``Resizing``, ``CenterCrop``), and a spec that cannot
name them cannot be counted at all.  What matters is their output shape, computed as each
layer's ``compute_output_shape`` computes it, on the shape *with* the batch axis:

- augmentation layers (``Random*``, ``AugMix``, ``RandAugment``, ``MixUp``, ``CutMix``,
  ``AutoContrast``, ``Equalization``, ``Solarization``, ...) keep the shape and have no
  weights (their random state is a ``SeedGenerator``, not a layer weight);
  ``MaxNumBoundingBoxes`` changes only bounding boxes, so an image keeps its shape too;
- ``Resizing``, ``CenterCrop`` and ``RandomCrop`` set the height and width.

The encoders are in :mod:`paramcalc.rules.preprocessing_encoders`, the audio layers in
:mod:`paramcalc.rules.preprocessing_audio`, ``Normalization`` and ``Rescaling`` in
:mod:`paramcalc.rules.normalization`.
"""

from __future__ import annotations

from dataclasses import replace

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import REQUIRED, Args, Outcome, rule, run_inner
from paramcalc.rules.binding import at_least
from paramcalc.spec.records import Value

VALUE_RANGE = ("value_range", (0, 255))
IMAGE_KWARGS = (("bounding_box_format", None),)
"""Keywords every image preprocessing layer takes through ``**kwargs`` (and ``data_format``)."""

IDENTITY_LAYERS: dict[str, tuple[tuple[str, Value] | str, ...]] = {
    "AugMix": (
        VALUE_RANGE,
        ("num_chains", 3),
        ("chain_depth", 3),
        ("factor", 0.3),
        ("alpha", 1.0),
        ("all_ops", True),
        ("interpolation", "bilinear"),
        ("seed", None),
        ("data_format", None),
    ),
    "AutoContrast": (VALUE_RANGE,),
    "ContrastLimitedAdaptiveHistogramEqualization": (
        VALUE_RANGE,
        ("clip_limit", 4.0),
        ("tile_grid_size", (8, 8)),
        ("data_format", None),
    ),
    "CutMix": (("factor", 1.0), ("seed", None), ("data_format", None)),
    "Equalization": (VALUE_RANGE, ("bins", 256), ("data_format", None)),
    "MixUp": (("alpha", 0.2), ("data_format", None), ("seed", None)),
    "RandAugment": (
        VALUE_RANGE,
        ("num_ops", 2),
        ("factor", 0.5),
        ("interpolation", "bilinear"),
        ("seed", None),
        ("data_format", None),
    ),
    "RandomBrightness": ("factor", VALUE_RANGE, ("seed", None)),
    "RandomColorDegeneration": ("factor", VALUE_RANGE, ("data_format", None), ("seed", None)),
    "RandomColorJitter": (
        VALUE_RANGE,
        ("brightness_factor", None),
        ("contrast_factor", None),
        ("saturation_factor", None),
        ("hue_factor", None),
        ("seed", None),
        ("data_format", None),
    ),
    "RandomContrast": ("factor", VALUE_RANGE, ("seed", None)),
    "RandomElasticTransform": (
        ("factor", 1.0),
        ("scale", 1.0),
        ("interpolation", "bilinear"),
        ("fill_mode", "reflect"),
        ("fill_value", 0.0),
        VALUE_RANGE,
        ("seed", None),
        ("data_format", None),
    ),
    "RandomErasing": (
        ("factor", 1.0),
        ("scale", (0.02, 0.33)),
        ("fill_value", None),
        VALUE_RANGE,
        ("seed", None),
        ("data_format", None),
    ),
    "RandomFlip": (("mode", "horizontal_and_vertical"), ("seed", None), ("data_format", None)),
    "RandomGaussianBlur": (
        ("factor", 1.0),
        ("kernel_size", 3),
        ("sigma", 1.0),
        VALUE_RANGE,
        ("data_format", None),
        ("seed", None),
    ),
    "RandomGrayscale": (("factor", 0.5), ("data_format", None), ("seed", None)),
    "RandomHue": ("factor", VALUE_RANGE, ("data_format", None), ("seed", None)),
    "RandomInvert": (("factor", 1.0), VALUE_RANGE, ("seed", None), ("data_format", None)),
    "RandomPerspective": (
        ("factor", 1.0),
        ("scale", 1.0),
        ("interpolation", "bilinear"),
        ("fill_value", 0.0),
        ("seed", None),
        ("data_format", None),
    ),
    "RandomPosterization": ("factor", VALUE_RANGE, ("data_format", None), ("seed", None)),
    "RandomRotation": (
        "factor",
        ("fill_mode", "reflect"),
        ("interpolation", "bilinear"),
        ("seed", None),
        ("fill_value", 0.0),
        ("data_format", None),
    ),
    "RandomSaturation": ("factor", VALUE_RANGE, ("data_format", None), ("seed", None)),
    "RandomSharpness": ("factor", VALUE_RANGE, ("data_format", None), ("seed", None)),
    "RandomShear": (
        ("x_factor", 0.0),
        ("y_factor", 0.0),
        ("interpolation", "bilinear"),
        ("fill_mode", "reflect"),
        ("fill_value", 0.0),
        ("data_format", None),
        ("seed", None),
    ),
    "RandomTranslation": (
        "height_factor",
        "width_factor",
        ("fill_mode", "reflect"),
        ("interpolation", "bilinear"),
        ("seed", None),
        ("fill_value", 0.0),
        ("data_format", None),
    ),
    "RandomZoom": (
        "height_factor",
        ("width_factor", None),
        ("fill_mode", "reflect"),
        ("interpolation", "bilinear"),
        ("seed", None),
        ("fill_value", 0.0),
        ("data_format", None),
    ),
    "Solarization": (("addition_factor", 0.0), ("threshold_factor", 0.0), VALUE_RANGE, ("seed", None)),
}
"""Augmentation layers that keep their input's shape, with their constructor arguments."""


def identity_augmentation(args: Args, x: Shape) -> Outcome:
    """A random (or fixed) image transformation applied in place: the output has the
    input's shape, and the layer has no weights (its randomness lives in a seed
    generator, not in a layer weight).
    """
    data_format(args)
    return Outcome(shape=x, formula="0")


def _rand_augment(args: Args, x: Shape) -> Outcome:
    """RandAugment: applies num_ops random operations of its own (made as layers in its
    constructor); the output has the input's shape and there are no weights.
    """
    return identity_augmentation(args, x)


def _aug_mix(args: Args, x: Shape) -> Outcome:
    """AugMix: mixes chains of random operations of its own (made as layers in its
    constructor); the output has the input's shape and there are no weights.
    """
    return identity_augmentation(args, x)


def _color_jitter(args: Args, x: Shape) -> Outcome:
    """RandomColorJitter: brightness, contrast, saturation and hue layers of its own for the
    factors given; the output has the input's shape and there are no weights.
    """
    return identity_augmentation(args, x)


_SHARED_OPS = ("random_shear", "random_translation", "random_rotation")
_COLOR_OPS = ("random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness")
_rand_augment.construct_names = lambda args: (  # type: ignore[attr-defined]
    *_SHARED_OPS,
    *_COLOR_OPS,
    "solarization",
    "random_posterization",
    "auto_contrast",
    "equalization",
)
_aug_mix.construct_names = lambda args: (  # type: ignore[attr-defined]
    *_SHARED_OPS,
    "solarization",
    "random_posterization",
    "auto_contrast",
    "equalization",
    *(_COLOR_OPS if args.flag("all_ops") else ()),
)
_color_jitter.construct_names = lambda args: tuple(  # type: ignore[attr-defined]
    f"random_{part}" for part in ("brightness", "contrast", "saturation", "hue") if args[f"{part}_factor"] is not None
)
"""RandAugment, AugMix and RandomColorJitter create their operations as unnamed layers in
their constructor, which uses up those automatic names (a RandomShear added after a
RandAugment is ``random_shear_1``); the engine reads ``construct_names`` when it names them."""

_FUNCTIONS = {"RandAugment": _rand_augment, "AugMix": _aug_mix, "RandomColorJitter": _color_jitter}

for _name, _params in IDENTITY_LAYERS.items():
    _given = {p if isinstance(p, str) else p[0] for p in _params}
    _extra = tuple(p for p in (("data_format", None), *IMAGE_KWARGS) if p[0] not in _given)
    rule(_name, *_params, "*", *_extra)(_FUNCTIONS.get(_name, identity_augmentation))


def data_format(args: Args) -> str:
    """``data_format`` (None is Keras' default image format, channels_last)."""
    value = args.get("data_format")
    if value is None:
        return "channels_last"
    if value not in ("channels_last", "channels_first"):
        raise LayerError(f"'data_format' must be channels_last or channels_first, got {value!r}")
    return str(value)


def _set_height_width(args: Args, x: Shape, height_axis: int, width_axis: int) -> Shape:
    full: list[int | None] = [None, *x]
    full[height_axis] = args.positive_int("height")
    full[width_axis] = args.positive_int("width")
    return tuple(full[1:])


RESIZE_KWARGS = (
    ("interpolation", "bilinear"),
    ("crop_to_aspect_ratio", False),
    ("pad_to_aspect_ratio", False),
    ("fill_mode", "constant"),
    ("fill_value", 0.0),
    ("antialias", False),
    ("data_format", None),
)


@rule("Resizing", "height", "width", *RESIZE_KWARGS, "*", *IMAGE_KWARGS, min_rank=3, max_rank=3)
def resizing(args: Args, x: Shape) -> Outcome:
    """Resizes images to height × width (cropping or padding to the aspect ratio if
    asked): the spatial axes become (height, width), the channels stay; no weights.
    """
    first = data_format(args) == "channels_first"
    return Outcome(shape=_set_height_width(args, x, 2 if first else 1, 3 if first else 2), formula="0")


@rule("CenterCrop", "height", "width", ("data_format", None), "*", *IMAGE_KWARGS, min_rank=3, max_rank=3)
def center_crop(args: Args, x: Shape) -> Outcome:
    """Crops the central height × width window (resizing first when the image is smaller):
    the spatial axes become (height, width); no weights.
    """
    first = data_format(args) == "channels_first"
    return Outcome(shape=_set_height_width(args, x, 2 if first else 1, 3 if first else 2), formula="0")


@rule(
    "RandomCrop",
    "height",
    "width",
    ("seed", None),
    ("data_format", None),
    ("name", None),
    "*",
    *IMAGE_KWARGS,
    min_rank=2,
)
def random_crop(args: Args, x: Shape) -> Outcome:
    """Crops a random height × width window while training (a center crop at inference):
    the spatial axes become (height, width); no weights.
    """
    first = data_format(args) == "channels_first"
    return Outcome(shape=_set_height_width(args, x, -2 if first else -3, -1 if first else -2), formula="0")


@rule(
    "MaxNumBoundingBoxes",
    ("max_number", REQUIRED, at_least(0)),
    ("fill_value", -1, at_least(-(2**63))),
    "*",
    ("data_format", None),
    *IMAGE_KWARGS,
)
def max_num_bounding_boxes(args: Args, x: Shape) -> Outcome:
    """Pads or cuts the bounding boxes of a sample to max_number (boxes and labels only):
    the images pass unchanged, so the output has the input's shape; no weights.
    """
    data_format(args)
    return Outcome(shape=x, formula="0")


# --------------------------------------------------------------------------- Pipeline
@rule("Pipeline", "layers", ("name", None), base=False, layer_args=("layers",))
def pipeline(args: Args, x: Shape) -> Outcome:
    """Applies its layers one after the other, like a Sequential model that is a plain
    layer: the last layer's output, and the weights of all its layers (a Pipeline of
    augmentation layers has none).
    """
    items = args["layers"]
    if not isinstance(items, (list, tuple)):
        raise LayerError(f"'layers' must be a list of layers, got {items!r}")
    shape = x
    terms: list[Term] = []
    for item in items:
        inner = run_inner(args, "layers", [shape], value=item)
        if len(inner.outcome.outputs) != 1:
            raise LayerError(f"a Pipeline layer must return one tensor; {inner.rule.name} returns several")
        shape = inner.outcome.outputs[0]
        for term in inner.terms:
            scope = f"{inner.name}/{term.scope}" if term.scope else inner.name
            terms.append(replace(term, scope=scope, dims=tuple(str(d) for d in term.shape)))
    formula = "+".join("*".join(str(d) for d in t.shape) or "1" for t in terms) or "0"
    return Outcome(shape=shape, terms=terms, formula=formula)
