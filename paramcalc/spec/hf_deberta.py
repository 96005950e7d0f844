"""DeBERTa-v2 / v3 (``transformers.models.deberta_v2``, 5.24) as data (see :mod:`paramcalc.spec.hf_recipes`).

DeBERTa reads many keys that are not fields of its config class, with ``getattr`` and a
default, so a config.json decides them by being there or not: ``embedding_size`` (default
``hidden_size``; an ``embed_proj`` h×e without bias when they differ), ``position_buckets``,
``share_att_key``, ``norm_rel_ebd``, ``conv_kernel_size`` / ``conv_groups``,
``attention_head_size`` and ``pooler_hidden_size``.  What the layers hold:

* embeddings: words (V×e), positions (P×e) only when ``position_biased_input`` (DeBERTa-v3:
  false), token types only when ``type_vocab_size`` > 0 (default 0), the projection, a LayerNorm;
* each layer: ``query_proj``/``key_proj``/``value_proj`` and, with ``relative_attention`` but
  without ``share_att_key``, ``pos_key_proj`` (``c2p`` in ``pos_att_type``) and
  ``pos_query_proj`` (``p2c``);
* after the layers: ``rel_embeddings`` of 2·``position_buckets`` rows (else 2·
  ``max_relative_positions``, else 2·``max_position_embeddings``), a LayerNorm when
  ``norm_rel_ebd`` says ``layer_norm``, and a Conv1d layer when ``conv_kernel_size`` > 0;
* the MLM head (``legacy``, the default): ``cls.predictions`` with its own bias first, a
  transform h→e and a decoder tied to the word table; ``legacy: false`` has
  ``lm_predictions.lm_head`` (h×h, no decoder: it multiplies by the word table).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_encoder_families import (
    LEGEND,
    MULTIPLE_CHOICE,
    QA,
    SEQ_CLS,
    TOKEN_CLS,
    emb,
    family_record,
    labels,
    lin,
    ln,
)
from paramcalc.spec.hf_families import BOOL, INT, OPT_INT
from paramcalc.spec.hf_recipes import BACKBONE, Block, Head, Recipe, Row, linear_row
from paramcalc.spec.hf_schema import ACTIVATIONS

EXTRA: dict[str, tuple[Any, str]] = {
    "embedding_size": (1536, INT),
    "attention_head_size": (None, OPT_INT),
    "pos_key": (False, BOOL),
    "pos_query": (False, BOOL),
    "rel_rows": (1024, INT),
    "conv_kernel": (0, INT),
    "conv_in": (1536, INT),
    "pooler_hidden_size": (1536, INT),
    "has_positions": (True, BOOL),
    "has_types": (False, BOOL),
    "has_proj": (False, BOOL),
}


def deberta_v2() -> Recipe:
    """DebertaV2Model and its heads."""
    fields = {
        "vocab_size": (128100, INT),
        "hidden_size": (1536, INT),
        "num_hidden_layers": (24, INT),
        "num_attention_heads": (24, INT),
        "intermediate_size": (6144, INT),
        "max_position_embeddings": (512, INT),
        "type_vocab_size": (0, INT),
        "relative_attention": (False, BOOL),
        "max_relative_positions": (-1, INT),
        "pad_token_id": (0, OPT_INT),
        "position_biased_input": (True, BOOL),
        "legacy": (True, BOOL),
        "num_labels": (2, INT),
        "tie_word_embeddings": (True, BOOL),
    }
    blocks = {
        "DebertaV2Embeddings": Block(
            (
                "vocab_size",
                "embedding_size",
                "hidden_size",
                "max_position_embeddings",
                "type_vocab_size",
                "has_positions",
                "has_types",
                "has_proj",
            ),
            (
                emb("word_embeddings", "V", "e"),
                ("when", "has_positions", (emb("position_embeddings", "P", "e"),)),
                ("when", "has_types", (emb("token_type_embeddings", "T", "e"),)),
                ("when", "has_proj", (lin("embed_proj", "h", "e", False),)),
                ln("LayerNorm"),
            ),
            "Words (V×e); positions (P×e) when position_biased_input; token types (T×e) when "
            "type_vocab_size > 0; embed_proj (e→h, no bias) when e != h; a LayerNorm (h).",
            out="h",
            source=True,
        ),
        "DebertaV2Layer": Block(
            ("hidden_size", "num_attention_heads", "attention_head_size", "intermediate_size", "pos_key", "pos_query"),
            (
                lin("attention.self.query_proj", "a", "h"),
                lin("attention.self.key_proj", "a", "h"),
                lin("attention.self.value_proj", "a", "h"),
                ("when", "pos_key", (lin("attention.self.pos_key_proj", "a", "h"),)),
                ("when", "pos_query", (lin("attention.self.pos_query_proj", "a", "h"),)),
                lin("attention.output.dense", "h", "h"),
                ln("attention.output.LayerNorm"),
                lin("intermediate.dense", "I", "h"),
                lin("output.dense", "h", "I"),
                ln("output.LayerNorm"),
            ),
            "query/key/value_proj (h→a, a = heads·attention_head_size), pos_key_proj / pos_query_proj "
            "(relative attention without share_att_key, c2p / p2c), output dense and LayerNorm, "
            "intermediate (h→I), output (I→h) and LayerNorm; the output dense is h×h whatever a is.",
        ),
        "DebertaV2ContextPooler": Block(
            ("pooler_hidden_size",),
            (lin("dense", "Ph", "Ph"),),
            "The classifier's pooler: dense pooler_hidden_size × pooler_hidden_size with bias.",
            out="Ph",
        ),
        "DebertaV2SequenceClassifier": Block(
            ("hidden_size", "num_labels"),
            (lin("", "L", "h"),),
            "The classifier: hidden_size→num_labels (ContextPooler.output_dim is hidden_size, whatever "
            "pooler_hidden_size is).",
            out="L",
        ),
        "DebertaV2RelEmbeddings": Block(
            ("rel_rows", "hidden_size"), (emb("", "R"),), "The relative position table: R×h.", out="h"
        ),
        "DebertaV2ConvLayer": Block(
            ("hidden_size", "conv_in", "conv_kernel"),
            (("param", "conv.weight", "h", "Cin", "k"), ("param", "conv.bias", "h"), ln("LayerNorm")),
            "A Conv1d h→h of kernel k (h / conv_groups inputs per filter) with bias, and a LayerNorm.",
        ),
        "DebertaV2LegacyMLMHead": Block(
            ("hidden_size", "embedding_size", "vocab_size"),
            (
                ("param", "bias", "V"),
                lin("transform.dense", "e", "h"),
                ln("transform.LayerNorm", "e"),
                lin("decoder", "V", "e"),
            ),
            "bias (V), transform dense h→e and LayerNorm (e), decoder e→V (tied: the word table, and the bias).",
            out="V",
        ),
        "DebertaV2LMPredictionHead": Block(
            ("hidden_size", "vocab_size"),
            (("param", "bias", "V"), lin("dense", "h", "h"), ln("LayerNorm")),
            "bias (V), dense h×h, LayerNorm; the logits multiply by the word table (no decoder).",
            out="V",
        ),
    }
    backbone = (
        Row("{base}embeddings", "DebertaV2Embeddings"),
        Row("{base}encoder.layer", "DebertaV2Layer", stack="num_hidden_layers"),
        Row("{base}encoder.rel_embeddings", "DebertaV2RelEmbeddings", when="relative_attention"),
        Row("{base}encoder.LayerNorm", "LayerNorm", when="rel_norm", args=(("normalized_shape", "h"),)),
        Row("{base}encoder.conv", "DebertaV2ConvLayer", when="conv_kernel"),
    )
    ties = (
        ("cls.predictions.decoder.weight", "deberta.embeddings.word_embeddings.weight"),
        ("cls.predictions.decoder.bias", "cls.predictions.bias"),
    )
    mlm = Head(
        (
            BACKBONE,
            Row("cls.predictions", "DebertaV2LegacyMLMHead", when="legacy"),
            Row("lm_predictions.lm_head", "DebertaV2LMPredictionHead", when="!legacy"),
        ),
        only=tuple((a, b, "legacy") for a, b in ties),
        base=True,
    )
    heads = {
        "DebertaV2Model": Head((BACKBONE,)),
        "DebertaV2ForMaskedLM": mlm,
        f"DebertaV2{SEQ_CLS}": Head(
            (BACKBONE, Row("pooler", "DebertaV2ContextPooler"), Row("classifier", "DebertaV2SequenceClassifier")),
            base=True,
        ),
        f"DebertaV2{TOKEN_CLS}": Head((BACKBONE, linear_row("classifier", "h", "L")), base=True),
        f"DebertaV2{QA}": Head((BACKBONE, linear_row("qa_outputs", "h", "L")), base=True),
        # ContextPooler, then a classifier of ContextPooler.output_dim (hidden_size) -> 1
        f"DebertaV2{MULTIPLE_CHOICE}": Head(
            (BACKBONE, Row("pooler", "DebertaV2ContextPooler"), linear_row("classifier", "h", "1")), base=True
        ),
    }

    def derive(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        labels(cfg, doc)
        h, heads_ = cfg["hidden_size"], cfg["num_attention_heads"]
        cfg["embedding_size"] = doc.get("embedding_size", h)
        cfg["attention_head_size"] = doc.get("attention_head_size", h // heads_ if heads_ > 0 else 0)
        kinds = doc.get("pos_att_type") or []
        if isinstance(kinds, str):
            kinds = [x.strip() for x in kinds.lower().split("|")]
        elif not isinstance(kinds, list):
            kinds = []  # refused by check()
        separate = cfg["relative_attention"] and not doc.get("share_att_key", False)
        cfg["pos_key"] = bool(separate and "c2p" in kinds)
        cfg["pos_query"] = bool(separate and "p2c" in kinds)
        buckets, span = doc.get("position_buckets", -1), cfg["max_relative_positions"]
        buckets = buckets if isinstance(buckets, int) else -1  # another type is refused by check()
        cfg["rel_rows"] = 2 * (buckets if buckets > 0 else span if span >= 1 else cfg["max_position_embeddings"])
        norms = [x.strip() for x in str(doc.get("norm_rel_ebd", "none")).lower().split("|")]  # a non-string: check()
        cfg["rel_norm"] = "layer_norm" in norms
        cfg["conv_kernel"] = doc.get("conv_kernel_size", 0)
        groups = doc.get("conv_groups", 1)
        cfg["conv_in"] = h // groups if isinstance(groups, int) and groups else 0  # else refused by check()
        cfg["pooler_hidden_size"] = doc.get("pooler_hidden_size", h)
        cfg["has_positions"] = cfg["position_biased_input"]
        cfg["has_types"] = cfg["type_vocab_size"] > 0
        cfg["has_proj"] = cfg["embedding_size"] != h

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        kinds = doc.get("pos_att_type")
        if not (
            kinds is None
            or isinstance(kinds, str)
            or (isinstance(kinds, list) and all(isinstance(k, str) for k in kinds))
        ):
            return ("pos_att_type", f"'pos_att_type' must be a string, a list of strings or null, got {kinds!r}", "")
        norms = doc.get("norm_rel_ebd", "none")
        if not isinstance(norms, str):
            return ("norm_rel_ebd", f"'norm_rel_ebd' must be a string like 'layer_norm', got {norms!r}", "")
        for key in ("position_buckets", "conv_kernel_size", "conv_groups", "embedding_size", "attention_head_size"):
            value = doc.get(key, 0)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                return (key, f"'{key}' must be an integer, got {value!r}", "DeBERTa compares and sizes with it")
        act = doc.get("hidden_act", "gelu")
        built = cfg["num_hidden_layers"] > 0 or arch == "DebertaV2ForMaskedLM"  # the MLM head looks it up too
        if built and isinstance(act, str) and act not in ACTIVATIONS:
            return ("hidden_act", f"'hidden_act' {act!r} is no activation transformers knows", "")
        if cfg["num_hidden_layers"] > 0:
            heads_, h = cfg["num_attention_heads"], cfg["hidden_size"]
            if heads_ <= 0 or h % heads_:
                return ("num_attention_heads", f"hidden_size {h} is not a multiple of num_attention_heads {heads_}", "")
        groups = doc.get("conv_groups", 1)
        if cfg["conv_kernel"] and (not groups or cfg["hidden_size"] % groups):
            return (
                "conv_groups",
                f"conv_groups {groups} does not divide hidden_size {cfg['hidden_size']}",
                "nn.Conv1d",
            )
        pad = cfg["pad_token_id"]
        if pad is not None and not -cfg["vocab_size"] <= pad < cfg["vocab_size"]:
            return ("pad_token_id", f"pad_token_id {pad} is outside the {cfg['vocab_size']} word embeddings", "")
        return None

    return Recipe(
        family=family_record("deberta-v2", "DebertaV2Config", "DebertaV2", fields, heads),
        symbols={
            "V": "vocab_size",
            "h": "hidden_size",
            "e": "embedding_size",
            "I": "intermediate_size",
            "P": "max_position_embeddings",
            "T": "type_vocab_size",
            "heads": "num_attention_heads",
            "hd": "attention_head_size|h//heads",
            "R": "rel_rows",
            "k": "conv_kernel",
            "Cin": "conv_in",
            "Ph": "pooler_hidden_size",
            "L": "num_labels",
            "a": "=heads*hd",
        },
        legend=LEGEND,
        blocks=blocks,
        backbone=backbone,
        heads=heads,
        base="deberta.",
        schema=(
            "is_encoder_decoder:bool vocab_size:int hidden_size:int num_hidden_layers:int num_attention_heads:int "
            "intermediate_size:int hidden_act:str hidden_dropout_prob:num attention_probs_dropout_prob:num "
            "max_position_embeddings:int type_vocab_size:int initializer_range:float layer_norm_eps:float "
            "relative_attention:bool max_relative_positions:int pad_token_id:int? bos_token_id:int? eos_token_id:ids "
            "position_biased_input:bool pooler_dropout:num pooler_hidden_act:str legacy:bool tie_word_embeddings:bool"
        ),
        derive=derive,
        check=check,
        extra_fields=EXTRA,
    )
