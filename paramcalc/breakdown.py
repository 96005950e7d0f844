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
from collections.abc import Iterable, Iterator
from typing import Any

from paramcalc.report import SCHEMA_VERSION, LayerRow, Report, Term

GROUPS = ("embeddings", "attention", "ssm", "mlp", "norms", "head", "other")
"""The kinds of module, in the order they are listed (``ssm``: a state-space mixer, Mamba's)."""

_NORM = re.compile(r"norm|^ln(_\w+|\d+)?$")
"""A norm module, by the name of the module that owns the weight (``input_layernorm``, ``ln_f``,
``norm_1``, ``LayerNorm``, ``attn_norm``) -- never a module holding one (DBRX's ``norm_attn_norm``)."""
_NORM_CLASS = re.compile(r"norm(\dd)?$")
_EMBED = re.compile(
    r"embed(?!_out)|(^|\.)(wte|wpe|shared|token_embd|tok_embeddings|project_in|project_out)($|\.)|(^|\.)encoder\.conv\d\."
)
"""Embeddings, their projections (OPT's ``project_in``/``project_out``) and an encoder's
convolutional stem (Whisper's ``conv1``/``conv2``, as ViT's patch embedding)."""
_HEAD = re.compile(
    r"^(lm_head|embed_out|cls|classifier|score|qa_outputs|pooler|head|predictions|pre_classifier|proj_out|projector"
    r"|vocab_transform|vocab_projector|logit_scale|logit_bias|text_projection|visual_projection)$"
    r"|_(head|predictions|classifier)$"
)
"""A task head, by any module of the name (``cls.predictions``, ``albert.pooler``, SigLIP's
``vision_model.head``, ``classification_head``, CLIP's projections); llama.cpp's ``output``
is the first part only (BERT's ``attention.output`` is not a head)."""
_ATTENTION = re.compile(
    r"attn|attention|(^|[._])(q|k|v|o|qkv|query|key|value|wq|wk|wv|wo)(_proj)?($|[._])|relative_attention"
)
_INDEX = re.compile(r"^(\d+(-\d+)?|\{[\d,-]+\})$")
"""A block index in a name: ``5``, or a folded row's ``0-31`` / ``{0,2-4}``."""
_STRONG_MLP = re.compile(r"mlp|ffn|feed_?forward|expert|moe|densereludense|intermediate")
"""Modules that are MLPs whatever their weights are called (T5's ``DenseReluDense.wo``)."""
_SSM = re.compile(r"(^|\.)(mixer|mamba)\.|(^|[._])ssm")
_MLP = re.compile(
    r"(^|[._])(gate|up|down|fc1|fc2|c_fc|c_proj|w1|w2|w3|router|gate_up)(_proj)?($|[._])|(^|\.)output\.dense"
)


def group_of(name: str, class_name: str = "") -> str:
    """The kind of module a parameter belongs to, from its full name (and its layer's class).

    Names decide, so a checkpoint (names only) breaks down as its config does; the class
    only says that a whole row is a norm (``model.norm``: ``LlamaRMSNorm``).
    """
    parts = name.split(".")
    modules = [part for part in parts[:-1] if not _INDEX.match(part)]
    owner = modules[-1] if modules else parts[-1]
    low = name.lower()
    if _NORM.search(owner.lower()) or _NORM_CLASS.search(class_name.lower()):
        return "norms"
    if _EMBED.search(low):
        return "embeddings"
    if parts[0] == "output" or any(_HEAD.search(part) for part in parts[:-1] or parts):
        return "head"
    if _STRONG_MLP.search(low):
        return "mlp"
    if _ATTENTION.search(low):
        return "attention"
    if _SSM.search(low):
        return "ssm"
    if _MLP.search(low):
        return "mlp"
    return "other"


def by_module(report: Report) -> dict[str, int]:
    """Parameters per kind of module (every group, zeros included); they sum to ``report.total``.

    A tied pair counts where its embedding side does (a tied LM head is the embedding),
    whichever of the two names the model counts, so a checkpoint storing either name
    breaks down alike.
    """
    out = dict.fromkeys(GROUPS, 0)
    embedded = {
        term.tied_to
        for row in report.layers
        for term in row.terms
        if term.tied_to and group_of(_name(row, term), row.class_name) == "embeddings"
    }
    for row in report.layers:
        if not row.counted:
            continue
        for term in row.terms:
            if term.counted:
                name = _name(row, term)
                group = "embeddings" if name in embedded else group_of(name, row.class_name)
                out[group] += term.count * row.repeat
    return out


def _name(row: LayerRow, term: Term) -> str:
    path = term.path.replace("/", ".")
    return f"{row.name}.{path}" if row.name and path else row.name or path


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


def fraction(part: int, total: int) -> float:
    """``part / total`` rounded to 6 places (0.0 for an empty model): the JSON ``share``."""
    return round(part / total, 6) if total else 0.0


def with_shares(rows: Iterable[dict[str, Any]], total: int) -> Iterator[dict[str, Any]]:
    """``summary --percent --format json``: each layer dict gains ``share`` (of ``total``)."""
    for row in rows:
        row["share"] = fraction(row["params"], total)
        yield row


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
            {"group": name, "params": params, "share": fraction(params, total)} for name, params in groups.items()
        ],
    }


__all__ = ["GROUPS", "bar", "by_module", "fraction", "group_of", "share", "to_dict", "with_shares"]
