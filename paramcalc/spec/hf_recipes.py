"""Declarative Hugging Face families: one :class:`Recipe` per ``model_type``, read by generic builders.

Why: the encoder, encoder-decoder and vision families (RoBERTa, DistilBERT, ALBERT, BART,
Whisper, ViT, ...) differ from each other in *names and order* far more than in arithmetic:
every block is a handful of ``nn.Linear``, ``nn.LayerNorm`` and ``nn.Embedding`` modules.
So each family is data -- its config fields, its blocks as lists of pieces, and the rows
each model class is made of -- and two generic builders turn that data into

* the rows of a config.json (:func:`build_rows`, called by :mod:`paramcalc.spec.hf_config`), and
* one rule per block class (:mod:`paramcalc.rules.hf_recipes`), whose terms, shapes and
  closed-form formula all come from the same pieces.

A piece is a tuple:

``("linear", path, out, in, bias)``
    an ``nn.Linear`` (weight ``(out, in)``, bias ``(out,)`` when ``bias`` holds);
``("norm", path, size, bias)``
    a LayerNorm's weight (and bias when ``bias`` holds);
``("embedding", path, rows, dim)`` / ``("param", path, dim, ...)``
    a table or a raw ``nn.Parameter`` (any rank, ``()`` for a scalar);
``("when", condition, (pieces...))``
    pieces that exist only when ``condition`` holds;
``("frozen", "", (pieces...))``
    parameters transformers creates with ``requires_grad`` false (sinusoidal positions).

Sizes are small expressions over the family's symbols (``"h"``, ``"2*h"``,
``"h//heads*heads"``: ``+``, ``*`` and ``//``, evaluated left to right within a product);
conditions name a config key (``"add_cross_attention"``), its negation (``"!key"``) or
compare two sizes (``"e!=h"``).  ``bias`` is ``True``, ``False`` or such a condition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from paramcalc.spec.hf_families import Family

Piece = tuple[Any, ...]


@dataclass(frozen=True)
class Block:
    """A module class (``RobertaLayer``): the config keys it reads and its parameters, in order."""

    keys: tuple[str, ...]
    pieces: tuple[Piece, ...]
    doc: str
    out: str = ""
    """The width of its output's last axis ("" keeps the input's)."""
    source: bool = False
    """Starts a new sequence (an embedding or a patch embedding): its input shape is not checked."""
    external: bool = False
    """The rule is defined elsewhere (``T5Block`` in :mod:`paramcalc.rules.hf_t5`): only its keys are read here."""


@dataclass(frozen=True)
class Row:
    """A row of a model: a module at ``name`` (``{base}`` is the backbone's attribute prefix)."""

    name: str
    block: str
    stack: str = ""
    """The config key holding how many copies (``encoder.layer.0-11``), "" for one module."""
    when: str = ""
    outer: str = ""
    """For ALBERT's groups of layers: the config key of the outer count (``{i}`` in ``name``)."""
    pooler: bool = False
    """Only in the classes that keep the backbone's pooler."""
    args: tuple[tuple[str, str | bool], ...] = ()
    scope: str = ""
    """Where the block's config keys live (``text_`` for CLIP's nested ``text_config``)."""
    fixed: tuple[tuple[str, Any], ...] = ()
    """Arguments of this row that no config key holds (a T5 block's ``is_decoder``); ``"=key"`` reads ``key``."""
    start: int = 0
    """The index of the first copy of a stack (T5's blocks 1.. after block 0, which differs)."""
    """For a plain torch module (``Linear``, ``LayerNorm``): its arguments as size expressions."""


def linear_row(name: str, inp: str, out: str) -> Row:
    """A plain ``nn.Linear`` with bias (a classifier, ``qa_outputs``)."""
    return Row(name, "Linear", args=(("in_features", inp), ("out_features", out)))


def norm_row(name: str, dim: str) -> Row:
    """A plain ``nn.LayerNorm``."""
    return Row(name, "LayerNorm", args=(("normalized_shape", dim),))


BACKBONE = "@"
"""In a head's row list: the backbone rows, without the pooler."""
POOLED = "@pool"
"""In a head's row list: the backbone rows with the pooler."""


@dataclass(frozen=True)
class Head:
    """A model class's rows (the backbone marked by :data:`BACKBONE` / :data:`POOLED`) and its ties.

    ``ties`` are pairs of full names that are one tensor when ``tie_word_embeddings`` holds
    (``always`` ties hold regardless); the one listed later in ``named_parameters()`` order
    is the alias.  Within one row the first name of a pair is the alias.
    """

    rows: tuple[Row | str, ...]
    ties: tuple[tuple[str, str], ...] = ()
    always: tuple[tuple[str, str], ...] = ()
    only: tuple[tuple[str, str, str], ...] = ()
    """Ties that hold only while a condition does too (Marian's ``share_encoder_decoder_embeddings``)."""
    base: bool = False
    """Whether the backbone's names start with the family's prefix (``roberta.``)."""


@dataclass(frozen=True)
class Recipe:
    """One family: its :class:`Family` record, symbols, blocks and the rows of each class."""

    family: Family
    symbols: Mapping[str, str]
    """symbol -> config key (``h`` -> ``hidden_size``)."""
    legend: Mapping[str, str]
    blocks: Mapping[str, Block]
    backbone: tuple[Row, ...]
    heads: Mapping[str, Head]
    """model class -> its rows."""
    base: str
    """The backbone's attribute in the task classes (``roberta.``)."""
    schema: str = ""
    """The config class's strict field types, ``key:type`` separated by spaces."""
    derive: Callable[[dict[str, Any], Mapping[str, Any]], None] | None = None
    """What the config class's ``__post_init__`` fills in."""
    check: Callable[[Mapping[str, Any], Mapping[str, Any], str], tuple[str, str, str] | None] | None = None
    """A refusal transformers makes for (config, config.json, model class): ``(key, message, hint)`` or None."""
    notes: Callable[[Mapping[str, Any], str], list[str]] | None = None
    """Notes for a counted config (the model class given)."""
    extra_fields: Mapping[str, tuple[Any, str]] = field(default_factory=dict)


def parse_schema(text: str) -> dict[str, str]:
    """``"vocab_size:int pad_token_id:int?"`` -> ``{"vocab_size": "int", ...}``."""
    return dict(item.split(":", 1) for item in text.split())


def size(expr: str | int, values: Mapping[str, Any]) -> int:
    """A size expression's value: sums of products / floor divisions, left to right."""
    if isinstance(expr, int):
        return expr
    total = 0
    for term in expr.split("+"):
        value: int | None = None
        op = "*"
        for token in _tokens(term):
            if token in ("*", "//"):
                op = token
                continue
            number = int(token) if token.isdigit() else int(values[token])
            if value is None:
                value = number
            elif op == "*":
                value *= number
            else:
                value = value // number if number else 0
        total += value or 0
    return total


def _tokens(term: str) -> list[str]:
    out: list[str] = []
    for i, part in enumerate(term.split("//")):
        if i:
            out.append("//")
        for j, factor in enumerate(part.split("*")):
            if j:
                out.append("*")
            out.append(factor.strip())
    return out


def holds(condition: str | bool, values: Mapping[str, Any]) -> bool:
    """Whether a condition holds for the given config values / symbols."""
    if isinstance(condition, bool):
        return condition
    if "!=" in condition or "==" in condition:
        op = "!=" if "!=" in condition else "=="
        left, right = condition.split(op)
        lv = values.get(left.strip(), left.strip()) if not left.strip().isdigit() else int(left)
        rv = values.get(right.strip(), right.strip()) if not right.strip().isdigit() else int(right)
        return (lv != rv) if op == "!=" else (lv == rv)
    if condition.startswith("!"):
        return not values[condition[1:]]
    return bool(values[condition])
