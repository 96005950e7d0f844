"""Where the parameters go: each row's share of the total, and totals per kind of module.

``summary --percent`` adds a ``%`` column (with a bar in the terminal); ``summary --by
module`` sums every parameter tensor into one of :data:`GROUPS` by its name, as a
transformers or llama.cpp model names it (``self_attn.q_proj.weight``, ``blk.0.ffn_up``,
``ln_f``, ``lm_head``), or by its layer's class for other models.  Tied aliases and
buffers are not parameters and are left out, as in the totals, so the groups sum to
the total.
"""

from __future__ import annotations

import re
from typing import Any

from paramcalc.report import SCHEMA_VERSION, LayerRow, Report

GROUPS = ("embeddings", "attention", "mlp", "norms", "head", "other")
"""The kinds of module, in the order they are listed."""

_NORM = re.compile(r"norm|(^|[._])ln(_\w+)?($|\.)")
_EMBED = re.compile(r"embed|(^|\.)(wte|wpe|shared|token_embd|tok_embeddings)($|\.)")
_HEAD = frozenset({"lm_head", "output", "score", "classifier", "cls", "qa_outputs", "pooler", "head"})
_ATTENTION = re.compile(
    r"attn|attention|(^|[._])(q|k|v|o|qkv|query|key|value|wq|wk|wv|wo)(_proj)?($|[._])|relative_attention"
)
_MLP = re.compile(
    r"mlp|ffn|feed_?forward|expert|moe|(^|[._])(gate|up|down|fc1|fc2|c_fc|c_proj|w1|w2|w3|router|gate_up)(_proj)?($|[._])"
    r"|densereludense|intermediate|(^|\.)output\.dense"
)


def group_of(name: str, class_name: str = "") -> str:
    """The kind of module a parameter belongs to, from its full name (and its layer's class)."""
    low = name.lower()
    cls = class_name.lower()
    if _NORM.search(low) or "norm" in cls:
        return "norms"
    if _EMBED.search(low) or "embedding" in cls:
        return "embeddings"
    if low.split(".")[0] in _HEAD:
        return "head"
    if _ATTENTION.search(low) or "attention" in cls:
        return "attention"
    if _MLP.search(low):
        return "mlp"
    return "other"


def by_module(report: Report) -> dict[str, int]:
    """Parameters per kind of module (every group, zeros included); they sum to ``report.total``."""
    out = dict.fromkeys(GROUPS, 0)
    for row in report.layers:
        _add(row, out)
    return out


def _add(row: LayerRow, out: dict[str, int]) -> None:
    if not row.counted:
        return
    for term in row.terms:
        if term.counted:
            name = f"{row.name}.{term.path.replace('/', '.')}"
            out[group_of(name, row.class_name)] += term.count * row.repeat


def share(part: int, total: int) -> str:
    """``12.3%``; ``<0.1%`` for a small non-zero part; ``0.0%`` for none."""
    if total <= 0 or part <= 0:
        return "0.0%"
    value = 100 * part / total
    return "<0.1%" if value < 0.05 else f"{value:.1f}%"


BAR_WIDTH = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(part: int, total: int, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` cells filled in eighths by ``part / total`` (exact integer arithmetic)."""
    if total <= 0 or part <= 0:
        return ""
    eighths = part * width * 8 // total
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).rstrip()


def to_dict(report: Report) -> dict[str, Any]:
    """The ``summary --by module --format json`` document."""
    groups = by_module(report)
    total = report.total
    return {
        "schema": SCHEMA_VERSION,
        "name": report.name,
        "framework": report.framework,
        "total": total,
        "by": "module",
        "groups": [
            {"group": name, "params": params, "share": round(params / total, 6) if total else 0.0}
            for name, params in groups.items()
        ],
    }


__all__ = ["GROUPS", "bar", "by_module", "group_of", "share", "to_dict"]
