"""State-space decoder rows: Mamba (``transformers/models/mamba``, transformers 5.24).

A Mamba block is an RMS norm and a mixer: ``in_proj`` (h -> 2I), a depthwise ``conv1d``
(I channels, kernel K, weight I x 1 x K), ``x_proj`` (I -> R + 2N, no bias), ``dt_proj``
(R -> I, always a bias), ``A_log`` (I x N), ``D`` (I) and ``out_proj`` (I -> h), with
I = expand x hidden_size and R = ceil(hidden_size / 16) when ``time_step_rank`` is "auto".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_arch import BASE, CAUSAL_LM, LAYERS, Arch, Emb, Heads, Lin, Norm, Param, Sub
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
        rotary=False,
        summary={"mixer": "selective state space (no attention)", "position": "none", "norm": "RMSNorm", "mlp": "none"},
    ),
)
