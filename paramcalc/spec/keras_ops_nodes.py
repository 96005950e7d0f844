"""``keras.ops`` operation nodes in Keras model JSON: which to keep, and their calls as records.

Keras 3 saves every ``keras.ops`` call of a functional model as an entry of its ``layers``
list whose ``module`` is an ops module (``keras.src.ops.numpy``): ``ops.add(x, y)``,
``x * 0.5``, ``ops.mean(x, axis=1)``, and also the ops Keras itself adds to compute masks
(``not_equal`` for an Embedding with ``mask_zero``).  The mask ops are read only through
``mask=`` arguments; paramcalc's engine recreates those itself, so they are dropped here.
Every other op is kept as a graph node of class ``keras.ops.<Class>`` whose call is written
out: tensors become :class:`TensorArg` (their place among the call's inputs), array
constants :class:`ConstantArg` (their shape), everything else stays as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from paramcalc.errors import SpecError
from paramcalc.frameworks import OPS_PREFIX as OPS_PREFIX  # readers import it from here
from paramcalc.spec.op_args import ConstantArg as ConstantArg  # re-exported: the reader makes them
from paramcalc.spec.op_args import TensorArg as TensorArg
from paramcalc.spec.records import LayerSpec, Value

PACKED_CALLS = {"Einsum": "operands"}
"""Ops whose ``call`` takes ``*operands``: the reader passes the positional arguments as one list."""

KERAS_TENSOR = "__keras_tensor__"
ARRAY_CLASSES = ("__numpy__", "__tensor__")


def _histories(value: Any, skip_mask: bool) -> Iterator[str]:
    """Names of the layers or ops whose tensors a (nested) node argument holds."""
    if isinstance(value, Mapping):
        if value.get("class_name") == KERAS_TENSOR:
            history = value.get("config", {}).get("keras_history")
            if isinstance(history, list) and history and isinstance(history[0], str):
                yield history[0]
            return
        if value.get("class_name") in ARRAY_CLASSES:  # a constant holds no tensor: never walk its 3 million numbers
            return
        for key, item in value.items():
            if not (skip_mask and key == "mask"):
                yield from _histories(item, skip_mask)
    elif isinstance(value, list):
        for item in value:
            yield from _histories(item, skip_mask)


def mask_only(entries: Iterable[Mapping[str, Any]], operations: set[str], outputs: set[str]) -> set[str]:
    """The ops that feed nothing but masks (``mask=`` arguments, other such ops).

    An op is kept when a layer reads it other than as a mask, when it is a model output,
    or when a kept op reads it.
    """
    reads: dict[str, set[str]] = {}
    kept: set[str] = {name for name in outputs if name in operations}
    for entry in entries:
        name = entry.get("name", entry.get("config", {}).get("name"))
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(name, str) or not isinstance(nodes, list):
            continue
        is_op = name in operations
        for node in nodes:
            if not isinstance(node, Mapping):
                continue
            read = set(_histories(node.get("args", []), False)) | set(_histories(node.get("kwargs", {}), not is_op))
            if is_op:
                reads.setdefault(name, set()).update(read & operations)
            else:
                kept.update(read & operations)
    todo = list(kept)
    while todo:
        for parent in reads.get(todo.pop(), ()):
            if parent not in kept:
                kept.add(parent)
                todo.append(parent)
    return operations - kept


def with_call(layer: LayerSpec, node: Any, error: Callable[..., SpecError]) -> LayerSpec:
    """An op node's spec with its call: positional ``args``, and ``kwargs`` added to its config.

    Tensors are numbered in Keras' order (the arguments, then the keyword arguments by
    name), the order of the node's inputs.
    """
    if not isinstance(node, Mapping):
        raise error("a keras.ops node must be an object with 'args' and 'kwargs'", layer.describe())
    args, kwargs = node.get("args", []), node.get("kwargs", {})
    if not isinstance(args, list) or not isinstance(kwargs, Mapping):
        raise error("a keras.ops node needs an 'args' list and a 'kwargs' object", layer.describe())
    counter = [0]
    call_args = tuple(_call_value(item, counter) for item in args)
    call_kwargs = {key: _call_value(kwargs[key], counter) for key in sorted(kwargs)}
    packed = PACKED_CALLS.get(layer.class_name[len(OPS_PREFIX) :])
    if packed is not None:
        call_args, call_kwargs = (), {packed: list(call_args), **call_kwargs}
    clash = sorted(set(call_kwargs) & set(layer.kwargs))
    if clash:
        raise error(f"'{clash[0]}' is given both in the op's config and in its call", layer.describe())
    return replace(layer, args=call_args, kwargs={**layer.kwargs, **call_kwargs})


def _call_value(value: Any, counter: list[int]) -> Value:
    if isinstance(value, Mapping):
        kind = value.get("class_name")
        if kind == KERAS_TENSOR:
            counter[0] += 1
            return TensorArg(counter[0] - 1)
        if kind in ARRAY_CLASSES:
            return ConstantArg(_array_shape(value.get("config", {}).get("value")))
        return {key: _call_value(value[key], counter) for key in sorted(value)}
    if isinstance(value, list):
        return [_call_value(item, counter) for item in value]
    return value


def _array_shape(value: Any) -> tuple[int, ...]:
    """The shape of a nested list (a scalar is ``()``)."""
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)
