"""Layers held by layers, read before counting starts: nested models and layer-valued arguments.

A wrapper's ``layer`` (``Bidirectional: {layer: {LSTM: 64}}``), an RNN's ``cell``, a
Pipeline's ``layers``, a torch stack's ``encoder_layer`` and a nested ``Sequential:`` are
written as layer entries inside another layer.  Every reader ends in
:func:`~paramcalc.spec.common.assemble`, which hands its layers to :func:`read_held`, so the
engine and the rules only ever see records: a held layer is a
:class:`~paramcalc.spec.records.LayerSpec` in its holder's arguments, a nested model a
:class:`~paramcalc.spec.records.ModelSpec` in ``LayerSpec.model``.  Which arguments hold
layers is data (:data:`HELD`), the rules' signatures written down for the readers; a test
checks the two agree.

An entry that cannot be read is kept as an :class:`~paramcalc.spec.records.Unread` with the
reader's error: the engine (or the rule) raises it when it reaches the holder, so a spec's
errors keep their order, lines and layer names.  A value that is no layer entry at all
(``layer: 5``) is left as written: the consumer says what it expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from paramcalc.errors import LayerError, Location, ParamcalcError, SpecError
from paramcalc.frameworks import framework_of
from paramcalc.spec.common import (
    MODEL_CLASSES,
    assemble,
    expand_repeats,
    input_from_value,
    layer_from_entry,
)
from paramcalc.spec.records import LayerSpec, ModelSpec, Unread, Value

HELD: dict[str, dict[str, tuple[tuple[str, int], ...]]] = {
    "keras": {
        "Bidirectional": (("layer", 0), ("backward_layer", 3)),
        "TimeDistributed": (("layer", 0),),
        "RNN": (("cell", 0),),
        "StackedRNNCells": (("cells", 0),),
        "SpectralNormalization": (("layer", 0),),
        "Pipeline": (("layers", 0),),
    },
    "pytorch": {
        "TransformerEncoder": (("encoder_layer", 0), ("norm", 2)),
        "TransformerDecoder": (("decoder_layer", 0), ("norm", 2)),
        "Transformer": (("custom_encoder", 7), ("custom_decoder", 8)),
    },
}
"""Per framework, the classes whose arguments hold layers: ``(argument, constructor position)``.
Keras' are the rules' ``layer_args`` (built, and auto-named, before their holder); torch's are
the modules its containers deep-copy or call."""

NESTED_MODEL_KEYS = ("layers", "input", "trainable")

_LOOKUP: dict[str, dict[str, tuple[tuple[str, int], ...] | None]] = {}
"""Class names already looked up, per framework (Keras matches any case, as its rules do)."""


def held_arguments(class_name: str, framework: str) -> tuple[tuple[str, int], ...] | None:
    """The layer-valued arguments of a class, or None (nearly every class holds no layer)."""
    cache = _LOOKUP.setdefault(framework, {})
    if class_name in cache:
        return cache[class_name]
    table = HELD.get(framework, {})
    found = table.get(class_name)
    if found is None and not framework_of(framework).case_sensitive:
        found = next((v for k, v in table.items() if k.lower() == class_name.lower()), None)
    if len(cache) < 4096:
        cache[class_name] = found
    return found


def read_held(layers: list[LayerSpec], framework: str) -> list[LayerSpec]:
    """``layers`` with their held layers and nested models read into records (see the module doc)."""
    out = layers
    for position, layer in enumerate(layers):
        if layer.class_name in MODEL_CLASSES or held_arguments(layer.class_name, framework) is not None:
            if out is layers:
                out = list(layers)
            out[position] = read_layer(layer, framework)
    return out


def read_layer(layer: LayerSpec, framework: str) -> LayerSpec:
    """One layer with what it holds read: a nested model, or its layer-valued arguments."""
    if layer.class_name in MODEL_CLASSES:
        if layer.model is not None:
            return layer
        try:
            return replace(layer, model=nested_model(layer, framework))
        except ParamcalcError as exc:
            return replace(layer, model=Unread(None, exc))
    keys = held_arguments(layer.class_name, framework)
    if not keys:
        return layer
    args = list(layer.args)
    kwargs = dict(layer.kwargs)
    for key, position in keys:
        if key in kwargs and kwargs[key] is not None:
            kwargs[key] = _argument(kwargs[key], key, layer, framework)
        elif position < len(args) and args[position] is not None:
            args[position] = _argument(args[position], key, layer, framework)
    return replace(layer, args=tuple(args), kwargs=kwargs)


def _argument(value: Value, key: str, outer: LayerSpec, framework: str) -> Value:
    """A layer-valued argument read as the framework's containers take it."""
    return _READERS[framework](value, key, outer, framework)


def _keras_argument(value: Value, key: str, outer: LayerSpec, framework: str) -> Value:
    """One layer, or (but for ``cell``) a list of them (a Pipeline's ``layers``)."""
    if isinstance(value, (list, tuple)) and key != "cell":
        return [_keras_layer(item, key, outer, framework) for item in value]
    return _keras_layer(value, key, outer, framework)


def _keras_layer(value: Value, key: str, outer: LayerSpec, framework: str) -> Value:
    """``{"LSTM": {...}}``, ``"Flatten"`` or a LayerSpec as a record; a list of cells as ``cell`` is,
    as in Keras, one ``StackedRNNCells``.
    """
    if key == "cell" and isinstance(value, (list, tuple)):
        cells = LayerSpec("StackedRNNCells", kwargs={"cells": list(value)}, location=outer.location)
        return read_layer(cells, framework)
    if value is None or isinstance(value, (int, float, bool, list, tuple)):
        return value  # no layer entry: the engine says what it expected
    return _entry(value, key, outer.location, framework)


def _torch_module(value: Value, key: str, outer: LayerSpec, framework: str) -> Value:
    """A module argument (``encoder_layer: {TransformerEncoderLayer: {...}}``) as a record."""
    if isinstance(value, (LayerSpec, str)) or (isinstance(value, Mapping) and len(value) == 1):
        return _entry(value, key, outer.location, framework)
    return value  # no module entry: the container's rule says what it expected


_READERS = {"keras": _keras_argument, "pytorch": _torch_module}
"""How each framework's containers take a layer-valued argument (every framework of :data:`HELD`)."""


def _entry(value: Value, key: str, location: Location, framework: str) -> Value:
    try:
        inner = layer_from_entry(value, location)
    except ParamcalcError as exc:
        return Unread(value, LayerError(f"'{key}': {exc.message}", hint=exc.hint))
    return read_layer(inner, framework)


def nested_model(layer: LayerSpec, framework: str = "keras") -> ModelSpec:
    """The model a ``Sequential:`` entry describes (``{name, input, trainable, layers}``).

    A nested Sequential is a model used as a layer, as in
    ``keras.Sequential([...], name="mlp")(x)``: its layers are named from the same
    automatic-name counters as the outer model's, since Keras' counters are global.  Its
    input conventions are Keras'; its layers' held layers are read for ``framework``, whose
    rules count them.
    """
    if isinstance(layer.model, ModelSpec):
        return layer.model
    kwargs = dict(layer.kwargs)
    for key in kwargs:
        if key not in NESTED_MODEL_KEYS:
            raise SpecError(
                f"unknown key '{key}' in a nested {layer.class_name}",
                location=layer.location,
                layer=layer.describe(),
                hint=f"a nested model takes {', '.join(NESTED_MODEL_KEYS)} and name",
            )
    entries = kwargs.get("layers", layer.args[0] if len(layer.args) == 1 else None)
    if not isinstance(entries, (list, tuple)) or not entries:
        raise SpecError(
            f"a nested {layer.class_name} needs a non-empty 'layers:' list",
            location=layer.location,
            layer=layer.describe(),
            hint="Sequential: {name: mlp, layers: [{Dense: 64}, {Dense: 10}]}",
        )
    items = [_nested_item(entry, layer.location) for entry in entries]
    inputs = []
    if kwargs.get("input") is not None:
        inputs.append(input_from_value(kwargs["input"], "input_layer", layer.location))
    model = assemble(
        expand_repeats(items), source=layer.location.source, inputs=inputs, name=layer.name, rules=framework
    )
    if model.graph:
        raise SpecError(
            f"a nested {layer.class_name} is a chain: its layers cannot name 'inputs:'",
            location=layer.location,
            layer=layer.describe(),
        )
    return model


def _nested_item(entry: Value, location: Location) -> Any:
    """A nested model's entry; ``Repeat`` blocks become ``(times, items, location)`` as in the YAML reader."""
    if isinstance(entry, Mapping) and len(entry) == 1 and "Repeat" in entry:
        block = entry["Repeat"]
        if not isinstance(block, Mapping) or set(block) != {"times", "layers"}:
            raise SpecError("Repeat takes exactly 'times' and 'layers'", location=location)
        times = block["times"]
        if not isinstance(times, int) or isinstance(times, bool) or times < 1 or not isinstance(block["layers"], list):
            raise SpecError("Repeat needs a positive integer 'times' and a 'layers:' list", location=location)
        return times, [_nested_item(e, location) for e in block["layers"]], location
    return layer_from_entry(entry, location)


def inner_spec(value: Value, key: str, outer: LayerSpec) -> LayerSpec:
    """A Keras layer-valued argument as a record, raising what the engine would (the old
    ``paramcalc.rules.inner_spec``, for code written against it).
    """
    read = _argument(value, key, outer, "keras") if value is not None else None
    if isinstance(read, LayerSpec):
        return read
    if isinstance(read, Unread):
        raise read.fresh_error()
    from paramcalc.safe_text import describe_value

    raise LayerError(f"'{key}' must be a layer such as {{LSTM: 64}}, got {describe_value(value)}")
