"""Keras model files: the JSON of ``model.to_json()`` and ``.keras`` archives.

Both hold Keras' own serialization of a model: ``{"class_name": "Sequential" | "Functional",
"config": {...}}``.  Each layer entry's ``class_name`` and ``config`` become a
:class:`~paramcalc.spec.records.LayerSpec` with the config as keyword arguments, so the
same rules count it as a YAML spec would.  Functional models keep their wiring: every
``inbound_nodes`` entry is one call of the layer, its tensors written as Keras prints them
in "Connected to" (``dense[0][0]``); a layer called twice becomes a layer and a ``Reuse``.
Nested models (a Sequential or Functional used as a layer) are read recursively.

Keras 3 (``{"args": [...], "kwargs": {...}}`` nodes) and Keras 2 / tf.keras (nested
``[[name, node, tensor, kwargs]]`` lists, ``batch_input_shape``) are both read.  A
``.keras`` archive is a zip holding ``config.json`` in the same format.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from paramcalc.errors import Location, SpecError
from paramcalc.spec.common import MODEL_CLASSES, assemble, describe_value, json_int, parse_shape
from paramcalc.spec.keras_ops_nodes import OPS_PREFIX, mask_only, with_call
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec, Value

ZIP_MAGIC = b"PK\x03\x04"
MAX_CONFIG_BYTES = 64 * 1024 * 1024

FUNCTIONAL_CLASSES = frozenset({"Functional", "Model"})
DROPPED_KEYS = frozenset({"name", "build_config", "registered_name", "module", "shared_object_id"})
"""Config keys that are not layer arguments, or that paramcalc does not use."""
KERAS2_DROPPED = frozenset({"implementation", "time_major"})
"""Keras 2 layer arguments Keras 3 removed; they never change a parameter count."""
LAYER_VALUED = ("layer", "backward_layer", "cell", "cells", "layers")  # "layers": Pipeline's
OPERATION_MODULES = ("keras.src.ops", "keras.ops", "keras.src.activations")
"""Modules of graph operations that are not layers: ``keras.ops`` calls (``ops.add(x, y)``,
``keras.activations.relu(x, max_value=6)``) and the mask Keras computes for Embedding."""


def is_keras_document(data: Any) -> bool:
    """A parsed JSON document that looks like Keras' serialization of a model."""
    return isinstance(data, Mapping) and "class_name" in data and "config" in data


def read_archive(data: bytes, source: str) -> bytes:
    """The ``config.json`` of a ``.keras`` archive (a zip file)."""
    where = Location(source)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo("config.json")
            except KeyError:
                raise SpecError(
                    "the zip file has no config.json; is it a .keras model archive?", location=where
                ) from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise SpecError("config.json in the archive is too large", location=where)
            with archive.open(info) as handle:
                return handle.read(MAX_CONFIG_BYTES + 1)
    except zipfile.BadZipFile as exc:
        raise SpecError(f"not a readable zip archive ({exc})", location=where) from None


def load_keras_json(text: str, source: str) -> ModelSpec:
    """Parse Keras model JSON text into a :class:`ModelSpec`."""
    try:
        data = json.loads(text, parse_int=json_int)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"malformed JSON: {exc.msg} (column {exc.colno})", location=Location(source, exc.lineno)
        ) from None
    except RecursionError:
        raise SpecError("JSON nesting is too deep", location=Location(source)) from None
    except ValueError as exc:  # an integer too long to be a size
        raise SpecError(str(exc), location=Location(source), hint="sizes are at most 2**63 - 1") from None
    return from_document(data, source)


def from_document(data: Any, source: str) -> ModelSpec:
    """A parsed ``model.to_json()`` document as a model spec."""
    if not is_keras_document(data):
        raise SpecError(
            "not a Keras model: expected a JSON object with 'class_name' and 'config'", location=Location(source)
        )
    return _Reader(source).model(data, "model")


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.location = Location(source)

    def error(self, message: str, where: str, hint: str | None = None) -> SpecError:
        return SpecError(message, location=self.location, layer=where, hint=hint)

    # ------------------------------------------------------------------ models
    def model(self, data: Mapping[str, Any], where: str) -> ModelSpec:
        class_name = data.get("class_name")
        config = data.get("config")
        if not isinstance(config, Mapping):
            raise self.error(f"'config' must be an object, got {describe_value(config)}", where)
        if not isinstance(config.get("layers"), list):
            raise self.error(
                f"the {class_name} config has no 'layers' list",
                where,
                hint="a subclassed model's JSON does not describe its layers; save a Sequential or functional model",
            )
        name = config.get("name")
        name = name if isinstance(name, str) else None
        if class_name == "Sequential":
            return self.sequential(config, name)
        if class_name in FUNCTIONAL_CLASSES or "input_layers" in config:
            return self.functional(config, name, where)
        raise self.error(
            f"unknown model class {describe_value(class_name)}", where, hint="expected Sequential or Functional"
        )

    def sequential(self, config: Mapping[str, Any], name: str | None) -> ModelSpec:
        layers = [self.layer(entry, i) for i, entry in enumerate(self.entries(config), start=1)]
        inputs: list[InputSpec] = []
        build_shape = config.get("build_input_shape")
        has_input = any(layer.class_name == "InputLayer" for layer in layers[:1])
        has_keras2_shape = bool(layers) and layers[0].kwargs.get("batch_input_shape") is not None
        if not has_input and not has_keras2_shape and isinstance(build_shape, list) and build_shape:
            inputs.append(InputSpec("input_layer", self.shape(build_shape[1:], "build_input_shape")))
        if not layers:
            raise self.error("the model has no layers", "model")
        return assemble(layers, source=self.source, inputs=inputs, name=name)

    def entries(self, config: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        for index, entry in enumerate(config["layers"], start=1):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("class_name"), str):
                raise self.error(
                    f"layer entries must be objects with a 'class_name', got {describe_value(entry)}", f"layer {index}"
                )
            yield entry

    def functional(self, config: Mapping[str, Any], name: str | None, where: str) -> ModelSpec:
        entries = list(self.entries(config))
        inputs: dict[str, InputSpec] = {}
        pending: list[tuple[str, LayerSpec, list[Any]]] = []
        functional: set[str] = set()
        operations: set[str] = set()
        names: set[str] = set()
        for index, entry in enumerate(entries, start=1):
            layer = self.layer(entry, index)
            layer_name = entry.get("name", layer.name)
            if not isinstance(layer_name, str):
                raise self.error("every layer of a functional model needs a 'name'", f"layer {index}")
            if layer_name in names:
                raise self.error(f"layer name '{layer_name}' is used twice", f"layer {index}")
            names.add(layer_name)
            nodes = entry.get("inbound_nodes", [])
            if not isinstance(nodes, list):
                raise self.error("'inbound_nodes' must be a list", _label(index, layer_name, layer.class_name))
            if layer.class_name == "InputLayer":
                inputs[layer_name] = _input_spec(layer, layer_name, self)
                continue
            if str(entry.get("module", "")).startswith(OPERATION_MODULES):
                operations.add(layer_name)  # keras.ops in the graph; mask-only ones are left out below
                if nodes:
                    pending.append((layer_name, replace(layer, class_name=OPS_PREFIX + layer.class_name), list(nodes)))
                continue
            if layer.class_name in FUNCTIONAL_CLASSES:
                functional.add(layer_name)
            if nodes:
                pending.append((layer_name, layer, list(nodes)))
        if operations:  # keras.ops nodes: keep those the model computes with, drop Keras' mask ops
            read_out = {ref.split("[", 1)[0] for ref in self.refs(config.get("output_layers"), "", where, set())}
            operations = mask_only(entries, operations, read_out)
            pending = [item for item in pending if item[0] not in operations]
        order = self.input_order(config, inputs, where)
        made: dict[str, int] = dict.fromkeys(inputs, 1)  # nodes each layer has so far
        layers: list[LayerSpec] = []
        while pending:
            progress = False
            for layer_name, layer, nodes in pending:
                while nodes:
                    found = self.node(nodes[0], layer, functional, made, operations)
                    if found is None:
                        break
                    refs, links = found
                    if layer.class_name.startswith(OPS_PREFIX):  # the call's arguments, tensors marked
                        layer = with_call(layer, nodes[0], self.error)
                        refs, links = links or refs, None
                    if layer_name not in made:
                        layers.append(replace(layer, name=layer_name, inputs=refs, links=links))
                        made[layer_name] = 1
                    else:
                        reuse = {"layer": layer_name}
                        layers.append(
                            LayerSpec("Reuse", kwargs=reuse, location=layer.location, inputs=refs, links=links)
                        )
                        made[layer_name] += 1
                    nodes.pop(0)
                    progress = True
            pending = [item for item in pending if item[2]]
            if pending and not progress:
                stuck_name, stuck, _ = pending[0]
                raise self.error(
                    "the graph has a cycle or a call on a tensor no layer produces",
                    _label(stuck.index, stuck_name, stuck.class_name),
                )
        outputs = tuple(self.refs(config.get("output_layers"), "output_layers", where, functional))
        for ref in outputs:
            base = ref.split("[", 1)[0]
            if base not in made:
                raise self.error(f"output '{ref}' names no layer of the model", where)
        return assemble(
            layers,
            source=self.source,
            inputs=[inputs[key] for key in order],
            name=name,
            outputs=outputs,
            graph=True,
        )

    def input_order(self, config: Mapping[str, Any], inputs: dict[str, InputSpec], where: str) -> list[str]:
        """Model inputs in ``input_layers`` order (then any other InputLayer)."""
        listed = [ref.split("[", 1)[0] for ref in self.refs(config.get("input_layers"), "input_layers", where, set())]
        for key in listed:
            if key not in inputs:
                raise self.error(f"input_layers names '{key}', which is not an InputLayer of the model", where)
        return list(dict.fromkeys([*listed, *inputs]))

    def refs(self, value: Any, key: str, where: str, functional: set[str]) -> Iterator[str]:
        """``[name, node, tensor]`` leaves of a (nested) structure, as ``name[node][tensor]``.

        Keras numbers the calls of a nested functional model from 1 here (a tf.keras
        legacy: such a model used to have a call of its own), and from 0 everywhere else.
        """
        if value is None:
            return
        if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str):
            node, tensor = value[1], value[2]
            if not isinstance(node, int) or not isinstance(tensor, int):
                raise self.error(f"'{key}' entries are [layer, node, tensor], got {describe_value(value)}", where)
            if value[0] in functional:
                node -= 1
            yield f"{value[0]}[{node}][{tensor}]"
        elif isinstance(value, list):
            for item in value:
                yield from self.refs(item, key, where, functional)
        elif isinstance(value, Mapping):
            for name in sorted(value):
                yield from self.refs(value[name], key, where, functional)
        else:
            raise self.error(f"'{key}' must list [layer, node, tensor] entries, got {describe_value(value)}", where)

    def node(
        self,
        data: Any,
        layer: LayerSpec,
        functional: set[str],
        made: Mapping[str, int],
        operations: set[str],
    ) -> tuple[tuple[str, ...], tuple[str, ...] | None] | None:
        """One call: (its inputs, all its tensors in Keras' order when they differ); None if not ready.

        Masks passed as ``mask=`` are left out: they never shape a layer or its weights.
        """
        where = layer.describe()
        if isinstance(data, list):  # Keras 2: [[name, node, tensor, kwargs], ...]
            refs = []
            for item in data:
                if not (isinstance(item, list) and len(item) in (3, 4) and isinstance(item[0], str)):
                    raise self.error(
                        f"inbound node entries are [layer, node, tensor, kwargs], got {describe_value(item)}", where
                    )
                # tf.keras gave a nested model a call of its own first: its node indices start at 1
                node_index = item[1] - 1 if item[0] in functional and isinstance(item[1], int) else item[1]
                refs.append((item[0], node_index, item[2]))
            main = refs
            links = refs
        elif isinstance(data, Mapping):
            args, kwargs = data.get("args", []), data.get("kwargs", {})
            if not isinstance(kwargs, Mapping):
                raise self.error("a node's 'kwargs' must be an object", where)
            if kwargs.get("return_attention_scores") is True:
                raise self.error("calls with return_attention_scores=True are not supported", where)
            main = list(_tensors(args))
            main += [t for key in ("query", "value", "key") if key in kwargs for t in _tensors(kwargs[key])]
            links = list(_tensors(args))
            op_node = layer.class_name.startswith(OPS_PREFIX)  # an op's `mask` argument is a real input
            links += [t for key in sorted(kwargs) if key != "mask" or op_node for t in _tensors(kwargs[key])]
        else:
            raise self.error(f"an inbound node must be a list or an object, got {describe_value(data)}", where)
        for name, node_index, tensor_index in links:
            if name in operations:
                raise self.error(
                    f"reads the output of the operation '{name}' (keras.ops), which paramcalc cannot count",
                    where,
                    hint="paramcalc reads models built from layers; replace the op by a layer (e.g. Add)",
                )
            if not isinstance(node_index, int) or not isinstance(tensor_index, int):
                raise self.error(f"a tensor reference to '{name}' has a non-integer index", where)
            if made.get(name, 0) <= node_index:
                return None  # its producer has not been called yet
        as_refs = tuple(f"{n}[{i}][{t}]" for n, i, t in main)
        all_refs = tuple(f"{n}[{i}][{t}]" for n, i, t in links)
        return as_refs, (all_refs if all_refs != as_refs else None)

    # ------------------------------------------------------------------ layers
    def layer(self, entry: Mapping[str, Any], index: int) -> LayerSpec:
        """One layer entry (``class_name`` + ``config``) as a record."""
        class_name = entry["class_name"]
        config = entry.get("config", {})
        raw_name = entry.get("name") if isinstance(entry.get("name"), str) else None
        name = config.get("name") if isinstance(config, Mapping) and isinstance(config.get("name"), str) else raw_name
        where = _label(index, name, class_name)
        if not isinstance(config, Mapping):
            raise self.error(f"'config' must be an object, got {describe_value(config)}", where)
        location = self.location
        registered, module = entry.get("registered_name"), entry.get("module")
        custom = isinstance(registered, str) and not (isinstance(module, str) and module.startswith("keras"))
        if custom and class_name not in MODEL_CLASSES:  # a registered custom class
            raise self.error(
                f"'{class_name}' is a custom layer (registered as '{registered}'), whose weights only its code knows",
                where,
                hint=f"write the model as a YAML spec with Custom: {{name: {name or 'NAME'}, params: N, "
                "output_shape: [...]} in its place (N from layer.count_params() in Keras)",
            )
        if class_name in MODEL_CLASSES:
            model = self.model(entry, where)
            kwargs: dict[str, Value] = {}
            if config.get("trainable") is False:
                kwargs["trainable"] = False
            return LayerSpec(class_name, kwargs=kwargs, location=location, name=name, index=index, model=model)
        keras2 = "module" not in entry
        kwargs = {}
        for key, value in config.items():
            if key in DROPPED_KEYS or (keras2 and key in KERAS2_DROPPED):
                continue
            if key in LAYER_VALUED and value is not None:
                value = self.inner(value, key, where)
            kwargs[key] = value
        return LayerSpec(class_name, kwargs=kwargs, location=location, name=name, index=index)

    def inner(self, value: Any, key: str, where: str) -> Value:
        """A layer held in a layer's config (a wrapper's ``layer``, an RNN's ``cell``)."""
        if isinstance(value, list):
            return [self.inner(item, key, where) for item in value]
        if not is_keras_document(value):
            raise self.error(f"'{key}' must be a serialized layer, got {describe_value(value)}", where)
        return self.layer(value, 0)

    def shape(self, value: Any, what: str) -> tuple[int | None, ...]:
        return parse_shape(value, self.location, what)


def _input_spec(layer: LayerSpec, name: str, reader: _Reader) -> InputSpec:
    kwargs = layer.kwargs
    batch = kwargs.get("batch_shape", kwargs.get("batch_input_shape"))
    if isinstance(batch, list) and batch:
        shape = reader.shape(batch[1:], "InputLayer batch_shape")
    elif kwargs.get("shape") is not None:
        shape = reader.shape(kwargs["shape"], "InputLayer shape")
    else:
        raise reader.error("InputLayer has no batch_shape", _label(layer.index, name, "InputLayer"))
    return InputSpec(name, shape, "float32", layer.location)


def _tensors(value: Any) -> Iterator[tuple[str, int, int]]:
    """Keras tensors in a node's args, in Keras' flattening order (dict keys sorted)."""
    if isinstance(value, Mapping):
        if value.get("class_name") == "__keras_tensor__":
            history = value.get("config", {}).get("keras_history")
            if isinstance(history, list) and len(history) == 3 and isinstance(history[0], str):
                yield history[0], history[1], history[2]
            return
        for key in sorted(value):
            yield from _tensors(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from _tensors(item)


def _label(index: int, name: str | None, class_name: str) -> str:
    label = f"layer {index}" if index else "layer"
    return f"{label} '{name}' ({class_name})" if name else f"{label} ({class_name})"
