"""Llama-style decoder rows (StableLM, OLMo, OLMo 2, Cohere, Granite, Gemma 3, Phi-MoE, DBRX,
Granite-MoE): rotary positions, gated MLPs or routed experts, RMS or bias-free norms, and the
places each differs.  Copied from each ``configuration_*.py`` and ``modeling_*.py`` of
transformers 5.24.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_arch import (
    BASE,
    CAUSAL_LM,
    LAYERS,
    SEQ_CLS,
    Arch,
    Emb,
    Experts,
    Heads,
    Lin,
    Norm,
    Param,
    Sub,
    gated_mlp,
    norms,
    qkvo,
)
from paramcalc.spec.hf_derive import LM_ONLY, NO_QA, attention, plain, sizes
from paramcalc.spec.hf_families import ANY, BOOL, EXTRA, INT, OPT_INT


def _moe(cfg: Mapping[str, Any], scaled: bool = True) -> dict[str, Any]:
    """Mixtral-style MoE layers: every layer routes to k of E experts of intermediate_size."""
    dims = plain(cfg, {"scaled": scaled}, bias=cfg["attention_bias"])
    if cfg["num_local_experts"] is None:
        dims["refuse"] = "num_local_experts is null: the experts cannot be built"
    experts = cfg["num_local_experts"] or 0
    return {**dims, "I_e": dims["I"], "E": experts, "k": cfg["num_experts_per_tok"]}


_OLMO_FIELDS: dict[str, tuple[Any, str]] = {
    **sizes(50304, 4096, 11008, 32, 32),
    "num_key_value_heads": (None, OPT_INT),
    "head_dim": (None, EXTRA),
    "max_position_embeddings": (2048, INT),
    "pad_token_id": (1, OPT_INT),
    "tie_word_embeddings": (False, BOOL),
    "attention_bias": (False, BOOL),
}
"""OlmoConfig's and Olmo2Config's fields (the same, with the same defaults)."""


def _dbrx(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """DBRX's sizes from its nested ``attn_config`` and ``ffn_config`` (dicts in a config.json)."""
    if cfg.get("tie_word_embeddings"):
        raise TypeError("tie_word_embeddings is not supported for DBRX (DbrxConfig.validate_architecture)")
    attn, ffn = cfg["attn_config"] or {}, cfg["ffn_config"] or {}
    if not isinstance(attn, Mapping) or not isinstance(ffn, Mapping):
        raise TypeError("attn_config and ffn_config must be objects")
    hidden, heads = cfg["d_model"], cfg["n_heads"]
    dims = attention(
        {"hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": attn.get("kv_n_heads", 1)}
    )
    if "rope_theta" not in attn:  # DbrxAttention reads attn_config.rope_theta, which has no default
        dims["refuse"] = "attn_config has no rope_theta, which DbrxAttention reads"
    experts, inner = ffn.get("moe_num_experts", 4), ffn.get("ffn_hidden_size", 3584)
    return {
        **dims,
        "qkv_width": hidden + 2 * dims["kv_width"],
        "E": experts,
        "k": ffn.get("moe_top_k", 1),
        "F": inner,
        "EF": experts * inner,
    }


ROWS: tuple[Arch, ...] = (
    Arch(
        "stablelm",
        "StableLmConfig",
        "StableLm",
        {
            **sizes(50304, 2560, 6912, 32, 32),
            "num_key_value_heads": (32, OPT_INT),
            "max_position_embeddings": (4096, INT),
            "tie_word_embeddings": (False, BOOL),
            "use_qkv_bias": (False, BOOL),
            "qk_layernorm": (False, BOOL),
            "use_parallel_residual": (False, BOOL),
            "pad_token_id": (None, OPT_INT),
        },
        lambda cfg: plain(
            cfg,
            {"divide": True},
            qkv_bias=cfg["use_qkv_bias"],
            qk_ln=cfg["qk_layernorm"],
            parallel=cfg["use_parallel_residual"],
        ),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm", bias=True)),
        block=(
            Sub(
                "self_attn",
                (
                    Lin("q_proj", "q_width", "h", "qkv_bias"),
                    Lin("k_proj", "kv_width", "h", "qkv_bias"),
                    Lin("v_proj", "kv_width", "h", "qkv_bias"),
                    Lin("o_proj", "h", "h"),
                    Sub("q_layernorm.norms", (Norm("", ("head_dim",)),), when="qk_ln", repeat="heads"),
                    Sub("k_layernorm.norms", (Norm("", ("head_dim",)),), when="qk_ln", repeat="kv_heads"),
                ),
            ),
            gated_mlp(),
            Norm("input_layernorm", bias=True),
            Norm("post_attention_layernorm", bias=True, when="!parallel"),
        ),
        heads=Heads(NO_QA),
        partial_rotary_factor=0.25,
        summary={
            "attention": "MHA/GQA, per-head q/k LayerNorms",
            "position": "partial rotary",
            "norm": "LayerNorm",
            "mlp": "gated",
        },
    ),
    Arch(
        "olmo",
        "OlmoConfig",
        "Olmo",
        _OLMO_FIELDS,
        lambda cfg: plain(cfg, bias=cfg["attention_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS),
        block=(qkvo(bias="bias", o_bias="bias"), gated_mlp()),
        heads=Heads((BASE, CAUSAL_LM, SEQ_CLS)),
        summary={"attention": "MHA/GQA", "position": "rotary", "norm": "LayerNorm without parameters", "mlp": "gated"},
    ),
    Arch(
        "olmo2",
        "Olmo2Config",
        "Olmo2",
        _OLMO_FIELDS,
        lambda cfg: plain(cfg, bias=cfg["attention_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm")),
        block=(
            Sub(
                "self_attn",
                (
                    *qkvo(bias="bias", o_bias="bias").parts,
                    Norm("q_norm", ("q_width",)),
                    Norm("k_norm", ("kv_width",)),
                ),
            ),
            gated_mlp(),
            *norms("post_attention_layernorm", "post_feedforward_layernorm"),
        ),
        heads=Heads((BASE, CAUSAL_LM, SEQ_CLS)),
        norm_class="Olmo2RMSNorm",
        summary={
            "attention": "MHA/GQA, q/k RMS norms over all heads",
            "position": "rotary",
            "norm": "RMSNorm after each sub-block",
            "mlp": "gated",
        },
    ),
    Arch(
        "cohere",
        "CohereConfig",
        "Cohere",
        {
            **sizes(256000, 8192, 22528, 40, 64),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (8192, INT),
            "pad_token_id": (0, OPT_INT),
            "tie_word_embeddings": (True, BOOL),
            "attention_bias": (False, BOOL),
            "use_qk_norm": (False, BOOL),
        },
        lambda cfg: plain(cfg, bias=cfg["attention_bias"], qk_norm=cfg["use_qk_norm"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm")),
        block=(
            Sub(
                "self_attn",
                (
                    *qkvo(bias="bias", o_bias="bias").parts,
                    Norm("q_norm", ("heads", "head_dim"), when="qk_norm"),
                    Norm("k_norm", ("kv_heads", "head_dim"), when="qk_norm"),
                ),
            ),
            gated_mlp(),
            Norm("input_layernorm"),
        ),
        heads=Heads(LM_ONLY),
        norm_class="CohereLayerNorm",
        summary={
            "attention": "MHA/GQA, optional per-head q/k norms",
            "position": "rotary",
            "norm": "LayerNorm without bias (parallel block)",
            "mlp": "gated",
        },
    ),
    Arch(
        "granite",
        "GraniteConfig",
        "Granite",
        {
            **sizes(32000, 4096, 11008, 32, 32),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (2048, INT),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
            "attention_bias": (False, BOOL),
            "mlp_bias": (False, BOOL),
        },
        lambda cfg: plain(cfg, {"scaled": False}, bias=cfg["attention_bias"], mlp_bias=cfg["mlp_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm")),
        block=(
            qkvo(bias="bias", o_bias="bias"),
            gated_mlp(bias="mlp_bias"),
            *norms("input_layernorm", "post_attention_layernorm"),
        ),
        heads=Heads(LM_ONLY),
        norm_class="GraniteRMSNorm",
        summary={"attention": "MHA/GQA", "position": "rotary", "norm": "RMSNorm", "mlp": "gated"},
    ),
    Arch(
        "gemma3_text",
        "Gemma3TextConfig",
        "Gemma3",
        {
            **sizes(262208, 2304, 9216, 26, 8),
            "num_key_value_heads": (4, INT),
            "head_dim": (256, INT),
            "max_position_embeddings": (131072, INT),
            "pad_token_id": (0, OPT_INT),
            "tie_word_embeddings": (True, BOOL),
            "attention_bias": (False, BOOL),
        },
        lambda cfg: plain(cfg, {"scaled": False}, bias=cfg["attention_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm")),
        block=(
            Sub(
                "self_attn",
                (
                    *qkvo(bias="bias", o_bias="bias").parts,
                    Norm("q_norm", ("head_dim",)),
                    Norm("k_norm", ("head_dim",)),
                ),
            ),
            gated_mlp(),
            *norms(
                "input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm"
            ),
        ),
        heads=Heads(
            (BASE, CAUSAL_LM, SEQ_CLS),
            class_names={BASE: "Gemma3TextModel", SEQ_CLS: "Gemma3TextForSequenceClassification"},
        ),
        norm_class="Gemma3RMSNorm",
        reads_rope_scaling=False,
        heads_divide_hidden=True,
        rope_dim=lambda cfg: cfg["head_dim"],
        summary={
            "attention": "GQA, q/k RMS norms, head_dim 256",
            "position": "rotary (local/global)",
            "norm": "RMSNorm, four per layer",
            "mlp": "gated",
        },
    ),
    Arch(
        "phimoe",
        "PhimoeConfig",
        "Phimoe",
        {
            **sizes(32064, 4096, 6400, 32, 32),
            "num_key_value_heads": (8, INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (131072, INT),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
            "num_experts_per_tok": (2, INT),
            "num_local_experts": (16, INT),
            "attention_bias": (False, BOOL),
            "lm_head_bias": (False, BOOL),
        },
        _moe,
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm", bias=True)),
        block=(
            qkvo(bias="bias", o_bias="bias"),
            Sub("mlp", (Lin("router", "E", "h"), Experts())),
            *norms("input_layernorm", "post_attention_layernorm", bias=True),
        ),
        heads=Heads((BASE, CAUSAL_LM, SEQ_CLS), lm_bias="lm_head_bias"),
        summary={"attention": "GQA", "position": "rotary", "norm": "LayerNorm", "mlp": "MoE, k of E experts"},
    ),
    Arch(
        "granitemoe",
        "GraniteMoeConfig",
        "GraniteMoe",
        {
            **sizes(32000, 4096, 11008, 32, 32),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (2048, INT),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
            "attention_bias": (False, BOOL),
            "num_local_experts": (8, OPT_INT),
            "num_experts_per_tok": (2, OPT_INT),
        },
        lambda cfg: _moe(cfg, scaled=False),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm")),
        block=(
            qkvo(bias="bias", o_bias="bias"),
            *norms("input_layernorm", "post_attention_layernorm"),
            Sub("block_sparse_moe", (Lin("router", "E", "h"), Experts())),
        ),
        heads=Heads(LM_ONLY),
        norm_class="GraniteMoeRMSNorm",
        summary={"attention": "MHA/GQA", "position": "rotary", "norm": "RMSNorm", "mlp": "MoE, k of E experts"},
    ),
    Arch(
        "dbrx",
        "DbrxConfig",
        "Dbrx",
        {
            "d_model": (2048, INT),
            "n_heads": (16, INT),
            "n_layers": (24, INT),
            "max_seq_len": (2048, OPT_INT),
            "vocab_size": (32000, INT),
            "attn_config": (None, ANY),
            "ffn_config": (None, ANY),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
        },
        _dbrx,
        top=(Emb("wte", padding=True), LAYERS, Norm("norm_f")),
        block=(
            Sub(
                "norm_attn_norm",
                (
                    Norm("norm_1"),
                    Sub("attn", (Lin("Wqkv", "qkv_width", "h"), Lin("out_proj", "h", "h"))),
                    Norm("norm_2"),
                ),
            ),
            Sub(
                "ffn",
                (
                    Lin("router.layer", "E", "h"),
                    Sub("experts.mlp", tuple(Param(w, ("EF", "h"), routed=True) for w in ("w1", "v1", "w2"))),
                ),
            ),
        ),
        heads=Heads(LM_ONLY, base="transformer", tie_to="wte"),
        aliases={
            "hidden_size": "d_model",
            "num_attention_heads": "n_heads",
            "num_hidden_layers": "n_layers",
            "max_position_embeddings": "max_seq_len",
        },
        layers="blocks",
        layers_key="n_layers",
        block_name="DbrxBlock",
        summary={
            "attention": "GQA (attn_config.kv_n_heads), fused Wqkv",
            "position": "rotary",
            "norm": "LayerNorm without bias",
            "mlp": "MoE: router, experts stacked as (E·F) × h",
        },
    ),
)
