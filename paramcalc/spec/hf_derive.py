"""What every decoder row derives the same way: head sizes, refusals, the head-role sets.

Shared by the row modules (``hf_decoders_*.py``); see :mod:`paramcalc.spec.hf_decoder_families`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramcalc.spec.hf_arch import BASE, CAUSAL_LM, QA, SEQ_CLS, TAGGING
from paramcalc.spec.hf_families import INT

NO_TOKEN = (BASE, CAUSAL_LM, SEQ_CLS, QA)
NO_QA = (BASE, CAUSAL_LM, SEQ_CLS, TAGGING)
LM_ONLY = (BASE, CAUSAL_LM)


def kv_refusal(cfg: Mapping[str, Any], kv: str) -> dict[str, str]:
    """``num_key_value_heads: 0``: the attention divides the heads by it (only when there are layers)."""
    return {"refuse": f"{kv} is 0: the attention divides the heads by it"} if cfg.get(kv) == 0 else {}


def attention(
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
    refuse = kv_refusal(cfg, kv)
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


def sizes(vocab: int, hidden: int, inter: int, layers: int, heads: int) -> dict[str, tuple[Any, str]]:
    """The size fields of a Llama-style config class, with its defaults."""
    return {
        "vocab_size": (vocab, INT),
        "hidden_size": (hidden, INT),
        "intermediate_size": (inter, INT),
        "num_hidden_layers": (layers, INT),
        "num_attention_heads": (heads, INT),
    }


def plain(cfg: Mapping[str, Any], switches: Mapping[str, bool] | None = None, **flags: Any) -> dict[str, Any]:
    """The attention sizes (with ``switches`` for :func:`attention`), the MLP width, and ``flags``."""
    given = switches or {}
    dims = attention(
        cfg,
        divide=given.get("divide", False),
        scaled=given.get("scaled", True),
        or_default=given.get("or_default", False),
    )
    return {**dims, "I": cfg["intermediate_size"], **flags}
