"""Encoder families as data, part two: ALBERT, ELECTRA and MPNet (see :mod:`paramcalc.spec.hf_encoder_families`).

* ALBERT factorises the embeddings (``embedding_size`` ≠ ``hidden_size``) and shares its
  layers: ``num_hidden_groups`` groups of ``inner_group_num`` layers hold every parameter,
  however many ``num_hidden_layers`` run, and torch counts each once;
* ELECTRA projects ``embedding_size`` to ``hidden_size`` only when they differ, and, like
  ALBERT, lets ``num_attention_heads`` not divide ``hidden_size`` (q/k/v are then
  ``heads·(h // heads)`` wide, the output dense stays h×h);
* MPNet has one relative attention bias table for the whole encoder, after the layers,
  and pads row 1 of its tables whatever ``pad_token_id`` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_encoder_families import (
    BERTISH_SYMBOLS,
    COMMON_FIELDS,
    LEGEND,
    MULTIPLE_CHOICE,
    QA,
    SEQ_CLS,
    TOKEN_CLS,
    attention,
    bad_pad,
    bert_layer,
    classification_head,
    cross_refuse,
    emb,
    family_record,
    labels,
    layers_refuse,
    lin,
    lm_head,
    ln,
)
from paramcalc.spec.hf_families import BOOL, INT, OPT_INT, STR
from paramcalc.spec.hf_recipes import BACKBONE, POOLED, Block, Head, Recipe, Row, linear_row


def _factorised_embeddings(doc: str) -> Block:
    """ALBERT's and ELECTRA's embeddings: word, position, token-type tables of width e, a LayerNorm."""
    return Block(
        ("vocab_size", "embedding_size", "max_position_embeddings", "type_vocab_size"),
        (
            emb("word_embeddings", "V", "e"),
            emb("position_embeddings", "P", "e"),
            emb("token_type_embeddings", "T", "e"),
            ln("LayerNorm", "e"),
        ),
        doc,
        out="e",
        source=True,
    )


FACTORISED_SYMBOLS = {**BERTISH_SYMBOLS, "e": "embedding_size"}


def _factorised_check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
    head_act = arch in ("AlbertForMaskedLM", "AlbertForPreTraining", "ElectraForPreTraining")  # ACT2FN in the head
    return layers_refuse(
        cfg, doc, "num_attention_heads", "hidden_size", cfg["num_hidden_layers"], "hidden_act", False, head_act
    ) or bad_pad(cfg, "pad_token_id", (("word_embeddings", cfg["vocab_size"]),))


def albert() -> Recipe:
    """ALBERT: factorised embeddings and groups of shared layers (each counted once)."""
    fields = {
        "vocab_size": (30000, INT),
        "embedding_size": (128, INT),
        "hidden_size": (4096, INT),
        "num_hidden_layers": (12, INT),
        "num_hidden_groups": (1, INT),
        "num_attention_heads": (64, INT),
        "intermediate_size": (16384, INT),
        "inner_group_num": (1, INT),
        "max_position_embeddings": (512, INT),
        "type_vocab_size": (2, INT),
        "pad_token_id": (0, OPT_INT),
        **COMMON_FIELDS,
    }
    names = ("query", "key", "value", "dense")
    blocks = {
        "AlbertEmbeddings": _factorised_embeddings(
            "Word, position and token-type tables of embedding_size e (not h), then a LayerNorm: e·(V + P + T + 2)."
        ),
        "AlbertLayer": Block(
            ("hidden_size", "num_attention_heads", "intermediate_size"),
            (
                ln("full_layer_layer_norm"),
                *attention("attention.", names, "a", "attention.LayerNorm"),
                lin("ffn", "I", "h"),
                lin("ffn_output", "h", "I"),
            ),
            "One shared ALBERT layer: full_layer_layer_norm, query/key/value (h→a, a = heads·(h // heads)), "
            "dense, LayerNorm, ffn (h→I), ffn_output (I→h). Stored once per group slot, however many layers run.",
        ),
        "AlbertSOPHead": Block(
            ("hidden_size", "num_labels"),
            (lin("classifier", "L", "h"),),
            "The sentence-order head on the pooled output: classifier h→num_labels.",
            out="L",
        ),
        "AlbertMLMHead": Block(
            ("hidden_size", "embedding_size", "vocab_size"),
            (("param", "bias", "V"), ln("LayerNorm", "e"), lin("dense", "e", "h"), lin("decoder", "V", "e")),
            "bias (V), LayerNorm (e), dense h→e, decoder e→V; tied, the decoder is the word table "
            "and its bias the head's bias.",
            out="V",
        ),
    }
    backbone = (
        Row("{base}embeddings", "AlbertEmbeddings"),
        linear_row("{base}encoder.embedding_hidden_mapping_in", "e", "h"),
        Row(
            "{base}encoder.albert_layer_groups.{i}.albert_layers",
            "AlbertLayer",
            stack="inner_group_num",
            outer="num_hidden_groups",
        ),
        Row("{base}pooler", "Linear", pooler=True, args=(("in_features", "h"), ("out_features", "h"))),
    )
    mlm = Row("predictions", "AlbertMLMHead")
    ties = (
        ("predictions.decoder.weight", "albert.embeddings.word_embeddings.weight"),
        ("predictions.decoder.bias", "predictions.bias"),
    )
    heads = {
        "AlbertModel": Head((POOLED,)),
        "AlbertForMaskedLM": Head((BACKBONE, mlm), ties=ties, base=True),
        "AlbertForPreTraining": Head((POOLED, mlm, Row("sop_classifier", "AlbertSOPHead")), ties=ties, base=True),
        f"Albert{SEQ_CLS}": Head((POOLED, linear_row("classifier", "h", "L")), base=True),
        f"Albert{TOKEN_CLS}": Head((BACKBONE, linear_row("classifier", "h", "L")), base=True),
        f"Albert{QA}": Head((BACKBONE, linear_row("qa_outputs", "h", "L")), base=True),
        f"Albert{MULTIPLE_CHOICE}": Head((POOLED, linear_row("classifier", "h", "1")), base=True),
    }
    return Recipe(
        family=family_record("albert", "AlbertConfig", "Albert", fields, heads),
        symbols=FACTORISED_SYMBOLS,
        legend=LEGEND,
        blocks=blocks,
        backbone=backbone,
        heads=heads,
        base="albert.",
        schema=(
            "is_encoder_decoder:bool vocab_size:int embedding_size:int hidden_size:int num_hidden_layers:int "
            "num_hidden_groups:int num_attention_heads:int intermediate_size:int inner_group_num:int hidden_act:str "
            "hidden_dropout_prob:num attention_probs_dropout_prob:num max_position_embeddings:int type_vocab_size:int "
            "initializer_range:float layer_norm_eps:float classifier_dropout_prob:num "
            "pad_token_id:int? bos_token_id:int? "
            "eos_token_id:ids tie_word_embeddings:bool"
        ),
        derive=labels,
        check=lambda cfg, doc, arch: _factorised_check(
            {**cfg, "num_hidden_layers": cfg["num_hidden_groups"] * cfg["inner_group_num"]}, doc, arch
        ),
        notes=lambda cfg, arch: [
            f"ALBERT shares its layers: {cfg['num_hidden_layers']} layers run through "
            f"{cfg['num_hidden_groups']} group(s) of {cfg['inner_group_num']} layer(s), whose "
            f"parameters are counted once"
        ],
    )


def electra() -> Recipe:
    """ELECTRA: factorised embeddings, projected to h only when embedding_size differs."""
    fields = {
        "vocab_size": (30522, INT),
        "embedding_size": (128, INT),
        "hidden_size": (256, INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (4, INT),
        "intermediate_size": (1024, INT),
        "max_position_embeddings": (512, INT),
        "type_vocab_size": (2, INT),
        "pad_token_id": (0, OPT_INT),
        "is_decoder": (False, BOOL),
        "add_cross_attention": (False, BOOL),
        "summary_use_proj": (True, BOOL),
        "summary_type": ("first", STR),
        **COMMON_FIELDS,
    }
    blocks = {
        "ElectraEmbeddings": _factorised_embeddings(
            "Word, position and token-type tables of embedding_size e, then a LayerNorm."
        ),
        "ElectraLayer": Block(
            ("hidden_size", "num_attention_heads", "intermediate_size", "is_decoder", "add_cross_attention"),
            bert_layer("a"),
            "BERT's layer with q/k/v of width a = heads·(h // heads) (ELECTRA has embedding_size, so "
            "heads need not divide h).",
        ),
        "ElectraGeneratorPredictions": Block(
            ("hidden_size", "embedding_size"),
            (ln("LayerNorm", "e"), lin("dense", "e", "h")),
            "The generator head: LayerNorm (e), dense h→e.",
            out="e",
        ),
        "ElectraDiscriminatorPredictions": Block(
            ("hidden_size",),
            (lin("dense", "h", "h"), lin("dense_prediction", "1", "h")),
            "The discriminator head: dense h×h, dense_prediction h→1.",
            out="1",
        ),
        "ElectraClassificationHead": classification_head(),
    }
    backbone = (
        Row("{base}embeddings", "ElectraEmbeddings"),
        Row("{base}embeddings_project", "Linear", when="e_differs", args=(("in_features", "e"), ("out_features", "h"))),
        Row("{base}encoder.layer", "ElectraLayer", stack="num_hidden_layers"),
    )
    gen = (Row("generator_predictions", "ElectraGeneratorPredictions"), linear_row("generator_lm_head", "e", "V"))
    ties = (("generator_lm_head.weight", "electra.embeddings.word_embeddings.weight"),)
    heads = {
        "ElectraModel": Head((BACKBONE,)),
        "ElectraForMaskedLM": Head((BACKBONE, *gen), ties=ties, base=True),
        "ElectraForCausalLM": Head((BACKBONE, *gen), ties=ties, base=True),
        "ElectraForPreTraining": Head(
            (BACKBONE, Row("discriminator_predictions", "ElectraDiscriminatorPredictions")), base=True
        ),
        f"Electra{SEQ_CLS}": Head((BACKBONE, Row("classifier", "ElectraClassificationHead")), base=True),
        f"Electra{TOKEN_CLS}": Head((BACKBONE, linear_row("classifier", "h", "L")), base=True),
        f"Electra{QA}": Head((BACKBONE, linear_row("qa_outputs", "h", "L")), base=True),
        # ElectraSequenceSummary: a projection h -> h (h -> num_labels with summary_proj_to_labels, a key
        # that is no field) when summary_use_proj, then the classifier h -> 1
        f"Electra{MULTIPLE_CHOICE}": Head(
            (
                BACKBONE,
                Row(
                    "sequence_summary.summary",
                    "Linear",
                    when="summary_use_proj",
                    args=(("in_features", "h"), ("out_features", "S")),
                ),
                linear_row("classifier", "h", "1"),
            ),
            base=True,
        ),
    }

    def derive(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        labels(cfg, doc)
        cfg["e_differs"] = cfg["embedding_size"] != cfg["hidden_size"]
        to_labels = doc.get("summary_proj_to_labels") and cfg["num_labels"] > 0
        cfg["summary_width"] = cfg["num_labels"] if to_labels else cfg["hidden_size"]

    return Recipe(
        family=family_record("electra", "ElectraConfig", "Electra", fields, heads),
        symbols={**FACTORISED_SYMBOLS, "S": "summary_width"},
        legend=LEGEND,
        blocks=blocks,
        backbone=backbone,
        heads=heads,
        base="electra.",
        schema=(
            "is_encoder_decoder:bool vocab_size:int embedding_size:int hidden_size:int num_hidden_layers:int "
            "num_attention_heads:int intermediate_size:int hidden_act:str hidden_dropout_prob:num "
            "attention_probs_dropout_prob:num max_position_embeddings:int type_vocab_size:int initializer_range:float "
            "layer_norm_eps:float summary_type:str summary_use_proj:bool summary_activation:str "
            "summary_last_dropout:num "
            "pad_token_id:int? use_cache:bool classifier_dropout:num? is_decoder:bool add_cross_attention:bool "
            "bos_token_id:int? eos_token_id:ids tie_word_embeddings:bool"
        ),
        derive=derive,
        check=lambda cfg, doc, arch: (
            _factorised_check(cfg, doc, arch) or cross_refuse(cfg) or _summary_check(cfg, arch)
        ),
    )


def _summary_check(cfg: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
    """ElectraSequenceSummary raises NotImplementedError for ``summary_type: attn`` (multiple choice only)."""
    if arch == f"Electra{MULTIPLE_CHOICE}" and cfg["summary_type"] == "attn":
        return ("summary_type", "summary_type 'attn' is not implemented", "ElectraSequenceSummary refuses it")
    return None


def mpnet() -> Recipe:
    """MPNet: no token types, ``attention.attn.q/k/v/o``, one relative bias table after the layers."""
    fields = {
        "vocab_size": (30527, INT),
        "hidden_size": (768, INT),
        "num_hidden_layers": (12, INT),
        "num_attention_heads": (12, INT),
        "intermediate_size": (3072, INT),
        "max_position_embeddings": (512, INT),
        "relative_attention_num_buckets": (32, INT),
        "pad_token_id": (1, OPT_INT),
        **COMMON_FIELDS,
    }
    blocks = {
        "MPNetEmbeddings": Block(
            ("vocab_size", "hidden_size", "max_position_embeddings"),
            (emb("word_embeddings", "V"), emb("position_embeddings", "P"), ln("LayerNorm")),
            "Word (V×h) and position (P×h) tables (row 1 is padding in both, whatever pad_token_id says), a LayerNorm.",
            out="h",
            source=True,
        ),
        "MPNetLayer": Block(
            ("hidden_size", "num_attention_heads", "intermediate_size"),
            (
                *attention("attention.attn.", ("q", "k", "v", "o"), "a", "attention.LayerNorm"),
                lin("intermediate.dense", "I", "h"),
                lin("output.dense", "h", "I"),
                ln("output.LayerNorm"),
            ),
            "attention.attn.q/k/v/o (h×h with biases), attention.LayerNorm, intermediate (h→I), "
            "output (I→h), LayerNorm.",
        ),
        "MPNetRelativeBias": Block(
            ("relative_attention_num_buckets", "num_attention_heads"),
            (emb("", "B", "heads"),),
            "The encoder's one relative position bias table: buckets × heads.",
        ),
        "MPNetPooler": Block(("hidden_size",), (lin("dense", "h", "h"),), "The pooler: a dense h×h with bias."),
        "MPNetLMHead": lm_head(),
        "MPNetClassificationHead": classification_head(),
    }
    backbone = (
        Row("{base}embeddings", "MPNetEmbeddings"),
        Row("{base}encoder.layer", "MPNetLayer", stack="num_hidden_layers"),
        Row("{base}encoder.relative_attention_bias", "MPNetRelativeBias"),
        Row("{base}pooler", "MPNetPooler", pooler=True),
    )
    ties = (
        ("lm_head.decoder.weight", "mpnet.embeddings.word_embeddings.weight"),
        ("lm_head.decoder.bias", "lm_head.bias"),
    )
    heads = {
        "MPNetModel": Head((POOLED,)),
        "MPNetForMaskedLM": Head((BACKBONE, Row("lm_head", "MPNetLMHead")), ties=ties, base=True),
        f"MPNet{SEQ_CLS}": Head((BACKBONE, Row("classifier", "MPNetClassificationHead")), base=True),
        f"MPNet{TOKEN_CLS}": Head((BACKBONE, linear_row("classifier", "h", "L")), base=True),
        f"MPNet{QA}": Head((BACKBONE, linear_row("qa_outputs", "h", "L")), base=True),
        f"MPNet{MULTIPLE_CHOICE}": Head((POOLED, linear_row("classifier", "h", "1")), base=True),
    }

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        return layers_refuse(
            cfg,
            doc,
            "num_attention_heads",
            "hidden_size",
            cfg["num_hidden_layers"],
            "hidden_act",
            "embedding_size" not in doc,
        ) or bad_pad(
            {"padding row": 1},
            "padding row",
            (("word_embeddings", cfg["vocab_size"]), ("position_embeddings", cfg["max_position_embeddings"])),
        )

    return Recipe(
        family=family_record("mpnet", "MPNetConfig", "MPNet", fields, heads),
        symbols={**BERTISH_SYMBOLS, "B": "relative_attention_num_buckets"},
        legend=LEGEND,
        blocks=blocks,
        backbone=backbone,
        heads=heads,
        base="mpnet.",
        schema=(
            "is_encoder_decoder:bool vocab_size:int hidden_size:int num_hidden_layers:int num_attention_heads:int "
            "intermediate_size:int hidden_act:str hidden_dropout_prob:num attention_probs_dropout_prob:num "
            "max_position_embeddings:int initializer_range:float layer_norm_eps:float "
            "relative_attention_num_buckets:int "
            "pad_token_id:int? bos_token_id:int? eos_token_id:ids tie_word_embeddings:bool"
        ),
        derive=labels,
        check=check,
    )
