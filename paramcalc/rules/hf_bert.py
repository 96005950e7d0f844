"""BERT (``transformers.models.bert``): the encoder, its pooler and the masked-LM head.

Everything in BERT has a bias, and every LayerNorm has a scale and a shift.  ``BertModel``
ends with a **pooler** (a dense h×h layer with bias on the [CLS] token); ``BertForMaskedLM``
drops the pooler and adds the **MLM head**: a transform (dense h×h + LayerNorm), a decoder
to the vocabulary whose weight is tied to the word embeddings, and a vocabulary-sized
output bias ``cls.predictions.bias`` that the decoder's bias is tied to.  With
``tie_word_embeddings: false`` both ties are undone, so the decoder gets its own weight
*and* its own bias.
"""

from __future__ import annotations

from typing import Any

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome, Shape, Term, rule
from paramcalc.rules.hf_common import FRAMEWORK, Parts, check_divisible, check_hidden, linear, norm
from paramcalc.spec.hf_families import defaults
from paramcalc.spec.hf_signatures import BERT_EMBEDDINGS_KEYS, BERT_LAYER_KEYS, BERT_LM_HEAD_KEYS, BERT_POOLER_KEYS

LEGEND = {
    "h": "hidden_size",
    "I": "intermediate_size",
    "V": "vocab_size",
    "P": "max_position_embeddings",
    "T": "type_vocab_size, token types (segments)",
}
COMMON: dict[str, Any] = {"framework": FRAMEWORK, "base": False, "legend": LEGEND, "min_rank": 1}


def _hidden(args: Args) -> int:
    h = args.positive_int("hidden_size")
    check_divisible(h, args.positive_int("num_attention_heads"), "BertSelfAttention")
    return h


def _attention(parts: Parts, h: int, prefix: str, tag: str = "") -> None:
    """self.query/key/value and output.dense (h×h with bias each) and output.LayerNorm."""
    terms = linear("self.query", f"{tag}q", (h, h), ("h", "h"), True, prefix)
    terms += linear("self.key", f"{tag}k", (h, h), ("h", "h"), True, prefix)
    terms += linear("self.value", f"{tag}v", (h, h), ("h", "h"), True, prefix)
    terms += linear("output.dense", f"{tag}o", (h, h), ("h", "h"), True, prefix)
    terms += norm("output.LayerNorm", f"{tag}attn", h, "h", bias=True, prefix=prefix)
    parts.add(terms, "4*h*(h + 1) + 2*h")


@rule(
    "BertEmbeddings",
    *defaults("bert", *BERT_EMBEDDINGS_KEYS),
    **COMMON,
)
def bert_embeddings(args: Args, x: Shape) -> Outcome:
    """Three lookup tables added together, words (V×h), positions (P×h) and token types
    (T×h), then a LayerNorm (2·h): h·(V + P + T + 2).
    """
    vocab = args.positive_int("vocab_size")
    h = args.positive_int("hidden_size")
    positions = args.positive_int("max_position_embeddings")
    types = args.integer("type_vocab_size", minimum=0)
    pad = args.get("pad_token_id")
    if pad is not None and not -vocab <= args.integer("pad_token_id", minimum=-(2**63)) < vocab:
        raise LayerError(f"pad_token_id {pad} is outside the {vocab} word embeddings", hint="nn.Embedding refuses it")
    terms = [
        Term("E_word", "word_embeddings.weight", (vocab, h), ("V", "h")),
        Term("E_pos", "position_embeddings.weight", (positions, h), ("P", "h")),
        Term("E_type", "token_type_embeddings.weight", (types, h), ("T", "h")),
        *norm("LayerNorm", "emb", h, "h", bias=True),
    ]
    symbols = {"h": h, "V": vocab, "P": positions, "T": types}
    return Outcome(shape=((x[0] if x else None), h), terms=terms, formula="h*(V + P + T + 2)", symbols=symbols)


@rule("BertAttention", *defaults("bert", "hidden_size", "num_attention_heads"), **COMMON)
def bert_attention(args: Args, x: Shape) -> Outcome:
    """BERT attention: query, key, value and the output dense, each h×h with a bias, then a
    LayerNorm: 4·h·(h + 1) + 2·h; cross-attention has the same shapes.
    """
    h = _hidden(args)
    parts = Parts()
    _attention(parts, h, "")
    return Outcome(shape=check_hidden(x, h), terms=parts.terms, formula=parts.formula, symbols={"h": h})


@rule(
    "BertLayer",
    *defaults("bert", *BERT_LAYER_KEYS),
    **COMMON,
)
def bert_layer(args: Args, x: Shape) -> Outcome:
    """A BERT layer: attention (4·h·(h + 1) + 2·h), then intermediate.dense (h → I) and
    output.dense (I → h) with biases and a LayerNorm: 2·h·I + I + 3·h. With
    add_cross_attention (decoders only) a second attention block, crossattention, follows
    the first.
    """
    h = _hidden(args)
    inner = args.positive_int("intermediate_size")
    parts = Parts()
    _attention(parts, h, "attention.")
    if args.flag("add_cross_attention"):
        if not args.flag("is_decoder"):
            raise LayerError("add_cross_attention needs is_decoder: true", hint="BertLayer refuses it")
        _attention(parts, h, "crossattention.", tag="x")
    terms = linear("intermediate.dense", "in", (inner, h), ("I", "h"), True)
    terms += linear("output.dense", "out", (h, inner), ("h", "I"), True)
    terms += norm("output.LayerNorm", "out", h, "h", bias=True)
    parts.add(terms, "2*h*I + I + 3*h")
    return Outcome(shape=check_hidden(x, h), terms=parts.terms, formula=parts.formula, symbols={"h": h, "I": inner})


@rule("BertPooler", *defaults("bert", *BERT_POOLER_KEYS), **COMMON)
def bert_pooler(args: Args, x: Shape) -> Outcome:
    """BertModel's pooler: a dense h×h layer with bias (then tanh) on the first token,
    h·(h + 1). BertForMaskedLM has no pooler.
    """
    h = args.positive_int("hidden_size")
    check_hidden(x, h)
    terms = linear("dense", "pool", (h, h), ("h", "h"), True)
    return Outcome(shape=(h,), terms=terms, formula="h*(h + 1)", symbols={"h": h})


@rule("BertLMPredictionHead", *defaults("bert", *BERT_LM_HEAD_KEYS), **COMMON)
def bert_lm_head(args: Args, x: Shape) -> Outcome:
    """The masked-LM head: an output bias of V, a transform (dense h×h with bias, then a
    LayerNorm), and the decoder (V×h weight and V bias). Tied (the default), the decoder
    weight is the word embedding table and the decoder bias is the output bias, so only
    V + h·(h + 1) + 2·h are new; untied, the decoder's V·h + V count too.
    """
    h = args.positive_int("hidden_size")
    vocab = args.positive_int("vocab_size")
    shape = check_hidden(x, h)
    terms = [Term("b_out", "bias", (vocab,), ("V",))]
    terms += linear("transform.dense", "t", (h, h), ("h", "h"), True)
    terms += norm("transform.LayerNorm", "t", h, "h", bias=True)
    terms += linear("decoder", "dec", (vocab, h), ("V", "h"), True)
    formula = "V + h*(h + 1) + 2*h + V*(h + 1)"
    return Outcome(shape=(*shape[:-1], vocab), terms=terms, formula=formula, symbols={"h": h, "V": vocab})
