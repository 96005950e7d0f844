"""Layer naming: the automatic names Keras (and paramcalc, for torch) give unnamed layers.

A layer's automatic name (``dense_1``) comes from per-class counters shared by the whole
session, so layers held by wrappers (``TimeDistributed(Dense(8))`` uses up ``dense``), layers
of nested models and layers created while another layer is built (MultiHeadAttention's
``dropout``) all count.  The engine calls :class:`AutoNamer` as Keras constructs layers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from paramcalc.errors import SpecError
from paramcalc.frameworks import framework_of
from paramcalc.report import LayerRow
from paramcalc.spec.records import LayerSpec

__all__ = ["AutoNamer", "base_name", "to_snake_case"]


def to_snake_case(name: str) -> str:
    """Keras' automatic layer names: ``SimpleRNN`` -> ``simple_rnn``, ``Conv2D`` -> ``conv2d``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


@lru_cache(maxsize=1024)
def base_name(class_name: str, framework: str = "keras") -> str:
    """A layer's automatic base name: Keras' snake case, or the lowercased torch class name.

    torch modules have no names of their own (``nn.Sequential`` numbers them); paramcalc names
    them ``linear``, ``lstm``, ``batchnorm2d``, ... so tables and errors stay readable.
    """
    return class_name.lower() if framework_of(framework).lowercase_names else to_snake_case(class_name)


class AutoNamer:
    """Hands out ``dense``, ``dense_1``, ... per base name, skipping names already taken.

    ``counts`` are Keras' per-prefix counters (shared with nested models: :meth:`child`);
    ``taken`` holds the names of one model's layers, which must be unique.
    """

    def __init__(self, framework: str = "keras", counts: dict[str, int] | None = None) -> None:
        self.counts: dict[str, int] = {} if counts is None else counts
        self.taken: set[str] = set()
        self.framework = framework

    def claim(self, name: str, layer: LayerSpec) -> str:
        """Reserve a user-given name; a duplicate is an error, as in Keras."""
        if name in self.taken:
            raise SpecError(f"layer name '{name}' is used twice", location=layer.location, layer=layer.describe())
        self.taken.add(name)
        return name

    def auto(self, class_name: str, reserve: bool = True) -> str:
        """The next free automatic name for a class (``reserve``: it names a layer of this model)."""
        base = base_name(class_name, self.framework)
        while True:
            count = self.counts.get(base, 0)
            self.counts[base] = count + 1
            name = base if count == 0 else f"{base}_{count}"
            if name not in self.taken:
                if reserve:
                    self.taken.add(name)
                return name

    def child(self) -> AutoNamer:
        """A namer for a nested model: same counters, its own set of names."""
        return AutoNamer(self.framework, self.counts)


UNNAMED_WEIGHTS = frozenset({"LayerScale"})
"""Layers whose rule names a weight ``variable``: Keras creates it without a name."""


def name_variables(row: LayerRow, namer: AutoNamer) -> LayerRow:
    """Weights a layer creates without a name take Keras' session-wide ``variable`` counter.

    ``add_weight(shape=...)`` with no name (ConvNeXt's LayerScale) is named by
    ``auto_name("Variable")``: ``variable``, ``variable_1``, ... in the order layers are built.
    """
    if row.class_name not in UNNAMED_WEIGHTS:
        return row
    terms = tuple(
        replace(t, weight=namer.auto("Variable", reserve=False)) if t.weight == "variable" else t for t in row.terms
    )
    return replace(row, terms=terms)
