"""Rows of the hand-written Hugging Face families: Llama-style decoders, GPT-2, BERT and T5.

Split from :mod:`paramcalc.spec.hf_config` by job: the reader resolves the config and picks the
model class, these builders lay out its rows (the table-driven and declarative families have
builders of their own, :mod:`paramcalc.spec.hf_build` and :mod:`paramcalc.spec.hf_recipe_build`).
"""

from __future__ import annotations

from dataclasses import replace

from paramcalc.errors import SpecError
from paramcalc.spec.hf_config import _Build, _stack, layer_kwargs
from paramcalc.spec.hf_families import (
    BASE,
    CAUSAL_LM,
    ENCODER,
    LEGACY_HEADS,
    MASKED_LM,
    MOE_LAYOUT,
    SEQ2SEQ,
    qwen2_moe_is_sparse,
)
from paramcalc.spec.records import LayerSpec


def _decoder(build: _Build) -> list[LayerSpec]:
    """Llama-style decoders: embed_tokens, the layers, the final norm, lm_head."""
    family, cfg, role = build.family, build.cfg, build.role
    from paramcalc.spec.hf_build import base_prefix, head_rows

    heads = LEGACY_HEADS[family.model_type]
    base = base_prefix(heads, role)
    prefix = family.prefix
    embed = f"{prefix}TextScaledWordEmbedding" if family.model_type in ("gemma", "gemma2") else "Embedding"
    layers = [
        LayerSpec(
            embed,
            kwargs={
                "num_embeddings": cfg["vocab_size"],
                "embedding_dim": cfg["hidden_size"],
                "padding_idx": cfg["pad_token_id"],
            },
            name=f"{base}embed_tokens",
        )
    ]
    depth = build.count("num_hidden_layers")
    block = f"{prefix}DecoderLayer"
    if family.model_type in MOE_LAYOUT:
        try:
            sparse = [
                qwen2_moe_is_sparse(i, cfg["num_experts"], cfg["decoder_sparse_step"], cfg["mlp_only_layers"])
                for i in range(depth)
            ]
        except ZeroDivisionError:
            raise SpecError(
                "decoder_sparse_step 0 with experts: which layers are sparse is (layer + 1) % decoder_sparse_step",
                location=build.where.at("decoder_sparse_step"),
                hint=f"{family.config_class} builds no model with it (a modulo by zero); use 1",
            ) from None
        groups = []
        for flag in (False, True):
            indices = [i for i in range(depth) if sparse[i] == flag]
            if indices:
                groups.append((indices, layer_kwargs(block, cfg, layer_idx=indices[0])))
        groups.sort(key=lambda group: group[0][0])
    else:
        groups = [(list(range(depth)), layer_kwargs(block, cfg))]
    layers += _stack(f"{base}layers", block, groups)
    layers.append(
        LayerSpec(
            f"{prefix}RMSNorm",
            kwargs={"hidden_size": cfg["hidden_size"], "eps": cfg["rms_norm_eps"]},
            name=f"{base}norm",
        )
    )
    return layers + head_rows(build, heads, base, cfg["hidden_size"], False)


def _lm_head(hidden: int, vocab: int, tied: tuple[tuple[str, str], ...]) -> LayerSpec:
    kwargs = {"in_features": hidden, "out_features": vocab, "bias": False}
    return LayerSpec("Linear", kwargs=kwargs, name="lm_head", tied=tied)


def _gpt2(build: _Build) -> list[LayerSpec]:
    """GPT-2: token and position tables, the blocks, ln_f, lm_head."""
    cfg, role = build.cfg, build.role
    from paramcalc.spec.hf_build import base_prefix, head_rows

    heads = LEGACY_HEADS["gpt2"]
    base = base_prefix(heads, role)
    h = cfg["n_embd"]
    layers = [
        LayerSpec("Embedding", kwargs={"num_embeddings": cfg["vocab_size"], "embedding_dim": h}, name=f"{base}wte"),
        LayerSpec("Embedding", kwargs={"num_embeddings": cfg["n_positions"], "embedding_dim": h}, name=f"{base}wpe"),
    ]
    depth = build.count("n_layer")
    layers += _stack(f"{base}h", "GPT2Block", [(list(range(depth)), layer_kwargs("GPT2Block", cfg))])
    eps = cfg["layer_norm_epsilon"]
    layers.append(LayerSpec("LayerNorm", kwargs={"normalized_shape": h, "eps": eps}, name=f"{base}ln_f"))
    if role == "double_heads":
        return layers + head_rows(replace(build, role=CAUSAL_LM), heads, base, h, False) + _gpt2_summary(build)
    return layers + head_rows(build, heads, base, h, False)


def _gpt2_summary(build: _Build) -> list[LayerSpec]:
    """GPT2DoubleHeadsModel's ``multiple_choice_head`` (GPT2SequenceSummary): the class forces
    ``num_labels = 1``, so ``summary`` is h → 1 (h → h without ``summary_proj_to_labels``, nothing
    without ``summary_use_proj``); ``summary_type: attn`` raises NotImplementedError.
    """
    doc, h = build.doc, build.cfg["n_embd"]
    if doc.get("summary_type", "cls_index") == "attn":
        raise SpecError(
            "summary_type 'attn' is not implemented",
            location=build.where.at("summary_type"),
            hint="GPT2SequenceSummary refuses it",
        )
    if not doc.get("summary_use_proj", True):
        return []
    out = 1 if doc.get("summary_proj_to_labels", True) else h
    kwargs = {"in_features": h, "out_features": out, "bias": True}
    return [LayerSpec("Linear", kwargs=kwargs, name="multiple_choice_head.summary")]


BERT_POOLED = (BASE, "sequence_classification", "multiple_choice", "next_sentence", "pretraining")
"""BERT classes whose ``BertModel`` keeps its pooler (the others pass ``add_pooling_layer=False``)."""


def _bert(build: _Build) -> list[LayerSpec]:
    """BERT: embeddings, the encoder layers, the pooler where the class keeps it, then its head:
    the MLM head (``BertForMaskedLM``, ``BertLMHeadModel``, and ``BertForPreTraining`` with the
    next-sentence ``cls.seq_relationship`` after it), or a classifier.
    """
    cfg, role = build.cfg, build.role
    base = "" if role == BASE else "bert."
    layers = [LayerSpec("BertEmbeddings", kwargs=layer_kwargs("BertEmbeddings", cfg), name=f"{base}embeddings")]
    depth = build.count("num_hidden_layers")
    layers += _stack(f"{base}encoder.layer", "BertLayer", [(list(range(depth)), layer_kwargs("BertLayer", cfg))])
    if role in BERT_POOLED:
        layers.append(LayerSpec("BertPooler", kwargs=layer_kwargs("BertPooler", cfg), name=f"{base}pooler"))
    if role not in (MASKED_LM, CAUSAL_LM, "pretraining"):
        return layers + _bert_classifier(build, role)
    tied: tuple[tuple[str, str], ...] = ()
    if cfg["tie_word_embeddings"]:
        tied = (("decoder.weight", "bert.embeddings.word_embeddings.weight"), ("decoder.bias", "cls.predictions.bias"))
        build.tie_note("cls.predictions.decoder.weight", "bert.embeddings.word_embeddings.weight")
        build.notes[-1] += "; its decoder.bias is cls.predictions.bias"
    else:
        build.notes.append(
            "tie_word_embeddings false: the MLM decoder has its own weight and its own bias "
            "(cls.predictions.decoder.bias, besides cls.predictions.bias)"
        )
    kwargs = layer_kwargs("BertLMPredictionHead", cfg)
    layers.append(LayerSpec("BertLMPredictionHead", kwargs=kwargs, name="cls.predictions", tied=tied))
    return layers + _bert_classifier(build, role)


def _bert_classifier(build: _Build, role: str) -> list[LayerSpec]:
    """The one ``nn.Linear`` (with bias) a BERT task class ends with, if any."""
    from paramcalc.spec.hf_build import num_labels

    if role in ("next_sentence", "pretraining"):
        name, outputs = "cls.seq_relationship", 2  # is-next / not-next, whatever num_labels says
    elif role == "multiple_choice":
        name, outputs = "classifier", 1  # one score per choice
    elif role in ("sequence_classification", "token_classification", "question_answering"):
        name = "qa_outputs" if role == "question_answering" else "classifier"
        outputs = num_labels(build)
        build.notes.append(f"{name}: {outputs} outputs (num_labels)")
    else:
        return []
    h = build.cfg["hidden_size"]
    return [LayerSpec("Linear", kwargs={"in_features": h, "out_features": outputs, "bias": True}, name=name)]


T5_SEQ_CLS, T5_TAGGING, T5_QA = "sequence_classification", "token_classification", "question_answering"


def _t5_task_head(build: _Build, role: str) -> list[LayerSpec]:
    """T5's task heads (all biased): ``classification_head`` (dense d×d, out_proj d→num_labels),
    ``classifier`` (d→num_labels) or ``qa_outputs`` (d→num_labels).
    """
    from paramcalc.spec.hf_build import num_labels

    d, labels = build.cfg["d_model"], num_labels(build)
    build.notes.append(f"{labels} outputs (num_labels)")
    if role == T5_SEQ_CLS:
        return [
            LayerSpec(
                "Linear", kwargs={"in_features": d, "out_features": d, "bias": True}, name="classification_head.dense"
            ),
            LayerSpec(
                "Linear",
                kwargs={"in_features": d, "out_features": labels, "bias": True},
                name="classification_head.out_proj",
            ),
        ]
    name = "classifier" if role == T5_TAGGING else "qa_outputs"
    return [LayerSpec("Linear", kwargs={"in_features": d, "out_features": labels, "bias": True}, name=name)]


def _t5(build: _Build) -> list[LayerSpec]:
    """T5: the shared table, encoder (and decoder) stacks with block 0 apart, lm_head (or a task head:
    ``T5ForSequenceClassification`` wraps a T5Model in ``transformer``, ``T5ForTokenClassification``
    a T5EncoderModel, ``T5ForQuestionAnswering`` has the stacks itself).
    """
    cfg, role, doc = build.cfg, build.role, build.doc
    d, vocab = cfg["d_model"], cfg["vocab_size"]
    base = "transformer." if role in (T5_SEQ_CLS, T5_TAGGING) else ""
    encoder_only = role in (ENCODER, T5_TAGGING)
    shared = f"{base}shared.weight"
    layers = [LayerSpec("Embedding", kwargs={"num_embeddings": vocab, "embedding_dim": d}, name=f"{base}shared")]
    # T5Model and T5ForConditionalGeneration set is_decoder false on their encoder; T5EncoderModel
    # keeps the config's, so "is_decoder": true gives its blocks a cross-attention each
    as_decoder = encoder_only and bool(cfg["is_decoder"])
    if as_decoder:
        build.notes.append(
            "is_decoder true: T5EncoderModel builds its stack from the config as is, so every encoder block "
            "also has a cross-attention (layer.1.EncDecAttention), as transformers does"
        )
    stacks = [("encoder", as_decoder, build.count("num_layers"))]
    if not encoder_only:
        stacks.append(("decoder", True, build.count("num_decoder_layers")))
    for stack, is_decoder, depth in stacks:
        layers.append(
            LayerSpec(
                "Embedding",
                kwargs={"num_embeddings": vocab, "embedding_dim": d},
                name=f"{base}{stack}.embed_tokens",
                tied=(("weight", shared),),
            )
        )
        groups = [
            ([0][:depth], layer_kwargs("T5Block", cfg, is_decoder=is_decoder, has_relative_attention_bias=True)),
            (list(range(1, depth)), layer_kwargs("T5Block", cfg, is_decoder=is_decoder)),
        ]
        layers += _stack(f"{base}{stack}.block", "T5Block", groups)
        kwargs = {"hidden_size": d, "eps": cfg["layer_norm_epsilon"]}
        layers.append(LayerSpec("T5LayerNorm", kwargs=kwargs, name=f"{base}{stack}.final_layer_norm"))
    if role in (T5_SEQ_CLS, T5_TAGGING, T5_QA):
        return layers + _t5_task_head(build, role)
    if role != SEQ2SEQ:
        return layers
    written = doc.get("tie_word_embeddings", True)
    untied = written is False and build.tie_policy == "checkpoint"
    if written is False:
        lost = vocab * d
        build.notes.append(
            "tie_word_embeddings false (T5 v1.1 / Flan-T5 style): "
            + (
                "counted as the checkpoint is, with its own lm_head; "
                if untied
                else "counted as transformers builds it; "
            )
            + "transformers 5 forces T5Config.tie_word_embeddings=True, so from_config ties lm_head.weight to "
            + f"shared.weight ({lost:,} fewer parameters) while from_pretrained on such a checkpoint unties them again"
        )
    elif doc.get("scale_decoder_outputs") is False:
        build.notes.append(
            "scale_decoder_outputs false with tie_word_embeddings true: a config saved by transformers 5 from a "
            "T5 v1.1-style model; if its checkpoint holds a separate lm_head, the model has "
            f"{vocab * d:,} more parameters than counted here"
        )
    tied: tuple[tuple[str, str], ...] = () if untied else (("weight", "shared.weight"),)
    layers.append(_lm_head(d, vocab, tied))
    return layers
