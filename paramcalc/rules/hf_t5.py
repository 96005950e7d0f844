"""T5 (``transformers.models.t5``): encoder and decoder blocks, no biases anywhere.

T5's projections have no biases and its LayerNorm is an RMS norm (a scale, no shift).
Attention is ``num_heads × d_kv`` wide, which need not equal ``d_model`` (t5-v1_1-small:
6 × 64 = 384 against d_model 512).  Positions are not embedded: a learned table of
``relative_attention_num_buckets × num_heads`` biases is added to the attention scores, and
**only the first block of each stack owns it** (the other blocks reuse block 0's), so the
encoder and the decoder each hold exactly one.  ``feed_forward_proj: gated-gelu`` (T5 v1.1,
Flan-T5) makes the feed-forward gated: two input matrices ``wi_0`` and ``wi_1`` instead of
one ``wi``.
"""

from __future__ import annotations

from typing import Any

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome, Shape, Term, rule
from paramcalc.rules.hf_common import FRAMEWORK, Parts, check_hidden, join, linear, norm
from paramcalc.spec.hf_families import defaults
from paramcalc.spec.hf_t5_families import T5_BLOCK_KEYS

LEGEND = {
    "d": "d_model, the hidden size",
    "heads": "num_heads",
    "d_kv": "d_kv, size of one head (heads·d_kv need not equal d_model)",
    "d_ff": "d_ff, the feed-forward width",
    "B": "relative_attention_num_buckets",
}
COMMON: dict[str, Any] = {"framework": FRAMEWORK, "base": False, "legend": LEGEND, "min_rank": 1}


def gated(args: Args) -> bool:
    """Whether ``feed_forward_proj`` is a gated activation (``gated-gelu``), as T5Config parses it."""
    proj = args.string("feed_forward_proj")
    parts = proj.split("-")
    if (len(parts) > 1 and parts[0] != "gated") or len(parts) > 2:
        raise LayerError(
            f"feed_forward_proj '{proj}' is not an activation like 'relu' or 'gated-gelu'",
            hint="T5Config refuses it",
        )
    return parts[0] == "gated"


def _attention(parts: Parts, args: Args, prefix: str, relative: bool, tag: str = "") -> dict[str, int]:
    """q, k, v, o (no biases) and, in block 0's self-attention, the relative position table."""
    d = args.positive_int("d_model")
    heads = args.positive_int("num_heads")
    d_kv = args.positive_int("d_kv")
    inner = heads * d_kv
    terms = [
        *linear("q", f"{tag}q", (inner, d), ("heads*d_kv", "d"), False, prefix),
        *linear("k", f"{tag}k", (inner, d), ("heads*d_kv", "d"), False, prefix),
        *linear("v", f"{tag}v", (inner, d), ("heads*d_kv", "d"), False, prefix),
        *linear("o", f"{tag}o", (d, inner), ("d", "heads*d_kv"), False, prefix),
    ]
    parts.add(terms, "4*d*heads*d_kv")
    symbols = {"d": d, "heads": heads, "d_kv": d_kv}
    if relative:
        buckets = args.positive_int("relative_attention_num_buckets")
        weight = join(prefix, "relative_attention_bias", "weight")
        parts.add([Term("R", weight, (buckets, heads), ("B", "heads"))], "B*heads")
        symbols["B"] = buckets
    return symbols


def _feed_forward(parts: Parts, args: Args, prefix: str) -> dict[str, int]:
    d = args.positive_int("d_model")
    d_ff = args.positive_int("d_ff")
    ff = join(prefix, "DenseReluDense")
    if gated(args):
        terms = linear("wi_0", "i0", (d_ff, d), ("d_ff", "d"), False, f"{ff}.")
        terms += linear("wi_1", "i1", (d_ff, d), ("d_ff", "d"), False, f"{ff}.")
        piece = "3*d*d_ff"
    else:
        terms = linear("wi", "i", (d_ff, d), ("d_ff", "d"), False, f"{ff}.")
        piece = "2*d*d_ff"
    terms += linear("wo", "out", (d, d_ff), ("d", "d_ff"), False, f"{ff}.")
    parts.add(terms, piece)
    parts.add(norm("layer_norm", "ff", d, "d", prefix=prefix), "d")
    return {"d": d, "d_ff": d_ff}


@rule(
    "T5Attention",
    *defaults("t5", "d_model", "d_kv", "num_heads", "relative_attention_num_buckets"),
    ("has_relative_attention_bias", False),
    **COMMON,
)
def t5_attention(args: Args, x: Shape) -> Outcome:
    """T5 attention: q, k, v (heads·d_kv × d) and o (d × heads·d_kv), no biases:
    4·d·heads·d_kv; the first block's self-attention also owns the relative position
    bias table (B × heads).
    """
    parts = Parts()
    symbols = _attention(parts, args, "", args.flag("has_relative_attention_bias"))
    return Outcome(
        shape=check_hidden(x, symbols["d"], "d_model"), terms=parts.terms, formula=parts.formula, symbols=symbols
    )


@rule("T5LayerFF", *defaults("t5", "d_model", "d_ff", "feed_forward_proj"), **COMMON)
def t5_layer_ff(args: Args, x: Shape) -> Outcome:
    """T5's feed-forward: wi (d_ff × d) and wo (d × d_ff) without biases, or with a gated
    activation wi_0 and wi_1 (three matrices), plus its RMS norm (d).
    """
    parts = Parts()
    symbols = _feed_forward(parts, args, "")
    return Outcome(
        shape=check_hidden(x, symbols["d"], "d_model"), terms=parts.terms, formula=parts.formula, symbols=symbols
    )


@rule(
    "T5Block",
    *defaults("t5", *T5_BLOCK_KEYS),
    ("is_decoder", False),
    ("has_relative_attention_bias", False),
    **COMMON,
)
def t5_block(args: Args, x: Shape) -> Outcome:
    """A T5 block: layer.0 self-attention and its RMS norm; in the decoder, layer.1
    cross-attention (EncDecAttention) and its norm; then the feed-forward and its norm. No
    biases. Block 0 of each stack also owns the relative attention bias (B × heads) that
    the later blocks reuse.
    """
    parts = Parts()
    symbols = _attention(parts, args, "layer.0.SelfAttention.", args.flag("has_relative_attention_bias"))
    parts.add(norm("layer.0.layer_norm", "sa", symbols["d"], "d"), "d")
    ff_index = 1
    if args.flag("is_decoder"):
        _attention(parts, args, "layer.1.EncDecAttention.", False, tag="x")
        parts.add(norm("layer.1.layer_norm", "ca", symbols["d"], "d"), "d")
        ff_index = 2
    symbols.update(_feed_forward(parts, args, f"layer.{ff_index}."))
    return Outcome(
        shape=check_hidden(x, symbols["d"], "d_model"), terms=parts.terms, formula=parts.formula, symbols=symbols
    )
