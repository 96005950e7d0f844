"""Rules for the declarative Hugging Face families: one rule per block class, built from its pieces.

Every block of every :class:`~paramcalc.spec.hf_recipes.Recipe` (``RobertaLayer``,
``DistilBertEmbeddings``, ``BartEncoderLayer``, ``ViTLayer``, ...) is registered here with
the config keys it reads as its signature (defaults: the config class's), so
``paramcalc explain RobertaLayer --config config.json`` derives it term by term.  Terms,
shapes and the formula are all read off the same pieces, so they cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from paramcalc.errors import LayerError
from paramcalc.rules import Args, Outcome, Shape, Term, rule
from paramcalc.rules.hf_common import FRAMEWORK, join
from paramcalc.spec.hf_recipes import Block, Piece, Recipe, holds, size
from paramcalc.spec.hf_recipes_all import RECIPES


def _values(recipe: Recipe, args: Args) -> dict[str, Any]:
    """Config values by key and by symbol; sizes must be integers >= 0."""
    values: dict[str, Any] = dict(args.values)
    for symbol, key in recipe.symbols.items():
        if key.startswith("="):
            if all(token in values for token in re.findall(r"[A-Za-z_]\w*", key)):  # the block reads them
                values[symbol] = size(key[1:], values)
        elif "|" in key:  # "head_dim|h//heads": the key, or when it is null the expression (explain's default)
            key, fallback = key.split("|")
            if key in values:
                values[symbol] = size(fallback, values) if values[key] is None else args.integer(key)
        elif key in values:
            values[symbol] = args.integer(key)  # refuses null and the wrong type, naming the key
    return values


def _factor(expr: str) -> str:
    """A size as a factor of a product: ``P+2`` -> ``(P+2)``."""
    return f"({expr})" if "+" in expr else expr


def _walk(
    pieces: tuple[Piece, ...], values: dict[str, Any], prefix: str, terms: list[Term], formula: list[str]
) -> None:
    for piece in pieces:
        kind, path = piece[0], piece[1]
        if kind == "when":
            if holds(path, values):
                _walk(piece[2], values, prefix, terms, formula)
            continue
        if kind == "frozen":  # requires_grad False in transformers: still parameters, not trainable
            inner: list[Term] = []
            _walk(piece[2], values, prefix, inner, formula)
            terms.extend(replace(term, trainable=False) for term in inner)
            continue
        full = join(prefix, path)
        tag = full.replace("_", "") or "w"  # a term's symbol: its path, one subscript (W_self.query)
        if kind == "linear":
            out, inp, bias = piece[2], piece[3], piece[4]
            terms.append(Term(f"W_{tag}", join(full, "weight"), (size(out, values), size(inp, values)), (out, inp)))
            formula.append(f"{_factor(out)}*{_factor(inp)}")
            if holds(bias, values):
                terms.append(Term(f"b_{tag}", join(full, "bias"), (size(out, values),), (out,)))
                formula.append(str(out))
        elif kind == "norm":
            dim, bias = piece[2], piece[3]
            terms.append(Term(f"g_{tag}", join(full, "weight"), (size(dim, values),), (dim,)))
            formula.append(str(dim))
            if holds(bias, values):
                terms.append(Term(f"β_{tag}", join(full, "bias"), (size(dim, values),), (dim,)))
                formula.append(str(dim))
        elif kind == "embedding":
            rows, dim = piece[2], piece[3]
            terms.append(Term(f"E_{tag}", join(full, "weight"), (size(rows, values), size(dim, values)), (rows, dim)))
            formula.append(f"{_factor(rows)}*{_factor(dim)}")
        elif kind == "param":
            dims = piece[2:]
            terms.append(Term(f"P_{tag}", full, tuple(size(d, values) for d in dims), tuple(str(d) for d in dims)))
            formula.append("*".join(_factor(str(d)) for d in dims) or "1")
        else:  # pragma: no cover - a recipe error
            raise AssertionError(f"unknown piece {kind}")


def _make(recipe: Recipe, name: str, block: Block) -> None:
    fields = {**recipe.family.fields, **recipe.extra_fields}
    params = [(key, fields[key][0]) for key in block.keys]

    def count(args: Args, x: Shape) -> Outcome:
        values = _values(recipe, args)
        terms: list[Term] = []
        formula: list[str] = []
        _walk(block.pieces, values, "", terms, formula)
        symbols = {s: values[s] for s in recipe.symbols if s in values and isinstance(values[s], int)}
        for term in terms:
            if any(d < 0 for d in term.shape):
                raise LayerError(f"{term.path} would have the negative shape {term.shape}", hint="check the sizes")
        width = size(block.out, values) if block.out else None
        if block.source or not x:
            shape: Shape = ((x[0] if x else None), width)
        else:
            shape = (*x[:-1], width if width is not None else x[-1])
        used = set(re.findall(r"[A-Za-z_]\w*", " ".join(formula))) & set(symbols)
        return Outcome(
            shape=shape,
            terms=terms,
            formula=" + ".join(formula) or "0",
            symbols={s: symbols[s] for s in sorted(used)},
        )

    count.__doc__ = block.doc
    legend = {
        s: f"{recipe.symbols[s]}" + (f", {recipe.legend[s]}" if s in recipe.legend else "") for s in recipe.symbols
    }
    rule(name, *params, framework=FRAMEWORK, base=False, legend=legend, min_rank=1)(count)


_DONE: set[str] = set()
for _recipe in RECIPES.values():
    for _name, _block in _recipe.blocks.items():
        if (
            _name not in _DONE and not _block.external
        ):  # blocks shared by several recipes (CLIP's towers) are registered once
            _DONE.add(_name)
            _make(_recipe, _name, _block)
