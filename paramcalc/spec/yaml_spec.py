"""YAML specs (the contract's main form), read with a safe loader and kept line-aware.

The document is composed once into a node tree (so every layer keeps its line number)
and constructed with PyYAML's *safe* constructor: no tag can build a Python object.
Alias expansion is measured on the node graph before anything walks the values, so a
"billion laughs" document is refused instead of exhausting memory.

A layer argument written ``"?"`` (quoted: a bare ``?`` is YAML syntax) becomes a
:class:`~paramcalc.spec.records.Placeholder` for ``paramcalc solve``.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from typing import Any

import yaml

from paramcalc.errors import Location, SpecError
from paramcalc.spec.common import assemble, describe_value, expand_repeats, input_from_value, layer_from_entry
from paramcalc.spec.records import LayerSpec, ModelSpec, Placeholder

TOP_LEVEL_KEYS = ("name", "framework", "input", "inputs", "outputs", "budget", "layers", "description")
FRAMEWORKS = ("keras", "pytorch")
MAX_EXPANDED_NODES = 1_000_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, source: str, override: str | None = None) -> ModelSpec:
    """Parse YAML text into a :class:`ModelSpec`; every problem is a one-line SpecError.

    ``override`` replaces the spec's own ``framework:`` (``--framework``) before the input
    conventions are applied, as they differ: torch layers need no input shape.
    """
    root, data = _parse(text, source)
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
        close = get_close_matches(key, TOP_LEVEL_KEYS, n=1)
        raise SpecError(
            f"unknown top-level key '{key}'",
            location=_loc(source, _key_node(root, key)),
            hint=f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(TOP_LEVEL_KEYS)}",
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
    items = _layer_items(data["layers"], layers_node, source)
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
    )


def _parse(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """Compose the node tree (for lines and the alias check), then construct safely from it."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_expansion(root, source)
        return root, loader.construct_document(root)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        problem = " ".join(str(exc.problem).split())
        raise SpecError(
            f"YAML tag not allowed: {problem}", location=Location(source, line), hint="specs hold plain data only"
        ) from None
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


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse documents whose aliases would expand past MAX_EXPANDED_NODES values."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # guards against recursive aliases
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        if total > MAX_EXPANDED_NODES:
            raise SpecError(
                f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values",
                location=Location(source, node.start_mark.line + 1),
                hint="a spec is plain data; remove the nested anchors",
            )
        sizes[key] = total
        return total

    size(root)


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


def _layer_items(values: Any, node: yaml.Node, source: str) -> list[Item]:
    """Layer entries with their lines; ``Repeat`` blocks become ``(times, items, location)``."""
    where = _loc(source, node)
    if not isinstance(values, list) or not isinstance(node, yaml.SequenceNode):
        raise SpecError("'layers:' must be a list of layer entries", location=where, hint="layers:\\n  - Dense: 4")
    items: list[Item] = []
    for value, child in zip(values, node.value, strict=True):
        location = _loc(source, child)
        if isinstance(value, Mapping) and len(value) == 1 and "Repeat" in value:
            items.append(_repeat(value["Repeat"], _child(child, "Repeat"), location, source))
        else:
            items.append(layer_from_entry(_with_placeholders(value, child, source), location))
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


def _repeat(block: Any, node: yaml.Node | None, location: Location, source: str) -> tuple[int, list[Item], Location]:
    if not isinstance(block, Mapping) or set(block) != {"times", "layers"}:
        raise SpecError(
            "Repeat takes exactly 'times' and 'layers'",
            location=location,
            hint="Repeat: {times: 4, layers: [{Dense: 64}]}",
        )
    times = block["times"]
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise SpecError(f"Repeat times must be a positive integer, got {describe_value(times)}", location=location)
    inner = _child(node, "layers")
    if inner is None:
        raise SpecError("Repeat needs a 'layers:' list", location=location)
    return times, _layer_items(block["layers"], inner, source), location


__all__ = ["LayerSpec", "load_yaml"]
