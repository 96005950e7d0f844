"""DeepSeek-V2 and V3: multi-head latent attention, dense first layers, then routed and shared
experts.  Copied from ``configuration_deepseek_v*.py`` and ``modeling_deepseek_v*.py`` of
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
    Sub,
    gated_mlp,
    norms,
)
from paramcalc.spec.hf_derive import NO_QA, kv_refusal, sizes
from paramcalc.spec.hf_families import BOOL, INT, OPT_INT


def _deepseek_v3(cfg: Mapping[str, Any]) -> dict[str, Any]:
    h, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    nope, rope, v = cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"]
    q_lora, kv_lora = cfg["q_lora_rank"], cfg["kv_lora_rank"]
    return {
        "h": h,
        "heads": heads,
        "q_width": heads * (nope + rope),
        "q_lora": q_lora or 0,
        "lora": q_lora is not None,
        "kv_a": kv_lora + rope,
        "kv_lora": kv_lora,
        "kv_b": heads * (nope + v),
        "o_in": heads * v,
        "bias": cfg["attention_bias"],
        "I": cfg["intermediate_size"],
        "I_e": cfg["moe_intermediate_size"],
        "I_s": cfg["moe_intermediate_size"] * cfg["n_shared_experts"],
        "E": cfg["n_routed_experts"],
        "k": cfg["num_experts_per_tok"],
        "mlp_bias": bool(cfg.get("mlp_bias", False)),
        **kv_refusal(cfg, "num_key_value_heads"),
    }


def _deepseek(model_type: str, prefix: str, defaults: dict[str, tuple[Any, str]], summary: str) -> Arch:
    """DeepSeek-V2 and V3: MLA attention, first_k_dense_replace dense layers, then MoE with shared experts."""
    return Arch(
        model_type,
        f"{prefix}Config",
        prefix,
        defaults,
        _deepseek_v3,
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm")),
        block=(
            _mla(),
            gated_mlp(bias="mlp_bias", when="!sparse"),
            Sub(
                "mlp",
                (Experts(), Lin("gate", "E", "h"), gated_mlp("shared_experts", "I_s", bias="mlp_bias")),
                when="sparse",
            ),
            *norms("input_layernorm", "post_attention_layernorm"),
        ),
        heads=Heads(NO_QA if model_type == "deepseek_v3" else (BASE, CAUSAL_LM, SEQ_CLS)),
        aliases={"num_local_experts": "n_routed_experts"}
        if model_type == "deepseek_v3"
        else {"num_experts": "n_routed_experts"},
        norm_class=f"{prefix}RMSNorm",
        sparse=lambda cfg, i: i >= cfg["first_k_dense_replace"],
        heads_divide_hidden=model_type == "deepseek_v2",
        # V2's head_dim field is overwritten by qk_rope_head_dim; V3 has none, so a written one is kept
        rope_dim=lambda cfg: (
            cfg["head_dim"]
            if model_type == "deepseek_v3" and isinstance(cfg.get("head_dim"), int)
            else cfg["qk_rope_head_dim"]
        ),
        summary={
            "attention": "MLA (low-rank q and kv)",
            "position": "rotary (decoupled)",
            "norm": "RMSNorm",
            "mlp": summary,
        },
    )


_DEEPSEEK_COMMON: dict[str, tuple[Any, str]] = {
    "num_key_value_heads": (None, OPT_INT),
    "kv_lora_rank": (512, INT),
    "q_lora_rank": (1536, OPT_INT),
    "qk_rope_head_dim": (64, INT),
    "v_head_dim": (128, INT),
    "qk_nope_head_dim": (128, INT),
    "pad_token_id": (None, OPT_INT),
    "tie_word_embeddings": (False, BOOL),
    "attention_bias": (False, BOOL),
}


def _mla(norm_bias: bool = False) -> Sub:
    """Multi-head latent attention (DeepSeek-V2/V3): low-rank q and kv with their RMS norms."""
    return Sub(
        "self_attn",
        (
            Lin("q_proj", "q_width", "h", when="!lora"),
            Lin("q_a_proj", "q_lora", "h", "bias", when="lora"),
            Norm("q_a_layernorm", ("q_lora",), when="lora"),
            Lin("q_b_proj", "q_width", "q_lora", when="lora"),
            Lin("kv_a_proj_with_mqa", "kv_a", "h", "bias"),
            Norm("kv_a_layernorm", ("kv_lora",)),
            Lin("kv_b_proj", "kv_b", "kv_lora"),
            Lin("o_proj", "h", "o_in", "bias"),
        ),
    )


ROWS: tuple[Arch, ...] = (
    _deepseek(
        "deepseek_v3",
        "DeepseekV3",
        {
            **sizes(129280, 7168, 18432, 61, 128),
            **_DEEPSEEK_COMMON,
            "moe_intermediate_size": (2048, INT),
            "n_shared_experts": (1, INT),
            "n_routed_experts": (256, INT),
            "num_experts_per_tok": (8, OPT_INT),
            "first_k_dense_replace": (3, OPT_INT),
            "max_position_embeddings": (4096, INT),
        },
        "first_k_dense_replace dense layers, then MoE with shared experts",
    ),
    _deepseek(
        "deepseek_v2",
        "DeepseekV2",
        {
            **sizes(102400, 4096, 11008, 32, 32),
            **_DEEPSEEK_COMMON,
            "mlp_bias": (False, BOOL),
            "moe_intermediate_size": (1407, INT),
            "n_shared_experts": (2, INT),
            "n_routed_experts": (64, INT),
            "num_experts_per_tok": (None, OPT_INT),
            "first_k_dense_replace": (0, INT),
            "max_position_embeddings": (2048, INT),
        },
        "MoE with shared experts (after first_k_dense_replace dense layers); no top-k by default",
    ),
)
