"""State-space decoder rows: Mamba and Jamba (``transformers/models/mamba``, ``jamba``, 5.24).

A Mamba block is an RMS norm and a mixer: ``in_proj`` (h -> 2I), a depthwise ``conv1d``
(I channels, kernel K, weight I x 1 x K), ``x_proj`` (I -> R + 2N, no bias), ``dt_proj``
(R -> I, always a bias), ``A_log`` (I x N), ``D`` (I) and ``out_proj`` (I -> h), with
I = expand x hidden_size and R = ceil(hidden_size / 16) when ``time_step_rank`` is "auto".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
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
from paramcalc.spec.hf_derive import attention
from paramcalc.spec.hf_families import ANY, BOOL, EXTRA, INT, OPT_INT


def _mamba(cfg: Mapping[str, Any]) -> dict[str, Any]:
    hidden, rank = cfg["hidden_size"], cfg["time_step_rank"]
    # __post_init__ sets expand * hidden_size, but a written intermediate_size (no field) is set after it
    inner = int(cfg["expand"] * hidden) if cfg.get("intermediate_size") is None else cfg["intermediate_size"]
    refuse = {"refuse": f"the mixer width is {inner}: conv1d needs positive groups"} if inner <= 0 else {}
    return {
        **refuse,
        "h": hidden,
        "I": inner,
        "I2": 2 * inner,
        "N": cfg["state_size"],
        "K": cfg["conv_kernel"],
        "R": math.ceil(hidden / 16) if rank == "auto" else int(rank),
        "RN": (math.ceil(hidden / 16) if rank == "auto" else int(rank)) + 2 * cfg["state_size"],
        "one": 1,
        "bias": cfg["use_bias"],
        "conv_bias": cfg["use_conv_bias"],
    }


def _jamba(cfg: Mapping[str, Any]) -> dict[str, Any]:
    for kind in ("attn", "expert"):
        if cfg[f"{kind}_layer_offset"] >= cfg[f"{kind}_layer_period"]:
            raise TypeError(f"{kind}_layer_offset must be smaller than {kind}_layer_period (validate_architecture)")
    hidden, rank, state = cfg["hidden_size"], cfg["mamba_dt_rank"], cfg["mamba_d_state"]
    inner = cfg["mamba_expand"] * hidden
    rank = math.ceil(hidden / 16) if rank == "auto" else int(rank)
    dims = attention(cfg)
    if "refuse" in dims:  # only the attention layers have the attention that refuses it
        dims["attn_refuse"] = dims.pop("refuse")
    return {
        **dims,
        "I": cfg["intermediate_size"],
        "M": inner,
        "M2": 2 * inner,
        "N": state,
        "K": cfg["mamba_d_conv"],
        "R": rank,
        "RN": rank + 2 * state,
        "one": 1,
        "conv_bias": cfg["mamba_conv_bias"],
        "proj_bias": cfg["mamba_proj_bias"],
        "E": cfg["num_experts"],
        "k": cfg["num_experts_per_tok"],
    }


def _jamba_kind(cfg: Mapping[str, Any], i: int) -> tuple[str, dict[str, bool]]:
    """Layer i: attention every attn_layer_period (at attn_layer_offset), else a Mamba mixer; experts
    every expert_layer_period (at expert_layer_offset) when there is more than one expert.
    """
    attn = i % cfg["attn_layer_period"] == cfg["attn_layer_offset"]
    moe = i % cfg["expert_layer_period"] == cfg["expert_layer_offset"] and cfg["num_experts"] > 1
    return ("JambaAttentionDecoderLayer" if attn else "JambaMambaDecoderLayer"), {"attn": attn, "moe": moe}


ROWS: tuple[Arch, ...] = (
    Arch(
        "mamba",
        "MambaConfig",
        "Mamba",
        {
            "vocab_size": (50280, INT),
            "hidden_size": (768, INT),
            "state_size": (16, INT),
            "num_hidden_layers": (32, INT),
            "pad_token_id": (0, OPT_INT),
            "expand": (2, INT),
            "intermediate_size": (None, EXTRA),
            "conv_kernel": (4, INT),
            "use_bias": (False, BOOL),
            "use_conv_bias": (True, BOOL),
            "time_step_rank": ("auto", ANY),
            "tie_word_embeddings": (True, BOOL),
        },
        _mamba,
        top=(Emb("embeddings"), LAYERS, Norm("norm_f")),
        block=(
            Norm("norm"),
            Sub(
                "mixer",
                (  # a module's own parameters come before its sub-modules' in named_parameters()
                    Param("A_log", ("I", "N")),
                    Param("D", ("I",)),
                    Param("conv1d.weight", ("I", "one", "K")),
                    Param("conv1d.bias", ("I",), when="conv_bias"),
                    Lin("in_proj", "I2", "h", "bias"),
                    Lin("x_proj", "RN", "I"),
                    Lin("dt_proj", "I", "R", True),
                    Lin("out_proj", "h", "I", "bias"),
                ),
            ),
        ),
        heads=Heads((BASE, CAUSAL_LM), base="backbone", tie_to="embeddings"),
        norm_class="MambaRMSNorm",
        block_name="MambaBlock",
        refused_keys={"layer_types": "MambaConfig.layer_types is derived, a property with no setter"},
        no_null={"intermediate_size": "MambaMixer's conv1d takes it as written, after __post_init__ derived it"},
        rotary=False,
        summary={"mixer": "selective state space (no attention)", "position": "none", "norm": "RMSNorm", "mlp": "none"},
    ),
    Arch(
        "jamba",
        "JambaConfig",
        "Jamba",
        {
            "vocab_size": (65536, INT),
            "tie_word_embeddings": (False, BOOL),
            "hidden_size": (4096, INT),
            "intermediate_size": (14336, INT),
            "num_hidden_layers": (32, INT),
            "num_attention_heads": (32, INT),
            "num_key_value_heads": (8, INT),
            "head_dim": (None, EXTRA),
            "pad_token_id": (0, OPT_INT),
            "max_position_embeddings": (262144, INT),
            "num_experts_per_tok": (2, INT),
            "num_experts": (16, INT),
            "expert_layer_period": (2, INT),
            "expert_layer_offset": (1, INT),
            "attn_layer_period": (8, INT),
            "attn_layer_offset": (4, INT),
            "mamba_d_state": (16, INT),
            "mamba_d_conv": (4, INT),
            "mamba_expand": (2, INT),
            "mamba_dt_rank": ("auto", ANY),
            "mamba_conv_bias": (True, BOOL),
            "mamba_proj_bias": (False, BOOL),
        },
        _jamba,
        top=(Emb("embed_tokens", padding=True), LAYERS, Norm("final_layernorm")),
        block=(
            Sub("self_attn", qkvo().parts, when="attn"),
            Sub(
                "mamba",
                (
                    Param("A_log", ("M", "N")),
                    Param("D", ("M",)),
                    Param("conv1d.weight", ("M", "one", "K")),
                    Param("conv1d.bias", ("M",), when="conv_bias"),
                    Lin("in_proj", "M2", "h", "proj_bias"),
                    Lin("x_proj", "RN", "M"),
                    Lin("dt_proj", "M", "R", True),
                    Lin("out_proj", "h", "M", "proj_bias"),
                    Norm("dt_layernorm", ("R",)),
                    Norm("b_layernorm", ("N",)),
                    Norm("c_layernorm", ("N",)),
                ),
                when="!attn",
            ),
            gated_mlp("feed_forward", when="!moe"),
            Sub("feed_forward", (Lin("router", "E", "h"), Experts(inner="I")), when="moe"),
            *norms("input_layernorm", "pre_ff_layernorm"),
        ),
        heads=Heads((BASE, CAUSAL_LM, SEQ_CLS)),
        aliases={"num_local_experts": "num_experts"},
        norm_class="JambaRMSNorm",
        layer_kinds=_jamba_kind,
        rotary=False,
        block_names=("JambaAttentionDecoderLayer", "JambaMambaDecoderLayer"),
        refused_keys={"layer_types": "JambaConfig.layer_types is derived, a property with no setter"},
        summary={
            "mixer": "attention every attn_layer_period layers, Mamba otherwise",
            "position": "none",
            "norm": "RMSNorm",
            "mlp": "gated, MoE every expert_layer_period layers",
        },
    ),
)

_MAMBA = ROWS[0]
FALCON_MAMBA = replace(
    _MAMBA,
    model_type="falcon_mamba",
    config_class="FalconMambaConfig",
    prefix="FalconMamba",
    norm_class="FalconMambaRMSNorm",
    block_name="FalconMambaBlock",
    refused_keys={"layer_types": "FalconMambaConfig.layer_types is derived, a property with no setter"},
    no_null={"intermediate_size": "FalconMambaMixer's conv1d takes it as written, after __post_init__ derived it"},
    summary={**_MAMBA.summary, "mixer": "selective state space, B/C/dt RMS-normalised without weights"},
)
"""Falcon-Mamba: Mamba's modules and config fields exactly (its extra ``mixer_rms_eps`` sizes nothing:
the B, C and dt norms of ``FalconMambaMixer`` have no weights)."""

ROWS = (*ROWS, FALCON_MAMBA)


def _mamba2(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """Mamba-2's sizes: the mixer width I = expand·hidden_size, B and C of n_groups·state_size each
    (convolved with x: conv_dim = I + 2·G·N), and per-head dt, A and D.
    """
    hidden, heads = cfg["hidden_size"], cfg["num_heads"]
    if hidden * cfg["expand"] != heads * cfg["head_dim"]:  # Mamba2Config.validate_architecture
        raise TypeError(
            f"hidden_size * expand ({hidden * cfg['expand']}) must equal num_heads * head_dim"
            f" ({heads * cfg['head_dim']})"
        )
    inner = int(cfg["expand"] * hidden)
    conv = inner + 2 * cfg["n_groups"] * cfg["state_size"]
    refuse = {"refuse": f"the convolved width is {conv}: conv1d needs positive groups"} if conv <= 0 else {}
    return {
        **refuse,
        "h": hidden,
        "I": inner,
        "H": heads,
        "CD": conv,
        "P": inner + conv + heads,
        "K": cfg["conv_kernel"],
        "one": 1,
        "bias": cfg["use_bias"],
        "conv_bias": cfg["use_conv_bias"],
    }


MAMBA2 = Arch(
    "mamba2",
    "Mamba2Config",
    "Mamba2",
    {
        "vocab_size": (32768, INT),
        "hidden_size": (4096, INT),
        "state_size": (128, INT),
        "num_hidden_layers": (64, INT),
        "num_heads": (128, INT),
        "head_dim": (64, INT),
        "pad_token_id": (1, OPT_INT),
        "expand": (2, INT),
        "conv_kernel": (4, INT),
        "n_groups": (8, INT),
        "use_bias": (False, BOOL),
        "use_conv_bias": (True, BOOL),
        "time_step_rank": ("auto", ANY),
        "tie_word_embeddings": (False, BOOL),
    },
    _mamba2,
    top=(Emb("embeddings"), LAYERS, Norm("norm_f")),
    block=(
        Norm("norm"),
        Sub(
            "mixer",
            (  # the mixer's own parameters first (dt_bias, A_log, D), then conv1d, in_proj, norm, out_proj
                Param("dt_bias", ("H",)),
                Param("A_log", ("H",)),
                Param("D", ("H",)),
                Param("conv1d.weight", ("CD", "one", "K")),
                Param("conv1d.bias", ("CD",), when="conv_bias"),
                Lin("in_proj", "P", "h", "bias"),
                Norm("norm", ("I",)),
                Lin("out_proj", "h", "I", "bias"),
            ),
        ),
    ),
    heads=Heads((BASE, CAUSAL_LM), base="backbone", tie_to="embeddings"),
    norm_class="Mamba2RMSNorm",
    block_name="Mamba2Block",
    refused_keys={"layer_types": "Mamba2Config.layer_types is derived, a property with no setter"},
    rotary=False,
    summary={
        "mixer": "state space duality (Mamba-2): per-head dt/A/D, grouped B and C, gated RMS norm",
        "position": "none",
        "norm": "RMSNorm",
        "mlp": "none",
    },
)
"""Mamba-2 (``mamba2``: Mamba-Codestral, mamba2-2.7b): one record, like Mamba's."""

ROWS = (*ROWS, MAMBA2)
