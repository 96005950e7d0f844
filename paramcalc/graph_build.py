"""Graph building: a functional model's layers called on named tensors, recorded as Keras records them.

Layers read named tensors (``inputs: [a, lstm[1]]``); a layer called twice is one row
whose weights count once; rows come in Keras' ``model.layers`` order with their "Connected
to" references (:mod:`paramcalc.graph` computes the order).  Keras masks travel with the
tensors as hidden ops (:mod:`paramcalc.rules.masks`).  :class:`GraphBuilder` is the part of
the engine that does this; the engine supplies ``construct`` (naming) and ``run`` (counting).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from paramcalc.counting import is_model, label, line
from paramcalc.errors import LayerError, Location, SpecError, close_match
from paramcalc.frameworks import OPS_PREFIX, framework_of
from paramcalc.naming import AutoNamer, name_variables
from paramcalc.report import LayerRow, Shape
from paramcalc.rules import Rule, find_rule
from paramcalc.safe_text import describe_value
from paramcalc.shapes import format_shape
from paramcalc.spec.records import LayerSpec, ModelSpec
from paramcalc.teach import blame_previous

if TYPE_CHECKING:  # loaded by the graph code paths only
    from paramcalc.graph import Node, Op, Tensor

_NODE_REF = re.compile(r"(.+)\[(\d+)\]\[(\d+)\]\Z")
_REF = re.compile(r"(.+)\[(\d+)\]\Z")


class GraphResult:
    """A graph's rows, its output shapes, and whether Keras would show "Connected to"."""

    __slots__ = ("outputs", "rows", "show_connections")  # plain classes: nothing to generate at import

    def __init__(self, rows: list[LayerRow], outputs: tuple[Shape, ...], show_connections: bool) -> None:
        self.rows = rows
        self.outputs = outputs
        self.show_connections = show_connections


class _Layer:
    """What the engine keeps per graph op: the named spec, its rule (found once), the first call's row."""

    __slots__ = ("built", "row", "rule", "spec")

    def __init__(
        self, spec: LayerSpec, row: LayerRow | None = None, built: bool = False, rule: Rule | None = None
    ) -> None:
        self.spec = spec
        self.row = row
        self.built = built
        self.rule = rule


class GraphBuilder:
    """The engine's graph half: builds functional models from layers it names and counts."""

    framework: str

    resolve: Callable[..., tuple[LayerSpec, Rule | None]]
    """Names a layer and finds its rule (the engine's naming)."""
    run: Callable[..., LayerRow]
    """Counts one named layer on its input shapes (the engine's counting)."""

    def graph(self, model: ModelSpec, namer: AutoNamer, named: bool = False) -> GraphResult:
        """A functional model: layers read named tensors; Keras' order and connections."""
        from paramcalc.graph import Op, Tensor, call, keras_order  # graphs only: a chain does not load it

        ops: dict[str, Op] = {}
        tensors: dict[str, Node] = {}
        input_ops: list[Op] = []
        masks: dict[tuple[int, int, int], Tensor] = {}  # Keras' mask of a tensor: a hidden op's output
        previous: Node | None = None
        for spec in model.inputs:
            if spec.name in ops:
                raise SpecError(f"model input '{spec.name}' is defined twice", location=spec.location)
            namer.taken.add(spec.name)
            op = Op(spec.name, is_input=True, payload=_Layer(LayerSpec("InputLayer", name=spec.name)))
            op.payload.row = LayerRow(
                name=spec.name, class_name="InputLayer", outputs=(spec.shape,), line=line(spec.location)
            )
            previous = tensors[spec.name] = call(op, (), (spec.shape,))
            ops[spec.name] = op
            input_ops.append(op)
        if len(model.inputs) > 1:
            previous = None
        for layer in model.layers:
            if layer.class_name == "Reuse":
                op = self._reused(layer, ops)
            else:
                named_layer, found = (layer, None) if named else self.resolve(layer, namer)
                assert named_layer.name is not None  # noqa: S101 - construct names every layer
                if found is None and not is_model(named_layer):  # a nested model's layer, named with it
                    found = find_rule(named_layer.class_name, self.framework)
                op = Op(named_layer.name, payload=_Layer(named_layer, rule=found))
                ops[op.name] = op
            node = self._call(op, layer, ops, tensors, previous, namer, masks)
            if layer.class_name == "Reuse":
                if layer.name:
                    if layer.name in tensors:
                        raise SpecError(
                            f"name '{layer.name}' is used twice", location=layer.location, layer=layer.describe()
                        )
                    tensors[layer.name] = node
            else:
                tensors.setdefault(op.name, node)
            previous = node
        if previous is None:
            raise SpecError("the model has no layers", hint="add a 'layers:' list")
        if model.outputs:
            where = model.outputs_location or Location(model.source)
            outputs = [t for ref in model.outputs for t in _resolve(ref, ops, tensors, None, where)]
        else:
            outputs = [Tensor(previous.op, previous.index, i) for i in range(len(previous.outputs))]
        order = keras_order(input_ops, outputs)
        rows = [self._row(op, order.connections(op)) for op in order.ops]
        shapes = tuple(t.shape[1:] if _whole(t) else t.shape for t in outputs)  # a keras.ops node's output
        return GraphResult(rows, shapes, not order.sequential_like)

    def _reused(self, layer: LayerSpec, ops: dict[str, Op]) -> Op:
        target = layer.kwargs.get("layer")
        extra = sorted(set(layer.kwargs) - {"layer"})
        if extra or layer.args:
            raise SpecError(
                f"Reuse takes 'layer', 'inputs' and 'name', got '{(extra or ['a positional argument'])[0]}'",
                location=layer.location,
                layer=layer.describe(),
            )
        if not isinstance(target, str) or target not in ops or ops[target].is_input:
            close = close_match(str(target), [n for n, op in ops.items() if not op.is_input])
            raise SpecError(
                f"Reuse names no earlier layer: {describe_value(target)}",
                location=layer.location,
                layer=layer.describe(),
                hint=f"did you mean '{close}'?" if close else "layer: must name a layer defined above",
            )
        return ops[target]

    def _call(
        self,
        op: Op,
        layer: LayerSpec,
        ops: dict[str, Op],
        tensors: dict[str, Node],
        previous: Node | None,
        namer: AutoNamer,
        masks: dict[tuple[int, int, int], Tensor] | None = None,
    ) -> Node:
        """Call ``op`` on the tensors ``layer`` names and record the node."""
        from paramcalc.graph import Tensor, call

        state: _Layer = op.payload
        spec = state.spec
        if layer.inputs is not None:
            refs: tuple[str, ...] = layer.inputs
            inputs = [t for ref in refs for t in _resolve(ref, ops, tensors, layer)]
        elif previous is not None:
            refs = (previous.op.name if previous.index == 0 else f"{previous.op.name}[{previous.index}]",)
            inputs = [Tensor(previous.op, previous.index, i) for i in range(len(previous.outputs))]
        else:
            raise LayerError(
                "no input for this layer",
                location=layer.location,
                layer=layer.describe(),
                hint="name its 'inputs:' (the model has several inputs)",
            )
        links = inputs
        if layer.links is not None:
            links = [t for ref in layer.links for t in _resolve(ref, ops, tensors, layer)]
        if not _takes_many(spec, state.rule) and len(inputs) != 1:
            shown = ", ".join(t.keras_ref() for t in inputs[:4])
            raise LayerError(
                f"takes one input tensor, got {len(inputs)} ({shown})",
                location=layer.location,
                layer=label(spec),
                hint="name one output, e.g. 'lstm[0]' for the first output of 'lstm'",
            )
        shapes = [t.shape for t in inputs]
        fresh = [t.op.is_input for t in inputs]  # model inputs still lack the batch axis (PyTorch)
        if framework_of(self.framework).ops_prefix and (
            spec.class_name.startswith(OPS_PREFIX) or any(_whole(t) for t in inputs)
        ):
            from paramcalc.rules.keras_ops import graph_shapes  # keras.ops nodes see whole shapes

            shapes, fresh = graph_shapes(spec.class_name.startswith(OPS_PREFIX), inputs)
        if not state.built:
            try:
                row = name_variables(self.run(spec, shapes, namer, refs, add_batch=fresh, found=state.rule), namer)
            except LayerError as exc:  # name the layer before when it is the usual cause (a missing time axis)
                raise blame_previous(exc, getattr(inputs[0].op.payload, "row", None) if inputs else None) from None
            if state.row is None:
                state.row = row
            state.built = True
            for base in state.rule.build_names if state.rule is not None else ():
                namer.auto(base, reserve=False)
            outputs = row.outputs
        else:
            outputs = self._recall(state, shapes, layer, fresh)
        if masks is None or is_model(spec) or not framework_of(self.framework).masks:
            return call(op, links, outputs)
        from paramcalc.rules.masks import output_mask  # Keras graphs only

        found = state.rule
        assert found is not None  # noqa: S101 - every layer but a nested model has its rule
        in_masks = [masks.get((id(t.op), t.node, t.tensor)) for t in inputs]
        first = in_masks[0] if in_masks else None
        out_mask = output_mask(found.mask, spec, inputs, in_masks, outputs, namer)
        if found.mask_arg and first is not None and len(inputs) == 1:
            links = [*links, first]  # Keras records the mask it passes to call() as an input
        node = call(op, links, outputs)
        if out_mask is not None and outputs:
            masks[(id(op), node.index, 0)] = out_mask
        return node

    def _recall(self, state: _Layer, shapes: list[Shape], layer: LayerSpec, fresh: list[bool]) -> tuple[Shape, ...]:
        """A shared layer called again: same weights, output for the new inputs."""
        first = state.row
        assert first is not None  # noqa: S101 - built before
        again = self.run(state.spec, shapes, AutoNamer(self.framework), (), add_batch=fresh, found=state.rule)
        if [(t.path, t.shape) for t in again.terms] != [(t.path, t.shape) for t in first.terms]:
            got = ", ".join(format_shape(s) for s in shapes)
            was = ", ".join(format_shape(s) for s in first.input_shapes)
            raise LayerError(
                f"shared layer '{first.name}' was built for input {was} and cannot take {got}",
                location=layer.location,
                layer=layer.describe(),
                hint="a layer called twice keeps the weights of its first call",
            )
        return again.outputs

    def _row(self, op: Op, connections: tuple[str, ...]) -> LayerRow:
        row: LayerRow = op.payload.row
        calls = len(op.nodes)
        call_outputs = tuple(node.outputs for node in op.nodes) if calls > 1 else ()
        return replace(row, calls=calls, call_outputs=call_outputs, connections=connections)


def _takes_many(layer: LayerSpec, found: Rule | None) -> bool:
    """Whether the layer is called on several tensors (a merge, a multi-input nested model)."""
    if found is None:  # a nested model
        return isinstance(layer.model, ModelSpec) and layer.model.graph and len(layer.model.inputs) > 1
    return found.multi_input


def _resolve(
    ref: str, ops: dict[str, Op], tensors: dict[str, Node], layer: LayerSpec | None, where: Location | None = None
) -> list[Tensor]:
    """The tensor(s) a reference names.

    ``lstm`` is every output of that call, ``lstm[1]`` its second output, and
    ``lstm[1][0]`` Keras' own form: call 1 of layer ``lstm``, output 0.
    """
    from paramcalc.graph import Tensor

    if ref in tensors:
        node = tensors[ref]
        return [Tensor(node.op, node.index, i) for i in range(len(node.outputs))]
    match = _NODE_REF.match(ref)
    if match and match.group(1) in ops:
        op, node_index, tensor_index = ops[match.group(1)], int(match.group(2)), int(match.group(3))
        if node_index >= len(op.nodes):
            raise _ref_error(
                f"'{op.name}' has been called {len(op.nodes)} times, no call [{node_index}]", layer, where=where
            )
        return [_output(op.nodes[node_index], tensor_index, ref, layer, where)]
    match = _REF.match(ref)
    if match and match.group(1) in tensors:
        return [_output(tensors[match.group(1)], int(match.group(2)), ref, layer, where)]
    base = match.group(1) if match else ref
    close = close_match(base, tensors)
    what = "input" if layer is not None else "output"
    hint = f"did you mean '{close}'?" if close else f"{what}s: must name layers defined above"
    raise _ref_error(f"{what} '{ref}' names no earlier layer or model input", layer, hint, where)


def _ref_error(
    message: str, layer: LayerSpec | None, hint: str | None = None, where: Location | None = None
) -> SpecError:
    if layer is None:  # the model's outputs: where they are written
        return SpecError(message, location=where, hint=hint)
    return SpecError(message, location=layer.location, layer=layer.describe(), hint=hint)


def _output(node: Node, index: int, ref: str, layer: LayerSpec | None, where: Location | None = None) -> Tensor:
    if index >= len(node.outputs):
        raise _ref_error(f"'{ref}': '{node.op.name}' has {len(node.outputs)} outputs, no [{index}]", layer, where=where)
    from paramcalc.graph import Tensor

    return Tensor(node.op, node.index, index)


def _whole(tensor: Tensor) -> bool:
    """Whether a tensor's shape holds its batch axis (a keras.ops node's output)."""
    payload = tensor.op.payload
    return payload is not None and payload.row is not None and payload.row.batch_in_shapes
