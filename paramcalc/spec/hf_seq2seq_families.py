"""Encoder-decoder families as data: BART, mBART, Pegasus (see :mod:`paramcalc.spec.hf_recipes`).

The three share one block layout (``self_attn`` k/v/q/out projections with biases, its
LayerNorm, ``encoder_attn`` in the decoder, ``fc1``/``fc2``, ``final_layer_norm``) and
differ in what surrounds the layers, copied from ``modeling_*.py`` (5.24):

* positions: BART and mBART learn ``max_position_embeddings + 2`` rows (an offset of 2
  kept from fairseq); Pegasus' sinusoidal table has ``max_position_embeddings`` rows and
  is a parameter too (frozen, but ``num_parameters()`` counts it);
* norms: BART has ``layernorm_embedding``, Pegasus a final ``layer_norm``, mBART both;
* ties: ``encoder.embed_tokens``, ``decoder.embed_tokens`` and ``lm_head`` are all
  ``shared`` while ``tie_word_embeddings`` holds (the default); with it false, transformers 5
  ties nothing, so each has its own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_encoder_families import (
    LEGEND,
    QA,
    SEQ_CLS,
    bad_pad,
    classification_head,
    emb,
    family_record,
    labels,
    lin,
    ln,
)
from paramcalc.spec.hf_families import BOOL, INT, OPT_INT
from paramcalc.spec.hf_recipes import Block, Head, Recipe, Row, linear_row, norm_row
from paramcalc.spec.hf_schema import ACTIVATIONS

ALIASES = {
    "num_attention_heads": "encoder_attention_heads",
    "hidden_size": "d_model",
    "num_hidden_layers": "encoder_layers",
}
"""The config classes' attribute_map (BartConfig, MBartConfig, PegasusConfig, MarianConfig; WhisperConfig adds one)."""

SYMBOLS: dict[str, str] = {
    "V": "vocab_size",
    "h": "d_model",
    "P": "max_position_embeddings",
    "I_enc": "encoder_ffn_dim",
    "I_dec": "decoder_ffn_dim",
    "L": "num_labels",
}
"""(QA heads have 2 outputs whatever num_labels says: the class sets config.num_labels = 2.)"""


def _attention(prefix: str, k_bias: bool = True) -> tuple[Any, ...]:
    return tuple(lin(f"{prefix}.{p}_proj", "h", "h", k_bias or p != "k") for p in ("k", "v", "q", "out"))


def _layer(decoder: bool, k_bias: bool = True) -> Block:
    inner = "I_dec" if decoder else "I_enc"
    cross = (*_attention("encoder_attn", k_bias), ln("encoder_attn_layer_norm")) if decoder else ()
    keys = ("d_model", "decoder_ffn_dim") if decoder else ("d_model", "encoder_ffn_dim")
    return Block(
        keys,
        (
            *_attention("self_attn", k_bias),
            ln("self_attn_layer_norm"),
            *cross,
            lin("fc1", inner, "h"),
            lin("fc2", "h", inner),
            ln("final_layer_norm"),
        ),
        "self_attn: k, v, q, out projections (h×h with biases"
        + ("" if k_bias else ", none on k_proj")
        + ") and its LayerNorm; "
        + ("encoder_attn (the same shapes) and its LayerNorm; " if decoder else "")
        + "fc1 (h→ffn), fc2 (ffn→h) and final_layer_norm.",
    )


SCHEMA = (
    "is_encoder_decoder:bool vocab_size:int max_position_embeddings:int encoder_layers:int encoder_ffn_dim:int "
    "encoder_attention_heads:int decoder_layers:int decoder_ffn_dim:int decoder_attention_heads:int "
    "encoder_layerdrop:num decoder_layerdrop:num use_cache:bool activation_function:str d_model:int dropout:num "
    "attention_dropout:num activation_dropout:num init_std:float scale_embedding:bool pad_token_id:int? "
    "eos_token_id:ids decoder_start_token_id:int? forced_eos_token_id:ids is_decoder:bool tie_word_embeddings:bool"
)


def bart_like(
    model_type: str, config_class: str, prefix: str, *, offset: int, embedding_norm: bool, final_norm: bool, pad: int
) -> Recipe:
    """BART, mBART or Pegasus: the shared table, encoder and decoder stacks, then a head."""
    fields = {
        "vocab_size": (50265, INT),
        "max_position_embeddings": (1024, INT),
        "encoder_layers": (12, INT),
        "encoder_ffn_dim": (4096, INT),
        "encoder_attention_heads": (16, INT),
        "decoder_layers": (12, INT),
        "decoder_ffn_dim": (4096, INT),
        "decoder_attention_heads": (16, INT),
        "d_model": (1024, INT),
        "pad_token_id": (pad, OPT_INT),
        "num_labels": (3 if model_type == "bart" else 2, INT),  # BartConfig: 3 unless id2label is given
        "tie_word_embeddings": (True, BOOL),
    }
    positions = f"P+{offset}" if offset else "P"
    blocks = {
        f"{prefix}Positions": Block(
            ("max_position_embeddings", "d_model"),
            (emb("", positions),) if offset else (("frozen", "", (emb("", positions),)),),
            f"The position table: {positions} rows of h"
            + (" (learned, offset by 2 as in fairseq)." if offset else " (sinusoidal, frozen, still a parameter)."),
            out="h",
            source=True,
        ),
        f"{prefix}EncoderLayer": _layer(False),
        f"{prefix}DecoderLayer": _layer(True),
        f"{prefix}ClassificationHead": classification_head("d_model"),
    }

    def stack(base: str, side: str) -> tuple[Row, ...]:
        rows = [
            Row(f"{base}{side}.embed_tokens", "Embedding", args=(("num_embeddings", "V"), ("embedding_dim", "h"))),
            Row(f"{base}{side}.embed_positions", f"{prefix}Positions"),
            Row(f"{base}{side}.layers", f"{prefix}{side.title()}Layer", stack=f"{side}_layers"),
        ]
        if embedding_norm:
            rows.append(norm_row(f"{base}{side}.layernorm_embedding", "h"))
        if final_norm:
            rows.append(norm_row(f"{base}{side}.layer_norm", "h"))
        return tuple(rows)

    def model(base: str) -> tuple[Row, ...]:
        shared = Row(f"{base}shared", "Embedding", args=(("num_embeddings", "V"), ("embedding_dim", "h")))
        return (shared, *stack(base, "encoder"), *stack(base, "decoder"))

    def shared_ties(base: str) -> tuple[tuple[str, str], ...]:
        return tuple((f"{base}{side}.embed_tokens.weight", f"{base}shared.weight") for side in ("encoder", "decoder"))

    lm = Row("lm_head", "Linear", args=(("in_features", "h"), ("out_features", "V"), ("bias", False)))
    heads = {
        f"{prefix}Model": Head(model(""), ties=shared_ties("")),
        f"{prefix}ForConditionalGeneration": Head(
            (*model("model."), lm), ties=(("lm_head.weight", "model.shared.weight"), *shared_ties("model."))
        ),
        f"{prefix}ForCausalLM": Head(
            (*stack("model.", "decoder"), lm), ties=(("lm_head.weight", "model.decoder.embed_tokens.weight"),)
        ),
    }
    if model_type != "pegasus":
        heads[f"{prefix}{SEQ_CLS}"] = Head(
            (*model("model."), Row("classification_head", f"{prefix}ClassificationHead")), ties=shared_ties("model.")
        )
        heads[f"{prefix}{QA}"] = Head(
            (*model("model."), linear_row("qa_outputs", "h", "2")), ties=shared_ties("model.")
        )

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        return _act_refuse(cfg, doc, arch) or bad_pad(cfg, "pad_token_id", (("embed_tokens", cfg["vocab_size"]),))

    return Recipe(
        family=family_record(
            model_type,
            config_class,
            prefix,
            fields,
            heads,
            aliases=ALIASES,
            default=f"{prefix}ForConditionalGeneration",
        ),
        symbols=SYMBOLS,
        legend=LEGEND,
        blocks=blocks,
        backbone=(),
        heads=heads,
        base="model.",
        # BartConfig types is_decoder as bool | None; mBART's and Pegasus' as bool
        schema=SCHEMA.replace("is_decoder:bool", "is_decoder:bool?") if model_type == "bart" else SCHEMA,
        derive=labels,
        check=check,
    )


def _act_refuse(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
    """What the layers refuse, in the stacks the class builds (a ...ForCausalLM has no encoder)."""
    act = doc.get("activation_function", "gelu")
    sides = (
        ("decoder",) if arch.endswith("ForCausalLM") else ("encoder",) if "Audio" in arch else ("encoder", "decoder")
    )
    for side in sides:
        heads_key, depth = f"{side}_attention_heads", cfg[f"{side}_layers"]
        if depth > 0 and isinstance(act, str) and act not in ACTIVATIONS:
            return ("activation_function", f"'activation_function' {act!r} is no activation transformers knows", "")
        if depth > 0 and (cfg[heads_key] <= 0 or cfg["d_model"] % cfg[heads_key]):
            return (heads_key, f"d_model {cfg['d_model']} is not a multiple of {heads_key} {cfg[heads_key]}", "")
    return None


def whisper() -> Recipe:
    """Whisper: two Conv1d over the mel bins, learned (encoder: frozen) positions, no shared table.

    Its attention has no bias on ``k_proj``; the decoder's ``embed_tokens`` is the output
    projection ``proj_out`` while ``tie_word_embeddings`` holds.  ``encoder.embed_positions``
    is frozen (``requires_grad_(False)``) but still a parameter.
    """
    fields = {
        "vocab_size": (51865, INT),
        "num_mel_bins": (80, INT),
        "encoder_layers": (4, INT),
        "encoder_attention_heads": (6, INT),
        "decoder_layers": (4, INT),
        "decoder_attention_heads": (6, INT),
        "decoder_ffn_dim": (1536, INT),
        "encoder_ffn_dim": (1536, INT),
        "d_model": (384, INT),
        "max_source_positions": (1500, INT),
        "max_target_positions": (448, INT),
        "pad_token_id": (50256, OPT_INT),
        "classifier_proj_size": (256, INT),
        "use_weighted_layer_sum": (False, BOOL),
        "num_labels": (2, INT),
        "tie_word_embeddings": (True, BOOL),
    }
    blocks = {
        "WhisperAudioStem": Block(
            ("num_mel_bins", "d_model", "max_source_positions"),
            (
                ("param", "conv1.weight", "h", "M", "3"),
                ("param", "conv1.bias", "h"),
                ("param", "conv2.weight", "h", "h", "3"),
                ("param", "conv2.bias", "h"),
                ("frozen", "", (emb("embed_positions", "S"),)),
            ),
            "conv1 (mel bins→h, kernel 3) and conv2 (h→h, kernel 3, stride 2) with biases, then the "
            "encoder's position table (max_source_positions × h, frozen but a parameter).",
            out="h",
            source=True,
        ),
        "WhisperEncoderLayer": _layer(False, k_bias=False),
        "WhisperDecoderLayer": _layer(True, k_bias=False),
        "WhisperLayerWeights": Block(
            ("encoder_layers",),
            (("param", "", "Le+1"),),
            "One weight per hidden state (layers + 1) when use_weighted_layer_sum.",
        ),
    }

    def table(name: str, rows: str) -> Row:
        return Row(name, "Embedding", args=(("num_embeddings", rows), ("embedding_dim", "h")))

    def encoder(base: str) -> tuple[Row, ...]:
        return (
            Row(f"{base}encoder", "WhisperAudioStem"),
            Row(f"{base}encoder.layers", "WhisperEncoderLayer", stack="encoder_layers"),
            norm_row(f"{base}encoder.layer_norm", "h"),
        )

    def decoder(base: str) -> tuple[Row, ...]:
        return (
            table(f"{base}decoder.embed_tokens", "V"),
            table(f"{base}decoder.embed_positions", "T"),
            Row(f"{base}decoder.layers", "WhisperDecoderLayer", stack="decoder_layers"),
            norm_row(f"{base}decoder.layer_norm", "h"),
        )

    proj = Row("proj_out", "Linear", args=(("in_features", "h"), ("out_features", "V"), ("bias", False)))
    tie = (("proj_out.weight", "model.decoder.embed_tokens.weight"),)
    heads = {
        "WhisperModel": Head((*encoder(""), *decoder(""))),
        "WhisperForConditionalGeneration": Head((*encoder("model."), *decoder("model."), proj), ties=tie),
        "WhisperForCausalLM": Head((*decoder("model."), proj), ties=tie),
        "WhisperForAudioClassification": Head(
            (  # a module's own parameters come before its sub-modules' in named_parameters()
                Row("layer_weights", "WhisperLayerWeights", when="use_weighted_layer_sum"),
                *encoder(""),
                linear_row("projector", "h", "Pc"),
                linear_row("classifier", "Pc", "L"),
            )
        ),
    }
    return Recipe(
        family=family_record(
            "whisper",
            "WhisperConfig",
            "Whisper",
            fields,
            heads,
            aliases={**ALIASES, "num_key_value_heads": "encoder_attention_heads"},
            default="WhisperForConditionalGeneration",
        ),
        symbols={
            "V": "vocab_size",
            "h": "d_model",
            "M": "num_mel_bins",
            "S": "max_source_positions",
            "T": "max_target_positions",
            "I_enc": "encoder_ffn_dim",
            "I_dec": "decoder_ffn_dim",
            "Le": "encoder_layers",
            "Pc": "classifier_proj_size",
            "L": "num_labels",
        },
        legend=LEGEND,
        blocks=blocks,
        backbone=(),
        heads=heads,
        base="model.",
        schema=WHISPER_SCHEMA,
        derive=labels,
        check=lambda cfg, doc, arch: (
            _act_refuse(cfg, doc, arch)
            or (None if "Audio" in arch else bad_pad(cfg, "pad_token_id", (("embed_tokens", cfg["vocab_size"]),)))
        ),
    )


WHISPER_SCHEMA = (
    "vocab_size:int num_mel_bins:int encoder_layers:int encoder_attention_heads:int decoder_layers:int "
    "decoder_attention_heads:int decoder_ffn_dim:int encoder_ffn_dim:int encoder_layerdrop:num decoder_layerdrop:num "
    "decoder_start_token_id:int use_cache:bool is_encoder_decoder:bool activation_function:str d_model:int "
    "dropout:num attention_dropout:num activation_dropout:num init_std:float scale_embedding:bool "
    "max_source_positions:int max_target_positions:int pad_token_id:int? bos_token_id:int? eos_token_id:ids "
    "use_weighted_layer_sum:bool classifier_proj_size:int apply_spec_augment:bool mask_time_prob:num "
    "mask_time_length:int mask_time_min_masks:int mask_feature_prob:num mask_feature_length:int "
    "mask_feature_min_masks:int median_filter_width:int tie_word_embeddings:bool"
)
