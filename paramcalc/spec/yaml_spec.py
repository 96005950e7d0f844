"""YAML specs (the contract's main form), read with a safe loader and kept line-aware.

libyaml composes the document into a node tree (so every layer keeps its line number);
:class:`~paramcalc.spec.yaml_values.Builder` turns the nodes into plain values, accepting
YAML's plain-data subset only, so no tag can build a Python object, and refusing alias
bombs, duplicate keys and runaway nesting with a one-line error.  This module reads the
spec out of them: top-level keys, layer entries with their lines, ``Repeat`` blocks.

A layer argument written ``"?"`` (quoted: a bare ``?`` is YAML syntax) becomes a
:class:`~paramcalc.spec.records.Placeholder` for ``paramcalc solve``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from paramcalc.errors import Location, SpecError, close_match
from paramcalc.frameworks import BY_NAME
from paramcalc.spec.common import (
    assemble,
    describe_value,
    expand_repeats,
    input_from_value,
    layer_from_call,
    layer_from_entry,
)
from paramcalc.spec.records import LayerSpec, ModelSpec, Placeholder
from paramcalc.spec.yaml_values import MAP, MERGE, SEQ, Builder, Loader

TOP_LEVEL_KEYS = ("name", "framework", "input", "inputs", "outputs", "budget", "layers", "description")
FRAMEWORKS = tuple(f.name for f in BY_NAME.values() if f.yaml_specs)  # ("keras", "pytorch")


def load_yaml(text: str, source: str, override: str | None = None) -> ModelSpec:
    """Parse YAML text into a :class:`ModelSpec`; every problem is a one-line SpecError.

    ``override`` replaces the spec's own ``framework:`` (``--framework``) before the input
    conventions are applied, as they differ: torch layers need no input shape.
    """
    root, data, builder = _parse(text, source)
    if root is None:
        raise SpecError("the spec is empty", location=Location(source, 1), hint="a spec needs a 'layers:' list")
    if isinstance(root, yaml.SequenceNode):
        data, root = (
            {"layers": data},
            yaml.MappingNode("tag:yaml.org,2002:map", [(yaml.ScalarNode("tag:yaml.org,2002:str", "layers"), root)]),
        )
    if not isinstance(data, Mapping) or not isinstance(root, yaml.MappingNode):
        raise SpecError(
            f"a spec must be a mapping with a 'layers:' list, got {type(data).__name__} {describe_value(data)}",
            location=_loc(source, root),
        )
    keys = {str(k) for k in data}
    for key in sorted(keys - set(TOP_LEVEL_KEYS)):
        close = close_match(key, TOP_LEVEL_KEYS)
        raise SpecError(
            f"unknown top-level key '{key}'",
            location=_loc(source, _key_node(root, key)),
            hint=f"did you mean '{close}'?" if close else f"known keys: {', '.join(TOP_LEVEL_KEYS)}",
        )
    framework = data.get("framework", "keras")
    if framework not in FRAMEWORKS:
        raise SpecError(
            f"unknown framework {describe_value(framework)}",
            location=_loc(source, _child(root, "framework")),
            hint="use keras or pytorch",
        )
    framework = override or framework
    layers_node = _child(root, "layers")
    if layers_node is None or "layers" not in data:
        raise SpecError(
            "the spec has no 'layers:' list",
            location=Location(source, 1),
            hint="add 'layers:' with one entry per layer",
        )
    items = _layer_items(layers_node, source, builder)
    layers = expand_repeats(items)
    inputs = []
    graph = False
    if data.get("input") is not None:
        inputs.append(input_from_value(data["input"], "input_layer", _loc(source, _child(root, "input"))))
    if data.get("inputs") is not None:
        graph = True
        named = data["inputs"]
        where = _loc(source, _child(root, "inputs"))
        if not isinstance(named, Mapping) or not named:
            raise SpecError(
                "'inputs:' must map input names to shapes", location=where, hint="inputs: {tokens: {shape: [128]}}"
            )
        for key, value in named.items():
            inputs.append(input_from_value(value, str(key), where))
    outputs = data.get("outputs")
    if outputs is not None:
        if isinstance(outputs, str):
            outputs = [outputs]
        if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
            raise SpecError("'outputs:' must list layer names", location=_loc(source, _child(root, "outputs")))
    budget = data.get("budget")
    if budget is not None and not isinstance(budget, Mapping):
        raise SpecError(
            "'budget:' must be a mapping like {max_params: 2000000}", location=_loc(source, _child(root, "budget"))
        )
    name = data.get("name")
    if isinstance(name, (list, dict)):
        raise SpecError("'name:' must be a string", location=_loc(source, _child(root, "name")))
    return assemble(
        layers,
        source=source,
        inputs=inputs,
        name=str(name) if name is not None else None,
        framework=framework,
        outputs=tuple(outputs) if outputs else None,
        budget=budget,
        budget_location=_loc(source, _child(root, "budget")) if budget is not None else None,
        graph=graph,
        outputs_location=_loc(source, _child(root, "outputs")) if outputs is not None else None,
    )


def _parse(text: str, source: str) -> tuple[yaml.Node | None, Any, Builder]:
    """The node tree composed by libyaml (kept for line numbers), the plain values built from
    it, and the builder.  The layers list is left unbuilt
    (:data:`~paramcalc.spec.yaml_values.DEFERRED`): its entries are read straight from their
    nodes by :func:`_layer_items`, which saves building each entry twice on a spec of a
    hundred thousand layers.
    """
    from paramcalc.limits import MAX_YAML_VALUES, yaml_values_bound

    if len(text) > MAX_YAML_VALUES and yaml_values_bound(text) > MAX_YAML_VALUES:  # before composing: 20 µs a value
        raise SpecError(
            f"the spec holds more than {MAX_YAML_VALUES:,} YAML values",
            location=Location(source),
            hint="use Repeat for repeated blocks (paramcalc's limit, see README, Limits)",
        )
    loader = Loader(text)
    builder = Builder(loader, source)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, builder
        layers = root if isinstance(root, yaml.SequenceNode) else _child(root, "layers")
        data = builder.build(root, defer=layers if isinstance(layers, yaml.SequenceNode) else None)
        return root, data, builder
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = 'quote a placeholder: units: "?"' if mark and text[mark.index : mark.index + 1] == "?" else None
        raise SpecError(f"malformed YAML: {problem}", location=Location(source, line), hint=hint) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"malformed YAML: {' '.join(str(exc).split())[:120]}", location=Location(source)) from None
    except RecursionError:
        raise SpecError("YAML nesting is too deep", location=Location(source)) from None
    finally:
        loader.dispose()


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v  # type: ignore[no-any-return]
    return None


def _key_node(node: yaml.MappingNode, key: str) -> yaml.Node:
    """The node of a mapping's key (for errors about the key itself)."""
    for k, _ in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k
    return node


def _loc(source: str, node: yaml.Node | None) -> Location:
    return Location(source, node.start_mark.line + 1 if node is not None else None)


Item = Any  # LayerSpec | tuple[int, list[Item], Location]


def _layer_items(node: yaml.Node, source: str, builder: Builder, depth: int = 1) -> list[Item]:
    """Layer entries with their lines, read from their nodes; ``Repeat`` blocks become
    ``(times, items, location)``.  ``ClassName: args`` entries (nearly all) are made straight
    from the node; anything else is built as a value and left to the entry rules to explain.
    """
    where = _loc(source, node)
    if not isinstance(node, yaml.SequenceNode) or node.tag != SEQ:
        raise SpecError(
            "'layers:' must be a list of layer entries", location=where, hint="e.g. layers: [{Dense: 4}, {Dense: 1}]"
        )
    if not node.value:
        raise SpecError("'layers:' is empty", location=where, hint="list one entry per layer, e.g. - Dense: 4")
    items: list[Item] = []
    builder.active.add(id(node))  # an entry that aliases this very list is a loop
    for position, child in enumerate(node.value, start=1):
        location = Location(source, child.start_mark.line + 1)
        if type(child) is yaml.MappingNode and len(child.value) == 1 and child.tag == MAP:
            key_node, value_node = child.value[0]
            if type(key_node) is yaml.ScalarNode and key_node.tag != MERGE:
                class_name = builder.value(key_node, depth + 1)
                if class_name == "Repeat":
                    items.append(_repeat(value_node, location, source, builder, depth + 2))
                    continue
                args = builder.value(value_node, depth + 2)
                if builder.question_marks:
                    args = _placeholders(args, value_node, source)
                # numbered by position: right unless a Repeat comes first (then expand_repeats renumbers)
                items.append(layer_from_call(class_name, args, location, position))
                continue
        value = builder.value(child, depth + 1)
        if builder.question_marks:
            value = _with_placeholders(value, child, source)
        items.append(layer_from_entry(value, location, position))
    builder.active.discard(id(node))
    return items


def _with_placeholders(entry: Any, node: yaml.Node, source: str) -> Any:
    """A layer entry whose ``"?"`` argument values are Placeholders (keyed by their place in the text)."""
    if not isinstance(entry, Mapping) or len(entry) != 1:
        return entry
    ((class_name, args),) = entry.items()
    return {class_name: _placeholders(args, _child(node, str(class_name)) or node, source)}


def _placeholders(value: Any, node: yaml.Node, source: str) -> Any:
    if isinstance(value, str):
        return Placeholder(node.start_mark.index, _loc(source, node)) if value == "?" else value
    if isinstance(value, Mapping):
        return {k: _placeholders(v, _child(node, str(k)) or node, source) for k, v in value.items()}
    if isinstance(value, list):
        same = isinstance(node, yaml.SequenceNode) and len(node.value) == len(value)
        return [_placeholders(v, node.value[i] if same else node, source) for i, v in enumerate(value)]
    return value


def _repeat(
    node: yaml.Node, location: Location, source: str, builder: Builder, depth: int
) -> tuple[int, list[Item], Location]:
    parts: dict[Any, yaml.Node] = {}
    if isinstance(node, yaml.MappingNode):
        parts = {builder.value(k, depth) if type(k) is yaml.ScalarNode else None: v for k, v in node.value}
    if set(parts) != {"times", "layers"} or len(parts) != len(node.value):
        raise SpecError(
            "Repeat takes exactly 'times' and 'layers'",
            location=location,
            hint="Repeat: {times: 4, layers: [{Dense: 64}]}",
        )
    times = builder.value(parts["times"], depth + 1)
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise SpecError(f"Repeat times must be a positive integer, got {describe_value(times)}", location=location)
    return times, _layer_items(parts["layers"], source, builder, depth + 1), location


__all__ = ["LayerSpec", "load_yaml"]
