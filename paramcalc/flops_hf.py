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
from paramcalc.frameworks import framework_of

if TYPE_CHECKING:
    from paramcalc.report import LayerRow, Report


# --------------------------------------------------------------------------- transformers (HF)
def _hf_block(row: LayerRow, sizes: Sizes) -> list[FlopTerm]:
    """A transformer block: every projection on every token, and attention computed in full.

    transformers' attention (eager, or SDPA's math) multiplies the whole L × L score matrix
    and masks it: a causal or sliding-window mask hides products, it does not skip them.  A
    T5 decoder block (and a block with ``add_cross_attention``) attends twice: to itself and
    to the encoder's tokens, which ``--seq-len`` sets to the same length.
    """
    if "Mamba" in row.class_name:
        raise Unknown  # the selective scan (its reference loop multiplies per step) is not derived
    shape = _input(row, sizes)
    tokens = _rows(shape)
    n, length = shape[0], prod(shape[1:-1])
    symbols = dict(row.symbols)
    args = row.args
    matrices = [t for t in _matrices(row) if "relative_attention_bias" not in t.weight]
    if row.class_name == "T5Block" and not in_decoder(row.name):
        matrices = [t for t in matrices if "EncDecAttention" not in t.weight]
    out = _matmul_terms(row, tokens, "tokens", matrices)
    heads = symbols.get("heads") or args.get("n_head") or args.get("num_attention_heads") or args.get("num_heads")
    width = symbols.get("h") or args.get("n_embd") or args.get("hidden_size") or args.get("d_model")
    if not isinstance(heads, int) or not isinstance(width, int):
        raise Unknown
    d = symbols.get("head_dim") or symbols.get("d_kv") or args.get("d_kv") or width // heads
    d_v = d
    d = rotated_head_dim(row.class_name, d, sizes.rotary)
    if "kv_lora" in symbols:  # MLA (DeepSeek): queries/keys of nope + rope dims, values of v_head_dim
        d, d_v = symbols["q_width"] // heads, symbols["o_in"] // heads
    attentions = 1 + int(bool(args.get("add_cross_attention")))
    if row.class_name == "T5Block" and args.get("is_decoder") and in_decoder(row.name):
        attentions += 1  # an encoder's block built with is_decoder has the weights, never the encoder states
    for index in range(attentions):
        where = " (cross-attention)" if index else ""
        out += [t._replace(name=t.name + where) for t in _attention(n, heads, length, length, d, d_v)]
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


def in_decoder(name: str) -> bool:
    """Whether a row sits in an encoder-decoder's decoder stack (``decoder.block.0``)."""
    return "decoder" in name.split(".")


VERIFIED_RECIPES = frozenset({"mt5", "umt5"})
"""Declarative (recipe) families derived row by row here (T5 blocks, checked against FlopCounterMode).

The other recipe families' rows do not carry the forward pass's token counts (a pooled head
reads one token, a vision tower's tokens are its patches): :mod:`paramcalc.flops_recipes`
derives them from the whole report, or refuses them (no figure rather than a wrong one)."""


def refused_report(report: Report) -> bool:
    """Whether a report's multiplying rows are refused (a recipe family not verified)."""
    hf = report.extras.get("hf")
    if not framework_of(report.framework).configs or not isinstance(hf, dict):
        return False
    from paramcalc.spec.hf_families import RECIPE_TYPES

    kind = hf.get("model_type")
    return kind in RECIPE_TYPES and kind not in VERIFIED_RECIPES


REFUSED_BLOCKS = ("Albert", "DebertaV2")
"""Recipe blocks whose forward is not their weights on L tokens (shared layers, disentangled attention)."""


def recipe_class(row: LayerRow, sizes: Sizes) -> list[FlopTerm] | None:
    """A recipe class on its own (``explain X --config``): a text embedding 0, a block on ``--seq-len`` tokens.

    A block of an encoder-decoder's decoder is explained with its cross-attention to as many
    encoder tokens; heads reading one token and refused families give None.
    """
    from paramcalc.rules import find_rule

    try:
        module = find_rule(row.class_name, "transformers").fn.__module__
    except Exception:  # noqa: BLE001 - not a recipe class
        return None
    if not module.endswith("hf_recipes"):
        raise LookupError(row.class_name)
    if row.class_name.endswith("Embeddings") and all(len(t.shape) < 2 or "embeddings" in t.weight for t in row.terms):
        return []
    if (
        sizes.seq_len is None
        or row.class_name.startswith(REFUSED_BLOCKS)
        or not row.class_name.endswith(("Layer", "Block"))
    ):
        return None
    from paramcalc.flops_recipes import Context, recipe_row

    return recipe_row(Context("", True, sizes.batch, sizes.seq_len), row, sizes)


PARTIAL_ROTARY = ("StableLm", "PhiDecoderLayer", "Persimmon")
"""Families that slice off ``int(head_dim · partial_rotary_factor)`` dims to rotate and concatenate them
back (GPT-NeoX slices by the rotary table's width instead, so its head dim never changes)."""


def rotated_head_dim(class_name: str, head_dim: int, factor: float | None) -> int:
    """The query/key head dim attention multiplies by: head_dim + 1 when the rotary part is 1 dim.

    transformers' rotary tables have ``2·len(arange(0, r, 2))`` columns: for ``r = 1`` that is 2,
    and the 1-dim slice broadcasts to 2, so queries and keys (and the cached keys) grow by one.
    An odd ``r`` over 1 cannot run (the shapes do not broadcast): refused.
    """
    if factor is None or not class_name.startswith(PARTIAL_ROTARY):  # PhiDecoderLayer: not Phi3 / Phimoe
        return head_dim
    rotary = int(head_dim * factor)
    if rotary == 1:
        return head_dim + 1
    if rotary % 2:
        raise Unknown
    return head_dim
