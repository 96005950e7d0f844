"""The generic row builder of the declarative families (:mod:`paramcalc.spec.hf_recipes`).

Called by :func:`paramcalc.spec.hf_config.spec_from_config` for every family that has a
recipe: it applies the family's derivations and refusals, then lays out the model class's
rows in ``named_parameters()`` order (the backbone where the head puts it: XLM-RoBERTa's
task classes register their head *before* the backbone), expands stacks of identical
blocks into one record with all their names, and attaches tied weights to the row that
lists them second, which is where transformers' ``named_parameters()`` drops them.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from paramcalc.errors import SpecError
from paramcalc.spec.hf_recipes import POOLED, Head, Recipe, Row, holds, size
from paramcalc.spec.records import LayerSpec


class Build(Protocol):
    """What :mod:`paramcalc.spec.hf_config` hands over (its ``_Build``)."""

    cfg: dict[str, Any]
    doc: Any
    where: Any
    notes: list[str]

    def count(self, key: str) -> int:
        """A layer count from the config, within reason."""
        ...


def build_rows(recipe: Recipe, build: Build, architecture: str) -> list[LayerSpec]:
    """The rows of ``architecture`` for a resolved config."""
    cfg, doc = build.cfg, build.doc
    cfg["tie_policy"] = getattr(build, "tie_policy", "checkpoint")
    if recipe.derive is not None:
        recipe.derive(cfg, doc)
    if doc.get("problem_type") == "single_label_classification" and cfg.get("num_labels") == 1:
        raise SpecError(
            "problem_type single_label_classification needs num_labels > 1, got 1",
            location=build.where.at("problem_type"),
            hint="PreTrainedConfig refuses it; use num_labels 2, or problem_type regression",
        )
    if recipe.check is not None:
        refused = recipe.check(cfg, doc, architecture)
        if refused is not None:
            key, message, hint = refused
            raise SpecError(message, location=build.where.at(key), hint=hint)
    head = recipe.heads[architecture]
    base = recipe.base if head.base else ""
    rows: list[LayerSpec] = []
    for item in head.rows:
        if isinstance(item, str):
            for row in recipe.backbone:
                if row.pooler and item != POOLED:
                    continue
                rows += _expand(recipe, build, row, base)
        else:
            rows += _expand(recipe, build, item, base)
    if head.ties or head.always or head.only:
        rows = _tie(rows, head, cfg, build)
    if recipe.notes is not None:
        build.notes.extend(recipe.notes(cfg, architecture))
    return rows


def _expand(recipe: Recipe, build: Build, row: Row, base: str) -> list[LayerSpec]:
    """One row, or one record per stack of identical copies (``encoder.layer.0-11``)."""
    cfg = build.cfg
    if row.when and not holds(row.when, cfg):
        return []
    if row.args:
        values = {symbol: cfg[key] for symbol, key in recipe.symbols.items() if key in cfg}
        kwargs: dict[str, Any] = {
            arg: expr if isinstance(expr, bool) else _size(recipe, expr, values, build) for arg, expr in row.args
        }
    else:
        kwargs = {key: cfg[row.scope + key] for key in recipe.blocks[row.block].keys}
    kwargs.update({k: cfg[v[1:]] if isinstance(v, str) and v.startswith("=") else v for k, v in row.fixed})
    name = row.name.replace("{base}", base)
    if not row.stack:
        return [LayerSpec(row.block, kwargs=kwargs, name=name)]
    outer = range(build.count(row.outer)) if row.outer else range(1)
    out = []
    for g in outer:
        prefix = name.replace("{i}", str(g))
        depth = build.count(row.stack)
        if depth:
            first, last = row.start, row.start + depth - 1
            copies = tuple(f"{prefix}.{i}" for i in range(first, last + 1))
            label = f"{prefix}.{first if depth == 1 else f'{first}-{last}'}"
            out.append(LayerSpec(row.block, kwargs=kwargs, name=label, copies=copies))
    return out


def _size(recipe: Recipe, expr: str, values: dict[str, Any], build: Build) -> int:
    """A row argument's size; a symbol whose key is not an integer (null) is refused, naming the key."""
    for symbol in re.findall(r"[A-Za-z_]\w*", expr):
        value = values.get(symbol)
        if not isinstance(value, int) or isinstance(value, bool):
            key = recipe.symbols.get(symbol, symbol)
            raise SpecError(
                f"'{key}' must be an integer, got {value!r}",
                location=build.where.at(key.split("_", 1)[-1] if key.startswith(("text_", "vision_")) else key),
                hint=f"it sizes {expr} in a layer",
            )
    return size(expr, values)


def _owner(rows: list[LayerSpec], full: str) -> tuple[int, str]:
    """The row holding parameter ``full`` (by name prefix) and the parameter's path in it."""
    for i, row in enumerate(rows):
        for prefix in row.copies or (row.name or "",):
            if full.startswith(prefix + "."):
                return i, full[len(prefix) + 1 :]
    raise AssertionError(f"no row holds {full}")  # a recipe error, caught by the golden tests


def _tie(rows: list[LayerSpec], head: Head, cfg: dict[str, Any], build: Build) -> list[LayerSpec]:
    """Mark the second-listed name of each tied pair as an alias of the first."""
    pairs = list(head.always)
    if cfg.get("tie_word_embeddings", True):
        pairs += head.ties
        pairs += [(a, b) for a, b, condition in head.only if holds(condition, cfg)]
        first = pairs[len(head.always)] if len(pairs) > len(head.always) else None
        if first is not None:
            why = "the config says so" if "tie_word_embeddings" in build.doc else "the config class default"
            build.notes.append(
                f"{first[0]} and {first[1]} are one tensor (tie_word_embeddings true, {why}): counted once"
            )
    elif head.ties or head.only:
        build.notes.append("tie_word_embeddings false: the output layer has its own weight (not the input embedding)")
    tied: dict[int, list[tuple[str, str]]] = {}
    for a, b in pairs:
        ia, pa = _owner(rows, a)
        ib, pb = _owner(rows, b)
        if ia > ib or ia == ib:
            tied.setdefault(ia, []).append((pa, b))
        else:
            tied.setdefault(ib, []).append((pb, a))
    out = []
    for i, row in enumerate(rows):
        if i in tied:
            row = LayerSpec(row.class_name, kwargs=row.kwargs, name=row.name, copies=row.copies, tied=tuple(tied[i]))
        out.append(row)
    return out
