"""FLOP formulas of transformers modules (decoder layers, encoder and encoder-decoder blocks, heads).

Why apart: the transformers families are table-driven and many; their blocks are counted from
their parameter terms (every projection on every token) plus the attention matmuls.
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING

from paramcalc.flops import (
    FlopFn,
    FlopTerm,
    Sizes,
    Unknown,
    _attention,
    _input,
    _matmul_terms,
    _matrices,
    _rows,
    flops,
)

if TYPE_CHECKING:
    from paramcalc.report import LayerRow


# --------------------------------------------------------------------------- transformers (HF)
def _hf_block(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """A transformer block: every projection on every token, and attention computed in full.

    transformers' attention (eager, or SDPA's math) multiplies the whole L × L score matrix
    and masks it: a causal or sliding-window mask hides products, it does not skip them.  A
    T5 decoder block (and a block with ``add_cross_attention``) attends twice: to itself and
    to the encoder's tokens, which ``--seq-len`` sets to the same length.
    """
    shape = _input(row, sizes)
    tokens = _rows(shape)
    n, length = shape[0], prod(shape[1:-1])
    symbols = dict(row.symbols)
    args = row.args
    matrices = [t for t in _matrices(row) if "relative_attention_bias" not in t.weight]
    out = _matmul_terms(row, tokens, "tokens", matrices)
    heads = symbols.get("heads") or args.get("n_head") or args.get("num_attention_heads") or args.get("num_heads")
    width = symbols.get("h") or args.get("n_embd") or args.get("hidden_size") or args.get("d_model")
    if not isinstance(heads, int) or not isinstance(width, int):
        raise Unknown
    d = symbols.get("head_dim") or symbols.get("d_kv") or args.get("d_kv") or width // heads
    attentions = 1 + int(bool(args.get("add_cross_attention")))
    if row.class_name == "T5Block" and args.get("is_decoder"):
        attentions += 1
    for index in range(attentions):
        where = " (cross-attention)" if index else ""
        out += [t._replace(name=t.name + where) for t in _attention(n, heads, length, length, d, d)]
    return out


def _hf_mlp(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """A transformers MLP or mixture of experts alone: its projections on every token (routed: k of E)."""
    return _matmul_terms(row, _rows(_input(row, sizes)), "tokens")


@flops("BertPooler", framework="transformers")
def _bert_pooler(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """BERT's pooler reads the first token only: one row per sequence."""
    return _matmul_terms(row, _input(row, sizes)[0], "N")


@flops("Linear", "BertLMPredictionHead", framework="transformers")
def _hf_linear(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """The LM head (BERT's: a dense transform, then the decoder): matmuls on every token."""
    return _matmul_terms(row, _rows(_input(row, sizes)), "tokens")


def fallback(class_name: str) -> FlopFn | None:
    """The formula of a transformers class with none registered, by what its name says it is."""
    if class_name.endswith(("MLP", "LayerFF", "SparseMoeBlock")):
        return _hf_mlp
    if class_name.endswith(("Layer", "Block", "Attention")):
        return _hf_block
    return None
