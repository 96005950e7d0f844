"""Core ``torch.nn`` modules: Linear, Bilinear, Embedding(Bag), PReLU, the lazy Linear, and
the weightless ones (activations, dropout, Flatten/Unflatten, Identity, softmaxes).

Shapes follow ``torch/nn/modules/linear.py``, ``sparse.py`` and ``activation.py``: torch
stores a Linear weight as ``(out_features, in_features)`` -- the transpose of a Keras
kernel -- and an Embedding table as ``(num_embeddings, embedding_dim)``.
"""

from __future__ import annotations

from math import prod

from paramcalc.errors import LayerError
from paramcalc.report import Term
from paramcalc.rules import REQUIRED, Args, Outcome, Param
from paramcalc.rules.binding import one_of
from paramcalc.rules.torch_common import (
    Maybe,
    check_axis,
    check_min_rank,
    check_rank,
    known,
    maybe_number,
    need_input,
    no_tensor,
    normalize_dim,
    show,
    sizes,
    torch_rule,
)

_LINEAR_LEGEND = {"m": "in_features, the last input axis", "n": "out_features"}


def _linear_terms(m: int, n: int, bias: bool) -> tuple[list[Term], str]:
    terms = [Term("W", "weight", (n, m), ("n", "m"))]
    if bias:
        terms.append(Term("b", "bias", (n,), ("n",)))
    return terms, "(m+1)*n" if bias else "m*n"


@torch_rule(
    "Linear",
    "in_features",
    "out_features",
    ("bias", True),
    legend=_LINEAR_LEGEND,
    min_rank=1,
    from_input={"in_features": -1},
)
def linear(args: Args, x: Maybe) -> Outcome:
    """Computes x·Wᵀ + b: each of the n outputs weighs all m inputs and adds its own bias, so
    (m+1)·n. torch stores the weight as (out_features, in_features), the transpose of a Keras
    Dense kernel; the count is the same. Applied along the last axis of any input.
    """
    m = args.positive_int("in_features")
    n = args.positive_int("out_features")
    terms, formula = _linear_terms(m, n, args.flag("bias"))
    shape = None
    if x is not None:
        check_min_rank(x, "Linear", 1, "(*, in_features)")
        check_axis(x, -1, m, "Linear", "in_features")
        shape = (*x[:-1], n)
    return Outcome(shape=shape, terms=terms, formula=formula, symbols={"m": m, "n": n})


@torch_rule("LazyLinear", "out_features", ("bias", True), legend=_LINEAR_LEGEND, min_rank=1)
def lazy_linear(args: Args, x: Maybe) -> Outcome:
    """A Linear whose in_features is read from the last axis of its first input: (m+1)·n once
    the input is known; without an input it cannot be counted.
    """
    n = args.positive_int("out_features")
    bias = args.flag("bias")
    x = need_input(x, "LazyLinear", "in_features")
    check_min_rank(x, "LazyLinear", 1, "(*, in_features)")
    m = known(x, -1, "LazyLinear", "in_features")
    terms, formula = _linear_terms(m, n, bias)
    return Outcome(shape=(*x[:-1], n), terms=terms, formula=formula, symbols={"m": m, "n": n})


@torch_rule(
    "Bilinear",
    "in1_features",
    "in2_features",
    "out_features",
    ("bias", True),
    legend={"m_1": "in1_features", "m_2": "in2_features", "n": "out_features"},
    min_rank=1,
    multi_input=True,
    from_input={"in1_features": -1, "in2_features": -1},
)
def bilinear(args: Args, xs: list[Maybe]) -> Outcome:
    """y_k = x1ᵀ·A_k·x2 + b_k: one m_1 × m_2 matrix per output, so n·m_1·m_2 + n. In a
    sequential spec it is called as bilinear(x, x), so both sizes must match the input.
    """
    m1 = args.positive_int("in1_features")
    m2 = args.positive_int("in2_features")
    n = args.positive_int("out_features")
    terms = [Term("A", "weight", (n, m1, m2), ("n", "m_1", "m_2"))]
    bias = args.flag("bias")
    if bias:
        terms.append(Term("b", "bias", (n,), ("n",)))
    if len(xs) > 2:
        raise LayerError(f"Bilinear takes two inputs (x1, x2), got {len(xs)}")
    x1, x2 = xs[0], xs[-1]
    shape = None
    if x1 is not None and x2 is not None:
        check_min_rank(x1, "Bilinear", 1, "(*, in1_features)")
        check_axis(x1, -1, m1, "Bilinear", "in1_features")
        check_axis(x2, -1, m2, "Bilinear", "in2_features")
        shape = (*x1[:-1], n)
    formula = "n*m_1*m_2+n" if bias else "n*m_1*m_2"
    return Outcome(shape=shape, terms=terms, formula=formula, symbols={"m_1": m1, "m_2": m2, "n": n})


def _padding_idx(args: Args, key: str) -> None:
    """A row index within ``num_embeddings`` (negative ones count from the end), or None."""
    vocab = args.positive_int("num_embeddings")
    value = args[key]
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise LayerError(f"'padding_idx' must be an integer or null, got {value!r}")
    if not -vocab <= value < vocab:
        raise LayerError(f"padding_idx must be within num_embeddings (got {value} for num_embeddings={vocab})")


_EMBED_LEGEND = {"V": "num_embeddings, the vocabulary size", "d": "embedding_dim"}


@torch_rule(
    "Embedding",
    ("num_embeddings", REQUIRED, Args.positive_int),
    ("embedding_dim", REQUIRED, Args.positive_int),
    ("padding_idx", None, _padding_idx),
    ("max_norm", None, maybe_number(0.0)),
    ("norm_type", 2.0, Args.number),
    ("scale_grad_by_freq", False, Args.flag),
    ("sparse", False, Args.flag),
    ("_weight", None, no_tensor),
    ("_freeze", False, Args.flag),
    legend=_EMBED_LEGEND,
)
def embedding(args: Args, x: Maybe) -> Outcome:
    """A lookup table with one d-wide row per vocabulary entry: V·d weights, no bias.
    padding_idx only keeps its row at zero (it is still a parameter), max_norm renormalises
    rows at lookup time; neither changes the count. Each index becomes its row: (*) -> (*, d).
    """
    vocab = args.positive_int("num_embeddings")
    width = args.positive_int("embedding_dim")
    frozen = args.flag("_freeze")
    terms = [Term("E", "weight", (vocab, width), ("V", "d"), trainable=not frozen)]
    shape = None if x is None else (*x, width)
    return Outcome(shape=shape, terms=terms, formula="V*d", symbols={"V": vocab, "d": width})


@torch_rule(
    "EmbeddingBag",
    ("num_embeddings", REQUIRED, Args.positive_int),
    ("embedding_dim", REQUIRED, Args.positive_int),
    ("max_norm", None, maybe_number(0.0)),
    ("norm_type", 2.0, Args.number),
    ("scale_grad_by_freq", False, Args.flag),
    ("mode", "mean", one_of("sum", "mean", "max")),
    ("sparse", False, Args.flag),
    ("_weight", None),  # checked after include_last_offset, as before: torch checks neither
    ("include_last_offset", False, Args.flag),
    ("padding_idx", None),
    legend=_EMBED_LEGEND,
)
def embedding_bag(args: Args, x: Maybe) -> Outcome:
    """An Embedding table (V·d) whose looked-up rows are reduced per bag (sum, mean or max)
    without materialising them: same V·d parameters, output (bags, d).
    """
    vocab = args.positive_int("num_embeddings")
    width = args.positive_int("embedding_dim")
    mode = args.choice("mode", ("sum", "mean", "max"))
    sparse = args.flag("sparse")
    no_tensor(args, "_weight")
    _padding_idx(args, "padding_idx")
    terms = [Term("E", "weight", (vocab, width), ("V", "d"))]
    shape = None
    if x is not None:
        if len(x) == 1:
            raise LayerError(
                f"EmbeddingBag reads a 2-D (bags, indices) input here, got {show(x)}",
                hint="a 1-D input needs offsets, which a spec cannot give",
            )
        check_rank(x, "EmbeddingBag", {2: "(B, N)"})
        if mode == "max" and sparse:
            raise LayerError("EmbeddingBag: max mode does not support sparse weights", hint="use sparse=False")
        if mode == "max" and args.flag("scale_grad_by_freq"):
            raise LayerError("EmbeddingBag: max mode does not support scaling the gradient by the frequency")
        shape = (x[0], width)
    return Outcome(shape=shape, terms=terms, formula="V*d", symbols={"V": vocab, "d": width})


@torch_rule(
    "PReLU", ("num_parameters", 1, Args.positive_int), ("init", 0.25, Args.number), legend={"a": "num_parameters"}
)
def prelu(args: Args, x: Maybe) -> Outcome:
    """max(0, x) + a·min(0, x) with a learned slope a: one shared slope (num_parameters=1)
    or one per channel (axis 1 of the input), so a parameters.
    """
    count = args.positive_int("num_parameters")
    if x is not None and count != 1:
        channels = x[1] if len(x) >= 2 else 1
        if channels is not None and channels != count:
            raise LayerError(
                f"PReLU has {count} parameters but its input {show(x)} has {channels} channels on axis 1",
                hint="num_parameters must be 1 or the number of channels",
            )
    return Outcome(shape=x, terms=[Term("a", "weight", (count,), ("a",))], formula="a", symbols={"a": count})


# --------------------------------------------------------------------------- weightless
_INPLACE: Param = ("inplace", False, Args.flag)
_NUMBER = Args.number
_ELEMENTWISE: dict[str, tuple[Param, ...]] = {
    "ReLU": (_INPLACE,),
    "ReLU6": (_INPLACE,),
    "LeakyReLU": (("negative_slope", 0.01, _NUMBER), _INPLACE),
    "ELU": (("alpha", 1.0, _NUMBER), _INPLACE),
    "CELU": (("alpha", 1.0, _NUMBER), _INPLACE),
    "SELU": (_INPLACE,),
    "SiLU": (_INPLACE,),
    "Mish": (_INPLACE,),
    "Hardsigmoid": (_INPLACE,),
    "Hardswish": (_INPLACE,),
    "Tanh": (),
    "Sigmoid": (),
    "LogSigmoid": (),
    "Softsign": (),
    "Tanhshrink": (),
    "Softplus": (("beta", 1.0, _NUMBER), ("threshold", 20.0, _NUMBER)),
    "Softshrink": (("lambd", 0.5, _NUMBER),),
    "Hardshrink": (("lambd", 0.5, _NUMBER),),
    "Threshold": (("threshold", REQUIRED, _NUMBER), ("value", REQUIRED, _NUMBER), _INPLACE),
    "Hardtanh": (
        ("min_val", -1.0, _NUMBER),
        ("max_val", 1.0, _NUMBER),
        _INPLACE,
        ("min_value", None, maybe_number()),
        ("max_value", None, maybe_number()),
    ),
    "RReLU": (("lower", 1.0 / 8, _NUMBER), ("upper", 1.0 / 3, _NUMBER), _INPLACE),
    "GELU": (("approximate", "none", one_of("none", "tanh")),),
}
_DROPOUTS = {
    "Dropout": {},
    "AlphaDropout": {},
    "FeatureAlphaDropout": {},
    "Dropout1d": {2: "(C, L)", 3: "(N, C, L)"},
    "Dropout2d": {},
    "Dropout3d": {},
}


def _check_values(args: Args, x: Maybe) -> None:
    """Check the value ranges torch checks: in the constructor (Hardtanh) or, given an input,
    in forward.  The signature declares each option's kind (float, flag, choice).
    """
    numbers = {
        key: args.number(key) for key, value in args.values.items() if key not in _NOT_NUMBERS and value is not None
    }
    name = args.rule.name
    if name == "Hardtanh":
        low = numbers.get("min_value", numbers["min_val"])
        high = numbers.get("max_value", numbers["max_val"])
        if high <= low:
            raise LayerError(f"Hardtanh: max_val ({high:g}) must be greater than min_val ({low:g})")
    if x is None:
        return
    if name == "RReLU" and numbers["lower"] > numbers["upper"]:
        raise LayerError("RReLU: lower bound should be less than or equal to the upper bound")
    if name == "Softshrink" and numbers["lambd"] < 0:
        raise LayerError(f"Softshrink: lambd must be >= 0, got {numbers['lambd']:g}")
    if name == "CELU" and numbers["alpha"] == 0:
        raise LayerError("CELU: alpha cannot be 0")


_NOT_NUMBERS = ("inplace", "approximate")


def _register_elementwise(name: str, params: tuple[Param, ...]) -> None:
    @torch_rule(name, *params, weights=False)
    def elementwise(args: Args, x: Maybe) -> Outcome:
        """Applies a fixed function element by element: no parameters, output shape = input shape."""
        _check_values(args, x)
        return Outcome(shape=x, formula="0")


def _probability(args: Args, key: str) -> None:
    """A dropout probability in [0, 1], refused with torch's own words."""
    value = args[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise LayerError(f"dropout probability has to be between 0 and 1, but got {value!r}")


def _register_dropout(name: str, forms: dict[int, str]) -> None:
    @torch_rule(name, ("p", 0.5, _probability), _INPLACE, weights=False)
    def dropout(args: Args, x: Maybe) -> Outcome:
        """Zeroes inputs at random while training (whole channels for the 1d/2d/3d variants);
        no parameters, output shape = input shape.
        """
        if x is not None and forms:
            check_rank(x, name, forms)
        return Outcome(shape=x, formula="0")


for _name, _params in _ELEMENTWISE.items():
    _register_elementwise(_name, _params)
for _name, _forms in _DROPOUTS.items():
    _register_dropout(_name, _forms)


@torch_rule("Identity", weights=False, varargs=True)
def identity(args: Args, x: Maybe) -> Outcome:
    """Returns its input unchanged and ignores any constructor arguments: 0 parameters."""
    return Outcome(shape=x, formula="0")


def _register_softmax(name: str) -> None:
    @torch_rule(name, ("dim", None), weights=False)
    def softmax(args: Args, x: Maybe) -> Outcome:
        """Normalises along one axis (dim); no parameters, output shape = input shape."""
        dim = args["dim"]
        if dim is not None:
            dim = args.integer("dim", minimum=-(2**31))
            if x is not None:
                normalize_dim(dim, max(len(x), 1), name)
        return Outcome(shape=x, formula="0")


for _name in ("Softmax", "LogSoftmax", "Softmin"):
    _register_softmax(_name)


@torch_rule("Softmax2d", weights=False)
def softmax2d(args: Args, x: Maybe) -> Outcome:
    """Softmax over the channels of each location; no parameters, output shape = input shape."""
    if x is not None:
        check_rank(x, "Softmax2d", {3: "(C, H, W)", 4: "(N, C, H, W)"})
    return Outcome(shape=x, formula="0")


@torch_rule("GLU", ("dim", -1), weights=False)
def glu(args: Args, x: Maybe) -> Outcome:
    """Gated linear unit a·σ(b) with a, b the two halves of axis dim: no parameters, that
    axis halves.
    """
    dim = args.integer("dim", minimum=-(2**31))
    if x is None:
        return Outcome(shape=None, formula="0")
    axis = normalize_dim(dim, len(x), "GLU")
    size = x[axis]
    if size is not None and size % 2:
        raise LayerError(f"GLU halves axis {axis}, which must be even, got {show(x)}")
    half = None if size is None else size // 2
    return Outcome(shape=(*x[:axis], half, *x[axis + 1 :]), formula="0")


@torch_rule("Flatten", ("start_dim", 1), ("end_dim", -1), weights=False)
def flatten(args: Args, x: Maybe) -> Outcome:
    """Merges the axes start_dim..end_dim into one (by default every axis but the batch
    axis); no parameters.
    """
    start = args.integer("start_dim", minimum=-(2**31))
    end = args.integer("end_dim", minimum=-(2**31))
    if x is None:
        return Outcome(shape=None, formula="0")
    rank = max(len(x), 1)
    first = normalize_dim(start, rank, "Flatten", "start_dim")
    last = normalize_dim(end, rank, "Flatten", "end_dim")
    if first > last:
        raise LayerError(f"Flatten: start_dim ({start}) cannot come after end_dim ({end}) for {show(x)}")
    if not x:
        return Outcome(shape=(1,), formula="0")
    merged = x[first : last + 1]
    size = None if any(d is None for d in merged) else prod(d for d in merged if d is not None)
    return Outcome(shape=(*x[:first], size, *x[last + 1 :]), formula="0")


@torch_rule("Unflatten", "dim", "unflattened_size", weights=False)
def unflatten(args: Args, x: Maybe) -> Outcome:
    """Splits axis dim into unflattened_size (one -1 is inferred); no parameters."""
    dim = args.integer("dim", minimum=-(2**31))
    value = args["unflattened_size"]
    if isinstance(value, (list, tuple)) and value.count(-1) == 1:
        parts: tuple[int | None, ...] = tuple(value)
        if any(not isinstance(p, int) or isinstance(p, bool) or (p < 1 and p != -1) for p in parts):
            raise LayerError(f"'unflattened_size' values must be positive integers or one -1, got {value!r}")
    elif isinstance(value, (list, tuple)):
        parts = sizes(args, "unflattened_size")
    else:
        raise LayerError(f"'unflattened_size' must be a list of integers, got {value!r}")
    if x is None:
        return Outcome(shape=None, formula="0")
    axis = normalize_dim(dim, len(x), "Unflatten")
    size = x[axis]
    known_part = prod(p for p in parts if p is not None and p != -1)
    if -1 in parts:
        if size is not None and size % known_part:
            raise LayerError(f"Unflatten cannot split {size} into {list(parts)} for {show(x)}")
        inferred = None if size is None else size // known_part
        parts = tuple(inferred if p == -1 else p for p in parts)
    elif size is not None and known_part != size:
        raise LayerError(f"Unflatten: unflattened_size {list(parts)} must multiply to {size}, the size of axis {axis}")
    return Outcome(shape=(*x[:axis], *parts, *x[axis + 1 :]), formula="0")
