"""Keras 3 encoding preprocessing layers (``keras/src/layers/preprocessing``, 3.15).

Why a module of its own: the encoders (``CategoryEncoding``, ``Hashing``, ``HashedCrossing``,
``Discretization``, ``IntegerLookup``, ``StringLookup``, ``TextVectorization``) have no
weights, but their output width is what the next layer's weights depend on.  They keep the
shape in ``int`` mode and otherwise replace or extend the last axis by a depth:
``num_tokens``, ``num_bins``, the number of bins, or the vocabulary size (the vocabulary plus
the OOV indices, plus the mask token in ``int`` mode; ``max_tokens`` with
``pad_to_max_tokens``; an adapted layer's JSON, or a layer whose vocabulary came from a
file, keeps it as ``vocabulary_size``), computed as each layer's ``compute_output_shape``
does on the shape *with* the batch axis.
"""

from __future__ import annotations

from collections.abc import Sequence

from paramcalc.errors import LayerError
from paramcalc.report import Shape
from paramcalc.rules import Args, Outcome, rule
from paramcalc.shapes import format_shape
from paramcalc.spec.records import Value

Full = tuple[int | None, ...]
"""A shape with the batch axis first, as Keras' ``compute_output_shape`` sees it."""


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
        return _vocabulary_file(args, vocabulary, start)
    if not isinstance(vocabulary, (list, tuple)) or not vocabulary:
        raise LayerError(f"'vocabulary' must be a non-empty list, got {vocabulary!r}")
    special = [mask_token] * (1 if has_mask else 0) + [oov_token] * oov
    tokens = list(vocabulary)
    if tokens[:start] == special:
        tokens = tokens[start:]
    if len(set(map(repr, tokens))) != len(tokens):
        raise LayerError("the vocabulary has a repeated term", hint="Keras requires unique terms")
    return len(tokens) + start


def _vocabulary_file(args: Args, path: str, start: int) -> int | None:
    """The size of a vocabulary given as a file path (one token per line), without reading it.

    paramcalc never opens a file a spec names (Keras itself refuses to, loading a saved
    config in safe mode, and the path is relative to wherever the model was built).  The
    size matters only outside ``int`` mode without ``pad_to_max_tokens``; there it is the
    ``vocabulary_size`` given, as Keras saves it (the file's lines plus the OOV indices).
    """
    mode = args["output_mode"]
    if mode == "tf_idf":  # Keras: "output_mode `'tf_idf'` does not support loading a vocabulary from file."
        raise LayerError(
            "output_mode='tf_idf' does not support a vocabulary file", hint="give vocabulary and idf_weights as lists"
        )
    if args.get("vocabulary_size") is not None:
        return args.integer("vocabulary_size")
    if mode == "int" or args.flag("pad_to_max_tokens"):
        return None
    raise LayerError(
        f"paramcalc does not read the vocabulary file {path!r}, and output_mode='{mode}' needs its size",
        hint=f"give vocabulary_size=N, the file's lines + {start} (the OOV indices), or the vocabulary as a list",
    )


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
