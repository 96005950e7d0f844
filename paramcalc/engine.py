"""The engine: thread shapes through the rules and collect a :class:`~paramcalc.report.Report`.

``analyze`` walks a :class:`~paramcalc.spec.records.ModelSpec` once, in order: for each
layer it finds the rule, binds the arguments, checks the input rank, calls the rule and
records a :class:`~paramcalc.report.LayerRow`.  Errors raised anywhere below are given
the layer's location and description here, so rules never need to know where they are.

Names follow Keras: a layer's automatic name (``dense_1``) comes from per-class counters
shared by the whole session, so layers held by wrappers (``TimeDistributed(Dense(8))``
uses up ``dense``), layers of nested models and layers created while another layer is
built (MultiHeadAttention's ``dropout``) all count.  A sequential model constructs every
layer before it builds any; a graph constructs and calls them one by one.

Graphs (functional models) are recorded as Keras records them (:mod:`paramcalc.graph`):
a layer called twice is one row whose weights count once, and the rows come in Keras'
``model.layers`` order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from paramcalc._fast import evolve
from paramcalc.dtypes import canonical_dtype, dtype_bits, variable_dtype
from paramcalc.errors import LayerError, Location, ParamcalcError, SpecError, close_match
from paramcalc.report import LayerRow, Report, Shape, Term
from paramcalc.rules import Args, Outcome, Rule, apply_rule, bind, find_rule, inner_spec, own_dtype
from paramcalc.shapes import check_dims, format_shape
from paramcalc.spec.common import MODEL_CLASSES, describe_value, nested_model, to_snake_case
from paramcalc.spec.records import InputSpec, LayerSpec, ModelSpec, Value

__all__ = ["AutoNamer", "analyze", "apply_rule", "base_name", "run_layer", "to_snake_case"]

if TYPE_CHECKING:  # loaded by the graph code paths only
    from paramcalc.graph import Node, Op, Tensor

_NODE_REF = re.compile(r"(.+)\[(\d+)\]\[(\d+)\]\Z")
_REF = re.compile(r"(.+)\[(\d+)\]\Z")


@lru_cache(maxsize=1024)
def base_name(class_name: str, framework: str = "keras") -> str:
    """A layer's automatic base name: Keras' snake case, or the lowercased torch class name.

    torch modules have no names of their own (``nn.Sequential`` numbers them); paramcalc names
    them ``linear``, ``lstm``, ``batchnorm2d``, ... so tables and errors stay readable.
    """
    return class_name.lower() if framework == "pytorch" else to_snake_case(class_name)


class AutoNamer:
    """Hands out ``dense``, ``dense_1``, ... per base name, skipping names already taken.

    ``counts`` are Keras' per-prefix counters (shared with nested models: :meth:`child`);
    ``taken`` holds the names of one model's layers, which must be unique.
    """

    def __init__(self, framework: str = "keras", counts: dict[str, int] | None = None) -> None:
        self.counts: dict[str, int] = {} if counts is None else counts
        self.taken: set[str] = set()
        self.framework = framework

    def claim(self, name: str, layer: LayerSpec) -> str:
        """Reserve a user-given name; a duplicate is an error, as in Keras."""
        if name in self.taken:
            raise SpecError(f"layer name '{name}' is used twice", location=layer.location, layer=layer.describe())
        self.taken.add(name)
        return name

    def auto(self, class_name: str, reserve: bool = True) -> str:
        """The next free automatic name for a class (``reserve``: it names a layer of this model)."""
        base = base_name(class_name, self.framework)
        while True:
            count = self.counts.get(base, 0)
            self.counts[base] = count + 1
            name = base if count == 0 else f"{base}_{count}"
            if name not in self.taken:
                if reserve:
                    self.taken.add(name)
                return name

    def child(self) -> AutoNamer:
        """A namer for a nested model: same counters, its own set of names."""
        return AutoNamer(self.framework, self.counts)


def analyze(model: ModelSpec, dtype: str = "float32") -> Report:
    """Count a model: every layer's output shape and weight terms, and the totals."""
    engine = _Engine(model.framework)
    canonical = canonical_dtype(dtype)
    if model.graph:
        result = engine.graph(model, AutoNamer(model.framework))
        rows, show = result.rows, result.show_connections
    else:
        rows, show = engine.sequential(model, AutoNamer(model.framework))[0], False
    default_name = "functional" if model.graph else "sequential"
    return Report(
        name=model.name or default_name,
        framework=model.framework,
        layers=tuple(rows),
        dtype=canonical,
        dtype_bits=dtype_bits(canonical),
        graph=model.graph,
        source=model.source,
        extras=dict(model.extras),
        notes=model.notes,
        show_connections=show,
    )


class _GraphResult:
    """A graph's rows, its output shapes, and whether Keras would show "Connected to"."""

    __slots__ = ("outputs", "rows", "show_connections")  # plain classes: nothing to generate at import

    def __init__(self, rows: list[LayerRow], outputs: tuple[Shape, ...], show_connections: bool) -> None:
        self.rows = rows
        self.outputs = outputs
        self.show_connections = show_connections


class _Layer:
    """What the engine keeps per graph op: the named spec and the first call's row."""

    __slots__ = ("built", "row", "spec")

    def __init__(self, spec: LayerSpec, row: LayerRow | None = None, built: bool = False) -> None:
        self.spec = spec
        self.row = row
        self.built = built


class _Engine:
    """Runs models for one framework; sequential and graph models share layer handling."""

    def __init__(self, framework: str) -> None:
        self.framework = framework
        self.memo: Memo = {}  # each distinct (layer, input) is bound and counted once per analysis

    # ------------------------------------------------------------------ naming
    def construct(self, layer: LayerSpec, namer: AutoNamer, reserve: bool = True) -> LayerSpec:
        """Name a layer, after the layers it holds (Keras builds arguments first)."""
        if _is_model(layer):
            try:
                sub = nested_model(layer)
            except ParamcalcError as exc:
                raise exc.with_context(location=layer.location, layer=layer.describe()) from None
            inner = namer.child()
            sub = replace(sub, layers=tuple(self.construct(item, inner) for item in sub.layers))
            name = self._name(layer, namer, "Sequential" if not sub.graph else "Functional", reserve)
            return replace(layer, model=replace(sub, name=name), name=name)
        try:
            found = find_rule(layer.class_name, self.framework)
            if not found.layer_args:  # nearly every layer: no layer among its arguments to name first
                name = self._name(layer, namer, found.name, reserve)
                return layer if name == layer.name else evolve(layer, name=name)
            args = list(layer.args)
            kwargs = dict(layer.kwargs)
            for key in found.layer_args:
                position = found.positional.index(key)
                if key in kwargs and kwargs[key] is not None:
                    kwargs[key] = self._construct_value(kwargs[key], key, layer, namer)
                elif position < len(args) and args[position] is not None:
                    args[position] = self._construct_value(args[position], key, layer, namer)
        except ParamcalcError as exc:
            raise exc.with_context(location=layer.location, layer=layer.describe()) from None
        name = self._name(layer, namer, found.name, reserve)
        return replace(layer, args=tuple(args), kwargs=kwargs, name=name)

    def _construct_value(self, value: Value, key: str, layer: LayerSpec, namer: AutoNamer) -> Value:
        """A layer-valued argument, named: one layer, or a list of them (StackedRNNCells' cells)."""
        if isinstance(value, (list, tuple)) and key != "cell":
            return [self.construct(inner_spec(item, key, layer), namer, reserve=False) for item in value]
        return self.construct(inner_spec(value, key, layer), namer, reserve=False)

    @staticmethod
    def _name(layer: LayerSpec, namer: AutoNamer, class_name: str, reserve: bool) -> str:
        if layer.name:
            return namer.claim(layer.name, layer) if reserve else layer.name
        return namer.auto(class_name, reserve)

    # ------------------------------------------------------------------ sequential
    def sequential(
        self, model: ModelSpec, namer: AutoNamer, named: bool = False
    ) -> tuple[list[LayerRow], Shape | None]:
        """A chain: every layer reads the previous one's (first) output.

        The model input has no batch axis yet: the first layer's rule says where it goes
        (PyTorch); without an input, only layers that can count from their arguments alone
        (PyTorch) are counted, and their output shapes stay unknown.
        """
        shape: Shape | None = model.inputs[0].shape if model.inputs else None
        layers = list(model.layers)
        if shape is None and layers and not _counts_without_input(layers[0], model.framework):
            self._no_input(layers[0], model.framework)
        if not named:
            layers = [self.construct(layer, namer) for layer in layers]
        rows: list[LayerRow] = []
        for layer in layers:
            if layer.class_name == "Reuse":
                raise SpecError(
                    "Reuse calls an earlier layer again, which needs a graph",
                    location=layer.location,
                    hint="give the Reuse entry 'inputs:' (and the model 'inputs:')",
                )
            if shape is None and not _counts_without_input(layer, model.framework):
                self._no_input(layer, model.framework)
            row = self.run(layer, [shape], namer, add_batch=(not rows,))
            rows.append(row)
            shape = row.outputs[0] if row.outputs else None
        return rows, shape

    @staticmethod
    def _no_input(layer: LayerSpec, framework: str) -> None:
        _check_layer(layer, framework)
        raise LayerError(
            "no input shape for the first layer",
            location=layer.location,
            layer=layer.describe(),
            hint="add 'input: [3, 10000]' to the spec, or input_shape=(3, 10000) on the first layer",
        )

    # ------------------------------------------------------------------ graph
    def graph(self, model: ModelSpec, namer: AutoNamer, named: bool = False) -> _GraphResult:
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
                name=spec.name, class_name="InputLayer", outputs=(spec.shape,), line=_line(spec.location)
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
                named_layer = layer if named else self.construct(layer, namer)
                assert named_layer.name is not None  # noqa: S101 - construct names every layer
                op = Op(named_layer.name, payload=_Layer(named_layer))
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
        return _GraphResult(rows, tuple(t.shape for t in outputs), not order.sequential_like)

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
        if not _takes_many(spec, self.framework) and len(inputs) != 1:
            shown = ", ".join(t.keras_ref() for t in inputs[:4])
            raise LayerError(
                f"takes one input tensor, got {len(inputs)} ({shown})",
                location=layer.location,
                layer=_label(spec),
                hint="name one output, e.g. 'lstm[0]' for the first output of 'lstm'",
            )
        shapes = [t.shape for t in inputs]
        fresh = [t.op.is_input for t in inputs]  # model inputs still lack the batch axis (PyTorch)
        if not state.built:
            row = self.run(spec, shapes, namer, refs, add_batch=fresh)
            if state.row is None:
                state.row = row
            state.built = True
            self._use_build_names(spec, namer)
            outputs = row.outputs
        else:
            outputs = self._recall(state, shapes, layer, fresh)
        if masks is None or _is_model(spec) or self.framework != "keras":
            return call(op, links, outputs)
        found = find_rule(spec.class_name, self.framework)
        in_masks = [masks.get((id(t.op), t.node, t.tensor)) for t in inputs]
        first = in_masks[0] if in_masks else None
        out_mask = _output_mask(found.mask, spec, inputs, in_masks, outputs, namer)
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
        again = self.run(state.spec, shapes, AutoNamer(self.framework), (), add_batch=fresh)
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

    def _use_build_names(self, spec: LayerSpec, namer: AutoNamer) -> None:
        if _is_model(spec):
            return
        for base in find_rule(spec.class_name, self.framework).build_names:
            namer.auto(base, reserve=False)

    def _row(self, op: Op, connections: tuple[str, ...]) -> LayerRow:
        row: LayerRow = op.payload.row
        calls = len(op.nodes)
        call_outputs = tuple(node.outputs for node in op.nodes) if calls > 1 else ()
        return replace(row, calls=calls, call_outputs=call_outputs, connections=connections)

    # ------------------------------------------------------------------ one layer
    def run(
        self,
        layer: LayerSpec,
        shapes: Sequence[Shape | None],
        namer: AutoNamer,
        refs: tuple[str, ...] = (),
        add_batch: Sequence[bool] = (),
    ) -> LayerRow:
        """Count one (named) layer or nested model on its input shapes."""
        name = layer.name or base_name(layer.class_name, self.framework)
        if _is_model(layer):
            known = [s for s in shapes if s is not None]
            if len(known) != len(shapes):
                raise LayerError("a nested model needs its input shape", location=layer.location)
            return self.nested(layer, name, known, namer, refs)
        return run_layer(layer, name, shapes, self.framework, inputs=refs, add_batch=add_batch, memo=self.memo)

    def nested(
        self, layer: LayerSpec, name: str, shapes: Sequence[Shape], namer: AutoNamer, refs: tuple[str, ...]
    ) -> LayerRow:
        """A model used as a layer: its layers' rows become children, their weights its own."""
        sub = layer.model
        assert sub is not None  # noqa: S101 - construct() resolved it
        trainable = layer.kwargs.get("trainable", True)
        if not isinstance(trainable, bool):
            raise LayerError(f"'trainable' must be true or false, got {trainable!r}", location=layer.location)
        inner = namer.child()
        try:
            sub = _with_input_shapes(sub, shapes)
            if sub.graph:
                result = self.graph(sub, inner, named=True)
                children, outputs = result.rows, result.outputs
            else:
                children, last = self.sequential(sub, inner, named=True)
                outputs = (last,) if last is not None else ()
        except ParamcalcError as exc:
            raise exc.with_context(location=layer.location, layer=_label(layer)) from None
        if not trainable:
            children = [_frozen(child) for child in children]
        # Keras prints "-" as the connections of a nested model's layers: their calls are
        # not calls of the outer model.
        children = [replace(child, connections=(), depth=1) for child in children]
        # Each layer has its own symbols (m, n) and gates: the nested row shows plain sizes.
        terms = tuple(
            replace(t, scope=f"{child.name}/{t.scope}" if t.scope else child.name, dims=None, gates=1)
            for child in children
            for t in child.terms
        )
        return LayerRow(
            name=name,
            class_name="Functional" if sub.graph and layer.class_name != "Sequential" else layer.class_name,
            outputs=outputs,
            terms=terms,
            multi_output=len(outputs) > 1,
            inputs=refs,
            input_shapes=tuple(shapes),
            why="A model used as a layer: its parameters are those of its layers, each counted once.",
            line=_line(layer.location),
            children=tuple(children),
        )


def _mask_op(name: str, inputs: Sequence[Tensor], shape: Shape) -> Tensor:
    """A hidden graph operation Keras creates to compute a mask (``not_equal``, ``any``, ...)."""
    from paramcalc.graph import Op, Tensor, call

    op = Op(name, hidden=True)
    call(op, inputs, (shape,))
    return Tensor(op, 0, 0)


def _output_mask(
    kind: str,
    spec: LayerSpec,
    inputs: Sequence[Tensor],
    in_masks: Sequence[Tensor | None],
    outputs: tuple[Shape, ...],
    namer: AutoNamer,
) -> Tensor | None:
    """The mask Keras attaches to a layer's (first) output, built from the ops its compute_mask calls."""
    first = in_masks[0] if in_masks else None
    if kind == "keep":
        return first
    if kind == "sequences":  # recurrent: the input's mask, if the output is still a sequence
        return first if outputs and inputs and len(outputs[0]) == len(inputs[0].shape) else None
    if kind == "embedding":
        args = bind(find_rule(spec.class_name), spec)
        return _mask_op("not_equal", inputs[:1], inputs[0].shape) if args.flag("mask_zero") else None
    if kind == "masking":
        shape = inputs[0].shape
        return _mask_op("any", [_mask_op("not_equal", inputs[:1], shape)], shape[:-1])
    if kind == "merge":  # BaseMerge: logical_or of all masks, none if one is missing
        if any(m is None for m in in_masks) or not in_masks:
            return None
        out = in_masks[0]
        for m in in_masks[1:]:
            out = _mask_op("logical_or", [out, m], out.shape)  # type: ignore[list-item,union-attr]
        return out
    if kind == "concatenate" and any(m is not None for m in in_masks):
        parts: list[Tensor] = []
        for tensor, m in zip(inputs, in_masks, strict=True):
            if m is None:
                parts.append(_mask_op("ones_like", [tensor], tensor.shape))
            elif len(m.shape) < len(tensor.shape):
                expanded = _mask_op("expand_dims", [m], (*m.shape, 1))
                zeros = _mask_op("zeros_like", [tensor], tensor.shape)
                parts.append(_mask_op("logical_or", [expanded, zeros], tensor.shape))
            else:
                parts.append(m)
        # the `concatenate` op takes its name from the same counter as Concatenate layers
        joined = _mask_op(namer.auto("Concatenate", reserve=False), parts, outputs[0] if outputs else ())
        return _mask_op("any", [joined], joined.shape[:-1])
    return None


def _is_model(layer: LayerSpec) -> bool:
    return layer.model is not None or layer.class_name in MODEL_CLASSES


def _takes_many(layer: LayerSpec, framework: str) -> bool:
    if _is_model(layer):
        return layer.model is not None and layer.model.graph and len(layer.model.inputs) > 1
    return find_rule(layer.class_name, framework).multi_input


def _label(layer: LayerSpec) -> str:
    return f"layer {layer.index} '{layer.name}' ({layer.class_name})" if layer.index else layer.describe()


def _frozen(row: LayerRow) -> LayerRow:
    return replace(
        row,
        terms=tuple(replace(t, trainable=False) for t in row.terms),
        children=tuple(_frozen(child) for child in row.children),
    )


def _with_input_shapes(model: ModelSpec, shapes: Sequence[Shape]) -> ModelSpec:
    """A nested model called on ``shapes``: they must fit the inputs it declares."""
    if model.inputs and len(model.inputs) != len(shapes):
        raise LayerError(f"the nested model takes {len(model.inputs)} inputs, got {len(shapes)}")
    new_inputs = []
    for position, shape in enumerate(shapes):
        if position < len(model.inputs):
            declared = model.inputs[position]
            fits = len(declared.shape) == len(shape) and all(
                a is None or b is None or a == b for a, b in zip(declared.shape, shape, strict=True)
            )
            if not fits:
                raise LayerError(
                    f"the nested model expects {format_shape(declared.shape)}, got {format_shape(shape)}",
                    hint="check the shape of the tensor the nested model is called on",
                )
            new_inputs.append(replace(declared, shape=shape))
        else:
            new_inputs.append(InputSpec("input_layer", shape))
    return replace(model, inputs=tuple(new_inputs))


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


class _Counted:
    """One layer's rule run, ready for its row: what identical layers share (see ``memo``)."""

    __slots__ = ("args", "input_shapes", "legend", "outcome", "rule", "symbols", "terms")

    def __init__(
        self,
        rule: Rule,
        outcome: Outcome,
        terms: tuple[Term, ...],
        symbols: tuple[tuple[str, int], ...],
        legend: tuple[tuple[str, str], ...],
        input_shapes: tuple[Shape, ...],
    ) -> None:
        self.rule = rule
        self.outcome = outcome
        self.terms = terms
        self.symbols = symbols
        self.legend = legend
        self.input_shapes = input_shapes
        self.args: dict[str, Value] = {}  # flops hook: the bound arguments, for paramcalc.flops


Memo = dict[object, _Counted]
"""Rule runs of one analysis, by :func:`_memo_key`."""


def run_layer(
    layer: LayerSpec,
    name: str,
    input_shapes: Sequence[Shape | None],
    framework: str = "keras",
    inputs: tuple[str, ...] = (),
    add_batch: Sequence[bool] = (),
    memo: Memo | None = None,
) -> LayerRow:
    """Apply one layer's rule to its input shape(s) and record the row.

    ``add_batch[i]`` marks input ``i`` as a model input still without its batch axis; a rule
    that sees batch axes (PyTorch) gets it inserted where its ``batch_axis`` says.  A ``None``
    shape (no input at all) is only passed to such rules.  With ``memo``, a layer identical
    to one counted before (class, arguments, input shapes) reuses that run: a rule is a pure
    function of them.
    """
    key = _memo_key(layer, input_shapes, add_batch) if memo is not None else None
    counted = None
    if memo is not None and key is not None:
        try:
            counted = memo.get(key)
        except TypeError:  # a list or mapping argument (YAML lists): count this layer on its own
            key = None
    if counted is None:
        counted = _count(layer, name, input_shapes, framework, add_batch)
        if memo is not None and key is not None:
            memo[key] = counted
    found, outcome = counted.rule, counted.outcome
    terms = _tie(counted.terms, dict(layer.tied), layer) if layer.tied else counted.terms
    return LayerRow(
        name=name,
        class_name=found.name,
        outputs=outcome.outputs,
        terms=terms,
        multi_output=bool(outcome.shapes) and outcome.tree is None,
        inputs=inputs,
        input_shapes=counted.input_shapes,
        formula=outcome.formula,
        symbols=counted.symbols,
        legend=counted.legend,
        gate_names=outcome.gate_names,
        why=found.why,
        line=layer.location.line,
        batch_in_shapes=found.batch_in_shapes,
        output_tree=outcome.tree,
        copies=layer.copies,
        args=counted.args,  # flops hook
    )


def _count(
    layer: LayerSpec, name: str, input_shapes: Sequence[Shape | None], framework: str, add_batch: Sequence[bool]
) -> _Counted:
    """Find, bind and run the layer's rule; errors get the layer's location and name."""
    found: Rule | None = None
    try:
        found = find_rule(layer.class_name, framework)
        args = bind(found, layer)
        input_shapes = _with_batch(found, args, input_shapes, add_batch)
        outcome = apply_rule(found, args, input_shapes)
        for shape in outcome.outputs:
            if shape:
                check_dims(shape)
        trainable = bool(args.flag("trainable")) if "trainable" in args.values else True
        trainable = trainable or found.sublayers_at_build  # its sublayers do not exist yet to be frozen
        dtype = variable_dtype(args.get("dtype")) if framework == "keras" else ""
    except ParamcalcError as exc:
        # Name the layer as the user will find it: by its (auto) name once its class is known.
        label = layer.describe() if found is None or not layer.index else f"layer {layer.index} '{name}' ({found.name})"
        raise exc.with_context(location=layer.location, layer=label) from None
    terms: tuple[Term, ...] = tuple(outcome.terms)
    if not trainable:
        terms = tuple(replace(t, trainable=False) for t in terms)
    if any(t.dtype or dtype for t in terms):
        terms = tuple(replace(t, dtype=own_dtype(t.dtype, dtype)) for t in terms)
    symbols = outcome.symbols
    if outcome.legend:
        legend = tuple((k, v) for k, v in {**outcome.legend, **found.legend}.items() if k in symbols)
    elif found.legend.keys() <= symbols.keys():  # the usual case: the rule explains every symbol
        legend = found.legend_pairs
    else:
        legend = tuple((k, v) for k, v in found.legend_pairs if k in symbols)
    known = tuple(input_shapes)
    if None in known:
        known = tuple(s for s in known if s is not None)
    counted = _Counted(found, outcome, terms, tuple(symbols.items()), legend, known)  # type: ignore[arg-type]
    counted.args = args.values  # flops hook: FLOP formulas read arguments the terms do not show
    return counted


def _memo_key(layer: LayerSpec, input_shapes: Sequence[Shape | None], add_batch: Sequence[bool]) -> object:
    """What a rule's outcome depends on: class, arguments and input shapes (None: not memoised).

    A model built from repeated blocks (or a generated one) has many identical layers; a
    rule is a pure function of these, so each distinct one is bound and counted once.  The
    key may be unhashable (a list argument): :func:`run_layer` then counts the layer on its
    own, learning so from the one hash the memo's look-up computes.
    """
    return (layer.class_name, layer.args, tuple(layer.kwargs.items()), tuple(input_shapes), tuple(add_batch))


def _with_batch(
    found: Rule, args: Args, shapes: Sequence[Shape | None], add_batch: Sequence[bool]
) -> list[Shape | None]:
    """Insert the batch axis (``None``) into model inputs for rules that see it (PyTorch)."""
    if found.batch_axis is None or not any(add_batch):
        return list(shapes)
    axis = found.batch_axis(args)
    out: list[Shape | None] = []
    for shape, add in zip(shapes, [*add_batch, *[False] * len(shapes)], strict=False):
        if shape is not None and add:
            at = min(axis, len(shape))
            shape = (*shape[:at], None, *shape[at:])
        out.append(shape)
    return out


def _counts_without_input(layer: LayerSpec, framework: str) -> bool:
    """Whether a layer's rule can count it with no input shape (torch modules can)."""
    if _is_model(layer) or layer.class_name == "Reuse":
        return False
    try:
        return find_rule(layer.class_name, framework).batch_in_shapes
    except ParamcalcError:
        return False


def _tie(terms: tuple[Term, ...], tied: dict[str, str], layer: LayerSpec) -> tuple[Term, ...]:
    """Mark the weights a spec says are aliases of another parameter (a tied LM head)."""
    known = {t.path for t in terms}
    for path in tied:
        if path not in known:
            raise LayerError(f"cannot tie '{path}': the layer has no such weight", layer=layer.describe())
    return tuple(replace(t, tied_to=tied[t.path]) if t.path in tied else t for t in terms)


def _check_layer(layer: LayerSpec, framework: str) -> None:
    """Validate a layer's class and arguments alone (before reporting a missing input)."""
    if _is_model(layer) or layer.class_name == "Reuse":
        return
    try:
        bind(find_rule(layer.class_name, framework), layer)
    except ParamcalcError as exc:
        raise exc.with_context(location=layer.location, layer=layer.describe()) from None


def _line(location: object) -> int | None:
    return getattr(location, "line", None)
