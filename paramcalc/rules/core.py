"""Core Keras layers: Dense, Embedding and the weightless passthroughs.

Weight names and shapes follow ``keras/src/layers/core`` (``Dense.build``,
``Embedding.build``): a Dense kernel is ``(input_dim, units)``, an Embedding table
``(input_dim, output_dim)``.  EinsumDense, which shares the LoRA and activation helpers
here, has a module of its own (:mod:`paramcalc.rules.einsum_dense`).  With ``lora_rank`` Keras freezes the
kernel (it stays a weight, now non-trainable) and adds two trainable low-rank factors
after the other weights.  The regularization layers (Dropout and its variants, Gaussian
noise, activity regularization) have no weights and keep the input shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from paramcalc.errors import LayerError, close_match
from paramcalc.report import Shape, Term
from paramcalc.rules import REQUIRED, Args, Outcome, Param, rule
from paramcalc.rules.binding import between, one_of, optional_int
from paramcalc.safe_text import describe_value
from paramcalc.shapes import last_axis, product

KERNEL_BIAS_OPTIONS: tuple[tuple[str, object], ...] = (
    ("kernel_initializer", "glorot_uniform"),
    ("bias_initializer", "zeros"),
    ("kernel_regularizer", None),
    ("bias_regularizer", None),
    ("activity_regularizer", None),
    ("kernel_constraint", None),
    ("bias_constraint", None),
)
"""Initializers, regularizers and constraints of a kernel and a bias, in Keras' order."""

WEIGHT_OPTIONS: tuple[tuple[str, object], ...] = (
    *KERNEL_BIAS_OPTIONS,
    ("lora_rank", None),
    ("lora_alpha", None),
    ("quantization_config", None),
)

KERAS_ACTIVATIONS = frozenset(
    {
        "celu",
        "elu",
        "exponential",
        "gelu",
        "glu",
        "hard_shrink",
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "hard_tanh",
        "leaky_relu",
        "linear",
        "log_sigmoid",
        "log_softmax",
        "mish",
        "relu",
        "relu6",
        "selu",
        "sigmoid",
        "silu",
        "soft_shrink",
        "softmax",
        "softplus",
        "softsign",
        "sparse_plus",
        "sparse_sigmoid",
        "sparsemax",
        "squareplus",
        "swish",
        "tanh",
        "tanh_shrink",
        "threshold",
    }
)
"""Names ``keras.activations.get`` accepts (Keras 3.15; case-sensitive, as in Keras)."""


def check_activation(args: Args, key: str = "activation") -> None:
    """Refuse an activation name Keras does not know (``keras.activations.get`` raises too).

    ``None`` is linear; a mapping is a serialized activation (Keras JSON) and is accepted.
    """
    value = args.get(key)
    if value is None or isinstance(value, Mapping):
        return
    if not isinstance(value, str) or value not in KERAS_ACTIVATIONS:
        lowered = str(value).lower()
        close = lowered if lowered in KERAS_ACTIVATIONS else close_match(lowered, sorted(KERAS_ACTIVATIONS))
        hint = f"did you mean '{close}'?" if close else "e.g. 'relu', 'tanh', 'sigmoid', 'softmax'"
        raise LayerError(f"unknown activation {describe_value(value)} for '{key}'", hint=hint)


def factor(dim: str) -> str:
    """A dims entry ready to be multiplied: expressions get parentheses."""
    return dim if dim.isidentifier() or dim.isdigit() else f"({dim})"


def lora_rank(args: Args) -> int:
    """The LoRA rank, 0 when LoRA is off (``lora_rank=None`` or 0, as Keras' ``if self.lora_rank``)."""
    if args.get("lora_rank") is None:
        return 0
    return args.integer("lora_rank", minimum=0)


def with_lora(
    terms: list[Term], rank: int, prefix: str = "lora_kernel", kernel: str = "kernel"
) -> tuple[list[Term], str]:
    """Apply Keras' ``enable_lora``: freeze the kernel and append the two low-rank factors.

    ``A`` has the kernel's shape with the last axis replaced by the rank r, ``B`` is
    (r, last axis), so LoRA adds r·(prod(kernel[:-1]) + kernel[-1]) weights.  Returns the
    new terms and that addition as a formula fragment ("" when ``rank`` is 0).
    """
    if not rank:
        return terms, ""
    base = next(t for t in terms if t.weight == kernel)
    dims = base.dims or tuple(str(d) for d in base.shape)
    out = [replace(t, trainable=False) if t is base else t for t in terms]
    out.append(Term("A", f"{prefix}_a", (*base.shape[:-1], rank), (*dims[:-1], "r")))
    out.append(Term("B", f"{prefix}_b", (rank, base.shape[-1]), ("r", dims[-1])))
    head = "*".join(factor(d) for d in dims[:-1]) or "1"
    return out, f"+r*({head}+{dims[-1]})"


LORA_LEGEND = {"r": "LoRA rank, lora_rank (the kernel is frozen, A and B are trained)"}
"""The legend entry of a rule whose layer takes ``lora_rank`` (Dense, Embedding, EinsumDense)."""


@rule(
    "Dense",
    "units",
    ("activation", None),
    ("use_bias", True),
    *WEIGHT_OPTIONS,
    min_rank=1,
    legend={"m": "input features, the last input axis", "n": "units", **LORA_LEGEND},
    mask="keep",
)
def dense(args: Args, x: Shape) -> Outcome:
    """Each of the n outputs is a weighted sum of all m inputs plus its own bias: a kernel
    of m·n weights and a bias of n, so (m+1)·n. On inputs with more axes the same kernel is
    applied along the last axis, so the count does not depend on them.
    """
    n = args.positive_int("units")
    check_activation(args)
    m = last_axis(x)
    terms = [Term("W", "kernel", (m, n), ("m", "n"))]
    if args.flag("use_bias"):
        terms.append(Term("b", "bias", (n,), ("n",)))
    formula = "(m+1)*n" if args.flag("use_bias") else "m*n"
    rank = lora_rank(args)
    terms, extra = with_lora(terms, rank)
    symbols = {"m": m, "n": n, **({"r": rank} if rank else {})}
    return Outcome(shape=(*x[:-1], n), terms=terms, formula=formula + extra, symbols=symbols)


_EMBEDDING_OPTIONS: tuple[tuple[str, object], ...] = (
    ("embeddings_initializer", "uniform"),
    ("embeddings_regularizer", None),
    ("embeddings_constraint", None),
    ("mask_zero", False),
)
_EMBEDDING_TAIL: tuple[Param, ...] = (
    ("weights", None),
    ("lora_rank", None),
    ("lora_alpha", None),
    ("quantization_config", None),
    ("input_length", None, optional_int()),  # Keras 2; Keras 3 drops it with a warning
)
_EMBEDDING_LEGEND = {"V": "vocabulary size, input_dim", "d": "embedding width, output_dim", **LORA_LEGEND}


def _embedding_table(args: Args) -> tuple[int, int]:
    """The table's size; input_dim, output_dim and input_length are declared kinds, and
    mask_zero is checked here, after input_length (which the signature lists last).
    """
    vocab = args.positive_int("input_dim")
    width = args.positive_int("output_dim")
    args.flag("mask_zero")
    return vocab, width


@rule(
    "Embedding",
    ("input_dim", REQUIRED, Args.positive_int),
    ("output_dim", REQUIRED, Args.positive_int),
    *_EMBEDDING_OPTIONS,
    *_EMBEDDING_TAIL,
    legend=_EMBEDDING_LEGEND,
    mask="embedding",
)
def embedding(args: Args, x: Shape) -> Outcome:
    """A lookup table with one d-wide row per vocabulary entry: V·d weights, no bias.
    Each integer index in the input becomes its row, so the output gains an axis of d.
    """
    vocab, width = _embedding_table(args)
    terms = [Term("E", "embeddings", (vocab, width), ("V", "d"))]
    rank = lora_rank(args)
    terms, extra = with_lora(terms, rank, prefix="lora_embeddings", kernel="embeddings")
    symbols = {"V": vocab, "d": width, **({"r": rank} if rank else {})}
    return Outcome(shape=(*x, width), terms=terms, formula="V*d" + extra, symbols=symbols)


@rule(
    "ReversibleEmbedding",
    ("input_dim", REQUIRED, Args.positive_int),
    ("output_dim", REQUIRED, Args.positive_int),
    ("tie_weights", True),
    *_EMBEDDING_OPTIONS,
    ("reverse_dtype", None),
    ("logit_soft_cap", None),
    *_EMBEDDING_TAIL,
    legend=_EMBEDDING_LEGEND,
)
def reversible_embedding(args: Args, x: Shape) -> Outcome:
    """An Embedding that can also project back to the vocabulary (logits = h·Eᵀ). With
    tie_weights=True (the default) the same V·d table serves both ways; untied, Keras adds
    a separate reverse_embeddings matrix of d·V, doubling the count to 2·V·d.
    """
    vocab, width = _embedding_table(args)
    rank = lora_rank(args)
    terms = [Term("E", "embeddings", (vocab, width), ("V", "d"))]
    formula = "V*d"
    if not args.flag("tie_weights"):
        if rank:
            raise LayerError(
                "lora_rank cannot be combined with tie_weights=False",
                hint="Keras fails to build it: LoRA locks the layer before reverse_embeddings is created",
            )
        terms.append(Term("E_r", "reverse_embeddings", (width, vocab), ("d", "V")))
        formula = "2*V*d"
    terms, extra = with_lora(terms, rank, prefix="lora_embeddings", kernel="embeddings")
    symbols = {"V": vocab, "d": width, **({"r": rank} if rank else {})}
    return Outcome(shape=(*x, width), terms=terms, formula=formula + extra, symbols=symbols)


_DATA_FORMAT = one_of(None, "channels_last", "channels_first")
_RATE: Param = ("rate", REQUIRED, between(0.0, 1.0))
"""A rate in [0, 1], as Keras checks (``0 <= rate <= 1``)."""


def _noise_shape(args: Args, key: str) -> None:
    """A list of positive sizes or None each (None: the input's), or None."""
    value = args[key]
    if value is None:
        return
    if not isinstance(value, (list, tuple)) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in value
    ):
        raise LayerError(f"'noise_shape' must be a list of positive integers or None, got {value!r}")


@rule("Dropout", _RATE, ("noise_shape", None, _noise_shape), ("seed", None), mask="keep")
def dropout(args: Args, x: Shape) -> Outcome:
    """Randomly zeroes inputs during training; no weights, output shape = input shape."""
    return Outcome(shape=x, formula="0")


@rule("AlphaDropout", _RATE, ("noise_shape", None, _noise_shape), ("seed", None), mask="keep")
def alpha_dropout(args: Args, x: Shape) -> Outcome:
    """Dropout that keeps the mean and variance of SELU activations; no weights, output
    shape = input shape.
    """
    return Outcome(shape=x, formula="0")


@rule("GaussianDropout", _RATE, ("seed", None), mask="keep")
def gaussian_dropout(args: Args, x: Shape) -> Outcome:
    """Multiplies inputs by noise centred on 1 during training; no weights, output shape =
    input shape.
    """
    return Outcome(shape=x, formula="0")


@rule("GaussianNoise", ("stddev", REQUIRED, between(0.0, 1.0)), ("seed", None), mask="keep")
def gaussian_noise(args: Args, x: Shape) -> Outcome:
    """Adds zero-centred noise during training; no weights, output shape = input shape.
    Keras only accepts a standard deviation between 0 and 1.
    """
    return Outcome(shape=x, formula="0")


def _spatial_dropout(rank: int) -> None:
    extra: tuple[Param, ...] = () if rank == 1 else (("data_format", None, _DATA_FORMAT),)
    axes = {1: "(steps, channels)", 2: "(rows, cols, channels)", 3: "(dim1, dim2, dim3, channels)"}[rank]

    @rule(
        f"SpatialDropout{rank}D",
        _RATE,
        *extra,
        ("seed", None),
        ("name", None),
        ("dtype", None),
        min_rank=rank + 1,
        max_rank=rank + 1,
        expects=axes,
        base=False,
    )
    def spatial_dropout(args: Args, x: Shape) -> Outcome:
        """Drops whole feature maps (channels) instead of single values; no weights,
        output shape = input shape. Keras' SpatialDropout constructors take only rate,
        data_format, seed, name and dtype (not even trainable).
        """
        return Outcome(shape=x, formula="0")


for _rank in (1, 2, 3):
    _spatial_dropout(_rank)


@rule("ActivityRegularization", ("l1", 0.0, between(0.0)), ("l2", 0.0, between(0.0)), mask="keep")
def activity_regularization(args: Args, x: Shape) -> Outcome:
    """Adds an L1/L2 penalty on its input to the training loss; no weights, output shape
    = input shape.
    """
    return Outcome(shape=x, formula="0")


@rule("Masking", ("mask_value", 0.0), mask="masking")
def masking(args: Args, x: Shape) -> Outcome:
    """Marks time steps whose features all equal mask_value so later layers skip them; no
    weights, output shape = input shape.
    """
    return Outcome(shape=x, formula="0")


@rule("Identity", mask="keep")
def identity(args: Args, x: Shape) -> Outcome:
    """Returns its input unchanged; no weights."""
    return Outcome(shape=x, formula="0")


@rule("Activation", "activation", mask="keep")
def activation(args: Args, x: Shape) -> Outcome:
    """Applies a fixed function element-wise; no weights, output shape = input shape."""
    check_activation(args)
    return Outcome(shape=x, formula="0")


@rule("Flatten", ("data_format", None, _DATA_FORMAT))
def flatten(args: Args, x: Shape) -> Outcome:
    """Reshapes each sample to one axis of their product (None if any axis is unknown);
    no weights.
    """
    size = product(x) if x else 1
    return Outcome(shape=(size,), formula="0")
