"""Core Keras layers: Dense, EinsumDense, Embedding and the weightless passthroughs.

Weight names and shapes follow ``keras/src/layers/core`` (``Dense.build``,
``EinsumDense.build``, ``Embedding.build``): a Dense kernel is ``(input_dim, units)``,
an Embedding table ``(input_dim, output_dim)``.  With ``lora_rank`` Keras freezes the
kernel (it stays a weight, now non-trainable) and adds two trainable low-rank factors
after the other weights.  The regularization layers (Dropout and its variants, Gaussian
noise, activity regularization) have no weights and keep the input shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from paramcalc.errors import LayerError, close_match
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.safe_text import describe_value
from paramcalc.shapes import format_shape, last_axis, product

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


_LORA_LEGEND = {"r": "LoRA rank, lora_rank (the kernel is frozen, A and B are trained)"}


@rule(
    "Dense",
    "units",
    ("activation", None),
    ("use_bias", True),
    *WEIGHT_OPTIONS,
    min_rank=1,
    legend={"m": "input features, the last input axis", "n": "units", **_LORA_LEGEND},
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


_EINSUM_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)\Z"), ""),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)\Z"), "left"),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0\Z"), "right"),
)
"""Keras' three equation forms, ``...`` written as ``0``: no ellipsis, leading, trailing."""


def _split_equation(equation: str) -> tuple[tuple[str, str, str], str]:
    """The input, weight and output letters, and where the ellipsis is ("", "left", "right")."""
    replaced = equation.replace("...", "0")
    for pattern, ellipsis in _EINSUM_FORMS:
        found = pattern.match(replaced)
        if found:
            input_spec, weight_spec, output_spec = found.groups()
            return (input_spec, weight_spec, output_spec), ellipsis
    raise LayerError(
        f"invalid einsum equation '{equation}'",
        hint="equations look like 'ab,bc->ac', '...b,bc->...c' or 'ab...,bc->ac...'",
    )


def einsum_shapes(
    equation: str, bias_axes: str | None, x: Shape, partial: Sequence[int | None]
) -> tuple[list[int | None], list[int] | None, Shape, str, str]:
    """Keras' ``_analyze_einsum_string`` on a batchless shape.

    Returns the kernel shape, the bias shape (None without ``bias_axes``), the output
    shape (batchless), the weight spec and the output spec letters.  Keras matches its
    patterns with ``re.match`` (anchored at the start only); the full match here is the
    same for any equation Keras can then run.
    """
    (input_spec, weight_spec, output_spec), ellipsis = _split_equation(equation)
    left = ellipsis == "left"
    full: list[int | None] = [None, *x]  # with the batch axis, as Keras indexes it
    elided = len(full) - len(input_spec)
    if elided < 0:
        # Keras indexes past the input's axes: it refuses the layer.  (More axes than letters
        # and no '...' is built as if the equation ended in '...': Keras builds that layer,
        # and only running it fails.)
        raise LayerError(
            f"equation '{equation}' names {len(input_spec)} input axes (batch included), "
            f"but the input {format_shape(x)} has {len(full)}",
            hint="one letter per input axis, or '...' for the axes in between",
        )
    wanted = len(output_spec) - (0 if left else 1)  # the batch letter is not in output_shape
    if len(partial) != wanted:
        raise LayerError(
            f"output_shape {tuple(partial)} has {len(partial)} axes, but the output '{output_spec}' of "
            f"'{equation}' needs {wanted} (the batch axis left out)",
            hint="give one output_shape entry per output letter after the batch",
        )
    out: list[int | None] = [None, *partial]
    if elided > 0 and left:
        for i in range(1, elided):
            out.insert(1, full[i])  # Keras inserts each at position 1: the leading axes end up reversed
    elif elided > 0:
        out.extend(full[len(full) - elided :])
    if left:
        in_map = {d: (i + elided) - len(full) for i, d in enumerate(input_spec)}
        out_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        in_map = {d: i for i, d in enumerate(input_spec)}
        out_map = {d: i for i, d in enumerate(output_spec)}
    for dim in input_spec:
        if dim in out_map and out[out_map[dim]] is not None and out[out_map[dim]] != full[in_map[dim]]:
            raise LayerError(
                f"input {format_shape(x)} and output_shape {tuple(partial)} disagree on the shared axis '{dim}': "
                f"{full[in_map[dim]]} vs {out[out_map[dim]]}",
                hint="an axis named in both the input and the output keeps its size",
            )
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise LayerError(
                f"axis '{dim}' of the output '{output_spec}' is in neither the input '{input_spec}' "
                f"nor the weight '{weight_spec}' of '{equation}'",
                hint="every output axis must come from the input or the kernel",
            )
    kernel: list[int | None] = []
    for dim in weight_spec:
        if dim in out_map:
            kernel.append(out[out_map[dim]])
        elif dim in in_map:
            kernel.append(full[in_map[dim]])
        else:
            raise LayerError(
                f"kernel axis '{dim}' of '{equation}' is in neither the input '{input_spec}' "
                f"nor the output '{output_spec}'",
                hint="EinsumDense's kernel must be fully determined by the input and output",
            )
    bias: list[int] | None = None
    if bias_axes is not None:
        offset = elided if left else 0
        sizes = {c: out[i + offset] for i, c in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise LayerError(f"bias axis '{char}' is not in the output '{output_spec}' of '{equation}'")
        first = min(output_spec.find(c) for c in bias_axes)
        bias = [_sized(sizes[c], c) if c in bias_axes else 1 for c in output_spec[first:]]
        if not left:
            bias += [1] * max(elided, 0)
    return kernel, bias, tuple(out[1:]), weight_spec, output_spec


def _sized(size: int | None, axis: str) -> int:
    if size is None:
        raise LayerError(
            f"needs a known size for axis '{axis}' to size its weights",
            hint="give that axis in output_shape (or a known input size)",
        )
    return size


@rule(
    "EinsumDense",
    "equation",
    "output_shape",
    ("activation", None),
    ("bias_axes", None),
    ("kernel_initializer", "glorot_uniform"),
    ("bias_initializer", "zeros"),
    ("kernel_regularizer", None),
    ("bias_regularizer", None),
    ("kernel_constraint", None),
    ("bias_constraint", None),
    ("lora_rank", None),
    ("lora_alpha", None),
    ("gptq_unpacked_column_size", None),
    ("quantization_config", None),
    min_rank=1,
    legend=_LORA_LEGEND,
)
def einsum_dense(args: Args, x: Shape) -> Outcome:
    """A Dense layer written as an einsum: the kernel has one axis per letter of the
    equation's weight part, sized from the input (contracted axes) or from output_shape
    (new axes); the bias spans the output axes from the first bias axis on, size 1 on the
    others. The count is the product of the kernel axes plus that of the bias axes.
    Keras puts the batch axis back in front of output_shape, so an axis given as None
    there stays None in the output even when the input knows it.
    """
    equation = args.string("equation")
    check_activation(args)
    raw = args["output_shape"]
    partial: list[int | None]
    if isinstance(raw, int) and not isinstance(raw, bool):
        partial = [raw]
    elif isinstance(raw, (list, tuple)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in raw
    ):
        partial = list(raw)
    else:
        raise LayerError(f"'output_shape' must be an integer or a list of integers/None, got {raw!r}")
    bias_axes = args["bias_axes"]
    if bias_axes is not None:
        bias_axes = args.string("bias_axes")
    kernel, bias, out, weight_spec, output_spec = einsum_shapes(equation, bias_axes, x, partial)
    kernel_shape = tuple(_sized(size, dim) for size, dim in zip(kernel, weight_spec, strict=True))
    symbols = dict(zip(weight_spec, kernel_shape, strict=True))
    terms = [Term("W", "kernel", kernel_shape, tuple(weight_spec))]
    formula = "*".join(weight_spec)
    if bias is not None:
        first = min(output_spec.find(c) for c in bias_axes or "")
        letters = output_spec[first:]
        dims = [c if c in (bias_axes or "") else "1" for c in letters]
        dims += ["1"] * (len(bias) - len(dims))
        for char, size in zip(letters, bias, strict=False):
            if char in (bias_axes or ""):
                symbols[char] = size
        terms.append(Term("b", "bias", tuple(bias), tuple(dims)))
        formula += "+" + ("*".join(d for d in dims if d != "1") or "1")
    input_spec = equation.replace("...", "").split(",", 1)[0]
    legend = {c: _einsum_axis(c, input_spec, output_spec) for c in symbols}
    rank = lora_rank(args)
    terms, extra = with_lora(terms, rank)
    if rank:
        symbols["r"] = rank
    return Outcome(shape=out, terms=terms, formula=formula + extra, symbols=symbols, legend=legend)


def _einsum_axis(letter: str, input_spec: str, output_spec: str) -> str:
    """What an equation letter sizes: a contracted input axis, a kept one, or a new output axis."""
    if letter in input_spec and letter in output_spec:
        return f"axis '{letter}', kept from the input"
    if letter in input_spec:
        return f"axis '{letter}' of the input, summed over"
    return f"axis '{letter}' of output_shape"


_EMBEDDING_OPTIONS: tuple[tuple[str, object], ...] = (
    ("embeddings_initializer", "uniform"),
    ("embeddings_regularizer", None),
    ("embeddings_constraint", None),
    ("mask_zero", False),
)
_EMBEDDING_TAIL: tuple[tuple[str, object], ...] = (
    ("weights", None),
    ("lora_rank", None),
    ("lora_alpha", None),
    ("quantization_config", None),
    ("input_length", None),  # Keras 2; Keras 3 drops it with a warning
)
_EMBEDDING_LEGEND = {"V": "vocabulary size, input_dim", "d": "embedding width, output_dim", **_LORA_LEGEND}


def _embedding_table(args: Args) -> tuple[int, int]:
    vocab = args.positive_int("input_dim")
    width = args.positive_int("output_dim")
    args.optional_int("input_length")
    args.flag("mask_zero")
    return vocab, width


@rule(
    "Embedding",
    "input_dim",
    "output_dim",
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
    "input_dim",
    "output_dim",
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


def _rate(args: Args, key: str = "rate") -> None:
    """A rate in [0, 1], as Keras checks (``0 <= rate <= 1``)."""
    args.number(key, 0.0, 1.0)


def _noise_shape(args: Args) -> None:
    value = args.get("noise_shape")
    if value is None:
        return
    if not isinstance(value, (list, tuple)) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in value
    ):
        raise LayerError(f"'noise_shape' must be a list of positive integers or None, got {value!r}")


@rule("Dropout", "rate", ("noise_shape", None), ("seed", None), mask="keep")
def dropout(args: Args, x: Shape) -> Outcome:
    """Randomly zeroes inputs during training; no weights, output shape = input shape."""
    _rate(args)
    _noise_shape(args)
    return Outcome(shape=x, formula="0")


@rule("AlphaDropout", "rate", ("noise_shape", None), ("seed", None), mask="keep")
def alpha_dropout(args: Args, x: Shape) -> Outcome:
    """Dropout that keeps the mean and variance of SELU activations; no weights, output
    shape = input shape.
    """
    _rate(args)
    _noise_shape(args)
    return Outcome(shape=x, formula="0")


@rule("GaussianDropout", "rate", ("seed", None), mask="keep")
def gaussian_dropout(args: Args, x: Shape) -> Outcome:
    """Multiplies inputs by noise centred on 1 during training; no weights, output shape =
    input shape.
    """
    _rate(args)
    return Outcome(shape=x, formula="0")


@rule("GaussianNoise", "stddev", ("seed", None), mask="keep")
def gaussian_noise(args: Args, x: Shape) -> Outcome:
    """Adds zero-centred noise during training; no weights, output shape = input shape.
    Keras only accepts a standard deviation between 0 and 1.
    """
    _rate(args, "stddev")
    return Outcome(shape=x, formula="0")


def _spatial_dropout(rank: int) -> None:
    extra: tuple[tuple[str, object], ...] = () if rank == 1 else (("data_format", None),)
    axes = {1: "(steps, channels)", 2: "(rows, cols, channels)", 3: "(dim1, dim2, dim3, channels)"}[rank]

    @rule(
        f"SpatialDropout{rank}D",
        "rate",
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
        _rate(args)
        if "data_format" in args.values:
            args.choice("data_format", (None, "channels_last", "channels_first"))
        return Outcome(shape=x, formula="0")


for _rank in (1, 2, 3):
    _spatial_dropout(_rank)


@rule("ActivityRegularization", ("l1", 0.0), ("l2", 0.0), mask="keep")
def activity_regularization(args: Args, x: Shape) -> Outcome:
    """Adds an L1/L2 penalty on its input to the training loss; no weights, output shape
    = input shape.
    """
    args.number("l1", 0.0)
    args.number("l2", 0.0)
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


@rule("Flatten", ("data_format", None))
def flatten(args: Args, x: Shape) -> Outcome:
    """Reshapes each sample to one axis of their product (None if any axis is unknown);
    no weights.
    """
    args.choice("data_format", (None, "channels_last", "channels_first"))
    size = product(x) if x else 1
    return Outcome(shape=(size,), formula="0")
