"""YAML specs (the contract's main form), read with a safe loader and kept line-aware.

libyaml composes the document into a node tree (so every layer keeps its line number);
:class:`_Builder` turns the nodes into plain values, accepting YAML's plain-data subset
only, so no tag can build a Python object, and refusing alias bombs, duplicate keys and
runaway nesting with a one-line error.

A layer argument written ``"?"`` (quoted: a bare ``?`` is YAML syntax) becomes a
:class:`~paramcalc.spec.records.Placeholder` for ``paramcalc solve``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from paramcalc.errors import Location, SpecError, close_match
from paramcalc.frameworks import BY_NAME
from paramcalc.spec.common import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    assemble,
    describe_value,
    expand_repeats,
    input_from_value,
    layer_from_call,
    layer_from_entry,
)
from paramcalc.spec.records import LayerSpec, ModelSpec, Placeholder

TOP_LEVEL_KEYS = ("name", "framework", "input", "inputs", "outputs", "budget", "layers", "description")
FRAMEWORKS = tuple(f.name for f in BY_NAME.values() if f.yaml_specs)  # ("keras", "pytorch")
MAX_ALIAS_VALUES = 1_000_000
"""How many values YAML aliases may add to a document: plenty for sharing arguments, not a bomb."""

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, with the tag of each plain scalar's text resolved once per document.

    PyYAML calls ``resolve`` for every scalar and tries a list of regular expressions;
    specs repeat the same few words (layer names, argument names, sizes) on every layer.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._tags: dict[str, str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:  # untagged collections (no path resolvers are registered)
            return _SEQ if kind is yaml.SequenceNode else _MAP
        if not implicit[0]:  # quoted: always a string
            return _STR
        tag = self._tags.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) < 64:
                self._tags[value] = tag
        return tag


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


def _parse(text: str, source: str) -> tuple[yaml.Node | None, Any, _Builder]:
    """The node tree composed by libyaml (kept for line numbers), the plain values built from
    it, and the builder.  The layers list is left unbuilt (:data:`DEFERRED`): its entries are
    read straight from their nodes by :func:`_layer_items`, which saves building each entry
    twice on a spec of a hundred thousand layers.
    """
    from paramcalc.limits import MAX_YAML_VALUES, yaml_values_bound

    if len(text) > MAX_YAML_VALUES and yaml_values_bound(text) > MAX_YAML_VALUES:  # before composing: 20 µs a value
        raise SpecError(
            f"the spec holds more than {MAX_YAML_VALUES:,} YAML values",
            location=Location(source),
            hint="use Repeat for repeated blocks (paramcalc's limit, see README, Limits)",
        )
    loader = _Loader(text)
    builder = _Builder(loader, source)
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


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _TAG + "str", _TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"
_TIMESTAMP, _SEQ, _MAP, _MERGE = _TAG + "timestamp", _TAG + "seq", _TAG + "map", _TAG + "merge"
_DECIMAL = re.compile(r"[-+]?[0-9][0-9_]*")
DEFERRED: Any = object()
"""Stands for the layers list in the built document; its entries are read from their nodes."""
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class _Builder:
    """Plain Python values from a composed node tree: YAML's safe subset, and nothing more.

    This replaces PyYAML's constructor, which is slower and too permissive for a spec:
    only strings, numbers, booleans, nulls, lists, mappings and ``<<`` merges are built
    (any other tag, even a "safe" one like ``!!binary`` or ``!!set``, is refused); dates
    stay text; duplicate keys are errors rather than silently overwritten; nesting is
    bounded; and the values that aliases add are counted as they are built, so an alias
    bomb ("billion laughs") is refused after a million values instead of exhausting
    memory.  Each collection is built once: an alias shares the built value, as in PyYAML.
    """

    def __init__(self, loader: Any, source: str) -> None:
        self.loader = loader
        self.source = source
        self.built: dict[int, tuple[Any, int]] = {}
        self.active: set[int] = set()
        self.aliased = 0
        self.question_marks = False
        self.deferred: int | None = None

    def build(self, root: yaml.Node, defer: yaml.Node | None = None) -> Any:
        """The document's values; ``defer`` (the layers list) is left as :data:`DEFERRED`."""
        self.deferred = id(defer) if defer is not None else None
        return self._node(root, 0)[0]

    def value(self, node: yaml.Node, depth: int) -> Any:
        """One node's value (a layer's arguments), with the same checks as the whole document."""
        if type(node) is yaml.ScalarNode:  # a layer's class name, most arguments: without a call to _node
            return self._scalar(node)
        return self._node(node, depth)[0]

    def _where(self, node: yaml.Node) -> Location:
        return Location(self.source, node.start_mark.line + 1)

    def _node(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        """The value of ``node`` and how many values it expands to (aliases included)."""
        if type(node) is yaml.ScalarNode:
            return self._scalar(node), 1
        key = id(node)
        if key == self.deferred and key not in self.active:
            return DEFERRED, 1
        done = self.built.get(key)
        if done is not None:
            self.aliased += done[1]
            if self.aliased > MAX_ALIAS_VALUES:
                raise SpecError(
                    f"YAML aliases expand to more than {MAX_ALIAS_VALUES:,} values",
                    location=self._where(node),
                    hint="a spec is plain data; remove the nested anchors",
                )
            return done
        if key in self.active:
            raise SpecError("a YAML alias refers to the collection that contains it", location=self._where(node))
        if depth >= MAX_DEPTH:
            raise SpecError(f"YAML nesting is deeper than {MAX_DEPTH} levels", location=self._where(node))
        self.active.add(key)
        if node.tag == _SEQ and isinstance(node, yaml.SequenceNode):
            items = []
            size = 1
            for child in node.value:
                if type(child) is yaml.ScalarNode:  # the common case, without a call to _node
                    items.append(self._scalar(child))
                    size += 1
                    continue
                value, count = self._node(child, depth + 1)
                items.append(value)
                size += count
            result: tuple[Any, int] = (items, size)
        elif node.tag == _MAP and isinstance(node, yaml.MappingNode):
            result = self._mapping(node, depth)
        else:
            raise self._tag_error(node)
        self.active.discard(key)
        self.built[key] = result
        return result

    def _mapping(self, node: yaml.MappingNode, depth: int) -> tuple[dict[Any, Any], int]:
        out: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        size = 1
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                size += self._merge(value_node, depth, merged)
                continue
            if type(key_node) is not yaml.ScalarNode:
                raise SpecError("mapping keys must be plain names or numbers", location=self._where(key_node))
            key = self._scalar(key_node)
            if key in out:
                raise SpecError(f"duplicate key {describe_value(key)}", location=self._where(key_node))
            if type(value_node) is yaml.ScalarNode:
                out[key] = self._scalar(value_node)
                size += 2
                continue
            value, count = self._node(value_node, depth + 1)
            out[key] = value
            size += 1 + count
        if merged:
            out = {**merged, **out}
        return out, size

    def _merge(self, node: yaml.Node, depth: int, merged: dict[Any, Any]) -> int:
        """``<<: *base`` (or a list of bases): keys the mapping does not set itself; earlier bases win."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        size = 0
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise SpecError("'<<' merges mappings only", location=self._where(source))
            value, count = self._node(source, depth + 1)
            for key, item in value.items():
                merged.setdefault(key, item)
            size += count
        return size

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag in (_STR, _TIMESTAMP):  # dates stay text: a spec has no use for them
            if text == "?":
                self.question_marks = True
            elif not node.style and text[:1] in ("0", "+", "-") and _DECIMAL.fullmatch(text):
                _refuse_ambiguous_number(text, self._where(node), integer=True)  # 08, 0_9: not octal either
            return text
        if tag == _INT:
            if len(text) > MAX_INT_DIGITS:
                body = text.lstrip("+-")
                body = body[2:] if body[:2].lower() in ("0x", "0o", "0b") else body
                digits = sum(c.isalnum() for c in body)
                raise SpecError(
                    f"integer of {digits:,} digits is too long",
                    location=self._where(node),
                    hint="sizes are at most 2**63 - 1",
                )
            _refuse_ambiguous_number(text, self._where(node), integer=True)
            try:
                return int(text) if text.isdigit() and text[0] != "0" else self.loader.construct_yaml_int(node)
            except (ValueError, IndexError):
                raise SpecError(f"invalid integer {describe_value(text)}", location=self._where(node)) from None
        if tag == _FLOAT:
            _refuse_ambiguous_number(text, self._where(node), integer=False)
            try:
                return self.loader.construct_yaml_float(node)
            except ValueError:
                raise SpecError(f"invalid number {describe_value(text)}", location=self._where(node)) from None
        if tag == _BOOL and text.lower() in _BOOLS:
            return _BOOLS[text.lower()]
        if tag == _NULL:
            return None
        raise self._tag_error(node)

    def _tag_error(self, node: yaml.Node) -> SpecError:
        tag = str(node.tag)
        shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        return SpecError(
            f"YAML tag not allowed: '{shown[:60]}'",
            location=self._where(node),
            hint="specs hold plain data only: strings, numbers, booleans, lists and mappings",
        )


def _refuse_ambiguous_number(text: str, where: Location, *, integer: bool) -> None:
    """Refuse the YAML 1.1 number forms a reader would misread: ``010`` (octal 8) and ``1:30`` (base 60, 90).

    YAML 1.1 (PyYAML, whatever the ``%YAML`` directive says) reads a leading zero as octal
    and colons as base 60; YAML 1.2, Python and paramcalc's inline specs do not.  Reading
    either way would give some user a silently wrong size, so neither is guessed: the
    number is refused with its line, as the inline parser refuses ``Dense(010)``.  Hex
    (``0x10``), binary (``0b10``) and ``1_000`` mean the same in YAML 1.1 and Python and
    are read.
    """
    if ":" in text:
        raise SpecError(
            f"'{text}' is a base-60 number in YAML 1.1; paramcalc refuses it rather than guess",
            location=where,
            hint=f"write the decimal value, or quote '{text}' if it is text",
        )
    body = text.lstrip("+-").replace("_", "")
    if integer and len(body) > 1 and body[0] == "0" and body[1].isdigit():
        decimal = text[: len(text) - len(text.lstrip("+-"))] + (body.lstrip("0") or "0")
        raise SpecError(
            f"'{text}' has a leading zero, which YAML 1.1 reads as octal; paramcalc refuses it rather than guess",
            location=where,
            hint=f"write {decimal} for the decimal value",
        )


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


def _layer_items(node: yaml.Node, source: str, builder: _Builder, depth: int = 1) -> list[Item]:
    """Layer entries with their lines, read from their nodes; ``Repeat`` blocks become
    ``(times, items, location)``.  ``ClassName: args`` entries (nearly all) are made straight
    from the node; anything else is built as a value and left to the entry rules to explain.
    """
    where = _loc(source, node)
    if not isinstance(node, yaml.SequenceNode) or node.tag != _SEQ:
        raise SpecError(
            "'layers:' must be a list of layer entries", location=where, hint="e.g. layers: [{Dense: 4}, {Dense: 1}]"
        )
    if not node.value:
        raise SpecError("'layers:' is empty", location=where, hint="list one entry per layer, e.g. - Dense: 4")
    items: list[Item] = []
    builder.active.add(id(node))  # an entry that aliases this very list is a loop
    for position, child in enumerate(node.value, start=1):
        location = Location(source, child.start_mark.line + 1)
        if type(child) is yaml.MappingNode and len(child.value) == 1 and child.tag == _MAP:
            key_node, value_node = child.value[0]
            if type(key_node) is yaml.ScalarNode and key_node.tag != _MERGE:
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
    node: yaml.Node, location: Location, source: str, builder: _Builder, depth: int
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
