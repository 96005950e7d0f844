"""Decoder LLM families as table rows (:class:`~paramcalc.spec.hf_arch.Arch`), transformers 5.24.

Each row is copied from ``transformers/models/<family>/configuration_<family>.py`` (fields,
defaults, ``attribute_map``, ``__post_init__``) and ``modeling_<family>.py`` (the modules, in
the order ``__init__`` registers them, which is the order of ``named_parameters()``).  The
``derive`` functions do what those two files compute: ``head_dim = hidden // heads`` unless a
``head_dim`` key says otherwise, key/value heads (MQA: 1, GQA: fewer), the MLP width, which
norms exist.  The golden corpus (``tools/hf_golden_arch.py``) checks every row against real
transformers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_arch import (
    BASE,
    CAUSAL_LM,
    LAYERS,
    QA,
    SEQ_CLS,
    TAGGING,
    Arch,
    Emb,
    Experts,
    Heads,
    Lin,
    Norm,
    Sub,
    fused_qkv,
    gated_mlp,
    norms,
    plain_mlp,
    qkvo,
)
from paramcalc.spec.hf_families import ANY, BOOL, EXTRA, INT, OPT_INT
from paramcalc.spec.hf_schema_decoders import CHECKED

__all__ = ["CHECKED", "LEGACY_HEADS", "ROWS"]

_NO_TOKEN = (BASE, CAUSAL_LM, SEQ_CLS, QA)
_NO_QA = (BASE, CAUSAL_LM, SEQ_CLS, TAGGING)
_LM_ONLY = (BASE, CAUSAL_LM)


def _kv_refusal(cfg: Mapping[str, Any], kv: str) -> dict[str, str]:
    """``num_key_value_heads: 0``: the attention divides the heads by it (only when there are layers)."""
    return {"refuse": f"{kv} is 0: the attention divides the heads by it"} if cfg.get(kv) == 0 else {}


def _attention(
    cfg: Mapping[str, Any],
    h: str = "hidden_size",
    heads: str = "num_attention_heads",
    kv: str = "num_key_value_heads",
    divide: bool = False,
    scaled: bool = True,
    or_default: bool = False,
) -> dict[str, Any]:
    """The common sizes: h, heads, kv_heads, head_dim, q_width, kv_width.

    ``head_dim`` is the config's (a field, or a key the attention reads with ``getattr``), else
    hidden // heads (``or_default``: a 0 also means the default, as ``getattr(...) or ...`` does).
    What the attention module refuses is returned as ``refuse`` (the layer rule raises it, so a
    model without layers still counts): no heads, heads that do not divide the hidden size
    (``divide``), a 0 head size it would scale by ``head_dim ** -0.5`` (``scaled``), no kv heads.
    """
    hidden, n = cfg[h], cfg[heads]
    if n <= 0:
        return {
            "refuse": f"{heads} is {n}",
            "h": hidden,
            "heads": n,
            "kv_heads": 0,
            "head_dim": 0,
            "q_width": 0,
            "kv_width": 0,
        }
    written = cfg.get("head_dim")
    head_dim = written if written is not None and not (or_default and written == 0) else hidden // n
    refuse = _kv_refusal(cfg, kv)
    if head_dim == 0 and scaled:
        refuse["refuse"] = (
            f"head_dim is 0 (hidden size {hidden} < {n} attention heads): the attention scales by head_dim ** -0.5"
        )
    elif divide and head_dim * n != hidden:
        refuse["refuse"] = f"hidden size {hidden} is not a multiple of the {n} attention heads"
    kv_heads = cfg.get(kv) or n
    return {
        **refuse,
        "h": hidden,
        "heads": n,
        "kv_heads": kv_heads,
        "head_dim": head_dim,
        "q_width": n * head_dim,
        "kv_width": kv_heads * head_dim,
    }


def _sizes(vocab: int, hidden: int, inter: int, layers: int, heads: int) -> dict[str, tuple[Any, str]]:
    return {
        "vocab_size": (vocab, INT),
        "hidden_size": (hidden, INT),
        "intermediate_size": (inter, INT),
        "num_hidden_layers": (layers, INT),
        "num_attention_heads": (heads, INT),
    }


def _opt(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = _attention(cfg, divide=True)
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
    dims = _attention(cfg, kv="num_kv_heads", divide=True)
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


def _plain(cfg: Mapping[str, Any], attention: Mapping[str, bool] | None = None, **flags: Any) -> dict[str, Any]:
    switches = attention or {}
    dims = _attention(
        cfg,
        divide=switches.get("divide", False),
        scaled=switches.get("scaled", True),
        or_default=switches.get("or_default", False),
    )
    return {**dims, "I": cfg["intermediate_size"], **flags}


def _gpt(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = _attention(cfg, "n_embd", "n_head", divide=True)
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
    dims = _attention(cfg, "hidden_size", "n_head", divide=True)
    return {**dims, "qkv_width": 3 * dims["h"], "I": 4 * dims["h"]}


def _neox(cfg: Mapping[str, Any]) -> dict[str, Any]:
    dims = _attention(cfg, divide=True)
    return {**dims, "qkv_width": 3 * dims["h"], "I": cfg["intermediate_size"], "bias": cfg["attention_bias"]}


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
        **_kv_refusal(cfg, "num_key_value_heads"),
    }


def _moe(cfg: Mapping[str, Any], scaled: bool = True) -> dict[str, Any]:
    """Mixtral-style MoE layers: every layer routes to k of E experts of intermediate_size."""
    dims = _plain(cfg, {"scaled": scaled}, bias=cfg["attention_bias"])
    if cfg["num_local_experts"] is None:
        dims["refuse"] = "num_local_experts is null: the experts cannot be built"
    experts = cfg["num_local_experts"] or 0
    return {**dims, "I_e": dims["I"], "E": experts, "k": cfg["num_experts_per_tok"]}


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
        heads=Heads(_NO_QA if model_type == "deepseek_v3" else (BASE, CAUSAL_LM, SEQ_CLS)),
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
        heads=Heads(_NO_TOKEN, out="W"),
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
            **_sizes(51200, 2048, 8192, 24, 32),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (2048, INT),
            "tie_word_embeddings": (False, BOOL),
            "qk_layernorm": (False, BOOL),
            "pad_token_id": (None, OPT_INT),
        },
        lambda cfg: _plain(cfg, qk_ln=cfg["qk_layernorm"]),
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
        heads=Heads(_NO_QA, lm_bias=True),
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
        heads=Heads(_NO_TOKEN, base="transformer", lm_bias=True, tie_to="wte"),
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
            **_sizes(49152, 3072, 12288, 30, 24),
            "num_key_value_heads": (2, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (4096, INT),
            "pad_token_id": (None, OPT_INT),
            "use_bias": (True, BOOL),
            "tie_word_embeddings": (True, BOOL),
        },
        lambda cfg: _plain(cfg, {"or_default": True}, bias=cfg["use_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm", bias=True)),
        block=(
            qkvo(bias="bias", o_bias="bias"),
            plain_mlp("c_fc", "c_proj", "bias"),
            *norms("input_layernorm", "post_attention_layernorm", bias=True),
        ),
        heads=Heads(_NO_QA),
        summary={
            "attention": "GQA, biases (use_bias)",
            "position": "rotary",
            "norm": "LayerNorm",
            "mlp": "plain c_fc/c_proj",
        },
    ),
    Arch(
        "stablelm",
        "StableLmConfig",
        "StableLm",
        {
            **_sizes(50304, 2560, 6912, 32, 32),
            "num_key_value_heads": (32, OPT_INT),
            "max_position_embeddings": (4096, INT),
            "tie_word_embeddings": (False, BOOL),
            "use_qkv_bias": (False, BOOL),
            "qk_layernorm": (False, BOOL),
            "use_parallel_residual": (False, BOOL),
            "pad_token_id": (None, OPT_INT),
        },
        lambda cfg: _plain(
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
        heads=Heads(_NO_QA),
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
        {
            **_sizes(50304, 4096, 11008, 32, 32),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (2048, INT),
            "pad_token_id": (1, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
            "attention_bias": (False, BOOL),
        },
        lambda cfg: _plain(cfg, bias=cfg["attention_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS),
        block=(qkvo(bias="bias", o_bias="bias"), gated_mlp()),
        heads=Heads((BASE, CAUSAL_LM, SEQ_CLS)),
        summary={"attention": "MHA/GQA", "position": "rotary", "norm": "LayerNorm without parameters", "mlp": "gated"},
    ),
    Arch(
        "olmo2",
        "Olmo2Config",
        "Olmo2",
        {
            **_sizes(50304, 4096, 11008, 32, 32),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (2048, INT),
            "pad_token_id": (1, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
            "attention_bias": (False, BOOL),
        },
        lambda cfg: _plain(cfg, bias=cfg["attention_bias"]),
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
            **_sizes(256000, 8192, 22528, 40, 64),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (8192, INT),
            "pad_token_id": (0, OPT_INT),
            "tie_word_embeddings": (True, BOOL),
            "attention_bias": (False, BOOL),
            "use_qk_norm": (False, BOOL),
        },
        lambda cfg: _plain(cfg, bias=cfg["attention_bias"], qk_norm=cfg["use_qk_norm"]),
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
        heads=Heads(_LM_ONLY),
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
            **_sizes(32000, 4096, 11008, 32, 32),
            "num_key_value_heads": (None, OPT_INT),
            "head_dim": (None, EXTRA),
            "max_position_embeddings": (2048, INT),
            "pad_token_id": (None, OPT_INT),
            "tie_word_embeddings": (False, BOOL),
            "attention_bias": (False, BOOL),
            "mlp_bias": (False, BOOL),
        },
        lambda cfg: _plain(cfg, {"scaled": False}, bias=cfg["attention_bias"], mlp_bias=cfg["mlp_bias"]),
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("norm")),
        block=(
            qkvo(bias="bias", o_bias="bias"),
            gated_mlp(bias="mlp_bias"),
            *norms("input_layernorm", "post_attention_layernorm"),
        ),
        heads=Heads(_LM_ONLY),
        norm_class="GraniteRMSNorm",
        summary={"attention": "MHA/GQA", "position": "rotary", "norm": "RMSNorm", "mlp": "gated"},
    ),
    Arch(
        "gemma3_text",
        "Gemma3TextConfig",
        "Gemma3",
        {
            **_sizes(262208, 2304, 9216, 26, 8),
            "num_key_value_heads": (4, INT),
            "head_dim": (256, INT),
            "max_position_embeddings": (131072, INT),
            "pad_token_id": (0, OPT_INT),
            "tie_word_embeddings": (True, BOOL),
            "attention_bias": (False, BOOL),
        },
        lambda cfg: _plain(cfg, {"scaled": False}, bias=cfg["attention_bias"]),
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
        heads_divide_hidden=True,
        rope_dim=lambda cfg: cfg["head_dim"],
        summary={
            "attention": "GQA, q/k RMS norms, head_dim 256",
            "position": "rotary (local/global)",
            "norm": "RMSNorm, four per layer",
            "mlp": "gated",
        },
    ),
    _deepseek(
        "deepseek_v3",
        "DeepseekV3",
        {
            **_sizes(129280, 7168, 18432, 61, 128),
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
            **_sizes(102400, 4096, 11008, 32, 32),
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
    Arch(
        "phimoe",
        "PhimoeConfig",
        "Phimoe",
        {
            **_sizes(32064, 4096, 6400, 32, 32),
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
            **_sizes(32000, 4096, 11008, 32, 32),
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
        heads=Heads(_LM_ONLY),
        norm_class="GraniteMoeRMSNorm",
        summary={"attention": "MHA/GQA", "position": "rotary", "norm": "RMSNorm", "mlp": "MoE, k of E experts"},
    ),
)
"""The decoder rows, one per ``model_type``."""

LEGACY_HEADS: dict[str, Heads] = {
    "gpt2": Heads(
        (CAUSAL_LM, BASE, SEQ_CLS, TAGGING, QA),
        base="transformer",
        tagger_name="classifier",
        tie_to="wte",
        class_names={CAUSAL_LM: "GPT2LMHeadModel"},
    ),
    "llama": Heads(qa_base="transformer"),
    "mistral": Heads(),
    "mixtral": Heads(),
    "qwen2": Heads(qa_base="transformer"),
    "qwen2_moe": Heads(),
    "qwen3": Heads(qa_base="transformer"),
    "qwen3_moe": Heads(qa_base="transformer"),
    "gemma": Heads(_NO_QA),
    "gemma2": Heads(_NO_QA),
    "phi3": Heads(_NO_QA),
}
"""The heads of the hand-written Llama-style families (``paramcalc/rules/hf_decoders.py``)."""
