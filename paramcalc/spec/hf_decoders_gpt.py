"""Decoder rows of the GPT lineage (OPT, Falcon, Phi, GPT-NeoX, GPT-J, GPT-BigCode, BLOOM,
StarCoder2): learned or rotary positions, LayerNorms with biases, plain two-matrix MLPs, often
fused q/k/v.  Copied from each ``configuration_*.py`` and ``modeling_*.py`` of transformers 5.24.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_arch import (
    BASE,
    CAUSAL_LM,
    LAYERS,
    SEQ_CLS,
    TAGGING,
    Arch,
    Emb,
    Heads,
    Lin,
    Norm,
    Sub,
    fused_qkv,
    norms,
    plain_mlp,
    qkvo,
)
from paramcalc.spec.hf_derive import NO_QA, NO_TOKEN, attention, plain, sizes
from paramcalc.spec.hf_families import ANY, BOOL, EXTRA, INT, OPT_INT


def _opt(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = attention(cfg, divide=True)
    proj = cfg["word_embed_proj_dim"] or dims["h"]
    affine = cfg["layer_norm_elementwise_affine"]
    final = cfg["do_layer_norm_before"] and not cfg["_remove_final_layer_norm"]
    return {
        **dims,
        "I": cfg["ffn_dim"],
        "W": proj,
        "proj": proj != dims["h"],
        "affine": affine,
        "final": final and affine,
        "bias": cfg["enable_bias"],
    }


def _falcon(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = attention(cfg, kv="num_kv_heads", divide=True)
    h, heads, hd = dims["h"], dims["heads"], dims["head_dim"]
    new, parallel = cfg["new_decoder_architecture"], cfg["parallel_attn"]
    if new:
        qkv = (2 * dims["kv_heads"] + heads) * hd
    elif cfg["multi_query"]:
        qkv = h + 2 * hd
    else:
        qkv = 3 * h
    lns = cfg["num_ln_in_parallel_attn"]
    lns = 2 if lns is None and new else lns
    return {
        **dims,
        "qkv_width": qkv,
        "I": 4 * h if cfg["ffn_hidden_size"] is None else cfg["ffn_hidden_size"],
        "bias": cfg["bias"],
        "parallel": parallel,
        "two_ln": parallel and lns == 2,
        "one_ln": parallel and lns != 2,
    }


def _gpt(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = attention(cfg, "n_embd", "n_head", divide=True)
    h = dims["h"]
    inner = cfg["n_inner"]
    return {**dims, "I": 4 * h if inner is None else inner}


def _bigcode(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = _gpt(cfg)
    mq = cfg["multi_query"]
    if mq and cfg["add_cross_attention"]:
        raise TypeError("cross-attention is not implemented for multi-query attention (multi_query true)")
    kv = dims["head_dim"] if mq else dims["h"]
    return {**dims, "qkv_width": dims["h"] + 2 * kv, "kv2": 2 * dims["h"], "cross": cfg["add_cross_attention"]}


def _bloom(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = attention(cfg, "hidden_size", "n_head", divide=True)
    return {**dims, "qkv_width": 3 * dims["h"], "I": 4 * dims["h"]}


def _neox(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = attention(cfg, divide=True)
    return {**dims, "qkv_width": 3 * dims["h"], "I": cfg["intermediate_size"], "bias": cfg["attention_bias"]}


_GPT_ALIASES = {
    "hidden_size": "n_embd",
    "max_position_embeddings": "n_positions",
    "num_attention_heads": "n_head",
    "num_hidden_layers": "n_layer",
}

ROWS: tuple[Arch, ...] = (
    Arch(
        "opt",
        "OPTConfig",
        "OPT",
        {
            "vocab_size": (50272, INT),
            "hidden_size": (768, INT),
            "num_hidden_layers": (12, INT),
            "ffn_dim": (3072, INT),
            "max_position_embeddings": (2048, INT),
            "do_layer_norm_before": (True, BOOL),
            "_remove_final_layer_norm": (False, BOOL),
            "word_embed_proj_dim": (None, OPT_INT),
            "num_attention_heads": (12, INT),
            "pad_token_id": (1, OPT_INT),
            "enable_bias": (True, BOOL),
            "layer_norm_elementwise_affine": (True, BOOL),
            "tie_word_embeddings": (True, BOOL),
        },
        _opt,
        top=(
            Emb("embed_tokens", cols="W", padding=True),
            Emb("embed_positions", rows="max_position_embeddings", offset=2),
            Lin("project_out", "W", "h", when="proj"),
            Lin("project_in", "h", "W", when="proj"),
            Norm("final_layer_norm", bias=True, when="final"),
            LAYERS,
        ),
        block=(
            qkvo("out_proj", "bias", "bias", order="kvq"),
            Norm("self_attn_layer_norm", bias=True, when="affine"),
            Lin("fc1", "I", "h", "bias"),
            Lin("fc2", "h", "I", "bias"),
            Norm("final_layer_norm", bias=True, when="affine"),
        ),
        heads=Heads(NO_TOKEN, out="W"),
        inner="decoder",
        rotary=False,
        summary={"attention": "MHA", "position": "learned (+2 offset)", "norm": "LayerNorm", "mlp": "plain fc1/fc2"},
    ),
    Arch(
        "falcon",
        "FalconConfig",
        "Falcon",
        {
            "vocab_size": (65024, INT),
            "hidden_size": (4544, INT),
            "num_hidden_layers": (32, INT),
            "num_attention_heads": (71, INT),
            "num_ln_in_parallel_attn": (None, OPT_INT),
            "num_kv_heads": (None, OPT_INT),
            "alibi": (False, ANY),
            "new_decoder_architecture": (False, ANY),
            "multi_query": (True, ANY),
            "parallel_attn": (True, ANY),
            "bias": (False, ANY),
            "max_position_embeddings": (2048, INT),
            "pad_token_id": (None, OPT_INT),
            "ffn_hidden_size": (None, OPT_INT),
            "tie_word_embeddings": (True, BOOL),
        },
        _falcon,
        top=(Emb("word_embeddings"), LAYERS, Norm("ln_f", bias=True)),
        block=(
            fused_qkv(bias="bias"),
            plain_mlp("dense_h_to_4h", "dense_4h_to_h", "bias"),
            Norm("post_attention_layernorm", bias=True, when="!parallel"),
            Norm("input_layernorm", bias=True, when="!parallel"),
            Norm("ln_attn", bias=True, when="two_ln"),
            Norm("ln_mlp", bias=True, when="two_ln"),
            Norm("input_layernorm", bias=True, when="one_ln"),
        ),
        heads=Heads(base="transformer", tagger_name="classifier", tie_to="word_embeddings"),
        layers="h",
        rope_dim=lambda cfg: cfg["hidden_size"] // cfg["num_attention_heads"],
        refused_keys={
            "head_dim": "FalconConfig.head_dim is hidden_size // num_attention_heads, a property with no setter"
        },
        summary={
            "attention": "MQA / GQA (new_decoder_architecture) / MHA, fused qkv",
            "position": "rotary or ALiBi",
            "norm": "LayerNorm",
            "mlp": "plain",
        },
    ),
    Arch(
        "phi",
        "PhiConfig",
        "Phi",
        {
            **sizes(51200, 2048, 8192, 24, 32),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (2048, INT),
            "tie_word_embeddings": (False, BOOL),
            "qk_layernorm": (False, BOOL),
            "pad_token_id": (None, OPT_INT),
        },
        lambda cfg: plain(cfg, qk_ln=cfg["qk_layernorm"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("final_layernorm", bias=True)),
        block=(
            Sub(
                "self_attn",
                (
                    Lin("q_proj", "q_width", "h", True),
                    Lin("k_proj", "kv_width", "h", True),
                    Lin("v_proj", "kv_width", "h", True),
                    Lin("dense", "h", "q_width", True),
                    Norm("q_layernorm", ("head_dim",), True, when="qk_ln"),
                    Norm("k_layernorm", ("head_dim",), True, when="qk_ln"),
                ),
            ),
            plain_mlp("fc1", "fc2"),
            Norm("input_layernorm", bias=True),
        ),
        heads=Heads(NO_QA, lm_bias=True),
        partial_rotary_factor=0.5,
        summary={
            "attention": "MHA/GQA, biases",
            "position": "partial rotary",
            "norm": "LayerNorm (parallel block)",
            "mlp": "plain fc1/fc2",
        },
    ),
    Arch(
        "gpt_neox",
        "GPTNeoXConfig",
        "GPTNeoX",
        {
            "vocab_size": (50432, INT),
            "hidden_size": (6144, INT),
            "num_hidden_layers": (44, INT),
            "num_attention_heads": (64, INT),
            "intermediate_size": (24576, INT),
            "max_position_embeddings": (2048, INT),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
            "use_parallel_residual": (True, BOOL),
            "attention_bias": (True, BOOL),
        },
        _neox,
        top=(Emb("embed_in"), LAYERS, Norm("final_layer_norm", bias=True)),
        block=(
            *norms("input_layernorm", "post_attention_layernorm", bias=True),
            fused_qkv(bias="bias", path="attention"),
            plain_mlp("dense_h_to_4h", "dense_4h_to_h"),
        ),
        heads=Heads(base="gpt_neox", tagger_name="classifier", tie_to="embed_in"),
        heads_divide_hidden=True,
        partial_rotary_factor=0.25,
        summary={"attention": "MHA, fused qkv", "position": "partial rotary", "norm": "LayerNorm", "mlp": "plain"},
    ),
    Arch(
        "gptj",
        "GPTJConfig",
        "GPTJ",
        {
            "vocab_size": (50400, INT),
            "n_positions": (2048, INT),
            "n_embd": (4096, INT),
            "n_layer": (28, INT),
            "n_head": (16, INT),
            "rotary_dim": (64, INT),
            "n_inner": (None, OPT_INT),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
        },
        _gpt,
        top=(Emb("wte"), LAYERS, Norm("ln_f", bias=True)),
        block=(
            Norm("ln_1", bias=True),
            qkvo("out_proj", order="kvq", path="attn"),
            plain_mlp("fc_in", "fc_out"),
        ),
        heads=Heads(NO_TOKEN, base="transformer", lm_bias=True, tie_to="wte"),
        aliases=_GPT_ALIASES,
        layers="h",
        layers_key="n_layer",
        rotary=False,
        summary={
            "attention": "MHA",
            "position": "rotary (rotary_dim)",
            "norm": "LayerNorm (parallel block)",
            "mlp": "plain",
        },
    ),
    Arch(
        "gpt_bigcode",
        "GPTBigCodeConfig",
        "GPTBigCode",
        {
            "vocab_size": (50257, INT),
            "n_positions": (1024, INT),
            "n_embd": (768, INT),
            "n_layer": (12, INT),
            "n_head": (12, INT),
            "n_inner": (None, OPT_INT),
            "pad_token_id": (None, OPT_INT),
            "multi_query": (True, BOOL),
            "add_cross_attention": (False, BOOL),
            "tie_word_embeddings": (True, BOOL),
        },
        _bigcode,
        top=(Emb("wte"), Emb("wpe", rows="n_positions"), LAYERS, Norm("ln_f", bias=True)),
        block=(
            Norm("ln_1", bias=True),
            Sub("attn", (Lin("c_attn", "qkv_width", "h", True), Lin("c_proj", "h", "h", True))),
            Norm("ln_2", bias=True),
            Sub(
                "crossattention",
                (Lin("c_attn", "kv2", "h", True), Lin("q_attn", "h", "h", True), Lin("c_proj", "h", "h", True)),
                when="cross",
            ),
            Norm("ln_cross_attn", bias=True, when="cross"),
            plain_mlp("c_fc", "c_proj"),
        ),
        heads=Heads((BASE, CAUSAL_LM, SEQ_CLS, TAGGING), base="transformer", tagger_name="classifier", tie_to="wte"),
        aliases=_GPT_ALIASES,
        layers="h",
        layers_key="n_layer",
        rotary=False,
        summary={
            "attention": "MQA (multi_query) or MHA, fused qkv",
            "position": "learned",
            "norm": "LayerNorm",
            "mlp": "plain",
        },
    ),
    Arch(
        "bloom",
        "BloomConfig",
        "Bloom",
        {
            "vocab_size": (250880, INT),
            "hidden_size": (64, INT),
            "n_layer": (2, INT),
            "n_head": (8, INT),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (True, BOOL),
        },
        _bloom,
        top=(Emb("word_embeddings"), Norm("word_embeddings_layernorm", bias=True), LAYERS, Norm("ln_f", bias=True)),
        block=(
            Norm("input_layernorm", bias=True),
            fused_qkv(bias=True),
            Norm("post_attention_layernorm", bias=True),
            plain_mlp("dense_h_to_4h", "dense_4h_to_h"),
        ),
        heads=Heads(base="transformer", tagger_name="classifier", tie_to="word_embeddings"),
        aliases={"num_hidden_layers": "n_layer", "num_attention_heads": "n_head", "n_embed": "hidden_size"},
        layers="h",
        layers_key="n_layer",
        rotary=False,
        summary={
            "attention": "MHA, fused qkv",
            "position": "ALiBi",
            "norm": "LayerNorm (+ after the embedding)",
            "mlp": "plain, 4h",
        },
    ),
    Arch(
        "starcoder2",
        "Starcoder2Config",
        "Starcoder2",
        {
            **sizes(49152, 3072, 12288, 30, 24),
            "num_key_value_heads": (2, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (4096, INT),
            "pad_token_id": (None, OPT_INT),
            "use_bias": (True, BOOL),
            "tie_word_embeddings": (True, BOOL),
        },
        lambda cfg: plain(cfg, {"or_default": True}, bias=cfg["use_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm", bias=True)),
        block=(
            qkvo(bias="bias", o_bias="bias"),
            plain_mlp("c_fc", "c_proj", "bias"),
            *norms("input_layernorm", "post_attention_layernorm", bias=True),
        ),
        heads=Heads(NO_QA),
        summary={
            "attention": "GQA, biases (use_bias)",
            "position": "rotary",
            "norm": "LayerNorm",
            "mlp": "plain c_fc/c_proj",
        },
    ),
)
