"""Where a spec's ``?`` placeholders sit, and the spec with one filled in.

``paramcalc solve`` searches for the value of one ``?``: it first finds every placeholder
(copies that ``Repeat`` made of one count once), names the layer class and argument it sits
in (through wrappers: ``Bidirectional: {layer: {LSTM: {units: "?"}}}`` is ``LSTM units``),
and then counts the spec with each candidate substituted.  Both walks are here, apart from
the search itself (:mod:`paramcalc.solve`), because they know the spec records, not budgets.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from paramcalc.errors import ParamcalcError
from paramcalc.spec.records import LayerSpec, ModelSpec, Placeholder, Unread, Value


@dataclass(frozen=True)
class Site:
    """Where a placeholder sits: the top-level layer, the (innermost) layer class and the argument."""

    placeholder: Placeholder
    layer: LayerSpec
    class_name: str
    argument: str

    def describe(self) -> str:
        """``LSTM units`` (plus the wrapper path for nested layers)."""
        return f"{self.class_name} {self.argument}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "layer": self.layer.index,
            "name": self.layer.name,
            "class": self.class_name,
            "argument": self.argument,
            "location": str(self.placeholder.location),
        }


def find_placeholders(model: ModelSpec) -> list[Site]:
    """Every distinct placeholder of a spec (copies made by ``Repeat`` count once), in order."""
    seen: dict[int, Site] = {}
    for layer in model.layers:
        for site in _sites(layer, layer, model.framework):
            seen.setdefault(site.placeholder.key, site)
    return list(seen.values())


def _sites(top: LayerSpec, layer: LayerSpec, framework: str) -> Iterator[Site]:
    names = _positional_names(layer.class_name, framework)
    for index, value in enumerate(layer.args):
        name = names[index] if index < len(names) else f"argument {index + 1}"
        yield from _walk(top, layer.class_name, name, value, framework)
    for key, value in layer.kwargs.items():
        yield from _walk(top, layer.class_name, key, value, framework)


def _walk(top: LayerSpec, class_name: str, argument: str, value: Value, framework: str) -> Iterator[Site]:
    if isinstance(value, Placeholder):
        yield Site(value, top, class_name, argument)
    elif isinstance(value, Unread):  # an entry the reader could not read, as written
        yield from _walk(top, class_name, argument, value.value, framework)
    elif isinstance(value, LayerSpec):
        yield from _sites(top, value, framework)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(top, class_name, f"{argument}[{index}]", item, framework)
    elif isinstance(value, Mapping):
        nested = _nested_layer(value, top)
        if nested is not None:
            yield from _sites(top, nested, framework)
            return
        for key, item in value.items():
            yield from _walk(top, class_name, f"{argument}.{key}", item, framework)


def _nested_layer(value: Mapping[Any, Value], top: LayerSpec) -> LayerSpec | None:
    """A wrapped layer written as a mapping (``layer: {LSTM: {units: "?"}}``), else None."""
    from paramcalc.spec.common import layer_from_entry

    key = next(iter(value), None)
    if len(value) != 1 or not isinstance(key, str) or not key[:1].isupper():
        return None
    try:
        return layer_from_entry(value, top.location)
    except ParamcalcError:
        return None


def _positional_names(class_name: str, framework: str) -> tuple[str, ...]:
    from paramcalc.rules import find_rule

    try:
        return find_rule(class_name, framework).positional
    except ParamcalcError:
        return ()


def substitute(model: ModelSpec, key: int, value: int) -> ModelSpec:
    """The spec with placeholder ``key`` replaced by ``value`` everywhere (Repeat copies too)."""

    def fill(item: Value) -> Value:
        if isinstance(item, Placeholder):
            return value if item.key == key else item
        if isinstance(item, Unread):  # an entry the reader could not read: the "?" may be why
            return fill(item.value)
        if isinstance(item, LayerSpec):
            filled = replace(
                item, args=tuple(fill(a) for a in item.args), kwargs={k: fill(v) for k, v in item.kwargs.items()}
            )
            if isinstance(item.model, ModelSpec):  # a nested model the reader read
                return replace(filled, model=replace(item.model, layers=tuple(fill(i) for i in item.model.layers)))
            from paramcalc.spec.held import read_layer

            return read_layer(replace(filled, model=None), model.framework)  # read again what it could not
        if isinstance(item, tuple):
            return tuple(fill(i) for i in item)
        if isinstance(item, list):
            return [fill(i) for i in item]
        if isinstance(item, Mapping):
            return {k: fill(v) for k, v in item.items()}
        return item

    return replace(model, layers=tuple(fill(layer) for layer in model.layers))
