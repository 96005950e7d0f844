"""Turning already-parsed values into records; shared by every spec reader.

YAML, inline and JSON readers all end up with the same kind of Python values (a layer
entry is ``{"Dense": {"units": 4}}``, ``"Flatten"`` or a ``LayerSpec`` from an inline
call).  This module validates those entries, applies the contract's input conventions
(an ``Input`` first layer, Keras 2 ``input_shape=``/``input_length=``) and expands
``Repeat`` blocks, so every reader behaves the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from paramcalc.errors import Location, SpecError
from paramcalc.frameworks import framework_of
from paramcalc.limits import MAX_LAYERS  # layers after expanding ``Repeat`` blocks: data, not a bomb
from paramcalc.safe_text import describe_value as describe_value  # re-exported: every reader quotes values
from paramcalc.shapes import MAX_DIM
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec, Value

MAX_INT_DIGITS = 100
"""Longest integer literal any reader accepts (sizes need 19 digits at most).  Checked by
the readers themselves, so the answer does not depend on Python's own int-to-text limit."""


def json_int(text: str) -> int:
    """``json.loads``'s integers, refusing over-long ones (``ValueError``) whatever Python's own limit."""
    if len(text) > MAX_INT_DIGITS:
        raise ValueError(f"integer of {len(text.lstrip('-')):,} digits is too long")
    return int(text)


MAX_DEPTH = 100
"""Deepest nesting of lists, mappings and layer calls any reader accepts; real specs need a handful."""

_CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
INPUT_CLASSES = frozenset({"Input", "InputLayer"})
KERAS2_INPUT_KWARGS = ("input_shape", "batch_input_shape")

LineOf = Callable[[int], Location]

MODEL_CLASSES = frozenset({"Sequential", "Functional", "Model"})
"""Layer entries that are whole models used as layers (nested models)."""


def layer_from_entry(entry: Value, location: Location, index: int = 0) -> LayerSpec:
    """One layer entry (``ClassName``, ``{ClassName: args}`` or a LayerSpec) as a record."""
    if type(entry) is dict and len(entry) == 1:  # the common case first: this runs once per layer
        ((raw_name, raw_args),) = entry.items()
        return _with_args(_class_name(raw_name, location), raw_args, location, index)
    if isinstance(entry, LayerSpec):
        return replace(entry, index=index or entry.index)
    if isinstance(entry, str):
        return LayerSpec(_class_name(entry, location), location=location, index=index)
    if isinstance(entry, Mapping):
        if len(entry) != 1:
            keys = f" ({', '.join(str(k) for k in list(entry)[:4])})" if entry else ""
            raise SpecError(
                f"a layer entry must have exactly one key, the layer class; got {len(entry)}{keys}",
                location=location,
                hint="write each layer as its own list item: '- Dense: 4'",
            )
        ((raw_name, raw_args),) = entry.items()
        return _with_args(_class_name(raw_name, location), raw_args, location, index)
    raise SpecError(
        f"a layer entry must be 'ClassName' or 'ClassName: args', got {type(entry).__name__} {describe_value(entry)}",
        location=location,
    )


def layer_from_call(class_name: Value, args: Value, location: Location, index: int = 0) -> LayerSpec:
    """A ``ClassName: args`` entry given as its two parts (what ``{ClassName: args}`` holds)."""
    return _with_args(_class_name(class_name, location), args, location, index)


def _class_name(raw: object, location: Location) -> str:
    if raw in _CLASS_NAMES_SEEN:
        return raw  # type: ignore[return-value]
    if not isinstance(raw, str) or not _CLASS_NAME.match(raw):
        raise SpecError(f"layer class must be a name like 'Dense', got {describe_value(raw)}", location=location)
    if len(_CLASS_NAMES_SEEN) < 4096:
        _CLASS_NAMES_SEEN.add(raw)
    return raw


_CLASS_NAMES_SEEN: set[object] = set()
"""Class names already checked: a big spec repeats a handful of them."""


def _with_args(class_name: str, raw: Value, location: Location, index: int) -> LayerSpec:
    """A layer with YAML-style args: mapping = kwargs, list = positional, scalar = first positional.

    Built in one go (no ``dataclasses.replace``): this runs once per layer of every spec.
    """
    if raw is None:
        return LayerSpec(class_name, (), {}, location, None, None, index)
    if isinstance(raw, (list, tuple)):
        return LayerSpec(class_name, tuple(raw), {}, location, None, None, index)
    if type(raw) is not dict and not isinstance(raw, Mapping):  # type() first: the ABC check is slow
        return LayerSpec(class_name, (raw,), {}, location, None, None, index)
    for key in raw:
        if type(key) is not str:
            raise SpecError(
                f"argument names must be strings, got {describe_value(key)}",
                location=location,
                layer=LayerSpec(class_name, location=location, index=index).describe(),
            )
    if "name" not in raw and "inputs" not in raw:  # the reader's fresh mapping is used as it is
        return LayerSpec(class_name, (), raw, location, None, None, index)
    kwargs: dict[str, Value] = dict(raw)
    name = kwargs.pop("name", None)
    inputs = kwargs.pop("inputs", None)
    layer = LayerSpec(class_name, location=location, index=index)
    return LayerSpec(class_name, (), kwargs, location, _layer_name(name, layer), _input_names(inputs, layer), index)


def _layer_name(name: Value, layer: LayerSpec) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise SpecError(
            f"layer name must be a non-empty string, got {describe_value(name)}",
            location=layer.location,
            layer=layer.describe(),
        )
    return name


def _input_names(inputs: Value, layer: LayerSpec) -> tuple[str, ...] | None:
    if inputs is None:
        return None
    if isinstance(inputs, str):
        return (inputs,)
    if isinstance(inputs, (list, tuple)) and inputs and all(isinstance(i, str) for i in inputs):
        return tuple(inputs)
    raise SpecError(
        f"'inputs' must name earlier layers or model inputs, got {describe_value(inputs)}",
        location=layer.location,
        layer=layer.describe(),
    )


def parse_shape(value: Value, location: Location | None, what: str = "input shape") -> tuple[int | None, ...]:
    """A shape without the batch axis: a list/tuple of positive ints or nulls (or one int)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (list, tuple)):
        raise SpecError(
            f"{what} must be a list of sizes like [3, 10000], got {describe_value(value)}",
            location=location,
        )
    dims: list[int | None] = []
    for dim in value:
        if dim is None:
            dims.append(None)
        elif isinstance(dim, int) and not isinstance(dim, bool) and 0 < dim <= MAX_DIM:
            dims.append(dim)
        elif isinstance(dim, int) and not isinstance(dim, bool) and dim > MAX_DIM:
            raise SpecError(f"{what} sizes must be at most 2**63 - 1, got {describe_value(dim)}", location=location)
        else:
            raise SpecError(
                f"{what} sizes must be positive integers or null, got {describe_value(dim)}", location=location
            )
    return tuple(dims)


def input_from_value(value: Value, name: str, location: Location | None) -> InputSpec:
    """An ``input:`` value: a shape list, or ``{shape: [...], dtype: ..., name: ...}``."""
    if isinstance(value, Mapping):
        unknown = set(value) - {"shape", "dtype", "name", "batch_size", "sparse", "ragged"}
        if unknown:
            raise SpecError(
                f"unknown key '{sorted(map(str, unknown))[0]}' in input",
                location=location,
                hint="an input takes shape, dtype and name",
            )
        if "shape" not in value:
            raise SpecError("input needs a 'shape'", location=location, hint="input: {shape: [3, 10000]}")
        dtype = value.get("dtype", "float32")
        given_name = value.get("name", name)
        if not isinstance(dtype, str) or not isinstance(given_name, str):
            raise SpecError("input dtype and name must be strings", location=location)
        return InputSpec(given_name, parse_shape(value["shape"], location), dtype, location)
    return InputSpec(name, parse_shape(value, location), "float32", location)


def input_from_layer(layer: LayerSpec) -> InputSpec:
    """An ``Input(shape=...)`` / ``InputLayer(...)`` layer entry as a model input."""
    kwargs = dict(layer.kwargs)
    shape: Value = kwargs.pop("shape", None)
    batch_shape = kwargs.pop("batch_shape", None) or kwargs.pop("batch_input_shape", None)
    if shape is None and layer.args:
        shape = layer.args[0]
    if shape is None and kwargs.get("input_shape") is not None:
        shape = kwargs.pop("input_shape")
    if shape is None and batch_shape is not None:
        if not isinstance(batch_shape, (list, tuple)) or not batch_shape:
            raise SpecError("batch_shape must be a list", location=layer.location, layer=layer.describe())
        shape = list(batch_shape)[1:]
    if shape is None:
        raise SpecError(
            "Input needs a shape",
            location=layer.location,
            layer=layer.describe(),
            hint="Input(shape=(3, 10000))",
        )
    dtype = kwargs.get("dtype") or "float32"
    return InputSpec(layer.name or "input_layer", parse_shape(shape, layer.location), str(dtype), layer.location)


def expand_repeats(
    layers: list[LayerSpec | tuple[int, list[Any], Location]],
) -> list[LayerSpec]:
    """Flatten ``Repeat`` blocks (already parsed as ``(times, items, location)``) into copies.

    Copy 0 keeps the names written in the block; copy k > 0 appends ``_k``, Keras' own
    style for duplicates.  Inside a copy, ``inputs:`` that name a layer of the block
    refer to that copy's layer; after the block they refer to the last copy's.
    """
    plain = [item for item in layers if not isinstance(item, tuple)]
    if len(plain) == len(layers):  # no Repeat: only number the layers
        _refuse_too_many(len(plain), plain[-1].location if plain else None)
        return [item if item.index == i else replace(item, index=i) for i, item in enumerate(plain, start=1)]
    _count_expanded(layers)
    out: list[LayerSpec] = []
    alias: dict[str, str] = {}

    def emit(items: list[LayerSpec | tuple[int, list[Any], Location]], rename: dict[str, str]) -> None:
        for item in items:
            if isinstance(item, tuple):
                times, inner, _ = item
                for copy in range(times):
                    local = dict(rename)
                    for name in _names_in(inner):
                        local[name] = name if copy == 0 else f"{name}_{copy}"
                    emit(inner, local)
                    alias.update({name: local[name] for name in _names_in(inner)})
                continue
            layer = item
            new_name = rename.get(layer.name, layer.name) if layer.name else None
            new_inputs = None
            if layer.inputs is not None:
                new_inputs = tuple(rename.get(n, alias.get(n, n)) for n in layer.inputs)
            out.append(replace(layer, name=new_name, inputs=new_inputs, index=len(out) + 1))

    emit(layers, {})
    return out


def _count_expanded(items: list[Any]) -> int:
    """How many layers ``items`` expand to; refuses more than MAX_LAYERS before building any."""
    total = 0
    for item in items:
        if isinstance(item, tuple):
            times, inner, location = item
            total += times * _count_expanded(inner)
            if total > MAX_LAYERS:
                raise SpecError(
                    f"Repeat expands to more than {MAX_LAYERS:,} layers",
                    location=location,
                    hint="paramcalc's limit (see README, Limits)",
                )
        else:
            total += 1
            _refuse_too_many(total, item.location)
    return total


def _refuse_too_many(count: int, location: Location | None) -> None:
    if count > MAX_LAYERS:
        raise SpecError(
            f"the spec has more than {MAX_LAYERS:,} layers",
            location=location,
            hint="paramcalc's limit (see README, Limits)",
        )


def _names_in(items: list[Any]) -> list[str]:
    names: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            names.extend(_names_in(item[1]))
        elif item.name:
            names.append(item.name)
    return names


def assemble(
    layers: list[LayerSpec],
    *,
    source: str,
    inputs: list[InputSpec] | None = None,
    name: str | None = None,
    framework: str = "keras",
    outputs: tuple[str, ...] | None = None,
    budget: Mapping[str, Value] | None = None,
    budget_location: Location | None = None,
    graph: bool = False,
    outputs_location: Location | None = None,
    rules: str | None = None,
) -> ModelSpec:
    """Apply the contract's input conventions, read held layers and build the :class:`ModelSpec`.

    - ``Input``/``InputLayer`` entries become model inputs (a leading one in a sequential
      model, any of them in a graph).
    - Keras 2 style: ``input_shape=``/``batch_input_shape=`` on the first layer, or
      ``input_dim=`` on a first layer that is not an Embedding, gives the input shape.
    - An Embedding first layer with no input reads integer sequences of ``input_length``
      (Keras 2) or of unknown length.
    - Layers held by layers and nested models are read into records for the rules of
      ``rules`` (default ``framework``; a nested model's conventions are Keras' whatever
      rules count its layers): :func:`paramcalc.spec.held.read_held`.
    """
    model_inputs = list(inputs or [])
    graph = (
        graph
        or outputs is not None
        or len(model_inputs) > 1
        or any(layer.inputs is not None or layer.class_name == "Reuse" for layer in layers)
    )
    body: list[LayerSpec] = []
    for position, layer in enumerate(layers):
        if layer.class_name in INPUT_CLASSES and (graph or position == 0):
            spec = input_from_layer(layer)
            if not graph:
                spec = spec._replace(name="input_layer")
            model_inputs.append(spec)
            continue
        body.append(layer)
    if not body and not (graph and model_inputs and outputs):  # Keras' identity model keras.Model(x, x) is fine
        where = layers[0].location if layers else Location(source)
        raise SpecError("the spec has no layers", location=where, hint="add a 'layers:' list")
    if body and not model_inputs and framework_of(framework).first_layer_input and (first := body[0]):  # Keras 2
        shape_kwargs = {k: first.kwargs[k] for k in KERAS2_INPUT_KWARGS if first.kwargs.get(k) is not None}
        kwargs = {k: v for k, v in first.kwargs.items() if k not in KERAS2_INPUT_KWARGS}
        shape: Value = None
        if "input_shape" in shape_kwargs:
            shape = shape_kwargs["input_shape"]
        elif "batch_input_shape" in shape_kwargs:
            batch = shape_kwargs["batch_input_shape"]
            shape = list(batch)[1:] if isinstance(batch, (list, tuple)) else batch
        elif first.class_name != "Embedding" and kwargs.get("input_dim") is not None:
            shape = [kwargs.pop("input_dim")]
        if shape is not None:
            model_inputs.append(InputSpec("input_layer", parse_shape(shape, first.location), "float32", first.location))
            body[0] = replace(first, kwargs=kwargs)
        elif first.class_name == "Embedding":
            length = first.kwargs.get("input_length")
            dims = parse_shape([length], first.location, "input_length") if length is not None else (None,)
            model_inputs.append(InputSpec("input_layer", dims, "int32", first.location))
    body = [layer if layer.index == i else replace(layer, index=i) for i, layer in enumerate(body, start=1)]
    from paramcalc.spec.held import read_held  # it reads nested models with this function

    body = read_held(body, rules or framework)
    return ModelSpec(
        layers=tuple(body),
        inputs=tuple(model_inputs),
        name=name,
        framework=framework,
        outputs=outputs,
        budget=budget,
        source=source,
        graph=graph,
        budget_location=budget_location,
        outputs_location=outputs_location,
    )
