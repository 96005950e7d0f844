"""Keras attention layers: MultiHeadAttention, GroupedQueryAttention, Attention, AdditiveAttention.

Weight names, shapes and order follow ``keras/src/layers/attention``.  MultiHeadAttention
and GroupedQueryAttention hold their projections as EinsumDense sub-layers named
``query``, ``key``, (``gate``), ``value`` and ``attention_output``: each has a ``kernel``
and, with ``use_bias``, a ``bias`` over its output axes.  These layers are called on
``query, value[, key]``: give them two or three ``inputs:``.  While they are built Keras
creates an unnamed Softmax and Dropout, which use up the names ``softmax`` and
``dropout`` (a later Dropout is ``dropout_1``), and so does paramcalc.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from paramcalc.errors import LayerError
from paramcalc.report import Shape, Term
from paramcalc.rules import Args, Outcome, rule
from paramcalc.rules.core import KERNEL_BIAS_OPTIONS
from paramcalc.shapes import format_shape, known_axis

_INIT_OPTIONS = KERNEL_BIAS_OPTIONS  # initializers, regularizers, constraints, in Keras' order
_BUILD_NAMES = ("softmax", "dropout")


class Projection(NamedTuple):
    """One EinsumDense projection: a (width, heads, size) kernel and a (heads, size) bias."""

    scope: str
    symbol: str
    width: int
    width_symbol: str
    heads: int
    heads_symbol: str
    size: int
    size_symbol: str


def _project(
    projections: list[Projection],
    heads: tuple[int, str],
    size: tuple[int, str],
    out: tuple[int, ...],
    out_symbols: tuple[str, ...],
    bias: bool,
) -> tuple[list[Term], str]:
    """Terms and closed form of the input projections, then of ``attention_output``, which
    maps the ``heads`` heads of ``size`` back to ``out`` (kernel (heads, size, *out), bias
    ``out``), in Keras' weight order.
    """
    terms: list[Term] = []
    parts: list[str] = []
    for p in projections:
        dims = (p.width_symbol, p.heads_symbol, p.size_symbol)
        terms.append(Term(p.symbol, "kernel", (p.width, p.heads, p.size), dims, scope=p.scope))
        if bias:
            terms.append(Term(f"b_{p.symbol[2:]}", "bias", (p.heads, p.size), dims[1:], scope=p.scope))
        width = f"({p.width_symbol}+1)" if bias else p.width_symbol
        parts.append(f"{p.heads_symbol}*{p.size_symbol}*{width}")
    out_dims = (heads[1], size[1], *out_symbols)
    terms.append(Term("W_o", "kernel", (heads[0], size[0], *out), out_dims, scope="attention_output"))
    parts.append("*".join(out_dims))
    if bias:
        terms.append(Term("b_o", "bias", out, out_symbols, scope="attention_output"))
        parts.append("*".join(out_symbols))
    return terms, "+".join(parts)


def _query_value_key(name: str, xs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
    """The inputs as (query, value, key); the key defaults to the value, as in Keras."""
    if len(xs) not in (2, 3):
        raise LayerError(
            f"{name} is called on query and value (and optionally key): 2 or 3 inputs, got {len(xs)}",
            hint="in a graph: inputs: [query, value] or [query, value, key]",
        )
    query, value = xs[0], xs[1]
    key = xs[2] if len(xs) == 3 else value
    return query, value, key


def _check_value_key(value: Shape, key: Shape) -> None:
    if value[:-1] != key[:-1]:
        raise LayerError(
            f"value {format_shape(value)} and key {format_shape(key)} must be equal on every axis but the last",
            hint="the key and value describe the same positions",
        )


def _width(shape: Shape, what: str) -> int:
    if not shape:
        raise LayerError(f"the {what} needs at least one axis besides the batch, got {format_shape(shape)}")
    return known_axis(shape, -1, f"{what} width (last axis)")


def _dropout(args: Args) -> None:
    args.number("dropout", 0.0, 1.0)
    window = args.get("sliding_window")
    if window is not None:
        args.positive_int("sliding_window")


def _output_dims(args: Args) -> tuple[int, ...] | None:
    """``output_shape``: an int or a list of ints (None or empty: the query width)."""
    value = args["output_shape"]
    if value is None or value == [] or value == () or value == 0:
        return None
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in items
    ):
        raise LayerError(f"'output_shape' must be a positive integer or a list of them, got {value!r}")
    return tuple(items)


def _attention_axes(args: Args, query: Shape) -> tuple[int, ...]:
    """Normalized attention axes, counted with the batch axis as Keras counts them."""
    value = args["attention_axes"]
    rank = len(query) + 1
    if value is None:
        return tuple(range(1, rank - 1))
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(a, int) for a in items):
        raise LayerError(f"'attention_axes' must be an axis or a list of axes, got {value!r}")
    axes = tuple(a if a >= 0 else rank + a for a in items)
    for axis in axes:
        if not 1 <= axis <= rank - 2:
            raise LayerError(
                f"attention axis {axis} is not a position axis of the query {format_shape(query)}",
                hint=f"use axes between 1 and {rank - 2} (not the batch or the feature axis)",
            )
    return axes


@rule(
    "MultiHeadAttention",
    "num_heads",
    "key_dim",
    ("value_dim", None),
    ("dropout", 0.0),
    ("use_bias", True),
    ("output_shape", None),
    ("attention_axes", None),
    ("sliding_window", None),
    ("flash_attention", None),
    *_INIT_OPTIONS,
    ("use_gate", False),
    ("seed", None),
    legend={
        "h": "num_heads",
        "d": "key_dim, the size of each query/key head",
        "e": "value_dim, the size of each value head (key_dim when not given)",
        "q": "query width, the last axis of the query",
        "k": "key width, the last axis of the key (the value when no key is given)",
        "v": "value width, the last axis of the value",
        "o": "output size: output_shape (its product), else the query width",
    },
    min_rank=2,
    expects="(positions..., features)",
    multi_input=True,
    build_names=_BUILD_NAMES,
    sublayers_at_build=True,
)
def multi_head_attention(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Four projections, one per role, each split into h heads: the query and key project
    to h heads of key_dim d, the value to h heads of value_dim e, and the output projection
    maps the h·e head outputs back to o features. Each projection has a bias per output
    unit: h·d·(q+1) + h·d·(k+1) + h·e·(v+1) + h·e·o + o. With use_gate a sigmoid gate on
    the query adds h·e·(q+1). The number of heads does not change the count when
    d = q/h: it only splits the same width.
    """
    query, value, key = _query_value_key("MultiHeadAttention", xs)
    heads = args.positive_int("num_heads")
    key_dim = args.positive_int("key_dim")
    value_dim = args.optional_int("value_dim") or key_dim
    _dropout(args)
    bias = args.flag("use_bias")
    gate = args.flag("use_gate")
    if not len(query) == len(value) == len(key):
        raise LayerError(
            f"query {format_shape(query)}, value {format_shape(value)} and key {format_shape(key)} "
            "must have the same rank"
        )
    _check_value_key(value, key)
    _attention_axes(args, query)
    out_dims = _output_dims(args)
    q, v, k = _width(query, "query"), _width(value, "value"), _width(key, "key")
    out = out_dims if out_dims is not None else (q,)
    o = 1
    for size in out:
        o *= size
    out_symbols = ("o",) if len(out) == 1 else tuple(str(size) for size in out)
    symbols = {"h": heads, "d": key_dim, "e": value_dim, "q": q, "k": k, "v": v, "o": o}
    projections = [
        Projection("query", "W_q", q, "q", heads, "h", key_dim, "d"),
        Projection("key", "W_k", k, "k", heads, "h", key_dim, "d"),
    ]
    if gate:
        projections.append(Projection("gate", "W_g", q, "q", heads, "h", value_dim, "e"))
    projections.append(Projection("value", "W_v", v, "v", heads, "h", value_dim, "e"))
    terms, formula = _project(projections, (heads, "h"), (value_dim, "e"), out, out_symbols, bias)
    shape: Shape = (*query[:-1], *out) if out_dims is not None else query
    return Outcome(shape=shape, terms=terms, formula=formula, symbols=symbols)


@rule(
    "GroupedQueryAttention",
    "head_dim",
    "num_query_heads",
    "num_key_value_heads",
    ("dropout", 0.0),
    ("use_bias", True),
    ("sliding_window", None),
    ("flash_attention", None),
    *_INIT_OPTIONS,
    ("use_gate", False),
    ("seed", None),
    aliases=("GroupQueryAttention",),
    legend={
        "h": "head_dim",
        "u": "num_query_heads",
        "g": "num_key_value_heads (groups of query heads share one key/value head)",
        "m": "model width: the last axis of the query and of the value",
        "m_k": "key width, the last axis of the key (the value when no key is given)",
    },
    min_rank=2,
    max_rank=2,
    expects="(sequence, features)",
    multi_input=True,
    build_names=_BUILD_NAMES,
    sublayers_at_build=True,
)
def grouped_query_attention(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Like multi-head attention, but only g key/value heads, each shared by u/g query
    heads: the query projects to u heads of size h, the key and value to g heads, and the
    output maps the u·h head outputs back to the m model features:
    u·h·(m+1) + g·h·(m_k+1) + g·h·(m+1) + u·h·m + m. g = 1 is multi-query attention,
    g = u plain multi-head attention.
    """
    query, value, key = _query_value_key("GroupedQueryAttention", xs)
    head_dim = args.positive_int("head_dim")
    query_heads = args.positive_int("num_query_heads")
    kv_heads = args.positive_int("num_key_value_heads")
    if query_heads % kv_heads:
        raise LayerError(
            f"num_query_heads ({query_heads}) must be divisible by num_key_value_heads ({kv_heads})",
            hint="each key/value head serves an equal group of query heads",
        )
    _dropout(args)
    bias = args.flag("use_bias")
    gate = args.flag("use_gate")
    _check_value_key(value, key)
    m, m_v, m_k = _width(query, "query"), _width(value, "value"), _width(key, "key")
    if m != m_v:
        raise LayerError(
            f"the query {format_shape(query)} and value {format_shape(value)} must have the same last axis",
            hint="GroupedQueryAttention's output has the query's width and is built from the values",
        )
    symbols = {"h": head_dim, "u": query_heads, "g": kv_heads, "m": m, "m_k": m_k}
    projections = [
        Projection("query", "W_q", m, "m", query_heads, "u", head_dim, "h"),
        Projection("key", "W_k", m_k, "m_k", kv_heads, "g", head_dim, "h"),
    ]
    if gate:
        projections.append(Projection("gate", "W_g", m, "m", query_heads, "u", head_dim, "h"))
    projections.append(Projection("value", "W_v", m, "m", kv_heads, "g", head_dim, "h"))
    terms, formula = _project(projections, (query_heads, "u"), (head_dim, "h"), (m,), ("m",), bias)
    return Outcome(shape=query, terms=terms, formula=formula, symbols=symbols)


def _dot_attention_inputs(name: str, xs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
    query, value, key = _query_value_key(name, xs)
    if not len(query) == len(value) == len(key):
        raise LayerError(
            f"query {format_shape(query)}, value {format_shape(value)} and key {format_shape(key)} "
            "must have the same rank"
        )
    # Keras builds (and counts) these layers even when the query and key widths differ, or
    # the key and value lengths: the scores fail only when the model runs. So does paramcalc.
    return query, value, key


@rule(
    "Attention",
    ("use_scale", False),
    ("score_mode", "dot"),
    ("dropout", 0.0),
    ("seed", None),
    min_rank=2,
    expects="(sequence, features)",
    multi_input=True,
)
def attention(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Dot-product (Luong) attention has no projections: scores are query·key. use_scale
    adds one learned scalar that scales the scores, score_mode="concat" one more scalar
    weighting tanh(query + key). So 0, 1 or 2 parameters, whatever the widths.
    """
    query, value, _ = _dot_attention_inputs("Attention", xs)
    mode = args.choice("score_mode", ("dot", "concat"))
    args.number("dropout", 0.0, 1.0)
    terms = []
    if args.flag("use_scale"):
        terms.append(Term("s", "scale", (), ()))
    if mode == "concat":
        terms.append(Term("c", "concat_score_weight", (), ()))
    return Outcome(shape=(*query[:-1], value[-1]), terms=terms, formula=str(len(terms)))


@rule(
    "AdditiveAttention",
    ("use_scale", True),
    ("dropout", 0.0),
    ("seed", None),
    ("score_mode", "dot"),
    legend={"d": "query width, the last axis of the query"},
    min_rank=2,
    expects="(sequence, features)",
    multi_input=True,
)
def additive_attention(args: Args, xs: Sequence[Shape]) -> Outcome:
    """Additive (Bahdanau) attention scores sum(scale·tanh(query + key)) over the features:
    with use_scale (the default) a learned scale per query feature, d weights; without it
    none.
    """
    query, value, _ = _dot_attention_inputs("AdditiveAttention", xs)
    args.number("dropout", 0.0, 1.0)
    if not args.flag("use_scale"):
        return Outcome(shape=(*query[:-1], value[-1]), formula="0")
    d = _width(query, "query")
    terms = [Term("s", "scale", (d,), ("d",))]
    return Outcome(shape=(*query[:-1], value[-1]), terms=terms, formula="d", symbols={"d": d})
