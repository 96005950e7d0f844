"""Keras 3 preprocessing and augmentation layers (``keras/src/layers/preprocessing``, 3.15).

Why a module of its own: these layers have almost no weights, but models that people
actually write start with them (``RandomFlip``, ``Resizing``, ``CategoryEncoding``,
``StringLookup``), and a spec that cannot name them cannot be counted at all.  What matters
is their output shape, computed as each layer's ``compute_output_shape`` (or
``compute_output_spec``) computes it, on the shape *with* the batch axis:

- augmentation layers (``Random*``, ``AugMix``, ``RandAugment``, ``MixUp``, ``CutMix``,
  ``AutoContrast``, ``Equalization``, ``Solarization``, ...) keep the shape and have no
  weights (their random state is a ``SeedGenerator``, not a layer weight);
- ``Resizing``, ``CenterCrop`` and ``RandomCrop`` set the height and width;
- the encoders (``CategoryEncoding``, ``Hashing``, ``Discretization``, ``HashedCrossing``,
  ``IntegerLookup``, ``StringLookup``, ``TextVectorization``) keep the shape in ``int``
  mode and otherwise replace or extend the last axis by a depth: ``num_tokens``,
  ``num_bins``, the number of bins, or the vocabulary size (the vocabulary plus the OOV
  indices, plus the mask token in ``int`` mode; ``max_tokens`` with
  ``pad_to_max_tokens``; an adapted layer's JSON keeps it as ``vocabulary_size``);
- ``MelSpectrogram`` has no weights; ``STFTSpectrogram`` keeps its DFT as two trainable
  convolution kernels, ``real_kernel`` and ``imag_kernel`` (frame_length, 1, fft/2 + 1).

``Normalization`` and ``Rescaling`` are in :mod:`paramcalc.rules.normalization`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule, run_inner
from paramcalc.shapes import format_shape
from paramcalc.spec.records import Value

Full = tuple[int | None, ...]
"""A shape with the batch axis first, as Keras' ``compute_output_shape`` sees it."""

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
    _data_format(args)
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


def _data_format(args: Args) -> str:
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
    first = _data_format(args) == "channels_first"
    return Outcome(shape=_set_height_width(args, x, 2 if first else 1, 3 if first else 2), formula="0")


@rule("CenterCrop", "height", "width", ("data_format", None), "*", *IMAGE_KWARGS, min_rank=3, max_rank=3)
def center_crop(args: Args, x: Shape) -> Outcome:
    """Crops the central height × width window (resizing first when the image is smaller):
    the spatial axes become (height, width); no weights.
    """
    first = _data_format(args) == "channels_first"
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
    first = _data_format(args) == "channels_first"
    return Outcome(shape=_set_height_width(args, x, -2 if first else -3, -1 if first else -2), formula="0")


# --------------------------------------------------------------------------- encoders
def _mode(args: Args, options: Sequence[str]) -> str:
    value = args["output_mode"]
    if value not in options:
        raise LayerError(f"'output_mode' must be one of {', '.join(options)}, got {value!r}")
    return str(value)


def _one_hot(full: Full, depth: int | None) -> Full:
    """One-hot: a last axis of 1 is replaced by the depth, any other gets a depth axis after it."""
    if len(full) > 1 and full[-1] == 1:
        return (*full[:-1], depth)
    return (*full, depth)


def _batched(full: Full, layer: str) -> Shape:
    """The output without its batch axis; a shape that lost the batch axis is refused."""
    if not full or full[0] is not None:
        raise LayerError(
            f"{layer} on this input returns {format_shape(full[1:] if full else ())} without a batch axis",
            hint="give the input a feature axis, e.g. shape [1]",
        )
    return full[1:]


@rule(
    "CategoryEncoding",
    ("num_tokens", None),
    ("output_mode", "multi_hot"),
    ("sparse", False),
)
def category_encoding(args: Args, x: Shape) -> Outcome:
    """Encodes integer ids below num_tokens as one-hot, multi-hot or count vectors: the
    last axis becomes num_tokens (one_hot adds an axis unless the last one is 1); no
    weights.
    """
    if args["num_tokens"] is None:
        raise LayerError("CategoryEncoding needs 'num_tokens'", hint="e.g. CategoryEncoding(num_tokens=10)")
    n = args.positive_int("num_tokens")
    mode = _mode(args, ("one_hot", "multi_hot", "count"))
    full: Full = (None, *x)
    keep_last = mode == "one_hot" and (full[-1] != 1 or len(full) == 1)
    out = (*full, n) if keep_last else (*full[:-1], n)
    return Outcome(shape=_batched(out, "CategoryEncoding"), formula="0")


@rule("Hashing", "num_bins", ("mask_value", None), ("salt", None), ("output_mode", "int"), ("sparse", False))
def hashing(args: Args, x: Shape) -> Outcome:
    """Hashes values into num_bins bins: int mode keeps the shape, one_hot / multi_hot /
    count replace the last axis by num_bins; no weights.
    """
    n = args.positive_int("num_bins")
    if _mode(args, ("int", "one_hot", "multi_hot", "count")) == "int":
        return Outcome(shape=x, formula="0")
    return Outcome(shape=_batched((*(None, *x)[:-1], n), "Hashing"), formula="0")


@rule(
    "HashedCrossing",
    "num_bins",
    ("output_mode", "int"),
    ("sparse", False),
    ("name", None),
    ("dtype", None),
    multi_input=True,
)
def hashed_crossing(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Hashes the cross of two categorical features into num_bins bins: int mode keeps
    the first input's shape, one_hot adds a num_bins axis (replacing a last axis of 1);
    no weights.
    """
    n = args.positive_int("num_bins")
    mode = _mode(args, ("int", "one_hot"))
    if len(xs) != 2:
        raise LayerError(f"HashedCrossing takes a list of 2 inputs, got {len(xs)}")
    first, second = ((None, *s) for s in xs)
    if first[-1] != second[-1]:
        raise LayerError(
            f"HashedCrossing needs two inputs of the same shape, got {format_shape(xs[0])} and {format_shape(xs[1])}"
        )
    if mode == "int":
        return Outcome(shape=xs[0], formula="0")
    out = (*first, n) if first[-1] != 1 else (*first[:-1], n)
    return Outcome(shape=_batched(out, "HashedCrossing"), formula="0")


@rule(
    "Discretization",
    ("bin_boundaries", None),
    ("num_bins", None),
    ("epsilon", 0.01),
    ("output_mode", "int"),
    ("sparse", False),
    ("dtype", None),
    ("name", None),
)
def discretization(args: Args, x: Shape) -> Outcome:
    """Buckets values by bin boundaries (len(boundaries) + 1 bins, or num_bins to adapt):
    int mode keeps the shape; one_hot adds a bins axis (replacing a last axis of 1);
    multi_hot and count drop the first axis after the batch and append the bins. The
    boundaries are constants, not weights.
    """
    bounds, bins = args["bin_boundaries"], args["num_bins"]
    if bounds is not None and bins is not None:
        raise LayerError("give 'bin_boundaries' or 'num_bins', not both")
    if bounds is None and bins is None:
        raise LayerError("Discretization needs 'bin_boundaries' or 'num_bins'", hint="e.g. bin_boundaries=[0.0, 1.0]")
    mode = _mode(args, ("int", "one_hot", "multi_hot", "count"))
    if mode == "int":
        return Outcome(shape=x, formula="0")
    if bounds is not None:
        if not isinstance(bounds, (list, tuple)):
            raise LayerError(f"'bin_boundaries' must be a list of numbers, got {bounds!r}")
        depth = len(bounds) + 1
    else:
        depth = args.positive_int("num_bins")
    full: Full = (None, *x)
    if mode == "one_hot":
        out = _one_hot(full, depth)
    elif len(full) >= 2:
        out = (full[0], *full[2:], depth)
    else:
        out = (depth,)
    return Outcome(shape=_batched(out, "Discretization"), formula="0")


LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
LOOKUP_KWARGS = (("vocabulary_size", None), ("oov_method", "floormod"))
"""Keywords IndexLookup reads from ``**kwargs`` (an adapted layer's saved vocabulary size)."""


def _vocabulary_size(args: Args, mask_token: Value, oov_token: Value) -> int | None:
    """IndexLookup's vocabulary size: its tokens, the OOV indices and (int mode) the mask.

    A vocabulary that already starts with the special tokens (as ``get_vocabulary()``
    returns it) is not counted twice.  Without a vocabulary it is the saved
    ``vocabulary_size`` (an adapted layer's JSON), or unknown.
    """
    oov = args.integer("num_oov_indices")
    mode = args["output_mode"]
    has_mask = mask_token is not None and mode == "int"
    start = oov + (1 if has_mask else 0)
    vocabulary = args["vocabulary"]
    if vocabulary is None:
        saved = args.get("vocabulary_size")
        return None if saved is None else args.integer("vocabulary_size")
    if isinstance(vocabulary, str):
        raise LayerError("a vocabulary file cannot be read by paramcalc", hint="give the vocabulary as a list")
    if not isinstance(vocabulary, (list, tuple)) or not vocabulary:
        raise LayerError(f"'vocabulary' must be a non-empty list, got {vocabulary!r}")
    special = [mask_token] * (1 if has_mask else 0) + [oov_token] * oov
    tokens = list(vocabulary)
    if tokens[:start] == special:
        tokens = tokens[start:]
    if len(set(map(repr, tokens))) != len(tokens):
        raise LayerError("the vocabulary has a repeated term", hint="Keras requires unique terms")
    return len(tokens) + start


def _lookup_shape(args: Args, full: Full, depth: int | None, mode: str) -> Full:
    """IndexLookup.compute_output_shape on a shape with the batch axis."""
    if mode == "int":
        return full
    if args.flag("pad_to_max_tokens"):
        depth = args.optional_int("max_tokens")
    if mode == "one_hot":
        return _one_hot(full, depth)
    return (*full[:-1], depth)


def _index_lookup(args: Args, x: Shape, oov_token: Value) -> Outcome:
    mode = _mode(args, LOOKUP_MODES)
    if args.flag("invert") and mode != "int":
        raise LayerError("'invert' needs output_mode='int'")
    args.integer("num_oov_indices")
    args.optional_int("max_tokens")
    depth = _vocabulary_size(args, args["mask_token"], oov_token)
    out = _lookup_shape(args, (None, *x), depth, mode)
    return Outcome(shape=_batched(out, args.rule.name), formula="0")


@rule(
    "IntegerLookup",
    ("max_tokens", None),
    ("num_oov_indices", 1),
    ("mask_token", None),
    ("oov_token", -1),
    ("vocabulary", None),
    ("vocabulary_dtype", "int64"),
    ("idf_weights", None),
    ("invert", False),
    ("output_mode", "int"),
    ("sparse", False),
    ("pad_to_max_tokens", False),
    ("oov_method", "floormod"),
    ("salt", None),
    ("name", None),
    "*",
    ("vocabulary_size", None),
)
def integer_lookup(args: Args, x: Shape) -> Outcome:
    """Maps integer tokens to indices in a vocabulary held in a lookup table (not a
    weight): int mode keeps the shape; one_hot / multi_hot / count / tf_idf give vectors
    of the vocabulary size (tokens + OOV indices, + the mask in int mode).
    """
    return _index_lookup(args, x, args["oov_token"])


@rule(
    "StringLookup",
    ("max_tokens", None),
    ("num_oov_indices", 1),
    ("mask_token", None),
    ("oov_token", "[UNK]"),
    ("vocabulary", None),
    ("idf_weights", None),
    ("invert", False),
    ("output_mode", "int"),
    ("pad_to_max_tokens", False),
    ("sparse", False),
    ("encoding", "utf-8"),
    ("name", None),
    ("salt", None),
    "*",
    *LOOKUP_KWARGS,
)
def string_lookup(args: Args, x: Shape) -> Outcome:
    """Maps string tokens to indices in a vocabulary held in a lookup table (not a
    weight): int mode keeps the shape; one_hot / multi_hot / count / tf_idf give vectors
    of the vocabulary size (tokens + OOV indices, + the mask in int mode).
    """
    return _index_lookup(args, x, args["oov_token"])


@rule(
    "TextVectorization",
    ("max_tokens", None),
    ("standardize", "lower_and_strip_punctuation"),
    ("split", "whitespace"),
    ("ngrams", None),
    ("output_mode", "int"),
    ("output_sequence_length", None),
    ("pad_to_max_tokens", False),
    ("vocabulary", None),
    ("idf_weights", None),
    ("sparse", False),
    ("ragged", False),
    ("encoding", "utf-8"),
    ("name", None),
    "*",
    ("vocabulary_size", None),
)
def text_vectorization(args: Args, x: Shape) -> Outcome:
    """Splits strings into tokens and looks them up (a StringLookup with mask "" and one
    OOV index): int mode gives (batch, output_sequence_length) whatever the input rank;
    the other modes give vectors of the vocabulary size over a token axis.
    """
    mode = _mode(args, ("int", "multi_hot", "count", "tf_idf"))
    args.optional_int("max_tokens")
    if mode == "int":
        return Outcome(shape=(args.optional_int("output_sequence_length"),), formula="0")
    if args["output_sequence_length"] is not None:
        raise LayerError("'output_sequence_length' is only valid with output_mode='int'")
    full: Full = (None, *x)
    if args["split"] is None:
        if len(full) <= 1:
            full = (*full, 1)
    else:
        full = (*full, None)
    depth = _vocabulary_size(_LookupView(args), "", "[UNK]")
    return Outcome(shape=_batched(_lookup_shape(args, full, depth, mode), "TextVectorization"), formula="0")


class _LookupView(Args):
    """TextVectorization's arguments as its inner StringLookup sees them (one OOV index)."""

    def __init__(self, args: Args) -> None:
        super().__init__(args.rule, args.layer, {**args.values, "num_oov_indices": 1})


# --------------------------------------------------------------------------- audio
@rule(
    "MelSpectrogram",
    ("fft_length", 2048),
    ("sequence_stride", 512),
    ("sequence_length", None),
    ("window", "hann"),
    ("sampling_rate", 16000),
    ("num_mel_bins", 128),
    ("min_freq", 20.0),
    ("max_freq", None),
    ("power_to_db", True),
    ("top_db", 80.0),
    ("mag_exp", 2.0),
    ("min_power", 1e-10),
    ("ref_power", 1.0),
    min_rank=1,
)
def mel_spectrogram(args: Args, x: Shape) -> Outcome:
    """A short-time Fourier transform of each signal mapped onto num_mel_bins mel bands,
    computed with fixed (non-weight) filters: (batch, samples) gives (batch, num_mel_bins,
    ⌊(samples + stride + 1) / stride⌋) frames (the signal is padded at both ends).
    """
    fft = args.positive_int("fft_length")
    stride = args.positive_int("sequence_stride")
    length = args.optional_int("sequence_length") or fft
    if fft < length:
        raise LayerError(f"'fft_length' ({fft}) must be at least 'sequence_length' ({length})")
    bins = args.positive_int("num_mel_bins")
    n = x[0]
    frames = None if n is None else (n + stride + 1) // stride
    return Outcome(shape=(bins, frames), formula="0")


STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


@rule(
    "STFTSpectrogram",
    ("mode", "log"),
    ("frame_length", 256),
    ("frame_step", None),
    ("fft_length", None),
    ("window", "hann"),
    ("periodic", False),
    ("scaling", "density"),
    ("padding", "valid"),
    ("expand_dims", False),
    ("data_format", None),
    min_rank=2,
    max_rank=2,
    expects="(time, channels)",
    legend={"l": "frame_length", "f": "fft_length / 2 + 1 frequency bins"},
)
def stft_spectrogram(args: Args, x: Shape) -> Outcome:
    """A short-time Fourier transform done as a strided 1-D convolution whose kernels
    hold the windowed DFT: real_kernel and imag_kernel, each (frame_length, 1, f) with
    f = fft_length/2 + 1 frequencies, trainable like any kernel (mode="real" keeps only
    the first, "imag" only the second): 2·l·f.
    """
    mode = args["mode"]
    if mode not in STFT_MODES:
        raise LayerError(f"'mode' must be one of {', '.join(STFT_MODES)}, got {mode!r}")
    length = args.positive_int("frame_length")
    step = args.optional_int("frame_step")
    if step is not None and step > length:
        raise LayerError(f"'frame_step' ({step}) must not be greater than 'frame_length' ({length})")
    fft = args.optional_int("fft_length")
    if fft is not None and fft < length:
        raise LayerError(f"'fft_length' ({fft}) must not be less than 'frame_length' ({length})")
    padding = args["padding"]
    if padding not in ("valid", "same"):
        raise LayerError(f"'padding' must be valid or same, got {padding!r}")
    stride = step or length // 2
    if stride < 1:
        raise LayerError(f"'frame_length' {length} gives a frame step of 0", hint="give frame_step")
    fft_length = fft or 1 << (length - 1).bit_length()
    f = fft_length // 2 + 1
    first = _data_format(args) == "channels_first"
    channels, n = (x[0], x[1]) if first else (x[1], x[0])
    if n is None:
        time = None
    elif padding == "same":
        time = (n - 1) // stride + 1
    else:
        time = (n - length) // stride + 1
        if time <= 0:
            raise LayerError(
                f"a frame of {length} samples does not fit an input of {n}",
                hint="use padding='same' or a shorter frame",
            )
    freq = f * 2 if mode == "stft" else f
    if args.flag("expand_dims"):
        shape: Shape = (channels, time, freq) if first else (time, freq, channels)
    else:
        filters = None if channels is None else freq * channels
        shape = (filters, time) if first else (time, filters)
    kernel = (length, 1, f)
    terms = []
    if mode != "imag":
        terms.append(Term("K_re", "real_kernel", kernel, ("l", "1", "f")))
    if mode != "real":
        terms.append(Term("K_im", "imag_kernel", kernel, ("l", "1", "f")))
    formula = f"{len(terms)}*l*f" if len(terms) > 1 else "l*f"
    return Outcome(shape=shape, terms=terms, formula=formula, symbols={"l": length, "f": f})


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
