"""GPT-2 (``transformers.models.gpt2``): blocks built from ``Conv1D``, not ``nn.Linear``.

GPT-2 keeps OpenAI's original layout: its projections are ``Conv1D(nf, nx)`` modules whose
``weight`` is stored **(in, out)** (transposed from ``nn.Linear``), and q, k, v are one
fused ``c_attn`` of width 3·h.  Every projection and both LayerNorms have biases.  With
``add_cross_attention`` each block gains a cross-attention (``c_attn`` of width 2·h for
keys and values, ``q_attn`` for queries) and its own LayerNorm.
"""

from __future__ import annotations

from typing import Any

from paramcalc.rules import Args, Outcome, Shape, Term, rule
from paramcalc.rules.hf_common import FRAMEWORK, Parts, check_divisible, check_hidden, join, norm
from paramcalc.spec.hf_families import defaults
from paramcalc.spec.hf_signatures import GPT2_BLOCK_KEYS

LEGEND = {"h": "n_embd, the hidden size", "I": "n_inner, the MLP width (default 4·n_embd)"}
COMMON: dict[str, Any] = {"framework": FRAMEWORK, "base": False, "legend": LEGEND, "min_rank": 1}


def conv1d(path: str, symbol: str, shape: tuple[int, int], dims: tuple[str, str], prefix: str = "") -> list[Term]:
    """A GPT-2 ``Conv1D``: weight (in, out) and bias (out,)."""
    return [
        Term(f"W_{symbol}", join(prefix, path, "weight"), shape, dims),
        Term(f"b_{symbol}", join(prefix, path, "bias"), (shape[1],), (dims[1],)),
    ]


def _hidden(args: Args) -> int:
    h = args.positive_int("n_embd")
    check_divisible(h, args.positive_int("n_head"), "GPT2Attention", ("n_embd", "n_head"))
    return h


def _attention(parts: Parts, h: int, cross: bool, prefix: str) -> None:
    if cross:
        terms = conv1d("c_attn", "kv", (h, 2 * h), ("h", "2*h"), prefix)
        terms += conv1d("q_attn", "q", (h, h), ("h", "h"), prefix)
    else:
        terms = conv1d("c_attn", "qkv", (h, 3 * h), ("h", "3*h"), prefix)
    terms += conv1d("c_proj", "xo" if cross else "o", (h, h), ("h", "h"), prefix)
    parts.add(terms, "4*h*(h + 1)")


def _mlp(parts: Parts, h: int, inner: int, prefix: str) -> None:
    terms = conv1d("c_fc", "fc", (h, inner), ("h", "I"), prefix) + conv1d(
        "c_proj", "proj", (inner, h), ("I", "h"), prefix
    )
    parts.add(terms, "2*h*I + I + h")


def _inner(args: Args, h: int) -> int:
    inner = args.optional_int("n_inner")
    return 4 * h if inner is None else inner


@rule("GPT2Attention", *defaults("gpt2", "n_embd", "n_head"), ("is_cross_attention", False), **COMMON)
def gpt2_attention(args: Args, x: Shape) -> Outcome:
    """GPT-2 attention: one fused Conv1D c_attn (h × 3h, q, k and v side by side) and the
    output c_proj (h × h), both with biases: 4·h·(h + 1). As cross-attention, c_attn makes
    only keys and values (h × 2h) and q_attn (h × h) the queries: the same count.
    """
    h = _hidden(args)
    parts = Parts()
    _attention(parts, h, args.flag("is_cross_attention"), "")
    return Outcome(shape=check_hidden(x, h), terms=parts.terms, formula=parts.formula, symbols={"h": h})


@rule("GPT2MLP", *defaults("gpt2", "n_embd", "n_inner"), **COMMON)
def gpt2_mlp(args: Args, x: Shape) -> Outcome:
    """GPT-2's MLP: c_fc (h × I) and c_proj (I × h), Conv1D with biases: 2·h·I + I + h,
    I = n_inner or 4·h.
    """
    h = args.positive_int("n_embd")
    inner = _inner(args, h)
    parts = Parts()
    _mlp(parts, h, inner, "")
    return Outcome(shape=check_hidden(x, h), terms=parts.terms, formula=parts.formula, symbols={"h": h, "I": inner})


@rule("GPT2Block", *defaults("gpt2", *GPT2_BLOCK_KEYS), **COMMON)
def gpt2_block(args: Args, x: Shape) -> Outcome:
    """A GPT-2 block: LayerNorm, attention, LayerNorm, MLP (pre-norm, every LayerNorm with
    scale and shift, 2·h). Conv1D weights are stored (in, out). With add_cross_attention the
    block also has a cross-attention and its LayerNorm, between the attention and the MLP.
    """
    h = _hidden(args)
    inner = _inner(args, h)
    parts = Parts()
    parts.add(norm("ln_1", "ln1", h, "h", bias=True), "2*h")
    _attention(parts, h, False, "attn.")
    parts.add(norm("ln_2", "ln2", h, "h", bias=True), "2*h")
    if args.flag("add_cross_attention"):
        _attention(parts, h, True, "crossattention.")
        parts.add(norm("ln_cross_attn", "lnx", h, "h", bias=True), "2*h")
    _mlp(parts, h, inner, "mlp.")
    return Outcome(shape=check_hidden(x, h), terms=parts.terms, formula=parts.formula, symbols={"h": h, "I": inner})
