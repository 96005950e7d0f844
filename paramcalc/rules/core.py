"""Core Keras layers: Dense, Embedding and the weightless passthroughs.

Weight names and shapes follow ``keras/src/layers/core`` (``Dense.build``,
``Embedding.build``): a Dense kernel is ``(input_dim, units)``, an Embedding table
``(input_dim, output_dim)``.
"""

from __future__ import annotations

from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.shapes import last_axis, product

WEIGHT_OPTIONS: tuple[tuple[str, object], ...] = (
    ("kernel_initializer", "glorot_uniform"),
    ("bias_initializer", "zeros"),
    ("kernel_regularizer", None),
    ("bias_regularizer", None),
    ("activity_regularizer", None),
    ("kernel_constraint", None),
    ("bias_constraint", None),
    ("lora_rank", None),
    ("lora_alpha", None),
    ("quantization_config", None),
)


@rule(
    "Dense",
    "units",
    ("activation", None),
    ("use_bias", True),
    *WEIGHT_OPTIONS,
    min_rank=1,
    legend={"m": "input features, the last input axis", "n": "units"},
)
def dense(args: Args, x: Shape) -> Outcome:
    """Each of the n outputs is a weighted sum of all m inputs plus its own bias: a kernel
    of m·n weights and a bias of n, so (m+1)·n. On inputs with more axes the same kernel is
    applied along the last axis, so the count does not depend on them.
    """
    n = args.positive_int("units")
    m = last_axis(x)
    terms = [Term("W", "kernel", (m, n), ("m", "n"))]
    if args.flag("use_bias"):
        terms.append(Term("b", "bias", (n,), ("n",)))
    formula = "(m+1)*n" if args.flag("use_bias") else "m*n"
    return Outcome(shape=(*x[:-1], n), terms=terms, formula=formula, symbols={"m": m, "n": n})


@rule(
    "Embedding",
    "input_dim",
    "output_dim",
    ("embeddings_initializer", "uniform"),
    ("embeddings_regularizer", None),
    ("embeddings_constraint", None),
    ("mask_zero", False),
    ("weights", None),
    ("lora_rank", None),
    ("lora_alpha", None),
    ("quantization_config", None),
    ("input_length", None),
    legend={"V": "vocabulary size, input_dim", "d": "embedding width, output_dim"},
)
def embedding(args: Args, x: Shape) -> Outcome:
    """A lookup table with one d-wide row per vocabulary entry: V·d weights, no bias.
    Each integer index in the input becomes its row, so the output gains an axis of d.
    """
    vocab = args.positive_int("input_dim")
    width = args.positive_int("output_dim")
    args.optional_int("input_length")
    terms = [Term("E", "embeddings", (vocab, width), ("V", "d"))]
    return Outcome(shape=(*x, width), terms=terms, formula="V*d", symbols={"V": vocab, "d": width})


@rule("Dropout", "rate", ("noise_shape", None), ("seed", None))
def dropout(args: Args, x: Shape) -> Outcome:
    """Randomly zeroes inputs during training; no weights, output shape = input shape."""
    args.number("rate", 0.0, 1.0)
    return Outcome(shape=x, formula="0")


@rule("Activation", "activation")
def activation(args: Args, x: Shape) -> Outcome:
    """Applies a fixed function element-wise; no weights, output shape = input shape."""
    return Outcome(shape=x, formula="0")


@rule("Flatten", ("data_format", None))
def flatten(args: Args, x: Shape) -> Outcome:
    """Reshapes each sample to one axis of their product (None if any axis is unknown);
    no weights.
    """
    args.choice("data_format", (None, "channels_last", "channels_first"))
    size = product(x) if x else 1
    return Outcome(shape=(size,), formula="0")
