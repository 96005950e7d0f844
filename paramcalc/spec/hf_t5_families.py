"""mT5 and UMT5 as data (see :mod:`paramcalc.spec.hf_recipes`): T5's blocks, other defaults and heads.

Both reuse T5's block rule (``T5Block``, :mod:`paramcalc.rules.hf_t5`: the parameter names are
the same as ``MT5Block`` / ``UMT5Block``), T5's RMS ``final_layer_norm`` and T5's tie:
transformers 5 forces ``tie_word_embeddings=True`` for both, so ``from_config`` ties
``lm_head`` to ``shared`` although the published mT5 / UMT5 checkpoints say ``false`` and
ship their own ``lm_head``.  As for T5, paramcalc counts the checkpoint by default
(``false`` written: an own ``lm_head``) and what ``from_config`` builds with
``tie_policy="transformers"``.  What differs:

* mT5 defaults to gated-gelu, d_ff 1024, 8 layers of 6 heads, a 250,112-token vocabulary;
* UMT5 gives **every** block its own relative attention bias (T5 and mT5: block 0 only);
* both have ``...ForSequenceClassification`` (under ``transformer.``, with a classification
  head), ``...ForTokenClassification`` (encoder only) and ``...ForQuestionAnswering``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_encoder_families import (
    LEGEND,
    QA,
    SEQ_CLS,
    TOKEN_CLS,
    classification_head,
    family_record,
    labels,
)
from paramcalc.spec.hf_families import ANY, BOOL, INT, OPT_INT, STR
from paramcalc.spec.hf_recipes import Block, Head, Recipe, Row, linear_row
from paramcalc.spec.hf_schema import ACTIVATIONS

T5_BLOCK_KEYS = ("d_model", "d_kv", "num_heads", "d_ff", "feed_forward_proj", "relative_attention_num_buckets")
SCHEMA = (
    "vocab_size:int d_model:int d_kv:int d_ff:int num_layers:int num_decoder_layers:int? num_heads:int "
    "relative_attention_num_buckets:int relative_attention_max_distance:int dropout_rate:num "
    "layer_norm_epsilon:float initializer_factor:float feed_forward_proj:str use_cache:bool pad_token_id:int? "
    "eos_token_id:ids decoder_start_token_id:int? classifier_dropout:num is_decoder:bool"
)


def t5_like(model_type: str, prefix: str, every_block_bias: bool) -> Recipe:
    """mT5 or UMT5: shared table, encoder (and decoder) stacks, final RMS norms, then the head."""
    fields: dict[str, tuple[Any, str]] = {
        "vocab_size": (250112, INT),
        "d_model": (512, INT),
        "d_kv": (64, INT),
        "d_ff": (1024, INT),
        "num_layers": (8, INT),
        "num_decoder_layers": (None, OPT_INT),
        "num_heads": (6, INT),
        "relative_attention_num_buckets": (32, INT),
        "feed_forward_proj": ("gated-gelu", STR),
        "is_decoder": (False, BOOL),
        "tie_word_embeddings": (True, ANY),
        "num_labels": (2, INT),
    }
    blocks = {
        "T5Block": Block(T5_BLOCK_KEYS, (), "T5's block (paramcalc.rules.hf_t5).", external=True),
        f"{prefix}ClassificationHead": classification_head("d_model"),
    }

    def stack(base: str, side: str, decoder: bool | str) -> tuple[Row, ...]:
        """``decoder``: True, False, or ``"=is_decoder"`` (encoder-only classes build the stack from the
        config as is, so ``is_decoder: true`` gives their blocks a cross-attention).
        """
        depth = "num_decoder_layers" if decoder is True else "num_layers"
        rows = [Row(f"{base}{side}.embed_tokens", "Embedding", args=(("num_embeddings", "V"), ("embedding_dim", "d")))]
        if every_block_bias:
            rows.append(Row(f"{base}{side}.block", "T5Block", stack=depth, fixed=_flags(decoder, True)))
        else:
            rows.append(Row(f"{base}{side}.block", "T5Block", stack=f"{side}_first", fixed=_flags(decoder, True)))
            rows.append(
                Row(f"{base}{side}.block", "T5Block", stack=f"{side}_rest", start=1, fixed=_flags(decoder, False))
            )
        rows.append(Row(f"{base}{side}.final_layer_norm", "T5LayerNorm", args=(("hidden_size", "d"),)))
        return tuple(rows)

    def model(base: str, decoder: bool = True) -> tuple[Row, ...]:
        shared = Row(f"{base}shared", "Embedding", args=(("num_embeddings", "V"), ("embedding_dim", "d")))
        sides = stack(base, "encoder", False if decoder else "=is_decoder")
        sides += stack(base, "decoder", True) if decoder else ()
        return (shared, *sides)

    def embed_ties(base: str, decoder: bool = True) -> tuple[tuple[str, str], ...]:
        sides = ("encoder", "decoder") if decoder else ("encoder",)
        return tuple((f"{base}{side}.embed_tokens.weight", f"{base}shared.weight") for side in sides)

    lm = Row("lm_head", "Linear", args=(("in_features", "d"), ("out_features", "V"), ("bias", False)))
    heads = {
        f"{prefix}ForConditionalGeneration": Head(
            (*model(""), lm), ties=(("lm_head.weight", "shared.weight"),), always=embed_ties("")
        ),
        f"{prefix}Model": Head(model(""), always=embed_ties("")),
        f"{prefix}EncoderModel": Head(model("", decoder=False), always=embed_ties("", decoder=False)),
        f"{prefix}{SEQ_CLS}": Head(
            (*model("transformer."), Row("classification_head", f"{prefix}ClassificationHead")),
            always=embed_ties("transformer."),
        ),
        f"{prefix}{TOKEN_CLS}": Head(
            (*model("transformer.", decoder=False), linear_row("classifier", "d", "L")),
            always=embed_ties("transformer.", decoder=False),
        ),
        f"{prefix}{QA}": Head((*model(""), linear_row("qa_outputs", "d", "L")), always=embed_ties("")),
    }

    def derive(cfg: dict[str, Any], doc: Mapping[str, Any]) -> None:
        labels(cfg, doc)
        if cfg["num_decoder_layers"] is None:  # derived before the num_hidden_layers alias is applied
            cfg["num_decoder_layers"] = doc.get("num_layers", fields["num_layers"][0])
        for side, key in (("encoder", "num_layers"), ("decoder", "num_decoder_layers")):
            depth = cfg[key]
            cfg[f"{side}_first"] = min(depth, 1) if isinstance(depth, int) and depth >= 0 else depth
            cfg[f"{side}_rest"] = max(depth - 1, 0) if isinstance(depth, int) and depth >= 0 else depth
        # transformers 5 forces the tie; the checkpoint (tie_word_embeddings false) has its own lm_head
        written = doc.get("tie_word_embeddings", True)
        cfg["tie_word_embeddings"] = written is not False or cfg["tie_policy"] == "transformers"

    def check(cfg: Mapping[str, Any], doc: Mapping[str, Any], arch: str) -> tuple[str, str, str] | None:
        for key in ("num_layers", "num_decoder_layers"):
            if not 0 <= cfg[key] <= 100_000:
                return (key, f"'{key}' must be between 0 and 100,000, got {cfg[key]}", "a config is data, not a bomb")
        parts = cfg["feed_forward_proj"].split("-")
        built = cfg["num_layers"] > 0 or (
            cfg["num_decoder_layers"] > 0 and not arch.endswith(("EncoderModel", "TokenClassification"))
        )
        bad = (len(parts) > 1 and parts[0] != "gated") or len(parts) > 2 or parts[-1] not in ACTIVATIONS
        if bad and built:  # the config class does not check it (T5Config does): only an MLP fails
            proj = cfg["feed_forward_proj"]
            return (
                "feed_forward_proj",
                f"feed_forward_proj '{proj}' is not an activation like 'relu' or 'gated-gelu'",
                "",
            )
        return None

    def notes(cfg: Mapping[str, Any], arch: str) -> list[str]:
        if cfg["tie_word_embeddings"] or not arch.endswith("ForConditionalGeneration"):
            return []
        lost = cfg["vocab_size"] * cfg["d_model"]
        return [
            f"tie_word_embeddings false (the published checkpoints): counted with its own lm_head; transformers 5 "
            f"forces {prefix}Config.tie_word_embeddings=True, so from_config ties lm_head.weight to shared.weight "
            f"({lost:,} fewer parameters) while from_pretrained on such a checkpoint unties them again"
        ]

    return Recipe(
        family=family_record(
            model_type,
            f"{prefix}Config",
            prefix,
            fields,
            heads,
            aliases={
                "hidden_size": "d_model",
                "num_attention_heads": "num_heads",
                "num_hidden_layers": "num_layers",
                "head_dim": "d_kv",
            },
            default=f"{prefix}ForConditionalGeneration",
        ),
        symbols={"V": "vocab_size", "d": "d_model", "h": "d_model", "L": "num_labels"},
        legend=LEGEND,
        blocks=blocks,
        backbone=(),
        heads=heads,
        base="",
        schema=SCHEMA,
        derive=derive,
        check=check,
        notes=notes,
    )


def _flags(decoder: bool | str, bias: bool) -> tuple[tuple[str, Any], ...]:
    return (("is_decoder", decoder), ("has_relative_attention_bias", bias))
