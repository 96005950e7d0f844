"""Marian (``transformers.models.marian``, 5.24) as data: BART's layers, two vocabularies.

Marian's layers are BART's (k/v/q/out projections with biases, ``fc1``/``fc2``, three
LayerNorms), with no ``layernorm_embedding`` and no final ``layer_norm``, and frozen
sinusoidal positions of ``max_position_embeddings`` rows (parameters all the same).  What is
special is the vocabulary: ``decoder_vocab_size`` (default: ``vocab_size``) sizes the
decoder's table, and ``share_encoder_decoder_embeddings`` (default true) decides whether a
``shared`` table exists.  While ``tie_word_embeddings`` holds, sharing ties both
``embed_tokens`` and ``lm_head`` to ``shared`` -- so the decoder's table is then ``shared``,
of ``vocab_size`` rows, whatever ``decoder_vocab_size`` says -- and without sharing,
``lm_head`` (``decoder_vocab_size`` rows) is the decoder's table.  ``MarianMTModel`` is the
translation class (there is no ``MarianForConditionalGeneration``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_encoder_families import LEGEND, bad_pad, family_record
from paramcalc.spec.hf_families import BOOL, INT, OPT_INT
from paramcalc.spec.hf_recipes import Head, Recipe, Row
from paramcalc.spec.hf_seq2seq_families import ALIASES, SCHEMA, SYMBOLS, _act_refuse, _layer, bart_like


def marian() -> Recipe:
    """MarianModel, MarianMTModel, MarianForCausalLM."""
    fields = {
        "vocab_size": (58101, INT),
        "decoder_vocab_size": (None, OPT_INT),
        "max_position_embeddings": (1024, INT),
        "encoder_layers": (12, INT),
        "encoder_ffn_dim": (4096, INT),
        "encoder_attention_heads": (16, INT),
        "decoder_layers": (12, INT),
        "decoder_ffn_dim": (4096, INT),
        "decoder_attention_heads": (16, INT),
        "d_model": (1024, INT),
        "pad_token_id": (58100, OPT_INT),
        "share_encoder_decoder_embeddings": (True, BOOL),
        "tie_word_embeddings": (True, BOOL),
    }
    positions = bart_like("marian", "MarianConfig", "Marian", offset=0, embedding_norm=False, final_norm=False, pad=0)
    blocks = {
        "MarianPositions": positions.blocks["MarianPositions"],
        "MarianEncoderLayer": _layer(False),
        "MarianDecoderLayer": _layer(True),
    }

    def table(name: str, rows: str) -> Row:
        return Row(name, "Embedding", args=(("num_embeddings", rows), ("embedding_dim", "h")))

    def model(base: str, encoder: bool = True) -> tuple[Row, ...]:
        rows = []
        if encoder:
            rows += [
                Row(
                    f"{base}shared",
                    "Embedding",
                    when="share_encoder_decoder_embeddings",
                    args=(("num_embeddings", "V"), ("embedding_dim", "h")),
                ),
                table(f"{base}encoder.embed_tokens", "V"),
                Row(f"{base}encoder.embed_positions", "MarianPositions"),
                Row(f"{base}encoder.layers", "MarianEncoderLayer", stack="encoder_layers"),
            ]
        rows += [
            table(f"{base}decoder.embed_tokens", "Vd" if encoder else "Vd_alone"),
            Row(f"{base}decoder.embed_positions", "MarianPositions"),
            Row(f"{base}decoder.layers", "MarianDecoderLayer", stack="decoder_layers"),
        ]
        return tuple(rows)

    def shared(base: str) -> tuple[tuple[str, str, str], ...]:
        flag = "share_encoder_decoder_embeddings"
        return tuple(
            (f"{base}{side}.embed_tokens.weight", f"{base}shared.weight", flag) for side in ("encoder", "decoder")
        )

    lm = Row("lm_head", "Linear", args=(("in_features", "h"), ("out_features", "Vo"), ("bias", False)))
    clm = Row("lm_head", "Linear", args=(("in_features", "h"), ("out_features", "Vc"), ("bias", False)))
    heads = {
        "MarianMTModel": Head(
            (*model("model."), lm),
            only=(
                ("lm_head.weight", "model.shared.weight", "share_encoder_decoder_embeddings"),
                ("lm_head.weight", "model.decoder.embed_tokens.weight", "!share_encoder_decoder_embeddings"),
                *shared("model."),
            ),
        ),
        "MarianModel": Head(model(""), only=shared("")),
        "MarianForCausalLM": Head(
            (*model("model.", encoder=False), clm), ties=(("lm_head.weight", "model.decoder.embed_tokens.weight"),)
        ),
    }

    def derive(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        vocab = cfg["vocab_size"]
        cfg["decoder_vocab_size"] = cfg["decoder_vocab_size"] or vocab
        tie, share = cfg["tie_word_embeddings"], cfg["share_encoder_decoder_embeddings"]
        cfg["decoder_rows"] = vocab if tie and share else cfg["decoder_vocab_size"]
        cfg["decoder_alone_rows"] = cfg["decoder_vocab_size"]
        cfg["lm_rows"] = vocab if share else cfg["decoder_vocab_size"]
        cfg["causal_lm_rows"] = cfg["decoder_vocab_size"] if tie else vocab

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        tables = (("embed_tokens", cfg["vocab_size"]), ("the decoder's embed_tokens", cfg["decoder_vocab_size"]))
        return _act_refuse(cfg, doc, arch) or bad_pad(cfg, "pad_token_id", tables)

    return Recipe(
        family=family_record(
            "marian",
            "MarianConfig",
            "Marian",
            fields,
            heads,
            aliases=ALIASES,
            default="MarianMTModel",
        ),
        symbols={
            **SYMBOLS,
            "Vd": "decoder_rows",
            "Vd_alone": "decoder_alone_rows",
            "Vo": "lm_rows",
            "Vc": "causal_lm_rows",
        },
        legend=LEGEND,
        blocks=blocks,
        backbone=(),
        heads=heads,
        base="model.",
        schema=SCHEMA.replace("vocab_size:int ", "vocab_size:int decoder_vocab_size:int? ", 1)
        + " share_encoder_decoder_embeddings:bool bos_token_id:int?",
        derive=derive,
        check=check,
    )
