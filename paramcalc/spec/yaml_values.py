"""Plain values from a YAML node tree: YAML's safe subset, checked, and nothing more.

Why a module of its own: turning libyaml's nodes into values is a job apart from reading a
spec out of them (:mod:`paramcalc.spec.yaml_spec`).  :class:`Loader` is PyYAML's safe loader
with each scalar's tag resolved once per document; :class:`Builder` replaces PyYAML's
constructor (see its docstring for what it refuses and why).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from paramcalc.errors import Location, SpecError
from paramcalc.spec.common import MAX_DEPTH, MAX_INT_DIGITS, describe_value

MAX_ALIAS_VALUES = 1_000_000
"""How many values YAML aliases may add to a document: plenty for sharing arguments, not a bomb."""

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


class Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, with the tag of each plain scalar's text resolved once per document.

    PyYAML calls ``resolve`` for every scalar and tries a list of regular expressions;
    specs repeat the same few words (layer names, argument names, sizes) on every layer.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._tags: dict[str, str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The tag of a node: collections and quoted text at once, plain text once per word."""
        if kind is not yaml.ScalarNode:  # untagged collections (no path resolvers are registered)
            return SEQ if kind is yaml.SequenceNode else MAP
        if not implicit[0]:  # quoted: always a string
            return _STR
        tag = self._tags.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) < 64:
                self._tags[value] = tag
        return tag


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _TAG + "str", _TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"
_TIMESTAMP, SEQ, MAP, MERGE = _TAG + "timestamp", _TAG + "seq", _TAG + "map", _TAG + "merge"
_DECIMAL = re.compile(r"[-+]?[0-9][0-9_]*")
DEFERRED: Any = object()
"""Stands for the layers list in the built document; its entries are read from their nodes."""
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class Builder:
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
        if node.tag == SEQ and isinstance(node, yaml.SequenceNode):
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
        elif node.tag == MAP and isinstance(node, yaml.MappingNode):
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
            if key_node.tag == MERGE:
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
                refuse_ambiguous_number(text, self._where(node), integer=True)  # 08, 0_9: not octal either
            return text
        if tag == _INT:
            if text.isdigit() and text[0] != "0" and len(text) <= MAX_INT_DIGITS:
                return int(text)  # a plain size, nearly every integer of a spec: nothing below refuses it
            if len(text) > MAX_INT_DIGITS:
                body = text.lstrip("+-")
                body = body[2:] if body[:2].lower() in ("0x", "0o", "0b") else body
                digits = sum(c.isalnum() for c in body)
                raise SpecError(
                    f"integer of {digits:,} digits is too long",
                    location=self._where(node),
                    hint="sizes are at most 2**63 - 1",
                )
            refuse_ambiguous_number(text, self._where(node), integer=True)
            try:
                return self.loader.construct_yaml_int(node)
            except (ValueError, IndexError):
                raise SpecError(f"invalid integer {describe_value(text)}", location=self._where(node)) from None
        if tag == _FLOAT:
            if ":" in text:  # the only float form refused; its location is made only then (a float per layer)
                refuse_ambiguous_number(text, self._where(node), integer=False)
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


def refuse_ambiguous_number(text: str, where: Location, *, integer: bool) -> None:
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
